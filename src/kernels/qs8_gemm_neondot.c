/* qs8_gemm_4x16_neondot: the packed int8 GEMM microkernel with the ARMv8.2
 * dot-product instruction (sdot, vdotq_laneq_s32). A panel group of 4 k
 * values is 16 columns x 4 bytes = four q registers, each four columns x
 * four bytes: exactly what sdot multiplies by one 4-byte lane of a row of
 * x. 4 rows x 16 columns live in 16 accumulators; each step of four groups
 * loads 16 bytes of every row once. Signed int8 on both sides, so the
 * driver packs x as is (PNN_QS8_A_S8) and no sign flip is needed; int32
 * sums wrap like the reference's. Built with -march=armv8.2-a+dotprod
 * (Makefile), only for aarch64; picked only when the CPU reports
 * HWCAP_ASIMDDP. */
#include "kernels/qs8_gemm.h"

#if defined(__aarch64__)
#include <arm_neon.h>
#include <string.h>

enum { MR = 4, GROUP = 64 };

#define DOT_STEP(L)                                                   \
  do {                                                                \
    const int8x16_t w0 = vld1q_s8(wp), w1 = vld1q_s8(wp + 16);        \
    const int8x16_t w2 = vld1q_s8(wp + 32), w3 = vld1q_s8(wp + 48);   \
    wp += GROUP;                                                      \
    _Pragma("GCC unroll 4") for (size_t r = 0; r < R; r++) {          \
      acc[r][0] = vdotq_laneq_s32(acc[r][0], w0, av[r], L);           \
      acc[r][1] = vdotq_laneq_s32(acc[r][1], w1, av[r], L);           \
      acc[r][2] = vdotq_laneq_s32(acc[r][2], w2, av[r], L);           \
      acc[r][3] = vdotq_laneq_s32(acc[r][3], w3, av[r], L);           \
    }                                                                 \
  } while (0)

static inline __attribute__((always_inline)) void tile(
    const size_t R, size_t kg, const int8_t *x, size_t xa_stride,
    const int8_t *wp, int32_t *c, bool accumulate) {
  int32x4_t acc[MR][4];
#pragma GCC unroll 4
  for (size_t r = 0; r < R; r++)
#pragma GCC unroll 4
    for (size_t q = 0; q < 4; q++)
      acc[r][q] = accumulate ? vld1q_s32(c + r * 2 * PNN_QS8_NR + 4 * q)
                             : vdupq_n_s32(0);
  size_t g = 0;
  for (; g + 4 <= kg; g += 4) {
    int8x16_t av[MR];
#pragma GCC unroll 4
    for (size_t r = 0; r < R; r++) av[r] = vld1q_s8(x + r * xa_stride + 4 * g);
    DOT_STEP(0);
    DOT_STEP(1);
    DOT_STEP(2);
    DOT_STEP(3);
  }
  for (; g < kg; g++) {
    const int8x16_t w0 = vld1q_s8(wp), w1 = vld1q_s8(wp + 16);
    const int8x16_t w2 = vld1q_s8(wp + 32), w3 = vld1q_s8(wp + 48);
    wp += GROUP;
#pragma GCC unroll 4
    for (size_t r = 0; r < R; r++) {
      int32_t v;
      memcpy(&v, x + r * xa_stride + 4 * g, 4);
      const int8x16_t a = vreinterpretq_s8_s32(vdupq_n_s32(v));
      acc[r][0] = vdotq_s32(acc[r][0], w0, a);
      acc[r][1] = vdotq_s32(acc[r][1], w1, a);
      acc[r][2] = vdotq_s32(acc[r][2], w2, a);
      acc[r][3] = vdotq_s32(acc[r][3], w3, a);
    }
  }
#pragma GCC unroll 4
  for (size_t r = 0; r < R; r++)
#pragma GCC unroll 4
    for (size_t q = 0; q < 4; q++)
      vst1q_s32(c + r * 2 * PNN_QS8_NR + 4 * q, acc[r][q]);
}

void pnn_qs8_ukernel_4x16_neondot(size_t mr, size_t np, size_t kg,
                                  const void *xa, size_t xa_stride,
                                  const int8_t *w, size_t panel_stride,
                                  int32_t *c, bool accumulate) {
  const int8_t *x = xa;
  for (size_t p = 0; p < np; p++) {
    const int8_t *wp = w + p * panel_stride;
    int32_t *cp = c + p * PNN_QS8_NR;
    switch (mr) {
      case 4: tile(4, kg, x, xa_stride, wp, cp, accumulate); break;
      case 3: tile(3, kg, x, xa_stride, wp, cp, accumulate); break;
      case 2: tile(2, kg, x, xa_stride, wp, cp, accumulate); break;
      case 1: tile(1, kg, x, xa_stride, wp, cp, accumulate); break;
      default: break;
    }
  }
}

#endif
