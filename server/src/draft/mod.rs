//! `blueprint new`: drafting a blueprint from a description in plain words.
//!
//! Two drafters, one validator. The offline drafter ([`offline`]) is
//! deterministic and needs nothing; an OpenAI-compatible endpoint
//! ([`llm`]), when configured, is told the language ([`prompt`]) and its
//! drafts are validated and sent back with their diagnostics a bounded
//! number of times ([`repair`]). Either way the result is what
//! `blueprint check` would say about it. No LSP or terminal types here: the
//! CLI prints.

mod field_types;
pub mod llm;
pub mod offline;
mod parse;
pub mod prompt;
mod render;
pub mod repair;
mod words;

pub use offline::{draft as draft_offline, OfflineDraft};
