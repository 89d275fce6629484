/* qs8_gemm_2x16_neon: the packed int8 GEMM microkernel for ARMv8 NEON
 * without the dot-product extension (e.g. Cortex-A53). Each 4-byte group
 * of a row of x is broadcast to all four lanes; smull / smull2 multiply it
 * by a q register of the panel (four columns x four k bytes) into int16
 * products (|p| <= 2^14, exact), and sadalp adds their neighbouring pairs
 * into int32 lanes: two partial sums per column, added pairwise (addp) at
 * the end. 2 rows x 16 columns x 2 partials live in 16 accumulators. The
 * driver packs x as is (PNN_QS8_A_S8); int32 sums wrap like the
 * reference's. Compiled only for aarch64. */
#include "kernels/qs8_gemm.h"

#if defined(__aarch64__)
#include <arm_neon.h>
#include <string.h>

enum { MR = 2, GROUP = 64 };

static inline __attribute__((always_inline)) void tile(
    const size_t R, size_t kg, const int8_t *x, size_t xa_stride,
    const int8_t *wp, int32_t *c, bool accumulate) {
  /* acc[r][2q] holds columns 4q, 4q+1 (two partials each), acc[r][2q+1]
   * columns 4q+2, 4q+3. */
  int32x4_t acc[MR][8];
#pragma GCC unroll 2
  for (size_t r = 0; r < R; r++)
#pragma GCC unroll 8
    for (size_t q = 0; q < 8; q++) acc[r][q] = vdupq_n_s32(0);
  for (size_t g = 0; g < kg; g++, wp += GROUP) {
    int8x16_t w[4];
#pragma GCC unroll 4
    for (size_t q = 0; q < 4; q++) w[q] = vld1q_s8(wp + 16 * q);
#pragma GCC unroll 2
    for (size_t r = 0; r < R; r++) {
      int32_t v;
      memcpy(&v, x + r * xa_stride + 4 * g, 4);
      const int8x16_t a = vreinterpretq_s8_s32(vdupq_n_s32(v));
#pragma GCC unroll 4
      for (size_t q = 0; q < 4; q++) {
        acc[r][2 * q] = vpadalq_s16(
            acc[r][2 * q], vmull_s8(vget_low_s8(w[q]), vget_low_s8(a)));
        acc[r][2 * q + 1] =
            vpadalq_s16(acc[r][2 * q + 1], vmull_high_s8(w[q], a));
      }
    }
  }
#pragma GCC unroll 2
  for (size_t r = 0; r < R; r++) {
    int32_t *cr = c + r * 2 * PNN_QS8_NR;
#pragma GCC unroll 4
    for (size_t q = 0; q < 4; q++) {
      int32x4_t s = vpaddq_s32(acc[r][2 * q], acc[r][2 * q + 1]);
      if (accumulate) s = vaddq_s32(s, vld1q_s32(cr + 4 * q));
      vst1q_s32(cr + 4 * q, s);
    }
  }
}

void pnn_qs8_ukernel_2x16_neon(size_t mr, size_t np, size_t kg,
                               const void *xa, size_t xa_stride,
                               const int8_t *w, size_t panel_stride,
                               int32_t *c, bool accumulate) {
  const int8_t *x = xa;
  for (size_t p = 0; p < np; p++) {
    const int8_t *wp = w + p * panel_stride;
    int32_t *cp = c + p * PNN_QS8_NR;
    switch (mr) {
      case 2: tile(2, kg, x, xa_stride, wp, cp, accumulate); break;
      case 1: tile(1, kg, x, xa_stride, wp, cp, accumulate); break;
      default: break;
    }
  }
}

#endif
