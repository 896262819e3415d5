use std::sync::Arc;

use tower_lsp_server::ls_types::*;

use super::completion;
use crate::lsp::position::PositionEncoding;
use crate::lsp::state::State;

/// The cursor is where `|` is; the text is opened without it.
async fn complete(marked: &str) -> Vec<CompletionItem> {
    complete_in(marked, PositionEncoding::Utf16).await
}

async fn complete_in(marked: &str, encoding: PositionEncoding) -> Vec<CompletionItem> {
    let offset = marked.find('|').expect("a cursor");
    let text = marked.replacen('|', "", 1);
    let before = &text[..offset];
    let line = before.matches('\n').count() as u32;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column: usize = match encoding {
        PositionEncoding::Utf16 => text[line_start..offset].chars().map(char::len_utf16).sum(),
        PositionEncoding::Utf8 => offset - line_start,
    };
    let state = Arc::new(State::default());
    state.set_encoding(encoding);
    let uri: Uri = "file:///tmp/completion-test/system.yaml".parse().unwrap();
    state.documents.open(uri.clone(), &text, 1);
    let response = completion(
        &state,
        CompletionParams {
            text_document_position: TextDocumentPositionParams {
                text_document: TextDocumentIdentifier { uri },
                position: Position::new(line, column as u32),
            },
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
            context: None,
        },
    )
    .await
    .unwrap();
    match response {
        Some(CompletionResponse::List(list)) => list.items,
        Some(CompletionResponse::Array(items)) => items,
        None => Vec::new(),
    }
}

fn labels(items: &[CompletionItem]) -> Vec<&str> {
    items.iter().map(|i| i.label.as_str()).collect()
}

fn edit(item: &CompletionItem) -> &TextEdit {
    match item.text_edit.as_ref().expect("a text edit") {
        CompletionTextEdit::Edit(edit) => edit,
        other => panic!("unexpected edit {other:?}"),
    }
}

fn range(line: u32, start: u32, end: u32) -> Range {
    Range::new(Position::new(line, start), Position::new(line, end))
}

/// Everything a completion needs, with multi-byte text (é, 😀) on the
/// lines the cursor goes to, so UTF-16 columns differ from bytes.
const SYSTEM: &str = r#"schema_version: "1.0.0"
system:
  name: tasks
  databases:
    main: { engine: postgres, url: "postgres://app:pw@h/db" }
    archive: { engine: sqlite, url: "sqlite://archive.db" }
  components:
    - name: task_api
      type: APIEndpoint
      outputs: [{ name: commands, schema: Task }, { name: queries, schema: Query }]
    - name: api_store
      type: Store
      inputs: [{ name: input, schema: Task }, { name: lookups, schema: Query }]
      outputs: [{ name: found, schema: Task }]
    - name: audit
      type: Sink
      inputs: [{ name: input }]
"#;

const SCHEMAS: &str = r#"schemas:
  Task:
    type: object
    properties:
      id: { type: string, format: uuid }
  Query:
    type: object
"#;

fn with(middle: &str) -> String {
    format!("{SYSTEM}{middle}{SCHEMAS}")
}

#[tokio::test]
async fn completes_top_level_keys_not_already_present() {
    let items = complete("schema_version: \"1.0.0\"\n|\nsystem:\n  name: s\n").await;
    assert_eq!(labels(&items), ["metadata", "schemas"]);
    let metadata = &items[0];
    assert_eq!(metadata.kind, Some(CompletionItemKind::PROPERTY));
    assert_eq!(metadata.detail.as_deref(), Some("a mapping"));
    assert_eq!(edit(metadata).new_text, "metadata:");
    assert_eq!(edit(metadata).range, range(1, 0, 0));
    // A half-typed key is replaced.
    let items = complete("sch|\nsystem:\n  name: s\n").await;
    assert_eq!(labels(&items), ["schema_version", "metadata", "schemas"]);
    assert_eq!(edit(&items[0]).new_text, "schema_version: ");
    assert_eq!(edit(&items[0]).range, range(0, 0, 3));
}

