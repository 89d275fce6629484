/* Prepare and invoke of one subgraph: runtime tensors from the model,
 * kernel choice, op prepare, constant folding, arena planning, and the
 * invoke loop.
 *
 * Shapes are static. Every output shape must be known when its op is
 * prepared; TFLite instead marks such tensors "dynamic" and allocates them
 * on the heap during invoke. We refuse that case at prepare: it would break
 * the promise that invoke allocates nothing and that the arena size is
 * known (and cappable) up front, and the models we target (vision,
 * mediapipe) never need it once SHAPE/RANK chains are folded. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

#include "runtime/planner.h"
#include "runtime/runtime.h"

/* ------------------------------------------------------------ tensors */

const char *pnn_rt_set_shape(pnn_tensor *t, pnn_type type, const int32_t *dims,
                             int rank) {
  if (rank < 0 || rank > PNN_MAX_RANK) return "rank out of range (0..8)";
  if (rank > 0 && !dims) return "dims is NULL";
  /* The product of the non-zero dims is bounded too: kernels and prepares
   * multiply partial runs of dims (outer * inner), and an empty tensor such
   * as [0, 2^31-1, 2^31-1, 2^31-1] must not overflow those. */
  uint64_t count = 1, nonzero = 1;
  for (int i = 0; i < rank; i++) {
    if (dims[i] < 0) return "negative dimension";
    if (dims[i] && nonzero > (UINT64_MAX / 16) / (uint64_t)dims[i])
      return "element count overflows";
    if (dims[i]) nonzero *= (uint64_t)dims[i];
    count *= (uint64_t)dims[i];
  }
  uint64_t bytes = count * pnn_type_size(type);
  if (bytes > SIZE_MAX / 2 || nonzero * pnn_type_size(type) > SIZE_MAX / 2)
    return "byte size overflows";
  t->type = type;
  t->rank = rank;
  for (int i = 0; i < PNN_MAX_RANK; i++) t->dims[i] = i < rank ? dims[i] : 0;
  t->bytes = (size_t)bytes;
  return NULL;
}

/* Resets tensor i to the model's description. Subgraph inputs keep the
 * type and shape the caller (API resize or a calling op) gave them. */
static void tensor_from_def(struct pnn_ctx *c, int32_t i) {
  pnn_rt_tensor *rt = &c->tensors[i];
  const pnn_tensor_def *d = &c->def->tensors[i];
  pnn_tensor *t = &rt->t;
  bool keep = rt->is_input && rt->shape_set;
  if (!keep) {
    t->type = d->type;
    /* A rank above the maximum is refused at prepare; keep it visible. */
    if (pnn_rt_set_shape(t, d->type, d->shape, d->rank)) {
      int r = d->rank < PNN_MAX_RANK ? d->rank : PNN_MAX_RANK;
      for (int k = 0; k < PNN_MAX_RANK; k++)
        t->dims[k] = k < r && d->shape[k] > 0 ? d->shape[k] : 0;
      t->rank = d->rank;
      t->bytes = 0;
    }
  }
  t->data = NULL;
  t->name = d->name ? d->name : "";
  t->def = d;
  t->quant = NULL;
  t->scale = 0.f;
  t->zero_point = 0;
  if (d->has_quant && d->quant.n_scale > 0) {
    t->quant = &d->quant;
    t->scale = d->quant.scale[0];
    t->zero_point =
        d->quant.n_zero_point > 0 ? (int32_t)d->quant.zero_point[0] : 0;
  }
  t->kind = PNN_TENSOR_ARENA;
  t->is_constant = false;
  rt->ctx = c;
  rt->index = i;
  if (!rt->is_input) rt->shape_set = false;
  rt->producer = -1;
  rt->last_use = -1;
}

pnn_status pnn_rt_ctx_init(struct pnn_interpreter *interp, struct pnn_ctx *c,
                           int32_t index) {
  memset(c, 0, sizeof(*c));
  c->interp = interp;
  c->index = index;
  c->def = &interp->model->def.subgraphs[index];
  c->state = PNN_CTX_EMPTY;
  c->current_op = -1;
  pnn_pool_init(&c->pool);
  c->n_tensors = c->def->n_tensors;
  if (c->n_tensors > 0) {
    c->tensors = calloc((size_t)c->n_tensors, sizeof(*c->tensors));
    if (!c->tensors) return PNN_ERROR_OUT_OF_MEMORY;
  }
  if (c->def->n_ops > 0) {
    c->op_ns = calloc((size_t)c->def->n_ops, sizeof(*c->op_ns));
    if (!c->op_ns) return PNN_ERROR_OUT_OF_MEMORY;
  }
  for (int32_t k = 0; k < c->def->inputs.count; k++) {
    int32_t ti = c->def->inputs.data[k];
    if (ti >= 0 && ti < c->n_tensors) c->tensors[ti].is_input = true;
  }
  for (int32_t k = 0; k < c->def->outputs.count; k++) {
    int32_t ti = c->def->outputs.data[k];
    if (ti >= 0 && ti < c->n_tensors) c->tensors[ti].is_output = true;
  }
  for (int32_t i = 0; i < c->n_tensors; i++) tensor_from_def(c, i);
  return PNN_OK;
}

