//! A symbol index over one analysis: every definition and reference of
//! components, ports, schemas and databases, with the byte span of the name
//! as written. Navigation, rename, highlight and semantic tokens answer from
//! it.
//!
//! Spans are narrowed to the name itself (inside quotes, after the dot of
//! `component.port`), and an occurrence whose source text is not the name
//! verbatim is left out: a database synthesised from legacy store settings
//! has no name in the text, and a name written with escapes cannot be
//! edited in place.

use blueprint_grammars::model::{Blueprint, Direction, Endpoint};
use blueprint_grammars::{scalar_sub_span, Span, Spanned};

/// What kind of thing a symbol is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SymbolKind {
    Component,
    Port,
    Schema,
    Database,
}

/// Identifies one symbol: every occurrence of it carries the same key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SymbolKey {
    Component(String),
    /// A port of a component, in one direction (a binding's `from` names an
    /// output, its `to` an input).
    Port(String, Direction, String),
    Schema(String),
    Database(String),
}

impl SymbolKey {
    pub fn kind(&self) -> SymbolKind {
        match self {
            SymbolKey::Component(_) => SymbolKind::Component,
            SymbolKey::Port(..) => SymbolKind::Port,
            SymbolKey::Schema(_) => SymbolKind::Schema,
            SymbolKey::Database(_) => SymbolKind::Database,
        }
    }

    /// The symbol's own name (for a port, without its component).
    pub fn name(&self) -> &str {
        match self {
            SymbolKey::Component(n) | SymbolKey::Schema(n) | SymbolKey::Database(n) => n,
            SymbolKey::Port(_, _, n) => n,
        }
    }
}

/// One occurrence of a symbol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SymbolEntry {
    pub key: SymbolKey,
    pub kind: SymbolKind,
    pub name: String,
    /// The name as written (without quotes).
    pub span: Span,
    /// For a definition, the whole item (the component, port, schema or
    /// database entry); for a reference, the same as `span`.
    pub item: Span,
    pub is_definition: bool,
}

/// Every occurrence of every symbol in one file, in source order.
#[derive(Clone, Debug, Default)]
pub struct SymbolIndex {
    pub entries: Vec<SymbolEntry>,
}

/// The span of `name`'s text when the source at `name.span` holds it
/// verbatim (plain or quoted); `None` otherwise.
pub fn name_span(text: &str, name: &Spanned<String>) -> Option<Span> {
    let value = &name.value;
    if value.is_empty() {
        return None;
    }
    let span = scalar_sub_span(text, name.span, value, 0, value.len());
    (text.get(span.start..span.end) == Some(value.as_str())).then_some(span)
}

impl SymbolIndex {
    pub fn build(blueprint: &Blueprint, text: &str) -> SymbolIndex {
        let mut index = Builder {
            text,
            entries: Vec::new(),
        };
        for schema in &blueprint.schemas {
            index.push(
                SymbolKey::Schema(schema.name.value.clone()),
                &schema.name,
                Some(schema.span),
            );
        }
        if let Some(system) = &blueprint.system {
            for db in &system.databases {
                if db.origin == blueprint_grammars::model::DatabaseOrigin::Declared {
                    index.push(
                        SymbolKey::Database(db.name.value.clone()),
                        &db.name,
                        Some(db.span),
                    );
                }
            }
            for component in &system.components {
                let Some(name) = &component.name else {
                    // Its ports can't be referenced by name.
                    for port in component.inputs.iter().chain(&component.outputs) {
                        index.schema_ref(port.schema.as_ref());
                    }
                    continue;
                };
                index.push(
                    SymbolKey::Component(name.value.clone()),
                    name,
                    Some(component.span),
                );
                for port in component.inputs.iter().chain(&component.outputs) {
                    index.push(
                        SymbolKey::Port(
                            name.value.clone(),
                            port.direction,
                            port.name.value.clone(),
                        ),
                        &port.name,
                        Some(port.span),
                    );
                    index.schema_ref(port.schema.as_ref());
                }
                if let Some(db) = component.store.as_ref().and_then(|s| s.database.as_ref()) {
                    index.push(SymbolKey::Database(db.value.clone()), db, None);
                }
            }
            for binding in &system.bindings {
                if let Some(from) = &binding.from {
                    index.endpoint(from, Direction::Output);
                }
                for to in &binding.to {
                    index.endpoint(to, Direction::Input);
                }
            }
        }
        let mut entries = index.entries;
        entries.sort_by_key(|e| (e.span.start, e.span.end));
        entries.dedup_by(|a, b| a.span == b.span);
        SymbolIndex { entries }
    }

