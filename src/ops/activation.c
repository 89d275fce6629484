/* Activations over float32: RELU, RELU6, RELU_N1_TO_1, RELU_0_TO_1,
 * LEAKY_RELU, PRELU (alpha broadcast against the input), ELU, HARD_SWISH,
 * GELU (tanh approximation or exact erf), LOGISTIC, TANH, SOFTMAX (beta,
 * last axis) and LOG_SOFTMAX.
 *
 * Formulas follow TFLite's reference kernels so results agree to float
 * rounding; softmax subtracts the row maximum first so exp never
 * overflows.
 *
 * Quantized paths (TFLite's reference integer kernels, bit-exact): the RELU
 * family, LEAKY_RELU and PRELU rescale in fixed point (int16 for RELU,
 * RELU6, LEAKY_RELU); LOGISTIC, TANH, ELU, GELU on 8 bits are 256-entry
 * tables and int16 GELU a 513-entry interpolated table; HARD_SWISH runs
 * TFLite's 16-bit fixed-point formula; SOFTMAX (int8, uint8, int16) and
 * LOG_SOFTMAX (int8, uint8) use gemmlowp-style fixed point
 * (fixedpoint.h); int16 LOGISTIC / TANH interpolate TFLite's 16-bit
 * sigmoid table. */
#include <float.h>
#include <math.h>

#include "ops/fuse.h"
#include "ops/common.h"
#include "ops/fixedpoint.h"
#include "ops/lut.h"
#include "kernels/qs8_vec.h"
#include "ops/quant_math.h"
#include "ops/tensor_util.h"
#include "kernels/f32_vec.h"

/* Below this many elements an op runs on the calling thread. */
#define ACT_PARALLEL_MIN (1 << 15)

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
  (void)p; /* TFLite's reference cut-offs, as f32_vec.c's scalar level */
  if (x > 16.619047164916992188f) return 1.f;
  if (x < -9.f) return expf(x);
  return 1.f / (1.f + expf(-x));
}
static float tanh_act(float x, const act_params *p) {
  (void)p;
  return tanhf(x);
}

typedef struct {
  act_fn fn;
  act_params params;
  /* float: the elementwise kernels picked at prepare (kernels/f32_vec.h);
   * ops without one run fn per element. */
  const pnn_f32_vec_ops *vec;
  /* LOGISTIC fused with the MUL by its own input (fuse.c): eval writes
   * x * logistic(x) into this tensor (the MUL's output) instead. */
  pnn_tensor *swish_out;
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

/* ------------------------------------- quantized (int8 / uint8 / int16) */

/* TFLite's integer activations. LOGISTIC, TANH, ELU and GELU on 8 bits are
 * 256-entry tables computed at prepare exactly as TFLite's LUTPopulate
 * (the float function on the dequantized value, rounded onto the output
 * scale); the RELU family, LEAKY_RELU and HARD_SWISH rescale in fixed
 * point like TFLite's reference kernels. Above the scalar level those
 * become tables too (each entry the fixed-point result for that input
 * byte) and every 8-bit table is applied by the qs8 vector lookup
 * (kernels/qs8_vec.h); tests/test_ops_int8_vec.c checks all 256 inputs
 * against the scalar level's element-by-element reference. */
/* act_fn through lut.h's table builders. */
typedef struct {
  act_fn fn;
  const act_params *p;
} lut_thunk;
static float lut_thunk_call(float x, const void *arg) {
  const lut_thunk *t = arg;
  return t->fn(x, t->p);
}

/* int16 LOGISTIC / TANH (TFLite's reference integer kernels): the input
 * is brought to a scale of 1/(3 * 4096) (a power-of-two shift when the
 * input scale allows, else a multiplier), then a 256-entry table of
 * sigmoid(i / 24) on 16 bits is interpolated; tanh(x) = 2 sigmoid(2x) - 1.
 * TFLite's table entries are 65536 sigmoid(i / 24) raised by half the
 * chord's error at the interval midpoint, rounded half up, and a last
 * entry of 0xFFFF; we compute them from that definition. */
static void sigmoid_table16(uint16_t *t) {
  for (int i = 0; i < 256; i++) {
    const double f0 = 65536.0 / (1.0 + exp(-i / 24.0));
    const double fm = 65536.0 / (1.0 + exp(-(i + 0.5) / 24.0));
    const double f1 = 65536.0 / (1.0 + exp(-(i + 1) / 24.0));
    const double v = floor(f0 + (fm - (f0 + f1) / 2.0) / 2.0 + 0.5);
    t[i] = (uint16_t)(v > 65535.0 ? 65535.0 : v);
  }
  t[255] = 65535; /* the last entry is the saturated 1.0 (0xFFFF) */
}

enum { QA_LUT, QA_RELU, QA_LEAKY, QA_HARD_SWISH, QA_LUT16, QA_SIGMOID16,
       QA_TANH16 };

typedef struct {
  int kind;
  pnn_type type;
  uint8_t lut[256];         /* QA_LUT: indexed by the input's byte */
  int16_t lut16[513];       /* QA_LUT16: interpolated int16 table */
  uint16_t sig16[256];      /* QA_SIGMOID16 / QA_TANH16 */
  int32_t in_mult;          /* 0: power-of-two input (shift only) */
  int in_shift;
  int32_t in_zp, out_zp;
  int32_t m_id, m_alpha;    /* QA_RELU (m_id), QA_LEAKY */
  int s_id, s_alpha;
  int32_t lo, hi;           /* output clamp */
  /* QA_HARD_SWISH (TFLite HardSwishParams) */
  int16_t hs_out_m, hs_relu_m;
  int hs_out_e, hs_relu_e;
  /* 8-bit QA_LUT at SIMD levels: the vector table lookup (NULL at the
   * scalar level, which keeps the reference loops). */
  const pnn_qs8_vec_ops *vec;
} qact_state;

static float lut_logistic(float x, const act_params *p) {
  (void)p;
  return 1.0f / (1.0f + expf(-x));
}
static float lut_elu(float x, const act_params *p) {
  (void)p;
  return x < 0.0f ? expm1f(x) : x;
}
/* TFLite's GeluTransform (erfc form) and GeluTransformApproximate. */
static float lut_gelu(float x, const act_params *p) {
  if (p->approximate) {
    const float k = (float)(1.12837916709551257390 * 0.70710678118654752440);
    return 0.5f * x * (1.f + tanhf(k * (x + 0.044715f * x * x * x)));
  }
  return 0.5f * x * erfcf(x * (float)(-0.70710678118654752440));
}

/* TFLite DownScaleInt32ToInt16Multiplier. */
static int16_t downscale_multiplier(int32_t m) {
  if (m >= INT32_MAX - (1 << 15)) return INT16_MAX;
  return (int16_t)((m + (1 << 15)) >> 16);
}

/* TFLite's reference LOGISTIC on 8 bits requires the output scale 1/256
 * (any zero point: the table absorbs it). */
static pnn_status qact_check_out(pnn_node *node, const pnn_tensor *out,
                                 double scale) {
  if (out->scale != (float)scale)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "output (%s): %s needs scale %g, got %g", out->name,
                          node->name, scale, (double)out->scale);
  return PNN_OK;
}

