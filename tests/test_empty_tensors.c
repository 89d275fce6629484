/* Empty tensors (issue 5): every op family fed inputs with a 0 dimension
 * (first, middle or last axis; float32 and int8), the other operands
 * ordinary. The runtime skips an op whose outputs are all empty; ops whose
 * output is NOT empty although an input is (a reduction over the empty
 * axis, PAD, CONCATENATION with a non-empty input, ARG_MAX, TILE, ...)
 * must run or fail cleanly. Each model must prepare and invoke without a
 * crash, or fail with a message naming the op; under `make asan` UBSan
 * (no recover) turns a NULL-plus-offset, a division by zero or an
 * out-of-bounds read on these paths into a failure. Every output of a
 * successful invoke is read in full. Models from the model builder. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "format/model_builder.h"
#include "harness.h"
#include "pocketnn.h"

enum sig {
  S_UNARY,   /* x -> y */
  S_BINARY,  /* x, ordinary-or-empty x2 -> y */
  S_REDUCE,  /* x, const axis -> y (keep dims) */
  S_ARG,     /* x, const scalar axis -> int32 y */
  S_CONCAT,  /* x, non-empty x2 on axis 0 */
  S_PAD,     /* x, const paddings 1 on every side */
  S_GATHER,  /* params x, const indices {0} on axis 0 */
  S_GATHERE, /* params ordinary [3, 2], empty indices */
  S_TRANSPOSE,
  S_TILE,    /* x, multiples 2 */
  S_CUMSUM,  /* x, const axis scalar */
  S_SLICE,   /* x, begin 0, size -1 */
  S_POOL,    /* 4-D only */
  S_CONV,    /* 4-D only, filter [2,1,1,C] */
  S_DWCONV,
  S_FC,      /* x, weights [2, last dim] */
  S_RESIZE,  /* 4-D, size [3,3] */
  S_PACK,    /* x, x2 (same shape) */
  S_SPLIT,   /* axis const, 1 split */
  S_SQUEEZE,
  S_SPACE2DEPTH,
  S_TOPK,
};

typedef struct {
  int32_t op;
  const char *name;
  enum sig sig;
  bool int8_too;
} eop;

