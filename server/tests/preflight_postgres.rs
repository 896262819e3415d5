//! The PostgreSQL pre-flight engine against a real server.
//!
//! The server comes from `DATABASE_URL_POSTGRES` (an admin URL, e.g.
//! `postgres://postgres@127.0.0.1:5432/test`). Without it every test prints
//! why it is skipped and passes — unless `BLUEPRINT_REQUIRE_SERVICES=1` (as
//! in CI), when it fails. Each test creates its own uniquely named
//! database (and roles) and drops them afterwards, also when it fails.
//! Every address used is on loopback.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use blueprint_server::preflight::catalog::{
    Catalog, Column, Failure, InspectError, Privileges, Probe, QualifiedName,
};
use blueprint_server::preflight::postgres::{connect_options, inspect};
use sqlx::postgres::PgConnection;
use sqlx::{AssertSqlSafe, ConnectOptions, Connection};

// ---------------------------------------------------------------- helpers

fn admin_url() -> Option<String> {
    match std::env::var("DATABASE_URL_POSTGRES") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("BLUEPRINT_REQUIRE_SERVICES").as_deref() != Ok("1"),
                "DATABASE_URL_POSTGRES is not set but BLUEPRINT_REQUIRE_SERVICES=1"
            );
            eprintln!("skipped: DATABASE_URL_POSTGRES is not set (e.g. postgres://postgres@127.0.0.1:5432/test)");
            None
        }
    }
}

/// A name no other test (in this process or another) uses.
fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}_{}_{nanos}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// `url` with its user replaced by `user` (no password: the test server
/// trusts local connections) if given, and its database by `db`.
fn url_with(url: &str, user: Option<&str>, db: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("URL has a scheme");
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, Some(q)),
        None => (rest, None),
    };
    let authority = rest.split('/').next().unwrap_or("");
    let authority = match (user, authority.rsplit_once('@')) {
        (Some(user), Some((_, host))) => format!("{user}@{host}"),
        (Some(user), None) => format!("{user}@{authority}"),
        (None, _) => authority.to_owned(),
    };
    let mut out = format!("{scheme}://{authority}/{db}");
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

/// `host:port` of the admin URL (to build URLs for the same server).
fn host_port(url: &str) -> String {
    let rest = url.split_once("://").expect("URL has a scheme").1;
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, h)| h)
        .to_owned()
}

async fn connect(url: &str) -> PgConnection {
    let options: sqlx::postgres::PgConnectOptions = url.parse().expect("test URL parses");
    options
        .disable_statement_logging()
        .connect()
        .await
        .expect("connect to the test server")
}

