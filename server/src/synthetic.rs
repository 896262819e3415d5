//! Synthetic blueprints of any size, for benchmarks and scale tests.
//!
//! The shape is a realistic one: groups of APIEndpoint -> Controller ->
//! Store //! a schema per group, a few databases. About 30 lines per component, as
//! real blueprints have.

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
      description: >
        REST endpoint number {g} for its records:
        create, read, list, update and delete.
      configuration:
        port: {port}
        host: 127.0.0.1
        base_path: /v1/group_{g}
        request_timeout_ms: 5000
        max_page_size: 100
      outputs:
        - name: requests
          schema: Record{g}
          flow_type: request_response
          description: Requests for the records of group {g}
    - name: controller_{g}
      type: Controller
      description: >
        Routes requests of endpoint {g} to its store
        and shapes the replies.
      configuration:
        concurrency: 8
        timeout_ms: 2000
      inputs:
        - name: requests
          schema: Record{g}
          flow_type: request_response
          description: Requests from the endpoint
      outputs:
        - name: writes
          schema: Record{g}
          flow_type: push
          description: Records to persist
    - name: store_{g}
      type: Store
      description: >
        Keeps the records of group {g}
        in their own table.
      configuration:
        database: db_{db}
        table: records_{g}
        key: id
        batch_size: 50
      inputs:
        - name: writes
          schema: Record{g}
          description: Records to persist
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
    description: A record of group {g}
    properties:
      id:
        type: string
        format: uuid
      title:
        type: string
        maxLength: 200
      body:
        type: string
      amount:
        type: number
        minimum: 0
      quantity:
        type: integer
      done:
        type: boolean
        default: false
      created_at:
        type: string
        format: date-time
      updated_at:
        type: string
        format: date-time
      status:
        type: string
        enum: [open, closed]
      tags:
        type: array
        items: {{ type: string }}
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis;
    use blueprint_grammars::SourceText;

    #[test]
    fn synthetic_blueprints_are_clean_and_about_30_lines_per_component() {
        let text = large_blueprint(30);
        let diagnostics = analysis::check(&SourceText::new(text.clone()), &Default::default());
        assert!(diagnostics.is_empty(), "{diagnostics:#?}");
        let per_component = text.lines().count() / 30;
        assert!(
            (25..=40).contains(&per_component),
            "{per_component} lines per component"
        );
        let edited = edit_one_component(&text, "x");
        assert_eq!(edited.len(), text.len() + 1);
    }
}
