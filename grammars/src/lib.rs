//! The blueprint language.
//!
//! Text goes in; a spanned YAML tree ([`yaml`]) and a spanned blueprint
//! model ([`model`]) come out. This crate knows nothing of LSP, databases or
//! diagnostics' codes: it reports facts (syntax errors, legacy forms used)
//! with byte spans, and the validator in `server` decides what they mean.

pub mod source;
pub mod span;
pub mod yaml;

pub use source::{Encoding, LineIndex, Position, SourceText};
pub use span::{scalar_sub_span, Span, Spanned};
pub mod interpolate;
pub mod json_schema;
pub mod model;
pub mod shape;
