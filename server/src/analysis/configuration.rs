//! L2: each component's `configuration` against the keys its type takes
//! ([`blueprint_grammars::shape::configuration`]).
//!
//! Reports BP200 unknown-configuration-key (with "did you mean", and which
//! type the key belongs to when it is another type's), BP201
//! invalid-configuration (wrong type, out-of-range or malformed value, a
//! missing key inside a nested item), BP111 for autocoder keys Blueprint
//! ignores and BP115 for duplicate keys. Legacy store keys (`storage_type`,
//! `database: {type, ...}`, ...) are left to the legacy rules.

use blueprint_grammars::model::ComponentType;
use blueprint_grammars::shape;
use blueprint_grammars::yaml::Node;

use super::structure::{head, Walker, CONFIGURATION};
use super::Diagnostic;

/// Checks the `configuration` (or legacy `config`) of a component of type
/// `kind`. A value that is not a mapping is reported by the structure walk
/// (BP112), so nothing is reported here for it.
pub fn check_configuration(kind: ComponentType, configuration: &Node, out: &mut Vec<Diagnostic>) {
    if configuration.as_mapping().is_none() {
        return;
    }
    let shape = shape::configuration(kind);
    let start = out.len();
    Walker::new(&CONFIGURATION, out).mapping(configuration, shape, shape.noun, head(configuration));
    // A key of another type's configuration is a common slip (a Store's
    // `table` on the endpoint in front of it): say whose key it is.
    for diagnostic in &mut out[start..] {
        if diagnostic.rule.code != super::rules::UNKNOWN_CONFIGURATION_KEY.code
            || !diagnostic.fixes.is_empty()
        {
            continue;
        }
        let Some(key) = configuration
            .as_mapping()
            .and_then(|entries| entries.iter().find(|e| e.key_span == diagnostic.span))
            .map(|e| e.key.as_str())
        else {
            continue;
        };
        let owners: Vec<&str> = ComponentType::ALL
            .iter()
            .filter(|&&other| {
                other != kind
                    && shape::configuration(other)
                        .canonical_keys()
                        .any(|k| k == key)
            })
            .map(|t| t.as_str())
            .collect();
        if !owners.is_empty() {
            diagnostic.help = Some(format!(
                "`{key}` configures {}, not {}; remove it, or check the component's `type`",
                owners.join(" and "),
                kind.as_str()
            ));
        }
    }
}

#[cfg(test)]
mod tests;
