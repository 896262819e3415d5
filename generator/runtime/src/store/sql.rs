//! SQL text per engine: identifiers quoted, values always placeholders.

use super::schema::{Column, ColumnType};
use super::Engine;

pub(crate) fn quote(engine: Engine, ident: &str) -> String {
    match engine {
        Engine::Mysql => format!("`{}`", ident.replace('`', "``")),
        Engine::Postgres | Engine::Sqlite => format!("\"{}\"", ident.replace('"', "\"\"")),
    }
}

/// The `n`th placeholder, counting from 1.
fn placeholder(engine: Engine, n: usize) -> String {
    match engine {
        Engine::Postgres => format!("${n}"),
        Engine::Mysql | Engine::Sqlite => "?".to_owned(),
    }
}

fn sql_type(engine: Engine, column: &Column, is_key: bool) -> String {
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

/// Every statement a store runs, built once at connect.
#[derive(Debug)]
pub(crate) struct Statements {
    pub create_table: String,
    pub table_columns: String,
    pub insert: String,
    /// `insert` returning the row's columns, where the engine has `RETURNING`.
    pub insert_returning: Option<String>,
    pub select_one: String,
    pub select_page: String,
    pub update: String,
    pub delete: String,
    pub ping: String,
}

impl Statements {
    /// `columns` has the key first; `returning`: the server has
    /// `INSERT ... RETURNING`.
    pub fn new(engine: Engine, table: &str, columns: &[Column], returning: bool) -> Self {
        let q = |s: &str| quote(engine, s);
        let t = q(table);
        let key = q(&columns[0].name);
        let defs: Vec<String> = columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let null = if c.required { " NOT NULL" } else { "" };
                format!("{} {}{null}", q(&c.name), sql_type(engine, c, i == 0))
            })
            .collect();
        let create_table = format!(
            "CREATE TABLE IF NOT EXISTS {t} ({}, PRIMARY KEY ({key}))",
            defs.join(", ")
        );
        let names: Vec<String> = columns.iter().map(|c| q(&c.name)).collect();
        let list = names.join(", ");
        let marks: Vec<String> = (1..=columns.len())
            .map(|n| placeholder(engine, n))
            .collect();
        let insert = format!("INSERT INTO {t} ({list}) VALUES ({})", marks.join(", "));
        let insert_returning = returning.then(|| format!("{insert} RETURNING {list}"));
        let p1 = placeholder(engine, 1);
        let select_one = format!("SELECT {list} FROM {t} WHERE {key} = {p1}");
        let select_page = format!(
            "SELECT {list} FROM {t} ORDER BY {key} LIMIT {} OFFSET {}",
            placeholder(engine, 1),
            placeholder(engine, 2)
        );
        // Non-key columns first, then the key, matching the bind order.
        let sets: Vec<String> = names[1..]
            .iter()
            .enumerate()
            .map(|(i, n)| format!("{n} = {}", placeholder(engine, i + 1)))
            .collect();
        let update = if sets.is_empty() {
            // A key-only table: the update only has to find the row.
            format!("UPDATE {t} SET {key} = {key} WHERE {key} = {p1}")
        } else {
            format!(
                "UPDATE {t} SET {} WHERE {key} = {}",
                sets.join(", "),
                placeholder(engine, columns.len())
            )
        };
        let delete = format!("DELETE FROM {t} WHERE {key} = {p1}");
        let table_columns = match engine {
            Engine::Postgres => "SELECT CAST(column_name AS TEXT) FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1"
                .to_owned(),
            Engine::Mysql => "SELECT CAST(column_name AS CHAR) FROM information_schema.columns \
                 WHERE table_schema = DATABASE() AND table_name = ?"
                .to_owned(),
            Engine::Sqlite => "SELECT name FROM pragma_table_info(?)".to_owned(),
        };
        Self {
            create_table,
            table_columns,
            insert,
            insert_returning,
            select_one,
            select_page,
            update,
            delete,
            ping: "SELECT 1".to_owned(),
        }
    }
}
