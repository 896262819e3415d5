//! The real blueprints of the project this language descends from must all
//! load, with precise diagnostics. The corpus lives outside the repository
//! (`../shared/corpus`, or `$BLUEPRINT_CORPUS`); its snapshots pin what
//! Blueprint reports for each file.

use std::path::{Path, PathBuf};
use std::process::Command;

fn corpus_dir() -> Option<PathBuf> {
    let from_env = std::env::var_os("BLUEPRINT_CORPUS")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    let beside = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    from_env.into_iter().chain([beside]).find(|p| p.is_dir())
}

#[test]
fn every_corpus_file_loads_with_stable_diagnostics() {
    let Some(dir) = corpus_dir() else {
        let reason =
            "corpus not found: set BLUEPRINT_CORPUS or check out ../shared beside the repository";
        assert!(
            std::env::var("BLUEPRINT_REQUIRE_SERVICES").as_deref() != Ok("1"),
            "{reason}"
        );
        eprintln!("skipped: {reason}");
        return;
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("read corpus")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no YAML files in {}", dir.display());
    for path in files {
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let output = Command::new(env!("CARGO_BIN_EXE_blueprint"))
            .args(["check", "--color", "never", &name])
            .current_dir(&dir)
            .env_clear()
            .output()
            .expect("run blueprint");
        let status = output.status.code().expect("exit code, not a signal");
        assert!(
            status == 0 || status == 1,
            "{name}: exit {status}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8(output.stdout).expect("utf-8 output");
        insta::assert_snapshot!(
            format!("corpus__{name}"),
            format!("exit status: {status}\n\n{stdout}")
        );
    }
}
