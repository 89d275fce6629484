/* Unit tests of the quantized (int8 / uint8 / int16) elementwise,
 * activation, normalization and resize kernels on one-op models made with
 * the model builder.
 *
 * Bit-exactness against LiteRT is checked by the conformance family
 * tools/conformance/ops/int8_elementwise.py; these tests cover what the
 * TF converter cannot produce (legacy all-uint8 graphs, int16 zero points,
 * hand-picked scales and zero-point extremes, the fused activation clamp,
 * prepare-time refusals) with two kinds of oracle:
 *   - values worked out by hand in the comments (exact), and
 *   - an independent float oracle: dequantize, apply the float function,
 *     requantize; TFLite's fixed-point result must be within one step. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "optest.h"

/* ------------------------------------------------------------ helpers */

/* Float oracle for one element: q(f(dq(x))) with round half away. */
static int32_t requant(float v, float scale, int32_t zp, int32_t lo,
                       int32_t hi) {
  float r = roundf(v / scale) + (float)zp;
  return r < (float)lo ? lo : (r > (float)hi ? hi : (int32_t)r);
}

#define CHECK_WITHIN_ONE(got, want, n)                                   \
  do {                                                                   \
    for (int i_ = 0; i_ < (n); i_++)                                     \
      CHECK_MSG(abs((int)(got)[i_] - (int)(want)[i_]) <= 1,              \
                "element %d: got %d, float oracle %d", i_, (int)(got)[i_], \
                (int)(want)[i_]);                                        \
  } while (0)

/* One quantized operand of a two-input op: shape, data, scale, zero point. */
typedef struct {
  int rank;
  const int32_t *dims;
  const void *data;
  float scale;
  int32_t zp;
} qarg;

/* A one-op model of `op` on inputs a and b (both of `type`) with output y
 * of `ytype` shaped like a, on (so, zo); runs it. */
static pnn_status run_binary(optest *t, int32_t op, uint8_t opt_type,
                             const void *opts, pnn_type type, qarg a, qarg b,
                             pnn_type ytype, float so, int32_t zo) {
  int ia = ot_qinput(t, type, a.rank, a.dims, a.data, a.scale, a.zp);
  int ib = ot_qinput(t, type, b.rank, b.dims, b.data, b.scale, b.zp);
  int y = ot_qtensor(t, "y", ytype, a.rank, a.dims, NULL, so, zo);
  return ot_run(t, op, opt_type, opts, 2, (int32_t[]){ia, ib}, y);
}

static pnn_add_options add_opts(int act) {
  pnn_add_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(add), &o);
  o.fused_activation_function = (int8_t)act;
  return o;
}

/* --------------------------------------------------------- binary ops */

/* int8 ADD, scales 0.5 / 0.25 -> 0.5, zero points 10 / -20 / -5:
 * x = 0.5 * (a - 10), y = 0.25 * (b + 20), out = x + y quantized.
 * a = 30, b = 0  -> 10 + 5 = 15  -> 15 / 0.5 - 5 = 25
 * a = -128, b = 127 -> -69 + 36.75 = -32.25 -> -64.5 -> -65 (ties away)
 *   then -5 -> -70
 * a = 127, b = 127 -> 58.5 + 36.75 = 95.25 -> 190.5 -> 186 -> clamp 127
 * a = 10, b = -20 -> 0 -> -5 */
TEST(add_int8_hand_values) {
  optest t;
  ot_begin(&t);
  int32_t d[] = {4};
  int8_t a[] = {30, -128, 127, 10}, b[] = {0, 127, 127, -20};
  pnn_add_options o = add_opts(PNN_ACT_NONE);
  CHECK_OK(&t, run_binary(&t, PNN_OP_ADD, PNN_OPTIONS_OF(add), &o,
                          PNN_TYPE_INT8, (qarg){1, d, a, 0.5f, 10},
                          (qarg){1, d, b, 0.25f, -20}, PNN_TYPE_INT8, 0.5f,
                          -5));
  const int8_t want[] = {25, -70, 127, -5};
  CHECK_INTS((const int8_t *)ot_data(&t), want, 4);
  ot_end(&t);
}

/* The fused RELU6 clamps on the output scale: 6 / 0.1 + (-100) = -40, and
 * RELU's lower bound is the zero point -100. */
TEST(add_int8_fused_relu6_clamp) {
  optest t;
  ot_begin(&t);
  int32_t d[] = {3};
  /* x = 0.1 * (a - 0): -5, 3, 9 ; y = 0 */
  int8_t a[] = {-50, 30, 90}, b[] = {0, 0, 0};
  pnn_add_options o = add_opts(PNN_ACT_RELU6);
  CHECK_OK(&t, run_binary(&t, PNN_OP_ADD, PNN_OPTIONS_OF(add), &o,
                          PNN_TYPE_INT8, (qarg){1, d, a, 0.1f, 0},
                          (qarg){1, d, b, 0.1f, 0}, PNN_TYPE_INT8, 0.1f,
                          -100));
  const int8_t want[] = {-100, -70, -40};
  CHECK_INTS((const int8_t *)ot_data(&t), want, 3);
  ot_end(&t);
}

/* Legacy uint8 SUB with broadcasting, every pair against the oracle. */
TEST(sub_uint8_broadcast_oracle) {
  optest t;
  ot_begin(&t);
  int32_t da[] = {4, 8}, db[] = {8};
  uint8_t a[32], b[8];
  for (int i = 0; i < 32; i++) a[i] = (uint8_t)(i * 37 % 256);
  for (int i = 0; i < 8; i++) b[i] = (uint8_t)(255 - i * 29);
  const float sa = 0.05f, sb = 0.03f, so = 0.07f;
  pnn_sub_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(sub), &o);
  CHECK_OK(&t, run_binary(&t, PNN_OP_SUB, PNN_OPTIONS_OF(sub), &o,
                          PNN_TYPE_UINT8, (qarg){2, da, a, sa, 128},
                          (qarg){1, db, b, sb, 7}, PNN_TYPE_UINT8, so, 120));
  uint8_t want[32];
  for (int i = 0; i < 32; i++)
    want[i] = (uint8_t)requant(sa * (a[i] - 128) - sb * (b[i % 8] - 7), so,
                               120, 0, 255);
  CHECK_WITHIN_ONE((const uint8_t *)ot_data(&t), want, 32);
  ot_end(&t);
}

