//! Live metrics in the editor (issue 6, first slice): one scrape task per
//! running system, and what the editor reads from it (inlay hints after
//! component names, a hover table, a code lens on `system:`).
//!
//! A system's address is the client's `liveMetrics.address` when set
//! (see [`crate::lsp::settings`]), else the blueprint's
//! `observability.metrics.listen`. One task per address runs while at least
//! one open blueprint resolves to it ([`sync`] starts and stops them after
//! every analysis of an open document and every close). Each task keeps the
//! previous and current scrape and swaps a whole [`Status`] into
//! [`Live::status`]; request handlers only clone that `Arc`, never await the
//! scrape.
//!
//! The user can point every blueprint at another address
//! (`blueprint.live.connect ADDRESS`) or stop scraping
//! (`blueprint.live.disconnect`) until they connect again; see [`commands`].
//!
//! - [`task`]: the scrape loop and the refresh requests it sends.
//! - [`features`]: inlay hints, code lens and the hover additions.
//! - [`diagnostics`]: the `blueprint-live` warnings of a document.
//! - [`commands`]: connect and disconnect.

pub mod commands;
pub mod diagnostics;
pub mod features;
pub mod task;

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};

use dashmap::DashMap;
use serde_json::Value;
use tokio_util::sync::CancellationToken;
use tower_lsp_server::Client;

use super::state::State;
use crate::live::{Figures, Thresholds};

/// Default scrape interval.
pub const DEFAULT_INTERVAL: Duration = Duration::from_millis(5000);
/// Shortest interval accepted from the client.
pub const MIN_INTERVAL: Duration = Duration::from_millis(50);
/// Longest a scrape may take (and never longer than the interval).
pub const MAX_TIMEOUT: Duration = Duration::from_secs(2);

/// What the client asked for (`liveMetrics: { address, intervalMs,
/// enabled, saturationWaitMs, errorRatePercent }`).
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// Overrides every blueprint's `observability.metrics.listen`.
    pub address: Option<String>,
    pub interval: Duration,
    pub enabled: bool,
    /// When live figures become `blueprint-live` warnings.
    pub thresholds: Thresholds,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            address: None,
            interval: DEFAULT_INTERVAL,
            enabled: true,
            thresholds: Thresholds::default(),
        }
    }
}

impl Settings {
    /// Reads a `liveMetrics` object; missing or malformed fields keep
    /// their defaults.
    pub fn from_json(value: Option<&Value>) -> Self {
        let mut s = Self::default();
        let Some(v) = value.filter(|v| v.is_object()) else {
            return s;
        };
        s.address = v
            .get("address")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_owned);
        if let Some(ms) = v.get("intervalMs").and_then(Value::as_u64) {
            s.interval = Duration::from_millis(ms).max(MIN_INTERVAL);
        }
        if let Some(enabled) = v.get("enabled").and_then(Value::as_bool) {
            s.enabled = enabled;
        }
        if let Some(ms) = v.get("saturationWaitMs").and_then(Value::as_f64) {
            if ms.is_finite() && ms >= 0.0 {
                s.thresholds.wait_p95 = Duration::from_secs_f64(ms / 1e3);
            }
        }
        if let Some(pct) = v.get("errorRatePercent").and_then(Value::as_f64) {
            if pct.is_finite() && pct >= 0.0 {
                s.thresholds.error_rate = pct / 100.0;
            }
        }
        s
    }

    /// The scrape timeout: the interval, at most [`MAX_TIMEOUT`].
    pub fn timeout(&self) -> Duration {
        self.interval.min(MAX_TIMEOUT)
    }
}

/// What the latest scrape of one address left.
#[derive(Clone, Debug)]
pub struct Status {
    pub address: String,
    /// The latest scrape succeeded.
    pub connected: bool,
    /// When the latest successful scrape completed.
    pub scraped: Option<SystemTime>,
    /// Figures of the latest two scrapes (none before two, none when the
    /// latest scrape failed).
    pub figures: Option<Arc<Figures>>,
    /// The figures one window earlier, for the hover's trend.
    pub previous: Option<Arc<Figures>>,
}

