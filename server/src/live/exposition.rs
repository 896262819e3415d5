//! Prometheus text format 0.0.4 and OpenMetrics 1.0 text, parsed into
//! samples (name, labels, value) and families (name, type).
//!
//! # Why our own parser
//!
//! The maintained crates were considered and not taken:
//!
//! - `prometheus-parse` (0.2.x) reads the Prometheus format only: it has no
//!   notion of OpenMetrics' `# EOF`, `# UNIT` or exemplars (a ` # {…} 1.0`
//!   suffix makes the line fail), pulls in `regex`, `chrono`, `itertools` and
//!   `lazy_static`, and has no limits on what it keeps.
//! - `openmetrics-parser` (0.4) is LGPL-3.0 and pest-based, and rejects the
//!   whole exposition at the first line it dislikes: one odd line from a
//!   third-party collector would blank every figure.
//! - `nom-openmetrics` (0.2) is young and likewise all-or-nothing, with no
//!   caps on line length or sample count.
//!
//! What the language server needs is narrower and more defensive than any of
//! them: read what the runtime (prometheus-client, OpenMetrics text) serves,
//! also accept plain Prometheus 0.0.4 text, skip a bad line rather than
//! fail, and keep bounded memory whatever the endpoint sends. That is ~300
//! lines, property-tested below (arbitrary strings and mutated real
//! expositions never panic; generated valid expositions round-trip).
//!
//! # What is accepted, what is kept
//!
//! - Lines end in `\n` (a trailing `\r` is dropped). `# EOF` ends the
//!   exposition (OpenMetrics); anything after it is ignored.
//! - `# TYPE name type` and `# HELP`/`# UNIT` record a [`Family`]; other
//!   comments are ignored.
//! - A sample is `name[{labels}] value [timestamp] [# exemplar]`; the
//!   timestamp and the exemplar are read past and dropped. `_created` samples
//!   (OpenMetrics) are ordinary samples with their own name, so they are
//!   never confused with `_total` or `_bucket`.
//! - Label values understand `\\`, `\"` and `\n`; any other escape is kept
//!   as written. Values are `f64` as Rust reads them plus the spellings
//!   `+Inf`, `-Inf`, `NaN` — NaN and infinities are kept as they are (the
//!   consumers decide what a NaN count means).
//! - A malformed line is skipped and counted in [`Exposition::rejected_lines`];
//!   it never fails the whole text and never panics.
//!
//! # Limits ([`Limits`])
//!
//! Lines longer than `max_line_len`, label values longer than
//! `max_label_value`, and samples with more than `max_labels` labels are
//! skipped (counted as rejected). After `max_samples` kept samples or
//! `max_families` families the rest is dropped and
//! [`Exposition::truncated`] is set. A series (name + labels) seen twice
//! keeps its first value; the repeat is counted in
//! [`Exposition::duplicates`]. A `keep` filter passed to [`parse_with`] drops
//! families the caller does not use before anything is allocated for them.

use std::collections::HashSet;
use std::fmt;

/// The type a `# TYPE` line declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MetricType {
    Counter,
    Gauge,
    Histogram,
    GaugeHistogram,
    Summary,
    Info,
    StateSet,
    Unknown,
}

impl MetricType {
    fn parse(text: &str) -> Self {
        match text {
            "counter" => Self::Counter,
            "gauge" => Self::Gauge,
            "histogram" => Self::Histogram,
            "gaugehistogram" => Self::GaugeHistogram,
            "summary" => Self::Summary,
            "info" => Self::Info,
            "stateset" => Self::StateSet,
            _ => Self::Unknown,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Counter => "counter",
            Self::Gauge => "gauge",
            Self::Histogram => "histogram",
            Self::GaugeHistogram => "gaugehistogram",
            Self::Summary => "summary",
            Self::Info => "info",
            Self::StateSet => "stateset",
            Self::Unknown => "unknown",
        }
    }
}

impl fmt::Display for MetricType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One metric family as its descriptor lines declare it.
#[derive(Clone, Debug, PartialEq)]
pub struct Family {
    pub name: String,
    pub kind: MetricType,
    pub help: Option<String>,
    pub unit: Option<String>,
}

/// One sample line: the name as written (`…_bucket`, `…_total`), its labels
/// in the order written, and its value.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    pub name: String,
    pub labels: Vec<(String, String)>,
    pub value: f64,
}