void pnn_rt_ctx_reset(struct pnn_ctx *c) {
  for (int32_t i = 0; c->nodes && i < c->n_nodes; i++) {
    pnn_rt_node *rn = &c->rt_nodes[i];
    if (rn->custom_state && rn->custom->free)
      rn->custom->free(rn->custom->user, c->nodes[i].state);
    rn->custom_state = false;
  }
  c->nodes = NULL;
  c->rt_nodes = NULL;
  c->n_nodes = 0;
  pnn_pool_free(&c->pool);
  pnn_pool_init(&c->pool);
  free(c->arena);
  c->arena = NULL;
  c->arena_bytes = 0;
  c->work = 0;
  c->state = PNN_CTX_EMPTY;
  for (int32_t i = 0; i < c->n_tensors; i++) tensor_from_def(c, i);
}

void pnn_rt_ctx_free(struct pnn_ctx *c) {
  /* A subgraph without tensors or ops still has a pool after prepare. */
  if (!c->tensors && !c->op_ns && !c->pool.head && !c->arena) return;
  pnn_rt_ctx_reset(c);
  pnn_pool_free(&c->pool);
  free(c->tensors);
  free(c->op_ns);
  c->tensors = NULL;
  c->op_ns = NULL;
}

size_t pnn_rt_total_arena(const struct pnn_interpreter *interp) {
  size_t total = 0;
  for (int32_t i = 0; i < interp->n_ctx; i++)
    total += interp->ctx[i].arena_bytes;
  return total;
}

/* ------------------------------------------------------------ prepare */

