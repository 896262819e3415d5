//! What the editor shows from live metrics: inlay hints after component
//! names, the code lens on `system:`, and the table appended to a
//! component's hover. All read the latest [`super::Status`] without
//! awaiting the scrape.

use std::sync::Arc;
use std::time::SystemTime;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use super::{address_of, Status};
use crate::lsp::state::{FileAnalysis, State};

/// The analysis of `uri` and the status of the system it is scraped at.
async fn live_of(
    state: &Arc<State>,
    uri: &Uri,
) -> Option<(Arc<FileAnalysis>, String, Option<Arc<Status>>)> {
    let analysis = state.current_analysis(uri).await?;
    let address = address_of(state, uri)?;
    let status = state.live.status_of(&address);
    Some((analysis, address, status))
}

pub async fn inlay_hints(
    state: &Arc<State>,
    params: InlayHintParams,
) -> Result<Option<Vec<InlayHint>>> {
    // An empty list, never null: a client keeps the hints it has when the
    // answer is null (Neovim does), and stale figures must go.
    let none = Ok(Some(Vec::new()));
    let uri = params.text_document.uri;
    let Some((analysis, _, Some(status))) = live_of(state, &uri).await else {
        return none;
    };
    let Some(figures) = status.figures.as_ref() else {
        return none;
    };
    let Some(system) = analysis.blueprint.system.as_ref() else {
        return none;
    };
    let positions = analysis.positions(state.encoding());
    let wanted = params.range;
    let hints = system
        .components
        .iter()
        .filter_map(|c| {
            let name = c.name.as_ref()?;
            let f = figures.components.get(&name.value)?;
            let position = positions.range(name.span).end;
            (position >= wanted.start && position <= wanted.end).then(|| InlayHint {
                position,
                label: InlayHintLabel::String(f.inlay_text()),
                kind: None,
                text_edits: None,
                tooltip: None,
                padding_left: Some(true),
                padding_right: None,
                data: None,
            })
        })
        .collect();
    Ok(Some(hints))
}

/// "2 s ago", "1 min ago".
fn ago(t: SystemTime) -> String {
    let s = SystemTime::now()
        .duration_since(t)
        .map_or(0, |d| d.as_secs());
    if s < 120 {
        format!("{s} s ago")
    } else {
        format!("{} min ago", s / 60)
    }
}

/// The lens's title for a status.
pub fn lens_title(address: &str, status: &Status) -> String {
    match (status.connected, status.scraped) {
        (true, Some(at)) => format!("● live: {address} · scraped {}", ago(at)),
        _ => format!("○ live metrics: not connected ({address})"),
    }
}

/// The byte offset of the top-level `system` key (the start of a line
/// `system:`), else the start of the system's value.
fn system_key(text: &str, fallback: usize) -> usize {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.starts_with("system:") || line.starts_with("\"system\":") {
            return offset;
        }
        offset += line.len();
    }
    fallback
}

pub async fn code_lenses(
    state: &Arc<State>,
    params: CodeLensParams,
) -> Result<Option<Vec<CodeLens>>> {
    let uri = params.text_document.uri;
    let Some(analysis) = state.current_analysis(&uri).await else {
        return Ok(None);
    };
    let Some(system) = analysis.blueprint.system.as_ref() else {
        return Ok(None);
    };
    let positions = analysis.positions(state.encoding());
    let at = system_key(&analysis.snapshot.text, system.span.start);
    let line = positions.position(at);
    let lens = |title: String, command: &str| CodeLens {
        range: Range::new(line, line),
        command: Some(Command {
            title,
            command: command.to_owned(),
            arguments: None,
        }),
        data: None,
    };
    if state.live.is_paused() {
        // Only where live metrics would otherwise show something.
        let resumed = state.live.settings_when_connected();
        let listen = system.metrics_listen.as_ref().map(|l| l.value.as_str());
        if super::address_for(&resumed, listen).is_none() {
            return Ok(None);
        }
        return Ok(Some(vec![
            // A label: nothing to run.
            lens("○ live metrics: disconnected".into(), ""),
            lens("connect".into(), super::commands::CONNECT),
        ]));
    }
    let Some((_, address, Some(status))) = live_of(state, &uri).await else {
        return Ok(None);
    };
    Ok(Some(vec![
        lens(lens_title(&address, &status), ""),
        lens("disconnect".into(), super::commands::DISCONNECT),
    ]))
}

/// The live table for the component named at `offset` of `uri`, to append
/// to its hover.
pub fn hover_table(
    state: &State,
    analysis: &FileAnalysis,
    uri: &Uri,
    offset: usize,
) -> Option<String> {
    let system = analysis.blueprint.system.as_ref()?;
    let name = system
        .components
        .iter()
        .filter_map(|c| c.name.as_ref())
        .find(|n| n.span.start <= offset && offset < n.span.end)?;
    let address = address_of(state, uri)?;
    let status = state.live.status_of(&address)?;
    let figures = status.figures.as_ref()?;
    let component = figures.components.get(&name.value)?;
    let previous = status
        .previous
        .as_ref()
        .and_then(|p| p.components.get(&name.value));
    Some(format!(
        "**Live** ({address})\n\n{}",
        component.hover_table(previous)
    ))
}

/// The live section of a database's hover: every component's pool on it
/// (`pool_name` is the database's name) and their sum, against the server's
/// `max_connections` from the last pre-flight.
pub fn database_table(
    state: &State,
    uri: &Uri,
    database: &str,
    server_max: Option<u32>,
) -> Option<String> {
    let address = address_of(state, uri)?;
    let status = state.live.status_of(&address)?;
    let figures = status.figures.as_ref()?;
    let total = figures.databases.get(database)?;
    let count = |v: Option<f64>| v.map_or("?".to_owned(), |v| format!("{v:.0}"));
    let mut out = format!(
        "**Live** ({address}) · every pool on `{database}`\n\n| component | in use | max | waiting |\n|---|---:|---:|---:|\n"
    );
    for component in &total.components {
        let Some(pool) = figures
            .components
            .get(component)
            .and_then(|c| c.pools.iter().find(|p| p.pool_name == database))
        else {
            continue;
        };
        out.push_str(&format!(
            "| {component} | {} | {} | {} |\n",
            count(pool.used),
            count(pool.max),
            count(pool.pending),
        ));
    }
    out.push_str(&format!(
        "| **together** | {:.0} | {:.0} | {:.0} |\n",
        total.used, total.max, total.pending
    ));
    match server_max {
        Some(limit) => {
            let share = total.max / f64::from(limit.max(1)) * 100.0;
            out.push_str(&format!(
                "\nThe pools may open {:.0} of the server's `max_connections` {limit} ({share:.0} %)",
                total.max
            ));
            if total.max > f64::from(limit) {
                out.push_str(
                    ": **more than the server allows**; lower `pool.max_connections` or raise the server's limit",
                );
            }
            out.push('.');
        }
        None => out.push_str(
            "\nThe server's `max_connections` is not known yet: run the pre-flight (on save).",
        ),
    }
    Some(out)
}
