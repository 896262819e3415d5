//! Live metrics through the language server, with real parts only: the
//! runtime's own `Metrics` registry served by its own axum router on
//! 127.0.0.1:0, a blueprint whose `observability.metrics.listen` is that
//! address, observations recorded through the runtime's public API, and
//! inlay hints, hover and code lens asserted over the protocol.
//!
//! The harness is in `lsp_support/`.

mod lsp_support;
use lsp_support::*;

use blueprint_runtime::{CancellationToken, Metrics, Readiness};

/// A store `task_store` on database `main` (its pool is `main`), an
/// endpoint `task_api`, and the metrics address `listen` (none when empty).
fn live_blueprint(listen: &str) -> String {
    let observability = if listen.is_empty() {
        String::new()
    } else {
        format!("  observability:\n    metrics:\n      listen: \"{listen}\"\n")
    };
    sqlite_blueprint("sqlite://tasks.db").replacen(
        "  databases:\n",
        &format!("{observability}  databases:\n"),
        1,
    )
}

/// A client (see [`initialize`]) with `live_blueprint(listen)` open as
/// `name`, analysed without findings of the fast tiers.
async fn open_live(name: &str, listen: &str) -> (Client, String, String) {
    let client = Client::start();
    initialize(&client).await;
    let uri = client.uri(name);
    let text = live_blueprint(listen);
    client.open(&uri, &text, 1);
    assert_no_fast_tier_findings(&client, &uri).await;
    (client, uri, text)
}

/// Line and the column just past `- name: {name}` in `text`.
fn name_end(text: &str, name: &str) -> (u32, u32) {
    let needle = format!("- name: {name}");
    for (i, line) in text.lines().enumerate() {
        if let Some(col) = line.find(&needle) {
            return (i as u32, (col + needle.len()) as u32);
        }
    }
    panic!("{name} not in the blueprint");
}

fn line_of(text: &str, prefix: &str) -> u32 {
    text.lines()
        .position(|l| l.starts_with(prefix))
        .expect("line") as u32
}

/// A running system whose only figures are `task_store`'s pool on `main`:
/// `max` connections, `used` of them in use.
async fn one_pool(max: u32, used: u32) -> (String, CancellationToken) {
    let metrics = Metrics::new();
    let pool = metrics.pool("task_store", "main");
    pool.set_max(max);
    pool.set_connections(max - used, used);
    serve_metrics(metrics).await
}

/// A running system's `/metrics`: the runtime's router on 127.0.0.1:0.
async fn serve_metrics(metrics: Metrics) -> (String, CancellationToken) {
    let (listener, addr) = blueprint_runtime::bind("127.0.0.1:0").await.expect("bind");
    let token = CancellationToken::new();
    let router = blueprint_runtime::router(metrics, Readiness::new());
    tokio::spawn(blueprint_runtime::serve(listener, router, token.clone()));
    (addr.to_string(), token)
}

/// Initialize as an editor that supports inlay hint and code lens
/// refreshes, scraping every 200 ms.
async fn initialize(client: &Client) {
    client
        .initialize_as(
            live_capabilities(),
            json!({"liveMetrics": {"intervalMs": 200}}),
        )
        .await;
}

async fn hints(client: &Client, uri: &str) -> Vec<Value> {
    let result = client
        .request(
            "textDocument/inlayHint",
            json!({"textDocument": {"uri": uri}, "range": range((0, 0), (1000, 0))}),
        )
        .await;
    result.as_array().cloned().unwrap_or_default()
}

async fn lenses(client: &Client, uri: &str) -> Vec<Value> {
    let result = client
        .request(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": uri}}),
        )
        .await;
    result.as_array().cloned().unwrap_or_default()
}

/// The title of the status lens, when the lenses are the status and its
/// `disconnect` action.
fn status_title(lenses: &[Value]) -> Option<String> {
    match lenses {
        [status, action] if action["command"]["command"] == "blueprint.live.disconnect" => {
            status["command"]["title"].as_str().map(str::to_owned)
        }
        _ => None,
    }
}

