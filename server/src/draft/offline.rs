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

use blueprint_grammars::model::Engine;

use crate::analysis::semantics::engine_mentions;

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

/// The JSON Schema type a field's name suggests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FieldType {
    Uuid,
    DateTime,
    Boolean,
    Integer,
    Number,
    Email,
    Uri,
    /// A short string (names, titles): bounded, so columns get a size.
    ShortText,
    /// Free text (descriptions, notes): unbounded.
    LongText,
}

/// Most entities a draft gets: a description listing more is better served
/// by editing the draft than by a blueprint nobody asked for.
const MAX_ENTITIES: usize = 8;
/// Most fields per entity, for the same reason.
const MAX_FIELDS: usize = 24;
/// The port of the first API; the next ones count up from it.
const FIRST_PORT: u16 = 8080;

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

/// The entities the description names, and the verb that introduced the
/// first of them (it names the system: "track" → `…_tracker`).
fn find_entities(tokens: &[Token]) -> (Vec<Entity>, Option<String>) {
    // Strongest evidence first: "manage tasks" and "products with a name"
    // (a plural followed by its fields), in reading order; then "for
    // tasks"; then a bare list of plurals ("customers and orders").
    let mut found = Vec::new();
    let mut verb = None;
    let mut i = 0;
    while i < tokens.len() {
        if let Some(word) = tokens[i].word().filter(|w| words::is_verb_trigger(w)) {
            let (entities, next) = parse_entity_list(tokens, i + 1);
            if !entities.is_empty() && verb.is_none() {
                verb = Some(word.to_owned());
            }
            found.extend(entities);
            i = next.max(i + 1);
        } else if plural_with_fields(tokens, i) {
            let (entities, next) = parse_entity_list(tokens, i);
            found.extend(entities);
            i = next.max(i + 1);
        } else {
            i += 1;
        }
    }
    if found.is_empty() {
        for i in 0..tokens.len() {
            if tokens[i].is_word("for") {
                let (entities, _) = parse_entity_list(tokens, i + 1);
                if !entities.is_empty() {
                    found = entities;
                    break;
                }
            }
        }
    }
    if found.is_empty() {
        for i in 0..tokens.len() {
            if starts_plural_list(tokens, i) {
                found = parse_entity_list(tokens, i).0;
                break;
            }
        }
    }
    (merge(found), verb)
}

/// Whether `tokens[i..]` reads like "products with …", "books have …" or
/// "customers (…)": a plural noun followed by its fields.
fn plural_with_fields(tokens: &[Token], i: usize) -> bool {
    let plural = tokens[i]
        .word()
        .is_some_and(|w| words::is_entity_word(w) && words::looks_plural(w));
    plural
        && match tokens.get(i + 1) {
            Some(Token::Open) => true,
            Some(Token::Word(w)) => words::introduces_fields(w),
            _ => false,
        }
}

/// Whether `tokens[i..]` reads like "customers and orders" or "customers
/// (…), orders": two plural nouns joined by a separator.
fn starts_plural_list(tokens: &[Token], i: usize) -> bool {
    let plural_at = |j: usize| {
        tokens
            .get(j)
            .and_then(Token::word)
            .is_some_and(|w| words::is_entity_word(w) && words::looks_plural(w))
    };
    if !plural_at(i) {
        return false;
    }
    let mut j = words::skip_group(tokens, i + 1);
    if !tokens.get(j).is_some_and(Token::is_separator) {
        return false;
    }
    j = words::skip_determiners(tokens, j + 1);
    plural_at(j)
}

/// Entities from `start`: noun phrases separated by commas and "and", each
/// optionally followed by its fields. Returns them and where reading
/// stopped.
fn parse_entity_list(tokens: &[Token], start: usize) -> (Vec<Entity>, usize) {
    let mut entities = Vec::new();
    let mut i = start;
    loop {
        i = words::skip_determiners(tokens, i);
        let phrase_start = i;
        while tokens
            .get(i)
            .and_then(Token::word)
            .is_some_and(words::is_entity_word)
        {
            i += 1;
        }
        if i == phrase_start {
            break;
        }
        let phrase: Vec<&str> = tokens[phrase_start..i]
            .iter()
            .filter_map(Token::word)
            .collect();
        let mut entity = entity_from_phrase(&phrase);

        let mut continues = false;
        if matches!(tokens.get(i), Some(Token::Open)) {
            let (fields, (next, _)) = parse_fields(tokens, i + 1, true);
            entity.fields = fields;
            i = next;
        } else if tokens
            .get(i)
            .and_then(Token::word)
            .is_some_and(words::introduces_fields)
        {
            let (fields, next) = parse_fields(tokens, i + 1, false);
            entity.fields = fields;
            // The field list stopped at another entity ("… and orders with
            // a total"): keep reading entities from there.
            continues = next.1;
            i = next.0;
        }
        entities.push(entity);
        if continues {
            continue;
        }
        // ", and" counts as one separator.
        let before = i;
        while tokens.get(i).is_some_and(Token::is_separator) {
            i += 1;
        }
        if i == before {
            break;
        }
    }
    (entities, i)
}

