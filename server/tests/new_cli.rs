//! `blueprint new` end to end: the real binary, real files, and for the
//! model path a real local HTTP server speaking the OpenAI chat
//! completions shape.

mod cli_support;
use cli_support::{contains, run_with, Run};

use std::fs;
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

const KEY: &str = "sk-test-secret-4242";
const TASKS: &str = "a REST API to manage tasks with a title, a due date and a done flag";

/// Runs the binary in `cwd` with no model configured unless `env` says so.
fn run_in(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    run_with(cwd, args, |command| {
        command
            .env("NO_COLOR", "1")
            .env_remove("BLUEPRINT_LLM_URL")
            .env_remove("BLUEPRINT_LLM_MODEL")
            .env_remove("BLUEPRINT_LLM_API_KEY")
            .env_remove("DATABASE_URL");
        for (name, value) in env {
            command.env(name, value);
        }
    })
}

#[test]
fn offline_draft_on_stdout_passes_check() {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = run_in(dir.path(), &["new", TASKS], &[]);
    assert_eq!(run.code, 0, "{}", run.all());
    contains(&run.stdout, "schema_version: \"1.0.0\"");
    contains(&run.stdout, "  name: task_manager\n");
    contains(&run.stderr, "All checks passed");
    // The same description gives the same bytes.
    assert_eq!(run_in(dir.path(), &["new", TASKS], &[]).stdout, run.stdout);

    let file = dir.path().join("tasks.blueprint.yaml");
    fs::write(&file, &run.stdout).expect("write the draft");
    let check = run_in(dir.path(), &["check", "tasks.blueprint.yaml"], &[]);
    assert_eq!(check.code, 0, "{}", check.all());
    contains(&check.stdout, "All checks passed: 1 file.");
}

#[test]
fn output_file_is_written_once_unless_forced() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("tasks.blueprint.yaml");
    let run = run_in(
        dir.path(),
        &["new", TASKS, "-o", "tasks.blueprint.yaml"],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(run.stdout, "", "the blueprint goes to the file only");
    contains(&run.stderr, "wrote tasks.blueprint.yaml (2 components)");
    let first = fs::read_to_string(&file).expect("written");
    contains(&first, "table: tasks");

    let again = run_in(
        dir.path(),
        &["new", "track books", "-o", "tasks.blueprint.yaml"],
        &[],
    );
    assert_eq!(again.code, 2, "{}", again.all());
    contains(&again.stderr, "tasks.blueprint.yaml already exists");
    contains(&again.stderr, "--force");
    assert_eq!(fs::read_to_string(&file).expect("still there"), first);

    let forced = run_in(
        dir.path(),
        &[
            "new",
            "track books",
            "-o",
            "tasks.blueprint.yaml",
            "--force",
        ],
        &[],
    );
    assert_eq!(forced.code, 0, "{}", forced.all());
    contains(
        &fs::read_to_string(&file).expect("rewritten"),
        "table: books",
    );
    // No temporary file left behind.
    let names: Vec<_> = fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
}

