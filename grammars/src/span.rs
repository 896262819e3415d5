//! Byte ranges into the source text.
//!
//! Everything the language reports on carries a [`Span`]: a half-open byte
//! range into the text that was parsed. Bytes, not characters, because
//! tree-sitter counts bytes; conversion to line/column (UTF-8 or UTF-16) is
//! the job of [`crate::source::LineIndex`], at the edge.

use serde::Serialize;

/// A half-open byte range `start..end` into a source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    pub const fn empty(at: usize) -> Self {
        Span { start: at, end: at }
    }

    pub const fn len(&self) -> usize {
        self.end - self.start
    }

    pub const fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    pub fn contains(&self, offset: usize) -> bool {
        self.start <= offset && offset < self.end
    }

    /// This span moved by `delta` bytes (used when a memoised result is
    /// reused for a component whose text moved but did not change).
    pub fn shifted(self, delta: isize) -> Span {
        Span::new(
            (self.start as isize + delta) as usize,
            (self.end as isize + delta) as usize,
        )
    }
}

impl From<std::ops::Range<usize>> for Span {
    fn from(r: std::ops::Range<usize>) -> Self {
        Span::new(r.start, r.end)
    }
}

impl From<Span> for std::ops::Range<usize> {
    fn from(s: Span) -> Self {
        s.start..s.end
    }
}

/// Span of the part `offset..offset + len` of a scalar's decoded `value`,
/// when the scalar's source text (at `scalar` in `text`) holds the value
/// verbatim, plain or in simple quotes. Otherwise the whole scalar: escapes
/// or folding make the mapping from value to source inexact.
pub fn scalar_sub_span(text: &str, scalar: Span, value: &str, offset: usize, len: usize) -> Span {
    let Some(source) = text.get(scalar.start..scalar.end) else {
        return scalar;
    };
    let quote = usize::from(matches!(source.as_bytes().first(), Some(b'"' | b'\'')));
    if source.get(quote..quote + value.len()) == Some(value) && offset + len <= value.len() {
        let start = scalar.start + quote + offset;
        Span::new(start, start + len)
    } else {
        scalar
    }
}

/// A value together with where it was written.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

impl Spanned<String> {
    pub fn as_str(&self) -> &str {
        &self.value
    }
}
