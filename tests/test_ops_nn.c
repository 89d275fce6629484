/* Unit tests of the conv, matmul, pool, normalization, resize and space op
 * families through the public API on one-op models made with the model
 * builder. Expected values are worked out by hand in the comments; the
 * LiteRT comparison over many shapes lives in tools/conformance/ops/. These
 * tests cover what the converter cannot produce (fused TANH, L2_POOL_2D,
 * integer resize, absent bias, stale depth_multiplier, empty tensors) and
 * the failure paths of prepare. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "optest.h"

/* ------------------------------------------------------------ helpers */

/* ------------------------------------------------------------ CONV_2D */

/* x = 1..9 as a 3x3 image, 2x2 filter of ones: VALID sums of 2x2 blocks
 * are 12 16 24 28; bias -13 and RELU6 give 0 3 6 6. */
TEST(conv2d_valid_bias_relu6) {
  optest t;
  ot_begin(&t);
  float x[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, w[4] = {1, 1, 1, 1}, b = -13;
  int x_i = ot_input(&t, PNN_TYPE_FLOAT32, 4, (int32_t[]){1, 3, 3, 1}, x);
  int w_i = ot_const(&t, PNN_TYPE_FLOAT32, 4, (int32_t[]){1, 2, 2, 1}, w);
  int b_i = ot_const(&t, PNN_TYPE_FLOAT32, 1, (int32_t[]){1}, &b);
  int y = pnn_mb_tensor(t.mb, "y", PNN_TYPE_FLOAT32, 4, (int32_t[]){1, 2, 2, 1},
                        NULL);
  pnn_conv2d_options o = ot_conv_opts(PNN_PADDING_VALID, 1, PNN_ACT_RELU6);
  CHECK_OK(&t, ot_run(&t, PNN_OP_CONV_2D, PNN_OPTIONS_OF(conv2d), &o, 3,
                      (int32_t[]){x_i, w_i, b_i}, y));
  CHECK(ot_shape_is(&t, 4, (int32_t[]){1, 2, 2, 1}));
  CHECK_FLOATS(&t, ((float[]){0, 3, 6, 6}), 4);
  ot_end(&t);
}

/* SAME, stride 2 on 3x3 with a 2x2 filter: output 2x2, total padding
 * (2-1)*2+2-3 = 1, all of it after (top/left pad 0). Windows: rows 0-1 /
 * cols 0-1 = 12, cols 2 = 3+6 = 9, row 2 = 7+8 = 15, corner = 9. The
 * absent bias (-1) and fused TANH (which the converter never emits). */
TEST(conv2d_same_stride2_no_bias_tanh) {
  optest t;
  ot_begin(&t);
  float x[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  float w[4] = {0.1f, 0.1f, 0.1f, 0.1f};
  int x_i = ot_input(&t, PNN_TYPE_FLOAT32, 4, (int32_t[]){1, 3, 3, 1}, x);
  int w_i = ot_const(&t, PNN_TYPE_FLOAT32, 4, (int32_t[]){1, 2, 2, 1}, w);
  int y = pnn_mb_tensor(t.mb, "y", PNN_TYPE_FLOAT32, 4, (int32_t[]){1, 2, 2, 1},
                        NULL);
  pnn_conv2d_options o = ot_conv_opts(PNN_PADDING_SAME, 2, PNN_ACT_TANH);
  CHECK_OK(&t, ot_run(&t, PNN_OP_CONV_2D, PNN_OPTIONS_OF(conv2d), &o, 3,
                      (int32_t[]){x_i, w_i, -1}, y));
  float want[4] = {tanhf(1.2f), tanhf(0.9f), tanhf(1.5f), tanhf(0.9f)};
  CHECK_FLOATS(&t, want, 4);
  ot_end(&t);
}

/* Grouped: 4 input channels, filter sees 2 (2 groups), 2 output channels
 * with 1x1 weights. Output 0 = x0 + 2*x1 (group 0), output 1 = 3*x2 - x3
 * (group 1). */
TEST(conv2d_grouped) {
  optest t;
  ot_begin(&t);
  float x[8] = {1, 2, 3, 4, -1, 0, 2, 5};
  float w[4] = {1, 2, 3, -1};
  int x_i = ot_input(&t, PNN_TYPE_FLOAT32, 4, (int32_t[]){2, 1, 1, 4}, x);
  int w_i = ot_const(&t, PNN_TYPE_FLOAT32, 4, (int32_t[]){2, 1, 1, 2}, w);
  int y = pnn_mb_tensor(t.mb, "y", PNN_TYPE_FLOAT32, 4, (int32_t[]){2, 1, 1, 2},
                        NULL);
  pnn_conv2d_options o = ot_conv_opts(PNN_PADDING_VALID, 1, PNN_ACT_NONE);
  CHECK_OK(&t, ot_run(&t, PNN_OP_CONV_2D, PNN_OPTIONS_OF(conv2d), &o, 2,
                      (int32_t[]){x_i, w_i}, y));
  CHECK_FLOATS(&t, ((float[]){5, 5, -1, 1}), 4);
  ot_end(&t);
}

/* An empty batch is fine: the output is [0, 2, 2, 1]. */
TEST(conv2d_empty_batch) {
  optest t;
  ot_begin(&t);
  float w[4] = {1, 1, 1, 1};
  int x_i = ot_input(&t, PNN_TYPE_FLOAT32, 4, (int32_t[]){0, 3, 3, 1}, NULL);
  int w_i = ot_const(&t, PNN_TYPE_FLOAT32, 4, (int32_t[]){1, 2, 2, 1}, w);
  int y = pnn_mb_tensor(t.mb, "y", PNN_TYPE_FLOAT32, 4, (int32_t[]){0, 2, 2, 1},
                        NULL);
  pnn_conv2d_options o = ot_conv_opts(PNN_PADDING_VALID, 1, PNN_ACT_NONE);
  CHECK_OK(&t, ot_run(&t, PNN_OP_CONV_2D, PNN_OPTIONS_OF(conv2d), &o, 2,
                      (int32_t[]){x_i, w_i}, y));
  CHECK(ot_shape_is(&t, 4, (int32_t[]){0, 2, 2, 1}));
  ot_end(&t);
}

/* Builds conv(x[1,4,4,2], w[3,2,2,w_c]) + optional bias of bias_n and
 * expects allocate to fail. */
static pnn_status conv_bad(optest *t, pnn_conv2d_options o, int w_c, int bias_n,
                           pnn_type x_type) {
  static const float zeros[64];
  int x_i = ot_input(t, x_type, 4, (int32_t[]){1, 4, 4, 2}, zeros);
  int w_i = ot_const(t, PNN_TYPE_FLOAT32, 4, (int32_t[]){3, 2, 2, w_c}, zeros);
  int b_i = bias_n
                ? ot_const(t, PNN_TYPE_FLOAT32, 1, (int32_t[]){bias_n}, zeros)
                : -1;
  int y = pnn_mb_tensor(t->mb, "y", PNN_TYPE_FLOAT32, 4,
                        (int32_t[]){1, 4, 4, 3}, NULL);
  return ot_run(t, PNN_OP_CONV_2D, PNN_OPTIONS_OF(conv2d), &o, 3,
                (int32_t[]){x_i, w_i, b_i}, y);
}

TEST(conv2d_rejects_bad_models) {
  optest t;
  pnn_conv2d_options o = ot_conv_opts(PNN_PADDING_SAME, 1, PNN_ACT_NONE);
  o.stride_h = 0;
  ot_begin(&t);
  CHECK_FAILS(&t, conv_bad(&t, o, 2, 3, PNN_TYPE_FLOAT32),
              PNN_ERROR_INVALID_MODEL, "stride");
  ot_end(&t);

  o = ot_conv_opts(PNN_PADDING_SAME, 1, PNN_ACT_NONE);
  o.dilation_w_factor = -1;
  ot_begin(&t);
  CHECK_FAILS(&t, conv_bad(&t, o, 2, 3, PNN_TYPE_FLOAT32),
              PNN_ERROR_INVALID_MODEL, "dilation");
  ot_end(&t);

  o = ot_conv_opts(PNN_PADDING_SAME, 1, PNN_ACT_SIGN_BIT);
  ot_begin(&t);
  CHECK_FAILS(&t, conv_bad(&t, o, 2, 3, PNN_TYPE_FLOAT32),
              PNN_ERROR_UNSUPPORTED, "fused_activation_function");
  ot_end(&t);

  o = ot_conv_opts(PNN_PADDING_SAME, 1, PNN_ACT_NONE);
  ot_begin(&t); /* 2 input channels, filter wants 3: not a group split */
  CHECK_FAILS(&t, conv_bad(&t, o, 3, 3, PNN_TYPE_FLOAT32),
              PNN_ERROR_INVALID_MODEL, "filter channels");
  ot_end(&t);

  ot_begin(&t); /* 1 filter channel: 2 groups, but 3 outputs */
  CHECK_FAILS(&t, conv_bad(&t, o, 1, 3, PNN_TYPE_FLOAT32),
              PNN_ERROR_INVALID_MODEL, "groups");
  ot_end(&t);

  ot_begin(&t);
  CHECK_FAILS(&t, conv_bad(&t, o, 2, 4, PNN_TYPE_FLOAT32),
              PNN_ERROR_INVALID_MODEL, "bias");
  ot_end(&t);

  ot_begin(&t);
  CHECK_FAILS(&t, conv_bad(&t, o, 2, 3, PNN_TYPE_INT32), PNN_ERROR_UNSUPPORTED,
              "int32");
  ot_end(&t);
}

/* ---------------------------------------------------- DEPTHWISE_CONV_2D */

/* One input channel, weights [1,1,2,2] make 2 outputs per pixel
 * (multiplier 2 from the weight shape; the option's stale 5 is ignored,
 * as LiteRT does: it gives 21.5 199 32.5 298 for this very model).
 * out[c] = x0*w[0,c] + x1*w[1,c]. */
TEST(depthwise_multiplier_from_weights) {
  optest t;
  ot_begin(&t);
  float x[3] = {1, 2, 3}, w[4] = {1, -1, 10, 100}, b[2] = {0.5f, 0};
  int x_i = ot_input(&t, PNN_TYPE_FLOAT32, 4, (int32_t[]){1, 1, 3, 1}, x);
  int w_i = ot_const(&t, PNN_TYPE_FLOAT32, 4, (int32_t[]){1, 1, 2, 2}, w);
  int b_i = ot_const(&t, PNN_TYPE_FLOAT32, 1, (int32_t[]){2}, b);
  int y = pnn_mb_tensor(t.mb, "y", PNN_TYPE_FLOAT32, 4, (int32_t[]){1, 1, 2, 2},
                        NULL);
  pnn_depthwise_conv2d_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(depthwise_conv2d), &o);
  o.padding = PNN_PADDING_VALID;
  o.stride_w = o.stride_h = 1;
  o.depth_multiplier = 5;
  CHECK_OK(
      &t, ot_run(&t, PNN_OP_DEPTHWISE_CONV_2D, PNN_OPTIONS_OF(depthwise_conv2d),
                 &o, 3, (int32_t[]){x_i, w_i, b_i}, y));
  /* pixel 0: 1*1 + 2*10 + .5 = 21.5, 1*-1 + 2*100 = 199;
   * pixel 1: 2 + 30 + .5 = 32.5, -2 + 300 = 298 */
  CHECK_FLOATS(&t, ((float[]){21.5f, 199, 32.5f, 298}), 4);
  ot_end(&t);
}

TEST(depthwise_rejects_channel_mismatch) {
  optest t;
  ot_begin(&t);
  static const float z[32];
  int x_i = ot_input(&t, PNN_TYPE_FLOAT32, 4, (int32_t[]){1, 2, 2, 2}, z);
  int w_i = ot_const(&t, PNN_TYPE_FLOAT32, 4, (int32_t[]){1, 1, 1, 3}, z);
  int y = pnn_mb_tensor(t.mb, "y", PNN_TYPE_FLOAT32, 4, (int32_t[]){1, 2, 2, 3},
                        NULL);
  pnn_depthwise_conv2d_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(depthwise_conv2d), &o);
  o.stride_w = o.stride_h = 1;
  CHECK_FAILS(
      &t,
      ot_run(&t, PNN_OP_DEPTHWISE_CONV_2D, PNN_OPTIONS_OF(depthwise_conv2d), &o,
             2, (int32_t[]){x_i, w_i}, y),
      PNN_ERROR_INVALID_MODEL, "multiple of input channels");
  ot_end(&t);
}

