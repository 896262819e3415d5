//! The MySQL/MariaDB engine of the pre-flight against a real server.
//!
//! The server comes from `DATABASE_URL_MYSQL` (CI: `mysql://root@127.0.0.1:3306/test`,
//! an account that may create databases and users). Without it the tests
//! that need the server print why and pass — unless
//! `BLUEPRINT_REQUIRE_SERVICES=1`, when they fail. The failure tests that
//! need no server (refused, black hole, bad URL, unresolvable name) always
//! run. Every test works in its own database `bp_pf_<pid>_<nanos>_<n>` with
//! its own users, dropped afterwards by a guard, also when the test fails.
//! Only loopback addresses are used.

#[path = "preflight_support/mysql.rs"]
mod mysql_support;
mod preflight_support;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use blueprint_server::preflight::catalog::{Failure, Privileges, QualifiedName};
use blueprint_server::preflight::mysql::{inspect, parse_version, session_setup};
use sqlx::{AssertSqlSafe, Connection};

use mysql_support::*;
use preflight_support::{closed_port, column};

// ---------------------------------------------------------------------------
// What the catalogue reports

#[tokio::test]
async fn reports_tables_columns_keys_and_defaults_exactly() {
    let Some(base) = server_url() else { return };
    let mut db = TestDb::new(&base).await;
    let mariadb = is_mariadb(&mut db.admin).await;
    let case_insensitive = scalar(&mut db.admin, "SELECT @@lower_case_table_names").await != "0";
    // MariaDB spells integer display widths (`bigint(20)`), MySQL 8.0.19+
    // does not (then `column_type` says nothing more than `data_type`).
    let int = |width: &str, name: &'static str| -> Option<String> {
        mariadb.then(|| format!("{name}({width})"))
    };

    let catalog = inspect_ok(&probe(
        &db.url(),
        &["orders", "order_items", "customers", "invoice", "Orders"],
    ))
    .await;

    assert_eq!(catalog.schema, db.name);
    let orders = &catalog.tables["orders"];
    assert_eq!(orders.name, "orders");
    assert_eq!(
        orders.columns,
        vec![
            // AUTO_INCREMENT: an insert may leave it out.
            column(
                "id",
                "bigint",
                int("20", "bigint").as_deref(),
                false,
                true,
                true
            ),
            column(
                "customer",
                "varchar",
                Some("varchar(100)"),
                false,
                false,
                false
            ),
            // Nullable without default: MariaDB says `column_default` =
            // 'NULL'; that is not a default.
            column("note", "text", None, true, false, false),
            column("paid", "tinyint", Some("tinyint(1)"), false, true, false),
            column("created_at", "timestamp", None, false, true, false),
            // A string default that happens to read NULL is a default.
            column("label", "varchar", Some("varchar(10)"), true, true, false),
            // A generated column cannot be inserted into: it counts as
            // having a default.
            column(
                "total_cents",
                "int",
                int("11", "int").as_deref(),
                true,
                true,
                false
            ),
        ]
    );
    assert_eq!(orders.privileges, ALL);

    let items = &catalog.tables["order_items"];
    assert_eq!(
        items.columns,
        vec![
            column(
                "order_id",
                "bigint",
                int("20", "bigint").as_deref(),
                false,
                false,
                true
            ),
            column(
                "line",
                "int",
                int("11", "int").as_deref(),
                false,
                false,
                true
            ),
            column("sku", "varchar", Some("varchar(20)"), false, false, false),
            column(
                "qty",
                "int",
                int("11", "int").as_deref(),
                false,
                true,
                false
            ),
        ]
    );
    // A UNIQUE NOT NULL key on a table without primary key is shown as
    // `PRI` in `columns.column_key`; it is not a primary key.
    let customers = &catalog.tables["customers"];
    assert!(
        customers.columns.iter().all(|c| !c.primary_key),
        "{customers:?}"
    );

    // Missing: absent, with the near name among the others, the
    // connection's database first.
    assert!(!catalog.tables.contains_key("invoice"));
    let invoices = QualifiedName {
        schema: db.name.clone(),
        name: "invoices".to_owned(),
    };
    assert!(
        catalog.other_tables.contains(&invoices),
        "{:?}",
        catalog.other_tables
    );
    assert_eq!(catalog.other_tables.first(), Some(&invoices));
    // Tables found are not "other" tables.
    assert!(!catalog
        .other_tables
        .iter()
        .any(|o| o.schema == db.name && o.name == "orders"));
    assert!(catalog.other_tables.len() <= 1000);
    assert!(!catalog.other_tables.iter().any(|o| [
        "mysql",
        "information_schema",
        "performance_schema",
        "sys"
    ]
    .contains(&o.schema.as_str())));
    // Case follows lower_case_table_names (0 on Linux: case-sensitive).
    assert_eq!(catalog.tables.contains_key("Orders"), case_insensitive);

    // Root may do everything, create included.
    assert!(catalog.can_create);

    // The server's facts.
    let version = scalar(&mut db.admin, "SELECT VERSION()").await;
    assert_eq!(catalog.server.version, version);
    assert_eq!(catalog.server.version_number, parse_version(&version));
    assert!(catalog.server.version_number.0 >= 8, "{:?}", catalog.server);
    assert_eq!(
        catalog.server.product,
        if mariadb { "MariaDB" } else { "MySQL" }
    );
    let max = scalar(&mut db.admin, "SELECT @@max_connections").await;
    assert_eq!(catalog.server.max_connections, max.parse().ok());
    assert!(catalog.server.max_connections.is_some());
    assert_eq!(catalog.pings.len(), 3);
    assert!(catalog.pings.iter().all(|p| *p < TIMEOUT));

    // Zero pings, zero tables: still a catalogue.
    let mut bare = probe(&db.url(), &[]);
    bare.pings = 0;
    let catalog = inspect_ok(&bare).await;
    assert!(catalog.tables.is_empty() && catalog.pings.is_empty());
    assert!(catalog
        .other_tables
        .iter()
        .any(|o| o.schema == db.name && o.name == "orders"));
}

