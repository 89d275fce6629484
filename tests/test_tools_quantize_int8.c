/* `pocketnn quantize --mode int8` on builder models: calibration through
 * the interpreter hook, the full-integer rewrite (types, per-channel
 * weights, int32 bias scales, fixed output params, float fallback) and the
 * error of the int8 model against the float one. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "tools/calibrate.h"
#include "tools/weight_round.h"
#include "quant_models.h"
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

/* Calibrates m on 16 `fill` samples with `method` into r, then quantizes
 * it in `mode` with interface `io`; NULL (and rep's text) on failure. */
static pnn_model *calibrate_and_quantize(const pnn_model *m,
                                         pnn_calib_method method,
                                         pnn_quant_mode mode, pnn_quant_io io,
                                         pnn_calib_ranges *r,
                                         pnn_tool_report *rep) {
  pnn_calib_options co;
  pnn_calib_options_init(&co);
  co.method = method;
  char err[256];
  if (pnn_calibrate(m, 16, fill, NULL, &co, r, err, sizeof err) != PNN_OK)
    return NULL;
  pnn_quantize_options q;
  pnn_quantize_options_init(&q);
  q.mode = mode;
  q.ranges = r;
  q.io = io;
  return tt_quantize(m, &q, rep);
}

static pnn_model *int8_model(const pnn_model *m, pnn_quant_io io,
                             pnn_calib_ranges *r, pnn_tool_report *rep) {
  pnn_calib_options co;
  pnn_calib_options_init(&co);
  return calibrate_and_quantize(m, co.method, PNN_QUANT_INT8, io, r, rep);
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
  pnn_tool_report rep = {0};
  pnn_model *o = calibrate_and_quantize(m, co.method, PNN_QUANT_16X8,
                                        PNN_QUANT_IO_FLOAT, &r, &rep);
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
  pnn_quantize_options q;
  pnn_quantize_options_init(&q);
  q.mode = PNN_QUANT_16X8;
  q.ranges = &r;
  q.io = PNN_QUANT_IO_INT8;
  char err[256];
  uint8_t *bytes = NULL;
  size_t size = 0;
  CHECK(pnn_quantize(m, &q, &bytes, &size, NULL, err, sizeof err) != PNN_OK);
  CHECK(!bytes && strstr(err, "16x8"));
  pnn_calib_ranges_free(&r);
  pnn_report_free(&rep);
  pnn_model_free(o);
  pnn_model_free(m);
}

/* input -> ADD const -> SIN -> ADD const -> output: SIN has no int8
 * kernel, so it runs float between a DEQUANTIZE and a QUANTIZE. */
static pnn_mb *sin_model(void) {
  pnn_mb *mb = pnn_mb_new();
  const int32_t d[2] = {1, 16};
  float c[16];
  for (int i = 0; i < 16; i++) c[i] = 0.05f * (float)i - 0.4f;
  int x = pnn_mb_tensor(mb, "input", PNN_TYPE_FLOAT32, 2, d, NULL);
  int k = pnn_mb_tensor(mb, "k", PNN_TYPE_FLOAT32, 2, d, c);
  int a = pnn_mb_tensor(mb, "a", PNN_TYPE_FLOAT32, 2, d, NULL);
  int sn = pnn_mb_tensor(mb, "sin", PNN_TYPE_FLOAT32, 2, d, NULL);
  int y = pnn_mb_tensor(mb, "output", PNN_TYPE_FLOAT32, 2, d, NULL);
  pnn_mb_op(mb, PNN_OP_ADD, 0, NULL, 2, (int32_t[]){x, k}, 1, &a);
  pnn_mb_op(mb, PNN_OP_SIN, 0, NULL, 1, &a, 1, &sn);
  pnn_mb_op(mb, PNN_OP_ADD, 0, NULL, 2, (int32_t[]){sn, k}, 1, &y);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
  return mb;
}

