/* Every loop a model drives ends, in time bounded by its sizes (issue 5).
 * The WHILE iteration cap (pnn_interpreter_options.max_loop_iterations): a
 * loop that never ends fails the invoke with PNN_ERROR_LIMIT naming the
 * WHILE op and the cap; a loop needing exactly the cap runs; the count is
 * per invoke and sums nested loops. Then loops the fuzzer found unbounded
 * or quadratic: DENSIFY of an empty sparse tensor, TOPK_V2 of a long row.
 * Models made with the model builder. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "test_runtime_common.h"
#include "while_models.h"

static const int32_t S1[] = {1};

/* Subgraph computing `out = a < b` over inputs (a, b): a WHILE condition. */
static void less_cond(pnn_mb *mb) {
  int a = rt_f32(mb, "a", 1, S1, NULL);
  int b = rt_f32(mb, "b", 1, S1, NULL);
  int lt = pnn_mb_tensor(mb, "lt", PNN_TYPE_BOOL, 1, S1, NULL);
  rt_binary(mb, PNN_OP_LESS, a, b, lt);
  pnn_mb_inputs(mb, 2, (int32_t[]){a, b});
  pnn_mb_outputs(mb, 1, &lt);
}

/* Subgraph over (a, b) giving (a + step, b + 0): a WHILE body. */
static void step_body(pnn_mb *mb, float step) {
  float zero = 0;
  int a = rt_f32(mb, "a", 1, S1, NULL);
  int b = rt_f32(mb, "b", 1, S1, NULL);
  int k = rt_f32(mb, "step", 1, S1, &step);
  int z = rt_f32(mb, "zero", 1, S1, &zero);
  int a1 = rt_f32(mb, "a1", 1, S1, NULL);
  int b1 = rt_f32(mb, "b1", 1, S1, NULL);
  rt_binary(mb, PNN_OP_ADD, a, k, a1);
  rt_binary(mb, PNN_OP_ADD, b, z, b1);
  pnn_mb_inputs(mb, 2, (int32_t[]){a, b});
  pnn_mb_outputs(mb, 2, (int32_t[]){a1, b1});
}

/* (i, limit) -> WHILE (i < limit) i += step. step 0: never ends when
 * i < limit. */
static pnn_model *count_model(float step) {
  pnn_mb *mb = pnn_mb_new();
  wm_while_graph(mb, "i", 1, S1, "limit", 1, S1, 1, 2);
  pnn_mb_subgraph(mb, "cond");
  less_cond(mb);
  pnn_mb_subgraph(mb, "body");
  step_body(mb, step);
  return rt_load(mb);
}

static pnn_interpreter *capped(const pnn_model *m, uint64_t cap) {
  pnn_interpreter_options o;
  pnn_interpreter_options_init(&o);
  o.max_loop_iterations = cap;
  pnn_interpreter *in = NULL;
  if (pnn_interpreter_create(m, &o, &in)) return NULL;
  return in;
}

/* Sets the inputs (i, limit), invokes, returns the status; *i_out gets
 * output 0 on success. */
static pnn_status count(pnn_interpreter *in, float i, float limit,
                        float *i_out) {
  if (pnn_tensor_copy_from(pnn_interpreter_input(in, 0), &i, 4) ||
      pnn_tensor_copy_from(pnn_interpreter_input(in, 1), &limit, 4))
    return PNN_ERROR_INVALID_ARGUMENT;
  pnn_status s = pnn_interpreter_invoke(in);
  if (s == PNN_OK && i_out)
    pnn_tensor_copy_to(pnn_interpreter_output(in, 0), i_out, 4);
  return s;
}

TEST(default_cap_is_documented_and_applied) {
  pnn_interpreter_options o;
  pnn_interpreter_options_init(&o);
  CHECK_EQ_INT(o.max_loop_iterations, 0); /* 0 = the default */
  CHECK(PNN_DEFAULT_MAX_LOOP_ITERATIONS >= 1000000u);
  pnn_model *m = count_model(1);
  CHECK(m);
  pnn_interpreter *in = capped(m, 0);
  CHECK(in);
  CHECK_EQ_INT(pnn_interpreter_allocate(in), PNN_OK);
  float r = -1;
  /* 5000 iterations: well under the default. */
  CHECK_EQ_INT(count(in, 0, 5000, &r), PNN_OK);
  CHECK_NEAR(r, 5000, 0);
  pnn_interpreter_free(in);
  pnn_model_free(m);
}