/* ------------------------------------------------------ TRANSPOSE_CONV */

/* 2x2 input, 2x2 filter, stride 2, VALID: each input pixel paints its own
 * 2x2 block of the 4x4 output with x * w. */
static pnn_status tconv_run(optest *t, bool with_bias, bool const_shape,
                            int act) {
  static const float x[4] = {1, 2, 3, 4}, w[4] = {1, 10, 100, 1000};
  static const float b = 0.5f;
  static const int32_t shape[4] = {1, 4, 4, 1};
  int s_i = const_shape ? ot_const(t, PNN_TYPE_INT32, 1, (int32_t[]){4}, shape)
                        : ot_input(t, PNN_TYPE_INT32, 1, (int32_t[]){4}, shape);
  int w_i = ot_const(t, PNN_TYPE_FLOAT32, 4, (int32_t[]){1, 2, 2, 1}, w);
  int x_i = ot_input(t, PNN_TYPE_FLOAT32, 4, (int32_t[]){1, 2, 2, 1}, x);
  int b_i =
      with_bias ? ot_const(t, PNN_TYPE_FLOAT32, 1, (int32_t[]){1}, &b) : -1;
  int y = pnn_mb_tensor(t->mb, "y", PNN_TYPE_FLOAT32, 4, shape, NULL);
  pnn_transpose_conv_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(transpose_conv), &o);
  o.padding = PNN_PADDING_VALID;
  o.stride_w = o.stride_h = 2;
  o.fused_activation_function = (int8_t)act;
  return ot_run(t, PNN_OP_TRANSPOSE_CONV, PNN_OPTIONS_OF(transpose_conv), &o,
                with_bias ? 4 : 3, (int32_t[]){s_i, w_i, x_i, b_i}, y);
}