/* Prepare of int16 LOGISTIC / TANH as TFLite's (zero points are checked
 * by the caller). */
static pnn_status q16_sigmoid_prepare(pnn_node *node, const pnn_tensor *in,
                                      const pnn_tensor *out, qact_state *st) {
  const bool tanh_op = node->builtin == PNN_OP_TANH;
  int in_log2, out_log2;
  bool pot = pnn_fp_checked_log2(in->scale, &in_log2);
  st->in_shift = (15 - 3) + in_log2;
  pot = pot && (tanh_op ? (st->in_shift == 0 || st->in_shift == 1)
                        : st->in_shift == 0);
  st->in_mult = 0;
  if (!pot) {
    double m = (double)in->scale * 4096.0 * 3.0;
    st->in_shift = 0;
    while (m <= 32767.0 / 2.0 && st->in_shift <= 30) {
      st->in_shift++;
      m *= 2.0;
    }
    /* The kernel multiplies int16 inputs by an int16-range multiplier: a
     * bigger one (input scale above 32767 / 12288) would not even convert
     * to int32 (fuzzer finding). */
    if (!(m <= 32767.0))
      return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                            "input (%s): int16 %s input scale %g is too "
                            "large",
                            in->name, node->name, (double)in->scale);
    st->in_mult = (int32_t)m;
  }
  if (!pnn_fp_checked_log2(out->scale, &out_log2) || out_log2 != -15 ||
      (!tanh_op && out->scale != 1.f / 32768))
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "output (%s): int16 %s needs scale 1/32768, got %g",
                          out->name, node->name, (double)out->scale);
  if (pot) { /* power of two: the factor 3 is the multiplier */
    st->in_mult = 3 << st->in_shift;
    st->in_shift = 0;
  } else if (st->in_mult == 0) {
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input (%s): int16 %s input scale %g is too small",
                          in->name, node->name, (double)in->scale);
  }
  st->kind = tanh_op ? QA_TANH16 : QA_SIGMOID16;
  sigmoid_table16(st->sig16);
  return PNN_OK;
}

static int16_t sigmoid16_one(const qact_state *st, int16_t x) {
  const int32_t rnd = st->in_shift > 0 ? 1 << (st->in_shift - 1) : 0;
  const int32_t v = (int32_t)(((int64_t)x * st->in_mult + rnd) >> st->in_shift);
  const uint32_t a = (uint32_t)(v < 0 ? -(int64_t)v : v);
  const uint32_t uh = a >> 9;
  uint32_t r;
  if (uh >= 255) {
    r = 0x7FFFu << 10;
  } else {
    const uint32_t ua = st->sig16[uh], ub = st->sig16[uh + 1];
    r = (ua << 9) + (a & 0x1ff) * (ub - ua);
  }
  r = v >= 0 ? r + (1u << 9) : (1u << 25) - r + (1u << 9) - 1;
  return (int16_t)(r >> 10);
}

static int16_t tanh16_one(const qact_state *st, int16_t x) {
  const int32_t rnd = st->in_shift > 0 ? 1 << (st->in_shift - 1) : 0;
  const int32_t v = (int32_t)(((int64_t)x * st->in_mult + rnd) >> st->in_shift);
  const uint32_t a = (uint32_t)(v < 0 ? -(int64_t)v : v);
  const uint32_t uh = a >> 8;
  int32_t r;
  if (uh >= 255) {
    r = 0xFFFF << 8;
  } else {
    const uint32_t ua = st->sig16[uh], ub = st->sig16[uh + 1];
    r = (int32_t)((ua << 8) + (a & 0xFF) * (ub - ua));
  }
  r = v >= 0 ? r - (1 << 23) + (1 << 7) : -r + (1 << 23) + (1 << 7) - 1;
  return (int16_t)(r >> 8);
}

static inline int32_t qact_one(const qact_state *st, int32_t x);

static pnn_status qact_prepare(pnn_node *node, pnn_tensor *in) {
  const pnn_tensor *out = node->outputs[0];
  const int32_t op = node->builtin;
  const bool is16 = in->type == PNN_TYPE_INT16;
  pnn_status s = pnn_qm_require_scale(node, in, "input 0");
  if (!s) s = pnn_qm_require_scale(node, out, "output");
  if (s) return s;
  if (out->type != in->type)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "output (%s) is %s but input 0 (%s) is %s",
                          out->name, pnn_type_name(out->type), in->name,
                          pnn_type_name(in->type));
  if (is16 && (in->zero_point != 0 || out->zero_point != 0))
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "int16 input 0 (%s) and output (%s) need zero "
                          "point 0",
                          in->name, out->name);
  qact_state *st = pnn_node_alloc_persistent(node, sizeof *st);
  if (!st)
    return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY,
                          "out of memory for op state");
  st->type = in->type;
  st->in_zp = in->zero_point;
  st->out_zp = out->zero_point;
  pnn_qm_type_range(in->type, &st->lo, &st->hi);
  act_params p = {PNN_OPTS(node, leaky_relu)->alpha,
                  PNN_OPTS(node, gelu)->approximate};
  float act_lo = 0.f, act_hi = INFINITY;
  bool ok = false;
  switch (op) {
    case PNN_OP_RELU_N1_TO_1: act_lo = -1.f; act_hi = 1.f; ok = !is16; goto relu;
    case PNN_OP_RELU_0_TO_1: act_hi = 1.f; ok = !is16; goto relu;
    case PNN_OP_RELU6: act_hi = 6.f; ok = true; goto relu;
    case PNN_OP_RELU:
      ok = true;
    relu:
      st->kind = QA_RELU;
      /* s_in / s_out in float, as TFLite's prepare (not in double: the
       * multipliers differ in the last bits and int16 outputs by a step). */
      pnn_qm_quantize_multiplier((double)(in->scale / out->scale),
                                 &st->m_id, &st->s_id);
      {
        /* zp + (int32)roundf(bound / scale), in float as TFLite; a tiny
         * output scale puts a bound far outside any integer: it then
         * clips nothing (pnn_qm_quantize_bound saturates). */
        int64_t ql = pnn_qm_quantize_bound(act_lo, out->scale, out->zero_point);
        if (ql > st->lo) st->lo = ql > st->hi ? st->hi : (int32_t)ql;
        if (isfinite(act_hi)) {
          int64_t qh =
              pnn_qm_quantize_bound(act_hi, out->scale, out->zero_point);
          if (qh < st->hi) st->hi = qh < st->lo ? st->lo : (int32_t)qh;
        }
      }
      break;
    case PNN_OP_LEAKY_RELU:
      ok = true;
      st->kind = QA_LEAKY;
      /* both ratios in float, as TFLite's prepare */
      pnn_qm_quantize_multiplier((double)(in->scale * p.alpha / out->scale),
                                 &st->m_alpha, &st->s_alpha);
      pnn_qm_quantize_multiplier((double)(in->scale / out->scale),
                                 &st->m_id, &st->s_id);
      break;
    case PNN_OP_HARD_SWISH: {
      if (is16) break;
      ok = true;
      st->kind = QA_HARD_SWISH;
      const float hires = (1.0f / 128.0f) * in->scale;
      const float out_m = hires / out->scale;
      const float relu_m = hires / (3.0f / 32768.0f);
      int32_t m32;
      pnn_qm_quantize_multiplier(out_m, &m32, &st->hs_out_e);
      st->hs_out_m = downscale_multiplier(m32);
      if (st->hs_out_e > 0)
        return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                              "output (%s): scale %g too small for input "
                              "scale %g",
                              out->name, (double)out->scale,
                              (double)in->scale);
      pnn_qm_quantize_multiplier(relu_m, &m32, &st->hs_relu_e);
      st->hs_relu_m = downscale_multiplier(m32);
      break;
    }
    case PNN_OP_LOGISTIC:
    case PNN_OP_TANH:
    case PNN_OP_ELU:
    case PNN_OP_GELU: {
      if (is16 && (op == PNN_OP_LOGISTIC || op == PNN_OP_TANH)) {
        s = q16_sigmoid_prepare(node, in, out, st);
        if (s) return s;
        ok = true;
        break;
      }
      if (is16 && op == PNN_OP_GELU) {
        ok = true;
        st->kind = QA_LUT16;
        const lut_thunk th = {lut_gelu, &p};
        pnn_lut16_populate(in->scale, in->zero_point, out->scale,
                           out->zero_point, lut_thunk_call, &th, st->lut16);
        break;
      }
      if (is16) break;
      if (op == PNN_OP_ELU && in->type != PNN_TYPE_INT8) break;
      ok = true;
      if (op == PNN_OP_LOGISTIC) {
        s = qact_check_out(node, out, 1. / 256);
        if (s) return s;
      }
      st->kind = QA_LUT;
      act_fn fn = op == PNN_OP_LOGISTIC ? lut_logistic
                  : op == PNN_OP_TANH   ? tanh_act
                  : op == PNN_OP_ELU    ? lut_elu
                                        : lut_gelu;
      const lut_thunk th = {fn, &p};
      pnn_lut8_populate(in->type, in->scale, in->zero_point, out->scale,
                        out->zero_point, lut_thunk_call, &th, st->lut);
      break;
    }
    default: break;
  }
  if (!ok)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "input 0 (%s): type %s not supported", in->name,
                          pnn_type_name(in->type));
  if (!is16 && pnn_isa_active() != PNN_ISA_SCALAR) {
    /* Above the scalar level every 8-bit activation is a table lookup:
     * the fixed-point ones (RELU family, LEAKY_RELU, HARD_SWISH) are pure
     * functions of the input byte, so their table holds the reference
     * arithmetic's result for each of the 256 inputs. */
    if (st->kind != QA_LUT) {
      int32_t lo, hi;
      pnn_qm_type_range(in->type, &lo, &hi);
      for (int32_t v = lo; v <= hi; v++)
        st->lut[(uint8_t)v] = (uint8_t)qact_one(st, v);
      st->kind = QA_LUT;
    }
    st->vec = pnn_qs8_vec_ops_for(pnn_isa_active());
  }
  node->state = st;
  return pnn_node_resize_output(node, 0, in->type, in->dims, in->rank);
}

