//! The in-process protocol harness shared by `lsp_protocol.rs` and
//! `lsp_protocol_more.rs`: a real `tower_lsp_server::Server` on duplex
//! pipes, spoken to in JSON-RPC with `Content-Length` framing as an editor
//! does, answering the server's own requests and recording notifications.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub use serde_json::{json, Value};
pub use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::sync::{mpsc, oneshot, Notify};

pub const TIMEOUT: Duration = Duration::from_secs(10);

// ---------------------------------------------------------------- harness

pub type Pending = Arc<Mutex<HashMap<i64, oneshot::Sender<Value>>>>;

/// One editor session with an in-process server.
pub struct Client {
    pub out: mpsc::UnboundedSender<Value>,
    pub pending: Pending,
    /// Every notification the server sent, in order.
    pub notifications: Arc<Mutex<Vec<Value>>>,
    /// Every request the server sent to the client, in order.
    pub server_requests: Arc<Mutex<Vec<Value>>>,
    pub arrived: Arc<Notify>,
    /// What the client answers `workspace/configuration` with, for every
    /// item asked (null: no settings).
    pub settings: Arc<Mutex<Value>>,
    pub next_id: std::sync::atomic::AtomicI64,
    pub _dir: tempfile::TempDir,
    pub root: std::path::PathBuf,
}

impl Client {
    /// Starts a server on a fresh temporary workspace folder.
    pub fn start() -> Client {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().canonicalize().expect("canonical temp dir");
        let (service, socket) = blueprint_server::lsp::service();
        let (client_io, server_io) = tokio::io::duplex(1 << 20);
        let (server_read, server_write) = tokio::io::split(server_io);
        tokio::spawn(
            tower_lsp_server::Server::new(server_read, server_write, socket).serve(service),
        );
        let (client_read, mut client_write) = tokio::io::split(client_io);

        // Writer: one task, so messages leave in the order they were sent.
        let (out, mut outgoing) = mpsc::unbounded_channel::<Value>();
        tokio::spawn(async move {
            while let Some(message) = outgoing.recv().await {
                let body = serde_json::to_vec(&message).unwrap();
                let header = format!("Content-Length: {}\r\n\r\n", body.len());
                if client_write.write_all(header.as_bytes()).await.is_err()
                    || client_write.write_all(&body).await.is_err()
                    || client_write.flush().await.is_err()
                {
                    break;
                }
            }
        });

        let pending: Pending = Arc::default();
        let notifications: Arc<Mutex<Vec<Value>>> = Arc::default();
        let server_requests: Arc<Mutex<Vec<Value>>> = Arc::default();
        let arrived = Arc::new(Notify::new());
        let settings: Arc<Mutex<Value>> = Arc::new(Mutex::new(Value::Null));
        {
            let settings = settings.clone();
            let pending = pending.clone();
            let notifications = notifications.clone();
            let server_requests = server_requests.clone();
            let arrived = arrived.clone();
            let out = out.clone();
            tokio::spawn(async move {
                let mut reader = BufReader::new(client_read);
                while let Some(message) = read_message(&mut reader).await {
                    let has_id = message.get("id").is_some_and(|id| !id.is_null());
                    if let Some(method) = message.get("method").and_then(Value::as_str) {
                        if has_id {
                            // A server->client request: answer as an editor
                            // that accepts registrations and progress.
                            let result = match method {
                                "workspace/configuration" => {
                                    let asked =
                                        message["params"]["items"].as_array().map_or(0, Vec::len);
                                    let answer = settings.lock().unwrap().clone();
                                    Value::Array(vec![answer; asked])
                                }
                                // The test applies the edit itself, from
                                // `server_requests`, as the editor would.
                                "workspace/applyEdit" => json!({"applied": true}),
                                _ => Value::Null,
                            };
                            server_requests.lock().unwrap().push(message.clone());
                            let _ = out.send(json!({
                                "jsonrpc": "2.0", "id": message["id"], "result": result
                            }));
                        } else {
                            notifications.lock().unwrap().push(message);
                        }
                        arrived.notify_waiters();
                    } else if let Some(id) = message.get("id").and_then(Value::as_i64) {
                        if let Some(tx) = pending.lock().unwrap().remove(&id) {
                            let _ = tx.send(message);
                        }
                    }
                }
            });
        }
        Client {
            out,
            pending,
            notifications,
            server_requests,
            arrived,
            settings,
            next_id: std::sync::atomic::AtomicI64::new(1),
            _dir: dir,
            root,
        }
    }

    pub fn uri(&self, name: &str) -> String {
        format!("file://{}/{name}", self.root.display())
    }

    pub fn notify(&self, method: &str, params: Value) {
        self.out
            .send(json!({"jsonrpc": "2.0", "method": method, "params": params}))
            .expect("writer alive");
    }

