use std::sync::Arc;

use blueprint_grammars::interpolate::Environment;
use blueprint_grammars::{LineIndex, SourceText, Span};
use tower_lsp_server::ls_types::*;

use super::code_actions;
use crate::analysis::{check, Diagnostic as AnalysisDiagnostic};
use crate::lsp::position::{PositionEncoding, Positions};
use crate::lsp::state::State;

const BASE: &str = r#"schema_version: "1.0.0"
system:
  name: tasks
  version: 1.0.0
  databases:
    main:
      engine: postgres
      url: postgres://localhost:5432/tasks
  components:
    - name: task_api
      type: APIEndpoint
      configuration: { port: 8080 }
      outputs: [{ name: commands, schema: Task }]
    - name: task_store
      type: Store
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

fn uri() -> Uri {
    "file:///tmp/bp-code-actions/system.yaml".parse().unwrap()
}

fn state_with(text: &str) -> Arc<State> {
    let state = Arc::new(State::default());
    state.set_encoding(PositionEncoding::Utf16);
    state.documents.open(uri(), text, 1);
    state
}

/// The UTF-16 range of the `nth` occurrence of `needle` in `text`.
fn range_of(text: &str, needle: &str, nth: usize) -> Range {
    let start = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("`{needle}` not in the text"))
        .0;
    let index = LineIndex::new(text);
    Positions::new(text, &index, PositionEncoding::Utf16)
        .range(Span::new(start, start + needle.len()))
}

fn params(range: Range, diagnostics: Vec<Diagnostic>) -> CodeActionParams {
    CodeActionParams {
        text_document: TextDocumentIdentifier { uri: uri() },
        range,
        context: CodeActionContext {
            diagnostics,
            only: None,
            trigger_kind: None,
        },
        work_done_progress_params: Default::default(),
        partial_result_params: Default::default(),
    }
}

async fn actions_at(state: &Arc<State>, range: Range, sent: Vec<Diagnostic>) -> Vec<CodeAction> {
    code_actions(state, params(range, sent))
        .await
        .unwrap()
        .unwrap_or_default()
        .into_iter()
        .map(|a| match a {
            CodeActionOrCommand::CodeAction(a) => a,
            CodeActionOrCommand::Command(c) => panic!("unexpected command {c:?}"),
        })
        .collect()
}

fn find<'a>(actions: &'a [CodeAction], title: &str) -> &'a CodeAction {
    actions
        .iter()
        .find(|a| a.title == title)
        .unwrap_or_else(|| {
            let titles: Vec<&str> = actions.iter().map(|a| a.title.as_str()).collect();
            panic!("no action `{title}` among {titles:?}")
        })
}

/// Applies the action's edits to this document (UTF-16 positions).
fn apply(text: &str, action: &CodeAction) -> String {
    let changes = action.edit.as_ref().unwrap().changes.as_ref().unwrap();
    let edits = &changes[&uri()];
    let index = LineIndex::new(text);
    let positions = Positions::new(text, &index, PositionEncoding::Utf16);
    let mut spans: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                positions.offset(e.range.start),
                positions.offset(e.range.end),
                e.new_text.as_str(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_owned();
    for (start, end, new_text) in spans {
        out.replace_range(start..end, new_text);
    }
    out
}

fn diagnostics(text: &str) -> Vec<AnalysisDiagnostic> {
    check(&SourceText::new(text.to_owned()), &Environment::default())
}

fn codes(text: &str) -> Vec<&'static str> {
    diagnostics(text).iter().map(|d| d.rule.code).collect()
}

#[tokio::test]
async fn did_you_mean_port_is_a_preferred_quickfix() {
    let text = BASE.replace("to: task_store.input", "to: task_store.inptu");
    assert_eq!(codes(&text), vec!["BP301"]);
    let state = state_with(&text);
    let actions = actions_at(&state, range_of(&text, "inptu", 0), Vec::new()).await;
    let fix = find(&actions, "Replace with `input`");
    assert_eq!(fix.kind, Some(CodeActionKind::QUICKFIX));
    assert_eq!(fix.is_preferred, Some(true));
    let attached = &fix.diagnostics.as_ref().unwrap()[0];
    assert_eq!(attached.code, Some(NumberOrString::String("BP301".into())));
    assert_eq!(attached.range, range_of(&text, "inptu", 0));
    assert_eq!(apply(&text, fix), BASE);
    // The extra "add a port" action is offered too, but not preferred.
    let add = find(&actions, "Add input `inptu` to `task_store`");
    assert_eq!(add.is_preferred, None);
}

