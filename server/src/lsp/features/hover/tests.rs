use std::sync::Arc;

use tower_lsp_server::ls_types::*;

use super::hover;
use crate::lsp::position::PositionEncoding;
use crate::lsp::state::State;

/// A blueprint with a multi-byte description (é, 😀) before the hovered
/// names, so UTF-16 columns differ from bytes.
const TEXT: &str = r#"schema_version: "1.0.0"
metadata:
  natural_language_description: Tâches 😀 with PostgreSQL
system:
  name: task_tracker
  databases:
    main:
      engine: postgres
      url: postgres://app:s3cret@localhost:5432/tasks
      pool: { max_connections: 20, min_connections: 2 }
      migrations: auto
  components:
    - name: task_api
      type: APIEndpoint
      configuration: { port: 8080 }
      outputs: [{ name: commands, schema: Task }]
    - name: task_store
      type: Store
      description: Keeps tâches 😀
      inputs: [{ name: input, schema: Task }]
      configuration: { database: main, table: tasks, key: id }
  bindings:
    - from: task_api.commands
      to: task_store.input
schemas:
  Task:
    type: object
    properties:
      id:    { type: string, format: uuid }
      title: { type: string, maxLength: 200 }
      done:  { type: boolean, default: false }
    required: [id, title]
"#;

/// LSP position (UTF-16) of the `nth` occurrence of `needle` in `text`,
/// `shift` characters into it.
fn position_of(text: &str, needle: &str, nth: usize, shift: usize) -> Position {
    let offset = text.match_indices(needle).nth(nth).expect(needle).0;
    let before = &text[..offset];
    let line = before.matches('\n').count() as u32;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column: usize = text[line_start..offset].chars().map(char::len_utf16).sum();
    Position {
        line,
        character: (column + shift) as u32,
    }
}

async fn hover_on(text: &str, needle: &str, nth: usize) -> Option<Hover> {
    let state = Arc::new(State::default());
    state.set_encoding(PositionEncoding::Utf16);
    let uri: Uri = "file:///tmp/hover-test/system.yaml".parse().unwrap();
    state.documents.open(uri.clone(), text, 1);
    hover(
        &state,
        HoverParams {
            text_document_position_params: TextDocumentPositionParams {
                text_document: TextDocumentIdentifier { uri },
                position: position_of(text, needle, nth, 1),
            },
            work_done_progress_params: Default::default(),
        },
    )
    .await
    .unwrap()
}

fn markdown(hover: &Hover) -> &str {
    match &hover.contents {
        HoverContents::Markup(m) => {
            assert_eq!(m.kind, MarkupKind::Markdown);
            &m.value
        }
        other => panic!("not markup: {other:?}"),
    }
}

fn range(text: &str, needle: &str, nth: usize) -> Range {
    let start = position_of(text, needle, nth, 0);
    let end = Position {
        line: start.line,
        character: start.character + needle.encode_utf16().count() as u32,
    };
    Range { start, end }
}

#[tokio::test]
async fn hover_on_a_component_type_shows_summary_configuration_and_ports() {
    let hover = hover_on(TEXT, "Store", 0).await.expect("a hover");
    assert_eq!(hover.range, Some(range(TEXT, "Store", 0)));
    let md = markdown(&hover);
    assert!(md.starts_with(
        "**Store** — component type\n\nPersists records in a database table and reads them back.\n\n**Configuration**\n\n- `buffer_size` — "
    ), "{md}");
    assert!(
        md.contains(
            "\n- `database` — Name of the database under `system.databases` the table lives in.\n"
        ),
        "{md}"
    );
    assert!(
        md.contains("\n- `table` — Table the records are stored in.\n"),
        "{md}"
    );
    assert!(
        md.contains("- `key` — ") && md.contains("- `batch_size` — "),
        "{md}"
    );
    // Legacy and ignored keys are not advertised.
    assert!(
        !md.contains("table_name") && !md.contains("testing_mode"),
        "{md}"
    );
    assert!(md.ends_with("**Typical ports**\n\n- inputs: `input` (records to persist)\n- outputs: `output` (optional, stored records)"), "{md}");
}

