//! Unit tests of the MySQL engine's pure parts: versions, `LIKE` grant
//! patterns, defaults, secret masking and the catalogue query's parameters.

use super::catalogue::{catalogue_query, has_default, Bind, Wanted};
use super::connect::{parse_version, product};
use super::failure::Secrets;
use super::privileges::like;

#[test]
fn versions() {
    assert_eq!(parse_version("10.11.6-MariaDB-0+deb12u1"), (10, 11, 6));
    assert_eq!(parse_version("5.5.5-10.5.2-MariaDB"), (10, 5, 2));
    assert_eq!(parse_version("8.0.36"), (8, 0, 36));
    assert_eq!(parse_version("8.4.0-log"), (8, 4, 0));
    assert_eq!(parse_version("9"), (9, 0, 0));
    assert_eq!(parse_version(""), (0, 0, 0));
    assert_eq!(product("10.11.6-MariaDB-0+deb12u1"), "MariaDB");
    assert_eq!(product("8.0.36"), "MySQL");
}

#[test]
fn like_patterns() {
    assert!(like("bp\\_db", "bp_db", false));
    assert!(!like("bp\\_db", "bpxdb", false));
    assert!(like("bp_db", "bpxdb", false));
    assert!(like("bp%", "bp_anything", false));
    assert!(like("%", "", false));
    assert!(like("a%b%c", "aXXbYYc", false));
    assert!(!like("a%b%c", "aXXbYY", false));
    assert!(!like("Bp", "bp", false));
    assert!(like("Bp", "bp", true));
}

#[test]
fn defaults() {
    assert!(!has_default(Some("NULL"), "", true));
    assert!(has_default(Some("'NULL'"), "", true));
    assert!(has_default(Some("NULL"), "", false));
    assert!(!has_default(None, "", false));
    assert!(has_default(None, "auto_increment", true));
    assert!(has_default(
        Some("CURRENT_TIMESTAMP"),
        "default_generated",
        false
    ));
    assert!(has_default(None, "virtual generated", false));
    assert!(has_default(None, "stored generated", true));
}

#[test]
fn secrets_are_scrubbed() {
    let s = Secrets::of_url("mysql://u:p%40ss-w0rd@h:3306/db");
    assert_eq!(s.clean("x p%40ss-w0rd y p@ss-w0rd\nz"), "x *** y *** z");
    assert_eq!(Secrets::of_url("mysql://u@h/db").0.len(), 0);
}

#[test]
fn names_split_and_filter() {
    let w = Wanted::new(&[
        "a".to_owned(),
        "db.b".to_owned(),
        "a".to_owned(),
        "`x`.`y`".to_owned(),
    ]);
    assert_eq!(
        w.groups,
        vec![
            (None, vec!["a".to_owned()]),
            (Some("db".to_owned()), vec!["b".to_owned()]),
            (Some("x".to_owned()), vec!["y".to_owned()]),
        ]
    );
    for wanted in [w, Wanted::new(&[])] {
        let (sql, binds) = catalogue_query(&wanted);
        assert_eq!(sql.matches('?').count(), binds.len(), "{sql}");
    }
    let (_, binds) = catalogue_query(&Wanted::new(&["t".to_owned(), "d.u".to_owned()]));
    let text = |s: &str| Bind::Text(s.to_owned());
    assert_eq!(
        binds,
        vec![
            text("t"),
            text("d"),
            text("u"),
            text("t"),
            text("d"),
            text("u"),
            text("t"),
            text("d"),
            text("u"),
            Bind::Int(1002),
        ]
    );
}
