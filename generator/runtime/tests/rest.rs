//! REST over a real store through a real harness, served on a real port:
//! the full CRUD round trip, paging, and every error status of the REST
//! table in generated-system.md. SQLite always; PostgreSQL and MariaDB when
//! `DATABASE_URL_POSTGRES` / `DATABASE_URL_MYSQL` are set (skipped with a
//! reason otherwise, failing when `BLUEPRINT_REQUIRE_SERVICES=1`).

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use blueprint_runtime::behaviour;
use blueprint_runtime::rest::{rest_routes, RestConfig};
use blueprint_runtime::store::{Engine, Migrations, Store, StoreConfig};
use blueprint_runtime::{
    bind, router, serve, Component, ComponentError, Harness, Message, Metrics, Output, Readiness,
};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::{AssertSqlSafe, Connection};

/// A Store component exactly as generated code writes one: the default
/// behaviour is one call into `behaviour::store::handle`.
struct StoreComponent {
    store: Store,
}

impl Component for StoreComponent {
    async fn process(&mut self, m: Message) -> Result<Vec<Output>, ComponentError> {
        let written = behaviour::store::handle(&self.store, &m, 500).await?;
        Ok(written.into_iter().map(|r| Output::new("out", r)).collect())
    }
}

fn schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string", "maxLength": 40},
            "done": {"type": "boolean"}
        },
        "required": ["id", "title"],
        "additionalProperties": false
    })
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn table_name() -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("bp_rest_{}_{n}", std::process::id())
}

fn server_url(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) => Some(url),
        Err(_) if std::env::var("BLUEPRINT_REQUIRE_SERVICES").as_deref() == Ok("1") => {
            panic!("{var} is unset but BLUEPRINT_REQUIRE_SERVICES=1")
        }
        Err(_) => {
            eprintln!("skipping: {var} is unset");
            None
        }
    }
}

async fn drop_table(engine: Engine, url: &str, table: &str) {
    let sql = AssertSqlSafe(format!("DROP TABLE IF EXISTS {table}"));
    match engine {
        Engine::Postgres => {
            let mut c = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::query(sql).execute(&mut c).await.unwrap();
        }
        Engine::Mysql => {
            let mut c = sqlx::MySqlConnection::connect(url).await.unwrap();
            sqlx::query(sql).execute(&mut c).await.unwrap();
        }
        Engine::Sqlite => {}
    }
}

/// A served system: REST endpoint -> store component -> database.
struct System {
    base: String,
    client: reqwest::Client,
    token: blueprint_runtime::CancellationToken,
    run: tokio::task::JoinHandle<Result<(), blueprint_runtime::HarnessError>>,
}

async fn start(engine: Engine, url: &str, table: &str) -> System {
    let metrics = Metrics::new();
    let config = StoreConfig {
        component: "task_store".into(),
        pool_name: "main".into(),
        url: url.into(),
        engine,
        max_connections: 4,
        min_connections: 1,
        acquire_timeout: Duration::from_secs(5),
        table: table.into(),
        key: "id".into(),
        schema: schema(),
        migrations: Migrations::Auto,
    };
    let store = Store::connect(config, &metrics).await.expect("connect");
    let mut h = Harness::new().with_metrics(metrics.clone());
    h.add_component("task_store", StoreComponent { store })
        .unwrap();
    let inlet = h.inlet("task_store", "requests").unwrap();
    let rest = RestConfig {
        collection: "/api/tasks".into(),
        max_page_size: 3,
        default_page_size: 2,
        max_body_bytes: 1024,
        request_timeout: Duration::from_secs(10),
        schema: schema(),
    };
    let app = rest_routes(rest, inlet).merge(router(metrics, Readiness::new()));
    let (listener, addr) = bind("127.0.0.1:0").await.unwrap();
    let token = h.token();
    tokio::spawn(serve(listener, app, token.clone()));
    let run = tokio::spawn(h.run());
    System {
        base: format!("http://{addr}/api/tasks"),
        client: reqwest::Client::new(),
        token,
        run,
    }
}

impl System {
    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        self.send(request).await
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> (StatusCode, Value) {
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text:?}"))
        };
        (status, body)
    }

    async fn stop(self) {
        self.token.cancel();
        self.run.await.unwrap().unwrap();
    }
}

/// An error body: `{"error": …, "status": <code>}` matching the HTTP status.
fn assert_error(got: (StatusCode, Value), status: u16, contains: &str) {
    assert_eq!(got.0.as_u16(), status, "{:?}", got.1);
    assert_eq!(got.1["status"], status, "{:?}", got.1);
    let message = got.1["error"].as_str().unwrap();
    assert!(message.contains(contains), "{message:?} lacks {contains:?}");
}

