/* Crafted quantization parameters (issue 5): every quantized op, on int8,
 * uint8 and int16, over a grid of extreme but finite scales (denormal,
 * 1e-38, ..., 1e38, FLT_MAX) on its inputs, weights and output, and zero
 * points at the ends of their type's range. Each single-op model must
 * either fail prepare or invoke with a message naming the op ("op 0 (")
 * or run; under `make asan` (UBSan, -fno-sanitize-recover) any undefined
 * float->int cast, shift or overflow in a prepare or kernel aborts the
 * binary. Each op must also run on at least one (ordinary) grid point, so
 * the grid really reaches its kernels. NaN, infinite, zero or negative
 * scales and zero points outside the type never get that far: the loader
 * refuses them naming the tensor (checked here too). And the quant_math
 * helpers themselves at their edges. */
#include <float.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "format/model_builder.h"
#include "harness.h"
#include "ops/quant_math.h"
#include "pocketnn.h"

/* Shapes of the single-op models. */
enum kind {
  K_UNARY,   /* x -> y, same shape */
  K_BINARY,  /* x, x2 -> y */
  K_CMP,     /* x, x2 -> bool y */
  K_AXIS,    /* x, const int32 axis [1,2] -> y [1,1,1,8] (keep dims) */
  K_POOL,    /* 2x2 window, stride 1, VALID */
  K_RESIZE,  /* x, const size [8,8] -> y [1,8,8,8] */
  K_PAD,     /* x, const paddings -> y [1,6,6,8] */
  K_CONCAT,  /* x, x2 on axis 3 -> y [1,4,4,16] */
  K_CONV,    /* x, const filter, const bias -> y */
  K_DWCONV,
  K_FC,      /* x [4,8] (from [1,4,4,8] flattened) -> y [16,4] */
  K_BMM,     /* x [1,4,4,8] x x2 [1,4,8,4] -> y [1,4,4,4] */
  K_TCONV,
  K_QUANTIZE, /* requantize to the same type */
  K_DEQUANT,  /* -> float32 */
  K_PRELU,    /* x, const alpha [8] */
};

typedef struct {
  int32_t op;
  const char *name;
  enum kind kind;
} qop;