TEST(transpose_conv_scatter_bias_act) {
  optest t;
  ot_begin(&t);
  CHECK_OK(&t, tconv_run(&t, false, true, PNN_ACT_NONE));
  float want[16] = {1, 10, 2, 20, 100, 1000, 200, 2000,
                    3, 30, 4, 40, 300, 3000, 400, 4000};
  CHECK_FLOATS(&t, want, 16);
  ot_end(&t);

  ot_begin(&t); /* bias 0.5 and RELU_N1_TO_1 clamp everything to 1 */
  CHECK_OK(&t, tconv_run(&t, true, true, PNN_ACT_RELU_N1_TO_1));
  for (int i = 0; i < 16; i++) want[i] = 1;
  CHECK_FLOATS(&t, want, 16);
  ot_end(&t);
}

TEST(transpose_conv_needs_constant_shape) {
  optest t;
  ot_begin(&t);
  CHECK_FAILS(&t, tconv_run(&t, false, false, PNN_ACT_NONE),
              PNN_ERROR_UNSUPPORTED, "output_shape must be constant");
  ot_end(&t);
}

/* ------------------------------------------------------ FULLY_CONNECTED */

/* x [2,3] rows (1,2,3) and (-1,0,1); weights [2,3] rows (1,1,1) and
 * (0,1,-1); bias (0, 10) -> (6, 9) and (0, 9). */
static pnn_status fc_run(optest *t, const int32_t *x_dims, int x_rank,
                         bool keep, bool bias, int32_t *y_dims, int y_rank) {
  static const float x[6] = {1, 2, 3, -1, 0, 1}, w[6] = {1, 1, 1, 0, 1, -1};
  static const float b[2] = {0, 10};
  int x_i = ot_input(t, PNN_TYPE_FLOAT32, x_rank, x_dims, x);
  int w_i = ot_const(t, PNN_TYPE_FLOAT32, 2, (int32_t[]){2, 3}, w);
  int b_i = bias ? ot_const(t, PNN_TYPE_FLOAT32, 1, (int32_t[]){2}, b) : -1;
  int y = pnn_mb_tensor(t->mb, "y", PNN_TYPE_FLOAT32, y_rank, y_dims, NULL);
  pnn_fully_connected_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(fully_connected), &o);
  o.keep_num_dims = keep;
  return ot_run(t, PNN_OP_FULLY_CONNECTED, PNN_OPTIONS_OF(fully_connected), &o,
                3, (int32_t[]){x_i, w_i, b_i}, y);
}

TEST(fully_connected_flatten_and_keep_dims) {
  optest t;
  ot_begin(&t); /* [1,2,3] flattens to 2 rows of 3 */
  CHECK_OK(&t, fc_run(&t, (int32_t[]){1, 2, 3}, 3, false, true,
                      (int32_t[]){2, 2}, 2));
  CHECK(ot_shape_is(&t, 2, (int32_t[]){2, 2}));
  CHECK_FLOATS(&t, ((float[]){6, 9, 0, 9}), 4);
  ot_end(&t);

  ot_begin(&t);
  CHECK_OK(&t, fc_run(&t, (int32_t[]){1, 2, 3}, 3, true, false,
                      (int32_t[]){1, 2, 2}, 3));
  CHECK(ot_shape_is(&t, 3, (int32_t[]){1, 2, 2}));
  CHECK_FLOATS(&t, ((float[]){6, -1, 0, -1}), 4);
  ot_end(&t);

  ot_begin(&t); /* a 1-D [6] input is flattened to 2 rows of 3 */
  CHECK_OK(&t,
           fc_run(&t, (int32_t[]){6}, 1, false, true, (int32_t[]){2, 2}, 2));
  CHECK_FLOATS(&t, ((float[]){6, 9, 0, 9}), 4);
  ot_end(&t);
}

TEST(fully_connected_rejects_bad_shapes) {
  optest t;
  ot_begin(&t); /* 4 elements are not rows of 3 */
  CHECK_FAILS(
      &t, fc_run(&t, (int32_t[]){2, 2}, 2, false, true, (int32_t[]){1, 2}, 2),
      PNN_ERROR_INVALID_MODEL, "not a multiple");
  ot_end(&t);
  ot_begin(&t); /* keep_num_dims needs the last dim to be 3 */
  CHECK_FAILS(
      &t, fc_run(&t, (int32_t[]){3, 2}, 2, true, true, (int32_t[]){3, 2}, 2),
      PNN_ERROR_INVALID_MODEL, "keep_num_dims");
  ot_end(&t);
}

/* --------------------------------------------------------- BATCH_MATMUL */

/* lhs [2,1,2] (two 1x2 rows), rhs [2,2] broadcast to both batches, adj_y:
 * rhs^T = [[1,3],[2,4]]. (1,2) -> (1+4, 3+8) = (5, 11); (0,-1) -> (-2,-4). */
TEST(batch_matmul_broadcast_adj_y) {
  optest t;
  ot_begin(&t);
  float a[4] = {1, 2, 0, -1}, b[4] = {1, 2, 3, 4};
  int a_i = ot_input(&t, PNN_TYPE_FLOAT32, 3, (int32_t[]){2, 1, 2}, a);
  int b_i = ot_input(&t, PNN_TYPE_FLOAT32, 2, (int32_t[]){2, 2}, b);
  int y =
      pnn_mb_tensor(t.mb, "y", PNN_TYPE_FLOAT32, 3, (int32_t[]){2, 1, 2}, NULL);
  pnn_batch_matmul_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(batch_matmul), &o);
  o.adj_y = true;
  CHECK_OK(&t, ot_run(&t, PNN_OP_BATCH_MATMUL, PNN_OPTIONS_OF(batch_matmul), &o,
                      2, (int32_t[]){a_i, b_i}, y));
  CHECK(ot_shape_is(&t, 3, (int32_t[]){2, 1, 2}));
  CHECK_FLOATS(&t, ((float[]){5, 11, -2, -4}), 4);
  ot_end(&t);
}

