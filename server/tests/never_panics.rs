//! Whatever bytes a user (or an editor mid-keystroke) hands it, the checker
//! returns diagnostics; it never panics.

use blueprint_grammars::interpolate::Environment;
use blueprint_grammars::SourceText;
use blueprint_server::analysis::{self, Analyzer};
use proptest::prelude::*;

const VALID: &str = include_str!("fixtures/valid/task_tracker.blueprint.yaml");

/// Bytes that matter to YAML and to blueprints, to make mutations hit
/// structure rather than just text.
const ALPHABET: &[u8] = b":-[]{}&*!|>'\"#,.?%@`<\n\t \r abcdxyz_019$";

#[derive(Clone, Debug)]
enum Mutation {
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Replace(usize, u8),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let byte = prop::sample::select(ALPHABET.to_vec());
    prop_oneof![
        (any::<usize>(), prop::collection::vec(byte.clone(), 1..8))
            .prop_map(|(at, bytes)| Mutation::Insert(at, bytes)),
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| Mutation::Delete(at, len)),
        (any::<usize>(), byte).prop_map(|(at, b)| Mutation::Replace(at, b)),
    ]
}

fn apply(text: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = text.to_vec();
    for m in mutations {
        let len = bytes.len().max(1);
        match m {
            Mutation::Insert(at, new) => {
                let at = at % (bytes.len() + 1);
                bytes.splice(at..at, new.iter().copied());
            }
            Mutation::Delete(at, n) => {
                let at = at % len;
                let end = (at + n).min(bytes.len());
                bytes.drain(at.min(end)..end);
            }
            Mutation::Replace(at, b) => {
                if !bytes.is_empty() {
                    let at = at % bytes.len();
                    bytes[at] = *b;
                }
            }
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        analysis::check(&SourceText::from_bytes(&bytes), &Environment::default());
    }

    #[test]
    fn mutated_blueprints_never_panic(mutations in prop::collection::vec(mutation(), 1..12)) {
        let mutated = apply(VALID.as_bytes(), &mutations);
        let source = SourceText::from_bytes(&mutated);
        let fresh = analysis::check(&source, &Environment::default());
        // The incremental path (what the language server runs on each
        // edit) must agree with a check from scratch.
        let mut analyzer = Analyzer::default();
        analyzer.check(&SourceText::new(VALID), &Environment::default());
        let incremental = analyzer.check(&source, &Environment::default()).diagnostics;
        let codes = |d: &[analysis::Diagnostic]| d.iter().map(|d| (d.rule.code, d.span)).collect::<Vec<_>>();
        prop_assert_eq!(codes(&fresh), codes(&incremental));
    }
}

#[test]
fn the_valid_fixture_is_clean() {
    let diagnostics = analysis::check(&SourceText::new(VALID), &Environment::default());
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
}

#[test]
fn hostile_inputs_never_panic() {
    let env = Environment::default();
    let deep_flow = "a: ".to_owned() + &"[".repeat(100_000);
    let deep_block: String = (0..5_000)
        .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
        .collect();
    let bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n";
    let huge = blueprint_server::synthetic::large_blueprint(3_000);
    for text in [
        deep_flow.as_str(),
        deep_block.as_str(),
        bomb,
        "\u{feff}system: {}\r\n",
        "\0\0\0",
        "---\n---\n---\n",
        huge.as_str(),
    ] {
        analysis::check(&SourceText::new(text), &env);
    }
    analysis::check(
        &SourceText::from_bytes(b"system:\n  name: \xff\xfe\n"),
        &env,
    );
}
