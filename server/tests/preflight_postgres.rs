//! The PostgreSQL pre-flight engine against a real server.
//!
//! The server comes from `DATABASE_URL_POSTGRES` (an admin URL, e.g.
//! `postgres://postgres@127.0.0.1:5432/test`). Without it every test prints
//! why it is skipped and passes — unless `BLUEPRINT_REQUIRE_SERVICES=1` (as
//! in CI), when it fails. Each test creates its own uniquely named
//! database (and roles) and drops them afterwards, also when it fails.
//! Every address used is on loopback.

#[path = "preflight_support/postgres.rs"]
mod postgres_support;
mod preflight_support;

use std::time::{Duration, Instant};

use blueprint_server::preflight::catalog::{Failure, Privileges, Probe};
use blueprint_server::preflight::postgres::connect_options;
use sqlx::{ConnectOptions, Connection};

use postgres_support::*;
use preflight_support::{closed_port, column as col};

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
