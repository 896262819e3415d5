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

#[cfg(test)]
mod tests {
    use super::*;

    /// Answers from a script; records what it was asked.
    struct Scripted {
        replies: Vec<String>,
        asked: Vec<Vec<Message>>,
    }

    impl ChatModel for Scripted {
        fn complete(&mut self, messages: &[Message]) -> Result<String, LlmError> {
            self.asked.push(messages.to_vec());
            let n = (self.asked.len() - 1).min(self.replies.len() - 1);
            Ok(self.replies[n].clone())
        }
    }

    fn env() -> Environment {
        Environment::default()
    }

    fn good() -> String {
        crate::draft::offline::draft("manage tasks with a title").yaml
    }

    #[test]
    fn a_passing_first_draft_needs_one_request() {
        let mut model = Scripted {
            replies: vec![format!("```yaml\n{}```", good())],
            asked: Vec::new(),
        };
        let outcome =
            draft_with_repairs(&mut model, "tasks", 3, &env(), |_, _| panic!("no repair"))
                .expect("drafted");
        assert!(outcome.last.passes());
        assert_eq!((outcome.requests, outcome.last.components), (1, 2));
        assert_eq!(outcome.last.yaml, good());
    }

    #[test]
    fn repairs_are_bounded() {
        for max in [0, 1, 3] {
            let mut model = Scripted {
                replies: vec!["this is not a blueprint".to_owned()],
                asked: Vec::new(),
            };
            let mut reported = Vec::new();
            let outcome =
                draft_with_repairs(&mut model, "tasks", max, &env(), |n, _| reported.push(n))
                    .expect("answered");
            assert!(!outcome.last.passes());
            assert_eq!(outcome.requests, max as usize + 1);
            assert_eq!(reported, (1..=max as usize).collect::<Vec<_>>());
            // Each round adds the draft and the repair request.
            let last = model.asked.last().expect("asked");
            assert_eq!(last.len(), 2 + 2 * max as usize);
        }
    }

    #[test]
    fn endpoint_errors_stop_the_loop() {
        struct Failing;
        impl ChatModel for Failing {
            fn complete(&mut self, _: &[Message]) -> Result<String, LlmError> {
                Err(LlmError {
                    message: "down".to_owned(),
                    help: None,
                })
            }
        }
        let result = draft_with_repairs(&mut Failing, "tasks", 3, &env(), |_, _| {});
        assert_eq!(result.err().map(|e| e.message), Some("down".to_owned()));
    }
}