#[tokio::test]
async fn hover_on_a_binding_endpoint_shows_the_port_and_its_schema_fields() {
    let hover = hover_on(TEXT, "task_api.commands", 0)
        .await
        .expect("a hover");
    assert_eq!(hover.range, Some(range(TEXT, "task_api.commands", 0)));
    assert_eq!(
        markdown(&hover),
        "**task_api.commands** — output port of `task_api` (APIEndpoint)\n\n\
         - flow: `push`\n\
         - schema: `Task`\n\n\
         | field | type | required |\n\
         |---|---|---|\n\
         | `id` | string (uuid) | yes |\n\
         | `title` | string | yes |\n\
         | `done` | boolean | no |"
    );
    let input = hover_on(TEXT, "task_store.input", 0)
        .await
        .expect("a hover");
    assert!(markdown(&input).starts_with(
        "**task_store.input** — input port of `task_store` (Store)\n\n- flow: `push`\n- schema: `Task`\n"
    ));
}

#[tokio::test]
async fn hover_on_a_database_masks_the_password() {
    let expected = "**main** — database (PostgreSQL)\n\n\
         - engine: `postgres`\n\
         - url: `postgres://app:***@localhost:5432/tasks`\n\
         - pool: max_connections 20, min_connections 2\n\
         - migrations: `auto`\n\
         - stores: `task_store`";
    let on_key = hover_on(TEXT, "main:", 0)
        .await
        .expect("a hover on the key");
    assert_eq!(on_key.range, Some(range(TEXT, "main", 0)));
    assert_eq!(markdown(&on_key), expected);
    // The store's `database: main` reference, after multi-byte text.
    let on_ref = hover_on(TEXT, "main, table", 0)
        .await
        .expect("a hover on the reference");
    assert_eq!(on_ref.range, Some(range(TEXT, "main", 1)));
    assert_eq!(markdown(&on_ref), expected);
    assert!(!markdown(&on_ref).contains("s3cret"));
}

#[tokio::test]
async fn hover_on_a_key_shows_the_shape_doc() {
    let hover = hover_on(TEXT, "migrations", 0).await.expect("a hover");
    assert_eq!(hover.range, Some(range(TEXT, "migrations", 0)));
    assert_eq!(
        markdown(&hover),
        "**`migrations`**: `auto` | `verify` | `off`\n\n\
         At start-up: apply migrations (auto), check the schema only (verify), or neither (off).\n\n\
         In a database."
    );
    let table = hover_on(TEXT, "table:", 0)
        .await
        .expect("a hover on `table`");
    assert_eq!(
        markdown(&table),
        "**`table`**: a string\n\nTable the records are stored in.\n\nIn a Store configuration."
    );
    let system = hover_on(TEXT, "system:", 0)
        .await
        .expect("a hover on `system`");
    assert!(markdown(&system).contains("*Required.*"));
}

#[tokio::test]
async fn hover_on_a_component_name_shows_type_and_ports() {
    let hover = hover_on(TEXT, "task_store", 0).await.expect("a hover");
    assert_eq!(hover.range, Some(range(TEXT, "task_store", 0)));
    assert_eq!(
        markdown(&hover),
        "**task_store** — component of type `Store`\n\nKeeps tâches 😀\n\n**Inputs**\n\n- `input`: `Task` (push)"
    );
}

