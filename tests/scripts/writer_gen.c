/* Writes models for tests/scripts/test_writer_litert.sh, which checks them
 * with LiteRT:
 *   writer_gen families DIR       small models, one per op family, built
 *                                 with the model builder: DIR/NAME.tflite
 *                                 and DIR/NAME.ext.tflite (offset/size form)
 *   writer_gen rewrite IN OUT [--external]
 *                                 decode IN and write it again to OUT
 * Constant data follows cval(i) = ((i * 37) % 17 - 8) / 8, which
 * writer_litert_check.py repeats to compute the expected outputs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/model_builder.h"
#include "format/writer.h"
#include "util/pool.h"

static float cval(int i) {
  return (float)((i * 37) % 17 - 8) / 8.0f;
}

static const float *cvals(int n) {
  static float v[4096];
  for (int i = 0; i < n && i < 4096; i++) v[i] = cval(i);
  return v;
}

#define DIMS(...) \
  (int32_t[]) {   \
    __VA_ARGS__   \
  }
#define F32 PNN_TYPE_FLOAT32

/* Shorthands for the family builders. */
static int act(pnn_mb *mb, const char *name, int rank, const int32_t *dims) {
  return pnn_mb_tensor(mb, name, F32, rank, dims, NULL);
}
static int cst(pnn_mb *mb, const char *name, int rank, const int32_t *dims) {
  int n = 1;
  for (int i = 0; i < rank; i++) n *= dims[i];
  return pnn_mb_tensor(mb, name, F32, rank, dims, cvals(n));
}
static void io(pnn_mb *mb, int n_in, const int32_t *in, int n_out,
               const int32_t *out) {
  pnn_mb_inputs(mb, n_in, in);
  pnn_mb_outputs(mb, n_out, out);
}

static void add_relu6(pnn_mb *mb) {
  int x = act(mb, "x", 4, DIMS(1, 2, 2, 3)), c = cst(mb, "c", 1, DIMS(3));
  int y = act(mb, "y", 4, DIMS(1, 2, 2, 3));
  pnn_add_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(add), &o);
  o.fused_activation_function = PNN_ACT_RELU6;
  pnn_mb_op(mb, PNN_OP_ADD, PNN_OPTIONS_OF(add), &o, 2, DIMS(x, c), 1, &y);
  io(mb, 1, &x, 1, &y);
  pnn_mb_signature(mb, "serving_default", 0, 1, (const char *[]){"input_x"}, &x,
                   1, (const char *[]){"sum"}, &y);
}

static void conv(pnn_mb *mb, int same, int stride, int dil, int act_fn) {
  int x = act(mb, "x", 4, DIMS(1, 5, 5, 2));
  int w = cst(mb, "w", 4, DIMS(3, 3, 3, 2)), b = cst(mb, "b", 1, DIMS(3));
  int oh =
      same ? (5 + stride - 1) / stride : (5 - (3 - 1) * dil - 1) / stride + 1;
  int y = act(mb, "y", 4, DIMS(1, oh, oh, 3));
  pnn_conv2d_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(conv2d), &o);
  o.padding = same ? PNN_PADDING_SAME : PNN_PADDING_VALID;
  o.stride_w = o.stride_h = stride;
  o.dilation_w_factor = o.dilation_h_factor = dil;
  o.fused_activation_function = (int8_t)act_fn;
  pnn_mb_op(mb, PNN_OP_CONV_2D, PNN_OPTIONS_OF(conv2d), &o, 3, DIMS(x, w, b), 1,
            &y);
  io(mb, 1, &x, 1, &y);
}
static void conv_same_s2(pnn_mb *mb) {
  conv(mb, 1, 2, 1, PNN_ACT_RELU);
}
static void conv_valid_dil2(pnn_mb *mb) {
  conv(mb, 0, 1, 2, PNN_ACT_NONE);
}

static void dwconv_mult2(pnn_mb *mb) {
  int x = act(mb, "x", 4, DIMS(1, 4, 4, 2));
  int w = cst(mb, "w", 4, DIMS(1, 3, 3, 4)), b = cst(mb, "b", 1, DIMS(4));
  int y = act(mb, "y", 4, DIMS(1, 4, 4, 4));
  pnn_depthwise_conv2d_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(depthwise_conv2d), &o);
  o.padding = PNN_PADDING_SAME;
  o.stride_w = o.stride_h = 1;
  o.depth_multiplier = 2;
  o.fused_activation_function = PNN_ACT_RELU6;
  pnn_mb_op(mb, PNN_OP_DEPTHWISE_CONV_2D, PNN_OPTIONS_OF(depthwise_conv2d), &o,
            3, DIMS(x, w, b), 1, &y);
  io(mb, 1, &x, 1, &y);
}