/* int8 MUL: 0.5 * (a - 1) * 0.25 * (b + 2) onto scale 0.125, zp 3.
 * a = 5, b = 6: 2 * 2 = 4 -> 32 + 3 = 35; a = -7, b = 2: -4 * 1 = -4
 * -> -32 + 3 = -29; a = 127, b = 127: 63 * 32.25 = 2031.75 -> clamp 127. */
TEST(mul_int8_hand_values) {
  optest t;
  ot_begin(&t);
  int32_t d[] = {3};
  int8_t a[] = {5, -7, 127}, b[] = {6, 2, 127};
  pnn_mul_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(mul), &o);
  CHECK_OK(&t, run_binary(&t, PNN_OP_MUL, PNN_OPTIONS_OF(mul), &o,
                          PNN_TYPE_INT8, (qarg){1, d, a, 0.5f, 1},
                          (qarg){1, d, b, 0.25f, -2}, PNN_TYPE_INT8, 0.125f,
                          3));
  const int8_t want[] = {35, -29, 127};
  CHECK_INTS((const int8_t *)ot_data(&t), want, 3);
  ot_end(&t);
}

/* 16x8 ADD (int16, zero points 0, general scales) against the oracle. */
TEST(add_int16_oracle) {
  optest t;
  ot_begin(&t);
  int32_t d[] = {16};
  int16_t a[16], b[16];
  for (int i = 0; i < 16; i++) {
    a[i] = (int16_t)(i * 4099 - 32768);
    b[i] = (int16_t)(32767 - i * 3001);
  }
  const float sa = 1e-4f, sb = 3e-4f, so = 4.1e-4f;
  pnn_add_options o = add_opts(PNN_ACT_NONE);
  o.pot_scale_int16 = false;
  CHECK_OK(&t, run_binary(&t, PNN_OP_ADD, PNN_OPTIONS_OF(add), &o,
                          PNN_TYPE_INT16, (qarg){1, d, a, sa, 0},
                          (qarg){1, d, b, sb, 0}, PNN_TYPE_INT16, so, 0));
  int16_t want[16];
  for (int i = 0; i < 16; i++)
    want[i] = (int16_t)requant(sa * a[i] + sb * b[i], so, 0, -32768, 32767);
  CHECK_WITHIN_ONE((const int16_t *)ot_data(&t), want, 16);
  ot_end(&t);
}

/* int16 needs zero point 0; power-of-two scales with pot_scale_int16 set
 * select TFLite's LSTM-only path, which is refused by name. */
TEST(add_int16_refusals) {
  optest t;
  ot_begin(&t);
  int32_t d[] = {2};
  int16_t a[2] = {0};
  pnn_add_options o = add_opts(PNN_ACT_NONE);
  o.pot_scale_int16 = false;
  CHECK(run_binary(&t, PNN_OP_ADD, PNN_OPTIONS_OF(add), &o, PNN_TYPE_INT16,
                   (qarg){1, d, a, 0.5f, 3}, (qarg){1, d, a, 0.5f, 0},
                   PNN_TYPE_INT16, 0.5f, 0) == PNN_ERROR_INVALID_MODEL);
  CHECK(strstr(ot_error(&t), "zero point") != NULL);
  ot_end(&t);

  ot_begin(&t);
  o.pot_scale_int16 = true;
  CHECK(run_binary(&t, PNN_OP_ADD, PNN_OPTIONS_OF(add), &o, PNN_TYPE_INT16,
                   (qarg){1, d, a, 0.5f, 0}, (qarg){1, d, a, 0.25f, 0},
                   PNN_TYPE_INT16, 1.0f, 0) == PNN_ERROR_UNSUPPORTED);
  CHECK(strstr(ot_error(&t), "pot_scale_int16") != NULL);
  ot_end(&t);
}

/* A quantized ADD input without a scale is an invalid model. */
TEST(add_int8_missing_scale) {
  optest t;
  ot_begin(&t);
  int32_t d[] = {2};
  int8_t a[2] = {0};
  pnn_add_options o = add_opts(PNN_ACT_NONE);
  CHECK(run_binary(&t, PNN_OP_ADD, PNN_OPTIONS_OF(add), &o, PNN_TYPE_INT8,
                   (qarg){1, d, a, 0.f, 0}, (qarg){1, d, a, 0.5f, 0},
                   PNN_TYPE_INT8, 0.5f, 0) == PNN_ERROR_INVALID_MODEL);
  CHECK(strstr(ot_error(&t), "scale") != NULL);
  ot_end(&t);
}

/* Quantized comparison rescales both sides: a = 10 at scale 0.5 (5.0) is
 * greater than b = 40 at scale 0.1 (4.0) although 10 < 40 raw; equal real
 * values (a = 8 -> 4.0, b = 40) compare equal. */
TEST(greater_int8_compares_real_values) {
  optest t;
  ot_begin(&t);
  int32_t d[] = {3};
  int8_t a[] = {10, 8, -4}, b[] = {40, 40, -10};
  CHECK_OK(&t, run_binary(&t, PNN_OP_GREATER_EQUAL, 0, NULL, PNN_TYPE_INT8,
                          (qarg){1, d, a, 0.5f, 0}, (qarg){1, d, b, 0.1f, 0},
                          PNN_TYPE_BOOL, 0.f, 0));
  /* 5 >= 4, 4 >= 4, -2 >= -1 is false */
  const bool *got = ot_data(&t);
  CHECK(got[0] && got[1] && !got[2]);
  ot_end(&t);
}

/* ----------------------------------------------------------- activations */

/* A one-op model of `op` on x (of `type`, shape dims of rank `rank`, on
 * (si, zi)) into y of the same type and shape on (so, zo); runs it. */
static pnn_status run_unary_nd(optest *t, int32_t op, uint8_t opt_type,
                               const void *opts, pnn_type type, int rank,
                               const int32_t *dims, const void *x, float si,
                               int32_t zi, float so, int32_t zo) {
  int ix = ot_qinput(t, type, rank, dims, x, si, zi);
  int y = ot_qtensor(t, "y", type, rank, dims, NULL, so, zo);
  return ot_run(t, op, opt_type, opts, 1, &ix, y);
}

/* run_unary_nd on n values (shape [n]). */
static pnn_status run_unary(optest *t, int32_t op, uint8_t opt_type,
                            const void *opts, pnn_type type, int n,
                            const void *x, float si, int32_t zi, float so,
                            int32_t zo) {
  return run_unary_nd(t, op, opt_type, opts, type, 1, (int32_t[]){n}, x, si,
                      zi, so, zo);
}

