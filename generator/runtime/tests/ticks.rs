//! Ticks, `finish` and operations through the harness: a component is
//! ticked between messages, never after its inputs end, and what it emits in
//! `finish` still reaches downstream, at the end of the graph and on a
//! shutdown drain; a request's operation travels through a forwarding hop.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use blueprint_runtime::{Component, ComponentError, Harness, Message, Operation, Output};
use common::{Cleanups, Counter, Sink};
use serde_json::{json, Value};

/// Counts ticks and messages; emits the counts once, in `finish`.
struct Ticker {
    ticks: Arc<AtomicUsize>,
    seen: usize,
}

impl Component for Ticker {
    fn tick_interval(&self) -> Option<Duration> {
        Some(Duration::from_millis(20))
    }
    async fn tick(&mut self) -> Result<Vec<Output>, ComponentError> {
        self.ticks.fetch_add(1, Ordering::SeqCst);
        Ok(vec![])
    }
    async fn process(&mut self, _m: Message) -> Result<Vec<Output>, ComponentError> {
        self.seen += 1;
        Ok(vec![])
    }
    async fn finish(&mut self) -> Result<Vec<Output>, ComponentError> {
        let ticks = self.ticks.load(Ordering::SeqCst);
        Ok(vec![Output::new(
            "out",
            json!({ "ticks": ticks, "seen": self.seen }),
        )])
    }
}

#[tokio::test]
async fn ticks_between_messages_and_finish_emits_before_outputs_close() {
    let cleanups = Cleanups::default();
    let source = Counter {
        limit: Some(10),
        pause: Duration::from_millis(15),
        produced: Arc::new(AtomicUsize::new(0)),
        cleanups: cleanups.clone(),
    };
    let ticks = Arc::new(AtomicUsize::new(0));
    let ticker = Ticker {
        ticks: ticks.clone(),
        seen: 0,
    };
    let (sink, received) = Sink::new("sink", &cleanups);
    let mut h = Harness::new();
    h.add_source("source", source).unwrap();
    h.add_component("ticker", ticker).unwrap();
    h.add_component("sink", sink).unwrap();
    h.bind(("source", "out"), ("ticker", "in")).unwrap();
    h.bind(("ticker", "out"), ("sink", "in")).unwrap();
    h.run().await.unwrap();
    let received = received.lock().unwrap().clone();
    assert_eq!(received.len(), 1, "finish emits exactly once: {received:?}");
    let ticked = received[0]["ticks"].as_u64().unwrap() as usize;
    assert_eq!(received[0]["seen"], 10);
    // ~150 ms of input at a 20 ms interval.
    assert!(ticked >= 2, "ticked only {ticked} times");
    // No tick after the inputs ended: the count finish saw is final.
    tokio::time::sleep(Duration::from_millis(60)).await;
    assert_eq!(ticks.load(Ordering::SeqCst), ticked);
    assert_eq!(cleanups.get("sink"), 1);
}

#[tokio::test]
async fn finish_output_is_delivered_on_a_shutdown_drain() {
    let cleanups = Cleanups::default();
    let ticks = Arc::new(AtomicUsize::new(0));
    let (sink, received) = Sink::new("sink", &cleanups);
    let mut h = Harness::new();
    h.add_component("ticker", Ticker { ticks, seen: 0 })
        .unwrap();
    h.add_component("sink", sink).unwrap();
    h.bind(("ticker", "out"), ("sink", "in")).unwrap();
    let inlet = h.inlet("ticker", "in").unwrap();
    let token = h.token();
    let run = tokio::spawn(h.run());
    for n in 0..3 {
        inlet.send(json!({ "n": n })).await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    token.cancel();
    run.await.unwrap().unwrap();
    let received = received.lock().unwrap().clone();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0]["seen"], 3);
    assert!(received[0]["ticks"].as_u64().unwrap() >= 1);
}

/// Forwards every message unchanged, reply and operation included.
struct Forward;

