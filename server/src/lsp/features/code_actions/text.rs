//! Small helpers for inserting YAML into existing text.

use blueprint_grammars::yaml::Node;
use blueprint_grammars::Span;

/// The text's line ending (CRLF when it uses CRLF anywhere).
pub fn newline(text: &str) -> &'static str {
    if text.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    }
}

pub fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}

/// The column (in bytes) of `offset`: the indentation of a key that starts
/// its line.
pub fn column(text: &str, offset: usize) -> usize {
    offset - line_start(text, offset)
}

/// Where to insert lines after the content that ends at `end`: the start
/// of the next line. The second value is the line break to put first when
/// the text ends without one.
pub fn after_line(text: &str, end: usize) -> (usize, &'static str) {
    if end > 0 && text.as_bytes()[end - 1] == b'\n' {
        return (end, "");
    }
    match text[end..].find('\n') {
        Some(i) => (end + i + 1, ""),
        None => (text.len(), newline(text)),
    }
}

/// Whether `node` is written in flow style (`[...]` or `{...}`).
pub fn is_flow(text: &str, node: &Node) -> bool {
    matches!(
        text.as_bytes().get(node.span.start),
        Some(b'[') | Some(b'{')
    )
}

/// An insertion into a flow collection before its closing bracket:
/// `, item` or `item` when it is empty.
pub fn into_flow(text: &str, node: &Node, item: &str, empty: bool) -> Option<(Span, String)> {
    let close = text[..node.span.end].rfind([']', '}'])?;
    if close < node.span.start {
        return None;
    }
    let inner = text[node.span.start + 1..close].trim_end();
    let at = node.span.start + 1 + inner.len();
    let replacement = if empty || inner.trim().is_empty() {
        item.to_owned()
    } else {
        format!(", {item}")
    };
    Some((Span::empty(at), replacement))
}

/// Lines `lines` indented by `indent`, each ending with `nl`.
pub fn indented(lines: &[String], indent: usize, nl: &str) -> String {
    let pad = " ".repeat(indent);
    lines
        .iter()
        .map(|l| format!("{pad}{l}{nl}"))
        .collect::<String>()
}

/// Offset just after the `:` that follows a key ending at `key_end`.
pub fn after_colon(text: &str, key_end: usize) -> usize {
    text[key_end..]
        .find(':')
        .map_or(key_end, |i| key_end + i + 1)
}
