//! Finding and reading the article files of workspace folders (the only IO in `workspace`).
//!
//! The walk tolerates a hostile tree: symlinks are not followed (so loops and links out of the
//! folder cost nothing), `.gitignore`d directories are never entered, and entries that are not
//! regular files (FIFOs, sockets, devices) are skipped. Reading goes through `files::read`, which
//! never blocks on a file swapped for a FIFO after the walk; a file that is unreadable, deleted
//! or replaced by a directory by the time it is read is skipped, and one rewritten meanwhile is
//! read as it is then (the watcher reports the change).

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use rayon::prelude::*;

use super::skim::summarize_for_index;
use super::summary::ArticleSummary;
use crate::analysis::{encoding, layout};
use crate::config::Config;
use crate::files;

/// Article files under `root`, honouring `.gitignore` and the configuration's globs
/// (`config_for` gives the configuration that applies in a directory).
pub fn discover(root: &Path, config_for: &(dyn Fn(&Path) -> Config + Sync)) -> Vec<PathBuf> {
    discover_under(root, root, config_for)
}

/// [`discover`], each path allocated once, as the index keeps it.
pub fn discover_shared(root: &Path, config_for: &(dyn Fn(&Path) -> Config + Sync)) -> Vec<Arc<Path>> {
    shared_under(root, root, config_for)
}

/// The article files under `dir`, a directory inside `root`, exactly as [`discover`] of `root`
/// would find them, walking `dir` alone (a new directory reported by the watcher costs its own
/// files, not the whole folder). The ignore files of every directory from `root` down apply,
/// a deeper one overriding a shallower one as in the walk from the root; that equality is
/// tested in `tests/workspace.rs`.
pub fn discover_under(root: &Path, dir: &Path, config_for: &(dyn Fn(&Path) -> Config + Sync)) -> Vec<PathBuf> {
    shared_under(root, dir, config_for).iter().map(|path| path.to_path_buf()).collect()
}

/// [`discover_under`], each path allocated once.
fn shared_under(root: &Path, dir: &Path, config_for: &(dyn Fn(&Path) -> Config + Sync)) -> Vec<Arc<Path>> {
    let Ok(inside) = dir.strip_prefix(root) else {
        return Vec::new();
    };
    // Hidden directories are skipped by the walk from `root`, and so is all below them.
    let hidden = inside.components().any(|c| c.as_os_str().to_str().is_some_and(|c| c.starts_with('.')));
    let rules = IgnoreRules::new(root);
    let on_the_way = dir.ancestors().take_while(|a| a.starts_with(root) && *a != root);
    if hidden || on_the_way.into_iter().any(|a| rules.ignores(a, true)) {
        return Vec::new();
    }
    let walker = Walker { root, rules: &rules, config_for };
    let mut top = Vec::new();
    walker.list(dir, &mut top);
    // The entries of `dir` are walked in parallel (each directory's subtree by one thread), and
    // their lists joined in order.
    let parts: Vec<Vec<Arc<Path>>> = top.into_par_iter().map(|entry| walker.walk(entry)).collect();
    parts.into_iter().flatten().collect()
}

/// A directory entry met by the walk, accepted but not yet visited.
enum Pending {
    Article(Arc<Path>),
    Directory(Arc<Path>),
}

/// What the walk of one folder needs to judge an entry.
struct Walker<'a> {
    root: &'a Path,
    rules: &'a IgnoreRules,
    config_for: &'a (dyn Fn(&Path) -> Config + Sync),
}

