//! The `blueprint` command line: argument parsing and dispatch.
//!
//! Each subcommand lives in its own module and returns a [`Status`]; this
//! module only turns arguments into calls and the status into the process
//! exit code. Exit codes are part of the interface (CI scripts branch on
//! them): 0 = nothing at error severity, 1 = at least one error-severity
//! diagnostic, 2 = the command could not do what was asked (bad arguments,
//! missing or unreadable paths, nothing to check).

mod check;
mod discover;
mod explain;
mod generate;
mod location;
mod new;
mod preflight;
mod render_human;
mod render_json;
mod render_sarif;
mod schema;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

const ABOUT: &str =
    "Editor tooling for system blueprints: check them, generate their code, explain rules, export the schema.";

const MAIN_EXAMPLES: &str = "\
Examples:
  blueprint check .                      Check every blueprint under the current directory
  blueprint check api.blueprint.yaml     Check one file
  blueprint explain BP110                What rule BP110 checks and how to fix it
  blueprint rules                        List every rule
  blueprint generate app.blueprint.yaml  Generate the system's code
  blueprint new \"manage tasks with a title\" -o app.blueprint.yaml
                                         Draft a blueprint from a description
  blueprint schema > blueprint.schema.json

Exit codes: 0 no errors, 1 errors found, 2 could not run (bad arguments, missing paths).";

const CHECK_EXAMPLES: &str = "\
Examples:
  blueprint check                                  Check blueprints under the current directory
  blueprint check services/ api.yaml               A directory and a file (any name)
  blueprint check . --format json > report.json    Machine-readable (see docs/json-format.md)
  blueprint check . --format sarif > blueprint.sarif
                                                   For GitHub code scanning (upload-sarif)

Directories are searched recursively for files named *.blueprint.yaml,
*.blueprint.yml, blueprint.yaml or blueprint.yml. Hidden directories, target/,
node_modules/ and paths ignored by .gitignore/.ignore files are skipped
(--no-ignore keeps the ignored ones). A file named explicitly is checked
whatever its name.

Exit codes: 0 no error-severity diagnostics (warnings, infos and hints do not
fail), 1 at least one error, 2 something could not be checked.";

const PREFLIGHT_EXAMPLES: &str = "\
Examples:
  blueprint preflight app.blueprint.yaml            Ask each database whether the stores will work
  blueprint preflight . --timeout-ms 1000           Fail faster on an unreachable server
  blueprint check --db .                            Every tier, with the pre-flight

The pre-flight is read-only: catalogue queries in a read-only session, one
round trip per database; SQLite files are opened read-only and never
created. Results are cached for --cache-ttl-s seconds (by masked URL and the
tables asked about) under $XDG_CACHE_HOME/blueprint; --no-cache skips it.

Exit codes: as `blueprint check`.";

const EXPLAIN_EXAMPLES: &str = "\
Examples:
  blueprint explain BP110          By code
  blueprint explain unknown-key    By name
  blueprint explain --list         Every rule (same as `blueprint rules`)";

const SCHEMA_EXAMPLES: &str = "\
Examples:
  blueprint schema > blueprint.schema.json

Point an editor's YAML support at it, e.g. in VS Code settings:
  \"yaml.schemas\": { \"./blueprint.schema.json\": \"*.blueprint.yaml\" }";

#[derive(Debug, Parser)]
#[command(
    name = "blueprint",
    version,
    about = ABOUT,
    after_help = MAIN_EXAMPLES,
    propagate_version = true,
    arg_required_else_help = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check blueprint files and report diagnostics
    #[command(after_help = CHECK_EXAMPLES)]
    Check(CheckArgs),
    /// Run the database pre-flight: connect to each database and check the stores' tables
    #[command(after_help = PREFLIGHT_EXAMPLES)]
    Preflight(PreflightArgs),
    /// Generate the system's code from a blueprint (validates first)
    #[command(after_help = generate::GENERATE_EXAMPLES)]
    Generate(generate::GenerateArgs),
    /// Draft a blueprint from a description in plain words (offline, or an OpenAI-compatible endpoint)
    #[command(after_help = new::NEW_EXAMPLES)]
    New(new::NewArgs),
    /// Run the language server on stdin/stdout (for editors)
    Lsp(LspArgs),
    /// Explain a rule: what it checks, why it matters, how to fix it
    #[command(after_help = EXPLAIN_EXAMPLES)]
    Explain(ExplainArgs),
    /// List every rule with its code, name, tier, severity and summary
    Rules,
    /// Print the JSON Schema of the canonical blueprint form
    #[command(after_help = SCHEMA_EXAMPLES)]
    Schema,
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    #[command(flatten)]
    files: FileArgs,
    /// Also run the database pre-flight (connects to the databases)
    #[arg(long)]
    db: bool,
    #[command(flatten)]
    preflight: PreflightOptions,
}