static void fc_keep_dims(pnn_mb *mb) {
  int x = act(mb, "x", 3, DIMS(2, 3, 4));
  int w = cst(mb, "w", 2, DIMS(5, 4)), b = cst(mb, "b", 1, DIMS(5));
  int y = act(mb, "y", 3, DIMS(2, 3, 5));
  pnn_fully_connected_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(fully_connected), &o);
  o.keep_num_dims = true;
  o.fused_activation_function = PNN_ACT_RELU;
  pnn_mb_op(mb, PNN_OP_FULLY_CONNECTED, PNN_OPTIONS_OF(fully_connected), &o, 3,
            DIMS(x, w, b), 1, &y);
  io(mb, 1, &x, 1, &y);
}

static void pool(pnn_mb *mb, int32_t code, int same, int k, int s, int oh) {
  int x = act(mb, "x", 4, DIMS(1, 5, 5, 3));
  int y = act(mb, "y", 4, DIMS(1, oh, oh, 3));
  pnn_pool2d_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(pool2d), &o);
  o.padding = same ? PNN_PADDING_SAME : PNN_PADDING_VALID;
  o.filter_width = o.filter_height = k;
  o.stride_w = o.stride_h = s;
  pnn_mb_op(mb, code, PNN_OPTIONS_OF(pool2d), &o, 1, &x, 1, &y);
  io(mb, 1, &x, 1, &y);
}
static void avgpool_valid(pnn_mb *mb) {
  pool(mb, PNN_OP_AVERAGE_POOL_2D, 0, 2, 2, 2);
}
static void maxpool_same(pnn_mb *mb) {
  pool(mb, PNN_OP_MAX_POOL_2D, 1, 3, 2, 3);
}

static void softmax_beta(pnn_mb *mb) {
  int x = act(mb, "x", 2, DIMS(2, 5)), y = act(mb, "y", 2, DIMS(2, 5));
  pnn_softmax_options o = {.beta = 0.5f};
  pnn_mb_op(mb, PNN_OP_SOFTMAX, PNN_OPTIONS_OF(softmax), &o, 1, &x, 1, &y);
  io(mb, 1, &x, 1, &y);
}

static void reshape_opts(pnn_mb *mb) {
  int x = act(mb, "x", 2, DIMS(2, 6)), y = act(mb, "y", 2, DIMS(3, 4));
  pnn_reshape_options o = {.new_shape = {DIMS(3, 4), 2}};
  pnn_mb_op(mb, PNN_OP_RESHAPE, PNN_OPTIONS_OF(reshape), &o, 1, &x, 1, &y);
  io(mb, 1, &x, 1, &y);
}

static void concat_neg_axis(pnn_mb *mb) {
  int x = act(mb, "x", 2, DIMS(2, 3)), c = cst(mb, "c", 2, DIMS(2, 2));
  int y = act(mb, "y", 2, DIMS(2, 5));
  /* TFLite refuses a fused activation on CONCATENATION; axis -1 is the
   * non-default field. */
  pnn_concatenation_options o = {.axis = -1};
  pnn_mb_op(mb, PNN_OP_CONCATENATION, PNN_OPTIONS_OF(concatenation), &o, 2,
            DIMS(x, c), 1, &y);
  io(mb, 1, &x, 1, &y);
}

static void strided_slice_masks(pnn_mb *mb) {
  int x = act(mb, "x", 3, DIMS(4, 5, 6));
  int b =
      pnn_mb_tensor(mb, "begin", PNN_TYPE_INT32, 1, DIMS(3), DIMS(1, 0, -1));
  int e = pnn_mb_tensor(mb, "end", PNN_TYPE_INT32, 1, DIMS(3), DIMS(3, 0, 0));
  int s =
      pnn_mb_tensor(mb, "strides", PNN_TYPE_INT32, 1, DIMS(3), DIMS(1, 2, -1));
  int y = act(mb, "y", 3, DIMS(2, 3, 6));
  pnn_strided_slice_options o = {.begin_mask = 2, .end_mask = 6};
  pnn_mb_op(mb, PNN_OP_STRIDED_SLICE, PNN_OPTIONS_OF(strided_slice), &o, 4,
            DIMS(x, b, e, s), 1, &y);
  io(mb, 1, &x, 1, &y);
}

