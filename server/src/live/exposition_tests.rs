//! Tests of `exposition.rs`.

use super::*;
use proptest::prelude::*;

const PROMETHEUS_004: &str = r#"# HELP http_requests_total The total number of HTTP requests.
# TYPE http_requests_total counter
http_requests_total{method="post",code="200"} 1027 1395066363000
http_requests_total{method="post",code="400"}    3 1395066363000

# Escaping in label values:
msdos_file_access_time_seconds{path="C:\\DIR\\FILE.TXT",error="Cannot find file:\n\"FILE.TXT\""} 1.458255915e9

# Minimalistic line:
metric_without_timestamp_and_labels 12.47

# A weird metric from before the epoch:
something_weird{problem="division by zero"} +Inf -3982045

# A histogram, which has a pretty complex representation in the text format:
# HELP http_request_duration_seconds A histogram of the request duration.
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.05"} 24054
http_request_duration_seconds_bucket{le="0.1"} 33444
http_request_duration_seconds_bucket{le="+Inf"} 144320
http_request_duration_seconds_sum 53423
http_request_duration_seconds_count 144320
"#;

#[test]
fn prometheus_004_example() {
    let e = parse(PROMETHEUS_004);
    assert_eq!(e.rejected_lines, 0, "{e:?}");
    assert!(!e.saw_eof);
    assert_eq!(e.samples.len(), 10);
    assert_eq!(e.samples[1].label("code"), Some("400"));
    assert_eq!(e.samples[1].value, 3.0);
    assert_eq!(e.samples[2].label("path"), Some(r"C:\DIR\FILE.TXT"));
    assert_eq!(
        e.samples[2].label("error"),
        Some("Cannot find file:\n\"FILE.TXT\"")
    );
    assert_eq!(e.samples[4].value, f64::INFINITY);
    assert_eq!(
        e.family_type("http_request_duration_seconds_bucket"),
        Some(MetricType::Histogram)
    );
    assert_eq!(
        e.family_type("http_requests_total"),
        Some(MetricType::Counter)
    );
}

#[test]
fn openmetrics_eof_created_exemplars_units() {
    let text = "# TYPE foo counter\n\
                # UNIT foo seconds\n\
                # HELP foo A \\\"help\\\"\\n.\n\
                foo_total{a=\"1\"} 17.0 1520879607.789 # {trace_id=\"KOO5S4vxi0o\"} 0.67\n\
                foo_created{a=\"1\"} 1520430000.123\n\
                # TYPE h histogram\n\
                h_bucket{le=\"0.5\"} 1 # {id=\"x\"} 0.3\n\
                h_bucket{le=\"+Inf\"} 2\n\
                h_count 2\n\
                # EOF\n\
                after_eof 1\n";
    let e = parse(text);
    assert!(e.saw_eof);
    assert_eq!(e.rejected_lines, 0, "{e:?}");
    let names: Vec<_> = e.samples.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "foo_total",
            "foo_created",
            "h_bucket",
            "h_bucket",
            "h_count"
        ]
    );
    assert_eq!(e.samples[0].value, 17.0);
    assert_eq!(e.samples[0].labels, vec![("a".into(), "1".into())]);
    assert_eq!(e.families[0].unit.as_deref(), Some("seconds"));
    assert_eq!(e.families[0].help.as_deref(), Some("A \"help\"\n."));
    assert_eq!(e.family_type("foo_created"), Some(MetricType::Counter));
}

#[test]
fn nan_inf_duplicates_and_bad_lines() {
    let text = "a NaN\nb -Inf\nc{x=\"1\"} 1\nc{x=\"1\"} 2\n<html>\nd{x=1} 3\n\
                e{x=\"unterminated} 1\nf 1 2 3\ng{,} 1\nh{x=\"1\",} 4\n";
    let e = parse(text);
    assert!(e.samples[0].value.is_nan());
    assert_eq!(e.samples[1].value, f64::NEG_INFINITY);
    assert_eq!(e.duplicates, 1);
    assert_eq!(e.named("c").next().unwrap().value, 1.0);
    assert_eq!(e.named("h").next().unwrap().value, 4.0);
    assert_eq!(e.rejected_lines, 5);
}

#[test]
fn limits_and_filter() {
    let limits = Limits {
        max_samples: 3,
        max_label_value: 8,
        max_line_len: 40,
        ..Limits::default()
    };
    let long = format!("x{{a=\"{}\"}} 1\n", "v".repeat(9));
    let longer = format!("x{{a=\"{}\"}} 1\n", "v".repeat(100));
    let text = format!("{long}{longer}keep_a 1\ndrop_b 1\nkeep_c 1\nkeep_d 1\nkeep_e 1\n");
    let e = parse_with(&text, &limits, |n| n.starts_with("keep"));
    assert_eq!(e.rejected_lines, 2);
    assert_eq!(e.samples.len(), 3);
    assert!(e.truncated);
    assert!(e.named("drop_b").next().is_none());
}