static pnn_status ctx_error(struct pnn_ctx *c, pnn_status s, const char *fmt,
                            ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static pnn_status ctx_error(struct pnn_ctx *c, pnn_status s, const char *fmt,
                            ...) {
  char msg[768];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  if (c->index != 0)
    return pnn_rt_error(c->interp, s, "subgraph %d: %s", (int)c->index, msg);
  return pnn_rt_error(c->interp, s, "%s", msg);
}

/* The data of every tensor with 0 bytes (a 0 dimension, an empty
 * buffer): a valid, aligned address holding nothing, never NULL, so that
 * kernels may form `data + 0` and pass it to memcpy(.., 0) on an empty
 * input without undefined behaviour (a class of fuzzer findings: NULL
 * plus an offset in CONCATENATION, pools, reductions, unary ops). Nothing
 * is ever read or written through it. */
static max_align_t empty_tensor_data;

/* Constant data from the model: used in place when aligned for its element
 * type, else copied once into the pool. Kernels need no more than that:
 * typed C access needs the element's own alignment, and the SIMD paths
 * read constants with unaligned loads or from packed copies made at
 * prepare. Typeless data (strings, int4, sparse) still wants 16 bytes.
 * Copying only what is misaligned for its type keeps the persistent pool
 * small on files whose buffers are not 16-byte aligned (e.g. float16
 * weights that are folded into float32 at prepare and never read again). */
static pnn_status setup_constant(struct pnn_ctx *c, pnn_rt_tensor *rt,
                                 const pnn_buffer_def *b) {
  pnn_tensor *t = &rt->t;
  size_t es = pnn_type_size(t->type);
  if (es == 0 || t->def->sparsity) {
    /* Strings, int4 and sparse (compressed, for DENSIFY) data: the byte
     * size is the buffer's, not shape x element size. */
    t->bytes = (size_t)b->size;
  } else if (b->size != t->bytes) {
    return ctx_error(c, PNN_ERROR_INVALID_MODEL,
                     "tensor %d (%s): buffer has %llu bytes, shape needs %zu",
                     (int)rt->index, t->name, (unsigned long long)b->size,
                     t->bytes);
  }
  size_t align = (es == 0 || t->def->sparsity || (es & (es - 1))) ? 16 : es;
  if (align > 16) align = 16;
  if (!t->bytes) {
    t->data = &empty_tensor_data;
  } else if (((uintptr_t)b->data & (align - 1)) == 0) {
    t->data = (void *)b->data;
  } else {
    t->data = pnn_pool_alloc(&c->pool, t->bytes);
    if (!t->data)
      return ctx_error(c, PNN_ERROR_OUT_OF_MEMORY,
                       "tensor %d (%s): no memory to align %zu bytes",
                       (int)rt->index, t->name, t->bytes);
    memcpy(t->data, b->data, t->bytes);
  }
  t->kind = PNN_TENSOR_CONSTANT;
  t->is_constant = true;
  return PNN_OK;
}

/* Lifetimes (producer, last reader) and a check that each tensor has at
 * most one writer. */
/* True when tensor ti has a value before any op runs: a subgraph input, a
 * variable, a constant, or a tensor with no elements. */
static bool has_initial_value(const struct pnn_ctx *c, int32_t ti) {
  const pnn_rt_tensor *rt = &c->tensors[ti];
  const pnn_tensor_def *d = &c->def->tensors[ti];
  if (rt->is_input || d->is_variable ||
      pnn_model_tensor_buffer(&c->interp->model->def, d))
    return true;
  for (int32_t k = 0; k < d->rank; k++)
    if (d->shape[k] == 0) return true;
  return false;
}

static pnn_status scan_uses(struct pnn_ctx *c) {
  for (int32_t i = 0; i < c->def->n_ops; i++) {
    const pnn_op_def *op = &c->def->ops[i];
    for (int32_t k = 0; k < op->inputs.count; k++) {
      int32_t ti = op->inputs.data[k];
      if (ti < 0 || ti >= c->n_tensors) continue;
      /* Reading a tensor nothing has written would read stale memory. */
      if (c->tensors[ti].producer < 0 && !has_initial_value(c, ti))
        return ctx_error(c, PNN_ERROR_INVALID_MODEL,
                         "op %d: input %d is tensor %d (%s), which is not a "
                         "subgraph input, a constant or a variable, and no "
                         "earlier op writes it",
                         (int)i, (int)k, (int)ti, c->tensors[ti].t.name);
      c->tensors[ti].last_use = i;
    }
    for (int32_t k = 0; k < op->outputs.count; k++) {
      int32_t ti = op->outputs.data[k];
      if (ti < 0 || ti >= c->n_tensors) continue;
      pnn_rt_tensor *rt = &c->tensors[ti];
      if (rt->producer >= 0 || rt->is_input)
        return ctx_error(
            c, PNN_ERROR_INVALID_MODEL,
            "tensor %d (%s) is written by op %d but is already "
            "%s",
            (int)ti, rt->t.name, (int)i,
            rt->is_input ? "a subgraph input" : "written by an earlier op");
      /* A tensor read before (or by) the op that writes it: the reader
       * would be prepared for the shape the tensor has before the writer
       * resizes it, and read past it at invoke (and its value would be
       * the constant / empty one, not what the writer computes). */
      if (rt->last_use >= 0)
        return ctx_error(c, PNN_ERROR_INVALID_MODEL,
                         "tensor %d (%s) is written by op %d but op %d "
                         "already reads it",
                         (int)ti, rt->t.name, (int)i, (int)rt->last_use);
      rt->producer = i;
    }
  }
  for (int32_t k = 0; k < c->def->outputs.count; k++) {
    int32_t ti = c->def->outputs.data[k];
    if (ti >= 0 && ti < c->n_tensors && c->tensors[ti].producer < 0 &&
        !has_initial_value(c, ti))
      return ctx_error(c, PNN_ERROR_INVALID_MODEL,
                       "output %d is tensor %d (%s), which nothing writes",
                       (int)k, (int)ti, c->tensors[ti].t.name);
  }
  return PNN_OK;
}

static pnn_status setup_tensors(struct pnn_ctx *c) {
  const pnn_model_def *m = &c->interp->model->def;
  pnn_status s = scan_uses(c);
  if (s) return s;
  for (int32_t i = 0; i < c->n_tensors; i++) {
    pnn_rt_tensor *rt = &c->tensors[i];
    pnn_tensor *t = &rt->t;
    if (t->rank > PNN_MAX_RANK || t->rank < 0)
      return ctx_error(c, PNN_ERROR_UNSUPPORTED,
                       "tensor %d (%s): rank %d exceeds the maximum of %d",
                       (int)i, t->name, (int)t->rank, PNN_MAX_RANK);
    const char *why = pnn_rt_set_shape(t, t->type, t->dims, t->rank);
    if (why)
      return ctx_error(c, PNN_ERROR_INVALID_MODEL, "tensor %d (%s): %s", (int)i,
                       t->name, why);
    const pnn_buffer_def *b = pnn_model_tensor_buffer(m, t->def);
    if (t->def->is_variable) {
      /* Variables keep their value across invokes: persistent, zeroed
       * (or initialized from the buffer when the model gives one). */
      size_t cap = c->interp->opts.max_arena_bytes;
      if (cap && t->bytes > cap)
        return ctx_error(c, PNN_ERROR_LIMIT,
                         "tensor %d (%s): a variable of %zu bytes but "
                         "max_arena_bytes is %zu",
                         (int)i, t->name, t->bytes, cap);
      if (t->bytes) {
        t->data = pnn_pool_alloc(&c->pool, t->bytes);
        if (!t->data)
          return ctx_error(c, PNN_ERROR_OUT_OF_MEMORY,
                           "tensor %d (%s): no memory for a variable", (int)i,
                           t->name);
        if (b && b->size == t->bytes) memcpy(t->data, b->data, t->bytes);
      }
      t->kind = PNN_TENSOR_PERSISTENT;
    } else if (b && !rt->is_input && rt->producer < 0) {
      if ((s = setup_constant(c, rt, b))) return s;
    }
  }
  return PNN_OK;
}

/* ------------------------------------------------------------- nodes */

/* Kernel adapter for custom ops registered through the public API. */
static pnn_status custom_prepare(pnn_node *node) {
  const pnn_custom_op *op = node->ctx->rt_nodes[node->index].custom;
  if (op->prepare) return op->prepare(op->user, node);
  /* Without a prepare callback the model's declared output shapes hold. */
  for (int i = 0; i < node->n_outputs; i++) {
    if (!node->outputs[i]) continue;
    pnn_rt_tensor *rt = (pnn_rt_tensor *)node->outputs[i];
    rt->shape_set = true;
  }
  return PNN_OK;
}

static pnn_status custom_eval(pnn_node *node) {
  const pnn_custom_op *op = node->ctx->rt_nodes[node->index].custom;
  return op->invoke(op->user, node);
}

static const pnn_op_kernel custom_adapter = {custom_prepare, custom_eval};

static const pnn_custom_op *find_registered(const struct pnn_interpreter *in,
                                            const char *name, int32_t version) {
  if (!name) return NULL;
  for (int i = in->n_custom_ops - 1; i >= 0; i--) {
    const pnn_custom_op *op = &in->custom_ops[i];
    if (strcmp(op->name, name) == 0 &&
        (op->version == 0 || version <= op->version))
      return op;
  }
  return NULL;
}

static pnn_status build_node(struct pnn_ctx *c, int32_t i) {
  const pnn_model_def *m = &c->interp->model->def;
  const pnn_op_def *op = &c->def->ops[i];
  pnn_node *node = &c->nodes[i];
  const pnn_opcode_def *code = &m->opcodes[op->opcode_index];
  node->index = i;
  node->subgraph = c->index;
  node->builtin = code->builtin;
  node->version = code->version;
  node->def = op;
  node->options = &op->options;
  node->ctx = c;
  if (code->builtin == PNN_OP_CUSTOM) {
    node->name = code->custom_code ? code->custom_code : "CUSTOM";
  } else {
    node->name = pnn_builtin_name(code->builtin);
    if (!node->name) {
      char buf[32];
      int n = snprintf(buf, sizeof(buf), "BUILTIN_%d", (int)code->builtin);
      node->name = pnn_pool_strndup(&c->pool, buf, (size_t)n);
      if (!node->name) return PNN_ERROR_OUT_OF_MEMORY;
    }
  }
  node->n_inputs = op->inputs.count;
  node->n_outputs = op->outputs.count;
  node->inputs = pnn_pool_calloc(&c->pool, (size_t)node->n_inputs + 1,
                                 sizeof(pnn_tensor *));
  node->outputs = pnn_pool_calloc(&c->pool, (size_t)node->n_outputs + 1,
                                  sizeof(pnn_tensor *));
  if (!node->inputs || !node->outputs) return PNN_ERROR_OUT_OF_MEMORY;
  for (int k = 0; k < node->n_inputs; k++) {
    int32_t ti = op->inputs.data[k];
    node->inputs[k] = ti >= 0 && ti < c->n_tensors ? &c->tensors[ti].t : NULL;
  }
  for (int k = 0; k < node->n_outputs; k++) {
    int32_t ti = op->outputs.data[k];
    node->outputs[k] = ti >= 0 && ti < c->n_tensors ? &c->tensors[ti].t : NULL;
  }
  return PNN_OK;
}

/* "op 3: unsupported operator FOO (version 2) with input types [float32,
 * -]" — everything a user needs to know what is missing. */
static pnn_status unsupported(struct pnn_ctx *c, const pnn_node *node) {
  char types[256];
  size_t len = 0;
  types[0] = '\0';
  for (int k = 0; k < node->n_inputs && len < sizeof(types) - 16; k++) {
    const pnn_tensor *t = node->inputs[k];
    int n = snprintf(types + len, sizeof(types) - len, "%s%s", k ? ", " : "",
                     t ? pnn_type_name(t->type) : "-");
    if (n > 0) len += (size_t)n;
  }
  if (len >= sizeof(types) - 16) snprintf(types + len, 8, ", ...");
  return ctx_error(c, PNN_ERROR_UNSUPPORTED,
                   "op %d: unsupported operator %s (version %d) with input "
                   "types [%s]",
                   (int)node->index, node->name, (int)node->version, types);
}

static pnn_status choose_kernel(struct pnn_ctx *c, int32_t i) {
  pnn_node *node = &c->nodes[i];
  pnn_rt_node *rn = &c->rt_nodes[i];
  if (node->builtin == PNN_OP_CUSTOM) {
    /* API registrations win over the library's own custom kernels. */
    rn->custom = find_registered(c->interp, node->name, node->version);
    if (rn->custom) {
      node->kernel = &custom_adapter;
      if (rn->custom->init) {
        node->state =
            rn->custom->init(rn->custom->user, node->def->custom_options,
                             (size_t)node->def->custom_options_size);
        rn->custom_state = true;
      }
      return PNN_OK;
    }
    node->kernel = pnn_op_find_custom(node->name);
  } else {
    node->kernel = pnn_op_find_builtin(node->builtin);
  }
  return node->kernel ? PNN_OK : unsupported(c, node);
}

/* Ops that must run at invoke even with constant inputs: they call
 * subgraphs, touch state, or are random. */
static bool is_stateful(int32_t builtin) {
  switch (builtin) {
    case PNN_OP_CALL:
    case PNN_OP_CALL_ONCE:
    case PNN_OP_IF:
    case PNN_OP_WHILE:
    case PNN_OP_VAR_HANDLE:
    case PNN_OP_READ_VARIABLE:
    case PNN_OP_ASSIGN_VARIABLE:
    case PNN_OP_HASHTABLE:
    case PNN_OP_HASHTABLE_FIND:
    case PNN_OP_HASHTABLE_IMPORT:
    case PNN_OP_HASHTABLE_SIZE:
    case PNN_OP_RANDOM_STANDARD_NORMAL:
    case PNN_OP_RANDOM_UNIFORM:
    case PNN_OP_MULTINOMIAL: return true;
    default: return false;
  }
}

/* An op can be evaluated at prepare when its result cannot change between
 * invokes: every present input is constant, or (SHAPE, RANK) the result
 * depends only on an input's shape, which is fixed once prepared. */
static bool foldable(const struct pnn_ctx *c, const pnn_node *node) {
  if (c->rt_nodes[node->index].custom || is_stateful(node->builtin))
    return false;
  for (int k = 0; k < node->n_outputs; k++) {
    const pnn_rt_tensor *o = (const pnn_rt_tensor *)node->outputs[k];
    if (o && (o->t.def->is_variable || o->is_input)) return false;
  }
  int present = 0;
  for (int k = 0; k < node->n_inputs; k++) {
    if (!node->inputs[k]) continue;
    if (!node->inputs[k]->is_constant &&
        !(node->builtin == PNN_OP_SHAPE || node->builtin == PNN_OP_RANK))
      return false;
    present++;
  }
  return present > 0;
}

/* True for a stateless builtin whose outputs all have no elements: there
 * is nothing to compute, and kernels need not handle the NULL data of
 * zero-size tensors (found by fuzzing: pointer arithmetic on NULL). */
static bool nothing_to_compute(const struct pnn_ctx *c, const pnn_node *node) {
  if (c->rt_nodes[node->index].custom || is_stateful(node->builtin) ||
      node->n_outputs == 0)
    return false;
  for (int k = 0; k < node->n_outputs; k++)
    if (node->outputs[k] && node->outputs[k]->bytes) return false;
  return true;
}

static pnn_status fold(struct pnn_ctx *c, pnn_node *node) {
  pnn_rt_node *rn = &c->rt_nodes[node->index];
  for (int k = 0; k < node->n_outputs; k++) {
    pnn_tensor *o = node->outputs[k];
    if (!o) continue;
    /* A folded output replaces an arena tensor: the arena cap holds. */
    size_t cap = c->interp->opts.max_arena_bytes;
    if (cap && o->bytes > cap)
      return pnn_node_error(node, PNN_ERROR_LIMIT,
                            "output %d (%s): folding it needs %zu bytes but "
                            "max_arena_bytes is %zu",
                            k, o->name, o->bytes, cap);
    o->data = o->bytes ? pnn_pool_alloc(&c->pool, o->bytes)
                       : (void *)&empty_tensor_data;
    if (o->bytes && !o->data) return PNN_ERROR_OUT_OF_MEMORY;
    o->kind = PNN_TENSOR_CONSTANT;
  }
  /* Scratch is only needed for this one run: borrow it from the heap. */
  void *scratch = NULL;
  if (rn->scratch_request) {
    scratch = aligned_alloc(PNN_ARENA_ALIGN,
                            (rn->scratch_request + PNN_ARENA_ALIGN - 1) /
                                PNN_ARENA_ALIGN * PNN_ARENA_ALIGN);
    if (!scratch) return PNN_ERROR_OUT_OF_MEMORY;
  }
  node->scratch = scratch;
  node->scratch_bytes = rn->scratch_request;
  unsigned before = c->interp->error_set;
  pnn_status s =
      nothing_to_compute(c, node) ? PNN_OK : node->kernel->eval(node);
  free(scratch);
  node->scratch = NULL;
  node->scratch_bytes = 0;
  if (s) {
    if (c->interp->error_set == before)
      pnn_node_error(node, s, "failed while folding constants (%s)",
                     pnn_status_string(s));
    return s;
  }
  for (int k = 0; k < node->n_outputs; k++)
    if (node->outputs[k]) node->outputs[k]->is_constant = true;
  rn->folded = true;
  return PNN_OK;
}

static pnn_status prepare_node(struct pnn_ctx *c, int32_t i) {
  pnn_node *node = &c->nodes[i];
  pnn_status s = choose_kernel(c, i);
  if (s) return s;
  /* A sparse constant holds its compressed data (setup_constant), fewer
   * bytes than its dense shape: only DENSIFY reads that form. */
  for (int k = 0; k < node->n_inputs; k++) {
    const pnn_tensor *t = node->inputs[k];
    if (t && t->is_constant && t->def && t->def->sparsity &&
        node->builtin != PNN_OP_DENSIFY)
      return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                            "input %d (%s) is a sparse (compressed) "
                            "constant; only DENSIFY reads those",
                            k, t->name);
  }
  unsigned before = c->interp->error_set;
  c->current_op = i;
  c->state_refused = 0;
  s = node->kernel->prepare ? node->kernel->prepare(node) : PNN_OK;
  if (s && c->state_refused)
    /* The op saw NULL from pnn_node_alloc_persistent and says "out of
     * memory"; the real cause is the cap. */
    return pnn_node_error(node, PNN_ERROR_LIMIT,
                          "op state of %zu bytes exceeds max_arena_bytes %zu",
                          c->state_refused, c->interp->opts.max_arena_bytes);
  if (s) {
    if (c->interp->error_set == before)
      pnn_node_error(node, s, "prepare failed (%s)", pnn_status_string(s));
    return s;
  }
  for (int k = 0; k < node->n_outputs; k++) {
    pnn_rt_tensor *o = (pnn_rt_tensor *)node->outputs[k];
    if (o && !o->shape_set)
      return pnn_node_error(
          node, PNN_ERROR_UNSUPPORTED,
          "output %d (%s): shape not known at prepare (data-dependent "
          "output shapes are not supported)",
          k, o->t.name);
  }
  if (foldable(c, node)) {
    s = fold(c, node);
    if (s == PNN_ERROR_OUT_OF_MEMORY && c->interp->error_set == before)
      return pnn_node_error(node, s, "out of memory folding constants");
    if (s) return s;
  }
  return PNN_OK;
}

