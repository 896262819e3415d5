//! `blueprint explain RULE` and `blueprint rules`: the rule catalogue.

use super::{plural, print_error, print_stdout, Status};
use crate::analysis::{rules, Rule};

/// Prints one rule's header and documentation.
pub(crate) fn explain(query: &str) -> Status {
    let Some(rule) = lookup(query) else {
        let help = match suggest(query) {
            Some(rule) => format!(
                "did you mean {} ({})? `blueprint rules` lists every rule",
                rule.code, rule.name
            ),
            None => "`blueprint rules` lists every rule".to_string(),
        };
        print_error(&format!("no rule {query}"), Some(&help));
        return Status::Failed;
    };
    let mut out = format!("{}\n\n", header(rule));
    out.push_str(body(rule.doc));
    if !out.ends_with('\n') {
        out.push('\n');
    }
    print_stdout(&out);
    Status::Ok
}

/// `BP110 unknown-key (L1 structure, warning by default)`.
fn header(rule: &Rule) -> String {
    format!(
        "{} {} ({}, {} by default)",
        rule.code,
        rule.name,
        rule.tier.label(),
        rule.severity.as_str()
    )
}

/// The documentation without its own `# CODE name` heading, which would
/// repeat the header just printed.
fn body(doc: &str) -> &str {
    let doc = doc.trim_start();
    let rest = match doc.strip_prefix("# ") {
        Some(_) => doc.split_once('\n').map_or("", |(_, rest)| rest),
        None => doc,
    };
    rest.trim_start_matches(['\n', '\r'])
}

/// Finds a rule the way people type them: `BP110`, `bp110`, `110`,
/// `unknown-key`, `unknown_key`, `Unknown-Key`.
fn lookup(query: &str) -> Option<&'static Rule> {
    let query = normalize(query);
    if query.chars().all(|c| c.is_ascii_digit()) && !query.is_empty() {
        return rules::find(&format!("BP{query}"));
    }
    rules::find(&query)
}

fn normalize(query: &str) -> String {
    query.trim().to_ascii_lowercase().replace('_', "-")
}

/// The closest code or name, if one is close enough to be a typo.
fn suggest(query: &str) -> Option<&'static Rule> {
    let query = normalize(query);
    // One edit per three characters: `unknwon-key` finds `unknown-key`,
    // `BP999` does not "find" BP109.
    let limit = (query.chars().count() / 3).max(1);
    rules::ALL
        .iter()
        .flat_map(|rule| {
            [rule.code.to_ascii_lowercase(), rule.name.to_string()]
                .map(|candidate| (strsim::damerau_levenshtein(&query, &candidate), *rule))
        })
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, rule)| rule)
}

/// Prints every rule as an aligned table.
pub(crate) fn list() -> Status {
    let rows: Vec<[&str; 5]> = rules::ALL
        .iter()
        .map(|r| {
            [
                r.code,
                r.name,
                r.tier.label(),
                r.severity.as_str(),
                r.summary,
            ]
        })
        .collect();
    let headings = ["CODE", "NAME", "TIER", "SEVERITY", "SUMMARY"];
    let mut widths = headings.map(str::len);
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: &[&str; 5]| {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                text.push_str(cell);
            } else {
                text.push_str(&format!("{cell:<width$}  ", width = widths[i]));
            }
        }
        text.push('\n');
        text
    };
    let mut out = line(&headings);
    for row in &rows {
        out.push_str(&line(row));
    }
    out.push_str(&format!(
        "\n{}. `blueprint explain CODE` shows one in full.\n",
        plural(rows.len(), "rule", "rules")
    ));
    print_stdout(&out);
    Status::Ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_accepts_common_spellings() {
        for query in [
            "BP110",
            "bp110",
            "110",
            "unknown-key",
            "unknown_key",
            "Unknown-Key",
            " BP110 ",
        ] {
            assert_eq!(lookup(query).map(|r| r.code), Some("BP110"), "{query}");
        }
        assert!(lookup("BP999").is_none());
    }

    #[test]
    fn suggestions_are_only_for_typos() {
        assert_eq!(suggest("unknwon-key").map(|r| r.code), Some("BP110"));
        assert_eq!(suggest("syntax-eror").map(|r| r.code), Some("BP100"));
        assert_eq!(suggest("BP999"), None);
        assert_eq!(suggest("completely-different"), None);
    }

    #[test]
    fn body_drops_the_heading() {
        assert_eq!(body("# BP110 unknown-key\n\nText.\n"), "Text.\n");
        assert_eq!(body("No heading.\n"), "No heading.\n");
    }
}
