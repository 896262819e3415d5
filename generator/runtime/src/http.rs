//! `/health`, `/ready` and `/metrics`, served on the configured address and
//! stopped by the harness's token.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::metrics::Metrics;

/// A hung database must make `/ready` say "not ready", not hang the probe.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

pub const OPENMETRICS_CONTENT_TYPE: &str =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";

type CheckFuture = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;
type Check = Arc<dyn Fn() -> CheckFuture + Send + Sync>;

/// Named readiness checks; `/ready` passes only when all of them do. Stores
/// register one each ("orders database answers").
#[derive(Clone, Default)]
pub struct Readiness {
    checks: Arc<RwLock<Vec<(String, Check)>>>,
}

impl Readiness {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add<F, Fut>(&self, name: impl Into<String>, check: F)
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), String>> + Send + 'static,
    {
        let check: Check = Arc::new(move || Box::pin(check()));
        self.checks
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .push((name.into(), check));
    }

    /// Runs every check concurrently; returns the failing ones with reasons.
    pub async fn failing(&self) -> Vec<(String, String)> {
        let checks = self
            .checks
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let handles: Vec<_> = checks
            .into_iter()
            .map(|(name, check)| {
                let run = tokio::time::timeout(CHECK_TIMEOUT, check());
                (name, tokio::spawn(run))
            })
            .collect();
        let mut failing = Vec::new();
        for (name, handle) in handles {
            let reason = match handle.await {
                Ok(Ok(Ok(()))) => continue,
                Ok(Ok(Err(reason))) => reason,
                Ok(Err(_)) => format!("timed out after {CHECK_TIMEOUT:?}"),
                Err(_) => "check panicked".to_owned(),
            };
            failing.push((name, reason));
        }
        failing
    }
}

#[derive(Clone)]
struct AppState {
    metrics: Metrics,
    readiness: Readiness,
}

/// The operational routes. Merge an endpoint's own routes into it (before
/// calling [`track_requests`] so they are measured too).
pub fn router(metrics: Metrics, readiness: Readiness) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/metrics", get(render_metrics))
        .with_state(AppState { metrics, readiness })
}

/// Record `http_server_request_duration_seconds` for every route of
/// `router`, labelled with the matched route template.
pub fn track_requests(router: Router, metrics: Metrics) -> Router {
    track_component_requests(router, metrics, "")
}

/// [`track_requests`] for the routes an endpoint component serves: also
/// labelled with the component, so the editor shows each endpoint's
/// request rate, latency and errors.
pub fn track_component_requests(router: Router, metrics: Metrics, component: &str) -> Router {
    let measured = Measured {
        metrics,
        component: component.into(),
    };
    router.layer(middleware::from_fn_with_state(measured, measure))
}

#[derive(Clone)]
struct Measured {
    metrics: Metrics,
    component: Arc<str>,
}

async fn measure(State(measured): State<Measured>, request: Request, next: Next) -> Response {
    let method = request.method().as_str().to_owned();
    // Unmatched paths share one label so a scanner cannot blow up cardinality.
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    measured.metrics.record_http_request(
        &measured.component,
        &method,
        &route,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

async fn health() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

async fn ready(State(state): State<AppState>) -> Response {
    let failing = state.readiness.failing().await;
    if failing.is_empty() {
        return Json(json!({ "status": "ready" })).into_response();
    }
    let failing: serde_json::Map<_, _> = failing
        .into_iter()
        .map(|(name, reason)| (name, reason.into()))
        .collect();
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({ "status": "not ready", "failing": failing })),
    )
        .into_response()
}

async fn render_metrics(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, OPENMETRICS_CONTENT_TYPE)],
        state.metrics.encode(),
    )
        .into_response()
}

/// Serve `router` on an already bound listener until `token` is cancelled.
/// Taking a listener lets tests bind 127.0.0.1:0 and read the port.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    token: CancellationToken,
) -> std::io::Result<()> {
    axum::serve(listener, router)
        .with_graceful_shutdown(token.cancelled_owned())
        .await
}

/// Bind `addr` and serve until `token` is cancelled.
pub async fn serve_addr(
    addr: SocketAddr,
    router: Router,
    token: CancellationToken,
) -> std::io::Result<()> {
    serve(TcpListener::bind(addr).await?, router, token).await
}

/// Bind a `host:port` string ("127.0.0.1:0", "0.0.0.0:8080",
/// "localhost:8080") and return the listener with the address actually
/// bound, so a system configured with port 0 can print where it listens.
pub async fn bind(addr: &str) -> std::io::Result<(TcpListener, SocketAddr)> {
    let mut last = None;
    for candidate in tokio::net::lookup_host(addr).await? {
        match TcpListener::bind(candidate).await {
            Ok(listener) => {
                let local = listener.local_addr()?;
                return Ok((listener, local));
            }
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::AddrNotAvailable,
            format!("`{addr}` resolves to no address"),
        )
    }))
}
