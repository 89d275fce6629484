/* f32_gemm_6x16_avx2: 6 rows x 16 columns of C in 12 ymm accumulators;
 * each k step loads two weight vectors and broadcasts one A value per row.
 * The row count is a compile-time constant in each instantiation so the
 * accumulators live in registers for partial tiles too. */
#include "kernels/f32_gemm.h"
#include "kernels/unroll.h"

#if defined(__x86_64__)
#include <immintrin.h>

static inline __attribute__((always_inline)) void tile(
    const size_t MR, size_t nr, size_t kc, const float *a, size_t lda,
    const float *w, float *c, size_t ldc, int first, const float *bias,
    float lo, float hi) {
  __m256 acc0[6], acc1[6];
  /* Masks for the last partial columns (nr < 16). */
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i m0 = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)nr), lane);
  const __m256i m1 =
      _mm256_cmpgt_epi32(_mm256_set1_epi32((int)nr - 8), lane);
  if (first) {
    const __m256 z = _mm256_setzero_ps();
PNN_UNROLL
    for (size_t i = 0; i < MR; i++) {
      acc0[i] = z;
      acc1[i] = z;
    }
  } else if (nr == 16) {
PNN_UNROLL
    for (size_t i = 0; i < MR; i++) {
      acc0[i] = _mm256_loadu_ps(c + i * ldc);
      acc1[i] = _mm256_loadu_ps(c + i * ldc + 8);
    }
  } else {
PNN_UNROLL
    for (size_t i = 0; i < MR; i++) {
      acc0[i] = _mm256_maskload_ps(c + i * ldc, m0);
      acc1[i] = _mm256_maskload_ps(c + i * ldc + 8, m1);
    }
  }
  const float *ap[6];
PNN_UNROLL
  for (size_t i = 0; i < MR; i++) ap[i] = a + i * lda;
  if (nr <= 8) { /* narrow last panel: skip the all-zero half */
    for (size_t k = 0; k < kc; k++) {
      const __m256 w0 = _mm256_loadu_ps(w);
      w += 16;
PNN_UNROLL
      for (size_t i = 0; i < MR; i++)
        acc0[i] = _mm256_fmadd_ps(_mm256_broadcast_ss(ap[i] + k), w0, acc0[i]);
    }
  } else {
    for (size_t k = 0; k < kc; k++) {
      const __m256 w0 = _mm256_loadu_ps(w), w1 = _mm256_loadu_ps(w + 8);
      w += 16;
PNN_UNROLL
      for (size_t i = 0; i < MR; i++) {
        const __m256 x = _mm256_broadcast_ss(ap[i] + k);
        acc0[i] = _mm256_fmadd_ps(x, w0, acc0[i]);
        acc1[i] = _mm256_fmadd_ps(x, w1, acc1[i]);
      }
    }
  }
  if (bias) {
    const __m256 b0 = _mm256_loadu_ps(bias), b1 = _mm256_loadu_ps(bias + 8);
PNN_UNROLL
    for (size_t i = 0; i < MR; i++) {
      acc0[i] = _mm256_add_ps(acc0[i], b0);
      acc1[i] = _mm256_add_ps(acc1[i], b1);
    }
  }
  const __m256 vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi);
PNN_UNROLL
  for (size_t i = 0; i < MR; i++) {
    acc0[i] = _mm256_min_ps(_mm256_max_ps(acc0[i], vlo), vhi);
    acc1[i] = _mm256_min_ps(_mm256_max_ps(acc1[i], vlo), vhi);
  }
  if (nr == 16) {
PNN_UNROLL
    for (size_t i = 0; i < MR; i++) {
      _mm256_storeu_ps(c + i * ldc, acc0[i]);
      _mm256_storeu_ps(c + i * ldc + 8, acc1[i]);
    }
  } else {
PNN_UNROLL
    for (size_t i = 0; i < MR; i++) {
      _mm256_maskstore_ps(c + i * ldc, m0, acc0[i]);
      _mm256_maskstore_ps(c + i * ldc + 8, m1, acc1[i]);
    }
  }
}

void pnn_f32_gemm_6x16_avx2(size_t mr, size_t nr, size_t kc, const float *a,
                            size_t lda, const float *w, float *c, size_t ldc,
                            int first, const float *bias, float lo,
                            float hi) {
  switch (mr) {
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
