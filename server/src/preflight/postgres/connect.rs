//! Connecting: the URL checked and stripped of query parameters sqlx does
//! not know, then turned into driver options that make the session
//! read-only, give it a statement timeout and name the application.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::PgConnectOptions;

use super::failure::{url_problem, Secrets};
use super::APPLICATION_NAME;
use crate::preflight::catalog::{Failure, InspectError};

/// The options [`inspect`] connects with: `url` (unknown query parameters
/// dropped, see below) plus `default_transaction_read_only=on`,
/// `statement_timeout=<timeout in ms>` and an `application_name` of
/// [`APPLICATION_NAME`] unless the URL sets one. Public so that tests can
/// show that a session opened with them refuses to write.
///
/// Query parameters sqlx does not know are dropped before sqlx sees them:
/// it would ignore them anyway, but log their values (`?passwd=…`).
///
/// [`inspect`]: super::inspect
pub fn connect_options(url: &str, timeout: Duration) -> Result<PgConnectOptions, InspectError> {
    let secrets = Secrets::of(url);
    let lower = url.get(..13).unwrap_or(url).to_ascii_lowercase();
    if !(lower.starts_with("postgres://") || lower.starts_with("postgresql://")) {
        return Err(secrets.error(
            Failure::InvalidUrl,
            "not a PostgreSQL URL (expected postgres:// or postgresql://)",
        ));
    }
    let url = known_parameters_only(url);
    let options = PgConnectOptions::from_str(&url)
        .map_err(|err| secrets.error(Failure::InvalidUrl, url_problem(&err)))?;
    let options = if options.get_application_name().is_none() {
        options.application_name(APPLICATION_NAME)
    } else {
        options
    };
    let statement_timeout = timeout.as_millis().clamp(1, i32::MAX as u128);
    Ok(options.options([
        ("default_transaction_read_only", "on".to_owned()),
        ("statement_timeout", statement_timeout.to_string()),
    ]))
}

/// The query parameters sqlx-postgres 0.9 understands.
const KNOWN_PARAMETERS: &[&str] = &[
    "sslmode",
    "ssl-mode",
    "sslrootcert",
    "ssl-root-cert",
    "ssl-ca",
    "sslcert",
    "ssl-cert",
    "sslkey",
    "ssl-key",
    "statement-cache-capacity",
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "password",
    "application_name",
    "options",
];

pub(super) fn known_parameters_only(url: &str) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let (query, fragment) = match query.split_once('#') {
        Some((q, f)) => (q, Some(f)),
        None => (query, None),
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| {
            let key = percent_decode(pair.split('=').next().unwrap_or("")).replace('+', " ");
            KNOWN_PARAMETERS.contains(&key.as_str())
                || (key.starts_with("options[") && key.ends_with(']'))
        })
        .collect();
    let mut out = base.to_owned();
    if !kept.is_empty() {
        out.push('?');
        out.push_str(&kept.join("&"));
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

pub(super) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit()
        {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