/* Constant data in the model's read-only file mapping that no op reads
 * again: its whole pages are given back to the OS (MADV_DONTNEED), so the
 * float32 weights read once for packing do not stay in RSS beside their
 * packed copies. The data stays valid: a later read (another interpreter
 * of the same model) pages it in from the file again. */
static void drop_mapped_pages(const struct pnn_ctx *c, const void *p,
                              size_t bytes) {
#if defined(__linux__) && defined(MADV_DONTNEED)
  const pnn_model *m = c->interp->model;
  if (!m->mapping || !bytes) return;
  const uintptr_t lo = (uintptr_t)m->mapping, hi = lo + m->mapping_size;
  const uintptr_t a = (uintptr_t)p;
  if (a < lo || a > hi || bytes > hi - a) return;
  const long ps = sysconf(_SC_PAGESIZE);
  if (ps <= 0) return;
  const uintptr_t page = (uintptr_t)ps;
  const uintptr_t first = (a + page - 1) / page * page;
  const uintptr_t last = (a + bytes) / page * page;
  if (last > first) madvise((void *)first, last - first, MADV_DONTNEED);
#else
  (void)c, (void)p, (void)bytes;
#endif
}

/* After op i is prepared: frees the constants whose last reader is op i
 * and that no op reads at eval (every reader was folded, or keeps a packed
 * copy and said so with pnn_node_input_packed), e.g. float16 weights
 * dequantized at prepare and then packed for the GEMM. Done op by op, so
 * at most a few such constants exist at once during prepare (peak RSS).
 * Only memory the pool owns in a chunk of its own can go (large folded or
 * copied constants; mapped model data stays); subgraph inputs, outputs
 * and variables, which the API can hand out, always stay. A freed
 * tensor's data is NULL. use[t]: 1 read at prepare only, 3 read at eval. */
