//! Blueprint's analysis engine, command-line interface and (later) language
//! server. The `blueprint` binary is a thin `main` over [`cli`].

pub mod analysis;
pub mod cli;
pub mod draft;
pub mod environment;
pub mod live;
pub mod logging;
pub mod lsp;
pub mod preflight;
pub mod synthetic;
