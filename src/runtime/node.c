/* Services the runtime gives ops: inputs/outputs, output shapes,
 * persistent and scratch memory, errors, and parallel_for. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "runtime/runtime.h"

int pnn_node_input_count(const pnn_node *node) {
  return node ? node->n_inputs : 0;
}

int pnn_node_output_count(const pnn_node *node) {
  return node ? node->n_outputs : 0;
}

pnn_tensor *pnn_node_input(pnn_node *node, int i) {
  if (!node || i < 0 || i >= node->n_inputs) return NULL;
  return node->inputs[i];
}

pnn_tensor *pnn_node_output(pnn_node *node, int i) {
  if (!node || i < 0 || i >= node->n_outputs) return NULL;
  return node->outputs[i];
}

void *pnn_node_state(pnn_node *node) {
  return node ? node->state : NULL;
}

pnn_status pnn_node_error(pnn_node *node, pnn_status status, const char *fmt,
                          ...) {
  if (!node || !node->ctx) return status;
  char msg[768] = "";
  if (fmt) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
  }
  const char *name = node->name ? node->name : "?";
  if (node->subgraph != 0)
    return pnn_rt_error(node->ctx->interp, status, "subgraph %d op %d (%s): %s",
                        (int)node->subgraph, (int)node->index, name, msg);
  return pnn_rt_error(node->ctx->interp, status, "op %d (%s): %s",
                      (int)node->index, name, msg);
}

pnn_status pnn_node_resize_output(pnn_node *node, int i, pnn_type type,
                                  const int32_t *dims, int rank) {
  if (!node || !node->ctx) return PNN_ERROR_INVALID_ARGUMENT;
  if (node->ctx->state != PNN_CTX_PREPARING)
    return pnn_node_error(node, PNN_ERROR_INVALID_STATE,
                          "output shapes can only change during prepare");
  if (i < 0 || i >= node->n_outputs || !node->outputs[i])
    return pnn_node_error(node, PNN_ERROR_INVALID_ARGUMENT,
                          "resize of output %d: no such output (op has %d)", i,
                          node->n_outputs);
  pnn_rt_tensor *rt = (pnn_rt_tensor *)node->outputs[i];
  /* A variable's storage was sized from its declared shape at setup: an op
   * may not give it another size (found by fuzzing: a write past it). */
  if (rt->t.kind == PNN_TENSOR_PERSISTENT) {
    size_t old_bytes = rt->t.bytes;
    pnn_tensor probe = rt->t;
    const char *w = pnn_rt_set_shape(&probe, type, dims, rank);
    if (w || probe.bytes != old_bytes)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "output %d (%s) is a variable of %zu bytes; the "
                            "op's output needs %zu",
                            i, rt->t.name, old_bytes, w ? (size_t)0 : probe.bytes);
  }
  const char *why = pnn_rt_set_shape(&rt->t, type, dims, rank);
  if (why)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL, "output %d (%s): %s",
                          i, rt->t.name, why);
  rt->shape_set = true;
  return PNN_OK;
}

const pnn_node *pnn_node_input_producer(const pnn_node *node, int i) {
  if (!node || !node->ctx || i < 0 || i >= node->n_inputs || !node->inputs[i])
    return NULL;
  const pnn_rt_tensor *rt = (const pnn_rt_tensor *)node->inputs[i];
  const struct pnn_ctx *c = node->ctx;
  if (rt->ctx != c || rt->producer < 0 || rt->producer >= node->index ||
      rt->producer >= c->n_nodes)
    return NULL;
  return &c->nodes[rt->producer];
}

void *pnn_node_alloc_persistent(pnn_node *node, size_t bytes) {
  /* Only during prepare: invoke must not allocate. */
  if (!node || !node->ctx || node->ctx->state != PNN_CTX_PREPARING) return NULL;
  /* No single piece of op state (a table, packed weights) may exceed
   * max_arena_bytes: a crafted shape must not make prepare allocate
   * gigabytes before the arena plan is ever checked against the cap. */
  struct pnn_ctx *c = node->ctx;
  size_t cap = c->interp->opts.max_arena_bytes;
  if (cap && bytes > cap) {
    c->state_refused = bytes;
    return NULL;
  }
  return pnn_pool_alloc(&c->pool, bytes);
}

pnn_status pnn_node_request_scratch(pnn_node *node, size_t bytes) {
  if (!node || !node->ctx) return PNN_ERROR_INVALID_ARGUMENT;
  if (node->ctx->state != PNN_CTX_PREPARING)
    return pnn_node_error(node, PNN_ERROR_INVALID_STATE,
                          "scratch can only be requested during prepare");
  if (bytes > SIZE_MAX / 4)
    return pnn_node_error(node, PNN_ERROR_LIMIT,
                          "scratch request of %zu bytes is too large", bytes);
  pnn_rt_node *rn = &node->ctx->rt_nodes[node->index];
  if (bytes > rn->scratch_request) rn->scratch_request = bytes;
  return PNN_OK;
}

/* a * b saturating at UINT64_MAX (negative factors count as 0). */
static uint64_t work_mul(uint64_t a, int64_t b) {
  if (b <= 0 || a == 0) return 0;
  return a > UINT64_MAX / (uint64_t)b ? UINT64_MAX : a * (uint64_t)b;
}

pnn_status pnn_node_check_work(pnn_node *node, const char *what, int64_t a,
                               int64_t b, int64_t c) {
  if (!node || !node->ctx) return PNN_OK;
  uint64_t cap = node->ctx->interp->opts.max_op_work;
  if (!cap) cap = PNN_DEFAULT_MAX_OP_WORK;
  uint64_t work = work_mul(work_mul(work_mul(1, a), b), c);
  if (work <= cap) {
    uint64_t *sum = &node->ctx->work;
    *sum = *sum > UINT64_MAX - work ? UINT64_MAX : *sum + work;
    return PNN_OK;
  }
  return pnn_node_error(node, PNN_ERROR_LIMIT,
                        "%s: %lld x %lld x %lld = %llu steps per invoke "
                        "exceed max_op_work %llu",
                        what ? what : "work", (long long)a, (long long)b,
                        (long long)c, (unsigned long long)work,
                        (unsigned long long)cap);
}

void pnn_node_input_packed(pnn_node *node, int i) {
  if (!node || !node->ctx || node->ctx->state != PNN_CTX_PREPARING || i < 0 ||
      i >= node->n_inputs || i >= 64)
    return;
  node->ctx->rt_nodes[node->index].packed_inputs |= UINT64_C(1) << i;
}

void pnn_node_parallel_for(pnn_node *node, int64_t n, pnn_range_fn fn,
                           void *arg) {
  if (!fn || n <= 0) return;
  pnn_threadpool *pool = node && node->ctx ? node->ctx->interp->pool : NULL;
  pnn_threadpool_run(pool, n, fn, arg);
}
