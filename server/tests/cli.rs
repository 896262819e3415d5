//! The `blueprint` binary end to end: real process, real files, real exit
//! codes. Fixtures are in `tests/cli_fixtures/` (see its README); trees for
//! directory search are built in temporary directories.

mod cli_support;
use cli_support::{fixtures, run_in, Run};

use std::path::Path;

use serde_json::{json, Value};

const CLEAN: &str = "clean.blueprint.yaml";
const BROKEN: &str = "broken.blueprint.yaml";
const LEGACY: &str = "legacy.blueprint.yaml";

fn run(args: &[&str]) -> Run {
    run_in(&fixtures(), args)
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

#[track_caller]
fn contains(text: &str, part: &str) {
    assert!(text.contains(part), "expected {part:?} in:\n{text}");
}

#[track_caller]
fn starts(text: &str, part: &str) {
    assert!(
        text.starts_with(part),
        "expected {part:?} at the start of:\n{text}"
    );
}

// ---- check: human output and exit codes ----

#[test]
fn clean_file_passes_with_exit_0() {
    let r = run(&["check", CLEAN, "--color", "never"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    insta::assert_snapshot!("human_clean", r.stdout);
}

#[test]
fn files_with_errors_exit_1_with_annotated_snippets() {
    let r = run(&["check", BROKEN, LEGACY, "--color", "never"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    starts(&r.stdout, "error[BP");
    contains(&r.stdout, "\n --> broken.blueprint.yaml:");
    assert!(
        !r.stdout.contains('\u{1b}'),
        "--color never must not colour"
    );
    insta::assert_snapshot!("human_findings", r.stdout);
}

#[test]
fn color_always_colours_and_auto_does_not_colour_a_pipe() {
    contains(
        &run(&["check", BROKEN, "--color", "always"]).stdout,
        "\u{1b}[",
    );
    assert!(!run(&["check", BROKEN]).stdout.contains('\u{1b}'));
}

#[test]
fn missing_path_exits_2_and_says_what_to_do() {
    let r = run(&["check", "no-such.blueprint.yaml"]);
    assert_eq!(r.code, 2);
    starts(
        &r.stderr,
        "error: no such file or directory: no-such.blueprint.yaml\n  help: ",
    );
    assert_eq!(r.stdout, "", "nothing was checked, so no summary");
}

#[test]
fn directory_without_blueprints_exits_2() {
    let r = run(&["check", "not_blueprints"]);
    assert_eq!(r.code, 2);
    starts(&r.stderr, "error: no blueprint files in not_blueprints\n");
    contains(&r.stderr, "*.blueprint.yaml");
}

#[test]
fn one_missing_path_does_not_stop_the_others() {
    let r = run(&["check", CLEAN, "missing.yaml", BROKEN, "--color", "never"]);
    assert_eq!(
        r.code, 2,
        "a path that could not be checked wins over findings"
    );
    contains(&r.stderr, "error: no such file or directory: missing.yaml");
    contains(&r.stdout, " --> broken.blueprint.yaml:");
    contains(&r.stdout, "(2 checked); 1 path could not be checked.");
}

#[test]
fn a_file_named_explicitly_is_checked_whatever_its_name() {
    let r = run(&["check", "not_blueprints/notes.yaml", "--format", "json"]);
    assert_eq!(checked_paths(&r), ["not_blueprints/notes.yaml"]);
}

#[test]
fn bad_arguments_exit_2() {
    assert_eq!(run(&["check", "--format", "xml", CLEAN]).code, 2);
    assert_eq!(run(&["frobnicate"]).code, 2);
    assert_eq!(run(&["explain"]).code, 2);
}

#[test]
fn absolute_paths_are_shown_as_given() {
    let path = fixtures().join(BROKEN);
    let r = run(&["check", path.to_str().unwrap(), "--color", "never"]);
    assert_eq!(r.code, 1);
    contains(&r.stdout, &format!(" --> {}:", path.display()));
}

// ---- check: directory search ----

fn checked_paths(r: &Run) -> Vec<String> {
    let files = parse(&r.stdout)["files"].as_array().unwrap().clone();
    files
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn directory_search_finds_nested_blueprints_and_skips_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let clean = std::fs::read_to_string(fixtures().join(CLEAN)).unwrap();
    let found = [
        "blueprint.yaml",
        "b/blueprint.yml",
        "a/deep/er/x.blueprint.yaml",
        "a/z.blueprint.yml",
    ];
    let skipped = [
        ".hidden/h.blueprint.yaml",
        "a/.cache/c.blueprint.yaml",
        "target/t.blueprint.yaml",
        "a/node_modules/n.blueprint.yaml",
        "generated/g.blueprint.yaml",
        "a/notes.yaml",
        "a/blueprint.json",
    ];
    for relative in found.iter().chain(&skipped) {
        let path = dir.path().join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, &clean).unwrap();
    }
    std::fs::write(dir.path().join(".gitignore"), "generated/\n").unwrap();
    let check = |args: &[&str]| {
        let r = run_in(dir.path(), &[&["check", "--format", "json"], args].concat());
        assert_eq!(r.code, 0, "{}", r.stderr);
        checked_paths(&r)
    };

    // Sorted by path within the walk, whatever order the file system has.
    let expected = [
        "a/deep/er/x.blueprint.yaml",
        "a/z.blueprint.yml",
        "b/blueprint.yml",
        "blueprint.yaml",
    ];
    assert_eq!(check(&[]), expected);
    // --no-ignore brings back .gitignore'd paths, not hidden/target/node_modules.
    let all = check(&[".", "--no-ignore"]);
    assert!(
        all.contains(&"generated/g.blueprint.yaml".to_string()) && all.len() == 5,
        "{all:?}"
    );
    // A skipped directory named explicitly is searched.
    assert_eq!(check(&[".hidden"]), [".hidden/h.blueprint.yaml"]);
    // The same file reached twice is checked once.
    assert_eq!(check(&["blueprint.yaml", "."]).len(), 4);
}

// ---- check --format json ----

#[test]
fn json_output_has_the_documented_shape() {
    let r = run(&["check", CLEAN, BROKEN, "--format", "json"]);
    assert_eq!(r.code, 1);
    let doc = parse(&r.stdout);
    assert_eq!(doc["version"], 1);
    assert_eq!(checked_paths(&r), [CLEAN, BROKEN]);
    assert_eq!(doc["files"][0]["diagnostics"], json!([]));
    let diagnostics = doc["files"][1]["diagnostics"].as_array().unwrap();
    assert!(!diagnostics.is_empty());
    for d in diagnostics {
        for key in [
            "code", "name", "severity", "tier", "message", "help", "range", "related", "fixes",
        ] {
            assert!(d.get(key).is_some(), "missing {key} in {d}");
        }
        assert!(["error", "warning", "info", "hint"].contains(&d["severity"].as_str().unwrap()));
        assert!(["L1", "L2", "L3", "L4"].contains(&d["tier"].as_str().unwrap()));
        for p in [&d["range"]["start"], &d["range"]["end"]] {
            assert!(
                p["line"].as_u64() >= Some(1) && p["column"].as_u64() >= Some(1),
                "{p}"
            );
            assert!(p["offset"].is_u64());
        }
    }
    let count = |severity: &str| {
        diagnostics
            .iter()
            .filter(|d| d["severity"] == severity)
            .count()
    };
    let summary = json!({"errors": count("error"), "warnings": count("warning"),
        "infos": count("info"), "hints": count("hint"), "files": 2});
    assert_eq!(doc["summary"], summary);
    assert_eq!(doc["failures"], json!([]));
    let findings = run(&["check", BROKEN, LEGACY, "--format", "json"]).stdout;
    insta::assert_snapshot!("json_findings", findings);
}

#[test]
fn json_lists_paths_that_could_not_be_checked() {
    let r = run(&["check", CLEAN, "gone.yaml", "--format", "json"]);
    assert_eq!(r.code, 2);
    let doc = parse(&r.stdout);
    assert_eq!(doc["failures"][0]["path"], "gone.yaml");
    assert_eq!(doc["files"][0]["path"], CLEAN);
}

// ---- check --format sarif ----

fn sarif_in(cwd: &Path, args: &[&str]) -> Value {
    let r = run_in(cwd, &[&["check", "--format", "sarif"], args].concat());
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    parse(&r.stdout)
}

fn first_uri(log: &Value) -> &Value {
    &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    let schema = std::fs::read_to_string(fixtures().join("sarif-2.1.0-rtm.5.schema.json")).unwrap();
    // The published schema's `language` patterns have a stray `]` that
    // strict regex checking rejects; we never write `language`, so use the
    // pattern it meant rather than edit the vendored file.
    let schema = schema.replace(
        "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$",
        "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$",
    );
    let validator = jsonschema::validator_for(&parse(&schema)).expect("the SARIF schema compiles");
    for args in [
        &[CLEAN, BROKEN, LEGACY][..],
        &[CLEAN],
        &[CLEAN, "gone.yaml"],
    ] {
        let r = run(&[&["check", "--format", "sarif"], args].concat());
        let log = parse(&r.stdout);
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{args:?}: {errors:#?}");
    }
    // ...and the validator does reject what is not SARIF.
    let mut bad = sarif_in(&fixtures(), &[BROKEN]);
    bad["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&bad));
}

#[test]
fn sarif_has_what_github_code_scanning_needs() {
    let log = sarif_in(&fixtures(), &[CLEAN, BROKEN]);
    assert_eq!(log["version"], "2.1.0");
    contains(log["$schema"].as_str().unwrap(), "sarif-2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "utf16CodeUnits");
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    let driver = &run["tool"]["driver"];
    assert_eq!(
        (&driver["name"], &driver["version"]),
        (&json!("blueprint"), &json!(env!("CARGO_PKG_VERSION")))
    );
    let rules = driver["rules"].as_array().unwrap();
    assert!(
        rules.len() > 10,
        "the whole catalogue, not only the rules that fired"
    );
    for rule in rules {
        let id = rule["id"].as_str().unwrap();
        assert!(id.starts_with("BP"), "{id}");
        for key in [
            "name",
            "shortDescription",
            "fullDescription",
            "help",
            "defaultConfiguration",
        ] {
            assert!(rule.get(key).is_some(), "{id} lacks {key}");
        }
        assert!(rule["help"]["markdown"].is_string());
        assert!(["error", "warning", "note"]
            .contains(&rule["defaultConfiguration"]["level"].as_str().unwrap()));
    }
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            rules[index]["id"], result["ruleId"],
            "ruleIndex points at the rule"
        );
        assert!(["error", "warning", "note"].contains(&result["level"].as_str().unwrap()));
        assert!(!result["message"]["text"].as_str().unwrap().is_empty());
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(
            location["artifactLocation"],
            json!({"uri": BROKEN, "uriBaseId": "%SRCROOT%"})
        );
        for key in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(location["region"][key].as_u64() >= Some(1), "{key}");
        }
        assert!(result["partialFingerprints"]
            .as_object()
            .is_some_and(|f| !f.is_empty()));
    }
}

#[test]
fn sarif_uris_are_relative_to_the_current_directory_with_forward_slashes() {
    // Run from the crate root; the file is two directories down.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let relative = "tests/cli_fixtures/broken.blueprint.yaml";
    assert_eq!(first_uri(&sarif_in(root, &[relative])), relative);
    // An absolute path under the current directory is made relative too.
    let absolute = fixtures().join(BROKEN);
    assert_eq!(
        first_uri(&sarif_in(root, &[absolute.to_str().unwrap()])),
        relative
    );
}

#[test]
fn sarif_snapshot() {
    let mut log = sarif_in(&fixtures(), &[BROKEN, LEGACY]);
    // The catalogue and the version change on their own schedule; the
    // snapshot keeps the list of rule ids and the shape of everything else.
    let driver = &mut log["runs"][0]["tool"]["driver"];
    driver["version"] = "[version]".into();
    driver["semanticVersion"] = "[version]".into();
    let ids: Vec<Value> = driver["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].clone())
        .collect();
    driver["rules"] = ids.into();
    insta::assert_json_snapshot!("sarif_findings", log);
}

// ---- explain, rules, schema, help ----

#[test]
fn explain_a_known_rule_by_code_or_name() {
    for query in ["BP100", "syntax-error", "bp100"] {
        let r = run(&["explain", query]);
        assert_eq!(r.code, 0, "{query}: {}", r.stderr);
        starts(
            &r.stdout,
            "BP100 syntax-error (L1 structure, error by default)\n\n",
        );
        assert!(
            !r.stdout.contains("# BP100"),
            "the doc's own heading is not repeated"
        );
    }
}

#[test]
fn explain_an_unknown_rule_exits_2_with_a_suggestion() {
    let r = run(&["explain", "BP999"]);
    assert_eq!(r.code, 2);
    starts(&r.stderr, "error: no rule BP999\n");
    contains(&r.stderr, "`blueprint rules` lists every rule");
    let r = run(&["explain", "unknwon-key"]);
    assert_eq!(r.code, 2);
    contains(&r.stderr, "did you mean BP110 (unknown-key)?");
}

#[test]
fn rules_lists_the_catalogue() {
    let r = run(&["rules"]);
    assert_eq!(r.code, 0);
    starts(&r.stdout, "CODE   NAME ");
    assert!(r
        .stdout
        .lines()
        .any(|l| l.starts_with("BP110  unknown-key") && l.contains("L1 structure")));
    assert_eq!(run(&["explain", "--list"]).stdout, r.stdout);
}

#[test]
fn schema_prints_json() {
    let r = run(&["schema"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let schema = parse(&r.stdout);
    assert!(
        schema["$schema"]
            .as_str()
            .is_some_and(|s| s.contains("json-schema.org")),
        "{schema}"
    );
}

#[test]
fn version_and_help() {
    let r = run(&["--version"]);
    assert_eq!(
        (r.code, r.stdout.trim()),
        (0, concat!("blueprint ", env!("CARGO_PKG_VERSION")))
    );
    for args in [
        &["--help"][..],
        &["help"],
        &["help", "check"],
        &["check", "--help"],
        &["explain", "--help"],
    ] {
        let r = run(args);
        assert_eq!(r.code, 0, "{args:?}");
        contains(&r.stdout, "Examples:");
    }
    let help = run(&["check", "--help"]).stdout;
    contains(&help, "--format <FORMAT>");
    contains(&help, "Exit codes:");
}
