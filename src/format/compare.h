/* Deep structural comparison of two decoded models.
 *
 * Compares everything the writer writes: version, description, opcodes,
 * subgraphs (name, inputs, outputs), tensors (name, shape,
 * shape_signature, type, buffer index, quantization incl. custom details,
 * sparsity, is_variable, has_rank), operators (opcode index, inputs,
 * outputs, intermediates, mutating_variable_inputs, both options unions
 * field by field through the descriptors of options.h, custom options
 * bytes and format), buffers' bytes, metadata, metadata_buffer and
 * signature defs.
 *
 * Storage details are not compared: where a buffer or custom options blob
 * lives (inline or offset/size form), and NULL versus "" for optional
 * strings. Floats compare by bit pattern (so NaN == NaN, -0 != +0).
 *
 * Used by the round-trip tests and by tools that rewrite models. */
#ifndef PNN_FORMAT_COMPARE_H
#define PNN_FORMAT_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

/* True when a and b are equal. Otherwise false and, if why is non-NULL, a
 * NUL-terminated description of the first difference, e.g.
 * "subgraph 0 tensor 3 'conv/w': shape[1]: 3 vs 5". */
bool pnn_model_def_equal(const pnn_model_def *a, const pnn_model_def *b,
                         char *why, size_t why_size);

/* Compares one options table of union type `type` in set 1 or 2; false
 * with a message naming the field on the first difference. */
bool pnn_options_equal(int set, uint8_t type, const pnn_builtin_options *a,
                       const pnn_builtin_options *b, char *why,
                       size_t why_size);

#endif
