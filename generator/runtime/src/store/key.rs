//! Keys from URL path segments: `GET /tasks/7` must find the row whose
//! integer key is 7, so the segment is parsed by the key column's type.

use serde_json::Value;

use super::schema::{self, Column, ColumnType};
use super::StoreError;

pub(crate) fn from_path(column: &Column, raw: &str) -> Result<Value, StoreError> {
    let invalid = |what: &str| {
        StoreError::Invalid(vec![format!(
            "the key \"{}\" must be {what}; got \"{raw}\"",
            column.name
        )])
    };
    match column.ty {
        ColumnType::Integer => raw
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| invalid("an integer")),
        ColumnType::Number => match raw.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(schema::number(f)),
            _ => Err(invalid("a number")),
        },
        ColumnType::Boolean => match raw {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(invalid("true or false")),
        },
        ColumnType::Text => Ok(Value::String(raw.to_owned())),
        ColumnType::Json => Err(invalid("a string, integer or boolean")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn column(ty: ColumnType) -> Column {
        Column {
            name: "id".into(),
            ty,
            required: true,
            max_length: None,
        }
    }

    #[test]
    fn path_keys_are_typed_by_the_key_column() {
        let int = column(ColumnType::Integer);
        assert_eq!(from_path(&int, "42").unwrap(), json!(42));
        assert_eq!(from_path(&int, "-7").unwrap(), json!(-7));
        let err = from_path(&int, "4x").unwrap_err();
        assert_eq!(err.status(), 400);
        assert_eq!(
            err.to_string(),
            "invalid record: the key \"id\" must be an integer; got \"4x\""
        );
        let num = column(ColumnType::Number);
        assert_eq!(from_path(&num, "2.5").unwrap(), json!(2.5));
        assert_eq!(from_path(&num, "3").unwrap(), json!(3));
        assert!(from_path(&num, "NaN").is_err());
        let boolean = column(ColumnType::Boolean);
        assert_eq!(from_path(&boolean, "true").unwrap(), json!(true));
        assert!(from_path(&boolean, "yes").is_err());
        let text = column(ColumnType::Text);
        assert_eq!(from_path(&text, "a b").unwrap(), json!("a b"));
        assert!(from_path(&column(ColumnType::Json), "x").is_err());
    }
}