async fn exec(conn: &mut PgConnection, sql: &str) {
    sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))
        .execute(conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn scalar_i64(conn: &mut PgConnection, sql: &'static str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

async fn scalar_text(conn: &mut PgConnection, sql: &'static str) -> String {
    sqlx::query_scalar::<_, String>(sql)
        .fetch_one(conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// A database (and roles) of one test, dropped when the test ends however
/// it ends.
struct TestDb {
    admin: String,
    name: String,
    roles: Vec<String>,
}

impl TestDb {
    /// Creates the roles (LOGIN, no password) and a database owned by
    /// `owner` if given, with CREATE on `public` revoked from PUBLIC (the
    /// default since PostgreSQL 15; explicit for older servers).
    async fn create(admin: &str, roles: &[&str], owner: Option<&str>) -> TestDb {
        let name = unique("bp_pf");
        let mut db = TestDb {
            admin: admin.to_owned(),
            name: name.clone(),
            roles: Vec::new(),
        };
        let mut conn = connect(admin).await;
        for role in roles {
            exec(&mut conn, &format!("CREATE ROLE \"{role}\" LOGIN")).await;
            db.roles.push((*role).to_owned());
        }
        let owner = owner.map_or(String::new(), |o| format!(" OWNER \"{o}\""));
        exec(&mut conn, &format!("CREATE DATABASE \"{name}\"{owner}")).await;
        let _ = conn.close().await;
        let mut conn = connect(&db.url(None)).await;
        exec(&mut conn, "REVOKE CREATE ON SCHEMA public FROM PUBLIC").await;
        let _ = conn.close().await;
        db
    }

    fn url(&self, user: Option<&str>) -> String {
        url_with(&self.admin, user, &self.name)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let admin = self.admin.clone();
        let mut statements = vec![format!(
            "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
            self.name
        )];
        statements.extend(
            self.roles
                .iter()
                .map(|r| format!("DROP ROLE IF EXISTS \"{r}\"")),
        );
        // A fresh runtime on a fresh thread: this may run inside a test's
        // runtime, where blocking on another one is not allowed.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            rt.block_on(async {
                let mut conn = PgConnection::connect(&admin)
                    .await
                    .map_err(|e| e.to_string())?;
                for sql in statements {
                    sqlx::raw_sql(AssertSqlSafe(sql))
                        .execute(&mut conn)
                        .await
                        .map_err(|e| e.to_string())?;
                }
                let _ = conn.close().await;
                Ok::<(), String>(())
            })
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("could not drop test database {}: {e}", self.name),
            Err(_) => eprintln!("could not drop test database {}: panic", self.name),
        }
    }
}

fn probe(url: &str, tables: &[&str], pings: usize) -> Probe {
    Probe {
        url: url.to_owned(),
        tables: tables.iter().map(|t| (*t).to_owned()).collect(),
        timeout: Duration::from_secs(5),
        pings,
    }
}

async fn inspect_ok(probe: &Probe) -> Catalog {
    match inspect(probe).await {
        Ok(catalog) => catalog,
        Err(e) => panic!("inspect failed: {e:?}"),
    }
}

async fn inspect_err(probe: &Probe) -> InspectError {
    match inspect(probe).await {
        Ok(catalog) => panic!("inspect succeeded unexpectedly: {catalog:?}"),
        Err(e) => e,
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
        name: name.to_owned(),
        data_type: data_type.to_owned(),
        column_type: column_type.map(str::to_owned),
        nullable,
        has_default,
        primary_key,
    }
}

fn qn(schema: &str, name: &str) -> QualifiedName {
    QualifiedName {
        schema: schema.to_owned(),
        name: name.to_owned(),
    }
}

/// A port on 127.0.0.1 on which nothing listens (bound, then released).
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    let port = listener.local_addr().expect("local address").port();
    drop(listener);
    port
}

