//! Finding and reading the article files of workspace folders (the only IO in `workspace`).

use std::path::{Path, PathBuf};

use super::summary::ArticleSummary;
use crate::config::Config;

/// Article files under `root`, honouring `.gitignore` and the configuration's globs
/// (`config_for` gives the configuration that applies in a directory).
pub fn discover(root: &Path, config_for: &(dyn Fn(&Path) -> Config + Sync)) -> Vec<PathBuf> {
    let _ = (root, config_for);
    Vec::new()
}

/// Reads and summarises files in parallel (rayon). Files that are not UTF-8 are transcoded;
/// unreadable files are skipped. `progress(done, total)` is called as files complete (from
/// worker threads), and the work stops early when `cancelled()` turns true.
pub fn load(
    paths: &[PathBuf],
    progress: &(dyn Fn(usize, usize) + Sync),
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Vec<(PathBuf, ArticleSummary)> {
    let _ = (paths, progress, cancelled);
    Vec::new()
}
