//! "Generate system" and "Regenerate component": `blueprint generate` as a
//! `WorkspaceEdit` the editor applies (and can preview and undo).
//!
//! The edit is computed with the generator's [`plan`](blueprint_generator::plan)
//! against the output directory beside the blueprint, so it does exactly
//! what `blueprint generate` would — but the server never writes: files to
//! create become `CreateFile` + an insertion, files to overwrite a
//! whole-document replacement, files no longer produced a `DeleteFile`, and
//! a generated file edited by hand a replacement annotated
//! `needsConfirmation` ("edited by hand"), which the client asks about
//! before applying. User-owned and unchanged files are left out. The
//! manifest (`.blueprint/generated.json`) is updated in the same edit, as
//! `generate` without `--force` would write it: a hand-edited file keeps its
//! old entry, so if the user declines the confirmation it is still a
//! conflict next time, and if they accept it simply reads as unchanged.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use blueprint_generator::system;
use blueprint_generator::{content_hash, Action, Entry, FileKind, Kind, Manifest, Produced};
use blueprint_grammars::model::Blueprint;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::Client;

use crate::analysis::Severity;
use crate::lsp::convert;
use crate::lsp::position::PositionEncoding;
use crate::lsp::state::{FileAnalysis, State};

/// `workspace/executeCommand`: generate the system of a blueprint; argument:
/// its URI. Sends the edit with `workspace/applyEdit`.
pub const GENERATE: &str = "blueprint.generate";
/// `workspace/executeCommand`: regenerate one component's modules;
/// arguments: the blueprint's URI and the component's name.
pub const REGENERATE_COMPONENT: &str = "blueprint.regenerateComponent";

/// The change annotation of a file edited by hand.
const EDITED_BY_HAND: &str = "blueprint.editedByHand";

/// What to regenerate.
#[derive(Clone, Copy, Debug)]
pub enum Scope<'a> {
    System,
    /// The component's generated module (its user module if missing), the
    /// module tree if it changes, and the manifest.
    Component(&'a str),
}

impl Scope<'_> {
    fn includes(&self, path: &str) -> bool {
        match self {
            Scope::System => true,
            Scope::Component(name) => {
                path == system::generated_module_path(name)
                    || path == system::user_module_path(name)
                    || path == "src/lib.rs"
                    || path == "src/generated/mod.rs"
            }
        }
    }
}

