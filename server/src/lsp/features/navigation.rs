//! Go to definition, references, highlight, rename.
//!
//! All answer from the [`SymbolIndex`] of the document's latest analysis:
//! the symbol under the cursor, then every occurrence with the same key.
use std::collections::HashMap;
use std::sync::Arc;

use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;

use super::symbols::{SymbolEntry, SymbolIndex, SymbolKey};
use crate::lsp::state::{FileAnalysis, State};

type S = Arc<State>;

/// The analysis, its index, and the byte offset of a position in it.
struct Cursor {
    analysis: Arc<FileAnalysis>,
    index: SymbolIndex,
    offset: usize,
}

impl Cursor {
    async fn new(state: &S, uri: &Uri, position: Position) -> Option<Cursor> {
        let analysis = state.current_analysis(uri).await?;
        let index = SymbolIndex::build(&analysis.blueprint, &analysis.snapshot.text);
        let offset = analysis.positions(state.encoding()).offset(position);
        Some(Cursor {
            analysis,
            index,
            offset,
        })
    }

    fn entry(&self) -> Option<&SymbolEntry> {
        self.index.at(self.offset)
    }

    fn range(&self, state: &S, entry: &SymbolEntry) -> Range {
        self.analysis.positions(state.encoding()).range(entry.span)
    }
}

pub async fn definition(
    state: &S,
    params: GotoDefinitionParams,
) -> Result<Option<GotoDefinitionResponse>> {
    let position = params.text_document_position_params;
    let uri = position.text_document.uri;
    let Some(cursor) = Cursor::new(state, &uri, position.position).await else {
        return Ok(None);
    };
    let Some(entry) = cursor.entry() else {
        return Ok(None);
    };
    let mut locations: Vec<Location> = cursor
        .index
        .definitions(&entry.key)
        .map(|d| Location {
            uri: uri.clone(),
            range: cursor.range(state, d),
        })
        .collect();
    Ok(match locations.len() {
        0 => None,
        1 => locations.pop().map(GotoDefinitionResponse::Scalar),
        _ => Some(GotoDefinitionResponse::Array(locations)),
    })
}

pub async fn references(state: &S, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
    let position = params.text_document_position;
    let uri = position.text_document.uri;
    let Some(cursor) = Cursor::new(state, &uri, position.position).await else {
        return Ok(None);
    };
    let Some(entry) = cursor.entry() else {
        return Ok(None);
    };
    let include_declaration = params.context.include_declaration;
    let locations = cursor
        .index
        .occurrences(&entry.key)
        .filter(|e| include_declaration || !e.is_definition)
        .map(|e| Location {
            uri: uri.clone(),
            range: cursor.range(state, e),
        })
        .collect();
    Ok(Some(locations))
}

pub async fn highlight(
    state: &S,
    params: DocumentHighlightParams,
) -> Result<Option<Vec<DocumentHighlight>>> {
    let position = params.text_document_position_params;
    let Some(cursor) = Cursor::new(state, &position.text_document.uri, position.position).await
    else {
        return Ok(None);
    };
    let Some(entry) = cursor.entry() else {
        return Ok(None);
    };
    let highlights = cursor
        .index
        .occurrences(&entry.key)
        .map(|e| DocumentHighlight {
            range: cursor.range(state, e),
            kind: Some(if e.is_definition {
                DocumentHighlightKind::WRITE
            } else {
                DocumentHighlightKind::READ
            }),
        })
        .collect();
    Ok(Some(highlights))
}

pub async fn prepare_rename(
    state: &S,
    params: TextDocumentPositionParams,
) -> Result<Option<PrepareRenameResponse>> {
    let Some(cursor) = Cursor::new(state, &params.text_document.uri, params.position).await else {
        return Ok(None);
    };
    let Some(entry) = cursor.entry() else {
        return Ok(None);
    };
    Ok(Some(PrepareRenameResponse::RangeWithPlaceholder {
        range: cursor.range(state, entry),
        placeholder: entry.name.clone(),
    }))
}

pub async fn rename(state: &S, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
    let position = params.text_document_position;
    let uri = position.text_document.uri;
    let Some(cursor) = Cursor::new(state, &uri, position.position).await else {
        return Ok(None);
    };
    let Some(entry) = cursor.entry() else {
        return Ok(None);
    };
    let new_name = params.new_name.trim();
    check_new_name(&cursor.analysis, &entry.key, new_name).map_err(Error::invalid_params)?;
    let edits = cursor
        .index
        .occurrences(&entry.key)
        .map(|e| TextEdit {
            range: cursor.range(state, e),
            new_text: new_name.to_owned(),
        })
        .collect();
    Ok(Some(WorkspaceEdit {
        changes: Some(HashMap::from([(uri, edits)])),
        ..Default::default()
    }))
}

