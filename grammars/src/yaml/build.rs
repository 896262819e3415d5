//! Parsing entry points: text in, value tree and syntax errors out, with
//! the tree-sitter trees kept for incremental reparsing.
//!
//! The work is split: [`super::prep`] decides what tree-sitter sees,
//! [`super::segment`] drives tree-sitter (working around tree-sitter-yaml's
//! limits), [`super::convert`] turns each tree into values, [`stitch`] joins
//! the segments' values, and [`super::resolve`] applies aliases and merges.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use tree_sitter::{InputEdit, Point, Tree};

use super::convert::convert;
use super::prep;
use super::refs::Refs;
use super::resolve;
use super::segment::{Driver, Kind, Previous, Segment, SEGMENT_ROWS};
use super::{Node, SyntaxError, SyntaxErrorKind, Value};
use crate::span::Span;

/// The result of parsing one YAML text.
#[derive(Clone)]
pub struct ParsedYaml {
    /// The first document's root value; `None` when there is none.
    pub root: Option<Node>,
    /// Syntax errors, in source order.
    pub errors: Vec<SyntaxError>,
    segments: Vec<Segment>,
}

impl fmt::Debug for ParsedYaml {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParsedYaml")
            .field("root", &self.root)
            .field("errors", &self.errors)
            .field("trees", &self.segments.len())
            .finish()
    }
}

impl ParsedYaml {
    /// The syntax tree of the text's first segment: the whole text unless
    /// it has more than a few thousand lines, which are parsed in segments
    /// (see [`ParsedYaml::trees`]). `None` only if tree-sitter could not
    /// be run at all.
    pub fn tree(&self) -> Option<&Tree> {
        self.segments.first().map(|s| &s.tree)
    }

    /// All syntax trees with the byte range each one covers. Long texts are
    /// parsed in several trees; nodes keep offsets into the whole text.
    pub fn trees(&self) -> impl Iterator<Item = (&Tree, Span)> {
        self.segments
            .iter()
            .map(|s| (&s.tree, Span::new(s.start, s.end)))
    }
}

/// Parses a YAML text.
pub fn parse(text: &str) -> ParsedYaml {
    build(text, None, SEGMENT_ROWS)
}

/// [`parse`] with segments of at most `rows` rows, to test segmenting on
/// small texts.
#[cfg(test)]
pub(crate) fn parse_in_segments(text: &str, rows: usize) -> ParsedYaml {
    build(text, None, rows)
}

/// Reparses `new_text`, which is `old_text` (the text `previous` was
/// parsed from) after an edit, reusing `previous`'s syntax trees and the
/// values of the parts the edit did not touch.
///
/// The result is that of `parse(new_text)`, with one exception: a text
/// long enough to be parsed in several segments keeps its segment
/// boundaries across edits where it can, and where tree-sitter recovers
/// from errors, the boundaries can shape the recovery.
pub fn reparse(previous: &ParsedYaml, old_text: &str, new_text: &str) -> ParsedYaml {
    reparse_in_segments(previous, old_text, new_text, SEGMENT_ROWS)
}

pub(crate) fn reparse_in_segments(
    previous: &ParsedYaml,
    old_text: &str,
    new_text: &str,
    rows: usize,
) -> ParsedYaml {
    if previous.segments.is_empty() {
        return build(new_text, None, rows);
    }
    // The texts tree-sitter sees can differ from the real ones outside the
    // real edit (a tab that starts or stops indenting a line), and the
    // other way round (a tab put in place of a space in indentation). The
    // edit covers both, so that trees and reused conversions are both right.
    let old = prep::tree_sitter_text(old_text);
    let new = prep::tree_sitter_text(new_text);
    let Some(real) = find_edit(old_text, new_text) else {
        return previous.clone();
    };
    let seen = match (&old, &new) {
        (Cow::Borrowed(_), Cow::Borrowed(_)) => None,
        _ => find_edit(&old, &new),
    };
    let edit = match seen {
        Some(seen)
            if seen.start_byte < real.start_byte || seen.old_end_byte > real.old_end_byte =>
        {
            let start = seen.start_byte.min(real.start_byte);
            let old_end = seen.old_end_byte.max(real.old_end_byte);
            let new_end = old_end + new.len() - old.len();
            InputEdit {
                start_byte: start,
                old_end_byte: old_end,
                new_end_byte: new_end,
                start_position: point_at(&old, start),
                old_end_position: point_at(&old, old_end),
                new_end_position: point_at(&new, new_end),
            }
        }
        _ => real,
    };
    let mut segments = previous.segments.clone();
    for seg in &mut segments {
        seg.tree.edit(&edit);
    }
    build(new_text, Some(Previous { segments, edit }), rows)
}

