//! Anchors, aliases and merge keys, applied to the finished value tree.
//!
//! The walk goes in document order: an anchored node is recorded once all
//! of it has been seen (so an alias inside its own anchor is unknown, as
//! YAML wants), and a mapping's merge keys are applied once its values are
//! resolved (so an anchored mapping is recorded merged).

use std::collections::{HashMap, HashSet};

use super::convert::MAX_DEPTH;
use super::refs::Refs;
use super::{Entry, Node, SyntaxError, SyntaxErrorKind, Value};
use crate::span::Span;

/// Most nodes that alias expansion may produce in one text ("billion
/// laughs" guard).
pub(crate) const MAX_ALIAS_NODES: usize = 100_000;

struct Anchor {
    node: Node,
    count: usize,
    height: usize,
}

struct Resolver<'r> {
    refs: &'r Refs,
    anchors: HashMap<&'r str, Anchor>,
    next_key_anchor: usize,
    expanded: usize,
    errors: Vec<SyntaxError>,
    /// Aliases that produced an error, whose null should not also be
    /// reported as an invalid merge.
    failed: HashSet<Span>,
    limit_reported: bool,
    depth_reported: bool,
}

/// Resolves `root` in place; returns the errors found.
pub(crate) fn resolve(root: &mut Node, refs: &Refs) -> Vec<SyntaxError> {
    let mut r = Resolver {
        refs,
        anchors: HashMap::new(),
        next_key_anchor: 0,
        expanded: 0,
        errors: Vec::new(),
        failed: HashSet::new(),
        limit_reported: false,
        depth_reported: false,
    };
    r.walk(root, 0);
    r.errors
}

impl<'r> Resolver<'r> {
    /// Records the anchors on keys written before `pos`.
    fn key_anchors_before(&mut self, pos: usize) {
        while let Some((at, name, node)) = self.refs.key_anchors.get(self.next_key_anchor) {
            if *at >= pos {
                break;
            }
            self.next_key_anchor += 1;
            self.anchors.insert(
                name,
                Anchor {
                    node: node.clone(),
                    count: 1,
                    height: 1,
                },
            );
        }
    }

    fn walk(&mut self, node: &mut Node, depth: usize) {
        self.key_anchors_before(node.span.start);
        if node.is_null() {
            if let Some(name) = self.refs.aliases.get(&node.span) {
                self.expand(node, name, depth);
                return;
            }
        }
        match &mut node.value {
            Value::Sequence(items) => {
                for item in items {
                    self.walk(item, depth + 1);
                }
            }
            Value::Mapping(entries) => {
                let mut has_merge = false;
                for entry in entries.iter_mut() {
                    self.key_anchors_before(entry.key_span.start);
                    self.walk(&mut entry.value, depth + 1);
                    has_merge |= self.is_merge(entry);
                }
                if has_merge {
                    self.merge(entries);
                }
            }
            _ => {}
        }
        if let Some(name) = self.refs.anchors.get(&node.span.start) {
            let (count, height) = measure(node);
            self.anchors.insert(
                name,
                Anchor {
                    node: node.clone(),
                    count,
                    height,
                },
            );
        }
    }

    fn expand(&mut self, node: &mut Node, name: &str, depth: usize) {
        let span = node.span;
        let Some(anchor) = self.anchors.get(name) else {
            self.failed.insert(span);
            let name = name.to_owned();
            self.errors.push(SyntaxError {
                span,
                kind: SyntaxErrorKind::UnknownAlias { name },
            });
            return;
        };
        if depth + anchor.height > MAX_DEPTH {
            self.failed.insert(span);
            if !std::mem::replace(&mut self.depth_reported, true) {
                self.errors.push(SyntaxError {
                    span,
                    kind: SyntaxErrorKind::TooDeep,
                });
            }
            return;
        }
        if self.expanded + anchor.count > MAX_ALIAS_NODES {
            self.failed.insert(span);
            if !std::mem::replace(&mut self.limit_reported, true) {
                self.errors.push(SyntaxError {
                    span,
                    kind: SyntaxErrorKind::AliasExpansionLimit,
                });
            }
            return;
        }
        self.expanded += anchor.count;
        *node = anchor.node.clone();
    }

    fn is_merge(&self, entry: &Entry) -> bool {
        entry.key == "<<" && self.refs.merge_keys.contains(&entry.key_span.start)
    }

    /// Replaces each `<<` entry by the entries of the mapping(s) it names.
    /// Keys written in the mapping win over merged ones, and earlier
    /// sources over later ones.
    fn merge(&mut self, entries: &mut Vec<Entry>) {
        let explicit: HashSet<String> = entries
            .iter()
            .filter(|e| !self.is_merge(e))
            .map(|e| e.key.clone())
            .collect();
        let mut merged_keys: HashSet<String> = HashSet::new();
        let mut out = Vec::with_capacity(entries.len());
        for entry in std::mem::take(entries) {
            if !self.is_merge(&entry) {
                out.push(entry);
                continue;
            }
            let sources: Vec<&Node> = match &entry.value.value {
                Value::Mapping(_) => vec![&entry.value],
                Value::Sequence(items) => items.iter().collect(),
                _ => {
                    self.invalid_merge(entry.value.span);
                    continue;
                }
            };
            for source in sources {
                let Value::Mapping(source_entries) = &source.value else {
                    self.invalid_merge(source.span);
                    continue;
                };
                if self.expanded + source_entries.len() > MAX_ALIAS_NODES {
                    if !std::mem::replace(&mut self.limit_reported, true) {
                        let kind = SyntaxErrorKind::AliasExpansionLimit;
                        self.errors.push(SyntaxError {
                            span: source.span,
                            kind,
                        });
                    }
                    continue;
                }
                self.expanded += source_entries.len();
                for e in source_entries {
                    if !explicit.contains(&e.key) && merged_keys.insert(e.key.clone()) {
                        out.push(e.clone());
                    }
                }
            }
        }
        *entries = out;
    }

    fn invalid_merge(&mut self, span: Span) {
        if !self.failed.contains(&span) {
            self.errors.push(SyntaxError {
                span,
                kind: SyntaxErrorKind::InvalidMerge,
            });
        }
    }
}

/// Number of nodes in `node` and its height (a scalar is 1 high).
fn measure(node: &Node) -> (usize, usize) {
    let mut count = 0;
    let mut height = 0;
    let mut stack = vec![(node, 1)];
    while let Some((n, depth)) = stack.pop() {
        count += 1;
        height = height.max(depth);
        match &n.value {
            Value::Sequence(items) => stack.extend(items.iter().map(|i| (i, depth + 1))),
            Value::Mapping(entries) => stack.extend(entries.iter().map(|e| (&e.value, depth + 1))),
            _ => {}
        }
    }
    (count, height)
}