TEST(batch_matmul_rejects_mismatch) {
  optest t;
  ot_begin(&t);
  static const float z[12];
  int a_i = ot_input(&t, PNN_TYPE_FLOAT32, 3, (int32_t[]){2, 2, 3}, z);
  int b_i = ot_input(&t, PNN_TYPE_FLOAT32, 3, (int32_t[]){3, 3, 2}, z);
  int y =
      pnn_mb_tensor(t.mb, "y", PNN_TYPE_FLOAT32, 3, (int32_t[]){2, 2, 2}, NULL);
  CHECK_FAILS(&t,
              ot_run(&t, PNN_OP_BATCH_MATMUL, PNN_OPTIONS_OF(batch_matmul),
                     NULL, 2, (int32_t[]){a_i, b_i}, y),
              PNN_ERROR_INVALID_MODEL, "broadcast");
  ot_end(&t);
}

/* ------------------------------------------------------------- pooling */

static pnn_status pool_run(optest *t, int32_t op, int padding, int filter,
                           int stride, int act, const float *x,
                           const int32_t *x_dims, const int32_t *y_dims) {
  int x_i = ot_input(t, PNN_TYPE_FLOAT32, 4, x_dims, x);
  int y = pnn_mb_tensor(t->mb, "y", PNN_TYPE_FLOAT32, 4, y_dims, NULL);
  pnn_pool2d_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(pool2d), &o);
  o.padding = (int8_t)padding;
  o.filter_width = o.filter_height = filter;
  o.stride_w = o.stride_h = stride;
  o.fused_activation_function = (int8_t)act;
  return ot_run(t, op, PNN_OPTIONS_OF(pool2d), &o, 1, (int32_t[]){x_i}, y);
}

/* L2 pool of 2x2 windows: sqrt((9+16+0+0)/4) = 2.5 and sqrt(4/4) = 1. */
TEST(l2_pool_valid) {
  optest t;
  ot_begin(&t);
  float x[8] = {3, 0, 2, 0, 4, 0, 0, 0};
  CHECK_OK(
      &t, pool_run(&t, PNN_OP_L2_POOL_2D, PNN_PADDING_VALID, 2, 2, PNN_ACT_NONE,
                   x, (int32_t[]){1, 2, 4, 1}, (int32_t[]){1, 1, 2, 1}));
  CHECK_FLOATS(&t, ((float[]){2.5f, 1}), 2);
  ot_end(&t);
}

/* SAME 3x3 windows on a 2x2 image: every window covers the 4 valid cells
 * only, so average = 2.5 everywhere (padding is not counted), L2 =
 * sqrt(30/4), max = 4 clamped by RELU_N1_TO_1 to 1. */
TEST(pools_count_valid_cells_only) {
  float x[4] = {1, 2, 3, 4};
  const int32_t d[4] = {1, 2, 2, 1};
  optest t;
  ot_begin(&t);
  CHECK_OK(&t, pool_run(&t, PNN_OP_AVERAGE_POOL_2D, PNN_PADDING_SAME, 3, 1,
                        PNN_ACT_NONE, x, d, d));
  CHECK_FLOATS(&t, ((float[]){2.5f, 2.5f, 2.5f, 2.5f}), 4);
  ot_end(&t);
  ot_begin(&t);
  CHECK_OK(&t, pool_run(&t, PNN_OP_L2_POOL_2D, PNN_PADDING_SAME, 3, 1,
                        PNN_ACT_NONE, x, d, d));
  float l2 = sqrtf(30.f / 4.f);
  CHECK_FLOATS(&t, ((float[]){l2, l2, l2, l2}), 4);
  ot_end(&t);
  ot_begin(&t);
  CHECK_OK(&t, pool_run(&t, PNN_OP_MAX_POOL_2D, PNN_PADDING_SAME, 3, 1,
                        PNN_ACT_RELU_N1_TO_1, x, d, d));
  CHECK_FLOATS(&t, ((float[]){1, 1, 1, 1}), 4);
  ot_end(&t);
}

TEST(pool_rejects_bad_options) {
  float x[4] = {1, 2, 3, 4};
  const int32_t d[4] = {1, 2, 2, 1};
  optest t;
  ot_begin(&t);
  CHECK_FAILS(&t,
              pool_run(&t, PNN_OP_MAX_POOL_2D, PNN_PADDING_SAME, 0, 1,
                       PNN_ACT_NONE, x, d, d),
              PNN_ERROR_INVALID_MODEL, "filter_height");
  ot_end(&t);
  ot_begin(&t);
  CHECK_FAILS(&t,
              pool_run(&t, PNN_OP_AVERAGE_POOL_2D, PNN_PADDING_SAME, 2, -1,
                       PNN_ACT_NONE, x, d, d),
              PNN_ERROR_INVALID_MODEL, "stride");
  ot_end(&t);
  ot_begin(&t); /* VALID size (2 - 4 + 1) / 1 < 0: the window cannot fit */
  CHECK_FAILS(&t,
              pool_run(&t, PNN_OP_AVERAGE_POOL_2D, PNN_PADDING_VALID, 4, 1,
                       PNN_ACT_NONE, x, d, d),
              PNN_ERROR_INVALID_MODEL, "does not fit");
  ot_end(&t);
}

/* VALID size (2 - 3 + 1) / 1 = 0: like TFLite, an empty output. */
TEST(pool_valid_window_larger_than_input_is_empty) {
  float x[4] = {1, 2, 3, 4};
  optest t;
  ot_begin(&t);
  CHECK_OK(&t, pool_run(&t, PNN_OP_MAX_POOL_2D, PNN_PADDING_VALID, 3, 1,
                        PNN_ACT_NONE, x, (int32_t[]){1, 2, 2, 1},
                        (int32_t[]){1, 0, 0, 1}));
  CHECK(ot_shape_is(&t, 4, (int32_t[]){1, 0, 0, 1}));
  ot_end(&t);
}

/* -------------------------------------------------------- normalization */

static pnn_status l2norm_run(optest *t, const float *x, int act) {
  int x_i = ot_input(t, PNN_TYPE_FLOAT32, 2, (int32_t[]){3, 2}, x);
  int y =
      pnn_mb_tensor(t->mb, "y", PNN_TYPE_FLOAT32, 2, (int32_t[]){3, 2}, NULL);
  pnn_l2norm_options o = {.fused_activation_function = (int8_t)act};
  return ot_run(t, PNN_OP_L2_NORMALIZATION, PNN_OPTIONS_OF(l2norm), &o, 1,
                (int32_t[]){x_i}, y);
}

