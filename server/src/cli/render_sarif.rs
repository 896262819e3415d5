//! `--format sarif`: SARIF 2.1.0, as GitHub code scanning ingests it.
//!
//! Choices that matter to consumers:
//! - One run; `tool.driver.rules` is the whole catalogue (not only the
//!   rules that fired) so `ruleIndex` is stable across runs and viewers can
//!   show any rule's help.
//! - Columns are 1-based UTF-16 code units (`columnKind`), SARIF's default
//!   and what GitHub renders with; `endColumn` is exclusive, as in SARIF.
//! - URIs are relative to the current directory, under `%SRCROOT%`, with
//!   forward slashes, so uploading from the repository root lines results
//!   up with files. A file outside the current directory gets an absolute
//!   `file://` URI instead.
//! - `partialFingerprints` hash the rule, the file and the text of the
//!   line (not its number), so an alert survives lines added above it.
//! - Levels: error -> error, warning -> warning, info and hint -> note.
//! - Paths that could not be checked are `toolExecutionNotifications` and
//!   make `executionSuccessful` false.

use std::collections::HashMap;
use std::path::Path;

use blueprint_grammars::{Encoding, Span};
use serde_json::{json, Map, Value};
use xxhash_rust::xxh3::xxh3_64;

use super::check::{CheckedFile, Report};
use super::discover;
use super::location::Located;
use crate::analysis::{rules, Diagnostic, Rule, Severity};

pub(crate) const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The key under `partialFingerprints`; bump the suffix if the hash changes.
pub(crate) const FINGERPRINT_KEY: &str = "blueprint/lineHash/v1";

pub(crate) fn render(report: &Report) -> String {
    let mut results = Vec::new();
    for file in &report.files {
        results.extend(file_results(file));
    }
    let notifications: Vec<Value> = report
        .failures
        .iter()
        .map(|f| json!({"level": "error", "message": {"text": f.message}}))
        .collect();
    let document = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": driver()},
            "invocations": [{
                "executionSuccessful": report.failures.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "utf16CodeUnits",
            "results": results,
        }],
    });
    let mut out = serde_json::to_string_pretty(&document).expect("a json! value always serialises");
    out.push('\n');
    out
}

pub(crate) fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Hint => "note",
    }
}

