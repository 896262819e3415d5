//! `blueprint lsp`: the language server, over stdio.
//!
//! The only module that knows LSP types. Analysis returns plain
//! diagnostics with byte spans; this module converts them to LSP positions
//! in the encoding negotiated at `initialize` (UTF-8 when the client offers
//! it, UTF-16 otherwise). Start reading at [`backend`].

pub mod backend;
pub mod capabilities;
pub mod convert;
pub mod documents;
pub mod features;
pub mod live;
pub mod position;
pub mod preflight_task;
pub mod publish;
pub mod remap;
pub mod settings;
pub mod state;
pub mod status;
pub mod workspace;

use tower_lsp_server::{LspService, Server};

use crate::logging::client::{ClientLayer, ClientLevel};

/// The service, for in-process tests (drive it as a tower `Service`).
pub fn service() -> (LspService<backend::Backend>, tower_lsp_server::ClientSocket) {
    LspService::new(|client| backend::Backend::new(client, None))
}

/// Serves LSP on stdin/stdout until the client exits, with `tracing`
/// events forwarded to the client's log at the level it sets.
pub async fn serve_stdio() {
    let (sender, receiver) = tokio::sync::mpsc::unbounded_channel();
    let level = ClientLevel::default();
    crate::logging::init_lsp(ClientLayer {
        level: level.clone(),
        sender,
    });
    let (service, socket) =
        LspService::new(|client| backend::Backend::new(client, Some((level, receiver))));
    Server::new(tokio::io::stdin(), tokio::io::stdout(), socket)
        .serve(service)
        .await;
}
