//! `behaviour::store::handle` on a real SQLite store: pushed records and
//! batches (chunked, one transaction per chunk), and operations answered on
//! the reply slot, errors included.

use std::time::Duration;

use blueprint_runtime::behaviour::store::handle;
use blueprint_runtime::store::{Engine, Migrations, Store, StoreConfig};
use blueprint_runtime::{Message, Metrics, Operation, Reply};
use serde_json::{json, Value};

async fn store(dir: &tempfile::TempDir) -> Store {
    let config = StoreConfig {
        component: "events".into(),
        pool_name: "main".into(),
        url: format!("sqlite://{}", dir.path().join("events.db").display()),
        engine: Engine::Sqlite,
        max_connections: 2,
        min_connections: 1,
        acquire_timeout: Duration::from_secs(5),
        table: "events".into(),
        key: "id".into(),
        schema: json!({
            "type": "object",
            "properties": {
                "id": {"type": "string"},
                "size": {"type": "integer"},
                "checked": {"type": "boolean", "default": false}
            },
            "required": ["id", "size"]
        }),
        migrations: Migrations::Auto,
    };
    Store::connect(config, &Metrics::new()).await.unwrap()
}

fn message(record: Value, operation: Option<Operation>, reply: Option<Reply>) -> Message {
    Message {
        port: "in".into(),
        record,
        reply,
        operation,
    }
}

fn event(id: &str, size: i64) -> Value {
    json!({"id": id, "size": size})
}

/// `event` as the store keeps it: with the schema's default applied.
fn stored(id: &str, size: i64) -> Value {
    json!({"id": id, "size": size, "checked": false})
}

async fn count(store: &Store) -> usize {
    store.list(0, 1000).await.unwrap().len()
}

#[tokio::test]
async fn pushed_records_and_batches_are_created_in_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir).await;
    let written = handle(&store, &message(event("a", 1), None, None), 2).await;
    assert_eq!(written.unwrap(), vec![stored("a", 1)]);

    let batch: Vec<Value> = (0..5).map(|n| event(&format!("b{n}"), n)).collect();
    let pushed = message(Value::Array(batch.clone()), None, None);
    // Downstream gets the batch as stored, defaults applied, in order.
    let kept: Vec<Value> = (0..5).map(|n| stored(&format!("b{n}"), n)).collect();
    assert_eq!(handle(&store, &pushed, 2).await.unwrap(), kept);
    assert_eq!(count(&store).await, 6);

    // The second chunk holds an invalid record: the first chunk is
    // committed, the failing chunk and everything after it are not.
    let (reply, rx) = Reply::channel();
    let mixed =
        json!([event("c0", 0), event("c1", 1), event("c2", 2), {"id": "c3"}, event("c4", 4)]);
    let err = handle(&store, &message(mixed, None, Some(reply)), 2)
        .await
        .unwrap_err();
    assert_eq!(err.status, 400);
    assert_eq!(
        rx.await.unwrap().unwrap_err(),
        err,
        "the requester gets the error"
    );
    assert_eq!(count(&store).await, 8);
    assert!(store.get(&json!("c2")).await.unwrap().is_none());
}

#[tokio::test]
async fn operations_are_answered_on_the_reply() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir).await;
    let ask = |record: Value, op: Operation| {
        let (reply, rx) = Reply::channel();
        (message(record, Some(op), Some(reply)), rx)
    };
    let (m, rx) = ask(event("k", 3), Operation::Create);
    assert_eq!(handle(&store, &m, 10).await.unwrap(), vec![stored("k", 3)]);
    assert_eq!(rx.await.unwrap().unwrap(), stored("k", 3));

    let (m, rx) = ask(Value::Null, Operation::Read { key: "k".into() });
    assert!(handle(&store, &m, 10).await.unwrap().is_empty());
    assert_eq!(rx.await.unwrap().unwrap(), stored("k", 3));

    let (m, rx) = ask(
        Value::Null,
        Operation::List {
            offset: 0,
            limit: 5,
        },
    );
    handle(&store, &m, 10).await.unwrap();
    let page = json!({"items": [stored("k", 3)], "offset": 0, "limit": 5});
    assert_eq!(rx.await.unwrap().unwrap(), page);

    let (m, rx) = ask(json!({"size": 9}), Operation::Update { key: "k".into() });
    assert_eq!(handle(&store, &m, 10).await.unwrap(), vec![stored("k", 9)]);
    assert_eq!(rx.await.unwrap().unwrap(), stored("k", 9));

    let (m, rx) = ask(Value::Null, Operation::Delete { key: "k".into() });
    assert!(handle(&store, &m, 10).await.unwrap().is_empty());
    assert_eq!(rx.await.unwrap().unwrap(), Value::Null);

    for op in [
        Operation::Read { key: "k".into() },
        Operation::Update { key: "k".into() },
        Operation::Delete { key: "k".into() },
    ] {
        let (m, rx) = ask(json!({"size": 1}), op.clone());
        let err = handle(&store, &m, 10).await.unwrap_err();
        assert_eq!(err.status, 404, "{}", op.name());
        assert_eq!(rx.await.unwrap().unwrap_err().status, 404);
    }
}