/// The edit that generating `blueprint` (at `path`, with text `text`) would
/// make; `Ok(None)` when nothing would change. Reads the output directory;
/// writes nothing.
pub fn workspace_edit(
    path: &Path,
    text: &str,
    blueprint: &Blueprint,
    scope: Scope,
    encoding: PositionEncoding,
) -> std::result::Result<Option<WorkspaceEdit>, String> {
    let produced = system::generate(text).map_err(|e| e.to_string())?;
    let out_dir = system::default_output_dir(path, blueprint)
        .ok_or_else(|| "the system has no name".to_owned())?;
    let previous = Manifest::load(&out_dir).map_err(|e| e.to_string())?;
    let by_path: HashMap<String, &Produced> = produced.iter().map(|p| (key(&p.path), p)).collect();
    let plan = blueprint_generator::plan(&out_dir, &previous, produced.clone())
        .map_err(|e| e.to_string())?;

    let mut manifest = match scope {
        // As `apply` builds it: from the actions alone.
        Scope::System => Manifest::default(),
        // Files outside the scope are as they were.
        Scope::Component(_) => previous.clone(),
    };
    let mut ops = Vec::new();
    let mut annotations = HashMap::new();
    let file = |key: &str| out_dir.join(key);
    for action in &plan.actions {
        let key = action.path();
        if !scope.includes(key) {
            continue;
        }
        let fresh = |p: &Produced| Entry {
            hash: content_hash(p.contents.as_bytes()),
            kind: match p.kind {
                Kind::Generated => FileKind::Generated,
                Kind::UserOwned => FileKind::User,
            },
        };
        let keep_previous = |manifest: &mut Manifest| match previous.files.get(key) {
            Some(e) => {
                manifest.files.insert(key.to_owned(), e.clone());
            }
            None => {
                manifest.files.remove(key);
            }
        };
        match action {
            Action::Create { .. } => {
                let p = by_path[key];
                ops.extend(create(&file(key), &p.contents)?);
                manifest.files.insert(key.to_owned(), fresh(p));
            }
            Action::Overwrite { .. } => {
                let p = by_path[key];
                ops.push(replace(&file(key), &p.contents, encoding, None)?);
                manifest.files.insert(key.to_owned(), fresh(p));
            }
            Action::Conflict { .. } => {
                let p = by_path[key];
                ops.push(replace(
                    &file(key),
                    &p.contents,
                    encoding,
                    Some(EDITED_BY_HAND),
                )?);
                annotations.insert(
                    EDITED_BY_HAND.to_owned(),
                    ChangeAnnotation {
                        label: "edited by hand".into(),
                        needs_confirmation: Some(true),
                        description: Some(
                            "generated files edited since they were generated: regenerating replaces the edits (move your code into src/components/)".into(),
                        ),
                    },
                );
                keep_previous(&mut manifest);
            }
            Action::Unchanged { .. } => {
                manifest.files.insert(key.to_owned(), fresh(by_path[key]));
            }
            Action::SkipUserOwned { .. } => {
                if previous.files.contains_key(key) {
                    keep_previous(&mut manifest);
                } else if let Ok(bytes) = std::fs::read(file(key)) {
                    let entry = Entry {
                        hash: content_hash(&bytes),
                        kind: FileKind::User,
                    };
                    manifest.files.insert(key.to_owned(), entry);
                }
            }
            Action::Remove { .. } => {
                ops.push(DocumentChangeOperation::Op(ResourceOp::Delete(
                    DeleteFile {
                        uri: uri(&file(key))?,
                        options: Some(DeleteFileOptions {
                            recursive: None,
                            ignore_if_not_exists: Some(true),
                        }),
                        annotation_id: None,
                    },
                )));
                manifest.files.remove(key);
            }
            Action::KeepEdited { .. } => keep_previous(&mut manifest),
        }
    }
    if ops.is_empty() {
        return Ok(None);
    }

    // The manifest last, as `apply` writes it last.
    let manifest_path = out_dir.join(blueprint_generator::MANIFEST_PATH);
    let mut json = serde_json::to_string_pretty(&manifest).map_err(|e| e.to_string())?;
    json.push('\n');
    match std::fs::read_to_string(&manifest_path) {
        Ok(old) if old == json => {}
        Ok(_) => ops.push(replace(&manifest_path, &json, encoding, None)?),
        Err(_) => ops.extend(create(&manifest_path, &json)?),
    }

    Ok(Some(WorkspaceEdit {
        document_changes: Some(DocumentChanges::Operations(ops)),
        change_annotations: (!annotations.is_empty()).then_some(annotations),
        ..WorkspaceEdit::default()
    }))
}

