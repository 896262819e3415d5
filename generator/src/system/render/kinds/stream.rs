//! Stateful and streaming types: StreamProcessor, Accumulator, Router, Sink
//! and Source. Their hooks take `&mut self`: the harness hands them one
//! message at a time, so state needs no locking.

use super::super::super::ir::ComponentIr;
use super::super::super::names::camel;
use super::super::component::{hooks_trait, output_schema_name};
use super::super::{fill, indent};
use super::{duration_const, option_literal, str_literal};

fn trait_block(c: &ComponentIr, methods: &str) -> String {
    format!(
        "/// The hooks of `{}`: every method has a default, override any in\n/// `src/components/{}.rs`.\npub trait {}: Send + 'static {{\n{methods}}}\n",
        c.name,
        c.name,
        hooks_trait(c)
    )
}

/// Splits a message's record into the records it holds (a batch or one).
const RECORDS_OF: &str = "
/// The records a message holds: each element of a batch, or the one record.
fn records_of(record: Value) -> Vec<Value> {
    match record {
        Value::Array(records) => records,
        record => vec![record],
    }
}
";

pub fn stream_hooks(c: &ComponentIr) -> Vec<String> {
    c.inputs
        .iter()
        .map(|p| {
            format!(
                "on_{}(&mut self, partition: Option<String>, record: Value) -> Result<Vec<Value>, ComponentError>",
                p.name
            )
        })
        .collect()
}

pub fn sink_hooks(c: &ComponentIr) -> Vec<String> {
    c.inputs
        .iter()
        .map(|p| {
            format!(
                "on_{}(&mut self, record: Value) -> Result<Option<Value>, ComponentError>",
                p.name
            )
        })
        .collect()
}

pub fn stream_processor(c: &ComponentIr) -> String {
    let mut methods = String::new();
    let mut arms = String::new();
    for p in &c.inputs {
        methods.push_str(&fill(
            "    /// A record arriving on `{{port}}`, with the value of its `partition_by` field\n    /// (as text) when one is configured: the records to emit on every output.\n    /// By default, the record unchanged.\n    fn on_{{port}}(\n        &mut self,\n        partition: Option<String>,\n        record: Value,\n    ) -> impl Future<Output = Result<Vec<Value>, ComponentError>> + Send {\n        async move {\n            let _ = partition;\n            Ok(vec![record])\n        }\n    }\n",
            &[("port", &p.name)],
        ));
        arms.push_str(&format!(
            "    {} => self.hooks.on_{}(partition, record).await?,\n",
            str_literal(&p.name),
            p.name
        ));
    }
    arms.push_str("    _ => vec![record],\n");
    let mut out = format!(
        "/// `partition_by`: the field whose value partitions the processor's state.\npub const PARTITION_BY: Option<&str> = {};\n/// `window_ms`: the processing window, for hooks that keep windowed state.\npub const WINDOW: Option<Duration> = {};\n/// `state_ttl_ms`: how long a partition's state is kept after its last record.\npub const STATE_TTL: Option<Duration> = {};\n{RECORDS_OF}\n",
        option_literal(c.config_str("partition_by").map(str_literal)),
        duration_const(c.config_i64("window_ms")),
        duration_const(c.config_i64("state_ttl_ms")),
    );
    out.push_str(&trait_block(c, &methods));
    out.push_str(&fill(
        r#"
/// The `{{name}}` component: the hooks, driven by the harness.
pub struct {{s}}<H> {
    hooks: H,
}

impl<H: {{hooks}}> {{s}}<H> {
    pub fn new(hooks: H) -> Self {
        Self { hooks }
    }
}

impl<H: {{hooks}}> Component for {{s}}<H> {
    async fn process(&mut self, mut message: Message) -> Result<Vec<Output>, ComponentError> {
        let mut out = Vec::new();
        for record in records_of(std::mem::take(&mut message.record)) {
            let partition = PARTITION_BY
                .and_then(|field| record.get(field))
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned));
            let emitted = match message.port.as_str() {
{{arms}}            };
            for record in emitted {
                for port in OUTPUTS {
                    out.push(Output::new(*port, record.clone()));
                }
            }
        }
        message.respond(Ok(serde_json::json!({ "accepted": true })));
        Ok(out)
    }
}
"#,
        &[
            ("name", &c.name),
            ("hooks", &hooks_trait(c)),
            ("s", &camel(&c.name)),
            ("arms", &indent(&arms, 12)),
        ],
    ));
    out
}

