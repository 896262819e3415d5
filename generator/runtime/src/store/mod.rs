//! The enhanced store a generated system uses for each Store component: a
//! sqlx pool with the blueprint's settings, every record validated against
//! its JSON Schema before anything is written, migrations applied or verified
//! at start-up, each operation in a transaction with bound values and quoted
//! identifiers, and pool and operation metrics measured around `acquire()`.

mod batch;
mod exec;
mod key;
pub(crate) mod schema;
mod sql;

use std::future::Future;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use sqlx::pool::PoolOptions;
use sqlx::sqlite::SqliteConnectOptions;

use crate::component::ComponentError;
use crate::http::Readiness;
use crate::metrics::{Metrics, PoolMetrics};

use exec::{Outcome, Pools, Stmt};
use schema::{Bind, RecordSchema};
pub use schema::{Column, ColumnType};
use sql::Statements;

/// How long a readiness probe waits for `SELECT 1`.
pub const READY_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Postgres,
    Mysql,
    Sqlite,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Migrations {
    /// Create the table at start-up when it is missing.
    Auto,
    /// Refuse to start unless the table and every column exist.
    Verify,
    Off,
}

#[derive(Clone, Debug)]
pub struct StoreConfig {
    pub component: String,
    pub pool_name: String,
    pub url: String,
    pub engine: Engine,
    pub max_connections: u32,
    pub min_connections: u32,
    pub acquire_timeout: Duration,
    pub table: String,
    pub key: String,
    /// JSON Schema of one record: `type: object`, `properties`, `required`.
    pub schema: Value,
    pub migrations: Migrations,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The record fails its schema; nothing was written.
    #[error("invalid record: {}", .0.join("; "))]
    Invalid(Vec<String>),
    /// A record with the same key exists.
    #[error("a record with this key already exists")]
    Conflict,
    #[error("invalid store configuration: {0}")]
    Config(String),
    /// `migrations: verify` found the table or columns missing.
    #[error("database schema does not match the blueprint: {0}")]
    Schema(String),
    #[error("no database connection within {0:?}")]
    Timeout(Duration),
    #[error("database error: {0}")]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => Self::Conflict,
            _ => Self::Database(e),
        }
    }
}

impl StoreError {
    /// The HTTP status an endpoint should answer with.
    pub fn status(&self) -> u16 {
        match self {
            Self::Invalid(_) => 400,
            Self::Conflict => 409,
            Self::Timeout(_) => 503,
            // The database is unreachable or the pool is exhausted: a
            // retryable condition for the client, not a bug (503).
            Self::Database(sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed) => 503,
            Self::Database(e) if exec::connection_lost(e) => 503,
            Self::Config(_) | Self::Schema(_) | Self::Database(_) => 500,
        }
    }
}

impl From<StoreError> for ComponentError {
    fn from(e: StoreError) -> Self {
        ComponentError::new(e.status(), e.to_string())
    }
}

/// A connected store. Cheap to clone: clones share the pool.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    component: String,
    table: String,
    columns: Vec<Column>,
    schema: RecordSchema,
    sql: Statements,
    pool: Pools,
    metrics: PoolMetrics,
    acquire_timeout: Duration,
    /// When a connection last failed at the connection level: see
    /// [`exec::IDLE_PING`].
    suspect: Arc<exec::Suspect>,
}

/// No ping before every acquire (sqlx's default, one more round trip per
/// operation): only connections idle for a while, or all of them after a
/// connection-level failure, are pinged ([`exec::IDLE_PING`]).
fn pool_options<DB: sqlx::Database>(
    c: &StoreConfig,
    suspect: &Arc<exec::Suspect>,
) -> PoolOptions<DB> {
    PoolOptions::new()
        .max_connections(c.max_connections)
        .min_connections(c.min_connections)
        .acquire_timeout(c.acquire_timeout)
        .test_before_acquire(false)
        .before_acquire(suspect.before_acquire::<DB>())
}

impl Store {
    /// Open the pool, then apply or verify the table per `migrations`.
    pub async fn connect(config: StoreConfig, metrics: &Metrics) -> Result<Store, StoreError> {
        Self::connect_as(config, metrics, None).await
    }

