//! What a component is: setup, one call per message, cleanup.
//!
//! Messages are JSON records tagged with the input port they arrived on;
//! outputs name the output port they leave by. A request/response exchange
//! (an API endpoint awaiting its controller or store) rides on the message as
//! a [`Reply`] slot that travels with the record until someone answers it.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

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

/// Run `fut`, giving up after `limit` with a 503 so a hung hook or database
/// answers the caller instead of holding its request open. `None` waits.
pub async fn with_timeout<T>(
    limit: Option<Duration>,
    fut: impl Future<Output = Result<T, ComponentError>>,
) -> Result<T, ComponentError> {
    match limit {
        None => fut.await,
        Some(limit) => tokio::time::timeout(limit, fut).await.unwrap_or_else(|_| {
            Err(ComponentError::new(
                503,
                format!("timed out after {} ms", limit.as_millis()),
            ))
        }),
    }
}

/// What a request asks of a store. It travels with the record (through
/// controllers and transformers) so the store at the end knows whether to
/// create, read, list, update or delete; `None` on a message means a plain
/// pushed record, which a store creates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Operation {
    Create,
    /// `key` is the raw URL path segment; the store parses it by the key
    /// column's type.
    Read {
        key: String,
    },
    List {
        offset: u64,
        limit: u64,
    },
    Update {
        key: String,
    },
    Delete {
        key: String,
    },
}

impl Operation {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Read { .. } => "read",
            Self::List { .. } => "list",
            Self::Update { .. } => "update",
            Self::Delete { .. } => "delete",
        }
    }

    /// Whether the record carried is written (and so worth validating or
    /// rewriting on the way): creates and updates.
    pub fn is_write(&self) -> bool {
        matches!(self, Self::Create | Self::Update { .. })
    }
}

type ReplySender = oneshot::Sender<Result<Value, ComponentError>>;

/// The answer slot of a request. Only the first branch of a fan-out gets
/// it (see `Outputs::emit`); it is cloneable because the harness keeps a
/// clone so that when `process` fails without answering, the caller
/// receives that error instead of hanging. The first answer wins.
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
    pub operation: Option<Operation>,
}

impl Envelope {
    pub fn new(record: Value) -> Self {
        Self {
            record,
            reply: None,
            operation: None,
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
    /// What a request asks of the store it reaches; `None` for pushed records.
    pub operation: Option<Operation>,
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
    pub operation: Option<Operation>,
}

impl Output {
    pub fn new(port: impl Into<String>, record: Value) -> Self {
        Self {
            port: port.into(),
            record,
            reply: None,
            operation: None,
        }
    }

    /// Pass a (possibly rewritten) record on with `from`'s reply slot and
    /// operation, which is how controllers and transformers keep a request
    /// intact on its way to the store.
    pub fn forward(port: impl Into<String>, record: Value, from: &Message) -> Output {
        Self {
            port: port.into(),
            record,
            reply: from.reply.clone(),
            operation: from.operation.clone(),
        }
    }

    pub fn with_operation(mut self, operation: Option<Operation>) -> Self {
        self.operation = operation;
        self
    }
    /// Carry a request's reply slot onward so a downstream component answers.
    pub fn with_reply(mut self, reply: Option<Reply>) -> Self {
        self.reply = reply;
        self
    }
}

/// A component with input ports. The harness calls `setup` once, `process`
/// for every message in arrival order (one at a time, so `&mut self` needs no
/// locking), `tick` every `tick_interval` between messages, and once its
/// inputs have drained `finish` (whose outputs are still delivered: windows
/// and sink buffers flush there) and then `cleanup`.
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
    /// How often to call [`Component::tick`]; `None` never ticks. Read once,
    /// after `setup`.
    fn tick_interval(&self) -> Option<Duration> {
        None
    }
    /// Time-driven work (closing windows by age, flushing a sink). Not called
    /// once inputs are exhausted: `finish` handles what is left.
    fn tick(&mut self) -> impl Future<Output = Result<Vec<Output>, ComponentError>> + Send {
        async { Ok(vec![]) }
    }
    /// Called once after the inputs drain, while the outputs are still open.
    fn finish(&mut self) -> impl Future<Output = Result<Vec<Output>, ComponentError>> + Send {
        async { Ok(vec![]) }
    }
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
