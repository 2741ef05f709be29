//! Requests: take a snapshot under the lock, compute off the async runtime with the pure `ide`
//! functions, convert with `to_lsp`.

use std::path::PathBuf;
use std::sync::Arc;

use jiff::Timestamp;
use ropey::Rope;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::*;

use super::document::{Findings, Version};
use super::shared::{Shared, panic_message};
use super::transport::DirectOutput;
use super::{convert, indexer, test_hook, to_lsp};
use crate::analysis::{self, Code, Diagnostic};
use crate::config::Config;
use crate::fix::{self, Selection};
use crate::ide;
use crate::line_index::PositionEncoding;

/// What a request needs of one document, taken under the lock: the text of one revision and
/// everything needed to answer for exactly that revision.
struct Snapshot {
    uri: Uri,
    /// The version asked about (its text is copied out of the rope at most once).
    current: Arc<Version>,
    rope: Rope,
    version: i32,
    revision: u64,
    path: Option<PathBuf>,
    config: Arc<Config>,
    encoding: PositionEncoding,
    snippets: bool,
    now: Timestamp,
    cap: usize,
    findings: Option<Arc<Findings>>,
}

impl Snapshot {
    /// The findings of this snapshot's own revision, if they were assembled.
    fn own_findings(&self) -> Option<&Arc<Findings>> {
        self.findings.as_ref().filter(|f| f.revision == self.revision)
    }
}

fn snapshot(shared: &Shared, uri: &Uri) -> Option<Snapshot> {
    let mut state = shared.lock();
    let doc = state.documents.get(uri)?;
    let current = doc.current.clone();
    let (rope, version, revision, path) = (current.rope.clone(), current.version, current.revision, doc.path.clone());
    let findings = doc.findings.clone();
    let config = state.config_for(path.as_deref());
    Some(Snapshot {
        uri: uri.clone(),
        current,
        rope,
        version,
        revision,
        path,
        config,
        encoding: state.encoding,
        snippets: state.caps.snippets,
        now: state.settings.now(),
        cap: state.settings.max_diagnostics(),
        findings,
    })
}

/// Answers a request about one document on a blocking thread. A panic becomes an
/// `InternalError` reply and a log line naming the document and version; the server and the
/// document carry on.
async fn run<T: Send + 'static>(
    shared: &Shared,
    snap: Snapshot,
    work: impl FnOnce(Snapshot) -> T + Send + 'static,
) -> jsonrpc::Result<T> {
    let what = format!("{} v{}", snap.uri.as_str(), snap.version);
    blocking(shared, what, move || {
        test_hook::maybe_panic_in(&snap.rope);
        work(snap)
    })
    .await
}

/// Runs CPU work on a blocking thread; a panic there becomes an `InternalError` reply.
async fn blocking<T: Send + 'static>(
    shared: &Shared,
    what: String,
    work: impl FnOnce() -> T + Send + 'static,
) -> jsonrpc::Result<T> {
    match tokio::task::spawn_blocking(work).await {
        Ok(done) => Ok(done),
        Err(err) => {
            let reason = match err.try_into_panic() {
                Ok(panic) => panic_message(panic.as_ref()),
                Err(err) => err.to_string(),
            };
            let message = format!("a request on {what} failed: {reason}");
            shared.client.log_message(MessageType::ERROR, message.clone()).await;
            Err(jsonrpc::Error { code: jsonrpc::ErrorCode::InternalError, message: message.into(), data: None })
        }
    }
}

/// At most this many completion items are sent; with more, the list is narrowed by the typed
/// word and marked incomplete so the client asks again as the user types. (Serialising
/// thousands of providers per keystroke costs more than the lookup.)
const MAX_COMPLETIONS: usize = 100;

pub async fn completion(shared: &Shared, params: CompletionParams) -> jsonrpc::Result<Option<CompletionResponse>> {
    let at = params.text_document_position;
    let Some(snap) = snapshot(shared, &at.text_document.uri) else { return Ok(None) };
    let worker = shared.clone();
    run(shared, snap, move |snap| {
        let offset = convert::offset(&snap.rope, at.position, snap.encoding);
        let text = snap.current.text();
        let list = ide::completion_list(&text, offset, &worker.index(), &snap.config, snap.now, MAX_COMPLETIONS);
        let mut positions = convert::Positions::new(&snap.rope, snap.encoding);
        let items = list.items.iter().map(|c| to_lsp::completion(&mut positions, c, snap.snippets)).collect();
        let list = CompletionList { is_incomplete: list.is_incomplete, items };
        Some(CompletionResponse::List(spliced_completions(&worker.direct, list)))
    })
    .await
}

