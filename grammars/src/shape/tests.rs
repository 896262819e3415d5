use super::*;
use crate::model::{Engine, FlowType, MigrationMode};

#[test]
fn root_lookups() {
    let root = root();
    assert_eq!(root.id, "blueprint");
    let system_field = root.field("system").expect("system");
    assert_eq!(system_field.required, Required::Yes);
    assert_eq!(system_field.kind.object().map(|s| s.id), Some("system"));
    assert_eq!(root.field("policy").map(|f| f.status), Some(Status::Ignored("Blueprint does not enforce autocoder policies (SLOs, resource limits, dependency rules)")));
    assert!(root.field("nope").is_none());
    assert_eq!(
        root.canonical_keys().collect::<Vec<_>>(),
        ["schema_version", "metadata", "system", "schemas"]
    );
    assert_eq!(root.known_keys().count(), 6);
}

#[test]
fn system_statuses() {
    let system = system();
    assert_eq!(system.field("schemas").unwrap().status, Status::Legacy);
    assert!(matches!(
        system.field("deployment").unwrap().status,
        Status::Ignored(_)
    ));
    assert!(system.field("name").unwrap().is_required());
    assert!(system.field("components").unwrap().is_required());
    assert!(!system.field("bindings").unwrap().is_required());
    assert_eq!(
        system.field("name").unwrap().example_line(),
        "name: my_system"
    );
}

#[test]
fn component_statuses_follow_the_model() {
    let component = component();
    for key in ["config", "ports"] {
        assert_eq!(
            component.field(key).unwrap().status,
            Status::Legacy,
            "{key}"
        );
    }
    for key in [
        "processing_mode",
        "observability",
        "dependencies",
        "implementation",
        "properties",
        "contracts",
    ] {
        assert!(
            matches!(component.field(key).unwrap().status, Status::Ignored(_)),
            "{key}"
        );
    }
    let resources = component.field("resources").unwrap();
    assert_eq!(resources.status, Status::Mixed);
    let inner = resources.kind.object().unwrap();
    assert_eq!(inner.field("databases").unwrap().status, Status::Legacy);
    assert!(matches!(inner.other, OtherKeys::Ignored(_)));
    assert!(matches!(
        component.field("type").unwrap().kind,
        Kind::ComponentType
    ));
}

#[test]
fn binding_required_unless_legacy_keys() {
    let binding = binding();
    assert_eq!(
        binding.field("from").unwrap().required,
        Required::Unless(&["from_component"])
    );
    assert_eq!(
        binding.field("to").unwrap().kind.describe(),
        "a string, a list or a mapping"
    );
    for key in [
        "from_component",
        "from_port",
        "to_component",
        "to_port",
        "to_components",
        "to_ports",
    ] {
        assert_eq!(binding.field(key).unwrap().status, Status::Legacy, "{key}");
    }
}

#[test]
fn store_configuration_keeps_legacy_keys() {
    let store = configuration(ComponentType::Store);
    assert_eq!(store.id, "configuration.Store");
    for key in [
        "storage_type",
        "database_type",
        "database_url",
        "table_name",
    ] {
        assert_eq!(store.field(key).unwrap().status, Status::Legacy, "{key}");
    }
    assert!(store.canonical_keys().any(|k| k == "table"));
    let port = configuration(ComponentType::ApiEndpoint)
        .field("port")
        .unwrap();
    assert!(matches!(
        port.kind,
        Kind::Integer {
            min: Some(1),
            max: Some(65_535)
        }
    ));
}

#[test]
fn every_component_type_has_a_configuration_shape_with_buffer_size() {
    for &kind in ComponentType::ALL {
        let shape = configuration(kind);
        assert!(shape.id.ends_with(kind.as_str()), "{}", shape.id);
        assert!(shape.field("buffer_size").is_some(), "{}", shape.id);
    }
}

#[test]
fn vocabularies_match_the_model() {
    let engines = language::engines();
    for &engine in Engine::ALL {
        assert!(engines.values.contains(&engine.as_str()));
    }
    for alias in &engines.aliases {
        assert!(Engine::parse(alias).is_some(), "{alias}");
    }
    let database = database();
    let Kind::Enum(modes) = &database.field("migrations").unwrap().kind else {
        panic!()
    };
    assert_eq!(modes.values.len(), MigrationMode::ALL.len());
    let Kind::Enum(flows) = &port().field("flow_type").unwrap().kind else {
        panic!()
    };
    assert!(flows.contains(FlowType::RequestResponse.as_str()));
}

#[test]
fn shapes_are_unique_and_well_formed() {
    let shapes = all();
    assert_eq!(shapes[0].id, "blueprint");
    let mut ids: Vec<_> = shapes.iter().map(|s| s.id).collect();
    let count = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), count, "shape ids are unique");
    for id in [
        "schema",
        "port",
        "binding",
        "pool",
        "metrics",
        "configuration.Router.route",
    ] {
        assert!(ids.contains(&id), "{id} is reachable");
    }
    for shape in shapes {
        for field in &shape.fields {
            assert!(
                !field.doc.is_empty(),
                "{}.{} has a doc",
                shape.id,
                field.key
            );
            assert!(
                !field.doc.contains('\n'),
                "{}.{}: docs are one line",
                shape.id,
                field.key
            );
            if let Required::Unless(keys) = field.required {
                for key in keys {
                    assert!(
                        shape.field(key).is_some(),
                        "{}.{}: `{key}` is declared",
                        shape.id,
                        field.key
                    );
                }
            }
        }
    }
}

#[test]
fn schema_is_recursive() {
    let schema = schema();
    let Kind::Map { value, noun } = &schema.field("properties").unwrap().kind else {
        panic!()
    };
    assert_eq!(*noun, "field");
    assert!(std::ptr::eq(value.object().unwrap(), schema));
    assert!(std::ptr::eq(
        schema.field("items").unwrap().kind.object().unwrap(),
        schema
    ));
}

#[test]
fn describe_kinds() {
    assert_eq!(Kind::string().describe(), "a string");
    assert_eq!(Kind::int(1, 2).describe(), "an integer");
    assert_eq!(Kind::list(Kind::Any).describe(), "a list");
    assert_eq!(
        Kind::OneOf(vec![Kind::string(), Kind::Mapping]).describe(),
        "a string or a mapping"
    );
}
