//! Completion: keys per context, component types, `component.port` in
//! bindings, schema, database and enum values.
//!
//! The line being typed is usually not valid YAML yet (`type: St`, `- na`,
//! `from: api.`), and even when it is, its value may be missing. So the
//! context comes from the text of the current line (indentation, list
//! marker, key before the colon, the partial word) and the rest of the
//! file: the line up to the cursor is rebuilt around a placeholder that
//! parses (`KEY: ~`, `key: VALUE`, `- VALUE`, flow brackets closed), the
//! patched text is parsed and lowered, and
//! [`shape::locate`] at the placeholder says which mapping and key the
//! cursor is in. A broken line therefore never hides the context.

use blueprint_grammars::model::{self, Blueprint, ComponentType, Direction};
use blueprint_grammars::shape::{self, Kind, Shape};
use blueprint_grammars::yaml;
use blueprint_grammars::{LineIndex, Span};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{
    CompletionItem, CompletionItemKind, CompletionList, CompletionParams, CompletionResponse,
    CompletionTextEdit, Documentation, MarkupContent, MarkupKind, TextEdit,
};

use crate::lsp::position::Positions;
use crate::lsp::state::State;

/// What stands in for the line being typed in the patched text.
const PLACEHOLDER: &str = "__bp_completion__";

pub async fn completion(
    state: &std::sync::Arc<State>,
    params: CompletionParams,
) -> Result<Option<CompletionResponse>> {
    let at = params.text_document_position;
    let text = match state.documents.snapshot(&at.text_document.uri) {
        Some(snapshot) => snapshot.text,
        None => match state.analyses.get(&at.text_document.uri) {
            Some(analysis) => analysis.snapshot.text.clone(),
            None => return Ok(None),
        },
    };
    let lines = LineIndex::new(&text);
    let positions = Positions::new(&text, &lines, state.encoding());
    let offset = positions.offset(at.position);
    let items = complete_at(&text, offset)
        .into_iter()
        .map(|c| c.into_item(&positions))
        .collect();
    Ok(Some(CompletionResponse::List(CompletionList {
        is_incomplete: false,
        items,
    })))
}

/// One candidate, before conversion to LSP positions.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub label: String,
    pub kind: CompletionItemKind,
    pub detail: Option<String>,
    pub documentation: Option<String>,
    /// The text replacing `replace`.
    pub new_text: String,
    pub replace: Span,
}

impl Candidate {
    fn into_item(self, positions: &Positions) -> CompletionItem {
        CompletionItem {
            label: self.label.clone(),
            kind: Some(self.kind),
            detail: self.detail,
            documentation: self.documentation.map(|value| {
                Documentation::MarkupContent(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value,
                })
            }),
            filter_text: Some(self.label),
            text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                range: positions.range(self.replace),
                new_text: self.new_text,
            })),
            ..Default::default()
        }
    }
}

/// The current line, split at the cursor.
struct Line {
    start: usize,
    /// Past the line's last character (before `\r\n` or `\n`).
    end: usize,
    /// Spaces before the content.
    indent: usize,
    /// `"- "` markers after the indentation (for `- - x`, both).
    dashes: usize,
}

fn current_line(text: &str, offset: usize) -> Option<Line> {
    if !text.is_char_boundary(offset) {
        return None;
    }
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let end = if text[..end].ends_with('\r') && end > offset {
        end - 1
    } else {
        end
    };
    let before = text.get(start..offset)?;
    let indent = before.len() - before.trim_start_matches(' ').len();
    let mut rest = &before[indent..];
    let mut dashes = 0;
    while let Some(after) = rest.strip_prefix('-').filter(|a| a.starts_with(' ')) {
        let trimmed = after.trim_start_matches(' ');
        dashes += rest.len() - trimmed.len();
        rest = trimmed;
    }
    Some(Line {
        start,
        end,
        indent,
        dashes,
    })
}

/// The candidates at byte `offset` of `text`.
pub fn complete_at(text: &str, offset: usize) -> Vec<Candidate> {
    let Some(line) = current_line(text, offset) else {
        return Vec::new();
    };
    let lead_len = line.indent + line.dashes;
    let before = &text[line.start..offset];
    // The word being typed: a key, a name, `component.port`.
    let word_start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric() || matches!(c, '_' | '.' | '-'))
        .last()
        .map_or(before.len(), |(i, _)| i)
        .max(lead_len);
    let partial = &before[word_start..];
    let mut prefix = &before[..word_start];
    // An opening quote is kept; the value goes inside it.
    let quoted = prefix.ends_with(['"', '\'']);
    if quoted {
        prefix = &prefix[..prefix.len() - 1];
    }
    let Some(open) = open_brackets(&prefix[lead_len..]) else {
        return Vec::new();
    };
    let closers: String = open
        .iter()
        .rev()
        .map(|b| if *b == '{' { '}' } else { ']' })
        .collect();
    let replace = Span::new(offset - partial.len(), offset);
    let tail = prefix[lead_len..].trim_end();
    // Right after `:`, `,`, `{` or `[`, an inserted value needs a space.
    let space = if !quoted && prefix.ends_with([':', ',', '{', '[']) {
        " "
    } else {
        ""
    };
    let key_template = || format!("{prefix}{space}{PLACEHOLDER}: ~{closers}");
    let value_template = || format!("{prefix}{space}{PLACEHOLDER}{closers}");
    if tail.is_empty() {
        // At the start of a line (after any `- `): a key, or an item of a
        // block list (`- api_store.` under `to:`).
        let keys = key_candidates(text, &line, &key_template(), replace, space);
        if keys.is_empty() && line.dashes > 0 {
            return value_candidates(text, &line, &value_template(), partial, replace, space);
        }
        return keys;
    }
    if quoted {
        return value_candidates(text, &line, &value_template(), partial, replace, space);
    }
    match (tail.chars().last(), open.last()) {
        (Some(':'), _) | (Some('[' | ','), Some('[')) => {
            value_candidates(text, &line, &value_template(), partial, replace, space)
        }
        (Some('{' | ','), Some('{')) => {
            key_candidates(text, &line, &key_template(), replace, space)
        }
        _ => Vec::new(),
    }
}

