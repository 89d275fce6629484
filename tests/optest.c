/* One-op test harness (see optest.h). */
#include "optest.h"

#include <math.h>
#include <stdlib.h>

void ot_begin(optest *t) {
  memset(t, 0, sizeof(*t));
  t->mb = pnn_mb_new();
}

void ot_end(optest *t) {
  pnn_interpreter_free(t->it);
  pnn_model_free(t->model);
  free(t->bytes);
  pnn_mb_free(t->mb);
}

int ot_qtensor_n(optest *t, const char *name, pnn_type type, int rank,
                 const int32_t *dims, const void *data, int n,
                 const float *scales, const int64_t *zps, int axis) {
  int i = pnn_mb_tensor(t->mb, name, type, rank, dims, data);
  if (i >= 0 && n > 0) pnn_mb_tensor_quant(t->mb, i, n, scales, zps, axis);
  return i;
}

int ot_qtensor(optest *t, const char *name, pnn_type type, int rank,
               const int32_t *dims, const void *data, float scale, int64_t zp) {
  return ot_qtensor_n(t, name, type, rank, dims, data, scale > 0 ? 1 : 0,
                      &scale, &zp, 0);
}

int ot_qinput(optest *t, pnn_type type, int rank, const int32_t *dims,
              const void *data, float scale, int64_t zp) {
  if (t->n_in >= OT_MAX_INPUTS) return -1;
  int i = ot_qtensor(t, "x", type, rank, dims, NULL, scale, zp);
  t->in_data[t->n_in] = data;
  t->in[t->n_in++] = i;
  return i;
}

int ot_output(optest *t, pnn_type type) {
  int32_t d = 1;
  return pnn_mb_tensor(t->mb, "y", type, 1, &d, NULL);
}

/* Everything after the op is in the builder: model inputs and outputs,
 * finish, load, create, allocate, copy the inputs, invoke. */
static pnn_status build_and_run(optest *t, int n_out, const int32_t *outs) {
  if (pnn_mb_inputs(t->mb, t->n_in, t->in) < 0 ||
      pnn_mb_outputs(t->mb, n_out, outs) < 0)
    return pnn_mb_status(t->mb);
  size_t size;
  pnn_status s = pnn_mb_finish(t->mb, &t->bytes, &size);
  if (s) return s;
  t->stage = OT_LOAD;
  char err[256];
  s = pnn_model_load_buffer(t->bytes, size, NULL, &t->model, err, sizeof err);
  if (s) return s;
  t->stage = OT_CREATE;
  pnn_interpreter_options io;
  pnn_interpreter_options_init(&io);
  if (t->threads) io.num_threads = t->threads;
  s = pnn_interpreter_create(t->model, &io, &t->it);
  if (s) return s;
  t->stage = OT_ALLOCATE;
  s = pnn_interpreter_allocate(t->it);
  if (s) return s;
  t->stage = OT_INVOKE;
  for (int i = 0; i < t->n_in; i++) {
    pnn_tensor *x = pnn_interpreter_input(t->it, i);
    if (pnn_tensor_byte_size(x) == 0) continue; /* empty: nothing to copy */
    s = pnn_tensor_copy_from(x, t->in_data[i], pnn_tensor_byte_size(x));
    if (s) return s;
  }
  return pnn_interpreter_invoke(t->it);
}

pnn_status ot_run(optest *t, int32_t builtin, uint8_t opt_type,
                  const void *opts, int n_in, const int32_t *ins, int32_t out) {
  t->stage = OT_BUILD;
  if (pnn_mb_op(t->mb, builtin, opt_type, opts, n_in, ins, 1, &out) < 0)
    return pnn_mb_status(t->mb);
  return build_and_run(t, 1, &out);
}

pnn_status ot_run_custom(optest *t, const char *name, int version,
                         const void *opts, size_t opts_size, int n_in,
                         const int32_t *ins, int n_out, const int32_t *outs) {
  t->stage = OT_BUILD;
  int op =
      pnn_mb_custom_op(t->mb, name, opts, opts_size, n_in, ins, n_out, outs);
  if (op < 0 || (version != 1 && pnn_mb_op_version(t->mb, op, version) < 0))
    return pnn_mb_status(t->mb);
  return build_and_run(t, n_out, outs);
}

const char *ot_error(const optest *t) {
  return t->it ? pnn_interpreter_last_error(t->it) : pnn_mb_error(t->mb);
}

pnn_tensor *ot_out_k(optest *t, int k) {
  return pnn_interpreter_output(t->it, k);
}

bool ot_out_shape_is(optest *t, int k, int rank, const int32_t *dims) {
  pnn_tensor *o = ot_out_k(t, k);
  if (pnn_tensor_rank(o) != rank) return false;
  for (int i = 0; i < rank; i++)
    if (pnn_tensor_dim(o, i) != dims[i]) return false;
  return true;
}

pnn_conv2d_options ot_conv_opts(int padding, int stride, int act) {
  pnn_conv2d_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(conv2d), &o);
  o.padding = (int8_t)padding;
  o.stride_w = o.stride_h = stride;
  o.fused_activation_function = (int8_t)act;
  return o;
}

int ot_first_mismatch(const float *got, const float *want, int n, float tol) {
  for (int i = 0; i < n; i++)
    if (!(fabsf(got[i] - want[i]) <= tol)) return i;
  return -1;
}
