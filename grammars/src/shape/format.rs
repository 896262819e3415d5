//! Formats a string value must follow (names, versions, addresses).
//!
//! Each format is checked by hand-written code (this crate has no regex
//! engine, and these are small) and also exported as a JSON Schema
//! `pattern`; the tests check that the two agree on examples.

/// The format of a string value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Any string.
    Any,
    /// `snake_case`: lower-case ASCII letters, digits and `_`, starting with
    /// a letter. System, component and port names: they become Rust
    /// identifiers and file names, and a binding writes `component.port`, so
    /// a name may not hold a dot.
    SnakeCase,
    /// A semantic version, `MAJOR.MINOR.PATCH` with optional pre-release and
    /// build parts.
    Semver,
    /// `host:port` for a server to listen on (`127.0.0.1:9464`,
    /// `[::1]:9464`, `0.0.0.0:9464`).
    ListenAddress,
    /// A SQL identifier, optionally schema-qualified (`tasks`,
    /// `app.tasks`): what a table name can be without surprises on every
    /// engine.
    SqlIdentifier,
    /// A URL path starting with `/`, without query or fragment.
    UrlPath,
}

impl Format {
    /// Whether `s` follows the format.
    pub fn check(self, s: &str) -> bool {
        match self {
            Format::Any => true,
            Format::SnakeCase => is_snake_case(s),
            Format::Semver => is_semver(s),
            Format::ListenAddress => is_listen_address(s),
            Format::SqlIdentifier => {
                let mut parts = s.split('.');
                let ok = parts.next().is_some_and(is_identifier);
                ok && parts.next().is_none_or(is_identifier) && parts.next().is_none()
            }
            Format::UrlPath => s.starts_with('/') && !s.contains(['?', '#', ' ', '\t', '\n']),
        }
    }

    /// The same rule as a JSON Schema (ECMA 262) pattern.
    pub fn pattern(self) -> Option<&'static str> {
        match self {
            Format::Any => None,
            Format::SnakeCase => Some("^[a-z][a-z0-9_]*$"),
            Format::Semver => Some(
                r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$",
            ),
            // The port's range (1-65535) is not expressible as a simple
            // pattern; the validator checks it.
            Format::ListenAddress => Some(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):[0-9]{1,5}$"),
            Format::SqlIdentifier => Some(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$"),
            Format::UrlPath => Some(r"^/[^?#\s]*$"),
        }
    }

    /// What the format is, for messages: "`name` must be {description}".
    pub fn description(self) -> &'static str {
        match self {
            Format::Any => "a string",
            Format::SnakeCase => {
                "snake_case (lower-case letters, digits and `_`, starting with a letter)"
            }
            Format::Semver => "a semantic version such as `1.0.0`",
            Format::ListenAddress => {
                "an address to listen on, `host:port`, such as `127.0.0.1:9464`"
            }
            Format::SqlIdentifier => {
                "a table name (letters, digits and `_`, optionally `schema.table`)"
            }
            Format::UrlPath => "a URL path starting with `/`, such as `/api`",
        }
    }

    /// A best-effort correction of `s` into this format, for a quick fix
    /// (`1.0` -> `1.0.0`, `TaskAPI` -> `task_api`). `None` when there is no
    /// obvious one.
    pub fn correct(self, s: &str) -> Option<String> {
        let fixed = match self {
            Format::SnakeCase => to_snake_case(s),
            Format::Semver => {
                let parts: Vec<&str> = s.trim_start_matches(['v', 'V']).split('.').collect();
                if parts.is_empty()
                    || parts.len() > 3
                    || !parts
                        .iter()
                        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                {
                    return None;
                }
                let mut parts: Vec<String> = parts
                    .iter()
                    .map(|p| p.trim_start_matches('0').to_owned())
                    .collect();
                for p in &mut parts {
                    if p.is_empty() {
                        *p = "0".into();
                    }
                }
                parts.resize(3, "0".into());
                parts.join(".")
            }
            Format::UrlPath if !s.starts_with('/') => format!("/{s}"),
            _ => return None,
        };
        (fixed != s && self.check(&fixed)).then_some(fixed)
    }
}

