/* The model builder: what it builds (checked on the def and after a
 * write + decode), what it copies, and how it fails. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format/compare.h"
#include "format/model_builder.h"
#include "harness.h"
#include "pocketnn.h"
#include "util/pool.h"

/* Writes the builder's model, decodes it and compares with the def. */
static bool builds_and_reads_back(pnn_mb *mb, char *why, size_t n) {
  uint8_t *bytes;
  size_t size;
  if (pnn_mb_finish(mb, &bytes, &size) != PNN_OK) {
    snprintf(why, n, "finish: %s", pnn_mb_error(mb));
    return false;
  }
  pnn_pool pool;
  pnn_pool_init(&pool);
  pnn_model_def back;
  char err[256];
  bool ok =
      pnn_model_decode(bytes, size, &pool, &back, err, sizeof err) == PNN_OK;
  if (!ok) snprintf(why, n, "decode: %s", err);
  if (ok) ok = pnn_model_def_equal(pnn_mb_def(mb), &back, why, n);
  pnn_pool_free(&pool);
  free(bytes);
  return ok;
}

TEST(builder_one_op_model) {
  pnn_mb *mb = pnn_mb_new();
  CHECK(mb != NULL);
  int32_t shape[] = {1, 4};
  float bias[] = {1, 2, 3, 4};
  int a = pnn_mb_tensor(mb, "a", PNN_TYPE_FLOAT32, 2, shape, NULL);
  int b = pnn_mb_tensor(mb, "b", PNN_TYPE_FLOAT32, 2, shape, bias);
  int y = pnn_mb_tensor(mb, "y", PNN_TYPE_FLOAT32, 2, shape, NULL);
  CHECK_EQ_INT(a, 0);
  CHECK_EQ_INT(b, 1);
  CHECK_EQ_INT(y, 2);
  pnn_add_options add;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(add), &add);
  CHECK(add.pot_scale_int16); /* schema default true */
  add.fused_activation_function = PNN_ACT_RELU6;
  int op = pnn_mb_op(mb, PNN_OP_ADD, PNN_OPTIONS_OF(add), &add, 2,
                     (int32_t[]){a, b}, 1, &y);
  CHECK_EQ_INT(op, 0);
  CHECK_EQ_INT(pnn_mb_inputs(mb, 1, &a), 1);
  CHECK_EQ_INT(pnn_mb_outputs(mb, 1, &y), 1);
  bias[0] = 99; /* the builder copied the data */

  const pnn_model_def *m = pnn_mb_def(mb);
  CHECK(m != NULL);
  CHECK_EQ_INT(m->version, 3);
  CHECK_EQ_INT(m->n_subgraphs, 1);
  CHECK_EQ_INT(m->n_buffers, 2);
  CHECK_EQ_INT(m->buffers[0].size, 0);
  CHECK_EQ_INT(m->buffers[1].size, 16);
  float first;
  memcpy(&first, m->buffers[1].data, 4);
  CHECK_NEAR(first, 1.0, 0);
  CHECK_EQ_INT(m->n_opcodes, 1);
  CHECK_EQ_INT(m->opcodes[0].builtin, PNN_OP_ADD);
  CHECK_EQ_INT(m->opcodes[0].version, 1);
  const pnn_subgraph_def *g = &m->subgraphs[0];
  CHECK_EQ_INT(g->n_tensors, 3);
  CHECK_EQ_INT(g->tensors[1].buffer, 1);
  CHECK_EQ_INT(g->tensors[0].buffer, 0);
  CHECK_EQ_INT(g->tensors[0].signature_rank, -1);
  CHECK(strcmp(g->tensors[2].name, "y") == 0);
  CHECK_EQ_INT(g->n_ops, 1);
  CHECK_EQ_INT(g->ops[0].options_type, PNN_OPTIONS_OF(add));
  CHECK_EQ_INT(g->ops[0].options.add.fused_activation_function, PNN_ACT_RELU6);
  CHECK_EQ_INT(g->ops[0].options.add.pot_scale_int16, 1);
  CHECK_EQ_INT(g->ops[0].inputs.count, 2);
  CHECK_EQ_INT(g->ops[0].inputs.data[1], b);
  char why[512];
  CHECK_MSG(builds_and_reads_back(mb, why, sizeof why), "%s", why);
  pnn_mb_free(mb);
}

