//! L3: bindings connect existing ports, from an output to an input, with
//! compatible schemas; request/response ports take one caller; no binding is
//! written twice.

use std::collections::{HashMap, HashSet};

use blueprint_grammars::model::{Component, Direction, Endpoint, FlowType, Port, Schema};

use super::context::Context;
use super::rules;
use super::suggest::did_you_mean;
use super::Diagnostic;

/// A binding endpoint that names an existing port.
#[derive(Clone, Copy)]
pub struct ResolvedEndpoint<'a> {
    pub component_index: usize,
    pub component: &'a Component,
    pub port: &'a Port,
    pub endpoint: &'a Endpoint,
}

/// One resolved connection `from -> to` (a fan-out binding gives several).
#[derive(Clone, Copy)]
pub struct Edge<'a> {
    pub binding_index: usize,
    pub from: ResolvedEndpoint<'a>,
    pub to: ResolvedEndpoint<'a>,
}

/// Checks every binding and returns the connections that are well-formed,
/// for the graph and data-flow passes.
pub fn check_bindings<'a>(cx: &Context<'a>, out: &mut Vec<Diagnostic>) -> Vec<Edge<'a>> {
    let Some(system) = cx.system() else {
        return Vec::new();
    };
    let mut edges = Vec::new();
    let mut seen: HashMap<(usize, &str, usize, &str), &Endpoint> = HashMap::new();
    for (binding_index, binding) in system.bindings.iter().enumerate() {
        let from = binding
            .from
            .as_ref()
            .and_then(|e| resolve(cx, e, Direction::Output, out));
        let targets: Vec<_> = binding
            .to
            .iter()
            .filter_map(|e| resolve(cx, e, Direction::Input, out))
            .collect();
        let Some(from) = from else { continue };
        for to in targets {
            let key = (
                from.component_index,
                from.port.name.value.as_str(),
                to.component_index,
                to.port.name.value.as_str(),
            );
            if let Some(first) = seen.get(&key) {
                out.push(
                    Diagnostic::new(
                        &rules::DUPLICATE_BINDING,
                        to.endpoint.span,
                        format!(
                            "`{}` is already bound to `{}`",
                            endpoint_text(from.endpoint),
                            endpoint_text(to.endpoint)
                        ),
                    )
                    .with_help("remove this binding; each message would be delivered twice")
                    .with_related(first.span, "first bound here"),
                );
                continue;
            }
            seen.insert(key, to.endpoint);
            check_compatible(cx, &from, &to, out);
            edges.push(Edge {
                binding_index,
                from,
                to,
            });
        }
    }
    check_request_response_fan_in(&edges, out);
    edges
}

fn endpoint_text(e: &Endpoint) -> String {
    match &e.port {
        Some(p) => format!("{}.{}", e.component.value, p.value),
        None => e.component.value.clone(),
    }
}

fn resolve<'a>(
    cx: &Context<'a>,
    endpoint: &'a Endpoint,
    expected: Direction,
    out: &mut Vec<Diagnostic>,
) -> Option<ResolvedEndpoint<'a>> {
    let side = match expected {
        Direction::Output => "from",
        Direction::Input => "to",
    };
    let Some(component_index) = cx.component_index(&endpoint.component.value) else {
        let mut d = Diagnostic::new(
            &rules::UNKNOWN_COMPONENT,
            endpoint.component.span,
            format!("no component `{}`", endpoint.component.value),
        );
        d = match did_you_mean(&endpoint.component.value, cx.component_names()) {
            Some(close) => d.with_suggestion(close),
            None => d.with_help("bind to a component defined under `system.components`"),
        };
        out.push(d);
        return None;
    };
    let component = &cx.components()[component_index];
    let ports = match expected {
        Direction::Output => &component.outputs,
        Direction::Input => &component.inputs,
    };
    let Some(port_name) = &endpoint.port else {
        let mut d = Diagnostic::new(
            &rules::MALFORMED_ENDPOINT,
            endpoint.span,
            format!(
                "`{side}: {}` names a component but no port",
                endpoint.component.value
            ),
        );
        d = match ports.as_slice() {
            [only] => {
                let full = format!("{}.{}", endpoint.component.value, only.name.value);
                d.with_help(format!("write `{full}`"))
                    .with_replacement(format!("Replace with `{full}`"), full)
            }
            _ => d.with_help("write `component.port`"),
        };
        out.push(d);
        return None;
    };
    if let Some(port) = ports.iter().find(|p| p.name.value == port_name.value) {
        return Some(ResolvedEndpoint {
            component_index,
            component,
            port,
            endpoint,
        });
    }
    if let Some(port) = component.port(&port_name.value) {
        let (is, should) = match port.direction {
            Direction::Input => ("an input", "a binding goes from an output"),
            Direction::Output => ("an output", "a binding goes into an input"),
        };
        out.push(
            Diagnostic::new(
                &rules::WRONG_DIRECTION,
                port_name.span,
                format!(
                    "`{}` is {is} of `{}`; {should}",
                    port_name.value, endpoint.component.value
                ),
            )
            .with_help("swap `from` and `to`, or bind a port of the other direction")
            .with_related(port.name.span, "declared here"),
        );
        return None;
    }
    let kind = match expected {
        Direction::Output => "output",
        Direction::Input => "input",
    };
    let mut d = Diagnostic::new(
        &rules::UNKNOWN_PORT,
        port_name.span,
        format!(
            "component `{}` has no {kind} `{}`",
            endpoint.component.value, port_name.value
        ),
    );
    d = match did_you_mean(
        &port_name.value,
        ports.iter().map(|p| p.name.value.as_str()),
    ) {
        Some(close) => d.with_suggestion(close),
        None if ports.is_empty() => d.with_help(format!(
            "`{}` declares no {kind}s; add `{kind}s: [{{ name: {}, schema: ... }}]` to it",
            endpoint.component.value, port_name.value
        )),
        None => {
            let names: Vec<&str> = ports.iter().map(|p| p.name.value.as_str()).collect();
            d.with_help(format!("its {kind}s are: {}", names.join(", ")))
        }
    };
    out.push(d);
    None
}

