/* Unit tests of the quantized NN kernels (conv_q.c, matmul_q.c, pool_q.c)
 * on one-op models built with the model builder. Expected values are
 * worked out by hand in the comments. LiteRT comparisons over many shapes
 * live in tools/conformance/ops/int8_nn.py; these cover what the converter
 * does not produce (symmetric hybrid FC, rounding ties chosen on purpose,
 * padding next to a nonzero zero point) and the failure paths of prepare. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/s8_dot.h"
#include "ops/quant_math.h"
#include "optest.h"

/* ------------------------------------------------------------ helpers */

/* A constant "c" (data) or activation "x" with per-tensor (n == 1) or
 * per-channel quantization. */
static int qt_tensor(optest *t, pnn_type type, int rank, const int32_t *dims,
                     const void *data, int n, const float *scales,
                     const int64_t *zps, int axis) {
  return ot_qtensor_n(t, data ? "c" : "x", type, rank, dims, data, n, scales,
                      zps, axis);
}

static pnn_fully_connected_options fc_opts(int act) {
  pnn_fully_connected_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(fully_connected), &o);
  o.fused_activation_function = (int8_t)act;
  return o;
}

/* ------------------------------------------------- FULLY_CONNECTED uint8 */

/* x = {130, 126} (scale 0.5, zp 128) = {1, -1}; weights rows {132, 124}
 * and {124, 132} (scale 0.25, zp 128) = {1, -1} and {-1, 1}; bias 4
 * (scale 0.125) = 0.5. Unit 0: 1 + 1 + 0.5 = 2.5 -> output scale 0.1,
 * zp 10 -> 35 (acc 20 * M 1.25 = 25). Unit 1: -2 + 0.5 = -1.5 -> -15 + 10
 * = -5, clamped by RELU at quantize(0) = 10. */
TEST(fc_uint8_legacy_with_zero_points) {
  optest t;
  ot_begin(&t);
  uint8_t x[2] = {130, 126}, w[4] = {132, 124, 124, 132};
  int32_t b[2] = {4, 4};
  float ws = 0.25f, bs = 0.125f, ys = 0.1f;
  int64_t wz = 128, yz = 10;
  int xi = ot_qinput(&t, PNN_TYPE_UINT8, 2, (int32_t[]){1, 2}, x, 0.5f, 128);
  int wi = qt_tensor(&t, PNN_TYPE_UINT8, 2, (int32_t[]){2, 2}, w, 1, &ws, &wz,
                     0);
  int bi = qt_tensor(&t, PNN_TYPE_INT32, 1, (int32_t[]){2}, b, 1, &bs, NULL,
                     0);
  int y = qt_tensor(&t, PNN_TYPE_UINT8, 2, (int32_t[]){1, 2}, NULL, 1, &ys,
                    &yz, 0);
  pnn_fully_connected_options o = fc_opts(PNN_ACT_RELU);
  CHECK_OK(&t,
           ot_run(&t, PNN_OP_FULLY_CONNECTED, PNN_OPTIONS_OF(fully_connected),
                  &o, 3, (int32_t[]){xi, wi, bi}, y));
  const uint8_t *got = ot_data(&t);
  CHECK_EQ_INT(got[0], 35);
  CHECK_EQ_INT(got[1], 10);
  ot_end(&t);
}

/* ---------------------------------------------------- CONV_2D int8 */

/* x (zp -3, scale 1) = {-2, -1, 0, 1} = real {1, 2, 3, 4} as 2x2x1.
 * 3x3 SAME filters of real ones on two channels: channel 0 q 1 scale 1,
 * channel 1 q 2 scale 0.5. Every window covers all four pixels: 10, plus
 * bias 1 (channel 0: q 1 at scale 1; channel 1: q 2 at scale 0.5) = 11 ->
 * output scale 0.5, zp -10: 12. Padding taps must be skipped: counting
 * them as raw 0 would add 3 * 5 per window and change every value.
 * Channel 0's multiplier is 2 (a left shift). */