/// The list serialised straight to bytes and spliced into the framework's response (see
/// `transport::DirectOutput::splice`): a hundred providers, each with its domain edit, made
/// the framework's JSON tree cost more than finding them.
fn spliced_completions(direct: &DirectOutput, list: CompletionList) -> CompletionList {
    let Some(ticket) = direct.splice(&list) else { return list };
    let ticket = CompletionItem { label: ticket, ..CompletionItem::default() };
    CompletionList { is_incomplete: list.is_incomplete, items: vec![ticket] }
}

pub async fn hover(shared: &Shared, params: HoverParams) -> jsonrpc::Result<Option<Hover>> {
    let at = params.text_document_position_params;
    let Some(snap) = snapshot(shared, &at.text_document.uri) else { return Ok(None) };
    let worker = shared.clone();
    run(shared, snap, move |snap| {
        let offset = convert::offset(&snap.rope, at.position, snap.encoding);
        let text = snap.current.text();
        let this = snap.path.clone().unwrap_or_default();
        let card = ide::hover(&text, offset, &this, &worker.index(), snap.now)?;
        Some(Hover {
            contents: HoverContents::Markup(to_lsp::markdown(card.markdown)),
            range: Some(convert::range(&snap.rope, &card.range, snap.encoding)),
        })
    })
    .await
}

pub async fn definition(
    shared: &Shared,
    params: GotoDefinitionParams,
) -> jsonrpc::Result<Option<GotoDefinitionResponse>> {
    let at = params.text_document_position_params;
    let Some(snap) = snapshot(shared, &at.text_document.uri) else { return Ok(None) };
    let worker = shared.clone();
    run(shared, snap, move |snap| {
        let offset = convert::offset(&snap.rope, at.position, snap.encoding);
        let mut targets = ide::definition(&snap.current.text(), offset, &worker.index());
        // The article's own URL leads to itself: not a useful jump.
        targets.retain(|t| snap.path.as_ref() != Some(&t.path));
        let locations = locations(&worker, &targets, snap.encoding);
        (!locations.is_empty()).then_some(GotoDefinitionResponse::Array(locations))
    })
    .await
}

pub async fn references(shared: &Shared, params: ReferenceParams) -> jsonrpc::Result<Option<Vec<Location>>> {
    let at = params.text_document_position;
    let Some(snap) = snapshot(shared, &at.text_document.uri) else { return Ok(None) };
    let worker = shared.clone();
    run(shared, snap, move |snap| {
        let offset = convert::offset(&snap.rope, at.position, snap.encoding);
        let this = snap.path.clone().unwrap_or_default();
        let targets = ide::references(&snap.current.text(), offset, &this, &worker.index());
        Some(locations(&worker, &targets, snap.encoding))
    })
    .await
}

/// `articleLsp.showReferences [uri, position]` sent back by a client that has no references
/// view of its own for code lenses: the locations, as `textDocument/references` gives them.
pub async fn show_references_command(shared: &Shared, arguments: Vec<LSPAny>) -> jsonrpc::Result<Option<LSPAny>> {
    let uri: Option<Uri> = arguments.first().and_then(|a| a.as_str()).and_then(|s| s.parse().ok());
    let position: Option<Position> = arguments.get(1).and_then(|p| serde_json::from_value(p.clone()).ok());
    let (Some(uri), Some(position)) = (uri, position) else {
        return Err(jsonrpc::Error::invalid_params("expected [uri, position]"));
    };
    let params = ReferenceParams {
        text_document_position: TextDocumentPositionParams::new(TextDocumentIdentifier::new(uri), position),
        work_done_progress_params: WorkDoneProgressParams::default(),
        partial_result_params: PartialResultParams::default(),
        context: ReferenceContext { include_declaration: true },
    };
    let found = references(shared, params).await.unwrap_or_default();
    Ok(Some(serde_json::to_value(found).unwrap_or_default()))
}

/// Targets in possibly unopened files: open documents are read from their ropes, others from
/// disk (never under the state lock).
fn locations(shared: &Shared, targets: &[ide::Target], encoding: PositionEncoding) -> Vec<Location> {
    let mut out = Vec::new();
    for target in targets {
        let Some(uri) = to_lsp::uri_of(&target.path) else {
            continue;
        };
        let range = target.range.clone().unwrap_or(0..0);
        let open = shared.lock().documents.get(&uri).map(|d| d.rope.clone());
        let location = match open {
            Some(rope) => Location::new(uri, convert::range(&rope, &range, encoding)),
            None => {
                let text = indexer::read_text(&target.path).unwrap_or_default();
                to_lsp::location_in_text(uri, &text, &range, encoding)
            }
        };
        out.push(location);
    }
    out
}

