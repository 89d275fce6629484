#!/usr/bin/env bash
# Conformance regression check: runs tools/conformance/conformance.py on the
# CI subset -- every single-op model, every mediapipe model, the float32
# and dynamic-range Keras applications and the sequence models -- and
# compares the statuses
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
out=$("$py" tools/conformance/conformance.py --pocketnn "$BUILD/pocketnn" \
  --sources "${PNN_CONF_SOURCES:-op,mediapipe,keras,sequence}" \
  --keras-variants "${PNN_CONF_KERAS_VARIANTS:-float32,dynamic}" \
  --failures-only --baseline tools/conformance/baseline.json)
rc1=$?
printf '%s\n' "$out" | grep -vE '^[0-9]+ passed, [0-9]+ failed'
# The Keras apps once more on the plain-C reference kernels under the strict
# 1e-4 rule (the run above lets float32 SIMD rounding go as far as LiteRT's
# own kernel sets differ from each other, and says so per row; dynamic-range
# variants are held to 1e-4 there too). Both are exact on the reference
# kernels.
strict=$(PNN_ISA=scalar PNN_CONF_STRICT=1 "$py" tools/conformance/conformance.py \
  --pocketnn "$BUILD/pocketnn" --sources keras --no-generate \
  --keras-variants "$(echo "${PNN_CONF_KERAS_VARIANTS:-float32,dynamic}" | tr , '\n' |
                      grep -E '^(float32|float16|dynamic)$' | paste -sd, -)")
rc2=$?
printf '%s\n' "$strict" | grep -E '^keras .* (FAIL|UNSUPPORTED)'
l1=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1)
l2=$(printf '%s\n' "$strict" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1)
[ -n "$l1" ] && [ -n "$l2" ] || { echo "0 passed, 1 failed"; exit 1; }
p=$(( ${l1%% *} + ${l2%% *} ))
f=$(( $(echo "$l1" | awk '{print $3}') + $(echo "$l2" | awk '{print $3}') ))
[ $rc1 = 0 ] && [ $rc2 = 0 ] || [ $f -gt 0 ] || f=1
echo "$p passed, $f failed"
[ $f = 0 ]
