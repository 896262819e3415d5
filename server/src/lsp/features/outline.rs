//! Document symbols and folding ranges.
//!
//! The outline comes from the model: the system with its databases,
//! components (with their ports) and bindings, then the schemas with their
//! fields. Folding comes from the YAML tree: every value that spans more
//! than one line folds from its key's line, and so does every run of two or
//! more comment lines.
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use super::symbols::name_span;
use crate::lsp::position::Positions;
use crate::lsp::state::State;
use blueprint_grammars::model::{
    Blueprint, DatabaseOrigin, Direction, Endpoint, Field, Schema, SchemaDef,
};
use blueprint_grammars::yaml::{Node, Value};
use blueprint_grammars::{Span, Spanned};

pub async fn document_symbols(
    state: &std::sync::Arc<State>,
    params: DocumentSymbolParams,
) -> Result<Option<DocumentSymbolResponse>> {
    let Some(analysis) = state.current_analysis(&params.text_document.uri).await else {
        return Ok(None);
    };
    let positions = analysis.positions(state.encoding());
    let outline = Outline {
        text: &analysis.snapshot.text,
        positions: &positions,
    };
    Ok(Some(DocumentSymbolResponse::Nested(
        outline.blueprint(&analysis.blueprint),
    )))
}

struct Outline<'a> {
    text: &'a str,
    positions: &'a Positions<'a>,
}

