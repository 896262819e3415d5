//! What it costs a running generated system to have its `/metrics` scraped
//! every second, which the Blueprint language server does for as long as a
//! blueprint is open in an editor. The figure of merit is the ratio of the
//! store's insert throughput with a scraper to its throughput without one,
//! both measured in the same run.
//!
//! ```text
//! DATABASE_URL_POSTGRES=postgres://postgres@127.0.0.1:5432/test \
//!     cargo bench -p blueprint-runtime --bench scrape_cost
//! # or, after `cargo bench -p blueprint-runtime --bench scrape_cost --no-run`,
//! # run the binary it names directly; options after `--`:
//! #   --clients N   concurrent callers of the store           (BENCH_CLIENTS, 8)
//! #   --secs N      measured seconds per run                  (BENCH_SECS, 5)
//! #   --rounds N    rounds of the three variants              (BENCH_ROUNDS, 5)
//! #   --warmup N    unmeasured seconds before each run        (BENCH_WARMUP, 1)
//! ```
//!
//! Without `DATABASE_URL_POSTGRES` it prints why and exits 0 (1 when
//! `BLUEPRINT_REQUIRE_SERVICES=1`).
//!
//! What runs. As in `store_insert`: a uniquely named table created by the
//! store itself (`migrations: Auto`), dropped at the end, also on error or
//! Ctrl-C; `clients` tokio tasks loop `store.create(&record)` with a pool of
//! `clients` connections. Next to the store, in the same process and on the
//! same tokio runtime, the runtime's own HTTP server serves what a generated
//! system serves on its metrics address: `track_requests(router(..))` over
//! the store's `Metrics`, with the store's readiness check registered, bound
//! to 127.0.0.1:0.
//!
//! Variants, each a measured run of `secs` seconds after `warmup` seconds of
//! unmeasured load, the table truncated before both:
//! 1. no scraper;
//! 2. a scraper GETs `/metrics` and reads the whole body, then sleeps 1 s,
//!    as the language server does (`server/src/lsp/live/task.rs`);
//! 3. the same every 100 ms, ten times the editor's rate, so that a cost too
//!    small to see at 1 s becomes measurable.
//!
//! The scraper uses the language server's client settings (reqwest, no
//! proxy, no keep-alive: a new connection per scrape, its Accept header) on
//! its own thread and current-thread runtime, because in real use it is
//! another process: it must not borrow the system's tokio workers, but it
//! does compete for the same cores, as an editor on the same machine does.
//! It does not parse the body; the editor's parsing is not the system's cost.
//!
//! One round runs the three variants; the order rotates from round to round
//! and the rounds interleave, so drift (other load on the machine, the
//! table's indexes, autovacuum) affects every variant alike. Ratios are
//! taken within a round (variant ÷ no scraper of the same round), then the
//! median, min and max over rounds are reported; the spread of the ratios is
//! the noise floor a cost must exceed to be seen. At the end: the body size,
//! how long one scrape takes as the scraper sees it (under load and idle),
//! and the server's own time per `/metrics` request from its
//! `http_server_request_duration_seconds` histogram, which is the system's
//! cost per scrape directly.

mod common;

use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use blueprint_runtime::http::{router, serve, track_requests, Readiness};
use blueprint_runtime::metrics::Metrics;
use blueprint_runtime::store::Store;
use tokio_util::sync::CancellationToken;

use common::{store_loop, Args, Table};

#[derive(Clone, Debug)]
struct Params {
    clients: u32,
    secs: u64,
    rounds: usize,
    warmup: u64,
}

impl Params {
    fn read() -> Result<Params, String> {
        let args = Args::from_env();
        let p = Params {
            clients: u32::try_from(args.num("--clients", "BENCH_CLIENTS", 8)?)
                .map_err(|e| e.to_string())?,
            secs: args.num("--secs", "BENCH_SECS", 5)?,
            rounds: usize::try_from(args.num("--rounds", "BENCH_ROUNDS", 5)?)
                .map_err(|e| e.to_string())?,
            warmup: args.num("--warmup", "BENCH_WARMUP", 1)?,
        };
        if p.clients == 0 || p.secs == 0 || p.rounds == 0 {
            return Err("clients, secs and rounds must be at least 1".into());
        }
        Ok(p)
    }
}

/// The variants: the scraper's pause between scrapes, `None` for no scraper.
const VARIANTS: [(&str, Option<Duration>); 3] = [
    ("no scraper", None),
    ("scrape every 1 s", Some(Duration::from_secs(1))),
    ("scrape every 100 ms", Some(Duration::from_millis(100))),
];

