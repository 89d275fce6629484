/* Fixed-point helpers of TFLite's quantization spec used by quantized
 * reductions: a real multiplier as a Q31 value and a power-of-two shift,
 * and the double-rounding multiply TFLite's reference kernels use. */
#ifndef PNN_OPS_TENSOR_UTIL_QUANT_H
#define PNN_OPS_TENSOR_UTIL_QUANT_H

#include <math.h>
#include <stdint.h>

/* real = q * 2^(shift - 31), q in [2^30, 2^31). real == 0 gives q = 0. */
static inline void pnn_tu_quantize_multiplier(double real, int32_t *q,
                                              int *shift) {
  if (real == 0.0) {
    *q = 0;
    *shift = 0;
    return;
  }
  int e;
  double frac = frexp(real, &e);
  int64_t qf = llround(frac * (double)(1ll << 31));
  if (qf == (1ll << 31)) {
    qf /= 2;
    e++;
  }
  if (e < -31) {
    e = 0;
    qf = 0;
  }
  *q = (int32_t)qf;
  *shift = e;
}

/* (a * b * 2) >> 32 with rounding, saturating the one overflow case. */
static inline int32_t pnn_tu_rounding_doubling_high_mul(int32_t a, int32_t b) {
  if (a == b && a == INT32_MIN) return INT32_MAX;
  int64_t ab = (int64_t)a * (int64_t)b;
  int64_t nudge = ab >= 0 ? (1ll << 30) : (1 - (1ll << 30));
  int64_t r = ab + nudge;
  /* Division truncating toward zero, as in gemmlowp. */
  return (int32_t)(r / (1ll << 31));
}

/* x / 2^exponent rounded to nearest, ties away from zero. */
static inline int32_t pnn_tu_rounding_divide_by_pot(int32_t x, int exponent) {
  if (exponent <= 0) return x;
  int32_t mask = (int32_t)((1ll << exponent) - 1);
  int32_t remainder = x & mask;
  int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

static inline int32_t pnn_tu_multiply_by_quantized_multiplier(int32_t x,
                                                              int32_t q,
                                                              int shift) {
  int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  int64_t shifted = (int64_t)x * ((int64_t)1 << left);
  if (shifted > INT32_MAX) shifted = INT32_MAX;
  if (shifted < INT32_MIN) shifted = INT32_MIN;
  return pnn_tu_rounding_divide_by_pot(
      pnn_tu_rounding_doubling_high_mul((int32_t)shifted, q), right);
}

#endif