TEST(unquantizable_op_stays_float_and_is_reported) {
  pnn_model *m = tt_load(sin_model());
  CHECK(m);
  pnn_calib_ranges r;
  pnn_tool_report rep = {0};
  pnn_model *o = int8_model(m, PNN_QUANT_IO_FLOAT, &r, &rep);
  CHECK(o);
  CHECK(rep.text && strstr(rep.text, "kept float: SIN (op 1)"));
  CHECK(strstr(rep.text, "2 ops full integer, 1 kept float"));
  /* QUANTIZE in, DEQUANTIZE before SIN, QUANTIZE after, DEQUANTIZE out */
  CHECK_EQ_INT(tt_count_ops(o, PNN_OP_QUANTIZE), 2);
  CHECK_EQ_INT(tt_count_ops(o, PNN_OP_DEQUANTIZE), 2);
  static tt_outputs a, q;
  CHECK(tt_run(m, &a) && tt_run(o, &q));
  double e = tt_rel_err(&a, &q);
  CHECK_MSG(e > 0 && e < 0.03, "error %g", e);
  pnn_calib_ranges_free(&r);
  pnn_report_free(&rep);
  pnn_model_free(o);
  pnn_model_free(m);
}

/* CONCATENATION, TRANSPOSE, LEAKY_RELU, BATCH_MATMUL (by a constant and
 * of two activations), SPLIT, PACK, STRIDED_SLICE, MAXIMUM, MINIMUM all
 * become int8; the concat's inputs share its params: the conv output read
 * only by it takes them, the transpose (its input's params) is
 * requantized by a QUANTIZE, the constant is quantized with them; the
 * same for PACK, MAXIMUM and MINIMUM. */
TEST(int8_data_movement_concat_and_batch_matmul) {
  pnn_model *m = tt_load(tq_ops());
  CHECK(m);
  for (int method = PNN_CALIB_MINMAX; method <= PNN_CALIB_MSE; method++) {
    pnn_calib_ranges r;
    pnn_tool_report rep = {0};
    pnn_model *o =
        calibrate_and_quantize(m, (pnn_calib_method)method, PNN_QUANT_INT8,
                               PNN_QUANT_IO_FLOAT, &r, &rep);
    CHECK_MSG(o, "%s", rep.text ? rep.text : "");
    CHECK_MSG(rep.text && !strstr(rep.text, "kept float:") &&
                  strstr(rep.text, "12 ops full integer, 0 kept float"),
              "%s", rep.text ? rep.text : "");
    /* QUANTIZE: the input, the transposed concat input, the two SPLIT
     * outputs into MAXIMUM and the second one into MINIMUM (MAXIMUM's
     * output, read only by MINIMUM, takes its params) */
    CHECK_EQ_INT(tt_count_ops(o, PNN_OP_QUANTIZE), 5);
    const pnn_subgraph_def *sg = &o->def.subgraphs[0];
    int n_cat = 0, n_bmm = 0;
    for (int32_t i = 0; i < sg->n_ops; i++) {
      const pnn_op_def *op = tt_op(o, i);
      int32_t code = o->def.opcodes[op->opcode_index].builtin;
      const pnn_tensor_def *y = &sg->tensors[op->outputs.data[0]];
      if (code == PNN_OP_CONCATENATION || code == PNN_OP_PACK ||
          code == PNN_OP_MAXIMUM || code == PNN_OP_MINIMUM) {
        n_cat++;
        for (int32_t j = 0; j < op->inputs.count; j++) {
          const pnn_tensor_def *x = &sg->tensors[op->inputs.data[j]];
          CHECK(x->type == PNN_TYPE_INT8 && y->type == PNN_TYPE_INT8);
          CHECK_MSG(x->quant.scale[0] == y->quant.scale[0] &&
                        x->quant.zero_point[0] == y->quant.zero_point[0],
                    "input %d (%s) of op %d", (int)j, x->name, (int)i);
        }
      }
      if (code == PNN_OP_BATCH_MATMUL) {
        n_bmm++;
        for (int32_t j = 0; j < 2; j++)
          CHECK(sg->tensors[op->inputs.data[j]].type == PNN_TYPE_INT8);
      }
      if (code == PNN_OP_TRANSPOSE || code == PNN_OP_STRIDED_SLICE) {
        const pnn_tensor_def *x = &sg->tensors[op->inputs.data[0]];
        CHECK(x->type == PNN_TYPE_INT8 && y->type == PNN_TYPE_INT8 &&
              x->quant.scale[0] == y->quant.scale[0]);
      }
    }
    CHECK_EQ_INT(n_cat, 4);
    CHECK_EQ_INT(n_bmm, 2);
    const pnn_tensor_def *conv = tt_tensor_named(o, "conv");
    const pnn_tensor_def *cat = tt_tensor_named(o, "concat");
    CHECK(conv && cat && conv->quant.scale[0] == cat->quant.scale[0]);
    CHECK(tt_tensor_named(o, "transpose/requant"));
    static tt_outputs a, qo;
    CHECK(tt_run(m, &a) && tt_run(o, &qo));
    double e = tt_rel_err(&a, &qo);
    CHECK_MSG(e > 0 && e < 0.05, "calibrator %d: error %g", method, e);
    pnn_calib_ranges_free(&r);
    pnn_report_free(&rep);
    pnn_model_free(o);
  }
  pnn_model_free(m);
}

