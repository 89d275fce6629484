/* Per-op work bound (issue 5, pnn_interpreter_options.max_op_work): ops
 * whose inner loops are not linear in their tensors (conv, depthwise and
 * transpose conv, pools, FULLY_CONNECTED, BATCH_MATMUL) estimate their
 * work at prepare; above the cap, prepare fails with PNN_ERROR_LIMIT
 * naming the op and the parameter. The estimate is exact at the boundary
 * (work == cap prepares, cap - 1 does not), pools count only the window
 * clipped to the input, and the default cap (PNN_DEFAULT_MAX_OP_WORK) holds
 * with zeroed options. Models from the fuzzer's slow units: a 2x2306 pool
 * window over a 6x31750 image, a depthwise conv whose filter is its own
 * 260x57 input. Models made with the model builder. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "test_runtime_common.h"

/* Prepares `m` with max_op_work = cap; returns the status, message in msg. */
static pnn_status prepare_with(const pnn_model *m, uint64_t cap, char *msg,
                               size_t n) {
  pnn_interpreter_options o;
  pnn_interpreter_options_init(&o);
  o.max_op_work = cap;
  pnn_interpreter *it = NULL;
  pnn_status s = pnn_interpreter_create(m, &o, &it);
  if (!s) s = pnn_interpreter_allocate(it);
  snprintf(msg, n, "%s", it ? pnn_interpreter_last_error(it) : "");
  pnn_interpreter_free(it);
  return s;
}

/* Checks `m` needs exactly `work` steps: cap = work prepares, work - 1 is
 * a LIMIT naming op 0 (`op`) and `field`. */
#define CHECK_WORK(m, work, op, field)                                       \
  do {                                                                      \
    char msg_[512];                                                         \
    pnn_status s_ = prepare_with((m), (work), msg_, sizeof msg_);           \
    CHECK_MSG(s_ == PNN_OK, "cap = work %llu: %s",                          \
              (unsigned long long)(work), msg_);                            \
    s_ = prepare_with((m), (work) - 1, msg_, sizeof msg_);                  \
    CHECK_MSG(s_ == PNN_ERROR_LIMIT, "cap = work - 1: status %d: %s",       \
              (int)s_, msg_);                                               \
    CHECK_MSG(strstr(msg_, "op 0 (" op ")") && strstr(msg_, field) &&      \
                  strstr(msg_, "max_op_work"),                              \
              "message: %s", msg_);                                         \
  } while (0)

static pnn_model *pool_model(int32_t op, int h, int w, int fh, int fw,
                             int padding) {
  pnn_mb *mb = pnn_mb_new();
  int x = rt_f32(mb, "x", 4, (const int32_t[]){1, h, w, 2}, NULL);
  int y = rt_f32(mb, "y", 4, (const int32_t[]){1, 1, 1, 2}, NULL);
  pnn_pool2d_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(pool2d), &o);
  o.padding = (int8_t)padding;
  o.stride_w = o.stride_h = 1;
  o.filter_width = fw;
  o.filter_height = fh;
  pnn_mb_op(mb, op, PNN_OPTIONS_OF(pool2d), &o, 1, &x, 1, &y);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
  return rt_load(mb);
}

TEST(pool_window_clipped_to_the_input) {
  /* SAME padding, window 1000x1000 over 5x7: each output visits at most
   * 5x7 taps. 1 x 5 x 7 x 2 outputs x 35 taps. */
  pnn_model *m = pool_model(PNN_OP_AVERAGE_POOL_2D, 5, 7, 1000, 1000,
                            PNN_PADDING_SAME);
  CHECK(m);
  CHECK_WORK(m, (uint64_t)5 * 7 * 2 * 35, "AVERAGE_POOL_2D",
             "filter_height x filter_width");
  pnn_model_free(m);
  /* A VALID window inside the input: every tap counts (3x6 outputs). */
  m = pool_model(PNN_OP_MAX_POOL_2D, 5, 7, 3, 2, PNN_PADDING_VALID);
  CHECK(m);
  CHECK_WORK(m, (uint64_t)3 * 6 * 2 * 6, "MAX_POOL_2D", "filter_height");
  pnn_model_free(m);
}

