use std::path::{Path, PathBuf};

use serde_json::Value as Json;

use super::*;
use crate::yaml::{self, Node};

/// A blueprint in the canonical form, using every section.
const CANONICAL: &str = r#"
schema_version: "1.0.0"
metadata:
  natural_language_description: Task tracker with PostgreSQL persistence
  owner: platform-team
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
      configuration: { port: 8080, base_path: /api }
      outputs: [{ name: commands, schema: Task, flow_type: request_response }]
    - name: router
      type: Router
      inputs: [input]
      outputs: [done, open]
      configuration:
        routes:
          - { when: done == true, output: done }
        default_output: open
    - name: task_store
      type: Store
      inputs: [{ name: input, schema: Task }]
      configuration: { database: main, table: tasks, key: id, batch_size: 100 }
  bindings:
    - from: task_api.commands
      to: router.input
    - from: router.done
      to: [task_store.input]
schemas:
  Task:
    type: object
    properties:
      id:    { type: string, format: uuid }
      title: { type: string, maxLength: 200 }
      done:  { type: boolean, default: false }
      tags:  { type: array, items: { type: string } }
    required: [id, title]
"#;

fn to_json(node: &Node) -> Json {
    node.to_json()
}

fn yaml_json(text: &str) -> Json {
    let parsed = yaml::parse(text);
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    to_json(parsed.root.as_ref().expect("a document"))
}

fn errors(text: &str) -> Vec<String> {
    let validator = jsonschema::draft7::new(&schema()).expect("the schema compiles");
    let instance = yaml_json(text);
    validator
        .iter_errors(&instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn schema_is_valid_draft_07() {
    let schema = schema();
    if let Err(e) = jsonschema::draft7::meta::validate(&schema) {
        panic!("not a valid draft-07 schema: {e}");
    }
    // Every `$ref` resolves (compiling fails otherwise).
    jsonschema::draft7::new(&schema).expect("the schema compiles");
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    assert_eq!(schema["$id"], SCHEMA_ID);
    assert_eq!(schema["title"], "Blueprint");
}

#[test]
fn canonical_blueprint_validates() {
    assert_eq!(errors(CANONICAL), Vec::<String>::new());
}

#[test]
fn unknown_key_and_wrong_type_fail() {
    let unknown = CANONICAL.replace("  description: Tasks", "  descripton: Tasks");
    assert!(!errors(&unknown).is_empty(), "unknown key in `system`");
    let wrong_type = CANONICAL.replace(
        "configuration: { port: 8080, base_path: /api }",
        "configuration: { port: \"8080\" }",
    );
    assert!(!errors(&wrong_type).is_empty(), "string port");
    let out_of_range = CANONICAL.replace("port: 8080", "port: 70000");
    assert!(!errors(&out_of_range).is_empty(), "port out of range");
    let bad_type = CANONICAL.replace("type: Router", "type: Routr");
    assert!(!errors(&bad_type).is_empty(), "unknown component type");
    let bad_name = CANONICAL.replace("name: task_tracker", "name: TaskTracker");
    assert!(!errors(&bad_name).is_empty(), "name not snake_case");
    // A Store key is not an APIEndpoint key: configuration is per type.
    let cross = CANONICAL.replace(
        "configuration: { port: 8080, base_path: /api }",
        "configuration: { table: tasks }",
    );
    assert!(!errors(&cross).is_empty(), "store key on an endpoint");
}

#[test]
fn legacy_and_ignored_keys_are_allowed() {
    let legacy = r#"
policy: { slos: { p95_latency_ms: 100 } }
system:
  name: legacy_system
  runtime: { environment: production }
  components:
    - name: api
      type: APIEndpoint
      processing_mode: stream
      config: { port: 8080, auth_required: false }
      ports:
        response: { direction: output, data_schema: { id: Task } }
      resources:
        ports: [{ port: 8080, protocol: HTTP }]
    - name: store
      type: Store
      inputs: [{ name: data, schema: Task, required: true, batch_size: 1 }]
      configuration:
        storage_type: postgresql
        database: { type: postgresql, connection_string: "postgres://u@h/d", pool_size: 20 }
      resources:
        databases: [{ type: postgresql, connection_string: "${URL}" }]
  bindings:
    - from: { component: api, output: response }
      to: { component: store, input: data }
      qos: { ordering: false }
    - from_component: api
      from_port: response
      to_components: [store]
      to_ports: [data]
  schemas:
    Task: { type: object, properties: { id: { type: string } } }
"#;
    assert_eq!(errors(legacy), Vec::<String>::new());
}

/// Editors complete canonical keys only (`Shape::canonical_keys`):
/// yaml-language-server leaves out a property marked `doNotSuggest`.
#[test]
fn only_canonical_keys_are_suggested() {
    let schema = schema();
    for shape in shape::all() {
        let properties = &schema["definitions"][shape.id]["properties"];
        for field in &shape.fields {
            let hidden = properties[field.key].get("doNotSuggest") == Some(&Json::Bool(true));
            assert_eq!(
                hidden,
                field.status != Status::Canonical,
                "{}.{}",
                shape.id,
                field.key
            );
        }
    }
    let component = &schema["definitions"]["component"]["properties"];
    assert_eq!(component["config"]["doNotSuggest"], true);
    assert_eq!(component["processing_mode"]["doNotSuggest"], true);
    assert!(component["configuration"].get("doNotSuggest").is_none());
    // Nor in the `then` that types a component's configuration.
    for alternative in schema["definitions"]["component"]["allOf"]
        .as_array()
        .unwrap()
    {
        if let Some(then) = alternative.get("then") {
            assert_eq!(then["properties"]["config"]["doNotSuggest"], true);
            assert!(then["properties"]["configuration"]
                .get("doNotSuggest")
                .is_none());
        }
    }
}

#[test]
fn binding_needs_from_or_from_component() {
    let missing = CANONICAL.replace("    - from: task_api.commands\n", "    - ");
    // The `anyOf [required from, required from_component]` fails.
    assert_eq!(
        errors(&missing),
        ["{\"to\":\"router.input\"} is not valid under any of the schemas listed in the 'anyOf' keyword at /system/bindings/0"]
    );
}

/// The real autocoder blueprints in `shared/corpus` (beside the checkout,
/// when present) are accepted, except autocoder's schema file, which is
/// not a blueprint.
#[test]
fn corpus_blueprints_validate() {
    let Some(corpus) = corpus_dir() else { return };
    let dir = std::fs::read_dir(&corpus).expect("the corpus is readable");
    let mut checked = 0;
    for entry in dir.flatten() {
        let path = entry.path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".yaml") || name == "system_blueprint_schema.yaml" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(errors(&text), Vec::<String>::new(), "{name}");
        checked += 1;
    }
    assert!(checked >= 5, "read the corpus");
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
