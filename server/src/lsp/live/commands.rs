//! `blueprint.live.connect` and `blueprint.live.disconnect`: the user points
//! live metrics at a system running elsewhere, goes back to each
//! blueprint's own address, or stops scraping. They change what
//! [`Live::settings`](super::Live::settings) returns and re-run
//! [`sync`](super::sync), which starts and stops the scrape tasks and
//! withdraws what a stopped task showed.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use serde_json::{json, Value};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::Client;

use super::{address_for, refresh_views, sync, Settings};
use crate::lsp::state::State;

/// Argument: an address `host:port` to scrape for every open blueprint.
/// Without one: after a disconnect, resumes what was scraped before it;
/// otherwise goes back to each blueprint's own
/// `observability.metrics.listen` (or the client's setting).
pub const CONNECT: &str = "blueprint.live.connect";
/// Stops scraping (and withdraws hints, lenses and live warnings) until the
/// next connect.
pub const DISCONNECT: &str = "blueprint.live.disconnect";

pub async fn connect(
    client: &Client,
    state: &Arc<State>,
    arguments: &[Value],
) -> Result<Option<Value>> {
    let resuming = state.live.is_paused();
    let address = match arguments.first() {
        None | Some(Value::Null) => None,
        Some(Value::String(raw)) if raw.trim().is_empty() => None,
        Some(Value::String(raw)) => {
            let probe = Settings {
                address: Some(raw.clone()),
                ..Settings::default()
            };
            Some(address_for(&probe, None).ok_or_else(|| {
                Error::invalid_params(format!(
                    "`{raw}` is not an address to scrape: expected host:port, e.g. 127.0.0.1:9464"
                ))
            })?)
        }
        Some(other) => {
            return Err(Error::invalid_params(format!(
                "`{CONNECT}` takes an address string (host:port), not {other}"
            )))
        }
    };
    if address.is_some() || !resuming {
        if let Ok(mut to) = state.live.connected_to.write() {
            to.clone_from(&address);
        }
    }
    state.live.paused.store(false, Ordering::Relaxed);
    sync(client, state);
    // A connect that starts no new task (same address) still changes what
    // the lens says.
    refresh_views(client.clone(), state.clone()).await;
    let address = state.live.settings().address;
    tracing::info!(address = ?address, "live metrics: connect");
    Ok(Some(json!({ "address": address })))
}

pub async fn disconnect(client: &Client, state: &Arc<State>) -> Result<Option<Value>> {
    state.live.paused.store(true, Ordering::Relaxed);
    sync(client, state);
    refresh_views(client.clone(), state.clone()).await;
    tracing::info!("live metrics: disconnect");
    Ok(None)
}
