//! `fix` when every selected repair is line-local (`--only mojibake`): no whole-text analysis,
//! only the selected per-line passes, and only on lines that hold a non-ASCII byte. Unchanged
//! bytes are copied through in spans, so clean text costs a block scan for non-ASCII bytes.
//!
//! Standard input that is a regular file is read once, in blocks of whole lines (memory: one
//! block, or the longest line). The general path echoes input that is not UTF-8 unchanged and
//! refuses binary input before writing a byte, and those verdicts depend on the last byte, so
//! nothing is written during that reading: it checks each block (NUL bytes, UTF-8) and repairs
//! its lines, keeping only the repaired lines (a *patch*: where, what it was, what it becomes);
//! a large input is read in parts, one thread per core, by position.
//! Then the input is read again from where it started, but only by the kernel where nothing
//! changes: spans between patches go from standard input to standard output with
//! `std::io::copy` of a file (`copy_file_range`, `sendfile` or `splice`), so clean text costs
//! one read, a scan and a kernel-side copy. Patches are bounded ([`PATCH_BUDGET`]): past that,
//! the rest of the input is repaired in a second reading, line by line. If the scan fails, or
//! the input is a pipe that cannot be read twice, the caller reads it whole as the general
//! path does. Files named on the command line are read whole in any case: the diff and the
//! atomic rewrite need both texts.

use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, Write};
use std::ops::Range;
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::fs::FileExt;

use super::fix::FileFix;
use crate::analysis::mojibake::{may_hold_run, next_non_ascii, proven_without_runs};
use crate::config::Config;
use crate::fix::{self, Fixed, LineScratch, Selection};

/// Bytes read at a time: large enough that system calls are rare, small enough to stay in cache.
const BLOCK: usize = 256 * 1024;

/// Output is gathered into writes of this size (standard output is otherwise flushed at every
/// line break of a repaired line).
const OUT_BUFFER: usize = 64 * 1024;

/// Bytes of patches (repaired and original lines) kept from the first reading; past this, the
/// rest of the input is repaired in a second reading, so memory stays bounded however damaged
/// the input is.
const PATCH_BUDGET: usize = 1 << 20;

/// Unchanged spans at least this long are copied by the kernel; shorter ones through our
/// buffer, where a few system calls per span would cost more than the copy.
const KERNEL_COPY_MIN: u64 = 16 * 1024;

/// Repairs `text` in memory; the same result as [`fix::fix_text`] for a line-local selection.
pub(super) fn fix_text(text: &str, config: &Config, selection: &Selection) -> Fixed {
    let mut out = Vec::with_capacity(text.len());
    let mut scratch = LineScratch::default();
    // Writing to a vector cannot fail, and a `str` holds only UTF-8.
    let applied = repair(text, config, selection, &mut scratch, &mut out).unwrap_or(0);
    match String::from_utf8(out) {
        Ok(fixed) => Fixed { text: fixed, applied },
        // Cannot happen (the output is made of whole strings); the text stays as it was.
        Err(_) => Fixed { text: text.to_string(), applied: 0 },
    }
}

/// Repairs standard input into `out` when it is a regular file holding UTF-8 without NUL
/// bytes; `None` (with the input rewound) when the caller must read it whole. `stdout` is
/// `out`'s file descriptor when `out` is the process's standard output: unchanged spans are
/// then copied to it by the kernel.
pub(super) fn fix_stdin(
    config: &Config,
    selection: &Selection,
    out: &mut dyn Write,
    stdout: Option<BorrowedFd<'_>>,
) -> Option<Result<FileFix, String>> {
    let file = seekable_stdin()?;
    let start = (&file).stream_position().ok()?;
    let end = file.metadata().ok()?.len().max(start);
    // Read by position: the offset stays where it was, for the caller or for the copies.
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let survey = survey_in_parts(&file, start..end, cores, PATCH_BUDGET, config, selection).ok()??;
    // Input that grew or shrank while it was checked was not checked whole.
    if survey.len != end - start || file.metadata().map(|m| m.len()).ok() != Some(end) {
        return Some(Err(Trouble::Changed.message()));
    }
    let direct = stdout.and_then(|fd| fd.try_clone_to_owned().ok()).map(File::from);
    let emitted = match direct {
        Some(mut stdout) => out
            .flush()
            .map_err(Trouble::Write)
            .and_then(|()| emit(&file, &survey, BLOCK, config, selection, &mut stdout)),
        None => emit(&file, &survey, BLOCK, config, selection, out),
    };
    Some(match emitted {
        Ok(0) => Ok(FileFix::Unchanged),
        Ok(applied) => Ok(FileFix::Changed(applied)),
        Err(trouble) => Err(trouble.message()),
    })
}

