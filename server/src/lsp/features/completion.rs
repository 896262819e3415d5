//! Completion.
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{CompletionParams, CompletionResponse};

use crate::lsp::state::State;

pub async fn completion(
    _state: &std::sync::Arc<State>,
    _params: CompletionParams,
) -> Result<Option<CompletionResponse>> {
    Ok(None)
}
