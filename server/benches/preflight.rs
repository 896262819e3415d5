//! The PostgreSQL pre-flight of 2 and of 200 tables, as ratios to one
//! `SELECT 1` round trip measured in the same run.
//!
//! Needs `DATABASE_URL_POSTGRES` (an admin URL, e.g.
//! `postgres://postgres@127.0.0.1:5432/test`); without it, says so and
//! exits successfully. Creates a uniquely named database with 200 tables of
//! 8 columns and drops it at the end (also if a measurement panics).
//!
//! Measured:
//! - `select_1`: one `SELECT 1` on an open connection (the baseline);
//! - `inspect/<n>_tables/<p>_pings`: a whole `postgres::inspect` — connect
//!   (with whatever TLS the URL's `sslmode` negotiates: `prefer` by
//!   default), `BEGIN READ ONLY`, the catalogue query, `ROLLBACK`, `p`
//!   pings, close — for n = 2 and 200, p = 3 (as in production) and 0 (so
//!   that the 200/2 ratio isolates the catalogue query).

use std::cell::RefCell;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use blueprint_server::preflight::catalog::Probe;
use blueprint_server::preflight::postgres::inspect;
use criterion::Criterion;
use sqlx::postgres::PgConnection;
use sqlx::{AssertSqlSafe, Connection};

const TABLES: usize = 200;
const SAMPLES: usize = 30;

fn main() {
    let admin = match std::env::var("DATABASE_URL_POSTGRES") {
        Ok(url) if !url.is_empty() => url,
        _ => {
            eprintln!(
                "preflight bench skipped: DATABASE_URL_POSTGRES is not set \
                 (e.g. postgres://postgres@127.0.0.1:5432/test)"
            );
            return;
        }
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let db = BenchDb::create(&rt, &admin);
    let url = db.url();

    let tables: Vec<String> = (0..TABLES).map(|i| format!("t_{i:03}")).collect();
    let probe = |url: &str, n: usize, pings: usize| Probe {
        url: url.to_owned(),
        tables: tables[..n].to_vec(),
        timeout: Duration::from_secs(5),
        pings,
    };

    // The measured work is the real work: every table found, every column.
    let catalog = rt
        .block_on(inspect(&probe(&url, TABLES, 3)))
        .expect("inspect the bench database");
    assert_eq!(catalog.tables.len(), TABLES);
    assert!(catalog.tables.values().all(|t| t.columns.len() == 8));
    assert_eq!(catalog.pings.len(), 3);

    // The URL as given (sslmode=prefer unless it says otherwise: TLS if the
    // server offers it), and, unless the URL chose, without TLS — sqlx 0.9.0
    // does not set TCP_NODELAY, so its TLS handshake waits for delayed ACKs
    // (about 2 × 40 ms on Linux), which hides the catalogue's own cost.
    let mut series = vec![("inspect".to_owned(), url.clone())];
    if !url.contains("sslmode=") && !url.contains("ssl-mode=") {
        let sep = if url.contains('?') { '&' } else { '?' };
        series.push((
            "inspect_sslmode_disable".to_owned(),
            format!("{url}{sep}sslmode=disable"),
        ));
    }

    let mut conn = rt.block_on(PgConnection::connect(&url)).expect("connect");
    let mut criterion = Criterion::default()
        .sample_size(SAMPLES)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .configure_from_args();

    let samples: RefCell<Vec<(String, Vec<f64>)>> = RefCell::new(Vec::new());
    let record = |name: &str, per_iter: f64| {
        let mut samples = samples.borrow_mut();
        match samples.iter_mut().find(|(n, _)| n == name) {
            Some((_, v)) => v.push(per_iter),
            None => samples.push((name.to_owned(), vec![per_iter])),
        }
    };

    let mut group = criterion.benchmark_group("preflight_postgres");
    group.bench_function("select_1", |b| {
        b.iter_custom(|iters| {
            let elapsed = rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    sqlx::raw_sql("SELECT 1")
                        .execute(&mut conn)
                        .await
                        .expect("SELECT 1");
                }
                start.elapsed()
            });
            record("select_1", elapsed.as_secs_f64() / iters as f64);
            elapsed
        })
    });
    for (series, url) in &series {
        for pings in [3, 0] {
            for n in [2, TABLES] {
                let name = format!("{series}/{n}_tables/{pings}_pings");
                let p = probe(url, n, pings);
                group.bench_function(name.as_str(), |b| {
                    b.iter_custom(|iters| {
                        let elapsed = rt.block_on(async {
                            let start = Instant::now();
                            for _ in 0..iters {
                                let catalog = inspect(&p).await.expect("inspect");
                                assert_eq!(catalog.tables.len(), n);
                            }
                            start.elapsed()
                        });
                        record(&name, elapsed.as_secs_f64() / iters as f64);
                        elapsed
                    })
                });
            }
        }
    }
    group.finish();
    criterion.final_summary();
    let _ = rt.block_on(conn.close());

    // The last `SAMPLES` records of each benchmark are criterion's
    // measurement samples (the earlier ones are its warm-up).
    let samples = samples.into_inner();
    let median = |name: &str| {
        let all = samples
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let mut v = all[all.len().saturating_sub(SAMPLES)..].to_vec();
        if v.is_empty() {
            return f64::NAN;
        }
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let a = median("select_1");
    eprintln!();
    eprintln!("median time per iteration over criterion's samples:");
    eprintln!(
        "  (a) SELECT 1 round trip on an open connection: {:.1} µs",
        a * 1e6
    );
    for (series, _) in &series {
        for pings in [3, 0] {
            let b = median(&format!("{series}/2_tables/{pings}_pings"));
            let c = median(&format!("{series}/{TABLES}_tables/{pings}_pings"));
            eprintln!("  {series}, pings = {pings}:");
            eprintln!("    (b) 2 tables:   {:>9.3} ms", b * 1e3);
            eprintln!("    (c) {TABLES} tables: {:>9.3} ms", c * 1e3);
            eprintln!(
                "    (b)/(a) = {:.1}   (c)/(a) = {:.1}   (c)/(b) = {:.2}",
                b / a,
                c / a,
                c / b
            );
        }
    }
    drop(db);
}

