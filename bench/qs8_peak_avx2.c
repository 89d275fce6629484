/* Measured int8 peak, AVX2: 12 independent vpmaddwd + vpaddd chains on
 * int16 operands (16 multiply-adds each), the qs8 AVX2 kernel's
 * instruction pair. */
#include "bench_qs8.h"

#if defined(__x86_64__)
#include <immintrin.h>

double pnn_bench_qs8_peak_avx2(long iters, int *sink) {
  __m256i acc[12];
  __m256i x = _mm256_set1_epi16(3), y = _mm256_set1_epi16(5);
#pragma GCC unroll 12
  for (int i = 0; i < 12; i++) acc[i] = _mm256_set1_epi32(i);
  for (long it = 0; it < iters; it++) {
#pragma GCC unroll 12
    for (int i = 0; i < 12; i++)
      acc[i] = _mm256_add_epi32(acc[i], _mm256_madd_epi16(x, y));
    __asm__ volatile("" : "+x"(x), "+x"(y)); /* keep the madd in the loop */
  }
  __m256i s = acc[0];
#pragma GCC unroll 12
  for (int i = 1; i < 12; i++) s = _mm256_add_epi32(s, acc[i]);
  int32_t v[8];
  _mm256_storeu_si256((__m256i *)v, s);
  *sink = v[0] + v[7];
  return (double)iters * 12 * 16 * 2;
}
#endif