#[derive(Debug, Args)]
pub(crate) struct LspArgs {
    /// Accepted for compatibility with clients that pass it; stdio is the only transport
    #[arg(long)]
    stdio: bool,
}

#[derive(Debug, Args)]
pub(crate) struct PreflightArgs {
    #[command(flatten)]
    files: FileArgs,
    #[command(flatten)]
    preflight: PreflightOptions,
}

/// How the pre-flight connects and what it tolerates.
#[derive(Debug, Args)]
pub(crate) struct PreflightOptions {
    /// Bound on each database's inspection, in milliseconds
    #[arg(long, value_name = "MS", default_value_t = 3000)]
    timeout_ms: u64,
    /// Median round trip above which a database is reported slow, in milliseconds
    #[arg(long, value_name = "MS", default_value_t = 50)]
    slow_ms: u64,
    /// How long an inspection's result is reused, in seconds
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    cache_ttl_s: u64,
    /// Always ask the databases; neither read nor write the cache
    #[arg(long)]
    no_cache: bool,
}

/// Which files a command reads and how it prints.
#[derive(Debug, Args)]
pub(crate) struct FileArgs {
    /// Files or directories to check [default: the current directory]
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// When to colour human output (auto: when stdout is a terminal and NO_COLOR is unset)
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Also search paths that .gitignore/.ignore files exclude
    #[arg(long)]
    no_ignore: bool,
}

#[derive(Debug, Args)]
struct ExplainArgs {
    /// Rule code (BP110) or name (unknown-key)
    #[arg(value_name = "RULE", required_unless_present = "list")]
    rule: Option<String>,
    /// List every rule instead
    #[arg(long, conflicts_with = "rule")]
    list: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Annotated source snippets, like rustc
    Human,
    /// One JSON document (see docs/json-format.md)
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers
    Sarif,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// How a command ended; becomes the exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Status {
    /// Success (and no error-severity diagnostics).
    Ok = 0,
    /// The command ran and found error-severity diagnostics.
    Findings = 1,
    /// The command could not do (all of) what was asked.
    Failed = 2,
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> Self {
        ExitCode::from(status as u8)
    }
}

/// Entry point of the `blueprint` binary.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // clap's own exit codes are 0 for --help/--version and 2 for
            // usage errors, which matches ours; print and return instead of
            // `err.exit()` so that destructors run and tests see the code.
            let _ = err.print();
            return ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(2));
        }
    };
    if !matches!(cli.command, Command::Lsp(_)) {
        crate::logging::init_cli();
    }
    let status = match cli.command {
        Command::Check(args) => check::run(&args.files, args.db.then_some(&args.preflight)),
        Command::Preflight(args) => preflight::run(&args),
        Command::Generate(args) => generate::run(&args),
        Command::New(args) => new::run(&args),
        Command::Lsp(_) => lsp(),
        Command::Explain(args) => match args.rule {
            Some(rule) if !args.list => explain::explain(&rule),
            _ => explain::list(),
        },
        Command::Rules => explain::list(),
        Command::Schema => schema::run(),
    };
    status.into()
}

/// Serves the language server until the client exits.
fn lsp() -> Status {
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => {
            runtime.block_on(crate::lsp::serve_stdio());
            Status::Ok
        }
        Err(e) => {
            print_error(
                &format!("cannot start the language server's runtime: {e}"),
                None,
            );
            Status::Failed
        }
    }
}

/// Writes to stdout, ignoring a closed pipe (`blueprint rules | head` must
/// not panic the way `println!` would).
pub(crate) fn print_stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// Reports a problem that stopped (part of) a command, on stderr, in the
/// `error: what` / `  help: what to do` shape that rustc and cargo use.
pub(crate) fn print_error(message: &str, help: Option<&str>) {
    let mut text = format!("error: {message}\n");
    if let Some(help) = help {
        text.push_str(&format!("  help: {help}\n"));
    }
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// A problem that did not stop the command (e.g. an unreadable `.env`).
pub(crate) fn print_warning(message: &str) {
    let _ = std::io::stderr()
        .lock()
        .write_all(format!("warning: {message}\n").as_bytes());
}

/// `n thing` or `n things`.
pub(crate) fn plural(n: usize, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n == 1 { singular } else { plural })
}
