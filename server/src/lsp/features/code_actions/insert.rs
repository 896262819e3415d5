//! Fixes the validator has no local edit for: adding a missing schema or
//! port, moving legacy store database settings to `system.databases`.

use blueprint_grammars::model::{Blueprint, DatabaseOrigin, Direction, Endpoint, Engine};
use blueprint_grammars::yaml::{self, Entry, Node};
use blueprint_grammars::Span;
use tower_lsp_server::ls_types::CodeActionKind;

use super::text::{
    after_colon, after_line, column, indented, into_flow, is_flow, line_start, newline,
};
use super::Edits;
use crate::analysis::Diagnostic;

pub type Extra = Option<(String, CodeActionKind, Edits)>;

fn unquote(s: &str) -> &str {
    s.trim().trim_matches(|c| c == '"' || c == '\'')
}

/// BP220: "Add schema `X`", a skeleton under the top-level `schemas`
/// (created at the end of the file when missing).
pub fn add_schema(text: &str, d: &Diagnostic) -> Extra {
    let name = unquote(text.get(d.span.start..d.span.end)?);
    if name.is_empty() || name.contains(|c: char| c.is_whitespace() || c == ':') {
        return None;
    }
    let nl = newline(text);
    let lines = [
        format!("{name}:"),
        "  type: object".to_owned(),
        "  properties:".to_owned(),
        "    id: { type: string }".to_owned(),
        "  required: [id]".to_owned(),
    ];
    let flow_item = format!(
        "{name}: {{ type: object, properties: {{ id: {{ type: string }} }}, required: [id] }}"
    );
    let root = yaml::parse(text).root;
    let edit = match root.as_ref().and_then(|r| r.entry("schemas")) {
        Some(entry) if entry.value.as_mapping().is_some() && is_flow(text, &entry.value) => {
            into_flow(text, &entry.value, &flow_item, false)?
        }
        Some(entry) if entry.value.as_mapping().is_some_and(|m| !m.is_empty()) => {
            let indent = column(text, entry.value.span.start);
            let (at, lead) = after_line(text, entry.value.span.end);
            (
                Span::empty(at),
                format!("{lead}{}", indented(&lines, indent, nl)),
            )
        }
        Some(entry) if entry.value.is_null() => {
            let (at, lead) = after_line(text, entry.key_span.end);
            let indent = column(text, entry.key_span.start) + 2;
            (
                Span::empty(at),
                format!("{lead}{}", indented(&lines, indent, nl)),
            )
        }
        Some(_) => return None,
        None => {
            let lead = if text.is_empty() || text.ends_with('\n') {
                ""
            } else {
                nl
            };
            (
                Span::empty(text.len()),
                format!("{lead}schemas:{nl}{}", indented(&lines, 2, nl)),
            )
        }
    };
    Some((
        format!("Add schema `{name}`"),
        CodeActionKind::QUICKFIX,
        vec![edit],
    ))
}

/// The binding endpoint whose port reference is at `span`, and whether it
/// is the binding's `from`.
fn endpoint_at(
    blueprint: &Blueprint,
    span: Span,
) -> Option<(&Endpoint, Direction, Option<String>)> {
    let system = blueprint.system.as_ref()?;
    let port_schema = |e: &Endpoint, direction: Direction| -> Option<String> {
        let component = system.component(&e.component.value)?;
        let port = e.port.as_ref()?;
        let port = match direction {
            Direction::Output => component.output(&port.value),
            Direction::Input => component.input(&port.value),
        }?;
        port.schema.as_ref().map(|s| s.value.clone())
    };
    for binding in &system.bindings {
        if let Some(from) = &binding.from {
            if from.port.as_ref().is_some_and(|p| p.span == span) {
                let other = binding
                    .to
                    .iter()
                    .find_map(|t| port_schema(t, Direction::Input));
                return Some((from, Direction::Output, other));
            }
        }
        for to in &binding.to {
            if to.port.as_ref().is_some_and(|p| p.span == span) {
                let other = binding
                    .from
                    .as_ref()
                    .and_then(|f| port_schema(f, Direction::Output));
                return Some((to, Direction::Input, other));
            }
        }
    }
    None
}

/// The YAML node of the component named `name`.
pub fn component_node<'a>(root: &'a Node, name: &str) -> Option<&'a Node> {
    root.get("system")?
        .get("components")?
        .as_sequence()?
        .iter()
        .find(|c| c.get("name").and_then(Node::as_str) == Some(name))
}

