/* Unit tests of the quantization arithmetic (src/ops/quant_math.h) against
 * values TFLite's QuantizeMultiplier / MultiplyByQuantizedMultiplier /
 * CalculateActivationRangeQuantized / tensor_utils produce, worked out by
 * hand in the comments, plus edge cases: multiplier >= 1, tiny multipliers,
 * the 2^31 round-up, saturation, double rounding, zero-point extremes. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "ops/quant_math.h"

/* ------------------------------------------------- quantize_multiplier */

static int qm_is(double real, int32_t q, int shift) {
  int32_t gq;
  int gs;
  pnn_qm_quantize_multiplier(real, &gq, &gs);
  if (gq != q || gs != shift) {
    fprintf(stderr, "  quantize_multiplier(%.17g) = (%d, %d), want (%d, %d)\n",
            real, (int)gq, gs, (int)q, shift);
    return 0;
  }
  return 1;
}

TEST(quantize_multiplier_known_values) {
  CHECK(qm_is(0.0, 0, 0));
  CHECK(qm_is(0.5, 1073741824, 0));  /* 0.5 = 2^30 * 2^(0-31) */
  CHECK(qm_is(0.75, 1610612736, 0)); /* 0.75 * 2^31 */
  CHECK(qm_is(0.1, 1717986918, -3)); /* 0.8 * 2^31 = 1717986918.4 */
  CHECK(qm_is(1.0 / 3.0, 1431655765, -1)); /* 0.666.. * 2^31 rounds down */
  /* A typical conv: in 1/255, filter 1/128, out 0.0235294... */
  CHECK(qm_is((double)0.003921568859368563f * 0.0078125 /
                  (double)0.0235294122248888f,
              1431655822, -9));
}

TEST(quantize_multiplier_greater_than_one) {
  CHECK(qm_is(1.0, 1073741824, 1)); /* frexp(1) = 0.5 * 2^1 */
  CHECK(qm_is(3.7, 1986422374, 2)); /* 0.925 * 2^31 */
  CHECK(qm_is(1024.0, 1073741824, 11));
  int32_t q;
  int s;
  CHECK(pnn_qm_quantize_multiplier_greater_than_one(3.7, &q, &s));
  CHECK_EQ_INT(s, 2);
  CHECK(!pnn_qm_quantize_multiplier_greater_than_one(0.5, &q, &s));
  CHECK(pnn_qm_quantize_multiplier_smaller_than_one(0.5, &q, &s));
  CHECK(!pnn_qm_quantize_multiplier_smaller_than_one(1.5, &q, &s));
}

TEST(quantize_multiplier_edges) {
  /* frac just below 1 rounds to 2^31: becomes 2^30 with shift + 1. */
  CHECK(qm_is(1.0 - ldexp(1.0, -40), 1073741824, 1));
  CHECK(qm_is(0.5 - ldexp(1.0, -45), 1073741824, 0));
  /* 2^-32 = 0.5 * 2^-31: still representable (shift -31). */
  CHECK(qm_is(ldexp(1.0, -32), 1073741824, -31));
  /* 2^-33: shift -32 < -31 flushes to zero. */
  CHECK(qm_is(ldexp(1.0, -33), 0, 0));
  CHECK(qm_is(1e-20, 0, 0));
}

/* ------------------------------------------------------- fixed-point core */

