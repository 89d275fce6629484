/* The public interpreter API: create/free, options, errors, inputs and
 * outputs, resize, allocate, invoke, profiling, signatures and custom-op
 * registration. The work itself is in subgraph.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/runtime.h"

pnn_status pnn_rt_error(struct pnn_interpreter *interp, pnn_status status,
                        const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(interp->error, sizeof(interp->error), fmt, ap);
  va_end(ap);
  interp->error_set++;
  if (interp->opts.error_fn)
    interp->opts.error_fn(interp->opts.error_user, interp->error);
  return status;
}

void pnn_interpreter_options_init(pnn_interpreter_options *opts) {
  if (!opts) return;
  memset(opts, 0, sizeof(*opts));
  opts->num_threads = 1;
}

pnn_status pnn_interpreter_create(const pnn_model *model,
                                  const pnn_interpreter_options *opts,
                                  pnn_interpreter **out) {
  if (!out) return PNN_ERROR_INVALID_ARGUMENT;
  *out = NULL;
  if (!model) return PNN_ERROR_INVALID_ARGUMENT;
  pnn_interpreter *in = calloc(1, sizeof(*in));
  if (!in) return PNN_ERROR_OUT_OF_MEMORY;
  in->model = model;
  pnn_interpreter_options_init(&in->opts);
  if (opts) in->opts = *opts;
  if (in->opts.float_accumulation < PNN_FLOAT_ACC_AUTO ||
      in->opts.float_accumulation > PNN_FLOAT_ACC_REFERENCE_ORDER) {
    free(in);
    return PNN_ERROR_INVALID_ARGUMENT;
  }
  /* Beyond a few hundred threads a request is a mistake, not a plan. */
  if (in->opts.num_threads <= 0) in->opts.num_threads = 1;
  if (in->opts.num_threads > 256) in->opts.num_threads = 256;
  in->n_ctx = model->def.n_subgraphs > 0 ? model->def.n_subgraphs : 0;
  if (in->n_ctx) {
    in->ctx = calloc((size_t)in->n_ctx, sizeof(*in->ctx));
    if (!in->ctx) goto oom;
  }
  for (int32_t i = 0; i < in->n_ctx; i++)
    if (pnn_rt_ctx_init(in, &in->ctx[i], i)) goto oom;
  in->pool = pnn_threadpool_create(in->opts.num_threads);
  if (!in->pool) goto oom;
  *out = in;
  return PNN_OK;
oom:
  pnn_interpreter_free(in);
  return PNN_ERROR_OUT_OF_MEMORY;
}

void pnn_interpreter_free(pnn_interpreter *in) {
  if (!in) return;
  for (int32_t i = 0; in->ctx && i < in->n_ctx; i++)
    pnn_rt_ctx_free(&in->ctx[i]);
  free(in->ctx);
  free(in->custom_ops);
  pnn_threadpool_free(in->pool);
  free(in);
}

const char *pnn_interpreter_last_error(const pnn_interpreter *in) {
  return in ? in->error : "interpreter is NULL";
}

/* The main subgraph, or NULL with a message for a model without one. */
static struct pnn_ctx *main_ctx(pnn_interpreter *in) {
  if (in->n_ctx > 0) return &in->ctx[0];
  pnn_rt_error(in, PNN_ERROR_INVALID_MODEL, "model has no subgraph");
  return NULL;
}

pnn_status pnn_interpreter_allocate(pnn_interpreter *in) {
  if (!in) return PNN_ERROR_INVALID_ARGUMENT;
  struct pnn_ctx *c = main_ctx(in);
  if (!c) return PNN_ERROR_INVALID_MODEL;
  return pnn_rt_prepare_root(c);
}

pnn_status pnn_interpreter_invoke(pnn_interpreter *in) {
  if (!in) return PNN_ERROR_INVALID_ARGUMENT;
  struct pnn_ctx *c = main_ctx(in);
  if (!c) return PNN_ERROR_INVALID_MODEL;
  in->loop_iterations = 0;
  in->loop_work = 0;
  return pnn_rt_invoke(c);
}

