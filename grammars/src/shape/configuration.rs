//! The `configuration` keys of each component type.
//!
//! Each set is small and real: what a generated system (axum + sqlx +
//! tokio, see DESIGN.md "Generated systems") reads for that type. Every type
//! also takes `buffer_size`, the capacity of the bounded channels that
//! bindings become. Keys that autocoder files carry and Blueprint does not
//! use are ignored with a reason; the store's legacy database keys are
//! legacy (the model lowers them and BP151 hints at the canonical form).

use super::{Format, Kind, Shape};
use crate::model::ComponentType;

/// The configuration shape for a component type.
pub fn configuration(kind: ComponentType) -> &'static Shape {
    match kind {
        ComponentType::Source => source(),
        ComponentType::Transformer => transformer(),
        ComponentType::Accumulator => accumulator(),
        ComponentType::Store => store(),
        ComponentType::Controller => controller(),
        ComponentType::Sink => sink(),
        ComponentType::StreamProcessor => stream_processor(),
        ComponentType::Model => model(),
        ComponentType::ApiEndpoint => api_endpoint(),
        ComponentType::Router => router(),
    }
}

/// A configuration shape with the keys every component type takes.
fn base(id: &'static str, noun: &'static str, doc: &'static str) -> Shape {
    Shape::new(id, noun, doc).key(
        "buffer_size",
        Kind::int(1, 1_000_000),
        "Capacity of the bounded channel in front of each input port; a full channel slows the sender down.",
    )
}

fn timeout_ms() -> Kind {
    Kind::int(1, 3_600_000)
}

shape_fn! {
    fn api_endpoint() {
        base("configuration.APIEndpoint", "APIEndpoint configuration", "Settings of an HTTP endpoint (REST over the stores it reaches, /health and /ready).")
            .key("port", Kind::int(1, 65_535), "TCP port the HTTP server listens on.")
            .example("port: 8080")
            .key("host", Kind::string(), "Address to bind, such as 0.0.0.0 (every interface) or 127.0.0.1.")
            .key("base_path", Kind::String(Format::UrlPath), "Prefix of every route, such as /api/v1.")
            .key("path", Kind::String(Format::UrlPath), "Route of the collection, in place of /{table}.")
            .key("request_timeout_ms", timeout_ms(), "How long a request may take before it fails with 503, in milliseconds.")
            .key("max_page_size", Kind::int(1, 100_000), "Most records one list request returns.")
            .key("max_body_bytes", Kind::int(1, 1 << 30), "Largest request body accepted, in bytes.")
            .ignored("auth_required", "generated endpoints do not authenticate; put them behind a gateway that does")
            .ignored("rate_limiting", "generated endpoints do not rate-limit; put them behind a gateway that does")
    }
}

shape_fn! {
    fn store() {
        base("configuration.Store", "Store configuration", "Settings of a store: which database and table its records live in.")
            .key("database", Kind::OneOf(vec![Kind::string(), Kind::Mapping]), "Name of the database under `system.databases` the table lives in.")
            .example("database: main")
            .key("table", Kind::String(Format::SqlIdentifier), "Table the records are stored in.")
            .example("table: tasks")
            .key("key", Kind::string(), "Field of the schema that is the table's primary key.")
            .example("key: id")
            .key("batch_size", Kind::int(1, 10_000), "Most records written in one transaction when the input is batched.")
            .legacy("storage_type", Kind::string(), "Legacy: the engine; write `engine` on a database under `system.databases`.")
            .legacy("database_type", Kind::string(), "Legacy: the engine; write `engine` on a database under `system.databases`.")
            .legacy("database_url", Kind::string(), "Legacy: the URL; write `url` on a database under `system.databases`.")
            .legacy("table_name", Kind::string(), "Legacy spelling of `table`.")
            .ignored("schema_validation", "the store always validates records against the port's schema")
            .ignored("testing_mode", "run the generated system's tests instead")
    }
}