/* gemmlowp's int16 SaturatingRoundingDoublingHighMul. */
static inline int16_t srdhm16(int16_t a, int16_t b) {
  if (a == INT16_MIN && b == INT16_MIN) return INT16_MAX;
  int32_t ab = (int32_t)a * b;
  int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
  return (int16_t)((ab + nudge) / (1 << 15));
}
/* TFLite's SaturatingDoublingHighMul (truncating). */
static inline int16_t sdhm16(int16_t a, int16_t b) {
  if (a == INT16_MIN && b == INT16_MIN) return INT16_MAX;
  return (int16_t)(((int32_t)a * b) / (1 << 15));
}
/* gemmlowp's int16 RoundingDivideByPOT: the value x / 2^e rounded half
 * away from zero is the same in int32, whose helper also takes any e (a
 * crafted scale asks for e >= 16, where the int16 mask would overflow). */
static inline int16_t rdbpot16(int16_t x, int e) {
  return (int16_t)pnn_qm_rounding_divide_by_pot(x, e);
}
/* Saturating v * 2^amount; any amount >= 16 saturates every v != 0. */
static inline int16_t sat_shl16(int16_t v, int amount) {
  if (amount > 16) amount = 16;
  int64_t r = (int64_t)v * ((int64_t)1 << (amount > 0 ? amount : 0));
  return (int16_t)(r > INT16_MAX ? INT16_MAX : (r < INT16_MIN ? INT16_MIN : r));
}

static int32_t hard_swish_q(const qact_state *st, int32_t x) {
  const int16_t in_v = (int16_t)(x - st->in_zp);
  const int16_t hires = (int16_t)(in_v * (1 << 7));
  const int16_t preshift = srdhm16(hires, st->hs_out_m);
  int16_t r = hires;
  if (st->hs_relu_e > 0) r = sat_shl16(r, st->hs_relu_e - 1);
  r = srdhm16(r, st->hs_relu_m);
  if (st->hs_relu_e > 0) r = sat_shl16(r, 1);
  if (st->hs_relu_e < 0) r = rdbpot16(r, -st->hs_relu_e);
  r = (int16_t)(((int32_t)r + (1 << 15)) >> 1);
  const int16_t pre_out = sdhm16(r, preshift);
  int16_t o = rdbpot16(pre_out, -st->hs_out_e);
  o = (int16_t)(o + st->out_zp);
  return o;
}

static inline int32_t qact_one(const qact_state *st, int32_t x) {
  switch (st->kind) {
    case QA_RELU:
      return pnn_qm_clamp(
          st->out_zp + pnn_qm_mul_by_qm(x - st->in_zp, st->m_id, st->s_id),
          st->lo, st->hi);
    case QA_LEAKY: {
      const int32_t v = x - st->in_zp;
      const int32_t r =
          v >= 0 ? pnn_qm_mul_by_qm(v, st->m_id, st->s_id)
                 : pnn_qm_mul_by_qm(v, st->m_alpha, st->s_alpha);
      return pnn_qm_clamp_add(r, st->out_zp, st->lo, st->hi);
    }
    case QA_HARD_SWISH:
      return pnn_qm_clamp(hard_swish_q(st, x), st->lo, st->hi);
    default: return 0;
  }
}

typedef struct {
  const qact_state *st;
  const void *in;
  void *out;
} qact_job;

