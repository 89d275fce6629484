/* Shared body of the SIMD f32 elementwise kernels (f32_vec.h), included
 * by f32_vec_avx2.c and f32_vec_avx512.c after they define:
 *   V, VM (compare mask), VL (lanes), VLOAD/VSTORE, VLOADN/VSTOREN (first
 *   n < VL lanes, the rest not touched), VSET1, VZERO, VADD, VSUB, VMUL,
 *   VDIV, VFMA, VMAND/VMOR (and/or of two VCMP masks), VALL(m) (every
 *   lane of mask m set), VMAX/VMIN (a > b ? a : b / a < b ? a : b, as the x86
 *   instructions), VCMP(a, b, pred), VSEL(m, t, f) (m ? t : f), VAND,
 *   VOR, VROUND (to nearest), VSCALE2(p, n) (p * 2^n, n integral in
 *   [-126, 128]), VRCP(d) (1 / d to within 2 ulp for d in [1, 2]), and
 *   SUF (name suffix).
 * Every formula is evaluated in the reference's order so the non-exp
 * kernels are bit-exact against the scalar level. */

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define NAME(x) CAT(x, SUF)

/* Loop skeleton: full vectors, then one masked tail. BODY maps V x to a
 * result expression using `x` (and i for other operands). */
#define MAP1(x_ptr, o_ptr, n, EXPR)                          \
  do {                                                       \
    size_t i_ = 0;                                           \
    for (; i_ + VL <= (n); i_ += VL) {                       \
      const V x = VLOAD((x_ptr) + i_);                       \
      VSTORE((o_ptr) + i_, (EXPR));                          \
    }                                                        \
    if (i_ < (n)) {                                          \
      const int r_ = (int)((n) - i_);                        \
      const V x = VLOADN((x_ptr) + i_, r_);                  \
      VSTOREN((o_ptr) + i_, (EXPR), r_);                     \
    }                                                        \
  } while (0)

/* x < lo ? lo : (x > hi ? hi : x), NaN kept. */
static inline V vclamp(V x, V lo, V hi) { return VMAX(lo, VMIN(hi, x)); }

static void NAME(clamp_)(const float *x_, float *o, size_t n, float lo,
                         float hi) {
  const V vlo = VSET1(lo), vhi = VSET1(hi);
  MAP1(x_, o, n, vclamp(x, vlo, vhi));
}

static void NAME(leaky_)(const float *x_, float *o, size_t n, float alpha) {
  const V va = VSET1(alpha), z = VZERO();
  MAP1(x_, o, n, VSEL(VCMP(x, z, _CMP_GT_OQ), x, VMUL(x, va)));
}

static void NAME(prelu_)(const float *x_, const float *a, float *o,
                         size_t n) {
  const V z = VZERO();
  size_t i = 0;
  for (; i + VL <= n; i += VL) {
    const V x = VLOAD(x_ + i);
    VSTORE(o + i, VSEL(VCMP(x, z, _CMP_GE_OQ), x, VMUL(x, VLOAD(a + i))));
  }
  if (i < n) {
    const int r = (int)(n - i);
    const V x = VLOADN(x_ + i, r);
    VSTOREN(o + i, VSEL(VCMP(x, z, _CMP_GE_OQ), x, VMUL(x, VLOADN(a + i, r))),
            r);
  }
}

/* t / 6 correctly rounded without a division: q0 = t * y with y =
 * RN(1/6) (relative error 2^-25, so q0 is within 1 ulp), the exact
 * residual e = t - 6 q0 by FMA, q0 + e * y rounded once (Markstein's
 * correction: RN(t / 6) when nothing under- or overflows). Zeros give t
 * itself (t / 6 keeps the sign); a vector with a lane outside [2^-100,
 * 2^100] (tiny, huge, inf, NaN) divides. Bit-exact with VDIV. */
static inline V vdiv6(V t) {
  const V a = VANDN(VSET1(-0.f), t);
  const VM zero = VCMP(t, VZERO(), _CMP_EQ_OQ);
  const VM ok = VMAND(VCMP(a, VSET1(0x1p-100f), _CMP_GE_OQ),
                      VCMP(a, VSET1(0x1p100f), _CMP_LE_OQ));
  if (!VALL(VMOR(ok, zero))) return VDIV(t, VSET1(6.f));
  const V y = VSET1(1.f / 6.f);
  const V q0 = VMUL(t, y);
  const V e = VFMA(VSUB(VZERO(), q0), VSET1(6.f), t);
  return VSEL(zero, t, VFMA(e, y, q0));
}
static inline V vhard_swish(V x) {
  const V r6 = vclamp(VADD(x, VSET1(3.f)), VZERO(), VSET1(6.f));
  return vdiv6(VMUL(x, r6));
}
static void NAME(hard_swish_)(const float *x_, float *o, size_t n) {
  MAP1(x_, o, n, vhard_swish(x));
}