TEST(srdhm_and_rounding_divide) {
  CHECK_EQ_INT(pnn_qm_srdhm(INT32_MIN, INT32_MIN), INT32_MAX); /* saturates */
  CHECK_EQ_INT(pnn_qm_srdhm(INT32_MAX, INT32_MAX), INT32_MAX - 1);
  CHECK_EQ_INT(pnn_qm_srdhm(3, 1 << 30), 2);   /* 1.5 rounds away from 0 */
  /* gemmlowp's negative nudge is 1 - 2^30, then division truncates:
   * negative ties go toward zero. */
  CHECK_EQ_INT(pnn_qm_srdhm(-3, 1 << 30), -1); /* -1.5 -> -1 */
  CHECK_EQ_INT(pnn_qm_srdhm(1, 1 << 30), 1);   /* 0.5 -> 1 */
  CHECK_EQ_INT(pnn_qm_srdhm(-1, 1 << 30), 0);  /* -0.5 -> 0 */
  CHECK_EQ_INT(pnn_qm_srdhm(-5, 1 << 30), -2); /* -2.5 -> -2 */
  CHECK_EQ_INT(pnn_qm_rounding_divide_by_pot(5, 1), 3);   /* 2.5 -> 3 */
  CHECK_EQ_INT(pnn_qm_rounding_divide_by_pot(-5, 1), -3); /* -2.5 -> -3 */
  CHECK_EQ_INT(pnn_qm_rounding_divide_by_pot(-4, 1), -2);
  CHECK_EQ_INT(pnn_qm_rounding_divide_by_pot(7, 2), 2);   /* 1.75 */
  CHECK_EQ_INT(pnn_qm_rounding_divide_by_pot(-6, 2), -2); /* -1.5 -> -2 */
  CHECK_EQ_INT(pnn_qm_rounding_divide_by_pot(INT32_MIN, 31), -1);
  CHECK_EQ_INT(pnn_qm_rounding_divide_by_pot(INT32_MAX, 31), 1);
  CHECK_EQ_INT(pnn_qm_rounding_divide_by_pot(12345, 0), 12345);
}

TEST(mul_by_qm_known_values) {
  /* M = 0.5 */
  CHECK_EQ_INT(pnn_qm_mul_by_qm(1000, 1073741824, 0), 500);
  CHECK_EQ_INT(pnn_qm_mul_by_qm(3, 1073741824, 0), 2);
  /* M = 0.1875 = 0.75 * 2^-2: TFLite rounds twice, so 2 * M = 0.375
   * becomes round(1.5) = 2 then round(2 / 4) = 1 (not 0). */
  CHECK_EQ_INT(pnn_qm_mul_by_qm(2, 1610612736, -2), 1);
  CHECK_EQ_INT(pnn_qm_mul_by_qm(5, 1610612736, -2), 1);   /* 0.9375 */
  /* -0.375: srdhm gives -1.5 -> -1, then -0.25 -> 0 */
  CHECK_EQ_INT(pnn_qm_mul_by_qm(-2, 1610612736, -2), 0);
  CHECK_EQ_INT(pnn_qm_mul_by_qm(-6, 1610612736, -2), -1); /* -1.125 */
  /* M = 3.7 = (1986422374 / 2^31) * 2^2 */
  CHECK_EQ_INT(pnn_qm_mul_by_qm(100, 1986422374, 2), 370);
  CHECK_EQ_INT(pnn_qm_mul_by_qm(-100, 1986422374, 2), -370);
  /* M = 0.1 */
  CHECK_EQ_INT(pnn_qm_mul_by_qm(12345, 1717986918, -3), 1235); /* 1234.5 */
  CHECK_EQ_INT(pnn_qm_mul_by_qm(-12345, 1717986918, -3), -1235);
  /* A flushed multiplier gives zero. */
  CHECK_EQ_INT(pnn_qm_mul_by_qm(INT32_MAX, 0, 0), 0);
  /* shift -31 on the largest input: 2^31 * 0.5 * 2^-31 = 0.5 -> 1 */
  CHECK_EQ_INT(pnn_qm_mul_by_qm(INT32_MAX, 1073741824, -31), 1);
}

TEST(mul_by_qm_within_one_of_real) {
  /* Over random inputs and multipliers the result is within 1 of x * M. */
  srand(7);
  for (int i = 0; i < 20000; i++) {
    double m = ldexp((double)(rand() % 100000 + 1) / 100001.0,
                     -(rand() % 20) + 3);
    int32_t x = (rand() % 2000001) - 1000000;
    if (fabs(x * m) > 1e9) continue;
    int32_t q;
    int s;
    pnn_qm_quantize_multiplier(m, &q, &s);
    int32_t got = pnn_qm_mul_by_qm(x, q, s);
    CHECK_MSG(fabs(got - x * m) <= 1.0, "x=%d m=%.9g got %d", (int)x, m,
              (int)got);
  }
}

