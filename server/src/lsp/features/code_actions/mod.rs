//! Code actions.
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::lsp::state::State;

pub async fn code_actions(
    _state: &std::sync::Arc<State>,
    _params: CodeActionParams,
) -> Result<Option<CodeActionResponse>> {
    Ok(None)
}
