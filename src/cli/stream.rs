//! `fix` when every selected repair is line-local (`--only mojibake`): no whole-text analysis,
//! only the selected per-line passes, and only on lines that hold a non-ASCII byte. Unchanged
//! bytes are copied through in spans, so clean text costs a block scan for non-ASCII bytes.
//!
//! Standard input that is a regular file is streamed in blocks of whole lines (memory: one
//! block, or the longest line). The general path echoes input that is not UTF-8 unchanged and
//! refuses binary input before writing a byte, and those verdicts depend on the last byte, so
//! the file is first scanned (NUL bytes, UTF-8) and then read again from where it started; if
//! the scan fails, or the input is a pipe that cannot be read twice, the caller reads it whole
//! as the general path does. Files named on the command line are read whole in any case: the
//! diff and the atomic rewrite need both texts.

use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::os::fd::AsFd;

use super::fix::FileFix;
use crate::analysis::mojibake::{may_hold_run, next_non_ascii, proven_without_runs};
use crate::config::Config;
use crate::fix::{self, Fixed, LineScratch, Selection};

/// Bytes read at a time: large enough that system calls are rare, small enough to stay in cache.
const BLOCK: usize = 256 * 1024;

/// Output is gathered into writes of this size (standard output is otherwise flushed at every
/// line break of a repaired line).
const OUT_BUFFER: usize = 64 * 1024;

/// Repairs `text` in memory; the same result as [`fix::fix_text`] for a line-local selection.
pub(super) fn fix_text(text: &str, config: &Config, selection: &Selection) -> Fixed {
    let mut out = Vec::with_capacity(text.len());
    let mut scratch = LineScratch::default();
    // Writing to a vector cannot fail, and a `str` holds only UTF-8.
    let applied = repair(text.as_bytes(), config, selection, &mut scratch, &mut out).unwrap_or(0);
    match String::from_utf8(out) {
        Ok(fixed) => Fixed { text: fixed, applied },
        // Cannot happen (the output is made of whole strings); the text stays as it was.
        Err(_) => Fixed { text: text.to_string(), applied: 0 },
    }
}

/// Streams standard input to `out` when it is a regular file holding UTF-8 without NUL bytes;
/// `None` (with the input rewound) when the caller must read it whole.
pub(super) fn fix_stdin(
    config: &Config,
    selection: &Selection,
    out: &mut dyn Write,
) -> Option<Result<FileFix, String>> {
    let mut file = seekable_stdin()?;
    let start = file.stream_position().ok()?;
    let plain = blocks(&mut file, BLOCK, |block| {
        Ok(memchr::memchr(0, block).is_none() && simdutf8::basic::from_utf8(block).is_ok())
    });
    let rewound = file.seek(SeekFrom::Start(start)).is_ok();
    match plain {
        Ok(true) if rewound => Some(stream(&mut file, BLOCK, config, selection, out)),
        _ if rewound => None,
        _ => Some(Err("cannot read standard input again after checking it".to_string())),
    }
}

/// Standard input as a file of its own (sharing the offset), if it is a regular file.
fn seekable_stdin() -> Option<File> {
    let fd = io::stdin().as_fd().try_clone_to_owned().ok()?;
    let file = File::from(fd);
    file.metadata().ok()?.is_file().then_some(file)
}

/// Repairs `input`, read `block` bytes at a time, into `out`.
fn stream(
    input: &mut impl Read,
    block: usize,
    config: &Config,
    selection: &Selection,
    out: &mut dyn Write,
) -> Result<FileFix, String> {
    let mut out = BufWriter::with_capacity(OUT_BUFFER, out);
    let mut scratch = LineScratch::default();
    let mut applied = 0;
    let streamed = blocks(input, block, |block| {
        applied += repair(block, config, selection, &mut scratch, &mut out)?;
        Ok(true)
    });
    let flushed = out.flush().map_err(Trouble::Write);
    match streamed.and(flushed) {
        Ok(_) if applied == 0 => Ok(FileFix::Unchanged),
        Ok(_) => Ok(FileFix::Changed(applied)),
        Err(Trouble::Read(e)) => Err(format!("cannot read standard input: {e}")),
        Err(Trouble::Write(e)) => Err(format!("cannot write standard output: {e}")),
        Err(Trouble::Changed) => Err("standard input changed while it was read".to_string()),
    }
}

/// Why a stream stopped.
enum Trouble {
    Read(io::Error),
    Write(io::Error),
    /// The second reading found bytes the first did not.
    Changed,
}

/// Feeds `reader` to `each` in blocks of about `size` bytes that end at a line break (or at the
/// end of the input), so no block splits a character or a line; a longer line grows the
/// buffer. Stops early, with `Ok(false)`, when `each` says so.
fn blocks(
    reader: &mut impl Read,
    size: usize,
    mut each: impl FnMut(&[u8]) -> Result<bool, Trouble>,
) -> Result<bool, Trouble> {
    let mut buf = vec![0; size.max(1)];
    let mut filled = 0;
    loop {
        let read = read_full(reader, &mut buf[filled..]).map_err(Trouble::Read)?;
        filled += read;
        let end_of_input = filled < buf.len();
        let cut = match memchr::memrchr2(b'\n', b'\r', &buf[..filled]) {
            _ if end_of_input => filled,
            Some(at) => at + 1,
            None => {
                buf.resize(buf.len() * 2, 0);
                continue;
            }
        };
        if !each(&buf[..cut])? {
            return Ok(false);
        }
        if end_of_input {
            return Ok(true);
        }
        buf.copy_within(cut..filled, 0);
        filled -= cut;
    }
}