TEST(mul_by_qm64_known_values) {
  /* M = 0.5: reduced multiplier (2^30 + 2^15) >> 16 = 16384, shift 15. */
  CHECK_EQ_INT(pnn_qm_mul_by_qm64((int64_t)1 << 20, 1073741824, 0), 524288);
  CHECK_EQ_INT(pnn_qm_mul_by_qm64(1, 1073741824, 0), 1);  /* 0.5 -> 1 */
  CHECK_EQ_INT(pnn_qm_mul_by_qm64(-1, 1073741824, 0), 0); /* -0.5 -> 0 */
  CHECK_EQ_INT(pnn_qm_mul_by_qm64(3, 1073741824, 0), 2);  /* 1.5 -> 2 */
  CHECK_EQ_INT(pnn_qm_mul_by_qm64(-3, 1073741824, 0), -1); /* -1.5 -> -1 */
  /* q >= 0x7FFF0000 uses 0x7FFF (no overflow of the rounding add). */
  CHECK_EQ_INT(pnn_qm_mul_by_qm64((int64_t)1 << 40, INT32_MAX, -20),
               (int32_t)((((int64_t)1 << 40) * 0x7FFF + ((int64_t)1 << 34)) >>
                         35));
  /* Large accumulators (beyond int32) scale down correctly: 2^45 * 2^-20 */
  CHECK_EQ_INT(pnn_qm_mul_by_qm64((int64_t)1 << 45, 1073741824, -19),
               1 << 25);
}

TEST(requantize_clamps) {
  CHECK_EQ_INT(pnn_qm_requantize(1000, 1073741824, 0, 10, -128, 127), 127);
  CHECK_EQ_INT(pnn_qm_requantize(-1000, 1073741824, 0, 10, -128, 127),
               -128);
  CHECK_EQ_INT(pnn_qm_requantize(20, 1073741824, 0, -5, -128, 127), 5);
}

/* --------------------------------------------------- quantize/dequantize */

TEST(quantize_dequantize) {
  CHECK_EQ_INT(pnn_qm_quantize_f32(0.25f, 0.5f, 0, -128, 127), 1);
  CHECK_EQ_INT(pnn_qm_quantize_f32(-0.25f, 0.5f, 0, -128, 127), -1);
  CHECK_EQ_INT(pnn_qm_quantize_f32(1000.f, 0.5f, 0, -128, 127), 127);
  CHECK_EQ_INT(pnn_qm_quantize_f32(-1e30f, 0.5f, 3, -128, 127), -128);
  CHECK_EQ_INT(pnn_qm_quantize_f32(1e30f, 1e-3f, 0, 0, 255), 255);
  CHECK_EQ_INT(pnn_qm_quantize_f32(NAN, 0.1f, 7, -128, 127), 7);
  CHECK_EQ_INT(pnn_qm_quantize_f32(1.0f, 1.f / 255, 0, 0, 255), 255);
  CHECK_EQ_INT(pnn_qm_quantize_f32(0.f, 0.1f, -128, -128, 127), -128);
  CHECK_NEAR(pnn_qm_dequantize(-128, 0.5f, -128), 0.0, 0);
  CHECK_NEAR(pnn_qm_dequantize(127, 0.5f, -128), 127.5, 0);
  CHECK_NEAR(pnn_qm_dequantize(32767, 1.f / 32768, 0), 32767.0 / 32768, 1e-9);
  int32_t lo, hi;
  CHECK(pnn_qm_type_range(PNN_TYPE_UINT8, &lo, &hi) && lo == 0 && hi == 255);
  CHECK(pnn_qm_type_range(PNN_TYPE_INT16, &lo, &hi) && lo == -32768 &&
        hi == 32767);
  CHECK(!pnn_qm_type_range(PNN_TYPE_FLOAT32, &lo, &hi));
}

/* -------------------------------------------------- activation ranges */

