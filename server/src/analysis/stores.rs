//! L2: each store names a database that exists, stores records with a
//! schema, and keys them by a field of that schema.

use blueprint_grammars::model::Component;

use super::context::Context;
use super::rules;
use super::suggest::did_you_mean;
use super::Diagnostic;

/// The key a store uses when `configuration.key` is not set.
pub const DEFAULT_KEY: &str = "id";

pub fn check_store(cx: &Context, component: &Component, out: &mut Vec<Diagnostic>) {
    let Some(store) = &component.store else {
        return;
    };
    let Some(system) = cx.system() else { return };
    let name = component.name_str().unwrap_or("this store");
    let anchor = component.name.as_ref().map_or(component.span, |n| n.span);

    match &store.database {
        None => out.push(
            Diagnostic::new(
                &rules::STORE_WITHOUT_DATABASE,
                anchor,
                format!("store `{name}` names no database"),
            )
            .with_help(database_help(cx)),
        ),
        Some(db) if system.database(&db.value).is_none() => {
            let declared = system.databases.iter().map(|d| d.name.value.as_str());
            let mut diagnostic = Diagnostic::new(
                &rules::UNKNOWN_DATABASE,
                db.span,
                format!("no database `{}` in `system.databases`", db.value),
            );
            diagnostic = match did_you_mean(&db.value, declared) {
                Some(close) => diagnostic.with_suggestion(close),
                None => diagnostic.with_help(format!(
                    "define `{}` under `system.databases`, with its `engine` and `url`",
                    db.value
                )),
            };
            out.push(diagnostic);
        }
        Some(_) => {}
    }

    // The table's columns come from the schema of the store's input.
    let Some(input) = component.inputs.first() else {
        out.push(
            Diagnostic::new(&rules::STORE_WITHOUT_SCHEMA, anchor, format!("store `{name}` has no input port, so its table has no columns"))
                .with_help("add `inputs: [{ name: input, schema: YourRecord }]` with a schema defined under `schemas`"),
        );
        return;
    };
    let Some(schema_name) = &input.schema else {
        out.push(
            Diagnostic::new(
                &rules::STORE_WITHOUT_SCHEMA,
                input.name.span,
                format!(
                    "input `{}` of store `{name}` has no schema, so the table has no columns",
                    input.name.value
                ),
            )
            .with_help(
                "add `schema: YourRecord` to this port, with the schema defined under `schemas`",
            ),
        );
        return;
    };
    // An unknown schema is reported on the port by the schema checks.
    let Some(schema) = cx.schema(&schema_name.value) else {
        return;
    };
    let key = store.key.as_ref();
    let key_name = key.map_or(DEFAULT_KEY, |k| k.value.as_str());
    if schema.schema.field(key_name).is_none() {
        let fields: Vec<&str> = schema
            .schema
            .properties
            .iter()
            .map(|f| f.name.value.as_str())
            .collect();
        let span = key.map_or(anchor, |k| k.span);
        let message = match key {
            Some(_) => format!("key `{key_name}` is not a property of schema `{}`", schema_name.value),
            None => format!("store `{name}` has no `key`, and schema `{}` has no `{DEFAULT_KEY}` property to default to", schema_name.value),
        };
        let mut diagnostic = Diagnostic::new(&rules::STORE_KEY_NOT_IN_SCHEMA, span, message);
        diagnostic = match (key, did_you_mean(key_name, fields.iter().copied())) {
            (Some(_), Some(close)) => diagnostic.with_suggestion(close),
            _ if fields.is_empty() => diagnostic.with_help(format!(
                "declare the key field under `schemas.{}.properties`",
                schema_name.value
            )),
            _ => diagnostic.with_help(format!(
                "set `configuration.key` to one of: {}",
                fields.join(", ")
            )),
        };
        out.push(diagnostic);
    }
}

fn database_help(cx: &Context) -> String {
    let declared: Vec<&str> = cx.system().map_or(Vec::new(), |s| {
        s.databases.iter().map(|d| d.name.value.as_str()).collect()
    });
    match declared.as_slice() {
        [] => "define a database under `system.databases` (engine and url) and set `configuration.database` to its name".to_owned(),
        [one] => format!("add `database: {one}` under `configuration`"),
        many => format!("add `database: <name>` under `configuration`, one of: {}", many.join(", ")),
    }
}
