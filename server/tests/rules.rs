//! Every rule in the catalogue has a fixture that triggers it, a snapshot
//! of exactly what `blueprint check` prints for it, and documentation with
//! the sections `blueprint explain` promises.

use std::path::{Path, PathBuf};
use std::process::Command;

use blueprint_server::analysis::rules;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules")
}

/// Runs the real binary in the fixtures directory with a clean environment,
/// so paths in the output are relative and no `${VAR}` of the machine
/// leaks into a snapshot.
fn blueprint(args: &[&str]) -> (String, i32) {
    let output = Command::new(env!("CARGO_BIN_EXE_blueprint"))
        .args(args)
        .current_dir(fixtures_dir())
        .env_clear()
        .output()
        .expect("run blueprint");
    let stdout = String::from_utf8(output.stdout).expect("utf-8 output");
    (stdout, output.status.code().unwrap_or(-1))
}

fn codes_reported(file: &str) -> Vec<String> {
    let (json, _) = blueprint(&["check", "--format", "json", file]);
    let value: serde_json::Value = serde_json::from_str(&json).expect("json output");
    value["files"][0]["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["code"].as_str().expect("code").to_owned())
        .collect()
}

/// Pre-flight rules need a live database; `tests/preflight_cli.rs` and the
/// engines' tests trigger each of them instead.
#[test]
fn every_rule_has_a_fixture_that_triggers_it() {
    for rule in rules::ALL.iter().filter(|r| !rules::is_preflight(r)) {
        let file = format!("{}.blueprint.yaml", rule.code);
        assert!(
            fixtures_dir().join(&file).exists(),
            "no fixture for {}: add tests/fixtures/rules/{file}",
            rule.code
        );
        let codes = codes_reported(&file);
        assert!(
            codes.iter().any(|c| c == rule.code),
            "{file} does not trigger {}; it reports {codes:?}",
            rule.code
        );
    }
}

#[test]
fn every_rule_is_documented() {
    for rule in rules::ALL {
        let heading = format!("# {} {}", rule.code, rule.name);
        assert!(
            rule.doc.starts_with(&heading),
            "docs/rules/{}.md must start with `{heading}`",
            rule.code
        );
        for section in [
            "## What it checks",
            "## Why it matters",
            "## Example",
            "## How to fix",
        ] {
            assert!(
                rule.doc.contains(section),
                "docs/rules/{}.md lacks `{section}`",
                rule.code
            );
        }
        let (explained, status) = blueprint(&["explain", rule.code]);
        assert_eq!(status, 0, "explain {} failed", rule.code);
        assert!(explained.contains(rule.name));
    }
}

#[test]
fn rendered_diagnostics_of_every_fixture() {
    insta::glob!("fixtures/rules/*.blueprint.yaml", |path| {
        let file = path.file_name().unwrap().to_str().unwrap();
        let (stdout, status) = blueprint(&["check", "--color", "never", file]);
        insta::assert_snapshot!(format!("exit status: {status}\n\n{stdout}"));
    });
}

/// A password written into a blueprint is reported (BP218) but never
/// printed, in any format: not in messages, not in source lines, not in
/// fix previews.
#[test]
fn no_output_format_prints_a_password() {
    const SECRET: &str = "tEsT-pAsSwOrD-81";
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("secret.blueprint.yaml");
    let text = std::fs::read_to_string(fixtures_dir().join("BP218.blueprint.yaml"))
        .expect("BP218 fixture")
        // A password no rule documentation mentions, also put where other
        // rules quote values.
        .replace("hunter2", SECRET)
        .replace(
            "engine: postgres",
            &format!("engine: postgres://app:{SECRET}@db/app"),
        );
    assert!(
        text.contains(SECRET),
        "the fixture must hold the test password"
    );
    std::fs::write(&file, text).expect("write");
    for format in ["human", "json", "sarif"] {
        let output = Command::new(env!("CARGO_BIN_EXE_blueprint"))
            .args(["check", "--format", format, "--color", "always"])
            .arg(&file)
            .output()
            .expect("run blueprint");
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            all.contains("BP218"),
            "{format}: the literal password is not reported:\n{all}"
        );
        assert!(
            !all.contains(SECRET),
            "{format} output shows the password:\n{all}"
        );
    }
}