/// The bench database, dropped (`WITH (FORCE)`) when this goes out of
/// scope, also during a panic.
struct BenchDb<'rt> {
    rt: &'rt tokio::runtime::Runtime,
    admin: String,
    name: String,
}

impl<'rt> BenchDb<'rt> {
    fn create(rt: &'rt tokio::runtime::Runtime, admin: &str) -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let db = BenchDb {
            rt,
            admin: admin.to_owned(),
            name: format!("bp_pf_bench_{}_{nanos}", std::process::id()),
        };
        rt.block_on(async {
            let mut conn = PgConnection::connect(admin)
                .await
                .expect("connect as admin");
            exec(&mut conn, format!("CREATE DATABASE \"{}\"", db.name)).await;
            let _ = conn.close().await;
            let mut conn = PgConnection::connect(&db.url())
                .await
                .expect("connect to the bench database");
            let ddl: String = (0..TABLES)
                .map(|i| {
                    format!(
                        "CREATE TABLE t_{i:03} (
                            id bigserial PRIMARY KEY,
                            name text NOT NULL,
                            email varchar(200),
                            created_at timestamptz NOT NULL DEFAULT now(),
                            amount numeric(12, 2),
                            active boolean NOT NULL DEFAULT true,
                            payload jsonb,
                            ref_id integer
                        );\n"
                    )
                })
                .collect();
            exec(&mut conn, ddl).await;
            let _ = conn.close().await;
        });
        db
    }

    /// The admin URL with the bench database instead of its own.
    fn url(&self) -> String {
        let (scheme, rest) = self.admin.split_once("://").expect("URL has a scheme");
        let (rest, query) = match rest.split_once('?') {
            Some((r, q)) => (r, Some(q)),
            None => (rest, None),
        };
        let authority = rest.split('/').next().unwrap_or("");
        let mut url = format!("{scheme}://{authority}/{}", self.name);
        if let Some(query) = query {
            url.push('?');
            url.push_str(query);
        }
        url
    }
}

impl Drop for BenchDb<'_> {
    fn drop(&mut self) {
        let sql = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name);
        let dropped = self.rt.block_on(async {
            let mut conn = PgConnection::connect(&self.admin).await?;
            sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut conn).await?;
            conn.close().await
        });
        if let Err(e) = dropped {
            eprintln!("could not drop bench database {}: {e}", self.name);
        }
    }
}

async fn exec(conn: &mut PgConnection, sql: String) {
    if let Err(e) = sqlx::raw_sql(AssertSqlSafe(sql)).execute(conn).await {
        panic!("bench setup: {e}");
    }
}
