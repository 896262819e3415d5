//! Work on the raw text before and around tree-sitter: the text tree-sitter
//! is shown, line arithmetic, and the guards that keep tree-sitter-yaml's
//! scanner away from inputs that crash it.

use std::borrow::Cow;

use tree_sitter::Point;

/// Deepest block nesting (as estimated by [`block_depth_overflow`]) that is
/// handed to tree-sitter. tree-sitter-yaml's scanner serialises its
/// indentation stack into a 1024-byte buffer, 4 bytes a level, and aborts
/// the process (an assertion in tree-sitter's C code) at about 253 levels;
/// the estimate can be off by a few levels per line, hence the margin.
pub(crate) const MAX_BLOCK_DEPTH: usize = 100;

/// The text tree-sitter parses: the same bytes, except that tabs in a
/// line's indentation and NUL bytes become spaces. Both are single bytes,
/// so every offset is unchanged. Tabs are reported separately
/// ([`tab_indented_lines`]); parsing as if they were spaces recovers the
/// structure the author meant instead of tree-sitter-yaml giving up on the
/// rest of the file. NUL makes the scanner believe the input ended.
pub(crate) fn tree_sitter_text(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let needs_tabs = bytes.contains(&b'\t');
    let needs_nul = bytes.contains(&0);
    if !needs_tabs && !needs_nul {
        return Cow::Borrowed(text);
    }
    let mut out = bytes.to_vec();
    if needs_nul {
        for b in out.iter_mut().filter(|b| **b == 0) {
            *b = b' ';
        }
    }
    if needs_tabs {
        for_each_indent(bytes, |start, end| {
            for b in &mut out[start..end] {
                *b = b' ';
            }
        });
    }
    // Only ASCII bytes were replaced by ASCII bytes.
    Cow::Owned(
        String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
    )
}

/// Calls `f(start, end)` for the leading whitespace of every line that has
/// content and whose leading whitespace contains a tab.
fn for_each_indent(bytes: &[u8], mut f: impl FnMut(usize, usize)) {
    let mut pos = 0;
    while pos < bytes.len() {
        let start = pos;
        let mut has_tab = false;
        while pos < bytes.len() && (bytes[pos] == b' ' || bytes[pos] == b'\t') {
            has_tab |= bytes[pos] == b'\t';
            pos += 1;
        }
        let content = pos < bytes.len() && !matches!(bytes[pos], b'\n' | b'\r');
        if has_tab && content {
            f(start, pos);
        }
        pos = next_line_start(bytes, pos);
    }
}

/// Offsets of the first tab in the indentation of each line that has
/// content other than a comment.
pub(crate) fn tab_indented_lines(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    if !bytes.contains(&b'\t') {
        return found;
    }
    for_each_indent(bytes, |start, end| {
        if bytes.get(end) != Some(&b'#') {
            if let Some(i) = bytes[start..end].iter().position(|&b| b == b'\t') {
                found.push(start + i);
            }
        }
    });
    found
}

/// Start of the line after the one containing `pos`.
pub(crate) fn next_line_start(bytes: &[u8], mut pos: usize) -> usize {
    while pos < bytes.len() && bytes[pos] != b'\n' && bytes[pos] != b'\r' {
        pos += 1;
    }
    if pos < bytes.len() {
        pos += if bytes[pos] == b'\r' && bytes.get(pos + 1) == Some(&b'\n') {
            2
        } else {
            1
        };
    }
    pos
}

/// Start of the line containing `pos` (a lone `\r` ends a line too).
pub(crate) fn line_start(bytes: &[u8], pos: usize) -> usize {
    let pos = pos.min(bytes.len());
    bytes[..pos]
        .iter()
        .rposition(|&b| b == b'\n' || b == b'\r')
        .map_or(0, |i| i + 1)
}

/// End of the line containing `pos`, before its line break.
pub(crate) fn line_end(bytes: &[u8], pos: usize) -> usize {
    let mut pos = pos.min(bytes.len());
    while pos < bytes.len() && bytes[pos] != b'\n' && bytes[pos] != b'\r' {
        pos += 1;
    }
    pos
}

/// Where the content of the line starting at `start` begins: after a
/// byte-order mark on the first line, which is not indentation.
pub(crate) fn skip_bom(text: &str, start: usize) -> usize {
    if start == 0 && text.starts_with('\u{feff}') {
        3
    } else {
        start
    }
}

/// Number of spaces indenting the line that starts at `start`.
pub(crate) fn indent_at(text: &str, start: usize) -> usize {
    let from = skip_bom(text, start);
    text.as_bytes()[from..]
        .iter()
        .take_while(|&&b| b == b' ')
        .count()
}

