/* Interpreter basics: running a chain of ops, the arena planner (sharing,
 * cap), constant folding (incl. SHAPE), input resize, custom ops through
 * the API, clear prepare errors, threads and profiling. */
#include <stdatomic.h>
#include <string.h>

#include "harness.h"
#include "ops/op.h"
#include "runtime/planner.h"
#include "runtime/runtime.h"
#include "test_runtime_common.h"

enum { CHAIN = 8, WIDTH = 256 };

/* x -> (*1.5) -> (+1) -> (*1.5) -> ... : CHAIN ops, each [1, WIDTH]. */
static pnn_model *chain_model(void) {
  pnn_mb *mb = pnn_mb_new();
  int32_t shape[] = {1, WIDTH}, one[] = {1};
  float k_mul = 1.5f, k_add = 1.0f;
  int x = rt_f32(mb, "x", 2, shape, NULL);
  int cm = rt_f32(mb, "k_mul", 1, one, &k_mul);
  int ca = rt_f32(mb, "k_add", 1, one, &k_add);
  int prev = x;
  for (int i = 0; i < CHAIN; i++) {
    char name[16];
    snprintf(name, sizeof(name), "t%d", i);
    int t = rt_f32(mb, name, 2, shape, NULL);
    rt_binary(mb, i % 2 ? PNN_OP_ADD : PNN_OP_MUL, prev, i % 2 ? ca : cm, t);
    prev = t;
  }
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &prev);
  return rt_load(mb);
}

static float chain_ref(float v) {
  for (int i = 0; i < CHAIN; i++) v = i % 2 ? v + 1.0f : v * 1.5f;
  return v;
}

static void run_chain(int threads) {
  pnn_model *m = chain_model();
  CHECK(m);
  pnn_interpreter *in = rt_interp(m, threads);
  CHECK(in);
  CHECK_MSG(pnn_interpreter_allocate(in) == PNN_OK, "%s",
            pnn_interpreter_last_error(in));
  float x[WIDTH], y[WIDTH];
  for (int i = 0; i < WIDTH; i++) x[i] = (float)i * 0.25f - 3.0f;
  CHECK_EQ_INT(pnn_tensor_copy_from(pnn_interpreter_input(in, 0), x, sizeof(x)),
               PNN_OK);
  for (int rep = 0; rep < 3; rep++) {
    CHECK_EQ_INT(pnn_interpreter_invoke(in), PNN_OK);
    CHECK_EQ_INT(
        pnn_tensor_copy_to(pnn_interpreter_output(in, 0), y, sizeof(y)),
        PNN_OK);
    for (int i = 0; i < WIDTH; i++) CHECK_NEAR(y[i], chain_ref(x[i]), 1e-4);
  }
  /* Sharing: CHAIN+1 activations of WIDTH floats, but the input and output
   * live throughout and only two intermediates at a time otherwise. */
  size_t sum = (CHAIN + 1) * WIDTH * sizeof(float);
  size_t arena = pnn_interpreter_arena_bytes(in);
  CHECK(arena > 0);
  CHECK_MSG(arena < sum, "arena %zu, sum %zu", arena, sum);
  CHECK_EQ_INT(arena, 3 * WIDTH * sizeof(float)); /* x, y, 2 in flight */
  pnn_interpreter_free(in);
  pnn_model_free(m);
}

TEST(chain_runs_and_shares_memory) {
  run_chain(1);
}
TEST(chain_runs_with_threads) {
  run_chain(3);
}

TEST(arena_cap) {
  pnn_model *m = chain_model();
  CHECK(m);
  pnn_interpreter_options o;
  pnn_interpreter_options_init(&o);
  o.max_arena_bytes = 1000;
  pnn_interpreter *in = NULL;
  CHECK_EQ_INT(pnn_interpreter_create(m, &o, &in), PNN_OK);
  CHECK_EQ_INT(pnn_interpreter_allocate(in), PNN_ERROR_LIMIT);
  const char *e = pnn_interpreter_last_error(in);
  CHECK_MSG(strstr(e, "3072") && strstr(e, "1000"), "%s", e);
  CHECK_EQ_INT(pnn_interpreter_invoke(in), PNN_ERROR_INVALID_STATE);
  pnn_interpreter_free(in);
  /* Exactly enough is fine. */
  o.max_arena_bytes = 3072;
  CHECK_EQ_INT(pnn_interpreter_create(m, &o, &in), PNN_OK);
  CHECK_EQ_INT(pnn_interpreter_allocate(in), PNN_OK);
  pnn_interpreter_free(in);
  pnn_model_free(m);
}

