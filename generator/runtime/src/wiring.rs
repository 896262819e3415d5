//! The ends of bindings as one component task sees them: the merged input
//! ports it reads from and the fan-out table it writes to. Kept apart from
//! the harness so the backlog accounting lives in one place.

use std::collections::HashMap;

use prometheus_client::metrics::gauge::Gauge;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::{StreamExt, StreamMap};

use crate::component::{Envelope, Operation, Output};

/// One binding's sending end. The backlog gauge is incremented before the
/// send and decremented on receipt, so it equals the channel's length
/// without holding a strong sender in the receiver (which would stop the
/// channel from ever closing, and so stop the drain).
#[derive(Clone)]
pub(crate) struct PortSender {
    pub tx: mpsc::Sender<Envelope>,
    pub backlog: Gauge,
    /// "component.port" of the receiving end, for logs.
    pub target: String,
}

impl PortSender {
    /// Waits while the channel is full: this is the backpressure.
    pub async fn send(&self, envelope: Envelope) -> bool {
        self.backlog.inc();
        if self.tx.send(envelope).await.is_err() {
            self.backlog.dec();
            return false;
        }
        true
    }
}

/// The output ports of one component and the inputs each fans out to.
pub(crate) struct Outputs {
    pub component: String,
    pub by_port: HashMap<String, Vec<PortSender>>,
}

impl Outputs {
    /// Deliver one output to every input bound to its port, in binding
    /// order. A request is answered by its first branch only: the first
    /// binding gets the reply slot, the others get a copy without it — so a
    /// caller reads its own writes from the branch that answered, and a
    /// slower mirror can neither answer for it nor fail it. Copies carry
    /// writes (create, update, delete) so mirrors stay in step; reads (read,
    /// list) go to the first branch alone. An unbound port drops the record:
    /// leaving an output unwired is legal in a blueprint.
    pub async fn emit(&self, output: Output) {
        let Some(targets) = self.by_port.get(&output.port) else {
            tracing::debug!(component = %self.component, port = %output.port, "output port not bound; record dropped");
            return;
        };
        let is_read = matches!(
            output.operation,
            Some(Operation::Read { .. } | Operation::List { .. })
        );
        for (i, target) in targets.iter().enumerate() {
            if i > 0 && is_read {
                break;
            }
            let envelope = Envelope {
                record: output.record.clone(),
                reply: if i == 0 { output.reply.clone() } else { None },
                operation: output.operation.clone(),
            };
            if !target.send(envelope).await {
                tracing::warn!(component = %self.component, port = %output.port, target = %target.target,
                    "receiver has stopped; record dropped");
            }
        }
    }
}

/// All input ports of one component, merged. Ends when every sender of
/// every port is gone, which is what lets shutdown drain front to back.
pub(crate) struct Inputs {
    streams: StreamMap<String, ReceiverStream<Envelope>>,
    backlog: HashMap<String, Gauge>,
}

impl Inputs {
    pub fn new() -> Self {
        Self {
            streams: StreamMap::new(),
            backlog: HashMap::new(),
        }
    }

    pub fn add(&mut self, port: String, rx: mpsc::Receiver<Envelope>, backlog: Gauge) {
        self.backlog.insert(port.clone(), backlog);
        self.streams.insert(port, ReceiverStream::new(rx));
    }

    pub async fn next(&mut self) -> Option<(String, Envelope)> {
        let (port, envelope) = self.streams.next().await?;
        if let Some(g) = self.backlog.get(&port) {
            g.dec();
        }
        Some((port, envelope))
    }
}