/* Rows (3,4) -> (.6,.8); (0,0) -> zeros, not NaN; (1e-7, 0): the norm is
 * below TFLite's epsilon 1e-6, so 1e-7 / 1e-6 = 0.1. */
TEST(l2_normalization_epsilon) {
  optest t;
  ot_begin(&t);
  float x[6] = {3, 4, 0, 0, 1e-7f, 0};
  CHECK_OK(&t, l2norm_run(&t, x, PNN_ACT_NONE));
  CHECK_FLOATS(&t, ((float[]){0.6f, 0.8f, 0, 0, 0.1f, 0}), 6);
  ot_end(&t);
  ot_begin(&t);
  CHECK_FAILS(&t, l2norm_run(&t, x, PNN_ACT_RELU), PNN_ERROR_UNSUPPORTED,
              "fused_activation_function");
  ot_end(&t);
}

/* depth 3, radius 1, bias 1, alpha 0.5, beta 1: channel 0 sums x0^2 + x1^2
 * = 1 + 4 -> 1 / (1 + 2.5) ; channel 1 sums all = 14 -> 2 / 8; channel 2
 * sums 4 + 9 = 13 -> 3 / 7.5. (LiteRT's reference resolver leaves this op's
 * input unchanged, so it is checked by hand here.) */
TEST(local_response_normalization_window) {
  optest t;
  ot_begin(&t);
  float x[3] = {1, 2, 3};
  int x_i = ot_input(&t, PNN_TYPE_FLOAT32, 4, (int32_t[]){1, 1, 1, 3}, x);
  int y = pnn_mb_tensor(t.mb, "y", PNN_TYPE_FLOAT32, 4, (int32_t[]){1, 1, 1, 3},
                        NULL);
  pnn_local_response_normalization_options o = {
      .radius = 1, .bias = 1, .alpha = 0.5f, .beta = 1};
  CHECK_OK(&t, ot_run(&t, PNN_OP_LOCAL_RESPONSE_NORMALIZATION,
                      PNN_OPTIONS_OF(local_response_normalization), &o, 1,
                      (int32_t[]){x_i}, y));
  CHECK_FLOATS(&t, ((float[]){1 / 3.5f, 2 / 8.f, 3 / 7.5f}), 3);
  ot_end(&t);
}

/* --------------------------------------------------------------- resize */

static pnn_status resize_run(optest *t, int32_t op, pnn_type type,
                             const void *x, const int32_t *x_dims,
                             int32_t out_h, int32_t out_w, bool align,
                             bool half, bool const_size) {
  int32_t size[2] = {out_h, out_w};
  int x_i = ot_input(t, type, 4, x_dims, x);
  int s_i = const_size ? ot_const(t, PNN_TYPE_INT32, 1, (int32_t[]){2}, size)
                       : ot_input(t, PNN_TYPE_INT32, 1, (int32_t[]){2}, size);
  int y = pnn_mb_tensor(t->mb, "y", type, 4,
                        (int32_t[]){x_dims[0], out_h, out_w, x_dims[3]}, NULL);
  if (op == PNN_OP_RESIZE_BILINEAR) {
    pnn_resize_bilinear_options o = {.align_corners = align,
                                     .half_pixel_centers = half};
    return ot_run(t, op, PNN_OPTIONS_OF(resize_bilinear), &o, 2,
                  (int32_t[]){x_i, s_i}, y);
  }
  pnn_resize_nearest_neighbor_options o = {.align_corners = align,
                                           .half_pixel_centers = half};
  return ot_run(t, op, PNN_OPTIONS_OF(resize_nearest_neighbor), &o, 2,
                (int32_t[]){x_i, s_i}, y);
}

/* Width 2 -> 4 over (0, 1). Half pixel: sources -0.25, 0.25, 0.75, 1.25,
 * clamped at the edges -> 0, .25, .75, 1. Align corners, 2 -> 3: 0, .5, 1.
 * Plain, 2 -> 4: sources 0, .5, 1, 1.5 -> 0, .5, 1, 1. */
TEST(resize_bilinear_modes) {
  const float x[2] = {0, 1};
  const int32_t d[4] = {1, 1, 2, 1};
  optest t;
  ot_begin(&t);
  CHECK_OK(&t, resize_run(&t, PNN_OP_RESIZE_BILINEAR, PNN_TYPE_FLOAT32, x, d, 1,
                          4, false, true, true));
  CHECK_FLOATS(&t, ((float[]){0, 0.25f, 0.75f, 1}), 4);
  ot_end(&t);
  ot_begin(&t);
  CHECK_OK(&t, resize_run(&t, PNN_OP_RESIZE_BILINEAR, PNN_TYPE_FLOAT32, x, d, 1,
                          3, true, false, true));
  CHECK_FLOATS(&t, ((float[]){0, 0.5f, 1}), 3);
  ot_end(&t);
  ot_begin(&t);
  CHECK_OK(&t, resize_run(&t, PNN_OP_RESIZE_BILINEAR, PNN_TYPE_FLOAT32, x, d, 1,
                          4, false, false, true));
  CHECK_FLOATS(&t, ((float[]){0, 0.5f, 1, 1}), 4);
  ot_end(&t);
}

TEST(resize_rejects_bad_models) {
  const float x[2] = {0, 1};
  const int32_t d[4] = {1, 1, 2, 1};
  optest t;
  ot_begin(&t);
  CHECK_FAILS(&t,
              resize_run(&t, PNN_OP_RESIZE_BILINEAR, PNN_TYPE_FLOAT32, x, d, 1,
                         4, true, true, true),
              PNN_ERROR_INVALID_MODEL, "align_corners");
  ot_end(&t);
  ot_begin(&t);
  CHECK_FAILS(&t,
              resize_run(&t, PNN_OP_RESIZE_NEAREST_NEIGHBOR, PNN_TYPE_FLOAT32,
                         x, d, 1, 4, false, false, false),
              PNN_ERROR_UNSUPPORTED, "constant");
  ot_end(&t);
  ot_begin(&t);
  CHECK_FAILS(&t,
              resize_run(&t, PNN_OP_RESIZE_BILINEAR, PNN_TYPE_INT32, x, d, 1, 4,
                         false, false, true),
              PNN_ERROR_UNSUPPORTED, "int32");
  ot_end(&t);
}

/* int32 width 3 -> 6, half pixel: sources floor((x + .5) / 2) = 0 0 1 1 2
 * 2. int8, align corners 3 -> 5: round(x * 0.5) = 0 1 1 2 2 (round half
 * away from zero). The converter cannot make integer resizes. */
