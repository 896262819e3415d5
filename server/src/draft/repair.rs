//! Validation of drafts, and the repair loop: a draft with errors goes back
//! to the model with its diagnostics, a bounded number of times.
//!
//! Drafts are checked by the same analysis `blueprint check` runs (tiers
//! L1-L4 without the database), so a draft that passes here passes there.

use blueprint_grammars::interpolate::Environment;
use blueprint_grammars::SourceText;

use super::llm::{extract_yaml, ChatModel, LlmError, Message};
use super::prompt;
use crate::analysis::{self, Diagnostic, Severity};

/// A draft and what the validator said about it.
pub struct Checked {
    pub yaml: String,
    pub diagnostics: Vec<Diagnostic>,
    /// Components in the drafted system (for "wrote FILE (N components)").
    pub components: usize,
}

impl Checked {
    pub fn errors(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    pub fn passes(&self) -> bool {
        self.errors() == 0
    }
}

/// Validates one draft.
pub fn validate(yaml: String, env: &Environment) -> Checked {
    let source = SourceText::new(yaml.clone());
    let analysis = analysis::check_with_model(&source, env);
    let components = analysis
        .blueprint
        .system
        .as_ref()
        .map_or(0, |system| system.components.len());
    Checked {
        yaml,
        diagnostics: analysis.diagnostics,
        components,
    }
}

/// What the loop did.
pub struct Outcome {
    /// The last draft (the passing one, or the last that failed).
    pub last: Checked,
    /// Requests made: the first draft plus the repairs.
    pub requests: usize,
}

/// Asks `model` for a draft of `description`, then for up to
/// `max_repairs` corrections while the draft has errors. `progress` hears
/// about each failed draft (its number and error count) before the repair
/// is asked for.
pub fn draft_with_repairs(
    model: &mut dyn ChatModel,
    description: &str,
    max_repairs: u32,
    env: &Environment,
    mut progress: impl FnMut(usize, &Checked),
) -> Result<Outcome, LlmError> {
    let mut messages = vec![prompt::system_message(), prompt::draft_request(description)];
    let mut requests = 0;
    loop {
        let reply = model.complete(&messages)?;
        requests += 1;
        let checked = validate(extract_yaml(&reply), env);
        if checked.passes() || requests > max_repairs as usize {
            return Ok(Outcome {
                last: checked,
                requests,
            });
        }
        progress(requests, &checked);
        // The conversation keeps every draft: the model sees what it wrote
        // and what was wrong with it, as a person fixing it would.
        messages.push(Message::assistant(reply));
        messages.push(prompt::repair_request(&checked.yaml, &checked.diagnostics));
    }
}
