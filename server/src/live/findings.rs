//! Warnings that come from live data: what the language server publishes
//! as `blueprint-live` diagnostics. Each is a pure function of one window's
//! [`Figures`] and the components the blueprint declares, so a warning ends
//! with the first window in which its condition no longer holds.
//!
//! - pool saturated: every connection is in use and callers wait — in
//!   `acquire()`, or as messages queued on the store's inputs (a store
//!   runs at most as many operations as its pool has connections, so under
//!   load the queue forms in front of it, not inside the pool) — or the
//!   acquire wait's p95 over the window reaches a threshold;
//! - acquire timeouts: any caller gave up waiting in the window;
//! - error rate: the share of failed messages, or of an endpoint's requests
//!   answered 5xx, reaches a threshold;
//! - not reported: a declared component the running system does not report
//!   at all (it runs an older generation of the blueprint).

use std::time::Duration;

use super::figures::{format_seconds, ComponentFigures, Figures, PoolFigures};

/// When a figure becomes a warning.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Thresholds {
    /// Acquire-wait p95 at or above which a pool counts as saturated.
    pub wait_p95: Duration,
    /// Share of failed messages (0–1) at or above which a component warns.
    pub error_rate: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            // A healthy pool hands out connections in microseconds; 10 ms at
            // the 95th percentile means requests queue for connections.
            wait_p95: Duration::from_millis(10),
            error_rate: 0.05,
        }
    }
}

/// Which condition a finding reports; also its diagnostic code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FindingKind {
    PoolSaturated,
    AcquireTimeouts,
    ErrorRate,
    NotReported,
}

impl FindingKind {
    /// The diagnostic code (source `blueprint-live`).
    pub fn code(self) -> &'static str {
        match self {
            FindingKind::PoolSaturated => "pool-saturated",
            FindingKind::AcquireTimeouts => "acquire-timeouts",
            FindingKind::ErrorRate => "error-rate",
            FindingKind::NotReported => "not-reported",
        }
    }
}

/// One warning about one component.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Finding {
    pub component: String,
    pub kind: FindingKind,
    /// What is wrong, with the figures that show it, and what to do.
    pub message: String,
}

/// Every finding of one window, ordered by component then kind.
/// `declared` are the component names the blueprint declares; `address` is
/// where the system was scraped (named in "not reported").
pub fn findings(
    figures: &Figures,
    declared: &[&str],
    thresholds: &Thresholds,
    address: &str,
) -> Vec<Finding> {
    let window = format!("the last {:.1} s", figures.window.as_secs_f64());
    let mut out = Vec::new();
    for c in figures.components.values() {
        for pool in &c.pools {
            if let Some(message) = saturation(c, pool, thresholds, &window) {
                out.push(finding(c, FindingKind::PoolSaturated, message));
            }
            if pool.timeouts > 0.0 {
                let n = pool.timeouts;
                out.push(finding(
                    c,
                    FindingKind::AcquireTimeouts,
                    format!(
                        "{n:.0} acquire timeout{} in {window}: callers of `{}` gave up waiting for a connection of pool `{}`; raise its `pool.max_connections` or `acquire_timeout`, or find what holds connections",
                        if n == 1.0 { "" } else { "s" },
                        c.component,
                        pool.pool_name,
                    ),
                ));
            }
        }
        if let Some(message) = http_errors(c, thresholds, &window) {
            out.push(finding(c, FindingKind::ErrorRate, message));
        } else if let Some(rate) = c.error_rate {
            if c.errors > 0.0 && rate >= thresholds.error_rate {
                out.push(finding(
                    c,
                    FindingKind::ErrorRate,
                    format!(
                        "{:.0} of {:.0} messages failed in {window} ({:.1} %, threshold {:.1} %): see the system's log for `{}`",
                        c.errors,
                        c.messages,
                        rate * 100.0,
                        thresholds.error_rate * 100.0,
                        c.component,
                    ),
                ));
            }
        }
    }
    // A scrape that reports no component at all is not a blueprint system
    // (or not one yet): saying every component is missing would be noise.
    if !figures.components.is_empty() {
        for name in declared {
            if !figures.components.contains_key(*name) {
                out.push(Finding {
                    component: (*name).to_owned(),
                    kind: FindingKind::NotReported,
                    message: format!(
                        "`{name}` is declared here but the system running at {address} does not report it: it runs an older generation of this blueprint; regenerate and restart it"
                    ),
                });
            }
        }
    }
    out.sort();
    out
}

fn finding(c: &ComponentFigures, kind: FindingKind, message: String) -> Finding {
    Finding {
        component: c.component.clone(),
        kind,
        message,
    }
}

/// An endpoint answering 5xx to at least the threshold's share of its
/// requests: what its callers see, so it speaks for the component.
fn http_errors(c: &ComponentFigures, thresholds: &Thresholds, window: &str) -> Option<String> {
    let http = c.http.as_ref()?;
    if http.server_errors <= 0.0 || http.requests <= 0.0 {
        return None;
    }
    let rate = http.server_errors / http.requests;
    (rate >= thresholds.error_rate).then(|| {
        format!(
            "{:.0} of {:.0} requests to `{}` were answered 5xx in {window} ({:.1} %, threshold {:.1} %): see the system's log",
            http.server_errors,
            http.requests,
            c.component,
            rate * 100.0,
            thresholds.error_rate * 100.0,
        )
    })
}

/// Why `pool` counts as saturated, if it does.
fn saturation(
    c: &ComponentFigures,
    pool: &PoolFigures,
    thresholds: &Thresholds,
    window: &str,
) -> Option<String> {
    let pending = pool.pending.unwrap_or(0.0);
    let queued = c.backlog.unwrap_or(0.0);
    let full = matches!((pool.used, pool.max), (Some(u), Some(m)) if m > 0.0 && u >= m);
    let slow_wait = pool
        .wait
        .p95
        .filter(|w| *w >= thresholds.wait_p95.as_secs_f64());
    if !(full && (pending > 0.0 || queued > 0.0)) && slow_wait.is_none() {
        return None;
    }
    let count = |v: Option<f64>| v.map_or("?".to_owned(), |v| format!("{v:.0}"));
    let mut message = format!(
        "pool `{}` of `{}` is saturated: {}/{} connections in use, {pending:.0} waiting for one, {queued:.0} message{} queued",
        pool.pool_name,
        c.component,
        count(pool.used),
        count(pool.max),
        if queued == 1.0 { "" } else { "s" },
    );
    if let Some(w) = pool.wait.p95 {
        message.push_str(&format!(
            ", acquire wait p95 {} over {window}",
            format_seconds(w)
        ));
    }
    message.push_str(
        "; raise the database's `pool.max_connections` (within the server's `max_connections`) or lower the callers' concurrency",
    );
    Some(message)
}

#[cfg(test)]
#[path = "findings_tests.rs"]
mod tests;