    /// The occurrence under the cursor: the one containing `offset`, else
    /// one ending at it (the cursor just after a name).
    pub fn at(&self, offset: usize) -> Option<&SymbolEntry> {
        let i = self.entries.partition_point(|e| e.span.start <= offset);
        let candidates = &self.entries[..i];
        candidates
            .iter()
            .rev()
            .take(4)
            .find(|e| e.span.contains(offset))
            .or_else(|| {
                candidates
                    .iter()
                    .rev()
                    .take(4)
                    .find(|e| e.span.end == offset)
            })
    }

    /// Every occurrence of `key`, in source order.
    pub fn occurrences<'a>(&'a self, key: &'a SymbolKey) -> impl Iterator<Item = &'a SymbolEntry> {
        self.entries.iter().filter(move |e| &e.key == key)
    }

    /// The definitions of `key` (more than one when it is defined twice).
    pub fn definitions<'a>(&'a self, key: &'a SymbolKey) -> impl Iterator<Item = &'a SymbolEntry> {
        self.occurrences(key).filter(|e| e.is_definition)
    }
}

struct Builder<'t> {
    text: &'t str,
    entries: Vec<SymbolEntry>,
}

impl Builder<'_> {
    /// Adds an occurrence: a definition when `item` is given.
    fn push(&mut self, key: SymbolKey, name: &Spanned<String>, item: Option<Span>) {
        let Some(span) = name_span(self.text, name) else {
            return;
        };
        self.entries.push(SymbolEntry {
            kind: key.kind(),
            key,
            name: name.value.clone(),
            span,
            item: item.unwrap_or(span),
            is_definition: item.is_some(),
        });
    }

    fn schema_ref(&mut self, schema: Option<&Spanned<String>>) {
        if let Some(schema) = schema {
            self.push(SymbolKey::Schema(schema.value.clone()), schema, None);
        }
    }

    fn endpoint(&mut self, endpoint: &Endpoint, direction: Direction) {
        let component = &endpoint.component;
        self.push(
            SymbolKey::Component(component.value.clone()),
            component,
            None,
        );
        if let Some(port) = &endpoint.port {
            self.push(
                SymbolKey::Port(component.value.clone(), direction, port.value.clone()),
                port,
                None,
            );
        }
    }
}

/// A shared fixture and helpers for the features' tests.
#[cfg(test)]
pub(crate) mod test_support {
    use std::sync::Arc;

    use tower_lsp_server::ls_types::{Position, Uri};

    use crate::lsp::position::PositionEncoding;
    use crate::lsp::state::State;

    /// Multi-byte text (2-byte `é`, 4-byte `😀`) before names on line 11:
    /// UTF-16 and UTF-8 columns differ by 3 after it.
    pub const FIXTURE: &str = r#"schema_version: "1.0.0"
metadata: { natural_language_description: "Tâches — tracker 😀" }
system:
  name: task_tracker
  databases:
    main: { engine: sqlite, url: "sqlite://tasks.db" }
  components:
    - name: task_api
      type: APIEndpoint
      description: "Tâches 😀"
      outputs: [{ name: commands, schema: Task }]
    - { description: "Café 😀", name: task_store, type: Store, inputs: [{ name: input, schema: "Task" }], configuration: { database: main, table: tasks, key: id } }
  bindings:
    - from: task_api.commands
      to: [task_store.input]
schemas:
  Task:
    type: object
    properties:
      id: { type: string, format: uuid }
      title: { type: string }
    required: [id, title]
  Note:
    type: object
"#;

