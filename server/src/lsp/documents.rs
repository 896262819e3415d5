//! The open documents, and the edits that change them.
//!
//! tower-lsp-server runs notification handlers concurrently, so an edit is
//! applied in full, synchronously, in the handler, before its first
//! `.await`: the document's text and version change together, in order.
//! Analysis works on a [`Snapshot`] (an immutable copy) and never holds a
//! map guard across an `.await`.

use std::sync::Arc;

use dashmap::DashMap;
use ropey::Rope;
use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};

use super::position::{rope_offset, PositionEncoding};

/// One open document.
pub struct Document {
    pub text: Rope,
    pub version: i32,
    /// Bumped on every change; a task that finds it moved knows its work is
    /// stale and drops it.
    pub generation: u64,
}

/// An immutable copy of a document at one version, for analysis.
#[derive(Clone)]
pub struct Snapshot {
    pub uri: Uri,
    pub text: Arc<str>,
    pub version: Option<i32>,
    pub generation: u64,
}

#[derive(Default)]
pub struct Documents {
    open: DashMap<Uri, Document>,
}

impl Documents {
    pub fn open(&self, uri: Uri, text: &str, version: i32) -> u64 {
        let generation = self.open.get(&uri).map_or(0, |d| d.generation + 1);
        self.open.insert(
            uri,
            Document {
                text: Rope::from_str(text),
                version,
                generation,
            },
        );
        generation
    }

    /// Applies `changes` in order. Returns the new generation, or `None`
    /// for a document that is not open (the change is ignored: a client bug
    /// must not crash the server).
    pub fn change(
        &self,
        uri: &Uri,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
        encoding: PositionEncoding,
    ) -> Option<u64> {
        let mut doc = self.open.get_mut(uri)?;
        for change in changes {
            match change.range {
                None => doc.text = Rope::from_str(&change.text),
                Some(range) => {
                    let start = rope_offset(&doc.text, range.start, encoding);
                    let end = rope_offset(&doc.text, range.end, encoding).max(start);
                    let start_char = doc.text.byte_to_char(start);
                    let end_char = doc.text.byte_to_char(end);
                    doc.text.remove(start_char..end_char);
                    doc.text.insert(start_char, &change.text);
                }
            }
        }
        doc.version = version;
        doc.generation += 1;
        Some(doc.generation)
    }

    /// A new generation for an unchanged text: what it was analysed with
    /// changed (the env file), so analyses already under way are stale.
    pub fn touch(&self, uri: &Uri) -> Option<u64> {
        let mut doc = self.open.get_mut(uri)?;
        doc.generation += 1;
        Some(doc.generation)
    }

    pub fn close(&self, uri: &Uri) {
        self.open.remove(uri);
    }

    pub fn snapshot(&self, uri: &Uri) -> Option<Snapshot> {
        let doc = self.open.get(uri)?;
        Some(Snapshot {
            uri: uri.clone(),
            text: Arc::from(doc.text.to_string()),
            version: Some(doc.version),
            generation: doc.generation,
        })
    }

    /// Whether `generation` is still the document's current one.
    pub fn is_current(&self, uri: &Uri, generation: u64) -> bool {
        self.open
            .get(uri)
            .is_some_and(|d| d.generation == generation)
    }

    pub fn is_open(&self, uri: &Uri) -> bool {
        self.open.contains_key(uri)
    }

    pub fn uris(&self) -> Vec<Uri> {
        self.open.iter().map(|e| e.key().clone()).collect()
    }
}
