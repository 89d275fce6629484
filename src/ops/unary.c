/* Elementwise unary math: EXP, LOG, SQRT, RSQRT, ABS, NEG, SIGN, SQUARE,
 * SIN, COS, FLOOR, CEIL, ROUND, LOGICAL_NOT.
 *
 * One prepare for all: the (op, type) table names the row function; the
 * output has the input's type and shape. Float math stays in float as in
 * TFLite's kernels. Integer NEG/ABS wrap at the minimum value rather than
 * invoke C's undefined overflow. Quantized int8/int16 ABS, SQRT, RSQRT,
 * LOG and EXP follow TFLite's integer kernels (see qun_prepare). */
#include <math.h>
#include <stdlib.h>

#include "ops/common.h"
#include "ops/fixedpoint.h"
#include "ops/lut.h"
#include "ops/quant_math.h"
#include "ops/tensor_util.h"
#include "kernels/f32_vec.h"

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
/* float EXP through the vector kernels (f32_vec.h: <= 4 ulp; results
 * below ~1.2e-38 flushed to 0), picked at prepare by ISA level. */
#if defined(__x86_64__)
static void exp_f32_avx2(const void *vi, void *vo, int64_t n) {
  pnn_f32_vec_ops_avx2.exp(vi, vo, (size_t)n);
}
static void exp_f32_avx512(const void *vi, void *vo, int64_t n) {
  pnn_f32_vec_ops_avx512.exp(vi, vo, (size_t)n);
}
#endif
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
/* int8 / int16 NEG negate the stored values (LiteRT ignores their
 * quantization); -min wraps to min. */
UN_ROW(neg_i8, int8_t, (int8_t)(uint8_t)(0u - (uint32_t)x))
UN_ROW(neg_i16, int16_t, (int16_t)(uint16_t)(0u - (uint32_t)x))
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
    {PNN_OP_NEG, PNN_TYPE_INT8, neg_i8},
    {PNN_OP_NEG, PNN_TYPE_INT16, neg_i16},
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

/* ------------------------------------- quantized (int8 / int16) */

/* TFLite's quantized elementwise kernels (elementwise.cc, exp.cc):
 *   ABS    |x - zp_in| rescaled by s_in / s_out (no rescale when the
 *          scales are equal), plus zp_out;
 *   RSQRT  int8: 1 / sqrt(x - zp_in) by TFLite's fixed-point inverse
 *          square root, scaled by 1 / (sqrt(s_in) * s_out); x == zp_in
 *          gives 127; int16: interpolated table;
 *   LOG, EXP  tables (lut.h); LOG of x <= 0 gives the output minimum;
 *   SQRT   float sqrt of the dequantized value, truncated onto the output.
 * Inputs below zero for RSQRT and SQRT fail at eval as in TFLite. int16
 * needs zero points 0; an int16 ABS without quantization is a plain abs. */
enum { QU_ABS, QU_RSQRT8, QU_SQRT, QU_LUT8, QU_LUT16 };

typedef struct {
  un_impl impl; /* op and type; fn unused */
  int kind;
  int32_t in_zp, out_zp, lo, hi;
  float in_scale, out_scale;
  bool rescale;
  int32_t mult;
  int shift;
  uint8_t lut8[256];
  int16_t lut16[513];
} qun_state;

static float lut_exp(float x, const void *p) {
  (void)p;
  return expf(x);
}
static float lut_log(float x, const void *p) {
  return x <= 0.f ? *(const float *)p : logf(x);
}
static float lut_rsqrt16(float x, const void *p) {
  return x <= 0.f ? 32767.f * *(const float *)p : 1.f / sqrtf(x);
}

static bool qun_supported(int32_t op, pnn_type t) {
  if (t != PNN_TYPE_INT8 && t != PNN_TYPE_INT16) return false;
  switch (op) {
    case PNN_OP_ABS:
    case PNN_OP_RSQRT:
    case PNN_OP_SQRT:
    case PNN_OP_LOG:
    case PNN_OP_EXP: return true;
    default: return false;
  }
}

