/* Unit tests of the shape, slicing, gather, reduce and quantize op
 * families on single-op models built with the model builder and run
 * through the public API. They cover what the LiteRT conformance cases
 * cannot: ops the converter folds away (SHAPE, RANK, RANGE, SQUEEZE,
 * EXPAND_DIMS), empty tensors, option-only forms (RESHAPE new_shape,
 * STRIDED_SLICE offset), int8 DEQUANTIZE, DENSIFY, and the failure paths
 * (bad options at prepare, bad indices at invoke). */
#include <stdlib.h>
#include <string.h>

#include "format/model_builder.h"
#include "harness.h"
#include "pocketnn.h"

/* ------------------------------------------------------------ helpers */

typedef struct {
  pnn_model *model;
  pnn_interpreter *interp;
  pnn_status status; /* of the step that failed, or PNN_OK */
  char error[512];
} run_t;

static void run_free(run_t *r) {
  pnn_interpreter_free(r->interp);
  pnn_model_free(r->model);
  memset(r, 0, sizeof *r);
}

/* Arena cap for build() (0 = none); hostile models set one so that a
 * huge but valid shape fails cleanly instead of exhausting memory. */
static size_t g_arena_cap;
/* Threads for build() (0 = the default, 1). */
static int g_threads;

/* Finishes the builder, loads the model and allocates. Inputs are then set
 * with set_input() and run with invoke(). */
static run_t build(pnn_mb *mb) {
  run_t r;
  memset(&r, 0, sizeof r);
  uint8_t *bytes = NULL;
  size_t size = 0;
  r.status = pnn_mb_finish(mb, &bytes, &size);
  if (r.status) {
    snprintf(r.error, sizeof r.error, "builder: %s", pnn_mb_error(mb));
    pnn_mb_free(mb);
    return r;
  }
  pnn_mb_free(mb);
  pnn_load_options lo = {.flags = PNN_LOAD_COPY};
  r.status = pnn_model_load_buffer(bytes, size, &lo, &r.model, r.error,
                                   sizeof r.error);
  free(bytes);
  if (r.status) return r;
  pnn_interpreter_options io_opts;
  pnn_interpreter_options_init(&io_opts);
  io_opts.max_arena_bytes = g_arena_cap;
  io_opts.num_threads = g_threads;
  r.status = pnn_interpreter_create(r.model, &io_opts, &r.interp);
  if (r.status) return r;
  r.status = pnn_interpreter_allocate(r.interp);
  if (r.status)
    snprintf(r.error, sizeof r.error, "%s",
             pnn_interpreter_last_error(r.interp));
  return r;
}

static pnn_status set_input(run_t *r, int i, const void *data, size_t bytes) {
  return pnn_tensor_copy_from(pnn_interpreter_input(r->interp, i), data, bytes);
}

static pnn_status invoke(run_t *r) {
  r->status = pnn_interpreter_invoke(r->interp);
  if (r->status)
    snprintf(r->error, sizeof r->error, "%s",
             pnn_interpreter_last_error(r->interp));
  return r->status;
}

static pnn_tensor *out(run_t *r, int i) {
  return pnn_interpreter_output(r->interp, i);
}

static bool shape_is(const pnn_tensor *t, int rank, const int32_t *dims) {
  if (pnn_tensor_rank(t) != rank) return false;
  for (int i = 0; i < rank; i++)
    if (pnn_tensor_dim(t, i) != dims[i]) return false;
  return true;
}

#define DIMS(...) ((const int32_t[]){__VA_ARGS__})
#define NDIMS(...) (int)(sizeof((int32_t[]){__VA_ARGS__}) / sizeof(int32_t))
#define SHAPE_IS(t, ...) shape_is((t), NDIMS(__VA_ARGS__), DIMS(__VA_ARGS__))

/* A one-op model: inputs are the listed tensors that are not constant. */
static int tensor(pnn_mb *mb, const char *name, pnn_type type, int rank,
                  const int32_t *dims, const void *data) {
  return pnn_mb_tensor(mb, name, type, rank, dims, data);
}

static void io(pnn_mb *mb, int n_in, const int32_t *in, int n_out,
               const int32_t *outs) {
  pnn_mb_inputs(mb, n_in, in);
  pnn_mb_outputs(mb, n_out, outs);
}

#define CHECK_OK(r) \
  CHECK_MSG((r).status == PNN_OK, "status %d: %s", (int)(r).status, (r).error)
#define CHECK_FAILS(r, st, text)                                            \
  do {                                                                      \
    CHECK_MSG((r).status == (st), "status %d, expected %d: %s",             \
              (int)(r).status, (int)(st), (r).error);                       \
    CHECK_MSG(strstr((r).error, (text)) != NULL, "message '%s' lacks '%s'", \
              (r).error, (text));                                           \
  } while (0)

/* ------------------------------------------------------------- RESHAPE */

TEST(reshape_stretch_dim) {
  pnn_mb *mb = pnn_mb_new();
  int x = tensor(mb, "x", PNN_TYPE_FLOAT32, 3, DIMS(2, 3, 4), NULL);
  int s =
      tensor(mb, "shape", PNN_TYPE_INT32, 1, DIMS(3), (int32_t[]){4, -1, 2});
  int y = tensor(mb, "y", PNN_TYPE_FLOAT32, 3, DIMS(4, 3, 2), NULL);
  pnn_mb_op(mb, PNN_OP_RESHAPE, 0, NULL, 2, (int32_t[]){x, s}, 1, &y);
  io(mb, 1, &x, 1, &y);
  run_t r = build(mb);
  CHECK_OK(r);
  float in[24];
  for (int i = 0; i < 24; i++) in[i] = (float)i;
  CHECK(set_input(&r, 0, in, sizeof in) == PNN_OK);
  CHECK(invoke(&r) == PNN_OK);
  CHECK(SHAPE_IS(out(&r, 0), 4, 3, 2));
  const float *o = pnn_tensor_data(out(&r, 0));
  for (int i = 0; i < 24; i++) CHECK_EQ_INT(o[i], i);
  run_free(&r);
}

TEST(reshape_options_and_scalar) {
  /* new_shape from options only (no shape input), and the legacy [0]
   * meaning a scalar. */
  pnn_mb *mb = pnn_mb_new();
  int x = tensor(mb, "x", PNN_TYPE_INT32, 2, DIMS(1, 1), NULL);
  int y = tensor(mb, "y", PNN_TYPE_INT32, 0, NULL, NULL);
  pnn_reshape_options o = {.new_shape = {(const int32_t[]){0}, 1}};
  pnn_mb_op(mb, PNN_OP_RESHAPE, PNN_OPTIONS_OF(reshape), &o, 1, &x, 1, &y);
  io(mb, 1, &x, 1, &y);
  run_t r = build(mb);
  CHECK_OK(r);
  int32_t v = 42;
  CHECK(set_input(&r, 0, &v, 4) == PNN_OK);
  CHECK(invoke(&r) == PNN_OK);
  CHECK_EQ_INT(pnn_tensor_rank(out(&r, 0)), 0);
  CHECK_EQ_INT(*(int32_t *)pnn_tensor_data(out(&r, 0)), 42);
  run_free(&r);
}

TEST(reshape_empty_shape_tensor_is_scalar) {
  pnn_mb *mb = pnn_mb_new();
  int x = tensor(mb, "x", PNN_TYPE_FLOAT32, 1, DIMS(1), NULL);
  int s = tensor(mb, "shape", PNN_TYPE_INT32, 1, DIMS(0), (int32_t[]){0});
  int y = tensor(mb, "y", PNN_TYPE_FLOAT32, 0, NULL, NULL);
  pnn_mb_op(mb, PNN_OP_RESHAPE, 0, NULL, 2, (int32_t[]){x, s}, 1, &y);
  io(mb, 1, &x, 1, &y);
  run_t r = build(mb);
  CHECK_OK(r);
  CHECK_EQ_INT(pnn_tensor_rank(out(&r, 0)), 0);
  run_free(&r);
}

TEST(reshape_empty_tensor) {
  pnn_mb *mb = pnn_mb_new();
  int x = tensor(mb, "x", PNN_TYPE_FLOAT32, 2, DIMS(0, 3), NULL);
  int s = tensor(mb, "shape", PNN_TYPE_INT64, 1, DIMS(2), (int64_t[]){3, -1});
  int y = tensor(mb, "y", PNN_TYPE_FLOAT32, 2, DIMS(3, 0), NULL);
  pnn_mb_op(mb, PNN_OP_RESHAPE, 0, NULL, 2, (int32_t[]){x, s}, 1, &y);
  io(mb, 1, &x, 1, &y);
  run_t r = build(mb);
  CHECK_OK(r);
  CHECK(invoke(&r) == PNN_OK);
  CHECK(SHAPE_IS(out(&r, 0), 3, 0));
  CHECK_EQ_INT(pnn_tensor_byte_size(out(&r, 0)), 0);
  run_free(&r);
}

TEST(reshape_rejects_bad_shapes) {
  const int32_t bad[2][3] = {{-1, -1, 2}, {5, 5, 1}};
  const char *msg[2] = {"more than one -1", "cannot reshape"};
  for (int k = 0; k < 2; k++) {
    pnn_mb *mb = pnn_mb_new();
    int x = tensor(mb, "x", PNN_TYPE_FLOAT32, 2, DIMS(2, 3), NULL);
    int s = tensor(mb, "shape", PNN_TYPE_INT32, 1, DIMS(3), bad[k]);
    int y = tensor(mb, "y", PNN_TYPE_FLOAT32, 1, DIMS(6), NULL);
    pnn_mb_op(mb, PNN_OP_RESHAPE, 0, NULL, 2, (int32_t[]){x, s}, 1, &y);
    io(mb, 1, &x, 1, &y);
    run_t r = build(mb);
    CHECK_FAILS(r, PNN_ERROR_INVALID_MODEL, msg[k]);
    run_free(&r);
  }
}

