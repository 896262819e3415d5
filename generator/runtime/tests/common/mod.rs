//! Real components for the tests: a counting source, a transformer, a
//! collecting sink, and a controller/store pair for requests.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use blueprint_runtime::{Component, ComponentError, Message, Output, Source};
use serde_json::{json, Value};

/// How many times each component's cleanup ran.
#[derive(Clone, Default)]
pub struct Cleanups(Arc<Mutex<HashMap<String, usize>>>);

impl Cleanups {
    pub fn record(&self, name: &str) {
        *self.0.lock().unwrap().entry(name.to_owned()).or_default() += 1;
    }
    pub fn get(&self, name: &str) -> usize {
        self.0.lock().unwrap().get(name).copied().unwrap_or(0)
    }
}

/// Emits `{"n": 0}`, `{"n": 1}`… up to `limit` (or forever), optionally
/// pausing first. `produced` counts records handed to the harness.
pub struct Counter {
    pub limit: Option<usize>,
    pub pause: Duration,
    pub produced: Arc<AtomicUsize>,
    pub cleanups: Cleanups,
}

impl Source for Counter {
    async fn next(&mut self) -> Result<Option<Vec<Output>>, ComponentError> {
        // Pause before counting, so a shutdown that cancels the pause never
        // leaves a counted-but-unsent record.
        if !self.pause.is_zero() {
            tokio::time::sleep(self.pause).await;
        }
        let n = self.produced.load(Ordering::SeqCst);
        if self.limit.is_some_and(|l| n >= l) {
            return Ok(None);
        }
        self.produced.store(n + 1, Ordering::SeqCst);
        Ok(Some(vec![Output::new("out", json!({ "n": n }))]))
    }
    async fn cleanup(&mut self) -> Result<(), ComponentError> {
        self.cleanups.record("source");
        Ok(())
    }
}

/// Doubles `n`; fails on negative `n` to exercise error counting.
pub struct Double {
    pub cleanups: Cleanups,
}

impl Component for Double {
    async fn process(&mut self, m: Message) -> Result<Vec<Output>, ComponentError> {
        let n = m.record["n"]
            .as_i64()
            .ok_or_else(|| ComponentError::invalid("n missing"))?;
        if n < 0 {
            return Err(ComponentError::invalid("n must not be negative"));
        }
        Ok(vec![Output::new("out", json!({ "n": n * 2 }))])
    }
    async fn cleanup(&mut self) -> Result<(), ComponentError> {
        self.cleanups.record("double");
        Ok(())
    }
}

/// Collects every record it receives, after an optional delay per record.
pub struct Sink {
    pub name: &'static str,
    pub delay: Duration,
    pub received: Arc<Mutex<Vec<Value>>>,
    pub cleanups: Cleanups,
}

impl Sink {
    pub fn new(name: &'static str, cleanups: &Cleanups) -> (Self, Arc<Mutex<Vec<Value>>>) {
        let received = Arc::new(Mutex::new(Vec::new()));
        let sink = Self {
            name,
            delay: Duration::ZERO,
            received: received.clone(),
            cleanups: cleanups.clone(),
        };
        (sink, received)
    }
}

impl Component for Sink {
    async fn process(&mut self, m: Message) -> Result<Vec<Output>, ComponentError> {
        self.received.lock().unwrap().push(m.record);
        if !self.delay.is_zero() {
            tokio::time::sleep(self.delay).await;
        }
        Ok(vec![])
    }
    async fn cleanup(&mut self) -> Result<(), ComponentError> {
        self.cleanups.record(self.name);
        Ok(())
    }
}

/// Validates a request and forwards it, reply slot and all, to the store.
pub struct Controller;

impl Component for Controller {
    async fn process(&mut self, m: Message) -> Result<Vec<Output>, ComponentError> {
        if !m.record["name"].is_string() {
            return Err(ComponentError::invalid("name must be a string"));
        }
        Ok(vec![Output::new("to_store", m.record).with_reply(m.reply)])
    }
}

/// Assigns ids and answers the request.
#[derive(Default)]
pub struct Store {
    pub rows: Vec<Value>,
}

impl Component for Store {
    async fn process(&mut self, m: Message) -> Result<Vec<Output>, ComponentError> {
        let mut row = m.record.clone();
        row["id"] = json!(self.rows.len() + 1);
        self.rows.push(row.clone());
        m.respond(Ok(row));
        Ok(vec![])
    }
}

/// The value of the sample `name{labels}` in Prometheus text, if present.
pub fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|line| {
        let rest = line.strip_prefix(series)?;
        rest.strip_prefix(' ')?.split(' ').next()?.parse().ok()
    })
}
