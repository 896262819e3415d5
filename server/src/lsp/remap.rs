//! Keeping the pre-flight's diagnostics on the text they are about while
//! the user types. The pre-flight runs on open and save (it asks the
//! database); between runs, its diagnostics were computed on an older text.
//! A line diff of the two texts says where each unchanged line went: a
//! diagnostic on unchanged lines follows them (same columns, since the
//! lines are equal), one on a changed line is withheld until the next run —
//! its subject is being edited.

use std::time::Duration;

use similar::{Algorithm, DiffOp, TextDiff};
use tower_lsp_server::ls_types::{Diagnostic, Position, Range};

/// A diff that takes longer than this is abandoned as all-changed: the
/// edits are too many to follow, and the next pre-flight will place them.
const DIFF_DEADLINE: Duration = Duration::from_millis(50);

/// For each line of the old text, its line in the new text if unchanged.
fn line_map(old: &str, new: &str) -> Vec<Option<u32>> {
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .timeout(DIFF_DEADLINE)
        .diff_lines(old, new);
    let mut map = vec![None; diff.old_slices().len() + 1];
    for op in diff.ops() {
        if let DiffOp::Equal {
            old_index,
            new_index,
            len,
        } = *op
        {
            for i in 0..len {
                map[old_index + i] = u32::try_from(new_index + i).ok();
            }
        }
    }
    // The position just past the last line (an empty range at the end).
    if old.ends_with('\n') || old.is_empty() {
        let (o, n) = (diff.old_slices().len(), diff.new_slices().len());
        if map[o.saturating_sub(1)].is_some() || o == 0 {
            map[o] = u32::try_from(n).ok();
        }
    }
    map
}

/// `diagnostics`, computed on `old`, placed on `new`; those on lines that
/// changed are left out.
pub fn diagnostics(diagnostics: &[Diagnostic], old: &str, new: &str) -> Vec<Diagnostic> {
    if old == new {
        return diagnostics.to_vec();
    }
    let map = line_map(old, new);
    let moved = |p: Position| -> Option<Position> {
        let line = (*map.get(p.line as usize)?)?;
        Some(Position::new(line, p.character))
    };
    diagnostics
        .iter()
        .filter_map(|d| {
            // Every line the range covers must be unchanged.
            let (first, last) = (d.range.start.line, d.range.end.line);
            if (first..=last).any(|l| map.get(l as usize).copied().flatten().is_none()) {
                return None;
            }
            Some(Diagnostic {
                range: Range::new(moved(d.range.start)?, moved(d.range.end)?),
                ..d.clone()
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagnostic(line: u32, from: u32, to: u32) -> Diagnostic {
        Diagnostic {
            range: Range::new(Position::new(line, from), Position::new(line, to)),
            message: format!("{line}:{from}"),
            ..Diagnostic::default()
        }
    }

    fn remap(found: &[Diagnostic], old: &str, new: &str) -> Vec<(u32, u32, u32, String)> {
        diagnostics(found, old, new)
            .into_iter()
            .map(|d| {
                (
                    d.range.start.line,
                    d.range.start.character,
                    d.range.end.character,
                    d.message,
                )
            })
            .collect()
    }

    const OLD: &str = "a: 1\ntable: tasks\nkey: id\nb: 2\n";

    #[test]
    fn lines_inserted_above_move_a_diagnostic_down() {
        let new = format!("# comment\n# another\n{OLD}");
        let got = remap(&[diagnostic(1, 7, 12)], OLD, &new);
        assert_eq!(got, [(3, 7, 12, "1:7".to_owned())]);
    }

    #[test]
    fn edits_above_and_below_at_once_still_follow_it() {
        let new = format!(
            "# comment\n{}",
            OLD.replace("key: id", "key: task_id\nextra: 1")
        );
        let got = remap(&[diagnostic(1, 7, 12)], OLD, &new);
        assert_eq!(got, [(2, 7, 12, "1:7".to_owned())]);
    }

    #[test]
    fn an_edit_on_its_line_withholds_it() {
        let on_it = OLD.replace("tasks", "todos");
        assert!(remap(&[diagnostic(1, 7, 12)], OLD, &on_it).is_empty());
        // Lines removed above: it moves up.
        let removed = OLD.replace("a: 1\n", "");
        assert_eq!(
            remap(&[diagnostic(1, 7, 12)], OLD, &removed),
            [(0, 7, 12, "1:7".to_owned())]
        );
    }

    #[test]
    fn unchanged_text_and_odd_ranges() {
        let d = [diagnostic(1, 7, 12)];
        assert_eq!(remap(&d, OLD, OLD).len(), 1);
        // A range past the end of the text, or on a line that is gone:
        // withheld, never a panic.
        assert!(remap(&[diagnostic(40, 0, 1)], OLD, "x\n").is_empty());
        assert!(remap(&d, OLD, "").is_empty());
        assert!(remap(&d, "", OLD).is_empty());
        // The empty range at the very end follows the end.
        let end = Diagnostic {
            range: Range::new(Position::new(4, 0), Position::new(4, 0)),
            ..Diagnostic::default()
        };
        let grown = format!("# top\n{OLD}");
        let got = diagnostics(&[end], OLD, &grown);
        assert_eq!(got[0].range.start, Position::new(5, 0));
    }
}