/// Column of `pos` in bytes, not counting a byte-order mark.
pub(crate) fn column(text: &str, pos: usize) -> usize {
    let start = line_start(text.as_bytes(), pos);
    pos.saturating_sub(skip_bom(text, start))
}

/// Converts byte offsets to tree-sitter points (rows count `\n` only, as
/// tree-sitter's own lexer does; columns are bytes). Rather than index
/// every line of a large text up front, it counts from the nearest offset
/// asked for before: offsets mostly come in increasing order, with context
/// ranges reaching back to a few early lines.
pub(crate) struct Points {
    /// `(offset, row, start of that row)`, sorted by offset.
    known: Vec<(usize, usize, usize)>,
}

impl Points {
    pub(crate) fn new() -> Self {
        Points {
            known: vec![(0, 0, 0)],
        }
    }

    pub(crate) fn point(&mut self, text: &str, offset: usize) -> Point {
        let offset = offset.min(text.len());
        let i = self.known.partition_point(|k| k.0 <= offset) - 1;
        let (from, mut row, mut line_start) = self.known[i];
        for (j, &b) in text.as_bytes()[from..offset].iter().enumerate() {
            if b == b'\n' {
                row += 1;
                line_start = from + j + 1;
            }
        }
        if offset != from {
            self.known.insert(i + 1, (offset, row, line_start));
        }
        Point {
            row,
            column: offset - line_start,
        }
    }
}

/// A short excerpt for error messages: the first line of `s`, trimmed, at
/// most 40 characters.
pub(crate) fn excerpt(s: &str) -> String {
    let first = s
        .trim_start()
        .split(['\n', '\r'])
        .next()
        .unwrap_or("")
        .trim_end();
    match first.char_indices().nth(40) {
        Some((cut, _)) => first[..cut].to_owned(),
        None => first.to_owned(),
    }
}

/// If block nesting gets deeper than [`MAX_BLOCK_DEPTH`], the start of the
/// first line where it does.
///
/// The estimate mimics the scanner's indentation stack from the lines'
/// shapes alone: one level per distinct indentation column, per `- `, `? `
/// or `: ` indicator at the start of a line, and for an implicit key. A
/// block sequence may share its parent mapping's column, so a column holds
/// a mapping and a sequence level at most. It errs on the deep side: lines
/// inside block scalars or flow collections count too.
pub(crate) fn block_depth_overflow(text: &str) -> Option<usize> {
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Level {
        Map,
        Seq,
        Value,
    }
    let bytes = text.as_bytes();
    let mut stack: Vec<(usize, Level)> = Vec::new();
    let mut pos = skip_bom(text, 0);
    let mut line_begin = 0;
    while pos < bytes.len() {
        let start = pos;
        while pos < bytes.len() && (bytes[pos] == b' ' || bytes[pos] == b'\t') {
            pos += 1;
        }
        let eol = line_end(bytes, pos);
        if pos < eol && bytes[pos] != b'#' {
            let col = pos - start;
            while stack.last().is_some_and(|&(c, _)| c > col) {
                stack.pop();
            }
            let push = |col: usize, level: Level, stack: &mut Vec<(usize, Level)>| {
                while stack
                    .last()
                    .is_some_and(|&(c, l)| c == col && l != level && level != Level::Value)
                {
                    stack.pop();
                }
                if stack.last() != Some(&(col, level)) {
                    stack.push((col, level));
                }
            };
            // Indicators chained at the start of the line (`- - ? x`).
            let mut at = pos;
            loop {
                let c = bytes[at];
                let ends = at + 1 >= eol || matches!(bytes[at + 1], b' ' | b'\t');
                let level = match c {
                    b'-' if ends => Level::Seq,
                    b'?' if ends => Level::Map,
                    b':' if ends => Level::Value,
                    _ => break,
                };
                push(at - start, level, &mut stack);
                at += 1;
                while at < eol && (bytes[at] == b' ' || bytes[at] == b'\t') {
                    at += 1;
                }
                if at >= eol {
                    break;
                }
            }
            if at < eol && contains_implicit_key(&bytes[at..eol]) {
                push(at - start, Level::Map, &mut stack);
            }
            if stack.len() > MAX_BLOCK_DEPTH {
                return Some(line_begin);
            }
        }
        pos = next_line_start(bytes, eol);
        line_begin = pos;
    }
    None
}

/// Whether a line's rest contains `:` followed by a blank or the line end.
fn contains_implicit_key(rest: &[u8]) -> bool {
    rest.iter()
        .enumerate()
        .any(|(i, &b)| b == b':' && rest.get(i + 1).is_none_or(|&n| n == b' ' || n == b'\t'))
}