shape_fn! {
    fn source() {
        base("configuration.Source", "Source configuration", "Settings of a source of records.")
            .key("interval_ms", Kind::int(1, 86_400_000), "Time between two productions of records, in milliseconds.")
            .key("batch_size", Kind::int(1, 100_000), "Records produced at a time.")
            .key("max_records", Kind::int_at_least(1), "Stop after producing this many records.")
            .ignored("data_type", "the records' shape is the output port's schema")
    }
}

shape_fn! {
    fn transformer() {
        base("configuration.Transformer", "Transformer configuration", "Settings of a record-by-record transformer.")
            .key("concurrency", Kind::int(1, 1024), "Records transformed at the same time.")
            .key("timeout_ms", timeout_ms(), "How long transforming one record may take, in milliseconds.")
            .ignored("processing_type", "a transformer's logic is in its user-owned module")
    }
}

shape_fn! {
    fn controller() {
        base("configuration.Controller", "Controller configuration", "Settings of a controller between endpoints and stores.")
            .key("concurrency", Kind::int(1, 1024), "Requests handled at the same time.")
            .key("timeout_ms", timeout_ms(), "How long handling one request may take, in milliseconds.")
    }
}

shape_fn! {
    fn accumulator() {
        base("configuration.Accumulator", "Accumulator configuration", "Settings of an accumulator's windows.")
            .key("window_ms", Kind::int(1, 86_400_000), "Length of a time window, in milliseconds; the aggregate is emitted when it closes.")
            .key("window_size", Kind::int(1, 1_000_000), "Records in a count window; the aggregate is emitted when it is full.")
            .key("group_by", Kind::list(Kind::string()), "Fields whose values group records into separate aggregates.")
    }
}

shape_fn! {
    fn router() {
        base("configuration.Router", "Router configuration", "Settings of a router: which output each record goes to.")
            .key("routes", Kind::list(Kind::Object(route)), "Routes tried in order; a record goes to the first whose condition holds.")
            .key("default_output", Kind::String(Format::SnakeCase), "Output port for records that match no route.")
    }
}

shape_fn! {
    /// An item of a Router's `routes`.
    fn route() {
        Shape::new("configuration.Router.route", "route", "One route of a router.")
            .required("when", Kind::string(), "Condition over the record's fields, such as `amount > 1000`.")
            .example("when: amount > 1000")
            .required("output", Kind::String(Format::SnakeCase), "Output port the matching records go to.")
            .example("output: large")
    }
}

shape_fn! {
    fn sink() {
        base("configuration.Sink", "Sink configuration", "Settings of a sink that sends records out of the system.")
            .key("url", Kind::string(), "HTTP endpoint the records are POSTed to, as JSON.")
            .key("batch_size", Kind::int(1, 100_000), "Most records sent at a time.")
            .key("flush_interval_ms", Kind::int(1, 3_600_000), "Longest a record waits for its batch to fill, in milliseconds.")
    }
}

shape_fn! {
    fn stream_processor() {
        base("configuration.StreamProcessor", "StreamProcessor configuration", "Settings of a stateful stream processor.")
            .key("window_ms", Kind::int(1, 86_400_000), "Length of the processing window, in milliseconds.")
            .key("partition_by", Kind::string(), "Field whose value partitions the processor's state.")
            .key("state_ttl_ms", Kind::int_at_least(1), "How long state for a partition is kept after its last record, in milliseconds.")
    }
}

shape_fn! {
    fn model() {
        base("configuration.Model", "Model configuration", "Settings of a scoring or classification model.")
            .key("model_path", Kind::string(), "Path of the model file loaded at start-up, relative to the blueprint.")
            .key("threshold", Kind::number(0.0, 1.0), "Score at or above which a record is classified positive.")
            .key("batch_size", Kind::int(1, 100_000), "Records scored at a time.")
            .key("timeout_ms", timeout_ms(), "How long scoring one batch may take, in milliseconds.")
    }
}
