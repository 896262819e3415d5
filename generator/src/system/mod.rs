//! Blueprint → the files of a runnable system (see
//! `generator/docs/generated-system.md` for the contract).

use std::path::{Path, PathBuf};

use blueprint_grammars::model::{Blueprint, Component};

use crate::plan::Produced;

/// Why a blueprint could not be generated. Validation errors are the
/// caller's to report first (the server runs the tiers); these are what is
/// left: a blueprint with no system, or a part the generator cannot place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenerateError {
    #[error("the blueprint has no `system` with a name")]
    NoSystem,
    #[error("{0}")]
    Unsupported(String),
}

/// Every file of the generated project, with its kind (generated or
/// user-owned), for [`crate::plan`].
pub fn generate(text: &str) -> Result<Vec<Produced>, GenerateError> {
    let _ = text;
    Err(GenerateError::Unsupported("not yet".into()))
}

/// The digest a component's generated module carries in its header: its own
/// text and every schema and database it uses.
pub fn component_digest(text: &str, blueprint: &Blueprint, component: &Component) -> u64 {
    let _ = (text, blueprint);
    component.digest
}

/// `src/generated/<name>.rs`, relative to the output directory.
pub fn generated_module_path(component: &str) -> String {
    format!("src/generated/{component}.rs")
}

/// `src/components/<name>.rs`, relative to the output directory.
pub fn user_module_path(component: &str) -> String {
    format!("src/components/{component}.rs")
}

/// Where `generate` writes when no `-o` is given:
/// `<directory of the blueprint>/<system name>`.
pub fn default_output_dir(blueprint_path: &Path, blueprint: &Blueprint) -> Option<PathBuf> {
    let name = blueprint.system.as_ref()?.name.as_ref()?.value.clone();
    let dir = blueprint_path.parent().unwrap_or(Path::new("."));
    Some(dir.join(name))
}
