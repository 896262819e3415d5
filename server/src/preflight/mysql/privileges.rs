//! The current user's grants (global, database and table level) as read
//! from `information_schema`, and whether they give a privilege on a table;
//! database grants' names are `LIKE` patterns, matched here as the server
//! does.

use std::collections::BTreeSet;

#[derive(Default)]
pub(super) struct Grants {
    /// `lower_case_table_names` is not 0: names compare case-insensitively.
    pub(super) case_insensitive: bool,
    pub(super) global: BTreeSet<String>,
    /// (database name pattern, privilege)
    pub(super) schema: Vec<(String, String)>,
    /// (database, table, privilege)
    pub(super) table: Vec<(String, String, String)>,
}

impl Grants {
    pub(super) fn on_table(
        &self,
        schema: &str,
        table: &str,
        privilege: &str,
        same: &dyn Fn(&str, &str) -> bool,
    ) -> bool {
        self.global.contains(privilege)
            || self
                .schema
                .iter()
                .any(|(pattern, p)| p == privilege && like(pattern, schema, self.case_insensitive))
            || self
                .table
                .iter()
                .any(|(s, t, p)| p == privilege && same(s, schema) && same(t, table))
    }
}

/// SQL `LIKE` as the server applies a database-level grant's name:
/// `%` any run, `_` any one character, `\` escapes.
pub(super) fn like(pattern: &str, name: &str, case_insensitive: bool) -> bool {
    let fold = |s: &str| -> Vec<char> {
        if case_insensitive {
            s.to_lowercase().chars().collect()
        } else {
            s.chars().collect()
        }
    };
    let (p, n) = (fold(pattern), fold(name));
    // Iterative matcher with backtracking to the last `%`.
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        let step = match p.get(pi) {
            Some('%') => {
                star = Some((pi, ni));
                pi += 1;
                continue;
            }
            Some('\\') if pi + 1 < p.len() => (p[pi + 1] == n[ni]).then_some(2),
            Some('_') => Some(1),
            Some(&c) => (c == n[ni]).then_some(1),
            None => None,
        };
        match (step, star) {
            (Some(len), _) => {
                pi += len;
                ni += 1;
            }
            (None, Some((sp, sn))) => {
                pi = sp + 1;
                ni = sn + 1;
                star = Some((sp, sn + 1));
            }
            (None, None) => return false,
        }
    }
    p[pi..].iter().all(|c| *c == '%')
}
