/* f32 elementwise kernels: the scalar (reference) level and dispatch. */
#include "kernels/f32_vec.h"

#include <math.h>

#define BIN_SCALAR(NAME, EXPR)                                             \
  static void NAME##_vv(const float *a, const float *b, float *o, size_t n, \
                        float lo, float hi) {                              \
    for (size_t i = 0; i < n; i++) {                                       \
      const float x = a[i], y = b[i], r = (EXPR);                          \
      o[i] = r < lo ? lo : (r > hi ? hi : r);                              \
    }                                                                      \
  }                                                                        \
  static void NAME##_vs(const float *a, const float *b, float *o, size_t n, \
                        float lo, float hi) {                              \
    const float y = b[0];                                                  \
    for (size_t i = 0; i < n; i++) {                                       \
      const float x = a[i], r = (EXPR);                                    \
      o[i] = r < lo ? lo : (r > hi ? hi : r);                              \
    }                                                                      \
  }                                                                        \
  static void NAME##_sv(const float *a, const float *b, float *o, size_t n, \
                        float lo, float hi) {                              \
    const float x = a[0];                                                  \
    for (size_t i = 0; i < n; i++) {                                       \
      const float y = b[i], r = (EXPR);                                    \
      o[i] = r < lo ? lo : (r > hi ? hi : r);                              \
    }                                                                      \
  }

BIN_SCALAR(add, x + y)
BIN_SCALAR(sub, x - y)
BIN_SCALAR(mul, x * y)
BIN_SCALAR(max, x > y ? x : y)
BIN_SCALAR(min, x < y ? x : y)

static void clamp_s(const float *x, float *o, size_t n, float lo, float hi) {
  for (size_t i = 0; i < n; i++)
    o[i] = x[i] < lo ? lo : (x[i] > hi ? hi : x[i]);
}
static void leaky_s(const float *x, float *o, size_t n, float alpha) {
  for (size_t i = 0; i < n; i++) o[i] = x[i] > 0.f ? x[i] : x[i] * alpha;
}
static void prelu_s(const float *x, const float *a, float *o, size_t n) {
  for (size_t i = 0; i < n; i++) o[i] = x[i] >= 0.f ? x[i] : x[i] * a[i];
}
static void hard_swish_s(const float *x, float *o, size_t n) {
  for (size_t i = 0; i < n; i++) {
    float r6 = x[i] + 3.f;
    r6 = r6 < 0.f ? 0.f : (r6 > 6.f ? 6.f : r6);
    o[i] = x[i] * r6 / 6.f;
  }
}
static void exp_s(const float *x, float *o, size_t n) {
  for (size_t i = 0; i < n; i++) o[i] = expf(x[i]);
}
/* TFLite's reference logistic (reference_ops::Logistic): 1 above
 * 16.619047, exp(x) below -9, else 1 / (1 + exp(-x)). */
static inline float logistic_ref(float x) {
  if (x > 16.619047164916992188f) return 1.f;
  if (x < -9.f) return expf(x);
  return 1.f / (1.f + expf(-x));
}
static void logistic_s(const float *x, float *o, size_t n) {
  for (size_t i = 0; i < n; i++) o[i] = logistic_ref(x[i]);
}
static void swish_s(const float *x, float *o, size_t n) {
  for (size_t i = 0; i < n; i++) o[i] = x[i] * logistic_ref(x[i]);
}
static void tanh_s(const float *x, float *o, size_t n) {
  for (size_t i = 0; i < n; i++) o[i] = tanhf(x[i]);
}
static void elu_s(const float *x, float *o, size_t n) {
  for (size_t i = 0; i < n; i++) o[i] = x[i] < 0.f ? expm1f(x[i]) : x[i];
}
static void gelu_tanh_s(const float *x, float *o, size_t n) {
  const float k = 0.7978845608028654f; /* sqrt(2 / pi) */
  for (size_t i = 0; i < n; i++) {
    const float v = x[i];
    o[i] = 0.5f * v * (1.f + tanhf(k * (v + 0.044715f * v * v * v)));
  }
}
static void sum_rows_s(const float *x, float *acc, size_t rows, size_t c) {
  for (size_t r = 0; r < rows; r++)
    for (size_t j = 0; j < c; j++) acc[j] += x[r * c + j];
}
static void pool_max_s(const float *x, size_t row_stride, size_t rows,
                       size_t cols, size_t c, float *o) {
  for (size_t r = 0; r < rows; r++)
    for (size_t p = 0; p < cols; p++) {
      const float *v = x + r * row_stride + p * c;
      for (size_t j = 0; j < c; j++) o[j] = v[j] > o[j] ? v[j] : o[j];
    }
}
static void pool_sum_s(const float *x, size_t row_stride, size_t rows,
                       size_t cols, size_t c, float *o) {
  for (size_t r = 0; r < rows; r++)
    for (size_t p = 0; p < cols; p++) {
      const float *v = x + r * row_stride + p * c;
      for (size_t j = 0; j < c; j++) o[j] = o[j] + v[j];
    }
}
static void bilinear_s(const float *p00, const float *p01, const float *p10,
                       const float *p11, float *o, size_t n, float dy,
                       float dx) {
  const float ry = 1.f - dy, rx = 1.f - dx;
  for (size_t i = 0; i < n; i++)
    o[i] = p00[i] * ry * rx + p10[i] * dy * rx + p01[i] * ry * dx +
           p11[i] * dy * dx;
}

const pnn_f32_vec_ops pnn_f32_vec_ops_scalar = {
    .isa = PNN_ISA_SCALAR,
    .bin = {{add_vv, add_vs, add_sv},
            {sub_vv, sub_vs, sub_sv},
            {mul_vv, mul_vs, mul_sv},
            {max_vv, max_vs, max_sv},
            {min_vv, min_vs, min_sv}},
    .clamp = clamp_s,
    .leaky = leaky_s,
    .prelu = prelu_s,
    .hard_swish = hard_swish_s,
    .exp = exp_s,
    .logistic = logistic_s,
    .swish = swish_s,
    .tanh = tanh_s,
    .sum_rows = sum_rows_s,
    .pool_max = pool_max_s,
    .pool_sum = pool_sum_s,
    .elu = elu_s,
    .gelu_tanh = gelu_tanh_s,
    .bilinear = bilinear_s,
};

pnn_f32_vec_un_fn pnn_f32_vec_post(const pnn_f32_vec_ops *v, int act) {
  switch (act) {
    case PNN_F32_POST_HARD_SWISH: return v->hard_swish;
    case PNN_F32_POST_LOGISTIC: return v->logistic;
    case PNN_F32_POST_SWISH: return v->swish;
    default: return NULL;
  }
}

const pnn_f32_vec_ops *pnn_f32_vec_ops_for(pnn_isa isa) {
#if defined(__x86_64__)
  if (isa == PNN_ISA_AVX512) return &pnn_f32_vec_ops_avx512;
  if (isa == PNN_ISA_AVX2) return &pnn_f32_vec_ops_avx2;
#elif defined(__aarch64__)
  if (isa == PNN_ISA_NEON) return &pnn_f32_vec_ops_neon;
#endif
  (void)isa;
  return &pnn_f32_vec_ops_scalar;
}