#[tokio::test]
async fn completes_component_keys_in_a_new_item_and_after_others() {
    let items = complete(&with("    - |\n")).await;
    assert_eq!(
        labels(&items),
        [
            "name",
            "type",
            "description",
            "inputs",
            "outputs",
            "configuration"
        ]
    );
    assert_eq!(items[0].detail.as_deref(), Some("a string (required)"));
    let items = complete(&with("    - name: new_one\n      ty|\n")).await;
    assert_eq!(
        labels(&items),
        ["type", "description", "inputs", "outputs", "configuration"]
    );
    assert_eq!(edit(&items[0]).range, range(18, 6, 8));
}

#[tokio::test]
async fn completes_store_configuration_keys_by_type() {
    let text = with(
        "    - name: s2\n      type: Store\n      configuration:\n        table: t\n        |\n",
    );
    let items = complete(&text).await;
    assert_eq!(
        labels(&items),
        ["buffer_size", "database", "key", "batch_size"]
    );
    assert_eq!(
        items[1].documentation,
        Some(Documentation::MarkupContent(MarkupContent {
            kind: MarkupKind::Markdown,
            value: "Name of the database under `system.databases` the table lives in.".into()
        }))
    );
}

#[tokio::test]
async fn completes_component_types_after_type() {
    let items = complete(&with("    - name: x\n      type: |\n")).await;
    assert_eq!(
        labels(&items),
        [
            "Source",
            "Transformer",
            "Accumulator",
            "Store",
            "Controller",
            "Sink",
            "StreamProcessor",
            "Model",
            "APIEndpoint",
            "Router"
        ]
    );
    let store = &items[3];
    assert_eq!(store.kind, Some(CompletionItemKind::CLASS));
    assert_eq!(store.detail.as_deref(), Some("component type"));
    assert_eq!(
        store.documentation,
        Some(Documentation::MarkupContent(MarkupContent {
            kind: MarkupKind::Markdown,
            value: "Persists records in a database table and reads them back.".into()
        }))
    );
    assert_eq!(edit(store).new_text, "Store");
    assert_eq!(edit(store).range, range(18, 12, 12));
    // Right after the colon (trigger `:`), the value brings its space; a
    // half-typed value is replaced.
    let items = complete(&with("    - name: x\n      type:|\n")).await;
    assert_eq!(edit(&items[0]).new_text, " Source");
    let items = complete(&with("    - name: x\n      type: Sto|\n")).await;
    assert_eq!(edit(&items[3]).range, range(18, 12, 15));
}

#[tokio::test]
async fn completes_output_ports_after_from() {
    let items = complete(&with("  bindings:\n    - from: |\n")).await;
    assert_eq!(
        labels(&items),
        ["task_api.commands", "task_api.queries", "api_store.found"]
    );
    assert_eq!(items[0].kind, Some(CompletionItemKind::FIELD));
    assert_eq!(
        items[0].detail.as_deref(),
        Some("output port · schema Task")
    );
    assert_eq!(edit(&items[0]).range, range(18, 12, 12));
}

#[tokio::test]
async fn completes_input_ports_of_the_named_component_after_a_dot() {
    let text = with("  bindings:\n    - from: task_api.commands\n      to: api_store.|\n");
    let items = complete(&text).await;
    assert_eq!(labels(&items), ["api_store.input", "api_store.lookups"]);
    assert_eq!(items[0].detail.as_deref(), Some("input port · schema Task"));
    assert_eq!(edit(&items[0]).new_text, "api_store.input");
    assert_eq!(edit(&items[0]).range, range(19, 10, 20));
    // Every input without a component; in a block list and in a flow list.
    let text = with("  bindings:\n    - from: task_api.commands\n      to:\n        - |\n");
    assert_eq!(
        labels(&complete(&text).await),
        ["api_store.input", "api_store.lookups", "audit.input"]
    );
    let text = with("  bindings:\n    - from: task_api.commands\n      to: [audit.input, api|\n");
    assert_eq!(
        labels(&complete(&text).await),
        ["api_store.input", "api_store.lookups", "audit.input"]
    );
}