TEST(infinite_while_fails_with_limit_at_default_cap) {
  pnn_model *m = count_model(0); /* the body never moves i */
  CHECK(m);
  pnn_interpreter *in = capped(m, 0);
  CHECK(in);
  CHECK_EQ_INT(pnn_interpreter_allocate(in), PNN_OK);
  CHECK_EQ_INT(count(in, 0, 1, NULL), PNN_ERROR_LIMIT);
  const char *e = pnn_interpreter_last_error(in);
  char want[64];
  snprintf(want, sizeof want, "after %u iterations",
           (unsigned)PNN_DEFAULT_MAX_LOOP_ITERATIONS);
  CHECK_MSG(strstr(e, "op 0 (WHILE)") && strstr(e, want) &&
                strstr(e, "max_loop_iterations"),
            "%s", e);
  /* A start that makes the condition false at once still runs. */
  float r = -1;
  CHECK_EQ_INT(count(in, 3, 1, &r), PNN_OK);
  CHECK_NEAR(r, 3, 0);
  pnn_interpreter_free(in);
  pnn_model_free(m);
}

TEST(cap_just_enough_runs_one_more_fails) {
  pnn_model *m = count_model(1);
  CHECK(m);
  pnn_interpreter *in = capped(m, 7);
  CHECK(in);
  CHECK_EQ_INT(pnn_interpreter_allocate(in), PNN_OK);
  float r = -1;
  CHECK_EQ_INT(count(in, 0, 7, &r), PNN_OK); /* exactly 7 body runs */
  CHECK_NEAR(r, 7, 0);
  CHECK_EQ_INT(count(in, 0, 8, NULL), PNN_ERROR_LIMIT);
  const char *e = pnn_interpreter_last_error(in);
  CHECK_MSG(strstr(e, "op 0 (WHILE)") && strstr(e, "after 7 iterations"), "%s",
            e);
  /* The count starts again at each invoke. */
  for (int rep = 0; rep < 3; rep++) {
    CHECK_EQ_INT(count(in, 2, 9, &r), PNN_OK);
    CHECK_NEAR(r, 9, 0);
  }
  pnn_interpreter_free(in);
  pnn_model_free(m);
}

/* Outer: (i, s) while i < 10 { i += 1; s = inner(s, 10 * i) } with
 * inner: (s, lim) while s < lim { s += 1 }. 10 outer + 100 inner body
 * runs; outputs i = 10, s = 100. */
static pnn_model *nested_model(void) {
  pnn_mb *mb = pnn_mb_new();
  wm_while_graph(mb, "i", 1, S1, "s", 1, S1, 1, 2);

  pnn_mb_subgraph(mb, "outer_cond"); /* 1: i < 10 */
  float ten = 10, one = 1;
  wm_less_than_cond(mb, ten, 1, S1);

  pnn_mb_subgraph(mb, "outer_body"); /* 2 */
  int bi = rt_f32(mb, "i", 1, S1, NULL);
  int bs = rt_f32(mb, "s", 1, S1, NULL);
  int k1 = rt_f32(mb, "one", 1, S1, &one);
  int t10 = rt_f32(mb, "ten", 1, S1, &ten);
  int i1 = rt_f32(mb, "i1", 1, S1, NULL);
  int lim = rt_f32(mb, "lim", 1, S1, NULL);
  int s1 = rt_f32(mb, "s1", 1, S1, NULL);
  int lim1 = rt_f32(mb, "lim1", 1, S1, NULL);
  rt_binary(mb, PNN_OP_ADD, bi, k1, i1);
  rt_binary(mb, PNN_OP_MUL, i1, t10, lim);
  pnn_while__options w = {.cond_subgraph_index = 3, .body_subgraph_index = 4};
  pnn_mb_op(mb, PNN_OP_WHILE, PNN_OPTIONS_OF(while_), &w, 2,
            (int32_t[]){bs, lim}, 2, (int32_t[]){s1, lim1});
  pnn_mb_inputs(mb, 2, (int32_t[]){bi, bs});
  pnn_mb_outputs(mb, 2, (int32_t[]){i1, s1});

  pnn_mb_subgraph(mb, "inner_cond"); /* 3: s < lim */
  less_cond(mb);
  pnn_mb_subgraph(mb, "inner_body"); /* 4: s += 1 */
  step_body(mb, 1);
  return rt_load(mb);
}

