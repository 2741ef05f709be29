//! `fix` when every selected repair is line-local (`--only mojibake`): no whole-text analysis,
//! only the selected per-line passes, and only on lines that hold a non-ASCII byte. Unchanged
//! bytes are copied through in spans, so clean text costs a block scan for non-ASCII bytes.
//!
//! Standard input that is a regular file is read by position in blocks of whole lines (memory:
//! a block per thread, or the longest line), repaired into *patches* (where a changed line is,
//! what it was, what it becomes) on every core, in order of need and a bounded distance ahead
//! ([`WINDOW`] blocks, [`PATCH_BUDGET`] bytes of patches), while one thread writes: the
//! patches, and between them the input itself, copied from standard input to standard output
//! by the kernel (`std::io::copy` of a file: `copy_file_range`, `sendfile` or `splice`). So the
//! kernel's copy of one block runs while the next ones are repaired. The output waits on the
//! writer's copying, so the writer repairs a block itself only when the other threads, at the
//! pace timed so far, would not finish the repairs before it finishes copying (damaged text,
//! or a single core).
//!
//! The general path echoes input that is not UTF-8 unchanged and refuses binary input before
//! writing a byte, and those verdicts depend on the last byte. When standard output is a
//! regular file written at its end, what was written can be taken back: the input is read
//! once, each block checked (NUL bytes, UTF-8, at SIMD speed) as it is repaired, and a failed
//! check cuts the output back to its length at the start. That reading maps the input
//! (`mapped.rs`) when it can: the threads read the file's pages in place and the writer writes
//! from them, so the input is copied once, into the output; a file that shrinks meanwhile
//! reads as zeros past its new end, and is an error that takes the output back. Otherwise (a
//! pipe, a terminal, a file in append mode, an input that cannot be mapped) a first reading
//! only checks, in parts, one thread per core, and writes nothing; the second reading repairs
//! and writes, and leaves the blocks of only ASCII to the kernel's copy. If the check fails,
//! or the input is a pipe that cannot be read by position, the caller reads it whole as the
//! general path does. Files named on the command line are read whole in any case: the diff
//! and the atomic rewrite need both texts.

use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, Write};
use std::ops::Range;
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::fs::{FileExt, MetadataExt};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use super::fix::FileFix;
use super::mapped::Mapped;
use crate::analysis::mojibake::{may_hold_run, next_non_ascii, proven_without_runs};
use crate::config::Config;
use crate::fix::{self, Fixed, LineScratch, Selection};

/// Bytes read at a time: large enough that system calls are rare, small enough to stay in cache.
const BLOCK: usize = 256 * 1024;

/// Output is gathered into writes of this size (standard output is otherwise flushed at every
/// line break of a repaired line).
const OUT_BUFFER: usize = 64 * 1024;

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
    let cores = cores_for(end - start);
    let direct = stdout.and_then(|fd| fd.try_clone_to_owned().ok()).map(File::from);
    if let Some(direct) = direct {
        if let Err(e) = out.flush() {
            return Some(Err(Trouble::Write(e).message()));
        }
        match Undo::of(&direct, &file) {
            Some(undo) => return fix_in_one_reading(&file, start..end, cores, config, selection, direct, undo),
            None => return fix_in_two_readings(&file, start..end, cores, config, selection, &mut { direct }),
        }
    }
    fix_in_two_readings(&file, start..end, cores, config, selection, out)
}