#[tokio::test]
async fn completes_schema_and_database_names() {
    let text = with(
        "    - name: x\n      type: Sink\n      inputs:\n        - name: i\n          schema: |\n",
    );
    let items = complete(&text).await;
    assert_eq!(labels(&items), ["Task", "Query"]);
    assert_eq!(items[0].kind, Some(CompletionItemKind::STRUCT));
    assert_eq!(
        items[0].documentation,
        Some(Documentation::MarkupContent(MarkupContent {
            kind: MarkupKind::Markdown,
            value: "fields: id".into(),
        }))
    );
    let text =
        with("    - name: x\n      type: Store\n      configuration:\n        database: |\n");
    let items = complete(&text).await;
    assert_eq!(labels(&items), ["main", "archive"]);
    assert_eq!(items[0].detail.as_deref(), Some("PostgreSQL database"));
    assert_eq!(items[1].detail.as_deref(), Some("SQLite database"));
}

#[tokio::test]
async fn completes_field_types_formats_and_enums() {
    let items = complete("schemas:\n  T:\n    properties:\n      a:\n        type: |\n").await;
    assert_eq!(
        labels(&items),
        ["object", "array", "string", "number", "integer", "boolean", "null"]
    );
    let items = complete("schemas:\n  T:\n    properties:\n      a:\n        format: d|\n").await;
    assert_eq!(labels(&items)[..4], ["uuid", "date-time", "date", "time"]);
    let items = complete("system:\n  databases:\n    main:\n      engine: |\n").await;
    assert_eq!(labels(&items), ["postgres", "mysql", "sqlite"]);
    let items = complete("system:\n  databases:\n    main:\n      migrations: |\n").await;
    assert_eq!(labels(&items), ["auto", "verify", "off"]);
    let items = complete(&with("    - name: x\n      type: Sink\n      inputs:\n        - name: i\n          flow_type: |\n")).await;
    assert_eq!(labels(&items), ["push", "pull", "request_response"]);
}

#[tokio::test]
async fn columns_count_utf16_units_after_multi_byte_text() {
    // Multi-byte text before the cursor on the same line: the range is in
    // UTF-16 units (or bytes, when UTF-8 was negotiated).
    let marked = with("  bindings:\n    - from: task_api.commands\n      to: [\"é😀\", api|\n");
    let items = complete(&marked).await;
    assert_eq!(
        labels(&items),
        ["api_store.input", "api_store.lookups", "audit.input"]
    );
    assert_eq!(edit(&items[0]).range, range(19, 18, 21));
    let items = complete_in(&marked, PositionEncoding::Utf8).await;
    assert_eq!(edit(&items[0]).range, range(19, 21, 24));
    let marked = with("  bindings:\n    - { note: \"é😀\" }\n    - from: task_api.q|\n");
    let items = complete(&marked).await;
    assert_eq!(labels(&items), ["task_api.commands", "task_api.queries"]);
    assert_eq!(edit(&items[0]).range, range(19, 12, 22));
    let marked = "system:\n  description: \"tâches 😀\"\n  databases:\n    main: { engine: postgres }\n  components:\n    - name: s\n      type: Store\n      configuration: { table: t }\n      description: é😀\n      |\n";
    let utf16 = complete_in(marked, PositionEncoding::Utf16).await;
    let utf8 = complete_in(marked, PositionEncoding::Utf8).await;
    assert_eq!(labels(&utf16), ["inputs", "outputs"]);
    assert_eq!(labels(&utf16), labels(&utf8));
    // Same line as the multi-byte characters, after them.
    let marked = "system:\n  components:\n    - { name: \"é😀\", type: |\n";
    let _ = complete(marked).await; // must not panic on a flow mapping
    let marked = "metadata: { description: \"é😀\" }\nsys|\n";
    let items = complete(marked).await;
    assert_eq!(labels(&items), ["schema_version", "system", "schemas"]);
    assert_eq!(edit(&items[1]).range, range(1, 0, 3));
}

