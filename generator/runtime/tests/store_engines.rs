//! The enhanced store against real databases: SQLite files always,
//! PostgreSQL from `DATABASE_URL_POSTGRES` and MariaDB/MySQL from
//! `DATABASE_URL_MYSQL` (skipped with a reason when unset, failing when
//! `BLUEPRINT_REQUIRE_SERVICES=1`). Each test gets its own database.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use blueprint_runtime::store::{Engine, Migrations, Store, StoreConfig, StoreError};
use blueprint_runtime::{Metrics, Readiness};
use serde_json::{json, Value};
use sqlx::{AssertSqlSafe, Connection};

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("bp_store_{}_{n}_{nanos}", std::process::id())
}

/// A database that exists for one test and is dropped after it.
struct TestDb {
    engine: Engine,
    url: String,
    /// Server URL to drop the database through, or the SQLite directory.
    admin_url: String,
    name: String,
    dir: Option<PathBuf>,
}

impl TestDb {
    async fn new(engine: Engine) -> Option<TestDb> {
        let name = unique_name();
        if engine == Engine::Sqlite {
            let dir = std::env::temp_dir().join(&name);
            std::fs::create_dir_all(&dir).unwrap();
            let url = format!("sqlite://{}", dir.join("store.db").display());
            let (admin_url, dir) = (String::new(), Some(dir));
            return Some(TestDb {
                engine,
                url,
                admin_url,
                name,
                dir,
            });
        }
        let var = match engine {
            Engine::Postgres => "DATABASE_URL_POSTGRES",
            _ => "DATABASE_URL_MYSQL",
        };
        let Ok(admin_url) = std::env::var(var) else {
            if std::env::var("BLUEPRINT_REQUIRE_SERVICES").as_deref() == Ok("1") {
                panic!("{var} is unset but BLUEPRINT_REQUIRE_SERVICES=1");
            }
            eprintln!("skipping: {var} is unset");
            return None;
        };
        let create = format!("CREATE DATABASE {name}");
        execute(engine, &admin_url, &create).await;
        let base = admin_url.split('?').next().unwrap();
        let url = format!("{}/{name}", &base[..base.rfind('/').unwrap()]);
        Some(TestDb {
            engine,
            url,
            admin_url,
            name,
            dir: None,
        })
    }

    fn config(&self, table: &str, migrations: Migrations) -> StoreConfig {
        StoreConfig {
            component: "orders".into(),
            pool_name: "main".into(),
            url: self.url.clone(),
            engine: self.engine,
            max_connections: 5,
            min_connections: 1,
            acquire_timeout: Duration::from_secs(5),
            table: table.into(),
            key: "id".into(),
            schema: schema(),
            migrations,
        }
    }

    async fn store(&self, metrics: &Metrics) -> Store {
        Store::connect(self.config("order items", Migrations::Auto), metrics)
            .await
            .expect("connect with migrations: auto")
    }
}

async fn execute(engine: Engine, url: &str, sql: &str) {
    let sql = AssertSqlSafe(sql.to_owned());
    match engine {
        Engine::Postgres => {
            let mut c = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::query(sql).execute(&mut c).await.unwrap();
        }
        Engine::Mysql => {
            let mut c = sqlx::MySqlConnection::connect(url).await.unwrap();
            sqlx::query(sql).execute(&mut c).await.unwrap();
        }
        Engine::Sqlite => unreachable!("SQLite databases are files"),
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
            return;
        }
        let drop_sql = match self.engine {
            Engine::Postgres => format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
            _ => format!("DROP DATABASE IF EXISTS {}", self.name),
        };
        let (engine, url) = (self.engine, self.admin_url.clone());
        // Drop runs inside the test's runtime: block on a runtime of our own.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(execute(engine, &url, &drop_sql));
        })
        .join();
        if dropped.is_err() && !std::thread::panicking() {
            panic!("could not drop test database {}", self.name);
        }
    }
}

