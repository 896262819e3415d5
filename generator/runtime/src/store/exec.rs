//! Running statements: one pool per engine behind one code path, every
//! acquire and transaction measured.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use serde_json::Value;
use sqlx::pool::{PoolConnection, PoolConnectionMetadata};
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
    pub fn execute(sql: impl Into<String>, binds: Vec<Bind>) -> Self {
        Self {
            sql: sql.into(),
            binds,
            fetch: None,
        }
    }
    pub fn fetch(sql: impl Into<String>, binds: Vec<Bind>, columns: &[Column]) -> Self {
        Self {
            sql: sql.into(),
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

/// One statement on `$exec` (a connection or a transaction).
macro_rules! run_stmt {
    ($exec:expr, $stmt:expr) => {{
        let stmt = $stmt;
        let q = bind_all!(sqlx::query(AssertSqlSafe(stmt.sql)), stmt.binds);
        match stmt.fetch {
            None => Outcome::Affected(q.execute($exec).await?.rows_affected()),
            Some(columns) => {
                let rows = q.fetch_all($exec).await?;
                let mut records = Vec::with_capacity(rows.len());
                for row in &rows {
                    records.push(decode_row!(row, columns));
                }
                Outcome::Rows(records)
            }
        }
    }};
}

/// The same body for each engine's pool; each arm is type-checked against
/// its own driver, so binds and decodes use the native types. One statement
/// runs on its own (it is atomic by itself: no BEGIN/COMMIT round trips);
/// more than one run in a transaction.
macro_rules! in_transaction {
    ($store:expr, $op:expr, $pool:expr, $stmts:expr) => {{
        let mut conn = $store.acquire($pool).await?;
        let held = Instant::now();
        let mut stmts = $stmts;
        let result: Result<Vec<Outcome>, StoreError> = async {
            if stmts.len() == 1 {
                let stmt = stmts.pop().expect("one statement");
                return Ok(vec![run_stmt!(&mut *conn, stmt)]);
            }
            let mut tx = sqlx::Connection::begin(&mut *conn).await?;
            let mut out = Vec::with_capacity(stmts.len());
            for stmt in stmts {
                out.push(run_stmt!(&mut *tx, stmt));
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
    /// Run `stmts` atomically: all of them or none (one statement alone,
    /// several in a transaction).
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
        self.observe(result)
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
        // Counted in use from now, not only after the operation: a scrape
        // during a long operation must see its connection taken.
        self.update_gauges();
        result.map_err(|e| match e {
            sqlx::Error::PoolTimedOut => {
                metrics.record_timeout();
                StoreError::Timeout(self.inner.acquire_timeout)
            }
            e => e.into(),
        })
    }

    /// Record a connection-level failure of `result`, then pass it on.
    pub(crate) fn observe<T>(&self, result: Result<T, StoreError>) -> Result<T, StoreError> {
        match &result {
            Err(StoreError::Database(e)) => self.inner.suspect.note(e),
            // No connection within the timeout: the server may be gone.
            Err(StoreError::Timeout(_)) => self.inner.suspect.note(&sqlx::Error::PoolTimedOut),
            _ => {}
        }
        result
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
        let result = match &self.inner.pool {
            Pools::Postgres(p) => sqlx::query(sql).execute(p).await.map(drop),
            Pools::Mysql(p) => sqlx::query(sql).execute(p).await.map(drop),
            Pools::Sqlite(p) => sqlx::query(sql).execute(p).await.map(drop),
        };
        self.observe(result.map_err(StoreError::from))
    }
}

/// The connection, not the statement, failed: I/O, TLS, protocol, a crashed
/// worker, or the server saying so (SQLSTATE class 08 "connection
/// exception", PostgreSQL's 57P01-57P03 "terminated by the administrator",
/// "cannot connect now", MariaDB's 70100 "connection was killed").
pub(crate) fn connection_lost(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(d) => d
            .code()
            .is_some_and(|c| c.starts_with("08") || c.starts_with("57P") || c == "70100"),
        _ => false,
    }
}

type BoxFuture<'c, T> = Pin<Box<dyn Future<Output = T> + Send + 'c>>;

/// Whether an idle connection is pinged before it is handed out. sqlx's
/// default pings every time: one more round trip per operation. Instead a
/// connection is pinged only when it has been idle for [`IDLE_PING`] (a
/// server restart or a network cut in that time would have killed it) or
/// while the pool is suspect: within [`Suspect::WINDOW`] of an operation or
/// probe failing at the connection level (I/O, TLS, protocol, a crashed
/// worker, no connection in time). A connection whose ping fails is closed
/// and another taken. Under load connections are reused within milliseconds
/// and never pinged; sqlx still pings each one as it is released.
pub(crate) const IDLE_PING: Duration = Duration::from_secs(1);

#[derive(Default)]
pub(crate) struct Suspect {
    /// Milliseconds since `since` of the last such failure, plus one; 0: never.
    last: AtomicU64,
    since: OnceLock<Instant>,
}

impl Suspect {
    const WINDOW: Duration = Duration::from_secs(60);

    fn now_ms(&self) -> u64 {
        let since = self.since.get_or_init(Instant::now);
        u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX - 1) + 1
    }

    pub fn note(&self, e: &sqlx::Error) {
        if connection_lost(e) || matches!(e, sqlx::Error::PoolTimedOut) {
            self.last.store(self.now_ms(), Ordering::Relaxed);
        }
    }

    pub fn is_recent(&self) -> bool {
        let last = self.last.load(Ordering::Relaxed);
        let window = u64::try_from(Self::WINDOW.as_millis()).unwrap_or(u64::MAX);
        last != 0 && self.now_ms().saturating_sub(last) < window
    }

    /// The pool's `before_acquire`: see [`IDLE_PING`].
    pub fn before_acquire<DB: Database>(
        self: &Arc<Self>,
    ) -> impl for<'c> Fn(
        &'c mut DB::Connection,
        PoolConnectionMetadata,
    ) -> BoxFuture<'c, Result<bool, sqlx::Error>>
           + Send
           + Sync
           + 'static {
        let suspect = Arc::clone(self);
        move |conn, meta| {
            let suspect = Arc::clone(&suspect);
            Box::pin(async move {
                if meta.idle_for >= IDLE_PING || suspect.is_recent() {
                    if let Err(e) = sqlx::Connection::ping(conn).await {
                        suspect.note(&e);
                        return Err(e);
                    }
                }
                Ok(true)
            })
        }
    }
}

impl Pools {
    /// Whether `INSERT ... RETURNING` works on this server: PostgreSQL
    /// always, SQLite from 3.35, MariaDB from 10.5; MySQL (8.x) never. Asked
    /// once at connect.
    pub(crate) async fn insert_returning(&self) -> Result<bool, StoreError> {
        Ok(match self {
            Pools::Postgres(_) => true,
            Pools::Mysql(p) => {
                let v: String = sqlx::query_scalar("SELECT VERSION()").fetch_one(p).await?;
                mariadb_returning(&v)
            }
            Pools::Sqlite(p) => {
                let v: String = sqlx::query_scalar("SELECT sqlite_version()")
                    .fetch_one(p)
                    .await?;
                at_least(&v, (3, 35))
            }
        })
    }
}

/// `VERSION()` of a MySQL-protocol server: MariaDB says so ("10.11.6-MariaDB-1",
/// or "5.5.5-10.11.6-MariaDB" through some proxies); MySQL does not.
pub(crate) fn mariadb_returning(version: &str) -> bool {
    if !version.contains("MariaDB") {
        return false;
    }
    let v = version.strip_prefix("5.5.5-").unwrap_or(version);
    at_least(v, (10, 5))
}

fn at_least(version: &str, (major, minor): (u64, u64)) -> bool {
    let mut parts = version
        .split(|c: char| !c.is_ascii_digit())
        .map(|p| p.parse::<u64>().unwrap_or(0));
    let found = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    found >= (major, minor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returning_by_server_version() {
        assert!(mariadb_returning("10.11.6-MariaDB-0+deb12u1"));
        assert!(mariadb_returning("5.5.5-10.5.0-MariaDB"));
        assert!(mariadb_returning("11.4.2-MariaDB"));
        assert!(!mariadb_returning("10.4.32-MariaDB"));
        assert!(!mariadb_returning("8.0.36"));
        assert!(!mariadb_returning("8.4.0-0ubuntu0.24.04.1"));
        assert!(at_least("3.35.0", (3, 35)));
        assert!(at_least("3.46.1", (3, 35)));
        assert!(!at_least("3.34.1", (3, 35)));
    }
}
