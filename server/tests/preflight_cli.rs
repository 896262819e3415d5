//! The pre-flight end to end, as a user runs it: `blueprint preflight` and
//! `blueprint check --db` on blueprint files whose databases are real
//! SQLite files, PostgreSQL and MariaDB databases made for the test.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use sqlx::Connection;

/// The blueprint every test starts from: a REST endpoint and a store of
/// orders in database `main` at `URL`.
const BLUEPRINT: &str = r#"schema_version: "1.0.0"
system:
  name: shop
  description: Orders over REST
  version: 1.0.0
  databases:
    main:
      engine: ENGINE
      url: ${SHOP_DATABASE_URL}
      pool: { max_connections: 5 }
      migrations: verify
  components:
    - name: api
      type: APIEndpoint
      configuration: { port: 8080 }
      outputs: [{ name: out, schema: Order }]
    - name: orders
      type: Store
      inputs: [{ name: input, schema: Order }]
      configuration: { database: main, table: orders, key: id }
  bindings:
    - from: api.out
      to: orders.input
schemas:
  Order:
    type: object
    properties:
      id: { type: string }
      total: { type: number }
      note: { type: string }
    required: [id, total]
"#;

struct Run {
    stdout: String,
    stderr: String,
    status: i32,
    codes: Vec<String>,
}

/// Runs `blueprint ARGS --format json` and again in human form, with the
/// database URL in the environment (never in the file).
fn blueprint(dir: &Path, engine: &str, url: &str, args: &[&str]) -> Run {
    std::fs::write(
        dir.join("shop.blueprint.yaml"),
        BLUEPRINT.replace("ENGINE", engine),
    )
    .expect("write blueprint");
    let run = |format: &str| {
        Command::new(env!("CARGO_BIN_EXE_blueprint"))
            .args(args)
            .args([
                "--format",
                format,
                "--no-cache",
                "--timeout-ms",
                "3000",
                "shop.blueprint.yaml",
            ])
            .current_dir(dir)
            .env_clear()
            .env("SHOP_DATABASE_URL", url)
            .output()
            .expect("run blueprint")
    };
    let json = run("json");
    let human = run("human");
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json output");
    let codes = value["files"][0]["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_owned())
        .collect();
    Run {
        stdout: String::from_utf8_lossy(&human.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&human.stderr).into_owned(),
        status: human.status.code().unwrap_or(-1),
        codes,
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn required(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            let reason = format!("{var} is not set: skipping the tests against that server");
            assert!(
                std::env::var("BLUEPRINT_REQUIRE_SERVICES").as_deref() != Ok("1"),
                "{reason}"
            );
            eprintln!("skipped: {reason}");
            None
        }
    }
}

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{prefix}_{}_{}", std::process::id(), nanos % 1_000_000_000)
}

#[test]
fn sqlite_missing_file_is_reported_and_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let run = blueprint(dir.path(), "sqlite", "sqlite://shop.db", &["preflight"]);
    assert_eq!(run.codes, ["BP310"], "{}", run.stdout);
    assert_eq!(run.status, 1);
    assert!(run.stdout.contains("does not exist"), "{}", run.stdout);
    assert!(
        !dir.path().join("shop.db").exists(),
        "the pre-flight created the database file"
    );
}

#[test]
fn sqlite_matching_and_mismatching_tables() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let create = |sql: &'static str| {
        let url = format!("sqlite://{}?mode=rwc", db.display());
        runtime().block_on(async move {
            let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
            sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
            conn.close().await.unwrap();
        });
    };
    create("CREATE TABLE orders (id TEXT PRIMARY KEY NOT NULL, total REAL NOT NULL, note TEXT);");
    // Relative to the blueprint, not to where the command runs.
    let run = blueprint(dir.path(), "sqlite", "sqlite://shop.db", &["preflight"]);
    assert_eq!(
        (run.status, run.codes.as_slice()),
        (0, &[] as &[String]),
        "{}",
        run.stdout
    );

    std::fs::remove_file(&db).unwrap();
    create("CREATE TABLE orders (id TEXT PRIMARY KEY NOT NULL, total TEXT, owner TEXT NOT NULL);");
    let run = blueprint(dir.path(), "sqlite", "sqlite://shop.db", &["check", "--db"]);
    let mut codes = run.codes.clone();
    codes.sort();
    assert_eq!(
        codes,
        ["BP313", "BP314", "BP315", "BP317"],
        "{}",
        run.stdout
    );
    assert_eq!(run.status, 1);
    // No progress line when stderr is not a terminal.
    assert!(!run.stderr.contains("pre-flight:"), "{}", run.stderr);
}

