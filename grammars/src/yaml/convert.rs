//! From tree-sitter-yaml's concrete syntax tree to [`Node`]s.
//!
//! Aliases, anchors and merge keys are only recorded here
//! ([`super::refs::Refs`]); [`super::resolve`] applies them once all
//! segments are stitched, so that an anchored node split across segments
//! is used whole. What is made of ERROR nodes is in [`super::salvage`].

use std::collections::HashMap;

use tree_sitter::{Node as TsNode, Tree, TreeCursor};

use super::block_scalar;
use super::prep;
use super::refs::Converted;
use super::scalar;
use super::{Entry, Node, SyntaxError, SyntaxErrorKind, Value};
use crate::span::Span;

/// Deepest nesting of values built; deeper values become null with a
/// [`SyntaxErrorKind::TooDeep`]. Bounds the recursion here and in every
/// recursive walk over the result (including `Drop` and `Clone`). Each
/// level costs about 1.5 KB of stack optimised and 6 KB unoptimised, so
/// 128 levels fit in a 1 MB thread stack either way; no blueprint nests
/// anywhere near that deep.
pub(crate) const MAX_DEPTH: usize = 128;

/// Numeric ids of the node kinds used: comparing `kind()` strings costs a
/// `strlen` and a UTF-8 check per call.
pub(super) struct Kinds {
    pub(super) flow_node: u16,
    pub(super) block_node: u16,
    pub(super) block_mapping: u16,
    pub(super) flow_mapping: u16,
    pub(super) block_sequence: u16,
    pub(super) flow_sequence: u16,
    pub(super) block_mapping_pair: u16,
    pub(super) flow_pair: u16,
    pub(super) block_sequence_item: u16,
    pub(super) plain_scalar: u16,
    pub(super) double_quote_scalar: u16,
    pub(super) single_quote_scalar: u16,
    pub(super) block_scalar: u16,
    pub(super) alias: u16,
    pub(super) anchor: u16,
    pub(super) tag: u16,
    pub(super) comment: u16,
    pub(super) document: u16,
    pub(super) colon: u16,
    pub(super) question: u16,
    pub(super) open_bracket: u16,
    pub(super) open_brace: u16,
}

impl Kinds {
    fn new() -> Self {
        let lang: tree_sitter::Language = tree_sitter_yaml::LANGUAGE.into();
        let named = |k: &str| lang.id_for_node_kind(k, true);
        let anon = |k: &str| lang.id_for_node_kind(k, false);
        Kinds {
            flow_node: named("flow_node"),
            block_node: named("block_node"),
            block_mapping: named("block_mapping"),
            flow_mapping: named("flow_mapping"),
            block_sequence: named("block_sequence"),
            flow_sequence: named("flow_sequence"),
            block_mapping_pair: named("block_mapping_pair"),
            flow_pair: named("flow_pair"),
            block_sequence_item: named("block_sequence_item"),
            plain_scalar: named("plain_scalar"),
            double_quote_scalar: named("double_quote_scalar"),
            single_quote_scalar: named("single_quote_scalar"),
            block_scalar: named("block_scalar"),
            alias: named("alias"),
            anchor: named("anchor"),
            tag: named("tag"),
            comment: named("comment"),
            document: named("document"),
            colon: anon(":"),
            question: anon("?"),
            open_bracket: anon("["),
            open_brace: anon("{"),
        }
    }

    fn is_scalar(&self, k: u16) -> bool {
        k == self.plain_scalar
            || k == self.double_quote_scalar
            || k == self.single_quote_scalar
            || k == self.block_scalar
    }
}

/// Converts the tree of a segment whose own text starts at `start` and
/// ends at `end` (errors before `start` are in the context lines and were
/// reported with the segment they belong to). `anchor_keys` carries anchors
/// usable as keys from segment to segment.
pub(crate) fn convert(
    text: &str,
    tree: &Tree,
    start: usize,
    end: usize,
    anchor_keys: &mut HashMap<String, String>,
) -> Converted {
    let mut conv = Converter {
        text,
        k: Kinds::new(),
        anchor_keys,
        out: Converted::default(),
        too_deep: false,
        report_from: start,
        end,
        source_end: start,
    };
    conv.out.docs = conv.documents(tree);
    conv.out
}

