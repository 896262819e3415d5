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

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, Instant};

use blueprint_grammars::interpolate::mask_secrets;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};

use super::catalog::{
    Catalog, Column, Failure, InspectError, Privileges, Probe, QualifiedName, ServerInfo, Table,
};

/// At most this many entries in [`Catalog::other_tables`].
pub const OTHER_TABLES_LIMIT: u32 = 1000;

/// The catalogue query: one row, one JSON document with the library's
/// version, every requested table that exists in `main` (matched
/// case-insensitively) with its columns, and up to
/// [`OTHER_TABLES_LIMIT`] other table names. `?1` is a JSON array of the
/// requested names.
///
/// A column is `[cid, name, declared type, notnull, has default, pk,
/// hidden]`. `pk_index` says whether the table has an index made for its
/// primary key: a rowid table whose only key column is declared `INTEGER`
/// has none exactly when that column is the rowid alias (which rules out
/// `INTEGER PRIMARY KEY DESC` and `WITHOUT ROWID` tables, which have one).
pub const CATALOGUE_SQL: &str = r#"
SELECT json_object(
  'version', sqlite_version(),
  'tables', json((
    SELECT json_group_array(json_object(
      'asked', w.value,
      'name', s.name,
      'pk_index', EXISTS (
        SELECT 1 FROM pragma_index_list(s.name, 'main') AS i WHERE i.origin = 'pk'
      ),
      'columns', json((
        SELECT json_group_array(json_array(
          c.cid, c.name, c.type, c."notnull", c.dflt_value IS NOT NULL, c.pk, c.hidden
        ))
        FROM pragma_table_xinfo(s.name, 'main') AS c
        WHERE c.hidden <> 1
      ))
    ))
    FROM json_each(?1) AS w
    JOIN main.sqlite_master AS s
      ON s.type = 'table' AND s.name = w.value COLLATE NOCASE
    WHERE w.type = 'text'
  )),
  'others', json((
    SELECT json_group_array(o.name) FROM (
      SELECT s.name FROM main.sqlite_master AS s
      WHERE s.type = 'table'
        AND s.name NOT LIKE 'sqlite\_%' ESCAPE '\'
        AND NOT EXISTS (
          SELECT 1 FROM json_each(?1) AS w
          WHERE w.type = 'text' AND w.value = s.name COLLATE NOCASE
        )
      ORDER BY s.name
      LIMIT 1000
    ) AS o
  ))
)
"#;

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

