//! End to end: `blueprint generate` writes a project from
//! `generator/tests/fixtures/tasks.blueprint.yaml` (an APIEndpoint, a
//! Controller, and two Stores the controller fans out to), `cargo build`
//! builds it, and the running binary is exercised over HTTP against real
//! SQLite, PostgreSQL and MariaDB: the REST round trip, an invalid record
//! that leaves no row, fan-out to both stores, `/ready` following the
//! database through an outage, plausible `/metrics`, and a clean drain on
//! SIGTERM. The SQLite test also regenerates after a blueprint change and
//! checks the user's code survives byte for byte and still runs.

mod generated_support;

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use generated_support::proxy::Proxy;
use generated_support::{
    build, eventually, generate, require, sample, scalar, tasks_blueprint, text, ScratchDatabase,
    System,
};
use serde_json::{json, Value};

/// Rows in `table`, read with a connection of our own.
async fn count(url: &str, table: &str) -> i64 {
    scalar(url, &format!("SELECT COUNT(*) FROM {table}")).await
}

fn task(n: u32) -> Value {
    json!({
        "id": format!("00000000-0000-4000-8000-{n:012}"),
        "title": format!("task {n}"),
        "priority": 3,
    })
}

/// `GET url`, its body as JSON.
async fn get_json(http: &reqwest::Client, url: String) -> Value {
    http.get(url)
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("JSON")
}