TEST(conv2d_int8_per_channel_padding_skipped) {
  optest t;
  ot_begin(&t);
  int8_t x[4] = {-2, -1, 0, 1};
  int8_t w[18];
  for (int i = 0; i < 9; i++) w[i] = 1, w[9 + i] = 2;
  int32_t b[2] = {1, 2};
  float ws[2] = {1.f, 0.5f}, ys = 0.5f;
  int64_t wz[2] = {0, 0}, yz = -10;
  int xi = ot_qinput(&t, PNN_TYPE_INT8, 4, (int32_t[]){1, 2, 2, 1}, x, 1.f, -3);
  int wi = qt_tensor(&t, PNN_TYPE_INT8, 4, (int32_t[]){2, 3, 3, 1}, w, 2, ws,
                     wz, 0);
  int bi = qt_tensor(&t, PNN_TYPE_INT32, 1, (int32_t[]){2}, b, 2, ws, wz, 0);
  int y = qt_tensor(&t, PNN_TYPE_INT8, 4, (int32_t[]){1, 2, 2, 2}, NULL, 1,
                    &ys, &yz, 0);
  pnn_conv2d_options o = ot_conv_opts(PNN_PADDING_SAME, 1, PNN_ACT_NONE);
  CHECK_OK(&t, ot_run(&t, PNN_OP_CONV_2D, PNN_OPTIONS_OF(conv2d), &o, 3,
                      (int32_t[]){xi, wi, bi}, y));
  const int8_t *got = ot_data(&t);
  for (int i = 0; i < 8; i++) CHECK_MSG(got[i] == 12, "[%d] = %d", i, got[i]);
  ot_end(&t);
}

/* ----------------------------------------- DEPTHWISE_CONV_2D 16x8 */

/* int16 x (scale 1) {100, -200 | 300, 400} as 1x2 pixels x 2 channels, 1x1
 * filter {2, -3} with channel scales {0.5, 0.25}, int64 bias {10, -20},
 * output scale 2. M = {0.25, 0.125}. Pixel 0: 210 * 0.25 = 52.5 -> 53;
 * 580 * 0.125 = 72.5 -> 73. Pixel 1: 610 * 0.25 = 152.5 -> 153; -1220 *
 * 0.125 = -152.5 -> -152: the int64 multiply rounds ties toward +inf. */
TEST(depthwise_16x8_rounding_ties) {
  optest t;
  ot_begin(&t);
  int16_t x[4] = {100, -200, 300, 400};
  int8_t w[2] = {2, -3};
  int64_t b[2] = {10, -20};
  float ws[2] = {0.5f, 0.25f}, ys = 2.f;
  int xi = ot_qinput(&t, PNN_TYPE_INT16, 4, (int32_t[]){1, 1, 2, 2}, x, 1.f, 0);
  int wi = qt_tensor(&t, PNN_TYPE_INT8, 4, (int32_t[]){1, 1, 1, 2}, w, 2, ws,
                     NULL, 3);
  int bi = qt_tensor(&t, PNN_TYPE_INT64, 1, (int32_t[]){2}, b, 2, ws, NULL, 0);
  int y = qt_tensor(&t, PNN_TYPE_INT16, 4, (int32_t[]){1, 1, 2, 2}, NULL, 1,
                    &ys, NULL, 0);
  pnn_depthwise_conv2d_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(depthwise_conv2d), &o);
  o.padding = PNN_PADDING_VALID;
  o.stride_w = o.stride_h = 1;
  o.depth_multiplier = 1;
  CHECK_OK(
      &t, ot_run(&t, PNN_OP_DEPTHWISE_CONV_2D, PNN_OPTIONS_OF(depthwise_conv2d),
                 &o, 3, (int32_t[]){xi, wi, bi}, y));
  const int16_t *got = ot_data(&t);
  CHECK_EQ_INT(got[0], 53);
  CHECK_EQ_INT(got[1], 73);
  CHECK_EQ_INT(got[2], 153);
  CHECK_EQ_INT(got[3], -152);
  ot_end(&t);
}

