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
    let uri = params.text_document.uri;
    let Some((analysis, _, Some(status))) = live_of(state, &uri).await else {
        return Ok(None);
    };
    let Some(figures) = status.figures.as_ref() else {
        return Ok(None);
    };
    let Some(system) = analysis.blueprint.system.as_ref() else {
        return Ok(None);
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
    let Some((analysis, address, Some(status))) = live_of(state, &uri).await else {
        return Ok(None);
    };
    let Some(system) = analysis.blueprint.system.as_ref() else {
        return Ok(None);
    };
    let positions = analysis.positions(state.encoding());
    let at = system_key(&analysis.snapshot.text, system.span.start);
    let line = positions.position(at);
    Ok(Some(vec![CodeLens {
        range: Range::new(line, line),
        command: Some(Command {
            title: lens_title(&address, &status),
            // A label: nothing to run.
            command: String::new(),
            arguments: None,
        }),
        data: None,
    }]))
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
