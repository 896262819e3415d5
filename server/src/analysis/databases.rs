//! L2: each database has a usable URL for its engine, a consistent pool,
//! variables that resolve, and no password written in the file.

use blueprint_grammars::interpolate::{interpolate, secret_spans};
use blueprint_grammars::model::{Database, DatabaseOrigin, Engine};
use blueprint_grammars::{scalar_sub_span, Span};

use super::context::Context;
use super::rules;
use super::Diagnostic;

pub fn check_databases(cx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(system) = cx.system() else { return };
    for db in &system.databases {
        check_database(cx, db, out);
    }
}

fn check_database(cx: &Context, db: &Database, out: &mut Vec<Diagnostic>) {
    let label = match &db.origin {
        DatabaseOrigin::Declared => format!("database `{}`", db.name.value),
        DatabaseOrigin::Legacy { component } => {
            format!("the database settings of store `{component}`")
        }
    };
    if let Some(engine) = &db.engine {
        if db.engine_kind.is_none()
            && Engine::parse(&engine.value.to_ascii_lowercase()).is_none()
            && db.origin != DatabaseOrigin::Declared
        {
            // Declared engines are checked against the enum by the structure
            // walk; legacy ones (`type: mongodb`) only here.
            out.push(
                Diagnostic::new(
                    &rules::INVALID_VALUE,
                    engine.span,
                    format!("engine `{}` is not supported", engine.value),
                )
                .with_help("Blueprint supports postgres, mysql and sqlite"),
            );
        }
    }
    let Some(url) = &db.url else {
        let span = match db.origin {
            DatabaseOrigin::Declared => db.name.span,
            DatabaseOrigin::Legacy { .. } => db.span,
        };
        out.push(
            Diagnostic::new(
                &rules::DATABASE_WITHOUT_URL,
                span,
                format!("no connection URL for {label}"),
            )
            .with_help(url_example(db.engine_kind)),
        );
        return;
    };
    let resolved = interpolate(&url.value, cx.env);
    for (name, range) in &resolved.missing {
        let span = scalar_sub_span(cx.text, url.span, &url.value, range.start, range.len());
        out.push(
            Diagnostic::new(&rules::UNDEFINED_VARIABLE, span, format!("`{name}` is not set in the environment or in `.env`, and has no default"))
                .with_help(format!("set `{name}`, add it to a `.env` file beside the blueprint, or write `${{{name}:-default}}`")),
        );
    }
    for secret in secret_spans(&url.value) {
        let span = scalar_sub_span(cx.text, url.span, &url.value, secret.start, secret.len());
        out.push(
            Diagnostic::new(&rules::LITERAL_SECRET, span, format!("the URL of {label} contains a password"))
                .with_help("move the password to an environment variable: `postgres://user:${DB_PASSWORD}@host/db`, set in the environment or `.env`")
                .with_replacement("Replace with `${DB_PASSWORD}`", "${DB_PASSWORD}"),
        );
    }
    if resolved.missing.is_empty() {
        check_url_matches_engine(db, &resolved.value, url.span, &label, out);
    }
    check_pool(db, out);
}

fn check_url_matches_engine(
    db: &Database,
    url: &str,
    span: Span,
    label: &str,
    out: &mut Vec<Diagnostic>,
) {
    let Some(scheme_engine) = Engine::from_url(url) else {
        out.push(
            Diagnostic::new(
                &rules::INVALID_DATABASE_URL,
                span,
                format!("the URL of {label} has no known scheme"),
            )
            .with_help(url_example(db.engine_kind)),
        );
        return;
    };
    if let Some(engine) = db.engine_kind {
        if engine != scheme_engine {
            out.push(
                Diagnostic::new(
                    &rules::INVALID_DATABASE_URL,
                    span,
                    format!(
                        "{label} is {} but its URL is for {}",
                        engine.display_name(),
                        scheme_engine.display_name()
                    ),
                )
                .with_help(url_example(Some(engine))),
            );
        }
    }
}

fn check_pool(db: &Database, out: &mut Vec<Diagnostic>) {
    if let (Some(min), Some(max)) = (&db.pool.min_connections, &db.pool.max_connections) {
        if min.value > max.value {
            out.push(
                Diagnostic::new(
                    &rules::INVALID_POOL,
                    min.span,
                    format!(
                        "`min_connections` ({}) is above `max_connections` ({})",
                        min.value, max.value
                    ),
                )
                .with_help("lower `min_connections` or raise `max_connections`")
                .with_related(max.span, "the maximum"),
            );
        }
    }
}

fn url_example(engine: Option<Engine>) -> String {
    let example = match engine {
        Some(Engine::Mysql) => "mysql://user@localhost:3306/app",
        Some(Engine::Sqlite) => "sqlite://app.db",
        _ => "postgres://user@localhost:5432/app",
    };
    format!("write a URL such as `url: {example}`, or `${{DATABASE_URL}}` to take it from the environment")
}
