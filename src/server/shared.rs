//! What every handler and background job shares, and the ordered paths through which analysis
//! results are installed and published.
//!
//! Ordering: mutations happen under the state lock, synchronously, in the order handlers run
//! (tower-lsp-server starts handlers in arrival order; we never `.await` before mutating).
//! CPU-heavy analysis runs off the async runtime against a snapshot of the rope (a large
//! document's on the one worker thread, `worker.rs`, others' on blocking threads); its result is
//! installed only if the document is still at that revision. Under the lock we only install
//! and queue: conversion to LSP happens in the publisher (`publisher.rs`).
//!
//! Panics: a job runs under `catch_unwind`; a panic is logged with the document and version,
//! the job's flags are reset, and the next edit analyses the document again.

use std::any::Any;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{self as lsp, MessageType, Uri};

use super::document::{Document, Findings, Pending};
use super::incremental::{Analysis, Unassembled, check_front};
use super::publisher::{Payload, Publication, Publisher};
use super::state::State;
use super::transport::DirectOutput;
use super::worker::Worker;
use super::{test_hook, to_lsp};
use crate::analysis::{self, Code};
use crate::line_index::PositionEncoding;
use crate::workspace::{ArticleSummary, Index};

#[derive(Clone)]
pub struct Shared {
    pub client: Client,
    state: Arc<Mutex<State>>,
    index: Arc<RwLock<Index>>,
    publisher: Publisher,
    /// Publications go to the client's writer past the framework (`transport::DirectOutput`).
    pub direct: DirectOutput,
    /// Set on shutdown: background indexing stops.
    pub cancelled: Arc<AtomicBool>,
    /// Woken whenever a document's findings are assembled (pull requests wait on it).
    pub findings_ready: Arc<tokio::sync::Notify>,
    /// The thread for large documents' analysis and assembly.
    pub worker: Worker,
}

/// Identifies the job's document and text: `(opening, revision)`.
/// What a job's result belongs to: the opening, the text revision and the configuration
/// generation it was computed for.
type JobKey = (u64, u64, u64);

impl Shared {
    /// Creates the shared state; [`Shared::publish_forever`] must then run beside the server.
    pub fn new(client: Client, direct: DirectOutput) -> Shared {
        Shared {
            client,
            direct,
            state: Arc::default(),
            index: Arc::default(),
            publisher: Publisher::default(),
            cancelled: Arc::default(),
            findings_ready: Arc::default(),
            worker: Worker::start(),
        }
    }

    /// Sends the queued publications, for the life of the server (`server::serve` runs it on
    /// the thread that reads the edits, so a keystroke's publication starts without a hop).
    pub async fn publish_forever(self) {
        self.publisher.clone().run(self).await;
    }

