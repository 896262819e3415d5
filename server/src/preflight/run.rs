//! Running the pre-flight: every database of a blueprint inspected
//! concurrently, each bounded by the timeout, compared with what its stores
//! expect.

use std::path::Path;
use std::time::Duration;

use blueprint_grammars::interpolate::{mask_secrets, mask_secrets_of, Environment};
use blueprint_grammars::model::{Blueprint, Engine};
use futures_util::future::join_all;

use super::cache::Cache;
use super::catalog::{Catalog, Failure, InspectError, Probe, ServerInfo};
use super::compare::{compare, Thresholds};
use super::expect::{targets, DatabaseTarget};
use super::{mysql, postgres, sqlite};
use crate::analysis::Diagnostic;

#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Bound on each database's whole inspection (connect, catalogue,
    /// pings).
    pub timeout: Duration,
    /// `SELECT 1` round trips timed per database.
    pub pings: usize,
    pub thresholds: Thresholds,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            timeout: Duration::from_secs(3),
            pings: 5,
            thresholds: Thresholds::default(),
        }
    }
}

/// What the pre-flight is doing, for a progress line.
#[derive(Clone, Debug)]
pub enum Progress {
    /// Inspecting a database: its name and masked URL.
    Inspecting { database: String, url: String },
    /// Done with a database (from the cache or not).
    Done { database: String, cached: bool },
}

/// Inspects every database of `blueprint` and returns the pre-flight
/// diagnostics. `blueprint_dir` resolves relative SQLite paths.
pub async fn run(
    blueprint: &Blueprint,
    env: &Environment,
    blueprint_dir: Option<&Path>,
    options: &Options,
    cache: &Cache,
    progress: &(dyn Fn(Progress) + Sync),
) -> Vec<Diagnostic> {
    run_with_inspections(blueprint, env, blueprint_dir, options, cache, progress)
        .await
        .0
}

/// What the pre-flight learnt of one database's server, for hovers.
#[derive(Clone, Debug)]
pub struct Inspection {
    pub database: String,
    /// The server, when the inspection succeeded.
    pub server: Option<ServerInfo>,
    /// Median of the timed round trips.
    pub round_trip: Option<Duration>,
}

/// [`run`], also returning what was learnt of each server.
pub async fn run_with_inspections(
    blueprint: &Blueprint,
    env: &Environment,
    blueprint_dir: Option<&Path>,
    options: &Options,
    cache: &Cache,
    progress: &(dyn Fn(Progress) + Sync),
) -> (Vec<Diagnostic>, Vec<Inspection>) {
    let targets = targets(blueprint, env, blueprint_dir);
    let results = join_all(
        targets
            .iter()
            .map(|target| inspect_target(target, options, cache, progress)),
    )
    .await;
    let diagnostics = targets
        .iter()
        .zip(&results)
        .flat_map(|(target, result)| compare(target, result, options.thresholds))
        .collect();
    let inspections = targets
        .iter()
        .zip(&results)
        .map(|(target, result)| Inspection {
            database: target.database.name.value.clone(),
            server: result.as_ref().ok().map(|c| c.server.clone()),
            round_trip: result.as_ref().ok().and_then(|c| {
                let mut pings = c.pings.clone();
                pings.sort_unstable();
                pings.get(pings.len() / 2).copied()
            }),
        })
        .collect();
    (diagnostics, inspections)
}

async fn inspect_target(
    target: &DatabaseTarget<'_>,
    options: &Options,
    cache: &Cache,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Catalog, InspectError> {
    let mut tables: Vec<String> = target.stores.iter().map(|s| s.table.clone()).collect();
    tables.sort();
    tables.dedup();
    let probe = Probe {
        url: target.url.clone(),
        tables,
        timeout: options.timeout,
        pings: options.pings,
    };
    let database = target.database.name.value.clone();
    let url = mask_secrets(&probe.url);
    let key = Cache::key(&probe);
    if let Some(catalog) = cache.get(key) {
        tracing::debug!(%database, %url, "inspection from the cache");
        progress(Progress::Done {
            database,
            cached: true,
        });
        return Ok(catalog);
    }
    progress(Progress::Inspecting {
        database: database.clone(),
        url: url.clone(),
    });
    tracing::debug!(%database, %url, tables = probe.tables.len(), "inspecting");
    let started = std::time::Instant::now();
    let result = inspect(target.engine, &probe).await.map_err(|mut error| {
        // Drivers quote parts of the URL without its scheme (a SQLite path,
        // a user name): mask what is secret in the URL wherever it appears.
        error.detail = mask_secrets_of(&error.detail, &probe.url);
        error
    });
    let elapsed_ms = started.elapsed().as_millis() as u64;
    match &result {
        Ok(catalog) => {
            tracing::debug!(%database, elapsed_ms, found = catalog.tables.len(), "inspected");
            cache.put(key, catalog);
        }
        Err(error) => {
            tracing::debug!(%database, elapsed_ms, failure = ?error.failure, detail = %error.detail, "inspection failed")
        }
    }
    progress(Progress::Done {
        database,
        cached: false,
    });
    result
}

/// One engine's inspection, bounded by the probe's timeout whatever the
/// engine does (a black-holed address must yield one diagnostic in time).
pub async fn inspect(engine: Engine, probe: &Probe) -> Result<Catalog, InspectError> {
    let work = async {
        match engine {
            Engine::Postgres => postgres::inspect(probe).await,
            Engine::Mysql => mysql::inspect(probe).await,
            Engine::Sqlite => sqlite::inspect(probe).await,
        }
    };
    match tokio::time::timeout(probe.timeout, work).await {
        Ok(result) => result,
        Err(_) => Err(InspectError {
            failure: Failure::TimedOut,
            detail: format!("no answer within {} ms", probe.timeout.as_millis()),
        }),
    }
}
