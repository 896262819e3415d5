//! Synthetic blueprints of any size, for benchmarks and scale tests.
//!
//! The shape is a realistic one: groups of APIEndpoint -> Controller ->
//! Store (with a Transformer feeding an Accumulator on every fourth group),
//! a schema per group, a few databases. About 30 lines per component.

use std::fmt::Write;

/// A valid blueprint with `components` components (rounded up to whole
/// groups of three).
pub fn large_blueprint(components: usize) -> String {
    let groups = components.div_ceil(3);
    let mut out = String::with_capacity(components * 1200);
    out.push_str("schema_version: \"1.0.0\"\nmetadata:\n  natural_language_description: Synthetic system for scale tests\n");
    out.push_str("system:\n  name: synthetic_system\n  description: Many stores behind REST endpoints\n  version: 1.0.0\n");
    out.push_str("  databases:\n");
    for d in 0..4 {
        let _ = write!(
            out,
            "    db_{d}:\n      engine: postgres\n      url: ${{DATABASE_URL_{d}:-postgres://localhost:5432/app_{d}}}\n      pool: {{ max_connections: 20, min_connections: 2, acquire_timeout_ms: 3000 }}\n      migrations: auto\n"
        );
    }
    out.push_str("  components:\n");
    for g in 0..groups {
        let _ = write!(
            out,
            r#"    - name: api_{g}
      type: APIEndpoint
      description: REST endpoint number {g} for its records
      configuration:
        port: {port}
      outputs:
        - name: requests
          schema: Record{g}
          flow_type: request_response
    - name: controller_{g}
      type: Controller
      description: Routes requests of endpoint {g} to its store
      inputs:
        - name: requests
          schema: Record{g}
          flow_type: request_response
      outputs:
        - name: writes
          schema: Record{g}
    - name: store_{g}
      type: Store
      description: Keeps the records of group {g}
      configuration:
        database: db_{db}
        table: records_{g}
        key: id
      inputs:
        - name: writes
          schema: Record{g}
"#,
            port = 8000 + (g % 1000),
            db = g % 4,
        );
    }
    out.push_str("  bindings:\n");
    for g in 0..groups {
        let _ = write!(out, "    - from: api_{g}.requests\n      to: controller_{g}.requests\n    - from: controller_{g}.writes\n      to: store_{g}.writes\n");
    }
    out.push_str("schemas:\n");
    for g in 0..groups {
        let _ = write!(
            out,
            r#"  Record{g}:
    type: object
    properties:
      id: {{ type: string, format: uuid }}
      title: {{ type: string, maxLength: 200 }}
      amount: {{ type: number }}
      done: {{ type: boolean, default: false }}
    required: [id, title]
"#
        );
    }
    out
}

/// `text` with one component's description changed (a one-component edit
/// in the middle of the file).
pub fn edit_one_component(text: &str, marker: &str) -> String {
    let needle = "Routes requests of endpoint ";
    let middle = text.len() / 2;
    let at = text[middle..].find(needle).map_or(0, |i| middle + i);
    let mut edited = text.to_owned();
    edited.insert_str(at + needle.len(), marker);
    edited
}
