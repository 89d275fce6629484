/* Measured FMA peak, AVX-512: 16 independent zmm FMA chains. */
#include "kernels/unroll.h"
#include "peak.h"

#if defined(__x86_64__)
#include <immintrin.h>

double pnn_bench_fma_avx512(long iters, float *sink) {
  __m512 acc[16];
  const __m512 x = _mm512_set1_ps(0.999999f), y = _mm512_set1_ps(1e-7f);
PNN_UNROLL
  for (int i = 0; i < 16; i++) acc[i] = _mm512_set1_ps((float)i);
  for (long it = 0; it < iters; it++)
PNN_UNROLL
    for (int i = 0; i < 16; i++) acc[i] = _mm512_fmadd_ps(acc[i], x, y);
  __m512 s = acc[0];
PNN_UNROLL
  for (int i = 1; i < 16; i++) s = _mm512_add_ps(s, acc[i]);
  *sink = _mm512_reduce_add_ps(s);
  return (double)iters * 16 * 16 * 2;
}
#endif