static const qop OPS[] = {
    {PNN_OP_RELU, "RELU", K_UNARY},
    {PNN_OP_RELU6, "RELU6", K_UNARY},
    {PNN_OP_RELU_N1_TO_1, "RELU_N1_TO_1", K_UNARY},
    {PNN_OP_RELU_0_TO_1, "RELU_0_TO_1", K_UNARY},
    {PNN_OP_LEAKY_RELU, "LEAKY_RELU", K_UNARY},
    {PNN_OP_LOGISTIC, "LOGISTIC", K_UNARY},
    {PNN_OP_TANH, "TANH", K_UNARY},
    {PNN_OP_HARD_SWISH, "HARD_SWISH", K_UNARY},
    {PNN_OP_ELU, "ELU", K_UNARY},
    {PNN_OP_GELU, "GELU", K_UNARY},
    {PNN_OP_SOFTMAX, "SOFTMAX", K_UNARY},
    {PNN_OP_LOG_SOFTMAX, "LOG_SOFTMAX", K_UNARY},
    {PNN_OP_L2_NORMALIZATION, "L2_NORMALIZATION", K_UNARY},
    {PNN_OP_ABS, "ABS", K_UNARY},
    {PNN_OP_NEG, "NEG", K_UNARY},
    {PNN_OP_SQRT, "SQRT", K_UNARY},
    {PNN_OP_RSQRT, "RSQRT", K_UNARY},
    {PNN_OP_EXP, "EXP", K_UNARY},
    {PNN_OP_LOG, "LOG", K_UNARY},
    {PNN_OP_ADD, "ADD", K_BINARY},
    {PNN_OP_SUB, "SUB", K_BINARY},
    {PNN_OP_MUL, "MUL", K_BINARY},
    {PNN_OP_DIV, "DIV", K_BINARY},
    {PNN_OP_SQUARED_DIFFERENCE, "SQUARED_DIFFERENCE", K_BINARY},
    {PNN_OP_MAXIMUM, "MAXIMUM", K_BINARY},
    {PNN_OP_MINIMUM, "MINIMUM", K_BINARY},
    {PNN_OP_FLOOR_DIV, "FLOOR_DIV", K_BINARY},
    {PNN_OP_LESS, "LESS", K_CMP},
    {PNN_OP_EQUAL, "EQUAL", K_CMP},
    {PNN_OP_GREATER_EQUAL, "GREATER_EQUAL", K_CMP},
    {PNN_OP_MEAN, "MEAN", K_AXIS},
    {PNN_OP_SUM, "SUM", K_AXIS},
    {PNN_OP_REDUCE_MAX, "REDUCE_MAX", K_AXIS},
    {PNN_OP_AVERAGE_POOL_2D, "AVERAGE_POOL_2D", K_POOL},
    {PNN_OP_MAX_POOL_2D, "MAX_POOL_2D", K_POOL},
    {PNN_OP_RESIZE_BILINEAR, "RESIZE_BILINEAR", K_RESIZE},
    {PNN_OP_RESIZE_NEAREST_NEIGHBOR, "RESIZE_NEAREST_NEIGHBOR", K_RESIZE},
    {PNN_OP_PAD, "PAD", K_PAD},
    {PNN_OP_MIRROR_PAD, "MIRROR_PAD", K_PAD},
    {PNN_OP_CONCATENATION, "CONCATENATION", K_CONCAT},
    {PNN_OP_CONV_2D, "CONV_2D", K_CONV},
    {PNN_OP_DEPTHWISE_CONV_2D, "DEPTHWISE_CONV_2D", K_DWCONV},
    {PNN_OP_FULLY_CONNECTED, "FULLY_CONNECTED", K_FC},
    {PNN_OP_BATCH_MATMUL, "BATCH_MATMUL", K_BMM},
    {PNN_OP_TRANSPOSE_CONV, "TRANSPOSE_CONV", K_TCONV},
    {PNN_OP_QUANTIZE, "QUANTIZE", K_QUANTIZE},
    {PNN_OP_DEQUANTIZE, "DEQUANTIZE", K_DEQUANT},
    {PNN_OP_PRELU, "PRELU", K_PRELU},
};
#define N_OPS ((int)(sizeof OPS / sizeof OPS[0]))

/* Finite positive scales from the denormal minimum to FLT_MAX, with the
 * fixed output scales some int8/int16 kernels require (1/256, 1/32768,
 * 16/256, 1/128). */
static const float SCALES[] = {
    1.4e-45f,  0x1p-126f, 1e-38f,     0x1p-64f,  0x1p-31f, 1e-12f,
    0x1p-15f,  1.f / 256, 1.f / 128,  16.f / 256, 0.1f,    1.f,
    3e4f,      0x1p15f,   0x1p31f,    1e12f,     0x1p64f,  1e38f,
    FLT_MAX};
#define N_SCALES ((int)(sizeof SCALES / sizeof SCALES[0]))

static const pnn_type TYPES[] = {PNN_TYPE_INT8, PNN_TYPE_UINT8,
                                 PNN_TYPE_INT16};

typedef struct {
  float s_in, s_in2, s_w, s_out;
  int64_t zp_in, zp_out;
  int act; /* fused activation where the op has one: 0..3 */
} qparams;

static int qtensor(pnn_mb *mb, const char *name, pnn_type t, int rank,
                   const int32_t *dims, const void *data, float scale,
                   int64_t zp) {
  int i = pnn_mb_tensor(mb, name, t, rank, dims, data);
  pnn_mb_tensor_quant(mb, i, 1, &scale, &zp, 0);
  return i;
}

