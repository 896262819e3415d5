//! Batched writes: every record validated first, then multi-row INSERTs,
//! as few as each engine's bind-parameter limit allows, all in one
//! transaction. N records cost one round trip per statement, not one each.

use std::collections::HashMap;

use serde_json::Value;

use super::exec::{Outcome, Stmt};
use super::schema::{self, Bind, Column};
use super::sql::Statements;
use super::{Store, StoreError};

/// The operation label of both batched calls; the editor's live metrics
/// read it.
const OP: &str = "create_many";

impl Store {
    /// Fill in defaults and validate every record, then insert them all in
    /// one transaction: all are written or none. Returns how many were
    /// written. The records are not read back (see
    /// [`Store::create_many_stored`]), so every engine runs only the INSERTs.
    pub async fn create_many(&self, records: &[Value]) -> Result<u64, StoreError> {
        let rows = self.batch_binds(records)?;
        if rows.is_empty() {
            return Ok(0);
        }
        let stmts = insert_statements(&self.inner.sql, &[], rows, self.rows_per_insert());
        let out = self.run(OP, stmts).await?;
        Ok(out
            .iter()
            .map(|o| match o {
                Outcome::Affected(n) => *n,
                Outcome::Rows(_) => 0,
            })
            .sum())
    }

    /// [`Store::create_many`], returning the records as stored (defaults
    /// applied), in input order: `INSERT ... RETURNING` where the engine has
    /// it, else the INSERTs and then `SELECT ... WHERE key IN (...)` in the
    /// same transaction.
    pub async fn create_many_stored(&self, records: &[Value]) -> Result<Vec<Value>, StoreError> {
        let rows = self.batch_binds(records)?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let keys: Vec<Bind> = rows.iter().map(|r| r[0].clone()).collect();
        let (sql, columns) = (&self.inner.sql, &self.inner.columns);
        let stmts = if sql.has_returning() {
            insert_statements(sql, columns, rows, self.rows_per_insert())
        } else {
            let mut stmts = insert_statements(sql, &[], rows, self.rows_per_insert());
            stmts.extend(select_statements(
                sql,
                columns,
                &keys,
                sql.keys_per_select(),
            ));
            stmts
        };
        let out = self.run(OP, stmts).await?;
        in_input_order(all_rows(out), &columns[0].name, &keys)
    }

    /// Every record with its defaults, validated, as binds in column order;
    /// nothing is written unless all of them pass.
    fn batch_binds(&self, records: &[Value]) -> Result<Vec<Vec<Bind>>, StoreError> {
        let schema = &self.inner.schema;
        let records: Vec<_> = records.iter().map(|r| schema.with_defaults(r)).collect();
        let mut messages = Vec::new();
        for (i, record) in records.iter().enumerate() {
            if let Err(StoreError::Invalid(m)) = schema.validate(record) {
                messages.extend(m.into_iter().map(|m| format!("record {i}: {m}")));
            }
        }
        if !messages.is_empty() {
            return Err(StoreError::Invalid(messages));
        }
        records.iter().map(|r| self.binds(r)).collect()
    }

    fn rows_per_insert(&self) -> usize {
        self.inner.sql.rows_per_insert()
    }
}

/// `rows` as INSERTs of at most `per` rows each. With `returning` columns
/// (and an engine that has `RETURNING`) each statement returns its rows;
/// with none each only counts them.
fn insert_statements(
    sql: &Statements,
    returning: &[Column],
    rows: Vec<Vec<Bind>>,
    per: usize,
) -> Vec<Stmt> {
    let mut stmts = Vec::with_capacity(rows.len().div_ceil(per.max(1)));
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Bind>> = rows.by_ref().take(per.max(1)).collect();
        let text = sql.insert_rows(chunk.len(), !returning.is_empty());
        let binds = chunk.into_iter().flatten().collect();
        stmts.push(if returning.is_empty() {
            Stmt::execute(text, binds)
        } else {
            Stmt::fetch(text, binds, returning)
        });
    }
    stmts
}

/// The rows of `keys`, at most `per` keys per `SELECT`.
fn select_statements(sql: &Statements, columns: &[Column], keys: &[Bind], per: usize) -> Vec<Stmt> {
    (keys.chunks(per.max(1)))
        .map(|k| Stmt::fetch(sql.select_keys(k.len()), k.to_vec(), columns))
        .collect()
}

