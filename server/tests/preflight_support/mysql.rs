//! Harness of the MySQL/MariaDB pre-flight tests (`preflight_mysql.rs`):
//! the server URL (or why the tests skip), unique names, URLs for another
//! database or user, the [`TestDb`] guard that creates a database with a
//! few tables and users and drops them all afterwards, and helpers for the
//! read-only, failure and secret tests.

use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use blueprint_server::preflight::catalog::{Catalog, InspectError, Privileges, Probe};
use blueprint_server::preflight::mysql::inspect;
use sqlx::mysql::MySqlConnection;
use sqlx::{AssertSqlSafe, Connection, Row};

pub const TIMEOUT: Duration = Duration::from_secs(5);

// ---------------------------------------------------------------------------
// Harness

/// The server URL, or `None` (after saying why) when the tests should skip.
pub fn server_url() -> Option<String> {
    match std::env::var("DATABASE_URL_MYSQL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("BLUEPRINT_REQUIRE_SERVICES").as_deref() != Ok("1"),
                "BLUEPRINT_REQUIRE_SERVICES=1 but DATABASE_URL_MYSQL is not set"
            );
            eprintln!(
                "skipped: set DATABASE_URL_MYSQL (e.g. mysql://root@127.0.0.1:3306/test) \
                 to run the MySQL/MariaDB pre-flight tests against a server"
            );
            None
        }
    }
}

pub fn unique(prefix: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "{prefix}_{}_{}_{n}",
        std::process::id() % 100_000,
        nanos % 1_000_000
    )
}

/// The pieces of a `scheme://[user[:pw]@]host[:port][/db][?query]` URL.
struct Parts {
    scheme: String,
    userinfo: String,
    host_port: String,
    query: String,
}

fn parts(url: &str) -> Parts {
    let (scheme, rest) = url.split_once("://").expect("a URL with ://");
    let (before_query, query) = rest.split_once('?').unwrap_or((rest, ""));
    let authority = before_query.split('/').next().unwrap_or("");
    let (userinfo, host_port) = authority.rsplit_once('@').unwrap_or(("", authority));
    Parts {
        scheme: scheme.to_owned(),
        userinfo: userinfo.to_owned(),
        host_port: host_port.to_owned(),
        query: query.to_owned(),
    }
}

/// `base` with another database (and the same credentials).
pub fn with_database(base: &str, database: &str) -> String {
    let p = parts(base);
    let at = if p.userinfo.is_empty() { "" } else { "@" };
    let q = if p.query.is_empty() {
        String::new()
    } else {
        format!("?{}", p.query)
    };
    format!(
        "{}://{}{at}{}/{database}{q}",
        p.scheme, p.userinfo, p.host_port
    )
}

/// `base`'s server as `user` with `password`, on `database`.
pub fn as_user(base: &str, user: &str, password: &str, database: &str) -> String {
    let p = parts(base);
    let q = if p.query.is_empty() {
        String::new()
    } else {
        format!("?{}", p.query)
    };
    format!(
        "{}://{user}:{password}@{}/{database}{q}",
        p.scheme, p.host_port
    )
}

pub async fn connect(url: &str) -> MySqlConnection {
    MySqlConnection::connect(url)
        .await
        .expect("the test server accepts the admin URL")
}