#[test]
fn postgres_end_to_end() {
    let Some(admin_url) = required("DATABASE_URL_POSTGRES") else {
        return;
    };
    let name = unique("bp_pfcli");
    let role = unique("bp_pfcli_ro");
    let rt = runtime();
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url.as_str(), |(b, _)| b)
        .to_owned();
    let db_url = format!("{base}/{name}");
    rt.block_on(async {
        let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut admin).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE ROLE {role} LOGIN"))).execute(&mut admin).await.unwrap();
        let mut db = sqlx::PgConnection::connect(&db_url).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE TABLE orders (id text PRIMARY KEY, total numeric NOT NULL, note text); GRANT SELECT ON orders TO {role};"))).execute(&mut db).await.unwrap();
        db.close().await.unwrap();
    });
    let owner = blueprint(
        Path::new(env!("CARGO_TARGET_TMPDIR")),
        "postgres",
        &db_url,
        &["preflight"],
    );
    let reader_url = format!(
        "postgres://{role}@{}",
        db_url.split_once('@').map_or("", |(_, h)| h)
    );
    let reader = blueprint(
        Path::new(env!("CARGO_TARGET_TMPDIR")),
        "postgres",
        &reader_url,
        &["preflight"],
    );
    let missing = blueprint(
        Path::new(env!("CARGO_TARGET_TMPDIR")),
        "postgres",
        &format!("{base}/{name}_absent"),
        &["preflight"],
    );
    rt.block_on(async {
        let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .execute(&mut admin)
        .await
        .unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP ROLE IF EXISTS {role}")))
            .execute(&mut admin)
            .await
            .unwrap();
    });
    assert_eq!(owner.codes, [] as [String; 0], "{}", owner.stdout);
    assert_eq!(reader.codes, ["BP318"], "{}", reader.stdout);
    assert!(
        reader.stdout.contains("INSERT, UPDATE, DELETE"),
        "{}",
        reader.stdout
    );
    assert_eq!(missing.codes, ["BP310"], "{}", missing.stdout);
    assert!(
        missing.stdout.contains("does not exist"),
        "{}",
        missing.stdout
    );
}

#[test]
fn mysql_end_to_end() {
    let Some(admin_url) = required("DATABASE_URL_MYSQL") else {
        return;
    };
    let name = unique("bp_pfcli");
    let rt = runtime();
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url.as_str(), |(b, _)| b)
        .to_owned();
    let db_url = format!("{base}/{name}");
    rt.block_on(async {
        let mut admin = sqlx::MySqlConnection::connect(&admin_url).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut admin).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE TABLE {name}.orders (id varchar(36) PRIMARY KEY, total int NOT NULL, note text)"))).execute(&mut admin).await.unwrap();
    });
    let found = blueprint(
        Path::new(env!("CARGO_TARGET_TMPDIR")),
        "mysql",
        &db_url,
        &["preflight"],
    );
    rt.block_on(async {
        let mut admin = sqlx::MySqlConnection::connect(&admin_url).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name}"
        )))
        .execute(&mut admin)
        .await
        .unwrap();
    });
    // `total` is an int column for a number field: integers are numbers,
    // but not the other way round.
    assert_eq!(found.codes, ["BP314"], "{}", found.stdout);
}

