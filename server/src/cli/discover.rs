//! Finding the blueprint files that `blueprint check PATH...` means.
//!
//! A file named on the command line is checked whatever its name: the user
//! asked for it. A directory is searched recursively for files whose names
//! mark them as blueprints. The walk uses the `ignore` crate (ripgrep's
//! walker) rather than plain `walkdir` so that `.gitignore`d trees, such as
//! generated systems or vendored examples, are skipped the way ruff and
//! ripgrep skip them; `--no-ignore` turns that off. On top of it, hidden
//! directories, `target/` and `node_modules/` are always skipped: they are
//! never where a user keeps blueprints and can be huge.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

use ignore::{DirEntry, WalkBuilder};

/// What the command line's paths expand to.
#[derive(Debug, Default)]
pub(crate) struct Discovery {
    /// Files to check, in command-line order, each directory's files sorted
    /// by path, without duplicates.
    pub files: Vec<PathBuf>,
    /// Paths that could not be used, with what to do about them.
    pub failures: Vec<Failure>,
}

/// A path that could not be checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Failure {
    pub path: String,
    /// What went wrong, as a complete sentence fragment that names the path.
    pub message: String,
    /// What the user can do about it.
    pub help: Option<String>,
}

/// Does this file name mark a blueprint?
pub(crate) fn is_blueprint_name(name: &str) -> bool {
    matches!(name, "blueprint.yaml" | "blueprint.yml")
        || name.ends_with(".blueprint.yaml")
        || name.ends_with(".blueprint.yml")
}

/// Directory names that are never searched (below the directory named on
/// the command line, which is searched whatever its name).
fn is_skipped_dir_name(name: &str) -> bool {
    name.starts_with('.') || name == "target" || name == "node_modules"
}

/// Expands the command line's paths into the files to check.
pub(crate) fn discover(paths: &[PathBuf], respect_ignore_files: bool) -> Discovery {
    let mut found = Discovery::default();
    let mut seen = HashSet::new();
    for path in paths {
        let shown = display_path(path);
        let meta = match std::fs::metadata(path) {
            Ok(meta) => meta,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                found.failures.push(Failure {
                    message: format!("no such file or directory: {shown}"),
                    help: Some(
                        "check the path; `blueprint check .` searches the current directory".into(),
                    ),
                    path: shown,
                });
                continue;
            }
            Err(err) => {
                found.failures.push(Failure {
                    message: format!("cannot access {shown}: {}", io_reason(&err)),
                    help: None,
                    path: shown,
                });
                continue;
            }
        };
        if !meta.is_dir() {
            if seen.insert(normalize(path)) {
                found.files.push(path.clone());
            }
            continue;
        }
        let before = found.files.len();
        let failures_before = found.failures.len();
        walk(path, respect_ignore_files, &mut seen, &mut found);
        // "Nothing found" is only reported when nothing else was: an
        // unreadable subdirectory already explains itself.
        let nothing_here =
            !files_under(&found.files[..before], path) && found.files.len() == before;
        if nothing_here && found.failures.len() == failures_before {
            found.failures.push(Failure {
                message: format!("no blueprint files in {shown}"),
                help: Some(
                    "blueprint files are named *.blueprint.yaml, *.blueprint.yml, blueprint.yaml or \
                     blueprint.yml (hidden directories, target/, node_modules/ and ignored paths are \
                     skipped); name a file explicitly to check it whatever its name"
                        .into(),
                ),
                path: shown,
            });
        }
    }
    found
}

/// True when an earlier argument already produced a file under `dir`, so
/// `blueprint check a.blueprint.yaml .` does not call `.` empty.
fn files_under(files: &[PathBuf], dir: &Path) -> bool {
    let dir = normalize(dir);
    files.iter().any(|f| normalize(f).starts_with(&dir))
}

fn walk(
    root: &Path,
    respect_ignore_files: bool,
    seen: &mut HashSet<PathBuf>,
    found: &mut Discovery,
) {
    let mut builder = WalkBuilder::new(root);
    builder
        .standard_filters(respect_ignore_files)
        // Hidden entries are handled by `keep` (directories only, and not
        // the root), not by the walker's filter, which would also drop
        // hidden files and a hidden root named on the command line.
        .hidden(false)
        // The user's global gitignore would make results differ between a
        // developer's machine and CI.
        .git_global(false)
        // Honour .gitignore even outside a git checkout (an unpacked
        // tarball, a fresh project before `git init`), as ruff does.
        .require_git(false)
        .follow_links(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .filter_entry(keep);
    for entry in builder.build() {
        match entry {
            Ok(entry) => {
                let is_file = entry.file_type().is_some_and(|t| t.is_file());
                let named = entry.file_name().to_str().is_some_and(is_blueprint_name);
                if is_file && named && seen.insert(normalize(entry.path())) {
                    found.files.push(strip_dot(entry.path()));
                }
            }
            Err(err) => {
                let path = error_path(&err).map_or_else(|| display_path(root), display_path);
                found.failures.push(Failure {
                    message: format!("cannot read {path}: {}", walk_reason(&err)),
                    help: None,
                    path,
                });
            }
        }
    }
}

/// The walk's entry filter: skip hidden, `target` and `node_modules`
/// directories below the root.
fn keep(entry: &DirEntry) -> bool {
    if entry.depth() == 0 || !entry.file_type().is_some_and(|t| t.is_dir()) {
        return true;
    }
    !entry.file_name().to_str().is_some_and(is_skipped_dir_name)
}

/// The path the error is about, when the walker says.
fn error_path(err: &ignore::Error) -> Option<&Path> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        _ => None,
    }
}

/// The innermost reason of a walk error, without the path it repeats.
fn walk_reason(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => walk_reason(err),
        ignore::Error::Io(io) => io_reason(io),
        other => other.to_string(),
    }
}

/// An I/O error's reason without Rust's " (os error 13)" suffix.
pub(crate) fn io_reason(err: &std::io::Error) -> String {
    let text = err.to_string();
    match text.rfind(" (os error") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// A path as the user should see it: as given, without a leading `./`.
pub(crate) fn display_path(path: &Path) -> String {
    strip_dot(path).display().to_string()
}

fn strip_dot(path: &Path) -> PathBuf {
    let mut components = path.components().peekable();
    while components.peek() == Some(&Component::CurDir) {
        components.next();
    }
    let stripped: PathBuf = components.collect();
    if stripped.as_os_str().is_empty() {
        path.to_path_buf()
    } else {
        stripped
    }
}

/// An absolute, lexically normalised path (`.` and `..` resolved without
/// touching the file system, so symlinks keep the name the user gave), for
/// de-duplication and for SARIF's cwd-relative URIs.
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blueprint_names() {
        for yes in [
            "blueprint.yaml",
            "blueprint.yml",
            "shop.blueprint.yaml",
            "a.b.blueprint.yml",
        ] {
            assert!(is_blueprint_name(yes), "{yes}");
        }
        for no in [
            "blueprint.json",
            "shop.yaml",
            "myblueprint.yaml",
            "blueprint.yaml.bak",
            "Blueprint.yaml",
        ] {
            assert!(!is_blueprint_name(no), "{no}");
        }
    }

    #[test]
    fn leading_dot_is_stripped_for_display() {
        assert_eq!(display_path(Path::new("./a/b.yaml")), "a/b.yaml");
        assert_eq!(display_path(Path::new(".")), ".");
        assert_eq!(display_path(Path::new("a/./b")), "a/b");
    }

    #[test]
    fn normalize_resolves_dots_lexically() {
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(normalize(Path::new("a/../b/./c")), cwd.join("b/c"));
    }
}
