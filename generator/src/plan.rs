//! Regeneration as a plan, then its application.
//!
//! Planning reads the disk and the manifest but writes nothing, so
//! `generate --check` and the editor's preview see exactly what `generate`
//! would do. The rules (DESIGN.md, "Generated systems"): a generated file is
//! overwritten only if it is unchanged since we last wrote it; one edited by
//! hand is a conflict, shown as a diff and overwritten only when confirmed;
//! a user-owned file is written once and never again; files no longer
//! produced are removed unless edited by hand.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Component, Path, PathBuf};

use crate::manifest::{content_hash, Entry, FileKind, Manifest};
use crate::{io_err, Error};

/// Who owns a produced file after it is first written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Rewritten whole on every generation.
    Generated,
    /// Written once (the generation gap): the user's from then on.
    UserOwned,
}

/// One file the generator now produces. `path` is relative to the output
/// directory.
#[derive(Debug, Clone)]
pub struct Produced {
    pub path: PathBuf,
    pub contents: String,
    pub kind: Kind,
}

/// What regeneration does to one path (`/`-separated, relative).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Create {
        path: String,
    },
    Overwrite {
        path: String,
    },
    Unchanged {
        path: String,
    },
    SkipUserOwned {
        path: String,
    },
    /// A generated file edited by hand; `diff` is unified, on disk → new.
    Conflict {
        path: String,
        diff: String,
    },
    Remove {
        path: String,
    },
    /// No longer produced, but edited by hand: left alone, reported.
    KeepEdited {
        path: String,
    },
}

impl Action {
    pub fn path(&self) -> &str {
        match self {
            Action::Create { path }
            | Action::Overwrite { path }
            | Action::Unchanged { path }
            | Action::SkipUserOwned { path }
            | Action::Conflict { path, .. }
            | Action::Remove { path }
            | Action::KeepEdited { path } => path,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub out_dir: PathBuf,
    /// Sorted by path, so reports and previews are stable.
    pub actions: Vec<Action>,
    produced: BTreeMap<String, Produced>,
    previous: Manifest,
}

/// What [`apply`] did not do: conflicts left as they are because they were
/// not confirmed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    pub unresolved_conflicts: Vec<String>,
    pub manifest: Manifest,
}

/// Checks that `path` stays inside the output directory and returns it as
/// the manifest's `/`-separated key. Only plain names (and `.`) are allowed:
/// `..`, roots and drive prefixes could write anywhere.
pub(crate) fn normalize(path: &Path) -> Result<String, Error> {
    let unsafe_path = || Error::UnsafePath {
        path: path.display().to_string(),
    };
    let mut parts = Vec::new();
    for c in path.components() {
        match c {
            Component::Normal(s) => parts.push(s.to_str().ok_or_else(unsafe_path)?.to_owned()),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => {
                return Err(unsafe_path())
            }
        }
    }
    if parts.is_empty() {
        return Err(unsafe_path());
    }
    Ok(parts.join("/"))
}

fn read_existing(path: &Path) -> Result<Option<Vec<u8>>, Error> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_err(path)(e)),
    }
}

fn unified_diff(path: &str, on_disk: &[u8], new: &str) -> String {
    let old = String::from_utf8_lossy(on_disk);
    similar::TextDiff::from_lines(old.as_ref(), new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("{path} (on disk)"), &format!("{path} (generated)"))
        .to_string()
}

/// Computes what regenerating into `out_dir` would do. Writes nothing.
pub fn plan(out_dir: &Path, manifest: &Manifest, produced: Vec<Produced>) -> Result<Plan, Error> {
    let mut by_path = BTreeMap::new();
    for p in produced {
        let key = normalize(&p.path)?;
        if by_path.insert(key.clone(), p).is_some() {
            return Err(Error::Duplicate { path: key });
        }
    }
    if by_path.contains_key(crate::MANIFEST_PATH) {
        return Err(Error::UnsafePath {
            path: crate::MANIFEST_PATH.into(),
        });
    }

    let mut actions = Vec::new();
    for (key, p) in &by_path {
        let path = key.clone();
        let Some(on_disk) = read_existing(&out_dir.join(key))? else {
            actions.push(Action::Create { path });
            continue;
        };
        let action = match p.kind {
            // Whatever its contents: the file is the user's now.
            Kind::UserOwned => Action::SkipUserOwned { path },
            Kind::Generated if on_disk == p.contents.as_bytes() => Action::Unchanged { path },
            Kind::Generated => {
                let ours = manifest.files.get(key).map(|e| e.hash.as_str());
                if ours == Some(content_hash(&on_disk).as_str()) {
                    Action::Overwrite { path }
                } else {
                    // Edited since we wrote it — or never written by us at
                    // all (no manifest entry): either way not ours to clobber.
                    let diff = unified_diff(key, &on_disk, &p.contents);
                    Action::Conflict { path, diff }
                }
            }
        };
        actions.push(action);
    }

    for (key, entry) in &manifest.files {
        if by_path.contains_key(key) {
            continue;
        }
        let Some(on_disk) = read_existing(&out_dir.join(key))? else {
            continue; // Already gone: nothing to do, and dropped from the manifest.
        };
        let path = key.clone();
        actions.push(match entry.kind {
            // A user module outlives its component: deleting the user's code
            // is the user's decision.
            FileKind::User => Action::SkipUserOwned { path },
            FileKind::Generated if content_hash(&on_disk) == entry.hash => Action::Remove { path },
            FileKind::Generated => Action::KeepEdited { path },
        });
    }
    actions.sort_by(|a, b| a.path().cmp(b.path()));

    Ok(Plan {
        out_dir: out_dir.to_path_buf(),
        actions,
        produced: by_path,
        previous: manifest.clone(),
    })
}