#[tokio::test]
async fn no_actions_away_from_diagnostics() {
    let text = BASE.replace("to: task_store.inptu", "to: task_store.input");
    let state = state_with(&text);
    let actions = actions_at(&state, range_of(&text, "version: 1.0.0", 0), Vec::new()).await;
    // Only "Generate system" (a source action, offered anywhere in a
    // blueprint without errors).
    let titles: Vec<&str> = actions.iter().map(|a| a.title.as_str()).collect();
    assert_eq!(titles, ["Generate system"], "{actions:?}");
    assert_eq!(actions[0].kind, Some(CodeActionKind::SOURCE));
}

#[tokio::test]
async fn unknown_schema_adds_a_skeleton_under_schemas() {
    let text = BASE.replace(
        "outputs: [{ name: commands, schema: Task }]",
        "outputs: [{ name: commands, schema: Task }, { name: audit, schema: AuditEvent }]",
    );
    assert!(codes(&text).contains(&"BP220"));
    let state = state_with(&text);
    let actions = actions_at(&state, range_of(&text, "AuditEvent", 0), Vec::new()).await;
    let fixed = apply(&text, find(&actions, "Add schema `AuditEvent`"));
    assert!(
        fixed.ends_with(
            "    required: [id, title]\n  AuditEvent:\n    type: object\n    properties:\n      id: { type: string }\n    required: [id]\n"
        ),
        "{fixed}"
    );
    assert!(!codes(&fixed).contains(&"BP220"), "{:?}", codes(&fixed));
}

#[tokio::test]
async fn unknown_schema_creates_the_schemas_section() {
    let cut = BASE.find("schemas:\n").unwrap();
    // No section and no final newline.
    let text = BASE[..cut].trim_end().to_owned();
    let state = state_with(&text);
    let actions = actions_at(&state, range_of(&text, "Task", 0), Vec::new()).await;
    let fixed = apply(&text, find(&actions, "Add schema `Task`"));
    assert!(
        fixed.ends_with("to: task_store.input\nschemas:\n  Task:\n    type: object\n    properties:\n      id: { type: string }\n    required: [id]\n"),
        "{fixed}"
    );
    assert!(!codes(&fixed).contains(&"BP220"), "{:?}", codes(&fixed));
}

#[tokio::test]
async fn legacy_binding_is_rewritten() {
    let text = BASE.replace(
        "- from: task_api.commands",
        "- from: { component: task_api, output: commands }",
    );
    assert!(codes(&text).contains(&"BP152"), "{:?}", codes(&text));
    let state = state_with(&text);
    let actions = actions_at(
        &state,
        range_of(&text, "component: task_api", 0),
        Vec::new(),
    )
    .await;
    let fix = find(&actions, "Rewrite in the canonical form");
    let fixed = apply(&text, fix);
    assert_eq!(codes(&fixed), Vec::<&str>::new(), "{fixed}");
}

#[tokio::test]
async fn unknown_port_adds_it_to_a_flow_list() {
    let text = BASE.replace("from: task_api.commands", "from: task_api.events");
    let state = state_with(&text);
    let actions = actions_at(&state, range_of(&text, "events", 0), Vec::new()).await;
    let fixed = apply(&text, find(&actions, "Add output `events` to `task_api`"));
    assert!(fixed
        .contains("outputs: [{ name: commands, schema: Task }, { name: events, schema: Task }]"));
    // `commands` is now unconsumed (BP401, a warning); nothing else.
    assert_eq!(codes(&fixed), vec!["BP401"], "{fixed}");
}

#[tokio::test]
async fn unknown_port_adds_it_to_a_block_list() {
    let text = BASE
        .replace(
            "outputs: [{ name: commands, schema: Task }]",
            "outputs:\n        - name: commands\n          schema: Task",
        )
        .replace("from: task_api.commands", "from: task_api.events");
    let state = state_with(&text);
    let actions = actions_at(&state, range_of(&text, "events", 0), Vec::new()).await;
    let fixed = apply(&text, find(&actions, "Add output `events` to `task_api`"));
    assert!(
        fixed.contains("          schema: Task\n        - { name: events, schema: Task }\n    - name: task_store"),
        "{fixed}"
    );
    assert_eq!(codes(&fixed), vec!["BP401"], "{fixed}");
}

