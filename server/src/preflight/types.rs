//! Which column types can hold which blueprint field types, per engine.
//!
//! The mapping (also in `docs/rules/BP314.md`):
//!
//! | field (type / format) | PostgreSQL | MySQL / MariaDB | SQLite (declared type affinity) |
//! |---|---|---|---|
//! | string | text, character varying, character, citext, name | varchar, char, text, tinytext, mediumtext, longtext, enum, set | TEXT affinity (text, varchar, char, clob...) |
//! | string, format uuid | uuid, or any string type | char/varchar (36), binary(16) | TEXT or BLOB |
//! | string, format date-time | timestamp [with time zone], or any string type | datetime, timestamp, or any string type | TEXT, NUMERIC, or any |
//! | string, format date | date, or any string type | date, or any string type | TEXT, NUMERIC |
//! | integer | smallint, integer, bigint, numeric, and floating point | tinyint..bigint, decimal, float, double | INTEGER, REAL or NUMERIC affinity |
//! | number | real, double precision, numeric (not the integer types: they would drop fractions) | float, double, decimal | REAL, NUMERIC or INTEGER affinity (SQLite keeps 3.5 as REAL even there) |
//! | boolean | boolean | tinyint(1), bool, boolean, bit(1) | INTEGER or NUMERIC affinity, bool |
//! | object, array | json, jsonb (text accepted) | json, longtext | TEXT, or JSON |
//!
//! A narrower integer column (smallint) holding `integer` is accepted: the
//! schema's `maximum`, not the column, bounds the values. Unknown column
//! types are accepted rather than reported: a false "mismatch" on a type we
//! do not know would be worse than silence.

use blueprint_grammars::model::Engine;

use super::catalog::Column;

/// Whether `column` can hold values of a field of `field_type` (and
/// `format`). `None` means the field's type is unknown or absent.
pub fn compatible(
    engine: Engine,
    field_type: Option<&str>,
    format: Option<&str>,
    column: &Column,
) -> bool {
    let Some(field_type) = field_type else {
        return true;
    };
    let ty = column.data_type.to_ascii_lowercase();
    let full = column
        .column_type
        .as_deref()
        .unwrap_or(&ty)
        .to_ascii_lowercase();
    match engine {
        Engine::Postgres => postgres(field_type, format, &ty),
        Engine::Mysql => mysql(field_type, format, &ty, &full),
        Engine::Sqlite => sqlite(field_type, &ty),
    }
}

const PG_STRINGS: &[&str] = &[
    "text",
    "character varying",
    "varchar",
    "character",
    "char",
    "bpchar",
    "citext",
    "name",
];
const PG_INTEGERS: &[&str] = &[
    "smallint", "integer", "bigint", "int2", "int4", "int8", "int", "numeric", "decimal",
];
const PG_NUMBERS: &[&str] = &[
    "real",
    "double precision",
    "float4",
    "float8",
    "numeric",
    "decimal",
    "money",
];

fn postgres(field: &str, format: Option<&str>, ty: &str) -> bool {
    let is_string = PG_STRINGS.contains(&ty);
    match field {
        "string" => {
            is_string
                || match format {
                    Some("uuid") => ty == "uuid",
                    Some("date-time") => ty.starts_with("timestamp"),
                    Some("date") => ty == "date",
                    Some("time") => ty.starts_with("time"),
                    Some("ipv4" | "ipv6") => ty == "inet",
                    _ => false,
                }
                || !known_postgres(ty)
        }
        "integer" => PG_INTEGERS.contains(&ty) || PG_NUMBERS.contains(&ty) || !known_postgres(ty),
        "number" => PG_NUMBERS.contains(&ty) || !known_postgres(ty),
        "boolean" => ty == "boolean" || ty == "bool" || !known_postgres(ty),
        "object" | "array" => {
            matches!(ty, "json" | "jsonb" | "text")
                || ty.ends_with("[]")
                || ty == "array"
                || !known_postgres(ty)
        }
        _ => true,
    }
}

fn known_postgres(ty: &str) -> bool {
    PG_STRINGS.contains(&ty)
        || PG_INTEGERS.contains(&ty)
        || PG_NUMBERS.contains(&ty)
        || matches!(
            ty,
            "boolean" | "bool" | "json" | "jsonb" | "uuid" | "date" | "bytea" | "inet" | "array"
        )
        || ty.starts_with("timestamp")
        || ty.starts_with("time")
        || ty.starts_with("interval")
}

const MY_STRINGS: &[&str] = &[
    "varchar",
    "char",
    "text",
    "tinytext",
    "mediumtext",
    "longtext",
    "enum",
    "set",
];
const MY_INTEGERS: &[&str] = &[
    "tinyint",
    "smallint",
    "mediumint",
    "int",
    "integer",
    "bigint",
    "decimal",
    "numeric",
];
const MY_NUMBERS: &[&str] = &["float", "double", "real", "decimal", "numeric"];

