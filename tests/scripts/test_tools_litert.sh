#!/usr/bin/env bash
# `pocketnn optimize` / `pocketnn quantize` against LiteRT: the generated
# pattern models (tests/tools_models.c, e.g. an unfused Conv -> Mul -> Add
# batch norm) and the mediapipe models are rewritten by every variant;
# each output must load and run in LiteRT and pocketnn, optimize outputs
# must match the original within 1e-4*max(1,max|ref|), quantize outputs
# report their error. Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
. tests/scripts/lib_build_tool.sh
fail() { echo "error: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

py=""
if [ -x scripts/setup_venv.sh ]; then
  py=$(scripts/setup_venv.sh | tail -n 1) || py=""
fi
[ -n "$py" ] && [ -x "$py" ] || py=${PNN_VENV:-.venv}/bin/python
[ -x "$py" ] || py=/tmp/venv-probe/bin/python
[ -x "$py" ] || fail "no Python venv (run scripts/setup_venv.sh)"
"$py" -c 'import ai_edge_litert, numpy' 2>/dev/null ||
  fail "$py lacks ai-edge-litert/numpy (run scripts/setup_venv.sh)"
[ -x "$BUILD/pocketnn" ] || fail "$BUILD/pocketnn not built (run make)"

gen=$BUILD/scripts/model_sets_gen
build_c_tool "$gen" tests/scripts/model_sets_gen.c tests/tools_models.c \
  tests/quant_models.c || fail "cannot build tests/scripts/model_sets_gen.c"

work=$(mktemp -d "${TMPDIR:-/tmp}/pnn_tools.XXXXXX") || fail "mktemp"
trap 'rm -rf "$work"' EXIT
"$gen" tools "$work" >/dev/null || fail "model_sets_gen failed"
models=${PNN_MEDIAPIPE_DIR:-.cache/mediapipe}
[ -d "$models" ] || { echo "note: $models missing (scripts/fetch_mediapipe.sh); mediapipe checks skipped"; models=""; }
TF_CPP_MIN_LOG_LEVEL=3 "$py" tests/scripts/tools_litert_check.py \
  --pocketnn "$BUILD/pocketnn" --gen-dir "$work" --models "$models" "$@"
