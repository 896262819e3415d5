//! What converting a segment produces, kept with the segment for reuse:
//! values, errors, and the anchors, aliases and merge keys to resolve.

use std::collections::{HashMap, HashSet};

use super::{Entry, Node, SyntaxError, Value};
use crate::span::Span;

/// Anchors, aliases and merge keys met while converting.
#[derive(Default)]
pub(crate) struct Refs {
    /// Anchored nodes, by where the node starts: its end may still move
    /// when segments are stitched.
    pub anchors: HashMap<usize, String>,
    /// Alias placeholders (null nodes), by the alias's span.
    pub aliases: HashMap<Span, String>,
    /// `key_span.start` of the `<<` keys.
    pub merge_keys: HashSet<usize>,
    /// Anchors on keys, which are not in the tree: where they were defined,
    /// their name and value.
    pub key_anchors: Vec<(usize, String, Node)>,
}

impl Refs {
    /// Nothing to resolve: anchors alone change nothing.
    pub(crate) fn is_empty(&self) -> bool {
        self.aliases.is_empty() && self.merge_keys.is_empty()
    }

    pub(crate) fn extend_from(&mut self, other: &Refs) {
        self.anchors
            .extend(other.anchors.iter().map(|(s, n)| (*s, n.clone())));
        self.aliases
            .extend(other.aliases.iter().map(|(s, n)| (*s, n.clone())));
        self.merge_keys.extend(other.merge_keys.iter().copied());
        self.key_anchors.extend(other.key_anchors.iter().cloned());
    }
}

/// The conversion of one segment's tree, kept with the segment so that a
/// reparse can reuse it when an edit left the segment's text alone.
#[derive(Default)]
pub(crate) struct Converted {
    /// Each document's span and value (`None` if empty).
    pub docs: Vec<(Span, Option<Node>)>,
    pub errors: Vec<SyntaxError>,
    pub refs: Refs,
    /// Anchors defined in this segment with the text their nodes read as
    /// when used as keys, in order; later `*alias :` keys look them up.
    pub anchor_keys: Vec<(String, String)>,
    /// Multi-line scalars and flow collections, inside which tabs may
    /// start a line; for block scalars, the content indentation.
    pub multiline: Vec<(Span, Option<usize>)>,
    /// Some key is an alias, so the conversion depends on earlier segments.
    pub uses_alias_keys: bool,
}

impl Converted {
    /// This conversion with every offset moved by `map` (a segment whose
    /// text moved, unchanged, after an edit elsewhere).
    pub(crate) fn mapped(&self, map: &dyn Fn(usize) -> usize) -> Converted {
        let span = |s: Span| Span::new(map(s.start), map(s.end));
        let docs = self
            .docs
            .iter()
            .map(|(s, v)| (span(*s), v.as_ref().map(|v| map_node(v, &span))))
            .collect();
        let errors = self
            .errors
            .iter()
            .map(|e| SyntaxError {
                span: span(e.span),
                kind: e.kind.clone(),
            })
            .collect();
        let refs = Refs {
            anchors: self
                .refs
                .anchors
                .iter()
                .map(|(&at, n)| (map(at), n.clone()))
                .collect(),
            aliases: self
                .refs
                .aliases
                .iter()
                .map(|(s, n)| (span(*s), n.clone()))
                .collect(),
            merge_keys: self.refs.merge_keys.iter().map(|&k| map(k)).collect(),
            key_anchors: self
                .refs
                .key_anchors
                .iter()
                .map(|(at, n, v)| (map(*at), n.clone(), map_node(v, &span)))
                .collect(),
        };
        Converted {
            docs,
            errors,
            refs,
            anchor_keys: self.anchor_keys.clone(),
            multiline: self.multiline.iter().map(|(s, i)| (span(*s), *i)).collect(),
            uses_alias_keys: self.uses_alias_keys,
        }
    }
}

/// A copy of `node` with its spans mapped; recursion is bounded by
/// [`super::convert::MAX_DEPTH`], which converted values never exceed.
fn map_node(node: &Node, span: &dyn Fn(Span) -> Span) -> Node {
    let value = match &node.value {
        Value::Sequence(items) => {
            Value::Sequence(items.iter().map(|i| map_node(i, span)).collect())
        }
        Value::Mapping(entries) => Value::Mapping(
            entries
                .iter()
                .map(|e| Entry {
                    key: e.key.clone(),
                    key_span: span(e.key_span),
                    value: map_node(&e.value, span),
                })
                .collect(),
        ),
        other => other.clone(),
    };
    Node::new(value, span(node.span))
}
