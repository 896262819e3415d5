//! Reading a description: the things it says the system manages and the
//! fields it lists for each ("manage tasks with a title and a due date",
//! "customers (name, email) and orders (total)").

use super::offline::{Entity, Field, MAX_ENTITIES, MAX_FIELDS};
use super::words::{self, Token};

/// The entities the description names, and the verb that introduced the
/// first of them (it names the system: "track" → `…_tracker`).
pub(crate) fn find_entities(tokens: &[Token]) -> (Vec<Entity>, Option<String>) {
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