#[tokio::test]
async fn unknown_port_creates_the_list() {
    let text = BASE
        .replace("      outputs: [{ name: commands, schema: Task }]\n", "")
        .replace(
            "configuration: { port: 8080 }",
            "configuration: { port: 8080 }\n      description: the API",
        );
    let state = state_with(&text);
    let actions = actions_at(&state, range_of(&text, "commands", 0), Vec::new()).await;
    let fixed = apply(&text, find(&actions, "Add output `commands` to `task_api`"));
    assert!(
        fixed.contains("      description: the API\n      outputs: [{ name: commands, schema: Task }]\n    - name: task_store"),
        "{fixed}"
    );
    assert_eq!(codes(&fixed), Vec::<&str>::new(), "{fixed}");
}

fn preflight_diagnostic(
    text: &str,
    code: &str,
    needle: &str,
    nth: usize,
    message: &str,
) -> Diagnostic {
    Diagnostic {
        range: range_of(text, needle, nth),
        severity: Some(DiagnosticSeverity::ERROR),
        code: Some(NumberOrString::String(code.into())),
        source: Some("blueprint-preflight".into()),
        message: message.into(),
        ..Diagnostic::default()
    }
}

/// The migration file's URI and SQL of a migration action.
fn migration(action: &CodeAction) -> (String, String) {
    let Some(DocumentChanges::Operations(ops)) = &action.edit.as_ref().unwrap().document_changes
    else {
        panic!("no document changes: {action:?}");
    };
    let [DocumentChangeOperation::Op(ResourceOp::Create(create)), DocumentChangeOperation::Edit(edit)] =
        ops.as_slice()
    else {
        panic!("unexpected operations: {ops:?}");
    };
    assert_eq!(edit.text_document.uri, create.uri);
    let [OneOf::Left(insert)] = edit.edits.as_slice() else {
        panic!("unexpected edits");
    };
    assert_eq!(insert.range, Range::default());
    (create.uri.as_str().to_owned(), insert.new_text.clone())
}

async fn create_table_sql(engine: &str, url: &str) -> (String, String) {
    let text = BASE
        .replace("engine: postgres", &format!("engine: {engine}"))
        .replace(
            "url: postgres://localhost:5432/tasks",
            &format!("url: {url}"),
        );
    let state = state_with(&text);
    let d = preflight_diagnostic(
        &text,
        "BP312",
        "tasks",
        2,
        "table `tasks` of store `task_store` does not exist",
    );
    state.preflight.insert(uri(), vec![d.clone()]);
    let actions = actions_at(&state, d.range, vec![d.clone()]).await;
    let action = find(&actions, "Create migration for table `tasks`");
    assert_eq!(action.diagnostics.as_deref(), Some(&[d][..]));
    migration(action)
}

fn assert_migration_name(file: &str, description: &str) {
    let prefix = "file:///tmp/bp-code-actions/migrations/";
    assert!(file.starts_with(prefix), "{file}");
    let name = &file[prefix.len()..];
    let (stamp, rest) = name.split_at(14);
    assert!(stamp.bytes().all(|b| b.is_ascii_digit()), "{name}");
    assert!(stamp.starts_with("20"), "{name}");
    assert_eq!(rest, format!("_{description}.sql"));
}

#[tokio::test]
async fn missing_table_migration_postgres() {
    let (file, sql) = create_table_sql("postgres", "postgres://localhost:5432/tasks").await;
    assert_migration_name(&file, "create_tasks");
    // TEXT, not UUID: the generated store binds strings as text, which
    // PostgreSQL refuses for a `uuid` column (see `blueprint_generator::ddl`).
    assert_eq!(
        sql,
        "-- Creates the table of the store's schema (generated by Blueprint).\nCREATE TABLE \"tasks\" (\n    \"id\" TEXT NOT NULL,\n    \"title\" TEXT NOT NULL,\n    \"done\" BOOLEAN,\n    PRIMARY KEY (\"id\")\n);\n"
    );
}

