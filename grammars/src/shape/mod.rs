//! The shape of the blueprint language, declared once.
//!
//! Every mapping a blueprint can hold (the file's root, `metadata`,
//! `system`, a database, a component, a port, a binding, a record schema,
//! and each component type's `configuration`) is a [`Shape`]: its keys, what
//! each key's value must look like ([`Kind`]), whether it is required, a
//! one-line doc, and its [`Status`] — canonical, legacy (accepted; the model
//! normalises it and another rule hints at the canonical form) or ignored
//! (an autocoder key Blueprint accepts but does not use, with the reason).
//!
//! One declaration serves several readers, so they cannot drift apart: the
//! L1/L2 validators walk the YAML tree against it, [`crate::json_schema`]
//! exports it for yaml-language-server, and hover and completion read the
//! docs from it ([`locate`] finds the shape and key at an offset). Adding a key is adding one line in [`language`] or
//! [`configuration`].
//!
//! Shapes are built once, lazily ([`std::sync::OnceLock`]), and live for the
//! whole program; a shape refers to another through a function pointer
//! ([`ShapeRef`]), which is what lets the record schema contain itself.

/// Declares a function returning a shape built once, on first use. Defined
/// before the submodules so that they see it (textual macro scope).
macro_rules! shape_fn {
    ($(#[$doc:meta])* $vis:vis fn $name:ident() $build:block) => {
        $(#[$doc])*
        $vis fn $name() -> &'static $crate::shape::Shape {
            static SHAPE: std::sync::OnceLock<$crate::shape::Shape> = std::sync::OnceLock::new();
            SHAPE.get_or_init(|| $build)
        }
    };
}

mod configuration;
mod format;
mod language;
mod locate;

pub use configuration::configuration;
pub use format::Format;
pub use language::{
    binding, component, database, metadata, metrics, observability, pool, port, resources, root,
    schema, system,
};
pub use locate::{locate, Location};

use crate::model::ComponentType;

/// A lazily built, program-lifetime shape.
pub type ShapeRef = fn() -> &'static Shape;

/// One mapping context of the language.
#[derive(Debug)]
pub struct Shape {
    /// Stable identifier (JSON Schema definition name), e.g. `component`,
    /// `configuration.Store`.
    pub id: &'static str,
    /// What one of these is called in messages ("component", "database").
    pub noun: &'static str,
    /// One line saying what this mapping is.
    pub doc: &'static str,
    pub fields: Vec<Field>,
    /// What to make of keys that are not in `fields`.
    pub other: OtherKeys,
}

/// One key of a [`Shape`].
#[derive(Debug)]
pub struct Field {
    pub key: &'static str,
    pub kind: Kind,
    pub status: Status,
    pub required: Required,
    /// One line for hovers and completion; for an ignored key, the reason
    /// Blueprint does not use it.
    pub doc: &'static str,
    /// A line to add when the key is missing (`name: task_api`).
    pub example: Option<&'static str>,
}

/// Whether a key is part of the canonical language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Part of the canonical form.
    Canonical,
    /// An older spelling the model still loads and normalises; the legacy
    /// rules (BP15x) report it with a rewrite, so the key walk must not.
    Legacy,
    /// An autocoder key that Blueprint accepts and does not use. The text
    /// is the reason, shown to the user.
    Ignored(&'static str),
    /// A container that is not canonical itself but holds keys of mixed
    /// status (component `resources`: ignored, except the legacy
    /// `resources.databases`); its keys are reported one by one.
    Mixed,
}

/// Whether a key must be present.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Required {
    No,
    Yes,
    /// Required unless one of these (legacy) keys is present instead, as
    /// `from` is unless the binding uses `from_component`.
    Unless(&'static [&'static str]),
}

/// Keys a shape does not list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OtherKeys {
    /// Reported as unknown (BP110 / BP200).
    Unknown,
    /// Accepted and reported as ignored, with this reason (component
    /// `resources.*`, whose autocoder keys are open-ended).
    Ignored(&'static str),
    /// Free-form: accepted silently (`metadata` is the user's own). A key
    /// that is a near miss of a listed key is still reported, since it is
    /// almost certainly a typo.
    Free,
}

