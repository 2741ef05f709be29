//! The `LanguageServer` implementation: each handler is a few lines that lock, mutate or
//! snapshot, and delegate. Notifications that change state never `.await` before mutating.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use super::capabilities::{self, COMMAND_FIX_ALL, COMMAND_REINDEX};
use super::document::{Document, Pending};
use super::features;
use super::ide_features;
use super::incremental::InPlace;
use super::indexer;
use super::settings::Settings;
use super::shared::Shared;
use super::transport::DirectOutput;
use super::workspace_edits::{self, COMMAND_FIX_WORKSPACE, COMMAND_MERGE_TOPIC};
use crate::analysis;

pub struct Backend {
    shared: Shared,
}

impl Backend {
    /// The backend, and its publisher to run beside the server ([`Shared::publish_forever`]).
    pub fn new(client: Client, direct: DirectOutput) -> (Backend, Shared) {
        let shared = Shared::new(client, direct);
        (Backend { shared: shared.clone() }, shared)
    }

    /// `articleLsp/documentText`: the server's copy of an open document and its version. A
    /// debugging aid (and what the sync tests compare with the client's text).
    pub async fn document_text(&self, params: TextDocumentIdentifier) -> Result<serde_json::Value> {
        let state = self.shared.lock();
        Ok(match state.documents.get(&params.uri) {
            Some(doc) => {
                serde_json::json!({ "version": doc.version, "text": doc.rope.to_string() })
            }
            None => serde_json::Value::Null,
        })
    }