/// The single edit turning `old` into `new`, from their common prefix and
/// suffix (cut at character boundaries); `None` if they are equal.
pub(crate) fn find_edit(old: &str, new: &str) -> Option<InputEdit> {
    let (a, b) = (old.as_bytes(), new.as_bytes());
    let mut prefix = common_prefix(a, b);
    if prefix == a.len() && prefix == b.len() {
        return None;
    }
    while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let max_suffix = a.len().min(b.len()) - prefix;
    let mut suffix = common_suffix(&a[prefix..], &b[prefix..]).min(max_suffix);
    while !old.is_char_boundary(a.len() - suffix) || !new.is_char_boundary(b.len() - suffix) {
        suffix -= 1;
    }
    let (old_end, new_end) = (a.len() - suffix, b.len() - suffix);
    Some(InputEdit {
        start_byte: prefix,
        old_end_byte: old_end,
        new_end_byte: new_end,
        start_position: point_at(old, prefix),
        old_end_position: point_at(old, old_end),
        new_end_position: point_at(new, new_end),
    })
}

/// Length of the common prefix, compared a block at a time (texts run to
/// megabytes and this runs on every keystroke).
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 64;
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + BLOCK <= n && a[i..i + BLOCK] == b[i..i + BLOCK] {
        i += BLOCK;
    }
    i + a[i..n]
        .iter()
        .zip(&b[i..n])
        .take_while(|(x, y)| x == y)
        .count()
}

fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 64;
    let n = a.len().min(b.len());
    let (a, b) = (&a[a.len() - n..], &b[b.len() - n..]);
    let mut i = 0;
    while i + BLOCK <= n && a[n - i - BLOCK..n - i] == b[n - i - BLOCK..n - i] {
        i += BLOCK;
    }
    i + a[..n - i]
        .iter()
        .rev()
        .zip(b[..n - i].iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

fn point_at(text: &str, offset: usize) -> Point {
    let before = &text.as_bytes()[..offset];
    let row = before.iter().filter(|&&b| b == b'\n').count();
    let column = offset
        - before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
    Point { row, column }
}

fn build(text: &str, previous: Option<Previous>, segment_rows: usize) -> ParsedYaml {
    let ts_text = prep::tree_sitter_text(text);
    let mut errors = Vec::new();
    let limit = match prep::block_depth_overflow(&ts_text) {
        Some(line) => {
            let span = trimmed_span(text, line, prep::line_end(text.as_bytes(), line));
            errors.push(SyntaxError {
                span,
                kind: SyntaxErrorKind::TooDeep,
            });
            line
        }
        None => text.len(),
    };
    let mut segments = match Driver::new(&ts_text, limit, segment_rows) {
        Some(driver) => driver.run(previous),
        None => Vec::new(),
    };
    let mut anchor_keys = HashMap::new();
    let mut refs = Refs::default();
    let mut multiline = Vec::new();
    let mut root: Option<Node> = None;
    let mut multiple_reported = false;
    for seg in &mut segments {
        let conv = match &seg.conv {
            Some(conv) => {
                anchor_keys.extend(conv.anchor_keys.iter().cloned());
                conv.clone()
            }
            None => Arc::new(convert(
                text,
                &seg.tree,
                seg.start,
                seg.end,
                &mut anchor_keys,
            )),
        };
        seg.conv = Some(conv.clone());
        let mut docs = conv.docs.iter().filter(|(_, v)| v.is_some());
        if let Some((_, value)) = docs.next() {
            stitch(&mut root, value.clone(), &seg.chain);
        }
        if let Some((span, _)) = docs.next() {
            if !multiple_reported {
                multiple_reported = true;
                let span = trimmed_span(text, span.start, span.end);
                errors.push(SyntaxError {
                    span,
                    kind: SyntaxErrorKind::MultipleDocuments,
                });
            }
        }
        if seg.stop && !multiple_reported {
            if let Some(at) = later_document(&seg.tree, text, seg.end) {
                multiple_reported = true;
                let span = trimmed_span(text, at, text.len());
                errors.push(SyntaxError {
                    span,
                    kind: SyntaxErrorKind::MultipleDocuments,
                });
            }
        }
        for &(a, b) in &seg.holes {
            let span = trimmed_span(text, a, b);
            if !span.is_empty() {
                let excerpt = prep::excerpt(&text[span.start..span.end]);
                errors.push(SyntaxError {
                    span,
                    kind: SyntaxErrorKind::Unexpected { text: excerpt },
                });
            }
        }
        errors.extend(conv.errors.iter().cloned());
        refs.extend_from(&conv.refs);
        multiline.extend(conv.multiline.iter().copied());
    }
    if let Some(root) = root.as_mut() {
        if !refs.is_empty() {
            refs.key_anchors.sort_by_key(|(at, _, _)| *at);
            errors.extend(resolve::resolve(root, &refs));
        }
    }
    tab_errors(text, &mut multiline, &mut errors);
    if let Some(at) = text.bytes().position(|b| b == 0) {
        let text = "\u{0}".to_owned();
        errors.push(SyntaxError {
            span: Span::new(at, at + 1),
            kind: SyntaxErrorKind::Unexpected { text },
        });
    }
    errors.sort_by_key(|e| (e.span.start, e.span.end));
    errors.dedup();
    // Once is enough: each segment converted reports its own.
    let mut seen_too_deep = false;
    errors.retain(|e| {
        !(e.kind == SyntaxErrorKind::TooDeep && std::mem::replace(&mut seen_too_deep, true))
    });
    ParsedYaml {
        root,
        errors,
        segments,
    }
}

/// `start..end` without surrounding whitespace (empty at `start` if blank).
fn trimmed_span(text: &str, start: usize, end: usize) -> Span {
    let s = &text.as_bytes()[start..end.max(start)];
    let lead = s.iter().take_while(|b| b.is_ascii_whitespace()).count();
    let trail = s[lead..]
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_whitespace())
        .count();
    Span::new(start + lead, end.max(start) - trail)
}

/// For a segment after which parsing stopped because its document ended:
/// where the next document starts, if anything but comments follows.
fn later_document(tree: &Tree, text: &str, end: usize) -> Option<usize> {
    let root = tree.root_node();
    let mut cursor = root.walk();
    let docs: Vec<_> = root
        .named_children(&mut cursor)
        .filter(|n| n.kind() == "document")
        .collect();
    let rest_has_content = text[end..].lines().any(|l| {
        let l = l.trim();
        !l.is_empty() && !l.starts_with('#') && l != "..." && l != "---"
    });
    if !rest_has_content {
        return None;
    }
    // The document after the first one with content, else the rest.
    let first = docs
        .iter()
        .position(|d| super::split::content_of(*d).is_some());
    match first.and_then(|i| docs.get(i + 1)) {
        Some(d) => Some(d.start_byte()),
        None => Some(end),
    }
}

