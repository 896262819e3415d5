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

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::io;
use std::str::FromStr;
use std::time::{Duration, Instant};

use blueprint_grammars::interpolate::mask_secrets;
use sqlx::mysql::{MySqlConnectOptions, MySqlConnection, MySqlDatabaseError, MySqlRow};
use sqlx::{AssertSqlSafe, ConnectOptions, Connection, Row};

use super::catalog::{
    Catalog, Column, Failure, InspectError, Privileges, Probe, QualifiedName, Table,
};

/// At most this many names in [`Catalog::other_tables`].
pub const OTHER_TABLES_LIMIT: usize = 1000;

/// Databases never offered as "did you mean" hints.
const SYSTEM_SCHEMAS: &str = "'mysql', 'information_schema', 'performance_schema', 'sys'";

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

/// Parses the URL into driver options, with the driver's post-connect
/// `SET` switched off (see the module documentation).
fn options(url: &str, secrets: &Secrets) -> Result<MySqlConnectOptions, InspectError> {
    let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
    if !matches!(scheme.as_deref(), Some("mysql" | "mariadb")) {
        return Err(InspectError {
            failure: Failure::InvalidUrl,
            detail: "not a mysql:// or mariadb:// URL".to_owned(),
        });
    }
    let options = MySqlConnectOptions::from_str(url).map_err(|e| classify(&e, "", secrets))?;
    // `[::1]`: the URL keeps the brackets, the resolver wants them off.
    let host = options.get_host().to_owned();
    let options = if host.starts_with('[') && host.ends_with(']') {
        options.host(&host[1..host.len() - 1])
    } else {
        options
    };
    Ok(options
        .pipes_as_concat(false)
        .no_engine_substitution(false)
        .timezone(None)
        .set_names(false))
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

/// The statements that make the session read-only, give it a time limit
/// per statement and open the read-only transaction the catalogue query
/// runs in (one text-protocol batch). Public so that tests can show that a
/// session configured this way refuses writes.
pub fn session_setup(mariadb: bool, limit: Duration) -> String {
    // Numbers only: nothing from the URL or the blueprint goes into SQL text.
    let time_limit = if mariadb {
        // MariaDB: seconds, fractional; 0 would mean no limit.
        format!(
            "SET SESSION max_statement_time = {:.3}",
            limit.as_secs_f64().max(0.001)
        )
    } else {
        // MySQL: milliseconds, SELECT statements only; 0 means no limit.
        format!(
            "SET SESSION max_execution_time = {}",
            limit.as_millis().clamp(1, u128::from(u32::MAX))
        )
    };
    format!(
        "SET SESSION TRANSACTION READ ONLY; SET NAMES utf8mb4; {time_limit}; \
         START TRANSACTION READ ONLY"
    )
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

/// "no answer from 10.0.0.1:3306 within 3000 ms while connecting".
fn timed_out(what: &str, doing: &str, limit: Duration, secrets: &Secrets) -> InspectError {
    InspectError {
        failure: Failure::TimedOut,
        detail: secrets.clean(&format!(
            "{what} within {} ms while {doing}",
            limit.as_millis()
        )),
    }
}

// ---------------------------------------------------------------------------
// The tables asked for

/// The probe's table names, deduplicated, grouped by where they are
/// looked up: `DATABASE()` for unqualified names, the named database for
/// `db.table`.
struct Wanted {
    /// (name as asked, database if qualified, table name)
    requests: Vec<(String, Option<String>, String)>,
    /// (database, or `None` for `DATABASE()`; table names), the unqualified
    /// group first.
    groups: Vec<(Option<String>, Vec<String>)>,
}

impl Wanted {
    fn new(tables: &[String]) -> Self {
        let mut seen = BTreeSet::new();
        let mut requests = Vec::new();
        let mut unqualified = Vec::new();
        let mut qualified: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for asked in tables {
            if !seen.insert(asked.as_str()) {
                continue;
            }
            match asked.split_once('.') {
                Some((schema, name)) => {
                    let (schema, name) = (unquote(schema), unquote(name));
                    qualified
                        .entry(schema.clone())
                        .or_default()
                        .push(name.clone());
                    requests.push((asked.clone(), Some(schema), name));
                }
                None => {
                    let name = unquote(asked);
                    unqualified.push(name.clone());
                    requests.push((asked.clone(), None, name));
                }
            }
        }
        let mut groups = Vec::new();
        if !unqualified.is_empty() {
            groups.push((None, unqualified));
        }
        groups.extend(qualified.into_iter().map(|(s, names)| (Some(s), names)));
        Wanted { requests, groups }
    }
}

fn unquote(part: &str) -> String {
    let part = part.trim();
    part.strip_prefix('`')
        .and_then(|p| p.strip_suffix('`'))
        .unwrap_or(part)
        .to_owned()
}

// ---------------------------------------------------------------------------
// The catalogue query

/// `'user'@'host'`, as `information_schema` spells the grantee, from
/// `CURRENT_USER()` (`user@host`; the host never contains `@`, the user
/// may).
const GRANTEE: &str = "CONCAT('''', \
     SUBSTRING(CURRENT_USER(), 1, CHAR_LENGTH(CURRENT_USER()) \
       - CHAR_LENGTH(SUBSTRING_INDEX(CURRENT_USER(), '@', -1)) - 1), \
     '''@''', SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''')";

/// A value bound to the catalogue query.
#[derive(Debug, PartialEq)]
enum Bind {
    Text(String),
    Int(i64),
}

/// How many columns every part of the catalogue query's `UNION ALL` has.
const CELLS: usize = 10;

/// One `SELECT` list of the union: each expression as utf8mb4 text (so that
/// the union never mixes collations), padded with NULLs to [`CELLS`].
fn cells(kind: &str, expressions: &[&str]) -> String {
    let mut out = vec![format!("CONVERT('{kind}' USING utf8mb4)")];
    out.extend(
        expressions
            .iter()
            .map(|e| format!("CONVERT({e} USING utf8mb4)")),
    );
    while out.len() < CELLS {
        out.push("CONVERT(NULL USING utf8mb4)".to_owned());
    }
    out.join(", ")
}

/// The catalogue query (see the module documentation) and its parameters
/// in order. The SQL text depends only on how many names there are and how
/// they group by database; every name goes as a bound parameter. Each group
/// is its own `SELECT` with a constant database, so that MariaDB scans one
/// database directory per group rather than all of them.
fn catalogue_query(wanted: &Wanted) -> (String, Vec<Bind>) {
    let mut parts = Vec::new();
    let mut binds = Vec::new();
    parts.push(format!(
        "SELECT {}",
        cells(
            "server",
            &[
                "VERSION()",
                "CAST(@@max_connections AS CHAR)",
                "DATABASE()",
                "CAST(@@lower_case_table_names AS CHAR)",
                "CURRENT_USER()",
            ]
        )
    ));
    let mut per_group = |select: String, from_where: String, alias: &str| {
        for (schema, names) in &wanted.groups {
            let schema = match schema {
                None => "DATABASE()",
                Some(schema) => {
                    binds.push(Bind::Text(schema.clone()));
                    "?"
                }
            };
            binds.extend(names.iter().cloned().map(Bind::Text));
            let marks = vec!["?"; names.len()].join(", ");
            parts.push(format!(
                "SELECT {select} FROM {from_where} \
                 AND {alias}.table_schema = {schema} AND {alias}.table_name IN ({marks})"
            ));
        }
    };
    per_group(
        cells(
            "column",
            &[
                "c.table_schema",
                "c.table_name",
                "c.column_name",
                "CAST(c.ordinal_position AS CHAR)",
                "c.data_type",
                "c.column_type",
                "c.is_nullable",
                "c.column_default",
                "c.extra",
            ],
        ),
        "information_schema.columns c WHERE TRUE".to_owned(),
        "c",
    );
    per_group(
        cells("pk", &["s.table_schema", "s.table_name", "s.column_name"]),
        "information_schema.statistics s WHERE s.index_name = 'PRIMARY'".to_owned(),
        "s",
    );
    per_group(
        cells(
            "table",
            &["tp.table_schema", "tp.table_name", "tp.privilege_type"],
        ),
        format!(
            "information_schema.table_privileges tp WHERE tp.grantee = {GRANTEE} \
             AND tp.privilege_type IN ('SELECT', 'INSERT', 'UPDATE', 'DELETE')"
        ),
        "tp",
    );
    parts.push(format!(
        "SELECT {} FROM information_schema.user_privileges g \
         WHERE g.grantee = {GRANTEE} \
         AND g.privilege_type IN ('SELECT', 'INSERT', 'UPDATE', 'DELETE', 'CREATE')",
        cells("global", &["g.privilege_type"])
    ));
    parts.push(format!(
        "SELECT {} FROM information_schema.schema_privileges sp \
         WHERE sp.grantee = {GRANTEE} \
         AND sp.privilege_type IN ('SELECT', 'INSERT', 'UPDATE', 'DELETE', 'CREATE')",
        cells("schema", &["sp.table_schema", "sp.privilege_type"])
    ));
    parts.push(format!(
        "(SELECT {} FROM information_schema.tables o \
         WHERE o.table_schema NOT IN ({SYSTEM_SCHEMAS}) \
         ORDER BY o.table_schema = DATABASE() DESC, o.table_schema, o.table_name LIMIT ?)",
        cells("other", &["o.table_schema", "o.table_name"])
    ));
    let other_limit = OTHER_TABLES_LIMIT.saturating_add(wanted.requests.len());
    binds.push(Bind::Int(i64::try_from(other_limit).unwrap_or(i64::MAX)));
    (parts.join(" UNION ALL "), binds)
}

fn text(row: &MySqlRow, index: usize) -> Option<String> {
    row.try_get::<Option<String>, _>(index).ok().flatten()
}

// ---------------------------------------------------------------------------
// From rows to a catalogue

#[derive(Default)]
struct Grants {
    /// `lower_case_table_names` is not 0: names compare case-insensitively.
    case_insensitive: bool,
    global: BTreeSet<String>,
    /// (database name pattern, privilege)
    schema: Vec<(String, String)>,
    /// (database, table, privilege)
    table: Vec<(String, String, String)>,
}

fn assemble(wanted: &Wanted, rows: &[MySqlRow], mariadb: bool) -> Catalog {
    let mut catalog = Catalog::default();
    // (schema, table) as the server spells them → columns
    let mut columns: BTreeMap<(String, String), Vec<(u32, Column)>> = BTreeMap::new();
    let mut pk: BTreeSet<(String, String, String)> = BTreeSet::new();
    let mut others: Vec<QualifiedName> = Vec::new();
    let mut grants = Grants::default();

    for row in rows {
        let field = |i: usize| text(row, i);
        let a = field(1).unwrap_or_default();
        let b = field(2).unwrap_or_default();
        let c = field(3).unwrap_or_default();
        match field(0).as_deref() {
            Some("server") => {
                catalog.server.product = product(&a).to_owned();
                catalog.server.version_number = parse_version(&a);
                catalog.server.version = a;
                catalog.server.max_connections = b.trim().parse().ok();
                catalog.schema = c;
                grants.case_insensitive = field(4).is_some_and(|v| v.trim() != "0");
            }
            Some("column") => {
                let ordinal = field(4).and_then(|v| v.trim().parse().ok()).unwrap_or(0);
                let data_type = field(5).unwrap_or_default().to_lowercase();
                let column_type = field(6)
                    .map(|t| t.to_lowercase())
                    .filter(|t| *t != data_type);
                let nullable = field(7).is_some_and(|v| v.eq_ignore_ascii_case("YES"));
                let default = field(8);
                let extra = field(9).unwrap_or_default().to_ascii_lowercase();
                let has_default = has_default(default.as_deref(), &extra, mariadb);
                columns.entry((a, b)).or_default().push((
                    ordinal,
                    Column {
                        name: c,
                        data_type,
                        column_type,
                        nullable,
                        has_default,
                        primary_key: false,
                    },
                ));
            }
            Some("pk") => {
                pk.insert((a, b, c));
            }
            Some("global") => {
                grants.global.insert(a.to_ascii_uppercase());
            }
            Some("schema") => grants.schema.push((a, b.to_ascii_uppercase())),
            Some("table") => grants.table.push((a, b, c.to_ascii_uppercase())),
            Some("other") => others.push(QualifiedName { schema: a, name: b }),
            _ => {}
        }
    }

    let case_insensitive = grants.case_insensitive;
    let same = |x: &str, y: &str| {
        if case_insensitive {
            x.to_lowercase() == y.to_lowercase()
        } else {
            x == y
        }
    };

    let mut found: Vec<(String, String)> = Vec::new();
    for (asked, schema, name) in &wanted.requests {
        let schema = schema.as_deref().unwrap_or(&catalog.schema);
        let Some(((server_schema, server_name), cols)) = columns
            .iter()
            .find(|((s, t), _)| same(s, schema) && same(t, name))
        else {
            continue;
        };
        let mut cols = cols.clone();
        cols.sort_by_key(|(ordinal, _)| *ordinal);
        let columns = cols
            .into_iter()
            .map(|(_, mut column)| {
                column.primary_key = pk.contains(&(
                    server_schema.clone(),
                    server_name.clone(),
                    column.name.clone(),
                ));
                column
            })
            .collect();
        let privileges = Privileges {
            select: grants.on_table(server_schema, server_name, "SELECT", &same),
            insert: grants.on_table(server_schema, server_name, "INSERT", &same),
            update: grants.on_table(server_schema, server_name, "UPDATE", &same),
            delete: grants.on_table(server_schema, server_name, "DELETE", &same),
        };
        found.push((server_schema.clone(), server_name.clone()));
        catalog.tables.insert(
            asked.clone(),
            Table {
                name: server_name.clone(),
                columns,
                privileges,
            },
        );
    }

    catalog.other_tables = others
        .into_iter()
        .filter(|o| !found.iter().any(|(s, t)| *s == o.schema && *t == o.name))
        .take(OTHER_TABLES_LIMIT)
        .collect();
    catalog.can_create = grants.global.contains("CREATE")
        || (!catalog.schema.is_empty()
            && grants.schema.iter().any(|(pattern, p)| {
                p == "CREATE" && like(pattern, &catalog.schema, case_insensitive)
            }));
    catalog
}

impl Grants {
    fn on_table(
        &self,
        schema: &str,
        table: &str,
        privilege: &str,
        same: &dyn Fn(&str, &str) -> bool,
    ) -> bool {
        self.global.contains(privilege)
            || self
                .schema
                .iter()
                .any(|(pattern, p)| p == privilege && like(pattern, schema, self.case_insensitive))
            || self
                .table
                .iter()
                .any(|(s, t, p)| p == privilege && same(s, schema) && same(t, table))
    }
}

/// Whether an insert may leave the column out: a default, an
/// auto-increment, a generated column.
///
/// MariaDB quirk: `column_default` is the string `NULL` (unquoted) for a
/// column without default, while a string default is quoted (`'NULL'`); a
/// nullable column's implicit NULL is not counted as a default, as on
/// MySQL (where `column_default` is SQL NULL then).
fn has_default(default: Option<&str>, extra: &str, mariadb: bool) -> bool {
    let explicit = match default {
        None => false,
        Some(d) if mariadb && d.eq_ignore_ascii_case("NULL") => false,
        Some(_) => true,
    };
    explicit
        || extra.contains("auto_increment")
        || extra.contains("default_generated")
        || extra.contains("generated")
}

/// SQL `LIKE` as the server applies a database-level grant's name:
/// `%` any run, `_` any one character, `\` escapes.
fn like(pattern: &str, name: &str, case_insensitive: bool) -> bool {
    let fold = |s: &str| -> Vec<char> {
        if case_insensitive {
            s.to_lowercase().chars().collect()
        } else {
            s.chars().collect()
        }
    };
    let (p, n) = (fold(pattern), fold(name));
    // Iterative matcher with backtracking to the last `%`.
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        let step = match p.get(pi) {
            Some('%') => {
                star = Some((pi, ni));
                pi += 1;
                continue;
            }
            Some('\\') if pi + 1 < p.len() => (p[pi + 1] == n[ni]).then_some(2),
            Some('_') => Some(1),
            Some(&c) => (c == n[ni]).then_some(1),
            None => None,
        };
        match (step, star) {
            (Some(len), _) => {
                pi += len;
                ni += 1;
            }
            (None, Some((sp, sn))) => {
                pi = sp + 1;
                ni = sn + 1;
                star = Some((sp, sn + 1));
            }
            (None, None) => return false,
        }
    }
    p[pi..].iter().all(|c| *c == '%')
}

fn is_mariadb(version: &str) -> bool {
    version.to_ascii_lowercase().contains("mariadb")
}

fn product(version: &str) -> &'static str {
    if is_mariadb(version) {
        "MariaDB"
    } else {
        "MySQL"
    }
}

