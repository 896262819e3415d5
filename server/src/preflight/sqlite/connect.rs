//! What a URL designates: an in-memory database, or a file path (as shown
//! in messages and made absolute) with the driver's options.

use std::path::PathBuf;
use std::str::FromStr;

use sqlx::sqlite::SqliteConnectOptions;

use super::failure::error;
use crate::preflight::catalog::{Failure, InspectError};

/// What a URL designates.
pub(super) enum Target {
    /// `sqlite::memory:` or `mode=memory`.
    Memory,
    File {
        /// The path as the URL spells it (percent-decoded), for messages.
        shown: String,
        /// The same path, absolute.
        path: PathBuf,
        options: Box<SqliteConnectOptions>,
    },
}

impl Target {
    pub(super) fn parse(url: &str) -> Result<Target, InspectError> {
        if !url.starts_with("sqlite:") {
            return Err(error(
                Failure::InvalidUrl,
                "not a SQLite URL (expected sqlite://path, sqlite:path or sqlite::memory:)",
            ));
        }
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|err| error(Failure::InvalidUrl, format!("invalid SQLite URL: {err}")))?;
        // The same split sqlx makes.
        let rest = url
            .trim_start_matches("sqlite://")
            .trim_start_matches("sqlite:");
        let (database, params) = rest.split_once('?').unwrap_or((rest, ""));
        let memory_mode = params
            .split('&')
            .any(|pair| pair.eq_ignore_ascii_case("mode=memory"));
        if database == ":memory:" || memory_mode {
            return Ok(Target::Memory);
        }
        let filename = options.get_filename();
        if filename.as_os_str().is_empty() {
            return Err(error(
                Failure::InvalidUrl,
                "the SQLite URL names no database file (expected sqlite://path)",
            ));
        }
        let shown = filename.display().to_string();
        let path = std::path::absolute(filename).map_err(|err| {
            error(
                Failure::InvalidUrl,
                format!("cannot make {shown} an absolute path: {err}"),
            )
        })?;
        Ok(Target::File {
            shown,
            path,
            options: Box::new(options),
        })
    }

    pub(super) fn shown(&self) -> String {
        match self {
            Target::Memory => "sqlite::memory:".to_owned(),
            Target::File { shown, .. } => shown.clone(),
        }
    }
}
