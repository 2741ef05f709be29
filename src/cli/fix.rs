//! `article-lsp fix`: apply the safe repairs, showing a diff for every change, or rewrite the
//! files with `--write`.

use std::borrow::Cow;
use std::io::Write;
use std::os::fd::BorrowedFd;

use super::walk::Input;
use super::{EXIT_CLEAN, EXIT_TROUBLE, FixOptions, gather, plural, read_input, refuse_binary};
use super::{render, stream};
use crate::analysis::{self, Code};
use crate::config::Config;
use crate::fix::{self, Selection};

/// Runs `fix`; returns the exit status. `stdout` is `out`'s file descriptor when `out` is the
/// process's standard output (repaired standard input then goes to it kernel-side where it is
/// unchanged).
pub fn fix(options: &FixOptions, out: &mut dyn Write, stdout: Option<BorrowedFd<'_>>, err: &mut dyn Write) -> u8 {
    let (inputs, troubles) = match gather(&options.paths, options.config.as_deref()) {
        Ok(gathered) => gathered,
        Err(trouble) => (Vec::new(), vec![trouble]),
    };
    for trouble in &troubles {
        let _ = match &trouble.path {
            Some(path) => writeln!(err, "error: {path}: {}", trouble.message),
            None => writeln!(err, "error: {}", trouble.message),
        };
    }
    let mut trouble = !troubles.is_empty();
    let selection = Selection { only: options.only.clone() };
    let mut changed_files = 0;
    let mut applied = 0;
    for (input, config) in &inputs {
        match fix_one(input, config, options, &selection, out, stdout) {
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
    let stdin_only = !inputs.is_empty() && inputs.iter().all(|(i, _)| matches!(i, Input::Stdin));
    if !stdin_only {
        let verb = if options.write { "fixed" } else { "would fix" };
        let _ = writeln!(err, "{verb} {} in {}", plural(applied, "problem"), plural(changed_files, "file"));
    }
    if trouble { EXIT_TROUBLE } else { EXIT_CLEAN }
}

#[derive(Debug)]
pub(super) enum FileFix {
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
    stdout: Option<BorrowedFd<'_>>,
) -> Result<FileFix, String> {
    let line_local = selection.is_line_local() && !options.whole_text;
    if line_local && matches!(input, Input::Stdin) {
        if let Some(streamed) = stream::fix_stdin(config, selection, out, stdout) {
            return streamed;
        }
    }
    let original = match input {
        Input::File(path) if options.write => Some(crate::files::read_original(path)?),
        _ => None,
    };
    let bytes = match &original {
        Some(original) => {
            refuse_binary(&original.bytes)?;
            Cow::Borrowed(&original.bytes[..])
        }
        None => Cow::Owned(read_input(input)?),
    };
    let decoded = analysis::encoding::decode(&bytes);
    let transcoded_from = decoded.transcoded.as_ref().map(|t| t.encoding);
    if transcoded_from.is_some() && !selection.allows(Code::NotUtf8) {
        if let Input::Stdin = input {
            out.write_all(&bytes).map_err(|e| e.to_string())?;
        }
        return Ok(FileFix::Skipped("not UTF-8; add not-utf8 to --only to transcode it first"));
    }
    let fixed = if line_local {
        stream::fix_text(&decoded.text, config, selection)
    } else {
        fix::fix_text(&decoded.text, config, options.now, selection)
    };
    let applied = fixed.applied + usize::from(transcoded_from.is_some());
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
            show_change(out, &name, transcoded_from, &decoded.text, &fixed.text)
                .map_err(|e| format!("cannot write standard output: {e}"))?;
        }
    }
    Ok(if applied == 0 { FileFix::Unchanged } else { FileFix::Changed(applied) })
}

/// Every change `fix` would make: a transcoding as one line (its diff would be every byte),
/// then the diff of the decoded text.
fn show_change(
    out: &mut dyn Write,
    name: &str,
    transcoded_from: Option<&str>,
    before: &str,
    after: &str,
) -> std::io::Result<()> {
    if let Some(encoding) = transcoded_from {
        writeln!(out, "would convert {name} from {encoding} to UTF-8")?;
    }
    if before != after {
        render::diff(out, name, before, after)?;
    }
    Ok(())
}
