/* A mutable view of a decoded model for the model tools (optimize,
 * quantize): tables copied into growable arrays that passes edit by index,
 * then written back as a pnn_model_def with the format/ writer.
 *
 * Memory: the graph owns its arrays (heap) and a pool for new data
 * (folded constants, new names, op input vectors). Buffer data of the
 * source model is borrowed, so the source model must outlive the graph.
 * Op input/output vectors are always pool copies, so passes may write
 * them through pnn_ge_ins()/pnn_ge_outs().
 *
 * Indices stay stable while passes add tensors, buffers or opcodes;
 * removing ops shifts later op indices (callers walk ops by index and
 * re-check after a removal). Unused tensors, buffers and opcodes stay
 * until pnn_ge_compact(). */
#ifndef PNN_TOOLS_GRAPH_EDIT_H
#define PNN_TOOLS_GRAPH_EDIT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "format/model.h"
#include "util/pool.h"

typedef struct pnn_ge_subgraph {
  const char *name;
  pnn_tensor_def *tensors;
  int32_t n_tensors, cap_tensors;
  pnn_op_def *ops;
  int32_t n_ops, cap_ops;
  int32_t *inputs, *outputs;
  int32_t n_inputs, n_outputs;
} pnn_ge_subgraph;

typedef struct pnn_ge_graph {
  pnn_pool pool;
  uint32_t version;
  const char *description;
  pnn_opcode_def *opcodes;
  int32_t n_opcodes, cap_opcodes;
  pnn_buffer_def *buffers;
  int32_t n_buffers, cap_buffers;
  pnn_ge_subgraph *subgraphs;
  int32_t n_subgraphs;
  int32_t *metadata_buffer;
  int32_t n_metadata_buffer;
  pnn_metadata_def *metadata;
  int32_t n_metadata;
  pnn_signature_def *sigs; /* tensor maps are pool copies (mutable) */
  int32_t n_sigs;
  /* View rebuilt by pnn_ge_def. */
  pnn_subgraph_def *sg_view;
  pnn_model_def view;
} pnn_ge_graph;

/* Copies the tables of `m` into g. PNN_ERROR_OUT_OF_MEMORY on failure
 * (g is then freed). */
pnn_status pnn_ge_init(pnn_ge_graph *g, const pnn_model_def *m);
void pnn_ge_free(pnn_ge_graph *g);

/* The graph as a pnn_model_def (valid until the next edit). */
const pnn_model_def *pnn_ge_def(pnn_ge_graph *g);

/* Mutable input/output vectors of an op. */
static inline int32_t *pnn_ge_ins(pnn_op_def *op) {
  return (int32_t *)op->inputs.data;
}
static inline int32_t *pnn_ge_outs(pnn_op_def *op) {
  return (int32_t *)op->outputs.data;
}

/* Builtin code of op (PNN_OP_*), or -1 for a custom op. */
int32_t pnn_ge_op_code(const pnn_ge_graph *g, const pnn_op_def *op);

/* Constant data of tensor t (NULL if it has none). */
const pnn_buffer_def *pnn_ge_const(const pnn_ge_graph *g,
                                   const pnn_tensor_def *t);
/* Number of elements of t's static shape (0 for rank > 0 with a 0 dim). */
int64_t pnn_ge_elems(const pnn_tensor_def *t);
/* t's data when t is a dense float32 constant (not quantized, not a
 * variable, with a buffer of exactly its size), else NULL. */
const float *pnn_ge_const_f32(const pnn_ge_graph *g, const pnn_tensor_def *t);

/* Index of the op producing tensor t in sg, or -1. */
int32_t pnn_ge_producer(const pnn_ge_subgraph *sg, int32_t t);
/* Number of op input slots reading t (an op reading it twice counts 2). */
int32_t pnn_ge_use_count(const pnn_ge_subgraph *sg, int32_t t);
/* The single op reading t (exactly one use), else -1. */
int32_t pnn_ge_single_consumer(const pnn_ge_subgraph *sg, int32_t t);
bool pnn_ge_is_sg_output(const pnn_ge_subgraph *sg, int32_t t);
bool pnn_ge_is_sg_input(const pnn_ge_subgraph *sg, int32_t t);
/* True if t is a subgraph input/output or named by a signature. */
bool pnn_ge_is_interface(const pnn_ge_graph *g, int32_t sgi, int32_t t);
/* Replaces every op input reading `from` with `to` in sg. */
void pnn_ge_replace_uses(pnn_ge_subgraph *sg, int32_t from, int32_t to);

/* Adds a buffer holding a copy of `size` bytes; returns its index or -1. */
int32_t pnn_ge_add_buffer(pnn_ge_graph *g, const void *data, size_t size);
/* Adds a tensor (a copy of *t; name copied); returns its index or -1. */
int32_t pnn_ge_add_tensor(pnn_ge_graph *g, int32_t sgi,
                          const pnn_tensor_def *t);
/* Index of an opcode for builtin `code` with version >= `version`
 * (added if missing), or -1. */
int32_t pnn_ge_opcode(pnn_ge_graph *g, int32_t code, int32_t version);
/* Inserts an op at position pos with the given inputs/outputs (copied);
 * the options are copied shallowly from *tmpl when non-NULL. Returns pos
 * or -1. */
int32_t pnn_ge_insert_op(pnn_ge_graph *g, int32_t sgi, int32_t pos,
                         uint32_t opcode_index, int n_in, const int32_t *in,
                         int n_out, const int32_t *out, const pnn_op_def *tmpl);
/* Sets op's input count to n (new slots -1); false on out of memory. */
bool pnn_ge_set_input_count(pnn_ge_graph *g, pnn_op_def *op, int n);
void pnn_ge_remove_op(pnn_ge_subgraph *sg, int32_t op);
/* Copy of a string into the graph's pool (NULL on out of memory). */
char *pnn_ge_strdup(pnn_ge_graph *g, const char *s);

/* Removes tensors no op, subgraph input/output or signature refers to,
 * buffers no tensor or metadata refers to, and opcodes no op uses.
 * Returns the counts removed. False on out of memory. */
typedef struct pnn_ge_compact_stats {
  int32_t tensors, buffers, opcodes;
} pnn_ge_compact_stats;
bool pnn_ge_compact(pnn_ge_graph *g, pnn_ge_compact_stats *st);

/* ------------------------------------------------------------- reports */

/* A growing text log of what the tools did (never printed by the
 * library; the CLI prints it). */
typedef struct pnn_tool_report {
  char *text;
  size_t len, cap;
} pnn_tool_report;

void pnn_report_add(pnn_tool_report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void pnn_report_free(pnn_tool_report *r);

#endif
