//! The `LanguageServer` implementation: protocol in, calls into analysis
//! and the feature modules out.
//!
//! Concurrency (see DESIGN.md): tower-lsp-server runs notification handlers
//! concurrently. `did_change` therefore applies its edits to the document
//! store synchronously, before any `.await`, and bumps the document's
//! generation in the same step; analysis runs in spawned tasks on a
//! snapshot; no lock or map guard lives across an `.await`.

use std::sync::Arc;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use super::capabilities::capabilities;
use super::position::PositionEncoding;
use super::publish::{analyze_after_edit, publish, DEBOUNCE};
use super::settings::Settings;
use super::state::State;
use super::{features, preflight_task, workspace};
use crate::logging::client::ClientLevel;

pub struct Backend {
    pub client: Client,
    pub state: Arc<State>,
    /// The log lines waiting for the client (taken by `initialize`, which
    /// starts forwarding them), and the level the client wants.
    log: std::sync::Mutex<Option<LogChannel>>,
    log_level: Option<ClientLevel>,
    /// The client answers `workspace/configuration`.
    pulls_configuration: std::sync::atomic::AtomicBool,
}

type LogChannel = tokio::sync::mpsc::UnboundedReceiver<(tracing::Level, String)>;

impl Backend {
    pub fn new(client: Client, log: Option<(ClientLevel, LogChannel)>) -> Self {
        let (log_level, log) = match log {
            Some((level, receiver)) => (Some(level), Some(receiver)),
            None => (None, None),
        };
        Backend {
            client,
            state: Arc::new(State::default()),
            log: std::sync::Mutex::new(log),
            log_level,
            pulls_configuration: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Starts forwarding log lines to `window/logMessage`, at the level of
    /// the `log.level` setting (else the `trace` setting, else info).
    fn start_logging(&self, params: &InitializeParams) {
        let Some(level) = &self.log_level else { return };
        let wanted = self
            .state
            .settings()
            .log_level
            .or_else(|| params.trace.map(|t| format!("{t:?}")))
            .unwrap_or_else(|| "info".into());
        level.set(&wanted);
        let Some(mut receiver) = self.log.lock().ok().and_then(|mut l| l.take()) else {
            return;
        };
        let client = self.client.clone();
        tokio::spawn(async move {
            while let Some((level, line)) = receiver.recv().await {
                let kind = match level {
                    tracing::Level::ERROR => MessageType::ERROR,
                    tracing::Level::WARN => MessageType::WARNING,
                    tracing::Level::INFO => MessageType::INFO,
                    _ => MessageType::LOG,
                };
                client.log_message(kind, line).await;
            }
        });
    }

    /// Applies new settings: the log level, live metrics (tasks started
    /// or stopped), and — when the env file changed — a fresh analysis and
    /// pre-flight of every open blueprint, whose `${VAR}`s may now resolve
    /// differently.
    fn apply_settings(&self, settings: Settings) {
        let before = self.state.settings();
        if settings == before {
            return;
        }
        if let (Some(level), Some(wanted)) = (&self.log_level, &settings.log_level) {
            level.set(wanted);
        }
        let env_changed = settings.env_file != before.env_file;
        self.state.set_settings(settings);
        super::live::sync(&self.client, &self.state);
        tracing::info!("settings changed");
        if env_changed {
            for uri in self.state.documents.uris() {
                // A new generation: an analysis still running with the old
                // env file must not land after this one.
                if let Some(generation) = self.state.documents.touch(&uri) {
                    self.spawn_analysis(uri.clone(), generation, std::time::Duration::ZERO);
                    preflight_task::spawn(self.client.clone(), self.state.clone(), uri);
                }
            }
        }
    }

    /// Asks the client for the `blueprint` section (`workspace/configuration`)
    /// and applies it. A client without settings for it answers null: the
    /// settings stay as they are.
    async fn pull_settings(&self) {
        if !self
            .pulls_configuration
            .load(std::sync::atomic::Ordering::Relaxed)
        {
            return;
        }
        let item = ConfigurationItem {
            scope_uri: None,
            section: Some("blueprint".into()),
        };
        match self.client.configuration(vec![item]).await {
            Ok(values) => {
                if let Some(section) = values.first().filter(|v| v.is_object()) {
                    self.apply_settings(Settings::from_json(Some(section)));
                }
            }
            Err(e) => tracing::debug!("workspace/configuration: {e}"),
        }
    }

    fn spawn_analysis(&self, uri: Uri, generation: u64, debounce: std::time::Duration) {
        tokio::spawn(analyze_after_edit(
            self.client.clone(),
            self.state.clone(),
            uri,
            generation,
            debounce,
        ));
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let offered = params
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_deref());
        let encoding = PositionEncoding::negotiate(offered);
        self.state.set_encoding(encoding);
        workspace::remember_roots(&self.state, &params);
        let resolves_edits = params
            .capabilities
            .text_document
            .as_ref()
            .and_then(|t| t.code_action.as_ref())
            .and_then(|c| c.resolve_support.as_ref())
            .is_some_and(|r| r.properties.iter().any(|p| p == "edit"));
        self.state
            .resolves_edits
            .store(resolves_edits, std::sync::atomic::Ordering::Relaxed);
        let diagnostic_refresh = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.diagnostics.as_ref())
            .and_then(|d| d.refresh_support)
            .unwrap_or(false);
        self.state
            .diagnostic_refresh
            .store(diagnostic_refresh, std::sync::atomic::Ordering::Relaxed);
        self.state
            .set_settings(Settings::from_json(params.initialization_options.as_ref()));
        let pulls = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.configuration)
            .unwrap_or(false);
        self.pulls_configuration
            .store(pulls, std::sync::atomic::Ordering::Relaxed);
        super::live::initialize(&self.state, &params);
        self.start_logging(&params);
        tracing::info!(encoding = ?encoding, "blueprint language server {} initialized", env!("CARGO_PKG_VERSION"));
        Ok(InitializeResult {
            capabilities: capabilities(encoding),
            server_info: Some(ServerInfo {
                name: "blueprint".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        self.pull_settings().await;
        workspace::watch_blueprints(&self.client).await;
        tokio::spawn(workspace::scan(self.client.clone(), self.state.clone()));
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let generation = self
            .state
            .documents
            .open(doc.uri.clone(), &doc.text, doc.version);
        self.spawn_analysis(doc.uri.clone(), generation, std::time::Duration::ZERO);
        preflight_task::spawn(self.client.clone(), self.state.clone(), doc.uri);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        // Applied before any await: edits stay in order.
        let uri = params.text_document.uri;
        let encoding = self.state.encoding();
        let Some(generation) = self.state.documents.change(
            &uri,
            params.text_document.version,
            params.content_changes,
            encoding,
        ) else {
            tracing::warn!(
                uri = uri.as_str(),
                "change to a document that is not open; ignored"
            );
            return;
        };
        self.spawn_analysis(uri, generation, DEBOUNCE);
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        if !self.state.settings().preflight_on_save {
            return;
        }
        preflight_task::spawn(
            self.client.clone(),
            self.state.clone(),
            params.text_document.uri,
        );
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        self.state.documents.close(&uri);
        // The last blueprint of a system closed: stop scraping it.
        super::live::sync(&self.client, &self.state);
        // The file may still exist on disk: its diagnostics then come from
        // the disk version, as for any blueprint in the workspace.
        tokio::spawn(workspace::refresh_from_disk(
            self.client.clone(),
            self.state.clone(),
            uri,
        ));
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        // Pushed settings (the `blueprint` section), else a hint to pull.
        if let Some(section) = params.settings.get("blueprint").filter(|v| v.is_object()) {
            self.apply_settings(Settings::from_json(Some(section)));
        }
        self.pull_settings().await;
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        for change in params.changes {
            // A generated file: the blueprints it was generated from.
            if features::generate::refresh_generated(&self.client, &self.state, &change.uri).await {
                continue;
            }
            tokio::spawn(workspace::refresh_from_disk(
                self.client.clone(),
                self.state.clone(),
                change.uri,
            ));
        }
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        let uri = params.text_document.uri;
        let items = match self.state.current_analysis(&uri).await {
            Some(analysis) => super::publish::lsp_diagnostics(&self.state, &uri, &analysis),
            None => Vec::new(),
        };
        Ok(DocumentDiagnosticReportResult::Report(
            DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                    result_id: None,
                    items,
                },
            }),
        ))
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        features::commands::execute(&self.client, &self.state, params).await
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        features::hover::hover(&self.state, params).await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        features::completion::completion(&self.state, params).await
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        features::navigation::definition(&self.state, params).await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        features::navigation::references(&self.state, params).await
    }

