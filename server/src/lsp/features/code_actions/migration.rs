//! Pre-flight quick fixes: a migration file (sqlx-cli naming,
//! `migrations/{timestamp}_{description}.sql` beside the blueprint) that
//! creates a missing table (BP312) or adds a missing column (BP313). The
//! server never runs DDL itself; the user reviews and applies the file.

use std::time::{SystemTime, UNIX_EPOCH};

use blueprint_generator::ddl;
use blueprint_grammars::interpolate::interpolate;
use blueprint_grammars::model::{Blueprint, Component, ComponentType, Engine, Field, Schema};
use blueprint_grammars::yaml::{Node, Value as YamlValue};
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
    env_file: &str,
    out: &mut Vec<CodeActionOrCommand>,
) {
    let Some(path) = uri.to_file_path().map(|p| p.into_owned()) else {
        return;
    };
    let Some(dir) = path.parent() else { return };
    let migrations = dir.join("migrations");
    let env = crate::environment::for_blueprint_with(&path, env_file).0;
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
            let sql = create_table(&store, &analysis.snapshot.text);
            let title = format!("Create migration for table `{}`", store.table);
            let file = migrations.join(format!("{stamp}_{description}.sql"));
            if let Some(action) = migration_action(title, &file, sql, d) {
                out.push(action);
            }
        } else {
            for (store, field) in stores_of_field(blueprint, &env, offset, &d.message) {
                let description =
                    format!("add_{}_to_{}", slug(&field.name.value), slug(&store.table));
                let Some(sql) = add_column(&store, field, &analysis.snapshot.text) else {
                    continue;
                };
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

/// The DDL is `blueprint_generator::ddl`'s, the same the generated store
/// runs for `migrations: auto`: every string is TEXT whatever its format
/// (the store binds strings as text, and PostgreSQL refuses text bound into
/// a `uuid` column), the key first and the PRIMARY KEY. The model does not
/// keep `maxLength`, which sizes a MySQL key's VARCHAR: it is read from the
/// YAML here.
fn columns(store: &Store, text: &str) -> Vec<ddl::Column> {
    let mut columns = ddl::columns(store.schema, &store.key);
    if store.engine == Engine::Mysql {
        if let (Some(key), Some(field)) = (columns.first_mut(), store.schema.field(&store.key)) {
            key.max_length = max_length(text, field.schema.span);
        }
    }
    columns
}

/// `maxLength` of the schema whose mapping spans `span` in `text`.
fn max_length(text: &str, span: blueprint_grammars::Span) -> Option<u64> {
    fn find(node: &Node, span: blueprint_grammars::Span) -> Option<&Node> {
        if node.span == span {
            return Some(node);
        }
        match &node.value {
            YamlValue::Mapping(entries) => entries.iter().find_map(|e| find(&e.value, span)),
            YamlValue::Sequence(items) => items.iter().find_map(|n| find(n, span)),
            _ => None,
        }
    }
    let parsed = blueprint_grammars::yaml::parse(text);
    let node = find(parsed.root.as_ref()?, span)?;
    let YamlValue::Mapping(entries) = &node.value else {
        return None;
    };
    match entries.iter().find(|e| e.key == "maxLength")?.value.value {
        YamlValue::Int(n) => u64::try_from(n).ok(),
        _ => None,
    }
}

fn create_table(store: &Store, text: &str) -> String {
    ddl::create_table_of(
        store.engine,
        &store.table,
        &store.key,
        &columns(store, text),
    )
}

fn add_column(store: &Store, field: &Field, text: &str) -> Option<String> {
    let column = columns(store, text)
        .into_iter()
        .find(|c| c.name == field.name.value)?;
    Some(ddl::add_column_of(
        store.engine,
        &store.table,
        &store.key,
        &column,
    ))
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
