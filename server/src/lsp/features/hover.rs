//! Hover.
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{Hover, HoverParams};

use crate::lsp::state::State;

pub async fn hover(_state: &std::sync::Arc<State>, _params: HoverParams) -> Result<Option<Hover>> {
    Ok(None)
}
