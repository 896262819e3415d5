//! What the PostgreSQL store benches share: the skip rule when no database
//! is configured, option reading, the uniquely named table and its cleanup,
//! the store as a generated system connects it, and the loop of callers.
//! Every item here is used by every bench that includes it (`mod common;`),
//! so none of them compiles with dead code.

use std::env;
use std::future::Future;
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use blueprint_runtime::metrics::Metrics;
use blueprint_runtime::store::{Engine, Migrations, Store, StoreConfig};
use serde_json::{json, Value};
use sqlx::postgres::PgPoolOptions;
use sqlx::{AssertSqlSafe, PgPool};

pub const TITLE: &str = "bench record";

/// `main` of a bench named `name`: without `DATABASE_URL_POSTGRES` print why
/// and exit 0 (1 when `BLUEPRINT_REQUIRE_SERVICES=1`, so CI that promises a
/// database cannot pass by measuring nothing); otherwise read the options and
/// run `run(url, options)` on a multi-threaded tokio runtime, as a generated
/// system's `#[tokio::main]` does.
pub fn bench_main<P, Fut>(
    name: &str,
    read: impl FnOnce() -> Result<P, String>,
    run: impl FnOnce(String, P) -> Fut,
) -> ExitCode
where
    Fut: Future<Output = Result<(), String>>,
{
    let Ok(url) = env::var("DATABASE_URL_POSTGRES") else {
        let required = env::var("BLUEPRINT_REQUIRE_SERVICES").is_ok_and(|v| v == "1");
        println!(
            "{name}: DATABASE_URL_POSTGRES is not set (e.g. \
             postgres://postgres@127.0.0.1:5432/test); nothing to measure"
        );
        return if required {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        };
    };
    let params = match read() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{name}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{name}: cannot start tokio: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(url, params)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{name}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Options as `--name N` / `--name=N` after `--`, each falling back to an
/// environment variable and then a default. `cargo bench` passes `--bench`;
/// anything not asked for is ignored.
pub struct Args(Vec<String>);

impl Args {
    pub fn from_env() -> Args {
        Args(env::args().skip(1).collect())
    }

    /// The last `--flag` on the command line wins over `var`.
    pub fn text(&self, flag: &str, var: &str) -> Result<Option<String>, String> {
        let mut found = None;
        let mut i = 0;
        while i < self.0.len() {
            let arg = &self.0[i];
            if let Some(v) = arg.strip_prefix(flag).and_then(|r| r.strip_prefix('=')) {
                found = Some(v.to_owned());
            } else if *arg == flag {
                i += 1;
                let v = self.0.get(i).ok_or(format!("{flag} needs a value"))?;
                found = Some(v.clone());
            }
            i += 1;
        }
        Ok(found.or_else(|| env::var(var).ok()))
    }

    pub fn num(&self, flag: &str, var: &str, default: u64) -> Result<u64, String> {
        match self.text(flag, var)? {
            Some(v) => v
                .parse()
                .map_err(|_| format!("{flag} / {var}: {v:?} is not a number")),
            None => Ok(default),
        }
    }
}

/// A table named `bench_<pid>_<nanos>`, so concurrent or interrupted runs
/// never share one; `drop` removes it (call it also after an error).
pub struct Table {
    pub url: String,
    pub name: String,
    /// Derived from the same clock reading as the name: distinct per run.
    pub seed: u64,
    admin: PgPool,
}

impl Table {
    /// Connects an admin pool; the table itself is created by the store.
    pub async fn connect(url: &str) -> Result<Table, String> {
        let admin = PgPoolOptions::new()
            .max_connections(1)
            .connect(url)
            .await
            .map_err(|e| format!("cannot connect to DATABASE_URL_POSTGRES: {e}"))?;
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        Ok(Table {
            url: url.to_owned(),
            name: format!("bench_{}_{nanos}", std::process::id()),
            seed: nanos as u64,
            admin,
        })
    }

    pub async fn sql(&self, sql: &str) -> Result<(), String> {
        sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))
            .execute(&self.admin)
            .await
            .map(drop)
            .map_err(|e| format!("{sql}: {e}"))
    }

    pub async fn truncate(&self) -> Result<(), String> {
        self.sql(&format!("TRUNCATE \"{}\"", self.name)).await
    }

    pub async fn count(&self) -> Result<u64, String> {
        let sql = format!("SELECT count(*) FROM \"{}\"", self.name);
        let n: i64 = sqlx::query_scalar(AssertSqlSafe(sql))
            .fetch_one(&self.admin)
            .await
            .map_err(|e| e.to_string())?;
        Ok(n as u64)
    }

    pub async fn drop(&self) -> Result<(), String> {
        self.sql(&format!("DROP TABLE IF EXISTS \"{}\"", self.name))
            .await
            .map_err(|e| format!("could not drop {}: {e}", self.name))
    }

    /// The store over this table as a generated system configures one
    /// (`migrations: Auto` creates the table), pool size `clients`.
    pub async fn connect_store(&self, clients: u32, metrics: &Metrics) -> Result<Store, String> {
        let config = StoreConfig {
            component: "bench".into(),
            pool_name: "bench".into(),
            url: self.url.clone(),
            engine: Engine::Postgres,
            max_connections: clients,
            min_connections: 0,
            acquire_timeout: Duration::from_secs(30),
            table: self.name.clone(),
            key: "id".into(),
            schema: schema(),
            migrations: Migrations::Auto,
        };
        Store::connect(config, metrics)
            .await
            .map_err(|e| format!("Store::connect: {e}"))
    }
}

