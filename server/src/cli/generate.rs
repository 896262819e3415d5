//! `blueprint generate FILE [-o DIR] [--check] [--force]`: validate, then
//! write the system's files through the generator's plan (see
//! `generator/docs/generated-system.md`).
//!
//! Exit codes: 0 written (or up to date), 1 the blueprint has errors, the
//! generator refused it, `--check` found something to change, or a file
//! edited by hand was left alone; 2 the command could not run (unreadable
//! file, unwritable directory, malformed manifest).

use std::path::{Path, PathBuf};

use blueprint_generator::system::{self, GenerateError};
use blueprint_generator::{Action, Manifest};
use blueprint_grammars::interpolate::mask_secrets_of;
use blueprint_grammars::SourceText;

use super::check::{self, CheckedFile, Report};
use super::{discover, print_error, print_stdout, print_warning, render_human};
use super::{ColorChoice, Status};
use crate::analysis::{self, Severity, Tier};

/// The arguments of `blueprint generate`.
#[derive(Debug, clap::Args)]
pub(crate) struct GenerateArgs {
    /// The blueprint to generate from
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Output directory [default: <directory of FILE>/<system name>]
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    output: Option<PathBuf>,
    /// Write nothing; exit 1 if generating would change anything
    #[arg(long, conflicts_with = "force")]
    check: bool,
    /// Overwrite generated files that were edited by hand
    #[arg(long)]
    force: bool,
    /// When to colour diagnostics (auto: when stdout is a terminal and NO_COLOR is unset)
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

pub(crate) const GENERATE_EXAMPLES: &str = "\
Examples:
  blueprint generate app.blueprint.yaml             Into <dir of the file>/<system name>
  blueprint generate app.blueprint.yaml -o out/     Into out/
  blueprint generate app.blueprint.yaml --check     Exit 1 if the generated code is out of date

Generated files are rewritten whole; files under src/components/ are yours
(written once, never overwritten). A generated file edited by hand is not
overwritten: its diff is shown and the exit code is 1; --force overwrites it.

Exit codes: 0 done (or up to date), 1 errors in the blueprint, out of date
(--check) or files edited by hand, 2 could not run (unreadable file,
unwritable directory).";

pub(crate) fn run(args: &GenerateArgs) -> Status {
    let shown = discover::display_path(&args.file);
    let bytes = match std::fs::read(&args.file) {
        Ok(bytes) => bytes,
        Err(e) => {
            print_error(
                &format!("cannot read {shown}: {}", discover::io_reason(&e)),
                None,
            );
            return Status::Failed;
        }
    };
    let source = SourceText::from_bytes(&bytes);
    let text = source.as_str().to_owned();
    // Whatever is printed below could quote the blueprint (a diff of a file
    // edited by hand, a generator message): its passwords are masked, in
    // URLs and wherever else they occur.
    let mask = |s: &str| mask_secrets_of(s, &text);

    // Validate: tiers L1-L3 as `check` runs them (same environment, same
    // `.env`), no pre-flight. Any error stops here, before anything is
    // written.
    let (env, warning) = crate::environment::for_blueprint(&args.file);
    if let Some(warning) = warning {
        print_warning(&warning);
    }
    let analysis = analysis::check_with_model(&source, &env);
    let diagnostics: Vec<_> = analysis
        .diagnostics
        .into_iter()
        .filter(|d| d.rule.tier <= Tier::Integration)
        .collect();
    if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        let report = Report {
            files: vec![CheckedFile::new(args.file.clone(), source, diagnostics)],
            failures: Vec::new(),
        };
        print_stdout(&render_human::render_diagnostics(
            &report,
            check::use_color(args.color),
        ));
        print_stdout(&render_human::render_summary(&report));
        print_error(
            &format!("{shown} has errors; nothing was generated"),
            Some("fix the errors above, then run `blueprint generate` again"),
        );
        return Status::Findings;
    }

    let produced = match system::generate(&text) {
        Ok(produced) => produced,
        Err(e) => {
            let help = match e {
                GenerateError::NoSystem => Some("add `system:` with a `name`"),
                GenerateError::Unsupported(_) => None,
            };
            print_error(&mask(&format!("cannot generate {shown}: {e}")), help);
            return Status::Findings;
        }
    };

    let Some(out_dir) = args
        .output
        .clone()
        .or_else(|| system::default_output_dir(&args.file, &analysis.blueprint))
    else {
        print_error(
            &format!("cannot generate {shown}: the system has no name"),
            Some("give the system a `name`, or say where to write with -o DIR"),
        );
        return Status::Findings;
    };
    let out_shown = discover::display_path(&out_dir);
    if out_dir.exists() && !out_dir.is_dir() {
        print_error(
            &format!("cannot write into {out_shown}: it is not a directory"),
            Some("choose another output directory with -o DIR"),
        );
        return Status::Failed;
    }

