//! Source text as it came from disk or from an editor, and the line index
//! that maps byte offsets to line/column positions.
//!
//! Bytes that are not UTF-8 are replaced (U+FFFD) so that analysis can go on;
//! the caller learns about it through [`SourceText::invalid_utf8_at`]. A
//! leading byte-order mark is skipped by the parser but kept in the text, so
//! offsets always refer to the text the user sees.

use crate::span::Span;

/// The text of one blueprint file.
#[derive(Clone, Debug)]
pub struct SourceText {
    text: String,
    /// Byte offset (in `text`) of the first byte that was not valid UTF-8.
    invalid_utf8_at: Option<usize>,
}

impl SourceText {
    pub fn new(text: impl Into<String>) -> Self {
        SourceText {
            text: text.into(),
            invalid_utf8_at: None,
        }
    }

    /// Decodes bytes, replacing invalid UTF-8 sequences.
    pub fn from_bytes(bytes: &[u8]) -> Self {
        match std::str::from_utf8(bytes) {
            Ok(s) => SourceText::new(s),
            Err(e) => {
                let valid = e.valid_up_to();
                SourceText {
                    text: String::from_utf8_lossy(bytes).into_owned(),
                    invalid_utf8_at: Some(valid),
                }
            }
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn invalid_utf8_at(&self) -> Option<usize> {
        self.invalid_utf8_at
    }

    /// Length of a leading UTF-8 byte-order mark, if any.
    pub fn bom_len(&self) -> usize {
        if self.text.starts_with('\u{feff}') {
            3
        } else {
            0
        }
    }
}

/// Which unit the column of a [`Position`] counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// Bytes of UTF-8 (LSP `utf-8`, and what rustc-style output uses +1).
    Utf8,
    /// UTF-16 code units (LSP's default).
    Utf16,
    /// Unicode scalar values (what humans count; used for terminal output).
    Chars,
}

/// A zero-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

/// Maps byte offsets to positions and back. Lines end at `\n`; a `\r`
/// before it belongs to the line ending, not to the line's columns.
#[derive(Clone, Debug)]
pub struct LineIndex {
    /// Byte offset at which each line starts.
    line_starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex {
            line_starts,
            len: text.len(),
        }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Zero-based line containing `offset` (clamped to the text).
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.len);
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// Byte range of line `line` without its line ending.
    pub fn line_span(&self, text: &str, line: usize) -> Span {
        let start = self.line_starts.get(line).copied().unwrap_or(self.len);
        let mut end = self
            .line_starts
            .get(line + 1)
            .map(|s| s - 1)
            .unwrap_or(self.len);
        if end > start && text.as_bytes().get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        Span::new(start, end.max(start))
    }

    /// Position of byte `offset`, columns counted in `encoding`. An offset
    /// inside a multi-byte character is moved back to the character's start.
    pub fn position(&self, text: &str, offset: usize, encoding: Encoding) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_of(offset);
        let start = self.line_starts[line];
        let prefix = &text[start..offset];
        let column = match encoding {
            Encoding::Utf8 => prefix.len(),
            Encoding::Utf16 => prefix.chars().map(char::len_utf16).sum(),
            Encoding::Chars => prefix.chars().count(),
        };
        Position {
            line: line as u32,
            column: column as u32,
        }
    }

    /// Byte offset of `position`, or `None` when the line does not exist.
    /// A column past the end of the line clamps to the line's end; a column
    /// inside a UTF-16 surrogate pair clamps to the character's start.
    pub fn offset(&self, text: &str, position: Position, encoding: Encoding) -> Option<usize> {
        let line = position.line as usize;
        if line >= self.line_starts.len() {
            return None;
        }
        let span = self.line_span(text, line);
        let line_text = &text[span.start..span.end];
        let wanted = position.column as usize;
        let mut units = 0;
        for (i, ch) in line_text.char_indices() {
            if units >= wanted {
                return Some(span.start + i);
            }
            units += match encoding {
                Encoding::Utf8 => ch.len_utf8(),
                Encoding::Utf16 => ch.len_utf16(),
                Encoding::Chars => 1,
            };
            if units > wanted {
                return Some(span.start + i);
            }
        }
        Some(span.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_round_trip_in_every_encoding() {
        let text = "a: é\r\nb: 😀x\nc";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(
            index.position(text, x, Encoding::Utf8),
            Position { line: 1, column: 7 }
        );
        assert_eq!(
            index.position(text, x, Encoding::Utf16),
            Position { line: 1, column: 5 }
        );
        assert_eq!(
            index.position(text, x, Encoding::Chars),
            Position { line: 1, column: 4 }
        );
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Chars] {
            let p = index.position(text, x, enc);
            assert_eq!(index.offset(text, p, enc), Some(x));
        }
        // The \r belongs to the line ending.
        assert_eq!(index.line_span(text, 0), Span::new(0, 5));
        assert_eq!(
            index.offset(
                text,
                Position {
                    line: 0,
                    column: 99
                },
                Encoding::Utf16
            ),
            Some(5)
        );
        assert_eq!(
            index.offset(text, Position { line: 9, column: 0 }, Encoding::Utf16),
            None
        );
    }

    #[test]
    fn invalid_utf8_is_replaced_and_reported() {
        let src = SourceText::from_bytes(b"a: \xff\xfe\n");
        assert_eq!(src.invalid_utf8_at(), Some(3));
        assert!(src.as_str().contains('\u{fffd}'));
    }
}
