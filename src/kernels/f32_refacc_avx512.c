/* Reference-order f32 kernels for AVX-512 (see f32_refacc.h): the 12x32
 * GEMM microkernel (24 zmm accumulators, one product temporary) and the
 * depthwise rows with a separate multiply and add (compiled with
 * -ffp-contract=off: no vfmadd in this file). The clamp keeps NaN, as in
 * f32_refacc_avx2.c. */
#include <stdbool.h>

#include "kernels/f32_refacc.h"
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
PNN_UNROLL
    for (size_t i = 0; i < MR; i++) acc0[i] = acc1[i] = _mm512_setzero_ps();
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
  if (nr <= 16) {
    for (size_t k = 0; k < kc; k++, w += 32) {
      const __m512 w0 = _mm512_loadu_ps(w);
PNN_UNROLL
      for (size_t i = 0; i < MR; i++)
        acc0[i] =
            _mm512_add_ps(acc0[i], _mm512_mul_ps(_mm512_set1_ps(ap[i][k]), w0));
    }
  } else {
    for (size_t k = 0; k < kc; k++, w += 32) {
      const __m512 w0 = _mm512_loadu_ps(w), w1 = _mm512_loadu_ps(w + 16);
PNN_UNROLL
      for (size_t i = 0; i < MR; i++) {
        const __m512 x = _mm512_set1_ps(ap[i][k]);
        acc0[i] = _mm512_add_ps(acc0[i], _mm512_mul_ps(x, w0));
        acc1[i] = _mm512_add_ps(acc1[i], _mm512_mul_ps(x, w1));
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
    acc0[i] = _mm512_min_ps(vhi, _mm512_max_ps(vlo, acc0[i]));
    acc1[i] = _mm512_min_ps(vhi, _mm512_max_ps(vlo, acc1[i]));
  }
PNN_UNROLL
  for (size_t i = 0; i < MR; i++) {
    _mm512_mask_storeu_ps(c + i * ldc, k0, acc0[i]);
    _mm512_mask_storeu_ps(c + i * ldc + 16, k1, acc1[i]);
  }
}

void pnn_f32_gemm_12x32_refacc_avx512(size_t mr, size_t nr, size_t kc,
                                      const float *a, size_t lda,
                                      const float *w, float *c, size_t ldc,
                                      int first, const float *bias, float lo,
                                      float hi) {
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

/* The depthwise rows over 16-float vectors, VFMA spelled mul then add. */
typedef __m512 V;
#define VL 16
#define VZERO() _mm512_setzero_ps()
#define VLOAD(p) _mm512_loadu_ps(p)
#define VMASK(n) ((__mmask16)((1u << (n)) - 1u))
#define VLOADN(p, n) _mm512_maskz_loadu_ps(VMASK(n), (p))
#define VSTORE(p, v) _mm512_storeu_ps((p), (v))
#define VSTOREN(p, v, n) _mm512_mask_storeu_ps((p), VMASK(n), (v))
#define VFMA(a, b, c) _mm512_add_ps((c), _mm512_mul_ps((a), (b)))
#define VADD(a, b) _mm512_add_ps((a), (b))
/* Used as VMIN(VMAX(v, lo), hi): v second, so NaN passes through. */
#define VMAX(a, b) _mm512_max_ps((b), (a))
#define VMIN(a, b) _mm512_min_ps((b), (a))
#define VSET1(x) _mm512_set1_ps(x)
#define FN pnn_f32_dwconv_rows_refacc_avx512

#include "kernels/f32_dwconv_simd.h"

#endif
