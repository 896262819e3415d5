//! The SQLite engine of the pre-flight against real database files in
//! temporary directories. These never skip: SQLite is bundled.
//!
//! Tests run in parallel in one process, so none changes the current
//! directory; URLs are built from absolute temporary paths, and the
//! relative-path case uses a path relative to the current directory as it
//! is.
//!
//! Read-only proofs compare a directory's files (names, sizes, modification
//! times and, when no SQLite connection of this process has the file open,
//! bytes) before and after an inspection. Reading a database file with
//! `std::fs` while a SQLite connection of this process has it open would
//! release that connection's POSIX locks on close, so the live-writer test
//! compares metadata only.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use blueprint_server::preflight::catalog::{
    Catalog, Column, Failure, InspectError, Privileges, Probe, QualifiedName, Table,
};
use blueprint_server::preflight::sqlite::inspect;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteJournalMode};
use sqlx::{ConnectOptions, Connection};

const SCHEMA: &[&str] = &[
    "CREATE TABLE tasks (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL,
        status VARCHAR(20) NOT NULL DEFAULT 'open',
        notes text,
        created_at TEXT DEFAULT CURRENT_TIMESTAMP,
        slug TEXT GENERATED ALWAYS AS (lower(title)) VIRTUAL,
        title_len INTEGER GENERATED ALWAYS AS (length(title)) STORED,
        payload
    )",
    "CREATE INDEX tasks_title ON tasks (title)",
    // A composite key in a WITHOUT ROWID table: SQLite enforces NOT NULL
    // on its columns.
    "CREATE TABLE task_tags (
        task_id INTEGER,
        tag TEXT,
        weight NUMERIC(10, 2),
        PRIMARY KEY (task_id, tag)
    ) WITHOUT ROWID",
    // A TEXT primary key of a rowid table may hold NULL (SQLite's quirk).
    "CREATE TABLE users (email TEXT PRIMARY KEY, name TEXT)",
    // INTEGER PRIMARY KEY DESC is not a rowid alias (another quirk).
    "CREATE TABLE events (id INTEGER PRIMARY KEY DESC, kind TEXT NOT NULL)",
    // AUTOINCREMENT creates the internal sqlite_sequence table.
    "CREATE TABLE counters (id INTEGER PRIMARY KEY AUTOINCREMENT, n INTEGER NOT NULL DEFAULT 0)",
    // A near name, for "did you mean".
    "CREATE TABLE task (id INTEGER PRIMARY KEY)",
    "CREATE VIEW open_tasks AS SELECT * FROM tasks WHERE status = 'open'",
    "INSERT INTO tasks (title) VALUES ('Write the pre-flight'), ('Test it')",
];

/// Creates `path` with `statements`, through an ordinary read-write
/// connection that is closed before returning.
async fn create(path: &Path, statements: &[&str]) {
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .connect()
        .await
        .unwrap();
    for statement in statements {
        sqlx::raw_sql(sqlx::AssertSqlSafe(statement.to_string()))
            .execute(&mut conn)
            .await
            .unwrap();
    }
    conn.close().await.unwrap();
}

fn url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

fn probe(url: String, tables: &[&str]) -> Probe {
    Probe {
        url,
        tables: tables.iter().map(|t| t.to_string()).collect(),
        timeout: Duration::from_secs(3),
        pings: 0,
    }
}

async fn ok(probe: &Probe) -> Catalog {
    match inspect(probe).await {
        Ok(catalog) => catalog,
        Err(err) => panic!("inspect failed: {err:?}"),
    }
}

async fn err(probe: &Probe) -> InspectError {
    match inspect(probe).await {
        Ok(catalog) => panic!("inspect should fail, got {catalog:?}"),
        Err(err) => err,
    }
}

fn col(
    name: &str,
    data_type: &str,
    column_type: Option<&str>,
    nullable: bool,
    has_default: bool,
    primary_key: bool,
) -> Column {
    Column {
        name: name.into(),
        data_type: data_type.into(),
        column_type: column_type.map(str::to_owned),
        nullable,
        has_default,
        primary_key,
    }
}

const ALL: Privileges = Privileges {
    select: true,
    insert: true,
    update: true,
    delete: true,
};

async fn fixture() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tasks.db");
    create(&db, SCHEMA).await;
    (dir, db)
}

