//! Code actions: every machine-applicable fix the validator offers, plus
//! fixes the validator cannot express as local edits (adding a missing
//! schema or port) and, for pre-flight findings, a migration file that
//! creates the missing table or column; and generating the system or
//! regenerating a stale component (`super::generate`).

mod insert;
mod migration;
#[cfg(test)]
mod tests;
mod text;

use std::collections::HashMap;
use std::sync::Arc;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::analysis::Fix;
use crate::lsp::convert;
use crate::lsp::position::Positions;
use crate::lsp::state::{FileAnalysis, State};

pub async fn code_actions(
    state: &Arc<State>,
    params: CodeActionParams,
) -> Result<Option<CodeActionResponse>> {
    let uri = params.text_document.uri.clone();
    let Some(analysis) = state.current_analysis(&uri).await else {
        return Ok(None);
    };
    let positions = analysis.positions(state.encoding());
    let mut actions = Vec::new();
    validator_fixes(&uri, &analysis, &positions, &params, &mut actions);
    let preflight: Vec<Diagnostic> = state.preflight_for(&uri, &analysis).unwrap_or_default();
    migration::actions(
        &uri,
        &analysis,
        &positions,
        &params,
        &preflight,
        &state.settings().env_file,
        &mut actions,
    );
    // "Generate system" and "Regenerate component" (reads the output
    // directory, off the async threads).
    actions.extend(super::generate::actions(state, &uri, &analysis, &params).await);
    if let Some(only) = &params.context.only {
        actions.retain(|a| match a {
            CodeActionOrCommand::CodeAction(a) => a.kind.as_ref().is_some_and(|kind| {
                only.iter().any(|o| {
                    kind.as_str() == o.as_str()
                        || kind.as_str().starts_with(&format!("{}.", o.as_str()))
                })
            }),
            CodeActionOrCommand::Command(_) => true,
        });
    }
    Ok((!actions.is_empty()).then_some(actions))
}

/// Whether two ranges overlap or touch (an empty request range at a
/// diagnostic's edge still asks about it).
pub(crate) fn touches(a: &Range, b: &Range) -> bool {
    a.start <= b.end && b.start <= a.end
}

pub(crate) fn same_code(d: &Diagnostic, code: &str) -> bool {
    matches!(&d.code, Some(NumberOrString::String(c)) if c == code)
}

/// The validator's diagnostics the request is about, in LSP form (the
/// client's copy when it sent one), with their fixes.
fn validator_fixes(
    uri: &Uri,
    analysis: &FileAnalysis,
    positions: &Positions,
    params: &CodeActionParams,
    actions: &mut CodeActionResponse,
) {
    let text = &analysis.snapshot.text;
    // One refactor per component even when several of its diagnostics are
    // in range (a store with `storage_type` and `database_url`).
    let mut offered = std::collections::HashSet::new();
    for d in &analysis.diagnostics {
        let lsp = convert::diagnostic(uri, d, positions, "blueprint");
        let sent = params
            .context
            .diagnostics
            .iter()
            .find(|c| same_code(c, d.rule.code) && c.range == lsp.range);
        if sent.is_none() && !touches(&lsp.range, &params.range) {
            continue;
        }
        let lsp = sent.cloned().unwrap_or(lsp);
        let mut did_you_mean_seen = false;
        for fix in &d.fixes {
            let preferred = fix.title.starts_with("Replace with") && !did_you_mean_seen;
            did_you_mean_seen |= fix.title.starts_with("Replace with");
            actions.push(quickfix(uri, positions, fix, &lsp, preferred));
        }
        let extra = match d.rule.code {
            "BP220" => insert::add_schema(text, d),
            "BP301" => insert::add_port(text, &analysis.blueprint, d),
            "BP151" => insert::move_database(text, &analysis.blueprint, d),
            _ => None,
        };
        if let Some((title, kind, edits)) =
            extra.filter(|(t, _, e)| offered.insert((t.clone(), e.clone())))
        {
            actions.push(action(uri, positions, title, kind, edits, &lsp, false));
        }
    }
}

fn quickfix(
    uri: &Uri,
    positions: &Positions,
    fix: &Fix,
    diagnostic: &Diagnostic,
    preferred: bool,
) -> CodeActionOrCommand {
    let edits = fix
        .edits
        .iter()
        .map(|e| (e.span, e.replacement.clone()))
        .collect();
    action(
        uri,
        positions,
        fix.title.clone(),
        CodeActionKind::QUICKFIX,
        edits,
        diagnostic,
        preferred,
    )
}

/// An edit of the document: byte spans and their replacements.
pub(crate) type Edits = Vec<(blueprint_grammars::Span, String)>;

fn action(
    uri: &Uri,
    positions: &Positions,
    title: String,
    kind: CodeActionKind,
    edits: Edits,
    diagnostic: &Diagnostic,
    preferred: bool,
) -> CodeActionOrCommand {
    let edits = edits
        .into_iter()
        .map(|(span, new_text)| TextEdit {
            range: positions.range(span),
            new_text,
        })
        .collect();
    CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(kind),
        diagnostics: Some(vec![diagnostic.clone()]),
        edit: Some(WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), edits)])),
            ..WorkspaceEdit::default()
        }),
        is_preferred: preferred.then_some(true),
        ..CodeAction::default()
    })
}
