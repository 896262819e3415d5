//! Embeds the runtime crate in the generator, so `blueprint generate` can
//! write a copy of it into each project (which then builds anywhere,
//! Docker included, without a path back to this repository).
//!
//! The runtime's Cargo.toml takes its dependency versions from this
//! workspace (`workspace = true`); a copy standing alone needs them
//! spelled out, so they are resolved here, from the same two files cargo
//! reads. The generated project's own dependencies (tokio, axum, ...) come
//! from the workspace table too, so versions never drift apart.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use toml_edit::{DocumentMut, Item, Table, Value};

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let runtime = manifest_dir.join("runtime");
    let workspace = manifest_dir.join("..");
    println!("cargo:rerun-if-changed={}", runtime.join("src").display());
    println!(
        "cargo:rerun-if-changed={}",
        runtime.join("Cargo.toml").display()
    );
    println!(
        "cargo:rerun-if-changed={}",
        workspace.join("Cargo.toml").display()
    );
    println!(
        "cargo:rerun-if-changed={}",
        workspace.join("Cargo.lock").display()
    );

    let mut files = Vec::new();
    collect(&runtime.join("src"), &runtime, &mut files);
    files.sort();

    let workspace_toml: DocumentMut = read(&workspace.join("Cargo.toml"))
        .parse()
        .expect("the workspace Cargo.toml parses");
    let workspace_deps = workspace_toml["workspace"]["dependencies"]
        .as_table()
        .expect("[workspace.dependencies]")
        .clone();
    let runtime_toml: DocumentMut = read(&runtime.join("Cargo.toml"))
        .parse()
        .expect("the runtime Cargo.toml parses");

    let mut out = String::new();
    out.push_str("/// The runtime's sources: (path inside the crate, contents).\npub const RUNTIME_FILES: &[(&str, &str)] = &[\n");
    for (rel, abs) in &files {
        writeln!(out, "    ({rel:?}, include_str!({abs:?})),").unwrap();
    }
    out.push_str("];\n\n");
    writeln!(
        out,
        "/// The runtime's Cargo.toml with every version spelled out.\npub const RUNTIME_CARGO_TOML: &str = {:?};\n",
        standalone_runtime_manifest(&runtime_toml, &workspace_deps)
    )
    .unwrap();
    for name in ["tokio", "axum", "serde_json", "tracing", "reqwest"] {
        let spec = workspace_deps
            .get(name)
            .unwrap_or_else(|| panic!("workspace dependency {name}"));
        writeln!(
            out,
            "/// The workspace's `{name}` requirement, as an inline TOML value.\npub const DEP_{}: &str = {:?};",
            name.to_uppercase(),
            inline(spec).to_string().trim()
        )
        .unwrap();
    }
    let lock = workspace.join("Cargo.lock");
    writeln!(
        out,
        "\n/// This workspace's lock file: the versions the runtime is tested with.\npub const WORKSPACE_LOCK: &str = include_str!({:?});",
        lock.canonicalize().unwrap_or(lock).display().to_string()
    )
    .unwrap();
    let dest =
        PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it")).join("runtime_files.rs");
    fs::write(dest, out).expect("OUT_DIR is writable");
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every file under `dir`, as (path relative to `root`, absolute path).
fn collect(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|e| e.path());
    for entry in entries {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, root, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path
                .strip_prefix(root)
                .expect("under root")
                .to_string_lossy()
                .replace('\\', "/");
            let abs = path.canonicalize().unwrap_or(path).display().to_string();
            out.push((rel, abs));
        }
    }
}

/// A dependency item as an inline value.
fn inline(item: &Item) -> Value {
    match item {
        Item::Value(v) => v.clone(),
        Item::Table(t) => {
            let mut t = t.clone().into_inline_table();
            t.fmt();
            Value::InlineTable(t)
        }
        _ => panic!("unexpected dependency shape"),
    }
}

/// [package], [lib] and [dependencies] of the runtime, with `workspace =
/// true` replaced by the workspace's requirement (features merged).
fn standalone_runtime_manifest(runtime: &DocumentMut, workspace_deps: &Table) -> String {
    let mut doc = DocumentMut::new();
    let package = runtime["package"].as_table().expect("[package]");
    let mut pkg = Table::new();
    pkg["name"] = toml_edit::value("blueprint-runtime");
    pkg["version"] = toml_edit::value("0.1.0");
    pkg["edition"] = toml_edit::value("2021");
    pkg["publish"] = toml_edit::value(false);
    if let Some(d) = package.get("description") {
        pkg["description"] = d.clone();
    }
    doc["package"] = Item::Table(pkg);
    if let Some(lib) = runtime.get("lib") {
        doc["lib"] = lib.clone();
    }
    let mut deps = Table::new();
    for (name, spec) in runtime["dependencies"].as_table().expect("[dependencies]") {
        let mut value = inline(spec);
        let from_workspace = value
            .as_inline_table()
            .and_then(|t| t.get("workspace"))
            .and_then(|w| w.as_bool())
            == Some(true);
        if from_workspace {
            let local = value.as_inline_table().cloned().unwrap_or_default();
            let mut resolved = match inline(
                workspace_deps
                    .get(name)
                    .unwrap_or_else(|| panic!("workspace dependency {name}")),
            ) {
                Value::String(v) => {
                    let mut t = toml_edit::InlineTable::new();
                    t.insert("version", Value::String(v));
                    t
                }
                Value::InlineTable(t) => t,
                _ => panic!("unexpected workspace dependency shape for {name}"),
            };
            for (k, v) in local.iter() {
                match k {
                    "workspace" => {}
                    "features" => {
                        let mut all: Vec<String> = resolved
                            .get("features")
                            .and_then(|f| f.as_array())
                            .map(|a| {
                                a.iter()
                                    .filter_map(|v| v.as_str().map(str::to_owned))
                                    .collect()
                            })
                            .unwrap_or_default();
                        for f in v.as_array().into_iter().flatten() {
                            if let Some(f) = f.as_str() {
                                if !all.iter().any(|a| a == f) {
                                    all.push(f.to_owned());
                                }
                            }
                        }
                        resolved.insert("features", Value::Array(all.into_iter().collect()));
                    }
                    _ => {
                        resolved.insert(k, v.clone());
                    }
                }
            }
            resolved.fmt();
            value = Value::InlineTable(resolved);
        }
        deps[name] = Item::Value(value);
    }
    doc["dependencies"] = Item::Table(deps);
    doc.to_string()
}
