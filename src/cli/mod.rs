//! The command line: `check` and `fix`. One edge over the pure core; all output goes through
//! `&mut dyn Write` so the same code serves the terminal and tests.

pub mod render;
pub mod schema;
pub mod walk;

use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use rayon::prelude::*;

use crate::analysis::{self, Code, Diagnostic, Severity};
use crate::config::Config;
use crate::fix::{self, Selection};
use crate::line_index::LineIndex;
use walk::{Configs, Input};

/// Exit status: 0 clean, 1 an error-severity finding, 2 usage or IO errors.
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_TROUBLE: u8 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
}

/// Options of `article-lsp check`.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub paths: Vec<PathBuf>,
    pub format: Format,
    pub config: Option<PathBuf>,
    pub now: Timestamp,
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
}

/// One input after reading and checking.
struct Checked {
    name: String,
    outcome: Result<(String, Vec<Diagnostic>), String>,
}

/// Runs `check`; returns the exit status.
pub fn check(options: &CheckOptions, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let Some((inputs, mut trouble)) = gather(&options.paths, options.config.as_deref(), err) else {
        return EXIT_TROUBLE;
    };
    let results: Vec<Checked> = inputs
        .par_iter()
        .map(|(input, config)| Checked { name: input.display(), outcome: read_and_check(input, config, options.now) })
        .collect();
    let style = render::Style { color: options.format == Format::Human && color_wanted() };
    let mut counts = Counts::default();
    for checked in &results {
        let (text, diagnostics) = match &checked.outcome {
            Ok(found) => found,
            Err(message) => {
                let _ = writeln!(err, "error: {}: {message}", checked.name);
                trouble = true;
                continue;
            }
        };
        counts.add(diagnostics);
        if print_file(out, options.format, &checked.name, text, diagnostics, style).is_err() {
            return EXIT_TROUBLE;
        }
    }
    if options.format == Format::Human {
        let _ = writeln!(out, "{}", counts.summary(results.len()));
    }
    match (trouble, counts.errors) {
        (true, _) => EXIT_TROUBLE,
        (false, 0) => EXIT_CLEAN,
        _ => EXIT_FINDINGS,
    }
}

fn print_file(
    out: &mut dyn Write,
    format: Format,
    name: &str,
    text: &str,
    diagnostics: &[Diagnostic],
    style: render::Style,
) -> io::Result<()> {
    if diagnostics.is_empty() {
        return Ok(());
    }
    let index = LineIndex::new(text);
    for d in diagnostics {
        match format {
            Format::Human => render::human(out, name, text, &index, d, style)?,
            Format::Json => render::json_line(out, name, text, &index, d)?,
        }
    }
    Ok(())
}

#[derive(Default)]
struct Counts {
    errors: usize,
    warnings: usize,
    others: usize,
    files: usize,
}

impl Counts {
    fn add(&mut self, diagnostics: &[Diagnostic]) {
        for d in diagnostics {
            match d.severity {
                Severity::Error => self.errors += 1,
                Severity::Warning => self.warnings += 1,
                _ => self.others += 1,
            }
        }
        self.files += usize::from(!diagnostics.is_empty());
    }

    fn summary(&self, checked: usize) -> String {
        let files = plural(checked, "file");
        if self.errors + self.warnings + self.others == 0 {
            return format!("checked {files}: no problems found");
        }
        let mut parts = vec![plural(self.errors, "error"), plural(self.warnings, "warning")];
        if self.others > 0 {
            parts.push(plural(self.others, "note"));
        }
        format!("found {} in {} of {files}", parts.join(", "), self.files)
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
}

fn color_wanted() -> bool {
    std::env::var_os("NO_COLOR").is_none() && io::stdout().is_terminal()
}

/// Resolves paths and configuration; `None` when nothing can run at all.
fn gather(paths: &[PathBuf], config: Option<&Path>, err: &mut dyn Write) -> Option<(Vec<walk::Job>, bool)> {
    let mut configs = match Configs::new(config) {
        Ok(configs) => configs,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return None;
        }
    };
    let (inputs, errors) = walk::collect(paths, &mut configs);
    for e in &errors {
        let _ = writeln!(err, "error: {e}");
    }
    Some((inputs, !errors.is_empty()))
}