pub async fn document_symbols(
    shared: &Shared,
    params: DocumentSymbolParams,
) -> jsonrpc::Result<Option<DocumentSymbolResponse>> {
    let Some(snap) = snapshot(shared, &params.text_document.uri) else { return Ok(None) };
    run(shared, snap, move |snap| {
        let symbols = ide::document_symbols(&snap.current.text());
        let symbols = symbols.iter().map(|s| to_lsp::document_symbol(&snap.rope, s, snap.encoding)).collect();
        Some(DocumentSymbolResponse::Nested(symbols))
    })
    .await
}

pub async fn folding_ranges(shared: &Shared, params: FoldingRangeParams) -> jsonrpc::Result<Option<Vec<FoldingRange>>> {
    let Some(snap) = snapshot(shared, &params.text_document.uri) else { return Ok(None) };
    run(shared, snap, move |snap| {
        let folds = ide::folding_ranges(&snap.current.text());
        Some(folds.iter().map(|f| to_lsp::folding_range(&snap.rope, f)).collect())
    })
    .await
}

pub async fn workspace_symbols(
    shared: &Shared,
    params: WorkspaceSymbolParams,
) -> jsonrpc::Result<Option<WorkspaceSymbolResponse>> {
    let encoding = shared.lock().encoding;
    let worker = shared.clone();
    blocking(shared, "workspace symbols".to_string(), move || {
        let found = ide::workspace_symbols(&worker.index(), &params.query);
        let symbols = found
            .iter()
            .filter_map(|symbol| {
                let target = &symbol.target;
                let location = locations(&worker, std::slice::from_ref(target), encoding).pop()?;
                let file_name = || target.path.file_name().map(|n| n.to_string_lossy().into_owned());
                Some(WorkspaceSymbol {
                    name: symbol.name.clone(),
                    kind: match symbol.kind {
                        ide::NamedKind::Title => SymbolKind::FILE,
                        ide::NamedKind::Topic => SymbolKind::ENUM_MEMBER,
                        ide::NamedKind::Provider => SymbolKind::CLASS,
                    },
                    tags: None,
                    container_name: symbol.detail.clone().or_else(file_name),
                    location: OneOf::Left(location),
                    data: None,
                })
            })
            .collect();
        Some(WorkspaceSymbolResponse::Nested(symbols))
    })
    .await
}

/// Quick-fixes from the fixes attached to the findings under the range, plus `source.fixAll`.
/// The answer is for the version current when the request arrived: it waits for that
/// version's findings, and converts ranges against that version's text, which is also the
/// version the edits are pinned to. If the document moved on, the client is told the content
/// was modified (it asks again).
pub async fn code_actions(shared: &Shared, params: CodeActionParams) -> jsonrpc::Result<Option<CodeActionResponse>> {
    let Some(snap) = settled(shared, &params.text_document.uri, Settle::SameRevision).await else {
        return Ok(None);
    };
    let Some(findings) = snap.own_findings().cloned() else {
        return Err(content_modified());
    };
    run(shared, snap, move |snap| Some(code_actions_for(&snap, &findings, &params))).await
}

