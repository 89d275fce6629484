/* Models for the full-integer quantizer tests (see quant_models.h).
 * Constants from a fixed LCG: every build makes the same files. */
#include "quant_models.h"

#include <stdint.h>

#define F32 PNN_TYPE_FLOAT32
#define DIMS(...) ((const int32_t[]){__VA_ARGS__})

static int cst(pnn_mb *mb, const char *name, int rank, const int32_t *d,
               uint32_t seed, float lo, float hi) {
  static float v[2048];
  int n = 1;
  for (int i = 0; i < rank; i++) n *= d[i];
  if (n > 2048) return -1;
  uint32_t s = seed * 2654435761u + 1;
  for (int i = 0; i < n; i++) {
    s = s * 1664525u + 1013904223u;
    v[i] = lo + (hi - lo) * (float)(s >> 8) / 16777216.0f;
  }
  return pnn_mb_tensor(mb, name, F32, rank, d, v);
}

static int act(pnn_mb *mb, const char *name, int rank, const int32_t *d) {
  return pnn_mb_tensor(mb, name, F32, rank, d, NULL);
}

static int i32(pnn_mb *mb, const char *name, int n, const int32_t *v) {
  return pnn_mb_tensor(mb, name, PNN_TYPE_INT32, 1, DIMS(n), v);
}

pnn_mb *tq_ops(void) {
  pnn_mb *mb = pnn_mb_new();
  int x = act(mb, "input", 4, DIMS(1, 6, 6, 4));
  int w = cst(mb, "conv/w", 4, DIMS(8, 3, 3, 4), 31, -0.4f, 0.4f);
  int b = cst(mb, "conv/b", 1, DIMS(8), 32, -0.2f, 0.2f);
  int a = act(mb, "conv", 4, DIMS(1, 6, 6, 8));
  pnn_conv2d_options co;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(conv2d), &co);
  co.padding = PNN_PADDING_SAME;
  co.stride_w = co.stride_h = 1;
  co.fused_activation_function = PNN_ACT_RELU;
  pnn_mb_op(mb, PNN_OP_CONV_2D, PNN_OPTIONS_OF(conv2d), &co, 3,
            (int32_t[]){x, w, b}, 1, &a);
  int perm = i32(mb, "perm", 4, DIMS(0, 2, 1, 3));
  int t = act(mb, "transpose", 4, DIMS(1, 6, 6, 4));
  pnn_mb_op(mb, PNN_OP_TRANSPOSE, 0, NULL, 2, (int32_t[]){x, perm}, 1, &t);
  int k = cst(mb, "cat/const", 4, DIMS(1, 6, 6, 2), 33, -0.5f, 1.5f);
  int c = act(mb, "concat", 4, DIMS(1, 6, 6, 14));
  pnn_concatenation_options cc;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(concatenation), &cc);
  cc.axis = 3;
  pnn_mb_op(mb, PNN_OP_CONCATENATION, PNN_OPTIONS_OF(concatenation), &cc, 3,
            (int32_t[]){a, t, k}, 1, &c);
  int l = act(mb, "leaky", 4, DIMS(1, 6, 6, 14));
  pnn_leaky_relu_options lo;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(leaky_relu), &lo);
  lo.alpha = 0.2f;
  pnn_mb_op(mb, PNN_OP_LEAKY_RELU, PNN_OPTIONS_OF(leaky_relu), &lo, 1, &c, 1,
            &l);
  int shape = i32(mb, "shape", 3, DIMS(1, 36, 14));
  int r = act(mb, "reshape", 3, DIMS(1, 36, 14));
  pnn_mb_op(mb, PNN_OP_RESHAPE, 0, NULL, 2, (int32_t[]){l, shape}, 1, &r);
  int bw = cst(mb, "bmm/w", 2, DIMS(14, 10), 34, -0.5f, 0.5f);
  int m = act(mb, "bmm", 3, DIMS(1, 36, 10));
  pnn_batch_matmul_options bo;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(batch_matmul), &bo);
  pnn_mb_op(mb, PNN_OP_BATCH_MATMUL, PNN_OPTIONS_OF(batch_matmul), &bo, 2,
            (int32_t[]){r, bw}, 1, &m);
  int axis = pnn_mb_tensor(mb, "split/axis", PNN_TYPE_INT32, 0, NULL,
                           (const int32_t[]){2});
  int s0 = act(mb, "split0", 3, DIMS(1, 36, 5));
  int s1 = act(mb, "split1", 3, DIMS(1, 36, 5));
  pnn_split_options so;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(split), &so);
  so.num_splits = 2;
  pnn_mb_op(mb, PNN_OP_SPLIT, PNN_OPTIONS_OF(split), &so, 2,
            (int32_t[]){axis, m}, 2, (int32_t[]){s0, s1});
  int pk = act(mb, "pack", 4, DIMS(2, 1, 36, 5));
  pnn_pack_options po;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(pack), &po);
  po.values_count = 2;
  po.axis = 0;
  pnn_mb_op(mb, PNN_OP_PACK, PNN_OPTIONS_OF(pack), &po, 2,
            (int32_t[]){s0, s1}, 1, &pk);
  int y = act(mb, "matmul", 3, DIMS(1, 36, 36));
  bo.adj_y = true;
  pnn_mb_op(mb, PNN_OP_BATCH_MATMUL, PNN_OPTIONS_OF(batch_matmul), &bo, 2,
            (int32_t[]){s0, s1}, 1, &y);
  int begin = i32(mb, "ss/begin", 4, DIMS(1, 0, 0, 0));
  int end = i32(mb, "ss/end", 4, DIMS(2, 1, 36, 5));
  int strides = i32(mb, "ss/strides", 4, DIMS(1, 1, 2, 1));
  int z = act(mb, "slice", 4, DIMS(1, 1, 18, 5));
  pnn_strided_slice_options ss;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(strided_slice), &ss);
  pnn_mb_op(mb, PNN_OP_STRIDED_SLICE, PNN_OPTIONS_OF(strided_slice), &ss, 4,
            (int32_t[]){pk, begin, end, strides}, 1, &z);
  int mx = act(mb, "maximum", 3, DIMS(1, 36, 5));
  pnn_mb_op(mb, PNN_OP_MAXIMUM, 0, NULL, 2, (int32_t[]){s0, s1}, 1, &mx);
  int mn = act(mb, "minimum", 3, DIMS(1, 36, 5));
  pnn_mb_op(mb, PNN_OP_MINIMUM, 0, NULL, 2, (int32_t[]){mx, s1}, 1, &mn);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 3, (int32_t[]){y, z, mn});
  return mb;
}

const tq_model tq_models[1] = {{"q8_ops", tq_ops}};
