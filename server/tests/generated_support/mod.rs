//! Harness of the generated-system tests (`generated_systems.rs`): generate
//! a project with the real `blueprint` binary, build it into one shared
//! target directory (so the dependencies compile once per machine), run it
//! as a child process, and talk to it over HTTP.

pub mod proxy;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command as AsyncCommand};

pub fn blueprint() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_blueprint"))
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// One target directory for every generated system, beside the workspace's.
pub fn shared_target() -> PathBuf {
    workspace().join("target").join("generated-systems")
}

/// The fixture blueprint of `generator/tests/fixtures`.
pub fn fixture(name: &str) -> String {
    std::fs::read_to_string(workspace().join("generator/tests/fixtures").join(name))
        .expect("generator fixture")
}

pub fn generate(blueprint_file: &Path, out: &Path, extra: &[&str]) -> Output {
    Command::new(blueprint())
        .arg("generate")
        .arg(blueprint_file)
        .arg("-o")
        .arg(out)
        .args(extra)
        .output()
        .expect("run blueprint generate")
}

pub fn text(out: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `cargo build` of a generated project; returns its binary.
pub fn build(project: &Path, name: &str) -> PathBuf {
    let out = Command::new(env!("CARGO"))
        .args(["build", "--quiet"])
        .current_dir(project)
        .env("CARGO_TARGET_DIR", shared_target())
        .stdin(Stdio::null())
        .output()
        .expect("run cargo build");
    assert!(
        out.status.success(),
        "cargo build of {name} failed:\n{}",
        text(&out)
    );
    shared_target().join("debug").join(name)
}

/// A generated system running as a child process.
pub struct System {
    child: Child,
    pub listeners: HashMap<String, String>,
}

impl System {
    /// Starts `binary` with `env` and waits for its "ready" line.
    pub async fn start(binary: &Path, dir: &Path, env: &[(&str, String)]) -> System {
        let mut command = AsyncCommand::new(binary);
        command
            .current_dir(dir)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().expect("start the generated system");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let mut listeners = HashMap::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let line = tokio::time::timeout_at(deadline.into(), lines.next_line())
                .await
                .expect("the system printed `ready` within 60 s")
                .expect("read stdout");
            let Some(line) = line else {
                let status = child.wait().await.expect("wait");
                panic!("the system exited before it was ready: {status}");
            };
            if line == "ready" {
                break;
            }
            if let Some(rest) = line.strip_prefix("listening ") {
                if let Some((name, url)) = rest.split_once(' ') {
                    listeners.insert(name.to_owned(), url.to_owned());
                }
            }
        }
        // Keep draining stdout so the child never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        System { child, listeners }
    }

    pub fn url(&self, listener: &str) -> String {
        self.listeners
            .get(listener)
            .unwrap_or_else(|| panic!("no listener {listener}: {:?}", self.listeners))
            .clone()
    }

    pub fn pid(&self) -> u32 {
        self.child.id().expect("running")
    }

    /// SIGTERM, then the exit code once it has drained.
    pub async fn terminate(self) -> Option<i32> {
        let status = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()
            .expect("kill -TERM");
        assert!(status.success());
        self.exited().await
    }

    /// The exit code, once something else stopped it (30 s at most).
    pub async fn exited(mut self) -> Option<i32> {
        let exit = tokio::time::timeout(Duration::from_secs(30), self.child.wait())
            .await
            .expect("the system exits within 30 s of SIGTERM")
            .expect("wait");
        exit.code()
    }
}

/// Polls `check` until it returns true or `limit` passes.
pub async fn eventually<F, Fut>(limit: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    false
}

/// The value of the first sample of `name` whose labels contain every one
/// of `labels` (`key="value"` strings), from Prometheus/OpenMetrics text.
pub fn sample(metrics: &str, name: &str, labels: &[&str]) -> Option<f64> {
    metrics.lines().find_map(|line| {
        let rest = line.strip_prefix(name)?;
        let (label_part, value) = match rest.strip_prefix('{') {
            Some(r) => {
                let (l, v) = r.split_once('}')?;
                (l, v)
            }
            None => ("", rest),
        };
        if !rest.starts_with('{') && !rest.starts_with(' ') {
            return None;
        }
        if !labels.iter().all(|l| label_part.contains(l)) {
            return None;
        }
        value.split_whitespace().next()?.parse().ok()
    })
}

