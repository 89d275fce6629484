/* Elementwise unary math: EXP, LOG, SQRT, RSQRT, ABS, NEG, SIGN, SQUARE,
 * SIN, COS, FLOOR, CEIL, ROUND, LOGICAL_NOT.
 *
 * One prepare for all: the (op, type) table names the row function; the
 * output has the input's type and shape. Float math stays in float as in
 * TFLite's kernels. Integer NEG/ABS wrap at the minimum value rather than
 * invoke C's undefined overflow. */
#include <math.h>

#include "ops/common.h"
#include "ops/tensor_util.h"

typedef void (*un_row_fn)(const void *in, void *out, int64_t n);

typedef struct {
  int32_t op;
  pnn_type type;
  un_row_fn fn;
} un_impl;

#define UN_ROW(NAME, T, EXPR)                             \
  static void NAME(const void *vi, void *vo, int64_t n) { \
    const T *in = vi;                                     \
    T *out = vo;                                          \
    for (int64_t i = 0; i < n; i++) {                     \
      const T x = in[i];                                  \
      out[i] = (EXPR);                                    \
    }                                                     \
  }

/* Round half to even, as TFLite's RoundToNearest (not C's roundf, which
 * rounds half away from zero). */
static float round_half_even(float x) {
  float f = floorf(x);
  float diff = x - f;
  if (diff < 0.5f) return f;
  if (diff > 0.5f) return f + 1.f;
  return fmodf(f, 2.f) == 0.f ? f : f + 1.f;
}

static float sign_f32(float x) {
  return x > 0.f ? 1.f : (x < 0.f ? -1.f : x); /* keeps 0, -0 and NaN */
}

UN_ROW(exp_f32, float, expf(x))
UN_ROW(log_f32, float, logf(x))
UN_ROW(sqrt_f32, float, sqrtf(x))
UN_ROW(rsqrt_f32, float, 1.f / sqrtf(x))
UN_ROW(abs_f32, float, fabsf(x))
UN_ROW(neg_f32, float, -x)
UN_ROW(sign_f32_row, float, sign_f32(x))
UN_ROW(square_f32, float, x *x)
UN_ROW(sin_f32, float, sinf(x))
UN_ROW(cos_f32, float, cosf(x))
UN_ROW(floor_f32, float, floorf(x))
UN_ROW(ceil_f32, float, ceilf(x))
UN_ROW(round_f32, float, round_half_even(x))
UN_ROW(abs_i32, int32_t, x < 0 ? (int32_t)(0u - (uint32_t)x) : x)
UN_ROW(neg_i32, int32_t, (int32_t)(0u - (uint32_t)x))
UN_ROW(neg_i64, int64_t, (int64_t)(UINT64_C(0) - (uint64_t)x))
UN_ROW(sign_i32, int32_t, (int32_t)((x > 0) - (x < 0)))
/* Bool read as a byte: any nonzero byte is true (see binary.c). */
UN_ROW(not_b, uint8_t, (uint8_t)(x == 0))

#define F32 PNN_TYPE_FLOAT32
#define I32 PNN_TYPE_INT32
static const un_impl un_impls[] = {
    {PNN_OP_EXP, F32, exp_f32},
    {PNN_OP_LOG, F32, log_f32},
    {PNN_OP_SQRT, F32, sqrt_f32},
    {PNN_OP_RSQRT, F32, rsqrt_f32},
    {PNN_OP_ABS, F32, abs_f32},
    {PNN_OP_ABS, I32, abs_i32},
    {PNN_OP_NEG, F32, neg_f32},
    {PNN_OP_NEG, I32, neg_i32},
    {PNN_OP_NEG, PNN_TYPE_INT64, neg_i64},
    {PNN_OP_SIGN, F32, sign_f32_row},
    {PNN_OP_SIGN, I32, sign_i32},
    {PNN_OP_SQUARE, F32, square_f32},
    {PNN_OP_SIN, F32, sin_f32},
    {PNN_OP_COS, F32, cos_f32},
    {PNN_OP_FLOOR, F32, floor_f32},
    {PNN_OP_CEIL, F32, ceil_f32},
    {PNN_OP_ROUND, F32, round_f32},
    {PNN_OP_LOGICAL_NOT, PNN_TYPE_BOOL, not_b},
};

static pnn_status unary_prepare(pnn_node *node) {
  pnn_tensor *in;
  pnn_status s = pnn_check_io(node, 1, 1, 1);
  if (!s) s = pnn_require_input(node, 0, &in);
  if (s) return s;
  const un_impl *impl = NULL;
  for (size_t i = 0; i < sizeof(un_impls) / sizeof(un_impls[0]); i++)
    if (un_impls[i].op == node->builtin && un_impls[i].type == in->type)
      impl = &un_impls[i];
  if (!impl)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "input 0 (%s): type %s not supported", in->name,
                          pnn_type_name(in->type));
  if (pnn_tensor_count(in) < 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 0 (%s): element count overflows", in->name);
  /* The table is static: the state can point into it. */
  node->state = (void *)impl;
  return pnn_node_resize_output(node, 0, in->type, in->dims, in->rank);
}

/* Below this many elements an op runs on the calling thread. */
#define UN_PARALLEL_MIN (1 << 15)

typedef struct {
  un_row_fn fn;
  const uint8_t *in;
  uint8_t *out;
  size_t size; /* element size in bytes */
} un_job;

static void un_worker(void *arg, int64_t begin, int64_t end) {
  const un_job *j = arg;
  j->fn(j->in + begin * (int64_t)j->size, j->out + begin * (int64_t)j->size,
        end - begin);
}

static pnn_status unary_eval(pnn_node *node) {
  const un_impl *impl = node->state;
  un_job job = {impl->fn, node->inputs[0]->data, node->outputs[0]->data,
                pnn_type_size(node->inputs[0]->type)};
  const int64_t n = pnn_tensor_count(node->inputs[0]);
  if (n < UN_PARALLEL_MIN)
    un_worker(&job, 0, n);
  else
    pnn_node_parallel_for(node, n, un_worker, &job);
  return PNN_OK;
}

static const pnn_op_kernel unary_kernel = {unary_prepare, unary_eval};

const pnn_op_entry pnn_ops_unary[] = {
    {PNN_OP_EXP, &unary_kernel},
    {PNN_OP_LOG, &unary_kernel},
    {PNN_OP_SQRT, &unary_kernel},
    {PNN_OP_RSQRT, &unary_kernel},
    {PNN_OP_ABS, &unary_kernel},
    {PNN_OP_NEG, &unary_kernel},
    {PNN_OP_SIGN, &unary_kernel},
    {PNN_OP_SQUARE, &unary_kernel},
    {PNN_OP_SIN, &unary_kernel},
    {PNN_OP_COS, &unary_kernel},
    {PNN_OP_FLOOR, &unary_kernel},
    {PNN_OP_CEIL, &unary_kernel},
    {PNN_OP_ROUND, &unary_kernel},
    {PNN_OP_LOGICAL_NOT, &unary_kernel},
    {-1, NULL},
};
