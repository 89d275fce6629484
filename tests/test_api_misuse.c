/* The public API on bad calls: NULL handles, bad indices and names, wrong
 * byte sizes, calls in the wrong order. Each gets a status and, where an
 * interpreter exists, a message; none crashes. */
#include <string.h>

#include "harness.h"
#include "test_runtime_common.h"

/* y = x + c, x and y [1, 4]. */
static pnn_model *add_model(void) {
  pnn_mb *mb = pnn_mb_new();
  int32_t shape[] = {1, 4};
  float c[] = {1, 2, 3, 4};
  int x = rt_f32(mb, "x", 2, shape, NULL);
  int k = rt_f32(mb, "c", 2, shape, c);
  int y = rt_f32(mb, "y", 2, shape, NULL);
  rt_binary(mb, PNN_OP_ADD, x, k, y);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
  return rt_load(mb);
}

TEST(null_handles) {
  pnn_interpreter *in = (pnn_interpreter *)1;
  CHECK_EQ_INT(pnn_interpreter_create(NULL, NULL, &in),
               PNN_ERROR_INVALID_ARGUMENT);
  CHECK(in == NULL);
  CHECK_EQ_INT(pnn_interpreter_create(NULL, NULL, NULL),
               PNN_ERROR_INVALID_ARGUMENT);
  CHECK_EQ_INT(pnn_interpreter_allocate(NULL), PNN_ERROR_INVALID_ARGUMENT);
  CHECK_EQ_INT(pnn_interpreter_invoke(NULL), PNN_ERROR_INVALID_ARGUMENT);
  CHECK(pnn_interpreter_input(NULL, 0) == NULL);
  CHECK(pnn_interpreter_output(NULL, 0) == NULL);
  CHECK_EQ_INT(pnn_interpreter_input_count(NULL), 0);
  CHECK_EQ_INT(pnn_interpreter_resize_input(NULL, 0, NULL, 0),
               PNN_ERROR_INVALID_ARGUMENT);
  CHECK(strlen(pnn_interpreter_last_error(NULL)) > 0);
  CHECK_EQ_INT(pnn_tensor_copy_from(NULL, "x", 1), PNN_ERROR_INVALID_ARGUMENT);
  CHECK_EQ_INT(pnn_tensor_copy_to(NULL, NULL, 0), PNN_ERROR_INVALID_ARGUMENT);
  CHECK_EQ_INT(pnn_tensor_rank(NULL), 0);
  CHECK_EQ_INT(pnn_tensor_dim(NULL, 0), -1);
  CHECK(pnn_tensor_data(NULL) == NULL);
  CHECK_EQ_INT(pnn_interpreter_signature_count(NULL), 0);
  CHECK(pnn_interpreter_signature_key(NULL, 0) == NULL);
  CHECK_EQ_INT(pnn_interpreter_add_custom_op(NULL, NULL),
               PNN_ERROR_INVALID_ARGUMENT);
  pnn_interpreter_free(NULL);
  pnn_interpreter_options_init(NULL);
}

TEST(invoke_before_allocate) {
  pnn_model *m = add_model();
  CHECK(m);
  pnn_interpreter *in = rt_interp(m, 1);
  CHECK(in);
  CHECK_EQ_INT(pnn_interpreter_invoke(in), PNN_ERROR_INVALID_STATE);
  CHECK(strstr(pnn_interpreter_last_error(in), "allocate"));
  /* Before allocate an input has its shape but no memory. */
  pnn_tensor *x = pnn_interpreter_input(in, 0);
  CHECK(x);
  CHECK_EQ_INT(pnn_tensor_dim(x, 1), 4);
  CHECK(pnn_tensor_data(x) == NULL);
  float buf[4] = {0};
  CHECK_EQ_INT(pnn_tensor_copy_from(x, buf, sizeof(buf)),
               PNN_ERROR_INVALID_STATE);
  CHECK(strstr(pnn_interpreter_last_error(in), "allocate"));
  pnn_interpreter_free(in);
  pnn_model_free(m);
}

TEST(bad_index_and_name) {
  pnn_model *m = add_model();
  CHECK(m);
  pnn_interpreter *in = rt_interp(m, 1);
  CHECK(in);
  CHECK_EQ_INT(pnn_interpreter_allocate(in), PNN_OK);
  CHECK(pnn_interpreter_input(in, 1) == NULL);
  CHECK(strstr(pnn_interpreter_last_error(in), "input index 1"));
  CHECK(pnn_interpreter_output(in, -1) == NULL);
  CHECK(strstr(pnn_interpreter_last_error(in), "output index -1"));
  int idx = 7;
  CHECK_EQ_INT(pnn_interpreter_input_index(in, "nope", &idx),
               PNN_ERROR_INVALID_ARGUMENT);
  CHECK_EQ_INT(idx, -1);
  CHECK(strstr(pnn_interpreter_last_error(in), "nope"));
  CHECK_EQ_INT(pnn_interpreter_input_index(in, NULL, &idx),
               PNN_ERROR_INVALID_ARGUMENT);
  CHECK_EQ_INT(pnn_interpreter_output_index(in, "y", &idx), PNN_OK);
  CHECK_EQ_INT(idx, 0);
  CHECK_EQ_INT(pnn_interpreter_input_index(in, "x", &idx), PNN_OK);
  CHECK_EQ_INT(idx, 0);
  pnn_tensor *x = pnn_interpreter_input(in, 0);
  CHECK_EQ_INT(pnn_tensor_dim(x, 2), -1);
  CHECK_EQ_INT(pnn_tensor_dim(x, -1), -1);
  CHECK_EQ_INT(pnn_interpreter_resize_input(in, 3, (int32_t[]){1}, 1),
               PNN_ERROR_INVALID_ARGUMENT);
  CHECK_EQ_INT(pnn_interpreter_resize_input(in, 0, (int32_t[]){-2, 4}, 2),
               PNN_ERROR_INVALID_ARGUMENT);
  CHECK(strstr(pnn_interpreter_last_error(in), "negative"));
  CHECK_EQ_INT(pnn_interpreter_resize_input(in, 0, NULL, 2),
               PNN_ERROR_INVALID_ARGUMENT);
  CHECK_EQ_INT(pnn_interpreter_resize_input(in, 0, (int32_t[]){1}, 9),
               PNN_ERROR_INVALID_ARGUMENT);
  /* Bad resizes leave the plan usable. */
  CHECK_EQ_INT(pnn_interpreter_invoke(in), PNN_OK);
  CHECK(pnn_interpreter_op_profile(in, 5, NULL) == NULL);
  CHECK(pnn_interpreter_signature_key(in, 0) == NULL);
  pnn_tensor *t = (pnn_tensor *)1;
  CHECK_EQ_INT(pnn_interpreter_signature_input(in, "none", "x", &t),
               PNN_ERROR_INVALID_ARGUMENT);
  CHECK(t == NULL);
  CHECK(strstr(pnn_interpreter_last_error(in), "none"));
  CHECK_EQ_INT(pnn_interpreter_signature_invoke(in, NULL),
               PNN_ERROR_INVALID_ARGUMENT);
  pnn_interpreter_free(in);
  pnn_model_free(m);
}