static void release_packed_constants(struct pnn_ctx *c, int32_t i,
                                     uint8_t *use) {
  const pnn_node *node = &c->nodes[i];
  const pnn_rt_node *rn = &c->rt_nodes[i];
  for (int k = 0; k < node->n_inputs; k++) {
    const pnn_rt_tensor *rt = (const pnn_rt_tensor *)node->inputs[k];
    if (!rt || rt < c->tensors || rt >= c->tensors + c->n_tensors) continue;
    const bool packed = k < 64 && (rn->packed_inputs >> k & 1);
    use[rt - c->tensors] |= rn->folded || packed ? 1 : 3;
  }
  for (int k = 0; k < node->n_inputs; k++) {
    pnn_rt_tensor *rt = (pnn_rt_tensor *)node->inputs[k];
    if (!rt || rt < c->tensors || rt >= c->tensors + c->n_tensors) continue;
    pnn_tensor *t = &rt->t;
    if (rt->last_use != i || use[rt - c->tensors] != 1 || !t->is_constant ||
        !t->data || t->kind != PNN_TENSOR_CONSTANT || rt->is_input ||
        rt->is_output || (t->def && t->def->is_variable))
      continue;
    if (pnn_pool_release(&c->pool, t->data))
      t->data = NULL;
    else
      drop_mapped_pages(c, t->data, t->bytes);
  }
}

