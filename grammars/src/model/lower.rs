//! Lowering: spanned YAML tree -> [`Blueprint`].

use super::components::lower_component;
use super::databases::lower_databases;
use super::schemas::lower_schema_defs;
use super::{Binding, Blueprint, Endpoint, LegacyForm, LegacyUse, System};
use crate::span::{scalar_sub_span, Span, Spanned};
use crate::yaml::{Entry, Node, Value};

/// Builds the model of a blueprint from its YAML root (`None` for an empty
/// file). `text` is the source the tree was parsed from: it gives component
/// digests and the indentation of rewrites.
pub fn lower(root: Option<&Node>, text: &str) -> Blueprint {
    let mut cx = Lowerer {
        text,
        legacy: Vec::new(),
    };
    let mut blueprint = Blueprint::default();
    let Some(root) = root else { return blueprint };
    blueprint.schema_version = root.get("schema_version").and_then(|n| cx.scalar(n));
    blueprint.natural_language_description = root
        .get("metadata")
        .and_then(|m| m.get("natural_language_description"))
        .and_then(|n| cx.scalar(n));
    if let Some(schemas) = root.get("schemas") {
        blueprint.schemas.extend(lower_schema_defs(&cx, schemas));
    }
    if let Some(system) = root.get("system") {
        let (system, legacy_schemas) = lower_system(&mut cx, system);
        blueprint.system = Some(system);
        blueprint.schemas.extend(legacy_schemas);
    }
    cx.legacy.sort_by_key(|l| (l.span.start, l.span.end));
    blueprint.legacy = cx.legacy;
    blueprint
}

/// State shared by the lowering functions.
pub(super) struct Lowerer<'t> {
    pub text: &'t str,
    pub legacy: Vec<LegacyUse>,
}

impl Lowerer<'_> {
    pub fn legacy(
        &mut self,
        form: LegacyForm,
        span: Span,
        canonical: impl Into<String>,
        rewrite: Vec<(Span, String)>,
    ) {
        self.legacy.push(LegacyUse {
            form,
            span,
            canonical: canonical.into(),
            rewrite,
        });
    }

    /// A scalar as text. Non-string scalars keep their source spelling, so
    /// `version: 1.10` stays "1.10" rather than becoming the float 1.1.
    pub fn scalar(&self, node: &Node) -> Option<Spanned<String>> {
        let text = match &node.value {
            Value::String(s) => s.clone(),
            Value::Int(_) | Value::Float(_) | Value::Bool(_) => self
                .text
                .get(node.span.start..node.span.end)
                .map(str::to_owned)
                .unwrap_or_else(|| node.scalar_text().unwrap_or_default()),
            Value::Null | Value::Sequence(_) | Value::Mapping(_) => return None,
        };
        Some(Spanned::new(text, node.span))
    }

    /// An integer value with its span.
    pub fn int(&self, node: &Node) -> Option<Spanned<i64>> {
        node.as_i64().map(|i| Spanned::new(i, node.span))
    }

    /// Column (in bytes) at which `offset`'s line content starts at `offset`,
    /// i.e. the indentation to give text inserted in its place.
    pub fn indent_at(&self, offset: usize) -> String {
        let line_start = self.text[..offset.min(self.text.len())]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        " ".repeat(offset.saturating_sub(line_start))
    }

    /// Span of part of a string scalar's value (see [`scalar_sub_span`]).
    pub fn sub_span(&self, node: &Node, value_offset: usize, len: usize) -> Span {
        match node.as_str() {
            Some(value) => scalar_sub_span(self.text, node.span, value, value_offset, len),
            None => node.span,
        }
    }
}

/// Span from the start of an entry's key to the end of its value.
pub(super) fn entry_span(entry: &Entry) -> Span {
    entry.key_span.cover(entry.value.span)
}

fn lower_system(cx: &mut Lowerer, node: &Node) -> (System, Vec<super::SchemaDef>) {
    let mut system = System {
        span: node.span,
        name: node.get("name").and_then(|n| cx.scalar(n)),
        description: node.get("description").and_then(|n| cx.scalar(n)),
        version: node.get("version").and_then(|n| cx.scalar(n)),
        metrics_listen: node
            .get("observability")
            .and_then(|o| o.get("metrics"))
            .and_then(|m| m.get("listen"))
            .and_then(|n| cx.scalar(n)),
        ..System::default()
    };
    if let Some(databases) = node.get("databases") {
        system.databases = lower_databases(cx, databases);
    }
    if let Some(items) = node.get("components").and_then(Node::as_sequence) {
        for item in items {
            let (component, legacy_db) = lower_component(cx, item, &system.databases);
            system.databases.extend(legacy_db);
            system.components.push(component);
        }
    }
    if let Some(items) = node.get("bindings").and_then(Node::as_sequence) {
        system.bindings = items.iter().filter_map(|b| lower_binding(cx, b)).collect();
    }
    let mut schemas = Vec::new();
    if let Some(entry) = node.entry("schemas") {
        cx.legacy(
            LegacyForm::SystemSchemas,
            entry.key_span,
            "top-level `schemas` (move this section out of `system`, to the top level)",
            Vec::new(),
        );
        schemas = lower_schema_defs(cx, &entry.value);
    }
    (system, schemas)
}

