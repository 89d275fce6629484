/* Models for the model-tool tests (see tools_models.h). Constants come
 * from a fixed LCG, so every build makes the same files. */
#include "tools_models.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ops/tensor_util.h"

#define F32 PNN_TYPE_FLOAT32
#define DIMS(...) ((const int32_t[]){__VA_ARGS__})

/* n values uniform in [lo, hi) from seed (static storage, 8192 max). */
static const float *vals(uint32_t seed, int n, float lo, float hi) {
  static float v[4][8192];
  static int slot;
  float *out = v[slot++ & 3];
  uint32_t s = seed * 2654435761u + 1;
  for (int i = 0; i < n && i < 8192; i++) {
    s = s * 1664525u + 1013904223u;
    out[i] = lo + (hi - lo) * (float)(s >> 8) / 16777216.0f;
  }
  return out;
}

static int act(pnn_mb *mb, const char *name, int rank, const int32_t *d) {
  return pnn_mb_tensor(mb, name, F32, rank, d, NULL);
}

static int cst(pnn_mb *mb, const char *name, int rank, const int32_t *d,
               uint32_t seed, float lo, float hi) {
  int n = 1;
  for (int i = 0; i < rank; i++) n *= d[i];
  return pnn_mb_tensor(mb, name, F32, rank, d, vals(seed, n, lo, hi));
}

static int binary(pnn_mb *mb, int32_t code, int a, int b, int y, int8_t fa) {
  pnn_builtin_options o;
  uint8_t ty = code == PNN_OP_ADD   ? PNN_OPTIONS_OF(add)
               : code == PNN_OP_MUL ? PNN_OPTIONS_OF(mul)
                                    : PNN_OPTIONS_OF(sub);
  pnn_mb_options_defaults(1, ty, &o);
  if (code == PNN_OP_ADD) o.add.fused_activation_function = fa;
  if (code == PNN_OP_MUL) o.mul.fused_activation_function = fa;
  if (code == PNN_OP_SUB) o.sub.fused_activation_function = fa;
  return pnn_mb_op(mb, code, ty, &o, 2, (int32_t[]){a, b}, 1, &y);
}

static int conv(pnn_mb *mb, int x, int w, int b, int y, int8_t pad,
                int stride) {
  pnn_conv2d_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(conv2d), &o);
  o.padding = pad;
  o.stride_w = o.stride_h = stride;
  return pnn_mb_op(mb, PNN_OP_CONV_2D, PNN_OPTIONS_OF(conv2d), &o, 3,
                   (int32_t[]){x, w, b}, 1, &y);
}

pnn_mb *tm_bn_conv(void) {
  pnn_mb *mb = pnn_mb_new();
  int x = act(mb, "input", 4, DIMS(1, 8, 8, 8));
  int w = cst(mb, "conv/w", 4, DIMS(16, 3, 3, 8), 1, -0.5f, 0.5f);
  int b = cst(mb, "conv/b", 1, DIMS(16), 2, -0.1f, 0.1f);
  int y = act(mb, "conv", 4, DIMS(1, 8, 8, 16));
  conv(mb, x, w, b, y, PNN_PADDING_SAME, 1);
  int s = cst(mb, "bn/scale", 1, DIMS(16), 3, 0.5f, 1.5f);
  int z = act(mb, "bn/mul", 4, DIMS(1, 8, 8, 16));
  binary(mb, PNN_OP_MUL, y, s, z, PNN_ACT_NONE);
  int t = cst(mb, "bn/shift", 1, DIMS(16), 4, -0.5f, 0.5f);
  int u = act(mb, "bn/add", 4, DIMS(1, 8, 8, 16));
  binary(mb, PNN_OP_ADD, t, z, u, PNN_ACT_NONE); /* constant first */
  int o = act(mb, "output", 4, DIMS(1, 8, 8, 16));
  pnn_mb_op(mb, PNN_OP_RELU, 0, NULL, 1, &u, 1, &o);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &o);
  return mb;
}

