#!/usr/bin/env bash
# Valgrind memcheck of the CLI ($BUILD/pocketnn): `inspect` and
# `run --fill random` over small models generated here with the model
# builder (tests/fuzz/gen_seeds, a handful of op families), the bundled
# digits model and two mediapipe models when fetched. Every run must have
# zero memcheck errors and no definite or indirect leaks. Skips (0 passed,
# 0 failed) without valgrind. Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
P=$BUILD/pocketnn
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
finish() {
  echo "$pass passed, $fail failed"
  [ "$fail" = 0 ]
  exit $?
}
if ! command -v valgrind >/dev/null; then
  echo "skip: valgrind is not installed (apt-get install valgrind)"
  finish
fi
if [ ! -x "$P" ]; then
  echo "error: $P is not built (run make)" >&2
  fail=1
  finish
fi
# Under ASan the binary cannot run in valgrind: nothing to do there.
if nm "$P" 2>/dev/null | grep -q __asan_init; then
  echo "skip: $P is built with AddressSanitizer"
  finish
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# Small generated models: the seed generator of the fuzzers, built plainly.
CC=${CC:-cc}
if $CC -std=c11 -O1 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -Iinclude -Isrc \
    tests/fuzz/gen_seeds.c "$BUILD/libpocketnn.a" -lm -lpthread -o "$T/gen_seeds" 2>"$T/cc.err" &&
   mkdir -p "$T/gen" && "$T/gen_seeds" "$T/gen" >/dev/null 2>"$T/gen.err"; then
  ok "generated models"
else
  bad "gen_seeds" "$(head -5 "$T/cc.err" "$T/gen.err" 2>/dev/null)"
fi
models=()
for m in ok_conv ok_depthwise ok_fully_connected ok_avg_pool ok_max_pool \
         ok_reshape_gather ok_while ok_quantize gen_SOFTMAX_1 gen_CONCATENATION_2 \
         gen_ADD_2_c gen_MEAN_2_i32_c; do
  [ -f "$T/gen/$m.tflite" ] && models+=("$T/gen/$m.tflite")
done
models+=(models/digits/digits.tflite)
MP=${PNN_MEDIAPIPE_DIR:-.cache/mediapipe/mediapipe/modules}
for m in "$MP/holistic_landmark/hand_recrop.tflite" \
         "$MP/face_detection/face_detection_short_range.tflite"; do
  if [ -f "$m" ]; then models+=("$m"); else echo "note: $m not fetched (scripts/fetch_mediapipe.sh)"; fi
done

# memcheck NAME CMD...: runs CMD under memcheck; exit 0/1 from the CLI,
# "ERROR SUMMARY: 0 errors", no definitely/indirectly lost bytes.
memcheck() {
  local name=$1; shift
  timeout 600 valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite,indirect \
    --error-exitcode=99 --log-file="$T/vg.log" "$@" >/dev/null 2>"$T/err"
  local rc=$?
  local errs
  errs=$(grep -oE 'ERROR SUMMARY: [0-9]+' "$T/vg.log" | awk '{print $3}')
  if [ "$rc" = 99 ] || [ "${errs:-1}" != 0 ]; then
    bad "$name" "memcheck: $(grep -m6 -E 'Invalid|uninitialised|definitely|indirectly|ERROR SUMMARY' "$T/vg.log" | tr '\n' ' ')"
  elif [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
    bad "$name" "exit $rc: $(head -3 "$T/err")"
  elif grep -qE '(definitely|indirectly) lost: [1-9]' "$T/vg.log"; then
    bad "$name" "$(grep -E 'lost:' "$T/vg.log" | tr '\n' ' ')"
  else
    ok "$name (exit $rc, 0 errors)"
  fi
}
for m in "${models[@]}"; do
  b=$(basename "$m")
  memcheck "inspect $b" "$P" inspect "$m"
  memcheck "run --fill random $b" "$P" run "$m" --fill random:2
done
# Error paths leak nothing either: a truncated model, an arena cap.
head -c 300 models/digits/digits.tflite >"$T/cut.tflite"
memcheck "inspect truncated" "$P" inspect "$T/cut.tflite"
memcheck "run --max-arena 100" "$P" run models/digits/digits.tflite --max-arena 100
memcheck "run --threads 2" "$P" run models/digits/digits.tflite --threads 2 --fill random
finish