/// Fields from `start` up to the end of the list: `)` when `in_parens`,
/// otherwise the first word that ends a clause ("stored", "in", …). The
/// second part of the returned position says whether the list stopped at
/// the next entity rather than at its end.
fn parse_fields(tokens: &[Token], start: usize, in_parens: bool) -> (Vec<Field>, (usize, bool)) {
    let mut fields = Vec::new();
    let mut i = start;
    loop {
        i = words::skip_determiners(tokens, i);
        let phrase_start = i;
        while let Some(word) = tokens.get(i).and_then(Token::word) {
            if tokens[i].is_separator() || (!in_parens && words::ends_field_list(word)) {
                break;
            }
            i += 1;
        }
        let phrase: Vec<&str> = tokens[phrase_start..i]
            .iter()
            .filter_map(Token::word)
            .collect();
        // "customers with a name, and orders with a total": `orders` is
        // followed by its own fields, so it is the next entity.
        let next_has_fields = matches!(tokens.get(i), Some(Token::Open))
            || tokens
                .get(i)
                .and_then(Token::word)
                .is_some_and(words::introduces_fields);
        if !in_parens && !phrase.is_empty() && next_has_fields {
            return (fields, (phrase_start, true));
        }
        if let Some(field) = field_from_phrase(&phrase) {
            fields.push(field);
        }
        match tokens.get(i) {
            Some(Token::Close) if in_parens => return (fields, (i + 1, false)),
            Some(token) if token.is_separator() => {
                while tokens.get(i).is_some_and(Token::is_separator) {
                    i += 1;
                }
            }
            // Inside parentheses anything else is skipped up to `)`.
            Some(_) if in_parens => i += 1,
            _ => return (fields, (i, false)),
        }
    }
}

fn entity_from_phrase(phrase: &[&str]) -> Entity {
    // "customer support tickets" → the last two words; more is rarely a
    // name ("all the customer support tickets").
    let tail = &phrase[phrase.len().saturating_sub(2)..];
    let (last, head) = tail.split_last().expect("a phrase has a word");
    let singular_last = words::singularize(last);
    let plural_last = if words::looks_plural(last) {
        (*last).to_owned()
    } else {
        words::pluralize(last)
    };
    let join = |last: &str| {
        head.iter()
            .copied()
            .chain(std::iter::once(last))
            .collect::<Vec<_>>()
            .join("_")
    };
    Entity {
        singular: join(&singular_last),
        plural: join(&plural_last),
        fields: Vec::new(),
    }
}

fn field_from_phrase(phrase: &[&str]) -> Option<Field> {
    let mut words: Vec<&str> = phrase
        .iter()
        .copied()
        .filter(|w| words::is_identifier_word(w))
        .collect();
    let mut flag = false;
    // "a done flag" is a boolean called `done`; "a title field" is `title`.
    while let Some(last) = words.last() {
        match *last {
            "flag" | "boolean" | "checkbox" | "toggle" | "bool" if words.len() > 1 => flag = true,
            "field" | "column" | "attribute" | "property" | "value" if words.len() > 1 => {}
            _ => break,
        }
        words.pop();
    }
    let tail = &words[words.len().saturating_sub(3)..];
    if tail.is_empty() {
        return None;
    }
    Some(Field {
        name: tail.join("_"),
        flag,
    })
}