/// The flow brackets left open in `s` (outside quotes), innermost last;
/// `None` after a comment sign.
fn open_brackets(s: &str) -> Option<Vec<char>> {
    let mut open = Vec::new();
    let mut quote: Option<char> = None;
    let mut previous = ' ';
    for c in s.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '#') if previous.is_whitespace() => return None,
            (None, '{' | '[') => open.push(c),
            (None, '}' | ']') => {
                open.pop();
            }
            _ => {}
        }
        previous = c;
    }
    Some(open)
}

/// `text` with the current line replaced by `replacement`, parsed, and
/// the offset of the placeholder in it.
fn patched(text: &str, line: &Line, replacement: &str) -> (String, usize) {
    let mut patched = String::with_capacity(text.len() + replacement.len());
    patched.push_str(&text[..line.start]);
    let at = patched.len() + replacement.find(PLACEHOLDER).unwrap_or(0);
    patched.push_str(replacement);
    patched.push_str(&text[line.end..]);
    (patched, at)
}

fn key_candidates(
    text: &str,
    line: &Line,
    template: &str,
    replace: Span,
    space: &str,
) -> Vec<Candidate> {
    let (patched, at) = patched(text, line, template);
    let Some(root) = yaml::parse(&patched).root else {
        return Vec::new();
    };
    let Some(location) = shape::locate(&root, at + 1) else {
        return Vec::new();
    };
    if !location.on_key || location.entry.is_none_or(|e| e.key != PLACEHOLDER) {
        return Vec::new();
    }
    let present: Vec<&str> = location
        .mapping
        .as_mapping()
        .unwrap_or(&[])
        .iter()
        .map(|e| e.key.as_str())
        .collect();
    keys_of(location.shape, &present, replace, space)
}

/// The canonical keys of `shape` not in `present`.
fn keys_of(shape: &Shape, present: &[&str], replace: Span, space: &str) -> Vec<Candidate> {
    shape
        .fields
        .iter()
        .filter(|f| f.status == shape::Status::Canonical && !present.contains(&f.key))
        .map(|field| {
            let container = matches!(
                field.kind,
                Kind::Object(_) | Kind::Map { .. } | Kind::List(_) | Kind::Mapping
            );
            let required = if field.is_required() {
                " (required)"
            } else {
                ""
            };
            Candidate {
                label: field.key.to_owned(),
                kind: CompletionItemKind::PROPERTY,
                detail: Some(format!("{}{required}", kind_label(&field.kind))),
                documentation: Some(field.doc.to_owned()),
                new_text: if container && space.is_empty() {
                    format!("{}:", field.key)
                } else {
                    format!("{space}{}: ", field.key)
                },
                replace,
            }
        })
        .collect()
}

fn kind_label(kind: &Kind) -> String {
    match kind {
        Kind::Enum(vocab) => vocab.values.join(" | "),
        Kind::ComponentType => "component type".into(),
        other => other.describe(),
    }
}

/// String formats a schema field can declare.
const FORMATS: &[(&str, &str)] = &[
    ("uuid", "A UUID; a `uuid` column where the engine has one."),
    ("date-time", "An RFC 3339 timestamp; a `timestamp` column."),
    ("date", "A calendar date (YYYY-MM-DD); a `date` column."),
    ("time", "A time of day; a `time` column."),
    ("email", "An e-mail address."),
    ("uri", "A URI."),
    ("hostname", "A host name."),
    ("ipv4", "An IPv4 address; an `inet` column in PostgreSQL."),
    ("ipv6", "An IPv6 address; an `inet` column in PostgreSQL."),
];