#[tokio::test]
async fn qualified_names_look_in_that_database() {
    let Some(base) = server_url() else { return };
    let db = TestDb::new(&base).await;
    let qualified = format!("{}.orders", db.name);
    let backquoted = format!("`{}`.`order_items`", db.name);
    let missing = format!("{}.nope", db.name);
    // A URL without a database: DATABASE() is NULL, only qualified names
    // can be found.
    let catalog = inspect_ok(&probe(
        &with_database(&base, ""),
        &[&qualified, &backquoted, &missing, "orders"],
    ))
    .await;
    assert_eq!(catalog.schema, "");
    let found: BTreeSet<&str> = catalog.tables.keys().map(String::as_str).collect();
    assert_eq!(
        found,
        BTreeSet::from([qualified.as_str(), backquoted.as_str()])
    );
    assert_eq!(catalog.tables[&qualified].columns.len(), 7);
    assert_eq!(catalog.tables[&qualified].privileges, ALL);
}

// ---------------------------------------------------------------------------
// Privileges

#[tokio::test]
async fn a_user_with_select_on_one_table() {
    let Some(base) = server_url() else { return };
    let mut db = TestDb::new(&base).await;
    let (user, password) = db.user(&["GRANT SELECT ON `{db}`.orders TO {user}"]).await;
    let catalog = inspect_ok(&probe(
        &db.url_as(&user, &password),
        &["orders", "order_items"],
    ))
    .await;

    assert_eq!(
        catalog.tables["orders"].privileges,
        Privileges {
            select: true,
            ..NONE
        }
    );
    // A table the user has no privilege on is not in its
    // information_schema: for this user it does not exist, and it is not
    // offered as an "other" table either.
    assert!(!catalog.tables.contains_key("order_items"), "{catalog:?}");
    assert!(!catalog.other_tables.iter().any(|o| o.name == "order_items"));
    assert!(!catalog.can_create);
    // The columns are the same as root sees them.
    assert_eq!(catalog.tables["orders"].columns.len(), 7);
}

#[tokio::test]
async fn database_level_grants_with_an_escaped_pattern() {
    let Some(base) = server_url() else { return };
    let mut db = TestDb::new(&base).await;
    // `\_` is a literal underscore in a database-level grant's name.
    let (user, password) = db
        .user(
            &["GRANT INSERT, UPDATE, CREATE ON `{db_escaped}`.* TO {user}"
                .replace("{db_escaped}", &db.name.replace('_', "\\_"))
                .as_str()],
        )
        .await;
    let catalog = inspect_ok(&probe(
        &db.url_as(&user, &password),
        &["orders", "order_items", "customers"],
    ))
    .await;
    for table in ["orders", "order_items", "customers"] {
        assert_eq!(
            catalog.tables[table].privileges,
            Privileges {
                insert: true,
                update: true,
                ..NONE
            },
            "{table}"
        );
    }
    assert!(catalog.can_create);
}