struct Running {
    token: CancellationToken,
    interval: Duration,
}

/// The live-metrics part of the server's state.
#[derive(Default)]
pub struct Live {
    /// Latest status by address, swapped whole.
    pub status: DashMap<String, Arc<Status>>,
    pub settings: RwLock<Settings>,
    /// The client handles `workspace/inlayHint/refresh`.
    pub inlay_refresh: AtomicBool,
    /// The client handles `workspace/codeLens/refresh`.
    pub lens_refresh: AtomicBool,
    /// Running tasks by address (locked briefly, never across an await).
    running: Mutex<HashMap<String, Running>>,
    /// The address `blueprint.live.connect ADDRESS` chose: it overrides the
    /// client's settings and every blueprint until the next connect.
    connected_to: RwLock<Option<String>>,
    /// `blueprint.live.disconnect` stopped scraping until the next connect.
    paused: AtomicBool,
    /// The live findings each open document was last published with.
    pub published: DashMap<tower_lsp_server::ls_types::Uri, Vec<crate::live::Finding>>,
}

impl Live {
    /// The client's settings with the user's connect/disconnect applied:
    /// what decides which addresses are scraped.
    pub fn settings(&self) -> Settings {
        let mut s = self.settings_when_connected();
        if self.is_paused() {
            s.enabled = false;
        }
        s
    }

    /// What [`Live::settings`] will be after the next connect without an
    /// address: the client's settings with the address connected to.
    pub fn settings_when_connected(&self) -> Settings {
        let mut s = self.settings.read().map(|s| s.clone()).unwrap_or_default();
        if let Some(address) = self.connected_to.read().ok().and_then(|a| a.clone()) {
            s.address = Some(address);
            s.enabled = true;
        }
        s
    }

    /// The user disconnected and has not connected since.
    pub fn is_paused(&self) -> bool {
        self.paused.load(Ordering::Relaxed)
    }

    pub fn set_settings(&self, settings: Settings) {
        if let Ok(mut s) = self.settings.write() {
            *s = settings;
        }
    }

    /// The latest status of `address`.
    pub fn status_of(&self, address: &str) -> Option<Arc<Status>> {
        self.status.get(address).map(|s| s.clone())
    }
}

/// The address a blueprint's system is scraped at, if any: the client's
/// override, else `observability.metrics.listen` (a wildcard host such as
/// `0.0.0.0:9464` or `:9464` is reached on loopback).
pub fn address_for(settings: &Settings, listen: Option<&str>) -> Option<String> {
    if !settings.enabled {
        return None;
    }
    let raw = settings.address.as_deref().or(listen)?.trim();
    if raw.is_empty() || raw.contains("${") {
        return None;
    }
    let raw = raw
        .strip_prefix("http://")
        .unwrap_or(raw)
        .trim_end_matches('/');
    let (host, port) = raw.rsplit_once(':')?;
    if port.is_empty() || port.parse::<u16>().is_err() {
        return None;
    }
    let host = match host {
        "" | "0.0.0.0" => "127.0.0.1",
        "[::]" => "[::1]",
        h => h,
    };
    Some(format!("{host}:{port}"))
}

/// The address the open blueprint at `uri` is scraped at.
pub fn address_of(state: &State, uri: &tower_lsp_server::ls_types::Uri) -> Option<String> {
    let analysis = state.analyses.get(uri).map(|a| a.clone())?;
    let listen = analysis
        .blueprint
        .system
        .as_ref()
        .and_then(|s| s.metrics_listen.as_ref())
        .map(|l| l.value.clone());
    address_for(&state.live.settings(), listen.as_deref())
}