#[tokio::test]
async fn reports_columns_types_nullability_defaults_and_keys() {
    let (_dir, db) = fixture().await;
    let catalog = ok(&probe(url(&db), &["tasks", "task_tags", "users", "events"])).await;

    assert_eq!(catalog.server.product, "SQLite");
    assert!(
        catalog.server.version.starts_with("3."),
        "{:?}",
        catalog.server
    );
    assert!(catalog.server.version_number >= (3, 35, 0));
    assert_eq!(catalog.server.max_connections, None);
    assert_eq!(catalog.schema, "main");
    assert!(catalog.pings.is_empty());
    // This process may write the file and its directory (a temporary one).
    assert!(catalog.can_create);

    let table = |name: &str, columns: Vec<Column>| {
        (
            name.to_owned(),
            Table {
                name: name.to_owned(),
                columns,
                privileges: ALL,
            },
        )
    };
    let expected: BTreeMap<String, Table> = [
        table(
            "tasks",
            vec![
                // The rowid alias: never NULL, assigned when left out.
                col("id", "integer", None, false, true, true),
                col("title", "text", None, false, false, false),
                col("status", "varchar", Some("varchar(20)"), false, true, false),
                col("notes", "text", None, true, false, false),
                col("created_at", "text", None, true, true, false),
                // Generated columns, virtual and stored: never inserted.
                col("slug", "text", None, true, true, false),
                col("title_len", "integer", None, true, true, false),
                // No declared type (BLOB affinity).
                col("payload", "", None, true, false, false),
            ],
        ),
        table(
            "task_tags",
            vec![
                col("task_id", "integer", None, false, false, true),
                col("tag", "text", None, false, false, true),
                col(
                    "weight",
                    "numeric",
                    Some("numeric(10, 2)"),
                    true,
                    false,
                    false,
                ),
            ],
        ),
        table(
            "users",
            vec![
                // The catalogue's truth: a TEXT primary key may be NULL.
                col("email", "text", None, true, false, true),
                col("name", "text", None, true, false, false),
            ],
        ),
        table(
            "events",
            vec![
                // Not a rowid alias: no automatic value, and nullable.
                col("id", "integer", None, true, false, true),
                col("kind", "text", None, false, false, false),
            ],
        ),
    ]
    .into_iter()
    .collect();
    assert_eq!(catalog.tables, expected);

    // The others, sorted, without internal tables (sqlite_sequence) or
    // views.
    let others: Vec<&str> = catalog
        .other_tables
        .iter()
        .map(|q| {
            assert_eq!(q.schema, "main");
            q.name.as_str()
        })
        .collect();
    assert_eq!(others, ["counters", "task"]);
}

#[tokio::test]
async fn a_missing_table_is_absent_and_near_names_are_listed() {
    let (_dir, db) = fixture().await;
    let catalog = ok(&probe(url(&db), &["taks", "tasks"])).await;
    assert!(!catalog.tables.contains_key("taks"));
    assert!(catalog.tables.contains_key("tasks"));
    let main = |name: &str| QualifiedName {
        schema: "main".into(),
        name: name.into(),
    };
    assert_eq!(
        catalog.other_tables,
        vec![
            main("counters"),
            main("events"),
            main("task"),
            main("task_tags"),
            main("users")
        ]
    );

    // Nothing asked: every table is an "other" one.
    let catalog = ok(&probe(url(&db), &[])).await;
    assert!(catalog.tables.is_empty());
    assert_eq!(catalog.other_tables.len(), 6);
    assert!(catalog.other_tables.contains(&main("tasks")));
}

#[tokio::test]
async fn table_names_match_case_insensitively_as_in_sqlite() {
    let (_dir, db) = fixture().await;
    let catalog = ok(&probe(url(&db), &["Tasks"])).await;
    // Keyed by the name asked for; named as the catalogue spells it.
    let table = &catalog.tables["Tasks"];
    assert_eq!(table.name, "tasks");
    assert_eq!(table.columns.len(), 8);
    assert!(!catalog.other_tables.iter().any(|q| q.name == "tasks"));
}

