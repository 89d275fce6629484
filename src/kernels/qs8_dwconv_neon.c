/* qs8_dw_16x1_neon (see qs8_dwconv.h): per block of 16 channels and tap,
 * the tap's bytes widen to int16 (sxtl / sxtl2) and smlal / smlal2 add
 * their products with the pre-widened int16 weights to four int32x4
 * accumulators, channels in natural order; the output stage is
 * qs8_requant_neon.h, then saturating narrows (sqxtn) and the clamp. A
 * partial block goes through 16-byte stack copies. */
#include "kernels/qs8_dwconv.h"

#if defined(__aarch64__)
#include <arm_neon.h>
#include <string.h>

#include "kernels/qs8_requant_neon.h"

static inline __attribute__((always_inline)) int8x16_t load16(const int8_t *p,
                                                              size_t rem) {
  if (rem == 16) return vld1q_s8(p);
  int8_t b[16] = {0};
  memcpy(b, p, rem);
  return vld1q_s8(b);
}

static inline __attribute__((always_inline)) int8x16_t pixel16(
    const int8_t *const *ip, size_t off, size_t rem, size_t tp,
    const int16_t *wb, const int32x4_t bias[4], const pnn_rq4 r[4],
    int16x8_t vzp) {
  int32x4_t a0 = bias[0], a1 = bias[1], a2 = bias[2], a3 = bias[3];
  for (size_t t = 0; t < tp; t++) {
    const int8x16_t x = load16(ip[t] + off, rem);
    const int16x8_t lo = vmovl_s8(vget_low_s8(x)), hi = vmovl_high_s8(x);
    const int16x8_t w0 = vld1q_s16(wb + t * 16),
                    w1 = vld1q_s16(wb + t * 16 + 8);
    a0 = vmlal_s16(a0, vget_low_s16(lo), vget_low_s16(w0));
    a1 = vmlal_high_s16(a1, lo, w0);
    a2 = vmlal_s16(a2, vget_low_s16(hi), vget_low_s16(w1));
    a3 = vmlal_high_s16(a3, hi, w1);
  }
  a0 = pnn_rq4_apply(&r[0], a0);
  a1 = pnn_rq4_apply(&r[1], a1);
  a2 = pnn_rq4_apply(&r[2], a2);
  a3 = pnn_rq4_apply(&r[3], a3);
  /* |zp| <= 128: saturating int16 add + narrows = clamp of v + zp */
  const int16x8_t h0 = vqaddq_s16(vqmovn_high_s32(vqmovn_s32(a0), a1), vzp);
  const int16x8_t h1 = vqaddq_s16(vqmovn_high_s32(vqmovn_s32(a2), a3), vzp);
  return vqmovn_high_s16(vqmovn_s16(h0), h1);
}

void pnn_qs8_dw_neon(const pnn_qs8_dw *d, const int8_t *const *ind,
                     size_t ind_stride, size_t xstep, size_t npix,
                     int8_t *out) {
  const size_t tp = d->tp, c = d->c;
  const int16x8_t vzp = vdupq_n_s16((int16_t)d->out_zp);
  const int8x16_t vlo = vdupq_n_s8((int8_t)d->lo),
                  vhi = vdupq_n_s8((int8_t)d->hi);
  for (size_t c0 = 0; c0 < c; c0 += 16) {
    const size_t rem = c - c0 < 16 ? c - c0 : 16;
    const int16_t *wb = (const int16_t *)d->w + (c0 / 16) * tp * 16;
    pnn_rq4 r[4];
    int32x4_t bias[4];
    for (int i = 0; i < 4; i++) {
      r[i] = pnn_rq4_setup(vld1q_s32(d->mult + c0 + 4 * i),
                           vld1q_s32(d->shift + c0 + 4 * i));
      bias[i] = vld1q_s32(d->bias + c0 + 4 * i);
    }
    for (size_t p = 0; p < npix; p++) {
      const int8_t *const *ip = ind + p * ind_stride;
      const size_t off = p * xstep + c0;
      if (rem == 16) {
        int8x16_t v = pixel16(ip, off, 16, tp, wb, bias, r, vzp);
        v = vminq_s8(vmaxq_s8(v, vlo), vhi);
        vst1q_s8(out + p * c + c0, v);
      } else {
        int8x16_t v = pixel16(ip, off, rem, tp, wb, bias, r, vzp);
        v = vminq_s8(vmaxq_s8(v, vlo), vhi);
        int8_t o[16];
        vst1q_s8(o, v);
        memcpy(out + p * c + c0, o, rem);
      }
    }
  }
}
#endif