/* input [1, 128, 256] + 0.25 -> output: many values per sample. */
static pnn_mb *big_add_model(void) {
  pnn_mb *mb = pnn_mb_new();
  const int32_t d[3] = {1, 128, 256};
  int x = pnn_mb_tensor(mb, "input", PNN_TYPE_FLOAT32, 3, d, NULL);
  int k = pnn_mb_tensor(mb, "k", PNN_TYPE_FLOAT32, 1, (const int32_t[]){1},
                        (const float[]){0.25f});
  int y = pnn_mb_tensor(mb, "output", PNN_TYPE_FLOAT32, 3, d, NULL);
  pnn_mb_op(mb, PNN_OP_ADD, 0, NULL, 2, (int32_t[]){x, k}, 1, &y);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
  return mb;
}

/* U[-1, 1); sample 0 also carries one value 3 and one -2. */
static int fill_outlier(void *user, int i, pnn_interpreter *it, char *err,
                        size_t err_size) {
  int rc = fill(user, i, it, err, err_size);
  float *d = pnn_tensor_data(pnn_interpreter_input(it, 0));
  if (i == 0) d[5] = 3, d[77] = -2;
  return rc;
}

TEST(mse_and_percentile_calibrators_clip_outliers) {
  pnn_model *m = tt_load(big_add_model());
  CHECK(m);
  int32_t in = m->def.subgraphs[0].inputs.data[0];
  pnn_calib_ranges r[3];
  char err[256];
  for (int method = 0; method < 3; method++) {
    pnn_calib_options co;
    pnn_calib_options_init(&co);
    co.method = (pnn_calib_method)method;
    co.percentile = 99.9;
    co.analyze = true;
    CHECK_EQ_INT(pnn_calibrate(m, 16, fill_outlier, NULL, &co, &r[method],
                               err, sizeof err),
                 PNN_OK);
    CHECK_EQ_INT(r[method].n_samples, 16);
    CHECK(r[method].obs_max[in] == 3.0f && r[method].obs_min[in] == -2.0f);
    CHECK(r[method].n_ch[in] == 256 && r[method].ch_mean[in]);
    CHECK(fabs(r[method].ch_mean[in][7]) < 0.05);
  }
  /* minmax keeps the outliers; 99.9 % clips them and a bit of U[-1, 1) */
  CHECK(r[0].max[in] == 3.0f && r[0].min[in] == -2.0f && r[0].clipped[in] == 0);
  CHECK_MSG(r[1].max[in] > 0.99f && r[1].max[in] < 1.0f, "%g", r[1].max[in]);
  /* mse: clipping two values costs less than a 2.5x coarser step for half
   * a million others. For the 3: (3 - b)^2 against N (b + 1)^2 / (255^2 12)
   * is smallest at b = 1.39 (N = 524288) */
  CHECK_MSG(r[2].max[in] > 1.3f && r[2].max[in] < 1.5f &&
                r[2].min[in] < -0.98f && r[2].min[in] > -1.1f,
            "[%g, %g]", r[2].min[in], r[2].max[in]);
  CHECK(r[2].clipped[in] > 0 && r[2].clipped[in] < 0.001f);
  CHECK_MSG(r[2].snr_db[in] > r[0].snr_db[in] + 3, "mse %g minmax %g",
            r[2].snr_db[in], r[0].snr_db[in]);
  /* on every tensor mse is the best of the three by its error estimate */
  for (int32_t t = 0; t < r[2].n_tensors; t++) {
    if (!r[2].seen[t]) continue;
    CHECK(r[2].min[t] >= r[2].obs_min[t] && r[2].max[t] <= r[2].obs_max[t]);
    CHECK_MSG(r[2].snr_db[t] >= r[0].snr_db[t] - 0.05f &&
                  r[2].snr_db[t] >= r[1].snr_db[t] - 0.05f,
              "tensor %d: mse %g dB, minmax %g, percentile %g", (int)t,
              r[2].snr_db[t], r[0].snr_db[t], r[1].snr_db[t]);
  }
  for (int k = 0; k < 3; k++) pnn_calib_ranges_free(&r[k]);
  pnn_model_free(m);
}

