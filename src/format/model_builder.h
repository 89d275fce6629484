/* A small builder for .tflite models, for tests and tools: make tensors and
 * ops by index, get the file bytes (written with pnn_model_write).
 *
 * Example: a one-op model y = relu6(a + b) with a constant b.
 *
 *   pnn_mb *mb = pnn_mb_new();
 *   int32_t shape[] = {1, 4};
 *   float bias[] = {1, 2, 3, 4};
 *   int a = pnn_mb_tensor(mb, "a", PNN_TYPE_FLOAT32, 2, shape, NULL);
 *   int b = pnn_mb_tensor(mb, "b", PNN_TYPE_FLOAT32, 2, shape, bias);
 *   int y = pnn_mb_tensor(mb, "y", PNN_TYPE_FLOAT32, 2, shape, NULL);
 *   pnn_add_options add;
 *   pnn_mb_options_defaults(1, PNN_OPTIONS_OF(add), &add);
 *   add.fused_activation_function = PNN_ACT_RELU6;
 *   pnn_mb_op(mb, PNN_OP_ADD, PNN_OPTIONS_OF(add), &add,
 *             2, (int32_t[]){a, b}, 1, &y);
 *   pnn_mb_inputs(mb, 1, &a);
 *   pnn_mb_outputs(mb, 1, &y);
 *   pnn_model *model;
 *   if (pnn_mb_load(mb, &model) != PNN_OK)   // or pnn_mb_finish for bytes
 *     fprintf(stderr, "%s\n", pnn_mb_error(mb));
 *   pnn_mb_free(mb);
 *   ... pnn_interpreter_create(model, NULL, &interp) ...
 *
 * Indices: tensors and ops are numbered per subgraph from 0, buffers per
 * model from 1 (buffer 0 is the schema's empty sentinel). Every call that
 * makes something returns its index, or -1 on error.
 *
 * Errors never abort: the first error (bad index, bad size, out of memory)
 * is kept, every later call returns -1 and does nothing, and pnn_mb_finish
 * returns the error; pnn_mb_error names the call and argument.
 *
 * Everything passed in (names, data, options with their vectors and
 * strings) is copied; the caller's memory may be freed right after. */
#ifndef PNN_FORMAT_MODEL_BUILDER_H
#define PNN_FORMAT_MODEL_BUILDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "writer.h"

typedef struct pnn_mb pnn_mb;

/* A builder holding one empty subgraph (index 0, current, named "main"),
 * schema version 3, and the sentinel buffer 0. NULL if out of memory. */
pnn_mb *pnn_mb_new(void);
void pnn_mb_free(pnn_mb *mb);

/* PNN_OK or the first error, and its message ("" if none). */
pnn_status pnn_mb_status(const pnn_mb *mb);
const char *pnn_mb_error(const pnn_mb *mb);

/* Fills an options struct of union type `type` (set 1 = BuiltinOptions,
 * 2 = BuiltinOptions2) with the schema defaults: zero-initialisation is
 * not enough (e.g. dilation factors default to 1). No-op for unknown
 * types. */
void pnn_mb_options_defaults(int set, uint8_t type, void *options);

/* Model description (copied). */
void pnn_mb_description(pnn_mb *mb, const char *text);

/* A buffer holding a copy of `size` bytes; returns its index (>= 1). */
int pnn_mb_buffer(pnn_mb *mb, const void *data, size_t size);

/* A tensor in the current subgraph. const_data == NULL: an activation;
 * else a constant whose data (product(dims) * element size bytes) is
 * copied into a new buffer. rank 0 is a scalar. */
int pnn_mb_tensor(pnn_mb *mb, const char *name, pnn_type type, int rank,
                  const int32_t *dims, const void *const_data);
/* A tensor whose data is buffer `buffer` (from pnn_mb_buffer; for types
 * without a fixed element size such as STRING and INT4, or shared data). */
int pnn_mb_tensor_in_buffer(pnn_mb *mb, const char *name, pnn_type type,
                            int rank, const int32_t *dims, int buffer);
/* Sets tensor t's shape_signature (dims may be -1 for unknown). */
int pnn_mb_tensor_signature(pnn_mb *mb, int t, int rank, const int32_t *dims);
/* Quantization of tensor t: n scales and zero points (zero_points NULL =
 * all 0), per-channel along quantized_dimension when n > 1. */
