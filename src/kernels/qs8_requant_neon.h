/* The int8 output stage, 4 int32 lanes at a time (aarch64 NEON), bit-exact
 * with pnn_qm_mul_by_qm for mult >= 0: the left shift (capped at 31)
 * wraps, sqrdmulh is SaturatingRoundingDoublingHighMul, and a rounding
 * shift after a -1 fix-up of negative lanes gives RoundingDivideByPOT's
 * ties away from zero (exponent capped at 31). Used by the qs8 depthwise
 * NEON kernel; the per-lane terms are set up once per block. */
#ifndef PNN_KERNELS_QS8_REQUANT_NEON_H
#define PNN_KERNELS_QS8_REQUANT_NEON_H

#if defined(__aarch64__)
#include <arm_neon.h>

typedef struct {
  int32x4_t m, left, negright;
} pnn_rq4;

static inline pnn_rq4 pnn_rq4_setup(int32x4_t mult, int32x4_t shift) {
  const int32x4_t zero = vdupq_n_s32(0);
  pnn_rq4 p;
  p.m = mult;
  p.left = vminq_s32(vmaxq_s32(shift, zero), vdupq_n_s32(31));
  p.negright = vmaxq_s32(vminq_s32(shift, zero), vdupq_n_s32(-31));
  return p;
}

/* MultiplyByQuantizedMultiplier of every lane of x (bias already added). */
static inline int32x4_t pnn_rq4_apply(const pnn_rq4 *p, int32x4_t x) {
  x = vqrdmulhq_s32(vshlq_s32(x, p->left), p->m);
  const int32x4_t fix = vshrq_n_s32(vandq_s32(x, p->negright), 31);
  return vrshlq_s32(vqaddq_s32(x, fix), p->negright);
}
#endif

#endif
