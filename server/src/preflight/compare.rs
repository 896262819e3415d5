//! From an inspection to diagnostics: what the database lacks, compared
//! with what the blueprint's stores expect ([`super::expect`]).

use std::time::Duration;

use blueprint_grammars::interpolate::mask_secrets;
use blueprint_grammars::model::{Engine, MigrationMode};

use super::catalog::{Catalog, Column, Failure, InspectError, Table};
use super::expect::{DatabaseTarget, StoreTarget};
use super::types::compatible;
use crate::analysis::suggest::did_you_mean;
use crate::analysis::{rules, Diagnostic, Severity};

/// The oldest server of each engine Blueprint supports, and why.
/// PostgreSQL 13: the oldest release its project still supported when this
/// was written; MySQL 8.0 (window functions, roles, sqlx's baseline);
/// MariaDB 10.5 (JSON_ARRAYAGG, the catalogue query); SQLite 3.35
/// (RETURNING, which generated stores use).
pub fn minimum_version(product: &str) -> Option<(u32, u32, u32)> {
    match product {
        "PostgreSQL" => Some((13, 0, 0)),
        "MySQL" => Some((8, 0, 0)),
        "MariaDB" => Some((10, 5, 0)),
        "SQLite" => Some((3, 35, 0)),
        _ => None,
    }
}

/// Thresholds the comparison applies.
#[derive(Clone, Copy, Debug)]
pub struct Thresholds {
    /// Median round trip above which BP319 warns.
    pub slow: Duration,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            slow: Duration::from_millis(50),
        }
    }
}

pub fn compare(
    target: &DatabaseTarget,
    inspected: &Result<Catalog, InspectError>,
    thresholds: Thresholds,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    match inspected {
        Err(error) => out.push(unreachable(target, error)),
        Ok(catalog) => {
            check_server(target, catalog, thresholds, &mut out);
            for store in &target.stores {
                check_store(target, store, catalog, &mut out);
            }
        }
    }
    out
}

fn label(target: &DatabaseTarget) -> String {
    format!("database `{}`", target.database.name.value)
}

fn unreachable(target: &DatabaseTarget, error: &InspectError) -> Diagnostic {
    let (reason, help) = match error.failure {
        Failure::Refused => ("connection refused", "start the server, or correct the host and port in the URL"),
        Failure::NameNotResolved => ("host name not resolved", "correct the host name, or check DNS"),
        Failure::AuthenticationFailed => ("authentication failed", "check the user and password (set the password through `${VAR}`)"),
        Failure::DatabaseMissing => ("the database does not exist", "create it (for example `createdb`), or correct its name in the URL"),
        Failure::TlsRequired => ("the server requires TLS", "add `sslmode=require` (PostgreSQL) or `ssl-mode=REQUIRED` (MySQL) to the URL"),
        Failure::TlsFailed => ("TLS could not be set up", "check the server's TLS configuration, or relax the URL's TLS mode for a local server"),
        Failure::TimedOut => ("no answer before the timeout", "check that the address is right and reachable; raise the timeout with `--timeout-ms` for a slow link"),
        Failure::FileMissing => ("the database file does not exist", "create it (run the system once with `migrations: auto`), or correct the path; the pre-flight never creates one"),
        Failure::InvalidUrl => ("the URL cannot be used", "correct the URL"),
        Failure::Other => ("the connection failed", "see the detail above"),
    };
    Diagnostic::new(
        &rules::DATABASE_UNREACHABLE,
        target.anchor,
        format!(
            "cannot reach {} at {}: {reason} ({})",
            label(target),
            mask_secrets(&target.url),
            mask_secrets(&error.detail)
        ),
    )
    .with_help(help)
}

fn check_server(
    target: &DatabaseTarget,
    catalog: &Catalog,
    thresholds: Thresholds,
    out: &mut Vec<Diagnostic>,
) {
    let server = &catalog.server;
    if let Some(minimum) = minimum_version(&server.product) {
        if server.version_number < minimum {
            out.push(
                Diagnostic::new(
                    &rules::UNSUPPORTED_SERVER_VERSION,
                    target.anchor,
                    format!(
                        "{} runs {} {}; Blueprint supports {} {}.{} and later",
                        label(target),
                        server.product,
                        server.version,
                        server.product,
                        minimum.0,
                        minimum.1
                    ),
                )
                .with_help("upgrade the server; older versions lack features generated stores use"),
            );
        }
    }
    if let Some(median) = median(&catalog.pings) {
        if median > thresholds.slow {
            out.push(
                Diagnostic::new(
                    &rules::SLOW_DATABASE,
                    target.anchor,
                    format!("round trips to {} take {:.1} ms (median of {}), above {} ms", label(target), median.as_secs_f64() * 1e3, catalog.pings.len(), thresholds.slow.as_millis()),
                )
                .with_help("every store operation pays this at least once; move the system closer to the database, or batch writes"),
            );
        }
    }
    if let Some(limit) = server.max_connections {
        let pool = &target.database.pool;
        // sqlx's default pool size, when the blueprint does not set one.
        let max = pool.max_connections.as_ref().map_or(10, |m| m.value);
        if max > i64::from(limit) {
            let span = pool
                .max_connections
                .as_ref()
                .map_or(target.anchor, |m| m.span);
            out.push(
                Diagnostic::new(
                    &rules::POOL_EXCEEDS_SERVER,
                    span,
                    format!("the pool of {} may open {max} connections but the server allows {limit} in all", label(target)),
                )
                .with_help(format!("lower `pool.max_connections` below {limit}, leaving room for other clients")),
            );
        }
    }
    if target.migrations == MigrationMode::Auto && !catalog.can_create && !target.stores.is_empty()
    {
        let span = target
            .database
            .migrations
            .as_ref()
            .map_or(target.anchor, |m| m.span);
        out.push(
            Diagnostic::new(
                &rules::MISSING_PRIVILEGE,
                span,
                format!("`migrations: auto` needs CREATE in `{}` of {}, and the user lacks it", catalog.schema, label(target)),
            )
            .with_help("grant CREATE on the schema to this user, or set `migrations: verify` and apply the migrations yourself"),
        );
    }
}

