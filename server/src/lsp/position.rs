//! LSP positions and byte offsets, in the encoding negotiated at start-up.
//!
//! tree-sitter and analysis count bytes; LSP counts UTF-16 code units by
//! default, or UTF-8 bytes when both sides agree (`positionEncoding`). A
//! position past the end of its line clamps to the line's end, one past the
//! last line to the end of the text: clients send such positions, and a
//! server must not fail on them.

use blueprint_grammars::{Encoding, LineIndex, Span};
use ropey::Rope;
use tower_lsp_server::ls_types::{Position, PositionEncodingKind, Range};

/// The encoding of columns in this session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PositionEncoding {
    Utf8,
    Utf16,
}

impl PositionEncoding {
    /// UTF-8 when the client offers it (no conversion), else UTF-16, which
    /// every client supports.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Self {
        match offered {
            Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => PositionEncoding::Utf8,
            _ => PositionEncoding::Utf16,
        }
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            PositionEncoding::Utf8 => PositionEncodingKind::UTF8,
            PositionEncoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }

    fn grammar(self) -> Encoding {
        match self {
            PositionEncoding::Utf8 => Encoding::Utf8,
            PositionEncoding::Utf16 => Encoding::Utf16,
        }
    }
}

/// Byte offset of `position` in `rope` (clamped, never failing).
pub fn rope_offset(rope: &Rope, position: Position, encoding: PositionEncoding) -> usize {
    let line = position.line as usize;
    if line >= rope.len_lines() {
        return rope.len_bytes();
    }
    let line_start = rope.line_to_byte(line);
    let line_slice = rope.line(line);
    let mut units = 0usize;
    let mut bytes = 0usize;
    for ch in line_slice.chars() {
        if ch == '\n' || ch == '\r' || units >= position.character as usize {
            break;
        }
        let width = match encoding {
            PositionEncoding::Utf8 => ch.len_utf8(),
            PositionEncoding::Utf16 => ch.len_utf16(),
        };
        // A column inside a character (half a surrogate pair, the middle
        // of a UTF-8 sequence) moves to its start.
        if units + width > position.character as usize {
            break;
        }
        units += width;
        bytes += ch.len_utf8();
    }
    line_start + bytes
}

/// Converts spans of one text to LSP ranges.
pub struct Positions<'a> {
    text: &'a str,
    index: &'a LineIndex,
    encoding: PositionEncoding,
}

impl<'a> Positions<'a> {
    pub fn new(text: &'a str, index: &'a LineIndex, encoding: PositionEncoding) -> Self {
        Positions {
            text,
            index,
            encoding,
        }
    }

    pub fn position(&self, offset: usize) -> Position {
        let p = self
            .index
            .position(self.text, offset, self.encoding.grammar());
        Position {
            line: p.line,
            character: p.column,
        }
    }

    pub fn range(&self, span: Span) -> Range {
        Range {
            start: self.position(span.start),
            end: self.position(span.end),
        }
    }

    /// Byte offset of `position` (clamped).
    pub fn offset(&self, position: Position) -> usize {
        let p = blueprint_grammars::Position {
            line: position.line,
            column: position.character,
        };
        self.index
            .offset(self.text, p, self.encoding.grammar())
            .unwrap_or(self.text.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_in_both_encodings_clamp_instead_of_failing() {
        let text = "a: é\r\nb: 😀x\n";
        let rope = Rope::from_str(text);
        let x = text.find('x').unwrap();
        let at = |line, character| Position { line, character };
        assert_eq!(rope_offset(&rope, at(1, 5), PositionEncoding::Utf16), x);
        assert_eq!(rope_offset(&rope, at(1, 7), PositionEncoding::Utf8), x);
        // Inside the surrogate pair: the emoji's start.
        assert_eq!(rope_offset(&rope, at(1, 4), PositionEncoding::Utf16), x - 4);
        // Past the end of a line: its end, before the CRLF.
        assert_eq!(rope_offset(&rope, at(0, 99), PositionEncoding::Utf16), 5);
        // Past the last line: the end of the text.
        assert_eq!(
            rope_offset(&rope, at(99, 0), PositionEncoding::Utf16),
            text.len()
        );
        let index = LineIndex::new(text);
        let positions = Positions::new(text, &index, PositionEncoding::Utf16);
        assert_eq!(positions.position(x), at(1, 5));
        assert_eq!(positions.offset(at(1, 5)), x);
    }
}
