/* Runtime internals: the interpreter, its per-subgraph state, and the
 * services control-flow ops use to run other subgraphs.
 *
 * One interpreter holds one pnn_ctx per model subgraph. Each ctx owns its
 * runtime tensors, nodes, a persistent pool (folded constants, copied
 * constants, op state, variables) and one activation arena. Everything is
 * built at prepare; invoke only runs nodes in order.
 *
 * Subgraphs are prepared on demand: the main one (0) or a signature's by
 * the API ("roots"), the others by the control-flow ops that call them
 * ("children"). A child keeps its plan while the shapes it is called with
 * do not change, so a model whose IF/WHILE bodies are shared by several
 * roots prepares them once. */
#ifndef PNN_RUNTIME_RUNTIME_H
#define PNN_RUNTIME_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ops/op.h"
#include "runtime/threadpool.h"
#include "util/pool.h"

/* A runtime tensor. The public API hands out &rt->t; since every
 * pnn_tensor the API returns comes from here, the API can find its
 * interpreter back (for error messages) from the tensor. */
typedef struct pnn_rt_tensor {
  pnn_tensor t;
  struct pnn_ctx *ctx;
  int32_t index;    /* tensor index in its subgraph */
  bool shape_set;   /* output shape given by its op's prepare */
  bool is_input;    /* a subgraph input */
  bool is_output;   /* a subgraph output */
  int32_t producer; /* op index writing it, -1 if none */
  int32_t last_use; /* last op index reading it, -1 if none */
} pnn_rt_tensor;

/* Runtime-private per-node data beside the pnn_node an op sees. */
typedef struct pnn_rt_node {
  const pnn_custom_op *custom; /* API-registered custom op, or NULL */
  bool custom_state;           /* node->state came from custom->init */
  bool folded;                 /* evaluated at prepare; skipped at invoke */
  bool elided; /* another op computes its result (fuse.c): skipped at
                  invoke; its own outputs are not written */
  uint64_t packed_inputs;      /* bit i: input i never read at eval */
  size_t scratch_request;
  size_t scratch_offset; /* in the arena */
} pnn_rt_node;

enum pnn_ctx_state {
  PNN_CTX_EMPTY = 0, /* never prepared, or invalidated by a resize */
  PNN_CTX_PREPARING, /* on the prepare stack: reaching it = recursion */
  PNN_CTX_READY,
};

struct pnn_ctx {
  struct pnn_interpreter *interp;
  int32_t index; /* subgraph index */
  const pnn_subgraph_def *def;
  int state;           /* enum pnn_ctx_state */
  bool has_hybrid_ops; /* set at prepare start (float_acc.c) */
  uint64_t epoch;      /* bumped at each successful prepare */
  uint64_t generation; /* root allocate that last prepared it */
  int32_t n_tensors;
  pnn_rt_tensor *tensors; /* malloc'ed at create, reset at prepare */
  int32_t n_nodes;
  pnn_node *nodes; /* from pool, rebuilt at prepare */
  pnn_rt_node *rt_nodes;
  uint64_t *op_ns; /* profile of the last invoke */
  pnn_pool pool;   /* persistent memory of this prepare */
  size_t state_refused; /* op-state bytes refused by the cap in this prepare */
  void *arena;     /* aligned_alloc'ed, 64-byte aligned */
  size_t arena_bytes;
  int32_t current_op; /* op being prepared/run, for messages */
  /* Sum of its ops' work estimates (pnn_node_check_work) at this prepare:
   * a WHILE charges body + condition per iteration against max_op_work. */
  uint64_t work;
};

struct pnn_interpreter {
  const pnn_model *model;
  pnn_interpreter_options opts;
  int32_t n_ctx;
  struct pnn_ctx *ctx;       /* one per subgraph */
  pnn_custom_op *custom_ops; /* registrations (malloc'ed) */
  int n_custom_ops;
  pnn_threadpool *pool;
  bool profiling;
  /* Internal observer (calibration, src/tools/calibrate.c): set before
   * allocate (a subgraph prepared with a hook is not fused, fuse.c). When set,
   * called after each node of subgraph 0 has run at invoke (and for nodes
   * folded at prepare), while its outputs still hold their values (the
   * arena may reuse them for later ops). Not part of the public API. */
  void (*node_hook)(void *user, const pnn_node *node);
  void *node_hook_user;
  uint64_t generation; /* counts root allocates */
  /* WHILE iterations of the current root invoke (control_flow.c), checked
   * against opts.max_loop_iterations; reset by each root invoke. */
  uint64_t loop_iterations;
  /* Work of those iterations (body + condition estimates), checked against
   * opts.max_op_work; reset with loop_iterations. */
  uint64_t loop_work;
  unsigned error_set;  /* counts recorded errors (wraps) */
  char error[1024];
};

/* Records a formatted message as the last error (and calls error_fn). */
pnn_status pnn_rt_error(struct pnn_interpreter *interp, pnn_status status,
                        const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Frees everything a prepare built for ctx (op state, pool, arena) and
 * resets its tensors to the model's description, keeping input shapes. */
void pnn_rt_ctx_reset(struct pnn_ctx *ctx);
/* Builds the runtime tensors of ctx from the model (once, at create). */
pnn_status pnn_rt_ctx_init(struct pnn_interpreter *interp, struct pnn_ctx *c,
                           int32_t index);
void pnn_rt_ctx_free(struct pnn_ctx *ctx);

/* Prepares ctx as a root (main subgraph or signature). */
pnn_status pnn_rt_prepare_root(struct pnn_ctx *ctx);
/* Prepare-time fusions over a prepared ctx, before its arena is planned
 * (fuse.c): marks producers a consumer took over as elided. */
pnn_status pnn_rt_fuse(struct pnn_ctx *ctx);
/* Runs a prepared ctx. */
pnn_status pnn_rt_invoke(struct pnn_ctx *ctx);

/* ---- for control-flow ops (control_flow.c) ---- */

/* Prepares subgraph `index` to be called by `node` with inputs of the types
 * and shapes of in[0..n_in): checks the index, the input count and types,
 * refuses recursion, and reuses an earlier plan when shapes are unchanged.
 * On success *out is the child; its epoch identifies this plan. */
pnn_status pnn_rt_prepare_child(pnn_node *node, int32_t index,
                                pnn_tensor *const *in, int n_in,
                                struct pnn_ctx **out);
/* Runs a child prepared for `node`; fails if another allocate re-planned
 * it since (epoch differs). */
pnn_status pnn_rt_invoke_child(pnn_node *node, struct pnn_ctx *child,
                               uint64_t epoch);
int pnn_rt_input_count(const struct pnn_ctx *ctx);
int pnn_rt_output_count(const struct pnn_ctx *ctx);
pnn_tensor *pnn_rt_input(struct pnn_ctx *ctx, int i);
pnn_tensor *pnn_rt_output(struct pnn_ctx *ctx, int i);

/* Sets type and shape of tensor t (checked: rank, dims >= 0, byte size
 * overflow). Returns a static description of the problem or NULL. */
const char *pnn_rt_set_shape(pnn_tensor *t, pnn_type type, const int32_t *dims,
                             int rank);

/* The interpreter-wide total of arena bytes over prepared subgraphs. */
size_t pnn_rt_total_arena(const struct pnn_interpreter *interp);

/* Records whether subgraph c has dynamic-range (hybrid) ops, once per
 * prepare, for pnn_node_float_reference_order (float_acc.c). */
void pnn_rt_scan_hybrid(struct pnn_ctx *c);

#endif
