//! Accumulator default: records gathered into windows by count and/or age,
//! per group, each closed window emitted as one batch (a JSON array).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::Value;

/// The window size used when neither a size nor a duration is configured,
/// so an accumulator always closes its windows.
pub const DEFAULT_WINDOW_SIZE: usize = 100;

struct Window {
    /// Opening order, so windows closed together come out oldest first.
    seq: u64,
    opened: Instant,
    records: Vec<Value>,
}

/// Open windows, one per group.
pub struct Windows {
    size: Option<usize>,
    age: Option<Duration>,
    group_by: Vec<String>,
    open: HashMap<String, Window>,
    next_seq: u64,
}

impl Windows {
    pub fn new(window_size: Option<usize>, window_ms: Option<u64>, group_by: Vec<String>) -> Self {
        let age = window_ms.filter(|ms| *ms > 0).map(Duration::from_millis);
        let size = window_size.filter(|s| *s > 0);
        let size = if size.is_none() && age.is_none() {
            Some(DEFAULT_WINDOW_SIZE)
        } else {
            size
        };
        Self {
            size,
            age,
            group_by,
            open: HashMap::new(),
            next_seq: 0,
        }
    }

    /// How often the owner should call [`Windows::expired`]: a fraction of
    /// the window age so a window closes close to on time. `None` when
    /// windows close by count only.
    pub fn tick_interval(&self) -> Option<Duration> {
        self.age
            .map(|a| (a / 4).clamp(Duration::from_millis(1), Duration::from_secs(1)))
    }

    /// The group key: the `group_by` fields' values (missing ones as null).
    fn key(&self, record: &Value) -> String {
        let values: Vec<&Value> = (self.group_by.iter())
            .map(|f| record.get(f).unwrap_or(&Value::Null))
            .collect();
        serde_json::to_string(&values).unwrap_or_default()
    }

    /// Add a record; returns the batch its window closed with, if the
    /// window reached its size. A batch pushed in is added record by record.
    pub fn push(&mut self, record: Value) -> Vec<Value> {
        if let Value::Array(records) = record {
            return records.into_iter().flat_map(|r| self.push(r)).collect();
        }
        let key = self.key(&record);
        let seq = self.next_seq;
        let window = self.open.entry(key.clone()).or_insert_with(|| Window {
            seq,
            opened: Instant::now(),
            records: Vec::new(),
        });
        if window.seq == seq {
            self.next_seq += 1;
        }
        window.records.push(record);
        if self.size.is_some_and(|s| window.records.len() >= s) {
            let window = self.open.remove(&key).expect("just inserted");
            return vec![Value::Array(window.records)];
        }
        Vec::new()
    }

    /// Close every window open for at least the window duration at `now`.
    pub fn expired(&mut self, now: Instant) -> Vec<Value> {
        let Some(age) = self.age else {
            return Vec::new();
        };
        let old: Vec<String> = (self.open.iter())
            .filter(|(_, w)| now.saturating_duration_since(w.opened) >= age)
            .map(|(k, _)| k.clone())
            .collect();
        self.close(old)
    }

    /// Close all windows (shutdown), oldest first.
    pub fn drain(&mut self) -> Vec<Value> {
        let all: Vec<String> = self.open.keys().cloned().collect();
        self.close(all)
    }

    fn close(&mut self, keys: Vec<String>) -> Vec<Value> {
        let mut closed: Vec<Window> = keys.iter().filter_map(|k| self.open.remove(k)).collect();
        closed.sort_by_key(|w| w.seq);
        closed
            .into_iter()
            .map(|w| Value::Array(w.records))
            .collect()
    }

    /// How many records the open windows hold.
    pub fn pending(&self) -> usize {
        self.open.values().map(|w| w.records.len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn closes_by_count() {
        let mut w = Windows::new(Some(2), None, vec![]);
        assert!(w.push(json!({"n": 1})).is_empty());
        assert_eq!(w.push(json!({"n": 2})), vec![json!([{"n": 1}, {"n": 2}])]);
        assert!(w.push(json!({"n": 3})).is_empty());
        assert_eq!(w.pending(), 1);
        assert_eq!(w.drain(), vec![json!([{"n": 3}])]);
        assert!(w.drain().is_empty());
    }

    #[test]
    fn groups_close_independently() {
        let mut w = Windows::new(Some(2), None, vec!["g".into()]);
        assert!(w.push(json!({"g": "a", "n": 1})).is_empty());
        assert!(w.push(json!({"g": "b", "n": 2})).is_empty());
        assert!(
            w.push(json!({"n": 3})).is_empty(),
            "missing field is its own group"
        );
        let closed = w.push(json!({"g": "a", "n": 4}));
        assert_eq!(
            closed,
            vec![json!([{"g": "a", "n": 1}, {"g": "a", "n": 4}])]
        );
        // Drained oldest first: group b opened before the null group.
        assert_eq!(
            w.drain(),
            vec![json!([{"g": "b", "n": 2}]), json!([{"n": 3}])]
        );
    }

    #[test]
    fn closes_by_age() {
        let mut w = Windows::new(None, Some(50), vec![]);
        assert_eq!(w.tick_interval(), Some(Duration::from_micros(12_500)));
        let start = Instant::now();
        w.push(json!({"n": 1}));
        w.push(json!({"n": 2}));
        assert!(w.expired(start).is_empty());
        let later = Instant::now() + Duration::from_millis(60);
        assert_eq!(w.expired(later), vec![json!([{"n": 1}, {"n": 2}])]);
        assert_eq!(w.pending(), 0);
    }

    #[test]
    fn defaults_to_a_count_and_splits_pushed_batches() {
        let mut w = Windows::new(None, None, vec![]);
        assert_eq!(w.tick_interval(), None);
        let batch: Vec<Value> = (0..250).map(|n| json!({"n": n})).collect();
        let closed = w.push(Value::Array(batch));
        assert_eq!(closed.len(), 2);
        assert_eq!(closed[0].as_array().unwrap().len(), DEFAULT_WINDOW_SIZE);
        assert_eq!(w.pending(), 50);
    }
}
