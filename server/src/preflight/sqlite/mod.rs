//! SQLite engine of the pre-flight: check the file, open it read-only, one
//! batched catalogue query, a few pings.
//!
//! # URLs
//!
//! `sqlite://path`, `sqlite:path` and `sqlite:///abs/path` (and sqlx's query
//! parameters: `mode`, `cache`, `vfs`, `immutable`). A relative path is
//! relative to the **process's current directory**: the caller (the
//! pre-flight runner) resolves it against the blueprint's directory before
//! calling [`inspect`], which is what users mean. The path is made absolute
//! (against the current directory, without touching the file system) before
//! SQLite sees it, so that a file literally named `file:x.db` is not taken
//! for an SQLite URI.
//!
//! `sqlite::memory:` (or `mode=memory`) is not rejected: an in-memory
//! database is created empty by the process that opens it, so its catalogue
//! is truthfully empty. [`inspect`] reports every table missing (nothing is
//! opened on disk), `can_create` true, and the library's version and pings;
//! the comparison then says "does not exist yet; `migrations: auto` will
//! create it" under `migrations: auto`, and that the table is missing
//! otherwise — which is exactly what the running system will find.
//!
//! # Read-only by construction
//!
//! - The file must exist: its existence is checked first
//!   ([`Failure::FileMissing`]), and it is then opened with
//!   `SQLITE_OPEN_READONLY` (`read_only(true)`) and never
//!   `SQLITE_OPEN_CREATE` (`create_if_missing(false)`), whatever `mode`
//!   the URL asks for. A file deleted between the check and the open is an
//!   error, never a new file.
//! - `immutable` is always off, even if the URL asks for it: it would make
//!   SQLite ignore locks and the WAL, hiding other writers' commits.
//! - `PRAGMA optimize` on close is off; the only statements are the
//!   catalogue query and `SELECT 1`s (sqlx also sends its connect-time
//!   `PRAGMA foreign_keys = ON`, a per-connection setting).
//! - The busy timeout is `probe.timeout`, and the whole inspection is
//!   bounded by `probe.timeout` ([`Failure::TimedOut`]), so a writer holding
//!   an exclusive lock yields one diagnostic in time.
//!
//! The database file's bytes and modification time are never changed, and
//! for a database in rollback-journal mode (SQLite's default) no file is
//! created. **One exception that SQLite imposes:** reading a database in
//! WAL mode whose `-wal` file is absent (no connection has it open) makes
//! SQLite create an empty `-wal` and a `-shm` next to it when the directory
//! is writable, and a read-only connection cannot remove them on close.
//! This is what every reader does (`sqlite3 -readonly` included), and the
//! next writer uses and removes them; the only way around it is
//! `immutable=1`, which is ruled out above. When `-wal`/`-shm` already exist
//! (a writer is running), nothing new is created.
//!
//! # Cost
//!
//! One connection (a file open), one catalogue query whatever the number of
//! tables (the names go as one JSON array parameter, the answer comes back
//! as one JSON document built by SQLite, including `sqlite_version()`), then
//! `probe.pings` × `SELECT 1`.
//!
//! # Table and column facts
//!
//! Only objects of type `table` in schema `main` count (not views), looked
//! up case-insensitively as SQLite does (`Tasks` finds `tasks`):
//! [`Catalog::tables`] is keyed by the name asked for, and
//! [`Table::name`] is the name as the catalogue spells it. Column names are
//! reported as declared; SQLite matches them case-insensitively too.
//!
//! - `data_type`: the declared type, lower-case, without length or
//!   precision (`varchar(200)` → `varchar`, with `column_type`
//!   `varchar(200)`); a column declared without a type has `""` (BLOB
//!   affinity). SQLite keeps the declared name; its affinity rules
//!   (`types.rs`) decide what it can hold.
//! - `nullable`: the catalogue's `notnull = 0`, except for a rowid alias
//!   (`INTEGER PRIMARY KEY` in a rowid table), which can never hold NULL.
//!   Note that SQLite lets a PRIMARY KEY column of a rowid table hold NULL
//!   unless it is declared NOT NULL (a historical quirk); such a column is
//!   reported nullable, as it is. In a `WITHOUT ROWID` table the catalogue
//!   reports primary key columns NOT NULL, as SQLite enforces.
//! - `has_default`: a `DEFAULT`, a rowid alias (assigned automatically),
//!   or a generated column (`pragma_table_xinfo` hidden 2 or 3).
//! - `primary_key`: `pk > 0` (every column of a composite key).
//! - Hidden columns of virtual tables are left out.
//!
//! # Privileges
//!
//! SQLite has no grants: what the process may do follows from the file
//! system, checked with `access(2)` (no file is opened for it: opening and
//! closing a database file would release the POSIX locks other SQLite
//! connections of this process hold on it).
//!
//! - `select`: the file is readable (it was, or the catalogue could not
//!   have been read).
//! - `insert`, `update`, `delete`, and [`Catalog::can_create`]: the file is
//!   writable, and so is its directory (SQLite creates the `-journal` or
//!   `-wal`/`-shm` files there), unless the `-wal` and `-shm` files already
//!   exist and are writable. A read-only file system counts as not
//!   writable.
//!
//! `access(2)` answers for the real user, and for root everything is
//! writable whatever the mode bits (a 0444 file included): the pre-flight
//! reports what *this* process could do. The running system may run as
//! another user.
//!
//! [`Table::name`]: super::catalog::Table::name