/* exp(x): x = n ln2 + r, |r| <= ln2 / 2 (ln2 split in two for an exact
 * n ln2), exp(r) by a degree-6 polynomial (Cephes expf's coefficients),
 * scaled by 2^n. vexp_core clamps x to [-87.34, 88.72] (results from
 * ~1.2e-38 up to +inf: the top of the range overflows); NaN flows through the arithmetic (VMIN/VMAX
 * return their second operand, x, when unordered, and a NaN polynomial
 * stays NaN whatever the scale). vexp also gives +inf above the range
 * and 0 below (expf's subnormal results are flushed). */
static inline V vexp_core(V x) {
  const V hi = VSET1(88.72283935546875f), lo = VSET1(-87.33654022216797f);
  const V xc = VMAX(lo, VMIN(hi, x));
  const V n = VROUND(VMUL(xc, VSET1(1.44269504088896341f)));
  V r = VFMA(n, VSET1(-0.693359375f), xc);
  r = VFMA(n, VSET1(2.12194440e-4f), r);
  V p = VSET1(1.9875691500e-4f);
  p = VFMA(p, r, VSET1(1.3981999507e-3f));
  p = VFMA(p, r, VSET1(8.3334519073e-3f));
  p = VFMA(p, r, VSET1(4.1665795894e-2f));
  p = VFMA(p, r, VSET1(1.6666665459e-1f));
  p = VFMA(p, r, VSET1(5.0000001201e-1f));
  p = VFMA(p, VMUL(r, r), VADD(r, VSET1(1.f)));
  return VSCALE2(p, n);
}
static inline V vexp(V x) {
  const V p = vexp_core(x);
  const V q = VSEL(VCMP(x, VSET1(88.72283935546875f), _CMP_GT_OQ),
                   VSET1(INFINITY), p);
  return VSEL(VCMP(x, VSET1(-87.33654022216797f), _CMP_LT_OQ), VZERO(), q);
}
static void NAME(exp_)(const float *x_, float *o, size_t n) {
  MAP1(x_, o, n, vexp(x));
}

/* logistic(x) from e = exp(-|x|) in (0, 1], which never overflows:
 * 1 / (1 + e) for x >= 0, e / (1 + e) below; the reciprocal of 1 + e (in
 * [1, 2]) by VRCP (a refined estimate where that beats a division). Below
 * -87.34 (where expf(-x) is out of the exp kernel's range) the result is
 * 0, as 1 / (1 + expf(-x)) is there to within 6e-39; +inf gives 1, NaN
 * stays NaN (the compare fails and e is NaN). */
static inline V vlogistic(V x) {
  const V one = VSET1(1.f);
  const V e = vexp_core(VOR(x, VSET1(-0.f))); /* -|x| */
  const V r = VRCP(VADD(one, e));
  const V y = VSEL(VCMP(x, VZERO(), _CMP_GE_OQ), r, VMUL(e, r));
  return VSEL(VCMP(x, VSET1(-87.33654022216797f), _CMP_LT_OQ), VZERO(), y);
}
static void NAME(logistic_)(const float *x_, float *o, size_t n) {
  MAP1(x_, o, n, vlogistic(x));
}

static void NAME(swish_)(const float *x_, float *o, size_t n) {
  MAP1(x_, o, n, VMUL(x, vlogistic(x)));
}

/* tanh |x| = 1 - 2 / (exp(2|x|) + 1) with |x| capped at 10 (tanhf is 1
 * from 8.7 on), x itself for |x| < 2^-12; the sign of x is copied back.
 * NaN stays NaN (VMIN returns its second operand when unordered). */
