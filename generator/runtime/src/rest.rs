//! REST over a store, and the intake of endpoints that reach none (see
//! generator/docs/generated-system.md, "REST").
//!
//! Every answer is JSON, errors included (`{"error": …, "status": …}`):
//! axum's own plain-text rejections are replaced, so a client can always
//! parse what it gets. Records are validated here, before they enter the
//! graph, so an invalid one never costs a database round trip.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, post, MethodRouter};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::behaviour::Validator;
use crate::component::{with_timeout, ComponentError, Operation};
use crate::harness::Inlet;

/// An APIEndpoint that reaches a store.
#[derive(Clone, Debug)]
pub struct RestConfig {
    /// The collection's path, e.g. "/api/tasks" (base_path + path).
    pub collection: String,
    pub max_page_size: u64,
    pub default_page_size: u64,
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
    /// The record schema; creates and updates are validated before sending.
    pub schema: Value,
}

/// An APIEndpoint that reaches no store: records are validated and sent on.
#[derive(Clone, Debug)]
pub struct IntakeConfig {
    pub path: String,
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
    pub schema: Value,
    /// Await the graph's answer (200) instead of accepting (202).
    pub request_response: bool,
}

/// `{"error": message, "status": code}` with the error's status (500 when
/// it is not a valid HTTP status).
pub fn error_response(error: &ComponentError) -> Response {
    let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = json!({ "error": error.message, "status": status.as_u16() });
    (status, Json(body)).into_response()
}

fn fail(status: u16, message: impl Into<String>) -> ComponentError {
    ComponentError::new(status, message)
}

/// A schema that cannot compile answers every write with a 500 naming the
/// problem, rather than panicking the server at start-up.
type Compiled = Result<Validator, String>;

struct Rest {
    config: RestConfig,
    inlet: Inlet,
    create: Compiled,
    /// For PUT: the body may omit its key (the URL carries it), so the
    /// top-level `required` is left to the store, which fills the key in.
    update: Compiled,
}

pub fn rest_routes(config: RestConfig, inlet: Inlet) -> Router {
    let create = Validator::new(&config.schema);
    let mut relaxed = config.schema.clone();
    if let Some(obj) = relaxed.as_object_mut() {
        obj.remove("required");
    }
    let update = Validator::new(&relaxed);
    let collection = config.collection.trim_end_matches('/').to_owned();
    let state = Arc::new(Rest {
        config,
        inlet,
        create,
        update,
    });
    let item = format!("{collection}/{{key}}");
    let routes: [(String, MethodRouter<Arc<Rest>>); 4] = [
        (
            collection.clone(),
            MethodRouter::new()
                .get(list)
                .post(create_record)
                .fallback(method_not_allowed),
        ),
        (
            item,
            MethodRouter::new()
                .get(read)
                .put(update_record)
                .delete(delete)
                .fallback(method_not_allowed),
        ),
        (format!("{collection}/"), any(not_found)),
        (format!("{collection}/{{key}}/{{*rest}}"), any(not_found)),
    ];
    let mut router = Router::new();
    for (path, method_router) in routes {
        router = router.route(&path, method_router);
    }
    router.with_state(state)
}

async fn not_found(uri: Uri) -> Response {
    error_response(&fail(404, format!("no route {}", uri.path())))
}

async fn method_not_allowed() -> Response {
    error_response(&fail(405, "method not allowed"))
}

/// The JSON body of a write: 415 unless declared JSON, 413 over the limit,
/// 400 when it does not parse.
async fn json_body(headers: &HeaderMap, body: Body, limit: usize) -> Result<Value, ComponentError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mime = content_type.split(';').next().unwrap_or("").trim();
    let is_json = mime.eq_ignore_ascii_case("application/json")
        || mime.to_ascii_lowercase().ends_with("+json");
    if !is_json {
        let found = if mime.is_empty() { "none" } else { mime };
        return Err(fail(
            415,
            format!("expected Content-Type: application/json (found {found})"),
        ));
    }
    let too_large = || fail(413, format!("the body exceeds {limit} bytes"));
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| too_large())?;
    serde_json::from_slice(&bytes).map_err(|e| fail(400, format!("invalid JSON: {e}")))
}

fn check(validator: &Compiled, record: &Value) -> Result<(), ComponentError> {
    let validator = validator
        .as_ref()
        .map_err(|e| fail(500, format!("the endpoint's record schema: {e}")))?;
    validator.validate(record)
}

fn key(path: Result<Path<String>, PathRejection>) -> Result<String, ComponentError> {
    path.map(|Path(k)| k)
        .map_err(|e| fail(400, format!("invalid key in the path: {}", e.body_text())))
}