impl Sample {
    /// The value of label `name`, if present.
    pub fn label(&self, name: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What was kept of one exposition.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Exposition {
    pub families: Vec<Family>,
    pub samples: Vec<Sample>,
    /// `# EOF` was seen: the text was OpenMetrics and complete.
    pub saw_eof: bool,
    /// Lines that were valid (descriptor or sample), kept or filtered out.
    pub parsed_lines: usize,
    /// Lines that were neither a comment nor a valid sample, or over a limit.
    pub rejected_lines: usize,
    /// Repeated series (same name and labels); the first value is kept.
    pub duplicates: usize,
    /// A sample or family limit was reached and the rest dropped.
    pub truncated: bool,
}

impl Exposition {
    /// The declared type of the family a sample name belongs to: the name
    /// itself, or the name without a `_total`, `_bucket`, `_count`, `_sum`,
    /// `_created`, `_gcount`, `_gsum` or `_info` suffix.
    pub fn family_type(&self, sample_name: &str) -> Option<MetricType> {
        let find = |n: &str| self.families.iter().find(|f| f.name == n).map(|f| f.kind);
        find(sample_name).or_else(|| {
            SUFFIXES
                .iter()
                .find_map(|s| sample_name.strip_suffix(s).and_then(find))
        })
    }

    /// Every kept sample called `name`.
    pub fn named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Sample> + 'a {
        self.samples.iter().filter(move |s| s.name == name)
    }
}

const SUFFIXES: [&str; 8] = [
    "_total", "_bucket", "_count", "_sum", "_created", "_gcount", "_gsum", "_info",
];

/// Bounds on what one parse keeps. The defaults are far above what a
/// generated system serves (a few hundred samples) and far below what would
/// hurt the language server.
#[derive(Clone, Debug)]
pub struct Limits {
    pub max_line_len: usize,
    pub max_label_value: usize,
    pub max_labels: usize,
    pub max_samples: usize,
    pub max_families: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_line_len: 16 * 1024,
            max_label_value: 1024,
            max_labels: 32,
            max_samples: 100_000,
            max_families: 10_000,
        }
    }
}

/// Parse with the default limits, keeping every family.
pub fn parse(text: &str) -> Exposition {
    parse_with(text, &Limits::default(), |_| true)
}

/// Parse, keeping only samples and families whose name `keep` accepts (the
/// sample name as written, e.g. `foo_bucket`, or the family name).
pub fn parse_with(text: &str, limits: &Limits, keep: impl Fn(&str) -> bool) -> Exposition {
    let mut out = Exposition::default();
    let mut seen: HashSet<(String, Vec<(String, String)>)> = HashSet::new();
    for raw in text.split('\n') {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.len() > limits.max_line_len {
            out.rejected_lines += 1;
            continue;
        }
        if line.trim().is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            if comment.trim_end() == " EOF" {
                out.saw_eof = true;
                break;
            }
            descriptor(comment, limits, &keep, &mut out);
            continue;
        }
        let Some(sample) = sample_line(line, limits) else {
            out.rejected_lines += 1;
            continue;
        };
        out.parsed_lines += 1;
        if !keep(&sample.name) {
            continue;
        }
        if out.samples.len() >= limits.max_samples {
            out.truncated = true;
            continue;
        }
        let key = (sample.name.clone(), sample.labels.clone());
        if seen.contains(&key) {
            out.duplicates += 1;
            continue;
        }
        seen.insert(key);
        out.samples.push(sample);
    }
    out
}

/// `# TYPE`, `# HELP`, `# UNIT`; anything else after `#` is a comment.
fn descriptor(comment: &str, limits: &Limits, keep: &impl Fn(&str) -> bool, out: &mut Exposition) {
    let Some(rest) = comment.strip_prefix(' ') else {
        return;
    };
    let (keyword, rest) = rest.split_once(' ').unwrap_or((rest, ""));
    if !matches!(keyword, "TYPE" | "HELP" | "UNIT") {
        return;
    }
    let (name, text) = rest.split_once(' ').unwrap_or((rest, ""));
    if !valid_metric_name(name) {
        out.rejected_lines += 1;
        return;
    }
    out.parsed_lines += 1;
    if !keep(name) {
        return;
    }
    let index = match out.families.iter().position(|f| f.name == name) {
        Some(i) => i,
        None => {
            if out.families.len() >= limits.max_families {
                out.truncated = true;
                return;
            }
            out.families.push(Family {
                name: name.to_owned(),
                kind: MetricType::Unknown,
                help: None,
                unit: None,
            });
            out.families.len() - 1
        }
    };
    let family = &mut out.families[index];
    match keyword {
        "TYPE" => family.kind = MetricType::parse(text.trim()),
        "HELP" => family.help = Some(unescape_help(text)),
        _ => family.unit = Some(text.trim().to_owned()),
    }
}

fn unescape_help(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('\\') => out.push('\\'),
            Some('"') => out.push('"'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

fn is_name_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c == b':'
}

fn is_name_char(c: u8) -> bool {
    is_name_start(c) || c.is_ascii_digit()
}

fn valid_metric_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty() && is_name_start(b[0]) && b.iter().all(|&c| is_name_char(c))
}