/* The bytes load through the public API. */
TEST(builder_model_loads_in_pocketnn) {
  pnn_mb *mb = pnn_mb_new();
  pnn_mb_description(mb, "built by the test");
  int32_t shape[] = {2, 3};
  int x = pnn_mb_tensor(mb, "x", PNN_TYPE_FLOAT32, 2, shape, NULL);
  int y = pnn_mb_tensor(mb, "y", PNN_TYPE_FLOAT32, 2, shape, NULL);
  pnn_mb_op(mb, PNN_OP_RELU, 0, NULL, 1, &x, 1, &y);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
  uint8_t *bytes;
  size_t size;
  CHECK_MSG(pnn_mb_finish(mb, &bytes, &size) == PNN_OK, "%s", pnn_mb_error(mb));
  pnn_mb_free(mb);
  pnn_model *model = NULL;
  char err[256];
  pnn_load_options lo = {.flags = PNN_LOAD_COPY};
  pnn_status st =
      pnn_model_load_buffer(bytes, size, &lo, &model, err, sizeof err);
  free(bytes);
  CHECK_MSG(st == PNN_OK, "%s", err);
  CHECK_EQ_INT(pnn_model_schema_version(model), 3);
  CHECK(strcmp(pnn_model_description(model), "built by the test") == 0);
  CHECK_EQ_INT(pnn_model_subgraph_count(model), 1);
  pnn_model_free(model);

  /* The one-call path. */
  mb = pnn_mb_new();
  x = pnn_mb_tensor(mb, "x", PNN_TYPE_FLOAT32, 2, shape, NULL);
  pnn_mb_op(mb, PNN_OP_RELU, 0, NULL, 1, &x, 1, &x);
  CHECK_MSG(pnn_mb_load(mb, &model) == PNN_OK, "%s", pnn_mb_error(mb));
  CHECK_EQ_INT(pnn_model_subgraph_count(model), 1);
  pnn_model_free(model);
  /* What only the verifier checks (buffer bytes vs shape) comes back as
   * the builder's error. */
  int short_buf = pnn_mb_buffer(mb, "abc", 3);
  pnn_mb_tensor_in_buffer(mb, "short", PNN_TYPE_FLOAT32, 2, shape, short_buf);
  CHECK_EQ_INT(pnn_mb_load(mb, &model), PNN_ERROR_INVALID_MODEL);
  CHECK(model == NULL);
  CHECK_MSG(strstr(pnn_mb_error(mb), "pnn_mb_load: ") &&
                strstr(pnn_mb_error(mb), "short"),
            "%s", pnn_mb_error(mb));
  pnn_mb_free(mb);
}

/* Options vectors and strings are copied, so the caller's may go. */
TEST(builder_copies_option_vectors) {
  pnn_mb *mb = pnn_mb_new();
  int32_t shape[] = {2, 3};
  int x = pnn_mb_tensor(mb, "x", PNN_TYPE_FLOAT32, 2, shape, NULL);
  int y = pnn_mb_tensor(mb, "y", PNN_TYPE_FLOAT32, 1, (int32_t[]){6}, NULL);
  int32_t *new_shape = malloc(sizeof *new_shape);
  new_shape[0] = 6;
  pnn_reshape_options r = {.new_shape = {new_shape, 1}};
  int op =
      pnn_mb_op(mb, PNN_OP_RESHAPE, PNN_OPTIONS_OF(reshape), &r, 1, &x, 1, &y);
  new_shape[0] = -7;
  free(new_shape);
  char *name = strdup("my.composite");
  pnn_stablehlo_composite_options c;
  pnn_mb_options_defaults(2, PNN_OPTIONS2_stablehlo_composite, &c);
  c.name = name;
  pnn_mb_op_options2(mb, op, PNN_OPTIONS2_stablehlo_composite, &c);
  name[0] = 'X';
  free(name);
  const pnn_model_def *m = pnn_mb_def(mb);
  CHECK(m != NULL);
  const pnn_op_def *o = &m->subgraphs[0].ops[0];
  CHECK_EQ_INT(o->options.reshape.new_shape.count, 1);
  CHECK_EQ_INT(o->options.reshape.new_shape.data[0], 6);
  CHECK(strcmp(o->options2.stablehlo_composite.name, "my.composite") == 0);
  char why[512];
  CHECK_MSG(builds_and_reads_back(mb, why, sizeof why), "%s", why);
  pnn_mb_free(mb);
}

/* NULL options mean the schema defaults, not zeros. */
TEST(builder_null_options_are_schema_defaults) {
  pnn_mb *mb = pnn_mb_new();
  int32_t shape[] = {1, 4, 4, 1};
  int x = pnn_mb_tensor(mb, "x", PNN_TYPE_FLOAT32, 4, shape, NULL);
  pnn_mb_op(mb, PNN_OP_CONV_2D, PNN_OPTIONS_OF(conv2d), NULL, 1, &x, 1, &x);
  const pnn_model_def *m = pnn_mb_def(mb);
  CHECK(m != NULL);
  CHECK_EQ_INT(m->subgraphs[0].ops[0].options.conv2d.dilation_w_factor, 1);
  CHECK_EQ_INT(m->subgraphs[0].ops[0].options.conv2d.dilation_h_factor, 1);
  pnn_mb_free(mb);
}

