/* pnn_options_equal / pnn_model_def_equal (src/format/compare.c) find a
 * difference of every field kind and name it with both values; equal
 * inputs compare equal. The round-trip tests only ever see equal models,
 * so this is where a comparison that misses a difference would show. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/compare.h"
#include "format/model.h"
#include "format/model_builder.h"
#include "format/options.h"
#include "harness.h"
#include "util/pool.h"

/* a and b differ and the message contains `want`. */
#define CHECK_OPTIONS_DIFFER(set, type, a, b, want)                           \
  do {                                                                        \
    char why_[256] = "";                                                      \
    CHECK(!pnn_options_equal(set, type, a, b, why_, sizeof why_));            \
    CHECK_MSG(strstr(why_, want) != NULL, "\"%s\" lacks \"%s\"", why_, want); \
  } while (0)

TEST(options_every_scalar_kind) {
  pnn_builtin_options a, b;
  char why[256];
  /* BOOL and I8 (FullyConnectedOptions). */
  memset(&a, 0, sizeof a);
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(fully_connected), &a);
  b = a;
  CHECK(pnn_options_equal(1, PNN_OPTIONS_OF(fully_connected), &a, &b, why,
                          sizeof why));
  CHECK_EQ_INT(why[0], 0);
  b.fully_connected.keep_num_dims = true;
  CHECK_OPTIONS_DIFFER(1, PNN_OPTIONS_OF(fully_connected), &a, &b,
                       "FullyConnectedOptions.keep_num_dims: 0 vs 1");
  b = a;
  b.fully_connected.fused_activation_function = -3;
  CHECK_OPTIONS_DIFFER(1, PNN_OPTIONS_OF(fully_connected), &a, &b,
                       "fused_activation_function: 0 vs -3");
  /* I32 (Conv2DOptions). */
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(conv2d), &a);
  b = a;
  b.conv2d.stride_w = -7;
  CHECK_OPTIONS_DIFFER(1, PNN_OPTIONS_OF(conv2d), &a, &b,
                       "Conv2DOptions.stride_w: 0 vs -7");
  /* U32 (CallOptions). */
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(call), &a);
  b = a;
  b.call.subgraph = 4000000000u;
  CHECK_OPTIONS_DIFFER(1, PNN_OPTIONS_OF(call), &a, &b,
                       "subgraph: 0 vs 4000000000");
  /* I64 (RandomOptions). */
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(random), &a);
  b = a;
  b.random.seed2 = -5000000000LL;
  CHECK_OPTIONS_DIFFER(1, PNN_OPTIONS_OF(random), &a, &b,
                       "seed2: 0 vs -5000000000");
  /* F32 compares bitwise: -0 differs from +0. */
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(leaky_relu), &a);
  b = a;
  a.leaky_relu.alpha = 0.f;
  b.leaky_relu.alpha = -0.f;
  CHECK_OPTIONS_DIFFER(1, PNN_OPTIONS_OF(leaky_relu), &a, &b,
                       "LeakyReluOptions.alpha: 0 vs -0");
}

TEST(options_vector_field) {
  pnn_builtin_options a, b;
  pnn_mb_options_defaults(2, PNN_OPTIONS2_stablehlo_broadcast_in_dim, &a);
  b = a;
  const int64_t x[] = {1, 2, 3}, y[] = {1, 2, -9}, z[] = {1, 2};
  a.stablehlo_broadcast_in_dim.broadcast_dimensions = (pnn_vec_i64){x, 3};
  b.stablehlo_broadcast_in_dim.broadcast_dimensions = (pnn_vec_i64){y, 3};
  CHECK_OPTIONS_DIFFER(2, PNN_OPTIONS2_stablehlo_broadcast_in_dim, &a, &b,
                       "broadcast_dimensions[2]: 3 vs -9");
  b.stablehlo_broadcast_in_dim.broadcast_dimensions = (pnn_vec_i64){z, 2};
  CHECK_OPTIONS_DIFFER(2, PNN_OPTIONS2_stablehlo_broadcast_in_dim, &a, &b,
                       "broadcast_dimensions: 3 vs 2 elements");
  b.stablehlo_broadcast_in_dim.broadcast_dimensions = (pnn_vec_i64){x, 3};
  char why[64];
  CHECK(pnn_options_equal(2, PNN_OPTIONS2_stablehlo_broadcast_in_dim, &a, &b,
                          why, sizeof why));
}

/* A one-op model (quantized constant weights and a buffer) decoded into
 * *def. */
