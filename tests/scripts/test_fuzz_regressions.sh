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
# The limits themselves: a file or arena above the cap is a clean error.
if [ -f "$M" ]; then
  "$P" inspect "$M" --max-file 100 >/dev/null 2>"$T/err"
  rc=$?
  [ $rc -eq 1 ] && grep -q 'limit' "$T/err" && ok "--max-file 100 refused" ||
    bad "--max-file 100" "exit $rc: $(cat "$T/err")"
  "$P" run "$M" --max-arena 100 >/dev/null 2>"$T/err"
  rc=$?
  [ $rc -eq 1 ] && grep -q 'max_arena_bytes' "$T/err" && ok "--max-arena 100 refused" ||
    bad "--max-arena 100" "exit $rc: $(cat "$T/err")"
  "$P" bench "$M" --runs 1 --warmup 0 --max-arena 100 >/dev/null 2>"$T/err"
  rc=$?
  [ $rc -eq 1 ] && grep -q 'max_arena_bytes' "$T/err" && ok "bench --max-arena 100 refused" ||
    bad "bench --max-arena 100" "exit $rc: $(cat "$T/err")"
  "$P" run "$M" --max-arena 1000000 --max-file 1000000 >/dev/null 2>"$T/err"
  rc=$?
  [ $rc -eq 0 ] && ok "run within the limits" || bad "run within the limits" "exit $rc: $(cat "$T/err")"
  "$P" run "$M" --max-arena abc >/dev/null 2>&1
  rc=$?
  [ $rc -eq 2 ] && ok "--max-arena abc is bad usage" || bad "--max-arena abc" "exit $rc"
fi
# The WHILE iteration cap: with zero inputs, a nested loop (16 body runs)
# then an endless one; --max-loop ends the endless one with a clean LIMIT
# error naming it.
W=tests/fuzz/regressions/run-while-endless-nested.tflite
if [ -f "$W" ]; then
  timeout 60 "$P" run "$W" --fill zeros --max-loop 20 >/dev/null 2>"$T/err"
  rc=$?
  [ $rc -eq 1 ] &&
    grep -q 'op 1 (WHILE).*after 20 iterations.*max_loop_iterations' "$T/err" &&
    ok "run --max-loop 20 stops the endless WHILE" ||
    bad "run --max-loop 20" "exit $rc: $(cat "$T/err")"
  "$P" run "$W" --max-loop abc >/dev/null 2>&1
  rc=$?
  [ $rc -eq 2 ] && ok "--max-loop abc is bad usage" || bad "--max-loop abc" "exit $rc"
fi
# The per-op work cap: a model that runs by default fails prepare with a
# LIMIT error naming the op once --max-work is below its conv's MACs.
if [ -n "${M:-}" ] && [ -f "$M" ]; then
  "$P" run "$M" --max-work 1 >/dev/null 2>"$T/err"
  rc=$?
  [ $rc -eq 1 ] && grep -q 'max_op_work' "$T/err" && ok "run --max-work 1 refused" ||
    bad "run --max-work 1" "exit $rc: $(cat "$T/err")"
  "$P" run "$M" --max-work 1099511627776 >/dev/null 2>"$T/err"
  rc=$?
  [ $rc -eq 0 ] && ok "run --max-work 2^40 runs" || bad "run --max-work 2^40" "exit $rc: $(cat "$T/err")"
  "$P" run "$M" --max-work -3 >/dev/null 2>&1
  rc=$?
  [ $rc -eq 2 ] && ok "--max-work -3 is bad usage" || bad "--max-work -3" "exit $rc"
fi
finish