int pnn_interpreter_input_count(const pnn_interpreter *in) {
  return in && in->n_ctx ? pnn_rt_input_count(&in->ctx[0]) : 0;
}

int pnn_interpreter_output_count(const pnn_interpreter *in) {
  return in && in->n_ctx ? pnn_rt_output_count(&in->ctx[0]) : 0;
}

static pnn_tensor *io_tensor(pnn_interpreter *in, int index, bool input) {
  if (!in) return NULL;
  struct pnn_ctx *c = main_ctx(in);
  if (!c) return NULL;
  int n = input ? pnn_rt_input_count(c) : pnn_rt_output_count(c);
  if (index < 0 || index >= n) {
    pnn_rt_error(in, PNN_ERROR_INVALID_ARGUMENT,
                 "%s index %d out of range (model has %d)",
                 input ? "input" : "output", index, n);
    return NULL;
  }
  pnn_tensor *t = input ? pnn_rt_input(c, index) : pnn_rt_output(c, index);
  if (!t)
    pnn_rt_error(in, PNN_ERROR_INVALID_MODEL, "%s %d has no tensor",
                 input ? "input" : "output", index);
  return t;
}

pnn_tensor *pnn_interpreter_input(pnn_interpreter *in, int index) {
  return io_tensor(in, index, true);
}

pnn_tensor *pnn_interpreter_output(pnn_interpreter *in, int index) {
  return io_tensor(in, index, false);
}

static pnn_status io_index(pnn_interpreter *in, const char *name, int *index,
                           bool input) {
  if (index) *index = -1;
  if (!in) return PNN_ERROR_INVALID_ARGUMENT;
  if (!name || !index)
    return pnn_rt_error(in, PNN_ERROR_INVALID_ARGUMENT,
                        "%s_index: name and index must not be NULL",
                        input ? "input" : "output");
  struct pnn_ctx *c = main_ctx(in);
  if (!c) return PNN_ERROR_INVALID_MODEL;
  int n = input ? pnn_rt_input_count(c) : pnn_rt_output_count(c);
  for (int i = 0; i < n; i++) {
    pnn_tensor *t = input ? pnn_rt_input(c, i) : pnn_rt_output(c, i);
    if (t && strcmp(t->name, name) == 0) {
      *index = i;
      return PNN_OK;
    }
  }
  return pnn_rt_error(in, PNN_ERROR_INVALID_ARGUMENT, "no %s named '%s'",
                      input ? "input" : "output", name);
}

pnn_status pnn_interpreter_input_index(pnn_interpreter *in, const char *name,
                                       int *index) {
  return io_index(in, name, index, true);
}

pnn_status pnn_interpreter_output_index(pnn_interpreter *in, const char *name,
                                        int *index) {
  return io_index(in, name, index, false);
}

/* Sets a new shape on an input of subgraph c; invalidates c's plan. */
static pnn_status resize_ctx_input(struct pnn_ctx *c, pnn_tensor *t,
                                   const int32_t *dims, int rank) {
  pnn_interpreter *in = c->interp;
  if (rank < 0 || rank > PNN_MAX_RANK || (rank > 0 && !dims))
    return pnn_rt_error(in, PNN_ERROR_INVALID_ARGUMENT,
                        "resize of input '%s': rank %d (0..%d, dims non-NULL)",
                        t->name, rank, PNN_MAX_RANK);
  pnn_tensor probe = *t;
  const char *why = pnn_rt_set_shape(&probe, t->type, dims, rank);
  if (why)
    return pnn_rt_error(in, PNN_ERROR_INVALID_ARGUMENT,
                        "resize of input '%s': %s", t->name, why);
  pnn_rt_ctx_reset(c); /* the plan no longer fits */
  pnn_rt_set_shape(t, t->type, dims, rank);
  ((pnn_rt_tensor *)t)->shape_set = true;
  return PNN_OK;
}

