/* f32 elementwise kernels: activations, binary arithmetic, exp-based
 * functions, over contiguous runs.
 *
 * One table of function pointers per instruction-set level
 * (pnn_f32_vec_ops_for): the scalar level is the plain-C reference
 * (the same formulas as the ops' reference loops: x < 0 ? 0 : x, expf,
 * tanhf, ...); the AVX2 and AVX-512 levels compute the same formulas on
 * 8 / 16 lanes with masked tails.
 *
 * Accuracy of the SIMD levels against the scalar level:
 * - clamp (RELU family), leaky, prelu, hard_swish, bilinear, binary add/sub/mul/
 *   max/min with clamp: bit-exact, including NaN propagation and signed
 *   zeros (max/min are evaluated as `x > y ? x : y` like the reference).
 * - exp: Cody-Waite reduction by ln2 and a degree-6 polynomial; relative
 *   error <= 4 ulp over [-87.3, 88.7]; results below ~1.2e-38 (where expf
 *   is subnormal) are flushed to 0, above 88.72 give +inf.
 * - logistic = 1 / (1 + exp(-x)): absolute error <= 2e-7, relative
 *   error <= 8 ulp wherever the result is >= 1e-30.
 * - tanh = sign(x) (1 - 2 / (exp(2|x|) + 1)), x for |x| < 2^-12:
 *   absolute error <= 3e-7 (relative error can be larger near 0).
 * - elu = exp(x) - 1 for x < 0: absolute error <= 2e-7.
 * - gelu_tanh through that tanh: absolute error <= 3e-7 max(1, |x|).
 * Conformance tolerance is 1e-4 * max(1, max|ref|), far above these. */
#ifndef PNN_KERNELS_F32_VEC_H
#define PNN_KERNELS_F32_VEC_H

#include <stddef.h>

#include "kernels/cpu.h"

/* Binary ops, evaluated as the reference: r = op(x, y), then
 * out = min(max(r, lo), hi) in the `x < lo ? lo : ...` sense (lo = -inf,
 * hi = +inf for no activation). */
enum {
  PNN_VEC_ADD,
  PNN_VEC_SUB,
  PNN_VEC_MUL,
  PNN_VEC_MAX,
  PNN_VEC_MIN,
  PNN_VEC_BIN_COUNT
};
/* Operand shapes: both runs contiguous (VV), b a scalar (VS: b[0]), a a
 * scalar (SV: a[0]). */
enum { PNN_VEC_VV, PNN_VEC_VS, PNN_VEC_SV, PNN_VEC_SHAPES };

typedef void (*pnn_f32_vec_bin_fn)(const float *a, const float *b, float *o,
                                   size_t n, float lo, float hi);
typedef void (*pnn_f32_vec_un_fn)(const float *x, float *o, size_t n);

typedef struct pnn_f32_vec_ops {
  pnn_isa isa;
  pnn_f32_vec_bin_fn bin[PNN_VEC_BIN_COUNT][PNN_VEC_SHAPES];
  /* o = x < lo ? lo : (x > hi ? hi : x) */
  void (*clamp)(const float *x, float *o, size_t n, float lo, float hi);
  /* o = x > 0 ? x : x * alpha */
  void (*leaky)(const float *x, float *o, size_t n, float alpha);
  /* o = x >= 0 ? x : x * a (a: n values) */
  void (*prelu)(const float *x, const float *a, float *o, size_t n);
  /* o = x * clamp(x + 3, 0, 6) / 6 */
  pnn_f32_vec_un_fn hard_swish;
  pnn_f32_vec_un_fn exp, logistic, tanh;
  /* o = x * logistic(x) (SiLU / swish): this level's logistic times x, so
   * bit-exact with its logistic followed by its mul_vv. */
  pnn_f32_vec_un_fn swish;
  /* Pooling window of rows x cols pixels of c channels (pixel (r, p) at
   * x + r * row_stride + p * c), taps in row-major order, accumulated into
   * o[0..c): pool_max o = v > o ? v : o, pool_sum o = o + v (bit-exact
   * with those per-tap loops, NaN included). */
  void (*pool_max)(const float *x, size_t row_stride, size_t rows,
                   size_t cols, size_t c, float *o);
  void (*pool_sum)(const float *x, size_t row_stride, size_t rows,
                   size_t cols, size_t c, float *o);
  /* acc[j] += x[r * c + j] for r < rows, j < c (rows in order) */
  void (*sum_rows)(const float *x, float *acc, size_t rows, size_t c);
  /* o = x < 0 ? expm1(x) : x (ELU) */
  pnn_f32_vec_un_fn elu;
  /* o = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) (GELU, tanh form) */
  pnn_f32_vec_un_fn gelu_tanh;
  /* Bilinear blend of four runs, TFLite's float formula in its order:
   * o = p00 (1 - dy) (1 - dx) + p10 dy (1 - dx) + p01 (1 - dy) dx
   *     + p11 dy dx (products left to right, no FMA): bit-exact. */
  void (*bilinear)(const float *p00, const float *p01, const float *p10,
                   const float *p11, float *o, size_t n, float dy, float dx);
} pnn_f32_vec_ops;

/* Activations a convolution can apply to its output after the bias, in
 * place of a following activation op (src/runtime/fuse.c): codes past the
 * fused activations (NONE 0 .. TANH 4) in pnn_f32_gemm_plan.act and
 * pnn_f32_dwconv.act; the clamp is then NONE. */
enum {
  PNN_F32_POST_HARD_SWISH = 5,
  PNN_F32_POST_LOGISTIC = 6,
  PNN_F32_POST_SWISH = 7 /* x * logistic(x) */
};
/* The kernel of post code `act` in table v; NULL for other codes. */
pnn_f32_vec_un_fn pnn_f32_vec_post(const struct pnn_f32_vec_ops *v, int act);

/* The table for `isa` (a level the host supports; falls back to scalar
 * for levels this build has no kernels for). */
const pnn_f32_vec_ops *pnn_f32_vec_ops_for(pnn_isa isa);

/* Per-level tables (SIMD ones defined only on their architecture). */
extern const pnn_f32_vec_ops pnn_f32_vec_ops_scalar;
#if defined(__x86_64__)
extern const pnn_f32_vec_ops pnn_f32_vec_ops_avx2;
extern const pnn_f32_vec_ops pnn_f32_vec_ops_avx512;
#elif defined(__aarch64__)
extern const pnn_f32_vec_ops pnn_f32_vec_ops_neon;
#endif

#endif
