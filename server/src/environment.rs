//! The variables a blueprint's `${VAR}` references see: the process
//! environment, then a `.env` file beside the blueprint for anything the
//! environment does not set (the precedence docker compose and dotenv tools
//! use).

use std::path::Path;

use blueprint_grammars::interpolate::Environment;

/// The file beside a blueprint that supplies what the environment does not.
pub const DEFAULT_ENV_FILE: &str = ".env";

/// The environment for the blueprint at `blueprint_path`. A missing `.env`
/// is normal; an unreadable or malformed one is reported as a warning
/// string for the caller to show, never as a reason not to check.
pub fn for_blueprint(blueprint_path: &Path) -> (Environment, Option<String>) {
    for_blueprint_with(blueprint_path, DEFAULT_ENV_FILE)
}

/// [`for_blueprint`] with another file than `.env`: `env_file` is relative
/// to the blueprint's directory, or absolute.
pub fn for_blueprint_with(blueprint_path: &Path, env_file: &str) -> (Environment, Option<String>) {
    let mut env = Environment::new(std::env::vars());
    let Some(dir) = blueprint_path.parent() else {
        return (env, None);
    };
    let dotenv = dir.join(env_file);
    if !dotenv.exists() {
        return (env, None);
    }
    match dotenvy::from_path_iter(&dotenv) {
        Ok(iter) => {
            let mut vars = Vec::new();
            for item in iter {
                match item {
                    Ok(pair) => vars.push(pair),
                    Err(e) => {
                        return (
                            env,
                            Some(format!(
                                "{}: {}; the rest of the file was not read",
                                dotenv.display(),
                                describe(&e)
                            )),
                        )
                    }
                }
            }
            env.extend_missing(vars);
            (env, None)
        }
        Err(e) => (env, Some(format!("{}: {}", dotenv.display(), describe(&e)))),
    }
}

/// The error without the offending line's text: a `.env` line is likely to
/// hold a secret.
fn describe(error: &dotenvy::Error) -> String {
    match error {
        dotenvy::Error::LineParse(_, index) => {
            format!("cannot parse a line (at byte {index} of it)")
        }
        other => other.to_string(),
    }
}
