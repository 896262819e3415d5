//! Record validation at the edge (REST, intake, hooks), before anything is
//! sent into the graph, with the same messages the store gives.

use serde_json::Value;

use crate::component::ComponentError;

/// A compiled JSON Schema. Compile once per port at start-up; validation is
/// then cheap per record.
pub struct Validator {
    inner: jsonschema::Validator,
}

impl Validator {
    /// Formats are asserted, as the store asserts them (see
    /// `store::schema::RecordSchema::new`), so the edge and the store agree.
    pub fn new(schema: &Value) -> Result<Validator, String> {
        jsonschema::options()
            .should_validate_formats(true)
            .with_format("uuid", crate::store::schema::is_uuid)
            .build(schema)
            .map(|inner| Validator { inner })
            .map_err(|e| format!("the schema is invalid: {e}"))
    }

    /// Every failure at once, each prefixed with its JSON pointer, so the
    /// caller fixes a record in one round trip (400).
    pub fn validate(&self, record: &Value) -> Result<(), ComponentError> {
        let messages = self.failures(record);
        if messages.is_empty() {
            Ok(())
        } else {
            Err(ComponentError::invalid(format!(
                "invalid record: {}",
                messages.join("; ")
            )))
        }
    }

    /// The failures of `record`, path-prefixed; empty when it is valid.
    pub fn failures(&self, record: &Value) -> Vec<String> {
        self.inner
            .iter_errors(record)
            .map(|e| {
                let path = e.instance_path().to_string();
                if path.is_empty() {
                    e.to_string()
                } else {
                    format!("{path}: {e}")
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reports_every_failure_with_its_path() {
        let v = Validator::new(&json!({
            "type": "object",
            "properties": {"id": {"type": "integer"}, "name": {"type": "string", "maxLength": 3}},
            "required": ["id"]
        }))
        .unwrap();
        assert!(v.validate(&json!({"id": 1, "name": "abc"})).is_ok());
        let err = v.validate(&json!({"name": "abcd"})).unwrap_err();
        assert_eq!(err.status, 400);
        assert!(
            err.message.contains("\"id\" is a required property"),
            "{err}"
        );
        assert!(err.message.contains("/name: "), "{err}");
    }

    #[test]
    fn formats_are_asserted_like_the_store_asserts_them() {
        let v = Validator::new(&json!({
            "type": "object",
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "at": {"type": "string", "format": "date-time"}
            }
        }))
        .unwrap();
        assert!(v
            .validate(
                &json!({"id": "7c0e6a1e-3b1f-4e59-9d1a-2f0c6d1b9a10", "at": "2026-11-25T05:00:00Z"})
            )
            .is_ok());
        let err = v
            .validate(&json!({"id": "a1", "at": "yesterday"}))
            .unwrap_err();
        assert!(err.message.contains("/id: "), "{err}");
        assert!(err.message.contains("/at: "), "{err}");
    }

    #[test]
    fn a_broken_schema_is_refused() {
        let err = Validator::new(&json!({"type": 12})).err().unwrap();
        assert!(err.starts_with("the schema is invalid"), "{err}");
    }
}
