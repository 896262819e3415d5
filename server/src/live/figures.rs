//! What the editor shows per component, computed from two consecutive
//! scrapes: the window is the time between them, counters and histograms
//! are differenced over it (percentiles come from bucket deltas, never from
//! totals since start), gauges are read from the current scrape.
//!
//! A series that went down between the scrapes (the system restarted) or is
//! new in the current one counts from zero: its current value is the window.
//!
//! `http_server_request_duration_seconds` feeds the figures of the
//! endpoint named by its `component` label (requests, latency, 4xx/5xx);
//! the operational routes (`/health`, `/ready`, `/metrics`) do not count:
//! the editor's own scrapes must not look like traffic.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::exposition::{parse_value, Sample};
use super::histogram::{counter_delta, Snapshot};
use super::scrape::Scrape;

/// p50, p95 and p99 of one histogram over the window, in seconds; `None`
/// when nothing was observed in the window.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Percentiles {
    pub p50: Option<f64>,
    pub p95: Option<f64>,
    pub p99: Option<f64>,
}

impl Percentiles {
    fn of(h: &Snapshot) -> Self {
        Self {
            p50: h.quantile(0.5),
            p95: h.quantile(0.95),
            p99: h.quantile(0.99),
        }
    }
}

/// Operations of one kind (or all together) over the window.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OperationFigures {
    /// Operations completed in the window.
    pub count: f64,
    pub per_second: f64,
    pub latency: Percentiles,
}

/// One store's connection pool.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PoolFigures {
    pub pool_name: String,
    /// Connections in use, idle, and the pool's limit (gauges, now).
    pub used: Option<f64>,
    pub idle: Option<f64>,
    pub max: Option<f64>,
    /// Callers waiting in `acquire()` now.
    pub pending: Option<f64>,
    /// `acquire()` timeouts in the window.
    pub timeouts: f64,
    /// Time spent waiting in `acquire()` over the window.
    pub wait: Percentiles,
    /// Every operation together.
    pub operations: OperationFigures,
    /// Per operation verb (`SELECT`, `INSERT`…).
    pub per_operation: BTreeMap<String, OperationFigures>,
}

/// The HTTP requests an endpoint answered over the window.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HttpFigures {
    pub requests: f64,
    pub per_second: f64,
    /// From the request arriving to the response leaving: everything the
    /// request waited for downstream included.
    pub latency: Percentiles,
    /// Answered 4xx (the caller's mistake) and 5xx (the system's).
    pub client_errors: f64,
    pub server_errors: f64,
}

/// Routes every server has; not an endpoint's traffic.
const OPERATIONAL_ROUTES: [&str; 3] = ["/health", "/ready", "/metrics"];

/// Every figure of one component over one window.
#[derive(Clone, Debug, PartialEq)]
pub struct ComponentFigures {
    pub component: String,
    /// Time between the two scrapes.
    pub window: Duration,
    /// When the current scrape was taken.
    pub scraped: SystemTime,
    /// The component's pools (stores have one); empty for other types.
    pub pools: Vec<PoolFigures>,
    /// Messages processed in the window, and per second.
    pub messages: f64,
    pub messages_per_second: f64,
    /// Messages whose processing failed in the window, and their share of
    /// the messages (`None` without messages).
    pub errors: f64,
    pub error_rate: Option<f64>,
    /// Time in `process()` over the window.
    pub processing: Percentiles,
    /// Messages waiting on the input ports now (summed over ports).
    pub backlog: Option<f64>,
    /// The HTTP requests it answered, for an endpoint.
    pub http: Option<HttpFigures>,
}

/// All pools of one database (`pool_name`) together, across components:
/// what a hover compares with the server's `max_connections`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DatabaseFigures {
    pub pool_name: String,
    pub components: Vec<String>,
    /// Sum of the pools' limits: connections the system may open.
    pub max: f64,
    /// Sum of connections in use now.
    pub used: f64,
    pub pending: f64,
}

/// Everything computed from one pair of scrapes.
#[derive(Clone, Debug, PartialEq)]
pub struct Figures {
    pub window: Duration,
    pub scraped: SystemTime,
    pub components: BTreeMap<String, ComponentFigures>,
    pub databases: BTreeMap<String, DatabaseFigures>,
}

type Key = Vec<String>;

fn key(sample: &Sample, labels: &[&str]) -> Key {
    labels
        .iter()
        .map(|l| sample.label(l).unwrap_or("").to_owned())
        .collect()
}

