//! The rule catalogue: every diagnostic Blueprint can report, with a stable
//! code, a kebab-case name, its tier, default severity, a one-line summary
//! and its documentation (`blueprint explain CODE`).
//!
//! The code's hundreds digit is the tier: BP1xx structure, BP2xx components,
//! BP3xx system integration, BP4xx semantics. Codes are never reused; a rule
//! that is retired keeps its number.
//!
//! Documentation lives in `server/docs/rules/<CODE>.md`, one file per rule,
//! with the sections: what it checks, why it matters, example, fix.

use super::diagnostic::Severity;

/// The validation tiers of DESIGN.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum Tier {
    /// L1: YAML syntax, keys, types, enums, duplicates.
    Structure,
    /// L2: each component's configuration, schemas, store settings.
    Components,
    /// L3: bindings, port compatibility, graph shape (and the database
    /// pre-flight, which is not part of `check` without `--db`).
    Integration,
    /// L4: data flow across the graph, descriptions against configuration.
    Semantics,
}

impl Tier {
    pub fn label(self) -> &'static str {
        match self {
            Tier::Structure => "L1 structure",
            Tier::Components => "L2 components",
            Tier::Integration => "L3 system integration",
            Tier::Semantics => "L4 semantics",
        }
    }
}

/// One rule of the catalogue.
#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub tier: Tier,
    pub severity: Severity,
    pub summary: &'static str,
    pub doc: &'static str,
}

macro_rules! rules {
    ($( $ident:ident = $code:literal $name:literal $tier:ident $severity:ident $summary:literal; )*) => {
        $(
            pub static $ident: Rule = Rule {
                code: $code,
                name: $name,
                tier: Tier::$tier,
                severity: Severity::$severity,
                summary: $summary,
                doc: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules/", $code, ".md")),
            };
        )*
        /// Every rule, in code order.
        pub static ALL: &[&Rule] = &[$(&$ident),*];
    };
}

