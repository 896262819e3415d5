//! L1: duplicate component, port and schema names.

use std::collections::HashMap;

use blueprint_grammars::model::Component;
use blueprint_grammars::Spanned;

use super::context::Context;
use super::rules::{self, Rule};
use super::Diagnostic;

pub fn check_duplicate_components(cx: &Context, out: &mut Vec<Diagnostic>) {
    let names = cx.components().iter().filter_map(|c| c.name.as_ref());
    report_duplicates(names, &rules::DUPLICATE_COMPONENT, "component", out);
}

pub fn check_duplicate_schemas(cx: &Context, out: &mut Vec<Diagnostic>) {
    let names = cx.blueprint.schemas.iter().map(|s| &s.name);
    report_duplicates(names, &rules::DUPLICATE_SCHEMA, "schema", out);
}

/// Inputs and outputs share one namespace: a binding names `component.port`
/// without saying which side.
pub fn check_duplicate_ports(component: &Component, out: &mut Vec<Diagnostic>) {
    let names = component
        .inputs
        .iter()
        .chain(&component.outputs)
        .map(|p| &p.name);
    report_duplicates(names, &rules::DUPLICATE_PORT, "port", out);
}

fn report_duplicates<'a>(
    names: impl Iterator<Item = &'a Spanned<String>>,
    rule: &'static Rule,
    what: &str,
    out: &mut Vec<Diagnostic>,
) {
    let mut first: HashMap<&str, &Spanned<String>> = HashMap::new();
    for name in names {
        match first.get(name.value.as_str()) {
            Some(original) => out.push(
                Diagnostic::new(
                    rule,
                    name.span,
                    format!("{what} `{}` is defined twice", name.value),
                )
                .with_help(format!(
                    "rename one of them; names of {what}s must be unique"
                ))
                .with_related(original.span, "first defined here"),
            ),
            None => {
                first.insert(&name.value, name);
            }
        }
    }
}
