//! Types on the request path: APIEndpoint, Controller, Store, and the
//! record-by-record Transformer and Model. Their hooks take `&self` (and
//! must be `Sync`) so they can run concurrently.

use blueprint_grammars::model::{ComponentType, Engine, FlowType};

use super::super::super::ir::{ComponentIr, SystemIr};
use super::super::super::names::camel;
use super::super::component::{hooks_trait, input_schema_name, output_schema_name};
use super::super::{fill, indent};
use super::{duration_const, first_output_schema, option_literal, str_literal};

/// Defaults of an APIEndpoint (generated-system.md).
const MAX_BODY_BYTES: i64 = 1 << 20;
const MAX_PAGE_SIZE: i64 = 100;
const DEFAULT_PAGE_SIZE: i64 = 50;
const REQUEST_TIMEOUT_MS: i64 = 10_000;
/// Messages a Controller, Transformer or Model handles at once when its
/// `concurrency` is not set.
const DEFAULT_CONCURRENCY: i64 = 16;
/// Requests an APIEndpoint forwards at once (each waits for its answer).
const API_CONCURRENCY: usize = 256;
/// Records per transaction when a store receives a batch.
const STORE_BATCH_SIZE: i64 = 500;

/// Applies `call` (an expression using `record`) to `message.record`, or to
/// each element when it is a batch, replacing it.
fn rewrite_record(call: &str) -> String {
    fill(
        "message.record = match std::mem::take(&mut message.record) {
    Value::Array(records) => {
        let mut rewritten = Vec::with_capacity(records.len());
        for record in records {
            rewritten.push({{call}});
        }
        Value::Array(rewritten)
    }
    record => {{call}},
};",
        &[("call", call)],
    )
}

/// `match message.port.as_str() { "p" => { rewrite with on_p } ... }` for
/// writes; reads pass untouched.
fn rewrite_by_port(ports: &[(String, String)]) -> String {
    let mut arms = String::new();
    for (port, method) in ports {
        let call = format!("self.hooks.{method}(record).await?");
        arms.push_str(&format!(
            "    {} => {{\n{}\n    }}\n",
            str_literal(port),
            indent(&rewrite_record(&call), 8)
        ));
    }
    arms.push_str("    _ => {}\n");
    format!(
        "if message.operation.as_ref().is_none_or(Operation::is_write) {{\n    match message.port.as_str() {{\n{}\n    }}\n}}",
        indent(&arms, 4)
    )
}

fn record_hook(port: &str, doc: &str) -> String {
    fill(
        "    /// {{doc}}
    fn on_{{port}}(&self, record: Value) -> impl Future<Output = Result<Value, ComponentError>> + Send {
        async move { Ok(record) }
    }
",
        &[("port", port), ("doc", doc)],
    )
}

fn concurrency_const(c: &ComponentIr) -> String {
    format!(
        "/// Messages handled at the same time (`concurrency`).\npub const CONCURRENCY: usize = {};\n",
        c.config_i64("concurrency").unwrap_or(DEFAULT_CONCURRENCY).max(1)
    )
}

pub fn record_hooks(c: &ComponentIr) -> Vec<String> {
    c.inputs
        .iter()
        .map(|p| {
            format!(
                "on_{}(&self, record: Value) -> Result<Value, ComponentError>",
                p.name
            )
        })
        .collect()
}

pub fn api_hooks(c: &ComponentIr) -> Vec<String> {
    c.outputs
        .iter()
        .map(|p| {
            format!(
                "on_{}(&self, record: Value) -> Result<Value, ComponentError>",
                p.name
            )
        })
        .collect()
}

pub fn transform_hooks(c: &ComponentIr) -> Vec<String> {
    c.inputs
        .iter()
        .map(|p| {
            format!(
                "on_{}(&self, record: Value) -> Result<Vec<Value>, ComponentError>",
                p.name
            )
        })
        .collect()
}

fn trait_block(c: &ComponentIr, sync: bool, methods: &str) -> String {
    let bound = if sync {
        "Send + Sync + 'static"
    } else {
        "Send + 'static"
    };
    format!(
        "/// The hooks of `{}`: every method has a default, override any in\n/// `src/components/{}.rs`.\npub trait {}: {bound} {{\n{methods}}}\n",
        c.name,
        c.name,
        hooks_trait(c)
    )
}

fn struct_block(c: &ComponentIr, fields: &str) -> String {
    format!(
        "/// The `{}` component: the hooks, driven by the harness.\npub struct {}<H> {{\n    hooks: H,\n{fields}}}\n",
        c.name,
        camel(&c.name)
    )
}