/// Reads an input's bytes; refuses binary files with a clear message.
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

/// A NUL byte in text that is not UTF-8 means binary data, not a mis-encoded article.
fn binary_marker(bytes: &[u8]) -> Option<usize> {
    let at = memchr::memchr(0, bytes)?;
    std::str::from_utf8(bytes).is_err().then_some(at)
}

fn read_and_check(input: &Input, config: &Config, now: Timestamp) -> Result<(String, Vec<Diagnostic>), String> {
    let bytes = read_input(input)?;
    let (decoded, diagnostics) = analysis::check_bytes(&bytes, config, now);
    // The text is kept only to render findings: a clean corpus is not held in memory.
    let text = if diagnostics.is_empty() { String::new() } else { decoded.text.into_owned() };
    Ok((text, diagnostics))
}

/// Runs `fix`; returns the exit status.
pub fn fix(options: &FixOptions, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let Some((inputs, mut trouble)) = gather(&options.paths, options.config.as_deref(), err) else {
        return EXIT_TROUBLE;
    };
    let selection = Selection { only: options.only.clone() };
    let mut changed_files = 0;
    let mut applied = 0;
    for (input, config) in &inputs {
        match fix_one(input, config, options, &selection, out) {
            Ok(FileFix::Unchanged) => {}
            Ok(FileFix::Changed(n)) => {
                changed_files += 1;
                applied += n;
            }
            Ok(FileFix::Skipped(why)) => {
                let _ = writeln!(err, "warning: {}: {why}", input.display());
            }
            Err(message) => {
                let _ = writeln!(err, "error: {}: {message}", input.display());
                trouble = true;
            }
        }
    }
    let stdin_only = inputs.iter().all(|(i, _)| matches!(i, Input::Stdin));
    if !stdin_only {
        let verb = if options.write { "fixed" } else { "would fix" };
        let _ = writeln!(err, "{verb} {} in {}", plural(applied, "problem"), plural(changed_files, "file"));
    }
    if trouble { EXIT_TROUBLE } else { EXIT_CLEAN }
}

enum FileFix {
    Unchanged,
    Changed(usize),
    Skipped(&'static str),
}

fn fix_one(
    input: &Input,
    config: &Config,
    options: &FixOptions,
    selection: &Selection,
    out: &mut dyn Write,
) -> Result<FileFix, String> {
    let original = match input {
        Input::File(path) if options.write => Some(crate::files::read_original(path)?),
        _ => None,
    };
    let bytes = match &original {
        Some(original) => {
            refuse_binary(&original.bytes)?;
            std::borrow::Cow::Borrowed(&original.bytes[..])
        }
        None => std::borrow::Cow::Owned(read_input(input)?),
    };
    let decoded = analysis::encoding::decode(&bytes);
    let transcode = decoded.transcoded.is_some();
    if transcode && !selection.allows(Code::NotUtf8) {
        if let Input::Stdin = input {
            out.write_all(&bytes).map_err(|e| e.to_string())?;
        }
        return Ok(FileFix::Skipped("not UTF-8; add not-utf8 to --only to transcode it first"));
    }
    let fixed = fix::fix_text(&decoded.text, config, options.now, selection);
    let applied = fixed.applied + usize::from(transcode);
    match input {
        Input::Stdin => {
            // Unchanged input is echoed byte for byte.
            let result = if applied == 0 { out.write_all(&bytes) } else { out.write_all(fixed.text.as_bytes()) };
            result.map_err(|e| format!("cannot write standard output: {e}"))?;
        }
        Input::File(_) if applied == 0 => return Ok(FileFix::Unchanged),
        Input::File(_) if options.write => match &original {
            Some(original) => crate::files::replace(original, fixed.text.as_bytes(), options.force)?,
            None => return Err("internal error: the file was not read for writing".to_string()),
        },
        Input::File(path) => {
            let name = path.display().to_string();
            render::diff(out, &name, &decoded.text, &fixed.text).map_err(|e| e.to_string())?;
        }
    }
    Ok(if applied == 0 { FileFix::Unchanged } else { FileFix::Changed(applied) })
}