#[tokio::test]
async fn a_missing_file_is_reported_and_never_created() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("tasks.db");
    // Even when the URL asks SQLite to create it.
    for url in [url(&missing), format!("{}?mode=rwc", url(&missing))] {
        let err = err(&probe(url, &["tasks"])).await;
        assert_eq!(err.failure, Failure::FileMissing);
        assert_eq!(
            err.detail,
            format!(
                "no database file at {}; the pre-flight never creates one",
                missing.display()
            )
        );
    }
    assert!(!missing.exists());
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing created"
    );

    // A missing directory too.
    let deeper = dir.path().join("no/such/dir/tasks.db");
    let err = err(&probe(url(&deeper), &["tasks"])).await;
    assert_eq!(err.failure, Failure::FileMissing);
    assert!(!dir.path().join("no").exists());
}

#[tokio::test]
async fn a_file_that_is_not_a_database_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.db");
    let content = "This is a text file, not a SQLite database.\n".repeat(20);
    fs::write(&text, &content).unwrap();
    let err = err(&probe(url(&text), &["tasks"])).await;
    assert_eq!(err.failure, Failure::Other);
    assert_eq!(
        err.detail,
        format!(
            "{} is not a SQLite database (file is not a database)",
            text.display()
        )
    );
    assert_eq!(fs::read_to_string(&text).unwrap(), content);
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[tokio::test]
async fn a_directory_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let err = err(&probe(url(dir.path()), &["tasks"])).await;
    assert_eq!(err.failure, Failure::Other);
    assert_eq!(
        err.detail,
        format!(
            "{} is a directory, not a SQLite database file",
            dir.path().display()
        )
    );
}

#[tokio::test]
async fn an_empty_file_is_an_empty_database() {
    // SQLite treats a zero-length file as a database with no tables.
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.db");
    fs::write(&empty, b"").unwrap();
    let catalog = ok(&probe(url(&empty), &["tasks"])).await;
    assert!(catalog.tables.is_empty());
    assert!(catalog.other_tables.is_empty());
    assert_eq!(fs::metadata(&empty).unwrap().len(), 0);
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}

/// Every file of `dir`: name → (length, modification time, bytes if asked).
fn snapshot(dir: &Path, bytes: bool) -> BTreeMap<String, (u64, SystemTime, Option<Vec<u8>>)> {
    fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            let meta = entry.metadata().unwrap();
            let content = bytes.then(|| fs::read(entry.path()).unwrap());
            (
                entry.file_name().to_string_lossy().into_owned(),
                (meta.len(), meta.modified().unwrap(), content),
            )
        })
        .collect()
}

#[tokio::test]
async fn inspection_changes_no_byte_and_leaves_no_file() {
    let (dir, db) = fixture().await;
    let before = snapshot(dir.path(), true);
    assert_eq!(before.keys().collect::<Vec<_>>(), ["tasks.db"]);
    let mut probe = probe(url(&db), &["tasks", "task_tags", "nope"]);
    probe.pings = 3;
    ok(&probe).await;
    // And one that fails (a table name that is not there changes nothing
    // either; nor does asking for nothing).
    ok(&Probe {
        tables: vec![],
        ..probe.clone()
    })
    .await;
    assert_eq!(snapshot(dir.path(), true), before);
}

async fn wal_fixture() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("wal.db");
    let mut conn = SqliteConnectOptions::new()
        .filename(&db)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .connect()
        .await
        .unwrap();
    sqlx::raw_sql("CREATE TABLE tasks (id INTEGER PRIMARY KEY, title TEXT NOT NULL)")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    (dir, db)
}

