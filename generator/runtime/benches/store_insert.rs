//! Insert throughput of the enhanced store (`blueprint_runtime::store::Store`,
//! exactly the calls a generated system makes) against `pgbench` running the
//! same INSERT with the same number of clients, in the same run, on the same
//! server. The figure of merit is the ratio store rows/s ÷ pgbench rows/s.
//!
//! ```text
//! DATABASE_URL_POSTGRES=postgres://postgres@127.0.0.1:5432/test \
//!     cargo bench -p blueprint-runtime --bench store_insert
//! # or, after `cargo bench -p blueprint-runtime --bench store_insert --no-run`,
//! # run the binary it names directly; options after `--`:
//! #   --clients N   concurrent callers / pgbench clients   (BENCH_CLIENTS, 8)
//! #   --secs N      measured seconds per case               (BENCH_SECS, 5)
//! #   --batch N     rows per create_many / pgbench tx       (BENCH_BATCH, 50)
//! #   --warmup N    unmeasured seconds before each run      (BENCH_WARMUP, 1)
//! #   --mode M      pgbench query mode simple|extended|prepared
//! #                                                         (BENCH_PGBENCH_MODE, prepared)
//! # PGBENCH overrides the pgbench binary (default /usr/bin/pgbench, then PATH).
//! ```
//!
//! Without `DATABASE_URL_POSTGRES` it prints why and exits 0 (1 when
//! `BLUEPRINT_REQUIRE_SERVICES=1`).
//!
//! What runs. A uniquely named table `bench_<pid>_<nanos>` is created by the
//! store itself (`migrations: Auto`) from the schema {id: string (uuid, key),
//! title: string, done: boolean}, and dropped at the end, also on error or
//! Ctrl-C. Before every measured run the table is truncated and the side
//! about to be measured warms up (pool filled, statements prepared), then the
//! table is truncated again.
//!
//! 1. single-row: `clients` tokio tasks loop `store.create(&record)` (pool
//!    `max_connections = clients`), against `pgbench -n -c clients -j 2 -T secs
//!    -M prepared -f script` where the script is the one INSERT with the same
//!    columns and values and `gen_random_uuid()::text` as the key. What
//!    differs: the store validates the record against its JSON Schema, and
//!    runs one autocommit `INSERT ... RETURNING <every column>` (PostgreSQL,
//!    SQLite, MariaDB; on MySQL `BEGIN; INSERT; SELECT <the row>; COMMIT`,
//!    which is what it ran everywhere until 2026-11). Two more lines run
//!    pgbench with the old four-statement sequence (`INSERT ... RETURNING id
//!    \gset` feeds the SELECT its key) and with the store's own statement,
//!    `INSERT ... RETURNING "id", "title", "done"`: the latter separates "the
//!    store does more work" from "the store's client is slower".
//! 2. batched: `store.create_many_stored(&[batch records])` (what a
//!    generated Store runs for a batch) — validate all, then one multi-row
//!    `INSERT ... VALUES (...), (...), ... RETURNING <every column>` of the
//!    whole batch
//!    (autocommit: one statement is atomic by itself; more than one, when a
//!    batch exceeds the bind-parameter limit, run in a transaction) — against
//!    two pgbench scripts: `BEGIN; INSERT ×batch; COMMIT`, which is what the
//!    store sent until 2026-11 (batch + 2 round trips per batch against the
//!    store's one, so that ratio flatters the store), and the store's own
//!    shape, one INSERT of `batch` rows: the same round trip; the store also
//!    validates, and reads the rows back (RETURNING).
//!
//! The store's pool turns off sqlx's `test_before_acquire` (a ping on every
//! `acquire()`); it pings only connections idle for a second or more, or all
//! of them for a minute after a connection-level failure (`store::exec`), so
//! under this load no acquire pings. sqlx still pings each connection as it
//! is released (not configurable): off the caller's path, but the connection
//! is back in the pool only after it, which shows in "acquire wait" below.
//!
//! `-M prepared` is the default because sqlx uses the extended protocol with
//! cached prepared statements; `simple` makes the server parse every INSERT.
//! Store latencies are per call (p50/p99 over every call of the measured
//! run); the pool figures are deltas of the store's own Prometheus metrics
//! over that run. Clients, pgbench and PostgreSQL share this machine's cores:
//! the ratio is meaningful, the absolute rows/s only on a quiet machine.

mod common;

use std::env;
use std::fmt::Write as _;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use blueprint_runtime::metrics::Metrics;
use blueprint_runtime::store::Store;
use serde_json::Value;

use common::{store_loop, Args, Ids, Table};

#[derive(Clone, Debug)]
struct Params {
    clients: u32,
    secs: u64,
    batch: usize,
    warmup: u64,
    mode: String,
}