/// Samples called `name`, summed by the values of `labels`. Non-finite
/// values are skipped.
fn sums(s: &Scrape, name: &str, labels: &[&str]) -> BTreeMap<Key, f64> {
    let mut out = BTreeMap::new();
    for x in s
        .samples
        .iter()
        .filter(|x| x.name == name && x.value.is_finite())
    {
        *out.entry(key(x, labels)).or_insert(0.0) += x.value;
    }
    out
}

/// Histograms called `base`, by the values of `labels`.
fn histograms(s: &Scrape, base: &str, labels: &[&str]) -> BTreeMap<Key, Snapshot> {
    let (bucket, count, sum) = (
        format!("{base}_bucket"),
        format!("{base}_count"),
        format!("{base}_sum"),
    );
    let mut out: BTreeMap<Key, Snapshot> = BTreeMap::new();
    for x in &s.samples {
        if x.name == bucket {
            let Some(le) = x.label("le").and_then(parse_value) else {
                continue;
            };
            out.entry(key(x, labels))
                .or_default()
                .buckets
                .push((le, x.value));
        } else if x.name == count {
            out.entry(key(x, labels)).or_default().count = x.value;
        } else if x.name == sum {
            out.entry(key(x, labels)).or_default().sum = x.value;
        }
    }
    for h in out.values_mut() {
        h.buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    out
}

/// Counters differenced over the window, by key.
fn counter_deltas(p: &Scrape, c: &Scrape, name: &str, labels: &[&str]) -> BTreeMap<Key, f64> {
    let before = sums(p, name, labels);
    sums(c, name, labels)
        .into_iter()
        .map(|(k, now)| {
            let d = counter_delta(before.get(&k).copied(), now);
            (k, d)
        })
        .collect()
}

/// Histograms differenced over the window, by key.
fn histogram_deltas(
    p: &Scrape,
    c: &Scrape,
    base: &str,
    labels: &[&str],
) -> BTreeMap<Key, Snapshot> {
    let before = histograms(p, base, labels);
    histograms(c, base, labels)
        .into_iter()
        .map(|(k, now)| {
            let d = now.delta(before.get(&k));
            (k, d)
        })
        .collect()
}

const POOL: [&str; 2] = ["component", "pool_name"];
const COMPONENT: [&str; 1] = ["component"];

/// The figures of every component the current scrape reports, over the
/// window from `previous` to `current`.
pub fn figures(previous: &Scrape, current: &Scrape) -> Figures {
    let window = current.at.saturating_duration_since(previous.at);
    let secs = window.as_secs_f64();
    let per_second = |n: f64| if secs > 0.0 { n / secs } else { 0.0 };
    let (p, c) = (previous, current);

    let state = |st: &str| {
        let mut out = BTreeMap::new();
        for x in c.samples.iter().filter(|x| {
            x.name == "db_client_connection_count"
                && x.label("state") == Some(st)
                && x.value.is_finite()
        }) {
            *out.entry(key(x, &POOL)).or_insert(0.0) += x.value;
        }
        out
    };
    let used = state("used");
    let idle = state("idle");
    let max = sums(c, "db_client_connection_max", &POOL);
    let pending = sums(c, "db_client_connection_pending_requests", &POOL);
    let timeouts = counter_deltas(p, c, "db_client_connection_timeouts_total", &POOL);
    let wait = histogram_deltas(p, c, "db_client_connection_wait_time_seconds", &POOL);
    let operations = histogram_deltas(
        p,
        c,
        "db_client_operation_duration_seconds",
        &["component", "pool_name", "operation"],
    );
    let messages = counter_deltas(p, c, "blueprint_component_messages_total", &COMPONENT);
    let errors = counter_deltas(p, c, "blueprint_component_errors_total", &COMPONENT);
    let processing = histogram_deltas(
        p,
        c,
        "blueprint_component_processing_duration_seconds",
        &COMPONENT,
    );
    let backlog = sums(c, "blueprint_component_backlog", &COMPONENT);
    let http = http_figures(p, c, &per_second);

    // Every pool (component, pool_name) any pool metric mentions.
    let mut pools: BTreeSet<Key> = BTreeSet::new();
    pools.extend(used.keys().chain(idle.keys()).chain(max.keys()).cloned());
    pools.extend(
        pending
            .keys()
            .chain(timeouts.keys())
            .chain(wait.keys())
            .cloned(),
    );
    pools.extend(operations.keys().map(|k| k[..2].to_vec()));
    let mut names: BTreeSet<String> = pools.iter().map(|k| k[0].clone()).collect();
    names.extend(
        messages
            .keys()
            .chain(errors.keys())
            .chain(processing.keys())
            .chain(backlog.keys())
            .map(|k| k[0].clone()),
    );
    names.extend(http.keys().cloned());

    let mut components = BTreeMap::new();
    for name in names {
        let one = |m: &BTreeMap<Key, f64>| m.get(std::slice::from_ref(&name)).copied();
        let mut pool_figures = Vec::new();
        // Keys sort by component first: each component's pools (and each
        // pool's operations) are one contiguous range, found in log time —
        // a system with a thousand components stays linear.
        let own = pools
            .range(vec![name.clone()]..)
            .take_while(|k| k[0] == name);
        for k in own {
            let mut all = Snapshot::default();
            let mut per_operation = BTreeMap::new();
            let of_pool = operations
                .range(k.clone()..)
                .take_while(|(ok, _)| ok[..2] == k[..]);
            for (ok, h) in of_pool {
                all.add(h);
                per_operation.insert(
                    ok[2].clone(),
                    OperationFigures {
                        count: h.count.max(0.0),
                        per_second: per_second(h.count.max(0.0)),
                        latency: Percentiles::of(h),
                    },
                );
            }
            pool_figures.push(PoolFigures {
                pool_name: k[1].clone(),
                used: used.get(k).copied(),
                idle: idle.get(k).copied(),
                max: max.get(k).copied(),
                pending: pending.get(k).copied(),
                timeouts: timeouts.get(k).copied().unwrap_or(0.0),
                wait: wait.get(k).map(Percentiles::of).unwrap_or_default(),
                operations: OperationFigures {
                    count: all.count.max(0.0),
                    per_second: per_second(all.count.max(0.0)),
                    latency: Percentiles::of(&all),
                },
                per_operation,
            });
        }
        let n = one(&messages).unwrap_or(0.0);
        let e = one(&errors).unwrap_or(0.0);
        components.insert(
            name.clone(),
            ComponentFigures {
                component: name.clone(),
                window,
                scraped: c.wall,
                pools: pool_figures,
                messages: n,
                messages_per_second: per_second(n),
                errors: e,
                error_rate: (n > 0.0).then(|| e / n),
                processing: processing
                    .get(std::slice::from_ref(&name))
                    .map(Percentiles::of)
                    .unwrap_or_default(),
                backlog: one(&backlog),
                http: http.get(&name).cloned(),
            },
        );
    }

    let mut databases: BTreeMap<String, DatabaseFigures> = BTreeMap::new();
    for f in components.values() {
        for pool in &f.pools {
            let d = databases
                .entry(pool.pool_name.clone())
                .or_insert_with(|| DatabaseFigures {
                    pool_name: pool.pool_name.clone(),
                    ..DatabaseFigures::default()
                });
            d.components.push(f.component.clone());
            d.max += pool.max.unwrap_or(0.0);
            d.used += pool.used.unwrap_or(0.0);
            d.pending += pool.pending.unwrap_or(0.0);
        }
    }

    Figures {
        window,
        scraped: c.wall,
        components,
        databases,
    }
}

/// Each endpoint's HTTP figures over the window, by component.
fn http_figures(
    p: &Scrape,
    c: &Scrape,
    per_second: &dyn Fn(f64) -> f64,
) -> BTreeMap<String, HttpFigures> {
    let requests = histogram_deltas(
        p,
        c,
        "http_server_request_duration_seconds",
        &["component", "http_route", "http_response_status_code"],
    );
    let mut all: BTreeMap<String, (Snapshot, HttpFigures)> = BTreeMap::new();
    for (k, h) in &requests {
        let (component, route, status) = (&k[0], &k[1], &k[2]);
        if component.is_empty() || OPERATIONAL_ROUTES.contains(&route.as_str()) {
            continue;
        }
        let (sum, f) = all.entry(component.clone()).or_default();
        sum.add(h);
        let n = h.count.max(0.0);
        match status.chars().next() {
            Some('4') => f.client_errors += n,
            Some('5') => f.server_errors += n,
            _ => {}
        }
    }
    all.into_iter()
        .map(|(name, (sum, mut f))| {
            f.requests = sum.count.max(0.0);
            f.per_second = per_second(f.requests);
            f.latency = Percentiles::of(&sum);
            (name, f)
        })
        .collect()
}

/// A duration given in seconds, in the unit that reads best:
/// `40 µs`, `0.4 ms`, `2.1 ms`, `35 ms`, `1.25 s`, `12.0 s`.
pub fn format_seconds(s: f64) -> String {
    if !s.is_finite() {
        return "—".into();
    }
    if s < 100e-6 {
        format!("{:.0} µs", s * 1e6)
    } else if s < 0.01 {
        format!("{:.1} ms", s * 1e3)
    } else if s < 1.0 {
        format!("{:.0} ms", s * 1e3)
    } else if s < 10.0 {
        format!("{s:.2} s")
    } else {
        format!("{s:.1} s")
    }
}

/// A rate per second: `0/s`, `0.25/s`, `3.5/s`, `850/s`, `1.2k/s`, `15k/s`.
pub fn format_rate(r: f64) -> String {
    if !r.is_finite() {
        "—".into()
    } else if r == 0.0 {
        "0/s".into()
    } else if r >= 10_000.0 {
        format!("{:.0}k/s", r / 1e3)
    } else if r >= 1000.0 {
        format!("{:.1}k/s", r / 1e3)
    } else if r >= 9.95 {
        format!("{r:.0}/s")
    } else if r >= 1.0 {
        format!("{r:.1}/s")
    } else {
        format!("{r:.2}/s")
    }
}

fn format_count(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{n:.0}")
    } else {
        format!("{n:.1}")
    }
}