static void mean_keep_dims(pnn_mb *mb) {
  int x = act(mb, "x", 3, DIMS(2, 3, 4));
  int ax = pnn_mb_tensor(mb, "axis", PNN_TYPE_INT32, 1, DIMS(1), DIMS(1));
  int y = act(mb, "y", 3, DIMS(2, 1, 4));
  pnn_reducer_options o = {.keep_dims = true};
  pnn_mb_op(mb, PNN_OP_MEAN, PNN_OPTIONS_OF(reducer), &o, 2, DIMS(x, ax), 1,
            &y);
  io(mb, 1, &x, 1, &y);
}

static void leaky_relu(pnn_mb *mb) {
  int x = act(mb, "x", 2, DIMS(3, 4)), y = act(mb, "y", 2, DIMS(3, 4));
  pnn_leaky_relu_options o = {.alpha = 0.2f};
  pnn_mb_op(mb, PNN_OP_LEAKY_RELU, PNN_OPTIONS_OF(leaky_relu), &o, 1, &x, 1,
            &y);
  io(mb, 1, &x, 1, &y);
}

static void gather_axis1(pnn_mb *mb) {
  int x = act(mb, "x", 2, DIMS(3, 4));
  int idx = pnn_mb_tensor(mb, "idx", PNN_TYPE_INT32, 1, DIMS(2), DIMS(3, 0));
  int y = act(mb, "y", 2, DIMS(3, 2));
  pnn_gather_options o = {.axis = 1};
  pnn_mb_op(mb, PNN_OP_GATHER, PNN_OPTIONS_OF(gather), &o, 2, DIMS(x, idx), 1,
            &y);
  io(mb, 1, &x, 1, &y);
}

static void batch_matmul_adj_y(pnn_mb *mb) {
  int a = act(mb, "a", 3, DIMS(2, 3, 4)), b = cst(mb, "b", 3, DIMS(2, 5, 4));
  int y = act(mb, "y", 3, DIMS(2, 3, 5));
  pnn_batch_matmul_options o = {.adj_y = true};
  pnn_mb_op(mb, PNN_OP_BATCH_MATMUL, PNN_OPTIONS_OF(batch_matmul), &o, 2,
            DIMS(a, b), 1, &y);
  io(mb, 1, &a, 1, &y);
}

static void split3(pnn_mb *mb) {
  int ax = pnn_mb_tensor(mb, "axis", PNN_TYPE_INT32, 0, NULL, DIMS(1));
  int x = act(mb, "x", 2, DIMS(4, 6));
  int y[3];
  for (int i = 0; i < 3; i++) {
    char name[16];
    snprintf(name, sizeof name, "y%d", i);
    y[i] = act(mb, name, 2, DIMS(4, 2));
  }
  pnn_split_options o = {.num_splits = 3};
  pnn_mb_op(mb, PNN_OP_SPLIT, PNN_OPTIONS_OF(split), &o, 2, DIMS(ax, x), 3, y);
  io(mb, 1, &x, 3, y);
}

/* x + dequantize(q) with per-channel int8 q. */
static void dequant_int8_per_channel(pnn_mb *mb) {
  int x = act(mb, "x", 2, DIMS(2, 3));
  int8_t q[6] = {-128, -5, 0, 7, 100, 127};
  int qt = pnn_mb_tensor(mb, "q", PNN_TYPE_INT8, 2, DIMS(2, 3), q);
  pnn_mb_tensor_quant(mb, qt, 3, (float[]){0.5f, 0.25f, 0.125f},
                      (int64_t[]){0, 1, -1}, 1);
  int d = act(mb, "dq", 2, DIMS(2, 3)), y = act(mb, "y", 2, DIMS(2, 3));
  pnn_mb_op(mb, PNN_OP_DEQUANTIZE, 0, NULL, 1, &qt, 1, &d);
  pnn_mb_op(mb, PNN_OP_ADD, PNN_OPTIONS_OF(add), NULL, 2, DIMS(x, d), 1, &y);
  io(mb, 1, &x, 1, &y);
}

