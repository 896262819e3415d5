//! Driving tree-sitter over a text in pieces.
//!
//! tree-sitter-yaml 0.7.2 has two limits that a plain `parser.parse` would
//! pass on to the user:
//!
//! * When its external scanner meets something it cannot handle (a line
//!   indented too far, `- a` followed by `b: 1`, ...), the parse stops: the
//!   tree ends at the error and everything after it is silently missing.
//!   We find such a stop (the tree ends before the text does), cut the
//!   offending lines out with included ranges (a *hole*), and parse again:
//!   the rest of the file comes back, and the hole is reported.
//! * The scanner counts rows in an `int16_t` (and counts `\r` and `\n`
//!   separately), so nothing parses beyond row 32767. It also stores the
//!   row in every token's serialised state, so after a line is inserted no
//!   token behind it can be reused, and an incremental reparse costs as
//!   much as parsing the rest of the file. We therefore parse long texts in
//!   *segments* of at most [`SEGMENT_ROWS`] rows. A segment ends just
//!   before a line that continues an open block collection; the next
//!   segment is parsed with the headers of that collection's ancestors
//!   (`items:`, `  -`, each with its line break) included in front, so it
//!   sees the same structure, and its value is stitched onto the previous
//!   one's (see `build::stitch`).
//!
//! Both use tree-sitter's included ranges, which keep byte offsets those
//! of the real text.

use std::cell::RefCell;
use std::sync::Arc;

use tree_sitter::{InputEdit, Node as TsNode, Parser, Range, Tree};

use super::convert::Converted;
use super::prep::{self, Points};

/// Rows (as tree-sitter-yaml counts them) per segment: well below the
/// scanner's 32767, and small enough that inserting a line costs a
/// reparse of one segment rather than of the rest of the file.
pub(crate) const SEGMENT_ROWS: usize = 8192;
const MAX_SPLIT_TRIES: usize = 6;
/// Holes per segment before the rest of the segment is given up on.
const MAX_HOLES: usize = 64;

thread_local! {
    static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
}

impl Drop for Driver<'_> {
    fn drop(&mut self) {
        if let Some(parser) = self.parser.take() {
            PARSER.with(|p| *p.borrow_mut() = Some(parser));
        }
    }
}

/// Kind of block collection at one level of a stitching chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Map,
    Seq,
}

#[derive(Clone)]
pub(crate) struct Segment {
    pub tree: Tree,
    /// Copies of ancestor headers parsed in front of this segment.
    pub ctx: Vec<(usize, usize)>,
    /// Collection kinds from the root down to the collection this segment
    /// continues; empty when the segment stands alone.
    pub chain: Vec<Kind>,
    pub start: usize,
    pub end: usize,
    /// Regions cut out after tree-sitter stopped on them.
    pub holes: Vec<(usize, usize)>,
    /// The first document ended in this segment, so no segment follows
    /// although text may.
    pub stop: bool,
    /// The values converted from `tree`: filled in by the builder, or
    /// carried over from the previous parse when the edit did not touch
    /// this segment's text.
    pub conv: Option<Arc<Converted>>,
}

impl Segment {
    /// Every range tree-sitter saw for this segment.
    fn ranges(&self) -> Vec<(usize, usize)> {
        let mut r = self.ctx.clone();
        r.extend(main_ranges(self.start, self.end, &self.holes));
        r
    }
}

/// The previous parse, for incremental reparsing: its segments with their
/// trees already edited, and the edit (`start`, `old_end`, `new_end`).
pub(crate) struct Previous {
    pub segments: Vec<Segment>,
    pub edit: InputEdit,
}

impl Previous {
    /// Where an offset of the old text is in the new one; `None` inside the edit.
    fn map(&self, x: usize) -> Option<usize> {
        let e = &self.edit;
        if x <= e.start_byte {
            Some(x)
        } else if x >= e.old_end_byte {
            Some(x - e.old_end_byte + e.new_end_byte)
        } else {
            None
        }
    }
}

