//! MySQL 8 / MariaDB 10.5+ engine of the pre-flight: one connection, one
//! batched catalogue query, a few pings.
//!
//! # Read-only by construction
//!
//! After the handshake and a `SELECT VERSION()` (to tell MariaDB from
//! MySQL), one text-protocol batch makes the session read-only (`SET
//! SESSION TRANSACTION READ ONLY`), sets a server-side statement time
//! limit equal to the probe's timeout — `max_execution_time` (ms) on MySQL,
//! `max_statement_time` (s) on MariaDB, which does not know the former —
//! and opens `START TRANSACTION READ ONLY`; the catalogue query runs in it
//! and is followed by `ROLLBACK` ([`session_setup`]). Only
//! `information_schema` is read; nothing is ever created. sqlx's own
//! post-connect `SET` (sql_mode, time_zone, names) is switched off: the
//! handshake already asks for utf8mb4 and our batch says `SET NAMES`.
//!
//! # Cost
//!
//! Whatever the number of tables: the handshake; `SELECT VERSION()`; the
//! setup batch; the catalogue query (a prepared statement because the table
//! names are bound parameters: the driver's COM_STMT_PREPARE round trip
//! plus the COM_STMT_EXECUTE one); `ROLLBACK`; then `probe.pings` ×
//! `SELECT 1` (text protocol, one round trip each). Connecting and each
//! statement are bounded by `probe.timeout` on the client
//! (`tokio::time::timeout`), and the catalogue query on the server too.
//!
//! # The catalogue query
//!
//! One `UNION ALL` of row kinds, every value converted to utf8mb4 text so
//! that the union never mixes collations:
//!
//! * `server`: `VERSION()`, `@@max_connections`, `DATABASE()`,
//!   `@@lower_case_table_names`, `CURRENT_USER()`;
//! * `column`: `information_schema.columns` of the tables asked for;
//! * `pk`: `information_schema.statistics` where `index_name = 'PRIMARY'`
//!   (not `columns.column_key = 'PRI'`, which MariaDB and MySQL also show
//!   for the first UNIQUE NOT NULL key of a table without primary key);
//! * `other`: up to 1000 (plus the number asked for) other table names in
//!   non-system databases, the connection's database first;
//! * `global`, `schema`, `table`: the current user's grants from
//!   `information_schema.user_privileges`, `schema_privileges` and
//!   `table_privileges`, whose grantee is spelled `'user'@'host'`, built
//!   from `CURRENT_USER()`.
//!
//! The tables are selected, for each database they are looked up in, by
//! `table_schema = DATABASE()` (or `= ?` for `db.table` names) `AND
//! table_name IN (?, ?, …)`, one `SELECT` per database and per row kind so
//! that MariaDB scans only that database's directory: bound parameters,
//! the SQL text only depends on how many names there are.
//!
//! # Table names
//!
//! An unqualified name is looked up in the URL's database (`DATABASE()`); a
//! name with a dot, `db.table`, in database `db` (split at the first dot;
//! surrounding backquotes are removed from each part). Case follows the
//! server's `lower_case_table_names`: with 0 (the Linux default) names are
//! case-sensitive, so `Orders` does not match a table `orders` (which then
//! shows up in `other_tables`, for "did you mean"); with 1 or 2 the server
//! compares names case-insensitively and so do we. The match is done here,
//! on the rows returned: `information_schema` compares with a
//! case-insensitive collation on MariaDB whatever the setting. `tables` is
//! keyed by the name as asked; `Table::name` is the server's spelling.
//!
//! A table the user has no privilege on at all is not visible in
//! `information_schema`: for that user it does not exist, and it is absent
//! from `tables` (the server will not tell us more).
//!
//! # Privileges
//!
//! SELECT/INSERT/UPDATE/DELETE on a table are granted by a global grant, a
//! database grant (whose database name is a `LIKE` pattern, `\_` escaping a
//! literal underscore, as the server reads it) or a table grant to
//! `CURRENT_USER()`; CREATE on the database by a global or database grant.
//! Not considered: privileges that come through roles (MySQL 8 roles,
//! MariaDB roles and MariaDB 10.11's `PUBLIC`: `information_schema` does not
//! show a role's grants to the users holding it), column-level grants, and
//! MySQL 8's partial revokes. A store whose access comes from a role is
//! therefore reported without the privilege.

mod catalogue;
mod connect;
mod failure;
mod privileges;
#[cfg(test)]
mod tests;

use std::future::Future;
use std::time::{Duration, Instant};

