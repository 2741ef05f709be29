//! The workspace index in the background: discovery and parallel parsing with `$/progress`,
//! file watching, and configuration reloads.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tower_lsp_server::ls_types::notification::Progress;
use tower_lsp_server::ls_types::*;

use super::shared::Shared;
use super::to_lsp;
use crate::analysis;
use crate::config::{self, Config};
use crate::workspace::{self, summarize};

/// Files are parsed and added to the index in batches of this many, so requests see a growing
/// index long before the last batch is in.
const BATCH: usize = 2_000;

/// Progress reports are sent at most this often (clients redraw on each).
const REPORT_EVERY: Duration = Duration::from_millis(100);

/// Registers for changes of article files and configuration files (when the client can).
pub async fn watch_files(shared: &Shared) {
    if !shared.lock().caps.watched_files_registration {
        return;
    }
    let mut watchers: Vec<FileSystemWatcher> = ["**/*.{md,markdown,txt}", "**/article-lsp.toml"]
        .into_iter()
        .map(|glob| FileSystemWatcher { glob_pattern: GlobPattern::String(glob.into()), kind: None })
        .collect();
    // Directories too (created and deleted): a directory moved or unpacked into the workspace
    // reports only itself, and so does one written right after `mkdir` under VS Code on Linux
    // (its watcher adds the new directory's inotify watch after the files are already there).
    watchers.push(FileSystemWatcher {
        glob_pattern: GlobPattern::String("**/*".into()),
        kind: Some(WatchKind::Create | WatchKind::Delete),
    });
    let options = DidChangeWatchedFilesRegistrationOptions { watchers };
    let registration = Registration {
        id: "article-lsp-watched-files".into(),
        method: "workspace/didChangeWatchedFiles".into(),
        register_options: serde_json::to_value(options).ok(),
    };
    if let Err(err) = shared.client.register_capability(vec![registration]).await {
        shared.client.log_message(MessageType::WARNING, format!("cannot watch files: {err}")).await;
    }
}

/// Discovers and indexes every article under the workspace folders, reporting progress.
pub async fn index_workspace(shared: &Shared) {
    let roots = shared.lock().roots.clone();
    index_folders(shared, roots, "article-lsp/indexing".into()).await;
}

/// Discovers and indexes every article under `roots`, reporting progress under `token`.
pub async fn index_folders(shared: &Shared, roots: Vec<PathBuf>, token: String) {
    let (progress_supported, enabled) = {
        let state = shared.lock();
        (state.caps.work_done_progress, state.settings.index_workspace.unwrap_or(true))
    };
    if roots.is_empty() || !enabled {
        return;
    }
    let token = NumberOrString::String(token);
    let progress = progress_supported && shared.client.create_work_done_progress(token.clone()).await.is_ok();
    if progress {
        let begin = WorkDoneProgressBegin {
            title: "Indexing articles".into(),
            cancellable: Some(false),
            message: Some("finding files".into()),
            percentage: Some(0),
        };
        send_progress(shared, &token, WorkDoneProgress::Begin(begin)).await;
    }
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(usize, usize)>();
    let worker = {
        let shared = shared.clone();
        tokio::task::spawn_blocking(move || {
            index_roots(&shared, &roots, &|done, total| {
                let _ = tx.send((done, total));
            })
        })
    };
    let mut last_report = Instant::now();
    while let Some((done, total)) = rx.recv().await {
        if progress && (last_report.elapsed() >= REPORT_EVERY || done == total) {
            last_report = Instant::now();
            let percentage = (done * 100).checked_div(total).unwrap_or(100) as u32;
            let report = WorkDoneProgressReport {
                cancellable: Some(false),
                message: Some(format!("{done}/{total} files")),
                percentage: Some(percentage),
            };
            send_progress(shared, &token, WorkDoneProgress::Report(report)).await;
        }
    }
    let Counted { indexed, unreadable } = worker.await.unwrap_or_default();
    let mut message = format!("{indexed} articles indexed");
    if unreadable > 0 {
        message.push_str(&format!("; {unreadable} could not be read"));
        shared
            .client
            .log_message(
                MessageType::WARNING,
                format!("indexing: {unreadable} files could not be read (permissions, or removed meanwhile)"),
            )
            .await;
    }
    if progress {
        let end = WorkDoneProgressEnd { message: Some(message) };
        send_progress(shared, &token, WorkDoneProgress::End(end)).await;
    }
    workspace_changed(shared).await;
}

async fn send_progress(shared: &Shared, token: &ProgressToken, value: WorkDoneProgress) {
    let params = ProgressParams { token: token.clone(), value: ProgressParamsValue::WorkDone(value) };
    shared.client.send_notification::<Progress>(params).await;
}

