//! Tests of `figures.rs`.

use super::*;
use std::time::Instant;

use blueprint_runtime::{ComponentError, ConcurrentComponent, Harness, Message, Metrics, Output};

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

#[test]
fn an_endpoint_shows_its_requests_latency_and_5xx() {
    let m = Metrics::new();
    // Before the window: slow history that must not leak into it.
    for _ in 0..50 {
        m.record_http_request("task_api", "POST", "/tasks", 201, ms(900));
    }
    let t0 = Instant::now();
    let s0 = scrape(&m, t0);
    for _ in 0..90 {
        m.record_http_request("task_api", "POST", "/tasks", 201, ms(3));
    }
    for _ in 0..8 {
        m.record_http_request("task_api", "POST", "/tasks", 400, ms(1));
    }
    for _ in 0..2 {
        m.record_http_request("task_api", "GET", "/tasks/{id}", 503, ms(2));
    }
    // The editor's scrapes and probes: not the endpoint's traffic.
    for _ in 0..500 {
        m.record_http_request("task_api", "GET", "/metrics", 200, ms(1));
        m.record_http_request("", "GET", "/ready", 200, ms(1));
    }
    let s1 = scrape(&m, t0 + Duration::from_secs(2));

    let f = figures(&s0, &s1);
    let api = &f.components["task_api"];
    let http = api.http.as_ref().expect("http figures");
    assert_eq!(http.requests, 100.0);
    assert!((http.per_second - 50.0).abs() < 1e-9);
    assert_eq!((http.client_errors, http.server_errors), (8.0, 2.0));
    // 90 of 100 lie in the (2.5 ms, 5 ms] bucket: p95 there, not 900 ms.
    let p95 = http.latency.p95.unwrap();
    assert!((0.0025..=0.005).contains(&p95), "{p95}");
    assert_eq!(
        api.inlay_text(),
        format!("50 req/s · p95 {} · 2 × 5xx", format_seconds(p95))
    );
    let table = api.hover_table(None);
    assert!(table.contains("| requests/s | 50/s |"), "{table}");
    assert!(table.contains("| answered 5xx | 2 |"), "{table}");
    // The operational server (no component) is nobody's.
    assert!(!f.components.contains_key(""), "{:?}", f.components.keys());
}