/// What the language server asks for (`server/src/live/scrape.rs`).
const ACCEPT: &str =
    "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

fn main() -> ExitCode {
    common::bench_main("scrape_cost", Params::read, run)
}

async fn run(url: String, p: Params) -> Result<(), String> {
    let table = Table::connect(&url).await?;
    let result = tokio::select! {
        r = cases(&table, &p) => r,
        _ = tokio::signal::ctrl_c() => Err("interrupted".into()),
    };
    let dropped = table.drop().await;
    result?;
    dropped
}

/// One measured run.
struct Run {
    rows_per_sec: f64,
    p99: Duration,
    scrapes: Vec<Scraped>,
}

async fn cases(table: &Table, p: &Params) -> Result<(), String> {
    let metrics = Metrics::new();
    let store = table.connect_store(p.clients, &metrics).await?;
    let readiness = Readiness::new();
    store.register_readiness(&readiness);
    let app = track_requests(router(metrics.clone(), readiness), metrics.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("cannot bind 127.0.0.1:0: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let metrics_url = format!("http://{addr}/metrics");
    let token = CancellationToken::new();
    let server = tokio::spawn(serve(listener, app, token.clone()));
    println!(
        "scrape_cost: clients {}, {} s per run (+{} s warm-up), {} rounds, {metrics_url}, table {}",
        p.clients, p.secs, p.warmup, p.rounds, table.name
    );

    let mut runs: Vec<Vec<Run>> = VARIANTS.iter().map(|_| Vec::new()).collect();
    let mut phase = 0;
    for round in 0..p.rounds {
        let mut line = format!("  round {}:", round + 1);
        for k in 0..VARIANTS.len() {
            let v = (round + k) % VARIANTS.len();
            phase += 1;
            let run = measure(table, &store, p, VARIANTS[v].1, &metrics_url, phase).await?;
            let _ = write!(line, "  {} {:.0} rows/s", VARIANTS[v].0, run.rows_per_sec);
            runs[v].push(run);
        }
        println!("{line}");
    }
    // Idle: what one scrape costs when nothing competes with it.
    let idle = Scraper::start(metrics_url.clone(), Duration::from_millis(20));
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = idle.stop()?;
    token.cancel();
    match server.await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(format!("HTTP server: {e}")),
        Err(e) => return Err(format!("HTTP server task failed: {e}")),
    }
    print!("{}", report(&runs, &idle, &metrics.encode()));
    Ok(())
}

/// Warm up, truncate, then one measured run with `scrape` as the scraper's
/// pause (none without).
async fn measure(
    table: &Table,
    store: &Store,
    p: &Params,
    scrape: Option<Duration>,
    metrics_url: &str,
    phase: u64,
) -> Result<Run, String> {
    let seed = |n: u64| table.seed ^ (2 * phase + n).rotate_left(48);
    table.truncate().await?;
    if p.warmup > 0 {
        let warmup = Duration::from_secs(p.warmup);
        store_loop(store, p.clients, seed(0), None, warmup).await?;
        table.truncate().await?;
    }
    let scraper = scrape.map(|pause| Scraper::start(metrics_url.to_owned(), pause));
    let started = Instant::now();
    let outcome = store_loop(store, p.clients, seed(1), None, Duration::from_secs(p.secs)).await;
    let elapsed = started.elapsed();
    // Stop the scraper even when the store failed, so no thread outlives us.
    let scrapes = match scraper {
        Some(s) => s.stop()?,
        None => Vec::new(),
    };
    let (rows, mut latencies) = outcome?;
    let counted = table.count().await?;
    if counted != rows {
        return Err(format!(
            "the store reported {rows} rows but the table holds {counted}"
        ));
    }
    latencies.sort_unstable();
    let p99 = latencies
        .get(((latencies.len().max(1) - 1) as f64 * 0.99).round() as usize)
        .copied()
        .unwrap_or_default();
    Ok(Run {
        rows_per_sec: rows as f64 / elapsed.as_secs_f64(),
        p99,
        scrapes,
    })
}

/// One scrape as the scraper saw it.
#[derive(Clone, Copy)]
struct Scraped {
    /// From sending the request to having read the whole body.
    took: Duration,
    bytes: usize,
}

/// A thread with its own current-thread runtime that scrapes, pauses,
/// scrapes again until stopped.
struct Scraper {
    stop: CancellationToken,
    thread: std::thread::JoinHandle<Result<Vec<Scraped>, String>>,
}

impl Scraper {
    fn start(url: String, pause: Duration) -> Scraper {
        let stop = CancellationToken::new();
        let token = stop.clone();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| format!("scraper: cannot start tokio: {e}"))?;
            runtime.block_on(async move {
                let client = reqwest::Client::builder()
                    .no_proxy()
                    .pool_max_idle_per_host(0)
                    .build()
                    .map_err(|e| format!("scraper: {e}"))?;
                let mut scraped = Vec::new();
                while !token.is_cancelled() {
                    scraped.push(scrape(&client, &url).await?);
                    tokio::select! {
                        _ = tokio::time::sleep(pause) => {}
                        _ = token.cancelled() => {}
                    }
                }
                Ok(scraped)
            })
        });
        Scraper { stop, thread }
    }

    fn stop(self) -> Result<Vec<Scraped>, String> {
        self.stop.cancel();
        self.thread
            .join()
            .map_err(|_| "the scraper thread panicked".to_owned())?
    }
}

