//! SQL text per engine: identifiers quoted, values always placeholders.

use std::fmt::Write as _;

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

/// `count` comma-separated placeholders, numbered from `first`.
fn push_marks(sql: &mut String, engine: Engine, first: usize, count: usize) {
    for n in first..first + count {
        if n > first {
            sql.push_str(", ");
        }
        match engine {
            Engine::Postgres => {
                let _ = write!(sql, "${n}");
            }
            Engine::Mysql | Engine::Sqlite => sql.push('?'),
        }
    }
}

/// The most values one statement may bind: PostgreSQL's and MySQL's wire
/// protocols count parameters in 16 bits; SQLite's default
/// `SQLITE_MAX_VARIABLE_NUMBER` (since 3.32) is 32766.
pub(crate) fn max_binds(engine: Engine) -> usize {
    match engine {
        Engine::Postgres | Engine::Mysql => 65535,
        Engine::Sqlite => 32766,
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
    /// `INSERT INTO t (columns) VALUES `: [`Statements::insert_rows`] adds
    /// the row groups.
    insert_head: String,
    /// ` RETURNING <every column>`, where the engine has it.
    returning: Option<String>,
    /// `SELECT <every column> FROM t WHERE key IN (`.
    select_keys_head: String,
    engine: Engine,
    /// Values per row: the column count.
    width: usize,
    /// The table, quoted.
    table: String,
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
        let insert_head = format!("INSERT INTO {t} ({list}) VALUES ");
        let insert = format!("{insert_head}({})", marks.join(", "));
        let returning = returning.then(|| format!(" RETURNING {list}"));
        let insert_returning = returning.as_ref().map(|r| format!("{insert}{r}"));
        let p1 = placeholder(engine, 1);
        let select_one = format!("SELECT {list} FROM {t} WHERE {key} = {p1}");
        let select_keys_head = format!("SELECT {list} FROM {t} WHERE {key} IN (");
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
            insert_head,
            returning,
            select_keys_head,
            engine,
            table: t.clone(),
            width: columns.len(),
        }
    }

    /// Whether the server has `INSERT ... RETURNING`.
    pub fn has_returning(&self) -> bool {
        self.returning.is_some()
    }

    /// Rows one INSERT may carry within the engine's bind-parameter limit.
    pub fn rows_per_insert(&self) -> usize {
        rows_per_statement(max_binds(self.engine), self.width)
    }

    /// Keys one `SELECT ... IN (...)` may carry.
    pub fn keys_per_select(&self) -> usize {
        max_binds(self.engine)
    }

    /// One INSERT of `rows` rows, binds in row order; with `returning` (and
    /// an engine that has it) it returns every column of every row.
    pub fn insert_rows(&self, rows: usize, returning: bool) -> String {
        let mut sql = String::with_capacity(self.insert_head.len() + rows * (self.width * 4 + 4));
        sql.push_str(&self.insert_head);
        for r in 0..rows {
            sql.push_str(if r == 0 { "(" } else { ", (" });
            push_marks(&mut sql, self.engine, r * self.width + 1, self.width);
            sql.push(')');
        }
        if let Some(tail) = self.returning.as_ref().filter(|_| returning) {
            sql.push_str(tail);
        }
        sql
    }

    /// The rows whose keys are the `keys` bound values, in no given order.
    pub fn select_keys(&self, keys: usize) -> String {
        let mut sql = self.select_keys_head.clone();
        push_marks(&mut sql, self.engine, 1, keys);
        sql.push(')');
        sql
    }
}

/// Rows of `width` values that fit `limit` bind parameters; at least one,
/// so a table wider than the limit still fails at the server, not here.
pub(crate) fn rows_per_statement(limit: usize, width: usize) -> usize {
    (limit / width.max(1)).max(1)
}

impl Statements {
    /// `ALTER TABLE t ADD COLUMN c TYPE` for a column the table lacks. Always
    /// nullable: the rows already there have no value for it (the store's
    /// validation still requires it of every new record).
    pub fn add_column(&self, column: &Column) -> String {
        format!(
            "ALTER TABLE {} ADD COLUMN {} {}",
            self.table,
            quote(self.engine, &column.name),
            sql_type(self.engine, column, false)
        )
    }
}