/* SOFTMAX over the rows of x [2-D dims] with beta 1 (see run_unary_nd). */
static pnn_status run_softmax(optest *t, pnn_type type, const int32_t *dims,
                              const void *x, float si, float so, int32_t zo) {
  pnn_softmax_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(softmax), &o);
  o.beta = 1.f;
  return run_unary_nd(t, PNN_OP_SOFTMAX, PNN_OPTIONS_OF(softmax), &o, type, 2,
                      dims, x, si, 0, so, zo);
}

static float logistic_f(float x) { return 1.f / (1.f + expf(-x)); }

/* Every int8 value through LOGISTIC (256-entry table) against the float
 * oracle: within one step, and exact at the saturated ends. */
TEST(logistic_int8_all_values) {
  optest t;
  ot_begin(&t);
  int8_t x[256], want[256];
  const float si = 0.0625f;
  for (int i = 0; i < 256; i++) {
    x[i] = (int8_t)(i - 128);
    want[i] = (int8_t)requant(logistic_f(si * (x[i] - 3)), 1.f / 256, -128,
                              -128, 127);
  }
  CHECK_OK(&t, run_unary(&t, PNN_OP_LOGISTIC, 0, NULL, PNN_TYPE_INT8, 256, x,
                         si, 3, 1.f / 256, -128));
  const int8_t *got = ot_data(&t);
  CHECK_WITHIN_ONE(got, want, 256);
  CHECK_EQ_INT(got[0], -128 + 0);   /* sigmoid(-8.19) * 256 = 0.07 -> 0 */
  CHECK_EQ_INT(got[255], 127);      /* 0.9997 * 256 = 255.9 -> clamp */
  ot_end(&t);
}

/* LOGISTIC's output must be on scale 1/256 with zero point -128. */
TEST(logistic_int8_wrong_output_scale) {
  optest t;
  ot_begin(&t);
  int8_t x[2] = {0};
  CHECK(run_unary(&t, PNN_OP_LOGISTIC, 0, NULL, PNN_TYPE_INT8, 2, x, 0.1f, 0,
                  1.f / 128, -128) == PNN_ERROR_INVALID_MODEL);
  CHECK(strstr(ot_error(&t), "1/256") != NULL ||
        strstr(ot_error(&t), "scale") != NULL);
  ot_end(&t);
}

/* uint8 TANH and GELU over every value against the float oracle. */
TEST(tanh_gelu_uint8_all_values) {
  uint8_t x[256], want[256];
  for (int i = 0; i < 256; i++) x[i] = (uint8_t)i;
  optest t;
  ot_begin(&t);
  for (int i = 0; i < 256; i++)
    want[i] = (uint8_t)requant(tanhf(0.03f * (i - 128)), 1.f / 128, 128, 0,
                               255);
  CHECK_OK(&t, run_unary(&t, PNN_OP_TANH, 0, NULL, PNN_TYPE_UINT8, 256, x,
                         0.03f, 128, 1.f / 128, 128));
  CHECK_WITHIN_ONE((const uint8_t *)ot_data(&t), want, 256);
  ot_end(&t);

  ot_begin(&t);
  for (int i = 0; i < 256; i++) {
    float v = 0.04f * (i - 100);
    want[i] = (uint8_t)requant(0.5f * v * (1.f + erff(v / sqrtf(2.f))), 0.03f,
                               20, 0, 255);
  }
  pnn_gelu_options g;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(gelu), &g);
  CHECK_OK(&t, run_unary(&t, PNN_OP_GELU, PNN_OPTIONS_OF(gelu), &g,
                         PNN_TYPE_UINT8, 256, x, 0.04f, 100, 0.03f, 20));
  CHECK_WITHIN_ONE((const uint8_t *)ot_data(&t), want, 256);
  ot_end(&t);
}

/* RELU6 on int8 with different input and output scales: the clamp is
 * [zp, zp + round(6 / so)] = [-10, 50]; x = 0.2 * (q + 5). */
TEST(relu6_int8_rescale_and_clamp) {
  optest t;
  ot_begin(&t);
  int8_t x[] = {-128, -5, 0, 10, 25, 127};
  CHECK_OK(&t, run_unary(&t, PNN_OP_RELU6, 0, NULL, PNN_TYPE_INT8, 6, x, 0.2f,
                         -5, 0.1f, -10));
  /* reals: -24.6, 0, 1, 3, 6, 26.4 -> q: clamp, -10, 0, 20, 50, clamp 50 */
  const int8_t want[] = {-10, -10, 0, 20, 50, 50};
  CHECK_INTS((const int8_t *)ot_data(&t), want, 6);
  ot_end(&t);
}

/* LEAKY_RELU int16 (zero points 0) with alpha 0.25: negatives scaled by
 * alpha * si / so, positives by si / so = 0.5. */
TEST(leaky_relu_int16_hand_values) {
  optest t;
  ot_begin(&t);
  int16_t x[] = {-32768, -400, 0, 401, 32767};
  pnn_leaky_relu_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(leaky_relu), &o);
  o.alpha = 0.25f;
  CHECK_OK(&t, run_unary(&t, PNN_OP_LEAKY_RELU, PNN_OPTIONS_OF(leaky_relu),
                         &o, PNN_TYPE_INT16, 5, x, 0.001f, 0, 0.002f, 0));
  /* -32768 * 0.125 = -4096; -400 * 0.125 = -50; 401 * 0.5 = 200.5 -> 201
   * (ties away from zero); 32767 * 0.5 = 16383.5 -> 16384 */
  const int16_t want[] = {-4096, -50, 0, 201, 16384};
  CHECK_INTS((const int16_t *)ot_data(&t), want, 5);
  ot_end(&t);
}

/* HARD_SWISH int8 over every value against the float oracle. TFLite's
 * 16-bit fixed-point path may be off by one step. */
TEST(hard_swish_int8_all_values) {
  optest t;
  ot_begin(&t);
  int8_t x[256], want[256];
  for (int i = 0; i < 256; i++) {
    x[i] = (int8_t)(i - 128);
    float v = 0.05f * (x[i] + 20);
    float r6 = v + 3.f < 0.f ? 0.f : (v + 3.f > 6.f ? 6.f : v + 3.f);
    want[i] = (int8_t)requant(v * r6 / 6.f, 0.04f, -30, -128, 127);
  }
  CHECK_OK(&t, run_unary(&t, PNN_OP_HARD_SWISH, 0, NULL, PNN_TYPE_INT8, 256, x,
                         0.05f, -20, 0.04f, -30));
  CHECK_WITHIN_ONE((const int8_t *)ot_data(&t), want, 256);
  ot_end(&t);
}