#[test]
fn many_lines_stay_bounded() {
    let text = "m{i=\"1\"} 1\n".repeat(200_000);
    let e = parse(&text);
    assert_eq!(e.samples.len(), 1);
    assert_eq!(e.duplicates, 199_999);
    let distinct: String = (0..150_000)
        .map(|i| format!("m{{i=\"{i}\"}} 1\n"))
        .collect();
    let e = parse(&distinct);
    assert_eq!(e.samples.len(), Limits::default().max_samples);
    assert!(e.truncated);
}

#[test]
fn runtime_exposition_parses_cleanly() {
    let m = blueprint_runtime::Metrics::new();
    let pool = m.pool("users", "main");
    pool.set_max(20);
    pool.set_connections(2, 3);
    pool.record_operation("SELECT", std::time::Duration::from_millis(2));
    pool.record_timeout();
    m.record_http_request(
        "user_api",
        "GET",
        "/users/{id}",
        200,
        std::time::Duration::from_millis(1),
    );
    let e = parse(&m.encode());
    assert!(e.saw_eof);
    assert_eq!(e.rejected_lines, 0, "{e:?}");
    assert_eq!(
        e.family_type("db_client_operation_duration_seconds_bucket"),
        Some(MetricType::Histogram)
    );
    assert_eq!(
        e.named("db_client_connection_timeouts_total")
            .next()
            .unwrap()
            .value,
        1.0
    );
    assert!(e
        .named("http_server_request_duration_seconds_count")
        .any(|s| s.label("http_route") == Some("/users/{id}")));
}

fn real_exposition() -> String {
    let m = blueprint_runtime::Metrics::new();
    let pool = m.pool("orders", "db");
    pool.set_max(10);
    pool.set_connections(1, 1);
    pool.record_wait(std::time::Duration::from_micros(300));
    pool.record_operation("INSERT", std::time::Duration::from_millis(3));
    m.record_http_request(
        "order_api",
        "POST",
        "/orders",
        201,
        std::time::Duration::from_millis(4),
    );
    format!("{PROMETHEUS_004}{}", m.encode())
}

fn label_value() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[ -~\n\\\\\"é€]{0,12}").unwrap()
}

fn name() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-zA-Z_:][a-zA-Z0-9_:]{0,10}").unwrap()
}

fn label_name() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-zA-Z_][a-zA-Z0-9_]{0,6}").unwrap()
}

fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        -1e6f64..1e6,
    ]
}

fn sample() -> impl Strategy<Value = Sample> {
    (
        name(),
        proptest::collection::btree_map(label_name(), label_value(), 0..4),
        value(),
    )
        .prop_map(|(name, labels, value)| Sample {
            name,
            labels: labels.into_iter().collect(),
            value,
        })
}

fn render(samples: &[Sample], eof: bool) -> String {
    let mut out = String::new();
    for s in samples {
        out.push_str(&s.name);
        if !s.labels.is_empty() {
            out.push('{');
            let labels: Vec<_> = s
                .labels
                .iter()
                .map(|(k, v)| format!("{k}=\"{}\"", escape_label_value(v)))
                .collect();
            out.push_str(&labels.join(","));
            out.push('}');
        }
        out.push(' ');
        out.push_str(&format_value(s.value));
        out.push('\n');
    }
    if eof {
        out.push_str("# EOF\n");
    }
    out
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        let _ = parse(&text);
    }

    #[test]
    fn arbitrary_metric_like_text_never_panics(
        text in proptest::string::string_regex("[a-z_{}=\",# \\\\\n0-9.+IinfNa-]{0,200}").unwrap()
    ) {
        let e = parse(&text);
        prop_assert!(e.samples.len() <= text.lines().count());
    }

    #[test]
    fn mutated_real_expositions_never_panic(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..20)
    ) {
        let mut bytes = real_exposition().into_bytes();
        for (at, byte, op) in edits {
            if bytes.is_empty() { break; }
            let i = at.index(bytes.len());
            match op {
                0 => bytes[i] = byte,
                1 => { bytes.remove(i); }
                _ => bytes.insert(i, byte),
            }
        }
        let text = String::from_utf8_lossy(&bytes);
        let _ = parse(&text);
    }

    #[test]
    fn generated_expositions_round_trip(samples in proptest::collection::vec(sample(), 0..20), eof in any::<bool>()) {
        // Distinct series only: a repeat keeps its first value.
        let mut seen = HashSet::new();
        let samples: Vec<Sample> = samples
            .into_iter()
            .filter(|s| seen.insert((s.name.clone(), s.labels.clone())))
            .collect();
        let e = parse(&render(&samples, eof));
        prop_assert_eq!(e.rejected_lines, 0);
        prop_assert_eq!(e.saw_eof, eof);
        prop_assert_eq!(e.samples.len(), samples.len());
        for (got, want) in e.samples.iter().zip(&samples) {
            prop_assert_eq!(&got.name, &want.name);
            prop_assert_eq!(&got.labels, &want.labels);
            prop_assert!(got.value == want.value || (got.value.is_nan() && want.value.is_nan()));
        }
    }
}