TEST(fuzzer_slow_pool_is_a_limit_error) {
  /* The fuzzer's slow unit: 2x2306 window, stride 2, over 6x31750x2
   * (434M taps, 22 s under ASan). */
  pnn_mb *mb = pnn_mb_new();
  int x = rt_f32(mb, "x", 4, (const int32_t[]){1, 6, 31750, 2}, NULL);
  int y = rt_f32(mb, "y", 4, (const int32_t[]){1, 3, 3, 2}, NULL);
  pnn_pool2d_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(pool2d), &o);
  o.padding = PNN_PADDING_VALID;
  o.stride_w = o.stride_h = 2;
  o.filter_width = 2306;
  o.filter_height = 2;
  pnn_mb_op(mb, PNN_OP_AVERAGE_POOL_2D, PNN_OPTIONS_OF(pool2d), &o, 1, &x, 1,
            &y);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
  pnn_model *m = rt_load(mb);
  CHECK(m);
  /* out 3 x 14723 x 2 channels, 2 x 2306 taps */
  CHECK_WORK(m, (uint64_t)3 * 14723 * 2 * (2 * 2306), "AVERAGE_POOL_2D",
             "filter_height");
  char msg[512];
  CHECK_EQ_INT(prepare_with(m, (uint64_t)1 << 26, msg, sizeof msg),
               PNN_ERROR_LIMIT);
  pnn_model_free(m);
}

TEST(depthwise_with_a_non_constant_filter) {
  /* The fuzzer's other slow unit: DEPTHWISE_CONV_2D whose filter is its
   * own input [1,260,57,2], SAME: 260x57x2 outputs x 260x57 taps. */
  pnn_mb *mb = pnn_mb_new();
  const int32_t d[] = {1, 260, 57, 2};
  int x = rt_f32(mb, "x", 4, d, NULL);
  int b = rt_f32(mb, "b", 1, (const int32_t[]){2}, (const float[]){0, 0});
  int y = rt_f32(mb, "y", 4, d, NULL);
  pnn_depthwise_conv2d_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(depthwise_conv2d), &o);
  o.padding = PNN_PADDING_SAME;
  o.stride_w = o.stride_h = 1;
  o.depth_multiplier = 1;
  pnn_mb_op(mb, PNN_OP_DEPTHWISE_CONV_2D, PNN_OPTIONS_OF(depthwise_conv2d),
            &o, 3, (const int32_t[]){x, x, b}, 1, &y);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
  pnn_model *m = rt_load(mb);
  CHECK(m);
  CHECK_WORK(m, (uint64_t)260 * 57 * 2 * (260 * 57), "DEPTHWISE_CONV_2D",
             "filter taps");
  pnn_model_free(m);
}

TEST(conv_and_transpose_conv_count_every_tap) {
  pnn_mb *mb = pnn_mb_new();
  static float w[4 * 3 * 3 * 6];
  int x = rt_f32(mb, "x", 4, (const int32_t[]){2, 5, 5, 6}, NULL);
  int f = rt_f32(mb, "w", 4, (const int32_t[]){4, 3, 3, 6}, w);
  int y = rt_f32(mb, "y", 4, (const int32_t[]){2, 5, 5, 4}, NULL);
  pnn_conv2d_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(conv2d), &o);
  o.padding = PNN_PADDING_SAME;
  o.stride_w = o.stride_h = 1;
  pnn_mb_op(mb, PNN_OP_CONV_2D, PNN_OPTIONS_OF(conv2d), &o, 3,
            (const int32_t[]){x, f, -1}, 1, &y);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
  pnn_model *m = rt_load(mb);
  CHECK(m);
  CHECK_WORK(m, (uint64_t)2 * 5 * 5 * 4 * (3 * 3 * 6), "CONV_2D",
             "filter taps");
  pnn_model_free(m);

  mb = pnn_mb_new();
  x = rt_f32(mb, "x", 4, (const int32_t[]){1, 3, 3, 6}, NULL);
  f = rt_f32(mb, "w", 4, (const int32_t[]){4, 3, 3, 6}, w);
  int shape = pnn_mb_tensor(mb, "shape", PNN_TYPE_INT32, 1,
                            (const int32_t[]){4},
                            (const int32_t[]){1, 6, 6, 4});
  y = rt_f32(mb, "y", 4, (const int32_t[]){1, 6, 6, 4}, NULL);
  pnn_transpose_conv_options t;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(transpose_conv), &t);
  t.padding = PNN_PADDING_SAME;
  t.stride_w = t.stride_h = 2;
  pnn_mb_op(mb, PNN_OP_TRANSPOSE_CONV, PNN_OPTIONS_OF(transpose_conv), &t, 3,
            (const int32_t[]){shape, f, x}, 1, &y);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
  m = rt_load(mb);
  CHECK(m);
  /* every input element scattered over the 3x3 filter, 4 output channels */
  CHECK_WORK(m, (uint64_t)1 * 3 * 3 * 6 * (3 * 3 * 4), "TRANSPOSE_CONV",
             "filter taps");
  pnn_model_free(m);
}

