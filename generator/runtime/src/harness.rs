//! The harness: components, bindings as bounded channels, one task per
//! component, and a shutdown that drains.
//!
//! Shutdown order, and why: when the token is cancelled, sources stop being
//! polled and inlets (the doors HTTP endpoints use) stop accepting. Their
//! senders drop, so their downstream inputs end once emptied; each component
//! then finishes the messages it holds, drops its own senders, and calls
//! `cleanup`. The drain therefore runs front to back through the graph with
//! nothing lost, bounded by the drain timeout.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::component::{Component, ComponentError, Envelope, Operation, Reply, Source};
use crate::concurrent::{run_concurrent, ConcurrentComponent};
use crate::metrics::{Metrics, PortLabels};
use crate::tasks::{run_component, run_source, Wired};
use crate::wiring::{Inputs, Outputs, PortSender};

pub const DEFAULT_CAPACITY: usize = 1024;
pub const DEFAULT_DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    #[error("component `{0}` is added twice")]
    DuplicateComponent(String),
    #[error("no component named `{0}`")]
    UnknownComponent(String),
    #[error("`{0}` is a source and has no input ports")]
    BindToSource(String),
    #[error("component `{component}` failed in {phase}: {error}")]
    Component {
        component: String,
        phase: &'static str,
        error: ComponentError,
    },
    #[error("component `{0}` panicked")]
    Panicked(String),
    #[error("drain timed out; still running: {0:?}")]
    DrainTimeout(Vec<String>),
}

type Task = Pin<Box<dyn Future<Output = Result<(), HarnessError>> + Send>>;
type Spawner = Box<dyn FnOnce(Wired) -> Task + Send>;

struct Port {
    tx: mpsc::Sender<Envelope>,
    rx: mpsc::Receiver<Envelope>,
}

/// Builder and runner of a component graph.
pub struct Harness {
    capacity: usize,
    drain_timeout: Duration,
    metrics: Metrics,
    token: CancellationToken,
    order: Vec<String>,
    spawners: HashMap<String, Spawner>,
    sources: HashSet<String>,
    ports: HashMap<(String, String), Port>,
    outputs: HashMap<String, HashMap<String, Vec<PortSender>>>,
    inlet_senders: Vec<mpsc::Sender<Envelope>>,
}

impl Default for Harness {
    fn default() -> Self {
        Self::new()
    }
}

impl Harness {
    pub fn new() -> Self {
        Self {
            capacity: DEFAULT_CAPACITY,
            drain_timeout: DEFAULT_DRAIN_TIMEOUT,
            metrics: Metrics::new(),
            token: CancellationToken::new(),
            order: Vec::new(),
            spawners: HashMap::new(),
            sources: HashSet::new(),
            ports: HashMap::new(),
            outputs: HashMap::new(),
            inlet_senders: Vec::new(),
        }
    }

    /// Capacity of every binding channel created after this call.
    pub fn with_capacity(mut self, capacity: usize) -> Self {
        self.capacity = capacity.max(1);
        self
    }

    pub fn with_drain_timeout(mut self, timeout: Duration) -> Self {
        self.drain_timeout = timeout;
        self
    }

    /// Share a registry with other parts of the process (the HTTP server).
    /// Call before `bind`/`inlet`: backlog gauges are taken from the
    /// registry current at binding time.
    pub fn with_metrics(mut self, metrics: Metrics) -> Self {
        self.metrics = metrics;
        self
    }

    pub fn metrics(&self) -> Metrics {
        self.metrics.clone()
    }

    /// The token that starts shutdown; give it to the HTTP server too.
    pub fn token(&self) -> CancellationToken {
        self.token.clone()
    }

    fn insert(&mut self, name: &str, spawner: Spawner) -> Result<(), HarnessError> {
        if self.spawners.contains_key(name) {
            return Err(HarnessError::DuplicateComponent(name.into()));
        }
        self.order.push(name.into());
        self.spawners.insert(name.into(), spawner);
        Ok(())
    }

