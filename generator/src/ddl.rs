//! The DDL of a store's table, as migration files carry it: the generated
//! system's `migrations/NNNN_create_<table>.sql` and the editor's
//! "Create migration" quick fixes (BP312 / BP313).
//!
//! The SQL is the same the runtime runs for `migrations: auto`
//! (`generator/runtime/src/store/sql.rs`, `Statements::new` and
//! `sql_type`), so a table made by a migration file is one the generated
//! store can write to:
//!
//! | field type | PostgreSQL | MySQL / MariaDB | SQLite |
//! |---|---|---|---|
//! | string (any format) | TEXT | TEXT; the key VARCHAR(maxLength ≤ 255, else 255) | TEXT |
//! | integer | BIGINT | BIGINT | BIGINT |
//! | number | DOUBLE PRECISION | DOUBLE | REAL |
//! | boolean | BOOLEAN | BOOLEAN | BOOLEAN |
//! | object, array | JSONB | JSON | TEXT |
//!
//! The key comes first and is NOT NULL, as is every required field; the key
//! is the PRIMARY KEY. Formats do not change the type: the store binds every
//! string as text, and PostgreSQL refuses text bound into a `uuid`,
//! `timestamptz` or `date` column (`column "id" is of type uuid but
//! expression is of type text`), so a `UUID` column would make every write
//! fail. Identifiers are quoted whole, as the runtime quotes them.
//!
//! The statements are plain DDL (no `IF NOT EXISTS`): sqlx-cli and similar
//! tools run each migration once and record it, and a migration that
//! silently did nothing would hide a table of the wrong shape.

use blueprint_grammars::model::{Engine, Schema};
use serde_json::Value;

/// How a field is stored (the runtime's `ColumnType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    Text,
    Integer,
    Number,
    Boolean,
    /// Objects and arrays: JSONB, JSON or TEXT holding JSON.
    Json,
}

impl ColumnType {
    /// The column type of a JSON Schema `type` name; `None` for types the
    /// store cannot hold (`null`, unknown names).
    pub fn of_type_name(name: &str) -> Option<ColumnType> {
        Some(match name {
            "string" => ColumnType::Text,
            "integer" => ColumnType::Integer,
            "number" => ColumnType::Number,
            "boolean" => ColumnType::Boolean,
            "object" | "array" => ColumnType::Json,
            _ => return None,
        })
    }
}

/// One column of a store's table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub ty: ColumnType,
    pub required: bool,
    /// `maxLength` of a string field (sizes a MySQL key's VARCHAR).
    pub max_length: Option<u64>,
}

/// The columns of a blueprint schema, the key first (as the runtime orders
/// them). Fields of no storable type are TEXT (the validator reports them).
/// The model does not keep `maxLength`; for the exact MySQL key length use
/// [`columns_of_json`] or set [`Column::max_length`].
pub fn columns(schema: &Schema, key: &str) -> Vec<Column> {
    let mut cols: Vec<Column> = schema
        .properties
        .iter()
        .map(|f| Column {
            name: f.name.value.clone(),
            ty: f
                .schema
                .type_name
                .as_ref()
                .and_then(|t| ColumnType::of_type_name(&t.value))
                .unwrap_or(ColumnType::Text),
            required: f.name.value == key || schema.is_required(&f.name.value),
            max_length: None,
        })
        .collect();
    key_first(&mut cols, key);
    cols
}

/// The columns of a JSON Schema value, exactly as the runtime derives them
/// (`["string", "null"]` is a string column; `maxLength` is kept).
pub fn columns_of_json(schema: &Value, key: &str) -> Vec<Column> {
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut cols: Vec<Column> = schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(name, prop)| {
            let type_name = match prop.get("type") {
                Some(Value::String(s)) => Some(s.as_str()),
                Some(Value::Array(types)) => types
                    .iter()
                    .filter_map(Value::as_str)
                    .find(|t| *t != "null"),
                _ => None,
            };
            Column {
                name: name.clone(),
                ty: type_name
                    .and_then(ColumnType::of_type_name)
                    .unwrap_or(ColumnType::Text),
                required: name == key || required.contains(&name.as_str()),
                max_length: prop.get("maxLength").and_then(Value::as_u64),
            }
        })
        .collect();
    key_first(&mut cols, key);
    cols
}