/// Reports tabs in indentation, except where a line may legitimately start
/// with one: inside a quoted or flow construct or a multi-line plain
/// scalar, and after a block scalar's content indentation.
fn tab_errors(text: &str, multiline: &mut [(Span, Option<usize>)], errors: &mut Vec<SyntaxError>) {
    let tabs = prep::tab_indented_lines(text);
    if tabs.is_empty() {
        return;
    }
    multiline.sort_by_key(|(s, _)| s.start);
    // For each prefix of the constructs, the one reaching furthest: the
    // constructs nest or are disjoint, so if any contains a line, the one
    // reaching furthest among those starting before it does. Block
    // scalars contain nothing else, nor are they inside anything else.
    let mut furthest: Vec<usize> = Vec::with_capacity(multiline.len());
    for (i, (span, _)) in multiline.iter().enumerate() {
        let best = match furthest.last() {
            Some(&j) if multiline[j].0.end >= span.end => j,
            _ => i,
        };
        furthest.push(best);
    }
    for tab in tabs {
        let line = prep::line_start(text.as_bytes(), tab);
        let before = multiline.partition_point(|(s, _)| s.start < line);
        let inside = before > 0 && {
            let (span, indent) = multiline[furthest[before - 1]];
            span.end > line && indent.is_none_or(|n| tab - line >= n)
        };
        if !inside {
            errors.push(SyntaxError {
                span: Span::new(tab, tab + 1),
                kind: SyntaxErrorKind::TabIndentation,
            });
        }
    }
}

/// Appends the values of a segment parsed on its own to the root, when both
/// are collections of the same kind.
fn append_root(root: &mut Option<Node>, value: Option<Node>) {
    let (Some(acc), Some(value)) = (root.as_mut(), value) else {
        return;
    };
    let span = acc.span.cover(value.span);
    match (&mut acc.value, value.value) {
        (Value::Mapping(a), Value::Mapping(b)) => a.extend(b),
        (Value::Sequence(a), Value::Sequence(b)) => a.extend(b),
        _ => return,
    }
    acc.span = span;
}

/// Joins a segment's value onto the values of the segments before it.
///
/// `chain` holds the kinds of the collections from the root down to the
/// one the segment continues. At each level above the last, the segment's
/// first element is the copy of an ancestor parsed from the context
/// headers, and continues the last element so far; at the last level, and
/// after the first element at the others, everything is new.
pub(crate) fn stitch(root: &mut Option<Node>, value: Option<Node>, chain: &[Kind]) {
    let Some(value) = value else { return };
    let Some(acc) = root.as_mut() else {
        *root = Some(value);
        return;
    };
    if chain.is_empty() || !fits(acc, &value, chain) {
        append_root(root, Some(value));
        return;
    }
    join(acc, value, chain);
}

fn fits(acc: &Node, value: &Node, chain: &[Kind]) -> bool {
    match (&acc.value, &value.value, chain[0]) {
        (Value::Mapping(a), Value::Mapping(b), Kind::Map) => {
            match (a.last(), b.first(), chain.len()) {
                (_, _, 1) => true,
                (Some(x), Some(y), _) => {
                    x.key_span == y.key_span && fits(&x.value, &y.value, &chain[1..])
                }
                _ => false,
            }
        }
        (Value::Sequence(a), Value::Sequence(b), Kind::Seq) => {
            match (a.last(), b.first(), chain.len()) {
                (_, _, 1) => true,
                (Some(x), Some(y), _) => fits(x, y, &chain[1..]),
                _ => false,
            }
        }
        _ => false,
    }
}

/// Does what [`fits`] checked is possible.
fn join(acc: &mut Node, value: Node, chain: &[Kind]) {
    acc.span = acc.span.cover(value.span);
    match (&mut acc.value, value.value) {
        (Value::Mapping(a), Value::Mapping(b)) => {
            let mut b = b.into_iter();
            if chain.len() > 1 {
                if let (Some(last), Some(first)) = (a.last_mut(), b.next()) {
                    join(&mut last.value, first.value, &chain[1..]);
                }
            }
            a.extend(b);
        }
        (Value::Sequence(a), Value::Sequence(b)) => {
            let mut b = b.into_iter();
            if chain.len() > 1 {
                if let (Some(last), Some(first)) = (a.last_mut(), b.next()) {
                    join(last, first, &chain[1..]);
                }
            }
            a.extend(b);
        }
        _ => {}
    }
}
