//! "Generate system", "Regenerate component" and `blueprint.generate` over
//! the protocol: the edits are applied to a temporary workspace the way a
//! client applies them, and the result is what `blueprint generate` writes.
//!
//! The harness is in `lsp_support/`.

mod lsp_support;
use lsp_support::*;

use std::path::{Path, PathBuf};

fn path_of(uri: &str) -> PathBuf {
    let raw = uri.strip_prefix("file://").expect("file URI");
    // Percent-decoding, for the few characters a temp path could need.
    let bytes = raw.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    PathBuf::from(String::from_utf8(out).unwrap())
}

/// Byte offset of an LSP position (UTF-16 columns) in `text`.
fn offset(text: &str, position: &Value) -> usize {
    let line = position["line"].as_u64().unwrap() as usize;
    let character = position["character"].as_u64().unwrap() as usize;
    let mut start = 0;
    for _ in 0..line {
        start += text[start..].find('\n').expect("line in range") + 1;
    }
    let mut units = 0;
    for (i, ch) in text[start..].char_indices() {
        if units >= character || ch == '\n' {
            return start + i;
        }
        units += ch.len_utf16();
    }
    text.len()
}

/// Applies a `WorkspaceEdit` with `documentChanges` to the disk as a client
/// does. Edits whose annotation needs confirmation are applied only when
/// `confirm`. Returns the annotations that needed confirmation.
fn apply(edit: &Value, confirm: bool) -> Vec<Value> {
    let annotations = &edit["changeAnnotations"];
    let mut asked = Vec::new();
    for op in edit["documentChanges"].as_array().expect("documentChanges") {
        match op["kind"].as_str() {
            Some("create") => {
                let path = path_of(op["uri"].as_str().unwrap());
                if path.exists() {
                    assert!(
                        op["options"]["ignoreIfExists"] == true,
                        "create of an existing file: {op}"
                    );
                    continue;
                }
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, "").unwrap();
            }
            Some("delete") => {
                let path = path_of(op["uri"].as_str().unwrap());
                let _ = std::fs::remove_file(path);
            }
            Some(other) => panic!("unexpected operation {other}: {op}"),
            None => {
                let path = path_of(op["textDocument"]["uri"].as_str().unwrap());
                let mut text = std::fs::read_to_string(&path).expect("edited file exists");
                let mut edits: Vec<&Value> = op["edits"].as_array().unwrap().iter().collect();
                edits.sort_by_key(|e| std::cmp::Reverse(offset(&text, &e["range"]["start"])));
                for e in edits {
                    if let Some(id) = e["annotationId"].as_str() {
                        let annotation = &annotations[id];
                        if annotation["needsConfirmation"] == true {
                            asked.push(annotation.clone());
                            if !confirm {
                                continue;
                            }
                        }
                    }
                    let start = offset(&text, &e["range"]["start"]);
                    let end = offset(&text, &e["range"]["end"]);
                    text.replace_range(start..end, e["newText"].as_str().unwrap());
                }
                std::fs::write(&path, text).unwrap();
            }
        }
    }
    asked
}

/// The latest `workspace/applyEdit` the server sent.
fn last_apply_edit(client: &Client) -> Value {
    client
        .server_requests
        .lock()
        .unwrap()
        .iter()
        .rev()
        .find(|r| r["method"] == "workspace/applyEdit")
        .cloned()
        .expect("workspace/applyEdit sent")
}

fn blueprint_cli(cwd: &Path, args: &[&str]) -> (i32, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_blueprint"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run blueprint");
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

async fn code_actions(
    client: &Client,
    uri: &str,
    at: ((u32, u32), (u32, u32)),
    context: Value,
) -> Vec<Value> {
    let result = client
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": range(at.0, at.1), "context": context}),
        )
        .await;
    result.as_array().cloned().unwrap_or_default()
}

fn titled<'a>(actions: &'a [Value], title: &str) -> &'a Value {
    actions
        .iter()
        .find(|a| a["title"] == title)
        .unwrap_or_else(|| panic!("no action {title:?} in {actions:#?}"))
}

/// Line and column range of `needle`'s first occurrence after `after`.
fn find(text: &str, needle: &str, after: &str) -> ((u32, u32), (u32, u32)) {
    let from = text.find(after).unwrap();
    let at = from + text[from..].find(needle).unwrap();
    let line = text[..at].matches('\n').count() as u32;
    let col = (at - text[..at].rfind('\n').map_or(0, |i| i + 1)) as u32;
    ((line, col), (line, col + needle.len() as u32))
}

