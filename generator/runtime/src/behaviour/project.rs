//! Transformer default: reshape a record to the output port's schema.

use serde_json::{Map, Value};

/// Keep only the properties `schema` declares (in the schema's order) and
/// fill the `default` of each missing one, so a transformer's output matches
/// its output port even when the input carries extra or fewer fields. A
/// batch (array) is projected element by element; anything that is not an
/// object, or a schema without `properties`, passes unchanged.
pub fn project(record: &Value, schema: &Value) -> Value {
    match record {
        Value::Array(items) => Value::Array(items.iter().map(|r| project(r, schema)).collect()),
        Value::Object(fields) => {
            let Some(props) = schema.get("properties").and_then(Value::as_object) else {
                return record.clone();
            };
            let mut out = Map::new();
            for (name, prop) in props {
                if let Some(value) = fields.get(name) {
                    out.insert(name.clone(), value.clone());
                } else if let Some(default) = prop.get("default") {
                    out.insert(name.clone(), default.clone());
                }
            }
            Value::Object(out)
        }
        _ => record.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Value {
        json!({
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "status": {"type": "string", "default": "new"},
                "note": {"type": "string"}
            }
        })
    }

    #[test]
    fn drops_undeclared_fields_and_fills_defaults() {
        let out = project(&json!({"extra": 1, "id": 3}), &schema());
        assert_eq!(out, json!({"id": 3, "status": "new"}));
        // A present value wins over the default.
        let out = project(&json!({"id": 3, "status": "done", "note": "x"}), &schema());
        assert_eq!(out, json!({"id": 3, "status": "done", "note": "x"}));
    }

    #[test]
    fn batches_are_projected_per_record_and_scalars_pass() {
        let out = project(&json!([{"id": 1, "x": 0}, {"id": 2}]), &schema());
        assert_eq!(
            out,
            json!([{"id": 1, "status": "new"}, {"id": 2, "status": "new"}])
        );
        assert_eq!(project(&json!(5), &schema()), json!(5));
        assert_eq!(project(&json!({"a": 1}), &json!({})), json!({"a": 1}));
    }
}
