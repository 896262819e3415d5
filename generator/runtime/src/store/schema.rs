//! The record schema: columns derived from the blueprint's JSON Schema, and
//! validation of every record before it is written.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::StoreError;

/// How a schema property is stored and bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    Text,
    Integer,
    Number,
    Boolean,
    /// Objects and arrays: JSONB, JSON or TEXT holding JSON.
    Json,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub ty: ColumnType,
    pub required: bool,
    pub max_length: Option<u64>,
}

/// One bound value, typed by its column so every engine gets its native type.
#[derive(Clone, Debug)]
pub(crate) enum Bind {
    Text(Option<String>),
    Integer(Option<i64>),
    Number(Option<f64>),
    Boolean(Option<bool>),
    Json(Option<Value>),
}

/// The columns of `schema` in declaration order, the key first.
pub(crate) fn columns(schema: &Value, key: &str) -> Result<Vec<Column>, StoreError> {
    let config = |m: &str| StoreError::Config(m.to_owned());
    let props = schema
        .get("properties")
        .and_then(Value::as_object)
        .ok_or_else(|| config("the schema has no \"properties\" object"))?;
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut cols = Vec::with_capacity(props.len());
    for (name, prop) in props {
        let ty = column_type(prop)
            .ok_or_else(|| config(&format!("property \"{name}\" has no supported \"type\"")))?;
        cols.push(Column {
            name: name.clone(),
            ty,
            required: name == key || required.contains(&name.as_str()),
            max_length: prop.get("maxLength").and_then(Value::as_u64),
        });
    }
    let at = cols.iter().position(|c| c.name == key).ok_or_else(|| {
        config(&format!(
            "the key \"{key}\" is not a property of the schema"
        ))
    })?;
    if matches!(cols[at].ty, ColumnType::Json | ColumnType::Number) {
        return Err(config(&format!(
            "the key \"{key}\" must be a string, integer or boolean"
        )));
    }
    let key_col = cols.remove(at);
    cols.insert(0, key_col);
    Ok(cols)
}

fn column_type(prop: &Value) -> Option<ColumnType> {
    let name = match prop.get("type")? {
        Value::String(s) => s.as_str(),
        // ["string", "null"]: the first non-null type decides the column.
        Value::Array(types) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")?,
        _ => return None,
    };
    Some(match name {
        "string" => ColumnType::Text,
        "integer" => ColumnType::Integer,
        "number" => ColumnType::Number,
        "boolean" => ColumnType::Boolean,
        "object" | "array" => ColumnType::Json,
        _ => return None,
    })
}

/// A compiled schema plus the key, so records missing their key are refused
/// even when the schema forgot to list it as required, and the `default` of
/// every top-level property that has one.
pub(crate) struct RecordSchema {
    validator: jsonschema::Validator,
    key: String,
    defaults: Vec<(String, Value)>,
}

impl RecordSchema {
    /// Formats are assertions here (`format: uuid`, `date-time`, `date`,
    /// `email`, ...), not the annotations jsonschema makes them by default: a
    /// column declared as a UUID holds UUIDs. `uuid` is registered by hand
    /// because jsonschema only knows it from draft 2019-09 on, and a schema
    /// that declares `$schema: draft-07` must not silently skip it.
    pub fn new(schema: &Value, key: &str) -> Result<Self, StoreError> {
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .with_format("uuid", is_uuid)
            .build(schema)
            .map_err(|e| StoreError::Config(format!("the record schema is invalid: {e}")))?;
        let defaults = (schema.get("properties").and_then(Value::as_object))
            .map(|props| {
                (props.iter())
                    .filter_map(|(name, p)| Some((name.clone(), p.get("default")?.clone())))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Self {
            validator,
            key: key.to_owned(),
            defaults,
        })
    }

    /// `record` with the schema's default for every top-level property it
    /// lacks (an explicit `null` is kept: the caller said "no value").
    /// Borrowed when nothing is missing, so the common case copies nothing.
    pub fn with_defaults<'r>(&self, record: &'r Value) -> Cow<'r, Value> {
        let Some(obj) = record.as_object() else {
            return Cow::Borrowed(record);
        };
        if self.defaults.iter().all(|(n, _)| obj.contains_key(n)) {
            return Cow::Borrowed(record);
        }
        let mut obj = obj.clone();
        self.fill_defaults(&mut obj);
        Cow::Owned(Value::Object(obj))
    }

    /// In place: the default of every top-level property `obj` lacks.
    pub fn fill_defaults(&self, obj: &mut Map<String, Value>) {
        for (name, default) in &self.defaults {
            if !obj.contains_key(name) {
                obj.insert(name.clone(), default.clone());
            }
        }
    }

    /// Every reason `record` is not acceptable, or `Ok` when it is.
    pub fn validate(&self, record: &Value) -> Result<(), StoreError> {
        let mut messages: Vec<String> = self
            .validator
            .iter_errors(record)
            .map(|e| {
                let path = e.instance_path().to_string();
                if path.is_empty() {
                    e.to_string()
                } else {
                    format!("{path}: {e}")
                }
            })
            .collect();
        if let Some(obj) = record.as_object() {
            if obj.get(&self.key).is_none_or(Value::is_null) {
                let m = format!("\"{}\" is a required property", self.key);
                if !messages.contains(&m) {
                    messages.push(m);
                }
            }
        }
        if messages.is_empty() {
            Ok(())
        } else {
            Err(StoreError::Invalid(messages))
        }
    }
}