impl Walker<'_> {
    /// The article files at and under `start`, in the order of `Path` (each directory's
    /// entries sorted by name, depth first, which is the order of their paths: no sort of the
    /// whole list). The stack is explicit, so a deep tree costs memory, not the thread's stack.
    fn walk(&self, start: Pending) -> Vec<Arc<Path>> {
        let mut found = Vec::new();
        let mut stack = vec![start];
        while let Some(next) = stack.pop() {
            match next {
                Pending::Article(path) => found.push(path),
                Pending::Directory(dir) => {
                    let listed = stack.len();
                    self.list(&dir, &mut stack);
                    // Popped in name order.
                    stack[listed..].reverse();
                }
            }
        }
        found
    }

    /// Pushes the accepted entries of `dir` onto `stack`, sorted by name. Each directory's
    /// ignore rules and configuration are found once, for all its entries; the listing already
    /// tells each entry's type (no `stat` per file). Hidden entries are skipped, and so is
    /// anything that is neither a regular file nor a directory (symlinks are not followed).
    /// Each accepted entry's path is allocated once, as the index keeps it (std's listing, the
    /// name, the joined path and the `Arc` were four allocations per file).
    #[cfg(unix)]
    fn list(&self, dir: &Path, stack: &mut Vec<Pending>) {
        use std::os::unix::ffi::OsStrExt;
        let Some(mut listing) = Listing::of(dir) else {
            return;
        };
        let chain = self.rules.chain(dir);
        // Asked only of a directory with files, once.
        let mut config: Option<Config> = None;
        // `dir.join(name)` of each entry, written into one buffer.
        let mut joined = dir.as_os_str().as_bytes().to_vec();
        if joined.last().is_some_and(|&b| b != b'/') {
            joined.push(b'/');
        }
        let at = joined.len();
        for (name, is_dir) in listing.sorted() {
            joined.truncate(at);
            joined.extend_from_slice(name);
            let path = Path::new(std::ffi::OsStr::from_bytes(&joined));
            if IgnoreRules::decides_ignored(&chain, path, is_dir) {
                continue;
            }
            if is_dir {
                stack.push(Pending::Directory(Arc::from(path)));
            } else if config.get_or_insert_with(|| (self.config_for)(dir)).is_article_in(self.root, path) {
                stack.push(Pending::Article(Arc::from(path)));
            }
        }
    }

    #[cfg(not(unix))]
    fn list(&self, dir: &Path, stack: &mut Vec<Pending>) {
        let Ok(listing) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<(std::ffi::OsString, bool)> = listing
            .flatten()
            .filter_map(|entry| {
                let kind = entry.file_type().ok()?;
                let name = entry.file_name();
                let hidden = name.as_encoded_bytes().first() == Some(&b'.');
                (!hidden && (kind.is_file() || kind.is_dir())).then_some((name, kind.is_dir()))
            })
            .collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let chain = self.rules.chain(dir);
        let mut config: Option<Config> = None;
        for (name, is_dir) in entries {
            let path = dir.join(name);
            if IgnoreRules::decides_ignored(&chain, &path, is_dir) {
                continue;
            }
            if is_dir {
                stack.push(Pending::Directory(Arc::from(path)));
            } else if config.get_or_insert_with(|| (self.config_for)(dir)).is_article_in(self.root, &path) {
                stack.push(Pending::Article(Arc::from(path)));
            }
        }
    }
}

/// The regular files and directories of a directory that are not hidden: their names in one
/// buffer, and for each its place there and whether it is a directory.
#[cfg(unix)]
struct Listing {
    names: Vec<u8>,
    entries: Vec<(std::ops::Range<usize>, bool)>,
}

#[cfg(unix)]
impl Listing {
    fn new() -> Listing {
        Listing { names: Vec::new(), entries: Vec::new() }
    }

    /// Keeps the entry `name` if it is a regular file or a directory (`None`: not one) and not
    /// hidden (which also drops `.` and `..`).
    fn keep(&mut self, name: &[u8], is_dir: Option<bool>) {
        if let (Some(is_dir), false) = (is_dir, name.first() == Some(&b'.')) {
            let start = self.names.len();
            self.names.extend_from_slice(name);
            self.entries.push((start..self.names.len(), is_dir));
        }
    }

    /// The entries, sorted by name (as `OsStr` orders them: by bytes).
    fn sorted(&mut self) -> impl Iterator<Item = (&[u8], bool)> {
        let names = &self.names;
        self.entries.sort_unstable_by(|a, b| names[a.0.clone()].cmp(&names[b.0.clone()]));
        self.entries.iter().map(|(range, is_dir)| (&names[range.clone()], *is_dir))
    }

    /// The listing of `dir`, read with `getdents` into one buffer (std's `read_dir` allocates
    /// each entry's name, and `file_name` copies it again); `None` if it cannot be opened.
    /// An entry whose type the listing does not tell is asked of `lstat`, as std does.
    #[cfg(target_os = "linux")]
    fn of(dir: &Path) -> Option<Listing> {
        use rustix::fs::{AtFlags, FileType, Mode, OFlags};
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        let fd = rustix::fs::open(dir, flags, Mode::empty()).ok()?;
        let mut buffer = vec![std::mem::MaybeUninit::<u8>::uninit(); 1 << 15];
        let mut raw = rustix::fs::RawDir::new(&fd, &mut buffer);
        let mut listing = Listing::new();
        // An error ends the listing (std's iterator, flattened, would go on asking).
        while let Some(Ok(entry)) = raw.next() {
            let kind = match entry.file_type() {
                FileType::Unknown => rustix::fs::statat(&fd, entry.file_name(), AtFlags::SYMLINK_NOFOLLOW)
                    .ok()
                    .map(|stat| FileType::from_raw_mode(stat.st_mode)),
                kind => Some(kind),
            };
            let is_dir = match kind {
                Some(FileType::RegularFile) => Some(false),
                Some(FileType::Directory) => Some(true),
                _ => None,
            };
            listing.keep(entry.file_name().to_bytes(), is_dir);
        }
        Some(listing)
    }

