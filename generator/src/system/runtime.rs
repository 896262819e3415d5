//! The runtime crate, embedded at build time (see `generator/build.rs`), and
//! the workspace's dependency requirements the generated project reuses.

include!(concat!(env!("OUT_DIR"), "/runtime_files.rs"));
