//! The record schema: columns derived from the blueprint's JSON Schema, and
//! validation of every record before it is written.

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
/// even when the schema forgot to list it as required.
pub(crate) struct RecordSchema {
    validator: jsonschema::Validator,
    key: String,
}

impl RecordSchema {
    pub fn new(schema: &Value, key: &str) -> Result<Self, StoreError> {
        let validator = jsonschema::validator_for(schema)
            .map_err(|e| StoreError::Config(format!("the record schema is invalid: {e}")))?;
        Ok(Self {
            validator,
            key: key.to_owned(),
        })
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
