/* The malformed-model suite (issue 5): models made with the model builder
 * that each violate one rule — an index out of range, a bad dimension, an
 * op parameter of zero, an axis out of range, bad quantization, mismatched
 * shapes, an absent required input, a string or resource tensor fed to
 * arithmetic, a recursive subgraph, bad sparsity, a buffer past the end of
 * the file, a reshape that changes the element count, a gather index out
 * of range at invoke. Each must fail at load, prepare or (data-dependent
 * ones) invoke, with a message naming the op and the problem. A final
 * sweep feeds every registered builtin generic bad inputs (wrong input
 * counts, absent inputs, rank 8, zero-size, wrong types) and requires a
 * clean status, never a crash (run it under `make asan`). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/model_builder.h"
#include "format/op_options.h"
#include "harness.h"
#include "malformed_util.h"
#include "ops/op.h"

static const float kF[64] = {1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8,
                             1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8,
                             1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8,
                             1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8};

/* Runs the model; true when it failed at a stage in [lo, hi] and the
 * message holds every substring of `subs` (NULL-terminated). Prints what
 * happened otherwise. */
static bool fails(const char *what, pnn_mb *mb, mo_stage lo, mo_stage hi,
                  void (*patch)(uint8_t *, size_t), const char *const *subs) {
  mo_result r;
  mo_run(mb, patch, &r);
  bool ok = r.stage >= lo && r.stage <= hi && r.status != PNN_OK;
  for (int i = 0; ok && subs[i]; i++)
    if (!strstr(r.message, subs[i])) ok = false;
  if (!ok || getenv("PNN_MALFORMED_VERBOSE"))
    fprintf(stderr, "%s %s: stopped at %s (%s): %s\n", ok ? "ok" : "FAIL",
            what, mo_stage_name(r.stage), pnn_status_string(r.status),
            r.message);
  return ok;
}
#define FAILS_AT(what, mb, lo, hi, ...) \
  fails(what, mb, lo, hi, NULL, (const char *const[]){__VA_ARGS__, NULL})
/* Fails at load or prepare. */
#define REFUSED(what, mb, ...) FAILS_AT(what, mb, MO_LOAD, MO_PREPARE, __VA_ARGS__)

static int ftensor(pnn_mb *mb, const char *name, int rank, const int32_t *dims,
                   const void *data) {
  return pnn_mb_tensor(mb, name, PNN_TYPE_FLOAT32, rank, dims, data);
}

/* x[1,4,4,2] -> op -> y[1,4,4,2] with the given extra inputs. */
static pnn_mb *one_op(int32_t builtin, uint8_t opt_type, const void *opts,
                      int n_extra, const int32_t *extra_rank,
                      const int32_t *const *extra_dims,
                      const void *const *extra_data) {
  pnn_mb *mb = pnn_mb_new();
  int32_t s[] = {1, 4, 4, 2};
  int32_t in[8];
  in[0] = ftensor(mb, "x", 4, s, NULL);
  for (int i = 0; i < n_extra; i++)
    in[1 + i] = ftensor(mb, "w", extra_rank[i], extra_dims[i], extra_data[i]);
  int y = ftensor(mb, "y", 4, s, NULL);
  pnn_mb_op(mb, builtin, opt_type, opts, 1 + n_extra, in, 1, &y);
  pnn_mb_inputs(mb, 1, in);
  pnn_mb_outputs(mb, 1, &y);
  return mb;
}

static pnn_mb *conv_model(const pnn_conv2d_options *o) {
  return one_op(PNN_OP_CONV_2D, PNN_OPTIONS_OF(conv2d), o, 2,
                (int32_t[]){4, 1}, (const int32_t *const[]){(int32_t[]){2, 1, 1, 2}, (int32_t[]){2}},
                (const void *const[]){kF, kF});
}

static pnn_mb *dw_model(const pnn_depthwise_conv2d_options *o) {
  return one_op(PNN_OP_DEPTHWISE_CONV_2D, PNN_OPTIONS_OF(depthwise_conv2d), o,
                2, (int32_t[]){4, 1},
                (const int32_t *const[]){(int32_t[]){1, 1, 1, 2}, (int32_t[]){2}},
                (const void *const[]){kF, kF});
}

static pnn_mb *pool_model(int32_t builtin, const pnn_pool2d_options *o) {
  return one_op(builtin, PNN_OPTIONS_OF(pool2d), o, 0, NULL, NULL, NULL);
}

/* x -> RELU -> y, both float of shape dims (rank r); *x, *y: their
 * indices. */
static pnn_mb *relu_model(int r, const int32_t *dims, int *x, int *y) {
  pnn_mb *mb = pnn_mb_new();
  *x = ftensor(mb, "x", r, dims, NULL);
  *y = ftensor(mb, "y", r, dims, NULL);
  pnn_mb_op(mb, PNN_OP_RELU, 0, NULL, 1, x, 1, y);
  pnn_mb_inputs(mb, 1, x);
  pnn_mb_outputs(mb, 1, y);
  return mb;
}

/* ------------------------------------------------------------ classes */

TEST(tensor_index_out_of_range) {
  int x, y;
  pnn_mb *mb = relu_model(2, (int32_t[]){1, 4}, &x, &y);
  /* Edit the op's input list behind the builder's back. */
  const pnn_model_def *d = pnn_mb_def(mb);
  CHECK(d && d->subgraphs[0].n_ops == 1);
  ((int32_t *)d->subgraphs[0].ops[0].inputs.data)[0] = 99;
  CHECK(FAILS_AT("op input 99", mb, MO_BUILD, MO_PREPARE, "op 0", "99"));
}

TEST(negative_dim) {
  int x, y;
  pnn_mb *mb = relu_model(2, (int32_t[]){1, 4}, &x, &y);
  ((int32_t *)pnn_mb_tensor_def(mb, x)->shape)[1] = -3;
  CHECK(FAILS_AT("dim -3", mb, MO_BUILD, MO_PREPARE, "-3"));
}

TEST(dim_product_overflows) {
  int x, y;
  pnn_mb *mb = relu_model(4, (int32_t[]){1, 1, 1, 1}, &x, &y);
  /* The builder refuses such a shape: write it behind its back. */
  static const int32_t huge[] = {2147483647, 2147483647, 2147483647, 16};
  pnn_mb_tensor_def(mb, x)->shape = huge;
  pnn_mb_tensor_def(mb, y)->shape = huge;
  CHECK(REFUSED("dims overflow", mb, "tensor 0"));
}

TEST(conv_stride_dilation_zero) {
  pnn_conv2d_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(conv2d), &o);
  o.stride_w = 0;
  o.stride_h = 1;
  CHECK(REFUSED("conv stride 0", conv_model(&o), "op 0", "stride"));
  o.stride_w = 1;
  o.dilation_h_factor = 0;
  CHECK(REFUSED("conv dilation 0", conv_model(&o), "op 0", "dilation"));
  o.dilation_h_factor = -2;
  CHECK(REFUSED("conv dilation -2", conv_model(&o), "op 0", "dilation"));
  pnn_depthwise_conv2d_options d;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(depthwise_conv2d), &d);
  d.stride_w = d.stride_h = 1;
  d.depth_multiplier = 1;
  d.stride_h = 0;
  CHECK(REFUSED("depthwise stride 0", dw_model(&d), "op 0", "stride"));
  d.stride_h = 1;
  d.dilation_w_factor = 0;
  CHECK(REFUSED("depthwise dilation 0", dw_model(&d), "op 0", "dilation"));
}