static int i32c(pnn_mb *mb, const char *name, int n, const int32_t *v) {
  return pnn_mb_tensor(mb, name, PNN_TYPE_INT32, 1, (const int32_t[]){n}, v);
}

/* Deterministic constant bytes: a spread of values over the type. */
static void fill_bytes(void *p, size_t n, unsigned seed) {
  uint8_t *b = p;
  for (size_t i = 0; i < n; i++) b[i] = (uint8_t)(i * 37u + seed * 11u + 3u);
}

/* The single-op model of `o` on type `t`; NULL if the builder refused. */
static pnn_model *build(const qop *o, pnn_type t, const qparams *q) {
  static const int32_t X[] = {1, 4, 4, 8};
  pnn_mb *mb = pnn_mb_new();
  if (!mb) return NULL;
  pnn_builtin_options u;
  memset(&u, 0, sizeof u);
  uint8_t otype = 0;
  int x = qtensor(mb, "x", t, 4, X, NULL, q->s_in, q->zp_in);
  int ins[4] = {x, -1, -1, -1}, n_in = 1, y = -1;
  static int8_t w8[16 * 3 * 3 * 8];
  fill_bytes(w8, sizeof w8, 1);
  switch (o->kind) {
    case K_UNARY:
      y = qtensor(mb, "y", t, 4, X, NULL, q->s_out, q->zp_out);
      if (o->op == PNN_OP_SOFTMAX) {
        otype = PNN_OPTIONS_OF(softmax);
        pnn_mb_options_defaults(1, otype, &u);
        u.softmax.beta = 1.f;
      } else if (o->op == PNN_OP_LEAKY_RELU) {
        otype = PNN_OPTIONS_OF(leaky_relu);
        pnn_mb_options_defaults(1, otype, &u);
        u.leaky_relu.alpha = 0.2f;
      }
      break;
    case K_BINARY:
    case K_CMP:
      ins[1] = qtensor(mb, "x2", t, 4, X, NULL, q->s_in2, q->zp_in);
      n_in = 2;
      /* ADD/SUB/MUL/DIV options: the fused activation (same layout). */
      if (o->op == PNN_OP_ADD || o->op == PNN_OP_SUB) {
        otype = o->op == PNN_OP_ADD ? PNN_OPTIONS_OF(add) : PNN_OPTIONS_OF(sub);
        pnn_mb_options_defaults(1, otype, &u);
        if (o->op == PNN_OP_ADD) u.add.fused_activation_function = (int8_t)q->act;
        else u.sub.fused_activation_function = (int8_t)q->act;
      } else if (o->op == PNN_OP_MUL) {
        otype = PNN_OPTIONS_OF(mul);
        pnn_mb_options_defaults(1, otype, &u);
        u.mul.fused_activation_function = (int8_t)q->act;
      } else if (o->op == PNN_OP_DIV) {
        otype = PNN_OPTIONS_OF(div);
        pnn_mb_options_defaults(1, otype, &u);
        u.div.fused_activation_function = (int8_t)q->act;
      }
      y = o->kind == K_CMP
              ? pnn_mb_tensor(mb, "y", PNN_TYPE_BOOL, 4, X, NULL)
              : qtensor(mb, "y", t, 4, X, NULL, q->s_out, q->zp_out);
      break;
    case K_AXIS: {
      bool cum = o->op == PNN_OP_CUMSUM;
      ins[1] = cum ? i32c(mb, "axis", 1, (const int32_t[]){3})
                   : i32c(mb, "axis", 2, (const int32_t[]){1, 2});
      if (cum) /* CUMSUM's axis is a scalar */
        ins[1] = pnn_mb_tensor(mb, "axis0", PNN_TYPE_INT32, 0, NULL,
                               (const int32_t[]){3});
      n_in = 2;
      y = qtensor(mb, "y", t, 4,
                  cum ? X : (const int32_t[]){1, 1, 1, 8}, NULL, q->s_out,
                  q->zp_out);
      if (!cum) {
        otype = PNN_OPTIONS_OF(reducer);
        pnn_mb_options_defaults(1, otype, &u);
        u.reducer.keep_dims = true;
      }
      break;
    }
    case K_POOL:
      y = qtensor(mb, "y", t, 4, (const int32_t[]){1, 3, 3, 8}, NULL,
                  q->s_out, q->zp_out);
      otype = PNN_OPTIONS_OF(pool2d);
      pnn_mb_options_defaults(1, otype, &u);
      u.pool2d.padding = PNN_PADDING_VALID;
      u.pool2d.stride_w = u.pool2d.stride_h = 1;
      u.pool2d.filter_width = u.pool2d.filter_height = 2;
      u.pool2d.fused_activation_function = (int8_t)q->act;
      break;
    case K_RESIZE:
      ins[1] = i32c(mb, "size", 2, (const int32_t[]){8, 8});
      n_in = 2;
      y = qtensor(mb, "y", t, 4, (const int32_t[]){1, 8, 8, 8}, NULL,
                  q->s_out, q->zp_out);
      break;
    case K_PAD:
      ins[1] = pnn_mb_tensor(mb, "pads", PNN_TYPE_INT32, 2,
                             (const int32_t[]){4, 2},
                             (const int32_t[]){0, 0, 1, 1, 1, 1, 0, 0});
      n_in = 2;
      y = qtensor(mb, "y", t, 4, (const int32_t[]){1, 6, 6, 8}, NULL,
                  q->s_out, q->zp_out);
      if (o->op == PNN_OP_MIRROR_PAD) {
        otype = PNN_OPTIONS_OF(mirror_pad);
        pnn_mb_options_defaults(1, otype, &u);
      }
      break;
    case K_CONCAT:
      ins[1] = qtensor(mb, "x2", t, 4, X, NULL, q->s_in2, q->zp_in);
      n_in = 2;
      y = qtensor(mb, "y", t, 4, (const int32_t[]){1, 4, 4, 16}, NULL,
                  q->s_out, q->zp_out);
      otype = PNN_OPTIONS_OF(concatenation);
      pnn_mb_options_defaults(1, otype, &u);
      u.concatenation.axis = 3;
      u.concatenation.fused_activation_function = (int8_t)q->act;
      break;
    case K_CONV:
    case K_DWCONV:
    case K_TCONV: {
      bool dw = o->kind == K_DWCONV, tc = o->kind == K_TCONV;
      const int32_t *wd = dw ? (const int32_t[]){1, 3, 3, 8}
                             : (const int32_t[]){16, 3, 3, 8};
      int oc = dw ? 8 : 16;
      int w = qtensor(mb, "w", PNN_TYPE_INT8, 4, wd, w8, q->s_w, 0);
      /* bias: int32 (int64 for 16x8), scale s_in * s_w as converters do */
      pnn_type bt = t == PNN_TYPE_INT16 ? PNN_TYPE_INT64 : PNN_TYPE_INT32;
      static int64_t bias[16];
      for (int i = 0; i < 16; i++)
        bias[i] = (i % 3 == 0) ? INT64_C(1) << 40 : (int64_t)i * -977;
      int32_t b32[16];
      for (int i = 0; i < 16; i++) b32[i] = (int32_t)(i * 104729 - 700000);
      int b = qtensor(mb, "b", bt, 1, (const int32_t[]){oc},
                      bt == PNN_TYPE_INT64 ? (const void *)bias
                                           : (const void *)b32,
                      q->s_in * q->s_w, 0);
      const int32_t yd[] = {1, 4, 4, oc};
      y = qtensor(mb, "y", t, 4, yd, NULL, q->s_out, q->zp_out);
      if (tc) {
        int shape = i32c(mb, "oshape", 4, yd);
        ins[0] = shape;
        ins[1] = w;
        ins[2] = x;
        ins[3] = b;
        n_in = 4;
        otype = PNN_OPTIONS_OF(transpose_conv);
        pnn_mb_options_defaults(1, otype, &u);
        u.transpose_conv.padding = PNN_PADDING_SAME;
        u.transpose_conv.stride_w = u.transpose_conv.stride_h = 1;
      } else {
        ins[1] = w;
        ins[2] = b;
        n_in = 3;
        if (dw) {
          otype = PNN_OPTIONS_OF(depthwise_conv2d);
          pnn_mb_options_defaults(1, otype, &u);
          u.depthwise_conv2d.padding = PNN_PADDING_SAME;
          u.depthwise_conv2d.stride_w = u.depthwise_conv2d.stride_h = 1;
          u.depthwise_conv2d.depth_multiplier = 1;
          u.depthwise_conv2d.fused_activation_function = (int8_t)q->act;
        } else {
          otype = PNN_OPTIONS_OF(conv2d);
          pnn_mb_options_defaults(1, otype, &u);
          u.conv2d.padding = PNN_PADDING_SAME;
          u.conv2d.stride_w = u.conv2d.stride_h = 1;
          u.conv2d.fused_activation_function = (int8_t)q->act;
        }
      }
      break;
    }
    case K_FC: {
      int w = qtensor(mb, "w", PNN_TYPE_INT8, 2, (const int32_t[]){4, 8}, w8,
                      q->s_w, 0);
      pnn_type bt = t == PNN_TYPE_INT16 ? PNN_TYPE_INT64 : PNN_TYPE_INT32;
      static const int64_t b64[4] = {INT64_C(1) << 45, -5, 7, -(INT64_C(1) << 44)};
      static const int32_t b32[4] = {INT32_MAX, -5, 7, INT32_MIN};
      int b = qtensor(mb, "b", bt, 1, (const int32_t[]){4},
                      bt == PNN_TYPE_INT64 ? (const void *)b64
                                           : (const void *)b32,
                      q->s_in * q->s_w, 0);
      ins[1] = w;
      ins[2] = b;
      n_in = 3;
      y = qtensor(mb, "y", t, 2, (const int32_t[]){16, 4}, NULL, q->s_out,
                  q->zp_out);
      otype = PNN_OPTIONS_OF(fully_connected);
      pnn_mb_options_defaults(1, otype, &u);
      u.fully_connected.fused_activation_function = (int8_t)q->act;
      break;
    }
    case K_BMM:
      ins[1] = qtensor(mb, "x2", t, 4, (const int32_t[]){1, 4, 8, 4}, NULL,
                       q->s_in2, q->zp_in);
      n_in = 2;
      y = qtensor(mb, "y", t, 4, (const int32_t[]){1, 4, 4, 4}, NULL,
                  q->s_out, q->zp_out);
      break;
    case K_QUANTIZE:
      y = qtensor(mb, "y", t == PNN_TYPE_INT16 ? PNN_TYPE_INT8 : t, 4, X,
                  NULL, q->s_out, t == PNN_TYPE_INT16 ? 0 : q->zp_out);
      break;
    case K_DEQUANT:
      y = pnn_mb_tensor(mb, "y", PNN_TYPE_FLOAT32, 4, X, NULL);
      break;
    case K_PRELU: {
      static uint8_t a[8];
      fill_bytes(a, sizeof a, 2);
      ins[1] = qtensor(mb, "alpha", t == PNN_TYPE_INT16 ? PNN_TYPE_INT8 : t,
                       1, (const int32_t[]){8}, a, q->s_in2, 0);
      n_in = 2;
      y = qtensor(mb, "y", t, 4, X, NULL, q->s_out, q->zp_out);
      break;
    }
  }
  pnn_mb_op(mb, o->op, otype, otype ? &u : NULL, n_in, ins, 1, &y);
  int n_graph_in = 1;
  int32_t gin[2] = {x, -1};
  /* Second activation inputs are graph inputs too. */
  if ((o->kind == K_BINARY || o->kind == K_CMP || o->kind == K_CONCAT ||
       o->kind == K_BMM))
    gin[n_graph_in++] = ins[1];
  pnn_mb_inputs(mb, n_graph_in, gin);
  pnn_mb_outputs(mb, 1, &y);
  pnn_model *m = NULL;
  pnn_mb_load(mb, &m);
  pnn_mb_free(mb);
  return m;
}