/* Planner unit checks: disjoint lifetimes share, overlapping do not,
 * offsets are aligned and no two live buffers overlap in memory. */
TEST(planner_greedy) {
  pnn_plan_buffer b[6] = {
      {100, 0, 1, 0}, {200, 1, 2, 0}, {100, 2, 3, 0},
      {300, 3, 4, 0}, {64, 0, 4, 0},  {0, 0, 4, 0},
  };
  size_t total;
  CHECK_EQ_INT(pnn_plan_arena(b, 6, &total), PNN_OK);
  for (int i = 0; i < 6; i++) {
    CHECK_EQ_INT(b[i].offset % PNN_ARENA_ALIGN, 0);
    CHECK(b[i].offset + b[i].size <= total);
    for (int j = 0; j < i; j++) {
      bool time = b[i].first <= b[j].last && b[j].first <= b[i].last;
      bool mem = b[i].offset < b[j].offset + b[j].size &&
                 b[j].offset < b[i].offset + b[i].size;
      CHECK_MSG(!(time && mem && b[i].size && b[j].size),
                "buffers %d and %d overlap", i, j);
    }
  }
  /* The sum is 764 (aligned 960); peak live is 300+100+64 etc. */
  CHECK_MSG(total <= 640, "total %zu", total);
  CHECK_EQ_INT(pnn_plan_arena(b, 0, &total), PNN_OK);
  CHECK_EQ_INT(total, 0);
}

/* y = x * (a + b): a + b is folded at prepare. */
TEST(constant_folding) {
  pnn_mb *mb = pnn_mb_new();
  int32_t shape[] = {4};
  float a[] = {1, 2, 3, 4}, b[] = {10, 20, 30, 40};
  int x = rt_f32(mb, "x", 1, shape, NULL);
  int ta = rt_f32(mb, "a", 1, shape, a);
  int tb = rt_f32(mb, "b", 1, shape, b);
  int s = rt_f32(mb, "s", 1, shape, NULL);
  int y = rt_f32(mb, "y", 1, shape, NULL);
  rt_binary(mb, PNN_OP_ADD, ta, tb, s);
  rt_binary(mb, PNN_OP_MUL, x, s, y);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
  pnn_model *m = rt_load(mb);
  CHECK(m);
  pnn_interpreter *in = rt_interp(m, 1);
  CHECK_EQ_INT(pnn_interpreter_allocate(in), PNN_OK);
  struct pnn_ctx *c = &in->ctx[0];
  CHECK(c->rt_nodes[0].folded);
  CHECK(!c->rt_nodes[1].folded);
  CHECK(c->tensors[s].t.is_constant);
  CHECK(pnn_interpreter_persistent_bytes(in) >= 16);
  /* Only x and y are in the arena. */
  CHECK_EQ_INT(pnn_interpreter_arena_bytes(in), 128);
  float xv[] = {1, -1, 0.5f, 2}, yv[4];
  CHECK_EQ_INT(pnn_tensor_copy_from(pnn_interpreter_input(in, 0), xv, 16),
               PNN_OK);
  CHECK_EQ_INT(pnn_interpreter_invoke(in), PNN_OK);
  CHECK_EQ_INT(pnn_tensor_copy_to(pnn_interpreter_output(in, 0), yv, 16),
               PNN_OK);
  for (int i = 0; i < 4; i++) CHECK_NEAR(yv[i], xv[i] * (a[i] + b[i]), 0);
  pnn_interpreter_free(in);
  pnn_model_free(m);
}

/* y = reshape(x, shape(x) * 1): SHAPE of a non-constant input folds, so
 * the RESHAPE target is constant at prepare; and the chain follows the
 * input through a resize. */
