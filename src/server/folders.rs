//! Multi-root workspaces: `workspace/didChangeWorkspaceFolders`. An added folder is indexed in
//! the background with its own progress; a removed one leaves the index (and its files'
//! diagnostics are cleared). Each folder's articles use their nearest `article-lsp.toml`, so a
//! folder brings its own configuration.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use tower_lsp_server::ls_types::{DidChangeWorkspaceFoldersParams, WorkspaceFolder};

use super::indexer;
use super::shared::Shared;
use super::to_lsp;

pub async fn folders_changed(shared: &Shared, params: DidChangeWorkspaceFoldersParams) {
    let removed = paths(&params.event.removed);
    let added = paths(&params.event.added);
    if !removed.is_empty() {
        remove_folders(shared, &removed);
    }
    if !added.is_empty() {
        shared.lock().roots.extend(added.iter().cloned());
        // Each run has its own progress token: two folders added in a row may index at once.
        static RUNS: AtomicU64 = AtomicU64::new(0);
        let token = format!("article-lsp/indexing/folder-{}", RUNS.fetch_add(1, Ordering::Relaxed));
        let shared = shared.clone();
        tokio::spawn(async move { indexer::index_folders(&shared, added, token).await });
    } else {
        indexer::workspace_changed(shared).await;
    }
}

fn paths(folders: &[WorkspaceFolder]) -> Vec<PathBuf> {
    folders.iter().filter_map(|f| f.uri.to_file_path().map(|p| p.into_owned())).collect()
}

/// Forgets the folders and every indexed file that no remaining folder contains; closed files
/// among them get an empty diagnostic set.
fn remove_folders(shared: &Shared, removed: &[PathBuf]) {
    let mut state = shared.lock();
    state.roots.retain(|root| !removed.contains(root));
    let remaining = state.roots.clone();
    let kept = |path: &Path| remaining.iter().any(|root| path.starts_with(root));
    let gone: Vec<PathBuf> = shared
        .index()
        .paths()
        .into_iter()
        .filter(|p| removed.iter().any(|root| p.starts_with(root)) && !kept(p))
        .collect();
    let mut index = shared.index_mut();
    for path in &gone {
        index.remove(path);
    }
    drop(index);
    for uri in gone.iter().filter_map(|p| to_lsp::uri_of(p)) {
        if !state.documents.contains_key(&uri) {
            shared.publish(uri, None, Vec::new());
        }
    }
}
