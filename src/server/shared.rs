//! What every handler and background job shares, and the ordered paths through which analysis
//! results are installed and published.
//!
//! Ordering: mutations happen under the state lock, synchronously, in the order handlers run
//! (tower-lsp-server starts handlers in arrival order; we never `.await` before mutating).
//! CPU-heavy analysis runs on blocking threads against a snapshot `(rope, version)`; its result
//! is installed only if the document is still at that version, and publications go through one
//! channel to one task, in the order they were queued, so diagnostics of an older version are
//! never published after those of a newer one.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

use tokio::sync::mpsc;
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{self as lsp, Uri};

use super::document::Pending;
use super::incremental::{Analysis, check_front};
use super::state::State;
use super::to_lsp;
use crate::analysis::{self, Code, Diagnostic};
use crate::workspace::{ArticleSummary, Index};

/// A set of diagnostics to publish.
#[derive(Debug)]
pub struct Publication {
    pub uri: Uri,
    pub version: Option<i32>,
    pub diagnostics: Vec<lsp::Diagnostic>,
}

#[derive(Clone)]
pub struct Shared {
    pub client: Client,
    state: Arc<Mutex<State>>,
    index: Arc<RwLock<Index>>,
    publications: mpsc::UnboundedSender<Publication>,
    /// Set on shutdown: background indexing stops.
    pub cancelled: Arc<AtomicBool>,
    /// Woken whenever a document's findings are assembled (pull requests wait on it).
    pub findings_ready: Arc<tokio::sync::Notify>,
}

impl Shared {
    /// Creates the shared state and starts the publishing task (call inside the runtime).
    pub fn new(client: Client) -> Shared {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(publish_in_order(client.clone(), rx));
        Shared {
            client,
            state: Arc::default(),
            index: Arc::default(),
            publications: tx,
            cancelled: Arc::default(),
            findings_ready: Arc::default(),
        }
    }

    /// The state lock. A panic elsewhere must not take the server down with it, so a poisoned
    /// lock is taken over.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn index(&self) -> RwLockReadGuard<'_, Index> {
        self.index.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn index_mut(&self) -> RwLockWriteGuard<'_, Index> {
        self.index.write().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    /// Queues diagnostics for publishing (call while holding the state lock, to keep order).
    pub fn publish(&self, uri: Uri, version: Option<i32>, diagnostics: Vec<lsp::Diagnostic>) {
        let _ = self.publications.send(Publication { uri, version, diagnostics });
    }

    /// After a document changed: publish now, or schedule what is left to analyse. At most one
    /// job runs per document; a job whose version went stale is followed by one for the
    /// current version, so the last edit always gets its diagnostics.
    pub fn after_change(&self, state: &mut State, uri: &Uri, pending: Pending) {
        let Some(doc) = state.documents.get_mut(uri) else {
            return;
        };
        doc.needs = doc.needs.max(pending);
        match (doc.needs, doc.job_running) {
            (Pending::Nothing, _) => self.publish_current(state, uri),
            (_, true) => {}
            (_, false) => self.start_job(state, uri),
        }
    }

    /// Re-checks every open document's front matter (the configuration changed; per-line
    /// findings do not depend on it).
    pub fn recheck_all(&self, state: &mut State) {
        let uris: Vec<Uri> = state.documents.keys().cloned().collect();
        for uri in uris {
            if let Some(analysis) = state.documents.get_mut(&uri).and_then(|d| d.analysis.as_mut()) {
                analysis.front_dirty = true;
            }
            self.after_change(state, &uri, Pending::FrontMatter);
        }
    }

    /// Runs the document's pending analysis on a blocking thread against a snapshot.
    fn start_job(&self, state: &mut State, uri: &Uri) {
        let Some(doc) = state.documents.get(uri) else {
            return;
        };
        let (rope, version, path, kind) = (doc.rope.clone(), doc.version, doc.path.clone(), doc.needs);
        let opening = doc.opening;
        let kind = if doc.analysis.is_none() { Pending::Everything } else { kind };
        let config = state.config_for(path.as_deref());
        let now = state.settings.now();
        if let Some(doc) = state.documents.get_mut(uri) {
            doc.job_running = true;
        }
        let shared = self.clone();
        let uri = uri.clone();
        tokio::task::spawn_blocking(move || {
            let result = match kind {
                Pending::Everything => {
                    let (analysis, summary) = Analysis::full(&rope, &config, now);
                    JobResult::Full(analysis, summary)
                }
                _ => JobResult::Front(check_front(&rope, &config, now)),
            };
            shared.finish_job(&uri, (opening, version), result, path);
        });
    }