/// What a URL designates.
enum Target {
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
    fn parse(url: &str) -> Result<Target, InspectError> {
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

    fn shown(&self) -> String {
        match self {
            Target::Memory => "sqlite::memory:".to_owned(),
            Target::File { shown, .. } => shown.clone(),
        }
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

#[derive(serde::Deserialize)]
struct RawCatalogue {
    version: String,
    tables: Vec<RawTable>,
    others: Vec<String>,
}

#[derive(serde::Deserialize)]
struct RawTable {
    asked: String,
    name: String,
    pk_index: i64,
    columns: Vec<RawColumn>,
}

/// `[cid, name, declared type, notnull, has default, pk, hidden]`.
#[derive(serde::Deserialize)]
struct RawColumn(i64, String, Option<String>, i64, i64, i64, i64);

fn parse_catalogue(json: &str, writable: bool) -> Result<Catalog, serde_json::Error> {
    let raw: RawCatalogue = serde_json::from_str(json)?;
    let privileges = Privileges {
        select: true,
        insert: writable,
        update: writable,
        delete: writable,
    };
    let tables = raw
        .tables
        .into_iter()
        .map(|table| (table.asked.clone(), build_table(table, privileges)))
        .collect();
    Ok(Catalog {
        server: ServerInfo {
            product: "SQLite".to_owned(),
            version_number: version_number(&raw.version),
            version: raw.version,
            max_connections: None,
        },
        schema: "main".to_owned(),
        tables,
        other_tables: raw
            .others
            .into_iter()
            .map(|name| QualifiedName {
                schema: "main".to_owned(),
                name,
            })
            .collect(),
        can_create: writable,
        pings: Vec::new(),
    })
}

fn build_table(raw: RawTable, privileges: Privileges) -> Table {
    let mut columns = raw.columns;
    columns.sort_by_key(|c| c.0);
    let key_columns: Vec<&RawColumn> = columns.iter().filter(|c| c.5 > 0).collect();
    let rowid_alias = match key_columns.as_slice() {
        [only] if raw.pk_index == 0 => only
            .2
            .as_deref()
            .is_some_and(|ty| ty.trim().eq_ignore_ascii_case("integer"))
            .then_some(only.0),
        _ => None,
    };
    let columns = columns
        .iter()
        .map(
            |RawColumn(cid, name, declared, notnull, has_default, pk, hidden)| {
                let is_alias = rowid_alias == Some(*cid);
                let (data_type, column_type) = declared_type(declared.as_deref().unwrap_or(""));
                Column {
                    name: name.clone(),
                    data_type,
                    column_type,
                    nullable: *notnull == 0 && !is_alias,
                    has_default: *has_default != 0 || is_alias || matches!(hidden, 2 | 3),
                    primary_key: *pk > 0,
                }
            },
        )
        .collect();
    Table {
        name: raw.name,
        columns,
        privileges,
    }
}

/// The declared type lower-case, whitespace collapsed, and without its
/// length or precision; plus the full declared type when it says more.
pub fn declared_type(declared: &str) -> (String, Option<String>) {
    let full = declared
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let base = full.split('(').next().unwrap_or("").trim_end().to_owned();
    let column_type = (full != base).then_some(full);
    (base, column_type)
}

/// `"3.45.1"` → `(3, 45, 1)`; missing or non-numeric parts are 0.
fn version_number(version: &str) -> (u32, u32, u32) {
    let mut parts = version.split('.').map(|part| {
        part.chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap_or(0)
    });
    let mut next = || parts.next().unwrap_or(0);
    (next(), next(), next())
}

/// What the file system says about an existing database file.
struct FileFacts {
    /// The process could write the database (file and journal).
    writable: bool,
}

/// Checks that `path` is an existing, readable regular file, without
/// opening it; and whether it is writable.
fn examine(path: &Path, shown: &str) -> Result<FileFacts, InspectError> {
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
fn classify(err: &sqlx::Error, shown: &str, timeout: Duration) -> InspectError {
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

fn error(failure: Failure, detail: impl AsRef<str>) -> InspectError {
    InspectError {
        failure,
        detail: mask_secrets(detail.as_ref()),
    }
}

fn human(duration: Duration) -> String {
    if duration.as_millis() < 1000 || duration.subsec_millis() != 0 {
        format!("{} ms", duration.as_millis())
    } else {
        format!("{} s", duration.as_secs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_types_lose_length_but_keep_it_in_column_type() {
        assert_eq!(declared_type("TEXT"), ("text".to_owned(), None));
        assert_eq!(
            declared_type("VARCHAR(200)"),
            ("varchar".to_owned(), Some("varchar(200)".to_owned()))
        );
        assert_eq!(
            declared_type("  Numeric ( 10, 2 ) "),
            ("numeric".to_owned(), Some("numeric ( 10, 2 )".to_owned()))
        );
        assert_eq!(
            declared_type("unsigned   BIG int"),
            ("unsigned big int".to_owned(), None)
        );
        assert_eq!(declared_type(""), (String::new(), None));
    }

    #[test]
    fn the_query_keeps_to_the_other_tables_limit() {
        assert!(CATALOGUE_SQL.contains(&format!("LIMIT {OTHER_TABLES_LIMIT}\n")));
    }

    #[test]
    fn versions_parse() {
        assert_eq!(version_number("3.51.3"), (3, 51, 3));
        assert_eq!(version_number("3.8"), (3, 8, 0));
        assert_eq!(version_number("x"), (0, 0, 0));
    }

    #[test]
    fn urls_parse() {
        assert!(matches!(
            Target::parse("sqlite::memory:"),
            Ok(Target::Memory)
        ));
        assert!(matches!(
            Target::parse("sqlite://x.db?mode=memory"),
            Ok(Target::Memory)
        ));
        for (url, shown) in [
            ("sqlite://tasks.db", "tasks.db"),
            ("sqlite:tasks.db", "tasks.db"),
            ("sqlite:///abs/tasks.db", "/abs/tasks.db"),
            (
                "sqlite://./dir/my%20db.sqlite?mode=rwc",
                "./dir/my db.sqlite",
            ),
        ] {
            match Target::parse(url) {
                Ok(Target::File {
                    shown: got, path, ..
                }) => {
                    assert_eq!(got, shown, "{url}");
                    assert!(path.is_absolute(), "{url}");
                }
                _ => panic!("{url} should be a file URL"),
            }
        }
        let err = Target::parse("postgres://u:pw@h/db").err().unwrap();
        assert_eq!(err.failure, Failure::InvalidUrl);
        let err = Target::parse("sqlite://").err().unwrap();
        assert_eq!(err.failure, Failure::InvalidUrl);
        let err = Target::parse("sqlite://x.db?password=hunter2")
            .err()
            .unwrap();
        assert_eq!(err.failure, Failure::InvalidUrl);
        assert!(!err.detail.contains("hunter2"), "{}", err.detail);
    }
}
