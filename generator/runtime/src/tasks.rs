//! The loop each component task runs: setup, process every input message
//! (and tick on the component's interval) emitting its outputs, then, once
//! its inputs have drained, finish (still emitting) and cleanup.

use std::time::{Duration, Instant};

use tokio::time::{Interval, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

use crate::component::{Component, ComponentError, Envelope, Message, Output, Source};
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

/// What woke the component loop.
enum Event {
    Input(Option<(String, Envelope)>),
    Tick,
}

/// The per-interval timer of a ticking component. The first tick comes one
/// interval after start (not immediately), and a late tick delays the next
/// rather than bursting to catch up.
fn ticker(interval: Option<Duration>) -> Option<Interval> {
    let period = interval.filter(|d| !d.is_zero())?;
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    Some(ticker)
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
    let mut ticker = ticker(component.tick_interval());
    loop {
        let event = match ticker.as_mut() {
            // The tick goes first so a steady flood of input cannot starve
            // it; both branches are cancel-safe (a stream's `next`, a timer).
            Some(t) => tokio::select! {
                biased;
                _ = t.tick() => Event::Tick,
                input = w.inputs.next() => Event::Input(input),
            },
            None => Event::Input(w.inputs.next().await),
        };
        let (port, envelope) = match event {
            Event::Input(Some(input)) => input,
            Event::Input(None) => break,
            Event::Tick => {
                match component.tick().await {
                    Ok(outputs) => emit_all(&w.outputs, outputs).await,
                    Err(e) => {
                        errors.inc();
                        tracing::warn!(component = %w.name, error = %e, "tick failed");
                    }
                }
                continue;
            }
        };
        // Kept so that a failure nobody answered still reaches the requester.
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
            Ok(outputs) => emit_all(&w.outputs, outputs).await,
            Err(e) => failed_message(&w.name, e, reply, &errors),
        }
    }
    // Flush what the component still holds (open windows, sink buffers)
    // while downstream is still listening.
    let finished = match component.finish().await {
        Ok(outputs) => {
            emit_all(&w.outputs, outputs).await;
            Ok(())
        }
        Err(e) => {
            errors.inc();
            Err(failed(&w.name, "finish", e))
        }
    };
    // Close our outputs before cleanup so downstream can finish draining
    // while we release our own resources.
    drop(w.outputs);
    component
        .cleanup()
        .await
        .map_err(|e| failed(&w.name, "cleanup", e))?;
    finished
}

/// A message `process` failed: count it, log it, and answer its requester
/// with the error. A caller's mistake (a 4xx: invalid record, unknown key)
/// is answered to the caller and logged at debug; only the system's own
/// failures warn.
pub(crate) fn failed_message(
    component: &str,
    e: ComponentError,
    reply: Option<crate::component::Reply>,
    errors: &prometheus_client::metrics::counter::Counter,
) {
    errors.inc();
    if e.status >= 500 {
        tracing::warn!(component = %component, error = %e, "process failed");
    } else {
        tracing::debug!(component = %component, error = %e, "request refused");
    }
    if let Some(reply) = reply {
        reply.send(Err(e));
    }
}

async fn emit_all(outputs: &Outputs, emitted: Vec<Output>) {
    for output in emitted {
        outputs.emit(output).await;
    }
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
