//! The language server's path for one keystroke on a large blueprint: the
//! edit applied to the document store, a snapshot taken, the file
//! re-analysed (incrementally), and the diagnostics converted to LSP form.
//! The protocol's own framing and the 120 ms debounce are left out.

use std::sync::Arc;

use blueprint_server::lsp::position::PositionEncoding;
use blueprint_server::lsp::publish::lsp_diagnostics;
use blueprint_server::lsp::state::State;
use blueprint_server::synthetic::large_blueprint;
use criterion::{criterion_group, criterion_main, Criterion};
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent, Uri};

fn bench(c: &mut Criterion) {
    let text = large_blueprint(2000);
    let needle = "Routes requests of endpoint ";
    let at = text[text.len() / 2..]
        .find(needle)
        .map_or(0, |i| text.len() / 2 + i)
        + needle.len();
    let line = text[..at].matches('\n').count() as u32;
    let column = (at - text[..at].rfind('\n').map_or(0, |i| i + 1)) as u32;
    let uri: Uri = "file:///bench/large.blueprint.yaml".parse().unwrap();
    let state = Arc::new(State::default());
    state.set_encoding(PositionEncoding::Utf16);
    state.documents.open(uri.clone(), &text, 1);
    let first = state.analyze(state.documents.snapshot(&uri).unwrap());
    eprintln!(
        "{} lines, {} diagnostics",
        text.lines().count(),
        first.diagnostics.len()
    );

    let mut version = 1;
    let mut insert = true;
    let mut group = c.benchmark_group("lsp_keystroke_2000_components");
    group.sample_size(20);
    group.bench_function("edit_analyse_convert", |b| {
        b.iter(|| {
            // Alternately type a character and delete it, so the document
            // stays the same size and every iteration is one keystroke.
            version += 1;
            let start = Position {
                line,
                character: column,
            };
            let change = if insert {
                TextDocumentContentChangeEvent {
                    range: Some(Range { start, end: start }),
                    range_length: None,
                    text: "x".into(),
                }
            } else {
                let end = Position {
                    line,
                    character: column + 1,
                };
                TextDocumentContentChangeEvent {
                    range: Some(Range { start, end }),
                    range_length: None,
                    text: String::new(),
                }
            };
            insert = !insert;
            state
                .documents
                .change(&uri, version, vec![change], PositionEncoding::Utf16);
            let analysis = state.analyze(state.documents.snapshot(&uri).unwrap());
            lsp_diagnostics(&state, &uri, &analysis).len()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