fn driver() -> Value {
    let mut driver = Map::new();
    driver.insert("name".into(), "blueprint".into());
    // Cargo sets these to "" when the manifest has none; an empty URI would
    // fail validation, so the field is only written when there is one.
    let uri = [env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY")]
        .into_iter()
        .find(|u| !u.is_empty());
    if let Some(uri) = uri {
        driver.insert("informationUri".into(), uri.into());
    }
    driver.insert("version".into(), env!("CARGO_PKG_VERSION").into());
    driver.insert("semanticVersion".into(), env!("CARGO_PKG_VERSION").into());
    driver.insert("rules".into(), rules::ALL.iter().map(|r| rule(r)).collect());
    Value::Object(driver)
}

fn rule(rule: &Rule) -> Value {
    json!({
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": first_paragraph(rule.doc).unwrap_or(rule.summary)},
        "help": {"text": rule.doc, "markdown": rule.doc},
        "defaultConfiguration": {"level": level(rule.severity)},
        "properties": {"tags": [rule.tier.label()]},
    })
}

/// The first paragraph of a rule's documentation after its `# ` heading.
fn first_paragraph(doc: &str) -> Option<&str> {
    doc.split("\n\n")
        .map(str::trim)
        .find(|p| !p.is_empty() && !p.starts_with('#'))
}

fn file_results(file: &CheckedFile) -> Vec<Value> {
    let located = file.located();
    let (uri, base) = artifact_uri(&file.path);
    let artifact = match base {
        Some(base) => json!({"uri": uri, "uriBaseId": base}),
        None => json!({"uri": uri}),
    };
    let location =
        |span: Span| json!({"artifactLocation": artifact, "region": region(&located, span)});
    let mut occurrences: HashMap<u64, usize> = HashMap::new();
    let mut results = Vec::new();
    for d in &file.diagnostics {
        let mut result = Map::new();
        result.insert("ruleId".into(), d.rule.code.into());
        if let Some(index) = rules::ALL.iter().position(|r| r.code == d.rule.code) {
            result.insert("ruleIndex".into(), index.into());
        }
        result.insert("level".into(), level(d.severity).into());
        result.insert("message".into(), json!({"text": message_text(d)}));
        result.insert(
            "locations".into(),
            json!([{"physicalLocation": location(d.span)}]),
        );
        if !d.related.is_empty() {
            let related = d.related.iter().enumerate().map(|(id, r)| {
                json!({"id": id, "physicalLocation": location(r.span), "message": {"text": r.message}})
            });
            result.insert("relatedLocations".into(), related.collect());
        }
        let hash = line_hash(&located, d, &uri);
        // Identical lines with the same rule get distinct fingerprints in
        // order of appearance, as GitHub's own line hashes do.
        let occurrence = occurrences.entry(hash).or_default();
        *occurrence += 1;
        result.insert(
            "partialFingerprints".into(),
            json!({ FINGERPRINT_KEY: format!("{hash:016x}:{occurrence}") }),
        );
        if !d.fixes.is_empty() {
            let fixes = d.fixes.iter().map(|f| {
                let replacements: Vec<Value> = f
                    .edits
                    .iter()
                    .map(|e| json!({"deletedRegion": region(&located, e.span), "insertedContent": {"text": e.replacement}}))
                    .collect();
                json!({
                    "description": {"text": f.title},
                    "artifactChanges": [{"artifactLocation": artifact, "replacements": replacements}],
                })
            });
            result.insert("fixes".into(), fixes.collect());
        }
        results.push(Value::Object(result));
    }
    results
}

/// Rule, file and the trimmed text of the diagnostic's first line: stable
/// when lines are added elsewhere or the line is re-indented.
fn line_hash(located: &Located<'_>, d: &Diagnostic, uri: &str) -> u64 {
    let line = located
        .point(located.clamp(d.span).start, Encoding::Utf16)
        .line;
    let text = located.line_text(line).trim();
    xxh3_64(format!("{}\0{uri}\0{text}", d.rule.code).as_bytes())
}

/// SARIF has one message; the help line is what to do, so it goes in too.
fn message_text(d: &Diagnostic) -> String {
    match &d.help {
        Some(help) => format!("{}\nhelp: {help}", d.message),
        None => d.message.clone(),
    }
}

fn region(located: &Located<'_>, span: Span) -> Value {
    let (start, end) = located.range(span, Encoding::Utf16);
    json!({
        "startLine": start.line,
        "startColumn": start.column,
        "endLine": end.line,
        "endColumn": end.column,
    })
}

/// The artifact URI of a file and its base id: relative to the current
/// directory when the file is under it, else an absolute `file://` URI.
fn artifact_uri(path: &Path) -> (String, Option<&'static str>) {
    let absolute = discover::normalize(path);
    if let Ok(cwd) = std::env::current_dir() {
        if let Ok(relative) = absolute.strip_prefix(discover::normalize(&cwd)) {
            return (encode_path(relative), Some("%SRCROOT%"));
        }
    }
    let encoded = encode_path(&absolute);
    // Windows paths have a drive, not a leading slash: file:///C:/...
    let slash = if encoded.starts_with('/') { "" } else { "/" };
    (format!("file://{slash}{encoded}"), None)
}

/// Path components joined with `/`, each percent-encoded (RFC 3986) so that
/// spaces, `#`, `%` and non-ASCII names make a valid URI.
fn encode_path(path: &Path) -> String {
    use std::path::Component;
    let mut out = String::new();
    for component in path.components() {
        let part = match component {
            Component::RootDir => {
                out.push('/');
                continue;
            }
            Component::Prefix(prefix) => prefix.as_os_str().to_string_lossy().replace('\\', "/"),
            other => other.as_os_str().to_string_lossy().into_owned(),
        };
        if !out.is_empty() && !out.ends_with('/') {
            out.push('/');
        }
        // A `:` is kept only in a Windows drive (`C:`); elsewhere it could
        // be read as a URI scheme.
        let is_drive = matches!(component, Component::Prefix(_));
        for byte in part.bytes() {
            if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) || (byte == b':' && is_drive)
            {
                out.push(byte as char);
            } else {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Diagnostic, Edit};
    use crate::cli::check::CheckedFile;
    use blueprint_grammars::SourceText;
    use std::path::PathBuf;

    /// Everything a diagnostic can carry, rendered and validated against
    /// the SARIF schema (the end-to-end tests only see syntax errors).
    #[test]
    fn related_locations_and_fixes_are_valid_sarif() {
        let text = "system:\n  name: shop\n  name: 😀 shop\n";
        let second = text.rfind("name").unwrap();
        let first = text.find("name").unwrap();
        let d = Diagnostic::new(
            &rules::DUPLICATE_KEY,
            Span::new(second, second + 4),
            "duplicate key `name`",
        )
        .with_help("remove one")
        .with_related(Span::new(first, first + 4), "first here")
        .with_related(Span::new(text.find('😀').unwrap(), text.len() - 1), "value")
        .with_fix(
            "remove the second",
            vec![Edit {
                span: Span::new(second - 2, text.len()),
                replacement: String::new(),
            }],
        );
        let mut hint = Diagnostic::new(
            &rules::IGNORED_KEY,
            Span::new(text.len(), text.len()),
            "hint at EOF",
        );
        hint.severity = Severity::Hint;
        let file = CheckedFile::new(
            PathBuf::from("a b.blueprint.yaml"),
            SourceText::new(text),
            vec![d, hint],
        );
        let report = Report {
            files: vec![file],
            failures: Vec::new(),
        };
        let log: Value = serde_json::from_str(&render(&report)).unwrap();

        let schema_path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/cli_fixtures/sarif-2.1.0-rtm.5.schema.json"
        );
        let schema = std::fs::read_to_string(schema_path).unwrap();
        // The published schema's `language` pattern has a stray `]` that
        // strict regex checking rejects (see tests/cli.rs).
        let schema = schema.replace(
            "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$",
            "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$",
        );
        let validator = jsonschema::validator_for(&serde_json::from_str(&schema).unwrap()).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");

        let results = &log["runs"][0]["results"];
        assert_eq!(
            results[0]["message"]["text"],
            "duplicate key `name`\nhelp: remove one"
        );
        assert_eq!(
            results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "a%20b.blueprint.yaml"
        );
        assert_eq!(
            results[0]["relatedLocations"][0]["physicalLocation"]["region"]["startLine"],
            2
        );
        // The fix deletes line 3 through the end of the text.
        let deleted =
            &results[0]["fixes"][0]["artifactChanges"][0]["replacements"][0]["deletedRegion"];
        assert_eq!(deleted["startLine"], 3);
        assert_eq!(
            (deleted["endLine"].as_u64(), deleted["endColumn"].as_u64()),
            (Some(4), Some(1))
        );
        // Related: the value `😀 shop` of line 3 (`  name: 😀 shop`), from
        // column 9; the emoji is two UTF-16 units, so it ends at 16, not 15.
        let region = &results[0]["relatedLocations"][1]["physicalLocation"]["region"];
        assert_eq!(
            (region["startColumn"].as_u64(), region["endColumn"].as_u64()),
            (Some(9), Some(16))
        );
        assert_eq!(results[1]["level"], "note");
        assert_ne!(
            results[0]["partialFingerprints"],
            results[1]["partialFingerprints"]
        );
    }

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(
            encode_path(Path::new("a b/ü#1.blueprint.yaml")),
            "a%20b/%C3%BC%231.blueprint.yaml"
        );
        assert_eq!(encode_path(Path::new("/srv/x:y.yaml")), "/srv/x%3Ay.yaml");
        let (uri, base) = artifact_uri(Path::new("./dir/../shop.blueprint.yaml"));
        assert_eq!(
            (uri.as_str(), base),
            ("shop.blueprint.yaml", Some("%SRCROOT%"))
        );
        let (uri, base) = artifact_uri(Path::new("/definitely/elsewhere.yaml"));
        assert_eq!(
            (uri.as_str(), base),
            ("file:///definitely/elsewhere.yaml", None)
        );
    }

    #[test]
    fn first_paragraph_skips_the_heading() {
        assert_eq!(
            first_paragraph("# BP1 x\n\nChecks things.\nMore.\n\n## Why\n"),
            Some("Checks things.\nMore.")
        );
        assert_eq!(first_paragraph("# BP1 x\n"), None);
    }
}
