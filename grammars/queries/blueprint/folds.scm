; Folding of system blueprints over the tree-sitter YAML grammar.

; A key whose value is a nested block (a section, `components`, a
; component's `configuration`, a schema) folds to its key line.
(block_mapping_pair
  value: (block_node)) @fold

; Each item of a block sequence that is a mapping (a component, a binding,
; a port) folds to its first line.
(block_sequence_item
  (block_node
    (block_mapping) @fold))

; Flow collections and block scalars that span lines.
[
  (flow_mapping)
  (flow_sequence)
  (block_scalar)
] @fold
