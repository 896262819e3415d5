//! Decoding of YAML scalars: plain scalars (folded, then typed by the YAML
//! 1.2 core schema) and single- and double-quoted scalars (escapes and line
//! folding); block scalars are in [`super::block_scalar`].
//!
//! tree-sitter only tells us where a scalar is; everything it means is
//! worked out here from the source text, so that these rules can be tested
//! without a parser.

use std::borrow::Cow;

use super::Value;

/// Splits `s` into lines, treating `\r\n`, `\n` and a lone `\r` as line
/// breaks (tree-sitter-yaml does too). Yields each line's offset in `s`,
/// the line without its break, and whether a break followed it.
pub(super) fn lines(s: &str) -> impl Iterator<Item = (usize, &str, bool)> {
    let bytes = s.as_bytes();
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= bytes.len() {
            return None;
        }
        let start = pos;
        while pos < bytes.len() && bytes[pos] != b'\n' && bytes[pos] != b'\r' {
            pos += 1;
        }
        let line = &s[start..pos];
        if pos >= bytes.len() {
            return Some((start, line, false));
        }
        pos += line_break_len(&bytes[pos..]);
        Some((start, line, true))
    })
}

pub(super) fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// The value of a plain scalar as written in the source (`raw` is the text
/// tree-sitter marked): line breaks fold to spaces, blank lines to `\n`.
pub(crate) fn fold_plain(raw: &str) -> Cow<'_, str> {
    if !raw.contains(['\n', '\r']) {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut blank_lines = 0usize;
    for (i, (_, line, _)) in lines(raw).enumerate() {
        let line = line.trim_matches(is_blank);
        if i == 0 {
            out.push_str(line);
        } else if line.is_empty() {
            blank_lines += 1;
        } else {
            if blank_lines == 0 {
                out.push(' ');
            }
            out.extend(std::iter::repeat_n('\n', blank_lines));
            out.push_str(line);
            blank_lines = 0;
        }
    }
    Cow::Owned(out)
}

/// Types a (folded) plain scalar by the YAML 1.2 core schema.
pub(crate) fn plain_value(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    // Every number starts with a sign, a digit or a dot; checking that
    // first keeps ordinary strings off the slower paths.
    let first = text.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return Value::String(text.to_owned());
    }
    if let Some(v) = parse_int(text) {
        return v;
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") {
        let inf = if text.starts_with('-') {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        };
        return Value::Float(inf);
    }
    if is_core_float(unsigned) {
        if let Ok(f) = text.parse::<f64>() {
            return Value::Float(f);
        }
    }
    Value::String(text.to_owned())
}

