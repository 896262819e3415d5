//! The scrape loop of one address: scrape, compute figures from the
//! previous and current scrape, swap the status in, and ask the client to
//! refresh inlay hints only when a rendered hint changed (code lenses when
//! the connection state changed, diagnostics when a live warning did). Failures are logged at debug: a system
//! that is not running is the normal case, not an error.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;
use tower_lsp_server::Client;

use super::{Settings, Status};
use crate::live::{figures, scrape, Figures, Scrape};
use crate::lsp::state::State;

/// Each component's inlay text: what "a figure changed" compares.
fn rendered(figures: Option<&Figures>) -> BTreeMap<String, String> {
    figures
        .map(|f| {
            f.components
                .iter()
                .map(|(name, c)| (name.clone(), c.inlay_text()))
                .collect()
        })
        .unwrap_or_default()
}

pub async fn run(
    client: Client,
    state: Arc<State>,
    address: String,
    settings: Settings,
    token: CancellationToken,
) {
    let url = format!("http://{address}/metrics");
    let timeout = settings.timeout();
    let mut previous: Option<Arc<Scrape>> = None;
    let mut shown: BTreeMap<String, String> = BTreeMap::new();
    let mut was_connected: Option<bool> = None;
    let mut last_figures: Option<Arc<Figures>> = None;
    loop {
        let result = tokio::select! {
            r = scrape(&url, timeout) => r,
            _ = token.cancelled() => return,
        };
        let status = match result {
            Ok(current) => {
                // Milliseconds for a large system: off the async threads.
                let current = Arc::new(current);
                let computed = match previous.clone() {
                    Some(p) => {
                        let c = current.clone();
                        tokio::task::spawn_blocking(move || Arc::new(figures(&p, &c)))
                            .await
                            .ok()
                    }
                    None => None,
                };
                let scraped = Some(current.wall);
                previous = Some(current);
                let before = if computed.is_some() {
                    last_figures.take()
                } else {
                    None
                };
                last_figures = computed.clone();
                Status {
                    address: address.clone(),
                    connected: true,
                    scraped,
                    figures: computed,
                    previous: before,
                }
            }
            Err(e) => {
                tracing::debug!("live metrics: {e}");
                previous = None;
                last_figures = None;
                Status {
                    address: address.clone(),
                    connected: false,
                    scraped: None,
                    figures: None,
                    previous: None,
                }
            }
        };
        let now = rendered(status.figures.as_deref());
        let hints_changed = now != shown;
        let lens_changed = was_connected != Some(status.connected);
        shown = now;
        was_connected = Some(status.connected);
        if token.is_cancelled() {
            return;
        }
        state.live.status.insert(address.clone(), Arc::new(status));
        if hints_changed && state.live.inlay_refresh.load(Ordering::Relaxed) {
            let _ = client.inlay_hint_refresh().await;
        }
        if lens_changed {
            if state.live.lens_refresh.load(Ordering::Relaxed) {
                let _ = client.code_lens_refresh().await;
            }
            crate::lsp::status::live(&client, &state).await;
        }
        super::diagnostics::republish_changed(&client, &state, Some(&address)).await;
        tokio::select! {
            _ = tokio::time::sleep(settings.interval) => {}
            _ = token.cancelled() => return,
        }
    }
}