TEST(resize_nearest_integer_types) {
  const int32_t d[4] = {1, 1, 3, 1};
  optest t;
  ot_begin(&t);
  const int32_t xi[3] = {10, 20, 30};
  CHECK_OK(&t, resize_run(&t, PNN_OP_RESIZE_NEAREST_NEIGHBOR, PNN_TYPE_INT32,
                          xi, d, 1, 6, false, true, true));
  const int32_t *yi = pnn_tensor_data(ot_out(&t));
  const int32_t want_i[6] = {10, 10, 20, 20, 30, 30};
  CHECK(memcmp(yi, want_i, sizeof want_i) == 0);
  ot_end(&t);
  ot_begin(&t);
  const int8_t xb[3] = {-5, 7, 9};
  CHECK_OK(&t, resize_run(&t, PNN_OP_RESIZE_NEAREST_NEIGHBOR, PNN_TYPE_INT8, xb,
                          d, 1, 5, true, false, true));
  const int8_t *yb = pnn_tensor_data(ot_out(&t));
  const int8_t want_b[5] = {-5, 7, 7, 9, 9};
  CHECK(memcmp(yb, want_b, sizeof want_b) == 0);
  ot_end(&t);
}

/* Empty batch: output [0, 4, 4, 1], nothing to compute. */
TEST(resize_empty_batch) {
  optest t;
  ot_begin(&t);
  CHECK_OK(&t, resize_run(&t, PNN_OP_RESIZE_BILINEAR, PNN_TYPE_FLOAT32, NULL,
                          (int32_t[]){0, 2, 2, 1}, 4, 4, false, true, true));
  CHECK(ot_shape_is(&t, 4, (int32_t[]){0, 4, 4, 1}));
  ot_end(&t);
}

/* ---------------------------------------------------------------- space */

/* depth 4 -> 2x2 block: out[dy][dx] = in channel dy*2 + dx. */
TEST(depth_to_space_and_back) {
  optest t;
  ot_begin(&t);
  const float x[8] = {1, 2, 3, 4, 5, 6, 7, 8}; /* [1,1,2,4] */
  int x_i = ot_input(&t, PNN_TYPE_FLOAT32, 4, (int32_t[]){1, 1, 2, 4}, x);
  int y = pnn_mb_tensor(t.mb, "y", PNN_TYPE_FLOAT32, 4, (int32_t[]){1, 2, 4, 1},
                        NULL);
  pnn_depth_to_space_options o = {.block_size = 2};
  CHECK_OK(&t, ot_run(&t, PNN_OP_DEPTH_TO_SPACE, PNN_OPTIONS_OF(depth_to_space),
                      &o, 1, (int32_t[]){x_i}, y));
  CHECK(ot_shape_is(&t, 4, (int32_t[]){1, 2, 4, 1}));
  CHECK_FLOATS(&t, ((float[]){1, 2, 5, 6, 3, 4, 7, 8}), 8);
  ot_end(&t);

  ot_begin(&t); /* the inverse gives x back */
  const float s[8] = {1, 2, 5, 6, 3, 4, 7, 8};
  x_i = ot_input(&t, PNN_TYPE_FLOAT32, 4, (int32_t[]){1, 2, 4, 1}, s);
  y = pnn_mb_tensor(t.mb, "y", PNN_TYPE_FLOAT32, 4, (int32_t[]){1, 1, 2, 4},
                    NULL);
  pnn_space_to_depth_options so = {.block_size = 2};
  CHECK_OK(&t, ot_run(&t, PNN_OP_SPACE_TO_DEPTH, PNN_OPTIONS_OF(space_to_depth),
                      &so, 1, (int32_t[]){x_i}, y));
  CHECK_FLOATS(&t, x, 8);
  ot_end(&t);

  ot_begin(&t);
  pnn_depth_to_space_options bad = {.block_size = 0};
  x_i = ot_input(&t, PNN_TYPE_FLOAT32, 4, (int32_t[]){1, 1, 2, 4}, x);
  y = pnn_mb_tensor(t.mb, "y", PNN_TYPE_FLOAT32, 4, (int32_t[]){1, 1, 2, 4},
                    NULL);
  CHECK_FAILS(&t,
              ot_run(&t, PNN_OP_DEPTH_TO_SPACE, PNN_OPTIONS_OF(depth_to_space),
                     &bad, 1, (int32_t[]){x_i}, y),
              PNN_ERROR_INVALID_MODEL, "block_size");
  ot_end(&t);
}

/* Quantized int8 [1,1,2,1] padded by one before on width, block [1,2]:
 * padded row (zp, a, b, zp)... here (zp, 5, 6) + 1 after = (zp,5,6,zp);
 * batch 0 takes even columns (zp, 6), batch 1 odd ones (5, zp). */
TEST(space_to_batch_pads_with_zero_point) {
  optest t;
  ot_begin(&t);
  const int8_t x[2] = {5, 6};
  const int32_t block[2] = {1, 2}, pads[4] = {0, 0, 1, 1};
  int x_i = ot_input(&t, PNN_TYPE_INT8, 4, (int32_t[]){1, 1, 2, 1}, x);
  int b_i = ot_const(&t, PNN_TYPE_INT32, 1, (int32_t[]){2}, block);
  int p_i = ot_const(&t, PNN_TYPE_INT32, 2, (int32_t[]){2, 2}, pads);
  int y =
      pnn_mb_tensor(t.mb, "y", PNN_TYPE_INT8, 4, (int32_t[]){2, 1, 2, 1}, NULL);
  float scale = 0.5f;
  int64_t zp = -3;
  pnn_mb_tensor_quant(t.mb, x_i, 1, &scale, &zp, 0);
  pnn_mb_tensor_quant(t.mb, y, 1, &scale, &zp, 0);
  CHECK_OK(&t, ot_run(&t, PNN_OP_SPACE_TO_BATCH_ND,
                      PNN_OPTIONS_OF(space_to_batch_nd), NULL, 3,
                      (int32_t[]){x_i, b_i, p_i}, y));
  CHECK(ot_shape_is(&t, 4, (int32_t[]){2, 1, 2, 1}));
  const int8_t *o = pnn_tensor_data(ot_out(&t));
  const int8_t want[4] = {-3, 6, 5, -3};
  CHECK_MSG(memcmp(o, want, 4) == 0, "got %d %d %d %d", o[0], o[1], o[2], o[3]);
  ot_end(&t);
}

static pnn_status b2s_run(optest *t, const int32_t *crops, bool const_block,
                          const int32_t *y_dims) {
  static const float x[4] = {1, 2, 3, 4};
  static const int32_t block[2] = {2, 2};
  int x_i = ot_input(t, PNN_TYPE_FLOAT32, 4, (int32_t[]){4, 1, 1, 1}, x);
  int b_i = const_block ? ot_const(t, PNN_TYPE_INT32, 1, (int32_t[]){2}, block)
                        : ot_input(t, PNN_TYPE_INT32, 1, (int32_t[]){2}, block);
  int c_i = ot_const(t, PNN_TYPE_INT32, 2, (int32_t[]){2, 2}, crops);
  int y = pnn_mb_tensor(t->mb, "y", PNN_TYPE_FLOAT32, 4, y_dims, NULL);
  return ot_run(t, PNN_OP_BATCH_TO_SPACE_ND, PNN_OPTIONS_OF(batch_to_space_nd),
                NULL, 3, (int32_t[]){x_i, b_i, c_i}, y);
}

