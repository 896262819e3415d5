//! Snapshots of everything `generate` writes for the fixtures (but the
//! embedded runtime and the seeded lock file, which are copies), so a change
//! to the generated code shows up in review as a diff of the code itself.
//! The fixtures together use every component type.

use std::path::Path;

use blueprint_generator::system::generate;
use blueprint_generator::Kind;

fn snapshot_fixture(name: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("fixture");
    let files = generate(&text).expect("the fixture generates");
    let stem = name.trim_end_matches(".blueprint.yaml");
    for file in files {
        let path = file.path.to_string_lossy().replace('\\', "/");
        if path.starts_with("runtime/") || path == "Cargo.lock" {
            continue;
        }
        let kind = match file.kind {
            Kind::Generated => "generated",
            Kind::UserOwned => "user-owned",
        };
        let mut settings = insta::Settings::clone_current();
        settings.set_info(&format!("{path} ({kind})"));
        settings.set_prepend_module_to_snapshot(false);
        settings.bind(|| {
            insta::assert_snapshot!(
                format!("{stem}__{}", path.replace('/', "__")),
                file.contents
            );
        });
    }
}

#[test]
fn tasks_api_controller_and_two_stores() {
    snapshot_fixture("tasks.blueprint.yaml");
}

#[test]
fn pipeline_with_every_streaming_type() {
    snapshot_fixture("pipeline.blueprint.yaml");
}

#[test]
fn every_component_type_is_covered_by_a_fixture() {
    use blueprint_grammars::model::ComponentType;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut seen = Vec::new();
    for entry in std::fs::read_dir(dir).expect("fixtures") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("read");
        let root = blueprint_grammars::yaml::parse(&text).root;
        let blueprint = blueprint_grammars::model::lower(root.as_ref(), &text);
        for c in blueprint.system.iter().flat_map(|s| &s.components) {
            seen.extend(c.kind);
        }
    }
    for kind in ComponentType::ALL {
        assert!(seen.contains(kind), "no fixture has a {}", kind.as_str());
    }
}
