//! `--format json`: one JSON document, documented in `docs/json-format.md`.
//!
//! The shape is an interface other programs depend on. Fields may be added
//! within `"version": 1`; renaming, removing or changing the meaning of one
//! requires a new version. Keys are written in a fixed order (serde_json's
//! `preserve_order`) so output diffs cleanly.

use blueprint_grammars::{Encoding, Span};
use serde_json::{json, Value};

use super::check::{CheckedFile, Report};
use super::location::Located;
use crate::analysis::{Diagnostic, Tier};

/// Version of the JSON shape (not of the tool).
pub(crate) const FORMAT_VERSION: u32 = 1;

pub(crate) fn render(report: &Report) -> String {
    let summary = report.summary();
    let document = json!({
        "version": FORMAT_VERSION,
        "files": report.files.iter().map(file).collect::<Vec<_>>(),
        "failures": report.failures.iter().map(|f| json!({
            "path": f.path,
            "message": f.message,
            "help": f.help,
        })).collect::<Vec<_>>(),
        "summary": {
            "errors": summary.errors,
            "warnings": summary.warnings,
            "infos": summary.infos,
            "hints": summary.hints,
            "files": summary.files,
        },
    });
    let mut out = serde_json::to_string_pretty(&document).expect("a json! value always serialises");
    out.push('\n');
    out
}

/// A tier's short, stable id; `Tier::label` is for humans and may be
/// reworded, these may not.
pub(crate) fn tier_id(tier: Tier) -> &'static str {
    match tier {
        Tier::Structure => "L1",
        Tier::Components => "L2",
        Tier::Integration => "L3",
        Tier::Semantics => "L4",
    }
}

fn file(file: &CheckedFile) -> Value {
    let located = file.located();
    json!({
        "path": file.display_path(),
        "diagnostics": file.diagnostics.iter().map(|d| diagnostic(&located, d)).collect::<Vec<_>>(),
    })
}

fn diagnostic(located: &Located<'_>, d: &Diagnostic) -> Value {
    json!({
        "code": d.rule.code,
        "name": d.rule.name,
        "severity": d.severity.as_str(),
        "tier": tier_id(d.rule.tier),
        "message": d.message,
        "help": d.help,
        "range": range(located, d.span),
        "related": d.related.iter().map(|r| json!({
            "message": r.message,
            "range": range(located, r.span),
        })).collect::<Vec<_>>(),
        "fixes": d.fixes.iter().map(|f| json!({
            "title": f.title,
            "edits": f.edits.iter().map(|e| json!({
                "range": range(located, e.span),
                "replacement": e.replacement,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// `{"start": {line, column, offset}, "end": {...}}`: 1-based line and
/// column (in characters), 0-based byte offset; `end` is exclusive.
fn range(located: &Located<'_>, span: Span) -> Value {
    let (start, end) = located.range(span, Encoding::Chars);
    let point =
        |p: super::location::Point| json!({"line": p.line, "column": p.column, "offset": p.offset});
    json!({"start": point(start), "end": point(end)})
}
