/* Elementwise binary ops with NumPy broadcasting: arithmetic (ADD, SUB,
 * MUL, DIV with fused activation; FLOOR_DIV, FLOOR_MOD, POW,
 * SQUARED_DIFFERENCE, MAXIMUM, MINIMUM), comparisons (bool output),
 * LOGICAL_AND/OR, and ADD_N.
 *
 * Prepare broadcasts the two shapes and then merges adjacent output dims
 * that both inputs walk the same way (contiguously or not at all), so a
 * same-shape pair becomes one flat run and a scalar operand becomes a
 * stride-0 run. Eval walks the merged outer dims and hands each innermost
 * run to a row function picked from a (op, type) table at prepare.
 *
 * int8 / uint8 / int16 rows reproduce TFLite's reference integer kernels
 * (quant_math.h arithmetic): ADD/SUB rescale both inputs onto twice the
 * larger input scale with a 2^20 (int16: 2^15) headroom shift, add, and
 * rescale onto the output; MUL rescales the product; SQUARED_DIFFERENCE
 * (int8) squares the difference on a 2^7 headroom; DIV (int8, uint8,
 * int16) multiplies by the divisor's fixed-point reciprocal; comparisons of
 * quantized int8/uint8 rescale each side by its own scale (2^8 headroom);
 * MAXIMUM/MINIMUM compare stored values. Fused activations clamp on the
 * output's scale. int8/int16 FLOOR_DIV and FLOOR_MOD, like LiteRT's, work
 * on the stored values.
 *
 * Integer arithmetic wraps (done in unsigned) instead of invoking C's
 * undefined overflow; integer division by zero fails at eval. */
#include <math.h>
#include <stdatomic.h>
#include <string.h>

#include "ops/common.h"
#include "ops/fixedpoint.h"
#include "ops/lut.h"
#include "ops/quant_math.h"
#include "ops/tensor_util.h"
#include "kernels/f32_vec.h"
#include "kernels/qs8_vec.h"

/* Quantized (int8/uint8/int16) arithmetic parameters, as TFLite's
 * ArithmeticParams / ComparisonParams: offsets are -zero_point for the
 * inputs and +zero_point for the output; shifts are exponents (quant_math
 * convention); [lo, hi] is the output clamp (type range narrowed by the
 * fused activation). */
typedef struct {
  int32_t off1, off2, out_off;
  int32_t m1, m2, mo;
  int s1, s2, so;
  int left_shift;
  int32_t lo, hi;
} bin_quant;

typedef struct {
  int act;          /* fused activation (float: pnn_apply_activation) */
  int64_t ilo, ihi; /* integer clamp of the fused activation */
  bin_quant q;      /* quantized rows only */
  /* float ADD/SUB/MUL/MAXIMUM/MINIMUM: vector kernels (NULL: reference
   * rows only) and the fused activation as a clamp [lo, hi]. */
  const pnn_f32_vec_ops *vec;
  float lo, hi;
  /* int8/uint8 ADD/SUB/MUL above the scalar level: the vector kernels
   * and their copy of q (NULL: reference rows only). */
  const pnn_qs8_vec_ops *qvec;
  pnn_qs8_bin_params qp;
  /* ADD/SUB with one constant operand (input cside) above the scalar
   * level: its values rescaled onto the common scale at prepare (cpre,
   * indexed like the constant's data at cbase), and qp with the other
   * operand's parameters in the first slot (cp). NULL: not used. */
  const int32_t *cpre;
  const uint8_t *cbase;
  int cside;
  pnn_qs8_bin_params cp;
} bin_params;

/* Computes out[i] = f(a[i*sa], b[i*sb]) for i < n. Returns false when an
 * element cannot be computed (integer division by zero, negative integer
 * power); eval then reports the error. */
typedef bool (*bin_row_fn)(const void *a, int64_t sa, const void *b, int64_t sb,
                           void *out, int64_t n, const bin_params *p);

typedef struct {
  int32_t op;
  pnn_type type;
  bin_row_fn fn;
  const char *fail; /* message when fn returns false */
} bin_impl;

/* Defines row function NAME over inputs of type TI and output TO: r is
 * EXPR of the operands x and y, stored as POST (which may apply the fused
 * activation). */
#define BIN_ROW(NAME, TI, TO, EXPR, POST)                                  \
  static bool NAME(const void *va, int64_t sa, const void *vb, int64_t sb, \
                   void *vo, int64_t n, const bin_params *p) {             \
    const TI *a = va, *b = vb;                                             \
    TO *o = vo;                                                            \
    (void)p;                                                               \
    for (int64_t i = 0; i < n; i++) {                                      \
      const TI x = a[i * sa], y = b[i * sb];                               \
      const TO r = (EXPR);                                                 \
      o[i] = POST;                                                         \
    }                                                                      \
    return true;                                                           \
  }

/* Like BIN_ROW for an element function FN(x, y, &r) that can fail. */
#define BIN_ROW_CHECKED(NAME, T, FN, POST)                                 \
  static bool NAME(const void *va, int64_t sa, const void *vb, int64_t sb, \
                   void *vo, int64_t n, const bin_params *p) {             \
    const T *a = va, *b = vb;                                              \
    T *o = vo;                                                             \
    (void)p;                                                               \
    for (int64_t i = 0; i < n; i++) {                                      \
      T r;                                                                 \
      if (!FN(a[i * sa], b[i * sb], &r)) return false;                     \
      o[i] = POST;                                                         \
    }                                                                      \
    return true;                                                           \
  }

#define F_ACT pnn_apply_activation(p->act, r)
#define I_ACT (r < p->ilo ? p->ilo : (r > p->ihi ? p->ihi : r))
#define PLAIN r

/* Wrapping integer arithmetic: unsigned math has defined overflow. */
#define WRAP(T, U, expr) ((T)(U)(expr))

/* ---- element functions that can fail ---- */

/* TFLite divides in double, then floors; a zero divisor is an error. */
static inline bool floordiv_f32_el(float x, float y, float *r) {
  if (y == 0.f) return false;
  *r = (float)floor((double)x / (double)y);
  return true;
}

/* Truncated fmod, moved to the divisor's sign (Python-style modulo). */
static inline bool floormod_f32_el(float x, float y, float *r) {
  if (y == 0.f) return false;
  float m = fmodf(x, y);
  *r = (m != 0.f && ((y < 0.f) != (m < 0.f))) ? m + y : m;
  return true;
}

/* The same for integers. C's % truncates; INT_MIN % -1 is undefined and
 * its value is 0. */
#define FLOORMOD_INT(T, U, SUF)                                          \
  static inline bool floormod_##SUF##_el(T x, T y, T *r) {               \
    if (y == 0) return false;                                            \
    T m = y == -1 ? 0 : x % y;                                           \
    *r = (m != 0 && ((y < 0) != (m < 0))) ? WRAP(T, U, (U)m + (U)y) : m; \
    return true;                                                         \
  }
FLOORMOD_INT(int32_t, uint32_t, i32)
FLOORMOD_INT(int64_t, uint64_t, i64)

/* Truncating division as TFLite's int32 DIV; INT_MIN / -1 wraps. */
static inline bool div_i32_el(int32_t x, int32_t y, int32_t *r) {
  if (y == 0) return false;
  *r = y == -1 ? WRAP(int32_t, uint32_t, 0u - (uint32_t)x) : x / y;
  return true;
}

