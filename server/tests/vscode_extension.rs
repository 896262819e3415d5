//! The VS Code extension in `editors/vscode` builds, lints, passes its
//! unit tests (including its language client against this build's
//! binary) and packages into a .vsix with the right contents: runs
//! `npm run check` there, so that `cargo test` stays the one command that
//! runs everything.
//!
//! Needs Node.js and that folder's `npm ci`; skips, saying so, without
//! them, unless `BLUEPRINT_REQUIRE_SERVICES=1`, when a missing tool fails
//! the test.

mod editor_support;
use editor_support::{repo_root, run, unavailable, version};

use std::process::Command;

#[test]
fn vscode_extension_checks_and_packages() {
    let test = "vscode_extension_checks_and_packages";
    let dir = repo_root().join("editors/vscode");
    if version("node").is_none() || version("npm").is_none() {
        return unavailable(test, "node or npm not found");
    }
    if !dir.join("node_modules/vscode-languageclient").is_dir() {
        return unavailable(
            test,
            &format!("packages not installed (cd {} && npm ci)", dir.display()),
        );
    }
    let stdout = run(
        test,
        Command::new("npm")
            .args(["run", "check"])
            .current_dir(&dir)
            .env("BLUEPRINT_BIN", env!("CARGO_BIN_EXE_blueprint")),
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
}