/// Why `new` can't be the new name of `key`, if it can't.
fn check_new_name(
    analysis: &FileAnalysis,
    key: &SymbolKey,
    new: &str,
) -> std::result::Result<(), String> {
    let what = match key {
        SymbolKey::Component(_) => "component",
        SymbolKey::Port(..) => "port",
        SymbolKey::Schema(_) => "schema",
        SymbolKey::Database(_) => "database",
    };
    if new.is_empty() {
        return Err(format!("the new name of a {what} can't be empty"));
    }
    match key {
        SymbolKey::Schema(_) if !is_identifier(new) => {
            return Err(format!(
                "`{new}` is not a valid schema name (letters, digits and `_`, not starting with a digit)"
            ))
        }
        SymbolKey::Schema(_) => {}
        _ if !is_snake_case(new) => {
            return Err(format!(
                "`{new}` is not snake_case: a {what} name is lowercase letters, digits and `_`, starting with a letter"
            ))
        }
        _ => {}
    }
    if new == key.name() {
        return Ok(());
    }
    let blueprint = &analysis.blueprint;
    let system = blueprint.system.as_ref();
    let exists = match key {
        SymbolKey::Component(_) => system.is_some_and(|s| s.component(new).is_some()),
        SymbolKey::Port(component, _, _) => system
            .and_then(|s| s.component(component))
            .is_some_and(|c| c.port(new).is_some()),
        SymbolKey::Schema(_) => blueprint.schema(new).is_some(),
        SymbolKey::Database(_) => system.is_some_and(|s| s.database(new).is_some()),
    };
    if exists {
        let owner = match key {
            SymbolKey::Port(component, _, _) => format!(" on `{component}`"),
            _ => String::new(),
        };
        return Err(format!("a {what} named `{new}` already exists{owner}"));
    }
    Ok(())
}

