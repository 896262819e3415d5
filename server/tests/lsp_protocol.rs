//! The language server, driven in-process over the protocol: a real
//! `tower_lsp_server::Server` on duplex pipes, spoken to in JSON-RPC with
//! `Content-Length` framing exactly as an editor does. Every test asserts
//! exact results (codes, ranges, versions, texts).

mod lsp_support;
use lsp_support::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn initialize_negotiates_utf8_when_offered() {
    let client = Client::start();
    let result = client.initialize(true).await;
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-8");
    assert_eq!(result["serverInfo"]["name"], "blueprint");
    // Incremental sync, pull diagnostics.
    assert_eq!(result["capabilities"]["textDocumentSync"]["change"], 2);
    assert_eq!(
        result["capabilities"]["diagnosticProvider"]["identifier"],
        "blueprint"
    );
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn initialize_falls_back_to_utf16() {
    let client = Client::start();
    let result = client.initialize(false).await;
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn initialized_registers_file_watching() {
    let client = Client::start();
    client.initialize(false).await;
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    loop {
        let registered = client.server_requests.lock().unwrap().iter().any(|r| {
            r["method"] == "client/registerCapability"
                && r["params"]["registrations"][0]["method"] == "workspace/didChangeWatchedFiles"
        });
        if registered {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "never registered");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn open_publishes_exact_diagnostic_and_an_edit_clears_it() {
    let client = Client::start();
    client.initialize(false).await;
    let uri = client.uri("a.blueprint.yaml");
    client.open(&uri, &blueprint("inptu"), 1);

    let diagnostics = client.diagnostics(&uri, Some(1)).await;
    assert_eq!(codes(&diagnostics), ["BP301"], "{diagnostics:#?}");
    let d = &diagnostics[0];
    assert_eq!(
        d["range"],
        range((PORT_LINE, PORT_COL), (PORT_LINE, PORT_COL + 5))
    );
    assert_eq!(d["severity"], 1);
    assert_eq!(d["source"], "blueprint");
    assert_eq!(
        d["message"],
        "component `task_sink` has no input `inptu`\nhelp: did you mean `input`?"
    );

    // Fix it: "inptu" -> "input" by replacing the three characters "ptu".
    client.change(
        &uri,
        2,
        (PORT_LINE, PORT_COL + 2),
        (PORT_LINE, PORT_COL + 5),
        "put",
    );
    let diagnostics = client.diagnostics(&uri, Some(2)).await;
    assert_eq!(diagnostics, Vec::<Value>::new());
    assert_eq!(client.pull(&uri).await, Vec::<Value>::new());
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn clean_fixture_has_no_diagnostics() {
    let client = Client::start();
    client.initialize(true).await;
    let text = blueprint("input");
    let uri = client.uri("clean.blueprint.yaml");
    client.open(&uri, &text, 7);
    assert_eq!(client.diagnostics(&uri, Some(7)).await, Vec::<Value>::new());
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pulled_diagnostics_equal_pushed() {
    let client = Client::start();
    client.initialize(true).await;
    let uri = client.uri("a.blueprint.yaml");
    client.open(&uri, &blueprint("inptu"), 1);
    let pushed = client.diagnostics(&uri, Some(1)).await;
    let pulled = client.pull(&uri).await;
    assert_eq!(codes(&pushed), ["BP301"]);
    assert_eq!(pushed, pulled);
    client.shutdown().await;
}

/// 50 single-character inserts sent back to back, never awaiting: the
/// server must apply them in order. The inserted characters become the port
/// name, which the BP301 message quotes, so the message shows the server's
/// text.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rapid_edits_are_applied_in_order() {
    let client = Client::start();
    client.initialize(false).await;
    let uri = client.uri("a.blueprint.yaml");
    let mut text = blueprint("");
    client.open(&uri, &text, 1);
    // The open's diagnostics (an empty port name), then the burst.
    client.diagnostics(&uri, Some(1)).await;

    let alphabet: Vec<char> = "abcdefghijklmnopqrstuvwxyz0123456789_".chars().collect();
    let mut port = String::new();
    let line_start = text
        .match_indices('\n')
        .nth(PORT_LINE as usize - 1)
        .unwrap()
        .0
        + 1;
    for i in 0..50u32 {
        // Alternate between appending and inserting at the front, so that any
        // reordering changes the result.
        let c = alphabet[(i as usize * 7) % alphabet.len()];
        let at = if i % 3 == 0 { 0 } else { port.len() as u32 };
        port.insert(at as usize, c);
        text.insert(line_start + PORT_COL as usize + at as usize, c);
        client.change(
            &uri,
            2 + i as i32,
            (PORT_LINE, PORT_COL + at),
            (PORT_LINE, PORT_COL + at),
            &c.to_string(),
        );
    }
    assert_eq!(text, blueprint(&port));
    let expected =
        format!("component `task_sink` has no input `{port}`\nhelp: its inputs are: input");

    let pushed = client.diagnostics(&uri, Some(51)).await;
    assert_eq!(codes(&pushed), ["BP301"], "{pushed:#?}");
    assert_eq!(pushed[0]["message"], expected.as_str());
    assert_eq!(
        pushed[0]["range"],
        range((PORT_LINE, PORT_COL), (PORT_LINE, PORT_COL + 50))
    );
    let pulled = client.pull(&uri).await;
    assert_eq!(pulled, pushed);
    // No diagnostics for a stale version are published after the final one.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let last = client
        .published()
        .into_iter()
        .rfind(|p| p["uri"] == uri.as_str())
        .unwrap();
    assert_eq!(last["version"], 51);
    client.shutdown().await;
}

/// The same, many times over and with several bursts, to catch races that
/// only show up now and then.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bursts_of_edits_leave_the_same_text_every_time() {
    for round in 0..5 {
        let client = Client::start();
        client.initialize(round % 2 == 0).await;
        let uri = client.uri("burst.blueprint.yaml");
        client.open(&uri, &blueprint(""), 0);
        let mut version = 0;
        let mut port = String::new();
        for burst in 0..4 {
            for i in 0..40u32 {
                version += 1;
                let c = (b'a' + ((i + burst) % 26) as u8) as char;
                let at = if (i + round) % 2 == 0 {
                    0
                } else {
                    port.len() as u32
                };
                port.insert(at as usize, c);
                client.change(
                    &uri,
                    version,
                    (PORT_LINE, PORT_COL + at),
                    (PORT_LINE, PORT_COL + at),
                    &c.to_string(),
                );
            }
            tokio::time::sleep(Duration::from_millis(5 * burst as u64)).await;
        }
        let pushed = client.diagnostics(&uri, Some(version as i64)).await;
        assert_eq!(
            pushed[0]["message"],
            format!("component `task_sink` has no input `{port}`\nhelp: its inputs are: input")
                .as_str(),
            "round {round}"
        );
        client.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn crlf_and_multibyte_columns_utf16() {
    let (text, utf8, utf16) = multibyte_blueprint();
    let client = Client::start();
    let result = client.initialize(false).await;
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
    let uri = client.uri("emoji.blueprint.yaml");
    client.open(&uri, &text, 1);
    let diagnostics = client.diagnostics(&uri, Some(1)).await;
    assert_eq!(codes(&diagnostics), ["BP220"], "{diagnostics:#?}");
    assert_eq!(diagnostics[0]["range"], range((10, utf16), (10, utf16 + 3)));
    assert_ne!(utf8, utf16);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn crlf_and_multibyte_columns_utf8() {
    let (text, utf8, _) = multibyte_blueprint();
    let client = Client::start();
    let result = client.initialize(true).await;
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-8");
    let uri = client.uri("emoji.blueprint.yaml");
    client.open(&uri, &text, 1);
    let diagnostics = client.diagnostics(&uri, Some(1)).await;
    assert_eq!(codes(&diagnostics), ["BP220"], "{diagnostics:#?}");
    assert_eq!(diagnostics[0]["range"], range((10, utf8), (10, utf8 + 3)));

    // An edit positioned in UTF-8 after the emoji, on a CRLF line: fix
    // `Tsk` -> `Task` by inserting "a" after the "T".
    client.change(&uri, 2, (10, utf8 + 1), (10, utf8 + 1), "a");
    assert_eq!(client.diagnostics(&uri, Some(2)).await, Vec::<Value>::new());
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn crlf_edit_in_utf16_after_emoji() {
    let (text, _, utf16) = multibyte_blueprint();
    let client = Client::start();
    client.initialize(false).await;
    let uri = client.uri("emoji.blueprint.yaml");
    client.open(&uri, &text, 1);
    client.diagnostics(&uri, Some(1)).await;
    client.change(&uri, 2, (10, utf16 + 1), (10, utf16 + 1), "a");
    assert_eq!(client.diagnostics(&uri, Some(2)).await, Vec::<Value>::new());
    client.shutdown().await;
}

/// A CRLF blueprint whose line 10 has an emoji, an accented letter and CJK
/// before an unknown schema `Tsk`; returns the text and the UTF-8 and
/// UTF-16 columns of `Tsk`.
fn multibyte_blueprint() -> (String, u32, u32) {
    let line = r#"    - { name: task_sink, description: "😀 é 日本", type: Sink, inputs: [{ name: input, schema: Tsk }] }"#;
    let text = blueprint("input")
        .replace(
            "    - name: task_sink\n      type: Sink\n      inputs: [{ name: input, schema: Task }]",
            line,
        )
        .replace('\n', "\r\n");
    assert_eq!(text.split("\r\n").nth(10), Some(line));
    let prefix = &line[..line.find("Tsk").unwrap()];
    let utf8 = prefix.len() as u32;
    let utf16 = prefix.encode_utf16().count() as u32;
    assert_eq!((utf8, utf16), (100, 93));
    (text, utf8, utf16)
}

// ------------------------------------------------------ core: robustness

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn unknown_method_is_method_not_found_and_server_still_answers() {
    let client = Client::start();
    client.initialize(false).await;
    let response = client
        .response("blueprint/noSuchMethod", json!({"x": 1}))
        .await;
    assert_eq!(response["error"]["code"], -32601, "{response}");
    // An unknown notification is ignored.
    client.notify("blueprint/noSuchNotification", json!({}));
    let uri = client.uri("a.blueprint.yaml");
    client.open(&uri, &blueprint("inptu"), 1);
    assert_eq!(codes(&client.pull(&uri).await), ["BP301"]);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn out_of_range_positions_do_not_crash() {
    let client = Client::start();
    client.initialize(false).await;
    let uri = client.uri("a.blueprint.yaml");
    client.open(&uri, &blueprint("inptu"), 1);
    client.diagnostics(&uri, Some(1)).await;
    let at = json!({"textDocument": {"uri": uri}, "position": position(9999, 9999)});
    // Completion there is at the end of the document (positions past the
    // end clamp to it): top-level keys, edits inside the document.
    let response = client.response("textDocument/completion", at.clone()).await;
    if response.get("error").is_none() && !response["result"].is_null() {
        let items = response["result"]
            .get("items")
            .cloned()
            .unwrap_or_else(|| response["result"].clone());
        for item in items.as_array().expect("completion items") {
            if let Some(edit) = item.get("textEdit") {
                let edit_range = edit.get("range").or_else(|| edit.get("replace")).unwrap();
                assert!(edit_range["end"]["line"].as_u64().unwrap() <= 23, "{item}");
            }
        }
    }
    for method in [
        "textDocument/hover",
        "textDocument/definition",
        "textDocument/documentHighlight",
        "textDocument/prepareRename",
    ] {
        let response = client.response(method, at.clone()).await;
        assert!(
            response["result"].is_null() || response.get("error").is_some(),
            "{method}: {response}"
        );
    }
    let response = client
        .response(
            "textDocument/references",
            json!({"textDocument": {"uri": uri}, "position": position(9999, 0),
                   "context": {"includeDeclaration": true}}),
        )
        .await;
    assert!(response["result"].is_null() || response.get("error").is_some());
    let response = client
        .response(
            "textDocument/rename",
            json!({"textDocument": {"uri": uri}, "position": position(9999, 0), "newName": "x"}),
        )
        .await;
    assert!(response["result"].is_null() || response.get("error").is_some());
    let response = client
        .response(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": range((9999, 0), (10000, 5)),
                   "context": {"diagnostics": []}}),
        )
        .await;
    assert!(
        response.get("error").is_some()
            || response["result"].is_null()
            || response["result"].is_array(),
        "{response}"
    );
    // An edit whose range is past the end (clamped to the end, as the spec
    // does for columns past a line's end) does not crash the server, and
    // deleting nothing there leaves the document as it was.
    client.change(&uri, 2, (9999, 0), (9999, 3), "");
    assert_eq!(codes(&client.diagnostics(&uri, Some(2)).await), ["BP301"]);
    assert_eq!(codes(&client.pull(&uri).await), ["BP301"]);
    // Still alive: a normal request gets a normal answer.
    client.change(
        &uri,
        3,
        (PORT_LINE, PORT_COL + 2),
        (PORT_LINE, PORT_COL + 5),
        "put",
    );
    assert_eq!(client.diagnostics(&uri, Some(3)).await, Vec::<Value>::new());
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn edits_and_requests_for_unknown_documents_are_harmless() {
    let client = Client::start();
    client.initialize(false).await;
    let ghost = client.uri("ghost.blueprint.yaml");
    client.change(&ghost, 5, (0, 0), (0, 0), "garbage: [");
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": client.uri("never-opened.blueprint.yaml")}}),
    );
    let response = client
        .response(
            "textDocument/hover",
            json!({"textDocument": {"uri": ghost}, "position": position(0, 0)}),
        )
        .await;
    assert!(response["result"].is_null() || response.get("error").is_some());
    // Pulling diagnostics of an unknown document: none.
    assert_eq!(client.pull(&ghost).await, Vec::<Value>::new());
    // A real document still works.
    let uri = client.uri("a.blueprint.yaml");
    client.open(&uri, &blueprint("inptu"), 1);
    assert_eq!(codes(&client.diagnostics(&uri, Some(1)).await), ["BP301"]);
    // Nothing was published for the ghost.
    assert!(client
        .published()
        .iter()
        .all(|p| p["uri"] != ghost.as_str()));
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cancelled_request_does_not_wedge_the_server() {
    let client = Client::start();
    client.initialize(false).await;
    let uri = client.uri("a.blueprint.yaml");
    client.open(&uri, &blueprint("inptu"), 1);
    // Cancel a batch of requests right after sending them.
    let mut receivers = Vec::new();
    for _ in 0..10 {
        let (id, rx) = client.send_request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": uri}}),
        );
        client.notify("$/cancelRequest", json!({"id": id}));
        receivers.push(rx);
    }
    // Each gets an answer: its result, or RequestCancelled (-32800).
    for rx in receivers {
        let response = tokio::time::timeout(TIMEOUT, rx).await.unwrap().unwrap();
        if let Some(error) = response.get("error") {
            assert_eq!(error["code"], -32800, "{response}");
        } else {
            assert_eq!(response["result"]["kind"], "full");
        }
    }
    // Cancelling an id that is not in flight is ignored.
    client.notify("$/cancelRequest", json!({"id": 987654}));
    assert_eq!(codes(&client.pull(&uri).await), ["BP301"]);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn workspace_blueprints_are_analysed_and_deleted_ones_cleared() {
    let client = Client::start();
    let path = client.root.join("disk.blueprint.yaml");
    std::fs::write(&path, blueprint("inptu")).unwrap();
    client.initialize(false).await;
    let uri = client.uri("disk.blueprint.yaml");

    // The start-up scan analyses it although it is not open.
    let diagnostics = client.diagnostics(&uri, None).await;
    assert_eq!(codes(&diagnostics), ["BP301"]);

    // Changed on disk: fixed.
    let before = client.published().len();
    std::fs::write(&path, blueprint("input")).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri, "type": 2}]}),
    );
    let fixed = client
        .wait_for("diagnostics after a disk change", |n| {
            n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == uri.as_str()
        })
        .await;
    let _ = fixed;
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    loop {
        let published = client.published();
        if published[before..]
            .iter()
            .any(|p| p["uri"] == uri.as_str() && p["diagnostics"] == json!([]))
        {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{published:#?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    // Broken again, then deleted: the deletion clears its diagnostics.
    std::fs::write(&path, blueprint("inptu")).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri, "type": 2}]}),
    );
    wait_published(&client, &uri, |d| codes(d) == ["BP301"]).await;
    std::fs::remove_file(&path).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri, "type": 3}]}),
    );
    wait_published(&client, &uri, |d| d.is_empty()).await;
    assert_eq!(client.pull(&uri).await, Vec::<Value>::new());

    // A DELETED event for a file that never existed is harmless.
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": client.uri("never.blueprint.yaml"), "type": 3}]}),
    );
    assert_eq!(
        client.response("blueprint/ping", Value::Null).await["error"]["code"],
        -32601
    );
    client.shutdown().await;
}

