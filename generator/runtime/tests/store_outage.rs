//! Pooled connections killed by the server (as by a restart or a failover)
//! are replaced, not handed to requests: the pool does not ping every
//! connection it hands out (one round trip per operation), so this holds
//! only because the store pings connections that have been idle a while
//! and, after a connection-level failure, all of them. PostgreSQL from
//! `DATABASE_URL_POSTGRES`, MariaDB from `DATABASE_URL_MYSQL` (skipped when
//! unset, failing when `BLUEPRINT_REQUIRE_SERVICES=1`).

use std::time::Duration;

use blueprint_runtime::store::{Engine, Migrations, Store, StoreConfig};
use blueprint_runtime::Metrics;
use serde_json::json;
use sqlx::{AssertSqlSafe, Connection, Row};

fn url(engine: Engine) -> Option<String> {
    let var = match engine {
        Engine::Postgres => "DATABASE_URL_POSTGRES",
        _ => "DATABASE_URL_MYSQL",
    };
    match std::env::var(var) {
        Ok(u) => Some(u),
        Err(_) if std::env::var("BLUEPRINT_REQUIRE_SERVICES").as_deref() == Ok("1") => {
            panic!("{var} is unset but BLUEPRINT_REQUIRE_SERVICES=1")
        }
        Err(_) => {
            eprintln!("skipping: {var} is unset");
            None
        }
    }
}

/// Kill the store's server sessions: on PostgreSQL those with its
/// application name, on MariaDB those on its own database.
async fn kill_sessions(engine: Engine, url: &str, app: &str) -> usize {
    match engine {
        Engine::Postgres => {
            let mut c = sqlx::PgConnection::connect(url).await.unwrap();
            let sql = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                       WHERE application_name = $1 AND pid <> pg_backend_pid()";
            sqlx::query(sql)
                .bind(app)
                .fetch_all(&mut c)
                .await
                .unwrap()
                .len()
        }
        _ => {
            let mut c = sqlx::MySqlConnection::connect(url).await.unwrap();
            let sql = "SELECT id FROM information_schema.processlist \
                       WHERE db = ? AND id <> CONNECTION_ID()";
            let rows = sqlx::query(sql).bind(app).fetch_all(&mut c).await.unwrap();
            let ids: Vec<i64> = (rows.iter()).map(|r| r.get::<i64, _>(0)).collect();
            for id in &ids {
                let kill = format!("KILL {id}");
                let _ = sqlx::query(AssertSqlSafe(kill)).execute(&mut c).await;
            }
            ids.len()
        }
    }
}

async fn store(engine: Engine, url: &str, app: &str, table: &str) -> Store {
    let url = match engine {
        Engine::Postgres => {
            let sep = if url.contains('?') { '&' } else { '?' };
            format!("{url}{sep}application_name={app}")
        }
        _ => {
            let base = url.split('?').next().unwrap();
            format!("{}/{app}", &base[..base.rfind('/').unwrap()])
        }
    };
    let config = StoreConfig {
        component: "outage".into(),
        pool_name: "main".into(),
        url,
        engine,
        max_connections: 3,
        min_connections: 3,
        acquire_timeout: Duration::from_secs(5),
        table: table.into(),
        key: "id".into(),
        schema: json!({
            "type": "object",
            "properties": { "id": { "type": "string", "maxLength": 64 }, "n": { "type": "integer" } },
            "required": ["id"]
        }),
        migrations: Migrations::Auto,
    };
    Store::connect(config, &Metrics::new()).await.unwrap()
}

async fn killed_connections_are_replaced(engine: Engine) {
    let Some(url) = url(engine) else { return };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let name = format!("bp_outage_{}_{nanos}", std::process::id());
    if engine == Engine::Mysql {
        let mut c = sqlx::MySqlConnection::connect(&url).await.unwrap();
        let create = format!("CREATE DATABASE {name}");
        sqlx::query(AssertSqlSafe(create))
            .execute(&mut c)
            .await
            .unwrap();
    }
    let store = store(engine, &url, &name, &name).await;
    // Fill the pool: three callers at once.
    let fill = |round: u32| {
        let store = store.clone();
        async move {
            let ops = (0..3).map(|i| {
                let store = store.clone();
                async move {
                    store
                        .create(&json!({ "id": format!("{round}-{i}"), "n": i }))
                        .await
                }
            });
            let handles: Vec<_> = ops.map(tokio::spawn).collect();
            for h in handles {
                h.await.unwrap().unwrap();
            }
        }
    };
    fill(0).await;

    // Idle for longer than the store's idle-ping threshold: no request fails.
    assert!(kill_sessions(engine, &url, &name).await >= 1);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    for i in 0..5 {
        let id = format!("idle-{i}");
        let r = store.create(&json!({ "id": id, "n": 1 })).await;
        r.unwrap_or_else(|e| panic!("create {i} after an idle outage: {e}"));
    }

    // Killed while recently used: at most the first request fails (503,
    // retryable); it makes the store test every connection it hands out.
    fill(1).await;
    assert!(kill_sessions(engine, &url, &name).await >= 1);
    let first = store.get(&json!("0-0")).await;
    if let Err(e) = &first {
        assert_eq!(e.status(), 503, "{e}");
    }
    for i in 0..5 {
        let r = store
            .create(&json!({ "id": format!("busy-{i}"), "n": 1 }))
            .await;
        r.unwrap_or_else(|e| panic!("create {i} after a failed one: {e}"));
    }
    store.readiness().await.expect("ready");
    drop(store);
    let drop_sql = match engine {
        Engine::Postgres => format!("DROP TABLE \"{name}\""),
        _ => format!("DROP DATABASE {name}"),
    };
    match engine {
        Engine::Postgres => {
            let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
            sqlx::query(AssertSqlSafe(drop_sql))
                .execute(&mut c)
                .await
                .unwrap();
        }
        _ => {
            let mut c = sqlx::MySqlConnection::connect(&url).await.unwrap();
            sqlx::query(AssertSqlSafe(drop_sql))
                .execute(&mut c)
                .await
                .unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_killed_connections_are_replaced() {
    killed_connections_are_replaced(Engine::Postgres).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn mariadb_killed_connections_are_replaced() {
    killed_connections_are_replaced(Engine::Mysql).await;
}