TEST(depth_multiplier_zero) {
  pnn_depthwise_conv2d_options d;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(depthwise_conv2d), &d);
  d.stride_w = d.stride_h = 1;
  d.depth_multiplier = 0;
  /* TFLite tolerates depth_multiplier 0 when the filter's channels say
   * otherwise; a filter whose channel count is not a multiple of the
   * input's must fail. */
  pnn_mb *mb = one_op(PNN_OP_DEPTHWISE_CONV_2D,
                      PNN_OPTIONS_OF(depthwise_conv2d), &d, 2,
                      (int32_t[]){4, 1},
                      (const int32_t *const[]){(int32_t[]){1, 1, 1, 3}, (int32_t[]){3}},
                      (const void *const[]){kF, kF});
  CHECK(REFUSED("depthwise channels 3 vs 2", mb, "op 0"));
}

TEST(pool_filter_stride_zero) {
  pnn_pool2d_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(pool2d), &o);
  o.stride_w = o.stride_h = 1;
  o.filter_width = 0;
  o.filter_height = 2;
  CHECK(REFUSED("avg pool filter 0", pool_model(PNN_OP_AVERAGE_POOL_2D, &o),
                "op 0", "filter"));
  CHECK(REFUSED("max pool filter 0", pool_model(PNN_OP_MAX_POOL_2D, &o),
                "op 0", "filter"));
  o.filter_width = 2;
  o.stride_h = 0;
  CHECK(REFUSED("max pool stride 0", pool_model(PNN_OP_MAX_POOL_2D, &o),
                "op 0", "stride"));
  CHECK(REFUSED("l2 pool stride 0", pool_model(PNN_OP_L2_POOL_2D, &o),
                "op 0"));
}

TEST(block_size_zero) {
  pnn_space_to_depth_options s = {0};
  CHECK(REFUSED("space_to_depth block 0",
                one_op(PNN_OP_SPACE_TO_DEPTH, PNN_OPTIONS_OF(space_to_depth),
                       &s, 0, NULL, NULL, NULL),
                "op 0", "block"));
  pnn_depth_to_space_options d = {0};
  CHECK(REFUSED("depth_to_space block 0",
                one_op(PNN_OP_DEPTH_TO_SPACE, PNN_OPTIONS_OF(depth_to_space),
                       &d, 0, NULL, NULL, NULL),
                "op 0", "block"));
  d.block_size = -4;
  CHECK(REFUSED("depth_to_space block -4",
                one_op(PNN_OP_DEPTH_TO_SPACE, PNN_OPTIONS_OF(depth_to_space),
                       &d, 0, NULL, NULL, NULL),
                "op 0", "block"));
  /* BATCH_TO_SPACE_ND with a zero block shape. */
  pnn_mb *mb = one_op(PNN_OP_BATCH_TO_SPACE_ND, 0, NULL, 2,
                      (int32_t[]){1, 2},
                      (const int32_t *const[]){(int32_t[]){2}, (int32_t[]){2, 2}},
                      (const void *const[]){(int32_t[]){0, 1}, (int32_t[]){0, 0, 0, 0}});
  /* The helper makes float extras: rebuild with int32 constants. */
  pnn_mb_free(mb);
  mb = pnn_mb_new();
  int32_t xs[] = {4, 2, 2, 1};
  int x = ftensor(mb, "x", 4, xs, NULL);
  int bs = pnn_mb_tensor(mb, "block", PNN_TYPE_INT32, 1, (int32_t[]){2},
                         (int32_t[]){0, 2});
  int cr = pnn_mb_tensor(mb, "crops", PNN_TYPE_INT32, 2, (int32_t[]){2, 2},
                         (int32_t[]){0, 0, 0, 0});
  int y = ftensor(mb, "y", 4, xs, NULL);
  pnn_mb_op(mb, PNN_OP_BATCH_TO_SPACE_ND, 0, NULL, 3, (int32_t[]){x, bs, cr},
            1, &y);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
  CHECK(REFUSED("batch_to_space block 0", mb, "op 0", "block"));
}

static pnn_mb *axis_op(int32_t builtin, uint8_t type, const void *opts,
                       int n_in) {
  pnn_mb *mb = pnn_mb_new();
  int32_t s[] = {2, 3};
  int32_t in[3];
  for (int i = 0; i < n_in; i++) in[i] = ftensor(mb, "x", 2, s, NULL);
  int y = ftensor(mb, "y", 2, s, NULL);
  pnn_mb_op(mb, builtin, type, opts, n_in, in, 1, &y);
  pnn_mb_inputs(mb, n_in, in);
  pnn_mb_outputs(mb, 1, &y);
  return mb;
}

TEST(axis_out_of_range) {
  pnn_concatenation_options c = {0};
  c.axis = 5;
  CHECK(REFUSED("concat axis 5",
                axis_op(PNN_OP_CONCATENATION, PNN_OPTIONS_OF(concatenation),
                        &c, 2),
                "op 0", "axis"));
  c.axis = -9;
  CHECK(REFUSED("concat axis -9",
                axis_op(PNN_OP_CONCATENATION, PNN_OPTIONS_OF(concatenation),
                        &c, 2),
                "op 0", "axis"));
  pnn_pack_options p = {0};
  p.axis = 7;
  p.values_count = 2;
  CHECK(REFUSED("pack axis 7",
                axis_op(PNN_OP_PACK, PNN_OPTIONS_OF(pack), &p, 2), "op 0",
                "axis"));
  pnn_unpack_options u = {0};
  u.axis = 4;
  u.num = 2;
  CHECK(REFUSED("unpack axis 4",
                axis_op(PNN_OP_UNPACK, PNN_OPTIONS_OF(unpack), &u, 1), "op 0",
                "axis"));
  /* GATHER axis and a constant axis tensor (MEAN, ARG_MAX, SPLIT). */
  pnn_mb *mb = pnn_mb_new();
  int32_t s[] = {2, 3};
  int x = ftensor(mb, "x", 2, s, NULL);
  int i = pnn_mb_tensor(mb, "i", PNN_TYPE_INT32, 1, (int32_t[]){1},
                        (int32_t[]){0});
  int y = ftensor(mb, "y", 2, s, NULL);
  pnn_gather_options g = {0};
  g.axis = 3;
  pnn_mb_op(mb, PNN_OP_GATHER, PNN_OPTIONS_OF(gather), &g, 2,
            (int32_t[]){x, i}, 1, &y);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
  CHECK(REFUSED("gather axis 3", mb, "op 0", "axis"));
  static const int32_t builtins[] = {PNN_OP_MEAN, PNN_OP_SUM, PNN_OP_REDUCE_MAX,
                                     PNN_OP_ARG_MAX, PNN_OP_ARG_MIN,
                                     PNN_OP_CUMSUM};
  for (size_t k = 0; k < sizeof builtins / sizeof builtins[0]; k++) {
    mb = pnn_mb_new();
    x = ftensor(mb, "x", 2, s, NULL);
    int a = pnn_mb_tensor(mb, "axis", PNN_TYPE_INT32, 1, (int32_t[]){1},
                          (int32_t[]){9});
    y = pnn_mb_tensor(mb, "y",
                      builtins[k] == PNN_OP_ARG_MAX || builtins[k] == PNN_OP_ARG_MIN
                          ? PNN_TYPE_INT64
                          : PNN_TYPE_FLOAT32,
                      2, s, NULL);
    pnn_mb_op(mb, builtins[k], (uint8_t)pnn_builtin_options_type(builtins[k]),
              NULL, 2, (int32_t[]){x, a}, 1, &y);
    pnn_mb_inputs(mb, 1, &x);
    pnn_mb_outputs(mb, 1, &y);
    CHECK(REFUSED(pnn_builtin_name(builtins[k]), mb, "op 0", "ax"));
  }
  mb = pnn_mb_new();
  int a = pnn_mb_tensor(mb, "axis", PNN_TYPE_INT32, 0, NULL, (int32_t[]){-3});
  x = ftensor(mb, "x", 2, s, NULL);
  int y0 = ftensor(mb, "y0", 2, s, NULL), y1 = ftensor(mb, "y1", 2, s, NULL);
  pnn_split_options sp = {0};
  sp.num_splits = 2;
  pnn_mb_op(mb, PNN_OP_SPLIT, PNN_OPTIONS_OF(split), &sp, 2,
            (int32_t[]){a, x}, 2, (int32_t[]){y0, y1});
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 2, (int32_t[]){y0, y1});
  CHECK(REFUSED("split axis -3", mb, "op 0", "axis"));
}