fn code_actions_for(snap: &Snapshot, findings: &Findings, params: &CodeActionParams) -> CodeActionResponse {
    let rope = &findings.rope;
    let start = convert::offset(rope, params.range.start, snap.encoding);
    let end = convert::offset(rope, params.range.end, snap.encoding);
    let wants = |kind: &CodeActionKind| {
        params.context.only.as_ref().is_none_or(|only| only.iter().any(|k| kind.as_str().starts_with(k.as_str())))
    };
    let mut actions = Vec::new();
    if wants(&CodeActionKind::QUICKFIX) {
        for d in findings.diagnostics.iter().filter(|d| d.range.start <= end && start <= d.range.end) {
            let Some(fix) = &d.fix else { continue };
            if fix.edits.is_empty() {
                continue;
            }
            let lsp_diagnostic = to_lsp::diagnostic(rope, &snap.uri, d, snap.encoding);
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: fix.title.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![lsp_diagnostic]),
                edit: Some(to_lsp::versioned_edit(rope, &snap.uri, findings.version, &fix.edits, snap.encoding)),
                is_preferred: Some(d.code == Code::Mojibake || fix.safe),
                ..CodeAction::default()
            }));
            for guess in d.guesses.iter().filter(|g| !g.edits.is_empty()) {
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: guess.title.clone(),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![to_lsp::diagnostic(rope, &snap.uri, d, snap.encoding)]),
                    edit: Some(to_lsp::versioned_edit(rope, &snap.uri, findings.version, &guess.edits, snap.encoding)),
                    is_preferred: Some(false),
                    ..CodeAction::default()
                }));
            }
        }
    }
    if wants(&CodeActionKind::QUICKFIX) {
        let in_range = findings.diagnostics.iter().filter(|d| d.range.start <= end && start <= d.range.end);
        actions.extend(in_range.filter_map(|d| super::workspace_edits::merge_variants_action(rope, d)));
    }
    let safe = fix::safe_edits(&findings.diagnostics, &Selection::default());
    if wants(&CodeActionKind::SOURCE_FIX_ALL) && !safe.is_empty() {
        actions.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: format!("Fix all safe problems ({})", safe.len()),
            kind: Some(CodeActionKind::SOURCE_FIX_ALL),
            edit: Some(to_lsp::versioned_edit(rope, &snap.uri, findings.version, &safe, snap.encoding)),
            ..CodeAction::default()
        }));
    }
    actions
}

fn content_modified() -> jsonrpc::Error {
    jsonrpc::Error {
        code: jsonrpc::ErrorCode::ContentModified,
        message: "the document changed before its findings were ready; ask again".into(),
        data: None,
    }
}

/// `articleLsp.fixAll <uri>`: applies every safe repair through `workspace/applyEdit`.
pub async fn fix_all_command(shared: &Shared, arguments: Vec<LSPAny>) -> jsonrpc::Result<Option<LSPAny>> {
    let uri: Uri = arguments
        .first()
        .and_then(|a| a.as_str().or_else(|| a.get("uri").and_then(|u| u.as_str())))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| jsonrpc::Error::invalid_params("expected the document URI as the first argument"))?;
    let Some(snap) = settled(shared, &uri, Settle::SameRevision).await else {
        return Err(jsonrpc::Error::invalid_params("the document is not open"));
    };
    let Some(findings) = snap.own_findings().cloned() else {
        return Err(content_modified());
    };
    let edits = fix::safe_edits(&findings.diagnostics, &Selection::default());
    if edits.is_empty() {
        return Ok(Some(serde_json::json!({ "applied": 0 })));
    }
    let edit = to_lsp::versioned_edit(&findings.rope, &uri, findings.version, &edits, snap.encoding);
    let response = shared.client.apply_edit(edit).await?;
    Ok(Some(serde_json::json!({ "applied": if response.applied { edits.len() } else { 0 } })))
}

/// `textDocument/diagnostic`: the findings of the document's current version.
pub async fn pull_diagnostics(
    shared: &Shared,
    params: DocumentDiagnosticParams,
) -> jsonrpc::Result<DocumentDiagnosticReportResult> {
    let items = current_findings(shared, &params.text_document.uri).await?;
    let report = RelatedFullDocumentDiagnosticReport {
        related_documents: None,
        full_document_diagnostic_report: FullDocumentDiagnosticReport { result_id: None, items },
    };
    Ok(DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Full(report)))
}

/// How long a request waits for the analysis job of its version before giving up on it.
const SETTLE_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Which findings a request waits for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Settle {
    /// Those of the revision current when the request arrived; newer edits end the wait.
    SameRevision,
    /// Those of whatever revision is current.
    Latest,
}

/// A snapshot whose findings are those of its own revision, waiting (a bounded time) for the
/// running analysis job rather than redoing its work. On timeout, or when the document moved
/// past the revision asked about, the snapshot comes back without its own findings.
async fn settled(shared: &Shared, uri: &Uri, settle: Settle) -> Option<Snapshot> {
    let deadline = tokio::time::Instant::now() + SETTLE_WAIT;
    let mut asked = None;
    loop {
        // Registered before looking, so an assembly in between is not missed.
        let ready = shared.findings_ready.notified();
        tokio::pin!(ready);
        ready.as_mut().enable();
        let snap = snapshot(shared, uri)?;
        let asked_revision = *asked.get_or_insert(snap.revision);
        let moved_on = settle == Settle::SameRevision && snap.revision != asked_revision;
        if moved_on || snap.own_findings().is_some() || tokio::time::timeout_at(deadline, ready).await.is_err() {
            return Some(snap);
        }
    }
}