/// The REST round trip, validation, fan-out and metrics, against a running
/// system whose database is at `db_url` (for counting rows ourselves).
async fn exercise_rest(system: &System, db_url: &str) {
    let base = system.url("task_api");
    let http = reqwest::Client::new();
    let status = |r: &reqwest::Response| r.status().as_u16();

    let health = http
        .get(format!("{base}/health"))
        .send()
        .await
        .expect("health");
    assert_eq!(status(&health), 200);
    let ready = http
        .get(format!("{base}/ready"))
        .send()
        .await
        .expect("ready");
    assert_eq!(
        status(&ready),
        200,
        "{}",
        ready.text().await.unwrap_or_default()
    );

    // Create four, read one back.
    for n in 1..=4 {
        let r = http
            .post(format!("{base}/tasks"))
            .json(&task(n))
            .send()
            .await
            .expect("POST");
        assert_eq!(status(&r), 201, "{}", r.text().await.unwrap_or_default());
    }
    let id = task(1)["id"].as_str().expect("id").to_owned();
    let r = http
        .get(format!("{base}/tasks/{id}"))
        .send()
        .await
        .expect("GET");
    assert_eq!(status(&r), 200);
    let stored: Value = r.json().await.expect("JSON");
    assert_eq!(stored["title"], "task 1");
    assert_eq!(stored["priority"], 3);

    // Paging, ordered by key.
    let page: Value = http
        .get(format!("{base}/tasks?offset=1&limit=2"))
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("JSON");
    let items = page["items"].as_array().expect("items");
    assert_eq!(items.len(), 2, "{page}");
    assert_eq!(items[0]["title"], "task 2");
    assert_eq!(items[1]["title"], "task 3");

    // Replace.
    let mut changed = task(1);
    changed["title"] = json!("renamed");
    let r = http
        .put(format!("{base}/tasks/{id}"))
        .json(&changed)
        .send()
        .await
        .expect("PUT");
    assert_eq!(status(&r), 200, "{}", r.text().await.unwrap_or_default());
    let r: Value = get_json(&http, format!("{base}/tasks/{id}")).await;
    assert_eq!(r["title"], "renamed");

    // Invalid records leave no row, in either store.
    // The archive is the branch that did not answer: it writes in parallel.
    let archived = eventually(Duration::from_secs(10), || async {
        count(db_url, "task_archive").await == 4
    })
    .await;
    assert!(archived, "fan-out reached the archive");
    let before = (
        count(db_url, "tasks").await,
        count(db_url, "task_archive").await,
    );
    assert_eq!(before, (4, 4), "fan-out reached both stores");
    let missing_title = json!({ "id": "00000000-0000-4000-8000-000000000099" });
    let r = http
        .post(format!("{base}/tasks"))
        .json(&missing_title)
        .send()
        .await
        .expect("POST");
    assert_eq!(status(&r), 400);
    let body: Value = r.json().await.expect("JSON error");
    assert_eq!(body["status"], 400);
    assert!(
        body["error"].as_str().is_some_and(|e| e.contains("title")),
        "{body}"
    );
    let too_long =
        json!({ "id": "00000000-0000-4000-8000-000000000098", "title": "x".repeat(300) });
    let r = http
        .post(format!("{base}/tasks"))
        .json(&too_long)
        .send()
        .await
        .expect("POST");
    assert_eq!(status(&r), 400);
    let r = http
        .post(format!("{base}/tasks"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("POST");
    assert_eq!(status(&r), 400);
    assert_eq!(
        (
            count(db_url, "tasks").await,
            count(db_url, "task_archive").await
        ),
        before,
        "nothing written for invalid records"
    );

    // Duplicate key, missing key.
    let r = http
        .post(format!("{base}/tasks"))
        .json(&task(2))
        .send()
        .await
        .expect("POST");
    assert_eq!(status(&r), 409);
    let r = http
        .get(format!("{base}/tasks/00000000-0000-4000-8000-000000000077"))
        .send()
        .await
        .expect("GET");
    assert_eq!(status(&r), 404);

    // Delete.
    let r = http
        .delete(format!("{base}/tasks/{id}"))
        .send()
        .await
        .expect("DELETE");
    assert_eq!(status(&r), 204);
    let r = http
        .get(format!("{base}/tasks/{id}"))
        .send()
        .await
        .expect("GET");
    assert_eq!(status(&r), 404);
    assert_eq!(count(db_url, "tasks").await, 3);

    // Metrics: the operations just made, the pool as configured.
    let metrics = http
        .get(format!("{}/metrics", system.url("metrics")))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    let creates = sample(
        &metrics,
        "db_client_operation_duration_seconds_count",
        &["component=\"task_store\"", "operation=\"create\""],
    )
    .unwrap_or_else(|| panic!("no create histogram in\n{metrics}"));
    assert!(creates >= 4.0, "creates {creates}");
    let sum = sample(
        &metrics,
        "db_client_operation_duration_seconds_sum",
        &["component=\"task_store\"", "operation=\"create\""],
    )
    .expect("sum");
    assert!(
        sum > 0.0 && sum / creates < 1.0,
        "mean create {} s",
        sum / creates
    );
    assert_eq!(
        sample(
            &metrics,
            "db_client_connection_max",
            &["component=\"task_store\""]
        ),
        Some(5.0),
        "pool max from the blueprint"
    );
    let requests = sample(
        &metrics,
        "http_server_request_duration_seconds_count",
        &[
            "component=\"task_api\"",
            "http_request_method=\"POST\"",
            "http_route=\"/tasks\"",
            "http_response_status_code=\"201\"",
        ],
    );
    assert!(requests.is_some_and(|n| n >= 4.0), "{metrics}");
    let messages = sample(
        &metrics,
        "blueprint_component_messages_total",
        &["component=\"task_archive\""],
    );
    assert!(messages.is_some_and(|n| n >= 4.0), "{metrics}");
}

/// `/ready` is 503 while the database is unreachable and 200 again after,
/// and writes work again.
async fn exercise_outage(system: &System, proxy: &mut Proxy) {
    let base = system.url("task_api");
    let http = reqwest::Client::new();
    let ready = |http: reqwest::Client, base: String| async move {
        http.get(format!("{base}/ready"))
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0)
    };
    proxy.cut();
    assert!(
        eventually(Duration::from_secs(20), || {
            let (h, b) = (http.clone(), base.clone());
            async move { ready(h, b).await == 503 }
        })
        .await,
        "/ready turned 503 when the database became unreachable"
    );
    let r = http
        .get(format!("{base}/ready"))
        .send()
        .await
        .expect("ready");
    let body = r.text().await.unwrap_or_default();
    assert!(body.contains("task_store"), "{body}");
    proxy.restore().await;
    assert!(
        eventually(Duration::from_secs(30), || {
            let (h, b) = (http.clone(), base.clone());
            async move { ready(h, b).await == 200 }
        })
        .await,
        "/ready turned 200 when the database came back"
    );
    let r = http
        .post(format!("{base}/tasks"))
        .json(&task(50))
        .send()
        .await
        .expect("POST");
    assert_eq!(
        r.status().as_u16(),
        201,
        "{}",
        r.text().await.unwrap_or_default()
    );
}

async fn run_against_server(engine: &str, db_url: &str, server: SocketAddr) {
    let dir = tempfile::tempdir().expect("tempdir");
    let name = format!("tasks_{engine}");
    let file = dir.path().join("tasks.blueprint.yaml");
    std::fs::write(&file, tasks_blueprint(engine, &name)).expect("write blueprint");
    let project = dir.path().join(&name);
    let out = generate(&file, &project, &[]);
    assert!(out.status.success(), "{}", text(&out));
    let binary = build(&project, &name);

    let mut proxy = Proxy::start(server).await;
    let through_proxy = db_url.replacen(&server.to_string(), &proxy.addr.to_string(), 1);
    assert_ne!(through_proxy, db_url, "the URL names {server}");
    let system = System::start(
        &binary,
        &project,
        &[
            ("DATABASE_URL", through_proxy),
            ("TASK_API_ADDR", "127.0.0.1:0".into()),
            ("METRICS_ADDR", "127.0.0.1:0".into()),
        ],
    )
    .await;
    exercise_rest(&system, db_url).await;
    exercise_outage(&system, &mut proxy).await;
    assert_eq!(
        system.terminate().await,
        Some(0),
        "drains and exits 0 on SIGTERM"
    );
}

fn server_addr(url: &str) -> SocketAddr {
    let rest = url.split_once("://").expect("scheme").1;
    let authority = rest.split(['/', '?']).next().expect("authority");
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    host.replace("localhost", "127.0.0.1")
        .parse()
        .expect("host:port")
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_system_serves_rest_fans_out_and_follows_its_database() {
    let Some(admin) = require("DATABASE_URL_POSTGRES") else {
        return;
    };
    let scratch = ScratchDatabase::create(&admin, "bp_gen").await;
    let url = scratch.url.clone();
    run_against_server("postgres", &url, server_addr(&admin)).await;
    scratch.drop_now().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn mariadb_system_serves_rest_fans_out_and_follows_its_database() {
    let Some(admin) = require("DATABASE_URL_MYSQL") else {
        return;
    };
    let scratch = ScratchDatabase::create(&admin, "bp_gen").await;
    let url = scratch.url.clone();
    run_against_server("mysql", &url, server_addr(&admin)).await;
    scratch.drop_now().await;
}

const USER_CODE: &str = r#"//! Titles are stored in capitals.

use blueprint_runtime::{ComponentError, Value};

use crate::generated::task_controller::TaskControllerHooks;

#[derive(Default)]
pub struct TaskController;

impl TaskControllerHooks for TaskController {
    async fn on_input(&self, mut record: Value) -> Result<Value, ComponentError> {
        if let Some(title) = record.get("title").and_then(Value::as_str) {
            record["title"] = Value::String(title.to_uppercase());
        }
        Ok(record)
    }
}
"#;

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_system_runs_and_regeneration_keeps_user_code() {
    let dir = tempfile::tempdir().expect("tempdir");
    let name = "tasks_sqlite";
    let file = dir.path().join("tasks.blueprint.yaml");
    let blueprint = tasks_blueprint("sqlite", name);
    std::fs::write(&file, &blueprint).expect("write blueprint");
    let project = dir.path().join(name);
    let out = generate(&file, &project, &[]);
    assert!(out.status.success(), "{}", text(&out));

    // The user's code goes in before the first build.
    let user_file = project.join("src/components/task_controller.rs");
    std::fs::write(&user_file, USER_CODE).expect("write user code");
    let binary = build(&project, name);
    let db_file = dir.path().join("tasks.db");
    let db_url = format!("sqlite://{}", db_file.display());
    let env = [
        ("DATABASE_URL", db_url.clone()),
        ("TASK_API_ADDR", "127.0.0.1:0".to_owned()),
        ("METRICS_ADDR", "127.0.0.1:0".to_owned()),
    ];
    let system = System::start(&binary, &project, &env).await;
    // With the user's hook, titles are capitalised: adapt expectations by
    // checking one record directly, then run the shared scenario on titles
    // it does not compare case-sensitively.
    let http = reqwest::Client::new();
    let base = system.url("task_api");
    let r = http
        .post(format!("{base}/tasks"))
        .json(&json!({"id": "10000000-0000-4000-8000-000000000001", "title": "shout"}))
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status().as_u16(), 201);
    let stored: Value = r.json().await.expect("JSON");
    assert_eq!(stored["title"], "SHOUT", "the user's hook ran");
    assert_eq!(system.terminate().await, Some(0));

    // Change the blueprint: a new field. Regenerate: the user file is
    // untouched, the project still builds, and the new column works.
    let changed = blueprint.replace(
        "      priority: { type: integer, minimum: 1, maximum: 5 }\n",
        "      priority: { type: integer, minimum: 1, maximum: 5 }\n      notes: { type: string }\n",
    );
    assert_ne!(changed, blueprint);
    std::fs::write(&file, &changed).expect("write blueprint");
    let check = generate(&file, &project, &["--check"]);
    assert_eq!(
        check.status.code(),
        Some(1),
        "--check reports the stale files: {}",
        text(&check)
    );
    let out = generate(&file, &project, &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        std::fs::read_to_string(&user_file).expect("user file"),
        USER_CODE,
        "byte for byte"
    );
    let check = generate(&file, &project, &["--check"]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check));
    let binary = build(&project, name);
    // The same database: `migrations: auto` adds the new column, and the
    // rows written before the change are still there.
    let system = System::start(&binary, &project, &env).await;
    let base = system.url("task_api");
    let earlier: Value = get_json(
        &http,
        format!("{base}/tasks/10000000-0000-4000-8000-000000000001"),
    )
    .await;
    assert_eq!(earlier["title"], "SHOUT", "{earlier}");
    assert!(earlier.get("notes").is_none_or(Value::is_null), "{earlier}");
    let r = http
        .post(format!("{base}/tasks"))
        .json(&json!({"id": "10000000-0000-4000-8000-000000000002", "title": "note", "notes": "kept"}))
        .send()
        .await
        .expect("POST");
    assert_eq!(
        r.status().as_u16(),
        201,
        "{}",
        r.text().await.unwrap_or_default()
    );
    let stored: Value = get_json(
        &http,
        format!("{base}/tasks/10000000-0000-4000-8000-000000000002"),
    )
    .await;
    assert_eq!(stored["notes"], "kept");
    assert_eq!(stored["title"], "NOTE");
    assert_eq!(system.terminate().await, Some(0));

    // A generated file edited by hand is reported, not overwritten.
    let generated = project.join("src/generated/task_store.rs");
    let edited = format!(
        "{}\n// a hand edit\n",
        std::fs::read_to_string(&generated).expect("read")
    );
    std::fs::write(&generated, &edited).expect("edit");
    let again = changed.replace("maxLength: 200", "maxLength: 250");
    std::fs::write(&file, &again).expect("write blueprint");
    let out = generate(&file, &project, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("src/generated/task_store.rs"),
        "{}",
        text(&out)
    );
    assert_eq!(
        std::fs::read_to_string(&generated).expect("read"),
        edited,
        "the hand edit is kept"
    );
    assert_eq!(
        std::fs::read_to_string(&user_file).expect("user file"),
        USER_CODE
    );

    // The full scenario on a fresh database, now without the hand edit.
    let out = generate(&file, &project, &["--force"]);
    assert!(out.status.success(), "{}", text(&out));
    std::fs::write(
        &user_file,
        USER_CODE.replace("title.to_uppercase()", "title.to_owned()"),
    )
    .expect("user code");
    let binary = build(&project, name);
    std::fs::remove_file(&db_file).expect("remove the old database");
    let system = System::start(&binary, &project, &env).await;
    exercise_rest(&system, &db_url).await;
    assert_eq!(system.terminate().await, Some(0));
    let _ = Path::new(&db_url);
}