pub fn api_endpoint(c: &ComponentIr) -> String {
    let s = camel(&c.name);
    let mut methods = String::new();
    let mut ports = Vec::new();
    let mut arms = String::new();
    let mut routes = String::new();
    let max_body = c.config_i64("max_body_bytes").unwrap_or(MAX_BODY_BYTES);
    let max_page = c.config_i64("max_page_size").unwrap_or(MAX_PAGE_SIZE);
    let timeout = c
        .config_i64("request_timeout_ms")
        .unwrap_or(REQUEST_TIMEOUT_MS);
    let base = c
        .config_str("base_path")
        .unwrap_or("")
        .trim_end_matches('/');
    for p in &c.outputs {
        methods.push_str(&record_hook(
            &p.name,
            &format!(
                "A record received over HTTP for `{}` (a create or update body, already checked\n    /// against its schema): return it, changed or not, to send it on, or an error to answer with.",
                p.name
            ),
        ));
        ports.push((format!("http_{}", p.name), format!("on_{}", p.name)));
        arms.push_str(&format!("        \"http_{0}\" => \"{0}\",\n", p.name));
        let inlet = format!("let inlet = harness.inlet(NAME, \"http_{}\")?;\n", p.name);
        let schema = output_schema_name(p);
        let route = match c.rest.iter().find(|r| r.output == p.name) {
            Some(rest) => format!(
                "// REST over store `{}` (key `{}`).\n{inlet}router = router.merge(rest::rest_routes(\n    rest::RestConfig {{\n        collection: {}.to_owned(),\n        max_page_size: {max_page},\n        default_page_size: {},\n        max_body_bytes: {max_body},\n        request_timeout: Duration::from_millis({timeout}),\n        schema: {schema}.clone(),\n    }},\n    inlet,\n));\n",
                rest.store,
                rest.key,
                str_literal(&rest.collection),
                DEFAULT_PAGE_SIZE.min(max_page),
            ),
            None => {
                let path = c
                    .config_str("path")
                    .map_or_else(|| format!("{base}/{}", p.name), |path| format!("{base}{path}"));
                format!(
                    "// Intake: records POSTed here go on through `{}`.\n{inlet}router = router.merge(rest::intake_routes(\n    rest::IntakeConfig {{\n        path: {}.to_owned(),\n        max_body_bytes: {max_body},\n        request_timeout: Duration::from_millis({timeout}),\n        schema: {schema}.clone(),\n        request_response: {},\n    }},\n    inlet,\n));\n",
                    p.name,
                    str_literal(&path),
                    p.flow == FlowType::RequestResponse,
                )
            }
        };
        routes.push_str(&route);
    }
    let mut out = format!(
        "use blueprint_runtime::rest;\nuse blueprint_runtime::{{Harness, HarnessError}};\n\n/// Requests forwarded at the same time (each waits for its answer).\npub const CONCURRENCY: usize = {API_CONCURRENCY};\n\n",
    );
    out.push_str(&trait_block(c, true, &methods));
    out.push('\n');
    out.push_str(&struct_block(c, ""));
    out.push_str(&fill(
        r#"
impl<H: {{hooks}}> {{s}}<H> {
    pub fn new(hooks: H) -> Self {
        Self { hooks }
    }
}

impl<H: {{hooks}}> ConcurrentComponent for {{s}}<H> {
    async fn process(&self, mut message: Message) -> Result<Vec<Output>, ComponentError> {
        let output = match message.port.as_str() {
{{arms}}            other => return Err(ComponentError::internal(format!("no route feeds port `{other}`"))),
        };
{{rewrite}}
        Ok(vec![Output::forward(output, message.record.clone(), &message)])
    }
}

/// The HTTP routes of `{{name}}` (without `/health`, `/ready`, `/metrics`,
/// which `start` adds): each feeds one output through an inlet.
pub fn routes(harness: &mut Harness) -> Result<axum::Router, HarnessError> {
    let mut router = axum::Router::new();
{{routes}}
    Ok(router)
}
"#,
        &[
            ("hooks", &hooks_trait(c)),
            ("s", &s),
            ("name", &c.name),
            ("arms", &arms),
            ("rewrite", &indent(&rewrite_by_port(&ports), 8)),
            ("routes", &indent(&routes, 4)),
        ],
    ));
    out
}

