#!/usr/bin/env bash
# Replays the crashing inputs the fuzzers found (tests/fuzz/regressions/,
# each fixed since) through the CLI: `inspect`, `inspect --json` and
# `run --fill random`, with the fuzzers' caps (--max-file 1 MiB,
# --max-arena 16 MiB, --max-loop 1000). Each must exit 0 or 1 (a clean "error:" line) within
# 60 s, with no sanitizer report (meaningful under `make asan`, where
# $BUILD/pocketnn is built with ASan+UBSan). Also feeds truncated and
# bit-flipped copies of the digits model to inspect and run.
# Ends with "N passed, N failed".
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
if [ ! -x "$P" ]; then
  echo "error: $P is not built (run make)" >&2
  fail=1
  finish
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
LIMITS=(--max-file 1048576 --max-arena 16777216 --max-loop 1000)

# clean NAME CMD...: exit status 0 or 1, no sanitizer report, no timeout.
clean() {
  local name=$1; shift
  local rc
  timeout 60 "$@" >"$T/out" 2>"$T/err"; rc=$?
  if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
    bad "$name" "exit $rc: $(grep -m3 -E 'ERROR|runtime error|error' "$T/err" | tr '\n' ' ')"
  elif grep -qE 'Sanitizer|runtime error' "$T/err"; then
    bad "$name" "sanitizer report: $(grep -m2 -E 'Sanitizer|runtime error' "$T/err" | tr '\n' ' ')"
  elif [ $rc -eq 1 ] && ! grep -q '^error:' "$T/err"; then
    bad "$name" "exit 1 without an error: line"
  else
    ok "$name (exit $rc)"
  fi
}

n=0
for f in tests/fuzz/regressions/*; do
  [ -f "$f" ] || continue
  n=$((n + 1))
  b=$(basename "$f")
  clean "inspect $b" "$P" inspect "$f" "${LIMITS[@]}"
  clean "inspect --json $b" "$P" inspect --json "$f" "${LIMITS[@]}"
  clean "run $b" "$P" run "$f" --fill random:3 "${LIMITS[@]}"
done
[ $n -gt 0 ] && ok "$n regression inputs" || bad "regressions" "tests/fuzz/regressions/ is empty"

# Truncated and bit-flipped copies of a real model (deterministic).
M=models/digits/digits.tflite
if [ -f "$M" ]; then
  size=$(stat -c %s "$M")
  for cut in 0 7 8 64 1000 $((size / 2)) $((size - 1)); do
    head -c "$cut" "$M" >"$T/cut.tflite"
    clean "truncated to $cut bytes: inspect" "$P" inspect "$T/cut.tflite"
  done
  for seed in 1 2 3 4 5 6 7 8; do
    python3 - "$M" "$T/flip.tflite" "$seed" <<'PY'
import random, sys
data = bytearray(open(sys.argv[1], 'rb').read())
rng = random.Random(int(sys.argv[3]))
# Flip bits in the FlatBuffer tables (the front and the tail), not only in
# the weights, where a flip is harmless.
for _ in range(2):
    region = rng.choice([(0, 512), (len(data) - 4096, len(data))])
    i = rng.randrange(max(region[0], 0), region[1])
    data[i] ^= 1 << rng.randrange(8)
open(sys.argv[2], 'wb').write(data)
PY
    clean "bit flips seed $seed: inspect" "$P" inspect "$T/flip.tflite" "${LIMITS[@]}"
    clean "bit flips seed $seed: run" "$P" run "$T/flip.tflite" --fill random "${LIMITS[@]}"
  done
fi
# expect NAME RC PATTERN CMD...: CMD (60 s at most) exits with RC and, when
# PATTERN is not empty, says it on stderr.
expect() {
  local name=$1 want=$2 pat=$3 rc; shift 3
  timeout 60 "$@" >/dev/null 2>"$T/err"; rc=$?
  if [ $rc -eq "$want" ] && { [ -z "$pat" ] || grep -q "$pat" "$T/err"; }; then
    ok "$name"
  else
    bad "$name" "exit $rc: $(cat "$T/err")"
  fi
}
# The limits themselves: a file, arena or op above the cap is a clean error
# (--max-work: a model that runs by default fails prepare naming
# max_op_work once the cap is below its conv's MACs); bad values are usage
# errors.
if [ -f "$M" ]; then
  expect "--max-file 100 refused" 1 'limit' "$P" inspect "$M" --max-file 100
  expect "--max-arena 100 refused" 1 'max_arena_bytes' "$P" run "$M" --max-arena 100
  expect "bench --max-arena 100 refused" 1 'max_arena_bytes' \
    "$P" bench "$M" --runs 1 --warmup 0 --max-arena 100
  expect "run within the limits" 0 '' "$P" run "$M" --max-arena 1000000 --max-file 1000000
  expect "--max-arena abc is bad usage" 2 '' "$P" run "$M" --max-arena abc
  expect "run --max-work 1 refused" 1 'max_op_work' "$P" run "$M" --max-work 1
  expect "run --max-work 2^40 runs" 0 '' "$P" run "$M" --max-work 1099511627776
  expect "--max-work -3 is bad usage" 2 '' "$P" run "$M" --max-work -3
fi
# The WHILE iteration cap: with zero inputs, a nested loop (16 body runs)
# then an endless one; --max-loop ends the endless one with a clean LIMIT
# error naming it.
W=tests/fuzz/regressions/run-while-endless-nested.tflite
if [ -f "$W" ]; then
  expect "run --max-loop 20 stops the endless WHILE" 1 \
    'op 1 (WHILE).*after 20 iterations.*max_loop_iterations' \
    "$P" run "$W" --fill zeros --max-loop 20
  expect "--max-loop abc is bad usage" 2 '' "$P" run "$W" --max-loop abc
fi
finish