TEST(shape_folding_and_resize) {
  pnn_mb *mb = pnn_mb_new();
  int32_t shape[] = {2, 3}, two[] = {2};
  int32_t ones[] = {1, 1};
  int x = rt_f32(mb, "x", 2, shape, NULL);
  int sh = pnn_mb_tensor(mb, "shape", PNN_TYPE_INT32, 1, two, NULL);
  int k = pnn_mb_tensor(mb, "ones", PNN_TYPE_INT32, 1, two, ones);
  int sh2 = pnn_mb_tensor(mb, "shape2", PNN_TYPE_INT32, 1, two, NULL);
  int y = rt_f32(mb, "y", 2, shape, NULL);
  pnn_shape_options so;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(shape), &so);
  so.out_type = PNN_TYPE_INT32;
  pnn_mb_op(mb, PNN_OP_SHAPE, PNN_OPTIONS_OF(shape), &so, 1, &x, 1, &sh);
  rt_binary(mb, PNN_OP_MUL, sh, k, sh2);
  pnn_mb_op(mb, PNN_OP_RESHAPE, 0, NULL, 2, (int32_t[]){x, sh2}, 1, &y);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
  pnn_model *m = rt_load(mb);
  CHECK(m);
  pnn_interpreter *in = rt_interp(m, 1);
  CHECK_MSG(pnn_interpreter_allocate(in) == PNN_OK, "%s",
            pnn_interpreter_last_error(in));
  CHECK(in->ctx[0].rt_nodes[0].folded);
  CHECK(in->ctx[0].rt_nodes[1].folded);
  CHECK_EQ_INT(pnn_interpreter_resize_input(in, 0, (int32_t[]){3, 5}, 2),
               PNN_OK);
  CHECK_EQ_INT(pnn_interpreter_invoke(in), PNN_ERROR_INVALID_STATE);
  CHECK_MSG(pnn_interpreter_allocate(in) == PNN_OK, "%s",
            pnn_interpreter_last_error(in));
  pnn_tensor *out = pnn_interpreter_output(in, 0);
  CHECK_EQ_INT(pnn_tensor_rank(out), 2);
  CHECK_EQ_INT(pnn_tensor_dim(out, 0), 3);
  CHECK_EQ_INT(pnn_tensor_dim(out, 1), 5);
  float v[15], w[15];
  for (int i = 0; i < 15; i++) v[i] = (float)i;
  CHECK_EQ_INT(pnn_tensor_copy_from(pnn_interpreter_input(in, 0), v, sizeof(v)),
               PNN_OK);
  CHECK_EQ_INT(pnn_interpreter_invoke(in), PNN_OK);
  CHECK_EQ_INT(pnn_tensor_copy_to(out, w, sizeof(w)), PNN_OK);
  CHECK(memcmp(v, w, sizeof(v)) == 0);
  pnn_interpreter_free(in);
  pnn_model_free(m);
}

/* --------------------------------------------------------- custom ops */

typedef struct scale_user {
  int inits, frees, prepares, invokes;
} scale_user;

/* "Scale": y = x * factor, factor read from the first custom-options
 * byte, state made by init. */
static void *scale_init(void *user, const void *opts, size_t size) {
  scale_user *u = user;
  u->inits++;
  float *f = malloc(sizeof(float));
  *f = size ? (float)((const uint8_t *)opts)[0] : 1.0f;
  return f;
}
static void scale_free(void *user, void *state) {
  ((scale_user *)user)->frees++;
  free(state);
}
static pnn_status scale_prepare(void *user, pnn_node *node) {
  ((scale_user *)user)->prepares++;
  pnn_tensor *x = pnn_node_input(node, 0);
  if (!x || pnn_tensor_type(x) != PNN_TYPE_FLOAT32)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED, "needs float input");
  int32_t dims[PNN_MAX_RANK];
  for (int i = 0; i < pnn_tensor_rank(x); i++) dims[i] = pnn_tensor_dim(x, i);
  return pnn_node_resize_output(node, 0, PNN_TYPE_FLOAT32, dims,
                                pnn_tensor_rank(x));
}
static pnn_status scale_invoke(void *user, pnn_node *node) {
  ((scale_user *)user)->invokes++;
  float f = *(float *)pnn_node_state(node);
  pnn_tensor *x = pnn_node_input(node, 0), *y = pnn_node_output(node, 0);
  const float *xd = pnn_tensor_data(x);
  float *yd = pnn_tensor_data(y);
  for (size_t i = 0; i < pnn_tensor_byte_size(y) / 4; i++) yd[i] = xd[i] * f;
  return PNN_OK;
}