/* 4 batches of 1 pixel -> one 2x2 image (batch k -> (k/2, k%2)); cropping
 * one column at the start leaves (2, 4). */
TEST(batch_to_space_crops) {
  optest t;
  ot_begin(&t);
  CHECK_OK(&t,
           b2s_run(&t, (int32_t[]){0, 0, 0, 0}, true, (int32_t[]){1, 2, 2, 1}));
  CHECK_FLOATS(&t, ((float[]){1, 2, 3, 4}), 4);
  ot_end(&t);
  ot_begin(&t);
  CHECK_OK(&t,
           b2s_run(&t, (int32_t[]){0, 0, 1, 0}, true, (int32_t[]){1, 2, 1, 1}));
  CHECK(ot_shape_is(&t, 4, (int32_t[]){1, 2, 1, 1}));
  CHECK_FLOATS(&t, ((float[]){2, 4}), 2);
  ot_end(&t);
  ot_begin(&t);
  CHECK_FAILS(
      &t, b2s_run(&t, (int32_t[]){0, 0, 2, 1}, true, (int32_t[]){1, 2, 1, 1}),
      PNN_ERROR_INVALID_MODEL, "crops");
  ot_end(&t);
  ot_begin(&t);
  CHECK_FAILS(
      &t, b2s_run(&t, (int32_t[]){0, 0, 0, 0}, false, (int32_t[]){1, 2, 2, 1}),
      PNN_ERROR_UNSUPPORTED, "constant");
  ot_end(&t);
}

/* ------------------------------------------------------------ threads */

/* The row-parallel ops split their output over the interpreter's threads;
 * 1 and 3 threads must give bit-identical results (each row is computed
 * by exactly one worker, in the same order). Odd sizes make ragged
 * chunks. */
static float pseudo_random(uint32_t *s) {
  *s = *s * 1664525u + 1013904223u;
  return (float)(*s >> 8) / (float)(1u << 24) * 2.f - 1.f;
}

static pnn_status threaded_run(optest *t, int32_t op, int threads, float *out,
                               size_t n_out) {
  static float x[2 * 7 * 9 * 6], w[5 * 3 * 3 * 6], b[30];
  uint32_t seed = 12345;
  for (size_t i = 0; i < sizeof x / sizeof x[0]; i++)
    x[i] = pseudo_random(&seed);
  for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
    w[i] = pseudo_random(&seed);
  for (size_t i = 0; i < sizeof b / sizeof b[0]; i++)
    b[i] = pseudo_random(&seed);
  t->threads = threads;
  const int32_t xd[4] = {2, 7, 9, 6};
  int x_i = ot_input(t, PNN_TYPE_FLOAT32, 4, xd, x);
  pnn_status s;
  if (op == PNN_OP_CONV_2D) {
    int w_i = ot_const(t, PNN_TYPE_FLOAT32, 4, (int32_t[]){5, 3, 3, 6}, w);
    int b_i = ot_const(t, PNN_TYPE_FLOAT32, 1, (int32_t[]){5}, b);
    int y = pnn_mb_tensor(t->mb, "y", PNN_TYPE_FLOAT32, 4,
                          (int32_t[]){2, 4, 5, 5}, NULL);
    pnn_conv2d_options o = ot_conv_opts(PNN_PADDING_SAME, 2, PNN_ACT_RELU);
    s = ot_run(t, op, PNN_OPTIONS_OF(conv2d), &o, 3, (int32_t[]){x_i, w_i, b_i},
               y);
  } else if (op == PNN_OP_DEPTHWISE_CONV_2D) {
    int w_i = ot_const(t, PNN_TYPE_FLOAT32, 4, (int32_t[]){1, 3, 3, 12}, w);
    int y = pnn_mb_tensor(t->mb, "y", PNN_TYPE_FLOAT32, 4,
                          (int32_t[]){2, 7, 9, 12}, NULL);
    pnn_depthwise_conv2d_options o;
    pnn_mb_options_defaults(1, PNN_OPTIONS_OF(depthwise_conv2d), &o);
    o.stride_w = o.stride_h = 1;
    o.depth_multiplier = 2;
    s = ot_run(t, op, PNN_OPTIONS_OF(depthwise_conv2d), &o, 2,
               (int32_t[]){x_i, w_i}, y);
  } else if (op == PNN_OP_TRANSPOSE_CONV) {
    static const int32_t shape[4] = {2, 14, 18, 5};
    int s_i = ot_const(t, PNN_TYPE_INT32, 1, (int32_t[]){4}, shape);
    int w_i = ot_const(t, PNN_TYPE_FLOAT32, 4, (int32_t[]){5, 3, 3, 6}, w);
    int b_i = ot_const(t, PNN_TYPE_FLOAT32, 1, (int32_t[]){5}, b);
    int y = pnn_mb_tensor(t->mb, "y", PNN_TYPE_FLOAT32, 4, shape, NULL);
    pnn_transpose_conv_options o;
    pnn_mb_options_defaults(1, PNN_OPTIONS_OF(transpose_conv), &o);
    o.padding = PNN_PADDING_SAME;
    o.stride_w = o.stride_h = 2;
    s = ot_run(t, op, PNN_OPTIONS_OF(transpose_conv), &o, 4,
               (int32_t[]){s_i, w_i, x_i, b_i}, y);
  } else if (op == PNN_OP_FULLY_CONNECTED) {
    int w_i = ot_const(t, PNN_TYPE_FLOAT32, 2, (int32_t[]){5, 54}, w);
    int y = pnn_mb_tensor(t->mb, "y", PNN_TYPE_FLOAT32, 2, (int32_t[]){14, 5},
                          NULL);
    s = ot_run(t, op, PNN_OPTIONS_OF(fully_connected), NULL, 2,
               (int32_t[]){x_i, w_i}, y);
  } else {
    int w_i = ot_const(t, PNN_TYPE_FLOAT32, 2, (int32_t[]){6, 5}, w);
    int y = pnn_mb_tensor(t->mb, "y", PNN_TYPE_FLOAT32, 4,
                          (int32_t[]){2, 7, 9, 5}, NULL);
    s = ot_run(t, op, PNN_OPTIONS_OF(batch_matmul), NULL, 2,
               (int32_t[]){x_i, w_i}, y);
  }
  if (s) return s;
  pnn_tensor *o = ot_out(t);
  if (pnn_tensor_byte_size(o) != n_out * sizeof(float))
    return PNN_ERROR_INVALID_STATE;
  return pnn_tensor_copy_to(o, out, n_out * sizeof(float));
}

