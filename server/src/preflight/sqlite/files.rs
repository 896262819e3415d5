//! The database file on disk, looked at before anything opens it: that it
//! exists and is a readable regular file, and whether this process could
//! write it and its journal (`access(2)`).

use std::path::{Path, PathBuf};

use super::failure::error;
use crate::preflight::catalog::{Failure, InspectError};

/// What the file system says about an existing database file.
pub(super) struct FileFacts {
    /// The process could write the database (file and journal).
    pub(super) writable: bool,
}

/// Checks that `path` is an existing, readable regular file, without
/// opening it; and whether it is writable.
pub(super) fn examine(path: &Path, shown: &str) -> Result<FileFacts, InspectError> {
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Err(error(
                Failure::FileMissing,
                format!("no database file at {shown}; the pre-flight never creates one"),
            ))
        }
        Err(err) => {
            return Err(error(
                Failure::Other,
                format!("cannot examine the database file {shown}: {err}"),
            ))
        }
    };
    if metadata.is_dir() {
        return Err(error(
            Failure::Other,
            format!("{shown} is a directory, not a SQLite database file"),
        ));
    }
    if !metadata.is_file() {
        return Err(error(
            Failure::Other,
            format!("{shown} is not a regular file (a device, pipe or socket), so not a SQLite database file"),
        ));
    }
    if !access::readable(path) {
        return Err(error(
            Failure::Other,
            format!(
                "{shown} cannot be read by this process (permission denied); the pre-flight \
                 needs read access"
            ),
        ));
    }
    // SQLite resolves symbolic links and keeps its journal next to the
    // real file.
    let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let journal_ok = match real.parent() {
        Some(dir) => {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            access::writable_dir(dir) || {
                let wal = sibling(&real, "-wal");
                let shm = sibling(&real, "-shm");
                access::writable(&wal) && access::writable(&shm)
            }
        }
        None => false,
    };
    Ok(FileFacts {
        writable: access::writable(&real) && journal_ok,
    })
}

/// `path` with `suffix` appended to its file name (`db` → `db-wal`).
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// `access(2)` without opening anything.
mod access {
    use std::path::Path;

    #[cfg(unix)]
    fn check(path: &Path, mode: std::ffi::c_int) -> bool {
        use std::ffi::{c_char, c_int, CString};
        use std::os::unix::ffi::OsStrExt;

        extern "C" {
            fn access(path: *const c_char, mode: c_int) -> c_int;
        }
        let Ok(path) = CString::new(path.as_os_str().as_bytes()) else {
            return false;
        };
        // SAFETY: `path` is a NUL-terminated string that outlives the call,
        // and access(2) only reads it.
        unsafe { access(path.as_ptr(), mode) == 0 }
    }

    // POSIX values, the same on every Unix.
    #[cfg(unix)]
    const R_OK: std::ffi::c_int = 4;
    #[cfg(unix)]
    const W_OK: std::ffi::c_int = 2;
    #[cfg(unix)]
    const X_OK: std::ffi::c_int = 1;

    #[cfg(unix)]
    pub fn readable(path: &Path) -> bool {
        check(path, R_OK)
    }

    #[cfg(unix)]
    pub fn writable(path: &Path) -> bool {
        check(path, W_OK)
    }

    /// Files can be created in and removed from `dir`.
    #[cfg(unix)]
    pub fn writable_dir(dir: &Path) -> bool {
        check(dir, W_OK | X_OK)
    }

    #[cfg(not(unix))]
    pub fn readable(path: &Path) -> bool {
        std::fs::metadata(path).is_ok()
    }

    #[cfg(not(unix))]
    pub fn writable(path: &Path) -> bool {
        std::fs::metadata(path).is_ok_and(|m| !m.permissions().readonly())
    }

    #[cfg(not(unix))]
    pub fn writable_dir(dir: &Path) -> bool {
        writable(dir)
    }
}
