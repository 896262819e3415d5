//! L2: generated code that no longer matches the blueprint (BP230) or is
//! missing for a component (BP231).
//!
//! Only when the blueprint's path is known (the CLI, and the language
//! server for `file:` documents): the generated system lives at
//! `system::default_output_dir(path, blueprint)`. Each generated module's
//! first line carries the digest of the blueprint slice it came from
//! (`blueprint_generator::header`); the component is stale when that digest
//! differs from `system::component_digest` of the text now.
//!
//! This runs on every keystroke in the editor, so it reads as little as it
//! can: one `stat` of the manifest, one of each component's module, and the
//! first line of a module only when its modification time changed since
//! the last read (a small process-wide cache).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::SystemTime;

use blueprint_generator::system;
use blueprint_grammars::model::{Blueprint, Component};

use super::diagnostic::Diagnostic;
use super::rules;

/// Where a component's generated module is, and what was found there.
pub fn check_generated(
    blueprint_path: &Path,
    text: &str,
    blueprint: &Blueprint,
    out: &mut Vec<Diagnostic>,
) {
    let Some(dir) = system::default_output_dir(blueprint_path, blueprint) else {
        return;
    };
    // Never generated (the usual case while writing a blueprint): one stat.
    let generated = dir.join(blueprint_generator::MANIFEST_PATH).is_file();
    if !generated && !dir.is_dir() {
        return;
    }
    let components = blueprint.system.iter().flat_map(|s| &s.components);
    let mut seen = std::collections::HashSet::new();
    for component in components {
        let Some(name) = component.name.as_ref() else {
            continue;
        };
        // Duplicates are BP120's; a name that is not a plain file name is
        // not one the generator writes a module for.
        if !is_module_name(&name.value) || !seen.insert(name.value.as_str()) {
            continue;
        }
        let relative = system::generated_module_path(&name.value);
        let module = dir.join(&relative);
        let shown = format!("{}/{relative}", dir_name(&dir));
        match module_digest(&module) {
            Found::Missing if generated => out.push(
                Diagnostic::new(
                    &rules::GENERATED_COMPONENT_MISSING,
                    name.span,
                    format!(
                        "component `{}` has no generated code: {shown} does not exist",
                        name.value
                    ),
                )
                .with_help(regenerate_help(blueprint_path)),
            ),
            Found::Digest(on_disk) if on_disk != digest(text, blueprint, component) => out.push(
                Diagnostic::new(
                    &rules::GENERATED_COMPONENT_STALE,
                    name.span,
                    format!(
                        "the generated code of component `{}` is out of date: the blueprint changed since {shown} was generated",
                        name.value
                    ),
                )
                .with_help(regenerate_help(blueprint_path)),
            ),
            _ => {}
        }
    }
}

fn digest(text: &str, blueprint: &Blueprint, component: &Component) -> u64 {
    system::component_digest(text, blueprint, component)
}

fn regenerate_help(blueprint_path: &Path) -> String {
    let file = blueprint_path
        .file_name()
        .map_or_else(|| "<file>".into(), |f| f.to_string_lossy().into_owned());
    format!("run `blueprint generate {file}`, or the editor's \"Regenerate component\" action")
}

