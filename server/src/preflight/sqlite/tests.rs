//! Unit tests of the SQLite engine's pure parts: declared types, the
//! catalogue query's limit, versions and URL parsing.

use super::catalogue::version_number;
use super::*;

#[test]
fn declared_types_lose_length_but_keep_it_in_column_type() {
    assert_eq!(declared_type("TEXT"), ("text".to_owned(), None));
    assert_eq!(
        declared_type("VARCHAR(200)"),
        ("varchar".to_owned(), Some("varchar(200)".to_owned()))
    );
    assert_eq!(
        declared_type("  Numeric ( 10, 2 ) "),
        ("numeric".to_owned(), Some("numeric ( 10, 2 )".to_owned()))
    );
    assert_eq!(
        declared_type("unsigned   BIG int"),
        ("unsigned big int".to_owned(), None)
    );
    assert_eq!(declared_type(""), (String::new(), None));
}

#[test]
fn the_query_keeps_to_the_other_tables_limit() {
    assert!(CATALOGUE_SQL.contains(&format!("LIMIT {OTHER_TABLES_LIMIT}\n")));
}

#[test]
fn versions_parse() {
    assert_eq!(version_number("3.51.3"), (3, 51, 3));
    assert_eq!(version_number("3.8"), (3, 8, 0));
    assert_eq!(version_number("x"), (0, 0, 0));
}

#[test]
fn urls_parse() {
    assert!(matches!(
        Target::parse("sqlite::memory:"),
        Ok(Target::Memory)
    ));
    assert!(matches!(
        Target::parse("sqlite://x.db?mode=memory"),
        Ok(Target::Memory)
    ));
    for (url, shown) in [
        ("sqlite://tasks.db", "tasks.db"),
        ("sqlite:tasks.db", "tasks.db"),
        ("sqlite:///abs/tasks.db", "/abs/tasks.db"),
        (
            "sqlite://./dir/my%20db.sqlite?mode=rwc",
            "./dir/my db.sqlite",
        ),
    ] {
        match Target::parse(url) {
            Ok(Target::File {
                shown: got, path, ..
            }) => {
                assert_eq!(got, shown, "{url}");
                assert!(path.is_absolute(), "{url}");
            }
            _ => panic!("{url} should be a file URL"),
        }
    }
    let err = Target::parse("postgres://u:pw@h/db").err().unwrap();
    assert_eq!(err.failure, Failure::InvalidUrl);
    let err = Target::parse("sqlite://").err().unwrap();
    assert_eq!(err.failure, Failure::InvalidUrl);
    let err = Target::parse("sqlite://x.db?password=hunter2")
        .err()
        .unwrap();
    assert_eq!(err.failure, Failure::InvalidUrl);
    assert!(!err.detail.contains("hunter2"), "{}", err.detail);
}
