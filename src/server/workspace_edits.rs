//! Edits that span the workspace: renaming a topic or provider, merging topic variants, and
//! `articleLsp.fixWorkspace`. The edits are computed by the pure `ide::rename_edits` and
//! `ide::repair` on each article's current text (an open document's rope, else the file on
//! disk) and sent as one `WorkspaceEdit`: versioned for open documents, exact ranges of the
//! content on disk for the others.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use ropey::Rope;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::notification::Progress;
use tower_lsp_server::ls_types::*;

use super::convert;
use super::document::Version;
use super::shared::Shared;
use super::to_lsp;
use crate::analysis::Edit;
use crate::ide::{self, RenameKind};
use crate::line_index::PositionEncoding;

pub const COMMAND_FIX_WORKSPACE: &str = "articleLsp.fixWorkspace";
pub const COMMAND_MERGE_TOPIC: &str = "articleLsp.mergeTopicVariants";

/// The change annotation that asks the user before `provider.domain` is changed by a rename.
const DOMAIN_ANNOTATION: &str = "article-lsp/provider-domain";

/// Files are read and repaired this many at a time, so progress moves and cancellation is
/// noticed between batches without holding a whole large workspace in memory at once.
const FIX_BATCH: usize = 256;

/// One article as the client sees it now.
struct Source {
    uri: Uri,
    rope: Rope,
    /// `Some` for an open document (its edit is pinned to this version).
    version: Option<i32>,
}

impl Source {
    fn text(&self) -> String {
        self.rope.to_string()
    }
}

/// Every article of the workspace (open documents and indexed files) whose text passes
/// `wanted`, read in parallel. Files on disk that are not UTF-8 cannot be edited as text: they
/// are returned apart, with their bytes.
fn sources(
    shared: &Shared,
    paths: &[PathBuf],
    wanted: &(dyn Fn(&str) -> bool + Sync),
) -> (Vec<Source>, Vec<(PathBuf, Vec<u8>)>) {
    let open: HashMap<PathBuf, Source> = {
        let state = shared.lock();
        state
            .documents
            .iter()
            .filter_map(|(uri, d)| {
                let source = Source { uri: uri.clone(), rope: d.rope.clone(), version: Some(d.version) };
                Some((d.path.clone()?, source))
            })
            .collect()
    };
    let closed: Vec<Result<Source, (PathBuf, Vec<u8>)>> = paths
        .par_iter()
        .filter(|p| !open.contains_key(*p))
        .filter_map(|path| {
            let bytes = crate::files::read(path).ok()?;
            let Ok(text) = std::str::from_utf8(&bytes) else { return Some(Err((path.clone(), bytes))) };
            if !wanted(text) {
                return None;
            }
            Some(Ok(Source { uri: to_lsp::uri_of(path)?, rope: Rope::from_str(text), version: None }))
        })
        .collect();
    let mut all: Vec<Source> = open.into_values().filter(|s| wanted(&s.text())).collect();
    let mut not_utf8 = Vec::new();
    for source in closed {
        match source {
            Ok(source) => all.push(source),
            Err(file) => not_utf8.push(file),
        }
    }
    all.sort_by(|a, b| a.uri.as_str().cmp(b.uri.as_str()));
    (all, not_utf8)
}

/// Collects per-document edits into one `WorkspaceEdit`.
struct EditBuilder {
    encoding: PositionEncoding,
    document_changes: bool,
    docs: Vec<TextDocumentEdit>,
    /// Files rewritten whole in UTF-8: created anew (overwriting), then filled.
    transcoded: Vec<(Uri, String)>,
    annotated: bool,
}

impl EditBuilder {
    fn new(shared: &Shared) -> EditBuilder {
        let state = shared.lock();
        EditBuilder {
            encoding: state.encoding,
            document_changes: state.caps.document_changes,
            docs: Vec::new(),
            transcoded: Vec::new(),
            annotated: false,
        }
    }

