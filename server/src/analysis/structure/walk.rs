//! Walks a YAML tree against a [`Shape`], reporting unknown, ignored,
//! duplicate and missing keys, wrong types and invalid values.
//!
//! The same walk serves L1 (the file against the language's shapes) and L2
//! (a component's `configuration` against its type's shape); only the rule
//! codes differ ([`Codes`]).
//!
//! Two principles keep the output useful on real files:
//! - one problem, one diagnostic: a misspelt required key is reported once
//!   as unknown (with the fix), not again as missing; the second of two
//!   duplicate keys is reported and not walked (the model reads the first);
//!   a key of a legacy form is left to the legacy rules;
//! - spans are small: a key, a scalar, or the first line of a mapping,
//!   never a whole block.

use blueprint_grammars::model::ComponentType;
use blueprint_grammars::shape::{
    configuration, Field, Format, Kind, OtherKeys, Required, Shape, Status,
};
use blueprint_grammars::yaml::{Entry, Node, Value};
use blueprint_grammars::Span;

use crate::analysis::rules::{self, Rule};
use crate::analysis::suggest::did_you_mean;
use crate::analysis::Diagnostic;

use super::report::{component_types, shown};

/// The rules a walk reports with.
pub(crate) struct Codes {
    pub unknown_key: &'static Rule,
    pub wrong_type: &'static Rule,
    pub invalid_value: &'static Rule,
    pub missing_required: &'static Rule,
}

/// L1: the file's structure.
pub(crate) static STRUCTURE: Codes = Codes {
    unknown_key: &rules::UNKNOWN_KEY,
    wrong_type: &rules::WRONG_TYPE,
    invalid_value: &rules::INVALID_VALUE,
    missing_required: &rules::MISSING_REQUIRED,
};

/// L2: a component's configuration.
pub(crate) static CONFIGURATION: Codes = Codes {
    unknown_key: &rules::UNKNOWN_CONFIGURATION_KEY,
    wrong_type: &rules::INVALID_CONFIGURATION,
    invalid_value: &rules::INVALID_CONFIGURATION,
    missing_required: &rules::INVALID_CONFIGURATION,
};

pub(crate) struct Walker<'o> {
    pub(super) codes: &'static Codes,
    pub(super) out: &'o mut Vec<Diagnostic>,
    /// Leave components and schema definitions alone: they are walked one
    /// at a time by [`Walker::component`] and [`Walker::schema_def`], so that
    /// their results can be memoised one by one.
    pub(super) skip_items: bool,
}

/// Where a value sits: how to name it in messages and what span stands for
/// it when the value itself is a large block.
pub(super) struct At {
    /// "`port`", "each item of `inputs`", "database `main`".
    pub what: String,
    /// The key the value belongs to, if any.
    pub key_span: Option<Span>,
    /// For a list item: its index (a mapping item is then named by its
    /// `name`, or by its position).
    pub index: Option<usize>,
}

impl At {
    fn key(key: &str, key_span: Span) -> At {
        At {
            what: format!("`{key}`"),
            key_span: Some(key_span),
            index: None,
        }
    }
}

impl<'o> Walker<'o> {
    pub fn new(codes: &'static Codes, out: &'o mut Vec<Diagnostic>) -> Self {
        Walker {
            codes,
            out,
            skip_items: false,
        }
    }

    /// Walks the `index`th item of `system.components`.
    pub fn component(&mut self, item: &Node, index: usize) {
        let at = At {
            what: "each item of `components`".to_owned(),
            key_span: None,
            index: Some(index),
        };
        self.value(
            item,
            &Kind::Object(blueprint_grammars::shape::component),
            &at,
        );
    }

    /// Walks one entry of `schemas` (or legacy `system.schemas`).
    pub fn schema_def(&mut self, entry: &Entry) {
        let at = At {
            what: format!("schema `{}`", entry.key),
            key_span: Some(entry.key_span),
            index: None,
        };
        self.value(
            &entry.value,
            &Kind::Object(blueprint_grammars::shape::schema),
            &at,
        );
    }

    /// Checks a mapping against `shape`. `label` names it in messages
    /// ("`system`", "component `task_api`"); `anchor` is where a missing key
    /// is reported.
    pub fn mapping(&mut self, node: &Node, shape: &'static Shape, label: &str, anchor: Span) {
        let Some(entries) = node.as_mapping() else {
            return;
        };
        let within = if shape.id == "blueprint" {
            "at the top level".to_owned()
        } else {
            format!("in {label}")
        };
        let mut suggested: Vec<&'static str> = Vec::new();
        for (i, entry) in entries.iter().enumerate() {
            if self.duplicate(entries, i, &within) {
                continue;
            }
            let Some(field) = shape.field(&entry.key) else {
                if let Some(fix) = self.other_key(node, entry, shape, &within) {
                    suggested.push(fix);
                }
                continue;
            };
            match field.status {
                Status::Ignored(reason) => self.out.push(Diagnostic::new(
                    &rules::IGNORED_KEY,
                    entry.key_span,
                    format!("Blueprint ignores `{}` {within}: {reason}", entry.key),
                )),
                // Legacy keys are checked for type only as far as the model
                // reads them; their form is reported by the legacy rules.
                Status::Canonical | Status::Legacy | Status::Mixed => self.value(
                    &entry.value,
                    &field.kind,
                    &At::key(&entry.key, entry.key_span),
                ),
            }
        }
        for field in shape.fields.iter().filter(|f| f.is_required()) {
            if !is_present(node, field) && !suggested.contains(&field.key) {
                self.missing(field, label, anchor);
            }
        }
    }