/// `[-+]?[0-9]+`, `0o[0-7]+` or `0x[0-9a-fA-F]+`; integers beyond i64 are
/// kept as floats rather than turned into strings.
fn parse_int(text: &str) -> Option<Value> {
    let (digits, radix) = if let Some(d) = text.strip_prefix("0o") {
        (d, 8)
    } else if let Some(d) = text.strip_prefix("0x") {
        (d, 16)
    } else {
        let d = text.strip_prefix(['-', '+']).unwrap_or(text);
        if d.is_empty() || !d.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        return Some(match text.parse::<i64>() {
            Ok(i) => Value::Int(i),
            Err(_) => Value::Float(text.parse::<f64>().unwrap_or(f64::NAN)),
        });
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    Some(match i64::from_str_radix(digits, radix) {
        Ok(i) => Value::Int(i),
        Err(_) => Value::Float(
            digits
                .chars()
                .filter_map(|c| c.to_digit(radix))
                .fold(0.0, |acc, d| acc * f64::from(radix) + f64::from(d)),
        ),
    })
}

/// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, the sign already removed.
fn is_core_float(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |mut i: usize| {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        (i, i - start)
    };
    let (mut i, int_digits) = digits(0);
    let mut frac_digits = 0;
    if i < b.len() && b[i] == b'.' {
        (i, frac_digits) = digits(i + 1);
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        let (end, exp_digits) = digits(i);
        if exp_digits == 0 {
            return false;
        }
        i = end;
    }
    i == b.len()
}

/// Strips the quote characters from a quoted scalar's source text, coping
/// with a missing closing quote (tree-sitter recovers from those).
fn unquote(raw: &str, quote: char) -> &str {
    let inner = raw.strip_prefix(quote).unwrap_or(raw);
    if inner.ends_with(quote) && !(quote == '"' && is_escaped_at_end(inner)) {
        &inner[..inner.len() - 1]
    } else {
        inner
    }
}

/// Whether the final character of `s` is escaped by an odd run of backslashes.
fn is_escaped_at_end(s: &str) -> bool {
    let b = s.as_bytes();
    let backslashes = b[..b.len() - 1]
        .iter()
        .rev()
        .take_while(|&&c| c == b'\\')
        .count();
    backslashes % 2 == 1
}

/// The value of a single-quoted scalar (`raw` includes the quotes).
pub(crate) fn single_quoted(raw: &str) -> String {
    let inner = unquote(raw, '\'');
    let mut chars = inner.chars().peekable();
    let mut folder = QuotedFolder::with_capacity(inner.len());
    while let Some(c) = chars.next() {
        if c == '\'' {
            // `''` is an escaped quote; a lone one cannot occur inside.
            chars.next_if_eq(&'\'');
            folder.text('\'');
        } else {
            folder.plain(c, &mut chars);
        }
    }
    folder.out
}

/// The line folding both quoted styles share: a line break becomes a space
/// (or one `\n` per empty line), and the blanks before it are dropped.
struct QuotedFolder {
    out: String,
    /// Where a run of trailing blanks started: folding drops them.
    blanks_from: Option<usize>,
}

impl QuotedFolder {
    fn with_capacity(capacity: usize) -> Self {
        QuotedFolder {
            out: String::with_capacity(capacity),
            blanks_from: None,
        }
    }

    /// Text that is not a blank (ends any run of blanks).
    fn text(&mut self, c: char) {
        self.out.push(c);
        self.blanks_from = None;
    }

    /// Text produced by an escape, which folding never drops.
    fn escaped(&mut self) {
        self.blanks_from = None;
    }

    /// A character with no special meaning in the quoted style: a line
    /// break folds, a blank may be dropped if a break follows, the rest is
    /// kept.
    fn plain(&mut self, c: char, chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
        match c {
            '\n' | '\r' => {
                if let Some(at) = self.blanks_from.take() {
                    self.out.truncate(at);
                }
                fold_break(c, chars, &mut self.out, true);
            }
            ' ' | '\t' => {
                self.blanks_from.get_or_insert(self.out.len());
                self.out.push(c);
            }
            _ => self.text(c),
        }
    }
}

/// Consumes a line break (already read as `first`), any empty lines after
/// it and the next line's indentation. Emits the folded result: one space
/// for a lone break (when `fold_single` is set), else one `\n` per empty line.
fn fold_break(
    first: char,
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    out: &mut String,
    fold_single: bool,
) {
    if first == '\r' {
        chars.next_if_eq(&'\n');
    }
    let mut empty_lines = 0;
    loop {
        while chars.next_if(|&c| is_blank(c)).is_some() {}
        match chars.next_if(|&c| c == '\n' || c == '\r') {
            Some(c) => {
                if c == '\r' {
                    chars.next_if_eq(&'\n');
                }
                empty_lines += 1;
            }
            None => break,
        }
    }
    if empty_lines == 0 {
        if fold_single {
            out.push(' ');
        }
    } else {
        out.extend(std::iter::repeat_n('\n', empty_lines));
    }
}

/// The value of a double-quoted scalar (`raw` includes the quotes). Invalid
/// escapes are kept as written; tree-sitter reports them.
pub(crate) fn double_quoted(raw: &str) -> String {
    let inner = unquote(raw, '"');
    if !inner.contains(['\\', '\n', '\r']) {
        return inner.to_owned();
    }
    let mut chars = inner.chars().peekable();
    let mut folder = QuotedFolder::with_capacity(inner.len());
    while let Some(c) = chars.next() {
        if c != '\\' {
            folder.plain(c, &mut chars);
            continue;
        }
        folder.escaped();
        match chars.next() {
            // An escaped line break joins the lines without a space.
            Some(b @ ('\n' | '\r')) => fold_break(b, &mut chars, &mut folder.out, false),
            Some(e) => push_escape(e, &mut chars, &mut folder.out),
            None => folder.out.push('\\'),
        }
    }
    folder.out
}

fn push_escape(e: char, chars: &mut std::iter::Peekable<std::str::Chars<'_>>, out: &mut String) {
    let simple = match e {
        '0' => '\0',
        'a' => '\u{7}',
        'b' => '\u{8}',
        't' | '\t' => '\t',
        'n' => '\n',
        'v' => '\u{b}',
        'f' => '\u{c}',
        'r' => '\r',
        'e' => '\u{1b}',
        ' ' => ' ',
        '"' => '"',
        '/' => '/',
        '\\' => '\\',
        'N' => '\u{85}',
        '_' => '\u{a0}',
        'L' => '\u{2028}',
        'P' => '\u{2029}',
        'x' | 'u' | 'U' => {
            let len = match e {
                'x' => 2,
                'u' => 4,
                _ => 8,
            };
            let mut hex = String::with_capacity(len);
            while hex.len() < len {
                match chars.next_if(char::is_ascii_hexdigit) {
                    Some(h) => hex.push(h),
                    None => break,
                }
            }
            let code = if hex.len() == len {
                u32::from_str_radix(&hex, 16).ok()
            } else {
                None
            };
            match code {
                Some(code) => out.push(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER)),
                None => {
                    out.push('\\');
                    out.push(e);
                    out.push_str(&hex);
                }
            }
            return;
        }
        other => {
            out.push('\\');
            out.push(other);
            return;
        }
    };
    out.push(simple);
}

