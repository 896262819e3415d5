//! The blueprint file's structure, outside component configuration
//! (which is in [`super::configuration`]).
//!
//! Canonical keys are those of DESIGN.md's canonical form. Legacy keys are
//! exactly those the model lowers and records as a [`crate::model::LegacyForm`].
//! Ignored keys are the autocoder fields that real files carry (see
//! autocoder's own `system_blueprint_schema.yaml`) and Blueprint has no use
//! for; each says why, so the user can decide to delete it.

use super::{Format, Kind, OtherKeys, Shape, Vocab};
use crate::model::{Engine, FlowType, MigrationMode};

/// A port in `inputs`/`outputs`: a mapping, or a bare name.
fn port_item() -> Kind {
    Kind::OneOf(vec![Kind::String(Format::SnakeCase), Kind::Object(port)])
}

/// `component.port` (checked by the binding rules, BP307), or the legacy
/// `{component, output|input}` object (reported by BP152).
fn endpoint() -> Kind {
    Kind::OneOf(vec![Kind::string(), Kind::Mapping])
}

shape_fn! {
    /// The file: `schema_version`, `metadata`, `system`, `schemas`.
    pub fn root() {
        Shape::new("blueprint", "blueprint", "A blueprint: a data system's components, bindings, schemas and databases.")
            .key("schema_version", Kind::String(Format::Semver), "Version of the blueprint language this file is written in, such as \"1.0.0\".")
            .example("schema_version: \"1.0.0\"")
            .key("metadata", Kind::Object(metadata), "Free-form facts about the file: author, tags, the description it was drafted from.")
            .required("system", Kind::Object(system), "The system: its name, databases, components and bindings.")
            .example("system: { name: my_system, components: [] }")
            .key("schemas", Kind::map(Kind::Object(schema), "schema"), "Record schemas by name (a JSON Schema subset), referenced by ports.")
            .ignored("policy", "Blueprint does not enforce autocoder policies (SLOs, resource limits, dependency rules)")
            .ignored("configuration", "the generated system reads its runtime settings from its environment, not from the blueprint")
    }
}

shape_fn! {
    /// `metadata`: free-form, with a few keys Blueprint knows.
    pub fn metadata() {
        Shape::new("metadata", "metadata", "Facts about the blueprint file; free-form, any key is accepted.")
            .key("natural_language_description", Kind::string(), "The description this blueprint was drafted from; checked against the configuration.")
            .key("description", Kind::string(), "What the blueprint is for.")
            .key("author", Kind::string(), "Who wrote the blueprint.")
            .key("version", Kind::string(), "Version of this blueprint file.")
            .key("tags", Kind::list(Kind::string()), "Classification tags.")
            .key("created", Kind::string(), "When the blueprint was created (ISO 8601).")
            .key("autocoder_version", Kind::string(), "Version of autocoder that wrote the file, if it did.")
            .key("schema_version", Kind::string(), "Version of the blueprint language, as autocoder recorded it (prefer the top-level `schema_version`).")
            .other(OtherKeys::Free)
    }
}

shape_fn! {
    /// `system`.
    pub fn system() {
        Shape::new("system", "system", "The system: its name, databases, components and bindings.")
            .required("name", Kind::String(Format::SnakeCase), "The system's name, snake_case; names the generated crate.")
            .example("name: my_system")
            .key("description", Kind::string(), "What the system does, in a sentence.")
            .key("version", Kind::String(Format::Semver), "The system's version (semver), such as 1.0.0.")
            .key("databases", Kind::map(Kind::Object(database), "database"), "The databases stores live in, by name.")
            .key("observability", Kind::Object(observability), "Where the running system serves its metrics.")
            .required("components", Kind::list(Kind::Object(component)), "The components of the system.")
            .example("components: [{ name: my_component, type: Transformer }]")
            .key("bindings", Kind::list(Kind::Object(binding)), "Connections from output ports to input ports.")
            .legacy("schemas", Kind::map(Kind::Object(schema), "schema"), "Record schemas; legacy location, they belong at the top level.")
            .ignored("configuration", "the generated system reads its runtime settings (environment, timeouts, logging) from its environment")
            .ignored("deployment", "Blueprint generates its own Dockerfile and docker-compose.yml")
            .ignored("validation", "Blueprint validates with its own rules and the generated system's tests")
            .ignored("runtime", "the generated system reads its runtime settings from its environment")
    }
}

