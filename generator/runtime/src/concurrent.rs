//! Components that handle many messages at once: a store whose pool has
//! twenty connections, or a controller in front of it, would otherwise
//! serve one request at a time however many callers wait.
//!
//! A [`ConcurrentComponent`] takes `&self` (state it keeps must be behind
//! its own locks), and the harness runs up to `concurrency` of its
//! `process` calls at the same time, each emitting its outputs as it
//! finishes — so order between messages is not kept, which is why this is
//! a separate trait and not a setting of [`crate::Component`].

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use tokio::task::JoinSet;

use crate::component::{ComponentError, Message, Output};
use crate::harness::HarnessError;
use crate::tasks::{failed_message, Wired};

pub trait ConcurrentComponent: Send + Sync + 'static {
    fn setup(&self) -> impl Future<Output = Result<(), ComponentError>> + Send {
        async { Ok(()) }
    }
    fn process(
        &self,
        message: Message,
    ) -> impl Future<Output = Result<Vec<Output>, ComponentError>> + Send;
    fn cleanup(&self) -> impl Future<Output = Result<(), ComponentError>> + Send {
        async { Ok(()) }
    }
}

fn failed(component: &str, phase: &'static str, error: ComponentError) -> HarnessError {
    HarnessError::Component {
        component: component.into(),
        phase,
        error,
    }
}

pub(crate) async fn run_concurrent<C: ConcurrentComponent>(
    component: C,
    concurrency: usize,
    mut w: Wired,
) -> Result<(), HarnessError> {
    let component = Arc::new(component);
    if let Err(e) = component.setup().await {
        w.token.cancel();
        return Err(failed(&w.name, "setup", e));
    }
    let labels = w.metrics.component(&w.name);
    let messages = w.metrics.messages.get_or_create(&labels).clone();
    let errors = w.metrics.errors.get_or_create(&labels).clone();
    let duration = w.metrics.processing.get_or_create(&labels).clone();
    let outputs = Arc::new(w.outputs);
    let concurrency = concurrency.max(1);
    let mut in_flight: JoinSet<()> = JoinSet::new();
    let mut panicked = false;
    loop {
        // Backpressure: at the limit, wait for one to finish before taking
        // the next message, so the input channel fills and slows senders.
        while in_flight.len() >= concurrency {
            if let Some(Err(e)) = in_flight.join_next().await {
                panicked |= e.is_panic();
            }
        }
        let input = tokio::select! {
            input = w.inputs.next() => input,
            Some(done) = in_flight.join_next(), if !in_flight.is_empty() => {
                if let Err(e) = done {
                    panicked |= e.is_panic();
                }
                continue;
            }
        };
        let Some((port, envelope)) = input else { break };
        let component = component.clone();
        let outputs = outputs.clone();
        let (messages, errors, duration) = (messages.clone(), errors.clone(), duration.clone());
        let name = w.name.clone();
        in_flight.spawn(async move {
            let reply = envelope.reply.clone();
            let started = Instant::now();
            let message = Message {
                port,
                record: envelope.record,
                reply: envelope.reply,
                operation: envelope.operation,
            };
            let result = component.process(message).await;
            duration.observe(started.elapsed().as_secs_f64());
            messages.inc();
            match result {
                Ok(emitted) => {
                    for output in emitted {
                        outputs.emit(output).await;
                    }
                }
                Err(e) => failed_message(&name, e, reply, &errors),
            }
        });
    }
    // Inputs are closed: let every message in flight finish (the drain).
    while let Some(done) = in_flight.join_next().await {
        if let Err(e) = done {
            panicked |= e.is_panic();
        }
    }
    drop(outputs);
    component
        .cleanup()
        .await
        .map_err(|e| failed(&w.name, "cleanup", e))?;
    if panicked {
        return Err(HarnessError::Panicked(w.name));
    }
    Ok(())
}