TEST(builder_opcodes_are_shared_per_code_and_version) {
  pnn_mb *mb = pnn_mb_new();
  int32_t shape[] = {4};
  int x = pnn_mb_tensor(mb, "x", PNN_TYPE_FLOAT32, 1, shape, NULL);
  pnn_mb_op(mb, PNN_OP_RELU, 0, NULL, 1, &x, 1, &x);
  pnn_mb_op(mb, PNN_OP_RELU, 0, NULL, 1, &x, 1, &x);
  int third = pnn_mb_op(mb, PNN_OP_RELU, 0, NULL, 1, &x, 1, &x);
  pnn_mb_op_version(mb, third, 2);
  pnn_mb_op(mb, PNN_OP_GELU, 0, NULL, 1, &x, 1, &x);
  pnn_mb_custom_op(mb, "A", "xy", 2, 1, &x, 1, &x);
  pnn_mb_custom_op(mb, "B", NULL, 0, 1, &x, 1, &x);
  pnn_mb_custom_op(mb, "A", NULL, 0, 1, &x, 1, &x);
  const pnn_model_def *m = pnn_mb_def(mb);
  CHECK_MSG(m != NULL, "%s", pnn_mb_error(mb));
  CHECK_EQ_INT(m->n_opcodes, 5); /* RELU v1, RELU v2, GELU, A, B */
  const pnn_op_def *ops = m->subgraphs[0].ops;
  CHECK_EQ_INT(ops[0].opcode_index, ops[1].opcode_index);
  CHECK(ops[2].opcode_index != ops[0].opcode_index);
  CHECK_EQ_INT(m->opcodes[ops[2].opcode_index].version, 2);
  const pnn_opcode_def *gelu = &m->opcodes[ops[3].opcode_index];
  CHECK_EQ_INT(gelu->builtin, PNN_OP_GELU);
  CHECK_EQ_INT(gelu->builtin_code, PNN_OP_GELU);
  CHECK_EQ_INT(gelu->deprecated_builtin_code, 127);
  CHECK_EQ_INT(ops[4].opcode_index, ops[6].opcode_index);
  CHECK(strcmp(m->opcodes[ops[4].opcode_index].custom_code, "A") == 0);
  CHECK_EQ_INT(m->opcodes[ops[4].opcode_index].builtin, PNN_OP_CUSTOM);
  CHECK_EQ_INT(ops[4].custom_options_size, 2);
  CHECK_EQ_INT(ops[6].custom_options_size, 0);
  char why[512];
  CHECK_MSG(builds_and_reads_back(mb, why, sizeof why), "%s", why);
  pnn_mb_free(mb);
}

/* An IF model: cond + two branch subgraphs, with signatures. */
TEST(builder_multi_subgraph_model) {
  pnn_mb *mb = pnn_mb_new();
  int32_t shape[] = {2};
  int cond = pnn_mb_tensor(mb, "cond", PNN_TYPE_BOOL, 0, NULL, NULL);
  int x = pnn_mb_tensor(mb, "x", PNN_TYPE_FLOAT32, 1, shape, NULL);
  int y = pnn_mb_tensor(mb, "y", PNN_TYPE_FLOAT32, 1, shape, NULL);
  pnn_if__options opts = {.then_subgraph_index = 1, .else_subgraph_index = 2};
  pnn_mb_op(mb, PNN_OP_IF, PNN_OPTIONS_OF(if_), &opts, 2, (int32_t[]){cond, x},
            1, &y);
  pnn_mb_inputs(mb, 2, (int32_t[]){cond, x});
  pnn_mb_outputs(mb, 1, &y);
  for (int branch = 0; branch < 2; branch++) {
    int idx = pnn_mb_subgraph(mb, branch ? "else" : "then");
    CHECK_EQ_INT(idx, 1 + branch);
    int bx = pnn_mb_tensor(mb, "bx", PNN_TYPE_FLOAT32, 1, shape, NULL);
    int by = pnn_mb_tensor(mb, "by", PNN_TYPE_FLOAT32, 1, shape, NULL);
    CHECK_EQ_INT(bx, 0); /* tensors count per subgraph */
    pnn_mb_op(mb, branch ? PNN_OP_NEG : PNN_OP_ABS, 0, NULL, 1, &bx, 1, &by);
    pnn_mb_inputs(mb, 1, &bx);
    pnn_mb_outputs(mb, 1, &by);
  }
  CHECK_EQ_INT(pnn_mb_use_subgraph(mb, 0), 0);
  CHECK_EQ_INT(
      pnn_mb_signature(mb, "run", 0, 2, (const char *[]){"c", "in"},
                       (int32_t[]){cond, x}, 1, (const char *[]){"out"}, &y),
      0);
  const pnn_model_def *m = pnn_mb_def(mb);
  CHECK_MSG(m != NULL, "%s", pnn_mb_error(mb));
  CHECK_EQ_INT(m->n_subgraphs, 3);
  CHECK(strcmp(m->subgraphs[2].name, "else") == 0);
  CHECK_EQ_INT(m->subgraphs[0].tensors[0].rank, 0);
  CHECK_EQ_INT(m->n_signatures, 1);
  CHECK(strcmp(m->signatures[0].inputs[1].name, "in") == 0);
  CHECK_EQ_INT(m->signatures[0].inputs[1].tensor_index, x);
  char why[512];
  CHECK_MSG(builds_and_reads_back(mb, why, sizeof why), "%s", why);
  pnn_mb_free(mb);
}