shape_fn! {
    /// `system.databases.<name>`.
    pub fn database() {
        Shape::new("database", "database", "A database that stores live in.")
            .key("engine", Kind::Enum(engines()), "The database engine: postgres, mysql or sqlite.")
            .key("url", Kind::string(), "Connection URL; `${VAR}` and `${VAR:-default}` are read from the environment and `.env`.")
            .key("pool", Kind::Object(pool), "Connection pool settings.")
            .key("migrations", Kind::Enum(migration_modes()), "At start-up: apply migrations (auto), check the schema only (verify), or neither (off).")
            .key("description", Kind::string(), "What the database holds.")
    }
}

shape_fn! {
    /// `system.databases.<name>.pool`.
    pub fn pool() {
        Shape::new("pool", "pool", "Connection pool settings (sqlx PoolOptions).")
            .key("max_connections", Kind::int(1, 10_000), "Most connections the pool opens; keep it under the server's max_connections.")
            .key("min_connections", Kind::int(0, 10_000), "Connections the pool keeps open when idle.")
            .key("acquire_timeout_ms", Kind::int(1, 3_600_000), "How long a query waits for a free connection before failing, in milliseconds.")
    }
}

shape_fn! {
    /// `system.observability`.
    pub fn observability() {
        Shape::new("observability", "observability", "How the running system can be observed.")
            .key("metrics", Kind::Object(metrics), "The Prometheus metrics endpoint.")
    }
}

shape_fn! {
    /// `system.observability.metrics`.
    pub fn metrics() {
        Shape::new("metrics", "metrics", "The Prometheus metrics endpoint of the running system.")
            .key("listen", Kind::String(Format::ListenAddress), "Address the running system serves /metrics on, such as 127.0.0.1:9464.")
            .example("listen: 127.0.0.1:9464")
    }
}

shape_fn! {
    /// An item of `system.components`.
    pub fn component() {
        Shape::new("component", "component", "A component of the system.")
            .required("name", Kind::String(Format::SnakeCase), "The component's name, snake_case; unique in the system.")
            .example("name: my_component")
            .required("type", Kind::ComponentType, "What the component does; decides its configuration and generated code.")
            .example("type: Transformer")
            .key("description", Kind::string(), "What the component does, in a sentence.")
            .key("inputs", Kind::list(port_item()), "Input ports.")
            .key("outputs", Kind::list(port_item()), "Output ports.")
            .key("configuration", Kind::Mapping, "Settings for the component; the keys depend on its type.")
            .legacy("config", Kind::Mapping, "Legacy spelling of `configuration`.")
            .legacy("ports", Kind::Mapping, "Legacy ports map with `direction`; write `inputs` and `outputs`.")
            .mixed("resources", resources, "Autocoder resource requirements; only the legacy `databases` is read.")
            .ignored("processing_mode", "Blueprint derives processing from the component type")
            .ignored("observability", "Blueprint measures every component; the metrics endpoint is `system.observability`")
            .ignored("dependencies", "Blueprint derives dependencies from bindings and databases")
            .ignored("implementation", "generated components are Rust; custom logic goes in the component's user-owned module")
            .ignored("properties", "Blueprint does not evaluate autocoder property constraints")
            .ignored("contracts", "Blueprint does not evaluate autocoder contracts; port schemas are checked instead")
    }
}

shape_fn! {
    /// A component's `resources` (autocoder).
    pub fn resources() {
        Shape::new("resources", "resources", "Autocoder resource requirements.")
            .legacy("databases", Kind::list(Kind::Mapping), "Legacy database settings; declare the database under `system.databases`.")
            .other(OtherKeys::Ignored("sizing is up to the deployment, and HTTP ports are set in `configuration`"))
    }
}

