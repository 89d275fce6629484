/* Control flow (IF, WHILE, CALL_ONCE), recursion refusal and signatures,
 * on models made with the model builder. */
#include <string.h>

#include "harness.h"
#include "runtime/runtime.h"
#include "test_runtime_common.h"
#include "while_models.h"

static const int32_t V3[] = {3}, S1[] = {1};

/* A subgraph computing out = in OP k (k a constant [1]); returns nothing,
 * leaves the builder on that subgraph. */
static void unary_subgraph(pnn_mb *mb, int32_t code, float k) {
  int a = rt_f32(mb, "a", 1, V3, NULL);
  int c = rt_f32(mb, "k", 1, S1, &k);
  int o = rt_f32(mb, "o", 1, V3, NULL);
  rt_binary(mb, code, a, c, o);
  pnn_mb_inputs(mb, 1, &a);
  pnn_mb_outputs(mb, 1, &o);
}

/* The graph y = IF(cond, x) with branches then_sg and else_sg: inputs
 * (cond bool scalar, x float [3]), output y float [3]. */
static void if_graph(pnn_mb *mb, int32_t then_sg, int32_t else_sg) {
  int cond = pnn_mb_tensor(mb, "cond", PNN_TYPE_BOOL, 0, NULL, NULL);
  int x = rt_f32(mb, "x", 1, V3, NULL);
  int y = rt_f32(mb, "y", 1, V3, NULL);
  pnn_if__options o = {.then_subgraph_index = then_sg,
                       .else_subgraph_index = else_sg};
  pnn_mb_op(mb, PNN_OP_IF, PNN_OPTIONS_OF(if_), &o, 2, (int32_t[]){cond, x}, 1,
            &y);
  pnn_mb_inputs(mb, 2, (int32_t[]){cond, x});
  pnn_mb_outputs(mb, 1, &y);
}

/* y = cond ? x + 1 : x * 2 */
static pnn_model *if_model(void) {
  pnn_mb *mb = pnn_mb_new();
  if_graph(mb, 1, 2);
  pnn_mb_subgraph(mb, "then");
  unary_subgraph(mb, PNN_OP_ADD, 1.0f);
  pnn_mb_subgraph(mb, "else");
  unary_subgraph(mb, PNN_OP_MUL, 2.0f);
  return rt_load(mb);
}

TEST(if_runs_the_chosen_branch) {
  pnn_model *m = if_model();
  CHECK(m);
  pnn_interpreter *in = rt_interp(m, 1);
  CHECK_MSG(pnn_interpreter_allocate(in) == PNN_OK, "%s",
            pnn_interpreter_last_error(in));
  float x[] = {1, 2, 3}, y[3];
  CHECK_EQ_INT(pnn_tensor_copy_from(pnn_interpreter_input(in, 1), x, 12),
               PNN_OK);
  for (int c = 0; c < 2; c++) {
    /* Any nonzero byte is true (2 is not a valid C bool). */
    uint8_t byte = c == 1 ? 2 : 0;
    bool cond = byte != 0;
    CHECK_EQ_INT(pnn_tensor_copy_from(pnn_interpreter_input(in, 0), &byte, 1),
                 PNN_OK);
    CHECK_EQ_INT(pnn_interpreter_invoke(in), PNN_OK);
    CHECK_EQ_INT(pnn_tensor_copy_to(pnn_interpreter_output(in, 0), y, 12),
                 PNN_OK);
    for (int i = 0; i < 3; i++) CHECK_NEAR(y[i], cond ? x[i] + 1 : x[i] * 2, 0);
  }
  /* Each called subgraph has its own planned arena. */
  CHECK(in->ctx[1].arena_bytes > 0 && in->ctx[2].arena_bytes > 0);
  CHECK_EQ_INT(
      pnn_interpreter_arena_bytes(in),
      in->ctx[0].arena_bytes + in->ctx[1].arena_bytes + in->ctx[2].arena_bytes);
  pnn_interpreter_free(in);
  pnn_model_free(m);
}