TEST(builder_quantized_tensor) {
  pnn_mb *mb = pnn_mb_new();
  int32_t shape[] = {2, 1, 1, 3};
  int8_t w[6] = {1, 2, 3, 4, 5, 6};
  int t = pnn_mb_tensor(mb, "w", PNN_TYPE_INT8, 4, shape, w);
  float scales[2] = {0.5f, 0.25f};
  CHECK_EQ_INT(pnn_mb_tensor_quant(mb, t, 2, scales, NULL, 0), t);
  int a = pnn_mb_tensor(mb, "a", PNN_TYPE_INT8, 4, shape, NULL);
  CHECK_EQ_INT(
      pnn_mb_tensor_quant(mb, a, 1, (float[]){0.1f}, (int64_t[]){-128}, 0), a);
  const pnn_model_def *m = pnn_mb_def(mb);
  CHECK(m != NULL);
  const pnn_tensor_def *td = &m->subgraphs[0].tensors[t];
  CHECK(td->has_quant);
  CHECK_EQ_INT(td->quant.n_scale, 2);
  CHECK_EQ_INT(td->quant.n_zero_point, 2);
  CHECK_EQ_INT(td->quant.zero_point[1], 0);
  CHECK_EQ_INT(m->subgraphs[0].tensors[a].quant.zero_point[0], -128);
  CHECK_EQ_INT(m->buffers[td->buffer].size, 6);
  char why[512];
  CHECK_MSG(builds_and_reads_back(mb, why, sizeof why), "%s", why);
  pnn_mb_free(mb);
}