static pnn_tensor qtensor(pnn_type type, float scale, int32_t zp) {
  pnn_tensor t;
  memset(&t, 0, sizeof t);
  t.type = type;
  t.scale = scale;
  t.zero_point = zp;
  t.name = "out";
  return t;
}

static int range_is(pnn_type type, float scale, int32_t zp, int act,
                    int32_t lo, int32_t hi) {
  pnn_tensor t = qtensor(type, scale, zp);
  pnn_node node;
  memset(&node, 0, sizeof node);
  int32_t glo, ghi;
  if (pnn_qm_activation_range(&node, act, &t, &glo, &ghi) != PNN_OK) {
    fprintf(stderr, "  activation_range failed\n");
    return 0;
  }
  if (glo != lo || ghi != hi) {
    fprintf(stderr, "  range(act %d, scale %g, zp %d) = [%d, %d], want "
            "[%d, %d]\n", act, scale, (int)zp, (int)glo, (int)ghi, (int)lo,
            (int)hi);
    return 0;
  }
  return 1;
}

TEST(activation_range_quantized) {
  CHECK(range_is(PNN_TYPE_INT8, 0.1f, -10, 0, -128, 127));
  CHECK(range_is(PNN_TYPE_INT8, 0.1f, -10, 1, -10, 127));  /* RELU */
  CHECK(range_is(PNN_TYPE_INT8, 0.1f, -10, 3, -10, 50));   /* RELU6 */
  CHECK(range_is(PNN_TYPE_INT8, 0.1f, -10, 2, -20, 0));    /* RELU_N1_TO_1 */
  CHECK(range_is(PNN_TYPE_UINT8, 1.f / 255, 0, 3, 0, 255));
  CHECK(range_is(PNN_TYPE_UINT8, 6.f / 255, 0, 3, 0, 255));
  /* zero-point extremes: the range collapses or stays at the type end */
  CHECK(range_is(PNN_TYPE_INT8, 0.05f, 127, 1, 127, 127));
  CHECK(range_is(PNN_TYPE_INT8, 0.05f, -128, 3, -128, -8));
  CHECK(range_is(PNN_TYPE_INT8, 0.05f, 127, 2, 107, 127));
  CHECK(range_is(PNN_TYPE_INT16, 1.f / 32768, 0, 2, -32768, 32767));
  CHECK(range_is(PNN_TYPE_INT16, 1e-3f, 0, 3, 0, 6000));
  /* a tiny scale would overflow int32 without the clamp */
  CHECK(range_is(PNN_TYPE_INT8, 1e-30f, 0, 3, 0, 127));
  pnn_tensor t = qtensor(PNN_TYPE_INT8, 0.1f, 0);
  pnn_node node;
  memset(&node, 0, sizeof node);
  int32_t lo, hi;
  CHECK(pnn_qm_activation_range(&node, 4, &t, &lo, &hi) != PNN_OK); /* TANH */
  t.type = PNN_TYPE_FLOAT32;
  CHECK(pnn_qm_activation_range(&node, 0, &t, &lo, &hi) != PNN_OK);
}

/* ------------------------------------------------------ conv multipliers */