/* Type extremes, zero, and the zero points, over and over. */
static void fill_input(pnn_tensor *t) {
  uint8_t *p = pnn_tensor_data(t);
  size_t n = pnn_tensor_byte_size(t);
  if (!p) return;
  for (size_t i = 0; i < n; i++)
    p[i] = (uint8_t)((i % 5 == 0) ? 0x80 : (i % 5 == 1) ? 0x7f
                                       : (i * 29u + 1u));
}

typedef struct {
  int built, prepared, ran;
} tally;

/* Runs one model; false (and a test failure) if an error message does not
 * name the op. */
static bool run_one(const qop *o, pnn_type t, const qparams *q, tally *c) {
  pnn_model *m = build(o, t, q);
  if (!m) return true; /* the writer refused (not the point here) */
  c->built++;
  pnn_interpreter *it = NULL;
  bool ok = true;
  if (pnn_interpreter_create(m, NULL, &it) == PNN_OK) {
    pnn_status s = pnn_interpreter_allocate(it);
    if (s == PNN_OK) {
      c->prepared++;
      for (int i = 0; i < pnn_interpreter_input_count(it); i++)
        fill_input(pnn_interpreter_input(it, i));
      s = pnn_interpreter_invoke(it);
      if (s == PNN_OK) c->ran++;
    }
    if (s != PNN_OK && !strstr(pnn_interpreter_last_error(it), "op 0 (")) {
      pnn_test_fail(__FILE__, __LINE__,
                    "%s %s s_in=%g s_out=%g s_w=%g: error without the op: %s",
                    o->name, pnn_type_name(t), (double)q->s_in,
                    (double)q->s_out, (double)q->s_w,
                    pnn_interpreter_last_error(it));
      ok = false;
    }
  }
  pnn_interpreter_free(it);
  pnn_model_free(m);
  return ok;
}