/* DEQUANTIZE of a constant int8 [2,3] per-channel along `qdim` with
 * n scales (all `scale`) and zero points `zp`. */
static pnn_mb *dequant_const(int n, float scale, int64_t zp, int qdim,
                             pnn_type type) {
  pnn_mb *mb = pnn_mb_new();
  int32_t s[] = {2, 3};
  static const int8_t w[6] = {1, 2, 3, 4, 5, 6};
  int x = pnn_mb_tensor(mb, "w", type, 2, s, w);
  int y = ftensor(mb, "y", 2, s, NULL);
  float sc[4] = {scale, scale, scale, scale};
  int64_t zps[4] = {zp, zp, zp, zp};
  pnn_mb_tensor_quant(mb, x, n, sc, zps, qdim);
  pnn_mb_op(mb, PNN_OP_DEQUANTIZE, 0, NULL, 1, &x, 1, &y);
  pnn_mb_inputs(mb, 0, NULL);
  pnn_mb_outputs(mb, 1, &y);
  return mb;
}

/* QUANTIZE float -> out_type with the given output quantization. */
static pnn_mb *quantize_model(pnn_type out_type, float scale, int64_t zp) {
  pnn_mb *mb = pnn_mb_new();
  int32_t s[] = {1, 4};
  int x = ftensor(mb, "x", 2, s, NULL);
  int y = pnn_mb_tensor(mb, "y", out_type, 2, s, NULL);
  pnn_mb_tensor_quant(mb, y, 1, &scale, &zp, 0);
  pnn_mb_op(mb, PNN_OP_QUANTIZE, 0, NULL, 1, &x, 1, &y);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
  return mb;
}

TEST(quantization_values) {
  mo_result r;
  /* The valid models run (so the failures below are the values). */
  mo_run(dequant_const(3, 0.5f, 1, 1, PNN_TYPE_INT8), NULL, &r);
  CHECK_MSG(r.stage == MO_OK, "valid dequantize: %s: %s",
            mo_stage_name(r.stage), r.message);
  mo_run(quantize_model(PNN_TYPE_INT8, 0.5f, 3), NULL, &r);
  CHECK_MSG(r.stage == MO_OK, "valid quantize: %s: %s",
            mo_stage_name(r.stage), r.message);
  CHECK(REFUSED("per-channel 2 scales for 3 channels",
                dequant_const(2, 0.5f, 0, 1, PNN_TYPE_INT8), "scale"));
  CHECK(REFUSED("per-channel 4 scales for 2 channels",
                dequant_const(4, 0.5f, 0, 0, PNN_TYPE_INT8), "scale"));
  pnn_mb *mb = dequant_const(3, 0.5f, 0, 1, PNN_TYPE_INT8);
  pnn_mb_tensor_def(mb, 0)->quant.quantized_dimension = 5; /* past rank 2 */
  CHECK(REFUSED("quantized_dimension 5", mb, "dimension"));
  CHECK(REFUSED("dequantize scale 0",
                dequant_const(1, 0.0f, 0, 0, PNN_TYPE_INT8), "scale"));
  CHECK(REFUSED("dequantize scale NaN",
                dequant_const(3, NAN, 0, 1, PNN_TYPE_INT8), "scale"));
  CHECK(REFUSED("dequantize scale inf",
                dequant_const(1, INFINITY, 0, 0, PNN_TYPE_INT8), "scale"));
  CHECK(REFUSED("dequantize int8 zero point 300",
                dequant_const(1, 0.5f, 300, 0, PNN_TYPE_INT8), "zero"));
  CHECK(REFUSED("dequantize uint8 zero point -1",
                dequant_const(1, 0.5f, -1, 0, PNN_TYPE_UINT8), "zero"));
  CHECK(REFUSED("quantize scale 0", quantize_model(PNN_TYPE_INT8, 0.0f, 0),
                "scale"));
  CHECK(REFUSED("quantize scale NaN", quantize_model(PNN_TYPE_INT8, NAN, 0),
                "scale"));
  CHECK(REFUSED("quantize scale -inf",
                quantize_model(PNN_TYPE_INT8, -INFINITY, 0), "scale"));
  CHECK(REFUSED("quantize scale -0.5",
                quantize_model(PNN_TYPE_INT8, -0.5f, 0), "scale"));
  CHECK(REFUSED("quantize int8 zero point -129",
                quantize_model(PNN_TYPE_INT8, 0.5f, -129), "zero"));
  CHECK(REFUSED("quantize uint8 zero point 256",
                quantize_model(PNN_TYPE_UINT8, 0.5f, 256), "zero"));
  CHECK(REFUSED("quantize int16 zero point 40000",
                quantize_model(PNN_TYPE_INT16, 0.5f, 40000), "zero"));
}

static pnn_mb *two_input(int32_t builtin, int ra, const int32_t *a, int rb,
                         const int32_t *b, int ry, const int32_t *ys) {
  pnn_mb *mb = pnn_mb_new();
  int x0 = ftensor(mb, "a", ra, a, NULL);
  int x1 = ftensor(mb, "b", rb, b, NULL);
  int y = ftensor(mb, "y", ry, ys, NULL);
  pnn_mb_op(mb, builtin, (uint8_t)pnn_builtin_options_type(builtin), NULL, 2,
            (int32_t[]){x0, x1}, 1, &y);
  pnn_mb_inputs(mb, 2, (int32_t[]){x0, x1});
  pnn_mb_outputs(mb, 1, &y);
  return mb;
}

