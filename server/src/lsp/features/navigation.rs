//! Go to definition, references, highlight, rename.
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::lsp::state::State;

type S = std::sync::Arc<State>;

pub async fn definition(
    _state: &S,
    _params: GotoDefinitionParams,
) -> Result<Option<GotoDefinitionResponse>> {
    Ok(None)
}
pub async fn references(_state: &S, _params: ReferenceParams) -> Result<Option<Vec<Location>>> {
    Ok(None)
}
pub async fn highlight(
    _state: &S,
    _params: DocumentHighlightParams,
) -> Result<Option<Vec<DocumentHighlight>>> {
    Ok(None)
}
pub async fn prepare_rename(
    _state: &S,
    _params: TextDocumentPositionParams,
) -> Result<Option<PrepareRenameResponse>> {
    Ok(None)
}
pub async fn rename(_state: &S, _params: RenameParams) -> Result<Option<WorkspaceEdit>> {
    Ok(None)
}
