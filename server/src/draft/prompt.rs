//! What the model is told: the language (its JSON Schema, the same document
//! `blueprint schema` prints, and one valid example), the rules of the
//! reply, and, after a failed draft, the validator's diagnostics.

use blueprint_grammars::{Encoding, LineIndex};

use super::llm::Message;
use crate::analysis::{Diagnostic, Severity};

/// The description the example blueprint is drafted from. The example is
/// the offline drafter's own output, so it is valid by construction (a unit
/// test checks it) and always in the current canonical form.
const EXAMPLE_DESCRIPTION: &str =
    "a REST API to manage tasks with a title, a due date and a done flag, stored in PostgreSQL";

/// The system message: the language reference and the rules of the reply.
pub fn system_message() -> Message {
    let schema = blueprint_grammars::json_schema::schema();
    // Compact: the schema is for the model, not for a reader, and tokens cost.
    let schema = serde_json::to_string(&schema).expect("a JSON value always serialises");
    let example = super::offline::draft(EXAMPLE_DESCRIPTION).yaml;
    Message::system(format!(
        "You write system blueprints: YAML files that describe a data system (components, \
         the typed ports between them, bindings, record schemas and databases), from which a \
         database-backed service is generated.\n\
         \n\
         Rules:\n\
         - Reply with exactly one YAML document and nothing else: no prose before or after it.\n\
         - Use the canonical form of the example below: `schema_version: \"1.0.0\"`, \
         `metadata.natural_language_description`, `system` (snake_case `name`, `description`, \
         `version`, `databases`, `observability`, `components`, `bindings`) and top-level `schemas`.\n\
         - Component types: Source, Transformer, Accumulator, Store, Controller, Sink, \
         StreamProcessor, Model, APIEndpoint, Router.\n\
         - A binding goes `from: component.output_port` `to: component.input_port` (or a list of \
         them); both ports must exist and carry compatible schemas.\n\
         - Every Store names a database of `system.databases`, a `table`, and a `key` that is a \
         property of its input schema.\n\
         - Database URLs come from the environment: `${{DATABASE_URL}}`, or \
         `${{DATABASE_URL:-sqlite://<name>.db}}` for SQLite. Never write a password.\n\
         - Keep `natural_language_description` as the user's description.\n\
         \n\
         The JSON Schema of the language:\n{schema}\n\
         \n\
         An example blueprint for \"{EXAMPLE_DESCRIPTION}\":\n{example}"
    ))
}

/// The first request: the user's description.
pub fn draft_request(description: &str) -> Message {
    Message::user(format!(
        "Write the blueprint for this system:\n{description}\n\nReply with the YAML document only."
    ))
}

/// A follow-up after a draft that failed validation: each diagnostic with
/// its code, 1-based line:column, message and help, then the request for
/// the whole corrected document (a patch would have to be applied by us,
/// and models get patches wrong more often than whole files).
pub fn repair_request(yaml: &str, diagnostics: &[Diagnostic]) -> Message {
    let lines = LineIndex::new(yaml);
    let mut text = String::from(
        "The blueprint does not pass validation. Problems (code, line:column, message):\n",
    );
    for d in diagnostics
        .iter()
        .filter(|d| d.severity >= Severity::Warning)
    {
        let at = lines.position(yaml, d.span.start, Encoding::Chars);
        text.push_str(&format!(
            "- {} {} at {}:{}: {}",
            d.severity.as_str(),
            d.rule.code,
            at.line + 1,
            at.column + 1,
            d.message
        ));
        if let Some(help) = &d.help {
            text.push_str(&format!(" (help: {help})"));
        }
        text.push('\n');
    }
    text.push_str(
        "\nFix every error. Reply with the corrected full YAML document only, nothing else.",
    );
    Message::user(text)
}

#[cfg(test)]
mod tests {
    use blueprint_grammars::interpolate::Environment;

    use super::*;
    use crate::draft::repair;

    #[test]
    fn system_message_carries_the_schema_and_a_valid_example() {
        let message = system_message();
        assert_eq!(message.role, "system");
        assert!(message.content.contains("\"$schema\""));
        assert!(message
            .content
            .contains("Reply with exactly one YAML document"));
        let example = crate::draft::offline::draft(EXAMPLE_DESCRIPTION).yaml;
        assert!(message.content.contains(&example));
        let env = Environment::new([(
            "DATABASE_URL".to_owned(),
            "postgres://app@localhost/app".to_owned(),
        )]);
        assert!(repair::validate(example, &env).diagnostics.is_empty());
    }

    #[test]
    fn repair_request_lists_code_position_message_and_help() {
        let yaml = "schema_version: \"1.0.0\"\nsystem:\n  name: x\n  nope: 1\n";
        let checked = repair::validate(yaml.to_owned(), &Environment::default());
        assert!(!checked.passes());
        let message = repair_request(yaml, &checked.diagnostics);
        assert_eq!(message.role, "user");
        let unknown = checked
            .diagnostics
            .iter()
            .find(|d| d.message.contains("nope"))
            .expect("the unknown key is reported");
        let line = format!(
            "- {} {} at 4:3: {} (help: ",
            unknown.severity.as_str(),
            unknown.rule.code,
            unknown.message
        );
        assert!(message.content.contains(&line), "{}", message.content);
        assert!(message.content.contains("- error BP113 at 2:1: "));
        assert!(message.content.contains("corrected full YAML document"));
    }
}
