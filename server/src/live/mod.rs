//! Live metrics from a running generated system (DESIGN.md "Live metrics",
//! issue 6): scrape its `/metrics`, parse the exposition, and turn two
//! consecutive scrapes into per-component figures for inlay hints and
//! hovers. No LSP types here; the language server (`lsp::live`) calls into
//! this.
//!
//! - [`exposition`]: Prometheus 0.0.4 / OpenMetrics 1.0 text → samples and
//!   families (our own bounded, property-tested parser; why is in its doc).
//! - [`scrape`]: one HTTP scrape with a hard timeout and a body cap.
//! - [`histogram`]: `histogram_quantile` semantics, bucket and counter
//!   deltas with counter resets.
//! - [`figures`]: per-component and per-database figures over a window,
//!   and their inlay text and hover table.
//! - [`findings`]: the warnings a window's figures raise (pool saturated,
//!   acquire timeouts, error rate, components not reported).

pub mod exposition;
pub mod figures;
pub mod findings;
pub mod histogram;
pub mod scrape;

pub use figures::{figures, ComponentFigures, DatabaseFigures, Figures};
pub use findings::{findings, Finding, FindingKind, Thresholds};
pub use scrape::{scrape, Scrape, ScrapeError};