static void qact_worker(void *arg, int64_t begin, int64_t end) {
  const qact_job *j = arg;
  const qact_state *st = j->st;
  switch (st->type) {
    case PNN_TYPE_INT8: {
      const int8_t *x = j->in;
      int8_t *y = j->out;
      if (st->kind == QA_LUT && st->vec)
        st->vec->lut((const uint8_t *)x + begin, (uint8_t *)y + begin,
                     (size_t)(end - begin), st->lut);
      else if (st->kind == QA_LUT)
        for (int64_t i = begin; i < end; i++)
          y[i] = (int8_t)st->lut[(uint8_t)x[i]];
      else
        for (int64_t i = begin; i < end; i++) y[i] = (int8_t)qact_one(st, x[i]);
      break;
    }
    case PNN_TYPE_UINT8: {
      const uint8_t *x = j->in;
      uint8_t *y = j->out;
      if (st->kind == QA_LUT && st->vec)
        st->vec->lut(x + begin, y + begin, (size_t)(end - begin), st->lut);
      else if (st->kind == QA_LUT)
        for (int64_t i = begin; i < end; i++) y[i] = st->lut[x[i]];
      else
        for (int64_t i = begin; i < end; i++)
          y[i] = (uint8_t)qact_one(st, x[i]);
      break;
    }
    default: {
      const int16_t *x = j->in;
      int16_t *y = j->out;
      if (st->kind == QA_LUT16)
        for (int64_t i = begin; i < end; i++)
          y[i] = pnn_lut16_lookup(x[i], st->lut16);
      else if (st->kind == QA_SIGMOID16)
        for (int64_t i = begin; i < end; i++) y[i] = sigmoid16_one(st, x[i]);
      else if (st->kind == QA_TANH16)
        for (int64_t i = begin; i < end; i++) y[i] = tanh16_one(st, x[i]);
      else
        for (int64_t i = begin; i < end; i++)
          y[i] = (int16_t)qact_one(st, x[i]);
      break;
    }
  }
}

/* Runs worker over [0, n) items, on worker threads when `work` (elements
 * touched) is large enough to pay for the hand-off. */
static void run_job(pnn_node *node, pnn_range_fn worker, void *job, int64_t n,
                    int64_t work) {
  if (work < ACT_PARALLEL_MIN)
    worker(job, 0, n);
  else
    pnn_node_parallel_for(node, n, worker, job);
}

static pnn_status qact_eval(pnn_node *node) {
  qact_job job = {node->state, node->inputs[0]->data, node->outputs[0]->data};
  const int64_t n = pnn_tensor_count(node->inputs[0]);
  run_job(node, qact_worker, &job, n, n);
  return PNN_OK;
}

static bool is_quant_type(pnn_type t) {
  return t == PNN_TYPE_INT8 || t == PNN_TYPE_UINT8 || t == PNN_TYPE_INT16;
}

static pnn_status pointwise_prepare(pnn_node *node) {
  pnn_tensor *in;
  pnn_status s = pnn_check_io(node, 1, 1, 1);
  if (!s) s = pnn_require_input(node, 0, &in);
  if (s) return s;
  if (is_quant_type(in->type) && pnn_tensor_count(in) >= 0)
    return qact_prepare(node, in);
  s = float_input(node, 1, &in);
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
  /* Reference order (hybrid subgraphs, op.h): the exp-based functions in
   * libm per element, not the SIMD approximations, whose ulps the next
   * hybrid op would see (the other vector kernels are bit-exact). */
  const bool libm = st->fn == logistic || st->fn == tanh_act ||
                    st->fn == elu || st->fn == gelu;
  st->vec = pnn_f32_vec_ops_for(libm && pnn_node_float_reference_order(node)
                                    ? PNN_ISA_SCALAR
                                    : pnn_isa_active());
  node->state = st;
  return pnn_node_resize_output(node, 0, PNN_TYPE_FLOAT32, in->dims, in->rank);
}


typedef struct {
  const void *state;
  const float *in;
  float *out;
} act_job;

static void pointwise_worker(void *arg, int64_t begin, int64_t end) {
  const act_job *j = arg;
  const pointwise_state *st = j->state;
  const pnn_f32_vec_ops *v = st->vec;
  const float *x = j->in + begin;
  float *o = j->out + begin;
  const size_t n = (size_t)(end - begin);
  /* The vector kernels evaluate the same formulas (bit-exact except the
   * exp-based ones, see f32_vec.h for their bounds). */
  if (st->swish_out) v->swish(x, o, n);
  else if (st->fn == relu) v->clamp(x, o, n, 0.f, INFINITY);
  else if (st->fn == relu6) v->clamp(x, o, n, 0.f, 6.f);
  else if (st->fn == relu_n1_to_1) v->clamp(x, o, n, -1.f, 1.f);
  else if (st->fn == relu_0_to_1) v->clamp(x, o, n, 0.f, 1.f);
  else if (st->fn == leaky_relu) v->leaky(x, o, n, st->params.alpha);
  else if (st->fn == hard_swish) v->hard_swish(x, o, n);
  else if (st->fn == logistic) v->logistic(x, o, n);
  else if (st->fn == tanh_act) v->tanh(x, o, n);
  else if (st->fn == elu) v->elu(x, o, n);
  else if (st->fn == gelu && st->params.approximate) v->gelu_tanh(x, o, n);
  else
    for (int64_t i = begin; i < end; i++)
      j->out[i] = st->fn(j->in[i], &st->params);
}

static pnn_status pointwise_eval(pnn_node *node) {
  if (node->inputs[0]->type != PNN_TYPE_FLOAT32) return qact_eval(node);
  const pointwise_state *st = node->state;
  act_job job = {st, node->inputs[0]->data,
                 st->swish_out ? st->swish_out->data : node->outputs[0]->data};
  const int64_t n = pnn_tensor_count(node->inputs[0]);
  run_job(node, pointwise_worker, &job, n, n);
  return PNN_OK;
}

int pnn_act_post_kind(const pnn_node *node, pnn_tensor **y, pnn_isa *isa) {
  if (!node || !node->state || node->n_inputs != 1 || node->n_outputs != 1 ||
      !node->inputs[0] || !node->outputs[0] ||
      node->inputs[0]->type != PNN_TYPE_FLOAT32 ||
      (node->builtin != PNN_OP_HARD_SWISH && node->builtin != PNN_OP_LOGISTIC))
    return 0;
  const pointwise_state *st = node->state;
  *isa = st->vec->isa;
  *y = st->swish_out ? st->swish_out : node->outputs[0];
  if (st->fn == hard_swish) return PNN_F32_POST_HARD_SWISH;
  if (st->fn == logistic)
    return st->swish_out ? PNN_F32_POST_SWISH : PNN_F32_POST_LOGISTIC;
  return 0;
}

bool pnn_act_absorb_mul(pnn_node *node, pnn_tensor *y) {
  if (!node || !y || node->builtin != PNN_OP_LOGISTIC || !node->state ||
      node->n_inputs != 1 || !node->inputs[0] ||
      node->inputs[0]->type != PNN_TYPE_FLOAT32 ||
      y->type != PNN_TYPE_FLOAT32 || y->rank != node->inputs[0]->rank ||
      memcmp(y->dims, node->inputs[0]->dims,
             sizeof(int32_t) * (size_t)y->rank) != 0)
    return false;
  pointwise_state *st = node->state;
  if (st->fn != logistic || st->swish_out) return false;
  st->swish_out = y;
  return true;
}

/* ------------------------------------------------------------- PRELU */