#[test]
fn drafted_blueprint_generates() {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = run_in(
        dir.path(),
        &[
            "new",
            "track customers (name, email) and orders (total, placed_at)",
            "-o",
            "shop.blueprint.yaml",
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.all());
    let generate = run_in(
        dir.path(),
        &["generate", "shop.blueprint.yaml", "-o", "out"],
        &[],
    );
    assert_eq!(generate.code, 0, "{}", generate.all());
    assert!(dir.path().join("out/Cargo.toml").is_file());
    assert!(dir.path().join("out/src/main.rs").is_file());
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let empty = run_in(dir.path(), &["new", "  "], &[]);
    assert_eq!(empty.code, 2, "{}", empty.all());
    contains(&empty.stderr, "the description is empty");

    let no_model = run_in(
        dir.path(),
        &["new", TASKS, "--endpoint", "http://127.0.0.1:9/v1"],
        &[],
    );
    assert_eq!(no_model.code, 2, "{}", no_model.all());
    contains(&no_model.stderr, "no model given");
    contains(&no_model.stderr, "BLUEPRINT_LLM_MODEL");

    let model_only = run_in(dir.path(), &["new", TASKS, "--model", "m"], &[]);
    assert_eq!(model_only.code, 2, "{}", model_only.all());
    contains(&model_only.stderr, "--model needs an endpoint");
}

// ---------------------------------------------------------------------------
// The model path, against a local OpenAI-compatible server.

/// One request the server received.
#[derive(Clone, Debug)]
struct Received {
    authorization: Option<String>,
    body: Value,
}

/// A chat completions server answering from a script: the n-th request
/// gets the n-th answer, the last answer repeats.
struct FakeModel {
    base_url: String,
    received: Arc<Mutex<Vec<Received>>>,
    _runtime: tokio::runtime::Runtime,
}

#[derive(Clone)]
struct Script {
    answers: Arc<Vec<(u16, Value)>>,
    received: Arc<Mutex<Vec<Received>>>,
}

impl FakeModel {
    fn start(answers: Vec<(u16, Value)>) -> FakeModel {
        use axum::extract::State;
        use axum::http::{HeaderMap, StatusCode};

        async fn chat(
            State(script): State<Script>,
            headers: HeaderMap,
            body: String,
        ) -> (StatusCode, String) {
            let n = {
                let mut received = script.received.lock().expect("received");
                received.push(Received {
                    authorization: headers
                        .get("authorization")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned),
                    body: serde_json::from_str(&body).unwrap_or(Value::Null),
                });
                received.len() - 1
            };
            let (status, answer) = &script.answers[n.min(script.answers.len() - 1)];
            (
                StatusCode::from_u16(*status).expect("status"),
                answer.to_string(),
            )
        }

        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let received = Arc::new(Mutex::new(Vec::new()));
        let script = Script {
            answers: Arc::new(answers),
            received: received.clone(),
        };
        let app = axum::Router::new()
            .route("/v1/chat/completions", axum::routing::post(chat))
            .with_state(script);
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let addr = listener.local_addr().expect("address");
        runtime.spawn(async move {
            axum::serve(listener, app).await.expect("serve");
        });
        FakeModel {
            base_url: format!("http://{addr}/v1"),
            received,
            _runtime: runtime,
        }
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().expect("received").clone()
    }
}

/// A chat completion whose reply is `content`.
fn completion(content: &str) -> (u16, Value) {
    (
        200,
        json!({
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 0,
            "model": "test-model",
            "choices": [{
                "index": 0,
                "message": { "role": "assistant", "content": content },
                "finish_reason": "stop"
            }]
        }),
    )
}

/// A valid blueprint (the offline drafter's) and a copy whose binding
/// names a port the store does not have, with that binding's line.
fn good_and_broken() -> (String, String, usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let good = run_in(dir.path(), &["new", "manage tasks with a title"], &[]).stdout;
    let broken = good.replace("to: task_store.input", "to: task_store.inbox");
    assert_ne!(good, broken);
    let line = broken
        .lines()
        .position(|l| l.contains("task_store.inbox"))
        .expect("the broken binding")
        + 1;
    (good, broken, line)
}

fn model_env(server: &FakeModel) -> Vec<(&'static str, String)> {
    vec![
        ("BLUEPRINT_LLM_URL", server.base_url.clone()),
        ("BLUEPRINT_LLM_MODEL", "test-model".to_owned()),
        ("BLUEPRINT_LLM_API_KEY", KEY.to_owned()),
    ]
}

fn run_with_model(cwd: &Path, server: &FakeModel, args: &[&str]) -> Run {
    let env = model_env(server);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let run = run_in(cwd, args, &env);
    assert!(
        !run.all().contains(KEY),
        "the API key was printed:\n{}",
        run.all()
    );
    run
}