TEST(reshape_rejects_non_constant_shape) {
  pnn_mb *mb = pnn_mb_new();
  int x = tensor(mb, "x", PNN_TYPE_FLOAT32, 2, DIMS(2, 3), NULL);
  int s = tensor(mb, "shape", PNN_TYPE_INT32, 1, DIMS(1), NULL);
  int y = tensor(mb, "y", PNN_TYPE_FLOAT32, 1, DIMS(6), NULL);
  pnn_mb_op(mb, PNN_OP_RESHAPE, 0, NULL, 2, (int32_t[]){x, s}, 1, &y);
  io(mb, 2, (int32_t[]){x, s}, 1, &y);
  run_t r = build(mb);
  CHECK_FAILS(r, PNN_ERROR_UNSUPPORTED, "must be constant");
  run_free(&r);
}

/* ---------------------------------------------- SQUEEZE, EXPAND_DIMS */

TEST(squeeze_dims_and_all) {
  for (int k = 0; k < 3; k++) {
    pnn_mb *mb = pnn_mb_new();
    int x = tensor(mb, "x", PNN_TYPE_INT8, 4, DIMS(1, 3, 1, 1), NULL);
    int y = tensor(mb, "y", PNN_TYPE_INT8, 1, DIMS(3), NULL);
    static const int32_t dims1[2] = {-1, 0}, dims2[1] = {1};
    pnn_squeeze_options o = {{NULL, 0}};
    if (k == 1) o.squeeze_dims = (pnn_vec_i32){dims1, 2};
    if (k == 2) o.squeeze_dims = (pnn_vec_i32){dims2, 1};
    pnn_mb_op(mb, PNN_OP_SQUEEZE, PNN_OPTIONS_OF(squeeze), &o, 1, &x, 1, &y);
    io(mb, 1, &x, 1, &y);
    run_t r = build(mb);
    if (k == 2) {
      CHECK_FAILS(r, PNN_ERROR_INVALID_MODEL, "not 1");
      run_free(&r);
      continue;
    }
    CHECK_OK(r);
    int8_t in[3] = {-1, 2, -3};
    CHECK(set_input(&r, 0, in, 3) == PNN_OK);
    CHECK(invoke(&r) == PNN_OK);
    if (k == 0) CHECK(SHAPE_IS(out(&r, 0), 3));
    if (k == 1) CHECK(SHAPE_IS(out(&r, 0), 3, 1));
    CHECK(memcmp(pnn_tensor_data(out(&r, 0)), in, 3) == 0);
    run_free(&r);
  }
}

TEST(expand_dims_axes) {
  const int32_t axes[3] = {0, -1, 1};
  const int32_t want[3][3] = {{1, 2, 3}, {2, 3, 1}, {2, 1, 3}};
  for (int k = 0; k < 3; k++) {
    pnn_mb *mb = pnn_mb_new();
    int x = tensor(mb, "x", PNN_TYPE_FLOAT32, 2, DIMS(2, 3), NULL);
    int a = tensor(mb, "axis", PNN_TYPE_INT32, 0, NULL, &axes[k]);
    int y = tensor(mb, "y", PNN_TYPE_FLOAT32, 3, want[k], NULL);
    pnn_mb_op(mb, PNN_OP_EXPAND_DIMS, 0, NULL, 2, (int32_t[]){x, a}, 1, &y);
    io(mb, 1, &x, 1, &y);
    run_t r = build(mb);
    CHECK_OK(r);
    CHECK(shape_is(out(&r, 0), 3, want[k]));
    run_free(&r);
  }
  pnn_mb *mb = pnn_mb_new();
  int x = tensor(mb, "x", PNN_TYPE_FLOAT32, 2, DIMS(2, 3), NULL);
  int a = tensor(mb, "axis", PNN_TYPE_INT32, 0, NULL, (int32_t[]){4});
  int y = tensor(mb, "y", PNN_TYPE_FLOAT32, 3, DIMS(2, 3, 1), NULL);
  pnn_mb_op(mb, PNN_OP_EXPAND_DIMS, 0, NULL, 2, (int32_t[]){x, a}, 1, &y);
  io(mb, 1, &x, 1, &y);
  run_t r = build(mb);
  CHECK_FAILS(r, PNN_ERROR_INVALID_MODEL, "axis 4 out of range");
  run_free(&r);
}

/* --------------------------------------------------------- SHAPE, RANK */

TEST(shape_and_rank) {
  for (int k = 0; k < 2; k++) {
    pnn_mb *mb = pnn_mb_new();
    pnn_type ot = k ? PNN_TYPE_INT64 : PNN_TYPE_INT32;
    int x = tensor(mb, "x", PNN_TYPE_FLOAT32, 3, DIMS(2, 0, 5), NULL);
    int s = tensor(mb, "s", ot, 1, DIMS(3), NULL);
    int rk = tensor(mb, "r", PNN_TYPE_INT32, 0, NULL, NULL);
    pnn_shape_options o = {.out_type = (int8_t)ot};
    pnn_mb_op(mb, PNN_OP_SHAPE, PNN_OPTIONS_OF(shape), &o, 1, &x, 1, &s);
    pnn_mb_op(mb, PNN_OP_RANK, 0, NULL, 1, &x, 1, &rk);
    io(mb, 1, &x, 2, (int32_t[]){s, rk});
    run_t r = build(mb);
    CHECK_OK(r);
    CHECK(invoke(&r) == PNN_OK);
    CHECK_EQ_INT(pnn_tensor_type(out(&r, 0)), ot);
    const void *d = pnn_tensor_data(out(&r, 0));
    const int32_t want[3] = {2, 0, 5};
    for (int i = 0; i < 3; i++) {
      int64_t v = k ? ((const int64_t *)d)[i] : ((const int32_t *)d)[i];
      CHECK_EQ_INT(v, want[i]);
    }
    CHECK_EQ_INT(*(int32_t *)pnn_tensor_data(out(&r, 1)), 3);
    run_free(&r);
  }
}

/* ------------------------------------------------- FILL, ZEROS, RANGE */

TEST(fill_and_zeros_like) {
  pnn_mb *mb = pnn_mb_new();
  int d = tensor(mb, "dims", PNN_TYPE_INT64, 1, DIMS(2), (int64_t[]){2, 3});
  int v = tensor(mb, "v", PNN_TYPE_INT64, 0, NULL, NULL);
  int y = tensor(mb, "y", PNN_TYPE_INT64, 2, DIMS(2, 3), NULL);
  int z = tensor(mb, "z", PNN_TYPE_INT64, 2, DIMS(2, 3), NULL);
  pnn_mb_op(mb, PNN_OP_FILL, 0, NULL, 2, (int32_t[]){d, v}, 1, &y);
  pnn_mb_op(mb, PNN_OP_ZEROS_LIKE, 0, NULL, 1, &y, 1, &z);
  io(mb, 1, &v, 2, (int32_t[]){y, z});
  run_t r = build(mb);
  CHECK_OK(r);
  int64_t value = -123456789012LL;
  CHECK(set_input(&r, 0, &value, 8) == PNN_OK);
  CHECK(invoke(&r) == PNN_OK);
  const int64_t *o = pnn_tensor_data(out(&r, 0));
  const int64_t *zz = pnn_tensor_data(out(&r, 1));
  for (int i = 0; i < 6; i++) {
    CHECK(o[i] == value);
    CHECK(zz[i] == 0);
  }
  run_free(&r);
}

TEST(fill_empty) {
  pnn_mb *mb = pnn_mb_new();
  int d = tensor(mb, "dims", PNN_TYPE_INT32, 1, DIMS(2), (int32_t[]){0, 3});
  int v = tensor(mb, "v", PNN_TYPE_FLOAT32, 0, NULL, NULL);
  int y = tensor(mb, "y", PNN_TYPE_FLOAT32, 2, DIMS(0, 3), NULL);
  pnn_mb_op(mb, PNN_OP_FILL, 0, NULL, 2, (int32_t[]){d, v}, 1, &y);
  io(mb, 1, &v, 1, &y);
  run_t r = build(mb);
  CHECK_OK(r);
  CHECK(invoke(&r) == PNN_OK);
  CHECK(SHAPE_IS(out(&r, 0), 0, 3));
  run_free(&r);
}

/* RANGE(start, limit, delta) feeding ADD so that it is not the output. */
static run_t range_model(pnn_type type, const void *s, const void *l,
                         const void *d, int n) {
  pnn_mb *mb = pnn_mb_new();
  int ts = tensor(mb, "start", type, 0, NULL, s);
  int tl = tensor(mb, "limit", type, 0, NULL, l);
  int td = tensor(mb, "delta", type, 0, NULL, d);
  int y = tensor(mb, "y", type, 1, DIMS(n), NULL);
  pnn_mb_op(mb, PNN_OP_RANGE, 0, NULL, 3, (int32_t[]){ts, tl, td}, 1, &y);
  io(mb, 0, NULL, 1, &y);
  return build(mb);
}

TEST(range_values) {
  run_t r = range_model(PNN_TYPE_INT32, (int32_t[]){2}, (int32_t[]){17},
                        (int32_t[]){3}, 5);
  CHECK_OK(r);
  CHECK(invoke(&r) == PNN_OK);
  CHECK(SHAPE_IS(out(&r, 0), 5));
  const int32_t *o = pnn_tensor_data(out(&r, 0));
  for (int i = 0; i < 5; i++) CHECK_EQ_INT(o[i], 2 + 3 * i);
  run_free(&r);

  r = range_model(PNN_TYPE_INT64, (int64_t[]){10}, (int64_t[]){0},
                  (int64_t[]){-4}, 3);
  CHECK_OK(r);
  CHECK(invoke(&r) == PNN_OK);
  CHECK(SHAPE_IS(out(&r, 0), 3));
  const int64_t *o64 = pnn_tensor_data(out(&r, 0));
  for (int i = 0; i < 3; i++) CHECK_EQ_INT(o64[i], 10 - 4 * i);
  run_free(&r);

  r = range_model(PNN_TYPE_FLOAT32, (float[]){-1.f}, (float[]){1.f},
                  (float[]){0.3f}, 7);
  CHECK_OK(r);
  CHECK(invoke(&r) == PNN_OK);
  CHECK(SHAPE_IS(out(&r, 0), 7));
  const float *of = pnn_tensor_data(out(&r, 0));
  for (int i = 0; i < 7; i++) CHECK_NEAR(of[i], -1.0 + 0.3 * i, 1e-5);
  run_free(&r);

  r = range_model(PNN_TYPE_INT32, (int32_t[]){0}, (int32_t[]){4},
                  (int32_t[]){0}, 1);
  CHECK_FAILS(r, PNN_ERROR_INVALID_MODEL, "delta is 0");
  run_free(&r);
  r = range_model(PNN_TYPE_INT32, (int32_t[]){0}, (int32_t[]){4},
                  (int32_t[]){-1}, 1);
  CHECK_FAILS(r, PNN_ERROR_INVALID_MODEL, "moves away");
  run_free(&r);
}