/* out = x >= 0 ? x : x * alpha, with alpha broadcast against x. */
typedef struct {
  int rank;
  int32_t dims[PNN_MAX_RANK];
  int64_t sx[PNN_MAX_RANK], sa[PNN_MAX_RANK];
  int64_t count;
  /* int8 / uint8 (TFLite PreluParams): x >= 0 scales by in/out, x < 0 by
   * in * alpha / out; offsets are the zero points. */
  int32_t in_zp, alpha_zp, out_zp;
  int32_t m1, m2;
  int s1, s2;
  int32_t lo, hi;
  /* float fast path (vc > 0): x not broadcast and alpha one contiguous
   * block of vc elements (the trailing dims) repeated over vrows rows. */
  int64_t vrows, vc;
  const pnn_f32_vec_ops *vec;
  /* Narrow blocks with a constant alpha: alpha repeated rep times
   * (ablock, rep * vc floats), so one kernel call covers rep rows. */
  const float *ablock;
  int64_t rep;
} prelu_state;

/* Finds the float fast path: walking from the innermost dim, x must be
 * contiguous everywhere, alpha contiguous over a trailing block and
 * broadcast (stride 0) over the rest. Per-channel alphas on NHWC ([C] or
 * [1, 1, C]) and same-shape alphas take it; blocks narrower than 8 keep
 * the general walk. */
static void prelu_plan_rows(prelu_state *st) {
  st->vc = 0;
  int64_t stride = 1;
  int k = st->rank - 1;
  for (; k >= 0; k--) {
    if (st->dims[k] == 1) continue;
    if (st->sx[k] != stride) return;
    if (st->sa[k] != stride) break;
    stride *= st->dims[k];
  }
  const int64_t c = stride;
  for (; k >= 0; k--) {
    if (st->dims[k] == 1) continue;
    if (st->sx[k] != stride || st->sa[k] != 0) return;
    stride *= st->dims[k];
  }
  if (c < 8 && c != stride) return;
  st->vc = c;
  st->vrows = c > 0 ? st->count / c : 0;
  st->vec = pnn_f32_vec_ops_for(pnn_isa_active());
}

static pnn_status prelu_quant(pnn_node *node, const pnn_tensor *in,
                              const pnn_tensor *alpha, prelu_state *st) {
  const pnn_tensor *out = node->outputs[0];
  pnn_status s = pnn_qm_require_scale(node, in, "input 0");
  if (!s) s = pnn_qm_require_scale(node, alpha, "input 1");
  if (!s) s = pnn_qm_require_scale(node, out, "output");
  if (s) return s;
  st->in_zp = in->zero_point;
  st->alpha_zp = alpha->zero_point;
  st->out_zp = out->zero_point;
  pnn_qm_type_range(in->type, &st->lo, &st->hi);
  pnn_qm_quantize_multiplier((double)in->scale / (double)out->scale, &st->m1,
                             &st->s1);
  pnn_qm_quantize_multiplier(
      (double)in->scale * (double)alpha->scale / (double)out->scale, &st->m2,
      &st->s2);
  return PNN_OK;
}

static pnn_status prelu_prepare(pnn_node *node) {
  pnn_tensor *in, *alpha;
  pnn_status s = pnn_check_io(node, 2, 2, 1);
  if (!s) s = pnn_require_input(node, 0, &in);
  if (s) return s;
  const bool quant = in->type == PNN_TYPE_INT8 || in->type == PNN_TYPE_UINT8;
  if (!quant) s = float_input(node, 2, &in);
  if (!s) s = pnn_require_input(node, 1, &alpha);
  if (!s) s = pnn_check_type(node, alpha, 1, in->type);
  if (s) return s;
  if (pnn_tensor_count(in) < 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 0 (%s): element count overflows", in->name);
  prelu_state *st = pnn_node_alloc_persistent(node, sizeof *st);
  if (!st)
    return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY,
                          "out of memory for op state");
  if (quant) {
    s = prelu_quant(node, in, alpha, st);
    if (s) return s;
  }
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
  if (!quant) prelu_plan_rows(st);
  /* A few channels per row (e.g. 8): a whole-vector run per call. */
  if (!quant && st->vc > 0 && st->vc < 256 && st->vrows > 1 &&
      alpha->is_constant && alpha->data) {
    int64_t r = (256 + st->vc - 1) / st->vc;
    if (r > st->vrows) r = st->vrows;
    float *ab = pnn_node_alloc_persistent(node, (size_t)(r * st->vc) * sizeof(float));
    if (!ab)
      return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY,
                            "out of memory for op state");
    const float *a = alpha->data;
    for (int64_t i = 0; i < r * st->vc; i++) ab[i] = a[i % st->vc];
    st->ablock = ab;
    st->rep = r;
  }
  node->state = st;
  bool grows = st->rank != in->rank;
  for (int i = 0; !grows && i < in->rank; i++)
    grows = st->dims[i] != in->dims[i];
  if (quant && grows)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 1 (%s, alpha) broadcasts input 0 (%s) to a "
                          "larger shape",
                          alpha->name, in->name);
  return pnn_node_resize_output(node, 0, in->type, st->dims, st->rank);
}

#define PRELU_Q(NAME, T)                                                    \
  static void NAME(const prelu_state *st, const T *x, const T *al, T *out) { \
    int64_t idx[PNN_MAX_RANK] = {0};                                        \
    int64_t ox = 0, oa = 0;                                                 \
    for (int64_t i = 0; i < st->count; i++) {                               \
      const int32_t v = x[ox] - st->in_zp;                                  \
      int32_t r;                                                            \
      if (v >= 0)                                                           \
        r = pnn_qm_mul_by_qm(v, st->m1, st->s1);                            \
      else                                                                  \
        r = pnn_qm_mul_by_qm(v * (al[oa] - st->alpha_zp), st->m2, st->s2);  \
      out[i] = (T)pnn_qm_clamp_add(r, st->out_zp, st->lo, st->hi);         \
      for (int k = st->rank - 1; k >= 0; k--) {                             \
        ox += st->sx[k];                                                    \
        oa += st->sa[k];                                                    \
        if (++idx[k] < st->dims[k]) break;                                  \
        ox -= st->sx[k] * st->dims[k];                                      \
        oa -= st->sa[k] * st->dims[k];                                      \
        idx[k] = 0;                                                         \
      }                                                                     \
    }                                                                       \
  }
PRELU_Q(prelu_i8, int8_t)
PRELU_Q(prelu_u8, uint8_t)

typedef struct {
  const prelu_state *st;
  const float *x, *alpha;
  float *out;
} prelu_job;

/* Rows [begin, end) of the float fast path. */
static void prelu_rows_worker(void *arg, int64_t begin, int64_t end) {
  const prelu_job *j = arg;
  const int64_t c = j->st->vc;
  for (int64_t r = begin; r < end; r++)
    j->st->vec->prelu(j->x + r * c, j->alpha, j->out + r * c, (size_t)c);
}

/* Groups [begin, end) of rep rows (the last one may be shorter), each one
 * call with the repeated alpha block: the same per-element formula. */
static void prelu_groups_worker(void *arg, int64_t begin, int64_t end) {
  const prelu_job *j = arg;
  const prelu_state *st = j->st;
  const int64_t c = st->vc, g = st->rep * c;
  for (int64_t i = begin; i < end; i++) {
    const int64_t r0 = i * st->rep;
    const int64_t rows = st->vrows - r0 < st->rep ? st->vrows - r0 : st->rep;
    st->vec->prelu(j->x + i * g, st->ablock, j->out + i * g,
                   (size_t)(rows * c));
  }
}