/// The threads worth starting for an input of `len` bytes: one for a single block, which no
/// other thread would share, and otherwise one per core. (Counting the cores reads the
/// process's cgroup files, which costs more than repairing a short article.)
fn cores_for(len: u64) -> usize {
    if len <= BLOCK as u64 {
        return 1;
    }
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// The first reading checks the whole input and writes nothing; the second repairs it into
/// `out`. `None` (with the input rewound) when the check fails.
fn fix_in_two_readings<W: Write + ?Sized>(
    file: &File,
    input: Range<u64>,
    cores: usize,
    config: &Config,
    selection: &Selection,
    out: &mut W,
) -> Option<Result<FileFix, String>> {
    let Range { start, end } = input;
    // Read by position: the offset stays where it was, for the caller or for the copies.
    let chunks = plain_chunks_in_parts(file, start..end, cores).ok()??;
    // Input that grew or shrank while it was checked was not checked whole.
    if chunks.last().map_or(start, |c| c.range.end) != end || file.metadata().map(|m| m.len()).ok() != Some(end) {
        return Some(Err(Trouble::Changed.message()));
    }
    let mut repairs = Repairs::new(file, &chunks, config, selection);
    let helpers = if chunks.len() > 1 { cores - 1 } else { 0 };
    Some(repairs.run(helpers, file, start, out).map(FileFix::from).map_err(Trouble::message))
}

/// One reading of the mapped input, checked as it is repaired and written: each thread checks
/// the lines it reads, and a failed check takes back what was written (`undo`) and rewinds the
/// input, so the caller can read it whole, as if nothing had been written. Any other failure
/// takes back the output too: it is all or nothing, as on the general path. An input that
/// cannot be mapped is read twice instead (it is read in any case; the first reading checks).
fn fix_in_one_reading(
    file: &File,
    input: Range<u64>,
    cores: usize,
    config: &Config,
    selection: &Selection,
    mut out: File,
    undo: Undo,
) -> Option<Result<FileFix, String>> {
    let Some(mapped) = Mapped::of(file, input.end) else {
        return fix_in_two_readings(file, input, cores, config, selection, &mut out);
    };
    let chunks = spans(input.clone(), BLOCK);
    let mut repairs = Repairs::new(file, &chunks, config, selection);
    repairs.mapped = Some(&mapped);
    repairs.window = MAPPED_WINDOW;
    let helpers = if chunks.len() > 1 { cores - 1 } else { 0 };
    let written = repairs.run(helpers, file, input.start, &mut out);
    // The lines read reached the end the input had at the start: it must still be there, and
    // none of it may have been read as the zeros that stand for the pages of a shrunk file.
    let same_length = file.metadata().is_ok_and(|now| now.len() == input.end);
    let written = match written {
        _ if !same_length || mapped.was_cut() => Err(Trouble::Changed),
        written => written,
    };
    let trouble = match written {
        Ok(applied) => return Some(Ok(FileFix::from(applied))),
        Err(trouble) => trouble,
    };
    if let Err(e) = undo.undo() {
        return Some(Err(format!("{}; the output written so far could not be taken back: {e}", trouble.message())));
    }
    match trouble {
        Trouble::NotPlain => match (&*file).seek(io::SeekFrom::Start(input.start)) {
            Ok(_) => None,
            Err(e) => Some(Err(Trouble::Read(e).message())),
        },
        other => Some(Err(other.message())),
    }
}

impl From<usize> for FileFix {
    fn from(applied: usize) -> Self {
        if applied == 0 { FileFix::Unchanged } else { FileFix::Changed(applied) }
    }
}

/// How to take back what one reading wrote to standard output: a regular file (not the input)
/// written at its end and not in append mode, so that cutting it back to its length at the start
/// removes exactly what was written. (In append mode another writer may add to it meanwhile.)
struct Undo {
    output: File,
    len: u64,
}

impl Undo {
    fn of(output: &File, input: &File) -> Option<Undo> {
        let meta = output.metadata().ok()?;
        let at = (&*output).stream_position().ok()?;
        let appending = rustix::fs::fcntl_getfl(output).ok()?.contains(rustix::fs::OFlags::APPEND);
        let input = input.metadata().ok()?;
        let same = meta.dev() == input.dev() && meta.ino() == input.ino();
        if !meta.is_file() || at != meta.len() || appending || same {
            return None;
        }
        Some(Undo { output: output.try_clone().ok()?, len: at })
    }

    fn undo(&self) -> io::Result<()> {
        self.output.set_len(self.len)?;
        (&self.output).seek(io::SeekFrom::Start(self.len)).map(|_| ())
    }
}

/// `range` cut into spans of `size` bytes (the last one shorter), where the lines that start
/// in a span are that span's to read and repair.
fn spans(range: Range<u64>, size: usize) -> Vec<Chunk> {
    let size = size.max(1) as u64;
    let count = (range.end - range.start).div_ceil(size);
    (0..count)
        .map(|k| {
            let from = range.start + k * size;
            Chunk { range: from..(from + size).min(range.end), ascii: false }
        })
        .collect()
}

/// Checks `range` of `file` in at most `count` parts read at once (each at least [`PART_MIN`]
/// bytes, cut after a line feed, so no line is split): `None` when some part is not plain
/// UTF-8 text (a NUL byte, or not UTF-8), otherwise the whole range cut into chunks of about
/// [`BLOCK`] bytes that end at a line break, in order.
fn plain_chunks_in_parts(file: &File, range: Range<u64>, count: usize) -> Result<Option<Vec<Chunk>>, Trouble> {
    let parts = parts(file, range, count);
    let check_part = |part: &Range<u64>| {
        let mut reader = Positioned { file, at: part.start, end: part.end };
        plain_chunks(&mut reader, part.start, BLOCK)
    };
    let checked = std::thread::scope(|scope| {
        let others: Vec<_> = parts.iter().skip(1).map(|part| scope.spawn(|| check_part(part))).collect();
        let first = parts.first().map(check_part);
        // A panic in a part is a bug like any other: it goes on as it would have here.
        let joined = others.into_iter().map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        first.into_iter().chain(joined).collect::<Vec<_>>()
    });
    let mut all = Vec::new();
    for chunks in checked {
        let Some(chunks) = chunks? else {
            return Ok(None);
        };
        all.extend(chunks);
    }
    Ok(Some(all))
}

/// Reads `input` (which starts at offset `at`) once, `block` bytes at a time, checking that it
/// is plain UTF-8 text: `None` when it holds a NUL byte or is not UTF-8, otherwise the blocks
/// it was read in (each ends at a line break or at the end of the input).
fn plain_chunks(input: &mut impl Read, mut at: u64, block: usize) -> Result<Option<Vec<Chunk>>, Trouble> {
    let mut chunks = Vec::new();
    let plain = blocks(input, block, |bytes| {
        if plain_text(bytes).is_none() {
            return Ok(false);
        }
        let range = at..at + bytes.len() as u64;
        chunks.push(Chunk { range, ascii: next_non_ascii(bytes, 0).is_none() });
        at += bytes.len() as u64;
        Ok(true)
    })?;
    Ok(plain.then_some(chunks))
}

/// `bytes` as text if they are plain UTF-8 text: no NUL byte (binary), valid UTF-8 (checked at
/// SIMD speed).
fn plain_text(bytes: &[u8]) -> Option<&str> {
    if memchr::memchr(0, bytes).is_some() {
        return None;
    }
    simdutf8::basic::from_utf8(bytes).ok()
}

/// Whether `bytes` are plain UTF-8 text, for bytes that are not to be read as text (mapped).
fn is_plain_text(bytes: &[u8]) -> bool {
    plain_text(bytes).is_some()
}

/// An offset in the input as an index into its mapping (which fits: it is mapped).
fn offset(at: u64) -> usize {
    usize::try_from(at).unwrap_or(usize::MAX)
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

/// A block of the input, as the first reading found it.
#[derive(Debug, Clone, PartialEq)]
struct Chunk {
    range: Range<u64>,
    /// Only ASCII: nothing to repair, so the second reading leaves it to the kernel's copy.
    ascii: bool,
}

/// Standard input as a file of its own (sharing the offset), if it is a regular file.
fn seekable_stdin() -> Option<File> {
    let fd = io::stdin().as_fd().try_clone_to_owned().ok()?;
    let file = File::from(fd);
    file.metadata().ok()?.is_file().then_some(file)
}

/// Chunks whose repairs may be ready ahead of the writing (16 MB of input): far enough that
/// the helpers rarely wait while the kernel copies a long span of clean text.
const WINDOW: usize = 64;

/// The window of a mapped input (1 MB): the pages the helpers read ahead stay in the process's
/// memory until they are written ([`Mapped::release_before`]), and the writer copies them
/// sooner from the caches the nearer behind the helpers it is (measured: 4 spans ahead took
/// 0.93 of the time 16 did on clean text, 8 spans 0.95, 2 spans 0.97).
const MAPPED_WINDOW: usize = 4;

/// Bytes of patches (lines as read and as repaired) that may be held ahead of the writing:
/// what bounds memory however damaged the input is.
const PATCH_BUDGET: usize = 4 << 20;

/// The second reading: the chunks of a checked input repaired in order of need by helper
/// threads, and by the writer when the helpers would fall behind its copying, while the writer
/// puts out each chunk's patches and copies what lies between them. So the kernel's copy of
/// clean text runs at the same time as the repair of the chunks after it.
struct Repairs<'a> {
    file: &'a File,
    chunks: &'a [Chunk],
    config: &'a Config,
    selection: &'a Selection,
    progress: Mutex<Progress>,
    changed: Condvar,
    /// Per chunk, the bytes of the chunks from it on that must be read and repaired (those
    /// not only ASCII): the repairing left once it is claimed.
    to_repair_from: Vec<u64>,
    /// Helper threads besides the writer.
    helpers: usize,
    /// The input mapped from offset 0 (one reading): the chunks are [`spans`] of it, not checked
    /// yet, so each thread finds the bounds of the lines that start in its span, and checks
    /// them, where they lie; the writer writes from it, instead of copying the input twice.
    mapped: Option<&'a Mapped>,
    /// [`WINDOW`] and [`PATCH_BUDGET`] (smaller in tests).
    window: usize,
    budget: usize,
}

/// Which chunks are taken, repaired and written.
#[derive(Default)]
struct Progress {
    /// Chunks handed out for repair (the first `claimed`).
    claimed: usize,
    /// Chunks whose repairs the writer has taken (the first `taken`).
    taken: usize,
    /// Bytes of the patches delivered and not yet taken.
    held: usize,
    /// Each chunk's repairs, between their delivery and the writer taking them.
    ready: Vec<Option<Result<Repaired, Trouble>>>,
    /// The writer is done (or failed), or a helper panicked: nothing more is claimed.
    stopped: bool,
    /// A helper panicked: what it claimed never comes.
    panicked: bool,
    /// Threads waiting for a change.
    waiting: usize,
    /// How fast the helpers have repaired chunks (the writer, whose cache the copying keeps
    /// cold, repairs more slowly: its own pace is timed apart).
    repairing: Pace,
}

/// Bytes handled and the time they took: what the writer judges the time left by.
#[derive(Debug, Default, Clone, Copy)]
struct Pace {
    bytes: u64,
    time: Duration,
}

impl Pace {
    fn add(&mut self, bytes: u64, time: Duration) {
        self.bytes += bytes;
        self.time += time;
    }

    /// The time `bytes` more would take at this pace (none before anything was timed).
    fn time_for(&self, bytes: u64) -> Option<f64> {
        (self.bytes > 0).then(|| self.time.as_secs_f64() * bytes as f64 / self.bytes as f64)
    }
}

/// The repaired lines of one chunk.
#[derive(Debug, Default)]
struct Repaired {
    /// Where the chunk's lines are in the input (none start in a span inside a long line).
    lines: Option<Range<u64>>,
    patches: Vec<Patch>,
    applied: usize,
}

impl Repaired {
    /// The bytes its patches hold.
    fn bytes(&self) -> usize {
        self.patches.iter().map(|p| p.original.len() + p.repaired.len()).sum()
    }
}

/// What a thread needs to repair chunks, kept from one chunk to the next.
#[derive(Default)]
struct Worker {
    buf: Vec<u8>,
    scratch: LineScratch,
    /// A mapped line, copied to be read as text.
    copy: String,
}

impl<'a> Repairs<'a> {
    fn new(file: &'a File, chunks: &'a [Chunk], config: &'a Config, selection: &'a Selection) -> Self {
        let ready = std::iter::repeat_with(|| None).take(chunks.len()).collect();
        let progress = Mutex::new(Progress { ready, ..Progress::default() });
        let (window, budget) = (WINDOW, PATCH_BUDGET);
        let mut to_repair_from = vec![0; chunks.len() + 1];
        for (k, chunk) in chunks.iter().enumerate().rev() {
            let bytes = if chunk.ascii { 0 } else { chunk.range.end - chunk.range.start };
            to_repair_from[k] = to_repair_from[k + 1] + bytes;
        }
        let changed = Condvar::new();
        let (helpers, mapped) = (0, None);
        Repairs { file, chunks, config, selection, progress, changed, to_repair_from, helpers, mapped, window, budget }
    }

    /// Writes the repaired input to `out` with `helpers` threads repairing ahead: `input` (at
    /// offset `start`, where the chunks begin) with each chunk's patches applied. Returns how
    /// many edits were applied.
    fn run<W: Write + ?Sized>(
        &mut self,
        helpers: usize,
        input: &File,
        start: u64,
        out: &mut W,
    ) -> Result<usize, Trouble> {
        self.helpers = helpers;
        let this = &*self;
        std::thread::scope(|scope| {
            for _ in 0..helpers {
                scope.spawn(|| this.help());
            }
            // Helpers waiting for room in the window must end however the writer ends.
            let _stop = Stopper { repairs: this, writer: true };
            this.write(input, start, out)
        })
    }

    /// A helper's loop: repairs the next chunk the window allows, until none is left.
    fn help(&self) {
        // Unwinding out of here would leave the writer waiting for the chunk it held.
        let _stop = Stopper { repairs: self, writer: false };
        let mut worker = Worker::default();
        while let Some(k) = self.claim(true) {
            self.repair_and_deliver(k, &mut worker, None);
        }
    }

    /// The next chunk to repair, if the window has room for it; with `wait`, waits for room
    /// rather than answering `None` while chunks are left.
    fn claim(&self, wait: bool) -> Option<usize> {
        let mut progress = self.lock();
        loop {
            if progress.stopped || progress.claimed == self.chunks.len() {
                return None;
            }
            // Chunk `taken` is claimed before any after it, so this never keeps from the writer
            // the chunk it waits for: while it is unclaimed, nothing is held.
            if progress.claimed < progress.taken + self.window && progress.held < self.budget {
                progress.claimed += 1;
                return Some(progress.claimed - 1);
            }
            if !wait {
                return None;
            }
            progress = self.wait(progress);
        }
    }

    /// Repairs chunk `k` and hands its repairs to the writer, timing the work: into `own` (the
    /// writer's pace) or, without it, into the helpers' pace.
    fn repair_and_deliver(&self, k: usize, worker: &mut Worker, own: Option<&mut Pace>) {
        let started = Instant::now();
        let repaired = self.repair_chunk(k, worker);
        let elapsed = started.elapsed();
        let mut progress = self.lock();
        let chunk = &self.chunks[k];
        if !chunk.ascii {
            own.unwrap_or(&mut progress.repairing).add(chunk.range.end - chunk.range.start, elapsed);
        }
        progress.held += repaired.as_ref().map_or(0, Repaired::bytes);
        progress.ready[k] = Some(repaired);
        self.wake(progress);
    }

    fn stop(&self, panicked: bool) {
        let mut progress = self.lock();
        progress.stopped = true;
        progress.panicked |= panicked;
        self.wake(progress);
    }

    /// Waits for a change of `progress`.
    fn wait<'g>(&self, mut progress: MutexGuard<'g, Progress>) -> MutexGuard<'g, Progress> {
        progress.waiting += 1;
        let mut progress = self.changed.wait(progress).unwrap_or_else(PoisonError::into_inner);
        progress.waiting -= 1;
        progress
    }

    /// Tells the threads that wait of a change, if any wait (a wake-up is a system call, and
    /// clean text would make one per chunk for nobody).
    fn wake(&self, progress: MutexGuard<'_, Progress>) {
        let waiting = progress.waiting > 0;
        drop(progress);
        if waiting {
            self.changed.notify_all();
        }
    }

    fn lock(&self) -> MutexGuard<'_, Progress> {
        self.progress.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Reads chunk `k` and repairs its lines into patches.
    fn repair_chunk(&self, k: usize, worker: &mut Worker) -> Result<Repaired, Trouble> {
        if let Some(mapped) = self.mapped {
            return self.check_and_repair_span(k, mapped.bytes(), worker);
        }
        let Chunk { range, ascii } = self.chunks[k].clone();
        if ascii {
            return Ok(Repaired { lines: Some(range), ..Repaired::default() });
        }
        let len = read_span(self.file, range.clone(), &mut worker.buf, 0)?;
        // The input may have changed since it was checked.
        let text = simdutf8::basic::from_utf8(&worker.buf[..len]).map_err(|_| Trouble::Changed)?;
        self.repair_lines(Text::Checked(text), range, &mut worker.scratch, &mut worker.copy)
    }

    /// Finds the lines that start in span `k` of the `mapped` input, checks that they are plain
    /// UTF-8 text, and repairs them.
    fn check_and_repair_span(&self, k: usize, mapped: &[u8], worker: &mut Worker) -> Result<Repaired, Trouble> {
        let Some(lines) = self.lines_of_span(k, mapped) else {
            return Ok(Repaired::default());
        };
        let bytes = mapped.get(offset(lines.start)..offset(lines.end)).ok_or(Trouble::Changed)?;
        if !is_plain_text(bytes) {
            return Err(Trouble::NotPlain);
        }
        self.repair_lines(Text::Mapped(bytes), lines, &mut worker.scratch, &mut worker.copy)
    }

    /// Where the lines that start in span `k` are in the `mapped` input; `None` when no line
    /// starts there (the span lies inside a longer line). A line starts at the input's start
    /// and after each `\n` or `\r` (lines end as everywhere else; a `\r\n` cut after its `\r`
    /// leaves an empty line, which no repair changes). The lines run to the first line start at
    /// or after the span's end.
    fn lines_of_span(&self, k: usize, mapped: &[u8]) -> Option<Range<u64>> {
        let span = self.chunks[k].range.clone();
        let end = self.chunks.last().map_or(span.end, |last| last.range.end);
        let (from, to, end) = (offset(span.start), offset(span.end), offset(end));
        // The byte before the span tells whether a line starts at its first byte; a line break
        // at the span's last byte starts the next span's line.
        let first = match k {
            0 => from,
            _ => from + memchr::memchr2(b'\n', b'\r', mapped.get(from - 1..to - 1)?)?,
        };
        let cut = memchr::memchr2(b'\n', b'\r', mapped.get(to - 1..end)?).map_or(end, |at| to + at);
        Some(first as u64..cut as u64)
    }

    /// Repairs the lines of `text`, which is `lines` of the input, into patches.
    fn repair_lines(
        &self,
        text: Text<'_>,
        lines: Range<u64>,
        scratch: &mut LineScratch,
        copy: &mut String,
    ) -> Result<Repaired, Trouble> {
        let mut repaired = Repaired { lines: Some(lines.clone()), ..Repaired::default() };
        repaired.applied = repaired_lines(text, self.config, self.selection, scratch, copy, |line, was, fixed| {
            let original = was.as_bytes().to_vec();
            let range = lines.start + line.start as u64..lines.start + line.end as u64;
            repaired.patches.push(Patch { range, original, repaired: fixed });
            Ok(())
        })?;
        Ok(repaired)
    }

    /// The writer's loop: each chunk's repairs in order, with the input between them.
    fn write<W: Write + ?Sized>(&self, input: &File, start: u64, out: &mut W) -> Result<usize, Trouble> {
        let out = BufWriter::with_capacity(OUT_BUFFER, out);
        let mut out = Copier::new(input, start, out);
        out.mapped = self.mapped;
        let (mut worker, mut applied) = (Worker::default(), 0);
        // Where the lines written so far end: where the next chunk's must start.
        let mut written = start;
        for (k, chunk) in self.chunks.iter().enumerate() {
            // A checked chunk is known to start where the last one ended: copy up to it while
            // its repairs are made. A span's lines are found when it is read.
            let known = if self.mapped.is_some() { written } else { chunk.range.start };
            let repaired = self.take(k, known, &mut out, &mut worker)?;
            let Some(lines) = repaired.lines else {
                continue;
            };
            if lines.start != written {
                return Err(Trouble::Changed);
            }
            for patch in repaired.patches {
                out.copy_to(patch.range.start)?;
                out.replace(&patch)?;
            }
            applied += repaired.applied;
            written = lines.end;
            if self.mapped.is_some() {
                // At once, so that the pages read ahead are at most the window's.
                out.copy_to(written)?;
            }
        }
        if written != self.chunks.last().map_or(start, |c| c.range.end) {
            return Err(Trouble::Changed);
        }
        out.copy_to(written)?;
        out.out.flush().map_err(Trouble::Write)?;
        if self.mapped.is_some() {
            // Read through, as the kernel's copies leave it.
            (&*input).seek(io::SeekFrom::Start(written)).map_err(Trouble::Read)?;
        }
        Ok(applied)
    }

    /// Chunk `k`'s repairs (which start at `from`). While they are not ready, the writer copies
    /// the input up to `from` (known unchanged), then repairs a chunk itself or waits
    /// ([`Repairs::writer_should_repair`]).
    fn take<W: Write + ?Sized>(
        &self,
        k: usize,
        from: u64,
        out: &mut Copier<'_, W>,
        worker: &mut Worker,
    ) -> Result<Repaired, Trouble> {
        loop {
            let mut progress = self.lock();
            if let Some(repaired) = progress.ready[k].take() {
                progress.taken = k + 1;
                progress.held -= repaired.as_ref().map_or(0, Repaired::bytes);
                self.wake(progress);
                return repaired;
            }
            drop(progress);
            out.copy_to(from)?;
            if self.writer_should_repair(k, out) {
                if let Some(next) = self.claim(false) {
                    self.repair_and_deliver(next, worker, Some(&mut out.repairing));
                    continue;
                }
            }
            // Every chunk up to `k` is claimed (the window reaches past it, or the writer
            // would have repaired it): it will come.
            let mut progress = self.lock();
            while progress.ready[k].is_none() && !progress.panicked {
                progress = self.wait(progress);
            }
            if progress.panicked {
                // The scope resumes the helper's panic once the writer returns.
                return Err(Trouble::Changed);
            }
        }
    }
}