/* int8 SOFTMAX: a row of equal values gives 1/n each (n = 4: 0.25 * 256 -
 * 128 = -64); one dominant logit takes everything it can (127), the others
 * get exp(-large) = 0 -> -128. Rows are independent. */
TEST(softmax_int8_rows) {
  optest t;
  ot_begin(&t);
  int32_t d[] = {2, 4};
  int8_t x[] = {7, 7, 7, 7, 127, -128, -128, -128};
  CHECK_OK(&t,
           run_softmax(&t, PNN_TYPE_INT8, d, x, 0.5f, 1.f / 256, -128));
  const int8_t want[] = {-64, -64, -64, -64, 127, -128, -128, -128};
  CHECK_INTS((const int8_t *)ot_data(&t), want, 8);
  ot_end(&t);
}

/* Float softmax (or log-softmax) of each row of the dequantized q[i] * s:
 * the oracle of the SOFTMAX / LOG_SOFTMAX tests. */
static void ref_softmax_rows(const float *v, int rows, int cols, bool log_sm,
                             float *out) {
  for (int r = 0; r < rows; r++) {
    const float *x = v + r * cols;
    float mx = -1e9f, sum = 0.f;
    for (int c = 0; c < cols; c++) mx = fmaxf(mx, x[c]);
    for (int c = 0; c < cols; c++) sum += expf(x[c] - mx);
    for (int c = 0; c < cols; c++)
      out[r * cols + c] =
          log_sm ? x[c] - mx - logf(sum) : expf(x[c] - mx) / sum;
  }
}

/* Softmax over random rows against the float oracle (within one step). */
TEST(softmax_int8_oracle) {
  optest t;
  ot_begin(&t);
  int32_t d[] = {3, 10};
  int8_t x[30], want[30];
  for (int i = 0; i < 30; i++) x[i] = (int8_t)((i * 73 + 11) % 256 - 128);
  const float si = 0.04f;
  float v[30], p[30];
  for (int i = 0; i < 30; i++) v[i] = si * x[i];
  ref_softmax_rows(v, 3, 10, false, p);
  for (int i = 0; i < 30; i++)
    want[i] = (int8_t)requant(p[i], 1.f / 256, -128, -128, 127);
  CHECK_OK(&t, run_softmax(&t, PNN_TYPE_INT8, d, x, si, 1.f / 256, -128));
  CHECK_WITHIN_ONE((const int8_t *)ot_data(&t), want, 30);
  ot_end(&t);
}

/* int16 SOFTMAX (two interpolated tables) against the float oracle on
 * scale 1/32768; TFLite's tables are accurate to a few steps. */
TEST(softmax_int16_oracle) {
  optest t;
  ot_begin(&t);
  int32_t d[] = {2, 6};
  int16_t x[12];
  for (int i = 0; i < 12; i++) x[i] = (int16_t)(i * 5003 % 65536 - 32768);
  const float si = 1.5e-4f;
  CHECK_OK(&t, run_softmax(&t, PNN_TYPE_INT16, d, x, si, 1.f / 32768, 0));
  const int16_t *got = ot_data(&t);
  float v[12], p[12];
  for (int i = 0; i < 12; i++) v[i] = si * x[i];
  ref_softmax_rows(v, 2, 6, false, p);
  for (int i = 0; i < 12; i++) {
    float want = p[i] * 32768.f;
    CHECK_MSG(fabsf(got[i] - want) <= 40.f, "element %d: got %d, want %.1f",
              i, got[i], (double)want);
  }
  ot_end(&t);
}

/* PRELU int8 with a per-channel alpha broadcast over [2, 3]. */
TEST(prelu_int8_oracle) {
  optest t;
  ot_begin(&t);
  int32_t dx[] = {2, 3}, da[] = {3};
  int8_t x[] = {-100, -1, 50, 127, -128, 0};
  int8_t al[] = {64, -32, 127};
  const float sx = 0.1f, sa = 1.f / 128, so = 0.05f;
  int ix = ot_qinput(&t, PNN_TYPE_INT8, 2, dx, x, sx, 0);
  int ia = ot_qtensor(&t, "alpha", PNN_TYPE_INT8, 1, da, al, sa, 0);
  int y = ot_qtensor(&t, "y", PNN_TYPE_INT8, 2, dx, NULL, so, 5);
  CHECK_OK(&t, ot_run(&t, PNN_OP_PRELU, 0, NULL, 2, (int32_t[]){ix, ia}, y));
  int8_t want[6];
  for (int i = 0; i < 6; i++) {
    float v = sx * x[i];
    if (v < 0) v *= sa * al[i % 3];
    want[i] = (int8_t)requant(v, so, 5, -128, 127);
  }
  CHECK_WITHIN_ONE((const int8_t *)ot_data(&t), want, 6);
  ot_end(&t);
}

/* ----------------------------------------------- L2 norm, bilinear resize */

/* int8 L2_NORMALIZATION: output scale 1/128. Row (3, 4) * s has norm 5s:
 * 0.6 * 128 = 76.8 -> 77 (within one of TFLite's fixed point), 0.8 -> 102. */
TEST(l2norm_int8_values) {
  optest t;
  ot_begin(&t);
  int32_t d[] = {2, 2};
  int8_t x[] = {33, 44, -40, 0}; /* zp 3: (30, 40) and (-43, -3) */
  CHECK_OK(&t, run_unary_nd(&t, PNN_OP_L2_NORMALIZATION, 0, NULL,
                            PNN_TYPE_INT8, 2, d, x, 0.02f, 3, 1.f / 128, 0));
  const float n2 = sqrtf(43.f * 43.f + 9.f);
  const int8_t want[] = {77, 102, (int8_t)requant(-43.f / n2, 1.f / 128, 0,
                                                  -128, 127),
                         (int8_t)requant(-3.f / n2, 1.f / 128, 0, -128, 127)};
  CHECK_WITHIN_ONE((const int8_t *)ot_data(&t), want, 4);
  ot_end(&t);
}

/* int8 RESIZE_BILINEAR 1x2x2x1 -> 1x3x3x1 (align_corners): the centre is
 * the mean of the four corners, edges the mean of two. Corners -100, 20,
 * 60, 100: centre 20, top 40 (-100+20)/2 = -40, left (-100+60)/2 = -20. */