TEST(shape_mismatch) {
  int32_t a[] = {1, 4}, b[] = {1, 3}, c[] = {2, 3, 4}, d[] = {2, 5, 6};
  CHECK(REFUSED("add [1,4]+[1,3]", two_input(PNN_OP_ADD, 2, a, 2, b, 2, a),
                "op 0"));
  CHECK(REFUSED("mul [1,4]*[1,3]", two_input(PNN_OP_MUL, 2, a, 2, b, 2, a),
                "op 0"));
  CHECK(REFUSED("batch_matmul [2,3,4]x[2,5,6]",
                two_input(PNN_OP_BATCH_MATMUL, 3, c, 3, d, 3, c), "op 0"));
  CHECK(REFUSED("concat [2,3,4],[2,5,6] axis 0",
                two_input(PNN_OP_CONCATENATION, 3, c, 3, d, 3, c), "op 0"));
  CHECK(REFUSED("squared_difference",
                two_input(PNN_OP_SQUARED_DIFFERENCE, 2, a, 2, b, 2, a), "op 0"));
  /* FULLY_CONNECTED: weights [3,5] for inputs of depth 4. */
  pnn_mb *mb = one_op(PNN_OP_FULLY_CONNECTED, PNN_OPTIONS_OF(fully_connected),
                      NULL, 1, (int32_t[]){2},
                      (const int32_t *const[]){(int32_t[]){3, 5}},
                      (const void *const[]){kF});
  CHECK(REFUSED("fully_connected depth", mb, "op 0"));
  /* CONV_2D: filter of 3 input channels for a 2-channel input. */
  pnn_conv2d_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(conv2d), &o);
  o.stride_w = o.stride_h = 1;
  mb = one_op(PNN_OP_CONV_2D, PNN_OPTIONS_OF(conv2d), &o, 2,
              (int32_t[]){4, 1},
              (const int32_t *const[]){(int32_t[]){2, 1, 1, 3}, (int32_t[]){2}},
              (const void *const[]){kF, kF});
  CHECK(REFUSED("conv channels", mb, "op 0"));
  /* CONV_2D: bias of 5 for 2 output channels. */
  mb = one_op(PNN_OP_CONV_2D, PNN_OPTIONS_OF(conv2d), &o, 2,
              (int32_t[]){4, 1},
              (const int32_t *const[]){(int32_t[]){2, 1, 1, 2}, (int32_t[]){5}},
              (const void *const[]){kF, kF});
  CHECK(REFUSED("conv bias size", mb, "op 0", "bias"));
}

TEST(absent_required_input) {
  static const int32_t builtins[] = {
      PNN_OP_ADD,          PNN_OP_CONV_2D, PNN_OP_DEPTHWISE_CONV_2D,
      PNN_OP_FULLY_CONNECTED, PNN_OP_RESHAPE, PNN_OP_GATHER, PNN_OP_PAD,
      PNN_OP_CONCATENATION, PNN_OP_TRANSPOSE, PNN_OP_SOFTMAX, PNN_OP_MEAN,
      PNN_OP_STRIDED_SLICE, PNN_OP_RELU};
  for (size_t k = 0; k < sizeof builtins / sizeof builtins[0]; k++) {
    int32_t b = builtins[k];
    pnn_mb *mb = pnn_mb_new();
    int32_t s[] = {1, 4, 4, 2};
    int x = ftensor(mb, "x", 4, s, NULL);
    int y = ftensor(mb, "y", 4, s, NULL);
    /* The first (data) input is absent; the others present. */
    int32_t in[4] = {-1, x, x, x};
    pnn_mb_op(mb, b, (uint8_t)pnn_builtin_options_type(b), NULL,
              b == PNN_OP_RELU || b == PNN_OP_SOFTMAX ? 1 : 2, in, 1, &y);
    pnn_mb_inputs(mb, 1, &x);
    pnn_mb_outputs(mb, 1, &y);
    CHECK(REFUSED(pnn_builtin_name(b), mb, "op 0"));
  }
}

TEST(string_and_resource_tensors) {
  static const pnn_type types[] = {PNN_TYPE_STRING, PNN_TYPE_RESOURCE,
                                   PNN_TYPE_VARIANT, PNN_TYPE_COMPLEX64};
  static const int32_t builtins[] = {PNN_OP_ADD, PNN_OP_MUL, PNN_OP_RELU,
                                     PNN_OP_SOFTMAX, PNN_OP_CONV_2D,
                                     PNN_OP_FULLY_CONNECTED, PNN_OP_MEAN,
                                     PNN_OP_LOGISTIC};
  for (size_t t = 0; t < sizeof types / sizeof types[0]; t++)
    for (size_t k = 0; k < sizeof builtins / sizeof builtins[0]; k++) {
      int32_t b = builtins[k];
      pnn_mb *mb = pnn_mb_new();
      int32_t s[] = {1, 2, 2, 1};
      int x = pnn_mb_tensor(mb, "x", types[t], 4, s, NULL);
      int w = pnn_mb_tensor(mb, "w", types[t], 4, s, NULL);
      int y = pnn_mb_tensor(mb, "y", types[t], 4, s, NULL);
      int n_in = b == PNN_OP_RELU || b == PNN_OP_SOFTMAX || b == PNN_OP_LOGISTIC
                     ? 1
                     : 2;
      pnn_mb_op(mb, b, (uint8_t)pnn_builtin_options_type(b), NULL, n_in,
                (int32_t[]){x, w}, 1, &y);
      pnn_mb_inputs(mb, 2, (int32_t[]){x, w});
      pnn_mb_outputs(mb, 1, &y);
      char what[64];
      snprintf(what, sizeof what, "%s on %s", pnn_builtin_name(b),
               pnn_type_name(types[t]));
      CHECK(REFUSED(what, mb, "op 0"));
    }
}

/* Subgraph 0 calls subgraph `target` through `builtin`; with `second`,
 * subgraph 1 calls subgraph 0 back through IF (a cycle of two). Every
 * subgraph takes one int32 input; IF conditions are constants. */
static void control_graph(pnn_mb *mb, int32_t builtin, int target) {
  int32_t s[] = {1};
  static const bool yes = true;
  int c = pnn_mb_tensor(mb, "c", PNN_TYPE_BOOL, 1, s, &yes);
  int x = pnn_mb_tensor(mb, "x", PNN_TYPE_INT32, 1, s, NULL);
  int y = pnn_mb_tensor(mb, "y", PNN_TYPE_INT32, 1, s, NULL);
  if (builtin == PNN_OP_WHILE) {
    pnn_while__options o = {target, target};
    pnn_mb_op(mb, builtin, PNN_OPTIONS_OF(while_), &o, 1, &x, 1, &y);
  } else if (builtin == PNN_OP_IF) {
    pnn_if__options o = {target, target};
    pnn_mb_op(mb, builtin, PNN_OPTIONS_OF(if_), &o, 2, (int32_t[]){c, x}, 1,
              &y);
  } else {
    pnn_call_once_options o = {target};
    pnn_mb_op(mb, builtin, PNN_OPTIONS_OF(call_once), &o, 0, NULL, 0, NULL);
  }
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, builtin == PNN_OP_CALL_ONCE ? &x : &y);
}

static pnn_mb *control_model(int32_t builtin, int target, bool second) {
  pnn_mb *mb = pnn_mb_new();
  control_graph(mb, builtin, target);
  if (second) {
    pnn_mb_subgraph(mb, "back");
    control_graph(mb, PNN_OP_IF, 0);
  }
  return mb;
}

