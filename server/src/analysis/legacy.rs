//! L1: legacy forms, as hints naming the canonical form, with the rewrite
//! as a fix where lowering could express it.

use blueprint_grammars::model::{Blueprint, LegacyForm};

use super::diagnostic::Edit;
use super::rules::{self, Rule};
use super::Diagnostic;

pub fn check_legacy(blueprint: &Blueprint, out: &mut Vec<Diagnostic>) {
    for used in &blueprint.legacy {
        let (rule, what): (&'static Rule, &str) = match used.form {
            LegacyForm::ConfigKey => (&rules::LEGACY_CONFIG_KEY, "`config` is the legacy spelling"),
            LegacyForm::StoreDatabaseBlock => (
                &rules::LEGACY_STORE_DATABASE,
                "database settings inside a store are a legacy form",
            ),
            LegacyForm::StoreDatabaseKeys => (
                &rules::LEGACY_STORE_DATABASE,
                "this store setting is a legacy form",
            ),
            LegacyForm::ResourcesDatabases => (
                &rules::LEGACY_STORE_DATABASE,
                "`resources.databases` is a legacy form",
            ),
            LegacyForm::BindingObjectEndpoint => (
                &rules::LEGACY_BINDING_FORM,
                "an endpoint written as a mapping is a legacy form",
            ),
            LegacyForm::BindingSplitKeys => (
                &rules::LEGACY_BINDING_FORM,
                "`from_component`/`to_component` keys are a legacy form",
            ),
            LegacyForm::PortsMap => (&rules::LEGACY_PORTS_MAP, "a `ports:` map is a legacy form"),
            LegacyForm::SystemSchemas => (
                &rules::LEGACY_SCHEMAS_LOCATION,
                "`system.schemas` is a legacy location",
            ),
        };
        let mut diagnostic =
            Diagnostic::new(rule, used.span, format!("{what}; write {}", used.canonical));
        if !used.rewrite.is_empty() {
            let edits = used
                .rewrite
                .iter()
                .map(|(span, text)| Edit {
                    span: *span,
                    replacement: text.clone(),
                })
                .collect();
            diagnostic = diagnostic.with_fix("Rewrite in the canonical form", edits);
        }
        out.push(diagnostic);
    }
}
