//! Language features, one module each. Every handler takes the shared
//! state and the request's parameters and answers from the latest analysis
//! of the document; none blocks on anything but that analysis.

pub mod code_actions;
pub mod commands;
pub mod completion;
pub mod generate;
pub mod hover;
pub mod navigation;
pub mod outline;
pub mod semantic_tokens;
pub mod symbols;
