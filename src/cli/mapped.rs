//! Standard input mapped into memory, for `fix -`'s one reading: the threads check and repair
//! the file's pages where they lie, and the writer writes from them, so the input is copied
//! once (into the output) instead of twice (into buffers, then into the output).
//!
//! This is the crate's only `unsafe` code. Two hazards come with a mapped file, and both are
//! contained here:
//! - **The file shrinks while it is mapped** (another process truncates it). Reading a page past
//!   its new end raises `SIGBUS`, which would kill the process with half the output written. A
//!   `SIGBUS` handler, installed once, puts zeros (anonymous memory) in place of the mapping's
//!   lost pages and marks the mapping cut, so the reading goes on and the caller, seeing
//!   [`Mapped::was_cut`], takes back what it wrote. A `SIGBUS` outside the mapping goes to the
//!   handler that was there before (Rust's own, then the default: the process ends as it would
//!   have).
//! - **The file changes while it is mapped** (another process writes it). The bytes may change
//!   under the reader, so they are only ever read as bytes (searched, validated, written out),
//!   never trusted as `str`: a line that needs more than a byte scan is copied and validated
//!   first (`stream.rs`).

#![allow(unsafe_code)]

use std::fs::File;
use std::os::fd::AsRawFd;
use std::ptr::NonNull;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// A read-only private mapping of a file's first bytes.
pub(super) struct Mapped {
    at: NonNull<u8>,
    /// The bytes the caller asked for.
    len: usize,
    /// `len` rounded up to whole pages: what the kernel mapped.
    span: usize,
    page: usize,
    /// The bytes before this offset were let go ([`Mapped::release_before`]).
    released: AtomicUsize,
}

// The mapping is plain memory, only read, and unmapped when the last borrow of it has ended.
unsafe impl Send for Mapped {}
unsafe impl Sync for Mapped {}

/// Pages are let go a few at a time: each release is a system call, and a flush of the
/// translation caches of every core that runs one of the threads.
pub(super) const RELEASE_STEP: usize = 1 << 20;

/// Where the live mapping is (zero when none is): what the `SIGBUS` handler compares a fault's
/// address with. One mapping at a time: a second one is refused, and the caller reads instead.
static LIVE_AT: AtomicUsize = AtomicUsize::new(0);
static LIVE_SPAN: AtomicUsize = AtomicUsize::new(0);
/// Whether a page of the live mapping was lost and replaced by zeros.
static CUT: AtomicBool = AtomicBool::new(false);
/// Claimed while a mapping is live.
static CLAIMED: AtomicBool = AtomicBool::new(false);

impl Mapped {
    /// The first `len` bytes of `file` mapped, or `None` when they cannot be (an empty file, a
    /// file that cannot be mapped, another mapping live, no `SIGBUS` handler).
    pub(super) fn of(file: &File, len: u64) -> Option<Mapped> {
        let len = usize::try_from(len).ok().filter(|&len| len > 0)?;
        let page = page_size()?;
        let span = len.checked_next_multiple_of(page)?;
        install_handler()?;
        if CLAIMED.swap(true, Ordering::AcqRel) {
            return None;
        }
        // SAFETY: a new mapping at an address the kernel chooses; nothing else refers to it.
        let at =
            unsafe { libc::mmap(std::ptr::null_mut(), len, libc::PROT_READ, libc::MAP_PRIVATE, file.as_raw_fd(), 0) };
        let Some(at) = NonNull::new(at.cast::<u8>()).filter(|_| at != libc::MAP_FAILED) else {
            CLAIMED.store(false, Ordering::Release);
            return None;
        };
        CUT.store(false, Ordering::SeqCst);
        LIVE_SPAN.store(span, Ordering::SeqCst);
        LIVE_AT.store(at.as_ptr() as usize, Ordering::SeqCst);
        Some(Mapped { at, len, span, page, released: AtomicUsize::new(0) })
    }

    /// The mapped bytes. They may change while they are read if another process writes the
    /// file; past a cut they read as zeros.
    pub(super) fn bytes(&self) -> &[u8] {
        // SAFETY: `len` bytes from `at` are mapped readable until `self` is dropped, which the
        // borrow outlives; pages lost to a truncation are replaced by zeros, never unmapped.
        unsafe { std::slice::from_raw_parts(self.at.as_ptr(), self.len) }
    }