fn schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "id": { "type": "string", "maxLength": 64 },
            "name": { "type": "string", "maxLength": 40 },
            "quantity": { "type": "integer", "minimum": 0 },
            "price": { "type": "number" },
            "paid": { "type": "boolean" },
            "details": { "type": "object" }
        },
        "required": ["id", "name", "quantity"]
    })
}

fn item(id: &str) -> Value {
    json!({ "id": id, "name": format!("item {id}"), "quantity": 3 })
}

async fn crud_round_trip(db: TestDb) {
    let store = db.store(&Metrics::new()).await;
    let record = json!({
        "id": "a-1", "name": "Ünïcode widget", "quantity": 9_000_000_000_i64,
        "price": 19.99, "paid": true,
        "details": { "colour": "red", "sizes": [1, 2.5, "L"], "gift": false }
    });
    assert_eq!(store.create(&record).await.unwrap(), record);
    assert_eq!(
        store.get(&json!("a-1")).await.unwrap(),
        Some(record.clone())
    );
    let err = store.create(&record).await.unwrap_err();
    assert_eq!(err.status(), 409, "{err}");

    let changed = json!({ "name": "renamed", "quantity": 0, "price": -0.5, "paid": false });
    let mut expected = changed.clone();
    expected["id"] = json!("a-1");
    let updated = store.update(&json!("a-1"), &changed).await.unwrap();
    assert_eq!(updated, Some(expected.clone()));
    assert_eq!(store.get(&json!("a-1")).await.unwrap(), Some(expected));
    assert_eq!(
        store.update(&json!("nope"), &item("nope")).await.unwrap(),
        None
    );

    assert!(store.delete(&json!("a-1")).await.unwrap());
    assert!(!store.delete(&json!("a-1")).await.unwrap());
    assert_eq!(store.get(&json!("a-1")).await.unwrap(), None);
    store.readiness().await.expect("database answers");
    let readiness = Readiness::new();
    store.register_readiness(&readiness);
    assert!(readiness.failing().await.is_empty());
}