/// Polls `probe` until `pred` holds (10 s at most).
async fn until<T: std::fmt::Debug, F: std::future::Future<Output = T>>(
    what: &str,
    probe: impl FnMut() -> F,
    pred: impl Fn(&T) -> bool,
) -> T {
    poll_until(what, Duration::from_secs(10), probe, pred).await
}

fn refreshes(client: &Client, method: &str) -> usize {
    client
        .server_requests
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r["method"] == method)
        .count()
}

/// The blueprint analyses cleanly (the pre-flight may add that the SQLite
/// file does not exist; that is not what these tests are about).
async fn assert_no_fast_tier_findings(client: &Client, uri: &str) {
    let diagnostics = client.diagnostics(uri, Some(1)).await;
    let fast: Vec<&Value> = diagnostics
        .iter()
        .filter(|d| d["source"] == "blueprint")
        .collect();
    assert!(fast.is_empty(), "{fast:#?}");
}

fn label(hint: &Value) -> String {
    hint["label"].as_str().unwrap_or_default().to_owned()
}

/// The number before `unit` after `key` in a hint: `p95 2.1 ms` → 2.1.
fn figure(text: &str, key: &str) -> f64 {
    let rest = text
        .split(key)
        .nth(1)
        .unwrap_or_else(|| panic!("{key} in {text}"));
    let number: String = rest
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    number.parse().unwrap_or_else(|_| panic!("{key} in {text}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hints_hover_and_lens_follow_the_running_system() {
    let metrics = Metrics::new();
    let pool = metrics.pool("task_store", "main");
    pool.set_max(10);
    pool.set_connections(7, 3);
    let (address, server) = serve_metrics(metrics.clone()).await;

    let (client, uri, text) = open_live("live.blueprint.yaml", &address).await;

    // Idle system: after two scrapes, the pool as it stands and no traffic.
    let (line, col) = name_end(&text, "task_store");
    let found = until("the idle hint", || hints(&client, &uri), |h| h.len() == 1).await;
    assert_eq!(found[0]["position"], position(line, col), "{found:#?}");
    assert_eq!(label(&found[0]), "pool 3/10 · 0/s");
    // task_api is not reported by the running system: no hint for it.

    // The lens says live.
    let system_line = line_of(&text, "system:");
    let lens = until(
        "the live lens",
        || lenses(&client, &uri),
        |l| {
            status_title(l)
                .as_deref()
                .is_some_and(|t| t.starts_with("● live: "))
        },
    )
    .await;
    assert_eq!(lens[0]["range"], range((system_line, 0), (system_line, 0)));
    let title = lens[0]["command"]["title"].as_str().unwrap();
    assert!(
        title.starts_with(&format!("● live: {address} · scraped ")),
        "{title}"
    );
    assert!(title.ends_with(" s ago"), "{title}");

    // Nothing changes: one refresh (for the hint's appearance), no more.
    let first = until(
        "a refresh",
        || async { refreshes(&client, "workspace/inlayHint/refresh") },
        |n| *n >= 1,
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(refreshes(&client, "workspace/inlayHint/refresh"), first);
    assert_eq!(label(&hints(&client, &uri).await[0]), "pool 3/10 · 0/s");

    // The hover of the idle component: its usual content, then the table.
    let hover_at = at(&uri, line, col - 2);
    let idle = client.request("textDocument/hover", hover_at.clone()).await;
    let idle = idle["contents"]["value"].as_str().unwrap().to_owned();
    let (plain, table) = idle
        .split_once("\n\n---\n\n**Live**")
        .unwrap_or_else(|| panic!("no live table in {idle}"));
    let plain = plain.to_owned();
    assert!(
        plain.starts_with("**task_store** — component of type `Store`"),
        "{plain}"
    );
    assert!(table.contains("| pool in use | 3 |"), "{table}");

    // Load: 2 ms INSERTs with 300 µs acquire waits, 4 every 10 ms.
    let load = CancellationToken::new();
    {
        let pool = pool.clone();
        let load = load.clone();
        tokio::spawn(async move {
            while !load.is_cancelled() {
                pool.set_connections(5, 5);
                for _ in 0..4 {
                    pool.record_wait(Duration::from_micros(300));
                    pool.record_operation("INSERT", Duration::from_millis(2));
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        });
    }
    let busy = until(
        "a busy hint",
        || hints(&client, &uri),
        |h| h.len() == 1 && label(&h[0]).contains("p95"),
    )
    .await;
    let busy = label(&busy[0]);
    assert!(busy.starts_with("pool 5/10 · wait "), "{busy}");
    // 2 ms lies in the (1 ms, 2.5 ms] bucket; the p95 interpolates in it.
    let p95 = figure(&busy, "p95");
    assert!(busy.contains(&format!("p95 {p95} ms")), "{busy}");
    assert!((1.0..=2.5).contains(&p95), "{busy}");
    // At most 400/s were recorded (4 per 10 ms; sleeps only lengthen).
    let rate: f64 = busy
        .rsplit(" · ")
        .next()
        .and_then(|r| r.strip_suffix("/s"))
        .and_then(|r| r.parse().ok())
        .unwrap_or_else(|| panic!("rate in {busy}"));
    assert!(rate > 10.0 && rate <= 450.0, "{busy}");
    assert!(refreshes(&client, "workspace/inlayHint/refresh") > first);

    // Hover: the existing content, then the live table.
    let hover = client.request("textDocument/hover", hover_at.clone()).await;
    let value = hover["contents"]["value"].as_str().unwrap();
    assert!(value.starts_with(&plain), "{value}");
    let live = &value[plain.len()..];
    assert!(live.contains(&format!("**Live** ({address})")), "{live}");
    assert!(live.contains("**task_store** · last "), "{live}");
    assert!(live.contains(" UTC"), "{live}");
    assert!(live.contains("| pool in use | 5 |"), "{live}");
    assert!(live.contains("| pool max | 10 |"), "{live}");
    assert!(live.contains("| `INSERT`/s |"), "{live}");
    assert!(live.contains("| figure | value | trend |"), "{live}");
    load.cancel();

    // The system stops: not connected, and the hints disappear.
    server.cancel();
    let lens = until(
        "the not-connected lens",
        || lenses(&client, &uri),
        |l| status_title(l) == Some(format!("○ live metrics: not connected ({address})")),
    )
    .await;
    assert_eq!(lens[0]["range"]["start"]["line"], system_line);
    until("no hints", || hints(&client, &uri), |h| h.is_empty()).await;
    let hover = client.request("textDocument/hover", hover_at).await;
    assert_eq!(hover["contents"]["value"].as_str().unwrap(), plain);
    assert!(refreshes(&client, "workspace/codeLens/refresh") >= 2);

    // Closing the blueprint stops the scraping: no more refreshes.
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after_close = refreshes(&client, "workspace/codeLens/refresh")
        + refreshes(&client, "workspace/inlayHint/refresh");
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(
        refreshes(&client, "workspace/codeLens/refresh")
            + refreshes(&client, "workspace/inlayHint/refresh"),
        after_close
    );
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_metrics_address_no_hints_no_lens_no_error() {
    let (client, uri, text) = open_live("quiet.blueprint.yaml", "").await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(hints(&client, &uri).await, Vec::<Value>::new());
    assert_eq!(lenses(&client, &uri).await, Vec::<Value>::new());
    let (line, col) = name_end(&text, "task_store");
    let hover = client
        .request("textDocument/hover", at(&uri, line, col - 2))
        .await;
    assert!(!hover["contents"]["value"]
        .as_str()
        .unwrap()
        .contains("**Live**"));
    assert_eq!(refreshes(&client, "workspace/inlayHint/refresh"), 0);
    assert_eq!(refreshes(&client, "workspace/codeLens/refresh"), 0);
    assert!(client
        .notifications
        .lock()
        .unwrap()
        .iter()
        .all(|n| n["method"] != "window/showMessage"));
    client.shutdown().await;
}

/// Nothing listens at the address: the lens says so, no hints, no error.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn nothing_running_is_not_connected_without_noise() {
    // A port that was just free: bind, note it, release it.
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .to_string();
    let (client, uri, _) = open_live("down.blueprint.yaml", &addr).await;
    until(
        "the not-connected lens",
        || lenses(&client, &uri),
        |l| status_title(l) == Some(format!("○ live metrics: not connected ({addr})")),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(hints(&client, &uri).await, Vec::<Value>::new());
    assert_eq!(refreshes(&client, "workspace/inlayHint/refresh"), 0);
    assert!(client
        .notifications
        .lock()
        .unwrap()
        .iter()
        .all(|n| n["method"] != "window/showMessage"));
    client.shutdown().await;
}

/// `blueprint.liveMetrics` in `workspace/didChangeConfiguration`: an
/// address for a blueprint that declares none, then `enabled: false`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_client_setting_overrides_and_disables() {
    let (address, server) = one_pool(4, 1).await;
    let (client, uri, _) = open_live("elsewhere.blueprint.yaml", "").await;
    assert_eq!(lenses(&client, &uri).await, Vec::<Value>::new());

    let settings = |enabled: bool| {
        json!({"settings": {"blueprint": {"liveMetrics": {
            "address": address, "intervalMs": 200, "enabled": enabled
        }}}})
    };
    client.notify("workspace/didChangeConfiguration", settings(true));
    let found = until("the hint", || hints(&client, &uri), |h| h.len() == 1).await;
    assert_eq!(label(&found[0]), "pool 1/4 · 0/s");
    let lens = lenses(&client, &uri).await;
    assert!(
        lens[0]["command"]["title"]
            .as_str()
            .is_some_and(|t| t.starts_with(&format!("● live: {address} · scraped "))),
        "{lens:#?}"
    );

    client.notify("workspace/didChangeConfiguration", settings(false));
    until("no lens", || lenses(&client, &uri), |l| l.is_empty()).await;
    assert_eq!(hints(&client, &uri).await, Vec::<Value>::new());
    server.cancel();
    client.shutdown().await;
}

/// Callers waiting on a full pool raise `pool-saturated` on the store's
/// name; it is withdrawn in the first window without waiters. The endpoint
/// the blueprint declares and the system does not report is
/// `not-reported` throughout.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn live_warnings_come_and_go_with_their_condition() {
    let metrics = Metrics::new();
    let pool = metrics.pool("task_store", "main");
    pool.set_max(2);
    pool.set_connections(2, 0);
    let (address, server) = serve_metrics(metrics.clone()).await;
    let (client, uri, text) = open_live("warn.blueprint.yaml", &address).await;
    let store_line = u64::from(name_end(&text, "task_store").0);
    let api_line = u64::from(name_end(&text, "task_api").0);
    let not_reported = ("not-reported".to_owned(), api_line);

    until(
        "the not-reported warning",
        || async { live_warnings(&client, &uri) },
        |w| w == std::slice::from_ref(&not_reported),
    )
    .await;

    // Saturate: every connection in use, three callers waiting.
    pool.set_connections(0, 2);
    let waiting = [
        pool.acquire_started(),
        pool.acquire_started(),
        pool.acquire_started(),
    ];
    let saturated = ("pool-saturated".to_owned(), store_line);
    until(
        "the saturation warning",
        || async { live_warnings(&client, &uri) },
        |w| w.contains(&saturated),
    )
    .await;
    let message = client
        .latest_diagnostics(&uri)
        .into_iter()
        .find(|d| d["code"] == "pool-saturated")
        .unwrap();
    let message = message["message"].as_str().unwrap();
    assert!(
        message.starts_with(
            "pool `main` of `task_store` is saturated: 2/2 connections in use, 3 waiting for one"
        ),
        "{message}"
    );
    assert_eq!(
        client
            .pull(&uri)
            .await
            .iter()
            .filter(|d| d["code"] == "pool-saturated")
            .count(),
        1
    );

    // The waiters got their connections: the warning goes.
    drop(waiting);
    pool.set_connections(1, 1);
    until(
        "the saturation warning withdrawn",
        || async { live_warnings(&client, &uri) },
        |w| w == std::slice::from_ref(&not_reported),
    )
    .await;

    // The system stops: every live warning goes.
    server.cancel();
    until(
        "no live warnings",
        || async { live_warnings(&client, &uri) },
        |w| w.is_empty(),
    )
    .await;
    client.shutdown().await;
}

/// `blueprint.live.connect ADDRESS` scrapes a blueprint that declares no
/// address; `blueprint.live.disconnect` withdraws everything and the lens
/// offers to connect; connect without an address resumes; a malformed
/// address is refused with the reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn connect_and_disconnect_commands() {
    let (address, server) = one_pool(4, 1).await;
    let (client, uri, _) = open_live("connect.blueprint.yaml", "").await;
    assert_eq!(lenses(&client, &uri).await, Vec::<Value>::new());

    let execute = |command: &str, arguments: Value| {
        client.response(
            "workspace/executeCommand",
            json!({"command": command, "arguments": arguments}),
        )
    };
    let refused = execute("blueprint.live.connect", json!(["no-port-here"])).await;
    let error = refused["error"]["message"].as_str().unwrap_or_default();
    assert!(error.contains("expected host:port"), "{refused}");

    let connected = execute("blueprint.live.connect", json!([address])).await;
    assert_eq!(connected["result"]["address"], address, "{connected}");
    until("the hint", || hints(&client, &uri), |h| h.len() == 1).await;
    until(
        "the live lens",
        || lenses(&client, &uri),
        |l| status_title(l).is_some_and(|t| t.starts_with(&format!("● live: {address}"))),
    )
    .await;
    until(
        "the not-reported warning",
        || async { live_warnings(&client, &uri) },
        |w| w.len() == 1,
    )
    .await;

    // The status bar's notification follows the connection.
    let live_states = || {
        client
            .notifications
            .lock()
            .unwrap()
            .iter()
            .filter(|n| n["method"] == "blueprint/status")
            .map(|n| n["params"]["live"].clone())
            .collect::<Vec<_>>()
    };
    until(
        "blueprint/status connected",
        || async { live_states() },
        |s| {
            s.last()
                .is_some_and(|l| l["state"] == "connected" && l["address"] == address.as_str())
        },
    )
    .await;

    let done = execute("blueprint.live.disconnect", json!([])).await;
    assert!(done.get("error").is_none(), "{done}");
    assert_eq!(hints(&client, &uri).await, Vec::<Value>::new());
    let lens = lenses(&client, &uri).await;
    assert_eq!(lens.len(), 2, "{lens:#?}");
    assert_eq!(lens[0]["command"]["title"], "○ live metrics: disconnected");
    assert_eq!(lens[1]["command"]["command"], "blueprint.live.connect");
    until(
        "live warnings withdrawn",
        || async { live_warnings(&client, &uri) },
        |w| w.is_empty(),
    )
    .await;

    until(
        "blueprint/status off",
        || async { live_states() },
        |s| s.last().is_some_and(|l| l["state"] == "off"),
    )
    .await;

    // Connect without an address resumes the address connected to...
    let resumed = execute("blueprint.live.connect", json!([])).await;
    assert_eq!(resumed["result"]["address"], address, "{resumed}");
    until("the hint again", || hints(&client, &uri), |h| h.len() == 1).await;
    // ...and, once connected, goes back to the blueprint's own: none.
    let own = execute("blueprint.live.connect", json!([])).await;
    assert_eq!(own["result"]["address"], Value::Null, "{own}");
    until("no lens", || lenses(&client, &uri), |l| l.is_empty()).await;
    assert_eq!(hints(&client, &uri).await, Vec::<Value>::new());
    server.cancel();
    client.shutdown().await;
}