/// Merges entities named twice (their fields too), keeping first mentions
/// first, and caps their number.
fn merge(found: Vec<Entity>) -> Vec<Entity> {
    let mut merged: Vec<Entity> = Vec::new();
    for entity in found {
        let full = merged.len() >= MAX_ENTITIES;
        match merged.iter_mut().find(|e| e.singular == entity.singular) {
            Some(existing) => existing.fields.extend(entity.fields),
            None if !full => merged.push(entity),
            None => {}
        }
    }
    for entity in &mut merged {
        let mut seen = std::collections::HashSet::new();
        // `id` is always the key, added by the renderer.
        entity
            .fields
            .retain(|f| f.name != "id" && seen.insert(f.name.clone()));
        entity.fields.truncate(MAX_FIELDS);
    }
    merged
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

/// The type a field's name (or "flag") suggests.
pub(crate) fn field_type(field: &Field) -> FieldType {
    let name = field.name.as_str();
    // Types are read from the singular: "salaries" are salaries.
    let last = words::singularize(name.rsplit('_').next().unwrap_or(name));
    let last = last.as_str();
    if field.flag {
        return FieldType::Boolean;
    }
    if name == "id" || last == "id" || name.ends_with("_uuid") {
        return FieldType::Uuid;
    }
    if name.contains("email") {
        return FieldType::Email;
    }
    if matches!(last, "url" | "uri" | "website" | "link" | "homepage") {
        return FieldType::Uri;
    }
    if matches!(
        last,
        "date" | "time" | "timestamp" | "when" | "deadline" | "at" | "birthday" | "datetime"
    ) || matches!(name, "created" | "updated" | "deleted_on" | "due")
    {
        return FieldType::DateTime;
    }
    if name.starts_with("is_")
        || name.starts_with("has_")
        || matches!(
            name,
            "done"
                | "completed"
                | "complete"
                | "finished"
                | "active"
                | "enabled"
                | "archived"
                | "deleted"
                | "paid"
                | "verified"
                | "published"
                | "flag"
                | "visible"
                | "available"
                | "read"
                | "enrolled"
                | "approved"
                | "confirmed"
                | "shipped"
                | "delivered"
                | "cancelled"
                | "canceled"
                | "locked"
                | "blocked"
                | "subscribed"
                | "resolved"
                | "closed"
                | "public"
                | "private"
                | "featured"
                | "favorite"
                | "favourite"
                | "starred"
                | "pinned"
        )
    {
        return FieldType::Boolean;
    }
    // Numbers that are really identifiers: leading zeros, `+`, spaces.
    let numeric_looking_text = [
        "phone", "zip", "postal", "postcode", "serial", "account", "card", "tracking", "isbn",
        "vat",
    ];
    if name.split('_').any(|w| numeric_looking_text.contains(&w)) {
        return FieldType::ShortText;
    }
    if matches!(
        last,
        "count"
            | "quantity"
            | "qty"
            | "age"
            | "number"
            | "stock"
            | "year"
            | "priority"
            | "rank"
            | "position"
            | "pages"
            | "level"
            | "size"
            | "duration"
            | "minutes"
            | "seconds"
            | "days"
            | "hours"
            | "votes"
            | "likes"
            | "views"
    ) || name.starts_with("num_")
    {
        return FieldType::Integer;
    }
    if matches!(
        last,
        "amount"
            | "price"
            | "total"
            | "cost"
            | "balance"
            | "salary"
            | "weight"
            | "score"
            | "rating"
            | "latitude"
            | "longitude"
            | "lat"
            | "lng"
            | "lon"
            | "percent"
            | "percentage"
            | "rate"
            | "fee"
            | "budget"
            | "height"
            | "width"
            | "distance"
            | "temperature"
    ) {
        return FieldType::Number;
    }
    if matches!(
        last,
        "description"
            | "notes"
            | "note"
            | "body"
            | "content"
            | "text"
            | "comment"
            | "comments"
            | "bio"
            | "summary"
            | "details"
            | "message"
    ) {
        return FieldType::LongText;
    }
    FieldType::ShortText
}

fn property_yaml(field_type: FieldType) -> &'static str {
    match field_type {
        FieldType::Uuid => "{ type: string, format: uuid }",
        FieldType::DateTime => "{ type: string, format: date-time }",
        FieldType::Boolean => "{ type: boolean, default: false }",
        FieldType::Integer => "{ type: integer, minimum: 0 }",
        FieldType::Number => "{ type: number }",
        FieldType::Email => "{ type: string, format: email, maxLength: 320 }",
        FieldType::Uri => "{ type: string, format: uri, maxLength: 2000 }",
        FieldType::ShortText => "{ type: string, maxLength: 200 }",
        FieldType::LongText => "{ type: string }",
    }
}

