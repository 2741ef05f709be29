//! SARIF 2.1.0 output (typed with `serde-sarif`), in the shape GitHub code scanning accepts: one
//! run whose driver lists every code as a rule, results with character columns, and files that
//! could not be read as tool execution notifications of an unsuccessful invocation.
//!
//! SARIF is one JSON document, so results are kept until the end; the texts are not.

use std::io::{self, Write};

use serde_json::json;
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, Message, MultiformatMessageString, Notification, PhysicalLocation, Region,
    ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif, Tool, ToolComponent,
};

use super::render::Finding;
use crate::analysis::{Code, Severity};

/// Where each code is documented (the same page the language server links to).
const DOCS_URL: &str = "https://github.com/article-lsp/article-lsp/blob/main/README.md";
const SCHEMA_URL: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The results and notifications of one `check`, written as a SARIF log at the end.
#[derive(Default)]
pub struct SarifLog {
    results: Vec<SarifResult>,
    notifications: Vec<Notification>,
}

impl SarifLog {
    pub fn add(&mut self, path: &str, findings: &[Finding]) {
        self.results.extend(findings.iter().map(|f| result(path, f)));
    }

    /// A file (or argument) that could not be checked.
    pub fn trouble(&mut self, path: Option<&str>, message: &str) {
        let notification = Notification::builder().message(message).level(json!("error"));
        let notification = match path {
            Some(path) => notification.locations(vec![artifact(path, None)]).build(),
            None => notification.build(),
        };
        self.notifications.push(notification);
    }

    pub fn write(self, out: &mut dyn Write) -> io::Result<()> {
        let invocation = Invocation::builder()
            .execution_successful(self.notifications.is_empty())
            .tool_execution_notifications(self.notifications)
            .build();
        let run = Run::builder()
            .tool(Tool::from(driver()))
            .results(self.results)
            .invocations(vec![invocation])
            // Our columns count characters, not SARIF's default UTF-16 code units.
            .column_kind(json!("unicodeCodePoints"))
            .build();
        let log = Sarif::builder().schema(SCHEMA_URL).version(json!("2.1.0")).runs(vec![run]).build();
        serde_json::to_writer_pretty(&mut *out, &log).map_err(io::Error::other)?;
        writeln!(out)
    }
}

fn driver() -> ToolComponent {
    let rules: Vec<ReportingDescriptor> = Code::ALL.iter().map(|&code| rule(code)).collect();
    ToolComponent::builder()
        .name("article-lsp")
        .version(env!("CARGO_PKG_VERSION"))
        .information_uri(DOCS_URL)
        .rules(rules)
        .build()
}

fn rule(code: Code) -> ReportingDescriptor {
    ReportingDescriptor::builder()
        .id(code.as_str())
        .short_description(MultiformatMessageString::builder().text(code.summary()).build())
        .help_uri(format!("{DOCS_URL}#{code}"))
        .default_configuration(
            ReportingConfiguration::builder().level(json!(level_name(code.default_severity()))).build(),
        )
        .build()
}

fn result(path: &str, f: &Finding) -> SarifResult {
    let rule_index = Code::ALL.iter().position(|&c| c == f.code).unwrap_or_default();
    let region = Region::builder()
        .start_line(f.start.line as i64)
        .start_column(f.start.column as i64)
        .end_line(f.end.line as i64)
        .end_column(f.end.column as i64)
        .build();
    SarifResult::builder()
        .rule_id(f.code.as_str())
        .rule_index(rule_index as i64)
        .level(result_level(f.severity))
        .message(Message::from(&f.message))
        .locations(vec![artifact(path, Some(region))])
        .build()
}

fn artifact(path: &str, region: Option<Region>) -> Location {
    let location = ArtifactLocation::builder().uri(relative_uri(path)).build();
    let physical = match region {
        Some(region) => PhysicalLocation::builder().artifact_location(location).region(region).build(),
        None => PhysicalLocation::builder().artifact_location(location).build(),
    };
    Location::builder().physical_location(physical).build()
}

fn result_level(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
        Severity::Info | Severity::Hint => ResultLevel::Note,
    }
}

fn level_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Hint => "note",
    }
}

/// A path as a relative URI reference (what code scanning resolves against the repository):
/// `/` separators, everything but unreserved characters percent-encoded. Written here because
/// the `url` crate only makes absolute URLs.
fn relative_uri(path: &str) -> String {
    let path = path.strip_prefix("./").unwrap_or(path);
    let mut uri = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => uri.push(b as char),
            b'\\' => uri.push('/'),
            _ => uri.push_str(&format!("%{b:02X}")),
        }
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_relative_uri_references() {
        assert_eq!(relative_uri("./news/a b#1.md"), "news/a%20b%231.md");
        assert_eq!(relative_uri("café.md"), "caf%C3%A9.md");
    }
}
