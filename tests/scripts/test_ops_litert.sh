#!/usr/bin/env bash
# Single-op conformance against LiteRT: sets up the venv if needed,
# (re)generates the models and references of tools/conformance/ops/*.py
# (incremental) and checks $BUILD/pocketnn on each. Ends with the checker's
# "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
fail() { echo "error: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

py=$(scripts/setup_venv.sh | tail -n 1) || fail "venv setup failed (scripts/setup_venv.sh)"
[ -x "$BUILD/pocketnn" ] || fail "$BUILD/pocketnn not built (run make)"
# Generation errors are recorded per case and counted by the checker.
"$py" tools/conformance/gen_ops.py || echo "note: gen_ops.py reported errors (counted below)" >&2
# PNN_OPS_ARGS: extra checker arguments, e.g. "--failures-only".
read -r -a extra <<< "${PNN_OPS_ARGS:-}"
"$py" tools/conformance/check_ops.py --pocketnn "$BUILD/pocketnn" "${extra[@]}"