async fn writer(db: &Path) -> SqliteConnection {
    SqliteConnectOptions::new()
        .filename(db)
        .pragma("wal_autocheckpoint", "0")
        .connect()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_wal_database_with_a_live_writer_gets_no_new_file_and_its_commits_are_seen() {
    let (dir, db) = wal_fixture().await;
    let mut writer = writer(&db).await;
    // A commit that stays in the -wal file (no checkpoint): the pre-flight
    // must see it, which `immutable` would not.
    sqlx::raw_sql("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        .execute(&mut writer)
        .await
        .unwrap();
    let before = snapshot(dir.path(), false);
    assert!(before.contains_key("wal.db-wal") && before.contains_key("wal.db-shm"));

    let catalog = ok(&probe(url(&db), &["tasks", "notes"])).await;
    assert!(catalog.tables.contains_key("tasks"));
    assert!(
        catalog.tables.contains_key("notes"),
        "commits in the WAL are seen"
    );

    // Metadata only: see the module documentation.
    let after = snapshot(dir.path(), false);
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>()
    );
    assert_eq!(after["wal.db"], before["wal.db"]);
    assert_eq!(after["wal.db-wal"], before["wal.db-wal"]);
    writer.close().await.unwrap();
}

#[tokio::test]
async fn a_wal_database_without_connections_is_read_without_changing_it() {
    // With no -wal file present, SQLite itself creates an empty -wal and a
    // -shm for any reader when the directory is writable, and a read-only
    // connection cannot remove them (only `immutable=1` avoids this, and it
    // would hide other writers). The database file itself is untouched.
    let (dir, db) = wal_fixture().await;
    let before = snapshot(dir.path(), true);
    assert_eq!(before.keys().collect::<Vec<_>>(), ["wal.db"]);
    let catalog = ok(&probe(url(&db), &["tasks"])).await;
    assert!(catalog.tables.contains_key("tasks"));
    let after = snapshot(dir.path(), true);
    assert_eq!(after["wal.db"], before["wal.db"]);
    // What SQLite does today (if this changes, update the documentation of
    // the engine module).
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        ["wal.db", "wal.db-shm", "wal.db-wal"]
    );
    assert_eq!(after["wal.db-wal"].0, 0, "an empty WAL");
    // A writer then uses and removes them as usual.
    let mut writer = writer(&db).await;
    sqlx::raw_sql("INSERT INTO tasks (title) VALUES ('x')")
        .execute(&mut writer)
        .await
        .unwrap();
    writer.close().await.unwrap();
    assert_eq!(
        snapshot(dir.path(), false).keys().collect::<Vec<_>>(),
        ["wal.db"]
    );
}

#[tokio::test]
async fn an_in_memory_database_is_empty() {
    for url in [
        "sqlite::memory:",
        "sqlite://:memory:",
        "sqlite://x.db?mode=memory",
    ] {
        let mut probe = probe(url.to_owned(), &["tasks"]);
        probe.pings = 2;
        let catalog = ok(&probe).await;
        assert!(catalog.tables.is_empty(), "{url}");
        assert!(catalog.other_tables.is_empty(), "{url}");
        assert!(catalog.can_create, "{url}");
        assert_eq!(catalog.server.product, "SQLite");
        assert_eq!(catalog.pings.len(), 2);
    }
    assert!(!Path::new("x.db").exists());
    assert!(!Path::new(":memory:").exists());
}

#[tokio::test]
async fn pings_are_timed() {
    let (_dir, db) = fixture().await;
    let mut probe = probe(url(&db), &["tasks"]);
    probe.pings = 5;
    let catalog = ok(&probe).await;
    assert_eq!(catalog.pings.len(), 5);
    assert!(catalog.pings.iter().all(|p| *p < Duration::from_secs(3)));
}

/// `path` (absolute) relative to the current directory, with `..`s.
fn relative_to_cwd(path: &Path) -> PathBuf {
    let cwd = std::env::current_dir().unwrap();
    let ups = cwd
        .components()
        .filter(|c| matches!(c, Component::Normal(_)))
        .count();
    let mut relative = PathBuf::new();
    for _ in 0..ups {
        relative.push("..");
    }
    relative.push(path.strip_prefix("/").unwrap());
    relative
}

#[tokio::test]
async fn url_forms_name_the_same_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("my tasks.db");
    create(&db, SCHEMA).await;
    let abs = db.display().to_string();
    let relative = relative_to_cwd(&db);
    assert!(relative.is_relative());
    let reference = ok(&probe(format!("sqlite://{abs}"), &["tasks"])).await;
    for url in [
        format!("sqlite:{abs}"),
        format!("sqlite://{}", abs.replace(' ', "%20")),
        // Relative to the current directory.
        format!("sqlite://{}", relative.display()),
        format!("sqlite:{}", relative.display()),
        // Options that would write or hide writers are overridden.
        format!("sqlite://{abs}?mode=rwc"),
        format!("sqlite://{abs}?mode=rw&immutable=true"),
    ] {
        let catalog = ok(&probe(url.clone(), &["tasks"])).await;
        assert_eq!(catalog.tables, reference.tables, "{url}");
    }
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}

