//! The tree-sitter queries in `queries/blueprint/` (highlights, folds,
//! injections): each compiles against the YAML grammar the crate parses
//! with, and captures what editors rely on in a small blueprint. When the
//! shared corpus of real blueprints is present (`BLUEPRINT_CORPUS`, else
//! `../shared/corpus` beside the repository) every query also runs over
//! each of its files.

use std::path::{Path, PathBuf};

use tree_sitter::{Language, Parser, Point, Query, QueryCursor, StreamingIterator, Tree};

const QUERIES: [&str; 3] = ["highlights", "folds", "injections"];

/// The captures the highlights may use: Neovim's standard groups, so any
/// colour scheme colours them.
const HIGHLIGHT_GROUPS: &[&str] = &[
    "attribute",
    "boolean",
    "comment",
    "constant",
    "constant.builtin",
    "function",
    "keyword",
    "keyword.directive",
    "label",
    "number",
    "property",
    "punctuation.bracket",
    "punctuation.delimiter",
    "punctuation.special",
    "string",
    "string.escape",
    "string.special",
    "type",
    "type.definition",
    "variable.member",
];

/// Written for this test, not taken from the corpus: every construct the
/// queries set apart appears at least once.
const BLUEPRINT: &str = r#"schema_version: "1.0.0"
system:
  name: orders
  databases:
    main:
      engine: sqlite
      url: ${DATABASE_URL:-sqlite://orders.db}
  components:
    - name: order_api
      type: APIEndpoint
      configuration: { port: 8080 }
      outputs: [{ name: commands, schema: Order }]
    - name: order_router
      type: Router
      inputs:
        - name: input
          schema: Order
      configuration:
        routes:
          - when: amount > 1000
            output: large
        default_output: small
    - name: task_store
      type: Store
      inputs: [{ name: input, schema: Order }]
      configuration: { database: main, table: orders, key: id }
  bindings:
    - from: order_api.commands
      to: [order_router.input]
    - from: order_router.large
      to: task_store.input
schemas:
  Order:
    type: object
    properties:
      id: { type: string }
      amount: { type: number }
    required: [id] # the key
"#;

fn language() -> Language {
    tree_sitter_yaml::LANGUAGE.into()
}

fn queries_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("queries/blueprint")
}

fn query(name: &str) -> Query {
    let path = queries_dir().join(format!("{name}.scm"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    Query::new(&language(), &text).unwrap_or_else(|e| panic!("{name}.scm does not compile: {e}"))
}

fn parse(source: &str) -> Tree {
    let mut parser = Parser::new();
    parser.set_language(&language()).expect("YAML grammar");
    parser.parse(source, None).expect("a tree")
}

/// One capture of a match: its name, the text it covers, where it starts
/// and the `injection.language` its pattern sets, if any.
#[derive(Debug)]
struct Capture {
    name: String,
    text: String,
    start: Point,
    kind: &'static str,
    language: Option<String>,
}

/// Every capture of every match (text predicates applied), named captures
/// only: `@_…` captures exist for predicates, editors do not show them.
fn captures(query: &Query, tree: &Tree, source: &str) -> Vec<Capture> {
    let mut cursor = QueryCursor::new();
    let mut matches = cursor.matches(query, tree.root_node(), source.as_bytes());
    let mut found = Vec::new();
    while let Some(m) = matches.next() {
        let language = query
            .property_settings(m.pattern_index)
            .iter()
            .find(|p| &*p.key == "injection.language")
            .and_then(|p| p.value.as_deref().map(str::to_string));
        for c in m.captures {
            let name = query.capture_names()[c.index as usize];
            if name.starts_with('_') {
                continue;
            }
            found.push(Capture {
                name: name.to_string(),
                text: source[c.node.byte_range()].to_string(),
                start: c.node.start_position(),
                kind: c.node.kind(),
                language: language.clone(),
            });
        }
    }
    found
}

/// The names captured on exactly `text`.
fn names_of<'a>(found: &'a [Capture], text: &str) -> Vec<&'a str> {
    found
        .iter()
        .filter(|c| c.text == text)
        .map(|c| c.name.as_str())
        .collect()
}

#[test]
fn every_query_compiles() {
    for name in QUERIES {
        let q = query(name);
        assert!(q.pattern_count() > 0, "{name}.scm has no patterns");
    }
}

#[test]
fn highlights_use_standard_groups() {
    let q = query("highlights");
    for name in q.capture_names() {
        assert!(
            name.starts_with('_') || HIGHLIGHT_GROUPS.contains(name),
            "@{name} is not one of the groups this test knows"
        );
    }
}

