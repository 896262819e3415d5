//! Settings from the environment: `.env`, `${VAR:-default}` expansion,
//! logging set-up, and masking of URLs before they are logged.
//!
//! Generated `config.rs` files call these so every system reads its
//! environment the same way, and a database password never reaches a log.

/// Read `.env` in the current directory, if there is one. Variables already
/// set in the process win, so a deployment overrides a developer's file.
pub fn load_dotenv() {
    match dotenvy::dotenv() {
        Ok(_) => {}
        Err(e) if e.not_found() => {}
        Err(e) => eprintln!("warning: .env not loaded: {e}"),
    }
}

/// Replace `${VAR}` and `${VAR:-default}` in `template` from the process
/// environment. An unset (or, with a default, empty) variable without a
/// default is an error naming it, so a system fails at start-up with the
/// fix rather than connecting to a half-formed URL. `$` not followed by `{`
/// is kept as is.
pub fn expand(template: &str) -> Result<String, String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(at) = rest.find("${") {
        out.push_str(&rest[..at]);
        let body = &rest[at + 2..];
        let end = body
            .find('}')
            .ok_or_else(|| format!("unclosed `${{` in `{}`", mask_url(template)))?;
        let inner = &body[..end];
        let (name, default) = match inner.split_once(":-") {
            Some((n, d)) => (n, Some(d)),
            None => (inner, None),
        };
        if name.is_empty() {
            return Err("`${}` names no variable".into());
        }
        let value = std::env::var(name).ok();
        let value = match (value, default) {
            (Some(v), Some(d)) if v.is_empty() => d.to_owned(),
            (Some(v), _) => v,
            (None, Some(d)) => d.to_owned(),
            (None, None) => {
                return Err(format!(
                    "environment variable {name} is not set; set it (or add it to .env)"
                ))
            }
        };
        out.push_str(&value);
        rest = &body[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The variable's value, or `default` when it is unset or empty.
pub fn env_or(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

/// Log to stderr (stdout carries the `listening …` / `ready` lines tools
/// read), filtered by `RUST_LOG`, `info` by default. Safe to call twice.
pub fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// `scheme://user:***@host/...`: the URL with its password hidden, for logs
/// and error messages. Text that is not a URL with credentials is returned
/// unchanged.
pub fn mask_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let authority_start = scheme_end + 3;
    let after = &url[authority_start..];
    let authority_end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let authority = &after[..authority_end];
    // The last `@` ends the credentials (a password may contain `@`).
    let Some(at) = authority.rfind('@') else {
        return url.to_owned();
    };
    let credentials = &authority[..at];
    let Some(colon) = credentials.find(':') else {
        return url.to_owned();
    };
    format!(
        "{}{}:***{}",
        &url[..authority_start],
        &credentials[..colon],
        &url[authority_start + at..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_only_the_password() {
        assert_eq!(
            mask_url("postgres://app:s3cr@t@db:5432/x?sslmode=require"),
            "postgres://app:***@db:5432/x?sslmode=require"
        );
        assert_eq!(
            mask_url("mysql://root@127.0.0.1/test"),
            "mysql://root@127.0.0.1/test"
        );
        assert_eq!(mask_url("http://h/p?u=a:b@c"), "http://h/p?u=a:b@c");
        assert_eq!(mask_url("sqlite://data.db"), "sqlite://data.db");
        assert_eq!(mask_url("not a url"), "not a url");
    }

    #[test]
    fn expands_variables_and_defaults() {
        // Names unique to this test: the environment is process-wide.
        std::env::set_var("BP_CFG_TEST_HOST", "db.local");
        std::env::set_var("BP_CFG_TEST_EMPTY", "");
        let url = expand(
            "postgres://u@${BP_CFG_TEST_HOST}:${BP_CFG_TEST_PORT:-5432}/${BP_CFG_TEST_EMPTY:-app}",
        )
        .unwrap();
        assert_eq!(url, "postgres://u@db.local:5432/app");
        assert_eq!(
            expand("cost $5 ${BP_CFG_TEST_HOST}").unwrap(),
            "cost $5 db.local"
        );
        let err = expand("x${BP_CFG_TEST_UNSET_VAR}").unwrap_err();
        assert!(
            err.contains("BP_CFG_TEST_UNSET_VAR is not set; set it"),
            "{err}"
        );
        assert!(expand("${BP_CFG_TEST_HOST").is_err());
        assert_eq!(env_or("BP_CFG_TEST_EMPTY", "d"), "d");
        assert_eq!(env_or("BP_CFG_TEST_HOST", "d"), "db.local");
    }
}
