/* gemmlowp-style fixed-point math on int32 raw values, as TFLite's
 * quantized SOFTMAX / LOG_SOFTMAX reference kernels use it.
 *
 * A value with I integer bits is raw * 2^-(31 - I). Multiplying two such
 * values (I1, I2) gives a value with I1 + I2 integer bits whose raw is
 * pnn_qm_srdhm(a, b); adding needs equal I and is a plain raw add.
 * Rescaling from I_src to I_dst integer bits is a rounding shift right by
 * I_dst - I_src, or a saturating shift left by I_src - I_dst.
 *
 * Built on quant_math.h's SaturatingRoundingDoublingHighMul and
 * RoundingDivideByPOT; every function reproduces gemmlowp's result bit for
 * bit (fixedpoint.h: exp_on_negative_values,
 * one_over_one_plus_x_for_x_in_0_1, and TFLite's GetReciprocal). */
#ifndef PNN_OPS_FIXEDPOINT_H
#define PNN_OPS_FIXEDPOINT_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "ops/quant_math.h"

/* gemmlowp SaturatingRoundingMultiplyByPOT<exponent> on int32. */
static inline int32_t pnn_fp_mul_pot(int32_t x, int exponent) {
  if (exponent == 0) return x;
  if (exponent < 0) return pnn_qm_rounding_divide_by_pot(x, -exponent);
  const int32_t threshold = (int32_t)((1u << (31 - exponent)) - 1);
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return (int32_t)((uint32_t)x << exponent);
}

/* Rescale<dst_bits>(x with src_bits integer bits). */
static inline int32_t pnn_fp_rescale(int32_t x, int src_bits, int dst_bits) {
  return pnn_fp_mul_pot(x, src_bits - dst_bits);
}

/* gemmlowp RoundingHalfSum. */
static inline int32_t pnn_fp_rounding_half_sum(int32_t a, int32_t b) {
  int64_t sum = (int64_t)a + (int64_t)b;
  int64_t sign = sum >= 0 ? 1 : -1;
  return (int32_t)((sum + sign) / 2);
}

/* exp(a) for a in [-1/4, 0), a and result with 0 integer bits. */
static inline int32_t pnn_fp_exp_quarter(int32_t a) {
  const int32_t constant_term = 1895147668;   /* exp(-1/8) */
  const int32_t constant_1_over_3 = 715827883;
  const int32_t x = a + (1 << 28);            /* a + 1/8 */
  const int32_t x2 = pnn_qm_srdhm(x, x);
  const int32_t x3 = pnn_qm_srdhm(x2, x);
  const int32_t x4 = pnn_qm_srdhm(x2, x2);
  const int32_t x4_over_4 = pnn_fp_mul_pot(x4, -2);
  const int32_t poly = pnn_fp_mul_pot(
      pnn_qm_srdhm(x4_over_4 + x3, constant_1_over_3) + x2, -1);
  return constant_term + pnn_qm_srdhm(constant_term, x + poly);
}

/* exp(a) for a <= 0 with `int_bits` integer bits; result with 0 integer
 * bits (1.0 is INT32_MAX). */
static inline int32_t pnn_fp_exp_on_negative_values(int32_t a, int int_bits) {
  /* The domain is a <= 0; a positive a (a difference scaled by a crafted
   * multiplier that wrapped) would overflow `remainder` below. */
  if (a > 0) a = 0;
  const int frac_bits = 31 - int_bits;
  const int32_t one_quarter = (int32_t)1 << (frac_bits - 2);
  const int32_t mask = one_quarter - 1;
  const int32_t a_mod_q_minus_q = (a & mask) - one_quarter;
  int32_t result =
      pnn_fp_exp_quarter(pnn_fp_rescale(a_mod_q_minus_q, int_bits, 0));
  const int32_t remainder = a_mod_q_minus_q - a;
  static const int32_t mult[7] = {1672461947, 1302514674, 790015084,
                                  290630308,  39332535,   720401,
                                  242};
  for (int k = 0; k < 7; k++) {
    const int exponent = k - 2;
    if (int_bits > exponent) {
      const int shift = frac_bits + exponent;
      if (remainder & ((int32_t)1 << shift))
        result = pnn_qm_srdhm(result, mult[k]);
    }
  }
  if (int_bits > 5) {
    const int32_t clamp = -((int32_t)1 << (36 - int_bits)); /* -32.0 */
    if (a < clamp) result = 0;
  }
  if (a == 0) result = INT32_MAX;
  return result;
}