/* ------------------------------------------------------------- pools */

static pnn_status run_pool(optest *t, int32_t op, const int8_t *x, float ys) {
  float s = 1.f;
  int xi = ot_qinput(t, PNN_TYPE_INT8, 4, (int32_t[]){1, 1, 4, 1}, x, 1.f, 0);
  int y = qt_tensor(t, PNN_TYPE_INT8, 4, (int32_t[]){1, 1, 2, 1}, NULL, 1,
                    ys > 0 ? &ys : &s, NULL, 0);
  pnn_pool2d_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(pool2d), &o);
  o.padding = PNN_PADDING_VALID;
  o.stride_w = 2;
  o.stride_h = 1;
  o.filter_width = 2;
  o.filter_height = 1;
  return ot_run(t, op, PNN_OPTIONS_OF(pool2d), &o, 1, &xi, y);
}

/* Windows {1, 2} and {-1, -2}: averages 1.5 -> 2 and -1.5 -> -2 (half away
 * from zero), maxima 2 and -1. */
TEST(pool_int8_average_rounds_away_and_max) {
  const int8_t x[4] = {1, 2, -1, -2};
  optest t;
  ot_begin(&t);
  CHECK_OK(&t, run_pool(&t, PNN_OP_AVERAGE_POOL_2D, x, 0));
  const int8_t *got = ot_data(&t);
  CHECK_EQ_INT(got[0], 2);
  CHECK_EQ_INT(got[1], -2);
  ot_end(&t);
  ot_begin(&t);
  CHECK_OK(&t, run_pool(&t, PNN_OP_MAX_POOL_2D, x, 0));
  got = ot_data(&t);
  CHECK_EQ_INT(got[0], 2);
  CHECK_EQ_INT(got[1], -1);
  ot_end(&t);
  /* int8 pooling cannot rescale: a different output scale is refused. */
  ot_begin(&t);
  CHECK_FAILS(&t, run_pool(&t, PNN_OP_MAX_POOL_2D, x, 0.5f),
              PNN_ERROR_UNSUPPORTED, "quantization differ");
  ot_end(&t);
}

/* ---------------------------------------------------- hybrid FC */

/* Float x, int8 weights (scale 0.5), symmetric per-row input
 * quantization: row 0 {1, -0.5, 0.25, 0} has max 1, so x_q = round(x *
 * 127) = {127, -64, 32, 0} (-63.5 rounds away from zero), scale 1/127.
 * Weights {1, 2, 3, 4}: acc = 127 - 128 + 96 = 95 -> 95 * (0.5 / 127) +
 * bias 1 = 1.3740157. Row 1 is all zero: bias only. */
TEST(fc_hybrid_symmetric_row_quantization) {
  optest t;
  ot_begin(&t);
  float x[8] = {1.f, -0.5f, 0.25f, 0.f, 0.f, 0.f, 0.f, 0.f};
  int8_t w[4] = {1, 2, 3, 4};
  float b[1] = {1.f}, ws = 0.5f;
  int xi = pnn_mb_tensor(t.mb, "x", PNN_TYPE_FLOAT32, 2, (int32_t[]){2, 4},
                         NULL);
  t.in_data[t.n_in] = x;
  t.in[t.n_in++] = xi;
  int wi = qt_tensor(&t, PNN_TYPE_INT8, 2, (int32_t[]){1, 4}, w, 1, &ws, NULL,
                     0);
  int bi = pnn_mb_tensor(t.mb, "b", PNN_TYPE_FLOAT32, 1, (int32_t[]){1}, b);
  int y = pnn_mb_tensor(t.mb, "y", PNN_TYPE_FLOAT32, 2, (int32_t[]){2, 1},
                        NULL);
  pnn_fully_connected_options o = fc_opts(PNN_ACT_NONE);
  CHECK_OK(&t,
           ot_run(&t, PNN_OP_FULLY_CONNECTED, PNN_OPTIONS_OF(fully_connected),
                  &o, 3, (int32_t[]){xi, wi, bi}, y));
  const float *got = ot_data(&t);
  CHECK_NEAR(got[0], 1.0 + 95.0 * (0.5 / 127.0), 1e-6);
  CHECK_NEAR(got[1], 1.0, 0);
  ot_end(&t);
}