    /// Sends a request; the returned receiver yields the whole response.
    pub fn send_request(&self, method: &str, params: Value) -> (i64, oneshot::Receiver<Value>) {
        let id = self
            .next_id
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let (tx, rx) = oneshot::channel();
        self.pending.lock().unwrap().insert(id, tx);
        self.out
            .send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .expect("writer alive");
        (id, rx)
    }

    /// The whole response (with `result` or `error`) to a request.
    pub async fn response(&self, method: &str, params: Value) -> Value {
        let (_, rx) = self.send_request(method, params);
        tokio::time::timeout(TIMEOUT, rx)
            .await
            .unwrap_or_else(|_| panic!("no response to {method} within {TIMEOUT:?}"))
            .expect("response channel")
    }

    /// The `result` of a request, failing on an error response.
    pub async fn request(&self, method: &str, params: Value) -> Value {
        let response = self.response(method, params).await;
        assert!(
            response.get("error").is_none(),
            "{method} failed: {response}"
        );
        response["result"].clone()
    }

    pub async fn initialize(&self, utf8: bool) -> Value {
        self.initialize_with(utf8, false).await
    }

    /// As [`Client::initialize`], advertising `window.workDoneProgress`
    /// when `progress`.
    pub async fn initialize_with(&self, utf8: bool, progress: bool) -> Value {
        let general = if utf8 {
            json!({"positionEncodings": ["utf-8", "utf-16"]})
        } else {
            json!({})
        };
        let result = self
            .request(
                "initialize",
                json!({
                    "processId": null,
                    "rootUri": format!("file://{}", self.root.display()),
                    "workspaceFolders": [{"uri": format!("file://{}", self.root.display()), "name": "ws"}],
                    "capabilities": {
                        "general": general,
                        "window": {"workDoneProgress": progress},
                        "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}},
                        "textDocument": {
                            "publishDiagnostics": {"versionSupport": true},
                            "hover": {"contentFormat": ["markdown", "plaintext"]},
                            "completion": {"completionItem": {"snippetSupport": true}},
                            "rename": {"prepareSupport": true},
                            "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix", "refactor.rewrite"]}}},
                            "documentSymbol": {"hierarchicalDocumentSymbolSupport": true}
                        }
                    }
                }),
            )
            .await;
        self.notify("initialized", json!({}));
        result
    }

    /// Initialize with exactly `capabilities` and `initializationOptions`,
    /// with the temporary folder as the workspace; then `initialized`.
    pub async fn initialize_as(&self, capabilities: Value, options: Value) -> Value {
        let root = format!("file://{}", self.root.display());
        let result = self
            .request(
                "initialize",
                json!({
                    "processId": null,
                    "rootUri": root,
                    "workspaceFolders": [{"uri": root, "name": "ws"}],
                    "initializationOptions": options,
                    "capabilities": capabilities,
                }),
            )
            .await;
        self.notify("initialized", json!({}));
        result
    }

    /// The diagnostics of the latest `publishDiagnostics` for `uri` (none
    /// before the first).
    pub fn latest_diagnostics(&self, uri: &str) -> Vec<Value> {
        self.published()
            .iter()
            .rev()
            .find(|p| p["uri"] == uri)
            .and_then(|p| p["diagnostics"].as_array().cloned())
            .unwrap_or_default()
    }

    pub fn open(&self, uri: &str, text: &str, version: i32) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": version, "text": text}}),
        );
    }

    /// An incremental change: replace `range` ([line, character] pairs in the
    /// negotiated encoding) with `text`.
    pub fn change(&self, uri: &str, version: i32, start: (u32, u32), end: (u32, u32), text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"range": range(start, end), "text": text}]
            }),
        );
    }

    pub fn published(&self) -> Vec<Value> {
        self.notifications
            .lock()
            .unwrap()
            .iter()
            .filter(|n| n["method"] == "textDocument/publishDiagnostics")
            .map(|n| n["params"].clone())
            .collect()
    }

    /// Waits for the first notification satisfying `pred`.
    pub async fn wait_for(&self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + TIMEOUT;
        loop {
            let notified = self.arrived.notified();
            if let Some(found) = self
                .notifications
                .lock()
                .unwrap()
                .iter()
                .find(|n| pred(n))
                .cloned()
            {
                return found;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!(
                    "timed out waiting for {what}; got {:#?}",
                    self.notifications.lock().unwrap()
                );
            }
        }
    }

    /// Waits for `publishDiagnostics` for `uri` (with `version`, when given)
    /// and returns its diagnostics (only those of the fast tiers' source
    /// `blueprint` unless `all`).
    pub async fn diagnostics(&self, uri: &str, version: Option<i64>) -> Vec<Value> {
        let params = self
            .wait_for(&format!("diagnostics of {uri} v{version:?}"), |n| {
                n["method"] == "textDocument/publishDiagnostics"
                    && n["params"]["uri"] == uri
                    && version.is_none_or(|v| n["params"]["version"] == v)
            })
            .await;
        params["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// The diagnostics pulled with `textDocument/diagnostic`.
    pub async fn pull(&self, uri: &str) -> Vec<Value> {
        let report = self
            .request(
                "textDocument/diagnostic",
                json!({"textDocument": {"uri": uri}}),
            )
            .await;
        assert_eq!(report["kind"], "full", "{report}");
        report["items"].as_array().cloned().unwrap_or_default()
    }

    pub async fn shutdown(self) {
        let response = self.response("shutdown", Value::Null).await;
        assert!(response.get("error").is_none(), "{response}");
        self.notify("exit", Value::Null);
    }
}

pub async fn read_message<R: tokio::io::AsyncBufRead + Unpin>(reader: &mut R) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length:") {
            length = v.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).await.ok()?;
    serde_json::from_slice(&body).ok()
}