    /// A state with `text` open, in `encoding`.
    pub fn open(text: &str, encoding: PositionEncoding) -> (Arc<State>, Uri) {
        let state = Arc::new(State::default());
        state.set_encoding(encoding);
        let uri: Uri = "file:///nonexistent-blueprint-test/system.yaml"
            .parse()
            .unwrap();
        state.documents.open(uri.clone(), text, 1);
        (state, uri)
    }

    pub fn at(line: u32, character: u32) -> Position {
        Position { line, character }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use blueprint_grammars::model::lower;
    use blueprint_grammars::yaml::parse;

    const TEXT: &str = r#"system:
  name: demo
  databases:
    main: { engine: sqlite, url: "sqlite::memory:" }
  components:
    - name: api
      type: APIEndpoint
      outputs: [{ name: out, schema: Task }]
    - name: "store"
      type: Store
      inputs: [{ name: input, schema: 'Task' }]
      configuration: { database: main, table: tasks, key: id }
  bindings:
    - from: api.out
      to: [store.input]
    - from_component: api
      from_port: out
      to_component: store
      to_port: input
schemas:
  Task:
    type: object
"#;

    fn index() -> SymbolIndex {
        let parsed = parse(TEXT);
        let blueprint = lower(parsed.root.as_ref(), TEXT);
        SymbolIndex::build(&blueprint, TEXT)
    }

    fn spans_of(index: &SymbolIndex, key: &SymbolKey) -> Vec<(&'static str, bool)> {
        index
            .occurrences(key)
            .map(|e| {
                let s: &'static str = &TEXT[e.span.start..e.span.end];
                (s, e.is_definition)
            })
            .collect()
    }

    #[test]
    fn index_finds_every_definition_and_reference() {
        let index = index();
        let store = SymbolKey::Component("store".into());
        let occurrences: Vec<_> = index.occurrences(&store).collect();
        assert_eq!(occurrences.len(), 3);
        assert!(occurrences[0].is_definition);
        // Quotes are not part of the name.
        assert_eq!(
            occurrences[0].span.start,
            TEXT.find("\"store\"").unwrap() + 1
        );
        assert_eq!(
            spans_of(
                &index,
                &SymbolKey::Port("api".into(), Direction::Output, "out".into())
            ),
            vec![("out", true), ("out", false), ("out", false)]
        );
        assert_eq!(
            spans_of(&index, &SymbolKey::Schema("Task".into())),
            vec![("Task", false), ("Task", false), ("Task", true)]
        );
        assert_eq!(
            spans_of(&index, &SymbolKey::Database("main".into())),
            vec![("main", true), ("main", false)]
        );
        // The port part of `api.out` is its own span.
        let dot = TEXT.find("api.out").unwrap();
        assert_eq!(
            index.at(dot + 5).map(|e| &e.key),
            Some(&SymbolKey::Port(
                "api".into(),
                Direction::Output,
                "out".into()
            ))
        );
        assert_eq!(
            index.at(dot + 1).map(|e| &e.key),
            Some(&SymbolKey::Component("api".into()))
        );
        // Just after a name still finds it; whitespace elsewhere does not.
        assert_eq!(
            index.at(dot + 3).map(|e| &e.key),
            Some(&SymbolKey::Component("api".into()))
        );
        assert!(index.at(0).is_none());
    }

    #[test]
    fn synthesised_legacy_databases_are_not_symbols() {
        let text = "system:\n  name: demo\n  components:\n    - name: s\n      type: Store\n      configuration:\n        database: { type: postgres, connection_string: 'postgres://x' }\n";
        let parsed = parse(text);
        let blueprint = lower(parsed.root.as_ref(), text);
        let index = SymbolIndex::build(&blueprint, text);
        assert!(index.entries.iter().all(|e| e.kind != SymbolKind::Database));
    }
}
