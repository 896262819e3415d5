//! The blueprint as the generator needs it: every name resolved, every
//! default applied, schemas and configuration as JSON. Rendering reads only
//! this, so the rules "which store does this endpoint reach" or "what is a
//! store's table" live in one place.

use std::collections::{BTreeSet, VecDeque};

use blueprint_grammars::interpolate::secret_spans;
use blueprint_grammars::model::{Blueprint, Component, ComponentType, Engine, FlowType};
use blueprint_grammars::yaml::Node;
use serde_json::{json, Value};

use super::names::{is_identifier, upper_snake};
use super::GenerateError;

/// The key a store uses when the blueprint names none (as the validator).
pub const DEFAULT_KEY: &str = "id";
pub const DEFAULT_API_PORT: i64 = 8080;
pub const DEFAULT_API_HOST: &str = "127.0.0.1";

/// A `${NAME}` or `${NAME:-default}` reference: the name and its default.
pub type Variable = (String, Option<String>);

#[derive(Debug, Clone)]
pub struct SystemIr {
    /// snake_case; also the crate name.
    pub name: String,
    pub description: String,
    pub databases: Vec<DatabaseIr>,
    pub components: Vec<ComponentIr>,
    pub bindings: Vec<BindingIr>,
    /// `observability.metrics.listen`.
    pub metrics_listen: Option<String>,
}

#[derive(Debug, Clone)]
pub struct DatabaseIr {
    pub name: String,
    pub engine: Engine,
    /// The URL as written, `${VAR}` references kept, any literal password
    /// replaced by `${<NAME>_DB_PASSWORD}` so no secret reaches a file.
    pub url_template: String,
    /// Variables the URL reads, with their defaults (for `.env.example`).
    pub variables: Vec<(String, Option<String>)>,
    /// The variable that holds the whole URL: the blueprint's own when the
    /// URL is `${VAR}` or `${VAR:-default}`, else `<NAME>_DATABASE_URL`,
    /// which then overrides the URL as written (compose sets it).
    pub url_variable: String,
    /// Whether `url_variable` is ours rather than the blueprint's.
    pub url_variable_added: bool,
    pub max_connections: u32,
    pub min_connections: u32,
    pub acquire_timeout_ms: u64,
    /// `auto`, `verify` or `off`.
    pub migrations: String,
}

#[derive(Debug, Clone)]
pub struct PortIr {
    pub name: String,
    pub schema_name: Option<String>,
    /// The schema as JSON Schema (`{}` when the port has none).
    pub schema: Value,
    pub flow: FlowType,
}

#[derive(Debug, Clone)]
pub struct StoreIr {
    pub database: String,
    pub engine: Engine,
    pub table: String,
    pub key: String,
    pub schema: Value,
}

/// An APIEndpoint output that reaches a store: served as REST.
#[derive(Debug, Clone)]
pub struct RestIr {
    pub output: String,
    pub store: String,
    /// `base_path` + (`path` or `/<table>`).
    pub collection: String,
    pub key: String,
}

#[derive(Debug, Clone)]
pub struct ComponentIr {
    pub name: String,
    pub kind: ComponentType,
    pub description: Option<String>,
    pub inputs: Vec<PortIr>,
    pub outputs: Vec<PortIr>,
    /// `configuration` as JSON (an empty object when absent).
    pub configuration: Value,
    pub store: Option<StoreIr>,
    /// For APIEndpoints: the outputs served as REST.
    pub rest: Vec<RestIr>,
    /// The digest the generated module's header carries.
    pub digest: u64,
}

