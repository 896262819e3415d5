//! `blueprint new "DESCRIPTION" [-o FILE]`: draft a blueprint, offline or
//! through an OpenAI-compatible endpoint, validated like `check` would.
//!
//! The blueprint goes to stdout (or FILE); everything said about it goes to
//! stderr, so `blueprint new "…" > app.blueprint.yaml` works.
//!
//! Exit codes: 0 the draft passes L1-L3 (warnings allowed), 1 it still has
//! errors after the repair rounds (nothing written), 2 the command could not
//! run (empty description, existing FILE, endpoint unreachable or failing).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use blueprint_grammars::SourceText;

use super::check::{CheckedFile, Report};
use super::{discover, plural, print_error, print_stdout, print_warning, render_human, Status};
use crate::draft::llm::{Endpoint, HttpChat};
use crate::draft::repair::{self, Checked};

/// The arguments of `blueprint new`.
#[derive(Debug, clap::Args)]
pub(crate) struct NewArgs {
    /// What the system does, in plain words
    #[arg(value_name = "DESCRIPTION")]
    description: String,
    /// Write the blueprint to FILE instead of stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// Overwrite FILE if it exists
    #[arg(long)]
    force: bool,
    /// OpenAI-compatible API base URL, e.g. http://127.0.0.1:8000/v1 [env: BLUEPRINT_LLM_URL]
    #[arg(long, value_name = "URL")]
    endpoint: Option<String>,
    /// Model name to ask for [env: BLUEPRINT_LLM_MODEL]
    #[arg(long, value_name = "NAME")]
    model: Option<String>,
    /// Use the offline drafter even when an endpoint is configured
    #[arg(long, conflicts_with_all = ["endpoint", "model"])]
    offline: bool,
    /// Most times a draft with errors is sent back to the model
    #[arg(long, value_name = "N", default_value_t = 3)]
    max_repairs: u32,
    /// Bound on each request to the endpoint, in seconds
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    timeout_s: u64,
}

pub(crate) const NEW_EXAMPLES: &str = "\
Examples:
  blueprint new \"a REST API to manage tasks with a title, a due date and a done flag\"
  blueprint new \"track customers (name, email) and orders (total), in PostgreSQL\" -o shop.blueprint.yaml
  BLUEPRINT_LLM_URL=http://127.0.0.1:11434/v1 BLUEPRINT_LLM_MODEL=qwen2.5-coder \\
    blueprint new \"an inventory service\" -o inventory.blueprint.yaml

Without an endpoint the offline drafter reads the description's engine
(PostgreSQL, MySQL/MariaDB, SQLite by default), the things it manages and
their fields. With --endpoint (or BLUEPRINT_LLM_URL) and --model (or
BLUEPRINT_LLM_MODEL) an OpenAI-compatible chat endpoint drafts it;
BLUEPRINT_LLM_API_KEY, if set, is sent as a bearer token. Every draft is
validated like `blueprint check`; a model's draft with errors is sent back
with the diagnostics, at most --max-repairs times.

Exit codes: 0 drafted (passes L1-L3; warnings are shown), 1 still has errors
after the repairs (nothing written), 2 could not run (empty description,
FILE exists without --force, endpoint error).";

const URL_VAR: &str = "BLUEPRINT_LLM_URL";
const MODEL_VAR: &str = "BLUEPRINT_LLM_MODEL";
const KEY_VAR: &str = "BLUEPRINT_LLM_API_KEY";

pub(crate) fn run(args: &NewArgs) -> Status {
    let description = args.description.trim();
    if description.is_empty() {
        print_error(
            "the description is empty",
            Some("say what the system does, e.g. blueprint new \"a REST API to manage tasks\""),
        );
        return Status::Failed;
    }
    if let Some(path) = &args.output {
        if path.exists() && !args.force {
            print_error(
                &format!("{} already exists", discover::display_path(path)),
                Some("choose another file with -o, or pass --force to overwrite it"),
            );
            return Status::Failed;
        }
    }
    // `${VAR}`s resolve as `check` would resolve them for the file: the
    // environment, then a `.env` beside where it will be written (the
    // current directory for stdout).
    let beside = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from("new.blueprint.yaml"));
    let (env, warning) = crate::environment::for_blueprint(&beside);
    if let Some(warning) = warning {
        print_warning(&warning);
    }

    let checked = match endpoint(args) {
        Err(status) => return status,
        Ok(None) => {
            let draft = crate::draft::draft_offline(description);
            print_note_plain("drafted offline (no model endpoint configured)");
            for note in &draft.notes {
                print_note(note);
            }
            let checked = repair::validate(draft.yaml, &env);
            if !checked.passes() {
                // The offline drafter's output is meant to be valid by
                // construction: this is a bug, shown as such.
                print_diagnostics(args, &checked);
                print_error(
                    "the offline draft does not pass validation (a bug in the drafter)",
                    Some("please report it with the description; meanwhile describe the system differently, or draft through a model endpoint"),
                );
                return Status::Findings;
            }
            checked
        }
        Ok(Some(endpoint)) => match draft_with_model(endpoint, description, args, &env) {
            Ok(checked) => checked,
            Err(status) => {
                return status;
            }
        },
    };

    print_diagnostics(args, &checked);
    match &args.output {
        None => print_stdout(&checked.yaml),
        Some(path) => {
            let shown = discover::display_path(path);
            if let Err(e) = write_atomically(path, &checked.yaml, args.force) {
                let help = (e.kind() == std::io::ErrorKind::AlreadyExists)
                    .then_some("choose another file with -o, or pass --force to overwrite it");
                let reason = if e.kind() == std::io::ErrorKind::AlreadyExists {
                    "it already exists".to_owned()
                } else {
                    discover::io_reason(&e)
                };
                print_error(&format!("cannot write {shown}: {reason}"), help);
                return Status::Failed;
            }
            print_note_plain(&format!(
                "wrote {shown} ({})",
                plural(checked.components, "component", "components")
            ));
        }
    }
    Status::Ok
}