fn lower_binding(cx: &mut Lowerer, node: &Node) -> Option<Binding> {
    node.as_mapping()?;
    if node.get("from_component").is_some()
        || node.get("to_component").is_some()
        || node.get("to_components").is_some()
    {
        return Some(lower_split_binding(cx, node));
    }
    let from = node
        .entry("from")
        .and_then(|e| endpoint_value(cx, e, &["output", "port"]));
    let mut to = Vec::new();
    if let Some(entry) = node.entry("to") {
        match &entry.value.value {
            Value::Sequence(items) => {
                for item in items {
                    to.extend(endpoint_node(cx, item, &["input", "port"], Some(item.span)));
                }
            }
            _ => to.extend(endpoint_value(cx, entry, &["input", "port"])),
        }
    }
    Some(Binding {
        span: node.span,
        from,
        to,
    })
}

/// An endpoint written as the value of `from:` or `to:`. The object form
/// records a legacy use whose rewrite replaces the whole value.
fn endpoint_value(cx: &mut Lowerer, entry: &Entry, port_keys: &[&str]) -> Option<Endpoint> {
    endpoint_node(cx, &entry.value, port_keys, None).inspect(|endpoint| {
        if entry.value.as_mapping().is_some() {
            let canonical = endpoint_text(endpoint);
            // Replace from the end of the key (`from`) to the end of the
            // value, so a block mapping on the following lines collapses
            // onto the key's line.
            let span = Span::new(entry.key_span.end, entry.value.span.end);
            cx.legacy(
                LegacyForm::BindingObjectEndpoint,
                entry_span(entry),
                format!("`{}: {canonical}`", entry.key),
                vec![(span, format!(": {canonical}"))],
            );
        }
    })
}

fn endpoint_node(
    cx: &mut Lowerer,
    node: &Node,
    port_keys: &[&str],
    list_item: Option<Span>,
) -> Option<Endpoint> {
    match &node.value {
        Value::Mapping(_) => {
            let component = node.get("component").and_then(|n| cx.scalar(n))?;
            let port = port_keys
                .iter()
                .find_map(|k| node.get(k))
                .and_then(|n| cx.scalar(n));
            let endpoint = Endpoint {
                span: node.span,
                component,
                port,
            };
            if let Some(item) = list_item {
                let canonical = endpoint_text(&endpoint);
                cx.legacy(
                    LegacyForm::BindingObjectEndpoint,
                    item,
                    format!("`{canonical}`"),
                    vec![(item, canonical)],
                );
            }
            Some(endpoint)
        }
        _ => {
            let text = cx.scalar(node)?;
            Some(parse_endpoint(cx, node, &text.value))
        }
    }
}

/// `component.port` split at the first dot, with the spans of each part.
fn parse_endpoint(cx: &Lowerer, node: &Node, text: &str) -> Endpoint {
    match text.split_once('.') {
        Some((component, port)) => Endpoint {
            span: node.span,
            component: Spanned::new(component.to_owned(), cx.sub_span(node, 0, component.len())),
            port: Some(Spanned::new(
                port.to_owned(),
                cx.sub_span(node, component.len() + 1, port.len()),
            )),
        },
        None => Endpoint {
            span: node.span,
            component: Spanned::new(text.to_owned(), node.span),
            port: None,
        },
    }
}

fn endpoint_text(endpoint: &Endpoint) -> String {
    match &endpoint.port {
        Some(port) => format!("{}.{}", endpoint.component.value, port.value),
        None => endpoint.component.value.clone(),
    }
}

/// `from_component`/`from_port`/`to_component(s)`/`to_port(s)`.
fn lower_split_binding(cx: &mut Lowerer, node: &Node) -> Binding {
    let part = |cx: &Lowerer, key: &str| node.get(key).and_then(|n| cx.scalar(n));
    let from = part(cx, "from_component").map(|component| Endpoint {
        span: component.span,
        port: part(cx, "from_port"),
        component,
    });
    let mut to = Vec::new();
    if let Some(component) = part(cx, "to_component") {
        to.push(Endpoint {
            span: component.span,
            port: part(cx, "to_port"),
            component,
        });
    }
    if let Some(components) = node.get("to_components").and_then(Node::as_sequence) {
        let ports = node
            .get("to_ports")
            .and_then(Node::as_sequence)
            .unwrap_or(&[]);
        for (i, c) in components.iter().enumerate() {
            if let Some(component) = cx.scalar(c) {
                let port = ports.get(i).and_then(|p| cx.scalar(p));
                to.push(Endpoint {
                    span: c.span,
                    component,
                    port,
                });
            }
        }
    }
    let binding = Binding {
        span: node.span,
        from,
        to,
    };
    let from_text = binding.from.as_ref().map(endpoint_text).unwrap_or_default();
    let to_text = match binding.to.as_slice() {
        [one] => endpoint_text(one),
        many => format!(
            "[{}]",
            many.iter()
                .map(endpoint_text)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let indent = cx.indent_at(node.span.start);
    let canonical = format!("from: {from_text}\n{indent}to: {to_text}");
    // Only rewrite a binding that holds nothing but the split keys: the
    // rewrite replaces the whole mapping.
    const SPLIT_KEYS: &[&str] = &[
        "from_component",
        "from_port",
        "to_component",
        "to_components",
        "to_port",
        "to_ports",
    ];
    let only_split_keys = node
        .as_mapping()
        .is_some_and(|m| m.iter().all(|e| SPLIT_KEYS.contains(&e.key.as_str())));
    let rewrite = if only_split_keys && binding.from.is_some() && !binding.to.is_empty() {
        vec![(node.span, canonical.clone())]
    } else {
        Vec::new()
    };
    cx.legacy(
        LegacyForm::BindingSplitKeys,
        node.span,
        format!("`from: {from_text}` / `to: {to_text}`"),
        rewrite,
    );
    binding
}