/// `10.11.6-MariaDB-0+deb12u1` → (10, 11, 6); `8.0.36` → (8, 0, 36);
/// MariaDB's replication prefix `5.5.5-` is skipped; missing parts are 0.
pub fn parse_version(version: &str) -> (u32, u32, u32) {
    let v = version.trim();
    let v = if is_mariadb(v) {
        v.strip_prefix("5.5.5-").unwrap_or(v)
    } else {
        v
    };
    let mut numbers = v
        .split(|c: char| !c.is_ascii_digit() && c != '.')
        .next()
        .unwrap_or("")
        .split('.')
        .map(|n| n.parse::<u32>().unwrap_or(0));
    (
        numbers.next().unwrap_or(0),
        numbers.next().unwrap_or(0),
        numbers.next().unwrap_or(0),
    )
}

// ---------------------------------------------------------------------------
// Failures

/// The URL's password, raw and percent-decoded, to scrub from messages in
/// addition to [`mask_secrets`] (a driver may quote a value without its
/// URL around it).
struct Secrets(Vec<String>);

impl Secrets {
    fn of_url(url: &str) -> Self {
        let mut secrets = Vec::new();
        if let Some((_, rest)) = url.split_once("://") {
            let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
            if let Some(at) = authority.rfind('@') {
                if let Some((_, password)) = authority[..at].split_once(':') {
                    if !password.is_empty() {
                        secrets.push(password.to_owned());
                        let decoded = percent_decode(password);
                        if decoded != password {
                            secrets.push(decoded);
                        }
                    }
                }
            }
        }
        // Longest first, so that a decoded form containing the raw one is
        // masked whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        Secrets(secrets)
    }