TEST(recursive_control_flow) {
  CHECK(FAILS_AT("WHILE calls itself", control_model(PNN_OP_WHILE, 0, false),
                 MO_LOAD, MO_INVOKE, "op 0", "recursion"));
  CHECK(FAILS_AT("IF calls itself", control_model(PNN_OP_IF, 0, false),
                 MO_LOAD, MO_INVOKE, "op 0", "recursion"));
  CHECK(FAILS_AT("CALL_ONCE calls itself",
                 control_model(PNN_OP_CALL_ONCE, 0, false), MO_LOAD, MO_INVOKE,
                 "op 0"));
  CHECK(FAILS_AT("IF -> subgraph 1 -> IF -> subgraph 0",
                 control_model(PNN_OP_IF, 1, true), MO_LOAD, MO_INVOKE,
                 "op 0", "recursion"));
  CHECK(FAILS_AT("WHILE -> subgraph 1 -> IF -> subgraph 0",
                 control_model(PNN_OP_WHILE, 1, true), MO_LOAD, MO_INVOKE,
                 "op 0", "recursion"));
  CHECK(FAILS_AT("WHILE -> subgraph 7 (missing)",
                 control_model(PNN_OP_WHILE, 7, false), MO_LOAD, MO_PREPARE,
                 "op 0", "7"));
  CHECK(FAILS_AT("CALL_ONCE -> subgraph -1",
                 control_model(PNN_OP_CALL_ONCE, -1, false), MO_LOAD,
                 MO_PREPARE, "op 0"));
}

TEST(sparsity_indices_out_of_range) {
  /* A 4x4 CSR-sparse constant whose column index 9 is out of range, fed
   * to DENSIFY. */
  pnn_mb *mb = pnn_mb_new();
  static const float vals[4] = {1, 2, 3, 4};
  int buf = pnn_mb_buffer(mb, vals, sizeof vals);
  int32_t s[] = {4, 4};
  int w = pnn_mb_tensor_in_buffer(mb, "w", PNN_TYPE_FLOAT32, 2, s, buf);
  int y = ftensor(mb, "y", 2, s, NULL);
  static const int32_t order[2] = {0, 1};
  static const int32_t segs[5] = {0, 1, 2, 3, 4};
  static const int32_t idx[4] = {0, 9, 2, 3};
  pnn_dim_metadata_def dm[2];
  memset(dm, 0, sizeof dm);
  dm[0].format = PNN_DIM_DENSE;
  dm[0].dense_size = 4;
  dm[1].format = PNN_DIM_SPARSE_CSR;
  dm[1].segments_type = dm[1].indices_type = 1;
  dm[1].segments = (pnn_vec_i32){segs, 5};
  dm[1].indices = (pnn_vec_i32){idx, 4};
  pnn_sparsity_def sp = {{order, 2}, {NULL, 0}, 2, dm};
  pnn_mb_tensor_sparsity(mb, w, &sp);
  pnn_mb_op(mb, PNN_OP_DENSIFY, 0, NULL, 1, &w, 1, &y);
  pnn_mb_inputs(mb, 0, NULL);
  pnn_mb_outputs(mb, 1, &y);
  CHECK(REFUSED("sparse index 9 of 4", mb, "9"));
  /* A valid sparse constant (16 bytes of values for a 4x4 shape) read by
   * an op other than DENSIFY, which would read 64 bytes (fuzz finding:
   * RELU_N1_TO_1 folded over it at prepare). */
  static const int32_t idx_ok[4] = {0, 1, 2, 3};
  dm[1].indices = (pnn_vec_i32){idx_ok, 4};
  mb = pnn_mb_new();
  buf = pnn_mb_buffer(mb, vals, sizeof vals);
  w = pnn_mb_tensor_in_buffer(mb, "w", PNN_TYPE_FLOAT32, 2, s, buf);
  y = ftensor(mb, "y", 2, s, NULL);
  pnn_mb_tensor_sparsity(mb, w, &sp);
  pnn_mb_op(mb, PNN_OP_RELU_N1_TO_1, 0, NULL, 1, &w, 1, &y);
  pnn_mb_inputs(mb, 0, NULL);
  pnn_mb_outputs(mb, 1, &y);
  CHECK(REFUSED("sparse constant read by RELU_N1_TO_1", mb, "op 0",
                "input 0 (w) is a sparse", "only DENSIFY"));
}

TEST(tensor_read_before_written) {
  /* b is neither an input nor a constant, and no op writes it: found by
   * valgrind (the op read uninitialised arena memory). */
  int32_t a[] = {1, 4};
  pnn_mb *mb = pnn_mb_new();
  int x = ftensor(mb, "a", 2, a, NULL);
  int b = ftensor(mb, "b", 2, a, NULL);
  int y = ftensor(mb, "y", 2, a, NULL);
  pnn_mb_op(mb, PNN_OP_ADD, PNN_OPTIONS_OF(add), NULL, 2, (int32_t[]){x, b},
            1, &y);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
  CHECK(REFUSED("add reads an unwritten tensor", mb, "op 0", "tensor 1",
                "no earlier op writes it"));
  /* Op 0 reads t, which op 1 writes later (ops out of order). */
  mb = pnn_mb_new();
  x = ftensor(mb, "a", 2, a, NULL);
  int t = ftensor(mb, "t", 2, a, NULL);
  y = ftensor(mb, "y", 2, a, NULL);
  pnn_mb_op(mb, PNN_OP_RELU, 0, NULL, 1, &t, 1, &y);
  pnn_mb_op(mb, PNN_OP_RELU, 0, NULL, 1, &x, 1, &t);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
  CHECK(REFUSED("op reads a later op's output", mb, "op 0", "tensor 1"));
  /* A subgraph output nothing writes. */
  mb = pnn_mb_new();
  x = ftensor(mb, "a", 2, a, NULL);
  t = ftensor(mb, "t", 2, a, NULL);
  y = ftensor(mb, "y", 2, a, NULL);
  pnn_mb_op(mb, PNN_OP_RELU, 0, NULL, 1, &x, 1, &t);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 2, (int32_t[]){t, y});
  CHECK(REFUSED("unwritten output", mb, "output 1", "nothing writes"));
  /* A CONV_2D whose output is its own (constant) input: prepared for the
   * 4x4x3 input, the tensor then resized to the 2x2x2 output; invoke read
   * past it (a CI fuzz finding in the AVX-512 GEMM). */
  mb = pnn_mb_new();
  x = ftensor(mb, "x", 4, (int32_t[]){1, 4, 4, 3}, NULL);
  t = ftensor(mb, "t", 4, (int32_t[]){1, 4, 4, 3}, kF);
  int w = ftensor(mb, "w", 4, (int32_t[]){2, 3, 3, 3}, kF);
  y = ftensor(mb, "y", 4, (int32_t[]){1, 4, 4, 3}, NULL);
  pnn_conv2d_options co;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(conv2d), &co);
  co.padding = PNN_PADDING_VALID;
  co.stride_w = co.stride_h = 1;
  co.dilation_w_factor = co.dilation_h_factor = 1;
  pnn_mb_op(mb, PNN_OP_CONV_2D, PNN_OPTIONS_OF(conv2d), &co, 2,
            (int32_t[]){t, w}, 1, &t);
  pnn_mb_op(mb, PNN_OP_ADD, PNN_OPTIONS_OF(add), NULL, 2, (int32_t[]){x, x},
            1, &y);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 2, (int32_t[]){y, t});
  CHECK(REFUSED("conv writes its own input", mb, "tensor 1", "op 0",
                "already reads it"));
  /* Op 0 reads constant c, op 1 writes c later. */
  mb = pnn_mb_new();
  x = ftensor(mb, "a", 2, a, NULL);
  t = ftensor(mb, "c", 2, a, kF);
  y = ftensor(mb, "y", 2, a, NULL);
  pnn_mb_op(mb, PNN_OP_ADD, PNN_OPTIONS_OF(add), NULL, 2, (int32_t[]){x, t},
            1, &y);
  pnn_mb_op(mb, PNN_OP_RELU, 0, NULL, 1, &x, 1, &t);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 2, (int32_t[]){y, t});
  CHECK(REFUSED("constant overwritten by a later op", mb, "tensor 1",
                "op 1", "op 0 already reads it"));
}

