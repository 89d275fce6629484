/* Data-aware int8 weight rounding (`quantize --weight-rounding gptq`):
 * instead of rounding each weight to the nearest step, the weights of a
 * CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED are rounded one input
 * column at a time (GPTQ / OBQ): the rounding error of a column is
 * compensated by the columns not yet rounded, through the inverse of
 * H = X^T X, X the layer's inputs on the calibration samples (im2col
 * rows). That minimizes the error of the layer's OUTPUT on those inputs,
 * not of the weights. Scales stay the per-channel max-abs ones, so the
 * result is ordinary TFLite int8 (symmetric, [-127, 127]).
 *
 * Collection: pnn_calibrate (pass 1) feeds every node it observes to
 * pnn_wr_observe, which accumulates, for each such op of subgraph 0, H
 * over 16..64 sampled output positions per sample (fewer for larger K,
 * about 8M multiply-adds per op and sample; one matrix of
 * K = KH*KW*C_in for CONV_2D (one group only) and FULLY_CONNECTED, one
 * KH*KW matrix per channel for DEPTHWISE_CONV_2D). Ops whose K exceeds
 * PNN_WR_MAX_K keep nearest rounding. Library code: nothing printed. */
#ifndef PNN_TOOLS_WEIGHT_ROUND_H
#define PNN_TOOLS_WEIGHT_ROUND_H

#include <stdbool.h>
#include <stdint.h>

#include "format/model.h"

#define PNN_WR_MAX_K 1152

struct pnn_node;

typedef struct pnn_wr_hessian {
  int32_t builtin; /* PNN_OP_CONV_2D / _DEPTHWISE_CONV_2D / _FULLY_CONNECTED */
  int32_t weights; /* weight tensor index (checked by the consumer) */
  int32_t k;       /* columns per matrix */
  int32_t n_mat;   /* 1, or the channel count (depthwise) */
  int32_t mult;    /* depthwise: depth multiplier (channel c reads c/mult) */
  int64_t rows;    /* input rows accumulated */
  double *h;       /* n_mat * k * k, full symmetric */
} pnn_wr_hessian;

typedef struct pnn_wr_set {
  int32_t n_ops;           /* capacity of by_op */
  pnn_wr_hessian **by_op;  /* op index of subgraph 0 -> Hessian or NULL */
  int sample;              /* current sample (row selection seed) */
  bool failed;             /* out of memory while observing */
} pnn_wr_set;

/* Accumulates the node's input rows if it is a supported op of subgraph 0
 * (called after the node ran, its input still intact). Sets s->failed on
 * out of memory. */
void pnn_wr_observe(pnn_wr_set *s, const struct pnn_node *node);
void pnn_wr_free(pnn_wr_set *s);

/* The Hessian collected for op `op_index` with weight tensor `weights`,
 * or NULL. */
const pnn_wr_hessian *pnn_wr_get(const pnn_wr_set *s, int32_t op_index,
                                 int32_t weights);

/* Re-rounds q (int8 weights of layout [O, KH, KW, I] / [O, I], or
 * [1, KH, KW, C] for depthwise; per-channel scale[]) from the float
 * weights v with GPTQ on h, dampening lambda * mean(diag H). Returns true
 * when q was rewritten, false (q untouched) when h does not match the
 * weight shape or on out of memory. */
bool pnn_wr_round(const pnn_wr_hessian *h, const pnn_tensor_def *wt,
                  const float *v, const float *scale, int8_t *q,
                  double lambda);

#endif
