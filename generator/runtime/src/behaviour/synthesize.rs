//! Source default: records made up from the output port's schema, so a
//! generated system produces valid data before anyone writes a hook.

use std::hash::{BuildHasher, Hasher};
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

/// A record that validates against `schema`. Every declared property is
/// present (defaults and `enum`/`const` first values win); `sequence` makes
/// numbers and identifiers differ from record to record: uuids are
/// derived from it plus a per-process random seed, so they are unique within
/// a run and do not collide with the previous run's rows after a restart.
pub fn synthesize(schema: &Value, sequence: u64) -> Value {
    value(schema, "value", sequence)
}

fn value(schema: &Value, name: &str, n: u64) -> Value {
    if let Some(v) = schema.get("default").or_else(|| schema.get("const")) {
        return v.clone();
    }
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        return first.clone();
    }
    match type_of(schema) {
        Some("object") => object(schema, n),
        Some("array") => array(schema, name, n),
        Some("string") => string(schema, name, n),
        Some("integer") => integer(schema, n),
        Some("number") => number(schema, n),
        Some("boolean") => Value::Bool(false),
        _ => Value::Null,
    }
}

/// The type a value is made as: the first non-null of a type list; an
/// object when only `properties` is given.
fn type_of(schema: &Value) -> Option<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => Some(t.as_str()),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        _ => schema.get("properties").map(|_| "object"),
    }
}

fn object(schema: &Value, n: u64) -> Value {
    let mut out = Map::new();
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (name, prop) in props {
            out.insert(name.clone(), value(prop, name, n));
        }
    }
    Value::Object(out)
}

fn array(schema: &Value, name: &str, n: u64) -> Value {
    let min = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0);
    let items = schema.get("items").cloned().unwrap_or(Value::Null);
    Value::Array(
        (0..min)
            .map(|i| value(&items, name, n.wrapping_add(i)))
            .collect(),
    )
}

fn string(schema: &Value, name: &str, n: u64) -> Value {
    let text = match schema.get("format").and_then(Value::as_str) {
        Some("uuid") => uuid(n),
        Some("date-time") => now_rfc3339(),
        Some("date") => now_rfc3339()[..10].to_owned(),
        Some("email") => format!("user{n}@example.com"),
        Some("uri") | Some("url") => format!("https://example.com/{n}"),
        _ => format!("{name}-{n}"),
    };
    let max = schema.get("maxLength").and_then(Value::as_u64);
    let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0);
    let mut chars: Vec<char> = text.chars().collect();
    if let Some(max) = max {
        // Keep the distinguishing tail (the sequence number) when cutting.
        let max = max as usize;
        if chars.len() > max {
            chars.drain(..chars.len() - max);
        }
    }
    while (chars.len() as u64) < min {
        chars.push('x');
    }
    Value::String(chars.into_iter().collect())
}

