//! From tree-sitter-yaml's concrete syntax tree to [`Node`]s.
//!
//! Aliases, anchors and merge keys are only recorded here ([`Refs`]);
//! [`super::resolve`] applies them once all segments are stitched, so that
//! an anchored node split across segments is used whole.

use std::collections::{HashMap, HashSet};

use tree_sitter::{Node as TsNode, Tree};

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
    /// Anchored nodes, by the node's span.
    pub anchors: HashMap<Span, String>,
    /// Alias placeholders (null nodes), by the alias's span.
    pub aliases: HashMap<Span, String>,
    /// `key_span.start` of the `<<` keys.
    pub merge_keys: HashSet<usize>,
    /// Anchors on keys, which are not in the tree: where they were defined,
    /// their name and value.
    pub key_anchors: Vec<(usize, String, Node)>,
}

impl Refs {
    pub(crate) fn is_empty(&self) -> bool {
        self.aliases.is_empty() && self.merge_keys.is_empty()
    }
}

/// State shared by the conversion of all segments of one text.
pub(crate) struct Converter<'s> {
    /// The original text: scalars are decoded from it, not from the text
    /// tree-sitter saw (which has tabs and NULs replaced).
    text: &'s str,
    pub errors: Vec<SyntaxError>,
    pub refs: Refs,
    /// How anchored scalars read as keys, for `*alias : value`.
    anchor_keys: HashMap<String, String>,
    /// Multi-line scalars and flow collections, inside which tabs may
    /// start a line; for block scalars, the content indentation.
    pub multiline: Vec<(Span, Option<usize>)>,
    too_deep: bool,
    /// Errors before this offset are in context lines, already reported.
    report_from: usize,
}

impl<'s> Converter<'s> {
    pub(crate) fn new(text: &'s str) -> Self {
        Converter {
            text,
            errors: Vec::new(),
            refs: Refs::default(),
            anchor_keys: HashMap::new(),
            multiline: Vec::new(),
            too_deep: false,
            report_from: 0,
        }
    }

    fn error(&mut self, span: Span, kind: SyntaxErrorKind) {
        if span.start >= self.report_from {
            self.errors.push(SyntaxError { span, kind });
        }
    }