    /// Lets the pages before offset `end` go, in steps of [`RELEASE_STEP`], when they will not
    /// be read again: they stay in the page cache, but not in the process's memory, which so
    /// stays bounded however long the input. Read again, they come back from the file.
    pub(super) fn release_before(&self, end: usize) {
        let from = self.released.load(Ordering::Relaxed);
        let to = end.min(self.len) & !(self.page - 1);
        if to < from + RELEASE_STEP {
            return;
        }
        // SAFETY: whole pages inside the mapping. Advice only drops their page table entries:
        // the memory stays mapped and reads the file's bytes again.
        let advised = unsafe { libc::madvise(self.at.as_ptr().add(from).cast(), to - from, libc::MADV_DONTNEED) };
        if advised == 0 {
            self.released.store(to, Ordering::Relaxed);
        }
    }

    /// How many bytes from the start were let go.
    #[cfg(test)]
    pub(super) fn released(&self) -> usize {
        self.released.load(Ordering::Relaxed)
    }

    /// Whether the file shrank under the mapping and some of it was read as zeros.
    pub(super) fn was_cut(&self) -> bool {
        CUT.load(Ordering::SeqCst)
    }
}

impl Drop for Mapped {
    fn drop(&mut self) {
        LIVE_AT.store(0, Ordering::SeqCst);
        LIVE_SPAN.store(0, Ordering::SeqCst);
        // SAFETY: the mapping made in `of`, whose borrows have all ended.
        unsafe { libc::munmap(self.at.as_ptr().cast(), self.span) };
        CLAIMED.store(false, Ordering::Release);
    }
}

fn page_size() -> Option<usize> {
    // SAFETY: sysconf reads a constant of the system.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(page).ok().filter(|page| page.is_power_of_two())
}

/// The `SIGBUS` action there was before ours: where a fault that is not ours goes.
static PREVIOUS: OnceLock<Option<libc::sigaction>> = OnceLock::new();

/// Installs the `SIGBUS` handler once per process; `None` if it could not be.
fn install_handler() -> Option<()> {
    let previous = PREVIOUS.get_or_init(|| {
        // SAFETY: `action` is fully initialised (zeroed, then set) and `previous` receives the
        // old action; `on_sigbus` only does what a signal handler may.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_sigbus as *const () as usize;
            // On the alternate stack where the thread has one, as Rust's own handler runs.
            action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
            libc::sigemptyset(&mut action.sa_mask);
            let mut previous: libc::sigaction = std::mem::zeroed();
            (libc::sigaction(libc::SIGBUS, &action, &mut previous) == 0).then_some(previous)
        }
    });
    previous.map(|_| ())
}

/// A `SIGBUS`: in the live mapping, the file shrank under it, so the mapping's pages from the
/// faulting one to its end become zeros and the access is made again; elsewhere, the previous
/// action is put back and the access made again, which raises the signal again for it.
extern "C" fn on_sigbus(_signal: libc::c_int, info: *mut libc::siginfo_t, _context: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid `siginfo_t` with SA_SIGINFO. The rest calls only
    // async-signal-safe system calls and keeps `errno` as it was.
    unsafe {
        let errno = *errno_location();
        let address = (*info).si_addr() as usize;
        let (at, span) = (LIVE_AT.load(Ordering::SeqCst), LIVE_SPAN.load(Ordering::SeqCst));
        let page = page_size().unwrap_or(4096);
        if at != 0 && (at..at + span).contains(&address) {
            let from = address & !(page - 1);
            let zeros = libc::mmap(
                from as *mut libc::c_void,
                at + span - from,
                libc::PROT_READ,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED,
                -1,
                0,
            );
            if zeros != libc::MAP_FAILED {
                CUT.store(true, Ordering::SeqCst);
                *errno_location() = errno;
                return;
            }
        }
        if let Some(Some(previous)) = PREVIOUS.get() {
            libc::sigaction(libc::SIGBUS, previous, std::ptr::null_mut());
        } else {
            libc::signal(libc::SIGBUS, libc::SIG_DFL);
        }
        *errno_location() = errno;
    }
}

