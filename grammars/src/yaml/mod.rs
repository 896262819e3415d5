//! YAML as a spanned value tree, built from tree-sitter-yaml's concrete
//! syntax tree.
//!
//! tree-sitter gives us error recovery (one typo does not hide the rest of
//! the file) and incremental reparsing; this module turns its CST into
//! plain values that know where they were written: every [`Node`] carries
//! the byte span of its value, every [`Entry`] the span of its key.
//! Anchors and aliases are resolved (an alias becomes a copy of the anchored
//! node), merge keys (`<<`) are applied, and scalars are decoded (escapes,
//! block scalars, folding) and typed by the YAML 1.2 core schema.
//!
//! Building never panics, whatever the input: malformed input yields
//! [`SyntaxError`]s and as much of the tree as could be recovered.
//!
//! tree-sitter-yaml 0.7.2 needs help for that: its parse often stops at
//! the first serious error, it cannot get past row 32767, and its scanner
//! aborts the process on deep block nesting. `segment` and `prep` work
//! around all three (holes cut out of the text, segments stitched together,
//! nesting checked before parsing).

mod block_scalar;
mod build;
mod convert;
mod json;
mod prep;
mod refs;
mod resolve;
mod salvage;
mod scalar;
mod segment;
#[cfg(test)]
mod segment_tests;
mod split;
#[cfg(test)]
mod tests;

pub use build::{parse, reparse, ParsedYaml};

use crate::span::Span;

/// One YAML value and where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    /// Span of the value itself (not including a preceding key, anchor or tag).
    pub span: Span,
}

/// The value of a [`Node`].
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// An explicit or implicit null (`~`, `null`, or nothing after a key).
    Null,
    Bool(bool),
    /// Integers that fit in i64; larger ones are kept as [`Value::Float`].
    Int(i64),
    Float(f64),
    String(String),
    Sequence(Vec<Node>),
    Mapping(Vec<Entry>),
}

/// A key/value pair in a mapping. Keys are kept in source order and
/// duplicates are kept (the validator reports them).
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The key as a string (non-string keys are rendered in their source
    /// form, e.g. `1` or `true`).
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

/// What went wrong while reading the YAML.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub span: Span,
    pub kind: SyntaxErrorKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyntaxErrorKind {
    /// tree-sitter could not parse this text; `context` names the
    /// construct it was in (e.g. "block mapping") where known.
    Unexpected { text: String },
    /// tree-sitter expected something here that is missing (e.g. `]`).
    Missing { expected: String },
    /// The stream holds more than one document.
    MultipleDocuments,
    /// `*name` with no `&name` before it.
    UnknownAlias { name: String },
    /// `<<` whose value is not a mapping or a list of mappings.
    InvalidMerge,
    /// Tab characters used for indentation.
    TabIndentation,
    /// Nesting deeper than the parser accepts (guards the stack).
    TooDeep,
    /// Aliases expanding to more nodes than the parser accepts (guards
    /// against "billion laughs").
    AliasExpansionLimit,
}

impl Node {
    pub fn new(value: Value, span: Span) -> Self {
        Node { value, span }
    }

    /// The entries if this is a mapping.
    pub fn as_mapping(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Mapping(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn as_sequence(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Sequence(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self.value {
            Value::Int(i) => Some(i),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// First entry with key `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.as_mapping()?.iter().find(|e| e.key == key)
    }

    /// A scalar rendered as text (numbers and booleans in their canonical
    /// form), for messages and for places where YAML's typing is unwanted,
    /// such as a version written as `1.0`.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::String(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Null | Value::Sequence(_) | Value::Mapping(_) => None,
        }
    }

    /// The YAML type name of this value, for messages ("expected a mapping,
    /// found a string").
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::Float(_) => "number",
            Value::String(_) => "string",
            Value::Sequence(_) => "list",
            Value::Mapping(_) => "mapping",
        }
    }
}
