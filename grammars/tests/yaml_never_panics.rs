//! Whatever the input, parsing YAML neither panics nor crashes, and an
//! incremental reparse agrees with a fresh parse.

use blueprint_grammars::yaml::{parse, reparse, Node, ParsedYaml, SyntaxErrorKind, Value};
use proptest::prelude::*;

/// A valid document touching most of the syntax: block and flow
/// collections, every scalar style, anchors, aliases and merge keys.
const DOCUMENT: &str = r#"# a blueprint-like document
version: 1
name: "demo \u00e9 \t tab"
enabled: true
ratio: 0.75
nothing: ~
defaults: &defaults
  retries: 3
  timeout: 30s
services:
  - id: web
    <<: *defaults
    image: 'nginx:1.25'
    ports: [80, 443]
    env: {MODE: prod, DEBUG: false}
    command: |
      nginx -g 'daemon off;'
      echo done
    description: >-
      A folded
      description.
  - id: worker
    <<: [*defaults]
    retries: 5
    tags:
      - queue
      - ? complex key
        : value
    note: plain text that
      continues here
matrix:
  - [1, 2, 3]
  - {a: [x, y], b: {c: d}}
empty_list: []
empty_map: {}
quoted: "line one\
  line two"
single: 'it''s'
last: *defaults
...
"#;

/// Bytes that matter to YAML's syntax, and some that do not.
const ALPHABET: &[u8] = b":-[]{}&*!|>'\"#\n\t ?,.%@`abcxyz019\r";

#[derive(Clone, Debug)]
enum Mutation {
    Insert(usize, u8),
    Delete(usize, usize),
    Replace(usize, u8),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let byte = proptest::sample::select(ALPHABET);
    prop_oneof![
        (any::<usize>(), byte.clone()).prop_map(|(at, b)| Mutation::Insert(at, b)),
        (any::<usize>(), 1usize..8).prop_map(|(at, n)| Mutation::Delete(at, n)),
        (any::<usize>(), byte).prop_map(|(at, b)| Mutation::Replace(at, b)),
    ]
}

/// Applies a mutation at a character boundary of `text`.
fn apply(text: &str, m: &Mutation) -> String {
    let boundary = |at: usize| {
        let mut at = at % (text.len() + 1);
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    let mut out = text.to_owned();
    match *m {
        Mutation::Insert(at, b) => out.insert(boundary(at), b as char),
        Mutation::Delete(at, n) => {
            let start = boundary(at);
            let end = boundary(start + n).max(start);
            out.replace_range(start..end, "");
        }
        Mutation::Replace(at, b) => {
            let start = boundary(at);
            let end = text[start..]
                .chars()
                .next()
                .map_or(start, |c| start + c.len_utf8());
            out.replace_range(start..end, &(b as char).to_string());
        }
    }
    out
}

/// Checks what must hold of any parse.
fn check_invariants(text: &str, parsed: &ParsedYaml) {
    for e in &parsed.errors {
        assert!(
            e.span.start <= e.span.end && e.span.end <= text.len(),
            "{e:?} out of {}",
            text.len()
        );
    }
    let sorted = parsed
        .errors
        .windows(2)
        .all(|w| w[0].span.start <= w[1].span.start);
    assert!(sorted, "errors out of order: {:?}", parsed.errors);
    if let Some(root) = &parsed.root {
        check_node(text, root);
    }
}

fn check_node(text: &str, node: &Node) {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        assert!(
            n.span.start <= n.span.end && n.span.end <= text.len(),
            "{:?} out of {}",
            n.span,
            text.len()
        );
        assert!(text.is_char_boundary(n.span.start) && text.is_char_boundary(n.span.end));
        match &n.value {
            Value::Sequence(items) => stack.extend(items),
            Value::Mapping(entries) => {
                for e in entries {
                    assert!(e.key_span.end <= text.len());
                    assert!(!e.key.starts_with('\u{feff}'), "BOM in key {:?}", e.key);
                    stack.push(&e.value);
                }
            }
            _ => {}
        }
    }
}

proptest! {
    // No regression files: failures are reported with their inputs.
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        let parsed = parse(&text);
        check_invariants(&text, &parsed);
    }

    #[test]
    fn random_yamlish_text_never_panics(bytes in proptest::collection::vec(proptest::sample::select(ALPHABET), 0..300)) {
        let text = String::from_utf8_lossy(&bytes);
        check_invariants(&text, &parse(&text));
    }

    /// tree-sitter-yaml aborts the process when its indentation stack
    /// outgrows its 1 KB state buffer; lines of block indicators at growing
    /// indentation are what build that stack.
    #[test]
    fn deep_block_indicators_never_abort(lines in proptest::collection::vec(
        (0usize..400, proptest::sample::select(&["- ", "? ", ": ", "k: ", "- k: ", "- - ", "? - ", "- ? ", ""][..]),
         proptest::sample::select(&["x", "", "|", ">-", "[", "{", "&a", "!t", "k:", "- "][..])),
        0..400,
    ), step in 0usize..4) {
        let text: String = lines
            .iter()
            .enumerate()
            .map(|(i, (indent, a, b))| format!("{}{a}{b}\n", " ".repeat(if step == 0 { *indent } else { i * step })))
            .collect();
        check_invariants(&text, &parse(&text));
    }

    /// Each step reparses from the previous step's result, so stale
    /// incremental state would accumulate and show.
    #[test]
    fn mutations_reparse_like_a_fresh_parse(mutations in proptest::collection::vec(mutation(), 1..6)) {
        let mut text = DOCUMENT.to_owned();
        let mut parsed = parse(&text);
        prop_assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        for m in &mutations {
            let next = apply(&text, m);
            let incremental = reparse(&parsed, &text, &next);
            let fresh = parse(&next);
            check_invariants(&next, &fresh);
            check_invariants(&next, &incremental);
            prop_assert_eq!(&incremental.root, &fresh.root, "after {:?} on {:?}", m, text);
            prop_assert_eq!(&incremental.errors, &fresh.errors, "after {:?} on {:?}", m, text);
            text = next;
            parsed = incremental;
        }
    }
}