impl Repairs<'_> {
    /// Whether the writer, waiting for chunk `k`, should repair a chunk itself rather than
    /// wait. Its copying is what the output waits on: a chunk it repairs holds that back, so it
    /// helps only when the helpers' repairing left, at their pace so far, would outlast its
    /// copying left (from chunk `k` to the end) plus its repair of the next chunk, each at its
    /// own pace: on clean text the helpers keep up, on damaged text they do not. It must repair
    /// `k` itself if no helper has claimed it.
    fn writer_should_repair<W: Write + ?Sized>(&self, k: usize, out: &Copier<'_, W>) -> bool {
        let progress = self.lock();
        if progress.claimed <= k || self.helpers == 0 {
            return true;
        }
        let left_from = |k: usize| self.to_repair_from.get(k).copied().unwrap_or(0);
        let repairing_left = left_from(progress.claimed);
        let next = repairing_left - left_from(progress.claimed + 1);
        let copying_left = self.chunks.last().map_or(0, |last| last.range.end) - self.chunks[k].range.start;
        // Before the writer has repaired anything, its pace is guessed to be the helpers'.
        let own = out.repairing.time_for(next).or_else(|| progress.repairing.time_for(next));
        match (progress.repairing.time_for(repairing_left), out.copying.time_for(copying_left), own) {
            (Some(repairing), Some(copying), Some(own)) => repairing / self.helpers as f64 > copying + own,
            // Nothing timed yet: repairing is the safe guess (damaged text needs every thread).
            _ => true,
        }
    }
}

