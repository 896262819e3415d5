use blueprint_grammars::model::ComponentType;
use blueprint_grammars::yaml;

use super::check_configuration;
use crate::analysis::Diagnostic;

/// Checks `text` (a configuration mapping) as the configuration of `kind`.
fn diagnostics(kind: ComponentType, text: &str) -> Vec<Diagnostic> {
    let parsed = yaml::parse(text);
    assert!(
        parsed.errors.is_empty(),
        "test input is valid YAML: {:?}",
        parsed.errors
    );
    let mut out = Vec::new();
    check_configuration(kind, parsed.root.as_ref().expect("a document"), &mut out);
    out
}

fn check(kind: ComponentType, text: &str) -> Vec<String> {
    diagnostics(kind, text)
        .iter()
        .map(|d| {
            format!(
                "{} `{}`: {}",
                d.code(),
                &text[d.span.start..d.span.end],
                d.message
            )
        })
        .collect()
}

#[test]
fn valid_configurations_are_clean() {
    let cases = [
        (ComponentType::ApiEndpoint, "port: 8080\nhost: 0.0.0.0\nbase_path: /api/v1\nrequest_timeout_ms: 5000\nmax_page_size: 500\n"),
        (ComponentType::Store, "database: main\ntable: tasks\nkey: id\nbatch_size: 100\nbuffer_size: 64\n"),
        (ComponentType::Source, "interval_ms: 1000\nbatch_size: 10\n"),
        (ComponentType::Accumulator, "window_ms: 60000\ngroup_by: [customer_id]\n"),
        (ComponentType::Router, "routes:\n  - { when: amount > 1000, output: large }\ndefault_output: small\n"),
        (ComponentType::Model, "model_path: models/fraud.onnx\nthreshold: 0.8\n"),
        (ComponentType::Transformer, "{}"),
    ];
    for (kind, text) in cases {
        assert_eq!(check(kind, text), Vec::<String>::new(), "{kind:?}");
    }
}

#[test]
fn unknown_key_with_suggestion_and_fix() {
    let out = diagnostics(ComponentType::ApiEndpoint, "prot: 8080\n");
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].code(), "BP200");
    assert_eq!(
        out[0].message,
        "unknown key `prot` in APIEndpoint configuration"
    );
    assert_eq!(out[0].help.as_deref(), Some("did you mean `port`?"));
    assert_eq!(out[0].fixes[0].edits[0].replacement, "port");
}

#[test]
fn another_types_key_says_whose_it_is() {
    let out = diagnostics(ComponentType::ApiEndpoint, "port: 8080\ntable: tasks\n");
    assert_eq!(out.len(), 1);
    assert_eq!(
        out[0].message,
        "unknown key `table` in APIEndpoint configuration"
    );
    assert_eq!(
        out[0].help.as_deref(),
        Some(
            "`table` configures Store, not APIEndpoint; remove it, or check the component's `type`"
        )
    );
}

#[test]
fn unknown_key_lists_the_keys_of_the_type() {
    let out = diagnostics(ComponentType::Controller, "flavour: vanilla\n");
    assert_eq!(out[0].help.as_deref(), Some("remove it; in Controller configuration the keys are `buffer_size`, `concurrency`, `timeout_ms`"));
}

#[test]
fn invalid_values_are_bp201() {
    assert_eq!(
        check(ComponentType::ApiEndpoint, "port: 70000\n"),
        ["BP201 `70000`: `port` must be between 1 and 65535, found 70000"]
    );
    assert_eq!(
        check(ComponentType::ApiEndpoint, "port: \"8080\"\n"),
        ["BP201 `\"8080\"`: `port` must be an integer, found a string"]
    );
    assert_eq!(check(ComponentType::ApiEndpoint, "base_path: api\n"), ["BP201 `api`: `base_path` must be a URL path starting with `/`, such as `/api`, found `api`"]);
    assert_eq!(check(ComponentType::Store, "table: my-table\n"), ["BP201 `my-table`: `table` must be a table name (letters, digits and `_`, optionally `schema.table`), found `my-table`"]);
    assert_eq!(
        check(ComponentType::Model, "threshold: 1.5\n"),
        ["BP201 `1.5`: `threshold` must be between 0 and 1, found 1.5"]
    );
    let out = diagnostics(ComponentType::ApiEndpoint, "port: ${API_PORT:-8000}\n");
    assert_eq!(
        out[0].help.as_deref(),
        Some("`${VAR}` is only read in a database `url`; write the number here")
    );
}

#[test]
fn nested_items_are_checked() {
    assert_eq!(
        check(
            ComponentType::Router,
            "routes:\n  - when: amount > 1000\n    ouput: large\n"
        ),
        ["BP200 `ouput`: unknown key `ouput` in route #1"],
        "the misspelt key is reported once, not also as missing"
    );
    assert_eq!(
        check(ComponentType::Router, "routes:\n  - when: amount > 1000\n"),
        ["BP201 `when: amount > 1000`: route #1 is missing `output`"]
    );
}

#[test]
fn legacy_store_keys_are_not_reported_and_ignored_ones_are_hints() {
    let text = "storage_type: postgresql\ndatabase:\n  type: postgresql\n  connection_string: postgres://u:p@h/d\n  pool_size: 20\ntable_name: tasks\nschema_validation: true\n";
    assert_eq!(check(ComponentType::Store, text), ["BP111 `schema_validation`: Blueprint ignores `schema_validation` in Store configuration: the store always validates records against the port's schema"]);
}

#[test]
fn duplicates_in_configuration() {
    assert_eq!(check(ComponentType::ApiEndpoint, "port: 8080\nport: 9090\n"), ["BP115 `port`: `port` appears twice in APIEndpoint configuration: Blueprint reads only the first"]);
}

#[test]
fn non_mappings_are_left_to_the_structure_walk() {
    assert_eq!(
        check(ComponentType::Store, "[a, b]\n"),
        Vec::<String>::new()
    );
    assert_eq!(check(ComponentType::Store, "~\n"), Vec::<String>::new());
}