/* ---------------------------------------------------------------- CAST */

static run_t unary_model(int32_t op, pnn_type tin, pnn_type tout, int rank,
                         const int32_t *dims) {
  pnn_mb *mb = pnn_mb_new();
  int x = tensor(mb, "x", tin, rank, dims, NULL);
  int y = tensor(mb, "y", tout, rank, dims, NULL);
  pnn_mb_op(mb, op, 0, NULL, 1, &x, 1, &y);
  io(mb, 1, &x, 1, &y);
  return build(mb);
}

TEST(cast_pairs) {
  run_t r =
      unary_model(PNN_OP_CAST, PNN_TYPE_FLOAT32, PNN_TYPE_INT32, 1, DIMS(5));
  CHECK_OK(r);
  float f[5] = {1.9f, -1.9f, 0.f, 1e10f, -2.5f};
  CHECK(set_input(&r, 0, f, sizeof f) == PNN_OK);
  CHECK(invoke(&r) == PNN_OK);
  const int32_t *i32 = pnn_tensor_data(out(&r, 0));
  CHECK_EQ_INT(i32[0], 1);
  CHECK_EQ_INT(i32[1], -1);
  CHECK_EQ_INT(i32[2], 0);
  CHECK_EQ_INT(i32[3], INT32_MAX); /* saturates, as TFLite's CAST */
  CHECK_EQ_INT(i32[4], -2);
  run_free(&r);

  r = unary_model(PNN_OP_CAST, PNN_TYPE_INT32, PNN_TYPE_UINT8, 1, DIMS(3));
  CHECK_OK(r);
  int32_t iv[3] = {300, -1, 7};
  CHECK(set_input(&r, 0, iv, sizeof iv) == PNN_OK);
  CHECK(invoke(&r) == PNN_OK);
  const uint8_t *u8 = pnn_tensor_data(out(&r, 0));
  CHECK_EQ_INT(u8[0], 44);
  CHECK_EQ_INT(u8[1], 255);
  CHECK_EQ_INT(u8[2], 7);
  run_free(&r);

  r = unary_model(PNN_OP_CAST, PNN_TYPE_FLOAT16, PNN_TYPE_FLOAT32, 1, DIMS(4));
  CHECK_OK(r);
  uint16_t h[4] = {0x3c00, 0xc000, 0x0001, 0x7bff}; /* 1, -2, 2^-24, 65504 */
  CHECK(set_input(&r, 0, h, sizeof h) == PNN_OK);
  CHECK(invoke(&r) == PNN_OK);
  const float *o = pnn_tensor_data(out(&r, 0));
  CHECK(o[0] == 1.f && o[1] == -2.f && o[2] == ldexpf(1.f, -24) &&
        o[3] == 65504.f);
  run_free(&r);

  r = unary_model(PNN_OP_CAST, PNN_TYPE_FLOAT32, PNN_TYPE_BOOL, 1, DIMS(3));
  CHECK_OK(r);
  float fb[3] = {0.f, -0.5f, 2.f};
  CHECK(set_input(&r, 0, fb, sizeof fb) == PNN_OK);
  CHECK(invoke(&r) == PNN_OK);
  const uint8_t *b = pnn_tensor_data(out(&r, 0));
  CHECK(b[0] == 0 && b[1] == 1 && b[2] == 1);
  run_free(&r);

  r = unary_model(PNN_OP_CAST, PNN_TYPE_FLOAT32, PNN_TYPE_INT32, 2, DIMS(0, 4));
  CHECK_OK(r);
  CHECK(invoke(&r) == PNN_OK);
  run_free(&r);

  r = unary_model(PNN_OP_CAST, PNN_TYPE_STRING, PNN_TYPE_INT32, 1, DIMS(1));
  CHECK_FAILS(r, PNN_ERROR_UNSUPPORTED, "string not supported");
  run_free(&r);
}

/* -------------------------------------------------------- BROADCAST_TO */

TEST(broadcast_to_and_empty) {
  for (int k = 0; k < 2; k++) {
    pnn_mb *mb = pnn_mb_new();
    int x = tensor(mb, "x", PNN_TYPE_INT32, 2, DIMS(3, 1), NULL);
    int s = tensor(mb, "shape", PNN_TYPE_INT32, 1, DIMS(3),
                   k ? (int32_t[]){0, 3, 2} : (int32_t[]){2, 3, 2});
    int y = tensor(mb, "y", PNN_TYPE_INT32, 3, DIMS(2, 3, 2), NULL);
    pnn_mb_op(mb, PNN_OP_BROADCAST_TO, 0, NULL, 2, (int32_t[]){x, s}, 1, &y);
    io(mb, 1, &x, 1, &y);
    run_t r = build(mb);
    CHECK_OK(r);
    int32_t in[3] = {7, 8, 9};
    CHECK(set_input(&r, 0, in, sizeof in) == PNN_OK);
    CHECK(invoke(&r) == PNN_OK);
    if (k == 0) {
      const int32_t *o = pnn_tensor_data(out(&r, 0));
      for (int i = 0; i < 12; i++) CHECK_EQ_INT(o[i], in[(i / 2) % 3]);
    } else {
      CHECK(SHAPE_IS(out(&r, 0), 0, 3, 2));
    }
    run_free(&r);
  }
}

/* ------------------------------------------------------------ slicing */

TEST(strided_slice_offset) {
  /* offset=true: end is begin + end (here x[1:3], x[-3:-1]). */
  pnn_mb *mb = pnn_mb_new();
  int x = tensor(mb, "x", PNN_TYPE_FLOAT32, 2, DIMS(4, 5), NULL);
  int b = tensor(mb, "b", PNN_TYPE_INT32, 1, DIMS(2), (int32_t[]){1, -3});
  int e = tensor(mb, "e", PNN_TYPE_INT32, 1, DIMS(2), (int32_t[]){2, 2});
  int s = tensor(mb, "s", PNN_TYPE_INT32, 1, DIMS(2), (int32_t[]){1, 1});
  int y = tensor(mb, "y", PNN_TYPE_FLOAT32, 2, DIMS(2, 2), NULL);
  pnn_strided_slice_options o = {.offset = true};
  pnn_mb_op(mb, PNN_OP_STRIDED_SLICE, PNN_OPTIONS_OF(strided_slice), &o, 4,
            (int32_t[]){x, b, e, s}, 1, &y);
  io(mb, 1, &x, 1, &y);
  run_t r = build(mb);
  CHECK_OK(r);
  float in[20];
  for (int i = 0; i < 20; i++) in[i] = (float)i;
  CHECK(set_input(&r, 0, in, sizeof in) == PNN_OK);
  CHECK(invoke(&r) == PNN_OK);
  CHECK(SHAPE_IS(out(&r, 0), 2, 2));
  const float *v = pnn_tensor_data(out(&r, 0));
  CHECK(v[0] == 7 && v[1] == 8 && v[2] == 12 && v[3] == 13);
  run_free(&r);
}

TEST(strided_slice_zero_stride_rejected) {
  pnn_mb *mb = pnn_mb_new();
  int x = tensor(mb, "x", PNN_TYPE_FLOAT32, 1, DIMS(4), NULL);
  int b = tensor(mb, "b", PNN_TYPE_INT32, 1, DIMS(1), (int32_t[]){0});
  int e = tensor(mb, "e", PNN_TYPE_INT32, 1, DIMS(1), (int32_t[]){4});
  int s = tensor(mb, "s", PNN_TYPE_INT32, 1, DIMS(1), (int32_t[]){0});
  int y = tensor(mb, "y", PNN_TYPE_FLOAT32, 1, DIMS(4), NULL);
  pnn_mb_op(mb, PNN_OP_STRIDED_SLICE, 0, NULL, 4, (int32_t[]){x, b, e, s}, 1,
            &y);
  io(mb, 1, &x, 1, &y);
  run_t r = build(mb);
  CHECK_FAILS(r, PNN_ERROR_INVALID_MODEL, "strides[0] is 0");
  run_free(&r);
}

TEST(concat_pad_with_empty_inputs) {
  /* concat([2,3], [2,0]) along axis 1, then PAD of an empty tensor. */
  pnn_mb *mb = pnn_mb_new();
  int a = tensor(mb, "a", PNN_TYPE_FLOAT32, 2, DIMS(2, 3), NULL);
  int z = tensor(mb, "z", PNN_TYPE_FLOAT32, 2, DIMS(2, 0), NULL);
  int c = tensor(mb, "c", PNN_TYPE_FLOAT32, 2, DIMS(2, 3), NULL);
  int p = tensor(mb, "pads", PNN_TYPE_INT32, 2, DIMS(2, 2),
                 (int32_t[]){1, 0, 1, 1});
  int q = tensor(mb, "q", PNN_TYPE_FLOAT32, 2, DIMS(3, 2), NULL);
  pnn_concatenation_options co = {.axis = -1};
  pnn_mb_op(mb, PNN_OP_CONCATENATION, PNN_OPTIONS_OF(concatenation), &co, 2,
            (int32_t[]){a, z}, 1, &c);
  pnn_mb_op(mb, PNN_OP_PAD, 0, NULL, 2, (int32_t[]){z, p}, 1, &q);
  io(mb, 2, (int32_t[]){a, z}, 2, (int32_t[]){c, q});
  run_t r = build(mb);
  CHECK_OK(r);
  float in[6] = {1, 2, 3, 4, 5, 6};
  CHECK(set_input(&r, 0, in, sizeof in) == PNN_OK);
  CHECK(invoke(&r) == PNN_OK);
  CHECK(SHAPE_IS(out(&r, 0), 2, 3));
  CHECK(memcmp(pnn_tensor_data(out(&r, 0)), in, sizeof in) == 0);
  CHECK(SHAPE_IS(out(&r, 1), 3, 2));
  const float *o = pnn_tensor_data(out(&r, 1));
  for (int i = 0; i < 6; i++) CHECK(o[i] == 0.f);
  run_free(&r);
}