TEST(options_union_mismatch) {
  /* CONV_2D carrying Pool2DOptions; ADD carrying ConcatenationOptions. */
  pnn_pool2d_options po;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(pool2d), &po);
  pnn_mb *mb = one_op(PNN_OP_CONV_2D, PNN_OPTIONS_OF(pool2d), &po, 2,
                      (int32_t[]){4, 1},
                      (const int32_t *const[]){(int32_t[]){2, 1, 1, 2}, (int32_t[]){2}},
                      (const void *const[]){kF, kF});
  CHECK(REFUSED("conv with pool options", mb, "op 0"));
  pnn_concatenation_options co = {0};
  int32_t a[] = {1, 4};
  mb = pnn_mb_new();
  int x = ftensor(mb, "a", 2, a, NULL);
  int y = ftensor(mb, "y", 2, a, NULL);
  pnn_mb_op(mb, PNN_OP_ADD, PNN_OPTIONS_OF(concatenation), &co, 2,
            (int32_t[]){x, x}, 1, &y);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
  CHECK(REFUSED("add with concatenation options", mb, "op 0"));
}

/* Rewrites the first 8-byte little-endian occurrence of g_find into
 * g_replace (the offset field of an offset/size Buffer). */
static uint64_t g_find, g_replace;
static int g_patched;
static void patch_u64(uint8_t *bytes, size_t size) {
  for (size_t i = 0; i + 8 <= size; i += 4) {
    uint64_t v;
    memcpy(&v, bytes + i, 8);
    if (v == g_find) {
      memcpy(bytes + i, &g_replace, 8);
      g_patched++;
      return;
    }
  }
}

TEST(buffer_offset_past_file) {
  pnn_mb *mb = pnn_mb_new();
  int32_t s[] = {1, 4};
  int x = ftensor(mb, "x", 2, s, NULL);
  int w = ftensor(mb, "w", 2, s, kF);
  int y = ftensor(mb, "y", 2, s, NULL);
  pnn_mb_op(mb, PNN_OP_ADD, PNN_OPTIONS_OF(add), NULL, 2, (int32_t[]){x, w},
            1, &y);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
  pnn_write_options wo;
  memset(&wo, 0, sizeof wo);
  wo.flags = PNN_WRITE_EXTERNAL_DATA;
  uint8_t *bytes = NULL;
  size_t size = 0;
  CHECK(pnn_mb_finish_ex(mb, &wo, &bytes, &size) == PNN_OK);
  pnn_mb_free(mb);
  /* Find the buffer's offset as the reader decodes it. */
  pnn_model *m = NULL;
  char err[256];
  CHECK(pnn_model_load_buffer(bytes, size, NULL, &m, err, sizeof err) ==
        PNN_OK);
  uint64_t off = 0;
  for (int i = 0; i < m->def.n_buffers; i++)
    if (m->def.buffers[i].offset) off = m->def.buffers[i].offset;
  pnn_model_free(m);
  CHECK(off != 0);
  /* 2 GB, and just past the end. */
  const uint64_t targets[] = {(uint64_t)1 << 31, size, UINT64_MAX - 8};
  for (int k = 0; k < 3; k++) {
    uint8_t *copy = malloc(size);
    CHECK(copy);
    memcpy(copy, bytes, size);
    g_find = off;
    g_replace = targets[k];
    g_patched = 0;
    patch_u64(copy, size);
    mo_result r;
    mo_run_bytes(copy, size, &r);
    free(copy);
    CHECK(g_patched == 1);
    CHECK_MSG(r.stage == MO_LOAD && strstr(r.message, "outside the file"),
              "offset %llu: %s: %s", (unsigned long long)targets[k],
              mo_stage_name(r.stage), r.message);
  }
  free(bytes);
}

TEST(reshape_changes_element_count) {
  pnn_mb *mb = pnn_mb_new();
  int32_t s[] = {4, 4};
  int x = ftensor(mb, "x", 2, s, NULL);
  int shp = pnn_mb_tensor(mb, "shape", PNN_TYPE_INT32, 1, (int32_t[]){2},
                          (int32_t[]){3, 3});
  int y = ftensor(mb, "y", 2, (int32_t[]){3, 3}, NULL);
  pnn_mb_op(mb, PNN_OP_RESHAPE, 0, NULL, 2, (int32_t[]){x, shp}, 1, &y);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
  CHECK(REFUSED("reshape 16 -> 9", mb, "op 0"));
  /* Two -1 entries, and a -1 that cannot divide. */
  mb = pnn_mb_new();
  x = ftensor(mb, "x", 2, s, NULL);
  shp = pnn_mb_tensor(mb, "shape", PNN_TYPE_INT32, 1, (int32_t[]){2},
                      (int32_t[]){-1, -1});
  y = ftensor(mb, "y", 2, s, NULL);
  pnn_mb_op(mb, PNN_OP_RESHAPE, 0, NULL, 2, (int32_t[]){x, shp}, 1, &y);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
  CHECK(REFUSED("reshape -1,-1", mb, "op 0"));
  mb = pnn_mb_new();
  x = ftensor(mb, "x", 2, s, NULL);
  shp = pnn_mb_tensor(mb, "shape", PNN_TYPE_INT32, 1, (int32_t[]){2},
                      (int32_t[]){-1, 5});
  y = ftensor(mb, "y", 2, s, NULL);
  pnn_mb_op(mb, PNN_OP_RESHAPE, 0, NULL, 2, (int32_t[]){x, shp}, 1, &y);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
  CHECK(REFUSED("reshape 16 -> -1,5", mb, "op 0"));
}

/* params[5,2] gathered by an int32 input filled with (i % 3) * `scale`. */
static pnn_mb *gather_runtime(int32_t builtin, int32_t n_idx, int idx_rank) {
  pnn_mb *mb = pnn_mb_new();
  int32_t ps[] = {5, 2};
  int p = ftensor(mb, "params", 2, ps, kF);
  int32_t is[] = {n_idx, 1};
  int i = pnn_mb_tensor(mb, "idx", PNN_TYPE_INT32, idx_rank, is, NULL);
  int32_t ys[] = {n_idx, 2};
  int y = ftensor(mb, "y", 2, ys, NULL);
  pnn_mb_op(mb, builtin, (uint8_t)pnn_builtin_options_type(builtin), NULL, 2,
            (int32_t[]){p, i}, 1, &y);
  pnn_mb_inputs(mb, 1, &i);
  pnn_mb_outputs(mb, 1, &y);
  return mb;
}

