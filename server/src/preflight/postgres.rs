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

use std::collections::BTreeMap;
use std::fmt::Display;
use std::str::FromStr;
use std::time::{Duration, Instant};

use blueprint_grammars::interpolate::mask_secrets_of;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgSslMode};
use sqlx::{ConnectOptions, Connection};

use super::catalog::{
    Catalog, Column, Failure, InspectError, Privileges, Probe, QualifiedName, ServerInfo, Table,
};

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

/// The options [`inspect`] connects with: `url` (unknown query parameters
/// dropped, see below) plus `default_transaction_read_only=on`,
/// `statement_timeout=<timeout in ms>` and an `application_name` of
/// [`APPLICATION_NAME`] unless the URL sets one. Public so that tests can
/// show that a session opened with them refuses to write.
///
/// Query parameters sqlx does not know are dropped before sqlx sees them:
/// it would ignore them anyway, but log their values (`?passwd=…`).
pub fn connect_options(url: &str, timeout: Duration) -> Result<PgConnectOptions, InspectError> {
    let secrets = Secrets::of(url);
    let lower = url.get(..13).unwrap_or(url).to_ascii_lowercase();
    if !(lower.starts_with("postgres://") || lower.starts_with("postgresql://")) {
        return Err(secrets.error(
            Failure::InvalidUrl,
            "not a PostgreSQL URL (expected postgres:// or postgresql://)",
        ));
    }
    let url = known_parameters_only(url);
    let options = PgConnectOptions::from_str(&url)
        .map_err(|err| secrets.error(Failure::InvalidUrl, url_problem(&err)))?;
    let options = if options.get_application_name().is_none() {
        options.application_name(APPLICATION_NAME)
    } else {
        options
    };
    let statement_timeout = timeout.as_millis().clamp(1, i32::MAX as u128);
    Ok(options.options([
        ("default_transaction_read_only", "on".to_owned()),
        ("statement_timeout", statement_timeout.to_string()),
    ]))
}

async fn read_catalogue(
    conn: &mut PgConnection,
    sql: String,
    tables: &[String],
) -> Result<String, sqlx::Error> {
    let mut tx = conn.begin_with("BEGIN READ ONLY").await?;
    let json: String = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(tables.to_vec())
        .fetch_one(&mut *tx)
        .await?;
    tx.rollback().await?;
    Ok(json)
}

/// The catalogue query for a server of `server_version_num` `version`
/// (0 if unknown: assume a current one). Columns that older servers lack
/// (`attidentity` before 10, `attgenerated` before 12) are replaced by
/// constants there, so that an old server still reports its version and
/// the comparison can say it is unsupported rather than fail here.
fn catalogue_sql(version: u32) -> String {
    let modern = version == 0 || version >= 120000;
    let identity = if modern || version >= 100000 {
        "a.attidentity <> ''"
    } else {
        "false"
    };
    let generated = if modern {
        "a.attgenerated <> ''"
    } else {
        "false"
    };
    CATALOGUE_SQL
        .replace("{identity}", identity)
        .replace("{generated}", generated)
        .replace("{limit}", &OTHER_TABLES_LIMIT.to_string())
}