    /// `window/workDoneProgress/cancel` (not routed by tower-lsp-server): remembered so the
    /// running job with that token stops at its next batch.
    pub async fn work_done_progress_cancel(&self, params: WorkDoneProgressCancelParams) {
        self.shared.lock().cancelled_progress.insert(params.token);
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let encoding = capabilities::negotiate_encoding(&params.capabilities);
        let (settings, problem) = Settings::from_json(params.initialization_options.clone());
        {
            let mut state = self.shared.lock();
            state.encoding = encoding;
            state.caps = capabilities::client_caps(&params.capabilities);
            state.settings = settings;
            state.roots = workspace_roots(&params);
        }
        if let Some(problem) = problem {
            self.shared.client.log_message(MessageType::WARNING, problem).await;
        }
        Ok(InitializeResult {
            capabilities: capabilities::server_capabilities(encoding),
            server_info: Some(ServerInfo {
                name: "article-lsp".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        {
            let mut state = self.shared.lock();
            let files: Vec<_> = state.roots.iter().filter_map(|r| crate::config::find_config_file(r)).collect();
            indexer::publish_config_errors(&self.shared, &mut state, &files);
        }
        indexer::watch_files(&self.shared).await;
        let shared = self.shared.clone();
        tokio::spawn(async move { indexer::index_workspace(&shared).await });
    }

    async fn shutdown(&self) -> Result<()> {
        self.shared.cancelled.store(true, std::sync::atomic::Ordering::Relaxed);
        self.shared.lock().shutting_down = true;
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let text = self.shared.direct.opened_text(doc.text);
        let mut state = self.shared.lock();
        let path = doc.uri.to_file_path().map(|p| p.into_owned());
        state.documents.insert(doc.uri.clone(), Document::new(path, &text, doc.version));
        self.shared.after_change(&mut state, &doc.uri, Pending::Everything);
        // Opening a document may have loaded a configuration file: show its errors on it.
        indexer::publish_config_errors(&self.shared, &mut state, &[]);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let changed = {
            let mut state = self.shared.lock();
            let encoding = state.encoding;
            let now = state.settings.now();
            let path = state.documents.get(&uri).and_then(|doc| doc.path.clone());
            let config = state.config_for(path.as_deref());
            let Some(doc) = state.documents.get_mut(&uri) else {
                return;
            };
            let in_place = InPlace { config: &config, now };
            let version = params.text_document.version;
            let pending =
                doc.change(&params.content_changes, version, (encoding, analysis::today(now)), Some(in_place));
            let changed = path.filter(|_| doc.take_summary_changed());
            self.shared.after_change(&mut state, &uri, pending);
            changed
        };
        // After the publication and outside the lock: yielding lets the publisher (which runs
        // on this thread) send it first.
        if let Some(path) = changed {
            tokio::task::yield_now().await;
            self.shared.update_index(&uri, path);
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        let closed = {
            let mut state = self.shared.lock();
            let closed = state.documents.remove(&uri);
            self.shared.publish(uri.clone(), None, Vec::new());
            closed
        };
        if let Some(path) = closed.and_then(|doc| doc.path) {
            indexer::document_closed(&self.shared, uri, path).await;
        }
    }

    async fn did_save(&self, _: DidSaveTextDocumentParams) {}

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let (settings, problem) = Settings::from_json(Some(params.settings));
        {
            let mut state = self.shared.lock();
            state.settings = settings;
            state.reload_configs();
            self.shared.recheck_all(&mut state);
        }
        indexer::refresh_views(&self.shared);
        if let Some(problem) = problem {
            self.shared.client.log_message(MessageType::WARNING, problem).await;
        }
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        super::folders::folders_changed(&self.shared, params).await;
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        indexer::files_changed(&self.shared, params.changes).await;
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        features::completion(&self.shared, params).await
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        features::hover(&self.shared, params).await
    }

    async fn goto_definition(&self, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
        features::definition(&self.shared, params).await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        features::references(&self.shared, params).await
    }

    async fn document_symbol(&self, params: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
        features::document_symbols(&self.shared, params).await
    }

    async fn symbol(&self, params: WorkspaceSymbolParams) -> Result<Option<WorkspaceSymbolResponse>> {
        features::workspace_symbols(&self.shared, params).await
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        features::folding_ranges(&self.shared, params).await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        features::code_actions(&self.shared, params).await
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        Ok(ide_features::code_lenses(&self.shared, params).await)
    }

    async fn document_link(&self, params: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
        Ok(ide_features::document_links(&self.shared, params).await)
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        Ok(ide_features::inlay_hints(&self.shared, params).await)
    }

    async fn semantic_tokens_full(&self, params: SemanticTokensParams) -> Result<Option<SemanticTokensResult>> {
        Ok(ide_features::semantic_tokens_full(&self.shared, params).await)
    }

    async fn semantic_tokens_full_delta(
        &self,
        params: SemanticTokensDeltaParams,
    ) -> Result<Option<SemanticTokensFullDeltaResult>> {
        Ok(ide_features::semantic_tokens_delta(&self.shared, params).await)
    }

    async fn semantic_tokens_range(
        &self,
        params: SemanticTokensRangeParams,
    ) -> Result<Option<SemanticTokensRangeResult>> {
        Ok(ide_features::semantic_tokens_range(&self.shared, params).await)
    }

    async fn selection_range(&self, params: SelectionRangeParams) -> Result<Option<Vec<SelectionRange>>> {
        Ok(ide_features::selection_ranges(&self.shared, params).await)
    }

    async fn document_highlight(&self, params: DocumentHighlightParams) -> Result<Option<Vec<DocumentHighlight>>> {
        Ok(ide_features::document_highlights(&self.shared, params).await)
    }

    async fn prepare_rename(&self, params: TextDocumentPositionParams) -> Result<Option<PrepareRenameResponse>> {
        Ok(workspace_edits::prepare_rename(&self.shared, params).await)
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        workspace_edits::rename(&self.shared, params).await
    }

    async fn diagnostic(&self, params: DocumentDiagnosticParams) -> Result<DocumentDiagnosticReportResult> {
        features::pull_diagnostics(&self.shared, params).await
    }

    async fn workspace_diagnostic(&self, params: WorkspaceDiagnosticParams) -> Result<WorkspaceDiagnosticReportResult> {
        features::workspace_diagnostics(&self.shared, params).await
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        match params.command.as_str() {
            COMMAND_FIX_ALL => features::fix_all_command(&self.shared, params.arguments).await,
            ide_features::COMMAND_SHOW_REFERENCES => {
                features::show_references_command(&self.shared, params.arguments).await
            }
            COMMAND_FIX_WORKSPACE => workspace_edits::fix_workspace_command(&self.shared).await,
            COMMAND_MERGE_TOPIC => workspace_edits::merge_topic_command(&self.shared, params.arguments).await,
            COMMAND_REINDEX => {
                let shared = self.shared.clone();
                tokio::spawn(async move { indexer::index_workspace(&shared).await });
                Ok(None)
            }
            other => Err(tower_lsp_server::jsonrpc::Error::invalid_params(format!("unknown command `{other}`"))),
        }
    }
}

fn workspace_roots(params: &InitializeParams) -> Vec<std::path::PathBuf> {
    let mut roots: Vec<std::path::PathBuf> = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|f| f.uri.to_file_path().map(|p| p.into_owned()))
        .collect();
    #[allow(deprecated)] // Older clients send only `rootUri`.
    if roots.is_empty() {
        roots.extend(params.root_uri.as_ref().and_then(|u| u.to_file_path()).map(|p| p.into_owned()));
    }
    roots
}
