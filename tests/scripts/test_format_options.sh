#!/usr/bin/env bash
# The reader against TensorFlow's own generated FlatBuffer reader: every
# tensor, op and builtin-options field pocketnn decodes from the 14
# mediapipe models, and from four small quantized models the TFLite
# converter makes (int8, dynamic range, float16, int16x8; cached in
# .cache/format_quant), must equal what schema_py_generated.py reads.
# Fails (does not skip) when the models or the venv are missing.
# Ends with "N passed, N failed"; exit status 1 on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
fail() { echo "error: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

py=${PNN_VENV:-.venv}/bin/python
[ -x "$py" ] || py=/tmp/venv-probe/bin/python
[ -x "$py" ] || fail "no Python venv (run scripts/setup_venv.sh)"
"$py" -c 'from tensorflow.lite.python import schema_py_generated' 2>/dev/null ||
  fail "$py lacks tensorflow (run scripts/setup_venv.sh)"

models=$(find .cache/mediapipe/mediapipe/modules -name '*.tflite' 2>/dev/null | sort)
n=$(printf '%s\n' "$models" | grep -c tflite)
[ "$n" -ge 14 ] ||
  fail "found $n of 14 mediapipe models; run scripts/fetch_mediapipe.sh"

quant=.cache/format_quant
stamp=$quant/.made-$(cksum < tests/scripts/format_quant_models.py | cut -d' ' -f1)
if [ ! -f "$stamp" ]; then
  rm -rf "$quant"
  TF_CPP_MIN_LOG_LEVEL=3 "$py" tests/scripts/format_quant_models.py "$quant" \
    >/dev/null 2>&1 || fail "tests/scripts/format_quant_models.py failed"
  touch "$stamp"
fi
models="$models
$(find "$quant" -name '*.tflite' | sort)"

lib=$BUILD/libpocketnn.a
[ -f "$lib" ] || fail "$lib not built (run make)"
san=()
if nm "$lib" 2>/dev/null | grep '__asan_' >/dev/null; then
  san=(-fsanitize=address,undefined)
fi
dump=$BUILD/scripts/format_options_dump
mkdir -p "$(dirname "$dump")"
${CC:-cc} -std=c11 -Wall -Wextra -Werror -O1 -g -D_DEFAULT_SOURCE \
  -Iinclude -Isrc "${san[@]}" tests/scripts/format_options_dump.c "$lib" \
  -lm -lpthread -o "$dump" || fail "cannot build format_options_dump.c"

# shellcheck disable=SC2086
TF_CPP_MIN_LOG_LEVEL=3 "$py" tests/scripts/format_options_check.py \
  --dump "$dump" $models 2>&1 | grep -v -e '^WARNING' -e '^I0000' -e oneDNN \
  -e cpu_feature_guard -e '^To enable'
exit "${PIPESTATUS[0]}"