#[tokio::test]
async fn missing_table_migration_mysql() {
    let (file, sql) = create_table_sql("mysql", "mysql://localhost:3306/tasks").await;
    assert_migration_name(&file, "create_tasks");
    assert_eq!(
        sql,
        "-- Creates the table of the store's schema (generated by Blueprint).\nCREATE TABLE `tasks` (\n    `id` VARCHAR(255) NOT NULL,\n    `title` TEXT NOT NULL,\n    `done` BOOLEAN,\n    PRIMARY KEY (`id`)\n);\n"
    );
}

#[tokio::test]
async fn missing_table_migration_sqlite() {
    let (file, sql) = create_table_sql("sqlite", "sqlite://tasks.db").await;
    assert_migration_name(&file, "create_tasks");
    assert_eq!(
        sql,
        "-- Creates the table of the store's schema (generated by Blueprint).\nCREATE TABLE \"tasks\" (\n    \"id\" TEXT NOT NULL,\n    \"title\" TEXT NOT NULL,\n    \"done\" BOOLEAN,\n    PRIMARY KEY (\"id\")\n);\n"
    );
}

#[tokio::test]
async fn missing_column_migration() {
    let text = BASE.replace(
        "      done:  { type: boolean, default: false }\n",
        "      done:  { type: boolean, default: false }\n      due:   { type: string, format: date-time }\n      meta:  { type: object }\n",
    );
    let state = state_with(&text);
    let due = preflight_diagnostic(
        &text,
        "BP313",
        "due",
        0,
        "table `tasks` has no column `due` for field `due` of `Task` (store `task_store`)",
    );
    let meta = preflight_diagnostic(
        &text,
        "BP313",
        "meta",
        0,
        "table `tasks` has no column `meta` for field `meta` of `Task` (store `task_store`)",
    );
    // Only in the pre-flight store: found by the request's range.
    state
        .preflight
        .insert(uri(), vec![due.clone(), meta.clone()]);
    let actions = actions_at(&state, due.range, Vec::new()).await;
    let quickfixes = actions
        .iter()
        .filter(|a| a.kind == Some(CodeActionKind::QUICKFIX))
        .count();
    assert_eq!(quickfixes, 1, "{actions:?}");
    let (file, sql) = migration(find(
        &actions,
        "Create migration adding column `due` to `tasks`",
    ));
    assert_migration_name(&file, "add_due_to_tasks");
    assert_eq!(
        sql,
        "-- Adds the column for field `due` (generated by Blueprint).\nALTER TABLE \"tasks\" ADD COLUMN \"due\" TEXT;\n"
    );
    let actions = actions_at(&state, meta.range, vec![meta.clone()]).await;
    let (_, sql) = migration(find(
        &actions,
        "Create migration adding column `meta` to `tasks`",
    ));
    assert!(
        sql.ends_with("ALTER TABLE \"tasks\" ADD COLUMN \"meta\" JSONB;\n"),
        "{sql}"
    );
}

#[tokio::test]
async fn no_migration_for_documents_without_a_file() {
    let state = Arc::new(State::default());
    state.set_encoding(PositionEncoding::Utf16);
    let untitled: Uri = "untitled:Untitled-1".parse().unwrap();
    state.documents.open(untitled.clone(), BASE, 1);
    let d = preflight_diagnostic(BASE, "BP312", "tasks", 2, "table `tasks` does not exist");
    let mut p = params(d.range, vec![d]);
    p.text_document.uri = untitled;
    let actions = code_actions(&state, p).await.unwrap();
    assert!(actions.is_none(), "{actions:?}");
}

#[test]
fn timestamps_are_utc_civil_time() {
    let at = |secs| std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs);
    assert_eq!(super::migration::timestamp(at(0)), "19700101000000");
    // 2024-02-29T23:59:59Z, a leap day.
    assert_eq!(
        super::migration::timestamp(at(1_709_251_199)),
        "20240229235959"
    );
    // 2026-11-25T02:49:36Z.
    assert_eq!(
        super::migration::timestamp(at(1_795_574_976)),
        "20261125024936"
    );
}