/* (i, x) = (0, x); while (i < 5) { i += 1; x *= 2 } */
static pnn_model *while_model(bool bad_body) {
  pnn_mb *mb = pnn_mb_new();
  wm_while_graph(mb, "i", 1, S1, "x", 1, V3, 1, 2);

  pnn_mb_subgraph(mb, "cond");
  wm_less_than_cond(mb, 5, 1, V3);

  pnn_mb_subgraph(mb, "body");
  float one = 1, two = 2;
  int bi = rt_f32(mb, "i", 1, S1, NULL);
  int bx = rt_f32(mb, "x", 1, V3, NULL);
  int k1 = rt_f32(mb, "one", 1, S1, &one);
  int k2 = rt_f32(mb, "two", 1, S1, &two);
  int bio = rt_f32(mb, "i1", 1, S1, NULL);
  int bxo = rt_f32(mb, "x2", 1, V3, NULL);
  rt_binary(mb, PNN_OP_ADD, bi, k1, bio);
  rt_binary(mb, PNN_OP_MUL, bx, k2, bxo);
  int out_x = bxo;
  if (bad_body) {
    int32_t shape2[] = {1, 3}, two_d[] = {2};
    int sh = pnn_mb_tensor(mb, "shape", PNN_TYPE_INT32, 1, two_d, shape2);
    out_x = rt_f32(mb, "x2r", 2, shape2, NULL);
    pnn_mb_op(mb, PNN_OP_RESHAPE, 0, NULL, 2, (int32_t[]){bxo, sh}, 1, &out_x);
  }
  pnn_mb_inputs(mb, 2, (int32_t[]){bi, bx});
  pnn_mb_outputs(mb, 2, (int32_t[]){bio, out_x});
  return rt_load(mb);
}

TEST(while_loops_until_cond_false) {
  pnn_model *m = while_model(false);
  CHECK(m);
  pnn_interpreter *in = rt_interp(m, 2);
  CHECK_MSG(pnn_interpreter_allocate(in) == PNN_OK, "%s",
            pnn_interpreter_last_error(in));
  float x[] = {1, -2, 0.5f}, y[3], i0 = 0, i1;
  for (int rep = 0; rep < 2; rep++) {
    CHECK_EQ_INT(pnn_tensor_copy_from(pnn_interpreter_input(in, 0), &i0, 4),
                 PNN_OK);
    CHECK_EQ_INT(pnn_tensor_copy_from(pnn_interpreter_input(in, 1), x, 12),
                 PNN_OK);
    CHECK_EQ_INT(pnn_interpreter_invoke(in), PNN_OK);
    CHECK_EQ_INT(pnn_tensor_copy_to(pnn_interpreter_output(in, 0), &i1, 4),
                 PNN_OK);
    CHECK_EQ_INT(pnn_tensor_copy_to(pnn_interpreter_output(in, 1), y, 12),
                 PNN_OK);
    CHECK_NEAR(i1, 5, 0);
    for (int k = 0; k < 3; k++) CHECK_NEAR(y[k], x[k] * 32, 0);
  }
  /* A start past the limit runs the body zero times. */
  float i7 = 7;
  CHECK_EQ_INT(pnn_tensor_copy_from(pnn_interpreter_input(in, 0), &i7, 4),
               PNN_OK);
  CHECK_EQ_INT(pnn_interpreter_invoke(in), PNN_OK);
  CHECK_EQ_INT(pnn_tensor_copy_to(pnn_interpreter_output(in, 1), y, 12),
               PNN_OK);
  for (int k = 0; k < 3; k++) CHECK_NEAR(y[k], x[k], 0);
  pnn_interpreter_free(in);
  pnn_model_free(m);
}