static const eop OPS[] = {
    {PNN_OP_RELU, "RELU", S_UNARY, true},
    {PNN_OP_LOGISTIC, "LOGISTIC", S_UNARY, true},
    {PNN_OP_TANH, "TANH", S_UNARY, true},
    {PNN_OP_HARD_SWISH, "HARD_SWISH", S_UNARY, true},
    {PNN_OP_EXP, "EXP", S_UNARY, false},
    {PNN_OP_ABS, "ABS", S_UNARY, true},
    {PNN_OP_NEG, "NEG", S_UNARY, true},
    {PNN_OP_SQRT, "SQRT", S_UNARY, false},
    {PNN_OP_ZEROS_LIKE, "ZEROS_LIKE", S_UNARY, true},
    {PNN_OP_SOFTMAX, "SOFTMAX", S_UNARY, true},
    {PNN_OP_LOG_SOFTMAX, "LOG_SOFTMAX", S_UNARY, false},
    {PNN_OP_L2_NORMALIZATION, "L2_NORMALIZATION", S_UNARY, false},
    {PNN_OP_QUANTIZE, "QUANTIZE", S_UNARY, false},
    {PNN_OP_DEQUANTIZE, "DEQUANTIZE", S_UNARY, true},
    {PNN_OP_SHAPE, "SHAPE", S_UNARY, true},
    {PNN_OP_RANK, "RANK", S_UNARY, true},
    {PNN_OP_ADD, "ADD", S_BINARY, true},
    {PNN_OP_MUL, "MUL", S_BINARY, true},
    {PNN_OP_SUB, "SUB", S_BINARY, true},
    {PNN_OP_DIV, "DIV", S_BINARY, false},
    {PNN_OP_MAXIMUM, "MAXIMUM", S_BINARY, true},
    {PNN_OP_SQUARED_DIFFERENCE, "SQUARED_DIFFERENCE", S_BINARY, true},
    {PNN_OP_LESS, "LESS", S_BINARY, true},
    {PNN_OP_PRELU, "PRELU", S_BINARY, false},
    {PNN_OP_MEAN, "MEAN", S_REDUCE, true},
    {PNN_OP_SUM, "SUM", S_REDUCE, true},
    {PNN_OP_REDUCE_MAX, "REDUCE_MAX", S_REDUCE, true},
    {PNN_OP_REDUCE_MIN, "REDUCE_MIN", S_REDUCE, true},
    {PNN_OP_REDUCE_PROD, "REDUCE_PROD", S_REDUCE, false},
    {PNN_OP_REDUCE_ANY, "REDUCE_ANY", S_REDUCE, false},
    {PNN_OP_ARG_MAX, "ARG_MAX", S_ARG, true},
    {PNN_OP_ARG_MIN, "ARG_MIN", S_ARG, true},
    {PNN_OP_CONCATENATION, "CONCATENATION", S_CONCAT, true},
    {PNN_OP_PAD, "PAD", S_PAD, true},
    {PNN_OP_PADV2, "PADV2", S_PAD, false},
    {PNN_OP_MIRROR_PAD, "MIRROR_PAD", S_PAD, true},
    {PNN_OP_GATHER, "GATHER", S_GATHER, true},
    {PNN_OP_GATHER, "GATHER", S_GATHERE, true},
    {PNN_OP_TRANSPOSE, "TRANSPOSE", S_TRANSPOSE, true},
    {PNN_OP_TILE, "TILE", S_TILE, true},
    {PNN_OP_CUMSUM, "CUMSUM", S_CUMSUM, false},
    {PNN_OP_SLICE, "SLICE", S_SLICE, true},
    {PNN_OP_REVERSE_V2, "REVERSE_V2", S_CUMSUM, true},
    {PNN_OP_AVERAGE_POOL_2D, "AVERAGE_POOL_2D", S_POOL, true},
    {PNN_OP_MAX_POOL_2D, "MAX_POOL_2D", S_POOL, true},
    {PNN_OP_L2_POOL_2D, "L2_POOL_2D", S_POOL, false},
    {PNN_OP_CONV_2D, "CONV_2D", S_CONV, true},
    {PNN_OP_DEPTHWISE_CONV_2D, "DEPTHWISE_CONV_2D", S_DWCONV, true},
    {PNN_OP_FULLY_CONNECTED, "FULLY_CONNECTED", S_FC, true},
    {PNN_OP_BATCH_MATMUL, "BATCH_MATMUL", S_BINARY, true},
    {PNN_OP_RESIZE_BILINEAR, "RESIZE_BILINEAR", S_RESIZE, true},
    {PNN_OP_RESIZE_NEAREST_NEIGHBOR, "RESIZE_NEAREST_NEIGHBOR", S_RESIZE, true},
    {PNN_OP_PACK, "PACK", S_PACK, true},
    {PNN_OP_SPLIT, "SPLIT", S_SPLIT, true},
    {PNN_OP_SQUEEZE, "SQUEEZE", S_SQUEEZE, true},
    {PNN_OP_SPACE_TO_DEPTH, "SPACE_TO_DEPTH", S_SPACE2DEPTH, true},
    {PNN_OP_DEPTH_TO_SPACE, "DEPTH_TO_SPACE", S_SPACE2DEPTH, true},
    {PNN_OP_TOPK_V2, "TOPK_V2", S_TOPK, true},
    {PNN_OP_LOCAL_RESPONSE_NORMALIZATION, "LOCAL_RESPONSE_NORMALIZATION",
     S_UNARY, false},
};
#define N_OPS ((int)(sizeof OPS / sizeof OPS[0]))

/* Input shapes with a 0 dimension, rank 4 and rank 2. */
static const int32_t SHAPES[][4] = {
    {0, 4, 4, 3}, {1, 0, 4, 3}, {1, 4, 4, 0}, {2, 4, 0, 3},
    {0, 3, -1, -1}, {3, 0, -1, -1}, {0, 0, -1, -1},
};
#define N_SHAPES ((int)(sizeof SHAPES / sizeof SHAPES[0]))

static int rank_of(const int32_t *s) { return s[2] < 0 ? 2 : 4; }

