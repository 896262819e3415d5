//! Generated Rust is passed through rustfmt before it is written, so a
//! user's `cargo fmt` (or an editor's format-on-save) leaves generated
//! files exactly as written — otherwise every formatted file would count as
//! edited by hand at the next regeneration.
//!
//! The files are formatted together in a scratch directory with their
//! relative paths (rustfmt follows `mod` declarations), by one rustfmt
//! process. When rustfmt is missing or fails, the text is kept as rendered:
//! valid Rust, just not in rustfmt's layout.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::plan::Produced;

/// Formats every `.rs` file of `files` that `select` accepts, in place.
pub fn format(files: &mut [Produced], select: impl Fn(&Produced) -> bool) {
    let chosen: Vec<usize> = (0..files.len())
        .filter(|&i| files[i].path.extension().is_some_and(|e| e == "rs") && select(&files[i]))
        .collect();
    if chosen.is_empty() {
        return;
    }
    let Ok(dir) = tempfile::tempdir() else { return };
    let mut paths: Vec<PathBuf> = Vec::new();
    for &i in &chosen {
        let path = dir.path().join(&files[i].path);
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, &files[i].contents));
        if written.is_err() {
            return;
        }
        paths.push(path);
    }
    let rustfmt = std::env::var_os("RUSTFMT").unwrap_or_else(|| "rustfmt".into());
    let status = Command::new(rustfmt)
        .args(["--edition", "2021"])
        .args(&paths)
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !status.is_ok_and(|s| s.success()) {
        return;
    }
    for (&i, path) in chosen.iter().zip(&paths) {
        if let Ok(text) = std::fs::read_to_string(path) {
            files[i].contents = text;
        }
    }
}