/// A listener on 127.0.0.1 that accepts connections and never answers.
/// Stops (and closes what it holds) when dropped, at the latest after 30 s.
struct BlackHole {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl BlackHole {
    fn start() -> BlackHole {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let addr = listener.local_addr().expect("local address");
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut held: Vec<TcpStream> = Vec::new();
            let deadline = Instant::now() + Duration::from_secs(30);
            while !stopping.load(Ordering::Relaxed) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((socket, _)) => held.push(socket),
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        BlackHole {
            addr,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for BlackHole {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

// ------------------------------------------------------------------ tests

#[tokio::test]
async fn reports_tables_columns_keys_defaults_and_server_facts() {
    let Some(admin) = admin_url() else { return };
    let db = TestDb::create(&admin, &[], None).await;
    let mut conn = connect(&db.url(None)).await;
    exec(
        &mut conn,
        r#"
        CREATE TABLE orders (
            id serial PRIMARY KEY,
            customer text NOT NULL,
            total numeric(10, 2),
            created_at timestamptz NOT NULL DEFAULT now(),
            note varchar(40)
        );
        CREATE TABLE items (
            order_id integer NOT NULL,
            line integer GENERATED ALWAYS AS IDENTITY,
            sku text NOT NULL,
            qty integer NOT NULL DEFAULT 1,
            doubled integer GENERATED ALWAYS AS (qty * 2) STORED,
            tags text[],
            PRIMARY KEY (order_id, line)
        );
        CREATE DOMAIN email AS varchar(200);
        CREATE TYPE mood AS ENUM ('happy', 'sad');
        CREATE TABLE extras (e email NOT NULL, m mood, dropped int, b boolean);
        ALTER TABLE extras DROP COLUMN dropped;
        CREATE TABLE customers (id bigint PRIMARY KEY);
        CREATE TABLE "Mixed" (x int);
        CREATE SCHEMA sales;
        CREATE TABLE sales.invoices (id int PRIMARY KEY);
        "#,
    )
    .await;
    let version_num = scalar_text(&mut conn, "SHOW server_version_num").await;
    let max_connections = scalar_text(&mut conn, "SHOW max_connections").await;
    let _ = conn.close().await;

    let p = probe(
        &db.url(None),
        &[
            "orders", "items", "extras", "customer", "invoices", "Mixed", "mixed",
        ],
        3,
    );
    let catalog = inspect_ok(&p).await;

    assert_eq!(catalog.schema, "public");
    assert_eq!(
        catalog.tables.keys().collect::<Vec<_>>(),
        ["Mixed", "extras", "items", "orders"],
        "exact, case-sensitive matches only"
    );
    let orders = &catalog.tables["orders"];
    assert_eq!(orders.name, "orders");
    assert_eq!(
        orders.columns,
        vec![
            col("id", "integer", None, false, true, true),
            col("customer", "text", None, false, false, false),
            col(
                "total",
                "numeric",
                Some("numeric(10,2)"),
                true,
                false,
                false
            ),
            col(
                "created_at",
                "timestamp with time zone",
                None,
                false,
                true,
                false
            ),
            col(
                "note",
                "character varying",
                Some("character varying(40)"),
                true,
                false,
                false
            ),
        ]
    );
    assert_eq!(
        catalog.tables["items"].columns,
        vec![
            col("order_id", "integer", None, false, false, true),
            col("line", "integer", None, false, true, true),
            col("sku", "text", None, false, false, false),
            col("qty", "integer", None, false, true, false),
            col("doubled", "integer", None, true, true, false),
            col("tags", "array", Some("text[]"), true, false, false),
        ]
    );
    assert_eq!(
        catalog.tables["extras"].columns,
        vec![
            col("e", "character varying", Some("email"), false, false, false),
            col("m", "user-defined", Some("mood"), true, false, false),
            col("b", "boolean", None, true, false, false),
        ]
    );
    let all = Privileges {
        select: true,
        insert: true,
        update: true,
        delete: true,
    };
    assert_eq!(orders.privileges, all, "the admin may do anything");
    assert!(catalog.can_create);

    // Not found, but a near name in the current schema and the same name
    // in another schema are listed, the latter first.
    assert!(catalog.other_tables.contains(&qn("public", "customers")));
    assert!(catalog.other_tables.contains(&qn("sales", "invoices")));
    assert_eq!(catalog.other_tables[0], qn("sales", "invoices"));
    assert!(!catalog.other_tables.contains(&qn("public", "orders")));
    assert!(!catalog.other_tables.contains(&qn("public", "Mixed")));

    assert_eq!(catalog.server.product, "PostgreSQL");
    let n: u32 = version_num.parse().expect("server_version_num is a number");
    assert!(n >= 100_000, "the tests assume PostgreSQL 10 or later");
    assert_eq!(catalog.server.version_number, (n / 10_000, n % 10_000, 0));
    assert!(
        catalog
            .server
            .version
            .starts_with(&format!("{}.{}", n / 10_000, n % 10_000)),
        "{}",
        catalog.server.version
    );
    assert_eq!(
        catalog.server.max_connections,
        Some(max_connections.parse().expect("a number"))
    );
    assert_eq!(catalog.pings.len(), 3);
    assert!(catalog.pings.iter().all(|d| *d < p.timeout));

    // Schema-qualified names are looked up in that schema; no pings asked,
    // none made.
    let catalog = inspect_ok(&probe(&db.url(None), &["sales.invoices", "sales.nope"], 0)).await;
    assert_eq!(
        catalog.tables.keys().collect::<Vec<_>>(),
        ["sales.invoices"]
    );
    assert_eq!(
        catalog.tables["sales.invoices"].columns,
        vec![col("id", "integer", None, false, false, true)]
    );
    assert!(!catalog.other_tables.contains(&qn("sales", "invoices")));
    assert!(catalog.pings.is_empty());

    // No tables asked: still the server facts.
    let catalog = inspect_ok(&probe(&db.url(None), &[], 1)).await;
    assert!(catalog.tables.is_empty());
    assert_eq!(catalog.other_tables.len(), 6);
    assert_eq!(catalog.pings.len(), 1);
}

#[tokio::test]
async fn privileges_of_a_select_only_role_a_role_without_grants_and_the_owner() {
    let Some(admin) = admin_url() else { return };
    let owner = unique("bp_pf_own");
    let reader = unique("bp_pf_ro");
    let nobody = unique("bp_pf_none");
    let db = TestDb::create(&admin, &[&owner, &reader, &nobody], Some(&owner)).await;
    let mut conn = connect(&db.url(Some(&owner))).await;
    exec(
        &mut conn,
        &format!("CREATE TABLE t (id int PRIMARY KEY, v text); GRANT SELECT ON t TO \"{reader}\";"),
    )
    .await;
    let _ = conn.close().await;

    let columns = vec![
        col("id", "integer", None, false, false, true),
        col("v", "text", None, true, false, false),
    ];
    let none = Privileges::default();

    let as_reader = inspect_ok(&probe(&db.url(Some(&reader)), &["t"], 0)).await;
    assert_eq!(
        as_reader.tables["t"].privileges,
        Privileges {
            select: true,
            ..none
        }
    );
    assert!(!as_reader.can_create);
    assert_eq!(as_reader.tables["t"].columns, columns);

    let as_nobody = inspect_ok(&probe(&db.url(Some(&nobody)), &["t"], 0)).await;
    assert_eq!(as_nobody.tables["t"].privileges, none);
    assert!(!as_nobody.can_create);
    assert_eq!(
        as_nobody.tables["t"].columns, columns,
        "the catalogue shows columns even without privileges"
    );

    let as_owner = inspect_ok(&probe(&db.url(Some(&owner)), &["t"], 0)).await;
    assert_eq!(
        as_owner.tables["t"].privileges,
        Privileges {
            select: true,
            insert: true,
            update: true,
            delete: true
        }
    );
    assert!(as_owner.can_create, "the database owner owns `public`");
}

/// Write counters of the database the observer is connected to and the
/// size of its catalogue, once no other session is connected to it (a
/// backend flushes its statistics before it leaves `pg_stat_activity`).
async fn write_counters(observer: &mut PgConnection) -> (i64, i64, i64, i64) {
    let mut others = -1;
    for _ in 0..500 {
        others = scalar_i64(
            observer,
            "SELECT count(*) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .await;
        if others == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(others, 0, "other sessions are still connected");
    exec(observer, "SELECT pg_stat_clear_snapshot()").await;
    let (ins, upd, del): (i64, i64, i64) = sqlx::query_as(
        "SELECT tup_inserted, tup_updated, tup_deleted FROM pg_stat_database \
         WHERE datname = current_database()",
    )
    .fetch_one(&mut *observer)
    .await
    .expect("pg_stat_database");
    let classes = scalar_i64(observer, "SELECT count(*) FROM pg_class").await;
    (ins, upd, del, classes)
}

#[tokio::test]
async fn inspect_writes_nothing() {
    let Some(admin) = admin_url() else { return };
    let db = TestDb::create(&admin, &[], None).await;
    let mut observer = connect(&db.url(None)).await;
    let before_writes = write_counters(&mut observer).await;

    // The measure sees a write made by another session...
    let mut writer = connect(&db.url(None)).await;
    exec(
        &mut writer,
        "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1), (2), (3);",
    )
    .await;
    let _ = writer.close().await;
    let before = write_counters(&mut observer).await;
    assert!(
        before.0 >= before_writes.0 + 3 && before.3 > before_writes.3,
        "the counters must show the writer's rows: {before_writes:?} then {before:?}"
    );

    // ...and none by the pre-flight.
    let catalog = inspect_ok(&probe(&db.url(None), &["t", "missing"], 3)).await;
    assert!(catalog.tables.contains_key("t"));
    let after = write_counters(&mut observer).await;
    assert_eq!(
        before, after,
        "(tup_inserted, tup_updated, tup_deleted, pg_class rows)"
    );
    let _ = observer.close().await;
}

#[tokio::test]
async fn a_session_with_the_preflight_settings_refuses_to_write() {
    let Some(admin) = admin_url() else { return };
    let db = TestDb::create(&admin, &[], None).await;
    let options = connect_options(&db.url(None), Duration::from_millis(1500)).expect("options");
    let mut conn = options.connect().await.expect("connect");
    assert_eq!(
        scalar_text(&mut conn, "SHOW default_transaction_read_only").await,
        "on"
    );
    assert_eq!(
        scalar_text(&mut conn, "SHOW statement_timeout").await,
        "1500ms"
    );
    assert_eq!(
        scalar_text(&mut conn, "SHOW application_name").await,
        "blueprint-preflight"
    );
    let err = sqlx::raw_sql("CREATE TABLE should_not_exist (i int)")
        .execute(&mut conn)
        .await
        .expect_err("a read-only session refuses CREATE TABLE");
    let db_err = err.as_database_error().expect("a server error");
    assert_eq!(db_err.code().as_deref(), Some("25006"), "{db_err}");
    assert!(
        db_err.message().contains("read-only transaction"),
        "{db_err}"
    );
    // Even an URL that asks for the opposite gets read-only sessions: our
    // options come last.
    let url = format!(
        "{}?options=-c%20default_transaction_read_only%3Doff",
        db.url(None)
    );
    let options = connect_options(&url, Duration::from_secs(2)).expect("options");
    let mut conn2 = options.connect().await.expect("connect");
    assert_eq!(
        scalar_text(&mut conn2, "SHOW default_transaction_read_only").await,
        "on"
    );
    let _ = conn2.close().await;
    let _ = conn.close().await;
}

#[tokio::test]
async fn closed_port_is_refused_quickly() {
    let url = format!("postgres://postgres@127.0.0.1:{}/test", closed_port());
    let start = Instant::now();
    let err = inspect_err(&probe(&url, &["t"], 3)).await;
    // Real error: Io(ConnectionRefused) "Connection refused (os error 111)".
    assert_eq!(err.failure, Failure::Refused, "{err:?}");
    assert!(err.detail.contains("127.0.0.1:"), "{}", err.detail);
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn black_hole_times_out_within_the_timeout_plus_ten_percent() {
    let hole = BlackHole::start();
    let timeout = Duration::from_secs(1);
    let url = format!("postgres://postgres@{}/test", hole.addr);
    let p = Probe {
        timeout,
        ..probe(&url, &["t"], 3)
    };
    let start = Instant::now();
    let err = inspect_err(&p).await;
    let elapsed = start.elapsed();
    assert_eq!(err.failure, Failure::TimedOut, "{err:?}");
    assert!(elapsed >= timeout, "{elapsed:?}");
    assert!(elapsed <= timeout + timeout / 10, "{elapsed:?}");
    assert!(
        err.detail.contains(&hole.addr.to_string()),
        "{}",
        err.detail
    );
}

#[tokio::test]
async fn missing_database() {
    let Some(admin) = admin_url() else { return };
    let url = url_with(&admin, None, &unique("bp_pf_missing"));
    let err = inspect_err(&probe(&url, &["t"], 0)).await;
    // Real error: 3D000 `database "bp_pf_missing_…" does not exist`.
    assert_eq!(err.failure, Failure::DatabaseMissing, "{err:?}");
    assert!(err.detail.contains("does not exist"), "{}", err.detail);
}

#[tokio::test]
async fn unknown_role_is_an_authentication_failure() {
    let Some(admin) = admin_url() else { return };
    // The test server trusts local connections, so a wrong password cannot
    // be provoked (28P01); an unknown role is refused with 28000
    // `role "…" does not exist`.
    let role = unique("bp_pf_nobody");
    let url = url_with(&admin, Some(&role), "test");
    let err = inspect_err(&probe(&url, &["t"], 0)).await;
    assert_eq!(err.failure, Failure::AuthenticationFailed, "{err:?}");
    assert!(err.detail.contains("does not exist"), "{}", err.detail);
    assert!(err.detail.contains("28000"), "{}", err.detail);
}

#[tokio::test]
async fn tls_as_this_server_offers_it() {
    let Some(admin) = admin_url() else { return };
    let mut conn = connect(&admin).await;
    let ssl = scalar_text(&mut conn, "SHOW ssl").await;
    let _ = conn.close().await;
    let db = TestDb::create(&admin, &[], None).await;
    let require = format!("{}?sslmode=require", db.url(None));
    let verify = format!("{}?sslmode=verify-full", db.url(None));
    if ssl == "on" {
        // The local server has TLS with Debian's self-signed "snakeoil"
        // certificate: `require` encrypts without verifying and works;
        // `verify-full` fails the handshake (rustls: invalid peer
        // certificate, UnknownIssuer).
        inspect_ok(&probe(&require, &[], 0)).await;
        let err = inspect_err(&probe(&verify, &[], 0)).await;
        assert_eq!(err.failure, Failure::TlsFailed, "{err:?}");
        assert!(err.detail.contains("TLS handshake"), "{}", err.detail);
    } else {
        // Without TLS the server answers the SSLRequest with 'N', sqlx
        // says "server does not support TLS".
        let err = inspect_err(&probe(&require, &[], 0)).await;
        assert_eq!(err.failure, Failure::TlsFailed, "{err:?}");
        assert!(err.detail.contains("does not support"), "{}", err.detail);
    }
    // TlsRequired (a `hostssl`-only pg_hba.conf) cannot be provoked without
    // reconfiguring the server; the message classification is unit-tested
    // in the engine.
}

#[tokio::test]
async fn unresolvable_host_name() {
    // `.invalid` never resolves (RFC 2606). On this machine (no network,
    // a resolver that answers at once) getaddrinfo fails immediately with
    // "Name or service not known"; where the resolver is unreachable it
    // fails with "Temporary failure in name resolution" — also
    // NameNotResolved — or the timeout comes first.
    let url = "postgres://u@nonexistent.invalid/db";
    let err = inspect_err(&Probe {
        timeout: Duration::from_secs(3),
        ..probe(url, &["t"], 0)
    })
    .await;
    assert!(
        err.failure == Failure::NameNotResolved || err.failure == Failure::TimedOut,
        "{err:?}"
    );
    if err.failure == Failure::NameNotResolved {
        assert!(err.detail.contains("nonexistent.invalid"), "{}", err.detail);
    }
}

#[tokio::test]
async fn invalid_urls() {
    for url in [
        "postgres://u@127.0.0.1:99999/x",
        "mysql://u@127.0.0.1/x",
        "postgres://u@127.0.0.1/x?sslmode=sometimes",
        "not a url",
    ] {
        let err = inspect_err(&probe(url, &[], 0)).await;
        assert_eq!(err.failure, Failure::InvalidUrl, "{url}: {err:?}");
    }
}

#[tokio::test]
async fn the_password_never_appears_in_a_failure() {
    let password = unique("S3cretPw-x");
    let admin = admin_url();
    let server = admin.as_deref().map(host_port);
    let hole = BlackHole::start();
    let port = closed_port();
    let mut urls = vec![
        format!("postgres://postgres:{password}@127.0.0.1:{port}/x"),
        format!("postgres://postgres@127.0.0.1:{port}/x?password={password}"),
        format!("postgres://postgres@127.0.0.1:{port}/x?passwd={password}&pwd={password}"),
        format!("postgres://postgres:{password}@127.0.0.1:99999/x"),
        format!("postgres://postgres:{password}@127.0.0.1:{port}/x?sslmode={password}"),
        format!("mysql://postgres:{password}@127.0.0.1:{port}/x"),
        format!("postgres://postgres:{password}@{}/x", hole.addr),
        format!("postgres://postgres:{password}@nonexistent.invalid/x"),
    ];
    if let Some(server) = &server {
        let role = unique("bp_pf_nobody");
        let missing = unique("bp_pf_missing");
        urls.push(format!("postgres://{role}:{password}@{server}/test"));
        urls.push(format!("postgres://postgres:{password}@{server}/{missing}"));
        urls.push(format!(
            "postgres://postgres:{password}@{server}/test?sslmode=verify-full"
        ));
    }
    for url in &urls {
        let p = Probe {
            timeout: Duration::from_millis(300),
            ..probe(url, &["t"], 1)
        };
        let err = inspect_err(&p).await;
        let debug = format!("{err:?}");
        assert!(!debug.contains(&password), "{debug}");
        assert!(!debug.contains("S3cretPw"), "{debug}");
        assert!(!err.detail.contains('\n'), "one line: {debug}");
        eprintln!("{:?}: {}", err.failure, err.detail);
    }
}