static int act(pnn_mb *mb, const char *name, pnn_type t, int rank,
               const int32_t *d) {
  int i = pnn_mb_tensor(mb, name, t, rank, d, NULL);
  if (t == PNN_TYPE_INT8) {
    float s = 0.1f;
    int64_t z = 0;
    pnn_mb_tensor_quant(mb, i, 1, &s, &z, 0);
  }
  return i;
}

static int i32(pnn_mb *mb, const char *name, int rank, const int32_t *d,
               const int32_t *v) {
  return pnn_mb_tensor(mb, name, PNN_TYPE_INT32, rank, d, v);
}

/* Builds op `o` on input type t and shape s; NULL if the builder fails. */
static pnn_model *build(const eop *o, pnn_type t, const int32_t *s,
                        int variant) {
  const int r = rank_of(s);
  pnn_mb *mb = pnn_mb_new();
  pnn_builtin_options u;
  memset(&u, 0, sizeof u);
  uint8_t ot = 0;
  int x = act(mb, "x", t, r, s);
  int in[4] = {x, -1, -1, -1}, n_in = 1, n_gin = 1;
  int32_t gin[2] = {x, -1};
  pnn_type yt = t;
  int y2 = -1;
  static const int32_t zeros4[4] = {0, 0, 0, 0};
  static const int32_t zeros8[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  static const int32_t pads[8] = {1, 1, 1, 1, 1, 1, 1, 1};
  static float w[64];
  static int8_t w8[64];
  for (int i = 0; i < 64; i++) {
    w[i] = (float)(i % 7) * 0.25f - 0.5f;
    w8[i] = (int8_t)(i % 7 - 3);
  }
  const int32_t c_last = s[r - 1];
  switch (o->sig) {
    case S_UNARY:
      if (o->op == PNN_OP_SOFTMAX) {
        ot = PNN_OPTIONS_OF(softmax);
        pnn_mb_options_defaults(1, ot, &u);
        u.softmax.beta = 1.f;
      }
      if (o->op == PNN_OP_QUANTIZE) yt = PNN_TYPE_INT8;
      if (o->op == PNN_OP_DEQUANTIZE) yt = PNN_TYPE_FLOAT32;
      if (o->op == PNN_OP_SHAPE || o->op == PNN_OP_RANK) yt = PNN_TYPE_INT32;
      break;
    case S_BINARY:
    case S_PACK: {
      /* variant 0: x2 has the same (empty) shape; 1: a broadcast [1] */
      const bool bc = variant == 1 && o->sig == S_BINARY;
      if (o->op == PNN_OP_BATCH_MATMUL)
        in[1] = act(mb, "x2", t, r, (const int32_t[]){s[0], s[1], s[3], 2});
      else
        in[1] = bc ? act(mb, "x2", t, 1, (const int32_t[]){1}) : act(mb, "x2", t, r, s);
      if (o->op == PNN_OP_BATCH_MATMUL && r == 2)
        in[1] = act(mb, "x2", t, 2, (const int32_t[]){s[1], 2});
      n_in = 2;
      gin[n_gin++] = in[1];
      if (o->op == PNN_OP_LESS) yt = PNN_TYPE_BOOL;
      if (o->sig == S_PACK) {
        ot = PNN_OPTIONS_OF(pack);
        pnn_mb_options_defaults(1, ot, &u);
        u.pack.values_count = 2;
        u.pack.axis = variant % r;
      }
      break;
    }
    case S_REDUCE:
      in[1] = i32(mb, "axis", 1, (const int32_t[]){1},
                  (const int32_t[]){variant % r});
      n_in = 2;
      ot = PNN_OPTIONS_OF(reducer);
      pnn_mb_options_defaults(1, ot, &u);
      u.reducer.keep_dims = variant & 1;
      if (o->op == PNN_OP_REDUCE_ANY) {
        /* bool input instead */
        pnn_mb_free(mb);
        mb = pnn_mb_new();
        x = pnn_mb_tensor(mb, "x", PNN_TYPE_BOOL, r, s, NULL);
        in[0] = gin[0] = x;
        in[1] = i32(mb, "axis", 1, (const int32_t[]){1},
                    (const int32_t[]){variant % r});
        yt = PNN_TYPE_BOOL;
        ot = PNN_OPTIONS_OF(reducer);
      }
      break;
    case S_ARG:
    case S_CUMSUM:
      in[1] = o->op == PNN_OP_REVERSE_V2
                  ? i32(mb, "axis", 1, (const int32_t[]){1},
                        (const int32_t[]){variant % r})
                  : i32(mb, "axis", 0, NULL, (const int32_t[]){variant % r});
      n_in = 2;
      if (o->sig == S_ARG) {
        yt = PNN_TYPE_INT32;
        ot = o->op == PNN_OP_ARG_MAX ? PNN_OPTIONS_OF(arg_max)
                                     : PNN_OPTIONS_OF(arg_min);
        pnn_mb_options_defaults(1, ot, &u);
        if (o->op == PNN_OP_ARG_MAX) u.arg_max.output_type = PNN_TYPE_INT32;
        else u.arg_min.output_type = PNN_TYPE_INT32;
      }
      break;
    case S_CONCAT: {
      int32_t d2[4];
      memcpy(d2, s, sizeof d2);
      d2[variant % r] = 2; /* the other input is not empty on that axis */
      bool other_empty = false;
      for (int k = 0; k < r; k++) other_empty |= d2[k] == 0;
      (void)other_empty;
      in[1] = act(mb, "x2", t, r, d2);
      n_in = 2;
      gin[n_gin++] = in[1];
      ot = PNN_OPTIONS_OF(concatenation);
      pnn_mb_options_defaults(1, ot, &u);
      u.concatenation.axis = variant % r;
      break;
    }
    case S_PAD:
      in[1] = i32(mb, "pads", 2, (const int32_t[]){r, 2},
                  variant ? pads : zeros8);
      n_in = 2;
      if (o->op == PNN_OP_PADV2) {
        in[2] = act(mb, "cval", t, 0, NULL);
        n_in = 3;
        gin[n_gin++] = in[2];
      }
      if (o->op == PNN_OP_MIRROR_PAD) {
        ot = PNN_OPTIONS_OF(mirror_pad);
        pnn_mb_options_defaults(1, ot, &u);
      }
      break;
    case S_GATHER:
      in[1] = i32(mb, "idx", 1, (const int32_t[]){2},
                  (const int32_t[]){0, 0});
      n_in = 2;
      ot = PNN_OPTIONS_OF(gather);
      pnn_mb_options_defaults(1, ot, &u);
      u.gather.axis = variant % r;
      break;
    case S_GATHERE:
      /* x is the (empty) indices' shape: params are ordinary */
      pnn_mb_free(mb);
      mb = pnn_mb_new();
      in[0] = gin[0] = act(mb, "params", t, 2, (const int32_t[]){3, 2});
      in[1] = i32(mb, "idx", r, s, NULL);
      gin[n_gin++] = in[1];
      n_in = 2;
      ot = PNN_OPTIONS_OF(gather);
      pnn_mb_options_defaults(1, ot, &u);
      u.gather.axis = variant & 1;
      break;
    case S_TRANSPOSE:
      in[1] = r == 4 ? i32(mb, "perm", 1, (const int32_t[]){4},
                           (const int32_t[]){3, 1, 2, 0})
                     : i32(mb, "perm", 1, (const int32_t[]){2},
                           (const int32_t[]){1, 0});
      n_in = 2;
      break;
    case S_TILE:
      in[1] = i32(mb, "mult", 1, (const int32_t[]){r},
                  (const int32_t[]){2, 2, 2, 2});
      n_in = 2;
      break;
    case S_SLICE:
      in[1] = i32(mb, "begin", 1, (const int32_t[]){r}, zeros4);
      in[2] = i32(mb, "size", 1, (const int32_t[]){r},
                  (const int32_t[]){-1, -1, -1, -1});
      n_in = 3;
      break;
    case S_POOL:
      if (r != 4) break;
      ot = PNN_OPTIONS_OF(pool2d);
      pnn_mb_options_defaults(1, ot, &u);
      u.pool2d.padding = variant ? PNN_PADDING_SAME : PNN_PADDING_VALID;
      u.pool2d.stride_w = u.pool2d.stride_h = 1;
      u.pool2d.filter_width = u.pool2d.filter_height = 2;
      break;
    case S_CONV:
    case S_DWCONV: {
      if (r != 4) break;
      const bool dw = o->sig == S_DWCONV;
      const int32_t c = c_last;
      const int32_t wd[4] = {dw ? 1 : 2, 1, 1, dw ? c : c};
      int wt;
      if (t == PNN_TYPE_INT8) {
        wt = pnn_mb_tensor(mb, "w", PNN_TYPE_INT8, 4, wd, w8);
        float sc = 0.05f;
        int64_t z = 0;
        pnn_mb_tensor_quant(mb, wt, 1, &sc, &z, 0);
      } else {
        wt = pnn_mb_tensor(mb, "w", PNN_TYPE_FLOAT32, 4, wd, w);
      }
      in[1] = wt;
      n_in = 3;
      if (dw) {
        ot = PNN_OPTIONS_OF(depthwise_conv2d);
        pnn_mb_options_defaults(1, ot, &u);
        u.depthwise_conv2d.padding = PNN_PADDING_SAME;
        u.depthwise_conv2d.stride_w = u.depthwise_conv2d.stride_h = 1;
        u.depthwise_conv2d.depth_multiplier = 1;
      } else {
        ot = PNN_OPTIONS_OF(conv2d);
        pnn_mb_options_defaults(1, ot, &u);
        u.conv2d.padding = PNN_PADDING_SAME;
        u.conv2d.stride_w = u.conv2d.stride_h = 1;
      }
      break;
    }
    case S_FC: {
      const int32_t wd[2] = {2, c_last};
      int wt;
      if (t == PNN_TYPE_INT8) {
        wt = pnn_mb_tensor(mb, "w", PNN_TYPE_INT8, 2, wd, w8);
        float sc = 0.05f;
        int64_t z = 0;
        pnn_mb_tensor_quant(mb, wt, 1, &sc, &z, 0);
      } else {
        wt = pnn_mb_tensor(mb, "w", PNN_TYPE_FLOAT32, 2, wd, w);
      }
      in[1] = wt;
      n_in = 2;
      ot = PNN_OPTIONS_OF(fully_connected);
      pnn_mb_options_defaults(1, ot, &u);
      u.fully_connected.keep_num_dims = variant & 1;
      break;
    }
    case S_RESIZE:
      in[1] = i32(mb, "size", 1, (const int32_t[]){2},
                  (const int32_t[]){3, 3});
      n_in = 2;
      break;
    case S_SPLIT:
      in[0] = i32(mb, "axis", 0, NULL, (const int32_t[]){variant % r});
      in[1] = x;
      n_in = 2;
      ot = PNN_OPTIONS_OF(split);
      pnn_mb_options_defaults(1, ot, &u);
      u.split.num_splits = 1;
      break;
    case S_SQUEEZE:
      break;
    case S_SPACE2DEPTH:
      ot = o->op == PNN_OP_SPACE_TO_DEPTH ? PNN_OPTIONS_OF(space_to_depth)
                                          : PNN_OPTIONS_OF(depth_to_space);
      pnn_mb_options_defaults(1, ot, &u);
      if (o->op == PNN_OP_SPACE_TO_DEPTH) u.space_to_depth.block_size = 2;
      else u.depth_to_space.block_size = 1;
      break;
    case S_TOPK:
      in[1] = i32(mb, "k", 0, NULL, (const int32_t[]){variant ? 0 : 1});
      n_in = 2;
      y2 = pnn_mb_tensor(mb, "idx_out", PNN_TYPE_INT32, r, s, NULL);
      break;
  }
  /* Outputs get their shapes at prepare; declare the input's shape. */
  int y = o->sig == S_ARG || yt == PNN_TYPE_BOOL || yt == PNN_TYPE_INT32 ||
                  yt == PNN_TYPE_FLOAT32
              ? pnn_mb_tensor(mb, "y", yt, r, s, NULL)
              : act(mb, "y", yt, r, s);
  int outs[2] = {y, y2};
  int n_out = y2 >= 0 ? 2 : 1;
  pnn_mb_op(mb, o->op, ot, ot ? &u : NULL, n_in, in, n_out, outs);
  pnn_mb_inputs(mb, n_gin, gin);
  pnn_mb_outputs(mb, n_out, outs);
  pnn_model *m = NULL;
  pnn_mb_load(mb, &m);
  pnn_mb_free(mb);
  return m;
}

TEST(every_op_survives_empty_inputs) {
  int built = 0, ran = 0;
  for (int oi = 0; oi < N_OPS; oi++) {
    const eop *o = &OPS[oi];
    for (int ti = 0; ti < (o->int8_too ? 2 : 1); ti++) {
      const pnn_type t = ti ? PNN_TYPE_INT8 : PNN_TYPE_FLOAT32;
      for (int si = 0; si < N_SHAPES; si++)
        for (int v = 0; v < 4; v++) {
          pnn_model *m = build(o, t, SHAPES[si], v);
          if (!m) continue;
          built++;
          pnn_interpreter *it = NULL;
          CHECK(pnn_interpreter_create(m, NULL, &it) == PNN_OK);
          pnn_status s = pnn_interpreter_allocate(it);
          if (!s) {
            for (int i = 0; i < pnn_interpreter_input_count(it); i++) {
              pnn_tensor *x = pnn_interpreter_input(it, i);
              uint8_t *p = pnn_tensor_data(x);
              size_t n = pnn_tensor_byte_size(x);
              for (size_t k = 0; p && k < n; k++) p[k] = (uint8_t)(k % 3);
            }
            s = pnn_interpreter_invoke(it);
          }
          if (!s) {
            ran++;
            volatile unsigned h = 0;
            for (int i = 0; i < pnn_interpreter_output_count(it); i++) {
              pnn_tensor *y = pnn_interpreter_output(it, i);
              const uint8_t *p = pnn_tensor_data(y);
              size_t n = pnn_tensor_byte_size(y);
              CHECK_MSG(n == 0 || p, "%s: output %d has %zu bytes, no data",
                        o->name, i, n);
              for (size_t k = 0; k < n; k++) h += p[k];
            }
            (void)h;
          } else {
            const char *e = pnn_interpreter_last_error(it);
            CHECK_MSG(strstr(e, "op 0 ("), "%s %s shape %d variant %d: %s",
                      o->name, pnn_type_name(t), si, v, e);
          }
          pnn_interpreter_free(it);
          pnn_model_free(m);
        }
    }
  }
  /* The grid must really run ops, not just fail to build. */
  CHECK_MSG(built > 1000 && ran > 500, "built %d, ran %d", built, ran);
}

TEST(empty_tensor_data_is_never_null) {
  /* An op whose input is empty but whose output is not (PAD of [0,3] by 1
   * is [2,5]): the empty input still has a data address, the output is
   * all padding. */
  pnn_mb *mb = pnn_mb_new();
  int x = pnn_mb_tensor(mb, "x", PNN_TYPE_FLOAT32, 2, (const int32_t[]){0, 3},
                        NULL);
  int p = pnn_mb_tensor(mb, "p", PNN_TYPE_INT32, 2, (const int32_t[]){2, 2},
                        (const int32_t[]){1, 1, 1, 1});
  int y = pnn_mb_tensor(mb, "y", PNN_TYPE_FLOAT32, 2, (const int32_t[]){2, 5},
                        NULL);
  pnn_mb_op(mb, PNN_OP_PAD, 0, NULL, 2, (const int32_t[]){x, p}, 1, &y);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
  pnn_model *m = NULL;
  CHECK(pnn_mb_load(mb, &m) == PNN_OK);
  pnn_mb_free(mb);
  pnn_interpreter *it = NULL;
  CHECK(pnn_interpreter_create(m, NULL, &it) == PNN_OK);
  CHECK_EQ_INT(pnn_interpreter_allocate(it), PNN_OK);
  pnn_tensor *in = pnn_interpreter_input(it, 0);
  CHECK_EQ_INT(pnn_tensor_byte_size(in), 0);
  CHECK(pnn_tensor_data(in) != NULL);
  CHECK_EQ_INT(pnn_interpreter_invoke(it), PNN_OK);
  pnn_tensor *out = pnn_interpreter_output(it, 0);
  CHECK_EQ_INT(pnn_tensor_byte_size(out), 2 * 5 * sizeof(float));
  const float *o = pnn_tensor_data(out);
  for (int i = 0; i < 10; i++) CHECK(o[i] == 0.f);
  pnn_interpreter_free(it);
  pnn_model_free(m);
}