/* ------------------------------------------------------------ planner */

/* Tensors in the arena are live from their producer (subgraph inputs: from
 * the start) to their last reader (subgraph inputs and outputs: to the
 * end, so callers can read them after invoke); a node's scratch lives only
 * during that node. */
static pnn_status plan(struct pnn_ctx *c) {
  int32_t end = c->n_nodes; /* one past the last op: "after invoke" */
  int32_t n = c->n_tensors + c->n_nodes;
  pnn_plan_buffer *bufs = calloc((size_t)(n ? n : 1), sizeof(*bufs));
  if (!bufs) return ctx_error(c, PNN_ERROR_OUT_OF_MEMORY, "no memory to plan");
  for (int32_t i = 0; i < c->n_tensors; i++) {
    pnn_rt_tensor *rt = &c->tensors[i];
    if (rt->t.kind != PNN_TENSOR_ARENA || rt->t.is_constant) continue;
    bool used =
        rt->is_input || rt->is_output || rt->producer >= 0 || rt->last_use >= 0;
    if (!used) continue;
    int32_t first = rt->is_input || rt->producer < 0 ? 0 : rt->producer;
    int32_t last = rt->last_use > first ? rt->last_use : first;
    if (rt->is_input || rt->is_output) last = end;
    bufs[i] = (pnn_plan_buffer){rt->t.bytes, first, last, 0};
  }
  for (int32_t i = 0; i < c->n_nodes; i++) {
    pnn_rt_node *rn = &c->rt_nodes[i];
    if (!rn->folded && rn->scratch_request)
      bufs[c->n_tensors + i] = (pnn_plan_buffer){rn->scratch_request, i, i, 0};
  }
  size_t bytes;
  pnn_status s = pnn_plan_arena(bufs, n, &bytes);
  if (s) {
    free(bufs);
    return ctx_error(c, s, "arena plan failed: %s",
                     s == PNN_ERROR_LIMIT ? "sizes overflow" : "no memory");
  }
  size_t cap = c->interp->opts.max_arena_bytes;
  size_t others = pnn_rt_total_arena(c->interp) - c->arena_bytes;
  if (cap && (bytes > cap || others + bytes > cap)) {
    free(bufs);
    return ctx_error(c, PNN_ERROR_LIMIT,
                     "arena needs %zu bytes (%zu for this subgraph) but "
                     "max_arena_bytes is %zu",
                     others + bytes, bytes, cap);
  }
  if (bytes) {
    c->arena = aligned_alloc(PNN_ARENA_ALIGN, bytes);
    if (!c->arena) {
      free(bufs);
      return ctx_error(c, PNN_ERROR_OUT_OF_MEMORY,
                       "cannot allocate an arena of %zu bytes", bytes);
    }
    c->arena_bytes = bytes;
  }
  uint8_t *base = c->arena;
  for (int32_t i = 0; i < c->n_tensors; i++) {
    pnn_tensor *t = &c->tensors[i].t;
    if (bufs[i].size) t->data = base + bufs[i].offset;
    else if (!t->bytes && !t->data) t->data = &empty_tensor_data;
  }
  for (int32_t i = 0; i < c->n_nodes; i++) {
    pnn_plan_buffer *b = &bufs[c->n_tensors + i];
    c->nodes[i].scratch = b->size ? base + b->offset : NULL;
    c->nodes[i].scratch_bytes = b->size;
    c->rt_nodes[i].scratch_offset = b->offset;
  }
  free(bufs);
  return PNN_OK;
}