/// Surveys `range` of `file` in at most `count` parts read at once (each at least
/// [`PART_MIN`] bytes, cut after a line feed, so no line is split), the patch budget shared
/// between them, and joins what they found; `None` when some part is not plain UTF-8 text.
fn survey_in_parts(
    file: &File,
    range: Range<u64>,
    count: usize,
    budget: usize,
    config: &Config,
    selection: &Selection,
) -> Result<Option<Survey>, Trouble> {
    let parts = parts(file, range, count);
    let budget = budget / parts.len();
    let survey_part = |part: &Range<u64>| {
        let mut reader = Positioned { file, at: part.start, end: part.end };
        survey(&mut reader, BLOCK, budget, config, selection)
    };
    let surveys = std::thread::scope(|scope| {
        let others: Vec<_> = parts.iter().skip(1).map(|part| scope.spawn(|| survey_part(part))).collect();
        let first = parts.first().map(survey_part);
        // A panic in a part is a bug like any other: it goes on as it would have here.
        let joined = others.into_iter().map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        first.into_iter().chain(joined).collect::<Vec<_>>()
    });
    let mut all = Survey::default();
    for (part, survey) in parts.iter().zip(surveys) {
        let Some(survey) = survey? else {
            return Ok(None);
        };
        all.append(part.start - parts[0].start, survey);
    }
    Ok(Some(all))
}

/// Inputs are split into parts for several threads only when each part is at least this long
/// (a thread costs tens of microseconds; a megabyte, about a millisecond).
const PART_MIN: u64 = 1 << 20;

/// `range` of `file` cut into at most `count` parts of at least [`PART_MIN`] bytes, each cut
/// just after a line feed (a line break, whether LF or CRLF) near an even share.
fn parts(file: &File, range: Range<u64>, count: usize) -> Vec<Range<u64>> {
    let len = range.end - range.start;
    let count = count.clamp(1, usize::try_from(len / PART_MIN).unwrap_or(usize::MAX).max(1));
    let mut cuts = vec![range.start];
    for k in 1..count as u64 {
        let near = range.start + len / count as u64 * k;
        match line_start_after(file, near) {
            Some(cut) if cut > cuts[cuts.len() - 1] && cut < range.end => cuts.push(cut),
            _ => {}
        }
    }
    cuts.push(range.end);
    cuts.windows(2).map(|w| w[0]..w[1]).collect()
}

/// The offset just after the first line feed at or after `at` in `file`, if one comes soon.
fn line_start_after(file: &File, at: u64) -> Option<u64> {
    let mut buf = vec![0; 64 * 1024];
    let read = file.read_at(&mut buf, at).ok()?;
    memchr::memchr(b'\n', buf.get(..read)?).map(|i| at + i as u64 + 1)
}

/// A part of a file, read by position (so parts can be read at once, and the file's offset
/// stays where it was).
struct Positioned<'a> {
    file: &'a File,
    at: u64,
    end: u64,
}

impl Read for Positioned<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = usize::try_from(self.end.saturating_sub(self.at)).unwrap_or(usize::MAX);
        let want = buf.len().min(left);
        let read = self.file.read_at(&mut buf[..want], self.at)?;
        self.at += read as u64;
        Ok(read)
    }
}