fn messages_text(request: &Received) -> String {
    request.body["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["content"].as_str().unwrap_or("").to_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn model_draft_is_repaired_with_the_diagnostics() {
    let (good, broken, line) = good_and_broken();
    let server = FakeModel::start(vec![
        completion(&format!("```yaml\n{broken}```")),
        completion(&format!("Here it is:\n```\n{good}```\n")),
    ]);
    let dir = tempfile::tempdir().expect("temp dir");
    let run = run_with_model(dir.path(), &server, &["new", TASKS]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(run.stdout, good);
    contains(
        &run.stderr,
        "draft 1 has 1 error; asking for a repair (1 of 3)",
    );

    let received = server.received();
    assert_eq!(received.len(), 2);
    for request in &received {
        assert_eq!(
            request.authorization.as_deref(),
            Some(format!("Bearer {KEY}").as_str())
        );
        assert_eq!(request.body["model"], "test-model");
        assert_eq!(request.body["temperature"], 0);
    }
    let first = &received[0].body["messages"];
    assert_eq!(first[0]["role"], "system");
    contains(first[0]["content"].as_str().unwrap(), "\"$schema\"");
    contains(first[1]["content"].as_str().unwrap(), TASKS);
    // The repair request: the draft as the assistant said it, then the
    // diagnostics with code and line.
    let second = received[1].body["messages"].as_array().expect("messages");
    assert_eq!(second.len(), 4);
    assert_eq!(second[2]["role"], "assistant");
    let repair = second[3]["content"].as_str().expect("repair request");
    contains(repair, "BP301");
    contains(repair, &format!(" at {line}:"));
    contains(repair, "corrected full YAML document");
}

#[test]
fn model_that_never_fixes_its_draft_exits_1_after_the_repairs() {
    let (_, broken, _) = good_and_broken();
    let server = FakeModel::start(vec![completion(&broken)]);
    let dir = tempfile::tempdir().expect("temp dir");
    let run = run_with_model(
        dir.path(),
        &server,
        &[
            "new",
            TASKS,
            "--max-repairs",
            "2",
            "-o",
            "out.blueprint.yaml",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.all());
    assert_eq!(server.received().len(), 3, "one draft and two repairs");
    contains(&run.stderr, "error[BP301]");
    contains(&run.stderr, "nothing was written");
    assert!(!dir.path().join("out.blueprint.yaml").exists());
    assert_eq!(fs::read_dir(dir.path()).expect("list").count(), 0);
    // The conversation grows by one draft and one repair request a round.
    let last = server.received().pop().expect("a request");
    assert_eq!(last.body["messages"].as_array().expect("messages").len(), 6);
    contains(&messages_text(&last), "BP301");
}

#[test]
fn endpoint_errors_exit_2_with_the_servers_message() {
    let server = FakeModel::start(vec![(
        500,
        json!({ "error": { "message": format!("the model is overloaded (key {KEY})"), "type": "server_error" } }),
    )]);
    let dir = tempfile::tempdir().expect("temp dir");
    let run = run_with_model(dir.path(), &server, &["new", TASKS]);
    assert_eq!(run.code, 2, "{}", run.all());
    contains(
        &run.stderr,
        "answered 500 Internal Server Error: the model is overloaded (key ***)",
    );
    contains(
        &run.stderr,
        &format!("{}/chat/completions", server.base_url),
    );
    assert_eq!(run.stdout, "");

    let malformed = FakeModel::start(vec![(200, json!({ "choices": [] }))]);
    let run = run_with_model(dir.path(), &malformed, &["new", TASKS]);
    assert_eq!(run.code, 2, "{}", run.all());
    contains(&run.stderr, "a reply without choices[0].message.content");
}

#[test]
fn unreachable_endpoint_exits_2_with_the_url_masked() {
    // A port nobody listens on: bind one, then free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("address")
        .port();
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("http://me:hunter2@127.0.0.1:{port}/v1");
    let run = run_in(
        dir.path(),
        &["new", TASKS, "--endpoint", &url, "--model", "m"],
        &[("BLUEPRINT_LLM_API_KEY", KEY)],
    );
    assert_eq!(run.code, 2, "{}", run.all());
    contains(
        &run.stderr,
        &format!("cannot connect to http://***@127.0.0.1:{port}/v1/chat/completions"),
    );
    assert!(!run.all().contains("hunter2") && !run.all().contains(KEY));
}
