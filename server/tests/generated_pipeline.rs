//! End to end: the streaming side of a generated system. `blueprint
//! generate` writes a project from `generator/tests/fixtures/pipeline.blueprint.yaml`
//! (Source → Transformer → Router → {Accumulator → Store, StreamProcessor →
//! Model → Sink}); the test puts its own `produce` hook in the Source's
//! user module, builds the project, and runs it against a real database and
//! a local HTTP server that records what the Sink POSTs: half the payments
//! are batched into the ledger table, the other half scored and alerted on.
//!
//! Also: a generated project's own test suite (`tests/system.rs`) passes
//! under `cargo test`.

// The harness is shared with `generated_systems.rs`; not every helper is used here.
#[allow(dead_code)]
mod generated_support;

use std::collections::HashSet;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use generated_support::{
    build, eventually, fixture, generate, require, sample, scalar, shared_target, tasks_blueprint,
    text, ScratchDatabase, System,
};
use serde_json::Value;
use sqlx::Connection;

/// The pipeline fixture for `engine`, named `system`, its ledger at
/// `${LEDGER_URL}` and its Sink posting to `${ALERTS_URL}`.
fn pipeline_blueprint(engine: &str, system: &str) -> String {
    let original = fixture("pipeline.blueprint.yaml");
    let sink = "      configuration: { batch_size: 10, flush_interval_ms: 1000 }\n";
    assert!(original.contains(sink), "the fixture's Sink configuration");
    let text = original
        .replace("name: payment_pipeline", &format!("name: {system}"))
        .replace("engine: postgres", &format!("engine: {engine}"))
        .replace(
            "url: ${LEDGER_URL:-postgres://postgres@127.0.0.1:5432/ledger}",
            "url: ${LEDGER_URL}",
        )
        .replace(
            sink,
            "      configuration:\n        batch_size: 10\n        flush_interval_ms: 1000\n        url: ${ALERTS_URL}\n",
        );
    assert!(text.contains(&format!("name: {system}")));
    assert!(text.contains(&format!("engine: {engine}")));
    assert!(text.contains("url: ${LEDGER_URL}\n"));
    assert!(text.contains("url: ${ALERTS_URL}\n"));
    text
}

/// The Source's user module: deterministic payments, even sequences small
/// (500), odd ones large (2000).
const PAYMENTS_CODE: &str = r#"//! Deterministic payments: even sequences 500 EUR, odd ones 2000 EUR.

use blueprint_runtime::{ComponentError, Value};

use crate::generated::payments::PaymentsHooks;

#[derive(Default)]
pub struct Payments;

impl PaymentsHooks for Payments {
    async fn produce(&mut self, sequence: u64) -> Result<Option<Value>, ComponentError> {
        Ok(Some(serde_json::json!({
            "id": format!("00000000-0000-4000-8000-{sequence:012}"),
            "account": format!("acct-{}", sequence % 3),
            "amount": if sequence % 2 == 0 { 500 } else { 2000 },
            "currency": "EUR",
        })))
    }
}
"#;

/// A local HTTP server that records the body of every POST.
struct Recorder {
    url: String,
    bodies: Arc<Mutex<Vec<String>>>,
    server: tokio::task::JoinHandle<()>,
}

