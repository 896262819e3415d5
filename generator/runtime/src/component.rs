//! What a component is: setup, one call per message, cleanup.
//!
//! Messages are JSON records tagged with the input port they arrived on;
//! outputs name the output port they leave by. A request/response exchange
//! (an API endpoint awaiting its controller or store) rides on the message as
//! a [`Reply`] slot that travels with the record until someone answers it.

use std::future::Future;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use tokio::sync::oneshot;

/// An error a component reports. `status` lets an HTTP endpoint map it to a
/// response code without string matching (400 for a record that fails its
/// schema, 404 for a missing key, 500 otherwise).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ComponentError {
    pub status: u16,
    pub message: String,
}

impl ComponentError {
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }
    /// A failure of the component itself (HTTP 500).
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(500, message)
    }
    /// A request the caller must fix (HTTP 400).
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(400, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, message)
    }
}

type ReplySender = oneshot::Sender<Result<Value, ComponentError>>;

/// The answer slot of a request. Cloneable because fan-out copies the
/// message to every branch: the first branch to answer wins, later answers
/// are ignored. The harness keeps a clone so that when `process` fails
/// without answering, the caller receives that error instead of hanging.
#[derive(Clone, Debug)]
pub struct Reply(Arc<Mutex<Option<ReplySender>>>);

impl Reply {
    /// A reply slot and the receiver the requester awaits.
    pub fn channel() -> (Self, oneshot::Receiver<Result<Value, ComponentError>>) {
        let (tx, rx) = oneshot::channel();
        (Self(Arc::new(Mutex::new(Some(tx)))), rx)
    }

    /// Answer the request. Returns false when it was already answered or the
    /// requester has gone away.
    pub fn send(&self, answer: Result<Value, ComponentError>) -> bool {
        // A poisoned lock only means another thread panicked mid-answer; the
        // slot itself is still a plain Option, so keep using it.
        let taken = self.0.lock().unwrap_or_else(|p| p.into_inner()).take();
        match taken {
            Some(tx) => tx.send(answer).is_ok(),
            None => false,
        }
    }

    pub fn is_answered(&self) -> bool {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).is_none()
    }
}

/// What travels on a binding: the record and, for requests, the reply slot.
#[derive(Clone, Debug)]
pub struct Envelope {
    pub record: Value,
    pub reply: Option<Reply>,
}

impl Envelope {
    pub fn new(record: Value) -> Self {
        Self {
            record,
            reply: None,
        }
    }
}

/// A message delivered to [`Component::process`].
#[derive(Debug)]
pub struct Message {
    /// The input port it arrived on.
    pub port: String,
    pub record: Value,
    pub reply: Option<Reply>,
}

impl Message {
    /// Answer the request this message carries, if any. A controller that
    /// forwards the request to a store passes `reply` on in its [`Output`]
    /// instead.
    pub fn respond(&self, answer: Result<Value, ComponentError>) -> bool {
        self.reply.as_ref().is_some_and(|r| r.send(answer))
    }
}

/// A record a component emits on one of its output ports.
#[derive(Debug)]
pub struct Output {
    pub port: String,
    pub record: Value,
    pub reply: Option<Reply>,
}

impl Output {
    pub fn new(port: impl Into<String>, record: Value) -> Self {
        Self {
            port: port.into(),
            record,
            reply: None,
        }
    }
    /// Carry a request's reply slot onward so a downstream component answers.
    pub fn with_reply(mut self, reply: Option<Reply>) -> Self {
        self.reply = reply;
        self
    }
}

/// A component with input ports. The harness calls `setup` once, `process`
/// for every message in arrival order (one at a time, so `&mut self` needs no
/// locking), and `cleanup` once after its inputs have drained.
///
/// Written with `impl Future` rather than `async fn` so the futures are
/// `Send` and the harness can run each component on its own task.
pub trait Component: Send + 'static {
    fn setup(&mut self) -> impl Future<Output = Result<(), ComponentError>> + Send {
        async { Ok(()) }
    }
    fn process(
        &mut self,
        message: Message,
    ) -> impl Future<Output = Result<Vec<Output>, ComponentError>> + Send;
    fn cleanup(&mut self) -> impl Future<Output = Result<(), ComponentError>> + Send {
        async { Ok(()) }
    }
}

/// A component with no input ports that produces records. The harness calls
/// `next` until it returns `Ok(None)` (exhausted) or shutdown begins; on
/// shutdown it stops calling `next`, which is how "stop accepting new input"
/// is enforced.
pub trait Source: Send + 'static {
    fn setup(&mut self) -> impl Future<Output = Result<(), ComponentError>> + Send {
        async { Ok(()) }
    }
    fn next(&mut self) -> impl Future<Output = Result<Option<Vec<Output>>, ComponentError>> + Send;
    fn cleanup(&mut self) -> impl Future<Output = Result<(), ComponentError>> + Send {
        async { Ok(()) }
    }
}