impl Component for Forward {
    async fn process(&mut self, m: Message) -> Result<Vec<Output>, ComponentError> {
        Ok(vec![Output::forward("out", m.record.clone(), &m)])
    }
}

/// Answers with the operation it was asked to perform.
struct Echo;

impl Component for Echo {
    async fn process(&mut self, m: Message) -> Result<Vec<Output>, ComponentError> {
        let answer = match &m.operation {
            Some(op) => {
                json!({ "operation": op.name(), "write": op.is_write(), "record": m.record })
            }
            None => json!({ "operation": Value::Null, "record": m.record }),
        };
        m.respond(Ok(answer));
        Ok(vec![])
    }
}

#[tokio::test]
async fn operations_travel_with_the_request_through_a_forwarding_hop() {
    let mut h = Harness::new();
    h.add_component("controller", Forward).unwrap();
    h.add_component("store", Echo).unwrap();
    h.bind(("controller", "out"), ("store", "in")).unwrap();
    let inlet = h.inlet("controller", "in").unwrap();
    let token = h.token();
    let run = tokio::spawn(h.run());
    let read = Operation::Read { key: "7".into() };
    let answer = inlet.request_operation(read, Value::Null).await.unwrap();
    assert_eq!(answer["operation"], "read");
    assert_eq!(answer["write"], false);
    let update = Operation::Update { key: "7".into() };
    let answer = inlet
        .request_operation(update, json!({"a": 1}))
        .await
        .unwrap();
    assert_eq!(
        answer,
        json!({"operation": "update", "write": true, "record": {"a": 1}})
    );
    let answer = inlet.request(json!({"b": 2})).await.unwrap();
    assert_eq!(answer["operation"], Value::Null);
    token.cancel();
    run.await.unwrap().unwrap();
}

/// An Accumulator as generated code writes one over `behaviour::windows`.
struct Accumulate(blueprint_runtime::behaviour::windows::Windows);

impl Component for Accumulate {
    fn tick_interval(&self) -> Option<Duration> {
        self.0.tick_interval()
    }
    async fn tick(&mut self) -> Result<Vec<Output>, ComponentError> {
        let closed = self.0.expired(std::time::Instant::now());
        Ok(closed.into_iter().map(|b| Output::new("out", b)).collect())
    }
    async fn process(&mut self, m: Message) -> Result<Vec<Output>, ComponentError> {
        let closed = self.0.push(m.record);
        Ok(closed.into_iter().map(|b| Output::new("out", b)).collect())
    }
    async fn finish(&mut self) -> Result<Vec<Output>, ComponentError> {
        Ok(self
            .0
            .drain()
            .into_iter()
            .map(|b| Output::new("out", b))
            .collect())
    }
}

#[tokio::test]
async fn windows_close_by_time_on_ticks_and_the_rest_flushes_at_the_end() {
    use blueprint_runtime::behaviour::windows::Windows;
    let cleanups = Cleanups::default();
    let source = Counter {
        limit: Some(12),
        pause: Duration::from_millis(10),
        produced: Arc::new(AtomicUsize::new(0)),
        cleanups: cleanups.clone(),
    };
    let (sink, received) = Sink::new("sink", &cleanups);
    let mut h = Harness::new();
    h.add_source("source", source).unwrap();
    let windows = Windows::new(Some(100), Some(40), vec![]);
    h.add_component("accumulate", Accumulate(windows)).unwrap();
    h.add_component("sink", sink).unwrap();
    h.bind(("source", "out"), ("accumulate", "in")).unwrap();
    h.bind(("accumulate", "out"), ("sink", "in")).unwrap();
    h.run().await.unwrap();
    let batches = received.lock().unwrap().clone();
    // ~120 ms of input in 40 ms windows: closed by time, never by count.
    assert!(batches.len() >= 2, "{batches:?}");
    let all: Vec<Value> = batches
        .iter()
        .flat_map(|b| b.as_array().unwrap().clone())
        .collect();
    let expected: Vec<Value> = (0..12).map(|n| json!({ "n": n })).collect();
    assert_eq!(all, expected, "every record once, in order");
}