pub fn controller(c: &ComponentIr) -> String {
    let mut methods = String::new();
    let mut ports = Vec::new();
    for p in &c.inputs {
        methods.push_str(&record_hook(
            &p.name,
            &format!(
                "A record arriving on `{}` (pushed, or the body of a create or update request):\n    /// return it, changed or not, to pass it on, or an error to answer the request with.",
                p.name
            ),
        ));
        ports.push((p.name.clone(), format!("on_{}", p.name)));
    }
    let mut out = format!(
        "/// How long handling one message may take (`timeout_ms`).\npub const TIMEOUT: Option<Duration> = {};\n{}\n",
        duration_const(c.config_i64("timeout_ms")),
        concurrency_const(c)
    );
    out.push_str(&trait_block(c, true, &methods));
    out.push('\n');
    out.push_str(&struct_block(c, ""));
    out.push_str(&fill(
        r#"
impl<H: {{hooks}}> {{s}}<H> {
    pub fn new(hooks: H) -> Self {
        Self { hooks }
    }
}

impl<H: {{hooks}}> ConcurrentComponent for {{s}}<H> {
    async fn process(&self, mut message: Message) -> Result<Vec<Output>, ComponentError> {
        blueprint_runtime::component::with_timeout(TIMEOUT, async {
{{rewrite}}
            // Requests go on with their reply slot: the store answers them.
            Ok(OUTPUTS
                .iter()
                .map(|port| Output::forward(*port, message.record.clone(), &message))
                .collect())
        })
        .await
    }
}
"#,
        &[
            ("hooks", &hooks_trait(c)),
            ("s", &camel(&c.name)),
            ("rewrite", &indent(&rewrite_by_port(&ports), 12)),
        ],
    ));
    out
}

pub fn store(system: &SystemIr, c: &ComponentIr) -> String {
    let Some(store) = &c.store else {
        return String::new();
    };
    let engine = match store.engine {
        Engine::Postgres => "Postgres",
        Engine::Mysql => "Mysql",
        Engine::Sqlite => "Sqlite",
    };
    let db_field = system
        .databases
        .iter()
        .find(|d| d.name == store.database)
        .map_or_else(|| store.database.clone(), |d| d.name.clone());
    let mut methods = String::new();
    let mut ports = Vec::new();
    for p in &c.inputs {
        methods.push_str(&record_hook(
            &p.name,
            &format!(
                "A record arriving on `{}`, before it is checked against its schema and written:\n    /// return it, changed or not, or an error (an HTTP caller gets its status; nothing is written).",
                p.name
            ),
        ));
        ports.push((p.name.clone(), format!("on_{}", p.name)));
    }
    let schema = c.inputs.first().map(input_schema_name).unwrap_or_default();
    let batch = c.config_i64("batch_size").unwrap_or(STORE_BATCH_SIZE);
    let mut out = fill(
        "use blueprint_runtime::store::{Engine, Store, StoreConfig, StoreError};\nuse blueprint_runtime::{Metrics, Readiness};\n\n/// The table the records live in, in database `{{db}}`.\npub const TABLE: &str = {{table}};\n/// Its primary key.\npub const KEY: &str = {{key}};\n/// Most records written in one transaction when a batch arrives.\npub const BATCH_SIZE: usize = {{batch}};\n\n",
        &[
            ("db", &store.database),
            ("table", &str_literal(&store.table)),
            ("key", &str_literal(&store.key)),
            ("batch", &batch.to_string()),
        ],
    );
    out.push_str(&trait_block(c, true, &methods));
    out.push('\n');
    out.push_str(&struct_block(c, "    store: Store,\n"));
    out.push_str(&fill(
        r#"
impl<H: {{hooks}}> {{s}}<H> {
    /// Opens the pool with the blueprint's settings, applies or verifies the
    /// table per `migrations`, and registers "the database answers" with
    /// `/ready`.
    pub async fn connect(
        database: &crate::config::Database,
        metrics: &Metrics,
        readiness: &Readiness,
        hooks: H,
    ) -> Result<Self, StoreError> {
        let store = Store::connect(
            StoreConfig {
                component: NAME.to_owned(),
                pool_name: {{pool}}.to_owned(),
                url: database.url.clone(),
                engine: Engine::{{engine}},
                max_connections: database.max_connections,
                min_connections: database.min_connections,
                acquire_timeout: database.acquire_timeout,
                table: TABLE.to_owned(),
                key: KEY.to_owned(),
                schema: {{schema}}.clone(),
                migrations: database.migrations,
            },
            metrics,
        )
        .await?;
        store.register_readiness(readiness);
        Ok(Self { hooks, store })
    }

    /// The connected store, for your own queries.
    pub fn store(&self) -> &Store {
        &self.store
    }
}

impl<H: {{hooks}}> ConcurrentComponent for {{s}}<H> {
    async fn process(&self, mut message: Message) -> Result<Vec<Output>, ComponentError> {
{{rewrite}}
        let written = behaviour::store::handle(&self.store, &message, BATCH_SIZE).await?;
        let mut out = Vec::new();
        for record in written {
            for port in OUTPUTS {
                out.push(Output::new(*port, record.clone()));
            }
        }
        Ok(out)
    }
}
"#,
        &[
            ("hooks", &hooks_trait(c)),
            ("s", &camel(&c.name)),
            ("pool", &str_literal(&db_field)),
            ("engine", engine),
            ("schema", &schema),
            ("rewrite", &indent(&rewrite_by_port(&ports), 8)),
        ],
    ));
    out
}