#[derive(Clone, Copy)]
enum Unit {
    Count,
    Seconds,
    Rate,
    Percent,
}

impl Unit {
    fn show(self, v: f64) -> String {
        match self {
            Unit::Count => format_count(v),
            Unit::Seconds => format_seconds(v),
            Unit::Rate => format_rate(v),
            Unit::Percent => format!("{:.1} %", v * 100.0),
        }
    }
}

/// The pools of one component as one (see [`ComponentFigures::inlay_text`]).
struct PoolSummary {
    used: Option<f64>,
    max: Option<f64>,
    wait_p95: Option<f64>,
    p95: Option<f64>,
    per_second: f64,
}

struct Row {
    label: String,
    value: Option<f64>,
    unit: Unit,
}

impl ComponentFigures {
    /// The pools as one: used and max summed, the worst wait and operation
    /// p95, the operation rates summed.
    fn pool_summary(&self) -> Option<PoolSummary> {
        if self.pools.is_empty() {
            return None;
        }
        let sum = |f: fn(&PoolFigures) -> Option<f64>| {
            self.pools.iter().filter_map(f).reduce(|a, b| a + b)
        };
        let worst =
            |f: fn(&PoolFigures) -> Option<f64>| self.pools.iter().filter_map(f).reduce(f64::max);
        Some(PoolSummary {
            used: sum(|p| p.used),
            max: sum(|p| p.max),
            wait_p95: worst(|p| p.wait.p95),
            p95: worst(|p| p.operations.latency.p95),
            per_second: self.pools.iter().map(|p| p.operations.per_second).sum(),
        })
    }

