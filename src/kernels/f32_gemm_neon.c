/* f32_gemm_8x8_neon: 8 rows x 8 columns of C in 16 q-register
 * accumulators (of 32). Each group of four k steps loads four A values per
 * row in one vector and multiplies the two weight vectors of each step by
 * one lane of it (vfmaq_laneq_f32); a k remainder below four broadcasts
 * single values. As in the x86 kernels, each row count is its own
 * instantiation so the accumulators stay in registers for partial tiles;
 * partial column tiles compute all eight columns (the packed panel is
 * zero-padded) and store only the first nr. Compiled only for aarch64. */
#include "kernels/f32_gemm.h"

#if defined(__aarch64__)
#include <arm_neon.h>

enum { MR = 8, NR = 8 };

/* acc{0,1}[i] += lane L of av[i] * (w0, w1), for the MR rows. */
#define STEP(L)                                                  \
  do {                                                           \
    const float32x4_t w0 = vld1q_f32(w), w1 = vld1q_f32(w + 4);  \
    w += NR;                                                     \
    _Pragma("GCC unroll 8") for (size_t i = 0; i < R; i++) {     \
      acc0[i] = vfmaq_laneq_f32(acc0[i], w0, av[i], L);          \
      acc1[i] = vfmaq_laneq_f32(acc1[i], w1, av[i], L);          \
    }                                                            \
  } while (0)

static inline __attribute__((always_inline)) void tile(
    const size_t R, size_t nr, size_t kc, const float *a, size_t lda,
    const float *w, float *c, size_t ldc, int first, const float *bias,
    float lo, float hi) {
  float32x4_t acc0[MR], acc1[MR];
  if (first) {
    const float32x4_t z = vdupq_n_f32(0.f);
#pragma GCC unroll 8
    for (size_t i = 0; i < R; i++) acc0[i] = acc1[i] = z;
  } else if (nr == NR) {
#pragma GCC unroll 8
    for (size_t i = 0; i < R; i++) {
      acc0[i] = vld1q_f32(c + i * ldc);
      acc1[i] = vld1q_f32(c + i * ldc + 4);
    }
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
  size_t k = 0;
  for (; k + 4 <= kc; k += 4) {
    float32x4_t av[MR];
#pragma GCC unroll 8
    for (size_t i = 0; i < R; i++) av[i] = vld1q_f32(ap[i] + k);
    STEP(0);
    STEP(1);
    STEP(2);
    STEP(3);
  }
  for (; k < kc; k++) {
    const float32x4_t w0 = vld1q_f32(w), w1 = vld1q_f32(w + 4);
    w += NR;
#pragma GCC unroll 8
    for (size_t i = 0; i < R; i++) {
      acc0[i] = vfmaq_n_f32(acc0[i], w0, ap[i][k]);
      acc1[i] = vfmaq_n_f32(acc1[i], w1, ap[i][k]);
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

void pnn_f32_gemm_8x8_neon(size_t mr, size_t nr, size_t kc, const float *a,
                           size_t lda, const float *w, float *c, size_t ldc,
                           int first, const float *bias, float lo, float hi) {
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

#endif
