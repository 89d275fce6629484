/* Writes a seed corpus for the fuzz targets into DIR: small one-op models
 * made with the model builder (src/format/model_builder.h), for every
 * builtin the runtime registers (1..3 float or int32 inputs, options at
 * their schema defaults) plus hand-made valid models of the main families
 * (conv, depthwise, fully connected, pooling, reshape, gather, control
 * flow). tests/fuzz/run.sh adds the small converter models of .cache/ops
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

/* builtin with n_in inputs of `type` [1,4,4,2]; input 1 constant when
 * const_second. */
static void generic(int32_t builtin, int n_in, pnn_type type,
                    bool const_second) {
  pnn_mb *mb = pnn_mb_new();
  int32_t shape[] = {1, 4, 4, 2};
  int32_t in[3], out;
  const void *data = type == PNN_TYPE_INT32 ? (const void *)kInts : kData;
  for (int i = 0; i < n_in; i++)
    in[i] = pnn_mb_tensor(mb, i ? "b" : "a", type, 4, shape,
                          i > 0 && const_second ? data : NULL);
  out = pnn_mb_tensor(mb, "y", type, 4, shape, NULL);
  pnn_mb_op(mb, builtin, (uint8_t)pnn_builtin_options_type(builtin), NULL,
            n_in, in, 1, &out);
  pnn_mb_inputs(mb, 1, in);
  pnn_mb_outputs(mb, 1, &out);
  char name[96];
  snprintf(name, sizeof name, "gen_%s_%d%s%s", pnn_builtin_name(builtin),
           n_in, type == PNN_TYPE_INT32 ? "_i32" : "",
           const_second ? "_c" : "");
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
  }
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
