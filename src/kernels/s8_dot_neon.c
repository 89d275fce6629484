/* int8 dot products, the int8 GEMM fallback, the output stage and the
 * depthwise tap for aarch64 NEON (baseline ARMv8, no dot-product
 * extension needed); the contracts are s8_dot.h's, bit-exact with the
 * plain-C references:
 * - dots / gemm: smull / smull2 give exact int16 products (|p| <= 2^14),
 *   sadalp adds neighbouring pairs into int32 lanes, addv sums the lanes;
 *   all int32 sums wrap like the reference's.
 * - requant: TFLite's MultiplyByQuantizedMultiplier per lane: the left
 *   shift wraps (sshl), sqrdmulh is gemmlowp's
 *   SaturatingRoundingDoublingHighMul, and the rounding right shift (srshl
 *   by -exponent rounds half up) is first nudged down by one for negative
 *   values so ties go away from zero, as RoundingDivideByPOT does.
 * - dw_tap: x - zp and w widened to int16 (|x - zp| <= 255), smlal into
 *   int32.
 * Compiled only for aarch64. */
#include "kernels/s8_dot.h"

#if defined(__aarch64__)
#include <arm_neon.h>

static inline int32_t dot1(const int8_t *x, const int8_t *w, size_t k) {
  int32x4_t acc0 = vdupq_n_s32(0), acc1 = vdupq_n_s32(0);
  size_t t = 0;
  for (; t + 16 <= k; t += 16) {
    const int8x16_t xv = vld1q_s8(x + t), wv = vld1q_s8(w + t);
    acc0 = vpadalq_s16(acc0, vmull_s8(vget_low_s8(xv), vget_low_s8(wv)));
    acc1 = vpadalq_s16(acc1, vmull_high_s8(xv, wv));
  }
  for (; t + 8 <= k; t += 8)
    acc0 = vpadalq_s16(acc0, vmull_s8(vld1_s8(x + t), vld1_s8(w + t)));
  /* wrapping lane sum (int32 adds wrap on aarch64, as unsigned here) */
  uint32_t s = vaddvq_u32(vreinterpretq_u32_s32(vaddq_s32(acc0, acc1)));
  for (; t < k; t++) s += (uint32_t)((int32_t)x[t] * (int32_t)w[t]);
  return (int32_t)s;
}

void pnn_s8_dots_neon(const int8_t *x, const int8_t *w, size_t k, size_t n,
                      size_t w_stride, int32_t *acc) {
  for (size_t i = 0; i < n; i++)
    acc[i] = (int32_t)((uint32_t)acc[i] + (uint32_t)dot1(x, w + i * w_stride, k));
}

void pnn_s8_gemm_neon(const int8_t *x, size_t x_stride, size_t m,
                      const int8_t *w, size_t w_stride, size_t n, size_t k,
                      int32_t *acc, size_t acc_stride) {
  for (size_t i = 0; i < m; i++)
    for (size_t j = 0; j < n; j++)
      acc[i * acc_stride + j] = dot1(x + i * x_stride, w + j * w_stride, k);
}

void pnn_s8_requant_neon(const int32_t *acc, const int32_t *bias,
                         const int32_t *mult, const int *shift, int32_t zp,
                         int32_t lo, int32_t hi, size_t n, int8_t *out) {
  const int32x4_t vzp = vdupq_n_s32(zp), vlo = vdupq_n_s32(lo),
                  vhi = vdupq_n_s32(hi), v31 = vdupq_n_s32(31),
                  vneg31 = vdupq_n_s32(-31), zero = vdupq_n_s32(0);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    int32x4_t v = vld1q_s32(acc + i);
    if (bias) v = vaddq_s32(v, vld1q_s32(bias + i));
    const int32x4_t sh = vld1q_s32((const int32_t *)shift + i);
    const int32x4_t left = vminq_s32(vmaxq_s32(sh, zero), v31);
    const int32x4_t negright = vmaxq_s32(vminq_s32(sh, zero), vneg31);
    v = vshlq_s32(v, left);
    v = vqrdmulhq_s32(v, vld1q_s32(mult + i));
    /* -1 for negative v when there is a right shift: ties away from 0 */
    const int32x4_t fix = vshrq_n_s32(vandq_s32(v, negright), 31);
    v = vrshlq_s32(vqaddq_s32(v, fix), negright);
    v = vminq_s32(vmaxq_s32(vaddq_s32(v, vzp), vlo), vhi);
    const int16x4_t h = vmovn_s32(v);
    const int8x8_t b = vmovn_s16(vcombine_s16(h, h));
    vst1_lane_s32((int32_t *)(void *)(out + i), vreinterpret_s32_s8(b), 0);
  }
  if (i < n)
    pnn_s8_requant_ref(acc + i, bias ? bias + i : NULL, mult + i, shift + i,
                       zp, lo, hi, n - i, out + i);
}

void pnn_s8_dw_tap_neon(const int8_t *x, const int8_t *w, int32_t zp,
                        size_t n, int32_t *acc) {
  const int16x8_t vzp = vdupq_n_s16((int16_t)zp);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const int16x8_t xv = vsubq_s16(vmovl_s8(vld1_s8(x + i)), vzp);
    const int16x8_t wv = vmovl_s8(vld1_s8(w + i));
    vst1q_s32(acc + i, vmlal_s16(vld1q_s32(acc + i), vget_low_s16(wv),
                                 vget_low_s16(xv)));
    vst1q_s32(acc + i + 4,
              vmlal_high_s16(vld1q_s32(acc + i + 4), wv, xv));
  }
  for (; i < n; i++) acc[i] += (int32_t)w[i] * ((int32_t)x[i] - zp);
}

#endif