static bool decode_model(pnn_pool *pool, uint8_t **bytes, pnn_model_def *def) {
  pnn_mb *mb = pnn_mb_new();
  const int8_t w[6] = {1, 2, 3, 4, 5, 6};
  const float scale = 0.5f;
  const int64_t zp = 0;
  int x = pnn_mb_tensor(mb, "x", PNN_TYPE_INT8, 2, (int32_t[]){1, 3}, NULL);
  int k = pnn_mb_tensor(mb, "w", PNN_TYPE_INT8, 2, (int32_t[]){2, 3}, w);
  int y = pnn_mb_tensor(mb, "y", PNN_TYPE_INT8, 2, (int32_t[]){1, 2}, NULL);
  for (int t = 0; t < 3; t++) pnn_mb_tensor_quant(mb, t, 1, &scale, &zp, 0);
  pnn_fully_connected_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(fully_connected), &o);
  pnn_mb_op(mb, PNN_OP_FULLY_CONNECTED, PNN_OPTIONS_OF(fully_connected), &o, 2,
            (int32_t[]){x, k}, 1, &y);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
  size_t size;
  pnn_status s = pnn_mb_finish(mb, bytes, &size);
  pnn_mb_free(mb);
  if (s) return false;
  pnn_pool_init(pool);
  char err[128];
  return pnn_model_decode(*bytes, size, pool, def, err, sizeof err) == PNN_OK;
}

TEST(model_differences_are_located) {
  pnn_pool pa, pb;
  uint8_t *ba = NULL, *bb = NULL;
  pnn_model_def a, b;
  CHECK(decode_model(&pa, &ba, &a));
  CHECK(decode_model(&pb, &bb, &b));
  char why[256];
  CHECK_MSG(pnn_model_def_equal(&a, &b, why, sizeof why), "%s", why);
  /* b gets writable copies of its subgraph, tensors, op and buffers. */
  CHECK_EQ_INT(b.n_subgraphs, 1);
  CHECK_EQ_INT(b.subgraphs[0].n_tensors, 3);
  CHECK(b.n_buffers <= 8);
  pnn_subgraph_def sg = b.subgraphs[0];
  pnn_tensor_def tensors[3];
  memcpy(tensors, sg.tensors, sizeof tensors);
  pnn_op_def op = sg.ops[0];
  pnn_buffer_def buffers[8];
  memcpy(buffers, b.buffers, sizeof(buffers[0]) * (size_t)b.n_buffers);
  sg.tensors = tensors;
  sg.ops = &op;
  b.subgraphs = &sg;
  b.buffers = buffers;
  CHECK_MSG(pnn_model_def_equal(&a, &b, why, sizeof why), "%s", why);
  /* A tensor shape (int32 array). */
  pnn_tensor_def *t = &tensors[1], saved = *t;
  const int32_t shape[2] = {2, 5};
  t->shape = shape;
  CHECK(!pnn_model_def_equal(&a, &b, why, sizeof why));
  CHECK_MSG(strstr(why, "subgraph 0 tensor 1 'w': shape[1]: 3 vs 5"), "%s",
            why);
  /* A quantization scale (float array). */
  *t = saved;
  const float scale = 0.25f;
  t->quant.scale = &scale;
  CHECK(!pnn_model_def_equal(&a, &b, why, sizeof why));
  CHECK_MSG(strstr(why, "quant.scale[0]: 0.5 vs 0.25"), "%s", why);
  *t = saved;
  /* A buffer byte (uint8 array): the last weight. */
  pnn_buffer_def *buf = &buffers[t->buffer], saved_buf = *buf;
  CHECK_EQ_INT(buf->size, 6);
  uint8_t copy[6];
  memcpy(copy, buf->data, 6);
  copy[5] = 200;
  buf->data = copy;
  CHECK(!pnn_model_def_equal(&a, &b, why, sizeof why));
  char want[64];
  snprintf(want, sizeof want, "buffer %u: data[5]: 6 vs 200", saved.buffer);
  CHECK_MSG(strstr(why, want), "%s", why);
  *buf = saved_buf;
  /* An operator option. */
  op.options.fully_connected.keep_num_dims = true;
  CHECK(!pnn_model_def_equal(&a, &b, why, sizeof why));
  CHECK_MSG(strstr(why, "op 0: FullyConnectedOptions.keep_num_dims: 0 vs 1"),
            "%s", why);
  op.options.fully_connected.keep_num_dims = false;
  CHECK_MSG(pnn_model_def_equal(&a, &b, why, sizeof why), "%s", why);
  pnn_pool_free(&pa);
  pnn_pool_free(&pb);
  free(ba);
  free(bb);
}