impl Recorder {
    async fn start() -> Recorder {
        use axum::extract::State;
        use axum::http::StatusCode;

        async fn record(State(bodies): State<Arc<Mutex<Vec<String>>>>, body: String) -> StatusCode {
            bodies.lock().expect("bodies").push(body);
            StatusCode::OK
        }

        let bodies = Arc::new(Mutex::new(Vec::new()));
        let app = axum::Router::new()
            .route("/alerts", axum::routing::post(record))
            .with_state(bodies.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the alert recorder");
        let addr = listener.local_addr().expect("recorder address");
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("serve alerts");
        });
        Recorder {
            url: format!("http://{addr}/alerts"),
            bodies,
            server,
        }
    }

    fn bodies(&self) -> Vec<String> {
        self.bodies.lock().expect("bodies").clone()
    }

    /// Every record received: each POST body is a JSON array of records.
    fn records(&self) -> Vec<Value> {
        self.bodies()
            .iter()
            .flat_map(|body| {
                let batch: Value = serde_json::from_str(body)
                    .unwrap_or_else(|e| panic!("a POST body that is not JSON ({e}): {body}"));
                match batch {
                    Value::Array(records) => records,
                    other => panic!("a POST body that is not an array: {other}"),
                }
            })
            .collect()
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Generate, put the user's Source in, build, run against `db_url`, and
/// check where every payment went.
async fn run_pipeline(engine: &str, system_name: &str, db_url: &str) {
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("pipeline.blueprint.yaml");
    std::fs::write(&file, pipeline_blueprint(engine, system_name)).expect("write blueprint");
    let project = dir.path().join(system_name);
    let out = generate(&file, &project, &[]);
    assert!(out.status.success(), "{}", text(&out));

    let generated = std::fs::read_to_string(project.join("src/generated/payments.rs"))
        .expect("the Source's generated module");
    assert!(
        generated.contains("pub trait PaymentsHooks")
            && generated.contains("fn produce(")
            && generated.contains("sequence: u64"),
        "the hook the user code overrides:\n{generated}"
    );
    std::fs::write(project.join("src/components/payments.rs"), PAYMENTS_CODE)
        .expect("write user code");
    let binary = build(&project, system_name);
    eprintln!("{engine}: generated and built in {:?}", started.elapsed());

    let alerts = Recorder::start().await;
    let system = System::start(
        &binary,
        &project,
        &[
            ("LEDGER_URL", db_url.to_owned()),
            ("ALERTS_URL", alerts.url.clone()),
            ("METRICS_ADDR", "127.0.0.1:0".into()),
        ],
    )
    .await;
    let running = Instant::now();

    // The small half, batched into the ledger.
    let stored = eventually(Duration::from_secs(30), || async {
        scalar(db_url, "SELECT COUNT(*) FROM payments").await == 50
    })
    .await;
    assert!(
        stored,
        "50 payments in the ledger, found {}",
        scalar(db_url, "SELECT COUNT(*) FROM payments").await
    );
    assert_eq!(
        scalar(db_url, "SELECT COUNT(*) FROM payments WHERE amount = 500").await,
        50,
        "only small payments are stored"
    );
    assert_eq!(
        scalar(db_url, "SELECT COUNT(DISTINCT account) FROM payments").await,
        3,
        "accounts acct-0..acct-2"
    );

    // The large half, scored and alerted on in batches.
    let alerted = eventually(Duration::from_secs(30), || async {
        alerts.records().len() >= 50
    })
    .await;
    let records = alerts.records();
    assert!(
        alerted,
        "50 records alerted, got {}: {:?}",
        records.len(),
        alerts.bodies()
    );
    eprintln!(
        "{engine}: stored and alerted {:?} after ready",
        running.elapsed()
    );
    // Nothing more arrives: the Source stopped at max_records.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let records = alerts.records();
    assert_eq!(records.len(), 50, "{:?}", alerts.bodies());
    assert!(
        alerts.bodies().len() >= 5,
        "batches of at most batch_size 10: {} POSTs",
        alerts.bodies().len()
    );
    let mut ids = HashSet::new();
    for record in &records {
        assert_eq!(
            record["amount"], 2000,
            "only large payments alert: {record}"
        );
        assert!(
            record.get("score").is_some_and(Value::is_number),
            "the Model's projection onto ScoredPayment fills `score`: {record}"
        );
        assert!(
            record.get("currency").is_none(),
            "ScoredPayment has no currency: {record}"
        );
        ids.insert(record["id"].as_str().expect("id").to_owned());
    }
    assert_eq!(ids.len(), 50, "each large payment alerted once");
    for batch in alerts.bodies() {
        let batch: Value = serde_json::from_str(&batch).expect("JSON");
        let n = batch.as_array().map_or(0, Vec::len);
        assert!((1..=10).contains(&n), "batch of {n}");
    }

    // Metrics: the ledger was written in batches; the router saw all 100.
    let metrics = reqwest::get(format!("{}/metrics", system.url("metrics")))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    let batches = sample(
        &metrics,
        "db_client_operation_duration_seconds_count",
        &["component=\"ledger_store\"", "operation=\"create_many\""],
    )
    .unwrap_or_else(|| panic!("no create_many histogram in\n{metrics}"));
    assert!(batches >= 1.0, "create_many count {batches}");
    assert_eq!(
        sample(
            &metrics,
            "blueprint_component_messages_total",
            &["component=\"by_amount\""]
        ),
        Some(100.0),
        "{metrics}"
    );
    assert_eq!(
        sample(
            &metrics,
            "blueprint_component_errors_total",
            &["component=\"alerts\""]
        )
        .unwrap_or(0.0),
        0.0,
        "{metrics}"
    );

    assert_eq!(
        system.terminate().await,
        Some(0),
        "drains and exits 0 on SIGTERM"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn pipeline_system_routes_batches_scores_and_sinks() {
    let Some(admin) = require("DATABASE_URL_POSTGRES") else {
        return;
    };
    let scratch = ScratchDatabase::create(&admin, "bp_pipe").await;
    let url = scratch.url.clone();
    run_pipeline("postgres", "pipeline_pg", &url).await;
    scratch.drop_now().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn mariadb_pipeline_routes_batches_scores_and_sinks() {
    let Some(admin) = require("DATABASE_URL_MYSQL") else {
        return;
    };
    let scratch = ScratchDatabase::create(&admin, "bp_pipe").await;
    let url = scratch.url.clone();
    run_pipeline("mysql", "pipeline_mysql", &url).await;
    scratch.drop_now().await;
}

/// `from` replaced by `to` in `text`, which must contain it.
fn rewrite(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "the fixture has `{from}`");
    text.replace(from, to)
}

/// The pipeline with an unbounded Source, windows that close only by count
/// (or at shutdown) and sink batches that never fill, so they go out only
/// on the flush interval (or at shutdown): whatever is in flight when
/// SIGTERM arrives must still reach the ledger or the alert endpoint.
fn drain_blueprint(system: &str) -> String {
    let text = pipeline_blueprint("postgres", system);
    let text = rewrite(
        &text,
        "configuration: { interval_ms: 100, batch_size: 5, max_records: 100 }",
        "configuration: { interval_ms: 50, batch_size: 5 }",
    );
    let text = rewrite(
        &text,
        "configuration: { window_size: 20, window_ms: 500 }",
        "configuration: { window_size: 20, window_ms: 600000 }",
    );
    rewrite(
        &text,
        "        batch_size: 10\n        flush_interval_ms: 1000\n",
        "        batch_size: 1000\n        flush_interval_ms: 300\n",
    )
}

/// The sequence number our `produce` hook put in an id.
fn sequence_of(id: &str) -> u64 {
    id.rsplit('-')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("an id made by the test's Source: {id}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn pipeline_drains_open_windows_and_sink_batches_on_sigterm() {
    let Some(admin) = require("DATABASE_URL_POSTGRES") else {
        return;
    };
    let scratch = ScratchDatabase::create(&admin, "bp_drain").await;
    let db_url = scratch.url.clone();

    let name = "pipeline_drain_pg";
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("pipeline.blueprint.yaml");
    std::fs::write(&file, drain_blueprint(name)).expect("write blueprint");
    let project = dir.path().join(name);
    let out = generate(&file, &project, &[]);
    assert!(out.status.success(), "{}", text(&out));
    std::fs::write(project.join("src/components/payments.rs"), PAYMENTS_CODE)
        .expect("write user code");
    let binary = build(&project, name);

    let alerts = Recorder::start().await;
    let system = System::start(
        &binary,
        &project,
        &[
            ("LEDGER_URL", db_url.clone()),
            ("ALERTS_URL", alerts.url.clone()),
            ("METRICS_ADDR", "127.0.0.1:0".into()),
        ],
    )
    .await;
    // Two full windows written, and alerts posted by the flush interval
    // (a batch of 1000 never fills): the system is mid-stream, with an
    // open window and a partial batch.
    let flowing = eventually(Duration::from_secs(30), || async {
        scalar(&db_url, "SELECT COUNT(*) FROM payments").await >= 40 && alerts.bodies().len() >= 2
    })
    .await;
    assert!(flowing, "records flowed: {:?}", alerts.bodies());
    let running_posts = alerts.bodies().len();
    assert_eq!(
        scalar(&db_url, "SELECT COUNT(*) FROM payments").await % 20,
        0,
        "windows close by count while running"
    );
    assert_eq!(
        system.terminate().await,
        Some(0),
        "drains and exits 0 on SIGTERM"
    );

    // Everything produced before the Source stopped arrived: the evens
    // in the ledger, the odds at the alert endpoint, no gap, no duplicate.
    let mut c = sqlx::PgConnection::connect(&db_url).await.expect("connect");
    let stored: Vec<String> = sqlx::query_scalar("SELECT CAST(id AS TEXT) FROM payments")
        .fetch_all(&mut c)
        .await
        .expect("ids");
    drop(c);
    let alerted: Vec<u64> = alerts
        .records()
        .iter()
        .map(|r| sequence_of(r["id"].as_str().expect("id")))
        .collect();
    let stored: Vec<u64> = stored.iter().map(|id| sequence_of(id)).collect();
    let produced = (stored.len() + alerted.len()) as u64;
    let mut small: Vec<u64> = stored.clone();
    small.sort_unstable();
    let mut large = alerted.clone();
    large.sort_unstable();
    let evens: Vec<u64> = (0..produced).filter(|n| n % 2 == 0).collect();
    let odds: Vec<u64> = (0..produced).filter(|n| n % 2 == 1).collect();
    assert_eq!(
        small, evens,
        "the ledger holds every small payment produced ({produced} in all)"
    );
    assert_eq!(
        large, odds,
        "every large payment produced ({produced} in all) was alerted"
    );
    assert_eq!(produced % 5, 0, "the Source produces 5 at a time");
    eprintln!(
        "drain: {produced} produced, {} stored (windows of 20), {} alerted in {} POSTs \
         ({running_posts} before SIGTERM)",
        stored.len(),
        alerted.len(),
        alerts.bodies().len(),
    );
    scratch.drop_now().await;
}

#[test]
fn generated_project_tests_pass() {
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("tempdir");
    let name = "tasks_own_tests";
    let file = dir.path().join("tasks.blueprint.yaml");
    std::fs::write(&file, tasks_blueprint("sqlite", name)).expect("write blueprint");
    let project = dir.path().join(name);
    let out = generate(&file, &project, &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(project.join("tests/system.rs").is_file());

    let db_url = format!("sqlite://{}", dir.path().join("tasks.db").display());
    // `--all-targets` leaves out doctests (the generated crate has none):
    // rustdoc runs after cargo releases the shared target directory's lock,
    // and a concurrent build of another generated project rewrites the
    // same-named `libblueprint_runtime-*.rlib` under it.
    let out = Command::new(env!("CARGO"))
        .args(["test", "--all-targets", "--", "--show-output"])
        .current_dir(&project)
        .env("CARGO_TARGET_DIR", shared_target())
        .env("DATABASE_URL", &db_url)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .output()
        .expect("run cargo test");
    let report = text(&out);
    assert!(
        out.status.success(),
        "the generated project's tests pass:\n{report}"
    );
    assert!(
        report.contains("test starts_serves_and_drains ... ok"),
        "starts_serves_and_drains ran:\n{report}"
    );
    assert!(
        !report.contains("skipped:"),
        "starts_serves_and_drains did not skip:\n{report}"
    );
    eprintln!("generated, built and tested in {:?}", started.elapsed());
}

/// A variable the Sink's `url` reads is one the system reads: the files
/// that list those (`.env.example`, the compose file, the README) name it.
#[test]
fn generated_files_name_the_sink_url_variable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let name = "pipeline_files";
    let file = dir.path().join("pipeline.blueprint.yaml");
    std::fs::write(&file, pipeline_blueprint("postgres", name)).expect("write blueprint");
    let project = dir.path().join(name);
    let out = generate(&file, &project, &[]);
    assert!(out.status.success(), "{}", text(&out));
    for listed in [".env.example", "docker-compose.yml", "README.md"] {
        let content = std::fs::read_to_string(project.join(listed)).expect("generated file");
        assert!(
            content.contains("ALERTS_URL"),
            "{listed} names ALERTS_URL, which `alerts` (Sink) needs to start:\n{content}"
        );
    }
}

/// The generated `tests/system.rs` skips, naming the variable, when one
/// the system needs is unset, as it does for a database URL; a Sink's
/// `url` variable is one.
#[tokio::test(flavor = "multi_thread")]
async fn generated_pipeline_tests_skip_without_the_sink_url() {
    let Some(admin) = require("DATABASE_URL_POSTGRES") else {
        return;
    };
    let scratch = ScratchDatabase::create(&admin, "bp_own").await;
    let db_url = scratch.url.clone();
    let dir = tempfile::tempdir().expect("tempdir");
    let name = "pipeline_own_tests";
    let file = dir.path().join("pipeline.blueprint.yaml");
    std::fs::write(&file, pipeline_blueprint("postgres", name)).expect("write blueprint");
    let project = dir.path().join(name);
    let out = generate(&file, &project, &[]);
    assert!(out.status.success(), "{}", text(&out));
    let out = tokio::process::Command::new(env!("CARGO"))
        .args(["test", "--all-targets", "--", "--show-output"])
        .current_dir(&project)
        .env("CARGO_TARGET_DIR", shared_target())
        .env("LEDGER_URL", &db_url)
        .env_remove("ALERTS_URL")
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .output()
        .await
        .expect("run cargo test");
    let report = text(&out);
    scratch.drop_now().await;
    assert!(
        out.status.success() && report.contains("skipped:") && report.contains("ALERTS_URL"),
        "without ALERTS_URL the generated test skips, naming it:\n{report}"
    );
}

/// `cargo fmt` in a generated project (or an editor formatting on save)
/// must not turn generated files into "hand edits" that the next
/// `blueprint generate` refuses to overwrite.
#[test]
fn cargo_fmt_leaves_generated_files_regenerable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let name = "pipeline_fmt";
    let file = dir.path().join("pipeline.blueprint.yaml");
    std::fs::write(&file, pipeline_blueprint("postgres", name)).expect("write blueprint");
    let project = dir.path().join(name);
    let out = generate(&file, &project, &[]);
    assert!(out.status.success(), "{}", text(&out));
    let fmt = Command::new(env!("CARGO"))
        .arg("fmt")
        .current_dir(&project)
        .output()
        .expect("run cargo fmt");
    assert!(fmt.status.success(), "{}", text(&fmt));
    let regenerate = generate(&file, &project, &[]);
    assert_eq!(
        regenerate.status.code(),
        Some(0),
        "regenerating after `cargo fmt` (nothing in the blueprint changed):\n{}",
        text(&regenerate)
    );
}