/// Where this thread's `errno` is, which the handler leaves as it found it.
#[cfg(any(target_os = "linux", target_os = "android"))]
unsafe fn errno_location() -> *mut libc::c_int {
    // SAFETY: always valid for the calling thread.
    unsafe { libc::__errno_location() }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
unsafe fn errno_location() -> *mut libc::c_int {
    // SAFETY: always valid for the calling thread.
    unsafe { libc::__error() }
}

#[cfg(test)]
pub(super) mod tests {
    use std::io::Write;

    use super::*;

    /// Tests that map take turns: one mapping is live at a time.
    pub(in crate::cli) fn one_mapping_at_a_time() -> std::sync::MutexGuard<'static, ()> {
        static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
        TURN.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn file_of(bytes: &[u8]) -> File {
        let mut file = tempfile::tempfile().expect("a temporary file");
        file.write_all(bytes).expect("written");
        file
    }

    #[test]
    fn a_mapping_reads_the_file_and_is_not_cut() {
        let _turn = one_mapping_at_a_time();
        let text = "line one\nline two\n".repeat(1000);
        let file = file_of(text.as_bytes());
        let mapped = Mapped::of(&file, text.len() as u64).expect("mapped");
        assert_eq!(mapped.bytes(), text.as_bytes());
        assert!(!mapped.was_cut());
    }

    /// Another process truncating the file would kill a plain reader of the mapping with
    /// `SIGBUS`; here the lost pages read as zeros and the mapping says it was cut.
    #[test]
    fn a_file_truncated_under_its_mapping_reads_as_zeros_and_is_reported() {
        let _turn = one_mapping_at_a_time();
        let len = 64 * 1024;
        let file = file_of(&vec![b'a'; len]);
        let mapped = Mapped::of(&file, len as u64).expect("mapped");
        file.set_len(100).expect("truncated");
        let bytes = mapped.bytes();
        assert_eq!(bytes.len(), len);
        assert!(bytes[..100].iter().all(|&b| b == b'a'));
        assert!(bytes[100..].iter().all(|&b| b == 0));
        assert!(mapped.was_cut());
        drop(mapped);
        // The next mapping starts uncut.
        let again = Mapped::of(&file, 100).expect("mapped again");
        assert!(!again.was_cut());
        assert_eq!(again.bytes(), &[b'a'; 100][..]);
    }

    /// The resident size of the mapping at `at`, from `/proc/self/smaps`, in KiB.
    fn resident_kib(at: usize) -> u64 {
        let smaps = std::fs::read_to_string("/proc/self/smaps").expect("smaps");
        let mut lines = smaps.lines().skip_while(|line| !line.starts_with(&format!("{at:x}-")));
        let rss = lines.find(|line| line.starts_with("Rss:")).expect("the mapping's Rss");
        rss.split_whitespace().nth(1).and_then(|kib| kib.parse().ok()).expect("a size")
    }

    #[test]
    fn released_pages_leave_the_process_and_read_the_file_again() {
        let _turn = one_mapping_at_a_time();
        let text = "0123456789abcdef".repeat(4 << 16);
        let file = file_of(text.as_bytes());
        let mapped = Mapped::of(&file, text.len() as u64).expect("mapped");
        let at = mapped.at.as_ptr() as usize;
        assert!(mapped.bytes().iter().all(|b| b.is_ascii_hexdigit()));
        assert!(resident_kib(at) >= 4096, "all read: {} KiB", resident_kib(at));
        // Less than a step is kept.
        mapped.release_before(RELEASE_STEP - 1);
        assert!(resident_kib(at) >= 4096);
        mapped.release_before(3 * RELEASE_STEP + 100);
        assert!(resident_kib(at) <= 1024 + 4, "released: {} KiB", resident_kib(at));
        assert_eq!(mapped.bytes(), text.as_bytes());
        assert!(!mapped.was_cut());
    }

    #[test]
    fn an_empty_file_is_not_mapped() {
        assert!(Mapped::of(&file_of(b""), 0).is_none());
    }
}
