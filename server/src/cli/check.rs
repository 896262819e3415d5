//! `blueprint check`: find files, analyse each, render, pick the exit code.
//!
//! Rendering is pure (report in, string out) so the three formats can be
//! unit-tested without a process; this module does the I/O around them.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use blueprint_grammars::{LineIndex, SourceText};

use super::discover::{self, Failure};
use super::location::Located;
use super::{print_error, print_stdout, print_warning, render_human, render_json, render_sarif};
use super::{ColorChoice, FileArgs, Format, PreflightOptions, Status};
use crate::analysis::{self, Diagnostic, Severity};

/// One analysed file.
pub(crate) struct CheckedFile {
    /// The path as found (relative when the user gave a relative path).
    pub path: PathBuf,
    pub source: SourceText,
    pub lines: LineIndex,
    pub diagnostics: Vec<Diagnostic>,
}

impl CheckedFile {
    pub fn new(path: PathBuf, source: SourceText, diagnostics: Vec<Diagnostic>) -> Self {
        let lines = LineIndex::new(source.as_str());
        CheckedFile {
            path,
            source,
            lines,
            diagnostics,
        }
    }

    /// The path as shown to users and in JSON.
    pub fn display_path(&self) -> String {
        discover::display_path(&self.path)
    }

    pub fn located(&self) -> Located<'_> {
        Located {
            source: &self.source,
            lines: &self.lines,
        }
    }
}

/// Everything one `check` run produced.
#[derive(Default)]
pub(crate) struct Report {
    pub files: Vec<CheckedFile>,
    pub failures: Vec<Failure>,
}

/// Diagnostic counts by severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub hints: usize,
    /// Files checked.
    pub files: usize,
    /// Files with at least one diagnostic.
    pub files_with_diagnostics: usize,
}

impl Summary {
    pub fn total(&self) -> usize {
        self.errors + self.warnings + self.infos + self.hints
    }
}

impl Report {
    pub fn summary(&self) -> Summary {
        let mut summary = Summary {
            files: self.files.len(),
            ..Summary::default()
        };
        for file in &self.files {
            if !file.diagnostics.is_empty() {
                summary.files_with_diagnostics += 1;
            }
            for d in &file.diagnostics {
                match d.severity {
                    Severity::Error => summary.errors += 1,
                    Severity::Warning => summary.warnings += 1,
                    Severity::Info => summary.infos += 1,
                    Severity::Hint => summary.hints += 1,
                }
            }
        }
        summary
    }

    /// Failures win over findings: a run that could not look at everything
    /// must not pass as "1" (or worse "0") in CI.
    pub fn status(&self) -> Status {
        if !self.failures.is_empty() {
            Status::Failed
        } else if self.summary().errors > 0 {
            Status::Findings
        } else {
            Status::Ok
        }
    }
}

/// `blueprint check`: every tier, and the pre-flight too when `db` is set.
pub(crate) fn run(args: &FileArgs, db: Option<&PreflightOptions>) -> Status {
    let preflight = db.map(super::preflight::Runner::new);
    check_files(args, |path, source| {
        let (env, warning) = crate::environment::for_blueprint(path);
        let analysis = analysis::check_with_model(source, &env);
        let mut diagnostics = analysis.diagnostics;
        analysis::generated::check_generated(
            path,
            source.as_str(),
            &analysis.blueprint,
            &mut diagnostics,
        );
        if let Some(runner) = &preflight {
            diagnostics.extend(runner.run(path, &analysis.blueprint, &env));
        }
        analysis::sort(&mut diagnostics);
        (diagnostics, warning)
    })
}

/// Finds and reads the files, analyses each with `analyze` (which returns
/// its diagnostics and a warning to show, if any), and prints the report.
pub(crate) fn check_files(
    args: &FileArgs,
    analyze: impl Fn(&Path, &SourceText) -> (Vec<Diagnostic>, Option<String>),
) -> Status {
    let default = [PathBuf::from(".")];
    let paths = if args.paths.is_empty() {
        &default[..]
    } else {
        &args.paths[..]
    };
    let discovery = discover::discover(paths, !args.no_ignore);
    let mut report = Report {
        files: Vec::new(),
        failures: discovery.failures,
    };
    for path in discovery.files {
        match std::fs::read(&path) {
            Ok(bytes) => {
                let source = SourceText::from_bytes(&bytes);
                let (diagnostics, warning) = analyze(&path, &source);
                if let Some(warning) = warning {
                    print_warning(&warning);
                }
                report
                    .files
                    .push(CheckedFile::new(path, source, diagnostics));
            }
            Err(err) => {
                let shown = discover::display_path(&path);
                report.failures.push(Failure {
                    message: format!("cannot read {shown}: {}", discover::io_reason(&err)),
                    help: None,
                    path: shown,
                });
            }
        }
    }

    match args.format {
        Format::Human => {
            print_stdout(&render_human::render_diagnostics(
                &report,
                use_color(args.color),
            ));
            // Failures after the diagnostics, just above the summary, where
            // they are seen rather than scrolled away.
            print_failures(&report.failures);
            print_stdout(&render_human::render_summary(&report));
        }
        Format::Json => {
            print_stdout(&render_json::render(&report));
            print_failures(&report.failures);
        }
        Format::Sarif => {
            print_stdout(&render_sarif::render(&report));
            print_failures(&report.failures);
        }
    }
    report.status()
}

fn print_failures(failures: &[Failure]) {
    for failure in failures {
        print_error(&failure.message, failure.help.as_deref());
    }
}

/// `--color`: auto means stdout is a terminal and NO_COLOR
/// (https://no-color.org) is unset or empty.
pub(crate) fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}
