#include "ops/common.h"

#include <string.h>

#include "kernels/f32_gemm.h"

int64_t pnn_dims_count(const int32_t *dims, int rank) {
  int64_t n = 1;
  for (int i = 0; i < rank; i++) {
    if (dims[i] < 0) return -1;
    if (dims[i] && n > (INT64_MAX / 16) / dims[i]) return -1;
    n *= dims[i];
  }
  return n;
}

bool pnn_same_shape(const pnn_tensor *a, const pnn_tensor *b) {
  return a->rank == b->rank &&
         memcmp(a->dims, b->dims, sizeof(int32_t) * (size_t)a->rank) == 0;
}

bool pnn_broadcast_dims(const int32_t *a, int ra, const int32_t *b, int rb,
                        int32_t *out_dims, int *out_rank) {
  int r = ra > rb ? ra : rb;
  if (r > PNN_MAX_RANK) return false;
  for (int i = 0; i < r; i++) {
    int ia = i - (r - ra), ib = i - (r - rb);
    int32_t da = ia >= 0 ? a[ia] : 1, db = ib >= 0 ? b[ib] : 1;
    if (da == db || db == 1)
      out_dims[i] = da;
    else if (da == 1)
      out_dims[i] = db;
    else
      return false;
  }
  *out_rank = r;
  return true;
}

void pnn_broadcast_strides(const pnn_tensor *t, int rank, int64_t *strides) {
  int64_t s = 1;
  for (int i = rank - 1; i >= 0; i--) {
    int it = i - (rank - t->rank);
    int32_t d = it >= 0 ? t->dims[it] : 1;
    strides[i] = d == 1 ? 0 : s;
    s *= d;
  }
}

int32_t pnn_conv_output_size(int padding, int32_t in, int32_t filter,
                             int32_t stride, int32_t dilation) {
  if (stride <= 0 || dilation <= 0 || filter <= 0 || in < 0) return -1;
  int64_t eff = (int64_t)(filter - 1) * dilation + 1;
  int64_t out;
  if (padding == PNN_PADDING_SAME)
    out = ((int64_t)in + stride - 1) / stride;
  else if (padding == PNN_PADDING_VALID)
    out = ((int64_t)in - eff + stride) / stride;
  else
    return -1;
  if (out < 0 || out > INT32_MAX) return -1;
  return (int32_t)out;
}

int32_t pnn_conv_padding_before(int padding, int32_t in, int32_t filter,
                                int32_t stride, int32_t dilation,
                                int32_t out) {
  if (padding != PNN_PADDING_SAME) return 0;
  int64_t eff = (int64_t)(filter - 1) * dilation + 1;
  int64_t total = ((int64_t)out - 1) * stride + eff - in;
  return total > 0 ? (int32_t)(total / 2) : 0;
}

bool pnn_activation_range_f32(int act, float *lo, float *hi) {
  switch (act) {
    case PNN_ACT_NONE: *lo = -INFINITY; *hi = INFINITY; return true;
    case PNN_ACT_RELU: *lo = 0.f; *hi = INFINITY; return true;
    case PNN_ACT_RELU_N1_TO_1: *lo = -1.f; *hi = 1.f; return true;
    case PNN_ACT_RELU6: *lo = 0.f; *hi = 6.f; return true;
    default: return false;
  }
}

bool pnn_activation_supported(int act) {
  return act >= PNN_ACT_NONE && act <= PNN_ACT_TANH;
}

pnn_status pnn_check_io(pnn_node *node, int min_in, int max_in, int n_out) {
  if (node->n_inputs < min_in || node->n_inputs > max_in) {
    if (min_in == max_in)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "expected %d inputs, got %d", min_in,
                            node->n_inputs);
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "expected %d to %d inputs, got %d", min_in, max_in,
                          node->n_inputs);
  }
  if (node->n_outputs != n_out)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "expected %d outputs, got %d", n_out,
                          node->n_outputs);
  for (int i = 0; i < node->n_outputs; i++)
    if (!node->outputs[i])
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "output %d is absent", i);
  return PNN_OK;
}

pnn_status pnn_require_input(pnn_node *node, int i, pnn_tensor **out) {
  if (i >= node->n_inputs || !node->inputs[i])
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "required input %d is absent", i);
  *out = node->inputs[i];
  return PNN_OK;
}

pnn_status pnn_check_type(pnn_node *node, const pnn_tensor *t, int i,
                          pnn_type type) {
  if (t->type == type) return PNN_OK;
  return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                        "input %d (%s): expected %s, got %s", i, t->name,
                        pnn_type_name(type), pnn_type_name(t->type));
}

int64_t pnn_read_index(const pnn_tensor *t, int64_t i) {
  if (t->type == PNN_TYPE_INT64) return ((const int64_t *)t->data)[i];
  return ((const int32_t *)t->data)[i];
}

pnn_f32_gemm_plan *pnn_f32_gemm_plan_on_node(pnn_node *node,
                                             const pnn_f32_gemm_config *cfg,
                                             size_t n, size_t k, size_t floats,
                                             const float *w,
                                             const float *bias, int act) {
  pnn_f32_gemm_plan *plan = pnn_node_alloc_persistent(node, sizeof(*plan));
  void *mem = pnn_node_alloc_persistent(
      node, floats * sizeof(float) + PNN_F32_GEMM_ALIGN);
  if (!plan || !mem) return NULL;
  float *packed = pnn_f32_gemm_align(mem);
  pnn_f32_gemm_pack(cfg, n, k, w, (ptrdiff_t)k, 1, bias, packed);
  *plan = (pnn_f32_gemm_plan){cfg, n, k, (n + cfg->nr - 1) / cfg->nr, packed,
                              act};
  return plan;
}
