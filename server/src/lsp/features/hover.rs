//! Hover: what the thing under the cursor is, in Markdown.
//!
//! Names and references are found in the model (component names and types,
//! ports, binding endpoints, schemas and their fields, databases); any
//! other key falls back to the language's shape ([`shape::locate`]), which
//! documents every key. URLs are always masked: a password never reaches a
//! hover.

use std::fmt::Write as _;

use blueprint_grammars::interpolate::mask_secrets;
use blueprint_grammars::model::{
    Blueprint, Component, ComponentType, Database, Direction, Endpoint, Port, Schema, SchemaDef,
};
use blueprint_grammars::shape::{self, Field as ShapeField, Kind, Status};
use blueprint_grammars::yaml::{self, Entry, Node, Value};
use blueprint_grammars::Span;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{Hover, HoverContents, HoverParams, MarkupContent, MarkupKind};

use crate::lsp::state::State;

pub async fn hover(state: &std::sync::Arc<State>, params: HoverParams) -> Result<Option<Hover>> {
    let at = params.text_document_position_params;
    let Some(analysis) = state.current_analysis(&at.text_document.uri).await else {
        return Ok(None);
    };
    let positions = analysis.positions(state.encoding());
    let offset = positions.offset(at.position);
    let Some((span, mut value)) = hover_at(&analysis.snapshot.text, &analysis.blueprint, offset)
    else {
        return Ok(None);
    };
    if let Some(database) = hovered_database(&analysis.blueprint, offset) {
        let entry = positions.range(database);
        let findings = state
            .preflight_for(&at.text_document.uri, &analysis)
            .map(|diagnostics| {
                diagnostics
                    .iter()
                    .filter(|d| d.range.start >= entry.start && d.range.start <= entry.end)
                    .map(|d| mask_secrets(d.message.lines().next().unwrap_or("")))
                    .collect::<Vec<_>>()
            });
        let name = analysis
            .blueprint
            .system
            .as_ref()
            .and_then(|s| s.databases.iter().find(|d| d.span == database))
            .map(|d| d.name.value.clone());
        let server = name.as_ref().and_then(|name| {
            state
                .servers
                .get(&at.text_document.uri)
                .and_then(|all| all.iter().find(|i| &i.database == name).cloned())
        });
        let server_max = server
            .as_ref()
            .and_then(|i| i.server.as_ref())
            .and_then(|s| s.max_connections);
        let live = name.as_deref().and_then(|name| {
            crate::lsp::live::features::database_table(
                state,
                &at.text_document.uri,
                name,
                server_max,
            )
        });
        if let Some(findings) = findings {
            value.push_str("\n\n**Last pre-flight**\n");
            if let Some(inspection) = server {
                if let Some(info) = &inspection.server {
                    let _ = write!(value, "\n- server: {} {}", info.product, info.version);
                    if let Some(max) = info.max_connections {
                        let _ = write!(value, " (max_connections {max})");
                    }
                }
                if let Some(rt) = inspection.round_trip {
                    let _ = write!(
                        value,
                        "\n- round trip: {:.2} ms (median)",
                        rt.as_secs_f64() * 1e3
                    );
                }
            }
            if findings.is_empty() {
                value.push_str("\n- no findings");
            }
            for finding in findings {
                let _ = write!(value, "\n- {finding}");
            }
        }
        if let Some(live) = live {
            value.push_str("\n\n---\n\n");
            value.push_str(&live);
        }
    }
    if let Some(table) =
        crate::lsp::live::features::hover_table(state, &analysis, &at.text_document.uri, offset)
    {
        value.push_str("\n\n---\n\n");
        value.push_str(&table);
    }
    Ok(Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: Some(positions.range(span)),
    }))
}