TEST(resize_bilinear_int8_align_corners) {
  optest t;
  ot_begin(&t);
  int32_t di[] = {1, 2, 2, 1}, dy[] = {1, 3, 3, 1}, ds[] = {2};
  int8_t x[] = {-100, 20, 60, 100};
  int32_t size[] = {3, 3};
  int ix = ot_qinput(&t, PNN_TYPE_INT8, 4, di, x, 0.1f, 0);
  int is = ot_qtensor(&t, "size", PNN_TYPE_INT32, 1, ds, size, 0.f, 0);
  int y = ot_qtensor(&t, "y", PNN_TYPE_INT8, 4, dy, NULL, 0.1f, 0);
  pnn_resize_bilinear_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(resize_bilinear), &o);
  o.align_corners = true;
  CHECK_OK(&t,
           ot_run(&t, PNN_OP_RESIZE_BILINEAR, PNN_OPTIONS_OF(resize_bilinear),
                  &o, 2, (int32_t[]){ix, is}, y));
  const int8_t want[] = {-100, -40, 20, -20, 20, 60, 60, 80, 100};
  CHECK_INTS((const int8_t *)ot_data(&t), want, 9);
  ot_end(&t);
}

/* int8 LOG_SOFTMAX (output scale 16/256, zero point 127) against the float
 * oracle; the row maximum maps to -log(sum exp) which is <= 0. */
TEST(log_softmax_int8_oracle) {
  optest t;
  ot_begin(&t);
  int32_t d[] = {2, 8};
  int8_t x[16], want[16];
  for (int i = 0; i < 16; i++) x[i] = (int8_t)((i * 97 + 5) % 256 - 128);
  const float si = 0.03f;
  float v[16], p[16];
  for (int i = 0; i < 16; i++) v[i] = si * x[i];
  ref_softmax_rows(v, 2, 8, true, p);
  for (int i = 0; i < 16; i++)
    want[i] = (int8_t)requant(p[i], 16.f / 256, 127, -128, 127);
  CHECK_OK(&t, run_unary_nd(&t, PNN_OP_LOG_SOFTMAX, 0, NULL, PNN_TYPE_INT8,
                            2, d, x, si, 0, 16.f / 256, 127));
  CHECK_WITHIN_ONE((const int8_t *)ot_data(&t), want, 16);
  ot_end(&t);
}

/* int16 GELU uses a 513-entry interpolated table over the input range. */
TEST(gelu_int16_oracle) {
  optest t;
  ot_begin(&t);
  int16_t x[64], want[64];
  const float si = 2e-4f, so = 1.5e-4f;
  for (int i = 0; i < 64; i++) {
    x[i] = (int16_t)(i * 1040 - 32768);
    float v = si * x[i];
    want[i] = (int16_t)requant(0.5f * v * (1.f + erff(v / sqrtf(2.f))), so, 0,
                               -32768, 32767);
  }
  pnn_gelu_options g;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(gelu), &g);
  CHECK_OK(&t, run_unary(&t, PNN_OP_GELU, PNN_OPTIONS_OF(gelu), &g,
                         PNN_TYPE_INT16, 64, x, si, 0, so, 0));
  const int16_t *got = ot_data(&t);
  for (int i = 0; i < 64; i++)
    CHECK_MSG(abs(got[i] - want[i]) <= 3, "element %d: got %d, oracle %d", i,
              got[i], want[i]);
  ot_end(&t);
}

/* MAXIMUM / MINIMUM on quantized tensors compare stored values (TFLite
 * does not rescale); uint8 comparisons without quantization compare raw. */
TEST(max_min_raw_and_unquantized_compare) {
  optest t;
  ot_begin(&t);
  int32_t d[] = {4};
  int8_t a[] = {-128, 5, 127, 0}, b[] = {3, -7, 126, 0};
  CHECK_OK(&t, run_binary(&t, PNN_OP_MINIMUM, 0, NULL, PNN_TYPE_INT8,
                          (qarg){1, d, a, 0.5f, 0}, (qarg){1, d, b, 0.5f, 0},
                          PNN_TYPE_INT8, 0.5f, 0));
  const int8_t want[] = {-128, -7, 126, 0};
  CHECK_INTS((const int8_t *)ot_data(&t), want, 4);
  ot_end(&t);

  ot_begin(&t);
  uint8_t ua[] = {0, 200, 7, 255}, ub[] = {1, 100, 7, 254};
  CHECK_OK(&t, run_binary(&t, PNN_OP_LESS, 0, NULL, PNN_TYPE_UINT8,
                          (qarg){1, d, ua, 0.f, 0}, (qarg){1, d, ub, 0.f, 0},
                          PNN_TYPE_BOOL, 0.f, 0));
  const bool *got = ot_data(&t);
  CHECK(got[0] && !got[1] && !got[2] && !got[3]);
  ot_end(&t);
}

/* SQUARED_DIFFERENCE int8 with broadcasting against the float oracle. */
TEST(squared_difference_int8_oracle) {
  optest t;
  ot_begin(&t);
  int32_t da[] = {3, 5}, db[] = {5};
  int8_t a[15], b[5], want[15];
  for (int i = 0; i < 15; i++) a[i] = (int8_t)(i * 17 - 120);
  for (int i = 0; i < 5; i++) b[i] = (int8_t)(100 - i * 45);
  const float sa = 0.02f, sb = 0.03f, so = 0.05f;
  for (int i = 0; i < 15; i++) {
    float dd = sa * (a[i] + 3) - sb * (b[i % 5] - 4);
    want[i] = (int8_t)requant(dd * dd, so, -128, -128, 127);
  }
  CHECK_OK(&t, run_binary(&t, PNN_OP_SQUARED_DIFFERENCE, 0, NULL,
                          PNN_TYPE_INT8, (qarg){2, da, a, sa, -3},
                          (qarg){1, db, b, sb, 4}, PNN_TYPE_INT8, so, -128));
  CHECK_WITHIN_ONE((const int8_t *)ot_data(&t), want, 15);
  ot_end(&t);
}

/* uint8 L2_NORMALIZATION (zero point 128 output) and uint8 bilinear
 * resize (TFLite's float blend, rounded). */
