//! Memoisation of per-item results: components (their L1 structure and L2
//! checks) and schema definitions.
//!
//! A component's results depend on its own text and on the schemas and
//! databases it may refer to, so its key is (digest of its text, digest of
//! that context). A schema definition reads nothing outside itself, so its
//! key is the digest of its text. Results are stored with spans relative to
//! the item's start and moved to wherever the item is now, so an edit above
//! an item does not invalidate it.
//!
//! Each run keeps only the entries it used, so the memo never holds more
//! than one file's worth of results.

use std::collections::HashMap;

use blueprint_grammars::model::Component;
use xxhash_rust::xxh3::{xxh3_64, Xxh3};

use super::context::Context;
use super::Diagnostic;

/// The second half of a self-contained item's key, telling it apart from
/// a component's.
const SELF_CONTAINED: u64 = 0x5e1f_c0a7_a1ed;

#[derive(Default)]
pub struct Memo {
    previous: HashMap<(u64, u64), Vec<Diagnostic>>,
    current: HashMap<(u64, u64), Vec<Diagnostic>>,
    /// How many lookups were answered from the memo in this run.
    pub hits: usize,
}

impl Memo {
    /// The memo for a new run: last run's entries become the ones to reuse.
    pub fn into_next_run(self) -> Self {
        Memo {
            previous: self.current,
            current: HashMap::new(),
            hits: 0,
        }
    }

    /// The diagnostics of one component, memoised on its text and on the
    /// `context` digest of what it reads outside itself.
    pub fn component(
        &mut self,
        component: &Component,
        context: u64,
        compute: impl FnOnce(&mut Vec<Diagnostic>),
    ) -> Vec<Diagnostic> {
        self.get_or_compute((component.digest, context), component.span.start, compute)
    }

    /// The diagnostics of a piece of text that reads nothing outside itself
    /// (a schema definition) and starts at `start`.
    pub fn self_contained(
        &mut self,
        text: &str,
        start: usize,
        compute: impl FnOnce(&mut Vec<Diagnostic>),
    ) -> Vec<Diagnostic> {
        self.get_or_compute((xxh3_64(text.as_bytes()), SELF_CONTAINED), start, compute)
    }

    fn get_or_compute(
        &mut self,
        key: (u64, u64),
        start: usize,
        compute: impl FnOnce(&mut Vec<Diagnostic>),
    ) -> Vec<Diagnostic> {
        let start = start as isize;
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