#[tokio::test]
async fn hover_on_schemas_and_fields() {
    let table = "| field | type | required |\n|---|---|---|\n\
                 | `id` | string (uuid) | yes |\n\
                 | `title` | string | yes |\n\
                 | `done` | boolean | no |";
    let on_port = hover_on(TEXT, "Task }", 0)
        .await
        .expect("a hover on a port's schema");
    assert_eq!(on_port.range, Some(range(TEXT, "Task", 0)));
    assert_eq!(markdown(&on_port), format!("**Task** — schema\n\n{table}"));
    let on_def = hover_on(TEXT, "Task:", 0)
        .await
        .expect("a hover on the schema name");
    assert_eq!(markdown(&on_def), format!("**Task** — schema\n\n{table}"));
    let done = hover_on(TEXT, "done:", 0)
        .await
        .expect("a hover on a field");
    assert_eq!(done.range, Some(range(TEXT, "done", 0)));
    assert_eq!(
        markdown(&done),
        "**done** — field of `Task`\n\n- type: `boolean`\n- required: no\n- default: `false`"
    );
    let id = hover_on(TEXT, "id:", 0).await.expect("a hover on `id`");
    assert_eq!(
        markdown(&id),
        "**id** — field of `Task`\n\n- type: `string`\n- format: `uuid`\n- required: yes"
    );
}

#[tokio::test]
async fn no_hover_on_plain_values_or_outside_the_text() {
    assert!(hover_on(TEXT, "task_tracker", 0)
        .await
        .is_some_and(|h| markdown(&h).contains("`name`")));
    let state = Arc::new(State::default());
    let uri: Uri = "file:///tmp/hover-test/unknown.yaml".parse().unwrap();
    let none = hover(
        &state,
        HoverParams {
            text_document_position_params: TextDocumentPositionParams {
                text_document: TextDocumentIdentifier { uri },
                position: Position::new(99, 99),
            },
            work_done_progress_params: Default::default(),
        },
    )
    .await
    .unwrap();
    assert!(none.is_none());
}

#[tokio::test]
async fn hover_on_a_database_lists_the_last_preflight_findings_masked() {
    let state = Arc::new(State::default());
    state.set_encoding(PositionEncoding::Utf16);
    let uri: Uri = "file:///tmp/hover-test/preflight.yaml".parse().unwrap();
    state.documents.open(uri.clone(), TEXT, 1);
    let url = range(TEXT, "postgres://app:s3cret@localhost:5432/tasks", 0);
    state.preflight.insert(
        uri.clone(),
        vec![Diagnostic {
            range: url,
            message: "cannot connect to postgres://app:s3cret@localhost:5432/tasks\nhelp: start it"
                .into(),
            ..Default::default()
        }],
    );
    let hover = hover(
        &state,
        HoverParams {
            text_document_position_params: TextDocumentPositionParams {
                text_document: TextDocumentIdentifier { uri },
                position: position_of(TEXT, "main:", 0, 1),
            },
            work_done_progress_params: Default::default(),
        },
    )
    .await
    .unwrap()
    .expect("a hover");
    let md = markdown(&hover);
    assert!(
        md.ends_with(
            "- stores: `task_store`\n\n**Last pre-flight**\n\n- cannot connect to postgres://app:***@localhost:5432/tasks"
        ),
        "{md}"
    );
    assert!(!md.contains("s3cret"));
}

#[tokio::test]
async fn hover_in_crlf_text() {
    let text = TEXT.replace('\n', "\r\n");
    let hover = hover_on(&text, "task_api.commands", 0)
        .await
        .expect("a hover");
    assert_eq!(hover.range, Some(range(&text, "task_api.commands", 0)));
    assert!(markdown(&hover).starts_with("**task_api.commands** — output port"));
}

#[test]
fn never_panics_at_any_offset() {
    let text = TEXT
        .replace("task_api.commands", "task_api.")
        .replace("Store", "Stor");
    let parsed = blueprint_grammars::yaml::parse(&text);
    let blueprint = blueprint_grammars::model::lower(parsed.root.as_ref(), &text);
    for offset in 0..=text.len() + 2 {
        let _ = super::hover_at(&text, &blueprint, offset);
    }
}
