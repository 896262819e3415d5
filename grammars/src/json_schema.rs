//! JSON Schema (draft-07) for blueprint files, generated from [`crate::shape`].
//!
//! For editors that speak yaml-language-server but not Blueprint's own
//! language server: completion, hovers and red squiggles from the same
//! declarations the validator uses. Draft-07 because it is the draft
//! yaml-language-server supports best.
//!
//! What it says: the canonical form, with `description`s from the shape's
//! docs, `enum`s, `required`, and `additionalProperties: false` wherever
//! Blueprint reports unknown keys. Legacy and ignored keys are listed as
//! properties (their descriptions say so), so the real autocoder files that
//! Blueprint loads do not light up red; they are marked `doNotSuggest`, so
//! completion offers canonical keys only. Each component type's
//! `configuration` is selected by `if`/`then` on the component's `type`.
//!
//! What it cannot say, and the validator does: cross-references (bindings,
//! schema and database names), the port range of a listen address.

use serde_json::{json, Map, Value};

use crate::model::ComponentType;
use crate::shape::{self, Field, Kind, OtherKeys, Required, Shape, Status};

/// Identifies the schema (`$id`). A URN, not a URL, because nothing is
/// served anywhere: editors are given the schema as a file and associate it
/// with blueprint files by glob.
pub const SCHEMA_ID: &str = "urn:blueprint:schema:blueprint";

/// The JSON Schema of a blueprint file.
pub fn schema() -> Value {
    let definitions: Map<String, Value> = shape::all()
        .into_iter()
        .map(|s| (s.id.to_owned(), shape_schema(s)))
        .collect();
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
        "title": "Blueprint",
        "description": shape::root().doc,
        // Not a bare `$ref`: draft-07 ignores the siblings of `$ref`, and
        // `definitions` is one.
        "allOf": [{ "$ref": reference(shape::root()) }],
        "definitions": definitions,
    })
}

fn reference(shape: &Shape) -> String {
    format!("#/definitions/{}", shape.id)
}

fn shape_schema(shape: &'static Shape) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    let mut alternatives = Vec::new();
    for field in &shape.fields {
        properties.insert(field.key.to_owned(), field_schema(field));
        match field.required {
            Required::No => {}
            Required::Yes => required.push(field.key),
            // "`from`, or else `from_component`".
            Required::Unless(others) => {
                let any_of: Vec<Value> = std::iter::once(field.key)
                    .chain(others.iter().copied())
                    .map(|k| json!({ "required": [k] }))
                    .collect();
                alternatives.push(json!({ "anyOf": any_of }));
            }
        }
    }
    let mut schema = json!({
        "type": "object",
        "description": shape.doc,
        "properties": properties,
    });
    let object = schema.as_object_mut().expect("object");
    if !required.is_empty() {
        object.insert("required".into(), json!(required));
    }
    match shape.other {
        OtherKeys::Unknown => {
            object.insert("additionalProperties".into(), json!(false));
        }
        // Other keys are accepted: ignored ones are hinted at by the
        // validator, free ones are the user's.
        OtherKeys::Ignored(_) | OtherKeys::Free => {}
    }
    if std::ptr::eq(shape, shape::component()) {
        alternatives.extend(
            ComponentType::ALL
                .iter()
                .map(|&kind| configuration_by_type(kind)),
        );
    }
    if !alternatives.is_empty() {
        object.insert("allOf".into(), json!(alternatives));
    }
    schema
}

/// `if type is Store then configuration (or legacy config) is a Store
/// configuration`.
fn configuration_by_type(kind: ComponentType) -> Value {
    let configuration = json!({ "$ref": reference(shape::configuration(kind)) });
    // yaml-language-server completes the keys of `then` too: the legacy
    // `config` stays out of completion here as in the component's own
    // properties (`$ref` wrapped, as draft-07 ignores its siblings).
    let config = json!({ "allOf": [configuration], "doNotSuggest": true });
    json!({
        "if": { "properties": { "type": { "const": kind.as_str() } }, "required": ["type"] },
        "then": { "properties": { "configuration": configuration, "config": config } },
    })
}

fn field_schema(field: &Field) -> Value {
    let (mut schema, description) = match field.status {
        Status::Canonical | Status::Mixed => (kind_schema(&field.kind), field.doc.to_owned()),
        Status::Legacy => (
            kind_schema(&field.kind),
            format!(
                "{} (Legacy form: Blueprint loads it and offers a rewrite.)",
                field.doc
            ),
        ),
        Status::Ignored(reason) => (json!({}), format!("Ignored by Blueprint: {reason}.")),
    };
    // Draft-07 ignores the siblings of `$ref`, so a reference that needs its
    // own description is wrapped.
    if schema.get("$ref").is_some() {
        schema = json!({ "allOf": [schema] });
    }
    let object = schema.as_object_mut().expect("object");
    object.insert("description".into(), json!(description));
    // Completion offers canonical keys only, as `Shape::canonical_keys`
    // does: `doNotSuggest` (an editor keyword of VS Code's JSON service and
    // yaml-language-server, which validators ignore) keeps legacy, ignored
    // and mixed keys accepted and hovered but out of completion and out of
    // the "did you mean" list of an unknown key.
    if field.status != Status::Canonical {
        object.insert("doNotSuggest".into(), json!(true));
    }
    schema
}

fn kind_schema(kind: &Kind) -> Value {
    match kind {
        Kind::Any => json!({}),
        Kind::Mapping => json!({ "type": "object" }),
        Kind::String(format) => match format.pattern() {
            Some(pattern) => json!({ "type": "string", "pattern": pattern }),
            None => json!({ "type": "string" }),
        },
        Kind::Integer { min, max } => {
            bounded("integer", min.map(Value::from), max.map(Value::from))
        }
        Kind::Number { min, max } => bounded("number", min.map(Value::from), max.map(Value::from)),
        Kind::Boolean => json!({ "type": "boolean" }),
        Kind::Enum(vocab) => {
            let values: Vec<&str> = vocab.values.iter().chain(&vocab.aliases).copied().collect();
            json!({ "type": "string", "enum": values })
        }
        Kind::ComponentType => {
            let values: Vec<&str> = ComponentType::ALL.iter().map(|t| t.as_str()).collect();
            json!({ "type": "string", "enum": values })
        }
        Kind::List(item) => json!({ "type": "array", "items": kind_schema(item) }),
        Kind::Map { value, .. } => {
            json!({ "type": "object", "additionalProperties": kind_schema(value) })
        }
        Kind::Object(shape) => json!({ "$ref": reference(shape()) }),
        // The alternatives have distinct JSON types, so `anyOf` accepts
        // exactly what `oneOf` would and reports errors more usefully.
        Kind::OneOf(kinds) => json!({ "anyOf": kinds.iter().map(kind_schema).collect::<Vec<_>>() }),
    }
}

fn bounded(ty: &str, min: Option<Value>, max: Option<Value>) -> Value {
    let mut schema = json!({ "type": ty });
    let object = schema.as_object_mut().expect("object");
    if let Some(min) = min {
        object.insert("minimum".into(), min);
    }
    if let Some(max) = max {
        object.insert("maximum".into(), max);
    }
    schema
}

#[cfg(test)]
mod tests;