    async fn document_highlight(
        &self,
        params: DocumentHighlightParams,
    ) -> Result<Option<Vec<DocumentHighlight>>> {
        features::navigation::highlight(&self.state, params).await
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        features::navigation::prepare_rename(&self.state, params).await
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        features::navigation::rename(&self.state, params).await
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        features::outline::document_symbols(&self.state, params).await
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        features::outline::folding_ranges(&self.state, params).await
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        features::semantic_tokens::full(&self.state, params).await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        features::code_actions::code_actions(&self.state, params).await
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        super::live::features::inlay_hints(&self.state, params).await
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        super::live::features::code_lenses(&self.state, params).await
    }

    async fn code_action_resolve(&self, action: CodeAction) -> Result<CodeAction> {
        Ok(features::generate::resolve(&self.state, action).await)
    }
}

/// Publishes `uri`'s current diagnostics (after a pre-flight finished or
/// the live warnings changed).
pub async fn republish(client: &Client, state: &Arc<State>, uri: &Uri) {
    if let Some(analysis) = state.analyses.get(uri).map(|a| a.clone()) {
        publish(client, state, uri, &analysis).await;
        // A client that also pulls would keep what it pulled before.
        if state
            .diagnostic_refresh
            .load(std::sync::atomic::Ordering::Relaxed)
        {
            let _ = client.workspace_diagnostic_refresh().await;
        }
    }
}