fn is_snake_case(s: &str) -> bool {
    let mut bytes = s.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_lowercase())
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn is_identifier(s: &str) -> bool {
    let mut bytes = s.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'))
}

fn is_semver(s: &str) -> bool {
    let (rest, build) = match s.split_once('+') {
        Some((rest, build)) => (rest, Some(build)),
        None => (s, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (rest, None),
    };
    let ident = |p: &str| {
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    };
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| is_number(p))
        && pre.is_none_or(ident)
        && build.is_none_or(ident)
}

fn is_listen_address(s: &str) -> bool {
    let Some((host, port)) = s.rsplit_once(':') else {
        return false;
    };
    let host_ok = if let Some(inner) = host.strip_prefix('[') {
        inner.strip_suffix(']').is_some_and(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        })
    } else {
        !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    };
    let port_ok = port.len() <= 5
        && port.bytes().all(|b| b.is_ascii_digit())
        && port.parse::<u32>().is_ok_and(|p| (1..=65535).contains(&p));
    host_ok && port_ok
}

/// `TaskAPI` -> `task_api`, `task-api` -> `task_api`, `Task Api` -> `task_api`.
fn to_snake_case(s: &str) -> String {
    let chars: Vec<char> = s.trim().chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1);
            // A new word starts at an upper-case letter after a lower-case
            // one or a digit, or before a lower-case one inside an acronym
            // (`APIEndpoint` -> `api_endpoint`).
            let boundary = prev.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit())
                || (prev.is_some_and(|p| p.is_ascii_uppercase())
                    && next.is_some_and(|n| n.is_ascii_lowercase()));
            if boundary && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_accept_and_reject() {
        let cases: &[(Format, &[&str], &[&str])] = &[
            (
                Format::SnakeCase,
                &["task_api", "a", "store2", "a_b_c"],
                &["", "TaskApi", "task-api", "1task", "_x", "task.api"],
            ),
            (
                Format::Semver,
                &["1.0.0", "0.10.3", "1.0.0-rc.1", "2.0.0+build.5"],
                &["1.0", "1", "01.0.0", "v1.0.0", "1.0.0-", ""],
            ),
            (
                Format::ListenAddress,
                &[
                    "127.0.0.1:9464",
                    "[::1]:9464",
                    "0.0.0.0:1",
                    "localhost:65535",
                ],
                &["9464", ":9464", "host:0", "host:70000", "a b:1"],
            ),
            (
                Format::SqlIdentifier,
                &["tasks", "app.tasks", "_t1"],
                &["", "1tasks", "a.b.c", "my-table", "a."],
            ),
            (
                Format::UrlPath,
                &["/", "/api/v1", "/tasks"],
                &["api", "/a?b", "", "/a b"],
            ),
        ];
        for (format, good, bad) in cases {
            for s in *good {
                assert!(format.check(s), "{format:?} should accept {s:?}");
            }
            for s in *bad {
                assert!(!format.check(s), "{format:?} should reject {s:?}");
            }
        }
    }

    #[test]
    fn corrections() {
        assert_eq!(Format::Semver.correct("1.0").as_deref(), Some("1.0.0"));
        assert_eq!(Format::Semver.correct("2").as_deref(), Some("2.0.0"));
        assert_eq!(Format::Semver.correct("v1.2.3").as_deref(), Some("1.2.3"));
        assert_eq!(Format::Semver.correct("latest"), None);
        assert_eq!(
            Format::SnakeCase.correct("TaskAPI").as_deref(),
            Some("task_api")
        );
        assert_eq!(
            Format::SnakeCase.correct("APIEndpoint").as_deref(),
            Some("api_endpoint")
        );
        assert_eq!(
            Format::SnakeCase.correct("task-api").as_deref(),
            Some("task_api")
        );
        assert_eq!(
            Format::SnakeCase.correct("Task Store").as_deref(),
            Some("task_store")
        );
        assert_eq!(Format::SnakeCase.correct("9lives"), None);
        assert_eq!(Format::UrlPath.correct("api").as_deref(), Some("/api"));
    }
}