static pnn_model *scale_model(int version) {
  pnn_mb *mb = pnn_mb_new();
  int32_t shape[] = {3};
  int x = rt_f32(mb, "x", 1, shape, NULL);
  int y = rt_f32(mb, "y", 1, shape, NULL);
  uint8_t opt = 3;
  int op = pnn_mb_custom_op(mb, "Scale", &opt, 1, 1, &x, 1, &y);
  if (version != 1) pnn_mb_op_version(mb, op, version);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
  return rt_load(mb);
}

TEST(custom_op_through_api) {
  pnn_model *m = scale_model(2);
  CHECK(m);
  scale_user u = {0};
  pnn_custom_op op = {.name = "Scale",
                      .version = 2,
                      .init = scale_init,
                      .free = scale_free,
                      .prepare = scale_prepare,
                      .invoke = scale_invoke,
                      .user = &u};
  pnn_interpreter *in = rt_interp(m, 1);
  /* Unregistered: a prepare error naming op, version and input types. */
  CHECK_EQ_INT(pnn_interpreter_allocate(in), PNN_ERROR_UNSUPPORTED);
  const char *e = pnn_interpreter_last_error(in);
  CHECK_MSG(strstr(e,
                   "op 0: unsupported operator Scale (version 2) with "
                   "input types [float32]"),
            "%s", e);
  CHECK_EQ_INT(pnn_interpreter_add_custom_op(in, &op), PNN_OK);
  CHECK_MSG(pnn_interpreter_allocate(in) == PNN_OK, "%s",
            pnn_interpreter_last_error(in));
  float x[] = {1, 2, -4}, y[3];
  CHECK_EQ_INT(pnn_tensor_copy_from(pnn_interpreter_input(in, 0), x, 12),
               PNN_OK);
  CHECK_EQ_INT(pnn_interpreter_invoke(in), PNN_OK);
  CHECK_EQ_INT(pnn_tensor_copy_to(pnn_interpreter_output(in, 0), y, 12),
               PNN_OK);
  for (int i = 0; i < 3; i++) CHECK_NEAR(y[i], 3 * x[i], 0);
  CHECK_EQ_INT(u.invokes, 1);
  CHECK(strcmp(pnn_interpreter_op_profile(in, 0, NULL), "Scale") == 0);
  /* Re-allocating frees the old state first. */
  CHECK_EQ_INT(pnn_interpreter_allocate(in), PNN_OK);
  CHECK_EQ_INT(u.inits, 2);
  CHECK_EQ_INT(u.frees, 1);
  pnn_interpreter_free(in);
  CHECK_EQ_INT(u.frees, 2);
  pnn_model_free(m);
}

/* A custom prepare that forgets its output shape: refused at prepare with
 * the data-dependent-shape message, not at invoke. */
static pnn_status lazy_prepare(void *user, pnn_node *node) {
  (void)user;
  (void)node;
  return PNN_OK;
}

/* A failing custom prepare: its message is kept, prefixed by the op. */
static pnn_status failing_prepare(void *user, pnn_node *node) {
  (void)user;
  return pnn_node_error(node, PNN_ERROR_INVALID_MODEL, "bad thing %d", 42);
}

/* Registered custom ops refused at prepare, with the error each names;
 * none runs its init. */