const LEGACY_BLOCK: &str = r#"schema_version: "1.0.0"
system:
  name: tasks
  version: 1.0.0
  components:
    - name: task_api
      type: APIEndpoint
      configuration: { port: 8080 }
      outputs: [{ name: commands, schema: Task }]
    - name: task_store
      type: Store
      inputs: [{ name: input, schema: Task }]
      configuration:
        table: tasks
        database:
          type: postgresql
          connection_string: ${DATABASE_URL:-postgres://localhost:5432/tasks}
          connection_pool: { min_size: 2, max_size: 10 }
        key: id
  bindings:
    - from: task_api.commands
      to: task_store.input
schemas:
  Task:
    type: object
    properties:
      id: { type: string }
    required: [id]
"#;

#[tokio::test]
async fn legacy_database_block_moves_to_system_databases() {
    assert_eq!(codes(LEGACY_BLOCK), vec!["BP151"]);
    let state = state_with(LEGACY_BLOCK);
    let actions = actions_at(
        &state,
        range_of(LEGACY_BLOCK, "type: postgresql", 0),
        Vec::new(),
    )
    .await;
    let action = find(&actions, "Move database settings to `system.databases`");
    assert_eq!(action.kind, Some(CodeActionKind::REFACTOR_REWRITE));
    let fixed = apply(LEGACY_BLOCK, action);
    assert!(
        fixed.contains(
            "  version: 1.0.0\n  databases:\n    task_store_db:\n      engine: postgres\n      url: \"${DATABASE_URL:-postgres://localhost:5432/tasks}\"\n      pool: { max_connections: 10, min_connections: 2 }\n  components:\n"
        ),
        "{fixed}"
    );
    assert!(
        fixed.contains("        table: tasks\n        database: task_store_db\n        key: id\n"),
        "{fixed}"
    );
    assert_eq!(codes(&fixed), Vec::<&str>::new(), "{fixed}");
}

#[tokio::test]
async fn legacy_database_keys_move_into_existing_databases() {
    let text = BASE
        .replace(
            "configuration: { database: main, table: tasks, key: id }",
            "configuration: { storage_type: sqlite, database_url: \"sqlite://tasks.db\", table: tasks, key: id }",
        );
    assert!(codes(&text).contains(&"BP151"), "{:?}", codes(&text));
    let state = state_with(&text);
    let actions = actions_at(&state, range_of(&text, "storage_type", 0), Vec::new()).await;
    let action = find(&actions, "Move database settings to `system.databases`");
    let fixed = apply(&text, action);
    assert!(
        fixed.contains("      url: postgres://localhost:5432/tasks\n    task_store_db:\n      engine: sqlite\n      url: \"sqlite://tasks.db\"\n  components:"),
        "{fixed}"
    );
    assert!(
        fixed.contains("configuration: { database: task_store_db, table: tasks, key: id }"),
        "{fixed}"
    );
    assert!(!codes(&fixed).contains(&"BP151"), "{:?}", codes(&fixed));
}

#[tokio::test]
async fn crlf_and_multibyte_text_keep_their_line_endings() {
    let text = BASE
        .replace(
            "  name: tasks\n",
            "  name: tasks\n  description: Tâches 😀 suivies\n",
        )
        .replace(
            "outputs: [{ name: commands, schema: Task }]",
            "outputs: [{ name: commands, schema: Task }, { name: audit, schema: Événement }]",
        )
        .replace('\n', "\r\n");
    let state = state_with(&text);
    let actions = actions_at(&state, range_of(&text, "Événement", 0), Vec::new()).await;
    let fixed = apply(&text, find(&actions, "Add schema `Événement`"));
    assert!(
        fixed.ends_with("    required: [id, title]\r\n  Événement:\r\n    type: object\r\n    properties:\r\n      id: { type: string }\r\n    required: [id]\r\n"),
        "{fixed:?}"
    );
    assert!(!codes(&fixed).contains(&"BP220"), "{:?}", codes(&fixed));
}

#[tokio::test]
async fn only_filters_by_kind() {
    let state = state_with(LEGACY_BLOCK);
    let mut p = params(range_of(LEGACY_BLOCK, "type: postgresql", 0), Vec::new());
    p.context.only = Some(vec![CodeActionKind::REFACTOR]);
    let actions = code_actions(&state, p.clone()).await.unwrap().unwrap();
    assert_eq!(actions.len(), 1);
    p.context.only = Some(vec![CodeActionKind::QUICKFIX]);
    assert!(code_actions(&state, p).await.unwrap().is_none());
}