pub fn accumulator(c: &ComponentIr) -> String {
    let group_by: Vec<String> = c
        .configuration
        .get("group_by")
        .and_then(serde_json::Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str())
                .map(str_literal)
                .collect()
        })
        .unwrap_or_default();
    let mut out = format!(
        "/// `window_size`: records in a count window.\npub const WINDOW_SIZE: Option<usize> = {};\n/// `window_ms`: length of a time window, in milliseconds.\npub const WINDOW_MS: Option<u64> = {};\n/// `group_by`: fields whose values keep records in separate windows.\npub const GROUP_BY: &[&str] = &[{}];\n{RECORDS_OF}\n",
        option_literal(c.config_i64("window_size")),
        option_literal(c.config_i64("window_ms")),
        group_by.join(", "),
    );
    out.push_str(&trait_block(
        c,
        "    /// The records of a closed window (one group's): the record to emit for it on\n    /// every output. By default, the records themselves as one batch, which a\n    /// store downstream writes in one transaction.\n    fn on_window(\n        &mut self,\n        records: Vec<Value>,\n    ) -> impl Future<Output = Result<Value, ComponentError>> + Send {\n        async move { Ok(Value::Array(records)) }\n    }\n",
    ));
    out.push_str(&fill(
        r#"
/// The `{{name}}` component: windows, and the hooks, driven by the harness.
pub struct {{s}}<H> {
    hooks: H,
    windows: behaviour::windows::Windows,
}

impl<H: {{hooks}}> {{s}}<H> {
    pub fn new(hooks: H) -> Self {
        let group_by = GROUP_BY.iter().map(|f| (*f).to_owned()).collect();
        Self {
            hooks,
            windows: behaviour::windows::Windows::new(WINDOW_SIZE, WINDOW_MS, group_by),
        }
    }

    async fn emit(&mut self, closed: Vec<Value>) -> Result<Vec<Output>, ComponentError> {
        let mut out = Vec::new();
        for window in closed {
            let aggregate = self.hooks.on_window(records_of(window)).await?;
            for port in OUTPUTS {
                out.push(Output::new(*port, aggregate.clone()));
            }
        }
        Ok(out)
    }
}

impl<H: {{hooks}}> Component for {{s}}<H> {
    async fn process(&mut self, mut message: Message) -> Result<Vec<Output>, ComponentError> {
        let mut closed = Vec::new();
        for record in records_of(std::mem::take(&mut message.record)) {
            closed.extend(self.windows.push(record));
        }
        message.respond(Ok(serde_json::json!({ "accepted": true })));
        self.emit(closed).await
    }

    fn tick_interval(&self) -> Option<Duration> {
        // Half a window: a window closes at most half its length late.
        WINDOW_MS.map(|ms| Duration::from_millis((ms / 2).max(10)))
    }

    async fn tick(&mut self) -> Result<Vec<Output>, ComponentError> {
        let closed = self.windows.expired(std::time::Instant::now());
        self.emit(closed).await
    }

    async fn finish(&mut self) -> Result<Vec<Output>, ComponentError> {
        let closed = self.windows.drain();
        self.emit(closed).await
    }
}
"#,
        &[
            ("name", &c.name),
            ("hooks", &hooks_trait(c)),
            ("s", &camel(&c.name)),
        ],
    ));
    out
}

