/* One-op test harness shared by the tests/test_ops_*.c files: build a
 * model of one op with the model builder, load it, create and allocate an
 * interpreter, copy the inputs in, invoke; then check the outputs or the
 * error. Usage:
 *   optest t;
 *   ot_begin(&t);
 *   int x = ot_input(&t, PNN_TYPE_FLOAT32, 2, dims, data);
 *   int y = ot_output(&t, PNN_TYPE_FLOAT32);
 *   CHECK_OK(&t, ot_run(&t, PNN_OP_..., opt_type, &opts, 1, &x, y));
 *   CHECK_FLOATS(&t, want, n);
 *   ot_end(&t); */
#ifndef PNN_TESTS_OPTEST_H
#define PNN_TESTS_OPTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "format/model_builder.h"
#include "harness.h"
#include "pocketnn.h"

/* How far ot_run got (t->stage), in order. */
enum { OT_BUILD, OT_LOAD, OT_CREATE, OT_ALLOCATE, OT_INVOKE };

#define OT_MAX_INPUTS 8

typedef struct {
  pnn_mb *mb;
  int32_t in[OT_MAX_INPUTS]; /* model inputs (activation tensors) */
  const void *in_data[OT_MAX_INPUTS];
  int n_in;
  uint8_t *bytes;
  pnn_model *model;
  pnn_interpreter *it;
  int threads; /* interpreter threads; 0 = default */
  int stage;   /* OT_BUILD .. OT_INVOKE: the step that ran last */
} optest;

void ot_begin(optest *t);
void ot_end(optest *t);

/* A tensor `name`: per-tensor quantized when scale > 0, plain otherwise.
 * data = NULL for an activation, else constant contents. Returns its
 * index (< 0 on a builder error, reported by ot_run). */
int ot_qtensor(optest *t, const char *name, pnn_type type, int rank,
               const int32_t *dims, const void *data, float scale, int64_t zp);
/* The same with n scales / zero points (n > 1: per-channel along axis;
 * n == 0: not quantized). */
int ot_qtensor_n(optest *t, const char *name, pnn_type type, int rank,
                 const int32_t *dims, const void *data, int n,
                 const float *scales, const int64_t *zps, int axis);
/* A model input "x" fed with `data` at invoke (its size from dims);
 * at most OT_MAX_INPUTS. */
int ot_qinput(optest *t, pnn_type type, int rank, const int32_t *dims,
              const void *data, float scale, int64_t zp);
static inline int ot_input(optest *t, pnn_type type, int rank,
                           const int32_t *dims, const void *data) {
  return ot_qinput(t, type, rank, dims, data, 0.f, 0);
}
/* A constant "c". */
static inline int ot_const(optest *t, pnn_type type, int rank,
                           const int32_t *dims, const void *data) {
  return ot_qtensor(t, "c", type, rank, dims, data, 0.f, 0);
}
/* An output "y" of shape [1]: prepare gives it its real shape. */
int ot_output(optest *t, pnn_type type);

/* Builds the one-op model (builtin op, options table opt_type), loads,
 * creates (t->threads), allocates and invokes it. Returns the first
 * failing status; t->stage says which step that was. */
pnn_status ot_run(optest *t, int32_t builtin, uint8_t opt_type,
                  const void *opts, int n_in, const int32_t *ins, int32_t out);
/* The same for custom op `name` of opcode version `version` with raw
 * options and n_out outputs. */
pnn_status ot_run_custom(optest *t, const char *name, int version,
                         const void *opts, size_t opts_size, int n_in,
                         const int32_t *ins, int n_out, const int32_t *outs);

/* The interpreter's last error, or the builder's before there is one. */
const char *ot_error(const optest *t);
/* Output k of the interpreter, and its data. */
pnn_tensor *ot_out_k(optest *t, int k);
static inline pnn_tensor *ot_out(optest *t) {
  return ot_out_k(t, 0);
}
static inline void *ot_data(optest *t) {
  return pnn_tensor_data(ot_out(t));
}
/* True if output k has exactly these dims. */
bool ot_out_shape_is(optest *t, int k, int rank, const int32_t *dims);
static inline bool ot_shape_is(optest *t, int rank, const int32_t *dims) {
  return ot_out_shape_is(t, 0, rank, dims);
}
/* Conv2DOptions with this padding, stride (both axes) and fused
 * activation; dilations 1. */
pnn_conv2d_options ot_conv_opts(int padding, int stride, int act);

/* Index of the first element differing by more than tol (or NaN), or -1. */
int ot_first_mismatch(const float *got, const float *want, int n, float tol);

#define CHECK_OK(t, expr)                                                   \
  do {                                                                      \
    pnn_status st_ = (expr);                                                \
    CHECK_MSG(st_ == PNN_OK, "%s -> %d: %s", #expr, (int)st_, ot_error(t)); \
  } while (0)

/* The run failed with `status` and an error holding `needle`; _AT also
 * requires it to have failed at `stage` (OT_ALLOCATE = prepare). */
#define CHECK_FAILS_AT(t, expr, want_status, want_stage, needle)            \
  do {                                                                      \
    pnn_status st_ = (expr);                                                \
    CHECK_MSG(st_ == (want_status) &&                                       \
                  ((want_stage) < 0 || (t)->stage == (want_stage)),         \
              "%s -> status %d at stage %d, want %d at %d: %s", #expr,      \
              (int)st_, (t)->stage, (int)(want_status), (want_stage),       \
              ot_error(t));                                                 \
    CHECK_MSG(strstr(ot_error(t), needle) != NULL,                          \
              "error \"%s\" does not mention \"%s\"", ot_error(t), needle); \
  } while (0)
#define CHECK_FAILS(t, expr, want_status, needle) \
  CHECK_FAILS_AT(t, expr, want_status, -1, needle)

/* Output k equals want[0..n) within tol; CHECK_FLOATS: output 0, 1e-5. */
#define CHECK_OUT_FLOATS(t, k, want, n, tol)                              \
  do {                                                                    \
    const float *got_ = pnn_tensor_data(ot_out_k(t, k));                  \
    int bad_ = ot_first_mismatch(got_, want, n, tol);                     \
    CHECK_MSG(bad_ < 0, "output %d element %d: got %.7g, want %.7g", (k), \
              bad_, bad_ < 0 ? 0.0 : (double)got_[bad_],                  \
              bad_ < 0 ? 0.0 : (double)(want)[bad_ < 0 ? 0 : bad_]);      \
  } while (0)
#define CHECK_FLOATS(t, want, n) CHECK_OUT_FLOATS(t, 0, want, n, 1e-5f)

/* got[0..n) == want[0..n), element by element. */
#define CHECK_INTS(got, want, n)                                            \
  do {                                                                      \
    for (int i_ = 0; i_ < (n); i_++)                                        \
      CHECK_MSG((got)[i_] == (want)[i_], "element %d: got %lld, want %lld", \
                i_, (long long)(got)[i_], (long long)(want)[i_]);           \
  } while (0)
/* Output 0, read as T, equals want[0..n). */
#define CHECK_OUT_INTS(t, T, want, n)      \
  do {                                     \
    const T *out_ = (const T *)ot_data(t); \
    CHECK_INTS(out_, want, n);             \
  } while (0)

#endif
