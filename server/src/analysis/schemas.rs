//! L2: record schemas are well-formed, and ports refer to schemas that exist.

use blueprint_grammars::model::{Component, Schema, SchemaDef};

use super::context::Context;
use super::rules;
use super::suggest::did_you_mean;
use super::Diagnostic;

/// The JSON-Schema types a field may have.
pub const FIELD_TYPES: &[&str] = &[
    "string", "integer", "number", "boolean", "object", "array", "null",
];

/// Checks one schema definition: it reads nothing but the definition, so
/// its results can be memoised on its text.
pub fn check_schema_def(def: &SchemaDef, out: &mut Vec<Diagnostic>) {
    {
        let name = &def.name.value;
        match def.schema.type_name.as_ref().map(|t| t.value.as_str()) {
            Some("object") => {}
            None if !def.schema.properties.is_empty() => out.push(
                Diagnostic::new(
                    &rules::INVALID_SCHEMA,
                    def.name.span,
                    format!("schema `{name}` has `properties` but no `type`"),
                )
                .with_help("add `type: object`"),
            ),
            None => out.push(
                Diagnostic::new(
                    &rules::INVALID_SCHEMA,
                    def.name.span,
                    format!("schema `{name}` has no `type`"),
                )
                .with_help("a record schema is `type: object` with `properties`"),
            ),
            Some(other) => out.push(
                Diagnostic::new(
                    &rules::INVALID_SCHEMA,
                    def.schema
                        .type_name
                        .as_ref()
                        .map_or(def.name.span, |t| t.span),
                    format!(
                        "schema `{name}` is of type `{other}`; a record schema must be an object"
                    ),
                )
                .with_help("write `type: object` with the record's fields under `properties`"),
            ),
        }
        check_fields(&def.schema, name, out);
    }
}

fn check_fields(schema: &Schema, path: &str, out: &mut Vec<Diagnostic>) {
    for field in &schema.properties {
        let field_path = format!("{path}.{}", field.name.value);
        // (An unknown type name is an enum violation, reported by the
        // structure walk.)
        if field.schema.type_name.is_none() {
            out.push(
                Diagnostic::new(
                    &rules::INVALID_SCHEMA,
                    field.name.span,
                    format!("field `{field_path}` has no `type`"),
                )
                .with_help(format!("add a `type`: one of {}", FIELD_TYPES.join(", "))),
            );
        }
        check_fields(&field.schema, &field_path, out);
        if let Some(items) = &field.schema.items {
            check_fields(items, &format!("{field_path}[]"), out);
        }
    }
    for required in &schema.required {
        if schema.field(&required.value).is_none() {
            let names = schema.properties.iter().map(|f| f.name.value.as_str());
            let mut diagnostic = Diagnostic::new(
                &rules::REQUIRED_FIELD_NOT_DECLARED,
                required.span,
                format!(
                    "`{path}` requires `{}`, which is not among its properties",
                    required.value
                ),
            );
            diagnostic = match did_you_mean(&required.value, names) {
                Some(close) => diagnostic.with_suggestion(close),
                None => diagnostic.with_help(format!(
                    "declare `{}` under `properties`, or remove it from `required`",
                    required.value
                )),
            };
            out.push(diagnostic);
        }
    }
}

/// Every port's schema must be defined.
pub fn check_port_schemas(cx: &Context, component: &Component, out: &mut Vec<Diagnostic>) {
    for port in component.inputs.iter().chain(&component.outputs) {
        let Some(schema) = &port.schema else { continue };
        if cx.schema(&schema.value).is_some() {
            continue;
        }
        let mut diagnostic = Diagnostic::new(
            &rules::UNKNOWN_SCHEMA,
            schema.span,
            format!("no schema `{}` is defined", schema.value),
        );
        diagnostic = match did_you_mean(&schema.value, cx.schema_names()) {
            Some(close) => diagnostic.with_suggestion(close),
            None => diagnostic.with_help(format!(
                "define `{}` under the top-level `schemas`",
                schema.value
            )),
        };
        out.push(diagnostic);
    }
}