/* PAD / PADV2 on random shapes (rank 1..5, some dims 0, paddings 0..3
 * per side) and element sizes 1, 2, 4 and 8, with zero, zero-point and
 * constant_values padding, 1 and 2 threads, against a plain loop over
 * every output element. */
static unsigned g_pad_seed = 77;
static int pad_rnd(int lo, int hi) {
  g_pad_seed = g_pad_seed * 1103515245u + 12345u;
  return lo + (int)((g_pad_seed >> 16) % (unsigned)(hi - lo + 1));
}

static int pad_case(pnn_type type, int value_kind, int threads) {
  const int rank = pad_rnd(1, 5);
  int32_t in_dims[5], out_dims[5], pads[10];
  int64_t n_in = 1, n_out = 1;
  for (int i = 0; i < rank; i++) {
    in_dims[i] = pad_rnd(0, 8) ? pad_rnd(1, rank > 3 ? 6 : 40) : 0;
    pads[2 * i] = pad_rnd(0, 2) ? 0 : pad_rnd(0, 3);
    pads[2 * i + 1] = pad_rnd(0, 2) ? 0 : pad_rnd(0, 3);
    out_dims[i] = in_dims[i] + pads[2 * i] + pads[2 * i + 1];
    n_in *= in_dims[i];
    n_out *= out_dims[i];
  }
  const size_t es = pnn_type_size(type);
  uint8_t value[8] = {0};
  pnn_mb *mb = pnn_mb_new();
  int x = tensor(mb, "x", type, rank, in_dims, NULL);
  int p = tensor(mb, "pads", PNN_TYPE_INT32, 2, DIMS(rank, 2), pads);
  int y = tensor(mb, "y", type, rank, out_dims, NULL);
  if (value_kind == 1 && (type == PNN_TYPE_INT8 || type == PNN_TYPE_INT16)) {
    /* no constant_values: quantized zero is the output zero point */
    int64_t zp = type == PNN_TYPE_INT8 ? -5 : 0;
    pnn_mb_tensor_quant(mb, x, 1, (float[]){0.5f}, &zp, 0);
    pnn_mb_tensor_quant(mb, y, 1, (float[]){0.5f}, &zp, 0);
    int8_t z8 = (int8_t)zp;
    memcpy(value, &z8, 1);
    pnn_mb_op(mb, PNN_OP_PAD, 0, NULL, 2, (int32_t[]){x, p}, 1, &y);
  } else if (value_kind == 2) {
    for (size_t k = 0; k < es; k++) value[k] = (uint8_t)(0x31 + 7 * k);
    int v = tensor(mb, "v", type, 0, NULL, value);
    pnn_mb_op(mb, PNN_OP_PADV2, 0, NULL, 3, (int32_t[]){x, p, v}, 1, &y);
  } else {
    pnn_mb_op(mb, PNN_OP_PAD, 0, NULL, 2, (int32_t[]){x, p}, 1, &y);
  }
  io(mb, 1, &x, 1, &y);
  g_threads = threads;
  run_t r = build(mb);
  g_threads = 0;
  int bad = r.status != PNN_OK;
  uint8_t *in = malloc((size_t)n_in * es + 1);
  for (size_t i = 0; i < (size_t)n_in * es; i++) in[i] = (uint8_t)(i * 13 + 1);
  if (!bad) bad = set_input(&r, 0, in, (size_t)n_in * es) != PNN_OK;
  if (!bad) bad = invoke(&r) != PNN_OK;
  if (!bad) {
    const uint8_t *o = pnn_tensor_data(out(&r, 0));
    for (int64_t e = 0; e < n_out && !bad; e++) {
      int64_t rest = e, src = 0, stride = 1;
      bool inside = true;
      for (int i = rank - 1; i >= 0; i--) {
        const int64_t c = rest % out_dims[i] - pads[2 * i];
        rest /= out_dims[i];
        inside = inside && c >= 0 && c < in_dims[i];
        src += c * stride;
        stride *= in_dims[i];
      }
      const uint8_t *want = inside ? in + src * (int64_t)es : value;
      if (memcmp(o + e * (int64_t)es, want, es) != 0) bad = 1;
    }
  }
  if (bad)
    printf("  PAD type %s value %d threads %d rank %d: %s\n",
           pnn_type_name(type), value_kind, threads, rank,
           r.status ? r.error : "wrong values");
  free(in);
  run_free(&r);
  return bad;
}

TEST(pad_random_shapes_types_values) {
  static const pnn_type types[] = {PNN_TYPE_INT8, PNN_TYPE_INT16,
                                   PNN_TYPE_FLOAT32, PNN_TYPE_INT64};
  int fails = 0;
  for (int i = 0; i < 160; i++)
    fails += pad_case(types[i % 4], (i / 4) % 3, 1 + (i / 12) % 2);
  CHECK_MSG(fails == 0, "%d failing PAD cases", fails);
}

TEST(mirror_pad_rejects_large_padding) {
  pnn_mb *mb = pnn_mb_new();
  int x = tensor(mb, "x", PNN_TYPE_FLOAT32, 1, DIMS(3), NULL);
  int p = tensor(mb, "pads", PNN_TYPE_INT32, 2, DIMS(1, 2), (int32_t[]){3, 0});
  int y = tensor(mb, "y", PNN_TYPE_FLOAT32, 1, DIMS(6), NULL);
  pnn_mirror_pad_options o = {.mode = PNN_MIRROR_REFLECT};
  pnn_mb_op(mb, PNN_OP_MIRROR_PAD, PNN_OPTIONS_OF(mirror_pad), &o, 2,
            (int32_t[]){x, p}, 1, &y);
  io(mb, 1, &x, 1, &y);
  run_t r = build(mb);
  CHECK_FAILS(r, PNN_ERROR_INVALID_MODEL, "too large");
  run_free(&r);
}

TEST(split_v_and_transpose_errors) {
  pnn_mb *mb = pnn_mb_new();
  int x = tensor(mb, "x", PNN_TYPE_FLOAT32, 2, DIMS(2, 3), NULL);
  int perm = tensor(mb, "perm", PNN_TYPE_INT32, 1, DIMS(2), (int32_t[]){1, 1});
  int y = tensor(mb, "y", PNN_TYPE_FLOAT32, 2, DIMS(3, 2), NULL);
  pnn_mb_op(mb, PNN_OP_TRANSPOSE, 0, NULL, 2, (int32_t[]){x, perm}, 1, &y);
  io(mb, 1, &x, 1, &y);
  run_t r = build(mb);
  CHECK_FAILS(r, PNN_ERROR_INVALID_MODEL, "not a permutation");
  run_free(&r);

  mb = pnn_mb_new();
  x = tensor(mb, "x", PNN_TYPE_FLOAT32, 2, DIMS(2, 3), NULL);
  int sz = tensor(mb, "sizes", PNN_TYPE_INT32, 1, DIMS(2), (int32_t[]){2, 2});
  int ax = tensor(mb, "axis", PNN_TYPE_INT32, 0, NULL, (int32_t[]){1});
  int y0 = tensor(mb, "y0", PNN_TYPE_FLOAT32, 2, DIMS(2, 2), NULL);
  int y1 = tensor(mb, "y1", PNN_TYPE_FLOAT32, 2, DIMS(2, 2), NULL);
  pnn_mb_op(mb, PNN_OP_SPLIT_V, 0, NULL, 3, (int32_t[]){x, sz, ax}, 2,
            (int32_t[]){y0, y1});
  io(mb, 1, &x, 2, (int32_t[]){y0, y1});
  r = build(mb);
  CHECK_FAILS(r, PNN_ERROR_INVALID_MODEL, "size_splits sum");
  run_free(&r);
}

/* -------------------------------------------------------------- gather */

TEST(gather_index_out_of_range_is_runtime_error) {
  pnn_mb *mb = pnn_mb_new();
  int p = tensor(mb, "params", PNN_TYPE_FLOAT32, 2, DIMS(3, 2), NULL);
  int i = tensor(mb, "idx", PNN_TYPE_INT32, 1, DIMS(2), NULL);
  int y = tensor(mb, "y", PNN_TYPE_FLOAT32, 2, DIMS(2, 2), NULL);
  pnn_mb_op(mb, PNN_OP_GATHER, 0, NULL, 2, (int32_t[]){p, i}, 1, &y);
  io(mb, 2, (int32_t[]){p, i}, 1, &y);
  run_t r = build(mb);
  CHECK_OK(r);
  float params[6] = {0, 1, 2, 3, 4, 5};
  CHECK(set_input(&r, 0, params, sizeof params) == PNN_OK);
  int32_t good[2] = {2, 0}, bad[2] = {1, 3}, neg[2] = {-1, 0};
  CHECK(set_input(&r, 1, good, sizeof good) == PNN_OK);
  CHECK(invoke(&r) == PNN_OK);
  const float *o = pnn_tensor_data(out(&r, 0));
  CHECK(o[0] == 4 && o[1] == 5 && o[2] == 0 && o[3] == 1);
  CHECK(set_input(&r, 1, bad, sizeof bad) == PNN_OK);
  CHECK(invoke(&r) == PNN_ERROR_RUNTIME);
  CHECK_MSG(strstr(r.error, "index 3 out of range") != NULL, "%s", r.error);
  CHECK(set_input(&r, 1, neg, sizeof neg) == PNN_OK);
  CHECK(invoke(&r) == PNN_ERROR_RUNTIME);
  run_free(&r);
}

