//! The client's settings reach the server through `workspace/configuration`
//! (pulled after `initialized` and on every
//! `workspace/didChangeConfiguration`) and take effect without a restart;
//! `blueprint/status` tells a status bar the pre-flight's state.

mod lsp_support;
use lsp_support::*;

/// Initialize as an editor that answers `workspace/configuration`.
async fn initialize(client: &Client) {
    client
        .initialize_as(
            json!({
                "workspace": {"configuration": true, "didChangeConfiguration": {}},
                "textDocument": {"publishDiagnostics": {"versionSupport": true}}
            }),
            Value::Null,
        )
        .await;
}

fn statuses(client: &Client) -> Vec<Value> {
    client
        .notifications
        .lock()
        .unwrap()
        .iter()
        .filter(|n| n["method"] == "blueprint/status")
        .map(|n| n["params"].clone())
        .collect()
}

/// How many diagnostics with `code` the latest publish for `uri` had.
fn latest_with(client: &Client, uri: &str, code: &str) -> usize {
    client
        .latest_diagnostics(uri)
        .iter()
        .filter(|d| d["code"] == code)
        .count()
}

async fn until(what: &str, pred: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    while !pred() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// `envFile` from the client: the blueprint's `${TASKS_DB}` resolves once
/// the setting names the file that defines it, without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_env_file_setting_is_pulled_and_applied() {
    let client = Client::start();
    initialize(&client).await;
    let root = client.root.clone();
    std::fs::write(
        root.join("dev.env"),
        format!("TASKS_DB=sqlite://{}/tasks.db\n", root.display()),
    )
    .unwrap();
    let uri = client.uri("env.blueprint.yaml");
    let text = sqlite_blueprint("${TASKS_DB}");
    std::fs::write(root.join("env.blueprint.yaml"), &text).unwrap();
    client.open(&uri, &text, 1);
    until("BP217 without the env file", || {
        latest_with(&client, &uri, "BP217") == 1
    })
    .await;

    // The editor's settings change; it tells the server, which pulls them.
    *client.settings.lock().unwrap() = json!({"envFile": "dev.env"});
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": null}),
    );
    until("BP217 gone with dev.env", || {
        latest_with(&client, &uri, "BP217") == 0
    })
    .await;
    let asked = client
        .server_requests
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r["method"] == "workspace/configuration")
        .map(|r| r["params"]["items"][0]["section"].clone())
        .collect::<Vec<_>>();
    // Once after `initialized`, once after the change.
    assert!(asked.len() >= 2, "{asked:?}");
    assert!(asked.iter().all(|s| s == "blueprint"), "{asked:?}");

    // Pushed settings work too (clients that send them in the notification).
    *client.settings.lock().unwrap() = Value::Null;
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"blueprint": {"envFile": ".env"}}}),
    );
    until("BP217 back with .env", || {
        latest_with(&client, &uri, "BP217") == 1
    })
    .await;
    client.shutdown().await;
}

/// `blueprint/status` follows the pre-flight; `preflight.onSave: false`
/// stops the pre-flight on save (the command still runs it).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn preflight_status_and_the_on_save_setting() {
    let client = Client::start();
    initialize(&client).await;
    let root = client.root.clone();
    let db = root.join("tasks.db");
    let uri = client.uri("status.blueprint.yaml");
    let text = sqlite_blueprint(&format!("sqlite://{}", db.display()));
    std::fs::write(root.join("status.blueprint.yaml"), &text).unwrap();
    client.open(&uri, &text, 1);
    until("a finished pre-flight status", || {
        statuses(&client)
            .iter()
            .any(|s| s["preflight"]["state"] != "running" && s["preflight"]["state"] != "idle")
    })
    .await;
    let seen = statuses(&client);
    let states: Vec<&str> = seen
        .iter()
        .map(|s| s["preflight"]["state"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(states.first(), Some(&"running"), "{seen:#?}");
    let last = seen.last().unwrap();
    // The SQLite file does not exist: the store's table cannot be there.
    assert!(
        ["findings", "unreachable"].contains(&last["preflight"]["state"].as_str().unwrap()),
        "{last}"
    );
    assert!(
        last["preflight"]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("pre-flight of status.blueprint.yaml")),
        "{last}"
    );
    assert_eq!(last["live"]["state"], "off", "{last}");

    let save = || {
        client.notify(
            "textDocument/didSave",
            json!({"textDocument": {"uri": uri}}),
        )
    };
    // On save (default): another run.
    let before = statuses(&client).len();
    save();
    until("a pre-flight on save", || statuses(&client).len() > before).await;

    // Off: saving runs nothing.
    *client.settings.lock().unwrap() = json!({"preflight": {"onSave": false}});
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": null}),
    );
    until("the setting pulled", || {
        client
            .server_requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r["method"] == "workspace/configuration")
            .count()
            >= 2
    })
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    // A run still in flight from the save above must not count.
    let settled = statuses(&client).len();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = statuses(&client).len();
    assert_eq!(before, settled);
    save();
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(statuses(&client).len(), before, "{:#?}", statuses(&client));
    // The command runs it regardless (it sends "running" again).
    client
        .request(
            "workspace/executeCommand",
            json!({"command": "blueprint.preflight", "arguments": [uri]}),
        )
        .await;
    until("the commanded pre-flight", || {
        statuses(&client).len() > before
    })
    .await;
    client.shutdown().await;
}