TEST(row_parallel_ops_match_across_threads) {
  static const struct {
    int32_t op;
    size_t n;
  } ops[] = {
      {PNN_OP_CONV_2D, 2 * 4 * 5 * 5},
      {PNN_OP_DEPTHWISE_CONV_2D, 2 * 7 * 9 * 12},
      {PNN_OP_TRANSPOSE_CONV, 2 * 14 * 18 * 5},
      {PNN_OP_FULLY_CONNECTED, 14 * 5},
      {PNN_OP_BATCH_MATMUL, 2 * 7 * 9 * 5},
  };
  static float one[2 * 14 * 18 * 5], three[2 * 14 * 18 * 5];
  for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
    optest t;
    ot_begin(&t);
    memset(one, 0, sizeof one);
    CHECK_OK(&t, threaded_run(&t, ops[k].op, 1, one, ops[k].n));
    ot_end(&t);
    ot_begin(&t);
    memset(three, 0xff, sizeof three); /* NaN bytes until copied out */
    CHECK_OK(&t, threaded_run(&t, ops[k].op, 3, three, ops[k].n));
    ot_end(&t);
    CHECK_MSG(memcmp(one, three, ops[k].n * sizeof(float)) == 0,
              "op %d differs between 1 and 3 threads", (int)ops[k].op);
  }
}

/* -------------------------------------------------------- empty tensors */

/* Zero-sized inputs give zero-sized outputs of the right shape (LiteRT's
 * Python API cannot feed empty inputs, so the conformance cases cannot). */
TEST(empty_tensors_flow_through) {
  optest t;
  ot_begin(&t); /* FC: [0, 3] -> [0, 2] */
  CHECK_OK(&t,
           fc_run(&t, (int32_t[]){0, 3}, 2, false, true, (int32_t[]){0, 2}, 2));
  CHECK(ot_shape_is(&t, 2, (int32_t[]){0, 2}));
  ot_end(&t);

  ot_begin(&t); /* average pool over an empty batch */
  CHECK_OK(&t, pool_run(&t, PNN_OP_AVERAGE_POOL_2D, PNN_PADDING_SAME, 2, 2,
                        PNN_ACT_NONE, NULL, (int32_t[]){0, 4, 4, 3},
                        (int32_t[]){0, 2, 2, 3}));
  CHECK(ot_shape_is(&t, 4, (int32_t[]){0, 2, 2, 3}));
  ot_end(&t);

  ot_begin(&t); /* BATCH_MATMUL with M = 0: [2, 0, 3] x [3, 4] */
  int a_i = ot_input(&t, PNN_TYPE_FLOAT32, 3, (int32_t[]){2, 0, 3}, NULL);
  static const float b[12];
  int b_i = ot_const(&t, PNN_TYPE_FLOAT32, 2, (int32_t[]){3, 4}, b);
  int y =
      pnn_mb_tensor(t.mb, "y", PNN_TYPE_FLOAT32, 3, (int32_t[]){2, 0, 4}, NULL);
  CHECK_OK(&t, ot_run(&t, PNN_OP_BATCH_MATMUL, PNN_OPTIONS_OF(batch_matmul),
                      NULL, 2, (int32_t[]){a_i, b_i}, y));
  CHECK(ot_shape_is(&t, 3, (int32_t[]){2, 0, 4}));
  ot_end(&t);

  ot_begin(&t); /* SPACE_TO_DEPTH of an empty batch */
  int x_i = ot_input(&t, PNN_TYPE_FLOAT32, 4, (int32_t[]){0, 2, 2, 1}, NULL);
  y = pnn_mb_tensor(t.mb, "y", PNN_TYPE_FLOAT32, 4, (int32_t[]){0, 1, 1, 4},
                    NULL);
  pnn_space_to_depth_options so = {.block_size = 2};
  CHECK_OK(&t, ot_run(&t, PNN_OP_SPACE_TO_DEPTH, PNN_OPTIONS_OF(space_to_depth),
                      &so, 1, (int32_t[]){x_i}, y));
  CHECK(ot_shape_is(&t, 4, (int32_t[]){0, 1, 1, 4}));
  ot_end(&t);
}

/* Extreme option values must fail cleanly in prepare, never overflow
 * index arithmetic at eval (this file also runs under UBSan). */
TEST(extreme_options_fail_cleanly) {
  optest t;
  pnn_conv2d_options o =
      ot_conv_opts(PNN_PADDING_SAME, INT32_MAX, PNN_ACT_NONE);
  ot_begin(&t);
  CHECK_FAILS(&t, conv_bad(&t, o, 2, 3, PNN_TYPE_FLOAT32),
              PNN_ERROR_UNSUPPORTED, "too large");
  ot_end(&t);

  o = ot_conv_opts(PNN_PADDING_SAME, 1, PNN_ACT_NONE);
  o.dilation_h_factor = INT32_MAX;
  ot_begin(&t);
  CHECK_FAILS(&t, conv_bad(&t, o, 2, 3, PNN_TYPE_FLOAT32),
              PNN_ERROR_UNSUPPORTED, "too large");
  ot_end(&t);

  float x[4] = {1, 2, 3, 4};
  const int32_t d[4] = {1, 2, 2, 1};
  ot_begin(&t);
  CHECK_FAILS(&t,
              pool_run(&t, PNN_OP_MAX_POOL_2D, PNN_PADDING_SAME, INT32_MAX, 1,
                       PNN_ACT_NONE, x, d, d),
              PNN_ERROR_UNSUPPORTED, "too large");
  ot_end(&t);

  ot_begin(&t); /* 2^31-1 squared pixels: the output count overflows */
  CHECK_FAILS(&t,
              resize_run(&t, PNN_OP_RESIZE_BILINEAR, PNN_TYPE_FLOAT32, x, d,
                         INT32_MAX, INT32_MAX, false, false, true),
              PNN_ERROR_INVALID_MODEL, "overflows");
  ot_end(&t);

  ot_begin(&t);
  pnn_depth_to_space_options bs = {.block_size = INT32_MAX};
  int x_i = ot_input(&t, PNN_TYPE_FLOAT32, 4, d, x);
  int y = pnn_mb_tensor(t.mb, "y", PNN_TYPE_FLOAT32, 4, d, NULL);
  CHECK_FAILS(&t,
              ot_run(&t, PNN_OP_DEPTH_TO_SPACE, PNN_OPTIONS_OF(depth_to_space),
                     &bs, 1, (int32_t[]){x_i}, y),
              PNN_ERROR_INVALID_MODEL, "block_size");
  ot_end(&t);
}