    /// Tells the index what in-place edits changed in the summary of the document `uri` (call
    /// without the state lock, after the publication was queued), under the state lock, so a
    /// newer edit's changes never overtake an older one's. Nothing when the document was closed
    /// meanwhile. The document and the index then share one summary ([`IndexChanges::teach`]).
    pub fn update_index(&self, uri: &Uri, path: PathBuf) {
        let mut state = self.lock();
        let Some(analysis) = state.documents.get_mut(uri).and_then(|d| d.analysis.as_mut()) else {
            return;
        };
        let Some(taken) = analysis.take_index_changes() else {
            return;
        };
        let shared = taken.teach(&mut self.index_mut(), &path);
        analysis.share_summary(shared);
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

    /// Queues ready diagnostics for publishing (call while holding the state lock, to keep
    /// order); replaces any unsent publication of the same document.
    pub fn publish(&self, uri: Uri, version: Option<i32>, diagnostics: Vec<lsp::Diagnostic>) {
        self.publisher.push(Publication { uri, version, payload: Payload::Ready(diagnostics) });
    }

    /// After a document changed: publish now, or schedule what is left to analyse. At most one
    /// job runs per document; a job whose revision went stale is followed by one for the
    /// current text, so the last edit always gets its diagnostics.
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
            if let Some(doc) = state.documents.get_mut(&uri) {
                doc.forget_findings();
                if let Some(analysis) = doc.analysis.as_mut() {
                    analysis.front_dirty = true;
                }
            }
            self.after_change(state, &uri, Pending::FrontMatter);
        }
    }

    /// Runs the document's pending analysis off the async runtime against a snapshot.
    fn start_job(&self, state: &mut State, uri: &Uri) {
        let Some(doc) = state.documents.get(uri) else {
            return;
        };
        let (rope, version, path) = (doc.rope.clone(), doc.version, doc.path.clone());
        let key = (doc.opening, doc.revision, state.config_generation);
        let kind = if doc.analysis.is_none() { Pending::Everything } else { doc.needs };
        let units = doc.analysis.as_ref().map(Analysis::units).unwrap_or_default();
        let config = state.config_for(path.as_deref());
        let now = state.settings.now();
        if let Some(doc) = state.documents.get_mut(uri) {
            doc.job_running = true;
        }
        let shared = self.clone();
        let uri = uri.clone();
        let large = Worker::is_large(&rope);
        let job = move || {
            let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
                test_hook::maybe_panic_in(&rope);
                test_hook::maybe_delay_in(&rope);
                match kind {
                    Pending::Everything => {
                        let (analysis, summary) = Analysis::full(&rope, &config, now);
                        JobResult::Full(analysis, summary)
                    }
                    _ => JobResult::Front(check_front(&rope, &config, now, units)),
                }
            }));
            match result {
                Ok(result) => shared.finish_job(&uri, key, result, path),
                Err(panic) => shared.job_panicked(&uri, key, version, panic.as_ref()),
            }
        };
        if large {
            self.worker.spawn(job);
        } else {
            drop(tokio::task::spawn_blocking(job));
        }
    }

    fn finish_job(&self, uri: &Uri, (opening, revision, generation): JobKey, result: JobResult, path: Option<PathBuf>) {
        let mut state = self.lock();
        let current_generation = state.config_generation;
        let Some(doc) = job_ended(&mut state, uri, opening) else {
            return;
        };
        if doc.revision != revision || generation != current_generation {
            // Stale: edits or a configuration change arrived meanwhile (their `needs` are
            // recorded). Analyse again instead.
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
                let summary = front.summary.clone();
                analysis.install_front(&doc.rope, front);
                summary
            }
        };
        doc.needs = Pending::Nothing;
        doc.offer_parsed(revision);
        if let Some(path) = path {
            self.index_mut().update(path, summary);
        }
        self.publish_current(&mut state, uri);
    }

    /// A job panicked: log it, and leave the document ready to be analysed again. A newer text
    /// is analysed at once; the same text waits for the next edit (re-running it would panic
    /// again, forever).
    fn job_panicked(&self, uri: &Uri, (opening, revision, _): JobKey, version: i32, panic: &(dyn Any + Send)) {
        let message = format!("analysis of {} v{version} panicked: {}", uri.as_str(), panic_message(panic));
        let client = self.client.clone();
        tokio::spawn(async move { client.log_message(MessageType::ERROR, message).await });
        let mut state = self.lock();
        let Some(doc) = job_ended(&mut state, uri, opening) else {
            return;
        };
        doc.analysis = None;
        doc.needs = Pending::Everything;
        if doc.revision != revision {
            self.after_change(&mut state, uri, Pending::Everything);
        }
    }

    /// Queues the document's findings of its current revision for assembly and publishing, if
    /// they are complete. Only a marker is queued (replacing any unsent one of the document):
    /// the publisher assembles the newest revision outside the lock, so a burst of edits costs
    /// one assembly, not one per keystroke.
    pub fn publish_current(&self, state: &mut State, uri: &Uri) {
        let Some(doc) = state.documents.get(uri) else {
            return;
        };
        if doc.analysis.as_ref().is_none_or(|a| a.front_dirty) {
            return;
        }
        self.publisher.push(Publication { uri: uri.clone(), version: Some(doc.version), payload: Payload::Assemble });
    }

    /// What assembling the findings of the document's current revision needs (taken under the
    /// lock, briefly): `None` when the analysis is incomplete (a job will queue it again) or
    /// the findings of this revision were already assembled.
    pub fn assembly_of(&self, uri: &Uri) -> Option<Assembly> {
        let mut assembly = {
            let mut state = self.lock();
            let doc = state.documents.get(uri)?;
            if doc.findings.as_ref().is_some_and(|f| f.revision == doc.revision) {
                // Already assembled and sent (a marker queued while the last one was in flight).
                return None;
            }
            let path = doc.path.clone();
            let config = state.config_for(path.as_deref());
            let doc = state.documents.get(uri)?;
            let analysis = doc.analysis.as_ref().filter(|a| !a.front_dirty)?;
            Assembly {
                uri: uri.clone(),
                input: analysis.findings(),
                revision: doc.revision,
                version: doc.version,
                rope: doc.rope.clone(),
                epoch: doc.findings_epoch,
                config,
                encoding: state.encoding,
                cap: state.settings.max_diagnostics(),
                push: !state.caps.pull_diagnostics,
                workspace: Vec::new(),
                path,
            }
        };
        if let Some(path) = &assembly.path {
            assembly.workspace = self.index().workspace_diagnostics(path);
        }
        Some(assembly)
    }

    /// Assembles the findings [`Shared::assembly_of`] gathered (without the lock), remembers
    /// them for code actions and pulls, and returns what to push: `None` when the client pulls
    /// or the findings went stale meanwhile.
    pub fn assemble(&self, assembly: Assembly) -> Option<(Arc<Findings>, PositionEncoding, usize)> {
        let Assembly { uri, input, revision, version, rope, epoch, config, encoding, cap, push, workspace, .. } =
            assembly;
        test_hook::maybe_delay_in(&rope);
        let mut diagnostics = input.assemble(&rope, &config);
        if !workspace.is_empty() {
            diagnostics.extend(analysis::apply_severities(workspace, &config));
            diagnostics.sort_by_key(|d| (d.range.start, d.range.end, d.code));
        }
        let findings = Arc::new(Findings { revision, version, rope, diagnostics });
        {
            let mut state = self.lock();
            // Findings forgotten meanwhile (new settings, cross-file changes) were assembled
            // from stale inputs: drop them; whoever forgot them queued a new assembly.
            let doc = state.documents.get_mut(&uri).filter(|d| d.revision == revision && d.findings_epoch == epoch)?;
            doc.findings = Some(findings.clone());
        }
        self.findings_ready.notify_waiters();
        push.then_some((findings, encoding, cap))
    }

    /// LSP diagnostics of `findings`, at most `cap` of them plus one that says how many more
    /// there are; `duplicate-url` points at the other files (read from disk: never call this
    /// under the state lock).
    pub fn to_lsp_diagnostics(
        &self,
        findings: &Findings,
        uri: &Uri,
        encoding: PositionEncoding,
        cap: usize,
    ) -> Vec<lsp::Diagnostic> {
        let rope = &findings.rope;
        let mut out: Vec<lsp::Diagnostic> = findings
            .diagnostics
            .iter()
            .take(cap)
            .map(|d| {
                let mut out = to_lsp::diagnostic(rope, uri, d, encoding);
                if d.code == Code::DuplicateUrl {
                    let url = rope.get_byte_slice(d.range.clone()).map(|s| s.to_string()).unwrap_or_default();
                    let others = self.other_files_with_url(url.trim_matches(['"', '\'']), uri, encoding);
                    if !others.is_empty() {
                        out.related_information.get_or_insert_with(Vec::new).extend(others);
                    }
                }
                out
            })
            .collect();
        let hidden = findings.diagnostics.len().saturating_sub(cap);
        if hidden > 0 {
            out.push(to_lsp::more_diagnostics(hidden, cap));
        }
        out
    }

    fn other_files_with_url(
        &self,
        url: &str,
        this: &Uri,
        encoding: PositionEncoding,
    ) -> Vec<lsp::DiagnosticRelatedInformation> {
        let others: Vec<(PathBuf, Option<std::ops::Range<usize>>)> = self
            .index()
            .articles_with_url(url)
            .into_iter()
            .map(|(path, summary)| {
                let span = summary.web_url().filter(|u| u.value == url).or(summary.original_url());
                (path.to_path_buf(), span.map(|s| s.span.range()))
            })
            .collect();
        let mut out = Vec::new();
        for (path, span) in others {
            let Some(uri) = to_lsp::uri_of(&path) else {
                continue;
            };
            if &uri == this {
                continue;
            }
            let text = super::indexer::read_text(&path).unwrap_or_default();
            let range = span.unwrap_or(0..0);
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
            // Same revision, new cross-file findings: assemble again.
            if let Some(doc) = state.documents.get_mut(&uri) {
                doc.forget_findings();
            }
            self.publish_current(state, &uri);
        }
    }
}

