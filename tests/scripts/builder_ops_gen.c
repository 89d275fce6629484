/* Writes one-op models, built with the model builder, for the ops the TF
 * converter never leaves in a model (it folds SHAPE/RANK/RANGE, turns
 * SQUEEZE/EXPAND_DIMS into RESHAPE, never emits L2_POOL_2D, RELU_0_TO_1 or
 * DENSIFY), so they too are checked against LiteRT
 * (tests/scripts/test_builder_ops_litert.sh runs both sides).
 * Usage: builder_ops_gen DIR  -> DIR/<case>.tflite */
#include <stdio.h>
#include <string.h>

#include "format/model_builder.h"

#define DIMS(...) \
  (int32_t[]) {   \
    __VA_ARGS__   \
  }
#define F32 PNN_TYPE_FLOAT32
#define I32 PNN_TYPE_INT32

static int act(pnn_mb *mb, const char *name, pnn_type type, int rank,
               const int32_t *dims) {
  return pnn_mb_tensor(mb, name, type, rank, dims, NULL);
}

static void io1(pnn_mb *mb, int x, int y) {
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
}

static void l2_pool(pnn_mb *mb, int padding, int f, int s, int h, int w) {
  int x = act(mb, "x", F32, 4, DIMS(2, h, w, 3));
  pnn_pool2d_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(pool2d), &o);
  o.padding = (int8_t)padding;
  o.filter_width = o.filter_height = f;
  o.stride_w = o.stride_h = s;
  int oh = padding == PNN_PADDING_SAME ? (h + s - 1) / s : (h - f + s) / s;
  int ow = padding == PNN_PADDING_SAME ? (w + s - 1) / s : (w - f + s) / s;
  int y = act(mb, "y", F32, 4, DIMS(2, oh, ow, 3));
  pnn_mb_op(mb, PNN_OP_L2_POOL_2D, PNN_OPTIONS_OF(pool2d), &o, 1, &x, 1, &y);
  io1(mb, x, y);
}
static void l2_pool_valid(pnn_mb *mb) { l2_pool(mb, PNN_PADDING_VALID, 2, 2, 6, 7); }
static void l2_pool_same(pnn_mb *mb) { l2_pool(mb, PNN_PADDING_SAME, 3, 2, 5, 5); }

static void relu_0_to_1(pnn_mb *mb) {
  int x = act(mb, "x", F32, 3, DIMS(2, 5, 7));
  int y = act(mb, "y", F32, 3, DIMS(2, 5, 7));
  pnn_mb_op(mb, PNN_OP_RELU_0_TO_1, 0, NULL, 1, &x, 1, &y);
  io1(mb, x, y);
}

static void squeeze_dims(pnn_mb *mb) {
  int x = act(mb, "x", F32, 5, DIMS(1, 3, 1, 4, 1));
  int y = act(mb, "y", F32, 3, DIMS(3, 4, 1));
  pnn_squeeze_options o = {.squeeze_dims = {DIMS(0, -3), 2}};
  pnn_mb_op(mb, PNN_OP_SQUEEZE, PNN_OPTIONS_OF(squeeze), &o, 1, &x, 1, &y);
  io1(mb, x, y);
}

static void squeeze_all(pnn_mb *mb) {
  int x = act(mb, "x", F32, 4, DIMS(1, 6, 1, 1));
  int y = act(mb, "y", F32, 1, DIMS(6));
  pnn_mb_op(mb, PNN_OP_SQUEEZE, PNN_OPTIONS_OF(squeeze), NULL, 1, &x, 1, &y);
  io1(mb, x, y);
}

static void expand_dims(pnn_mb *mb, int axis, int rank_out,
                        const int32_t *out_dims) {
  int x = act(mb, "x", F32, 2, DIMS(3, 4));
  int a = pnn_mb_tensor(mb, "axis", I32, 0, NULL, &axis);
  int y = act(mb, "y", F32, rank_out, out_dims);
  pnn_mb_op(mb, PNN_OP_EXPAND_DIMS, PNN_OPTIONS_OF(expand_dims), NULL, 2,
            DIMS(x, a), 1, &y);
  io1(mb, x, y);
}
static void expand_dims_0(pnn_mb *mb) { expand_dims(mb, 0, 3, DIMS(1, 3, 4)); }
static void expand_dims_neg1(pnn_mb *mb) { expand_dims(mb, -1, 3, DIMS(3, 4, 1)); }

/* SHAPE/RANK of an activation, added to an int input so the op is not the
 * whole graph (and pocketnn's prepare-time folding is exercised). */
static void shape_then_add(pnn_mb *mb, pnn_type out_type) {
  int x = act(mb, "x", F32, 3, DIMS(2, 5, 7));
  int k = act(mb, "k", out_type, 1, DIMS(3));
  int s = act(mb, "s", out_type, 1, DIMS(3));
  int y = act(mb, "y", out_type, 1, DIMS(3));
  pnn_shape_options o = {.out_type = (int8_t)out_type};
  pnn_mb_op(mb, PNN_OP_SHAPE, PNN_OPTIONS_OF(shape), &o, 1, &x, 1, &s);
  pnn_mb_op(mb, PNN_OP_ADD, PNN_OPTIONS_OF(add), NULL, 2, DIMS(s, k), 1, &y);
  pnn_mb_inputs(mb, 2, DIMS(x, k));
  pnn_mb_outputs(mb, 1, &y);
}
static void shape_int32(pnn_mb *mb) { shape_then_add(mb, I32); }
static void shape_int64(pnn_mb *mb) { shape_then_add(mb, PNN_TYPE_INT64); }