TEST(fully_connected_and_batch_matmul) {
  /* FC with non-constant weights: batch 6 x units 5 x depth 7. */
  pnn_mb *mb = pnn_mb_new();
  int x = rt_f32(mb, "x", 2, (const int32_t[]){6, 7}, NULL);
  int w = rt_f32(mb, "w", 2, (const int32_t[]){5, 7}, NULL);
  int y = rt_f32(mb, "y", 2, (const int32_t[]){6, 5}, NULL);
  pnn_mb_op(mb, PNN_OP_FULLY_CONNECTED, 0, NULL, 2, (const int32_t[]){x, w},
            1, &y);
  pnn_mb_inputs(mb, 2, (const int32_t[]){x, w});
  pnn_mb_outputs(mb, 1, &y);
  pnn_model *m = rt_load(mb);
  CHECK(m);
  CHECK_WORK(m, (uint64_t)6 * 5 * 7, "FULLY_CONNECTED", "input features");
  pnn_model_free(m);

  /* BATCH_MATMUL [3,4,9] x [3,9,2]: 3 x 4 x 2 outputs x k 9. */
  mb = pnn_mb_new();
  int a = rt_f32(mb, "a", 3, (const int32_t[]){3, 4, 9}, NULL);
  int b = rt_f32(mb, "b", 3, (const int32_t[]){3, 9, 2}, NULL);
  y = rt_f32(mb, "y", 3, (const int32_t[]){3, 4, 2}, NULL);
  pnn_mb_op(mb, PNN_OP_BATCH_MATMUL, 0, NULL, 2, (const int32_t[]){a, b}, 1,
            &y);
  pnn_mb_inputs(mb, 2, (const int32_t[]){a, b});
  pnn_mb_outputs(mb, 1, &y);
  m = rt_load(mb);
  CHECK(m);
  CHECK_WORK(m, (uint64_t)3 * 4 * 2 * 9, "BATCH_MATMUL", "contracted dim");
  pnn_model_free(m);
}

TEST(default_cap_refuses_beyond_2_to_40) {
  /* FULLY_CONNECTED over non-constant [2^20, 2^11] x [2^10, 2^11]: 2^41
   * MACs. Prepare refuses it before planning any arena, with the options
   * left at their defaults (max_op_work 0 = PNN_DEFAULT_MAX_OP_WORK). */
  pnn_mb *mb = pnn_mb_new();
  int x = rt_f32(mb, "x", 2, (const int32_t[]){1 << 20, 1 << 11}, NULL);
  int w = rt_f32(mb, "w", 2, (const int32_t[]){1 << 10, 1 << 11}, NULL);
  int y = rt_f32(mb, "y", 2, (const int32_t[]){1 << 20, 1 << 10}, NULL);
  pnn_mb_op(mb, PNN_OP_FULLY_CONNECTED, 0, NULL, 2, (const int32_t[]){x, w},
            1, &y);
  pnn_mb_inputs(mb, 2, (const int32_t[]){x, w});
  pnn_mb_outputs(mb, 1, &y);
  pnn_model *m = rt_load(mb);
  CHECK(m);
  char msg[512];
  CHECK_EQ_INT(prepare_with(m, 0, msg, sizeof msg), PNN_ERROR_LIMIT);
  CHECK_MSG(strstr(msg, "max_op_work 1099511627776"), "%s", msg);
  pnn_model_free(m);
  CHECK_EQ_INT(PNN_DEFAULT_MAX_OP_WORK, (uint64_t)1 << 40);
}

/* WHILE (i < limit) { i += 1; x = FC(x) } over (i, limit, x [1,4]), FC
 * weights [4,4] constant: 16 MACs per iteration. */
