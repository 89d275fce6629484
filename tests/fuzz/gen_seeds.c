/* Writes a seed corpus for the fuzz targets into DIR: small one-op models
 * made with the model builder (src/format/model_builder.h), for every
 * builtin the runtime registers (1..3 float or int32 inputs, options at
 * their schema defaults) plus hand-made valid models of the main families
 * (conv, depthwise, fully connected, pooling, reshape, gather, control
 * flow: WHILE, nested WHILE, an endless WHILE, IF, CALL_ONCE), the same
 * one-op models in int8, uint8 and int16 (quantized, zero points 3, 128,
 * 0), quantized conv/depthwise/fully connected (per-channel int8 weights,
 * int16x8) and a sparse (CSR) fully-connected weight. tests/fuzz/run.sh adds the small converter models of .cache/ops
 * when present.  Usage: gen_seeds DIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/model_builder.h"
#include "format/op_options.h"
#include "ops/op.h"

static int g_written, g_failed;
static const char *g_dir;

static void save(pnn_mb *mb, const char *name) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s.tflite", g_dir, name);
  if (pnn_mb_write_file(mb, path) == PNN_OK)
    g_written++;
  else {
    fprintf(stderr, "gen_seeds: %s: %s\n", name, pnn_mb_error(mb));
    g_failed++;
  }
  pnn_mb_free(mb);
}

static const float kData[32] = {1,  -2, 3,  0.5f, 4, -1, 2,  1, 0, 3, -3,
                                2,  1,  -1, 0.25f, 2, 1, 0, -2, 3, 1, 1,
                                -1, 2,  0,  1,  3, -2, 1, 0.5f, 2, -1};
static const int32_t kInts[32] = {0, 1, 2, 3, 1, 0, 2, 1, 3, 0, 1, 2, 0, 1, 3,
                                  2, 1, 0, 1, 2, 3, 0, 1, 2, 0, 1, 2, 3, 1, 0,
                                  2, 1};

/* Quantization of a tensor of a quantized type: scale 0.1, zero point 3
 * (int8), 128 (uint8), 0 (int16). */
static void quant(pnn_mb *mb, int t, pnn_type type) {
  int64_t zp = type == PNN_TYPE_INT8 ? 3 : type == PNN_TYPE_UINT8 ? 128 : 0;
  pnn_mb_tensor_quant(mb, t, 1, (float[]){0.1f}, &zp, 0);
}

static bool is_quantized(pnn_type type) {
  return type == PNN_TYPE_INT8 || type == PNN_TYPE_UINT8 ||
         type == PNN_TYPE_INT16;
}

static const char *type_suffix(pnn_type type) {
  switch (type) {
    case PNN_TYPE_INT32: return "_i32";
    case PNN_TYPE_INT8: return "_i8";
    case PNN_TYPE_UINT8: return "_u8";
    case PNN_TYPE_INT16: return "_i16";
    default: return "";
  }
}

/* builtin with n_in inputs of `type` [1,4,4,2]; input 1 constant when
 * const_second (its bytes taken from kData / kInts). */
static void generic(int32_t builtin, int n_in, pnn_type type,
                    bool const_second) {
  pnn_mb *mb = pnn_mb_new();
  int32_t shape[] = {1, 4, 4, 2};
  int32_t in[3], out;
  const void *data = type == PNN_TYPE_INT32 ? (const void *)kInts : kData;
  for (int i = 0; i < n_in; i++) {
    in[i] = pnn_mb_tensor(mb, i ? "b" : "a", type, 4, shape,
                          i > 0 && const_second ? data : NULL);
    if (is_quantized(type)) quant(mb, in[i], type);
  }
  out = pnn_mb_tensor(mb, "y", type, 4, shape, NULL);
  if (is_quantized(type)) quant(mb, out, type);
  pnn_mb_op(mb, builtin, (uint8_t)pnn_builtin_options_type(builtin), NULL,
            n_in, in, 1, &out);
  pnn_mb_inputs(mb, 1, in);
  pnn_mb_outputs(mb, 1, &out);
  char name[96];
  snprintf(name, sizeof name, "gen_%s_%d%s%s", pnn_builtin_name(builtin),
           n_in, type_suffix(type), const_second ? "_c" : "");
  save(mb, name);
}

