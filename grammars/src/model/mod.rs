//! The blueprint model: what a blueprint says, with where it says it.
//!
//! [`lower`] builds it from the spanned YAML tree. Lowering is lenient: it
//! never fails, takes whatever is well-formed, and leaves the rest `None` for
//! the validator to report (the validator walks the YAML tree for keys and
//! types; the model is for meaning). Every legacy form it accepts is
//! normalised to the canonical one and recorded in [`Blueprint::legacy`], so
//! that the validator can hint at the canonical spelling and offer a rewrite.

mod components;
mod databases;
mod legacy;
mod lower;
mod schemas;
mod types;

pub use legacy::{LegacyForm, LegacyUse};
pub use lower::lower;
pub use types::{ComponentType, Direction, Engine, FlowType, MigrationMode};

use crate::span::{Span, Spanned};
use crate::yaml::Node;

/// A whole blueprint file.
#[derive(Clone, Debug, Default)]
pub struct Blueprint {
    pub schema_version: Option<Spanned<String>>,
    pub natural_language_description: Option<Spanned<String>>,
    pub system: Option<System>,
    /// Schemas from the top-level `schemas` and (legacy) `system.schemas`,
    /// in source order; duplicates kept for the validator.
    pub schemas: Vec<SchemaDef>,
    /// Every legacy form that was normalised, in source order.
    pub legacy: Vec<LegacyUse>,
}

/// The `system` section.
#[derive(Clone, Debug, Default)]
pub struct System {
    pub span: Span,
    pub name: Option<Spanned<String>>,
    pub description: Option<Spanned<String>>,
    pub version: Option<Spanned<String>>,
    /// Declared databases, then those synthesised from legacy store
    /// settings (with [`DatabaseOrigin::Legacy`]).
    pub databases: Vec<Database>,
    /// `observability.metrics.listen`.
    pub metrics_listen: Option<Spanned<String>>,
    pub components: Vec<Component>,
    pub bindings: Vec<Binding>,
}

/// One database a store can live in.
#[derive(Clone, Debug)]
pub struct Database {
    pub name: Spanned<String>,
    /// The whole entry (for a legacy database: the settings it came from).
    pub span: Span,
    /// The engine as written, and as understood when it is one we know.
    pub engine: Option<Spanned<String>>,
    pub engine_kind: Option<Engine>,
    /// The URL as written, before `${VAR}` interpolation.
    pub url: Option<Spanned<String>>,
    pub pool: Pool,
    pub migrations: Option<Spanned<String>>,
    pub origin: DatabaseOrigin,
}

#[derive(Clone, Debug, Default)]
pub struct Pool {
    pub max_connections: Option<Spanned<i64>>,
    pub min_connections: Option<Spanned<i64>>,
    pub acquire_timeout_ms: Option<Spanned<i64>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatabaseOrigin {
    /// Written under `system.databases`.
    Declared,
    /// Synthesised from settings inside the named store component.
    Legacy { component: String },
}

/// One component.
#[derive(Clone, Debug)]
pub struct Component {
    /// The whole list item.
    pub span: Span,
    pub name: Option<Spanned<String>>,
    /// The type as written.
    pub type_name: Option<Spanned<String>>,
    /// The type, when it is one we know.
    pub kind: Option<ComponentType>,
    pub description: Option<Spanned<String>>,
    pub inputs: Vec<Port>,
    pub outputs: Vec<Port>,
    /// `configuration` (or legacy `config`) as written.
    pub configuration: Option<Node>,
    /// Store settings, normalised from canonical or legacy forms.
    pub store: Option<StoreSettings>,
    /// Digest of the component's source text: equal digests mean equal
    /// components, which is what per-component memoisation keys on.
    pub digest: u64,
}

/// Where a store keeps its records.
#[derive(Clone, Debug, Default)]
pub struct StoreSettings {
    /// Name of the database (a key of `system.databases`, or a synthesised
    /// legacy database).
    pub database: Option<Spanned<String>>,
    pub table: Option<Spanned<String>>,
    pub key: Option<Spanned<String>>,
}

/// A typed port.
#[derive(Clone, Debug)]
pub struct Port {
    pub span: Span,
    pub name: Spanned<String>,
    pub direction: Direction,
    pub schema: Option<Spanned<String>>,
    pub flow_type: Option<Spanned<String>>,
}

impl Port {
    /// The flow type, `push` when unset or unknown.
    pub fn flow(&self) -> FlowType {
        self.flow_type
            .as_ref()
            .and_then(|f| FlowType::parse(&f.value))
            .unwrap_or(FlowType::Push)
    }
}

/// A binding from one output to one or more inputs.
#[derive(Clone, Debug)]
pub struct Binding {
    pub span: Span,
    pub from: Option<Endpoint>,
    pub to: Vec<Endpoint>,
}

/// `component.port` as written in a binding.
#[derive(Clone, Debug)]
pub struct Endpoint {
    /// The whole reference.
    pub span: Span,
    pub component: Spanned<String>,
    /// `None` when the reference has no `.port` part.
    pub port: Option<Spanned<String>>,
}

/// A named record schema (a JSON-Schema subset).
#[derive(Clone, Debug)]
pub struct SchemaDef {
    pub name: Spanned<String>,
    pub span: Span,
    pub schema: Schema,
}

/// A schema or a field's schema.
#[derive(Clone, Debug, Default)]
pub struct Schema {
    pub span: Span,
    /// `type` as written.
    pub type_name: Option<Spanned<String>>,
    pub format: Option<Spanned<String>>,
    pub properties: Vec<Field>,
    pub required: Vec<Spanned<String>>,
    pub items: Option<Box<Schema>>,
    pub has_default: bool,
}

#[derive(Clone, Debug)]
pub struct Field {
    pub name: Spanned<String>,
    pub schema: Schema,
}

impl Schema {
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.properties.iter().find(|f| f.name.value == name)
    }

    pub fn is_required(&self, name: &str) -> bool {
        self.required.iter().any(|r| r.value == name)
    }
}

impl Blueprint {
    pub fn schema(&self, name: &str) -> Option<&SchemaDef> {
        self.schemas.iter().find(|s| s.name.value == name)
    }
}

impl System {
    pub fn component(&self, name: &str) -> Option<&Component> {
        self.components
            .iter()
            .find(|c| c.name.as_ref().is_some_and(|n| n.value == name))
    }

    pub fn database(&self, name: &str) -> Option<&Database> {
        self.databases.iter().find(|d| d.name.value == name)
    }
}

impl Component {
    pub fn name_str(&self) -> Option<&str> {
        self.name.as_ref().map(|n| n.value.as_str())
    }

    pub fn port(&self, name: &str) -> Option<&Port> {
        self.inputs
            .iter()
            .chain(&self.outputs)
            .find(|p| p.name.value == name)
    }

    pub fn input(&self, name: &str) -> Option<&Port> {
        self.inputs.iter().find(|p| p.name.value == name)
    }

    pub fn output(&self, name: &str) -> Option<&Port> {
        self.outputs.iter().find(|p| p.name.value == name)
    }
}