/// Starts a task for every address an open blueprint resolves to, and
/// stops those no open blueprint needs any more (or whose interval
/// changed); when one stops, its hints, lenses and warnings are withdrawn.
/// Synchronous: call it from anywhere.
pub fn sync(client: &Client, state: &Arc<State>) {
    let settings = state.live.settings();
    let wanted: BTreeSet<String> = state
        .documents
        .uris()
        .iter()
        .filter_map(|uri| address_of(state, uri))
        .collect();
    let Ok(mut running) = state.live.running.lock() else {
        return;
    };
    let mut stopped = false;
    running.retain(|address, task| {
        let keep = wanted.contains(address) && task.interval == settings.interval;
        if !keep {
            task.token.cancel();
            state.live.status.remove(address);
            stopped = true;
        }
        keep
    });
    for address in wanted {
        if running.contains_key(&address) {
            continue;
        }
        let token = CancellationToken::new();
        running.insert(
            address.clone(),
            Running {
                token: token.clone(),
                interval: settings.interval,
            },
        );
        tracing::debug!(address = %address, "live metrics: watching");
        tokio::spawn(task::run(
            client.clone(),
            state.clone(),
            address,
            settings.clone(),
            token,
        ));
    }
    drop(running);
    if stopped {
        tokio::spawn(refresh_views(client.clone(), state.clone()));
    }
}

/// Asks the client to redraw inlay hints and code lenses, and republishes
/// every open blueprint whose live warnings changed.
pub async fn refresh_views(client: Client, state: Arc<State>) {
    if state.live.inlay_refresh.load(Ordering::Relaxed) {
        let _ = client.inlay_hint_refresh().await;
    }
    if state.live.lens_refresh.load(Ordering::Relaxed) {
        let _ = client.code_lens_refresh().await;
    }
    diagnostics::republish_changed(&client, &state, None).await;
    crate::lsp::status::live(&client, &state).await;
}

/// Remembers which refreshes the client handles, from `initialize` (the
/// settings come with the others, see [`crate::lsp::settings`]).
pub fn initialize(state: &State, params: &tower_lsp_server::ls_types::InitializeParams) {
    let workspace = params.capabilities.workspace.as_ref();
    let inlay = workspace
        .and_then(|w| w.inlay_hint.as_ref())
        .and_then(|i| i.refresh_support)
        .unwrap_or(false);
    let lens = workspace
        .and_then(|w| w.code_lens.as_ref())
        .and_then(|c| c.refresh_support)
        .unwrap_or(false);
    state.live.inlay_refresh.store(inlay, Ordering::Relaxed);
    state.live.lens_refresh.store(lens, Ordering::Relaxed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        let s = Settings::default();
        assert_eq!(
            address_for(&s, Some("127.0.0.1:9464")).as_deref(),
            Some("127.0.0.1:9464")
        );
        assert_eq!(
            address_for(&s, Some("0.0.0.0:9464")).as_deref(),
            Some("127.0.0.1:9464")
        );
        assert_eq!(address_for(&s, Some(":9")).as_deref(), Some("127.0.0.1:9"));
        assert_eq!(address_for(&s, Some("${METRICS_ADDR}")), None);
        assert_eq!(address_for(&s, Some("nowhere")), None);
        assert_eq!(address_for(&s, None), None);
        let over = Settings::from_json(Some(&serde_json::json!({
            "address": "10.0.0.2:9000", "intervalMs": 200
        })));
        assert_eq!(over.interval, Duration::from_millis(200));
        assert_eq!(address_for(&over, None).as_deref(), Some("10.0.0.2:9000"));
        let off = Settings::from_json(Some(&serde_json::json!({"enabled": false})));
        assert_eq!(address_for(&off, Some("127.0.0.1:9464")), None);
        assert_eq!(
            Settings::from_json(Some(&serde_json::json!({"intervalMs": 60000}))).timeout(),
            MAX_TIMEOUT
        );
    }
}