/// Standard input as a file of its own (sharing the offset), if it is a regular file.
fn seekable_stdin() -> Option<File> {
    let fd = io::stdin().as_fd().try_clone_to_owned().ok()?;
    let file = File::from(fd);
    file.metadata().ok()?.is_file().then_some(file)
}

/// What the first reading of an input found.
#[derive(Debug, Default)]
struct Survey {
    /// Bytes read.
    len: u64,
    /// The repaired lines, in order, up to `resume` (or the end).
    patches: Vec<Patch>,
    /// Edits applied in `patches`.
    applied: usize,
    /// Where the patches outgrew their budget and stopped: from there the input is repaired in
    /// a second reading.
    resume: Option<u64>,
}

impl Survey {
    /// Adds the survey of the part that follows, which starts `offset` bytes in. After a part
    /// whose patches ran out, the second reading repairs everything: later patches are dropped.
    fn append(&mut self, offset: u64, next: Survey) {
        self.len += next.len;
        if self.resume.is_some() {
            return;
        }
        let shifted =
            next.patches.into_iter().map(|p| Patch { range: offset + p.range.start..offset + p.range.end, ..p });
        self.patches.extend(shifted);
        self.applied += next.applied;
        self.resume = next.resume.map(|at| offset + at);
    }
}

/// One repaired line of the input.
#[derive(Debug)]
struct Patch {
    /// Where the line is, from where the input started (without its terminator).
    range: Range<u64>,
    /// The line as it was read, to check that it has not changed when it is replaced.
    original: Vec<u8>,
    repaired: String,
}

/// Reads `input` once, `block` bytes at a time, checking that it is plain UTF-8 text and
/// repairing its lines into patches (at most about `budget` bytes of them); `None` when it
/// holds a NUL byte or is not UTF-8.
fn survey(
    input: &mut impl Read,
    block: usize,
    budget: usize,
    config: &Config,
    selection: &Selection,
) -> Result<Option<Survey>, Trouble> {
    let mut survey = Survey::default();
    let mut scratch = LineScratch::default();
    let mut used = 0;
    let plain = blocks(input, block, |bytes| {
        if memchr::memchr(0, bytes).is_some() {
            return Ok(false);
        }
        let Ok(text) = simdutf8::basic::from_utf8(bytes) else {
            return Ok(false);
        };
        let at = survey.len;
        survey.len += bytes.len() as u64;
        if survey.resume.is_some() {
            return Ok(true);
        }
        survey.applied += repaired_lines(text, config, selection, &mut scratch, |line, fixed| {
            used += line.len() + fixed.len();
            let original = bytes.get(line.clone()).unwrap_or_default().to_vec();
            let range = at + line.start as u64..at + line.end as u64;
            survey.patches.push(Patch { range, original, repaired: fixed });
            Ok(())
        })?;
        if used > budget {
            survey.resume = Some(survey.len);
        }
        Ok(true)
    })?;
    Ok(plain.then_some(survey))
}

/// Writes the repaired input to `out`: `input` (at the offset where the survey started) with
/// its patches applied, the rest after a stopped survey repaired as it is read, `block` bytes
/// at a time. Returns how many edits were applied.
fn emit<W: Write + ?Sized>(
    input: &File,
    survey: &Survey,
    block: usize,
    config: &Config,
    selection: &Selection,
    out: &mut W,
) -> Result<usize, Trouble> {
    let mut out = BufWriter::with_capacity(OUT_BUFFER, out);
    let mut at = 0;
    for patch in &survey.patches {
        copy_span(input, patch.range.start - at, &mut out)?;
        let mut original = vec![0; patch.original.len()];
        read_full(&mut &*input, &mut original).map_err(Trouble::Read)?;
        if original != patch.original {
            return Err(Trouble::Changed);
        }
        out.write_all(patch.repaired.as_bytes()).map_err(Trouble::Write)?;
        at = patch.range.end;
    }
    copy_span(input, survey.resume.unwrap_or(survey.len) - at, &mut out)?;
    let mut applied = survey.applied;
    if survey.resume.is_some() {
        let mut scratch = LineScratch::default();
        blocks(&mut &*input, block, |bytes| {
            // The input may have changed since the survey checked it.
            let text = simdutf8::basic::from_utf8(bytes).map_err(|_| Trouble::Changed)?;
            applied += repair(text, config, selection, &mut scratch, &mut out)?;
            Ok(true)
        })?;
    }
    out.flush().map_err(Trouble::Write)?;
    Ok(applied)
}