    /// `plain` edits are applied as they are; `confirm` edits carry the domain annotation. A
    /// client without `documentChanges` cannot show annotations: it gets them as plain edits
    /// (`finish` drops the annotation), so a renamed provider never keeps a stale domain.
    fn add(&mut self, source: &Source, plain: &[Edit], confirm: &[Edit]) {
        let mut edits: Vec<(Edit, bool)> = plain.iter().map(|e| (e.clone(), false)).collect();
        edits.extend(confirm.iter().map(|e| (e.clone(), true)));
        edits.sort_by_key(|(e, _)| (e.range.start, e.range.end));
        if edits.is_empty() {
            return;
        }
        let edits = edits
            .iter()
            .map(|(edit, confirm)| {
                let text_edit = to_lsp::text_edit(&source.rope, edit, self.encoding);
                if !confirm {
                    return OneOf::Left(text_edit);
                }
                self.annotated = true;
                OneOf::Right(AnnotatedTextEdit { text_edit, annotation_id: DOMAIN_ANNOTATION.to_string() })
            })
            .collect();
        let text_document =
            OptionalVersionedTextDocumentIdentifier { uri: source.uri.clone(), version: source.version };
        self.docs.push(TextDocumentEdit { text_document, edits });
    }

    fn files(&self) -> usize {
        self.docs.len() + self.transcoded.len()
    }

    fn finish(self) -> WorkspaceEdit {
        if !self.document_changes {
            let changes = self
                .docs
                .into_iter()
                .map(|doc| {
                    let edits = doc.edits.into_iter().map(|e| match e {
                        OneOf::Left(edit) => edit,
                        OneOf::Right(annotated) => annotated.text_edit,
                    });
                    (doc.text_document.uri, edits.collect())
                })
                .collect();
            return WorkspaceEdit { changes: Some(changes), ..WorkspaceEdit::default() };
        }
        let annotations = self.annotated.then(|| {
            let annotation = ChangeAnnotation {
                label: "Update provider.domain".to_string(),
                needs_confirmation: Some(true),
                description: Some("The renamed provider's domain, as the workspace or catalogue writes it".into()),
            };
            HashMap::from([(DOMAIN_ANNOTATION.to_string(), annotation)])
        });
        let document_changes = match self.transcoded.is_empty() {
            true => DocumentChanges::Edits(self.docs),
            false => {
                let mut ops: Vec<DocumentChangeOperation> =
                    self.docs.into_iter().map(DocumentChangeOperation::Edit).collect();
                for (uri, text) in self.transcoded {
                    ops.extend(rewrite_whole(uri, text));
                }
                DocumentChanges::Operations(ops)
            }
        };
        WorkspaceEdit {
            document_changes: Some(document_changes),
            change_annotations: annotations,
            ..WorkspaceEdit::default()
        }
    }
}

/// A file replaced by `text`: created anew over the old one (which empties it), then `text`
/// inserted. This is how a workspace edit changes a file's encoding.
fn rewrite_whole(uri: Uri, text: String) -> [DocumentChangeOperation; 2] {
    let overwrite = CreateFileOptions { overwrite: Some(true), ignore_if_exists: Some(false) };
    let create = CreateFile { uri: uri.clone(), options: Some(overwrite), annotation_id: None };
    let start = Position::new(0, 0);
    let insert = TextEdit::new(Range::new(start, start), text);
    let fill = TextDocumentEdit {
        text_document: OptionalVersionedTextDocumentIdentifier { uri, version: None },
        edits: vec![OneOf::Left(insert)],
    };
    [DocumentChangeOperation::Op(ResourceOp::Create(create)), DocumentChangeOperation::Edit(fill)]
}