impl Params {
    fn read() -> Result<Params, String> {
        let args = Args::from_env();
        let p = Params {
            clients: u32::try_from(args.num("--clients", "BENCH_CLIENTS", 8)?)
                .map_err(|e| e.to_string())?,
            secs: args.num("--secs", "BENCH_SECS", 5)?,
            batch: usize::try_from(args.num("--batch", "BENCH_BATCH", 50)?)
                .map_err(|e| e.to_string())?,
            warmup: args.num("--warmup", "BENCH_WARMUP", 1)?,
            mode: args
                .text("--mode", "BENCH_PGBENCH_MODE")?
                .unwrap_or_else(|| "prepared".into()),
        };
        if p.clients == 0 || p.secs == 0 || p.batch == 0 {
            return Err("clients, secs and batch must be at least 1".into());
        }
        if !["simple", "extended", "prepared"].contains(&p.mode.as_str()) {
            return Err(format!("unknown pgbench mode {:?}", p.mode));
        }
        Ok(p)
    }
}

fn main() -> ExitCode {
    common::bench_main("store_insert", Params::read, run)
}

async fn run(url: String, p: Params) -> Result<(), String> {
    let pgbench = pgbench_path()?;
    let bench = Bench {
        table: Table::connect(&url).await?,
        pgbench,
        p,
    };
    let result = tokio::select! {
        r = bench.cases() => r,
        _ = tokio::signal::ctrl_c() => Err("interrupted".into()),
    };
    let dropped = bench.table.drop().await;
    for f in bench.scripts() {
        let _ = std::fs::remove_file(f);
    }
    result?;
    dropped
}

fn pgbench_path() -> Result<String, String> {
    if let Ok(p) = env::var("PGBENCH") {
        return Ok(p);
    }
    if std::path::Path::new("/usr/bin/pgbench").exists() {
        return Ok("/usr/bin/pgbench".into());
    }
    match Command::new("pgbench").arg("--version").output() {
        Ok(_) => Ok("pgbench".into()),
        Err(e) => Err(format!("pgbench not found ({e}); set PGBENCH")),
    }
}

struct Bench {
    table: Table,
    pgbench: String,
    p: Params,
}

/// One measured run of the store.
struct StoreRun {
    rows: u64,
    calls: u64,
    elapsed: Duration,
    p50: Duration,
    p99: Duration,
    mean: Duration,
    /// Mean acquire wait and mean connection hold per call, from the metrics.
    wait: Option<Duration>,
    held: Option<Duration>,
}

impl StoreRun {
    fn rows_per_sec(&self) -> f64 {
        self.rows as f64 / self.elapsed.as_secs_f64()
    }
}

/// One measured run of pgbench.
struct PgbenchRun {
    tps: f64,
    latency_ms: Option<f64>,
    rows_per_tx: u64,
}

impl PgbenchRun {
    fn rows_per_sec(&self) -> f64 {
        self.tps * self.rows_per_tx as f64
    }
}

