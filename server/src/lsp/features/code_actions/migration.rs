//! Pre-flight quick fixes: a migration file (sqlx-cli naming,
//! `migrations/{timestamp}_{description}.sql` beside the blueprint) that
//! creates a missing table (BP312) or adds a missing column (BP313). The
//! server never runs DDL itself; the user reviews and applies the file.

use std::time::{SystemTime, UNIX_EPOCH};

use blueprint_grammars::interpolate::interpolate;
use blueprint_grammars::model::{Blueprint, Component, ComponentType, Engine, Field, Schema};
use tower_lsp_server::ls_types::*;

use super::{same_code, touches};
use crate::analysis::stores::DEFAULT_KEY;
use crate::lsp::position::Positions;
use crate::lsp::state::FileAnalysis;

/// A store, as a migration needs it.
struct Store<'a> {
    table: String,
    key: String,
    engine: Engine,
    schema: &'a Schema,
}

pub fn actions(
    uri: &Uri,
    analysis: &FileAnalysis,
    positions: &Positions,
    params: &CodeActionParams,
    preflight: &[Diagnostic],
    out: &mut Vec<CodeActionOrCommand>,
) {
    let Some(path) = uri.to_file_path().map(|p| p.into_owned()) else {
        return;
    };
    let Some(dir) = path.parent() else { return };
    let migrations = dir.join("migrations");
    let env = crate::environment::for_blueprint(&path).0;
    let blueprint = &analysis.blueprint;
    let is_ours = |d: &&Diagnostic| same_code(d, "BP312") || same_code(d, "BP313");
    let mut seen: Vec<(Option<NumberOrString>, Range)> = Vec::new();
    let candidates = params.context.diagnostics.iter().filter(is_ours).chain(
        preflight
            .iter()
            .filter(is_ours)
            .filter(|d| touches(&d.range, &params.range)),
    );
    let stamp = timestamp(SystemTime::now());
    for d in candidates {
        if seen.contains(&(d.code.clone(), d.range)) {
            continue;
        }
        seen.push((d.code.clone(), d.range));
        let offset = positions.offset(d.range.start);
        if same_code(d, "BP312") {
            let Some(store) = store_at_table(blueprint, &env, offset) else {
                continue;
            };
            let description = format!("create_{}", slug(&store.table));
            let sql = create_table(&store);
            let title = format!("Create migration for table `{}`", store.table);
            let file = migrations.join(format!("{stamp}_{description}.sql"));
            if let Some(action) = migration_action(title, &file, sql, d) {
                out.push(action);
            }
        } else {
            for (store, field) in stores_of_field(blueprint, &env, offset, &d.message) {
                let description =
                    format!("add_{}_to_{}", slug(&field.name.value), slug(&store.table));
                let sql = add_column(&store, field);
                let title = format!(
                    "Create migration adding column `{}` to `{}`",
                    field.name.value, store.table
                );
                let file = migrations.join(format!("{stamp}_{description}.sql"));
                if let Some(action) = migration_action(title, &file, sql, d) {
                    out.push(action);
                }
            }
        }
    }
}

fn migration_action(
    title: String,
    file: &std::path::Path,
    sql: String,
    diagnostic: &Diagnostic,
) -> Option<CodeActionOrCommand> {
    let uri = Uri::from_file_path(file)?;
    let create = DocumentChangeOperation::Op(ResourceOp::Create(CreateFile {
        uri: uri.clone(),
        options: Some(CreateFileOptions {
            overwrite: Some(false),
            ignore_if_exists: Some(true),
        }),
        annotation_id: None,
    }));
    let insert = DocumentChangeOperation::Edit(TextDocumentEdit {
        text_document: OptionalVersionedTextDocumentIdentifier { uri, version: None },
        edits: vec![OneOf::Left(TextEdit {
            range: Range::default(),
            new_text: sql,
        })],
    });
    Some(CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic.clone()]),
        edit: Some(WorkspaceEdit {
            document_changes: Some(DocumentChanges::Operations(vec![create, insert])),
            ..WorkspaceEdit::default()
        }),
        ..CodeAction::default()
    }))
}

fn store_of<'a>(
    blueprint: &'a Blueprint,
    env: &blueprint_grammars::interpolate::Environment,
    component: &'a Component,
) -> Option<Store<'a>> {
    let system = blueprint.system.as_ref()?;
    let settings = component.store.as_ref()?;
    let name = component.name_str()?;
    let schema_name = component.inputs.first()?.schema.as_ref()?;
    let schema = &blueprint.schema(&schema_name.value)?.schema;
    let database = system.database(&settings.database.as_ref()?.value)?;
    let engine = database.engine_kind.or_else(|| {
        let url = database.url.as_ref()?;
        Engine::from_url(&interpolate(&url.value, env).value)
    })?;
    Some(Store {
        table: settings
            .table
            .as_ref()
            .map_or_else(|| name.to_owned(), |t| t.value.clone()),
        key: settings
            .key
            .as_ref()
            .map_or_else(|| DEFAULT_KEY.to_owned(), |k| k.value.clone()),
        engine,
        schema,
    })
}

fn stores(blueprint: &Blueprint) -> impl Iterator<Item = &Component> {
    blueprint
        .system
        .iter()
        .flat_map(|s| &s.components)
        .filter(|c| c.kind == Some(ComponentType::Store) && c.store.is_some())
}