/// Stops the repairs when dropped: always at the writer's end (a panic included), so that
/// helpers waiting for room end too; at a helper's end only when it panics, telling the writer
/// that what the helper claimed will never come.
struct Stopper<'r, 'a> {
    repairs: &'r Repairs<'a>,
    writer: bool,
}

impl Drop for Stopper<'_, '_> {
    fn drop(&mut self) {
        let panicking = std::thread::panicking();
        if self.writer || panicking {
            self.repairs.stop(panicking && !self.writer);
        }
    }
}

/// The output side of the second reading: `input`'s bytes from offset `at` go to `out`, copied
/// or replaced by patches.
struct Copier<'a, W: Write + ?Sized> {
    input: &'a File,
    /// The input mapped, written from instead of copied by the kernel: its bytes are already
    /// in memory, and the kernel's copy would read them again.
    mapped: Option<&'a Mapped>,
    at: u64,
    out: BufWriter<&'a mut W>,
    /// How fast the input has been copied.
    copying: Pace,
    /// How fast the writer has repaired chunks itself.
    repairing: Pace,
}

impl<'a, W: Write + ?Sized> Copier<'a, W> {
    fn new(input: &'a File, at: u64, out: BufWriter<&'a mut W>) -> Self {
        Copier { input, mapped: None, at, out, copying: Pace::default(), repairing: Pace::default() }
    }

