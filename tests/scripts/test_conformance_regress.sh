#!/usr/bin/env bash
# Conformance regression check: runs tools/conformance/conformance.py on the
# CI subset -- every single-op model, every mediapipe model, the float32
# Keras applications and the sequence models -- and compares the statuses
# with the committed tools/conformance/baseline.json. Fails on any
# regression (a model the baseline marks PASS that does not pass now).
# PNN_CONF_SOURCES / PNN_CONF_KERAS_VARIANTS change the subset (e.g.
# PNN_CONF_KERAS_VARIANTS=float32,float16,dynamic,int8 for all of them).
# Ends with "N passed, N failed" = baseline entries compared / regressed.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
fail() { echo "error: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

py=$(scripts/setup_venv.sh | tail -n 1) || fail "venv setup failed (scripts/setup_venv.sh)"
scripts/fetch_mediapipe.sh >/dev/null || fail "could not fetch the mediapipe models"
[ -x "$BUILD/pocketnn" ] || fail "$BUILD/pocketnn not built (run make)"
[ -f tools/conformance/baseline.json ] || fail "tools/conformance/baseline.json missing"
# The comparison rules themselves first (integer tolerance, op parsing,
# regression detection), on made-up data.
"$py" tools/conformance/conformance.py --selftest >/dev/null ||
  { "$py" tools/conformance/conformance.py --selftest; fail "conformance.py --selftest"; }
"$py" tools/conformance/conformance.py --pocketnn "$BUILD/pocketnn" \
  --sources "${PNN_CONF_SOURCES:-op,mediapipe,keras,sequence}" \
  --keras-variants "${PNN_CONF_KERAS_VARIANTS:-float32}" \
  --failures-only --baseline tools/conformance/baseline.json
