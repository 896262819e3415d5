//! L3: the shape of the component graph: every component reachable from an
//! entry point, and no cycle without a buffering component in it.

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::Dfs;

use super::bindings::Edge;
use super::context::Context;
use super::rules;
use super::Diagnostic;

pub fn check_graph(cx: &Context, edges: &[Edge], out: &mut Vec<Diagnostic>) {
    let components = cx.components();
    let mut graph: DiGraph<usize, usize> = DiGraph::with_capacity(components.len(), edges.len());
    let nodes: Vec<NodeIndex> = (0..components.len()).map(|i| graph.add_node(i)).collect();
    for (i, edge) in edges.iter().enumerate() {
        graph.update_edge(
            nodes[edge.from.component_index],
            nodes[edge.to.component_index],
            i,
        );
    }
    check_reachable(cx, &intended_graph(cx, &nodes), &nodes, out);
    check_cycles(cx, edges, &graph, out);
}

/// Component-to-component connections as the bindings intend them, even
/// where a port is wrong: a binding with a misspelt port is reported once,
/// as such, and does not also make everything downstream "unreachable".
fn intended_graph(cx: &Context, nodes: &[NodeIndex]) -> DiGraph<usize, usize> {
    let mut graph: DiGraph<usize, usize> = DiGraph::with_capacity(nodes.len(), 0);
    for i in 0..nodes.len() {
        graph.add_node(i);
    }
    let Some(system) = cx.system() else {
        return graph;
    };
    for (b, binding) in system.bindings.iter().enumerate() {
        let Some(from) = binding
            .from
            .as_ref()
            .and_then(|e| cx.component_index(&e.component.value))
        else {
            continue;
        };
        for to in binding
            .to
            .iter()
            .filter_map(|e| cx.component_index(&e.component.value))
        {
            graph.update_edge(nodes[from], nodes[to], b);
        }
    }
    graph
}

/// Entry points bring data in from outside: Sources, APIEndpoints, and any
/// component with outputs but no inputs declared.
fn is_entry(component: &blueprint_grammars::model::Component) -> bool {
    component.kind.is_some_and(|k| k.is_entry_point())
        || (component.inputs.is_empty() && !component.outputs.is_empty())
}

fn check_reachable(
    cx: &Context,
    graph: &DiGraph<usize, usize>,
    nodes: &[NodeIndex],
    out: &mut Vec<Diagnostic>,
) {
    let components = cx.components();
    let mut reached = vec![false; components.len()];
    for (i, component) in components.iter().enumerate() {
        if !is_entry(component) || reached[i] {
            continue;
        }
        let mut dfs = Dfs::new(graph, nodes[i]);
        while let Some(n) = dfs.next(graph) {
            reached[graph[n]] = true;
        }
    }
    for (i, component) in components.iter().enumerate() {
        // A component without a known type or name is reported elsewhere.
        let (Some(name), Some(_)) = (&component.name, component.kind) else {
            continue;
        };
        if reached[i] {
            continue;
        }
        // A duplicate is reported as such, not as unreachable.
        if cx.component_index(&name.value) != Some(i) {
            continue;
        }
        out.push(
            Diagnostic::new(&rules::UNREACHABLE_COMPONENT, name.span, format!("no data ever reaches `{}`", name.value))
                .with_help("bind one of its inputs to an output of a component that a Source or APIEndpoint feeds, or remove it"),
        );
    }
}

/// A cycle of bounded channels deadlocks once every channel is full, unless
/// a component in it buffers (an Accumulator, StreamProcessor or Store).
fn check_cycles(
    cx: &Context,
    edges: &[Edge],
    graph: &DiGraph<usize, usize>,
    out: &mut Vec<Diagnostic>,
) {
    let components = cx.components();
    for scc in tarjan_scc(graph) {
        let members: Vec<usize> = scc.iter().map(|n| graph[*n]).collect();
        let is_cycle = members.len() > 1 || graph.contains_edge(scc[0], scc[0]);
        if !is_cycle {
            continue;
        }
        if members
            .iter()
            .any(|&i| components[i].kind.is_some_and(|k| k.is_buffering()))
        {
            continue;
        }
        // Report on the first binding (in source order) inside the cycle.
        let Some(edge) = edges
            .iter()
            .filter(|e| {
                members.contains(&e.from.component_index) && members.contains(&e.to.component_index)
            })
            .min_by_key(|e| e.to.endpoint.span.start)
        else {
            continue;
        };
        let mut names: Vec<&str> = members
            .iter()
            .filter_map(|&i| components[i].name_str())
            .collect();
        names.sort_unstable();
        out.push(
            Diagnostic::new(&rules::UNBUFFERED_CYCLE, edge.to.endpoint.span, format!("bindings form a cycle through {} with nothing to buffer it", names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")))
                .with_help("break the cycle, or route it through an Accumulator or StreamProcessor so that full channels cannot deadlock it"),
        );
    }
}
