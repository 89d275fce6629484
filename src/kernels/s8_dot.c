/* int8 dot products: the plain-C reference and the per-ISA pick. */
#include "kernels/s8_dot.h"

#include "kernels/qs8_gemm.h"
#include "ops/quant_math.h"

void pnn_s8_dots_ref(const int8_t *x, const int8_t *w, size_t k, size_t n,
                     size_t w_stride, int32_t *acc) {
  for (size_t i = 0; i < n; i++) {
    const int8_t *wr = w + i * w_stride;
    int32_t s = 0;
    for (size_t j = 0; j < k; j++) s += (int32_t)x[j] * (int32_t)wr[j];
    acc[i] += s;
  }
}

pnn_s8_dots_fn pnn_s8_dots_pick(pnn_isa isa) {
#if defined(__x86_64__)
  if (isa >= PNN_ISA_AVX2) return pnn_s8_dots_avx2;
#elif defined(__aarch64__)
  if (isa >= PNN_ISA_NEON) return pnn_s8_dots_neon;
#else
  (void)isa;
#endif
  return pnn_s8_dots_ref;
}

void pnn_s8_gemm_ref(const int8_t *x, size_t x_stride, size_t m,
                     const int8_t *w, size_t w_stride, size_t n, size_t k,
                     int32_t *acc, size_t acc_stride) {
  for (size_t i = 0; i < m; i++)
    for (size_t j = 0; j < n; j++) {
      int32_t s = 0;
      for (size_t t = 0; t < k; t++)
        s += (int32_t)x[i * x_stride + t] * (int32_t)w[j * w_stride + t];
      acc[i * acc_stride + j] = s;
    }
}

pnn_s8_gemm_fn pnn_s8_gemm_pick(pnn_isa isa) {
#if defined(__x86_64__)
  if (isa >= PNN_ISA_AVX2) return pnn_s8_gemm_avx2;
#elif defined(__aarch64__)
  if (isa >= PNN_ISA_NEON) return pnn_s8_gemm_neon;
#else
  (void)isa;
#endif
  return pnn_s8_gemm_ref;
}

void pnn_s8_requant_ref(const int32_t *acc, const int32_t *bias,
                        const int32_t *mult, const int *shift, int32_t zp,
                        int32_t lo, int32_t hi, size_t n, int8_t *out) {
  for (size_t i = 0; i < n; i++) {
    const int32_t v = pnn_qm_wrap_add32(acc[i], bias ? bias[i] : 0);
    out[i] = (int8_t)pnn_qm_clamp_add(pnn_qm_mul_by_qm(v, mult[i], shift[i]),
                                      zp, lo, hi);
  }
}

pnn_s8_requant_fn pnn_s8_requant_pick(pnn_isa isa) {
#if defined(__x86_64__)
  if (isa >= PNN_ISA_AVX512) return pnn_qs8_requant_avx512; /* qs8_gemm.h */
  if (isa >= PNN_ISA_AVX2) return pnn_s8_requant_avx2;
#elif defined(__aarch64__)
  if (isa >= PNN_ISA_NEON) return pnn_s8_requant_neon;
#else
  (void)isa;
#endif
  return pnn_s8_requant_ref;
}

void pnn_s8_dw_tap_ref(const int8_t *x, const int8_t *w, int32_t zp, size_t n,
                       int32_t *acc) {
  for (size_t i = 0; i < n; i++)
    acc[i] += (int32_t)w[i] * ((int32_t)x[i] - zp);
}

pnn_s8_dw_tap_fn pnn_s8_dw_tap_pick(pnn_isa isa) {
#if defined(__x86_64__)
  if (isa >= PNN_ISA_AVX2) return pnn_s8_dw_tap_avx2;
#elif defined(__aarch64__)
  if (isa >= PNN_ISA_NEON) return pnn_s8_dw_tap_neon;
#else
  (void)isa;
#endif
  return pnn_s8_dw_tap_ref;
}