/* 1 / (1 + a) for a in [0, 1) with 0 integer bits; result with 0 integer
 * bits. Newton-Raphson as gemmlowp. */
static inline int32_t pnn_fp_one_over_one_plus_x(int32_t a) {
  const int32_t half_denominator = pnn_fp_rounding_half_sum(a, INT32_MAX);
  const int32_t c48_17 = 1515870810;   /* 48/17, 2 integer bits */
  const int32_t cm32_17 = -1010580540; /* -32/17, 2 integer bits */
  int32_t x = c48_17 + pnn_qm_srdhm(half_denominator, cm32_17);
  const int32_t one_f2 = (int32_t)1 << 29;
  for (int i = 0; i < 3; i++) {
    const int32_t hdx = pnn_qm_srdhm(half_denominator, x);
    const int32_t one_minus = one_f2 - hdx;
    x = x + pnn_fp_rescale(pnn_qm_srdhm(x, one_minus), 4, 2);
  }
  /* ExactMulByPot<-1> (2 -> 1 integer bits, same raw), Rescale<0>. */
  return pnn_fp_rescale(x, 1, 0);
}

static inline int pnn_fp_clz32(uint32_t x) {
  if (x == 0) return 32;
  int n = 0;
  while (!(x & 0x80000000u)) {
    x <<= 1;
    n++;
  }
  return n;
}

/* TFLite GetReciprocal: 1 / x for x with x_int_bits integer bits, as a
 * 0-integer-bit value scaled by 2^-num_bits_over_unit. */
static inline int32_t pnn_fp_reciprocal(int32_t x, int x_int_bits,
                                        int *num_bits_over_unit) {
  const int headroom_plus_one = pnn_fp_clz32((uint32_t)x);
  *num_bits_over_unit = x_int_bits - headroom_plus_one;
  const uint32_t shifted =
      headroom_plus_one >= 32 ? 0u : (uint32_t)x << headroom_plus_one;
  const int32_t shifted_minus_one = (int32_t)(shifted - (1u << 31));
  return pnn_fp_one_over_one_plus_x(shifted_minus_one);
}

static inline int32_t pnn_fp_sat_add(int32_t a, int32_t b) {
  int64_t v = (int64_t)a + b;
  return (int32_t)(v > INT32_MAX ? INT32_MAX : (v < INT32_MIN ? INT32_MIN : v));
}
static inline int32_t pnn_fp_sat_sub(int32_t a, int32_t b) {
  int64_t v = (int64_t)a - b;
  return (int32_t)(v > INT32_MAX ? INT32_MAX : (v < INT32_MIN ? INT32_MIN : v));
}

/* TFLite's log_x_for_x_greater_than_or_equal_to_1<out_bits>(x with
 * in_bits integer bits): log(x) with out_bits integer bits, from a
 * power-of-two split and a rational approximation of log on
 * [sqrt(1/2), 1) (constants as in TFLite). */