impl ComponentIr {
    /// A Sink's `url` as written, and the `${VAR}`s it reads.
    pub fn sink_url(&self) -> Option<(&str, Vec<Variable>)> {
        if self.kind != ComponentType::Sink {
            return None;
        }
        let url = self.config_str("url")?;
        Some((url, variables_of(url)))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindingIr {
    pub from: (String, String),
    pub to: (String, String),
}

impl ComponentIr {
    pub fn config_i64(&self, key: &str) -> Option<i64> {
        self.configuration.get(key).and_then(Value::as_i64)
    }
    pub fn config_str(&self, key: &str) -> Option<&str> {
        self.configuration.get(key).and_then(Value::as_str)
    }
    /// Environment variable overriding an APIEndpoint's listen address.
    pub fn addr_variable(&self) -> String {
        format!("{}_ADDR", upper_snake(&self.name))
    }
    /// `host:port` an APIEndpoint listens on by default.
    pub fn default_addr(&self) -> String {
        let host = self.config_str("host").unwrap_or(DEFAULT_API_HOST);
        let port = self.config_i64("port").unwrap_or(DEFAULT_API_PORT);
        format!("{host}:{port}")
    }
}

/// Lowers a validated blueprint. `root` is its YAML, for the parts the model
/// keeps only in summary (schemas and configuration as written).
pub fn build(text: &str, root: &Node, blueprint: &Blueprint) -> Result<SystemIr, GenerateError> {
    let system = blueprint.system.as_ref().ok_or(GenerateError::NoSystem)?;
    let name = system
        .name
        .as_ref()
        .map(|n| n.value.clone())
        .ok_or(GenerateError::NoSystem)?;
    if !is_identifier(&name) {
        return Err(GenerateError::Unsupported(format!(
            "system name `{name}` is not a snake_case identifier, so it cannot name a crate"
        )));
    }
    let schema_json = |schema: &str| -> Value {
        let found = root
            .get("schemas")
            .and_then(|s| s.get(schema))
            .or_else(|| root.get("system")?.get("schemas")?.get(schema));
        found.map_or_else(|| json!({}), Node::to_json)
    };
    let databases = system
        .databases
        .iter()
        .map(database)
        .collect::<Result<Vec<_>, _>>()?;
    let mut components = Vec::new();
    for c in &system.components {
        components.push(component(text, blueprint, c, &databases, &schema_json)?);
    }
    let mut bindings = Vec::new();
    for b in &system.bindings {
        let Some(from) = &b.from else { continue };
        let Some(from_port) = &from.port else {
            continue;
        };
        for to in &b.to {
            let Some(to_port) = &to.port else { continue };
            bindings.push(BindingIr {
                from: (from.component.value.clone(), from_port.value.clone()),
                to: (to.component.value.clone(), to_port.value.clone()),
            });
        }
    }
    let mut ir = SystemIr {
        name,
        description: system
            .description
            .as_ref()
            .map_or_else(String::new, |d| d.value.clone()),
        databases,
        components,
        bindings,
        metrics_listen: system.metrics_listen.as_ref().map(|m| m.value.clone()),
    };
    resolve_rest(&mut ir);
    Ok(ir)
}

fn database(d: &blueprint_grammars::model::Database) -> Result<DatabaseIr, GenerateError> {
    let name = d.name.value.clone();
    let url = d
        .url
        .as_ref()
        .map(|u| u.value.clone())
        .ok_or_else(|| GenerateError::Unsupported(format!("database `{name}` has no `url`")))?;
    let engine = d
        .engine_kind
        .or_else(|| Engine::from_url(&url))
        .ok_or_else(|| {
            GenerateError::Unsupported(format!(
                "database `{name}` has no engine the generator knows"
            ))
        })?;
    let password_var = format!("{}_DB_PASSWORD", upper_snake(&name));
    let url_template = without_literal_password(&url, &password_var);
    let variables = variables_of(&url_template);
    let whole = variables
        .first()
        .filter(|(_, _)| variables.len() == 1)
        .filter(|(v, d)| {
            let written = match d {
                Some(d) => format!("${{{v}:-{d}}}"),
                None => format!("${{{v}}}"),
            };
            written == url_template
        })
        .map(|(v, _)| v.clone());
    let url_variable_added = whole.is_none();
    let url_variable = whole.unwrap_or_else(|| format!("{}_DATABASE_URL", upper_snake(&name)));
    let pool = &d.pool;
    let clamp =
        |v: Option<i64>, default: u32| v.and_then(|v| u32::try_from(v).ok()).unwrap_or(default);
    Ok(DatabaseIr {
        name,
        engine,
        url_template,
        variables,
        url_variable,
        url_variable_added,
        max_connections: clamp(pool.max_connections.as_ref().map(|v| v.value), 10),
        min_connections: clamp(pool.min_connections.as_ref().map(|v| v.value), 0),
        acquire_timeout_ms: pool
            .acquire_timeout_ms
            .as_ref()
            .and_then(|v| u64::try_from(v.value).ok())
            .unwrap_or(3000),
        migrations: d
            .migrations
            .as_ref()
            .map_or_else(|| "auto".to_owned(), |m| m.value.clone()),
    })
}

/// Replaces every literal password in `url` with `${var}`.
fn without_literal_password(url: &str, var: &str) -> String {
    let mut out = url.to_owned();
    for span in secret_spans(url).into_iter().rev() {
        out.replace_range(span.start..span.end, &format!("${{{var}}}"));
    }
    out
}

/// `${NAME}` / `${NAME:-default}` references, in order, without repeats.
fn variables_of(template: &str) -> Vec<(String, Option<String>)> {
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        let inner = &rest[start + 2..start + len];
        let (name, default) = match inner.split_once(":-") {
            Some((n, d)) => (n, Some(d.to_owned())),
            None => (inner, None),
        };
        if !out.iter().any(|(n, _)| n == name) {
            out.push((name.to_owned(), default));
        }
        rest = &rest[start + len + 1..];
    }
    out
}

fn component(
    text: &str,
    blueprint: &Blueprint,
    c: &Component,
    databases: &[DatabaseIr],
    schema_json: &dyn Fn(&str) -> Value,
) -> Result<ComponentIr, GenerateError> {
    let name = c
        .name
        .as_ref()
        .map(|n| n.value.clone())
        .ok_or_else(|| GenerateError::Unsupported("a component has no name".to_owned()))?;
    let kind = c.kind.ok_or_else(|| {
        GenerateError::Unsupported(format!("component `{name}` has no known type"))
    })?;
    let port = |p: &blueprint_grammars::model::Port| PortIr {
        name: p.name.value.clone(),
        schema_name: p.schema.as_ref().map(|s| s.value.clone()),
        schema: p
            .schema
            .as_ref()
            .map_or_else(|| json!({}), |s| schema_json(&s.value)),
        flow: p.flow(),
    };
    let inputs: Vec<PortIr> = c.inputs.iter().map(port).collect();
    let outputs: Vec<PortIr> = c.outputs.iter().map(port).collect();
    let configuration = c
        .configuration
        .as_ref()
        .map_or_else(|| json!({}), Node::to_json);
    let store = match (kind, &c.store) {
        (ComponentType::Store, Some(settings)) => {
            let db_name = settings.database.as_ref().map(|d| d.value.clone());
            let db = db_name
                .as_deref()
                .and_then(|n| databases.iter().find(|d| d.name == n))
                .ok_or_else(|| {
                    GenerateError::Unsupported(format!(
                        "store `{name}` names no database under `system.databases`"
                    ))
                })?;
            let input = inputs.first().ok_or_else(|| {
                GenerateError::Unsupported(format!("store `{name}` has no input port"))
            })?;
            Some(StoreIr {
                database: db.name.clone(),
                engine: db.engine,
                table: settings
                    .table
                    .as_ref()
                    .map_or_else(|| name.clone(), |t| t.value.clone()),
                key: settings
                    .key
                    .as_ref()
                    .map_or_else(|| DEFAULT_KEY.to_owned(), |k| k.value.clone()),
                schema: input.schema.clone(),
            })
        }
        (ComponentType::Store, None) => {
            return Err(GenerateError::Unsupported(format!(
                "store `{name}` names no database"
            )))
        }
        _ => None,
    };
    Ok(ComponentIr {
        digest: super::component_digest(text, blueprint, c),
        name,
        kind,
        description: c.description.as_ref().map(|d| d.value.clone()),
        inputs,
        outputs,
        configuration,
        store,
        rest: Vec::new(),
    })
}

/// Components a request may pass through on its way to a store and still
/// be answered by it.
fn passes_requests(kind: ComponentType) -> bool {
    matches!(
        kind,
        ComponentType::Controller | ComponentType::Transformer | ComponentType::Model
    )
}

/// For each APIEndpoint output, the first store reachable through
/// request-passing components (breadth first, so the nearest store wins).
fn resolve_rest(ir: &mut SystemIr) {
    let mut found = Vec::new();
    // Components on the way from an endpoint to the store it serves.
    let mut on_path = BTreeSet::new();
    for (i, api) in ir.components.iter().enumerate() {
        if api.kind != ComponentType::ApiEndpoint {
            continue;
        }
        for output in &api.outputs {
            let Some(path) = path_to_nearest_store(ir, &api.name, &output.name) else {
                continue;
            };
            let store = path.last().expect("a path ends at its store");
            let store_ir = store.store.as_ref().expect("a store");
            let base = api
                .config_str("base_path")
                .unwrap_or("")
                .trim_end_matches('/');
            let route = api
                .config_str("path")
                .map_or_else(|| format!("/{}", store_ir.table), str::to_owned);
            found.push((
                i,
                RestIr {
                    output: output.name.clone(),
                    store: store.name.clone(),
                    collection: format!("{base}{route}"),
                    key: store_ir.key.clone(),
                },
            ));
            on_path.extend(path.iter().map(|c| c.name.clone()));
        }
    }
    for (i, rest) in found {
        ir.components[i].rest.push(rest);
    }
    // The runtime gives a request's reply to the first binding of an output
    // only: put the branch that reaches the served store first.
    ir.bindings
        .sort_by_key(|b| (b.from.clone(), !on_path.contains(&b.to.0)));
}

/// The components from `component.port` to the nearest store reachable
/// through request-passing components (breadth first, in binding order),
/// the store last; `None` when no store is reachable.
fn path_to_nearest_store<'a>(
    ir: &'a SystemIr,
    component: &str,
    port: &str,
) -> Option<Vec<&'a ComponentIr>> {
    let mut parent: Vec<(&'a ComponentIr, Option<&'a ComponentIr>)> = Vec::new();
    let mut queue: VecDeque<(Option<&'a ComponentIr>, &str, Option<&str>)> = VecDeque::new();
    queue.push_back((None, component, Some(port)));
    while let Some((via, from, port)) = queue.pop_front() {
        for b in &ir.bindings {
            if b.from.0 != from || port.is_some_and(|p| p != b.from.1) {
                continue;
            }
            let Some(c) = ir.components.iter().find(|c| c.name == b.to.0) else {
                continue;
            };
            if parent.iter().any(|(seen, _)| seen.name == c.name) {
                continue;
            }
            parent.push((c, via));
            if c.kind == ComponentType::Store && c.store.is_some() {
                let mut path = vec![c];
                let mut at = via;
                while let Some(step) = at {
                    path.push(step);
                    at = parent.iter().find(|(p, _)| p.name == step.name)?.1;
                }
                path.reverse();
                return Some(path);
            }
            if passes_requests(c.kind) {
                queue.push_back((Some(c), &c.name, None));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_passwords_become_variables() {
        assert_eq!(
            without_literal_password("postgres://app:s3cret@db/x", "MAIN_DB_PASSWORD"),
            "postgres://app:${MAIN_DB_PASSWORD}@db/x"
        );
        assert_eq!(
            without_literal_password("${DATABASE_URL:-sqlite://tasks.db}", "X"),
            "${DATABASE_URL:-sqlite://tasks.db}"
        );
    }

    fn ir_of(text: &str) -> SystemIr {
        let parsed = blueprint_grammars::yaml::parse(text);
        let root = parsed.root.expect("a document");
        let blueprint = blueprint_grammars::model::lower(Some(&root), text);
        build(text, &root, &blueprint).expect("builds")
    }

    #[test]
    fn the_branch_that_reaches_the_served_store_is_bound_first() {
        let ir = ir_of(
            "system:\n  name: s\n  databases:\n    main: { engine: sqlite, url: sqlite://x.db }\n  components:\n    - { name: api, type: APIEndpoint, outputs: [{ name: out, schema: T }] }\n    - { name: audit, type: Sink, inputs: [{ name: in, schema: T }] }\n    - { name: ctl, type: Controller, inputs: [{ name: in, schema: T }], outputs: [{ name: out, schema: T }] }\n    - { name: store, type: Store, inputs: [{ name: in, schema: T }], configuration: { database: main, table: t } }\n  bindings:\n    - { from: api.out, to: [audit.in, ctl.in] }\n    - { from: ctl.out, to: store.in }\nschemas:\n  T: { type: object, properties: { id: { type: string } } }\n",
        );
        let api = ir.components.iter().find(|c| c.name == "api").expect("api");
        assert_eq!(api.rest.len(), 1);
        assert_eq!(api.rest[0].store, "store");
        assert_eq!(api.rest[0].collection, "/t");
        let from_api: Vec<&str> = ir
            .bindings
            .iter()
            .filter(|b| b.from.0 == "api")
            .map(|b| b.to.0.as_str())
            .collect();
        assert_eq!(from_api, ["ctl", "audit"]);
    }

    #[test]
    fn variables_are_listed_once_with_defaults() {
        assert_eq!(
            variables_of("${A:-x}/${B}/${A}"),
            vec![("A".into(), Some("x".into())), ("B".into(), None)]
        );
    }
}
