//! Language features over the protocol, in-process: hover, completion,
//! definition, rename, code actions, document symbols and semantic tokens,
//! each asserting exact results. The harness is in `lsp_support/`.

mod lsp_support;
use lsp_support::*;
use serde_json::json;

/// Opens the BP301 blueprint and waits for its first diagnostics.
async fn open_broken(utf8: bool) -> (Client, String) {
    let client = Client::start();
    client.initialize(utf8).await;
    let uri = client.uri("a.blueprint.yaml");
    client.open(&uri, &blueprint("inptu"), 1);
    client.diagnostics(&uri, Some(1)).await;
    (client, uri)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hover_on_component_type() {
    let (client, uri) = open_broken(false).await;
    // Line 11: "      type: Sink"; line 7: "      type: APIEndpoint".
    let hover = client.request("textDocument/hover", at(&uri, 7, 15)).await;
    assert_eq!(hover["contents"]["kind"], "markdown", "{hover}");
    let value = hover["contents"]["value"].as_str().unwrap();
    assert!(value.contains("APIEndpoint"), "{value}");
    assert_eq!(hover["range"], range((7, 12), (7, 23)));
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hover_on_store_type_mentions_store() {
    let client = Client::start();
    client.initialize(false).await;
    let uri = client.uri("store.blueprint.yaml");
    let text = std::fs::read_to_string("tests/fixtures/rules/BP301.blueprint.yaml").unwrap();
    let (line, col) = find(&text, "type: Store");
    client.open(&uri, &text, 1);
    let hover = client
        .request("textDocument/hover", at(&uri, line, col + 8))
        .await;
    assert_eq!(hover["contents"]["kind"], "markdown", "{hover}");
    assert!(hover["contents"]["value"]
        .as_str()
        .unwrap()
        .contains("Store"));
    client.shutdown().await;
}

/// The zero-based line and (ASCII) column of the first `needle`.
fn find(text: &str, needle: &str) -> (u32, u32) {
    for (i, line) in text.lines().enumerate() {
        if let Some(col) = line.find(needle) {
            return (i as u32, col as u32);
        }
    }
    panic!("{needle} not found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn completion_of_component_types() {
    let (client, uri) = open_broken(false).await;
    // Replace "Sink" on line 11 with nothing: "      type: " and complete.
    client.change(&uri, 2, (11, 12), (11, 16), "");
    let result = client
        .request("textDocument/completion", at(&uri, 11, 12))
        .await;
    let items = result
        .get("items")
        .cloned()
        .unwrap_or_else(|| result.clone());
    let labels: Vec<&str> = items
        .as_array()
        .expect("completion items")
        .iter()
        .filter_map(|i| i["label"].as_str())
        .collect();
    for expected in ["APIEndpoint", "Store", "Sink"] {
        assert!(labels.contains(&expected), "{expected} not in {labels:?}");
    }
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn completion_of_ports_in_bindings() {
    let (client, uri) = open_broken(false).await;
    // "      to: [task_sink.inptu]" -> "      to: [task_sink.]"
    client.change(
        &uri,
        2,
        (PORT_LINE, PORT_COL),
        (PORT_LINE, PORT_COL + 5),
        "",
    );
    let result = client
        .request("textDocument/completion", at(&uri, PORT_LINE, PORT_COL))
        .await;
    let items = result
        .get("items")
        .cloned()
        .unwrap_or_else(|| result.clone());
    let labels: Vec<String> = items
        .as_array()
        .expect("completion items")
        .iter()
        .filter_map(|i| i["label"].as_str().map(str::to_string))
        .collect();
    assert!(
        labels
            .iter()
            .any(|l| l == "input" || l == "task_sink.input"),
        "{labels:?}"
    );
    // Only inputs in a `to:`: the API's output is not offered.
    assert!(
        !labels.iter().any(|l| l.ends_with("commands")),
        "{labels:?}"
    );
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn definition_of_binding_endpoint_is_the_component_name() {
    let (client, uri) = open_broken(false).await;
    // On "task_api" in "    - from: task_api.commands" (line 14, col 12).
    let result = client
        .request("textDocument/definition", at(&uri, 14, 13))
        .await;
    let location = if result.is_array() {
        result[0].clone()
    } else {
        result
    };
    let target_range = location
        .get("targetSelectionRange")
        .or_else(|| location.get("range"))
        .cloned()
        .unwrap();
    let target_uri = location
        .get("targetUri")
        .or_else(|| location.get("uri"))
        .cloned()
        .unwrap();
    assert_eq!(target_uri, uri.as_str());
    // "    - name: task_api" on line 6.
    assert_eq!(target_range, range((6, 12), (6, 20)));
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rename_component_updates_bindings() {
    let (client, uri) = open_broken(false).await;
    let prepared = client
        .request("textDocument/prepareRename", at(&uri, 10, 14))
        .await;
    let prepared_range = prepared.get("range").cloned().unwrap_or(prepared.clone());
    assert_eq!(prepared_range, range((10, 12), (10, 21)), "{prepared}");

    let edit = client
        .request(
            "textDocument/rename",
            json!({"textDocument": {"uri": uri}, "position": position(10, 14), "newName": "task_out"}),
        )
        .await;
    let edits = edits_for(&edit, &uri);
    let mut ranges: Vec<Value> = edits.iter().map(|e| e["range"].clone()).collect();
    ranges.sort_by_key(|r| {
        (
            r["start"]["line"].as_u64(),
            r["start"]["character"].as_u64(),
        )
    });
    assert_eq!(
        ranges,
        vec![
            range((10, 12), (10, 21)),
            range((PORT_LINE, 11), (PORT_LINE, 20))
        ]
    );
    assert!(edits.iter().all(|e| e["newText"] == "task_out"));
    client.shutdown().await;
}

/// The text edits for `uri` in a WorkspaceEdit (`changes` or
/// `documentChanges`).
fn edits_for(edit: &Value, uri: &str) -> Vec<Value> {
    if let Some(changes) = edit.get("changes").and_then(|c| c.get(uri)) {
        return changes.as_array().cloned().unwrap_or_default();
    }
    edit["documentChanges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["textDocument"]["uri"] == uri)
        .flat_map(|c| c["edits"].as_array().cloned().unwrap_or_default())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn code_action_for_did_you_mean() {
    let (client, uri) = open_broken(false).await;
    let diagnostics = client.pull(&uri).await;
    let actions = client
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": uri},
                "range": range((PORT_LINE, PORT_COL + 1), (PORT_LINE, PORT_COL + 1)),
                "context": {"diagnostics": diagnostics, "only": ["quickfix"]}
            }),
        )
        .await;
    let action = actions
        .as_array()
        .expect("code actions")
        .iter()
        .find(|a| a["title"] == "Replace with `input`")
        .cloned()
        .unwrap_or_else(|| panic!("{actions:#}"));
    assert_eq!(action["kind"], "quickfix");
    let edits = edits_for(&action["edit"], &uri);
    assert_eq!(
        edits,
        vec![
            json!({"range": range((PORT_LINE, PORT_COL), (PORT_LINE, PORT_COL + 5)), "newText": "input"})
        ]
    );
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn document_symbols_include_components() {
    let (client, uri) = open_broken(false).await;
    let symbols = client
        .request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": uri}}),
        )
        .await;
    let mut names = Vec::new();
    collect_symbol_names(&symbols, &mut names);
    for expected in ["task_api", "task_sink", "Task"] {
        assert!(names.iter().any(|n| n == expected), "{expected}: {names:?}");
    }
    client.shutdown().await;
}

fn collect_symbol_names(value: &Value, names: &mut Vec<String>) {
    for symbol in value.as_array().into_iter().flatten() {
        if let Some(name) = symbol["name"].as_str() {
            names.push(name.to_string());
        }
        collect_symbol_names(&symbol["children"], names);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn semantic_tokens_are_returned() {
    let (client, uri) = open_broken(false).await;
    let tokens = client
        .request(
            "textDocument/semanticTokens/full",
            json!({"textDocument": {"uri": uri}}),
        )
        .await;
    let data = tokens["data"].as_array().expect("token data");
    assert!(!data.is_empty());
    assert_eq!(data.len() % 5, 0);
    client.shutdown().await;
}