/// `$1` is the `text[]` of requested names. One JSON document comes back:
///
/// ```text
/// { "schema", "server_version", "server_version_num", "max_connections",
///   "can_create",
///   "tables":  [[requested name, oid, select, insert, update, delete], ...],
///   "columns": [[table oid, attnum, name, data_type, full type or null,
///                nullable, has_default, primary_key], ...],
///   "other_tables": [[schema, name], ...] }
/// ```
///
/// Positional arrays rather than objects, and the columns of all tables in
/// one flat array rather than nested per table, because building ~1,600
/// JSON objects was half the query's time for 200 tables (measured: 10.6 ms
/// nested objects, 6.3 ms this shape, on the benchmark's database). The
/// full type (`format_type` with the type modifier) is only computed where
/// it can differ from `data_type`.
const CATALOGUE_SQL: &str = r#"
WITH req AS (
    SELECT DISTINCT r.req,
           CASE WHEN strpos(r.req, '.') > 0 THEN split_part(r.req, '.', 1)
                ELSE current_schema() END AS nsp,
           CASE WHEN strpos(r.req, '.') > 0 THEN substr(r.req, strpos(r.req, '.') + 1)
                ELSE r.req END AS rel
    FROM unnest($1::text[]) AS r(req)
),
found AS (
    SELECT req.req, c.oid
    FROM req
    JOIN pg_catalog.pg_namespace n ON n.nspname = req.nsp
    JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = req.rel
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
),
cols AS (
    SELECT a.attrelid, a.attnum, a.attname,
           lower(CASE
               WHEN t.typtype = 'd' THEN
                   CASE WHEN bt.typelem <> 0 AND bt.typlen = -1 THEN 'ARRAY'
                        WHEN bt.typnamespace = 'pg_catalog'::regnamespace
                            THEN format_type(t.typbasetype, NULL)
                        ELSE 'USER-DEFINED' END
               WHEN t.typelem <> 0 AND t.typlen = -1 THEN 'ARRAY'
               WHEN t.typnamespace = 'pg_catalog'::regnamespace
                   THEN format_type(a.atttypid, NULL)
               ELSE 'USER-DEFINED' END) AS data_type,
           CASE WHEN a.atttypmod = -1 AND t.typtype <> 'd'
                     AND NOT (t.typelem <> 0 AND t.typlen = -1)
                     AND t.typnamespace = 'pg_catalog'::regnamespace THEN NULL
                ELSE lower(format_type(a.atttypid, a.atttypmod)) END AS full_type,
           NOT a.attnotnull AS nullable,
           a.atthasdef OR {identity} OR {generated} AS has_default,
           coalesce(a.attnum = ANY (pk.indkey), false) AS primary_key
    FROM (SELECT DISTINCT oid FROM found) f
    JOIN pg_catalog.pg_attribute a
      ON a.attrelid = f.oid AND a.attnum > 0 AND NOT a.attisdropped
    JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
    LEFT JOIN pg_catalog.pg_type bt ON t.typtype = 'd' AND bt.oid = t.typbasetype
    LEFT JOIN pg_catalog.pg_index pk ON pk.indrelid = f.oid AND pk.indisprimary
),
other AS (
    SELECT n.nspname, c.relname
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg\_toast%'
      AND n.nspname NOT LIKE 'pg\_temp\_%'
      AND NOT EXISTS (SELECT 1 FROM found f WHERE f.oid = c.oid)
    ORDER BY lower(c.relname) IN (SELECT lower(req.rel) FROM req) DESC,
             n.nspname IS NOT DISTINCT FROM current_schema() DESC,
             n.nspname, c.relname
    LIMIT {limit}
)
SELECT json_build_object(
    'schema', current_schema(),
    'server_version', current_setting('server_version'),
    'server_version_num', current_setting('server_version_num'),
    'max_connections', current_setting('max_connections'),
    'can_create', coalesce(has_schema_privilege(current_schema(), 'CREATE'), false),
    'tables', coalesce((
        SELECT json_agg(json_build_array(
            f.req, f.oid::int8,
            has_table_privilege(f.oid, 'SELECT'), has_table_privilege(f.oid, 'INSERT'),
            has_table_privilege(f.oid, 'UPDATE'), has_table_privilege(f.oid, 'DELETE')))
        FROM found f
    ), '[]'::json),
    'columns', coalesce((
        SELECT json_agg(json_build_array(
            c.attrelid::int8, c.attnum, c.attname, c.data_type, c.full_type,
            c.nullable, c.has_default, c.primary_key))
        FROM cols c
    ), '[]'::json),
    'other_tables', coalesce((
        SELECT json_agg(json_build_array(o.nspname, o.relname)) FROM other o
    ), '[]'::json)
)::text
"#;

#[derive(serde::Deserialize)]
struct RawCatalogue {
    schema: Option<String>,
    server_version: String,
    server_version_num: String,
    max_connections: String,
    can_create: bool,
    /// Requested name, oid, select, insert, update, delete.
    tables: Vec<(String, u32, bool, bool, bool, bool)>,
    columns: Vec<RawColumn>,
    /// Schema, name.
    other_tables: Vec<(String, String)>,
}