static pnn_status qun_prepare(pnn_node *node, pnn_tensor *in) {
  const pnn_tensor *out = node->outputs[0];
  const int32_t op = node->builtin;
  const bool is16 = in->type == PNN_TYPE_INT16;
  if (pnn_tensor_count(in) < 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 0 (%s): element count overflows", in->name);
  if (out->type != in->type)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "output (%s) is %s but input 0 (%s) is %s",
                          out->name, pnn_type_name(out->type), in->name,
                          pnn_type_name(in->type));
  qun_state *st = pnn_node_alloc_persistent(node, sizeof *st);
  if (!st)
    return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY,
                          "out of memory for op state");
  st->impl.op = op;
  st->impl.type = in->type;
  node->state = st;
  pnn_qm_type_range(in->type, &st->lo, &st->hi);
  /* int16 ABS of an unquantized tensor: a plain abs. */
  if (is16 && op == PNN_OP_ABS && !(in->scale > 0)) {
    st->kind = QU_ABS;
    st->in_scale = st->out_scale = 0.f;
    return pnn_node_resize_output(node, 0, in->type, in->dims, in->rank);
  }
  pnn_status s = pnn_qm_require_scale(node, in, "input 0");
  if (!s) s = pnn_qm_require_scale(node, out, "output");
  if (s) return s;
  if (is16 && (in->zero_point != 0 || out->zero_point != 0))
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "int16 input 0 (%s) and output (%s) need zero "
                          "point 0",
                          in->name, out->name);
  st->in_zp = in->zero_point;
  st->out_zp = out->zero_point;
  st->in_scale = in->scale;
  st->out_scale = out->scale;
  switch (op) {
    case PNN_OP_ABS:
      st->kind = QU_ABS;
      st->rescale = in->scale != out->scale;
      pnn_qm_quantize_multiplier(in->scale / out->scale, &st->mult, &st->shift);
      break;
    case PNN_OP_SQRT: st->kind = QU_SQRT; break;
    case PNN_OP_RSQRT:
      if (is16) {
        st->kind = QU_LUT16;
        pnn_lut16_populate(in->scale, in->zero_point, out->scale,
                           out->zero_point, lut_rsqrt16, &out->scale,
                           st->lut16);
      } else {
        st->kind = QU_RSQRT8;
        pnn_qm_quantize_multiplier(1. / (sqrtf(in->scale) * out->scale),
                                   &st->mult, &st->shift);
      }
      break;
    case PNN_OP_LOG: {
      const float out_min = (float)(st->lo - out->zero_point) * out->scale;
      if (is16) {
        st->kind = QU_LUT16;
        pnn_lut16_populate(in->scale, in->zero_point, out->scale,
                           out->zero_point, lut_log, &out_min, st->lut16);
      } else {
        st->kind = QU_LUT8;
        pnn_lut8_populate(in->type, in->scale, in->zero_point, out->scale,
                          out->zero_point, lut_log, &out_min, st->lut8);
      }
      break;
    }
    default: /* EXP */
      if (is16) {
        st->kind = QU_LUT16;
        pnn_lut16_populate(in->scale, in->zero_point, out->scale,
                           out->zero_point, lut_exp, NULL, st->lut16);
      } else {
        st->kind = QU_LUT8;
        pnn_lut8_populate(in->type, in->scale, in->zero_point, out->scale,
                          out->zero_point, lut_exp, NULL, st->lut8);
      }
      break;
  }
  return pnn_node_resize_output(node, 0, in->type, in->dims, in->rank);
}

/* TFLite's RSQRT of one int8 value (x - zp_in >= 1). */
static int32_t rsqrt8_one(const qun_state *st, int32_t v) {
  if (v == 0) return 127;
  int32_t m;
  int sh;
  pnn_fp_inv_sqrt(v, &m, &sh);
  const int32_t data = pnn_qm_mul_by_qm(1, m, sh + 20);
  return pnn_qm_clamp_add(pnn_qm_mul_by_qm(data, st->mult, st->shift - 20),
                          st->out_zp, st->lo, st->hi);
}