mod catalogue;
mod connect;
mod failure;
mod files;
#[cfg(test)]
mod tests;

use std::time::Instant;

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};

use super::catalog::{Catalog, Failure, InspectError, Probe};
use catalogue::parse_catalogue;
use connect::Target;
use failure::{classify, error, human};
use files::examine;

pub use catalogue::{declared_type, CATALOGUE_SQL};

/// At most this many entries in [`Catalog::other_tables`].
pub const OTHER_TABLES_LIMIT: u32 = 1000;

/// Inspects the SQLite database `probe.url` names: checks that the file
/// exists and is a readable regular file, opens it read-only (never
/// creating it), reads the catalogue for `probe.tables` in one query, then
/// times `probe.pings` `SELECT 1`s, all within `probe.timeout`. See the
/// module documentation.
pub async fn inspect(probe: &Probe) -> Result<Catalog, InspectError> {
    let target = Target::parse(&probe.url)?;
    let shown = target.shown();
    match tokio::time::timeout(probe.timeout, inspect_target(probe, target)).await {
        Ok(result) => result,
        Err(_elapsed) => Err(error(
            Failure::TimedOut,
            format!(
                "no answer from the SQLite database {shown} within {} (another connection may \
                 hold a lock on it)",
                human(probe.timeout)
            ),
        )),
    }
}

async fn inspect_target(probe: &Probe, target: Target) -> Result<Catalog, InspectError> {
    let (options, shown, writable) = match target {
        Target::Memory => {
            // A private in-memory database: nothing on disk, always empty,
            // always writable by its process.
            (
                SqliteConnectOptions::new(),
                "sqlite::memory:".to_owned(),
                true,
            )
        }
        Target::File {
            shown,
            path,
            options,
        } => {
            let facts = {
                let (path, shown) = (path.clone(), shown.clone());
                tokio::task::spawn_blocking(move || examine(&path, &shown))
            }
            .await
            .map_err(|err| error(Failure::Other, format!("cannot examine {shown}: {err}")))??;
            let options = (*options)
                .filename(&path)
                .read_only(true)
                .create_if_missing(false)
                .immutable(false);
            (options, shown, facts.writable)
        }
    };
    let options = options
        .busy_timeout(probe.timeout)
        .optimize_on_close(false, None)
        .disable_statement_logging();

    let mut conn = options
        .connect()
        .await
        .map_err(|err| classify(&err, &shown, probe.timeout))?;
    let result = read(&mut conn, probe, &shown, writable).await;
    // Wait for the connection to be closed, so that the file is released
    // when `inspect` returns.
    let _ = conn.close().await;
    result
}

/// The catalogue query and the pings, on an open connection.
async fn read(
    conn: &mut SqliteConnection,
    probe: &Probe,
    shown: &str,
    writable: bool,
) -> Result<Catalog, InspectError> {
    let names = serde_json::to_string(&probe.tables).unwrap_or_else(|_| "[]".to_owned());
    let json: String = sqlx::query_scalar(CATALOGUE_SQL)
        .bind(names)
        .fetch_one(&mut *conn)
        .await
        .map_err(|err| classify(&err, shown, probe.timeout))?;
    let mut catalog = parse_catalogue(&json, writable).map_err(|err| {
        error(
            Failure::Other,
            format!("unexpected catalogue answer from {shown}: {err}"),
        )
    })?;
    for _ in 0..probe.pings {
        let start = Instant::now();
        sqlx::query_scalar::<_, i64>("SELECT 1")
            .fetch_one(&mut *conn)
            .await
            .map_err(|err| classify(&err, shown, probe.timeout))?;
        catalog.pings.push(start.elapsed());
    }
    Ok(catalog)
}