static inline V vtanh(V x) {
  const V sign = VSET1(-0.f), one = VSET1(1.f);
  const V a = VANDN(sign, x);
  const V ac = VMIN(VSET1(10.f), a);
  const V e = vexp_core(VADD(ac, ac));
  V t = VSUB(one, VDIV(VSET1(2.f), VADD(e, one)));
  t = VOR(t, VAND(sign, x));
  return VSEL(VCMP(a, VSET1(1.f / 4096.f), _CMP_LT_OQ), x, t);
}
static void NAME(tanh_)(const float *x_, float *o, size_t n) {
  MAP1(x_, o, n, vtanh(x));
}

/* ELU: exp(x) - 1 below 0 (no expm1: absolute, not relative, accuracy
 * near 0). NaN fails the compare and is returned as is. */
static inline V velu(V x) {
  return VSEL(VCMP(x, VZERO(), _CMP_LT_OQ), VSUB(vexp(x), VSET1(1.f)), x);
}
static void NAME(elu_)(const float *x_, float *o, size_t n) {
  MAP1(x_, o, n, velu(x));
}

/* GELU, tanh form, evaluated in the reference's order. */
static inline V vgelu_tanh(V x) {
  const V x3 = VMUL(VMUL(VMUL(VSET1(0.044715f), x), x), x);
  const V t = vtanh(VMUL(VSET1(0.7978845608028654f), VADD(x, x3)));
  return VMUL(VMUL(VSET1(0.5f), x), VADD(VSET1(1.f), t));
}
static void NAME(gelu_tanh_)(const float *x_, float *o, size_t n) {
  MAP1(x_, o, n, vgelu_tanh(x));
}

static void NAME(sum_rows_)(const float *x, float *acc, size_t rows,
                            size_t c) {
  size_t j = 0;
  for (; j + 4 * VL <= c; j += 4 * VL) {
    V s0 = VLOAD(acc + j), s1 = VLOAD(acc + j + VL);
    V s2 = VLOAD(acc + j + 2 * VL), s3 = VLOAD(acc + j + 3 * VL);
    for (size_t r = 0; r < rows; r++) {
      const float *p = x + r * c + j;
      s0 = VADD(s0, VLOAD(p));
      s1 = VADD(s1, VLOAD(p + VL));
      s2 = VADD(s2, VLOAD(p + 2 * VL));
      s3 = VADD(s3, VLOAD(p + 3 * VL));
    }
    VSTORE(acc + j, s0);
    VSTORE(acc + j + VL, s1);
    VSTORE(acc + j + 2 * VL, s2);
    VSTORE(acc + j + 3 * VL, s3);
  }
  for (; j + VL <= c; j += VL) {
    V s = VLOAD(acc + j);
    for (size_t r = 0; r < rows; r++) s = VADD(s, VLOAD(x + r * c + j));
    VSTORE(acc + j, s);
  }
  if (j < c) {
    const int m = (int)(c - j);
    V s = VLOADN(acc + j, m);
    for (size_t r = 0; r < rows; r++) s = VADD(s, VLOADN(x + r * c + j, m));
    VSTOREN(acc + j, s, m);
  }
}

/* Pooling windows: each channel block's accumulator stays in a register
 * over all taps. MAX keeps `v > o ? v : o` (VMAX(v, o)), SUM `o + v`. */
#define POOL_SIMD(OPN, STEP)                                                 \
  static void NAME(OPN##_)(const float *x, size_t row_stride, size_t rows,  \
                           size_t cols, size_t c, float *o) {               \
    size_t j = 0;                                                           \
    for (; j + VL <= c; j += VL) {                                          \
      V acc = VLOAD(o + j);                                                 \
      for (size_t r = 0; r < rows; r++) {                                   \
        const float *v = x + r * row_stride + j;                            \
        for (size_t p = 0; p < cols; p++, v += c) acc = STEP(VLOAD(v), acc); \
      }                                                                     \
      VSTORE(o + j, acc);                                                   \
    }                                                                       \
    if (j < c) {                                                            \
      const int m = (int)(c - j);                                           \
      V acc = VLOADN(o + j, m);                                             \
      for (size_t r = 0; r < rows; r++) {                                   \
        const float *v = x + r * row_stride + j;                            \
        for (size_t p = 0; p < cols; p++, v += c)                           \
          acc = STEP(VLOADN(v, m), acc);                                    \
      }                                                                     \
      VSTOREN(o + j, acc, m);                                               \
    }                                                                       \
  }
#define POOL_MAX_STEP(v, acc) VMAX((v), (acc))
#define POOL_SUM_STEP(v, acc) VADD((acc), (v))
POOL_SIMD(pool_max, POOL_MAX_STEP)
POOL_SIMD(pool_sum, POOL_SUM_STEP)