TEST(nested_loops_share_one_budget) {
  pnn_model *m = nested_model();
  CHECK(m);
  float i = 0, s = 0, r[2];
  for (int cap = 109; cap <= 110; cap++) {
    pnn_interpreter *in = capped(m, (uint64_t)cap);
    CHECK(in);
    CHECK_MSG(pnn_interpreter_allocate(in) == PNN_OK, "%s",
              pnn_interpreter_last_error(in));
    CHECK_EQ_INT(pnn_tensor_copy_from(pnn_interpreter_input(in, 0), &i, 4),
                 PNN_OK);
    CHECK_EQ_INT(pnn_tensor_copy_from(pnn_interpreter_input(in, 1), &s, 4),
                 PNN_OK);
    pnn_status st = pnn_interpreter_invoke(in);
    const char *e = pnn_interpreter_last_error(in);
    if (cap == 110) {
      CHECK_MSG(st == PNN_OK, "%s", e);
      CHECK_EQ_INT(pnn_tensor_copy_to(pnn_interpreter_output(in, 0), &r[0], 4),
                   PNN_OK);
      CHECK_EQ_INT(pnn_tensor_copy_to(pnn_interpreter_output(in, 1), &r[1], 4),
                   PNN_OK);
      CHECK_NEAR(r[0], 10, 0);
      CHECK_NEAR(r[1], 100, 0);
    } else {
      /* The last body run wanted is an inner one: the inner WHILE (op 2
       * of subgraph 2) is the one named. */
      CHECK_EQ_INT(st, PNN_ERROR_LIMIT);
      CHECK_MSG(strstr(e, "subgraph 2 op 2 (WHILE)") &&
                    strstr(e, "after 109 iterations"),
                "%s", e);
    }
    pnn_interpreter_free(in);
  }
  pnn_model_free(m);
}

/* Other loops a model drives must be bounded by its sizes too. A sparse
 * constant with a 0 dim has no values, but the DENSIFY walk used to loop
 * over its other dims (65535^3 steps here) before finding that out. */
TEST(densify_of_empty_sparse_tensor_ends) {
  pnn_mb *mb = pnn_mb_new();
  static const float v[1] = {1};
  int buf = pnn_mb_buffer(mb, v, sizeof v);
  int32_t s[4] = {65535, 65535, 65535, 0};
  int w = pnn_mb_tensor_in_buffer(mb, "w", PNN_TYPE_FLOAT32, 4, s, buf);
  int y = rt_f32(mb, "y", 4, s, NULL);
  static const int32_t order[4] = {0, 1, 2, 3};
  pnn_dim_metadata_def dm[4];
  memset(dm, 0, sizeof dm);
  for (int i = 0; i < 4; i++) {
    dm[i].format = PNN_DIM_DENSE;
    dm[i].dense_size = s[i];
  }
  pnn_sparsity_def sp = {{order, 4}, {NULL, 0}, 4, dm};
  pnn_mb_tensor_sparsity(mb, w, &sp);
  pnn_mb_op(mb, PNN_OP_DENSIFY, 0, NULL, 1, &w, 1, &y);
  pnn_mb_inputs(mb, 0, NULL);
  pnn_mb_outputs(mb, 1, &y);
  pnn_model *m = rt_load(mb);
  CHECK(m);
  pnn_interpreter *in = capped(m, 0);
  CHECK(in);
  CHECK_MSG(pnn_interpreter_allocate(in) == PNN_OK, "%s",
            pnn_interpreter_last_error(in));
  CHECK_EQ_INT(pnn_interpreter_invoke(in), PNN_OK);
  CHECK_EQ_INT(pnn_tensor_byte_size(pnn_interpreter_output(in, 0)), 0);
  pnn_interpreter_free(in);
  pnn_model_free(m);
}

/* TOPK_V2 selects with a heap (O(n log k)): a [1, 200000] row with k =
 * 200000 used to take n*k/4 steps. Checked against a plain selection (the
 * largest remaining value, lowest index among equals) on rows with many
 * ties, for several k, and on the big row for its order. */
static pnn_model *topk_model(int32_t n, int32_t k) {
  pnn_mb *mb = pnn_mb_new();
  int32_t s[2] = {2, n}, o[2] = {2, k}, one[1] = {1};
  int x = rt_f32(mb, "x", 2, s, NULL);
  int kt = pnn_mb_tensor(mb, "k", PNN_TYPE_INT32, 1, one, &k);
  int v = rt_f32(mb, "v", 2, o, NULL);
  int i = pnn_mb_tensor(mb, "i", PNN_TYPE_INT32, 2, o, NULL);
  pnn_mb_op(mb, PNN_OP_TOPK_V2, 0, NULL, 2, (int32_t[]){x, kt}, 2,
            (int32_t[]){v, i});
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 2, (int32_t[]){v, i});
  return rt_load(mb);
}