TEST(gather_nd_index_out_of_range_is_runtime_error) {
  pnn_mb *mb = pnn_mb_new();
  int p = tensor(mb, "params", PNN_TYPE_INT32, 2, DIMS(2, 3), NULL);
  int i = tensor(mb, "idx", PNN_TYPE_INT64, 2, DIMS(1, 2), NULL);
  int y = tensor(mb, "y", PNN_TYPE_INT32, 1, DIMS(1), NULL);
  pnn_mb_op(mb, PNN_OP_GATHER_ND, 0, NULL, 2, (int32_t[]){p, i}, 1, &y);
  io(mb, 2, (int32_t[]){p, i}, 1, &y);
  run_t r = build(mb);
  CHECK_OK(r);
  int32_t params[6] = {10, 11, 12, 13, 14, 15};
  CHECK(set_input(&r, 0, params, sizeof params) == PNN_OK);
  int64_t good[2] = {1, 2}, bad[2] = {0, 3};
  CHECK(set_input(&r, 1, good, sizeof good) == PNN_OK);
  CHECK(invoke(&r) == PNN_OK);
  CHECK_EQ_INT(*(int32_t *)pnn_tensor_data(out(&r, 0)), 15);
  CHECK(set_input(&r, 1, bad, sizeof bad) == PNN_OK);
  CHECK(invoke(&r) == PNN_ERROR_RUNTIME);
  run_free(&r);
}

TEST(select_v1_scalar_condition) {
  pnn_mb *mb = pnn_mb_new();
  int c = tensor(mb, "c", PNN_TYPE_BOOL, 0, NULL, NULL);
  int x = tensor(mb, "x", PNN_TYPE_INT8, 1, DIMS(3), NULL);
  int yv = tensor(mb, "yv", PNN_TYPE_INT8, 1, DIMS(3), NULL);
  int o = tensor(mb, "o", PNN_TYPE_INT8, 1, DIMS(3), NULL);
  pnn_mb_op(mb, PNN_OP_SELECT, 0, NULL, 3, (int32_t[]){c, x, yv}, 1, &o);
  io(mb, 3, (int32_t[]){c, x, yv}, 1, &o);
  run_t r = build(mb);
  CHECK_OK(r);
  bool cond = false;
  int8_t xs[3] = {1, 2, 3}, ys[3] = {-1, -2, -3};
  CHECK(set_input(&r, 0, &cond, 1) == PNN_OK);
  CHECK(set_input(&r, 1, xs, 3) == PNN_OK);
  CHECK(set_input(&r, 2, ys, 3) == PNN_OK);
  CHECK(invoke(&r) == PNN_OK);
  CHECK(memcmp(pnn_tensor_data(out(&r, 0)), ys, 3) == 0);
  run_free(&r);
}

/* -------------------------------------------------------------- reduce */

TEST(reduce_empty_axis_and_empty_input) {
  /* SUM over an empty dim gives 0, MAX over it the lowest float. */
  pnn_mb *mb = pnn_mb_new();
  int x = tensor(mb, "x", PNN_TYPE_FLOAT32, 2, DIMS(3, 0), NULL);
  int ax = tensor(mb, "axes", PNN_TYPE_INT32, 1, DIMS(1), (int32_t[]){1});
  int s = tensor(mb, "s", PNN_TYPE_FLOAT32, 1, DIMS(3), NULL);
  int m = tensor(mb, "m", PNN_TYPE_FLOAT32, 1, DIMS(3), NULL);
  int p = tensor(mb, "p", PNN_TYPE_FLOAT32, 1, DIMS(3), NULL);
  pnn_mb_op(mb, PNN_OP_SUM, 0, NULL, 2, (int32_t[]){x, ax}, 1, &s);
  pnn_mb_op(mb, PNN_OP_REDUCE_MAX, 0, NULL, 2, (int32_t[]){x, ax}, 1, &m);
  pnn_mb_op(mb, PNN_OP_REDUCE_PROD, 0, NULL, 2, (int32_t[]){x, ax}, 1, &p);
  io(mb, 1, &x, 3, (int32_t[]){s, m, p});
  run_t r = build(mb);
  CHECK_OK(r);
  CHECK(invoke(&r) == PNN_OK);
  const float *so = pnn_tensor_data(out(&r, 0));
  const float *mo = pnn_tensor_data(out(&r, 1));
  const float *po = pnn_tensor_data(out(&r, 2));
  for (int i = 0; i < 3; i++) {
    CHECK(so[i] == 0.f);
    CHECK(mo[i] == -3.40282347e38f);
    CHECK(po[i] == 1.f);
  }
  run_free(&r);
}

TEST(reduce_int_mean_truncates_and_keep_dims) {
  pnn_mb *mb = pnn_mb_new();
  int x = tensor(mb, "x", PNN_TYPE_INT32, 2, DIMS(2, 3), NULL);
  int ax = tensor(mb, "axes", PNN_TYPE_INT64, 1, DIMS(2), (int64_t[]){-1, 1});
  int y = tensor(mb, "y", PNN_TYPE_INT32, 2, DIMS(2, 1), NULL);
  pnn_reducer_options o = {.keep_dims = true};
  pnn_mb_op(mb, PNN_OP_MEAN, PNN_OPTIONS_OF(reducer), &o, 2, (int32_t[]){x, ax},
            1, &y);
  io(mb, 1, &x, 1, &y);
  run_t r = build(mb);
  CHECK_OK(r);
  int32_t in[6] = {1, 2, 2, -1, -2, -2};
  CHECK(set_input(&r, 0, in, sizeof in) == PNN_OK);
  CHECK(invoke(&r) == PNN_OK);
  CHECK(SHAPE_IS(out(&r, 0), 2, 1));
  const int32_t *o32 = pnn_tensor_data(out(&r, 0));
  CHECK_EQ_INT(o32[0], 1);  /* 5/3 */
  CHECK_EQ_INT(o32[1], -1); /* -5/3 truncates toward zero */
  run_free(&r);
}

TEST(reduce_axis_out_of_range) {
  pnn_mb *mb = pnn_mb_new();
  int x = tensor(mb, "x", PNN_TYPE_FLOAT32, 2, DIMS(2, 3), NULL);
  int ax = tensor(mb, "axes", PNN_TYPE_INT32, 1, DIMS(1), (int32_t[]){2});
  int y = tensor(mb, "y", PNN_TYPE_FLOAT32, 1, DIMS(2), NULL);
  pnn_mb_op(mb, PNN_OP_SUM, 0, NULL, 2, (int32_t[]){x, ax}, 1, &y);
  io(mb, 1, &x, 1, &y);
  run_t r = build(mb);
  CHECK_FAILS(r, PNN_ERROR_INVALID_MODEL, "axes entry 2 out of range");
  run_free(&r);
}

TEST(argmax_ties_and_cumsum) {
  pnn_mb *mb = pnn_mb_new();
  int x = tensor(mb, "x", PNN_TYPE_FLOAT32, 2, DIMS(2, 4), NULL);
  int ax = tensor(mb, "axis", PNN_TYPE_INT32, 1, DIMS(1), (int32_t[]){1});
  int am = tensor(mb, "am", PNN_TYPE_INT64, 1, DIMS(2), NULL);
  int cs = tensor(mb, "cs", PNN_TYPE_FLOAT32, 2, DIMS(2, 4), NULL);
  pnn_arg_max_options ao = {.output_type = PNN_TYPE_INT64};
  pnn_mb_op(mb, PNN_OP_ARG_MAX, PNN_OPTIONS_OF(arg_max), &ao, 2,
            (int32_t[]){x, ax}, 1, &am);
  int ax0 = tensor(mb, "axis0", PNN_TYPE_INT32, 0, NULL, (int32_t[]){-1});
  pnn_cumsum_options co = {.exclusive = true, .reverse = true};
  pnn_mb_op(mb, PNN_OP_CUMSUM, PNN_OPTIONS_OF(cumsum), &co, 2,
            (int32_t[]){x, ax0}, 1, &cs);
  io(mb, 1, &x, 2, (int32_t[]){am, cs});
  run_t r = build(mb);
  CHECK_OK(r);
  float in[8] = {1, 5, 5, 2, -1, -1, -1, -1};
  CHECK(set_input(&r, 0, in, sizeof in) == PNN_OK);
  CHECK(invoke(&r) == PNN_OK);
  const int64_t *a = pnn_tensor_data(out(&r, 0));
  CHECK_EQ_INT(a[0], 1);
  CHECK_EQ_INT(a[1], 0);
  const float *c = pnn_tensor_data(out(&r, 1));
  const float want[8] = {12, 7, 2, 0, -3, -2, -1, 0};
  for (int i = 0; i < 8; i++) CHECK_NEAR(c[i], want[i], 0);
  run_free(&r);
}

TEST(quantized_sum_rescales_like_tflite) {
  /* An int8 SUM whose output scale differs from the input's: int32 sum of
   * (q - zp_in), times s_in/s_out in fixed point, plus zp_out, clamped.
   * Expected values are round(exact) (LiteRT's optimized kernel agrees). */
  pnn_mb *mb = pnn_mb_new();
  int x = tensor(mb, "x", PNN_TYPE_INT8, 2, DIMS(3, 5), NULL);
  pnn_mb_tensor_quant(mb, x, 1, (float[]){0.0038116478826850653f},
                      (int64_t[]){3}, 0);
  int ax = tensor(mb, "axes", PNN_TYPE_INT32, 1, DIMS(1), (int32_t[]){1});
  int y = tensor(mb, "y", PNN_TYPE_INT8, 1, DIMS(3), NULL);
  pnn_mb_tensor_quant(mb, y, 1, (float[]){0.006661839783191681f},
                      (int64_t[]){-11}, 0);
  pnn_mb_op(mb, PNN_OP_SUM, 0, NULL, 2, (int32_t[]){x, ax}, 1, &y);
  io(mb, 1, &x, 1, &y);
  run_t r = build(mb);
  CHECK_OK(r);
  int8_t in[15] = {34, -59, -117, -123, 79, 104,  26, 58,
                   10, 110, 80,   -127, 90, -119, 58};
  CHECK(set_input(&r, 0, in, sizeof in) == PNN_OK);
  CHECK(invoke(&r) == PNN_OK);
  const int8_t *o = pnn_tensor_data(out(&r, 0));
  CHECK_EQ_INT(o[0], -126); /* exact -126.004 */
  CHECK_EQ_INT(o[1], 127);  /* exact 156.6, clamped */
  CHECK_EQ_INT(o[2], -30);  /* exact -29.88 */
  run_free(&r);
}