fn all_rows(out: Vec<Outcome>) -> Vec<Value> {
    (out.into_iter())
        .flat_map(|o| match o {
            Outcome::Rows(r) => r,
            Outcome::Affected(_) => Vec::new(),
        })
        .collect()
}

/// `rows` in the order of `keys`. Neither `RETURNING` of a multi-row INSERT
/// nor `IN (...)` promises an order on every engine, so the rows are matched
/// by key (unique within a batch that was written).
fn in_input_order(rows: Vec<Value>, key: &str, keys: &[Bind]) -> Result<Vec<Value>, StoreError> {
    let mut by_key: HashMap<String, Value> = (rows.into_iter())
        .map(|r| (r.get(key).map_or_else(String::new, Value::to_string), r))
        .collect();
    (keys.iter())
        .map(|k| {
            (by_key.remove(&key_text(k))).ok_or(StoreError::Database(sqlx::Error::RowNotFound))
        })
        .collect()
}

/// A bound key as the JSON text of the value read back for it.
fn key_text(key: &Bind) -> String {
    let value = match key {
        Bind::Text(v) => v.clone().map(Value::from),
        Bind::Integer(v) => v.map(Value::from),
        Bind::Number(v) => v.map(schema::number),
        Bind::Boolean(v) => v.map(Value::from),
        Bind::Json(v) => v.clone(),
    };
    value.unwrap_or(Value::Null).to_string()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;
    use sqlx::{AssertSqlSafe, Connection};

    use super::super::sql::rows_per_statement;
    use super::super::{ColumnType, Engine, Migrations, StoreConfig};
    use super::*;
    use crate::metrics::Metrics;

    fn column(name: &str, ty: ColumnType) -> Column {
        Column {
            name: name.into(),
            ty,
            required: true,
            max_length: None,
        }
    }

    fn columns() -> Vec<Column> {
        vec![
            column("id", ColumnType::Integer),
            column("name", ColumnType::Text),
            column("ok", ColumnType::Boolean),
        ]
    }

    fn row(id: i64) -> Vec<Bind> {
        vec![
            Bind::Integer(Some(id)),
            Bind::Text(Some(format!("n{id}"))),
            Bind::Boolean(Some(true)),
        ]
    }

    #[test]
    fn rows_per_statement_fit_the_bind_limit() {
        assert_eq!(rows_per_statement(65535, 3), 21845);
        assert_eq!(rows_per_statement(32766, 7), 4680);
        assert_eq!(rows_per_statement(32766, 100), 327);
        assert_eq!(rows_per_statement(10, 11), 1, "a row too wide still goes");
        assert_eq!(rows_per_statement(10, 0), 10);
    }

    #[test]
    fn batches_split_into_statements_of_at_most_per_rows() {
        let sql = Statements::new(Engine::Postgres, "t", &columns(), true);
        let rows: Vec<_> = (1..=5).map(row).collect();
        let stmts = insert_statements(&sql, &columns(), rows, 2);
        let sizes: Vec<usize> = stmts.iter().map(|s| s.binds.len()).collect();
        assert_eq!(sizes, [6, 6, 3]);
        assert_eq!(
            stmts[2].sql,
            "INSERT INTO \"t\" (\"id\", \"name\", \"ok\") VALUES ($1, $2, $3) \
             RETURNING \"id\", \"name\", \"ok\""
        );
        assert!(stmts[0]
            .sql
            .contains("VALUES ($1, $2, $3), ($4, $5, $6) RETURNING"));
        assert!(stmts.iter().all(|s| s.fetch.is_some()));

        let counted = insert_statements(&sql, &[], (1..=2).map(row).collect(), 100);
        assert_eq!(counted.len(), 1);
        assert!(counted[0].fetch.is_none() && !counted[0].sql.contains("RETURNING"));
    }

    #[test]
    fn key_lookups_split_and_quote() {
        let sql = Statements::new(Engine::Mysql, "t`x", &columns(), false);
        let keys: Vec<Bind> = (1..=5).map(|k| Bind::Integer(Some(k))).collect();
        let stmts = select_statements(&sql, &columns(), &keys, 4);
        assert_eq!(stmts.len(), 2);
        assert_eq!(
            stmts[1].sql,
            "SELECT `id`, `name`, `ok` FROM `t``x` WHERE `id` IN (?)"
        );
        assert!(stmts[0].sql.ends_with("IN (?, ?, ?, ?)"));
        let insert = sql.insert_rows(2, true);
        assert!(insert.ends_with("VALUES (?, ?, ?), (?, ?, ?)"), "{insert}");
    }

    #[test]
    fn rows_come_back_in_key_order() {
        let keys = [
            Bind::Text(Some("b".into())),
            Bind::Text(Some("a".into())),
            Bind::Text(Some("c".into())),
        ];
        let rows = vec![json!({"id": "a"}), json!({"id": "c"}), json!({"id": "b"})];
        let ordered = in_input_order(rows, "id", &keys).unwrap();
        assert_eq!(
            ordered,
            [json!({"id": "b"}), json!({"id": "a"}), json!({"id": "c"})]
        );
        let missing = in_input_order(vec![json!({"id": "a"})], "id", &keys[1..]);
        assert!(matches!(
            missing,
            Err(StoreError::Database(sqlx::Error::RowNotFound))
        ));
        let ints = [Bind::Integer(Some(2)), Bind::Integer(Some(1))];
        let rows = vec![json!({"id": 1}), json!({"id": 2})];
        assert_eq!(
            in_input_order(rows, "id", &ints).unwrap(),
            [json!({"id": 2}), json!({"id": 1})]
        );
    }

    /// A store that takes its server to lack `RETURNING`, as MySQL does:
    /// SQLite always, PostgreSQL and MariaDB when their URLs are set (a
    /// uniquely named table in that database, dropped afterwards).
    async fn without_returning(engine: Engine, url: &str, table: &str) -> Store {
        let config = StoreConfig {
            component: "batch".into(),
            pool_name: "main".into(),
            url: url.into(),
            engine,
            max_connections: 2,
            min_connections: 1,
            acquire_timeout: Duration::from_secs(5),
            table: table.into(),
            key: "id".into(),
            schema: json!({
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "ok": {"type": "boolean", "default": true}
                },
                "required": ["id", "name"]
            }),
            migrations: Migrations::Auto,
        };
        Store::connect_as(config, &Metrics::new(), Some(false))
            .await
            .unwrap()
    }

    async fn select_after_insert(engine: Engine, url: &str, table: &str) {
        let store = without_returning(engine, url, table).await;
        // Keys out of order, so neither the INSERT's nor the key's order
        // would pass for the input's.
        let ids: Vec<i64> = (0..1000).map(|n| (n * 7919) % 1000).collect();
        let records: Vec<Value> = (ids.iter())
            .map(|id| json!({"id": id, "name": format!("n{id}")}))
            .collect();
        let stored = store.create_many_stored(&records).await.unwrap();
        let expected: Vec<Value> = (ids.iter())
            .map(|id| json!({"id": id, "name": format!("n{id}"), "ok": true}))
            .collect();
        assert_eq!(stored, expected, "{engine:?}");
        let dupes = [
            json!({"id": 5000, "name": "a"}),
            json!({"id": 5000, "name": "b"}),
        ];
        let err = store.create_many_stored(&dupes).await.unwrap_err();
        assert_eq!(err.status(), 409, "{engine:?}: {err}");
        assert_eq!(store.list(0, 2000).await.unwrap().len(), 1000, "{engine:?}");
    }

    async fn drop_table(engine: Engine, url: &str, table: &str) {
        let sql = AssertSqlSafe(format!("DROP TABLE IF EXISTS {table}"));
        match engine {
            Engine::Postgres => {
                let mut c = sqlx::PgConnection::connect(url).await.unwrap();
                sqlx::query(sql).execute(&mut c).await.unwrap();
            }
            Engine::Mysql => {
                let mut c = sqlx::MySqlConnection::connect(url).await.unwrap();
                sqlx::query(sql).execute(&mut c).await.unwrap();
            }
            Engine::Sqlite => {}
        }
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn without_returning_rows_are_selected_in_input_order() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("batch.db").display());
        select_after_insert(Engine::Sqlite, &url, "batch").await;
        let table = format!("bp_batch_{}", std::process::id());
        for (engine, var) in [
            (Engine::Postgres, "DATABASE_URL_POSTGRES"),
            (Engine::Mysql, "DATABASE_URL_MYSQL"),
        ] {
            let Ok(url) = std::env::var(var) else {
                let required = std::env::var("BLUEPRINT_REQUIRE_SERVICES");
                assert_ne!(required.as_deref(), Ok("1"), "{var} is unset");
                eprintln!("skipping {engine:?}: {var} is unset");
                continue;
            };
            drop_table(engine, &url, &table).await;
            select_after_insert(engine, &url, &table).await;
            drop_table(engine, &url, &table).await;
        }
    }
}