/// What a value must look like.
#[derive(Debug)]
pub enum Kind {
    /// Anything (a schema's `default`).
    Any,
    /// Any mapping, whose contents are checked elsewhere (a component's
    /// `configuration`, per type, at L2) or belong to a legacy form.
    Mapping,
    String(Format),
    Integer {
        min: Option<i64>,
        max: Option<i64>,
    },
    Number {
        min: Option<f64>,
        max: Option<f64>,
    },
    Boolean,
    /// A string from a closed set.
    Enum(Vocab),
    /// A component type (its own kind because it has its own rule, BP130,
    /// and decides the shape of `configuration`).
    ComponentType,
    List(Box<Kind>),
    /// A mapping from user-chosen names to values (`databases`, `schemas`,
    /// a schema's `properties`); `noun` names one entry in messages.
    Map {
        value: Box<Kind>,
        noun: &'static str,
    },
    /// A mapping with the keys of a shape.
    Object(ShapeRef),
    /// One of several kinds, told apart by their YAML type (a binding's `to`
    /// is a string or a list).
    OneOf(Vec<Kind>),
}

/// A closed set of strings: the canonical spellings (suggested, listed in
/// messages) and aliases (accepted, but never suggested).
#[derive(Debug)]
pub struct Vocab {
    pub values: Vec<&'static str>,
    pub aliases: Vec<&'static str>,
}

impl Vocab {
    pub fn contains(&self, s: &str) -> bool {
        self.values.contains(&s) || self.aliases.contains(&s)
    }
}

impl Kind {
    pub fn string() -> Kind {
        Kind::String(Format::Any)
    }

    pub fn int(min: i64, max: i64) -> Kind {
        Kind::Integer {
            min: Some(min),
            max: Some(max),
        }
    }

    pub fn int_at_least(min: i64) -> Kind {
        Kind::Integer {
            min: Some(min),
            max: None,
        }
    }

    pub fn number(min: f64, max: f64) -> Kind {
        Kind::Number {
            min: Some(min),
            max: Some(max),
        }
    }

    pub fn list(item: Kind) -> Kind {
        Kind::List(Box::new(item))
    }

    pub fn map(value: Kind, noun: &'static str) -> Kind {
        Kind::Map {
            value: Box::new(value),
            noun,
        }
    }

    pub fn one_of(values: &[&'static str]) -> Kind {
        Kind::Enum(Vocab {
            values: values.to_vec(),
            aliases: Vec::new(),
        })
    }

    /// The shape of the mapping this kind describes, if it is one.
    pub fn object(&self) -> Option<&'static Shape> {
        match self {
            Kind::Object(shape) => Some(shape()),
            _ => None,
        }
    }

    /// "a string", "an integer between 1 and 65535", "a list": what is
    /// expected, for messages.
    pub fn describe(&self) -> String {
        match self {
            Kind::Any => "a value".into(),
            Kind::Mapping | Kind::Map { .. } | Kind::Object(_) => "a mapping".into(),
            Kind::String(_) | Kind::Enum(_) | Kind::ComponentType => "a string".into(),
            Kind::Integer { .. } => "an integer".into(),
            Kind::Number { .. } => "a number".into(),
            Kind::Boolean => "`true` or `false`".into(),
            Kind::List(_) => "a list".into(),
            Kind::OneOf(kinds) => {
                let mut names: Vec<String> = kinds.iter().map(Kind::describe).collect();
                names.dedup();
                match names.split_last() {
                    Some((last, rest)) if !rest.is_empty() => {
                        format!("{} or {last}", rest.join(", "))
                    }
                    _ => names.concat(),
                }
            }
        }
    }
}

impl Shape {
    /// The field for `key`, whatever its status.
    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// Every key this shape lists: canonical, legacy and ignored.
    pub fn known_keys(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.fields.iter().map(|f| f.key)
    }

    /// The keys to suggest and complete: canonical ones only.
    pub fn canonical_keys(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.fields
            .iter()
            .filter(|f| f.status == Status::Canonical)
            .map(|f| f.key)
    }