TEST(custom_op_refused_at_prepare) {
  static const struct {
    const char *what;
    int model_version, op_version;
    pnn_status (*prepare)(void *, pnn_node *);
    pnn_status status;
    const char *error;
    bool exact; /* the whole error, else a part of it */
  } cases[] = {
      {"version too new", 3, 2, scale_prepare, PNN_ERROR_UNSUPPORTED,
       "version 3", false},
      {"output shape unknown at prepare", 1, 0, lazy_prepare,
       PNN_ERROR_UNSUPPORTED, "op 0 (Scale): output 0 (y): shape not known",
       false},
      {"node error prefix", 1, 0, failing_prepare, PNN_ERROR_INVALID_MODEL,
       "op 0 (Scale): bad thing 42", true},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    pnn_model *m = scale_model(cases[k].model_version);
    CHECK(m);
    scale_user u = {0};
    pnn_custom_op op = {.name = "Scale",
                        .version = cases[k].op_version,
                        .prepare = cases[k].prepare,
                        .invoke = scale_invoke,
                        .user = &u};
    if (cases[k].prepare == scale_prepare) {
      op.init = scale_init;
      op.free = scale_free;
    }
    pnn_interpreter *in = rt_interp(m, 1);
    CHECK_EQ_INT(pnn_interpreter_add_custom_op(in, &op), PNN_OK);
    CHECK_EQ_INT(pnn_interpreter_allocate(in), cases[k].status);
    const char *e = pnn_interpreter_last_error(in);
    CHECK_MSG(cases[k].exact ? strcmp(e, cases[k].error) == 0
                             : strstr(e, cases[k].error) != NULL,
              "%s: error \"%s\", want \"%s\"", cases[k].what, e,
              cases[k].error);
    pnn_interpreter_free(in);
    CHECK_EQ_INT(u.inits, 0);
    pnn_model_free(m);
  }
}

/* --------------------------------------------------------- threads */

enum { PAR_N = 10007 };
static atomic_int hits[PAR_N];

static void mark(void *arg, int64_t begin, int64_t end) {
  (void)arg;
  for (int64_t i = begin; i < end; i++) atomic_fetch_add(&hits[i], 1);
}

static pnn_status par_invoke(void *user, pnn_node *node) {
  (void)user;
  pnn_node_parallel_for(node, PAR_N, mark, NULL);
  return scale_invoke(&(scale_user){0}, node);
}

static void *par_init(void *user, const void *o, size_t n) {
  (void)user;
  (void)o;
  (void)n;
  float *f = malloc(sizeof(float));
  *f = 1;
  return f;
}
static void par_free(void *user, void *s) {
  (void)user;
  free(s);
}

TEST(parallel_for_covers_range_once) {
  pnn_model *m = scale_model(1);
  CHECK(m);
  for (int threads = 1; threads <= 4; threads++) {
    scale_user u = {0};
    pnn_custom_op op = {.name = "Scale",
                        .init = par_init,
                        .free = par_free,
                        .prepare = scale_prepare,
                        .invoke = par_invoke,
                        .user = &u};
    pnn_interpreter *in = rt_interp(m, threads);
    CHECK(in);
    CHECK_EQ_INT(pnn_interpreter_add_custom_op(in, &op), PNN_OK);
    CHECK_EQ_INT(pnn_interpreter_allocate(in), PNN_OK);
    for (int i = 0; i < PAR_N; i++) atomic_store(&hits[i], 0);
    for (int rep = 0; rep < 50; rep++)
      CHECK_EQ_INT(pnn_interpreter_invoke(in), PNN_OK);
    for (int i = 0; i < PAR_N; i++) CHECK_EQ_INT(atomic_load(&hits[i]), 50);
    pnn_interpreter_free(in);
  }
  pnn_model_free(m);
}

TEST(profiling) {
  pnn_model *m = chain_model();
  CHECK(m);
  pnn_interpreter *in = rt_interp(m, 1);
  CHECK_EQ_INT(pnn_interpreter_op_count(in), CHAIN);
  CHECK(strcmp(pnn_interpreter_op_profile(in, 0, NULL), "MUL") == 0);
  CHECK_EQ_INT(pnn_interpreter_allocate(in), PNN_OK);
  pnn_interpreter_set_profiling(in, 1);
  CHECK_EQ_INT(pnn_interpreter_invoke(in), PNN_OK);
  uint64_t total = 0, ns;
  for (int i = 0; i < CHAIN; i++) {
    const char *name = pnn_interpreter_op_profile(in, i, &ns);
    CHECK(name && strcmp(name, i % 2 ? "ADD" : "MUL") == 0);
    total += ns;
  }
  CHECK(total > 0);
  pnn_interpreter_free(in);
  pnn_model_free(m);
}

