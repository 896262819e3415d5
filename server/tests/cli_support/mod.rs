//! What the tests of the `blueprint` binary share (`cli.rs`,
//! `generate_cli.rs`, `new_cli.rs`): running it as a real process and
//! reading what it printed.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// One run of the binary: its exit code and what it printed.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

/// The fixtures of `tests/cli_fixtures/`.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli_fixtures")
}

/// Runs `blueprint ARGS` in `cwd`, with NO_COLOR cleared so that the
/// environment running the tests cannot change the output.
pub fn run_in(cwd: &Path, args: &[&str]) -> Run {
    run_with(cwd, args, |command| {
        command.env_remove("NO_COLOR");
    })
}

/// Runs `blueprint ARGS` in `cwd` after `configure` has set the command's
/// environment.
pub fn run_with(cwd: &Path, args: &[&str], configure: impl FnOnce(&mut Command)) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_blueprint"));
    command.args(args).current_dir(cwd);
    configure(&mut command);
    let out = command.output().expect("the blueprint binary runs");
    Run {
        code: out.status.code().expect("exited normally"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

#[track_caller]
pub fn contains(text: &str, part: &str) {
    assert!(text.contains(part), "expected {part:?} in:\n{text}");
}
