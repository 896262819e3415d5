//! Tests of parsing in segments (see [`super::segment`]): split anywhere,
//! the values must come out as from a single tree.

use super::*;

#[test]
fn segmented_parse_matches_single_parse() {
    let mut texts = vec![blueprint(40)];
    // Several shapes around the split points: a long top-level mapping,
    // deep nesting, compact sequences, block scalars, anchors across splits.
    let mut t = String::from("base: &b\n");
    for i in 0..60 {
        t.push_str(&format!("  k{i}: v{i}\n"));
    }
    for i in 0..80 {
        t.push_str(&format!("top{i}:\n  - - x{i}\n    - y\n  - a: |\n      lit {i}\n\n    b:\n      c: [1, 2]\n      d: *b\n  - <<: *b\n    k1: over\n"));
    }
    texts.push(t);
    let mut seq = String::new();
    for i in 0..300 {
        seq.push_str(&format!(
            "- name: n{i}\n  value: \"v{i}\"\n  list:\n  - p\n  - q\n"
        ));
    }
    texts.push(seq);
    // Multi-line constructs whose inner lines look like entries.
    let mut multi = String::from("root:\n");
    for i in 0..120 {
        multi.push_str(&format!(
            "  k{i}: \"quoted\n    x: {i}\n    - y\"\n  f{i}: [1,\n    z: 2,\n    3]\n  p{i}: plain\n    - not an item\n  m{i}: {{a: 1,\n    b: 2}}\n"
        ));
    }
    texts.push(multi);
    for text in &texts {
        let whole = parse(text);
        assert!(whole.errors.is_empty(), "{:?}", whole.errors);
        for rows in [16, 37, 64, 200] {
            let parts = build::parse_in_segments(text, rows);
            assert!(parts.trees().count() > 1);
            assert_eq!(parts.errors, whole.errors, "rows {rows}");
            let (a, b) = (whole.root.as_ref().unwrap(), parts.root.as_ref().unwrap());
            assert_eq!(first_difference(a, b, ""), None, "rows {rows}");
        }
    }
}

#[test]
fn segmented_reparse_matches_parse() {
    let text = blueprint(30);
    let whole = build::parse_in_segments(&text, 64);
    let edits = [
        ("replicas: 3", "replicas: 33"),
        ("  - id: item-5\n", ""),
        ("tier: \"backend\"", "tier: \"front\"\n      zone: b"),
    ];
    for (from, to) in edits {
        let at = text.find(from).unwrap();
        let mut next = text.clone();
        next.replace_range(at..at + from.len(), to);
        let old = prep::tree_sitter_text(&text);
        let new = prep::tree_sitter_text(&next);
        let edit = build::find_edit(&old, &new);
        assert!(edit.is_some());
        let incremental = build::reparse_in_segments(&whole, &text, &next, 64);
        assert_eq!(incremental.root, parse(&next).root);
        assert_eq!(incremental.errors, parse(&next).errors);
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

/// Where two values first differ, as a path.
fn first_difference(a: &Node, b: &Node, path: &str) -> Option<String> {
    if a.span != b.span {
        return Some(format!("{path}: span {:?} vs {:?}", a.span, b.span));
    }
    match (&a.value, &b.value) {
        (Value::Mapping(x), Value::Mapping(y)) => {
            for (i, (e, f)) in x.iter().zip(y).enumerate() {
                if e.key != f.key || e.key_span != f.key_span {
                    return Some(format!(
                        "{path}[{i}]: key {:?}@{:?} vs {:?}@{:?}",
                        e.key, e.key_span, f.key, f.key_span
                    ));
                }
                if let Some(d) = first_difference(&e.value, &f.value, &format!("{path}.{}", e.key))
                {
                    return Some(d);
                }
            }
            (x.len() != y.len()).then(|| format!("{path}: {} vs {} entries", x.len(), y.len()))
        }
        (Value::Sequence(x), Value::Sequence(y)) => {
            for (i, (e, f)) in x.iter().zip(y).enumerate() {
                if let Some(d) = first_difference(e, f, &format!("{path}[{i}]")) {
                    return Some(d);
                }
            }
            (x.len() != y.len()).then(|| format!("{path}: {} vs {} items", x.len(), y.len()))
        }
        (x, y) if x != y => Some(format!("{path}: {x:?} vs {y:?}")),
        _ => None,
    }
}

#[test]
fn segmented_reparse_survives_random_edits() {
    const ROWS: usize = 48;
    let alphabet = b":-[]{}&*!|>'\"#\n\t ?,abc01";
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move |n: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize % n.max(1)
    };
    let mut text = blueprint(12);
    let mut parsed = build::parse_in_segments(&text, ROWS);
    let (mut same, mut differ_with_errors) = (0, 0);
    for step in 0..200 {
        // Mostly small edits, now and then a revert to the clean text.
        let mut edited = if step % 50 == 49 {
            blueprint(12)
        } else {
            text.clone()
        };
        if step % 50 != 49 {
            let mut at = next(edited.len() + 1);
            while !edited.is_char_boundary(at) {
                at -= 1;
            }
            match next(3) {
                0 => edited.insert(at, alphabet[next(alphabet.len())] as char),
                1 => {
                    let mut end = (at + 1 + next(6)).min(edited.len());
                    while !edited.is_char_boundary(end) {
                        end -= 1;
                    }
                    edited.replace_range(at..end, "");
                }
                _ => edited.insert_str(at, "\n  - x: 1\n"),
            }
        }
        let incremental = build::reparse_in_segments(&parsed, &text, &edited, ROWS);
        let fresh = build::parse_in_segments(&edited, ROWS);
        if incremental.root == fresh.root && incremental.errors == fresh.errors {
            same += 1;
        } else {
            // A reparse keeps the previous split points while they are
            // valid (else one inserted line could move every later split
            // and cost a full parse); where errors are recovered from, the
            // segment boundaries shape the recovery. Clean texts must agree.
            assert!(
                !fresh.errors.is_empty(),
                "step {step}: clean text reparsed differently"
            );
            differ_with_errors += 1;
        }
        text = edited;
        parsed = incremental;
    }
    assert!(same >= 50, "{same} same, {differ_with_errors} different");
}
