//! Lowering of one component, including its ports and store settings in
//! every legacy spelling.

use super::lower::{entry_span, Lowerer};
use super::{
    Component, ComponentType, Database, DatabaseOrigin, Direction, Engine, LegacyForm, Pool, Port,
    StoreSettings,
};
use crate::span::{Span, Spanned};
use crate::yaml::{Node, Value};

/// Lowers a component list item. Returns the component and, for a store
/// written with legacy database settings, the database synthesised from them.
pub(super) fn lower_component(
    cx: &mut Lowerer,
    node: &Node,
    declared: &[Database],
) -> (Component, Option<Database>) {
    let source = cx.text.get(node.span.start..node.span.end).unwrap_or("");
    let type_name = node.get("type").and_then(|n| cx.scalar(n));
    let mut component = Component {
        span: node.span,
        name: node.get("name").and_then(|n| cx.scalar(n)),
        kind: type_name
            .as_ref()
            .and_then(|t| ComponentType::parse(&t.value)),
        type_name,
        description: node.get("description").and_then(|n| cx.scalar(n)),
        inputs: ports(cx, node.get("inputs"), Direction::Input),
        outputs: ports(cx, node.get("outputs"), Direction::Output),
        configuration: None,
        store: None,
        digest: xxhash_rust::xxh3::xxh3_64(source.as_bytes()),
    };
    if let Some(entry) = node.entry("configuration") {
        component.configuration = Some(entry.value.clone());
    } else if let Some(entry) = node.entry("config") {
        cx.legacy(
            LegacyForm::ConfigKey,
            entry.key_span,
            "`configuration`",
            vec![(entry.key_span, "configuration".into())],
        );
        component.configuration = Some(entry.value.clone());
    }
    if let Some(entry) = node.entry("ports") {
        lower_ports_map(
            cx,
            &mut component,
            entry,
            node.get("inputs").is_some() || node.get("outputs").is_some(),
        );
    }
    let mut legacy_db = None;
    if component.kind == Some(ComponentType::Store) {
        let (store, db) = lower_store(cx, &component, node, declared);
        component.store = Some(store);
        legacy_db = db;
    }
    (component, legacy_db)
}

fn ports(cx: &Lowerer, node: Option<&Node>, direction: Direction) -> Vec<Port> {
    let Some(items) = node.and_then(Node::as_sequence) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| match &item.value {
            // `inputs: [input]`: a port with a name and nothing else.
            Value::String(_) => Some(Port {
                span: item.span,
                name: cx.scalar(item)?,
                direction,
                schema: None,
                flow_type: None,
            }),
            Value::Mapping(_) => Some(Port {
                span: item.span,
                name: item.get("name").and_then(|n| cx.scalar(n))?,
                direction,
                schema: item.get("schema").and_then(|n| cx.scalar(n)),
                flow_type: item.get("flow_type").and_then(|n| cx.scalar(n)),
            }),
            _ => None,
        })
        .collect()
}

/// `ports: {name: {direction: input|output, schema | data_schema{id}}}`.
fn lower_ports_map(
    cx: &mut Lowerer,
    component: &mut Component,
    entry: &crate::yaml::Entry,
    has_lists: bool,
) {
    let Some(map) = entry.value.as_mapping() else {
        return;
    };
    let mut inputs = Vec::new();
    let mut outputs = Vec::new();
    for port in map {
        let direction = match port.value.get("direction").and_then(Node::as_str) {
            Some("input" | "in") => Direction::Input,
            Some("output" | "out") => Direction::Output,
            _ => continue,
        };
        let schema = port
            .value
            .get("schema")
            .or_else(|| {
                port.value
                    .get("data_schema")
                    .map(|d| d.get("id").unwrap_or(d))
            })
            .and_then(|n| cx.scalar(n));
        let lowered = Port {
            span: entry_span(port),
            name: Spanned::new(port.key.clone(), port.key_span),
            direction,
            schema,
            flow_type: port.value.get("flow_type").and_then(|n| cx.scalar(n)),
        };
        match direction {
            Direction::Input => inputs.push(lowered),
            Direction::Output => outputs.push(lowered),
        }
    }
    let render = |ports: &[Port]| {
        let items: Vec<String> = ports
            .iter()
            .map(|p| {
                let mut fields = vec![format!("name: {}", p.name.value)];
                fields.extend(p.schema.as_ref().map(|s| format!("schema: {}", s.value)));
                fields.extend(
                    p.flow_type
                        .as_ref()
                        .map(|f| format!("flow_type: {}", f.value)),
                );
                format!("{{ {} }}", fields.join(", "))
            })
            .collect();
        format!("[{}]", items.join(", "))
    };
    let indent = cx.indent_at(entry.key_span.start);
    let canonical = format!(
        "inputs: {}\n{indent}outputs: {}",
        render(&inputs),
        render(&outputs)
    );
    // With `inputs`/`outputs` also present the rewrite would duplicate keys;
    // the user merges by hand then.
    let rewrite = if has_lists {
        Vec::new()
    } else {
        vec![(entry_span(entry), canonical.clone())]
    };
    cx.legacy(
        LegacyForm::PortsMap,
        entry.key_span,
        format!("`{}`", canonical.replace(&format!("\n{indent}"), " ")),
        rewrite,
    );
    component.inputs.extend(inputs);
    component.outputs.extend(outputs);
}