/// What an indexing pass read: articles indexed, and files found but not readable.
#[derive(Debug, Default, Clone, Copy)]
struct Counted {
    indexed: usize,
    unreadable: usize,
}

/// Runs on a blocking thread: discovers, parses in parallel and fills the index in batches.
/// Loading the next batch (both cores, rayon) overlaps adding the last one to the index, which
/// is serial under the index lock; each path is allocated once and shared by the index.
fn index_roots(shared: &Shared, roots: &[PathBuf], progress: &(dyn Fn(usize, usize) + Sync)) -> Counted {
    let configs = ConfigCache::default();
    let mut paths: Vec<Arc<Path>> = Vec::new();
    for root in roots {
        paths.extend(workspace::discover::discover_shared(root, &|dir: &Path| configs.get(dir)));
    }
    let total = paths.len();
    progress(0, total);
    // The loader runs ahead of the batch being added: report only counts that grew, and at
    // most twice per `REPORT_EVERY` but for the last (each report wakes the async side, and a
    // report every few files of a large workspace was thousands of thread wake-ups).
    let reported = AtomicUsize::new(0);
    let started = Instant::now();
    let last_report_ms = AtomicU64::new(0);
    let progress = &|done: usize, total: usize| {
        let now_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let since_last = Duration::from_millis(now_ms.saturating_sub(last_report_ms.load(Ordering::Relaxed)));
        let due = done == total || since_last >= REPORT_EVERY / 2;
        if due && reported.fetch_max(done, Ordering::Relaxed) < done {
            last_report_ms.store(now_ms, Ordering::Relaxed);
            progress(done, total);
        }
    };
    // One batch in flight while the previous one is added: memory stays bounded.
    let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Vec<(Arc<Path>, workspace::ArticleSummary)>)>(1);
    let mut counted = Counted::default();
    std::thread::scope(|scope| {
        let paths = &paths;
        scope.spawn(move || {
            let mut done = 0;
            for batch in paths.chunks(BATCH) {
                if shared.is_cancelled() {
                    break;
                }
                let base = done;
                let loaded =
                    workspace::discover::load(batch, &|n, _| progress(base + n, total), &|| shared.is_cancelled());
                done += batch.len();
                if tx.send((batch.len(), loaded)).is_err() {
                    break;
                }
            }
        });
        // The index makes room for every file while the first batch loads.
        shared.index_mut().reserve(total);
        let mut done = 0;
        for (found, loaded) in rx {
            done += found;
            if !shared.is_cancelled() {
                counted.indexed += loaded.len();
                counted.unreadable += found - loaded.len();
            }
            add_batch(shared, loaded);
            progress(done, total);
        }
    });
    counted
}

/// Adds loaded summaries to the index, except those of open documents (their own text is newer
/// than the file on disk).
fn add_batch(shared: &Shared, loaded: Vec<(Arc<Path>, workspace::ArticleSummary)>) {
    let open: Vec<PathBuf> = shared.lock().documents.values().filter_map(|d| d.path.clone()).collect();
    let mut index = shared.index_mut();
    for (path, summary) in loaded {
        if !open.iter().any(|o| **o == *path) {
            index.upsert_loaded(path, summary);
        }
    }
}

/// Configuration per directory for discovery, loaded once per file.
#[derive(Default)]
struct ConfigCache {
    by_dir: Mutex<HashMap<PathBuf, Config>>,
}

impl ConfigCache {
    fn get(&self, dir: &Path) -> Config {
        let mut cache = self.by_dir.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(config) = cache.get(dir) {
            return config.clone();
        }
        let config = config::find_config_file(dir).and_then(|f| Config::load(&f).ok()).unwrap_or_default();
        cache.insert(dir.to_path_buf(), config.clone());
        config
    }
}