    /// [`Store::connect`]; `returning` `Some` overrides whether the server
    /// is taken to have `INSERT ... RETURNING`, so the path MySQL takes can
    /// be tested on any engine.
    async fn connect_as(
        config: StoreConfig,
        metrics: &Metrics,
        returning: Option<bool>,
    ) -> Result<Store, StoreError> {
        let columns = schema::columns(&config.schema, &config.key)?;
        let record_schema = RecordSchema::new(&config.schema, &config.key)?;
        let suspect = Arc::new(exec::Suspect::default());
        let pool = match config.engine {
            Engine::Postgres => {
                Pools::Postgres(pool_options(&config, &suspect).connect(&config.url).await?)
            }
            Engine::Mysql => {
                Pools::Mysql(pool_options(&config, &suspect).connect(&config.url).await?)
            }
            Engine::Sqlite => {
                let options = SqliteConnectOptions::from_str(&config.url)?.create_if_missing(true);
                Pools::Sqlite(
                    pool_options(&config, &suspect)
                        .connect_with(options)
                        .await?,
                )
            }
        };
        let returning = match returning {
            Some(r) => r,
            None => pool.insert_returning().await?,
        };
        let sql = Statements::new(config.engine, &config.table, &columns, returning);
        let pool_metrics = metrics.pool(&config.component, &config.pool_name);
        pool_metrics.set_max(config.max_connections);
        let store = Store {
            inner: Arc::new(Inner {
                component: config.component,
                table: config.table,
                columns,
                schema: record_schema,
                sql,
                pool,
                metrics: pool_metrics,
                acquire_timeout: config.acquire_timeout,
                suspect,
            }),
        };
        match config.migrations {
            Migrations::Auto => store.migrate().await?,
            Migrations::Verify => store.verify().await?,
            Migrations::Off => {}
        }
        store.update_gauges();
        Ok(store)
    }

    pub fn columns(&self) -> &[Column] {
        &self.inner.columns
    }

    /// The key named by a URL path segment, typed as the key column is, so
    /// `GET /tasks/7` finds the row whose integer key is 7.
    pub fn key_from_path(&self, raw: &str) -> Result<Value, StoreError> {
        key::from_path(&self.inner.columns[0], raw)
    }

    /// `migrations: auto`: creates the table, or adds the columns a field
    /// added to the schema since needs (existing rows get NULL there). It
    /// never drops or changes a column: that could lose data.
    async fn migrate(&self) -> Result<(), StoreError> {
        let create = Stmt::execute(&self.inner.sql.create_table, vec![]);
        self.run("migrate", vec![create]).await?;
        let found = self.table_columns("migrate").await?;
        let added: Vec<Stmt> = (self.inner.columns.iter())
            .filter(|c| !found.iter().any(|f| f == &c.name))
            .map(|c| {
                tracing::info!(
                    table = %self.inner.table,
                    column = %c.name,
                    "migrations: auto adds a column (NULL in the existing rows)"
                );
                Stmt::execute(self.inner.sql.add_column(c), vec![])
            })
            .collect();
        if !added.is_empty() {
            self.run("migrate", added).await?;
        }
        Ok(())
    }

    /// The names of the table's columns (none when it does not exist).
    async fn table_columns(&self, op: &'static str) -> Result<Vec<String>, StoreError> {
        let name = Column {
            name: "name".into(),
            ty: ColumnType::Text,
            required: true,
            max_length: None,
        };
        let table = Bind::Text(Some(self.inner.table.clone()));
        let stmt = Stmt::fetch(&self.inner.sql.table_columns, vec![table], &[name]);
        Ok(rows(self.run(op, vec![stmt]).await?)
            .into_iter()
            .filter_map(|r| r.get("name").and_then(Value::as_str).map(str::to_owned))
            .collect())
    }

