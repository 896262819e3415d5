//! L4: meaning across the graph. Required columns that no producer
//! guarantees, outputs nobody consumes, descriptions that name an engine the
//! configuration does not use.

use std::collections::{HashMap, HashSet};

use blueprint_grammars::model::{Component, ComponentType, Engine};
use blueprint_grammars::{scalar_sub_span, Span, Spanned};

use super::bindings::Edge;
use super::context::Context;
use super::rules;
use super::Diagnostic;

pub fn check_semantics(cx: &Context, edges: &[Edge], out: &mut Vec<Diagnostic>) {
    check_required_columns(cx, edges, out);
    check_outputs_consumed(cx, out);
    check_descriptions(cx, out);
}

/// A store's required column without a default must be guaranteed by some
/// producer feeding it; a producer whose schema declares the field but does
/// not require it may send records without it, and each such insert fails.
/// (A producer whose schema lacks the field entirely is an incompatible
/// binding, reported in L3.)
fn check_required_columns(cx: &Context, edges: &[Edge], out: &mut Vec<Diagnostic>) {
    let mut into: HashMap<(usize, &str), Vec<&Edge>> = HashMap::new();
    for edge in edges {
        into.entry((edge.to.component_index, edge.to.port.name.value.as_str()))
            .or_default()
            .push(edge);
    }
    for (index, store) in cx.components().iter().enumerate() {
        if store.kind != Some(ComponentType::Store) {
            continue;
        }
        let Some(input) = store.inputs.first() else {
            continue;
        };
        let Some(table) = input.schema.as_ref().and_then(|s| cx.schema(&s.value)) else {
            continue;
        };
        let producers = into
            .get(&(index, input.name.value.as_str()))
            .map_or(&[][..], Vec::as_slice);
        for column in &table.schema.properties {
            let name = &column.name.value;
            if !table.schema.is_required(name) || column.schema.has_default {
                continue;
            }
            let mut optional_in = None;
            let mut guaranteed = false;
            for edge in producers {
                let Some(sent) = edge
                    .from
                    .port
                    .schema
                    .as_ref()
                    .and_then(|s| cx.schema(&s.value))
                else {
                    guaranteed = true; // unknown: give it the benefit of the doubt
                    break;
                };
                match sent.schema.field(name) {
                    Some(field) if sent.schema.is_required(name) || field.schema.has_default => {
                        guaranteed = true
                    }
                    Some(field) => {
                        optional_in =
                            optional_in.or(Some((edge, &sent.name.value, field.name.span)))
                    }
                    None => {}
                }
            }
            let (false, Some((edge, schema_name, field_span))) = (guaranteed, optional_in) else {
                continue;
            };
            let producer = format!(
                "{}.{}",
                edge.from.endpoint.component.value, edge.from.port.name.value
            );
            out.push(
                Diagnostic::new(
                    &rules::REQUIRED_COLUMN_NOT_SUPPLIED,
                    input.name.span,
                    format!(
                        "store `{}` requires `{name}` (no default), but `{producer}` may omit it: `{schema_name}` does not require it",
                        store.name_str().unwrap_or("store")
                    ),
                )
                .with_help(format!("add `{name}` to `required` in `{schema_name}`, or give `{name}` a `default` in `{}`", table.name.value))
                .with_related(field_span, "declared optional here"),
            );
        }
    }
}

fn check_outputs_consumed(cx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(system) = cx.system() else { return };
    // Textual, so that a broken binding (reported in L3) still counts as an
    // attempt to consume the output.
    let consumed: HashSet<(&str, &str)> = system
        .bindings
        .iter()
        .filter_map(|b| b.from.as_ref())
        .filter_map(|e| Some((e.component.value.as_str(), e.port.as_ref()?.value.as_str())))
        .collect();
    for component in &system.components {
        let Some(name) = component.name_str() else {
            continue;
        };
        for port in &component.outputs {
            if !consumed.contains(&(name, port.name.value.as_str())) {
                out.push(
                    Diagnostic::new(
                        &rules::OUTPUT_NOT_CONSUMED,
                        port.name.span,
                        format!("nothing consumes output `{}` of `{name}`", port.name.value),
                    )
                    .with_help(format!(
                        "bind `{name}.{}` to an input, or remove the port",
                        port.name.value
                    )),
                );
            }
        }
    }
}

/// Descriptions are what people read first; one that says "PostgreSQL" over
/// a SQLite store misleads every reader.
fn check_descriptions(cx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(system) = cx.system() else { return };
    let engine_of = |c: &Component| {
        let db = c.store.as_ref()?.database.as_ref()?;
        system.database(&db.value)?.engine_kind
    };
    let used: HashSet<Engine> = system.components.iter().filter_map(engine_of).collect();
    for description in [
        cx.blueprint.natural_language_description.as_ref(),
        system.description.as_ref(),
    ]
    .into_iter()
    .flatten()
    {
        report_mentions(cx, description, &used, "the system uses", out);
    }
    for component in &system.components {
        let (Some(description), Some(engine)) = (&component.description, engine_of(component))
        else {
            continue;
        };
        report_mentions(
            cx,
            description,
            &HashSet::from([engine]),
            "this store uses",
            out,
        );
    }
}

fn report_mentions(
    cx: &Context,
    description: &Spanned<String>,
    configured: &HashSet<Engine>,
    whose: &str,
    out: &mut Vec<Diagnostic>,
) {
    if configured.is_empty() {
        return;
    }
    for (engine, range) in engine_mentions(&description.value) {
        if configured.contains(&engine) {
            continue;
        }
        let mut names: Vec<&str> = configured.iter().map(|e| e.display_name()).collect();
        names.sort_unstable();
        let span: Span = scalar_sub_span(
            cx.text,
            description.span,
            &description.value,
            range.start,
            range.len(),
        );
        out.push(
            Diagnostic::new(
                &rules::DESCRIPTION_CONTRADICTS_ENGINE,
                span,
                format!(
                    "the description says {} but {whose} {}",
                    engine.display_name(),
                    names.join(" and ")
                ),
            )
            .with_help("correct the description, or change the database's `engine` and `url`"),
        );
    }
}

/// Engines named in prose, with their byte ranges; whole words only, so
/// "postgres" inside "postgresql" is one mention.
pub fn engine_mentions(text: &str) -> Vec<(Engine, std::ops::Range<usize>)> {
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let at_boundary = i == 0 || !is_word(bytes[i - 1]);
        // Compare bytes, not `str` slices: `i` may be inside a multi-byte
        // character, and the names are ASCII.
        let hit = at_boundary
            .then(|| {
                Engine::ALL
                    .iter()
                    .flat_map(|e| e.prose_names().iter().map(move |n| (*e, *n)))
                    .filter(|(_, n)| bytes[i..].starts_with(n.as_bytes()))
                    .max_by_key(|(_, n)| n.len())
            })
            .flatten()
            .filter(|(_, n)| bytes.get(i + n.len()).is_none_or(|b| !is_word(*b)));
        match hit {
            Some((engine, name)) => {
                found.push((engine, i..i + name.len()));
                i += name.len();
            }
            None => i += 1,
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_engine_names_as_whole_words() {
        assert!(engine_mentions("Tasks for the café, on the côte").is_empty());
        let found = engine_mentions("Tasks in PostgreSQL (postgres), not mysqlx or SQLite.");
        let engines: Vec<Engine> = found.iter().map(|(e, _)| *e).collect();
        assert_eq!(
            engines,
            vec![Engine::Postgres, Engine::Postgres, Engine::Sqlite]
        );
        assert_eq!(found[0].1, 9..19);
    }
}