/* ------------------------------------------------------------ quantize */

TEST(dequantize_int8_per_tensor_and_per_channel) {
  pnn_mb *mb = pnn_mb_new();
  int8_t q[6] = {-128, 0, 127, 10, -10, 3};
  int a = tensor(mb, "a", PNN_TYPE_INT8, 2, DIMS(2, 3), NULL);
  pnn_mb_tensor_quant(mb, a, 1, (float[]){0.5f}, (int64_t[]){-2}, 0);
  int w = tensor(mb, "w", PNN_TYPE_INT8, 2, DIMS(2, 3), q);
  pnn_mb_tensor_quant(mb, w, 2, (float[]){0.5f, 0.25f}, NULL, 0);
  int u = tensor(mb, "u", PNN_TYPE_UINT8, 1, DIMS(2), (uint8_t[]){0, 255});
  pnn_mb_tensor_quant(mb, u, 1, (float[]){0.1f}, (int64_t[]){128}, 0);
  int ya = tensor(mb, "ya", PNN_TYPE_FLOAT32, 2, DIMS(2, 3), NULL);
  int yw = tensor(mb, "yw", PNN_TYPE_FLOAT32, 2, DIMS(2, 3), NULL);
  int yu = tensor(mb, "yu", PNN_TYPE_FLOAT32, 1, DIMS(2), NULL);
  pnn_mb_op(mb, PNN_OP_DEQUANTIZE, 0, NULL, 1, &a, 1, &ya);
  pnn_mb_op(mb, PNN_OP_DEQUANTIZE, 0, NULL, 1, &w, 1, &yw);
  pnn_mb_op(mb, PNN_OP_DEQUANTIZE, 0, NULL, 1, &u, 1, &yu);
  io(mb, 1, &a, 3, (int32_t[]){ya, yw, yu});
  run_t r = build(mb);
  CHECK_OK(r);
  CHECK(set_input(&r, 0, q, sizeof q) == PNN_OK);
  CHECK(invoke(&r) == PNN_OK);
  const float *oa = pnn_tensor_data(out(&r, 0));
  const float *ow = pnn_tensor_data(out(&r, 1));
  const float *ou = pnn_tensor_data(out(&r, 2));
  for (int i = 0; i < 6; i++) {
    CHECK_NEAR(oa[i], 0.5 * (q[i] + 2), 1e-6);
    CHECK_NEAR(ow[i], (i < 3 ? 0.5 : 0.25) * q[i], 1e-6);
  }
  CHECK_NEAR(ou[0], -12.8, 1e-5);
  CHECK_NEAR(ou[1], 12.7, 1e-5);
  run_free(&r);
}

TEST(dequantize_float16_and_missing_scale) {
  run_t r = unary_model(PNN_OP_DEQUANTIZE, PNN_TYPE_FLOAT16, PNN_TYPE_FLOAT32,
                        1, DIMS(3));
  CHECK_OK(r);
  uint16_t h[3] = {0x3555, 0xfc00, 0x8000}; /* ~1/3, -inf, -0 */
  CHECK(set_input(&r, 0, h, sizeof h) == PNN_OK);
  CHECK(invoke(&r) == PNN_OK);
  const float *o = pnn_tensor_data(out(&r, 0));
  CHECK_NEAR(o[0], 0.333251953125, 0);
  CHECK(isinf(o[1]) && o[1] < 0);
  CHECK(o[2] == 0.f && signbit(o[2]));
  run_free(&r);

  r = unary_model(PNN_OP_DEQUANTIZE, PNN_TYPE_INT8, PNN_TYPE_FLOAT32, 1,
                  DIMS(3));
  CHECK_FAILS(r, PNN_ERROR_INVALID_MODEL, "without quantization scale");
  run_free(&r);
}

TEST(quantize_rounding_per_channel_and_requantize) {
  pnn_mb *mb = pnn_mb_new();
  int x = tensor(mb, "x", PNN_TYPE_FLOAT32, 2, DIMS(2, 3), NULL);
  int q = tensor(mb, "q", PNN_TYPE_INT8, 2, DIMS(2, 3), NULL);
  pnn_mb_tensor_quant(mb, q, 1, (float[]){0.5f}, (int64_t[]){1}, 0);
  int pc = tensor(mb, "pc", PNN_TYPE_INT8, 2, DIMS(2, 3), NULL);
  pnn_mb_tensor_quant(mb, pc, 2, (float[]){1.f, 0.25f}, NULL, 0);
  int u = tensor(mb, "u", PNN_TYPE_UINT8, 2, DIMS(2, 3), NULL);
  pnn_mb_tensor_quant(mb, u, 1, (float[]){1.f}, (int64_t[]){128}, 0);
  pnn_mb_op(mb, PNN_OP_QUANTIZE, 0, NULL, 1, &x, 1, &q);
  pnn_mb_op(mb, PNN_OP_QUANTIZE, 0, NULL, 1, &x, 1, &pc);
  pnn_mb_op(mb, PNN_OP_QUANTIZE, 0, NULL, 1, &q, 1, &u); /* requantize */
  io(mb, 1, &x, 3, (int32_t[]){q, pc, u});
  run_t r = build(mb);
  CHECK_OK(r);
  float in[6] = {0.25f, -0.25f, 1.3f, 100.f, -100.f, NAN};
  CHECK(set_input(&r, 0, in, sizeof in) == PNN_OK);
  CHECK(invoke(&r) == PNN_OK);
  const int8_t *oq = pnn_tensor_data(out(&r, 0));
  const int8_t *op = pnn_tensor_data(out(&r, 1));
  const uint8_t *ou = pnn_tensor_data(out(&r, 2));
  /* x / 0.5 rounded half away from zero, + 1, clamped; NaN -> zero point */
  const int want_q[6] = {2, 0, 4, 127, -128, 1};
  /* rows scaled by 1 and 0.25 */
  const int want_pc[6] = {0, 0, 1, 127, -128, 0};
  /* requantized: (q - 1) * 0.5 + 128 in fixed point, where halves round
   * up (0.5 -> 1, -0.5 -> 0, -64.5 -> -64) as in TFLite */
  const int want_u[6] = {129, 128, 130, 191, 64, 128};
  for (int i = 0; i < 6; i++) {
    CHECK_EQ_INT(oq[i], want_q[i]);
    CHECK_EQ_INT(op[i], want_pc[i]);
    CHECK_EQ_INT(ou[i], want_u[i]);
  }
  run_free(&r);
}

/* A 4x4 float matrix stored as dense rows (dim 0) x CSR columns (dim 1):
 *   [[0 1 0 0] [0 0 0 0] [2 0 0 3] [0 0 4 0]]. */
static run_t densify_model(const int32_t *indices, int n_values) {
  pnn_mb *mb = pnn_mb_new();
  static const float values[4] = {1, 2, 3, 4};
  int buf = pnn_mb_buffer(mb, values, sizeof(float) * (size_t)n_values);
  int w =
      pnn_mb_tensor_in_buffer(mb, "w", PNN_TYPE_FLOAT32, 2, DIMS(4, 4), buf);
  static const int32_t order[2] = {0, 1}, segments[5] = {0, 1, 1, 3, 4};
  pnn_dim_metadata_def dm[2];
  memset(dm, 0, sizeof dm);
  dm[0].format = PNN_DIM_DENSE;
  dm[0].dense_size = 4;
  dm[1].format = PNN_DIM_SPARSE_CSR;
  dm[1].segments_type = dm[1].indices_type = 1;
  dm[1].segments = (pnn_vec_i32){segments, 5};
  dm[1].indices = (pnn_vec_i32){indices, 4};
  pnn_sparsity_def sp = {.traversal_order = {order, 2},
                         .block_map = {NULL, 0},
                         .n_dim_metadata = 2,
                         .dim_metadata = dm};
  pnn_mb_tensor_sparsity(mb, w, &sp);
  int y = tensor(mb, "y", PNN_TYPE_FLOAT32, 2, DIMS(4, 4), NULL);
  pnn_mb_op(mb, PNN_OP_DENSIFY, 0, NULL, 1, &w, 1, &y);
  io(mb, 0, NULL, 1, &y);
  return build(mb);
}

TEST(densify_csr) {
  run_t r = densify_model((const int32_t[]){1, 0, 3, 2}, 4);
  CHECK_OK(r);
  CHECK(invoke(&r) == PNN_OK);
  const float *o = pnn_tensor_data(out(&r, 0));
  const float want[16] = {0, 1, 0, 0, 0, 0, 0, 0, 2, 0, 0, 3, 0, 0, 4, 0};
  for (int i = 0; i < 16; i++) CHECK_NEAR(o[i], want[i], 0);
  run_free(&r);
}

TEST(densify_rejects_bad_metadata) {
  run_t r = densify_model((const int32_t[]){1, 0, 4, 2}, 4);
  CHECK_FAILS(r, PNN_ERROR_INVALID_MODEL, "index 4 out of range");
  run_free(&r);
  r = densify_model((const int32_t[]){1, 0, 3, 2}, 3);
  CHECK(r.status != PNN_OK);
  run_free(&r);
}

/* ----------------------------------------------------- hostile values */

