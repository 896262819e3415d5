//! "Did you mean" suggestions.

/// The candidate closest to `word`, if it is close enough to be a likely
/// typo: Jaro-Winkler similarity of at least 0.85, or a case-insensitive
/// match. Exact matches are not suggestions.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    let candidates: Vec<&'a str> = candidates.into_iter().collect();
    // A word that is itself a candidate is no typo.
    if candidates.contains(&word) {
        return None;
    }
    candidates
        .into_iter()
        .map(|c| {
            let score = if c.to_ascii_lowercase() == lower {
                1.0
            } else {
                strsim::jaro_winkler(&lower, &c.to_ascii_lowercase())
            };
            (c, score)
        })
        .filter(|(_, score)| *score >= 0.85)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(c, _)| c)
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn suggests_close_names_only() {
        let names = ["task_store", "task_api", "audit_log"];
        assert_eq!(did_you_mean("task_stor", names), Some("task_store"));
        assert_eq!(did_you_mean("TASK_API", names), Some("task_api"));
        assert_eq!(did_you_mean("billing", names), None);
        assert_eq!(did_you_mean("task_api", names), None);
    }
}
