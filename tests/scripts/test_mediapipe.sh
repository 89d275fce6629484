#!/usr/bin/env bash
# Real-model conformance: every .tflite of the pinned mediapipe wheel runs in
# $BUILD/pocketnn and must match LiteRT on seeded inputs within
# 1e-4*max(1,max|ref|) per output. Sets up the venv and fetches the models
# itself. Ends with the checker's "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
fail() { echo "error: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

py=$(scripts/setup_venv.sh | tail -n 1) || fail "venv setup failed (scripts/setup_venv.sh)"
scripts/fetch_mediapipe.sh || fail "could not fetch the mediapipe models (scripts/fetch_mediapipe.sh)"
[ -x "$BUILD/pocketnn" ] || fail "$BUILD/pocketnn not built (run make)"
"$py" tools/conformance/mediapipe_check.py --pocketnn "$BUILD/pocketnn"