/* Asymmetric input quantization (the converter's default) on a row far
 * from symmetric: the result stays within one input step of the float
 * product, where symmetric quantization of {10, 10.5, ...} would too, but
 * with a coarser step. Checked against the exact float dot product. */
TEST(fc_hybrid_asymmetric_close_to_float) {
  optest t;
  ot_begin(&t);
  float x[4] = {10.f, 10.5f, 11.f, 12.f};
  int8_t w[8] = {1, -1, 1, -1, 127, 0, 0, -127};
  float ws = 0.01f;
  int xi = pnn_mb_tensor(t.mb, "x", PNN_TYPE_FLOAT32, 2, (int32_t[]){1, 4},
                         NULL);
  t.in_data[t.n_in] = x;
  t.in[t.n_in++] = xi;
  int wi = qt_tensor(&t, PNN_TYPE_INT8, 2, (int32_t[]){2, 4}, w, 1, &ws, NULL,
                     0);
  int y = pnn_mb_tensor(t.mb, "y", PNN_TYPE_FLOAT32, 2, (int32_t[]){1, 2},
                        NULL);
  pnn_fully_connected_options o = fc_opts(PNN_ACT_NONE);
  o.asymmetric_quantize_inputs = true;
  CHECK_OK(&t,
           ot_run(&t, PNN_OP_FULLY_CONNECTED, PNN_OPTIONS_OF(fully_connected),
                  &o, 2, (int32_t[]){xi, wi}, y));
  const float *got = ot_data(&t);
  /* exact: 0.01 * (10 - 10.5 + 11 - 12) = -0.015; 1.27 * (10 - 12) = -2.54.
   * The input step is 12 / 255: error <= 0.5 step * sum|w| * 0.01. */
  double step = 12.0 / 255.0;
  CHECK_NEAR(got[0], -0.015, 0.5 * step * 4 * 0.01 + 1e-6);
  CHECK_NEAR(got[1], -2.54, 0.5 * step * 254 * 0.01 + 1e-6);
  ot_end(&t);
}

/* ------------------------------------------------------ failure paths */

TEST(conv2d_int8_refusals) {
  enum { NO_BIAS, FLOAT_BIAS, INT32_BIAS };
  static const struct {
    const char *what;
    int bias;
    pnn_type w_type;
    int w_scales; /* 2: along axis 1, not the output channels */
    int y_scales; /* 0: an int8 output without a scale */
    int act;
    pnn_status status;
    const char *needle;
  } cases[] = {
      {"float bias on an int8 conv", FLOAT_BIAS, PNN_TYPE_INT8, 1, 1,
       PNN_ACT_NONE, PNN_ERROR_UNSUPPORTED, "bias type"},
      {"two filter scales for one output channel", INT32_BIAS, PNN_TYPE_INT8, 2,
       1, PNN_ACT_NONE, PNN_ERROR_INVALID_MODEL, "quantized_dimension"},
      {"int8 input with uint8 weights", NO_BIAS, PNN_TYPE_UINT8, 1, 1,
       PNN_ACT_NONE, PNN_ERROR_UNSUPPORTED, "combination not supported"},
      {"an int8 output without a scale", NO_BIAS, PNN_TYPE_INT8, 1, 0,
       PNN_ACT_NONE, PNN_ERROR_INVALID_MODEL, "positive quantization scale"},
      {"fused TANH has no quantized clamp", NO_BIAS, PNN_TYPE_INT8, 1, 1,
       PNN_ACT_TANH, PNN_ERROR_UNSUPPORTED, "fused activation"},
  };
  int8_t x[4] = {0}, w[4] = {1, 1, 1, 1};
  float fb[1] = {0}, ws[2] = {1.f, 1.f};
  int32_t b[1] = {0};
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    printf("  %s\n", cases[k].what);
    pnn_conv2d_options o = ot_conv_opts(PNN_PADDING_VALID, 1, cases[k].act);
    optest t;
    ot_begin(&t);
    int32_t ins[3], n_in = 2;
    ins[0] =
        ot_qinput(&t, PNN_TYPE_INT8, 4, (int32_t[]){1, 2, 2, 1}, x, 1.f, 0);
    ins[1] = qt_tensor(&t, cases[k].w_type, 4, (int32_t[]){1, 2, 2, 1}, w,
                       cases[k].w_scales, ws, NULL, cases[k].w_scales > 1);
    if (cases[k].bias == FLOAT_BIAS)
      ins[n_in++] = ot_qtensor_n(&t, "b", PNN_TYPE_FLOAT32, 1, (int32_t[]){1},
                                 fb, 0, NULL, NULL, 0);
    else if (cases[k].bias == INT32_BIAS)
      ins[n_in++] = ot_qtensor_n(&t, "b", PNN_TYPE_INT32, 1, (int32_t[]){1}, b,
                                 1, ws, NULL, 0);
    int y = qt_tensor(&t, PNN_TYPE_INT8, 4, (int32_t[]){1, 1, 1, 1}, NULL,
                      cases[k].y_scales, ws, NULL, 0);
    CHECK_FAILS(
        &t,
        ot_run(&t, PNN_OP_CONV_2D, PNN_OPTIONS_OF(conv2d), &o, n_in, ins, y),
        cases[k].status, cases[k].needle);
    ot_end(&t);
  }
}

