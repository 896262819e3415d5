; Highlighting of system blueprints (*.blueprint.yaml) over the tree-sitter
; YAML grammar.
;
; The file stands alone: editors load it for the language name `blueprint`,
; which has no YAML queries to inherit, so it carries plain YAML highlighting
; first and the blueprint-specific patterns after it. Where captures overlap,
; Neovim lets the later pattern win; the blueprint patterns also raise their
; priority so that holds whatever order an editor applies them in.
;
; Capture names follow Neovim's standard groups:
;   @keyword          top-level sections, and the sections under `system`
;   @function         component names (where declared and where referenced)
;   @type             component types (`type:` of a component)
;   @variable.member  ports: `component.port` in bindings, port names
;   @type.definition  schema names (keys under `schemas`, values of `schema`)
;   @constant         database names (keys under `databases`, `database:`)
;   @string.special   scalars that interpolate `${VAR}`

; ---------------------------------------------------------------------------
; Plain YAML

(boolean_scalar) @boolean

(null_scalar) @constant.builtin

[
  (double_quote_scalar)
  (single_quote_scalar)
  (block_scalar)
  (string_scalar)
] @string

(escape_sequence) @string.escape

[
  (integer_scalar)
  (float_scalar)
] @number

(timestamp_scalar) @number

(comment) @comment

[
  (anchor_name)
  (alias_name)
] @label

(tag) @attribute

[
  (yaml_directive)
  (tag_directive)
  (reserved_directive)
] @keyword.directive

(block_mapping_pair
  key: (flow_node
    [
      (double_quote_scalar)
      (single_quote_scalar)
    ] @property))

(block_mapping_pair
  key: (flow_node
    (plain_scalar
      (string_scalar) @property)))

(flow_pair
  key: (flow_node
    [
      (double_quote_scalar)
      (single_quote_scalar)
    ] @property))

(flow_pair
  key: (flow_node
    (plain_scalar
      (string_scalar) @property)))

[
  ","
  "-"
  ":"
  ">"
  "?"
  "|"
] @punctuation.delimiter

[
  "["
  "]"
  "{"
  "}"
] @punctuation.bracket

[
  "*"
  "&"
  "---"
  "..."
] @punctuation.special

; ---------------------------------------------------------------------------
; Blueprint structure

