/* Measured FMA peak, AVX2: 12 independent ymm FMA chains (enough to cover
 * 2 ports x 4-5 cycles latency). Returns the flops executed. */
#include "kernels/unroll.h"
#include "peak.h"

#if defined(__x86_64__)
#include <immintrin.h>

double pnn_bench_fma_avx2(long iters, float *sink) {
  __m256 acc[12];
  const __m256 x = _mm256_set1_ps(0.999999f), y = _mm256_set1_ps(1e-7f);
PNN_UNROLL
  for (int i = 0; i < 12; i++) acc[i] = _mm256_set1_ps((float)i);
  for (long it = 0; it < iters; it++)
PNN_UNROLL
    for (int i = 0; i < 12; i++) acc[i] = _mm256_fmadd_ps(acc[i], x, y);
  __m256 s = acc[0];
PNN_UNROLL
  for (int i = 1; i < 12; i++) s = _mm256_add_ps(s, acc[i]);
  *sink = _mm256_cvtss_f32(s);
  return (double)iters * 12 * 8 * 2;
}
#endif
