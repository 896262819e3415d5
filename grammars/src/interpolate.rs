//! `${VAR}` / `${VAR:-default}` interpolation, and keeping secrets out of
//! everything Blueprint prints.
//!
//! Interpolation is pure: the caller supplies the variables (the process
//! environment and a `.env` beside the blueprint, loaded at the edge).
//! Masking finds the password part of URLs (`scheme://user:PASSWORD@host`)
//! and `password=` parameters, wherever they appear in a text.

use std::collections::HashMap;

use crate::span::Span;

/// Variables available to `${VAR}`.
#[derive(Clone, Debug, Default)]
pub struct Environment {
    vars: HashMap<String, String>,
}

impl Environment {
    pub fn new(vars: impl IntoIterator<Item = (String, String)>) -> Self {
        Environment {
            vars: vars.into_iter().collect(),
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// Adds variables that are not already set: the process environment
    /// wins over a `.env` file, as with docker compose and dotenv tools.
    pub fn extend_missing(&mut self, vars: impl IntoIterator<Item = (String, String)>) {
        for (k, v) in vars {
            self.vars.entry(k).or_insert(v);
        }
    }
}

/// The result of interpolating one string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interpolated {
    pub value: String,
    /// References with no value and no default: the variable's name and the
    /// byte range of the whole `${...}` in the input string.
    pub missing: Vec<(String, std::ops::Range<usize>)>,
}

/// Replaces `${VAR}` and `${VAR:-default}` in `input`. `$${` is a literal
/// `${`. An unterminated `${` is kept as written.
pub fn interpolate(input: &str, env: &Environment) -> Interpolated {
    let mut value = String::with_capacity(input.len());
    let mut missing = Vec::new();
    let mut rest = input;
    let mut offset = 0;
    while let Some(i) = rest.find("${") {
        if rest[..i].ends_with('$') {
            value.push_str(&rest[..i - 1]);
            value.push_str("${");
            rest = &rest[i + 2..];
            offset += i + 2;
            continue;
        }
        let Some(close) = rest[i..].find('}') else {
            break;
        };
        value.push_str(&rest[..i]);
        let inner = &rest[i + 2..i + close];
        let (name, default) = match inner.split_once(":-") {
            Some((name, default)) => (name, Some(default)),
            None => (inner, None),
        };
        match (
            env.get(name).filter(|v| !v.is_empty() || default.is_none()),
            default,
        ) {
            (Some(v), _) => value.push_str(v),
            (None, Some(d)) => value.push_str(d),
            (None, None) => missing.push((name.to_owned(), offset + i..offset + i + close + 1)),
        }
        rest = &rest[i + close + 1..];
        offset += i + close + 1;
    }
    value.push_str(rest);
    Interpolated { value, missing }
}

/// Names of the variables `input` refers to.
pub fn variables(input: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = input;
    while let Some(i) = rest.find("${") {
        let Some(close) = rest[i..].find('}') else {
            break;
        };
        let inner = &rest[i + 2..i + close];
        names.push(inner.split_once(":-").map_or(inner, |(n, _)| n));
        rest = &rest[i + close + 1..];
    }
    names
}

/// Byte spans of secrets in `text`: the password of every
/// `scheme://user:password@` and the value of every `password=` parameter.
/// A `${VAR}` reference is not a secret and is not reported.
pub fn secret_spans(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let bytes = text.as_bytes();
    let mut search = 0;
    while let Some(found) = text[search..].find("://") {
        let authority_start = search + found + 3;
        let authority_end = text[authority_start..]
            .find(|c: char| {
                c == '/' || c == '?' || c == '#' || c.is_whitespace() || c == '"' || c == '\''
            })
            .map_or(text.len(), |i| authority_start + i);
        let authority = &text[authority_start..authority_end];
        if let Some(at) = authority.rfind('@') {
            if let Some(colon) = authority[..at].find(':') {
                let span = Span::new(authority_start + colon + 1, authority_start + at);
                if !span.is_empty() && !is_reference(&text[span.start..span.end]) {
                    spans.push(span);
                }
            }
        }
        search = authority_end.max(authority_start);
    }
    let lower = text.to_ascii_lowercase();
    for key in ["password=", "pwd=", "passwd="] {
        let mut from = 0;
        while let Some(found) = lower[from..].find(key) {
            let start = from + found + key.len();
            let end = bytes[start..]
                .iter()
                .position(|b| matches!(b, b'&' | b';' | b' ' | b'\n' | b'\r' | b'"' | b'\''))
                .map_or(text.len(), |i| start + i);
            if end > start && !is_reference(&text[start..end]) {
                spans.push(Span::new(start, end));
            }
            from = end.max(start);
        }
    }
    spans.sort_by_key(|s| s.start);
    spans
}

fn is_reference(secret: &str) -> bool {
    secret.starts_with("${") && secret.ends_with('}')
}

/// `text` with every secret replaced by `***`, for messages, hovers, logs
/// and generated files.
pub fn mask_secrets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for span in secret_spans(text) {
        out.push_str(&text[last..span.start]);
        out.push_str("***");
        last = span.end;
    }
    out.push_str(&text[last..]);
    out
}