    /// Reports the second and later uses of a key. Returns whether
    /// `entries[i]` is such a repeat (and so is not walked: the model reads
    /// the first).
    fn duplicate(&mut self, entries: &[Entry], i: usize, within: &str) -> bool {
        let entry = &entries[i];
        let Some(first) = entries[..i].iter().find(|e| e.key == entry.key) else {
            return false;
        };
        self.out.push(
            Diagnostic::new(
                &rules::DUPLICATE_KEY,
                entry.key_span,
                format!(
                    "`{}` appears twice {within}: Blueprint reads only the first",
                    entry.key
                ),
            )
            .with_help("remove one of them, or merge them")
            .with_related(first.key_span, "first used here"),
        );
        true
    }

    /// A key the shape does not list. Returns the key it was taken to be a
    /// misspelling of, if any.
    fn other_key(
        &mut self,
        node: &Node,
        entry: &Entry,
        shape: &'static Shape,
        within: &str,
    ) -> Option<&'static str> {
        // Keys already present are no suggestion: renaming to one would
        // make a duplicate.
        let candidates = shape.canonical_keys().filter(|k| node.get(k).is_none());
        let suggestion = did_you_mean(&entry.key, candidates);
        match (shape.other, suggestion) {
            (OtherKeys::Ignored(reason), None) => {
                self.out.push(Diagnostic::new(
                    &rules::IGNORED_KEY,
                    entry.key_span,
                    format!("Blueprint ignores `{}` {within}: {reason}", entry.key),
                ));
                return None;
            }
            (OtherKeys::Free, None) => return None,
            _ => {}
        }
        let mut diagnostic = Diagnostic::new(
            self.codes.unknown_key,
            entry.key_span,
            format!("unknown key `{}` {within}", entry.key),
        );
        diagnostic = match suggestion {
            Some(close) => diagnostic.with_suggestion(close),
            None => diagnostic.with_help(match misplaced(node, &entry.key, shape) {
                Some(place) => format!("`{}` belongs {place}", entry.key),
                None => format!("remove it; {within} the keys are {}", key_list(shape)),
            }),
        };
        self.out.push(diagnostic);
        suggestion
    }

    fn missing(&mut self, field: &Field, label: &str, anchor: Span) {
        let mut help = format!("add `{}`", field.example_line());
        if matches!(field.kind, Kind::ComponentType) {
            help.push_str(&format!("; the types are {}", component_types()));
        }
        self.out.push(
            Diagnostic::new(
                self.codes.missing_required,
                anchor,
                format!("{label} is missing `{}`", field.key),
            )
            .with_help(help),
        );
    }

    /// Checks one value against its kind.
    fn value(&mut self, node: &Node, kind: &Kind, at: &At) {
        // A null that was written out (`~`, `null`) says "no value", which
        // the model reads as absent; an unresolved alias also reads as a
        // null, and BP104 reports it. Only a key with nothing after it is
        // worth a "found nothing" (that null has an empty span).
        if node.is_null() && !node.span.is_empty() {
            return;
        }
        if self.skip_items
            && matches!(kind, Kind::Object(shape) if ["component", "schema"].contains(&shape().id))
        {
            return;
        }
        match (kind, &node.value) {
            (Kind::Any, _) => self.scan_duplicates(node),
            (Kind::Mapping, Value::Mapping(_)) => {}
            (Kind::String(format), Value::String(s)) => {
                if !format.check(s) {
                    self.invalid_format(node, *format, s, at);
                }
            }
            (Kind::String(Format::Semver), Value::Int(_) | Value::Float(_)) => {
                self.semver_number(node, at)
            }
            (Kind::Integer { min, max }, Value::Int(i)) => self.bounds(
                node,
                *i as f64,
                min.map(|m| m as f64),
                max.map(|m| m as f64),
                at,
            ),
            (Kind::Number { min, max }, Value::Int(_) | Value::Float(_)) => {
                let n = match node.value {
                    Value::Int(i) => i as f64,
                    Value::Float(f) => f,
                    _ => unreachable!(),
                };
                self.bounds(node, n, *min, *max, at);
            }
            (Kind::Boolean, Value::Bool(_)) => {}
            (Kind::Enum(vocab), Value::String(s)) => {
                if !vocab.contains(s) {
                    self.invalid_enum(node, s, vocab, at);
                }
            }
            (Kind::ComponentType, Value::String(s)) => {
                if ComponentType::parse(s).is_none() {
                    self.unknown_component_type(node, s);
                }
            }
            (Kind::List(item), Value::Sequence(items)) => {
                let what = format!("each item of {}", at.what);
                for (index, child) in items.iter().enumerate() {
                    self.value(
                        child,
                        item,
                        &At {
                            what: what.clone(),
                            key_span: None,
                            index: Some(index),
                        },
                    );
                }
            }
            (Kind::Map { value, noun }, Value::Mapping(entries)) => {
                let within = format!("in {}", at.what);
                for (i, entry) in entries.iter().enumerate() {
                    if !self.duplicate(entries, i, &within) {
                        self.value(
                            &entry.value,
                            value,
                            &At {
                                what: format!("{noun} `{}`", entry.key),
                                key_span: Some(entry.key_span),
                                index: None,
                            },
                        );
                    }
                }
            }
            (Kind::Object(shape), Value::Mapping(_)) => {
                let shape = shape();
                let (label, anchor) = match at.index {
                    Some(index) => (item_label(node, shape, index), head(node)),
                    None => (at.what.clone(), at.key_span.unwrap_or_else(|| head(node))),
                };
                self.mapping(node, shape, &label, anchor);
            }
            (Kind::OneOf(kinds), _) => match kinds.iter().find(|k| accepts(k, node)) {
                Some(kind) => self.value(node, kind, at),
                None => self.wrong_type(node, kind, at),
            },
            _ => self.wrong_type(node, kind, at),
        }
    }

    /// Duplicate keys anywhere inside a value that has no shape (a schema's
    /// `default`): YAML still keeps only one of them.
    fn scan_duplicates(&mut self, node: &Node) {
        match &node.value {
            Value::Mapping(entries) => {
                for (i, entry) in entries.iter().enumerate() {
                    if !self.duplicate(entries, i, "in this mapping") {
                        self.scan_duplicates(&entry.value);
                    }
                }
            }
            Value::Sequence(items) => items.iter().for_each(|item| self.scan_duplicates(item)),
            _ => {}
        }
    }
}

