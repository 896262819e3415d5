//! The system-level Rust files: `src/main.rs`, `src/lib.rs` (the wiring),
//! `src/config.rs`, `src/generated/mod.rs` and `tests/system.rs`.

use blueprint_grammars::model::ComponentType;

use super::super::ir::{ComponentIr, DatabaseIr, SystemIr};
use super::super::names::camel;
use super::{fill, indent};
use crate::digest::header;

const USER_DIR: &str = "src/components/";

fn system_header(digest: u64) -> String {
    header("system", digest, USER_DIR)
}

pub fn main_rs(system: &SystemIr, digest: u64) -> String {
    let mut out = system_header(digest);
    out.push_str(&fill(
        r#"//! Runs `{{name}}` until SIGTERM or ctrl-c, then drains and exits.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    {{name}}::run_from_env().await
}
"#,
        &[("name", &system.name)],
    ));
    out
}

pub fn generated_mod_rs(system: &SystemIr, digest: u64) -> String {
    let mut out = system_header(digest);
    out.push_str("//! The generated half of each component: hooks traits with default\n//! behaviour, and the components that call them.\n\n");
    for c in &system.components {
        out.push_str(&format!("pub mod {};\n", c.name));
    }
    out
}

pub fn config_rs(system: &SystemIr, digest: u64) -> String {
    let mut out = system_header(digest);
    out.push_str("//! Settings, from the environment (and `.env`), with the blueprint's\n//! values as defaults. Nothing secret is written here: database URLs are\n//! read from the variables the blueprint names.\n\nuse std::time::Duration;\n\n#[allow(unused_imports)]\nuse blueprint_runtime::config::{env_or, expand};\nuse blueprint_runtime::store::Migrations;\n\n");
    out.push_str("/// One database's connection settings.\n#[derive(Clone, Debug)]\npub struct Database {\n    pub url: String,\n    pub max_connections: u32,\n    pub min_connections: u32,\n    pub acquire_timeout: Duration,\n    pub migrations: Migrations,\n}\n\n");
    out.push_str("/// The databases of `system.databases`.\n#[derive(Clone, Debug)]\npub struct Databases {\n");
    for d in &system.databases {
        out.push_str(&format!("    pub {}: Database,\n", d.name));
    }
    out.push_str("}\n\n/// Everything the system reads at start-up.\n#[derive(Clone, Debug)]\npub struct Config {\n    pub databases: Databases,\n");
    for c in apis(system) {
        out.push_str(&format!(
            "    /// Where `{}` listens (`{}`).\n    pub {}_addr: String,\n",
            c.name,
            c.addr_variable(),
            c.name
        ));
    }
    for c in &system.components {
        if let Some((url, _)) = c.sink_url() {
            out.push_str(&format!(
                "    /// Where `{}` POSTs its records (`{url}`).\n    pub {}_url: String,\n",
                c.name, c.name
            ));
        }
    }
    out.push_str("    /// A separate listener for `/metrics`, `/health` and `/ready`\n    /// (`METRICS_ADDR`; empty turns it off).\n    pub metrics_addr: Option<String>,\n}\n\n");
    let mut dbs = String::new();
    for d in &system.databases {
        let migrations = match d.migrations.as_str() {
            "verify" => "Verify",
            "off" => "Off",
            _ => "Auto",
        };
        dbs.push_str(&fill(
            r#"{{name}}: Database {
    url: {{url_expr}},
    max_connections: {{max}},
    min_connections: {{min}},
    acquire_timeout: Duration::from_millis({{acquire}}),
    migrations: Migrations::{{migrations}},
},
"#,
            &[
                ("name", &d.name),
                ("url_expr", &url_expression(d)),
                ("max", &d.max_connections.to_string()),
                ("min", &d.min_connections.to_string()),
                ("acquire", &d.acquire_timeout_ms.to_string()),
                ("migrations", migrations),
            ],
        ));
    }
    let mut addrs = String::new();
    for c in apis(system) {
        addrs.push_str(&format!(
            "{}_addr: env_or({:?}, {:?}),\n",
            c.name,
            c.addr_variable(),
            c.default_addr()
        ));
    }
    for c in &system.components {
        if let Some((url, _)) = c.sink_url() {
            addrs.push_str(&format!(
                "{}_url: expand({url:?}).map_err(|e| format!(\"sink `{}`: url: {{e}}\"))?,\n",
                c.name, c.name
            ));
        }
    }
    let metrics_default = match &system.metrics_listen {
        Some(listen) => format!("Some({listen:?}.to_owned())"),
        None => "None".to_owned(),
    };
    out.push_str(&fill(
        r#"impl Config {
    /// Reads the environment. Fails, naming the variable, when a database
    /// URL needs one that is not set.
    pub fn from_env() -> Result<Config, String> {
        let metrics_addr = match std::env::var("METRICS_ADDR") {
            Ok(addr) if addr.is_empty() => None,
            Ok(addr) => Some(addr),
            Err(_) => {{metrics_default}},
        };
        Ok(Config {
            databases: Databases {
{{dbs}}            },
{{addrs}}            metrics_addr,
        })
    }
}
"#,
        &[
            ("metrics_default", &metrics_default),
            ("dbs", &indent(&dbs, 16)),
            ("addrs", &indent(&addrs, 12)),
        ],
    ));
    out
}