use sqlx::mysql::MySqlConnection;
use sqlx::{AssertSqlSafe, ConnectOptions, Connection};

use super::catalog::{Catalog, InspectError, Probe};
use catalogue::{assemble, catalogue_query, text, Bind, Wanted};
use connect::{is_mariadb, options, product};
use failure::{classify, timed_out, Secrets};

pub use connect::{parse_version, session_setup};

/// At most this many names in [`Catalog::other_tables`].
pub const OTHER_TABLES_LIMIT: usize = 1000;

/// Inspects the MySQL or MariaDB database of `probe.url` (the URL's
/// database is the one unqualified table names are looked up in).
pub async fn inspect(probe: &Probe) -> Result<Catalog, InspectError> {
    let secrets = Secrets::of_url(&probe.url);
    let options = options(&probe.url, &secrets)?;
    let target = match (options.get_socket(), options.get_host()) {
        (Some(socket), _) => socket.display().to_string(),
        (None, host) if host.contains(':') => format!("[{host}]:{}", options.get_port()),
        (None, host) => format!("{host}:{}", options.get_port()),
    };
    let mut conn = match tokio::time::timeout(probe.timeout, options.connect()).await {
        Err(_) => {
            return Err(timed_out(
                &format!("no answer from {target}"),
                "connecting",
                probe.timeout,
                &secrets,
            ))
        }
        Ok(Err(e)) => return Err(classify(&e, &target, &secrets)),
        Ok(Ok(conn)) => conn,
    };
    match run(&mut conn, probe, &secrets).await {
        Ok(catalog) => {
            // A polite COM_QUIT; if the server no longer answers, dropping
            // the connection closes the socket anyway.
            let _ = tokio::time::timeout(probe.timeout, conn.close()).await;
            Ok(catalog)
        }
        // The connection may be mid-statement: drop it (the server rolls
        // back the read-only transaction when the socket closes).
        Err(e) => Err(e),
    }
}

/// Everything after the handshake.
async fn run(
    conn: &mut MySqlConnection,
    probe: &Probe,
    secrets: &Secrets,
) -> Result<Catalog, InspectError> {
    let limit = probe.timeout;

    let rows = step(
        limit,
        secrets,
        "asking the server version",
        sqlx::raw_sql("SELECT VERSION()").fetch_all(&mut *conn),
    )
    .await?;
    let version = rows
        .first()
        .and_then(|row| text(row, 0))
        .unwrap_or_default();
    step(
        limit,
        secrets,
        "starting a read-only transaction",
        sqlx::raw_sql(AssertSqlSafe(session_setup(is_mariadb(&version), limit)))
            .execute(&mut *conn),
    )
    .await?;

    let wanted = Wanted::new(&probe.tables);
    let (sql, binds) = catalogue_query(&wanted);
    let mut query = sqlx::query(AssertSqlSafe(sql)).persistent(false);
    for bind in binds {
        query = match bind {
            Bind::Text(text) => query.bind(text),
            Bind::Int(n) => query.bind(n),
        };
    }
    let rows = step(
        limit,
        secrets,
        "reading the catalogue",
        query.fetch_all(&mut *conn),
    )
    .await?;

    step(
        limit,
        secrets,
        "rolling back",
        sqlx::raw_sql("ROLLBACK").execute(&mut *conn),
    )
    .await?;

    let mut pings = Vec::with_capacity(probe.pings);
    for _ in 0..probe.pings {
        let start = Instant::now();
        step(
            limit,
            secrets,
            "pinging",
            sqlx::raw_sql("SELECT 1").execute(&mut *conn),
        )
        .await?;
        pings.push(start.elapsed());
    }

    let mut catalog = assemble(&wanted, &rows, is_mariadb(&version));
    if catalog.server.version.is_empty() {
        catalog.server.product = product(&version).to_owned();
        catalog.server.version_number = parse_version(&version);
        catalog.server.version = version;
    }
    catalog.pings = pings;
    Ok(catalog)
}

/// Runs one statement bounded by `limit`, classifying its failure.
async fn step<T>(
    limit: Duration,
    secrets: &Secrets,
    what: &str,
    future: impl Future<Output = Result<T, sqlx::Error>>,
) -> Result<T, InspectError> {
    match tokio::time::timeout(limit, future).await {
        Err(_) => Err(timed_out("no answer", what, limit, secrets)),
        Ok(Err(e)) => {
            let mut error = classify(&e, "", secrets);
            error.detail = secrets.clean(&format!("while {what}: {}", error.detail));
            Err(error)
        }
        Ok(Ok(value)) => Ok(value),
    }
}