pnn_status pnn_interpreter_resize_input(pnn_interpreter *in, int index,
                                        const int32_t *dims, int rank) {
  if (!in) return PNN_ERROR_INVALID_ARGUMENT;
  pnn_tensor *t = io_tensor(in, index, true);
  if (!t) return PNN_ERROR_INVALID_ARGUMENT;
  return resize_ctx_input(&in->ctx[0], t, dims, rank);
}

size_t pnn_interpreter_arena_bytes(const pnn_interpreter *in) {
  return in ? pnn_rt_total_arena(in) : 0;
}

size_t pnn_interpreter_persistent_bytes(const pnn_interpreter *in) {
  size_t total = 0;
  for (int32_t i = 0; in && i < in->n_ctx; i++)
    total += in->ctx[i].pool.used_bytes;
  return total;
}

/* ---------------------------------------------------------- profiling */

void pnn_interpreter_set_profiling(pnn_interpreter *in, int enabled) {
  if (in) in->profiling = enabled != 0;
}

int pnn_interpreter_op_count(const pnn_interpreter *in) {
  return in && in->n_ctx ? (int)in->ctx[0].def->n_ops : 0;
}

const char *pnn_interpreter_op_profile(const pnn_interpreter *in, int i,
                                       uint64_t *ns) {
  if (ns) *ns = 0;
  if (!in || !in->n_ctx || i < 0 || i >= in->ctx[0].def->n_ops) return NULL;
  const struct pnn_ctx *c = &in->ctx[0];
  if (ns) *ns = c->op_ns[i];
  if (c->nodes && c->state == PNN_CTX_READY) return c->nodes[i].name;
  /* Before allocate: the name straight from the model. */
  const pnn_model_def *m = &in->model->def;
  const pnn_opcode_def *code = &m->opcodes[c->def->ops[i].opcode_index];
  if (code->builtin == PNN_OP_CUSTOM)
    return code->custom_code ? code->custom_code : "CUSTOM";
  const char *name = pnn_builtin_name(code->builtin);
  return name ? name : "UNKNOWN";
}

/* --------------------------------------------------------- signatures */

int pnn_interpreter_signature_count(const pnn_interpreter *in) {
  return in ? (int)in->model->def.n_signatures : 0;
}

const char *pnn_interpreter_signature_key(const pnn_interpreter *in,
                                          int index) {
  if (!in || index < 0 || index >= in->model->def.n_signatures) return NULL;
  const char *key = in->model->def.signatures[index].key;
  return key ? key : "";
}

/* The signature with `key` and its subgraph, or an error. */
static pnn_status find_signature(pnn_interpreter *in, const char *key,
                                 const pnn_signature_def **sig,
                                 struct pnn_ctx **ctx) {
  if (!key)
    return pnn_rt_error(in, PNN_ERROR_INVALID_ARGUMENT,
                        "signature key is NULL");
  const pnn_model_def *m = &in->model->def;
  for (int32_t i = 0; i < m->n_signatures; i++) {
    const pnn_signature_def *s = &m->signatures[i];
    if (!s->key || strcmp(s->key, key) != 0) continue;
    if ((int64_t)s->subgraph_index >= in->n_ctx)
      return pnn_rt_error(in, PNN_ERROR_INVALID_MODEL,
                          "signature '%s': subgraph %u out of range", key,
                          (unsigned)s->subgraph_index);
    *sig = s;
    *ctx = &in->ctx[s->subgraph_index];
    return PNN_OK;
  }
  return pnn_rt_error(in, PNN_ERROR_INVALID_ARGUMENT,
                      "no signature with key '%s'", key);
}