/* floor(x / y) computed exactly in integers (TFLite goes through double,
 * which is exact for int32). */
static inline bool floordiv_i32_el(int32_t x, int32_t y, int32_t *r) {
  if (y == 0) return false;
  if (y == -1) {
    *r = WRAP(int32_t, uint32_t, 0u - (uint32_t)x);
    return true;
  }
  int32_t q = x / y;
  if (x % y != 0 && ((x < 0) != (y < 0))) q--;
  *r = q;
  return true;
}

/* Integer power by squaring; negative exponents are an error in TFLite. */
static inline bool pow_i32_el(int32_t base, int32_t e, int32_t *r) {
  if (e < 0) return false;
  uint32_t acc = 1, b = (uint32_t)base;
  while (e) {
    if (e & 1) acc *= b;
    b *= b;
    e >>= 1;
  }
  *r = (int32_t)acc;
  return true;
}

static inline int32_t sqdiff_i32_el(int32_t x, int32_t y) {
  uint32_t d = (uint32_t)x - (uint32_t)y;
  return WRAP(int32_t, uint32_t, d * d);
}

/* int8 / int16 FLOOR_DIV and FLOOR_MOD: LiteRT's kernels take the stored
 * values as plain integers (no quantization); widened to int32, the
 * result wraps back (-128 / -1). */
#define SMALL_FLOOR(T, U, SUF)                                         \
  static inline bool floordiv_##SUF##_el(T x, T y, T *r) {             \
    int32_t v;                                                         \
    if (!floordiv_i32_el(x, y, &v)) return false;                      \
    *r = WRAP(T, U, v);                                                \
    return true;                                                       \
  }                                                                    \
  static inline bool floormod_##SUF##_el(T x, T y, T *r) {             \
    int32_t v;                                                         \
    if (!floormod_i32_el(x, y, &v)) return false;                      \
    *r = WRAP(T, U, v);                                                \
    return true;                                                       \
  }
SMALL_FLOOR(int8_t, uint8_t, i8)
SMALL_FLOOR(int16_t, uint16_t, i16)

/* ---- float32 ---- */
BIN_ROW(add_f32, float, float, x + y, F_ACT)
BIN_ROW(sub_f32, float, float, x - y, F_ACT)
BIN_ROW(mul_f32, float, float, (x) * (y), F_ACT)
BIN_ROW(div_f32, float, float, x / y, F_ACT)
BIN_ROW(sqdiff_f32, float, float, (x - y) * (x - y), PLAIN)
/* As TFLite: a NaN first operand yields the second. */
BIN_ROW(max_f32, float, float, x > y ? x : y, PLAIN)
BIN_ROW(min_f32, float, float, x < y ? x : y, PLAIN)
BIN_ROW(pow_f32, float, float, powf(x, y), PLAIN)
BIN_ROW_CHECKED(floordiv_f32, float, floordiv_f32_el, PLAIN)
BIN_ROW_CHECKED(floormod_f32, float, floormod_f32_el, PLAIN)

/* Float rows through the vector kernels (same formulas, bit-exact) when
 * both runs are contiguous or one operand is a scalar; other strides
 * take the reference row REF. */
#define VEC_ROW(NAME, KIND, REF, LO, HI)                                     \
  static bool NAME(const void *va, int64_t sa, const void *vb, int64_t sb,  \
                   void *vo, int64_t n, const bin_params *p) {              \
    if (!p->vec || (uint64_t)sa > 1 || (uint64_t)sb > 1 || (sa | sb) == 0) \
      return REF(va, sa, vb, sb, vo, n, p);                                 \
    const int shape = sa && sb ? PNN_VEC_VV : (sa ? PNN_VEC_VS : PNN_VEC_SV); \
    p->vec->bin[KIND][shape](va, vb, vo, (size_t)n, LO, HI);                \
    return true;                                                            \
  }
VEC_ROW(add_f32_vec, PNN_VEC_ADD, add_f32, p->lo, p->hi)
VEC_ROW(sub_f32_vec, PNN_VEC_SUB, sub_f32, p->lo, p->hi)
VEC_ROW(mul_f32_vec, PNN_VEC_MUL, mul_f32, p->lo, p->hi)
VEC_ROW(max_f32_vec, PNN_VEC_MAX, max_f32, -INFINITY, INFINITY)
VEC_ROW(min_f32_vec, PNN_VEC_MIN, min_f32, -INFINITY, INFINITY)

