/* The dscale output stage of the packed int8 GEMM (qs8_gemm.h), 8 columns
 * per step in AVX-512 doubles, masked tail; the same arithmetic as
 * pnn_qs8_out_dscale_avx2 (qs8_dscale_avx2.c): x = acc * ds clamped to
 * [lo - zp, hi - zp], rounded half away from zero as trunc(x) +- 1 where
 * |x - trunc(x)| >= 0.5, plus zp, packed to int8 (in range, exact). */
#include "kernels/qs8_gemm.h"

#if defined(__x86_64__)
#include <immintrin.h>

void pnn_qs8_out_dscale_avx512(const int32_t *c, const int32_t *bias,
                               const double *ds, int32_t zp, int32_t lo,
                               int32_t hi, size_t n, int8_t *out) {
  const __m512d a = _mm512_set1_pd((double)lo - (double)zp);
  const __m512d b = _mm512_set1_pd((double)hi - (double)zp);
  const __m512d half = _mm512_set1_pd(0.5), mhalf = _mm512_set1_pd(-0.5);
  const __m512d one = _mm512_set1_pd(1.0);
  const __m256i vzp = _mm256_set1_epi32(zp);
  for (size_t j = 0; j < n; j += 8) {
    const __mmask8 k =
        n - j >= 8 ? (__mmask8)0xFF : (__mmask8)((1u << (n - j)) - 1u);
    __m256i acc = _mm256_add_epi32(_mm256_maskz_loadu_epi32(k, c + j),
                                   _mm256_maskz_loadu_epi32(k, bias + j));
    __m512d x = _mm512_mul_pd(_mm512_cvtepi32_pd(acc),
                              _mm512_maskz_loadu_pd(k, ds + j));
    x = _mm512_min_pd(_mm512_max_pd(x, a), b);
    __m512d t = _mm512_roundscale_pd(x, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    __m512d d = _mm512_sub_pd(x, t);
    t = _mm512_mask_add_pd(t, _mm512_cmp_pd_mask(d, half, _CMP_GE_OQ), t, one);
    t = _mm512_mask_sub_pd(t, _mm512_cmp_pd_mask(d, mhalf, _CMP_LE_OQ), t,
                           one);
    __m256i v = _mm256_add_epi32(_mm512_cvtpd_epi32(t), vzp);
    _mm_mask_storeu_epi8(out + j, k, _mm256_cvtsepi32_epi8(v));
  }
}
#endif