pnn_mb *tm_bn_dw_fc(void) {
  pnn_mb *mb = pnn_mb_new();
  int x = act(mb, "input", 4, DIMS(1, 6, 6, 4));
  int w = cst(mb, "dw/w", 4, DIMS(1, 3, 3, 4), 5, -0.5f, 0.5f);
  int b = cst(mb, "dw/b", 1, DIMS(4), 6, -0.1f, 0.1f);
  int y = act(mb, "dw", 4, DIMS(1, 4, 4, 4));
  pnn_depthwise_conv2d_options d;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(depthwise_conv2d), &d);
  d.padding = PNN_PADDING_VALID;
  d.stride_w = d.stride_h = 1;
  d.depth_multiplier = 1;
  pnn_mb_op(mb, PNN_OP_DEPTHWISE_CONV_2D, PNN_OPTIONS_OF(depthwise_conv2d), &d,
            3, (int32_t[]){x, w, b}, 1, &y);
  int s = cst(mb, "bn/scale", 4, DIMS(1, 1, 1, 4), 7, 0.5f, 1.5f);
  int z = act(mb, "bn/mul", 4, DIMS(1, 4, 4, 4));
  binary(mb, PNN_OP_MUL, y, s, z, PNN_ACT_NONE);
  int t = cst(mb, "bn/shift", 1, DIMS(4), 8, -0.5f, 0.5f);
  int u = act(mb, "bn/add", 4, DIMS(1, 4, 4, 4));
  binary(mb, PNN_OP_ADD, z, t, u, PNN_ACT_RELU6);
  int shape =
      pnn_mb_tensor(mb, "flat/shape", PNN_TYPE_INT32, 1, DIMS(2), DIMS(1, 64));
  int f = act(mb, "flat", 2, DIMS(1, 64));
  pnn_mb_op(mb, PNN_OP_RESHAPE, 0, NULL, 2, (int32_t[]){u, shape}, 1, &f);
  int fw = cst(mb, "fc/w", 2, DIMS(32, 64), 9, -0.3f, 0.3f);
  int fy = act(mb, "fc", 2, DIMS(1, 32));
  pnn_fully_connected_options fo;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(fully_connected), &fo);
  pnn_mb_op(mb, PNN_OP_FULLY_CONNECTED, PNN_OPTIONS_OF(fully_connected), &fo, 3,
            (int32_t[]){f, fw, -1}, 1, &fy);
  int k = cst(mb, "scale", 1, DIMS(1), 10, 1.5f, 2.0f);
  int m = act(mb, "scaled", 2, DIMS(1, 32));
  binary(mb, PNN_OP_MUL, fy, k, m, PNN_ACT_NONE);
  int c = cst(mb, "offset", 1, DIMS(32), 11, -1.0f, 1.0f);
  int o = act(mb, "output", 2, DIMS(1, 32));
  binary(mb, PNN_OP_SUB, m, c, o, PNN_ACT_NONE);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &o);
  return mb;
}

static int pad(pnn_mb *mb, int x, const int32_t *p, int y) {
  int pt = pnn_mb_tensor(mb, "pad/paddings", PNN_TYPE_INT32, 2, DIMS(4, 2), p);
  return pnn_mb_op(mb, PNN_OP_PAD, 0, NULL, 2, (int32_t[]){x, pt}, 1, &y);
}

pnn_mb *tm_pad_conv(void) {
  pnn_mb *mb = pnn_mb_new();
  int x = act(mb, "input", 4, DIMS(1, 8, 8, 4));
  /* SAME for 8 -> 4 with stride 2, 3x3: total 1 = 0 before, 1 after. */
  int p1 = act(mb, "pad1", 4, DIMS(1, 9, 9, 4));
  pad(mb, x, DIMS(0, 0, 0, 1, 0, 1, 0, 0), p1);
  int w1 = cst(mb, "conv1/w", 4, DIMS(6, 3, 3, 4), 12, -0.5f, 0.5f);
  int b1 = cst(mb, "conv1/b", 1, DIMS(6), 13, -0.1f, 0.1f);
  int y1 = act(mb, "output1", 4, DIMS(1, 4, 4, 6));
  conv(mb, p1, w1, b1, y1, PNN_PADDING_VALID, 2);
  /* Pads of 2 around a 3x3 stride-1 conv are not SAME: kept. */
  int p2 = act(mb, "pad2", 4, DIMS(1, 12, 12, 4));
  pad(mb, x, DIMS(0, 0, 2, 2, 2, 2, 0, 0), p2);
  int w2 = cst(mb, "conv2/w", 4, DIMS(2, 3, 3, 4), 14, -0.5f, 0.5f);
  int b2 = cst(mb, "conv2/b", 1, DIMS(2), 15, -0.1f, 0.1f);
  int y2 = act(mb, "output2", 4, DIMS(1, 10, 10, 2));
  conv(mb, p2, w2, b2, y2, PNN_PADDING_VALID, 1);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 2, (int32_t[]){y1, y2});
  return mb;
}

