//! The catalogue query: the tables asked for grouped by database, the one
//! `UNION ALL` statement with its bound parameters, and the decoding of its
//! rows into a [`Catalog`] (columns, primary keys, privileges, other
//! tables).

use std::collections::{BTreeMap, BTreeSet};

use sqlx::mysql::MySqlRow;
use sqlx::Row;

use super::connect::{parse_version, product};
use super::privileges::{like, Grants};
use super::OTHER_TABLES_LIMIT;
use crate::preflight::catalog::{Catalog, Column, Privileges, QualifiedName, Table};

/// Databases never offered as "did you mean" hints.
const SYSTEM_SCHEMAS: &str = "'mysql', 'information_schema', 'performance_schema', 'sys'";

/// The probe's table names, deduplicated, grouped by where they are
/// looked up: `DATABASE()` for unqualified names, the named database for
/// `db.table`.
pub(super) struct Wanted {
    /// (name as asked, database if qualified, table name)
    pub(super) requests: Vec<(String, Option<String>, String)>,
    /// (database, or `None` for `DATABASE()`; table names), the unqualified
    /// group first.
    pub(super) groups: Vec<(Option<String>, Vec<String>)>,
}

impl Wanted {
    pub(super) fn new(tables: &[String]) -> Self {
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

/// `'user'@'host'`, as `information_schema` spells the grantee, from
/// `CURRENT_USER()` (`user@host`; the host never contains `@`, the user
/// may).
const GRANTEE: &str = "CONCAT('''', \
     SUBSTRING(CURRENT_USER(), 1, CHAR_LENGTH(CURRENT_USER()) \
       - CHAR_LENGTH(SUBSTRING_INDEX(CURRENT_USER(), '@', -1)) - 1), \
     '''@''', SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''')";

/// A value bound to the catalogue query.
#[derive(Debug, PartialEq)]
pub(super) enum Bind {
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
pub(super) fn catalogue_query(wanted: &Wanted) -> (String, Vec<Bind>) {
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

pub(super) fn text(row: &MySqlRow, index: usize) -> Option<String> {
    row.try_get::<Option<String>, _>(index).ok().flatten()
}

pub(super) fn assemble(wanted: &Wanted, rows: &[MySqlRow], mariadb: bool) -> Catalog {
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

/// Whether an insert may leave the column out: a default, an
/// auto-increment, a generated column.
///
/// MariaDB quirk: `column_default` is the string `NULL` (unquoted) for a
/// column without default, while a string default is quoted (`'NULL'`); a
/// nullable column's implicit NULL is not counted as a default, as on
/// MySQL (where `column_default` is SQL NULL then).
pub(super) fn has_default(default: Option<&str>, extra: &str, mariadb: bool) -> bool {
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