static int64_t default_zp(pnn_type t, int k) {
  if (t == PNN_TYPE_INT16) return 0;
  if (t == PNN_TYPE_UINT8) return k ? 128 : 3;
  return k ? -128 : -5;
}

TEST(every_quantized_op_survives_extreme_scales) {
  for (int oi = 0; oi < N_OPS; oi++) {
    const qop *o = &OPS[oi];
    tally c = {0, 0, 0};
    for (int ti = 0; ti < 3; ti++) {
      pnn_type t = TYPES[ti];
      for (int a = 0; a < N_SCALES; a++)
        for (int b = 0; b < N_SCALES; b++) {
          qparams q = {SCALES[a], SCALES[(a + b) % N_SCALES],
                       SCALES[(a * 7 + b * 3) % N_SCALES], SCALES[b],
                       default_zp(t, (a + b) & 1), default_zp(t, b & 1),
                       (a + 2 * b) % 4};
          if (!run_one(o, t, &q, &c)) return;
        }
      /* Ordinary scales, among them the fixed output scales of LOGISTIC,
       * TANH, SOFTMAX, LOG_SOFTMAX, with the zero points at the type's
       * ends and middle (int16: 0). */
      int32_t lo, hi;
      pnn_qm_type_range(t, &lo, &hi);
      const float outs[] = {0.1f, 1.f / 256, 1.f / 128, 16.f / 256,
                            1.f / 32768};
      const int32_t mid = t == PNN_TYPE_UINT8 ? 128 : 0;
      for (int k = 0; k < 3; k++)
        for (int j = 0; j < 5; j++) {
          int64_t zo = t == PNN_TYPE_INT16 ? 0 : (k == 2 ? mid : k ? hi : lo);
          qparams q = {0.05f, 0.07f, 0.01f, outs[j],
                       t == PNN_TYPE_INT16 ? 0 : (k ? lo : hi), zo, j % 4};
          if (!run_one(o, t, &q, &c)) return;
        }
    }
    if (getenv("QUANT_EDGE_VERBOSE"))
      printf("  %-24s built %4d prepared %4d ran %4d\n", o->name, c.built,
             c.prepared, c.ran);
    /* The grid reaches the kernel of every op at least once. */
    if (!getenv("QUANT_EDGE_VERBOSE"))
    CHECK_MSG(c.built > 0 && c.ran > 0,
              "%s: %d models built, %d prepared, %d ran", o->name, c.built,
              c.prepared, c.ran);
  }
}