TEST(fc_16x8_refuses_nonzero_zero_point) {
  int16_t x[2] = {0};
  int8_t w[2] = {1, 1};
  float s = 1.f;
  optest t;
  ot_begin(&t);
  int xi = ot_qinput(&t, PNN_TYPE_INT16, 2, (int32_t[]){1, 2}, x, 1.f, 5);
  int wi = qt_tensor(&t, PNN_TYPE_INT8, 2, (int32_t[]){1, 2}, w, 1, &s, NULL,
                     0);
  int y = qt_tensor(&t, PNN_TYPE_INT16, 2, (int32_t[]){1, 1}, NULL, 1, &s,
                    NULL, 0);
  pnn_fully_connected_options o = fc_opts(PNN_ACT_NONE);
  CHECK_FAILS(
      &t,
      ot_run(&t, PNN_OP_FULLY_CONNECTED, PNN_OPTIONS_OF(fully_connected), &o, 2,
             (int32_t[]){xi, wi}, y),
      PNN_ERROR_UNSUPPORTED, "zero points must be 0");
  ot_end(&t);
}

/* ------------------------------------------------- s8 dot kernels */

/* Every ISA level the host runs equals the plain-C reference on edge
 * shapes: k = 1, primes, partial 16-byte blocks, n % 4 leftovers, extreme
 * values (-128 * -128 sums), and a strided weight layout. */
TEST(s8_dots_every_isa_matches_reference) {
  static const size_t ks[] = {1, 3, 15, 16, 17, 31, 64, 97, 300};
  static const size_t ns[] = {1, 2, 3, 4, 5, 7, 9};
  int8_t x[300], w[9 * 320];
  uint32_t seed = 12345;
  for (size_t i = 0; i < sizeof w; i++) {
    seed = seed * 1103515245u + 12345u;
    w[i] = (int8_t)(seed >> 24);
    if (i < sizeof x) x[i] = (int8_t)(seed >> 16);
  }
  x[0] = -128;
  w[0] = -128;
  for (int isa = 0; isa < PNN_ISA_COUNT; isa++) {
    if (!pnn_isa_force((pnn_isa)isa)) continue;
    pnn_s8_dots_fn fn = pnn_s8_dots_pick((pnn_isa)isa);
    for (size_t a = 0; a < sizeof ks / sizeof ks[0]; a++)
      for (size_t b = 0; b < sizeof ns / sizeof ns[0]; b++) {
        size_t k = ks[a], n = ns[b], stride = k + 7;
        int32_t got[9], want[9];
        for (size_t i = 0; i < n; i++) got[i] = want[i] = (int32_t)i - 3;
        pnn_s8_dots_ref(x, w, k, n, stride, want);
        fn(x, w, k, n, stride, got);
        for (size_t i = 0; i < n; i++)
          CHECK_MSG(got[i] == want[i], "%s k=%zu n=%zu row %zu: %d vs %d",
                    pnn_isa_name((pnn_isa)isa), k, n, i, (int)got[i],
                    (int)want[i]);
      }
  }
  pnn_isa_force(PNN_ISA_COUNT);
}