fn median(samples: &[Duration]) -> Option<Duration> {
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    sorted.get(sorted.len() / 2).copied()
}

fn check_store(
    target: &DatabaseTarget,
    store: &StoreTarget,
    catalog: &Catalog,
    out: &mut Vec<Diagnostic>,
) {
    let Some(table) = catalog.tables.get(&store.table) else {
        out.push(missing_table(target, store, catalog));
        return;
    };
    let qualified = format!("`{}`", store.table);
    for field in &store.schema.properties {
        let name = &field.name.value;
        let Some(column) = find_column(target.engine, table, name) else {
            out.push(
                Diagnostic::new(&rules::COLUMN_MISSING, field.name.span, format!("table {qualified} has no column `{name}` for field `{name}` of `{}` (store `{}`)", store.schema_name, store.name))
                    .with_help(format!("add the column (a migration with `ALTER TABLE {} ADD COLUMN {name} ...`), or remove the field", store.table)),
            );
            continue;
        };
        let field_type = field.schema.type_name.as_ref().map(|t| t.value.as_str());
        let format = field.schema.format.as_ref().map(|f| f.value.as_str());
        if !compatible(target.engine, field_type, format, column) {
            let shown = column.column_type.as_deref().unwrap_or(&column.data_type);
            let described = match format {
                Some(f) => format!("{} ({f})", field_type.unwrap_or("?")),
                None => field_type.unwrap_or("?").to_owned(),
            };
            out.push(
                Diagnostic::new(&rules::COLUMN_TYPE_MISMATCH, field.name.span, format!("column {qualified}.`{name}` is `{shown}`, which cannot hold field `{name}`: {described}"))
                    .with_help(format!("change the field's type, or the column's type ({})", engine_types_hint(target.engine, field_type))),
            );
        }
        let required = store.requires(name) || field.schema.has_default;
        if !required && !column.nullable && !column.has_default {
            out.push(
                Diagnostic::new(&rules::NULLABILITY_MISMATCH, field.name.span, format!("column {qualified}.`{name}` is NOT NULL without a default, but `{}` does not require `{name}`: records without it will fail to insert", store.schema_name))
                    .with_help(format!("add `{name}` to `required`, give it a `default`, or allow NULL in the column")),
            );
        } else if store.requires(name) && column.nullable && !column.primary_key {
            let mut d = Diagnostic::new(
                &rules::NULLABILITY_MISMATCH,
                field.name.span,
                format!(
                    "`{}` requires `{name}` but column {qualified}.`{name}` allows NULL",
                    store.schema_name
                ),
            )
            .with_help("add NOT NULL to the column so the database enforces it too");
            d.severity = Severity::Hint;
            out.push(d);
        }
    }
    check_primary_key(store, table, &qualified, out);
    check_unsupplied(target.engine, store, table, &qualified, out);
    check_privileges(target, store, table, &qualified, out);
}

/// The column for a field: PostgreSQL matches names exactly (as the
/// generated system quotes them); MySQL and SQLite compare column names
/// without regard to case.
fn find_column<'t>(engine: Engine, table: &'t Table, name: &str) -> Option<&'t Column> {
    table
        .columns
        .iter()
        .find(|c| c.name == name)
        .or_else(|| match engine {
            Engine::Postgres => None,
            Engine::Mysql | Engine::Sqlite => table
                .columns
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(name)),
        })
}

