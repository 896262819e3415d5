//! Words for the offline drafter: a tokenizer, the small vocabularies that
//! steer it, and English number and case helpers. Kept apart so the
//! drafter reads as a grammar, not as a word list.

/// One token of a description, lower-cased.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Token {
    Word(String),
    /// `,` or `/` (as in "name/email").
    Comma,
    Open,
    Close,
    /// The end of a sentence or clause: `.`, `;`, `:`, `!`, `?`.
    End,
}

impl Token {
    pub fn word(&self) -> Option<&str> {
        match self {
            Token::Word(word) => Some(word),
            _ => None,
        }
    }

    pub fn is_word(&self, word: &str) -> bool {
        self.word() == Some(word)
    }

    /// Separates items of a list: `,`, "and", "or", "plus", `&`.
    pub fn is_separator(&self) -> bool {
        match self {
            Token::Comma => true,
            Token::Word(word) => matches!(word.as_str(), "and" | "or" | "plus"),
            _ => false,
        }
    }
}

/// One space between words, no leading or trailing space: a description
/// typed over several shell lines reads as one.
pub(crate) fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub(crate) fn tokenize(text: &str) -> Vec<Token> {
    let lower = text
        .to_lowercase()
        .replace("e-mail", "email")
        .replace("to-do", "todo");
    let mut tokens = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, tokens: &mut Vec<Token>| {
        // "user's" splits into "user" and "s": the "s" (and "t" of "don't")
        // carries nothing.
        if !word.is_empty() && word != "s" && word != "t" {
            tokens.push(Token::Word(std::mem::take(word)));
        }
        word.clear();
    };
    let chars: Vec<char> = lower.chars().collect();
    for (at, &c) in chars.iter().enumerate() {
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
            continue;
        }
        // A possessive introduces what something has: "the employee's
        // name and salary" reads as "employees with a name and a salary".
        if matches!(c, '\'' | '\u{2019}') && !word.is_empty() {
            let next = |n: usize| chars.get(at + n).copied().unwrap_or(' ');
            let possessive = (next(1) == 's' && !next(2).is_alphanumeric())
                || (word.ends_with('s') && !next(1).is_alphanumeric());
            flush(&mut word, &mut tokens);
            if possessive {
                tokens.push(Token::Word("with".to_owned()));
            }
            continue;
        }
        flush(&mut word, &mut tokens);
        match c {
            ',' | '/' => tokens.push(Token::Comma),
            '(' | '[' | '{' => tokens.push(Token::Open),
            ')' | ']' | '}' => tokens.push(Token::Close),
            '.' | ';' | ':' | '!' | '?' => tokens.push(Token::End),
            '&' | '+' => tokens.push(Token::Word("and".to_owned())),
            // Spaces, hyphens ("due-date" is two words), quotes, anything
            // else: a word boundary.
            _ => {}
        }
    }
    flush(&mut word, &mut tokens);
    tokens
}

/// A word that can be part of a YAML key and a snake_case name: ASCII
/// letters and digits, starting with a letter, and not a word YAML 1.1
/// reads as a boolean or null.
pub(crate) fn is_identifier_word(word: &str) -> bool {
    word.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && word
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !matches!(
            word,
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n"
        )
}

/// Verbs after which a description names what the system keeps.
const VERB_TRIGGERS: &[(&str, &str)] = &[
    ("manage", "manage"),
    ("manages", "manage"),
    ("managing", "manage"),
    ("track", "track"),
    ("tracks", "track"),
    ("tracking", "track"),
    ("store", "store"),
    ("stores", "store"),
    ("storing", "store"),
    ("record", "record"),
    ("records", "record"),
    ("recording", "record"),
    ("log", "log"),
    ("logs", "log"),
    ("logging", "log"),
    ("catalog", "catalog"),
    ("catalogs", "catalog"),
    ("catalogue", "catalog"),
    ("catalogues", "catalog"),
    ("cataloging", "catalog"),
    ("organize", "organize"),
    ("organizes", "organize"),
    ("organizing", "organize"),
    ("organise", "organize"),
    ("organises", "organize"),
    ("organising", "organize"),
    ("handle", "handle"),
    ("handles", "handle"),
    ("handling", "handle"),
    ("keep", "keep"),
    ("keeps", "keep"),
    ("keeping", "keep"),
    ("list", "list"),
    ("lists", "list"),
    ("listing", "list"),
    ("hold", "hold"),
    ("holds", "hold"),
    ("register", "register"),
    ("registers", "register"),
    ("maintain", "maintain"),
    ("maintains", "maintain"),
    ("monitor", "monitor"),
    ("monitors", "monitor"),
    ("collect", "collect"),
    ("collects", "collect"),
    ("save", "save"),
    ("saves", "save"),
    ("sell", "sell"),
    ("sells", "sell"),
    ("schedule", "schedule"),
    ("schedules", "schedule"),
    ("crud", "manage"),
];