impl Outline<'_> {
    /// A symbol whose selection (the name) lies inside its range (the item).
    fn symbol(
        &self,
        name: &str,
        detail: Option<String>,
        kind: SymbolKind,
        range: Span,
        selection: Span,
        mut children: Vec<DocumentSymbol>,
    ) -> DocumentSymbol {
        let range = trim_end(self.text, range).cover(selection);
        children.sort_by_key(|c| (c.range.start.line, c.range.start.character));
        #[allow(deprecated)]
        DocumentSymbol {
            name: if name.trim().is_empty() {
                "(unnamed)".into()
            } else {
                name.into()
            },
            detail,
            kind,
            tags: None,
            deprecated: None,
            range: self.positions.range(range),
            selection_range: self.positions.range(selection),
            children: (!children.is_empty()).then_some(children),
        }
    }

    /// The span of a name as written (inside quotes), or as spanned.
    fn name(&self, name: &Spanned<String>) -> Span {
        name_span(self.text, name).unwrap_or(name.span)
    }

    fn blueprint(&self, blueprint: &Blueprint) -> Vec<DocumentSymbol> {
        let system_span = blueprint.system.as_ref().map(|s| s.span);
        let inside_system = |s: &SchemaDef| {
            system_span.is_some_and(|sys| sys.start <= s.span.start && s.span.end <= sys.end)
        };
        let mut symbols = Vec::new();
        if let Some(system) = &blueprint.system {
            let mut children = Vec::new();
            for db in &system.databases {
                if db.origin != DatabaseOrigin::Declared {
                    continue;
                }
                children.push(self.symbol(
                    &db.name.value,
                    db.engine.as_ref().map(|e| e.value.clone()),
                    SymbolKind::STRUCT,
                    db.span,
                    self.name(&db.name),
                    Vec::new(),
                ));
            }
            for component in &system.components {
                let ports = component
                    .inputs
                    .iter()
                    .chain(&component.outputs)
                    .map(|port| {
                        let direction = match port.direction {
                            Direction::Input => "input",
                            Direction::Output => "output",
                        };
                        let detail = match &port.schema {
                            Some(schema) => format!("{direction}: {}", schema.value),
                            None => direction.to_owned(),
                        };
                        self.symbol(
                            &port.name.value,
                            Some(detail),
                            SymbolKind::INTERFACE,
                            port.span,
                            self.name(&port.name),
                            Vec::new(),
                        )
                    })
                    .collect();
                let selection = component
                    .name
                    .as_ref()
                    .map_or(Span::empty(component.span.start), |n| self.name(n));
                children.push(self.symbol(
                    component.name_str().unwrap_or(""),
                    component.type_name.as_ref().map(|t| t.value.clone()),
                    SymbolKind::CLASS,
                    component.span,
                    selection,
                    ports,
                ));
            }
            for binding in &system.bindings {
                let from = binding.from.as_ref().map_or("?".into(), endpoint_text);
                let to = match binding.to.as_slice() {
                    [] => "?".to_owned(),
                    to => to.iter().map(endpoint_text).collect::<Vec<_>>().join(", "),
                };
                let selection = binding
                    .from
                    .as_ref()
                    .map_or(Span::empty(binding.span.start), |f| f.span);
                children.push(self.symbol(
                    &format!("{from} → {to}"),
                    None,
                    SymbolKind::EVENT,
                    binding.span,
                    selection,
                    Vec::new(),
                ));
            }
            // Legacy `system.schemas` nest where they are written.
            children.extend(
                blueprint
                    .schemas
                    .iter()
                    .filter(|s| inside_system(s))
                    .map(|s| self.schema_def(s)),
            );
            let key = self.text[..system.span.start.min(self.text.len())]
                .rfind("system")
                .map_or(Span::empty(system.span.start), |at| Span::new(at, at + 6));
            let selection = system.name.as_ref().map_or(key, |n| self.name(n));
            symbols.push(self.symbol(
                system.name.as_ref().map_or("system", |n| n.value.as_str()),
                Some("system".into()),
                SymbolKind::NAMESPACE,
                key.cover(system.span),
                selection,
                children,
            ));
        }
        symbols.extend(
            blueprint
                .schemas
                .iter()
                .filter(|s| !inside_system(s))
                .map(|s| self.schema_def(s)),
        );
        symbols.sort_by_key(|c| (c.range.start.line, c.range.start.character));
        symbols
    }

    fn schema_def(&self, schema: &SchemaDef) -> DocumentSymbol {
        self.symbol(
            &schema.name.value,
            schema.schema.type_name.as_ref().map(|t| t.value.clone()),
            SymbolKind::STRUCT,
            schema.span,
            self.name(&schema.name),
            self.fields(&schema.schema),
        )
    }

    fn fields(&self, schema: &Schema) -> Vec<DocumentSymbol> {
        let properties = match &schema.items {
            Some(items) if schema.properties.is_empty() => &items.properties,
            _ => &schema.properties,
        };
        properties.iter().map(|f| self.field(f)).collect()
    }

    fn field(&self, field: &Field) -> DocumentSymbol {
        let schema = &field.schema;
        let detail = schema.type_name.as_ref().map(|t| match &schema.format {
            Some(format) => format!("{} ({})", t.value, format.value),
            None => t.value.clone(),
        });
        let selection = self.name(&field.name);
        self.symbol(
            &field.name.value,
            detail,
            SymbolKind::FIELD,
            selection.cover(schema.span),
            selection,
            self.fields(schema),
        )
    }
}