const FILE: &str = "app.blueprint.yaml";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn generate_regenerate_and_confirm_hand_edits() {
    let client = Client::start();
    client.initialize(false).await;
    let root = client.root.clone();
    let uri = client.uri(FILE);
    let text = sqlite_blueprint("sqlite://tasks.db");
    std::fs::write(root.join(FILE), &text).unwrap();
    client.open(&uri, &text, 1);
    client.diagnostics(&uri, Some(1)).await;
    let out = root.join("task_tracker");

    // "Generate system" is a source action, offered anywhere.
    let actions = code_actions(&client, &uri, ((0, 0), (0, 0)), json!({"diagnostics": []})).await;
    let generate = titled(&actions, "Generate system");
    assert_eq!(generate["kind"], "source");
    // Asking for quick fixes only leaves it out.
    let quickfixes = code_actions(
        &client,
        &uri,
        ((0, 0), (0, 0)),
        json!({"diagnostics": [], "only": ["quickfix"]}),
    )
    .await;
    assert!(quickfixes.iter().all(|a| a["title"] != "Generate system"));

    // Applied as a client applies it, it writes what `blueprint generate`
    // writes: the CLI then finds everything up to date.
    assert!(!out.exists(), "the server wrote to disk");
    let asked = apply(&generate["edit"], false);
    assert!(asked.is_empty());
    for path in [
        "src/main.rs",
        "src/generated/task_store.rs",
        "src/components/task_store.rs",
        ".blueprint/generated.json",
    ] {
        assert!(out.join(path).is_file(), "{path} not created");
    }
    let (code, output) = blueprint_cli(&root, &["generate", FILE, "--check"]);
    assert_eq!(code, 0, "{output}");
    // And nothing more to do: no "Generate system".
    let actions = code_actions(&client, &uri, ((0, 0), (0, 0)), json!({"diagnostics": []})).await;
    assert!(
        actions.iter().all(|a| a["title"] != "Generate system"),
        "{actions:#?}"
    );

    // The schema changes (and is saved): the components carrying `Task`
    // are stale.
    let changed = text.replace(
        "      done: { type: boolean }\n",
        "      done: { type: boolean }\n      note: { type: string }\n",
    );
    assert_ne!(changed, text);
    std::fs::write(root.join(FILE), &changed).unwrap();
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": changed}]}),
    );
    let diagnostics = client.diagnostics(&uri, Some(2)).await;
    let stale: Vec<&Value> = diagnostics
        .iter()
        .filter(|d| d["code"] == "BP230")
        .collect();
    assert!(!stale.is_empty(), "{diagnostics:#?}");
    let name = find(&changed, "task_store", "- name: ");
    let bp230 = stale
        .iter()
        .find(|d| d["range"] == range(name.0, name.1))
        .unwrap_or_else(|| panic!("no BP230 on task_store: {stale:#?}"));

    // "Regenerate component" on the diagnostic: only that module (and the
    // manifest) change.
    let cargo_toml = std::fs::read(out.join("Cargo.toml")).unwrap();
    let api_module = std::fs::read(out.join("src/generated/task_api.rs")).unwrap();
    let actions = code_actions(&client, &uri, name, json!({"diagnostics": [bp230]})).await;
    let regenerate = titled(&actions, "Regenerate component `task_store`");
    assert_eq!(regenerate["kind"], "quickfix");
    assert_eq!(regenerate["diagnostics"][0]["code"], "BP230");
    let touched: Vec<String> = regenerate["edit"]["documentChanges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|op| {
            let uri = op["uri"]
                .as_str()
                .or(op["textDocument"]["uri"].as_str())
                .unwrap();
            path_of(uri)
                .strip_prefix(&out)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert!(
        touched.contains(&"src/generated/task_store.rs".to_string()),
        "{touched:?}"
    );
    assert!(
        touched.contains(&".blueprint/generated.json".to_string()),
        "{touched:?}"
    );
    for path in &touched {
        assert!(
            [
                "src/generated/task_store.rs",
                ".blueprint/generated.json",
                "src/lib.rs",
                "src/generated/mod.rs"
            ]
            .contains(&path.as_str()),
            "regenerating one component touched {path}"
        );
    }
    apply(&regenerate["edit"], false);
    assert_eq!(std::fs::read(out.join("Cargo.toml")).unwrap(), cargo_toml);
    assert_eq!(
        std::fs::read(out.join("src/generated/task_api.rs")).unwrap(),
        api_module
    );
    let (code, output) = blueprint_cli(&root, &["check", FILE, "--format", "json"]);
    let report: Value = serde_json::from_str(&output).unwrap_or_else(|_| panic!("{code} {output}"));
    let still: Vec<&Value> = report["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "BP230" && d["message"].as_str().unwrap().contains("`task_store`"))
        .collect();
    assert!(still.is_empty(), "task_store still stale: {still:#?}");

    // A generated file edited by hand: "Generate system" replaces it only
    // with the user's confirmation.
    let module = out.join("src/generated/task_store.rs");
    let edited = format!(
        "{}// my hand edit\n",
        std::fs::read_to_string(&module).unwrap()
    );
    std::fs::write(&module, &edited).unwrap();
    let actions = code_actions(&client, &uri, ((0, 0), (0, 0)), json!({"diagnostics": []})).await;
    let generate = titled(&actions, "Generate system");
    let annotations = &generate["edit"]["changeAnnotations"];
    let (id, annotation) = annotations
        .as_object()
        .and_then(|a| a.iter().next())
        .unwrap_or_else(|| panic!("no change annotation: {generate:#}"));
    assert_eq!(annotation["needsConfirmation"], true);
    assert_eq!(annotation["label"], "edited by hand");
    let annotated: Vec<&Value> = generate["edit"]["documentChanges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|op| {
            op["edits"]
                .as_array()
                .is_some_and(|e| e.iter().any(|e| e["annotationId"] == *id))
        })
        .collect();
    assert_eq!(annotated.len(), 1, "{annotated:#?}");
    assert_eq!(
        path_of(annotated[0]["textDocument"]["uri"].as_str().unwrap()),
        module
    );
    // Declined: the hand edit stays, and it is still a conflict.
    let asked = apply(&generate["edit"], false);
    assert_eq!(asked.len(), 1);
    assert_eq!(std::fs::read_to_string(&module).unwrap(), edited);
    let (code, output) = blueprint_cli(&root, &["generate", FILE, "--check"]);
    assert_eq!(code, 1, "{output}");
    assert!(
        output.contains("conflict src/generated/task_store.rs"),
        "{output}"
    );
    // Confirmed: replaced, and up to date.
    let actions = code_actions(&client, &uri, ((0, 0), (0, 0)), json!({"diagnostics": []})).await;
    apply(&titled(&actions, "Generate system")["edit"], true);
    let (code, output) = blueprint_cli(&root, &["generate", FILE, "--check"]);
    assert_eq!(code, 0, "{output}");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn generate_command_sends_the_edit_and_missing_components_get_a_quickfix() {
    let client = Client::start();
    let init = client.initialize(false).await;
    let commands = &init["capabilities"]["executeCommandProvider"]["commands"];
    assert!(
        commands
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "blueprint.generate"),
        "{commands}"
    );
    let root = client.root.clone();
    let uri = client.uri(FILE);
    let text = sqlite_blueprint("sqlite://tasks.db");
    std::fs::write(root.join(FILE), &text).unwrap();
    client.open(&uri, &text, 1);
    client.diagnostics(&uri, Some(1)).await;

    let result = client
        .request(
            "workspace/executeCommand",
            json!({"command": "blueprint.generate", "arguments": [uri]}),
        )
        .await;
    assert_eq!(result["applied"], true, "{result}");
    let request = last_apply_edit(&client);
    apply(&request["params"]["edit"], false);
    let out = root.join("task_tracker");
    let (code, output) = blueprint_cli(&root, &["generate", FILE, "--check"]);
    assert_eq!(code, 0, "{output}");

    // A module deleted: BP231, and its quick fix brings it back.
    std::fs::remove_file(out.join("src/generated/task_api.rs")).unwrap();
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": text}]}),
    );
    let diagnostics = client.diagnostics(&uri, Some(2)).await;
    let name = find(&text, "task_api", "- name: ");
    assert!(
        diagnostics
            .iter()
            .any(|d| d["code"] == "BP231" && d["range"] == range(name.0, name.1)),
        "{diagnostics:#?}"
    );
    // Offered on the name even without the client's diagnostics.
    let actions = code_actions(&client, &uri, (name.0, name.0), json!({"diagnostics": []})).await;
    let regenerate = titled(&actions, "Regenerate component `task_api`");
    assert_eq!(regenerate["diagnostics"][0]["code"], "BP231");
    apply(&regenerate["edit"], false);
    assert!(out.join("src/generated/task_api.rs").is_file());
    let (code, output) = blueprint_cli(&root, &["generate", FILE, "--check"]);
    assert_eq!(code, 0, "{output}");

    // The same through the command, as an editor's palette sends it: only
    // the component's files (and the manifest) are in the edit.
    std::fs::remove_file(out.join("src/generated/task_api.rs")).unwrap();
    let result = client
        .request(
            "workspace/executeCommand",
            json!({"command": "blueprint.regenerateComponent", "arguments": [uri, "task_api"]}),
        )
        .await;
    assert_eq!(result["applied"], true, "{result}");
    let request = last_apply_edit(&client);
    let edit = &request["params"]["edit"];
    let touched = edit["documentChanges"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!touched.is_empty(), "{edit}");
    apply(edit, false);
    for change in &touched {
        let uri = change["uri"]
            .as_str()
            .or_else(|| change["textDocument"]["uri"].as_str())
            .unwrap_or_default();
        assert!(
            uri.contains("task_api") || uri.ends_with("generated.json"),
            "{uri} is not task_api's: {touched:#?}"
        );
    }
    assert!(out.join("src/generated/task_api.rs").is_file());
    let (code, output) = blueprint_cli(&root, &["generate", FILE, "--check"]);
    assert_eq!(code, 0, "{output}");
    let response = client
        .response(
            "workspace/executeCommand",
            json!({"command": "blueprint.regenerateComponent", "arguments": [uri, "nobody"]}),
        )
        .await;
    assert!(
        response["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("no component `nobody`")),
        "{response}"
    );

    // A blueprint with errors: no "Generate system", and the command says why.
    let broken = text.replace("to: [task_store.input]", "to: [task_store.nope]");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": broken}]}),
    );
    client.diagnostics(&uri, Some(3)).await;
    let actions = code_actions(&client, &uri, ((0, 0), (0, 0)), json!({"diagnostics": []})).await;
    assert!(
        actions.iter().all(|a| a["title"] != "Generate system"),
        "{actions:#?}"
    );
    let response = client
        .response(
            "workspace/executeCommand",
            json!({"command": "blueprint.generate", "arguments": [uri]}),
        )
        .await;
    assert!(
        response["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("errors")),
        "{response}"
    );
    client.shutdown().await;
}

