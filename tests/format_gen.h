/* A tiny hand-made .tflite generator for reader tests. It writes the
 * FlatBuffer directly with the low-level builder (flatbuf_build.h), not the
 * model writer, so a test can put any value - valid or not - into any
 * field the reader checks.
 *
 * The model (one main subgraph, optionally a second one):
 *   tensors 0 "input" f32 [2,4], 1 "weights" f32 [2,4] constant (buffer 1),
 *           2 "output" f32 [2,4] (quantized when quant is set),
 *           3 "sparse_w" f32 [4,4] with sparsity (when sparse is set)
 *   op 0: ADD(0, 1) -> 2, AddOptions{fused_activation_function = RELU6}
 *   op 1: CALL_ONCE, CallOnceOptions{init_subgraph_index} (when call_once)
 *   op 2: custom "MyCustom" with custom options (inline or large form)
 *   buffers: 0 empty, 1 weights (inline or offset form), 2 metadata bytes
 *   metadata "meta" -> buffer 2, metadata_buffer [2]
 *   signature "serve" on subgraph 0: input "x" -> 0, output "y" -> 2
 * fg_defaults gives a valid model; each test breaks one knob. */
#ifndef PNN_TESTS_FORMAT_GEN_H
#define PNN_TESTS_FORMAT_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct fg_spec {
  const char *ident;            /* file identifier, "TFL3" */
  uint32_t version;             /* 3 */
  int n_subgraphs;              /* 1 or 2 (the second is empty) */
  uint32_t opcode_index;        /* op 0: 0 */
  int32_t op_in1;               /* op 0 second input: 1 */
  int32_t op_out;               /* op 0 output: 2 */
  int32_t intermediate;         /* op 0 intermediate tensor, -100 = none */
  int32_t sg_in, sg_out;        /* subgraph input 0 / output 2 */
  int8_t weights_type;          /* 0 (FLOAT32) */
  int32_t weights_dim0;         /* 2 */
  int32_t weights_dim1;         /* 4 */
  int32_t weights_sig0;         /* shape_signature[0] of weights: -1 */
  uint32_t weights_buffer;      /* 1 */
  uint32_t weights_bytes;       /* bytes in buffer 1: 32 */
  bool weights_offset_form;     /* store buffer 1 after the FlatBuffer */
  uint64_t weights_offset_bump; /* added to the offset (to break it) */
  bool quant;                   /* quantization on tensor 2 */
  int n_scale, n_zero_point;    /* 2, 2 (per-channel on dim 0 when > 1) */
  float scale0;                 /* 0.5 */
  int32_t quantized_dimension;  /* 0 */
  bool sparse;                  /* add tensor 3 with sparsity */
  int n_traversal;              /* 2 */
  int32_t traversal0;           /* 0 */
  int n_block_map;              /* 0 */
  int32_t block_map0;           /* 0 */
  int n_dim_metadata;           /* 2 */
  int8_t dm1_format;            /* 1 = SPARSE_CSR */
  bool call_once;               /* add op 1 */
  int32_t init_subgraph;        /* 1 */
  bool custom;                  /* add op 2 */
  bool large_custom;            /* custom options in the large form */
  uint64_t large_custom_bump;   /* added to the offset (to break it) */
  uint32_t metadata_buffer;     /* Metadata.buffer: 2 */
  int32_t metadata_buffer_vec;  /* metadata_buffer[0]: 2 */
  uint32_t sig_subgraph;        /* 0 */
  uint32_t sig_tensor;          /* output "y" tensor index: 2 */
  uint8_t options_type;         /* op 0 builtin_options type: AddOptions */
} fg_spec;

void fg_defaults(fg_spec *s);

/* Builds the model; returns malloc'ed bytes (free()) or NULL on builder
 * failure (then *size = 0). */
uint8_t *fg_build(const fg_spec *s, size_t *size);

#endif
