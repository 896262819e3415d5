//! A YAML value as JSON, for consumers that want plain data without spans
//! (the generator embeds schemas and configuration in generated code).

use serde_json::{Number, Value as Json};

use super::{Node, Value};

impl Node {
    /// This value as JSON. Keys keep their source order; a float JSON cannot
    /// represent (NaN, infinities) becomes `null`.
    pub fn to_json(&self) -> Json {
        match &self.value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Int(i) => Json::from(*i),
            Value::Float(f) => Number::from_f64(*f).map_or(Json::Null, Json::Number),
            Value::String(s) => Json::String(s.clone()),
            Value::Sequence(items) => Json::Array(items.iter().map(Node::to_json).collect()),
            Value::Mapping(entries) => Json::Object(
                entries
                    .iter()
                    .map(|e| (e.key.clone(), e.value.to_json()))
                    .collect(),
            ),
        }
    }
}