/// The endpoint to ask, `None` for the offline drafter, or the status of
/// a configuration error already reported.
fn endpoint(args: &NewArgs) -> Result<Option<Endpoint>, Status> {
    if args.offline {
        return Ok(None);
    }
    let from_env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let Some(base_url) = args.endpoint.clone().or_else(|| from_env(URL_VAR)) else {
        if args.model.is_some() {
            print_error(
                "--model needs an endpoint",
                Some(&format!(
                    "pass --endpoint URL or set {URL_VAR} (an OpenAI-compatible API base, e.g. http://127.0.0.1:8000/v1)"
                )),
            );
            return Err(Status::Failed);
        }
        return Ok(None);
    };
    let shown = crate::draft::llm::mask_url(&base_url);
    if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
        print_error(
            &format!("the endpoint {shown} is not an http:// or https:// URL"),
            Some("give the API base, e.g. --endpoint http://127.0.0.1:8000/v1"),
        );
        return Err(Status::Failed);
    }
    let Some(model) = args.model.clone().or_else(|| from_env(MODEL_VAR)) else {
        print_error(
            &format!("no model given for the endpoint {shown}"),
            Some(&format!("pass --model NAME or set {MODEL_VAR}")),
        );
        return Err(Status::Failed);
    };
    Ok(Some(Endpoint {
        base_url,
        model,
        api_key: from_env(KEY_VAR),
        timeout: Duration::from_secs(args.timeout_s.max(1)),
    }))
}

/// Drafts through the endpoint with repair rounds; a draft that still has
/// errors is reported here (status 1), an endpoint failure too (status 2).
fn draft_with_model(
    endpoint: Endpoint,
    description: &str,
    args: &NewArgs,
    env: &blueprint_grammars::interpolate::Environment,
) -> Result<Checked, Status> {
    let shown = endpoint.shown();
    let model = endpoint.model.clone();
    let mut chat = HttpChat::new(endpoint).map_err(|e| {
        print_error(&e.message, e.help.as_deref());
        Status::Failed
    })?;
    print_note_plain(&format!("drafting with {model} at {shown}"));
    let max = args.max_repairs;
    let outcome = repair::draft_with_repairs(&mut chat, description, max, env, |n, checked| {
        print_note_plain(&format!(
            "draft {n} has {}; asking for a repair ({n} of {max})",
            plural(checked.errors(), "error", "errors")
        ));
    })
    .map_err(|e| {
        print_error(&e.message, e.help.as_deref());
        Status::Failed
    })?;
    if outcome.last.passes() {
        if outcome.requests > 1 {
            print_note_plain(&format!("draft {} passes", outcome.requests));
        }
        return Ok(outcome.last);
    }
    print_diagnostics(args, &outcome.last);
    print_error(
        &format!(
            "the draft still has {} after {}; nothing was written",
            plural(outcome.last.errors(), "error", "errors"),
            plural(max as usize, "repair round", "repair rounds")
        ),
        Some("rephrase the description, raise --max-repairs, try another model, or draft offline with --offline"),
    );
    Err(Status::Findings)
}

/// The draft's diagnostics and the summary line, rendered as `check`
/// renders them, on stderr (stdout may be carrying the blueprint).
fn print_diagnostics(args: &NewArgs, checked: &Checked) {
    // Named after the file it will be written to, if any.
    let path = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from("<draft>"));
    let report = Report {
        files: vec![CheckedFile::new(
            path,
            SourceText::new(checked.yaml.clone()),
            checked.diagnostics.clone(),
        )],
        failures: Vec::new(),
    };
    let color = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let mut text = render_human::render_diagnostics(&report, color);
    text.push_str(&render_human::render_summary(&report));
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

fn print_note(message: &str) {
    print_note_plain(&format!("note: {message}"));
}

fn print_note_plain(line: &str) {
    let _ = std::io::stderr()
        .lock()
        .write_all(format!("{line}\n").as_bytes());
}

/// Writes `text` to `path` through a temporary file in the same directory,
/// so a reader never sees half a blueprint. Without `force` the final step
/// cannot replace a file that appeared meanwhile.
fn write_atomically(path: &Path, text: &str, force: bool) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "blueprint".to_owned());
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        drop(file);
        if force {
            std::fs::rename(&temp, path)
        } else {
            // A hard link fails if `path` exists, where a rename would
            // replace it.
            match std::fs::hard_link(&temp, path) {
                Ok(()) => std::fs::remove_file(&temp),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(e),
                // File systems without hard links: check, then rename.
                Err(_) if path.exists() => Err(std::io::ErrorKind::AlreadyExists.into()),
                Err(_) => std::fs::rename(&temp, path),
            }
        }
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}