    /// The inlay hint after the component's name: for a store
    /// `pool 3/20 · wait 0.4 ms · p95 2.1 ms · 850/s` (wait and p95 are
    /// p95s over the window, left out when nothing was observed), for an
    /// endpoint `120 req/s · p95 3.1 ms · 0 × 5xx`, for other components
    /// `120/s · p95 0.8 ms · 0 errors · backlog 4`.
    pub fn inlay_text(&self) -> String {
        let mut parts = Vec::new();
        let errors = if self.errors == 1.0 {
            "1 error".to_owned()
        } else {
            format!("{} errors", format_count(self.errors))
        };
        if let Some(PoolSummary {
            used,
            max,
            wait_p95: wait,
            p95,
            per_second: rate,
        }) = self.pool_summary()
        {
            let n = |v: Option<f64>| v.map_or("?".to_owned(), format_count);
            parts.push(format!("pool {}/{}", n(used), n(max)));
            if let Some(w) = wait {
                parts.push(format!("wait {}", format_seconds(w)));
            }
            if let Some(p) = p95 {
                parts.push(format!("p95 {}", format_seconds(p)));
            }
            parts.push(format_rate(rate));
            if self.errors > 0.0 {
                parts.push(errors);
            }
        } else if let Some(http) = &self.http {
            // What a caller sees: requests, their latency, the system's
            // failures among them.
            parts.push(format_rate(http.per_second).replace("/s", " req/s"));
            if let Some(p) = http.latency.p95 {
                parts.push(format!("p95 {}", format_seconds(p)));
            }
            parts.push(format!("{} × 5xx", format_count(http.server_errors)));
        } else {
            parts.push(format_rate(self.messages_per_second));
            if let Some(p) = self.processing.p95 {
                parts.push(format!("p95 {}", format_seconds(p)));
            }
            parts.push(errors);
            if let Some(b) = self.backlog {
                parts.push(format!("backlog {}", format_count(b)));
            }
        }
        parts.join(" · ")
    }