/// The field that says what a record is (a title, a name) and is therefore
/// required: the first text field, else the first field.
fn descriptive_field(fields: &[Field]) -> Option<&Field> {
    fields
        .iter()
        .find(|f| matches!(field_type(f), FieldType::ShortText | FieldType::LongText))
        .or_else(|| fields.first())
}

fn render(description: &str, name: &str, engine: Engine, entities: &[Entity]) -> String {
    let (engine_key, url, max_connections) = match engine {
        // A local server by default, so the draft checks clean at once and
        // the editor's pre-flight has somewhere to look; DATABASE_URL wins.
        Engine::Postgres => (
            "postgres",
            format!("${{DATABASE_URL:-postgres://localhost:5432/{name}}}"),
            10,
        ),
        Engine::Mysql => (
            "mysql",
            format!("${{DATABASE_URL:-mysql://localhost:3306/{name}}}"),
            10,
        ),
        // SQLite needs nothing running: a file beside the system by default.
        Engine::Sqlite => (
            "sqlite",
            format!("${{DATABASE_URL:-sqlite://{name}.db}}"),
            5,
        ),
    };
    let things = words::sentence_list(entities.iter().map(|e| e.plural.replace('_', " ")));
    let system_description = format!(
        "{} over a REST API, stored in {}",
        words::capitalize(&things),
        engine.display_name()
    );

    let mut out = String::new();
    let mut line = |text: &str| {
        out.push_str(text);
        out.push('\n');
    };
    line("schema_version: \"1.0.0\"");
    line("metadata:");
    line(&format!(
        "  natural_language_description: {}",
        yaml_string(description)
    ));
    line("system:");
    line(&format!("  name: {name}"));
    line(&format!(
        "  description: {}",
        yaml_string(&system_description)
    ));
    line("  version: 1.0.0");
    line("  databases:");
    line("    main:");
    line(&format!("      engine: {engine_key}"));
    line(&format!("      url: {url}"));
    line(&format!(
        "      pool: {{ max_connections: {max_connections}, min_connections: 1, acquire_timeout_ms: 3000 }}"
    ));
    line("      migrations: auto");
    line("  observability:");
    line("    metrics: { listen: 127.0.0.1:9464 }");
    line("  components:");
    for (index, entity) in entities.iter().enumerate() {
        let schema = words::pascal_case(&entity.singular);
        let port = FIRST_PORT + index as u16;
        line(&format!("    - name: {}_api", entity.singular));
        line("      type: APIEndpoint");
        line(&format!("      configuration: {{ port: {port} }}"));
        line(&format!(
            "      outputs: [{{ name: commands, schema: {schema} }}]"
        ));
        line(&format!("    - name: {}_store", entity.singular));
        line("      type: Store");
        line(&format!(
            "      inputs: [{{ name: input, schema: {schema} }}]"
        ));
        line(&format!(
            "      configuration: {{ database: main, table: {}, key: id }}",
            entity.plural
        ));
    }
    line("  bindings:");
    for entity in entities {
        line(&format!("    - from: {}_api.commands", entity.singular));
        line(&format!("      to: {}_store.input", entity.singular));
    }
    line("schemas:");
    for entity in entities {
        line(&format!("  {}:", words::pascal_case(&entity.singular)));
        line("    type: object");
        line("    properties:");
        line(&format!("      id: {}", property_yaml(FieldType::Uuid)));
        for field in &entity.fields {
            line(&format!(
                "      {}: {}",
                field.name,
                property_yaml(field_type(field))
            ));
        }
        let required = match descriptive_field(&entity.fields) {
            Some(field) => format!("[id, {}]", field.name),
            None => "[id]".to_owned(),
        };
        line(&format!("    required: {required}"));
    }
    out
}

/// `text` as a YAML scalar: plain when that reads back as the same string,
/// double-quoted (JSON escaping, which YAML accepts) otherwise.
fn yaml_string(text: &str) -> String {
    let plain_safe = text.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || " ,.()-/'_".contains(c))
        && !text.ends_with(' ')
        && !matches!(
            text.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n"
        );
    if plain_safe {
        text.to_owned()
    } else {
        serde_json::to_string(text).expect("a string always serialises")
    }
}

#[cfg(test)]
#[path = "offline_tests.rs"]
mod tests;
