/* Activations over float32: RELU, RELU6, RELU_N1_TO_1, RELU_0_TO_1,
 * LEAKY_RELU, PRELU (alpha broadcast against the input), ELU, HARD_SWISH,
 * GELU (tanh approximation or exact erf), LOGISTIC, TANH, SOFTMAX (beta,
 * last axis) and LOG_SOFTMAX.
 *
 * Formulas follow TFLite's reference kernels so results agree to float
 * rounding; softmax subtracts the row maximum first so exp never
 * overflows. Quantized variants can be added beside each float path. */
#include <float.h>
#include <math.h>

#include "ops/common.h"
#include "ops/tensor_util.h"

/* ---------------------------------------------- pointwise activations */

typedef struct {
  float alpha;      /* LEAKY_RELU */
  bool approximate; /* GELU */
} act_params;

typedef float (*act_fn)(float x, const act_params *p);

static float relu(float x, const act_params *p) {
  (void)p;
  return x < 0.f ? 0.f : x;
}
static float relu6(float x, const act_params *p) {
  (void)p;
  return x < 0.f ? 0.f : (x > 6.f ? 6.f : x);
}
static float relu_n1_to_1(float x, const act_params *p) {
  (void)p;
  return x < -1.f ? -1.f : (x > 1.f ? 1.f : x);
}
static float relu_0_to_1(float x, const act_params *p) {
  (void)p;
  return x < 0.f ? 0.f : (x > 1.f ? 1.f : x);
}
static float leaky_relu(float x, const act_params *p) {
  return x > 0.f ? x : x * p->alpha;
}
static float elu(float x, const act_params *p) {
  (void)p;
  return x < 0.f ? expm1f(x) : x;
}
static float hard_swish(float x, const act_params *p) {
  (void)p;
  float r6 = x + 3.f;
  r6 = r6 < 0.f ? 0.f : (r6 > 6.f ? 6.f : r6);
  return x * r6 / 6.f;
}
static float gelu(float x, const act_params *p) {
  if (p->approximate) {
    /* sqrt(2/pi) * (x + 0.044715 x^3) inside tanh. */
    const float k = 0.7978845608028654f;
    return 0.5f * x * (1.f + tanhf(k * (x + 0.044715f * x * x * x)));
  }
  return 0.5f * x * (1.f + erff(x * 0.7071067811865476f));
}
static float logistic(float x, const act_params *p) {
  (void)p;
  return 1.f / (1.f + expf(-x));
}
static float tanh_act(float x, const act_params *p) {
  (void)p;
  return tanhf(x);
}

typedef struct {
  act_fn fn;
  act_params params;
} pointwise_state;

static act_fn pointwise_fn(int32_t op) {
  switch (op) {
    case PNN_OP_RELU: return relu;
    case PNN_OP_RELU6: return relu6;
    case PNN_OP_RELU_N1_TO_1: return relu_n1_to_1;
    case PNN_OP_RELU_0_TO_1: return relu_0_to_1;
    case PNN_OP_LEAKY_RELU: return leaky_relu;
    case PNN_OP_ELU: return elu;
    case PNN_OP_HARD_SWISH: return hard_swish;
    case PNN_OP_GELU: return gelu;
    case PNN_OP_LOGISTIC: return logistic;
    case PNN_OP_TANH: return tanh_act;
    default: return NULL;
  }
}

/* Common input checks: one float32 input of countable size. */
static pnn_status float_input(pnn_node *node, int n_in, pnn_tensor **in) {
  pnn_status s = pnn_check_io(node, n_in, n_in, 1);
  if (!s) s = pnn_require_input(node, 0, in);
  if (!s) s = pnn_tu_check_types(node, *in, 0, PNN_T(FLOAT32));
  if (s) return s;
  if (pnn_tensor_count(*in) < 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 0 (%s): element count overflows", (*in)->name);
  return PNN_OK;
}

static pnn_status pointwise_prepare(pnn_node *node) {
  pnn_tensor *in;
  pnn_status s = float_input(node, 1, &in);
  if (s) return s;
  pointwise_state *st = pnn_node_alloc_persistent(node, sizeof *st);
  if (!st)
    return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY,
                          "out of memory for op state");
  st->fn = pointwise_fn(node->builtin);
  if (!st->fn)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED, "not an activation");
  st->params.alpha = PNN_OPTS(node, leaky_relu)->alpha;
  st->params.approximate = PNN_OPTS(node, gelu)->approximate;
  node->state = st;
  return pnn_node_resize_output(node, 0, PNN_TYPE_FLOAT32, in->dims, in->rank);
}

static pnn_status pointwise_eval(pnn_node *node) {
  const pointwise_state *st = node->state;
  const float *in = node->inputs[0]->data;
  float *out = node->outputs[0]->data;
  const int64_t n = pnn_tensor_count(node->inputs[0]);
  for (int64_t i = 0; i < n; i++) out[i] = st->fn(in[i], &st->params);
  return PNN_OK;
}

/* ------------------------------------------------------------- PRELU */

/* out = x >= 0 ? x : x * alpha, with alpha broadcast against x. */
typedef struct {
  int rank;
  int32_t dims[PNN_MAX_RANK];
  int64_t sx[PNN_MAX_RANK], sa[PNN_MAX_RANK];
  int64_t count;
} prelu_state;