/// A server that accepts connections and never answers: the pre-flight
/// gives one diagnostic, within the timeout and 10 %.
#[test]
fn a_black_holed_server_yields_one_diagnostic_in_time() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().take(16).flatten() {
            held.push(stream);
        }
    });
    let text = BLUEPRINT.replace("ENGINE", "postgres").replace(
        "${SHOP_DATABASE_URL}",
        &format!("postgres://app:pw@127.0.0.1:{port}/shop"),
    );
    let parsed = blueprint_grammars::yaml::parse(&text);
    let model = blueprint_grammars::model::lower(parsed.root.as_ref(), &text);
    let options = blueprint_server::preflight::Options {
        timeout: Duration::from_millis(1000),
        ..Default::default()
    };
    let cache = blueprint_server::preflight::cache::Cache::disabled();
    let started = Instant::now();
    let diagnostics = runtime().block_on(blueprint_server::preflight::run(
        &model,
        &Default::default(),
        None,
        &options,
        &cache,
        &|_| {},
    ));
    let elapsed = started.elapsed();
    assert_eq!(
        diagnostics.iter().map(|d| d.rule.code).collect::<Vec<_>>(),
        ["BP310"]
    );
    assert!(
        diagnostics[0].message.contains("timeout"),
        "{}",
        diagnostics[0].message
    );
    assert!(elapsed <= Duration::from_millis(1100), "took {elapsed:?}");
}

/// The password of a database URL appears nowhere: not in any output
/// format, not in the trace-level log (which includes sqlx's own events).
#[test]
fn no_format_and_no_log_line_shows_the_password() {
    let secret = format!("S3cret-{}", std::process::id());
    let mut urls = vec![("sqlite", format!("sqlite://app:{secret}@nowhere/shop.db"))];
    if let Some(pg) = required("DATABASE_URL_POSTGRES") {
        // Trust authentication accepts any password: the connection
        // succeeds and every step (connect, catalogue, pings) is logged.
        let host = pg.split_once('@').map_or("", |(_, h)| h).to_owned();
        urls.push(("postgres", format!("postgres://postgres:{secret}@{host}")));
    }
    if let Some(my) = required("DATABASE_URL_MYSQL") {
        let host = my.split_once('@').map_or("", |(_, h)| h).to_owned();
        urls.push(("mysql", format!("mysql://root:{secret}@{host}")));
    }
    let dir = tempfile::tempdir().unwrap();
    for (engine, url) in urls {
        std::fs::write(
            dir.path().join("shop.blueprint.yaml"),
            BLUEPRINT.replace("ENGINE", engine),
        )
        .unwrap();
        for format in ["human", "json", "sarif"] {
            let output = Command::new(env!("CARGO_BIN_EXE_blueprint"))
                .args([
                    "check",
                    "--db",
                    "--no-cache",
                    "--format",
                    format,
                    "shop.blueprint.yaml",
                ])
                .current_dir(dir.path())
                .env_clear()
                .env("SHOP_DATABASE_URL", &url)
                .env("BLUEPRINT_LOG", "trace")
                .output()
                .expect("run blueprint");
            let all = format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            assert!(
                all.contains("inspect"),
                "{engine}/{format}: the trace log is missing:\n{all}"
            );
            assert!(
                !all.contains(&secret),
                "{engine}/{format} shows the password:\n{all}"
            );
        }
    }
}

/// A second pre-flight within the cache's lifetime does not ask the
/// database again; `--no-cache` always does.
#[test]
fn results_are_cached_unless_told_not_to() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let url = format!("sqlite://{}?mode=rwc", db.display());
    runtime().block_on(async {
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::raw_sql(
            "CREATE TABLE orders (id TEXT PRIMARY KEY NOT NULL, total REAL NOT NULL, note TEXT);",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        conn.close().await.unwrap();
    });
    std::fs::write(
        dir.path().join("shop.blueprint.yaml"),
        BLUEPRINT.replace("ENGINE", "sqlite"),
    )
    .unwrap();
    let run = |extra: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_blueprint"))
            .arg("preflight")
            .args(extra)
            .arg("shop.blueprint.yaml")
            .current_dir(dir.path())
            .env_clear()
            .env("SHOP_DATABASE_URL", "sqlite://shop.db")
            .env("BLUEPRINT_CACHE_DIR", dir.path().join("cache"))
            .env("BLUEPRINT_LOG", "debug")
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stdout)
        );
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    assert!(run(&[]).contains("inspecting"));
    assert!(run(&[]).contains("inspection from the cache"));
    let fresh = run(&["--no-cache"]);
    assert!(
        fresh.contains("inspecting") && !fresh.contains("from the cache"),
        "{fresh}"
    );
}