/* The small GEMM at every level equals the reference: m and n around the
 * 4x2 tile, k around the 16-wide step, strided rows. */
TEST(s8_gemm_every_isa_matches_reference) {
  static const size_t ks[] = {1, 15, 16, 33, 128};
  int8_t x[7 * 140], w[9 * 140];
  uint32_t seed = 777;
  for (size_t i = 0; i < sizeof w; i++) {
    seed = seed * 1664525u + 1013904223u;
    w[i] = (int8_t)(seed >> 24);
    if (i < sizeof x) x[i] = (int8_t)(seed >> 13);
  }
  x[5] = w[5] = -128;
  for (int isa = 0; isa < PNN_ISA_COUNT; isa++) {
    if (!pnn_isa_force((pnn_isa)isa)) continue;
    pnn_s8_gemm_fn fn = pnn_s8_gemm_pick((pnn_isa)isa);
    for (size_t a = 0; a < sizeof ks / sizeof ks[0]; a++)
      for (size_t m = 1; m <= 7; m++)
        for (size_t n = 1; n <= 9; n += 2) {
          size_t k = ks[a];
          int32_t got[7 * 9], want[7 * 9];
          memset(got, 0x55, sizeof got);
          pnn_s8_gemm_ref(x, 140, m, w, 140, n, k, want, 9);
          fn(x, 140, m, w, 140, n, k, got, 9);
          for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < n; j++)
              CHECK_MSG(got[i * 9 + j] == want[i * 9 + j],
                        "%s k=%zu m=%zu n=%zu [%zu,%zu]: %d vs %d",
                        pnn_isa_name((pnn_isa)isa), k, m, n, i, j,
                        (int)got[i * 9 + j], (int)want[i * 9 + j]);
        }
  }
  pnn_isa_force(PNN_ISA_COUNT);
}

/* The int8 output stage at every level equals the reference (TFLite's
 * double rounding): random sums over the whole int32 range and small
 * ones, multipliers from 1e-6 to 8 (left and right shifts), rounding ties
 * made on purpose, partial vectors. */