/// Table oid, attnum, name, data_type, full type (when it may differ),
/// nullable, has_default, primary_key.
type RawColumn = (u32, i16, String, String, Option<String>, bool, bool, bool);

fn parse_catalogue(json: &str) -> Result<Catalog, serde_json::Error> {
    let raw: RawCatalogue = serde_json::from_str(json)?;
    let mut columns: BTreeMap<(u32, i16), Column> = BTreeMap::new();
    for (oid, attnum, name, data_type, full_type, nullable, has_default, primary_key) in raw.columns
    {
        let column = Column {
            column_type: full_type.filter(|full| *full != data_type),
            name,
            data_type,
            nullable,
            has_default,
            primary_key,
        };
        columns.insert((oid, attnum), column);
    }
    let mut tables = BTreeMap::new();
    for (name, oid, select, insert, update, delete) in raw.tables {
        let table = Table {
            name: name.clone(),
            columns: columns
                .range((oid, i16::MIN)..=(oid, i16::MAX))
                .map(|(_, c)| c.clone())
                .collect(),
            privileges: Privileges {
                select,
                insert,
                update,
                delete,
            },
        };
        tables.insert(name, table);
    }
    Ok(Catalog {
        server: ServerInfo {
            product: "PostgreSQL".to_owned(),
            version_number: version_number(&raw.server_version_num, &raw.server_version),
            version: raw.server_version,
            max_connections: raw.max_connections.trim().parse().ok(),
        },
        schema: raw.schema.unwrap_or_default(),
        tables,
        other_tables: raw
            .other_tables
            .into_iter()
            .map(|(schema, name)| QualifiedName { schema, name })
            .collect(),
        can_create: raw.can_create,
        pings: Vec::new(),
    })
}

/// (major, minor, patch) from `server_version_num` (`150020` is 15.20,
/// `90624` is 9.6.24), else from the leading digits of `server_version`.
fn version_number(num: &str, text: &str) -> (u32, u32, u32) {
    if let Ok(n) = num.trim().parse::<u32>() {
        if n >= 100_000 {
            return (n / 10_000, n % 10_000, 0);
        }
        if n > 0 {
            return (n / 10_000, n / 100 % 100, n % 100);
        }
    }
    let mut parts = text
        .split(|c: char| !c.is_ascii_digit() && c != '.')
        .next()
        .unwrap_or("")
        .split('.')
        .map(|p| p.parse::<u32>().unwrap_or(0));
    (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    )
}

/// The query parameters sqlx-postgres 0.9 understands.
const KNOWN_PARAMETERS: &[&str] = &[
    "sslmode",
    "ssl-mode",
    "sslrootcert",
    "ssl-root-cert",
    "ssl-ca",
    "sslcert",
    "ssl-cert",
    "sslkey",
    "ssl-key",
    "statement-cache-capacity",
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "password",
    "application_name",
    "options",
];