pub fn router(c: &ComponentIr) -> String {
    let routes: Vec<String> = c
        .configuration
        .get("routes")
        .and_then(serde_json::Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|r| Some((r.get("when")?.as_str()?, r.get("output")?.as_str()?)))
                .map(|(w, o)| format!("({}, {})", str_literal(w), str_literal(o)))
                .collect()
        })
        .unwrap_or_default();
    let mut out = format!(
        "/// `routes`: (condition, output), tried in order.\npub const ROUTES: &[(&str, &str)] = &[{}];\n/// `default_output`: where records matching no route go.\npub const DEFAULT_OUTPUT: Option<&str> = {};\n{RECORDS_OF}\n",
        routes.join(", "),
        option_literal(c.config_str("default_output").map(str_literal)),
    );
    out.push_str(&trait_block(
        c,
        "    /// Which output a record leaves by. `configured` is the output the blueprint's\n    /// routes choose; return `None` to drop the record (counted as an error).\n    fn route(&mut self, record: &Value, configured: Option<&str>) -> Option<String> {\n        let _ = record;\n        configured.map(str::to_owned)\n    }\n",
    ));
    out.push_str(&fill(
        r#"
/// The `{{name}}` component: the routes, and the hooks, driven by the harness.
pub struct {{s}}<H> {
    hooks: H,
    routes: behaviour::route::Routes,
}

impl<H: {{hooks}}> {{s}}<H> {
    /// Fails when a route's condition does not parse.
    pub fn new(hooks: H) -> Result<Self, String> {
        let routes: Vec<(String, String)> = ROUTES
            .iter()
            .map(|(when, output)| ((*when).to_owned(), (*output).to_owned()))
            .collect();
        let routes = behaviour::route::Routes::parse(&routes, DEFAULT_OUTPUT.map(str::to_owned))
            .map_err(|e| format!("{NAME}: {e}"))?;
        Ok(Self { hooks, routes })
    }
}

impl<H: {{hooks}}> Component for {{s}}<H> {
    async fn process(&mut self, mut message: Message) -> Result<Vec<Output>, ComponentError> {
        let mut out = Vec::new();
        let batch = message.record.is_array();
        for record in records_of(std::mem::take(&mut message.record)) {
            let configured = self.routes.select(&record).map(str::to_owned);
            match self.hooks.route(&record, configured.as_deref()) {
                Some(port) if OUTPUTS.contains(&port.as_str()) => out.push(if batch {
                    Output::new(port, record)
                } else {
                    Output::forward(port, record, &message)
                }),
                Some(port) => {
                    return Err(ComponentError::internal(format!(
                        "`{NAME}` routed a record to `{port}`, which is not one of its outputs"
                    )))
                }
                None => {
                    return Err(ComponentError::new(422, format!("no route of `{NAME}` matches the record")))
                }
            }
        }
        Ok(out)
    }
}
"#,
        &[("name", &c.name), ("hooks", &hooks_trait(c)), ("s", &camel(&c.name))],
    ));
    out
}

pub fn sink(c: &ComponentIr) -> String {
    let mut methods = String::new();
    let mut arms = String::new();
    for p in &c.inputs {
        methods.push_str(&fill(
            "    /// A record arriving on `{{port}}`, before it is sent: return it (changed or\n    /// not), or `None` to skip it.\n    fn on_{{port}}(\n        &mut self,\n        record: Value,\n    ) -> impl Future<Output = Result<Option<Value>, ComponentError>> + Send {\n        async move { Ok(Some(record)) }\n    }\n",
            &[("port", &p.name)],
        ));
        arms.push_str(&format!(
            "    {} => self.hooks.on_{}(record).await?,\n",
            str_literal(&p.name),
            p.name
        ));
    }
    arms.push_str("    _ => Some(record),\n");
    let batch = c.config_i64("batch_size").unwrap_or(1).max(1);
    let mut out = format!(
        "/// `url` as written: where records are POSTed as JSON (`config.rs` expands\n/// its variables at start-up); without one, records are logged.\npub const URL: Option<&str> = {};\n/// `batch_size`: most records sent at a time.\npub const BATCH_SIZE: usize = {batch};\n/// `flush_interval_ms`: longest a record waits for its batch to fill.\npub const FLUSH_INTERVAL: Option<Duration> = {};\n{RECORDS_OF}\n",
        option_literal(c.config_str("url").map(str_literal)),
        duration_const(c.config_i64("flush_interval_ms")),
    );
    out.push_str(&trait_block(c, &methods));
    out.push_str(&fill(
        r#"
/// The `{{name}}` component: the hooks, then the sink, driven by the harness.
pub struct {{s}}<H> {
    hooks: H,
    sink: behaviour::sink::Sink,
}

impl<H: {{hooks}}> {{s}}<H> {
    /// `url` is [`URL`] with its variables expanded (the config reads it).
    pub fn new(hooks: H, url: Option<String>) -> Self {
        Self {
            hooks,
            sink: behaviour::sink::Sink::new(url, BATCH_SIZE, FLUSH_INTERVAL, NAME),
        }
    }
}

impl<H: {{hooks}}> Component for {{s}}<H> {
    async fn process(&mut self, mut message: Message) -> Result<Vec<Output>, ComponentError> {
        if message.operation.as_ref().is_none_or(Operation::is_write) {
            for record in records_of(std::mem::take(&mut message.record)) {
                let kept = match message.port.as_str() {
{{arms}}                };
                if let Some(record) = kept {
                    self.sink.push(record).await?;
                }
            }
        }
        message.respond(Ok(serde_json::json!({ "accepted": true })));
        Ok(Vec::new())
    }

    fn tick_interval(&self) -> Option<Duration> {
        self.sink.tick_interval()
    }

    async fn tick(&mut self) -> Result<Vec<Output>, ComponentError> {
        self.sink.flush().await?;
        Ok(Vec::new())
    }

    async fn finish(&mut self) -> Result<Vec<Output>, ComponentError> {
        self.sink.flush().await?;
        Ok(Vec::new())
    }
}
"#,
        &[
            ("name", &c.name),
            ("hooks", &hooks_trait(c)),
            ("s", &camel(&c.name)),
            ("arms", &indent(&arms, 16)),
        ],
    ));
    out
}

