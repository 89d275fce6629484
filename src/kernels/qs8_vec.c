/* Quantized 8-bit elementwise kernels: the plain-C reference level and
 * the per-ISA pick (see qs8_vec.h). */
#include "kernels/qs8_vec.h"

#include "ops/quant_math.h"

void pnn_qs8_lut_ref(const uint8_t *x, uint8_t *o, size_t n,
                     const uint8_t *table) {
  for (size_t i = 0; i < n; i++) o[i] = table[x[i]];
}

static inline int32_t load_q(const void *p, size_t i, bool u8) {
  return u8 ? (int32_t)((const uint8_t *)p)[i] : (int32_t)((const int8_t *)p)[i];
}

static inline void store_q(void *p, size_t i, bool u8, int32_t v) {
  if (u8) ((uint8_t *)p)[i] = (uint8_t)v;
  else ((int8_t *)p)[i] = (int8_t)v;
}

/* ((v + off) << left_shift) onto the common scale, as binary.c's
 * q_rescale. */
static inline int32_t rescale(int32_t v, int32_t off, int32_t m, int s,
                              int left_shift) {
  return pnn_qm_mul_by_qm((int32_t)((uint32_t)(v + off) << left_shift), m, s);
}

static inline void addsub_ref(const void *a, int sa, const void *b, int sb,
                              void *out, size_t n, const pnn_qs8_bin_params *p,
                              bool sub) {
  for (size_t i = 0; i < n; i++) {
    const int32_t x = rescale(load_q(a, i * (size_t)sa, p->u8), p->off1, p->m1,
                              p->s1, p->left_shift);
    const int32_t y = rescale(load_q(b, i * (size_t)sb, p->u8), p->off2, p->m2,
                              p->s2, p->left_shift);
    const int32_t r =
        (int32_t)((uint32_t)pnn_qm_mul_by_qm(sub ? x - y : x + y, p->mo, p->so) +
                  (uint32_t)p->out_off);
    store_q(out, i, p->u8, pnn_qm_clamp(r, p->lo, p->hi));
  }
}

void pnn_qs8_add_ref(const void *a, int sa, const void *b, int sb, void *out,
                     size_t n, const pnn_qs8_bin_params *p) {
  addsub_ref(a, sa, b, sb, out, n, p, false);
}

void pnn_qs8_sub_ref(const void *a, int sa, const void *b, int sb, void *out,
                     size_t n, const pnn_qs8_bin_params *p) {
  addsub_ref(a, sa, b, sb, out, n, p, true);
}

void pnn_qs8_addsub_const_ref(const void *a, int sa, const int32_t *y, int sy,
                              void *out, size_t n, const pnn_qs8_bin_params *p,
                              int mode) {
  for (size_t i = 0; i < n; i++) {
    const int32_t x = rescale(load_q(a, i * (size_t)sa, p->u8), p->off1, p->m1,
                              p->s1, p->left_shift);
    const int32_t yv = y[i * (size_t)sy];
    const int32_t v = mode == PNN_QS8_X_PLUS_Y    ? x + yv
                      : mode == PNN_QS8_X_MINUS_Y ? x - yv
                                                  : yv - x;
    const int32_t r = (int32_t)((uint32_t)pnn_qm_mul_by_qm(v, p->mo, p->so) +
                                (uint32_t)p->out_off);
    store_q(out, i, p->u8, pnn_qm_clamp(r, p->lo, p->hi));
  }
}

void pnn_qs8_mul_ref(const void *a, int sa, const void *b, int sb, void *out,
                     size_t n, const pnn_qs8_bin_params *p) {
  for (size_t i = 0; i < n; i++) {
    const int32_t x = load_q(a, i * (size_t)sa, p->u8) + p->off1;
    const int32_t y = load_q(b, i * (size_t)sb, p->u8) + p->off2;
    const int32_t r = (int32_t)((uint32_t)pnn_qm_mul_by_qm(x * y, p->mo, p->so) +
                                (uint32_t)p->out_off);
    store_q(out, i, p->u8, pnn_qm_clamp(r, p->lo, p->hi));
  }
}

void pnn_qs8_sum_rows_ref(const void *x, bool u8, int32_t *acc, size_t rows,
                          size_t c) {
  for (size_t r = 0; r < rows; r++)
    for (size_t j = 0; j < c; j++)
      acc[j] = (int32_t)((uint32_t)acc[j] + (uint32_t)load_q(x, r * c + j, u8));
}

void pnn_qs8_pool_range_ref(bool is_max, const uint8_t *x, size_t row_stride,
                            int nh, int nw, size_t c, size_t j0, bool u8,
                            int32_t lo, int32_t hi, uint8_t *out) {
  const int32_t n = nh * nw;
  for (size_t j = j0; j < c; j++) {
    int32_t acc = is_max ? INT32_MIN : 0;
    for (int y = 0; y < nh; y++)
      for (int k = 0; k < nw; k++) {
        const int32_t v =
            load_q(x, (size_t)y * row_stride + (size_t)k * c + j, u8);
        if (is_max) acc = v > acc ? v : acc;
        else acc += v;
      }
    if (!is_max) acc = acc > 0 ? (acc + n / 2) / n : (acc - n / 2) / n;
    store_q(out, j, u8, pnn_qm_clamp(acc, lo, hi));
  }
}

void pnn_qs8_pool_max_ref(const uint8_t *x, size_t row_stride, int nh, int nw,
                          size_t c, bool u8, int32_t lo, int32_t hi,
                          uint8_t *out) {
  pnn_qs8_pool_range_ref(true, x, row_stride, nh, nw, c, 0, u8, lo, hi, out);
}

void pnn_qs8_pool_avg_ref(const uint8_t *x, size_t row_stride, int nh, int nw,
                          size_t c, bool u8, int32_t lo, int32_t hi,
                          uint8_t *out) {
  pnn_qs8_pool_range_ref(false, x, row_stride, nh, nw, c, 0, u8, lo, hi, out);
}

const pnn_qs8_vec_ops pnn_qs8_vec_ops_scalar = {
    PNN_ISA_SCALAR,
    pnn_qs8_lut_ref,
    {pnn_qs8_add_ref, pnn_qs8_sub_ref, pnn_qs8_mul_ref},
    pnn_qs8_sum_rows_ref,
    pnn_qs8_pool_max_ref,
    pnn_qs8_pool_avg_ref,
    pnn_qs8_addsub_const_ref,
};

const pnn_qs8_vec_ops *pnn_qs8_vec_ops_for(pnn_isa isa) {
#if defined(__x86_64__)
  if (isa >= PNN_ISA_AVX512) {
    const pnn_cpu_features *f = pnn_cpu_features_get();
    return f->avx512vbmi ? &pnn_qs8_vec_ops_avx512vbmi
                         : &pnn_qs8_vec_ops_avx512;
  }
  if (isa >= PNN_ISA_AVX2) return &pnn_qs8_vec_ops_avx2;
#elif defined(__aarch64__)
  if (isa >= PNN_ISA_NEON) return &pnn_qs8_vec_ops_neon;
#else
  (void)isa;
#endif
  return &pnn_qs8_vec_ops_scalar;
}
