//! Writing the drafted system as canonical blueprint YAML: one schema, one
//! `Store` and one REST `APIEndpoint` per entity, on one database.

use blueprint_grammars::model::Engine;

use super::field_types::{descriptive_field, field_type, property_yaml, FieldType};
use super::offline::{Entity, FIRST_PORT};
use super::words;

/// The canonical blueprint YAML of the drafted system.
pub(crate) fn render(description: &str, name: &str, engine: Engine, entities: &[Entity]) -> String {
    let (engine_key, url, max_connections) = match engine {
        // A local server by default, so the draft checks clean at once and
        // the editor's pre-flight has somewhere to look; DATABASE_URL wins.
        Engine::Postgres => (
            "postgres",
            format!("${{DATABASE_URL:-postgres://localhost:5432/{name}}}"),
            10,
        ),
        Engine::Mysql => (
            "mysql",
            format!("${{DATABASE_URL:-mysql://localhost:3306/{name}}}"),
            10,
        ),
        // SQLite needs nothing running: a file beside the system by default.
        Engine::Sqlite => (
            "sqlite",
            format!("${{DATABASE_URL:-sqlite://{name}.db}}"),
            5,
        ),
    };
    let things = words::sentence_list(entities.iter().map(|e| e.plural.replace('_', " ")));
    let system_description = format!(
        "{} over a REST API, stored in {}",
        words::capitalize(&things),
        engine.display_name()
    );

    let mut out = String::new();
    let mut line = |text: &str| {
        out.push_str(text);
        out.push('\n');
    };
    line("schema_version: \"1.0.0\"");
    line("metadata:");
    line(&format!(
        "  natural_language_description: {}",
        yaml_string(description)
    ));
    line("system:");
    line(&format!("  name: {name}"));
    line(&format!(
        "  description: {}",
        yaml_string(&system_description)
    ));
    line("  version: 1.0.0");
    line("  databases:");
    line("    main:");
    line(&format!("      engine: {engine_key}"));
    line(&format!("      url: {url}"));
    line(&format!(
        "      pool: {{ max_connections: {max_connections}, min_connections: 1, acquire_timeout_ms: 3000 }}"
    ));
    line("      migrations: auto");
    line("  observability:");
    line("    metrics: { listen: 127.0.0.1:9464 }");
    line("  components:");
    for (index, entity) in entities.iter().enumerate() {
        let schema = words::pascal_case(&entity.singular);
        let port = FIRST_PORT + index as u16;
        line(&format!("    - name: {}_api", entity.singular));
        line("      type: APIEndpoint");
        line(&format!("      configuration: {{ port: {port} }}"));
        line(&format!(
            "      outputs: [{{ name: commands, schema: {schema} }}]"
        ));
        line(&format!("    - name: {}_store", entity.singular));
        line("      type: Store");
        line(&format!(
            "      inputs: [{{ name: input, schema: {schema} }}]"
        ));
        line(&format!(
            "      configuration: {{ database: main, table: {}, key: id }}",
            entity.plural
        ));
    }
    line("  bindings:");
    for entity in entities {
        line(&format!("    - from: {}_api.commands", entity.singular));
        line(&format!("      to: {}_store.input", entity.singular));
    }
    line("schemas:");
    for entity in entities {
        line(&format!("  {}:", words::pascal_case(&entity.singular)));
        line("    type: object");
        line("    properties:");
        line(&format!("      id: {}", property_yaml(FieldType::Uuid)));
        for field in &entity.fields {
            line(&format!(
                "      {}: {}",
                field.name,
                property_yaml(field_type(field))
            ));
        }
        let required = match descriptive_field(&entity.fields) {
            Some(field) => format!("[id, {}]", field.name),
            None => "[id]".to_owned(),
        };
        line(&format!("    required: {required}"));
    }
    out
}

/// `text` as a YAML scalar: plain when that reads back as the same string,
/// double-quoted (JSON escaping, which YAML accepts) otherwise.
fn yaml_string(text: &str) -> String {
    let plain_safe = text.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || " ,.()-/'_".contains(c))
        && !text.ends_with(' ')
        && !matches!(
            text.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n"
        );
    if plain_safe {
        text.to_owned()
    } else {
        serde_json::to_string(text).expect("a string always serialises")
    }
}