enum Verdict {
    /// The next segment continues the collection `chain` ends in.
    Continue {
        ctx: Vec<(usize, usize)>,
        chain: Vec<Kind>,
    },
    /// The first document ended in this segment; nothing after it is used.
    Stop,
    Reject,
}

pub(crate) struct Driver<'t> {
    text: &'t str,
    points: Points,
    /// Always `Some` until dropped, when it goes back to [`PARSER`].
    parser: Option<Parser>,
    /// The text is parsed up to here (less than its length when the rest
    /// nests too deeply for tree-sitter-yaml).
    limit: usize,
    /// [`SEGMENT_ROWS`], except in tests of the segmenting itself.
    segment_rows: usize,
}

impl<'t> Driver<'t> {
    pub(crate) fn new(text: &'t str, limit: usize, segment_rows: usize) -> Option<Self> {
        // Creating a parser allocates (and zeroes) a good deal; on every
        // keystroke that shows, so each thread keeps one.
        let parser = match PARSER.with(|p| p.borrow_mut().take()) {
            Some(parser) => parser,
            None => {
                let mut parser = Parser::new();
                parser
                    .set_language(&tree_sitter_yaml::LANGUAGE.into())
                    .ok()?;
                parser
            }
        };
        let segment_rows = segment_rows.clamp(16, SEGMENT_ROWS);
        Some(Driver {
            text,
            points: Points::new(),
            parser: Some(parser),
            limit,
            segment_rows,
        })
    }

    pub(crate) fn run(mut self, mut previous: Option<Previous>) -> Vec<Segment> {
        let mut segments = Vec::new();
        let mut start = 0;
        let mut ctx: Vec<(usize, usize)> = Vec::new();
        let mut chain: Vec<Kind> = Vec::new();
        loop {
            let old = previous.as_mut().and_then(|p| take_matching(p, start));
            let (mut old_tree, old_end, kept_holes) = match &old {
                Some((seg, end)) => {
                    let holes = seg
                        .holes
                        .iter()
                        .copied()
                        .filter(|&h| self.hole_is_stable(h, &previous))
                        .collect();
                    (Some(seg.tree.clone()), *end, holes)
                }
                None => (None, None, Vec::new()),
            };
            let ctx_rows: usize = ctx.iter().map(|&(a, b)| self.rows(a, b)).sum();
            let candidates = self
                .split_candidates(start, ctx_rows, old_end)
                .filter(|c| !c.is_empty());
            let Some(candidates) = candidates else {
                let end = self.limit;
                if let Some((tree, holes)) =
                    self.parse_with_holes(&ctx, start, end, old_tree, kept_holes)
                {
                    let seg = Segment {
                        tree,
                        ctx,
                        chain,
                        start,
                        end,
                        holes,
                        stop: false,
                        conv: None,
                    };
                    segments.push(reuse_conversion(seg, &old, previous.as_ref()));
                }
                return segments;
            };
            let mut outcome = None;
            for &cand in candidates.iter().take(MAX_SPLIT_TRIES) {
                let holes = kept_holes.iter().copied().filter(|h| h.1 <= cand).collect();
                let Some((tree, holes)) =
                    self.parse_with_holes(&ctx, start, cand, old_tree.take(), holes)
                else {
                    return segments;
                };
                let verdict = self.verify(&tree, cand);
                let rejected = matches!(verdict, Verdict::Reject);
                old_tree = Some(tree.clone());
                outcome = Some((tree, holes, cand, verdict));
                if !rejected {
                    break;
                }
            }
            let Some((tree, holes, end, verdict)) = outcome else {
                return segments;
            };
            let stop = matches!(verdict, Verdict::Stop);
            let seg = Segment {
                tree,
                ctx: std::mem::take(&mut ctx),
                chain,
                start,
                end,
                holes,
                stop,
                conv: None,
            };
            segments.push(reuse_conversion(seg, &old, previous.as_ref()));
            match verdict {
                Verdict::Continue { ctx: c, chain: k } => (ctx, chain) = (c, k),
                // No continuation found: the rest is parsed on its own and
                // stitched as well as its shape allows.
                Verdict::Reject => (ctx, chain) = (Vec::new(), Vec::new()),
                Verdict::Stop => return segments,
            }
            start = end;
        }
    }

