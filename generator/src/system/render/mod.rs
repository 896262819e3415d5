//! Rendering the [`super::ir::SystemIr`] into file contents.
//!
//! Templates are Rust source with `{{name}}` holes filled by [`fill`]; the
//! parts that repeat or vary by component type are built in code. Every
//! function here is pure: same IR, same bytes, which regeneration relies on.

pub mod component;
pub mod kinds;
pub mod project;
pub mod readme;
pub mod tests_rs;
pub mod wiring;

/// Replaces every `{{key}}` in `template` with its value. A hole with no
/// value is a bug in the generator, caught by the snapshot tests (the text
/// would not compile).
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_owned();
    for (key, value) in values {
        out = out.replace(&format!("{{{{{key}}}}}"), value);
    }
    out
}

/// Indents every non-empty line of `text` by `n` spaces.
pub fn indent(text: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{pad}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `//! ` doc lines for a free text (a description from the blueprint).
pub fn doc_lines(prefix: &str, text: &str) -> String {
    text.lines()
        .map(|l| format!("{prefix} {l}").trim_end().to_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_holes() {
        assert_eq!(
            fill("a {{x}} {{y}} {{x}}", &[("x", "1"), ("y", "2")]),
            "a 1 2 1"
        );
        assert_eq!(indent("a\n\nb", 2), "  a\n\n  b");
    }
}
