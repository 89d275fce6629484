/* Model tools: rewrite a loaded model into a new .tflite (bytes), as the
 * `pocketnn optimize` and `pocketnn quantize` commands do. Library code:
 * nothing is printed; what each pass did goes into a pnn_tool_report.
 *
 * Every output is re-loaded through pocketnn's verifier before it is
 * returned, so a tool never hands back a file the reader rejects. */
#ifndef PNN_TOOLS_TOOLS_H
#define PNN_TOOLS_TOOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pocketnn.h"
#include "tools/graph_edit.h"

/* ------------------------------------------------------------- optimize */

#define PNN_PASS_PRUNE 1u /* dead ops/tensors/buffers, unused opcodes, dedupe \
                           */
#define PNN_PASS_FOLD 2u  /* ops with all-constant inputs */
#define PNN_PASS_FUSE 4u  /* batch-norm MUL/ADD, activations, PAD, identities \
                           */
#define PNN_PASS_ALL (PNN_PASS_PRUNE | PNN_PASS_FOLD | PNN_PASS_FUSE)

typedef struct pnn_optimize_options {
  uint32_t passes;     /* PNN_PASS_* bits */
  bool keep_fp16;      /* fold: leave DEQUANTIZE of float16 constants */
  bool strip_names;    /* short tensor names, drop metadata */
  bool strip_io_names; /* ... including subgraph input/output tensors */
  /* fold: largest folded result, bytes (0 = 64 MB). */
  size_t max_fold_bytes;
} pnn_optimize_options;

void pnn_optimize_options_init(pnn_optimize_options *o);

/* Optimizes `in` into a malloc'ed .tflite (*out, *out_size). The report
 * (may be NULL) gets one line per change. On failure *out is NULL and err
 * names the problem. */
pnn_status pnn_optimize(const pnn_model *in, const pnn_optimize_options *o,
                        uint8_t **out, size_t *out_size,
                        pnn_tool_report *report, char *err, size_t err_size);

/* The passes on a graph (used by pnn_optimize and the unit tests). Each
 * returns the number of changes, or -1 with err set. */
int pnn_pass_prune(pnn_ge_graph *g, pnn_tool_report *r, char *err,
                   size_t err_size);
int pnn_pass_fold(pnn_ge_graph *g, const pnn_optimize_options *o,
                  pnn_tool_report *r, char *err, size_t err_size);
int pnn_pass_fuse(pnn_ge_graph *g, pnn_tool_report *r, char *err,
                  size_t err_size);
int pnn_pass_strip_names(pnn_ge_graph *g, bool strip_io, pnn_tool_report *r,
                         char *err, size_t err_size);

/* ------------------------------------------------------------- quantize */

typedef enum pnn_quant_mode {
  PNN_QUANT_FP16 = 1,          /* float16 constants + DEQUANTIZE */
  PNN_QUANT_DYNAMIC = 2,       /* int8 per-channel weights, float activations */
  PNN_QUANT_ROUND_WEIGHTS = 3, /* <= clusters distinct values per tensor */
  PNN_QUANT_INT8 = 4,          /* full integer: int8 activations (calibrated) */
  PNN_QUANT_16X8 = 5,          /* int16 activations, int8 weights, int64 bias */
} pnn_quant_mode;

/* Interface types of a full-integer model (PNN_QUANT_INT8). */
typedef enum pnn_quant_io {
  PNN_QUANT_IO_FLOAT = 0, /* float inputs/outputs, QUANTIZE/DEQUANTIZE inside */
  PNN_QUANT_IO_INT8 = 1,
  PNN_QUANT_IO_UINT8 = 2,
} pnn_quant_io;

struct pnn_calib_ranges;

typedef struct pnn_quantize_options {
  pnn_quant_mode mode;
  int clusters;         /* round-weights: values per tensor (2..65536) */
  int64_t min_elements; /* smallest tensor to convert (0 = mode default) */
  /* PNN_QUANT_INT8: ranges of the float tensors of subgraph 0 from
   * pnn_calibrate (src/tools/calibrate.h), and the interface type. */
  const struct pnn_calib_ranges *ranges;
  pnn_quant_io io;
  /* PNN_QUANT_INT8/16X8: fold the mean output error of the rounded weights
   * (from the calibrated channel means of their input) into the bias of
   * CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED (default true). */
  bool bias_correction;
} pnn_quantize_options;

void pnn_quantize_options_init(pnn_quantize_options *o);

pnn_status pnn_quantize(const pnn_model *in, const pnn_quantize_options *o,
                        uint8_t **out, size_t *out_size,
                        pnn_tool_report *report, char *err, size_t err_size);

/* Full-integer rewrite of g (src/tools/quantize_int8.c). Returns the
 * number of ops made int8, or -1 with err set. */
int pnn_quantize_int8(pnn_ge_graph *g, const pnn_quantize_options *o,
                      pnn_tool_report *r, char *err, size_t err_size);

/* ---------------------------------------------------------------- shared */

/* Writes the graph, verifies the bytes by loading them, and returns them
 * (malloc'ed). */
pnn_status pnn_tool_finish(pnn_ge_graph *g, uint8_t **out, size_t *out_size,
                           char *err, size_t err_size);

/* Writes `size` bytes to path through a temporary file in the same
 * directory and a rename, so a failure leaves no partial output. */
pnn_status pnn_tool_write_file(const char *path, const uint8_t *bytes,
                               size_t size, char *err, size_t err_size);

/* Appends "ops: N (CONV_2D 3, ADD 2, ...)" for subgraph 0 of m. */
void pnn_report_op_counts(pnn_tool_report *r, const char *label,
                          const pnn_model_def *m);

#endif
