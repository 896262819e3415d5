//! Full check of a 2,000-component blueprint, and re-check after an edit to
//! one component (what the language server does on a keystroke).

use blueprint_grammars::interpolate::Environment;
use blueprint_grammars::SourceText;
use blueprint_server::analysis::Analyzer;
use blueprint_server::synthetic::{edit_one_component, large_blueprint};
use criterion::{criterion_group, criterion_main, Criterion};

fn bench(c: &mut Criterion) {
    let env = Environment::default();
    let original = large_blueprint(2000);
    let edited = edit_one_component(&original, "x");
    eprintln!(
        "blueprint: {} lines, {} bytes",
        original.lines().count(),
        original.len()
    );
    let original = SourceText::new(original);
    let edited = SourceText::new(edited);

    let mut group = c.benchmark_group("check_2000_components");
    group.sample_size(20);
    group.bench_function("full", |b| {
        b.iter(|| Analyzer::default().check(&original, &env).diagnostics.len())
    });
    // Alternate between the two versions so that every measured check is a
    // re-check of a file whose previous version the analyzer has seen.
    let mut analyzer = Analyzer::default();
    analyzer.check(&original, &env);
    let mut flip = false;
    group.bench_function("recheck_after_one_component_edit", |b| {
        b.iter(|| {
            flip = !flip;
            let source = if flip { &edited } else { &original };
            analyzer.check(source, &env).diagnostics.len()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