fn dir_name(dir: &Path) -> String {
    dir.file_name().map_or_else(
        || dir.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// A component name the generator turns into `src/generated/<name>.rs`.
pub fn is_module_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\', '\0'])
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Found {
    Missing,
    /// There, but without a well-formed header: not ours to judge.
    NoHeader,
    Digest(u64),
}

type Cache = Mutex<HashMap<PathBuf, (SystemTime, u64, Found)>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// The header digest of the module at `path`, reading its first line only
/// when the file changed (by modification time and length) since the last
/// look.
fn module_digest(path: &Path) -> Found {
    let Ok(meta) = std::fs::metadata(path) else {
        if let Ok(mut cache) = cache().lock() {
            cache.remove(path);
        }
        return Found::Missing;
    };
    if !meta.is_file() {
        return Found::Missing;
    }
    let mtime = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
    let len = meta.len();
    if let Ok(cache) = cache().lock() {
        if let Some(&(t, l, found)) = cache.get(path) {
            if t == mtime && l == len {
                return found;
            }
        }
    }
    let found = match read_first_line(path) {
        Some(line) => {
            blueprint_generator::header_digest(&line).map_or(Found::NoHeader, Found::Digest)
        }
        None => Found::Missing,
    };
    if let Ok(mut cache) = cache().lock() {
        // Bounded: a workspace has few generated modules, but a long
        // session renames components.
        if cache.len() > 4096 {
            cache.clear();
        }
        cache.insert(path.to_path_buf(), (mtime, len, found));
    }
    found
}

/// The first line (at most 1 KiB of it: a header is shorter).
fn read_first_line(path: &Path) -> Option<String> {
    let file = std::fs::File::open(path).ok()?;
    let mut reader = BufReader::new(file.take(1024));
    let mut bytes = Vec::new();
    reader.read_until(b'\n', &mut bytes).ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use blueprint_grammars::{model, yaml};

    const TEXT: &str = "\
system:
  name: shop
  components:
    - name: orders
      type: Store
    - name: api
      type: APIEndpoint
";

    fn diagnostics(blueprint_path: &Path, text: &str) -> Vec<Diagnostic> {
        let parsed = yaml::parse(text);
        let blueprint = model::lower(parsed.root.as_ref(), text);
        let mut out = Vec::new();
        check_generated(blueprint_path, text, &blueprint, &mut out);
        out
    }

    fn current_digest(text: &str, name: &str) -> u64 {
        let parsed = yaml::parse(text);
        let blueprint = model::lower(parsed.root.as_ref(), text);
        let c = blueprint
            .system
            .as_ref()
            .unwrap()
            .components
            .iter()
            .find(|c| c.name_str() == Some(name))
            .unwrap();
        system::component_digest(text, &blueprint, c)
    }

    fn write_module(dir: &Path, name: &str, digest: u64) {
        let path = dir.join(system::generated_module_path(name));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let header = blueprint_generator::header(name, digest, &system::user_module_path(name));
        std::fs::write(path, format!("{header}pub struct X;\n")).unwrap();
    }

    #[test]
    fn never_generated_is_silent() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("shop.blueprint.yaml");
        assert!(diagnostics(&file, TEXT).is_empty());
    }

    #[test]
    fn stale_missing_and_current() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("shop.blueprint.yaml");
        let out = tmp.path().join("shop");
        // A module with the current digest, no manifest: nothing to say,
        // and `api` without a module is not missing (never generated).
        write_module(&out, "orders", current_digest(TEXT, "orders"));
        assert!(diagnostics(&file, TEXT).is_empty());

        // Generated (manifest present): `api` is missing.
        std::fs::create_dir_all(out.join(".blueprint")).unwrap();
        std::fs::write(out.join(blueprint_generator::MANIFEST_PATH), "{}").unwrap();
        let found = diagnostics(&file, TEXT);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].rule.code, "BP231");
        assert_eq!(&TEXT[found[0].span.start..found[0].span.end], "api");
        assert!(found[0]
            .help
            .as_ref()
            .unwrap()
            .contains("blueprint generate shop.blueprint.yaml"));

        // The text changes; `orders`'s module is now stale.
        write_module(&out, "api", current_digest(TEXT, "api"));
        let changed = TEXT.replace("type: Store", "type: Store\n      description: all orders");
        let found = diagnostics(&file, &changed);
        let codes: Vec<_> = found.iter().map(|d| d.rule.code).collect();
        assert_eq!(codes, ["BP230"], "{found:?}");
        assert_eq!(&changed[found[0].span.start..found[0].span.end], "orders");

        // Regenerated (new header): current again, through the cache.
        write_module(&out, "orders", current_digest(&changed, "orders"));
        // Same length, maybe the same mtime: the cache key must still see
        // it, so make sure the length differs when the clock is coarse.
        let path = out.join(system::generated_module_path("orders"));
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("{text}\n")).unwrap();
        assert!(diagnostics(&file, &changed).is_empty());
    }

    #[test]
    fn a_module_without_header_is_not_judged() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("shop.blueprint.yaml");
        let path = tmp
            .path()
            .join("shop")
            .join(system::generated_module_path("orders"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "pub struct Orders;\n").unwrap();
        assert!(diagnostics(&file, TEXT).is_empty());
    }

    #[test]
    fn module_names() {
        assert!(is_module_name("task_store"));
        assert!(!is_module_name("../x"));
        assert!(!is_module_name(""));
        assert!(!is_module_name(".."));
    }
}
