/* `pocketnn quantize --mode int8` on builder models: calibration through
 * the interpreter hook, the full-integer rewrite (types, per-channel
 * weights, int32 bias scales, fixed output params, float fallback) and the
 * error of the int8 model against the float one. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "tools/calibrate.h"
#include "tools_test_util.h"

/* Sample i: uniform [-1, 1) from an LCG; sample 0 is tt_run's input. */
static int fill(void *user, int i, pnn_interpreter *it, char *err,
                size_t err_size) {
  (void)user, (void)err, (void)err_size;
  uint32_t s = 12345u + (uint32_t)i * 7919u;
  for (int k = 0; k < pnn_interpreter_input_count(it); k++) {
    pnn_tensor *t = pnn_interpreter_input(it, k);
    float *d = pnn_tensor_data(t);
    size_t n = pnn_tensor_byte_size(t) / sizeof(float);
    for (size_t e = 0; e < n; e++) {
      s = s * 1664525u + 1013904223u;
      d[e] = (float)(s >> 8) / 8388608.0f - 1.0f;
    }
  }
  return 0;
}

static int fill_fails(void *user, int i, pnn_interpreter *it, char *err,
                      size_t err_size) {
  (void)user, (void)it;
  if (i < 2) return 0;
  snprintf(err, err_size, "unreadable sample");
  return -1;
}

static pnn_model *int8_model(const pnn_model *m, pnn_quant_io io,
                             pnn_calib_ranges *r, pnn_tool_report *rep) {
  pnn_calib_options co;
  pnn_calib_options_init(&co);
  char err[256];
  if (pnn_calibrate(m, 16, fill, NULL, &co, r, err, sizeof err) != PNN_OK)
    return NULL;
  pnn_quantize_options q;
  pnn_quantize_options_init(&q);
  q.mode = PNN_QUANT_INT8;
  q.ranges = r;
  q.io = io;
  return tt_quantize(m, &q, rep);
}

static const pnn_tensor_def *output_def(const pnn_model *m, int k) {
  const pnn_subgraph_def *sg = &m->def.subgraphs[0];
  return &sg->tensors[sg->outputs.data[k]];
}

TEST(calibration_sees_every_intermediate) {
  pnn_model *m = tt_load(tm_bn_conv());
  CHECK(m);
  pnn_calib_options co;
  pnn_calib_options_init(&co);
  pnn_calib_ranges r;
  char err[256];
  CHECK_EQ_INT(pnn_calibrate(m, 4, fill, NULL, &co, &r, err, sizeof err),
               PNN_OK);
  CHECK_EQ_INT(r.n_samples, 4);
  const pnn_subgraph_def *sg = &m->def.subgraphs[0];
  for (int32_t t = 0; t < sg->n_tensors; t++) {
    bool is_const = pnn_model_tensor_buffer(&m->def, &sg->tensors[t]) != NULL;
    CHECK_MSG(r.seen[t] == !is_const, "tensor %s seen %d",
              sg->tensors[t].name, (int)r.seen[t]);
    if (r.seen[t]) CHECK(r.min[t] <= r.max[t]);
  }
  /* The input is uniform in [-1, 1); the final RELU output is >= 0. */
  const pnn_tensor_def *in = &sg->tensors[sg->inputs.data[0]];
  (void)in;
  CHECK(r.min[sg->inputs.data[0]] < -0.9f && r.max[sg->inputs.data[0]] > 0.9f);
  CHECK(r.min[sg->outputs.data[0]] >= 0.0f);
  /* Percentile ranges lie inside the min/max ones. */
  pnn_calib_ranges p;
  co.method = PNN_CALIB_PERCENTILE;
  co.percentile = 99.0;
  CHECK_EQ_INT(pnn_calibrate(m, 4, fill, NULL, &co, &p, err, sizeof err),
               PNN_OK);
  int inside = 0;
  for (int32_t t = 0; t < sg->n_tensors; t++)
    if (r.seen[t]) {
      CHECK(p.seen[t]);
      CHECK(p.min[t] >= r.min[t] && p.max[t] <= r.max[t]);
      inside += p.max[t] < r.max[t];
    }
  CHECK(inside > 0);
  pnn_calib_ranges_free(&p);
  pnn_calib_ranges_free(&r);
  pnn_model_free(m);
}

