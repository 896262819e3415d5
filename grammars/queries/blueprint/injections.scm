; Embedded languages in system blueprints.
;
; SQL: a Router route's `when` condition (`amount > 1000`, a SQL boolean
; expression over the record's fields), and the keys that conventionally
; hold SQL text (`query`, `sql`, `ddl`, `where`). `condition` and
; `expression` are left alone: in the autocoder files they hold Python.
; `#offset!` trims the quotes of a quoted scalar and the `|`/`>` of a block
; scalar; editors without that directive inject the whole scalar.

(block_mapping_pair
  key: (flow_node
    (plain_scalar
      (string_scalar) @_key))
  value: (flow_node
    (plain_scalar) @injection.content)
  (#any-of? @_key "when" "query" "sql" "ddl" "where")
  (#set! injection.language "sql"))

(block_mapping_pair
  key: (flow_node
    (plain_scalar
      (string_scalar) @_key))
  value: (flow_node
    [
      (double_quote_scalar)
      (single_quote_scalar)
    ] @injection.content)
  (#any-of? @_key "when" "query" "sql" "ddl" "where")
  (#set! injection.language "sql")
  (#offset! @injection.content 0 1 0 -1))

(block_mapping_pair
  key: (flow_node
    (plain_scalar
      (string_scalar) @_key))
  value: (block_node
    (block_scalar) @injection.content)
  (#any-of? @_key "when" "query" "sql" "ddl" "where")
  (#set! injection.language "sql")
  (#offset! @injection.content 0 1 0 0))

(flow_pair
  key: (flow_node
    (plain_scalar
      (string_scalar) @_key))
  value: (flow_node
    (plain_scalar) @injection.content)
  (#any-of? @_key "when" "query" "sql" "ddl" "where")
  (#set! injection.language "sql"))

(flow_pair
  key: (flow_node
    (plain_scalar
      (string_scalar) @_key))
  value: (flow_node
    [
      (double_quote_scalar)
      (single_quote_scalar)
    ] @injection.content)
  (#any-of? @_key "when" "query" "sql" "ddl" "where")
  (#set! injection.language "sql")
  (#offset! @injection.content 0 1 0 -1))

; Comments: `# TODO:` and friends, where a comment parser is installed.
((comment) @injection.content
  (#set! injection.language "comment"))
