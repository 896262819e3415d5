//! One component's two modules: the generated one (rewritten whole, digest
//! header) and the user-owned one (written once).

use serde_json::Value;

use super::super::ir::{ComponentIr, PortIr, SystemIr};
use super::super::names::{camel, raw_string};
use super::super::{generated_module_path, user_module_path};
use super::{doc_lines, fill, kinds};
use crate::digest::header;

/// `src/generated/<name>.rs`.
pub fn generated_module(system: &SystemIr, c: &ComponentIr) -> String {
    let user = user_module_path(&c.name);
    let mut out = header(&c.name, c.digest, &user);
    let ty = c.kind.as_str();
    out.push_str(&format!("//! `{}` ({ty}): {}\n", c.name, c.kind.summary()));
    if let Some(d) = &c.description {
        out.push_str("//!\n");
        out.push_str(&doc_lines("//!", d));
        out.push('\n');
    }
    out.push_str(&format!(
        "//!\n//! The hooks below have default bodies that implement the type's\n//! behaviour; override them in `{user}`.\n\n"
    ));
    out.push_str(&kinds::module_body(system, c));
    out
}

/// `src/components/<name>.rs`: the user's, written once.
pub fn user_module(c: &ComponentIr) -> String {
    let generated = generated_module_path(&c.name);
    let methods = kinds::hook_signatures(c);
    let listing = if methods.is_empty() {
        "//! (none: this component's behaviour is entirely its configuration)\n".to_owned()
    } else {
        methods
            .iter()
            .map(|m| format!("//! - `{m}`\n"))
            .collect::<String>()
    };
    fill(
        r#"//! Your code for `{{name}}` ({{type}}). Blueprint wrote this file once and
//! never overwrites it. Override any hook of `{{hooks}}` (its
//! default bodies are in `{{generated}}`):
//!
{{listing}}//!
//! If the blueprint changes a port, the trait changes with it and an
//! override of the old hook stops compiling: that is the signal to move
//! your code, nothing is lost.

#[allow(unused_imports)]
use blueprint_runtime::{ComponentError, Value};

#[allow(unused_imports)]
use crate::generated::{{name}}::{{hooks}};

/// State for `{{name}}`'s hooks; add fields as you need them.
#[derive(Default)]
pub struct {{struct}};

impl {{hooks}} for {{struct}} {}
"#,
        &[
            ("name", &c.name),
            ("type", c.kind.as_str()),
            ("hooks", &hooks_trait(c)),
            ("struct", &camel(&c.name)),
            ("generated", &generated),
            ("listing", &listing),
        ],
    )
}

pub fn hooks_trait(c: &ComponentIr) -> String {
    format!("{}Hooks", camel(&c.name))
}

/// `pub static <NAME>: LazyLock<Value>` holding a port's schema.
pub fn schema_static(name: &str, schema: &Value) -> String {
    let text = serde_json::to_string(schema).unwrap_or_else(|_| "{}".into());
    format!(
        "pub static {name}: LazyLock<Value> =\n    LazyLock::new(|| serde_json::from_str({}).expect(\"the schema was valid JSON when generated\"));\n",
        raw_string(&text)
    )
}

/// Name of the static holding a port's schema: `INPUT_SCHEMA` for the port
/// `input` of the inputs, `OUT_<PORT>_SCHEMA` for outputs.
pub fn input_schema_name(p: &PortIr) -> String {
    format!("IN_{}_SCHEMA", p.name.to_ascii_uppercase())
}

pub fn output_schema_name(p: &PortIr) -> String {
    format!("OUT_{}_SCHEMA", p.name.to_ascii_uppercase())
}
