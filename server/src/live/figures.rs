//! What the editor shows per component, computed from two consecutive
//! scrapes: the window is the time between them, counters and histograms
//! are differenced over it (percentiles come from bucket deltas, never from
//! totals since start), gauges are read from the current scrape.
//!
//! A series that went down between the scrapes (the system restarted) or is
//! new in the current one counts from zero: its current value is the window.
//!
//! `http_server_request_duration_seconds` carries no `component` label, so
//! it does not feed per-component figures; an endpoint's own processing
//! histogram covers its requests.

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

    let mut components = BTreeMap::new();
    for name in names {
        let one = |m: &BTreeMap<Key, f64>| m.get(std::slice::from_ref(&name)).copied();
        let mut pool_figures = Vec::new();
        for k in pools.iter().filter(|k| k[0] == name) {
            let mut all = Snapshot::default();
            let mut per_operation = BTreeMap::new();
            for (ok, h) in operations.iter().filter(|(ok, _)| ok[..2] == k[..]) {
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
    /// p95s over the window, left out when nothing was observed), for other
    /// components `120/s · p95 0.8 ms · 0 errors · backlog 4`.
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
mod tests {
    use super::*;
    use std::time::Instant;

    use blueprint_runtime::{
        ComponentError, ConcurrentComponent, Harness, Message, Metrics, Output,
    };

    fn scrape(m: &Metrics, at: Instant) -> Scrape {
        Scrape::from_text(&m.encode(), at, SystemTime::now())
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn store_figures_from_two_real_expositions() {
        let m = Metrics::new();
        let pool = m.pool("users", "main");
        pool.set_max(20);
        pool.set_connections(18, 2);
        // Before the window: slow history that must not leak into it.
        for _ in 0..1000 {
            pool.record_operation("SELECT", ms(400));
            pool.record_wait(ms(50));
        }
        pool.record_timeout();
        let t0 = Instant::now();
        let s0 = scrape(&m, t0);

        // The window: 100 operations of 2 ms in 1 s.
        pool.set_connections(17, 3);
        for _ in 0..80 {
            pool.record_operation("INSERT", ms(2));
        }
        for _ in 0..20 {
            pool.record_operation("SELECT", ms(2));
        }
        for _ in 0..100 {
            pool.record_wait(Duration::from_micros(300));
        }
        pool.record_timeout();
        pool.record_timeout();
        let _pending = pool.acquire_started();
        let s1 = scrape(&m, t0 + Duration::from_secs(1));

        let f = figures(&s0, &s1);
        assert_eq!(f.window, Duration::from_secs(1));
        let c = &f.components["users"];
        assert_eq!(c.pools.len(), 1);
        let p = &c.pools[0];
        assert_eq!(p.pool_name, "main");
        assert_eq!((p.used, p.idle, p.max), (Some(3.0), Some(17.0), Some(20.0)));
        assert_eq!(p.pending, Some(1.0));
        assert_eq!(p.timeouts, 2.0);
        assert_eq!(p.operations.count, 100.0);
        assert!((p.operations.per_second - 100.0).abs() < 1e-9);
        // 2 ms lies in the (1 ms, 2.5 ms] bucket; every percentile too, not
        // the 400 ms history.
        for q in [
            p.operations.latency.p50,
            p.operations.latency.p95,
            p.operations.latency.p99,
        ] {
            let q = q.unwrap();
            assert!(q > 0.001 && q <= 0.0025, "{q}");
        }
        // Rank 95 of 100 in (1, 2.5] ms: 1 + 1.5 · 0.95 = 2.425 ms.
        assert!((p.operations.latency.p95.unwrap() - 0.002425).abs() < 1e-9);
        assert_eq!(p.per_operation["INSERT"].count, 80.0);
        assert!((p.per_operation["SELECT"].per_second - 20.0).abs() < 1e-9);
        // 300 µs waits: (0, 0.5 ms] bucket, p95 = 0.475 ms.
        assert!((p.wait.p95.unwrap() - 0.000475).abs() < 1e-12);

        assert_eq!(
            c.inlay_text(),
            "pool 3/20 · wait 0.5 ms · p95 2.4 ms · 100/s"
        );
        let db = &f.databases["main"];
        assert_eq!((db.used, db.max, db.pending), (3.0, 20.0, 1.0));
        assert_eq!(db.components, vec!["users".to_owned()]);
    }

    #[test]
    fn restart_between_scrapes_uses_the_current_values() {
        let before = Metrics::new();
        let pool = before.pool("users", "main");
        for _ in 0..500 {
            pool.record_operation("SELECT", ms(100));
        }
        let t0 = Instant::now();
        let s0 = scrape(&before, t0);
        // A new process: counters start again from zero.
        let after = Metrics::new();
        let pool = after.pool("users", "main");
        for _ in 0..10 {
            pool.record_operation("SELECT", ms(2));
        }
        let s1 = scrape(&after, t0 + Duration::from_secs(2));
        let p = &figures(&s0, &s1).components["users"].pools[0];
        assert_eq!(p.operations.count, 10.0);
        assert!((p.operations.per_second - 5.0).abs() < 1e-9);
        assert!(p.operations.latency.p95.unwrap() <= 0.0025);
    }

    #[test]
    fn an_idle_window_has_no_percentiles() {
        let m = Metrics::new();
        let pool = m.pool("users", "main");
        pool.set_max(5);
        pool.set_connections(5, 0);
        pool.record_operation("SELECT", ms(2));
        let t0 = Instant::now();
        let s0 = scrape(&m, t0);
        let s1 = scrape(&m, t0 + Duration::from_secs(5));
        let c = &figures(&s0, &s1).components["users"];
        assert_eq!(c.pools[0].operations.latency, Percentiles::default());
        assert_eq!(c.inlay_text(), "pool 0/5 · 0/s");
    }

    /// Fails every fourth message, takes ~1 ms for each.
    struct Work;

    impl ConcurrentComponent for Work {
        async fn process(&self, message: Message) -> Result<Vec<Output>, ComponentError> {
            tokio::time::sleep(ms(1)).await;
            if message.record["n"].as_u64().unwrap_or(0).is_multiple_of(4) {
                Err(ComponentError::invalid("every fourth"))
            } else {
                Ok(Vec::new())
            }
        }
    }

    #[tokio::test]
    async fn component_figures_from_the_real_harness() {
        let metrics = Metrics::new();
        let mut h = Harness::new().with_metrics(metrics.clone());
        h.add_concurrent("scorer", Work, 8).unwrap();
        let inlet = h.inlet("scorer", "input").unwrap();
        let token = h.token();
        let run = tokio::spawn(h.run());
        for n in 0..8u64 {
            let _ = inlet.request(serde_json::json!({ "n": n + 1 })).await;
        }
        let t0 = Instant::now();
        let s0 = scrape(&metrics, t0);
        for n in 0..40u64 {
            let _ = inlet.request(serde_json::json!({ "n": n })).await;
        }
        let s1 = scrape(&metrics, t0 + Duration::from_secs(2));
        token.cancel();
        run.await.unwrap().unwrap();

        let f = figures(&s0, &s1);
        let c = &f.components["scorer"];
        assert!(c.pools.is_empty());
        assert_eq!(c.messages, 40.0);
        assert!((c.messages_per_second - 20.0).abs() < 1e-9);
        assert_eq!(c.errors, 10.0);
        assert!((c.error_rate.unwrap() - 0.25).abs() < 1e-9);
        let p95 = c.processing.p95.unwrap();
        // A 1 ms sleep takes at least 1 ms; under load it may take longer,
        // but not beyond the bucket the bound allows.
        assert!(p95 > 0.0005 && p95 <= 0.1, "{p95}");
        assert_eq!(c.backlog, Some(0.0));
        let text = c.inlay_text();
        assert!(text.starts_with("20/s · p95 "), "{text}");
        assert!(text.ends_with(" · 10 errors · backlog 0"), "{text}");
    }

    #[test]
    fn hover_table_lists_every_figure_with_its_trend() {
        let m = Metrics::new();
        let pool = m.pool("orders", "db");
        pool.set_max(10);
        pool.set_connections(8, 2);
        let t0 = Instant::now();
        let s0 = scrape(&m, t0);
        for _ in 0..50 {
            pool.record_operation("UPDATE", ms(4));
        }
        let s1 = scrape(&m, t0 + Duration::from_secs(1));
        pool.set_connections(6, 4);
        for _ in 0..10 {
            pool.record_operation("UPDATE", ms(4));
        }
        let s2 = scrape(&m, t0 + Duration::from_secs(2));
        let first = figures(&s0, &s1).components["orders"].clone();
        let second = figures(&s1, &s2).components["orders"].clone();
        let table = second.hover_table(Some(&first));
        assert!(
            table.starts_with("**orders** · last 1.0 s · scraped "),
            "{table}"
        );
        assert!(table.contains("| pool in use | 4 | ↑ 2 |"), "{table}");
        assert!(table.contains("| pool max | 10 | = |"), "{table}");
        assert!(
            table.contains("| operations/s | 10/s | ↓ 40/s |"),
            "{table}"
        );
        assert!(table.contains("| `UPDATE`/s | 10/s | ↓ 40/s |"), "{table}");
        assert!(table.contains("| acquire wait p95 | — |  |"), "{table}");
        assert!(table.contains("| error rate | — |  |"), "{table}");
        // Without a previous window there is no trend column content.
        assert!(first.hover_table(None).contains("| pool in use | 2 |  |"));
    }

    #[test]
    fn databases_sum_pools_across_components() {
        let m = Metrics::new();
        for (c, used) in [("users", 3), ("orders", 5)] {
            let pool = m.pool(c, "main");
            pool.set_max(20);
            pool.set_connections(1, used);
        }
        m.pool("audit", "logs").set_max(4);
        let t0 = Instant::now();
        let s = scrape(&m, t0);
        let f = figures(&s, &scrape(&m, t0 + Duration::from_secs(1)));
        let main = &f.databases["main"];
        assert_eq!((main.used, main.max), (8.0, 40.0));
        assert_eq!(
            main.components,
            vec!["orders".to_owned(), "users".to_owned()]
        );
        assert_eq!(f.databases["logs"].max, 4.0);
        assert_eq!(f.components["audit"].inlay_text(), "pool ?/4 · 0/s");
    }

    #[test]
    fn formats() {
        assert_eq!(format_seconds(0.00004), "40 µs");
        assert_eq!(format_seconds(0.0004), "0.4 ms");
        assert_eq!(format_seconds(0.0021), "2.1 ms");
        assert_eq!(format_seconds(0.035), "35 ms");
        assert_eq!(format_seconds(1.25), "1.25 s");
        assert_eq!(format_seconds(12.0), "12.0 s");
        assert_eq!(format_rate(0.0), "0/s");
        assert_eq!(format_rate(0.25), "0.25/s");
        assert_eq!(format_rate(3.5), "3.5/s");
        assert_eq!(format_rate(850.0), "850/s");
        assert_eq!(format_rate(1234.0), "1.2k/s");
        assert_eq!(format_rate(15_400.0), "15k/s");
    }

    #[test]
    fn hostile_scrapes_do_not_panic() {
        let text = "db_client_connection_count{component=\"x\",pool_name=\"p\",state=\"used\"} NaN\n\
                    db_client_connection_max{component=\"x\",pool_name=\"p\"} +Inf\n\
                    db_client_operation_duration_seconds_bucket{component=\"x\",pool_name=\"p\",operation=\"S\",le=\"bad\"} 3\n\
                    db_client_operation_duration_seconds_bucket{component=\"x\",pool_name=\"p\",operation=\"S\",le=\"+Inf\"} NaN\n\
                    db_client_operation_duration_seconds_count{component=\"x\",pool_name=\"p\",operation=\"S\"} -5\n\
                    blueprint_component_messages_total 7\n";
        let t0 = Instant::now();
        let s0 = Scrape::from_text("", t0, SystemTime::now());
        let s1 = Scrape::from_text(text, t0, SystemTime::now());
        let f = figures(&s0, &s1);
        let x = &f.components["x"];
        assert_eq!(x.pools[0].used, None);
        assert_eq!(x.pools[0].operations.latency, Percentiles::default());
        // A zero-length window gives rates of 0, not NaN.
        assert_eq!(f.components[""].messages_per_second, 0.0);
        let _ = x.inlay_text();
        let _ = x.hover_table(Some(x));
    }
}