TEST(l2norm_and_resize_uint8) {
  optest t;
  ot_begin(&t);
  int32_t d[] = {1, 2};
  uint8_t x[] = {131, 132}; /* zp 128: (3, 4) -> (0.6, 0.8) */
  CHECK_OK(&t, run_unary_nd(&t, PNN_OP_L2_NORMALIZATION, 0, NULL,
                            PNN_TYPE_UINT8, 2, d, x, 0.1f, 128, 1.f / 128,
                            128));
  const uint8_t want[] = {128 + 77, 128 + 102};
  CHECK_WITHIN_ONE((const uint8_t *)ot_data(&t), want, 2);
  ot_end(&t);

  ot_begin(&t);
  int32_t di[] = {1, 1, 2, 1}, dy[] = {1, 1, 4, 1}, ds[] = {2};
  uint8_t px[] = {10, 21};
  int32_t size[] = {1, 4};
  int ix = ot_qinput(&t, PNN_TYPE_UINT8, 4, di, px, 0.1f, 0);
  int is = ot_qtensor(&t, "size", PNN_TYPE_INT32, 1, ds, size, 0.f, 0);
  int y = ot_qtensor(&t, "y", PNN_TYPE_UINT8, 4, dy, NULL, 0.1f, 0);
  pnn_resize_bilinear_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(resize_bilinear), &o);
  CHECK_OK(&t,
           ot_run(&t, PNN_OP_RESIZE_BILINEAR, PNN_OPTIONS_OF(resize_bilinear),
                  &o, 2, (int32_t[]){ix, is}, y));
  /* scale 0.5: x = 0, 0.5, 1, 1.5 -> 10, 15.5 -> 16 (rounded), 21, 21 */
  const uint8_t want2[] = {10, 16, 21, 21};
  CHECK_INTS((const uint8_t *)ot_data(&t), want2, 4);
  ot_end(&t);
}

/* ELU (int8 only in TFLite) and RELU_0_TO_1 over every int8 value. */
TEST(elu_relu01_int8_all_values) {
  int8_t x[256], want[256];
  for (int i = 0; i < 256; i++) x[i] = (int8_t)(i - 128);
  optest t;
  ot_begin(&t);
  for (int i = 0; i < 256; i++) {
    float v = 0.04f * (x[i] - 10);
    want[i] = (int8_t)requant(v < 0 ? expm1f(v) : v, 0.03f, -90, -128, 127);
  }
  CHECK_OK(&t, run_unary(&t, PNN_OP_ELU, 0, NULL, PNN_TYPE_INT8, 256, x, 0.04f,
                         10, 0.03f, -90));
  CHECK_WITHIN_ONE((const int8_t *)ot_data(&t), want, 256);
  ot_end(&t);

  ot_begin(&t);
  for (int i = 0; i < 256; i++) {
    float v = 0.01f * x[i];
    want[i] = (int8_t)requant(v < 0 ? 0 : (v > 1 ? 1 : v), 1.f / 200, -100,
                              -128, 127);
  }
  CHECK_OK(&t, run_unary(&t, PNN_OP_RELU_0_TO_1, 0, NULL, PNN_TYPE_INT8, 256,
                         x, 0.01f, 0, 1.f / 200, -100));
  const int8_t *got = ot_data(&t);
  CHECK_WITHIN_ONE(got, want, 256);
  CHECK_EQ_INT(got[0], -100); /* clamp at zp + round(0) */
  CHECK_EQ_INT(got[255], 100); /* clamp at zp + round(1 / (1/200)) */
  ot_end(&t);
}

/* SPACE_TO_BATCH_ND moves int8 values unchanged: an output quantized
 * differently from the input is refused (as TFLite does), and with equal
 * quantization the padding is the zero point (-7). */
TEST(space_to_batch_int8_quantization) {
  int32_t di[] = {1, 2, 2, 1}, d2[] = {2}, dp[] = {2, 2}, dy[] = {2, 1, 4, 1};
  int8_t x[] = {1, 2, 3, 4};
  int32_t block[] = {2, 1}, pads[] = {0, 0, 0, 2};
  for (int pass = 0; pass < 2; pass++) {
    optest t;
    ot_begin(&t);
    int ix = ot_qinput(&t, PNN_TYPE_INT8, 4, di, x, 0.5f, -7);
    int ib = ot_qtensor(&t, "block", PNN_TYPE_INT32, 1, d2, block, 0.f, 0);
    int ip = ot_qtensor(&t, "pads", PNN_TYPE_INT32, 2, dp, pads, 0.f, 0);
    int y = ot_qtensor(&t, "y", PNN_TYPE_INT8, 4, dy, NULL,
                       pass == 0 ? 0.25f : 0.5f, -7);
    pnn_status s = ot_run(&t, PNN_OP_SPACE_TO_BATCH_ND, 0, NULL, 3,
                          (int32_t[]){ix, ib, ip}, y);
    if (pass == 0) {
      CHECK(s == PNN_ERROR_INVALID_MODEL);
      CHECK(strstr(ot_error(&t), "quantization") != NULL);
    } else {
      CHECK_OK(&t, s);
      /* rows 0 and 1 to batches 0 and 1, width padded 2 -> 4 */
      const int8_t want[] = {1, 2, -7, -7, 3, 4, -7, -7};
      CHECK_INTS((const int8_t *)ot_data(&t), want, 8);
    }
    ot_end(&t);
  }
}

/* Legacy uint8 CONCATENATION of inputs with different scales requantizes
 * each onto the output scale (float oracle, within one step). */
TEST(concat_uint8_requantizes) {
  optest t;
  ot_begin(&t);
  int32_t da[] = {2, 3}, db[] = {2, 2}, dy[] = {2, 5};
  uint8_t a[] = {0, 100, 255, 17, 128, 200}, b[] = {3, 250, 128, 64};
  int ia = ot_qinput(&t, PNN_TYPE_UINT8, 2, da, a, 0.02f, 128);
  int ib = ot_qinput(&t, PNN_TYPE_UINT8, 2, db, b, 0.05f, 10);
  int y = ot_qtensor(&t, "y", PNN_TYPE_UINT8, 2, dy, NULL, 0.04f, 100);
  pnn_concatenation_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(concatenation), &o);
  o.axis = 1;
  CHECK_OK(&t, ot_run(&t, PNN_OP_CONCATENATION, PNN_OPTIONS_OF(concatenation),
                      &o, 2, (int32_t[]){ia, ib}, y));
  uint8_t want[10];
  for (int r = 0; r < 2; r++) {
    for (int c = 0; c < 3; c++)
      want[r * 5 + c] = (uint8_t)requant(0.02f * (a[r * 3 + c] - 128), 0.04f,
                                         100, 0, 255);
    for (int c = 0; c < 2; c++)
      want[r * 5 + 3 + c] = (uint8_t)requant(0.05f * (b[r * 2 + c] - 10),
                                             0.04f, 100, 0, 255);
  }
  CHECK_WITHIN_ONE((const uint8_t *)ot_data(&t), want, 10);
  ot_end(&t);
}

