use super::*;

/// A compact rendering of a value: `{a: 1, b: [x, "s"]}`; strings are
/// quoted only when they would read as something else.
fn show(node: &Node) -> String {
    match &node.value {
        Value::Null => "~".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => format!("{f:?}"),
        Value::String(s) => format!("{s:?}"),
        Value::Sequence(items) => format!(
            "[{}]",
            items.iter().map(show).collect::<Vec<_>>().join(", ")
        ),
        Value::Mapping(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|e| format!("{}: {}", e.key, show(&e.value)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn root(text: &str) -> Node {
    let parsed = parse(text);
    assert!(
        parsed.errors.is_empty(),
        "unexpected errors for {text:?}: {:?}",
        parsed.errors
    );
    parsed.root.expect("a root value")
}

fn shown(text: &str) -> String {
    parse(text)
        .root
        .as_ref()
        .map_or_else(|| "NONE".into(), show)
}

fn at(text: &str, span: Span) -> &str {
    &text[span.start..span.end]
}

fn kinds(parsed: &ParsedYaml) -> Vec<SyntaxErrorKind> {
    parsed.errors.iter().map(|e| e.kind.clone()).collect()
}

fn s(start: usize, end: usize) -> Span {
    Span::new(start, end)
}

#[test]
fn block_collections_with_spans() {
    let text = "a: 1\nb:\n  - x\n  - c: d\n    e:\nf: [g]\n";
    let r = root(text);
    assert_eq!(show(&r), r#"{a: 1, b: ["x", {c: "d", e: ~}], f: ["g"]}"#);
    // Block collections end where their last entry does.
    assert_eq!(r.span, s(0, text.len() - 1));
    let b = r.entry("b").unwrap();
    assert_eq!(b.key_span, s(5, 6));
    assert_eq!(at(text, b.value.span), "- x\n  - c: d\n    e:");
    let items = b.value.as_sequence().unwrap();
    assert_eq!(at(text, items[0].span), "x");
    assert_eq!(at(text, items[1].span), "c: d\n    e:");
    let e = items[1].entry("e").unwrap();
    assert_eq!(at(text, e.key_span), "e");
    // An implicit null sits right after the colon.
    assert_eq!(e.value.span, Span::empty(text.find("e:").unwrap() + 2));
    assert!(e.value.is_null());
}

#[test]
fn flow_collections_with_spans() {
    let text = "{a: [1, {b: c}], d, 'e': , [x]: y}";
    let r = root(text);
    assert_eq!(show(&r), r#"{a: [1, {b: "c"}], d: ~, e: ~, [x]: "y"}"#);
    assert_eq!(r.span, s(0, text.len()));
    let a = r.get("a").unwrap();
    assert_eq!(at(text, a.span), "[1, {b: c}]");
    assert_eq!(at(text, a.as_sequence().unwrap()[1].span), "{b: c}");
    let e = r.entry("e").unwrap();
    assert_eq!(at(text, e.key_span), "'e'");
    assert_eq!(e.value.span, Span::empty(text.find("'e':").unwrap() + 4));
    assert_eq!(at(text, r.entry("[x]").unwrap().key_span), "[x]");
    // A single pair in a flow sequence is a one-entry mapping.
    assert_eq!(shown("[a: 1, b]"), r#"[{a: 1}, "b"]"#);
    assert_eq!(shown("- [[1, 2], [], {}]"), "[[[1, 2], [], {}]]");
}

#[test]
fn nested_block_structure() {
    let text = "top:\n  list:\n  - name: one\n    tags:\n      - t1\n      - t2\n  - - nested\n    - seq\n  map:\n    ? explicit\n    : value\n";
    assert_eq!(
        shown(text),
        r#"{top: {list: [{name: "one", tags: ["t1", "t2"]}, ["nested", "seq"]], map: {explicit: "value"}}}"#
    );
}

#[test]
fn scalar_styles_in_documents() {
    let text = "plain: a\n  b\nint: 0x10\nfloat: -1.5e2\nbool: TRUE\nnull: ~\nempty:\nsq: 'x''y'\ndq: \"a\\u00e9\\\n  b\"\nlit: |-\n  l1\n   l2\nfold: >\n  f1\n  f2\n\nstr: !!str 123\ncustom: !thing 5\ndate: 2001-12-14\n";
    assert_eq!(
        shown(text),
        r#"{plain: "a b", int: 16, float: -150.0, bool: true, null: ~, empty: ~, sq: "x'y", dq: "aéb", lit: "l1\n l2", fold: "f1 f2\n", str: "123", custom: 5, date: "2001-12-14"}"#
    );
    let r = root(text);
    assert_eq!(at(text, r.get("dq").unwrap().span), "\"a\\u00e9\\\n  b\"");
    assert_eq!(at(text, r.get("lit").unwrap().span), "|-\n  l1\n   l2");
    assert_eq!(at(text, r.get("fold").unwrap().span), ">\n  f1\n  f2");
    assert_eq!(at(text, r.get("str").unwrap().span), "123");
    assert_eq!(shown("k: !!str\n"), r#"{k: ""}"#);
    assert_eq!(shown("k: !!str true\n"), r#"{k: "true"}"#);
}

#[test]
fn keys_are_rendered_as_written() {
    let text = "1: a\ntrue: b\n~: c\n\"q\\tk\": d\n? [x, y]\n: e\n1.50: f\n";
    let r = root(text);
    let keys: Vec<&str> = r
        .as_mapping()
        .unwrap()
        .iter()
        .map(|e| e.key.as_str())
        .collect();
    assert_eq!(keys, ["1", "true", "~", "q\tk", "[x, y]", "1.50"]);
    assert_eq!(at(text, r.as_mapping().unwrap()[4].key_span), "[x, y]");
}

#[test]
fn anchors_and_aliases() {
    let text = "a: &x {k: v}\nb: *x\nc: &s text\nd: [*s, *x]\n";
    let r = root(text);
    assert_eq!(
        show(&r),
        r#"{a: {k: "v"}, b: {k: "v"}, c: "text", d: ["text", {k: "v"}]}"#
    );
    // The copy keeps the spans of the anchored node.
    assert_eq!(r.get("b").unwrap().span, r.get("a").unwrap().span);
    assert_eq!(at(text, r.get("b").unwrap().span), "{k: v}");
    // An anchor on a key, used as a key and as a value.
    assert_eq!(
        shown("&k key: 1\n*k : 2\nv: *k\n"),
        r#"{key: 1, key: 2, v: "key"}"#
    );
}

#[test]
fn unknown_alias_is_an_error_and_null() {
    let text = "a: *nope\nb: 1\n";
    let parsed = parse(text);
    assert_eq!(show(parsed.root.as_ref().unwrap()), "{a: ~, b: 1}");
    assert_eq!(
        parsed.errors,
        [SyntaxError {
            span: s(3, 8),
            kind: SyntaxErrorKind::UnknownAlias {
                name: "nope".into()
            }
        }]
    );
    // An alias may not refer to the node it is in.
    assert_eq!(
        kinds(&parse("a: &x [*x]\n")),
        [SyntaxErrorKind::UnknownAlias { name: "x".into() }]
    );
}

#[test]
fn alias_bombs_are_capped() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let p = i - 1;
        text.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let parsed = parse(&text);
    assert_eq!(kinds(&parsed), [SyntaxErrorKind::AliasExpansionLimit]);
    // Everything before the limit was expanded.
    assert_eq!(
        parsed
            .root
            .unwrap()
            .get("a2")
            .unwrap()
            .as_sequence()
            .unwrap()
            .len(),
        10
    );
}

#[test]
fn merge_keys() {
    let text = "base: &b {x: 1, y: 2}\nmore: &m {y: 3, z: 4}\none:\n  <<: *b\n  y: 9\ntwo:\n  <<: [*b, *m]\n  w: 0\n";
    let r = root(text);
    assert_eq!(show(r.get("one").unwrap()), "{x: 1, y: 9}");
    // Explicit keys win; among sources the earlier wins.
    assert_eq!(show(r.get("two").unwrap()), "{x: 1, y: 2, z: 4, w: 0}");
    // Merged entries keep the spans of their definition.
    let x = r.get("two").unwrap().entry("x").unwrap();
    assert_eq!(x.key_span, s(10, 11));
    // An inline mapping merges too; a quoted `<<` is an ordinary key.
    assert_eq!(
        shown("a:\n  <<: {k: v}\nb: {'<<': 1}\n"),
        r#"{a: {k: "v"}, b: {<<: 1}}"#
    );
    let parsed = parse("a:\n  <<: 5\n  k: v\n");
    assert_eq!(show(parsed.root.as_ref().unwrap()), r#"{a: {k: "v"}}"#);
    assert_eq!(
        parsed.errors,
        [SyntaxError {
            span: s(9, 10),
            kind: SyntaxErrorKind::InvalidMerge
        }]
    );
    assert_eq!(
        kinds(&parse("a: [1]\nb:\n  <<: [*nope]\n")),
        [SyntaxErrorKind::UnknownAlias {
            name: "nope".into()
        }]
    );
}

#[test]
fn documents() {
    let text = "---\na: 1\n...\n---\nb: 2\n";
    let parsed = parse(text);
    assert_eq!(show(parsed.root.as_ref().unwrap()), "{a: 1}");
    assert_eq!(
        parsed.errors,
        [SyntaxError {
            span: s(13, 21),
            kind: SyntaxErrorKind::MultipleDocuments
        }]
    );
    assert_eq!(at(text, parsed.errors[0].span), "---\nb: 2");
    assert_eq!(shown("--- \na: 1\n"), "{a: 1}");
    assert_eq!(shown("a: 1\n...\n"), "{a: 1}");
    assert!(parse("a: 1\n---\n# nothing\n").errors.is_empty());
    assert_eq!(shown("# only\n---\n---\nb: 1\n"), "{b: 1}");
    assert_eq!(shown("%YAML 1.2\n---\nk: v\n"), r#"{k: "v"}"#);
    let empty = parse("");
    assert!(empty.root.is_none() && empty.errors.is_empty());
    assert!(parse("# just a comment\n").root.is_none());
    assert_eq!(shown("--- |\n  text\n"), r#""text\n""#);
}

#[test]
fn crlf_line_endings() {
    let text = "a: 1\r\nb: two\r\n  words\r\nc: |\r\n  x\r\n  y\r\nd:\r\n  - \"q\r\n    r\"\r\n";
    let r = root(text);
    assert_eq!(
        show(&r),
        r#"{a: 1, b: "two words", c: "x\ny\n", d: ["q r"]}"#
    );
    let b = r.entry("b").unwrap();
    assert_eq!(at(text, b.key_span), "b");
    assert_eq!(at(text, b.value.span), "two\r\n  words");
}

#[test]
fn byte_order_mark() {
    let text = "\u{feff}a: 1\nb: |2\n    x\n";
    let r = root(text);
    assert_eq!(show(&r), r#"{a: 1, b: "  x\n"}"#);
    assert_eq!(r.entry("a").unwrap().key_span, s(3, 4));
    assert_eq!(r.span.start, 3);
    assert_eq!(shown("\u{feff}- x\n"), r#"["x"]"#);
    assert_eq!(shown("\u{feff}"), "NONE");
}

#[test]
fn tab_indentation() {
    let text = "a:\n\tb: 1\n\tc: 2\nd: 3\n";
    let parsed = parse(text);
    assert_eq!(
        show(parsed.root.as_ref().unwrap()),
        "{a: {b: 1, c: 2}, d: 3}"
    );
    assert_eq!(
        parsed.errors,
        [
            SyntaxError {
                span: s(3, 4),
                kind: SyntaxErrorKind::TabIndentation
            },
            SyntaxError {
                span: s(9, 10),
                kind: SyntaxErrorKind::TabIndentation
            },
        ]
    );
    // Tabs after a block scalar's indentation, in flow collections and in
    // quoted scalars are content or separation, not indentation.
    let ok = "a: |\n  x\n  \ty\nb: [1,\n\t2]\nc: \"p\n\tq\"\n  # \tcomment\n\n";
    assert_eq!(shown(ok), r#"{a: "x\n\ty\n", b: [1, 2], c: "p q"}"#);
    assert!(parse(ok).errors.is_empty(), "{:?}", parse(ok).errors);
    assert_eq!(
        kinds(&parse("a: |\n\tx\n")),
        [SyntaxErrorKind::TabIndentation]
    );
}

#[test]
fn an_error_does_not_hide_its_neighbours() {
    let cases = [
        ("a: 1\nb: x: y\nc: 3\n", "{a: 1, c: 3}", "b: x: y"),
        ("a: 1\n  b: 2\nc: 3\n", "{a: 1, c: 3}", "b: 2"),
        ("a: 1\n@x\nb: 2\n", "{a: 1, b: 2}", "@x"),
        ("a: 1\nb c\nd: 2\n", "{a: 1, d: 2}", "b c"),
        ("a: 1\nb: [1, 2\nc: 3\n", "{a: 1, b: [1, 2], c: 3}", "[1, 2"),
        ("a: {b: 1\nc: 2\n", "{a: {b: 1}, c: 2}", "{b: 1"),
        (
            "x:\n  a: 1\n  b: x: y\n  c: 3\nd: 4\n",
            "{x: {a: 1, c: 3}, d: 4}",
            "b: x: y",
        ),
        // Lines indented deeper than the bad one are taken to belong to it.
        ("l:\n  - 1\n - 2\n  - 3\nm: 4\n", "{l: [1], m: 4}", "- 2"),
    ];
    for (text, want, bad) in cases {
        let parsed = parse(text);
        assert_eq!(
            parsed.root.as_ref().map(show).as_deref(),
            Some(want),
            "{text:?}"
        );
        assert!(
            parsed
                .errors
                .iter()
                .any(|e| matches!(&e.kind, SyntaxErrorKind::Unexpected { text: t } if t == bad)),
            "{text:?}: {:?}",
            parsed.errors
        );
    }
    // The error's span covers the bad text.
    let text = "a: 1\n  b: 2\nc: 3\n";
    assert_eq!(at(text, parse(text).errors[0].span), "b: 2");
}

#[test]
fn unclosed_flow_collections_keep_their_items() {
    // tree-sitter-yaml reports these as ERROR nodes, not MISSING brackets
    // (no MISSING node turned up in 20 000 random inputs).
    let cases = [
        ("a: [1, 2\nb: 3\n", "{a: [1, 2], b: 3}"),
        ("a: {b: 1\nc: 2\n", "{a: {b: 1}, c: 2}"),
        ("- [1\n- 2\n", "[[1], 2]"),
        ("[a, b", r#"["a", "b"]"#),
    ];
    for (text, want) in cases {
        let parsed = parse(text);
        assert_eq!(shown(text), want, "{text:?}");
        assert!(
            matches!(kinds(&parsed)[..], [SyntaxErrorKind::Unexpected { .. }]),
            "{text:?}"
        );
    }
}

#[test]
fn strange_bytes_do_not_break_anything() {
    let parsed = parse("a: b\0c\nd: 1\n");
    assert_eq!(show(parsed.root.as_ref().unwrap()), r#"{a: "b\0c", d: 1}"#);
    assert_eq!(parsed.errors[0].span, s(4, 5));
    let text = String::from_utf8_lossy(b"a: \xff\xfe\nb: 1\n").into_owned();
    assert_eq!(shown(&text), "{a: \"\u{fffd}\u{fffd}\", b: 1}");
}

#[test]
fn deep_nesting_is_refused_not_crashed() {
    // Unclosed, it is one flat ERROR to tree-sitter.
    let flow = "[".repeat(100_000);
    assert!(matches!(
        kinds(&parse(&flow))[..],
        [SyntaxErrorKind::Unexpected { .. }]
    ));
    // Closed, it is deep: values stop at MAX_DEPTH. This runs on the test
    // thread's small stack, unoptimised.
    let balanced = format!("{}{}", "[".repeat(5_000), "]".repeat(5_000));
    let parsed = parse(&balanced);
    assert_eq!(kinds(&parsed), [SyntaxErrorKind::TooDeep]);
    let maps = format!("{}1{}", "{a: ".repeat(3_000), "}".repeat(3_000));
    // Half the default stack of a spawned thread, to leave a margin.
    let small_stack = std::thread::Builder::new().stack_size(1 << 20);
    let errors = small_stack
        .spawn(move || kinds(&parse(&maps)))
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(errors, [SyntaxErrorKind::TooDeep]);
    let mut depth = 0;
    let mut node = parsed.root.as_ref().unwrap();
    while let Some([inner]) = node.as_sequence() {
        depth += 1;
        node = inner;
    }
    assert_eq!(depth, convert::MAX_DEPTH);
    // Deep block nesting would abort tree-sitter-yaml's scanner.
    let block: String = (0..10_000)
        .map(|i| format!("{}a:\n", " ".repeat(i)))
        .collect();
    let parsed = parse(&block);
    assert_eq!(kinds(&parsed), [SyntaxErrorKind::TooDeep]);
    let line = block.find(&format!("\n{}a:", " ".repeat(100))).unwrap() + 1;
    assert_eq!(parsed.errors[0].span, s(line + 100, line + 102));
    // What comes before the refused line is still read.
    assert!(parsed.root.unwrap().get("a").is_some());
    let dashes = format!("{}x\n", "- ".repeat(1000));
    assert_eq!(kinds(&parse(&dashes)), [SyntaxErrorKind::TooDeep]);
    let keys = format!("{}x\n", "? ".repeat(1000));
    assert!(kinds(&parse(&keys)).contains(&SyntaxErrorKind::TooDeep));
    // Deep but allowed.
    let ok: String = (0..90).map(|i| format!("{}a:\n", " ".repeat(i))).collect();
    assert!(parse(&ok).errors.is_empty());
}

/// Edits applied one after the other, each checked against a fresh parse.
fn check_reparse(text: &str, edits: &[(&str, &str)]) {
    let mut text = text.to_owned();
    let mut parsed = parse(&text);
    for (from, to) in edits {
        let at = text
            .find(from)
            .unwrap_or_else(|| panic!("{from:?} not in {text:?}"));
        let mut next = text.clone();
        next.replace_range(at..at + from.len(), to);
        let incremental = reparse(&parsed, &text, &next);
        let fresh = parse(&next);
        assert_eq!(
            incremental.root, fresh.root,
            "after {from:?} -> {to:?} in {text:?}"
        );
        assert_eq!(
            incremental.errors, fresh.errors,
            "after {from:?} -> {to:?} in {text:?}"
        );
        text = next;
        parsed = incremental;
    }
}

#[test]
fn reparse_matches_parse() {
    let text = "name: café\nitems:\n  - id: 1\n    tags: [a, b]\n  - id: 2\n    note: |\n      text\nend: true\n";
    check_reparse(
        text,
        &[
            ("café", "caffè"),
            ("caffè", "naïve 😀"),
            ("  - id: 2\n", ""),
            ("tags: [a, b]", "tags: [a, b, ñ]"),
            ("end: true\n", "end: true\nmore: 😀😀\n"),
            ("😀😀", "x"),
            ("text\n", "text\n      more text\n"),
            ("items:\n", "items:\n\n"),
            ("naïve 😀", ""),
        ],
    );
    // Edits that break the text and mend it again.
    check_reparse(
        "a: 1\nb: 2\nc: 3\n",
        &[
            ("b: 2", "b: x: y"),
            ("c: 3", "c: 4"),
            ("b: x: y", "b: 2"),
            ("a: 1", "a: [1"),
            ("a: [1", "a: [1]"),
        ],
    );
    check_reparse(
        "a:\n  b: 1\n",
        &[("  b", "\tb"), ("\tb", "  b"), ("a:", "a: ")],
    );
}

#[test]
fn parsed_yaml_can_cross_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<ParsedYaml>();
}
