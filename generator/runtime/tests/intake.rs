//! The intake of an endpoint that reaches no store (accept with 202, or
//! await the graph's answer with 200), request timeouts (503), and `bind`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use blueprint_runtime::rest::{intake_routes, rest_routes, IntakeConfig, RestConfig};
use blueprint_runtime::{bind, serve, Component, ComponentError, Harness, Message, Output};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn schema() -> Value {
    json!({
        "type": "object",
        "properties": {"reading": {"type": "number"}},
        "required": ["reading"]
    })
}

/// Keeps what arrives; answers requests with the record doubled.
struct Collect(Arc<Mutex<Vec<Value>>>);

impl Component for Collect {
    async fn process(&mut self, m: Message) -> Result<Vec<Output>, ComponentError> {
        self.0.lock().unwrap().push(m.record.clone());
        if let Some(r) = m.record.get("reading").and_then(Value::as_f64) {
            m.respond(Ok(json!({ "doubled": r * 2.0 })));
        }
        Ok(vec![])
    }
}

/// Never answers within any reasonable timeout.
struct Slow;

impl Component for Slow {
    async fn process(&mut self, _m: Message) -> Result<Vec<Output>, ComponentError> {
        tokio::time::sleep(Duration::from_millis(500)).await;
        Ok(vec![])
    }
}

async fn post(url: &str, body: &str) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn intake_accepts_or_answers_and_validates_first() {
    let received = Arc::new(Mutex::new(Vec::new()));
    let mut h = Harness::new();
    h.add_component("ingest", Collect(received.clone()))
        .unwrap();
    let accept = IntakeConfig {
        path: "/api/readings".into(),
        max_body_bytes: 1 << 20,
        request_timeout: Duration::from_secs(5),
        schema: schema(),
        request_response: false,
    };
    let ask = IntakeConfig {
        path: "/api/double".into(),
        request_response: true,
        ..accept.clone()
    };
    let app = intake_routes(accept, h.inlet("ingest", "in").unwrap())
        .merge(intake_routes(ask, h.inlet("ingest", "asks").unwrap()));
    let (listener, addr) = bind("localhost:0").await.unwrap();
    let token = h.token();
    tokio::spawn(serve(listener, app, token.clone()));
    let run = tokio::spawn(h.run());
    let base = format!("http://{addr}/api");

    let accepted = post(&format!("{base}/readings"), r#"{"reading": 1.5}"#).await;
    assert_eq!(accepted, (StatusCode::ACCEPTED, json!({"accepted": true})));
    let batch = post(
        &format!("{base}/readings"),
        r#"[{"reading": 1}, {"reading": 2}]"#,
    )
    .await;
    assert_eq!(batch.0, StatusCode::ACCEPTED);
    let invalid = post(&format!("{base}/readings"), r#"[{"reading": 1}, {"x": 2}]"#).await;
    assert_eq!(invalid.0, StatusCode::BAD_REQUEST);
    assert!(
        invalid.1["error"].as_str().unwrap().contains("record 1: "),
        "{invalid:?}"
    );
    let answered = post(&format!("{base}/double"), r#"{"reading": 4}"#).await;
    assert_eq!(answered, (StatusCode::OK, json!({"doubled": 8.0})));
    let refused = post(&format!("{base}/double"), r#"{"reading": "4"}"#).await;
    assert_eq!(refused.0, StatusCode::BAD_REQUEST);
    assert_eq!(refused.1["status"], 400);

    token.cancel();
    run.await.unwrap().unwrap();
    // Only valid records entered the graph; the batch as one message.
    let got = received.lock().unwrap().clone();
    assert_eq!(
        got,
        vec![
            json!({"reading": 1.5}),
            json!([{"reading": 1}, {"reading": 2}]),
            json!({"reading": 4})
        ]
    );
}

#[tokio::test]
async fn a_request_past_its_timeout_answers_503() {
    let mut h = Harness::new().with_drain_timeout(Duration::from_secs(5));
    h.add_component("slow", Slow).unwrap();
    let rest = RestConfig {
        collection: "/things".into(),
        max_page_size: 10,
        default_page_size: 10,
        max_body_bytes: 1024,
        request_timeout: Duration::from_millis(100),
        schema: json!({"type": "object"}),
    };
    let app = rest_routes(rest, h.inlet("slow", "in").unwrap());
    let (listener, addr) = bind("127.0.0.1:0").await.unwrap();
    assert_ne!(addr.port(), 0, "the bound port is reported");
    let token = h.token();
    tokio::spawn(serve(listener, app, token.clone()));
    let run = tokio::spawn(h.run());
    let response = reqwest::get(format!("http://{addr}/things/1"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({"error": "timed out after 100 ms", "status": 503})
    );
    token.cancel();
    run.await.unwrap().unwrap();
}

#[tokio::test]
async fn bind_reports_unresolvable_addresses() {
    assert!(bind("no-such-host.invalid:80").await.is_err());
    assert!(bind("127.0.0.1").await.is_err(), "a port is required");
}
