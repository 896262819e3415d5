//! The pre-flight in the background: on open, on save and on the command
//! `blueprint.preflight`, with `$/progress` while it runs. The editor never
//! waits on a database: requests keep being answered meanwhile.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tower_lsp_server::ls_types::{ProgressToken, Uri};
use tower_lsp_server::Client;

use super::backend::republish;
use super::convert;
use super::state::State;
use super::status;
use crate::preflight::{self, cache::Cache};

static NEXT_TOKEN: AtomicU64 = AtomicU64::new(1);

/// The server's pre-flight cache: a re-run within a minute (saving twice)
/// does not ask the database again.
fn cache() -> &'static Cache {
    static CACHE: std::sync::OnceLock<Cache> = std::sync::OnceLock::new();
    CACHE.get_or_init(|| Cache::in_memory(std::time::Duration::from_secs(60)))
}

/// A pre-flight on open or save: a result less than a minute old is reused.
pub fn spawn(client: Client, state: Arc<State>, uri: Uri) {
    tokio::spawn(run(client, state, uri));
}

/// A pre-flight the user asked for: always asks the databases again.
pub async fn run_fresh(client: Client, state: Arc<State>, uri: Uri) {
    cache().clear();
    run(client, state, uri).await;
}

pub async fn run(client: Client, state: Arc<State>, uri: Uri) {
    let Some(analysis) = state.current_analysis(&uri).await else {
        return;
    };
    let Some(system) = &analysis.blueprint.system else {
        return;
    };
    if system.databases.is_empty() {
        return;
    }
    let token = ProgressToken::String(format!(
        "blueprint-preflight-{}",
        NEXT_TOKEN.fetch_add(1, Ordering::Relaxed)
    ));
    // Clients that do not support server-initiated progress refuse the
    // token; the pre-flight runs all the same, silently.
    let progress = match client.create_work_done_progress(token.clone()).await {
        Ok(()) => Some(
            client
                .progress(token, "Blueprint pre-flight")
                .with_message("connecting to the databases")
                .begin()
                .await,
        ),
        Err(_) => None,
    };
    let path = uri.to_file_path().map(|p| p.into_owned());
    let file = path.as_deref().and_then(|p| p.file_name()).map_or_else(
        || uri.as_str().to_owned(),
        |f| f.to_string_lossy().into_owned(),
    );
    status::preflight(&client, &state, "running", format!("pre-flight of {file}")).await;
    let (env, _) = match &path {
        Some(p) => state.environment(p),
        None => (Default::default(), None),
    };
    let dir = path.as_deref().and_then(|p| p.parent());
    let (diagnostics, inspections) = preflight::run_with_inspections(
        &analysis.blueprint,
        &env,
        dir,
        &preflight::Options::default(),
        cache(),
        &|_| {},
    )
    .await;
    let positions = analysis.positions(state.encoding());
    let lsp = diagnostics
        .iter()
        .map(|d| convert::diagnostic(&uri, d, &positions, "blueprint-preflight"))
        .collect();
    let unreachable = diagnostics
        .iter()
        .filter(|d| d.rule.code == "BP310")
        .count();
    let (outcome, message) = match (unreachable, diagnostics.len()) {
        (0, 0) => ("ok", format!("pre-flight of {file}: no findings")),
        (0, n) => ("findings", format!("pre-flight of {file}: {n} finding(s)")),
        (u, _) => (
            "unreachable",
            format!("pre-flight of {file}: {u} database(s) unreachable"),
        ),
    };
    status::preflight(&client, &state, outcome, message).await;
    state.preflight.insert(uri.clone(), lsp);
    state
        .preflight_text
        .insert(uri.clone(), analysis.snapshot.text.clone());
    state.servers.insert(uri.clone(), inspections);
    if let Some(progress) = progress {
        progress
            .finish_with_message(format!("{} finding(s)", diagnostics.len()))
            .await;
    }
    republish(&client, &state, &uri).await;
}
