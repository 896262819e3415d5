//! Lowering of `system.databases`.

use super::lower::{entry_span, Lowerer};
use super::{Database, DatabaseOrigin, Engine, Pool};
use crate::span::Spanned;
use crate::yaml::Node;

pub(super) fn lower_databases(cx: &Lowerer, node: &Node) -> Vec<Database> {
    let Some(entries) = node.as_mapping() else {
        return Vec::new();
    };
    entries
        .iter()
        .map(|entry| {
            let db = &entry.value;
            let engine = db.get("engine").and_then(|n| cx.scalar(n));
            let url = db.get("url").and_then(|n| cx.scalar(n));
            let pool = db.get("pool");
            let pool_int = |key: &str| pool.and_then(|p| p.get(key)).and_then(|n| cx.int(n));
            Database {
                name: Spanned::new(entry.key.clone(), entry.key_span),
                span: entry_span(entry),
                engine_kind: engine.as_ref().and_then(|e| Engine::parse(&e.value)),
                engine,
                url,
                pool: Pool {
                    max_connections: pool_int("max_connections"),
                    min_connections: pool_int("min_connections"),
                    acquire_timeout_ms: pool_int("acquire_timeout_ms"),
                },
                migrations: db.get("migrations").and_then(|n| cx.scalar(n)),
                origin: DatabaseOrigin::Declared,
            }
        })
        .collect()
}