/* ------------------------------------------------------- unary math */

/* int8 ABS with equal scales adds |x - zp| to the output zero point;
 * with different scales it rescales. x = -128 with zp 2: 130 -> clamp. */
TEST(abs_int8_values) {
  int8_t x[] = {-128, -3, 2, 7, 127};
  optest t;
  ot_begin(&t);
  CHECK_OK(&t, run_unary(&t, PNN_OP_ABS, 0, NULL, PNN_TYPE_INT8, 5, x, 0.1f, 2,
                         0.1f, -10));
  const int8_t want[] = {120, -5, -10, -5, 115};
  CHECK_INTS((const int8_t *)ot_data(&t), want, 5);
  ot_end(&t);
  ot_begin(&t);
  CHECK_OK(&t, run_unary(&t, PNN_OP_ABS, 0, NULL, PNN_TYPE_INT8, 5, x, 0.1f, 2,
                         0.2f, -10));
  /* |x - 2| / 2 rounded half away: 65, 2.5 -> 3, 0, 2.5 -> 3, 62.5 -> 63 */
  const int8_t want2[] = {55, -7, -10, -7, 53};
  CHECK_INTS((const int8_t *)ot_data(&t), want2, 5);
  ot_end(&t);
}

/* int8 RSQRT against the float oracle; x == zp gives 127; a value below
 * the zero point (a negative real) fails at invoke as in TFLite. */
TEST(rsqrt_int8_oracle_and_domain) {
  int8_t x[64], want[64];
  const float si = 0.05f, so = 0.02f;
  for (int i = 0; i < 64; i++) {
    x[i] = (int8_t)(i * 3 - 100);
    float v = si * (x[i] + 100);
    want[i] = i == 0 ? 127
                     : (int8_t)requant(1.f / sqrtf(v), so, -120, -128, 127);
  }
  optest t;
  ot_begin(&t);
  CHECK_OK(&t, run_unary(&t, PNN_OP_RSQRT, 0, NULL, PNN_TYPE_INT8, 64, x, si,
                         -100, so, -120));
  CHECK_WITHIN_ONE((const int8_t *)ot_data(&t), want, 64);
  ot_end(&t);
  x[5] = -101;
  ot_begin(&t);
  CHECK(run_unary(&t, PNN_OP_RSQRT, 0, NULL, PNN_TYPE_INT8, 64, x, si, -100,
                  so, -120) == PNN_ERROR_RUNTIME);
  CHECK(strstr(ot_error(&t), ">= 0") != NULL);
  ot_end(&t);
}

/* int8 EXP / LOG tables and int16 LOG against the float oracle; LOG of a
 * non-positive value gives the output minimum. (int16 LOG interpolates
 * 512 steps over the whole input range, like TFLite: coarse near 0.) */
TEST(exp_log_quantized_oracle) {
  int8_t x[256], want[256];
  for (int i = 0; i < 256; i++) x[i] = (int8_t)(i - 128);
  optest t;
  ot_begin(&t);
  for (int i = 0; i < 256; i++)
    want[i] = (int8_t)requant(expf(0.02f * (x[i] + 28)), 0.03f, -128, -128,
                              127);
  CHECK_OK(&t, run_unary(&t, PNN_OP_EXP, 0, NULL, PNN_TYPE_INT8, 256, x, 0.02f,
                         -28, 0.03f, -128));
  CHECK_WITHIN_ONE((const int8_t *)ot_data(&t), want, 256);
  ot_end(&t);

  ot_begin(&t);
  for (int i = 0; i < 256; i++) {
    float v = 0.05f * (x[i] + 100);
    want[i] = v <= 0 ? -128 : (int8_t)requant(logf(v), 0.04f, 50, -128, 127);
  }
  CHECK_OK(&t, run_unary(&t, PNN_OP_LOG, 0, NULL, PNN_TYPE_INT8, 256, x, 0.05f,
                         -100, 0.04f, 50));
  CHECK_WITHIN_ONE((const int8_t *)ot_data(&t), want, 256);
  ot_end(&t);

  int16_t y[64];
  ot_begin(&t);
  /* Away from 0, where the 512-step table cannot follow log's slope. */
  for (int i = 0; i < 64; i++) y[i] = (int16_t)(i * 380 + 8000);
  CHECK_OK(&t, run_unary(&t, PNN_OP_LOG, 0, NULL, PNN_TYPE_INT16, 64, y, 1e-3f,
                         0, 2e-4f, 0));
  const int16_t *got = ot_data(&t);
  for (int i = 0; i < 64; i++) {
    int32_t w = requant(logf(1e-3f * y[i]), 2e-4f, 0, -32768, 32767);
    CHECK_MSG(abs(got[i] - w) <= 8, "element %d: got %d, oracle %d", i,
              got[i], w);
  }
  ot_end(&t);
}

/* int16 LOGISTIC / TANH (output scale 1/32768) against the float oracle,
 * with a power-of-two input scale (2^-12: no multiplier) and a general
 * one; the table interpolation is accurate to a few steps. */
TEST(logistic_tanh_int16_oracle) {
  int16_t x[128];
  for (int i = 0; i < 128; i++) x[i] = (int16_t)(i * 516 - 32768);
  const float scales[] = {1.f / 4096, 3.7e-4f};
  for (int k = 0; k < 2; k++) {
    for (int op = 0; op < 2; op++) {
      optest t;
      ot_begin(&t);
      CHECK_OK(&t, run_unary(&t, op ? PNN_OP_TANH : PNN_OP_LOGISTIC, 0, NULL,
                             PNN_TYPE_INT16, 128, x, scales[k], 0,
                             1.f / 32768, 0));
      const int16_t *got = ot_data(&t);
      for (int i = 0; i < 128; i++) {
        float v = scales[k] * x[i];
        float f = op ? tanhf(v) : 1.f / (1.f + expf(-v));
        int32_t w = requant(f, 1.f / 32768, 0, -32768, 32767);
        CHECK_MSG(abs(got[i] - w) <= 12, "%s scale %g element %d: got %d, "
                  "oracle %d", op ? "tanh" : "logistic", (double)scales[k], i,
                  got[i], w);
      }
      ot_end(&t);
    }
  }
}