/// The span hovered and its Markdown, for the byte `offset` of `text`.
pub fn hover_at(text: &str, blueprint: &Blueprint, offset: usize) -> Option<(Span, String)> {
    let hit = |span: Span| span.start <= offset && offset < span.end;
    if let Some(system) = &blueprint.system {
        for database in &system.databases {
            if hit(database.name.span) {
                return Some((database.name.span, database_markdown(blueprint, database)));
            }
        }
        for component in &system.components {
            if let Some(name) = component.name.as_ref().filter(|n| hit(n.span)) {
                return Some((name.span, component_markdown(component)));
            }
            if let Some(type_name) = component.type_name.as_ref().filter(|t| hit(t.span)) {
                return match component.kind {
                    Some(kind) => Some((type_name.span, type_markdown(kind))),
                    None => key_hover(text, offset),
                };
            }
            if let Some(db) = component
                .store
                .as_ref()
                .and_then(|s| s.database.as_ref())
                .filter(|d| hit(d.span))
            {
                if let Some(database) = system.database(&db.value) {
                    return Some((db.span, database_markdown(blueprint, database)));
                }
            }
            for port in component.inputs.iter().chain(&component.outputs) {
                if hit(port.name.span) {
                    return Some((port.name.span, port_markdown(blueprint, component, port)));
                }
                if let Some(schema) = port.schema.as_ref().filter(|s| hit(s.span)) {
                    let def = blueprint.schema(&schema.value)?;
                    return Some((schema.span, schema_markdown(def)));
                }
            }
        }
        for binding in &system.bindings {
            for endpoint in binding.from.iter().chain(&binding.to) {
                if hit(endpoint.span) {
                    return Some((endpoint.span, endpoint_markdown(blueprint, endpoint)?));
                }
            }
        }
    }
    for def in &blueprint.schemas {
        if hit(def.name.span) {
            return Some((def.name.span, schema_markdown(def)));
        }
        if let Some(found) = field_hover(text, &def.name.value, &def.schema, &hit) {
            return Some(found);
        }
    }
    key_hover(text, offset)
}

/// The entry span of the database whose name (or store reference) is at
/// `offset`, for adding the last pre-flight's findings about it.
fn hovered_database(blueprint: &Blueprint, offset: usize) -> Option<Span> {
    let hit = |span: Span| span.start <= offset && offset < span.end;
    let system = blueprint.system.as_ref()?;
    if let Some(database) = system.databases.iter().find(|d| hit(d.name.span)) {
        return Some(database.span);
    }
    let name = system
        .components
        .iter()
        .filter_map(|c| c.store.as_ref()?.database.as_ref())
        .find(|d| hit(d.span))?;
    system.database(&name.value).map(|d| d.span)
}

/// A field of `schema` (or of a nested schema) whose name is hovered.
fn field_hover(
    text: &str,
    owner: &str,
    schema: &Schema,
    hit: &dyn Fn(Span) -> bool,
) -> Option<(Span, String)> {
    for field in &schema.properties {
        if hit(field.name.span) {
            let mut md = format!("**{}** — field of `{owner}`\n\n", field.name.value);
            let type_name = match (&field.schema.format, &field.schema.type_name) {
                (Some(_), Some(t)) => t.value.clone(),
                _ => type_label(&field.schema),
            };
            let _ = writeln!(md, "- type: `{type_name}`");
            if let Some(format) = &field.schema.format {
                let _ = writeln!(md, "- format: `{}`", format.value);
            }
            let required = if schema.is_required(&field.name.value) {
                "yes"
            } else {
                "no"
            };
            let _ = writeln!(md, "- required: {required}");
            if field.schema.has_default {
                let default = default_text(text, field.name.span).unwrap_or_else(|| "set".into());
                let _ = writeln!(md, "- default: `{default}`");
            }
            if !field.schema.properties.is_empty() {
                md.push('\n');
                md.push_str(&fields_table(&field.schema));
            }
            return Some((field.name.span, md.trim_end().to_owned()));
        }
        if let Some(found) = field_hover(text, &field.name.value, &field.schema, hit) {
            return Some(found);
        }
    }
    if let Some(items) = &schema.items {
        return field_hover(text, owner, items, hit);
    }
    None
}

/// The `default` of the field whose key is at `key_span`, as written.
fn default_text(text: &str, key_span: Span) -> Option<String> {
    fn find(node: &Node, key_span: Span) -> Option<&Entry> {
        match &node.value {
            Value::Mapping(entries) => entries.iter().find_map(|e| {
                if e.key_span == key_span {
                    Some(e)
                } else {
                    find(&e.value, key_span)
                }
            }),
            Value::Sequence(items) => items.iter().find_map(|i| find(i, key_span)),
            _ => None,
        }
    }
    let root = yaml::parse(text).root?;
    let entry = find(&root, key_span)?;
    let default = entry.value.get("default")?;
    default.scalar_text().or_else(|| {
        text.get(default.span.start..default.span.end)
            .map(|s| s.trim().to_owned())
    })
}

