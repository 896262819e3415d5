//! Keeping the editor's diagnostics current: debounced analysis after
//! edits (a newer edit makes an older run's result stale, and it is
//! dropped), and publishing the fast tiers together with the latest
//! pre-flight results and live warnings.

use std::sync::Arc;
use std::time::Duration;

use tower_lsp_server::ls_types::{Diagnostic as LspDiagnostic, Uri};
use tower_lsp_server::Client;

use super::convert;
use super::state::{FileAnalysis, State};

/// How long to wait after a keystroke before analysing: long enough to
/// skip the intermediate states of fast typing, short enough to feel live.
pub const DEBOUNCE: Duration = Duration::from_millis(120);

/// Analyses an open document once typing pauses, then publishes, unless a
/// newer edit arrived meanwhile (its own run will publish).
pub async fn analyze_after_edit(
    client: Client,
    state: Arc<State>,
    uri: Uri,
    generation: u64,
    debounce: Duration,
) {
    if !debounce.is_zero() {
        tokio::time::sleep(debounce).await;
    }
    if !state.documents.is_current(&uri, generation) {
        return;
    }
    let Some(snapshot) = state.documents.snapshot(&uri) else {
        return;
    };
    let worker = state.clone();
    let Ok(analysis) = tokio::task::spawn_blocking(move || worker.analyze(snapshot)).await else {
        return;
    };
    if !state.documents.is_current(&uri, generation) {
        return;
    }
    state.store(&uri, analysis.clone());
    // The system's metrics address may have appeared, changed or gone.
    super::live::sync(&client, &state);
    publish(&client, &state, &uri, &analysis).await;
}

/// The diagnostics of every tier for `uri`, in LSP form.
pub fn lsp_diagnostics(state: &State, uri: &Uri, analysis: &FileAnalysis) -> Vec<LspDiagnostic> {
    let positions = analysis.positions(state.encoding());
    let mut all: Vec<LspDiagnostic> = analysis
        .diagnostics
        .iter()
        .map(|d| convert::diagnostic(uri, d, &positions, "blueprint"))
        .collect();
    if let Some(preflight) = state.preflight_for(uri, analysis) {
        all.extend(preflight);
    }
    all.extend(super::live::diagnostics::lsp_diagnostics(
        state, uri, analysis, &positions,
    ));
    all
}

pub async fn publish(client: &Client, state: &State, uri: &Uri, analysis: &FileAnalysis) {
    let diagnostics = lsp_diagnostics(state, uri, analysis);
    client
        .publish_diagnostics(uri.clone(), diagnostics, analysis.snapshot.version)
        .await;
}
