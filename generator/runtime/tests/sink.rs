//! The Sink behaviour against a real local HTTP server that records what it
//! receives: batching by size, flush of a partial batch, records logged when
//! no URL is set, and failures reported as 502 without the password.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use blueprint_runtime::behaviour::sink::Sink;
use serde_json::{json, Value};

type Received = Arc<Mutex<Vec<Value>>>;

async fn record(State(received): State<Received>, Json(body): Json<Value>) -> StatusCode {
    received.lock().unwrap().push(body);
    StatusCode::OK
}

async fn refuse() -> StatusCode {
    StatusCode::INTERNAL_SERVER_ERROR
}

/// A server on a free port: `/ingest` records each POSTed body, `/broken`
/// answers 500.
async fn server() -> (String, Received) {
    let received: Received = Arc::default();
    let app = Router::new()
        .route("/ingest", post(record))
        .route("/broken", post(refuse))
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("127.0.0.1:{}", addr.port()), received)
}

#[tokio::test]
async fn posts_full_batches_and_flushes_the_rest() {
    let (host, received) = server().await;
    let url = format!("http://{host}/ingest");
    let mut sink = Sink::new(Some(url), 2, Some(Duration::from_millis(50)), "out");
    assert_eq!(sink.tick_interval(), Some(Duration::from_millis(50)));
    sink.push(json!({"n": 1})).await.unwrap();
    assert!(
        received.lock().unwrap().is_empty(),
        "waits for a full batch"
    );
    sink.push(json!({"n": 2})).await.unwrap();
    // A pushed batch is taken record by record.
    sink.push(json!([{"n": 3}, {"n": 4}, {"n": 5}]))
        .await
        .unwrap();
    assert_eq!(sink.buffered(), 1);
    sink.flush().await.unwrap();
    sink.flush().await.unwrap();
    assert_eq!(
        received.lock().unwrap().clone(),
        vec![
            json!([{"n": 1}, {"n": 2}]),
            json!([{"n": 3}, {"n": 4}]),
            json!([{"n": 5}])
        ]
    );
}

#[tokio::test]
async fn without_a_url_records_are_logged_not_buffered() {
    let mut sink = Sink::new(None, 10, Some(Duration::from_millis(50)), "log");
    assert_eq!(sink.tick_interval(), None);
    sink.push(json!({"n": 1})).await.unwrap();
    assert_eq!(sink.buffered(), 0);
    sink.flush().await.unwrap();
}

#[tokio::test]
async fn failures_are_502_with_the_password_masked() {
    let (host, _) = server().await;
    let url = format!("http://ops:hunter2@{host}/broken");
    let mut sink = Sink::new(Some(url), 1, None, "out");
    let err = sink.push(json!({"n": 1})).await.unwrap_err();
    assert_eq!(err.status, 502);
    assert!(err.message.contains("ops:***@"), "{err}");
    assert!(err.message.contains("500"), "{err}");
    assert!(!err.message.contains("hunter2"), "{err}");

    // Nothing listens on port 9 (discard) here: a connection failure.
    let mut sink = Sink::new(
        Some("http://ops:hunter2@127.0.0.1:9/x".into()),
        1,
        None,
        "out",
    );
    let err = sink.push(json!({"n": 1})).await.unwrap_err();
    assert_eq!(err.status, 502);
    assert!(!err.message.contains("hunter2"), "{err}");
    assert_eq!(sink.buffered(), 0, "a failed batch is not kept");
}