    // Builders, used by the declarations in `language` and `configuration`:
    // one call per key, so a new key is one line.

    fn new(id: &'static str, noun: &'static str, doc: &'static str) -> Shape {
        Shape {
            id,
            noun,
            doc,
            fields: Vec::new(),
            other: OtherKeys::Unknown,
        }
    }

    fn push(
        mut self,
        key: &'static str,
        kind: Kind,
        status: Status,
        required: Required,
        doc: &'static str,
    ) -> Shape {
        debug_assert!(
            self.field(key).is_none(),
            "`{key}` declared twice in `{}`",
            self.id
        );
        self.fields.push(Field {
            key,
            kind,
            status,
            required,
            doc,
            example: None,
        });
        self
    }

    /// An optional canonical key.
    fn key(self, key: &'static str, kind: Kind, doc: &'static str) -> Shape {
        self.push(key, kind, Status::Canonical, Required::No, doc)
    }

    /// A required canonical key.
    fn required(self, key: &'static str, kind: Kind, doc: &'static str) -> Shape {
        self.push(key, kind, Status::Canonical, Required::Yes, doc)
    }

    /// A canonical key required unless one of `unless` (legacy keys that
    /// say the same thing) is present.
    fn required_unless(
        self,
        key: &'static str,
        kind: Kind,
        unless: &'static [&'static str],
        doc: &'static str,
    ) -> Shape {
        self.push(key, kind, Status::Canonical, Required::Unless(unless), doc)
    }

    /// A legacy key: accepted, normalised by the model, reported by the
    /// legacy rules. `kind` is checked (shallowly, as the model reads it).
    fn legacy(self, key: &'static str, kind: Kind, doc: &'static str) -> Shape {
        self.push(key, kind, Status::Legacy, Required::No, doc)
    }

    /// An autocoder key Blueprint does not use, with the reason why.
    fn ignored(self, key: &'static str, reason: &'static str) -> Shape {
        self.push(
            key,
            Kind::Any,
            Status::Ignored(reason),
            Required::No,
            reason,
        )
    }

    /// A container of keys with mixed status.
    fn mixed(self, key: &'static str, shape: ShapeRef, doc: &'static str) -> Shape {
        self.push(key, Kind::Object(shape), Status::Mixed, Required::No, doc)
    }

    /// The line to suggest when the last key declared is missing.
    fn example(mut self, example: &'static str) -> Shape {
        if let Some(last) = self.fields.last_mut() {
            last.example = Some(example);
        }
        self
    }

    fn other(mut self, other: OtherKeys) -> Shape {
        self.other = other;
        self
    }
}

impl Field {
    pub fn is_required(&self) -> bool {
        !matches!(self.required, Required::No)
    }

    /// The line to suggest when this key is missing.
    pub fn example_line(&self) -> String {
        match self.example {
            Some(example) => example.to_owned(),
            None => format!("{}: ...", self.key),
        }
    }
}

/// Every shape reachable from the root and from each component type's
/// configuration, each once, in a stable order (root first). For the JSON
/// Schema export and for tests that check every shape.
pub fn all() -> Vec<&'static Shape> {
    let mut found: Vec<&'static Shape> = Vec::new();
    let mut pending: Vec<&'static Shape> = vec![root()];
    pending.extend(ComponentType::ALL.iter().map(|&t| configuration(t)));
    pending.reverse();
    while let Some(shape) = pending.pop() {
        if found.iter().any(|s| std::ptr::eq(*s, shape)) {
            continue;
        }
        found.push(shape);
        let mut nested = Vec::new();
        for field in &shape.fields {
            collect_objects(&field.kind, &mut nested);
        }
        nested.reverse();
        pending.extend(nested);
    }
    found
}

fn collect_objects(kind: &Kind, out: &mut Vec<&'static Shape>) {
    match kind {
        Kind::Object(shape) => out.push(shape()),
        Kind::List(item) => collect_objects(item, out),
        Kind::Map { value, .. } => collect_objects(value, out),
        Kind::OneOf(kinds) => kinds.iter().for_each(|k| collect_objects(k, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests;
