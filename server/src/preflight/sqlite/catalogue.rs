//! The catalogue query (one JSON document from `sqlite_master` and the
//! table pragmas) and its decoding into a [`Catalog`]: declared types, the
//! rowid alias, privileges from whether the file is writable.

use crate::preflight::catalog::{Catalog, Column, Privileges, QualifiedName, ServerInfo, Table};

/// The catalogue query: one row, one JSON document with the library's
/// version, every requested table that exists in `main` (matched
/// case-insensitively) with its columns, and up to
/// [`OTHER_TABLES_LIMIT`] other table names. `?1` is a JSON array of the
/// requested names.
///
/// A column is `[cid, name, declared type, notnull, has default, pk,
/// hidden]`. `pk_index` says whether the table has an index made for its
/// primary key: a rowid table whose only key column is declared `INTEGER`
/// has none exactly when that column is the rowid alias (which rules out
/// `INTEGER PRIMARY KEY DESC` and `WITHOUT ROWID` tables, which have one).
///
/// [`OTHER_TABLES_LIMIT`]: super::OTHER_TABLES_LIMIT
pub const CATALOGUE_SQL: &str = r#"
SELECT json_object(
  'version', sqlite_version(),
  'tables', json((
    SELECT json_group_array(json_object(
      'asked', w.value,
      'name', s.name,
      'pk_index', EXISTS (
        SELECT 1 FROM pragma_index_list(s.name, 'main') AS i WHERE i.origin = 'pk'
      ),
      'columns', json((
        SELECT json_group_array(json_array(
          c.cid, c.name, c.type, c."notnull", c.dflt_value IS NOT NULL, c.pk, c.hidden
        ))
        FROM pragma_table_xinfo(s.name, 'main') AS c
        WHERE c.hidden <> 1
      ))
    ))
    FROM json_each(?1) AS w
    JOIN main.sqlite_master AS s
      ON s.type = 'table' AND s.name = w.value COLLATE NOCASE
    WHERE w.type = 'text'
  )),
  'others', json((
    SELECT json_group_array(o.name) FROM (
      SELECT s.name FROM main.sqlite_master AS s
      WHERE s.type = 'table'
        AND s.name NOT LIKE 'sqlite\_%' ESCAPE '\'
        AND NOT EXISTS (
          SELECT 1 FROM json_each(?1) AS w
          WHERE w.type = 'text' AND w.value = s.name COLLATE NOCASE
        )
      ORDER BY s.name
      LIMIT 1000
    ) AS o
  ))
)
"#;

#[derive(serde::Deserialize)]
struct RawCatalogue {
    version: String,
    tables: Vec<RawTable>,
    others: Vec<String>,
}

#[derive(serde::Deserialize)]
struct RawTable {
    asked: String,
    name: String,
    pk_index: i64,
    columns: Vec<RawColumn>,
}

/// `[cid, name, declared type, notnull, has default, pk, hidden]`.
#[derive(serde::Deserialize)]
struct RawColumn(i64, String, Option<String>, i64, i64, i64, i64);

pub(super) fn parse_catalogue(json: &str, writable: bool) -> Result<Catalog, serde_json::Error> {
    let raw: RawCatalogue = serde_json::from_str(json)?;
    let privileges = Privileges {
        select: true,
        insert: writable,
        update: writable,
        delete: writable,
    };
    let tables = raw
        .tables
        .into_iter()
        .map(|table| (table.asked.clone(), build_table(table, privileges)))
        .collect();
    Ok(Catalog {
        server: ServerInfo {
            product: "SQLite".to_owned(),
            version_number: version_number(&raw.version),
            version: raw.version,
            max_connections: None,
        },
        schema: "main".to_owned(),
        tables,
        other_tables: raw
            .others
            .into_iter()
            .map(|name| QualifiedName {
                schema: "main".to_owned(),
                name,
            })
            .collect(),
        can_create: writable,
        pings: Vec::new(),
    })
}

fn build_table(raw: RawTable, privileges: Privileges) -> Table {
    let mut columns = raw.columns;
    columns.sort_by_key(|c| c.0);
    let key_columns: Vec<&RawColumn> = columns.iter().filter(|c| c.5 > 0).collect();
    let rowid_alias = match key_columns.as_slice() {
        [only] if raw.pk_index == 0 => only
            .2
            .as_deref()
            .is_some_and(|ty| ty.trim().eq_ignore_ascii_case("integer"))
            .then_some(only.0),
        _ => None,
    };
    let columns = columns
        .iter()
        .map(
            |RawColumn(cid, name, declared, notnull, has_default, pk, hidden)| {
                let is_alias = rowid_alias == Some(*cid);
                let (data_type, column_type) = declared_type(declared.as_deref().unwrap_or(""));
                Column {
                    name: name.clone(),
                    data_type,
                    column_type,
                    nullable: *notnull == 0 && !is_alias,
                    has_default: *has_default != 0 || is_alias || matches!(hidden, 2 | 3),
                    primary_key: *pk > 0,
                }
            },
        )
        .collect();
    Table {
        name: raw.name,
        columns,
        privileges,
    }
}

/// The declared type lower-case, whitespace collapsed, and without its
/// length or precision; plus the full declared type when it says more.
pub fn declared_type(declared: &str) -> (String, Option<String>) {
    let full = declared
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let base = full.split('(').next().unwrap_or("").trim_end().to_owned();
    let column_type = (full != base).then_some(full);
    (base, column_type)
}

/// `"3.45.1"` → `(3, 45, 1)`; missing or non-numeric parts are 0.
pub(super) fn version_number(version: &str) -> (u32, u32, u32) {
    let mut parts = version.split('.').map(|part| {
        part.chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap_or(0)
    });
    let mut next = || parts.next().unwrap_or(0);
    (next(), next(), next())
}