async fn list_paging(db: TestDb) {
    let store = db.store(&Metrics::new()).await;
    let ids = ["e", "b", "d", "a", "c"];
    let records: Vec<Value> = ids.iter().map(|id| item(id)).collect();
    assert_eq!(store.create_many(&records).await.unwrap(), 5);
    let page = |offset, limit| {
        let store = store.clone();
        async move {
            let rows = store.list(offset, limit).await.unwrap();
            rows.iter()
                .map(|r| r["id"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(page(0, 2).await, ["a", "b"]);
    assert_eq!(page(2, 2).await, ["c", "d"]);
    assert_eq!(page(4, 2).await, ["e"]);
    assert!(page(5, 2).await.is_empty());
    assert_eq!(store.list(0, 1).await.unwrap(), vec![item("a")]);
}

async fn invalid_records_write_nothing(db: TestDb) {
    let store = db.store(&Metrics::new()).await;
    let cases = [
        (json!({ "id": "x", "name": "no quantity" }), "quantity"),
        (
            json!({ "id": "x", "name": "n", "quantity": "three" }),
            "three",
        ),
        (
            json!({ "id": "x", "name": "n".repeat(41), "quantity": 1 }),
            "longer",
        ),
        (json!({ "id": "x", "name": "n", "quantity": -1 }), "minimum"),
        (json!({ "name": "no key", "quantity": 1 }), "id"),
    ];
    for (record, mention) in cases {
        let err = store.create(&record).await.unwrap_err();
        assert_eq!(err.status(), 400, "{err}");
        assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
        assert!(
            err.to_string().contains(mention),
            "{err} should mention {mention}"
        );
    }
    let err = store
        .update(&json!("x"), &json!({ "name": 5 }))
        .await
        .unwrap_err();
    assert_eq!(err.status(), 400, "{err}");
    assert!(store.list(0, 100).await.unwrap().is_empty());
}

async fn create_many_is_all_or_nothing(db: TestDb) {
    let store = db.store(&Metrics::new()).await;
    let mut records = vec![item("1"), item("2"), item("3")];
    records[1]["quantity"] = json!("many");
    let err = store.create_many(&records).await.unwrap_err();
    assert!(err.to_string().contains("record 1"), "{err}");
    assert!(store.list(0, 100).await.unwrap().is_empty());
    // A duplicate key fails at the database: the first row is rolled back.
    let dupes = vec![item("1"), item("1")];
    assert_eq!(store.create_many(&dupes).await.unwrap_err().status(), 409);
    assert!(store.list(0, 100).await.unwrap().is_empty());
    records[1]["quantity"] = json!(2);
    assert_eq!(store.create_many(&records).await.unwrap(), 3);
    assert_eq!(store.list(0, 100).await.unwrap().len(), 3);
}

/// A thousand records, keys not in key order: written in one call, read
/// back equal, and returned in input order by `create_many_stored`.
async fn create_many_thousand(db: TestDb) {
    let metrics = Metrics::new();
    let store = db.store(&metrics).await;
    let ids: Vec<String> = (0..1000)
        .map(|n| format!("k{:04}", (n * 7919) % 1000))
        .collect();
    let records: Vec<Value> = (ids.iter())
        .map(|id| {
            json!({ "id": id, "name": format!("item {id}"), "quantity": 3,
                          "price": 1.5, "paid": true, "details": { "n": [id] } })
        })
        .collect();
    assert_eq!(store.create_many(&records).await.unwrap(), 1000);
    let mut sorted = records.clone();
    sorted.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    assert_eq!(store.list(0, 2000).await.unwrap(), sorted);

    let more: Vec<Value> = (0..1000).map(|n| item(&format!("m{}", 999 - n))).collect();
    assert_eq!(store.create_many_stored(&more).await.unwrap(), more);
    assert_eq!(store.list(0, 3000).await.unwrap().len(), 2000);
    // One operation per call, labelled as before.
    let text = metrics.encode();
    let calls = metric_value(
        &text,
        "db_client_operation_duration_seconds_count",
        &["operation=\"create_many\""],
    );
    assert_eq!(calls, 2.0, "{text}");
}

/// 100 columns: 327 rows per INSERT on SQLite (32766 binds), 655 on
/// PostgreSQL and MySQL (65535), so 1000 rows take several statements, all
/// in one transaction.
async fn create_many_over_the_bind_limit(db: TestDb) {
    let mut config = db.config("wide", Migrations::Auto);
    let mut properties = serde_json::Map::new();
    properties.insert("id".into(), json!({ "type": "integer" }));
    for c in 1..100 {
        properties.insert(format!("c{c}"), json!({ "type": "integer" }));
    }
    config.schema = json!({ "type": "object", "properties": properties, "required": ["id"] });
    let store = Store::connect(config, &Metrics::new()).await.unwrap();
    let record = |id: i64| {
        let mut r = serde_json::Map::new();
        r.insert("id".into(), json!(id));
        for c in 1..100 {
            r.insert(format!("c{c}"), json!(id * 1000 + c));
        }
        Value::Object(r)
    };
    let records: Vec<Value> = (0..1000).map(record).collect();
    assert_eq!(store.create_many_stored(&records).await.unwrap(), records);
    assert_eq!(store.list(0, 2000).await.unwrap(), records);

    // A key already written, in the last statement: the earlier statements
    // are rolled back with it.
    let mut again: Vec<Value> = (1000..2000).map(record).collect();
    again[999] = record(5);
    let err = store.create_many(&again).await.unwrap_err();
    assert_eq!(err.status(), 409, "{err}");
    assert!(matches!(err, StoreError::Conflict), "{err:?}");
    assert_eq!(store.list(0, 3000).await.unwrap().len(), 1000);
}

/// One bad record among a thousand, or one key twice: nothing is written.
async fn create_many_batch_is_atomic(db: TestDb) {
    let store = db.store(&Metrics::new()).await;
    let mut records: Vec<Value> = (0..1000).map(|n| item(&format!("a{n}"))).collect();
    records[500]["quantity"] = json!(-1);
    let err = store.create_many(&records).await.unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    assert!(err.to_string().contains("record 500"), "{err}");
    let err = store.create_many_stored(&records).await.unwrap_err();
    assert_eq!(err.status(), 400, "{err}");
    assert!(store.list(0, 2000).await.unwrap().is_empty());

    records[500] = item("a7");
    for err in [
        store.create_many(&records).await.unwrap_err(),
        store.create_many_stored(&records).await.unwrap_err(),
    ] {
        assert!(matches!(err, StoreError::Conflict), "{err:?}");
    }
    assert!(store.list(0, 2000).await.unwrap().is_empty());
    assert_eq!(store.create_many(&[]).await.unwrap(), 0);
    assert!(store.create_many_stored(&[]).await.unwrap().is_empty());
}

async fn verify_and_auto(db: TestDb) {
    let metrics = Metrics::new();
    let verify = db.config("customer_orders", Migrations::Verify);
    let err = Store::connect(verify.clone(), &metrics)
        .await
        .err()
        .expect("verify must fail");
    assert!(err.to_string().contains("customer_orders"), "{err}");
    let off = db.config("customer_orders", Migrations::Off);
    let store = Store::connect(off, &metrics).await.unwrap();
    assert!(
        store.get(&json!("a")).await.is_err(),
        "Off must not create the table"
    );
    let auto = db.config("customer_orders", Migrations::Auto);
    Store::connect(auto.clone(), &metrics).await.unwrap();
    Store::connect(auto, &metrics)
        .await
        .expect("auto is idempotent");
    let store = Store::connect(verify, &metrics)
        .await
        .expect("verify after auto");
    store.create(&item("a")).await.unwrap();

    let mut wider = db.config("customer_orders", Migrations::Verify);
    wider.schema["properties"]["colour"] = json!({ "type": "string" });
    let err = Store::connect(wider, &metrics)
        .await
        .err()
        .expect("column is missing");
    assert!(err.to_string().contains("colour"), "{err}");
}

/// A field added to the schema after the table was created: `auto` adds
/// its column (NULL in the rows already there), the new field is stored,
/// and `verify` is then satisfied.
async fn auto_adds_new_columns(db: TestDb) {
    let metrics = Metrics::new();
    let before = Store::connect(db.config("growing", Migrations::Auto), &metrics)
        .await
        .unwrap();
    before.create(&item("old")).await.unwrap();
    drop(before);

    let mut wider = db.config("growing", Migrations::Auto);
    wider.schema["properties"]["colour"] = json!({ "type": "string", "maxLength": 20 });
    wider.schema["properties"]["rank"] = json!({ "type": "integer" });
    let store = Store::connect(wider.clone(), &metrics)
        .await
        .expect("auto adds the missing columns");
    let old = store
        .get(&json!("old"))
        .await
        .unwrap()
        .expect("old row kept");
    assert_eq!(old["name"], "item old");
    assert!(old.get("colour").is_none_or(Value::is_null), "{old}");
    let mut new = item("new");
    new["colour"] = json!("teal");
    new["rank"] = json!(2);
    store.create(&new).await.unwrap();
    let read = store.get(&json!("new")).await.unwrap().unwrap();
    assert_eq!(
        (&read["colour"], &read["rank"]),
        (&json!("teal"), &json!(2))
    );
    // Again: nothing left to add.
    Store::connect(wider.clone(), &metrics)
        .await
        .expect("auto is idempotent");
    wider.migrations = Migrations::Verify;
    Store::connect(wider, &metrics)
        .await
        .expect("verify is satisfied after auto added the columns");
}

fn metric_value(text: &str, name: &str, labels: &[&str]) -> f64 {
    text.lines()
        .filter(|l| l.starts_with(&format!("{name}{{")))
        .filter(|l| labels.iter().all(|want| l.contains(want)))
        .map(|l| l.rsplit(' ').next().unwrap().parse::<f64>().unwrap())
        .sum()
}

async fn metrics_after_operations(db: TestDb) {
    let metrics = Metrics::new();
    let store = db.store(&metrics).await;
    store.create(&item("m1")).await.unwrap();
    store.get(&json!("m1")).await.unwrap();
    store.list(0, 10).await.unwrap();
    let text = metrics.encode();
    let pool = ["component=\"orders\"", "pool_name=\"main\""];
    let count = |name: &str, op: &str| {
        let op = format!("operation=\"{op}\"");
        metric_value(&text, name, &[pool[0], pool[1], &op])
    };
    assert_eq!(
        count("db_client_operation_duration_seconds_count", "create"),
        1.0
    );
    assert_eq!(
        count("db_client_operation_duration_seconds_count", "list"),
        1.0
    );
    assert!(
        count("db_client_operation_duration_seconds_sum", "get") > 0.0,
        "{text}"
    );
    assert_eq!(
        metric_value(&text, "db_client_connection_max", &pool),
        5.0,
        "{text}"
    );
    let waits = metric_value(&text, "db_client_connection_wait_time_seconds_count", &pool);
    assert!(waits >= 3.0, "{text}");
    assert!(metric_value(&text, "db_client_connection_use_time_seconds_sum", &pool) > 0.0);
    assert_eq!(
        metric_value(&text, "db_client_connection_pending_requests", &pool),
        0.0
    );
    let open = metric_value(&text, "db_client_connection_count", &pool);
    assert!(open >= 1.0, "{text}");
}

async fn hostile_strings_are_bound(db: TestDb) {
    let store = db.store(&Metrics::new()).await;
    let nasty = "x'); DROP TABLE \"order items\"; -- `tick` \"dq\" \\ ;";
    let record = json!({ "id": nasty, "name": "a'b;\"c\"", "quantity": 1,
                         "details": { "note": nasty } });
    assert_eq!(store.create(&record).await.unwrap(), record);
    assert_eq!(
        store.get(&json!(nasty)).await.unwrap(),
        Some(record.clone())
    );
    assert_eq!(store.list(0, 10).await.unwrap(), vec![record]);
}

/// A store of tasks whose schema has defaults and formats.
async fn task_store(db: &TestDb) -> Store {
    let mut config = db.config("tasks", Migrations::Auto);
    config.schema = json!({
        "type": "object",
        "properties": {
            "id": { "type": "string", "format": "uuid" },
            "title": { "type": "string" },
            "done": { "type": "boolean", "default": false },
            "priority": { "type": "integer", "default": 2 },
            "labels": { "type": "array", "default": ["new"] },
            "due": { "type": "string", "format": "date-time" },
            "on": { "type": "string", "format": "date" },
            "owner": { "type": "string", "format": "email" }
        },
        "required": ["id", "title", "done"]
    });
    Store::connect(config, &Metrics::new()).await.unwrap()
}

const U1: &str = "67e55044-10b1-426f-9247-bb680e5fe0c8";
const U2: &str = "1b4e28ba-2fa1-11d2-883f-0016d3cca427";
const U3: &str = "6fa459ea-ee8a-3ca4-894e-db77e160355e";

async fn defaults_fill_missing_properties(db: TestDb) {
    let store = task_store(&db).await;
    let defaulted = |id: &str, title: &str| json!({ "id": id, "title": title, "done": false, "priority": 2, "labels": ["new"] });
    // `done` is required, but its default satisfies it.
    let created = store
        .create(&json!({ "id": U1, "title": "a" }))
        .await
        .unwrap();
    assert_eq!(created, defaulted(U1, "a"));
    assert_eq!(
        store.get(&json!(U1)).await.unwrap(),
        Some(defaulted(U1, "a"))
    );
    // Given values win; an explicit null stays null (no default for it).
    let given = json!({ "id": U2, "title": "b", "done": true, "priority": 7, "labels": [] });
    assert_eq!(store.create(&given).await.unwrap(), given);
    let err = store
        .create(&json!({ "id": U3, "title": "c", "done": null }))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");

    store.delete(&json!(U1)).await.unwrap();
    store.delete(&json!(U2)).await.unwrap();
    let many = [
        json!({ "id": U1, "title": "a" }),
        json!({ "id": U2, "title": "b" }),
    ];
    assert_eq!(store.create_many(&many).await.unwrap(), 2);
    assert_eq!(
        store.list(0, 10).await.unwrap(),
        vec![defaulted(U2, "b"), defaulted(U1, "a")]
    );

    // An update replaces the record: what it leaves out takes the default.
    let done = json!({ "title": "a", "done": true, "priority": 9 });
    store.update(&json!(U1), &done).await.unwrap();
    let updated = store
        .update(&json!(U1), &json!({ "title": "again" }))
        .await
        .unwrap();
    assert_eq!(updated, Some(defaulted(U1, "again")));
    assert_eq!(
        store.get(&json!(U1)).await.unwrap(),
        Some(defaulted(U1, "again"))
    );
}

async fn formats_are_validated(db: TestDb) {
    let store = task_store(&db).await;
    let cases = [
        (json!({ "id": "a1", "title": "t" }), "/id"),
        (json!({ "id": U1, "title": "t", "due": "tomorrow" }), "/due"),
        (
            json!({ "id": U1, "title": "t", "due": "2026-11-25" }),
            "/due",
        ),
        (json!({ "id": U1, "title": "t", "on": "2026-02-30" }), "/on"),
        (
            json!({ "id": U1, "title": "t", "owner": "not an address" }),
            "/owner",
        ),
    ];
    for (record, field) in &cases {
        let err = store.create(record).await.unwrap_err();
        assert_eq!(err.status(), 400, "{err}");
        let StoreError::Invalid(messages) = &err else {
            panic!("{record}: {err:?}");
        };
        assert!(
            messages.iter().any(|m| m.starts_with(field)),
            "{record}: {messages:?} should name {field}"
        );
    }
    let batch: Vec<Value> = cases.iter().map(|(r, _)| r.clone()).collect();
    assert_eq!(store.create_many(&batch).await.unwrap_err().status(), 400);
    let err = store
        .update(&json!("a1"), &json!({ "title": "t" }))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("/id"), "{err}");
    assert!(store.list(0, 10).await.unwrap().is_empty());

    let good = json!({
        "id": U1, "title": "t", "done": true, "priority": 1, "labels": [],
        "due": "2026-11-25T05:35:00Z", "on": "2026-11-25", "owner": "ops@example.com"
    });
    assert_eq!(store.create(&good).await.unwrap(), good);
}

macro_rules! engine_tests {
    ($($case:ident),* $(,)?) => {
        mod sqlite { use super::*; $(
            #[tokio::test(flavor = "multi_thread")]
            async fn $case() { super::$case(TestDb::new(Engine::Sqlite).await.unwrap()).await }
        )* }
        mod postgres { use super::*; $(
            #[tokio::test(flavor = "multi_thread")]
            async fn $case() {
                if let Some(db) = TestDb::new(Engine::Postgres).await { super::$case(db).await }
            }
        )* }
        mod mysql { use super::*; $(
            #[tokio::test(flavor = "multi_thread")]
            async fn $case() {
                if let Some(db) = TestDb::new(Engine::Mysql).await { super::$case(db).await }
            }
        )* }
    };
}

engine_tests!(
    crud_round_trip,
    list_paging,
    invalid_records_write_nothing,
    create_many_is_all_or_nothing,
    create_many_thousand,
    create_many_over_the_bind_limit,
    create_many_batch_is_atomic,
    verify_and_auto,
    auto_adds_new_columns,
    metrics_after_operations,
    hostile_strings_are_bound,
    defaults_fill_missing_properties,
    formats_are_validated,
);
