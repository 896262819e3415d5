//! `blueprint preflight` and `blueprint check --db`: the database
//! pre-flight from the command line, with a progress line on a terminal.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::Duration;

use blueprint_grammars::interpolate::Environment;
use blueprint_grammars::model::Blueprint;

use super::check::check_files;
use super::{PreflightArgs, PreflightOptions, Status};
use crate::analysis::{self, Diagnostic};
use crate::preflight::{self, cache::Cache, compare::Thresholds, Progress};

/// The rules `blueprint preflight` reports besides its own: the ones that
/// explain why a database could not be inspected at all.
const DATABASE_CONFIGURATION_RULES: &[&str] = &[
    "BP210", "BP211", "BP213", "BP214", "BP215", "BP216", "BP217", "BP218",
];

pub(crate) fn run(args: &PreflightArgs) -> Status {
    let runner = Runner::new(&args.preflight);
    check_files(&args.files, |path, source| {
        let (env, warning) = crate::environment::for_blueprint(path);
        let analysis = analysis::check_with_model(source, &env);
        let mut diagnostics: Vec<Diagnostic> = analysis
            .diagnostics
            .into_iter()
            .filter(|d| {
                analysis::rules::is_preflight(d.rule)
                    || DATABASE_CONFIGURATION_RULES.contains(&d.rule.code)
            })
            .collect();
        diagnostics.extend(runner.run(path, &analysis.blueprint, &env));
        analysis::sort(&mut diagnostics);
        (diagnostics, warning)
    })
}

/// Runs the pre-flight of one file after another on one runtime and cache.
pub(crate) struct Runner {
    runtime: Option<tokio::runtime::Runtime>,
    options: preflight::Options,
    cache: Cache,
    progress: bool,
}

impl Runner {
    pub fn new(options: &PreflightOptions) -> Self {
        let ttl = Duration::from_secs(options.cache_ttl_s);
        Runner {
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok(),
            options: preflight::Options {
                timeout: Duration::from_millis(options.timeout_ms),
                pings: 5,
                thresholds: Thresholds {
                    slow: Duration::from_millis(options.slow_ms),
                },
            },
            cache: if options.no_cache || ttl.is_zero() {
                Cache::disabled()
            } else {
                Cache::on_disk(ttl)
            },
            // Only a person watching a terminal wants to see it wait.
            progress: std::io::stderr().is_terminal(),
        }
    }

    pub fn run(&self, path: &Path, blueprint: &Blueprint, env: &Environment) -> Vec<Diagnostic> {
        let Some(runtime) = &self.runtime else {
            super::print_error(
                "cannot start the pre-flight's runtime; the databases were not inspected",
                None,
            );
            return Vec::new();
        };
        let show = |p: Progress| {
            if self.progress {
                let line = match p {
                    Progress::Inspecting { database, url } => {
                        format!("pre-flight: inspecting `{database}` at {url}...")
                    }
                    Progress::Done {
                        database,
                        cached: true,
                    } => format!("pre-flight: `{database}` from the cache"),
                    Progress::Done {
                        database,
                        cached: false,
                    } => format!("pre-flight: `{database}` done"),
                };
                let mut err = std::io::stderr().lock();
                let _ = write!(err, "\r\x1b[2K{line}");
                let _ = err.flush();
            }
        };
        let diagnostics = runtime.block_on(preflight::run(
            blueprint,
            env,
            path.parent(),
            &self.options,
            &self.cache,
            &show,
        ));
        if self.progress {
            let _ = write!(std::io::stderr().lock(), "\r\x1b[2K");
        }
        diagnostics
    }
}
