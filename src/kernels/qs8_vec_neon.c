/* Quantized 8-bit elementwise kernels, aarch64 NEON level (see
 * qs8_vec.h): the table lookup and row sums in NEON; ADD / SUB / MUL use
 * the reference arithmetic. */
#if defined(__aarch64__)
#include <arm_neon.h>

#include "kernels/qs8_vec.h"

/* tbl over the first 64 entries, then tbx over each further quarter with
 * the index lowered by 64 (out-of-range lanes keep their value). */
static void lut_neon(const uint8_t *x, uint8_t *o, size_t n,
                     const uint8_t *table) {
  uint8x16x4_t t0, t1, t2, t3;
  for (int k = 0; k < 4; k++) {
    t0.val[k] = vld1q_u8(table + 16 * k);
    t1.val[k] = vld1q_u8(table + 64 + 16 * k);
    t2.val[k] = vld1q_u8(table + 128 + 16 * k);
    t3.val[k] = vld1q_u8(table + 192 + 16 * k);
  }
  const uint8x16_t k64 = vdupq_n_u8(64);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    uint8x16_t v = vld1q_u8(x + i);
    uint8x16_t r = vqtbl4q_u8(t0, v);
    v = vsubq_u8(v, k64);
    r = vqtbx4q_u8(r, t1, v);
    v = vsubq_u8(v, k64);
    r = vqtbx4q_u8(r, t2, v);
    v = vsubq_u8(v, k64);
    r = vqtbx4q_u8(r, t3, v);
    vst1q_u8(o + i, r);
  }
  pnn_qs8_lut_ref(x + i, o + i, n - i, table);
}

static void sum_rows_neon(const void *vx, bool u8, int32_t *acc, size_t rows,
                          size_t c) {
  const uint8_t *x = vx;
  size_t j = 0;
  for (; j + 8 <= c; j += 8) {
    int32x4_t s0 = vld1q_s32(acc + j), s1 = vld1q_s32(acc + j + 4);
    for (size_t r = 0; r < rows; r++) {
      const uint8x8_t b = vld1_u8(x + r * c + j);
      const int16x8_t w = u8 ? vreinterpretq_s16_u16(vmovl_u8(b))
                             : vmovl_s8(vreinterpret_s8_u8(b));
      s0 = vaddw_s16(s0, vget_low_s16(w));
      s1 = vaddw_s16(s1, vget_high_s16(w));
    }
    vst1q_s32(acc + j, s0);
    vst1q_s32(acc + j + 4, s1);
  }
  if (j < c)
    for (size_t r = 0; r < rows; r++)
      for (size_t k = j; k < c; k++) {
        const uint8_t v = x[r * c + k];
        acc[k] = (int32_t)((uint32_t)acc[k] +
                           (uint32_t)(u8 ? (int32_t)v : (int32_t)(int8_t)v));
      }
}

const pnn_qs8_vec_ops pnn_qs8_vec_ops_neon = {
    PNN_ISA_NEON,
    lut_neon,
    {pnn_qs8_add_ref, pnn_qs8_sub_ref, pnn_qs8_mul_ref},
    sum_rows_neon,
    pnn_qs8_pool_max_ref,
    pnn_qs8_pool_avg_ref,
    pnn_qs8_addsub_const_ref,
};

#else
typedef int pnn_qs8_vec_neon_unused; /* ISO C: no empty translation unit */
#endif