/// The tree is walked with a single cursor: every function taking one
/// expects it on the node to convert and leaves it there.
pub(super) struct Converter<'s, 'a> {
    /// The original text: scalars are decoded from it, not from the text
    /// tree-sitter saw (which has tabs and NULs replaced).
    pub(super) text: &'s str,
    pub(super) k: Kinds,
    anchor_keys: &'a mut HashMap<String, String>,
    pub(super) out: Converted,
    too_deep: bool,
    report_from: usize,
    /// End of the segment: a block scalar's trailing blank lines are not
    /// looked for beyond it, so the conversion depends on its text only.
    end: usize,
    /// Where the source of the construct converted last ends. Block
    /// collections end where their last entry does: tree-sitter's nodes
    /// sometimes take in the following line break and comments, more so
    /// where a segment ends, and spans must not depend on that.
    pub(super) source_end: usize,
}

impl<'s> Converter<'s, '_> {
    pub(super) fn error(&mut self, span: Span, kind: SyntaxErrorKind) {
        if span.start >= self.report_from {
            self.out.errors.push(SyntaxError { span, kind });
        }
    }

    pub(super) fn slice(&self, n: TsNode<'_>) -> &'s str {
        self.text.get(n.start_byte()..n.end_byte()).unwrap_or("")
    }

    /// The documents' values in one tree, in order.
    fn documents(&mut self, tree: &Tree) -> Vec<(Span, Option<Node>)> {
        self.syntax_errors(tree);
        let root = tree.root_node();
        let c = &mut tree.walk();
        let mut docs = Vec::new();
        let mut has_document = false;
        for_children(c, |c| has_document |= c.node().kind_id() == self.k.document);
        if root.is_error() && !has_document {
            docs.push((span_of(root), Some(self.salvage(c, 0))));
            return docs;
        }
        for_children(c, |c| {
            let n = c.node();
            if n.kind_id() == self.k.document {
                let mut value = None;
                for_children(c, |c| {
                    let k = c.node().kind_id();
                    if value.is_none()
                        && (k == self.k.block_node || k == self.k.flow_node || c.node().is_error())
                    {
                        value = Some(self.node(c, 0, -1));
                    }
                });
                docs.push((span_of(n), value));
            } else if n.is_error() {
                docs.push((span_of(n), Some(self.salvage(c, 0))));
            }
        });
        docs
    }

    /// Every ERROR (outermost only) and MISSING node, visiting only
    /// subtrees that contain one; iterative, so depth does not matter.
    fn syntax_errors(&mut self, tree: &Tree) {
        let root = tree.root_node();
        if !root.has_error() {
            return;
        }
        let mut cursor = root.walk();
        loop {
            let n = cursor.node();
            let mut descend = false;
            if n.is_error() {
                let text = prep::excerpt(self.slice(n));
                self.error(span_of(n), SyntaxErrorKind::Unexpected { text });
            } else if n.is_missing() {
                let expected = match n.kind() {
                    k if !n.is_named() => k.to_owned(),
                    k => k.replace('_', " "),
                };
                self.error(
                    Span::empty(n.start_byte()),
                    SyntaxErrorKind::Missing { expected },
                );
            } else {
                descend = n.has_error();
            }
            if descend && cursor.goto_first_child() {
                continue;
            }
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() {
                    return;
                }
            }
        }
    }

    #[inline(never)]
    pub(super) fn too_deep(&mut self, span: Span) -> Node {
        self.source_end = span.end;
        if !self.too_deep {
            self.too_deep = true;
            self.error(span, SyntaxErrorKind::TooDeep);
        }
        Node::new(Value::Null, span)
    }

    /// A value node. `parent_indent` is the column of the enclosing block
    /// collection (-1 at the top), which block scalars' indentation
    /// indicators are relative to.
    pub(super) fn node(
        &mut self,
        c: &mut TreeCursor<'_>,
        depth: usize,
        parent_indent: isize,
    ) -> Node {
        let n = c.node();
        if depth >= MAX_DEPTH {
            return self.too_deep(span_of(n));
        }
        let k = n.kind_id();
        let kinds = &self.k;
        if k == kinds.flow_node || k == kinds.block_node {
            self.with_properties(c, depth, parent_indent)
        } else if k == kinds.block_mapping || k == kinds.flow_mapping {
            self.mapping(c, depth)
        } else if k == kinds.block_sequence || k == kinds.flow_sequence {
            self.sequence(c, depth)
        } else if k == kinds.flow_pair || k == kinds.block_mapping_pair {
            let entry = self.pair(c, depth, parent_indent);
            Node::new(Value::Mapping(vec![entry]), span_of(n))
        } else if n.is_error() {
            self.salvage(c, depth)
        } else {
            self.scalar(n, false, parent_indent)
        }
    }

    fn with_properties(
        &mut self,
        c: &mut TreeCursor<'_>,
        depth: usize,
        parent_indent: isize,
    ) -> Node {
        let n = c.node();
        let mut anchor = None;
        let mut is_str = false;
        let mut node = None;
        for_children(c, |c| {
            let child = c.node();
            let k = child.kind_id();
            if k == self.k.anchor {
                anchor = Some(self.slice(child).trim_start_matches('&').to_owned());
            } else if k == self.k.tag {
                is_str = matches!(self.slice(child), "!!str" | "!<tag:yaml.org,2002:str>");
            } else if node.is_none() && child.is_named() && k != self.k.comment {
                node = Some(if is_str && self.k.is_scalar(k) {
                    self.scalar(child, true, parent_indent)
                } else {
                    self.node(c, depth, parent_indent)
                });
            }
        });
        let node = node.unwrap_or_else(|| {
            let value = if is_str {
                Value::String(String::new())
            } else {
                Value::Null
            };
            self.source_end = n.end_byte();
            Node::new(value, Span::empty(n.end_byte()))
        });
        if let Some(name) = anchor {
            if let Some(key) = self.key_text(&node) {
                self.anchor_key(&name, key);
            }
            self.out.refs.anchors.insert(node.span.start, name);
        }
        node
    }

    #[inline(never)]
    pub(super) fn scalar(
        &mut self,
        n: TsNode<'_>,
        force_string: bool,
        parent_indent: isize,
    ) -> Node {
        let raw = self.slice(n);
        let mut span = span_of(n);
        let k = n.kind_id();
        let value = if k == self.k.plain_scalar {
            let folded = scalar::fold_plain(raw);
            if raw.len() != folded.len() {
                self.out.multiline.push((span, None));
            }
            if force_string {
                Value::String(folded.into_owned())
            } else {
                scalar::plain_value(&folded)
            }
        } else if k == self.k.double_quote_scalar || k == self.k.single_quote_scalar {
            if raw.contains(['\n', '\r']) {
                self.out.multiline.push((span, None));
            }
            Value::String(if k == self.k.double_quote_scalar {
                scalar::double_quoted(raw)
            } else {
                scalar::single_quoted(raw)
            })
        } else if k == self.k.block_scalar {
            let (s, indent) = block_scalar::block_scalar(
                self.text,
                n.start_byte(),
                n.end_byte(),
                self.end,
                parent_indent,
            );
            // The node may or may not end with the final line break.
            span.end = span.start + raw.trim_end().len().max(1).min(raw.len());
            self.out
                .multiline
                .push((Span::new(span.start, n.end_byte()), Some(indent)));
            Value::String(s)
        } else if k == self.k.alias {
            let name = raw.trim_start_matches('*').to_owned();
            self.out.refs.aliases.insert(span, name);
            Value::Null
        } else {
            Value::Null
        };
        self.source_end = span.end;
        Node::new(value, span)
    }

    fn mapping(&mut self, c: &mut TreeCursor<'_>, depth: usize) -> Node {
        let n = c.node();
        let indent = prep::column(self.text, n.start_byte()) as isize;
        let flow = n.kind_id() == self.k.flow_mapping;
        if flow && self.spans_lines(n) {
            self.out.multiline.push((span_of(n), None));
        }
        let mut entries: Vec<Entry> = Vec::new();
        let mut end = n.start_byte();
        for_children(c, |c| {
            let child = c.node();
            let k = child.kind_id();
            if k == self.k.block_mapping_pair || k == self.k.flow_pair {
                entries.push(self.pair(c, depth, indent));
            } else if k == self.k.flow_node {
                // `{a, b: 1}`: a key without a value.
                let (key, key_span) = self.key(c);
                let value = Node::new(Value::Null, Span::empty(key_span.end));
                entries.push(Entry {
                    key,
                    key_span,
                    value,
                });
                self.source_end = key_span.end;
            } else if child.is_error() {
                self.salvage_into_mapping(c, depth, &mut entries);
            } else {
                return;
            }
            end = end.max(self.source_end);
        });
        self.source_end = if flow { n.end_byte() } else { end };
        Node::new(
            Value::Mapping(entries),
            Span::new(n.start_byte(), self.source_end),
        )
    }

    fn sequence(&mut self, c: &mut TreeCursor<'_>, depth: usize) -> Node {
        let n = c.node();
        let indent = prep::column(self.text, n.start_byte()) as isize;
        let flow = n.kind_id() == self.k.flow_sequence;
        if flow && self.spans_lines(n) {
            self.out.multiline.push((span_of(n), None));
        }
        let mut items = Vec::new();
        let mut end = n.start_byte();
        for_children(c, |c| {
            let child = c.node();
            let k = child.kind_id();
            if k == self.k.block_sequence_item {
                items.push(self.item(c, depth));
            } else if k == self.k.flow_node || k == self.k.flow_pair {
                items.push(self.node(c, depth + 1, indent));
            } else if child.is_error() {
                self.salvage_into_sequence(c, depth, &mut items);
            } else {
                return;
            }
            end = end.max(self.source_end);
        });
        self.source_end = if flow { n.end_byte() } else { end };
        Node::new(
            Value::Sequence(items),
            Span::new(n.start_byte(), self.source_end),
        )
    }

    pub(super) fn item(&mut self, c: &mut TreeCursor<'_>, depth: usize) -> Node {
        let item = c.node();
        let indent = prep::column(self.text, item.start_byte()) as isize;
        let mut value = None;
        let mut dash_end = item.end_byte();
        for_children(c, |c| {
            let child = c.node();
            if !child.is_named() {
                dash_end = dash_end.min(child.end_byte());
            } else if value.is_none() && child.kind_id() != self.k.comment {
                value = Some(self.node(c, depth + 1, indent));
            }
        });
        value.unwrap_or_else(|| {
            self.source_end = dash_end;
            Node::new(Value::Null, Span::empty(dash_end))
        })
    }

    /// A mapping pair; `indent` is the column of its mapping.
    pub(super) fn pair(&mut self, c: &mut TreeCursor<'_>, depth: usize, indent: isize) -> Entry {
        let pair = c.node();
        let mut key = None;
        let mut value = None;
        let mut colon_end = None;
        let mut is_merge = false;
        for_children(c, |c| {
            let child = c.node();
            let k = child.kind_id();
            if k == self.k.colon {
                colon_end = Some(child.end_byte());
            } else if k == self.k.question || k == self.k.comment || !child.is_named() {
            } else if colon_end.is_none() && key.is_none() {
                is_merge = self.slice(child) == "<<" && self.plain_key(c);
                key = Some(self.key(c));
            } else if colon_end.is_some() && value.is_none() {
                value = Some(self.node(c, depth + 1, indent));
            }
        });
        let (key, key_span) =
            key.unwrap_or_else(|| (String::new(), Span::empty(pair.start_byte())));
        if is_merge {
            self.out.refs.merge_keys.insert(key_span.start);
        }
        let value = value.unwrap_or_else(|| {
            self.source_end = colon_end.unwrap_or(key_span.end);
            Node::new(Value::Null, Span::empty(self.source_end))
        });
        Entry {
            key,
            key_span,
            value,
        }
    }

    /// Whether the key under the cursor is a plain scalar (`<<` is a merge
    /// key only when written plain).
    fn plain_key(&self, c: &mut TreeCursor<'_>) -> bool {
        let mut plain = c.node().kind_id() == self.k.plain_scalar;
        for_children(c, |c| plain |= c.node().kind_id() == self.k.plain_scalar);
        plain
    }

    /// A key as a string: scalars as written (quoted ones decoded), other
    /// keys as their source text.
    #[inline(never)]
    pub(super) fn key(&mut self, c: &mut TreeCursor<'_>) -> (String, Span) {
        let k = c.node();
        let mut anchor = None;
        let mut content = Some(k);
        if k.kind_id() == self.k.flow_node || k.kind_id() == self.k.block_node {
            content = None;
            for_children(c, |c| {
                let child = c.node();
                let id = child.kind_id();
                if id == self.k.anchor {
                    anchor = Some(self.slice(child).trim_start_matches('&').to_owned());
                } else if content.is_none()
                    && child.is_named()
                    && id != self.k.tag
                    && id != self.k.comment
                {
                    content = Some(child);
                }
            });
        }
        let Some(content) = content else {
            return (String::new(), Span::empty(k.end_byte()));
        };
        let span = span_of(content);
        let id = content.kind_id();
        let text = if id == self.k.plain_scalar {
            scalar::fold_plain(self.slice(content)).into_owned()
        } else if id == self.k.double_quote_scalar {
            scalar::double_quoted(self.slice(content))
        } else if id == self.k.single_quote_scalar {
            scalar::single_quoted(self.slice(content))
        } else if id == self.k.block_scalar {
            block_scalar::block_scalar(
                self.text,
                content.start_byte(),
                content.end_byte(),
                self.end,
                -1,
            )
            .0
        } else if id == self.k.alias {
            let name = self.slice(content).trim_start_matches('*');
            self.out.uses_alias_keys = true;
            match self.anchor_keys.get(name) {
                Some(key) => key.clone(),
                None => {
                    let name = name.to_owned();
                    self.error(span, SyntaxErrorKind::UnknownAlias { name });
                    self.slice(content).to_owned()
                }
            }
        } else {
            self.slice(content).trim().to_owned()
        };
        if let Some(name) = anchor {
            self.anchor_key(&name, text.clone());
            let value = if self.k.is_scalar(id) {
                self.scalar(content, false, -1).value
            } else {
                Value::String(text.clone())
            };
            self.out
                .refs
                .key_anchors
                .push((span.start, name, Node::new(value, span)));
        }
        (text, span)
    }

    fn anchor_key(&mut self, name: &str, key: String) {
        self.anchor_keys.insert(name.to_owned(), key.clone());
        self.out.anchor_keys.push((name.to_owned(), key));
    }

    /// How a node reads as a key: strings as they are, other scalars as
    /// written, collections as their source.
    fn key_text(&self, node: &Node) -> Option<String> {
        match &node.value {
            Value::String(s) => Some(s.clone()),
            _ => self
                .text
                .get(node.span.start..node.span.end)
                .map(|s| s.trim().to_owned()),
        }
    }

    fn spans_lines(&self, n: TsNode<'_>) -> bool {
        self.slice(n).contains(['\n', '\r'])
    }
}

/// Calls `f` with the cursor on each child of the node it is on, then puts
/// it back on that node.
pub(super) fn for_children<'t>(c: &mut TreeCursor<'t>, mut f: impl FnMut(&mut TreeCursor<'t>)) {
    if c.goto_first_child() {
        loop {
            f(c);
            if !c.goto_next_sibling() {
                break;
            }
        }
        c.goto_parent();
    }
}

pub(super) fn span_of(n: TsNode<'_>) -> Span {
    Span::new(n.start_byte(), n.end_byte())
}