/// BP312 points at the store's `table` value (or its name when the table
/// is implicit).
fn store_at_table<'a>(
    blueprint: &'a Blueprint,
    env: &blueprint_grammars::interpolate::Environment,
    offset: usize,
) -> Option<Store<'a>> {
    let component = stores(blueprint).find(|c| {
        let store = c.store.as_ref().expect("filtered");
        match &store.table {
            Some(t) => t.span.contains(offset) || t.span.start == offset,
            None => c
                .name
                .as_ref()
                .is_some_and(|n| n.span.contains(offset) || n.span.start == offset),
        }
    })?;
    store_of(blueprint, env, component)
}

/// BP313 points at a schema field's name; every store of that schema (the
/// one the message names, when it names one) gets the column.
fn stores_of_field<'a>(
    blueprint: &'a Blueprint,
    env: &blueprint_grammars::interpolate::Environment,
    offset: usize,
    message: &str,
) -> Vec<(Store<'a>, &'a Field)> {
    let Some((schema_name, field)) = blueprint.schemas.iter().find_map(|s| {
        s.schema
            .properties
            .iter()
            .find(|f| f.name.span.contains(offset) || f.name.span.start == offset)
            .map(|f| (&s.name.value, f))
    }) else {
        return Vec::new();
    };
    let of_schema: Vec<&Component> = stores(blueprint)
        .filter(|c| {
            c.inputs
                .first()
                .and_then(|p| p.schema.as_ref())
                .is_some_and(|s| &s.value == schema_name)
        })
        .collect();
    let named: Vec<&Component> = of_schema
        .iter()
        .copied()
        .filter(|c| {
            c.name_str()
                .is_some_and(|n| message.contains(&format!("(store `{n}`)")))
        })
        .collect();
    let chosen = if named.is_empty() { of_schema } else { named };
    chosen
        .into_iter()
        .filter_map(|c| store_of(blueprint, env, c))
        .map(|s| (s, field))
        .collect()
}

/// `tasks` or `public.tasks`, quoted per engine.
fn quote(engine: Engine, identifier: &str) -> String {
    identifier
        .split('.')
        .map(|part| match engine {
            Engine::Mysql => format!("`{}`", part.replace('`', "``")),
            Engine::Postgres | Engine::Sqlite => format!("\"{}\"", part.replace('"', "\"\"")),
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// The column type for a field (see `preflight::types` for what the
/// pre-flight then accepts).
pub(super) fn column_type(engine: Engine, field: &Schema, is_key: bool) -> &'static str {
    let ty = field.type_name.as_ref().map(|t| t.value.as_str());
    let format = field.format.as_ref().map(|f| f.value.as_str());
    match (ty, engine) {
        (Some("string"), Engine::Postgres) => match format {
            Some("uuid") => "UUID",
            Some("date-time") => "TIMESTAMPTZ",
            Some("date") => "DATE",
            _ => "TEXT",
        },
        (Some("string"), Engine::Mysql) => match format {
            Some("uuid") => "CHAR(36)",
            Some("date-time") => "DATETIME",
            Some("date") => "DATE",
            // MySQL cannot index TEXT without a prefix length.
            _ if is_key => "VARCHAR(255)",
            _ => "TEXT",
        },
        (Some("string"), Engine::Sqlite) => "TEXT",
        (Some("integer"), _) => "BIGINT",
        (Some("number"), Engine::Postgres) => "DOUBLE PRECISION",
        (Some("number"), Engine::Mysql) => "DOUBLE",
        (Some("number"), Engine::Sqlite) => "REAL",
        (Some("boolean"), _) => "BOOLEAN",
        (Some("object" | "array"), Engine::Postgres) => "JSONB",
        (Some("object" | "array"), Engine::Mysql) => "JSON",
        (_, Engine::Mysql) if is_key => "VARCHAR(255)",
        _ => "TEXT",
    }
}

fn column_definition(store: &Store, field: &Field) -> String {
    let name = &field.name.value;
    let is_key = *name == store.key;
    let mut definition = format!(
        "{} {}",
        quote(store.engine, name),
        column_type(store.engine, &field.schema, is_key)
    );
    if is_key || store.schema.is_required(name) {
        definition.push_str(" NOT NULL");
    }
    definition
}

fn create_table(store: &Store) -> String {
    let mut lines: Vec<String> = store
        .schema
        .properties
        .iter()
        .map(|f| column_definition(store, f))
        .collect();
    if store.schema.field(&store.key).is_some() {
        lines.push(format!("PRIMARY KEY ({})", quote(store.engine, &store.key)));
    }
    format!(
        "-- Creates the table of the store's schema (generated by Blueprint).\nCREATE TABLE {} (\n    {}\n);\n",
        quote(store.engine, &store.table),
        lines.join(",\n    ")
    )
}

fn add_column(store: &Store, field: &Field) -> String {
    let note = if store.schema.is_required(&field.name.value) {
        "-- The field is required: on a table with rows, give the column a DEFAULT.\n"
    } else {
        ""
    };
    format!(
        "-- Adds the column for field `{}` (generated by Blueprint).\n{note}ALTER TABLE {} ADD COLUMN {};\n",
        field.name.value,
        quote(store.engine, &store.table),
        column_definition(store, field)
    )
}

/// A file-name-safe form of an identifier.
fn slug(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// `YYYYMMDDHHMMSS` in UTC, as sqlx-cli names migrations.
pub(super) fn timestamp(now: SystemTime) -> String {
    let secs = now
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}{:02}{:02}{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}
