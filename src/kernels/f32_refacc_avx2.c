/* Reference-order f32 kernels for AVX2 (see f32_refacc.h): the 6x16 GEMM
 * microkernel and the depthwise rows with a separate multiply and add
 * (compiled with -ffp-contract=off: no vfmadd in this file). The clamp is
 * max(lo, v) then min(hi, v) with v as the second operand, so a NaN sum
 * passes through as in TFLite's ActivationFunctionWithMinMax. */
#include <stdbool.h>

#include "kernels/f32_refacc.h"
#include "kernels/unroll.h"

#if defined(__x86_64__)
#include <immintrin.h>

static inline __attribute__((always_inline)) void tile(
    const size_t MR, size_t nr, size_t kc, const float *a, size_t lda,
    const float *w, float *c, size_t ldc, int first, const float *bias,
    float lo, float hi) {
  __m256 acc0[6], acc1[6];
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i m0 = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)nr), lane);
  const __m256i m1 = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)nr - 8), lane);
  if (first) {
PNN_UNROLL
    for (size_t i = 0; i < MR; i++) acc0[i] = acc1[i] = _mm256_setzero_ps();
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
  if (nr <= 8) {
    for (size_t k = 0; k < kc; k++, w += 16) {
      const __m256 w0 = _mm256_loadu_ps(w);
PNN_UNROLL
      for (size_t i = 0; i < MR; i++)
        acc0[i] = _mm256_add_ps(
            acc0[i], _mm256_mul_ps(_mm256_broadcast_ss(ap[i] + k), w0));
    }
  } else {
    for (size_t k = 0; k < kc; k++, w += 16) {
      const __m256 w0 = _mm256_loadu_ps(w), w1 = _mm256_loadu_ps(w + 8);
PNN_UNROLL
      for (size_t i = 0; i < MR; i++) {
        const __m256 x = _mm256_broadcast_ss(ap[i] + k);
        acc0[i] = _mm256_add_ps(acc0[i], _mm256_mul_ps(x, w0));
        acc1[i] = _mm256_add_ps(acc1[i], _mm256_mul_ps(x, w1));
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
    acc0[i] = _mm256_min_ps(vhi, _mm256_max_ps(vlo, acc0[i]));
    acc1[i] = _mm256_min_ps(vhi, _mm256_max_ps(vlo, acc1[i]));
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

void pnn_f32_gemm_6x16_refacc_avx2(size_t mr, size_t nr, size_t kc,
                                   const float *a, size_t lda, const float *w,
                                   float *c, size_t ldc, int first,
                                   const float *bias, float lo, float hi) {
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

/* The depthwise rows: the shared body of f32_dwconv_simd.h over 8-float
 * vectors, VFMA spelled as a multiply then an add. */
typedef __m256 V;
#define VL 8
#define VZERO() _mm256_setzero_ps()
#define VLOAD(p) _mm256_loadu_ps(p)
static inline __m256i vmask(int n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n),
                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
#define VLOADN(p, n) _mm256_maskload_ps((p), vmask(n))
#define VSTORE(p, v) _mm256_storeu_ps((p), (v))
#define VSTOREN(p, v, n) _mm256_maskstore_ps((p), vmask(n), (v))
#define VFMA(a, b, c) _mm256_add_ps((c), _mm256_mul_ps((a), (b)))
#define VADD(a, b) _mm256_add_ps((a), (b))
/* Used as VMIN(VMAX(v, lo), hi): v second, so NaN passes through. */
#define VMAX(a, b) _mm256_max_ps((b), (a))
#define VMIN(a, b) _mm256_min_ps((b), (a))
#define VSET1(x) _mm256_set1_ps(x)
#define FN pnn_f32_dwconv_rows_refacc_avx2

#include "kernels/f32_dwconv_simd.h"

#endif
