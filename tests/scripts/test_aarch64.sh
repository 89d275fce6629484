#!/usr/bin/env bash
# aarch64: cross-builds the library and every C test binary with Debian's
# gcc-aarch64-linux-gnu (-Werror, build-aarch64/), checks that no x86 kernel
# and every NEON kernel landed in the library, then runs the whole C test
# suite under qemu-aarch64 (Debian's qemu-user; its default CPU has NEON and
# the dot-product extension) and the kernel tests (+ the int8 NN ops) again
# on a Cortex-A53 (NEON without dot product) and with PNN_ISA=scalar. Ends with
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
if make --no-print-directory aarch64 AARCH64_CC="$CC_A64" >"$log" 2>&1; then
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
for k in pnn_f32_gemm_8x8_neon pnn_f32_dwconv_rows_neon \
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

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