/// Whether a required key is there, or a legacy key that stands for it.
fn is_present(node: &Node, field: &Field) -> bool {
    node.get(field.key).is_some()
        || match field.required {
            Required::Unless(others) => others.iter().any(|k| node.get(k).is_some()),
            Required::No | Required::Yes => false,
        }
}

/// Whether a value's YAML type is the one `kind` expects (to pick among
/// the alternatives of [`Kind::OneOf`]).
fn accepts(kind: &Kind, node: &Node) -> bool {
    match (kind, &node.value) {
        (Kind::Any, _) => true,
        (Kind::Mapping | Kind::Map { .. } | Kind::Object(_), Value::Mapping(_)) => true,
        (Kind::String(_) | Kind::Enum(_) | Kind::ComponentType, Value::String(_)) => true,
        (Kind::Integer { .. }, Value::Int(_)) => true,
        (Kind::Number { .. }, Value::Int(_) | Value::Float(_)) => true,
        (Kind::Boolean, Value::Bool(_)) => true,
        (Kind::List(_), Value::Sequence(_)) => true,
        (Kind::OneOf(kinds), _) => kinds.iter().any(|k| accepts(k, node)),
        _ => false,
    }
}

/// Where a key that is unknown here belongs instead, when that is clear:
/// `components` at the top level belongs under `system`; `port` on an
/// APIEndpoint belongs under `configuration`.
fn misplaced(node: &Node, key: &str, shape: &Shape) -> Option<&'static str> {
    let canonical_in = |s: &Shape| s.field(key).is_some_and(|f| f.status == Status::Canonical);
    match shape.id {
        "blueprint" if canonical_in(blueprint_grammars::shape::system()) => Some("under `system`"),
        "system" if canonical_in(blueprint_grammars::shape::root()) => {
            Some("at the top level, not under `system`")
        }
        "component" => {
            let kind = node
                .get("type")
                .and_then(Node::as_str)
                .and_then(ComponentType::parse)?;
            canonical_in(configuration(kind)).then_some("under `configuration`")
        }
        _ => None,
    }
}

/// "component `task_api`", or "component #2" when it has no usable name.
fn item_label(node: &Node, shape: &Shape, index: usize) -> String {
    match node.get("name").and_then(Node::as_str) {
        Some(name) => format!("{} `{}`", shape.noun, shown(name)),
        None => format!("{} #{}", shape.noun, index + 1),
    }
}

/// The first line of a value, to anchor a diagnostic about all of it: a
/// mapping's first `key: scalar` (or key), a list's first item.
pub(crate) fn head(node: &Node) -> Span {
    match &node.value {
        Value::Mapping(entries) => match entries.first() {
            Some(first)
                if !matches!(first.value.value, Value::Mapping(_) | Value::Sequence(_))
                    && first.value.span.end > first.key_span.end =>
            {
                first.key_span.cover(first.value.span)
            }
            Some(first) => first.key_span,
            None => node.span,
        },
        Value::Sequence(items) => match items.first() {
            Some(first) => Span::new(node.span.start.min(first.span.start), head(first).end),
            None => node.span,
        },
        _ => node.span,
    }
}

fn key_list(shape: &Shape) -> String {
    shape
        .canonical_keys()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
