//! What can be recovered from ERROR nodes, where tree-sitter-yaml gave up
//! on part of the text but kept what it had recognised: pairs, items,
//! values, and `key : value` token runs.

use tree_sitter::{Node as TsNode, TreeCursor};

use super::convert::{for_children, span_of, Converter, MAX_DEPTH};
use super::prep;
use super::{Entry, Node, Value};
use crate::span::Span;

impl Converter<'_, '_> {
    /// An ERROR among a mapping's pairs: an unclosed flow collection right
    /// after `key:` becomes that key's value; pairs are kept.
    #[inline(never)]
    pub(super) fn salvage_into(
        &mut self,
        c: &mut TreeCursor<'_>,
        depth: usize,
        entries: &mut Vec<Entry>,
    ) {
        let err = c.node();
        let opens_flow = err.child(0).is_some_and(|o| {
            o.kind_id() == self.k.open_bracket || o.kind_id() == self.k.open_brace
        });
        let salvaged = self.salvage(c, depth + 1);
        if let Some(last) = entries.last_mut() {
            let awaiting = last.value.is_null() && last.value.span.is_empty();
            let bytes = self.text.as_bytes();
            let same_line = prep::line_start(bytes, last.value.span.start)
                == prep::line_start(bytes, err.start_byte());
            if opens_flow && awaiting && same_line {
                last.value = salvaged;
                return;
            }
        }
        if let Value::Mapping(found) = salvaged.value {
            entries.extend(found);
        }
    }

    /// What can be recovered from an ERROR node: its pairs (also `key :
    /// value` token runs) as a mapping, else its items as a sequence, else
    /// its single value, else null. An unclosed `[` or `{` gathers what
    /// follows it.
    #[inline(never)]
    pub(super) fn salvage(&mut self, c: &mut TreeCursor<'_>, depth: usize) -> Node {
        let err = c.node();
        let span = span_of(err);
        if depth >= MAX_DEPTH {
            return self.too_deep(span);
        }
        let indent = prep::column(self.text, err.start_byte()) as isize;
        let mut kids = Vec::new();
        for_children(c, |c| kids.push(c.node()));
        let mut entries = Vec::new();
        let mut items = Vec::new();
        let mut values: Vec<Node> = Vec::new();
        // A key followed by `:`, waiting for its value.
        let mut pending_key: Option<(String, Span)> = None;
        // The last value seen, which a following `:` makes a key.
        let mut last_value: Option<TsNode> = None;
        // An unclosed flow collection: whether a sequence, where, contents.
        let mut open: Option<(bool, usize, Vec<Node>, Vec<Entry>)> = None;
        for (i, &child) in kids.iter().enumerate() {
            let k = child.kind_id();
            let cursor = &mut child.walk();
            let mut done = None;
            if let Some((is_seq, _, seq, map)) = open.as_mut() {
                match self.slice(child) {
                    "]" | "}" => done = Some(child.end_byte()),
                    _ if k == self.k.flow_pair && !*is_seq => {
                        map.push(self.pair(cursor, depth + 1, indent))
                    }
                    _ if child.is_error() || (child.is_named() && k != self.k.comment) => {
                        let value = self.node(cursor, depth + 2, indent);
                        if *is_seq {
                            seq.push(value);
                        } else {
                            let (key, key_span) = self.key(cursor);
                            map.push(Entry {
                                key,
                                key_span,
                                value: Node::new(Value::Null, Span::empty(key_span.end)),
                            });
                        }
                    }
                    _ => {}
                }
                if i + 1 == kids.len() {
                    done = done.or(Some(child.end_byte()));
                }
                if let (Some(end), Some((is_seq, start, seq, map))) =
                    (done, open.take_if(|_| done.is_some()))
                {
                    let value = if is_seq {
                        Value::Sequence(seq)
                    } else {
                        Value::Mapping(map)
                    };
                    let node = Node::new(value, Span::new(start, end));
                    match pending_key.take() {
                        Some((key, key_span)) => entries.push(Entry {
                            key,
                            key_span,
                            value: node,
                        }),
                        None => values.push(node),
                    }
                }
                continue;
            }
            if k == self.k.open_bracket || k == self.k.open_brace {
                open = Some((
                    k == self.k.open_bracket,
                    child.start_byte(),
                    Vec::new(),
                    Vec::new(),
                ));
                if i + 1 == kids.len() {
                    let value = if k == self.k.open_bracket {
                        Value::Sequence(Vec::new())
                    } else {
                        Value::Mapping(Vec::new())
                    };
                    let node = Node::new(value, span_of(child));
                    match pending_key.take() {
                        Some((key, key_span)) => entries.push(Entry {
                            key,
                            key_span,
                            value: node,
                        }),
                        None => values.push(node),
                    }
                }
            } else if k == self.k.block_mapping_pair || k == self.k.flow_pair {
                entries.push(self.pair(cursor, depth, indent));
            } else if k == self.k.block_sequence_item {
                items.push(self.item(cursor, depth));
            } else if k == self.k.colon {
                if let Some((key, key_span)) = pending_key.take() {
                    entries.push(Entry {
                        key,
                        key_span,
                        value: Node::new(Value::Null, Span::empty(key_span.end)),
                    });
                }
                if let Some(key_node) = last_value.take() {
                    values.pop();
                    pending_key = Some(self.key(&mut key_node.walk()));
                }
            } else if child.is_error() {
                match self.salvage(cursor, depth + 1) {
                    Node {
                        value: Value::Mapping(found),
                        ..
                    } => entries.extend(found),
                    Node {
                        value: Value::Sequence(found),
                        ..
                    } => items.extend(found),
                    other if !other.is_null() => values.push(other),
                    _ => {}
                }
            } else if child.is_named() && k != self.k.comment {
                let value = self.node(cursor, depth + 1, indent);
                if let Some((key, key_span)) = pending_key.take() {
                    entries.push(Entry {
                        key,
                        key_span,
                        value,
                    });
                    last_value = None;
                } else {
                    last_value = Some(child);
                    values.push(value);
                }
            }
        }
        if let Some((key, key_span)) = pending_key {
            entries.push(Entry {
                key,
                key_span,
                value: Node::new(Value::Null, Span::empty(key_span.end)),
            });
        }
        self.source_end = span.end;
        if !entries.is_empty() {
            Node::new(Value::Mapping(entries), span)
        } else if !items.is_empty() {
            items.extend(values);
            Node::new(Value::Sequence(items), span)
        } else if values.len() == 1 {
            values.pop().unwrap_or_else(|| Node::new(Value::Null, span))
        } else {
            Node::new(Value::Null, span)
        }
    }
}
