//! PostgreSQL engine of the pre-flight: one connection, one batched
//! catalogue query, a few pings.
//!
//! # Read-only by construction
//!
//! The session is opened with `default_transaction_read_only=on` and a
//! `statement_timeout` of the probe's timeout (startup options, appended
//! after any `options` the URL carries so that ours win), and the catalogue
//! query additionally runs inside `BEGIN READ ONLY` … `ROLLBACK`. Only
//! `pg_catalog` is read and `current_setting`/`has_*_privilege` called:
//! nothing is ever created, not even a temporary table.
//!
//! # Cost
//!
//! Whatever the number of tables, one connection, one `BEGIN READ ONLY`,
//! one catalogue query (the table names go as one `text[]` parameter; the
//! answer comes back as one JSON document built by the server), one
//! `ROLLBACK`, then `probe.pings` × `SELECT 1` (simple protocol, one round
//! trip each). The catalogue query is an extended-protocol statement, so it
//! costs the driver's Parse/Describe round trip plus the Bind/Execute one:
//! after connecting, 4 round trips, constant in the number of tables. The
//! server's work does grow with the tables (about 0.5 ms for 2 tables and
//! 5 ms for 200 tables of 8 columns, warm; see `benches/preflight.rs`).
//!
//! # Table names
//!
//! A blueprint's table names are taken literally, as a quoted identifier
//! would be: `Orders` matches a table created as `"Orders"`, not one
//! created as `CREATE TABLE Orders` (which PostgreSQL folds to `orders`).
//! Unqualified names are looked up in `current_schema()` (the first
//! existing schema on the `search_path`); a name with a dot,
//! `schema.table`, is looked up in that schema (split at the first dot).
//! Tables, partitioned tables, views, materialised views and foreign tables
//! all count. Tables that are not found are absent from
//! [`Catalog::tables`]; [`Catalog::other_tables`] lists up to
//! [`OTHER_TABLES_LIMIT`] other relations, those whose name equals a
//! requested one case-insensitively first, then the current schema's, for
//! "did you mean" and "it is in schema X" hints.
//!
//! # Columns
//!
//! [`Column::data_type`] follows `information_schema.columns.data_type`,
//! lower-case, without length or precision: `integer`, `character
//! varying`, `timestamp with time zone`; a domain reports its base type, an
//! array `array` and a type outside `pg_catalog` (enum, composite,
//! extension type) `user-defined`. [`Column::column_type`] then gives the
//! full type as `format_type` spells it (`character varying(40)`,
//! `integer[]`, `mood`) whenever that says more. `has_default` is true for
//! a default (including `serial`'s `nextval`), an identity and a generated
//! column. Privileges are table-level (`has_table_privilege`, which counts
//! grants to PUBLIC and inherited roles, and superuser); column-level grants
//! are not considered.
//!
//! [`Column::data_type`]: super::catalog::Column::data_type
//! [`Column::column_type`]: super::catalog::Column::column_type

mod catalogue;
mod connect;
mod failure;
#[cfg(test)]
mod tests;

use std::time::Instant;

use sqlx::postgres::PgSslMode;
use sqlx::{ConnectOptions, Connection};

use super::catalog::{Catalog, Failure, InspectError, Probe};
use catalogue::{catalogue_sql, parse_catalogue, read_catalogue};
use failure::{classify, human, Secrets, Target};

pub use connect::connect_options;

/// At most this many entries in [`Catalog::other_tables`].
pub const OTHER_TABLES_LIMIT: u32 = 1000;

/// What PostgreSQL sessions of the pre-flight call themselves
/// (`application_name`), unless the URL names one.
pub const APPLICATION_NAME: &str = "blueprint-preflight";

/// Inspects the PostgreSQL database `probe.url` names: connects (within
/// `probe.timeout`), reads the catalogue for `probe.tables` in one query
/// inside a read-only transaction that is rolled back, then times
/// `probe.pings` `SELECT 1` round trips. See the module documentation.
pub async fn inspect(probe: &Probe) -> Result<Catalog, InspectError> {
    let secrets = Secrets::of(&probe.url);
    let options = connect_options(&probe.url, probe.timeout)?;
    let target = Target::of(&options);
    // Whether connecting negotiates TLS when the server offers it.
    let tls = !matches!(
        options.get_ssl_mode(),
        PgSslMode::Disable | PgSslMode::Allow
    );

    let mut conn = match tokio::time::timeout(probe.timeout, options.connect()).await {
        Err(_elapsed) => {
            return Err(secrets.error(
                Failure::TimedOut,
                format!(
                    "no answer from {target} within {} while connecting",
                    human(probe.timeout)
                ),
            ))
        }
        Ok(Err(err)) => return Err(classify(&err, &target, &secrets, tls)),
        Ok(Ok(conn)) => conn,
    };

    let sql = catalogue_sql(conn.server_version_num().unwrap_or(0));
    let json =
        match tokio::time::timeout(probe.timeout, read_catalogue(&mut conn, sql, &probe.tables))
            .await
        {
            Err(_elapsed) => {
                return Err(secrets.error(
                    Failure::TimedOut,
                    format!(
                        "{target} did not answer the catalogue query within {}",
                        human(probe.timeout)
                    ),
                ))
            }
            Ok(Err(err)) => return Err(classify(&err, &target, &secrets, false)),
            Ok(Ok(json)) => json,
        };
    let mut catalog = parse_catalogue(&json).map_err(|e| {
        secrets.error(
            Failure::Other,
            format!("unexpected catalogue answer from {target}: {e}"),
        )
    })?;

    for _ in 0..probe.pings {
        let start = Instant::now();
        match tokio::time::timeout(probe.timeout, sqlx::raw_sql("SELECT 1").execute(&mut conn))
            .await
        {
            Err(_elapsed) => {
                return Err(secrets.error(
                    Failure::TimedOut,
                    format!(
                        "{target} did not answer SELECT 1 within {}",
                        human(probe.timeout)
                    ),
                ))
            }
            Ok(Err(err)) => return Err(classify(&err, &target, &secrets, false)),
            Ok(Ok(_)) => catalog.pings.push(start.elapsed()),
        }
    }

    // A polite Terminate; whatever happens, the socket is closed on drop.
    let _ = tokio::time::timeout(probe.timeout, conn.close()).await;
    Ok(catalog)
}