#[tokio::test]
async fn a_user_without_privileges() {
    let Some(base) = server_url() else { return };
    let mut db = TestDb::new(&base).await;
    // Only USAGE (what CREATE USER gives).
    let (user, password) = db.user(&[]).await;

    // With the database in the URL the server refuses the connection
    // itself: error 1044, "Access denied for user ... to database ...". It
    // will not say whether the database exists; the user is authenticated
    // but may not use it. Classified as AuthenticationFailed.
    let err = inspect(&probe(&db.url_as(&user, &password), &["orders"]))
        .await
        .expect_err("no access to the database");
    assert_eq!(err.failure, Failure::AuthenticationFailed, "{err:?}");
    assert!(err.detail.contains("1044"), "{err:?}");

    // Without a database in the URL the user connects; the tables, asked
    // for qualified, are invisible to it (absent), and it may create
    // nothing.
    let qualified = format!("{}.orders", db.name);
    let catalog = inspect_ok(&probe(&as_user(&base, &user, &password, ""), &[&qualified])).await;
    assert!(catalog.tables.is_empty(), "{catalog:?}");
    assert!(!catalog.other_tables.iter().any(|o| o.schema == db.name));
    assert!(!catalog.can_create);
}

// ---------------------------------------------------------------------------
// Read-only

#[tokio::test]
async fn inspecting_writes_nothing_and_the_session_refuses_writes() {
    let Some(base) = server_url() else { return };
    let mut db = TestDb::new(&base).await;
    let before = snapshot(&mut db).await;
    // As root, who could write anything.
    let catalog = inspect_ok(&probe(
        &db.url(),
        &["orders", "order_items", "customers", "missing_table"],
    ))
    .await;
    assert_eq!(catalog.tables.len(), 3);
    let after = snapshot(&mut db).await;
    assert_eq!(before, after);

    // A session configured as the pre-flight configures its own refuses
    // writes, DDL included, even for root.
    let mariadb = is_mariadb(&mut db.admin).await;
    let mut session = connect(&db.url()).await;
    sqlx::raw_sql(AssertSqlSafe(session_setup(mariadb, TIMEOUT)))
        .execute(&mut session)
        .await
        .expect("the session setup runs");
    for write in [
        "INSERT INTO orders (customer) VALUES ('c')",
        "UPDATE orders SET paid = 1",
        "DELETE FROM order_items",
        "CREATE TABLE created_by_preflight (a INT)",
    ] {
        let err = sqlx::raw_sql(write)
            .execute(&mut session)
            .await
            .expect_err(write);
        let message = err.to_string();
        assert!(
            message.contains("READ ONLY transaction"),
            "{write}: {message}"
        );
    }
    let _ = sqlx::raw_sql("ROLLBACK").execute(&mut session).await;
    let _ = session.close().await;
    assert_eq!(before, snapshot(&mut db).await);
}

// ---------------------------------------------------------------------------
// Failures

#[tokio::test]
async fn refused() {
    let url = format!("mysql://root@127.0.0.1:{}/db", closed_port());
    let err = inspect(&probe(&url, &["t"])).await.expect_err("refused");
    assert_eq!(err.failure, Failure::Refused, "{err:?}");
    assert!(err.detail.contains("127.0.0.1"), "{err:?}");
}

#[tokio::test]
async fn black_hole_times_out_within_the_timeout() {
    let timeout = Duration::from_secs(1);
    let (port, hole) = black_hole(Duration::from_secs(3));
    let mut p = probe(&format!("mysql://root:S3cret@127.0.0.1:{port}/db"), &["t"]);
    p.timeout = timeout;
    let start = Instant::now();
    let err = inspect(&p).await.expect_err("black hole");
    let elapsed = start.elapsed();
    assert_eq!(err.failure, Failure::TimedOut, "{err:?}");
    assert!(elapsed >= timeout, "{elapsed:?}");
    assert!(elapsed <= timeout + timeout / 10, "{elapsed:?}");
    assert!(err.detail.contains("1000 ms"), "{err:?}");
    assert!(!err.detail.contains("S3cret"));
    let _ = hole.join();
}

#[tokio::test]
async fn unresolvable_host() {
    // `.invalid` never resolves (RFC 6761). On this machine the resolver
    // answers at once: std's "failed to lookup address information: Name
    // or service not known" (glibc EAI_NONAME); without any DNS it would
    // be "Temporary failure in name resolution" (EAI_AGAIN): both are
    // NameNotResolved.
    let err = inspect(&probe("mysql://u@nonexistent.invalid/db", &["t"]))
        .await
        .expect_err("unresolvable");
    assert_eq!(err.failure, Failure::NameNotResolved, "{err:?}");
    assert!(err.detail.contains("nonexistent.invalid"), "{err:?}");
}

#[tokio::test]
async fn invalid_urls() {
    for url in [
        "mysql://root@127.0.0.1:notaport/db",
        "postgres://root@127.0.0.1:5432/db",
        "127.0.0.1:3306/db",
        "mysql://root@127.0.0.1/db?ssl-mode=SOMETIMES",
    ] {
        let err = inspect(&probe(url, &["t"])).await.expect_err(url);
        assert_eq!(err.failure, Failure::InvalidUrl, "{url}: {err:?}");
    }
}

