//! Concurrent components: up to `concurrency` messages in flight at once,
//! never more, every message answered, and everything drained at shutdown.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use blueprint_runtime::{ComponentError, ConcurrentComponent, Harness, Message, Output};
use serde_json::{json, Value};
use tokio::sync::Barrier;

/// Waits at a barrier sized to the concurrency: if the harness ran fewer
/// messages at once, nobody would ever get past it.
struct Gate {
    barrier: Arc<Barrier>,
    now: AtomicUsize,
    most: Arc<AtomicUsize>,
}

impl ConcurrentComponent for Gate {
    async fn process(&self, message: Message) -> Result<Vec<Output>, ComponentError> {
        let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(now, Ordering::SeqCst);
        self.barrier.wait().await;
        self.now.fetch_sub(1, Ordering::SeqCst);
        message.respond(Ok(json!({ "n": message.record["n"] })));
        Ok(Vec::new())
    }
}

#[tokio::test]
async fn runs_exactly_concurrency_messages_at_once_and_answers_all() {
    let most = Arc::new(AtomicUsize::new(0));
    let gate = Gate {
        barrier: Arc::new(Barrier::new(4)),
        now: AtomicUsize::new(0),
        most: most.clone(),
    };
    let mut h = Harness::new();
    h.add_concurrent("gate", gate, 4).unwrap();
    let inlet = h.inlet("gate", "input").unwrap();
    let token = h.token();
    let run = tokio::spawn(h.run());
    let requests: Vec<_> = (0..16)
        .map(|n| {
            let inlet = inlet.clone();
            tokio::spawn(async move { inlet.request(json!({ "n": n })).await })
        })
        .collect();
    let mut answered: Vec<i64> = Vec::new();
    for r in requests {
        let answer: Value = tokio::time::timeout(Duration::from_secs(10), r)
            .await
            .expect("no deadlock: four ran at once")
            .expect("task")
            .expect("answered");
        answered.push(answer["n"].as_i64().expect("n"));
    }
    answered.sort_unstable();
    assert_eq!(answered, (0..16).collect::<Vec<_>>());
    assert_eq!(most.load(Ordering::SeqCst), 4, "never more than the limit");
    token.cancel();
    run.await.expect("join").expect("clean shutdown");
}

struct Slow;

impl ConcurrentComponent for Slow {
    async fn process(&self, message: Message) -> Result<Vec<Output>, ComponentError> {
        tokio::time::sleep(Duration::from_millis(50)).await;
        Ok(vec![Output::new("out", message.record)])
    }
}

struct Collect(Arc<AtomicUsize>);

impl blueprint_runtime::Component for Collect {
    async fn process(&mut self, _: Message) -> Result<Vec<Output>, ComponentError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(Vec::new())
    }
}

#[tokio::test]
async fn shutdown_drains_messages_in_flight() {
    let received = Arc::new(AtomicUsize::new(0));
    let mut h = Harness::new();
    h.add_concurrent("slow", Slow, 8).unwrap();
    h.add_component("collect", Collect(received.clone()))
        .unwrap();
    h.bind(("slow", "out"), ("collect", "input")).unwrap();
    let inlet = h.inlet("slow", "input").unwrap();
    let token = h.token();
    let run = tokio::spawn(h.run());
    for n in 0..20 {
        inlet.send(json!({ "n": n })).await.expect("accepted");
    }
    token.cancel();
    run.await.expect("join").expect("clean shutdown");
    assert_eq!(
        received.load(Ordering::SeqCst),
        20,
        "none lost in the drain"
    );
}