fn key_first(cols: &mut Vec<Column>, key: &str) {
    if let Some(at) = cols.iter().position(|c| c.name == key) {
        let key_col = cols.remove(at);
        cols.insert(0, key_col);
    }
}

/// An identifier quoted for `engine`, whole (a dot is part of the name, as
/// the runtime quotes it).
pub fn quote(engine: Engine, identifier: &str) -> String {
    match engine {
        Engine::Mysql => format!("`{}`", identifier.replace('`', "``")),
        Engine::Postgres | Engine::Sqlite => format!("\"{}\"", identifier.replace('"', "\"\"")),
    }
}

/// The SQL type of a column (the runtime's `sql_type`).
pub fn sql_type(engine: Engine, column: &Column, is_key: bool) -> String {
    match (column.ty, engine) {
        // MySQL cannot index an unbounded TEXT key.
        (ColumnType::Text, Engine::Mysql) if is_key => {
            let n = column
                .max_length
                .filter(|n| *n > 0 && *n <= 255)
                .unwrap_or(255);
            format!("VARCHAR({n})")
        }
        (ColumnType::Text, _) => "TEXT".into(),
        (ColumnType::Integer, _) => "BIGINT".into(),
        (ColumnType::Number, Engine::Postgres) => "DOUBLE PRECISION".into(),
        (ColumnType::Number, Engine::Mysql) => "DOUBLE".into(),
        (ColumnType::Number, Engine::Sqlite) => "REAL".into(),
        (ColumnType::Boolean, _) => "BOOLEAN".into(),
        (ColumnType::Json, Engine::Postgres) => "JSONB".into(),
        (ColumnType::Json, Engine::Mysql) => "JSON".into(),
        (ColumnType::Json, Engine::Sqlite) => "TEXT".into(),
    }
}

/// `"name" TYPE [NOT NULL]`.
pub fn column_definition(engine: Engine, column: &Column, is_key: bool) -> String {
    let null = if column.required || is_key {
        " NOT NULL"
    } else {
        ""
    };
    format!(
        "{} {}{null}",
        quote(engine, &column.name),
        sql_type(engine, column, is_key)
    )
}

/// `CREATE TABLE` for a store of `schema` keyed by `key`, with a comment
/// line first and a trailing newline.
pub fn create_table(engine: Engine, table: &str, key: &str, schema: &Schema) -> String {
    create_table_of(engine, table, key, &columns(schema, key))
}

/// [`create_table`] from columns (for example [`columns_of_json`]).
pub fn create_table_of(engine: Engine, table: &str, key: &str, columns: &[Column]) -> String {
    let mut lines: Vec<String> = columns
        .iter()
        .map(|c| column_definition(engine, c, c.name == key))
        .collect();
    if columns.iter().any(|c| c.name == key) {
        lines.push(format!("PRIMARY KEY ({})", quote(engine, key)));
    }
    format!(
        "-- Creates the table of the store's schema (generated by Blueprint).\nCREATE TABLE {} (\n    {}\n);\n",
        quote(engine, table),
        lines.join(",\n    ")
    )
}

/// `ALTER TABLE … ADD COLUMN` for `field` of `schema`, or `None` when the
/// schema has no such field.
pub fn add_column(
    engine: Engine,
    table: &str,
    key: &str,
    schema: &Schema,
    field: &str,
) -> Option<String> {
    let column = columns(schema, key).into_iter().find(|c| c.name == field)?;
    Some(add_column_of(engine, table, key, &column))
}

