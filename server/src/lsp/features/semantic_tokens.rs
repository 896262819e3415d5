//! Semantic tokens: component names, port references, schema references,
//! database references and component types, with `declaration` on
//! definitions. Answered from the [`SymbolIndex`], so highlighting agrees
//! with navigation.
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use super::symbols::{name_span, SymbolIndex, SymbolKind};
use crate::lsp::position::Positions;
use crate::lsp::state::State;
use blueprint_grammars::model::Blueprint;
use blueprint_grammars::Span;

/// Indices into [`legend`]'s token types.
const COMPONENT: u32 = 0;
const PORT: u32 = 1;
const SCHEMA: u32 = 2;
const DATABASE: u32 = 3;
const COMPONENT_TYPE: u32 = 4;
/// Bit of [`legend`]'s `declaration` modifier.
const DECLARATION: u32 = 1;

pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: vec![
            SemanticTokenType::CLASS,
            SemanticTokenType::PROPERTY,
            SemanticTokenType::TYPE,
            SemanticTokenType::NAMESPACE,
            SemanticTokenType::ENUM_MEMBER,
        ],
        token_modifiers: vec![SemanticTokenModifier::DECLARATION],
    }
}

pub async fn full(
    state: &std::sync::Arc<State>,
    params: SemanticTokensParams,
) -> Result<Option<SemanticTokensResult>> {
    let Some(analysis) = state.current_analysis(&params.text_document.uri).await else {
        return Ok(None);
    };
    let positions = analysis.positions(state.encoding());
    let data = tokens(&analysis.blueprint, &analysis.snapshot.text, &positions);
    Ok(Some(SemanticTokensResult::Tokens(SemanticTokens {
        result_id: None,
        data,
    })))
}

/// The encoded tokens of one file: sorted, non-overlapping, each on one line.
pub fn tokens(blueprint: &Blueprint, text: &str, positions: &Positions) -> Vec<SemanticToken> {
    let index = SymbolIndex::build(blueprint, text);
    let mut raw: Vec<(Span, u32, u32)> = index
        .entries
        .iter()
        .map(|e| {
            let kind = match e.kind {
                SymbolKind::Component => COMPONENT,
                SymbolKind::Port => PORT,
                SymbolKind::Schema => SCHEMA,
                SymbolKind::Database => DATABASE,
            };
            (e.span, kind, if e.is_definition { DECLARATION } else { 0 })
        })
        .collect();
    if let Some(system) = &blueprint.system {
        raw.extend(
            system
                .components
                .iter()
                .filter_map(|c| c.type_name.as_ref())
                .filter_map(|t| name_span(text, t))
                .map(|span| (span, COMPONENT_TYPE, 0)),
        );
    }
    raw.sort_by_key(|(span, _, _)| (span.start, span.end));
    let mut data = Vec::with_capacity(raw.len());
    let (mut last_line, mut last_start, mut last_end) = (0u32, 0u32, 0usize);
    for (span, token_type, modifiers) in raw {
        if span.is_empty() || span.start < last_end {
            continue;
        }
        let range = positions.range(span);
        if range.start.line != range.end.line {
            continue;
        }
        let delta_line = range.start.line - last_line;
        let delta_start = if delta_line == 0 {
            range.start.character - last_start
        } else {
            range.start.character
        };
        data.push(SemanticToken {
            delta_line,
            delta_start,
            length: range.end.character - range.start.character,
            token_type,
            token_modifiers_bitset: modifiers,
        });
        last_line = range.start.line;
        last_start = range.start.character;
        last_end = span.end;
    }
    data
}

#[cfg(test)]
mod tests {
    use super::super::symbols::test_support::{open, FIXTURE};
    use super::*;
    use crate::lsp::position::PositionEncoding;

    async fn data(text: &str, encoding: PositionEncoding) -> Vec<[u32; 5]> {
        let (state, uri) = open(text, encoding);
        let Some(SemanticTokensResult::Tokens(tokens)) = full(
            &state,
            SemanticTokensParams {
                work_done_progress_params: Default::default(),
                partial_result_params: Default::default(),
                text_document: TextDocumentIdentifier { uri },
            },
        )
        .await
        .unwrap() else {
            panic!("no tokens");
        };
        tokens
            .data
            .iter()
            .map(|t| {
                [
                    t.delta_line,
                    t.delta_start,
                    t.length,
                    t.token_type,
                    t.token_modifiers_bitset,
                ]
            })
            .collect()
    }

    #[test]
    fn the_legend_matches_the_indices() {
        let legend = legend();
        assert_eq!(
            legend.token_types[COMPONENT as usize],
            SemanticTokenType::CLASS
        );
        assert_eq!(
            legend.token_types[PORT as usize],
            SemanticTokenType::PROPERTY
        );
        assert_eq!(legend.token_types[SCHEMA as usize], SemanticTokenType::TYPE);
        assert_eq!(
            legend.token_types[DATABASE as usize],
            SemanticTokenType::NAMESPACE
        );
        assert_eq!(
            legend.token_types[COMPONENT_TYPE as usize],
            SemanticTokenType::ENUM_MEMBER
        );
        assert_eq!(
            legend.token_modifiers,
            vec![SemanticTokenModifier::DECLARATION]
        );
    }

    #[tokio::test]
    async fn tokens_of_the_fixture_in_utf16_and_utf8() {
        let utf16 = data(FIXTURE, PositionEncoding::Utf16).await;
        let expected = |shift: u32| {
            vec![
                [5, 4, 4, DATABASE, DECLARATION],            // main:
                [2, 12, 8, COMPONENT, DECLARATION],          // task_api
                [1, 12, 11, COMPONENT_TYPE, 0],              // APIEndpoint
                [2, 24, 8, PORT, DECLARATION],               // commands
                [0, 18, 4, SCHEMA, 0],                       // Task
                [1, 38 + shift, 10, COMPONENT, DECLARATION], // task_store
                [0, 18, 5, COMPONENT_TYPE, 0],               // Store
                [0, 24, 5, PORT, DECLARATION],               // input
                [0, 16, 4, SCHEMA, 0],                       // "Task"
                [0, 37, 4, DATABASE, 0],                     // main
                [2, 12, 8, COMPONENT, 0],                    // task_api.
                [0, 9, 8, PORT, 0],                          // .commands
                [1, 11, 10, COMPONENT, 0],                   // task_store.
                [0, 11, 5, PORT, 0],                         // .input
                [2, 2, 4, SCHEMA, DECLARATION],              // Task:
                [6, 2, 4, SCHEMA, DECLARATION],              // Note:
            ]
        };
        assert_eq!(utf16, expected(0));
        // Only the first token after the multi-byte text moves: the others
        // on its line are relative to it.
        assert_eq!(data(FIXTURE, PositionEncoding::Utf8).await, expected(3));
        // CRLF line ends change nothing.
        let crlf = FIXTURE.replace('\n', "\r\n");
        assert_eq!(data(&crlf, PositionEncoding::Utf16).await, expected(0));
    }

    #[tokio::test]
    async fn an_empty_document_has_no_tokens() {
        assert!(data("", PositionEncoding::Utf16).await.is_empty());
        assert!(data("system: [\n", PositionEncoding::Utf16)
            .await
            .is_empty());
    }
}