/// Reads until `buf` is full or the input ends; returns the bytes read.
fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Writes `bytes` to `out` with its lines repaired; returns how many edits were applied. Lines
/// end at `\n`, `\r\n` or `\r`, as everywhere else; terminators are copied as they are. The
/// only line-local repair is mojibake ([`fix::LINE_LOCAL`]), so a line its byte pre-filter
/// clears ([`may_hold_run`]) is copied as it is, like ASCII, without being decoded, and one its
/// sequence bound clears ([`proven_without_runs`]) without a search. The input
/// was validated before (streamed input in a first pass), so only the lines handed to the
/// repairs are checked again, which stops at bytes that changed since.
fn repair(
    bytes: &[u8],
    config: &Config,
    selection: &Selection,
    scratch: &mut LineScratch,
    out: &mut impl Write,
) -> Result<usize, Trouble> {
    // `written`: bytes copied so far; `from`: where the next line starts (or its terminator).
    let (mut written, mut from, mut applied) = (0, 0, 0);
    while let Some(at) = next_non_ascii(bytes, from) {
        let start = memchr::memrchr2(b'\n', b'\r', &bytes[from..at]).map_or(from, |i| from + i + 1);
        let end = memchr::memchr2(b'\n', b'\r', &bytes[at..]).map_or(bytes.len(), |i| at + i);
        if !may_hold_run(&bytes[start..end]) {
            from = end;
            continue;
        }
        let line = simdutf8::basic::from_utf8(&bytes[start..end]).map_err(|_| Trouble::Changed)?;
        if proven_without_runs(line) {
            from = end;
            continue;
        }
        if let Some(fixed) = fix::fix_line(line, config, selection, scratch) {
            out.write_all(&bytes[written..start]).map_err(Trouble::Write)?;
            out.write_all(fixed.text.as_bytes()).map_err(Trouble::Write)?;
            written = end;
            applied += fixed.applied;
        }
        from = end;
    }
    out.write_all(&bytes[written..]).map_err(Trouble::Write)?;
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the general path makes of `text` with `--only mojibake`.
    fn general(text: &str) -> Fixed {
        let selection = Selection { only: Some(vec![crate::analysis::Code::Mojibake]) };
        fix::fix_text(text, &Config::default(), jiff::Timestamp::UNIX_EPOCH, &selection)
    }

    fn streamed(text: &str, block: usize) -> (String, usize) {
        let selection = Selection { only: Some(vec![crate::analysis::Code::Mojibake]) };
        let mut out = Vec::new();
        let outcome = stream(&mut text.as_bytes(), block, &Config::default(), &selection, &mut out);
        let applied = match outcome {
            Ok(FileFix::Changed(n)) => n,
            Ok(FileFix::Unchanged) => 0,
            _ => panic!("streaming {text:?} failed"),
        };
        (String::from_utf8(out).expect("the output is UTF-8"), applied)
    }

    /// Every block size, down to one byte, so blocks end inside lines, between `\r` and `\n`,
    /// and inside multi-byte characters of a line longer than the block.
    #[test]
    fn any_block_size_gives_the_general_result() {
        let texts = [
            "caf\u{c3}\u{a9} \u{e2}\u{20ac}\u{153}quoted\u{e2}\u{20ac}\u{9d}\r\nplain\r\nZ\u{c3}\u{bc}rich\rend",
            "---\ntitle: Caf\u{c3}\u{a9}\n---\n\nna\u{c3}\u{af}ve and clean Zürich\n\n",
            "\u{feff}\u{c3}\u{a9}\r\r\n\n\u{c3}\u{a9}",
            "",
            "only ASCII\n",
        ];
        for text in texts {
            let expected = general(text);
            for block in 1..=12 {
                assert_eq!(streamed(text, block), (expected.text.clone(), expected.applied), "{text:?}, block {block}");
            }
            assert_eq!(streamed(text, BLOCK), (expected.text.clone(), expected.applied), "{text:?}");
            let in_memory =
                fix_text(text, &Config::default(), &Selection { only: Some(vec![crate::analysis::Code::Mojibake]) });
            assert_eq!(in_memory, expected, "{text:?}");
        }
    }

    /// [`repair`] copies the lines the mojibake pre-filter clears without running the other
    /// line-local repairs: adding one must revisit that shortcut.
    #[test]
    fn mojibake_is_the_only_line_local_repair() {
        assert_eq!(fix::LINE_LOCAL, &[crate::analysis::Code::Mojibake]);
    }

    #[test]
    fn a_mojibake_setting_of_off_repairs_nothing() {
        let config = Config::from_toml("[severity]\nmojibake = \"off\"\n", None).expect("valid configuration");
        let text = "caf\u{c3}\u{a9}\n";
        let selection = Selection { only: Some(vec![crate::analysis::Code::Mojibake]) };
        assert_eq!(fix_text(text, &config, &selection), Fixed { text: text.to_string(), applied: 0 });
        assert_eq!(fix::fix_text(text, &config, jiff::Timestamp::UNIX_EPOCH, &selection).applied, 0);
    }
}