/// Everything a legacy store says about its database, gathered from the
/// several places autocoder put it.
#[derive(Default)]
struct LegacyDatabase {
    span: Option<Span>,
    engine: Option<Spanned<String>>,
    url: Option<Spanned<String>>,
    pool: Pool,
}

impl LegacyDatabase {
    fn saw(&mut self, span: Span) {
        self.span = Some(self.span.map_or(span, |s| s.cover(span)));
    }
}

fn lower_store(
    cx: &mut Lowerer,
    component: &Component,
    node: &Node,
    declared: &[Database],
) -> (StoreSettings, Option<Database>) {
    let mut store = StoreSettings::default();
    let mut legacy = LegacyDatabase::default();
    if let Some(config) = component
        .configuration
        .as_ref()
        .filter(|c| c.as_mapping().is_some())
    {
        store.table = config.get("table").and_then(|n| cx.scalar(n));
        store.key = config.get("key").and_then(|n| cx.scalar(n));
        if let Some(entry) = config.entry("database") {
            match &entry.value.value {
                Value::Mapping(_) => {
                    cx.legacy(
                        LegacyForm::StoreDatabaseBlock,
                        entry_span(entry),
                        "a database under `system.databases` named by `configuration.database`",
                        Vec::new(),
                    );
                    legacy_block(cx, &entry.value, &mut legacy);
                    legacy.saw(entry_span(entry));
                }
                _ => {
                    if let Some(name) = cx.scalar(&entry.value) {
                        let is_declared = declared.iter().any(|d| d.name.value == name.value);
                        if !is_declared && Engine::parse(&name.value).is_some() {
                            cx.legacy(LegacyForm::StoreDatabaseKeys, entry_span(entry), format!("`engine: {}` on a database under `system.databases` (here `database` names an engine, not a database)", name.value), Vec::new());
                            legacy.engine.get_or_insert(name.clone());
                            legacy.saw(entry_span(entry));
                        } else {
                            store.database = Some(name);
                        }
                    }
                }
            }
        }
        for (key, canonical) in [
            (
                "storage_type",
                "`engine` on a database under `system.databases`",
            ),
            (
                "database_type",
                "`engine` on a database under `system.databases`",
            ),
            (
                "database_url",
                "`url` on a database under `system.databases`",
            ),
            ("table_name", "`table`"),
        ] {
            let Some(entry) = config.entry(key) else {
                continue;
            };
            let value = cx.scalar(&entry.value);
            match key {
                "table_name" => {
                    cx.legacy(
                        LegacyForm::StoreDatabaseKeys,
                        entry.key_span,
                        canonical,
                        vec![(entry.key_span, "table".into())],
                    );
                    if store.table.is_none() {
                        store.table = value;
                    }
                    continue;
                }
                "database_url" => legacy.url = legacy.url.take().or(value),
                _ => legacy.engine = legacy.engine.take().or(value),
            }
            cx.legacy(
                LegacyForm::StoreDatabaseKeys,
                entry.key_span,
                canonical,
                Vec::new(),
            );
            legacy.saw(entry_span(entry));
        }
    }
    if let Some(entry) = node.get("resources").and_then(|r| r.entry("databases")) {
        if let Some(first) = entry.value.as_sequence().and_then(|s| s.first()) {
            cx.legacy(
                LegacyForm::ResourcesDatabases,
                entry.key_span,
                "a database under `system.databases` named by `configuration.database`",
                Vec::new(),
            );
            legacy_block(cx, first, &mut legacy);
            legacy.saw(entry_span(entry));
        }
    }
    let synthesised = match (&store.database, legacy.span) {
        // A canonical reference wins; legacy settings beside it only hint.
        (Some(_), _) | (None, None) => None,
        (None, Some(span)) => {
            let base = component.name_str().unwrap_or("store");
            let name = format!("{base}_db");
            store.database = Some(Spanned::new(name.clone(), span));
            Some(Database {
                name: Spanned::new(name, span),
                span,
                engine_kind: legacy
                    .engine
                    .as_ref()
                    .and_then(|e| Engine::parse(&e.value.to_ascii_lowercase()))
                    .or_else(|| legacy.url.as_ref().and_then(|u| Engine::from_url(&u.value))),
                engine: legacy.engine,
                url: legacy.url,
                pool: legacy.pool,
                migrations: None,
                origin: DatabaseOrigin::Legacy {
                    component: base.to_owned(),
                },
            })
        }
    };
    (store, synthesised)
}

/// `{type, connection_string | url, pool_size | connection_pool{min_size, max_size}}`.
fn legacy_block(cx: &Lowerer, node: &Node, legacy: &mut LegacyDatabase) {
    if legacy.engine.is_none() {
        legacy.engine = node
            .get("type")
            .or_else(|| node.get("engine"))
            .and_then(|n| cx.scalar(n));
    }
    if legacy.url.is_none() {
        legacy.url = node
            .get("connection_string")
            .or_else(|| node.get("url"))
            .and_then(|n| cx.scalar(n));
    }
    if let Some(size) = node.get("pool_size").and_then(|n| cx.int(n)) {
        legacy.pool.max_connections.get_or_insert(size);
    }
    if let Some(pool) = node.get("connection_pool") {
        if let Some(max) = pool.get("max_size").and_then(|n| cx.int(n)) {
            legacy.pool.max_connections.get_or_insert(max);
        }
        if let Some(min) = pool.get("min_size").and_then(|n| cx.int(n)) {
            legacy.pool.min_connections.get_or_insert(min);
        }
    }
}