static pnn_status prelu_eval(pnn_node *node) {
  const prelu_state *st = node->state;
  if (st->count == 0) return PNN_OK;
  if (node->inputs[0]->type == PNN_TYPE_INT8) {
    prelu_i8(st, node->inputs[0]->data, node->inputs[1]->data,
             node->outputs[0]->data);
    return PNN_OK;
  }
  if (node->inputs[0]->type == PNN_TYPE_UINT8) {
    prelu_u8(st, node->inputs[0]->data, node->inputs[1]->data,
             node->outputs[0]->data);
    return PNN_OK;
  }
  const float *x = node->inputs[0]->data, *al = node->inputs[1]->data;
  float *out = node->outputs[0]->data;
  if (st->count == 0) return PNN_OK;
  if (st->vc > 0) {
    prelu_job job = {st, x, al, out};
    if (st->ablock) {
      const int64_t groups = (st->vrows + st->rep - 1) / st->rep;
      if (st->count < ACT_PARALLEL_MIN || groups < 2)
        prelu_groups_worker(&job, 0, groups);
      else
        pnn_node_parallel_for(node, groups, prelu_groups_worker, &job);
      return PNN_OK;
    }
    if (st->count < ACT_PARALLEL_MIN || st->vrows < 2)
      prelu_rows_worker(&job, 0, st->vrows);
    else
      pnn_node_parallel_for(node, st->vrows, prelu_rows_worker, &job);
    return PNN_OK;
  }
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

/* ------------------------------------ quantized SOFTMAX (8 and 16 bit) */

/* TFLite's reference quantized softmax. 8-bit inputs: the row maximum is
 * subtracted, differences are scaled by beta * input_scale into a 5-integer-
 * bit fixed-point value, exponentiated with gemmlowp's exp_on_negative_
 * values, summed with 12 integer bits, and each exp is multiplied by the
 * fixed-point reciprocal of the sum; differences below diff_min give 0.
 * int16: TFLite's SoftmaxInt16 with its two 513-entry interpolated tables
 * (exp on [-10, 0] and 1 / (1 + x) on [0, 1]). */
typedef struct {
  int64_t rows, depth;
  pnn_type in_type, out_type;
  int32_t in_mult;  /* 8-bit: beta * scale as a multiplier > 1; 16: any */
  int in_shift;
  int diff_min;
  int16_t exp_lut[513], recip_lut[513];
} qsoftmax_state;

/* TFLite's int16 table generator (gen_lut / LUTPopulate<int16_t> with a
 * [-1, 1] output range): 512 samples on [lo, hi] with a bias that centres
 * the interpolation error at each midpoint, plus the end point. */
static void gen_lut16(double (*f)(double), double lo, double hi,
                      int16_t *table) {
  const int steps = 512;
  const double step = (hi - lo) / steps, half = step / 2.0;
  for (int i = 0; i < steps; i++) {
    double sample = round(f(lo + i * step) * 32768.0);
    double mid_interp =
        round((f(lo + (i + 1) * step) * 32768.0 + sample) / 2.0);
    double mid = round(f(lo + i * step + half) * 32768.0);
    double bias = round((mid_interp - mid) / 2.0);
    double v = sample - bias;
    table[i] = (int16_t)(v < -32768.0 ? -32768.0 : (v > 32767.0 ? 32767.0 : v));
  }
  double v = round(f(hi) * 32768.0);
  table[steps] = (int16_t)(v < -32768.0 ? -32768.0 : (v > 32767.0 ? 32767.0 : v));
}
static double exp_d(double x) { return exp(x); }
static double recip1p_d(double x) { return 1.0 / (1.0 + x); }


/* TFLite CalculateInputRadius. */
static int input_radius(int int_bits, int left_shift, int total_bits) {
  const double r = 1.0 * ((1 << int_bits) - 1) *
                   (double)(1ll << (total_bits - int_bits)) /
                   (double)(1ll << left_shift);
  return (int)floor(r);
}

static inline int32_t q8_at(const void *p, pnn_type t, int64_t i) {
  return t == PNN_TYPE_INT8 ? ((const int8_t *)p)[i] : ((const uint8_t *)p)[i];
}

/* int8 / uint8 LOG_SOFTMAX (TFLite's reference kernels): output on scale
 * 16/256 with zero point 127 (uint8: 255); differences scaled to 5 integer bits, exps
 * summed with 12, log of the sum by gemmlowp-style fixed point; elements
 * below the row's adjusted diff_min give -128. */
typedef struct {
  int64_t rows, depth;
  int32_t in_mult, rev_mult;
  int in_shift, rev_shift; /* exponents (quant_math convention) */
  int diff_min;
  bool u8;
} qlogsoftmax_state;

static pnn_status qlogsoftmax_prepare(pnn_node *node, pnn_tensor *in) {
  const pnn_tensor *out = node->outputs[0];
  pnn_status s = pnn_qm_require_scale(node, in, "input 0");
  if (s) return s;
  const bool u8 = in->type == PNN_TYPE_UINT8;
  if ((in->type != PNN_TYPE_INT8 && !u8) || out->type != in->type)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "input 0 (%s): type %s not supported", in->name,
                          pnn_type_name(in->type));
  if (in->rank < 1)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 0 (%s): must have rank >= 1", in->name);
  if (out->scale != 16.f / 256 || out->zero_point != (u8 ? 255 : 127))
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "output (%s): %s LOG_SOFTMAX needs scale 16/256 "
                          "and zero point %d",
                          out->name, pnn_type_name(in->type), u8 ? 255 : 127);
  qlogsoftmax_state *st = pnn_node_alloc_persistent(node, sizeof *st);
  if (!st)
    return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY,
                          "out of memory for op state");
  st->depth = in->dims[in->rank - 1];
  st->rows = pnn_dims_count(in->dims, in->rank - 1);
  st->u8 = u8;
  /* PreprocessLogSoftmaxScalingExp with beta 1 and 5 integer bits. */
  double real = (double)in->scale * (double)(1 << (31 - 5));
  const double max_real = (double)(1ll << 31) - 1.0;
  if (real > max_real) real = max_real;
  if (!pnn_qm_quantize_multiplier_greater_than_one(real, &st->in_mult,
                                                   &st->in_shift))
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "input 0 (%s): scale %g too small", in->name,
                          (double)in->scale);
  const double rev = (double)(1 << (31 - st->in_shift)) / (double)st->in_mult;
  if (!pnn_qm_quantize_multiplier_smaller_than_one(rev, &st->rev_mult,
                                                   &st->rev_shift))
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "input 0 (%s): scale %g out of range", in->name,
                          (double)in->scale);
  st->diff_min = -input_radius(5, st->in_shift, 31);
  node->state = st;
  return pnn_node_resize_output(node, 0, in->type, in->dims, in->rank);
}