static int32_t qun_one(const qun_state *st, int32_t x) {
  switch (st->kind) {
    case QU_ABS: {
      if (st->in_scale == 0.f) return x < 0 ? -x : x; /* unquantized */
      const int32_t v = abs(x - st->in_zp);
      const int32_t r =
          st->rescale ? pnn_qm_mul_by_qm(v, st->mult, st->shift) : v;
      return pnn_qm_clamp_add(r, st->out_zp, st->lo, st->hi);
    }
    case QU_RSQRT8: return rsqrt8_one(st, x - st->in_zp);
    case QU_SQRT: {
      const float d = st->in_scale * (float)(x - st->in_zp);
      const float r = sqrtf(d) / st->out_scale;
      const int64_t q = (int64_t)(r > 4e9f ? 4e9f : r) + st->out_zp;
      return (int32_t)(q < st->lo ? st->lo : (q > st->hi ? st->hi : q));
    }
    default: return 0;
  }
}

/* Returns false if an element is outside the op's domain. */
static bool qun_run(const qun_state *st, const void *vin, void *vout,
                    int64_t n) {
  if (st->kind == QU_RSQRT8 || st->kind == QU_SQRT ||
      (st->kind == QU_LUT16 && st->impl.op == PNN_OP_RSQRT)) {
    for (int64_t i = 0; i < n; i++) {
      int32_t x = st->impl.type == PNN_TYPE_INT8 ? ((const int8_t *)vin)[i]
                                                 : ((const int16_t *)vin)[i];
      if (x < st->in_zp) return false;
    }
  }
  if (st->impl.type == PNN_TYPE_INT8) {
    const int8_t *x = vin;
    int8_t *y = vout;
    if (st->kind == QU_LUT8)
      for (int64_t i = 0; i < n; i++) y[i] = (int8_t)st->lut8[(uint8_t)x[i]];
    else
      for (int64_t i = 0; i < n; i++) y[i] = (int8_t)qun_one(st, x[i]);
  } else {
    const int16_t *x = vin;
    int16_t *y = vout;
    if (st->kind == QU_LUT16)
      for (int64_t i = 0; i < n; i++) y[i] = pnn_lut16_lookup(x[i], st->lut16);
    else
      for (int64_t i = 0; i < n; i++) y[i] = (int16_t)qun_one(st, x[i]);
  }
  return true;
}

static pnn_status unary_prepare(pnn_node *node) {
  pnn_tensor *in;
  pnn_status s = pnn_check_io(node, 1, 1, 1);
  if (!s) s = pnn_require_input(node, 0, &in);
  if (s) return s;
  if (qun_supported(node->builtin, in->type)) return qun_prepare(node, in);
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
#if defined(__x86_64__)
  /* Not in reference order (hybrid subgraphs, op.h): expf per element. */
  if (impl->fn == exp_f32 && pnn_isa_active() != PNN_ISA_SCALAR &&
      !pnn_node_float_reference_order(node)) {
    un_impl *v = pnn_node_alloc_persistent(node, sizeof *v);
    if (!v)
      return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY,
                            "out of memory for op state");
    *v = *impl;
    v->fn = pnn_isa_active() == PNN_ISA_AVX512 ? exp_f32_avx512 : exp_f32_avx2;
    node->state = v;
  }
#endif
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
  if (qun_supported(impl->op, impl->type)) {
    if (!qun_run(node->state, node->inputs[0]->data, node->outputs[0]->data,
                 pnn_tensor_count(node->inputs[0])))
      return pnn_node_error(node, PNN_ERROR_RUNTIME,
                            "input 0 (%s): %s is only defined for values >= "
                            "0",
                            node->inputs[0]->name, node->name);
    return PNN_OK;
  }
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