/// Waits until the latest diagnostics published for `uri` satisfy `pred`.
async fn wait_published(client: &Client, uri: &str, pred: impl Fn(&[Value]) -> bool) {
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    loop {
        let latest = client
            .published()
            .into_iter()
            .rfind(|p| p["uri"] == uri)
            .map(|p| p["diagnostics"].as_array().cloned().unwrap_or_default());
        if latest.as_deref().is_some_and(&pred) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out; latest for {uri}: {latest:#?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn preflight_reports_a_missing_sqlite_database() {
    // The BP301 fixture's database is `sqlite://fixture.db`, which does not
    // exist beside the temporary copy: the pre-flight (read-only, never
    // creating the file) reports BP310, alongside the fast tiers' BP301.
    let client = Client::start();
    client.initialize(false).await;
    let uri = client.uri("db.blueprint.yaml");
    let text = std::fs::read_to_string("tests/fixtures/rules/BP301.blueprint.yaml").unwrap();
    assert!(text.contains("url: sqlite://fixture.db"));
    client.open(&uri, &text, 1);
    wait_published(&client, &uri, |d| {
        let mut found: Vec<(String, String)> = d
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
            == [
                ("BP301".to_string(), "blueprint".to_string()),
                ("BP310".to_string(), "blueprint-preflight".to_string()),
            ]
    })
    .await;
    // Pulled diagnostics include the pre-flight's too.
    let mut pulled = codes(&client.pull(&uri).await);
    pulled.sort();
    assert_eq!(pulled, ["BP301", "BP310"]);
    assert!(!client.root.join("fixture.db").exists());
    client.shutdown().await;
}

// ------------------------------------------------------------- features