/* x + dequantize(h) with float16 h = {1, -2, 0.5, 65504}. */
static void dequant_fp16(pnn_mb *mb) {
  int x = act(mb, "x", 1, DIMS(4));
  uint16_t h[4] = {0x3c00, 0xc000, 0x3800, 0x7bff};
  int ht = pnn_mb_tensor(mb, "h", PNN_TYPE_FLOAT16, 1, DIMS(4), h);
  int d = act(mb, "dq", 1, DIMS(4)), y = act(mb, "y", 1, DIMS(4));
  pnn_mb_op(mb, PNN_OP_DEQUANTIZE, 0, NULL, 1, &ht, 1, &d);
  pnn_mb_op(mb, PNN_OP_ADD, PNN_OPTIONS_OF(add), NULL, 2, DIMS(x, d), 1, &y);
  io(mb, 1, &x, 1, &y);
}

/* x + densify(s), s a CSR 4x4 matrix with values at (0,1) (1,0) (1,3)
 * (3,2): segments {0,1,3,3,4} (uint8), indices {1,0,3,2} (uint16). */
static void densify_csr(pnn_mb *mb) {
  int x = act(mb, "x", 2, DIMS(4, 4));
  int s = pnn_mb_tensor(mb, "s", F32, 1, DIMS(4), cvals(4));
  pnn_tensor_def *sd = pnn_mb_tensor_def(mb, s);
  static const int32_t shape[2] = {4, 4};
  sd->rank = 2;
  sd->shape = shape;
  pnn_dim_metadata_def dm[2] = {{.format = PNN_DIM_DENSE, .dense_size = 4},
                                {.format = PNN_DIM_SPARSE_CSR,
                                 .segments_type = 3,
                                 .segments = {DIMS(0, 1, 3, 3, 4), 5},
                                 .indices_type = 2,
                                 .indices = {DIMS(1, 0, 3, 2), 4}}};
  pnn_sparsity_def sp = {.traversal_order = {DIMS(0, 1), 2},
                         .n_dim_metadata = 2,
                         .dim_metadata = dm};
  pnn_mb_tensor_sparsity(mb, s, &sp);
  int d = act(mb, "dense", 2, DIMS(4, 4)), y = act(mb, "y", 2, DIMS(4, 4));
  pnn_mb_op(mb, PNN_OP_DENSIFY, 0, NULL, 1, &s, 1, &d);
  pnn_mb_op(mb, PNN_OP_ADD, PNN_OPTIONS_OF(add), NULL, 2, DIMS(x, d), 1, &y);
  io(mb, 1, &x, 1, &y);
}

/* int8 add: a(0.05, -3) + b(0.1, 2) -> y(0.125, -1). */
static void add_int8(pnn_mb *mb) {
  int a = pnn_mb_tensor(mb, "a", PNN_TYPE_INT8, 1, DIMS(8), NULL);
  int b = pnn_mb_tensor(mb, "b", PNN_TYPE_INT8, 1, DIMS(8), NULL);
  int y = pnn_mb_tensor(mb, "y", PNN_TYPE_INT8, 1, DIMS(8), NULL);
  pnn_mb_tensor_quant(mb, a, 1, (float[]){0.05f}, (int64_t[]){-3}, 0);
  pnn_mb_tensor_quant(mb, b, 1, (float[]){0.1f}, (int64_t[]){2}, 0);
  pnn_mb_tensor_quant(mb, y, 1, (float[]){0.125f}, (int64_t[]){-1}, 0);
  pnn_mb_op(mb, PNN_OP_ADD, PNN_OPTIONS_OF(add), NULL, 2, DIMS(a, b), 1, &y);
  io(mb, 2, DIMS(a, b), 1, &y);
}

static void resize_bilinear_half_pixel(pnn_mb *mb) {
  int x = act(mb, "x", 4, DIMS(1, 2, 3, 1));
  int size = pnn_mb_tensor(mb, "size", PNN_TYPE_INT32, 1, DIMS(2), DIMS(4, 5));
  int y = act(mb, "y", 4, DIMS(1, 4, 5, 1));
  pnn_resize_bilinear_options o = {.half_pixel_centers = true};
  pnn_mb_op(mb, PNN_OP_RESIZE_BILINEAR, PNN_OPTIONS_OF(resize_bilinear), &o, 2,
            DIMS(x, size), 1, &y);
  io(mb, 1, &x, 1, &y);
}

