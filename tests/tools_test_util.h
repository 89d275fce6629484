/* Helpers for tests/test_tools_*.c: load a builder model, run a model on
 * seeded inputs, apply a tool, count ops. Header-only (static). */
#ifndef PNN_TESTS_TOOLS_TEST_UTIL_H
#define PNN_TESTS_TOOLS_TEST_UTIL_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "format/model.h"
#include "pocketnn.h"
#include "tools/tools.h"
#include "tools_models.h"

#define TT_MAX_OUT 4
#define TT_MAX_ELEMS 4096

typedef struct tt_outputs {
  int n;
  size_t count[TT_MAX_OUT];
  float data[TT_MAX_OUT][TT_MAX_ELEMS];
} tt_outputs;

static inline pnn_model *tt_load(pnn_mb *mb) {
  pnn_model *m = NULL;
  if (mb) pnn_mb_load(mb, &m);
  pnn_mb_free(mb);
  return m;
}

/* Runs m with float inputs uniform in [-1, 1) from a fixed LCG. */
static inline bool tt_run(const pnn_model *m, tt_outputs *out) {
  pnn_interpreter *ip = NULL;
  if (pnn_interpreter_create(m, NULL, &ip) != PNN_OK) return false;
  bool ok = pnn_interpreter_allocate(ip) == PNN_OK;
  uint32_t s = 12345;
  for (int i = 0; ok && i < pnn_interpreter_input_count(ip); i++) {
    pnn_tensor *t = pnn_interpreter_input(ip, i);
    float *d = pnn_tensor_data(t);
    size_t n = pnn_tensor_byte_size(t) / sizeof(float);
    for (size_t k = 0; k < n; k++) {
      s = s * 1664525u + 1013904223u;
      d[k] = (float)(s >> 8) / 8388608.0f - 1.0f;
    }
  }
  ok = ok && pnn_interpreter_invoke(ip) == PNN_OK;
  out->n = ok ? pnn_interpreter_output_count(ip) : 0;
  for (int i = 0; ok && i < out->n && i < TT_MAX_OUT; i++) {
    pnn_tensor *t = pnn_interpreter_output(ip, i);
    out->count[i] = pnn_tensor_byte_size(t) / sizeof(float);
    ok =
        pnn_tensor_type(t) == PNN_TYPE_FLOAT32 && out->count[i] <= TT_MAX_ELEMS;
    if (ok) memcpy(out->data[i], pnn_tensor_data(t), pnn_tensor_byte_size(t));
  }
  pnn_interpreter_free(ip);
  return ok;
}

/* Largest |a - b| / max(1, max|a|) over all outputs; INFINITY if the
 * outputs differ in count or size. */
static inline double tt_rel_err(const tt_outputs *a, const tt_outputs *b) {
  if (a->n != b->n) return INFINITY;
  double worst = 0;
  for (int i = 0; i < a->n; i++) {
    if (a->count[i] != b->count[i]) return INFINITY;
    double scale = 1, err = 0;
    for (size_t k = 0; k < a->count[i]; k++) {
      if (fabs(a->data[i][k]) > scale) scale = fabs(a->data[i][k]);
      double d = fabs((double)a->data[i][k] - b->data[i][k]);
      if (!(d <= err)) err = d;
    }
    if (!(err / scale <= worst)) worst = err / scale;
  }
  return worst;
}

static inline pnn_model *tt_bytes_to_model(uint8_t *bytes, size_t size) {
  pnn_model *m = NULL;
  pnn_load_options lo = {PNN_LOAD_COPY, 0};
  if (bytes) pnn_model_load_buffer(bytes, size, &lo, &m, NULL, 0);
  free(bytes);
  return m;
}

static inline pnn_model *tt_optimize(const pnn_model *in,
                                     const pnn_optimize_options *o,
                                     pnn_tool_report *r) {
  uint8_t *bytes = NULL;
  size_t size = 0;
  if (pnn_optimize(in, o, &bytes, &size, r, NULL, 0) != PNN_OK) return NULL;
  return tt_bytes_to_model(bytes, size);
}

static inline pnn_model *tt_quantize(const pnn_model *in,
                                     const pnn_quantize_options *o,
                                     pnn_tool_report *r) {
  uint8_t *bytes = NULL;
  size_t size = 0;
  if (pnn_quantize(in, o, &bytes, &size, r, NULL, 0) != PNN_OK) return NULL;
  return tt_bytes_to_model(bytes, size);
}

/* Ops of subgraph 0 with builtin `code` (-1: all ops). */
static inline int tt_count_ops(const pnn_model *m, int32_t code) {
  const pnn_subgraph_def *sg = &m->def.subgraphs[0];
  int n = 0;
  for (int32_t i = 0; i < sg->n_ops; i++)
    if (code < 0 || m->def.opcodes[sg->ops[i].opcode_index].builtin == code)
      n++;
  return n;
}

static inline const pnn_op_def *tt_op(const pnn_model *m, int i) {
  return &m->def.subgraphs[0].ops[i];
}

static inline const pnn_tensor_def *tt_tensor_named(const pnn_model *m,
                                                    const char *name) {
  const pnn_subgraph_def *sg = &m->def.subgraphs[0];
  for (int32_t i = 0; i < sg->n_tensors; i++)
    if (!strcmp(sg->tensors[i].name, name)) return &sg->tensors[i];
  return NULL;
}

#endif