/// Field by field: a field both schemas declare must have compatible types,
/// and a field the receiver requires (without a default) must be declared
/// by the sender.
fn check_compatible(
    cx: &Context,
    from: &ResolvedEndpoint,
    to: &ResolvedEndpoint,
    out: &mut Vec<Diagnostic>,
) {
    let (Some(from_name), Some(to_name)) = (&from.port.schema, &to.port.schema) else {
        return;
    };
    if from_name.value == to_name.value {
        return;
    }
    let (Some(sent), Some(received)) = (cx.schema(&from_name.value), cx.schema(&to_name.value))
    else {
        return;
    };
    let span = to.endpoint.span;
    let pair = format!(
        "`{}` sends `{}` but `{}` expects `{}`",
        endpoint_text(from.endpoint),
        from_name.value,
        endpoint_text(to.endpoint),
        to_name.value
    );
    for problem in schema_mismatches(&sent.schema, &received.schema, "") {
        let message = match &problem {
            Mismatch::Type {
                field,
                sent,
                received,
            } => format!(
                "{pair}: field `{field}` is `{sent}` in `{}` but `{received}` in `{}`",
                from_name.value, to_name.value
            ),
            Mismatch::Missing { field } => format!(
                "{pair}: `{}` requires `{field}`, which `{}` does not have",
                to_name.value, from_name.value
            ),
        };
        let help = match &problem {
            Mismatch::Type { field, .. } => format!("make `{field}` the same type in both schemas, or put a Transformer between them"),
            Mismatch::Missing { field } => format!("add `{field}` to `{}`, give it a `default` in `{}`, or put a Transformer between them", from_name.value, to_name.value),
        };
        out.push(Diagnostic::new(&rules::INCOMPATIBLE_SCHEMAS, span, message).with_help(help));
    }
}

pub enum Mismatch {
    Type {
        field: String,
        sent: String,
        received: String,
    },
    Missing {
        field: String,
    },
}

/// Differences that make records of `sent` unacceptable as `received`,
/// recursing into object fields.
pub fn schema_mismatches(sent: &Schema, received: &Schema, prefix: &str) -> Vec<Mismatch> {
    let mut problems = Vec::new();
    for field in &received.properties {
        let path = format!("{prefix}{}", field.name.value);
        match sent.field(&field.name.value) {
            Some(theirs) => {
                let (Some(a), Some(b)) = (&theirs.schema.type_name, &field.schema.type_name) else {
                    continue;
                };
                if !type_accepts(&b.value, &a.value) {
                    problems.push(Mismatch::Type {
                        field: path,
                        sent: a.value.clone(),
                        received: b.value.clone(),
                    });
                } else if a.value == "object" {
                    problems.extend(schema_mismatches(
                        &theirs.schema,
                        &field.schema,
                        &format!("{path}."),
                    ));
                }
            }
            None if received.is_required(&field.name.value) && !field.schema.has_default => {
                problems.push(Mismatch::Missing { field: path })
            }
            None => {}
        }
    }
    problems
}

/// Whether a field of type `received` accepts values of type `sent`: the
/// same type, or an integer where a number is expected.
fn type_accepts(received: &str, sent: &str) -> bool {
    received == sent || (received == "number" && sent == "integer")
}

/// A request/response port answers one caller: several bindings into it
/// would leave replies with no single destination.
fn check_request_response_fan_in(edges: &[Edge], out: &mut Vec<Diagnostic>) {
    let mut first: HashMap<(usize, &str), &Edge> = HashMap::new();
    let mut reported = HashSet::new();
    for edge in edges {
        if edge.to.port.flow() != FlowType::RequestResponse {
            continue;
        }
        let key = (edge.to.component_index, edge.to.port.name.value.as_str());
        match first.get(&key) {
            None => {
                first.insert(key, edge);
            }
            Some(original) => {
                if reported.insert((key, edge.binding_index)) {
                    out.push(
                        Diagnostic::new(
                            &rules::FAN_IN_REQUEST_RESPONSE,
                            edge.to.endpoint.span,
                            format!("`{}` is a request/response port and already has a caller", endpoint_text(edge.to.endpoint)),
                        )
                        .with_help("give each caller its own request/response port, or make this port `flow_type: push`")
                        .with_related(original.to.endpoint.span, "first caller bound here"),
                    );
                }
            }
        }
    }
}