    /// One line, secrets masked.
    fn clean(&self, message: &str) -> String {
        let mut out = mask_secrets(message);
        for secret in &self.0 {
            out = out.replace(secret.as_str(), "***");
        }
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            if let Some(value) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(value);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Sorts a driver error into a [`Failure`] with a one-line, masked detail.
/// `target` (`host:port`) prefixes network failures when known.
fn classify(error: &sqlx::Error, target: &str, secrets: &Secrets) -> InspectError {
    let at = |message: String| {
        if target.is_empty() {
            message
        } else {
            format!("{target}: {message}")
        }
    };
    let (failure, detail) = match error {
        // The URL parser's message (e.g. "invalid port number"), never the URL.
        sqlx::Error::Configuration(e) => (Failure::InvalidUrl, format!("invalid URL: {e}")),
        sqlx::Error::Io(e) => (io_failure(e), at(e.to_string())),
        sqlx::Error::Tls(e) => {
            let message = e.to_string();
            let detail = if message.contains("server does not support TLS") {
                "the URL requires TLS (ssl-mode) but the server does not offer it".to_owned()
            } else {
                format!("TLS handshake failed: {message}")
            };
            (Failure::TlsFailed, at(detail))
        }
        sqlx::Error::Database(e) => match e.try_downcast_ref::<MySqlDatabaseError>() {
            Some(e) => (
                server_failure(e.number(), e.message()),
                format!(
                    "server error {}{}: {}",
                    e.number(),
                    e.code().map(|c| format!(" ({c})")).unwrap_or_default(),
                    e.message()
                ),
            ),
            None => (Failure::Other, e.message().to_owned()),
        },
        other => (Failure::Other, other.to_string()),
    };
    InspectError {
        failure,
        detail: secrets.clean(&detail),
    }
}

fn io_failure(e: &io::Error) -> Failure {
    let message = e.to_string().to_ascii_lowercase();
    match e.kind() {
        io::ErrorKind::ConnectionRefused => Failure::Refused,
        io::ErrorKind::TimedOut => Failure::TimedOut,
        // getaddrinfo failures surface as uncategorised errors whose text
        // is the resolver's (glibc: "failed to lookup address information:
        // Name or service not known" / "... Temporary failure in name
        // resolution").
        _ if message.contains("failed to lookup address")
            || message.contains("name or service not known")
            || message.contains("no address associated")
            || message.contains("nodename nor servname")
            || message.contains("name resolution") =>
        {
            Failure::NameNotResolved
        }
        _ => Failure::Other,
    }
}

/// MySQL/MariaDB server error numbers.
fn server_failure(number: u16, message: &str) -> Failure {
    match number {
        // ER_ACCESS_DENIED_ERROR, ER_ACCESS_DENIED_NO_PASSWORD_ERROR,
        // ER_DBACCESS_DENIED_ERROR (authenticated, but no privilege on the
        // URL's database: the server will not say whether it exists),
        // account locked (MySQL 3118, MariaDB 4151), MariaDB's too many
        // password errors (4150), ER_NOT_SUPPORTED_AUTH_MODE.
        1045 | 1698 | 1044 | 3118 | 4151 | 4150 | 1251 => Failure::AuthenticationFailed,
        // ER_BAD_DB_ERROR
        1049 => Failure::DatabaseMissing,
        // ER_SECURE_TRANSPORT_REQUIRED (MySQL, require_secure_transport=ON)
        3159 => Failure::TlsRequired,
        // Statement time limit: MySQL ER_QUERY_TIMEOUT, MariaDB
        // ER_STATEMENT_TIMEOUT.
        3024 | 1969 => Failure::TimedOut,
        _ if message.to_ascii_lowercase().contains("insecure transport") => Failure::TlsRequired,
        _ => Failure::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(parse_version("10.11.6-MariaDB-0+deb12u1"), (10, 11, 6));
        assert_eq!(parse_version("5.5.5-10.5.2-MariaDB"), (10, 5, 2));
        assert_eq!(parse_version("8.0.36"), (8, 0, 36));
        assert_eq!(parse_version("8.4.0-log"), (8, 4, 0));
        assert_eq!(parse_version("9"), (9, 0, 0));
        assert_eq!(parse_version(""), (0, 0, 0));
        assert_eq!(product("10.11.6-MariaDB-0+deb12u1"), "MariaDB");
        assert_eq!(product("8.0.36"), "MySQL");
    }

    #[test]
    fn like_patterns() {
        assert!(like("bp\\_db", "bp_db", false));
        assert!(!like("bp\\_db", "bpxdb", false));
        assert!(like("bp_db", "bpxdb", false));
        assert!(like("bp%", "bp_anything", false));
        assert!(like("%", "", false));
        assert!(like("a%b%c", "aXXbYYc", false));
        assert!(!like("a%b%c", "aXXbYY", false));
        assert!(!like("Bp", "bp", false));
        assert!(like("Bp", "bp", true));
    }

    #[test]
    fn defaults() {
        assert!(!has_default(Some("NULL"), "", true));
        assert!(has_default(Some("'NULL'"), "", true));
        assert!(has_default(Some("NULL"), "", false));
        assert!(!has_default(None, "", false));
        assert!(has_default(None, "auto_increment", true));
        assert!(has_default(
            Some("CURRENT_TIMESTAMP"),
            "default_generated",
            false
        ));
        assert!(has_default(None, "virtual generated", false));
        assert!(has_default(None, "stored generated", true));
    }

    #[test]
    fn secrets_are_scrubbed() {
        let s = Secrets::of_url("mysql://u:p%40ss-w0rd@h:3306/db");
        assert_eq!(s.clean("x p%40ss-w0rd y p@ss-w0rd\nz"), "x *** y *** z");
        assert_eq!(Secrets::of_url("mysql://u@h/db").0.len(), 0);
    }

    #[test]
    fn names_split_and_filter() {
        let w = Wanted::new(&[
            "a".to_owned(),
            "db.b".to_owned(),
            "a".to_owned(),
            "`x`.`y`".to_owned(),
        ]);
        assert_eq!(
            w.groups,
            vec![
                (None, vec!["a".to_owned()]),
                (Some("db".to_owned()), vec!["b".to_owned()]),
                (Some("x".to_owned()), vec!["y".to_owned()]),
            ]
        );
        for wanted in [w, Wanted::new(&[])] {
            let (sql, binds) = catalogue_query(&wanted);
            assert_eq!(sql.matches('?').count(), binds.len(), "{sql}");
        }
        let (_, binds) = catalogue_query(&Wanted::new(&["t".to_owned(), "d.u".to_owned()]));
        let text = |s: &str| Bind::Text(s.to_owned());
        assert_eq!(
            binds,
            vec![
                text("t"),
                text("d"),
                text("u"),
                text("t"),
                text("d"),
                text("u"),
                text("t"),
                text("d"),
                text("u"),
                Bind::Int(1002),
            ]
        );
    }
}