    fn finish_job(&self, uri: &Uri, (opening, version): (u64, i32), result: JobResult, path: Option<PathBuf>) {
        let mut state = self.lock();
        let Some(doc) = state.documents.get_mut(uri) else {
            return;
        };
        if doc.opening != opening {
            // The document was closed and opened again: this job belongs to the old one.
            return;
        }
        doc.job_running = false;
        if doc.version != version {
            // Stale: edits arrived meanwhile. Analyse the current text instead.
            self.after_change(&mut state, uri, Pending::Nothing);
            return;
        }
        let summary = match result {
            JobResult::Full(analysis, summary) => {
                doc.analysis = Some(analysis);
                summary
            }
            JobResult::Front(front) => {
                let Some(analysis) = doc.analysis.as_mut() else {
                    return;
                };
                analysis.install_front(&doc.rope, &front);
                front.summary
            }
        };
        doc.needs = Pending::Nothing;
        if let Some(path) = path {
            self.index_mut().upsert(path, Arc::new(summary));
        }
        self.publish_current(&mut state, uri);
    }

    /// Assembles the document's findings for its current version, remembers them (code actions
    /// read them) and pushes them unless the client pulls.
    pub fn publish_current(&self, state: &mut State, uri: &Uri) {
        let Some(doc) = state.documents.get(uri) else {
            return;
        };
        match &doc.analysis {
            Some(cached) if !cached.front_dirty => {}
            _ => return,
        }
        let path = doc.path.clone();
        let config = state.config_for(path.as_deref());
        let Some(doc) = state.documents.get_mut(uri) else {
            return;
        };
        let mut findings = doc.analysis.as_ref().map(|a| a.diagnostics(&doc.rope, &config)).unwrap_or_default();
        if let Some(path) = &path {
            let workspace = self.index().workspace_diagnostics(path);
            findings.extend(analysis::apply_severities(workspace, &config));
            findings.sort_by_key(|d| (d.range.start, d.range.end, d.code));
        }
        let encoding = state.encoding;
        let lsp_diagnostics = self.to_lsp_diagnostics(&doc.rope, uri, &findings, encoding);
        doc.findings = Some((doc.version, Arc::new(findings)));
        self.findings_ready.notify_waiters();
        if !state.caps.pull_diagnostics {
            self.publish(uri.clone(), Some(doc.version), lsp_diagnostics);
        }
    }

    /// LSP diagnostics, with `duplicate-url` pointing at the other files.
    pub fn to_lsp_diagnostics(
        &self,
        rope: &ropey::Rope,
        uri: &Uri,
        findings: &[Diagnostic],
        encoding: crate::line_index::PositionEncoding,
    ) -> Vec<lsp::Diagnostic> {
        findings
            .iter()
            .map(|d| {
                let mut out = to_lsp::diagnostic(rope, uri, d, encoding);
                if d.code == Code::DuplicateUrl {
                    let url = rope.byte_slice(d.range.clone()).to_string();
                    let others = self.other_files_with_url(url.trim_matches(['"', '\'']), uri, encoding);
                    if !others.is_empty() {
                        out.related_information.get_or_insert_with(Vec::new).extend(others);
                    }
                }
                out
            })
            .collect()
    }

    fn other_files_with_url(
        &self,
        url: &str,
        this: &Uri,
        encoding: crate::line_index::PositionEncoding,
    ) -> Vec<lsp::DiagnosticRelatedInformation> {
        let index = self.index();
        let mut out = Vec::new();
        for (path, summary) in index.articles_with_url(url) {
            let Some(uri) = to_lsp::uri_of(path) else {
                continue;
            };
            if &uri == this {
                continue;
            }
            let span = summary.web_url.as_ref().filter(|u| u.value == url).or(summary.original_url.as_ref());
            let text =
                std::fs::read(path).map(|b| analysis::encoding::decode(&b).text.into_owned()).unwrap_or_default();
            let range = span.map(|s| s.span.clone()).unwrap_or(0..0);
            out.push(lsp::DiagnosticRelatedInformation {
                location: to_lsp::location_in_text(uri, &text, &range, encoding),
                message: format!("the same URL is used by {}", path.display()),
            });
        }
        out
    }

    /// Re-assembles and publishes every open document (the index changed).
    pub fn republish_all(&self, state: &mut State) {
        let uris: Vec<Uri> = state.documents.keys().cloned().collect();
        for uri in uris {
            self.publish_current(state, &uri);
        }
    }
}

/// The outcome of an analysis job.
enum JobResult {
    Full(Analysis, ArticleSummary),
    Front(super::incremental::FrontResult),
}

/// The one task that talks `publishDiagnostics` to the client, in queue order, skipping any
/// publication older than one already sent for the same document.
async fn publish_in_order(client: Client, mut rx: mpsc::UnboundedReceiver<Publication>) {
    let mut latest: HashMap<Uri, i32> = HashMap::new();
    while let Some(p) = rx.recv().await {
        if let Some(version) = p.version {
            let last = latest.entry(p.uri.clone()).or_insert(version);
            if version < *last {
                continue;
            }
            *last = version;
        } else {
            latest.remove(&p.uri);
        }
        client.publish_diagnostics(p.uri, p.diagnostics, p.version).await;
    }
}
