//! The diagnostics about one value: wrong type, out of range, malformed,
//! not in its set, unknown component type. Split from [`super::walk`],
//! which decides where to look; this decides what to say.

use blueprint_grammars::interpolate::mask_secrets;
use blueprint_grammars::model::ComponentType;
use blueprint_grammars::shape::{Format, Kind, Vocab};
use blueprint_grammars::yaml::{Node, Value};

use super::walk::{head, At, Walker};
use crate::analysis::rules;
use crate::analysis::suggest::did_you_mean;
use crate::analysis::Diagnostic;

impl Walker<'_> {
    /// `version: 1.0` is a number to YAML; say what a version is rather
    /// than "wrong type".
    pub(super) fn semver_number(&mut self, node: &Node, at: &At) {
        let shown = node_text(node);
        let mut diagnostic = Diagnostic::new(
            self.codes.invalid_value,
            node.span,
            format!(
                "{} must be {}, found the number {shown}",
                at.what,
                Format::Semver.description()
            ),
        );
        diagnostic = match Format::Semver.correct(&shown) {
            Some(fixed) if matches!(node.value, Value::Int(_)) => diagnostic
                .with_help(format!("write `\"{fixed}\"`"))
                .with_replacement(
                    format!("Replace with `\"{fixed}\"`"),
                    format!("\"{fixed}\""),
                ),
            _ => diagnostic.with_help("write all three parts, such as `\"1.0.0\"`"),
        };
        self.out.push(diagnostic);
    }

    pub(super) fn wrong_type(&mut self, node: &Node, kind: &Kind, at: &At) {
        let span = match node.value {
            Value::Mapping(_) | Value::Sequence(_) | Value::Null => {
                at.key_span.unwrap_or_else(|| head(node))
            }
            _ => node.span,
        };
        let found = match &node.value {
            Value::Null => "nothing".to_owned(),
            Value::Int(_) => "an integer".to_owned(),
            _ => format!("a {}", node.type_name()),
        };
        let mut diagnostic = Diagnostic::new(
            self.codes.wrong_type,
            span,
            format!("{} must be {}, found {found}", at.what, kind.describe()),
        );
        let help = match (kind, &node.value) {
            (Kind::Integer { .. } | Kind::Number { .. }, Value::String(s)) if s.contains("${") => {
                Some("`${VAR}` is only read in a database `url`; write the number here".to_owned())
            }
            (Kind::Integer { .. } | Kind::Number { .. }, Value::String(s))
                if s.trim().parse::<f64>().is_ok() =>
            {
                Some(format!("write the number without quotes: `{}`", s.trim()))
            }
            (
                Kind::String(_) | Kind::Enum(_) | Kind::ComponentType,
                Value::Int(_) | Value::Float(_) | Value::Bool(_),
            ) => Some(format!("quote it: `\"{}\"`", node_text(node))),
            (_, Value::Null) => Some("give it a value, or remove it".to_owned()),
            _ => None,
        };
        if let Some(help) = help {
            diagnostic = diagnostic.with_help(help);
        }
        self.out.push(diagnostic);
    }

    pub(super) fn bounds(
        &mut self,
        node: &Node,
        n: f64,
        min: Option<f64>,
        max: Option<f64>,
        at: &At,
    ) {
        let below = min.is_some_and(|m| n < m);
        let above = max.is_some_and(|m| n > m);
        if !below && !above {
            return;
        }
        let range = match (min, max) {
            (Some(min), Some(max)) => format!("between {min} and {max}"),
            (Some(min), None) => format!("at least {min}"),
            (None, Some(max)) => format!("at most {max}"),
            (None, None) => unreachable!(),
        };
        self.out.push(Diagnostic::new(
            self.codes.invalid_value,
            node.span,
            format!("{} must be {range}, found {}", at.what, node_text(node)),
        ));
    }

    pub(super) fn invalid_format(&mut self, node: &Node, format: Format, s: &str, at: &At) {
        let mut diagnostic = Diagnostic::new(
            self.codes.invalid_value,
            node.span,
            format!(
                "{} must be {}, found `{}`",
                at.what,
                format.description(),
                shown(s)
            ),
        );
        if let Some(fixed) = format.correct(s) {
            diagnostic = match format {
                // A name is referenced elsewhere (bindings name components
                // and ports): renaming one occurrence would break the
                // others, so only suggest.
                Format::SnakeCase => {
                    diagnostic.with_help(format!("rename it, for example to `{fixed}`"))
                }
                _ => diagnostic
                    .with_help(format!("write `{fixed}`"))
                    .with_replacement(format!("Replace with `{fixed}`"), fixed),
            };
        }
        self.out.push(diagnostic);
    }

    pub(super) fn invalid_enum(&mut self, node: &Node, s: &str, vocab: &Vocab, at: &At) {
        let allowed = vocab
            .values
            .iter()
            .map(|v| format!("`{v}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut diagnostic = Diagnostic::new(
            self.codes.invalid_value,
            node.span,
            format!("{} must be one of {allowed}, found `{}`", at.what, shown(s)),
        );
        if let Some(close) = did_you_mean(s, vocab.values.iter().copied()) {
            diagnostic = diagnostic.with_suggestion(close);
        }
        self.out.push(diagnostic);
    }

    pub(super) fn unknown_component_type(&mut self, node: &Node, s: &str) {
        let mut diagnostic = Diagnostic::new(
            &rules::UNKNOWN_COMPONENT_TYPE,
            node.span,
            format!("unknown component type `{}`", shown(s)),
        );
        diagnostic = match did_you_mean(s, ComponentType::ALL.iter().map(|t| t.as_str())) {
            Some(close) => diagnostic.with_suggestion(close),
            None => diagnostic.with_help(format!(
                "use one of the component types: {}",
                component_types()
            )),
        };
        self.out.push(diagnostic);
    }
}

pub(super) fn component_types() -> String {
    ComponentType::ALL
        .iter()
        .map(|t| format!("`{}`", t.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A scalar as the user most likely wrote it (`1.0` stays `1.0`).
pub(super) fn node_text(node: &Node) -> String {
    match &node.value {
        Value::Float(f) if f.fract() == 0.0 && f.is_finite() => format!("{f:.1}"),
        Value::String(s) => shown(s),
        _ => node.scalar_text().unwrap_or_default(),
    }
}

/// A value fit for a message: secrets masked, long values cut.
pub(super) fn shown(s: &str) -> String {
    let masked = mask_secrets(s);
    match masked.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &masked[..cut]),
        None => masked,
    }
}
