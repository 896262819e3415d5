//! The workspace: every blueprint under its folders is analysed at start-up
//! and whenever it changes on disk, open or not.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tower_lsp_server::ls_types::*;
use tower_lsp_server::Client;

use super::documents::Snapshot;
use super::publish::publish;
use super::state::State;

/// The glob patterns of blueprint files, as the CLI's directory search.
pub const PATTERNS: &[&str] = &[
    "**/*.blueprint.yaml",
    "**/*.blueprint.yml",
    "**/blueprint.yaml",
    "**/blueprint.yml",
];

pub fn is_blueprint(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.ends_with(".blueprint.yaml")
        || name.ends_with(".blueprint.yml")
        || name == "blueprint.yaml"
        || name == "blueprint.yml"
}

pub fn remember_roots(state: &State, params: &InitializeParams) {
    let mut roots: Vec<PathBuf> = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|f| f.uri.to_file_path().map(|p| p.into_owned()))
        .collect();
    #[allow(deprecated)]
    if roots.is_empty() {
        roots.extend(
            params
                .root_uri
                .as_ref()
                .and_then(|u| u.to_file_path())
                .map(|p| p.into_owned()),
        );
    }
    if let Ok(mut r) = state.roots.lock() {
        *r = roots;
    }
}

/// Asks the client to tell us about blueprint files changing on disk.
pub async fn watch_blueprints(client: &Client) {
    // Also the generated systems' manifests and modules, which BP230 and
    // BP231 compare with the blueprint.
    let watchers = PATTERNS
        .iter()
        .chain(super::features::generate::WATCHED)
        .map(|p| FileSystemWatcher {
            glob_pattern: GlobPattern::String(p.to_string()),
            kind: None,
        })
        .collect();
    let registration = Registration {
        id: "blueprint-files".into(),
        method: "workspace/didChangeWatchedFiles".into(),
        register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions {
            watchers,
        })
        .ok(),
    };
    // Clients without dynamic registration refuse; start-up scanning and
    // open documents still work.
    if let Err(e) = client.register_capability(vec![registration]).await {
        tracing::debug!("file watching not registered: {e}");
    }
}

/// Analyses every blueprint under the workspace folders.
pub async fn scan(client: Client, state: Arc<State>) {
    let roots = state.roots.lock().map(|r| r.clone()).unwrap_or_default();
    let files = tokio::task::spawn_blocking(move || {
        let mut files = Vec::new();
        for root in roots {
            for entry in ignore::WalkBuilder::new(root)
                .hidden(true)
                .build()
                .flatten()
            {
                if entry.file_type().is_some_and(|t| t.is_file()) && is_blueprint(entry.path()) {
                    files.push(entry.into_path());
                }
            }
        }
        files
    })
    .await
    .unwrap_or_default();
    for path in files {
        if let Some(uri) = Uri::from_file_path(&path) {
            refresh_from_disk(client.clone(), state.clone(), uri).await;
        }
    }
}

/// Re-analyses a file that is not open from its disk contents; a deleted
/// file's diagnostics are cleared.
pub async fn refresh_from_disk(client: Client, state: Arc<State>, uri: Uri) {
    if state.documents.is_open(&uri) {
        return;
    }
    let Some(path) = uri.to_file_path().map(|p| p.into_owned()) else {
        return;
    };
    if !is_blueprint(&path) {
        return;
    }
    match tokio::fs::read(&path).await {
        Ok(bytes) => {
            let text = blueprint_grammars::SourceText::from_bytes(&bytes);
            let snapshot = Snapshot {
                uri: uri.clone(),
                text: Arc::from(text.as_str()),
                version: None,
                generation: 0,
            };
            let worker = state.clone();
            let Ok(analysis) = tokio::task::spawn_blocking(move || worker.analyze(snapshot)).await
            else {
                return;
            };
            if state.documents.is_open(&uri) {
                return;
            }
            state.store(&uri, analysis.clone());
            publish(&client, &state, &uri, &analysis).await;
        }
        Err(_) => {
            state.forget(&uri);
            client.publish_diagnostics(uri, Vec::new(), None).await;
        }
    }
}
