//! The loop each component task runs: setup, process every input message
//! and emit its outputs, then cleanup once its inputs have drained.

use std::time::Instant;

use tokio_util::sync::CancellationToken;

use crate::component::{Component, ComponentError, Message, Source};
use crate::harness::HarnessError;
use crate::metrics::Metrics;
use crate::wiring::{Inputs, Outputs};

/// What a component task is handed when the graph starts.
pub(crate) struct Wired {
    pub name: String,
    pub inputs: Inputs,
    pub outputs: Outputs,
    pub metrics: Metrics,
    pub token: CancellationToken,
}

fn failed(component: &str, phase: &'static str, error: ComponentError) -> HarnessError {
    HarnessError::Component {
        component: component.into(),
        phase,
        error,
    }
}

pub(crate) async fn run_component<C: Component>(
    mut component: C,
    mut w: Wired,
) -> Result<(), HarnessError> {
    if let Err(e) = component.setup().await {
        // A component that cannot start (a store without its database) must
        // not leave a half-working system serving: stop everything.
        w.token.cancel();
        return Err(failed(&w.name, "setup", e));
    }
    let labels = w.metrics.component(&w.name);
    let messages = w.metrics.messages.get_or_create(&labels).clone();
    let errors = w.metrics.errors.get_or_create(&labels).clone();
    let duration = w.metrics.processing.get_or_create(&labels).clone();
    while let Some((port, envelope)) = w.inputs.next().await {
        // Kept so that a failure nobody answered still reaches the requester.
        let reply = envelope.reply.clone();
        let started = Instant::now();
        let message = Message {
            port,
            record: envelope.record,
            reply: envelope.reply,
        };
        let result = component.process(message).await;
        duration.observe(started.elapsed().as_secs_f64());
        messages.inc();
        match result {
            Ok(outputs) => {
                for output in outputs {
                    w.outputs.emit(output).await;
                }
            }
            Err(e) => {
                errors.inc();
                tracing::warn!(component = %w.name, error = %e, "process failed");
                if let Some(reply) = reply {
                    reply.send(Err(e));
                }
            }
        }
    }
    // Close our outputs before cleanup so downstream can finish draining
    // while we release our own resources.
    drop(w.outputs);
    component
        .cleanup()
        .await
        .map_err(|e| failed(&w.name, "cleanup", e))
}

pub(crate) async fn run_source<S: Source>(mut source: S, w: Wired) -> Result<(), HarnessError> {
    if let Err(e) = source.setup().await {
        w.token.cancel();
        return Err(failed(&w.name, "setup", e));
    }
    let labels = w.metrics.component(&w.name);
    let messages = w.metrics.messages.get_or_create(&labels).clone();
    let errors = w.metrics.errors.get_or_create(&labels).clone();
    loop {
        // `next` is dropped mid-flight at shutdown, so sources must make it
        // cancel-safe (read from a queue, not half-consume one).
        let next = tokio::select! {
            biased;
            () = w.token.cancelled() => break,
            next = source.next() => next,
        };
        match next {
            Ok(Some(outputs)) => {
                messages.inc();
                for output in outputs {
                    w.outputs.emit(output).await;
                }
            }
            Ok(None) => break,
            Err(e) => {
                errors.inc();
                tracing::warn!(component = %w.name, error = %e, "source failed");
            }
        }
    }
    drop(w.outputs);
    source
        .cleanup()
        .await
        .map_err(|e| failed(&w.name, "cleanup", e))
}