static void conv(int32_t builtin) {
  pnn_mb *mb = pnn_mb_new();
  bool dw = builtin == PNN_OP_DEPTHWISE_CONV_2D;
  int32_t xs[] = {1, 4, 4, 2}, ws[] = {dw ? 1 : 2, 2, 2, 2}, bs[] = {2},
          ys[] = {1, 4, 4, 2};
  int x = pnn_mb_tensor(mb, "x", PNN_TYPE_FLOAT32, 4, xs, NULL);
  int w = pnn_mb_tensor(mb, "w", PNN_TYPE_FLOAT32, 4, ws, kData);
  int b = pnn_mb_tensor(mb, "b", PNN_TYPE_FLOAT32, 1, bs, kData);
  int y = pnn_mb_tensor(mb, "y", PNN_TYPE_FLOAT32, 4, ys, NULL);
  if (dw) {
    pnn_depthwise_conv2d_options o;
    pnn_mb_options_defaults(1, PNN_OPTIONS_OF(depthwise_conv2d), &o);
    o.stride_w = o.stride_h = 1;
    o.depth_multiplier = 1;
    pnn_mb_op(mb, builtin, PNN_OPTIONS_OF(depthwise_conv2d), &o, 3,
              (int32_t[]){x, w, b}, 1, &y);
  } else {
    pnn_conv2d_options o;
    pnn_mb_options_defaults(1, PNN_OPTIONS_OF(conv2d), &o);
    o.stride_w = o.stride_h = 1;
    o.fused_activation_function = PNN_ACT_RELU;
    pnn_mb_op(mb, builtin, PNN_OPTIONS_OF(conv2d), &o, 3,
              (int32_t[]){x, w, b}, 1, &y);
  }
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
  save(mb, builtin == PNN_OP_CONV_2D ? "ok_conv" : "ok_depthwise");
}

static void fully_connected(void) {
  pnn_mb *mb = pnn_mb_new();
  int x = pnn_mb_tensor(mb, "x", PNN_TYPE_FLOAT32, 2, (int32_t[]){2, 8}, NULL);
  int w = pnn_mb_tensor(mb, "w", PNN_TYPE_FLOAT32, 2, (int32_t[]){4, 8}, kData);
  int b = pnn_mb_tensor(mb, "b", PNN_TYPE_FLOAT32, 1, (int32_t[]){4}, kData);
  int y = pnn_mb_tensor(mb, "y", PNN_TYPE_FLOAT32, 2, (int32_t[]){2, 4}, NULL);
  pnn_mb_op(mb, PNN_OP_FULLY_CONNECTED, PNN_OPTIONS_OF(fully_connected), NULL,
            3, (int32_t[]){x, w, b}, 1, &y);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
  save(mb, "ok_fully_connected");
}

static void pool(int32_t builtin, const char *name) {
  pnn_mb *mb = pnn_mb_new();
  int x = pnn_mb_tensor(mb, "x", PNN_TYPE_FLOAT32, 4, (int32_t[]){1, 4, 4, 2},
                        NULL);
  int y = pnn_mb_tensor(mb, "y", PNN_TYPE_FLOAT32, 4, (int32_t[]){1, 2, 2, 2},
                        NULL);
  pnn_pool2d_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(pool2d), &o);
  o.stride_w = o.stride_h = o.filter_width = o.filter_height = 2;
  o.padding = PNN_PADDING_VALID;
  pnn_mb_op(mb, builtin, PNN_OPTIONS_OF(pool2d), &o, 1, &x, 1, &y);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
  save(mb, name);
}

