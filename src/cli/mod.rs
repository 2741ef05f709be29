//! The command line: `check` and `fix`. One edge over the pure core; all output goes through
//! `&mut dyn Write` so the same code serves the terminal and tests.
//!
//! `check` works through the inputs in chunks: each chunk is checked in parallel, every file's
//! findings are located (and framed) while its text is at hand, the text is dropped, and the
//! chunk is printed in input order before the next one starts. Output is deterministic and
//! memory stays bounded by one chunk, however many files have findings.

mod fix;
mod mapped;
pub mod render;
mod report;
pub mod sarif;
pub mod schema;
mod stream;
pub mod walk;

use std::io::{self, IsTerminal, Read, Write};
use std::path::PathBuf;

use jiff::Timestamp;
use rayon::prelude::*;

use crate::analysis::{self, Code, Diagnostic};
use crate::config::Config;
use crate::line_index::LineIndex;
pub use fix::fix;
use render::{Finding, Locator, Style};
use report::Report;
use walk::{Configs, Input, Trouble};

/// Exit status: 0 clean, 1 an error-severity finding, 2 usage or IO errors.
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_TROUBLE: u8 = 2;

/// How `check` prints its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A header line and a code frame per finding, then a summary.
    Human,
    /// One `path:line:col: severity[code]: message` line per finding, then a summary.
    Concise,
    /// JSON Lines: one object per finding or unreadable file.
    Json,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
    /// One SARIF 2.1.0 document (GitHub code scanning and other tools).
    Sarif,
}

/// `--color`: `auto` colours a terminal unless `NO_COLOR` is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    pub fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && io::stdout().is_terminal()
            }
        }
    }
}

/// Options of `article-lsp check`.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub paths: Vec<PathBuf>,
    pub format: Format,
    pub config: Option<PathBuf>,
    pub now: Timestamp,
    /// Report only these codes (`None`: all).
    pub select: Option<Vec<Code>>,
    /// Never report these codes.
    pub ignore: Vec<Code>,
    /// Findings only: no summary.
    pub quiet: bool,
    pub color: bool,
    /// A count per code instead of the findings.
    pub statistics: bool,
    /// Exit 0 even with error-severity findings (IO and usage errors still exit 2).
    pub exit_zero: bool,
}

/// Options of `article-lsp fix`.
#[derive(Debug, Clone)]
pub struct FixOptions {
    pub paths: Vec<PathBuf>,
    pub only: Option<Vec<Code>>,
    pub write: bool,
    /// Also rewrite read-only and hard-linked files (the latter in place).
    pub force: bool,
    pub config: Option<PathBuf>,
    pub now: Timestamp,
    /// Analyse whole texts even when every selected fix is line-local (the general path, which
    /// the line path is tested against).
    pub whole_text: bool,
}

/// One input, checked: its located findings, or why it could not be read.
struct Checked {
    name: String,
    outcome: Result<Vec<Finding>, String>,
}

/// A command line that could not be parsed, reported like an unreadable file: on standard
/// error, and as a record when the arguments asked for a machine format, so CI sees why the
/// exit status is 2. Returns that status.
pub fn usage_error(format: Format, message: &str, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let options = CheckOptions {
        paths: Vec::new(),
        format,
        config: None,
        now: Timestamp::UNIX_EPOCH,
        select: None,
        ignore: Vec::new(),
        quiet: true,
        color: false,
        statistics: false,
        exit_zero: false,
    };
    let mut report = Report::new(&options, out, err);
    let _ = report.trouble(None, &format!("usage: {message}"));
    let _ = report.finish();
    EXIT_TROUBLE
}

/// Runs `check`; returns the exit status.
pub fn check(options: &CheckOptions, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let mut report = Report::new(options, out, err);
    let (inputs, troubles) = match gather(&options.paths, options.config.as_deref()) {
        Ok(gathered) => gathered,
        Err(trouble) => (Vec::new(), vec![trouble]),
    };
    let status = run_check(options, &inputs, &troubles, &mut report);
    match (status, report.finish()) {
        (Ok(()), Ok(status)) => status,
        _ => EXIT_TROUBLE,
    }
}

fn run_check(
    options: &CheckOptions,
    inputs: &[walk::Job],
    troubles: &[Trouble],
    report: &mut Report,
) -> io::Result<()> {
    for trouble in troubles {
        report.trouble(trouble.path.as_deref(), &trouble.message)?;
    }
    let frame = (options.format == Format::Human && !options.statistics).then_some(Style { color: options.color });
    // Enough files per chunk to keep every thread busy, few enough to bound memory.
    let chunk = rayon::current_num_threads() * 4;
    for jobs in inputs.chunks(chunk.max(1)) {
        let checked: Vec<Checked> =
            jobs.par_iter().map(|(input, config)| check_one(input, config, options, frame)).collect();
        for file in checked {
            match file.outcome {
                Ok(findings) => report.file(&file.name, &findings)?,
                Err(message) => report.trouble(Some(&file.name), &message)?,
            }
        }
    }
    Ok(())
}

fn check_one(input: &Input, config: &Config, options: &CheckOptions, frame: Option<Style>) -> Checked {
    let name = input.display();
    let outcome = read_input(input).map(|bytes| {
        let (decoded, diagnostics) = analysis::check_bytes(&bytes, config, options.now);
        let wanted: Vec<&Diagnostic> = diagnostics.iter().filter(|d| is_selected(options, d.code)).collect();
        if wanted.is_empty() {
            return Vec::new();
        }
        let index = LineIndex::new(&decoded.text);
        let mut locator = Locator::new(&decoded.text, &index);
        wanted.into_iter().map(|d| locator.finding(d, frame.map(|style| (name.as_str(), style)))).collect()
    });
    Checked { name, outcome }
}

fn is_selected(options: &CheckOptions, code: Code) -> bool {
    options.select.as_ref().is_none_or(|codes| codes.contains(&code)) && !options.ignore.contains(&code)
}

/// Resolves paths and configuration. An explicit configuration that cannot be loaded stops
/// everything (`Err`); other problems are collected so one bad path does not hide the others.
fn gather(paths: &[PathBuf], config: Option<&std::path::Path>) -> Result<(Vec<walk::Job>, Vec<Trouble>), Trouble> {
    let mut configs = Configs::new(config).map_err(|e| Trouble { path: None, message: e.to_string() })?;
    Ok(walk::collect(paths, &mut configs))
}

/// Reads an input's bytes; refuses binary data with a clear message.
fn read_input(input: &Input) -> Result<Vec<u8>, String> {
    let bytes = match input {
        Input::Stdin => {
            let mut buf = Vec::new();
            io::stdin().read_to_end(&mut buf).map_err(|e| format!("cannot read standard input: {e}"))?;
            buf
        }
        Input::File(path) => crate::files::read(path)?,
    };
    refuse_binary(&bytes)?;
    Ok(bytes)
}

fn refuse_binary(bytes: &[u8]) -> Result<(), String> {
    if let Some(at) = binary_marker(bytes) {
        return Err(format!("binary file (NUL byte at offset {at}), not an article"));
    }
    Ok(())
}

/// A NUL byte means binary data (git and grep decide the same way), except in UTF-16 text,
/// where half the bytes of ASCII are NUL: a byte-order mark says which it is.
fn binary_marker(bytes: &[u8]) -> Option<usize> {
    let at = memchr::memchr(0, bytes)?;
    let utf16 = matches!(encoding_rs::Encoding::for_bom(bytes), Some((e, _)) if e != encoding_rs::UTF_8);
    (!utf16).then_some(at)
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
}
