//! Byte spans to the positions each output format wants.
//!
//! Analysis reports byte spans; humans and the JSON format count columns in
//! characters, SARIF in UTF-16 code units. Everything here is 1-based, as
//! every one of those formats is. A leading byte-order mark is invisible in
//! editors, so it is not counted as a column of the first line.

use blueprint_grammars::{Encoding, LineIndex, SourceText, Span};

/// A 1-based line and column, and the 0-based byte offset it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Point {
    pub line: u32,
    pub column: u32,
    pub offset: usize,
}

/// A file's text together with its line index.
pub(crate) struct Located<'a> {
    pub source: &'a SourceText,
    pub lines: &'a LineIndex,
}

impl Located<'_> {
    pub fn text(&self) -> &str {
        self.source.as_str()
    }

    /// Makes a span safe to slice with: inside the text, on character
    /// boundaries, start <= end. Analysis should never produce anything
    /// else, but a renderer that panics on a bad span would hide every
    /// other diagnostic, so this is checked rather than trusted.
    pub fn clamp(&self, span: Span) -> Span {
        let text = self.text();
        let floor = |mut at: usize| {
            at = at.min(text.len());
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            at
        };
        let start = floor(span.start);
        Span::new(start, floor(span.end).max(start))
    }

    /// The 1-based position of byte `offset`, columns counted in `encoding`.
    pub fn point(&self, offset: usize, encoding: Encoding) -> Point {
        let offset = self.clamp(Span::empty(offset)).start;
        let position = self.lines.position(self.text(), offset, encoding);
        let mut column = position.column;
        let bom = self.source.bom_len();
        if position.line == 0 && bom > 0 && offset >= bom {
            // U+FEFF is one character and one UTF-16 unit, three bytes.
            column -= if encoding == Encoding::Utf8 {
                bom as u32
            } else {
                1
            };
        }
        Point {
            line: position.line + 1,
            column: column + 1,
            offset,
        }
    }

    /// Start and end (exclusive) of a span.
    pub fn range(&self, span: Span, encoding: Encoding) -> (Point, Point) {
        let span = self.clamp(span);
        (
            self.point(span.start, encoding),
            self.point(span.end, encoding),
        )
    }

    /// The text of the (1-based) line, without its line ending.
    pub fn line_text(&self, line: u32) -> &str {
        let span = self
            .lines
            .line_span(self.text(), line.saturating_sub(1) as usize);
        &self.text()[span.start..span.end]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn located(text: &str, f: impl FnOnce(&Located<'_>)) {
        let source = SourceText::new(text);
        let lines = LineIndex::new(source.as_str());
        f(&Located {
            source: &source,
            lines: &lines,
        });
    }

    #[test]
    fn columns_count_characters_or_utf16_units() {
        located("a: é\nb: 😀x\n", |l| {
            let x = l.text().find('x').unwrap();
            assert_eq!(
                l.point(x, Encoding::Chars),
                Point {
                    line: 2,
                    column: 5,
                    offset: x
                }
            );
            assert_eq!(
                l.point(x, Encoding::Utf16),
                Point {
                    line: 2,
                    column: 6,
                    offset: x
                }
            );
        });
    }

    #[test]
    fn byte_order_mark_is_not_a_column() {
        located("\u{feff}a: 1\n", |l| {
            assert_eq!(l.point(3, Encoding::Chars).column, 1);
            assert_eq!(l.point(4, Encoding::Utf16).column, 2);
            assert_eq!(l.point(4, Encoding::Utf8).column, 2);
        });
    }

    #[test]
    fn bad_spans_are_clamped_not_fatal() {
        located("é", |l| {
            assert_eq!(l.clamp(Span::new(1, 99)), Span::new(0, 2));
            assert_eq!(l.clamp(Span::new(2, 1)), Span::new(2, 2));
            assert_eq!(l.range(Span::new(0, 99), Encoding::Chars).1.column, 2);
        });
    }
}
