//! What the blueprint expects of each database: for every store, its table,
//! key, columns (from its schema) and the operations it performs.

use std::path::Path;

use blueprint_grammars::interpolate::{interpolate, Environment};
use blueprint_grammars::model::{
    Blueprint, Component, ComponentType, Database, Engine, MigrationMode, Schema,
};
use blueprint_grammars::{Span, Spanned};

use crate::analysis::stores::DEFAULT_KEY;

/// One database to inspect, and what its stores need from it.
#[derive(Debug)]
pub struct DatabaseTarget<'a> {
    pub database: &'a Database,
    pub engine: Engine,
    /// The URL with variables resolved (and a relative SQLite path made
    /// relative to the blueprint's directory). Holds secrets.
    pub url: String,
    /// Where diagnostics about the database as a whole go.
    pub anchor: Span,
    pub migrations: MigrationMode,
    pub stores: Vec<StoreTarget<'a>>,
}

/// One store and the table it needs.
#[derive(Debug)]
pub struct StoreTarget<'a> {
    pub component: &'a Component,
    pub name: &'a str,
    pub table: String,
    /// The `table` value, or the store's name when the table is implied.
    pub table_span: Span,
    pub key: String,
    pub key_span: Span,
    pub schema_name: &'a str,
    pub schema: &'a Schema,
}

impl StoreTarget<'_> {
    /// Whether the store's schema makes `field` mandatory on insert.
    pub fn requires(&self, field: &str) -> bool {
        self.schema.is_required(field) || field == self.key
    }
}

/// The databases worth inspecting: those with a known engine, a URL whose
/// variables all resolve (BP217 reports the others) and at least one store
/// with a schema; plus databases with no stores, for connectivity alone.
pub fn targets<'a>(
    blueprint: &'a Blueprint,
    env: &Environment,
    blueprint_dir: Option<&Path>,
) -> Vec<DatabaseTarget<'a>> {
    let Some(system) = &blueprint.system else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for database in &system.databases {
        let Some(url) = &database.url else { continue };
        let resolved = interpolate(&url.value, env);
        if !resolved.missing.is_empty() {
            continue;
        }
        // A URL of another engine, or of none, is BP215's to report.
        let Some(engine) = Engine::from_url(&resolved.value) else {
            continue;
        };
        if database
            .engine_kind
            .is_some_and(|declared| declared != engine)
        {
            continue;
        }
        let stores = system
            .components
            .iter()
            .filter(|c| c.kind == Some(ComponentType::Store))
            .filter(|c| {
                c.store
                    .as_ref()
                    .and_then(|s| s.database.as_ref())
                    .is_some_and(|d| d.value == database.name.value)
            })
            .filter_map(|c| store_target(blueprint, c))
            .collect();
        out.push(DatabaseTarget {
            database,
            engine,
            url: resolve_sqlite_path(engine, &resolved.value, blueprint_dir),
            anchor: url.span,
            migrations: database
                .migrations
                .as_ref()
                .and_then(|m| MigrationMode::parse(&m.value))
                .unwrap_or(MigrationMode::Auto),
            stores,
        });
    }
    out
}

fn store_target<'a>(blueprint: &'a Blueprint, component: &'a Component) -> Option<StoreTarget<'a>> {
    let store = component.store.as_ref()?;
    let name: &Spanned<String> = component.name.as_ref()?;
    let schema_ref = component.inputs.first()?.schema.as_ref()?;
    let schema = blueprint.schema(&schema_ref.value)?;
    let (table, table_span) = match &store.table {
        Some(t) => (t.value.clone(), t.span),
        None => (name.value.clone(), name.span),
    };
    let (key, key_span) = match &store.key {
        Some(k) => (k.value.clone(), k.span),
        None => (DEFAULT_KEY.to_owned(), name.span),
    };
    Some(StoreTarget {
        component,
        name: &name.value,
        table,
        table_span,
        key,
        key_span,
        schema_name: &schema.name.value,
        schema: &schema.schema,
    })
}

/// A relative SQLite path is relative to the blueprint, not to wherever the
/// command happens to run.
fn resolve_sqlite_path(engine: Engine, url: &str, blueprint_dir: Option<&Path>) -> String {
    let (Engine::Sqlite, Some(dir)) = (engine, blueprint_dir) else {
        return url.to_owned();
    };
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let (path, query) = rest
        .split_once('?')
        .map_or((rest, None), |(p, q)| (p, Some(q)));
    if path.is_empty() || path.starts_with('/') || path.starts_with(":memory:") {
        return url.to_owned();
    }
    let absolute = dir.join(path);
    match query {
        Some(q) => format!("sqlite://{}?{q}", absolute.display()),
        None => format!("sqlite://{}", absolute.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_sqlite_paths_are_relative_to_the_blueprint() {
        let dir = Path::new("/srv/app");
        assert_eq!(
            resolve_sqlite_path(Engine::Sqlite, "sqlite://tasks.db", Some(dir)),
            "sqlite:///srv/app/tasks.db"
        );
        assert_eq!(
            resolve_sqlite_path(Engine::Sqlite, "sqlite:data/t.db?mode=ro", Some(dir)),
            "sqlite:///srv/app/data/t.db?mode=ro"
        );
        assert_eq!(
            resolve_sqlite_path(Engine::Sqlite, "sqlite:///abs.db", Some(dir)),
            "sqlite:///abs.db"
        );
        assert_eq!(
            resolve_sqlite_path(Engine::Postgres, "postgres://h/db", Some(dir)),
            "postgres://h/db"
        );
    }
}
