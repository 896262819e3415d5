use std::path::{Path, PathBuf};

use blueprint_grammars::yaml;

use super::check_structure;
use crate::analysis::Diagnostic;

/// The diagnostics of `check_structure` on `text`, each as
/// "CODE `spanned text`: message".
fn check(text: &str) -> Vec<String> {
    diagnostics(text).iter().map(|d| render(text, d)).collect()
}

fn diagnostics(text: &str) -> Vec<Diagnostic> {
    let parsed = yaml::parse(text);
    assert!(
        parsed.errors.is_empty(),
        "test input is valid YAML: {:?}",
        parsed.errors
    );
    let mut out = Vec::new();
    check_structure(parsed.root.as_ref().expect("a document"), &mut out);
    out
}

fn render(text: &str, d: &Diagnostic) -> String {
    format!(
        "{} `{}`: {}",
        d.code(),
        &text[d.span.start..d.span.end],
        d.message
    )
}

/// The single diagnostic `check` reports.
fn only(text: &str) -> Diagnostic {
    let out = diagnostics(text);
    assert_eq!(
        out.len(),
        1,
        "{:#?}",
        out.iter().map(|d| render(text, d)).collect::<Vec<_>>()
    );
    out.into_iter().next().unwrap()
}

fn fix_text(d: &Diagnostic) -> Option<&str> {
    d.fixes.first().map(|f| f.edits[0].replacement.as_str())
}

const CANONICAL: &str = r#"
schema_version: "1.0.0"
metadata:
  natural_language_description: Task tracker with PostgreSQL persistence