TEST(conv_multipliers_per_channel_and_broadcast) {
  float fscales[3] = {0.5f, 0.25f, 0.001f};
  pnn_quant_def fq;
  memset(&fq, 0, sizeof fq);
  fq.n_scale = 3;
  fq.scale = fscales;
  fq.quantized_dimension = 0;
  pnn_tensor in = qtensor(PNN_TYPE_INT8, 0.2f, 3);
  pnn_tensor out = qtensor(PNN_TYPE_INT8, 0.4f, -1);
  pnn_tensor w = qtensor(PNN_TYPE_INT8, 0.5f, 0);
  w.quant = &fq;
  w.rank = 4;
  pnn_node node;
  memset(&node, 0, sizeof node);
  int32_t m[3];
  int s[3];
  CHECK(pnn_qm_check_filter(&node, &w, 0, 3, false) == PNN_OK);
  CHECK(pnn_qm_check_filter(&node, &w, 3, 3, false) != PNN_OK); /* axis */
  CHECK(pnn_qm_check_filter(&node, &w, 0, 4, false) != PNN_OK); /* count */
  CHECK(pnn_qm_conv_multipliers(&node, &in, &w, &out, 3, m, s) == PNN_OK);
  for (int c = 0; c < 3; c++) {
    int32_t eq;
    int es;
    pnn_qm_quantize_multiplier((double)0.2f * fscales[c] / (double)0.4f, &eq,
                               &es);
    CHECK_EQ_INT(m[c], eq);
    CHECK_EQ_INT(s[c], es);
  }
  CHECK_EQ_INT(s[0], -1); /* 0.25 = 0.5 * 2^-1 -> 2^30, shift -1 */
  CHECK_EQ_INT(m[0], 1073741824);
  /* per-tensor filter broadcast */
  w.quant = NULL;
  CHECK(pnn_qm_conv_multipliers(&node, &in, &w, &out, 3, m, s) == PNN_OK);
  CHECK(m[0] == m[2] && s[0] == s[2]);
  /* a non-zero weight zero point is refused for int8 */
  int64_t zps[3] = {0, 1, 0};
  fq.zero_point = zps;
  fq.n_zero_point = 3;
  w.quant = &fq;
  CHECK(pnn_qm_check_filter(&node, &w, 0, 3, false) != PNN_OK);
  CHECK(pnn_qm_check_filter(&node, &w, 0, 3, true) == PNN_OK);
  /* missing scale */
  pnn_tensor bad = qtensor(PNN_TYPE_INT8, 0.f, 0);
  CHECK(pnn_qm_conv_multipliers(&node, &bad, &w, &out, 3, m, s) != PNN_OK);
}

/* ---------------------------------------------------- hybrid quantize */

TEST(symmetric_quantize_floats) {
  float x[3] = {1.f, -2.f, 0.5f};
  int8_t q[3];
  float scale = pnn_qm_symmetric_quantize(x, 3, q);
  CHECK_NEAR(scale, 2.0 / 127, 1e-9);
  /* inv = 63.5: 63.5 -> 64, -127, 31.75 -> 32 */
  CHECK_EQ_INT(q[0], 64);
  CHECK_EQ_INT(q[1], -127);
  CHECK_EQ_INT(q[2], 32);
  float z[2] = {0.f, -0.f};
  q[0] = q[1] = 5;
  CHECK_NEAR(pnn_qm_symmetric_quantize(z, 2, q), 1.0, 0);
  CHECK(q[0] == 0 && q[1] == 0);
}

TEST(asymmetric_quantize_floats) {
  float x[4] = {0.f, 1.f, 2.f, 3.f};
  int8_t q[4];
  float scale;
  int32_t zp;
  pnn_qm_asymmetric_quantize(x, 4, q, &scale, &zp);
  /* range [0, 3]: scale 3/255, zero point at qmin */
  CHECK_NEAR(scale, 3.0 / 255, 1e-9);
  CHECK_EQ_INT(zp, -128);
  CHECK_EQ_INT(q[0], -128);
  CHECK_EQ_INT(q[1], -43); /* -128 + 85 */
  CHECK_EQ_INT(q[3], 127);
  float y[2] = {-1.f, 1.f};
  pnn_qm_asymmetric_quantize(y, 2, q, &scale, &zp);
  /* zero point -0.5 rounds away from zero to -1 */
  CHECK_EQ_INT(zp, -1);
  CHECK_EQ_INT(q[0], -128); /* round(-128.5) clamps */
  /* 1 / (float)(2/255) is 127.49999 in float: round(126.49999) = 126 */
  CHECK_EQ_INT(q[1], 126);
  float n[3] = {-4.f, -2.f, -1.f}; /* all negative: range [-4, 0] */
  pnn_qm_asymmetric_quantize(n, 3, q, &scale, &zp);
  CHECK_EQ_INT(zp, 127);
  CHECK_EQ_INT(q[0], -128);
  float z[2] = {0.f, 0.f};
  pnn_qm_asymmetric_quantize(z, 2, q, &scale, &zp);
  CHECK(scale == 1.f && zp == 0 && q[0] == 0);
}
