#!/usr/bin/env bash
# Runs every C test binary and every test script; sums their
# "N passed, N failed" lines into one final line of the same form.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
total_pass=0; total_fail=0; broken=0
run_one() {
  local name=$1; shift
  local out rc line
  out=$("$@" 2>&1); rc=$?
  printf '%s\n' "$out" | grep -E '^TIMEOUT ' || true
  line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1)
  if [ -z "$line" ]; then
    printf '%s\n' "$out" | tail -n 30
    echo "BROKEN $name (exit $rc, no summary line)"
    broken=$((broken + 1)); return
  fi
  local p f
  p=$(echo "$line" | awk '{print $1}'); f=$(echo "$line" | awk '{print $3}')
  total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
  if [ "$f" != 0 ] || [ $rc != 0 ]; then
    printf '%s\n' "$out" | grep -vE '^ok ' | tail -n 60
    [ "$f" = 0 ] && broken=$((broken + 1))
  fi
  printf '%-40s %s\n' "$name" "$line"
}
# PNN_TEST_RUNNER runs each binary through a wrapper, e.g.
# "qemu-aarch64 -L /usr/aarch64-linux-gnu" for a cross build (make test-aarch64).
# Each binary gets PNN_TEST_TIMEOUT seconds (default 600): a hang fails it,
# with a TIMEOUT line, instead of stalling the suite.
run_c_test() {
  local t=$1 limit=${PNN_TEST_TIMEOUT:-600} rc
  # shellcheck disable=SC2086 # the runner is a command line, split on purpose
  timeout "$limit" ${PNN_TEST_RUNNER:-} "$t"; rc=$?
  [ $rc = 124 ] && echo "TIMEOUT $(basename "$t") after ${limit}s"
  return $rc
}
for t in "$BUILD"/tests/test_*; do
  [ -x "$t" ] || continue
  run_one "$(basename "$t")" run_c_test "$t"
done
# Script tests (need the venv from scripts/setup_venv.sh); each prints a
# summary line. PNN_SKIP_SCRIPTS=1 runs only the C tests.
if [ "${PNN_SKIP_SCRIPTS:-0}" != 1 ]; then
  # PNN_SCRIPTS="test_a.sh test_b.sh" runs only those scripts.
  for s in tests/scripts/test_*.sh; do
    [ -f "$s" ] || continue
    if [ -n "${PNN_SCRIPTS:-}" ]; then
      case " $PNN_SCRIPTS " in *" $(basename "$s") "*) ;; *) continue ;; esac
    fi
    run_one "$(basename "$s")" env BUILD="$BUILD" bash "$s"
  done
fi
total_fail=$((total_fail + broken))
echo "$total_pass passed, $total_fail failed"
[ $total_fail = 0 ]
