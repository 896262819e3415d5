//! Every pre-flight rule from a hand-made catalogue: what the comparison
//! concludes, independent of any engine.

use std::time::Duration;

use blueprint_grammars::interpolate::Environment;
use blueprint_grammars::model::{self, Blueprint};
use blueprint_grammars::yaml;

use super::*;
use crate::preflight::catalog::{Privileges, QualifiedName, ServerInfo};
use crate::preflight::expect::targets;

const BLUEPRINT: &str = r#"
system:
  name: shop
  databases:
    main:
      engine: postgres
      url: postgres://app:pw@localhost:5432/shop
      pool: { max_connections: 20 }
      migrations: MODE
  components:
    - name: api
      type: APIEndpoint
      outputs: [{ name: out, schema: Order }]
    - name: orders
      type: Store
      inputs: [{ name: input, schema: Order }]
      configuration: { database: main, table: orders, key: id }
  bindings:
    - from: api.out
      to: orders.input
schemas:
  Order:
    type: object
    properties:
      id: { type: string, format: uuid }
      total: { type: number }
      note: { type: string }
    required: [id, total]
"#;

fn blueprint(mode: &str) -> (String, Blueprint) {
    let text = BLUEPRINT.replace("MODE", mode);
    let parsed = yaml::parse(&text);
    let model = model::lower(parsed.root.as_ref(), &text);
    (text, model)
}

fn column(name: &str, ty: &str, nullable: bool, has_default: bool, pk: bool) -> Column {
    Column {
        name: name.into(),
        data_type: ty.into(),
        column_type: None,
        nullable,
        has_default,
        primary_key: pk,
    }
}

fn all_privileges() -> Privileges {
    Privileges {
        select: true,
        insert: true,
        update: true,
        delete: true,
    }
}

/// A database where everything matches.
fn good_catalog() -> Catalog {
    let table = Table {
        name: "orders".into(),
        columns: vec![
            column("id", "uuid", false, false, true),
            column("total", "numeric", false, false, false),
            column("note", "text", true, false, false),
        ],
        privileges: all_privileges(),
    };
    Catalog {
        server: ServerInfo {
            product: "PostgreSQL".into(),
            version: "16.4".into(),
            version_number: (16, 4, 0),
            max_connections: Some(100),
        },
        schema: "public".into(),
        tables: [("orders".to_owned(), table)].into(),
        other_tables: vec![],
        can_create: true,
        pings: vec![Duration::from_micros(300); 5],
    }
}

/// The codes (and the text they point at) that `catalog` yields.
fn findings(
    mode: &str,
    catalog: Result<Catalog, InspectError>,
) -> Vec<(String, &'static str, Severity)> {
    let (text, model) = blueprint(mode);
    let targets = targets(&model, &Environment::default(), None);
    assert_eq!(targets.len(), 1);
    compare(&targets[0], &catalog, Thresholds::default())
        .into_iter()
        .map(|d| {
            (
                text[d.span.start..d.span.end].to_owned(),
                d.rule.code,
                d.severity,
            )
        })
        .collect()
}

#[test]
fn a_matching_database_yields_nothing() {
    assert_eq!(findings("verify", Ok(good_catalog())), vec![]);
}

#[test]
fn unreachable_masks_the_password_and_says_why() {
    let (_, model) = blueprint("verify");
    let targets = targets(&model, &Environment::default(), None);
    let error = InspectError {
        failure: Failure::Refused,
        detail: "connection refused to postgres://app:pw@localhost:5432/shop".into(),
    };
    let d = &compare(&targets[0], &Err(error), Thresholds::default())[0];
    assert_eq!(d.rule.code, "BP310");
    assert!(d.message.contains("connection refused"), "{}", d.message);
    assert!(!d.message.contains(":pw@"), "{}", d.message);
    assert!(d.message.contains("app:***@localhost"), "{}", d.message);
}

#[test]
fn old_servers_slow_round_trips_and_large_pools() {
    let mut catalog = good_catalog();
    catalog.server.version_number = (11, 2, 0);
    catalog.pings = vec![Duration::from_millis(80); 5];
    catalog.server.max_connections = Some(10);
    let codes: Vec<_> = findings("verify", Ok(catalog))
        .into_iter()
        .map(|f| (f.0, f.1))
        .collect();
    assert_eq!(
        codes,
        vec![
            ("postgres://app:pw@localhost:5432/shop".to_owned(), "BP311"),
            ("postgres://app:pw@localhost:5432/shop".to_owned(), "BP319"),
            ("20".to_owned(), "BP320"),
        ]
    );
}

#[test]
fn a_missing_table_is_an_error_unless_migrations_create_it() {
    let mut catalog = good_catalog();
    catalog.tables.clear();
    catalog.other_tables = vec![QualifiedName {
        schema: "public".into(),
        name: "order".into(),
    }];
    assert_eq!(
        findings("verify", Ok(catalog.clone())),
        vec![("orders".into(), "BP312", Severity::Error)]
    );
    assert_eq!(
        findings("auto", Ok(catalog.clone())),
        vec![("orders".into(), "BP312", Severity::Info)]
    );
    // Without CREATE, `auto` cannot create it.
    catalog.can_create = false;
    let codes: Vec<_> = findings("auto", Ok(catalog))
        .into_iter()
        .map(|f| f.1)
        .collect();
    assert_eq!(codes, vec!["BP318", "BP312"]);
}

#[test]
fn a_table_in_another_schema_is_suggested_qualified() {
    let (_, model) = blueprint("verify");
    let targets = targets(&model, &Environment::default(), None);
    let mut catalog = good_catalog();
    catalog.tables.clear();
    catalog.other_tables = vec![QualifiedName {
        schema: "sales".into(),
        name: "orders".into(),
    }];
    let d = &compare(&targets[0], &Ok(catalog), Thresholds::default())[0];
    assert_eq!(d.fixes[0].edits[0].replacement, "sales.orders");
}

#[test]
fn columns_types_nullability_keys_and_privileges() {
    let mut catalog = good_catalog();
    let table = catalog.tables.get_mut("orders").unwrap();
    table.columns = vec![
        column("id", "uuid", false, false, false),
        column("serial", "bigint", false, true, true),
        column("total", "text", true, false, false),
        column("owner", "text", false, false, false),
    ];
    table.privileges = Privileges {
        select: true,
        insert: false,
        update: true,
        delete: false,
    };
    let found = findings("verify", Ok(catalog));
    let codes: Vec<_> = found.iter().map(|f| (f.0.as_str(), f.1)).collect();
    assert_eq!(
        codes,
        vec![
            ("total", "BP314"),  // text cannot hold a number
            ("total", "BP315"),  // required but nullable (a hint)
            ("note", "BP313"),   // no column
            ("id", "BP316"),     // the primary key is `serial`
            ("orders", "BP317"), // owner is NOT NULL and never supplied
            ("orders", "BP318"), // INSERT, DELETE missing
        ]
    );
}

#[test]
fn an_optional_field_on_a_not_null_column_fails_inserts() {
    let mut catalog = good_catalog();
    let table = catalog.tables.get_mut("orders").unwrap();
    table.columns[2].nullable = false;
    assert_eq!(
        findings("verify", Ok(catalog)),
        vec![("note".into(), "BP315", Severity::Warning)]
    );
}
