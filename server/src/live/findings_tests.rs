//! Tests of `findings.rs`, on figures computed from real runtime
//! expositions.

use super::*;
use std::time::{Instant, SystemTime};

use blueprint_runtime::Metrics;

use crate::live::{figures, Scrape};

const ADDRESS: &str = "127.0.0.1:9464";

/// Figures of the window in which `during` records into `m`.
fn window(m: &Metrics, during: impl FnOnce(&Metrics)) -> Figures {
    let t0 = Instant::now();
    let s0 = Scrape::from_text(&m.encode(), t0, SystemTime::now());
    during(m);
    let s1 = Scrape::from_text(&m.encode(), t0 + Duration::from_secs(5), SystemTime::now());
    figures(&s0, &s1)
}

fn kinds(found: &[Finding]) -> Vec<(&str, FindingKind)> {
    found
        .iter()
        .map(|f| (f.component.as_str(), f.kind))
        .collect()
}

fn healthy_store(m: &Metrics) {
    let pool = m.pool("task_store", "main");
    pool.set_max(5);
    pool.set_connections(3, 2);
    for _ in 0..100 {
        pool.record_wait(Duration::from_micros(40));
        pool.record_operation("INSERT", Duration::from_millis(2));
    }
}

#[test]
fn a_healthy_store_has_no_findings() {
    let m = Metrics::new();
    let f = window(&m, healthy_store);
    let found = findings(&f, &["task_store"], &Thresholds::default(), ADDRESS);
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn callers_waiting_on_a_full_pool_is_saturation() {
    let m = Metrics::new();
    let f = window(&m, |m| {
        healthy_store(m);
        let pool = m.pool("task_store", "main");
        pool.set_connections(0, 5);
        // Three callers inside `acquire()` at the moment of the scrape.
        std::mem::forget((
            pool.acquire_started(),
            pool.acquire_started(),
            pool.acquire_started(),
        ));
    });
    let found = findings(&f, &["task_store"], &Thresholds::default(), ADDRESS);
    assert_eq!(kinds(&found), [("task_store", FindingKind::PoolSaturated)]);
    let message = &found[0].message;
    assert!(
        message.contains("5/5 connections in use, 3 waiting"),
        "{message}"
    );
    assert!(message.contains("pool.max_connections"), "{message}");
}

#[test]
fn waiting_callers_on_a_pool_with_free_connections_are_not_saturation() {
    let m = Metrics::new();
    let f = window(&m, |m| {
        healthy_store(m);
        std::mem::forget(m.pool("task_store", "main").acquire_started());
    });
    assert!(findings(&f, &["task_store"], &Thresholds::default(), ADDRESS).is_empty());
}

#[test]
fn a_slow_acquire_wait_is_saturation_even_without_waiters_now() {
    let m = Metrics::new();
    let f = window(&m, |m| {
        healthy_store(m);
        let pool = m.pool("task_store", "main");
        for _ in 0..20 {
            pool.record_wait(Duration::from_millis(40));
        }
    });
    let found = findings(&f, &["task_store"], &Thresholds::default(), ADDRESS);
    assert_eq!(kinds(&found), [("task_store", FindingKind::PoolSaturated)]);
    assert!(found[0].message.contains("acquire wait p95"), "{found:?}");
    // A higher threshold accepts the same window.
    let lenient = Thresholds {
        wait_p95: Duration::from_millis(100),
        ..Thresholds::default()
    };
    assert!(findings(&f, &["task_store"], &lenient, ADDRESS).is_empty());
}

#[test]
fn slow_waits_before_the_window_do_not_count() {
    let m = Metrics::new();
    let pool = m.pool("task_store", "main");
    for _ in 0..1000 {
        pool.record_wait(Duration::from_millis(500));
    }
    let f = window(&m, healthy_store);
    assert!(findings(&f, &["task_store"], &Thresholds::default(), ADDRESS).is_empty());
}

#[test]
fn acquire_timeouts_in_the_window() {
    let m = Metrics::new();
    let pool = m.pool("task_store", "main");
    pool.record_timeout(); // before the window: not reported
    let f = window(&m, |m| {
        healthy_store(m);
        m.pool("task_store", "main").record_timeout();
    });
    let found = findings(&f, &["task_store"], &Thresholds::default(), ADDRESS);
    assert_eq!(
        kinds(&found),
        [("task_store", FindingKind::AcquireTimeouts)]
    );
    assert!(found[0]
        .message
        .starts_with("1 acquire timeout in the last 5.0 s"));
}

/// Exposition text of a component with `messages` processed, `errors` of
/// them failed: the harness's counters, written as the runtime writes them.
fn component_counters(name: &str, messages: u32, errors: u32) -> String {
    format!(
        "# TYPE blueprint_component_messages counter\n\
         blueprint_component_messages_total{{component=\"{name}\"}} {messages}\n\
         # TYPE blueprint_component_errors counter\n\
         blueprint_component_errors_total{{component=\"{name}\"}} {errors}\n# EOF\n"
    )
}

fn counters_window(before: &str, after: &str) -> Figures {
    let t0 = Instant::now();
    figures(
        &Scrape::from_text(before, t0, SystemTime::now()),
        &Scrape::from_text(after, t0 + Duration::from_secs(5), SystemTime::now()),
    )
}

#[test]
fn error_rate_at_the_threshold_warns_and_below_it_does_not() {
    let t = Thresholds::default();
    let before = component_counters("enricher", 100, 0);
    let f = counters_window(&before, &component_counters("enricher", 200, 5));
    let found = findings(&f, &["enricher"], &t, ADDRESS);
    assert_eq!(kinds(&found), [("enricher", FindingKind::ErrorRate)]);
    assert!(found[0].message.starts_with("5 of 100 messages failed"));
    let f = counters_window(&before, &component_counters("enricher", 200, 4));
    assert!(findings(&f, &["enricher"], &t, ADDRESS).is_empty());
    // No messages in the window: no rate, no warning.
    let f = counters_window(&before, &before);
    assert!(findings(&f, &["enricher"], &t, ADDRESS).is_empty());
}

#[test]
fn declared_components_the_system_does_not_report() {
    let text = component_counters("enricher", 1, 0);
    let f = counters_window(&text, &text);
    let found = findings(
        &f,
        &["enricher", "auditor"],
        &Thresholds::default(),
        ADDRESS,
    );
    assert_eq!(kinds(&found), [("auditor", FindingKind::NotReported)]);
    assert!(found[0].message.contains(ADDRESS));
    // Something that reports no component at all is not judged.
    let f = counters_window("", "");
    assert!(findings(&f, &["auditor"], &Thresholds::default(), ADDRESS).is_empty());
}

/// A store's pool and its input backlog, as a running system exposes them.
fn store_exposition(used: u32, max: u32, queued: u32) -> String {
    format!(
        "# TYPE db_client_connection_count gauge\n\
         db_client_connection_count{{component=\"task_store\",pool_name=\"main\",state=\"used\"}} {used}\n\
         # TYPE db_client_connection_max gauge\n\
         db_client_connection_max{{component=\"task_store\",pool_name=\"main\"}} {max}\n\
         # TYPE blueprint_component_backlog gauge\n\
         blueprint_component_backlog{{component=\"task_store\",port=\"input\"}} {queued}\n# EOF\n"
    )
}

#[test]
fn messages_queued_in_front_of_a_full_pool_is_saturation() {
    let t = Thresholds::default();
    let f = counters_window(&store_exposition(2, 2, 0), &store_exposition(2, 2, 14));
    let found = findings(&f, &["task_store"], &t, ADDRESS);
    assert_eq!(kinds(&found), [("task_store", FindingKind::PoolSaturated)]);
    assert!(
        found[0]
            .message
            .contains("2/2 connections in use, 0 waiting for one, 14 messages queued"),
        "{found:?}"
    );
    // A queue while connections are free is not the pool's doing.
    let f = counters_window(&store_exposition(1, 2, 0), &store_exposition(1, 2, 14));
    assert!(findings(&f, &["task_store"], &t, ADDRESS).is_empty());
    // A full pool with nobody waiting is a busy pool, not a saturated one.
    let f = counters_window(&store_exposition(2, 2, 0), &store_exposition(2, 2, 0));
    assert!(findings(&f, &["task_store"], &t, ADDRESS).is_empty());
}

#[test]
fn an_endpoint_answering_5xx_warns_with_its_requests() {
    let m = Metrics::new();
    let f = window(&m, |m| {
        for _ in 0..90 {
            m.record_http_request("task_api", "POST", "/tasks", 201, Duration::from_millis(3));
        }
        for _ in 0..10 {
            m.record_http_request("task_api", "POST", "/tasks", 503, Duration::from_millis(3));
        }
    });
    let found = findings(&f, &["task_api"], &Thresholds::default(), ADDRESS);
    assert_eq!(kinds(&found), [("task_api", FindingKind::ErrorRate)]);
    assert!(
        found[0]
            .message
            .starts_with("10 of 100 requests to `task_api` were answered 5xx"),
        "{found:?}"
    );
    // 4xx are the callers' mistakes, not the system's.
    let m = Metrics::new();
    let f = window(&m, |m| {
        for _ in 0..50 {
            m.record_http_request("task_api", "POST", "/tasks", 400, Duration::from_millis(1));
        }
    });
    assert!(findings(&f, &["task_api"], &Thresholds::default(), ADDRESS).is_empty());
}
