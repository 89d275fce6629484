/* Which float accumulation a float CONV_2D / DEPTHWISE_CONV_2D /
 * FULLY_CONNECTED uses (pnn_interpreter_options.float_accumulation; see
 * pocketnn.h and src/kernels/f32_refacc.h). */
#include "format/schema.h"
#include "runtime/runtime.h"

/* A dynamic-range (hybrid) op: one of the ops LiteRT runs with float
 * activations and int8/uint8 constant weights, quantizing the float input
 * on the fly; recognized by a float32 input 0 and an int8/uint8 input with
 * data in the model. */
static bool op_is_hybrid(const pnn_model_def *m, const pnn_subgraph_def *sg,
                         const pnn_op_def *op) {
  if (op->opcode_index >= (uint32_t)m->n_opcodes) return false;
  switch (m->opcodes[op->opcode_index].builtin) {
    case PNN_OP_FULLY_CONNECTED:
    case PNN_OP_CONV_2D:
    case PNN_OP_DEPTHWISE_CONV_2D:
    case PNN_OP_BATCH_MATMUL:
    case PNN_OP_LSTM:
    case PNN_OP_UNIDIRECTIONAL_SEQUENCE_LSTM:
    case PNN_OP_BIDIRECTIONAL_SEQUENCE_LSTM:
    case PNN_OP_RNN:
    case PNN_OP_UNIDIRECTIONAL_SEQUENCE_RNN:
    case PNN_OP_BIDIRECTIONAL_SEQUENCE_RNN:
    case PNN_OP_SVDF:
      break;
    default:
      return false;
  }
  const int32_t n = op->inputs.count;
  if (n < 2) return false;
  const int32_t i0 = op->inputs.data[0];
  if (i0 < 0 || i0 >= sg->n_tensors ||
      sg->tensors[i0].type != PNN_TYPE_FLOAT32)
    return false;
  for (int32_t k = 1; k < n; k++) {
    const int32_t t = op->inputs.data[k];
    if (t < 0 || t >= sg->n_tensors) continue;
    const pnn_tensor_def *td = &sg->tensors[t];
    if ((td->type == PNN_TYPE_INT8 || td->type == PNN_TYPE_UINT8) &&
        pnn_model_tensor_buffer(m, td))
      return true;
  }
  return false;
}

void pnn_rt_scan_hybrid(struct pnn_ctx *c) {
  c->has_hybrid_ops = false;
  const pnn_model_def *m = &c->interp->model->def;
  const pnn_subgraph_def *sg = c->def;
  if (!sg) return;
  for (int32_t i = 0; i < sg->n_ops && !c->has_hybrid_ops; i++)
    c->has_hybrid_ops = op_is_hybrid(m, sg, &sg->ops[i]);
}

bool pnn_node_float_reference_order(const pnn_node *node) {
  if (!node || !node->ctx) return false;
  const struct pnn_ctx *c = node->ctx;
  switch (c->interp->opts.float_accumulation) {
    case PNN_FLOAT_ACC_FAST: return false;
    case PNN_FLOAT_ACC_REFERENCE_ORDER: return true;
    default: return c->has_hybrid_ops;
  }
}
