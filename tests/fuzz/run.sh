#!/usr/bin/env bash
# `make fuzz FUZZ_SECONDS=N`: builds the fuzz targets (build.sh), makes the
# seed corpus, and runs each target N seconds (default 60) with
# -print_final_stats=1. Fails on any finding: the crashing input is left
# in $FUZZ_BUILD/findings/ (copy it into tests/fuzz/regressions/ once the
# bug is fixed; tests/scripts/test_fuzz_regressions.sh replays them).
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${FUZZ_BUILD:-build-fuzz}
SECS=${FUZZ_SECONDS:-60}
TARGETS=${FUZZ_TARGETS:-fuzz_model_load fuzz_model_run fuzz_inspect}
tests/fuzz/build.sh
seeds="$B/seeds"
rm -rf "$seeds"; mkdir -p "$seeds" "$B/findings"
"$B/fuzz/gen_seeds" "$seeds"
# Small converter-made models of the op conformance cache, if generated.
if [ -d .cache/ops ]; then
  # Every case is .cache/ops/<family>/<case>/model.tflite: name by case.
  find .cache/ops -name '*.tflite' -size -64k | while read -r f; do
    cp "$f" "$seeds/ops_$(echo "${f#.cache/ops/}" | tr '/' '_')"
  done
fi
cp tests/fuzz/regressions/* "$seeds/" 2>/dev/null || true
echo "seeds: $(ls "$seeds" | wc -l) files"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# All targets run at once (each for the full SECS), so CI spends SECS of
# wall time, not SECS per target; each gets its own log.
fuzz_one() {
  local t=$1 corpus="$B/corpus/$1"
  mkdir -p "$corpus"
  "$B/fuzz/$t" -max_total_time="$SECS" -print_final_stats=1 \
    -timeout=60 -rss_limit_mb=2048 -max_len=262144 -close_fd_mask=3 \
    -artifact_prefix="$B/findings/$t-" "$corpus" "$seeds" > "$B/$t.log" 2>&1
}
declare -A pids
for t in $TARGETS; do
  echo "===== $t: ${SECS}s"
  fuzz_one "$t" & pids[$t]=$!
done
# FUZZ_ADVISORY: targets whose findings are reported and kept in
# $B/findings/ but do not fail the run (empty by default, and in CI: every
# finding of every target fails).
ADVISORY=" ${FUZZ_ADVISORY:-} "
status=0; failed=0; advisory=0
for t in $TARGETS; do
  echo "===== $t"
  if ! wait "${pids[$t]}"; then
    echo "FINDING in $t:"
    # The whole sanitizer report (stack included), and the input itself in
    # base64 when small, so a finding on a CI machine can be replayed here:
    #   base64 -d > f.tflite <<< '...'; build-fuzz/fuzz/$t f.tflite
    sed -n '/^==[0-9]*==ERROR\|runtime error/,/^SUMMARY/p' "$B/$t.log" | head -80
    grep -E "Test unit written|ERROR: libFuzzer" "$B/$t.log" | head -5
    unit=$(grep -o "Test unit written to [^ ]*" "$B/$t.log" | head -1 | sed 's/Test unit written to //')
    if [ -n "$unit" ] && [ -f "$unit" ] && [ "$(stat -c %s "$unit")" -le 65536 ]; then
      echo "input (base64, $(stat -c %s "$unit") bytes):"; base64 -w 0 "$unit"; echo
    fi
    case "$ADVISORY" in
      *" $t "*) advisory=$((advisory + 1)); echo "(advisory target: reported, not failing)" ;;
      *) status=1; failed=$((failed + 1)) ;;
    esac
  fi
  grep -E "^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)" "$B/$t.log" || true
  grep -E "cov: [0-9]+" "$B/$t.log" | tail -n 1 || true
done
passed=$(( $(echo $TARGETS | wc -w) - failed - advisory ))
[ $advisory = 0 ] || echo "advisory findings: $advisory (see $B/findings/)"
echo "$passed passed, $failed failed"
exit $status