pub(crate) fn is_verb_trigger(word: &str) -> bool {
    VERB_TRIGGERS.iter().any(|(w, _)| *w == word)
}

/// "tracking" → "track".
pub(crate) fn verb_stem(word: &str) -> &str {
    VERB_TRIGGERS
        .iter()
        .find(|(w, _)| *w == word)
        .map_or(word, |(_, stem)| stem)
}

/// Words skipped before a noun phrase ("manage *all the* tasks", "keep
/// track *of* orders").
const DETERMINERS: &[&str] = &[
    "a",
    "an",
    "the",
    "some",
    "any",
    "all",
    "their",
    "its",
    "his",
    "her",
    "our",
    "my",
    "your",
    "each",
    "every",
    "of",
    "many",
    "multiple",
    "several",
    "optional",
    "required",
    "new",
    "simple",
    "basic",
    "also",
    "both",
    "various",
    "just",
    "only",
    "own",
    "mandatory",
    "unique",
];

pub(crate) fn skip_determiners(tokens: &[Token], mut i: usize) -> usize {
    while tokens
        .get(i)
        .and_then(Token::word)
        .is_some_and(|w| DETERMINERS.contains(&w))
    {
        i += 1;
    }
    i
}

/// Past a parenthesised group at `i`, if there is one.
pub(crate) fn skip_group(tokens: &[Token], i: usize) -> usize {
    if tokens.get(i) != Some(&Token::Open) {
        return i;
    }
    tokens[i..]
        .iter()
        .position(|t| *t == Token::Close)
        .map_or(tokens.len(), |close| i + close + 1)
}

/// Words after a noun that introduce its fields.
const FIELD_INTRODUCERS: &[&str] = &[
    "with",
    "having",
    "containing",
    "including",
    "holding",
    "has",
    "have",
];

pub(crate) fn introduces_fields(word: &str) -> bool {
    FIELD_INTRODUCERS.contains(&word)
}

/// Words that end a clause: what follows is not a field ("… and a done
/// flag, *stored* in PostgreSQL").
const CLAUSE_ENDS: &[&str] = &[
    "stored",
    "saved",
    "persisted",
    "kept",
    "living",
    "in",
    "on",
    "into",
    "inside",
    "using",
    "use",
    "uses",
    "backed",
    "via",
    "to",
    "that",
    "which",
    "who",
    "whose",
    "where",
    "for",
    "from",
    "by",
    "over",
    "through",
    "behind",
    "as",
    "so",
    "exposed",
    "served",
    "is",
    "are",
    "be",
    "can",
    "should",
    "will",
    "must",
    "let",
    "lets",
    "allow",
    "allows",
    "notify",
    "send",
    "sends",
    "support",
    "supports",
    "expose",
    "exposes",
    "serve",
    "serves",
    "provide",
    "provides",
    "and",
    "or",
    "plus",
    "then",
    "but",
];