    /// Copies the input up to offset `to`.
    fn copy_to(&mut self, to: u64) -> Result<(), Trouble> {
        let len = to.saturating_sub(self.at);
        if len > 0 {
            let started = Instant::now();
            match self.mapped {
                Some(mapped) => {
                    let bytes = mapped.bytes().get(offset(self.at)..offset(to)).ok_or(Trouble::Changed)?;
                    self.out.write_all(bytes).map_err(Trouble::Write)?;
                    // Written (or in the output's buffer): no thread reads it again.
                    mapped.release_before(offset(to));
                }
                None => copy_span(self.input, len, &mut self.out)?,
            }
            self.copying.add(len, started.elapsed());
            self.at = to;
        }
        Ok(())
    }

    /// Writes `patch`'s repair in place of its line, which must still be what was repaired.
    fn replace(&mut self, patch: &Patch) -> Result<(), Trouble> {
        let unchanged = match self.mapped {
            Some(mapped) => {
                mapped.bytes().get(offset(patch.range.start)..offset(patch.range.end)) == Some(&patch.original[..])
            }
            None => {
                let mut original = vec![0; patch.original.len()];
                read_full(&mut &*self.input, &mut original).map_err(Trouble::Read)?;
                original == patch.original
            }
        };
        if !unchanged {
            return Err(Trouble::Changed);
        }
        self.out.write_all(patch.repaired.as_bytes()).map_err(Trouble::Write)?;
        self.at = patch.range.end;
        Ok(())
    }
}

/// One repaired line of the input.
#[derive(Debug)]
struct Patch {
    /// Where the line is in the input (without its terminator).
    range: Range<u64>,
    /// The line as it was read, to check that it has not changed when it is replaced.
    original: Vec<u8>,
    repaired: String,
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
    /// A single reading found a NUL byte or bytes that are not UTF-8: the caller reads the
    /// input whole.
    NotPlain,
}