/// A produced path as the plan keys it.
fn key(path: &Path) -> String {
    path.components()
        .filter_map(|c| match c {
            std::path::Component::Normal(s) => Some(s.to_string_lossy()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn uri(path: &Path) -> std::result::Result<Uri, String> {
    Uri::from_file_path(path).ok_or_else(|| format!("{} has no file URI", path.display()))
}

/// `CreateFile` (leaving an existing file alone) and the insertion of its
/// contents.
fn create(
    path: &Path,
    contents: &str,
) -> std::result::Result<[DocumentChangeOperation; 2], String> {
    let uri = uri(path)?;
    Ok([
        DocumentChangeOperation::Op(ResourceOp::Create(CreateFile {
            uri: uri.clone(),
            options: Some(CreateFileOptions {
                overwrite: Some(false),
                ignore_if_exists: Some(true),
            }),
            annotation_id: None,
        })),
        DocumentChangeOperation::Edit(TextDocumentEdit {
            text_document: OptionalVersionedTextDocumentIdentifier { uri, version: None },
            edits: vec![OneOf::Left(TextEdit {
                range: Range::default(),
                new_text: contents.to_owned(),
            })],
        }),
    ])
}

/// Replaces the whole of the file at `path` (as it is on disk now).
fn replace(
    path: &Path,
    contents: &str,
    encoding: PositionEncoding,
    annotation: Option<&str>,
) -> std::result::Result<DocumentChangeOperation, String> {
    let on_disk = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let on_disk = String::from_utf8_lossy(&on_disk);
    let text_edit = TextEdit {
        range: Range {
            start: Position::default(),
            end: end_of(&on_disk, encoding),
        },
        new_text: contents.to_owned(),
    };
    let edit = match annotation {
        Some(id) => OneOf::Right(AnnotatedTextEdit {
            text_edit,
            annotation_id: id.to_owned(),
        }),
        None => OneOf::Left(text_edit),
    };
    Ok(DocumentChangeOperation::Edit(TextDocumentEdit {
        text_document: OptionalVersionedTextDocumentIdentifier {
            uri: uri(path)?,
            version: None,
        },
        edits: vec![edit],
    }))
}

/// The position just past the last character of `text`.
pub fn end_of(text: &str, encoding: PositionEncoding) -> Position {
    let line = text.matches('\n').count() as u32;
    let last = text.rfind('\n').map_or(text, |i| &text[i + 1..]);
    let character = match encoding {
        PositionEncoding::Utf8 => last.len(),
        PositionEncoding::Utf16 => last.encode_utf16().count(),
    } as u32;
    Position { line, character }
}

fn has_errors(analysis: &FileAnalysis) -> bool {
    analysis
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error)
}

fn file_path(uri: &Uri) -> Option<PathBuf> {
    uri.to_file_path().map(|p| p.into_owned())
}

/// The code actions: "Generate system" (`source`) anywhere in a blueprint
/// without errors, and "Regenerate component `<name>`" (`quickfix`) on a
/// stale or missing component (BP230 / BP231).
pub async fn actions(
    state: &Arc<State>,
    uri: &Uri,
    analysis: &Arc<FileAnalysis>,
    params: &CodeActionParams,
) -> Vec<CodeActionOrCommand> {
    let Some(path) = file_path(uri) else {
        return Vec::new();
    };
    if has_errors(analysis) {
        return Vec::new();
    }
    let wants = |kind: &CodeActionKind| {
        params.context.only.as_ref().is_none_or(|only| {
            only.iter().any(|o| {
                kind.as_str() == o.as_str()
                    || kind.as_str().starts_with(&format!("{}.", o.as_str()))
            })
        })
    };
    let encoding = state.encoding();
    let positions = analysis.positions(encoding);
    // The stale or missing components the request is about, with the
    // diagnostic to attach (the client's copy when it sent one).
    let mut components: Vec<(String, Diagnostic)> = Vec::new();
    if wants(&CodeActionKind::QUICKFIX) {
        for d in &analysis.diagnostics {
            if !matches!(d.rule.code, "BP230" | "BP231") {
                continue;
            }
            let lsp = convert::diagnostic(uri, d, &positions, "blueprint");
            let sent =
                params.context.diagnostics.iter().find(|c| {
                    super::code_actions::same_code(c, d.rule.code) && c.range == lsp.range
                });
            if sent.is_none() && !super::code_actions::touches(&lsp.range, &params.range) {
                continue;
            }
            let Some(name) = analysis.snapshot.text.get(d.span.start..d.span.end) else {
                continue;
            };
            if !components.iter().any(|(n, _)| n == name) {
                components.push((name.to_owned(), sent.cloned().unwrap_or(lsp)));
            }
        }
    }
    // Generating plans the whole system (it reads every generated file):
    // not on each cursor move (automatic requests, for the light bulb,
    // which does not show source actions anyway), only when asked.
    let automatic = params.context.trigger_kind == Some(CodeActionTriggerKind::AUTOMATIC);
    let system = wants(&CodeActionKind::SOURCE) && !automatic;
    if components.is_empty() && !system {
        return Vec::new();
    }
    let analysis = analysis.clone();
    let lazy = state
        .resolves_edits
        .load(std::sync::atomic::Ordering::Relaxed);
    let data_uri = uri.clone();
    let finish = move |mut action: CodeAction, component: Option<&str>| {
        if lazy {
            // Offered (there is something to do), sent on `codeAction/resolve`.
            action.edit = None;
            action.data = Some(serde_json::json!({
                RESOLVE_KEY: {"uri": data_uri.as_str(), "component": component}
            }));
        }
        CodeActionOrCommand::CodeAction(action)
    };
    tokio::task::spawn_blocking(move || {
        let mut out = Vec::new();
        let text = &analysis.snapshot.text;
        let blueprint = &analysis.blueprint;
        for (name, diagnostic) in components {
            if let Ok(Some(edit)) =
                workspace_edit(&path, text, blueprint, Scope::Component(&name), encoding)
            {
                let action = CodeAction {
                    title: format!("Regenerate component `{name}`"),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diagnostic]),
                    edit: Some(edit),
                    is_preferred: Some(true),
                    ..CodeAction::default()
                };
                out.push(finish(action, Some(&name)));
            }
        }
        if system {
            if let Ok(Some(edit)) = workspace_edit(&path, text, blueprint, Scope::System, encoding)
            {
                let action = CodeAction {
                    title: "Generate system".into(),
                    kind: Some(CodeActionKind::SOURCE),
                    edit: Some(edit),
                    ..CodeAction::default()
                };
                out.push(finish(action, None));
            }
        }
        out
    })
    .await
    .unwrap_or_default()
}

/// The key of a generate action's `data`, for `codeAction/resolve`.
const RESOLVE_KEY: &str = "blueprint.generate";

/// `codeAction/resolve`: fills in the edit of a generate action offered
/// without one. Other actions come back as they are.
pub async fn resolve(state: &Arc<State>, mut action: CodeAction) -> CodeAction {
    let Some(data) = action.data.as_ref().and_then(|d| d.get(RESOLVE_KEY)) else {
        return action;
    };
    let Some(uri) = data["uri"].as_str().and_then(|u| u.parse::<Uri>().ok()) else {
        return action;
    };
    let component = data["component"].as_str().map(str::to_owned);
    let (Some(path), Some(analysis)) = (file_path(&uri), state.current_analysis(&uri).await) else {
        return action;
    };
    if has_errors(&analysis) {
        return action;
    }
    let encoding = state.encoding();
    let edit = tokio::task::spawn_blocking(move || {
        let scope = match &component {
            Some(name) => Scope::Component(name),
            None => Scope::System,
        };
        workspace_edit(
            &path,
            &analysis.snapshot.text,
            &analysis.blueprint,
            scope,
            encoding,
        )
    })
    .await;
    if let Ok(Ok(edit)) = edit {
        // `None` (nothing left to do since it was offered): an empty edit.
        action.edit = Some(edit.unwrap_or_default());
    }
    action
}

/// `blueprint.generate`: computes the system's edit and asks the client to
/// apply it. Answers `{"applied": bool}` (`false` with a `reason` when
/// there was nothing to do).
pub async fn execute(
    client: &Client,
    state: &Arc<State>,
    arguments: &[LSPAny],
) -> Result<Option<LSPAny>> {
    let uri: Uri = arguments
        .first()
        .and_then(|a| a.as_str())
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| Error::invalid_params("`blueprint.generate` takes the blueprint's URI"))?;
    run(client, state, uri, None).await
}

