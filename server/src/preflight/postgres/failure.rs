//! Failures: sorting driver errors (I/O, TLS, SQLSTATE) into a [`Failure`]
//! with a one-line detail that names where we connected, with the URL's
//! secrets masked.

use std::fmt::Display;
use std::time::Duration;

use blueprint_grammars::interpolate::mask_secrets_of;
use sqlx::postgres::PgConnectOptions;

use crate::preflight::catalog::{Failure, InspectError};

/// The URL whose secrets must not appear in a detail: masked as
/// `mask_secrets_of` does (the password of the URL's authority and of
/// `password=`, as written and percent-decoded, wherever they occur).
pub(super) struct Secrets<'u>(&'u str);

impl<'u> Secrets<'u> {
    pub(super) fn of(url: &'u str) -> Self {
        Secrets(url)
    }

    /// `text` on one line, with every secret masked.
    pub(super) fn clean(&self, text: &str) -> String {
        mask_secrets_of(text, self.0)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub(super) fn error(&self, failure: Failure, detail: impl AsRef<str>) -> InspectError {
        InspectError {
            failure,
            detail: self.clean(detail.as_ref()),
        }
    }
}

/// Where we connect, for messages: `host:port` or the socket path.
pub(super) struct Target(String);

impl Target {
    pub(super) fn of(options: &PgConnectOptions) -> Self {
        Target(match options.get_socket() {
            Some(socket) => format!("socket {}", socket.display()),
            None if options.get_host().starts_with('/') => {
                format!("socket {}", options.get_host())
            }
            None => format!("{}:{}", options.get_host(), options.get_port()),
        })
    }

    /// The host name alone (for "does not resolve").
    fn host(&self) -> &str {
        self.0.rsplit_once(':').map_or(&self.0, |(h, _)| h)
    }
}

impl Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub(super) fn human(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

/// "invalid PostgreSQL URL: <what sqlx says>", without sqlx's repeated
/// "error with configuration: " prefixes.
pub(super) fn url_problem(err: &sqlx::Error) -> String {
    let mut message = err.to_string();
    while let Some(rest) = message.strip_prefix("error with configuration: ") {
        message = rest.to_owned();
    }
    format!("invalid PostgreSQL URL: {message}")
}

/// Sorts a driver error into a [`Failure`] with a one-line, secret-free
/// detail. `tls_handshake`: the error happened while connecting with TLS
/// negotiated (sqlx's rustls reports a failed handshake — untrusted
/// certificate, wrong name, fatal alert — as an I/O error of kind
/// `InvalidData` on the first write or read, not as `Error::Tls`).
pub(super) fn classify(
    err: &sqlx::Error,
    target: &Target,
    secrets: &Secrets,
    tls_handshake: bool,
) -> InspectError {
    use std::io::ErrorKind;
    let (failure, detail) = match err {
        sqlx::Error::Configuration(_) => (Failure::InvalidUrl, url_problem(err)),
        sqlx::Error::Io(e) => {
            let message = e.to_string();
            match e.kind() {
                ErrorKind::ConnectionRefused => (
                    Failure::Refused,
                    format!("connection refused by {target} (is PostgreSQL running and listening there?)"),
                ),
                ErrorKind::NotFound if target.0.starts_with("socket ") => (
                    Failure::Refused,
                    format!("no server at {target} ({message})"),
                ),
                ErrorKind::InvalidData if tls_handshake => (
                    Failure::TlsFailed,
                    if message.contains("certificate") {
                        format!(
                            "TLS handshake with {target} failed: {message} (give the CA with \
                             sslrootcert=..., or use sslmode=require to encrypt without verifying)"
                        )
                    } else {
                        format!("TLS handshake with {target} failed: {message}")
                    },
                ),
                ErrorKind::TimedOut => (
                    Failure::TimedOut,
                    format!("connecting to {target} timed out ({message})"),
                ),
                _ if is_resolution_failure(&message) => (
                    Failure::NameNotResolved,
                    format!("the host name {} does not resolve ({message})", target.host()),
                ),
                _ => (
                    Failure::Other,
                    format!("error communicating with {target}: {message}"),
                ),
            }
        }
        sqlx::Error::Tls(e) => {
            let message = e.to_string();
            if message.contains("does not support TLS") {
                (
                    Failure::TlsFailed,
                    format!("the URL requires TLS (sslmode) but {target} does not support it"),
                )
            } else {
                (
                    Failure::TlsFailed,
                    format!("TLS handshake with {target} failed: {message}"),
                )
            }
        }
        sqlx::Error::Database(db) => {
            let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
            let message = db.message();
            let failure = classify_sqlstate(&code, message);
            (failure, format!("{message} (SQLSTATE {code})"))
        }
        other => (Failure::Other, other.to_string()),
    };
    secrets.error(failure, detail)
}

/// `getaddrinfo` failures as std/tokio report them ("failed to lookup
/// address information: Name or service not known", "… Temporary failure
/// in name resolution", "… No address associated with hostname").
fn is_resolution_failure(message: &str) -> bool {
    message.contains("failed to lookup address")
        || message.contains("Name or service not known")
        || message.contains("name resolution")
        || message.contains("No address associated with hostname")
        || message.contains("nodename nor servname")
}

pub(super) fn classify_sqlstate(code: &str, message: &str) -> Failure {
    match code {
        // invalid_password
        "28P01" => Failure::AuthenticationFailed,
        // invalid_authorization_specification: a pg_hba.conf `hostssl`-only
        // rule refusing a plain connection says so ("no pg_hba.conf entry
        // for host …, no encryption" since 14, "SSL off" before); anything
        // else (unknown role, `reject` rule, failed peer/cert auth) is an
        // authentication failure.
        "28000"
            if message.contains("no pg_hba.conf entry")
                && (message.contains("no encryption") || message.contains("SSL off")) =>
        {
            Failure::TlsRequired
        }
        "28000" => Failure::AuthenticationFailed,
        // invalid_catalog_name
        "3D000" => Failure::DatabaseMissing,
        // query_canceled: our statement_timeout
        "57014" => Failure::TimedOut,
        _ => Failure::Other,
    }
}