    pub fn add_component<C: Component>(
        &mut self,
        name: &str,
        component: C,
    ) -> Result<(), HarnessError> {
        self.insert(
            name,
            Box::new(move |w| Box::pin(run_component(component, w))),
        )
    }

    /// A component that handles up to `concurrency` messages at once (see
    /// [`ConcurrentComponent`]): stores, controllers, endpoints.
    pub fn add_concurrent<C: ConcurrentComponent>(
        &mut self,
        name: &str,
        component: C,
        concurrency: usize,
    ) -> Result<(), HarnessError> {
        self.insert(
            name,
            Box::new(move |w| Box::pin(run_concurrent(component, concurrency, w))),
        )
    }

    pub fn add_source<S: Source>(&mut self, name: &str, source: S) -> Result<(), HarnessError> {
        self.sources.insert(name.into());
        self.insert(name, Box::new(move |w| Box::pin(run_source(source, w))))
    }

    fn check_input(&self, component: &str) -> Result<(), HarnessError> {
        if !self.spawners.contains_key(component) {
            return Err(HarnessError::UnknownComponent(component.into()));
        }
        if self.sources.contains(component) {
            return Err(HarnessError::BindToSource(component.into()));
        }
        Ok(())
    }

    /// The sending end of an input port, creating its channel on first use.
    fn port_sender(&mut self, component: &str, port: &str) -> PortSender {
        let capacity = self.capacity;
        let entry = self
            .ports
            .entry((component.into(), port.into()))
            .or_insert_with(|| {
                let (tx, rx) = mpsc::channel(capacity);
                Port { tx, rx }
            });
        let labels = PortLabels {
            component: component.into(),
            port: port.into(),
        };
        PortSender {
            tx: entry.tx.clone(),
            backlog: self.metrics.backlog.get_or_create(&labels).clone(),
            target: format!("{component}.{port}"),
        }
    }

    /// Bind an output port to an input port. Binding one output to several
    /// inputs fans out; binding several outputs to one input merges.
    pub fn bind(&mut self, from: (&str, &str), to: (&str, &str)) -> Result<(), HarnessError> {
        if !self.spawners.contains_key(from.0) {
            return Err(HarnessError::UnknownComponent(from.0.into()));
        }
        self.check_input(to.0)?;
        let sender = self.port_sender(to.0, to.1);
        self.outputs
            .entry(from.0.into())
            .or_default()
            .entry(from.1.into())
            .or_default()
            .push(sender);
        Ok(())
    }

    /// A door into an input port for code outside the graph (an HTTP
    /// handler). It stops accepting when shutdown begins.
    pub fn inlet(&mut self, component: &str, port: &str) -> Result<Inlet, HarnessError> {
        self.check_input(component)?;
        let sender = self.port_sender(component, port);
        let inlet = Inlet {
            tx: sender.tx.downgrade(),
            backlog: sender.backlog,
        };
        // The harness holds the only strong sender, dropped at shutdown, so
        // inlet clones kept by a server never hold the drain open.
        self.inlet_senders.push(sender.tx);
        Ok(inlet)
    }