/// `blueprint.regenerateComponent URI NAME`.
pub async fn execute_component(
    client: &Client,
    state: &Arc<State>,
    arguments: &[LSPAny],
) -> Result<Option<LSPAny>> {
    let usage = || {
        Error::invalid_params(
            "`blueprint.regenerateComponent` takes the blueprint's URI and a component's name",
        )
    };
    let uri: Uri = arguments
        .first()
        .and_then(|a| a.as_str())
        .and_then(|s| s.parse().ok())
        .ok_or_else(usage)?;
    let name = arguments
        .get(1)
        .and_then(|a| a.as_str())
        .filter(|n| !n.is_empty())
        .ok_or_else(usage)?
        .to_owned();
    run(client, state, uri, Some(name)).await
}

/// Generates the system, or only `component`'s modules, as one edit the
/// client applies.
async fn run(
    client: &Client,
    state: &Arc<State>,
    uri: Uri,
    component: Option<String>,
) -> Result<Option<LSPAny>> {
    let path = file_path(&uri).ok_or_else(|| {
        Error::invalid_params("only blueprints on disk (file: URIs) can be generated")
    })?;
    let analysis = state
        .current_analysis(&uri)
        .await
        .ok_or_else(|| Error::invalid_params(format!("unknown document {}", uri.as_str())))?;
    if has_errors(&analysis) {
        return Err(Error::invalid_params(
            "the blueprint has errors; fix them before generating",
        ));
    }
    if let Some(name) = &component {
        let declared = analysis.blueprint.system.iter().any(|s| {
            s.components
                .iter()
                .any(|c| c.name.as_ref().is_some_and(|n| &n.value == name))
        });
        if !declared {
            return Err(Error::invalid_params(format!(
                "the blueprint declares no component `{name}`"
            )));
        }
    }
    let encoding = state.encoding();
    let worker = analysis.clone();
    let edit = tokio::task::spawn_blocking(move || {
        let scope = match &component {
            Some(name) => Scope::Component(name),
            None => Scope::System,
        };
        workspace_edit(
            &path,
            &worker.snapshot.text,
            &worker.blueprint,
            scope,
            encoding,
        )
    })
    .await
    .map_err(|_| Error::internal_error())?
    .map_err(|e| {
        Error::invalid_params(blueprint_grammars::interpolate::mask_secrets(&format!(
            "cannot generate: {e}"
        )))
    })?;
    let Some(edit) = edit else {
        return Ok(Some(
            serde_json::json!({"applied": false, "reason": "up to date"}),
        ));
    };
    let applied = match client.apply_edit(edit).await {
        Ok(response) => response.applied,
        Err(e) => {
            tracing::warn!("workspace/applyEdit failed: {e}");
            false
        }
    };
    // The generated files changed: BP230/BP231 may no longer hold.
    if let Some(generation) = state.documents.snapshot(&uri).map(|s| s.generation) {
        tokio::spawn(crate::lsp::publish::analyze_after_edit(
            client.clone(),
            state.clone(),
            uri,
            generation,
            std::time::Duration::ZERO,
        ));
    }
    Ok(Some(serde_json::json!({"applied": applied})))
}