/// The value of `column` in `record`, typed for binding. Call after
/// validation; a value of the wrong type is still refused, never coerced.
pub(crate) fn bind(column: &Column, value: Option<&Value>) -> Result<Bind, StoreError> {
    let value = value.filter(|v| !v.is_null());
    let wrong = || {
        StoreError::Invalid(vec![format!(
            "/{}: {} is not of the column's type",
            column.name,
            value.map_or_else(String::new, Value::to_string)
        )])
    };
    Ok(match column.ty {
        ColumnType::Text => Bind::Text(match value {
            None => None,
            Some(v) => Some(v.as_str().ok_or_else(wrong)?.to_owned()),
        }),
        ColumnType::Integer => Bind::Integer(match value {
            None => None,
            Some(v) => Some(as_integer(v).ok_or_else(wrong)?),
        }),
        ColumnType::Number => Bind::Number(match value {
            None => None,
            Some(v) => Some(v.as_f64().ok_or_else(wrong)?),
        }),
        ColumnType::Boolean => Bind::Boolean(match value {
            None => None,
            Some(v) => Some(v.as_bool().ok_or_else(wrong)?),
        }),
        ColumnType::Json => Bind::Json(value.cloned()),
    })
}

/// RFC 4122 text form, any version or variant: 8-4-4-4-12 hex digits.
pub(crate) fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

fn as_integer(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| {
        let f = v.as_f64()?;
        (f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
    })
}

/// A number read back from a DOUBLE column: integral values come back as
/// JSON integers, so `20` round-trips as `20`, not `20.0`.
pub(crate) fn number(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        Value::from(f as i64)
    } else {
        Value::from(f)
    }
}

/// Assemble a record from decoded columns, leaving SQL NULLs out.
pub(crate) fn record(values: Vec<(String, Value)>) -> Value {
    let map: Map<String, Value> = values.into_iter().filter(|(_, v)| !v.is_null()).collect();
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn uuid_text_form() {
        assert!(is_uuid("67e55044-10b1-426f-9247-bb680e5fe0c8"));
        assert!(is_uuid("67E55044-10B1-426F-9247-BB680E5FE0C8"));
        assert!(!is_uuid("a1"));
        assert!(!is_uuid("67e55044a10b1-426f-9247-bb680e5fe0c8"));
        assert!(!is_uuid("67e55044-10b1-426f-9247-bb680e5fe0cg"));
    }

    #[test]
    fn formats_are_asserted_even_under_draft_07() {
        for draft in [None, Some("http://json-schema.org/draft-07/schema#")] {
            let mut schema = json!({
                "type": "object",
                "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "at": {"type": "string", "format": "date-time"},
                    "on": {"type": "string", "format": "date"},
                    "mail": {"type": "string", "format": "email"}
                }
            });
            if let Some(d) = draft {
                schema["$schema"] = json!(d);
            }
            let s = RecordSchema::new(&schema, "id").unwrap();
            let good = json!({"id": "67e55044-10b1-426f-9247-bb680e5fe0c8",
                "at": "2026-11-25T04:00:00Z", "on": "2026-11-25", "mail": "a@example.com"});
            assert!(s.validate(&good).is_ok(), "{draft:?}");
            let bad = json!({"id": "a1", "at": "yesterday", "on": "2026-13-45", "mail": "nope"});
            let Err(StoreError::Invalid(m)) = s.validate(&bad) else {
                panic!("{draft:?}: accepted {bad}");
            };
            for field in ["/id", "/at", "/on", "/mail"] {
                assert!(
                    m.iter().any(|m| m.starts_with(field)),
                    "{draft:?} {field}: {m:?}"
                );
            }
        }
    }

    #[test]
    fn defaults_fill_missing_top_level_properties_only() {
        let schema = json!({
            "type": "object",
            "properties": {
                "id": {"type": "string"},
                "done": {"type": "boolean", "default": false},
                "n": {"type": ["integer", "null"], "default": 3}
            }
        });
        let s = RecordSchema::new(&schema, "id").unwrap();
        let full = json!({"id": "a", "done": true, "n": null});
        assert!(matches!(s.with_defaults(&full), Cow::Borrowed(_)));
        assert_eq!(
            s.with_defaults(&json!({"id": "a"})).into_owned(),
            json!({"id": "a", "done": false, "n": 3})
        );
    }
}