fn is_snake_case(s: &str) -> bool {
    let mut bytes = s.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_lowercase())
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn is_identifier(s: &str) -> bool {
    let mut bytes = s.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::super::symbols::test_support::{at, open, FIXTURE};
    use super::*;
    use crate::lsp::position::PositionEncoding;

    fn pos_params(uri: &Uri, position: Position) -> TextDocumentPositionParams {
        TextDocumentPositionParams {
            text_document: TextDocumentIdentifier { uri: uri.clone() },
            position,
        }
    }

    fn range(l1: u32, c1: u32, l2: u32, c2: u32) -> Range {
        Range {
            start: at(l1, c1),
            end: at(l2, c2),
        }
    }

    async fn refs(state: &S, uri: &Uri, position: Position, decl: bool) -> Vec<Range> {
        references(
            state,
            ReferenceParams {
                text_document_position: pos_params(uri, position),
                work_done_progress_params: Default::default(),
                partial_result_params: Default::default(),
                context: ReferenceContext {
                    include_declaration: decl,
                },
            },
        )
        .await
        .unwrap()
        .unwrap()
        .into_iter()
        .map(|l| l.range)
        .collect()
    }

    async fn do_rename(
        state: &S,
        uri: &Uri,
        position: Position,
        new_name: &str,
    ) -> Result<Option<WorkspaceEdit>> {
        rename(
            state,
            RenameParams {
                text_document_position: pos_params(uri, position),
                new_name: new_name.into(),
                work_done_progress_params: Default::default(),
            },
        )
        .await
    }

    async fn def(state: &S, uri: &Uri, position: Position) -> Option<GotoDefinitionResponse> {
        definition(
            state,
            GotoDefinitionParams {
                text_document_position_params: pos_params(uri, position),
                work_done_progress_params: Default::default(),
                partial_result_params: Default::default(),
            },
        )
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn definition_of_a_component_port_schema_and_database() {
        let (state, uri) = open(FIXTURE, PositionEncoding::Utf16);
        let scalar = |r| {
            Some(GotoDefinitionResponse::Scalar(Location {
                uri: uri.clone(),
                range: r,
            }))
        };
        // `task_api` in `from: task_api.commands`.
        assert_eq!(
            def(&state, &uri, at(13, 14)).await,
            scalar(range(7, 12, 7, 20))
        );
        // `commands` in the same endpoint: the output port.
        assert_eq!(
            def(&state, &uri, at(13, 22)).await,
            scalar(range(10, 24, 10, 32))
        );
        // `input` in `to: [task_store.input]`: the store's input port, after
        // the multi-byte description (UTF-16 columns).
        assert_eq!(
            def(&state, &uri, at(14, 24)).await,
            scalar(range(11, 80, 11, 85))
        );
        // `Task` in the store's input schema, and in the API's output.
        assert_eq!(
            def(&state, &uri, at(11, 97)).await,
            scalar(range(16, 2, 16, 6))
        );
        assert_eq!(
            def(&state, &uri, at(10, 46)).await,
            scalar(range(16, 2, 16, 6))
        );
        // `main` in the store's configuration.
        assert_eq!(
            def(&state, &uri, at(11, 134)).await,
            scalar(range(5, 4, 5, 8))
        );
        // A definition leads to itself.
        assert_eq!(
            def(&state, &uri, at(7, 13)).await,
            scalar(range(7, 12, 7, 20))
        );
        // Nothing under the cursor.
        assert_eq!(def(&state, &uri, at(0, 0)).await, None);
        assert_eq!(def(&state, &uri, at(99, 0)).await, None);
    }

    #[tokio::test]
    async fn definition_in_utf8_counts_bytes() {
        let (state, uri) = open(FIXTURE, PositionEncoding::Utf8);
        // `main` after the multi-byte description: 3 bytes further.
        let expected = Some(GotoDefinitionResponse::Scalar(Location {
            uri: uri.clone(),
            range: range(5, 4, 5, 8),
        }));
        assert_eq!(def(&state, &uri, at(11, 137)).await, expected);
        assert_eq!(
            def(&state, &uri, at(14, 24)).await,
            Some(GotoDefinitionResponse::Scalar(Location {
                uri: uri.clone(),
                range: range(11, 83, 11, 88),
            }))
        );
    }

    #[tokio::test]
    async fn references_with_and_without_the_declaration() {
        let (state, uri) = open(FIXTURE, PositionEncoding::Utf16);
        // On the definition of `task_store`.
        assert_eq!(
            refs(&state, &uri, at(11, 40), true).await,
            vec![range(11, 38, 11, 48), range(14, 11, 14, 21)]
        );
        assert_eq!(
            refs(&state, &uri, at(11, 40), false).await,
            vec![range(14, 11, 14, 21)]
        );
        // `Task`, from a reference (the quoted one: quotes excluded).
        assert_eq!(
            refs(&state, &uri, at(11, 97), true).await,
            vec![
                range(10, 42, 10, 46),
                range(11, 96, 11, 100),
                range(16, 2, 16, 6)
            ]
        );
    }

    #[tokio::test]
    async fn highlight_marks_the_definition_as_write() {
        let (state, uri) = open(FIXTURE, PositionEncoding::Utf16);
        let highlights = highlight(
            &state,
            DocumentHighlightParams {
                text_document_position_params: pos_params(&uri, at(5, 5)),
                work_done_progress_params: Default::default(),
                partial_result_params: Default::default(),
            },
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(
            highlights,
            vec![
                DocumentHighlight {
                    range: range(5, 4, 5, 8),
                    kind: Some(DocumentHighlightKind::WRITE)
                },
                DocumentHighlight {
                    range: range(11, 133, 11, 137),
                    kind: Some(DocumentHighlightKind::READ)
                },
            ]
        );
    }

    #[tokio::test]
    async fn prepare_rename_gives_the_name_or_nothing() {
        let (state, uri) = open(FIXTURE, PositionEncoding::Utf16);
        assert_eq!(
            prepare_rename(&state, pos_params(&uri, at(13, 22)))
                .await
                .unwrap(),
            Some(PrepareRenameResponse::RangeWithPlaceholder {
                range: range(13, 21, 13, 29),
                placeholder: "commands".into()
            })
        );
        // On a key, a type, a description: nothing to rename.
        for position in [at(8, 8), at(8, 14), at(9, 22)] {
            assert_eq!(
                prepare_rename(&state, pos_params(&uri, position))
                    .await
                    .unwrap(),
                None
            );
        }
    }

    fn edits(edit: WorkspaceEdit, uri: &Uri) -> Vec<(Range, String)> {
        let mut changes = edit.changes.unwrap();
        let mut edits: Vec<_> = changes
            .remove(uri)
            .unwrap()
            .into_iter()
            .map(|e| (e.range, e.new_text))
            .collect();
        assert!(changes.is_empty());
        edits.sort_by_key(|(r, _)| (r.start.line, r.start.character));
        edits
    }

    #[tokio::test]
    async fn rename_updates_every_reference_in_both_encodings() {
        // The store's port is defined after multi-byte text: its columns
        // differ between the encodings; the binding's do not.
        for (encoding, start) in [(PositionEncoding::Utf16, 80), (PositionEncoding::Utf8, 83)] {
            let (state, uri) = open(FIXTURE, encoding);
            let edit = do_rename(&state, &uri, at(14, 23), "incoming")
                .await
                .unwrap()
                .unwrap();
            let n = |r| (r, "incoming".to_string());
            assert_eq!(
                edits(edit, &uri),
                vec![n(range(11, start, 11, start + 5)), n(range(14, 22, 14, 27))],
                "{encoding:?}"
            );
        }
    }

    #[tokio::test]
    async fn rename_rejects_bad_and_taken_names() {
        let (state, uri) = open(FIXTURE, PositionEncoding::Utf16);
        for bad in ["", "TaskApi", "task-api", "9lives", "tâche"] {
            let err = do_rename(&state, &uri, at(7, 13), bad).await.unwrap_err();
            assert_eq!(
                err.code,
                tower_lsp_server::jsonrpc::ErrorCode::InvalidParams,
                "{bad}"
            );
        }
        let err = do_rename(&state, &uri, at(7, 13), "task_store")
            .await
            .unwrap_err();
        assert!(err.message.contains("already exists"), "{}", err.message);
        // Schemas may be PascalCase, but must not clash.
        let edit = do_rename(&state, &uri, at(16, 3), "Todo")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(edits(edit, &uri).len(), 3);
        let err = do_rename(&state, &uri, at(16, 3), "Note")
            .await
            .unwrap_err();
        assert!(err.message.contains("already exists"));
        // Renaming a component renames it in bindings, not its ports.
        let edit = do_rename(&state, &uri, at(7, 13), "front")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            edits(edit, &uri),
            vec![
                (range(7, 12, 7, 20), "front".to_string()),
                (range(13, 12, 13, 20), "front".to_string())
            ]
        );
        // A database.
        let edit = do_rename(&state, &uri, at(5, 4), "primary")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            edits(edit, &uri),
            vec![
                (range(5, 4, 5, 8), "primary".to_string()),
                (range(11, 133, 11, 137), "primary".to_string())
            ]
        );
    }

    const LEGACY: &str = r#"system:
  name: legacy
  components:
    - name: src
      type: Source
      ports:
        events: { direction: output, schema: Event }
    - name: sink
      type: Sink
      inputs: [inbox]
  bindings:
    - from_component: src
      from_port: events
      to_components: [sink]
      to_ports: [inbox]
    - from: { component: src, output: events }
      to: [{ component: sink, input: inbox }]
schemas:
  Event: { type: object }
"#;

    #[tokio::test]
    async fn rename_follows_legacy_binding_and_port_forms() {
        let (state, uri) = open(LEGACY, PositionEncoding::Utf16);
        // The output port of a `ports:` map, named by `from_port` and by a
        // `from: {component, output}` object.
        let edit = do_rename(&state, &uri, at(6, 9), "messages")
            .await
            .unwrap()
            .unwrap();
        let n = |r| (r, "messages".to_string());
        assert_eq!(
            edits(edit, &uri),
            vec![
                n(range(6, 8, 6, 14)),
                n(range(12, 17, 12, 23)),
                n(range(15, 38, 15, 44))
            ]
        );
        // A component named in `to_components` and in a `to:` object.
        let edit = do_rename(&state, &uri, at(16, 25), "drain")
            .await
            .unwrap()
            .unwrap();
        let n = |r| (r, "drain".to_string());
        assert_eq!(
            edits(edit, &uri),
            vec![
                n(range(7, 12, 7, 16)),
                n(range(13, 22, 13, 26)),
                n(range(16, 24, 16, 28))
            ]
        );
        // A port written as a bare list item, from `to_ports`.
        assert_eq!(
            refs(&state, &uri, at(14, 18), true).await,
            vec![
                range(9, 15, 9, 20),
                range(14, 17, 14, 22),
                range(16, 37, 16, 42)
            ]
        );
    }
}