/* ---- int32 / int64 ---- */
#define INT_ARITH(T, U, SUF)                                   \
  BIN_ROW(add_##SUF, T, T, WRAP(T, U, (U)x + (U)y), I_ACT)     \
  BIN_ROW(sub_##SUF, T, T, WRAP(T, U, (U)x - (U)y), I_ACT)     \
  BIN_ROW(mul_##SUF, T, T, WRAP(T, U, (U)(x) * (U)(y)), I_ACT) \
  BIN_ROW(max_##SUF, T, T, x > y ? x : y, PLAIN)               \
  BIN_ROW(min_##SUF, T, T, x < y ? x : y, PLAIN)               \
  BIN_ROW_CHECKED(floormod_##SUF, T, floormod_##SUF##_el, PLAIN)

INT_ARITH(int32_t, uint32_t, i32)
INT_ARITH(int64_t, uint64_t, i64)
BIN_ROW(sqdiff_i32, int32_t, int32_t, sqdiff_i32_el(x, y), PLAIN)
BIN_ROW_CHECKED(div_i32, int32_t, div_i32_el, I_ACT)
BIN_ROW_CHECKED(floordiv_i32, int32_t, floordiv_i32_el, PLAIN)
BIN_ROW_CHECKED(pow_i32, int32_t, pow_i32_el, PLAIN)
BIN_ROW_CHECKED(floordiv_i8, int8_t, floordiv_i8_el, PLAIN)
BIN_ROW_CHECKED(floordiv_i16, int16_t, floordiv_i16_el, PLAIN)
BIN_ROW_CHECKED(floormod_i8, int8_t, floormod_i8_el, PLAIN)
BIN_ROW_CHECKED(floormod_i16, int16_t, floormod_i16_el, PLAIN)

/* ---- comparisons (bool output) and logic ---- */
#define CMP_ROWS(T, SUF)                    \
  BIN_ROW(eq_##SUF, T, bool, x == y, PLAIN) \
  BIN_ROW(ne_##SUF, T, bool, x != y, PLAIN) \
  BIN_ROW(lt_##SUF, T, bool, x < y, PLAIN)  \
  BIN_ROW(le_##SUF, T, bool, x <= y, PLAIN) \
  BIN_ROW(gt_##SUF, T, bool, x > y, PLAIN)  \
  BIN_ROW(ge_##SUF, T, bool, x >= y, PLAIN)

CMP_ROWS(float, f32)
CMP_ROWS(int32_t, i32)
CMP_ROWS(int64_t, i64)
/* Bool tensors are read as bytes: a model's constant may hold any byte
 * value, and loading one that is not 0/1 as a C bool is undefined. */
BIN_ROW(eq_b, uint8_t, bool, (x != 0) == (y != 0), PLAIN)
BIN_ROW(ne_b, uint8_t, bool, (x != 0) != (y != 0), PLAIN)
BIN_ROW(and_b, uint8_t, bool, (x != 0) && (y != 0), PLAIN)
BIN_ROW(or_b, uint8_t, bool, (x != 0) || (y != 0), PLAIN)

/* ---- quantized int8 / uint8 / int16 (TFLite's reference integer
 * kernels, element by element; broadcasting does not change them) ---- */

/* An input rescaled onto the common scale of ADD/SUB/SQUARED_DIFFERENCE
 * and quantized comparisons: ((x - zp) << left_shift) * M, M < 1. */
static inline int32_t q_rescale(int32_t x, int32_t off, int32_t m, int s,
                                int left_shift) {
  return pnn_qm_mul_by_qm((x + off) * (1 << left_shift), m, s);
}

/* A quantized row: x = X(a element), y = Y(b element) (X, Y names of
 * macros over the row's bin_quant q), then the int32 RAW of x and y onto
 * the output scale: times (mo, so), plus the output zero point, clamped. */
#define QRAW_ROW(NAME, T, X, Y, RAW)                                       \
  static bool NAME(const void *va, int64_t sa, const void *vb, int64_t sb, \
                   void *vo, int64_t n, const bin_params *p) {             \
    const T *a = va, *b = vb;                                              \
    T *o = vo;                                                             \
    const bin_quant *q = &p->q;                                            \
    for (int64_t i = 0; i < n; i++) {                                      \
      const int32_t x = X(a[i * sa]), y = Y(b[i * sb]);                    \
      o[i] = (T)pnn_qm_clamp_add(pnn_qm_mul_by_qm(RAW, q->mo, q->so),      \
                                 q->out_off, q->lo, q->hi);                \
    }                                                                      \
    return true;                                                           \
  }

/* Inputs 1 and 2 on the common scale (ADD, SUB, SQUARED_DIFFERENCE), or
 * less their zero points (MUL). */
#define Q_SCALED1(v) q_rescale(v, q->off1, q->m1, q->s1, q->left_shift)
#define Q_SCALED2(v) q_rescale(v, q->off2, q->m2, q->s2, q->left_shift)
#define Q_CENTRED1(v) (q->off1 + (v))
#define Q_CENTRED2(v) (q->off2 + (v))

/* ADD (SIGN +) and SUB (SIGN -): both inputs onto twice the larger input
 * scale with 2^left_shift headroom, summed, then onto the output scale. */
#define QADD_ROW(NAME, T, SIGN) \
  QRAW_ROW(NAME, T, Q_SCALED1, Q_SCALED2, x SIGN y)

/* MUL: (x - zp1) * (y - zp2) * (s1 * s2 / so). */
#define QMUL_ROW(NAME, T) QRAW_ROW(NAME, T, Q_CENTRED1, Q_CENTRED2, x * y)

/* SQUARED_DIFFERENCE: the difference on the common scale, squared, then
 * onto the output scale. */
#define QSQDIFF_ROW(NAME, T) \
  QRAW_ROW(NAME, T, Q_SCALED1, Q_SCALED2, (x - y) * (x - y))

/* Leading sign bits of x, as TFLite's CountLeadingSignBits (31 for 0
 * and -1). */
static inline int q_cls32(int32_t x) {
  const uint32_t u = x < 0 ? ~(uint32_t)x : (uint32_t)x;
  return pnn_fp_clz32(u) - 1;
}

/* gemmlowp RoundingDivideByPOT as TFLite's DIV runs it for any exponent
 * e >= 0. DIV's total shift goes past 31 whenever the dividend is small
 * (full headroom) and the output multiplier is not large, e.g. a dividend
 * equal to its zero point; gemmlowp's mask (1ll << e) - 1 and x >> e are
 * then evaluated as x86-64 and AArch64 do (64-bit shift for the mask, the
 * 32-bit shift count taken mod 32), which gives LiteRT's numbers there:
 * e.g. 0 / y comes out one step above the output zero point, and small
 * negative dividends saturate. Reproduced so results match LiteRT. */
static inline int32_t q_div_rdbp(int32_t x, int e) {
  if (e <= 31) return pnn_qm_rounding_divide_by_pot(x, e);
  const int32_t mask = (int32_t)(uint32_t)((1ull << (e & 63)) - 1);
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> (e & 31)) + ((x & mask) > threshold ? 1 : 0);
}

/* DIV, TFLite's reference DivElementwise: (x - zp1) / (y - zp2) as the
 * fixed-point reciprocal of the divisor (GetReciprocal) times the dividend
 * shifted to full headroom, then onto the output scale (multiplier of
 * s1 / (s2 * so)). A divisor equal to its zero point (real 0) fails. */
#define QDIV_ROW(NAME, T)                                                  \
  static bool NAME(const void *va, int64_t sa, const void *vb, int64_t sb, \
                   void *vo, int64_t n, const bin_params *p) {             \
    const T *a = va, *b = vb;                                              \
    T *o = vo;                                                             \
    const bin_quant *q = &p->q;                                            \
    for (int64_t i = 0; i < n; i++) {                                      \
      int32_t x = q->off1 + a[i * sa], y = q->off2 + b[i * sb];            \
      if (y == 0) return false;                                            \
      if (y < 0) {                                                         \
        x = -x;                                                            \
        y = -y;                                                            \
      }                                                                    \
      int recip_shift;                                                     \
      const int32_t inv = pnn_fp_reciprocal(y, 31, &recip_shift);          \
      const int head = q_cls32(x);                                         \
      const int32_t unscaled =                                             \
          pnn_qm_srdhm((int32_t)((uint32_t)x << head), inv);               \
      const int total = q->so - recip_shift - head;                        \
      const int32_t r =                                                    \
          q->out_off + q_div_rdbp(pnn_qm_srdhm(unscaled, q->mo), -total);  \
      o[i] = (T)pnn_qm_clamp(r, q->lo, q->hi);                             \
    }                                                                      \
    return true;                                                           \
  }
QDIV_ROW(qdiv_u8, uint8_t)
QDIV_ROW(qdiv_i8, int8_t)
QDIV_ROW(qdiv_i16, int16_t)

/* Quantized comparison: both sides rescaled by their own scale. */
#define QCMP_ROW(NAME, T, OP)                                              \
  static bool NAME(const void *va, int64_t sa, const void *vb, int64_t sb, \
                   void *vo, int64_t n, const bin_params *p) {             \
    const T *a = va, *b = vb;                                              \
    bool *o = vo;                                                          \
    const bin_quant *q = &p->q;                                            \
    for (int64_t i = 0; i < n; i++)                                        \
      o[i] = q_rescale(a[i * sa], q->off1, q->m1, q->s1, q->left_shift) OP \
             q_rescale(b[i * sb], q->off2, q->m2, q->s2, q->left_shift);   \
    return true;                                                           \
  }

#define QROWS(T, SUF)                          \
  QADD_ROW(qadd_##SUF, T, +)                   \
  QADD_ROW(qsub_##SUF, T, -)                   \
  QMUL_ROW(qmul_##SUF, T)                      \
  BIN_ROW(max_##SUF, T, T, x > y ? x : y, PLAIN) \
  BIN_ROW(min_##SUF, T, T, x < y ? x : y, PLAIN)
QROWS(int8_t, i8)
QROWS(uint8_t, u8)
QROWS(int16_t, i16)
QSQDIFF_ROW(qsqdiff_i8, int8_t)

/* int8/uint8 ADD/SUB/MUL rows through the qs8 vector kernels (bit-exact
 * with the rows above) when both runs are contiguous or one operand is a
 * scalar; other strides take the reference row REF. */
#define QVEC_ROW(NAME, KIND, REF)                                           \
  static bool NAME(const void *va, int64_t sa, const void *vb, int64_t sb, \
                   void *vo, int64_t n, const bin_params *p) {             \
    if (!p->qvec || (uint64_t)sa > 1 || (uint64_t)sb > 1 || (sa | sb) == 0) \
      return REF(va, sa, vb, sb, vo, n, p);                                \
    if (p->cpre && p->cside == 1)                                          \
      p->qvec->addsub_const(                                               \
          va, (int)sa, p->cpre + ((const uint8_t *)vb - p->cbase), (int)sb, \
          vo, (size_t)n, &p->cp,                                           \
          KIND == PNN_QS8_SUB ? PNN_QS8_X_MINUS_Y : PNN_QS8_X_PLUS_Y);     \
    else if (p->cpre)                                                      \
      p->qvec->addsub_const(                                               \
          vb, (int)sb, p->cpre + ((const uint8_t *)va - p->cbase), (int)sa, \
          vo, (size_t)n, &p->cp,                                           \
          KIND == PNN_QS8_SUB ? PNN_QS8_Y_MINUS_X : PNN_QS8_X_PLUS_Y);     \
    else                                                                   \
      p->qvec->bin[KIND](va, (int)sa, vb, (int)sb, vo, (size_t)n, &p->qp); \
    return true;                                                           \
  }
QVEC_ROW(qadd_i8_vec, PNN_QS8_ADD, qadd_i8)
QVEC_ROW(qsub_i8_vec, PNN_QS8_SUB, qsub_i8)
QVEC_ROW(qmul_i8_vec, PNN_QS8_MUL, qmul_i8)
QVEC_ROW(qadd_u8_vec, PNN_QS8_ADD, qadd_u8)
QVEC_ROW(qsub_u8_vec, PNN_QS8_SUB, qsub_u8)
QVEC_ROW(qmul_u8_vec, PNN_QS8_MUL, qmul_u8)

#define QCMP_ROWS(T, SUF)     \
  QCMP_ROW(qeq_##SUF, T, ==)  \
  QCMP_ROW(qne_##SUF, T, !=)  \
  QCMP_ROW(qlt_##SUF, T, <)   \
  QCMP_ROW(qle_##SUF, T, <=)  \
  QCMP_ROW(qgt_##SUF, T, >)   \
  QCMP_ROW(qge_##SUF, T, >=)
QCMP_ROWS(int8_t, i8)
QCMP_ROWS(uint8_t, u8)
/* Unquantized 8-bit and all int16 comparisons compare the stored values. */
CMP_ROWS(int8_t, i8)
CMP_ROWS(uint8_t, u8)
CMP_ROWS(int16_t, i16)

#define F32 PNN_TYPE_FLOAT32
#define I32 PNN_TYPE_INT32
#define I64 PNN_TYPE_INT64
#define BOOL PNN_TYPE_BOOL
#define I8 PNN_TYPE_INT8
#define U8 PNN_TYPE_UINT8
#define I16 PNN_TYPE_INT16
static const char kDivZero[] = "integer division by zero";
static const char kFloorZero[] = "division by zero";
static const char kNegPow[] = "integer POW with a negative exponent";

static const bin_impl bin_impls[] = {
    {PNN_OP_ADD, F32, add_f32_vec, NULL},
    {PNN_OP_ADD, I32, add_i32, NULL},
    {PNN_OP_ADD, I64, add_i64, NULL},
    {PNN_OP_SUB, F32, sub_f32_vec, NULL},
    {PNN_OP_SUB, I32, sub_i32, NULL},
    {PNN_OP_SUB, I64, sub_i64, NULL},
    {PNN_OP_MUL, F32, mul_f32_vec, NULL},
    {PNN_OP_MUL, I32, mul_i32, NULL},
    {PNN_OP_MUL, I64, mul_i64, NULL},
    {PNN_OP_DIV, F32, div_f32, NULL},
    {PNN_OP_DIV, I32, div_i32, kDivZero},
    {PNN_OP_SQUARED_DIFFERENCE, F32, sqdiff_f32, NULL},
    {PNN_OP_SQUARED_DIFFERENCE, I32, sqdiff_i32, NULL},
    {PNN_OP_MAXIMUM, F32, max_f32_vec, NULL},
    {PNN_OP_MAXIMUM, I32, max_i32, NULL},
    {PNN_OP_MAXIMUM, I64, max_i64, NULL},
    {PNN_OP_MINIMUM, F32, min_f32_vec, NULL},
    {PNN_OP_MINIMUM, I32, min_i32, NULL},
    {PNN_OP_MINIMUM, I64, min_i64, NULL},
    {PNN_OP_POW, F32, pow_f32, NULL},
    {PNN_OP_POW, I32, pow_i32, kNegPow},
    {PNN_OP_FLOOR_DIV, F32, floordiv_f32, kFloorZero},
    {PNN_OP_FLOOR_DIV, I32, floordiv_i32, kFloorZero},
    {PNN_OP_FLOOR_MOD, F32, floormod_f32, kFloorZero},
    {PNN_OP_FLOOR_MOD, I32, floormod_i32, kFloorZero},
    {PNN_OP_FLOOR_MOD, I64, floormod_i64, kFloorZero},
    {PNN_OP_FLOOR_DIV, PNN_TYPE_INT8, floordiv_i8, kFloorZero},
    {PNN_OP_FLOOR_DIV, PNN_TYPE_INT16, floordiv_i16, kFloorZero},
    {PNN_OP_FLOOR_MOD, PNN_TYPE_INT8, floormod_i8, kFloorZero},
    {PNN_OP_FLOOR_MOD, PNN_TYPE_INT16, floormod_i16, kFloorZero},
    {PNN_OP_EQUAL, F32, eq_f32, NULL},
    {PNN_OP_EQUAL, I32, eq_i32, NULL},
    {PNN_OP_EQUAL, I64, eq_i64, NULL},
    {PNN_OP_EQUAL, BOOL, eq_b, NULL},
    {PNN_OP_NOT_EQUAL, F32, ne_f32, NULL},
    {PNN_OP_NOT_EQUAL, I32, ne_i32, NULL},
    {PNN_OP_NOT_EQUAL, I64, ne_i64, NULL},
    {PNN_OP_NOT_EQUAL, BOOL, ne_b, NULL},
    {PNN_OP_LESS, F32, lt_f32, NULL},
    {PNN_OP_LESS, I32, lt_i32, NULL},
    {PNN_OP_LESS, I64, lt_i64, NULL},
    {PNN_OP_LESS_EQUAL, F32, le_f32, NULL},
    {PNN_OP_LESS_EQUAL, I32, le_i32, NULL},
    {PNN_OP_LESS_EQUAL, I64, le_i64, NULL},
    {PNN_OP_GREATER, F32, gt_f32, NULL},
    {PNN_OP_GREATER, I32, gt_i32, NULL},
    {PNN_OP_GREATER, I64, gt_i64, NULL},
    {PNN_OP_GREATER_EQUAL, F32, ge_f32, NULL},
    {PNN_OP_GREATER_EQUAL, I32, ge_i32, NULL},
    {PNN_OP_GREATER_EQUAL, I64, ge_i64, NULL},
    {PNN_OP_LOGICAL_AND, BOOL, and_b, NULL},
    {PNN_OP_LOGICAL_OR, BOOL, or_b, NULL},
#define QARITH(TY, SUF)                         \
  {PNN_OP_ADD, TY, qadd_##SUF, NULL},           \
  {PNN_OP_SUB, TY, qsub_##SUF, NULL},           \
  {PNN_OP_MUL, TY, qmul_##SUF, NULL},           \
  {PNN_OP_MAXIMUM, TY, max_##SUF, NULL},        \
  {PNN_OP_MINIMUM, TY, min_##SUF, NULL}
    QARITH(I8, i8),
    QARITH(U8, u8),
    QARITH(I16, i16),
    {PNN_OP_SQUARED_DIFFERENCE, I8, qsqdiff_i8, NULL},
    {PNN_OP_DIV, U8, qdiv_u8, kDivZero},
    {PNN_OP_DIV, I8, qdiv_i8, kDivZero},
    {PNN_OP_DIV, I16, qdiv_i16, kDivZero},
#define CMPS(TY, P, SUF)                        \
  {PNN_OP_EQUAL, TY, P##eq_##SUF, NULL},        \
  {PNN_OP_NOT_EQUAL, TY, P##ne_##SUF, NULL},    \
  {PNN_OP_LESS, TY, P##lt_##SUF, NULL},         \
  {PNN_OP_LESS_EQUAL, TY, P##le_##SUF, NULL},   \
  {PNN_OP_GREATER, TY, P##gt_##SUF, NULL},      \
  {PNN_OP_GREATER_EQUAL, TY, P##ge_##SUF, NULL}
    CMPS(I16, , i16),
};

/* int8/uint8 ADD/SUB/MUL above the scalar level (see QVEC_ROW). */
static const bin_impl bin_qvec_impls[] = {
    {PNN_OP_ADD, I8, qadd_i8_vec, NULL}, {PNN_OP_SUB, I8, qsub_i8_vec, NULL},
    {PNN_OP_MUL, I8, qmul_i8_vec, NULL}, {PNN_OP_ADD, U8, qadd_u8_vec, NULL},
    {PNN_OP_SUB, U8, qsub_u8_vec, NULL}, {PNN_OP_MUL, U8, qmul_u8_vec, NULL},
};

/* Quantized comparisons, chosen over the raw ones above when both
 * inputs carry a scale. */
static const bin_impl bin_qcmp_impls[] = {
    CMPS(I8, q, i8),
    CMPS(U8, q, u8),
};
static const bin_impl bin_rawcmp_impls[] = {
    CMPS(I8, , i8),
    CMPS(U8, , u8),
};

static bool is_bool_result(int32_t op) {
  switch (op) {
    case PNN_OP_EQUAL:
    case PNN_OP_NOT_EQUAL:
    case PNN_OP_LESS:
    case PNN_OP_LESS_EQUAL:
    case PNN_OP_GREATER:
    case PNN_OP_GREATER_EQUAL: return true;
    default: return false;
  }
}

/* The fused activation of ops that carry one (0 = none). */
static int fused_activation(const pnn_node *node) {
  switch (node->builtin) {
    case PNN_OP_ADD: return PNN_OPTS(node, add)->fused_activation_function;
    case PNN_OP_SUB: return PNN_OPTS(node, sub)->fused_activation_function;
    case PNN_OP_MUL: return PNN_OPTS(node, mul)->fused_activation_function;
    case PNN_OP_DIV: return PNN_OPTS(node, div)->fused_activation_function;
    default: return PNN_ACT_NONE;
  }
}

/* Prepared broadcast walk: merged output dims and per-input strides. */
typedef struct {
  const bin_impl *impl;
  bin_params params;
  int rank; /* >= 1 after merging */
  int64_t dims[PNN_MAX_RANK];
  int64_t sa[PNN_MAX_RANK], sb[PNN_MAX_RANK];
  int64_t count;
  /* int8/uint8 ADD/SUB/MUL of x and f(x), f an 8-bit table activation
   * (swish = x * LOGISTIC(x)), above the scalar level: the op as one
   * table of x (each entry the reference row's result), applied to input
   * fsrc; NULL when not fused. */
  const uint8_t *flut;
  int fsrc;
} bin_state;

/* Merges dim i into i+1 wherever both inputs step over the pair as one
 * dim (stride[i] == stride[i+1] * dims[i+1], which also covers a pair
 * that is broadcast on both). */
static void merge_dims(bin_state *st, const int32_t *dims, int rank,
                       const int64_t *sa, const int64_t *sb) {
  int r = 0;
  for (int i = 0; i < rank; i++) {
    if (dims[i] == 1) continue; /* size-1 dims never move the walk */
    if (r > 0 && st->sa[r - 1] == sa[i] * dims[i] &&
        st->sb[r - 1] == sb[i] * dims[i]) {
      st->dims[r - 1] *= dims[i];
      st->sa[r - 1] = sa[i];
      st->sb[r - 1] = sb[i];
      continue;
    }
    st->dims[r] = dims[i];
    st->sa[r] = sa[i];
    st->sb[r] = sb[i];
    r++;
  }
  if (r == 0) { /* all dims 1 (or a scalar): one element */
    st->dims[0] = 1;
    st->sa[0] = st->sb[0] = 0;
    r = 1;
  }
  st->rank = r;
}

static pnn_status set_int_clamp(pnn_node *node, int act, bin_params *p,
                                pnn_type type) {
  p->ilo = type == PNN_TYPE_INT32 ? INT32_MIN : INT64_MIN;
  p->ihi = type == PNN_TYPE_INT32 ? INT32_MAX : INT64_MAX;
  switch (act) {
    case PNN_ACT_NONE: return PNN_OK;
    case PNN_ACT_RELU: p->ilo = 0; return PNN_OK;
    case PNN_ACT_RELU_N1_TO_1:
      p->ilo = -1;
      p->ihi = 1;
      return PNN_OK;
    case PNN_ACT_RELU6:
      p->ilo = 0;
      p->ihi = 6;
      return PNN_OK;
    default:
      return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                            "fused_activation_function %d not supported for "
                            "integer inputs",
                            act);
  }
}

static bool is_quant_type(pnn_type t) {
  return t == PNN_TYPE_INT8 || t == PNN_TYPE_UINT8 || t == PNN_TYPE_INT16;
}

static const bin_impl *find_impl(const bin_impl *tab, size_t n, int32_t op,
                                 pnn_type type) {
  for (size_t i = 0; i < n; i++)
    if (tab[i].op == op && tab[i].type == type) return &tab[i];
  return NULL;
}
#define FIND_IMPL(tab, op, type) \
  find_impl(tab, sizeof(tab) / sizeof(tab[0]), op, type)

/* Checks a quantized tensor's zero point lies in its type's range (and is
 * 0 for int16, which TFLite's int16 kernels require). */
static pnn_status check_zero_point(pnn_node *node, const pnn_tensor *t,
                                   const char *what) {
  int32_t lo, hi;
  pnn_qm_type_range(t->type, &lo, &hi);
  if (t->zero_point < lo || t->zero_point > hi ||
      (t->type == PNN_TYPE_INT16 && t->zero_point != 0))
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "%s (%s): zero point %d is not valid for %s", what,
                          t->name, (int)t->zero_point,
                          pnn_type_name(t->type));
  return PNN_OK;
}

static bool is_pot(float scale) {
  int e;
  return scale > 0 && pnn_fp_checked_log2(scale, &e);
}

/* Multipliers of TFLite's quantized ADD/SUB/MUL/SQUARED_DIFFERENCE and
 * quantized comparisons, and the output clamp. */
static pnn_status set_quant_params(pnn_node *node, const pnn_tensor *a,
                                   const pnn_tensor *b, int act,
                                   bin_quant *q) {
  const int32_t op = node->builtin;
  const bool cmp = is_bool_result(op);
  pnn_status s = pnn_qm_require_scale(node, a, "input 0");
  if (!s) s = pnn_qm_require_scale(node, b, "input 1");
  if (!s) s = check_zero_point(node, a, "input 0");
  if (!s) s = check_zero_point(node, b, "input 1");
  if (s) return s;
  const float s1 = a->scale, s2 = b->scale;
  q->off1 = -a->zero_point;
  q->off2 = -b->zero_point;
  if (cmp) {
    /* TFLite: each input's own scale as a multiplier below one, after a
     * left shift of 8. */
    q->left_shift = 8;
    if (!pnn_qm_quantize_multiplier_smaller_than_one(s1, &q->m1, &q->s1) ||
        !pnn_qm_quantize_multiplier_smaller_than_one(s2, &q->m2, &q->s2))
      return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                            "quantized comparison needs input scales below 1 "
                            "(got %g and %g)",
                            (double)s1, (double)s2);
    return PNN_OK;
  }
  /* A copy of the output with the type it will get, for the clamp. */
  pnn_tensor out = *node->outputs[0];
  out.type = a->type;
  s = pnn_qm_require_scale(node, &out, "output");
  if (!s) s = check_zero_point(node, &out, "output");
  if (!s) s = pnn_qm_activation_range(node, act, &out, &q->lo, &q->hi);
  if (s) return s;
  const float so = out.scale;
  q->out_off = out.zero_point;
  bool ok = true;
  if (op == PNN_OP_MUL) {
    /* Float product and quotient, as TFLite computes it. */
    const float real = s1 * s2 / so;
    pnn_qm_quantize_multiplier(real, &q->mo, &q->so);
    return PNN_OK;
  }
  if (op == PNN_OP_DIV) {
    /* s1 / (s2 * so) in float, as TFLite's DIV prepare computes it. */
    const float real = s1 / (s2 * so);
    pnn_qm_quantize_multiplier(real, &q->mo, &q->so);
    return PNN_OK;
  }
  if (a->type == PNN_TYPE_INT16 && op != PNN_OP_SQUARED_DIFFERENCE) {
    bool pot_opt = op == PNN_OP_ADD ? PNN_OPTS(node, add)->pot_scale_int16
                                    : PNN_OPTS(node, sub)->pot_scale_int16;
    if (pot_opt && is_pot(s1) && is_pot(s2) && is_pot(so))
      return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                            "int16 with power-of-two scales and "
                            "pot_scale_int16 (the LSTM-only path) is not "
                            "supported");
  }
  const bool sqdiff = op == PNN_OP_SQUARED_DIFFERENCE;
  q->left_shift = sqdiff ? 7 : (a->type == PNN_TYPE_INT16 ? 15 : 20);
  const double twice_max = 2.0 * (double)(s1 > s2 ? s1 : s2);
  ok &= pnn_qm_quantize_multiplier_smaller_than_one((double)s1 / twice_max,
                                                    &q->m1, &q->s1);
  ok &= pnn_qm_quantize_multiplier_smaller_than_one((double)s2 / twice_max,
                                                    &q->m2, &q->s2);
  if (sqdiff) {
    const float denom = (float)(1 << (q->left_shift * 2)) * so;
    pnn_qm_quantize_multiplier(twice_max * twice_max / (double)denom, &q->mo,
                               &q->so);
  } else {
    const float denom = (float)(1 << q->left_shift) * so;
    ok &= pnn_qm_quantize_multiplier_smaller_than_one(twice_max / (double)denom,
                                                      &q->mo, &q->so);
  }
  if (!ok)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "output (%s): scale %g is too small for input "
                          "scales %g and %g",
                          node->outputs[0]->name, (double)so, (double)s1,
                          (double)s2);
  return PNN_OK;
}

/* Largest constant operand of an int8/uint8 ADD/SUB rescaled at prepare
 * (4 bytes per element of persistent memory). */
#define BIN_PRESCALE_MAX (1 << 16)

/* ADD/SUB above the scalar level with exactly one constant operand (a
 * per-channel bias, a scalar): rescales its values onto the common scale
 * once (q_rescale, as the rows do per element) for the qs8 kernels. */
static pnn_status prescale_constant(pnn_node *node, const pnn_tensor *a,
                                    const pnn_tensor *b, bin_params *p) {
  const int32_t op = node->builtin;
  if ((op != PNN_OP_ADD && op != PNN_OP_SUB) || a->is_constant == b->is_constant)
    return PNN_OK;
  const pnn_tensor *c = a->is_constant ? a : b;
  const int64_t n = pnn_tensor_count(c);
  if (n <= 0 || n > BIN_PRESCALE_MAX || !c->data) return PNN_OK;
  int32_t *pre = pnn_node_alloc_persistent(node, (size_t)n * sizeof(int32_t));
  if (!pre)
    return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY,
                          "out of memory for the rescaled constant (%s)",
                          c->name);
  const bin_quant *q = &p->q;
  const bool u8 = c->type == PNN_TYPE_UINT8;
  const int32_t off = a->is_constant ? q->off1 : q->off2;
  const int32_t m = a->is_constant ? q->m1 : q->m2;
  const int sh = a->is_constant ? q->s1 : q->s2;
  for (int64_t i = 0; i < n; i++) {
    const int32_t v = u8 ? ((const uint8_t *)c->data)[i]
                         : ((const int8_t *)c->data)[i];
    pre[i] = q_rescale(v, off, m, sh, q->left_shift);
  }
  p->cpre = pre;
  p->cbase = c->data;
  p->cside = a->is_constant ? 0 : 1;
  p->cp = p->qp;
  if (a->is_constant) { /* the variable operand's parameters first */
    p->cp.off1 = q->off2;
    p->cp.m1 = q->m2;
    p->cp.s1 = q->s2;
  }
  return PNN_OK;
}

/* ADD/SUB/MUL above the scalar level where one operand is written by an
 * 8-bit table activation of the other (same shape): the whole op is a
 * function of the other operand's byte, tabulated with the reference row
 * `ref` on each of the 256 pairs (x, f(x)). */
static pnn_status fuse_table_operand(pnn_node *node, const pnn_tensor *a,
                                     const pnn_tensor *b, bin_row_fn ref,
                                     bin_state *st) {
  if (!pnn_same_shape(a, b) || a == b) return PNN_OK;
  for (int side = 0; side < 2; side++) {
    const pnn_node *pr = pnn_node_input_producer(node, side);
    const pnn_tensor *x = side == 0 ? b : a;
    uint8_t f[256];
    /* x must hold one value for the whole invoke: not a variable, which
     * an op between the activation and this one could overwrite. */
    if (!pr || pr->n_inputs < 1 || pr->inputs[0] != x ||
        x->kind == PNN_TENSOR_PERSISTENT || !pnn_act8_table(pr, f))
      continue;
    uint8_t *lut = pnn_node_alloc_persistent(node, 256);
    if (!lut)
      return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY,
                            "out of memory for the fused table");
    for (int v = 0; v < 256; v++) {
      const uint8_t xv = (uint8_t)v, fv = f[v];
      ref(side == 0 ? &fv : &xv, 0, side == 0 ? &xv : &fv, 0, &lut[v], 1,
          &st->params);
    }
    st->flut = lut;
    st->fsrc = 1 - side;
    return PNN_OK;
  }
  return PNN_OK;
}

static pnn_status binary_prepare(pnn_node *node) {
  pnn_tensor *a, *b;
  pnn_status s = pnn_check_io(node, 2, 2, 1);
  if (!s) s = pnn_require_input(node, 0, &a);
  if (!s) s = pnn_require_input(node, 1, &b);
  if (s) return s;
  if (a->type != b->type)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 0 (%s) is %s but input 1 (%s) is %s", a->name,
                          pnn_type_name(a->type), b->name,
                          pnn_type_name(b->type));
  const bin_impl *impl = FIND_IMPL(bin_impls, node->builtin, a->type);
  const bool quant_cmp = is_bool_result(node->builtin) &&
                         (a->type == PNN_TYPE_INT8 ||
                          a->type == PNN_TYPE_UINT8) &&
                         a->scale > 0 && b->scale > 0;
  if (!impl && quant_cmp)
    impl = FIND_IMPL(bin_qcmp_impls, node->builtin, a->type);
  else if (!impl)
    impl = FIND_IMPL(bin_rawcmp_impls, node->builtin, a->type);
  if (!impl)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "input 0 (%s): type %s not supported", a->name,
                          pnn_type_name(a->type));
  int act = fused_activation(node);
  if (!pnn_activation_supported(act))
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "fused_activation_function %d not supported", act);
  bin_state st;
  memset(&st, 0, sizeof st);
  st.impl = impl;
  st.params.act = act;
  if (a->type == PNN_TYPE_FLOAT32 && act >= 0 && act <= 3) {
    /* pnn_apply_activation's clamps (none, RELU, RELU_N1_TO_1, RELU6). */
    static const float lo[] = {-INFINITY, 0.f, -1.f, 0.f};
    static const float hi[] = {INFINITY, INFINITY, 1.f, 6.f};
    st.params.vec = pnn_f32_vec_ops_for(pnn_isa_active());
    st.params.lo = lo[act];
    st.params.hi = hi[act];
  }
  if (a->type == PNN_TYPE_INT32 || a->type == PNN_TYPE_INT64) {
    s = set_int_clamp(node, act, &st.params, a->type);
    if (s) return s;
  }
  const bool raw_op = node->builtin == PNN_OP_MAXIMUM ||
                      node->builtin == PNN_OP_MINIMUM ||
                      node->builtin == PNN_OP_FLOOR_DIV ||
                      node->builtin == PNN_OP_FLOOR_MOD ||
                      (is_bool_result(node->builtin) && !quant_cmp);
  if (is_quant_type(a->type) && !raw_op) {
    s = set_quant_params(node, a, b, act, &st.params.q);
    if (s) return s;
    const bin_impl *qv = FIND_IMPL(bin_qvec_impls, node->builtin, a->type);
    const bin_impl *ref_impl = impl;
    if (qv && pnn_isa_active() != PNN_ISA_SCALAR) {
      const bin_quant *q = &st.params.q;
      pnn_qs8_bin_params *qp = &st.params.qp;
      qp->off1 = q->off1;
      qp->off2 = q->off2;
      qp->out_off = q->out_off;
      qp->m1 = q->m1;
      qp->m2 = q->m2;
      qp->mo = q->mo;
      qp->s1 = q->s1;
      qp->s2 = q->s2;
      qp->so = q->so;
      qp->left_shift = q->left_shift;
      qp->lo = q->lo;
      qp->hi = q->hi;
      qp->u8 = a->type == PNN_TYPE_UINT8;
      st.params.qvec = pnn_qs8_vec_ops_for(pnn_isa_active());
      st.impl = impl = qv;
      s = prescale_constant(node, a, b, &st.params);
      if (!s) s = fuse_table_operand(node, a, b, ref_impl->fn, &st);
      if (s) return s;
    }
  }
  int32_t dims[PNN_MAX_RANK];
  int rank = 0;
  if (a->rank > PNN_MAX_RANK || b->rank > PNN_MAX_RANK ||
      !pnn_broadcast_dims(a->dims, a->rank, b->dims, b->rank, dims, &rank))
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 0 (%s) and input 1 (%s): shapes do not "
                          "broadcast",
                          a->name, b->name);
  st.count = pnn_dims_count(dims, rank);
  if (st.count < 0 || pnn_tensor_count(a) < 0 || pnn_tensor_count(b) < 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "output element count overflows");
  int64_t sa[PNN_MAX_RANK], sb[PNN_MAX_RANK];
  pnn_broadcast_strides(a, rank, sa);
  pnn_broadcast_strides(b, rank, sb);
  merge_dims(&st, dims, rank, sa, sb);
  bin_state *ps = pnn_node_alloc_persistent(node, sizeof *ps);
  if (!ps)
    return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY,
                          "out of memory for op state");
  *ps = st;
  node->state = ps;
  pnn_type out = is_bool_result(node->builtin) ? PNN_TYPE_BOOL : a->type;
  return pnn_node_resize_output(node, 0, out, dims, rank);
}

/* Below this many output elements an op runs on the calling thread: the
 * hand-off would cost more than the work. The quantized ADD/SUB/MUL
 * kernels do three fixed-point rescales per element, several times the
 * work of a float op per element, so they split from fewer elements. */
#define BIN_PARALLEL_MIN (1 << 15)
#define BIN_PARALLEL_MIN_QUANT (1 << 13)

static int64_t parallel_min(const bin_state *st) {
  return st->params.qvec ? BIN_PARALLEL_MIN_QUANT : BIN_PARALLEL_MIN;
}

typedef struct {
  const bin_state *st;
  const uint8_t *a, *b;
  uint8_t *o;
  size_t in_size, out_size;
  atomic_int failed; /* set by any worker whose row function failed */
} bin_job;

/* One run of the innermost dim, `n` elements from output element `oo`
 * with input offsets oa, ob (elements). */
static bool bin_run(bin_job *j, int64_t oa, int64_t ob, int64_t oo, int64_t n) {
  const bin_state *st = j->st;
  const int last = st->rank - 1;
  return st->impl->fn(j->a + oa * (int64_t)j->in_size, st->sa[last],
                      j->b + ob * (int64_t)j->in_size, st->sb[last],
                      j->o + oo * (int64_t)j->out_size, n, &st->params);
}

/* A single merged dim (same shapes, or a scalar operand): split the run. */
static void bin_flat_worker(void *arg, int64_t begin, int64_t end) {
  bin_job *j = arg;
  const int64_t sa = j->st->sa[0], sb = j->st->sb[0];
  if (!bin_run(j, begin * sa, begin * sb, begin, end - begin))
    atomic_store_explicit(&j->failed, 1, memory_order_relaxed);
}

/* Runs [begin, end) of the innermost dim: decode the first run's index,
 * then step an odometer over the outer dims. */
static void bin_runs_worker(void *arg, int64_t begin, int64_t end) {
  bin_job *j = arg;
  const bin_state *st = j->st;
  const int last = st->rank - 1;
  const int64_t run = st->dims[last];
  int64_t idx[PNN_MAX_RANK] = {0};
  int64_t oa = 0, ob = 0, rest = begin;
  for (int k = last - 1; k >= 0; k--) {
    idx[k] = rest % st->dims[k];
    rest /= st->dims[k];
    oa += idx[k] * st->sa[k];
    ob += idx[k] * st->sb[k];
  }
  for (int64_t r = begin; r < end; r++) {
    if (!bin_run(j, oa, ob, r * run, run)) {
      atomic_store_explicit(&j->failed, 1, memory_order_relaxed);
      return;
    }
    for (int k = last - 1; k >= 0; k--) {
      oa += st->sa[k];
      ob += st->sb[k];
      if (++idx[k] < st->dims[k]) break;
      oa -= st->sa[k] * st->dims[k];
      ob -= st->sb[k] * st->dims[k];
      idx[k] = 0;
    }
  }
}

typedef struct {
  const bin_state *st;
  const uint8_t *x;
  uint8_t *o;
} bin_fused_job;

static void bin_fused_worker(void *arg, int64_t begin, int64_t end) {
  const bin_fused_job *j = arg;
  j->st->params.qvec->lut(j->x + begin, j->o + begin, (size_t)(end - begin),
                          j->st->flut);
}

static pnn_status binary_eval(pnn_node *node) {
  const bin_state *st = node->state;
  if (st->count == 0) return PNN_OK;
  if (st->flut) { /* x op f(x) as one table of x (fuse_table_operand) */
    bin_fused_job fj = {st, node->inputs[st->fsrc]->data,
                        node->outputs[0]->data};
    if (st->count < BIN_PARALLEL_MIN)
      bin_fused_worker(&fj, 0, st->count);
    else
      pnn_node_parallel_for(node, st->count, bin_fused_worker, &fj);
    return PNN_OK;
  }
  bin_job job = {
      .st = st,
      .a = node->inputs[0]->data,
      .b = node->inputs[1]->data,
      .o = node->outputs[0]->data,
      .in_size = pnn_type_size(node->inputs[0]->type),
      .out_size = pnn_type_size(node->outputs[0]->type),
  };
  atomic_init(&job.failed, 0);
  const bool flat = st->rank == 1;
  const int64_t n = flat ? st->count : st->count / st->dims[st->rank - 1];
  pnn_range_fn fn = flat ? bin_flat_worker : bin_runs_worker;
  if (st->count < parallel_min(st))
    fn(&job, 0, n);
  else
    pnn_node_parallel_for(node, n, fn, &job);
  if (atomic_load(&job.failed))
    return pnn_node_error(node, PNN_ERROR_RUNTIME, "%s (input 1, %s)",
                          st->impl->fail ? st->impl->fail : "invalid operands",
                          node->inputs[1]->name);
  return PNN_OK;
}

/* ---- ADD_N: sum of n >= 2 same-shape tensors ---- */

static pnn_status add_n_prepare(pnn_node *node) {
  pnn_status s = pnn_check_io(node, 2, INT32_MAX, 1);
  if (s) return s;
  pnn_tensor *first;
  s = pnn_require_input(node, 0, &first);
  if (!s) s = pnn_tu_check_types(node, first, 0, PNN_T(FLOAT32) | PNN_T(INT32));
  if (s) return s;
  if (pnn_tensor_count(first) < 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 0 (%s): element count overflows", first->name);
  for (int i = 1; i < node->n_inputs; i++) {
    pnn_tensor *t;
    s = pnn_require_input(node, i, &t);
    if (!s) s = pnn_check_type(node, t, i, first->type);
    if (s) return s;
    if (!pnn_same_shape(t, first))
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "input %d (%s): shape differs from input 0 (%s)", i,
                            t->name, first->name);
  }
  return pnn_node_resize_output(node, 0, first->type, first->dims, first->rank);
}

static pnn_status add_n_eval(pnn_node *node) {
  const int64_t n = pnn_tensor_count(node->inputs[0]);
  if (node->outputs[0]->type == PNN_TYPE_FLOAT32) {
    float *o = node->outputs[0]->data;
    /* Accumulate in a local so the output may alias an input. */
    for (int64_t j = 0; j < n; j++) {
      float acc = 0.f;
      for (int i = 0; i < node->n_inputs; i++)
        acc += ((const float *)node->inputs[i]->data)[j];
      o[j] = acc;
    }
  } else {
    int32_t *o = node->outputs[0]->data;
    for (int64_t j = 0; j < n; j++) {
      uint32_t acc = 0;
      for (int i = 0; i < node->n_inputs; i++)
        acc += (uint32_t)((const int32_t *)node->inputs[i]->data)[j];
      o[j] = (int32_t)acc;
    }
  }
  return PNN_OK;
}

static const pnn_op_kernel binary_kernel = {binary_prepare, binary_eval};
static const pnn_op_kernel add_n_kernel = {add_n_prepare, add_n_eval};

const pnn_op_entry pnn_ops_binary[] = {
    {PNN_OP_ADD, &binary_kernel},
    {PNN_OP_SUB, &binary_kernel},
    {PNN_OP_MUL, &binary_kernel},
    {PNN_OP_DIV, &binary_kernel},
    {PNN_OP_FLOOR_DIV, &binary_kernel},
    {PNN_OP_FLOOR_MOD, &binary_kernel},
    {PNN_OP_POW, &binary_kernel},
    {PNN_OP_SQUARED_DIFFERENCE, &binary_kernel},
    {PNN_OP_MAXIMUM, &binary_kernel},
    {PNN_OP_MINIMUM, &binary_kernel},
    {PNN_OP_EQUAL, &binary_kernel},
    {PNN_OP_NOT_EQUAL, &binary_kernel},
    {PNN_OP_LESS, &binary_kernel},
    {PNN_OP_LESS_EQUAL, &binary_kernel},
    {PNN_OP_GREATER, &binary_kernel},
    {PNN_OP_GREATER_EQUAL, &binary_kernel},
    {PNN_OP_LOGICAL_AND, &binary_kernel},
    {PNN_OP_LOGICAL_OR, &binary_kernel},
    {PNN_OP_ADD_N, &add_n_kernel},
    {-1, NULL},
};
