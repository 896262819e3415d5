//! `workspace/executeCommand`.

use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{ExecuteCommandParams, LSPAny, Uri};
use tower_lsp_server::Client;

use crate::lsp::live::commands as live;
use crate::lsp::state::State;

/// Runs the database pre-flight of a blueprint: argument, its URI (the
/// open blueprints when omitted).
pub const PREFLIGHT: &str = "blueprint.preflight";

pub async fn execute(
    client: &Client,
    state: &std::sync::Arc<State>,
    params: ExecuteCommandParams,
) -> Result<Option<LSPAny>> {
    match params.command.as_str() {
        PREFLIGHT => {
            let uris: Vec<Uri> = match params
                .arguments
                .first()
                .and_then(|a| a.as_str())
                .and_then(|s| s.parse().ok())
            {
                Some(uri) => vec![uri],
                None => state.documents.uris(),
            };
            for uri in uris {
                crate::lsp::preflight_task::run_fresh(client.clone(), state.clone(), uri).await;
            }
            Ok(None)
        }
        super::generate::GENERATE => {
            super::generate::execute(client, state, &params.arguments).await
        }
        super::generate::REGENERATE_COMPONENT => {
            super::generate::execute_component(client, state, &params.arguments).await
        }
        live::CONNECT => live::connect(client, state, &params.arguments).await,
        live::DISCONNECT => live::disconnect(client, state).await,
        other => Err(Error::invalid_params(format!("unknown command `{other}`"))),
    }
}