static void reshape_gather(void) {
  pnn_mb *mb = pnn_mb_new();
  int x = pnn_mb_tensor(mb, "x", PNN_TYPE_FLOAT32, 2, (int32_t[]){4, 4}, NULL);
  int s = pnn_mb_tensor(mb, "s", PNN_TYPE_INT32, 1, (int32_t[]){2},
                        (int32_t[]){8, 2});
  int r = pnn_mb_tensor(mb, "r", PNN_TYPE_FLOAT32, 2, (int32_t[]){8, 2}, NULL);
  int idx = pnn_mb_tensor(mb, "i", PNN_TYPE_INT32, 1, (int32_t[]){3},
                          (int32_t[]){7, 0, 3});
  int y = pnn_mb_tensor(mb, "y", PNN_TYPE_FLOAT32, 2, (int32_t[]){3, 2}, NULL);
  pnn_mb_op(mb, PNN_OP_RESHAPE, 0, NULL, 2, (int32_t[]){x, s}, 1, &r);
  pnn_mb_op(mb, PNN_OP_GATHER, PNN_OPTIONS_OF(gather), NULL, 2,
            (int32_t[]){r, idx}, 1, &y);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
  save(mb, "ok_reshape_gather");
}

/* while (i < 5) i = i + 1 : two subgraphs and a WHILE. */
static void while_loop(void) {
  pnn_mb *mb = pnn_mb_new();
  int32_t sc[] = {1};
  int i0 = pnn_mb_tensor(mb, "i", PNN_TYPE_INT32, 1, sc, NULL);
  int o0 = pnn_mb_tensor(mb, "o", PNN_TYPE_INT32, 1, sc, NULL);
  pnn_while__options wo;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(while_), &wo);
  wo.cond_subgraph_index = 1;
  wo.body_subgraph_index = 2;
  pnn_mb_op(mb, PNN_OP_WHILE, PNN_OPTIONS_OF(while_), &wo, 1, &i0, 1, &o0);
  pnn_mb_inputs(mb, 1, &i0);
  pnn_mb_outputs(mb, 1, &o0);
  pnn_mb_subgraph(mb, "cond");
  int ci = pnn_mb_tensor(mb, "i", PNN_TYPE_INT32, 1, sc, NULL);
  int cl = pnn_mb_tensor(mb, "lim", PNN_TYPE_INT32, 1, sc, (int32_t[]){5});
  int cb = pnn_mb_tensor(mb, "c", PNN_TYPE_BOOL, 0, NULL, NULL);
  pnn_mb_op(mb, PNN_OP_LESS, 0, NULL, 2, (int32_t[]){ci, cl}, 1, &cb);
  pnn_mb_inputs(mb, 1, &ci);
  pnn_mb_outputs(mb, 1, &cb);
  pnn_mb_subgraph(mb, "body");
  int bi = pnn_mb_tensor(mb, "i", PNN_TYPE_INT32, 1, sc, NULL);
  int one = pnn_mb_tensor(mb, "one", PNN_TYPE_INT32, 1, sc, (int32_t[]){1});
  int bo = pnn_mb_tensor(mb, "o", PNN_TYPE_INT32, 1, sc, NULL);
  pnn_mb_op(mb, PNN_OP_ADD, PNN_OPTIONS_OF(add), NULL, 2,
            (int32_t[]){bi, one}, 1, &bo);
  pnn_mb_inputs(mb, 1, &bi);
  pnn_mb_outputs(mb, 1, &bo);
  save(mb, "ok_while");
}

/* Quantized conv / depthwise / fully connected: int8 per-channel weights
 * and int32 bias (act int8 or uint8 per-tensor), or int16 activations
 * with int8 weights and int64 bias (16x8). */