fn missing_table(target: &DatabaseTarget, store: &StoreTarget, catalog: &Catalog) -> Diagnostic {
    let auto = target.migrations == MigrationMode::Auto;
    let mut d = Diagnostic::new(
        &rules::TABLE_MISSING,
        store.table_span,
        match auto {
            true => format!("table `{}` of store `{}` does not exist in {} yet; `migrations: auto` will create it at start-up", store.table, store.name, label(target)),
            false => format!("table `{}` of store `{}` does not exist in {}", store.table, store.name, label(target)),
        },
    );
    if auto {
        d.severity = Severity::Info;
    }
    let elsewhere = catalog
        .other_tables
        .iter()
        .find(|t| t.name == store.table && t.schema != catalog.schema);
    let same_schema = catalog
        .other_tables
        .iter()
        .filter(|t| t.schema == catalog.schema)
        .map(|t| t.name.as_str());
    if let Some(other) = elsewhere {
        let qualified = format!("{}.{}", other.schema, other.name);
        d = d
            .with_help(format!(
                "a table `{}` exists in schema `{}`: write `table: {qualified}`",
                other.name, other.schema
            ))
            .with_replacement(format!("Replace with `{qualified}`"), qualified);
    } else if let Some(close) = did_you_mean(&store.table, same_schema) {
        d = d.with_suggestion(close);
    } else if !auto {
        d = d.with_help("create it with a migration (the generated system's `migrations/` has one), or set `migrations: auto`");
    }
    d
}

fn check_primary_key(
    store: &StoreTarget,
    table: &Table,
    qualified: &str,
    out: &mut Vec<Diagnostic>,
) {
    let pk: Vec<&str> = table
        .columns
        .iter()
        .filter(|c| c.primary_key)
        .map(|c| c.name.as_str())
        .collect();
    if pk == [store.key.as_str()] {
        return;
    }
    let message = match pk.as_slice() {
        [] => format!(
            "store `{}` is keyed by `{}` but table {qualified} has no primary key",
            store.name, store.key
        ),
        cols => format!(
            "store `{}` is keyed by `{}` but the primary key of {qualified} is ({})",
            store.name,
            store.key,
            cols.join(", ")
        ),
    };
    out.push(Diagnostic::new(&rules::PRIMARY_KEY_MISMATCH, store.key_span, message).with_help("make the store's `key` the table's primary key, so reads, updates and deletes by key find one row"));
}

/// Every insert fails if the table has a NOT NULL column without default
/// that the schema does not even declare.
fn check_unsupplied(
    engine: Engine,
    store: &StoreTarget,
    table: &Table,
    qualified: &str,
    out: &mut Vec<Diagnostic>,
) {
    let supplied = |column: &Column| {
        store.schema.properties.iter().any(|f| {
            find_column(engine, table, &f.name.value).is_some_and(|c| c.name == column.name)
        })
    };
    let unsupplied: Vec<&Column> = table
        .columns
        .iter()
        .filter(|c| !c.nullable && !c.has_default && !supplied(c))
        .collect();
    for column in unsupplied {
        out.push(
            Diagnostic::new(&rules::UNSUPPLIED_NOT_NULL_COLUMN, store.table_span, format!("column {qualified}.`{}` is NOT NULL without a default, and `{}` never supplies it: every insert will fail", column.name, store.schema_name))
                .with_help(format!("add `{}` to `{}` (and to `required`), or give the column a default", column.name, store.schema_name)),
        );
    }
}

/// A store reads, inserts, updates and deletes (the REST API over it does
/// all four).
fn check_privileges(
    target: &DatabaseTarget,
    store: &StoreTarget,
    table: &Table,
    qualified: &str,
    out: &mut Vec<Diagnostic>,
) {
    let p = table.privileges;
    let missing: Vec<&str> = [
        ("SELECT", p.select),
        ("INSERT", p.insert),
        ("UPDATE", p.update),
        ("DELETE", p.delete),
    ]
    .into_iter()
    .filter(|(_, has)| !has)
    .map(|(name, _)| name)
    .collect();
    if missing.is_empty() {
        return;
    }
    out.push(
        Diagnostic::new(
            &rules::MISSING_PRIVILEGE,
            store.table_span,
            format!(
                "the user of {} lacks {} on {qualified}, which store `{}` needs",
                label(target),
                missing.join(", "),
                store.name
            ),
        )
        .with_help(format!(
            "GRANT {} ON {} TO <user>",
            missing.join(", "),
            store.table
        )),
    );
}

fn engine_types_hint(engine: Engine, field_type: Option<&str>) -> &'static str {
    match (engine, field_type) {
        (Engine::Postgres, Some("string")) => "text, varchar, uuid, timestamp...",
        (Engine::Postgres, Some("integer")) => "integer, bigint",
        (Engine::Postgres, Some("number")) => "double precision, numeric",
        (Engine::Postgres, Some("boolean")) => "boolean",
        (Engine::Postgres, _) => "jsonb for objects and arrays",
        (Engine::Mysql, Some("string")) => "varchar, text, datetime...",
        (Engine::Mysql, Some("integer")) => "int, bigint",
        (Engine::Mysql, Some("number")) => "double, decimal",
        (Engine::Mysql, Some("boolean")) => "tinyint(1)",
        (Engine::Mysql, _) => "json for objects and arrays",
        (Engine::Sqlite, Some("string")) => "TEXT",
        (Engine::Sqlite, Some("integer" | "boolean")) => "INTEGER",
        (Engine::Sqlite, Some("number")) => "REAL",
        (Engine::Sqlite, _) => "TEXT for objects and arrays",
    }
}

#[cfg(test)]
#[path = "compare_tests.rs"]
mod tests;