/* IF(cond) then |x| else -x, branches in subgraphs 1 and 2. */
static void if_branches(pnn_mb *mb) {
  int c = pnn_mb_tensor(mb, "cond", PNN_TYPE_BOOL, 0, NULL, NULL);
  int x = act(mb, "x", 1, DIMS(3)), y = act(mb, "y", 1, DIMS(3));
  pnn_if__options o = {.then_subgraph_index = 1, .else_subgraph_index = 2};
  pnn_mb_op(mb, PNN_OP_IF, PNN_OPTIONS_OF(if_), &o, 2, DIMS(c, x), 1, &y);
  io(mb, 2, DIMS(c, x), 1, &y);
  for (int k = 0; k < 2; k++) {
    pnn_mb_subgraph(mb, k ? "else" : "then");
    int bx = act(mb, "bx", 1, DIMS(3)), by = act(mb, "by", 1, DIMS(3));
    pnn_mb_op(mb, k ? PNN_OP_NEG : PNN_OP_ABS, 0, NULL, 1, &bx, 1, &by);
    io(mb, 1, &bx, 1, &by);
  }
  pnn_mb_use_subgraph(mb, 0);
}

static const struct {
  const char *name;
  void (*build)(pnn_mb *);
} families[] = {
    {"add_relu6", add_relu6},
    {"conv_same_s2", conv_same_s2},
    {"conv_valid_dil2", conv_valid_dil2},
    {"dwconv_mult2", dwconv_mult2},
    {"fc_keep_dims", fc_keep_dims},
    {"avgpool_valid", avgpool_valid},
    {"maxpool_same", maxpool_same},
    {"softmax_beta", softmax_beta},
    {"reshape_opts", reshape_opts},
    {"concat_neg_axis", concat_neg_axis},
    {"strided_slice_masks", strided_slice_masks},
    {"mean_keep_dims", mean_keep_dims},
    {"leaky_relu", leaky_relu},
    {"gather_axis1", gather_axis1},
    {"batch_matmul_adj_y", batch_matmul_adj_y},
    {"split3", split3},
    {"dequant_int8_per_channel", dequant_int8_per_channel},
    {"dequant_fp16", dequant_fp16},
    {"densify_csr", densify_csr},
    {"add_int8", add_int8},
    {"resize_bilinear_half_pixel", resize_bilinear_half_pixel},
    {"if_branches", if_branches},
};

static int write_families(const char *dir) {
  int bad = 0;
  for (size_t i = 0; i < sizeof families / sizeof families[0]; i++) {
    pnn_mb *mb = pnn_mb_new();
    if (!mb) return 1;
    families[i].build(mb);
    for (int ext = 0; ext < 2; ext++) {
      char path[1024];
      snprintf(path, sizeof path, "%s/%s%s.tflite", dir, families[i].name,
               ext ? ".ext" : "");
      pnn_write_options o = {.flags = ext ? PNN_WRITE_EXTERNAL_DATA : 0};
      const pnn_model_def *m = pnn_mb_def(mb);
      char err[256] = "";
      if (!m || pnn_model_write_file(m, &o, path, err, sizeof err) != PNN_OK) {
        fprintf(stderr, "error: %s: %s%s\n", families[i].name, pnn_mb_error(mb),
                err);
        bad = 1;
        break;
      }
    }
    pnn_mb_free(mb);
  }
  return bad;
}

static int rewrite(const char *in, const char *out, bool external) {
  FILE *f = fopen(in, "rb");
  if (!f) {
    fprintf(stderr, "error: cannot open %s\n", in);
    return 1;
  }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *bytes = malloc(n > 0 ? (size_t)n : 1);
  if (!bytes || n <= 0 || fread(bytes, 1, (size_t)n, f) != (size_t)n) {
    fprintf(stderr, "error: cannot read %s\n", in);
    fclose(f);
    free(bytes);
    return 1;
  }
  fclose(f);
  pnn_pool pool;
  pnn_pool_init(&pool);
  pnn_model_def m;
  char err[256];
  pnn_write_options o = {.flags = external ? PNN_WRITE_EXTERNAL_DATA : 0};
  pnn_status st =
      pnn_model_decode(bytes, (size_t)n, &pool, &m, err, sizeof err);
  if (st == PNN_OK) st = pnn_model_write_file(&m, &o, out, err, sizeof err);
  if (st != PNN_OK) fprintf(stderr, "error: %s: %s\n", in, err);
  pnn_pool_free(&pool);
  free(bytes);
  return st == PNN_OK ? 0 : 1;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "families") == 0)
    return write_families(argv[2]);
  if ((argc == 4 || argc == 5) && strcmp(argv[1], "rewrite") == 0)
    return rewrite(argv[2], argv[3],
                   argc == 5 && strcmp(argv[4], "--external") == 0);
  fprintf(stderr,
          "usage: writer_gen families DIR | rewrite IN OUT [--external]\n");
  return 2;
}