shape_fn! {
    /// An item of `inputs` or `outputs` written as a mapping.
    pub fn port() {
        Shape::new("port", "port", "A typed port.")
            .required("name", Kind::String(Format::SnakeCase), "The port's name, snake_case; unique in the component.")
            .example("name: input")
            .key("schema", Kind::string(), "Name of the schema of the records on this port.")
            .key("flow_type", Kind::Enum(flow_types()), "How data moves: push, pull or request_response.")
            .key("description", Kind::string(), "What the port carries.")
            .ignored("required", "every declared port is part of the component's interface")
            .ignored("batch_size", "batching is set on the component that batches (such as a store's `batch_size`)")
    }
}

shape_fn! {
    /// An item of `system.bindings`.
    pub fn binding() {
        Shape::new("binding", "binding", "A connection from an output port to one or more input ports.")
            .required_unless("from", endpoint(), &["from_component"], "The output, as `component.port`.")
            .example("from: my_source.output")
            .required_unless("to", Kind::OneOf(vec![Kind::string(), Kind::list(endpoint()), Kind::Mapping]), &["to_component", "to_components"], "The input as `component.port`, or a list of them to fan out.")
            .example("to: my_sink.input")
            .legacy("from_component", Kind::string(), "Legacy: write `from: component.port`.")
            .legacy("from_port", Kind::string(), "Legacy: write `from: component.port`.")
            .legacy("to_component", Kind::string(), "Legacy: write `to: component.port`.")
            .legacy("to_port", Kind::string(), "Legacy: write `to: component.port`.")
            .legacy("to_components", Kind::list(Kind::string()), "Legacy: write `to: [component.port, ...]`.")
            .legacy("to_ports", Kind::list(Kind::string()), "Legacy: write `to: [component.port, ...]`.")
            .ignored("error_handling", "generated bindings are bounded channels; failures are reported by the receiving component")
            .ignored("qos", "generated bindings deliver in order, at most once, through bounded channels")
            .ignored("transformation", "put a Transformer component on the binding instead")
            .ignored("condition", "use a Router component to route records by condition")
    }
}

shape_fn! {
    /// A record schema, or a field's schema (a JSON Schema subset).
    pub fn schema() {
        Shape::new("schema", "schema", "A record schema (a JSON Schema subset).")
            .key("type", Kind::one_of(&["object", "array", "string", "number", "integer", "boolean", "null"]), "The JSON type of the value.")
            .key("format", Kind::string(), "A string format such as uuid, date-time, date or email; decides the column type.")
            .key("properties", Kind::map(Kind::Object(schema), "field"), "The fields of an object, by name.")
            .key("required", Kind::list(Kind::string()), "Fields that every record must have.")
            .key("items", Kind::Object(schema), "The schema of each item of an array.")
            .key("default", Kind::Any, "Value used when the field is absent.")
            .key("description", Kind::string(), "What the field holds.")
            .key("enum", Kind::list(Kind::Any), "The allowed values.")
            .key("minimum", Kind::Number { min: None, max: None }, "Smallest allowed number.")
            .key("maximum", Kind::Number { min: None, max: None }, "Largest allowed number.")
            .key("minLength", Kind::int_at_least(0), "Shortest allowed string, in characters.")
            .key("maxLength", Kind::int_at_least(0), "Longest allowed string, in characters; decides the column size.")
            .key("pattern", Kind::string(), "A regular expression the string must match.")
    }
}

/// Database engines: the canonical names and the aliases
/// [`Engine::parse`] accepts.
pub(super) fn engines() -> Vocab {
    Vocab {
        values: Engine::ALL.iter().map(|e| e.as_str()).collect(),
        aliases: vec!["postgresql", "pg", "mariadb", "sqlite3"],
    }
}

fn migration_modes() -> Vocab {
    Vocab {
        values: MigrationMode::ALL.iter().map(|m| m.as_str()).collect(),
        aliases: Vec::new(),
    }
}

fn flow_types() -> Vocab {
    Vocab {
        values: FlowType::ALL.iter().map(|f| f.as_str()).collect(),
        aliases: Vec::new(),
    }
}
