/* The dscale output stage of the packed int8 GEMM (qs8_gemm.h), 4 columns
 * per step in AVX2 doubles, for the AVX2 and AVX-512 kernels:
 *   out[j] = clamp(zp + round((double)(c[j] + bias[j]) * ds[j]), lo, hi)
 * with round half away from zero, as pnn_qm_scale_round. x is clamped to
 * [lo - zp, hi - zp] first (integers, so rounding commutes with it), then
 * rounded as trunc(x) +- 1 where |x - trunc(x)| >= 0.5 (x - trunc(x) is
 * exact); the result packs to int8 without saturating. */
#include "kernels/qs8_gemm.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>

#include "ops/quant_math.h"

void pnn_qs8_out_dscale_avx2(const int32_t *c, const int32_t *bias,
                             const double *ds, int32_t zp, int32_t lo,
                             int32_t hi, size_t n, int8_t *out) {
  const __m256d a = _mm256_set1_pd((double)lo - (double)zp);
  const __m256d b = _mm256_set1_pd((double)hi - (double)zp);
  const __m256d half = _mm256_set1_pd(0.5), mhalf = _mm256_set1_pd(-0.5);
  const __m256d one = _mm256_set1_pd(1.0);
  const __m128i vzp = _mm_set1_epi32(zp);
  size_t j = 0;
  for (; j + 4 <= n; j += 4) {
    __m128i acc = _mm_add_epi32(_mm_loadu_si128((const __m128i *)(c + j)),
                                _mm_loadu_si128((const __m128i *)(bias + j)));
    __m256d x = _mm256_mul_pd(_mm256_cvtepi32_pd(acc), _mm256_loadu_pd(ds + j));
    x = _mm256_min_pd(_mm256_max_pd(x, a), b);
    __m256d t = _mm256_round_pd(x, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    __m256d d = _mm256_sub_pd(x, t);
    t = _mm256_add_pd(t, _mm256_and_pd(_mm256_cmp_pd(d, half, _CMP_GE_OQ), one));
    t = _mm256_sub_pd(t,
                      _mm256_and_pd(_mm256_cmp_pd(d, mhalf, _CMP_LE_OQ), one));
    __m128i v = _mm_add_epi32(_mm256_cvtpd_epi32(t), vzp);
    v = _mm_packs_epi32(v, v);
    v = _mm_packs_epi16(v, v);
    int32_t four = _mm_cvtsi128_si32(v);
    memcpy(out + j, &four, 4);
  }
  for (; j < n; j++) {
    const int32_t acc = (int32_t)((uint32_t)c[j] + (uint32_t)bias[j]);
    int64_t v = (int64_t)pnn_qm_scale_round(acc, ds[j]) + zp;
    out[j] = (int8_t)(v < lo ? lo : (v > hi ? hi : v));
  }
}
#endif