    #[cfg(not(target_os = "linux"))]
    fn of(dir: &Path) -> Option<Listing> {
        use std::os::unix::ffi::OsStrExt;
        let mut listing = Listing::new();
        for entry in std::fs::read_dir(dir).ok()?.flatten() {
            let is_dir = entry.file_type().ok().filter(|k| k.is_file() || k.is_dir()).map(|k| k.is_dir());
            listing.keep(entry.file_name().as_bytes(), is_dir);
        }
        Some(listing)
    }
}

/// The ignore files (`.gitignore`, then `.ignore`, which wins) of the directories of a folder,
/// each read once when first needed; and for each directory, the rules that apply to its
/// entries, nearest first, found once (the walk asks for every entry: walking the ancestors of
/// each one cost a lookup, an allocation and a lock per ancestor).
struct IgnoreRules {
    root: PathBuf,
    by_dir: Mutex<HashMap<PathBuf, Option<Arc<Gitignore>>>>,
    chains: Mutex<HashMap<PathBuf, Chain>>,
}

/// The ignore files with a say on a directory's entries: its own and its ancestors' up to the
/// folder, nearest first.
type Chain = Arc<[Arc<Gitignore>]>;

impl IgnoreRules {
    fn new(root: &Path) -> IgnoreRules {
        IgnoreRules { root: root.to_path_buf(), by_dir: Mutex::default(), chains: Mutex::default() }
    }

    /// Whether the ignore file nearest to `path` with an opinion on it ignores it (the
    /// directories on its way are the caller's to check).
    fn ignores(&self, path: &Path, is_dir: bool) -> bool {
        let Some(dir) = path.parent().filter(|dir| dir.starts_with(&self.root)) else {
            return false;
        };
        IgnoreRules::decides_ignored(&self.chain(dir), path, is_dir)
    }

    /// Whether the nearest rules of `chain` (those of `path`'s directory) with an opinion on
    /// `path` ignore it.
    fn decides_ignored(chain: &Chain, path: &Path, is_dir: bool) -> bool {
        for rules in chain.iter() {
            match rules.matched(path, is_dir) {
                ignore::Match::None => continue,
                decided => return decided.is_ignore(),
            }
        }
        false
    }

    fn chain(&self, dir: &Path) -> Chain {
        if let Some(chain) = self.chains.lock().unwrap_or_else(|p| p.into_inner()).get(dir) {
            return chain.clone();
        }
        let dirs = dir.ancestors().take_while(|a| a.starts_with(&self.root));
        let chain: Chain = dirs.filter_map(|d| self.of(d)).collect();
        self.chains.lock().unwrap_or_else(|p| p.into_inner()).insert(dir.to_path_buf(), chain.clone());
        chain
    }

    fn of(&self, dir: &Path) -> Option<Arc<Gitignore>> {
        let mut cache = self.by_dir.lock().unwrap_or_else(|p| p.into_inner());
        cache.entry(dir.to_path_buf()).or_insert_with(|| read_rules(dir)).clone()
    }
}

/// The rules of one directory's ignore files, `None` when it has none.
fn read_rules(dir: &Path) -> Option<Arc<Gitignore>> {
    let mut builder = GitignoreBuilder::new(dir);
    for name in [".gitignore", ".ignore"] {
        let file = dir.join(name);
        if file.is_file() {
            // A malformed line is skipped; the rest of the file still applies.
            let _ = builder.add(file);
        }
    }
    builder.build().ok().filter(|rules| !rules.is_empty()).map(Arc::new)
}

/// Files read by one thread in one go (see [`load`]).
const LOAD_PART: usize = 32;

/// Progress is reported about this many times over a load (and always at the end).
const PROGRESS_STEPS: usize = 100;