/// The findings of the document's current version: those the incremental analysis assembled
/// (waiting for a running job rather than redoing its work), else a full check.
async fn current_findings(shared: &Shared, uri: &Uri) -> jsonrpc::Result<Vec<tower_lsp_server::ls_types::Diagnostic>> {
    let Some(snap) = settled(shared, uri, Settle::Latest).await else {
        return Ok(Vec::new());
    };
    let worker = shared.clone();
    run(shared, snap, move |snap| {
        let findings = match snap.own_findings() {
            Some(findings) => findings.clone(),
            None => {
                let mut all = analysis::check(&snap.current.text(), &snap.config, snap.now);
                if let Some(path) = &snap.path {
                    let workspace = worker.index().workspace_diagnostics(path);
                    all.extend(analysis::apply_severities(workspace, &snap.config));
                }
                let (revision, version, rope) = (snap.revision, snap.version, snap.rope.clone());
                Arc::new(Findings { revision, version, rope, diagnostics: all })
            }
        };
        worker.to_lsp_diagnostics(&findings, &snap.uri, snap.encoding, snap.cap)
    })
    .await
}

/// `workspace/diagnostic`: every indexed file that is not open, read from disk. Each report
/// carries a result id derived from the file's size and modification time, the configuration
/// generation and the file's cross-file findings; a file whose id the client already has is
/// reported as unchanged without being read, so repeated pulls of a large workspace are cheap.
pub async fn workspace_diagnostics(
    shared: &Shared,
    params: WorkspaceDiagnosticParams,
) -> jsonrpc::Result<WorkspaceDiagnosticReportResult> {
    let (encoding, now, open, generation) = {
        let state = shared.lock();
        let open: Vec<Uri> = state.documents.keys().cloned().collect();
        (state.encoding, state.settings.now(), open, state.config_generation)
    };
    let previous: std::collections::HashMap<Uri, String> =
        params.previous_result_ids.into_iter().map(|p| (p.uri, p.value)).collect();
    let paths: Vec<PathBuf> = shared.index().paths();
    let worker = shared.clone();
    let items = blocking(shared, "workspace diagnostics".to_string(), move || {
        let shared = worker;
        use rayon::prelude::*;
        paths
            .par_iter()
            .filter_map(|path| {
                let uri = to_lsp::uri_of(path)?;
                if open.contains(&uri) {
                    return None;
                }
                let workspace = shared.index().workspace_diagnostics(path);
                let result_id = result_id(path, &workspace, generation)?;
                if previous.get(&uri) == Some(&result_id) {
                    let unchanged = UnchangedDocumentDiagnosticReport { result_id };
                    let report = WorkspaceUnchangedDocumentDiagnosticReport {
                        uri,
                        version: None,
                        unchanged_document_diagnostic_report: unchanged,
                    };
                    return Some(WorkspaceDocumentDiagnosticReport::Unchanged(report));
                }
                let bytes = indexer::read_file(path).ok()?;
                let config = shared.lock().config_for(Some(path));
                let (decoded, mut findings) = analysis::check_bytes(&bytes, &config, now);
                findings.extend(analysis::apply_severities(workspace, &config));
                let rope = Rope::from_str(&decoded.text);
                let items = findings.iter().map(|d| to_lsp::diagnostic(&rope, &uri, d, encoding)).collect();
                let full = FullDocumentDiagnosticReport { result_id: Some(result_id), items };
                let report =
                    WorkspaceFullDocumentDiagnosticReport { uri, version: None, full_document_diagnostic_report: full };
                Some(WorkspaceDocumentDiagnosticReport::Full(report))
            })
            .collect()
    })
    .await?;
    Ok(WorkspaceDiagnosticReportResult::Report(WorkspaceDiagnosticReport { items }))
}

/// Identifies what a file's report depends on: its size and modification time, the
/// configuration generation and its cross-file findings. `None` when the file is gone.
fn result_id(path: &std::path::Path, workspace: &[Diagnostic], generation: u64) -> Option<String> {
    use std::hash::{Hash, Hasher};
    let meta = std::fs::metadata(path).ok()?;
    let modified = meta.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?.as_nanos();
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (modified, meta.len(), generation).hash(&mut hasher);
    for d in workspace {
        (d.code, d.range.start, d.range.end, &d.message).hash(&mut hasher);
    }
    Some(format!("{:016x}", hasher.finish()))
}
