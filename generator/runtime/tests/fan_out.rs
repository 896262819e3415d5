//! Requests through a fan-out: the first branch answers, the others get
//! writes without the reply slot, and reads go to the first branch alone.

use std::sync::{Arc, Mutex};

use blueprint_runtime::{Component, ComponentError, Harness, Message, Operation, Output};
use serde_json::{json, Value};

/// Records what reached it, and answers with its name when it can.
struct Branch {
    name: &'static str,
    seen: Arc<Mutex<Vec<(String, bool)>>>,
}

impl Component for Branch {
    async fn process(&mut self, message: Message) -> Result<Vec<Output>, ComponentError> {
        let op = message.operation.as_ref().map_or("push", Operation::name);
        self.seen
            .lock()
            .unwrap()
            .push((op.to_owned(), message.reply.is_some()));
        message.respond(Ok(json!({ "from": self.name })));
        Ok(Vec::new())
    }
}

struct Forward;

impl Component for Forward {
    async fn process(&mut self, message: Message) -> Result<Vec<Output>, ComponentError> {
        Ok(vec![Output::forward(
            "out",
            message.record.clone(),
            &message,
        )])
    }
}

#[tokio::test]
async fn the_first_branch_answers_and_only_writes_are_copied() {
    let first = Arc::new(Mutex::new(Vec::new()));
    let second = Arc::new(Mutex::new(Vec::new()));
    let mut h = Harness::new();
    h.add_component("api", Forward).unwrap();
    // The second branch is added first: binding order decides, not this.
    h.add_component(
        "mirror",
        Branch {
            name: "mirror",
            seen: second.clone(),
        },
    )
    .unwrap();
    h.add_component(
        "primary",
        Branch {
            name: "primary",
            seen: first.clone(),
        },
    )
    .unwrap();
    h.bind(("api", "out"), ("primary", "in")).unwrap();
    h.bind(("api", "out"), ("mirror", "in")).unwrap();
    let inlet = h.inlet("api", "http").unwrap();
    let token = h.token();
    let run = tokio::spawn(h.run());

    let create: Value = inlet
        .request_operation(Operation::Create, json!({ "id": 1 }))
        .await
        .unwrap();
    assert_eq!(create["from"], "primary");
    let read: Value = inlet
        .request_operation(Operation::Read { key: "1".into() }, Value::Null)
        .await
        .unwrap();
    assert_eq!(read["from"], "primary");
    inlet
        .request_operation(Operation::Delete { key: "1".into() }, Value::Null)
        .await
        .unwrap();
    token.cancel();
    run.await.unwrap().unwrap();

    let op = |s: &str, reply: bool| (s.to_owned(), reply);
    assert_eq!(
        *first.lock().unwrap(),
        [op("create", true), op("read", true), op("delete", true)]
    );
    assert_eq!(
        *second.lock().unwrap(),
        [op("create", false), op("delete", false)],
        "the mirror gets writes, without the reply, and no reads"
    );
}
