//! L1: what the YAML reader found, as diagnostics.

use blueprint_grammars::yaml::{SyntaxError, SyntaxErrorKind};
use blueprint_grammars::{SourceText, Span};

use super::rules;
use super::Diagnostic;

pub fn check_syntax(source: &SourceText, errors: &[SyntaxError], out: &mut Vec<Diagnostic>) {
    if let Some(at) = source.invalid_utf8_at() {
        out.push(
            Diagnostic::new(
                &rules::INVALID_ENCODING,
                Span::new(at, at + '\u{fffd}'.len_utf8()),
                "the file is not valid UTF-8 from here on",
            )
            .with_help("save the file as UTF-8; invalid bytes were read as U+FFFD"),
        );
    }
    for error in errors {
        out.push(syntax_diagnostic(error));
    }
}

fn syntax_diagnostic(error: &SyntaxError) -> Diagnostic {
    let span = error.span;
    match &error.kind {
        SyntaxErrorKind::Unexpected { text } => Diagnostic::new(&rules::SYNTAX_ERROR, span, format!("invalid YAML: unexpected `{text}`"))
            .with_help("check the indentation and the `key: value` form on this line; quote values that contain `: ` or start with a special character"),
        SyntaxErrorKind::Missing { expected } => {
            Diagnostic::new(&rules::SYNTAX_ERROR, span, format!("invalid YAML: missing `{expected}`"))
                .with_replacement(format!("Insert `{expected}`"), expected.clone())
        }
        SyntaxErrorKind::MultipleDocuments => Diagnostic::new(&rules::MULTIPLE_DOCUMENTS, span, "a blueprint file holds one YAML document; this second document is ignored")
            .with_help("move this document into a file of its own, or delete the `---` line that starts it"),
        SyntaxErrorKind::UnknownAlias { name } => Diagnostic::new(&rules::UNKNOWN_ALIAS, span, format!("alias `*{name}` refers to no anchor"))
            .with_help(format!("define `&{name}` on a value before this alias, or fix the name")),
        SyntaxErrorKind::InvalidMerge => Diagnostic::new(&rules::INVALID_MERGE, span, "`<<` must refer to a mapping or a list of mappings")
            .with_help("write `<<: *anchor` where `&anchor` is on a mapping"),
        SyntaxErrorKind::TabIndentation => Diagnostic::new(&rules::TAB_INDENTATION, span, "tab used for indentation; YAML allows only spaces")
            // The parser counted the tab as one column; one space keeps the
            // structure it read.
            .with_replacement("Replace the tab with a space", " "),
        SyntaxErrorKind::TooDeep => Diagnostic::new(&rules::TOO_COMPLEX, span, "the document nests too deeply to analyse")
            .with_help("flatten this structure; blueprints need only a few levels"),
        SyntaxErrorKind::AliasExpansionLimit => Diagnostic::new(&rules::TOO_COMPLEX, span, "aliases here expand to too many values to analyse")
            .with_help("use fewer nested aliases"),
    }
}
