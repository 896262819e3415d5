//! Per-component memoisation of L2 results.
//!
//! A component's results depend on its own text and on the schemas and
//! databases it may refer to. The key is therefore (digest of the
//! component's text, digest of that context). Results are stored with spans
//! relative to the component's start and moved to wherever the component is
//! now, so an edit above a component does not invalidate it.
//!
//! Each run keeps only the entries it used, so the memo never holds more
//! than one file's worth of results.

use std::collections::HashMap;

use blueprint_grammars::model::Component;
use xxhash_rust::xxh3::Xxh3;

use super::context::Context;
use super::Diagnostic;

#[derive(Default)]
pub struct ComponentMemo {
    previous: HashMap<(u64, u64), Vec<Diagnostic>>,
    current: HashMap<(u64, u64), Vec<Diagnostic>>,
    /// How many lookups were answered from the memo in the last run.
    pub hits: usize,
}

impl ComponentMemo {
    /// The memo for a new run: last run's entries become the ones to reuse.
    pub fn into_next_run(self) -> Self {
        ComponentMemo {
            previous: self.current,
            current: HashMap::new(),
            hits: 0,
        }
    }

    pub fn get_or_compute(
        &mut self,
        component: &Component,
        context: u64,
        compute: impl FnOnce(&mut Vec<Diagnostic>),
    ) -> Vec<Diagnostic> {
        let key = (component.digest, context);
        let start = component.span.start as isize;
        let relative = match self
            .previous
            .remove(&key)
            .or_else(|| self.current.get(&key).cloned())
        {
            Some(found) => {
                self.hits += 1;
                found
            }
            None => {
                let mut out = Vec::new();
                compute(&mut out);
                out.into_iter().map(|d| d.shifted(-start)).collect()
            }
        };
        let absolute = relative.iter().cloned().map(|d| d.shifted(start)).collect();
        self.current.insert(key, relative);
        absolute
    }
}

/// Digest of what per-component checks read outside the component: the
/// schemas (their text) and the names of the databases.
pub fn context_digest(cx: &Context) -> u64 {
    let mut hasher = Xxh3::new();
    for schema in &cx.blueprint.schemas {
        hasher.update(
            cx.text
                .get(schema.span.start..schema.span.end)
                .unwrap_or("")
                .as_bytes(),
        );
        hasher.update(&[0]);
    }
    if let Some(system) = cx.system() {
        for db in &system.databases {
            hasher.update(db.name.value.as_bytes());
            hasher.update(&[0]);
        }
    }
    hasher.digest()
}
