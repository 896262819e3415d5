//! More of the language server over the protocol: references, highlights
//! and folding; the pre-flight in the background (progress, hover,
//! tiers); the editor never waiting on a database; and the client log of
//! the real binary over stdio. Exact results throughout.
//!
//! The harness is in `lsp_support/`.

mod lsp_support;
use lsp_support::*;
use serde_json::json;

/// Waits until the latest diagnostics published for `uri` satisfy `pred`.
async fn wait_published(
    client: &Client,
    uri: &str,
    within: Duration,
    pred: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let latest = client
            .published()
            .into_iter()
            .rfind(|p| p["uri"] == uri)
            .map(|p| p["diagnostics"].as_array().cloned().unwrap_or_default());
        if let Some(latest) = latest.as_deref().filter(|d| pred(d)) {
            return latest.to_vec();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out; latest for {uri}: {latest:#?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// `(code, source)` of each diagnostic, sorted.
fn tiers(diagnostics: &[Value]) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = diagnostics
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default().to_string(),
                d["source"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    found.sort();
    found
}

fn pair(code: &str, source: &str) -> (String, String) {
    (code.to_string(), source.to_string())
}

fn of_source(diagnostics: &[Value], source: &str) -> Vec<Value> {
    diagnostics
        .iter()
        .filter(|d| d["source"] == source)
        .cloned()
        .collect()
}

// ------------------------------------------- references, highlight, folding

/// `task_api` is declared on line 6 and used in the bindings on lines 15
/// and 17 (columns 12..20 everywhere).
const TWO_BINDINGS: &str = r#"schema_version: "1.0.0"
system:
  name: task_tracker
  description: Tasks over a REST API
  version: 1.0.0
  components:
    - name: task_api
      type: APIEndpoint
      configuration: { port: 8080 }
      outputs: [{ name: commands, schema: Task }, { name: events, schema: Task }]
    - name: task_sink
      type: Sink
      inputs: [{ name: input, schema: Task }, { name: audit, schema: Task }]
  bindings:
    - from: task_api.commands
      to: [task_sink.input]
    - from: task_api.events
      to: [task_sink.audit]
schemas:
  Task:
    type: object
    properties:
      id: { type: string, format: uuid }
      title: { type: string, maxLength: 200 }
    required: [id, title]
"#;

async fn open_two_bindings() -> (Client, String) {
    let client = Client::start();
    client.initialize(false).await;
    let uri = client.uri("refs.blueprint.yaml");
    client.open(&uri, TWO_BINDINGS, 1);
    assert_eq!(client.diagnostics(&uri, Some(1)).await, Vec::<Value>::new());
    (client, uri)
}

fn references_params(uri: &str, line: u32, character: u32, declaration: bool) -> Value {
    json!({
        "textDocument": {"uri": uri},
        "position": position(line, character),
        "context": {"includeDeclaration": declaration}
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn references_with_and_without_the_declaration() {
    let (client, uri) = open_two_bindings().await;
    let declaration = json!({"uri": uri, "range": range((6, 12), (6, 20))});
    let first = json!({"uri": uri, "range": range((14, 12), (14, 20))});
    let second = json!({"uri": uri, "range": range((16, 12), (16, 20))});
    // From the declaration.
    let with = client
        .request(
            "textDocument/references",
            references_params(&uri, 6, 14, true),
        )
        .await;
    assert_eq!(
        with,
        json!([declaration.clone(), first.clone(), second.clone()])
    );
    let without = client
        .request(
            "textDocument/references",
            references_params(&uri, 6, 14, false),
        )
        .await;
    assert_eq!(without, json!([first.clone(), second.clone()]));
    // From a use in a binding: the same answers.
    let with = client
        .request(
            "textDocument/references",
            references_params(&uri, 16, 13, true),
        )
        .await;
    assert_eq!(
        with,
        json!([declaration.clone(), first.clone(), second.clone()])
    );
    let without = client
        .request(
            "textDocument/references",
            references_params(&uri, 16, 13, false),
        )
        .await;
    assert_eq!(without, json!([first, second]));
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn document_highlight_marks_the_declaration_and_both_uses() {
    let (client, uri) = open_two_bindings().await;
    let highlights = client
        .request("textDocument/documentHighlight", at(&uri, 14, 15))
        .await;
    assert_eq!(
        highlights,
        json!([
            {"range": range((6, 12), (6, 20)), "kind": 3},
            {"range": range((14, 12), (14, 20)), "kind": 2},
            {"range": range((16, 12), (16, 20)), "kind": 2},
        ])
    );
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn folding_ranges_cover_the_components_and_each_multi_line_component() {
    let (client, uri) = open_two_bindings().await;
    let folds = client
        .request(
            "textDocument/foldingRange",
            json!({"textDocument": {"uri": uri}}),
        )
        .await;
    let lines: Vec<(u64, u64)> = folds
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["startLine"].as_u64().unwrap(),
                f["endLine"].as_u64().unwrap(),
            )
        })
        .collect();
    // `system:` (1..17), `components:` (5..12), task_api (6..9), task_sink
    // (10..12), `bindings:` (13..17) and each binding, `schemas:` (18..24),
    // `Task:` (19..24), `properties:` (21..23).
    assert_eq!(
        lines,
        [
            (1, 17),
            (5, 12),
            (6, 9),
            (10, 12),
            (13, 17),
            (14, 15),
            (16, 17),
            (18, 24),
            (19, 24),
            (21, 23)
        ]
    );
    assert!(
        folds
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["kind"].is_null()),
        "{folds:#}"
    );
    client.shutdown().await;
}

// --------------------------------------------- the pre-flight in the background

const TASKS_TABLE: &str =
    "CREATE TABLE tasks (id TEXT PRIMARY KEY NOT NULL, title TEXT NOT NULL, done INTEGER)";

/// Runs `statements` on the SQLite file `path` (created when missing)
/// through an ordinary read-write connection, closed before returning.
async fn sqlite_exec(path: &std::path::Path, statements: &[&'static str]) {
    use sqlx::sqlite::SqliteConnectOptions;
    use sqlx::{ConnectOptions, Connection};
    let mut connection = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .connect()
        .await
        .expect("open the SQLite file");
    for statement in statements {
        sqlx::query(*statement)
            .execute(&mut connection)
            .await
            .expect(statement);
    }
    connection.close().await.expect("close the SQLite file");
}

/// The `$/progress` notifications for `token`, in order.
fn progress_kinds(client: &Client, token: &Value) -> Vec<String> {
    client
        .notifications
        .lock()
        .unwrap()
        .iter()
        .filter(|n| n["method"] == "$/progress" && n["params"]["token"] == *token)
        .map(|n| {
            n["params"]["value"]["kind"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .collect()
}

async fn preflight_in_the_background(bypass_cache: bool) {
    let client = Client::start();
    client.initialize_with(false, true).await;
    let db = client.root.join("tasks.db");
    sqlite_exec(&db, &[TASKS_TABLE]).await;
    let url = format!("sqlite://{}", db.display());
    let text = sqlite_blueprint(&url);

    // The CLI agrees there is nothing to report (a copy of the blueprint
    // outside the workspace, so the server's scan does not see it).
    let cli_dir = tempfile::tempdir().unwrap();
    let cli_file = cli_dir.path().join("a.blueprint.yaml");
    std::fs::write(&cli_file, &text).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_blueprint"))
        .args(["preflight", "--no-cache", "--color", "never"])
        .arg(&cli_file)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert_eq!(stdout.trim(), "All checks passed: 1 file.");

    let uri = client.uri("a.blueprint.yaml");
    client.open(&uri, &text, 1);

    // Progress: created by a server request, then begin ... end.
    let begin = client
        .wait_for("$/progress begin", |n| {
            n["method"] == "$/progress" && n["params"]["value"]["kind"] == "begin"
        })
        .await;
    let token = begin["params"]["token"].clone();
    assert!(
        token
            .as_str()
            .is_some_and(|t| t.starts_with("blueprint-preflight-")),
        "{token}"
    );
    let created: Vec<Value> = client
        .server_requests
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r["method"] == "window/workDoneProgress/create")
        .map(|r| r["params"]["token"].clone())
        .collect();
    assert_eq!(created, std::slice::from_ref(&token));
    assert_eq!(begin["params"]["value"]["title"], "Blueprint pre-flight");
    client
        .wait_for("$/progress end", |n| {
            n["method"] == "$/progress"
                && n["params"]["token"] == token
                && n["params"]["value"]["kind"] == "end"
        })
        .await;
    assert_eq!(progress_kinds(&client, &token), ["begin", "end"]);
    // No findings in either tier.
    wait_published(&client, &uri, TIMEOUT, |d| d.is_empty()).await;

    // Hover on the database key: the last pre-flight's server, round trip,
    // and the (masked) URL.
    let hover = client.request("textDocument/hover", at(&uri, 6, 5)).await;
    assert_eq!(hover["contents"]["kind"], "markdown", "{hover}");
    let value = hover["contents"]["value"].as_str().unwrap();
    assert!(value.contains("SQLite"), "{value}");
    assert!(value.contains("round trip"), "{value}");
    assert!(value.contains(&format!("`{url}`")), "{value}");
    assert!(value.contains("no findings"), "{value}");

    // The table goes away; the command re-runs the pre-flight.
    sqlite_exec(&db, &["DROP TABLE tasks"]).await;
    let mut version = 1;
    if bypass_cache {
        // An equivalent URL the server's cache (keyed by URL) has not seen.
        let line = "      url: ".len() as u32;
        version += 1;
        client.change(
            &uri,
            version,
            (8, line),
            (8, line + url.len() as u32),
            &format!("sqlite://{}/./tasks.db", client.root.display()),
        );
        client.diagnostics(&uri, Some(version as i64)).await;
    }
    let fast_before = of_source(&client.pull(&uri).await, "blueprint");
    let result = client
        .request(
            "workspace/executeCommand",
            json!({"command": "blueprint.preflight", "arguments": [uri]}),
        )
        .await;
    assert_eq!(result, Value::Null);
    let latest = wait_published(&client, &uri, TIMEOUT, |d| {
        tiers(d) == [pair("BP312", "blueprint-preflight")]
    })
    .await;
    assert_eq!(of_source(&latest, "blueprint"), fast_before);
    let bp312 = &latest[0];
    // On `table: tasks` (line 17).
    assert_eq!(bp312["range"], range((17, 46), (17, 51)), "{bp312:#}");

    // An edit that breaks a binding: the fast tier gains BP301, the
    // pre-flight's BP312 stays.
    version += 1;
    client.change(&uri, version, (20, 22), (20, 27), "inptu");
    let latest = wait_published(&client, &uri, TIMEOUT, |d| {
        tiers(d)
            == [
                pair("BP301", "blueprint"),
                pair("BP312", "blueprint-preflight"),
            ]
    })
    .await;
    assert_eq!(
        of_source(&latest, "blueprint-preflight"),
        std::slice::from_ref(bp312)
    );

    // Two lines typed above it: the pre-flight's finding moves with its
    // text before the next pre-flight.
    version += 1;
    client.change(&uri, version, (0, 0), (0, 0), "# notes\n# more\n");
    let latest = wait_published(&client, &uri, TIMEOUT, |d| {
        of_source(d, "blueprint-preflight")
            .first()
            .is_some_and(|d| d["range"]["start"]["line"] == 19)
    })
    .await;
    let moved = &of_source(&latest, "blueprint-preflight")[0];
    assert_eq!(moved["range"], range((19, 46), (19, 51)), "{moved:#}");
    assert_eq!(moved["message"], bp312["message"]);

    // The table's name itself edited: the finding is withheld until the
    // next pre-flight says whether it still holds.
    version += 1;
    client.change(&uri, version, (19, 46), (19, 51), "todos");
    let latest = wait_published(&client, &uri, TIMEOUT, |d| {
        of_source(d, "blueprint-preflight").is_empty()
    })
    .await;
    assert_eq!(tiers(&latest), [pair("BP301", "blueprint")]);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn preflight_in_the_background_progress_hover_and_tiers() {
    preflight_in_the_background(false).await;
}

/// The same, with the URL changed to an equivalent one before the command,
/// so that the command's pre-flight asks the database again.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn preflight_command_reports_a_dropped_table_when_not_cached() {
    preflight_in_the_background(true).await;
}

// --------------------------------------------- the editor never waits on a database

/// A TCP port that accepts connections and never answers; accepted sockets
/// are held open by a thread (at most 16).
fn silent_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().take(16) {
            held.push(stream);
        }
        // All 16 taken: keep them open a while longer, then let go.
        std::thread::sleep(Duration::from_secs(30));
    });
    port
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn requests_are_answered_while_the_preflight_hangs() {
    let port = silent_port();
    let client = Client::start();
    client.initialize_with(false, true).await;
    let uri = client.uri("pg.blueprint.yaml");
    let text = postgres_blueprint(&format!("postgres://app:pw@127.0.0.1:{port}/db"));
    let opened = std::time::Instant::now();
    client.open(&uri, &text, 1);
    // The pre-flight is under way.
    client
        .wait_for("$/progress begin", |n| {
            n["method"] == "$/progress" && n["params"]["value"]["kind"] == "begin"
        })
        .await;
    let limit = Duration::from_millis(500);
    let mut timings = Vec::new();
    for (method, params) in [
        ("textDocument/hover", at(&uri, 11, 15)),
        ("textDocument/completion", at(&uri, 11, 12)),
        (
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": uri}}),
        ),
    ] {
        let started = std::time::Instant::now();
        let (_, rx) = client.send_request(method, params);
        let response = tokio::time::timeout(limit, rx)
            .await
            .unwrap_or_else(|_| panic!("{method} not answered within {limit:?}"))
            .unwrap();
        assert!(response.get("error").is_none(), "{method}: {response}");
        assert!(!response["result"].is_null(), "{method}: {response}");
        timings.push((method, started.elapsed()));
    }
    // Still hanging: no pre-flight finding yet.
    let published = client.published();
    assert!(
        published.iter().all(|p| p["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["source"] == "blueprint")),
        "{published:#?}"
    );
    let latest = wait_published(&client, &uri, Duration::from_millis(4000), |d| {
        // BP218: the fast tier's warning about the password in the URL.
        tiers(d)
            == [
                pair("BP218", "blueprint"),
                pair("BP310", "blueprint-preflight"),
            ]
    })
    .await;
    let elapsed = opened.elapsed();
    eprintln!("answered while hanging: {timings:?}; BP310 after {elapsed:?}");
    assert!(elapsed <= Duration::from_millis(3500), "{elapsed:?}");
    let bp310 = of_source(&latest, "blueprint-preflight");
    let message = bp310[0]["message"].as_str().unwrap();
    assert!(message.contains("app:***@"), "{message}");
    assert!(!message.contains(":pw@"), "{message}");
    client.shutdown().await;
}

// ------------------------------------------------ logs, through the real binary