    fn rows(&self) -> Vec<Row> {
        let mut rows = Vec::new();
        let mut row =
            |label: String, value: Option<f64>, unit: Unit| rows.push(Row { label, value, unit });
        let percentiles =
            |row: &mut dyn FnMut(String, Option<f64>, Unit), what: &str, p: &Percentiles| {
                row(format!("{what} p50"), p.p50, Unit::Seconds);
                row(format!("{what} p95"), p.p95, Unit::Seconds);
                row(format!("{what} p99"), p.p99, Unit::Seconds);
            };
        let several = self.pools.len() > 1;
        for pool in &self.pools {
            let pre = if several {
                format!("{} · ", pool.pool_name)
            } else {
                String::new()
            };
            row(format!("{pre}pool in use"), pool.used, Unit::Count);
            row(format!("{pre}pool idle"), pool.idle, Unit::Count);
            row(format!("{pre}pool max"), pool.max, Unit::Count);
            row(format!("{pre}pending acquires"), pool.pending, Unit::Count);
            row(
                format!("{pre}acquire timeouts"),
                Some(pool.timeouts),
                Unit::Count,
            );
            percentiles(&mut row, &format!("{pre}acquire wait"), &pool.wait);
            row(
                format!("{pre}operations/s"),
                Some(pool.operations.per_second),
                Unit::Rate,
            );
            percentiles(
                &mut row,
                &format!("{pre}operation"),
                &pool.operations.latency,
            );
            for (op, f) in &pool.per_operation {
                row(format!("{pre}`{op}`/s"), Some(f.per_second), Unit::Rate);
                percentiles(&mut row, &format!("{pre}`{op}`"), &f.latency);
            }
        }
        if let Some(http) = &self.http {
            row("requests/s".into(), Some(http.per_second), Unit::Rate);
            percentiles(&mut row, "request", &http.latency);
            row("answered 4xx".into(), Some(http.client_errors), Unit::Count);
            row("answered 5xx".into(), Some(http.server_errors), Unit::Count);
        }
        row(
            "messages/s".into(),
            Some(self.messages_per_second),
            Unit::Rate,
        );
        row("messages".into(), Some(self.messages), Unit::Count);
        row("errors".into(), Some(self.errors), Unit::Count);
        row("error rate".into(), self.error_rate, Unit::Percent);
        percentiles(&mut row, "processing", &self.processing);
        row("backlog".into(), self.backlog, Unit::Count);
        rows
    }

    /// A markdown table of every figure with its trend since `previous`
    /// (the same component's figures one window earlier), headed by the
    /// window and the time of the scrape.
    pub fn hover_table(&self, previous: Option<&ComponentFigures>) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "**{}** · last {:.1} s · scraped {} UTC\n",
            self.component,
            self.window.as_secs_f64(),
            clock(self.scraped)
        );
        out.push_str("| figure | value | trend |\n|---|---:|---|\n");
        let before: BTreeMap<String, Option<f64>> = previous
            .map(|p| p.rows().into_iter().map(|r| (r.label, r.value)).collect())
            .unwrap_or_default();
        for r in self.rows() {
            let value = r.value.map_or("—".to_owned(), |v| r.unit.show(v));
            let trend = match (before.get(&r.label).copied().flatten(), r.value) {
                (Some(b), Some(v)) if v > b => format!("↑ {}", r.unit.show(v - b)),
                (Some(b), Some(v)) if v < b => format!("↓ {}", r.unit.show(b - v)),
                (Some(_), Some(_)) => "=".to_owned(),
                _ => String::new(),
            };
            let _ = writeln!(out, "| {} | {value} | {trend} |", r.label);
        }
        out
    }
}

/// `HH:MM:SS` of a wall-clock time, in UTC.
fn clock(t: SystemTime) -> String {
    let s = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) % 86_400;
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

#[cfg(test)]
#[path = "figures_tests.rs"]
mod tests;