static pnn_model *loop_fc_model(void) {
  static const int32_t S1[] = {1}, X[] = {1, 4}, W[] = {4, 4};
  static float w[16];
  for (int k = 0; k < 16; k++) w[k] = k % 5 == 0 ? 1.f : 0.f;
  const float one = 1.f;
  pnn_mb *mb = pnn_mb_new();
  int i = rt_f32(mb, "i", 1, S1, NULL), lim = rt_f32(mb, "limit", 1, S1, NULL);
  int x = rt_f32(mb, "x", 2, X, NULL);
  int io = rt_f32(mb, "i_out", 1, S1, NULL);
  int lo = rt_f32(mb, "limit_out", 1, S1, NULL);
  int xo = rt_f32(mb, "x_out", 2, X, NULL);
  pnn_while__options o = {.cond_subgraph_index = 1, .body_subgraph_index = 2};
  pnn_mb_op(mb, PNN_OP_WHILE, PNN_OPTIONS_OF(while_), &o, 3,
            (const int32_t[]){i, lim, x}, 3, (const int32_t[]){io, lo, xo});
  pnn_mb_inputs(mb, 3, (const int32_t[]){i, lim, x});
  pnn_mb_outputs(mb, 3, (const int32_t[]){io, lo, xo});
  /* cond: i < limit */
  pnn_mb_subgraph(mb, "cond");
  int a = rt_f32(mb, "a", 1, S1, NULL), b = rt_f32(mb, "b", 1, S1, NULL);
  int cx = rt_f32(mb, "cx", 2, X, NULL);
  int lt = pnn_mb_tensor(mb, "lt", PNN_TYPE_BOOL, 1, S1, NULL);
  rt_binary(mb, PNN_OP_LESS, a, b, lt);
  pnn_mb_inputs(mb, 3, (const int32_t[]){a, b, cx});
  pnn_mb_outputs(mb, 1, &lt);
  /* body: (i + 1, limit + 0, FC(x)) */
  pnn_mb_subgraph(mb, "body");
  a = rt_f32(mb, "a", 1, S1, NULL);
  b = rt_f32(mb, "b", 1, S1, NULL);
  int bx = rt_f32(mb, "bx", 2, X, NULL);
  int k1 = rt_f32(mb, "one", 1, S1, &one);
  int k0 = rt_f32(mb, "zero", 1, S1, (const float[]){0.f});
  int wt = rt_f32(mb, "w", 2, W, w);
  int a1 = rt_f32(mb, "a1", 1, S1, NULL), b1 = rt_f32(mb, "b1", 1, S1, NULL);
  int x1 = rt_f32(mb, "x1", 2, X, NULL);
  rt_binary(mb, PNN_OP_ADD, a, k1, a1);
  rt_binary(mb, PNN_OP_ADD, b, k0, b1);
  pnn_mb_op(mb, PNN_OP_FULLY_CONNECTED, 0, NULL, 2, (const int32_t[]){bx, wt},
            1, &x1);
  pnn_mb_inputs(mb, 3, (const int32_t[]){a, b, bx});
  pnn_mb_outputs(mb, 3, (const int32_t[]){a1, b1, x1});
  return rt_load(mb);
}

static pnn_status run_loop(const pnn_model *m, uint64_t cap, float limit,
                           char *msg, size_t n) {
  pnn_interpreter_options o;
  pnn_interpreter_options_init(&o);
  o.max_op_work = cap;
  pnn_interpreter *it = NULL;
  pnn_status s = pnn_interpreter_create(m, &o, &it);
  if (!s) s = pnn_interpreter_allocate(it);
  if (!s) {
    const float i0 = 0.f, x[4] = {1, 2, 3, 4};
    pnn_tensor_copy_from(pnn_interpreter_input(it, 0), &i0, 4);
    pnn_tensor_copy_from(pnn_interpreter_input(it, 1), &limit, 4);
    pnn_tensor_copy_from(pnn_interpreter_input(it, 2), x, 16);
    s = pnn_interpreter_invoke(it);
  }
  snprintf(msg, n, "%s", it ? pnn_interpreter_last_error(it) : "");
  pnn_interpreter_free(it);
  return s;
}

TEST(while_iterations_count_their_body_work) {
  pnn_model *m = loop_fc_model();
  CHECK(m);
  char msg[512];
  /* 10 iterations x 16 MACs = 160: a cap of 160 runs, 159 does not. */
  CHECK_MSG(run_loop(m, 160, 10.f, msg, sizeof msg) == PNN_OK, "%s", msg);
  CHECK_EQ_INT(run_loop(m, 159, 10.f, msg, sizeof msg), PNN_ERROR_LIMIT);
  CHECK_MSG(strstr(msg, "op 0 (WHILE)") && strstr(msg, "max_op_work 159"),
            "%s", msg);
  /* The count is per invoke: a fresh interpreter, fewer iterations. */
  CHECK_MSG(run_loop(m, 159, 9.f, msg, sizeof msg) == PNN_OK, "%s", msg);
  pnn_model_free(m);
}