TEST(while_body_changing_shape_is_refused) {
  pnn_model *m = while_model(true);
  CHECK(m);
  pnn_interpreter *in = rt_interp(m, 1);
  CHECK_EQ_INT(pnn_interpreter_allocate(in), PNN_ERROR_UNSUPPORTED);
  const char *e = pnn_interpreter_last_error(in);
  CHECK_MSG(strstr(e, "op 0 (WHILE)") && strstr(e, "float32[3]") &&
                strstr(e, "float32[1,3]"),
            "%s", e);
  pnn_interpreter_free(in);
  pnn_model_free(m);
}

/* sub 0: IF(c, c, x) -> sub 1: IF(c, c, a) with then = 1: a cycle. */
TEST(recursion_is_refused) {
  pnn_mb *mb = pnn_mb_new();
  for (int g = 0; g < 2; g++) {
    if (g) pnn_mb_subgraph(mb, "inner");
    int c = pnn_mb_tensor(mb, "c", PNN_TYPE_BOOL, 0, NULL, NULL);
    int x = rt_f32(mb, "x", 1, V3, NULL);
    int y = rt_f32(mb, "y", 1, V3, NULL);
    pnn_if__options o = {.then_subgraph_index = 1, .else_subgraph_index = 1};
    pnn_mb_op(mb, PNN_OP_IF, PNN_OPTIONS_OF(if_), &o, 3, (int32_t[]){c, c, x},
              1, &y);
    pnn_mb_inputs(mb, 2, (int32_t[]){c, x});
    pnn_mb_outputs(mb, 1, &y);
  }
  pnn_model *m = rt_load(mb);
  CHECK(m);
  pnn_interpreter *in = rt_interp(m, 1);
  CHECK_EQ_INT(pnn_interpreter_allocate(in), PNN_ERROR_INVALID_MODEL);
  const char *e = pnn_interpreter_last_error(in);
  CHECK_MSG(strstr(e,
                   "subgraph 1 op 0 (IF): subgraph 1 is reachable from "
                   "itself"),
            "%s", e);
  CHECK_EQ_INT(pnn_interpreter_invoke(in), PNN_ERROR_INVALID_STATE);
  pnn_interpreter_free(in);
  pnn_model_free(m);
}

/* A then-branch index past the last subgraph: refused by the verifier at
 * load, or (if a loader lets it through) by allocate; never run. */
TEST(if_subgraph_index_out_of_range) {
  pnn_mb *mb = pnn_mb_new();
  if_graph(mb, 5, 0);
  uint8_t *bytes = NULL;
  size_t size = 0;
  CHECK_EQ_INT(pnn_mb_finish(mb, &bytes, &size), PNN_OK);
  pnn_mb_free(mb);
  pnn_model *m = NULL;
  char err[256];
  pnn_status s = pnn_model_load_buffer(
      bytes, size, &(pnn_load_options){.flags = PNN_LOAD_COPY}, &m, err,
      sizeof(err));
  free(bytes);
  if (s != PNN_OK) {
    CHECK(strstr(err, "5"));
    return;
  }
  pnn_interpreter *in = rt_interp(m, 1);
  CHECK_EQ_INT(pnn_interpreter_allocate(in), PNN_ERROR_INVALID_MODEL);
  CHECK(strstr(pnn_interpreter_last_error(in), "subgraph index 5"));
  pnn_interpreter_free(in);
  pnn_model_free(m);
}

/* CALL_ONCE runs its init subgraph at the first invoke only. */
static int init_runs;
static pnn_status count_invoke(void *user, pnn_node *node) {
  (void)user;
  (void)node;
  init_runs++;
  return PNN_OK;
}