pub fn transformer(c: &ComponentIr) -> String {
    let target = first_output_schema(c);
    let default_body = match &target {
        Some(schema) => format!("Ok(vec![behaviour::project(&record, &{schema})])"),
        None => "Ok(vec![record])".to_owned(),
    };
    let what = match &target {
        Some(_) => "the record reshaped to the first output's schema (the fields\n    /// it declares, defaults filled)",
        None => "the record unchanged",
    };
    let mut methods = String::new();
    let mut arms = String::new();
    for p in &c.inputs {
        methods.push_str(&fill(
            "    /// A record arriving on `{{port}}`: the records to emit on every output (none\n    /// drops it). By default, {{what}}.\n    fn on_{{port}}(&self, record: Value) -> impl Future<Output = Result<Vec<Value>, ComponentError>> + Send {\n        async move { {{body}} }\n    }\n",
            &[("port", &p.name), ("what", what), ("body", &default_body)],
        ));
        arms.push_str(&format!(
            "    {} => self.hooks.on_{}(record).await?,\n",
            str_literal(&p.name),
            p.name
        ));
    }
    arms.push_str("    _ => vec![record],\n");
    let mut out = format!(
        "/// How long handling one message may take (`timeout_ms`).\npub const TIMEOUT: Option<Duration> = {};\n{}",
        duration_const(c.config_i64("timeout_ms")),
        concurrency_const(c)
    );
    if c.kind == ComponentType::Model {
        out.push_str(&format!(
            "/// `threshold`: score at or above which a record is positive.\npub const THRESHOLD: Option<f64> = {};\n/// `model_path`: the model file, relative to the blueprint.\npub const MODEL_PATH: Option<&str> = {};\n",
            option_literal(c.configuration.get("threshold").and_then(serde_json::Value::as_f64).map(|f| format!("{f:?}"))),
            option_literal(c.config_str("model_path").map(str_literal)),
        ));
    }
    out.push('\n');
    out.push_str(&trait_block(c, true, &methods));
    out.push('\n');
    out.push_str(&struct_block(c, ""));
    out.push_str(&fill(
        r#"
impl<H: {{hooks}}> {{s}}<H> {
    pub fn new(hooks: H) -> Self {
        Self { hooks }
    }

    async fn apply(&self, port: &str, record: Value) -> Result<Vec<Value>, ComponentError> {
        Ok(match port {
{{arms}}        })
    }
}

impl<H: {{hooks}}> ConcurrentComponent for {{s}}<H> {
    async fn process(&self, mut message: Message) -> Result<Vec<Output>, ComponentError> {
        blueprint_runtime::component::with_timeout(TIMEOUT, async {
            if !message.operation.as_ref().is_none_or(Operation::is_write) {
                // Reads pass through to the store that answers them.
                return Ok(OUTPUTS
                    .iter()
                    .map(|port| Output::forward(*port, message.record.clone(), &message))
                    .collect());
            }
            let record = std::mem::take(&mut message.record);
            let records = match record {
                Value::Array(batch) => {
                    let mut all = Vec::with_capacity(batch.len());
                    for record in batch {
                        all.extend(self.apply(&message.port, record).await?);
                    }
                    vec![Value::Array(all)]
                }
                record => self.apply(&message.port, record).await?,
            };
            if records.is_empty() {
                message.respond(Err(ComponentError::new(422, format!("`{NAME}` dropped the record"))));
            }
            let mut out = Vec::new();
            for (i, record) in records.into_iter().enumerate() {
                for port in OUTPUTS {
                    // The first record carries the request on; the rest are plain.
                    out.push(if i == 0 {
                        Output::forward(*port, record.clone(), &message)
                    } else {
                        Output::new(*port, record.clone())
                    });
                }
            }
            Ok(out)
        })
        .await
    }
}
"#,
        &[
            ("hooks", &hooks_trait(c)),
            ("s", &camel(&c.name)),
            ("arms", &indent(&arms, 8)),
        ],
    ));
    out
}
