/* The verifying reader on valid input: every decoded field of a hand-made
 * model, both buffer forms, the 14 real mediapipe models, options decoded
 * through the generic descriptors, and the load/type/status API. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "format/model.h"
#include "format/model_builder.h"
#include "format_gen.h"
#include "format_models.h"
#include "harness.h"
#include "util/pool.h"

static pnn_status decode(const uint8_t *bytes, size_t size, pnn_pool *pool,
                         pnn_model_def *m, char *err, size_t n) {
  pnn_pool_init(pool);
  return pnn_model_decode(bytes, size, pool, m, err, n);
}

TEST(types_status_version) {
  CHECK(strcmp(pnn_version(), "0.1.0") == 0);
  CHECK(strcmp(pnn_status_string(PNN_OK), "ok") == 0);
  CHECK(strcmp(pnn_status_string(PNN_ERROR_INVALID_MODEL), "invalid model") ==
        0);
  CHECK(strcmp(pnn_status_string((pnn_status)99), "unknown status") == 0);
  CHECK(strcmp(pnn_type_name(PNN_TYPE_FLOAT32), "float32") == 0);
  CHECK(strcmp(pnn_type_name(PNN_TYPE_BFLOAT16), "bfloat16") == 0);
  CHECK(strcmp(pnn_type_name((pnn_type)42), "unknown") == 0);
  CHECK_EQ_INT(pnn_type_size(PNN_TYPE_FLOAT32), 4);
  CHECK_EQ_INT(pnn_type_size(PNN_TYPE_FLOAT16), 2);
  CHECK_EQ_INT(pnn_type_size(PNN_TYPE_INT64), 8);
  CHECK_EQ_INT(pnn_type_size(PNN_TYPE_COMPLEX128), 16);
  CHECK_EQ_INT(pnn_type_size(PNN_TYPE_BOOL), 1);
  CHECK_EQ_INT(pnn_type_size(PNN_TYPE_STRING), 0);
  CHECK_EQ_INT(pnn_type_size(PNN_TYPE_INT4), 0);
  CHECK_EQ_INT(pnn_type_size((pnn_type)-1), 0);
}

/* Every field of the generated model, with quant, sparsity, CALL_ONCE and
 * a custom op switched on. */