system:
  name: task_tracker
  description: Tasks over a REST API, stored in PostgreSQL
  version: 1.0.0
  databases:
    main:
      engine: postgres
      url: ${DATABASE_URL:-postgres://localhost:5432/tasks}
      pool: { max_connections: 20, min_connections: 2, acquire_timeout_ms: 3000 }
      migrations: auto
  observability:
    metrics: { listen: 127.0.0.1:9464 }
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

/// `CANONICAL` with one substitution, which must apply.
fn edit(from: &str, to: &str) -> String {
    assert!(CANONICAL.contains(from), "{from}");
    CANONICAL.replacen(from, to, 1)
}

#[test]
fn canonical_form_is_clean() {
    assert_eq!(check(CANONICAL), Vec::<String>::new());
}

#[test]
fn unknown_key_suggests_and_fixes() {
    let text = edit("  components:", "  compnents:");
    let d = only(&text);
    assert_eq!(
        render(&text, &d),
        "BP110 `compnents`: unknown key `compnents` in `system`"
    );
    assert_eq!(d.help.as_deref(), Some("did you mean `components`?"));
    assert_eq!(d.fixes[0].title, "Replace with `components`");
    assert_eq!(fix_text(&d), Some("components"));
}

#[test]
fn unknown_key_without_suggestion_lists_the_keys() {
    let text = edit("  version: 1.0.0\n", "  version: 1.0.0\n  owner: me\n");
    let d = only(&text);
    assert_eq!(
        render(&text, &d),
        "BP110 `owner`: unknown key `owner` in `system`"
    );
    assert!(
        d.help
            .as_deref()
            .unwrap()
            .starts_with("remove it; in `system` the keys are `name`, `description`, `version`"),
        "{:?}",
        d.help
    );
    assert!(d.fixes.is_empty());
}

#[test]
fn misplaced_keys_say_where_they_belong() {
    let text = edit("schemas:\n", "bindings: []\nschemas:\n");
    let d = only(&text);
    assert_eq!(
        render(&text, &d),
        "BP110 `bindings`: unknown key `bindings` at the top level"
    );
    assert_eq!(d.help.as_deref(), Some("`bindings` belongs under `system`"));

    let text = edit(
        "      configuration: { port: 8080 }\n",
        "      port: 8080\n",
    );
    let d = only(&text);
    assert_eq!(
        d.help.as_deref(),
        Some("`port` belongs under `configuration`")
    );
}

#[test]
fn ignored_keys_are_hints_with_a_reason() {
    let text = edit(
        "      type: APIEndpoint\n",
        "      type: APIEndpoint\n      processing_mode: stream\n",
    );
    let d = only(&text);
    assert_eq!(render(&text, &d), "BP111 `processing_mode`: Blueprint ignores `processing_mode` in component `task_api`: Blueprint derives processing from the component type");
    assert_eq!(d.severity, crate::analysis::Severity::Hint);

    let text = format!("policy: {{ slos: {{ p95_latency_ms: 100 }} }}\n{CANONICAL}");
    assert_eq!(check(&text), ["BP111 `policy`: Blueprint ignores `policy` at the top level: Blueprint does not enforce autocoder policies (SLOs, resource limits, dependency rules)"]);
}

#[test]
fn resources_report_ignored_keys_but_not_legacy_databases() {
    let text = edit(
        "      configuration: { database: main, table: tasks, key: id }\n",
        "      configuration: { database: main, table: tasks, key: id }\n      resources:\n        memory: 512\n        databases: [{ type: postgresql, connection_string: x }]\n",
    );
    assert_eq!(check(&text), ["BP111 `memory`: Blueprint ignores `memory` in `resources`: sizing is up to the deployment, and HTTP ports are set in `configuration`"]);
}

#[test]
fn legacy_keys_are_left_to_the_legacy_rules() {
    let text = r#"
system:
  name: legacy
  components:
    - name: api
      type: APIEndpoint
      config: { port: 8080, whatever: 1 }
      ports:
        response: { direction: output, semantic_class: data_out }
    - name: store
      type: Store
      configuration: { storage_type: postgresql, database: { type: postgresql, connection_string: x } }
  bindings:
    - from: { component: api, output: response }
      to: [{ component: store, input: data }]
    - from_component: api
      from_port: response
      to_components: [store]
      to_ports: [data]
  schemas:
    Task: { type: object }
"#;
    assert_eq!(check(text), Vec::<String>::new());
}

#[test]
fn legacy_system_schemas_are_still_checked() {
    let text = "system:\n  name: s\n  components: []\n  schemas:\n    Task: { type: objct }\n";
    assert_eq!(check(text), ["BP114 `objct`: `type` must be one of `object`, `array`, `string`, `number`, `integer`, `boolean`, `null`, found `objct`"]);
}

#[test]
fn wrong_types_name_what_was_expected() {
    let text = "system:\n  name: s\n  components:\n    a: 1\n";
    let d = only(text);
    assert_eq!(
        render(text, &d),
        "BP112 `components`: `components` must be a list, found a mapping"
    );

    let text = edit(
        "      configuration: { port: 8080 }",
        "      configuration: [port]",
    );
    assert_eq!(
        check(&text),
        ["BP112 `configuration`: `configuration` must be a mapping, found a list"]
    );

    let text = edit(
        "inputs: [{ name: input, schema: Task }]",
        "inputs: [{ name: input, schema: 5 }]",
    );
    let d = only(&text);
    assert_eq!(
        render(&text, &d),
        "BP112 `5`: `schema` must be a string, found an integer"
    );
    assert_eq!(d.help.as_deref(), Some("quote it: `\"5\"`"));

    let text = "system:\n  name: s\n  components: [api]\n";
    assert_eq!(
        check(text),
        ["BP112 `api`: each item of `components` must be a mapping, found a string"]
    );
}

#[test]
fn null_values_are_reported_once() {
    let text = edit("  name: task_tracker\n", "  name:\n");
    let d = only(&text);
    assert_eq!(
        render(&text, &d),
        "BP112 `name`: `name` must be a string, found nothing"
    );
    // Written-out nulls mean "absent"; an unresolved alias (BP104) is not
    // reported again.
    let text = edit(
        "  description: Tasks over a REST API, stored in PostgreSQL\n",
        "  description: ~\n",
    );
    assert_eq!(check(&text), Vec::<String>::new());
    let text = "system:\n  name: s\n  components: []\n  databases:\n    main:\n      pool: *default_pool\n";
    let parsed = yaml::parse(text);
    let mut out = Vec::new();
    check_structure(parsed.root.as_ref().unwrap(), &mut out);
    assert_eq!(out, Vec::new());
}

#[test]
fn missing_required_keys_point_at_the_mapping_head() {
    let text = edit("      type: APIEndpoint\n", "");
    let d = only(&text);
    assert_eq!(
        render(&text, &d),
        "BP113 `name: task_api`: component `task_api` is missing `type`"
    );
    assert!(d
        .help
        .as_deref()
        .unwrap()
        .starts_with("add `type: Transformer`; the types are `Source`, `Transformer`"));

    let text = edit("  name: task_tracker\n", "");
    let d = only(&text);
    assert_eq!(
        render(&text, &d),
        "BP113 `system`: `system` is missing `name`"
    );
    assert_eq!(d.help.as_deref(), Some("add `name: my_system`"));

    let text = edit("    - from: task_api.commands\n      to:", "    - to:");
    assert_eq!(
        check(&text),
        ["BP113 `to: task_store.input`: binding #1 is missing `from`"]
    );
}

#[test]
fn a_misspelt_required_key_is_reported_once() {
    let text = edit("      type: APIEndpoint", "      tpye: APIEndpoint");
    let d = only(&text);
    assert_eq!(
        render(&text, &d),
        "BP110 `tpye`: unknown key `tpye` in component `task_api`"
    );
    assert_eq!(fix_text(&d), Some("type"));
}

#[test]
fn invalid_values_enums_bounds_and_formats() {
    let text = edit("engine: postgres", "engine: postgress");
    let d = only(&text);
    assert_eq!(render(&text, &d), "BP114 `postgress`: `engine` must be one of `postgres`, `mysql`, `sqlite`, found `postgress`");
    assert_eq!(fix_text(&d), Some("postgres"));
    // Aliases the model accepts are not reported.
    assert_eq!(
        check(&edit("engine: postgres", "engine: postgresql")),
        Vec::<String>::new()
    );

    let text = edit("max_connections: 20", "max_connections: 0");
    assert_eq!(
        check(&text),
        ["BP114 `0`: `max_connections` must be between 1 and 10000, found 0"]
    );

    let text = edit("name: task_tracker", "name: TaskTracker");
    let d = only(&text);
    assert_eq!(render(&text, &d), "BP114 `TaskTracker`: `name` must be snake_case (lower-case letters, digits and `_`, starting with a letter), found `TaskTracker`");
    assert_eq!(
        d.help.as_deref(),
        Some("rename it, for example to `task_tracker`")
    );
    assert!(
        d.fixes.is_empty(),
        "names are referenced elsewhere; no blind rename"
    );

    let text = edit("version: 1.0.0", "version: \"1.0\"");
    let d = only(&text);
    assert_eq!(
        render(&text, &d),
        "BP114 `\"1.0\"`: `version` must be a semantic version such as `1.0.0`, found `1.0`"
    );
    assert_eq!(fix_text(&d), Some("1.0.0"));

    let text = edit("version: 1.0.0", "version: 1.0");
    assert_eq!(check(&text), ["BP114 `1.0`: `version` must be a semantic version such as `1.0.0`, found the number 1.0"]);

    let text = edit("listen: 127.0.0.1:9464", "listen: 127.0.0.1:99999");
    assert_eq!(check(&text).len(), 1);

    let text = edit("maxLength: 200", "maxLength: -1");
    assert_eq!(
        check(&text),
        ["BP114 `-1`: `maxLength` must be at least 0, found -1"]
    );

    let text = edit(
        "outputs: [{ name: commands, schema: Task }]",
        "outputs: [{ name: commands, schema: Task, flow_type: stream }]",
    );
    assert_eq!(check(&text), ["BP114 `stream`: `flow_type` must be one of `push`, `pull`, `request_response`, found `stream`"]);
}

#[test]
fn port_names_as_bare_strings_are_checked() {
    let text = edit("inputs: [{ name: input, schema: Task }]", "inputs: [Input]");
    assert_eq!(check(&text), ["BP114 `Input`: each item of `inputs` must be snake_case (lower-case letters, digits and `_`, starting with a letter), found `Input`"]);
}

#[test]
fn duplicate_keys_point_at_the_second_with_the_first_related() {
    let text = edit("  version: 1.0.0\n", "  version: 1.0.0\n  name: other\n");
    let d = only(&text);
    assert_eq!(
        render(&text, &d),
        "BP115 `name`: `name` appears twice in `system`: Blueprint reads only the first"
    );
    let first = CANONICAL.find("name: task_tracker").unwrap();
    assert_eq!(d.related[0].span.start, first);

    let text = edit(
        "    main:\n",
        "    main:\n      engine: sqlite\n    main:\n",
    );
    assert!(
        check(&text)
            .iter()
            .any(|d| d.starts_with("BP115 `main`: `main` appears twice in `databases`")),
        "{:?}",
        check(&text)
    );
}

#[test]
fn unknown_component_types() {
    let text = edit("type: Store", "type: Stor");
    let d = only(&text);
    assert_eq!(
        render(&text, &d),
        "BP130 `Stor`: unknown component type `Stor`"
    );
    assert_eq!(fix_text(&d), Some("Store"));
    assert_eq!(d.fixes[0].title, "Replace with `Store`");

    let text = edit("type: Store", "type: apiendpoint");
    assert_eq!(fix_text(&only(&text)), Some("APIEndpoint"));

    let text = edit("type: Store", "type: Database");
    let d = only(&text);
    assert!(d.fixes.is_empty());
    assert!(
        d.help
            .as_deref()
            .unwrap()
            .starts_with("use one of the component types: `Source`"),
        "{:?}",
        d.help
    );
}

#[test]
fn not_a_blueprint_is_reported_once_and_stops() {
    let text = "SystemBlueprint:\n  type: object\ndefinitions:\n  System: {}\n";
    let d = only(text);
    assert_eq!(render(text, &d), "BP109 `SystemBlueprint`: this file has no `system` section, so it is not a blueprint: add one, or do not check this file");

    let text = "System:\n  name: x\n  components: []\n";
    let d = only(text);
    assert_eq!(render(text, &d), "BP109 `System`: this file has no `system` section, so it is not a blueprint; `System` should be `system`");
    assert_eq!(fix_text(&d), Some("system"));

    let text = "- a\n- b\n";
    assert_eq!(only(text).code(), "BP109");
}

#[test]
fn metadata_is_free_form_but_typos_are_caught() {
    let text = edit(
        "  natural_language_description:",
        "  owner: platform\n  natural_language_description:",
    );
    assert_eq!(check(&text), Vec::<String>::new());
    let text = edit(
        "  natural_language_description:",
        "  natural_langauge_description:",
    );
    let d = only(&text);
    assert_eq!(render(&text, &d), "BP110 `natural_langauge_description`: unknown key `natural_langauge_description` in `metadata`");
    assert_eq!(fix_text(&d), Some("natural_language_description"));
}

#[test]
fn binding_legacy_keys_satisfy_required() {
    let text = edit("    - from: task_api.commands\n      to: task_store.input\n", "    - from_component: task_api\n      from_port: commands\n      to_component: task_store\n      to_port: input\n");
    assert_eq!(check(&text), Vec::<String>::new());
}

#[test]
fn fan_out_and_ignored_binding_keys() {
    let text = edit(
        "      to: task_store.input\n",
        "      to: [task_store.input, audit.input]\n      qos: { ordering: false }\n",
    );
    assert_eq!(check(&text), ["BP111 `qos`: Blueprint ignores `qos` in binding #1: generated bindings deliver in order, at most once, through bounded channels"]);
}

#[test]
fn secrets_are_masked_in_messages() {
    let text = edit("engine: postgres", "engine: postgres://app:hunter2@db/x");
    let d = only(&text);
    assert!(!d.message.contains("hunter2"), "{}", d.message);
}

/// Every real autocoder blueprint (in `shared/corpus` beside the checkout,
/// when present) loads with hints only, except autocoder's schema file,
/// which gets exactly one BP109.
#[test]
fn corpus_files_have_no_structure_errors() {
    let Some(corpus) = corpus_dir() else { return };
    let dir = std::fs::read_dir(&corpus).expect("the corpus is readable");
    for entry in dir.flatten() {
        let path = entry.path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".yaml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let out = diagnostics(&text);
        if name == "system_blueprint_schema.yaml" {
            assert_eq!(
                out.iter().map(|d| d.code()).collect::<Vec<_>>(),
                ["BP109"],
                "{name}"
            );
        } else {
            let loud: Vec<String> = out
                .iter()
                .filter(|d| d.code() != "BP111")
                .map(|d| render(&text, d))
                .collect();
            assert_eq!(loud, Vec::<String>::new(), "{name}");
        }
    }
}

/// The real autocoder blueprints: `$BLUEPRINT_CORPUS`, or `shared/corpus`
/// beside the checkout. `None` where neither exists (the test then has
/// nothing to check).
fn corpus_dir() -> Option<PathBuf> {
    std::env::var_os("BLUEPRINT_CORPUS")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"))
        .canonicalize()
        .ok()
        .filter(|p| p.is_dir())
}