TEST(s8_requant_every_isa_matches_reference) {
  enum { N = 37 };
  int32_t acc[N], bias[N], mult[N];
  int shift[N];
  uint32_t seed = 4242;
  for (int isa = 0; isa < PNN_ISA_COUNT; isa++) {
    if (!pnn_isa_force((pnn_isa)isa)) continue;
    pnn_s8_requant_fn fn = pnn_s8_requant_pick((pnn_isa)isa);
    for (int round = 0; round < 400; round++) {
      for (int i = 0; i < N; i++) {
        seed = seed * 1664525u + 1013904223u;
        uint32_t r = seed;
        seed = seed * 1664525u + 1013904223u;
        double real = pow(10.0, -6.0 + 7.0 * (double)(seed >> 8) / 16777216.0);
        pnn_qm_quantize_multiplier(real, &mult[i], &shift[i]);
        if (round % 4 == 0) acc[i] = (int32_t)r;          /* full range */
        else if (round % 4 == 1) acc[i] = (int32_t)(r % 20001) - 10000;
        else if (round % 4 == 2) acc[i] = (int32_t)(r % 64) * 8 - 256; /* ties */
        else acc[i] = (int32_t)(r >> 4) - (1 << 27);
        bias[i] = (int32_t)(seed % 2001) - 1000;
        if (round % 4 == 2) { /* exact halves: M = 2^-k */
          mult[i] = 1 << 30;
          shift[i] = -(int)(r % 6);
        }
      }
      int32_t zp = (int32_t)(seed % 50) - 25;
      for (int n = 1; n <= N; n += 6) {
        int8_t got[N], want[N];
        const int32_t *b = round & 1 ? bias : NULL;
        pnn_s8_requant_ref(acc, b, mult, shift, zp, -128, 127, (size_t)n, want);
        fn(acc, b, mult, shift, zp, -128, 127, (size_t)n, got);
        for (int i = 0; i < n; i++)
          CHECK_MSG(got[i] == want[i],
                    "%s round %d [%d]: acc %d mult %d shift %d: %d vs %d",
                    pnn_isa_name((pnn_isa)isa), round, i, (int)acc[i],
                    (int)mult[i], shift[i], got[i], want[i]);
      }
      /* a narrowed activation range */
      int8_t got[N], want[N];
      pnn_s8_requant_ref(acc, NULL, mult, shift, zp, -10, 50, N, want);
      fn(acc, NULL, mult, shift, zp, -10, 50, N, got);
      CHECK(memcmp(got, want, N) == 0);
    }
  }
  pnn_isa_force(PNN_ISA_COUNT);
}

/* The depthwise tap at every level equals the reference, including the
 * extreme product -128 * (127 - -128) and partial vectors. */
TEST(s8_dw_tap_every_isa_matches_reference) {
  int8_t x[40], w[40];
  uint32_t seed = 31337;
  for (int i = 0; i < 40; i++) {
    seed = seed * 1664525u + 1013904223u;
    x[i] = (int8_t)(seed >> 24);
    w[i] = (int8_t)(seed >> 16);
  }
  x[0] = 127, w[0] = -128, x[1] = -128, w[1] = -128;
  static const int32_t zps[] = {-128, -3, 0, 77, 127};
  for (int isa = 0; isa < PNN_ISA_COUNT; isa++) {
    if (!pnn_isa_force((pnn_isa)isa)) continue;
    pnn_s8_dw_tap_fn fn = pnn_s8_dw_tap_pick((pnn_isa)isa);
    for (int z = 0; z < 5; z++)
      for (size_t n = 1; n <= 40; n += 3) {
        int32_t got[40], want[40];
        for (int i = 0; i < 40; i++) got[i] = want[i] = i * 1000 - 7;
        pnn_s8_dw_tap_ref(x, w, zps[z], n, want);
        fn(x, w, zps[z], n, got);
        CHECK_MSG(memcmp(got, want, sizeof got) == 0, "%s zp %d n %zu",
                  pnn_isa_name((pnn_isa)isa), (int)zps[z], n);
      }
  }
  pnn_isa_force(PNN_ISA_COUNT);
}

/* ------------------------------- hybrid input quantization, LiteRT x86 */

/* LiteRT's x86 build quantizes hybrid inputs with TFLite's NEON tensor
 * utils through NEON_2_SSE: whole blocks of 8 round p = x * inv as
 * trunc(p + 0.5f) (in float: 0.49999997 + 0.5 is 1.0f, so it rounds to 1),
 * the last n % 8 with roundf, and the zero point is added after rounding.
 * Asymmetric, x in [0, 255]: scale 1, zp -128 (from min: error 128 < 382),
 * inv 1. Element 2 (blocked) 0.49999997 -> 1 - 128 = -127; element 8
 * (tail) -> 0 - 128. 2.5 -> 3 either way. Mirrored, x in [-255, 0]: zp
 * 127, -0.49999997 -> -1 + 127 = 126 blocked, 127 in the tail.
 * Symmetric, max|x| = 127: inv 1, the same split at +-0.49999997. */
