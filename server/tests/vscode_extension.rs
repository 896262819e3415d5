//! The VS Code extension in `editors/vscode` builds, lints, passes its
//! unit tests (including its language client against this build's
//! binary) and packages into a .vsix with the right contents: runs
//! `npm run check` there, so that `cargo test` stays the one command that
//! runs everything.
//!
//! Needs Node.js and that folder's `npm ci`; skips, saying so, without
//! them, unless `BLUEPRINT_REQUIRE_SERVICES=1`, when a missing tool fails
//! the test.

use std::path::{Path, PathBuf};
use std::process::Command;

fn extension_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .join("editors/vscode")
}

fn required() -> bool {
    std::env::var("BLUEPRINT_REQUIRE_SERVICES").is_ok_and(|v| v == "1")
}

/// Skips (or, when tools are required, fails) with `reason`.
fn unavailable(test: &str, reason: &str) {
    assert!(
        !required(),
        "{test}: {reason} (BLUEPRINT_REQUIRE_SERVICES=1)"
    );
    eprintln!("SKIP {test}: {reason}");
}

fn runs(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn vscode_extension_checks_and_packages() {
    let test = "vscode_extension_checks_and_packages";
    let dir = extension_dir();
    if !runs("node") || !runs("npm") {
        return unavailable(test, "node or npm not found");
    }
    if !dir.join("node_modules/vscode-languageclient").is_dir() {
        return unavailable(
            test,
            &format!("packages not installed (cd {} && npm ci)", dir.display()),
        );
    }
    let started = std::time::Instant::now();
    let output = Command::new("npm")
        .args(["run", "check"])
        .current_dir(&dir)
        .env("BLUEPRINT_BIN", env!("CARGO_BIN_EXE_blueprint"))
        .output()
        .unwrap_or_else(|e| panic!("{test}: cannot run npm: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    eprintln!("{stderr}");
    assert!(
        output.status.success(),
        "{test}: `npm run check` failed ({}) after {:?}:\n{stdout}\n{stderr}",
        output.status,
        started.elapsed()
    );
    // The unit tests report their totals; none may fail, and with this
    // build's binary at hand none has a reason to skip.
    assert!(
        stdout.contains("# fail 0"),
        "{test}: unexpected test report:\n{stdout}"
    );
    assert!(
        stdout.contains("# skipped 0") && !stdout.contains("# SKIP"),
        "{test}: some extension tests were skipped:\n{stdout}"
    );
    println!("{test}: passed in {:?}", started.elapsed());
}