static void qlogsoftmax_worker(void *arg, int64_t begin, int64_t end) {
  const act_job *j = arg;
  const qlogsoftmax_state *st = j->state;
  const int64_t d = st->depth;
  const int32_t omin = st->u8 ? 0 : -128, omax = st->u8 ? 255 : 127;
  for (int64_t r = begin; r < end; r++) {
    const void *x = (const int8_t *)(const void *)j->in + r * d;
    void *y = (int8_t *)(void *)j->out + r * d;
    const pnn_type ty = st->u8 ? PNN_TYPE_UINT8 : PNN_TYPE_INT8;
    int32_t mx = omin;
    for (int64_t c = 0; c < d; c++) {
      int32_t v = q8_at(x, ty, c);
      mx = v > mx ? v : mx;
    }
    /* Q12 sum of exps: saturates instead of overflowing int32 when the
     * depth exceeds 4096 (found by fuzzing). */
    int64_t sum64 = 0;
    for (int64_t c = 0; c < d; c++) {
      int32_t diff = q8_at(x, ty, c) - mx;
      if (diff >= st->diff_min) {
        int32_t q5 = pnn_qm_mul_by_qm(diff, st->in_mult, st->in_shift);
        sum64 += pnn_fp_rescale(pnn_fp_exp_on_negative_values(q5, 5), 0, 12);
        if (sum64 > INT32_MAX) sum64 = INT32_MAX;
      }
    }
    const int32_t sum = (int32_t)sum64;
    const int32_t log_sum = pnn_fp_log_x_ge_1(sum, 12, 5);
    const int32_t shifted = (int32_t)((uint32_t)log_sum + (uint32_t)INT32_MIN);
    int32_t adj = pnn_qm_mul_by_qm(shifted, st->rev_mult, st->rev_shift);
    if (adj < st->diff_min - 1) adj = st->diff_min - 1;
    for (int64_t c = 0; c < d; c++) {
      int32_t diff = q8_at(x, ty, c) - mx;
      int32_t o = omin;
      if (diff > adj) {
        int32_t q5 = pnn_qm_mul_by_qm(diff, st->in_mult, st->in_shift);
        o = pnn_qm_clamp(
            pnn_qm_rounding_divide_by_pot(q5 - log_sum, 31 - 5 - 4) + omax,
            omin, omax);
      }
      if (st->u8)
        ((uint8_t *)y)[c] = (uint8_t)o;
      else
        ((int8_t *)y)[c] = (int8_t)o;
    }
  }
}

static pnn_status qsoftmax_prepare(pnn_node *node, pnn_tensor *in) {
  const pnn_tensor *out = node->outputs[0];
  pnn_status s = pnn_qm_require_scale(node, in, "input 0");
  if (!s) s = pnn_qm_require_scale(node, out, "output");
  if (s) return s;
  if (in->rank < 1)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 0 (%s): must have rank >= 1", in->name);
  const bool ok_types =
      (in->type == out->type) ||
      (out->type == PNN_TYPE_INT16 &&
       (in->type == PNN_TYPE_INT8 || in->type == PNN_TYPE_UINT8));
  if (!ok_types)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "input 0 (%s) %s with output (%s) %s not supported",
                          in->name, pnn_type_name(in->type), out->name,
                          pnn_type_name(out->type));
  qsoftmax_state *st = pnn_node_alloc_persistent(node, sizeof *st);
  if (!st)
    return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY,
                          "out of memory for op state");
  st->depth = in->dims[in->rank - 1];
  st->rows = pnn_dims_count(in->dims, in->rank - 1);
  st->in_type = in->type;
  st->out_type = out->type;
  const double beta = (double)PNN_OPTS(node, softmax)->beta;
  if (in->type == PNN_TYPE_INT8 && out->type == PNN_TYPE_INT8 &&
      (out->zero_point != -128 ||
       fabsf(out->scale - 1.f / 256) > 0.001f * 1.f / 256))
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "output (%s): int8 SOFTMAX needs scale 1/256 and "
                          "zero point -128",
                          out->name);
  if (in->type == PNN_TYPE_INT16) {
    if (in->zero_point != 0 || out->zero_point != 0 ||
        fabsf(out->scale - 1.f / 32768) > 0.001f * 1.f / 32768)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "int16 SOFTMAX needs zero points 0 and output "
                            "scale 1/32768");
    gen_lut16(exp_d, -10.0, 0.0, st->exp_lut);
    gen_lut16(recip1p_d, 0.0, 1.0, st->recip_lut);
    /* Differences in [-65535, 0] are shifted left by the exponent before
     * the multiply: beyond 15 bits they would overflow int32 (a crafted
     * scale or beta); beta 0 keeps TFLite's zero multiplier. */
    const double real = (double)in->scale * beta / (10.0 / 65535.0);
    pnn_status qs = PNN_OK;
    if (real != 0.0)
      qs = pnn_qm_multiplier(node, real, 15, "input 0 scale x beta",
                             &st->in_mult, &st->in_shift);
    if (qs) return qs;
  } else {
    /* PreprocessSoftmaxScaling with 5 integer bits (double rounding). */
    double real = beta * (double)in->scale * (double)(1 << (31 - 5));
    const double max_real = (double)(1ll << 31) - 1.0;
    if (real > max_real) real = max_real;
    if (!pnn_qm_quantize_multiplier_greater_than_one(real, &st->in_mult,
                                                     &st->in_shift))
      return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                            "input 0 (%s): beta * scale %g too small",
                            in->name, beta * (double)in->scale);
    st->diff_min = -input_radius(5, st->in_shift, 31);
  }
  node->state = st;
  return pnn_node_resize_output(node, 0, out->type, in->dims, in->rank);
}


static void qsoftmax8_worker(void *arg, int64_t begin, int64_t end) {
  const act_job *j = arg;
  const qsoftmax_state *st = j->state;
  const int64_t d = st->depth;
  const void *xin = j->in;
  int32_t omin, omax;
  pnn_qm_type_range(st->out_type, &omin, &omax);
  const int out_bits = st->out_type == PNN_TYPE_INT16 ? 16 : 8;
  for (int64_t r = begin; r < end; r++) {
    int32_t mx = INT32_MIN;
    for (int64_t c = 0; c < d; c++) {
      int32_t v = q8_at(xin, st->in_type, r * d + c);
      mx = v > mx ? v : mx;
    }
    int64_t sum64 = 0; /* 12 integer bits */
    for (int64_t c = 0; c < d; c++) {
      int32_t diff = q8_at(xin, st->in_type, r * d + c) - mx;
      if (diff >= st->diff_min) {
        int32_t scaled = pnn_qm_mul_by_qm(diff, st->in_mult, st->in_shift);
        sum64 += pnn_fp_rescale(pnn_fp_exp_on_negative_values(scaled, 5), 0,
                                12);
        /* Rows deeper than 4096 overflow TFLite's int32 sum: saturate. */
        if (sum64 > INT32_MAX) sum64 = INT32_MAX;
      }
    }
    const int32_t sum = (int32_t)sum64;
    int nbou;
    const int32_t scale = pnn_fp_reciprocal(sum, 12, &nbou);
    for (int64_t c = 0; c < d; c++) {
      int32_t diff = q8_at(xin, st->in_type, r * d + c) - mx;
      int32_t o = omin;
      if (diff >= st->diff_min) {
        int32_t scaled = pnn_qm_mul_by_qm(diff, st->in_mult, st->in_shift);
        int32_t e = pnn_fp_exp_on_negative_values(scaled, 5);
        int32_t unsat = pnn_qm_rounding_divide_by_pot(
            pnn_qm_srdhm(scale, e), nbou + 31 - out_bits);
        o = pnn_qm_clamp_add(unsat, omin, omin, omax);
      }
      switch (st->out_type) {
        case PNN_TYPE_INT8: ((int8_t *)j->out)[r * d + c] = (int8_t)o; break;
        case PNN_TYPE_UINT8: ((uint8_t *)j->out)[r * d + c] = (uint8_t)o; break;
        default: ((int16_t *)j->out)[r * d + c] = (int16_t)o; break;
      }
    }
  }
}