/* One ADD whose input 0 has quantization (scale, zp): the load (or
 * prepare) status and message. */
static pnn_status add_with(float scale, int64_t zp, pnn_type t, char *msg,
                           size_t cap) {
  static const int32_t X[] = {1, 8};
  pnn_mb *mb = pnn_mb_new();
  int a = qtensor(mb, "bad_in", t, 2, X, NULL, scale, zp);
  int b = qtensor(mb, "b", t, 2, X, NULL, 0.5f, 0);
  int y = qtensor(mb, "y", t, 2, X, NULL, 0.5f, 0);
  pnn_mb_op(mb, PNN_OP_ADD, 0, NULL, 2, (const int32_t[]){a, b}, 1, &y);
  pnn_mb_inputs(mb, 2, (const int32_t[]){a, b});
  pnn_mb_outputs(mb, 1, &y);
  pnn_model *m = NULL;
  uint8_t *bytes = NULL;
  size_t size = 0;
  pnn_status s = pnn_mb_finish(mb, &bytes, &size);
  pnn_mb_free(mb);
  if (s) {
    snprintf(msg, cap, "builder failed");
    return PNN_ERROR_INVALID_ARGUMENT;
  }
  pnn_load_options lo = {.flags = PNN_LOAD_COPY};
  s = pnn_model_load_buffer(bytes, size, &lo, &m, msg, cap);
  free(bytes);
  if (s) return s;
  pnn_interpreter *it = NULL;
  s = pnn_interpreter_create(m, NULL, &it);
  if (!s) s = pnn_interpreter_allocate(it);
  snprintf(msg, cap, "%s", it ? pnn_interpreter_last_error(it) : "");
  pnn_interpreter_free(it);
  pnn_model_free(m);
  return s;
}