impl Trouble {
    fn message(self) -> String {
        match self {
            Trouble::Read(e) => format!("cannot read standard input: {e}"),
            Trouble::Write(e) => format!("cannot write standard output: {e}"),
            Trouble::Changed => "standard input changed while it was read".to_string(),
            Trouble::NotPlain => "standard input is not plain UTF-8 text".to_string(),
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

/// Reads `range` of `file` into `buf` from index `at` on (growing it if needed, never
/// shrinking it, so a reused buffer is not filled again); returns the bytes read, which must be
/// all of them: fewer means the input shrank.
fn read_span(file: &File, range: Range<u64>, buf: &mut Vec<u8>, at: usize) -> Result<usize, Trouble> {
    let len = usize::try_from(range.end - range.start).map_err(|_| Trouble::Changed)?;
    if buf.len() < at + len {
        buf.resize(at + len, 0);
    }
    let read = read_full(&mut Positioned { file, at: range.start, end: range.end }, &mut buf[at..at + len])
        .map_err(Trouble::Read)?;
    if read == len { Ok(len) } else { Err(Trouble::Changed) }
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
    let applied =
        repaired_lines(Text::Checked(text), config, selection, scratch, &mut String::new(), |line, _, fixed| {
            out.write_all(bytes.get(written..line.start).unwrap_or_default()).map_err(Trouble::Write)?;
            out.write_all(fixed.as_bytes()).map_err(Trouble::Write)?;
            written = line.end;
            Ok(())
        })?;
    out.write_all(bytes.get(written..).unwrap_or_default()).map_err(Trouble::Write)?;
    Ok(applied)
}

/// Hands each line of `text` that a repair changes to `each`, with its range (without the
/// terminator), the line as it was read and its repair, in order; returns how many edits were
/// applied. Lines end at `\n`, `\r\n` or `\r`, as everywhere else. The only line-local repair
/// is mojibake ([`fix::LINE_LOCAL`]), so a line its byte pre-filter clears ([`may_hold_run`]) is
/// skipped, like ASCII, without being decoded, and one its sequence bound clears
/// ([`proven_without_runs`]) without a search. `text` is a block the caller validated as a
/// whole (at SIMD speed), so a checked line is never validated again; a mapped one is, once
/// copied ([`Text::line`]).
fn repaired_lines(
    text: Text<'_>,
    config: &Config,
    selection: &Selection,
    scratch: &mut LineScratch,
    copy: &mut String,
    mut each: impl FnMut(Range<usize>, &str, String) -> Result<(), Trouble>,
) -> Result<usize, Trouble> {
    // `from`: where the next line starts (or its terminator).
    let (bytes, mut from, mut applied) = (text.bytes(), 0, 0);
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
        let Some(line) = text.line(start..end, copy) else {
            continue;
        };
        if proven_without_runs(line) {
            continue;
        }
        if let Some(fixed) = fix::fix_line(line, config, selection, scratch) {
            applied += fixed.applied;
            each(start..end, line, fixed.text)?;
        }
    }
    Ok(applied)
}

/// The text whose lines are repaired: checked text in memory, or the bytes of a mapped input,
/// which another process may change while they are read, so a line that needs more than the
/// byte pre-filter is copied and checked first.
#[derive(Clone, Copy)]
enum Text<'t> {
    Checked(&'t str),
    Mapped(&'t [u8]),
}

impl<'t> Text<'t> {
    fn bytes(self) -> &'t [u8] {
        match self {
            Text::Checked(text) => text.as_bytes(),
            Text::Mapped(bytes) => bytes,
        }
    }

    /// Line `range` as text (its ends are line breaks or ends of the text: character
    /// boundaries); a mapped line is copied into `copy`. `None` if it is not UTF-8 (a mapped
    /// input changed since it was checked: the line is left as it is).
    fn line<'s>(self, range: Range<usize>, copy: &'s mut String) -> Option<&'s str>
    where
        't: 's,
    {
        match self {
            Text::Checked(text) => text.get(range),
            Text::Mapped(bytes) => {
                copy.clear();
                copy.push_str(simdutf8::basic::from_utf8(bytes.get(range)?).ok()?);
                Some(copy)
            }
        }
    }
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

    /// The chunks of the first reading, `block` bytes at a time, in one part.
    fn checked(file: &File, len: usize, block: usize) -> Vec<Chunk> {
        let mut reader = Positioned { file, at: 0, end: len as u64 };
        plain_chunks(&mut reader, 0, block).expect("readable").expect("plain UTF-8")
    }

    /// Both readings, as [`fix_stdin`] does them, with every parameter chosen.
    fn streamed(text: &str, block: usize, helpers: usize) -> (String, usize) {
        let file = file_of(text.as_bytes());
        let chunks = checked(&file, text.len(), block);
        let (config, selection) = (Config::default(), mojibake_only());
        let mut out = Vec::new();
        let Ok(applied) = Repairs::new(&file, &chunks, &config, &selection).run(helpers, &file, 0, &mut out) else {
            panic!("streaming {text:?} failed");
        };
        (String::from_utf8(out).expect("the output is UTF-8"), applied)
    }

    /// One reading of the mapped input, as [`fix_in_one_reading`] makes it, in spans of
    /// `block` bytes.
    fn streamed_in_spans(text: &[u8], block: usize, helpers: usize) -> Result<(String, usize), Trouble> {
        let file = file_of(text);
        let chunks = spans(0..text.len() as u64, block);
        let (config, selection) = (Config::default(), mojibake_only());
        let _turn = super::super::mapped::tests::one_mapping_at_a_time();
        let mapping = Mapped::of(&file, text.len() as u64);
        // An empty input is not mapped, and has no spans to read.
        assert_eq!(mapping.is_some(), !text.is_empty(), "mapped");
        let mut repairs = Repairs::new(&file, &chunks, &config, &selection);
        repairs.mapped = mapping.as_ref();
        let mut out = Vec::new();
        let applied = repairs.run(helpers, &file, 0, &mut out)?;
        Ok((String::from_utf8(out).expect("the output is UTF-8"), applied))
    }

    /// Every block size, down to one byte, so blocks end inside lines, between `\r` and `\n`,
    /// and inside multi-byte characters of a line longer than the block; repaired by the writer
    /// alone and with helpers, in two readings and in one.
    #[test]
    fn any_block_size_and_helper_count_gives_the_general_result() {
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
                for helpers in [0, 1, 3] {
                    let what = format!("{text:?}, block {block}, {helpers} helpers");
                    assert_eq!(streamed(text, block, helpers), (expected.text.clone(), expected.applied), "{what}");
                    let in_spans = streamed_in_spans(text.as_bytes(), block, helpers);
                    assert!(
                        matches!(&in_spans, Ok((t, n)) if *t == expected.text && *n == expected.applied),
                        "{what}, in one reading"
                    );
                }
            }
            assert_eq!(streamed(text, BLOCK, 1), (expected.text.clone(), expected.applied), "{text:?}");
            let in_memory = fix_text(text, &Config::default(), &mojibake_only());
            assert_eq!(in_memory, expected, "{text:?}");
        }
    }

    /// The first reading marks the chunks that hold only ASCII: the second leaves them unread.
    #[test]
    fn chunks_of_only_ascii_are_marked() {
        let text = "plain\ncaf\u{e9}\nplain again\n";
        let chunks = checked(&file_of(text.as_bytes()), text.len(), 6);
        let marks: Vec<_> = chunks.iter().map(|c| (c.range.clone(), c.ascii)).collect();
        assert_eq!(marks, [(0..6, true), (6..12, false), (12..24, true), (24..24, true)]);
    }

    /// Repairs never run more than a window of chunks, or a budget of patch bytes, ahead of the
    /// writer: the patches held in memory are bounded however damaged the input is.
    #[test]
    fn repairs_run_at_most_a_window_and_a_budget_ahead_of_the_writing() {
        let text = "caf\u{c3}\u{a9}\n".repeat(100);
        let file = file_of(text.as_bytes());
        let chunks = checked(&file, text.len(), 7);
        assert_eq!(chunks.len(), 100);
        let (config, selection) = (Config::default(), mojibake_only());
        // Each chunk's patch holds 7 + 5 bytes: a budget of 40 is spent after four chunks.
        for (window, budget, ahead) in [(WINDOW, PATCH_BUDGET, WINDOW), (5, PATCH_BUDGET, 5), (WINDOW, 40, 4)] {
            let mut repairs = Repairs::new(&file, &chunks, &config, &selection);
            (repairs.window, repairs.budget) = (window, budget);
            let mut worker = Worker::default();
            let claimed: Vec<_> = std::iter::from_fn(|| {
                let k = repairs.claim(false)?;
                repairs.repair_and_deliver(k, &mut worker, None);
                Some(k)
            })
            .collect();
            assert_eq!(claimed, (0..ahead).collect::<Vec<_>>(), "window {window}, budget {budget}");
            let mut out = Vec::new();
            let mut copier = Copier::new(&file, 0, BufWriter::new(&mut out));
            let first = repairs.take(0, 0, &mut copier, &mut worker).expect("repaired");
            assert_eq!((first.applied, first.patches.len(), first.bytes()), (1, 1, 12));
            assert_eq!(repairs.claim(false), Some(ahead), "taking a chunk makes room for one");
            repairs.repair_and_deliver(ahead, &mut worker, None);
            assert_eq!(repairs.claim(false), None, "window {window}, budget {budget}");
        }
    }

    /// The writer, waiting for a chunk, repairs one itself only when it must (no helper, or
    /// the chunk unclaimed) or when the helpers' repairing left would outlast its copying left,
    /// each at the pace timed so far.
    #[test]
    fn the_writer_repairs_only_when_the_helpers_would_fall_behind() {
        // Ten chunks of 8 bytes (a line each); those marked ASCII (every third) need no repair.
        let text = "caf\u{c3}\u{a9}\n".repeat(10);
        let file = file_of(text.as_bytes());
        let mut chunks = checked(&file, text.len(), 7);
        assert_eq!(chunks.len(), 10);
        for chunk in chunks.iter_mut().step_by(3) {
            chunk.ascii = true;
        }
        let (config, selection) = (Config::default(), mojibake_only());
        let mut repairs = Repairs::new(&file, &chunks, &config, &selection);
        assert_eq!(repairs.to_repair_from[..4], [48, 48, 40, 32], "bytes of the chunks to repair from each on");
        let mut out = Vec::new();
        let mut copier = Copier::new(&file, 0, BufWriter::new(&mut out));
        let ms = Duration::from_millis;
        // Chunks 0 to 4 claimed, the writer waiting for chunk 2: 80 − 16 = 64 bytes to copy,
        // and 24 to repair (chunks 5, 7 and 8).
        repairs.lock().claimed = 5;
        assert!(repairs.writer_should_repair(2, &copier), "no helper: the writer repairs everything");
        repairs.helpers = 1;
        assert!(repairs.writer_should_repair(2, &copier), "nothing timed yet");
        repairs.lock().repairing.add(7, ms(1));
        copier.copying.add(7, ms(1));
        assert!(!repairs.writer_should_repair(2, &copier), "24 bytes to repair, 64 to copy, same pace");
        assert!(repairs.writer_should_repair(5, &copier), "chunk 5 is not claimed");
        // Copying at 50 bytes a millisecond (1.3 ms left), repairing at 7 (3.4 ms left).
        copier.copying.add(93, ms(1));
        assert!(repairs.writer_should_repair(2, &copier), "one helper would fall behind");
        // The writer's own repairs timed at 8 bytes in 3 ms: the next chunk (8 bytes) would
        // hold its copying back longer (1.3 + 3 ms) than the helper needs for all (3.4 ms).
        copier.repairing.add(8, ms(3));
        assert!(!repairs.writer_should_repair(2, &copier), "the writer repairs too slowly to help");
        repairs.helpers = 4;
        assert!(!repairs.writer_should_repair(2, &copier), "four helpers would keep up");
    }

    /// A writer that panics (here, its output does) ends the helpers waiting for room in the
    /// window, so the panic goes on instead of the process hanging.
    #[test]
    fn a_panicking_writer_does_not_leave_helpers_waiting() {
        struct Panicking;
        impl Write for Panicking {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                panic!("the output failed");
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let text = "caf\u{c3}\u{a9}\n".repeat(20_000);
        let (done, finished) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let file = file_of(text.as_bytes());
            let chunks = checked(&file, text.len(), 64);
            let (config, selection) = (Config::default(), mojibake_only());
            let mut repairs = Repairs::new(&file, &chunks, &config, &selection);
            repairs.window = 2;
            let run = std::panic::AssertUnwindSafe(|| repairs.run(2, &file, 0, &mut Panicking));
            let _ = done.send(std::panic::catch_unwind(run).is_err());
        });
        let panicked = finished.recv_timeout(std::time::Duration::from_secs(60));
        assert_eq!(panicked, Ok(true), "the writer's panic must come out of `run`");
    }

    /// A text of a few megabytes with repairs everywhere, checked in one part and in several:
    /// the same chunks cover it, and the output is the same.
    #[test]
    fn parts_check_what_one_reading_checks() {
        let mut text = String::new();
        for i in 0..600 {
            let ending = ["\n", "\r\n", "\r"][i % 3];
            text.push_str(&format!("{}caf\u{c3}\u{a9} {i}{ending}", "clean Zürich line\n".repeat(400)));
        }
        let file = file_of(text.as_bytes());
        let whole = 0..text.len() as u64;
        let (config, selection) = (Config::default(), mojibake_only());
        for count in 1..=4 {
            assert_eq!(parts(&file, whole.clone(), count).len(), count, "{count} parts");
            let chunks = plain_chunks_in_parts(&file, whole.clone(), count).expect("readable").expect("plain UTF-8");
            assert_eq!(chunks.first().map(|c| c.range.start), Some(0));
            assert_eq!(chunks.last().map(|c| c.range.end), Some(whole.end));
            assert!(chunks.windows(2).all(|w| w[0].range.end == w[1].range.start), "{count} parts: contiguous");
            for helpers in [0, 2] {
                let mut out = Vec::new();
                (&file).seek(SeekFrom::Start(0)).expect("rewound");
                let applied = Repairs::new(&file, &chunks, &config, &selection).run(helpers, &file, 0, &mut out);
                let fixed = text.replace("caf\u{c3}\u{a9}", "café");
                assert!(matches!(applied, Ok(600)) && out == fixed.as_bytes(), "{count} parts, {helpers} helpers");
            }
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

    /// Spans cover the range in order, each `size` bytes but the last.
    #[test]
    fn spans_cut_the_input_by_size() {
        let ranges = |range, size| spans(range, size).into_iter().map(|c| c.range).collect::<Vec<_>>();
        assert_eq!(ranges(3..13, 4), [3..7, 7..11, 11..13]);
        assert_eq!(ranges(0..8, 4), [0..4, 4..8]);
        assert_eq!(ranges(5..5, 4), []);
        assert!(spans(0..10, 3).iter().all(|c| !c.ascii), "a span is read whatever it holds");
    }

    /// In one reading, a NUL byte or bytes that are not UTF-8 anywhere (in the first span, the
    /// last, or inside a line longer than a span) stop the writing, for the caller to take back.
    #[test]
    fn one_reading_stops_at_binary_or_invalid_input() {
        let long = "x".repeat(100);
        for bytes in [
            format!("caf\u{c3}\u{a9}\n{long}\nnul\0\n").into_bytes(),
            b"\0caf\xc3\xa9\n".to_vec(),
            [format!("caf\u{c3}\u{a9}\n{long}").as_bytes(), b"Latin-1 caf\xe9", long.as_bytes(), b"\n"].concat(),
        ] {
            for (block, helpers) in [(4, 0), (4, 2), (7, 1), (BLOCK, 1)] {
                let streamed = streamed_in_spans(&bytes, block, helpers);
                assert!(matches!(streamed, Err(Trouble::NotPlain)), "{bytes:?}, block {block}: {streamed:?}");
            }
        }
    }

    /// A mapped input that shrank takes back what was written, whatever the reading made of
    /// it, and the output is as it was: cut by a third (the pages lost read as zeros, through
    /// the `SIGBUS` handler) or by a few bytes of its last page (which read as zeros anyway).
    #[test]
    fn one_reading_of_a_mapped_input_cut_short_takes_back_the_output() {
        let text = "caf\u{c3}\u{a9} and more\n".repeat(20_000);
        for (shrunk, cores) in [(text.len() / 3, 2), (text.len() - 10, 1), (text.len() - 10, 2)] {
            let input = file_of(text.as_bytes());
            let mut output = tempfile::tempfile().expect("a temporary file");
            output.write_all(b"kept\n").expect("written");
            let undo = Undo::of(&output, &input).expect("an output that can be taken back");
            // The spans and the mapping cover the length the input had; it has shrunk since.
            input.set_len(shrunk as u64).expect("truncated");
            let _turn = super::super::mapped::tests::one_mapping_at_a_time();
            let (config, selection) = (Config::default(), mojibake_only());
            let clone = output.try_clone().expect("a clone");
            let result = fix_in_one_reading(&input, 0..text.len() as u64, cores, &config, &selection, clone, undo);
            let message = match result {
                Some(Err(message)) => message,
                Some(Ok(_)) => panic!("an input cut to {shrunk} bytes was fixed"),
                None => panic!("an input cut to {shrunk} bytes was left to the general path"),
            };
            assert!(message.contains("changed while it was read"), "{message}");
            output.seek(SeekFrom::Start(0)).expect("rewound");
            let mut now = String::new();
            output.read_to_string(&mut now).expect("read");
            assert_eq!(now, "kept\n", "cut to {shrunk} bytes, {cores} cores");
        }
    }

    /// An input that cannot be mapped (here, because another mapping is live) is read twice,
    /// and repaired all the same.
    #[test]
    fn one_reading_of_an_input_that_cannot_be_mapped_reads_it_twice() {
        let text = "caf\u{c3}\u{a9} and more\n".repeat(20_000);
        let input = file_of(text.as_bytes());
        let mut output = tempfile::tempfile().expect("a temporary file");
        output.write_all(b"kept\n").expect("written");
        let undo = Undo::of(&output, &input).expect("an output that can be taken back");
        let _turn = super::super::mapped::tests::one_mapping_at_a_time();
        let other = file_of(b"another input\n");
        let _live = Mapped::of(&other, 14).expect("mapped");
        assert!(Mapped::of(&input, text.len() as u64).is_none(), "one mapping at a time");
        let (config, selection) = (Config::default(), mojibake_only());
        let clone = output.try_clone().expect("a clone");
        let result = fix_in_one_reading(&input, 0..text.len() as u64, 2, &config, &selection, clone, undo);
        assert!(matches!(result, Some(Ok(FileFix::Changed(20_000)))), "{result:?}");
        output.seek(SeekFrom::Start(0)).expect("rewound");
        let mut now = String::new();
        output.read_to_string(&mut now).expect("read");
        assert_eq!(now, format!("kept\n{}", "caf\u{e9} and more\n".repeat(20_000)));
    }

    /// The writer lets the mapped pages go as it writes them, so a long input does not stay
    /// in the process's memory.
    #[test]
    fn a_mapped_input_is_let_go_as_it_is_written() {
        let text = "caf\u{c3}\u{a9} and a line of clean text\n".repeat(200_000);
        let file = file_of(text.as_bytes());
        let chunks = spans(0..text.len() as u64, BLOCK);
        let (config, selection) = (Config::default(), mojibake_only());
        let _turn = super::super::mapped::tests::one_mapping_at_a_time();
        let mapped = Mapped::of(&file, text.len() as u64).expect("mapped");
        let mut repairs = Repairs::new(&file, &chunks, &config, &selection);
        repairs.mapped = Some(&mapped);
        let mut out = Vec::new();
        assert_eq!(repairs.run(1, &file, 0, &mut out).ok(), Some(200_000));
        assert_eq!(out, "caf\u{e9} and a line of clean text\n".repeat(200_000).into_bytes());
        let step = super::super::mapped::RELEASE_STEP;
        assert!(mapped.released() + 2 * step > text.len(), "{} of {} let go", mapped.released(), text.len());
    }

    #[test]
    fn binary_or_invalid_input_is_left_to_the_caller() {
        for bytes in [&b"caf\xc3\xa9\nnul\0\n"[..], b"caf\xc3\xa9\nLatin-1 caf\xe9\n"] {
            let file = file_of(bytes);
            let found = plain_chunks(&mut Positioned { file: &file, at: 0, end: bytes.len() as u64 }, 0, 4);
            assert!(matches!(found, Ok(None)), "{bytes:?}: {found:?}");
        }
    }

    /// A chunk that shrank or stopped being UTF-8 after the check, or a repaired line that
    /// changed between its repair and its replacement, is an error, not a wrong output.
    #[test]
    fn input_changed_between_the_readings_is_an_error() {
        let text = format!("{}caf\u{c3}\u{a9}\n{}", "plain\n".repeat(5000), "more\n".repeat(5000));
        let (config, selection) = (Config::default(), mojibake_only());
        let truncated = text.as_bytes()[..text.len() / 2 + 10_000].to_vec();
        let mut not_utf8 = text.clone().into_bytes();
        let at = not_utf8.len() - 3;
        not_utf8[at] = 0xE9;
        for (after, what) in [(truncated, "truncated"), (not_utf8, "no longer UTF-8")] {
            let file = file_of(text.as_bytes());
            let chunks = checked(&file, text.len(), BLOCK);
            rewrite(&file, &after);
            let written = Repairs::new(&file, &chunks, &config, &selection).run(1, &file, 0, &mut Vec::new());
            assert!(matches!(written, Err(Trouble::Changed)), "{what}: {written:?}");
        }
        // The repair of the only chunk is made before the line changes, and written after.
        let file = file_of(text.as_bytes());
        let chunks = checked(&file, text.len(), BLOCK);
        assert_eq!(chunks.len(), 1);
        let mut repairs = Repairs::new(&file, &chunks, &config, &selection);
        let claimed = repairs.claim(false).expect("a chunk");
        repairs.repair_and_deliver(claimed, &mut Worker::default(), None);
        rewrite(&file, text.replace("caf\u{c3}\u{a9}", "CAF\u{c3}\u{a9}").as_bytes());
        let written = repairs.run(0, &file, 0, &mut Vec::new());
        assert!(matches!(written, Err(Trouble::Changed)), "a repaired line changed: {written:?}");
    }

    fn rewrite(mut file: &File, bytes: &[u8]) {
        file.set_len(0).expect("truncated");
        file.seek(SeekFrom::Start(0)).expect("rewound");
        file.write_all(bytes).expect("rewritten");
        file.seek(SeekFrom::Start(0)).expect("rewound");
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
