#!/usr/bin/env bash
# The writer against LiteRT: models built with the model builder (one per
# op family, inline and offset/size form) must load and run in LiteRT with
# the expected outputs, and the mediapipe models re-written by pocketnn
# must give LiteRT outputs bit-identical to the originals'.
# Ends with "N passed, N failed"; exit status 1 on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
. tests/scripts/lib_build_tool.sh
fail() { echo "error: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

# The project venv (scripts/setup_venv.sh makes it once, honouring
# PNN_VENV); /tmp/venv-probe is a fallback for machines without it.
py=""
if [ -x scripts/setup_venv.sh ]; then
  py=$(scripts/setup_venv.sh | tail -n 1) || py=""
fi
[ -n "$py" ] && [ -x "$py" ] || py=${PNN_VENV:-.venv}/bin/python
[ -x "$py" ] || py=/tmp/venv-probe/bin/python
[ -x "$py" ] || fail "no Python venv (run scripts/setup_venv.sh)"
"$py" -c 'import ai_edge_litert, numpy' 2>/dev/null ||
  fail "$py lacks ai-edge-litert/numpy (run scripts/setup_venv.sh)"

gen=$BUILD/scripts/writer_gen
build_c_tool "$gen" tests/scripts/writer_gen.c ||
  fail "cannot build tests/scripts/writer_gen.c"

work=$(mktemp -d "${TMPDIR:-/tmp}/pnn_writer.XXXXXX") || fail "mktemp"
trap 'rm -rf "$work"' EXIT
models=${PNN_MEDIAPIPE_DIR:-.cache/mediapipe}
[ -d "$models" ] || { echo "note: $models missing (scripts/fetch_mediapipe.sh); rewrite checks skipped"; models=""; }
TF_CPP_MIN_LOG_LEVEL=3 "$py" tests/scripts/writer_litert_check.py \
  --gen "$gen" --work "$work" --models "$models"
