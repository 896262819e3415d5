//! The offline drafter: a description in plain words → a canonical blueprint,
//! deterministically, with no network and no model.
//!
//! It reads the description the way a person skimming it would: the
//! database engine it names, the things it says the system manages ("manage
//! tasks", "track customers and orders", "for books"), and the fields it
//! lists for each ("with a title, a due date and a done flag", "(name,
//! email, age)"). Each thing becomes a schema, a `Store` and a REST
//! `APIEndpoint` bound to it. Whatever it cannot read still yields a valid
//! blueprint, and a note saying what was guessed.
//!
//! This module decides (engine, entities, owners, the system's name);
//! [`super::parse`] reads entities and fields, [`super::field_types`] types
//! fields by name, [`super::render`] writes the YAML.

use blueprint_grammars::model::Engine;

use crate::analysis::semantics::engine_mentions;

use super::parse::find_entities;
use super::render::render;
use super::words::{self, Token};

/// A drafted blueprint and what the drafter had to guess.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfflineDraft {
    /// Canonical blueprint YAML, ending with a newline.
    pub yaml: String,
    /// One line per guess the user should know about (for stderr).
    pub notes: Vec<String>,
}

/// One thing the system manages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Entity {
    /// snake_case, singular: `task`, `order_item`.
    pub singular: String,
    /// snake_case, plural: the table name.
    pub plural: String,
    pub fields: Vec<Field>,
}

/// One field of an entity's schema (besides the `id` key).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Field {
    pub name: String,
    /// Said to be a flag ("a done flag"), whatever its name.
    pub flag: bool,
}

/// Most entities a draft gets: a description listing more is better served
/// by editing the draft than by a blueprint nobody asked for.
pub(crate) const MAX_ENTITIES: usize = 8;
/// Most fields per entity, for the same reason.
pub(crate) const MAX_FIELDS: usize = 24;
/// The port of the first API; the next ones count up from it.
pub(crate) const FIRST_PORT: u16 = 8080;

/// Drafts a blueprint from `description`. Pure: the same description
/// always gives the same bytes.
pub fn draft(description: &str) -> OfflineDraft {
    let description = words::collapse_whitespace(description);
    let tokens = words::tokenize(&description);
    let mut notes = Vec::new();

    let engine = engine_mentions(&description)
        .first()
        .map_or(Engine::Sqlite, |(engine, _)| *engine);

    let (mut entities, verb) = find_entities(&tokens);
    if entities.is_empty() {
        let noun = words::salient_noun(&tokens).unwrap_or_else(|| "item".to_owned());
        notes.push(format!(
            "could not tell what the system manages; drafted one `{noun}` entity \
             (say e.g. \"manage tasks with a title and a due date\" for more)"
        ));
        entities.push(Entity {
            plural: words::pluralize(&noun),
            singular: noun,
            fields: Vec::new(),
        });
    }
    for entity in &mut entities {
        if entity.fields.is_empty() {
            notes.push(format!(
                "no fields were named for `{}`; gave it a `name`",
                entity.singular
            ));
            entity.fields.push(Field {
                name: "name".to_owned(),
                flag: false,
            });
        }
    }

    link_owners(&description, &mut entities, &mut notes);
    let name = system_name(&entities, verb.as_deref(), &tokens);
    OfflineDraft {
        yaml: render(&description, &name, engine, &entities),
        notes,
    }
}

/// Ways of saying that every `child` belongs to an `owner`, with `{o}` /
/// `{os}` the owner's singular / plural words and `{c}` / `{cs}` the
/// child's.
const OWNERSHIP: [&str; 7] = [
    "{os} and their {cs}",
    "{os} with their {cs}",
    "{o}'s {cs}",
    "{cs} of each {o}",
    "{cs} for each {o}",
    "each {c} belongs to a {o}",
    "each {c} belongs to an {o}",
];

/// Gives each entity the description says belongs to another a reference
/// to it (`customer_id` on `order`): what a user describing "customers and
/// their orders" expects in the order's schema.
fn link_owners(description: &str, entities: &mut [Entity], notes: &mut Vec<String>) {
    let text = description.to_lowercase();
    let words = |name: &str| name.replace('_', " ");
    let mut links = Vec::new();
    for owner in entities.iter() {
        for child in entities.iter().filter(|c| c.singular != owner.singular) {
            let said = OWNERSHIP.iter().any(|pattern| {
                let phrase = pattern
                    .replace("{os}", &words(&owner.plural))
                    .replace("{o}", &words(&owner.singular))
                    .replace("{cs}", &words(&child.plural))
                    .replace("{c}", &words(&child.singular));
                text.contains(&phrase)
            });
            if said {
                links.push((child.singular.clone(), owner.singular.clone()));
            }
        }
    }
    for (child, owner) in links {
        let field = format!("{owner}_id");
        let Some(entity) = entities.iter_mut().find(|e| e.singular == child) else {
            continue;
        };
        if entity.fields.iter().all(|f| f.name != field) && entity.fields.len() < MAX_FIELDS {
            notes.push(format!(
                "each `{child}` belongs to a `{owner}`: gave it `{field}`"
            ));
            entity.fields.push(Field {
                name: field,
                flag: false,
            });
        }
    }
}

/// `task_tracker`, `customer_order_manager`, `book_api`.
fn system_name(entities: &[Entity], verb: Option<&str>, tokens: &[Token]) -> String {
    let base: Vec<&str> = entities
        .iter()
        .take(2)
        .map(|e| e.singular.as_str())
        .collect();
    let suffix = match verb.map(words::verb_stem) {
        Some("track") => "tracker",
        Some("manage") => "manager",
        Some("record" | "log") => "log",
        Some("catalog") => "catalog",
        _ if tokens.iter().any(|t| t.is_word("api")) => "api",
        _ => "service",
    };
    format!("{}_{suffix}", base.join("_"))
}

#[cfg(test)]
#[path = "offline_tests.rs"]
mod tests;