#[tokio::test]
async fn missing_database() {
    let Some(base) = server_url() else { return };
    let url = with_database(&base, &unique("bp_missing"));
    let err = inspect(&probe(&url, &["t"])).await.expect_err("missing");
    assert_eq!(err.failure, Failure::DatabaseMissing, "{err:?}");
    assert!(err.detail.contains("1049"), "{err:?}");
}

#[tokio::test]
async fn wrong_password() {
    let Some(base) = server_url() else { return };
    let mut db = TestDb::new(&base).await;
    let (user, _password) = db.user(&["GRANT SELECT ON `{db}`.* TO {user}"]).await;
    let err = inspect(&probe(&db.url_as(&user, "not-the-password"), &["orders"]))
        .await
        .expect_err("wrong password");
    assert_eq!(err.failure, Failure::AuthenticationFailed, "{err:?}");
    assert!(err.detail.contains("1045"), "{err:?}");
    assert!(!err.detail.contains("not-the-password"), "{err:?}");
}

#[tokio::test]
async fn tls_required_by_the_url() {
    let Some(base) = server_url() else { return };
    let mut admin = connect(&base).await;
    let have_ssl = scalar(&mut admin, "SELECT @@have_ssl").await;
    let url = with_database(&base, "");
    let url = if url.contains('?') {
        format!("{url}&ssl-mode=REQUIRED")
    } else {
        format!("{url}?ssl-mode=REQUIRED")
    };
    let result = inspect(&probe(&url, &[])).await;
    if have_ssl == "YES" {
        assert!(result.is_ok(), "{result:?}");
    } else {
        // This machine's MariaDB has TLS disabled (`have_ssl` DISABLED): the
        // greeting does not offer it and the driver gives up before
        // authenticating ("server does not support TLS").
        let err = result.expect_err("no TLS on this server");
        assert_eq!(err.failure, Failure::TlsFailed, "{err:?}");
        assert!(err.detail.contains("does not offer"), "{err:?}");
    }
}

// ---------------------------------------------------------------------------
// Secrets

#[tokio::test]
async fn the_password_never_shows() {
    let secret = unique("S3cretPw-x");
    let encoded = format!("{secret}%2Fy");
    let decoded = format!("{secret}/y");
    let secrets = [secret.as_str(), decoded.as_str()];

    // Without a server: closed port, black hole, bad URLs.
    let refused = format!("mysql://bp_user_x:{encoded}@127.0.0.1:{}/db", closed_port());
    let err = inspect(&probe(&refused, &["t"]))
        .await
        .expect_err("refused");
    assert_eq!(err.failure, Failure::Refused);
    assert_no_secret(&err, &secrets);

    let (port, hole) = black_hole(Duration::from_secs(2));
    let mut p = probe(
        &format!("mysql://bp_user_x:{encoded}@127.0.0.1:{port}/db"),
        &["t"],
    );
    p.timeout = Duration::from_millis(300);
    let err = inspect(&p).await.expect_err("black hole");
    assert_eq!(err.failure, Failure::TimedOut);
    assert_no_secret(&err, &secrets);
    let _ = hole.join();

    for url in [
        format!("mysql://bp_user_x:{encoded}@127.0.0.1:notaport/db"),
        format!("mysql://bp_user_x:{encoded}@127.0.0.1/db?ssl-mode={encoded}"),
        format!("postgres://bp_user_x:{encoded}@127.0.0.1/db"),
        format!("mysql://bp_user_x:{secret}%zz@127.0.0.1/db"),
    ] {
        let err = inspect(&probe(&url, &["t"])).await.expect_err("invalid");
        assert_no_secret(&err, &secrets);
    }

    // With the server: a real user, a wrong password; a missing database.
    let Some(base) = server_url() else { return };
    let mut db = TestDb::new(&base).await;
    let (user, _) = db.user(&["GRANT SELECT ON `{db}`.* TO {user}"]).await;
    let err = inspect(&probe(&db.url_as(&user, &encoded), &["orders"]))
        .await
        .expect_err("wrong password");
    assert_eq!(err.failure, Failure::AuthenticationFailed);
    assert_no_secret(&err, &secrets);
    let err = inspect(&probe(
        &as_user(&base, "bp_user_x", &encoded, "db"),
        &["orders"],
    ))
    .await
    .expect_err("no such user");
    assert_eq!(err.failure, Failure::AuthenticationFailed);
    assert_no_secret(&err, &secrets);
}
