//! `blueprint/status`: what a status bar shows — the state of the latest
//! pre-flight and of the live-metrics connection — sent as a whole
//! whenever either changes (never twice the same):
//!
//! ```json
//! { "preflight": { "state": "running", "message": "…" },
//!   "live": { "state": "connected", "address": "127.0.0.1:9464", "message": "…" } }
//! ```
//!
//! `preflight.state`: `idle` (none ran), `running`, `ok`, `findings`,
//! `unreachable` (a database could not be reached). `live.state`: `off`
//! (nothing to scrape, or disconnected by the user), `not-connected`,
//! `connected`. A client that does not know the method ignores it.

use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use tower_lsp_server::ls_types::notification::Notification;
use tower_lsp_server::Client;

use super::state::State;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PreflightStatus {
    pub state: String,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LiveStatus {
    pub state: String,
    pub address: Option<String>,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub preflight: PreflightStatus,
    pub live: LiveStatus,
}

impl Default for Report {
    fn default() -> Self {
        Self {
            preflight: PreflightStatus {
                state: "idle".into(),
                message: "no pre-flight has run yet".into(),
            },
            live: LiveStatus {
                state: "off".into(),
                address: None,
                message: "no running system to watch".into(),
            },
        }
    }
}

pub enum StatusNotification {}

impl Notification for StatusNotification {
    type Params = Report;
    const METHOD: &'static str = "blueprint/status";
}

/// The latest report; `None` until the first is sent.
#[derive(Default)]
pub struct Board {
    sent: Mutex<Option<Report>>,
}

/// Applies `change` to the latest report and sends it if it differs from
/// what was sent last.
async fn update(client: &Client, state: &State, change: impl FnOnce(&mut Report)) {
    let report = {
        let Ok(mut sent) = state.status.sent.lock() else {
            return;
        };
        let mut next = sent.clone().unwrap_or_default();
        change(&mut next);
        if sent.as_ref() == Some(&next) {
            return;
        }
        *sent = Some(next.clone());
        next
    };
    client.send_notification::<StatusNotification>(report).await;
}

pub async fn preflight(client: &Client, state: &State, status: &str, message: String) {
    update(client, state, |r| {
        r.preflight = PreflightStatus {
            state: status.into(),
            message,
        }
    })
    .await;
}

/// Recomputes the live part from the scrape tasks' statuses.
pub async fn live(client: &Client, state: &State) {
    let live = live_status(state);
    update(client, state, |r| r.live = live).await;
}

fn live_status(state: &State) -> LiveStatus {
    if state.live.is_paused() {
        return LiveStatus {
            state: "off".into(),
            address: None,
            message: "live metrics disconnected; run Connect to resume".into(),
        };
    }
    let mut statuses: Vec<_> = state.live.status.iter().map(|s| s.clone()).collect();
    statuses.sort_by(|a, b| a.address.cmp(&b.address));
    // A connected system first: that is what the user watches.
    statuses.sort_by_key(|s| !s.connected);
    match statuses.first() {
        None => LiveStatus::default_off(),
        Some(s) if s.connected => LiveStatus {
            state: "connected".into(),
            address: Some(s.address.clone()),
            message: format!("live metrics from {}", s.address),
        },
        Some(s) => LiveStatus {
            state: "not-connected".into(),
            address: Some(s.address.clone()),
            message: format!("nothing answers at {} (is the system running?)", s.address),
        },
    }
}

impl LiveStatus {
    fn default_off() -> Self {
        Report::default().live
    }
}