/// Words that never name what a system manages.
const GENERIC: &[&str] = &[
    "api",
    "apis",
    "rest",
    "restful",
    "http",
    "https",
    "json",
    "crud",
    "service",
    "services",
    "system",
    "systems",
    "app",
    "apps",
    "application",
    "applications",
    "backend",
    "server",
    "web",
    "tool",
    "platform",
    "small",
    "database",
    "databases",
    "db",
    "data",
    "microservice",
    "program",
    "software",
    "thing",
    "things",
    "stuff",
    "endpoint",
    "endpoints",
    "info",
    "information",
    "details",
    "postgres",
    "postgresql",
    "mysql",
    "mariadb",
    "sqlite",
    "i",
    "we",
    "you",
    "it",
    "me",
    "us",
    "want",
    "need",
    "like",
    "make",
    "build",
    "please",
    "nice",
    "good",
    "great",
    "quick",
    "fast",
    "easy",
    "something",
    "really",
    "very",
    "would",
    "could",
    "track",
    "interface",
    "table",
    "tables",
    "storage",
];

pub(crate) fn ends_field_list(word: &str) -> bool {
    CLAUSE_ENDS.contains(&word)
        || introduces_fields(word)
        || matches!(
            word,
            "postgres" | "postgresql" | "mysql" | "mariadb" | "sqlite" | "database" | "db"
        )
}

/// A word that can be (part of) the name of a thing the system manages.
pub(crate) fn is_entity_word(word: &str) -> bool {
    is_identifier_word(word)
        && !CLAUSE_ENDS.contains(&word)
        && !DETERMINERS.contains(&word)
        && !GENERIC.contains(&word)
        && !introduces_fields(word)
        && !is_verb_trigger(word)
}

/// The noun a description that names nothing explicitly is most likely
/// about: its first plural noun, else its first noun-like word; singular.
pub(crate) fn salient_noun(tokens: &[Token]) -> Option<String> {
    let candidates: Vec<&str> = tokens
        .iter()
        .filter_map(Token::word)
        .filter(|w| is_entity_word(w) && w.len() >= 3)
        .collect();
    candidates
        .iter()
        .find(|w| looks_plural(w))
        .or_else(|| candidates.first())
        .map(|w| singularize(w))
}

const IRREGULAR: &[(&str, &str)] = &[
    ("person", "people"),
    ("child", "children"),
    ("man", "men"),
    ("woman", "women"),
    ("mouse", "mice"),
];

pub(crate) fn looks_plural(word: &str) -> bool {
    IRREGULAR.iter().any(|(_, plural)| *plural == word)
        || (word.len() > 3
            && word.ends_with('s')
            && !["ss", "us", "is", "os"]
                .iter()
                .any(|end| word.ends_with(end)))
}

/// "categories" → "category", "boxes" → "box", "tasks" → "task"; a word
/// that is not plural is returned as it is.
pub(crate) fn singularize(word: &str) -> String {
    if let Some((singular, _)) = IRREGULAR.iter().find(|(_, plural)| *plural == word) {
        return (*singular).to_owned();
    }
    if !looks_plural(word) {
        return word.to_owned();
    }
    if let Some(stem) = word.strip_suffix("ies").filter(|s| s.len() > 1) {
        return format!("{stem}y");
    }
    for end in ["sses", "ches", "shes", "xes", "zes"] {
        if word.ends_with(end) {
            return word[..word.len() - 2].to_owned();
        }
    }
    word[..word.len() - 1].to_owned()
}

/// "category" → "categories", "box" → "boxes", "task" → "tasks".
pub(crate) fn pluralize(word: &str) -> String {
    if let Some((_, plural)) = IRREGULAR.iter().find(|(singular, _)| *singular == word) {
        return (*plural).to_owned();
    }
    let bytes = word.as_bytes();
    if word.ends_with('y') && bytes.len() > 1 && !b"aeiou".contains(&bytes[bytes.len() - 2]) {
        return format!("{}ies", &word[..word.len() - 1]);
    }
    if ["s", "x", "z", "ch", "sh"]
        .iter()
        .any(|end| word.ends_with(end))
    {
        return format!("{word}es");
    }
    format!("{word}s")
}

/// "order_item" → "OrderItem".
pub(crate) fn pascal_case(snake: &str) -> String {
    snake.split('_').map(capitalize).collect()
}

pub(crate) fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "a", "a and b", "a, b and c".
pub(crate) fn sentence_list(items: impl IntoIterator<Item = String>) -> String {
    let items: Vec<String> = items.into_iter().collect();
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}