static void rank_then_add(pnn_mb *mb) {
  int x = act(mb, "x", F32, 4, DIMS(1, 2, 3, 4));
  int k = act(mb, "k", I32, 0, NULL);
  int r = act(mb, "r", I32, 0, NULL);
  int y = act(mb, "y", I32, 0, NULL);
  pnn_mb_op(mb, PNN_OP_RANK, PNN_OPTIONS_OF(rank), NULL, 1, &x, 1, &r);
  pnn_mb_op(mb, PNN_OP_ADD, PNN_OPTIONS_OF(add), NULL, 2, DIMS(r, k), 1, &y);
  pnn_mb_inputs(mb, 2, DIMS(x, k));
  pnn_mb_outputs(mb, 1, &y);
}

/* RANGE over constant start/limit/delta, added to an input of its size. */
static void range_f32(pnn_mb *mb) {
  float start = -1.5f, limit = 2.2f, delta = 0.25f;
  int s = pnn_mb_tensor(mb, "start", F32, 0, NULL, &start);
  int l = pnn_mb_tensor(mb, "limit", F32, 0, NULL, &limit);
  int d = pnn_mb_tensor(mb, "delta", F32, 0, NULL, &delta);
  int n = 15; /* ceil((2.2 + 1.5) / 0.25) */
  int r = act(mb, "r", F32, 1, DIMS(n));
  int x = act(mb, "x", F32, 1, DIMS(n));
  int y = act(mb, "y", F32, 1, DIMS(n));
  pnn_mb_op(mb, PNN_OP_RANGE, PNN_OPTIONS_OF(range), NULL, 3, DIMS(s, l, d),
            1, &r);
  pnn_mb_op(mb, PNN_OP_ADD, PNN_OPTIONS_OF(add), NULL, 2, DIMS(r, x), 1, &y);
  io1(mb, x, y);
}

static void range_i32_negative(pnn_mb *mb) {
  int32_t start = 10, limit = -7, delta = -3;
  int s = pnn_mb_tensor(mb, "start", I32, 0, NULL, &start);
  int l = pnn_mb_tensor(mb, "limit", I32, 0, NULL, &limit);
  int d = pnn_mb_tensor(mb, "delta", I32, 0, NULL, &delta);
  int n = 6; /* 10 7 4 1 -2 -5 */
  int r = act(mb, "r", I32, 1, DIMS(n));
  int x = act(mb, "x", I32, 1, DIMS(n));
  int y = act(mb, "y", I32, 1, DIMS(n));
  pnn_mb_op(mb, PNN_OP_RANGE, PNN_OPTIONS_OF(range), NULL, 3, DIMS(s, l, d),
            1, &r);
  pnn_mb_op(mb, PNN_OP_ADD, PNN_OPTIONS_OF(add), NULL, 2, DIMS(r, x), 1, &y);
  io1(mb, x, y);
}

/* A 4x6 matrix stored as CSR over its rows (dense dim 0, sparse dim 1). */
static void densify_csr_rows(pnn_mb *mb) {
  static const float vals[7] = {1.5f, -2.f, 3.25f, 0.5f, -1.f, 4.f, 2.5f};
  int x = act(mb, "x", F32, 2, DIMS(4, 6));
  int s = pnn_mb_tensor(mb, "s", F32, 1, DIMS(7), vals);
  pnn_tensor_def *sd = pnn_mb_tensor_def(mb, s);
  static const int32_t shape[2] = {4, 6};
  sd->rank = 2;
  sd->shape = shape;
  pnn_dim_metadata_def dm[2] = {{.format = PNN_DIM_DENSE, .dense_size = 4},
                                {.format = PNN_DIM_SPARSE_CSR,
                                 .segments_type = 1,
                                 .segments = {DIMS(0, 2, 2, 5, 7), 5},
                                 .indices_type = 1,
                                 .indices = {DIMS(0, 5, 1, 2, 4, 3, 5), 7}}};
  pnn_sparsity_def sp = {.traversal_order = {DIMS(0, 1), 2},
                         .n_dim_metadata = 2,
                         .dim_metadata = dm};
  pnn_mb_tensor_sparsity(mb, s, &sp);
  int d = act(mb, "dense", F32, 2, DIMS(4, 6));
  int y = act(mb, "y", F32, 2, DIMS(4, 6));
  pnn_mb_op(mb, PNN_OP_DENSIFY, 0, NULL, 1, &s, 1, &d);
  pnn_mb_op(mb, PNN_OP_ADD, PNN_OPTIONS_OF(add), NULL, 2, DIMS(x, d), 1, &y);
  io1(mb, x, y);
}

static const struct {
  const char *name;
  void (*build)(pnn_mb *);
} cases[] = {
    {"l2_pool_valid", l2_pool_valid},   {"l2_pool_same", l2_pool_same},
    {"relu_0_to_1", relu_0_to_1},       {"squeeze_dims", squeeze_dims},
    {"squeeze_all", squeeze_all},       {"expand_dims_0", expand_dims_0},
    {"expand_dims_neg1", expand_dims_neg1}, {"shape_int32", shape_int32},
    {"shape_int64", shape_int64},       {"rank", rank_then_add},
    {"range_f32", range_f32},           {"range_i32_negative", range_i32_negative},
    {"densify_csr_rows", densify_csr_rows},
};

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  int bad = 0;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    pnn_mb *mb = pnn_mb_new();
    if (!mb) return 1;
    cases[i].build(mb);
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.tflite", argv[1], cases[i].name);
    const pnn_model_def *m = pnn_mb_def(mb);
    char err[256] = "";
    if (!m || pnn_model_write_file(m, NULL, path, err, sizeof err) != PNN_OK) {
      fprintf(stderr, "error: %s: %s%s\n", cases[i].name, pnn_mb_error(mb), err);
      bad = 1;
    }
    pnn_mb_free(mb);
  }
  return bad;
}