/// [`add_column`] from a column.
pub fn add_column_of(engine: Engine, table: &str, key: &str, column: &Column) -> String {
    let note = if column.required {
        "-- The field is required: on a table with rows, give the column a DEFAULT.\n"
    } else {
        ""
    };
    format!(
        "-- Adds the column for field `{}` (generated by Blueprint).\n{note}ALTER TABLE {} ADD COLUMN {};\n",
        column.name,
        quote(engine, table),
        column_definition(engine, column, column.name == key)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use blueprint_grammars::{model, yaml};

    const TEXT: &str = "\
system:
  name: s
schemas:
  Task:
    type: object
    properties:
      title: { type: string, maxLength: 200 }
      id: { type: string, format: uuid, maxLength: 36 }
      due: { type: string, format: date-time }
      count: { type: integer }
      score: { type: number }
      done: { type: boolean }
      meta: { type: object }
      tags: { type: array, items: { type: string } }
    required: [title]
";

    fn schema() -> Schema {
        let parsed = yaml::parse(TEXT);
        let blueprint = model::lower(parsed.root.as_ref(), TEXT);
        blueprint.schema("Task").unwrap().schema.clone()
    }

    #[test]
    fn postgres_strings_are_text_whatever_their_format() {
        let sql = create_table(Engine::Postgres, "tasks", "id", &schema());
        assert_eq!(
            sql,
            "-- Creates the table of the store's schema (generated by Blueprint).\n\
             CREATE TABLE \"tasks\" (\n    \
             \"id\" TEXT NOT NULL,\n    \
             \"title\" TEXT NOT NULL,\n    \
             \"due\" TEXT,\n    \
             \"count\" BIGINT,\n    \
             \"score\" DOUBLE PRECISION,\n    \
             \"done\" BOOLEAN,\n    \
             \"meta\" JSONB,\n    \
             \"tags\" JSONB,\n    \
             PRIMARY KEY (\"id\")\n);\n"
        );
        assert!(!sql.contains("IF NOT EXISTS"));
    }

    #[test]
    fn mysql_and_sqlite() {
        let sql = create_table(Engine::Mysql, "tasks", "id", &schema());
        assert!(sql.contains("`id` VARCHAR(255) NOT NULL,"), "{sql}");
        assert!(sql.contains("`title` TEXT NOT NULL,"), "{sql}");
        assert!(sql.contains("`score` DOUBLE,"), "{sql}");
        assert!(sql.contains("`meta` JSON,"), "{sql}");
        assert!(sql.contains("PRIMARY KEY (`id`)"), "{sql}");
        let sql = create_table(Engine::Sqlite, "tasks", "id", &schema());
        assert!(sql.contains("\"score\" REAL,"), "{sql}");
        assert!(sql.contains("\"meta\" TEXT,"), "{sql}");
    }

    #[test]
    fn json_schema_matches_the_runtime() {
        let schema = serde_json::json!({
            "type": "object",
            "properties": {
                "name": { "type": ["string", "null"] },
                "id": { "type": "string", "maxLength": 36 },
            },
            "required": ["name"],
        });
        let cols = columns_of_json(&schema, "id");
        assert_eq!(cols[0].name, "id");
        assert_eq!(cols[1].ty, ColumnType::Text);
        let sql = create_table_of(Engine::Mysql, "people", "id", &cols);
        assert!(
            sql.contains("`id` VARCHAR(36) NOT NULL,\n    `name` TEXT NOT NULL,"),
            "{sql}"
        );
    }

    #[test]
    fn add_column_and_quoting() {
        let sql = add_column(Engine::Postgres, "app.tasks", "id", &schema(), "title").unwrap();
        assert_eq!(
            sql,
            "-- Adds the column for field `title` (generated by Blueprint).\n\
             -- The field is required: on a table with rows, give the column a DEFAULT.\n\
             ALTER TABLE \"app.tasks\" ADD COLUMN \"title\" TEXT NOT NULL;\n"
        );
        assert!(add_column(Engine::Postgres, "t", "id", &schema(), "nope").is_none());
        assert_eq!(quote(Engine::Mysql, "a`b"), "`a``b`");
        assert_eq!(quote(Engine::Sqlite, "a\"b"), "\"a\"\"b\"");
    }
}
