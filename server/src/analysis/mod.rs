//! Analysis: the four validation tiers over one blueprint file.
//!
//! Input is source text plus the environment used for `${VAR}`
//! interpolation; output is a list of plain [`Diagnostic`]s with byte spans,
//! sorted by position. Nothing here knows about LSP or terminals.
//!
//! [`Analyzer`] keeps what the previous check of the same file left behind,
//! so that re-checking after an edit reparses incrementally and reuses the
//! results of every component whose text did not change (see [`memo`]).

pub mod bindings;
pub mod configuration;
mod context;
pub mod databases;
pub mod diagnostic;
pub mod generated;
pub mod graph;
pub mod legacy;
mod memo;
pub mod names;
pub mod rules;
pub mod schemas;
pub mod semantics;
pub mod stores;
pub mod structure;
pub mod suggest;
pub mod syntax;

pub use diagnostic::{Diagnostic, Edit, Fix, Related, Severity};
pub use rules::{Rule, Tier};

use blueprint_grammars::interpolate::Environment;
use blueprint_grammars::model::{self, Blueprint, Component};
use blueprint_grammars::yaml::{self, Node, ParsedYaml};
use blueprint_grammars::SourceText;

use context::Context;
use memo::Memo;

/// Checks one blueprint file through tiers L1-L4 (no database), from
/// scratch.
pub fn check(source: &SourceText, env: &Environment) -> Vec<Diagnostic> {
    Analyzer::default().check(source, env).diagnostics
}

/// Like [`check`], and also returns the model (which the pre-flight reads).
pub fn check_with_model(source: &SourceText, env: &Environment) -> Analysis {
    Analyzer::default().check(source, env)
}

/// Sorts diagnostics the way every check returns them: by position, then
/// code.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (a.span.start, a.span.end, a.rule.code).cmp(&(b.span.start, b.span.end, b.rule.code))
    });
}

/// The outcome of one check: diagnostics and the model they are about.
pub struct Analysis {
    pub diagnostics: Vec<Diagnostic>,
    pub blueprint: Blueprint,
}

/// Checks successive versions of one file, reusing work between them.
#[derive(Default)]
pub struct Analyzer {
    previous: Option<(String, ParsedYaml)>,
    memo: Memo,
}

impl Analyzer {
    pub fn check(&mut self, source: &SourceText, env: &Environment) -> Analysis {
        let text = source.as_str();
        let parsed = match &self.previous {
            Some((old_text, old)) => yaml::reparse(old, old_text, text),
            None => yaml::parse(text),
        };
        let blueprint = model::lower(parsed.root.as_ref(), text);
        let cx = Context::new(text, &blueprint, env);
        let mut out = Vec::new();

        // L1 structure, outside the items memoised below.
        syntax::check_syntax(source, &parsed.errors, &mut out);
        let root = parsed
            .root
            .as_ref()
            .filter(|root| structure::check_structure_outside_items(root, &mut out));
        legacy::check_legacy(&blueprint, &mut out);
        names::check_duplicate_components(&cx, &mut out);
        names::check_duplicate_schemas(&cx, &mut out);

        // Components and schema definitions one by one (their L1 structure
        // and L2 checks), memoised.
        let mut memo = std::mem::take(&mut self.memo).into_next_run();
        check_items(&cx, root, &mut memo, &mut out);
        self.memo = memo;

        // L2 across components.
        databases::check_databases(&cx, &mut out);

        // L3 system integration (the database pre-flight is separate).
        let edges = bindings::check_bindings(&cx, &mut out);
        graph::check_graph(&cx, &edges, &mut out);

        // L4 semantics.
        semantics::check_semantics(&cx, &edges, &mut out);

        drop(edges);
        drop(cx);
        self.previous = Some((text.to_owned(), parsed));
        Analysis {
            diagnostics: finish(out),
            blueprint,
        }
    }
}

/// The checks of each component and each schema definition, through the
/// memo. `root` is the YAML root when the file is a blueprint.
fn check_items(cx: &Context, root: Option<&Node>, memo: &mut Memo, out: &mut Vec<Diagnostic>) {
    // Lowering makes one component per item of `system.components`, and one
    // schema definition per entry of `schemas` then `system.schemas`, in
    // order: the model and the YAML items line up by index.
    let component_items = root.map_or(&[][..], structure::component_items);
    let context = memo::context_digest(cx);
    for (index, component) in cx.components().iter().enumerate() {
        out.extend(memo.component(component, context, |out| {
            if let Some(item) = component_items.get(index) {
                structure::check_component_structure(item, index, out);
            }
            check_component(cx, component, out)
        }));
    }
    let schema_entries = root.map(structure::schema_entries).unwrap_or_default();
    for (index, def) in cx.blueprint.schemas.iter().enumerate() {
        let source = cx.text.get(def.span.start..def.span.end).unwrap_or("");
        out.extend(memo.self_contained(source, def.span.start, |out| {
            if let Some(entry) = schema_entries.get(index) {
                structure::check_schema_structure(entry, out);
            }
            schemas::check_schema_def(def, out);
        }));
    }
}

/// The checks that read one component (and the schemas and databases it
/// refers to, which the memo's context digest covers). Every span they
/// report lies inside the component, so a memoised result can be moved with
/// it.
fn check_component(cx: &Context, component: &Component, out: &mut Vec<Diagnostic>) {
    names::check_duplicate_ports(component, out);
    if let (Some(kind), Some(config)) = (component.kind, &component.configuration) {
        configuration::check_configuration(kind, config, out);
    }
    schemas::check_port_schemas(cx, component, out);
    stores::check_store(cx, component, out);
}

fn mask_in_place(text: &mut String) {
    if !blueprint_grammars::interpolate::secret_spans(text).is_empty() {
        *text = blueprint_grammars::interpolate::mask_secrets(text);
    }
}

/// Masks secrets in messages, sorts by position and drops findings that another rule already explains
/// at the same place: a duplicate schema is also a duplicate YAML key (the
/// schema rule says more), and a value lost to a syntax problem (an alias
/// with no anchor reads as null) is not also of the wrong type.
fn finish(mut out: Vec<Diagnostic>) -> Vec<Diagnostic> {
    // A safety net under every rule: whatever a message quotes (a value the
    // user wrote, a URL), a password in it is masked.
    for d in &mut out {
        mask_in_place(&mut d.message);
        if let Some(help) = &mut d.help {
            mask_in_place(help);
        }
        d.related
            .iter_mut()
            .for_each(|r| mask_in_place(&mut r.message));
        d.fixes.iter_mut().for_each(|f| mask_in_place(&mut f.title));
    }
    use std::collections::HashSet;
    let is_syntax = |d: &Diagnostic| d.rule.code < "BP109";
    let is_shape =
        |d: &Diagnostic| [rules::WRONG_TYPE.code, rules::INVALID_VALUE.code].contains(&d.rule.code);
    let explained: HashSet<_> = out
        .iter()
        .filter(|d| is_syntax(d))
        .map(|d| d.span)
        .collect();
    let specific: HashSet<_> = out
        .iter()
        .filter(|d| d.rule.code != rules::DUPLICATE_KEY.code)
        .map(|d| d.span)
        .collect();
    let redundant = |d: &Diagnostic| {
        (d.rule.code == rules::DUPLICATE_KEY.code && specific.contains(&d.span))
            || (is_shape(d) && explained.contains(&d.span))
    };
    out.retain(|d| !redundant(d));
    sort(&mut out);
    out.dedup_by(|a, b| a.span == b.span && a.rule.code == b.rule.code && a.message == b.message);
    out
}
