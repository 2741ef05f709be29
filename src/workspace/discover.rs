//! Finding and reading the article files of workspace folders (the only IO in `workspace`).
//!
//! The walk tolerates a hostile tree: symlinks are not followed (so loops and links out of the
//! folder cost nothing), `.gitignore`d directories are never entered, and entries that are not
//! regular files (FIFOs, sockets, devices) are skipped. Reading goes through `files::read`, which
//! never blocks on a file swapped for a FIFO after the walk; a file that is unreadable, deleted
//! or replaced by a directory by the time it is read is skipped, and one rewritten meanwhile is
//! read as it is then (the watcher reports the change).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use super::summary::{ArticleSummary, summarize};
use crate::analysis::encoding;
use crate::config::Config;
use crate::files;

/// Article files under `root`, honouring `.gitignore` and the configuration's globs
/// (`config_for` gives the configuration that applies in a directory).
pub fn discover(root: &Path, config_for: &(dyn Fn(&Path) -> Config + Sync)) -> Vec<PathBuf> {
    let walker = ignore::WalkBuilder::new(root)
        .require_git(false)
        .follow_links(false)
        // Ignore rules come from inside the folder only: no global git configuration or
        // excludes file, no `.gitignore` above the folder (the server reads nothing outside).
        .git_global(false)
        .parents(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .build();
    // Files of one directory come together: ask for its configuration once.
    let mut current: Option<(PathBuf, Config)> = None;
    let mut found = Vec::new();
    for entry in walker.flatten() {
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.path();
        let dir = path.parent().unwrap_or(root);
        if current.as_ref().is_none_or(|(d, _)| d != dir) {
            current = Some((dir.to_path_buf(), config_for(dir)));
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

/// Progress is reported about this many times over a load (and always at the end).
const PROGRESS_STEPS: usize = 100;

/// Reads and summarises files in parallel (rayon). Files that are not UTF-8 are transcoded;
/// unreadable files are skipped. `progress(done, total)` is called as files complete (from
/// worker threads), and the work stops early when `cancelled()` turns true. Paths come back as
/// given (an `Arc<Path>` is shared, not copied).
pub fn load<P: AsRef<Path> + Clone + Send + Sync>(
    paths: &[P],
    progress: &(dyn Fn(usize, usize) + Sync),
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Vec<(P, ArticleSummary)> {
    let total = paths.len();
    let every = (total / PROGRESS_STEPS).max(1);
    let done = AtomicUsize::new(0);
    let loaded: Vec<(P, ArticleSummary)> = paths
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

fn read_summary(path: &Path) -> Option<ArticleSummary> {
    let bytes = files::read(path).ok()?;
    let decoded = encoding::decode(&bytes);
    Some(summarize(&decoded.text))
}
