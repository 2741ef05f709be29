//! Requests: take a snapshot under the lock, compute off the async runtime with the pure `ide`
//! functions, convert with `to_lsp`.

use std::path::PathBuf;
use std::sync::Arc;

use jiff::Timestamp;
use ropey::Rope;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::*;

use super::convert;
use super::shared::Shared;
use super::to_lsp;
use crate::analysis::{self, Code, Diagnostic};
use crate::config::Config;
use crate::fix::{self, Selection};
use crate::ide;
use crate::line_index::PositionEncoding;

/// What a request needs of one document, taken under the lock.
struct Snapshot {
    uri: Uri,
    rope: Rope,
    version: i32,
    path: Option<PathBuf>,
    config: Arc<Config>,
    encoding: PositionEncoding,
    snippets: bool,
    now: Timestamp,
    findings: Option<(i32, Arc<Vec<Diagnostic>>)>,
}

fn snapshot(shared: &Shared, uri: &Uri) -> Option<Snapshot> {
    let mut state = shared.lock();
    let doc = state.documents.get(uri)?;
    let (rope, version, path, findings) = (doc.rope.clone(), doc.version, doc.path.clone(), doc.findings.clone());
    let config = state.config_for(path.as_deref());
    Some(Snapshot {
        uri: uri.clone(),
        rope,
        version,
        path,
        config,
        encoding: state.encoding,
        snippets: state.caps.snippets,
        now: state.settings.now(),
        findings,
    })
}

/// Runs CPU work on a blocking thread.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    tokio::task::spawn_blocking(work).await.ok()
}

/// At most this many completion items are sent; with more, the list is narrowed by the typed
/// word and marked incomplete so the client asks again as the user types. (Serialising
/// thousands of providers per keystroke costs more than the lookup.)
const MAX_COMPLETIONS: usize = 100;

pub async fn completion(shared: &Shared, params: CompletionParams) -> Option<CompletionResponse> {
    let at = params.text_document_position;
    let snap = snapshot(shared, &at.text_document.uri)?;
    let shared = shared.clone();
    blocking(move || {
        let offset = convert::offset(&snap.rope, at.position, snap.encoding);
        let text = snap.rope.to_string();
        let mut items = ide::completions(&text, offset, &shared.index(), &snap.config, snap.now);
        let is_incomplete = items.len() > MAX_COMPLETIONS;
        if is_incomplete {
            items.sort_by(|a, b| a.sort_text.cmp(&b.sort_text));
            let typed = items.first().and_then(|c| text.get(c.replace.clone())).unwrap_or("").to_lowercase();
            items.retain(|c| c.label.to_lowercase().contains(typed.trim_matches(['"', '\''])));
            items.truncate(MAX_COMPLETIONS);
        }
        let items = items.iter().map(|c| to_lsp::completion(&snap.rope, c, snap.encoding, snap.snippets)).collect();
        CompletionResponse::List(CompletionList { is_incomplete, items })
    })
    .await
}

pub async fn hover(shared: &Shared, params: HoverParams) -> Option<Hover> {
    let at = params.text_document_position_params;
    let snap = snapshot(shared, &at.text_document.uri)?;
    let shared = shared.clone();
    blocking(move || {
        let offset = convert::offset(&snap.rope, at.position, snap.encoding);
        let text = snap.rope.to_string();
        let this = snap.path.clone().unwrap_or_default();
        let card = ide::hover(&text, offset, &this, &shared.index(), snap.now)?;
        Some(Hover {
            contents: HoverContents::Markup(to_lsp::markdown(card.markdown)),
            range: Some(convert::range(&snap.rope, &card.range, snap.encoding)),
        })
    })
    .await
    .flatten()
}

pub async fn definition(shared: &Shared, params: GotoDefinitionParams) -> Option<GotoDefinitionResponse> {
    let at = params.text_document_position_params;
    let snap = snapshot(shared, &at.text_document.uri)?;
    let shared = shared.clone();
    blocking(move || {
        let offset = convert::offset(&snap.rope, at.position, snap.encoding);
        let mut targets = ide::definition(&snap.rope.to_string(), offset, &shared.index());
        // The article's own URL leads to itself: not a useful jump.
        targets.retain(|t| snap.path.as_ref() != Some(&t.path));
        let locations = locations(&shared, &targets, snap.encoding);
        (!locations.is_empty()).then_some(GotoDefinitionResponse::Array(locations))
    })
    .await
    .flatten()
}

