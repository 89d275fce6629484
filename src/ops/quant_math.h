/* Quantization arithmetic: the ONE module every quantized kernel uses.
 *
 * TFLite's integer spec, reproduced bit for bit (default "double rounding"
 * build, i.e. TFLITE_SINGLE_ROUNDING off):
 *   real value  r = scale * (q - zero_point)
 *   a real multiplier M > 0 is stored as a Q31 integer m in [2^30, 2^31)
 *   and an exponent e with M = m * 2^(e - 31)            (quantize_multiplier)
 *   x * M  is computed as RoundingDivideByPOT(
 *          SaturatingRoundingDoublingHighMul(x << max(e,0), m), max(-e,0))
 *                                                        (mul_by_qm)
 *   16x8 kernels accumulate in int64 and use TFLite's int64 variant, which
 *   rounds the multiplier to 16 bits first                (mul_by_qm64)
 *
 * Shift convention: `shift` is always TFLite's *exponent* (positive = left
 * shift), as QuantizeMultiplier returns it. Legacy uint8 kernels in TFLite
 * negate it into "output_shift"; we never do, so there is one convention.
 *
 * Prepare-time helpers (need a node for error messages) compute per-channel
 * multiplier arrays and the clamp range of a fused activation. Eval-time
 * helpers are static inline and allocation-free.
 *
 * Hybrid (dynamic-range) helpers quantize a float vector to int8 on the
 * fly exactly as TFLite's portable tensor utils do (symmetric and
 * asymmetric), returning the scale and zero point used. */
#ifndef PNN_OPS_QUANT_MATH_H
#define PNN_OPS_QUANT_MATH_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "ops/op.h"

/* ------------------------------------------------------------ multipliers */

/* TFLite QuantizeMultiplier: real = q * 2^(shift - 31), q in [2^30, 2^31).
 * frexp, round half away from zero to Q31, a rounded-up 2^31 becomes 2^30
 * with shift + 1, shift < -31 flushes to q = 0, shift = 0. real == 0 gives
 * q = 0, shift = 0. Negative reals are not meaningful (TFLite asserts);
 * callers check scales > 0 first. */
void pnn_qm_quantize_multiplier(double real, int32_t *q, int *shift);

/* Variants with TFLite's range contracts. Return false (and still fill
 * q/shift) if the real multiplier is outside the stated range:
 *   smaller_than_one: 0 <= real < 1   -> shift <= 0
 *   greater_than_one: real > 1        -> shift >= 0 */
bool pnn_qm_quantize_multiplier_smaller_than_one(double real, int32_t *q,
                                                 int *shift);
bool pnn_qm_quantize_multiplier_greater_than_one(double real, int32_t *q,
                                                 int *shift);

/* The checked entry point every quantized prepare should use to turn a
 * real multiplier (a ratio of scales) into q/shift: real must be finite
 * and > 0 (else INVALID_MODEL), a multiplier too small for any Q31 bit
 * flushes to q = 0 (the op then outputs its zero point, as TFLite), and
 * one whose exponent exceeds max_shift (the left shift the kernel can
 * apply without overflow: 31 for pnn_qm_mul_by_qm, less where the kernel
 * shifts an int16 or adds headroom) is UNSUPPORTED. Messages name `what`
 * ("input 0 (x) / output (y)") and the value. */
pnn_status pnn_qm_multiplier(pnn_node *node, double real, int max_shift,
                             const char *what, int32_t *q, int *shift);

/* Saturating float -> int32 conversion with C's truncation toward zero:
 * values beyond int32 clamp, NaN gives 0. No undefined cast for any
 * input; use it for every float expression of model values (scales, clip
 * bounds, rescaled values) that becomes an integer. */
static inline int32_t pnn_qm_sat_i32(double x) {
  if (!(x == x)) return 0;
  if (x >= 2147483647.0) return INT32_MAX;
  if (x <= -2147483648.0) return INT32_MIN;
  return (int32_t)x;
}

/* zp + round(f / scale) in float (TFLite's quantized clip bound / value),
 * as int64 so a far bound stays on its side of the type range: results
 * beyond +-2^32 saturate there; NaN gives zp. Never undefined. */
static inline int64_t pnn_qm_quantize_bound(float f, float scale, int32_t zp) {
  const float r = roundf(f / scale);
  int64_t v;
  if (!(r == r)) v = 0;
  else if (r > 4294967296.f) v = INT64_C(4294967296);
  else if (r < -4294967296.f) v = -INT64_C(4294967296);
  else v = (int64_t)r;
  return v + zp;
}

/* ------------------------------------------------------- fixed-point core */

/* gemmlowp SaturatingRoundingDoublingHighMul: (a*b*2 + 2^31) >> 32 with
 * rounding half away from zero; INT32_MIN * INT32_MIN saturates. */
