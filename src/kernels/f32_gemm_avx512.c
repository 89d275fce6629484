/* f32_gemm_12x32_avx512: 12 rows x 32 columns of C in 24 zmm accumulators
 * (of 32 registers); partial column tiles use AVX-512 masks. As in the
 * AVX2 kernel, each row count is its own instantiation. */
#include "kernels/f32_gemm.h"
#include "kernels/unroll.h"

#if defined(__x86_64__)
#include <immintrin.h>

static inline __attribute__((always_inline)) void tile(
    const size_t MR, size_t nr, size_t kc, const float *a, size_t lda,
    const float *w, float *c, size_t ldc, int first, const float *bias,
    float lo, float hi) {
  __m512 acc0[12], acc1[12];
  const __mmask16 k0 =
      nr >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << nr) - 1u);
  const __mmask16 k1 =
      nr >= 32 ? (__mmask16)0xffff
               : (nr <= 16 ? 0 : (__mmask16)((1u << (nr - 16)) - 1u));
  if (first) {
    const __m512 z = _mm512_setzero_ps();
PNN_UNROLL
    for (size_t i = 0; i < MR; i++) {
      acc0[i] = z;
      acc1[i] = z;
    }
  } else {
PNN_UNROLL
    for (size_t i = 0; i < MR; i++) {
      acc0[i] = _mm512_maskz_loadu_ps(k0, c + i * ldc);
      acc1[i] = _mm512_maskz_loadu_ps(k1, c + i * ldc + 16);
    }
  }
  const float *ap[12];
PNN_UNROLL
  for (size_t i = 0; i < MR; i++) ap[i] = a + i * lda;
  if (nr <= 16) { /* narrow last panel: skip the all-zero half */
    for (size_t k = 0; k < kc; k++) {
      const __m512 w0 = _mm512_loadu_ps(w);
      w += 32;
PNN_UNROLL
      for (size_t i = 0; i < MR; i++)
        acc0[i] = _mm512_fmadd_ps(_mm512_set1_ps(ap[i][k]), w0, acc0[i]);
    }
  } else {
    for (size_t k = 0; k < kc; k++) {
      const __m512 w0 = _mm512_loadu_ps(w), w1 = _mm512_loadu_ps(w + 16);
      w += 32;
PNN_UNROLL
      for (size_t i = 0; i < MR; i++) {
        const __m512 x = _mm512_set1_ps(ap[i][k]);
        acc0[i] = _mm512_fmadd_ps(x, w0, acc0[i]);
        acc1[i] = _mm512_fmadd_ps(x, w1, acc1[i]);
      }
    }
  }
  if (bias) {
    const __m512 b0 = _mm512_loadu_ps(bias), b1 = _mm512_loadu_ps(bias + 16);
PNN_UNROLL
    for (size_t i = 0; i < MR; i++) {
      acc0[i] = _mm512_add_ps(acc0[i], b0);
      acc1[i] = _mm512_add_ps(acc1[i], b1);
    }
  }
  const __m512 vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);
PNN_UNROLL
  for (size_t i = 0; i < MR; i++) {
    acc0[i] = _mm512_min_ps(_mm512_max_ps(acc0[i], vlo), vhi);
    acc1[i] = _mm512_min_ps(_mm512_max_ps(acc1[i], vlo), vhi);
  }
PNN_UNROLL
  for (size_t i = 0; i < MR; i++) {
    _mm512_mask_storeu_ps(c + i * ldc, k0, acc0[i]);
    _mm512_mask_storeu_ps(c + i * ldc + 16, k1, acc1[i]);
  }
}

void pnn_f32_gemm_12x32_avx512(size_t mr, size_t nr, size_t kc,
                               const float *a, size_t lda, const float *w,
                               float *c, size_t ldc, int first,
                               const float *bias, float lo, float hi) {
  switch (mr) {
    case 12: tile(12, nr, kc, a, lda, w, c, ldc, first, bias, lo, hi); break;
    case 11: tile(11, nr, kc, a, lda, w, c, ldc, first, bias, lo, hi); break;
    case 10: tile(10, nr, kc, a, lda, w, c, ldc, first, bias, lo, hi); break;
    case 9: tile(9, nr, kc, a, lda, w, c, ldc, first, bias, lo, hi); break;
    case 8: tile(8, nr, kc, a, lda, w, c, ldc, first, bias, lo, hi); break;
    case 7: tile(7, nr, kc, a, lda, w, c, ldc, first, bias, lo, hi); break;
    case 6: tile(6, nr, kc, a, lda, w, c, ldc, first, bias, lo, hi); break;
    case 5: tile(5, nr, kc, a, lda, w, c, ldc, first, bias, lo, hi); break;
    case 4: tile(4, nr, kc, a, lda, w, c, ldc, first, bias, lo, hi); break;
    case 3: tile(3, nr, kc, a, lda, w, c, ldc, first, bias, lo, hi); break;
    case 2: tile(2, nr, kc, a, lda, w, c, ldc, first, bias, lo, hi); break;
    case 1: tile(1, nr, kc, a, lda, w, c, ldc, first, bias, lo, hi); break;
    default: break;
  }
}

#endif