; Top-level sections: schema_version, metadata, system, schemas, ...
(stream
  (document
    (block_node
      (block_mapping
        (block_mapping_pair
          key: (flow_node
            (plain_scalar
              (string_scalar) @keyword))
          (#set! priority 105))))))

; The sections of `system`.
(block_mapping_pair
  key: (flow_node
    (plain_scalar
      (string_scalar) @_system))
  value: (block_node
    (block_mapping
      (block_mapping_pair
        key: (flow_node
          (plain_scalar
            (string_scalar) @keyword)))))
  (#eq? @_system "system")
  (#any-of? @keyword "components" "bindings" "databases" "schemas" "observability")
  (#set! priority 105))

; ---------------------------------------------------------------------------
; Components: `type` and `name` of each item of `components`

(block_mapping_pair
  key: (flow_node
    (plain_scalar
      (string_scalar) @_components))
  value: (block_node
    (block_sequence
      (block_sequence_item
        (block_node
          (block_mapping
            (block_mapping_pair
              key: (flow_node
                (plain_scalar
                  (string_scalar) @_key))
              value: (flow_node
                (plain_scalar
                  (string_scalar) @type))))))))
  (#eq? @_components "components")
  (#eq? @_key "type")
  (#set! priority 110))

(block_mapping_pair
  key: (flow_node
    (plain_scalar
      (string_scalar) @_components))
  value: (block_node
    (block_sequence
      (block_sequence_item
        (block_node
          (block_mapping
            (block_mapping_pair
              key: (flow_node
                (plain_scalar
                  (string_scalar) @_key))
              value: (flow_node
                (plain_scalar
                  (string_scalar) @function))))))))
  (#eq? @_components "components")
  (#eq? @_key "name")
  (#set! priority 110))

; Components written as flow mappings: `- { name: x, type: Store }`.
(block_mapping_pair
  key: (flow_node
    (plain_scalar
      (string_scalar) @_components))
  value: (block_node
    (block_sequence
      (block_sequence_item
        (flow_node
          (flow_mapping
            (flow_pair
              key: (flow_node
                (plain_scalar
                  (string_scalar) @_key))
              value: (flow_node
                (plain_scalar
                  (string_scalar) @type))))))))
  (#eq? @_components "components")
  (#eq? @_key "type")
  (#set! priority 110))

; ---------------------------------------------------------------------------
; Ports

; Port names declared under `inputs`/`outputs`, block form.
(block_mapping_pair
  key: (flow_node
    (plain_scalar
      (string_scalar) @_direction))
  value: (block_node
    (block_sequence
      (block_sequence_item
        (block_node
          (block_mapping
            (block_mapping_pair
              key: (flow_node
                (plain_scalar
                  (string_scalar) @_key))
              value: (flow_node
                (plain_scalar
                  (string_scalar) @variable.member))))))))
  (#any-of? @_direction "inputs" "outputs")
  (#eq? @_key "name")
  (#set! priority 110))

; ... and flow form: `inputs: [{ name: input, schema: Task }]`.
(block_mapping_pair
  key: (flow_node
    (plain_scalar
      (string_scalar) @_direction))
  value: (flow_node
    (flow_sequence
      (flow_node
        (flow_mapping
          (flow_pair
            key: (flow_node
              (plain_scalar
                (string_scalar) @_key))
            value: (flow_node
              (plain_scalar
                (string_scalar) @variable.member)))))))
  (#any-of? @_direction "inputs" "outputs")
  (#eq? @_key "name")
  (#set! priority 110))

; Port references `component.port` in bindings: `from: a.out`, `to: b.in`.
(block_mapping_pair
  key: (flow_node
    (plain_scalar
      (string_scalar) @_key))
  value: (flow_node
    (plain_scalar
      (string_scalar) @variable.member))
  (#any-of? @_key "from" "to")
  (#match? @variable.member "^[A-Za-z_][A-Za-z0-9_]*[.][A-Za-z_][A-Za-z0-9_]*$")
  (#set! priority 110))

(flow_pair
  key: (flow_node
    (plain_scalar
      (string_scalar) @_key))
  value: (flow_node
    (plain_scalar
      (string_scalar) @variable.member))
  (#any-of? @_key "from" "to")
  (#match? @variable.member "^[A-Za-z_][A-Za-z0-9_]*[.][A-Za-z_][A-Za-z0-9_]*$")
  (#set! priority 110))

; Fan-out: `to: [b.in, c.in]`.
(block_mapping_pair
  key: (flow_node
    (plain_scalar
      (string_scalar) @_key))
  value: (flow_node
    (flow_sequence
      (flow_node
        (plain_scalar
          (string_scalar) @variable.member))))
  (#eq? @_key "to")
  (#match? @variable.member "^[A-Za-z_][A-Za-z0-9_]*[.][A-Za-z_][A-Za-z0-9_]*$")
  (#set! priority 110))

; Fan-out as a block sequence under `to:`.
(block_mapping_pair
  key: (flow_node
    (plain_scalar
      (string_scalar) @_key))
  value: (block_node
    (block_sequence
      (block_sequence_item
        (flow_node
          (plain_scalar
            (string_scalar) @variable.member)))))
  (#eq? @_key "to")
  (#match? @variable.member "^[A-Za-z_][A-Za-z0-9_]*[.][A-Za-z_][A-Za-z0-9_]*$")
  (#set! priority 110))

; Legacy binding forms name the component and the port in separate keys:
; `from: { component: a, output: out }`, `from_component: a`, ...
(block_mapping_pair
  key: (flow_node
    (plain_scalar
      (string_scalar) @_key))
  value: (flow_node
    (plain_scalar
      (string_scalar) @function))
  (#any-of? @_key "component" "from_component" "to_component")
  (#set! priority 110))

(block_mapping_pair
  key: (flow_node
    (plain_scalar
      (string_scalar) @_key))
  value: (flow_node
    (plain_scalar
      (string_scalar) @variable.member))
  (#any-of? @_key "output" "input" "from_port" "to_port")
  (#set! priority 110))

; ---------------------------------------------------------------------------
; Schemas

; Definitions: the keys under `schemas` (top level or under `system`).
(block_mapping_pair
  key: (flow_node
    (plain_scalar
      (string_scalar) @_schemas))
  value: (block_node
    (block_mapping
      (block_mapping_pair
        key: (flow_node
          (plain_scalar
            (string_scalar) @type.definition)))))
  (#eq? @_schemas "schemas")
  (#set! priority 110))

; References: `schema: Task`, block or flow.
(block_mapping_pair
  key: (flow_node
    (plain_scalar
      (string_scalar) @_key))
  value: (flow_node
    (plain_scalar
      (string_scalar) @type.definition))
  (#eq? @_key "schema")
  (#set! priority 110))

(flow_pair
  key: (flow_node
    (plain_scalar
      (string_scalar) @_key))
  value: (flow_node
    (plain_scalar
      (string_scalar) @type.definition))
  (#eq? @_key "schema")
  (#set! priority 110))

; ---------------------------------------------------------------------------
; Databases

(block_mapping_pair
  key: (flow_node
    (plain_scalar
      (string_scalar) @_databases))
  value: (block_node
    (block_mapping
      (block_mapping_pair
        key: (flow_node
          (plain_scalar
            (string_scalar) @constant)))))
  (#eq? @_databases "databases")
  (#set! priority 110))

(block_mapping_pair
  key: (flow_node
    (plain_scalar
      (string_scalar) @_key))
  value: (flow_node
    (plain_scalar
      (string_scalar) @constant))
  (#eq? @_key "database")
  (#set! priority 110))

(flow_pair
  key: (flow_node
    (plain_scalar
      (string_scalar) @_key))
  value: (flow_node
    (plain_scalar
      (string_scalar) @constant))
  (#eq? @_key "database")
  (#set! priority 110))

; ---------------------------------------------------------------------------
; `${VAR}` and `${VAR:-default}` interpolation. A query cannot capture part
; of a scalar, so the whole scalar that interpolates is set apart. The
; character classes keep the pattern the same in Rust and Vim regex syntax.

((string_scalar) @string.special
  (#match? @string.special "[$][{][A-Za-z_]")
  (#set! priority 110))

((double_quote_scalar) @string.special
  (#match? @string.special "[$][{][A-Za-z_]")
  (#set! priority 110))
