//! `run_until_signal` drains on SIGTERM. Its own test binary, because the
//! signal goes to the whole process.
#![cfg(unix)]

mod common;

use std::time::Duration;

use blueprint_runtime::Harness;
use common::{Cleanups, Sink};
use serde_json::json;

#[tokio::test]
async fn sigterm_drains_and_cleans_up() {
    let cleanups = Cleanups::default();
    let (mut sink, received) = Sink::new("sink", &cleanups);
    sink.delay = Duration::from_millis(5);
    let mut h = Harness::new();
    h.add_component("sink", sink).unwrap();
    let inlet = h.inlet("sink", "in").unwrap();
    let run = tokio::spawn(h.run_until_signal());
    for n in 0..20 {
        inlet.send(json!({ "n": n })).await.unwrap();
    }
    // Let the harness install its handler before the signal arrives;
    // otherwise SIGTERM's default action would end the test process.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let status = std::process::Command::new("kill")
        .args(["-TERM", &std::process::id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    tokio::time::timeout(Duration::from_secs(5), run)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(received.lock().unwrap().len(), 20);
    assert_eq!(cleanups.get("sink"), 1);
    assert_eq!(inlet.send(json!({})).await.unwrap_err().status, 503);
}
