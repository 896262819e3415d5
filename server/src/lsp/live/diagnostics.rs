//! `blueprint-live` warnings: the [`findings`](crate::live::findings) of the
//! latest window, placed on the names of the components they concern and
//! published with the document's other diagnostics (one
//! `publishDiagnostics` carries every tier, so these ride along).
//!
//! What each document was last published with is remembered, so the scrape
//! loop republishes only the documents whose live warnings changed — and a
//! warning is withdrawn by the first publish after its condition ends.

use std::sync::Arc;

use tower_lsp_server::ls_types::{Diagnostic, DiagnosticSeverity, NumberOrString, Uri};
use tower_lsp_server::Client;

use super::address_of;
use crate::live::{findings, Finding};
use crate::lsp::position::Positions;
use crate::lsp::state::{FileAnalysis, State};

/// The diagnostics' `source`.
pub const SOURCE: &str = "blueprint-live";

/// The live findings of the open blueprint at `uri`: none without a
/// connected system or before its first full window.
pub fn findings_of(state: &State, uri: &Uri, analysis: &FileAnalysis) -> Vec<Finding> {
    let Some(system) = analysis.blueprint.system.as_ref() else {
        return Vec::new();
    };
    if !state.documents.is_open(uri) {
        return Vec::new();
    }
    let Some(address) = address_of(state, uri) else {
        return Vec::new();
    };
    let Some(figures) = state
        .live
        .status_of(&address)
        .and_then(|s| s.figures.clone())
    else {
        return Vec::new();
    };
    let declared: Vec<&str> = system
        .components
        .iter()
        .filter_map(|c| c.name.as_ref().map(|n| n.value.as_str()))
        .collect();
    let thresholds = state.live.settings().thresholds;
    findings(&figures, &declared, &thresholds, &address)
}

/// The live warnings of `uri` in LSP form; remembers them as published.
pub fn lsp_diagnostics(
    state: &State,
    uri: &Uri,
    analysis: &FileAnalysis,
    positions: &Positions,
) -> Vec<Diagnostic> {
    let found = findings_of(state, uri, analysis);
    let names: Vec<_> = analysis
        .blueprint
        .system
        .iter()
        .flat_map(|s| s.components.iter())
        .filter_map(|c| c.name.as_ref())
        .collect();
    let out = found
        .iter()
        .filter_map(|f| {
            let name = names.iter().find(|n| n.value == f.component)?;
            Some(Diagnostic {
                range: positions.range(name.span),
                severity: Some(DiagnosticSeverity::WARNING),
                code: Some(NumberOrString::String(f.kind.code().to_owned())),
                source: Some(SOURCE.to_owned()),
                message: f.message.clone(),
                ..Diagnostic::default()
            })
        })
        .collect();
    if found.is_empty() {
        state.live.published.remove(uri);
    } else {
        state.live.published.insert(uri.clone(), found);
    }
    out
}

/// Republishes every open blueprint (scraped at `address`, or any when
/// `None`) whose live findings differ from what it was last published
/// with.
pub async fn republish_changed(client: &Client, state: &Arc<State>, address: Option<&str>) {
    for uri in state.documents.uris() {
        if address.is_some() && address_of(state, &uri).as_deref() != address {
            continue;
        }
        let Some(analysis) = state.analyses.get(&uri).map(|a| a.clone()) else {
            continue;
        };
        let now = findings_of(state, &uri, &analysis);
        let before = state.live.published.get(&uri).map(|f| f.clone());
        if before.unwrap_or_default() != now {
            crate::lsp::backend::republish(client, state, &uri).await;
        }
    }
}
