//! Legacy forms: older autocoder shapes that still load.
//!
//! Lowering normalises each to the canonical form and records a
//! [`LegacyUse`]: which form, where, and (where the rewrite is local to the
//! text it covers) the edits that rewrite it to the canonical form.

use crate::span::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LegacyForm {
    /// `config:` instead of `configuration:`.
    ConfigKey,
    /// `configuration.database: {type, connection_string, pool_size |
    /// connection_pool{min_size,max_size}}` inside a store.
    StoreDatabaseBlock,
    /// `storage_type`, `database_type`, `database_url` or `table_name` in a
    /// store's configuration, or `database: <engine name>`.
    StoreDatabaseKeys,
    /// `resources.databases[]` on a component.
    ResourcesDatabases,
    /// `from: {component, output}` / `to: {component, input}`.
    BindingObjectEndpoint,
    /// `from_component` / `from_port` / `to_component(s)` / `to_port(s)`.
    BindingSplitKeys,
    /// A component `ports:` map whose entries carry `direction`.
    PortsMap,
    /// `system.schemas` instead of top-level `schemas`.
    SystemSchemas,
}

/// One use of a legacy form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LegacyUse {
    pub form: LegacyForm,
    /// The text written in the legacy form.
    pub span: Span,
    /// What the canonical form is, in words, for the hint's message
    /// (e.g. "`configuration`" or "`from: event_source.events`").
    pub canonical: String,
    /// Edits that rewrite this use to the canonical form, when the rewrite
    /// only touches the text of this use; empty otherwise.
    pub rewrite: Vec<(Span, String)>,
}