static inline int32_t pnn_fp_log_x_ge_1(int32_t x, int in_bits,
                                        int out_bits) {
  const int acc_bits = out_bits + 1;
  const int32_t log_2 = 1488522236, sqrt_sqrt_half = 1805811301,
                sqrt_half = 1518500250, one_quarter = 536870912;
  const int32_t alpha_n = 117049297, alpha_d = 127690142,
                alpha_i = 1057819769, alpha_f = 638450708;
  const int32_t shifted_quarter = pnn_fp_rescale(one_quarter, 0, acc_bits);
  const int32_t z_a = x;
  const int z_a_hp1 = pnn_fp_clz32((uint32_t)z_a);
  const int32_t r_a_tmp = pnn_fp_mul_pot(z_a, z_a_hp1 - 1);
  const int32_t r_a = pnn_fp_mul_pot(pnn_qm_srdhm(r_a_tmp, sqrt_half), 1);
  const int32_t z_a_adj = pnn_fp_sat_add(
      pnn_fp_mul_pot(in_bits - z_a_hp1, 31 - acc_bits), shifted_quarter);
  const int32_t z_b = pnn_qm_srdhm(z_a, sqrt_half);
  const int z_b_head = pnn_fp_clz32((uint32_t)z_b) - 1;
  const int32_t r_b = pnn_fp_mul_pot(z_a, z_b_head);
  const int32_t z_b_adj = pnn_fp_sat_sub(
      pnn_fp_mul_pot(in_bits - z_b_head, 31 - acc_bits), shifted_quarter);
  const int32_t r = r_a < r_b ? r_a : r_b;
  const int32_t z_adj = z_a_adj > z_b_adj ? z_a_adj : z_b_adj;
  const int32_t p = pnn_fp_rounding_half_sum(r, sqrt_sqrt_half);
  int32_t q = r - sqrt_sqrt_half;
  q = q + q;
  const int32_t common_sq = pnn_qm_srdhm(q, q);
  const int32_t num = pnn_qm_srdhm(q, r) +
                      pnn_qm_srdhm(pnn_qm_srdhm(q, common_sq), alpha_n);
  const int32_t denom_m1 =
      pnn_qm_srdhm(p, alpha_i + q + pnn_qm_srdhm(alpha_d, common_sq)) +
      pnn_qm_srdhm(alpha_f, q);
  const int32_t recip = pnn_fp_one_over_one_plus_x(denom_m1);
  const int32_t num_scaled = pnn_fp_rescale(num, 0, acc_bits);
  return pnn_fp_rescale(
      pnn_qm_srdhm(z_adj, log_2) + pnn_qm_srdhm(num_scaled, recip), acc_bits,
      out_bits);
}

/* TFLite GetInvSqrtQuantizedMultiplierExp with reverse_shift -1:
 * 1 / sqrt(x) as a Q31 multiplier and exponent, by five Newton-Raphson
 * steps in gemmlowp fixed point (3 integer bits). */
static inline void pnn_fp_inv_sqrt(int32_t x, int32_t *mult, int *shift) {
  if (x <= 1) {
    *mult = INT32_MAX;
    *shift = 0;
    return;
  }
  int sh = 11;
  while (x >= (1 << 29)) {
    x /= 4;
    sh++;
  }
  const int max_left_bits = pnn_fp_clz32((uint32_t)x) - 1;
  const int pairs = max_left_bits / 2 - 1;
  sh -= pairs;
  x <<= 2 * pairs;
  const int32_t in_f3 = x >> 1;
  const int32_t half_in = pnn_fp_mul_pot(in_f3, -1);
  const int32_t half_three = (1 << 28) + (1 << 27);
  int32_t v = 1 << 28; /* 1.0 with 3 integer bits */
  for (int i = 0; i < 5; i++) {
    const int32_t v3 =
        pnn_fp_rescale(pnn_qm_srdhm(pnn_qm_srdhm(v, v), v), 9, 3);
    v = pnn_fp_rescale(pnn_qm_srdhm(half_three, v) - pnn_qm_srdhm(half_in, v3),
                       6, 3);
  }
  v = pnn_qm_srdhm(v, 1518500250); /* * sqrt(2) / 2 */
  if (sh < 0) {
    v = (int32_t)((uint32_t)v << -sh);
    sh = 0;
  }
  *mult = v;
  *shift = -sh;
}

/* TFLite CheckedLog2: log2(x) rounded to an integer, and whether x is
 * within 1e-3 (in log2) of that power of two. */
static inline bool pnn_fp_checked_log2(float x, int *log2_result) {
  *log2_result = 0;
  if (!(x > 0.f) || !isfinite(x)) return false; /* no undefined cast */
  const float l = logf(x) * (1.0f / logf(2.0f));
  const float r = roundf(l);
  *log2_result = (int)r;
  return fabsf(l - r) < 1e-3f;
}

#endif
