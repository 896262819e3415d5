//! What can be recovered from ERROR nodes, where tree-sitter-yaml gave up
//! on part of the text but kept what it had recognised: pairs, items,
//! values, `key : value` token runs and unclosed flow collections.

use tree_sitter::{Node as TsNode, TreeCursor};

use super::convert::{for_children, span_of, Converter, MAX_DEPTH};
use super::prep;
use super::{Entry, Node, Value};
use crate::span::Span;

/// Depth charged for an ERROR inside an ERROR: salvaging takes several
/// times the stack of converting a well-formed node.
const NESTED_ERROR_DEPTH: usize = 4;

/// What an ERROR node held.
pub(super) enum Salvaged {
    /// Mapping pairs.
    Entries(Vec<Entry>),
    /// Sequence items.
    Items(Vec<Node>),
    /// One value, such as an unclosed flow collection.
    Value(Node),
    Nothing,
}

impl Salvaged {
    fn into_node(self, span: Span) -> Node {
        match self {
            Salvaged::Entries(entries) => Node::new(Value::Mapping(entries), span),
            Salvaged::Items(items) => Node::new(Value::Sequence(items), span),
            Salvaged::Value(node) => node,
            Salvaged::Nothing => Node::new(Value::Null, span),
        }
    }
}

/// The parts of an ERROR node, gathered in order.
#[derive(Default)]
struct Parts {
    entries: Vec<Entry>,
    items: Vec<Node>,
    values: Vec<Node>,
    /// A key followed by `:`, waiting for its value.
    pending_key: Option<(String, Span)>,
}

impl Parts {
    fn value(&mut self, value: Node) {
        match self.pending_key.take() {
            Some((key, key_span)) => self.entries.push(Entry {
                key,
                key_span,
                value,
            }),
            None => self.values.push(value),
        }
    }

    /// Gives a waiting key the null value it was written with.
    fn close_key(&mut self) {
        if let Some((key, key_span)) = self.pending_key.take() {
            let value = Node::new(Value::Null, Span::empty(key_span.end));
            self.entries.push(Entry {
                key,
                key_span,
                value,
            });
        }
    }

    fn finish(mut self) -> Salvaged {
        self.close_key();
        if !self.entries.is_empty() {
            Salvaged::Entries(self.entries)
        } else if !self.items.is_empty() || self.values.len() > 1 {
            self.items.extend(self.values);
            Salvaged::Items(self.items)
        } else if let Some(value) = self.values.pop() {
            Salvaged::Value(value)
        } else {
            Salvaged::Nothing
        }
    }
}

/// A `[` or `{` in an ERROR node that was not closed (else tree-sitter
/// would have made a collection of it): what follows goes into it.
struct OpenFlow {
    is_seq: bool,
    start: usize,
    items: Vec<Node>,
    entries: Vec<Entry>,
}

impl OpenFlow {
    fn into_node(self, end: usize) -> Node {
        let value = if self.is_seq {
            Value::Sequence(self.items)
        } else {
            Value::Mapping(self.entries)
        };
        Node::new(value, Span::new(self.start, end))
    }
}

impl Converter<'_, '_> {
    /// An ERROR node as a value.
    pub(super) fn salvage(&mut self, c: &mut TreeCursor<'_>, depth: usize) -> Node {
        let span = span_of(c.node());
        let node = self.salvage_parts(c, depth).into_node(span);
        self.source_end = span.end;
        node
    }

    /// An ERROR among a mapping's pairs: its pairs are kept, and a value
    /// (an unclosed `[1, 2` say) on the line of a `key:` without a value
    /// becomes that key's value.
    pub(super) fn salvage_into_mapping(
        &mut self,
        c: &mut TreeCursor<'_>,
        depth: usize,
        entries: &mut Vec<Entry>,
    ) {
        let start = c.node().start_byte();
        match self.salvage_parts(c, depth + 1) {
            Salvaged::Entries(found) => entries.extend(found),
            Salvaged::Value(value) => {
                if let Some(last) = entries.last_mut() {
                    if self.awaits_value(&last.value, start) {
                        last.value = value;
                    }
                }
            }
            Salvaged::Items(_) | Salvaged::Nothing => {}
        }
        self.source_end = c.node().end_byte();
    }