TEST(decode_generated_model_fields) {
  fg_spec s;
  fg_defaults(&s);
  s.quant = s.sparse = s.call_once = s.custom = true;
  s.n_subgraphs = 2;
  size_t size;
  uint8_t *bytes = fg_build(&s, &size);
  CHECK(bytes);
  pnn_pool pool;
  pnn_model_def m;
  char err[256];
  pnn_status st = decode(bytes, size, &pool, &m, err, sizeof err);
  CHECK_MSG(st == PNN_OK, "decode: %s", err);
  CHECK_EQ_INT(m.version, 3);
  CHECK(strcmp(m.description, "format_gen test model") == 0);
  CHECK_EQ_INT(m.n_opcodes, 3);
  CHECK_EQ_INT(m.opcodes[0].builtin, PNN_OP_ADD);
  CHECK_EQ_INT(m.opcodes[0].version, 1); /* absent: schema default 1 */
  CHECK(m.opcodes[0].custom_code == NULL);
  CHECK_EQ_INT(m.opcodes[1].builtin, PNN_OP_CALL_ONCE); /* max(127, 129) */
  CHECK_EQ_INT(m.opcodes[1].deprecated_builtin_code, 127);
  CHECK_EQ_INT(m.opcodes[1].version, 2);
  CHECK(m.opcodes[2].custom_code &&
        !strcmp(m.opcodes[2].custom_code, "MyCustom"));
  CHECK_EQ_INT(m.n_subgraphs, 2);
  const pnn_subgraph_def *g = &m.subgraphs[0];
  CHECK(strcmp(g->name, "main") == 0);
  CHECK(strcmp(m.subgraphs[1].name, "init") == 0);
  CHECK_EQ_INT(m.subgraphs[1].n_tensors, 0);
  CHECK_EQ_INT(g->n_tensors, 4);
  CHECK_EQ_INT(g->inputs.count, 1);
  CHECK_EQ_INT(g->inputs.data[0], 0);
  CHECK_EQ_INT(g->outputs.data[0], 2);
  const pnn_tensor_def *w = &g->tensors[1];
  CHECK(strcmp(w->name, "weights") == 0);
  CHECK_EQ_INT(w->rank, 2);
  CHECK_EQ_INT(w->shape[0], 2);
  CHECK_EQ_INT(w->shape[1], 4);
  CHECK_EQ_INT(w->signature_rank, 2);
  CHECK_EQ_INT(w->shape_signature[0], -1);
  CHECK_EQ_INT(w->type, PNN_TYPE_FLOAT32);
  CHECK_EQ_INT(w->buffer, 1);
  CHECK(w->has_rank);
  CHECK(!w->has_quant && !w->sparsity && !w->is_variable);
  CHECK_EQ_INT(g->tensors[0].signature_rank, -1);
  const pnn_buffer_def *b = pnn_model_tensor_buffer(&m, w);
  CHECK(b && b->size == 32 && b->offset == 0);
  float f[8];
  memcpy(f, b->data, 32);
  CHECK(f[0] == 0.0f && f[3] == 1.5f && f[7] == 3.5f);
  CHECK(b->data >= bytes && b->data + 32 <= bytes + size); /* zero-copy */
  /* quantization on tensor 2: per-channel over dim 0 */
  const pnn_tensor_def *o = &g->tensors[2];
  CHECK(o->has_quant);
  CHECK_EQ_INT(o->quant.n_scale, 2);
  CHECK_EQ_INT(o->quant.n_zero_point, 2);
  CHECK(o->quant.scale[0] == 0.5f && o->quant.scale[1] == 0.5f);
  CHECK_EQ_INT(o->quant.zero_point[1], 1);
  CHECK_EQ_INT(o->quant.quantized_dimension, 0);
  CHECK_EQ_INT(o->quant.details_type, 0);
  /* sparsity on tensor 3 */
  const pnn_sparsity_def *sp = g->tensors[3].sparsity;
  CHECK(sp);
  CHECK_EQ_INT(sp->traversal_order.count, 2);
  CHECK_EQ_INT(sp->n_dim_metadata, 2);
  CHECK_EQ_INT(sp->dim_metadata[0].format, PNN_DIM_DENSE);
  CHECK_EQ_INT(sp->dim_metadata[0].dense_size, 4);
  const pnn_dim_metadata_def *dm = &sp->dim_metadata[1];
  CHECK_EQ_INT(dm->format, PNN_DIM_SPARSE_CSR);
  CHECK_EQ_INT(dm->segments_type, 3);
  CHECK_EQ_INT(dm->segments.count, 5);
  CHECK_EQ_INT(dm->segments.data[4], 2); /* uint8 widened */
  CHECK_EQ_INT(dm->indices_type, 1);
  CHECK_EQ_INT(dm->indices.count, 2);
  CHECK_EQ_INT(dm->indices.data[1], 3);
  /* ops */
  CHECK_EQ_INT(g->n_ops, 3);
  const pnn_op_def *add = &g->ops[0];
  CHECK_EQ_INT(add->opcode_index, 0);
  CHECK_EQ_INT(add->inputs.count, 2);
  CHECK_EQ_INT(add->inputs.data[1], 1);
  CHECK_EQ_INT(add->outputs.data[0], 2);
  CHECK_EQ_INT(add->options_type, PNN_OPTIONS_OF(add));
  CHECK_EQ_INT(add->options.add.fused_activation_function, PNN_ACT_RELU6);
  CHECK(add->options.add.pot_scale_int16); /* absent: schema default true */
  CHECK_EQ_INT(add->options2_type, 0);
  CHECK_EQ_INT(g->ops[1].options_type, PNN_OPTIONS_OF(call_once));
  CHECK_EQ_INT(g->ops[1].options.call_once.init_subgraph_index, 1);
  const pnn_op_def *cu = &g->ops[2];
  CHECK_EQ_INT(cu->custom_options_size, 5);
  CHECK(cu->custom_options && cu->custom_options[4] == 5);
  CHECK_EQ_INT(cu->large_custom_options_offset, 0);
  /* metadata and signatures */
  CHECK_EQ_INT(m.n_metadata, 1);
  CHECK(strcmp(m.metadata[0].name, "meta") == 0);
  CHECK_EQ_INT(m.metadata[0].buffer, 2);
  CHECK_EQ_INT(m.buffers[2].size, 3);
  CHECK(memcmp(m.buffers[2].data, "abc", 3) == 0);
  CHECK_EQ_INT(m.metadata_buffer.count, 1);
  CHECK_EQ_INT(m.metadata_buffer.data[0], 2);
  CHECK_EQ_INT(m.n_signatures, 1);
  CHECK(strcmp(m.signatures[0].key, "serve") == 0);
  CHECK_EQ_INT(m.signatures[0].n_inputs, 1);
  CHECK(strcmp(m.signatures[0].inputs[0].name, "x") == 0);
  CHECK_EQ_INT(m.signatures[0].outputs[0].tensor_index, 2);
  pnn_pool_free(&pool);
  free(bytes);
}