    /// Run the graph until every component has finished, or until the token
    /// is cancelled and the graph has drained. Cleanup runs once per
    /// component whose inputs drained; a component still busy when the drain
    /// timeout expires is aborted without cleanup and named in the error.
    pub async fn run(mut self) -> Result<(), HarnessError> {
        let mut inputs: HashMap<String, Inputs> = HashMap::new();
        for ((component, port), Port { tx, rx }) in self.ports.drain() {
            // Dropping the builder's sender leaves only binding/inlet senders.
            drop(tx);
            let labels = PortLabels {
                component: component.clone(),
                port: port.clone(),
            };
            let backlog = self.metrics.backlog.get_or_create(&labels).clone();
            inputs
                .entry(component)
                .or_insert_with(Inputs::new)
                .add(port, rx, backlog);
        }
        let mut set = JoinSet::new();
        let mut running: HashMap<tokio::task::Id, String> = HashMap::new();
        for name in &self.order {
            let spawner = self
                .spawners
                .remove(name)
                .expect("every ordered name has a spawner");
            // Every component reports from the start, idle or not: the
            // editor tells "declared but not running" from "not busy" by it.
            let labels = self.metrics.component(name);
            drop(self.metrics.messages.get_or_create(&labels));
            drop(self.metrics.errors.get_or_create(&labels));
            let wired = Wired {
                name: name.clone(),
                inputs: inputs.remove(name).unwrap_or_else(Inputs::new),
                outputs: Outputs {
                    component: name.clone(),
                    by_port: self.outputs.remove(name).unwrap_or_default(),
                },
                metrics: self.metrics.clone(),
                token: self.token.clone(),
            };
            let handle = set.spawn(spawner(wired));
            running.insert(handle.id(), name.clone());
        }
        let mut first_error = None;
        let token = self.token.clone();
        tokio::select! {
            () = join_all(&mut set, &mut running, &mut first_error) => {}
            () = token.cancelled() => {}
        }
        drop(std::mem::take(&mut self.inlet_senders));
        let drained = tokio::time::timeout(
            self.drain_timeout,
            join_all(&mut set, &mut running, &mut first_error),
        )
        .await;
        if drained.is_err() {
            set.abort_all();
            let mut pending: Vec<String> = running.into_values().collect();
            pending.sort();
            return Err(HarnessError::DrainTimeout(pending));
        }
        first_error.map_or(Ok(()), Err)
    }

    /// [`Harness::run`], shutting down on SIGTERM or ctrl-c.
    pub async fn run_until_signal(self) -> Result<(), HarnessError> {
        let token = self.token();
        let watcher = tokio::spawn(async move {
            tokio::select! {
                () = shutdown_signal() => tracing::info!("shutdown signal received; draining"),
                () = token.cancelled() => {}
            }
            token.cancel();
        });
        let result = self.run().await;
        watcher.abort();
        result
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

async fn join_all(
    set: &mut JoinSet<Result<(), HarnessError>>,
    running: &mut HashMap<tokio::task::Id, String>,
    first_error: &mut Option<HarnessError>,
) {
    while let Some(joined) = set.join_next_with_id().await {
        let error = match joined {
            Ok((id, result)) => {
                running.remove(&id);
                result.err()
            }
            Err(e) => Some(HarnessError::Panicked(
                running.remove(&e.id()).unwrap_or_default(),
            )),
        };
        if let Some(e) = error {
            tracing::error!(error = %e, "component stopped with an error");
            first_error.get_or_insert(e);
        }
    }
}

/// Sends records into one input port from outside the graph.
#[derive(Clone)]
pub struct Inlet {
    tx: mpsc::WeakSender<Envelope>,
    backlog: prometheus_client::metrics::gauge::Gauge,
}

impl Inlet {
    async fn deliver(&self, envelope: Envelope) -> Result<(), ComponentError> {
        let shutting_down = || ComponentError::new(503, "shutting down");
        let tx = self.tx.upgrade().ok_or_else(shutting_down)?;
        self.backlog.inc();
        if tx.send(envelope).await.is_err() {
            self.backlog.dec();
            return Err(shutting_down());
        }
        Ok(())
    }

    /// Fire and forget; waits only while the port is full.
    pub async fn send(&self, record: Value) -> Result<(), ComponentError> {
        self.deliver(Envelope::new(record)).await
    }

    /// Send a request and await the answer of whichever component replies.
    pub async fn request(&self, record: Value) -> Result<Value, ComponentError> {
        self.ask(None, record).await
    }

    /// Send a store operation (REST) and await its answer. `record` is the
    /// body of a create or update, `null` otherwise.
    pub async fn request_operation(
        &self,
        operation: Operation,
        record: Value,
    ) -> Result<Value, ComponentError> {
        self.ask(Some(operation), record).await
    }

    async fn ask(
        &self,
        operation: Option<Operation>,
        record: Value,
    ) -> Result<Value, ComponentError> {
        let (reply, rx) = Reply::channel();
        self.deliver(Envelope {
            record,
            reply: Some(reply),
            operation,
        })
        .await?;
        rx.await.unwrap_or_else(|_| {
            Err(ComponentError::internal(
                "no component answered the request",
            ))
        })
    }
}
