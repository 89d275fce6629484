#!/usr/bin/env bash
# Ops the TF converter never leaves in a model (L2_POOL_2D, RELU_0_TO_1,
# SQUEEZE, EXPAND_DIMS, SHAPE, RANK, RANGE, DENSIFY), built with the model
# builder and checked against LiteRT. Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
. tests/scripts/lib_build_tool.sh
fail() { echo "error: $*" >&2; echo "0 passed, 1 failed"; exit 1; }
py=$(scripts/setup_venv.sh | tail -n 1) || fail "venv setup failed (scripts/setup_venv.sh)"
[ -x "$BUILD/pocketnn" ] || fail "$BUILD not built (run make)"
work=$(mktemp -d "${TMPDIR:-/tmp}/pnn_builder_ops.XXXXXX") || fail "mktemp"
trap 'rm -rf "$work"' EXIT
build_c_tool "$work/gen" tests/scripts/builder_ops_gen.c ||
  fail "cannot build tests/scripts/builder_ops_gen.c"
"$work/gen" "$work" || fail "builder_ops_gen failed"
"$py" tests/scripts/builder_ops_check.py "$work" "$BUILD/pocketnn" 2>&1 | grep -vE '^(INFO|WARNING)'
