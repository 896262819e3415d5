//! `/health`, `/ready` and `/metrics` over real HTTP on 127.0.0.1:0, with an
//! endpoint route driving a controller → store graph.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use blueprint_runtime::{http, Harness, Inlet, Readiness, Value};
use common::{sample, Controller, Store};

async fn create(
    State(inlet): State<Inlet>,
    Path(table): Path<String>,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    assert_eq!(table, "users");
    match inlet.request(body).await {
        Ok(row) => (StatusCode::CREATED, Json(row)),
        Err(e) => (
            StatusCode::from_u16(e.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            Json(serde_json::json!({ "error": e.message })),
        ),
    }
}

struct Served {
    base: String,
    client: reqwest::Client,
    database_up: Arc<AtomicBool>,
    token: blueprint_runtime::CancellationToken,
    harness: tokio::task::JoinHandle<Result<(), blueprint_runtime::HarnessError>>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

async fn serve_system() -> Served {
    let mut h = Harness::new();
    h.add_component("controller", Controller).unwrap();
    h.add_component("store", Store::default()).unwrap();
    h.bind(("controller", "to_store"), ("store", "in")).unwrap();
    let inlet = h.inlet("controller", "request").unwrap();
    let metrics = h.metrics();
    let token = h.token();

    let database_up = Arc::new(AtomicBool::new(false));
    let readiness = Readiness::new();
    let up = database_up.clone();
    readiness.add("users database answers", move || {
        let up = up.load(Ordering::SeqCst);
        async move {
            if up {
                Ok(())
            } else {
                Err("connection refused".to_owned())
            }
        }
    });
    readiness.add("always", || async { Ok(()) });

    let api = Router::new()
        .route("/{table}", post(create))
        .with_state(inlet);
    let app = http::track_requests(
        http::router(metrics.clone(), readiness).merge(api),
        metrics.clone(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(http::serve(listener, app, token.clone()));
    let harness = tokio::spawn(h.run());

    // Stores record pool metrics through this handle; do what a store would.
    let pool = metrics.pool("store", "users");
    pool.set_max(20);
    pool.set_connections(3, 2);
    {
        let _pending = pool.acquire_started();
        pool.record_wait(Duration::from_micros(700));
    }
    pool.record_timeout();
    pool.record_use(Duration::from_millis(4));
    pool.record_operation("INSERT", Duration::from_millis(2));

    Served {
        base,
        client: reqwest::Client::new(),
        database_up,
        token,
        harness,
        server,
    }
}

#[tokio::test]
async fn health_ready_and_metrics_over_http() {
    let s = serve_system().await;
    let get = |path: &str| s.client.get(format!("{}{path}", s.base)).send();

    let health = get("/health").await.unwrap();
    assert_eq!(health.status(), 200);
    let body: Value = serde_json::from_str(&health.text().await.unwrap()).unwrap();
    assert_eq!(body, serde_json::json!({ "status": "ok" }));

    // The database check fails: 503, naming it (and only it).
    let ready = get("/ready").await.unwrap();
    assert_eq!(ready.status(), 503);
    let body: Value = serde_json::from_str(&ready.text().await.unwrap()).unwrap();
    assert_eq!(
        body["failing"],
        serde_json::json!({ "users database answers": "connection refused" })
    );
    s.database_up.store(true, Ordering::SeqCst);
    assert_eq!(get("/ready").await.unwrap().status(), 200);

    // Traffic through endpoint → controller → store.
    for name in ["ada", "bob", "cy"] {
        let r = s
            .client
            .post(format!("{}/users", s.base))
            .header("content-type", "application/json")
            .body(serde_json::json!({ "name": name }).to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    let bad = s
        .client
        .post(format!("{}/users", s.base))
        .header("content-type", "application/json")
        .body(r#"{"name": 1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);

    let metrics = get("/metrics").await.unwrap();
    assert_eq!(metrics.status(), 200);
    let content_type = metrics.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("application/openmetrics-text"),
        "{content_type}"
    );
    let text = metrics.text().await.unwrap();
    let positive = [
        r#"blueprint_component_messages_total{component="store"}"#,
        r#"blueprint_component_errors_total{component="controller"}"#,
        r#"blueprint_component_processing_duration_seconds_count{component="store"}"#,
        r#"db_client_connection_count{component="store",pool_name="users",state="idle"}"#,
        r#"db_client_connection_count{component="store",pool_name="users",state="used"}"#,
        r#"db_client_connection_max{component="store",pool_name="users"}"#,
        r#"db_client_connection_timeouts_total{component="store",pool_name="users"}"#,
        r#"db_client_connection_wait_time_seconds_count{component="store",pool_name="users"}"#,
        r#"db_client_connection_use_time_seconds_count{component="store",pool_name="users"}"#,
        r#"db_client_operation_duration_seconds_count{component="store",pool_name="users",operation="INSERT"}"#,
        r#"http_server_request_duration_seconds_count{component="",http_request_method="POST",http_route="/{table}",http_response_status_code="201"}"#,
        r#"http_server_request_duration_seconds_count{component="",http_request_method="POST",http_route="/{table}",http_response_status_code="400"}"#,
        r#"http_server_request_duration_seconds_count{component="",http_request_method="GET",http_route="/ready",http_response_status_code="503"}"#,
    ];
    for series in positive {
        let value =
            sample(&text, series).unwrap_or_else(|| panic!("{series} missing from:\n{text}"));
        assert!(value > 0.0, "{series} = {value}");
    }
    assert_eq!(
        sample(
            &text,
            r#"blueprint_component_messages_total{component="store"}"#
        ),
        Some(3.0)
    );
    // The pending guard was dropped, so nobody is waiting any more.
    assert_eq!(
        sample(
            &text,
            r#"db_client_connection_pending_requests{component="store",pool_name="users"}"#
        ),
        Some(0.0)
    );
    assert!(
        text.contains(r#"blueprint_component_backlog{component="store",port="in"} 0"#),
        "{text}"
    );

    // Shutdown stops both the server and the graph.
    s.token.cancel();
    s.server.await.unwrap().unwrap();
    s.harness.await.unwrap().unwrap();
}