/// Length of the metric or label name at the start of `s` (0 if none).
fn name_len(s: &[u8], allow_colon: bool) -> usize {
    let ok_start = |c: u8| c.is_ascii_alphabetic() || c == b'_' || (allow_colon && c == b':');
    if s.is_empty() || !ok_start(s[0]) {
        return 0;
    }
    1 + s[1..]
        .iter()
        .take_while(|&&c| ok_start(c) || c.is_ascii_digit())
        .count()
}

fn sample_line(line: &str, limits: &Limits) -> Option<Sample> {
    let bytes = line.as_bytes();
    let n = name_len(bytes, true);
    if n == 0 {
        return None;
    }
    let name = &line[..n];
    let mut pos = n;
    let mut labels = Vec::new();
    if bytes.get(pos) == Some(&b'{') {
        pos = label_set(line, pos + 1, limits, &mut labels)?;
    }
    // Value, then optionally a timestamp and an exemplar.
    let rest = &line[pos..];
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let rest = rest.trim_start_matches([' ', '\t']);
    let (value_text, after) = rest
        .split_once([' ', '\t'])
        .map_or((rest, ""), |(v, a)| (v, a));
    let value = parse_value(value_text)?;
    let after = after.trim_start_matches([' ', '\t']);
    if !after.is_empty() && !after.starts_with('#') {
        // A timestamp: a number, then optionally ` # exemplar`.
        let (ts, tail) = after
            .split_once([' ', '\t'])
            .map_or((after, ""), |(t, a)| (t, a));
        parse_value(ts)?;
        let tail = tail.trim_start_matches([' ', '\t']);
        if !tail.is_empty() && !tail.starts_with('#') {
            return None;
        }
    }
    Some(Sample {
        name: name.to_owned(),
        labels,
        value,
    })
}

/// Parses `name="value", …}` starting just after `{`; returns the position
/// just after `}`.
fn label_set(
    line: &str,
    mut pos: usize,
    limits: &Limits,
    labels: &mut Vec<(String, String)>,
) -> Option<usize> {
    let bytes = line.as_bytes();
    let skip_ws = |mut p: usize| {
        while matches!(bytes.get(p), Some(b' ' | b'\t')) {
            p += 1;
        }
        p
    };
    loop {
        pos = skip_ws(pos);
        if bytes.get(pos) == Some(&b'}') {
            return Some(pos + 1);
        }
        let n = name_len(&bytes[pos..], false);
        if n == 0 {
            return None;
        }
        let key = &line[pos..pos + n];
        pos = skip_ws(pos + n);
        if bytes.get(pos) != Some(&b'=') {
            return None;
        }
        pos = skip_ws(pos + 1);
        if bytes.get(pos) != Some(&b'"') {
            return None;
        }
        pos += 1;
        let mut value = String::new();
        loop {
            match bytes.get(pos)? {
                b'"' => {
                    pos += 1;
                    break;
                }
                b'\\' => {
                    match bytes.get(pos + 1)? {
                        b'n' => value.push('\n'),
                        b'\\' => value.push('\\'),
                        b'"' => value.push('"'),
                        _ => value.push('\\'),
                    }
                    // An unknown escape keeps the backslash and re-reads the
                    // next character as ordinary text.
                    pos += if matches!(bytes[pos + 1], b'n' | b'\\' | b'"') {
                        2
                    } else {
                        1
                    };
                }
                _ => {
                    // Copy the run of ordinary bytes at once (keeps UTF-8
                    // sequences whole: `"` and `\` never occur inside one).
                    let run = bytes[pos..]
                        .iter()
                        .take_while(|&&c| c != b'"' && c != b'\\')
                        .count();
                    value.push_str(&line[pos..pos + run]);
                    pos += run;
                }
            }
            if value.len() > limits.max_label_value {
                return None;
            }
        }
        if labels.len() >= limits.max_labels {
            return None;
        }
        labels.push((key.to_owned(), value));
        pos = skip_ws(pos);
        match bytes.get(pos)? {
            b',' => pos += 1,
            b'}' => return Some(pos + 1),
            _ => return None,
        }
    }
}

/// A sample value: Rust's `f64` syntax plus Go's `+Inf`/`-Inf`/`NaN`.
/// Rust alone would also take `infinity` and `inf`; so does Prometheus.
pub(crate) fn parse_value(text: &str) -> Option<f64> {
    if text.is_empty() || text.len() > 64 {
        return None;
    }
    // Rust's parser accepts no underscores or hex either, and rejects
    // everything Prometheus rejects that matters here.
    text.parse::<f64>().ok()
}

/// Render a value the way the formats spell it (for tests and messages).
pub fn format_value(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v == f64::INFINITY {
        "+Inf".into()
    } else if v == f64::NEG_INFINITY {
        "-Inf".into()
    } else {
        format!("{v:?}")
    }
}

/// Escape a label value for the text formats.
pub fn escape_label_value(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
#[path = "exposition_tests.rs"]
mod tests;