#[tokio::test]
async fn nothing_on_free_form_values_comments_or_unknown_documents() {
    assert!(complete("system:\n  name: |\n").await.is_empty());
    assert!(complete("system:\n  # |\n").await.is_empty());
    let state = Arc::new(State::default());
    let uri: Uri = "file:///tmp/completion-test/none.yaml".parse().unwrap();
    let none = completion(
        &state,
        CompletionParams {
            text_document_position: TextDocumentPositionParams {
                text_document: TextDocumentIdentifier { uri },
                position: Position::new(0, 0),
            },
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
            context: None,
        },
    )
    .await
    .unwrap();
    assert!(none.is_none());
}

#[tokio::test]
async fn completes_inside_flow_mappings() {
    // Configuration keys of a Store written as a flow mapping.
    let text = with("    - name: s2\n      type: Store\n      configuration: { table: t, |}\n");
    let items = complete(&text).await;
    assert_eq!(
        labels(&items),
        ["buffer_size", "database", "key", "batch_size"]
    );
    assert_eq!(edit(&items[0]).new_text, "buffer_size: ");
    let text = with("    - name: s2\n      type: Store\n      configuration: { table: t,|}\n");
    assert_eq!(edit(&complete(&text).await[0]).new_text, " buffer_size: ");
    // A value in a flow mapping: the database of a store, a port's schema.
    let text = with(
        "    - name: s2\n      type: Store\n      configuration: { database: m|, table: t }\n",
    );
    assert_eq!(labels(&complete(&text).await), ["main", "archive"]);
    let text = with("    - name: s3\n      type: Sink\n      inputs: [{ name: i, schema: |}]\n");
    assert_eq!(labels(&complete(&text).await), ["Task", "Query"]);
    // A quoted value being typed.
    let text = with("    - name: x\n      type: \"Sto|\n");
    let items = complete(&text).await;
    assert_eq!(edit(&items[3]).new_text, "Store");
    assert_eq!(edit(&items[3]).range, range(18, 13, 16));
}

#[tokio::test]
async fn completes_in_crlf_text() {
    let marked = with("  bindings:\n    - from: task_api.commands\n      to: api_store.|\n")
        .replace('\n', "\r\n");
    let items = complete(&marked).await;
    assert_eq!(labels(&items), ["api_store.input", "api_store.lookups"]);
    assert_eq!(edit(&items[0]).range, range(19, 10, 20));
    let marked = "system:\r\n  name: s\r\n  |\r\n  components: []\r\n";
    assert_eq!(
        labels(&complete(marked).await),
        [
            "description",
            "version",
            "databases",
            "observability",
            "bindings"
        ]
    );
}

#[test]
fn never_panics_at_any_offset() {
    let text = with("  bindings:\n    - { from: \"é😀\", to: [a.\n    - from: task_api.\r\n      to:\n        - x.\n");
    for offset in 0..=text.len() + 2 {
        let _ = super::complete_at(&text, offset);
    }
}

#[tokio::test]
async fn completes_a_routers_own_outputs_in_its_routes() {
    let text = with("    - name: r\n      type: Router\n      outputs: [{ name: large, schema: Task }, { name: small }]\n      configuration:\n        routes:\n          - when: amount > 10\n            output: |\n");
    let items = complete(&text).await;
    assert_eq!(labels(&items), ["large", "small"]);
    assert_eq!(
        items[0].detail.as_deref(),
        Some("output port · schema Task")
    );
    let text = with("    - name: r\n      type: Router\n      outputs: [{ name: large }]\n      configuration: { default_output: | }\n");
    assert_eq!(labels(&complete(&text).await), ["large"]);
}