/// Follows `workspace/didChangeWatchedFiles`: re-reads changed articles that are not open,
/// drops deleted ones (publishing an empty set for them), indexes the articles of a new
/// directory and drops those of a deleted one, reloads configuration. Events for paths outside
/// the workspace folders or reached through a symlink are ignored, and so are other files.
pub async fn files_changed(shared: &Shared, changes: Vec<FileEvent>) {
    let roots = shared.lock().roots.clone();
    let mut config_changed = false;
    let mut reread = Vec::new();
    let mut new_dirs = Vec::new();
    let mut gone = HashSet::new();
    let mut articles_deleted = false;
    // An article is reported by two watchers (its own glob and the directories' `**/*`).
    let mut seen = HashSet::new();
    for FileEvent { uri, typ } in changes {
        let Some(path) = uri.to_file_path().map(|p| p.into_owned()) else {
            continue;
        };
        let deleted = typ == FileChangeType::DELETED;
        if !seen.insert((path.clone(), deleted)) {
            continue;
        }
        if path.file_name().is_some_and(|n| n == config::FILE_NAME) {
            config_changed = true;
            continue;
        }
        if !in_workspace(&roots, &path) {
            continue;
        }
        if deleted && !has_article_extension(&path) {
            // Perhaps a directory: the articles indexed under it go with it.
            gone.insert(path);
        } else if deleted {
            articles_deleted = true;
            let state = shared.lock();
            shared.index_mut().remove(&path);
            if !state.documents.contains_key(&uri) {
                shared.publish(uri, None, Vec::new());
            }
        } else if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
            new_dirs.push(path);
        } else if has_article_extension(&path) {
            reread.push((uri, path));
        }
    }
    let forgotten = forget_under(shared, &gone);
    if !new_dirs.is_empty() {
        let found = tokio::task::spawn_blocking(move || articles_under(&roots, &new_dirs));
        reread.extend(found.await.unwrap_or_default());
    }
    let articles_changed = articles_deleted || forgotten > 0 || !reread.is_empty();
    if !reread.is_empty() {
        reread_in_background(shared, reread).await;
    }
    if config_changed {
        reload_configuration(shared).await;
    }
    // Other files (the directories' watcher reports every file created or deleted) change
    // nothing: open documents and the editor's views stay as they are.
    if config_changed || articles_changed {
        workspace_changed(shared).await;
    }
}

/// The extensions of the article files watched (`**/*.{md,markdown,txt}`).
fn has_article_extension(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "md" || e == "markdown" || e == "txt")
}

/// The articles under the directories `dirs`, found by the initial scan's rules (the
/// folder's `.gitignore` files and configuration apply), each directory walked alone.
fn articles_under(roots: &[PathBuf], dirs: &[PathBuf]) -> Vec<(Uri, PathBuf)> {
    let configs = ConfigCache::default();
    let mut paths = Vec::new();
    for dir in dirs {
        for root in roots.iter().filter(|root| dir.starts_with(root)) {
            paths.extend(workspace::discover::discover_under(root, dir, &|at: &Path| configs.get(at)));
        }
    }
    // A directory may be reported with one inside it, or lie in two nested folders.
    paths.sort();
    paths.dedup();
    paths.into_iter().filter_map(|path| Some((to_lsp::uri_of(&path)?, path))).collect()
}

/// Removes the indexed articles under the directories `gone` (deleted, or moved out of the
/// workspace), publishing an empty set for those that are not open. Returns how many went.
fn forget_under(shared: &Shared, gone: &HashSet<PathBuf>) -> usize {
    if gone.is_empty() {
        return 0;
    }
    let state = shared.lock();
    let mut index = shared.index_mut();
    let mut forgotten = 0;
    for path in index.paths() {
        if !path.ancestors().skip(1).any(|dir| gone.contains(dir)) {
            continue;
        }
        forgotten += 1;
        index.remove(&path);
        if let Some(uri) = to_lsp::uri_of(&path).filter(|uri| !state.documents.contains_key(uri)) {
            shared.publish(uri, None, Vec::new());
        }
    }
    forgotten
}

/// A document was closed: the index goes back to the file on disk (or forgets it if it is
/// gone), and cross-file findings of other documents follow.
pub async fn document_closed(shared: &Shared, uri: Uri, path: PathBuf) {
    reread_in_background(shared, vec![(uri, path)]).await;
    workspace_changed(shared).await;
}

async fn reread_in_background(shared: &Shared, files: Vec<(Uri, PathBuf)>) {
    let worker = shared.clone();
    let outcome = tokio::task::spawn_blocking(move || reread_files(&worker, files)).await;
    let problems = outcome.unwrap_or_else(|err| vec![format!("re-reading files failed: {err}")]);
    for problem in problems {
        shared.client.log_message(MessageType::WARNING, problem).await;
    }
}

/// Whether a watched-file event concerns a file we index: inside a workspace folder and reached
/// without a symlink (the initial scan skips symlinks too, so no file outside the folders
/// enters the index through one).
fn in_workspace(roots: &[PathBuf], path: &Path) -> bool {
    let Some(root) = roots.iter().find(|root| path.starts_with(root)) else {
        return false;
    };
    let Ok(rest) = path.strip_prefix(root) else {
        return false;
    };
    let mut at = root.clone();
    for part in rest.components() {
        if !matches!(part, std::path::Component::Normal(_)) {
            return false;
        }
        at.push(part);
        if std::fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
            return false;
        }
    }
    true
}