    async fn verify(&self) -> Result<(), StoreError> {
        let found = self.table_columns("verify").await?;
        let table = &self.inner.table;
        if found.is_empty() {
            return Err(StoreError::Schema(format!(
                "table \"{table}\" does not exist (migrations: verify never creates it)"
            )));
        }
        let missing: Vec<&str> = (self.inner.columns.iter())
            .map(|c| c.name.as_str())
            .filter(|c| !found.iter().any(|f| f == c))
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(StoreError::Schema(format!(
                "table \"{table}\" lacks column(s) {}",
                missing.join(", ")
            )))
        }
    }

    fn binds(&self, record: &Value) -> Result<Vec<Bind>, StoreError> {
        (self.inner.columns.iter())
            .map(|c| schema::bind(c, record.get(&c.name)))
            .collect()
    }

    fn key_bind(&self, key: &Value) -> Result<Bind, StoreError> {
        let column = &self.inner.columns[0];
        if key.is_null() {
            return Err(StoreError::Invalid(vec![format!(
                "the key \"{}\" must not be null",
                column.name
            )]));
        }
        schema::bind(column, Some(key))
    }

    fn select_one(&self, key: Bind) -> Stmt {
        Stmt::fetch(&self.inner.sql.select_one, vec![key], &self.inner.columns)
    }

    /// Fill in the schema's defaults, validate and insert one record;
    /// returns it as stored. One `INSERT ... RETURNING` where the engine has
    /// it, else `INSERT` and `SELECT` in a transaction.
    pub async fn create(&self, record: &Value) -> Result<Value, StoreError> {
        let record = self.inner.schema.with_defaults(record);
        self.inner.schema.validate(&record)?;
        let binds = self.binds(&record)?;
        let sql = &self.inner.sql;
        let stmts = match &sql.insert_returning {
            Some(insert) => vec![Stmt::fetch(insert, binds, &self.inner.columns)],
            None => {
                let key = binds[0].clone();
                vec![Stmt::execute(&sql.insert, binds), self.select_one(key)]
            }
        };
        let out = self.run("create", stmts).await?;
        first_row(out).ok_or_else(|| StoreError::Database(sqlx::Error::RowNotFound))
    }

    pub async fn get(&self, key: &Value) -> Result<Option<Value>, StoreError> {
        let stmt = self.select_one(self.key_bind(key)?);
        Ok(first_row(self.run("get", vec![stmt]).await?))
    }

    /// Records ordered by key.
    pub async fn list(&self, offset: u64, limit: u64) -> Result<Vec<Value>, StoreError> {
        let n = |v: u64| Bind::Integer(Some(i64::try_from(v).unwrap_or(i64::MAX)));
        let binds = vec![n(limit), n(offset)];
        let stmt = Stmt::fetch(&self.inner.sql.select_page, binds, &self.inner.columns);
        Ok(rows(self.run("list", vec![stmt]).await?))
    }

    /// Replace the record at `key` (the record's key, if given, must match;
    /// missing properties take the schema's defaults, as on create).
    /// Returns the stored record, or `None` when there is no such key.
    pub async fn update(&self, key: &Value, record: &Value) -> Result<Option<Value>, StoreError> {
        let key_name = &self.inner.columns[0].name;
        let mut record = record.clone();
        if let Some(obj) = record.as_object_mut() {
            match obj.get(key_name) {
                Some(k) if k != key => {
                    return Err(StoreError::Invalid(vec![format!(
                        "\"{key_name}\" {k} does not match the key {key}"
                    )]))
                }
                _ => {
                    obj.insert(key_name.clone(), key.clone());
                }
            }
            self.inner.schema.fill_defaults(obj);
        }
        self.inner.schema.validate(&record)?;
        let mut binds = self.binds(&record)?;
        let key = binds.remove(0);
        binds.push(key.clone());
        let stmts = vec![
            Stmt::execute(&self.inner.sql.update, binds),
            self.select_one(key),
        ];
        Ok(first_row(self.run("update", stmts).await?))
    }

    /// Returns whether a record was deleted.
    pub async fn delete(&self, key: &Value) -> Result<bool, StoreError> {
        let stmt = Stmt::execute(&self.inner.sql.delete, vec![self.key_bind(key)?]);
        let out = self.run("delete", vec![stmt]).await?;
        Ok(matches!(out.first(), Some(Outcome::Affected(n)) if *n > 0))
    }

    /// "The database answers": `SELECT 1` within [`READY_TIMEOUT`]. Give it
    /// to [`Readiness::add`] as `move || store.readiness()`.
    pub fn readiness(&self) -> impl Future<Output = Result<(), String>> + Send + 'static {
        let store = self.clone();
        async move {
            match tokio::time::timeout(READY_TIMEOUT, store.ping()).await {
                Ok(result) => result.map_err(|e| e.to_string()),
                Err(_) => Err(format!("no answer within {READY_TIMEOUT:?}")),
            }
        }
    }

    /// Register [`Store::readiness`] as "`<component>` database answers".
    pub fn register_readiness(&self, readiness: &Readiness) {
        let store = self.clone();
        let name = format!("{} database answers", self.inner.component);
        readiness.add(name, move || store.readiness());
    }
}

fn rows(out: Vec<Outcome>) -> Vec<Value> {
    out.into_iter()
        .rev()
        .find_map(|o| match o {
            Outcome::Rows(r) => Some(r),
            Outcome::Affected(_) => None,
        })
        .unwrap_or_default()
}

fn first_row(out: Vec<Outcome>) -> Option<Value> {
    rows(out).into_iter().next()
}