static void quantized_conv(int32_t builtin, pnn_type act) {
  pnn_mb *mb = pnn_mb_new();
  bool dw = builtin == PNN_OP_DEPTHWISE_CONV_2D;
  bool fc = builtin == PNN_OP_FULLY_CONNECTED;
  pnn_type wt = act == PNN_TYPE_UINT8 ? PNN_TYPE_UINT8 : PNN_TYPE_INT8;
  pnn_type bt = act == PNN_TYPE_INT16 ? PNN_TYPE_INT64 : PNN_TYPE_INT32;
  static const int64_t bias64[2] = {5, -7};
  int32_t xs[] = {1, 4, 4, 2}, ws[] = {dw ? 1 : 2, 2, 2, 2}, bs[] = {2},
          ys[] = {1, 4, 4, 2}, fxs[] = {2, 8}, fws[] = {2, 8}, fys[] = {2, 2};
  int x = pnn_mb_tensor(mb, "x", act, fc ? 2 : 4, fc ? fxs : xs, NULL);
  int w = pnn_mb_tensor(mb, "w", wt, fc ? 2 : 4, fc ? fws : ws, kData);
  int b = pnn_mb_tensor(mb, "b", bt, 1, bs,
                        bt == PNN_TYPE_INT64 ? (const void *)bias64 : kInts);
  int y = pnn_mb_tensor(mb, "y", act, fc ? 2 : 4, fc ? fys : ys, NULL);
  quant(mb, x, act);
  quant(mb, y, act);
  if (wt == PNN_TYPE_UINT8) {
    pnn_mb_tensor_quant(mb, w, 1, (float[]){0.02f}, (int64_t[]){120}, 0);
    pnn_mb_tensor_quant(mb, b, 1, (float[]){0.002f}, NULL, 0);
  } else {
    /* Per channel along the output-channel dimension. */
    int qd = dw ? 3 : 0;
    pnn_mb_tensor_quant(mb, w, 2, (float[]){0.02f, 0.03f}, NULL, qd);
    pnn_mb_tensor_quant(mb, b, 2, (float[]){0.002f, 0.003f}, NULL, 0);
  }
  if (fc) {
    pnn_mb_op(mb, builtin, PNN_OPTIONS_OF(fully_connected), NULL, 3,
              (int32_t[]){x, w, b}, 1, &y);
  } else if (dw) {
    pnn_depthwise_conv2d_options o;
    pnn_mb_options_defaults(1, PNN_OPTIONS_OF(depthwise_conv2d), &o);
    o.stride_w = o.stride_h = 1;
    o.depth_multiplier = 1;
    pnn_mb_op(mb, builtin, PNN_OPTIONS_OF(depthwise_conv2d), &o, 3,
              (int32_t[]){x, w, b}, 1, &y);
  } else {
    pnn_conv2d_options o;
    pnn_mb_options_defaults(1, PNN_OPTIONS_OF(conv2d), &o);
    o.stride_w = o.stride_h = 1;
    pnn_mb_op(mb, builtin, PNN_OPTIONS_OF(conv2d), &o, 3,
              (int32_t[]){x, w, b}, 1, &y);
  }
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
  char name[96];
  snprintf(name, sizeof name, "ok_q_%s%s", pnn_builtin_name(builtin),
           type_suffix(act));
  save(mb, name);
}

/* A fully-connected layer whose 4x8 weight is CSR-sparse (DENSIFY input
 * in TFLite's converted models). */
