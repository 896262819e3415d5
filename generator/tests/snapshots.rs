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

/// The container files are consistent with the project: compose parses as
/// YAML, runs the system with its database's URL variable pointed at the
/// database service (which must be healthy first), and the Dockerfile
/// builds and runs the system's own binary. (Building the images needs a
/// registry this test does not assume.)
#[test]
fn container_files_fit_the_project() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pipeline.blueprint.yaml");
    let text = std::fs::read_to_string(path).expect("fixture");
    let files = generate(&text).expect("generates");
    let file = |name: &str| {
        files
            .iter()
            .find(|f| f.path.to_string_lossy() == name)
            .unwrap_or_else(|| panic!("{name} is produced"))
            .contents
            .clone()
    };
    let compose = file("docker-compose.yml");
    let parsed = blueprint_grammars::yaml::parse(&compose);
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    let root = parsed.root.expect("a document");
    let services = root.get("services").expect("services");
    let app = services
        .get("payment_pipeline")
        .expect("the system's service");
    let url = app
        .get("environment")
        .and_then(|e| e.get("LEDGER_URL"))
        .and_then(|u| u.as_str())
        .expect("LEDGER_URL set for the system");
    assert!(
        url.starts_with("postgres://") && url.contains("@ledger_db:5432/"),
        "{url}"
    );
    assert!(
        url.contains("${POSTGRES_PASSWORD}"),
        "no literal password: {url}"
    );
    let db = services.get("ledger_db").expect("the database service");
    assert!(db.get("healthcheck").is_some());
    assert_eq!(
        app.get("depends_on")
            .and_then(|d| d.get("ledger_db"))
            .and_then(|d| d.get("condition"))
            .and_then(|c| c.as_str()),
        Some("service_healthy")
    );
    let dockerfile = file("Dockerfile");
    assert!(dockerfile.contains(
        "COPY --from=build /src/target/release/payment_pipeline /usr/local/bin/payment_pipeline"
    ));
    assert!(dockerfile.contains("CMD [\"payment_pipeline\"]"));
    assert!(dockerfile.contains("cargo build --release"));
}

/// A password written into the blueprint reaches no generated file: the
/// URL reads it from a variable instead, which `.env.example` names.
#[test]
fn no_generated_file_holds_a_literal_password() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tasks.blueprint.yaml");
    let text = std::fs::read_to_string(path)
        .expect("fixture")
        .replace("engine: sqlite", "engine: postgres")
        .replace(
            "url: ${DATABASE_URL:-sqlite://tasks.db}",
            "url: postgres://app:s3cret-Pa55@db.internal:5432/tasks",
        );
    let files = generate(&text).expect("generates");
    for file in &files {
        assert!(
            !file.contents.contains("s3cret-Pa55"),
            "{} holds the password",
            file.path.display()
        );
    }
    let config = files
        .iter()
        .find(|f| f.path.to_string_lossy() == "src/config.rs")
        .expect("config.rs");
    assert!(
        config
            .contents
            .contains("postgres://app:${MAIN_DB_PASSWORD}@db.internal:5432/tasks"),
        "{}",
        config.contents
    );
    let example = files
        .iter()
        .find(|f| f.path.to_string_lossy() == ".env.example")
        .expect(".env.example");
    assert!(example.contents.contains("MAIN_DB_PASSWORD="));
    // The whole URL can still be replaced (compose does), by a variable of
    // our naming since the blueprint wrote no variable of its own.
    assert!(config
        .contents
        .contains("std::env::var(\"MAIN_DATABASE_URL\")"));
    let compose = files
        .iter()
        .find(|f| f.path.to_string_lossy() == "docker-compose.yml")
        .expect("compose");
    assert!(compose.contents.contains("MAIN_DATABASE_URL: postgres://blueprint:${POSTGRES_PASSWORD}@main_db:5432/task_tracker"), "{}", compose.contents);
}