/* Binary: a op b, then the activation clamp. */
#define BIN_SIMD(OPN, OPV)                                                  \
  static void NAME(OPN##_vv_)(const float *a, const float *b, float *o,     \
                              size_t n, float lo, float hi) {               \
    const V vlo = VSET1(lo), vhi = VSET1(hi);                               \
    size_t i = 0;                                                           \
    for (; i + VL <= n; i += VL)                                            \
      VSTORE(o + i, vclamp(OPV(VLOAD(a + i), VLOAD(b + i)), vlo, vhi));     \
    if (i < n) {                                                            \
      const int r = (int)(n - i);                                           \
      VSTOREN(o + i,                                                        \
              vclamp(OPV(VLOADN(a + i, r), VLOADN(b + i, r)), vlo, vhi), r); \
    }                                                                       \
  }                                                                         \
  static void NAME(OPN##_vs_)(const float *a, const float *b, float *o,     \
                              size_t n, float lo, float hi) {               \
    const V vlo = VSET1(lo), vhi = VSET1(hi), y = VSET1(b[0]);              \
    MAP1(a, o, n, vclamp(OPV(x, y), vlo, vhi));                             \
  }                                                                         \
  static void NAME(OPN##_sv_)(const float *a, const float *b, float *o,     \
                              size_t n, float lo, float hi) {               \
    const V vlo = VSET1(lo), vhi = VSET1(hi), s = VSET1(a[0]);              \
    MAP1(b, o, n, vclamp(OPV(s, x), vlo, vhi));                             \
  }

BIN_SIMD(add, VADD)
BIN_SIMD(sub, VSUB)
BIN_SIMD(mul, VMUL)
BIN_SIMD(max, VMAX)
BIN_SIMD(min, VMIN)

/* The scalar formula's operations in its order (no FMA): bit-exact. */
static inline V vbilinear(V p00, V p01, V p10, V p11, V ry, V rx, V dy, V dx) {
  V r = VADD(VMUL(VMUL(p00, ry), rx), VMUL(VMUL(p10, dy), rx));
  r = VADD(r, VMUL(VMUL(p01, ry), dx));
  return VADD(r, VMUL(VMUL(p11, dy), dx));
}
static void NAME(bilinear_)(const float *p00, const float *p01,
                            const float *p10, const float *p11, float *o,
                            size_t n, float dy_, float dx_) {
  const V dy = VSET1(dy_), dx = VSET1(dx_);
  const V ry = VSET1(1.f - dy_), rx = VSET1(1.f - dx_);
  size_t i = 0;
  for (; i + VL <= n; i += VL)
    VSTORE(o + i, vbilinear(VLOAD(p00 + i), VLOAD(p01 + i), VLOAD(p10 + i),
                            VLOAD(p11 + i), ry, rx, dy, dx));
  if (i < n) {
    const int r = (int)(n - i);
    VSTOREN(o + i,
            vbilinear(VLOADN(p00 + i, r), VLOADN(p01 + i, r),
                      VLOADN(p10 + i, r), VLOADN(p11 + i, r), ry, rx, dy, dx),
            r);
  }
}

const pnn_f32_vec_ops NAME(pnn_f32_vec_ops_) = {
    .isa = ISA,
    .bin = {{NAME(add_vv_), NAME(add_vs_), NAME(add_sv_)},
            {NAME(sub_vv_), NAME(sub_vs_), NAME(sub_sv_)},
            {NAME(mul_vv_), NAME(mul_vs_), NAME(mul_sv_)},
            {NAME(max_vv_), NAME(max_vs_), NAME(max_sv_)},
            {NAME(min_vv_), NAME(min_vs_), NAME(min_sv_)}},
    .clamp = NAME(clamp_),
    .leaky = NAME(leaky_),
    .prelu = NAME(prelu_),
    .hard_swish = NAME(hard_swish_),
    .exp = NAME(exp_),
    .logistic = NAME(logistic_),
    .swish = NAME(swish_),
    .tanh = NAME(tanh_),
    .sum_rows = NAME(sum_rows_),
    .pool_max = NAME(pool_max_),
    .pool_sum = NAME(pool_sum_),
    .elu = NAME(elu_),
    .gelu_tanh = NAME(gelu_tanh_),
    .bilinear = NAME(bilinear_),
};