/* A variable tensor keeps its value across invokes: acc += x. */
TEST(variables_persist) {
  pnn_mb *mb = pnn_mb_new();
  int32_t shape[] = {2};
  int x = rt_f32(mb, "x", 1, shape, NULL);
  int acc = rt_f32(mb, "acc", 1, shape, NULL);
  pnn_mb_tensor_variable(mb, acc);
  int y = rt_f32(mb, "y", 1, shape, NULL);
  rt_binary(mb, PNN_OP_ADD, x, acc, y);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
  pnn_model *m = rt_load(mb);
  CHECK(m);
  pnn_interpreter *in = rt_interp(m, 1);
  CHECK_MSG(pnn_interpreter_allocate(in) == PNN_OK, "%s",
            pnn_interpreter_last_error(in));
  CHECK_EQ_INT(in->ctx[0].tensors[acc].t.kind, PNN_TENSOR_PERSISTENT);
  float *a = in->ctx[0].tensors[acc].t.data;
  CHECK(a && a[0] == 0 && a[1] == 0);
  a[0] = 5;
  float xv[] = {1, 2}, yv[2];
  CHECK_EQ_INT(pnn_tensor_copy_from(pnn_interpreter_input(in, 0), xv, 8),
               PNN_OK);
  CHECK_EQ_INT(pnn_interpreter_invoke(in), PNN_OK);
  CHECK_EQ_INT(pnn_tensor_copy_to(pnn_interpreter_output(in, 0), yv, 8),
               PNN_OK);
  CHECK_NEAR(yv[0], 6, 0);
  CHECK_NEAR(yv[1], 2, 0);
  pnn_interpreter_free(in);
  pnn_model_free(m);
}

/* A tensor of rank 9 is refused at prepare, naming it. */
TEST(rank_above_max_refused) {
  pnn_mb *mb = pnn_mb_new();
  /* The builder stops at rank 8 too: widen the def by hand. */
  static const int32_t d9[9] = {1, 1, 1, 1, 1, 1, 1, 1, 2};
  int x = rt_f32(mb, "big", 8, d9, NULL);
  int y = rt_f32(mb, "y", 8, d9, NULL);
  for (int t = x; t <= y; t++) {
    pnn_tensor_def *d = pnn_mb_tensor_def(mb, t);
    CHECK(d);
    d->rank = 9;
    d->shape = d9;
  }
  rt_binary(mb, PNN_OP_ADD, x, x, y);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
  pnn_model *m = rt_load(mb);
  CHECK(m);
  pnn_interpreter *in = rt_interp(m, 1);
  CHECK_EQ_INT(pnn_tensor_rank(pnn_interpreter_input(in, 0)), 9);
  CHECK_EQ_INT(pnn_tensor_dim(pnn_interpreter_input(in, 0), 8), -1);
  CHECK_EQ_INT(pnn_interpreter_allocate(in), PNN_ERROR_UNSUPPORTED);
  const char *e = pnn_interpreter_last_error(in);
  CHECK_MSG(strstr(e, "tensor 0 (big): rank 9 exceeds the maximum of 8"), "%s",
            e);
  pnn_interpreter_free(in);
  pnn_model_free(m);
}

/* Many interpreters share one model; each has its own state. */
TEST(interpreters_share_a_model) {
  pnn_model *m = chain_model();
  CHECK(m);
  pnn_interpreter *a = rt_interp(m, 1), *b = rt_interp(m, 2);
  CHECK_EQ_INT(pnn_interpreter_allocate(a), PNN_OK);
  CHECK_EQ_INT(pnn_interpreter_allocate(b), PNN_OK);
  float xa[WIDTH], xb[WIDTH], y[WIDTH];
  for (int i = 0; i < WIDTH; i++) {
    xa[i] = (float)i;
    xb[i] = -(float)i;
  }
  CHECK_EQ_INT(
      pnn_tensor_copy_from(pnn_interpreter_input(a, 0), xa, sizeof(xa)),
      PNN_OK);
  CHECK_EQ_INT(
      pnn_tensor_copy_from(pnn_interpreter_input(b, 0), xb, sizeof(xb)),
      PNN_OK);
  CHECK_EQ_INT(pnn_interpreter_invoke(a), PNN_OK);
  CHECK_EQ_INT(pnn_interpreter_invoke(b), PNN_OK);
  CHECK_EQ_INT(pnn_tensor_copy_to(pnn_interpreter_output(a, 0), y, sizeof(y)),
               PNN_OK);
  CHECK_NEAR(y[7], chain_ref(7), 1e-4);
  CHECK_EQ_INT(pnn_tensor_copy_to(pnn_interpreter_output(b, 0), y, sizeof(y)),
               PNN_OK);
  CHECK_NEAR(y[7], chain_ref(-7), 1e-4);
  pnn_interpreter_free(a);
  pnn_interpreter_free(b);
  pnn_model_free(m);
}