TEST(call_once_runs_once) {
  pnn_mb *mb = pnn_mb_new();
  int x = rt_f32(mb, "x", 1, V3, NULL);
  int y = rt_f32(mb, "y", 1, V3, NULL);
  pnn_call_once_options o = {.init_subgraph_index = 1};
  pnn_mb_op(mb, PNN_OP_CALL_ONCE, PNN_OPTIONS_OF(call_once), &o, 0, NULL, 0,
            NULL);
  float one = 1;
  int k = rt_f32(mb, "one", 1, S1, &one);
  rt_binary(mb, PNN_OP_ADD, x, k, y);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
  pnn_mb_subgraph(mb, "init");
  pnn_mb_custom_op(mb, "Count", NULL, 0, 0, NULL, 0, NULL);
  pnn_model *m = rt_load(mb);
  CHECK(m);
  pnn_interpreter *in = rt_interp(m, 1);
  pnn_custom_op op = {.name = "Count", .invoke = count_invoke};
  CHECK_EQ_INT(pnn_interpreter_add_custom_op(in, &op), PNN_OK);
  CHECK_MSG(pnn_interpreter_allocate(in) == PNN_OK, "%s",
            pnn_interpreter_last_error(in));
  init_runs = 0;
  CHECK_EQ_INT(init_runs, 0); /* not at prepare */
  for (int i = 0; i < 3; i++) CHECK_EQ_INT(pnn_interpreter_invoke(in), PNN_OK);
  CHECK_EQ_INT(init_runs, 1);
  float xv[] = {1, 2, 3}, yv[3];
  CHECK_EQ_INT(pnn_tensor_copy_from(pnn_interpreter_input(in, 0), xv, 12),
               PNN_OK);
  CHECK_EQ_INT(pnn_interpreter_invoke(in), PNN_OK);
  CHECK_EQ_INT(pnn_tensor_copy_to(pnn_interpreter_output(in, 0), yv, 12),
               PNN_OK);
  CHECK_NEAR(yv[2], 4, 0);
  pnn_interpreter_free(in);
  pnn_model_free(m);
}

/* Two signatures on two subgraphs: "add" (x + 1) and "mul" (w * 2). */
TEST(signatures) {
  pnn_mb *mb = pnn_mb_new();
  unary_subgraph(mb, PNN_OP_ADD, 1.0f);
  pnn_mb_subgraph(mb, "mul");
  unary_subgraph(mb, PNN_OP_MUL, 2.0f);
  const char *in_names[] = {"in"}, *out_names[] = {"out"};
  /* In each subgraph tensor 0 is the input, tensor 2 the output. */
  pnn_mb_signature(mb, "add", 0, 1, in_names, (int32_t[]){0}, 1, out_names,
                   (int32_t[]){2});
  pnn_mb_signature(mb, "mul", 1, 1, in_names, (int32_t[]){0}, 1, out_names,
                   (int32_t[]){2});
  pnn_model *m = rt_load(mb);
  CHECK(m);
  pnn_interpreter *in = rt_interp(m, 1);
  CHECK_EQ_INT(pnn_interpreter_signature_count(in), 2);
  CHECK(strcmp(pnn_interpreter_signature_key(in, 1), "mul") == 0);
  pnn_tensor *a_in, *a_out, *m_in, *m_out, *t;
  CHECK_EQ_INT(pnn_interpreter_signature_input(in, "add", "in", &a_in), PNN_OK);
  CHECK_EQ_INT(pnn_interpreter_signature_output(in, "add", "out", &a_out),
               PNN_OK);
  CHECK_EQ_INT(pnn_interpreter_signature_input(in, "mul", "in", &m_in), PNN_OK);
  CHECK_EQ_INT(pnn_interpreter_signature_output(in, "mul", "out", &m_out),
               PNN_OK);
  CHECK_EQ_INT(pnn_interpreter_signature_input(in, "mul", "out", &t),
               PNN_ERROR_INVALID_ARGUMENT);
  CHECK(strstr(pnn_interpreter_last_error(in), "no input named 'out'"));
  CHECK(m_in != a_in);
  CHECK_EQ_INT(pnn_interpreter_signature_invoke(in, "mul"),
               PNN_ERROR_INVALID_STATE);
  CHECK_EQ_INT(pnn_interpreter_signature_allocate(in, "mul"), PNN_OK);
  CHECK_EQ_INT(pnn_interpreter_signature_allocate(in, "add"), PNN_OK);
  float x[] = {1, 2, 3}, y[3];
  CHECK_EQ_INT(pnn_tensor_copy_from(m_in, x, 12), PNN_OK);
  CHECK_EQ_INT(pnn_tensor_copy_from(a_in, x, 12), PNN_OK);
  /* Both stay usable, in any order. */
  for (int rep = 0; rep < 2; rep++) {
    CHECK_EQ_INT(pnn_interpreter_signature_invoke(in, "add"), PNN_OK);
    CHECK_EQ_INT(pnn_interpreter_signature_invoke(in, "mul"), PNN_OK);
    CHECK_EQ_INT(pnn_tensor_copy_to(m_out, y, 12), PNN_OK);
    for (int i = 0; i < 3; i++) CHECK_NEAR(y[i], x[i] * 2, 0);
    CHECK_EQ_INT(pnn_tensor_copy_to(a_out, y, 12), PNN_OK);
    for (int i = 0; i < 3; i++) CHECK_NEAR(y[i], x[i] + 1, 0);
  }
  /* The "add" signature is the main subgraph: the same tensors. */
  CHECK(pnn_interpreter_input(in, 0) == a_in);
  pnn_interpreter_free(in);
  pnn_model_free(m);
}

