//! Analysis: the four validation tiers over one blueprint file.
//!
//! Input is source text (plus the environment used for `${VAR}`
//! interpolation); output is a list of plain [`Diagnostic`]s with byte spans,
//! sorted by position. Nothing here knows about LSP or terminals.

pub mod diagnostic;
pub mod rules;

pub use diagnostic::{Diagnostic, Edit, Fix, Related, Severity};
pub use rules::{Rule, Tier};

use blueprint_grammars::SourceText;

/// Checks one blueprint file through tiers L1-L4 (no database).
pub fn check(source: &SourceText) -> Vec<Diagnostic> {
    let parsed = blueprint_grammars::yaml::parse(source.as_str());
    let mut out: Vec<Diagnostic> = parsed
        .errors
        .iter()
        .map(|e| Diagnostic::new(&rules::SYNTAX_ERROR, e.span, format!("{:?}", e.kind)))
        .collect();
    out.sort_by_key(|d| (d.span.start, d.span.end));
    out
}