TEST(hybrid_input_quantize_rounds_like_litert_x86) {
  const float h = 0.49999997f;
  float x[10] = {0.f, 255.f, h, 2.5f, 7.f, 100.5f, 3.f, 4.f, h, 2.5f};
  int8_t q[10];
  float scale;
  int32_t zp;
  pnn_qm_asymmetric_quantize(x, 10, q, &scale, &zp);
  CHECK_NEAR(scale, 1.0, 0);
  CHECK_EQ_INT(zp, -128);
  static const int8_t want[10] = {-128, 127, -127, -125, -121,
                                  -27,  -125, -124, -128, -125};
  for (int i = 0; i < 10; i++) CHECK_MSG(q[i] == want[i], "q[%d] = %d, want %d",
                                         i, (int)q[i], (int)want[i]);
  float y[10];
  for (int i = 0; i < 10; i++) y[i] = -x[i];
  pnn_qm_asymmetric_quantize(y, 10, q, &scale, &zp);
  CHECK_NEAR(scale, 1.0, 0);
  CHECK_EQ_INT(zp, 127);
  CHECK_EQ_INT(q[2], 126);
  CHECK_EQ_INT(q[8], 127);
  CHECK_EQ_INT(q[5], 127 - 101); /* -100.5 rounds away from zero */
  float s[10] = {127.f, -h, h, 1.5f, 0.f, 0.f, 0.f, -127.f, h, -h};
  CHECK_NEAR(pnn_qm_symmetric_quantize(s, 10, q), 1.0, 0);
  CHECK_EQ_INT(q[1], -1);
  CHECK_EQ_INT(q[2], 1);
  CHECK_EQ_INT(q[3], 2);
  CHECK_EQ_INT(q[8], 0);
  CHECK_EQ_INT(q[9], 0);
}

/* The same tie end to end through a hybrid DEPTHWISE_CONV_2D (1x1, eight
 * channels, weights 1 at scale 1, bias 0.25): out = (q - zp) * 1 * 1 +
 * 0.25, so the 0.49999997 channel gives 1.25 (q = -127), not 0.25. */
TEST(depthwise_hybrid_quantizes_input_like_litert) {
  optest t;
  ot_begin(&t);
  float x[8] = {0.f, 255.f, 0.49999997f, 2.5f, 7.f, 100.5f, 3.f, 4.f};
  int8_t w[8] = {1, 1, 1, 1, 1, 1, 1, 1};
  float b[8], ws[8];
  for (int i = 0; i < 8; i++) b[i] = 0.25f, ws[i] = 1.f;
  int xi = pnn_mb_tensor(t.mb, "x", PNN_TYPE_FLOAT32, 4,
                         (int32_t[]){1, 1, 1, 8}, NULL);
  t.in_data[t.n_in] = x;
  t.in[t.n_in++] = xi;
  int wi = qt_tensor(&t, PNN_TYPE_INT8, 4, (int32_t[]){1, 1, 1, 8}, w, 8, ws,
                     NULL, 3);
  int bi = pnn_mb_tensor(t.mb, "b", PNN_TYPE_FLOAT32, 1, (int32_t[]){8}, b);
  int y = pnn_mb_tensor(t.mb, "y", PNN_TYPE_FLOAT32, 4,
                        (int32_t[]){1, 1, 1, 8}, NULL);
  pnn_depthwise_conv2d_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(depthwise_conv2d), &o);
  o.padding = PNN_PADDING_VALID;
  o.stride_w = o.stride_h = 1;
  o.depth_multiplier = 1;
  CHECK_OK(
      &t, ot_run(&t, PNN_OP_DEPTHWISE_CONV_2D, PNN_OPTIONS_OF(depthwise_conv2d),
                 &o, 3, (int32_t[]){xi, wi, bi}, y));
  const float *got = ot_data(&t);
  static const float want[8] = {0.25f, 255.25f, 1.25f, 3.25f,
                                7.25f, 101.25f, 3.25f, 4.25f};
  for (int i = 0; i < 8; i++)
    CHECK_MSG(got[i] == want[i], "out[%d] = %.9g, want %.9g", i, got[i],
              want[i]);
  ot_end(&t);
}
