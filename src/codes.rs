//! Diagnostic codes and severities: the vocabulary shared by analysis and configuration.
//!
//! A leaf module (it imports nothing of the crate) so that `config` can name codes without
//! depending on the analysis core, which itself reads `Config`.

use std::fmt;

/// How bad a finding is. `Off` exists only in configuration; analysis drops such findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Hint,
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Hint => "hint",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! codes {
    ($($variant:ident => $name:literal, $severity:ident, $summary:literal;)*) => {
        /// Stable diagnostic codes. The string form is part of the public interface
        /// (CLI output, configuration keys, LSP `code`): never rename one.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $($variant,)* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            pub fn default_severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }

            /// One line for the README table and `--help`.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$variant => $summary,)* }
            }

            pub fn from_name(name: &str) -> Option<Code> {
                match name { $($name => Some(Code::$variant),)* _ => None }
            }
        }
    };
}

codes! {
    YamlSyntax => "yaml-syntax", Error, "front matter is not valid YAML";
    UnterminatedFrontMatter => "unterminated-front-matter", Error, "`---` opened, never closed";
    DuplicateKey => "duplicate-key", Error, "a mapping repeats a key";
    MissingField => "missing-field", Error, "a required field is absent or empty";
    UnknownField => "unknown-field", Warning, "a key unknown to the schema";
    WrongType => "wrong-type", Error, "a value of the wrong type";
    Yaml11Boolean => "yaml11-boolean", Warning, "a YAML 1.1 boolean (`yes`, `off`) where a boolean is expected";
    InvalidDate => "invalid-date", Error, "a date that is not RFC 3339 or cannot exist";
    FutureDate => "future-date", Warning, "a publication date after now";
    InvalidUrl => "invalid-url", Error, "a URL that is not an absolute http(s) URL";
    DomainMismatch => "domain-mismatch", Warning, "provider.domain does not match the article's URL";
    UnknownTopic => "unknown-topic", Warning, "a topic outside the configured vocabulary";
    Mojibake => "mojibake", Warning, "text decoded with the wrong encoding";
    ReplacementChar => "replacement-char", Warning, "U+FFFD: information already lost";
    ControlChar => "control-char", Warning, "a C0/C1 control character";
    NotUtf8 => "not-utf8", Error, "a file whose bytes are not UTF-8";
    EmptyFile => "empty-file", Warning, "an article file with no text at all";
    DuplicateUrl => "duplicate-url", Warning, "two articles in the workspace share a URL";
    TopicVariant => "topic-variant", Warning, "a topic spelt differently from a well-used one";
}

impl Code {
    /// Codes that need the whole workspace (the language server's index), not one file.
    pub fn is_workspace(self) -> bool {
        matches!(self, Code::DuplicateUrl | Code::TopicVariant)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
