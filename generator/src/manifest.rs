//! `.blueprint/generated.json`: the hash of every file last written.
//!
//! ```json
//! { "version": 1, "files": { "src/main.rs": { "hash": "…", "kind": "generated" } } }
//! ```
//!
//! The hash is what lets regeneration tell a file we wrote and nobody touched
//! (safe to overwrite or remove) from one edited by hand (never overwritten
//! silently).

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64;

use crate::{io_err, Error};

/// Where the manifest lives, relative to the output directory.
pub const MANIFEST_PATH: &str = ".blueprint/generated.json";
const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    Generated,
    User,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// [`content_hash`] of the file as last written.
    pub hash: String,
    pub kind: FileKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub version: u32,
    /// Keyed by `/`-separated path relative to the output directory; a
    /// BTreeMap so the file diffs cleanly under version control.
    pub files: BTreeMap<String, Entry>,
}

impl Default for Manifest {
    fn default() -> Self {
        Manifest {
            version: VERSION,
            files: BTreeMap::new(),
        }
    }
}

/// Hash of a file's bytes, as stored in the manifest (16 hex digits).
pub fn content_hash(bytes: &[u8]) -> String {
    format!("{:016x}", xxh3_64(bytes))
}

impl Manifest {
    /// Reads the manifest of `out_dir`. A missing manifest is an empty one
    /// (first generation); an unreadable or malformed one is an error naming
    /// the file, never silently treated as empty — that would turn every
    /// hand edit into an unprotected overwrite.
    pub fn load(out_dir: &Path) -> Result<Manifest, Error> {
        let path = out_dir.join(MANIFEST_PATH);
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Manifest::default()),
            Err(e) => return Err(io_err(&path)(e)),
        };
        let malformed = |message: String| Error::Manifest {
            path: path.clone(),
            message,
        };
        let manifest: Manifest =
            serde_json::from_str(&text).map_err(|e| malformed(e.to_string()))?;
        if manifest.version != VERSION {
            return Err(malformed(format!(
                "unsupported version {}",
                manifest.version
            )));
        }
        // The paths drive removals: a tampered manifest must not be able to
        // delete files outside the output directory.
        for key in manifest.files.keys() {
            crate::plan::normalize(Path::new(key))
                .map_err(|_| malformed(format!("unsafe path {key:?}")))?;
        }
        Ok(manifest)
    }

    /// Writes the manifest atomically: a temporary file in the same directory,
    /// flushed, then renamed over the old one, so an interrupted run leaves
    /// either the old manifest or the new one, never half of one.
    pub fn save(&self, out_dir: &Path) -> Result<(), Error> {
        let path = out_dir.join(MANIFEST_PATH);
        let dir = path.parent().expect("manifest path has a parent");
        fs::create_dir_all(dir).map_err(io_err(dir))?;
        let mut text = serde_json::to_string_pretty(self).expect("manifest serializes");
        text.push('\n');
        let tmp = dir.join(format!("generated.json.{}.tmp", std::process::id()));
        let write = || -> std::io::Result<()> {
            let mut f = fs::File::create(&tmp)?;
            f.write_all(text.as_bytes())?;
            f.sync_all()
        };
        if let Err(e) = write() {
            let _ = fs::remove_file(&tmp);
            return Err(io_err(&tmp)(e));
        }
        fs::rename(&tmp, &path).map_err(io_err(&path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_is_empty_and_save_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Manifest::load(dir.path()).unwrap(), Manifest::default());
        let mut m = Manifest::default();
        m.files.insert(
            "src/main.rs".into(),
            Entry {
                hash: content_hash(b"fn main() {}"),
                kind: FileKind::Generated,
            },
        );
        m.save(dir.path()).unwrap();
        assert_eq!(Manifest::load(dir.path()).unwrap(), m);
        let text = fs::read_to_string(dir.path().join(MANIFEST_PATH)).unwrap();
        assert!(text.contains("\"kind\": \"generated\""), "{text}");
        // No temporary file left behind.
        let left: Vec<_> = fs::read_dir(dir.path().join(".blueprint"))
            .unwrap()
            .collect();
        assert_eq!(left.len(), 1);
    }

    #[test]
    fn malformed_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join(".blueprint")).unwrap();
        for bad in [
            "{ not json",
            r#"{"version": 2, "files": {}}"#,
            r#"{"version": 1, "files": {"../x": {"hash": "0", "kind": "generated"}}}"#,
            r#"{"version": 1, "files": {"x": {"hash": "0", "kind": "other"}}}"#,
        ] {
            fs::write(dir.path().join(MANIFEST_PATH), bad).unwrap();
            let err = Manifest::load(dir.path()).unwrap_err().to_string();
            assert!(
                err.contains("generated.json") && err.contains("malformed"),
                "{err}"
            );
        }
    }
}