fn known_parameters_only(url: &str) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let (query, fragment) = match query.split_once('#') {
        Some((q, f)) => (q, Some(f)),
        None => (query, None),
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| {
            let key = percent_decode(pair.split('=').next().unwrap_or("")).replace('+', " ");
            KNOWN_PARAMETERS.contains(&key.as_str())
                || (key.starts_with("options[") && key.ends_with(']'))
        })
        .collect();
    let mut out = base.to_owned();
    if !kept.is_empty() {
        out.push('?');
        out.push_str(&kept.join("&"));
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit()
        {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The URL whose secrets must not appear in a detail: masked as
/// `mask_secrets_of` does (the password of the URL's authority and of
/// `password=`, as written and percent-decoded, wherever they occur).
struct Secrets<'u>(&'u str);

impl<'u> Secrets<'u> {
    fn of(url: &'u str) -> Self {
        Secrets(url)
    }

    /// `text` on one line, with every secret masked.
    fn clean(&self, text: &str) -> String {
        mask_secrets_of(text, self.0)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn error(&self, failure: Failure, detail: impl AsRef<str>) -> InspectError {
        InspectError {
            failure,
            detail: self.clean(detail.as_ref()),
        }
    }
}

/// Where we connect, for messages: `host:port` or the socket path.
struct Target(String);

impl Target {
    fn of(options: &PgConnectOptions) -> Self {
        Target(match options.get_socket() {
            Some(socket) => format!("socket {}", socket.display()),
            None if options.get_host().starts_with('/') => {
                format!("socket {}", options.get_host())
            }
            None => format!("{}:{}", options.get_host(), options.get_port()),
        })
    }

    /// The host name alone (for "does not resolve").
    fn host(&self) -> &str {
        self.0.rsplit_once(':').map_or(&self.0, |(h, _)| h)
    }
}

impl Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn human(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

/// "invalid PostgreSQL URL: <what sqlx says>", without sqlx's repeated
/// "error with configuration: " prefixes.
fn url_problem(err: &sqlx::Error) -> String {
    let mut message = err.to_string();
    while let Some(rest) = message.strip_prefix("error with configuration: ") {
        message = rest.to_owned();
    }
    format!("invalid PostgreSQL URL: {message}")
}

/// Sorts a driver error into a [`Failure`] with a one-line, secret-free
/// detail. `tls_handshake`: the error happened while connecting with TLS
/// negotiated (sqlx's rustls reports a failed handshake — untrusted
/// certificate, wrong name, fatal alert — as an I/O error of kind
/// `InvalidData` on the first write or read, not as `Error::Tls`).
fn classify(
    err: &sqlx::Error,
    target: &Target,
    secrets: &Secrets,
    tls_handshake: bool,
) -> InspectError {
    use std::io::ErrorKind;
    let (failure, detail) = match err {
        sqlx::Error::Configuration(_) => (Failure::InvalidUrl, url_problem(err)),
        sqlx::Error::Io(e) => {
            let message = e.to_string();
            match e.kind() {
                ErrorKind::ConnectionRefused => (
                    Failure::Refused,
                    format!("connection refused by {target} (is PostgreSQL running and listening there?)"),
                ),
                ErrorKind::NotFound if target.0.starts_with("socket ") => (
                    Failure::Refused,
                    format!("no server at {target} ({message})"),
                ),
                ErrorKind::InvalidData if tls_handshake => (
                    Failure::TlsFailed,
                    if message.contains("certificate") {
                        format!(
                            "TLS handshake with {target} failed: {message} (give the CA with \
                             sslrootcert=..., or use sslmode=require to encrypt without verifying)"
                        )
                    } else {
                        format!("TLS handshake with {target} failed: {message}")
                    },
                ),
                ErrorKind::TimedOut => (
                    Failure::TimedOut,
                    format!("connecting to {target} timed out ({message})"),
                ),
                _ if is_resolution_failure(&message) => (
                    Failure::NameNotResolved,
                    format!("the host name {} does not resolve ({message})", target.host()),
                ),
                _ => (
                    Failure::Other,
                    format!("error communicating with {target}: {message}"),
                ),
            }
        }
        sqlx::Error::Tls(e) => {
            let message = e.to_string();
            if message.contains("does not support TLS") {
                (
                    Failure::TlsFailed,
                    format!("the URL requires TLS (sslmode) but {target} does not support it"),
                )
            } else {
                (
                    Failure::TlsFailed,
                    format!("TLS handshake with {target} failed: {message}"),
                )
            }
        }
        sqlx::Error::Database(db) => {
            let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
            let message = db.message();
            let failure = classify_sqlstate(&code, message);
            (failure, format!("{message} (SQLSTATE {code})"))
        }
        other => (Failure::Other, other.to_string()),
    };
    secrets.error(failure, detail)
}

/// `getaddrinfo` failures as std/tokio report them ("failed to lookup
/// address information: Name or service not known", "… Temporary failure
/// in name resolution", "… No address associated with hostname").
fn is_resolution_failure(message: &str) -> bool {
    message.contains("failed to lookup address")
        || message.contains("Name or service not known")
        || message.contains("name resolution")
        || message.contains("No address associated with hostname")
        || message.contains("nodename nor servname")
}

fn classify_sqlstate(code: &str, message: &str) -> Failure {
    match code {
        // invalid_password
        "28P01" => Failure::AuthenticationFailed,
        // invalid_authorization_specification: a pg_hba.conf `hostssl`-only
        // rule refusing a plain connection says so ("no pg_hba.conf entry
        // for host …, no encryption" since 14, "SSL off" before); anything
        // else (unknown role, `reject` rule, failed peer/cert auth) is an
        // authentication failure.
        "28000"
            if message.contains("no pg_hba.conf entry")
                && (message.contains("no encryption") || message.contains("SSL off")) =>
        {
            Failure::TlsRequired
        }
        "28000" => Failure::AuthenticationFailed,
        // invalid_catalog_name
        "3D000" => Failure::DatabaseMissing,
        // query_canceled: our statement_timeout
        "57014" => Failure::TimedOut,
        _ => Failure::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_numbers() {
        assert_eq!(version_number("150020", "15.20 (Debian)"), (15, 20, 0));
        assert_eq!(version_number("90624", "9.6.24"), (9, 6, 24));
        assert_eq!(version_number("", "16.4 (Ubuntu 16.4-1)"), (16, 4, 0));
        assert_eq!(version_number("x", "17beta1"), (17, 0, 0));
    }

    #[test]
    fn sqlstates() {
        assert_eq!(
            classify_sqlstate("28000", "role \"nobody\" does not exist"),
            Failure::AuthenticationFailed
        );
        assert_eq!(
            classify_sqlstate(
                "28000",
                "no pg_hba.conf entry for host \"10.0.0.1\", user \"u\", database \"d\", no encryption"
            ),
            Failure::TlsRequired
        );
        assert_eq!(
            classify_sqlstate(
                "28000",
                "no pg_hba.conf entry for host \"10.0.0.1\", user \"u\", database \"d\", SSL off"
            ),
            Failure::TlsRequired
        );
        assert_eq!(
            classify_sqlstate("28P01", "password authentication failed for user \"u\""),
            Failure::AuthenticationFailed
        );
        assert_eq!(
            classify_sqlstate("3D000", "database \"x\" does not exist"),
            Failure::DatabaseMissing
        );
        assert_eq!(
            classify_sqlstate("53300", "too many clients"),
            Failure::Other
        );
    }

    #[test]
    fn unknown_parameters_are_dropped_before_sqlx_logs_them() {
        assert_eq!(
            known_parameters_only(
                "postgres://h/d?sslmode=require&passwd=x&connect_timeout=3&options[geqo]=off"
            ),
            "postgres://h/d?sslmode=require&options[geqo]=off"
        );
        assert_eq!(
            known_parameters_only("postgres://h/d?pwd=x"),
            "postgres://h/d"
        );
        assert_eq!(known_parameters_only("postgres://h/d"), "postgres://h/d");
    }

    #[test]
    fn secrets_are_scrubbed_raw_and_decoded() {
        let s = Secrets::of("postgres://u:p%40ss%2Fw0rd@h/d?password=other-one");
        let d = s.clean("a p@ss/w0rd b p%40ss%2Fw0rd c other-one\nnext line");
        assert_eq!(d, "a *** b *** c *** next line");
        assert_eq!(percent_decode("%zz%4%+1%41"), "%zz%4%+1A");
    }

    #[test]
    fn non_postgres_urls_are_invalid() {
        let err = connect_options("mysql://u:secretpw@h/d", Duration::from_secs(1)).unwrap_err();
        assert_eq!(err.failure, Failure::InvalidUrl);
        assert!(!err.detail.contains("secretpw"));
    }

    #[test]
    fn catalogue_sql_adapts_to_old_servers() {
        assert!(catalogue_sql(150020).contains("a.attgenerated <> ''"));
        assert!(!catalogue_sql(110000).contains("attgenerated"));
        assert!(catalogue_sql(110000).contains("attidentity"));
        assert!(!catalogue_sql(90624).contains("attidentity"));
        assert!(!catalogue_sql(0).contains('{'));
    }
}