/// Rust expression of a database's URL: the whole-URL variable when set,
/// else the URL as written with its `${VAR}`s expanded.
fn url_expression(d: &DatabaseIr) -> String {
    let expand = format!(
        "expand({:?}).map_err(|e| format!(\"database `{}`: {{e}}\"))?",
        d.url_template, d.name
    );
    if d.url_variable_added {
        format!(
            "match std::env::var({:?}) {{\n        Ok(url) if !url.is_empty() => url,\n        _ => {expand},\n    }}",
            d.url_variable
        )
    } else {
        expand
    }
}

fn apis(system: &SystemIr) -> impl Iterator<Item = &ComponentIr> {
    system
        .components
        .iter()
        .filter(|c| c.kind == ComponentType::ApiEndpoint)
}

/// How `start` constructs one component (an expression of type
/// `Result<C, String>`).
fn construct(c: &ComponentIr) -> String {
    let user = format!("components::{}::{}::default()", c.name, camel(&c.name));
    let ty = format!("generated::{}::{}", c.name, camel(&c.name));
    match c.kind {
        ComponentType::Store => {
            let db = c.store.as_ref().map_or("", |s| s.database.as_str());
            format!(
                "{ty}::connect(&config.databases.{db}, &metrics, &readiness, {user})\n    .await\n    .map_err(|e| format!(\"{name}: {{e}}\"))",
                name = c.name
            )
        }
        ComponentType::Router => format!("{ty}::new({user})"),
        ComponentType::Sink => {
            let url = match c.sink_url() {
                Some(_) => format!("Some(config.{}_url.clone())", c.name),
                None => "None".to_owned(),
            };
            format!("Ok::<_, String>({ty}::new({user}, {url}))")
        }
        _ => format!("Ok::<_, String>({ty}::new({user}))"),
    }
}