/// Doc of the key (or of the enum value) at `offset`, from the shape.
fn key_hover(text: &str, offset: usize) -> Option<(Span, String)> {
    let root = yaml::parse(text).root?;
    let location = shape::locate(&root, offset)?;
    let entry = location.entry?;
    let field = location.field?;
    let span = if location.on_key {
        entry.key_span
    } else if entry.value.span.start <= offset && offset < entry.value.span.end {
        if !matches!(
            entry.value.value,
            Value::String(_) | Value::Int(_) | Value::Float(_) | Value::Bool(_)
        ) {
            return None;
        }
        entry.value.span
    } else {
        return None;
    };
    Some((span, key_markdown(location.shape, field)))
}

/// `**`key`**: what it takes`, its doc and status.
pub fn key_markdown(shape: &shape::Shape, field: &ShapeField) -> String {
    let mut md = format!("**`{}`**: {}\n\n", field.key, kind_label(&field.kind));
    match field.status {
        Status::Ignored(reason) => {
            let _ = write!(md, "Ignored by Blueprint: {reason}.");
        }
        Status::Legacy => {
            let _ = write!(md, "{}\n\n*Legacy form.*", field.doc);
        }
        Status::Canonical | Status::Mixed => md.push_str(field.doc),
    }
    if field.is_required() {
        md.push_str("\n\n*Required.*");
    }
    let _ = write!(md, "\n\nIn a {}.", shape.noun);
    md
}

/// What a key takes: the values of a closed set, or a description.
fn kind_label(kind: &Kind) -> String {
    match kind {
        Kind::Enum(vocab) => vocab
            .values
            .iter()
            .map(|v| format!("`{v}`"))
            .collect::<Vec<_>>()
            .join(" | "),
        Kind::ComponentType => "a component type".into(),
        other => other.describe(),
    }
}

fn type_markdown(kind: ComponentType) -> String {
    let mut md = format!(
        "**{}** — component type\n\n{}\n\n**Configuration**\n\n",
        kind.as_str(),
        kind.summary()
    );
    let shape = shape::configuration(kind);
    for field in shape
        .fields
        .iter()
        .filter(|f| f.status == Status::Canonical)
    {
        let _ = writeln!(md, "- `{}` — {}", field.key, field.doc);
    }
    let (inputs, outputs) = typical_ports(kind);
    md.push_str("\n**Typical ports**\n\n");
    let _ = writeln!(md, "- inputs: {inputs}");
    let _ = write!(md, "- outputs: {outputs}");
    md
}

/// The ports a component of each type usually has (inputs, outputs).
fn typical_ports(kind: ComponentType) -> (&'static str, &'static str) {
    match kind {
        ComponentType::Source => ("none (an entry point)", "`output`"),
        ComponentType::Transformer => ("`input`", "`output`"),
        ComponentType::Accumulator => ("`input`", "`output` (the aggregates)"),
        ComponentType::Store => (
            "`input` (records to persist)",
            "`output` (optional, stored records)",
        ),
        ComponentType::Controller => ("`request`", "one per store or component it drives"),
        ComponentType::Sink => ("`input`", "none"),
        ComponentType::StreamProcessor => ("`input`", "`output`"),
        ComponentType::Model => ("`input` (records to score)", "`output` (scored records)"),
        ComponentType::ApiEndpoint => (
            "`response` (optional, request_response)",
            "`requests` or `commands` (an entry point)",
        ),
        ComponentType::Router => ("`input`", "one per route, and a default"),
    }
}

fn component_markdown(component: &Component) -> String {
    let name = component.name_str().unwrap_or("?");
    let type_name = component
        .type_name
        .as_ref()
        .map_or("?", |t| t.value.as_str());
    let mut md = format!("**{name}** — component of type `{type_name}`\n\n");
    if let Some(description) = &component.description {
        let _ = write!(md, "{}\n\n", description.value);
    } else if let Some(kind) = component.kind {
        let _ = write!(md, "{}\n\n", kind.summary());
    }
    for (title, ports) in [
        ("Inputs", &component.inputs),
        ("Outputs", &component.outputs),
    ] {
        if ports.is_empty() {
            continue;
        }
        let _ = write!(md, "**{title}**\n\n");
        for port in ports {
            let _ = writeln!(md, "- {}", port_line(port));
        }
        md.push('\n');
    }
    md.trim_end().to_owned()
}

/// "`commands`: `Task` (push)".
fn port_line(port: &Port) -> String {
    let schema = port
        .schema
        .as_ref()
        .map_or("no schema".to_owned(), |s| format!("`{}`", s.value));
    format!("`{}`: {schema} ({})", port.name.value, port.flow().as_str())
}