/// The URL of a server-admin connection, or `None` (printing why) when the
/// variable is unset — a failure instead under `BLUEPRINT_REQUIRE_SERVICES=1`.
pub fn require(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Some(v),
        _ => {
            assert!(
                std::env::var("BLUEPRINT_REQUIRE_SERVICES").as_deref() != Ok("1"),
                "{var} is not set but BLUEPRINT_REQUIRE_SERVICES=1"
            );
            eprintln!("skipped: {var} is not set");
            None
        }
    }
}

/// A name no other test run uses (databases, systems).
pub fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{prefix}_{}_{nanos}", std::process::id())
}

/// The tasks fixture for `engine`, named `system` so each engine's binary
/// has its own name in the shared target directory.
pub fn tasks_blueprint(engine: &str, system: &str) -> String {
    let text = fixture("tasks.blueprint.yaml")
        .replace("name: task_tracker", &format!("name: {system}"))
        .replace("engine: sqlite", &format!("engine: {engine}"))
        .replace(
            "url: ${DATABASE_URL:-sqlite://tasks.db}",
            "url: ${DATABASE_URL}",
        );
    assert!(text.contains(&format!("engine: {engine}")));
    text
}

/// `url` pointing at database `db` on the same server.
pub fn with_database(url: &str, db: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
    match query {
        Some(q) => format!("{base}/{db}?{q}"),
        None => format!("{base}/{db}"),
    }
}

/// The single number `sql` selects, read with a connection of our own
/// (PostgreSQL, MySQL/MariaDB or SQLite, by the URL's scheme).
pub async fn scalar(url: &str, sql: &str) -> i64 {
    use sqlx::{AssertSqlSafe, Connection};
    let sql = AssertSqlSafe(sql.to_owned());
    if url.starts_with("postgres") {
        let mut c = sqlx::PgConnection::connect(url).await.expect("connect");
        sqlx::query_scalar(sql)
            .fetch_one(&mut c)
            .await
            .expect("query")
    } else if url.starts_with("mysql") {
        let mut c = sqlx::MySqlConnection::connect(url).await.expect("connect");
        sqlx::query_scalar(sql)
            .fetch_one(&mut c)
            .await
            .expect("query")
    } else {
        let mut c = sqlx::SqliteConnection::connect(url).await.expect("connect");
        sqlx::query_scalar(sql)
            .fetch_one(&mut c)
            .await
            .expect("query")
    }
}

/// A database of its own for one test, on the server `admin` names
/// (PostgreSQL or MySQL/MariaDB); [`ScratchDatabase::drop_now`] removes it.
pub struct ScratchDatabase {
    admin: String,
    name: String,
    /// The URL of the new database.
    pub url: String,
}

impl ScratchDatabase {
    pub async fn create(admin: &str, prefix: &str) -> ScratchDatabase {
        let name = unique(prefix);
        admin_execute(admin, &format!("CREATE DATABASE {name}")).await;
        ScratchDatabase {
            admin: admin.to_owned(),
            url: with_database(admin, &name),
            name,
        }
    }

    pub async fn drop_now(self) {
        let sql = if self.admin.starts_with("postgres") {
            // Connections the system under test left behind must not block it.
            format!("DROP DATABASE {} WITH (FORCE)", self.name)
        } else {
            format!("DROP DATABASE {}", self.name)
        };
        admin_execute(&self.admin, &sql).await;
    }
}

async fn admin_execute(admin: &str, sql: &str) {
    use sqlx::{AssertSqlSafe, Connection};
    let sql = AssertSqlSafe(sql.to_owned());
    if admin.starts_with("postgres") {
        let mut c = sqlx::PgConnection::connect(admin).await.expect("connect");
        sqlx::raw_sql(sql)
            .execute(&mut c)
            .await
            .expect("admin statement");
    } else {
        let mut c = sqlx::MySqlConnection::connect(admin)
            .await
            .expect("connect");
        sqlx::raw_sql(sql)
            .execute(&mut c)
            .await
            .expect("admin statement");
    }
}
