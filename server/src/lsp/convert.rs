//! Analysis diagnostics to LSP diagnostics.

use tower_lsp_server::ls_types::{
    CodeDescription, Diagnostic as LspDiagnostic, DiagnosticRelatedInformation, DiagnosticSeverity,
    Location, NumberOrString, Uri,
};

use super::position::Positions;
use crate::analysis::{Diagnostic, Severity};

/// Where `blueprint explain` documentation lives, for the code's link.
const RULES_DOC_BASE: &str = "https://blueprint.invalid/rules/";

pub fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

/// `source` tells the tiers apart in the editor: `blueprint` for L1-L4,
/// `blueprint-preflight` for the database pre-flight.
pub fn diagnostic(uri: &Uri, d: &Diagnostic, positions: &Positions, source: &str) -> LspDiagnostic {
    let message = match &d.help {
        Some(help) => format!("{}\nhelp: {help}", d.message),
        None => d.message.clone(),
    };
    LspDiagnostic {
        range: positions.range(d.span),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.rule.code.to_owned())),
        code_description: format!("{RULES_DOC_BASE}{}", d.rule.code)
            .parse()
            .ok()
            .map(|href| CodeDescription { href }),
        source: Some(source.to_owned()),
        message,
        related_information: (!d.related.is_empty()).then(|| {
            d.related
                .iter()
                .map(|r| DiagnosticRelatedInformation {
                    location: Location {
                        uri: uri.clone(),
                        range: positions.range(r.span),
                    },
                    message: r.message.clone(),
                })
                .collect()
        }),
        tags: None,
        data: None,
    }
}