/// BP301: "Add output `p` to `c`" / "Add input `p` to `c`", into the
/// component's `outputs`/`inputs` (created when missing), with the schema
/// of the binding's other end when known.
pub fn add_port(text: &str, blueprint: &Blueprint, d: &Diagnostic) -> Extra {
    let (endpoint, direction, schema) = endpoint_at(blueprint, d.span)?;
    let port = &endpoint.port.as_ref()?.value;
    let component = &endpoint.component.value;
    let (key, what) = match direction {
        Direction::Output => ("outputs", "output"),
        Direction::Input => ("inputs", "input"),
    };
    let item = match &schema {
        Some(schema) => format!("{{ name: {port}, schema: {schema} }}"),
        None => format!("{{ name: {port} }}"),
    };
    let nl = newline(text);
    let root = yaml::parse(text).root?;
    let node = component_node(&root, component)?;
    let entries = node.as_mapping()?;
    // Legacy `ports:` maps are rewritten by their own fix first.
    if node.get("ports").is_some() {
        return None;
    }
    let edit = match node.entry(key) {
        Some(entry) if entry.value.as_sequence().is_some() && is_flow(text, &entry.value) => {
            into_flow(text, &entry.value, &item, false)?
        }
        Some(entry) if entry.value.as_sequence().is_some_and(|s| !s.is_empty()) => {
            let indent = column(text, entry.value.span.start);
            let (at, lead) = after_line(text, entry.value.span.end);
            (
                Span::empty(at),
                format!("{lead}{}", indented(&[format!("- {item}")], indent, nl)),
            )
        }
        Some(entry) if entry.value.is_null() => (
            Span::empty(after_colon(text, entry.key_span.end)),
            format!(" [{item}]"),
        ),
        Some(_) => return None,
        None if is_flow(text, node) => into_flow(text, node, &format!("{key}: [{item}]"), false)?,
        None => {
            let first = entries.first()?;
            let indent = column(text, first.key_span.start);
            let (at, lead) = after_line(text, node.span.end);
            (
                Span::empty(at),
                format!(
                    "{lead}{}",
                    indented(&[format!("{key}: [{item}]")], indent, nl)
                ),
            )
        }
    };
    Some((
        format!("Add {what} `{port}` to `{component}`"),
        CodeActionKind::QUICKFIX,
        vec![edit],
    ))
}