    /// Whether a hole of the previous parse can be kept: tree-sitter stops
    /// depending on the text up to a little past the stop, so only holes
    /// whose following non-blank line ends before the edit are.
    fn hole_is_stable(&self, hole: (usize, usize), previous: &Option<Previous>) -> bool {
        let Some(p) = previous else { return false };
        let edit_start = p.edit.start_byte;
        if hole.1 >= edit_start {
            return false;
        }
        let bytes = self.text.as_bytes();
        let mut pos = hole.1;
        while pos < edit_start {
            let at = pos + prep::indent_at(self.text, pos);
            let eol = prep::line_end(bytes, at);
            if at < eol {
                return eol < edit_start;
            }
            pos = prep::next_line_start(bytes, eol);
        }
        false
    }

    /// Rows tree-sitter-yaml counts in `text[a..b]`.
    fn rows(&self, a: usize, b: usize) -> usize {
        self.text.as_bytes()[a..b]
            .iter()
            .filter(|&&c| c == b'\n' || c == b'\r')
            .count()
    }

    /// `None` if the text from `start` fits in one segment; otherwise the
    /// line starts to try ending the segment at, best first: the previous
    /// parse's split if it still fits, then lines near the row budget that
    /// look like block entries, least indented and latest first.
    fn split_candidates(
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

    fn parse(&mut self, ranges: &[(usize, usize)], old: Option<&Tree>) -> Option<Tree> {
        let text = self.text;
        let mut ts_ranges: Vec<Range> = ranges
            .iter()
            .filter(|(a, b)| a < b)
            .map(|&(a, b)| Range {
                start_byte: a,
                end_byte: b,
                start_point: self.points.point(text, a),
                end_point: self.points.point(text, b),
            })
            .collect();
        if ts_ranges.is_empty() {
            // No ranges at all would mean the whole text.
            let at = ranges.first().map_or(0, |r| r.0);
            let p = self.points.point(text, at);
            ts_ranges.push(Range {
                start_byte: at,
                end_byte: at,
                start_point: p,
                end_point: p,
            });
        }
        let parser = self.parser.as_mut()?;
        // The ranges are sorted and disjoint by construction.
        parser.set_included_ranges(&ts_ranges).ok()?;
        // tree-sitter returns no tree only when cancelled or without a
        // language; we do neither.
        parser.parse(self.text, old)
    }

    /// Parses `ctx` and `start..end` minus holes, adding a hole each time
    /// tree-sitter stops before the end.
    fn parse_with_holes(
        &mut self,
        ctx: &[(usize, usize)],
        start: usize,
        end: usize,
        mut old: Option<Tree>,
        mut holes: Vec<(usize, usize)>,
    ) -> Option<(Tree, Vec<(usize, usize)>)> {
        holes.retain(|h| h.0 >= start && h.1 <= end && h.0 < h.1);
        loop {
            let main = main_ranges(start, end, &holes);
            let mut ranges = ctx.to_vec();
            ranges.extend_from_slice(&main);
            let tree = self.parse(&ranges, old.as_ref())?;
            let Some(stop) = self.truncation(&tree, &main) else {
                return Some((tree, holes));
            };
            let hole = if holes.len() >= MAX_HOLES {
                (self.hole_start(stop, start), end)
            } else {
                self.hole(stop, start, end)
            };
            holes.push(hole);
            holes.sort_unstable();
            merge_overlapping(&mut holes);
            old = Some(tree);
        }
    }

    /// The first non-blank byte of the main ranges that the tree does not cover.
    fn truncation(&self, tree: &Tree, main: &[(usize, usize)]) -> Option<usize> {
        let covered = tree.root_node().end_byte();
        let bytes = self.text.as_bytes();
        for &(a, b) in main {
            let from = prep::skip_bom(self.text, a.max(covered)).min(b.max(a));
            if from >= b {
                continue;
            }
            if let Some(i) = bytes[from..b].iter().position(|c| !c.is_ascii_whitespace()) {
                return Some(from + i);
            }
        }
        None
    }

    fn hole_start(&self, stop: usize, start: usize) -> usize {
        prep::line_start(self.text.as_bytes(), stop).max(start)
    }

    /// The lines to cut out when tree-sitter stopped at `stop`: its line and
    /// the lines after it indented deeper, which belong to it.
    fn hole(&self, stop: usize, start: usize, end: usize) -> (usize, usize) {
        let bytes = self.text.as_bytes();
        let first = prep::line_start(bytes, stop);
        let indent = prep::indent_at(self.text, first);
        let mut pos = prep::next_line_start(bytes, stop);
        while pos < end {
            let at = pos + prep::indent_at(self.text, pos);
            let blank = at >= bytes.len() || matches!(bytes[at], b'\n' | b'\r' | b'#');
            if !blank && at - pos <= indent {
                return (first.max(start), pos);
            }
            pos = prep::next_line_start(bytes, pos);
        }
        (first.max(start), end)
    }

    /// Whether a segment ending at `end` can be continued by the next one:
    /// the line at `end` must continue a block collection that is open at
    /// the end of `tree`, and the ancestors' headers must each fit a line.
    fn verify(&self, tree: &Tree, end: usize) -> Verdict {
        let root = tree.root_node();
        if root.kind() != "stream" {
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

/// Gives `seg` the previous parse's conversion of the same segment if the
/// edit did not touch any text it was parsed from, with offsets moved.
fn reuse_conversion(
    mut seg: Segment,
    old: &Option<(Segment, Option<usize>)>,
    previous: Option<&Previous>,
) -> Segment {
    let (Some((old, _)), Some(p)) = (old, previous) else {
        return seg;
    };
    let Some(conv) = &old.conv else { return seg };
    let e = &p.edit;
    let touches = |&(a, b): &(usize, usize)| {
        let (s, t) = (e.start_byte, e.old_end_byte);
        (s >= a && s < b) || (s < a && t > a)
    };
    let old_ranges = old.ranges();
    if conv.uses_alias_keys || old.chain != seg.chain || old_ranges.iter().any(touches) {
        return seg;
    }
    let mapped: Option<Vec<(usize, usize)>> = old_ranges
        .iter()
        .map(|&(a, b)| Some((p.map(a)?, p.map(b)?)))
        .collect();
    if mapped != Some(seg.ranges()) {
        return seg;
    }
    let after = old_ranges.iter().map(|r| r.1).max().unwrap_or(0) <= e.start_byte;
    seg.conv = Some(if after {
        conv.clone()
    } else {
        Arc::new(conv.mapped(&|x| p.map(x).unwrap_or(x)))
    });
    seg
}

/// Takes out of `previous` the segment that started where `start` is now,
/// with its end mapped to the new text.
fn take_matching(previous: &mut Previous, start: usize) -> Option<(Segment, Option<usize>)> {
    let i = previous
        .segments
        .iter()
        .position(|s| previous.map(s.start) == Some(start))?;
    let seg = previous.segments.remove(i);
    let end = previous.map(seg.end);
    Some((seg, end))
}

fn main_ranges(start: usize, end: usize, holes: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut out = Vec::with_capacity(holes.len() + 1);
    let mut pos = start;
    for &(a, b) in holes {
        if a > pos {
            out.push((pos, a));
        }
        pos = pos.max(b);
    }
    out.push((pos, end.max(pos)));
    out
}

fn merge_overlapping(holes: &mut Vec<(usize, usize)>) {
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(holes.len());
    for &h in holes.iter() {
        match merged.last_mut() {
            Some(last) if h.0 <= last.1 => last.1 = last.1.max(h.1),
            _ => merged.push(h),
        }
    }
    *holes = merged;
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
