#!/usr/bin/env bash
# The reference-order float kernels (src/kernels/f32_refacc*.c) and the
# plain-C reference paths must contain no fused multiply-add instruction:
# they round every product and sum separately, as TFLite's reference
# kernels do (the Makefile builds with -ffp-contract=off). Disassembles
# $BUILD's objects (and build-aarch64's, when cross-built) and counts FMA
# instructions; the FMA kernels must show some, so the pattern is live.
# Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
pass=0; fail=0
ok() { echo "ok $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
count() { "$1" -d "$2" 2>/dev/null | grep -cE "$3"; }

X86_FMA='\s(vfn?m(add|sub)[0-9]+[ps][sd])\s'
A64_FMA='\s(fmla|fmls|fmadd|fmsub|fnmadd|fnmsub)\s'
o=$BUILD/obj/src
if [ "$(uname -m)" = x86_64 ] && [ -f "$o/kernels/f32_refacc_avx2.o" ]; then
  for f in kernels/f32_refacc_avx2 kernels/f32_refacc_avx512 kernels/f32_refacc \
           kernels/f32_gemm_ref kernels/f32_dwconv kernels/f32_conv ops/conv ops/matmul; do
    n=$(count objdump "$o/$f.o" "$X86_FMA")
    if [ "$n" = 0 ]; then ok "$f: no FMA instruction"; else bad "$f: $n FMA instructions"; fi
  done
  for f in kernels/f32_gemm_avx2 kernels/f32_gemm_avx512 kernels/f32_dwconv_avx2; do
    n=$(count objdump "$o/$f.o" "$X86_FMA")
    if [ "$n" -gt 0 ]; then ok "$f: FMA seen ($n), the check is live"; else bad "$f: no FMA seen"; fi
  done
else
  bad "$o/kernels/f32_refacc_avx2.o not built (run make)"
fi

a=${AARCH64_BUILD:-build-aarch64}/obj/src
dump=aarch64-linux-gnu-objdump
if [ -f "$a/kernels/f32_refacc_neon.o" ] && command -v $dump >/dev/null; then
  for f in kernels/f32_refacc_neon kernels/f32_gemm_ref kernels/f32_dwconv ops/conv ops/matmul; do
    n=$(count $dump "$a/$f.o" "$A64_FMA")
    if [ "$n" = 0 ]; then ok "aarch64 $f: no FMA instruction"; else bad "aarch64 $f: $n FMA instructions"; fi
  done
  n=$(count $dump "$a/kernels/f32_gemm_neon.o" "$A64_FMA")
  if [ "$n" -gt 0 ]; then ok "aarch64 f32_gemm_neon: FMA seen ($n)"; else bad "aarch64 f32_gemm_neon: no FMA seen"; fi
else
  echo "note: no aarch64 cross build (make aarch64): aarch64 objects not checked"
fi
echo "$pass passed, $fail failed"
