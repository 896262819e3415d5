//! Default behaviour of each component type, which generated hooks call.
//!
//! Generated code stays thin: a `FooHooks` default body is one call into this
//! module, so the behaviour is written, tested and fixed once here instead of
//! being re-emitted into every generated system.

mod project;
pub mod route;
pub mod sink;
pub mod store;
mod synthesize;
mod validate;
pub mod windows;

pub use project::project;
pub use synthesize::synthesize;
pub use validate::Validator;
