/* The .tflite writer: serializes a pnn_model_def (model.h) into the TFLite
 * FlatBuffer schema, file identifier "TFL3".
 *
 * Everything the reader decodes is written back: operator codes, subgraphs,
 * tensors (shape, shape_signature, type, buffer, name, quantization incl.
 * custom details, sparsity, is_variable, has_rank), operators (both
 * builtin-options unions through the generic descriptors of options.h,
 * custom options, intermediates, mutating_variable_inputs), buffers,
 * metadata, metadata_buffer and signature defs. Option fields equal to the
 * schema default are left out, as FlatBuffers does.
 *
 * Buffer data is 16-byte aligned in the output. Models whose constant data
 * does not fit a 2 GB FlatBuffer are written in the "offset/size" form:
 * the FlatBuffer comes first, then every buffer (and custom options blob),
 * each 16-byte aligned, referred to by Buffer.offset/size and
 * Operator.large_custom_options_offset/size. PNN_WRITE_EXTERNAL_DATA
 * forces that form for small models (tests, tools).
 *
 * Conventions for hand-built defs:
 *   - buffers[0] must be empty (the schema's sentinel); with n_buffers == 0
 *     one empty buffer is written.
 *   - Buffer.offset and large_custom_options_offset of the input are
 *     ignored: data is taken from data/size and custom_options/size, and
 *     the form is chosen by the writer.
 *   - An opcode whose deprecated_builtin_code and builtin_code are both 0
 *     but whose `builtin` is not gets them derived from `builtin` (as the
 *     TFLite converter writes them: min(code, 127) and code).
 *   - A NULL name, description or custom_code is left out; tensor names are
 *     always written ("" for NULL).
 *   - Model.version and opcode versions are written as given: LiteRT wants
 *     schema version 3 and op versions >= 1 (the model builder sets both).
 *
 * The writer checks what it needs to not produce a broken file: counts and
 * arrays consistent, indices (opcode, tensor, buffer, subgraph) in range,
 * union types known. It returns PNN_ERROR_INVALID_ARGUMENT naming the
 * table, index and field otherwise; OUT_OF_MEMORY / LIMIT as they come. */
#ifndef PNN_FORMAT_WRITER_H
#define PNN_FORMAT_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* Flags for pnn_write_options.flags. */
#define PNN_WRITE_EXTERNAL_DATA 1u /* force the offset/size form */

typedef struct pnn_write_options {
  uint32_t flags;
  /* Largest FlatBuffer to write inline; 0 = the format's 2 GB. Constant
   * data that would not fit goes after it (offset/size form). Lowering
   * it lets tests take the large-model path with small models. */
  size_t max_flatbuffer_size;
} pnn_write_options;

/* Writes the model into a malloc'ed buffer (*out, *out_size; the caller
 * frees it with free()). On failure *out is NULL and err (if non-NULL)
 * holds a NUL-terminated message. */
pnn_status pnn_model_write(const pnn_model_def *m, uint8_t **out,
                           size_t *out_size, char *err, size_t err_size);

/* Same with options (opts may be NULL). */
pnn_status pnn_model_write_ex(const pnn_model_def *m,
                              const pnn_write_options *opts, uint8_t **out,
                              size_t *out_size, char *err, size_t err_size);

/* Writes the model to a file (PNN_ERROR_IO if it cannot be written). */
pnn_status pnn_model_write_file(const pnn_model_def *m,
                                const pnn_write_options *opts, const char *path,
                                char *err, size_t err_size);

#endif