pub fn range(start: (u32, u32), end: (u32, u32)) -> Value {
    json!({
        "start": {"line": start.0, "character": start.1},
        "end": {"line": end.0, "character": end.1}
    })
}

pub fn position(line: u32, character: u32) -> Value {
    json!({"line": line, "character": character})
}

pub fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

pub fn at(uri: &str, line: u32, character: u32) -> Value {
    json!({"textDocument": {"uri": uri}, "position": position(line, character)})
}

// ---------------------------------------------------------------- fixtures

pub fn blueprint(port: &str) -> String {
    format!(
        r#"schema_version: "1.0.0"
system:
  name: task_tracker
  description: Tasks over a REST API
  version: 1.0.0
  components:
    - name: task_api
      type: APIEndpoint
      configuration: {{ port: 8080 }}
      outputs: [{{ name: commands, schema: Task }}]
    - name: task_sink
      type: Sink
      inputs: [{{ name: input, schema: Task }}]
  bindings:
    - from: task_api.commands
      to: [task_sink.{port}]
schemas:
  Task:
    type: object
    properties:
      id: {{ type: string, format: uuid }}
      title: {{ type: string, maxLength: 200 }}
    required: [id, title]
"#
    )
}

/// Line and columns of the binding endpoint's port in [`blueprint`].
pub const PORT_LINE: u32 = 15;
pub const PORT_COL: u32 = 21; // after "      to: [task_sink."

// ---------------------------------------------------------- core: protocol

/// A blueprint with one SQLite database `main` (line 6: `    main:`) and a
/// store on its table `tasks` (id, title, done). Line 20 is
/// `      to: [task_store.input]`.
pub fn sqlite_blueprint(url: &str) -> String {
    format!(
        r#"schema_version: "1.0.0"
system:
  name: task_tracker
  description: Tasks over a REST API
  version: 1.0.0
  databases:
    main:
      engine: sqlite
      url: {url}
  components:
    - name: task_api
      type: APIEndpoint
      configuration: {{ port: 8080 }}
      outputs: [{{ name: commands, schema: Task }}]
    - name: task_store
      type: Store
      inputs: [{{ name: input, schema: Task }}]
      configuration: {{ database: main, table: tasks, key: id }}
  bindings:
    - from: task_api.commands
      to: [task_store.input]
schemas:
  Task:
    type: object
    properties:
      id: {{ type: string }}
      title: {{ type: string, maxLength: 200 }}
      done: {{ type: boolean }}
    required: [id, title]
"#
    )
}

pub fn postgres_blueprint(url: &str) -> String {
    sqlite_blueprint(url).replace("engine: sqlite", "engine: postgres")
}

/// The `blueprint-live` warnings of the latest publish for `uri`, as
/// (code, line).
pub fn live_warnings(client: &Client, uri: &str) -> Vec<(String, u64)> {
    client
        .latest_diagnostics(uri)
        .iter()
        .filter(|d| d["source"] == "blueprint-live")
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default().to_owned(),
                d["range"]["start"]["line"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

/// The capabilities of an editor that redraws inlay hints and code lenses
/// when asked, for the live-metrics tests.
pub fn live_capabilities() -> Value {
    json!({
        "workspace": {
            "inlayHint": {"refreshSupport": true},
            "codeLens": {"refreshSupport": true}
        },
        "textDocument": {
            "hover": {"contentFormat": ["markdown"]},
            "inlayHint": {},
            "codeLens": {}
        }
    })
}

/// Polls `probe` until `pred` holds, for `limit` at most (then fails,
/// showing the last value).
pub async fn poll_until<T: std::fmt::Debug, F: std::future::Future<Output = T>>(
    what: &str,
    limit: Duration,
    mut probe: impl FnMut() -> F,
    pred: impl Fn(&T) -> bool,
) -> T {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let got = probe().await;
        if pred(&got) {
            return got;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}; last: {got:#?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