pub fn lib_rs(system: &SystemIr, digest: u64) -> String {
    let mut out = system_header(digest);
    let mut user_mods = String::new();
    for c in &system.components {
        user_mods.push_str(&format!("    pub mod {};\n", c.name));
    }
    let mut build = String::new();
    for c in &system.components {
        let add = match c.kind {
            ComponentType::Source => format!("add_source({:?}, component?)", c.name),
            // Many requests at once: a store up to its pool size.
            ComponentType::Store => format!(
                "add_concurrent({:?}, component?, config.databases.{}.max_connections as usize)",
                c.name,
                c.store.as_ref().map_or("", |s| s.database.as_str())
            ),
            ComponentType::ApiEndpoint
            | ComponentType::Controller
            | ComponentType::Transformer
            | ComponentType::Model => format!(
                "add_concurrent({:?}, component?, generated::{}::CONCURRENCY)",
                c.name, c.name
            ),
            _ => format!("add_component({:?}, component?)", c.name),
        };
        build.push_str(&format!(
            "let component = {};\nharness.{add}.map_err(wiring)?;\n",
            construct(c)
        ));
    }
    let mut binds = String::new();
    for b in &system.bindings {
        binds.push_str(&format!(
            "harness\n    .bind(({:?}, {:?}), ({:?}, {:?}))\n    .map_err(wiring)?;\n",
            b.from.0, b.from.1, b.to.0, b.to.1
        ));
    }
    let mut serve = String::new();
    for c in apis(system) {
        serve.push_str(&fill(
            r#"let routes = generated::{{name}}::routes(&mut harness).map_err(wiring)?;
let app = blueprint_runtime::track_component_requests(
    routes.merge(operations.clone()),
    metrics.clone(),
    {{quoted}},
);
let (listener, addr) = bind(&config.{{name}}_addr)
    .await
    .map_err(|e| format!("{{name}}: cannot listen on {}: {e}", config.{{name}}_addr))?;
listeners.push(({{quoted}}.to_owned(), addr));
servers.push(tokio::spawn(serve(listener, app, token.clone())));
"#,
            &[("name", &c.name), ("quoted", &format!("{:?}", c.name))],
        ));
    }
    out.push_str(&fill(
        r#"//! {{name}}: {{description}}
//!
//! [`start`] builds the harness from the blueprint — one component per
//! blueprint component, one bounded channel per binding — and serves HTTP;
//! [`run_from_env`] is `main`.

pub mod config;
pub mod generated;

/// Your code: one module per component, written once, never overwritten.
pub mod components {
{{user_mods}}}

use std::net::SocketAddr;
use std::process::ExitCode;

use blueprint_runtime::http::bind;
use blueprint_runtime::{
    router, serve, track_requests, CancellationToken, Harness, HarnessError, Metrics, Readiness,
};
use tokio::task::JoinHandle;

use config::Config;

/// A started system.
pub struct Running {
    /// `(name, address)` of every HTTP listener: each APIEndpoint, and
    /// `metrics` when it has its own.
    pub listeners: Vec<(String, SocketAddr)>,
    token: CancellationToken,
    harness: JoinHandle<Result<(), HarnessError>>,
    servers: Vec<JoinHandle<std::io::Result<()>>>,
}

impl Running {
    /// The address a listener is bound to.
    pub fn address(&self, name: &str) -> Option<SocketAddr> {
        self.listeners.iter().find(|(n, _)| n == name).map(|(_, a)| *a)
    }

    /// Cancelled when shutdown begins (a signal, or a component that
    /// could not start).
    pub fn token(&self) -> CancellationToken {
        self.token.clone()
    }

    /// Stops accepting, drains in-flight messages, and waits for the end.
    pub async fn shutdown(self) -> Result<(), String> {
        self.token.cancel();
        let harness = match self.harness.await {
            Ok(result) => result.map_err(|e| e.to_string()),
            Err(e) => Err(format!("the harness task failed: {e}")),
        };
        for server in self.servers {
            match server.await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Err(format!("HTTP server: {e}")),
                Err(e) => return Err(format!("HTTP server task failed: {e}")),
            }
        }
        harness
    }
}

fn wiring(e: HarnessError) -> String {
    format!("wiring: {e}")
}

/// Connects the stores, wires the components and starts serving. Fails
/// with the reason when a database cannot be reached, a table fails
/// `migrations: verify`, or an address cannot be bound.
pub async fn start(config: Config) -> Result<Running, String> {
    let metrics = Metrics::new();
    let readiness = Readiness::new();
    let mut harness = Harness::new().with_metrics(metrics.clone());
    let token = harness.token();

{{build}}
{{binds}}
    let operations = router(metrics.clone(), readiness.clone());
    let mut listeners: Vec<(String, SocketAddr)> = Vec::new();
    let mut servers = Vec::new();
{{serve}}
    if let Some(addr) = config.metrics_addr.as_deref() {
        if !listeners.iter().any(|(_, bound)| bound.to_string() == addr) {
            let app = track_requests(operations.clone(), metrics.clone());
            let (listener, bound) = bind(addr)
                .await
                .map_err(|e| format!("metrics: cannot listen on {addr}: {e}"))?;
            listeners.push(("metrics".to_owned(), bound));
            servers.push(tokio::spawn(serve(listener, app, token.clone())));
        }
    }
    let harness = tokio::spawn(harness.run());
    Ok(Running {
        listeners,
        token,
        harness,
        servers,
    })
}

/// `main`: settings from the environment, start, print where it listens,
/// run until SIGTERM or ctrl-c, drain.
pub async fn run_from_env() -> ExitCode {
    blueprint_runtime::config::load_dotenv();
    blueprint_runtime::config::init_tracing();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let running = match start(config).await {
        Ok(running) => running,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    for (name, addr) in &running.listeners {
        println!("listening {name} http://{addr}");
    }
    println!("ready");
    let token = running.token();
    tokio::select! {
        () = shutdown_signal() => tracing::info!("shutdown signal received; draining"),
        () = token.cancelled() => {}
    }
    match running.shutdown().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = match signal(SignalKind::terminate()) {
            Ok(term) => term,
            Err(_) => return std::future::pending().await,
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
"#,
        &[
            ("name", &system.name),
            ("description", &system.description.replace('\n', " ")),
            ("user_mods", &user_mods),
            ("build", &indent(&build, 4)),
            ("binds", &indent(&binds, 4)),
            ("serve", &indent(&serve, 4)),
        ],
    ));
    out
}
