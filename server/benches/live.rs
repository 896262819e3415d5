//! What one scrape of a running system costs the language server: parsing
//! the exposition and computing every component's figures (and warnings)
//! from two scrapes, for systems of 10, 100 and 1,000 components. The
//! exposition is the runtime's own, from its `Metrics` registry, with a
//! store pool, per-operation histograms, HTTP requests and the harness's
//! counters recorded for every component.
//!
//! `cargo bench -p blueprint-server --bench live`

use std::time::{Duration, Instant, SystemTime};

use blueprint_runtime::Metrics;
use blueprint_server::live::{figures, findings, Scrape, Thresholds};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

/// An exposition of `n` components: every third a store (pool + two
/// operations), every third an endpoint (HTTP), all with messages.
fn exposition(n: usize, round: u64) -> String {
    let m = Metrics::new();
    for i in 0..n {
        let name = format!("component_{i}");
        match i % 3 {
            0 => {
                let pool = m.pool(&name, "main");
                pool.set_max(20);
                pool.set_connections(15, 5);
                for k in 0..(10 + round) {
                    pool.record_wait(Duration::from_micros(100 + k));
                    pool.record_operation("create", Duration::from_millis(2));
                    pool.record_operation("get", Duration::from_micros(800));
                }
            }
            1 => {
                for k in 0..(10 + round) {
                    let status = if k % 50 == 0 { 500 } else { 201 };
                    m.record_http_request(
                        &name,
                        "POST",
                        "/items",
                        status,
                        Duration::from_millis(3),
                    );
                }
            }
            _ => {}
        }
    }
    // The harness's per-component counters are the runtime's own business
    // (only a running harness writes them): append them as it encodes them.
    let mut text = m.encode();
    text.truncate(text.trim_end().trim_end_matches("# EOF").len());
    text.push_str("# TYPE blueprint_component_messages counter\n");
    for i in 0..n {
        text.push_str(&format!(
            "blueprint_component_messages_total{{component=\"component_{i}\"}} {}\n",
            100 * round
        ));
    }
    text.push_str("# EOF\n");
    text
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("live_scrape");
    for n in [10usize, 100, 1000] {
        let (before, after) = (exposition(n, 1), exposition(n, 2));
        eprintln!("{n} components: exposition {} bytes", after.len());
        let t0 = Instant::now();
        let now = SystemTime::now();
        group.bench_with_input(BenchmarkId::new("parse", n), &after, |b, text| {
            b.iter(|| Scrape::from_text(text, t0, now).samples.len())
        });
        let previous = Scrape::from_text(&before, t0, now);
        let current = Scrape::from_text(&after, t0 + Duration::from_secs(5), now);
        let declared: Vec<String> = (0..n).map(|i| format!("component_{i}")).collect();
        let declared: Vec<&str> = declared.iter().map(String::as_str).collect();
        group.bench_function(BenchmarkId::new("figures_and_findings", n), |b| {
            b.iter(|| {
                let f = figures(&previous, &current);
                findings(&f, &declared, &Thresholds::default(), "127.0.0.1:9464").len()
                    + f.components.len()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
