//! What an engine reports about a database: the facts the pre-flight
//! compares the blueprint against. Engine-neutral; each engine module fills
//! it from its own catalogue in one batched round trip.

use std::collections::BTreeMap;
use std::time::Duration;

/// Everything one inspection of one database found.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Catalog {
    pub server: ServerInfo,
    /// The schema (PostgreSQL), database (MySQL) or `main` (SQLite) in which
    /// unqualified table names are looked up.
    pub schema: String,
    /// The tables asked for that exist in `schema`, by exact name.
    pub tables: BTreeMap<String, Table>,
    /// Every other table name the connection can see, schema-qualified, for
    /// "did you mean" and "it exists in another schema" hints. Bounded by
    /// the engine (e.g. the first 1000).
    pub other_tables: Vec<QualifiedName>,
    /// Whether the connected user may create tables in `schema` (what
    /// `migrations: auto` needs).
    pub can_create: bool,
    /// Round-trip times of a few trivial queries (`SELECT 1`), in order.
    pub pings: Vec<Duration>,
}

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ServerInfo {
    /// "PostgreSQL", "MySQL", "MariaDB" or "SQLite".
    pub product: String,
    /// As the server reports it, e.g. "16.4" or "10.11.6-MariaDB".
    pub version: String,
    /// Major, minor, patch parsed from `version`.
    pub version_number: (u32, u32, u32),
    /// The server's connection limit, where it has one.
    pub max_connections: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct QualifiedName {
    pub schema: String,
    pub name: String,
}

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Table {
    pub name: String,
    /// In ordinal order.
    pub columns: Vec<Column>,
    /// What the connected user may do to this table.
    pub privileges: Privileges,
}

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Column {
    pub name: String,
    /// The engine's type name, lower-case, without length or precision
    /// (`character varying`, `integer`, `varchar`, `tinyint`, `text`...).
    pub data_type: String,
    /// For MySQL's `tinyint(1)` and similar: the full column type as the
    /// engine spells it (lower-case), when it says more than `data_type`.
    pub column_type: Option<String>,
    pub nullable: bool,
    /// A default, an identity/serial/auto-increment, or a generated column:
    /// an insert may leave it out.
    pub has_default: bool,
    pub primary_key: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Privileges {
    pub select: bool,
    pub insert: bool,
    pub update: bool,
    pub delete: bool,
}

/// Why a database could not be inspected.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Failure {
    /// Nothing listens at the address (connection refused).
    Refused,
    /// The host name does not resolve.
    NameNotResolved,
    /// The server rejected the user or password.
    AuthenticationFailed,
    /// The server has no database of that name.
    DatabaseMissing,
    /// The server requires TLS and the URL does not use it.
    TlsRequired,
    /// The URL requires TLS and the server does not offer it, or the
    /// handshake failed (the detail says which).
    TlsFailed,
    /// No answer within the timeout (the address black-holes packets, or
    /// the server hangs).
    TimedOut,
    /// SQLite: the database file does not exist (the pre-flight never
    /// creates one).
    FileMissing,
    /// The URL cannot be used (malformed, unsupported option).
    InvalidUrl,
    /// Anything else; the detail is the engine's message with any secret
    /// masked.
    Other,
}

/// A failed inspection: the kind and a one-line detail, already free of
/// secrets.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InspectError {
    pub failure: Failure,
    pub detail: String,
}

/// What to inspect. Its `Debug` masks the URL's password, so a probe in a
/// log line or a panic message leaks nothing.
#[derive(Clone)]
pub struct Probe {
    /// The connection URL with `${VAR}`s resolved. Holds secrets: never
    /// print it; use `blueprint_grammars::interpolate::mask_secrets`.
    pub url: String,
    /// Unqualified table names the blueprint's stores use.
    pub tables: Vec<String>,
    /// Bound on connecting and on each statement.
    pub timeout: Duration,
    /// How many `SELECT 1` round trips to time.
    pub pings: usize,
}

impl std::fmt::Debug for Probe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Probe")
            .field(
                "url",
                &blueprint_grammars::interpolate::mask_secrets(&self.url),
            )
            .field("tables", &self.tables)
            .field("timeout", &self.timeout)
            .field("pings", &self.pings)
            .finish()
    }
}