TEST(int8_conv_bn_is_full_integer_and_close) {
  pnn_model *m = tt_load(tm_bn_conv());
  CHECK(m);
  pnn_calib_ranges r;
  pnn_tool_report rep = {0};
  pnn_model *o = int8_model(m, PNN_QUANT_IO_FLOAT, &r, &rep);
  CHECK_MSG(o, "%s", rep.text ? rep.text : "");
  /* float interface: one QUANTIZE in, one DEQUANTIZE out. */
  CHECK_EQ_INT(tt_count_ops(o, PNN_OP_QUANTIZE), 1);
  CHECK_EQ_INT(tt_count_ops(o, PNN_OP_DEQUANTIZE), 1);
  const pnn_tensor_def *w = tt_tensor_named(o, "conv/w/int8");
  const pnn_tensor_def *b = tt_tensor_named(o, "conv/b/int32");
  const pnn_tensor_def *x = tt_tensor_named(o, "input/int8");
  CHECK(w && b && x);
  CHECK(w->type == PNN_TYPE_INT8 && w->quant.n_scale == 16 &&
        w->quant.quantized_dimension == 0);
  CHECK(b->type == PNN_TYPE_INT32 && b->quant.n_scale == 16);
  for (int c = 0; c < 16; c++) {
    CHECK_EQ_INT(w->quant.zero_point[c], 0);
    float want = x->quant.scale[0] * w->quant.scale[c];
    CHECK(fabsf(b->quant.scale[c] - want) <= 1e-6f * want);
  }
  /* Weights symmetric: some channel reaches +-127, none -128. */
  const int8_t *wv = (const int8_t *)pnn_model_tensor_buffer(&o->def, w)->data;
  int maxabs = 0;
  for (int i = 0; i < 16 * 9 * 8; i++) {
    CHECK(wv[i] != -128);
    if (abs(wv[i]) > maxabs) maxabs = abs(wv[i]);
  }
  CHECK_EQ_INT(maxabs, 127);
  CHECK(output_def(o, 0)->type == PNN_TYPE_FLOAT32);
  static tt_outputs a, q;
  CHECK(tt_run(m, &a) && tt_run(o, &q));
  double err = tt_rel_err(&a, &q);
  CHECK_MSG(err > 0 && err < 0.03, "int8 error %g", err);
  CHECK_MSG(o->size < m->size * 3 / 4, "%zu vs %zu bytes", o->size, m->size);
  pnn_calib_ranges_free(&r);
  pnn_report_free(&rep);
  pnn_model_free(o);
  pnn_model_free(m);
}

TEST(int8_interface_types_and_fixed_params) {
  pnn_model *m = tt_load(tm_bn_dw_fc());
  CHECK(m);
  for (int io = PNN_QUANT_IO_FLOAT; io <= PNN_QUANT_IO_UINT8; io++) {
    pnn_calib_ranges r;
    pnn_tool_report rep = {0};
    pnn_model *o = int8_model(m, (pnn_quant_io)io, &r, &rep);
    CHECK_MSG(o, "io %d: %s", io, rep.text ? rep.text : "");
    const pnn_subgraph_def *sg = &o->def.subgraphs[0];
    pnn_type want = io == PNN_QUANT_IO_FLOAT  ? PNN_TYPE_FLOAT32
                    : io == PNN_QUANT_IO_INT8 ? PNN_TYPE_INT8
                                              : PNN_TYPE_UINT8;
    CHECK_EQ_INT(sg->tensors[sg->inputs.data[0]].type, want);
    CHECK_EQ_INT(output_def(o, 0)->type, want);
    /* RESHAPE keeps its input's params. */
    for (int32_t i = 0; i < sg->n_ops; i++) {
      const pnn_op_def *op = tt_op(o, i);
      if (o->def.opcodes[op->opcode_index].builtin != PNN_OP_RESHAPE) continue;
      const pnn_tensor_def *a = &sg->tensors[op->inputs.data[0]];
      const pnn_tensor_def *b = &sg->tensors[op->outputs.data[0]];
      CHECK(a->type == PNN_TYPE_INT8 && b->type == PNN_TYPE_INT8);
      CHECK(a->quant.scale[0] == b->quant.scale[0] &&
            a->quant.zero_point[0] == b->quant.zero_point[0]);
    }
    if (io == PNN_QUANT_IO_UINT8)
      CHECK(output_def(o, 0)->quant.zero_point[0] >= 0);
    pnn_calib_ranges_free(&r);
    pnn_report_free(&rep);
    pnn_model_free(o);
  }
  pnn_model_free(m);
}