impl Rest {
    async fn ask(&self, operation: Operation, record: Value) -> Result<Value, ComponentError> {
        let request = self.inlet.request_operation(operation, record);
        with_timeout(Some(self.config.request_timeout), request).await
    }
}

fn respond(result: Result<Response, ComponentError>) -> Response {
    result.unwrap_or_else(|e| error_response(&e))
}

async fn create_record(State(s): State<Arc<Rest>>, headers: HeaderMap, body: Body) -> Response {
    respond(
        async {
            let record = json_body(&headers, body, s.config.max_body_bytes).await?;
            check(&s.create, &record)?;
            let stored = s.ask(Operation::Create, record).await?;
            Ok((StatusCode::CREATED, Json(stored)).into_response())
        }
        .await,
    )
}

/// `offset` and `limit` from the query string; anything else is ignored.
fn page(uri: &Uri, config: &RestConfig) -> Result<(u64, u64), ComponentError> {
    let (mut offset, mut limit) = (0, config.default_page_size);
    for pair in uri.query().unwrap_or("").split('&') {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let target = match name {
            "offset" => &mut offset,
            "limit" => &mut limit,
            _ => continue,
        };
        *target = value.parse().map_err(|_| {
            fail(
                400,
                format!("`{name}` must be a non-negative integer, got `{value}`"),
            )
        })?;
    }
    Ok((offset, limit.min(config.max_page_size)))
}

async fn list(State(s): State<Arc<Rest>>, uri: Uri) -> Response {
    respond(
        async {
            let (offset, limit) = page(&uri, &s.config)?;
            let answer = s
                .ask(Operation::List { offset, limit }, Value::Null)
                .await?;
            Ok(Json(answer).into_response())
        }
        .await,
    )
}

async fn read(State(s): State<Arc<Rest>>, path: Result<Path<String>, PathRejection>) -> Response {
    respond(
        async {
            let key = key(path)?;
            let record = s.ask(Operation::Read { key }, Value::Null).await?;
            Ok(Json(record).into_response())
        }
        .await,
    )
}

async fn update_record(
    State(s): State<Arc<Rest>>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    respond(
        async {
            let key = key(path)?;
            let record = json_body(&headers, body, s.config.max_body_bytes).await?;
            check(&s.update, &record)?;
            let stored = s.ask(Operation::Update { key }, record).await?;
            Ok(Json(stored).into_response())
        }
        .await,
    )
}

async fn delete(State(s): State<Arc<Rest>>, path: Result<Path<String>, PathRejection>) -> Response {
    respond(
        async {
            let key = key(path)?;
            s.ask(Operation::Delete { key }, Value::Null).await?;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        .await,
    )
}

struct Intake {
    config: IntakeConfig,
    inlet: Inlet,
    validator: Compiled,
}

/// `POST {path}`: validate, then send (202) or request (200). A JSON array
/// is a batch: every element is validated, and it is sent as one message.
pub fn intake_routes(config: IntakeConfig, inlet: Inlet) -> Router {
    let validator = Validator::new(&config.schema);
    let path = config.path.clone();
    let state = Arc::new(Intake {
        config,
        inlet,
        validator,
    });
    Router::new()
        .route(&path, post(intake).fallback(method_not_allowed))
        .with_state(state)
}

async fn intake(State(s): State<Arc<Intake>>, headers: HeaderMap, body: Body) -> Response {
    respond(
        async {
            let record = json_body(&headers, body, s.config.max_body_bytes).await?;
            match &record {
                Value::Array(items) => check_batch(&s.validator, items)?,
                _ => check(&s.validator, &record)?,
            }
            let limit = Some(s.config.request_timeout);
            if s.config.request_response {
                let answer = with_timeout(limit, s.inlet.request(record)).await?;
                Ok(Json(answer).into_response())
            } else {
                with_timeout(limit, s.inlet.send(record)).await?;
                Ok((StatusCode::ACCEPTED, Json(json!({ "accepted": true }))).into_response())
            }
        }
        .await,
    )
}

fn check_batch(validator: &Compiled, items: &[Value]) -> Result<(), ComponentError> {
    let validator = validator
        .as_ref()
        .map_err(|e| fail(500, format!("the endpoint's record schema: {e}")))?;
    let failures: Vec<String> = (items.iter().enumerate())
        .flat_map(|(i, r)| {
            (validator.failures(r).into_iter()).map(move |m| format!("record {i}: {m}"))
        })
        .collect();
    if failures.is_empty() {
        Ok(())
    } else {
        Err(fail(
            400,
            format!("invalid record: {}", failures.join("; ")),
        ))
    }
}