/* Buffer.offset/size and large_custom_options_offset/size point relative
 * to the file start, past the FlatBuffer. */
TEST(decode_offset_forms) {
  fg_spec s;
  fg_defaults(&s);
  s.weights_offset_form = s.custom = s.large_custom = true;
  size_t size;
  uint8_t *bytes = fg_build(&s, &size);
  CHECK(bytes);
  pnn_pool pool;
  pnn_model_def m;
  char err[256];
  pnn_status st = decode(bytes, size, &pool, &m, err, sizeof err);
  CHECK_MSG(st == PNN_OK, "decode: %s", err);
  const pnn_buffer_def *b = &m.buffers[1];
  CHECK(b->offset > 1 && b->size == 32);
  CHECK(b->data == bytes + b->offset);
  float f[8];
  memcpy(f, b->data, 32);
  CHECK(f[1] == 0.5f && f[7] == 3.5f);
  const pnn_op_def *cu = &m.subgraphs[0].ops[1];
  CHECK(cu->large_custom_options_offset > 1);
  CHECK_EQ_INT(cu->custom_options_size, 5);
  CHECK(cu->custom_options == bytes + cu->large_custom_options_offset);
  CHECK(cu->custom_options[0] == 1 && cu->custom_options[4] == 5);
  pnn_pool_free(&pool);
  free(bytes);
}

/* A model made by the model builder + writer decodes to what was built. */
TEST(decode_builder_model) {
  pnn_mb *mb = pnn_mb_new();
  CHECK(mb);
  int32_t shape[] = {1, 4};
  float bias[] = {1, 2, 3, 4};
  int a = pnn_mb_tensor(mb, "a", PNN_TYPE_FLOAT32, 2, shape, NULL);
  int b = pnn_mb_tensor(mb, "b", PNN_TYPE_FLOAT32, 2, shape, bias);
  int y = pnn_mb_tensor(mb, "y", PNN_TYPE_FLOAT32, 2, shape, NULL);
  pnn_conv2d_options conv;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(conv2d), &conv);
  CHECK_EQ_INT(conv.dilation_w_factor, 1);
  pnn_add_options add;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(add), &add);
  add.fused_activation_function = PNN_ACT_RELU6;
  pnn_mb_op(mb, PNN_OP_ADD, PNN_OPTIONS_OF(add), &add, 2, (int32_t[]){a, b}, 1,
            &y);
  pnn_mb_inputs(mb, 1, &a);
  pnn_mb_outputs(mb, 1, &y);
  uint8_t *bytes = NULL;
  size_t size = 0;
  pnn_status st = pnn_mb_finish(mb, &bytes, &size);
  CHECK_MSG(st == PNN_OK, "builder: %s", pnn_mb_error(mb));
  pnn_mb_free(mb);
  pnn_model *model = NULL;
  char err[256];
  pnn_load_options lo = {.flags = PNN_LOAD_COPY};
  st = pnn_model_load_buffer(bytes, size, &lo, &model, err, sizeof err);
  free(bytes); /* a copy was taken */
  CHECK_MSG(st == PNN_OK, "load: %s", err);
  const pnn_model_def *m = &model->def;
  CHECK_EQ_INT(m->subgraphs[0].n_ops, 1);
  CHECK_EQ_INT(m->subgraphs[0].ops[0].options.add.fused_activation_function,
               PNN_ACT_RELU6);
  const pnn_buffer_def *bd =
      pnn_model_tensor_buffer(m, &m->subgraphs[0].tensors[b]);
  CHECK(bd && bd->size == 16);
  CHECK(((uintptr_t)bd->data & 15) == 0); /* copy is 16-aligned */
  float got[4];
  memcpy(got, bd->data, 16);
  CHECK(got[3] == 4.0f);
  pnn_model_free(model);
}