/// Waits until the latest diagnostics published for `uri` satisfy `pred`.
async fn wait_latest(client: &Client, uri: &str, pred: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + TIMEOUT;
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

/// `blueprint generate` in a terminal: the watcher reports the manifest
/// and the modules, and the blueprint's BP230 goes away without an edit.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn generating_in_a_terminal_refreshes_stale_diagnostics() {
    let client = Client::start();
    client.initialize(false).await;
    let root = client.root.clone();
    let uri = client.uri(FILE);
    let text = sqlite_blueprint("sqlite://tasks.db");
    std::fs::write(root.join(FILE), &text).unwrap();
    let (code, output) = blueprint_cli(&root, &["generate", FILE]);
    assert_eq!(code, 0, "{output}");

    let changed = text.replace("maxLength: 200", "maxLength: 300");
    assert_ne!(changed, text);
    std::fs::write(root.join(FILE), &changed).unwrap();
    client.open(&uri, &changed, 1);
    let stale = |d: &[Value]| d.iter().any(|d| d["code"] == "BP230");
    wait_latest(&client, &uri, stale).await;

    let (code, output) = blueprint_cli(&root, &["generate", FILE]);
    assert_eq!(code, 0, "{output}");
    let manifest = format!(
        "file://{}",
        root.join("task_tracker/.blueprint/generated.json")
            .display()
    );
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": manifest, "type": 2}]}),
    );
    wait_latest(&client, &uri, |d| !stale(d)).await;
    client.shutdown().await;
}