/* The Keras Flatten pattern: reshape(x, pack(strided_slice(shape(x), 0),
 * -1)). SHAPE folds, so the whole chain is constant at prepare and the
 * reshape is static, also after a batch resize. */
TEST(flatten_chain_is_static) {
  pnn_mb *mb = pnn_mb_new();
  int32_t xs[] = {2, 3, 4}, four[] = {3}, one[] = {1}, two[] = {2};
  int32_t ys[] = {2, 12};
  int32_t zero = 0, onev = 1, minus1 = -1;
  int x = rt_f32(mb, "x", 3, xs, NULL);
  int sh = pnn_mb_tensor(mb, "shape", PNN_TYPE_INT32, 1, four, NULL);
  int b0 = pnn_mb_tensor(mb, "begin", PNN_TYPE_INT32, 1, one, &zero);
  int e0 = pnn_mb_tensor(mb, "end", PNN_TYPE_INT32, 1, one, &onev);
  int s0 = pnn_mb_tensor(mb, "strides", PNN_TYPE_INT32, 1, one, &onev);
  int batch = pnn_mb_tensor(mb, "batch", PNN_TYPE_INT32, 0, NULL, NULL);
  int m1 = pnn_mb_tensor(mb, "minus1", PNN_TYPE_INT32, 0, NULL, &minus1);
  int packed = pnn_mb_tensor(mb, "packed", PNN_TYPE_INT32, 1, two, NULL);
  int y = rt_f32(mb, "y", 2, ys, NULL);
  pnn_shape_options so = {.out_type = PNN_TYPE_INT32};
  pnn_mb_op(mb, PNN_OP_SHAPE, PNN_OPTIONS_OF(shape), &so, 1, &x, 1, &sh);
  pnn_strided_slice_options ss;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(strided_slice), &ss);
  ss.shrink_axis_mask = 1;
  pnn_mb_op(mb, PNN_OP_STRIDED_SLICE, PNN_OPTIONS_OF(strided_slice), &ss, 4,
            (int32_t[]){sh, b0, e0, s0}, 1, &batch);
  pnn_pack_options po = {.values_count = 2, .axis = 0};
  pnn_mb_op(mb, PNN_OP_PACK, PNN_OPTIONS_OF(pack), &po, 2,
            (int32_t[]){batch, m1}, 1, &packed);
  pnn_mb_op(mb, PNN_OP_RESHAPE, 0, NULL, 2, (int32_t[]){x, packed}, 1, &y);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
  pnn_model *m = rt_load(mb);
  CHECK(m);
  pnn_interpreter *in = rt_interp(m, 1);
  CHECK_EQ_INT(pnn_interpreter_resize_input(in, 0, (int32_t[]){5, 3, 4}, 3),
               PNN_OK);
  CHECK_MSG(pnn_interpreter_allocate(in) == PNN_OK, "%s",
            pnn_interpreter_last_error(in));
  for (int i = 0; i < 3; i++) CHECK(in->ctx[0].rt_nodes[i].folded);
  CHECK(!in->ctx[0].rt_nodes[3].folded);
  pnn_tensor *out = pnn_interpreter_output(in, 0);
  CHECK_EQ_INT(pnn_tensor_dim(out, 0), 5);
  CHECK_EQ_INT(pnn_tensor_dim(out, 1), 12);
  /* Only x and y are activations; they are the same size and both live
   * to the end. */
  CHECK_EQ_INT(pnn_interpreter_arena_bytes(in), 2 * 256);
  CHECK_EQ_INT(pnn_interpreter_invoke(in), PNN_OK);
  pnn_interpreter_free(in);
  pnn_model_free(m);
}
