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

use tree_sitter::{InputEdit, Parser, Range, Tree};

use super::prep::{self, Points};
use super::refs::Converted;
use super::split::Verdict;

/// Rows (as tree-sitter-yaml counts them) per segment: well below the
/// scanner's 32767, and small enough that inserting a line costs a
/// reparse of one segment rather than of the rest of the file. A reparse
/// keeps the previous split points while they still work, so that one
/// inserted line does not move every later split.
pub(crate) const SEGMENT_ROWS: usize = 2048;
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

/// The previous parse, for incremental reparsing: its segments (offsets
/// still those of the old text, trees already edited) and the edit.
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

pub(crate) struct Driver<'t> {
    pub(super) text: &'t str,
    points: Points,
    /// Always `Some` until dropped, when it goes back to [`PARSER`].
    parser: Option<Parser>,
    /// The text is parsed up to here (less than its length when the rest
    /// nests too deeply for tree-sitter-yaml).
    pub(super) limit: usize,
    /// [`SEGMENT_ROWS`], except in tests of the segmenting itself.
    pub(super) segment_rows: usize,
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
            let mut old_tree = old.as_ref().map(|(seg, _)| seg.tree.clone());
            let old_end = old.as_ref().and_then(|(_, end)| *end);
            let ctx_rows: usize = ctx.iter().map(|&(a, b)| self.rows(a, b)).sum();
            let candidates = self
                .split_candidates(start, ctx_rows, old_end)
                .filter(|c| !c.is_empty());
            let Some(candidates) = candidates else {
                let end = self.limit;
                if let Some((tree, holes)) = self.parse_segment(&ctx, start, end, old_tree) {
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
                let Some((tree, holes)) = self.parse_segment(&ctx, start, cand, old_tree.take())
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
            let seg_ctx = std::mem::take(&mut ctx);
            let seg = Segment {
                tree,
                ctx: seg_ctx,
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

    /// Rows tree-sitter-yaml counts in `text[a..b]`.
    pub(super) fn rows(&self, a: usize, b: usize) -> usize {
        self.text.as_bytes()[a..b]
            .iter()
            .filter(|&&c| c == b'\n' || c == b'\r')
            .count()
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

    /// Parses `ctx` and `start..end`, reusing `old` when that gives a tree
    /// without errors. tree-sitter's error recovery can come out
    /// differently when it reuses an old tree; parsing a segment with
    /// errors afresh makes a reparse agree with a fresh parse.
    fn parse_segment(
        &mut self,
        ctx: &[(usize, usize)],
        start: usize,
        end: usize,
        old: Option<Tree>,
    ) -> Option<(Tree, Vec<(usize, usize)>)> {
        if let Some(old) = old {
            let mut ranges = ctx.to_vec();
            ranges.push((start, end));
            let tree = self.parse(&ranges, Some(&old))?;
            if !tree.root_node().has_error() && self.truncation(&tree, &[(start, end)]).is_none() {
                return Some((tree, Vec::new()));
            }
        }
        self.parse_with_holes(ctx, start, end)
    }

    /// Parses `ctx` and `start..end` minus holes, adding a hole each time
    /// tree-sitter stops before the end.
    fn parse_with_holes(
        &mut self,
        ctx: &[(usize, usize)],
        start: usize,
        end: usize,
    ) -> Option<(Tree, Vec<(usize, usize)>)> {
        let mut holes: Vec<(usize, usize)> = Vec::new();
        let mut old: Option<Tree> = None;
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
    pub(super) fn truncation(&self, tree: &Tree, main: &[(usize, usize)]) -> Option<usize> {
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
    // Holes count as touched too: a token may span one (to tree-sitter the
    // ranges around it are contiguous), and its value is read from the text.
    let old_ranges = old.ranges();
    let extent = (old.start, old.end);
    if conv.uses_alias_keys
        || old.chain != seg.chain
        || old.ctx.iter().chain([&extent]).any(touches)
    {
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