/// A client that resolves edits lazily gets "Generate system" without its
/// (large) edit, and the edit on `codeAction/resolve`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn clients_that_resolve_edits_get_them_on_resolve() {
    let client = Client::start();
    let root = client.root.clone();
    let folder = format!("file://{}", root.display());
    let init = client
        .request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": folder,
                "workspaceFolders": [{"uri": folder, "name": "ws"}],
                "capabilities": {"textDocument": {"codeAction": {
                    "codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix", "source"]}},
                    "resolveSupport": {"properties": ["edit"]},
                    "dataSupport": true
                }}}
            }),
        )
        .await;
    assert_eq!(
        init["capabilities"]["codeActionProvider"]["resolveProvider"],
        true
    );
    client.notify("initialized", json!({}));
    let uri = client.uri(FILE);
    let text = sqlite_blueprint("sqlite://tasks.db");
    std::fs::write(root.join(FILE), &text).unwrap();
    client.open(&uri, &text, 1);
    client.diagnostics(&uri, Some(1)).await;

    let actions = code_actions(
        &client,
        &uri,
        ((0, 0), (0, 0)),
        json!({"diagnostics": [], "only": ["source"]}),
    )
    .await;
    let generate = titled(&actions, "Generate system").clone();
    assert!(generate.get("edit").is_none(), "{generate:#}");
    assert!(!generate["data"].is_null());
    let resolved = client.request("codeAction/resolve", generate).await;
    apply(&resolved["edit"], false);
    let (code, output) = blueprint_cli(&root, &["generate", FILE, "--check"]);
    assert_eq!(code, 0, "{output}");
    client.shutdown().await;
}
