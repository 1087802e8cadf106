#!/usr/bin/env bash
# A real editor as the client: headless Neovim opens the example config through
# `invokeai-lint server` and prints the diagnostics it received. Usage:
#   scripts/editor_smoke.sh [path/to/invokeai-lint]
# Needs nvim (Debian: apt-get install neovim). Exit 0 when diagnostics arrived.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-target/debug/invokeai-lint}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp fixtures/examples/invokeai.yaml fixtures/examples/invokeai.log "$work/"
out="$(INVOKEAI_LINT_BIN="$(realpath "$bin")" INVOKEAI_LINT_FILE="$work/invokeai.yaml" \
  timeout 60 nvim --headless --clean -u NONE -c "luafile editors/neovim/smoke.lua" 2>&1)"
printf '%s\n' "$out"
# The example config's unknown key, as the editor received it.
grep -q "^9:0 IL101 " <<<"$out"