/// Files under generated systems that BP230/BP231 read, for
/// `workspace/didChangeWatchedFiles`: after `blueprint generate` in a
/// terminal, the blueprints' diagnostics follow without an edit.
pub const WATCHED: &[&str] = &["**/.blueprint/generated.json", "**/src/generated/*.rs"];

/// Re-analyses the blueprints whose generated system holds `changed` (a
/// file reported by the watcher). Returns whether `changed` was one of
/// those files.
pub async fn refresh_generated(client: &Client, state: &Arc<State>, changed: &Uri) -> bool {
    let Some(changed) = file_path(changed) else {
        return false;
    };
    let affected: Vec<Uri> = state
        .analyses
        .iter()
        .filter(|entry| {
            file_path(entry.key())
                .and_then(|path| system::default_output_dir(&path, &entry.value().blueprint))
                .is_some_and(|dir| changed.starts_with(dir))
        })
        .map(|entry| entry.key().clone())
        .collect();
    let found = !affected.is_empty();
    for uri in affected {
        match state.documents.snapshot(&uri) {
            Some(snapshot) => {
                tokio::spawn(crate::lsp::publish::analyze_after_edit(
                    client.clone(),
                    state.clone(),
                    uri,
                    snapshot.generation,
                    std::time::Duration::ZERO,
                ));
            }
            None => {
                tokio::spawn(crate::lsp::workspace::refresh_from_disk(
                    client.clone(),
                    state.clone(),
                    uri,
                ));
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn end_positions() {
        assert_eq!(end_of("", PositionEncoding::Utf16), Position::new(0, 0));
        assert_eq!(end_of("ab\n", PositionEncoding::Utf16), Position::new(1, 0));
        assert_eq!(
            end_of("a\n😀x", PositionEncoding::Utf16),
            Position::new(1, 3)
        );
        assert_eq!(
            end_of("a\n😀x", PositionEncoding::Utf8),
            Position::new(1, 5)
        );
    }

    #[test]
    fn component_scope() {
        let s = Scope::Component("orders");
        assert!(s.includes("src/generated/orders.rs"));
        assert!(s.includes("src/components/orders.rs"));
        assert!(s.includes("src/lib.rs"));
        assert!(!s.includes("src/generated/api.rs"));
        assert!(!s.includes("Cargo.toml"));
    }
}