pnn_mb *tm_fold_prune(void) {
  pnn_mb *mb = pnn_mb_new();
  int x = act(mb, "input", 2, DIMS(1, 8));
  /* float16 weights read through DEQUANTIZE. */
  const float *wv = vals(16, 64, -1.0f, 1.0f);
  uint16_t wh[64];
  for (int i = 0; i < 64; i++) wh[i] = pnn_tu_float_to_half(wv[i]);
  int whf = pnn_mb_tensor(mb, "fc/w_fp16", PNN_TYPE_FLOAT16, 2, DIMS(8, 8), wh);
  int w = act(mb, "fc/w", 2, DIMS(8, 8));
  pnn_mb_op(mb, PNN_OP_DEQUANTIZE, 0, NULL, 1, &whf, 1, &w);
  int fy = act(mb, "fc", 2, DIMS(1, 8));
  pnn_fully_connected_options fo;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(fully_connected), &fo);
  pnn_mb_op(mb, PNN_OP_FULLY_CONNECTED, PNN_OPTIONS_OF(fully_connected), &fo, 3,
            (int32_t[]){x, w, -1}, 1, &fy);
  /* A constant sub-expression: c = a + b. */
  int a = cst(mb, "a", 2, DIMS(1, 8), 17, -1.0f, 1.0f);
  int b = cst(mb, "b", 2, DIMS(1, 8), 18, -1.0f, 1.0f);
  int c = act(mb, "c", 2, DIMS(1, 8));
  binary(mb, PNN_OP_ADD, a, b, c, PNN_ACT_NONE);
  int s = act(mb, "sum", 2, DIMS(1, 8));
  binary(mb, PNN_OP_ADD, fy, c, s, PNN_ACT_NONE);
  /* Two constants with identical bytes (dedupe). */
  int d1 = cst(mb, "d1", 2, DIMS(1, 8), 19, 0.5f, 1.0f);
  int d2 = cst(mb, "d2", 2, DIMS(1, 8), 19, 0.5f, 1.0f);
  int m1 = act(mb, "m1", 2, DIMS(1, 8));
  binary(mb, PNN_OP_MUL, s, d1, m1, PNN_ACT_NONE);
  int m2 = act(mb, "m2", 2, DIMS(1, 8));
  binary(mb, PNN_OP_MUL, m1, d2, m2, PNN_ACT_NONE);
  /* Identity RESHAPE [1,8] -> [1,8], then a chain [1,8] -> [8] -> [2,4]. */
  int sh1 =
      pnn_mb_tensor(mb, "r1/shape", PNN_TYPE_INT32, 1, DIMS(2), DIMS(1, 8));
  int r1 = act(mb, "r1", 2, DIMS(1, 8));
  pnn_mb_op(mb, PNN_OP_RESHAPE, 0, NULL, 2, (int32_t[]){m2, sh1}, 1, &r1);
  int sh2 = pnn_mb_tensor(mb, "r2/shape", PNN_TYPE_INT32, 1, DIMS(1), DIMS(8));
  int r2 = act(mb, "r2", 1, DIMS(8));
  pnn_mb_op(mb, PNN_OP_RESHAPE, 0, NULL, 2, (int32_t[]){r1, sh2}, 1, &r2);
  int sh3 =
      pnn_mb_tensor(mb, "out/shape", PNN_TYPE_INT32, 1, DIMS(2), DIMS(2, 4));
  int o = act(mb, "output", 2, DIMS(2, 4));
  pnn_mb_op(mb, PNN_OP_RESHAPE, 0, NULL, 2, (int32_t[]){r2, sh3}, 1, &o);
  /* A dead branch: nothing reads its result. */
  int dead = act(mb, "dead", 2, DIMS(1, 8));
  pnn_mb_op(mb, PNN_OP_TANH, 0, NULL, 1, &x, 1, &dead);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &o);
  return mb;
}

pnn_mb *tm_matmul(void) {
  pnn_mb *mb = pnn_mb_new();
  int x = act(mb, "input", 3, DIMS(1, 4, 64));
  int w = cst(mb, "mm/w", 2, DIMS(64, 32), 20, -0.5f, 0.5f);
  int y = act(mb, "output", 3, DIMS(1, 4, 32));
  pnn_batch_matmul_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(batch_matmul), &o);
  pnn_mb_op(mb, PNN_OP_BATCH_MATMUL, PNN_OPTIONS_OF(batch_matmul), &o, 2,
            (int32_t[]){x, w}, 1, &y);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
  return mb;
}

const tm_model tm_models[5] = {
    {"bn_conv", tm_bn_conv},   {"bn_dw_fc", tm_bn_dw_fc},
    {"pad_conv", tm_pad_conv}, {"fold_prune", tm_fold_prune},
    {"matmul", tm_matmul},
};
