//! Helpers shared by the pre-flight integration tests against real servers
//! (`preflight_mysql.rs`, `preflight_postgres.rs`); each engine's own
//! harness (server URL, unique names, the guard that creates and drops a
//! test database and its users) is in `mysql.rs` and `postgres.rs` next to
//! this file, included by that test alone with `#[path]`.

use std::net::TcpListener;

use blueprint_server::preflight::catalog::Column;

/// A [`Column`] as the engines report it, field by field.
pub fn column(
    name: &str,
    data_type: &str,
    column_type: Option<&str>,
    nullable: bool,
    has_default: bool,
    primary_key: bool,
) -> Column {
    Column {
        name: name.to_owned(),
        data_type: data_type.to_owned(),
        column_type: column_type.map(str::to_owned),
        nullable,
        has_default,
        primary_key,
    }
}

/// A loopback port nothing listens on.
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    port
}