/// True when applying the plan would change nothing on disk (for
/// `generate --check`). KeepEdited and SkipUserOwned are reports, not changes.
pub fn check(plan: &Plan) -> bool {
    plan.actions.iter().all(|a| {
        matches!(
            a,
            Action::Unchanged { .. } | Action::SkipUserOwned { .. } | Action::KeepEdited { .. }
        )
    })
}

fn write_file(out_dir: &Path, key: &str, contents: &str) -> Result<(), Error> {
    let path = out_dir.join(key);
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(io_err(dir))?;
    }
    fs::write(&path, contents).map_err(io_err(&path))
}

/// Removes `key`, then any parent directories it leaves empty (up to, not
/// including, the output directory), so removed components leave no husks.
fn remove_file(out_dir: &Path, key: &str) -> Result<(), Error> {
    let path = out_dir.join(key);
    fs::remove_file(&path).map_err(io_err(&path))?;
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d == out_dir || fs::remove_dir(d).is_err() {
            break; // Not empty (or not ours): stop climbing.
        }
        dir = d.parent();
    }
    Ok(())
}

/// Performs `plan`. Conflicts are overwritten only when `confirm_conflicts`;
/// otherwise they are left as they are and keep their old manifest entry, so
/// the next run reports them again. Writes the new manifest last, so an
/// interrupted run errs towards reporting conflicts rather than clobbering.
pub fn apply(plan: &Plan, confirm_conflicts: bool) -> Result<Applied, Error> {
    let out = &plan.out_dir;
    let mut files = BTreeMap::new();
    let mut unresolved = Vec::new();
    let record = |files: &mut BTreeMap<String, Entry>, key: &str| {
        let p = &plan.produced[key];
        let kind = match p.kind {
            Kind::Generated => FileKind::Generated,
            Kind::UserOwned => FileKind::User,
        };
        let hash = content_hash(p.contents.as_bytes());
        files.insert(key.to_owned(), Entry { hash, kind });
    };
    let keep_previous = |files: &mut BTreeMap<String, Entry>, key: &str| {
        if let Some(e) = plan.previous.files.get(key) {
            files.insert(key.to_owned(), e.clone());
        }
    };

    let mut seen = BTreeSet::new();
    for action in &plan.actions {
        let key = action.path();
        seen.insert(key);
        match action {
            Action::Create { .. } | Action::Overwrite { .. } => {
                write_file(out, key, &plan.produced[key].contents)?;
                record(&mut files, key);
            }
            Action::Unchanged { .. } => record(&mut files, key),
            Action::Conflict { .. } if confirm_conflicts => {
                write_file(out, key, &plan.produced[key].contents)?;
                record(&mut files, key);
            }
            Action::Conflict { .. } => {
                unresolved.push(key.to_owned());
                keep_previous(&mut files, key);
            }
            Action::SkipUserOwned { .. } => {
                // Keep the hash of what we first wrote; a user file we find
                // without an entry (say, the manifest was deleted) is recorded
                // as it is on disk.
                if plan.previous.files.contains_key(key) {
                    keep_previous(&mut files, key);
                } else if let Some(bytes) = read_existing(&out.join(key))? {
                    let hash = content_hash(&bytes);
                    files.insert(
                        key.to_owned(),
                        Entry {
                            hash,
                            kind: FileKind::User,
                        },
                    );
                }
            }
            Action::Remove { .. } => remove_file(out, key)?,
            // Still reported next time: its entry stays.
            Action::KeepEdited { .. } => keep_previous(&mut files, key),
        }
    }
    debug_assert!(plan.produced.keys().all(|k| seen.contains(k.as_str())));

    let manifest = Manifest {
        files,
        ..Manifest::default()
    };
    manifest.save(out)?;
    Ok(Applied {
        unresolved_conflicts: unresolved,
        manifest,
    })
}
