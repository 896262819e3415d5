//! One scrape of a running system's `/metrics` over plain HTTP.
//!
//! Bounded in every direction: a hard timeout covers connecting, the
//! response head and the whole body; the body is capped at [`MAX_BODY`];
//! only the families the figures use ([`USED_PREFIXES`]) are kept, under the
//! parser's [`Limits`]. No TLS (metrics listen on loopback or a private
//! address) and no proxy (an `HTTP_PROXY` meant for the internet must not
//! swallow a loopback scrape).

use std::fmt;
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime};

use super::exposition::{self, Exposition, Family, Limits, Sample};

/// Largest body read; a generated system serves a few kilobytes.
pub const MAX_BODY: usize = 8 * 1024 * 1024;

/// Metric name prefixes the figures read; every other family is dropped at
/// parse time.
pub const USED_PREFIXES: [&str; 3] = ["db_client_", "blueprint_component_", "http_server_"];

/// What the Accept header asks for: OpenMetrics first, then Prometheus text.
const ACCEPT: &str =
    "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

/// The kept samples of one scrape and when it was taken.
#[derive(Clone, Debug)]
pub struct Scrape {
    /// Monotonic time the body was complete (windows are measured with it).
    pub at: Instant,
    /// Wall-clock time of the same moment (shown as "scraped 2 s ago").
    pub wall: SystemTime,
    pub samples: Vec<Sample>,
    pub families: Vec<Family>,
    /// The parser dropped samples or families at its limits.
    pub truncated: bool,
}

impl Scrape {
    /// Build a scrape from exposition text already in hand (tests, files).
    pub fn from_text(text: &str, at: Instant, wall: SystemTime) -> Self {
        Self::from_exposition(parse_used(text), at, wall)
    }

    fn from_exposition(e: Exposition, at: Instant, wall: SystemTime) -> Self {
        Self {
            at,
            wall,
            samples: e.samples,
            families: e.families,
            truncated: e.truncated,
        }
    }
}

fn is_used(name: &str) -> bool {
    USED_PREFIXES.iter().any(|p| name.starts_with(p))
}

fn parse_used(text: &str) -> Exposition {
    exposition::parse_with(text, &Limits::default(), is_used)
}

/// Why a scrape produced nothing.
#[derive(Debug)]
pub enum ScrapeError {
    /// The URL could not be used (not http, unparsable).
    InvalidUrl { url: String, reason: String },
    /// Nothing listens there (connection refused, host unreachable): the
    /// system is not running.
    Refused { url: String, reason: String },
    /// No complete answer within the timeout (connect, head and body).
    Timeout { url: String, after: Duration },
    /// The server answered with something other than 200.
    Status { url: String, status: u16 },
    /// The body exceeded [`MAX_BODY`].
    TooLarge { url: String, limit: usize },
    /// The body is not Prometheus or OpenMetrics text.
    NotMetrics { url: String, reason: String },
    /// Any other transport failure (reset mid-body, bad HTTP).
    Transport { url: String, reason: String },
}

impl fmt::Display for ScrapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidUrl { url, reason } => {
                write!(f, "{url}: not a usable metrics URL ({reason})")
            }
            Self::Refused { url, reason } => write!(f, "{url}: nothing is listening ({reason})"),
            Self::Timeout { url, after } => {
                write!(
                    f,
                    "{url}: no complete answer within {} ms",
                    after.as_millis()
                )
            }
            Self::Status { url, status } => write!(f, "{url}: answered HTTP {status}, not 200"),
            Self::TooLarge { url, limit } => {
                write!(f, "{url}: body larger than {} MiB", limit / (1024 * 1024))
            }
            Self::NotMetrics { url, reason } => write!(f, "{url}: not metrics text ({reason})"),
            Self::Transport { url, reason } => write!(f, "{url}: {reason}"),
        }
    }
}

impl std::error::Error for ScrapeError {}

fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .no_proxy()
            // Keep-alive would hold a socket to a system between scrapes
            // for nothing; a fresh connection on loopback is cheap.
            .pool_max_idle_per_host(0)
            .build()
            // Without TLS features the builder has nothing that can fail.
            .unwrap_or_else(|_| reqwest::Client::new())
    })
}

/// Fetch `url` and parse what the figures use. `timeout` bounds the whole
/// exchange: connecting, the response head and the complete body.
pub async fn scrape(url: &str, timeout: Duration) -> Result<Scrape, ScrapeError> {
    match tokio::time::timeout(timeout, fetch(url, timeout)).await {
        Ok(result) => result,
        Err(_) => Err(ScrapeError::Timeout {
            url: url.to_owned(),
            after: timeout,
        }),
    }
}

async fn fetch(url: &str, timeout: Duration) -> Result<Scrape, ScrapeError> {
    let owned = || url.to_owned();
    let parsed = reqwest::Url::parse(url).map_err(|e| ScrapeError::InvalidUrl {
        url: owned(),
        reason: e.to_string(),
    })?;
    if parsed.scheme() != "http" {
        return Err(ScrapeError::InvalidUrl {
            url: owned(),
            reason: format!("scheme `{}`; only http is scraped", parsed.scheme()),
        });
    }
    let transport = |e: reqwest::Error| {
        if e.is_timeout() {
            ScrapeError::Timeout {
                url: owned(),
                after: timeout,
            }
        } else if e.is_connect() {
            ScrapeError::Refused {
                url: owned(),
                reason: root_cause(&e),
            }
        } else {
            ScrapeError::Transport {
                url: owned(),
                reason: root_cause(&e),
            }
        }
    };
    let mut response = client()
        .get(parsed)
        .header(reqwest::header::ACCEPT, ACCEPT)
        .timeout(timeout)
        .send()
        .await
        .map_err(transport)?;
    let status = response.status().as_u16();
    if status != 200 {
        return Err(ScrapeError::Status {
            url: owned(),
            status,
        });
    }
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if ["text/html", "application/json", "image/", "application/xml"]
        .iter()
        .any(|t| content_type.starts_with(t))
    {
        return Err(ScrapeError::NotMetrics {
            url: owned(),
            reason: format!("content type {content_type}"),
        });
    }
    if response
        .content_length()
        .is_some_and(|n| n > MAX_BODY as u64)
    {
        return Err(ScrapeError::TooLarge {
            url: owned(),
            limit: MAX_BODY,
        });
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(transport)? {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(ScrapeError::TooLarge {
                url: owned(),
                limit: MAX_BODY,
            });
        }
        body.extend_from_slice(&chunk);
    }
    let (at, wall) = (Instant::now(), SystemTime::now());
    // A large exposition takes milliseconds to parse: off the async
    // threads, which answer the editor's requests.
    let e = tokio::task::spawn_blocking(move || parse_used(&String::from_utf8_lossy(&body)))
        .await
        .map_err(|e| ScrapeError::NotMetrics {
            url: owned(),
            reason: format!("the parser stopped: {e}"),
        })?;
    if e.parsed_lines == 0 && e.rejected_lines > 0 {
        return Err(ScrapeError::NotMetrics {
            url: owned(),
            reason: format!(
                "none of {} lines is a sample or descriptor",
                e.rejected_lines
            ),
        });
    }
    Ok(Scrape::from_exposition(e, at, wall))
}