impl Bench {
    async fn cases(&self) -> Result<(), String> {
        let p = &self.p;
        println!(
            "store_insert: clients {}, {} s per run (+{} s warm-up), batch {}, pgbench -M {}, table {}",
            p.clients, p.secs, p.warmup, p.batch, p.mode, self.table.name
        );
        let metrics = Metrics::new();
        let store = self.table.connect_store(p.clients, &metrics).await?;
        let validation = validation_cost();

        let insert = format!(
            "INSERT INTO \"{}\" (\"id\", \"title\", \"done\") \
             VALUES (gen_random_uuid()::text, '{}', false);",
            self.table.name,
            common::TITLE
        );
        let single_script = insert.clone() + "\n";
        let same_tx_script = format!(
            "BEGIN;\n{} RETURNING \"id\" \\gset\n\
             SELECT \"id\", \"title\", \"done\" FROM \"{}\" WHERE \"id\" = :id;\nCOMMIT;\n",
            insert.trim_end_matches(';'),
            self.table.name
        );
        let returning_script = format!(
            "{} RETURNING \"id\", \"title\", \"done\";\n",
            insert.trim_end_matches(';')
        );
        let mut batch_script = String::from("BEGIN;\n");
        for _ in 0..p.batch {
            batch_script.push_str(&insert);
            batch_script.push('\n');
        }
        batch_script.push_str("COMMIT;\n");
        let row = format!("(gen_random_uuid()::text, '{}', false)", common::TITLE);
        let multi_row_script = format!(
            "INSERT INTO \"{}\" (\"id\", \"title\", \"done\") VALUES {};\n",
            self.table.name,
            vec![row; p.batch].join(", ")
        );

        let single = self.store_run(&store, &metrics, None).await?;
        let pg_single = self.pgbench_run("single", &single_script, 1).await?;
        let pg_same_tx = if p.mode == "simple" {
            None // `:id` is only a bind parameter in extended/prepared mode.
        } else {
            Some(self.pgbench_run("same_tx", &same_tx_script, 1).await?)
        };
        let pg_returning = self.pgbench_run("returning", &returning_script, 1).await?;
        let batched = self.store_run(&store, &metrics, Some(p.batch)).await?;
        let pg_batched = self
            .pgbench_run("batched", &batch_script, p.batch as u64)
            .await?;
        let pg_multi_row = self
            .pgbench_run("multi_row", &multi_row_script, p.batch as u64)
            .await?;
        self.table.truncate().await?;

        let mut out = String::new();
        let _ = writeln!(
            out,
            "\n{:<38} {:>7} {:>14} {:>15} {:>7} {:>10} {:>10} {:>10}",
            "case",
            "clients",
            "store rows/s",
            "pgbench rows/s",
            "ratio",
            "store p50",
            "store p99",
            "pgbench avg"
        );
        let mut line = |name: &str, s: &StoreRun, pg: &PgbenchRun| {
            let _ = writeln!(
                out,
                "{:<38} {:>7} {:>14.0} {:>15.0} {:>7.3} {:>10} {:>10} {:>10}",
                name,
                p.clients,
                s.rows_per_sec(),
                pg.rows_per_sec(),
                s.rows_per_sec() / pg.rows_per_sec(),
                ms(s.p50),
                ms(s.p99),
                pg.latency_ms
                    .map_or_else(|| "-".into(), |l| format!("{l:.3}ms")),
            );
        };
        line("single-row (create vs INSERT)", &single, &pg_single);
        if let Some(pg) = &pg_same_tx {
            line("single-row (vs BEGIN;INS;SEL;COMMIT)", &single, pg);
        }
        line("single-row (vs INSERT..RETURNING)", &single, &pg_returning);
        line(
            &format!("batched ×{} (create_many vs tx)", p.batch),
            &batched,
            &pg_batched,
        );
        line(
            &format!("batched ×{} (vs one {}-row INSERT)", p.batch, p.batch),
            &batched,
            &pg_multi_row,
        );
        let _ = writeln!(out, "\nstore side, per call:");
        for (name, s) in [("single-row", &single), ("batched", &batched)] {
            let _ = writeln!(
                out,
                "  {name:<11} {} calls ({} rows) in {:.2} s; mean {}, p50 {}, p99 {}; \
                 acquire wait mean {}, connection held mean {}",
                s.calls,
                s.rows,
                s.elapsed.as_secs_f64(),
                ms(s.mean),
                ms(s.p50),
                ms(s.p99),
                s.wait.map_or_else(|| "-".into(), ms),
                s.held.map_or_else(|| "-".into(), ms),
            );
        }
        let _ = writeln!(
            out,
            "  JSON Schema validation of one record (jsonschema, this schema): {:.2} µs",
            validation.as_secs_f64() * 1e6
        );
        print!("{out}");
        Ok(())
    }

    /// Warm up, truncate, then `clients` tasks call the store until the
    /// deadline; `batch` `None` is `create`, `Some(n)` is `create_many` of n.
    async fn store_run(
        &self,
        store: &Store,
        metrics: &Metrics,
        batch: Option<usize>,
    ) -> Result<StoreRun, String> {
        self.table.truncate().await?;
        if self.p.warmup > 0 {
            let warmup = Duration::from_secs(self.p.warmup);
            store_loop(store, self.p.clients, self.seed(1), batch, warmup).await?;
            self.table.truncate().await?;
        }
        let before = pool_sums(&metrics.encode());
        let started = Instant::now();
        let measured = Duration::from_secs(self.p.secs);
        let (calls, mut latencies) =
            store_loop(store, self.p.clients, self.seed(2), batch, measured).await?;
        let elapsed = started.elapsed();
        let after = pool_sums(&metrics.encode());
        let rows = calls * batch.unwrap_or(1) as u64;
        let counted = self.table.count().await?;
        if counted != rows {
            return Err(format!(
                "the store reported {rows} rows but the table holds {counted}"
            ));
        }
        latencies.sort_unstable();
        let pct = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
        let total: Duration = latencies.iter().sum();
        let per_call = |(s0, n0): (f64, f64), (s1, n1): (f64, f64)| {
            (n1 > n0).then(|| Duration::from_secs_f64((s1 - s0) / (n1 - n0)))
        };
        Ok(StoreRun {
            rows,
            calls,
            elapsed,
            p50: pct(0.50),
            p99: pct(0.99),
            mean: total / u32::try_from(calls.max(1)).unwrap_or(u32::MAX),
            wait: per_call(before.wait, after.wait),
            held: per_call(before.held, after.held),
        })
    }