static int32_t g_bad_index;
static void run_with_index(pnn_mb *mb, mo_result *r) {
  uint8_t *bytes = NULL;
  size_t size = 0;
  memset(r, 0, sizeof *r);
  if (pnn_mb_finish(mb, &bytes, &size) != PNN_OK) {
    r->stage = MO_BUILD;
    pnn_mb_free(mb);
    return;
  }
  pnn_mb_free(mb);
  pnn_model *m = NULL;
  pnn_interpreter *it = NULL;
  r->stage = MO_LOAD;
  if (pnn_model_load_buffer(bytes, size, NULL, &m, r->message,
                            sizeof r->message) == PNN_OK &&
      pnn_interpreter_create(m, NULL, &it) == PNN_OK) {
    r->stage = MO_PREPARE;
    r->status = pnn_interpreter_allocate(it);
    if (r->status == PNN_OK) {
      pnn_tensor *t = pnn_interpreter_input(it, 0);
      int32_t *d = pnn_tensor_data(t);
      size_t n = pnn_tensor_byte_size(t) / 4;
      for (size_t k = 0; k < n; k++) d[k] = k == n - 1 ? g_bad_index : 0;
      r->stage = MO_INVOKE;
      r->status = pnn_interpreter_invoke(it);
      if (r->status == PNN_OK) r->stage = MO_OK;
    }
    snprintf(r->message, sizeof r->message, "%s",
             pnn_interpreter_last_error(it));
  }
  pnn_interpreter_free(it);
  pnn_model_free(m);
  free(bytes);
}

TEST(gather_index_out_of_range_at_invoke) {
  const int32_t bad[] = {5, -1, 1000000, INT32_MIN};
  for (int k = 0; k < 4; k++) {
    mo_result r;
    g_bad_index = bad[k];
    run_with_index(gather_runtime(PNN_OP_GATHER, 3, 1), &r);
    CHECK_MSG(r.stage == MO_INVOKE && r.status == PNN_ERROR_RUNTIME &&
                  strstr(r.message, "op 0"),
              "GATHER index %d: %s %s: %s", (int)bad[k],
              mo_stage_name(r.stage), pnn_status_string(r.status), r.message);
    run_with_index(gather_runtime(PNN_OP_GATHER_ND, 3, 2), &r);
    CHECK_MSG(r.stage == MO_INVOKE && r.status == PNN_ERROR_RUNTIME &&
                  strstr(r.message, "op 0"),
              "GATHER_ND index %d: %s %s: %s", (int)bad[k],
              mo_stage_name(r.stage), pnn_status_string(r.status), r.message);
  }
  /* An in-range index works. */
  mo_result r;
  g_bad_index = 4;
  run_with_index(gather_runtime(PNN_OP_GATHER, 3, 1), &r);
  CHECK_MSG(r.stage == MO_OK, "%s", r.message);
}

/* -------------------------------------------- every builtin, bad inputs */

typedef struct {
  const char *name;
  int n_in, n_out;
  pnn_type type;
  int rank;
  int32_t dims[8];
  bool absent;   /* every input -1 */
  bool constant; /* inputs after the first are constants */
} generic_case;

static const generic_case kGeneric[] = {
    {"no inputs", 0, 1, PNN_TYPE_FLOAT32, 2, {2, 2}, false, false},
    {"no outputs", 1, 0, PNN_TYPE_FLOAT32, 2, {2, 2}, false, false},
    {"one input", 1, 1, PNN_TYPE_FLOAT32, 2, {2, 2}, false, false},
    {"six inputs", 6, 1, PNN_TYPE_FLOAT32, 2, {2, 2}, false, true},
    {"three outputs", 2, 3, PNN_TYPE_FLOAT32, 2, {2, 2}, false, true},
    {"absent inputs", 3, 1, PNN_TYPE_FLOAT32, 2, {2, 2}, true, false},
    {"rank 8", 3, 1, PNN_TYPE_FLOAT32, 8, {1, 2, 1, 2, 1, 2, 1, 2}, false, true},
    {"zero-size", 3, 1, PNN_TYPE_FLOAT32, 3, {2, 0, 3}, false, true},
    {"zero-size rank 4", 1, 1, PNN_TYPE_FLOAT32, 4, {3, 4, 0, 2}, false, false},
    {"zero-size rank 4 x3", 3, 1, PNN_TYPE_FLOAT32, 4, {1, 0, 4, 2}, false, true},
    {"zero-size int32", 2, 1, PNN_TYPE_INT32, 2, {0, 2}, false, true},
    {"scalars", 3, 1, PNN_TYPE_FLOAT32, 0, {0}, false, true},
    {"int32", 3, 1, PNN_TYPE_INT32, 2, {2, 2}, false, true},
    {"int64", 3, 1, PNN_TYPE_INT64, 2, {2, 2}, false, true},
    {"bool", 3, 1, PNN_TYPE_BOOL, 2, {2, 2}, false, true},
    {"int8 unquantized", 3, 1, PNN_TYPE_INT8, 4, {1, 2, 2, 1}, false, true},
    {"uint8 unquantized", 2, 1, PNN_TYPE_UINT8, 4, {1, 2, 2, 1}, false, false},
    {"int16", 2, 1, PNN_TYPE_INT16, 2, {2, 2}, false, true},
    {"float16", 2, 1, PNN_TYPE_FLOAT16, 2, {2, 2}, false, true},
    {"float64", 2, 1, PNN_TYPE_FLOAT64, 2, {2, 2}, false, true},
    {"complex64", 2, 1, PNN_TYPE_COMPLEX64, 2, {2, 2}, false, true},
    {"string", 2, 1, PNN_TYPE_STRING, 1, {2}, false, false},
    {"resource", 2, 1, PNN_TYPE_RESOURCE, 0, {0}, false, false},
};

static pnn_mb *generic_model(int32_t builtin, const generic_case *c) {
  pnn_mb *mb = pnn_mb_new();
  static uint8_t data[4096];
  for (size_t i = 0; i < sizeof data; i++) data[i] = (uint8_t)(i % 3);
  int32_t in[8], out[4];
  bool fixed = pnn_type_size(c->type) > 0;
  for (int i = 0; i < c->n_in; i++) {
    if (c->absent) {
      in[i] = -1;
      continue;
    }
    bool k = c->constant && i > 0 && fixed;
    in[i] = pnn_mb_tensor(mb, "in", c->type, c->rank, c->dims, k ? data : NULL);
  }
  for (int i = 0; i < c->n_out; i++)
    out[i] = pnn_mb_tensor(mb, "out", c->type, c->rank, c->dims, NULL);
  int32_t graph_in = -1;
  if (c->absent || c->n_in == 0)
    graph_in = pnn_mb_tensor(mb, "x", c->type, c->rank, c->dims, NULL);
  pnn_mb_op(mb, builtin, (uint8_t)pnn_builtin_options_type(builtin), NULL,
            c->n_in, in, c->n_out, out);
  if (graph_in >= 0)
    pnn_mb_inputs(mb, 1, &graph_in);
  else
    pnn_mb_inputs(mb, 1, in);
  pnn_mb_outputs(mb, c->n_out, out);
  return mb;
}