rules! {
    // L1 structure
    SYNTAX_ERROR = "BP100" "syntax-error" Structure Error "The file is not valid YAML here.";
    MULTIPLE_DOCUMENTS = "BP101" "multiple-documents" Structure Error "A blueprint file holds exactly one YAML document.";
    INVALID_ENCODING = "BP102" "invalid-encoding" Structure Error "The file is not valid UTF-8.";
    TAB_INDENTATION = "BP103" "tab-indentation" Structure Error "YAML forbids tabs in indentation.";
    UNKNOWN_ALIAS = "BP104" "unknown-alias" Structure Error "An alias refers to an anchor that is not defined before it.";
    INVALID_MERGE = "BP105" "invalid-merge" Structure Error "A merge key (`<<`) must refer to a mapping or a list of mappings.";
    TOO_COMPLEX = "BP106" "too-complex" Structure Error "The document nests too deeply or expands too many aliases to be analysed.";
    NOT_A_BLUEPRINT = "BP109" "not-a-blueprint" Structure Error "The file has no `system` section, so it does not describe a system.";
    UNKNOWN_KEY = "BP110" "unknown-key" Structure Warning "A key that Blueprint does not know; it is ignored.";
    IGNORED_KEY = "BP111" "ignored-key" Structure Hint "An autocoder key that Blueprint accepts but does not use.";
    WRONG_TYPE = "BP112" "wrong-type" Structure Error "A value of the wrong type (for example a list where a mapping belongs).";
    MISSING_REQUIRED = "BP113" "missing-required" Structure Error "A required key is missing.";
    INVALID_VALUE = "BP114" "invalid-value" Structure Error "A value outside the allowed set or format.";
    DUPLICATE_KEY = "BP115" "duplicate-key" Structure Error "The same key appears twice in one mapping; YAML keeps only one.";
    DUPLICATE_COMPONENT = "BP120" "duplicate-component" Structure Error "Two components have the same name.";
    DUPLICATE_PORT = "BP121" "duplicate-port" Structure Error "Two ports of one component have the same name.";
    DUPLICATE_SCHEMA = "BP122" "duplicate-schema" Structure Error "Two schemas have the same name.";
    UNKNOWN_COMPONENT_TYPE = "BP130" "unknown-component-type" Structure Error "A component type that Blueprint does not know.";
    LEGACY_CONFIG_KEY = "BP150" "legacy-config-key" Structure Hint "`config` is the legacy spelling of `configuration`.";
    LEGACY_STORE_DATABASE = "BP151" "legacy-store-database" Structure Hint "Database settings written inside a store instead of under `system.databases`.";
    LEGACY_BINDING_FORM = "BP152" "legacy-binding-form" Structure Hint "A binding written in a legacy form instead of `from: component.port`.";
    LEGACY_PORTS_MAP = "BP153" "legacy-ports-map" Structure Hint "Ports written as a `ports:` map with `direction` instead of `inputs`/`outputs`.";
    LEGACY_SCHEMAS_LOCATION = "BP154" "legacy-schemas-location" Structure Hint "Schemas written under `system.schemas` instead of the top-level `schemas`.";

    // L2 components
    UNKNOWN_CONFIGURATION_KEY = "BP200" "unknown-configuration-key" Components Warning "A configuration key that this component type does not use.";
    INVALID_CONFIGURATION = "BP201" "invalid-configuration" Components Error "A configuration value that is invalid for this component type.";
    STORE_WITHOUT_DATABASE = "BP210" "store-without-database" Components Error "A store that names no database.";
    UNKNOWN_DATABASE = "BP211" "unknown-database" Components Error "A reference to a database that `system.databases` does not define.";
    STORE_KEY_NOT_IN_SCHEMA = "BP212" "store-key-not-in-schema" Components Error "A store's key is not a property of the schema it stores.";
    STORE_WITHOUT_SCHEMA = "BP213" "store-without-schema" Components Error "A store whose records have no schema, so its table has no columns.";
    DATABASE_WITHOUT_URL = "BP214" "database-without-url" Components Error "A database with no connection URL.";
    INVALID_DATABASE_URL = "BP215" "invalid-database-url" Components Error "A database URL that cannot be used with its engine.";
    INVALID_POOL = "BP216" "invalid-pool" Components Error "Pool settings that cannot all hold (for example min above max).";
    UNDEFINED_VARIABLE = "BP217" "undefined-variable" Components Warning "A `${VAR}` with no value in the environment or `.env`, and no default.";
    LITERAL_SECRET = "BP218" "literal-secret" Components Warning "A password written into the blueprint instead of a `${VAR}` reference.";
    UNKNOWN_SCHEMA = "BP220" "unknown-schema" Components Error "A reference to a schema that is not defined.";
    INVALID_SCHEMA = "BP221" "invalid-schema" Components Error "A schema that is not well-formed.";
    REQUIRED_FIELD_NOT_DECLARED = "BP222" "required-field-not-declared" Components Error "A schema requires a field it does not declare.";
    GENERATED_COMPONENT_STALE = "BP230" "generated-component-stale" Components Warning "A component's generated code was generated from an older version of the blueprint.";
    GENERATED_COMPONENT_MISSING = "BP231" "generated-component-missing" Components Warning "The system was generated, but this component's generated module does not exist.";

    // L3 system integration
    UNKNOWN_COMPONENT = "BP300" "unknown-component" Integration Error "A binding refers to a component that does not exist.";
    UNKNOWN_PORT = "BP301" "unknown-port" Integration Error "A binding refers to a port the component does not declare.";
    WRONG_DIRECTION = "BP302" "wrong-direction" Integration Error "A binding goes from an input or into an output.";
    INCOMPATIBLE_SCHEMAS = "BP303" "incompatible-schemas" Integration Error "The two ends of a binding carry schemas whose fields do not agree.";
    FAN_IN_REQUEST_RESPONSE = "BP304" "fan-in-request-response" Integration Error "More than one binding into a request/response port.";
    UNREACHABLE_COMPONENT = "BP305" "unreachable-component" Integration Warning "A component that no data can ever reach.";
    UNBUFFERED_CYCLE = "BP306" "unbuffered-cycle" Integration Error "A cycle of bindings with no buffering component in it.";
    MALFORMED_ENDPOINT = "BP307" "malformed-endpoint" Integration Error "A binding endpoint that is not of the form `component.port`.";
    DUPLICATE_BINDING = "BP308" "duplicate-binding" Integration Warning "The same connection is bound twice.";

    // L3 database pre-flight (`blueprint preflight`, `check --db`)
    DATABASE_UNREACHABLE = "BP310" "database-unreachable" Integration Error "The pre-flight could not connect to a database.";
    UNSUPPORTED_SERVER_VERSION = "BP311" "unsupported-server-version" Integration Warning "The database server is older than Blueprint supports.";
    TABLE_MISSING = "BP312" "table-missing" Integration Error "A store's table does not exist in its database.";
    COLUMN_MISSING = "BP313" "column-missing" Integration Error "A field of a store's schema has no column in its table.";
    COLUMN_TYPE_MISMATCH = "BP314" "column-type-mismatch" Integration Error "A column's type cannot hold the values its schema field allows.";
    NULLABILITY_MISMATCH = "BP315" "nullability-mismatch" Integration Warning "A column's NULL constraint disagrees with whether its field is required.";
    PRIMARY_KEY_MISMATCH = "BP316" "primary-key-mismatch" Integration Warning "A store's key is not its table's primary key.";
    UNSUPPLIED_NOT_NULL_COLUMN = "BP317" "unsupplied-not-null-column" Integration Error "A NOT NULL column without default that the store's schema never supplies.";
    MISSING_PRIVILEGE = "BP318" "missing-privilege" Integration Error "The database user lacks a privilege the store needs.";
    SLOW_DATABASE = "BP319" "slow-database" Integration Warning "Round trips to the database take longer than the threshold.";
    POOL_EXCEEDS_SERVER = "BP320" "pool-exceeds-server" Integration Warning "The pool may open more connections than the server allows.";

    // L4 semantics
    REQUIRED_COLUMN_NOT_SUPPLIED = "BP400" "required-column-not-supplied" Semantics Warning "A store's required column that no upstream producer supplies.";
    OUTPUT_NOT_CONSUMED = "BP401" "output-not-consumed" Semantics Warning "An output port that no binding consumes.";
    DESCRIPTION_CONTRADICTS_ENGINE = "BP402" "description-contradicts-engine" Semantics Warning "A description names a database engine that the configuration does not use.";
}

/// Rules reported by the database pre-flight only: they need a live
/// database, so their fixtures live in the pre-flight tests, not in the
/// per-rule fixtures that `blueprint check` runs.
pub fn is_preflight(rule: &Rule) -> bool {
    ("BP310"..="BP399").contains(&rule.code)
}

/// Looks a rule up by code (`BP110`, case-insensitive) or name (`unknown-key`).
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    ALL.iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
}
