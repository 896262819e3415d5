//! Plain diagnostics: what analysis returns. Byte spans, no LSP types; the
//! CLI renders them for terminals, JSON and SARIF, the language server
//! converts them to LSP positions in the encoding it negotiated.

use blueprint_grammars::Span;
use serde::Serialize;

use super::rules::Rule;

/// How bad a finding is. Ordered: `Error` is the greatest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Hint,
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Hint => "hint",
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One finding about a blueprint.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub rule: &'static Rule,
    pub severity: Severity,
    /// Where the problem is, as precisely as known.
    pub span: Span,
    /// One line saying what is wrong.
    pub message: String,
    /// One line saying what to do, when there is something specific to do.
    pub help: Option<String>,
    /// Other places that explain this one (the first definition of a
    /// duplicate, the port at the other end of a binding).
    pub related: Vec<Related>,
    /// Machine-applicable fixes, best first.
    pub fixes: Vec<Fix>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub span: Span,
    pub message: String,
}

/// A named set of text edits that fixes a diagnostic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<Edit>,
}

/// Replace the bytes of `span` with `replacement`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

impl Diagnostic {
    /// A diagnostic with the rule's default severity.
    pub fn new(rule: &'static Rule, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            rule,
            severity: rule.severity,
            span,
            message: message.into(),
            help: None,
            related: Vec::new(),
            fixes: Vec::new(),
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_related(mut self, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Related {
            span,
            message: message.into(),
        });
        self
    }

    pub fn with_fix(mut self, title: impl Into<String>, edits: Vec<Edit>) -> Self {
        self.fixes.push(Fix {
            title: title.into(),
            edits,
        });
        self
    }

    /// A fix that replaces the diagnostic's own span.
    pub fn with_replacement(
        self,
        title: impl Into<String>,
        replacement: impl Into<String>,
    ) -> Self {
        let span = self.span;
        self.with_fix(
            title,
            vec![Edit {
                span,
                replacement: replacement.into(),
            }],
        )
    }

    /// "Did you mean `close`?", with the fix that replaces the diagnostic's
    /// span by `close`.
    pub fn with_suggestion(self, close: &str) -> Self {
        self.with_help(format!("did you mean `{close}`?"))
            .with_replacement(format!("Replace with `{close}`"), close)
    }

    /// The same diagnostic with every span moved by `delta` bytes.
    pub fn shifted(mut self, delta: isize) -> Self {
        self.span = self.span.shifted(delta);
        for r in &mut self.related {
            r.span = r.span.shifted(delta);
        }
        for f in &mut self.fixes {
            for e in &mut f.edits {
                e.span = e.span.shifted(delta);
            }
        }
        self
    }

    pub fn code(&self) -> &'static str {
        self.rule.code
    }
}
