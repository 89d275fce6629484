/* Reference-order f32 kernels for aarch64 NEON (see f32_refacc.h): the
 * 8x8 GEMM microkernel and the depthwise rows with a separate multiply
 * (fmul) and add (fadd), compiled with -ffp-contract=off: no fmla in this
 * file. FMAX / FMIN propagate NaN, as the reference clamp does. Compiled
 * only for aarch64. */
#include <stdbool.h>

#include "kernels/f32_refacc.h"
#include "kernels/unroll.h"

#if defined(__aarch64__)
#include <arm_neon.h>

enum { MR = 8, NR = 8 };

static inline __attribute__((always_inline)) void tile(
    const size_t R, size_t nr, size_t kc, const float *a, size_t lda,
    const float *w, float *c, size_t ldc, int first, const float *bias,
    float lo, float hi) {
  float32x4_t acc0[MR], acc1[MR];
  if (first) {
    const float32x4_t z = vdupq_n_f32(0.f);
#pragma GCC unroll 8
    for (size_t i = 0; i < R; i++) acc0[i] = acc1[i] = z;
  } else {
    for (size_t i = 0; i < R; i++) {
      float t[NR] = {0};
      for (size_t j = 0; j < nr; j++) t[j] = c[i * ldc + j];
      acc0[i] = vld1q_f32(t);
      acc1[i] = vld1q_f32(t + 4);
    }
  }
  const float *ap[MR];
#pragma GCC unroll 8
  for (size_t i = 0; i < R; i++) ap[i] = a + i * lda;
  for (size_t k = 0; k < kc; k++, w += NR) {
    const float32x4_t w0 = vld1q_f32(w), w1 = vld1q_f32(w + 4);
#pragma GCC unroll 8
    for (size_t i = 0; i < R; i++) {
      const float x = ap[i][k];
      acc0[i] = vaddq_f32(acc0[i], vmulq_n_f32(w0, x));
      acc1[i] = vaddq_f32(acc1[i], vmulq_n_f32(w1, x));
    }
  }
  if (bias) {
    const float32x4_t b0 = vld1q_f32(bias), b1 = vld1q_f32(bias + 4);
#pragma GCC unroll 8
    for (size_t i = 0; i < R; i++) {
      acc0[i] = vaddq_f32(acc0[i], b0);
      acc1[i] = vaddq_f32(acc1[i], b1);
    }
  }
  const float32x4_t vlo = vdupq_n_f32(lo), vhi = vdupq_n_f32(hi);
#pragma GCC unroll 8
  for (size_t i = 0; i < R; i++) {
    acc0[i] = vminq_f32(vmaxq_f32(acc0[i], vlo), vhi);
    acc1[i] = vminq_f32(vmaxq_f32(acc1[i], vlo), vhi);
  }
  if (nr == NR) {
#pragma GCC unroll 8
    for (size_t i = 0; i < R; i++) {
      vst1q_f32(c + i * ldc, acc0[i]);
      vst1q_f32(c + i * ldc + 4, acc1[i]);
    }
  } else {
    for (size_t i = 0; i < R; i++) {
      float t[NR];
      vst1q_f32(t, acc0[i]);
      vst1q_f32(t + 4, acc1[i]);
      for (size_t j = 0; j < nr; j++) c[i * ldc + j] = t[j];
    }
  }
}

void pnn_f32_gemm_8x8_refacc_neon(size_t mr, size_t nr, size_t kc,
                                  const float *a, size_t lda, const float *w,
                                  float *c, size_t ldc, int first,
                                  const float *bias, float lo, float hi) {
  switch (mr) {
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

/* The depthwise rows over 4-float q registers, VFMA spelled fmul + fadd.
 * A partial vector goes through a zeroed stack buffer (no masked loads). */
typedef float32x4_t V;
#define VL 4
#define VZERO() vdupq_n_f32(0.f)
#define VLOAD(p) vld1q_f32(p)
static inline float32x4_t vloadn(const float *p, int n) {
  float t[4] = {0.f, 0.f, 0.f, 0.f};
  for (int i = 0; i < n; i++) t[i] = p[i];
  return vld1q_f32(t);
}
static inline void vstoren(float *p, float32x4_t v, int n) {
  float t[4];
  vst1q_f32(t, v);
  for (int i = 0; i < n; i++) p[i] = t[i];
}
#define VLOADN(p, n) vloadn((p), (n))
#define VSTORE(p, v) vst1q_f32((p), (v))
#define VSTOREN(p, v, n) vstoren((p), (v), (n))
#define VFMA(a, b, c) vaddq_f32((c), vmulq_f32((a), (b)))
#define VADD(a, b) vaddq_f32((a), (b))
#define VMAX(a, b) vmaxq_f32((a), (b))
#define VMIN(a, b) vminq_f32((a), (b))
#define VSET1(x) vdupq_n_f32(x)
#define FN pnn_f32_dwconv_rows_refacc_neon

#include "kernels/f32_dwconv_simd.h"

#endif