/* Loads every mediapipe model; a missing cache fails with a fetch hint. */
TEST(load_mediapipe_models) {
  for (int i = 0; i < 14; i++) {
    pnn_model *m = NULL;
    char err[512];
    pnn_status st =
        pnn_model_load_file(fm_models[i], NULL, &m, err, sizeof err);
    if (st == PNN_ERROR_IO)
      CHECK_MSG(0, "%s missing (%s): %s", fm_models[i], err, FM_FETCH_HINT);
    CHECK_MSG(st == PNN_OK, "%s: %s", fm_models[i], err);
    CHECK(pnn_model_subgraph_count(m) >= 1);
    CHECK_EQ_INT(pnn_model_schema_version(m), 3);
    CHECK(pnn_model_description(m) != NULL);
    CHECK(m->def.subgraphs[0].n_ops > 10);
    pnn_model_free(m);
  }
}

/* Options decoded through the descriptors match a dump of the same file
 * made with TensorFlow's generated Python schema reader
 * (schema_py_generated, Conv2DOptionsT etc.): face_detection_short_range
 * op 2 is CONV_2D stride 2x2 SAME, op 6 DEPTHWISE_CONV_2D stride 1 dm 1;
 * the sparse face detector keeps sparse weights for DENSIFY. */
TEST(mediapipe_options_values) {
  pnn_model *m = NULL;
  char err[512];
  pnn_status st = pnn_model_load_file(fm_models[1], NULL, &m, err, sizeof err);
  CHECK_MSG(st == PNN_OK, "%s: %s (%s)", fm_models[1], err, FM_FETCH_HINT);
  const pnn_subgraph_def *g = &m->def.subgraphs[0];
  const pnn_op_def *op = &g->ops[2];
  CHECK_EQ_INT(m->def.opcodes[op->opcode_index].builtin, PNN_OP_CONV_2D);
  CHECK_EQ_INT(op->options_type, PNN_OPTIONS_OF(conv2d));
  CHECK_EQ_INT(op->options.conv2d.stride_w, 2);
  CHECK_EQ_INT(op->options.conv2d.stride_h, 2);
  CHECK_EQ_INT(op->options.conv2d.padding, PNN_PADDING_SAME);
  CHECK_EQ_INT(op->options.conv2d.dilation_h_factor, 1);
  op = &g->ops[6];
  CHECK_EQ_INT(m->def.opcodes[op->opcode_index].builtin,
               PNN_OP_DEPTHWISE_CONV_2D);
  CHECK_EQ_INT(op->options.depthwise_conv2d.stride_w, 1);
  CHECK_EQ_INT(op->options.depthwise_conv2d.depth_multiplier, 1);
  pnn_model_free(m);

  st = pnn_model_load_file(fm_models[0], NULL, &m, err, sizeof err);
  CHECK_MSG(st == PNN_OK, "%s: %s", fm_models[0], err);
  int sparse = 0, densify = 0;
  g = &m->def.subgraphs[0];
  for (int i = 0; i < g->n_tensors; i++)
    sparse += g->tensors[i].sparsity != NULL;
  for (int i = 0; i < g->n_ops; i++)
    densify += m->def.opcodes[g->ops[i].opcode_index].builtin == PNN_OP_DENSIFY;
  CHECK(sparse > 0);
  CHECK_EQ_INT(sparse, densify);
  pnn_model_free(m);
}