/// BP151: "Move database settings to `system.databases`": a database
/// entry (with `databases:` created under `system` when missing) holding
/// the store's legacy engine, URL and pool, and the store's legacy keys
/// replaced by `database: <name>`.
pub fn move_database(text: &str, blueprint: &Blueprint, d: &Diagnostic) -> Extra {
    let system = blueprint.system.as_ref()?;
    let component = system
        .components
        .iter()
        .find(|c| c.span.contains(d.span.start))?;
    let name = component.name_str()?;
    let db_name = &component.store.as_ref()?.database.as_ref()?.value;
    let database = system.database(db_name)?;
    if database.origin
        != (DatabaseOrigin::Legacy {
            component: name.to_owned(),
        })
    {
        return None;
    }
    let nl = newline(text);
    let root = yaml::parse(text).root?;
    let system_node = root.get("system")?;
    let node = component_node(&root, name)?;
    let config_entry = node
        .entry("configuration")
        .or_else(|| node.entry("config"))?;
    let config = &config_entry.value;
    let config_entries = config.as_mapping()?;
    let config_flow = is_flow(text, config);

    // The new entry under `system.databases`.
    let engine = database
        .engine_kind
        .or_else(|| {
            database
                .url
                .as_ref()
                .and_then(|u| Engine::from_url(&u.value))
        })
        .map(|e| e.as_str().to_owned())
        .or_else(|| database.engine.as_ref().map(|e| e.value.clone()));
    let mut lines = vec![format!("{db_name}:")];
    if let Some(engine) = engine {
        lines.push(format!("  engine: {engine}"));
    }
    if let Some(url) = &database.url {
        let escaped = url.value.replace('\\', "\\\\").replace('"', "\\\"");
        lines.push(format!("  url: \"{escaped}\""));
    }
    let pool: Vec<String> = [
        ("max_connections", &database.pool.max_connections),
        ("min_connections", &database.pool.min_connections),
        ("acquire_timeout_ms", &database.pool.acquire_timeout_ms),
    ]
    .iter()
    .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}: {}", v.value)))
    .collect();
    if !pool.is_empty() {
        lines.push(format!("  pool: {{ {} }}", pool.join(", ")));
    }
    let mut edits: Edits = Vec::new();
    match system_node.entry("databases") {
        Some(entry) if entry.value.as_mapping().is_some() && is_flow(text, &entry.value) => {
            let flow = format!(
                "{db_name}: {{ {} }}",
                lines[1..]
                    .iter()
                    .map(|l| l.trim())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            edits.push(into_flow(text, &entry.value, &flow, false)?);
        }
        Some(entry) if entry.value.as_mapping().is_some_and(|m| !m.is_empty()) => {
            let indent = column(text, entry.value.span.start);
            let (at, lead) = after_line(text, entry.value.span.end);
            edits.push((
                Span::empty(at),
                format!("{lead}{}", indented(&lines, indent, nl)),
            ));
        }
        Some(entry) if entry.value.is_null() => {
            let (at, lead) = after_line(text, entry.key_span.end);
            let indent = column(text, entry.key_span.start) + 2;
            edits.push((
                Span::empty(at),
                format!("{lead}{}", indented(&lines, indent, nl)),
            ));
        }
        Some(_) => return None,
        None => {
            if is_flow(text, system_node) {
                return None;
            }
            let first = system_node.as_mapping()?.first()?;
            let indent = column(text, first.key_span.start);
            let mut block = vec!["databases:".to_owned()];
            block.extend(lines.iter().map(|l| format!("  {l}")));
            let (at, lead) = match system_node.entry("components") {
                Some(components) => (line_start(text, components.key_span.start), ""),
                None => after_line(text, system_node.span.end),
            };
            edits.push((
                Span::empty(at),
                format!("{lead}{}", indented(&block, indent, nl)),
            ));
        }
    }

    // The store's legacy keys (but `table_name`, which has its own fix).
    let legacy: Vec<usize> = config_entries
        .iter()
        .enumerate()
        .filter(|(_, e)| match e.key.as_str() {
            "storage_type" | "database_type" | "database_url" => true,
            "database" => {
                e.value.as_mapping().is_some() || e.value.as_str().is_some_and(|v| v != db_name)
            }
            _ => false,
        })
        .map(|(i, _)| i)
        .collect();
    let reference = format!("database: {db_name}");
    let database_index = legacy
        .iter()
        .copied()
        .find(|&i| config_entries[i].key == "database");
    let replaced = database_index.or(legacy.first().copied());
    for &i in &legacy {
        let entry = &config_entries[i];
        if Some(i) == database_index {
            let start = after_colon(text, entry.key_span.end);
            edits.push((
                Span::new(start, entry.value.span.end),
                format!(" {db_name}"),
            ));
        } else if Some(i) == replaced {
            let span = if config_flow {
                Span::new(entry.key_span.start, entry.value.span.end)
            } else {
                Span::new(
                    entry.key_span.start,
                    after_line(text, entry.value.span.end).0,
                )
            };
            let lead = if config_flow { "" } else { nl };
            edits.push((span, format!("{reference}{lead}")));
        } else {
            edits.push((
                remove_entry(text, config_entries, i, config_flow),
                String::new(),
            ));
        }
    }
    // `resources.databases`.
    if let Some(resources) = node.entry("resources") {
        if let Some(entries) = resources.value.as_mapping() {
            if let Some(i) = entries.iter().position(|e| e.key == "databases") {
                let edit = if entries.len() == 1 {
                    let all = node.as_mapping()?;
                    let at = all.iter().position(|e| e.key == "resources")?;
                    remove_entry(text, all, at, is_flow(text, node))
                } else {
                    remove_entry(text, entries, i, is_flow(text, &resources.value))
                };
                edits.push((edit, String::new()));
                if replaced.is_none() {
                    let edit = if config_flow {
                        into_flow(text, config, &reference, false)?
                    } else {
                        let indent = column(text, config_entries.first()?.key_span.start);
                        let (at, lead) = after_line(text, config.span.end);
                        (
                            Span::empty(at),
                            format!(
                                "{lead}{}",
                                indented(std::slice::from_ref(&reference), indent, nl)
                            ),
                        )
                    };
                    edits.push(edit);
                }
            }
        }
    } else if replaced.is_none() {
        return None;
    }
    Some((
        "Move database settings to `system.databases`".to_owned(),
        CodeActionKind::REFACTOR_REWRITE,
        edits,
    ))
}

/// The text to delete to remove entry `i` of a mapping.
fn remove_entry(text: &str, entries: &[Entry], i: usize, flow: bool) -> Span {
    let entry = &entries[i];
    if !flow {
        return Span::new(
            line_start(text, entry.key_span.start),
            after_line(text, entry.value.span.end).0,
        );
    }
    match (entries.get(i + 1), i.checked_sub(1).map(|p| &entries[p])) {
        (Some(next), _) => Span::new(entry.key_span.start, next.key_span.start),
        (None, Some(previous)) => Span::new(previous.value.span.end, entry.value.span.end),
        (None, None) => Span::new(entry.key_span.start, entry.value.span.end),
    }
}
