//! Lowering of record schemas (a JSON-Schema subset).

use super::lower::{entry_span, Lowerer};
use super::{Field, Schema, SchemaDef};
use crate::span::Spanned;
use crate::yaml::Node;

pub(super) fn lower_schema_defs(cx: &Lowerer, node: &Node) -> Vec<SchemaDef> {
    let Some(entries) = node.as_mapping() else {
        return Vec::new();
    };
    entries
        .iter()
        .map(|entry| SchemaDef {
            name: Spanned::new(entry.key.clone(), entry.key_span),
            span: entry_span(entry),
            schema: lower_schema(cx, &entry.value),
        })
        .collect()
}

pub(super) fn lower_schema(cx: &Lowerer, node: &Node) -> Schema {
    let mut schema = Schema {
        span: node.span,
        type_name: node.get("type").and_then(|n| cx.scalar(n)),
        format: node.get("format").and_then(|n| cx.scalar(n)),
        has_default: node.get("default").is_some(),
        ..Schema::default()
    };
    if let Some(properties) = node.get("properties").and_then(Node::as_mapping) {
        schema.properties = properties
            .iter()
            .map(|p| Field {
                name: Spanned::new(p.key.clone(), p.key_span),
                schema: lower_schema(cx, &p.value),
            })
            .collect();
    }
    if let Some(required) = node.get("required").and_then(Node::as_sequence) {
        schema.required = required.iter().filter_map(|r| cx.scalar(r)).collect();
    }
    if let Some(items) = node.get("items") {
        schema.items = Some(Box::new(lower_schema(cx, items)));
    }
    schema
}