/// The open document's current version and the byte offset of a position in it.
fn at_position(shared: &Shared, at: &TextDocumentPositionParams) -> Option<(Arc<Version>, usize, Option<PathBuf>)> {
    let state = shared.lock();
    let doc = state.documents.get(&at.text_document.uri)?;
    let offset = convert::offset(&doc.rope, at.position, state.encoding);
    Some((doc.current.clone(), offset, doc.path.clone()))
}

pub async fn prepare_rename(shared: &Shared, at: TextDocumentPositionParams) -> Option<PrepareRenameResponse> {
    let encoding = shared.lock().encoding;
    let (current, offset, _) = at_position(shared, &at)?;
    let target = ide::prepare_rename(&current.text(), offset)?;
    Some(PrepareRenameResponse::RangeWithPlaceholder {
        range: convert::range(&current.rope, &target.range, encoding),
        placeholder: target.name,
    })
}

pub async fn rename(shared: &Shared, params: RenameParams) -> jsonrpc::Result<Option<WorkspaceEdit>> {
    let Some((current, offset, path)) = at_position(shared, &params.text_document_position) else {
        return Ok(None);
    };
    let Some(target) = ide::prepare_rename(&current.text(), offset) else {
        return Err(jsonrpc::Error::invalid_params("only a topic or a provider name can be renamed"));
    };
    let new_name = params.new_name.trim().to_string();
    if new_name.is_empty() || new_name.contains(['\n', '\r']) {
        return Err(jsonrpc::Error::invalid_params("the new name must be a non-empty single line"));
    }
    let domain = match target.kind {
        RenameKind::Provider => known_domain(shared, path, &new_name),
        RenameKind::Topic => None,
    };
    let shared = shared.clone();
    let edit = tokio::task::spawn_blocking(move || {
        workspace_rename(&shared, target.kind, &[target.name.as_str()], &new_name, domain.as_deref())
    })
    .await
    .map_err(|_| jsonrpc::Error::internal_error())?;
    Ok(Some(edit))
}

/// The domain to write for provider `name`: the configuration's catalogue, else the domain the
/// workspace most often writes with it.
fn known_domain(shared: &Shared, path: Option<PathBuf>, name: &str) -> Option<String> {
    let config = shared.lock().config_for(path.as_deref());
    if let Some(domain) = config.providers.get(name) {
        return Some(domain.clone());
    }
    shared.index().providers().into_iter().find(|p| p.name == name).and_then(|p| p.domain)
}

/// Renames every name in `from` to `to` in every article of the workspace.
fn workspace_rename(shared: &Shared, kind: RenameKind, from: &[&str], to: &str, domain: Option<&str>) -> WorkspaceEdit {
    let paths = shared.index().paths();
    // Only texts that spell one of the names can change (a cheap filter before parsing).
    let (sources, _) = sources(shared, &paths, &|text| from.iter().any(|name| text.contains(name)));
    let mut builder = EditBuilder::new(shared);
    for source in &sources {
        let edits = ide::rename_edits(&source.text(), kind, from, to, domain);
        if !edits.names.is_empty() {
            builder.add(source, &edits.names, &edits.domains);
        }
    }
    builder.finish()
}

/// `articleLsp.mergeTopicVariants <topic>`: renames every spelling of the topic (same letters
/// ignoring case, accents and blanks) to the most used one, through `workspace/applyEdit`.
pub async fn merge_topic_command(shared: &Shared, arguments: Vec<LSPAny>) -> jsonrpc::Result<Option<LSPAny>> {
    let topic = arguments
        .first()
        .and_then(|a| a.as_str())
        .ok_or_else(|| jsonrpc::Error::invalid_params("expected the topic as the first argument"))?
        .to_string();
    let spellings = shared.index().topic_spellings(&topic);
    let Some(canonical) = spellings.first().cloned() else {
        return Ok(Some(serde_json::json!({ "files": 0 })));
    };
    let worker = shared.clone();
    let edit = tokio::task::spawn_blocking(move || {
        let from: Vec<&str> = spellings.iter().map(String::as_str).collect();
        workspace_rename(&worker, RenameKind::Topic, &from, &canonical, None)
    })
    .await
    .map_err(|_| jsonrpc::Error::internal_error())?;
    let files = match &edit.document_changes {
        Some(DocumentChanges::Edits(docs)) => docs.len(),
        _ => edit.changes.as_ref().map_or(0, HashMap::len),
    };
    let response = shared.client.apply_edit(edit).await?;
    Ok(Some(serde_json::json!({ "files": if response.applied { files } else { 0 } })))
}

