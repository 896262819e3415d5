//! The exposition text parses back: buckets are cumulative, `+Inf` equals
//! `_count`, and `_sum` is the sum of what was observed.

mod common;

use std::time::Duration;

use blueprint_runtime::metrics::LATENCY_BUCKETS;
use blueprint_runtime::Metrics;
use common::sample;
use proptest::prelude::*;

proptest! {
    #[test]
    fn histogram_text_parses_back(micros in proptest::collection::vec(0u64..20_000_000, 1..60)) {
        let m = Metrics::new();
        let pool = m.pool("store", "main");
        for &us in &micros {
            pool.record_operation("SELECT", Duration::from_micros(us));
        }
        let text = m.encode();
        let labels = r#"component="store",pool_name="main",operation="SELECT""#;
        // The encoder puts `le` first on bucket lines.
        let series = |suffix: &str, le: &str| format!("db_client_operation_duration_seconds_{suffix}{{{le}{labels}}}");
        let count = sample(&text, &series("count", "")).unwrap();
        prop_assert_eq!(count, micros.len() as f64);
        let sum = sample(&text, &series("sum", "")).unwrap();
        let expected: f64 = micros.iter().map(|&us| Duration::from_micros(us).as_secs_f64()).sum();
        prop_assert!((sum - expected).abs() < 1e-6 * expected.max(1.0));
        let mut previous = 0.0;
        for bound in LATENCY_BUCKETS {
            let le = format!("le=\"{bound:?}\",");
            let cumulative = sample(&text, &series("bucket", &le))
                .unwrap_or_else(|| panic!("bucket {bound} missing:\n{text}"));
            let expected = micros.iter().filter(|&&us| Duration::from_micros(us).as_secs_f64() <= bound).count();
            prop_assert_eq!(cumulative, expected as f64);
            prop_assert!(cumulative >= previous);
            previous = cumulative;
        }
        prop_assert_eq!(sample(&text, &series("bucket", "le=\"+Inf\",")), Some(count));
    }
}

#[test]
fn a_family_appears_only_once_it_has_a_series() {
    // prometheus-client omits empty families: a fresh system serves only
    // `# EOF`, and a name shows up with its first recording. The HTTP test
    // checks every DESIGN.md name after traffic.
    let m = Metrics::new();
    assert_eq!(m.encode(), "# EOF\n");
    m.pool("store", "main").set_max(5);
    let text = m.encode();
    assert!(
        text.contains("# TYPE db_client_connection_max gauge"),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            r#"db_client_connection_max{component="store",pool_name="main"}"#
        ),
        Some(5.0)
    );
}