/* Bias correction: the conv's bias absorbs the mean error of its rounded
 * weights, so the mean output error shrinks. */
static int fill_pos(void *user, int i, pnn_interpreter *it, char *err,
                    size_t err_size) {
  int rc = fill(user, i, it, err, err_size);
  pnn_tensor *t = pnn_interpreter_input(it, 0);
  float *d = pnn_tensor_data(t);
  for (size_t k = 0; k < pnn_tensor_byte_size(t) / sizeof(float); k++)
    d[k] = 0.5f * d[k] + 1.5f; /* mean 1.5: a large DC input */
  return rc;
}

TEST(bias_correction_removes_mean_weight_error) {
  pnn_model *m = tt_load(tm_bn_conv());
  CHECK(m);
  pnn_calib_options co;
  pnn_calib_options_init(&co);
  pnn_calib_ranges r;
  char err[256];
  CHECK_EQ_INT(pnn_calibrate(m, 32, fill_pos, NULL, &co, &r, err, sizeof err),
               PNN_OK);
  int32_t in = m->def.subgraphs[0].inputs.data[0];
  CHECK(r.ch_mean[in] && fabs(r.ch_mean[in][0] - 1.5) < 0.05);
  double mean_err[2];
  const int32_t *biases[2];
  pnn_model *o[2];
  for (int bc = 0; bc < 2; bc++) {
    pnn_quantize_options q;
    pnn_quantize_options_init(&q);
    q.mode = PNN_QUANT_INT8;
    q.ranges = &r;
    q.bias_correction = bc;
    o[bc] = tt_quantize(m, &q, NULL);
    CHECK(o[bc]);
    const pnn_tensor_def *b = tt_tensor_named(o[bc], "conv/b/int32");
    CHECK(b);
    biases[bc] = (const int32_t *)pnn_model_tensor_buffer(&o[bc]->def, b)->data;
    /* mean signed error over many inputs */
    double sum = 0;
    int n = 0;
    for (int sample = 0; sample < 8; sample++) {
      pnn_interpreter *fi = NULL, *qi = NULL;
      CHECK(pnn_interpreter_create(m, NULL, &fi) == PNN_OK &&
            pnn_interpreter_allocate(fi) == PNN_OK);
      CHECK(pnn_interpreter_create(o[bc], NULL, &qi) == PNN_OK &&
            pnn_interpreter_allocate(qi) == PNN_OK);
      fill_pos(NULL, 100 + sample, fi, err, sizeof err);
      fill_pos(NULL, 100 + sample, qi, err, sizeof err);
      CHECK(pnn_interpreter_invoke(fi) == PNN_OK &&
            pnn_interpreter_invoke(qi) == PNN_OK);
      pnn_tensor *a = pnn_interpreter_output(fi, 0);
      pnn_tensor *b2 = pnn_interpreter_output(qi, 0);
      const float *fa = pnn_tensor_data(a), *fb = pnn_tensor_data(b2);
      size_t cnt = pnn_tensor_byte_size(a) / sizeof(float);
      /* pre-RELU bias shifts show where the output is positive */
      for (size_t k = 0; k < cnt; k++)
        if (fa[k] > 0.5f) {
          sum += (double)fb[k] - fa[k];
          n++;
        }
      pnn_interpreter_free(fi);
      pnn_interpreter_free(qi);
    }
    CHECK(n > 100);
    mean_err[bc] = fabs(sum / n);
  }
  int differ = 0;
  for (int c = 0; c < 16; c++) differ += biases[0][c] != biases[1][c];
  CHECK_MSG(differ > 0, "bias correction changed no bias");
  CHECK_MSG(mean_err[1] < mean_err[0], "mean error with %g, without %g",
            mean_err[1], mean_err[0]);
  pnn_model_free(o[0]);
  pnn_model_free(o[1]);
  pnn_calib_ranges_free(&r);
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

/* GPTQ rounding (tools/weight_round.c) on a FULLY_CONNECTED [O, K] with
 * correlated inputs X: the output error |X (Q s - W)^T|^2 must be clearly
 * below nearest rounding's, on the rows H was built from and on held-out
 * rows of the same distribution; the values stay in [-127, 127]. */
static double wr_uniform(uint32_t *s) {
  *s = *s * 1664525u + 1013904223u;
  return (double)(*s >> 8) / 8388608.0 - 1.0;
}

static double wr_out_err(const double *X, int rows, int k, int o,
                         const float *w, const int8_t *q, const float *sc) {
  double e = 0;
  for (int r = 0; r < rows; r++)
    for (int c = 0; c < o; c++) {
      double d = 0;
      for (int j = 0; j < k; j++)
        d += X[r * k + j] * ((double)q[c * k + j] * sc[c] - w[c * k + j]);
      e += d * d;
    }
  return e;
}

TEST(gptq_rounding_lowers_layer_output_error) {
  enum { K = 24, O = 6, R = 400, M = 6 };
  static double A[M * K], X[2 * R * K];
  static float w[O * K], sc[O];
  static int8_t qn[O * K], qg[O * K];
  uint32_t s = 99u;
  for (int i = 0; i < M * K; i++) A[i] = wr_uniform(&s);
  for (int r = 0; r < 2 * R; r++) { /* x = z A + small noise: rank ~M */
    double z[M];
    for (int m = 0; m < M; m++) z[m] = wr_uniform(&s);
    for (int j = 0; j < K; j++) {
      double v = 0.05 * wr_uniform(&s);
      for (int m = 0; m < M; m++) v += z[m] * A[m * K + j];
      X[r * K + j] = v;
    }
  }
  for (int c = 0; c < O; c++) {
    float mx = 0;
    for (int j = 0; j < K; j++) {
      w[c * K + j] = (float)wr_uniform(&s);
      if (fabsf(w[c * K + j]) > mx) mx = fabsf(w[c * K + j]);
    }
    sc[c] = mx / 127.0f;
    for (int j = 0; j < K; j++)
      qn[c * K + j] = qg[c * K + j] = (int8_t)lrintf(w[c * K + j] / sc[c]);
  }
  pnn_wr_hessian h = {PNN_OP_FULLY_CONNECTED, 1, K, 1, 1, R, NULL};
  static double H[K * K];
  h.h = H;
  for (int r = 0; r < R; r++) /* upper triangle, as pnn_wr_observe */
    for (int i = 0; i < K; i++)
      for (int j = i; j < K; j++) H[i * K + j] += X[r * K + i] * X[r * K + j];
  pnn_tensor_def wt;
  memset(&wt, 0, sizeof wt);
  int32_t shape[2] = {O, K};
  wt.rank = 2;
  wt.shape = shape;
  CHECK(pnn_wr_round(&h, &wt, w, sc, qg, 0.01));
  int changed = 0;
  for (int i = 0; i < O * K; i++) {
    CHECK(qg[i] >= -127 && qg[i] <= 127);
    changed += qg[i] != qn[i];
  }
  CHECK(changed > 0);
  double en = wr_out_err(X, R, K, O, w, qn, sc);
  double eg = wr_out_err(X, R, K, O, w, qg, sc);
  double hn = wr_out_err(X + R * K, R, K, O, w, qn, sc);
  double hg = wr_out_err(X + R * K, R, K, O, w, qg, sc);
  printf("  gptq output error: calib %.3g vs nearest %.3g, held-out %.3g vs "
         "%.3g\n", eg, en, hg, hn);
  CHECK(eg < 0.5 * en);
  CHECK(hg < 0.5 * hn);
  /* a shape that does not match the Hessian leaves q alone */
  shape[1] = K - 1;
  CHECK(!pnn_wr_round(&h, &wt, w, sc, qn, 0.01));
}

/* Calibration with hessians = true collects X^T X of each weighted op's
 * input: for the 3x3 SAME conv of tm_bn_conv (8x8 positions, all taken)
 * it equals the directly computed im2col sum over the samples; the
 * depthwise (per channel 3x3 taps) and fc (K = 64) get theirs; the GPTQ
 * model stays full integer and as close to the float model as nearest. */
TEST(gptq_calibration_hessians_and_rewrite) {
  pnn_model *m = tt_load(tm_bn_conv());
  CHECK(m);
  pnn_calib_options co;
  pnn_calib_options_init(&co);
  co.hessians = true;
  char err[256];
  pnn_calib_ranges r;
  CHECK(pnn_calibrate(m, 4, fill, NULL, &co, &r, err, sizeof err) == PNN_OK);
  CHECK(r.wr);
  const pnn_wr_hessian *h = NULL;
  for (int32_t i = 0; i < r.wr->n_ops && !h; i++)
    if (r.wr->by_op[i]) h = r.wr->by_op[i];
  CHECK(h && h->builtin == PNN_OP_CONV_2D && h->k == 72 && h->n_mat == 1);
  CHECK(h->rows == 4 * 64);
  static double H[72 * 72];
  memset(H, 0, sizeof H);
  for (int i = 0; i < 4; i++) { /* the inputs fill() makes */
    static float x[8 * 8 * 8];
    uint32_t s = 12345u + (uint32_t)i * 7919u;
    for (int e = 0; e < 512; e++) {
      s = s * 1664525u + 1013904223u;
      x[e] = (float)(s >> 8) / 8388608.0f - 1.0f;
    }
    for (int oy = 0; oy < 8; oy++)
      for (int ox = 0; ox < 8; ox++) {
        double row[72];
        for (int a = 0; a < 3; a++)
          for (int b = 0; b < 3; b++)
            for (int c = 0; c < 8; c++) {
              int iy = oy - 1 + a, ix = ox - 1 + b;
              row[(a * 3 + b) * 8 + c] =
                  iy < 0 || iy >= 8 || ix < 0 || ix >= 8
                      ? 0.0
                      : x[(iy * 8 + ix) * 8 + c];
            }
        for (int p = 0; p < 72; p++)
          for (int q = p; q < 72; q++) H[p * 72 + q] += row[p] * row[q];
      }
  }
  for (int p = 0; p < 72; p++)
    for (int q = p; q < 72; q++)
      CHECK_MSG(fabs(h->h[p * 72 + q] - H[p * 72 + q]) <= 1e-9 * (1 + fabs(H[p * 72 + q])),
                "H[%d][%d] %g vs %g", p, q, h->h[p * 72 + q], H[p * 72 + q]);
  pnn_calib_ranges_free(&r);
  pnn_model_free(m);

  /* depthwise + fc model: both collected; GPTQ vs nearest end to end */
  m = tt_load(tm_bn_dw_fc());
  CHECK(m);
  pnn_calib_ranges rn, rg;
  co.hessians = false;
  CHECK(pnn_calibrate(m, 16, fill, NULL, &co, &rn, err, sizeof err) == PNN_OK);
  co.hessians = true;
  CHECK(pnn_calibrate(m, 16, fill, NULL, &co, &rg, err, sizeof err) == PNN_OK);
  CHECK(!rn.wr && rg.wr);
  int n_dw = 0, n_fc = 0;
  for (int32_t i = 0; i < rg.wr->n_ops; i++) {
    const pnn_wr_hessian *e = rg.wr->by_op[i];
    if (!e) continue;
    n_dw += e->builtin == PNN_OP_DEPTHWISE_CONV_2D && e->k == 9 &&
            e->n_mat == 4 && e->mult == 1 && e->rows == 16 * 16;
    n_fc += e->builtin == PNN_OP_FULLY_CONNECTED && e->k == 64 &&
            e->rows == 16;
  }
  CHECK_EQ_INT(n_dw, 1);
  CHECK_EQ_INT(n_fc, 1);
  pnn_tool_report rep = {0};
  pnn_quantize_options q;
  pnn_quantize_options_init(&q);
  q.mode = PNN_QUANT_INT8;
  q.ranges = &rn;
  pnn_model *on = tt_quantize(m, &q, &rep);
  q.ranges = &rg;
  pnn_model *og = tt_quantize(m, &q, &rep);
  CHECK_MSG(on && og, "%s", rep.text ? rep.text : "");
  CHECK_MSG(rep.text && strstr(rep.text, "weight rounding gptq: 2 of 2"), "%s",
            rep.text ? rep.text : "");
  const pnn_tensor_def *wn = tt_tensor_named(on, "dw/w/int8"),
                       *wg = tt_tensor_named(og, "dw/w/int8"),
                       *fn = tt_tensor_named(on, "fc/w/int8"),
                       *fg = tt_tensor_named(og, "fc/w/int8");
  CHECK(wn && wg && fn && fg && wg->type == PNN_TYPE_INT8 &&
        fg->type == PNN_TYPE_INT8);
  const int8_t *a = (const int8_t *)pnn_model_tensor_buffer(&on->def, fn)->data,
               *b = (const int8_t *)pnn_model_tensor_buffer(&og->def, fg)->data;
  int differ = 0;
  for (int i = 0; i < 32 * 64; i++) {
    CHECK(b[i] >= -127);
    differ += a[i] != b[i];
  }
  CHECK(differ > 0);
  static tt_outputs f, yn, yg;
  CHECK(tt_run(m, &f) && tt_run(on, &yn) && tt_run(og, &yg));
  double en = tt_rel_err(&f, &yn), eg = tt_rel_err(&f, &yg);
  printf("  dw+fc int8 error: gptq %.4g, nearest %.4g\n", eg, en);
  CHECK_MSG(eg > 0 && eg < 0.03, "gptq int8 error %g", eg);
  pnn_calib_ranges_free(&rn);
  pnn_calib_ranges_free(&rg);
  pnn_report_free(&rep);
  pnn_model_free(on);
  pnn_model_free(og);
  pnn_model_free(m);
}