static void qsoftmax16_worker(void *arg, int64_t begin, int64_t end) {
  const act_job *j = arg;
  const qsoftmax_state *st = j->state;
  const int64_t d = st->depth;
  const int16_t *xin = (const int16_t *)(const void *)j->in;
  int16_t *y = (int16_t *)(void *)j->out;
  for (int64_t r = begin; r < end; r++) {
    const int16_t *x = xin + r * d;
    int16_t *o = y + r * d;
    int16_t mx = INT16_MIN;
    for (int64_t c = 0; c < d; c++) mx = x[c] > mx ? x[c] : mx;
    int64_t sum64 = 0;
    /* The exps are kept in the output row until the sum is known. */
    for (int64_t c = 0; c < d; c++) {
      int32_t diff = (int32_t)x[c] - mx;
      int16_t sat = (int16_t)pnn_qm_clamp_add(
          pnn_qm_mul_by_qm(diff, st->in_mult, st->in_shift), 32767, INT16_MIN,
          INT16_MAX);
      o[c] = pnn_lut16_lookup(sat, st->exp_lut);
      sum64 += o[c];
    }
    /* TFLite sums in int32; rows deep enough to overflow it (or crafted
     * tables that make it non-positive) saturate instead of invoking UB.
     * Real rows hold exp(0) = 32767 for the max, so sum >= 32767 and the
     * result is unchanged. */
    const int32_t sum =
        sum64 > INT32_MAX ? INT32_MAX : (sum64 < 1 ? 1 : (int32_t)sum64);
    const int hp1 = pnn_fp_clz32((uint32_t)sum);
    const int32_t shifted =
        (int32_t)((((int64_t)sum << (hp1 - 1)) + (1 << 13)) >> 14);
    const int32_t sym = shifted - ((1 << 15) + (1 << 16));
    const int16_t recip =
        pnn_lut16_lookup((int16_t)pnn_qm_clamp(sym, INT16_MIN, INT16_MAX),
                     st->recip_lut);
    const int right = 31 - hp1;
    const int64_t rnd = right > 0 ? (int64_t)1 << (right - 1) : 0;
    for (int64_t c = 0; c < d; c++) {
      int64_t v = ((int64_t)o[c] * recip + rnd) >> right;
      o[c] = (int16_t)(v < 0 ? 0 : (v > INT16_MAX ? INT16_MAX : v));
    }
  }
}

static pnn_status softmax_prepare(pnn_node *node) {
  pnn_tensor *in;
  pnn_status s = pnn_check_io(node, 1, 1, 1);
  if (!s) s = pnn_require_input(node, 0, &in);
  if (s) return s;
  if (node->builtin == PNN_OP_SOFTMAX && is_quant_type(in->type) &&
      pnn_tensor_count(in) >= 0)
    return qsoftmax_prepare(node, in);
  if (node->builtin == PNN_OP_LOG_SOFTMAX &&
      (in->type == PNN_TYPE_INT8 || in->type == PNN_TYPE_UINT8) &&
      pnn_tensor_count(in) >= 0)
    return qlogsoftmax_prepare(node, in);
  s = float_input(node, 1, &in);
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

static void softmax_worker(void *arg, int64_t begin, int64_t end) {
  const act_job *j = arg;
  const softmax_state *st = j->state;
  const int64_t d = st->depth;
  for (int64_t r = begin; r < end; r++) {
    const float *x = j->in + r * d;
    float *y = j->out + r * d;
    const float m = row_max(x, d);
    float sum = 0.f;
    for (int64_t i = 0; i < d; i++) {
      y[i] = expf((x[i] - m) * st->beta);
      sum += y[i];
    }
    for (int64_t i = 0; i < d; i++) y[i] /= sum;
  }
}

static void log_softmax_worker(void *arg, int64_t begin, int64_t end) {
  const act_job *j = arg;
  const softmax_state *st = j->state;
  const int64_t d = st->depth;
  for (int64_t r = begin; r < end; r++) {
    const float *x = j->in + r * d;
    float *y = j->out + r * d;
    const float m = row_max(x, d);
    float sum = 0.f;
    for (int64_t i = 0; i < d; i++) sum += expf(x[i] - m);
    const float log_sum = logf(sum);
    for (int64_t i = 0; i < d; i++) y[i] = x[i] - m - log_sum;
  }
}

static pnn_status softmax_eval_with(pnn_node *node, pnn_range_fn worker) {
  const softmax_state *st = node->state;
  if (st->depth == 0) return PNN_OK;
  act_job job = {st, node->inputs[0]->data, node->outputs[0]->data};
  run_job(node, worker, &job, st->rows, st->rows * st->depth);
  return PNN_OK;
}

static pnn_status softmax_eval(pnn_node *node) {
  if (node->inputs[0]->type != PNN_TYPE_FLOAT32) {
    const qsoftmax_state *st = node->state;
    if (st->depth == 0) return PNN_OK;
    act_job job = {st, node->inputs[0]->data, node->outputs[0]->data};
    run_job(node,
            st->in_type == PNN_TYPE_INT16 ? qsoftmax16_worker
                                          : qsoftmax8_worker,
            &job, st->rows, st->rows * st->depth);
    return PNN_OK;
  }
  return softmax_eval_with(node, softmax_worker);
}

static pnn_status log_softmax_eval(pnn_node *node) {
  if (node->inputs[0]->type != PNN_TYPE_FLOAT32) {
    const qlogsoftmax_state *st = node->state;
    if (st->depth == 0) return PNN_OK;
    act_job job = {st, node->inputs[0]->data, node->outputs[0]->data};
    run_job(node, qlogsoftmax_worker, &job, st->rows, st->rows * st->depth);
    return PNN_OK;
  }
  return softmax_eval_with(node, log_softmax_worker);
}

static const pnn_op_kernel pointwise_kernel = {pointwise_prepare,
                                               pointwise_eval};
static const pnn_op_kernel prelu_kernel = {prelu_prepare, prelu_eval};
static const pnn_op_kernel softmax_kernel = {softmax_prepare, softmax_eval};
static const pnn_op_kernel log_softmax_kernel = {softmax_prepare,
                                                 log_softmax_eval};

bool pnn_act8_table(const pnn_node *node, uint8_t *table) {
  if (!node || node->kernel != &pointwise_kernel || !node->state ||
      node->n_inputs < 1 || !node->inputs[0])
    return false;
  const pnn_type t = node->inputs[0]->type;
  if (t != PNN_TYPE_INT8 && t != PNN_TYPE_UINT8) return false;
  const qact_state *st = node->state;
  if (st->kind != QA_LUT) return false;
  memcpy(table, st->lut, 256);
  return true;
}

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