pub fn source(c: &ComponentIr) -> String {
    let schema = c.outputs.first().map(output_schema_name);
    let body = match &schema {
        Some(s) => format!("Ok(Some(behaviour::synthesize(&{s}, sequence)))"),
        None => "Ok(Some(serde_json::json!({ \"sequence\": sequence })))".to_owned(),
    };
    let mut out = format!(
        "/// `interval_ms`: time between two productions.\npub const INTERVAL: Duration = Duration::from_millis({});\n/// `batch_size`: records produced at a time.\npub const BATCH_SIZE: u64 = {};\n/// `max_records`: stop after this many.\npub const MAX_RECORDS: Option<u64> = {};\n\n",
        c.config_i64("interval_ms").unwrap_or(1000).max(1),
        c.config_i64("batch_size").unwrap_or(1).max(1),
        option_literal(c.config_i64("max_records")),
    );
    out.push_str(&trait_block(
        c,
        &format!("    /// The record numbered `sequence` (from 0), or `None` when there are no more.\n    /// By default, a record synthesised from the output's schema.\n    fn produce(\n        &mut self,\n        sequence: u64,\n    ) -> impl Future<Output = Result<Option<Value>, ComponentError>> + Send {{\n        async move {{ {body} }}\n    }}\n"),
    ));
    out.push_str(&fill(
        r#"
/// The `{{name}}` component: produces records on a timer through the hooks.
pub struct {{s}}<H> {
    hooks: H,
    produced: u64,
    started: bool,
}

impl<H: {{hooks}}> {{s}}<H> {
    pub fn new(hooks: H) -> Self {
        Self {
            hooks,
            produced: 0,
            started: false,
        }
    }
}

impl<H: {{hooks}}> blueprint_runtime::Source for {{s}}<H> {
    async fn next(&mut self) -> Result<Option<Vec<Output>>, ComponentError> {
        if self.started {
            // Cancel-safe: at shutdown the harness drops this future here.
            tokio::time::sleep(INTERVAL).await;
        }
        self.started = true;
        let mut out = Vec::new();
        for _ in 0..BATCH_SIZE {
            if MAX_RECORDS.is_some_and(|max| self.produced >= max) {
                break;
            }
            let Some(record) = self.hooks.produce(self.produced).await? else {
                break;
            };
            self.produced += 1;
            for port in OUTPUTS {
                out.push(Output::new(*port, record.clone()));
            }
        }
        Ok(if out.is_empty() { None } else { Some(out) })
    }
}
"#,
        &[
            ("name", &c.name),
            ("hooks", &hooks_trait(c)),
            ("s", &camel(&c.name)),
        ],
    ));
    out
}
