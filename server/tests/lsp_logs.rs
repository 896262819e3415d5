//! The client's log, through the real binary over stdio: `window/logMessage`
//! at the level the client asks for, with secrets masked.

mod lsp_support;
use lsp_support::*;
use serde_json::json;
use std::sync::{Arc, Mutex};

/// `blueprint lsp` as a child process, spoken to over stdio. A reader
/// thread answers the server's requests and hands every other message to
/// the test through a channel.
struct Stdio {
    child: std::process::Child,
    stdin: Arc<Mutex<std::process::ChildStdin>>,
    incoming: std::sync::mpsc::Receiver<Value>,
    seen: Vec<Value>,
    _dir: tempfile::TempDir,
    root: std::path::PathBuf,
}

fn write_frame(stdin: &Mutex<std::process::ChildStdin>, message: &Value) {
    use std::io::Write;
    let body = serde_json::to_vec(message).unwrap();
    let mut stdin = stdin.lock().unwrap();
    let _ = write!(stdin, "Content-Length: {}\r\n\r\n", body.len());
    let _ = stdin.write_all(&body);
    let _ = stdin.flush();
}

fn read_frame(reader: &mut impl std::io::BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
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
    std::io::Read::read_exact(reader, &mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

impl Stdio {
    fn start() -> Stdio {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_blueprint"))
            .arg("lsp")
            .current_dir(&root)
            .env_remove("BLUEPRINT_LOG")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn blueprint lsp");
        let stdin = Arc::new(Mutex::new(child.stdin.take().unwrap()));
        let stdout = child.stdout.take().unwrap();
        let (tx, incoming) = std::sync::mpsc::channel();
        let answer = stdin.clone();
        std::thread::spawn(move || {
            let mut reader = std::io::BufReader::new(stdout);
            while let Some(message) = read_frame(&mut reader) {
                let is_request = message.get("method").is_some()
                    && message.get("id").is_some_and(|i| !i.is_null());
                if is_request {
                    let result = match message["method"].as_str() {
                        Some("workspace/configuration") => json!([]),
                        _ => Value::Null,
                    };
                    write_frame(
                        &answer,
                        &json!({"jsonrpc": "2.0", "id": message["id"], "result": result}),
                    );
                }
                if tx.send(message).is_err() {
                    break;
                }
            }
        });
        Stdio {
            child,
            stdin,
            incoming,
            seen: Vec::new(),
            _dir: dir,
            root,
        }
    }

    fn send(&self, message: Value) {
        write_frame(&self.stdin, &message);
    }

    /// Reads messages until one satisfies `pred` (returned), failing after
    /// `within`.
    fn until(&mut self, what: &str, within: Duration, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = std::time::Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.incoming.recv_timeout(left) {
                Ok(message) => {
                    self.seen.push(message.clone());
                    if pred(&message) {
                        return message;
                    }
                }
                Err(_) => panic!("timed out waiting for {what}; got {:#?}", self.seen),
            }
        }
    }

    /// Reads whatever arrives within `period`.
    fn drain(&mut self, period: Duration) {
        let deadline = std::time::Instant::now() + period;
        while let Ok(message) = self
            .incoming
            .recv_timeout(deadline.saturating_duration_since(std::time::Instant::now()))
        {
            self.seen.push(message);
        }
    }

    /// `(type, message)` of every `window/logMessage` so far.
    fn logs(&self) -> Vec<(u64, String)> {
        self.seen
            .iter()
            .filter(|m| m["method"] == "window/logMessage")
            .map(|m| {
                (
                    m["params"]["type"].as_u64().unwrap(),
                    m["params"]["message"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    fn stop(mut self) {
        self.send(json!({"jsonrpc": "2.0", "id": 99, "method": "shutdown", "params": null}));
        self.until("shutdown response", TIMEOUT, |m| m["id"] == 99);
        self.send(json!({"jsonrpc": "2.0", "method": "exit", "params": null}));
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while std::time::Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Stdio {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A local port with nothing listening.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Runs a session of the real server at `level`: initialize, open a
/// blueprint whose database URL has a password, wait for the pre-flight's
/// BP310; returns the session (every message seen).
fn logged_session(level: &str) -> Stdio {
    let mut server = Stdio::start();
    let root = format!("file://{}", server.root.display());
    server.send(json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {
            "processId": null,
            "rootUri": root,
            "capabilities": {"window": {"workDoneProgress": true}},
            "initializationOptions": {"logLevel": level}
        }
    }));
    let init = server.until("initialize response", TIMEOUT, |m| m["id"] == 1);
    assert!(init.get("error").is_none(), "{init}");
    server.send(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
    let uri = format!("{root}/log.blueprint.yaml");
    let text = postgres_blueprint(&format!(
        "postgres://app:S3cretPw@127.0.0.1:{}/db",
        closed_port()
    ));
    server.send(json!({
        "jsonrpc": "2.0", "method": "textDocument/didOpen",
        "params": {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}
    }));
    server.until("BP310 from the pre-flight", TIMEOUT, |m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["diagnostics"]
                .as_array()
                .is_some_and(|d| d.iter().any(|d| d["code"] == "BP310"))
    });
    // Stragglers (the log is forwarded asynchronously).
    server.drain(Duration::from_millis(300));
    for message in &server.seen {
        assert!(!message.to_string().contains("S3cretPw"), "{message}");
    }
    server
}

#[test]
fn debug_logs_reach_the_client_masked() {
    let server = logged_session("debug");
    let logs = server.logs();
    assert!(
        logs.iter()
            .any(|(kind, line)| *kind == 3 && line.contains("initialized")),
        "{logs:#?}"
    );
    assert!(
        logs.iter()
            .any(|(kind, line)| *kind == 4 && line.contains("inspecting")),
        "{logs:#?}"
    );
    assert!(
        logs.iter().any(|(_, line)| line.contains("app:***@")),
        "{logs:#?}"
    );
    assert!(logs.iter().all(|(_, line)| !line.contains("S3cretPw")));
    server.stop();
}

#[test]
fn error_level_sends_no_info_or_debug_lines() {
    let server = logged_session("error");
    let logs = server.logs();
    assert!(logs.iter().all(|(kind, _)| *kind == 1), "{logs:#?}");
    server.stop();
}
