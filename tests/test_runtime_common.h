/* Helpers shared by the runtime/API tests: build a model with the model
 * builder, load it, make an interpreter. Header-only (static functions) so
 * each test binary stays self-contained. */
#ifndef PNN_TESTS_RUNTIME_COMMON_H
#define PNN_TESTS_RUNTIME_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/model_builder.h"
#include "pocketnn.h"

/* Finishes the builder into a loaded model (NULL on failure, printed). */
static inline pnn_model *rt_load(pnn_mb *mb) {
  uint8_t *bytes = NULL;
  size_t size = 0;
  pnn_model *model = NULL;
  if (pnn_mb_finish(mb, &bytes, &size) != PNN_OK) {
    fprintf(stderr, "  builder: %s\n", pnn_mb_error(mb));
    pnn_mb_free(mb);
    return NULL;
  }
  pnn_mb_free(mb);
  char err[256];
  pnn_load_options lo = {.flags = PNN_LOAD_COPY};
  if (pnn_model_load_buffer(bytes, size, &lo, &model, err, sizeof(err)))
    fprintf(stderr, "  load: %s\n", err);
  free(bytes);
  return model;
}

static inline pnn_interpreter *rt_interp(const pnn_model *model, int threads) {
  pnn_interpreter_options o;
  pnn_interpreter_options_init(&o);
  o.num_threads = threads;
  pnn_interpreter *in = NULL;
  if (pnn_interpreter_create(model, &o, &in)) return NULL;
  return in;
}

/* A float tensor of shape dims (rank n) in the current subgraph. */
static inline int rt_f32(pnn_mb *mb, const char *name, int n,
                         const int32_t *dims, const float *data) {
  return pnn_mb_tensor(mb, name, PNN_TYPE_FLOAT32, n, dims, data);
}

/* out = a OP b, for ADD/SUB/MUL with no fused activation. */
static inline int rt_binary(pnn_mb *mb, int32_t code, int a, int b, int out) {
  int32_t in[2] = {a, b};
  return pnn_mb_op(mb, code, 0, NULL, 2, in, 1, &out);
}

#endif
