//! What `check` prints, format by format: findings as each file is done, unreadable files as
//! records of the same stream, and at the end the statistics, the summary or the SARIF log.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::render::{self, Finding, Style};
use super::sarif::SarifLog;
use super::{CheckOptions, EXIT_CLEAN, EXIT_FINDINGS, EXIT_TROUBLE, Format, plural};
use crate::analysis::{Code, Severity};

pub struct Report<'a> {
    format: Format,
    quiet: bool,
    statistics: bool,
    exit_zero: bool,
    style: Style,
    out: &'a mut dyn Write,
    err: &'a mut dyn Write,
    tally: Tally,
    sarif: SarifLog,
}

/// Counts for the summary, the statistics and the exit status.
#[derive(Default)]
struct Tally {
    errors: usize,
    warnings: usize,
    others: usize,
    fixable: usize,
    files_checked: usize,
    files_with_findings: usize,
    unreadable: usize,
    /// Per code: findings and how many of them `fix` repairs.
    by_code: BTreeMap<Code, (usize, usize)>,
}

impl<'a> Report<'a> {
    pub fn new(options: &CheckOptions, out: &'a mut dyn Write, err: &'a mut dyn Write) -> Report<'a> {
        let colored = matches!(options.format, Format::Human | Format::Concise) && options.color;
        Report {
            format: options.format,
            quiet: options.quiet,
            statistics: options.statistics,
            exit_zero: options.exit_zero,
            style: Style { color: colored },
            out,
            err,
            tally: Tally::default(),
            sarif: SarifLog::default(),
        }
    }

    /// A file (or argument) that could not be checked: on standard error for people, and as a
    /// record in every machine format, so CI sees why the exit status is 2.
    pub fn trouble(&mut self, path: Option<&str>, message: &str) -> io::Result<()> {
        self.tally.unreadable += 1;
        match path {
            Some(path) => writeln!(self.err, "error: {path}: {message}")?,
            None => writeln!(self.err, "error: {message}")?,
        }
        match self.format {
            Format::Human | Format::Concise => Ok(()),
            Format::Json => render::json_trouble(self.out, path, message),
            Format::Github => render::github_trouble(self.out, path, message),
            Format::Sarif => {
                self.sarif.trouble(path, message);
                Ok(())
            }
        }
    }

    /// One file's findings, printed now (except in SARIF, which is one document).
    pub fn file(&mut self, path: &str, findings: &[Finding]) -> io::Result<()> {
        self.tally.add(findings);
        if self.statistics {
            return Ok(());
        }
        for f in findings {
            match self.format {
                Format::Human => render::human_finding(self.out, path, f, self.style)?,
                Format::Concise => render::header(self.out, path, f, self.style)?,
                Format::Json => render::json_line(self.out, path, f)?,
                Format::Github => render::github(self.out, path, f)?,
                Format::Sarif => {}
            }
        }
        if self.format == Format::Sarif {
            self.sarif.add(path, findings);
        }
        Ok(())
    }

    /// Prints what comes at the end; returns the exit status.
    pub fn finish(self) -> io::Result<u8> {
        let Report { format, quiet, statistics, exit_zero, out, tally, sarif, .. } = self;
        match format {
            Format::Sarif => sarif.write(out)?,
            Format::Json if statistics => tally.json_statistics(out)?,
            Format::Json | Format::Github => {}
            Format::Human | Format::Concise => {
                if statistics {
                    tally.statistics(out)?;
                }
                if !quiet {
                    tally.summary(out)?;
                }
            }
        }
        out.flush()?;
        Ok(match (tally.unreadable, tally.errors) {
            (1.., _) => EXIT_TROUBLE,
            (0, 1..) if !exit_zero => EXIT_FINDINGS,
            _ => EXIT_CLEAN,
        })
    }
}

impl Tally {
    fn add(&mut self, findings: &[Finding]) {
        self.files_checked += 1;
        self.files_with_findings += usize::from(!findings.is_empty());
        for f in findings {
            match f.severity {
                Severity::Error => self.errors += 1,
                Severity::Warning => self.warnings += 1,
                Severity::Info | Severity::Hint => self.others += 1,
            }
            let fixable = usize::from(f.fixable());
            self.fixable += fixable;
            let entry = self.by_code.entry(f.code).or_default();
            entry.0 += 1;
            entry.1 += fixable;
        }
    }

    /// `found 2 errors, 1 warning in 1 of 3 files`, what could not be read, and the fix hint.
    /// Never "no problems found" when something could not be checked.
    fn summary(&self, out: &mut dyn Write) -> io::Result<()> {
        let checked = plural(self.files_checked, "file");
        let mut line = if self.errors + self.warnings + self.others > 0 {
            let mut parts = vec![plural(self.errors, "error"), plural(self.warnings, "warning")];
            if self.others > 0 {
                parts.push(plural(self.others, "note"));
            }
            format!("found {} in {} of {checked}", parts.join(", "), self.files_with_findings)
        } else if self.unreadable > 0 {
            format!("checked {checked}")
        } else {
            format!("checked {checked}: no problems found")
        };
        if self.unreadable > 0 {
            let verb = if self.unreadable == 1 { "file" } else { "files" };
            line.push_str(&format!("; {} {verb} could not be read", self.unreadable));
        }
        writeln!(out, "{line}")?;
        if self.fixable > 0 {
            writeln!(out, "{} fixable with `article-lsp fix`", self.fixable)?;
        }
        Ok(())
    }

    /// One line per code, most frequent first: count, code, `[*]` when `fix` repairs them all,
    /// and what the code means.
    fn statistics(&self, out: &mut dyn Write) -> io::Result<()> {
        let width = self.by_code.keys().map(|c| c.as_str().len()).max().unwrap_or(0);
        let digits = self.by_code.values().map(|(n, _)| n.to_string().len()).max().unwrap_or(1);
        for (code, (count, fixable)) in self.sorted() {
            let mark = if fixable == count { "[*]" } else { "   " };
            writeln!(out, "{count:>digits$}  {:<width$}  {mark} {}", code.as_str(), code.summary())?;
        }
        Ok(())
    }

    fn json_statistics(&self, out: &mut dyn Write) -> io::Result<()> {
        for (code, (count, fixable)) in self.sorted() {
            let value = serde_json::json!({ "code": code.as_str(), "count": count, "fixable": fixable });
            writeln!(out, "{value}")?;
        }
        Ok(())
    }

    fn sorted(&self) -> Vec<(Code, (usize, usize))> {
        let mut rows: Vec<(Code, (usize, usize))> = self.by_code.iter().map(|(c, n)| (*c, *n)).collect();
        rows.sort_by_key(|(code, (count, _))| (std::cmp::Reverse(*count), *code));
        rows
    }
}