/// The inputs of one assembly of a document's findings, taken from the state.
pub struct Assembly {
    uri: Uri,
    input: Unassembled,
    revision: u64,
    version: i32,
    rope: ropey::Rope,
    epoch: u64,
    config: Arc<crate::config::Config>,
    encoding: PositionEncoding,
    cap: usize,
    push: bool,
    /// Cross-file findings (`duplicate-url`, `topic-variant`) from the index.
    workspace: Vec<analysis::Diagnostic>,
    path: Option<PathBuf>,
}

impl Assembly {
    /// Whether assembling, converting and serialising costs a few dozen microseconds at most, so
    /// it may run on an async thread (sparing two thread hops on the way to the client): at most
    /// [`SMALL_ASSEMBLY`] findings (assembly is O(findings), whatever the document's size), no
    /// other file to read (`duplicate-url` points at them), not slowed by a test.
    pub fn is_small(&self) -> bool {
        self.input.at_most(SMALL_ASSEMBLY.saturating_sub(self.workspace.len()))
            && !self.workspace.iter().any(|d| d.code == Code::DuplicateUrl)
            && !test_hook::delays(&self.rope)
    }
}

/// The most findings an assembly on an async thread may hold.
const SMALL_ASSEMBLY: usize = 200;

/// The outcome of an analysis job.
enum JobResult {
    Full(Analysis, Arc<ArticleSummary>),
    Front(super::incremental::FrontResult),
}

/// The document an analysis job of `opening` belonged to, marked as no longer running one;
/// `None` when it was closed, or closed and opened again (the job belongs to the old one).
fn job_ended<'s>(state: &'s mut State, uri: &Uri, opening: u64) -> Option<&'s mut Document> {
    let doc = state.documents.get_mut(uri).filter(|doc| doc.opening == opening)?;
    doc.job_running = false;
    Some(doc)
}

/// The message a panic carried (`panic!` with a literal or a formatted string).
pub fn panic_message(panic: &(dyn Any + Send)) -> String {
    match (panic.downcast_ref::<&str>(), panic.downcast_ref::<String>()) {
        (Some(s), _) => (*s).to_string(),
        (_, Some(s)) => s.clone(),
        _ => "unknown panic".to_string(),
    }
}
