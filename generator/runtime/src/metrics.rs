//! The Prometheus registry behind `/metrics`, with exactly the names of
//! DESIGN.md "Live metrics": the language server scrapes these names, so a
//! rename here breaks its inlay hints.
//!
//! Component metrics are recorded by the harness itself; pool, query and HTTP
//! metrics are recorded by stores and endpoints through [`PoolMetrics`] and
//! [`Metrics::record_http_request`].

use std::sync::Arc;
use std::time::Duration;

use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// Latency buckets in seconds, 0.5 ms to 10 s: fine enough at the low end for
/// a local SQLite write, wide enough for a stalled pool acquire.
pub const LATENCY_BUCKETS: [f64; 15] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 7.5, 10.0,
];

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

fn h<L: Clone + std::hash::Hash + Eq>() -> Histograms<L> {
    Family::new_with_constructor(latency_histogram as fn() -> Histogram)
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct ComponentLabels {
    pub component: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct PortLabels {
    pub component: String,
    pub port: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    component: String,
    pool_name: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolStateLabels {
    component: String,
    pool_name: String,
    state: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    component: String,
    pool_name: String,
    operation: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HttpLabels {
    /// The endpoint component serving the route; empty for the
    /// operational server (`/health`, `/ready`, `/metrics` alone).
    component: String,
    http_request_method: String,
    http_route: String,
    http_response_status_code: u16,
}

/// Every metric the runtime exposes. Cheap to clone: the families are shared.
#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    pub(crate) messages: Family<ComponentLabels, Counter>,
    pub(crate) errors: Family<ComponentLabels, Counter>,
    pub(crate) processing: Histograms<ComponentLabels>,
    pub(crate) backlog: Family<PortLabels, Gauge>,
    conn_count: Family<PoolStateLabels, Gauge>,
    conn_max: Family<PoolLabels, Gauge>,
    pending: Family<PoolLabels, Gauge>,
    timeouts: Family<PoolLabels, Counter>,
    wait_time: Histograms<PoolLabels>,
    use_time: Histograms<PoolLabels>,
    operation: Histograms<OperationLabels>,
    http: Histograms<HttpLabels>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let m = Self {
            registry: Arc::new(Registry::default()),
            messages: Family::default(),
            errors: Family::default(),
            processing: h(),
            backlog: Family::default(),
            conn_count: Family::default(),
            conn_max: Family::default(),
            pending: Family::default(),
            timeouts: Family::default(),
            wait_time: h(),
            use_time: h(),
            operation: h(),
            http: h(),
        };
        let mut r = Registry::default();
        // Counters are registered without `_total`: the encoder appends it.
        r.register(
            "blueprint_component_messages",
            "Messages processed",
            m.messages.clone(),
        );
        r.register(
            "blueprint_component_errors",
            "Messages whose processing failed",
            m.errors.clone(),
        );
        r.register(
            "blueprint_component_processing_duration_seconds",
            "Time spent in process() per message",
            m.processing.clone(),
        );
        r.register(
            "blueprint_component_backlog",
            "Messages waiting on an input port",
            m.backlog.clone(),
        );
        r.register(
            "db_client_connection_count",
            "Pool connections by state",
            m.conn_count.clone(),
        );
        r.register(
            "db_client_connection_max",
            "Pool size limit",
            m.conn_max.clone(),
        );
        r.register(
            "db_client_connection_pending_requests",
            "Callers waiting in acquire()",
            m.pending.clone(),
        );
        r.register(
            "db_client_connection_timeouts",
            "acquire() timeouts",
            m.timeouts.clone(),
        );
        r.register(
            "db_client_connection_wait_time_seconds",
            "Time spent waiting in acquire()",
            m.wait_time.clone(),
        );
        r.register(
            "db_client_connection_use_time_seconds",
            "Time a connection was held",
            m.use_time.clone(),
        );
        r.register(
            "db_client_operation_duration_seconds",
            "Query duration",
            m.operation.clone(),
        );
        r.register(
            "http_server_request_duration_seconds",
            "HTTP request duration",
            m.http.clone(),
        );
        Self {
            registry: Arc::new(r),
            ..m
        }
    }

    /// The OpenMetrics text of every metric, as served at `/metrics`.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        encode(&mut out, &self.registry).expect("encoding metrics into a String");
        out
    }

    /// Handle for one store's pool; labels are fixed once here.
    pub fn pool(&self, component: &str, pool_name: &str) -> PoolMetrics {
        PoolMetrics {
            metrics: self.clone(),
            labels: PoolLabels {
                component: component.into(),
                pool_name: pool_name.into(),
            },
        }
    }

    /// Record one HTTP request `component` served (empty: none, the
    /// operational server). `route` is the matched route template
    /// (`/users/{id}`), never the raw path, so label cardinality stays bounded.
    pub fn record_http_request(
        &self,
        component: &str,
        method: &str,
        route: &str,
        status: u16,
        elapsed: Duration,
    ) {
        self.http
            .get_or_create(&HttpLabels {
                component: component.into(),
                http_request_method: method.into(),
                http_route: route.into(),
                http_response_status_code: status,
            })
            .observe(elapsed.as_secs_f64());
    }

    pub(crate) fn component(&self, component: &str) -> ComponentLabels {
        ComponentLabels {
            component: component.into(),
        }
    }
}

/// Recording functions for one pool, following the OpenTelemetry
/// database-client conventions. sqlx exposes neither wait time nor pending
/// acquires, so the store measures them around `acquire()` with
/// [`PoolMetrics::acquire_started`] and [`PoolMetrics::record_wait`].
#[derive(Clone)]
pub struct PoolMetrics {
    metrics: Metrics,
    labels: PoolLabels,
}

/// Counts one caller as pending until dropped, so an acquire that errors or
/// is cancelled still leaves the gauge right.
pub struct PendingGuard {
    gauge: Gauge,
}

impl Drop for PendingGuard {
    fn drop(&mut self) {
        self.gauge.dec();
    }
}

impl PoolMetrics {
    fn state(&self, state: &str) -> PoolStateLabels {
        PoolStateLabels {
            component: self.labels.component.clone(),
            pool_name: self.labels.pool_name.clone(),
            state: state.into(),
        }
    }

    /// Current idle and in-use connections (from `pool.num_idle()` / `size()`).
    pub fn set_connections(&self, idle: u32, used: u32) {
        self.metrics
            .conn_count
            .get_or_create(&self.state("idle"))
            .set(idle.into());
        self.metrics
            .conn_count
            .get_or_create(&self.state("used"))
            .set(used.into());
    }

    pub fn set_max(&self, max: u32) {
        self.metrics
            .conn_max
            .get_or_create(&self.labels)
            .set(max.into());
    }

    pub fn acquire_started(&self) -> PendingGuard {
        let gauge = self.metrics.pending.get_or_create(&self.labels).clone();
        gauge.inc();
        PendingGuard { gauge }
    }

    pub fn record_wait(&self, waited: Duration) {
        self.metrics
            .wait_time
            .get_or_create(&self.labels)
            .observe(waited.as_secs_f64());
    }

    pub fn record_timeout(&self) {
        self.metrics.timeouts.get_or_create(&self.labels).inc();
    }

    pub fn record_use(&self, held: Duration) {
        self.metrics
            .use_time
            .get_or_create(&self.labels)
            .observe(held.as_secs_f64());
    }

    /// One query or statement; `operation` is the verb (`INSERT`, `SELECT`…).
    pub fn record_operation(&self, operation: &str, elapsed: Duration) {
        let labels = OperationLabels {
            component: self.labels.component.clone(),
            pool_name: self.labels.pool_name.clone(),
            operation: operation.into(),
        };
        self.metrics
            .operation
            .get_or_create(&labels)
            .observe(elapsed.as_secs_f64());
    }
}