static inline int32_t pnn_qm_srdhm(int32_t a, int32_t b) {
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  int64_t ab = (int64_t)a * (int64_t)b;
  int64_t nudge = ab >= 0 ? (1ll << 30) : (1 - (1ll << 30));
  return (int32_t)((ab + nudge) / (1ll << 31)); /* truncates toward 0 */
}

/* gemmlowp RoundingDivideByPOT: x / 2^exponent rounded to nearest, ties
 * away from zero. exponent in [0, 31]. */
static inline int32_t pnn_qm_rounding_divide_by_pot(int32_t x, int exponent) {
  if (exponent <= 0) return x;
  if (exponent > 31) exponent = 31;
  int32_t mask = (int32_t)((1ll << exponent) - 1);
  int32_t remainder = x & mask;
  int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/* TFLite MultiplyByQuantizedMultiplier(int32 x, q, shift). The left shift
 * wraps on overflow as TFLite's compiled `x * (1 << left_shift)` does on
 * every target it ships for (two's complement); valid models keep it in
 * range. */
static inline int32_t pnn_qm_mul_by_qm(int32_t x, int32_t q, int shift) {
  int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  if (left > 31) left = 31;
  int32_t shifted = (int32_t)((uint32_t)x << left);
  return pnn_qm_rounding_divide_by_pot(pnn_qm_srdhm(shifted, q), right);
}

/* TFLite's int64 MultiplyByQuantizedMultiplier (16x8 kernels): x in
 * [-2^47, 2^47), q >= 0, shift in [-31, 7]. The multiplier is rounded to
 * 16 bits, then one rounding shift by 15 - shift. */
static inline int32_t pnn_qm_mul_by_qm64(int64_t x, int32_t q, int shift) {
  int32_t reduced = q < 0x7FFF0000 ? ((q + (1 << 15)) >> 16) : 0x7FFF;
  int total = 15 - shift;
  if (total < 1) total = 1;
  if (total > 62) total = 62;
  /* Keep x in the documented range so the product cannot overflow (a
   * crafted int64 bias can push the accumulator past it; found by fuzzing). */
  const int64_t lim = (int64_t)1 << 47;
  if (x >= lim) x = lim - 1;
  if (x < -lim) x = -lim;
  int64_t v = x * (int64_t)reduced + ((int64_t)1 << (total - 1));
  return (int32_t)(v >> total);
}

/* LiteRT's reference FULLY_CONNECTED output scaling (every integer kind:
 * uint8, int8 per-tensor and per-channel, 16x8): no fixed-point multiplier
 * but (int32)round((double)acc * scale) with scale = (double)s_in *
 * (double)s_w / (double)s_out (pnn_qm_fc_scales), i.e. one rounding, half
 * away from zero. Out-of-int32 results saturate (LiteRT's cast is undefined
 * there; valid models never reach it). */
static inline int32_t pnn_qm_scale_round(int64_t acc, double scale) {
  double x = (double)acc * scale;
  /* Branch-free round(x) without a libm call: clamping first keeps the
   * truncation and the +-1 inside int32, and x - trunc(x) is exact. */
  x = x > -2147483648.0 ? x : -2147483648.0;
  x = x < 2147483647.0 ? x : 2147483647.0;
  const int32_t t = (int32_t)x;
  const double d = x - (double)t;
  return t + (d >= 0.5) - (d <= -0.5);
}

/* Two's complement (wrapping) sums, as TFLite's int32 / int64
 * accumulators behave on every target it ships for: a crafted bias or a
 * long row must not make `acc + bias` undefined. */
static inline int32_t pnn_qm_wrap_add32(int32_t a, int32_t b) {
  return (int32_t)((uint32_t)a + (uint32_t)b);
}
static inline int64_t pnn_qm_wrap_add64(int64_t a, int64_t b) {
  return (int64_t)((uint64_t)a + (uint64_t)b);
}

static inline int32_t pnn_qm_clamp(int32_t v, int32_t lo, int32_t hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

/* clamp(v + zp, lo, hi) with the sum in int64: a saturated v (INT32_MAX
 * from an extreme crafted scale) plus a zero point must not overflow. */
static inline int32_t pnn_qm_clamp_add(int32_t v, int32_t zp, int32_t lo,
                                       int32_t hi) {
  const int64_t s = (int64_t)v + zp;
  return s < lo ? lo : (s > hi ? hi : (int32_t)s);
}

/* Requantizes an int32 accumulator: clamp(out_zp + acc * M, lo, hi). */
static inline int32_t pnn_qm_requantize(int32_t acc, int32_t q, int shift,
                                        int32_t out_zp, int32_t lo,
                                        int32_t hi) {
  return pnn_qm_clamp_add(pnn_qm_mul_by_qm(acc, q, shift), out_zp, lo, hi);
}

/* -------------------------------------------------- quantize / dequantize */

/* Representable range of an integer type: int8 [-128,127], uint8 [0,255],
 * int16 [-32768,32767], int32 full range. False for other types. */
bool pnn_qm_type_range(pnn_type type, int32_t *lo, int32_t *hi);

/* TFLite's reference Quantize: zp + (int32)round(x / scale) (float
 * division, round half away from zero), clamped to [lo, hi]. */
static inline int32_t pnn_qm_quantize_f32(float x, float scale, int32_t zp,
                                          int32_t lo, int32_t hi) {
  float r = roundf(x / scale);
  int64_t v;
  if (!(r == r)) v = 0; /* NaN */
  else if (r > 2147483647.f) v = INT32_MAX;
  else if (r < -2147483648.f) v = INT32_MIN;
  else v = (int64_t)r;
  v += zp;
  return v < lo ? lo : (v > hi ? hi : (int32_t)v);
}

/* scale * (q - zp), computed as TFLite's reference Dequantize does. */
static inline float pnn_qm_dequantize(int32_t q, float scale, int32_t zp) {
  return (float)((double)scale * (double)(q - zp));
}

/* ------------------------------------------------ prepare-time, per node */

/* Scale of channel c of tensor t (per-tensor tensors: the one scale). */
float pnn_qm_scale(const pnn_tensor *t, int64_t c);
/* Zero point of channel c of tensor t (0 when none stored). */
int32_t pnn_qm_zero_point(const pnn_tensor *t, int64_t c);

/* Checks t carries a positive finite quantization scale; reports
 * INVALID_MODEL naming `what` ("input 0", "output") and t otherwise. */
pnn_status pnn_qm_require_scale(pnn_node *node, const pnn_tensor *t,
                                const char *what);

/* Checks the filter's quantization is per-tensor (1 scale) or per-channel
 * with `channels` scales along `axis`, all scales > 0, and (symmetric)
 * all zero points 0 unless allow_zero_point. */
pnn_status pnn_qm_check_filter(pnn_node *node, const pnn_tensor *filter,
                               int axis, int64_t channels,
                               bool allow_zero_point);

/* TFLite PopulateConvolutionQuantizationParams, multiplier part: for each
 * of `channels` output channels, M_c = in_scale * filter_scale_c /
 * out_scale (double, left to right) quantized with quantize_multiplier.
 * A per-tensor filter scale is broadcast. mult/shift hold `channels`. */
pnn_status pnn_qm_conv_multipliers(pnn_node *node, const pnn_tensor *in,
                                   const pnn_tensor *filter,
                                   const pnn_tensor *out, int64_t channels,
                                   int32_t *mult, int *shift);

/* LiteRT's reference FULLY_CONNECTED effective scales: for each of
 * `channels` output channels, (double)in_scale * (double)filter_scale_c /
 * (double)out_scale, left to right (a per-tensor filter scale broadcast),
 * for pnn_qm_scale_round. Checks the input and output scales. */
pnn_status pnn_qm_fc_scales(pnn_node *node, const pnn_tensor *in,
                            const pnn_tensor *filter, const pnn_tensor *out,
                            int64_t channels, double *scale);

/* TFLite CalculateActivationRangeQuantized: [lo, hi] of the output type,
 * narrowed by a fused RELU / RELU_N1_TO_1 / RELU6 quantized with the
 * output's scale and zero point (zp + (int32)round(f / scale), float).
 * Reports UNSUPPORTED for other activations (TANH, SIGN_BIT). */
pnn_status pnn_qm_activation_range(pnn_node *node, int act,
                                   const pnn_tensor *out, int32_t *lo,
                                   int32_t *hi);

/* ------------------------------------------------------ hybrid (dynamic) */

/* Hybrid input quantization as LiteRT's x86 build does it (TFLite's NEON
 * tensor utils through NEON_2_SSE, checked bit for bit against
 * ai-edge-litert): p = x * inv in float is rounded as trunc(p +- 0.5f) in
 * float for whole blocks of 8 elements (0.49999997 -> 1) and with roundf
 * for the last n % 8.
 *
 * SymmetricQuantizeFloats: scale = max|x| / 127, inv = 127 / max|x|, q =
 * clamp(round(x * inv), -127, 127); an all-zero vector gives scale 1 and
 * zeros. Returns the scale. */
float pnn_qm_symmetric_quantize(const float *x, int64_t n, int8_t *q);

/* AsymmetricQuantizeFloats: range [min(0,min x), max(0,max x)] mapped to
 * [-128, 127], scale = (float)(max - min) / 255 and a nudged zero point in
 * double, q = clamp(round(x * (float)(1 / scale)) + zp, -128, 127) (the
 * zero point added after rounding). rmin == rmax gives scale 1, zp 0 and
 * zeros. */
void pnn_qm_asymmetric_quantize(const float *x, int64_t n, int8_t *q,
                                float *scale, int32_t *zero_point);

#endif