static bool topk_matches_plain(int32_t n, int32_t k, int distinct) {
  pnn_model *m = topk_model(n, k);
  pnn_interpreter *in = m ? capped(m, 0) : NULL;
  bool ok = in && pnn_interpreter_allocate(in) == PNN_OK;
  float *x = malloc(sizeof(float) * 2 * (size_t)n);
  float *v = malloc(sizeof(float) * 2 * (size_t)(k ? k : 1));
  int32_t *ix = malloc(sizeof(int32_t) * 2 * (size_t)(k ? k : 1));
  bool *used = calloc((size_t)n, 1);
  uint32_t seed = 12345u + (uint32_t)n * 7u + (uint32_t)k;
  for (int32_t j = 0; ok && j < 2 * n; j++) {
    seed = seed * 1664525u + 1013904223u;
    x[j] = (float)((int)((seed >> 8) % (uint32_t)distinct) - distinct / 2);
  }
  ok = ok && x && v && ix && used &&
       pnn_tensor_copy_from(pnn_interpreter_input(in, 0), x,
                            sizeof(float) * 2 * (size_t)n) == PNN_OK &&
       pnn_interpreter_invoke(in) == PNN_OK &&
       pnn_tensor_copy_to(pnn_interpreter_output(in, 0), v,
                          sizeof(float) * 2 * (size_t)k) == PNN_OK &&
       pnn_tensor_copy_to(pnn_interpreter_output(in, 1), ix,
                          sizeof(int32_t) * 2 * (size_t)k) == PNN_OK;
  for (int r = 0; ok && r < 2; r++) {
    memset(used, 0, (size_t)n);
    for (int32_t j = 0; ok && j < k; j++) {
      int32_t best = -1;
      for (int32_t c = 0; c < n; c++)
        if (!used[c] && (best < 0 || x[r * n + c] > x[r * n + best])) best = c;
      used[best] = true;
      ok = ix[r * k + j] == best && v[r * k + j] == x[r * n + best];
      if (!ok)
        fprintf(stderr,
                "  n=%d k=%d row %d pos %d: got [%d] %g, want [%d] %g\n", n, k,
                r, j, ix[r * k + j], v[r * k + j], best, x[r * n + best]);
    }
  }
  free(x);
  free(v);
  free(ix);
  free(used);
  pnn_interpreter_free(in);
  pnn_model_free(m);
  return ok;
}

TEST(topk_heap_matches_plain_selection) {
  static const int32_t nk[][2] = {{1, 1},  {7, 0},   {7, 3},   {7, 7},
                                  {64, 5}, {64, 63}, {300, 1}, {300, 150}};
  for (size_t t = 0; t < sizeof nk / sizeof nk[0]; t++)
    for (int distinct = 2; distinct <= 1000; distinct *= 10)
      CHECK_MSG(topk_matches_plain(nk[t][0], nk[t][1], distinct),
                "n=%d k=%d distinct=%d", nk[t][0], nk[t][1], distinct);
}

TEST(topk_of_a_long_row_is_fast_and_sorted) {
  const int32_t n = 200000;
  pnn_model *m = topk_model(n, n);
  CHECK(m);
  pnn_interpreter *in = capped(m, 0);
  CHECK(in);
  CHECK_EQ_INT(pnn_interpreter_allocate(in), PNN_OK);
  float *x = pnn_tensor_data(pnn_interpreter_input(in, 0));
  for (int32_t j = 0; j < 2 * n; j++) x[j] = (float)(((int64_t)j * 7919) % 17);
  CHECK_EQ_INT(pnn_interpreter_invoke(in), PNN_OK);
  const float *v = pnn_tensor_data(pnn_interpreter_output(in, 0));
  const int32_t *ix = pnn_tensor_data(pnn_interpreter_output(in, 1));
  for (int32_t j = 1; j < n; j++)
    CHECK_MSG(v[j - 1] > v[j] || (v[j - 1] == v[j] && ix[j - 1] < ix[j]),
              "position %d", j);
  pnn_interpreter_free(in);
  pnn_model_free(m);
}