int pnn_mb_tensor_quant(pnn_mb *mb, int t, int n, const float *scales,
                        const int64_t *zero_points, int quantized_dimension);
/* Marks tensor t as a variable (state kept across invokes). */
int pnn_mb_tensor_variable(pnn_mb *mb, int t);
/* Attaches sparsity parameters to tensor t (deep-copied). */
int pnn_mb_tensor_sparsity(pnn_mb *mb, int t, const pnn_sparsity_def *s);
/* Direct access to tensor t of the current subgraph for fields without a
 * setter (has_rank, min/max, custom quantization...). The pointer is valid
 * until the next builder call; pointers stored into the tensor must stay
 * valid until the model is written. NULL on a bad index. */
pnn_tensor_def *pnn_mb_tensor_def(pnn_mb *mb, int t);

/* An op of builtin code `builtin` (PNN_OP_*) in the current subgraph.
 * options_type: BuiltinOptions union type (PNN_OPTIONS_OF(x), 0 = none);
 * options: the typed struct (pnn_<x>_options), NULL = schema defaults.
 * Inputs may be -1 (absent optional input). The opcode (version 1) is
 * added to the model on first use. Returns the op index. */
int pnn_mb_op(pnn_mb *mb, int32_t builtin, uint8_t options_type,
              const void *options, int n_in, const int32_t *in, int n_out,
              const int32_t *out);
/* Sets op's BuiltinOptions2 member (stablehlo ops); NULL = defaults. */
int pnn_mb_op_options2(pnn_mb *mb, int op, uint8_t options2_type,
                       const void *options2);
/* Uses opcode version `version` for op (a separate opcode entry). */
int pnn_mb_op_version(pnn_mb *mb, int op, int32_t version);
/* Intermediate tensors of op. */
int pnn_mb_op_intermediates(pnn_mb *mb, int op, int n, const int32_t *t);
/* A custom op named `custom_code` with opaque options bytes (copied; may be
 * NULL/0). */
int pnn_mb_custom_op(pnn_mb *mb, const char *custom_code,
                     const void *custom_options, size_t custom_options_size,
                     int n_in, const int32_t *in, int n_out,
                     const int32_t *out);

/* Input / output tensor lists of the current subgraph (replace earlier). */
int pnn_mb_inputs(pnn_mb *mb, int n, const int32_t *tensors);
int pnn_mb_outputs(pnn_mb *mb, int n, const int32_t *tensors);

/* Adds an empty subgraph, makes it current and returns its index (for IF,
 * WHILE, CALL_ONCE bodies). */
int pnn_mb_subgraph(pnn_mb *mb, const char *name);
/* Makes subgraph `index` current. */
int pnn_mb_use_subgraph(pnn_mb *mb, int index);

/* A signature `key` on `subgraph`: n_in named inputs and n_out named
 * outputs (names[i] maps to tensors[i]). Returns its index. */
int pnn_mb_signature(pnn_mb *mb, const char *key, int subgraph, int n_in,
                     const char *const *in_names, const int32_t *in_tensors,
                     int n_out, const char *const *out_names,
                     const int32_t *out_tensors);
/* Metadata `name` holding a copy of `size` bytes in a new buffer. */
int pnn_mb_metadata(pnn_mb *mb, const char *name, const void *data,
                    size_t size);

/* The model built so far; valid until the next builder call. NULL after
 * an error. */
const pnn_model_def *pnn_mb_def(pnn_mb *mb);

/* Writes the model (pnn_model_write_ex; opts may be NULL) into a malloc'ed
 * buffer the caller frees with free(). The builder stays usable. */
pnn_status pnn_mb_finish(pnn_mb *mb, uint8_t **bytes, size_t *size);
pnn_status pnn_mb_finish_ex(pnn_mb *mb, const pnn_write_options *opts,
                            uint8_t **bytes, size_t *size);
/* Writes the model to a file. */
pnn_status pnn_mb_write_file(pnn_mb *mb, const char *path);
/* Writes the model and loads it (pnn_model_load_buffer with PNN_LOAD_COPY,
 * so nothing else needs freeing): the shortest path from a builder to an
 * interpreter. *out is NULL on failure and pnn_mb_error says why. */
pnn_status pnn_mb_load(pnn_mb *mb, pnn_model **out);

#endif