pub async fn references(shared: &Shared, params: ReferenceParams) -> Option<Vec<Location>> {
    let at = params.text_document_position;
    let snap = snapshot(shared, &at.text_document.uri)?;
    let shared = shared.clone();
    blocking(move || {
        let offset = convert::offset(&snap.rope, at.position, snap.encoding);
        let this = snap.path.clone().unwrap_or_default();
        let targets = ide::references(&snap.rope.to_string(), offset, &this, &shared.index());
        locations(&shared, &targets, snap.encoding)
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
/// disk.
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
                let bytes = std::fs::read(&target.path).unwrap_or_default();
                let text = analysis::encoding::decode(&bytes).text.into_owned();
                to_lsp::location_in_text(uri, &text, &range, encoding)
            }
        };
        out.push(location);
    }
    out
}

pub async fn document_symbols(shared: &Shared, params: DocumentSymbolParams) -> Option<DocumentSymbolResponse> {
    let snap = snapshot(shared, &params.text_document.uri)?;
    blocking(move || {
        let symbols = ide::document_symbols(&snap.rope.to_string());
        let symbols = symbols.iter().map(|s| to_lsp::document_symbol(&snap.rope, s, snap.encoding)).collect();
        DocumentSymbolResponse::Nested(symbols)
    })
    .await
}

pub async fn folding_ranges(shared: &Shared, params: FoldingRangeParams) -> Option<Vec<FoldingRange>> {
    let snap = snapshot(shared, &params.text_document.uri)?;
    blocking(move || {
        let folds = ide::folding_ranges(&snap.rope.to_string());
        folds.iter().map(|f| to_lsp::folding_range(&snap.rope, f)).collect()
    })
    .await
}

pub async fn workspace_symbols(shared: &Shared, params: WorkspaceSymbolParams) -> Option<WorkspaceSymbolResponse> {
    let encoding = shared.lock().encoding;
    let shared = shared.clone();
    blocking(move || {
        let found = ide::workspace_symbols(&shared.index(), &params.query);
        let symbols = found
            .iter()
            .filter_map(|symbol| {
                let target = &symbol.target;
                let location = locations(&shared, std::slice::from_ref(target), encoding).pop()?;
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
        WorkspaceSymbolResponse::Nested(symbols)
    })
    .await
}

/// Quick-fixes from the fixes attached to the findings under the range, plus `source.fixAll`.
pub fn code_actions(shared: &Shared, params: CodeActionParams) -> Option<CodeActionResponse> {
    let snap = snapshot(shared, &params.text_document.uri)?;
    let (version, findings) = snap.findings.clone()?;
    let start = convert::offset(&snap.rope, params.range.start, snap.encoding);
    let end = convert::offset(&snap.rope, params.range.end, snap.encoding);
    let wants = |kind: &CodeActionKind| {
        params.context.only.as_ref().is_none_or(|only| only.iter().any(|k| kind.as_str().starts_with(k.as_str())))
    };
    let mut actions = Vec::new();
    if wants(&CodeActionKind::QUICKFIX) {
        for d in findings.iter().filter(|d| d.range.start <= end && start <= d.range.end) {
            let Some(fix) = &d.fix else { continue };
            if fix.edits.is_empty() {
                continue;
            }
            let lsp_diagnostic = to_lsp::diagnostic(&snap.rope, &snap.uri, d, snap.encoding);
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: fix.title.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![lsp_diagnostic]),
                edit: Some(to_lsp::versioned_edit(&snap.rope, &snap.uri, version, &fix.edits, snap.encoding)),
                is_preferred: Some(d.code == Code::Mojibake || fix.safe),
                ..CodeAction::default()
            }));
        }
    }
    if wants(&CodeActionKind::QUICKFIX) {
        let in_range = findings.iter().filter(|d| d.range.start <= end && start <= d.range.end);
        actions.extend(in_range.filter_map(|d| super::workspace_edits::merge_variants_action(&snap.rope, d)));
    }
    let safe = fix::safe_edits(&findings, &Selection::default());
    if wants(&CodeActionKind::SOURCE_FIX_ALL) && !safe.is_empty() {
        actions.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: format!("Fix all safe problems ({})", safe.len()),
            kind: Some(CodeActionKind::SOURCE_FIX_ALL),
            edit: Some(to_lsp::versioned_edit(&snap.rope, &snap.uri, version, &safe, snap.encoding)),
            ..CodeAction::default()
        }));
    }
    Some(actions)
}

