//! Harness of the PostgreSQL pre-flight tests (`preflight_postgres.rs`):
//! the admin URL (or why the tests skip), unique names, URLs for another
//! role or database, the [`TestDb`] guard that creates a database and roles
//! and drops them afterwards, a listener that never answers, and the write
//! counters the read-only test compares.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use blueprint_server::preflight::catalog::{Catalog, InspectError, Probe, QualifiedName};
use blueprint_server::preflight::postgres::inspect;
use sqlx::postgres::PgConnection;
use sqlx::{AssertSqlSafe, ConnectOptions, Connection};

pub fn admin_url() -> Option<String> {
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
pub fn unique(prefix: &str) -> String {
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
pub fn url_with(url: &str, user: Option<&str>, db: &str) -> String {
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
pub fn host_port(url: &str) -> String {
    let rest = url.split_once("://").expect("URL has a scheme").1;
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, h)| h)
        .to_owned()
}

pub async fn connect(url: &str) -> PgConnection {
    let options: sqlx::postgres::PgConnectOptions = url.parse().expect("test URL parses");
    options
        .disable_statement_logging()
        .connect()
        .await
        .expect("connect to the test server")
}

pub async fn exec(conn: &mut PgConnection, sql: &str) {
    sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))
        .execute(conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

pub async fn scalar_i64(conn: &mut PgConnection, sql: &'static str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

pub async fn scalar_text(conn: &mut PgConnection, sql: &'static str) -> String {
    sqlx::query_scalar::<_, String>(sql)
        .fetch_one(conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// A database (and roles) of one test, dropped when the test ends however
/// it ends.
pub struct TestDb {
    pub admin: String,
    pub name: String,
    pub roles: Vec<String>,
}

impl TestDb {
    /// Creates the roles (LOGIN, no password) and a database owned by
    /// `owner` if given, with CREATE on `public` revoked from PUBLIC (the
    /// default since PostgreSQL 15; explicit for older servers).
    pub async fn create(admin: &str, roles: &[&str], owner: Option<&str>) -> TestDb {
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

    pub fn url(&self, user: Option<&str>) -> String {
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

pub fn probe(url: &str, tables: &[&str], pings: usize) -> Probe {
    Probe {
        url: url.to_owned(),
        tables: tables.iter().map(|t| (*t).to_owned()).collect(),
        timeout: Duration::from_secs(5),
        pings,
    }
}

pub async fn inspect_ok(probe: &Probe) -> Catalog {
    match inspect(probe).await {
        Ok(catalog) => catalog,
        Err(e) => panic!("inspect failed: {e:?}"),
    }
}

pub async fn inspect_err(probe: &Probe) -> InspectError {
    match inspect(probe).await {
        Ok(catalog) => panic!("inspect succeeded unexpectedly: {catalog:?}"),
        Err(e) => e,
    }
}

pub fn qn(schema: &str, name: &str) -> QualifiedName {
    QualifiedName {
        schema: schema.to_owned(),
        name: name.to_owned(),
    }
}

/// A listener on 127.0.0.1 that accepts connections and never answers.
/// Stops (and closes what it holds) when dropped, at the latest after 30 s.
pub struct BlackHole {
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl BlackHole {
    pub fn start() -> BlackHole {
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

/// Write counters of the database the observer is connected to and the
/// size of its catalogue, once no other session is connected to it (a
/// backend flushes its statistics before it leaves `pg_stat_activity`).
pub async fn write_counters(observer: &mut PgConnection) -> (i64, i64, i64, i64) {
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