fn mysql(field: &str, format: Option<&str>, ty: &str, full: &str) -> bool {
    let is_string = MY_STRINGS.contains(&ty);
    let known = is_string
        || MY_INTEGERS.contains(&ty)
        || MY_NUMBERS.contains(&ty)
        || matches!(
            ty,
            "json"
                | "date"
                | "datetime"
                | "timestamp"
                | "time"
                | "year"
                | "bit"
                | "bool"
                | "boolean"
                | "binary"
                | "varbinary"
                | "blob"
        );
    match field {
        "string" => {
            is_string
                || match format {
                    Some("uuid") => matches!(ty, "binary" | "varbinary"),
                    Some("date-time") => matches!(ty, "datetime" | "timestamp"),
                    Some("date") => ty == "date",
                    Some("time") => ty == "time",
                    _ => false,
                }
                || !known
        }
        // tinyint(1) is MySQL's boolean, but it holds small integers too.
        "integer" => MY_INTEGERS.contains(&ty) || MY_NUMBERS.contains(&ty) || !known,
        "number" => MY_NUMBERS.contains(&ty) || !known,
        "boolean" => {
            full.starts_with("tinyint(1)")
                || full.starts_with("bit(1)")
                || matches!(ty, "bool" | "boolean")
                || (ty == "tinyint")
                || !known
        }
        "object" | "array" => matches!(ty, "json" | "longtext" | "text" | "mediumtext") || !known,
        _ => true,
    }
}

/// SQLite stores anything anywhere; what matters is the declared type's
/// affinity (https://www.sqlite.org/datatype3.html, section 3.1): a value
/// of the wrong kind is converted or kept as is, so only clear mismatches
/// (text into an INTEGER column, numbers into TEXT are fine) are reported.
fn sqlite(field: &str, ty: &str) -> bool {
    let affinity = sqlite_affinity(ty);
    match field {
        "integer" | "number" | "boolean" => {
            affinity != Affinity::Text && affinity != Affinity::Blob
        }
        "string" | "object" | "array" => matches!(
            affinity,
            Affinity::Text | Affinity::Blob | Affinity::Numeric
        ),
        _ => true,
    }
}

#[derive(PartialEq, Eq, Debug)]
enum Affinity {
    Integer,
    Text,
    Blob,
    Real,
    Numeric,
}

fn sqlite_affinity(ty: &str) -> Affinity {
    let ty = ty.to_ascii_uppercase();
    if ty.contains("INT") {
        Affinity::Integer
    } else if ty.contains("CHAR") || ty.contains("CLOB") || ty.contains("TEXT") {
        Affinity::Text
    } else if ty.is_empty() || ty.contains("BLOB") {
        Affinity::Blob
    } else if ty.contains("REAL") || ty.contains("FLOA") || ty.contains("DOUB") {
        Affinity::Real
    } else {
        Affinity::Numeric
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(ty: &str, full: Option<&str>) -> Column {
        Column {
            name: "c".into(),
            data_type: ty.into(),
            column_type: full.map(str::to_owned),
            ..Column::default()
        }
    }

    #[test]
    fn postgres_mapping() {
        let pg = |f, fmt, ty| compatible(Engine::Postgres, Some(f), fmt, &col(ty, None));
        assert!(pg("string", None, "text"));
        assert!(pg("string", Some("uuid"), "uuid"));
        assert!(!pg("string", None, "uuid"));
        assert!(!pg("string", None, "integer"));
        assert!(pg("integer", None, "bigint"));
        assert!(!pg("integer", None, "text"));
        assert!(
            !pg("number", None, "integer"),
            "an integer column drops fractions"
        );
        assert!(pg("integer", None, "double precision"));
        assert!(!pg("boolean", None, "integer"));
        assert!(pg("object", None, "jsonb"));
        assert!(pg("string", None, "tsvector"), "unknown types are accepted");
    }

    #[test]
    fn mysql_mapping() {
        let my = |f, ty, full| compatible(Engine::Mysql, Some(f), None, &col(ty, full));
        assert!(my("boolean", "tinyint", Some("tinyint(1)")));
        assert!(my("string", "varchar", Some("varchar(200)")));
        assert!(!my("integer", "varchar", Some("varchar(10)")));
        assert!(my("object", "longtext", None));
    }

    #[test]
    fn sqlite_affinities() {
        let lite = |f, ty| compatible(Engine::Sqlite, Some(f), None, &col(ty, None));
        assert!(lite("integer", "integer"));
        assert!(lite("string", "varchar"));
        assert!(!lite("integer", "text"));
        assert!(!lite("string", "integer"));
        assert!(lite("number", "numeric"));
    }
}
