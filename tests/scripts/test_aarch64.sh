#!/usr/bin/env bash
# aarch64: cross-builds the libraries, the CLI (BMP-only images) and every C
# test binary with Debian's gcc-aarch64-linux-gnu (-Werror, build-aarch64/),
# checks that no x86 kernel and every NEON kernel landed in the library,
# runs the whole C test suite under qemu-aarch64 (Debian's qemu-user; its
# default CPU has NEON and the dot-product extension), the kernel tests
# (+ the int8 NN ops) again on a Cortex-A53 (NEON without dot product) and
# with PNN_ISA=scalar, and the mediapipe models under qemu against the
# host's plain-C kernels (needs $BUILD/pocketnn, the venv and the models).
# Ends with
# "N passed, N failed" (the suite's counts plus this script's checks).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
CC_A64=${AARCH64_CC:-aarch64-linux-gnu-gcc}
SYSROOT=${AARCH64_SYSROOT:-/usr/aarch64-linux-gnu}
QEMU="qemu-aarch64 -L $SYSROOT"
B=build-aarch64
pass=0; fail=0
ok() { echo "ok $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }

for tool in "$CC_A64" qemu-aarch64; do
  if ! command -v "$tool" >/dev/null; then
    echo "error: $tool not found (make deps installs gcc-aarch64-linux-gnu," \
      "qemu-user, libc6-dev-arm64-cross)" >&2
    echo "0 passed, 1 failed"; exit 1
  fi
done

log=$(mktemp); trap 'rm -f "$log"' EXIT
# A fresh make: variables of an enclosing make (make asan's SANITIZE, OPT,
# BUILD) must not leak into the cross build through MAKEFLAGS.
if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -j2 \
    aarch64 AARCH64_CC="$CC_A64" >"$log" 2>&1; then
  ok "cross build (library + C tests, -Werror)"
else
  tail -n 40 "$log"; bad "cross build (library + C tests, -Werror)"
  echo "$pass passed, $((fail)) failed"; exit 1
fi

nm_a64=${CC_A64%gcc}nm
command -v "$nm_a64" >/dev/null || nm_a64=nm
syms=$("$nm_a64" --defined-only "$B/libpocketnn.a" 2>/dev/null)
nogrep() { ! grep "$@"; }
# ELF header: e_machine (offset 18, little endian) 183 = EM_AARCH64.
machine=$(od -An -tu2 -j18 -N2 "$B/libpocketnn.so" 2>/dev/null | tr -d ' ')
check "library is aarch64 code (e_machine $machine)" test "$machine" = 183
check "no x86 kernels in the aarch64 library" \
  nogrep -Eq ' T pnn_[a-z0-9_]*(avx2|avx512)' <<<"$syms"
check "NEON f32 elementwise table built in" \
  grep -Eq ' [DRd] pnn_f32_vec_ops_neon$' <<<"$syms"
for k in pnn_f32_gemm_8x8_neon pnn_f32_dwconv_rows_neon \
  pnn_f32_gemm_8x8_refacc_neon pnn_f32_dwconv_rows_refacc_neon \
  pnn_qs8_ukernel_4x16_neondot pnn_qs8_ukernel_2x16_neon pnn_s8_dots_neon \
  pnn_s8_gemm_neon pnn_s8_requant_neon pnn_s8_dw_tap_neon; do
  check "NEON kernel $k built in" grep -q " T $k\$" <<<"$syms"
done

# The host level under qemu is NEON; PNN_ISA=scalar lowers it.
out=$($QEMU "$B/tests/test_kernels_gemm" isa_ 2>&1)
check "qemu host level is neon" grep -q 'host: neon' <<<"$out"
out=$(PNN_ISA=scalar $QEMU "$B/tests/test_kernels_gemm" isa_env 2>&1)
check "PNN_ISA=scalar honoured" grep -q 'PNN_ISA=scalar -> scalar' <<<"$out"

# The whole C suite under qemu (default CPU: NEON + dot product).
suite=$(BUILD=$B PNN_SKIP_SCRIPTS=1 PNN_TEST_RUNNER="$QEMU" tests/run_tests.sh 2>&1)
printf '%s\n' "$suite" | grep -v '^ok '
line=$(printf '%s\n' "$suite" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1)
if [ -n "$line" ]; then
  pass=$((pass + $(echo "$line" | awk '{print $1}')))
  fail=$((fail + $(echo "$line" | awk '{print $3}')))
else
  bad "C suite under qemu printed no summary"
fi

# Kernel tests on a CPU without the dot-product extension (the int8 GEMM
# takes smull/sadalp instead of sdot), and forced scalar.
out=$($QEMU -cpu cortex-a53 "$B/tests/test_kernels_qs8_gemm" picks 2>&1)
check "cortex-a53 picks the smull int8 GEMM" grep -q 'qs8_gemm_2x16_neon' <<<"$out"
out=$($QEMU "$B/tests/test_kernels_qs8_gemm" picks 2>&1)
check "default qemu CPU picks the sdot int8 GEMM" \
  grep -q 'qs8_gemm_4x16_neondot' <<<"$out"
for t in "$B"/tests/test_kernels_* "$B/tests/test_ops_int8_nn"; do
  n=$(basename "$t")
  out=$($QEMU -cpu cortex-a53 "$t" 2>&1)
  check "$n on cortex-a53 (no dotprod)" grep -q ' 0 failed$' <<<"$out"
  out=$(PNN_ISA=scalar $QEMU "$t" 2>&1)
  check "$n with PNN_ISA=scalar" grep -q ' 0 failed$' <<<"$out"
done

# Real models: every mediapipe .tflite through the aarch64 CLI under qemu,
# on the NEON kernels and on the plain-C ones (PNN_ISA=scalar), against the
# host CLI on its plain-C kernels, same seeded inputs. Rule per output:
# within 1e-4 * max(1, max|ref|) (the conformance rule) or, for an
# ill-conditioned output where the host's own SIMD path is further than
# that from its plain-C path (pose_landmark_full's segmentation logits), no
# further than the host's SIMD path plus that tolerance; every such
# widening is printed. The aarch64 plain-C run never gets the widening.
if [ -x "${BUILD:-build}/pocketnn" ] && py=$(scripts/setup_venv.sh 2>/dev/null | tail -n 1) &&
   scripts/fetch_mediapipe.sh >/dev/null 2>&1; then
  tmp=$(mktemp -d); trap 'rm -f "$log"; rm -rf "$tmp"' EXIT
  mapfile -t models < <(find .cache/mediapipe -name '*.tflite' | sort)
  [ ${#models[@]} -gt 0 ] || bad "no mediapipe models in .cache/mediapipe"
  for m in "${models[@]}"; do
    n=$(basename "$m" .tflite)
    rm -rf "$tmp"/ref "$tmp"/simd "$tmp"/neon "$tmp"/armref
    if ! PNN_ISA=scalar "${BUILD:-build}/pocketnn" run "$m" --fill random:5 \
          --save-outputs "$tmp/ref" </dev/null >/dev/null 2>"$tmp/err" ||
       ! "${BUILD:-build}/pocketnn" run "$m" --fill random:5 \
          --save-outputs "$tmp/simd" </dev/null >/dev/null 2>>"$tmp/err" ||
       ! $QEMU "$B/pocketnn" run "$m" --fill random:5 \
          --save-outputs "$tmp/neon" </dev/null >/dev/null 2>>"$tmp/err" ||
       ! PNN_ISA=scalar $QEMU "$B/pocketnn" run "$m" --fill random:5 \
          --save-outputs "$tmp/armref" </dev/null >/dev/null 2>>"$tmp/err"; then
      cat "$tmp/err"; bad "mediapipe $n runs on aarch64"; continue
    fi
    check "mediapipe $n: aarch64 neon and scalar match the host's plain C" \
      "$py" - "$tmp" <<'PY'
import os, sys
import numpy as np
d = sys.argv[1]
names = sorted(os.listdir(os.path.join(d, "ref")))
ok = bool(names)
for run in ("simd", "neon", "armref"):
    ok = ok and sorted(os.listdir(os.path.join(d, run))) == names
def load(run, f):
    return np.load(os.path.join(d, run, f))
def diff(a, b):
    return float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64)))) if a.size else 0.0
for f in names if ok else []:
    ref = load("ref", f)
    tol = 1e-4 * max(1.0, float(np.max(np.abs(ref.astype(np.float64)))) if ref.size else 1.0)
    for run in ("neon", "armref"):
        got = load(run, f)
        if got.shape != ref.shape or got.dtype != ref.dtype:
            print(f"  {run} {f}: {got.dtype}{got.shape} vs {ref.dtype}{ref.shape}")
            ok = False
            continue
        e, lim, note = diff(got, ref), tol, ""
        host = diff(load("simd", f), ref)
        if run == "neon" and host > tol:
            lim, note = host + tol, f" (widened: host SIMD is {host:.3g} off)"
        print(f"  {run} {f}: max |diff| {e:.3g} (limit {lim:.3g}){note}")
        ok = ok and e <= lim
sys.exit(0 if ok else 1)
PY
  done
else
  bad "mediapipe models on aarch64 (need ${BUILD:-build}/pocketnn, the venv and the models)"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
