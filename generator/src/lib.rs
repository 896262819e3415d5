//! The file-writing core of `blueprint generate`.
//!
//! Regeneration follows the generation-gap pattern (DESIGN.md, "Generated
//! systems"): generated modules are rewritten whole and carry a digest header
//! ([`digest`]); user-owned modules are written once. The manifest
//! ([`manifest`]) remembers the hash of every file last written, so a
//! [`plan`] can tell "unchanged since we wrote it" (safe to overwrite) from
//! "edited by hand" (never overwritten silently).

pub mod ddl;
pub mod digest;
pub mod manifest;
pub mod plan;
pub mod system;

use std::path::PathBuf;

pub use digest::{digest, header, header_digest};
pub use manifest::{content_hash, Entry, FileKind, Manifest, MANIFEST_PATH};
pub use plan::{apply, check, plan, Action, Applied, Kind, Plan, Produced};

/// Everything that can go wrong while planning or writing.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: malformed manifest: {message}", path.display())]
    Manifest { path: PathBuf, message: String },
    /// A path that could land outside the output directory (absolute, or
    /// with `..`), refused before anything is written or removed.
    #[error("refusing path {path:?}: it must be relative and stay inside the output directory")]
    UnsafePath { path: String },
    #[error("{path:?} is produced twice")]
    Duplicate { path: String },
}

pub(crate) fn io_err(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.into();
    move |source| Error::Io { path, source }
}
