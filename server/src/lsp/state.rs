//! What the server knows: open documents, the latest analysis of every
//! blueprint (open or only on disk), and the latest pre-flight results.
//!
//! Everything here is shared between concurrently running handlers; maps
//! are `DashMap`s whose guards never live across an `.await`, and analysis
//! results are immutable `Arc`s swapped in whole.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use blueprint_grammars::model::Blueprint;
use blueprint_grammars::{LineIndex, SourceText};
use dashmap::DashMap;
use tower_lsp_server::ls_types::{Diagnostic as LspDiagnostic, Uri};

use super::documents::{Documents, Snapshot};
use super::position::{PositionEncoding, Positions};
use crate::analysis::{Analyzer, Diagnostic};

/// One analysis of one version of a file.
pub struct FileAnalysis {
    pub snapshot: Snapshot,
    pub lines: LineIndex,
    pub diagnostics: Vec<Diagnostic>,
    pub blueprint: Blueprint,
}

impl FileAnalysis {
    pub fn positions(&self, encoding: PositionEncoding) -> Positions<'_> {
        Positions::new(&self.snapshot.text, &self.lines, encoding)
    }
}

#[derive(Default)]
pub struct State {
    pub documents: Documents,
    encoding: OnceLock<PositionEncoding>,
    /// The latest analysis of each file.
    pub analyses: DashMap<Uri, Arc<FileAnalysis>>,
    /// The latest pre-flight diagnostics of each file, already in LSP form
    /// (they keep their positions until the next pre-flight).
    pub preflight: DashMap<Uri, Vec<LspDiagnostic>>,
    /// The text each file's latest pre-flight ran on (see
    /// [`State::preflight_for`]).
    pub preflight_text: DashMap<Uri, Arc<str>>,
    /// What the latest pre-flight of each file learnt of its servers.
    pub servers: DashMap<Uri, Vec<crate::preflight::Inspection>>,
    /// One analyzer per file, so re-checks reuse the previous parse and the
    /// per-component memo. Locked only inside blocking tasks.
    analyzers: DashMap<Uri, Arc<Mutex<Analyzer>>>,
    /// The workspace folders, for the start-up scan.
    pub roots: Mutex<Vec<PathBuf>>,
    /// The client resolves code actions' edits lazily
    /// (`codeAction/resolve` with `resolveSupport.properties: ["edit"]`):
    /// large edits (generating a system) are sent only when chosen.
    pub resolves_edits: std::sync::atomic::AtomicBool,
    /// The client pulls diagnostics and handles
    /// `workspace/diagnostic/refresh`: what it pulled goes stale when the
    /// server learns something between edits (pre-flight, live warnings).
    pub diagnostic_refresh: std::sync::atomic::AtomicBool,
    /// Live metrics of the running systems (see [`super::live`]).
    pub live: super::live::Live,
    /// What the client configured (see [`super::settings`]).
    settings: std::sync::RwLock<super::settings::Settings>,
    /// The latest `blueprint/status` sent (see [`super::status`]).
    pub status: super::status::Board,
}

impl State {
    pub fn set_encoding(&self, encoding: PositionEncoding) {
        let _ = self.encoding.set(encoding);
    }

    pub fn encoding(&self) -> PositionEncoding {
        self.encoding
            .get()
            .copied()
            .unwrap_or(PositionEncoding::Utf16)
    }

    pub fn settings(&self) -> super::settings::Settings {
        self.settings.read().map(|s| s.clone()).unwrap_or_default()
    }

    /// Replaces the settings; live metrics take theirs from them.
    pub fn set_settings(&self, settings: super::settings::Settings) {
        self.live.set_settings(settings.live.clone());
        if let Ok(mut s) = self.settings.write() {
            *s = settings;
        }
    }

    /// The variables the blueprint at `path` sees: the environment, then
    /// the client's env file (`.env` unless configured).
    pub fn environment(
        &self,
        path: &std::path::Path,
    ) -> (blueprint_grammars::interpolate::Environment, Option<String>) {
        crate::environment::for_blueprint_with(path, &self.settings().env_file)
    }

    /// Analyses `snapshot` (blocking: call from `spawn_blocking`).
    pub fn analyze(&self, snapshot: Snapshot) -> Arc<FileAnalysis> {
        let analyzer = self
            .analyzers
            .entry(snapshot.uri.clone())
            .or_default()
            .clone();
        let path = snapshot.uri.to_file_path().map(|p| p.into_owned());
        let (env, _) = match &path {
            Some(path) => self.environment(path),
            None => (Default::default(), None),
        };
        let source = SourceText::new(snapshot.text.to_string());
        let mut analysis = match analyzer.lock() {
            Ok(mut analyzer) => analyzer.check(&source, &env),
            // A panic in an earlier check poisoned the lock: start afresh.
            Err(_) => Analyzer::default().check(&source, &env),
        };
        // Generated code beside the blueprint (BP230/BP231): a few stats,
        // first lines only when a module changed.
        if let Some(path) = &path {
            let before = analysis.diagnostics.len();
            crate::analysis::generated::check_generated(
                path,
                source.as_str(),
                &analysis.blueprint,
                &mut analysis.diagnostics,
            );
            if analysis.diagnostics.len() != before {
                crate::analysis::sort(&mut analysis.diagnostics);
            }
        }
        let lines = LineIndex::new(&snapshot.text);
        Arc::new(FileAnalysis {
            snapshot,
            lines,
            diagnostics: analysis.diagnostics,
            blueprint: analysis.blueprint,
        })
    }

    /// The latest analysis of an open document at its current version,
    /// computing it now if the debounced run has not caught up.
    pub async fn current_analysis(self: &Arc<Self>, uri: &Uri) -> Option<Arc<FileAnalysis>> {
        let Some(snapshot) = self.documents.snapshot(uri) else {
            return self.analyses.get(uri).map(|a| a.clone());
        };
        if let Some(latest) = self.analyses.get(uri).map(|a| a.clone()) {
            if latest.snapshot.generation == snapshot.generation
                && latest.snapshot.version == snapshot.version
            {
                return Some(latest);
            }
        }
        let state = self.clone();
        let analysis = tokio::task::spawn_blocking(move || state.analyze(snapshot))
            .await
            .ok()?;
        self.store(uri, analysis.clone());
        Some(analysis)
    }

    /// Keeps `analysis` unless a newer one is already stored.
    pub fn store(&self, uri: &Uri, analysis: Arc<FileAnalysis>) {
        let newer = self.analyses.get(uri).is_some_and(|a| {
            a.snapshot.version.is_some()
                && a.snapshot.version > analysis.snapshot.version
                && a.snapshot.generation >= analysis.snapshot.generation
        });
        if !newer {
            self.analyses.insert(uri.clone(), analysis);
        }
    }

    /// The latest pre-flight diagnostics of `uri`, placed on the text of
    /// `analysis` (edits since the pre-flight ran move them, see
    /// [`super::remap`]); `None` before the first pre-flight.
    pub fn preflight_for(&self, uri: &Uri, analysis: &FileAnalysis) -> Option<Vec<LspDiagnostic>> {
        let found = self.preflight.get(uri).map(|d| d.clone())?;
        let Some(old) = self.preflight_text.get(uri).map(|t| t.clone()) else {
            return Some(found);
        };
        Some(super::remap::diagnostics(
            &found,
            &old,
            &analysis.snapshot.text,
        ))
    }

    pub fn forget(&self, uri: &Uri) {
        self.analyses.remove(uri);
        self.preflight.remove(uri);
        self.preflight_text.remove(uri);
        self.servers.remove(uri);
        self.analyzers.remove(uri);
    }
}