TEST(mode_16x8_int16_activations_int64_bias) {
  pnn_model *m = tt_load(tm_bn_conv());
  CHECK(m);
  pnn_calib_options co;
  pnn_calib_options_init(&co);
  pnn_calib_ranges r;
  char err[256];
  CHECK_EQ_INT(pnn_calibrate(m, 16, fill, NULL, &co, &r, err, sizeof err),
               PNN_OK);
  pnn_quantize_options q;
  pnn_quantize_options_init(&q);
  q.mode = PNN_QUANT_16X8;
  q.ranges = &r;
  pnn_tool_report rep = {0};
  pnn_model *o = tt_quantize(m, &q, &rep);
  CHECK_MSG(o, "%s", rep.text ? rep.text : "");
  const pnn_tensor_def *x = tt_tensor_named(o, "input/int16");
  const pnn_tensor_def *w = tt_tensor_named(o, "conv/w/int8");
  const pnn_tensor_def *b = tt_tensor_named(o, "conv/b/int64");
  CHECK(x && w && b);
  CHECK(x->type == PNN_TYPE_INT16 && x->quant.zero_point[0] == 0);
  CHECK(w->type == PNN_TYPE_INT8 && b->type == PNN_TYPE_INT64);
  const pnn_tensor_def *c = tt_tensor_named(o, "conv");
  CHECK(c && c->type == PNN_TYPE_INT16 && c->quant.zero_point[0] == 0);
  /* The ADD runs the general int16 path. */
  for (int i = 0; i < o->def.subgraphs[0].n_ops; i++) {
    const pnn_op_def *op = tt_op(o, i);
    if (o->def.opcodes[op->opcode_index].builtin == PNN_OP_ADD)
      CHECK(!op->options.add.pot_scale_int16);
  }
  static tt_outputs a, qo;
  CHECK(tt_run(m, &a) && tt_run(o, &qo));
  double e = tt_rel_err(&a, &qo);
  /* int8 weights dominate the error (int8 activations: ~1e-2). */
  CHECK_MSG(e > 0 && e < 8e-3, "16x8 error %g", e);
  /* int8/uint8 interfaces are refused for 16x8. */
  q.io = PNN_QUANT_IO_INT8;
  uint8_t *bytes = NULL;
  size_t size = 0;
  CHECK(pnn_quantize(m, &q, &bytes, &size, NULL, err, sizeof err) != PNN_OK);
  CHECK(!bytes && strstr(err, "16x8"));
  pnn_calib_ranges_free(&r);
  pnn_report_free(&rep);
  pnn_model_free(o);
  pnn_model_free(m);
}

TEST(unquantizable_op_stays_float_and_is_reported) {
  pnn_model *m = tt_load(tm_matmul());
  CHECK(m);
  pnn_calib_ranges r;
  pnn_tool_report rep = {0};
  pnn_model *o = int8_model(m, PNN_QUANT_IO_FLOAT, &r, &rep);
  CHECK(o);
  CHECK(rep.text && strstr(rep.text, "kept float: BATCH_MATMUL"));
  static tt_outputs a, q;
  CHECK(tt_run(m, &a) && tt_run(o, &q));
  CHECK(tt_rel_err(&a, &q) < 1e-6);
  pnn_calib_ranges_free(&r);
  pnn_report_free(&rep);
  pnn_model_free(o);
  pnn_model_free(m);
}

TEST(bad_calibration_is_refused) {
  pnn_model *m = tt_load(tm_bn_conv());
  pnn_model *other = tt_load(tm_matmul());
  CHECK(m && other);
  pnn_calib_options co;
  pnn_calib_options_init(&co);
  pnn_calib_ranges r;
  char err[256] = "";
  CHECK_EQ_INT(pnn_calibrate(m, 0, fill, NULL, &co, &r, err, sizeof err),
               PNN_ERROR_INVALID_ARGUMENT);
  CHECK(strstr(err, "no calibration samples"));
  CHECK_EQ_INT(
      pnn_calibrate(m, 5, fill_fails, NULL, &co, &r, err, sizeof err),
      PNN_ERROR_INVALID_ARGUMENT);
  CHECK(strstr(err, "sample 2") && strstr(err, "unreadable"));
  CHECK(r.min == NULL);
  co.method = PNN_CALIB_PERCENTILE;
  co.percentile = 20;
  CHECK_EQ_INT(pnn_calibrate(m, 1, fill, NULL, &co, &r, err, sizeof err),
               PNN_ERROR_INVALID_ARGUMENT);
  /* No ranges, or ranges of another model. */
  pnn_quantize_options q;
  pnn_quantize_options_init(&q);
  q.mode = PNN_QUANT_INT8;
  uint8_t *bytes = NULL;
  size_t size = 0;
  CHECK(pnn_quantize(m, &q, &bytes, &size, NULL, err, sizeof err) != PNN_OK);
  CHECK(!bytes && strstr(err, "calibration"));
  pnn_calib_options_init(&co);
  CHECK_EQ_INT(pnn_calibrate(other, 2, fill, NULL, &co, &r, err, sizeof err),
               PNN_OK);
  q.ranges = &r;
  CHECK(pnn_quantize(m, &q, &bytes, &size, NULL, err, sizeof err) != PNN_OK);
  CHECK(!bytes && strstr(err, "another model"));
  pnn_calib_ranges_free(&r);
  pnn_model_free(other);
  pnn_model_free(m);
}
