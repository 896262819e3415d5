//! Unit tests of the PostgreSQL engine's pure parts: versions, SQLSTATE
//! classification, URL parameter filtering, secret masking and the
//! catalogue SQL for old servers.

use std::time::Duration;

use super::catalogue::{catalogue_sql, version_number};
use super::connect::{known_parameters_only, percent_decode};
use super::failure::{classify_sqlstate, Secrets};
use super::*;

#[test]
fn version_numbers() {
    assert_eq!(version_number("150020", "15.20 (Debian)"), (15, 20, 0));
    assert_eq!(version_number("90624", "9.6.24"), (9, 6, 24));
    assert_eq!(version_number("", "16.4 (Ubuntu 16.4-1)"), (16, 4, 0));
    assert_eq!(version_number("x", "17beta1"), (17, 0, 0));
}

#[test]
fn sqlstates() {
    assert_eq!(
        classify_sqlstate("28000", "role \"nobody\" does not exist"),
        Failure::AuthenticationFailed
    );
    assert_eq!(
        classify_sqlstate(
            "28000",
            "no pg_hba.conf entry for host \"10.0.0.1\", user \"u\", database \"d\", no encryption"
        ),
        Failure::TlsRequired
    );
    assert_eq!(
        classify_sqlstate(
            "28000",
            "no pg_hba.conf entry for host \"10.0.0.1\", user \"u\", database \"d\", SSL off"
        ),
        Failure::TlsRequired
    );
    assert_eq!(
        classify_sqlstate("28P01", "password authentication failed for user \"u\""),
        Failure::AuthenticationFailed
    );
    assert_eq!(
        classify_sqlstate("3D000", "database \"x\" does not exist"),
        Failure::DatabaseMissing
    );
    assert_eq!(
        classify_sqlstate("53300", "too many clients"),
        Failure::Other
    );
}

#[test]
fn unknown_parameters_are_dropped_before_sqlx_logs_them() {
    assert_eq!(
        known_parameters_only(
            "postgres://h/d?sslmode=require&passwd=x&connect_timeout=3&options[geqo]=off"
        ),
        "postgres://h/d?sslmode=require&options[geqo]=off"
    );
    assert_eq!(
        known_parameters_only("postgres://h/d?pwd=x"),
        "postgres://h/d"
    );
    assert_eq!(known_parameters_only("postgres://h/d"), "postgres://h/d");
}

#[test]
fn secrets_are_scrubbed_raw_and_decoded() {
    let s = Secrets::of("postgres://u:p%40ss%2Fw0rd@h/d?password=other-one");
    let d = s.clean("a p@ss/w0rd b p%40ss%2Fw0rd c other-one\nnext line");
    assert_eq!(d, "a *** b *** c *** next line");
    assert_eq!(percent_decode("%zz%4%+1%41"), "%zz%4%+1A");
}

#[test]
fn non_postgres_urls_are_invalid() {
    let err = connect_options("mysql://u:secretpw@h/d", Duration::from_secs(1)).unwrap_err();
    assert_eq!(err.failure, Failure::InvalidUrl);
    assert!(!err.detail.contains("secretpw"));
}

#[test]
fn catalogue_sql_adapts_to_old_servers() {
    assert!(catalogue_sql(150020).contains("a.attgenerated <> ''"));
    assert!(!catalogue_sql(110000).contains("attgenerated"));
    assert!(catalogue_sql(110000).contains("attidentity"));
    assert!(!catalogue_sql(90624).contains("attidentity"));
    assert!(!catalogue_sql(0).contains('{'));
}