#[test]
fn highlights_set_apart_blueprint_structure() {
    let tree = parse(BLUEPRINT);
    assert!(!tree.root_node().has_error(), "the fixture parses cleanly");
    let found = captures(&query("highlights"), &tree, BLUEPRINT);
    let has = |text: &str, name: &str| {
        let names = names_of(&found, text);
        assert!(
            names.contains(&name),
            "`{text}`: expected @{name}, got {names:?}"
        );
    };
    // Component types, and only those: `type: object` of a schema is not one.
    for t in ["Store", "Router", "APIEndpoint"] {
        has(t, "type");
    }
    assert!(!names_of(&found, "object").contains(&"type"));
    // Component names.
    for n in ["order_api", "order_router", "task_store"] {
        has(n, "function");
    }
    // Port references in bindings, in each form `to:` takes.
    for p in [
        "order_api.commands",
        "order_router.input",
        "order_router.large",
        "task_store.input",
    ] {
        has(p, "variable.member");
    }
    // Port names where declared.
    has("commands", "variable.member");
    // Schema names: the definition and the references.
    let order = names_of(&found, "Order");
    assert!(
        order.iter().filter(|n| **n == "type.definition").count() >= 4,
        "Order: {order:?}"
    );
    // Databases: the definition and the store's reference.
    let main = names_of(&found, "main");
    assert_eq!(
        main.iter().filter(|n| **n == "constant").count(),
        2,
        "main: {main:?}"
    );
    // Sections.
    for s in [
        "schema_version",
        "system",
        "schemas",
        "components",
        "bindings",
        "databases",
    ] {
        has(s, "keyword");
    }
    // Interpolation.
    has("${DATABASE_URL:-sqlite://orders.db}", "string.special");
    // Plain YAML.
    has("engine", "property");
    has("8080", "number");
    has("\"1.0.0\"", "string");
    has("# the key", "comment");
}

#[test]
fn folds_cover_each_component() {
    let tree = parse(BLUEPRINT);
    let found = captures(&query("folds"), &tree, BLUEPRINT);
    let fold_rows: Vec<usize> = found
        .iter()
        .filter(|c| c.name == "fold")
        .map(|c| c.start.row)
        .collect();
    for (row, line) in BLUEPRINT.lines().enumerate() {
        if line.starts_with("    - name: ") {
            let mapping = found
                .iter()
                .any(|c| c.name == "fold" && c.start.row == row && c.kind == "block_mapping");
            assert!(
                mapping,
                "no fold for the component on line {}: {line}",
                row + 1
            );
        }
    }
    // The sections fold too.
    for key in ["system:", "  components:", "  bindings:", "schemas:"] {
        let row = BLUEPRINT.lines().position(|l| l == key).unwrap();
        assert!(fold_rows.contains(&row), "no fold at `{key}`");
    }
}

#[test]
fn injections_mark_sql() {
    let tree = parse(BLUEPRINT);
    let found = captures(&query("injections"), &tree, BLUEPRINT);
    let sql: Vec<&Capture> = found
        .iter()
        .filter(|c| c.name == "injection.content" && c.language.as_deref() == Some("sql"))
        .collect();
    assert_eq!(sql.len(), 1, "SQL injections: {sql:?}");
    assert_eq!(sql[0].text, "amount > 1000");
}

#[test]
fn injections_cover_quoted_and_block_sql() {
    let source = "configuration:\n  query: \"select id from orders\"\n  ddl: |\n    create table t (id int)\n  where: done = false\n  condition: x > 1\n";
    let tree = parse(source);
    let found = captures(&query("injections"), &tree, source);
    let sql: Vec<&str> = found
        .iter()
        .filter(|c| c.language.as_deref() == Some("sql"))
        .map(|c| c.text.as_str())
        .collect();
    assert_eq!(sql.len(), 3, "{sql:?}");
    assert!(sql[0].starts_with("\"select"));
    assert!(sql[1].starts_with('|'));
    assert_eq!(sql[2], "done = false");
}

/// The corpus directory, if present: `BLUEPRINT_CORPUS`, else
/// `../shared/corpus` beside the repository.
fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("BLUEPRINT_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"));
    dir.is_dir().then_some(dir)
}

#[test]
fn queries_run_over_the_corpus() {
    let Some(dir) = corpus() else {
        eprintln!("SKIP queries_run_over_the_corpus: no corpus (set BLUEPRINT_CORPUS)");
        return;
    };
    let queries: Vec<(&str, Query)> = QUERIES.iter().map(|n| (*n, query(n))).collect();
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).expect("corpus directory") {
        let path = entry.expect("corpus entry").path();
        let is_yaml = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        );
        if !is_yaml {
            continue;
        }
        let source = std::fs::read_to_string(&path).expect("corpus file");
        let tree = parse(&source);
        let highlights = captures(&queries[0].1, &tree, &source);
        assert!(!highlights.is_empty(), "{path:?}: no highlights");
        // Every YAML file has keys; the blueprint patterns must fire on
        // real files too, not only on the fixture.
        assert!(
            highlights.iter().any(|c| c.name == "property"),
            "{path:?}: no keys"
        );
        for (name, q) in &queries[1..] {
            // Folds and injections may legitimately find nothing in a
            // small file; they must run without panicking.
            let n = captures(q, &tree, &source).len();
            println!("{}: {name} {n}", path.display());
        }
        println!(
            "{}: {} highlight captures, parse errors: {}",
            path.display(),
            highlights.len(),
            tree.root_node().has_error()
        );
        files += 1;
    }
    assert!(files > 0, "no .yaml files in {dir:?}");
}
