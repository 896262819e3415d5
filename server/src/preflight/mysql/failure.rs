//! Failures: sorting driver errors and timeouts into a [`Failure`] with a
//! one-line detail, and masking the URL's password (raw and
//! percent-decoded) in every message.

use std::io;
use std::time::Duration;

use blueprint_grammars::interpolate::mask_secrets;
use sqlx::mysql::MySqlDatabaseError;

use crate::preflight::catalog::{Failure, InspectError};

/// "no answer from 10.0.0.1:3306 within 3000 ms while connecting".
pub(super) fn timed_out(
    what: &str,
    doing: &str,
    limit: Duration,
    secrets: &Secrets,
) -> InspectError {
    InspectError {
        failure: Failure::TimedOut,
        detail: secrets.clean(&format!(
            "{what} within {} ms while {doing}",
            limit.as_millis()
        )),
    }
}

/// The URL's password, raw and percent-decoded, to scrub from messages in
/// addition to [`mask_secrets`] (a driver may quote a value without its
/// URL around it).
pub(super) struct Secrets(pub(super) Vec<String>);

impl Secrets {
    pub(super) fn of_url(url: &str) -> Self {
        let mut secrets = Vec::new();
        if let Some((_, rest)) = url.split_once("://") {
            let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
            if let Some(at) = authority.rfind('@') {
                if let Some((_, password)) = authority[..at].split_once(':') {
                    if !password.is_empty() {
                        secrets.push(password.to_owned());
                        let decoded = percent_decode(password);
                        if decoded != password {
                            secrets.push(decoded);
                        }
                    }
                }
            }
        }
        // Longest first, so that a decoded form containing the raw one is
        // masked whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        Secrets(secrets)
    }

    /// One line, secrets masked.
    pub(super) fn clean(&self, message: &str) -> String {
        let mut out = mask_secrets(message);
        for secret in &self.0 {
            out = out.replace(secret.as_str(), "***");
        }
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            if let Some(value) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(value);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Sorts a driver error into a [`Failure`] with a one-line, masked detail.
/// `target` (`host:port`) prefixes network failures when known.
pub(super) fn classify(error: &sqlx::Error, target: &str, secrets: &Secrets) -> InspectError {
    let at = |message: String| {
        if target.is_empty() {
            message
        } else {
            format!("{target}: {message}")
        }
    };
    let (failure, detail) = match error {
        // The URL parser's message (e.g. "invalid port number"), never the URL.
        sqlx::Error::Configuration(e) => (Failure::InvalidUrl, format!("invalid URL: {e}")),
        sqlx::Error::Io(e) => (io_failure(e), at(e.to_string())),
        sqlx::Error::Tls(e) => {
            let message = e.to_string();
            let detail = if message.contains("server does not support TLS") {
                "the URL requires TLS (ssl-mode) but the server does not offer it".to_owned()
            } else {
                format!("TLS handshake failed: {message}")
            };
            (Failure::TlsFailed, at(detail))
        }
        sqlx::Error::Database(e) => match e.try_downcast_ref::<MySqlDatabaseError>() {
            Some(e) => (
                server_failure(e.number(), e.message()),
                format!(
                    "server error {}{}: {}",
                    e.number(),
                    e.code().map(|c| format!(" ({c})")).unwrap_or_default(),
                    e.message()
                ),
            ),
            None => (Failure::Other, e.message().to_owned()),
        },
        other => (Failure::Other, other.to_string()),
    };
    InspectError {
        failure,
        detail: secrets.clean(&detail),
    }
}

fn io_failure(e: &io::Error) -> Failure {
    let message = e.to_string().to_ascii_lowercase();
    match e.kind() {
        io::ErrorKind::ConnectionRefused => Failure::Refused,
        io::ErrorKind::TimedOut => Failure::TimedOut,
        // getaddrinfo failures surface as uncategorised errors whose text
        // is the resolver's (glibc: "failed to lookup address information:
        // Name or service not known" / "... Temporary failure in name
        // resolution").
        _ if message.contains("failed to lookup address")
            || message.contains("name or service not known")
            || message.contains("no address associated")
            || message.contains("nodename nor servname")
            || message.contains("name resolution") =>
        {
            Failure::NameNotResolved
        }
        _ => Failure::Other,
    }
}

/// MySQL/MariaDB server error numbers.
fn server_failure(number: u16, message: &str) -> Failure {
    match number {
        // ER_ACCESS_DENIED_ERROR, ER_ACCESS_DENIED_NO_PASSWORD_ERROR,
        // ER_DBACCESS_DENIED_ERROR (authenticated, but no privilege on the
        // URL's database: the server will not say whether it exists),
        // account locked (MySQL 3118, MariaDB 4151), MariaDB's too many
        // password errors (4150), ER_NOT_SUPPORTED_AUTH_MODE.
        1045 | 1698 | 1044 | 3118 | 4151 | 4150 | 1251 => Failure::AuthenticationFailed,
        // ER_BAD_DB_ERROR
        1049 => Failure::DatabaseMissing,
        // ER_SECURE_TRANSPORT_REQUIRED (MySQL, require_secure_transport=ON)
        3159 => Failure::TlsRequired,
        // Statement time limit: MySQL ER_QUERY_TIMEOUT, MariaDB
        // ER_STATEMENT_TIMEOUT.
        3024 | 1969 => Failure::TimedOut,
        _ if message.to_ascii_lowercase().contains("insecure transport") => Failure::TlsRequired,
        _ => Failure::Other,
    }
}
