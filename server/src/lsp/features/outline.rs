//! Document symbols and folding ranges.
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::lsp::state::State;

pub async fn document_symbols(
    _state: &std::sync::Arc<State>,
    _params: DocumentSymbolParams,
) -> Result<Option<DocumentSymbolResponse>> {
    Ok(None)
}
pub async fn folding_ranges(
    _state: &std::sync::Arc<State>,
    _params: FoldingRangeParams,
) -> Result<Option<Vec<FoldingRange>>> {
    Ok(None)
}