    let manifest = match Manifest::load(&out_dir) {
        Ok(manifest) => manifest,
        Err(e) => {
            print_error(
                &mask(&e.to_string()),
                Some("restore or delete the manifest; deleting it makes every existing generated file a conflict"),
            );
            return Status::Failed;
        }
    };
    let plan = match blueprint_generator::plan(&out_dir, &manifest, produced) {
        Ok(plan) => plan,
        Err(e) => return io_failure(&out_shown, &mask(&e.to_string())),
    };

    if args.check {
        return report_check(&plan.actions, &out_shown, &mask);
    }

    let applied = match blueprint_generator::apply(&plan, args.force) {
        Ok(applied) => applied,
        Err(e) => return io_failure(&out_shown, &mask(&e.to_string())),
    };
    let mut out = format!("generating {} into {out_shown}\n", shown);
    let mut conflicts = String::new();
    for action in &plan.actions {
        out.push_str(&action_line(action, args.force));
        out.push('\n');
        if let Action::Conflict { path, diff } = action {
            if !args.force {
                conflicts.push_str(&format!(
                    "\n{}\n{path}: edited by hand; not overwritten — rerun with --force to overwrite\n",
                    diff.trim_end()
                ));
            }
        }
    }
    out.push_str(&conflicts);
    let next_dir = shell_word(&out_dir);
    out.push_str(&format!("\nnext: cd {next_dir} && cargo run\n"));
    print_stdout(&mask(&out));
    if applied.unresolved_conflicts.is_empty() {
        Status::Ok
    } else {
        print_error(
            &format!(
                "{} edited by hand, not overwritten",
                super::plural(
                    applied.unresolved_conflicts.len(),
                    "generated file",
                    "generated files"
                )
            ),
            Some("move your changes into src/components/, or rerun with --force to overwrite"),
        );
        Status::Findings
    }
}

fn io_failure(out_shown: &str, message: &str) -> Status {
    print_error(
        &format!("cannot generate into {out_shown}: {message}"),
        Some("check that the directory is writable, or choose another with -o DIR"),
    );
    Status::Failed
}

/// `--check`: what would change, and exit 1 if anything would.
fn report_check(actions: &[Action], out_shown: &str, mask: &dyn Fn(&str) -> String) -> Status {
    let mut out = String::new();
    for action in actions {
        if matches!(
            action,
            Action::Unchanged { .. } | Action::SkipUserOwned { .. }
        ) {
            continue;
        }
        out.push_str(&action_line(action, false));
        out.push('\n');
        if let Action::Conflict { diff, .. } = action {
            out.push_str(diff.trim_end());
            out.push('\n');
        }
    }
    let up_to_date = actions.iter().all(|a| {
        matches!(
            a,
            Action::Unchanged { .. } | Action::SkipUserOwned { .. } | Action::KeepEdited { .. }
        )
    });
    if up_to_date {
        out.push_str(&format!("{out_shown}: up to date\n"));
        print_stdout(&mask(&out));
        Status::Ok
    } else {
        out.push_str(&format!(
            "{out_shown}: out of date; run `blueprint generate` to update it\n"
        ));
        print_stdout(&mask(&out));
        Status::Findings
    }
}

/// One line per action, as `generate` prints it.
fn action_line(action: &Action, force: bool) -> String {
    match action {
        Action::Create { path } => format!("create {path}"),
        Action::Overwrite { path } => format!("overwrite {path}"),
        Action::Unchanged { path } => format!("unchanged {path}"),
        Action::SkipUserOwned { path } => format!("keep {path} (yours)"),
        Action::Remove { path } => format!("remove {path}"),
        Action::Conflict { path, .. } if force => {
            format!("overwrite {path} (edited by hand; --force)")
        }
        Action::Conflict { path, .. } => format!("conflict {path}"),
        Action::KeepEdited { path } => format!("keep {path} (edited, no longer generated)"),
    }
}

/// A path as it can be pasted into a POSIX shell.
fn shell_word(path: &Path) -> String {
    let shown = discover::display_path(path);
    if !shown.is_empty()
        && shown
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-+:@".contains(&b))
    {
        shown
    } else {
        format!("'{}'", shown.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_lines() {
        let p = || "src/x.rs".to_owned();
        assert_eq!(
            action_line(&Action::SkipUserOwned { path: p() }, false),
            "keep src/x.rs (yours)"
        );
        assert_eq!(
            action_line(&Action::KeepEdited { path: p() }, false),
            "keep src/x.rs (edited, no longer generated)"
        );
        let conflict = Action::Conflict {
            path: p(),
            diff: String::new(),
        };
        assert_eq!(action_line(&conflict, false), "conflict src/x.rs");
        assert!(action_line(&conflict, true).starts_with("overwrite src/x.rs"));
    }

    #[test]
    fn shell_words() {
        assert_eq!(shell_word(Path::new("./out/app")), "out/app");
        assert_eq!(shell_word(Path::new("my dir/it's")), r"'my dir/it'\''s'");
    }
}