/// `articleLsp.fixAll <uri>`: applies every safe repair through `workspace/applyEdit`.
pub async fn fix_all_command(shared: &Shared, arguments: Vec<LSPAny>) -> jsonrpc::Result<Option<LSPAny>> {
    let uri: Uri = arguments
        .first()
        .and_then(|a| a.as_str().or_else(|| a.get("uri").and_then(|u| u.as_str())))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| jsonrpc::Error::invalid_params("expected the document URI as the first argument"))?;
    let Some(snap) = snapshot(shared, &uri) else {
        return Err(jsonrpc::Error::invalid_params("the document is not open"));
    };
    let Some((version, findings)) = snap.findings.clone() else {
        return Ok(None);
    };
    let edits = fix::safe_edits(&findings, &Selection::default());
    if edits.is_empty() {
        return Ok(Some(serde_json::json!({ "applied": 0 })));
    }
    let edit = to_lsp::versioned_edit(&snap.rope, &uri, version, &edits, snap.encoding);
    let response = shared.client.apply_edit(edit).await?;
    Ok(Some(serde_json::json!({ "applied": if response.applied { edits.len() } else { 0 } })))
}

/// `textDocument/diagnostic`: the findings of the document's current version.
pub async fn pull_diagnostics(shared: &Shared, params: DocumentDiagnosticParams) -> DocumentDiagnosticReportResult {
    let items = current_findings(shared, &params.text_document.uri).await;
    let report = RelatedFullDocumentDiagnosticReport {
        related_documents: None,
        full_document_diagnostic_report: FullDocumentDiagnosticReport { result_id: None, items },
    };
    DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Full(report))
}

/// How long a pull waits for the analysis job of the current version before checking the whole
/// text itself.
const PULL_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// The findings of the document's current version: those the incremental analysis assembled
/// (waiting for a running job rather than redoing its work), else a full check.
async fn current_findings(shared: &Shared, uri: &Uri) -> Vec<tower_lsp_server::ls_types::Diagnostic> {
    let deadline = tokio::time::Instant::now() + PULL_WAIT;
    let snap = loop {
        // Registered before looking, so an assembly in between is not missed.
        let ready = shared.findings_ready.notified();
        tokio::pin!(ready);
        ready.as_mut().enable();
        let Some(snap) = snapshot(shared, uri) else { return Vec::new() };
        let current = matches!(&snap.findings, Some((version, _)) if *version == snap.version);
        if current || tokio::time::timeout_at(deadline, ready).await.is_err() {
            break snap;
        }
    };
    let shared = shared.clone();
    blocking(move || {
        let findings = match &snap.findings {
            Some((version, findings)) if *version == snap.version => findings.clone(),
            _ => {
                let mut all = analysis::check(&snap.rope.to_string(), &snap.config, snap.now);
                if let Some(path) = &snap.path {
                    let workspace = shared.index().workspace_diagnostics(path);
                    all.extend(analysis::apply_severities(workspace, &snap.config));
                }
                Arc::new(all)
            }
        };
        shared.to_lsp_diagnostics(&snap.rope, &snap.uri, &findings, snap.encoding)
    })
    .await
    .unwrap_or_default()
}

/// `workspace/diagnostic`: every indexed file that is not open, read from disk. Each report
/// carries a result id derived from the file's size and modification time, the configuration
/// generation and the file's cross-file findings; a file whose id the client already has is
/// reported as unchanged without being read, so repeated pulls of a large workspace are cheap.
pub async fn workspace_diagnostics(
    shared: &Shared,
    params: WorkspaceDiagnosticParams,
) -> WorkspaceDiagnosticReportResult {
    let (encoding, now, open, generation) = {
        let state = shared.lock();
        let open: Vec<Uri> = state.documents.keys().cloned().collect();
        (state.encoding, state.settings.now(), open, state.config_generation)
    };
    let previous: std::collections::HashMap<Uri, String> =
        params.previous_result_ids.into_iter().map(|p| (p.uri, p.value)).collect();
    let paths: Vec<PathBuf> = shared.index().paths();
    let shared = shared.clone();
    let items = blocking(move || {
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
                let bytes = std::fs::read(path).ok()?;
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
    .await
    .unwrap_or_default();
    WorkspaceDiagnosticReportResult::Report(WorkspaceDiagnosticReport { items })
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