/// Re-reads files that are not open into the index; a file that is gone or not a regular file
/// leaves it. Returns what could not be read, for the log.
fn reread_files(shared: &Shared, files: Vec<(Uri, PathBuf)>) -> Vec<String> {
    let mut problems = Vec::new();
    for (uri, path) in files {
        if shared.lock().documents.contains_key(&uri) {
            continue;
        }
        match read_file(&path) {
            Ok(bytes) => {
                let summary = summarize(&analysis::encoding::decode(&bytes).text);
                let state = shared.lock();
                // Opened again while we read: the open document wins over the disk.
                if !state.documents.contains_key(&uri) {
                    shared.index_mut().upsert(path, Arc::new(summary));
                }
            }
            Err(why) => {
                if path.exists() {
                    problems.push(format!("{}: {why}", path.display()));
                }
                shared.index_mut().remove(&path);
            }
        }
    }
    problems
}

/// Reads an article file without ever blocking on a FIFO, socket or device.
pub fn read_file(path: &Path) -> Result<Vec<u8>, String> {
    crate::files::read(path)
}

/// The decoded text of a file on disk, for positions in files that are not open.
pub fn read_text(path: &Path) -> Option<String> {
    let bytes = read_file(path).ok()?;
    Some(analysis::encoding::decode(&bytes).text.into_owned())
}

/// A configuration file changed: forget loaded configurations, show errors of configuration
/// files as diagnostics on them, re-check open documents.
pub async fn reload_configuration(shared: &Shared) {
    let mut state = shared.lock();
    state.reload_configs();
    let files: Vec<PathBuf> = state.roots.iter().filter_map(|r| config::find_config_file(r)).collect();
    let extra: Vec<PathBuf> = state
        .documents
        .values()
        .filter_map(|d| d.path.as_deref()?.parent().map(|p| p.to_path_buf()))
        .filter_map(|dir| config::find_config_file(&dir))
        .chain(files)
        .collect();
    publish_config_errors(shared, &mut state, &extra);
    shared.recheck_all(&mut state);
}

/// Diagnostics on `article-lsp.toml` files themselves (of `files` and of every configuration
/// loaded so far), published when a file's state changed since the last publication.
pub fn publish_config_errors(shared: &Shared, state: &mut super::state::State, files: &[PathBuf]) {
    let encoding = state.encoding;
    for (path, error) in state.config_errors(files) {
        let Some(uri) = to_lsp::uri_of(&path) else {
            continue;
        };
        let message = error.as_ref().map(|e| e.to_string());
        if state.config_reported.get(&path) == Some(&message) {
            continue;
        }
        state.config_reported.insert(path.clone(), message);
        let diagnostics = match error {
            None => Vec::new(),
            Some(err) => {
                let text = read_text(&path).unwrap_or_default();
                let range = err.span.clone().unwrap_or(0..text.find('\n').unwrap_or(text.len()));
                let location = to_lsp::location_in_text(uri.clone(), &text, &range, encoding);
                vec![tower_lsp_server::ls_types::Diagnostic {
                    range: location.range,
                    severity: Some(DiagnosticSeverity::ERROR),
                    code: Some(NumberOrString::String("config".into())),
                    source: Some(to_lsp::SOURCE.into()),
                    message: err.message.clone(),
                    ..Default::default()
                }]
            }
        };
        shared.publish(uri, None, diagnostics);
    }
}

/// Cross-file findings may have changed: re-publish open documents, and ask pulling clients
/// to pull again.
pub async fn workspace_changed(shared: &Shared) {
    let refresh = {
        let mut state = shared.lock();
        if state.shutting_down {
            return;
        }
        shared.republish_all(&mut state);
        state.caps.pull_diagnostics && state.caps.diagnostic_refresh
    };
    if refresh {
        let _ = shared.client.workspace_diagnostic_refresh().await;
    }
    refresh_views(shared);
}

/// Asks the client to re-request the code lenses, inlay hints and semantic tokens it shows
/// (where it supports that): their content follows the index ("cited by N articles", a related
/// entry's provider) and the settings (which hints are on). Not awaited: a client slow to
/// answer must not hold up the handler that changed the workspace.
pub fn refresh_views(shared: &Shared) {
    let caps = shared.lock().caps;
    let client = shared.client.clone();
    tokio::spawn(async move {
        if caps.code_lens_refresh {
            let _ = client.code_lens_refresh().await;
        }
        if caps.inlay_hint_refresh {
            let _ = client.inlay_hint_refresh().await;
        }
        if caps.semantic_tokens_refresh {
            let _ = client.semantic_tokens_refresh().await;
        }
    });
}