async fn scrape(client: &reqwest::Client, url: &str) -> Result<Scraped, String> {
    let started = Instant::now();
    let response = client
        .get(url)
        .header(reqwest::header::ACCEPT, ACCEPT)
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .map_err(|e| format!("GET {url}: {e}"))?;
    if response.status() != 200 {
        return Err(format!("GET {url}: HTTP {}", response.status()));
    }
    let body = response
        .bytes()
        .await
        .map_err(|e| format!("GET {url}: {e}"))?;
    Ok(Scraped {
        took: started.elapsed(),
        bytes: body.len(),
    })
}

fn median(mut xs: Vec<f64>) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    xs.sort_unstable_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

fn min_max(xs: &[f64]) -> (f64, f64) {
    xs.iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        })
}

fn report(runs: &[Vec<Run>], idle: &[Scraped], exposition: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n{:<21} {:>13} {:>11} {:>8} {:>12} {:>9} {:>9} {:>8}",
        "variant", "rows/s (med)", "p99 (med)", "scrapes", "ratio (med)", "min", "max", "rounds"
    );
    let base = &runs[0];
    for (v, (name, _)) in VARIANTS.iter().enumerate() {
        let rv = &runs[v];
        let ratios: Vec<f64> = rv
            .iter()
            .zip(base)
            .map(|(r, b)| r.rows_per_sec / b.rows_per_sec)
            .collect();
        let (lo, hi) = min_max(&ratios);
        let scrapes: usize = rv.iter().map(|r| r.scrapes.len()).sum();
        let _ = writeln!(
            out,
            "{:<21} {:>13.0} {:>9.3}ms {:>8} {:>12.4} {:>9.4} {:>9.4} {:>8}",
            name,
            median(rv.iter().map(|r| r.rows_per_sec).collect()),
            median(rv.iter().map(|r| r.p99.as_secs_f64() * 1e3).collect()),
            scrapes,
            median(ratios),
            lo,
            hi,
            rv.len()
        );
    }
    let loaded: Vec<Scraped> = runs
        .iter()
        .flatten()
        .flat_map(|r| r.scrapes.iter().copied())
        .collect();
    let ms = |xs: &[Scraped]| median(xs.iter().map(|s| s.took.as_secs_f64() * 1e3).collect());
    let bytes = loaded.last().or(idle.last()).map_or(0, |s| s.bytes);
    let _ = writeln!(out, "\n/metrics body: {bytes} bytes (last scrape)");
    let _ = writeln!(
        out,
        "one scrape (new connection, GET, whole body), median: {:.3} ms under load \
         ({} scrapes), {:.3} ms idle ({} scrapes)",
        ms(&loaded),
        loaded.len(),
        ms(idle),
        idle.len()
    );
    if let Some((sum, count)) = metrics_route_time(exposition) {
        let per = sum / count;
        let _ = writeln!(
            out,
            "server time per /metrics request (its own histogram), mean: {:.1} µs over {count} \
             requests; at one scrape a second that is {:.4}% of one core",
            per * 1e6,
            per * 100.0
        );
    }
    out
}

/// (sum, count) of `http_server_request_duration_seconds` for the
/// `/metrics` route: the server's own time per scrape.
fn metrics_route_time(text: &str) -> Option<(f64, f64)> {
    let get = |suffix: &str| {
        text.lines()
            .filter(|l| {
                l.starts_with(&format!("http_server_request_duration_seconds_{suffix}{{"))
                    && l.contains("http_route=\"/metrics\"")
            })
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum::<f64>()
    };
    let (sum, count) = (get("sum"), get("count"));
    (count > 0.0).then_some((sum, count))
}