#[test]
fn the_document_parses_cleanly() {
    let parsed = parse(DOCUMENT);
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    let root = parsed.root.unwrap();
    let web = &root.get("services").unwrap().as_sequence().unwrap()[0];
    assert_eq!(web.get("retries").and_then(Node::as_i64), Some(3));
    assert_eq!(
        web.get("command").and_then(Node::as_str),
        Some("nginx -g 'daemon off;'\necho done\n")
    );
    let worker = &root.get("services").unwrap().as_sequence().unwrap()[1];
    assert_eq!(worker.get("retries").and_then(Node::as_i64), Some(5));
    assert_eq!(
        worker.get("note").and_then(Node::as_str),
        Some("plain text that continues here")
    );
    assert_eq!(
        root.get("quoted").and_then(Node::as_str),
        Some("line oneline two")
    );
}

#[test]
fn deep_nesting_does_not_crash() {
    let inputs = [
        "[".repeat(100_000),
        "{".repeat(100_000),
        format!("{}{}", "[".repeat(50_000), "]".repeat(50_000)),
        format!("{}x{}", "{a: ".repeat(20_000), "}".repeat(20_000)),
        (0..10_000)
            .map(|i| format!("{}a:\n", " ".repeat(i)))
            .collect(),
        (0..10_000)
            .map(|i| format!("{}- a:\n", "  ".repeat(i)))
            .collect(),
        format!("{}x\n", "- ".repeat(10_000)),
        format!("{}x\n", "? ".repeat(10_000)),
        "a: &a [*a]\n".repeat(1_000),
    ];
    for text in &inputs {
        let parsed = parse(text);
        check_invariants(text, &parsed);
        assert!(!parsed.errors.is_empty(), "{:?}…", &text[..20]);
    }
    let nested = &inputs[4];
    assert!(parse(nested)
        .errors
        .iter()
        .any(|e| e.kind == SyntaxErrorKind::TooDeep));
}

#[test]
fn huge_inputs_parse() {
    // About 2 MB of blueprint-like YAML: beyond tree-sitter-yaml's 32767
    // rows, so parsed in segments.
    let mut text = String::from("items:\n");
    let mut i = 0;
    while text.len() < 2_000_000 {
        text.push_str(&format!("  - id: item-{i}\n    ports: [80, 443]\n    env:\n      A: \"x\"\n      B: 'y'\n    script: |\n      run {i}\n"));
        i += 1;
    }
    text.push_str("last: true\n");
    let parsed = parse(&text);
    assert!(
        parsed.errors.is_empty(),
        "{:?}",
        &parsed.errors[..parsed.errors.len().min(3)]
    );
    let root = parsed.root.as_ref().unwrap();
    assert_eq!(root.get("items").unwrap().as_sequence().unwrap().len(), i);
    assert_eq!(root.get("last").and_then(Node::as_bool), Some(true));

    // An edit near the start, then one near the end.
    let at = text.find("run 0").unwrap();
    let mut edited = text.clone();
    edited.insert_str(at, "# x\n      ");
    let incremental = reparse(&parsed, &text, &edited);
    assert!(incremental.root == parse(&edited).root);
    let at = edited.rfind("last: true").unwrap();
    let mut again = edited.clone();
    again.replace_range(at..at + 10, "last: [1,");
    let incremental = reparse(&incremental, &edited, &again);
    let fresh = parse(&again);
    assert!(incremental.root == fresh.root);
    assert_eq!(incremental.errors, fresh.errors);

    // One huge line, a huge scalar, and garbage.
    let line = format!(
        "k: [{}]\n",
        (0..100_000)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    assert!(parse(&line).errors.is_empty());
    let big_scalar = format!("k: {}\n", "x".repeat(2_000_000));
    assert_eq!(
        parse(&big_scalar)
            .root
            .unwrap()
            .get("k")
            .and_then(Node::as_str)
            .map(str::len),
        Some(2_000_000)
    );
    let garbage: String = (0..2_000_000u32)
        .map(|i| ALPHABET[(i.wrapping_mul(2654435761) >> 7) as usize % ALPHABET.len()] as char)
        .collect();
    check_invariants(&garbage, &parse(&garbage));
}

#[test]
fn crlf_bom_and_nul() {
    let text = "\u{feff}a: 1\r\nb:\r\n  - x\r\n  - \"y\r\n    z\"\r\nc: \0\r\n";
    let parsed = parse(text);
    check_invariants(text, &parsed);
    let root = parsed.root.unwrap();
    assert_eq!(root.as_mapping().unwrap()[0].key, "a");
    assert_eq!(
        root.get("b").unwrap().as_sequence().unwrap()[1].as_str(),
        Some("y z")
    );
}