/// Whether this process can write `path` even though its mode says
/// read-only (root can).
fn privileged(path: &Path) -> bool {
    fs::OpenOptions::new().write(true).open(path).is_ok()
}

#[cfg(unix)]
#[tokio::test]
async fn privileges_follow_the_file_system() {
    use std::os::unix::fs::PermissionsExt;

    let (dir, db) = fixture().await;
    let catalog = ok(&probe(url(&db), &["tasks"])).await;
    assert_eq!(catalog.tables["tasks"].privileges, ALL);
    assert!(catalog.can_create);

    // A read-only file.
    fs::set_permissions(&db, fs::Permissions::from_mode(0o444)).unwrap();
    let root = privileged(&db);
    let catalog = ok(&probe(url(&db), &["tasks"])).await;
    let expected = if root {
        // access(2) grants root write access whatever the mode bits: all
        // that can be checked as root is that the answer is "writable".
        ALL
    } else {
        Privileges {
            select: true,
            ..Privileges::default()
        }
    };
    assert_eq!(catalog.tables["tasks"].privileges, expected);
    assert_eq!(catalog.can_create, root);
    fs::set_permissions(&db, fs::Permissions::from_mode(0o644)).unwrap();

    // A writable file in a read-only directory (no journal can be made).
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o555)).unwrap();
    let catalog = ok(&probe(url(&db), &["tasks"])).await;
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(catalog.tables["tasks"].privileges.insert, root);
    assert_eq!(catalog.can_create, root);

    // An unreadable file.
    fs::set_permissions(&db, fs::Permissions::from_mode(0o000)).unwrap();
    let result = inspect(&probe(url(&db), &["tasks"])).await;
    fs::set_permissions(&db, fs::Permissions::from_mode(0o644)).unwrap();
    if root {
        assert!(result.is_ok(), "root reads anything: {result:?}");
    } else {
        let err = result.unwrap_err();
        assert_eq!(err.failure, Failure::Other);
        assert_eq!(
            err.detail,
            format!(
                "{} cannot be read by this process (permission denied); the pre-flight needs \
                 read access",
                db.display()
            )
        );
    }
}

#[tokio::test]
async fn a_locked_database_yields_one_timeout_in_time() {
    let (_dir, db) = fixture().await;
    let mut holder = SqliteConnectOptions::new()
        .filename(&db)
        .connect()
        .await
        .unwrap();
    sqlx::raw_sql("BEGIN EXCLUSIVE; INSERT INTO task (id) VALUES (1)")
        .execute(&mut holder)
        .await
        .unwrap();

    let timeout = Duration::from_millis(500);
    let mut probe = probe(url(&db), &["tasks"]);
    probe.timeout = timeout;
    let start = Instant::now();
    let err = err(&probe).await;
    let elapsed = start.elapsed();
    assert_eq!(err.failure, Failure::TimedOut, "{err:?}");
    assert!(
        err.detail.contains(&db.display().to_string()),
        "{}",
        err.detail
    );
    assert!(elapsed >= timeout.mul_f64(0.9), "{elapsed:?}");
    assert!(elapsed <= timeout.mul_f64(1.1), "{elapsed:?}");

    sqlx::raw_sql("ROLLBACK")
        .execute(&mut holder)
        .await
        .unwrap();
    holder.close().await.unwrap();
    // Once released, it works.
    probe.timeout = Duration::from_secs(3);
    ok(&probe).await;
}

#[tokio::test]
async fn urls_are_checked_and_secrets_masked() {
    let err = err(&probe("sqlite:///tmp/x.db?password=hunter2".into(), &[])).await;
    assert_eq!(err.failure, Failure::InvalidUrl);
    assert!(!err.detail.contains("hunter2"), "{}", err.detail);

    let err = err_of("mysql://root:hunter2@localhost/db").await;
    assert_eq!(err.failure, Failure::InvalidUrl);
    assert!(!err.detail.contains("hunter2"), "{}", err.detail);

    let err = err_of("sqlite://").await;
    assert_eq!(err.failure, Failure::InvalidUrl);

    let err = err_of("sqlite:///tmp/x.db?mode=bogus").await;
    assert_eq!(err.failure, Failure::InvalidUrl);
}

async fn err_of(url: &str) -> InspectError {
    err(&probe(url.to_owned(), &[])).await
}
