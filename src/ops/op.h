/* The contract between the runtime and the operators.
 *
 * An operator is a pnn_op_kernel: prepare() then eval().
 *   prepare: check input count, types and shapes (every check an op needs:
 *            the verifier only checked structure); set every output's type
 *            and shape with pnn_node_resize_output(); compute whatever can
 *            be computed once (multipliers, packed weights, index tables)
 *            into memory from pnn_node_alloc_persistent(); ask for scratch
 *            memory with pnn_node_request_scratch(). Constant inputs
 *            (is_constant) already have their data here.
 *   eval:    compute outputs from inputs. No allocation, no shape checks
 *            that prepare could have done. Data-dependent failures (a
 *            gather index out of range) return pnn_node_error(node,
 *            PNN_ERROR_RUNTIME, ...).
 * Errors name the problem; the runtime prefixes "op N (NAME): ".
 */
#ifndef PNN_OPS_OP_H
#define PNN_OPS_OP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "format/model.h"
#include "pocketnn.h"

enum pnn_tensor_kind {
  PNN_TENSOR_ARENA = 0,   /* planned in the activation arena */
  PNN_TENSOR_CONSTANT,    /* model buffer (zero-copy) or folded at prepare */
  PNN_TENSOR_PERSISTENT,  /* variables and other tensors that outlive invoke */
};

struct pnn_tensor {
  pnn_type type;
  int32_t rank;
  int32_t dims[PNN_MAX_RANK];
  void *data;                  /* NULL until planned (or for 0 bytes) */
  size_t bytes;                /* element count * type size */
  const char *name;            /* never NULL */
  const pnn_tensor_def *def;   /* NULL for runtime-made tensors */
  /* Quantization (from the def). scale == 0 means not quantized. */
  float scale;                 /* first scale */
  int32_t zero_point;          /* first zero point */
  const pnn_quant_def *quant;  /* per-channel details; NULL if none */
  uint8_t kind;                /* enum pnn_tensor_kind */
  bool is_constant;            /* data fixed at prepare */
};

struct pnn_ctx;                /* runtime-private */

struct pnn_node {
  int32_t index;               /* operator index in its subgraph */
  int32_t subgraph;            /* subgraph index */
  int32_t builtin;             /* PNN_OP_*, PNN_OP_CUSTOM for custom ops */
  const char *name;            /* "CONV_2D" or the custom code */
  int32_t version;             /* OperatorCode.version */
  const pnn_op_def *def;
  const pnn_builtin_options *options; /* &def->options */
  int n_inputs, n_outputs;
  pnn_tensor **inputs;         /* entry NULL = absent optional input (-1) */
  pnn_tensor **outputs;
  const struct pnn_op_kernel *kernel;
  void *state;                 /* op state (persistent memory) */
  void *scratch;               /* scratch_bytes of arena memory, eval only */
  size_t scratch_bytes;
  struct pnn_ctx *ctx;
};

typedef struct pnn_op_kernel {
  pnn_status (*prepare)(pnn_node *node);
  pnn_status (*eval)(pnn_node *node);
} pnn_op_kernel;

/* Registration tables, one per op family file, ending with {-1, NULL}. */
typedef struct pnn_op_entry {
  int32_t builtin;
  const pnn_op_kernel *kernel;
} pnn_op_entry;

typedef struct pnn_custom_entry {
  const char *name;            /* custom_code; NULL ends the table */
  const pnn_op_kernel *kernel;
} pnn_custom_entry;

/* Kernel for a builtin code / custom name, or NULL if unsupported. */
const pnn_op_kernel *pnn_op_find_builtin(int32_t builtin);
const pnn_op_kernel *pnn_op_find_custom(const char *name);

/* ---- services the runtime gives ops (implemented in src/runtime) ---- */

/* Zeroed memory that lives until the next prepare or interpreter free.
 * NULL on out of memory (the op then fails with PNN_ERROR_OUT_OF_MEMORY). */
void *pnn_node_alloc_persistent(pnn_node *node, size_t bytes);
/* Asks for `bytes` of scratch, available as node->scratch during eval.
 * Calling it again replaces the request (the largest one wins). */
pnn_status pnn_node_request_scratch(pnn_node *node, size_t bytes);

/* prepare: the op keeps its own copy of constant input i (packed weights)
 * and will not read that tensor at eval. Once every reader of a constant
 * has said so (or was folded), the runtime frees the constant's memory
 * after prepare, if it owns it and the tensor is no subgraph input or
 * output (tensors the API hands out); its data is then NULL. */
void pnn_node_input_packed(pnn_node *node, int i);

/* prepare: the node that writes input i, if it is an earlier node of the
 * same subgraph (already prepared, its state set); NULL otherwise
 * (subgraph inputs, constants without a producer). For prepare-time
 * fusion: an op may read the producer's state, never change it. */
const pnn_node *pnn_node_input_producer(const pnn_node *node, int i);

/* prepare: true when a float CONV_2D / DEPTHWISE_CONV_2D /
 * FULLY_CONNECTED / BATCH_MATMUL node must use the reference-order
 * kernels (src/kernels/f32_refacc.h) rather than the fast FMA ones, and
 * an exp-based activation (LOGISTIC, TANH, ELU, GELU, EXP) libm per
 * element rather than the SIMD approximations: float_accumulation
 * REFERENCE_ORDER, or AUTO and the node's subgraph holds dynamic-range
 * (hybrid) ops (src/runtime/float_acc.c). */
bool pnn_node_float_reference_order(const pnn_node *node);

/* prepare: checks the op's work per invoke, a * b * c inner-loop steps
 * (e.g. output elements x window taps x input channels; saturating, a
 * factor <= 0 counts as 0), against the interpreter's max_op_work;
 * PNN_ERROR_LIMIT with a message naming `what` (the op's parameter, e.g.
 * "filter 3x3 over 16 channels") and the figures otherwise. */
pnn_status pnn_node_check_work(pnn_node *node, const char *what, int64_t a,
                               int64_t b, int64_t c);
/* a * b saturating at INT64_MAX (a factor <= 0 gives 0), for the factors
 * of pnn_node_check_work. */
static inline int64_t pnn_work_mul(int64_t a, int64_t b) {
  if (a <= 0 || b <= 0) return 0;
  return a > INT64_MAX / b ? INT64_MAX : a * b;
}

/* Runs fn(arg, begin, end) over [0, n) split into chunks across the
 * interpreter's threads (inline when single-threaded). eval only. */
typedef void (*pnn_range_fn)(void *arg, int64_t begin, int64_t end);
void pnn_node_parallel_for(pnn_node *node, int64_t n, pnn_range_fn fn,
                           void *arg);

#endif
