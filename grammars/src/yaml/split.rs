//! Where a segment ends, and what the next one must be told of the
//! structure around that point (see [`super::segment`]).

use tree_sitter::{Node as TsNode, Tree};

use super::prep;
use super::segment::{Driver, Kind};

pub(super) enum Verdict {
    /// The next segment continues the collection `chain` ends in.
    Continue {
        ctx: Vec<(usize, usize)>,
        chain: Vec<Kind>,
    },
    /// The first document ended in this segment; nothing after it is used.
    Stop,
    /// The line at the proposed end does not continue what is open there.
    Reject,
}

impl Driver<'_> {
    /// `None` if the text from `start` fits in one segment; otherwise the
    /// line starts to try ending the segment at, best first: the previous
    /// parse's split if it still fits, then lines near the row budget that
    /// look like block entries, least indented and latest first.
    pub(super) fn split_candidates(
        &self,
        start: usize,
        ctx_rows: usize,
        old_end: Option<usize>,
    ) -> Option<Vec<usize>> {
        let bytes = self.text.as_bytes();
        let window_rows = self.segment_rows / 4;
        let budget = self
            .segment_rows
            .saturating_sub(ctx_rows)
            .max(window_rows + 1);
        let mut rows = 0;
        let mut pos = start;
        let mut window: Vec<(usize, usize)> = Vec::new();
        let mut old_fits = false;
        while pos < self.limit {
            if rows >= budget {
                break;
            }
            if old_end == Some(pos) {
                old_fits = true;
            }
            if rows >= budget - window_rows && pos > start {
                if let Some(indent) = self.entry_line(pos) {
                    window.push((indent, pos));
                }
            }
            let next = prep::next_line_start(bytes, pos).min(self.limit);
            rows += self.rows(pos, next);
            pos = next;
        }
        if pos >= self.limit && rows < budget {
            return None;
        }
        window.sort_by_key(|&(indent, pos)| (indent, std::cmp::Reverse(pos)));
        let mut out: Vec<usize> = window.into_iter().map(|(_, p)| p).collect();
        if let (true, Some(e)) = (old_fits, old_end) {
            out.retain(|&p| p != e);
            out.insert(0, e);
        }
        if out.is_empty() {
            // No line looks like an entry: split anyway, before the rows run out.
            out.push(pos.max(prep::next_line_start(bytes, start)));
        }
        out.retain(|&p| p > start && p <= self.limit);
        Some(out)
    }

    /// The indentation of the line at `pos` if it looks like a block
    /// sequence item or an implicit mapping key.
    fn entry_line(&self, pos: usize) -> Option<usize> {
        let bytes = self.text.as_bytes();
        let indent = prep::indent_at(self.text, pos);
        let at = prep::skip_bom(self.text, pos) + indent;
        let eol = prep::line_end(bytes, at);
        let line = &bytes[at..eol];
        match line {
            []
            | [b'#' | b'[' | b'{' | b']' | b'}' | b',' | b'|' | b'>' | b'%' | b'@' | b'`' | b'\t', ..] => {
                None
            }
            [b'-', b'-', b'-', ..] | [b'.', b'.', b'.', ..] if indent == 0 => None,
            [b'-'] | [b'-', b' ', ..] => Some(indent),
            _ => {
                let key = line.windows(2).any(|w| w == b": ") || line.ends_with(b":");
                key.then_some(indent)
            }
        }
    }

    /// Whether a segment ending at `end` can be continued by the next one:
    /// the line at `end` must continue a block collection that is open at
    /// the end of `tree`, and the ancestors' headers must each fit a line.
    pub(super) fn verify(&self, tree: &Tree, end: usize) -> Verdict {
        let root = tree.root_node();
        if root.kind() != "stream" || ends_unfinished(root) {
            return Verdict::Reject;
        }
        let mut cursor = root.walk();
        let docs: Vec<TsNode> = root
            .named_children(&mut cursor)
            .filter(|n| n.kind() == "document")
            .collect();
        let Some(&doc) = docs.last() else {
            return Verdict::Continue {
                ctx: Vec::new(),
                chain: Vec::new(),
            };
        };
        let earlier_content = docs[..docs.len() - 1]
            .iter()
            .any(|d| content_of(*d).is_some());
        let ended = (0..doc.child_count())
            .filter_map(|i| doc.child(i))
            .any(|c| c.kind() == "...");
        if earlier_content || ended {
            return Verdict::Stop;
        }
        let Some(mut node) = content_of(doc) else {
            return Verdict::Continue {
                ctx: Vec::new(),
                chain: Vec::new(),
            };
        };
        let indent = prep::indent_at(self.text, end);
        let at = prep::skip_bom(self.text, end) + indent;
        let want = if self.text.as_bytes().get(at) == Some(&b'-') {
            Kind::Seq
        } else {
            Kind::Map
        };
        let mut chain = Vec::new();
        let mut headers = Vec::new();
        loop {
            if node.kind() != "block_node" {
                return Verdict::Reject;
            }
            let Some(coll) =
                last_named(node).filter(|c| matches!(c.kind(), "block_mapping" | "block_sequence"))
            else {
                return Verdict::Reject;
            };
            let kind = if coll.kind() == "block_mapping" {
                Kind::Map
            } else {
                Kind::Seq
            };
            chain.push(kind);
            if kind == want && prep::column(self.text, coll.start_byte()) == indent {
                break;
            }
            let Some(last) = last_named(coll) else {
                return Verdict::Reject;
            };
            let (header_end, next) = match last.kind() {
                "block_mapping_pair" => {
                    let colon = children(last).find(|c| c.kind() == ":");
                    let explicit = children(last).any(|c| c.kind() == "?");
                    match (colon, last.child_by_field_name("value")) {
                        (Some(colon), Some(value)) if !explicit => (colon.end_byte(), value),
                        _ => return Verdict::Reject,
                    }
                }
                "block_sequence_item" => match (last.child(0), last_named(last)) {
                    (Some(dash), Some(value)) if dash.kind() == "-" => (dash.end_byte(), value),
                    _ => return Verdict::Reject,
                },
                _ => return Verdict::Reject,
            };
            let bytes = self.text.as_bytes();
            if prep::line_start(bytes, header_end) != prep::line_start(bytes, last.start_byte()) {
                return Verdict::Reject;
            }
            headers.push(header_end);
            node = next;
        }
        Verdict::Continue {
            ctx: self.context_ranges(&headers),
            chain,
        }
    }

    /// Included ranges reproducing the ancestors' headers: each header's
    /// line up to the header's end, then that line's break.
    fn context_ranges(&self, headers: &[usize]) -> Vec<(usize, usize)> {
        let bytes = self.text.as_bytes();
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        for &h in headers {
            let ls = prep::line_start(bytes, h);
            let eol = prep::line_end(bytes, h);
            let nl = (eol, prep::next_line_start(bytes, eol));
            match ranges.len() {
                n if n >= 2 && ranges[n - 2].0 == ls => ranges[n - 2].1 = h,
                _ => {
                    ranges.push((ls, h));
                    ranges.push(nl);
                }
            }
        }
        ranges
    }
}

/// Whether the tree ends in an error or a missing token: then the segment
/// may end inside something (a quoted scalar, a flow collection) that goes
/// on past it, and the next segment would not start where it thinks.
fn ends_unfinished(root: TsNode<'_>) -> bool {
    let mut node = root;
    loop {
        if node.is_error() || node.is_missing() {
            return true;
        }
        match node.child_count() {
            0 => return false,
            n => match node.child(n - 1) {
                Some(last) => node = last,
                None => return false,
            },
        }
    }
}

fn children<'a>(node: TsNode<'a>) -> impl Iterator<Item = TsNode<'a>> {
    (0..node.child_count()).filter_map(move |i| node.child(i))
}

/// The last named child that is not a comment.
fn last_named(node: TsNode<'_>) -> Option<TsNode<'_>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|c| c.kind() != "comment")
        .last()
}

/// A document's content node, if it has one.
pub(crate) fn content_of(doc: TsNode<'_>) -> Option<TsNode<'_>> {
    let mut cursor = doc.walk();
    let found = doc
        .named_children(&mut cursor)
        .find(|c| matches!(c.kind(), "block_node" | "flow_node" | "ERROR"));
    found
}