    /// An ERROR among a sequence's items: its items are kept, and a value
    /// on the line of a `-` without a value becomes that item's value.
    pub(super) fn salvage_into_sequence(
        &mut self,
        c: &mut TreeCursor<'_>,
        depth: usize,
        items: &mut Vec<Node>,
    ) {
        let span = span_of(c.node());
        match self.salvage_parts(c, depth + 1) {
            Salvaged::Items(found) => items.extend(found),
            Salvaged::Value(value) => match items.last_mut() {
                Some(last) if self.awaits_value(last, span.start) => *last = value,
                _ => items.push(value),
            },
            Salvaged::Entries(found) => items.push(Node::new(Value::Mapping(found), span)),
            Salvaged::Nothing => {}
        }
        self.source_end = span.end;
    }

    /// Whether `value` is the null of a key or item written without a
    /// value, on the same line as `at`.
    fn awaits_value(&self, value: &Node, at: usize) -> bool {
        let bytes = self.text.as_bytes();
        value.is_null()
            && value.span.is_empty()
            && prep::line_start(bytes, value.span.start) == prep::line_start(bytes, at)
    }

    #[inline(never)]
    fn salvage_parts(&mut self, c: &mut TreeCursor<'_>, depth: usize) -> Salvaged {
        let err = c.node();
        if depth >= MAX_DEPTH {
            return Salvaged::Value(self.too_deep(span_of(err)));
        }
        let indent = prep::column(self.text, err.start_byte()) as isize;
        // Children are converted each with a cursor of its own: ERRORs are
        // rare, and the keys found in token runs need a second look.
        let mut kids = Vec::new();
        for_children(c, |c| kids.push(c.node()));
        let mut parts = Parts::default();
        // The last value seen, which a following `:` makes a key.
        let mut last_value: Option<TsNode> = None;
        let mut open: Option<OpenFlow> = None;
        for (i, &child) in kids.iter().enumerate() {
            let is_last = i + 1 == kids.len();
            let k = child.kind_id();
            let cursor = &mut child.walk();
            if let Some(flow) = open.as_mut() {
                let closes = matches!(self.slice(child), "]" | "}");
                if !closes {
                    self.add_to_flow(flow, cursor, depth, indent);
                }
                if let Some(flow) = open.take_if(|_| closes || is_last) {
                    parts.value(flow.into_node(child.end_byte()));
                }
                continue;
            }
            if k == self.k.open_bracket || k == self.k.open_brace {
                let flow = OpenFlow {
                    is_seq: k == self.k.open_bracket,
                    start: child.start_byte(),
                    items: Vec::new(),
                    entries: Vec::new(),
                };
                if is_last {
                    parts.value(flow.into_node(child.end_byte()));
                } else {
                    open = Some(flow);
                }
            } else if k == self.k.block_mapping_pair || k == self.k.flow_pair {
                parts.close_key();
                parts.entries.push(self.pair(cursor, depth, indent));
            } else if k == self.k.block_sequence_item {
                parts.items.push(self.item(cursor, depth));
            } else if k == self.k.colon {
                parts.close_key();
                if let Some(key_node) = last_value.take() {
                    parts.values.pop();
                    parts.pending_key = Some(self.key(&mut key_node.walk()));
                }
            } else if child.is_error() {
                match self.salvage_parts(cursor, depth + NESTED_ERROR_DEPTH) {
                    Salvaged::Entries(found) => parts.entries.extend(found),
                    Salvaged::Items(found) => parts.items.extend(found),
                    Salvaged::Value(value) => parts.value(value),
                    Salvaged::Nothing => {}
                }
            } else if child.is_named() && k != self.k.comment {
                let waiting = parts.pending_key.is_some();
                parts.value(self.node(cursor, depth + 1, indent));
                last_value = (!waiting).then_some(child);
            }
        }
        parts.finish()
    }

    /// Adds a child of an ERROR node to the unclosed flow collection before it.
    fn add_to_flow(
        &mut self,
        flow: &mut OpenFlow,
        c: &mut TreeCursor<'_>,
        depth: usize,
        indent: isize,
    ) {
        let child = c.node();
        let k = child.kind_id();
        if !(child.is_error() || child.is_named()) || k == self.k.comment {
            return;
        }
        if flow.is_seq {
            flow.items.push(self.node(c, depth + 2, indent));
        } else if k == self.k.flow_pair {
            flow.entries.push(self.pair(c, depth + 2, indent));
        } else {
            // `{a, b`: keys without values.
            let (key, key_span) = self.key(c);
            let value = Node::new(Value::Null, Span::empty(key_span.end));
            flow.entries.push(Entry {
                key,
                key_span,
                value,
            });
        }
    }
}