/* ------------------------------------------------- prepare entry points */

static pnn_status prepare_ctx(struct pnn_ctx *c) {
  pnn_rt_ctx_reset(c);
  c->state = PNN_CTX_PREPARING;
  c->generation = c->interp->generation;
  pnn_rt_scan_hybrid(c);
  pnn_status s = setup_tensors(c);
  if (s) goto fail;
  c->n_nodes = c->def->n_ops;
  c->nodes =
      pnn_pool_calloc(&c->pool, (size_t)c->n_nodes + 1, sizeof(*c->nodes));
  c->rt_nodes =
      pnn_pool_calloc(&c->pool, (size_t)c->n_nodes + 1, sizeof(*c->rt_nodes));
  if (!c->nodes || !c->rt_nodes) {
    s = ctx_error(c, PNN_ERROR_OUT_OF_MEMORY, "no memory for nodes");
    goto fail;
  }
  for (int32_t i = 0; i < c->n_nodes; i++) {
    if ((s = build_node(c, i))) {
      ctx_error(c, s, "op %d: no memory", (int)i);
      goto fail;
    }
  }
  /* Which constants ops still read at eval (release_packed_constants). */
  uint8_t *use = calloc((size_t)c->n_tensors + 1, 1);
  if (!use) {
    s = ctx_error(c, PNN_ERROR_OUT_OF_MEMORY, "no memory for tensor uses");
    goto fail;
  }
  for (int32_t i = 0; i < c->n_nodes; i++) {
    if ((s = prepare_node(c, i))) {
      free(use);
      goto fail;
    }
    release_packed_constants(c, i, use);
  }
  free(use);
  c->current_op = -1;
  if ((s = pnn_rt_fuse(c))) goto fail;
  if ((s = plan(c))) goto fail;
  c->state = PNN_CTX_READY;
  c->epoch++;
  return PNN_OK;
fail:
  c->current_op = -1;
  /* Keep the message; drop the half-built plan so nothing dangles. */
  pnn_rt_ctx_reset(c);
  return s;
}

