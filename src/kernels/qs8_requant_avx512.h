/* The int8 output stage, 16 int32 lanes at a time, shared by the qs8 GEMM
 * and depthwise epilogues (files built with -mavx512f/bw/vl):
 *   MultiplyByQuantizedMultiplier(x, mult, shift)
 * exactly as pnn_qm_mul_by_qm for mult >= 0 (what
 * pnn_qm_quantize_multiplier makes): the left shift wraps and is capped at
 * 31, SaturatingRoundingDoublingHighMul is (x * m + 2^30) >> 31 (the
 * saturating case needs m = INT32_MIN, which never occurs), computed on the
 * even and odd lanes by vpmuldq; RoundingDivideByPOT (exponent capped at
 * 31) by per-lane shifts. The per-lane terms are set up once per group of
 * 16 channels (pnn_rq16_setup) and reused over many pixels. */
#ifndef PNN_KERNELS_QS8_REQUANT_AVX512_H
#define PNN_KERNELS_QS8_REQUANT_AVX512_H

#if defined(__x86_64__)
#include <immintrin.h>

typedef struct {
  __m512i m, m_odd, left, right, mask, thr;
} pnn_rq16;

static inline pnn_rq16 pnn_rq16_setup(__m512i mult, __m512i shift) {
  const __m512i zero = _mm512_setzero_si512(), one = _mm512_set1_epi32(1);
  const __m512i cap = _mm512_set1_epi32(31);
  pnn_rq16 p;
  p.m = mult;
  p.m_odd = _mm512_srli_epi64(mult, 32);
  p.left = _mm512_min_epi32(_mm512_max_epi32(shift, zero), cap);
  p.right = _mm512_min_epi32(
      _mm512_max_epi32(_mm512_sub_epi32(zero, shift), zero), cap);
  p.mask = _mm512_sub_epi32(_mm512_sllv_epi32(one, p.right), one);
  p.thr = _mm512_srai_epi32(p.mask, 1);
  return p;
}

/* MultiplyByQuantizedMultiplier of every lane of x (bias already added). */
static inline __m512i pnn_rq16_apply(const pnn_rq16 *p, __m512i x) {
  const __m512i zero = _mm512_setzero_si512(), one = _mm512_set1_epi32(1);
  const __m512i half = _mm512_set1_epi64((int64_t)1 << 30);
  x = _mm512_sllv_epi32(x, p->left);
  const __m512i even =
      _mm512_srli_epi64(_mm512_add_epi64(_mm512_mul_epi32(x, p->m), half), 31);
  const __m512i odd = _mm512_slli_epi64(
      _mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(x, 32), p->m_odd),
                       half),
      1);
  const __m512i s = _mm512_mask_blend_epi32(0xAAAA, even, odd);
  const __m512i rem = _mm512_and_si512(s, p->mask);
  const __m512i thr = _mm512_mask_add_epi32(
      p->thr, _mm512_cmplt_epi32_mask(s, zero), p->thr, one);
  const __m512i q = _mm512_srav_epi32(s, p->right);
  return _mm512_mask_add_epi32(q, _mm512_cmpgt_epi32_mask(rem, thr), q, one);
}
#endif

#endif
