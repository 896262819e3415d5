//! A client for any OpenAI-compatible chat endpoint (`POST
//! {base}/chat/completions`): OpenAI itself, a local llama.cpp or Ollama
//! server, a proxy.
//!
//! The API key is sent as a bearer token and nowhere else: it is not part of
//! any error, and a server message that quotes it is masked. The endpoint is
//! shown without userinfo or query (either may carry credentials).

use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

/// One chat message, in the shape the API takes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Message {
    pub role: String,
    pub content: String,
}

impl Message {
    pub fn system(content: impl Into<String>) -> Self {
        Message {
            role: "system".to_owned(),
            content: content.into(),
        }
    }

    pub fn user(content: impl Into<String>) -> Self {
        Message {
            role: "user".to_owned(),
            content: content.into(),
        }
    }

    pub fn assistant(content: impl Into<String>) -> Self {
        Message {
            role: "assistant".to_owned(),
            content: content.into(),
        }
    }
}

/// Something that answers a conversation: the HTTP client, or a stand-in
/// in tests.
pub trait ChatModel {
    fn complete(&mut self, messages: &[Message]) -> Result<String, LlmError>;
}

/// Why a request to the endpoint failed, as one line naming the endpoint
/// (masked) and what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LlmError {
    pub message: String,
    pub help: Option<String>,
}

impl std::fmt::Display for LlmError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Where and how to ask.
#[derive(Clone)]
pub struct Endpoint {
    /// The API base, e.g. `https://api.openai.com/v1`.
    pub base_url: String,
    pub model: String,
    pub api_key: Option<String>,
    pub timeout: Duration,
}

impl std::fmt::Debug for Endpoint {
    // By hand, so that the key never reaches a log through `{:?}`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("base_url", &mask_url(&self.base_url))
            .field("model", &self.model)
            .field("api_key", &self.api_key.as_ref().map(|_| "***"))
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl Endpoint {
    /// `{base}/chat/completions`.
    pub fn completions_url(&self) -> String {
        format!("{}/chat/completions", self.base_url.trim_end_matches('/'))
    }

    /// The endpoint as it may be shown.
    pub fn shown(&self) -> String {
        mask_url(&self.completions_url())
    }
}

/// The HTTP client. Blocking from the caller's point of view: it owns a
/// small runtime, because the CLI around it is synchronous.
pub struct HttpChat {
    endpoint: Endpoint,
    client: reqwest::Client,
    runtime: tokio::runtime::Runtime,
}

impl HttpChat {
    pub fn new(endpoint: Endpoint) -> Result<Self, LlmError> {
        let shown = endpoint.shown();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| LlmError {
                message: format!("cannot ask {shown}: cannot start a runtime: {e}"),
                help: None,
            })?;
        let client = reqwest::Client::builder()
            .timeout(endpoint.timeout)
            .connect_timeout(endpoint.timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(|e| LlmError {
                message: format!(
                    "cannot ask {shown}: cannot set up the HTTP client: {}",
                    cause(&e)
                ),
                help: None,
            })?;
        Ok(HttpChat {
            endpoint,
            client,
            runtime,
        })
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }
}

impl ChatModel for HttpChat {
    fn complete(&mut self, messages: &[Message]) -> Result<String, LlmError> {
        let endpoint = &self.endpoint;
        let body = serde_json::json!({
            "model": endpoint.model,
            "messages": messages,
            "temperature": 0,
        });
        let mut request = self
            .client
            .post(endpoint.completions_url())
            .header("content-type", "application/json")
            .body(body.to_string());
        if let Some(key) = &endpoint.api_key {
            request = request.bearer_auth(key);
        }
        let result = self.runtime.block_on(async {
            let response = request.send().await?;
            let status = response.status();
            let text = response.text().await?;
            Ok::<_, reqwest::Error>((status, text))
        });
        let (status, text) = result.map_err(|e| transport_error(endpoint, &e))?;
        let key = endpoint.api_key.as_deref();
        if !status.is_success() {
            return Err(LlmError {
                message: format!(
                    "{} answered {status}: {}",
                    endpoint.shown(),
                    server_message(&text, key)
                ),
                help: Some(match status.as_u16() {
                    401 | 403 => "check BLUEPRINT_LLM_API_KEY".to_owned(),
                    404 => "check the endpoint (the base URL, usually ending in /v1) and --model"
                        .to_owned(),
                    429 => "wait and retry, or use another model".to_owned(),
                    _ => "retry later, or draft offline with --offline".to_owned(),
                }),
            });
        }
        reply_content(&text).map_err(|what| LlmError {
            message: format!("{} sent {what}", endpoint.shown()),
            help: Some("check that the endpoint speaks the OpenAI chat completions API".to_owned()),
        })
    }
}

/// `choices[0].message.content` of a chat completion, or what was wrong.
pub fn reply_content(body: &str) -> Result<String, &'static str> {
    let value: Value = serde_json::from_str(body).map_err(|_| "a reply that is not JSON")?;
    let content = value
        .pointer("/choices/0/message/content")
        .ok_or("a reply without choices[0].message.content")?
        .as_str()
        .ok_or("a reply whose content is not text")?;
    if content.trim().is_empty() {
        return Err("an empty reply");
    }
    Ok(content.to_owned())
}

