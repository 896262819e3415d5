//! L1 structure: the blueprint's keys, types and values against the
//! language's shape ([`blueprint_grammars::shape`]).
//!
//! Reports BP109 not-a-blueprint, BP110 unknown-key, BP111 ignored-key,
//! BP112 wrong-type, BP113 missing-required, BP114 invalid-value, BP115
//! duplicate-key and BP130 unknown-component-type. Component
//! `configuration` is left to [`super::configuration`] (L2, per type), and
//! keys of legacy forms to [`super::legacy`].

mod report;
mod walk;

use blueprint_grammars::shape;
use blueprint_grammars::yaml::{Entry, Node, Value};

use super::rules;
use super::Diagnostic;

pub(crate) use walk::{head, Walker, CONFIGURATION};

/// Checks the structure of a whole file, given its YAML root.
pub fn check_structure(root: &Node, out: &mut Vec<Diagnostic>) {
    if check_file(root, true, out) {
        for (index, item) in component_items(root).iter().enumerate() {
            check_component_structure(item, index, out);
        }
        for entry in schema_entries(root) {
            check_schema_structure(entry, out);
        }
    }
}

/// Checks the structure of the file except its components and schema
/// definitions, which [`check_component_structure`] and
/// [`check_schema_structure`] check one at a time. Returns whether the file
/// is a blueprint (and so whether those should be checked).
pub fn check_structure_outside_items(root: &Node, out: &mut Vec<Diagnostic>) -> bool {
    check_file(root, true, out)
}

/// Checks the structure of one schema definition.
pub fn check_schema_structure(entry: &Entry, out: &mut Vec<Diagnostic>) {
    Walker::new(&walk::STRUCTURE, out).schema_def(entry);
}

/// The entries of the top-level `schemas`, then of legacy `system.schemas`:
/// the order in which the model lowers them.
pub fn schema_entries(root: &Node) -> Vec<&Entry> {
    let top = root
        .get("schemas")
        .and_then(Node::as_mapping)
        .unwrap_or(&[]);
    let legacy = root
        .get("system")
        .and_then(|s| s.get("schemas"))
        .and_then(Node::as_mapping)
        .unwrap_or(&[]);
    top.iter().chain(legacy).collect()
}

/// Checks the structure of the `index`th item of `system.components`.
pub fn check_component_structure(item: &Node, index: usize, out: &mut Vec<Diagnostic>) {
    Walker::new(&walk::STRUCTURE, out).component(item, index);
}

/// The items of `system.components`, when it is a list.
pub fn component_items(root: &Node) -> &[Node] {
    root.get("system")
        .and_then(|s| s.get("components"))
        .and_then(Node::as_sequence)
        .unwrap_or(&[])
}

/// Checks the file's structure (with or without its components).
///
/// A file without a top-level `system` is not a blueprint (autocoder's own
/// schema file, a docker-compose file that matched the glob): it gets one
/// BP109 and nothing else, rather than a warning on every key.
fn check_file(root: &Node, skip_items: bool, out: &mut Vec<Diagnostic>) -> bool {
    let Some(entries) = root.as_mapping() else {
        let found = match root.value {
            Value::Null => "nothing".to_owned(),
            _ => format!("a {}", root.type_name()),
        };
        out.push(
            Diagnostic::new(&rules::NOT_A_BLUEPRINT, head(root), format!("this file holds {found}, not a blueprint: add a top-level `system` section"))
                .with_help("a blueprint is a mapping with `system: { name: ..., components: [...] }` at the top level"),
        );
        return false;
    };
    if root.get("system").is_none() {
        // `System:` or `sytem:` is a typo, not another kind of file. An
        // edit distance, not the looser "did you mean" similarity, which
        // would take `SystemBlueprint` for one.
        let typo = entries
            .iter()
            .find(|e| strsim::damerau_levenshtein(&e.key.to_ascii_lowercase(), "system") <= 2);
        let diagnostic = match typo {
            Some(entry) => Diagnostic::new(&rules::NOT_A_BLUEPRINT, entry.key_span, format!("this file has no `system` section, so it is not a blueprint; `{}` should be `system`", entry.key))
                .with_help("did you mean `system`?")
                .with_replacement("Replace with `system`", "system"),
            None => Diagnostic::new(
                &rules::NOT_A_BLUEPRINT,
                entries.first().map_or(root.span, |e| e.key_span),
                "this file has no `system` section, so it is not a blueprint: add one, or do not check this file",
            )
            .with_help("a blueprint has `system: { name: ..., components: [...] }` at the top level"),
        };
        out.push(diagnostic);
        return false;
    }
    let anchor = entries.first().map_or(root.span, |e| e.key_span);
    let mut walker = Walker::new(&walk::STRUCTURE, out);
    walker.skip_items = skip_items;
    walker.mapping(root, shape::root(), "the file", anchor);
    true
}

#[cfg(test)]
mod tests;
