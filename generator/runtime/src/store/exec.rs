//! Running statements: one pool per engine behind one code path, every
//! acquire and transaction measured.

use std::time::Instant;

use serde_json::Value;
use sqlx::pool::PoolConnection;
use sqlx::types::Json;
use sqlx::{AssertSqlSafe, Database, MySqlPool, PgPool, Pool, Row, SqlitePool};

use super::schema::{self, Bind, Column, ColumnType};
use super::{Store, StoreError};

pub(crate) enum Pools {
    Postgres(PgPool),
    Mysql(MySqlPool),
    Sqlite(SqlitePool),
}

/// One statement of a transaction.
pub(crate) struct Stmt {
    pub sql: String,
    pub binds: Vec<Bind>,
    /// `None` executes; `Some(columns)` fetches rows decoded by position.
    pub fetch: Option<Vec<Column>>,
}

impl Stmt {
    pub fn execute(sql: &str, binds: Vec<Bind>) -> Self {
        Self {
            sql: sql.to_owned(),
            binds,
            fetch: None,
        }
    }
    pub fn fetch(sql: &str, binds: Vec<Bind>, columns: &[Column]) -> Self {
        Self {
            sql: sql.to_owned(),
            binds,
            fetch: Some(columns.to_vec()),
        }
    }
}

pub(crate) enum Outcome {
    Affected(u64),
    Rows(Vec<Value>),
}

/// Bind every value with its column's native type.
macro_rules! bind_all {
    ($query:expr, $binds:expr) => {{
        let mut q = $query;
        for b in $binds {
            q = match b {
                Bind::Text(v) => q.bind(v),
                Bind::Integer(v) => q.bind(v),
                Bind::Number(v) => q.bind(v),
                Bind::Boolean(v) => q.bind(v),
                Bind::Json(v) => q.bind(v.map(Json)),
            };
        }
        q
    }};
}

macro_rules! decode_row {
    ($row:expr, $columns:expr) => {{
        let row = $row;
        let mut values = Vec::with_capacity($columns.len());
        for (i, c) in $columns.iter().enumerate() {
            let v = match c.ty {
                ColumnType::Text => row.try_get::<Option<String>, _>(i)?.map(Value::from),
                ColumnType::Integer => row.try_get::<Option<i64>, _>(i)?.map(Value::from),
                ColumnType::Number => row.try_get::<Option<f64>, _>(i)?.map(schema::number),
                ColumnType::Boolean => row.try_get::<Option<bool>, _>(i)?.map(Value::from),
                ColumnType::Json => row.try_get::<Option<Json<Value>>, _>(i)?.map(|j| j.0),
            };
            values.push((c.name.clone(), v.unwrap_or(Value::Null)));
        }
        schema::record(values)
    }};
}

/// The same body for each engine's pool; each arm is type-checked against
/// its own driver, so binds and decodes use the native types.
macro_rules! in_transaction {
    ($store:expr, $op:expr, $pool:expr, $stmts:expr) => {{
        let mut conn = $store.acquire($pool).await?;
        let held = Instant::now();
        let result: Result<Vec<Outcome>, StoreError> = async {
            let mut tx = sqlx::Connection::begin(&mut *conn).await?;
            let mut out = Vec::with_capacity($stmts.len());
            for stmt in $stmts {
                let q = bind_all!(sqlx::query(AssertSqlSafe(stmt.sql)), stmt.binds);
                out.push(match stmt.fetch {
                    None => Outcome::Affected(q.execute(&mut *tx).await?.rows_affected()),
                    Some(columns) => {
                        let rows = q.fetch_all(&mut *tx).await?;
                        let mut records = Vec::with_capacity(rows.len());
                        for row in &rows {
                            records.push(decode_row!(row, columns));
                        }
                        Outcome::Rows(records)
                    }
                });
            }
            tx.commit().await?;
            Ok(out)
        }
        .await;
        $store.inner.metrics.record_operation($op, held.elapsed());
        drop(conn);
        $store.inner.metrics.record_use(held.elapsed());
        result
    }};
}

impl Store {
    /// Run `stmts` in one transaction: all of them or none.
    pub(crate) async fn run(
        &self,
        op: &'static str,
        stmts: Vec<Stmt>,
    ) -> Result<Vec<Outcome>, StoreError> {
        let result = match &self.inner.pool {
            Pools::Postgres(p) => in_transaction!(self, op, p, stmts),
            Pools::Mysql(p) => in_transaction!(self, op, p, stmts),
            Pools::Sqlite(p) => in_transaction!(self, op, p, stmts),
        };
        self.update_gauges();
        result
    }

    /// `acquire()` with the pending gauge, wait histogram and timeout counter
    /// that sqlx does not provide.
    async fn acquire<DB: Database>(
        &self,
        pool: &Pool<DB>,
    ) -> Result<PoolConnection<DB>, StoreError> {
        let metrics = &self.inner.metrics;
        let pending = metrics.acquire_started();
        let started = Instant::now();
        let result = pool.acquire().await;
        drop(pending);
        metrics.record_wait(started.elapsed());
        result.map_err(|e| match e {
            sqlx::Error::PoolTimedOut => {
                metrics.record_timeout();
                StoreError::Timeout(self.inner.acquire_timeout)
            }
            e => e.into(),
        })
    }

    pub(crate) fn update_gauges(&self) {
        let (size, idle) = match &self.inner.pool {
            Pools::Postgres(p) => (p.size(), p.num_idle()),
            Pools::Mysql(p) => (p.size(), p.num_idle()),
            Pools::Sqlite(p) => (p.size(), p.num_idle()),
        };
        let idle = u32::try_from(idle).unwrap_or(u32::MAX).min(size);
        self.inner.metrics.set_connections(idle, size - idle);
    }

    /// `SELECT 1` on a pooled connection, unmeasured: probes must not skew
    /// the operation histograms.
    pub(crate) async fn ping(&self) -> Result<(), StoreError> {
        let sql = AssertSqlSafe(self.inner.sql.ping.clone());
        match &self.inner.pool {
            Pools::Postgres(p) => sqlx::query(sql).execute(p).await.map(drop)?,
            Pools::Mysql(p) => sqlx::query(sql).execute(p).await.map(drop)?,
            Pools::Sqlite(p) => sqlx::query(sql).execute(p).await.map(drop)?,
        }
        Ok(())
    }
}
