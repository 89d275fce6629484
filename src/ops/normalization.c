/* Normalization over the last (channel) axis: L2_NORMALIZATION (float32,
 * and int8 / uint8 as TFLite's integer kernels) and
 * LOCAL_RESPONSE_NORMALIZATION (float32). */
#include "ops/common.h"
#include "ops/fixedpoint.h"
#include "ops/quant_math.h"

/* TFLite divides by max(||x||, 1e-6) so an all-zero row gives zeros
 * instead of NaN. */
#define L2NORM_EPSILON 1e-6f

static pnn_status check_float_io(pnn_node *node, pnn_tensor **in) {
  pnn_status s = pnn_check_io(node, 1, 1, 1);
  if (!s) s = pnn_require_input(node, 0, in);
  if (!s) s = pnn_check_type(node, *in, 0, PNN_TYPE_FLOAT32);
  return s;
}

/* int8 / uint8: TFLite's integer L2Normalization, output on the fixed
 * scale 1/128 (zero point 0 for int8, 128 for uint8). */
static pnn_status l2norm_q_prepare(pnn_node *node, pnn_tensor *in) {
  const pnn_tensor *out = node->outputs[0];
  const int32_t want_zp = in->type == PNN_TYPE_UINT8 ? 128 : 0;
  if (out->type != in->type || out->scale != 1.f / 128.f ||
      out->zero_point != want_zp)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "output (%s): quantized L2_NORMALIZATION needs a "
                          "%s output with scale 1/128 and zero point %d",
                          out->name, pnn_type_name(in->type), (int)want_zp);
  return pnn_node_resize_output(node, 0, in->type, in->dims, in->rank);
}

static void l2norm_q_eval(pnn_node *node) {
  const pnn_tensor *in = node->inputs[0];
  const bool u8 = in->type == PNN_TYPE_UINT8;
  const int32_t zp = in->zero_point;
  const int64_t depth = in->dims[in->rank - 1];
  const int64_t outer = depth ? pnn_tensor_count(in) / depth : 0;
  for (int64_t i = 0; i < outer; i++) {
    int32_t acc = 0;
    for (int64_t c = 0; c < depth; c++) {
      int64_t k = i * depth + c;
      int32_t v = (u8 ? ((const uint8_t *)in->data)[k]
                      : ((const int8_t *)in->data)[k]) - zp;
      acc = (int32_t)((uint32_t)acc + (uint32_t)(v * v));
    }
    int32_t m;
    int sh;
    pnn_fp_inv_sqrt(acc, &m, &sh);
    for (int64_t c = 0; c < depth; c++) {
      int64_t k = i * depth + c;
      if (u8) {
        int32_t v = ((const uint8_t *)in->data)[k] - zp;
        int32_t r = 128 + pnn_qm_mul_by_qm(128 * v, m, sh);
        ((uint8_t *)node->outputs[0]->data)[k] = (uint8_t)pnn_qm_clamp(r, 0, 255);
      } else {
        int32_t v = ((const int8_t *)in->data)[k] - zp;
        int32_t r = pnn_qm_mul_by_qm(v, m, sh + 7);
        ((int8_t *)node->outputs[0]->data)[k] =
            (int8_t)pnn_qm_clamp(r, -128, 127);
      }
    }
  }
}

static pnn_status l2norm_prepare(pnn_node *node) {
  pnn_tensor *in;
  pnn_status s = pnn_check_io(node, 1, 1, 1);
  if (!s) s = pnn_require_input(node, 0, &in);
  if (s) return s;
  const bool quant = in->type == PNN_TYPE_INT8 || in->type == PNN_TYPE_UINT8;
  if (!quant) s = pnn_check_type(node, in, 0, PNN_TYPE_FLOAT32);
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
  if (quant) return l2norm_q_prepare(node, in);
  return pnn_node_resize_output(node, 0, PNN_TYPE_FLOAT32, in->dims, in->rank);
}

static pnn_status l2norm_eval(pnn_node *node) {
  const pnn_tensor *in = node->inputs[0];
  if (in->type != PNN_TYPE_FLOAT32) {
    l2norm_q_eval(node);
    return PNN_OK;
  }
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
  /* Each element sums a window of 2 * radius + 1 channels (clipped to the
   * depth): quadratic in the depth for a crafted radius. */
  const int64_t win = 2 * (int64_t)opt->radius + 1;
  s = pnn_node_check_work(node, "elements x radius window (clipped to depth)",
                          pnn_tensor_count(in), 1,
                          win < in->dims[3] ? win : in->dims[3]);
  if (s) return s;
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