/* Values a malicious model might put in index tensors and options. */
static int32_t hostile(uint32_t *seed) {
  static const int32_t pool[] = {
      INT32_MIN, -65536, -100, -9, -5, -4, -3, -2,  -1,    0,        0,
      1,         1,      2,    3,  4,  5,  9,  100, 65536, INT32_MAX};
  *seed = *seed * 1103515245u + 12345u;
  return pool[(*seed >> 16) % (sizeof pool / sizeof pool[0])];
}

/* Builds op `code` on a [2,3,4] input with constant int tensors of hostile
 * values for its index inputs, and hostile option values; allocating must
 * either fail with a message or succeed and invoke cleanly (run under
 * ASan/UBSan by `make asan`). Returns the allocate status. */
static pnn_status hostile_model(int32_t code, uint32_t *seed) {
  pnn_mb *mb = pnn_mb_new();
  int x = tensor(mb, "x", PNN_TYPE_FLOAT32, 3, DIMS(2, 3, 4), NULL);
  int32_t v[8][8];
  for (int i = 0; i < 8; i++)
    for (int j = 0; j < 8; j++) v[i][j] = hostile(seed);
  int n = 1 + (int)((*seed >> 8) % 4); /* length of index vectors */
  int c1 = tensor(mb, "c1", PNN_TYPE_INT32, 1, DIMS(n), v[0]);
  int c2 = tensor(mb, "c2", PNN_TYPE_INT32, 1, DIMS(n), v[1]);
  int c3 = tensor(mb, "c3", PNN_TYPE_INT32, 1, DIMS(n), v[2]);
  int pads = tensor(mb, "pads", PNN_TYPE_INT32, 2, DIMS(3, 2), v[3]);
  int s0 = tensor(mb, "s0", PNN_TYPE_INT32, 0, NULL, v[4]);
  int idx = tensor(mb, "idx", PNN_TYPE_INT32, 2, DIMS(2, 2), v[5]);
  int y = tensor(mb, "y", PNN_TYPE_FLOAT32, 1, DIMS(1), NULL);
  int y2 = tensor(mb, "y2", PNN_TYPE_FLOAT32, 1, DIMS(1), NULL);
  pnn_builtin_options o;
  memset(&o, 0, sizeof o);
  uint8_t ot = 0;
  int32_t in3[3] = {x, c1, c2}, in4[4] = {x, c1, c2, c3};
  int n_in = 2, n_out = 1;
  int32_t *ins = in3;
  int32_t outs[2] = {y, y2};
  switch (code) {
    case PNN_OP_STRIDED_SLICE:
      ot = PNN_OPTIONS_OF(strided_slice);
      o.strided_slice.begin_mask = v[6][0];
      o.strided_slice.end_mask = v[6][1];
      o.strided_slice.shrink_axis_mask = v[6][2] & 0xff;
      o.strided_slice.ellipsis_mask = v[6][3] & 0xff;
      o.strided_slice.new_axis_mask = v[6][4] & 0xff;
      o.strided_slice.offset = v[6][5] & 1;
      ins = in4;
      n_in = 4;
      break;
    case PNN_OP_SLICE: n_in = 3; break;
    case PNN_OP_PAD:
    case PNN_OP_MIRROR_PAD:
      in3[1] = pads;
      ot = code == PNN_OP_MIRROR_PAD ? PNN_OPTIONS_OF(mirror_pad) : 0;
      o.mirror_pad.mode = (int8_t)(v[6][0] & 3);
      break;
    case PNN_OP_GATHER:
      in3[1] = idx;
      ot = PNN_OPTIONS_OF(gather);
      o.gather.axis = v[6][0];
      o.gather.batch_dims = v[6][1];
      break;
    case PNN_OP_GATHER_ND: in3[1] = idx; break;
    case PNN_OP_SPLIT:
      in3[0] = s0;
      in3[1] = x;
      n_out = 2;
      break;
    case PNN_OP_SPLIT_V:
      in3[2] = s0;
      n_in = 3;
      n_out = 2;
      break;
    case PNN_OP_EXPAND_DIMS:
    case PNN_OP_ARG_MAX:
    case PNN_OP_CUMSUM: in3[1] = s0; break;
    case PNN_OP_TOPK_V2:
      in3[1] = s0;
      n_out = 2;
      break;
    case PNN_OP_DYNAMIC_UPDATE_SLICE:
      in3[1] = x;
      in3[2] = c1;
      n_in = 3;
      break;
    case PNN_OP_CONCATENATION:
    case PNN_OP_PACK:
      in3[1] = x;
      ot = code == PNN_OP_PACK ? PNN_OPTIONS_OF(pack)
                               : PNN_OPTIONS_OF(concatenation);
      o.pack.values_count = v[6][0] & 3;
      o.pack.axis = v[6][1];
      if (code == PNN_OP_CONCATENATION) {
        o.concatenation.axis = v[6][1];
        o.concatenation.fused_activation_function = (int8_t)(v[6][2] & 7);
      }
      break;
    case PNN_OP_UNPACK:
      n_in = 1;
      n_out = 2;
      ot = PNN_OPTIONS_OF(unpack);
      o.unpack.num = v[6][0];
      o.unpack.axis = v[6][1];
      break;
    case PNN_OP_SQUEEZE:
      n_in = 1;
      ot = PNN_OPTIONS_OF(squeeze);
      o.squeeze.squeeze_dims = (pnn_vec_i32){v[7], n};
      break;
    default: break; /* RESHAPE, TRANSPOSE, TILE, BROADCAST_TO, SUM: (x, c1) */
  }
  pnn_mb_op(mb, code, ot, ot ? &o : NULL, n_in, ins, n_out, outs);
  io(mb, 1, &x, n_out, outs);
  run_t r = build(mb);
  pnn_status st = r.status;
  if (st == PNN_OK) {
    float in[24] = {0};
    if (set_input(&r, 0, in, sizeof in) == PNN_OK) {
      pnn_status si = invoke(&r);
      /* Only data-dependent failures may happen at invoke. */
      if (si != PNN_OK && si != PNN_ERROR_RUNTIME) st = si;
    }
  } else if (r.error[0] == '\0') {
    st = PNN_ERROR_INVALID_STATE; /* a failure must say why */
  }
  run_free(&r);
  return st;
}

TEST(hostile_index_values_never_crash) {
  static const int32_t ops[] = {
      PNN_OP_STRIDED_SLICE, PNN_OP_SLICE,     PNN_OP_PAD,
      PNN_OP_MIRROR_PAD,    PNN_OP_GATHER,    PNN_OP_GATHER_ND,
      PNN_OP_SPLIT,         PNN_OP_SPLIT_V,   PNN_OP_EXPAND_DIMS,
      PNN_OP_ARG_MAX,       PNN_OP_CUMSUM,    PNN_OP_CONCATENATION,
      PNN_OP_PACK,          PNN_OP_UNPACK,    PNN_OP_SQUEEZE,
      PNN_OP_RESHAPE,       PNN_OP_TRANSPOSE, PNN_OP_TILE,
      PNN_OP_BROADCAST_TO,  PNN_OP_SUM,       PNN_OP_REDUCE_MAX,
      PNN_OP_REVERSE_V2,    PNN_OP_TOPK_V2,   PNN_OP_DYNAMIC_UPDATE_SLICE,
  };
  uint32_t seed = 12345;
  int ok = 0, refused = 0;
  g_arena_cap = 16u << 20;
  for (int round = 0; round < 150; round++)
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
      pnn_status st = hostile_model(ops[k], &seed);
      CHECK_MSG(st == PNN_OK || st == PNN_ERROR_INVALID_MODEL ||
                    st == PNN_ERROR_UNSUPPORTED || st == PNN_ERROR_LIMIT ||
                    st == PNN_ERROR_OUT_OF_MEMORY,
                "op %d: status %d", (int)ops[k], (int)st);
      if (st == PNN_OK)
        ok++;
      else
        refused++;
    }
  g_arena_cap = 0;
  /* Both outcomes must occur, or the generator tests nothing. */
  CHECK(ok > 20);
  CHECK(refused > 20);
}

/* -------------------------------------------------------- empty tensors */