/// `span` without trailing whitespace (block values end after their newline).
fn trim_end(text: &str, span: Span) -> Span {
    let mut end = span.end.min(text.len());
    while end > span.start && text.as_bytes()[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    Span::new(span.start.min(end), end)
}

fn endpoint_text(endpoint: &Endpoint) -> String {
    match &endpoint.port {
        Some(port) => format!("{}.{}", endpoint.component.value, port.value),
        None => endpoint.component.value.clone(),
    }
}

pub async fn folding_ranges(
    state: &std::sync::Arc<State>,
    params: FoldingRangeParams,
) -> Result<Option<Vec<FoldingRange>>> {
    let Some(analysis) = state.current_analysis(&params.text_document.uri).await else {
        return Ok(None);
    };
    let positions = analysis.positions(state.encoding());
    Ok(Some(folds(&analysis.snapshot.text, &positions)))
}

/// Folding ranges of `text`, sorted by start line, one per start line.
pub fn folds(text: &str, positions: &Positions) -> Vec<FoldingRange> {
    let mut folds: Vec<(u32, u32, Option<FoldingRangeKind>)> = Vec::new();
    let parsed = blueprint_grammars::yaml::parse(text);
    if let Some(root) = &parsed.root {
        let mut cx = Folds {
            text,
            positions,
            out: &mut folds,
        };
        // Not the root itself: folding the whole document helps nobody.
        cx.children(root, 0);
    }
    // Comment blocks: two or more consecutive lines holding only a comment.
    let mut run: Option<(u32, u32)> = None;
    for (line, content) in text.lines().enumerate() {
        let line = line as u32;
        if content.trim_start().starts_with('#') {
            run = Some(run.map_or((line, line), |(start, _)| (start, line)));
        } else if let Some((start, end)) = run.take() {
            folds.push((start, end, Some(FoldingRangeKind::Comment)));
        }
    }
    if let Some((start, end)) = run {
        folds.push((start, end, Some(FoldingRangeKind::Comment)));
    }
    folds.retain(|(start, end, _)| end > start);
    // The outermost fold wins a shared start line.
    folds.sort_by_key(|&(start, end, _)| (start, std::cmp::Reverse(end)));
    folds.dedup_by_key(|(start, _, _)| *start);
    folds
        .into_iter()
        .map(|(start_line, end_line, kind)| FoldingRange {
            start_line,
            start_character: None,
            end_line,
            end_character: None,
            kind,
            collapsed_text: None,
        })
        .collect()
}

struct Folds<'a, 'p> {
    text: &'a str,
    positions: &'a Positions<'p>,
    out: &'a mut Vec<(u32, u32, Option<FoldingRangeKind>)>,
}

impl Folds<'_, '_> {
    /// Folds `node` from the line of `from` (its key, or itself) to its last
    /// line, then its children.
    fn node(&mut self, node: &Node, from: usize, depth: usize) {
        // The parser bounds nesting; this guards the stack all the same.
        if depth > 200 {
            return;
        }
        let end = trim_end(self.text, node.span).end;
        let start_line = self.positions.position(from).line;
        let end_line = self.positions.position(end).line;
        if end_line > start_line {
            self.out.push((start_line, end_line, None));
        }
        self.children(node, depth);
    }

    fn children(&mut self, node: &Node, depth: usize) {
        match &node.value {
            Value::Mapping(entries) => {
                for entry in entries {
                    self.node(&entry.value, entry.key_span.start, depth + 1);
                }
            }
            Value::Sequence(items) => {
                for item in items {
                    self.node(item, item.span.start, depth + 1);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::symbols::test_support::{at, open, FIXTURE};
    use super::*;
    use crate::lsp::position::PositionEncoding;

    fn range(l1: u32, c1: u32, l2: u32, c2: u32) -> Range {
        Range {
            start: at(l1, c1),
            end: at(l2, c2),
        }
    }

    /// (depth, name, detail, kind, range, selection range).
    type Flat = (usize, String, Option<String>, SymbolKind, Range, Range);

    /// The outline flattened depth-first.
    fn flatten(symbols: &[DocumentSymbol], depth: usize, out: &mut Vec<Flat>) {
        for s in symbols {
            out.push((
                depth,
                s.name.clone(),
                s.detail.clone(),
                s.kind,
                s.range,
                s.selection_range,
            ));
            flatten(s.children.as_deref().unwrap_or(&[]), depth + 1, out);
        }
    }

    async fn outline(encoding: PositionEncoding) -> Vec<Flat> {
        let (state, uri) = open(FIXTURE, encoding);
        let Some(DocumentSymbolResponse::Nested(symbols)) = document_symbols(
            &state,
            DocumentSymbolParams {
                text_document: TextDocumentIdentifier { uri },
                work_done_progress_params: Default::default(),
                partial_result_params: Default::default(),
            },
        )
        .await
        .unwrap() else {
            panic!("no outline");
        };
        let mut flat = Vec::new();
        flatten(&symbols, 0, &mut flat);
        flat
    }

    #[tokio::test]
    async fn outline_nests_the_system_and_schemas() {
        let flat = outline(PositionEncoding::Utf16).await;
        let d = |s: &str| Some(s.to_string());
        let expected = vec![
            (
                0,
                "task_tracker".to_string(),
                d("system"),
                SymbolKind::NAMESPACE,
                range(2, 0, 14, 28),
                range(3, 8, 3, 20),
            ),
            (
                1,
                "main".into(),
                d("sqlite"),
                SymbolKind::STRUCT,
                range(5, 4, 5, 54),
                range(5, 4, 5, 8),
            ),
            (
                1,
                "task_api".into(),
                d("APIEndpoint"),
                SymbolKind::CLASS,
                range(7, 6, 10, 49),
                range(7, 12, 7, 20),
            ),
            (
                2,
                "commands".into(),
                d("output: Task"),
                SymbolKind::INTERFACE,
                range(10, 16, 10, 48),
                range(10, 24, 10, 32),
            ),
            (
                1,
                "task_store".into(),
                d("Store"),
                SymbolKind::CLASS,
                range(11, 6, 11, 164),
                range(11, 38, 11, 48),
            ),
            (
                2,
                "input".into(),
                d("input: Task"),
                SymbolKind::INTERFACE,
                range(11, 72, 11, 103),
                range(11, 80, 11, 85),
            ),
            (
                1,
                "task_api.commands → task_store.input".into(),
                None,
                SymbolKind::EVENT,
                range(13, 6, 14, 28),
                range(13, 12, 13, 29),
            ),
            (
                0,
                "Task".into(),
                d("object"),
                SymbolKind::STRUCT,
                range(16, 2, 21, 25),
                range(16, 2, 16, 6),
            ),
            (
                1,
                "id".into(),
                d("string (uuid)"),
                SymbolKind::FIELD,
                range(19, 6, 19, 40),
                range(19, 6, 19, 8),
            ),
            (
                1,
                "title".into(),
                d("string"),
                SymbolKind::FIELD,
                range(20, 6, 20, 29),
                range(20, 6, 20, 11),
            ),
            (
                0,
                "Note".into(),
                d("object"),
                SymbolKind::STRUCT,
                range(22, 2, 23, 16),
                range(22, 2, 22, 6),
            ),
        ];
        assert_eq!(flat, expected);
    }

    #[tokio::test]
    async fn outline_counts_utf8_columns_in_utf8() {
        let flat = outline(PositionEncoding::Utf8).await;
        let store = flat.iter().find(|s| s.1 == "task_store").unwrap();
        assert_eq!(store.5, range(11, 41, 11, 51));
        assert_eq!(store.4, range(11, 6, 11, 167));
    }

    #[tokio::test]
    async fn folding_ranges_cover_multi_line_values_and_comment_blocks() {
        let text = "# a\n# b\nsystem:\n  name: x\n  components:\n    - name: a\n      type: Source\n    - { name: b }\n# one\nschemas: {}\n";
        let (state, uri) = open(text, PositionEncoding::Utf16);
        let folds = folding_ranges(
            &state,
            FoldingRangeParams {
                text_document: TextDocumentIdentifier { uri },
                work_done_progress_params: Default::default(),
                partial_result_params: Default::default(),
            },
        )
        .await
        .unwrap()
        .unwrap();
        let lines: Vec<_> = folds
            .iter()
            .map(|f| (f.start_line, f.end_line, f.kind.clone()))
            .collect();
        assert_eq!(
            lines,
            vec![
                (0, 1, Some(FoldingRangeKind::Comment)),
                (2, 7, None),
                (4, 7, None),
                (5, 6, None),
            ]
        );
    }
}