static pnn_status signature_tensor(pnn_interpreter *in, const char *key,
                                   const char *name, pnn_tensor **out,
                                   bool input) {
  if (out) *out = NULL;
  if (!in) return PNN_ERROR_INVALID_ARGUMENT;
  if (!name || !out)
    return pnn_rt_error(in, PNN_ERROR_INVALID_ARGUMENT,
                        "signature_%s: name and out must not be NULL",
                        input ? "input" : "output");
  const pnn_signature_def *sig;
  struct pnn_ctx *c;
  pnn_status s = find_signature(in, key, &sig, &c);
  if (s) return s;
  int32_t n = input ? sig->n_inputs : sig->n_outputs;
  const pnn_tensor_map_def *map = input ? sig->inputs : sig->outputs;
  for (int32_t i = 0; i < n; i++) {
    if (!map[i].name || strcmp(map[i].name, name) != 0) continue;
    if ((int64_t)map[i].tensor_index >= c->n_tensors)
      return pnn_rt_error(in, PNN_ERROR_INVALID_MODEL,
                          "signature '%s' %s '%s': tensor %u out of range", key,
                          input ? "input" : "output", name,
                          (unsigned)map[i].tensor_index);
    *out = &c->tensors[map[i].tensor_index].t;
    return PNN_OK;
  }
  return pnn_rt_error(in, PNN_ERROR_INVALID_ARGUMENT,
                      "signature '%s' has no %s named '%s'", key,
                      input ? "input" : "output", name);
}

pnn_status pnn_interpreter_signature_input(pnn_interpreter *in, const char *key,
                                           const char *name, pnn_tensor **out) {
  return signature_tensor(in, key, name, out, true);
}

pnn_status pnn_interpreter_signature_output(pnn_interpreter *in,
                                            const char *key, const char *name,
                                            pnn_tensor **out) {
  return signature_tensor(in, key, name, out, false);
}

pnn_status pnn_interpreter_signature_allocate(pnn_interpreter *in,
                                              const char *key) {
  if (!in) return PNN_ERROR_INVALID_ARGUMENT;
  const pnn_signature_def *sig;
  struct pnn_ctx *c;
  pnn_status s = find_signature(in, key, &sig, &c);
  return s ? s : pnn_rt_prepare_root(c);
}

pnn_status pnn_interpreter_signature_invoke(pnn_interpreter *in,
                                            const char *key) {
  if (!in) return PNN_ERROR_INVALID_ARGUMENT;
  const pnn_signature_def *sig;
  struct pnn_ctx *c;
  pnn_status s = find_signature(in, key, &sig, &c);
  in->loop_iterations = 0;
  in->loop_work = 0;
  return s ? s : pnn_rt_invoke(c);
}

/* --------------------------------------------------------- custom ops */

pnn_status pnn_interpreter_add_custom_op(pnn_interpreter *in,
                                         const pnn_custom_op *op) {
  if (!in) return PNN_ERROR_INVALID_ARGUMENT;
  if (!op || !op->name || !op->invoke)
    return pnn_rt_error(in, PNN_ERROR_INVALID_ARGUMENT,
                        "add_custom_op: op, name and invoke are required");
  if (op->version < 0)
    return pnn_rt_error(in, PNN_ERROR_INVALID_ARGUMENT,
                        "add_custom_op '%s': negative version %d", op->name,
                        op->version);
  for (int32_t i = 0; i < in->n_ctx; i++)
    if (in->ctx[i].state != PNN_CTX_EMPTY)
      return pnn_rt_error(in, PNN_ERROR_INVALID_STATE,
                          "add_custom_op '%s': register custom ops before "
                          "allocate",
                          op->name);
  pnn_custom_op *ops =
      realloc(in->custom_ops, sizeof(*ops) * ((size_t)in->n_custom_ops + 1));
  if (!ops)
    return pnn_rt_error(in, PNN_ERROR_OUT_OF_MEMORY,
                        "add_custom_op '%s': out of memory", op->name);
  ops[in->n_custom_ops++] = *op;
  in->custom_ops = ops;
  return PNN_OK;
}
