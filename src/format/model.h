/* The decoded model: plain C structs produced by the verifying reader and
 * consumed by the runtime, the CLI and the writer.
 *
 * Everything here was checked by the verifier (indices in range, sizes
 * consistent, no overflow), so readers of these structs do not re-check
 * structure; they still check semantics that depend on an op (e.g. that a
 * conv filter is 4-D), at prepare.
 *
 * Memory: all arrays, strings and decoded option vectors belong to the
 * model's pool (freed with the model). Buffer data points into the mapped or
 * borrowed file bytes (zero-copy), or into the pool when copied.
 * Tools may build or edit a pnn_model_def by hand (see writer.h); such a
 * model owns whatever its creator says it owns.
 */
#ifndef PNN_FORMAT_MODEL_H
#define PNN_FORMAT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "options.h"
#include "pocketnn.h"
#include "schema.h"

typedef struct pnn_quant_def {
  int32_t n_scale;       /* 0: no scale (not quantized) */
  const float *scale;
  int32_t n_zero_point;  /* equals n_scale when both present */
  const int64_t *zero_point;
  int32_t n_min, n_max;
  const float *min, *max;
  int32_t quantized_dimension;
  uint8_t details_type;  /* QuantizationDetails union type (1 = custom) */
  pnn_vec_u8 custom;     /* CustomQuantization.custom */
} pnn_quant_def;

typedef struct pnn_dim_metadata_def {
  int8_t format;         /* enum pnn_dimension_type */
  int32_t dense_size;
  /* SparseIndexVector: 0 none, 1 Int32Vector, 2 Uint16Vector, 3 Uint8Vector;
   * values are widened to int32 for use. */
  uint8_t segments_type, indices_type;
  pnn_vec_i32 segments, indices;
} pnn_dim_metadata_def;

typedef struct pnn_sparsity_def {
  pnn_vec_i32 traversal_order;
  pnn_vec_i32 block_map;
  int32_t n_dim_metadata;
  const pnn_dim_metadata_def *dim_metadata;
} pnn_sparsity_def;

typedef struct pnn_tensor_def {
  const char *name;            /* never NULL ("" when absent) */
  int32_t rank;
  const int32_t *shape;        /* rank entries, each >= 0 */
  int32_t signature_rank;      /* -1 when shape_signature is absent */
  const int32_t *shape_signature; /* entries >= -1 */
  pnn_type type;
  uint32_t buffer;             /* 0 = no data */
  bool has_quant;              /* a QuantizationParameters table exists */
  pnn_quant_def quant;
  const pnn_sparsity_def *sparsity; /* NULL if dense */
  bool is_variable;
  bool has_rank;
} pnn_tensor_def;

typedef struct pnn_opcode_def {
  int32_t builtin;             /* max(deprecated_builtin_code, builtin_code) */
  int8_t deprecated_builtin_code;
  int32_t builtin_code;
  const char *custom_code;     /* NULL when absent */
  int32_t version;
} pnn_opcode_def;

typedef struct pnn_op_def {
  uint32_t opcode_index;
  pnn_vec_i32 inputs;          /* -1 = absent optional input */
  pnn_vec_i32 outputs;
  pnn_vec_i32 intermediates;
  pnn_vec_bool mutating_variable_inputs;
  uint8_t options_type;        /* BuiltinOptions union type, 0 = none */
  pnn_builtin_options options; /* member chosen by options_type */
  uint8_t options2_type;       /* BuiltinOptions2 union type, 0 = none */
  pnn_builtin_options options2;
  const uint8_t *custom_options; /* inline vector or large_custom_options */
  uint64_t custom_options_size;
  int8_t custom_options_format;
  uint64_t large_custom_options_offset; /* nonzero: stored outside */
  uint64_t large_custom_options_size;
} pnn_op_def;

typedef struct pnn_subgraph_def {
  const char *name;
  int32_t n_tensors;
  const pnn_tensor_def *tensors;
  pnn_vec_i32 inputs;
  pnn_vec_i32 outputs;
  int32_t n_ops;
  const pnn_op_def *ops;
} pnn_subgraph_def;

typedef struct pnn_buffer_def {
  const uint8_t *data;         /* NULL when empty */
  uint64_t size;
  uint64_t offset;             /* nonzero: the offset/size form (> 2 GB) */
} pnn_buffer_def;

typedef struct pnn_metadata_def {
  const char *name;
  uint32_t buffer;
} pnn_metadata_def;

typedef struct pnn_tensor_map_def {
  const char *name;
  uint32_t tensor_index;
} pnn_tensor_map_def;

typedef struct pnn_signature_def {
  const char *key;
  uint32_t subgraph_index;
  int32_t n_inputs, n_outputs;
  const pnn_tensor_map_def *inputs, *outputs;
} pnn_signature_def;

typedef struct pnn_model_def {
  uint32_t version;
  const char *description;
  int32_t n_opcodes;
  const pnn_opcode_def *opcodes;
  int32_t n_subgraphs;
  const pnn_subgraph_def *subgraphs;
  int32_t n_buffers;
  const pnn_buffer_def *buffers;
  pnn_vec_i32 metadata_buffer;
  int32_t n_metadata;
  const pnn_metadata_def *metadata;
  int32_t n_signatures;
  const pnn_signature_def *signatures;
} pnn_model_def;

/* The loaded model behind the public pnn_model handle. */
struct pnn_model {
  pnn_model_def def;
  const uint8_t *bytes;        /* the whole file */
  size_t size;
  void *pool;                  /* owner of decoded arrays (see pool.h) */
  void *mapping;               /* mmap base, or NULL */
  size_t mapping_size;
  void *owned_copy;            /* PNN_LOAD_COPY buffer, or NULL */
};

/* Verifies `size` bytes and decodes them into `out` (all memory from
 * `pool`). On failure returns PNN_ERROR_INVALID_MODEL (or OUT_OF_MEMORY)
 * and writes a message naming table, field and index into err. */
struct pnn_pool;
pnn_status pnn_model_decode(const uint8_t *bytes, size_t size,
                            struct pnn_pool *pool, pnn_model_def *out,
                            char *err, size_t err_size);

/* Data of tensor t's buffer or NULL if it has none. */
static inline const pnn_buffer_def *pnn_model_tensor_buffer(
    const pnn_model_def *m, const pnn_tensor_def *t) {
  if (t->buffer == 0 || (int64_t)t->buffer >= m->n_buffers) return NULL;
  const pnn_buffer_def *b = &m->buffers[t->buffer];
  return b->size ? b : NULL;
}

#endif
