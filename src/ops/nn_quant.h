/* Quantized paths of the NN op families (conv, matmul, pool), kept in their
 * own files (conv_q.c, matmul_q.c, pool_q.c) beside the float kernels.
 *
 * The float kernels' prepare/eval call these hooks first: a `*_wanted`
 * test on the tensor types decides, prepare then hands the node over
 * (it owns node->state), and eval checks the same types again.
 *
 * Kinds of arithmetic (all bit-exact with TFLite's reference kernels):
 *   int8    asymmetric int8 activations, symmetric int8 weights (per-tensor
 *           or per-channel), int32 bias
 *   uint8   legacy per-tensor asymmetric uint8 activations and weights
 *   16x8    int16 activations (zero point 0), int8 weights, int64 bias
 *   hybrid  float activations, int8 weights, input quantized per batch on
 *           the fly (dynamic range), float bias and output */
#ifndef PNN_OPS_NN_QUANT_H
#define PNN_OPS_NN_QUANT_H

#include "ops/common.h"

/* The kinds above. */
enum { QK_INT8, QK_UINT8, QK_INT16, QK_HYBRID };
/* The kind of a conv / FULLY_CONNECTED / BATCH_MATMUL from its input
 * (input in_i), weights and output 0 types; UNSUPPORTED for any other
 * combination. */
pnn_status pnn_q_pick_kind(pnn_node *node, const pnn_tensor *in, int in_i,
                           const pnn_tensor *w, int *kind);

/* CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV: quantized when the weights
 * (input 1 for all three) are not float32. */
static inline bool pnn_q_conv_wanted(const pnn_node *node) {
  return node->n_inputs > 1 && node->inputs[1] &&
         node->inputs[1]->type != PNN_TYPE_FLOAT32;
}
pnn_status pnn_q_conv2d_prepare(pnn_node *node);
pnn_status pnn_q_depthwise_prepare(pnn_node *node);
pnn_status pnn_q_transpose_conv_prepare(pnn_node *node);
pnn_status pnn_q_conv_eval(pnn_node *node); /* all three */

/* FULLY_CONNECTED: quantized when the weights are not float32. */
static inline bool pnn_q_fc_wanted(const pnn_node *node) {
  return node->n_inputs > 1 && node->inputs[1] &&
         node->inputs[1]->type != PNN_TYPE_FLOAT32;
}
pnn_status pnn_q_fc_prepare(pnn_node *node);
pnn_status pnn_q_fc_eval(pnn_node *node);

/* BATCH_MATMUL: quantized when either operand is not float32. */
static inline bool pnn_q_bmm_wanted(const pnn_node *node) {
  return node->n_inputs > 1 && node->inputs[0] && node->inputs[1] &&
         (node->inputs[0]->type != PNN_TYPE_FLOAT32 ||
          node->inputs[1]->type != PNN_TYPE_FLOAT32);
}
pnn_status pnn_q_bmm_prepare(pnn_node *node);
pnn_status pnn_q_bmm_eval(pnn_node *node);

/* AVERAGE_POOL_2D, MAX_POOL_2D: quantized when the input is not float32. */
static inline bool pnn_q_pool_wanted(const pnn_node *node) {
  return node->n_inputs > 0 && node->inputs[0] &&
         node->inputs[0]->type != PNN_TYPE_FLOAT32;
}
pnn_status pnn_q_pool_prepare(pnn_node *node, bool is_max);
pnn_status pnn_q_pool_eval(pnn_node *node);

#endif
