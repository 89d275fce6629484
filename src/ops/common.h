/* Small helpers shared by op families: element counts, broadcasting,
 * padding arithmetic, fused activations, input checks. */
#ifndef PNN_OPS_COMMON_H
#define PNN_OPS_COMMON_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "ops/op.h"

/* Product of dims; -1 if negative dims or overflow past INT64_MAX/16. */
int64_t pnn_dims_count(const int32_t *dims, int rank);
static inline int64_t pnn_tensor_count(const pnn_tensor *t) {
  return pnn_dims_count(t->dims, t->rank);
}
bool pnn_same_shape(const pnn_tensor *a, const pnn_tensor *b);

/* NumPy-style broadcast of a and b's shapes into out_dims/out_rank.
 * Returns false if the shapes are incompatible. */
bool pnn_broadcast_dims(const int32_t *a, int ra, const int32_t *b, int rb,
                        int32_t *out_dims, int *out_rank);

/* For an output of `rank` dims broadcast from input t, writes the strides
 * (in elements) to use for t at each output dim: 0 where t is broadcast. */
void pnn_broadcast_strides(const pnn_tensor *t, int rank, int64_t *strides);

/* TFLite's conv/pool output size for SAME/VALID padding. Returns -1 when
 * the output would be empty or invalid (stride/dilation <= 0). */
int32_t pnn_conv_output_size(int padding, int32_t in, int32_t filter,
                             int32_t stride, int32_t dilation);
/* Leading (top/left) padding TFLite uses for SAME; 0 for VALID. */
int32_t pnn_conv_padding_before(int padding, int32_t in, int32_t filter,
                                int32_t stride, int32_t dilation,
                                int32_t out);

/* Clamp range of a fused activation (NONE/RELU/RELU_N1_TO_1/RELU6);
 * false for an activation code that is not a clamp (TANH, SIGN_BIT) or
 * unknown. */
bool pnn_activation_range_f32(int act, float *lo, float *hi);
/* True if act is one the float kernels can apply (NONE..TANH). */
bool pnn_activation_supported(int act);
static inline float pnn_apply_activation(int act, float x) {
  switch (act) {
    case 1: return x < 0.f ? 0.f : x;
    case 2: return x < -1.f ? -1.f : (x > 1.f ? 1.f : x);
    case 3: return x < 0.f ? 0.f : (x > 6.f ? 6.f : x);
    case 4: return tanhf(x);
    default: return x;
  }
}

/* Checks node has between min and max inputs and exactly n_out outputs,
 * with the first `required` inputs present. Reports an error otherwise. */
pnn_status pnn_check_io(pnn_node *node, int min_in, int max_in, int n_out);
/* Input i, requiring it to be present; reports "input i is absent". */
pnn_status pnn_require_input(pnn_node *node, int i, pnn_tensor **out);
/* Reports "input i (name): expected TYPE, got TYPE" unless t->type == type. */
pnn_status pnn_check_type(pnn_node *node, const pnn_tensor *t, int i,
                          pnn_type type);
/* Reads an int32 or int64 constant/1-D tensor element as int64. */
int64_t pnn_read_index(const pnn_tensor *t, int64_t i);

struct pnn_f32_gemm_config;
struct pnn_f32_gemm_plan;
/* A float GEMM plan allocated on the node (persistent memory): the weights
 * w ([n, k], row = output unit) plus bias (or NULL) packed for cfg into
 * `floats` floats (pnn_f32_gemm_packed_floats, > 0), fused activation act.
 * NULL when out of memory. */
struct pnn_f32_gemm_plan *pnn_f32_gemm_plan_on_node(
    pnn_node *node, const struct pnn_f32_gemm_config *cfg, size_t n,
    size_t k, size_t floats, const float *w, const float *bias, int act);

#endif