/* Errors: -1, a message naming the call, sticky, and finish fails. */
TEST(builder_errors_are_sticky_and_named) {
  pnn_mb *mb = pnn_mb_new();
  int32_t shape[] = {2};
  int x = pnn_mb_tensor(mb, "x", PNN_TYPE_FLOAT32, 1, shape, NULL);
  CHECK_EQ_INT(pnn_mb_status(mb), PNN_OK);
  CHECK_EQ_INT(pnn_mb_op(mb, PNN_OP_RELU, 0, NULL, 1, (int32_t[]){4}, 1, &x),
               -1);
  CHECK_EQ_INT(pnn_mb_status(mb), PNN_ERROR_INVALID_ARGUMENT);
  CHECK_MSG(strstr(pnn_mb_error(mb), "pnn_mb_op") &&
                strstr(pnn_mb_error(mb), "inputs[0] = 4"),
            "%s", pnn_mb_error(mb));
  /* Later calls do nothing, even valid ones. */
  CHECK_EQ_INT(pnn_mb_tensor(mb, "z", PNN_TYPE_FLOAT32, 1, shape, NULL), -1);
  uint8_t *bytes = (uint8_t *)1;
  size_t size = 1;
  CHECK(pnn_mb_finish(mb, &bytes, &size) != PNN_OK);
  CHECK(bytes == NULL && size == 0);
  CHECK(pnn_mb_def(mb) == NULL);
  pnn_mb_free(mb);

  /* One bad argument per builder call. */
  for (int k = 0; k < 9; k++) {
    mb = pnn_mb_new();
    x = pnn_mb_tensor(mb, "x", PNN_TYPE_FLOAT32, 1, shape, NULL);
    int r = 0;
    const char *call = "";
    switch (k) {
      case 0:
        r = pnn_mb_tensor(mb, "neg", PNN_TYPE_FLOAT32, 1, (int32_t[]){-2},
                          NULL);
        call = "pnn_mb_tensor";
        break;
      case 1:
        r = pnn_mb_tensor(mb, "s", PNN_TYPE_STRING, 1, shape, "ab");
        call = "pnn_mb_tensor";
        break;
      case 2:
        r = pnn_mb_tensor_quant(mb, 7, 1, (float[]){1}, NULL, 0);
        call = "pnn_mb_tensor_quant";
        break;
      case 3:
        r = pnn_mb_tensor_quant(mb, x, 2, (float[]){1, 2}, NULL, 1);
        call = "pnn_mb_tensor_quant";
        break;
      case 4:
        r = pnn_mb_op(mb, 9999, 0, NULL, 1, &x, 1, &x);
        call = "pnn_mb_op";
        break;
      case 5:
        r = pnn_mb_op(mb, PNN_OP_ADD, 250, NULL, 1, &x, 1, &x);
        call = "pnn_mb_op";
        break;
      case 6:
        r = pnn_mb_use_subgraph(mb, 3);
        call = "pnn_mb_use_subgraph";
        break;
      case 7:
        r = pnn_mb_signature(mb, "k", 0, 1, (const char *[]){"a"},
                             (int32_t[]){5}, 0, NULL, NULL);
        call = "pnn_mb_signature";
        break;
      case 8:
        r = pnn_mb_tensor_in_buffer(mb, "b", PNN_TYPE_FLOAT32, 1, shape, 4);
        call = "pnn_mb_tensor_in_buffer";
        break;
    }
    bool named = strstr(pnn_mb_error(mb), call) != NULL;
    pnn_status st = pnn_mb_status(mb);
    char msg[256];
    snprintf(msg, sizeof msg, "%s", pnn_mb_error(mb));
    pnn_mb_free(mb);
    CHECK_MSG(r == -1, "case %d returned %d", k, r);
    CHECK_MSG(st == PNN_ERROR_INVALID_ARGUMENT, "case %d status %d", k, st);
    CHECK_MSG(named, "case %d: '%s' does not name %s", k, msg, call);
  }
  /* NULL builder never crashes. */
  CHECK_EQ_INT(pnn_mb_tensor(NULL, "x", PNN_TYPE_FLOAT32, 1, shape, NULL), -1);
  CHECK(pnn_mb_status(NULL) != PNN_OK);
  pnn_mb_free(NULL);
}

/* The external-data form through the builder, and a file written. */
TEST(builder_writes_files_and_external_data) {
  pnn_mb *mb = pnn_mb_new();
  int32_t shape[] = {3};
  float c[3] = {1, 2, 3};
  int k = pnn_mb_tensor(mb, "k", PNN_TYPE_FLOAT32, 1, shape, c);
  int x = pnn_mb_tensor(mb, "x", PNN_TYPE_FLOAT32, 1, shape, NULL);
  int y = pnn_mb_tensor(mb, "y", PNN_TYPE_FLOAT32, 1, shape, NULL);
  pnn_mb_op(mb, PNN_OP_MUL, PNN_OPTIONS_OF(mul), NULL, 2, (int32_t[]){x, k}, 1,
            &y);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
  uint8_t *in_line, *ext;
  size_t n_in, n_ext;
  pnn_write_options o = {.flags = PNN_WRITE_EXTERNAL_DATA};
  CHECK_EQ_INT(pnn_mb_finish(mb, &in_line, &n_in), PNN_OK);
  CHECK_EQ_INT(pnn_mb_finish_ex(mb, &o, &ext, &n_ext), PNN_OK);
  /* The external form ends with the data, 16-byte aligned. */
  CHECK(memcmp(ext + n_ext - 12, c, 12) == 0);
  CHECK((n_ext - 12) % 16 == 0);
  char path[] = "/tmp/pnn_mb_test_XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  close(fd);
  CHECK_EQ_INT(pnn_mb_write_file(mb, path), PNN_OK);
  FILE *f = fopen(path, "rb");
  uint8_t *back = malloc(n_in + 1);
  size_t got = f ? fread(back, 1, n_in + 1, f) : 0;
  if (f) fclose(f);
  remove(path);
  bool same = got == n_in && memcmp(back, in_line, n_in) == 0;
  free(back);
  free(in_line);
  free(ext);
  CHECK(same);
  CHECK(pnn_mb_write_file(mb, "/nonexistent-dir/x.tflite") == PNN_ERROR_IO);
  pnn_mb_free(mb);
}
