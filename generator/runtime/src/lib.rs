//! The harness that systems written by `blueprint generate` link.
//!
//! A generated `main.rs` builds a [`Harness`], adds one [`Component`] or
//! [`Source`] per blueprint component, binds ports with [`Harness::bind`],
//! serves [`http::router`] next to it, and runs until a signal arrives. It
//! depends on none of the workspace's own crates so a generated project can
//! take it from a path or a registry without pulling in the language tooling.
//!
//! Requests carry an [`Operation`] to the store that executes them;
//! [`rest`] serves REST and intake routes over an [`Inlet`]; [`behaviour`]
//! holds each component type's default behaviour (what generated hooks
//! call); [`config`] reads the environment and masks URLs before logging.

pub mod behaviour;
pub mod component;
pub mod concurrent;
pub mod config;
pub mod harness;
pub mod http;
pub mod metrics;
pub mod rest;
pub mod store;
mod tasks;
mod wiring;

pub use component::{
    with_timeout, Component, ComponentError, Envelope, Message, Operation, Output, Reply, Source,
};
pub use concurrent::ConcurrentComponent;
pub use harness::{Harness, HarnessError, Inlet, DEFAULT_CAPACITY, DEFAULT_DRAIN_TIMEOUT};
pub use http::{
    bind, router, serve, serve_addr, track_component_requests, track_requests, Readiness,
};
pub use metrics::{Metrics, PoolMetrics};
pub use serde_json::Value;
pub use tokio_util::sync::CancellationToken;