TEST(copy_sizes) {
  pnn_model *m = add_model();
  CHECK(m);
  pnn_interpreter *in = rt_interp(m, 1);
  CHECK(in);
  CHECK_EQ_INT(pnn_interpreter_allocate(in), PNN_OK);
  pnn_tensor *x = pnn_interpreter_input(in, 0);
  pnn_tensor *y = pnn_interpreter_output(in, 0);
  CHECK_EQ_INT(pnn_tensor_byte_size(x), 16);
  float buf[5] = {1, 2, 3, 4, 5};
  CHECK_EQ_INT(pnn_tensor_copy_from(x, buf, 12), PNN_ERROR_INVALID_ARGUMENT);
  CHECK(strstr(pnn_interpreter_last_error(in), "12 bytes given"));
  CHECK(strstr(pnn_interpreter_last_error(in), "has 16"));
  CHECK_EQ_INT(pnn_tensor_copy_from(x, buf, 20), PNN_ERROR_INVALID_ARGUMENT);
  CHECK_EQ_INT(pnn_tensor_copy_from(x, NULL, 16), PNN_ERROR_INVALID_ARGUMENT);
  CHECK(strstr(pnn_interpreter_last_error(in), "NULL"));
  CHECK_EQ_INT(pnn_tensor_copy_from(x, buf, 16), PNN_OK);
  CHECK_EQ_INT(pnn_interpreter_invoke(in), PNN_OK);
  float out[4];
  CHECK_EQ_INT(pnn_tensor_copy_to(y, out, 15), PNN_ERROR_INVALID_ARGUMENT);
  CHECK_EQ_INT(pnn_tensor_copy_to(y, out, sizeof(out)), PNN_OK);
  for (int i = 0; i < 4; i++) CHECK_NEAR(out[i], buf[i] + (float)(i + 1), 0);
  pnn_interpreter_free(in);
  pnn_model_free(m);
}

static int errors_seen;
static char last_seen[256];
static void on_error(void *user, const char *msg) {
  (void)user;
  errors_seen++;
  snprintf(last_seen, sizeof(last_seen), "%s", msg);
}

TEST(error_callback) {
  pnn_model *m = add_model();
  CHECK(m);
  pnn_interpreter_options o;
  pnn_interpreter_options_init(&o);
  CHECK_EQ_INT(o.num_threads, 1);
  o.error_fn = on_error;
  pnn_interpreter *in = NULL;
  CHECK_EQ_INT(pnn_interpreter_create(m, &o, &in), PNN_OK);
  errors_seen = 0;
  CHECK_EQ_INT(pnn_interpreter_invoke(in), PNN_ERROR_INVALID_STATE);
  CHECK_EQ_INT(errors_seen, 1);
  CHECK(strcmp(last_seen, pnn_interpreter_last_error(in)) == 0);
  pnn_interpreter_free(in);
  pnn_model_free(m);
}

/* Custom ops may only be registered before allocate, need a name and an
 * invoke callback. */
static pnn_status noop_invoke(void *user, pnn_node *node) {
  (void)user;
  (void)node;
  return PNN_OK;
}

TEST(custom_op_registration_misuse) {
  pnn_model *m = add_model();
  CHECK(m);
  pnn_interpreter *in = rt_interp(m, 1);
  CHECK(in);
  pnn_custom_op op = {.name = NULL, .invoke = noop_invoke};
  CHECK_EQ_INT(pnn_interpreter_add_custom_op(in, &op),
               PNN_ERROR_INVALID_ARGUMENT);
  op.name = "X";
  op.invoke = NULL;
  CHECK_EQ_INT(pnn_interpreter_add_custom_op(in, &op),
               PNN_ERROR_INVALID_ARGUMENT);
  op.invoke = noop_invoke;
  CHECK_EQ_INT(pnn_interpreter_add_custom_op(in, &op), PNN_OK);
  CHECK_EQ_INT(pnn_interpreter_allocate(in), PNN_OK);
  CHECK_EQ_INT(pnn_interpreter_add_custom_op(in, &op), PNN_ERROR_INVALID_STATE);
  CHECK(strstr(pnn_interpreter_last_error(in), "before allocate"));
  pnn_interpreter_free(in);
  pnn_model_free(m);
}
