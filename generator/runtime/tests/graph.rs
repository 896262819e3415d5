//! The harness over real channels and tasks: order, fan-out, backpressure,
//! drain on shutdown, request/response, and failure reporting.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use blueprint_runtime::{Component, ComponentError, Harness, HarnessError, Message, Output};
use common::{sample, Cleanups, Controller, Counter, Double, Sink, Store};
use serde_json::{json, Value};

fn counter(
    limit: Option<usize>,
    pause: Duration,
    cleanups: &Cleanups,
) -> (Counter, Arc<AtomicUsize>) {
    let produced = Arc::new(AtomicUsize::new(0));
    let source = Counter {
        limit,
        pause,
        produced: produced.clone(),
        cleanups: cleanups.clone(),
    };
    (source, produced)
}

fn ns(records: &[Value]) -> Vec<i64> {
    records.iter().map(|r| r["n"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn records_arrive_in_order_and_each_component_cleans_up_once() {
    let cleanups = Cleanups::default();
    let (source, _) = counter(Some(500), Duration::ZERO, &cleanups);
    let (sink, received) = Sink::new("sink", &cleanups);
    let mut h = Harness::new().with_capacity(8);
    h.add_source("source", source).unwrap();
    h.add_component(
        "double",
        Double {
            cleanups: cleanups.clone(),
        },
    )
    .unwrap();
    h.add_component("sink", sink).unwrap();
    h.bind(("source", "out"), ("double", "in")).unwrap();
    h.bind(("double", "out"), ("sink", "in")).unwrap();
    let metrics = h.metrics();
    // The source is finite, so the graph finishes on its own.
    h.run().await.unwrap();
    let expected: Vec<i64> = (0..500).map(|n| n * 2).collect();
    assert_eq!(ns(&received.lock().unwrap()), expected);
    for name in ["source", "double", "sink"] {
        assert_eq!(cleanups.get(name), 1, "{name}");
    }
    let text = metrics.encode();
    assert_eq!(
        sample(
            &text,
            r#"blueprint_component_messages_total{component="double"}"#
        ),
        Some(500.0)
    );
    assert_eq!(
        sample(
            &text,
            r#"blueprint_component_messages_total{component="sink"}"#
        ),
        Some(500.0)
    );
    assert_eq!(
        sample(
            &text,
            r#"blueprint_component_processing_duration_seconds_count{component="sink"}"#
        ),
        Some(500.0)
    );
    // Drained: nothing left waiting on any port.
    assert_eq!(
        sample(
            &text,
            r#"blueprint_component_backlog{component="sink",port="in"}"#
        ),
        Some(0.0)
    );
}

#[tokio::test]
async fn fan_out_reaches_every_branch() {
    let cleanups = Cleanups::default();
    let (source, _) = counter(Some(50), Duration::ZERO, &cleanups);
    let (a, got_a) = Sink::new("a", &cleanups);
    let (b, got_b) = Sink::new("b", &cleanups);
    let mut h = Harness::new();
    h.add_source("source", source).unwrap();
    h.add_component("a", a).unwrap();
    h.add_component("b", b).unwrap();
    h.bind(("source", "out"), ("a", "in")).unwrap();
    h.bind(("source", "out"), ("b", "in")).unwrap();
    h.run().await.unwrap();
    let expected: Vec<i64> = (0..50).collect();
    assert_eq!(ns(&got_a.lock().unwrap()), expected);
    assert_eq!(ns(&got_b.lock().unwrap()), expected);
}

/// How far the source runs ahead of a slow sink after a while.
async fn run_ahead(capacity: usize) -> (usize, usize) {
    let cleanups = Cleanups::default();
    let (source, produced) = counter(None, Duration::ZERO, &cleanups);
    let (mut sink, received) = Sink::new("sink", &cleanups);
    sink.delay = Duration::from_millis(10);
    let mut h = Harness::new()
        .with_capacity(capacity)
        .with_drain_timeout(Duration::from_secs(30));
    h.add_source("source", source).unwrap();
    h.add_component("sink", sink).unwrap();
    h.bind(("source", "out"), ("sink", "in")).unwrap();
    let token = h.token();
    let run = tokio::spawn(h.run());
    let mut worst = 0;
    for _ in 0..20 {
        tokio::time::sleep(Duration::from_millis(7)).await;
        // Produced first: the received count read after it can only be
        // larger, so the difference never overstates how far ahead it ran.
        let made = produced.load(Ordering::SeqCst);
        let got = received.lock().unwrap().len();
        worst = worst.max(made.saturating_sub(got));
    }
    token.cancel();
    run.await.unwrap().unwrap();
    let total = received.lock().unwrap().len();
    (worst, total)
}

#[tokio::test]
async fn a_slow_sink_holds_the_source_back() {
    let (ahead, _) = run_ahead(1).await;
    // One in the channel plus one produced and blocked in send; the record
    // being processed is already counted as received.
    assert!(
        ahead <= 2,
        "source ran {ahead} records ahead with capacity 1"
    );
    // The control: with room, the same source races far ahead.
    // (64, not 1024, keeps the drain of the backlog short.)
    let (ahead, _) = run_ahead(64).await;
    assert!(
        ahead > 32,
        "with capacity 64 the source only ran {ahead} ahead"
    );
}

#[tokio::test]
async fn shutdown_drains_in_flight_messages() {
    let cleanups = Cleanups::default();
    let (source, produced) = counter(None, Duration::from_millis(1), &cleanups);
    let (mut sink, received) = Sink::new("sink", &cleanups);
    sink.delay = Duration::from_millis(3);
    let mut h = Harness::new().with_capacity(16);
    h.add_source("source", source).unwrap();
    h.add_component(
        "double",
        Double {
            cleanups: cleanups.clone(),
        },
    )
    .unwrap();
    h.add_component("sink", sink).unwrap();
    h.bind(("source", "out"), ("double", "in")).unwrap();
    h.bind(("double", "out"), ("sink", "in")).unwrap();
    let token = h.token();
    let run = tokio::spawn(h.run());
    tokio::time::sleep(Duration::from_millis(150)).await;
    let at_cancel = received.lock().unwrap().len();
    token.cancel();
    run.await.unwrap().unwrap();
    let produced = produced.load(Ordering::SeqCst);
    let got = ns(&received.lock().unwrap());
    assert!(produced > at_cancel, "something was in flight at shutdown");
    assert_eq!(got, (0..produced as i64).map(|n| n * 2).collect::<Vec<_>>());
    for name in ["source", "double", "sink"] {
        assert_eq!(cleanups.get(name), 1, "{name}");
    }
}

fn api_graph() -> (Harness, blueprint_runtime::Inlet) {
    let mut h = Harness::new();
    h.add_component("controller", Controller).unwrap();
    h.add_component("store", Store::default()).unwrap();
    h.bind(("controller", "to_store"), ("store", "in")).unwrap();
    let inlet = h.inlet("controller", "request").unwrap();
    (h, inlet)
}

#[tokio::test]
async fn request_reply_round_trip_and_errors_are_answered_and_counted() {
    let (h, inlet) = api_graph();
    let metrics = h.metrics();
    let token = h.token();
    let run = tokio::spawn(h.run());
    let first = inlet.request(json!({ "name": "ada" })).await.unwrap();
    assert_eq!(first, json!({ "name": "ada", "id": 1 }));
    let second = inlet.request(json!({ "name": "bob" })).await.unwrap();
    assert_eq!(second["id"], 2);
    // A failure in the controller reaches the caller instead of hanging it.
    let err = inlet.request(json!({ "name": 7 })).await.unwrap_err();
    assert_eq!(err.status, 400);
    let text = metrics.encode();
    assert_eq!(
        sample(
            &text,
            r#"blueprint_component_errors_total{component="controller"}"#
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &text,
            r#"blueprint_component_messages_total{component="controller"}"#
        ),
        Some(3.0)
    );
    assert_eq!(
        sample(
            &text,
            r#"blueprint_component_messages_total{component="store"}"#
        ),
        Some(2.0)
    );
    token.cancel();
    run.await.unwrap().unwrap();
    // After shutdown the door is closed.
    assert_eq!(
        inlet
            .send(json!({ "name": "late" }))
            .await
            .unwrap_err()
            .status,
        503
    );
}

struct Unanswering;

impl Component for Unanswering {
    async fn process(&mut self, _: Message) -> Result<Vec<Output>, ComponentError> {
        Ok(vec![])
    }
}

#[tokio::test]
async fn a_request_nobody_answers_fails_instead_of_hanging() {
    let mut h = Harness::new();
    h.add_component("silent", Unanswering).unwrap();
    let inlet = h.inlet("silent", "in").unwrap();
    let token = h.token();
    let run = tokio::spawn(h.run());
    let err = inlet.request(json!({})).await.unwrap_err();
    assert_eq!(err.status, 500);
    token.cancel();
    run.await.unwrap().unwrap();
}

struct FailsSetup;

impl Component for FailsSetup {
    async fn setup(&mut self) -> Result<(), ComponentError> {
        Err(ComponentError::internal("database unreachable"))
    }
    async fn process(&mut self, _: Message) -> Result<Vec<Output>, ComponentError> {
        unreachable!("never set up")
    }
}

#[tokio::test]
async fn a_failed_setup_stops_the_system_and_others_still_clean_up() {
    let cleanups = Cleanups::default();
    let (source, _) = counter(None, Duration::from_millis(1), &cleanups);
    let mut h = Harness::new();
    h.add_source("source", source).unwrap();
    h.add_component("store", FailsSetup).unwrap();
    h.bind(("source", "out"), ("store", "in")).unwrap();
    let err = tokio::time::timeout(Duration::from_secs(5), h.run())
        .await
        .unwrap()
        .unwrap_err();
    assert!(
        matches!(&err, HarnessError::Component { component, phase: "setup", .. } if component == "store"),
        "{err}"
    );
    assert_eq!(cleanups.get("source"), 1);
}

struct Stuck;

impl Component for Stuck {
    async fn process(&mut self, _: Message) -> Result<Vec<Output>, ComponentError> {
        std::future::pending().await
    }
}

#[tokio::test]
async fn a_drain_that_outlasts_the_timeout_names_the_stuck_component() {
    let mut h = Harness::new().with_drain_timeout(Duration::from_millis(100));
    h.add_component("stuck", Stuck).unwrap();
    let inlet = h.inlet("stuck", "in").unwrap();
    let token = h.token();
    let run = tokio::spawn(h.run());
    inlet.send(json!({})).await.unwrap();
    token.cancel();
    match run.await.unwrap() {
        Err(HarnessError::DrainTimeout(pending)) => assert_eq!(pending, vec!["stuck".to_owned()]),
        other => panic!("expected a drain timeout, got {other:?}"),
    }
}

#[test]
fn wiring_mistakes_are_reported_at_bind_time() {
    let cleanups = Cleanups::default();
    let (source, _) = counter(Some(1), Duration::ZERO, &cleanups);
    let mut h = Harness::new();
    h.add_source("source", source).unwrap();
    h.add_component("sink", Sink::new("sink", &cleanups).0)
        .unwrap();
    assert!(matches!(
        h.add_component("sink", Unanswering),
        Err(HarnessError::DuplicateComponent(_))
    ));
    assert!(matches!(
        h.bind(("nope", "out"), ("sink", "in")),
        Err(HarnessError::UnknownComponent(_))
    ));
    assert!(matches!(
        h.bind(("sink", "out"), ("source", "in")),
        Err(HarnessError::BindToSource(_))
    ));
}