static pnn_status prelu_prepare(pnn_node *node) {
  pnn_tensor *in, *alpha;
  pnn_status s = float_input(node, 2, &in);
  if (!s) s = pnn_require_input(node, 1, &alpha);
  if (!s) s = pnn_check_type(node, alpha, 1, PNN_TYPE_FLOAT32);
  if (s) return s;
  prelu_state *st = pnn_node_alloc_persistent(node, sizeof *st);
  if (!st)
    return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY,
                          "out of memory for op state");
  if (in->rank > PNN_MAX_RANK || alpha->rank > PNN_MAX_RANK ||
      !pnn_broadcast_dims(in->dims, in->rank, alpha->dims, alpha->rank,
                          st->dims, &st->rank))
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 1 (%s, alpha) does not broadcast against "
                          "input 0 (%s)",
                          alpha->name, in->name);
  st->count = pnn_dims_count(st->dims, st->rank);
  if (st->count < 0 || pnn_tensor_count(alpha) < 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "output element count overflows");
  pnn_broadcast_strides(in, st->rank, st->sx);
  pnn_broadcast_strides(alpha, st->rank, st->sa);
  node->state = st;
  return pnn_node_resize_output(node, 0, PNN_TYPE_FLOAT32, st->dims, st->rank);
}

static pnn_status prelu_eval(pnn_node *node) {
  const prelu_state *st = node->state;
  const float *x = node->inputs[0]->data, *al = node->inputs[1]->data;
  float *out = node->outputs[0]->data;
  if (st->count == 0) return PNN_OK;
  int64_t idx[PNN_MAX_RANK] = {0};
  int64_t ox = 0, oa = 0;
  for (int64_t i = 0; i < st->count; i++) {
    float v = x[ox];
    out[i] = v >= 0.f ? v : v * al[oa];
    /* Step the odometer: innermost dim first. */
    for (int k = st->rank - 1; k >= 0; k--) {
      ox += st->sx[k];
      oa += st->sa[k];
      if (++idx[k] < st->dims[k]) break;
      ox -= st->sx[k] * st->dims[k];
      oa -= st->sa[k] * st->dims[k];
      idx[k] = 0;
    }
  }
  return PNN_OK;
}

/* ----------------------------------------------- SOFTMAX, LOG_SOFTMAX */

typedef struct {
  int64_t rows, depth; /* depth = last dim */
  float beta;
} softmax_state;

static pnn_status softmax_prepare(pnn_node *node) {
  pnn_tensor *in;
  pnn_status s = float_input(node, 1, &in);
  if (s) return s;
  if (in->rank < 1)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 0 (%s): must have rank >= 1", in->name);
  softmax_state *st = pnn_node_alloc_persistent(node, sizeof *st);
  if (!st)
    return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY,
                          "out of memory for op state");
  st->depth = in->dims[in->rank - 1];
  st->rows = pnn_dims_count(in->dims, in->rank - 1);
  st->beta =
      node->builtin == PNN_OP_SOFTMAX ? PNN_OPTS(node, softmax)->beta : 1.f;
  node->state = st;
  return pnn_node_resize_output(node, 0, PNN_TYPE_FLOAT32, in->dims, in->rank);
}

static float row_max(const float *x, int64_t n) {
  float m = -FLT_MAX;
  for (int64_t i = 0; i < n; i++) m = x[i] > m ? x[i] : m;
  return m;
}

static pnn_status softmax_eval(pnn_node *node) {
  const softmax_state *st = node->state;
  const float *in = node->inputs[0]->data;
  float *out = node->outputs[0]->data;
  const int64_t d = st->depth;
  for (int64_t r = 0; r < st->rows && d > 0; r++) {
    const float *x = in + r * d;
    float *y = out + r * d;
    const float m = row_max(x, d);
    float sum = 0.f;
    for (int64_t i = 0; i < d; i++) {
      y[i] = expf((x[i] - m) * st->beta);
      sum += y[i];
    }
    for (int64_t i = 0; i < d; i++) y[i] /= sum;
  }
  return PNN_OK;
}

static pnn_status log_softmax_eval(pnn_node *node) {
  const softmax_state *st = node->state;
  const float *in = node->inputs[0]->data;
  float *out = node->outputs[0]->data;
  const int64_t d = st->depth;
  for (int64_t r = 0; r < st->rows && d > 0; r++) {
    const float *x = in + r * d;
    float *y = out + r * d;
    const float m = row_max(x, d);
    float sum = 0.f;
    for (int64_t i = 0; i < d; i++) sum += expf(x[i] - m);
    const float log_sum = logf(sum);
    for (int64_t i = 0; i < d; i++) y[i] = x[i] - m - log_sum;
  }
  return PNN_OK;
}

static const pnn_op_kernel pointwise_kernel = {pointwise_prepare,
                                               pointwise_eval};
static const pnn_op_kernel prelu_kernel = {prelu_prepare, prelu_eval};
static const pnn_op_kernel softmax_kernel = {softmax_prepare, softmax_eval};
static const pnn_op_kernel log_softmax_kernel = {softmax_prepare,
                                                 log_softmax_eval};

const pnn_op_entry pnn_ops_activation[] = {
    {PNN_OP_RELU, &pointwise_kernel},
    {PNN_OP_RELU6, &pointwise_kernel},
    {PNN_OP_RELU_N1_TO_1, &pointwise_kernel},
    {PNN_OP_RELU_0_TO_1, &pointwise_kernel},
    {PNN_OP_LEAKY_RELU, &pointwise_kernel},
    {PNN_OP_ELU, &pointwise_kernel},
    {PNN_OP_HARD_SWISH, &pointwise_kernel},
    {PNN_OP_GELU, &pointwise_kernel},
    {PNN_OP_LOGISTIC, &pointwise_kernel},
    {PNN_OP_TANH, &pointwise_kernel},
    {PNN_OP_PRELU, &prelu_kernel},
    {PNN_OP_SOFTMAX, &softmax_kernel},
    {PNN_OP_LOG_SOFTMAX, &log_softmax_kernel},
    {-1, NULL},
};