fn ids(page: &Value) -> Vec<i64> {
    (page["items"].as_array().unwrap().iter())
        .map(|r| r["id"].as_i64().unwrap())
        .collect()
}

async fn crud_round_trip(s: &System) {
    let created = s
        .call("POST", "", Some(json!({"id": 1, "title": "a"})))
        .await;
    assert_eq!(
        created,
        (StatusCode::CREATED, json!({"id": 1, "title": "a"}))
    );
    let duplicate = s
        .call("POST", "", Some(json!({"id": 1, "title": "b"})))
        .await;
    assert_error(duplicate, 409, "already exists");
    // Invalid: nothing is written.
    let invalid = s.call("POST", "", Some(json!({"id": 2, "title": 7}))).await;
    assert_error(invalid, 400, "/title");
    assert_error(s.call("GET", "/2", None).await, 404, "no record");
    let read = s.call("GET", "/1", None).await;
    assert_eq!(read, (StatusCode::OK, json!({"id": 1, "title": "a"})));
    assert_error(s.call("GET", "/abc", None).await, 400, "must be an integer");

    for id in 2..=5 {
        let title = format!("t{id}");
        let (status, _) = s
            .call("POST", "", Some(json!({"id": id, "title": title})))
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (status, page) = s.call("GET", "?offset=1&limit=2", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (ids(&page), &page["offset"], &page["limit"]),
        (vec![2, 3], &json!(1), &json!(2))
    );
    let (_, page) = s.call("GET", "", None).await;
    assert_eq!(
        (ids(&page), &page["limit"]),
        (vec![1, 2], &json!(2)),
        "default page size"
    );
    let (_, page) = s.call("GET", "?limit=1000&offset=2", None).await;
    assert_eq!(
        (ids(&page), &page["limit"]),
        (vec![3, 4, 5], &json!(3)),
        "clamped"
    );
    assert_error(s.call("GET", "?limit=-1", None).await, 400, "limit");

    let updated = s
        .call("PUT", "/1", Some(json!({"title": "b", "done": true})))
        .await;
    assert_eq!(
        updated,
        (StatusCode::OK, json!({"id": 1, "title": "b", "done": true}))
    );
    let mismatch = s
        .call("PUT", "/1", Some(json!({"id": 2, "title": "x"})))
        .await;
    assert_error(mismatch, 400, "does not match");
    assert_error(
        s.call("PUT", "/1", Some(json!({"title": 5}))).await,
        400,
        "/title",
    );
    assert_error(
        s.call("PUT", "/77", Some(json!({"title": "x"}))).await,
        404,
        "77",
    );
    assert_eq!(s.call("GET", "/1", None).await.1["title"], "b");

    assert_eq!(
        s.call("DELETE", "/1", None).await,
        (StatusCode::NO_CONTENT, Value::Null)
    );
    assert_error(s.call("DELETE", "/1", None).await, 404, "no record");
    assert_error(s.call("GET", "/1", None).await, 404, "no record");
}

async fn malformed_requests(s: &System) {
    let post = || s.client.post(&s.base);
    let bad_json = post()
        .header("content-type", "application/json")
        .body("{\"id\": ");
    assert_error(s.send(bad_json).await, 400, "invalid JSON");
    let text = post().header("content-type", "text/plain").body("{}");
    assert_error(s.send(text).await, 415, "application/json");
    assert_error(s.send(post().body("{}")).await, 415, "none");
    let big = json!({"id": 9, "title": "x".repeat(2000)}).to_string();
    let too_large = post().header("content-type", "application/json").body(big);
    assert_error(s.send(too_large).await, 413, "1024 bytes");
    assert_error(s.call("GET", "/9", None).await, 404, "no record");
    assert_error(s.call("GET", "/1/extra", None).await, 404, "no route");
    assert_error(s.call("PATCH", "/1", None).await, 405, "not allowed");
}

async fn exercise(engine: Engine, url: &str) {
    let table = table_name();
    let system = start(engine, url, &table).await;
    crud_round_trip(&system).await;
    malformed_requests(&system).await;
    system.stop().await;
    drop_table(engine, url, &table).await;
}

#[tokio::test]
async fn rest_over_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("tasks.db").display());
    exercise(Engine::Sqlite, &url).await;
}

#[tokio::test]
async fn rest_over_postgres() {
    if let Some(url) = server_url("DATABASE_URL_POSTGRES") {
        exercise(Engine::Postgres, &url).await;
    }
}

#[tokio::test]
async fn rest_over_mariadb() {
    if let Some(url) = server_url("DATABASE_URL_MYSQL") {
        exercise(Engine::Mysql, &url).await;
    }
}