/// The YAML in a reply: the first fenced block when there is one (with or
/// without a `yaml` tag), else the whole reply.
pub fn extract_yaml(reply: &str) -> String {
    let mut lines = reply.lines();
    let mut fenced = None;
    while let Some(line) = lines.next() {
        if line.trim_start().starts_with("```") {
            let body: Vec<&str> = lines
                .by_ref()
                .take_while(|l| !l.trim_start().starts_with("```"))
                .collect();
            fenced = Some(body.join("\n"));
            break;
        }
    }
    let mut yaml = fenced.unwrap_or_else(|| reply.trim().to_owned());
    yaml = yaml.trim_matches('\n').to_owned();
    yaml.push('\n');
    yaml
}

/// The error's message from an OpenAI-style body (`{"error": {"message":
/// …}}`), else the body itself; one line, bounded, key masked.
fn server_message(body: &str, key: Option<&str>) -> String {
    let from_json = serde_json::from_str::<Value>(body).ok().and_then(|v| {
        v.pointer("/error/message")
            .or_else(|| v.get("error"))
            .or_else(|| v.get("message"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    });
    let text = from_json.unwrap_or_else(|| body.to_owned());
    let mut line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.is_empty() {
        line = "(no message)".to_owned();
    }
    if let Some(key) = key.filter(|k| !k.is_empty()) {
        line = line.replace(key, "***");
    }
    const MAX: usize = 300;
    if line.chars().count() > MAX {
        line = line.chars().take(MAX).collect::<String>() + "…";
    }
    line
}

fn transport_error(endpoint: &Endpoint, error: &reqwest::Error) -> LlmError {
    let shown = endpoint.shown();
    let seconds = endpoint.timeout.as_secs();
    if error.is_timeout() {
        return LlmError {
            message: format!("{shown} did not answer within {seconds} s"),
            help: Some("raise --timeout-s, or check that the server is up".to_owned()),
        };
    }
    if error.is_builder() || is_scheme_error(error) {
        return LlmError {
            message: format!("cannot ask {shown}: {}", cause(error)),
            help: Some("give the API base URL, e.g. http://127.0.0.1:8000/v1".to_owned()),
        };
    }
    if error.is_connect() {
        return LlmError {
            message: format!("cannot connect to {shown}: {}", cause(error)),
            help: Some(
                "check that the server is running and --endpoint / BLUEPRINT_LLM_URL is right"
                    .to_owned(),
            ),
        };
    }
    LlmError {
        message: format!("request to {shown} failed: {}", cause(error)),
        help: Some("retry, or draft offline with --offline".to_owned()),
    }
}

fn is_scheme_error(error: &reqwest::Error) -> bool {
    cause(error).contains("scheme")
}

/// The innermost cause of an error ("Connection refused (os error 111)"),
/// never the URL (which may carry userinfo).
fn cause(error: &reqwest::Error) -> String {
    let mut message = error.to_string();
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(error);
    while let Some(inner) = source {
        message = inner.to_string();
        source = inner.source();
    }
    // reqwest's own message names the URL; a cause never should, but mask
    // one anyway.
    mask_urls_in(&message)
}

fn mask_urls_in(text: &str) -> String {
    text.split(' ')
        .map(|word| {
            if word.contains("://") {
                mask_url(word.trim_matches(|c| c == '(' || c == ')'))
            } else {
                word.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A URL safe to show: userinfo replaced by `***`, query and fragment
/// dropped.
pub fn mask_url(url: &str) -> String {
    let url = url.split(['?', '#']).next().unwrap_or("");
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, path) = match rest.find('/') {
        Some(at) => rest.split_at(at),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((_, host)) => format!("{scheme}://***@{host}{path}"),
        None => format!("{scheme}://{authority}{path}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_userinfo_and_query() {
        assert_eq!(
            mask_url("https://me:secret@api.example.com/v1/chat/completions?key=k"),
            "https://***@api.example.com/v1/chat/completions"
        );
        assert_eq!(mask_url("http://127.0.0.1:8/v1"), "http://127.0.0.1:8/v1");
    }

    #[test]
    fn extracts_fenced_and_bare_yaml() {
        assert_eq!(extract_yaml("Here:\n```yaml\na: 1\n```\nbye"), "a: 1\n");
        assert_eq!(extract_yaml("```\na: 1\n```"), "a: 1\n");
        assert_eq!(extract_yaml("\n\na: 1\n\n"), "a: 1\n");
    }

    #[test]
    fn reads_reply_content() {
        let body = r#"{"choices":[{"message":{"role":"assistant","content":"a: 1"}}]}"#;
        assert_eq!(reply_content(body).unwrap(), "a: 1");
        assert!(reply_content("nope").is_err());
        assert!(reply_content(r#"{"choices":[]}"#).is_err());
        assert!(reply_content(r#"{"choices":[{"message":{"content":"  "}}]}"#).is_err());
    }

    #[test]
    fn server_message_masks_the_key() {
        let body = r#"{"error":{"message":"bad key sk-123 given"}}"#;
        assert_eq!(server_message(body, Some("sk-123")), "bad key *** given");
    }
}
