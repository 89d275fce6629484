/* Normalization over the last (channel) axis, float32:
 * L2_NORMALIZATION and LOCAL_RESPONSE_NORMALIZATION. */
#include "ops/common.h"

/* TFLite divides by max(||x||, 1e-6) so an all-zero row gives zeros
 * instead of NaN. */
#define L2NORM_EPSILON 1e-6f

static pnn_status check_float_io(pnn_node *node, pnn_tensor **in) {
  pnn_status s = pnn_check_io(node, 1, 1, 1);
  if (!s) s = pnn_require_input(node, 0, in);
  if (!s) s = pnn_check_type(node, *in, 0, PNN_TYPE_FLOAT32);
  return s;
}

static pnn_status l2norm_prepare(pnn_node *node) {
  pnn_tensor *in;
  pnn_status s = check_float_io(node, &in);
  if (s) return s;
  if (in->rank < 1)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 0 (%s): must have rank >= 1", in->name);
  /* TFLite's kernels implement no fused activation for this op. */
  int act = node->options->l2norm.fused_activation_function;
  if (act != PNN_ACT_NONE)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "fused_activation_function %d not supported "
                          "(only NONE)",
                          act);
  return pnn_node_resize_output(node, 0, PNN_TYPE_FLOAT32, in->dims, in->rank);
}

static pnn_status l2norm_eval(pnn_node *node) {
  const pnn_tensor *in = node->inputs[0];
  const float *x = in->data;
  float *y = node->outputs[0]->data;
  const int64_t depth = in->dims[in->rank - 1];
  const int64_t outer = depth ? pnn_tensor_count(in) / depth : 0;
  for (int64_t i = 0; i < outer; i++, x += depth, y += depth) {
    float sum = 0.f;
    for (int64_t c = 0; c < depth; c++) sum += x[c] * x[c];
    float norm = sqrtf(sum);
    if (norm < L2NORM_EPSILON) norm = L2NORM_EPSILON;
    for (int64_t c = 0; c < depth; c++) y[c] = x[c] / norm;
  }
  return PNN_OK;
}

static pnn_status lrn_prepare(pnn_node *node) {
  pnn_tensor *in;
  pnn_status s = check_float_io(node, &in);
  if (s) return s;
  if (in->rank != 4)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 0 (%s): must be 4-D, got rank %d", in->name,
                          (int)in->rank);
  const pnn_local_response_normalization_options *opt =
      &node->options->local_response_normalization;
  if (opt->radius < 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "radius must be >= 0, got %d", (int)opt->radius);
  return pnn_node_resize_output(node, 0, PNN_TYPE_FLOAT32, in->dims, in->rank);
}

/* out[c] = in[c] * (bias + alpha * sum_{|j-c|<=radius} in[j]^2)^-beta */
static pnn_status lrn_eval(pnn_node *node) {
  const pnn_local_response_normalization_options *opt =
      &node->options->local_response_normalization;
  const pnn_tensor *in = node->inputs[0];
  const float *x = in->data;
  float *y = node->outputs[0]->data;
  const int64_t depth = in->dims[3];
  const int64_t outer = depth ? pnn_tensor_count(in) / depth : 0;
  const int64_t r = opt->radius;
  for (int64_t i = 0; i < outer; i++, x += depth, y += depth) {
    for (int64_t c = 0; c < depth; c++) {
      int64_t lo = c - r < 0 ? 0 : c - r;
      int64_t hi = c + r + 1 > depth ? depth : c + r + 1;
      float sum = 0.f;
      for (int64_t j = lo; j < hi; j++) sum += x[j] * x[j];
      y[c] = x[c] * powf(opt->bias + opt->alpha * sum, -opt->beta);
    }
  }
  return PNN_OK;
}

static const pnn_op_kernel l2norm_kernel = {l2norm_prepare, l2norm_eval};
static const pnn_op_kernel lrn_kernel = {lrn_prepare, lrn_eval};

const pnn_op_entry pnn_ops_norm[] = {
    {PNN_OP_L2_NORMALIZATION, &l2norm_kernel},
    {PNN_OP_LOCAL_RESPONSE_NORMALIZATION, &lrn_kernel},
    {-1, NULL},
};