/// The innermost error message ("Connection refused (os error 111)") rather
/// than reqwest's "error sending request".
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause: &(dyn std::error::Error + 'static) = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::{header, StatusCode};
    use axum::routing::get;
    use axum::Router;
    use futures_util::StreamExt;

    fn exposition() -> String {
        let m = blueprint_runtime::Metrics::new();
        let pool = m.pool("users", "main");
        pool.set_max(20);
        pool.set_connections(17, 3);
        pool.record_operation("SELECT", Duration::from_millis(2));
        m.record_http_request("user_api", "GET", "/users", 200, Duration::from_millis(1));
        m.encode()
    }

    async fn serve() -> String {
        let text = exposition();
        let app = Router::new()
            .route(
                "/metrics",
                get(move || {
                    let text = text.clone();
                    async move {
                        (
                            [(
                                header::CONTENT_TYPE,
                                "application/openmetrics-text; version=1.0.0; charset=utf-8",
                            )],
                            text,
                        )
                    }
                }),
            )
            .route(
                "/hang",
                get(|| async {
                    std::future::pending::<()>().await;
                    "never"
                }),
            )
            .route(
                "/trickle",
                get(|| async {
                    let head = futures_util::stream::iter([Ok::<_, std::convert::Infallible>(
                        "# TYPE blueprint_component_backlog gauge\n",
                    )]);
                    Body::from_stream(head.chain(futures_util::stream::pending()))
                }),
            )
            .route(
                "/fail",
                get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "boom") }),
            )
            .route(
                "/html",
                get(|| async {
                    (
                        [(header::CONTENT_TYPE, "text/html")],
                        "<html><body>hi</body></html>",
                    )
                }),
            )
            .route(
                "/plain-garbage",
                get(|| async { "{\"status\": \"ok\"}\nnot metrics at all\n" }),
            )
            .route("/big", get(|| async { "x 1\n".repeat(MAX_BODY / 4 + 1) }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        format!("http://{addr}")
    }

    #[tokio::test]
    async fn scrapes_a_runtime_exposition() {
        let base = serve().await;
        let before = Instant::now();
        let s = scrape(&format!("{base}/metrics"), Duration::from_secs(5))
            .await
            .unwrap();
        assert!(s.at >= before);
        let used = s
            .samples
            .iter()
            .find(|x| x.name == "db_client_connection_count" && x.label("state") == Some("used"))
            .unwrap();
        assert_eq!(used.value, 3.0);
        assert!(s
            .samples
            .iter()
            .any(|x| x.name == "http_server_request_duration_seconds_count"));
        assert!(s.samples.iter().all(|x| is_used(&x.name)));
        assert!(!s.truncated);
    }

    #[tokio::test]
    async fn hung_and_trickling_endpoints_time_out() {
        let base = serve().await;
        for path in ["/hang", "/trickle"] {
            let started = Instant::now();
            let err = scrape(&format!("{base}{path}"), Duration::from_millis(300))
                .await
                .unwrap_err();
            assert!(matches!(err, ScrapeError::Timeout { .. }), "{path}: {err}");
            assert!(started.elapsed() < Duration::from_secs(3), "{path}");
        }
    }

    #[tokio::test]
    async fn errors_are_told_apart() {
        let base = serve().await;
        let t = Duration::from_secs(5);
        let err = scrape(&format!("{base}/fail"), t).await.unwrap_err();
        assert!(
            matches!(err, ScrapeError::Status { status: 500, .. }),
            "{err}"
        );
        let err = scrape(&format!("{base}/html"), t).await.unwrap_err();
        assert!(matches!(err, ScrapeError::NotMetrics { .. }), "{err}");
        let err = scrape(&format!("{base}/plain-garbage"), t)
            .await
            .unwrap_err();
        assert!(matches!(err, ScrapeError::NotMetrics { .. }), "{err}");
        let err = scrape(&format!("{base}/big"), t).await.unwrap_err();
        assert!(matches!(err, ScrapeError::TooLarge { .. }), "{err}");
        let err = scrape("https://127.0.0.1:1/metrics", t).await.unwrap_err();
        assert!(matches!(err, ScrapeError::InvalidUrl { .. }), "{err}");
        let err = scrape("not a url", t).await.unwrap_err();
        assert!(matches!(err, ScrapeError::InvalidUrl { .. }), "{err}");

        // A port nobody listens on: bind one, then free it.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let err = scrape(&format!("http://127.0.0.1:{port}/metrics"), t)
            .await
            .unwrap_err();
        assert!(matches!(err, ScrapeError::Refused { .. }), "{err}");
        assert!(err.to_string().contains("nothing is listening"));
    }
}