TEST(every_builtin_survives_bad_inputs) {
  int ops = 0, runs = 0, failed = 0, ran = 0;
  for (int32_t b = 0; b < PNN_BUILTIN_OP_COUNT; b++) {
    if (!pnn_op_find_builtin(b) || !pnn_builtin_name(b)) continue;
    ops++;
    for (size_t k = 0; k < sizeof kGeneric / sizeof kGeneric[0]; k++) {
      const generic_case *c = &kGeneric[k];
      mo_result r;
      mo_run(generic_model(b, c), NULL, &r);
      runs++;
      if (getenv("PNN_MALFORMED_VERBOSE"))
        fprintf(stderr, "%s / %s: %s %s\n", pnn_builtin_name(b), c->name,
                mo_stage_name(r.stage), r.message);
      if (r.stage == MO_OK) {
        ran++;
        continue;
      }
      failed++;
      /* A failure has a status and a message; past load it names the op. */
      CHECK_MSG(r.status != PNN_OK && r.message[0], "%s / %s: empty error",
                pnn_builtin_name(b), c->name);
      if (r.stage == MO_PREPARE || r.stage == MO_INVOKE)
        CHECK_MSG(strstr(r.message, "op 0") || strstr(r.message, "tensor") ||
                      strstr(r.message, "subgraph"),
                  "%s / %s: message does not name the op: %s",
                  pnn_builtin_name(b), c->name, r.message);
    }
  }
  printf("swept %d builtins x %zu cases: %d runs, %d refused, %d ran\n", ops,
         sizeof kGeneric / sizeof kGeneric[0], runs, failed, ran);
  CHECK(ops > 100);
  CHECK(failed > runs / 2);
}

/* ------------------------------------------------------------- limits */

TEST(limits_file_and_arena) {
  int x, y;
  pnn_mb *mb = relu_model(2, (int32_t[]){256, 256}, &x, &y);
  uint8_t *bytes = NULL;
  size_t size = 0;
  CHECK(pnn_mb_finish(mb, &bytes, &size) == PNN_OK);
  pnn_mb_free(mb);
  pnn_load_options lo = {0, size - 1};
  pnn_model *m = NULL;
  char err[256] = "";
  CHECK_EQ_INT(pnn_model_load_buffer(bytes, size, &lo, &m, err, sizeof err),
               PNN_ERROR_LIMIT);
  CHECK(m == NULL && err[0]);
  lo.max_file_bytes = size;
  CHECK_EQ_INT(pnn_model_load_buffer(bytes, size, &lo, &m, err, sizeof err),
               PNN_OK);
  pnn_interpreter_options io;
  pnn_interpreter_options_init(&io);
  io.max_arena_bytes = 2 * 256 * 256 * 4 - 1; /* x and y live together */
  pnn_interpreter *it = NULL;
  CHECK(pnn_interpreter_create(m, &io, &it) == PNN_OK);
  CHECK_EQ_INT(pnn_interpreter_allocate(it), PNN_ERROR_LIMIT);
  CHECK(strstr(pnn_interpreter_last_error(it), "max_arena_bytes"));
  CHECK_EQ_INT(pnn_interpreter_invoke(it), PNN_ERROR_INVALID_STATE);
  pnn_interpreter_free(it);
  io.max_arena_bytes = 2 * 256 * 256 * 4 + 4096;
  CHECK(pnn_interpreter_create(m, &io, &it) == PNN_OK);
  CHECK_EQ_INT(pnn_interpreter_allocate(it), PNN_OK);
  CHECK(pnn_interpreter_arena_bytes(it) <= io.max_arena_bytes);
  CHECK_EQ_INT(pnn_interpreter_invoke(it), PNN_OK);
  /* Growing an input past the cap fails cleanly too. */
  CHECK(pnn_interpreter_resize_input(it, 0, (int32_t[]){512, 512}, 2) ==
        PNN_OK);
  CHECK_EQ_INT(pnn_interpreter_allocate(it), PNN_ERROR_LIMIT);
  pnn_interpreter_free(it);
  pnn_model_free(m);
  free(bytes);
}

/* A tiny model whose constant folding or variables would need 1.6 GB: the
 * arena cap applies to them too (before the fix, prepare allocated and
 * zeroed 1.6 GB despite max_arena_bytes = 16 MiB). */
TEST(limits_cover_folding_and_variables) {
  pnn_mb *mb = pnn_mb_new();
  int d = pnn_mb_tensor(mb, "dims", PNN_TYPE_INT32, 1, (int32_t[]){2},
                        (int32_t[]){20000, 20000});
  int v = pnn_mb_tensor(mb, "v", PNN_TYPE_FLOAT32, 0, NULL, (float[]){1.0f});
  int y = ftensor(mb, "y", 2, (int32_t[]){1, 1}, NULL);
  pnn_mb_op(mb, PNN_OP_FILL, 0, NULL, 2, (int32_t[]){d, v}, 1, &y);
  pnn_mb_inputs(mb, 0, NULL);
  pnn_mb_outputs(mb, 1, &y);
  pnn_model *m = NULL;
  CHECK(pnn_mb_load(mb, &m) == PNN_OK);
  pnn_mb_free(mb);
  pnn_interpreter_options io;
  pnn_interpreter_options_init(&io);
  io.max_arena_bytes = 16 << 20;
  pnn_interpreter *it = NULL;
  CHECK(pnn_interpreter_create(m, &io, &it) == PNN_OK);
  CHECK_EQ_INT(pnn_interpreter_allocate(it), PNN_ERROR_LIMIT);
  CHECK(strstr(pnn_interpreter_last_error(it), "op 0"));
  CHECK(strstr(pnn_interpreter_last_error(it), "max_arena_bytes"));
  pnn_interpreter_free(it);
  pnn_model_free(m);

  mb = pnn_mb_new();
  int x = ftensor(mb, "x", 2, (int32_t[]){20000, 20000}, NULL);
  pnn_mb_tensor_variable(mb, x);
  int r = ftensor(mb, "r", 2, (int32_t[]){20000, 20000}, NULL);
  pnn_mb_op(mb, PNN_OP_RELU, 0, NULL, 1, &x, 1, &r);
  pnn_mb_inputs(mb, 0, NULL);
  pnn_mb_outputs(mb, 1, &r);
  CHECK(pnn_mb_load(mb, &m) == PNN_OK);
  pnn_mb_free(mb);
  CHECK(pnn_interpreter_create(m, &io, &it) == PNN_OK);
  CHECK_EQ_INT(pnn_interpreter_allocate(it), PNN_ERROR_LIMIT);
  CHECK(strstr(pnn_interpreter_last_error(it), "max_arena_bytes"));
  pnn_interpreter_free(it);
  pnn_model_free(m);
}

/* An op writing a variable whose declared size differs from the op's
 * output: the variable's storage is sized at setup, so the op would write
 * past it (found by fuzzing; refused at prepare since). */
TEST(variable_output_of_another_size) {
  pnn_mb *mb = pnn_mb_new();
  int x = ftensor(mb, "x", 2, (int32_t[]){2, 3}, NULL);
  int y = ftensor(mb, "y", 2, (int32_t[]){1, 1}, NULL);
  pnn_mb_tensor_variable(mb, y);
  pnn_mb_op(mb, PNN_OP_ADD, PNN_OPTIONS_OF(add), NULL, 2, (int32_t[]){x, x},
            1, &y);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
  CHECK(REFUSED("ADD into a 1-element variable", mb, "op 0", "variable"));
}