fn value_candidates(
    text: &str,
    line: &Line,
    template: &str,
    partial: &str,
    replace: Span,
    space: &str,
) -> Vec<Candidate> {
    let (patched, at) = patched(text, line, template);
    let Some(root) = yaml::parse(&patched).root else {
        return Vec::new();
    };
    let Some(location) = shape::locate(&root, at + 1) else {
        return Vec::new();
    };
    let (Some(field), false) = (location.field, location.on_key) else {
        return Vec::new();
    };
    let simple = |label: &str, kind, detail: Option<String>, doc: Option<String>| Candidate {
        label: label.to_owned(),
        kind,
        detail,
        documentation: doc,
        new_text: format!("{space}{label}"),
        replace,
    };
    let blueprint = || model::lower(Some(&root), &patched);
    match (location.shape.id, field.key) {
        ("binding", "from") => endpoints(&blueprint(), Direction::Output, partial, replace, space),
        ("binding", "to") => endpoints(&blueprint(), Direction::Input, partial, replace, space),
        ("port", "schema") => {
            let blueprint = blueprint();
            let mut names: Vec<&str> = Vec::new();
            let mut out = Vec::new();
            for def in &blueprint.schemas {
                if names.contains(&def.name.value.as_str()) {
                    continue;
                }
                names.push(&def.name.value);
                let fields: Vec<&str> = def
                    .schema
                    .properties
                    .iter()
                    .map(|f| f.name.value.as_str())
                    .collect();
                out.push(simple(
                    &def.name.value,
                    CompletionItemKind::STRUCT,
                    Some("schema".into()),
                    (!fields.is_empty()).then(|| format!("fields: {}", fields.join(", "))),
                ));
            }
            out
        }
        ("configuration.Store", "database") => {
            let blueprint = blueprint();
            let mut out: Vec<Candidate> = Vec::new();
            for database in blueprint.system.iter().flat_map(|s| &s.databases) {
                if database.origin != model::DatabaseOrigin::Declared
                    || out.iter().any(|c| c.label == database.name.value)
                {
                    continue;
                }
                let engine = database
                    .engine_kind
                    .map_or("database", |e| e.display_name());
                out.push(simple(
                    &database.name.value,
                    CompletionItemKind::REFERENCE,
                    Some(format!("{engine} database")),
                    None,
                ));
            }
            out
        }
        ("configuration.Router", "default_output") | ("configuration.Router.route", "output") => {
            // The router's own output ports.
            let blueprint = blueprint();
            let router = blueprint
                .system
                .iter()
                .flat_map(|s| &s.components)
                .find(|c| c.span.start <= at && at <= c.span.end);
            router
                .into_iter()
                .flat_map(|c| &c.outputs)
                .map(|port| {
                    let schema = port
                        .schema
                        .as_ref()
                        .map_or("no schema".to_owned(), |s| format!("schema {}", s.value));
                    simple(
                        &port.name.value,
                        CompletionItemKind::FIELD,
                        Some(format!("output port · {schema}")),
                        None,
                    )
                })
                .collect()
        }
        ("schema", "format") => FORMATS
            .iter()
            .map(|(name, doc)| {
                simple(
                    name,
                    CompletionItemKind::ENUM_MEMBER,
                    Some("string format".into()),
                    Some((*doc).to_owned()),
                )
            })
            .collect(),
        _ => match &field.kind {
            Kind::ComponentType => ComponentType::ALL
                .iter()
                .map(|t| {
                    simple(
                        t.as_str(),
                        CompletionItemKind::CLASS,
                        Some("component type".into()),
                        Some(t.summary().to_owned()),
                    )
                })
                .collect(),
            Kind::Enum(vocab) => vocab
                .values
                .iter()
                .map(|v| {
                    simple(
                        v,
                        CompletionItemKind::ENUM_MEMBER,
                        Some(field.key.to_owned()),
                        Some(field.doc.to_owned()),
                    )
                })
                .collect(),
            Kind::Boolean => ["true", "false"]
                .iter()
                .map(|v| simple(v, CompletionItemKind::VALUE, None, None))
                .collect(),
            _ => Vec::new(),
        },
    }
}

/// `component.port` for every port in `direction`; only `component`'s
/// when `partial` already names it (`api_store.`).
fn endpoints(
    blueprint: &Blueprint,
    direction: Direction,
    partial: &str,
    replace: Span,
    space: &str,
) -> Vec<Candidate> {
    let only = partial.split_once('.').map(|(component, _)| component);
    let mut out = Vec::new();
    for component in blueprint.system.iter().flat_map(|s| &s.components) {
        let Some(name) = component.name_str() else {
            continue;
        };
        if only.is_some_and(|only| only != name) {
            continue;
        }
        let ports = match direction {
            Direction::Input => &component.inputs,
            Direction::Output => &component.outputs,
        };
        let type_name = component
            .type_name
            .as_ref()
            .map_or("?", |t| t.value.as_str());
        for port in ports {
            let label = format!("{name}.{}", port.name.value);
            let schema = port
                .schema
                .as_ref()
                .map_or("no schema".to_owned(), |s| format!("schema {}", s.value));
            let which = match direction {
                Direction::Input => "input",
                Direction::Output => "output",
            };
            out.push(Candidate {
                new_text: format!("{space}{label}"),
                label,
                kind: CompletionItemKind::FIELD,
                detail: Some(format!("{which} port · {schema}")),
                documentation: Some(format!(
                    "{which} port of `{name}` ({type_name}), flow `{}`",
                    port.flow().as_str()
                )),
                replace,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests;