pub fn schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "title": {"type": "string"},
            "done": {"type": "boolean"}
        },
        "required": ["id", "title", "done"]
    })
}

pub fn record(ids: &mut Ids) -> Value {
    json!({"id": ids.next(), "title": TITLE, "done": false})
}

/// `clients` tokio tasks call the store until `duration` has passed; `batch`
/// `None` is `create`, `Some(n)` is `create_many` of n. Keys come from
/// `seed` (give each run of one table its own). Returns the number of calls
/// made and each call's latency.
pub async fn store_loop(
    store: &Store,
    clients: u32,
    seed: u64,
    batch: Option<usize>,
    duration: Duration,
) -> Result<(u64, Vec<Duration>), String> {
    let deadline = Instant::now() + duration;
    let mut tasks = Vec::new();
    for client in 0..u64::from(clients) {
        let store = store.clone();
        let mut ids = Ids::new(seed, client);
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(1 << 14);
            while Instant::now() < deadline {
                let t = Instant::now();
                match batch {
                    None => {
                        store
                            .create(&record(&mut ids))
                            .await
                            .map_err(|e| e.to_string())?;
                    }
                    Some(n) => {
                        let records: Vec<Value> = (0..n).map(|_| record(&mut ids)).collect();
                        // What a generated Store runs for a batch: the rows
                        // come back as stored, for the components downstream.
                        let written = store
                            .create_many_stored(&records)
                            .await
                            .map_err(|e| e.to_string())?;
                        if written.len() != n {
                            return Err(format!("create_many wrote {} of {n}", written.len()));
                        }
                    }
                }
                latencies.push(t.elapsed());
            }
            Ok::<_, String>(latencies)
        }));
    }
    let mut all = Vec::new();
    let mut calls = 0;
    for task in tasks {
        let latencies = task.await.map_err(|e| e.to_string())??;
        calls += latencies.len() as u64;
        all.extend(latencies);
    }
    Ok((calls, all))
}

/// Unique, version-4-shaped UUIDs without a dependency: a bijective mix of
/// (seed, client, counter), so no two calls of one run share a key.
pub struct Ids {
    state: u64,
    seed: u64,
}

impl Ids {
    pub fn new(seed: u64, client: u64) -> Ids {
        Ids {
            state: client << 40,
            seed,
        }
    }

    pub fn next(&mut self) -> String {
        self.state += 1;
        let a = mix(self.state);
        let b = mix(self.seed ^ self.state.rotate_left(17));
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | (((a >> 12) & 0xf) << 10) | (b & 0x3ff),
            (b >> 16) & 0xffff_ffff_ffff,
        )
    }
}

/// splitmix64's finaliser: a bijection on u64.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