pub(super) fn line_break_len(rest: &[u8]) -> usize {
    match rest {
        [b'\r', b'\n', ..] => 2,
        [b'\n' | b'\r', ..] => 1,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_scalars_are_typed_by_the_core_schema() {
        for null in ["", "~", "null", "Null", "NULL"] {
            assert_eq!(plain_value(null), Value::Null, "{null:?}");
        }
        for (s, b) in [
            ("true", true),
            ("True", true),
            ("TRUE", true),
            ("false", false),
            ("FALSE", false),
        ] {
            assert_eq!(plain_value(s), Value::Bool(b));
        }
        for (s, i) in [
            ("0", 0),
            ("-17", -17),
            ("+5", 5),
            ("0o17", 15),
            ("0x1F", 31),
            ("0xff", 255),
        ] {
            assert_eq!(plain_value(s), Value::Int(i), "{s}");
        }
        assert_eq!(plain_value("9223372036854775807"), Value::Int(i64::MAX));
        assert_eq!(
            plain_value("9223372036854775808"),
            Value::Float(9223372036854775808.0)
        );
        assert_eq!(
            plain_value("0xffffffffffffffffff"),
            Value::Float(4722366482869645213696.0)
        );
        for (s, f) in [
            ("1.5", 1.5),
            ("-.5", -0.5),
            ("1.", 1.0),
            ("1e3", 1000.0),
            ("+2.5E-1", 0.25),
            (".5", 0.5),
        ] {
            assert_eq!(plain_value(s), Value::Float(f), "{s}");
        }
        assert_eq!(plain_value(".inf"), Value::Float(f64::INFINITY));
        assert_eq!(plain_value("-.Inf"), Value::Float(f64::NEG_INFINITY));
        assert!(matches!(plain_value(".NaN"), Value::Float(f) if f.is_nan()));
        for s in [
            "yes",
            "no",
            "on",
            "1.0.0",
            "0b101",
            "0o8",
            "1e",
            "e3",
            ".",
            "-",
            "2001-12-14",
            "1_000",
            "0x",
            "+.inf x",
        ] {
            assert_eq!(plain_value(s), Value::String(s.into()), "{s}");
        }
    }

    #[test]
    fn multi_line_plain_scalars_fold() {
        assert_eq!(fold_plain("one"), "one");
        assert_eq!(fold_plain("one\n  two\n  three"), "one two three");
        assert_eq!(fold_plain("one\n\n  two\n\n\n  three"), "one\ntwo\n\nthree");
        assert_eq!(
            fold_plain("one \t\r\n  two\r\n\r\n  three"),
            "one two\nthree"
        );
        assert_eq!(fold_plain("a\rb"), "a b");
    }

    #[test]
    fn single_quoted_scalars() {
        assert_eq!(single_quoted("'it''s'"), "it's");
        assert_eq!(single_quoted("''"), "");
        assert_eq!(single_quoted("'a\\n'"), "a\\n");
        assert_eq!(
            single_quoted("' lead  \n   next\n\n  last '"),
            " lead next\nlast "
        );
        assert_eq!(single_quoted("'unterminated"), "unterminated");
    }

    #[test]
    fn double_quoted_escapes() {
        let cases = [
            (r#""a\nb\tc""#, "a\nb\tc"),
            (r#""\"\\\/""#, "\"\\/"),
            (r#""\0\a\b\e\f\r\v""#, "\0\u{7}\u{8}\u{1b}\u{c}\r\u{b}"),
            (r#""\N\_\L\P""#, "\u{85}\u{a0}\u{2028}\u{2029}"),
            (r#""\x41\u00e9\U0001F600""#, "Aé😀"),
            ("\"tab\\\tx\"", "tab\tx"),
            (r#""\ ""#, " "),
            (r#""bad \q \x4""#, "bad \\q \\x4"),
            (r#""\uD800""#, "\u{fffd}"),
            (r#""ends with \""#, "ends with \""),
        ];
        for (raw, want) in cases {
            assert_eq!(double_quoted(raw), want, "{raw}");
        }
    }

    #[test]
    fn double_quoted_folding() {
        assert_eq!(double_quoted("\"one  \n   two\""), "one two");
        assert_eq!(double_quoted("\"one\n\n  two\""), "one\ntwo");
        assert_eq!(double_quoted("\"one\\\n   two\""), "onetwo");
        assert_eq!(double_quoted("\"one \\\n   two\""), "one two");
        assert_eq!(double_quoted("\"a\\t  \n b\""), "a\t b");
        assert_eq!(double_quoted("\"a\r\n  b\r\n\r\n  c\""), "a b\nc");
        assert_eq!(double_quoted("\" lead \""), " lead ");
    }
}