TEST(bad_scales_and_zero_points_fail_to_load_naming_the_tensor) {
  char msg[512];
  const float bad[] = {NAN, INFINITY, -INFINITY, -1.f, -1e-30f, 0.f};
  for (int i = 0; i < 6; i++) {
    pnn_status s = add_with(bad[i], 0, PNN_TYPE_INT8, msg, sizeof msg);
    CHECK_MSG(s == PNN_ERROR_INVALID_MODEL, "scale %g: status %d (%s)",
              (double)bad[i], (int)s, msg);
    CHECK_MSG(strstr(msg, "bad_in") && strstr(msg, "scale"), "scale %g: %s",
              (double)bad[i], msg);
  }
  const struct {
    pnn_type t;
    int64_t zp;
  } zps[] = {{PNN_TYPE_INT8, 128},      {PNN_TYPE_INT8, -129},
             {PNN_TYPE_UINT8, -1},      {PNN_TYPE_UINT8, 256},
             {PNN_TYPE_INT16, 40000},   {PNN_TYPE_INT8, INT64_MIN},
             {PNN_TYPE_INT8, INT64_MAX}};
  for (int i = 0; i < 7; i++) {
    pnn_status s = add_with(0.5f, zps[i].zp, zps[i].t, msg, sizeof msg);
    CHECK_MSG(s == PNN_ERROR_INVALID_MODEL, "zp %lld: status %d (%s)",
              (long long)zps[i].zp, (int)s, msg);
    CHECK_MSG(strstr(msg, "bad_in") && strstr(msg, "zero_point"),
              "zp %lld: %s", (long long)zps[i].zp, msg);
  }
  /* The edges themselves are fine. */
  CHECK_EQ_INT(add_with(0.5f, -128, PNN_TYPE_INT8, msg, sizeof msg), PNN_OK);
  CHECK_EQ_INT(add_with(0.5f, 255, PNN_TYPE_UINT8, msg, sizeof msg), PNN_OK);
}