/// Copies the next `len` bytes of `input` to `out`, by the kernel when the span is long (and
/// `out` a file or a pipe).
fn copy_span<W: Write + ?Sized>(input: &File, len: u64, out: &mut BufWriter<&mut W>) -> Result<(), Trouble> {
    let copied = if len >= KERNEL_COPY_MIN {
        out.flush().map_err(Trouble::Write)?;
        io::copy(&mut input.take(len), *out.get_mut())
    } else {
        io::copy(&mut input.take(len), out)
    };
    match copied {
        Ok(n) if n == len => Ok(()),
        Ok(_) => Err(Trouble::Changed),
        // `io::copy` does not say which side failed; a read error is the rarer one.
        Err(e) => Err(Trouble::Write(e)),
    }
}

/// Why a stream stopped.
#[derive(Debug)]
enum Trouble {
    Read(io::Error),
    Write(io::Error),
    /// The second reading found bytes the first did not.
    Changed,
}

impl Trouble {
    fn message(self) -> String {
        match self {
            Trouble::Read(e) => format!("cannot read standard input: {e}"),
            Trouble::Write(e) => format!("cannot write standard output: {e}"),
            Trouble::Changed => "standard input changed while it was read".to_string(),
        }
    }
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

/// Writes `text` to `out` with its lines repaired; returns how many edits were applied.
fn repair(
    text: &str,
    config: &Config,
    selection: &Selection,
    scratch: &mut LineScratch,
    out: &mut impl Write,
) -> Result<usize, Trouble> {
    let (bytes, mut written) = (text.as_bytes(), 0);
    let applied = repaired_lines(text, config, selection, scratch, |line, fixed| {
        out.write_all(bytes.get(written..line.start).unwrap_or_default()).map_err(Trouble::Write)?;
        out.write_all(fixed.as_bytes()).map_err(Trouble::Write)?;
        written = line.end;
        Ok(())
    })?;
    out.write_all(bytes.get(written..).unwrap_or_default()).map_err(Trouble::Write)?;
    Ok(applied)
}

/// Hands each line of `text` that a repair changes to `each`, with its range (without the
/// terminator) and its repair, in order; returns how many edits were applied. Lines end at
/// `\n`, `\r\n` or `\r`, as everywhere else. The only line-local repair is mojibake
/// ([`fix::LINE_LOCAL`]), so a line its byte pre-filter clears ([`may_hold_run`]) is skipped,
/// like ASCII, without being decoded, and one its sequence bound clears
/// ([`proven_without_runs`]) without a search. `text` is a block the caller validated as a
/// whole (at SIMD speed), so a line is never validated again.
fn repaired_lines(
    text: &str,
    config: &Config,
    selection: &Selection,
    scratch: &mut LineScratch,
    mut each: impl FnMut(Range<usize>, String) -> Result<(), Trouble>,
) -> Result<usize, Trouble> {
    // `from`: where the next line starts (or its terminator).
    let (bytes, mut from, mut applied) = (text.as_bytes(), 0, 0);
    while let Some(at) = next_non_ascii(bytes, from) {
        let end = memchr::memchr2(b'\n', b'\r', &bytes[at..]).map_or(bytes.len(), |i| at + i);
        // The pre-filter's answer does not depend on the ASCII before the first non-ASCII byte:
        // the line's start is looked for only when it is needed.
        if !may_hold_run(&bytes[at..end]) {
            from = end;
            continue;
        }
        let start = memchr::memrchr2(b'\n', b'\r', &bytes[from..at]).map_or(from, |i| from + i + 1);
        from = end;
        // A line starts and ends at a line break or at an end of `text`: a character boundary.
        let Some(line) = text.get(start..end) else {
            continue;
        };
        if proven_without_runs(line) {
            continue;
        }
        if let Some(fixed) = fix::fix_line(line, config, selection, scratch) {
            applied += fixed.applied;
            each(start..end, fixed.text)?;
        }
    }
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use std::io::SeekFrom;

    use super::*;

    /// What the general path makes of `text` with `--only mojibake`.
    fn general(text: &str) -> Fixed {
        let selection = Selection { only: Some(vec![crate::analysis::Code::Mojibake]) };
        fix::fix_text(text, &Config::default(), jiff::Timestamp::UNIX_EPOCH, &selection)
    }

    fn mojibake_only() -> Selection {
        Selection { only: Some(vec![crate::analysis::Code::Mojibake]) }
    }

    /// `text` in a file, read from its start.
    fn file_of(text: &[u8]) -> File {
        let mut file = tempfile::tempfile().expect("a temporary file");
        file.write_all(text).expect("written");
        file.seek(SeekFrom::Start(0)).expect("rewound");
        file
    }

    fn surveyed(file: &mut File, block: usize, budget: usize) -> Survey {
        let survey = survey(file, block, budget, &Config::default(), &mojibake_only());
        file.seek(SeekFrom::Start(0)).expect("rewound");
        survey.expect("readable").expect("plain UTF-8")
    }

    /// Both readings, as [`fix_stdin`] does them, with every parameter chosen.
    fn streamed(text: &str, block: usize, budget: usize) -> (String, usize) {
        let mut file = file_of(text.as_bytes());
        let survey = surveyed(&mut file, block, budget);
        let mut out = Vec::new();
        let Ok(applied) = emit(&file, &survey, block, &Config::default(), &mojibake_only(), &mut out) else {
            panic!("streaming {text:?} failed");
        };
        (String::from_utf8(out).expect("the output is UTF-8"), applied)
    }

    /// Every block size, down to one byte, so blocks end inside lines, between `\r` and `\n`,
    /// and inside multi-byte characters of a line longer than the block; with every patch
    /// kept, none, and a budget that runs out half-way.
    #[test]
    fn any_block_size_and_budget_gives_the_general_result() {
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
                for budget in [0, 12, usize::MAX] {
                    let what = format!("{text:?}, block {block}, budget {budget}");
                    assert_eq!(streamed(text, block, budget), (expected.text.clone(), expected.applied), "{what}");
                }
            }
            assert_eq!(streamed(text, BLOCK, PATCH_BUDGET), (expected.text.clone(), expected.applied), "{text:?}");
            let in_memory = fix_text(text, &Config::default(), &mojibake_only());
            assert_eq!(in_memory, expected, "{text:?}");
        }
    }

    /// The budget bounds what the first reading keeps, and what it leaves is still repaired.
    #[test]
    fn a_spent_budget_leaves_the_rest_to_the_second_reading() {
        let text = "caf\u{c3}\u{a9}\n".repeat(1000);
        let mut file = file_of(text.as_bytes());
        let survey = surveyed(&mut file, 100, 200);
        assert!(survey.patches.len() < 100, "{} patches kept", survey.patches.len());
        assert!(survey.resume.is_some_and(|at| at < text.len() as u64));
        assert_eq!(streamed(&text, 100, 200), ("café\n".repeat(1000), 1000));
    }

    /// A text of a few megabytes with repairs everywhere, surveyed in one part and in several:
    /// the same patches, and with a budget that runs out in the first part, the same output.
    #[test]
    fn parts_find_what_one_reading_finds() {
        let mut text = String::new();
        for i in 0..600 {
            let ending = ["\n", "\r\n", "\r"][i % 3];
            text.push_str(&format!("{}caf\u{c3}\u{a9} {i}{ending}", "clean Zürich line\n".repeat(400)));
        }
        let file = file_of(text.as_bytes());
        let whole = 0..text.len() as u64;
        let survey = |count, budget| {
            let survey = survey_in_parts(&file, whole.clone(), count, budget, &Config::default(), &mojibake_only());
            survey.expect("readable").expect("plain UTF-8")
        };
        let one = survey(1, usize::MAX);
        assert_eq!((one.patches.len(), one.len), (600, text.len() as u64));
        for count in 2..=4 {
            assert_eq!(parts(&file, whole.clone(), count).len(), count, "{count} parts");
            let several = survey(count, usize::MAX);
            assert_eq!((several.len, several.applied, several.resume), (one.len, one.applied, None));
            let ranges = |s: &Survey| s.patches.iter().map(|p| p.range.clone()).collect::<Vec<_>>();
            assert_eq!(ranges(&several), ranges(&one), "{count} parts");
            let spent = survey(count, 2_000);
            assert!(spent.resume.is_some_and(|at| at < text.len() as u64 / count as u64), "{count} parts");
            let mut out = Vec::new();
            (&file).seek(SeekFrom::Start(0)).expect("rewound");
            let applied = emit(&file, &spent, BLOCK, &Config::default(), &mojibake_only(), &mut out).expect("emitted");
            assert!(applied == 600 && out == text.replace("caf\u{c3}\u{a9}", "café").as_bytes(), "{count} parts");
        }
    }

    /// Parts end just after a line feed; a text without one is read in one part.
    #[test]
    fn parts_are_cut_after_line_feeds_only() {
        let text = format!("{}\r\n{}", "a\rb".repeat(100_000), "c\r\n".repeat(1_000_000));
        let file = file_of(text.as_bytes());
        let parts = parts(&file, 0..text.len() as u64, 3);
        assert_eq!(parts.len(), 3, "{parts:?}");
        assert!(parts.windows(2).all(|w| w[0].end == w[1].start && text.as_bytes()[w[0].end as usize - 1] == b'\n'));
        assert_eq!((parts[0].start, parts[2].end), (0, text.len() as u64));
        let carriage_returns = "line\r".repeat(600_000);
        let whole = super::parts(&file_of(carriage_returns.as_bytes()), 0..3_000_000, 3);
        assert!(whole.len() == 1 && whole[0] == (0..3_000_000), "{whole:?}");
    }

    #[test]
    fn binary_or_invalid_input_is_left_to_the_caller() {
        for bytes in [&b"caf\xc3\xa9\nnul\0\n"[..], b"caf\xc3\xa9\nLatin-1 caf\xe9\n"] {
            let mut file = file_of(bytes);
            let found = survey(&mut file, 4, PATCH_BUDGET, &Config::default(), &mojibake_only());
            assert!(matches!(found, Ok(None)), "{bytes:?}: {found:?}");
        }
    }

    /// A repaired line must still be what was read when it is replaced; a file that shrank
    /// between the readings cannot fill its spans.
    #[test]
    fn input_changed_between_the_readings_is_an_error() {
        let text = format!("{}caf\u{c3}\u{a9}\n{}", "plain\n".repeat(5000), "more\n".repeat(5000));
        let changed_line = text.replace("caf\u{c3}\u{a9}", "CAF\u{c3}\u{a9}");
        let truncated = &text[..text.len() / 2 + 10_000];
        for (after, what) in [(changed_line.as_str(), "a repaired line changed"), (truncated, "truncated")] {
            let mut file = file_of(text.as_bytes());
            let survey = surveyed(&mut file, BLOCK, PATCH_BUDGET);
            file.set_len(0).expect("truncated");
            file.write_all(after.as_bytes()).expect("rewritten");
            file.seek(SeekFrom::Start(0)).expect("rewound");
            let emitted = emit(&file, &survey, BLOCK, &Config::default(), &mojibake_only(), &mut Vec::new());
            assert!(matches!(emitted, Err(Trouble::Changed)), "{what}: {emitted:?}");
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