TEST(empty_tensors_flow_through_data_movement_ops) {
  /* x: [0, 3] through TRANSPOSE, TILE, SLICE, STRIDED_SLICE, GATHER (with
   * empty indices on a non-empty tensor), SPLIT, PACK, MEAN and ARG_MAX. */
  pnn_mb *mb = pnn_mb_new();
  int x = tensor(mb, "x", PNN_TYPE_FLOAT32, 2, DIMS(0, 3), NULL);
  int w = tensor(mb, "w", PNN_TYPE_FLOAT32, 2, DIMS(2, 3), NULL);
  int perm = tensor(mb, "perm", PNN_TYPE_INT32, 1, DIMS(2), (int32_t[]){1, 0});
  int mult = tensor(mb, "mult", PNN_TYPE_INT32, 1, DIMS(2), (int32_t[]){2, 0});
  int b = tensor(mb, "b", PNN_TYPE_INT32, 1, DIMS(2), (int32_t[]){0, 1});
  int sz = tensor(mb, "sz", PNN_TYPE_INT32, 1, DIMS(2), (int32_t[]){-1, 2});
  int e = tensor(mb, "e", PNN_TYPE_INT32, 1, DIMS(2), (int32_t[]){0, 3});
  int one = tensor(mb, "one", PNN_TYPE_INT32, 1, DIMS(2), (int32_t[]){1, 1});
  int idx = tensor(mb, "idx", PNN_TYPE_INT32, 1, DIMS(0), NULL);
  int ax1 = tensor(mb, "ax1", PNN_TYPE_INT32, 0, NULL, (int32_t[]){1});
  int ax0 = tensor(mb, "ax0", PNN_TYPE_INT32, 1, DIMS(1), (int32_t[]){0});
  int axm = tensor(mb, "axm", PNN_TYPE_INT32, 0, NULL, (int32_t[]){0});
  int t1 = tensor(mb, "t1", PNN_TYPE_FLOAT32, 2, DIMS(3, 0), NULL);
  int t2 = tensor(mb, "t2", PNN_TYPE_FLOAT32, 2, DIMS(0, 0), NULL);
  int t3 = tensor(mb, "t3", PNN_TYPE_FLOAT32, 2, DIMS(0, 2), NULL);
  int t4 = tensor(mb, "t4", PNN_TYPE_FLOAT32, 2, DIMS(0, 3), NULL);
  int t5 = tensor(mb, "t5", PNN_TYPE_FLOAT32, 2, DIMS(0, 3), NULL);
  int t6 = tensor(mb, "t6", PNN_TYPE_FLOAT32, 2, DIMS(2, 0), NULL);
  int s0 = tensor(mb, "s0", PNN_TYPE_FLOAT32, 2, DIMS(2, 0), NULL);
  int s1 = tensor(mb, "s1", PNN_TYPE_FLOAT32, 2, DIMS(2, 0), NULL);
  int pk = tensor(mb, "pk", PNN_TYPE_FLOAT32, 3, DIMS(2, 0, 3), NULL);
  int mn = tensor(mb, "mn", PNN_TYPE_FLOAT32, 1, DIMS(3), NULL);
  int am = tensor(mb, "am", PNN_TYPE_INT32, 1, DIMS(0), NULL);
  pnn_mb_op(mb, PNN_OP_TRANSPOSE, 0, NULL, 2, (int32_t[]){x, perm}, 1, &t1);
  pnn_mb_op(mb, PNN_OP_TILE, 0, NULL, 2, (int32_t[]){x, mult}, 1, &t2);
  pnn_mb_op(mb, PNN_OP_SLICE, 0, NULL, 3, (int32_t[]){x, b, sz}, 1, &t3);
  pnn_mb_op(mb, PNN_OP_STRIDED_SLICE, 0, NULL, 4, (int32_t[]){x, b, e, one}, 1,
            &t4);
  pnn_gather_options go = {.axis = 1};
  pnn_mb_op(mb, PNN_OP_GATHER, PNN_OPTIONS_OF(gather), &go, 2,
            (int32_t[]){w, idx}, 1, &t6);
  pnn_mb_op(mb, PNN_OP_SPLIT, 0, NULL, 2, (int32_t[]){ax1, t6}, 2,
            (int32_t[]){s0, s1});
  pnn_mb_op(mb, PNN_OP_ZEROS_LIKE, 0, NULL, 1, &x, 1, &t5);
  pnn_pack_options po = {.values_count = 2, .axis = 0};
  pnn_mb_op(mb, PNN_OP_PACK, PNN_OPTIONS_OF(pack), &po, 2, (int32_t[]){x, t5},
            1, &pk);
  pnn_mb_op(mb, PNN_OP_MEAN, 0, NULL, 2, (int32_t[]){x, ax0}, 1, &mn);
  pnn_mb_op(mb, PNN_OP_ARG_MAX, 0, NULL, 2, (int32_t[]){t1, axm}, 1, &am);
  io(mb, 3, (int32_t[]){x, w, idx}, 10,
     (int32_t[]){t1, t2, t3, t4, t6, s0, s1, pk, mn, am});
  run_t r = build(mb);
  CHECK_OK(r);
  float wv[6] = {1, 2, 3, 4, 5, 6};
  CHECK(set_input(&r, 1, wv, sizeof wv) == PNN_OK);
  CHECK(invoke(&r) == PNN_OK);
  CHECK(SHAPE_IS(out(&r, 0), 3, 0));
  CHECK(SHAPE_IS(out(&r, 1), 0, 0));
  CHECK(SHAPE_IS(out(&r, 2), 0, 2));
  CHECK(SHAPE_IS(out(&r, 3), 0, 2));
  CHECK(SHAPE_IS(out(&r, 4), 2, 0));
  CHECK(SHAPE_IS(out(&r, 5), 2, 0));
  CHECK(SHAPE_IS(out(&r, 6), 2, 0));
  CHECK(SHAPE_IS(out(&r, 7), 2, 0, 3));
  CHECK(SHAPE_IS(out(&r, 8), 3));
  /* MEAN over an empty axis: 0/0 = NaN, as TFLite's float mean. */
  const float *m = pnn_tensor_data(out(&r, 8));
  for (int i = 0; i < 3; i++) CHECK(isnan(m[i]));
  /* ARG_MAX along the non-empty axis of [3, 0]: an empty result. */
  CHECK(SHAPE_IS(out(&r, 9), 0));
  run_free(&r);
}

TEST(arg_max_over_empty_axis_is_refused) {
  pnn_mb *mb = pnn_mb_new();
  int x = tensor(mb, "x", PNN_TYPE_FLOAT32, 2, DIMS(3, 0), NULL);
  int ax = tensor(mb, "ax", PNN_TYPE_INT32, 0, NULL, (int32_t[]){1});
  int y = tensor(mb, "y", PNN_TYPE_INT32, 1, DIMS(3), NULL);
  pnn_mb_op(mb, PNN_OP_ARG_MAX, 0, NULL, 2, (int32_t[]){x, ax}, 1, &y);
  io(mb, 1, &x, 1, &y);
  run_t r = build(mb);
  CHECK_FAILS(r, PNN_ERROR_INVALID_MODEL, "is empty");
  run_free(&r);
}

TEST(scatter_nd_bad_index_is_runtime_error) {
  pnn_mb *mb = pnn_mb_new();
  int i = tensor(mb, "idx", PNN_TYPE_INT32, 2, DIMS(2, 1), NULL);
  int u = tensor(mb, "upd", PNN_TYPE_FLOAT32, 2, DIMS(2, 2), NULL);
  int sh = tensor(mb, "shape", PNN_TYPE_INT32, 1, DIMS(2), (int32_t[]){3, 2});
  int y = tensor(mb, "y", PNN_TYPE_FLOAT32, 2, DIMS(3, 2), NULL);
  pnn_mb_op(mb, PNN_OP_SCATTER_ND, 0, NULL, 3, (int32_t[]){i, u, sh}, 1, &y);
  io(mb, 2, (int32_t[]){i, u}, 1, &y);
  run_t r = build(mb);
  CHECK_OK(r);
  float upd[4] = {1, 2, 3, 4};
  int32_t good[2] = {2, 2}, bad[2] = {0, 3};
  CHECK(set_input(&r, 1, upd, sizeof upd) == PNN_OK);
  CHECK(set_input(&r, 0, good, sizeof good) == PNN_OK);
  CHECK(invoke(&r) == PNN_OK);
  const float *o = pnn_tensor_data(out(&r, 0));
  const float want[6] = {0, 0, 0, 0, 4, 6}; /* duplicates add up */
  for (int k = 0; k < 6; k++) CHECK_NEAR(o[k], want[k], 0);
  CHECK(set_input(&r, 0, bad, sizeof bad) == PNN_OK);
  CHECK(invoke(&r) == PNN_ERROR_RUNTIME);
  run_free(&r);
}

TEST(broadcast_args_values_and_mismatch) {
  pnn_mb *mb = pnn_mb_new();
  int a = tensor(mb, "a", PNN_TYPE_INT32, 1, DIMS(3), NULL);
  int b = tensor(mb, "b", PNN_TYPE_INT32, 1, DIMS(2), NULL);
  int y = tensor(mb, "y", PNN_TYPE_INT32, 1, DIMS(3), NULL);
  pnn_mb_op(mb, PNN_OP_BROADCAST_ARGS, 0, NULL, 2, (int32_t[]){a, b}, 1, &y);
  io(mb, 2, (int32_t[]){a, b}, 1, &y);
  run_t r = build(mb);
  CHECK_OK(r);
  int32_t sa[3] = {2, 1, 4}, sb[2] = {3, 1}, bad[2] = {3, 5};
  CHECK(set_input(&r, 0, sa, sizeof sa) == PNN_OK);
  CHECK(set_input(&r, 1, sb, sizeof sb) == PNN_OK);
  CHECK(invoke(&r) == PNN_OK);
  const int32_t *o = pnn_tensor_data(out(&r, 0));
  CHECK(o[0] == 2 && o[1] == 3 && o[2] == 4);
  CHECK(set_input(&r, 1, bad, sizeof bad) == PNN_OK);
  CHECK(invoke(&r) == PNN_ERROR_RUNTIME);
  run_free(&r);
}

TEST(unsorted_segment_bad_id_is_runtime_error) {
  pnn_mb *mb = pnn_mb_new();
  int x = tensor(mb, "x", PNN_TYPE_FLOAT32, 2, DIMS(3, 2), NULL);
  int ids = tensor(mb, "ids", PNN_TYPE_INT32, 1, DIMS(3), NULL);
  int num = tensor(mb, "num", PNN_TYPE_INT32, 0, NULL, (int32_t[]){2});
  int y = tensor(mb, "y", PNN_TYPE_FLOAT32, 2, DIMS(2, 2), NULL);
  pnn_mb_op(mb, PNN_OP_UNSORTED_SEGMENT_SUM, 0, NULL, 3,
            (int32_t[]){x, ids, num}, 1, &y);
  io(mb, 2, (int32_t[]){x, ids}, 1, &y);
  run_t r = build(mb);
  CHECK_OK(r);
  float xv[6] = {1, 2, 3, 4, 5, 6};
  int32_t good[3] = {1, -1, 1}, bad[3] = {0, 2, 1};
  CHECK(set_input(&r, 0, xv, sizeof xv) == PNN_OK);
  CHECK(set_input(&r, 1, good, sizeof good) == PNN_OK);
  CHECK(invoke(&r) == PNN_OK);
  const float *o = pnn_tensor_data(out(&r, 0));
  /* segment 0 empty (0), segment 1 = rows 0 + 2; the -1 row is dropped */
  CHECK(o[0] == 0 && o[1] == 0 && o[2] == 6 && o[3] == 8);
  CHECK(set_input(&r, 1, bad, sizeof bad) == PNN_OK);
  CHECK(invoke(&r) == PNN_ERROR_RUNTIME);
  run_free(&r);
}
