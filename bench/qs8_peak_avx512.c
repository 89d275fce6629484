/* Measured int8 peak, AVX-512 VNNI: 16 independent vpdpbusd chains (64
 * multiply-adds each). */
#include "bench_qs8.h"

#if defined(__x86_64__)
#include <immintrin.h>

double pnn_bench_qs8_peak_vnni(long iters, int *sink) {
  __m512i acc[16];
  const __m512i x = _mm512_set1_epi32(0x01020304), y = _mm512_set1_epi32(0x05060708);
#pragma GCC unroll 16
  for (int i = 0; i < 16; i++) acc[i] = _mm512_set1_epi32(i);
  for (long it = 0; it < iters; it++)
#pragma GCC unroll 16
    for (int i = 0; i < 16; i++) acc[i] = _mm512_dpbusd_epi32(acc[i], x, y);
  __m512i s = acc[0];
#pragma GCC unroll 16
  for (int i = 1; i < 16; i++) s = _mm512_add_epi32(s, acc[i]);
  *sink = _mm512_reduce_add_epi32(s);
  return (double)iters * 16 * 64 * 2;
}
#endif