/// For a `topic-variant` finding: "Merge all variants of this topic across the workspace", a
/// command (the edit is computed only when chosen, as it reads every article).
pub fn merge_variants_action(rope: &Rope, d: &crate::analysis::Diagnostic) -> Option<CodeActionOrCommand> {
    if d.code != crate::analysis::Code::TopicVariant {
        return None;
    }
    let written = rope.get_byte_slice(d.range.clone())?.to_string();
    let topic = written.trim_matches(['"', '\'']).to_string();
    let title = "Merge all variants of this topic across the workspace".to_string();
    let command =
        Command { title: title.clone(), command: COMMAND_MERGE_TOPIC.to_string(), arguments: Some(vec![topic.into()]) };
    Some(CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        command: Some(command),
        ..CodeAction::default()
    }))
}

/// What `fixWorkspace` did, as its command result.
#[derive(Debug, Default)]
struct FixReport {
    files: usize,
    findings: usize,
    not_utf8: usize,
    cancelled: bool,
}

/// `articleLsp.fixWorkspace`: every safe repair in every article, applied as one edit through
/// `workspace/applyEdit`, with cancellable `$/progress`.
pub async fn fix_workspace_command(shared: &Shared) -> jsonrpc::Result<Option<LSPAny>> {
    let paths = shared.index().paths();
    let progress = RunProgress::start(shared, "Repairing articles").await;
    let mut builder = EditBuilder::new(shared);
    let mut report = FixReport::default();
    let mut done = 0;
    for batch in paths.chunks(FIX_BATCH) {
        if progress.is_cancelled(shared) {
            report.cancelled = true;
            break;
        }
        let worker = shared.clone();
        let batch = batch.to_vec();
        let batch_len = batch.len();
        let repaired = tokio::task::spawn_blocking(move || repair_batch(&worker, &batch))
            .await
            .map_err(|_| jsonrpc::Error::internal_error())?;
        for (source, repair) in &repaired.repairs {
            builder.add(source, &repair.edits, &[]);
            report.findings += repair.findings;
        }
        report.not_utf8 += repaired.not_utf8;
        for (uri, text, findings) in repaired.transcoded {
            builder.transcoded.push((uri, text));
            report.findings += findings;
        }
        done += batch_len;
        progress.report(shared, done, paths.len()).await;
    }
    report.files = builder.files();
    let applied = match report.cancelled || report.files == 0 {
        true => false,
        false => shared.client.apply_edit(builder.finish()).await?.applied,
    };
    let summary = format!(
        "repaired {} findings in {} files{}",
        report.findings,
        report.files,
        if report.cancelled { " (cancelled, nothing applied)" } else { "" }
    );
    progress.end(shared, summary).await;
    Ok(Some(serde_json::json!({
        "applied": applied,
        "files": report.files,
        "findings": report.findings,
        "notUtf8": report.not_utf8,
        "cancelled": report.cancelled,
    })))
}

struct Repaired {
    repairs: Vec<(Source, ide::Repair)>,
    /// Files that are not UTF-8, decoded and repaired whole: URI, text, findings (the
    /// transcoding counts as one).
    transcoded: Vec<(Uri, String, usize)>,
    /// Files that are not UTF-8 and that this client cannot rewrite.
    not_utf8: usize,
}

