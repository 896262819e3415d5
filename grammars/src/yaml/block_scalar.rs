//! Block scalars: literal (`|`) and folded (`>`), with chomping (`-`,
//! `+`, default clip) and indentation indicators, per YAML 1.2 section 8.1.

use super::scalar::{is_blank, line_break_len, lines};

/// Chomping indicator of a block scalar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Chomp {
    Strip,
    Clip,
    Keep,
}

/// The value of a block scalar. `text` is the whole source; the scalar's
/// header starts at `start`, tree-sitter's node ends at `node_end`, and
/// trailing empty lines are looked for up to `limit`.
/// `parent_indent` is the column of the enclosing block collection (-1 at
/// the document's top level), which an explicit indentation indicator is
/// relative to. Also returns the content's indentation.
///
/// tree-sitter's node stops at the last content line, so trailing empty
/// lines (which `+` keeps) are read from the text after the node.
pub(crate) fn block_scalar(
    text: &str,
    start: usize,
    node_end: usize,
    limit: usize,
    parent_indent: isize,
) -> (String, usize) {
    let Some(header) = text.get(start..) else {
        return (String::new(), 0);
    };
    let folded = header.starts_with('>');
    let header_line_len = header.find(['\n', '\r']).unwrap_or(header.len());
    let mut chomp = Chomp::Clip;
    let mut explicit = None;
    for c in header[..header_line_len].chars().skip(1) {
        match c {
            '-' => chomp = Chomp::Strip,
            '+' => chomp = Chomp::Keep,
            '1'..='9' => explicit = Some(c as isize - '0' as isize),
            _ => break,
        }
    }
    let body_start = start + header_line_len;
    let body_start = body_start + line_break_len(&text.as_bytes()[body_start..]);
    let node_end = node_end.clamp(body_start, text.len());
    let body_end = extend_over_blank_lines(&text[..limit.clamp(node_end, text.len())], node_end);
    let body = &text[body_start..body_end];
    let in_node_len = node_end - body_start;

    // Content is indented more than its parent, however little the first
    // line is (a tab is not indentation).
    let least = (parent_indent + 1).max(0) as usize;
    let indent = match explicit {
        Some(d) => (parent_indent + d).max(0) as usize,
        None => lines(&body[..in_node_len])
            .map(|(_, l, _)| l)
            .find(|l| l.chars().any(|c| !is_blank(c)))
            .map_or(usize::MAX, |l| {
                (l.len() - l.trim_start_matches(' ').len()).max(least)
            }),
    };

    let mut out = String::new();
    // Line breaks seen since the last content line (or since the header).
    let mut pending = 0usize;
    let mut prev_text_line: Option<bool> = None;
    for (offset, line, has_break) in lines(body) {
        let spaces = line.len() - line.trim_start_matches(' ').len();
        let rest = &line[spaces..];
        // A whitespace-only line is empty unless it has more than the
        // indentation (then, in a literal, the excess is content).
        let is_empty = offset >= in_node_len
            || (rest.chars().all(is_blank)
                && (spaces < indent || (spaces == indent && rest.is_empty())));
        if is_empty {
            pending += usize::from(has_break);
            continue;
        }
        let content = &line[spaces.min(indent)..];
        let is_text_line = !content.starts_with(is_blank);
        match prev_text_line {
            Some(prev_text) if folded && prev_text && is_text_line => {
                if pending == 1 {
                    out.push(' ');
                } else {
                    out.extend(std::iter::repeat_n('\n', pending.saturating_sub(1)));
                }
            }
            _ => out.extend(std::iter::repeat_n('\n', pending)),
        }
        out.push_str(content);
        prev_text_line = Some(is_text_line);
        pending = usize::from(has_break);
    }
    match chomp {
        Chomp::Strip => {}
        Chomp::Clip => {
            if prev_text_line.is_some() && pending > 0 {
                out.push('\n');
            }
        }
        Chomp::Keep => out.extend(std::iter::repeat_n('\n', pending)),
    }
    (out, indent)
}

/// From `at` (the end of a block scalar's last content line), the end of
/// the run of whitespace-only lines that follows, including their breaks.
fn extend_over_blank_lines(text: &str, at: usize) -> usize {
    let bytes = text.as_bytes();
    let mut end = at;
    let mut pos = at;
    loop {
        while pos < bytes.len() && (bytes[pos] == b' ' || bytes[pos] == b'\t') {
            pos += 1;
        }
        let br = line_break_len(&bytes[pos..]);
        if br == 0 {
            // Whitespace at the very end of the text belongs to no line.
            return if pos == bytes.len() { pos } else { end };
        }
        pos += br;
        end = pos;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(src: &str) -> String {
        // The header starts after `k: `; the node ends at the last non-blank byte.
        let start = src.find(['|', '>']).unwrap();
        let end = src.trim_end().len();
        block_scalar(src, start, end, src.len(), 0).0
    }

    #[test]
    fn literal_block_scalars() {
        assert_eq!(block("k: |\n  a\n   b\n\n  c\n"), "a\n b\n\nc\n");
        assert_eq!(block("k: |-\n  a\n  b\n\n"), "a\nb");
        assert_eq!(block("k: |+\n  a\n  b\n\n\n"), "a\nb\n\n\n");
        assert_eq!(block("k: |\n  a\n  b"), "a\nb");
        assert_eq!(block("k: |\n\n  a\n"), "\na\n");
        assert_eq!(block("k: |2\n    a\n  b\n"), "  a\nb\n");
        assert_eq!(block("k: |-1\n  a\n"), " a");
        assert_eq!(block("k: | # comment\n  a\n"), "a\n");
        assert_eq!(block("k: |\r\n  a\r\n  b\r\n"), "a\nb\n");
        assert_eq!(block("k: |\n  a\n  \tb\n"), "a\n\tb\n");
        // Empty scalars: only `+` keeps the empty lines.
        assert_eq!(block("k: |\n\n"), "");
        assert_eq!(block("k: |+\n\n"), "\n");
    }

    #[test]
    fn folded_block_scalars() {
        assert_eq!(block("k: >\n  a\n  b\n\n  c\n"), "a b\nc\n");
        assert_eq!(block("k: >-\n  a\n  b\n"), "a b");
        assert_eq!(block("k: >+\n  a\n\n"), "a\n\n");
        // Lines indented more are not folded (YAML 1.2 example 8.10).
        let spec = "k: >\n\n folded\n line\n\n next\n line\n   * bullet\n\n   * list\n   * lines\n\n last\n line\n\n";
        assert_eq!(
            block(spec),
            "\nfolded line\nnext line\n  * bullet\n\n  * list\n  * lines\n\nlast line\n"
        );
    }

    #[test]
    fn block_scalar_keeps_trailing_lines_after_the_node_up_to_the_limit() {
        let src = "k: |+\n  a\n\n\nnext: 1\n";
        let start = src.find('|').unwrap();
        let node_end = src.find("a").unwrap() + 1;
        assert_eq!(
            block_scalar(src, start, node_end, src.len(), -1).0,
            "a\n\n\n"
        );
        assert_eq!(
            block_scalar(src, start, node_end, node_end + 2, -1).0,
            "a\n\n"
        );
        assert_eq!(block_scalar(src, start, node_end, src.len(), -1).1, 2);
    }
}
