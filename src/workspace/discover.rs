//! Finding and reading the article files of workspace folders (the only IO in `workspace`).
//!
//! The walk tolerates a hostile tree: symlinks are not followed (so loops and links out of the
//! folder cost nothing), `.gitignore`d directories are never entered, and entries that are not
//! regular files (FIFOs, sockets, devices) are skipped. Reading goes through `files::read`, which
//! never blocks on a file swapped for a FIFO after the walk; a file that is unreadable, deleted
//! or replaced by a directory by the time it is read is skipped, and one rewritten meanwhile is
//! read as it is then (the watcher reports the change).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use rayon::prelude::*;

use super::skim::summarize;
use super::summary::ArticleSummary;
use crate::analysis::encoding;
use crate::config::Config;
use crate::files;

/// Article files under `root`, honouring `.gitignore` and the configuration's globs
/// (`config_for` gives the configuration that applies in a directory).
pub fn discover(root: &Path, config_for: &(dyn Fn(&Path) -> Config + Sync)) -> Vec<PathBuf> {
    discover_under(root, root, config_for)
}

/// The article files under `dir`, a directory inside `root`, exactly as [`discover`] of `root`
/// would find them, walking `dir` alone (a new directory reported by the watcher costs its own
/// files, not the whole folder). The ignore files of every directory from `root` down apply,
/// a deeper one overriding a shallower one as in the walk from the root; that equality is
/// tested in `tests/workspace.rs`.
pub fn discover_under(root: &Path, dir: &Path, config_for: &(dyn Fn(&Path) -> Config + Sync)) -> Vec<PathBuf> {
    let Ok(inside) = dir.strip_prefix(root) else {
        return Vec::new();
    };
    // Hidden directories are skipped by the walk from `root`, and so is all below them.
    let hidden = inside.components().any(|c| c.as_os_str().to_str().is_some_and(|c| c.starts_with('.')));
    let rules = Arc::new(IgnoreRules::new(root));
    let on_the_way = dir.ancestors().take_while(|a| a.starts_with(root) && *a != root);
    if hidden || on_the_way.into_iter().any(|a| rules.ignores(a, true)) {
        return Vec::new();
    }
    let filter = rules.clone();
    let walker = ignore::WalkBuilder::new(dir)
        .standard_filters(false)
        .hidden(true)
        .follow_links(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .filter_entry(move |entry| {
            // The walk already knows the entry's type (from the directory listing): asking the
            // file system again (`Path::is_dir`) cost a `statx` per file.
            entry.depth() == 0 || !filter.ignores(entry.path(), entry.file_type().is_some_and(|t| t.is_dir()))
        })
        .build();
    // Files of one directory come together: ask for its configuration once.
    let mut current: Option<(PathBuf, Config)> = None;
    let mut found = Vec::new();
    for entry in walker.flatten() {
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.path();
        let parent = path.parent().unwrap_or(dir);
        if current.as_ref().is_none_or(|(d, _)| d != parent) {
            current = Some((parent.to_path_buf(), config_for(parent)));
        }
        let Some((_, config)) = &current else {
            continue;
        };
        if config.is_article_in(root, path) {
            found.push(path.to_path_buf());
        }
    }
    found.sort();
    found
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
        for rules in self.chain(dir).iter() {
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

/// Progress is reported about this many times over a load (and always at the end).
const PROGRESS_STEPS: usize = 100;

/// Reads and summarises files in parallel (rayon). Files that are not UTF-8 are transcoded;
/// unreadable files are skipped. `progress(done, total)` is called as files complete (from
/// worker threads), and the work stops early when `cancelled()` turns true. Paths come back as
/// given (an `Arc<Path>` is shared, not copied); summaries come in the `Arc` the index keeps,
/// allocated by the worker threads.
pub fn load<P: AsRef<Path> + Clone + Send + Sync>(
    paths: &[P],
    progress: &(dyn Fn(usize, usize) + Sync),
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Vec<(P, Arc<ArticleSummary>)> {
    let total = paths.len();
    let every = (total / PROGRESS_STEPS).max(1);
    let done = AtomicUsize::new(0);
    let loaded: Vec<(P, Arc<ArticleSummary>)> = paths
        .par_iter()
        .filter_map(|path| {
            if cancelled() {
                return None;
            }
            let summary = read_summary(path.as_ref());
            let n = done.fetch_add(1, Ordering::Relaxed) + 1;
            if n % every == 0 && n < total {
                progress(n, total);
            }
            Some((path.clone(), summary?))
        })
        .collect();
    progress(done.load(Ordering::Relaxed), total);
    loaded
}

fn read_summary(path: &Path) -> Option<Arc<ArticleSummary>> {
    thread_local! {
        /// Each loading thread reads every file into one buffer instead of allocating per file.
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BUFFER.with_borrow_mut(|bytes| {
        let read = files::read_into(path, bytes);
        let summary = read.ok().map(|()| Arc::new(summarize(&encoding::decode(bytes).text).for_index()));
        // A rare huge file must not stay held by the thread.
        if bytes.capacity() > KEPT_BUFFER {
            *bytes = Vec::new();
        }
        summary
    })
}

/// The largest read buffer a loading thread keeps between files.
const KEPT_BUFFER: usize = 1 << 20;
