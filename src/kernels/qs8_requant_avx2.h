/* The int8 output stage, 8 int32 lanes at a time (AVX2; also used for
 * 256-bit halves in AVX-512 files): pnn_qs8_requant_avx512.h's arithmetic
 * (MultiplyByQuantizedMultiplier bit-exact with pnn_qm_mul_by_qm for
 * mult >= 0, shifts capped at 31) on ymm registers. Shared by the qs8
 * depthwise and GEMM epilogues. */
#ifndef PNN_KERNELS_QS8_REQUANT_AVX2_H
#define PNN_KERNELS_QS8_REQUANT_AVX2_H

#if defined(__x86_64__)
#include <immintrin.h>

typedef struct {
  __m256i m, m_odd, left, right, mask, thr;
} pnn_rq8;

static inline pnn_rq8 pnn_rq8_setup(__m256i mult, __m256i shift) {
  const __m256i zero = _mm256_setzero_si256(), one = _mm256_set1_epi32(1);
  const __m256i cap = _mm256_set1_epi32(31);
  pnn_rq8 p;
  p.m = mult;
  p.m_odd = _mm256_srli_epi64(mult, 32);
  p.left = _mm256_min_epi32(_mm256_max_epi32(shift, zero), cap);
  p.right = _mm256_min_epi32(
      _mm256_max_epi32(_mm256_sub_epi32(zero, shift), zero), cap);
  p.mask = _mm256_sub_epi32(_mm256_sllv_epi32(one, p.right), one);
  p.thr = _mm256_srai_epi32(p.mask, 1);
  return p;
}

/* MultiplyByQuantizedMultiplier of every lane of x (bias already added). */
static inline __m256i pnn_rq8_apply(const pnn_rq8 *p, __m256i x) {
  const __m256i zero = _mm256_setzero_si256();
  const __m256i half = _mm256_set1_epi64x((int64_t)1 << 30);
  x = _mm256_sllv_epi32(x, p->left);
  const __m256i even =
      _mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epi32(x, p->m), half), 31);
  const __m256i odd = _mm256_slli_epi64(
      _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(x, 32), p->m_odd),
                       half),
      1);
  const __m256i s = _mm256_blend_epi32(even, odd, 0xAA);
  const __m256i rem = _mm256_and_si256(s, p->mask);
  /* threshold + 1 on negative lanes; + 1 where rem exceeds it (compares
   * give -1, hence the subtractions) */
  const __m256i thr = _mm256_sub_epi32(p->thr, _mm256_cmpgt_epi32(zero, s));
  return _mm256_sub_epi32(_mm256_srav_epi32(s, p->right),
                          _mm256_cmpgt_epi32(rem, thr));
}
#endif

#endif