/* uint8 LOG_SOFTMAX (output zero point 255) against the float oracle. */
TEST(log_softmax_uint8_oracle) {
  optest t;
  ot_begin(&t);
  int32_t d[] = {2, 6};
  uint8_t x[12], want[12];
  for (int i = 0; i < 12; i++) x[i] = (uint8_t)((i * 83 + 9) % 256);
  const float si = 0.04f;
  float v[12], p[12];
  for (int i = 0; i < 12; i++) v[i] = si * x[i];
  ref_softmax_rows(v, 2, 6, true, p);
  for (int i = 0; i < 12; i++)
    want[i] = (uint8_t)requant(p[i], 16.f / 256, 255, 0, 255);
  CHECK_OK(&t, run_unary_nd(&t, PNN_OP_LOG_SOFTMAX, 0, NULL, PNN_TYPE_UINT8,
                            2, d, x, si, 128, 16.f / 256, 255));
  CHECK_WITHIN_ONE((const uint8_t *)ot_data(&t), want, 12);
  ot_end(&t);
}

/* int16 DIV (zero points 0) against the float oracle: s1 0.001, s2
 * 0.002, out 0.004 (multiplier 125), dividends and divisors over the
 * int16 range, both signs, |dividend| >= 1000 so the total shift stays
 * within 31 (see q_div_rdbp in binary.c for what LiteRT does beyond). */
TEST(div_int16_oracle) {
  optest t;
  ot_begin(&t);
  int32_t d[] = {8};
  int16_t a[8] = {1000, -1000, 20000, -32768, 32767, 5000, 12345, -7777};
  int16_t b[8] = {1000, 3000, -2500, 700, -32768, 16000, 2, -9};
  int16_t want[8];
  const float sa = 0.001f, sb = 0.002f, so = 0.004f;
  for (int i = 0; i < 8; i++)
    want[i] = (int16_t)requant((sa * a[i]) / (sb * b[i]), so, 0, -32768, 32767);
  CHECK_OK(&t, run_binary(&t, PNN_OP_DIV, 0, NULL, PNN_TYPE_INT16,
                          (qarg){1, d, a, sa, 0}, (qarg){1, d, b, sb, 0},
                          PNN_TYPE_INT16, so, 0));
  CHECK_WITHIN_ONE((const int16_t *)ot_data(&t), want, 8);
  ot_end(&t);
}

/* uint8 DIV: a divisor equal to its zero point is a real 0, refused at
 * invoke; the other elements (a broadcast row) are valid. */
TEST(div_uint8_zero_divisor_fails) {
  optest t;
  ot_begin(&t);
  int32_t da[] = {2, 3}, db[] = {3};
  uint8_t a[6] = {10, 200, 128, 0, 255, 77};
  uint8_t b[3] = {140, 128, 90};
  CHECK_FAILS(&t,
              run_binary(&t, PNN_OP_DIV, 0, NULL, PNN_TYPE_UINT8,
                         (qarg){2, da, a, 0.05f, 128},
                         (qarg){1, db, b, 0.02f, 128}, PNN_TYPE_UINT8, 0.1f,
                         100),
              PNN_ERROR_RUNTIME, "division by zero");
  ot_end(&t);
}

/* int8 / int16 FLOOR_DIV, FLOOR_MOD and NEG work on the stored values
 * (LiteRT ignores quantization for them; tools/conformance/probe_types.py
 * checks pocketnn against it). Hand values: floor(-7 / 2) = -4,
 * floor(7 / -2) = -4, floor(-8 / -3) = 2, floor(100 / 7) = 14; the
 * modulo takes the divisor's sign: -7 mod 2 = 1, 7 mod -2 = -1,
 * -8 mod -3 = -2, 100 mod 7 = 2. NEG of the minimum wraps to itself. */
TEST(floor_div_mod_neg_small_ints) {
  int32_t d[] = {4};
  int8_t a[4] = {-7, 7, -8, 100}, b[4] = {2, -2, -3, 7};
  const int8_t want_div[4] = {-4, -4, 2, 14}, want_mod[4] = {1, -1, -2, 2};
  const int32_t ops[2] = {PNN_OP_FLOOR_DIV, PNN_OP_FLOOR_MOD};
  for (int k = 0; k < 2; k++) {
    optest t;
    ot_begin(&t);
    int ia = ot_input(&t, PNN_TYPE_INT8, 1, d, a);
    int ib = ot_input(&t, PNN_TYPE_INT8, 1, d, b);
    int y = ot_output(&t, PNN_TYPE_INT8);
    CHECK_OK(&t, ot_run(&t, ops[k], 0, NULL, 2, (int32_t[]){ia, ib}, y));
    const int8_t *got = ot_data(&t), *want = k ? want_mod : want_div;
    for (int i = 0; i < 4; i++)
      CHECK_MSG(got[i] == want[i], "op %d element %d: got %d, want %d",
                (int)ops[k], i, got[i], want[i]);
    ot_end(&t);
  }
  {
    optest t;
    ot_begin(&t);
    int16_t x[4] = {-32768, 32767, 0, -5}, b16[4] = {3, 0, 1, 1};
    int ix = ot_input(&t, PNN_TYPE_INT16, 1, d, x);
    int ib = ot_input(&t, PNN_TYPE_INT16, 1, d, b16);
    int y = ot_output(&t, PNN_TYPE_INT16);
    CHECK_FAILS(&t, ot_run(&t, PNN_OP_FLOOR_DIV, 0, NULL, 2, (int32_t[]){ix, ib}, y),
                PNN_ERROR_RUNTIME, "division by zero");
    ot_end(&t);
  }
  optest t;
  ot_begin(&t);
  int16_t x[4] = {-32768, 32767, 0, -5};
  const int16_t want[4] = {-32768, -32767, 0, 5};
  int ix = ot_input(&t, PNN_TYPE_INT16, 1, d, x);
  int y = ot_output(&t, PNN_TYPE_INT16);
  CHECK_OK(&t, ot_run(&t, PNN_OP_NEG, 0, NULL, 1, &ix, y));
  const int16_t *got = ot_data(&t);
  for (int i = 0; i < 4; i++)
    CHECK_MSG(got[i] == want[i], "NEG element %d: got %d, want %d", i, got[i],
              want[i]);
  ot_end(&t);
}
