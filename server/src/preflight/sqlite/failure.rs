//! Failures: SQLite result codes and other driver errors sorted into a
//! [`Failure`] with a one-line, masked detail.

use std::time::Duration;

use blueprint_grammars::interpolate::mask_secrets;

use crate::preflight::catalog::{Failure, InspectError};

// SQLite primary result codes (the low byte of an extended code).
const SQLITE_PERM: i32 = 3;
const SQLITE_BUSY: i32 = 5;
const SQLITE_LOCKED: i32 = 6;
const SQLITE_READONLY: i32 = 8;
const SQLITE_CORRUPT: i32 = 11;
const SQLITE_CANTOPEN: i32 = 14;
const SQLITE_AUTH: i32 = 23;
const SQLITE_NOTADB: i32 = 26;

/// An sqlx error, as a failure with a one-line detail.
pub(super) fn classify(err: &sqlx::Error, shown: &str, timeout: Duration) -> InspectError {
    match err {
        sqlx::Error::Database(db) => {
            let code: i32 = db.code().and_then(|c| c.parse().ok()).unwrap_or(0);
            let message = db.message();
            match code & 0xff {
                SQLITE_NOTADB => error(
                    Failure::Other,
                    format!("{shown} is not a SQLite database ({message})"),
                ),
                SQLITE_CORRUPT => error(
                    Failure::Other,
                    format!("the SQLite database {shown} is damaged ({message})"),
                ),
                SQLITE_BUSY | SQLITE_LOCKED => error(
                    Failure::TimedOut,
                    format!(
                        "the SQLite database {shown} stayed locked by another connection for {} \
                         ({message})",
                        human(timeout)
                    ),
                ),
                SQLITE_CANTOPEN => error(
                    Failure::Other,
                    format!("cannot open the SQLite database {shown} ({message})"),
                ),
                SQLITE_READONLY => error(
                    Failure::Other,
                    format!(
                        "the SQLite database {shown} cannot be read without writing to it \
                         ({message}): a journal left by an interrupted writer must first be \
                         recovered by a read-write connection"
                    ),
                ),
                SQLITE_PERM | SQLITE_AUTH => error(
                    Failure::Other,
                    format!("access to the SQLite database {shown} was denied ({message})"),
                ),
                _ => error(
                    Failure::Other,
                    format!("the SQLite database {shown}: {message} (code {code})"),
                ),
            }
        }
        sqlx::Error::Configuration(err) => {
            error(Failure::InvalidUrl, format!("invalid SQLite URL: {err}"))
        }
        sqlx::Error::Io(err) => error(
            Failure::Other,
            format!("cannot open the SQLite database {shown}: {err}"),
        ),
        other => error(
            Failure::Other,
            format!("the SQLite database {shown}: {other}"),
        ),
    }
}

pub(super) fn error(failure: Failure, detail: impl AsRef<str>) -> InspectError {
    InspectError {
        failure,
        detail: mask_secrets(detail.as_ref()),
    }
}

pub(super) fn human(duration: Duration) -> String {
    if duration.as_millis() < 1000 || duration.subsec_millis() != 0 {
        format!("{} ms", duration.as_millis())
    } else {
        format!("{} s", duration.as_secs())
    }
}