/// `text` with the secrets of `source` (as [`secret_spans`] finds them
/// there, and their percent-decoded forms) replaced by `***` wherever they
/// occur. For messages that quote parts of a URL without its scheme, where
/// [`mask_secrets`] alone would not recognise them.
pub fn mask_secrets_of(text: &str, source: &str) -> String {
    let mut out = mask_secrets(text);
    for span in secret_spans(source) {
        let secret = &source[span.start..span.end];
        for form in [secret.to_owned(), percent_decode(secret)] {
            if !form.is_empty() {
                out = out.replace(&form, "***");
            }
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).and_then(|b| hex(*b)),
            bytes.get(i + 2).and_then(|b| hex(*b)),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `text` with every secret replaced by as many `*` as it has bytes, so
/// that byte offsets into it stay valid (for showing source lines under
/// diagnostics).
pub fn mask_secrets_in_place(text: &str) -> String {
    let mut out = text.to_owned();
    for span in secret_spans(text) {
        out.replace_range(span.start..span.end, &"*".repeat(span.len()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Environment {
        Environment::new(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    #[test]
    fn interpolates_values_defaults_and_reports_missing() {
        let e = env(&[("HOST", "db"), ("EMPTY", "")]);
        let r = interpolate("postgres://${HOST}:${PORT:-5432}/${NAME}", &e);
        assert_eq!(r.value, "postgres://db:5432/");
        assert_eq!(r.missing, vec![("NAME".to_string(), 33..40)]);
        // An empty variable falls back to the default, as in POSIX `:-`.
        assert_eq!(interpolate("${EMPTY:-x}", &e).value, "x");
        assert_eq!(interpolate("$${HOST} ${HOST", &e).value, "${HOST} ${HOST");
        assert_eq!(variables("a ${A} ${B:-c}"), vec!["A", "B"]);
    }

    #[test]
    fn masks_passwords_but_not_references() {
        assert_eq!(
            mask_secrets("postgres://app:s3cret@host:5432/db"),
            "postgres://app:***@host:5432/db"
        );
        assert_eq!(mask_secrets("mysql://root@host/db"), "mysql://root@host/db");
        assert_eq!(
            mask_secrets("postgres://app:${PW}@host/db"),
            "postgres://app:${PW}@host/db"
        );
        assert_eq!(
            mask_secrets("host=x password=hunter2 user=y"),
            "host=x password=*** user=y"
        );
        assert_eq!(
            mask_secrets_of(
                "no file at app:p%40ss@h/x.db (p@ss)",
                "sqlite://app:p%40ss@h/x.db"
            ),
            "no file at app:***@h/x.db (***)"
        );
        let text = "url: postgresql://postgres:test123@localhost/x";
        let masked = mask_secrets_in_place(text);
        assert_eq!(masked.len(), text.len());
        assert!(!masked.contains("test123"));
    }
}
