//! Sink default: POST records as JSON arrays to a URL in batches, or log
//! them when no URL is configured (a system runs end to end before anyone
//! points it somewhere).

use std::time::Duration;

use serde_json::Value;

use crate::component::ComponentError;
use crate::config::mask_url;

/// How long one POST may take before the batch is reported as failed.
pub const POST_TIMEOUT: Duration = Duration::from_secs(10);

pub struct Sink {
    url: Option<String>,
    batch_size: usize,
    flush_interval: Option<Duration>,
    component: String,
    buffer: Vec<Value>,
    client: reqwest::Client,
}

impl Sink {
    pub fn new(
        url: Option<String>,
        batch_size: usize,
        flush_interval: Option<Duration>,
        component: &str,
    ) -> Self {
        let client = reqwest::Client::builder()
            .timeout(POST_TIMEOUT)
            .build()
            .unwrap_or_default();
        Self {
            url: url.filter(|u| !u.is_empty()),
            batch_size: batch_size.max(1),
            flush_interval: flush_interval.filter(|d| !d.is_zero()),
            component: component.to_owned(),
            buffer: Vec::new(),
            client,
        }
    }

    /// When the owning component should tick to flush a partial batch:
    /// only when posting (logging has nothing to buffer).
    pub fn tick_interval(&self) -> Option<Duration> {
        self.url.as_ref().and(self.flush_interval)
    }

    /// Log or buffer one record (a batch is taken record by record); posts
    /// the buffer once it holds `batch_size` records.
    pub async fn push(&mut self, record: Value) -> Result<(), ComponentError> {
        if self.url.is_none() {
            tracing::info!(component = %self.component, record = %record, "sink record");
            return Ok(());
        }
        match record {
            Value::Array(records) => self.buffer.extend(records),
            record => self.buffer.push(record),
        }
        while self.buffer.len() >= self.batch_size {
            let rest = self.buffer.split_off(self.batch_size);
            let batch = std::mem::replace(&mut self.buffer, rest);
            self.post(batch).await?;
        }
        Ok(())
    }

    /// POST whatever is buffered (on a tick and at shutdown).
    pub async fn flush(&mut self) -> Result<(), ComponentError> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let batch = std::mem::take(&mut self.buffer);
        self.post(batch).await
    }

    /// Records waiting for the next POST.
    pub fn buffered(&self) -> usize {
        self.buffer.len()
    }

    /// A failed batch is reported (502) and not retried, so one bad
    /// endpoint cannot grow the buffer without bound.
    async fn post(&self, batch: Vec<Value>) -> Result<(), ComponentError> {
        let Some(url) = &self.url else {
            return Ok(());
        };
        let count = batch.len();
        let failed = |why: String| {
            ComponentError::new(
                502,
                format!(
                    "POST of {count} record(s) to {} failed: {why}",
                    mask_url(url)
                ),
            )
        };
        let response = (self.client.post(url).json(&batch).send().await)
            // `without_url`: reqwest's message would repeat the URL, password and all.
            .map_err(|e| failed(e.without_url().to_string()))?;
        let status = response.status();
        if !status.is_success() {
            return Err(failed(format!("the server answered {status}")));
        }
        tracing::debug!(component = %self.component, count, "sink posted");
        Ok(())
    }
}