/// Every pre-flight rule that a real PostgreSQL server can be made to
/// trigger, in one run, and the same blueprint passing against a matching
/// database. (BP311, an unsupported server version, needs an old server;
/// `compare`'s unit tests cover it.)
#[test]
fn postgres_triggers_each_rule_against_a_real_server() {
    let Some(admin_url) = required("DATABASE_URL_POSTGRES") else {
        return;
    };
    let name = unique("bp_pfrules");
    let rt = runtime();
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url.as_str(), |(b, _)| b)
        .to_owned();
    let db_url = format!("{base}/{name}");
    let max_connections: i64 = rt.block_on(async {
        let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut admin).await.unwrap();
        let mut db = sqlx::PgConnection::connect(&db_url).await.unwrap();
        // orders: `total` is text (BP314), `note` is missing (BP313), the
        // primary key is `serial` (BP316), `owner` is NOT NULL and unknown to
        // the schema (BP317), `id` allows NULL though required (BP315 hint).
        sqlx::raw_sql("CREATE TABLE orders (serial bigserial PRIMARY KEY, id text, total text, owner text NOT NULL)").execute(&mut db).await.unwrap();
        db.close().await.unwrap();
        let row: (String,) = sqlx::query_as("SHOW max_connections").fetch_one(&mut admin).await.unwrap();
        row.0.parse().unwrap()
    });
    let dir = tempfile::tempdir().unwrap();
    // A pool above the server's limit (BP320), and a second store whose
    // table is missing (BP312, an error with `migrations: verify`).
    let text = BLUEPRINT
        .replace("ENGINE", "postgres")
        .replace("pool: { max_connections: 5 }", &format!("pool: {{ max_connections: {} }}", max_connections + 1))
        .replace("      to: orders.input\n", "      to: [orders.input, archive.input]\n")
        .replace(
            "  bindings:",
            "    - name: archive\n      type: Store\n      inputs: [{ name: input, schema: Order }]\n      configuration: { database: main, table: archived_orders }\n  bindings:",
        );
    std::fs::write(dir.path().join("shop.blueprint.yaml"), text).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_blueprint"))
        // A 0 ms threshold makes any round trip "slow" (BP319).
        .args([
            "preflight",
            "--no-cache",
            "--slow-ms",
            "0",
            "--format",
            "json",
            "shop.blueprint.yaml",
        ])
        .current_dir(dir.path())
        .env_clear()
        .env("SHOP_DATABASE_URL", &db_url)
        .output()
        .unwrap();
    rt.block_on(async {
        let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .execute(&mut admin)
        .await
        .unwrap();
    });
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut codes: Vec<&str> = value["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(
        codes,
        ["BP312", "BP313", "BP314", "BP315", "BP316", "BP317", "BP319", "BP320"],
        "{value:#}"
    );
    assert_eq!(output.status.code(), Some(1));
}

/// On a terminal the pre-flight shows what it is waiting on; piped, it
/// prints nothing extra (checked in `sqlite_matching_and_mismatching_tables`).
#[test]
fn a_terminal_sees_a_progress_line() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: `script` (util-linux) is not installed, so no pseudo-terminal");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("shop.blueprint.yaml"),
        BLUEPRINT.replace("ENGINE", "sqlite"),
    )
    .unwrap();
    let command = format!(
        "{} preflight --no-cache --color never shop.blueprint.yaml",
        env!("CARGO_BIN_EXE_blueprint")
    );
    // `script` runs the command on a pseudo-terminal and copies what it
    // printed, stderr included, to its own stdout.
    let output = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(dir.path())
        .env_clear()
        .env("SHOP_DATABASE_URL", "sqlite://shop.db")
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&output.stdout);
    assert!(
        shown.contains("pre-flight: inspecting `main` at sqlite://"),
        "{shown}"
    );
    assert!(shown.contains("BP310"), "{shown}");
}