static void sparse_fc(void) {
  pnn_mb *mb = pnn_mb_new();
  static const float vals[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  static const int32_t order[2] = {0, 1};
  static const int32_t segs[5] = {0, 2, 4, 6, 8};
  static const int32_t idx[8] = {0, 3, 1, 7, 2, 5, 4, 6};
  int buf = pnn_mb_buffer(mb, vals, sizeof vals);
  int32_t ws[] = {4, 8};
  int w = pnn_mb_tensor_in_buffer(mb, "w", PNN_TYPE_FLOAT32, 2, ws, buf);
  pnn_dim_metadata_def dm[2];
  memset(dm, 0, sizeof dm);
  dm[0].format = PNN_DIM_DENSE;
  dm[0].dense_size = 4;
  dm[1].format = PNN_DIM_SPARSE_CSR;
  dm[1].segments_type = dm[1].indices_type = 1;
  dm[1].segments = (pnn_vec_i32){segs, 5};
  dm[1].indices = (pnn_vec_i32){idx, 8};
  pnn_sparsity_def sp = {{order, 2}, {NULL, 0}, 2, dm};
  pnn_mb_tensor_sparsity(mb, w, &sp);
  int wd = pnn_mb_tensor(mb, "wd", PNN_TYPE_FLOAT32, 2, ws, NULL);
  int x = pnn_mb_tensor(mb, "x", PNN_TYPE_FLOAT32, 2, (int32_t[]){2, 8}, NULL);
  int y = pnn_mb_tensor(mb, "y", PNN_TYPE_FLOAT32, 2, (int32_t[]){2, 4}, NULL);
  pnn_mb_op(mb, PNN_OP_DENSIFY, 0, NULL, 1, &w, 1, &wd);
  pnn_mb_op(mb, PNN_OP_FULLY_CONNECTED, PNN_OPTIONS_OF(fully_connected), NULL,
            3, (int32_t[]){x, wd, -1}, 1, &y);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
  save(mb, "ok_sparse_fc");
}

/* y = c ? x + 1 : x * 2, after a CALL_ONCE writing a variable tensor. */
static void if_call_once(void) {
  pnn_mb *mb = pnn_mb_new();
  int32_t v[] = {4};
  float one = 1, two = 2;
  int c = pnn_mb_tensor(mb, "c", PNN_TYPE_BOOL, 0, NULL, NULL);
  int x = pnn_mb_tensor(mb, "x", PNN_TYPE_FLOAT32, 1, v, NULL);
  int y = pnn_mb_tensor(mb, "y", PNN_TYPE_FLOAT32, 1, v, NULL);
  pnn_mb_op(mb, PNN_OP_CALL_ONCE, PNN_OPTIONS_OF(call_once),
            &(pnn_call_once_options){.init_subgraph_index = 3}, 0, NULL, 0,
            NULL);
  pnn_mb_op(mb, PNN_OP_IF, PNN_OPTIONS_OF(if_),
            &(pnn_if__options){.then_subgraph_index = 1,
                               .else_subgraph_index = 2},
            2, (int32_t[]){c, x}, 1, &y);
  pnn_mb_inputs(mb, 2, (int32_t[]){c, x});
  pnn_mb_outputs(mb, 1, &y);
  for (int g = 0; g < 2; g++) {
    pnn_mb_subgraph(mb, g ? "else" : "then");
    int a = pnn_mb_tensor(mb, "a", PNN_TYPE_FLOAT32, 1, v, NULL);
    int k = pnn_mb_tensor(mb, "k", PNN_TYPE_FLOAT32, 0, NULL, g ? &two : &one);
    int o = pnn_mb_tensor(mb, "o", PNN_TYPE_FLOAT32, 1, v, NULL);
    pnn_mb_op(mb, g ? PNN_OP_MUL : PNN_OP_ADD, 0, NULL, 2, (int32_t[]){a, k},
              1, &o);
    pnn_mb_inputs(mb, 1, &a);
    pnn_mb_outputs(mb, 1, &o);
  }
  pnn_mb_subgraph(mb, "init");
  int vv = pnn_mb_tensor(mb, "state", PNN_TYPE_FLOAT32, 1, v, NULL);
  pnn_mb_tensor_variable(mb, vv);
  int val = pnn_mb_tensor(mb, "val", PNN_TYPE_FLOAT32, 1, v, kData);
  pnn_mb_op(mb, PNN_OP_ADD, PNN_OPTIONS_OF(add), NULL, 2,
            (int32_t[]){val, val}, 1, &vv);
  pnn_mb_inputs(mb, 0, NULL);
  pnn_mb_outputs(mb, 0, NULL);
  save(mb, "ok_if_call_once");
}

/* (i, s): while i < 4 { i += 1; s = (while s < 3 * i: s += 1) } in int32,
 * and an endless loop (while i < 5: i += 0) that the iteration cap ends. */
static void nested_while(void) {
  int32_t sc[] = {1};
  pnn_mb *mb = pnn_mb_new();
  int i = pnn_mb_tensor(mb, "i", PNN_TYPE_INT32, 1, sc, NULL);
  int s = pnn_mb_tensor(mb, "s", PNN_TYPE_INT32, 1, sc, NULL);
  int io = pnn_mb_tensor(mb, "io", PNN_TYPE_INT32, 1, sc, NULL);
  int so = pnn_mb_tensor(mb, "so", PNN_TYPE_INT32, 1, sc, NULL);
  int ie = pnn_mb_tensor(mb, "ie", PNN_TYPE_INT32, 1, sc, NULL);
  int ee = pnn_mb_tensor(mb, "ee", PNN_TYPE_INT32, 1, sc, NULL);
  pnn_mb_op(mb, PNN_OP_WHILE, PNN_OPTIONS_OF(while_),
            &(pnn_while__options){.cond_subgraph_index = 1,
                                  .body_subgraph_index = 2},
            2, (int32_t[]){i, s}, 2, (int32_t[]){io, so});
  pnn_mb_op(mb, PNN_OP_WHILE, PNN_OPTIONS_OF(while_),
            &(pnn_while__options){.cond_subgraph_index = 5,
                                  .body_subgraph_index = 6},
            1, &i, 1, &ie);
  pnn_mb_op(mb, PNN_OP_ADD, PNN_OPTIONS_OF(add), NULL, 2, (int32_t[]){io, ie},
            1, &ee);
  pnn_mb_inputs(mb, 2, (int32_t[]){i, s});
  pnn_mb_outputs(mb, 2, (int32_t[]){so, ee});
  /* 1, 3, 5: cond (a < k) over (a, b); 2, 4, 6: body. */
  const int32_t lims[3] = {4, 0, 5};
  for (int l = 0; l < 3; l++) {
    int n = l == 2 ? 1 : 2;
    pnn_mb_subgraph(mb, "cond");
    int a = pnn_mb_tensor(mb, "a", PNN_TYPE_INT32, 1, sc, NULL);
    int b = pnn_mb_tensor(mb, "b", PNN_TYPE_INT32, 1, sc, NULL);
    int k = pnn_mb_tensor(mb, "k", PNN_TYPE_INT32, 1, sc, &lims[l]);
    int c = pnn_mb_tensor(mb, "c", PNN_TYPE_BOOL, 1, sc, NULL);
    /* The inner loop (l == 1) compares s with its bound b. */
    pnn_mb_op(mb, PNN_OP_LESS, 0, NULL, 2, (int32_t[]){a, l == 1 ? b : k}, 1,
              &c);
    pnn_mb_inputs(mb, n, (int32_t[]){a, b});
    pnn_mb_outputs(mb, 1, &c);
    pnn_mb_subgraph(mb, "body");
    static const int32_t one = 1, zero = 0, three = 3;
    a = pnn_mb_tensor(mb, "a", PNN_TYPE_INT32, 1, sc, NULL);
    b = pnn_mb_tensor(mb, "b", PNN_TYPE_INT32, 1, sc, NULL);
    int k1 = pnn_mb_tensor(mb, "step", PNN_TYPE_INT32, 1, sc,
                           l == 2 ? &zero : &one);
    int a1 = pnn_mb_tensor(mb, "a1", PNN_TYPE_INT32, 1, sc, NULL);
    int b1 = pnn_mb_tensor(mb, "b1", PNN_TYPE_INT32, 1, sc, NULL);
    pnn_mb_op(mb, PNN_OP_ADD, PNN_OPTIONS_OF(add), NULL, 2, (int32_t[]){a, k1},
              1, &a1);
    if (l == 0) { /* b1 = inner(b, 3 * a1) */
      int k3 = pnn_mb_tensor(mb, "three", PNN_TYPE_INT32, 1, sc, &three);
      int lim = pnn_mb_tensor(mb, "lim", PNN_TYPE_INT32, 1, sc, NULL);
      int lo = pnn_mb_tensor(mb, "lo", PNN_TYPE_INT32, 1, sc, NULL);
      pnn_mb_op(mb, PNN_OP_MUL, PNN_OPTIONS_OF(mul), NULL, 2,
                (int32_t[]){a1, k3}, 1, &lim);
      pnn_mb_op(mb, PNN_OP_WHILE, PNN_OPTIONS_OF(while_),
                &(pnn_while__options){.cond_subgraph_index = 3,
                                      .body_subgraph_index = 4},
                2, (int32_t[]){b, lim}, 2, (int32_t[]){b1, lo});
    } else if (l == 1) { /* b passes through */
      int z = pnn_mb_tensor(mb, "zero", PNN_TYPE_INT32, 1, sc, &zero);
      pnn_mb_op(mb, PNN_OP_ADD, PNN_OPTIONS_OF(add), NULL, 2,
                (int32_t[]){b, z}, 1, &b1);
    }
    pnn_mb_inputs(mb, n, (int32_t[]){a, b});
    pnn_mb_outputs(mb, n, (int32_t[]){a1, b1});
  }
  save(mb, "ok_nested_while");
}

static void quantized(void) {
  pnn_mb *mb = pnn_mb_new();
  int32_t s[] = {1, 8};
  int x = pnn_mb_tensor(mb, "x", PNN_TYPE_FLOAT32, 2, s, NULL);
  int q = pnn_mb_tensor(mb, "q", PNN_TYPE_INT8, 2, s, NULL);
  int y = pnn_mb_tensor(mb, "y", PNN_TYPE_FLOAT32, 2, s, NULL);
  pnn_mb_tensor_quant(mb, q, 1, (float[]){0.05f}, (int64_t[]){3}, 0);
  pnn_mb_op(mb, PNN_OP_QUANTIZE, 0, NULL, 1, &x, 1, &q);
  pnn_mb_op(mb, PNN_OP_DEQUANTIZE, 0, NULL, 1, &q, 1, &y);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
  save(mb, "ok_quantize");
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: gen_seeds DIR\n");
    return 2;
  }
  g_dir = argv[1];
  for (int32_t b = 0; b < PNN_BUILTIN_OP_COUNT; b++) {
    if (!pnn_op_find_builtin(b) || !pnn_builtin_name(b)) continue;
    generic(b, 1, PNN_TYPE_FLOAT32, false);
    generic(b, 2, PNN_TYPE_FLOAT32, false);
    generic(b, 2, PNN_TYPE_FLOAT32, true);
    generic(b, 3, PNN_TYPE_FLOAT32, true);
    generic(b, 2, PNN_TYPE_INT32, true);
    generic(b, 1, PNN_TYPE_INT8, false);
    generic(b, 2, PNN_TYPE_INT8, true);
    generic(b, 1, PNN_TYPE_UINT8, false);
    generic(b, 2, PNN_TYPE_UINT8, true);
    generic(b, 1, PNN_TYPE_INT16, false);
    generic(b, 2, PNN_TYPE_INT16, true);
  }
  const pnn_type acts[3] = {PNN_TYPE_INT8, PNN_TYPE_UINT8, PNN_TYPE_INT16};
  for (int a = 0; a < 3; a++) {
    quantized_conv(PNN_OP_CONV_2D, acts[a]);
    quantized_conv(PNN_OP_DEPTHWISE_CONV_2D, acts[a]);
    quantized_conv(PNN_OP_FULLY_CONNECTED, acts[a]);
  }
  sparse_fc();
  if_call_once();
  nested_while();
  conv(PNN_OP_CONV_2D);
  conv(PNN_OP_DEPTHWISE_CONV_2D);
  fully_connected();
  pool(PNN_OP_AVERAGE_POOL_2D, "ok_avg_pool");
  pool(PNN_OP_MAX_POOL_2D, "ok_max_pool");
  reshape_gather();
  while_loop();
  quantized();
  printf("gen_seeds: %d models in %s\n", g_written, g_dir);
  return g_failed ? 1 : 0;
}