    /// Keys of the warm-up and the measured run never collide.
    fn seed(&self, phase: u64) -> u64 {
        self.table.seed ^ phase.rotate_left(56)
    }

    fn script_path(&self, name: &str) -> std::path::PathBuf {
        env::temp_dir().join(format!("{}_{name}.sql", self.table.name))
    }

    fn scripts(&self) -> Vec<std::path::PathBuf> {
        ["single", "same_tx", "returning", "batched", "multi_row"]
            .iter()
            .map(|n| self.script_path(n))
            .collect()
    }

    /// Warm up, truncate, then one measured pgbench run of `script`.
    async fn pgbench_run(
        &self,
        name: &str,
        script: &str,
        rows_per_tx: u64,
    ) -> Result<PgbenchRun, String> {
        let path = self.script_path(name);
        std::fs::write(&path, script).map_err(|e| format!("{}: {e}", path.display()))?;
        self.table.truncate().await?;
        if self.p.warmup > 0 {
            self.pgbench(&path, self.p.warmup).await?;
            self.table.truncate().await?;
        }
        let out = self.pgbench(&path, self.p.secs).await?;
        let field = |prefix: &str| {
            out.lines()
                .find_map(|l| l.trim().strip_prefix(prefix))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|n| n.parse::<f64>().ok())
        };
        // PostgreSQL >= 14 prints one tps line ("without initial connection
        // time"); older versions print two, the second "excluding connections
        // establishing".
        let tps = out
            .lines()
            .filter(|l| l.starts_with("tps = "))
            .find(|l| l.contains("without initial") || l.contains("excluding"))
            .or_else(|| out.lines().find(|l| l.starts_with("tps = ")))
            .and_then(|l| l["tps = ".len()..].split_whitespace().next())
            .and_then(|n| n.parse::<f64>().ok())
            .ok_or_else(|| format!("no tps line in pgbench's output:\n{out}"))?;
        if let Some(done) = field("number of transactions actually processed:") {
            let counted = self.table.count().await?;
            if counted != done as u64 * rows_per_tx {
                eprintln!("store_insert: pgbench {name}: {done} transactions but {counted} rows");
            }
        }
        Ok(PgbenchRun {
            tps,
            latency_ms: field("latency average ="),
            rows_per_tx,
        })
    }

    async fn pgbench(&self, script: &std::path::Path, secs: u64) -> Result<String, String> {
        let threads = self.p.clients.min(2);
        let mut cmd = Command::new(&self.pgbench);
        cmd.args(["-n", "-c", &self.p.clients.to_string()])
            .args(["-j", &threads.to_string(), "-T", &secs.to_string()])
            .args(["-M", &self.p.mode])
            .arg("-f")
            .arg(script)
            .arg(&self.table.url);
        let output = tokio::task::spawn_blocking(move || cmd.output())
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("{}: {e}", self.pgbench))?;
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        if !output.status.success() {
            return Err(format!(
                "pgbench failed ({}):\n{stdout}{}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        Ok(stdout)
    }
}

fn ms(d: Duration) -> String {
    format!("{:.3}ms", d.as_secs_f64() * 1e3)
}

/// (sum, count) of the acquire-wait and connection-use histograms.
struct PoolSums {
    wait: (f64, f64),
    held: (f64, f64),
}

fn pool_sums(text: &str) -> PoolSums {
    let get = |name: &str| {
        text.lines()
            .filter(|l| {
                l.strip_prefix(name)
                    .is_some_and(|r| r.starts_with('{') || r.starts_with(' '))
            })
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum::<f64>()
    };
    let pair = |base: &str| (get(&format!("{base}_sum")), get(&format!("{base}_count")));
    PoolSums {
        wait: pair("db_client_connection_wait_time_seconds"),
        held: pair("db_client_connection_use_time_seconds"),
    }
}

/// What validating one record costs, measured with the same crate and
/// schema the store compiles (the store also formats any errors and checks
/// the key; for a valid record that is one map lookup).
fn validation_cost() -> Duration {
    let Ok(validator) = jsonschema::validator_for(&common::schema()) else {
        return Duration::ZERO;
    };
    let mut ids = Ids::new(7, 0);
    let records: Vec<Value> = (0..1000).map(|_| common::record(&mut ids)).collect();
    let rounds = 100;
    let started = Instant::now();
    let mut errors = 0;
    for _ in 0..rounds {
        for r in &records {
            errors += std::hint::black_box(validator.iter_errors(r).count());
        }
    }
    assert_eq!(errors, 0, "the bench's records must be valid");
    started.elapsed() / (rounds * records.len() as u32)
}
