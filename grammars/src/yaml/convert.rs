//! From tree-sitter-yaml's concrete syntax tree to [`Node`]s.
//!
//! Aliases, anchors and merge keys are only recorded here ([`Refs`]);
//! [`super::resolve`] applies them once all segments are stitched, so that
//! an anchored node split across segments is used whole.

use std::collections::{HashMap, HashSet};

use tree_sitter::{Node as TsNode, Tree, TreeCursor};

use super::prep;
use super::scalar;
use super::{Entry, Node, SyntaxError, SyntaxErrorKind, Value};
use crate::span::Span;

/// Deepest nesting of values built; deeper values become null with a
/// [`SyntaxErrorKind::TooDeep`]. Bounds the recursion here and in every
/// recursive walk over the result (including `Drop` and `Clone`).
pub(crate) const MAX_DEPTH: usize = 512;

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

/// Numeric ids of the node kinds used: comparing `kind()` strings costs a
/// `strlen` and a UTF-8 check per call.
struct Kinds {
    flow_node: u16,
    block_node: u16,
    block_mapping: u16,
    flow_mapping: u16,
    block_sequence: u16,
    flow_sequence: u16,
    block_mapping_pair: u16,
    flow_pair: u16,
    block_sequence_item: u16,
    plain_scalar: u16,
    double_quote_scalar: u16,
    single_quote_scalar: u16,
    block_scalar: u16,
    alias: u16,
    anchor: u16,
    tag: u16,
    comment: u16,
    document: u16,
    colon: u16,
    question: u16,
    open_bracket: u16,
    open_brace: u16,
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

/// The conversion of one segment's tree, kept with the segment so that a
/// reparse can reuse it when an edit left the segment's text alone.
#[derive(Default)]
pub(crate) struct Converted {
    /// Each document's span and value (`None` if empty).
    pub docs: Vec<(Span, Option<Node>)>,
    pub errors: Vec<SyntaxError>,
    pub refs: Refs,
    /// Anchors defined on scalars, as the keys they read as, in order; the
    /// next segments' `*alias :` keys look them up.
    pub anchor_keys: Vec<(String, String)>,
    /// Multi-line scalars and flow collections, inside which tabs may
    /// start a line; for block scalars, the content indentation.
    pub multiline: Vec<(Span, Option<usize>)>,
    /// Some key is an alias, so the conversion depends on earlier segments.
    pub uses_alias_keys: bool,
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
struct Converter<'s, 'a> {
    /// The original text: scalars are decoded from it, not from the text
    /// tree-sitter saw (which has tabs and NULs replaced).
    text: &'s str,
    k: Kinds,
    anchor_keys: &'a mut HashMap<String, String>,
    out: Converted,
    too_deep: bool,
    report_from: usize,
    /// End of the segment: a block scalar's trailing blank lines are not
    /// looked for beyond it, so the conversion depends on its text only.
    end: usize,
    /// Where the source of the construct converted last ends. Block
    /// collections end where their last entry does: tree-sitter's nodes
    /// sometimes take in the following line break and comments, more so
    /// where a segment ends, and spans must not depend on that.
    source_end: usize,
}

impl<'s> Converter<'s, '_> {
    fn error(&mut self, span: Span, kind: SyntaxErrorKind) {
        if span.start >= self.report_from {
            self.out.errors.push(SyntaxError { span, kind });
        }
    }

    fn slice(&self, n: TsNode<'_>) -> &'s str {
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

    fn too_deep(&mut self, span: Span) -> Node {
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
    fn node(&mut self, c: &mut TreeCursor<'_>, depth: usize, parent_indent: isize) -> Node {
        let n = c.node();
        if depth > MAX_DEPTH {
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

    fn scalar(&mut self, n: TsNode<'_>, force_string: bool, parent_indent: isize) -> Node {
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
            let (s, indent) = scalar::block_scalar(
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
                self.salvage_into(c, depth, &mut entries);
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

    /// An ERROR among a mapping's pairs: an unclosed flow collection right
    /// after `key:` becomes that key's value; pairs are kept.
    fn salvage_into(&mut self, c: &mut TreeCursor<'_>, depth: usize, entries: &mut Vec<Entry>) {
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
                match self.salvage(c, depth + 1) {
                    Node {
                        value: Value::Sequence(found),
                        ..
                    } => items.extend(found),
                    other if !other.is_null() => items.push(other),
                    _ => {}
                }
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

    fn item(&mut self, c: &mut TreeCursor<'_>, depth: usize) -> Node {
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
    fn pair(&mut self, c: &mut TreeCursor<'_>, depth: usize, indent: isize) -> Entry {
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
    fn key(&mut self, c: &mut TreeCursor<'_>) -> (String, Span) {
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
            scalar::block_scalar(
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

    /// What can be recovered from an ERROR node: its pairs (also `key :
    /// value` token runs) as a mapping, else its items as a sequence, else
    /// its single value, else null.
    fn salvage(&mut self, c: &mut TreeCursor<'_>, depth: usize) -> Node {
        let err = c.node();
        let span = span_of(err);
        if depth > MAX_DEPTH {
            return self.too_deep(span);
        }
        let indent = prep::column(self.text, err.start_byte()) as isize;
        let mut entries = Vec::new();
        let mut items = Vec::new();
        let mut values: Vec<Node> = Vec::new();
        // A key followed by `:`, waiting for its value.
        let mut pending_key: Option<(String, Span)> = None;
        // The last value seen, which a following `:` makes a key.
        let mut last_value: Option<TsNode> = None;
        let mut opens_seq = None;
        for_children(c, |c| {
            let child = c.node();
            let k = child.kind_id();
            opens_seq.get_or_insert(k == self.k.open_bracket);
            if k == self.k.block_mapping_pair || k == self.k.flow_pair {
                entries.push(self.pair(c, depth, indent));
            } else if k == self.k.block_sequence_item {
                items.push(self.item(c, depth));
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
                match self.salvage(c, depth + 1) {
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
                let value = self.node(c, depth + 1, indent);
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
        });
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
        } else if !items.is_empty() || (opens_seq == Some(true) && !values.is_empty()) {
            items.extend(values);
            Node::new(Value::Sequence(items), span)
        } else if values.len() == 1 {
            values.pop().unwrap_or_else(|| Node::new(Value::Null, span))
        } else {
            Node::new(Value::Null, span)
        }
    }

    fn spans_lines(&self, n: TsNode<'_>) -> bool {
        self.slice(n).contains(['\n', '\r'])
    }
}

/// Calls `f` with the cursor on each child of the node it is on, then puts
/// it back on that node.
fn for_children<'t>(c: &mut TreeCursor<'t>, mut f: impl FnMut(&mut TreeCursor<'t>)) {
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

fn span_of(n: TsNode<'_>) -> Span {
    Span::new(n.start_byte(), n.end_byte())
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
            anchors: self.refs.anchors.iter().map(|(&at, n)| (map(at), n.clone())).collect(),
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
/// [`MAX_DEPTH`], which converted values never exceed.
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