TEST(load_file_errors) {
  pnn_model *m = (pnn_model *)1;
  char err[256];
  pnn_status st =
      pnn_model_load_file("/nonexistent/x.tflite", NULL, &m, err, sizeof err);
  CHECK_EQ_INT(st, PNN_ERROR_IO);
  CHECK(m == NULL);
  CHECK_MSG(
      strstr(err, "/nonexistent/x.tflite") && strstr(err, strerror(ENOENT)),
      "message: %s", err);
  st = pnn_model_load_file(".", NULL, &m, err, sizeof err);
  CHECK_EQ_INT(st, PNN_ERROR_IO);
  st = pnn_model_load_file(NULL, NULL, &m, err, sizeof err);
  CHECK_EQ_INT(st, PNN_ERROR_INVALID_ARGUMENT);
  st = pnn_model_load_file("x", NULL, NULL, err, sizeof err);
  CHECK_EQ_INT(st, PNN_ERROR_INVALID_ARGUMENT);
  /* a file that is not a model */
  st = pnn_model_load_file("Makefile", NULL, &m, err, sizeof err);
  CHECK_EQ_INT(st, PNN_ERROR_INVALID_MODEL);
  CHECK_MSG(strstr(err, "TFL3"), "message: %s", err);
  /* the size cap */
  pnn_load_options lo = {.max_file_bytes = 1000};
  st = pnn_model_load_file(fm_models[6], &lo, &m, err, sizeof err);
  CHECK_MSG(st == PNN_ERROR_LIMIT, "status %d: %s", st, err);
  CHECK(strstr(err, "limit"));
  /* NULL err is fine */
  st = pnn_model_load_file("/nonexistent", NULL, &m, NULL, 0);
  CHECK_EQ_INT(st, PNN_ERROR_IO);
}

TEST(load_buffer_borrow_and_copy) {
  fg_spec s;
  fg_defaults(&s);
  size_t size;
  uint8_t *bytes = fg_build(&s, &size);
  CHECK(bytes);
  pnn_model *m = NULL;
  char err[256];
  /* borrowed: data points into the caller's bytes */
  pnn_status st = pnn_model_load_buffer(bytes, size, NULL, &m, err, sizeof err);
  CHECK_MSG(st == PNN_OK, "%s", err);
  CHECK(m->bytes == bytes);
  CHECK(m->def.buffers[1].data >= bytes &&
        m->def.buffers[1].data < bytes + size);
  pnn_model_free(m);
  /* copied: independent of the caller's bytes, 16-byte aligned */
  pnn_load_options lo = {.flags = PNN_LOAD_COPY};
  st = pnn_model_load_buffer(bytes, size, &lo, &m, err, sizeof err);
  CHECK_MSG(st == PNN_OK, "%s", err);
  CHECK(m->bytes != bytes && ((uintptr_t)m->bytes & 15) == 0);
  memset(bytes, 0, size);
  CHECK(strcmp(pnn_model_description(m), "format_gen test model") == 0);
  CHECK_EQ_INT(pnn_model_subgraph_count(m), 1);
  pnn_model_free(m);
  free(bytes);
  /* argument errors and the cap */
  st = pnn_model_load_buffer(NULL, 10, NULL, &m, err, sizeof err);
  CHECK_EQ_INT(st, PNN_ERROR_INVALID_ARGUMENT);
  CHECK(m == NULL);
  uint8_t small[16] = {0};
  lo.max_file_bytes = 8;
  st = pnn_model_load_buffer(small, sizeof small, &lo, &m, err, sizeof err);
  CHECK_EQ_INT(st, PNN_ERROR_LIMIT);
  st = pnn_model_load_buffer(small, 0, NULL, &m, err, sizeof err);
  CHECK_EQ_INT(st, PNN_ERROR_INVALID_MODEL);
  /* NULL model accessors */
  CHECK_EQ_INT(pnn_model_subgraph_count(NULL), 0);
  CHECK(strcmp(pnn_model_description(NULL), "") == 0);
  pnn_model_free(NULL);
}