    fn slice(&self, n: TsNode<'_>) -> &'s str {
        self.text.get(n.start_byte()..n.end_byte()).unwrap_or("")
    }

    /// The documents' values in one tree, in order; errors in the tree
    /// before `report_from` are left out.
    pub(crate) fn documents(&mut self, tree: &Tree, report_from: usize) -> Vec<(Span, Option<Node>)> {
        self.report_from = report_from;
        self.syntax_errors(tree);
        let root = tree.root_node();
        let mut cursor = root.walk();
        let top: Vec<TsNode> = root.named_children(&mut cursor).collect();
        let mut docs = Vec::new();
        if root.kind() == "ERROR" && !top.iter().any(|n| n.kind() == "document") {
            let value = self.salvage(root, 0);
            docs.push((span_of(root), Some(value)));
            return docs;
        }
        for n in top {
            match n.kind() {
                "document" => {
                    let content = super::segment::content_of(n);
                    let value = content.map(|c| self.node(c, 0, -1));
                    docs.push((span_of(n), value));
                }
                "ERROR" => {
                    let value = self.salvage(n, 0);
                    docs.push((span_of(n), Some(value)));
                }
                _ => {}
            }
        }
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
                self.error(Span::empty(n.start_byte()), SyntaxErrorKind::Missing { expected });
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
        if !self.too_deep {
            self.too_deep = true;
            self.error(span, SyntaxErrorKind::TooDeep);
        }
        Node::new(Value::Null, span)
    }

    /// A value node. `parent_indent` is the column of the enclosing block
    /// collection (-1 at the top), which block scalars' indentation
    /// indicators are relative to.
    fn node(&mut self, n: TsNode<'_>, depth: usize, parent_indent: isize) -> Node {
        if depth > MAX_DEPTH {
            return self.too_deep(span_of(n));
        }
        match n.kind() {
            "flow_node" | "block_node" => self.with_properties(n, depth, parent_indent),
            "block_mapping" | "flow_mapping" => self.mapping(n, depth),
            "block_sequence" | "flow_sequence" => self.sequence(n, depth),
            "flow_pair" | "block_mapping_pair" => {
                let entry = self.pair(n, depth, parent_indent);
                Node::new(Value::Mapping(entry.into_iter().collect()), span_of(n))
            }
            "ERROR" => self.salvage(n, depth),
            _ => self.scalar(n, false, parent_indent),
        }
    }

    fn with_properties(&mut self, n: TsNode<'_>, depth: usize, parent_indent: isize) -> Node {
        let mut anchor = None;
        let mut is_str = false;
        let mut content = None;
        let mut cursor = n.walk();
        for child in n.named_children(&mut cursor) {
            match child.kind() {
                "anchor" => anchor = Some(self.slice(child).trim_start_matches('&').to_owned()),
                "tag" => is_str = matches!(self.slice(child), "!!str" | "!<tag:yaml.org,2002:str>"),
                "comment" => {}
                _ if content.is_none() => content = Some(child),
                _ => {}
            }
        }
        let node = match content {
            Some(c) if is_str && is_scalar(c.kind()) => self.scalar(c, true, parent_indent),
            Some(c) => self.node(c, depth, parent_indent),
            None => {
                let value = if is_str { Value::String(String::new()) } else { Value::Null };
                Node::new(value, Span::empty(n.end_byte()))
            }
        };
        if let Some(name) = anchor {
            if let Some(key) = self.key_text(&node) {
                self.anchor_keys.insert(name.clone(), key);
            }
            self.refs.anchors.insert(node.span, name);
        }
        node
    }

    fn scalar(&mut self, n: TsNode<'_>, force_string: bool, parent_indent: isize) -> Node {
        let raw = self.slice(n);
        let mut span = span_of(n);
        let value = match n.kind() {
            "plain_scalar" => {
                let folded = scalar::fold_plain(raw);
                if raw.len() != folded.len() {
                    self.multiline.push((span, None));
                }
                if force_string {
                    Value::String(folded.into_owned())
                } else {
                    scalar::plain_value(&folded)
                }
            }
            "double_quote_scalar" => Value::String(scalar::double_quoted(raw)),
            "single_quote_scalar" => Value::String(scalar::single_quoted(raw)),
            "block_scalar" => {
                let (s, indent) = scalar::block_scalar(self.text, n.start_byte(), n.end_byte(), parent_indent);
                // The node may or may not end with the final line break.
                span.end = span.start + raw.trim_end().len().max(1).min(raw.len());
                self.multiline.push((Span::new(span.start, n.end_byte()), Some(indent)));
                Value::String(s)
            }
            "alias" => {
                let name = raw.trim_start_matches('*').to_owned();
                self.refs.aliases.insert(span, name);
                Value::Null
            }
            _ => Value::Null,
        };
        if matches!(n.kind(), "double_quote_scalar" | "single_quote_scalar") && raw.contains(['\n', '\r']) {
            self.multiline.push((span, None));
        }
        Node::new(value, span)
    }

    fn mapping(&mut self, n: TsNode<'_>, depth: usize) -> Node {
        let indent = prep::column(self.text, n.start_byte()) as isize;
        let flow = n.kind() == "flow_mapping";
        if flow && self.spans_lines(n) {
            self.multiline.push((span_of(n), None));
        }
        let mut entries: Vec<Entry> = Vec::new();
        let mut cursor = n.walk();
        for child in n.named_children(&mut cursor) {
            match child.kind() {
                "block_mapping_pair" | "flow_pair" => entries.extend(self.pair(child, depth, indent)),
                // `{a, b: 1}`: a key without a value.
                "flow_node" => {
                    let (key, key_span) = self.key(child);
                    let value = Node::new(Value::Null, Span::empty(key_span.end));
                    entries.push(Entry { key, key_span, value });
                }
                "ERROR" => self.salvage_into(child, depth, &mut entries),
                _ => {}
            }
        }
        Node::new(Value::Mapping(entries), span_of(n))
    }

    /// An ERROR among a mapping's pairs: an unclosed flow collection right
    /// after `key:` becomes that key's value; pairs are kept.
    fn salvage_into(&mut self, err: TsNode<'_>, depth: usize, entries: &mut Vec<Entry>) {
        let opens_flow = err.child(0).is_some_and(|c| matches!(c.kind(), "[" | "{"));
        let salvaged = self.salvage(err, depth + 1);
        if let Some(last) = entries.last_mut() {
            let awaiting = last.value.is_null() && last.value.span.is_empty();
            let bytes = self.text.as_bytes();
            let same_line = prep::line_start(bytes, last.value.span.start) == prep::line_start(bytes, err.start_byte());
            if opens_flow && awaiting && same_line {
                last.value = salvaged;
                return;
            }
        }
        if let Value::Mapping(found) = salvaged.value {
            entries.extend(found);
        }
    }

    fn sequence(&mut self, n: TsNode<'_>, depth: usize) -> Node {
        let indent = prep::column(self.text, n.start_byte()) as isize;
        if n.kind() == "flow_sequence" && self.spans_lines(n) {
            self.multiline.push((span_of(n), None));
        }
        let mut items = Vec::new();
        let mut cursor = n.walk();
        for child in n.named_children(&mut cursor) {
            match child.kind() {
                "block_sequence_item" => items.push(self.item(child, depth)),
                "flow_node" | "flow_pair" => items.push(self.node(child, depth + 1, indent)),
                "ERROR" => match self.salvage(child, depth + 1) {
                    Node { value: Value::Sequence(found), .. } => items.extend(found),
                    other if !other.is_null() => items.push(other),
                    _ => {}
                },
                _ => {}
            }
        }
        Node::new(Value::Sequence(items), span_of(n))
    }

    fn item(&mut self, item: TsNode<'_>, depth: usize) -> Node {
        let indent = prep::column(self.text, item.start_byte()) as isize;
        let mut cursor = item.walk();
        let value = item.named_children(&mut cursor).find(|c| c.kind() != "comment");
        match value {
            Some(v) => self.node(v, depth + 1, indent),
            None => {
                let dash_end = item.child(0).map_or(item.end_byte(), |d| d.end_byte());
                Node::new(Value::Null, Span::empty(dash_end))
            }
        }
    }

    /// A mapping pair; `indent` is the column of its mapping.
    fn pair(&mut self, pair: TsNode<'_>, depth: usize, indent: isize) -> Option<Entry> {
        let mut key_node = None;
        let mut value_node = None;
        let mut colon_end = None;
        let mut cursor = pair.walk();
        if cursor.goto_first_child() {
            loop {
                let child = cursor.node();
                match child.kind() {
                    ":" => colon_end = Some(child.end_byte()),
                    "?" | "comment" => {}
                    _ if colon_end.is_none() && key_node.is_none() && child.is_named() => key_node = Some(child),
                    _ if colon_end.is_some() && value_node.is_none() && child.is_named() => value_node = Some(child),
                    _ => {}
                }
                if !cursor.goto_next_sibling() {
                    break;
                }
            }
        }
        let (key, key_span) = match key_node {
            Some(k) => self.key(k),
            None => (String::new(), Span::empty(pair.start_byte())),
        };
        if key == "<<" && key_node.is_some_and(|k| plain_content(k).is_some()) {
            self.refs.merge_keys.insert(key_span.start);
        }
        let value = match value_node {
            Some(v) => self.node(v, depth + 1, indent),
            None => Node::new(Value::Null, Span::empty(colon_end.unwrap_or(key_span.end))),
        };
        Some(Entry { key, key_span, value })
    }

    /// A key as a string: scalars as written (quoted ones decoded), other
    /// keys as their source text.
    fn key(&mut self, k: TsNode<'_>) -> (String, Span) {
        let mut anchor = None;
        let mut content = Some(k);
        if matches!(k.kind(), "flow_node" | "block_node") {
            content = None;
            let mut cursor = k.walk();
            for child in k.named_children(&mut cursor) {
                match child.kind() {
                    "anchor" => anchor = Some(self.slice(child).trim_start_matches('&').to_owned()),
                    "tag" | "comment" => {}
                    _ if content.is_none() => content = Some(child),
                    _ => {}
                }
            }
        }
        let Some(c) = content else {
            return (String::new(), Span::empty(k.end_byte()));
        };
        let span = span_of(c);
        let text = match c.kind() {
            "plain_scalar" => scalar::fold_plain(self.slice(c)).into_owned(),
            "double_quote_scalar" => scalar::double_quoted(self.slice(c)),
            "single_quote_scalar" => scalar::single_quoted(self.slice(c)),
            "block_scalar" => scalar::block_scalar(self.text, c.start_byte(), c.end_byte(), -1).0,
            "alias" => {
                let name = self.slice(c).trim_start_matches('*');
                match self.anchor_keys.get(name) {
                    Some(key) => key.clone(),
                    None => {
                        let name = name.to_owned();
                        self.error(span, SyntaxErrorKind::UnknownAlias { name });
                        self.slice(c).to_owned()
                    }
                }
            }
            _ => self.slice(c).trim().to_owned(),
        };
        if let Some(name) = anchor {
            self.anchor_keys.insert(name.clone(), text.clone());
            let value = if is_scalar(c.kind()) { self.scalar(c, false, -1).value } else { Value::String(text.clone()) };
            self.refs.key_anchors.push((span.start, name, Node::new(value, span)));
        }
        (text, span)
    }

    /// How a node reads as a key: strings as they are, other scalars as
    /// written, collections as their source.
    fn key_text(&self, node: &Node) -> Option<String> {
        match &node.value {
            Value::String(s) => Some(s.clone()),
            _ => self.text.get(node.span.start..node.span.end).map(|s| s.trim().to_owned()),
        }
    }

    /// What can be recovered from an ERROR node: its pairs (also `key :
    /// value` token runs) as a mapping, else its items as a sequence, else
    /// its single value, else null.
    fn salvage(&mut self, err: TsNode<'_>, depth: usize) -> Node {
        let span = span_of(err);
        if depth > MAX_DEPTH {
            return self.too_deep(span);
        }
        let indent = prep::column(self.text, err.start_byte()) as isize;
        let mut entries = Vec::new();
        let mut items = Vec::new();
        let mut values = Vec::new();
        let mut pending_key: Option<TsNode> = None;
        let mut last_node: Option<TsNode> = None;
        let mut cursor = err.walk();
        let kids: Vec<TsNode> = err.children(&mut cursor).collect();
        for child in kids {
            match child.kind() {
                "block_mapping_pair" | "flow_pair" => entries.extend(self.pair(child, depth, indent)),
                "block_sequence_item" => items.push(self.item(child, depth)),
                ":" => {
                    if let Some(k) = pending_key.take() {
                        entries.push(self.entry_from(k, None, depth, indent));
                    }
                    pending_key = last_node.take();
                    if pending_key.is_some() {
                        values.pop();
                    }
                }
                "ERROR" => match self.salvage(child, depth + 1) {
                    Node { value: Value::Mapping(found), .. } => entries.extend(found),
                    Node { value: Value::Sequence(found), .. } => items.extend(found),
                    other if !other.is_null() => values.push(other),
                    _ => {}
                },
                _ if child.is_named() && child.kind() != "comment" => {
                    if let Some(k) = pending_key.take() {
                        entries.push(self.entry_from(k, Some(child), depth, indent));
                        last_node = None;
                    } else {
                        last_node = Some(child);
                        values.push(self.node(child, depth + 1, indent));
                    }
                }
                _ => {}
            }
        }
        if let Some(k) = pending_key {
            entries.push(self.entry_from(k, None, depth, indent));
        }
        let opens_seq = err.child(0).is_some_and(|c| c.kind() == "[");
        if !entries.is_empty() {
            Node::new(Value::Mapping(entries), span)
        } else if !items.is_empty() || (opens_seq && !values.is_empty()) {
            items.extend(values);
            Node::new(Value::Sequence(items), span)
        } else if values.len() == 1 {
            values.pop().unwrap_or_else(|| Node::new(Value::Null, span))
        } else {
            Node::new(Value::Null, span)
        }
    }

    fn entry_from(&mut self, key: TsNode<'_>, value: Option<TsNode<'_>>, depth: usize, indent: isize) -> Entry {
        let (key, key_span) = self.key(key);
        let value = match value {
            Some(v) => self.node(v, depth + 1, indent),
            None => Node::new(Value::Null, Span::empty(key_span.end)),
        };
        Entry { key, key_span, value }
    }

    fn spans_lines(&self, n: TsNode<'_>) -> bool {
        self.slice(n).contains(['\n', '\r'])
    }
}

fn span_of(n: TsNode<'_>) -> Span {
    Span::new(n.start_byte(), n.end_byte())
}

fn is_scalar(kind: &str) -> bool {
    matches!(kind, "plain_scalar" | "double_quote_scalar" | "single_quote_scalar" | "block_scalar")
}

/// The plain scalar a key node consists of, if it is one (for `<<`, which
/// is a merge key only when written plain).
fn plain_content(k: TsNode<'_>) -> Option<TsNode<'_>> {
    if k.kind() == "plain_scalar" {
        return Some(k);
    }
    let mut cursor = k.walk();
    let found = k.named_children(&mut cursor).find(|c| c.kind() == "plain_scalar");
    found
}
