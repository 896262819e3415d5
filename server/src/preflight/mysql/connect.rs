//! Connecting: the URL turned into driver options, the setup batch that
//! makes the session read-only with a statement time limit, and telling
//! MariaDB from MySQL by the version string (and parsing that version).

use std::str::FromStr;
use std::time::Duration;

use sqlx::mysql::MySqlConnectOptions;

use super::failure::{classify, Secrets};
use crate::preflight::catalog::{Failure, InspectError};

/// Parses the URL into driver options, with the driver's post-connect
/// `SET` switched off (see the module documentation).
pub(super) fn options(url: &str, secrets: &Secrets) -> Result<MySqlConnectOptions, InspectError> {
    let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
    if !matches!(scheme.as_deref(), Some("mysql" | "mariadb")) {
        return Err(InspectError {
            failure: Failure::InvalidUrl,
            detail: "not a mysql:// or mariadb:// URL".to_owned(),
        });
    }
    let options = MySqlConnectOptions::from_str(url).map_err(|e| classify(&e, "", secrets))?;
    // `[::1]`: the URL keeps the brackets, the resolver wants them off.
    let host = options.get_host().to_owned();
    let options = if host.starts_with('[') && host.ends_with(']') {
        options.host(&host[1..host.len() - 1])
    } else {
        options
    };
    Ok(options
        .pipes_as_concat(false)
        .no_engine_substitution(false)
        .timezone(None)
        .set_names(false))
}

/// The statements that make the session read-only, give it a time limit
/// per statement and open the read-only transaction the catalogue query
/// runs in (one text-protocol batch). Public so that tests can show that a
/// session configured this way refuses writes.
pub fn session_setup(mariadb: bool, limit: Duration) -> String {
    // Numbers only: nothing from the URL or the blueprint goes into SQL text.
    let time_limit = if mariadb {
        // MariaDB: seconds, fractional; 0 would mean no limit.
        format!(
            "SET SESSION max_statement_time = {:.3}",
            limit.as_secs_f64().max(0.001)
        )
    } else {
        // MySQL: milliseconds, SELECT statements only; 0 means no limit.
        format!(
            "SET SESSION max_execution_time = {}",
            limit.as_millis().clamp(1, u128::from(u32::MAX))
        )
    };
    format!(
        "SET SESSION TRANSACTION READ ONLY; SET NAMES utf8mb4; {time_limit}; \
         START TRANSACTION READ ONLY"
    )
}

pub(super) fn is_mariadb(version: &str) -> bool {
    version.to_ascii_lowercase().contains("mariadb")
}

pub(super) fn product(version: &str) -> &'static str {
    if is_mariadb(version) {
        "MariaDB"
    } else {
        "MySQL"
    }
}

/// `10.11.6-MariaDB-0+deb12u1` → (10, 11, 6); `8.0.36` → (8, 0, 36);
/// MariaDB's replication prefix `5.5.5-` is skipped; missing parts are 0.
pub fn parse_version(version: &str) -> (u32, u32, u32) {
    let v = version.trim();
    let v = if is_mariadb(v) {
        v.strip_prefix("5.5.5-").unwrap_or(v)
    } else {
        v
    };
    let mut numbers = v
        .split(|c: char| !c.is_ascii_digit() && c != '.')
        .next()
        .unwrap_or("")
        .split('.')
        .map(|n| n.parse::<u32>().unwrap_or(0));
    (
        numbers.next().unwrap_or(0),
        numbers.next().unwrap_or(0),
        numbers.next().unwrap_or(0),
    )
}