/// Reads and summarises files in parallel (rayon). Files that are not UTF-8 are transcoded;
/// unreadable files are skipped. `progress(done, total)` is called as files complete (from
/// worker threads), and the work stops early when `cancelled()` turns true. Paths come back as
/// given (an `Arc<Path>` is shared, not copied); summaries come owned, their lists possibly
/// with spare capacity ([`crate::workspace::Index::upsert_loaded`] trims what it keeps whole).
pub fn load<P: AsRef<Path> + Clone + Send + Sync>(
    paths: &[P],
    progress: &(dyn Fn(usize, usize) + Sync),
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Vec<(P, ArticleSummary)> {
    let total = paths.len();
    let every = (total / PROGRESS_STEPS).max(1);
    let done = AtomicUsize::new(0);
    // Each result is written once into its slot (a summary is a few hundred bytes, and
    // rayon's collect of a filtered iterator moved each through lists of parts).
    let mut slots: Vec<Option<(P, ArticleSummary)>> = Vec::with_capacity(total);
    paths
        .par_iter()
        // Parts of at most this many files: a thread that runs out of work waits for the
        // other to finish its part, and rayon's own halving leaves parts of hundreds of files.
        .with_max_len(LOAD_PART)
        // Each part keeps the directory of its last file open: the walk lists a directory's
        // files together, so most files are opened by their name.
        .map_init(
            || None,
            |directory, path| {
                if cancelled() {
                    return None;
                }
                let summary = read_summary(path.as_ref(), directory);
                let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                if n % every == 0 && n < total {
                    progress(n, total);
                }
                Some((path.clone(), summary?))
            },
        )
        .collect_into_vec(&mut slots);
    progress(done.load(Ordering::Relaxed), total);
    slots.into_iter().flatten().collect()
}

/// The summary of the file at `path`, opened in `directory` when that is its directory (which
/// becomes its directory otherwise, when it can be opened).
fn read_summary(path: &Path, directory: &mut Option<files::Directory>) -> Option<ArticleSummary> {
    thread_local! {
        /// Each loading thread reads every file into one buffer instead of allocating per file.
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BUFFER.with_borrow_mut(|bytes| {
        let read = read_file(path, directory, bytes);
        let file = read.ok().and_then(|len| bytes.get(..len));
        let summary = file.map(|file| summarize_for_index(&text_to_summarize(file)));
        // A rare huge file must not stay held by the thread.
        if bytes.capacity() > KEPT_BUFFER {
            *bytes = Vec::new();
        }
        summary
    })
}

/// Reads the file at `path` into `bytes`, by its name in `directory` when it is there.
fn read_file(path: &Path, directory: &mut Option<files::Directory>, bytes: &mut Vec<u8>) -> Result<usize, String> {
    let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
        return files::read_into(path, bytes);
    };
    if directory.as_ref().is_none_or(|d| d.path() != parent) {
        *directory = files::Directory::open(parent).ok();
    }
    match directory {
        Some(directory) => directory.read_into(name, bytes),
        None => files::read_into(path, bytes),
    }
}

/// The text of a file's bytes that its summary reads. Bytes that are not UTF-8 are decoded
/// whole, by detection (costly: every candidate encoding reads every byte after the first
/// non-ASCII one), unless they open with a front matter that is ASCII and closed before the
/// first byte that is not: its summary reads nothing else, and every encoding detection can
/// pick reads ASCII as ASCII, so that prefix is the decoded text's.
fn text_to_summarize(bytes: &[u8]) -> Cow<'_, str> {
    // simdutf8: validating every file of a workspace with std's check was a visible share.
    match simdutf8::basic::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => ascii_front_matter(bytes).map_or_else(|| encoding::decode(bytes).text, Cow::Borrowed),
    }
}

/// The bytes up to the end of the closing line of a front matter, when all of them are ASCII.
fn ascii_front_matter(bytes: &[u8]) -> Option<&str> {
    let ascii = std::str::from_utf8(&bytes[..encoding_rs::Encoding::ascii_valid_up_to(bytes)]).ok()?;
    let closer = layout::split(ascii).front_matter?.closer?;
    // The closing line must end within the ASCII bytes, or what follows could spoil it.
    let line_end = memchr::memchr2(b'\n', b'\r', &ascii.as_bytes()[closer.end..])?;
    ascii.get(..closer.end + line_end + 1)
}

/// The largest read buffer a loading thread keeps between files.
const KEPT_BUFFER: usize = 1 << 20;