fn bound(schema: &Value, inclusive: &str, exclusive: &str, step: f64) -> Option<f64> {
    let inc = schema.get(inclusive).and_then(Value::as_f64);
    let exc = schema
        .get(exclusive)
        .and_then(Value::as_f64)
        .map(|e| e + step);
    match (inc, exc) {
        (Some(a), Some(b)) if step > 0.0 => Some(a.max(b)),
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn integer(schema: &Value, n: u64) -> Value {
    let min = bound(schema, "minimum", "exclusiveMinimum", 1.0).map(|m| m.ceil());
    let max = bound(schema, "maximum", "exclusiveMaximum", -1.0).map(|m| m.floor());
    let mut v = i64::try_from(n).unwrap_or(i64::MAX) as f64;
    if let Some(max) = max {
        v = v.min(max);
    }
    if let Some(min) = min {
        v = v.max(min);
    }
    Value::from(v as i64)
}

fn number(schema: &Value, n: u64) -> Value {
    // Exclusive float bounds: step inside by a fraction of the bound.
    let min = bound(schema, "minimum", "exclusiveMinimum", 1e-6);
    let max = bound(schema, "maximum", "exclusiveMaximum", -1e-6);
    let mut v = n as f64;
    if let Some(max) = max {
        v = v.min(max);
    }
    if let Some(min) = min {
        v = v.max(min);
    }
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        Value::from(v as i64)
    } else {
        Value::from(v)
    }
}

fn seed() -> (u64, u64) {
    static SEED: OnceLock<(u64, u64)> = OnceLock::new();
    *SEED.get_or_init(|| {
        // RandomState is randomly keyed per process: a seed without a dep.
        let state = std::collections::hash_map::RandomState::new();
        let mut a = state.build_hasher();
        a.write_u8(1);
        let mut b = state.build_hasher();
        b.write_u8(2);
        (a.finish(), b.finish())
    })
}

/// Version-4-shaped uuid: high half the process seed, low half the seed
/// xor the sequence (a bijection, so distinct sequences give distinct ids).
fn uuid(n: u64) -> String {
    let (a, b) = seed();
    let hi = (a & !0xF000) | 0x4000;
    let lo = ((b ^ n) & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xFFFF,
        hi & 0xFFFF,
        lo >> 48,
        lo & 0xFFFF_FFFF_FFFF
    )
}

/// The current UTC time as RFC 3339 (`2026-01-31T12:00:00Z`).
pub(crate) fn now_rfc3339() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::behaviour::Validator;
    use proptest::prelude::*;
    use serde_json::json;

    fn schemas() -> Vec<Value> {
        vec![
            json!({
                "type": "object",
                "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "created_at": {"type": "string", "format": "date-time"},
                    "email": {"type": "string", "format": "email"},
                    "status": {"type": "string", "enum": ["open", "closed"]},
                    "title": {"type": "string", "maxLength": 5, "minLength": 2},
                    "priority": {"type": "integer", "minimum": 1, "maximum": 5},
                    "score": {"type": "number", "exclusiveMinimum": 0, "maximum": 1.5},
                    "done": {"type": "boolean"},
                    "kind": {"type": "string", "default": "task"}
                },
                "required": ["id", "title", "priority"],
                "additionalProperties": false
            }),
            json!({
                "type": "object",
                "properties": {
                    "n": {"type": "integer"},
                    "tags": {"type": "array", "items": {"type": "string"}, "minItems": 2},
                    "owner": {
                        "type": "object",
                        "properties": {"name": {"type": ["string", "null"]}, "age": {"type": "integer", "maximum": 150}},
                        "required": ["name", "age"]
                    },
                    "nothing": {"type": "null"}
                },
                "required": ["n", "tags", "owner"]
            }),
            json!({"type": "object", "properties": {"x": {"type": "number", "minimum": -3, "exclusiveMaximum": 0}}}),
        ]
    }

    #[test]
    fn fields_follow_their_formats() {
        let r = synthesize(&schemas()[0], 7);
        assert_eq!(r["email"], "user7@example.com");
        assert_eq!(r["status"], "open");
        assert_eq!(r["priority"], 5);
        assert_eq!(r["kind"], "task");
        assert_eq!(r["done"], false);
        let id = r["id"].as_str().unwrap();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert_ne!(r["id"], synthesize(&schemas()[0], 8)["id"]);
        assert_eq!(r["id"], synthesize(&schemas()[0], 7)["id"], "deterministic");
        assert!(r["created_at"].as_str().unwrap().ends_with('Z'));
        assert_eq!(
            synthesize(&schemas()[1], 3)["tags"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
    }

    #[test]
    fn rfc3339_has_the_shape() {
        let t = now_rfc3339();
        assert_eq!(t.len(), 20, "{t}");
        assert!(t.starts_with("20"), "{t}");
        assert_eq!(&t[10..11], "T");
    }

    proptest! {
        #[test]
        fn synthesized_records_validate(sequence in any::<u64>()) {
            for schema in schemas() {
                let record = synthesize(&schema, sequence);
                let v = Validator::new(&schema).unwrap();
                prop_assert!(v.validate(&record).is_ok(), "{record} fails: {:?}", v.validate(&record));
            }
        }
    }
}