pub async fn exec(conn: &mut MySqlConnection, sql: &str) {
    sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))
        .execute(&mut *conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

pub async fn scalar(conn: &mut MySqlConnection, sql: &str) -> String {
    let row = sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))
        .fetch_one(&mut *conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    // Text protocol: every value decodes as text.
    row.try_get::<String, _>(0)
        .or_else(|_| row.try_get::<i64, _>(0).map(|n| n.to_string()))
        .or_else(|_| row.try_get::<u64, _>(0).map(|n| n.to_string()))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// A database of its own, with a few tables, and the users a test creates;
/// all dropped when the guard goes, also on panic.
pub struct TestDb {
    pub base: String,
    pub name: String,
    pub users: Vec<String>,
    pub admin: MySqlConnection,
}

impl TestDb {
    pub async fn new(base: &str) -> TestDb {
        let name = unique("bp_pf");
        let mut admin = connect(base).await;
        exec(&mut admin, &format!("CREATE DATABASE `{name}`")).await;
        let mut db = TestDb {
            base: base.to_owned(),
            name,
            users: Vec::new(),
            admin,
        };
        let n = db.name.clone();
        db.exec(&format!(
            "CREATE TABLE `{n}`.orders (
                id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
                customer VARCHAR(100) NOT NULL,
                note TEXT NULL,
                paid TINYINT(1) NOT NULL DEFAULT 0,
                created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
                label VARCHAR(10) NULL DEFAULT 'NULL',
                total_cents INT GENERATED ALWAYS AS (paid * 100) VIRTUAL
            );
            CREATE TABLE `{n}`.order_items (
                order_id BIGINT NOT NULL,
                line INT NOT NULL,
                sku VARCHAR(20) NOT NULL,
                qty INT NOT NULL DEFAULT 1,
                PRIMARY KEY (order_id, line)
            );
            CREATE TABLE `{n}`.customers (
                id INT NOT NULL,
                email VARCHAR(200) NOT NULL,
                UNIQUE KEY (id)
            );
            CREATE TABLE `{n}`.invoices (id INT PRIMARY KEY);
            INSERT INTO `{n}`.orders (customer) VALUES ('a'), ('b');
            INSERT INTO `{n}`.order_items VALUES (1, 1, 'x', 2);"
        ))
        .await;
        db
    }

    pub async fn exec(&mut self, sql: &str) {
        exec(&mut self.admin, sql).await;
    }

    /// A new user `'name'@'%'` with a password, and the grants in `grants`
    /// (`{db}` stands for the database name, `{user}` for the account).
    pub async fn user(&mut self, grants: &[&str]) -> (String, String) {
        let user = unique("bp_u");
        let password = unique("Pw");
        self.users.push(user.clone());
        self.exec(&format!(
            "CREATE USER '{user}'@'%' IDENTIFIED BY '{password}'"
        ))
        .await;
        for grant in grants {
            let sql = grant
                .replace("{db}", &self.name)
                .replace("{user}", &format!("'{user}'@'%'"));
            self.exec(&sql).await;
        }
        (user, password)
    }

    pub fn url(&self) -> String {
        with_database(&self.base, &self.name)
    }

    pub fn url_as(&self, user: &str, password: &str) -> String {
        as_user(&self.base, user, password, &self.name)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let base = self.base.clone();
        let mut statements = vec![format!("DROP DATABASE IF EXISTS `{}`", self.name)];
        for user in &self.users {
            statements.push(format!("DROP USER IF EXISTS '{user}'@'%'"));
        }
        // Drop is synchronous and may run inside the test's runtime: do the
        // cleaning on a thread of its own, with a runtime of its own.
        let cleaner = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async {
                let Ok(Ok(mut conn)) =
                    tokio::time::timeout(TIMEOUT, MySqlConnection::connect(&base)).await
                else {
                    eprintln!("warning: could not connect to drop the test database");
                    return;
                };
                for sql in statements {
                    if let Err(e) = sqlx::raw_sql(AssertSqlSafe(sql.clone()))
                        .execute(&mut conn)
                        .await
                    {
                        eprintln!("warning: {sql}: {e}");
                    }
                }
                let _ = conn.close().await;
            });
        });
        let _ = cleaner.join();
    }
}

pub fn probe(url: &str, tables: &[&str]) -> Probe {
    Probe {
        url: url.to_owned(),
        tables: tables.iter().map(|t| (*t).to_owned()).collect(),
        timeout: TIMEOUT,
        pings: 3,
    }
}

pub async fn inspect_ok(probe: &Probe) -> Catalog {
    match inspect(probe).await {
        Ok(catalog) => catalog,
        Err(e) => panic!("inspect failed: {e:?}"),
    }
}

pub async fn is_mariadb(conn: &mut MySqlConnection) -> bool {
    scalar(conn, "SELECT VERSION()").await.contains("MariaDB")
}

pub const ALL: Privileges = Privileges {
    select: true,
    insert: true,
    update: true,
    delete: true,
};

pub const NONE: Privileges = Privileges {
    select: false,
    insert: false,
    update: false,
    delete: false,
};

pub async fn snapshot(db: &mut TestDb) -> Vec<String> {
    let name = db.name.clone();
    let mut facts = Vec::new();
    for table in ["orders", "order_items", "customers", "invoices"] {
        facts.push(
            scalar(
                &mut db.admin,
                &format!("SELECT COUNT(*) FROM `{name}`.`{table}`"),
            )
            .await,
        );
        let row = sqlx::raw_sql(AssertSqlSafe(format!("CHECKSUM TABLE `{name}`.`{table}`")))
            .fetch_one(&mut db.admin)
            .await
            .expect("CHECKSUM TABLE");
        let checksum = row
            .try_get::<Option<i64>, _>(1)
            .map(|c| format!("{c:?}"))
            .or_else(|_| row.try_get::<Option<u64>, _>(1).map(|c| format!("{c:?}")))
            .expect("a checksum");
        facts.push(format!("{table}: {checksum}"));
    }
    facts.push(
        scalar(
            &mut db.admin,
            &format!(
                "SELECT GROUP_CONCAT(CONCAT(table_name, ':', table_type, ':', \
                 COALESCE(create_time, ''), ':', COALESCE(auto_increment, '')) \
                 ORDER BY table_name) FROM information_schema.tables \
                 WHERE table_schema = '{name}'"
            ),
        )
        .await,
    );
    facts.push(
        scalar(
            &mut db.admin,
            "SELECT COUNT(*) FROM information_schema.schemata",
        )
        .await,
    );
    facts.push(scalar(&mut db.admin, "SELECT COUNT(*) FROM mysql.user").await);
    facts
}

/// A listener that accepts and never says a word: the MySQL client waits
/// for the server's greeting. Accepts for at most `life`, then closes.
pub fn black_hole(life: Duration) -> (u16, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    listener.set_nonblocking(true).expect("nonblocking");
    let handle = std::thread::spawn(move || {
        let start = Instant::now();
        let mut held = Vec::new();
        while start.elapsed() < life {
            if let Ok((stream, _)) = listener.accept() {
                held.push(stream);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    });
    (port, handle)
}

pub fn assert_no_secret(err: &InspectError, secrets: &[&str]) {
    let shown = [err.detail.clone(), format!("{err:?}"), format!("{err:#?}")];
    for text in shown {
        for secret in secrets {
            assert!(!text.contains(secret), "secret in {text}");
        }
    }
}