/// Reads and repairs one batch of articles (open ones from their documents).
fn repair_batch(shared: &Shared, batch: &[PathBuf]) -> Repaired {
    let (sources, not_utf8) = sources(shared, batch, &|_| true);
    let (now, can_create) = {
        let state = shared.lock();
        (state.settings.now(), state.caps.create_files && state.caps.document_changes)
    };
    let transcoded = match can_create {
        true => not_utf8.par_iter().filter_map(|(path, bytes)| transcode(shared, path, bytes, now)).collect(),
        false => Vec::new(),
    };
    let not_utf8 = not_utf8.len() - transcoded.len();
    let configured: Vec<(Source, Arc<crate::config::Config>)> = sources
        .into_iter()
        .map(|s| {
            let path = s.uri.to_file_path().map(|p| p.into_owned());
            let config = shared.lock().config_for(path.as_deref());
            (s, config)
        })
        .collect();
    let repairs = configured
        .into_par_iter()
        .map(|(source, config)| {
            let repair = ide::repair(&source.text(), &config, now);
            (source, repair)
        })
        .filter(|(_, repair)| !repair.edits.is_empty())
        .collect();
    Repaired { repairs, transcoded, not_utf8 }
}

/// A file that is not UTF-8, decoded (as `article-lsp fix` does) and repaired.
fn transcode(shared: &Shared, path: &Path, bytes: &[u8], now: jiff::Timestamp) -> Option<(Uri, String, usize)> {
    // A NUL byte in text that is not UTF-8 means binary data, as `article-lsp fix` judges it.
    if memchr::memchr(0, bytes).is_some() {
        return None;
    }
    let decoded = crate::analysis::encoding::decode(bytes);
    decoded.transcoded.as_ref()?;
    let config = shared.lock().config_for(Some(path));
    let fixed = crate::fix::fix_text(&decoded.text, &config, now, &crate::fix::Selection::default());
    Some((to_lsp::uri_of(path)?, fixed.text, fixed.applied + 1))
}

/// A cancellable `$/progress` of one run (a no-op for clients without progress support).
struct RunProgress {
    token: Option<ProgressToken>,
}

impl RunProgress {
    async fn start(shared: &Shared, title: &str) -> RunProgress {
        static RUNS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        if !shared.lock().caps.work_done_progress {
            return RunProgress { token: None };
        }
        let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let token = NumberOrString::String(format!("article-lsp/fixWorkspace/{run}"));
        if shared.client.create_work_done_progress(token.clone()).await.is_err() {
            return RunProgress { token: None };
        }
        let begin = WorkDoneProgressBegin {
            title: title.to_string(),
            cancellable: Some(true),
            message: None,
            percentage: Some(0),
        };
        let progress = RunProgress { token: Some(token) };
        progress.send(shared, WorkDoneProgress::Begin(begin)).await;
        progress
    }

    fn is_cancelled(&self, shared: &Shared) -> bool {
        let Some(token) = &self.token else { return false };
        shared.lock().cancelled_progress.contains(token)
    }

    async fn report(&self, shared: &Shared, done: usize, total: usize) {
        let percentage = (done * 100).checked_div(total).unwrap_or(100) as u32;
        let report = WorkDoneProgressReport {
            cancellable: Some(true),
            message: Some(format!("{done}/{total} files")),
            percentage: Some(percentage),
        };
        self.send(shared, WorkDoneProgress::Report(report)).await;
    }

    async fn end(&self, shared: &Shared, message: String) {
        self.send(shared, WorkDoneProgress::End(WorkDoneProgressEnd { message: Some(message) })).await;
        if let Some(token) = &self.token {
            shared.lock().cancelled_progress.remove(token);
        }
    }

    async fn send(&self, shared: &Shared, value: WorkDoneProgress) {
        let Some(token) = &self.token else { return };
        let params = ProgressParams { token: token.clone(), value: ProgressParamsValue::WorkDone(value) };
        shared.client.send_notification::<Progress>(params).await;
    }
}
