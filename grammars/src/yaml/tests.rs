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
        Value::Sequence(items) => format!("[{}]", items.iter().map(show).collect::<Vec<_>>().join(", ")),
        Value::Mapping(entries) => format!(
            "{{{}}}",
            entries.iter().map(|e| format!("{}: {}", e.key, show(&e.value))).collect::<Vec<_>>().join(", ")
        ),
    }
}

fn dbg(text: &str) {
    let p = parse(text);
    println!("=== {text:?}\nroot: {}\nerrors: {:?}", p.root.as_ref().map_or("NONE".into(), show), p.errors);
}

#[test]
fn scratch() {
    for t in [
        "a: 1\nb:\n  - x\n  - &k {c: d, e}\nf: *k\n\"q\": |\n  lit\n  x\n",
        "\u{feff}a: 1\r\nb: two\r\n  lines\r\n",
        "a: 1\nb: [1, 2\nc: 3\n",
        "a: 1\n  b: 2\nc: 3\n",
        "- a\nb: 1\nc: 2\n",
        "a:\n\t- x\nb: 1\n",
        "a: 1\nb: x: y\nd: 2\n",
        "base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n",
        "---\na: 1\n...\n---\nb: 2\n",
        "a: {b: 1\nc: 2\n",
        "a:\n  - 1\n - 2\nc: 2\n",
        "a: \"abc\nb: 1\n",
        "a: 1\n@x\nb: 2\n",
        "a: b\0c\nd: 1\n",
    ] {
        dbg(t);
    }
}

/// Generated blueprint-like YAML: `items` list entries of ~30 lines each.
fn blueprint(items: usize) -> String {
    let mut out = String::from("version: 1\nname: big-blueprint\nitems:\n");
    for i in 0..items {
        out.push_str(&format!(
            "  - id: item-{i}\n    kind: service\n    enabled: true\n    replicas: {r}\n    ratio: {f:.3}\n    description: >\n      Item number {i} with a folded\n      description over two lines.\n    labels:\n      app: app-{i}\n      tier: \"backend\"\n      owner: 'team-{t}'\n    ports:\n      - name: http\n        port: 80\n      - name: https\n        port: 443\n    env:\n      - {{name: A, value: \"x\\ty\"}}\n      - {{name: B, value: ~}}\n    depends: [item-{d1}, item-{d2}]\n    script: |\n      echo start {i}\n      run --fast\n    # a comment line\n    resources:\n      cpu: 0.5\n      memory: 512Mi\n    tags: [a, b, c]\n    extra: null\n",
            r = i % 7, f = i as f64 / 3.0, t = i % 13, d1 = i.saturating_sub(1), d2 = i.saturating_sub(2)
        ));
    }
    out.push_str("trailer: done\n");
    out
}

#[test]
#[ignore]
fn timing() {
    let text = blueprint(2000);
    println!("{} lines, {} bytes", text.lines().count(), text.len());
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let p = parse(&text);
        println!("parse+build {:?} errors {} segments {}", t.elapsed(), p.errors.len(), p.trees().count());
    }
    let p = parse(&text);
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let c = p.root.clone();
        println!("clone root {:?}", t.elapsed());
        let t = std::time::Instant::now();
        drop(c);
        println!("drop root {:?}", t.elapsed());
    }
    let items = p.root.as_ref().unwrap().get("items").unwrap().as_sequence().unwrap().len();
    println!("items {items} trailer {:?}", p.root.as_ref().unwrap().get("trailer"));
    // tree-sitter alone
    let mut parser = tree_sitter::Parser::new();
    parser.set_language(&tree_sitter_yaml::LANGUAGE.into()).unwrap();
    let t = std::time::Instant::now();
    let _ = parser.parse(&text, None);
    println!("tree-sitter alone (one tree, broken after row 32767) {:?}", t.elapsed());
    // edits
    let at = text.find("replicas: 3").unwrap() + 10;
    let mut edited = text.clone();
    edited.replace_range(at..at + 1, "7");
    let t = std::time::Instant::now();
    let r = reparse(&p, &text, &edited);
    println!("reparse in-line edit {:?}", t.elapsed());
    assert_eq!(r.root, parse(&edited).root);
    let at = text.find("    kind: service").unwrap();
    let mut edited = text.clone();
    edited.insert_str(at, "    new: line\n");
    let t = std::time::Instant::now();
    let r = reparse(&p, &text, &edited);
    println!("reparse insert line near top {:?}", t.elapsed());
    assert_eq!(r.root, parse(&edited).root);
    let at = text.rfind("    kind: service").unwrap();
    let mut edited = text.clone();
    edited.insert_str(at, "    new: line\n");
    let t = std::time::Instant::now();
    let r = reparse(&p, &text, &edited);
    println!("reparse insert line near end {:?}", t.elapsed());
    assert_eq!(r.root, parse(&edited).root);
}
