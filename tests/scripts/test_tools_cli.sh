#!/usr/bin/env bash
# `pocketnn optimize` / `pocketnn quantize` as commands: exit codes, error
# lines, no partial output on failure, --report contents, and that the
# outputs run with `pocketnn run`. Needs no Python. Ends with
# "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
. tests/scripts/lib_build_tool.sh
bin=$BUILD/pocketnn
fail() { echo "error: $*" >&2; echo "0 passed, 1 failed"; exit 1; }
[ -x "$bin" ] || fail "$bin not built (run make)"
gen=$BUILD/scripts/model_sets_gen
build_c_tool "$gen" tests/scripts/model_sets_gen.c tests/tools_models.c \
  tests/quant_models.c || fail "cannot build tests/scripts/model_sets_gen.c"
w=$(mktemp -d "${TMPDIR:-/tmp}/pnn_tools_cli.XXXXXX") || fail "mktemp"
trap 'rm -rf "$w"' EXIT
"$gen" tools "$w" >/dev/null || fail "model_sets_gen failed"

pass=0; failed=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
ko() { failed=$((failed + 1)); echo "FAIL $1"; }
# expect NAME CODE CMD...: exit status CODE (and one "error:" line for 1)
expect() {
  local name=$1 code=$2; shift 2
  "$@" >"$w/out" 2>"$w/err"; local rc=$?
  if [ $rc != "$code" ]; then ko "$name (exit $rc, wanted $code: $(head -c 200 "$w/err"))"; return; fi
  if [ "$code" = 1 ] && ! head -n 1 "$w/err" | grep -q '^error: '; then
    ko "$name (no 'error:' line)"; return
  fi
  ok "$name"
}
no_file() { if [ -e "$2" ] || ls "$2".tmp* >/dev/null 2>&1; then ko "$1 (left $2)"; else ok "$1"; fi; }

m=$w/bn_conv.tflite
expect "optimize runs" 0 "$bin" optimize "$m" "$w/o.tflite" --report
grep -q '^after: 1 ops' "$w/out" && ok "report: 1 op after" || ko "report: 1 op after"
grep -q 'fuse: MUL (op 1)' "$w/out" && ok "report: MUL fused" || ko "report: MUL fused"
grep -q '^size: ' "$w/out" && ok "report: sizes" || ko "report: sizes"
expect "optimized model runs" 0 "$bin" run "$w/o.tflite" --fill random:3
expect "quantize fp16" 0 "$bin" quantize "$m" "$w/q.tflite" --mode fp16
expect "fp16 model runs" 0 "$bin" run "$w/q.tflite"
expect "quantize round-weights" 0 "$bin" quantize "$m" "$w/r.tflite" --mode round-weights --clusters 4 --report
grep -q "'conv/w' .* -> 4," "$w/out" && ok "report: 4 clusters" || ko "report: 4 clusters"
expect "quantize dynamic --report" 0 "$bin" quantize "$w/bn_dw_fc.tflite" "$w/d.tflite" --mode dynamic --report
grep -q 'kept float: DEPTHWISE_CONV_2D (op 0 of subgraph 0): weights are small' "$w/out" &&
  ok "report: why a weight stays float" || ko "report: why a weight stays float"

echo "not a model" >"$w/bad.tflite"
expect "bad model: exit 1" 1 "$bin" optimize "$w/bad.tflite" "$w/x.tflite"
no_file "bad model: no output" "$w/x.tflite"
expect "missing model: exit 1" 1 "$bin" quantize "$w/none.tflite" "$w/x.tflite" --mode fp16
no_file "missing model: no output" "$w/x.tflite"
expect "unwritable output: exit 1" 1 "$bin" optimize "$m" "$w/no/such/dir/x.tflite"
expect "int8 without --calib: exit 2" 2 "$bin" quantize "$m" "$w/x.tflite" --mode int8
expect "no mode: exit 2" 2 "$bin" quantize "$m" "$w/x.tflite"
expect "bad clusters: exit 2" 2 "$bin" quantize "$m" "$w/x.tflite" --mode round-weights --clusters 1
expect "bad pass: exit 2" 2 "$bin" optimize "$m" "$w/x.tflite" --passes fold,nope
expect "missing OUT: exit 2" 2 "$bin" optimize "$m"
no_file "usage errors: no output" "$w/x.tflite"
# An existing OUT survives a failed run untouched.
cp "$m" "$w/keep.tflite"
expect "failed run keeps OUT: exit 1" 1 "$bin" optimize "$w/bad.tflite" "$w/keep.tflite"
cmp -s "$m" "$w/keep.tflite" && ok "failed run keeps OUT: unchanged" || ko "failed run keeps OUT: unchanged"
echo "$pass passed, $failed failed"
[ $failed = 0 ]