fn direction(direction: Direction) -> &'static str {
    match direction {
        Direction::Input => "input",
        Direction::Output => "output",
    }
}

fn port_markdown(blueprint: &Blueprint, component: &Component, port: &Port) -> String {
    let name = component.name_str().unwrap_or("?");
    let type_name = component
        .type_name
        .as_ref()
        .map_or("?", |t| t.value.as_str());
    let mut md = format!(
        "**{name}.{}** — {} port of `{name}` ({type_name})\n\n- flow: `{}`\n",
        port.name.value,
        direction(port.direction),
        port.flow().as_str()
    );
    match &port.schema {
        Some(schema) => {
            let _ = writeln!(md, "- schema: `{}`", schema.value);
            if let Some(def) = blueprint.schema(&schema.value) {
                md.push('\n');
                md.push_str(&fields_table(&def.schema));
            }
        }
        None => md.push_str("- schema: none\n"),
    }
    md.trim_end().to_owned()
}

fn endpoint_markdown(blueprint: &Blueprint, endpoint: &Endpoint) -> Option<String> {
    let system = blueprint.system.as_ref()?;
    let component = system.component(&endpoint.component.value)?;
    match &endpoint.port {
        Some(port) => {
            let port = component.port(&port.value)?;
            Some(port_markdown(blueprint, component, port))
        }
        None => Some(component_markdown(component)),
    }
}

fn schema_markdown(def: &SchemaDef) -> String {
    let mut md = format!("**{}** — schema\n\n", def.name.value);
    if def.schema.properties.is_empty() {
        let _ = write!(md, "type: `{}`", type_label(&def.schema));
    } else {
        md.push_str(&fields_table(&def.schema));
    }
    md.trim_end().to_owned()
}

/// The fields of an object schema as a Markdown table.
fn fields_table(schema: &Schema) -> String {
    let mut md = String::from("| field | type | required |\n|---|---|---|\n");
    for field in &schema.properties {
        let required = if schema.is_required(&field.name.value) {
            "yes"
        } else {
            "no"
        };
        let _ = writeln!(
            md,
            "| `{}` | {} | {required} |",
            field.name.value,
            type_label(&field.schema)
        );
    }
    md
}

/// "string (uuid)", "array of integer", "object".
fn type_label(schema: &Schema) -> String {
    let base = schema
        .type_name
        .as_ref()
        .map_or("any", |t| t.value.as_str());
    let mut label = base.to_owned();
    if let Some(format) = &schema.format {
        let _ = write!(label, " ({})", format.value);
    }
    if base == "array" {
        if let Some(items) = &schema.items {
            label = format!("array of {}", type_label(items));
        }
    }
    label
}

fn database_markdown(blueprint: &Blueprint, database: &Database) -> String {
    let engine = database
        .engine_kind
        .map(|e| e.display_name())
        .unwrap_or("unknown engine");
    let mut md = format!("**{}** — database ({engine})\n\n", database.name.value);
    if let Some(engine) = &database.engine {
        let _ = writeln!(md, "- engine: `{}`", engine.value);
    }
    match &database.url {
        Some(url) => {
            let _ = writeln!(md, "- url: `{}`", mask_secrets(&url.value));
        }
        None => md.push_str("- url: not set\n"),
    }
    let pool = &database.pool;
    let settings: Vec<String> = [
        ("max_connections", &pool.max_connections),
        ("min_connections", &pool.min_connections),
        ("acquire_timeout_ms", &pool.acquire_timeout_ms),
    ]
    .iter()
    .filter_map(|(key, value)| value.as_ref().map(|v| format!("{key} {}", v.value)))
    .collect();
    if !settings.is_empty() {
        let _ = writeln!(md, "- pool: {}", settings.join(", "));
    }
    if let Some(migrations) = &database.migrations {
        let _ = writeln!(md, "- migrations: `{}`", migrations.value);
    }
    let stores: Vec<String> = blueprint
        .system
        .iter()
        .flat_map(|s| &s.components)
        .filter(|c| {
            c.store
                .as_ref()
                .and_then(|s| s.database.as_ref())
                .is_some_and(|d| d.value == database.name.value)
        })
        .filter_map(|c| c.name_str().map(|n| format!("`{n}`")))
        .collect();
    if !stores.is_empty() {
        let _ = writeln!(md, "- stores: {}", stores.join(", "));
    }
    md.trim_end().to_owned()
}

#[cfg(test)]
mod tests;