pnn_status pnn_rt_prepare_root(struct pnn_ctx *c) {
  if (c->state == PNN_CTX_PREPARING)
    return ctx_error(c, PNN_ERROR_INVALID_STATE,
                     "allocate called while this subgraph is being prepared");
  c->interp->generation++;
  return prepare_ctx(c);
}

static bool same_shape(const pnn_tensor *a, const pnn_tensor *b) {
  return a->type == b->type && a->rank == b->rank &&
         memcmp(a->dims, b->dims, sizeof(int32_t) * (size_t)a->rank) == 0;
}

pnn_status pnn_rt_prepare_child(pnn_node *node, int32_t index,
                                pnn_tensor *const *in, int n_in,
                                struct pnn_ctx **out) {
  struct pnn_interpreter *interp = node->ctx->interp;
  *out = NULL;
  if (index < 0 || index >= interp->n_ctx)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "subgraph index %d out of range (model has %d)",
                          (int)index, (int)interp->n_ctx);
  struct pnn_ctx *child = &interp->ctx[index];
  if (child->state == PNN_CTX_PREPARING)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "subgraph %d is reachable from itself (recursion "
                          "is not supported)",
                          (int)index);
  if (child->def->inputs.count != n_in)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "subgraph %d takes %d inputs, op passes %d",
                          (int)index, (int)child->def->inputs.count, n_in);
  bool same = child->state == PNN_CTX_READY;
  for (int k = 0; k < n_in; k++) {
    pnn_tensor *t = pnn_rt_input(child, k);
    if (!t || !in[k])
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "input %d of subgraph %d is absent", k, (int)index);
    if (t->type != in[k]->type)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "input %d of subgraph %d (%s) is %s, op passes %s",
                            k, (int)index, t->name, pnn_type_name(t->type),
                            pnn_type_name(in[k]->type));
    if (!same_shape(t, in[k])) same = false;
  }
  if (same) {
    *out = child;
    return PNN_OK;
  }
  if (child->state == PNN_CTX_READY && child->generation == interp->generation)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "subgraph %d is called with different input shapes "
                          "by two ops",
                          (int)index);
  for (int k = 0; k < n_in; k++) {
    pnn_rt_tensor *rt = (pnn_rt_tensor *)pnn_rt_input(child, k);
    pnn_rt_set_shape(&rt->t, in[k]->type, in[k]->dims, in[k]->rank);
    rt->shape_set = true;
  }
  pnn_status s = prepare_ctx(child);
  if (s) return s;
  *out = child;
  return PNN_OK;
}

/* ------------------------------------------------------------- invoke */

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

pnn_status pnn_rt_invoke(struct pnn_ctx *c) {
  if (c->state != PNN_CTX_READY)
    return ctx_error(c, PNN_ERROR_INVALID_STATE,
                     "not allocated: call allocate before invoke (again "
                     "after a resize)");
  bool profile = c->interp->profiling;
  for (int32_t i = 0; i < c->n_nodes; i++) {
    pnn_node *node = &c->nodes[i];
    if (c->rt_nodes[i].folded || c->rt_nodes[i].elided ||
        nothing_to_compute(c, node)) {
      if (profile) c->op_ns[i] = 0;
      if (c->interp->node_hook && c->index == 0 && c->rt_nodes[i].folded)
        c->interp->node_hook(c->interp->node_hook_user, node);
      continue;
    }
    uint64_t t0 = profile ? now_ns() : 0;
    unsigned before = c->interp->error_set;
    c->current_op = i;
    pnn_status s = node->kernel->eval(node);
    c->current_op = -1;
    if (s) {
      if (c->interp->error_set == before)
        pnn_node_error(node, s, "eval failed (%s)", pnn_status_string(s));
      return s;
    }
    if (profile) c->op_ns[i] = now_ns() - t0;
    if (c->interp->node_hook && c->index == 0)
      c->interp->node_hook(c->interp->node_hook_user, node);
  }
  return PNN_OK;
}

pnn_status pnn_rt_invoke_child(pnn_node *node, struct pnn_ctx *child,
                               uint64_t epoch) {
  if (child->state != PNN_CTX_READY || child->epoch != epoch)
    return pnn_node_error(node, PNN_ERROR_INVALID_STATE,
                          "subgraph %d was re-planned by another allocate "
                          "since this op was prepared; allocate again",
                          (int)child->index);
  return pnn_rt_invoke(child);
}

int pnn_rt_input_count(const struct pnn_ctx *c) {
  return c->def->inputs.count;
}
int pnn_rt_output_count(const struct pnn_ctx *c) {
  return c->def->outputs.count;
}
pnn_tensor *pnn_rt_input(struct pnn_ctx *c, int i) {
  if (i < 0 || i >= c->def->inputs.count) return NULL;
  int32_t ti = c->def->inputs.data[i];
  return ti >= 0 && ti < c->n_tensors ? &c->tensors[ti].t : NULL;
}
pnn_tensor *pnn_rt_output(struct pnn_ctx *c, int i) {
  if (i < 0 || i >= c->def->outputs.count) return NULL;
  int32_t ti = c->def->outputs.data[i];
  return ti >= 0 && ti < c->n_tensors ? &c->tensors[ti].t : NULL;
}