TEST(quant_math_checked_helpers) {
  /* Saturating conversion: never undefined, NaN -> 0. */
  CHECK_EQ_INT(pnn_qm_sat_i32(NAN), 0);
  CHECK_EQ_INT(pnn_qm_sat_i32(INFINITY), INT32_MAX);
  CHECK_EQ_INT(pnn_qm_sat_i32(-INFINITY), INT32_MIN);
  CHECK_EQ_INT(pnn_qm_sat_i32(3e9), INT32_MAX);
  CHECK_EQ_INT(pnn_qm_sat_i32(-3e9), INT32_MIN);
  CHECK_EQ_INT(pnn_qm_sat_i32(-2.7), -2);
  CHECK_EQ_INT(pnn_qm_sat_i32(2147483646.5), 2147483646);
  /* Clip bounds: far ones saturate on their side, near ones are exact. */
  CHECK_EQ_INT(pnn_qm_quantize_bound(6.f, 1e-45f, 3), INT64_C(4294967296) + 3);
  CHECK_EQ_INT(pnn_qm_quantize_bound(-1.f, 1e-45f, 3),
               -INT64_C(4294967296) + 3);
  CHECK_EQ_INT(pnn_qm_quantize_bound(6.f, 0.5f, -10), 2);
  CHECK_EQ_INT(pnn_qm_quantize_bound(-1.f, FLT_MAX, 7), 7);
  CHECK_EQ_INT(pnn_qm_quantize_bound(NAN, 0.5f, 7), 7);
  /* Checked multiplier (no node: errors are just statuses). */
  int32_t q;
  int sh;
  CHECK_EQ_INT(pnn_qm_multiplier(NULL, 0.75, 31, "t", &q, &sh), PNN_OK);
  CHECK_EQ_INT(q, 1610612736);
  CHECK_EQ_INT(sh, 0);
  CHECK_EQ_INT(pnn_qm_multiplier(NULL, 1e-300, 31, "t", &q, &sh), PNN_OK);
  CHECK_EQ_INT(q, 0); /* flushed: the op outputs its zero point */
  CHECK_EQ_INT(pnn_qm_multiplier(NULL, 0.0, 31, "t", &q, &sh),
               PNN_ERROR_INVALID_MODEL);
  CHECK_EQ_INT(pnn_qm_multiplier(NULL, NAN, 31, "t", &q, &sh),
               PNN_ERROR_INVALID_MODEL);
  CHECK_EQ_INT(pnn_qm_multiplier(NULL, INFINITY, 31, "t", &q, &sh),
               PNN_ERROR_INVALID_MODEL);
  CHECK_EQ_INT(pnn_qm_multiplier(NULL, 0x1p40, 31, "t", &q, &sh),
               PNN_ERROR_UNSUPPORTED);
  CHECK_EQ_INT(pnn_qm_multiplier(NULL, 0x1p20, 31, "t", &q, &sh), PNN_OK);
  CHECK_EQ_INT(sh, 21);
  CHECK_EQ_INT(pnn_qm_multiplier(NULL, 0x1p20, 15, "t", &q, &sh),
               PNN_ERROR_UNSUPPORTED);
}