/* A subgraph used both as an IF branch and as a signature: re-planning it
 * through the signature makes the IF fail cleanly at invoke (not read a
 * stale plan) until the main graph is allocated again. Resizing the main
 * input re-plans the branch for the new shape. */
TEST(shared_subgraph_replanned_elsewhere) {
  pnn_mb *mb = pnn_mb_new();
  if_graph(mb, 1, 1);
  pnn_mb_subgraph(mb, "branch");
  unary_subgraph(mb, PNN_OP_ADD, 1.0f);
  const char *names[] = {"a"};
  pnn_mb_signature(mb, "branch", 1, 1, names, (int32_t[]){0}, 1, names,
                   (int32_t[]){2});
  pnn_model *m = rt_load(mb);
  CHECK(m);
  pnn_interpreter *in = rt_interp(m, 1);
  CHECK_EQ_INT(pnn_interpreter_resize_input(in, 1, (int32_t[]){5}, 1), PNN_OK);
  CHECK_MSG(pnn_interpreter_allocate(in) == PNN_OK, "%s",
            pnn_interpreter_last_error(in));
  CHECK_EQ_INT(pnn_tensor_dim(pnn_interpreter_output(in, 0), 0), 5);
  CHECK_EQ_INT(pnn_interpreter_invoke(in), PNN_OK);
  CHECK_EQ_INT(pnn_interpreter_signature_allocate(in, "branch"), PNN_OK);
  CHECK_EQ_INT(pnn_interpreter_invoke(in), PNN_ERROR_INVALID_STATE);
  CHECK(strstr(pnn_interpreter_last_error(in), "allocate again"));
  CHECK_EQ_INT(pnn_interpreter_allocate(in), PNN_OK);
  float xv[5] = {1, 2, 3, 4, 5}, yv[5];
  bool c = true;
  CHECK_EQ_INT(pnn_tensor_copy_from(pnn_interpreter_input(in, 0), &c, 1),
               PNN_OK);
  CHECK_EQ_INT(pnn_tensor_copy_from(pnn_interpreter_input(in, 1), xv, 20),
               PNN_OK);
  CHECK_EQ_INT(pnn_interpreter_invoke(in), PNN_OK);
  CHECK_EQ_INT(pnn_tensor_copy_to(pnn_interpreter_output(in, 0), yv, 20),
               PNN_OK);
  for (int i = 0; i < 5; i++) CHECK_NEAR(yv[i], xv[i] + 1, 0);
  pnn_interpreter_free(in);
  pnn_model_free(m);
}
