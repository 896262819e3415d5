//! The body of a generated component module, per component type: its
//! constants, its hooks trait (one method per port where the type handles
//! records) and the component that calls them.

mod request;
mod stream;

use blueprint_grammars::model::ComponentType;

use super::super::ir::{ComponentIr, SystemIr};
use super::component::{input_schema_name, output_schema_name, schema_static};

/// Everything after the module's doc comment.
pub fn module_body(system: &SystemIr, c: &ComponentIr) -> String {
    let mut out = String::from(IMPORTS);
    out.push_str(&format!(
        "\n/// The component's name in the blueprint.\npub const NAME: &str = \"{}\";\n",
        c.name
    ));
    let outputs: Vec<String> = c
        .outputs
        .iter()
        .map(|p| format!("\"{}\"", p.name))
        .collect();
    out.push_str(&format!(
        "/// Its output ports; records leave by every one unless the type routes them.\npub const OUTPUTS: &[&str] = &[{}];\n",
        outputs.join(", ")
    ));
    for p in &c.inputs {
        out.push_str(&format!(
            "\n/// Schema of input `{}`{}.\n",
            p.name,
            schema_label(p.schema_name.as_deref())
        ));
        out.push_str(&schema_static(&input_schema_name(p), &p.schema));
    }
    for p in &c.outputs {
        out.push_str(&format!(
            "\n/// Schema of output `{}`{}.\n",
            p.name,
            schema_label(p.schema_name.as_deref())
        ));
        out.push_str(&schema_static(&output_schema_name(p), &p.schema));
    }
    out.push('\n');
    out.push_str(&match c.kind {
        ComponentType::ApiEndpoint => request::api_endpoint(c),
        ComponentType::Controller => request::controller(c),
        ComponentType::Store => request::store(system, c),
        ComponentType::Transformer | ComponentType::Model => request::transformer(c),
        ComponentType::StreamProcessor => stream::stream_processor(c),
        ComponentType::Accumulator => stream::accumulator(c),
        ComponentType::Router => stream::router(c),
        ComponentType::Sink => stream::sink(c),
        ComponentType::Source => stream::source(c),
    });
    out
}

fn schema_label(name: Option<&str>) -> String {
    name.map_or_else(|| " (none declared)".to_owned(), |n| format!(" (`{n}`)"))
}

const IMPORTS: &str = "#![allow(unused_imports, dead_code)]

use std::future::Future;
use std::sync::LazyLock;
use std::time::Duration;

use blueprint_runtime::{
    behaviour, Component, ComponentError, ConcurrentComponent, Message, Operation, Output, Value,
};
";

/// The hooks a user can override, as one-line signatures, for the user
/// module's comment.
pub fn hook_signatures(c: &ComponentIr) -> Vec<String> {
    match c.kind {
        ComponentType::ApiEndpoint => request::api_hooks(c),
        ComponentType::Controller | ComponentType::Store => request::record_hooks(c),
        ComponentType::Transformer | ComponentType::Model => request::transform_hooks(c),
        ComponentType::StreamProcessor => stream::stream_hooks(c),
        ComponentType::Accumulator => vec![
            "on_window(&mut self, records: Vec<Value>) -> Result<Value, ComponentError>".into(),
        ],
        ComponentType::Router => vec![
            "route(&mut self, record: &Value, configured: Option<&str>) -> Option<String>".into(),
        ],
        ComponentType::Sink => stream::sink_hooks(c),
        ComponentType::Source => vec![
            "produce(&mut self, sequence: u64) -> Result<Option<Value>, ComponentError>".into(),
        ],
    }
}

/// `Some(Duration::from_millis(n))` or `None`, as Rust source.
fn duration_const(ms: Option<i64>) -> String {
    match ms {
        Some(ms) if ms > 0 => format!("Some(Duration::from_millis({ms}))"),
        _ => "None".to_owned(),
    }
}

/// `Some(..)` / `None` of a Rust literal.
fn option_literal<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "None".to_owned(), |v| format!("Some({v})"))
}

/// Rust source of a string literal.
fn str_literal(s: &str) -> String {
    format!("{s:?}")
}

/// The schema static a transform's default projects onto: the first
/// output's, or none (records pass unchanged).
fn first_output_schema(c: &ComponentIr) -> Option<String> {
    c.outputs.first().map(output_schema_name)
}
