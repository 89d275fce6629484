/* Packed int8 GEMM: weight packing, bias folding, the plain-C microkernel
 * and the driver (activation packing, tiles, output stage). */
#include "kernels/qs8_gemm.h"

#include <string.h>

#include "ops/quant_math.h"

#define PANEL_GROUP 64 /* bytes per group of 4 k in a panel: 16 x 4 */
#define A_BYTES 32768  /* stack buffer for one packed block of rows */

static size_t panels_of(size_t n) { return (n + PNN_QS8_NR - 1) / PNN_QS8_NR; }

size_t pnn_qs8_gemm_bytes(size_t n, size_t k) {
  const size_t kg = (k + 3) / 4, np = panels_of(n);
  return 64 + np * kg * PANEL_GROUP + np * PNN_QS8_NR * sizeof(int32_t);
}

/* The plain-C microkernel on the packed layout, signed int8 rows. */
void pnn_qs8_ukernel_4x16_ref(size_t mr, size_t np, size_t kg, const void *xa,
                              size_t xa_stride, const int8_t *w,
                              size_t panel_stride, int32_t *c,
                              bool accumulate) {
  const int8_t *x = xa;
  for (size_t r = 0; r < mr; r++)
    for (size_t p = 0; p < np; p++) {
      const int8_t *wp = w + p * panel_stride;
      int32_t *cr = c + r * 2 * PNN_QS8_NR + p * PNN_QS8_NR;
      for (size_t j = 0; j < PNN_QS8_NR; j++) {
        int32_t s = accumulate ? cr[j] : 0;
        for (size_t g = 0; g < kg; g++)
          for (size_t b = 0; b < 4; b++)
            s += (int32_t)x[r * xa_stride + 4 * g + b] *
                 (int32_t)wp[g * PANEL_GROUP + j * 4 + b];
        cr[j] = s;
      }
    }
}

/* Packs panel p (weight rows p*NR .. p*NR+NR-1, zeros past n and k) into
 * dst group by group, so the packed bytes are written in order and each
 * row is read forward (one pass over the weights, no prior memset), and
 * folds each row's sum into its bias: bias - fold * sum, wrapping modulo
 * 2^32 like the accumulators. */
static void pack_panel(const int8_t *w, size_t w_stride, size_t n, size_t k,
                       size_t p, int8_t *dst, const int32_t *bias,
                       uint32_t fold, int32_t *packed_bias) {
  const size_t j0 = p * PNN_QS8_NR;
  const size_t rows = n - j0 < PNN_QS8_NR ? n - j0 : PNN_QS8_NR;
  const size_t kg = (k + 3) / 4;
  uint32_t sum[PNN_QS8_NR] = {0};
  for (size_t gi = 0; gi < kg; gi++) {
    int8_t *d = dst + gi * PANEL_GROUP;
    const size_t t = 4 * gi, cnt = k - t < 4 ? k - t : 4;
    if (cnt == 4) {
      for (size_t r = 0; r < rows; r++) {
        const int8_t *src = w + (j0 + r) * w_stride + t;
        memcpy(d + r * 4, src, 4);
        sum[r] += (uint32_t)((int32_t)src[0] + src[1] + src[2] + src[3]);
      }
      if (rows < PNN_QS8_NR) memset(d + rows * 4, 0, (PNN_QS8_NR - rows) * 4);
      continue;
    }
    memset(d, 0, PANEL_GROUP); /* the k tail */
    for (size_t r = 0; r < rows; r++)
      for (size_t b = 0; b < cnt; b++) {
        d[r * 4 + b] = w[(j0 + r) * w_stride + t + b];
        sum[r] += (uint32_t)(int32_t)d[r * 4 + b];
      }
  }
  for (size_t r = 0; r < PNN_QS8_NR; r++)
    packed_bias[r] =
        r < rows ? (int32_t)((bias ? (uint32_t)bias[j0 + r] : 0u) -
                             fold * sum[r])
                 : 0;
}

void pnn_qs8_gemm_init(pnn_qs8_gemm *g, pnn_isa isa, const int8_t *w,
                       size_t w_stride, size_t n, size_t k,
                       const int32_t *bias, int32_t in_zp,
                       const int32_t *mult, const int *shift, int32_t out_zp,
                       int32_t lo, int32_t hi, void *mem) {
  memset(g, 0, sizeof(*g));
  g->n = n;
  g->k = k;
  g->kg = (k + 3) / 4;
  g->mult = mult;
  g->shift = shift;
  g->out_zp = out_zp;
  g->lo = lo;
  g->hi = hi;
  g->requant = pnn_s8_requant_pick(isa);
  g->a_mode = PNN_QS8_A_S8;
  g->mr = 4;
  g->np = 1;
  g->name = "qs8_gemm_4x16_ref";
  g->ukernel = pnn_qs8_ukernel_4x16_ref;
#if defined(__x86_64__)
  if (isa >= PNN_ISA_AVX512 && pnn_cpu_features_get()->avx512vnni) {
    g->a_mode = PNN_QS8_A_U8FLIP;
    g->mr = 12;
    g->np = 2;
    g->name = "qs8_gemm_12x32_avx512vnni";
    g->ukernel = pnn_qs8_ukernel_12x32_avx512vnni;
    g->requant = pnn_qs8_requant_avx512;
  } else if (isa >= PNN_ISA_AVX2) {
    g->a_mode = PNN_QS8_A_S16;
    g->mr = 4;
    g->np = 1;
    g->name = "qs8_gemm_4x16_avx2";
    g->ukernel = pnn_qs8_ukernel_4x16_avx2;
    g->requant = pnn_qs8_requant_avx2;
  }
#elif defined(__aarch64__)
  if (isa >= PNN_ISA_NEON && pnn_cpu_features_get()->asimddp) {
    g->mr = 4;
    g->name = "qs8_gemm_4x16_neondot";
    g->ukernel = pnn_qs8_ukernel_4x16_neondot;
  } else if (isa >= PNN_ISA_NEON) {
    g->mr = 2;
    g->name = "qs8_gemm_2x16_neon";
    g->ukernel = pnn_qs8_ukernel_2x16_neon;
  }
#endif
  uintptr_t a = ((uintptr_t)mem + 63) & ~(uintptr_t)63;
  const size_t np = panels_of(n), panel = g->kg * PANEL_GROUP;
  g->w = (int8_t *)a;
  g->bias = (int32_t *)(a + np * panel);
  const uint32_t fold = (uint32_t)in_zp +
                        (g->a_mode == PNN_QS8_A_U8FLIP ? 128u : 0u);
  for (size_t p = 0; p < np; p++)
    pack_panel(w, w_stride, n, k, p, g->w + p * panel, bias, fold,
               g->bias + p * PNN_QS8_NR);
}

/* Packs rows [0, mr) of x, k values [t0, t0 + 4 * kg) into a (zeros past
 * k), in the microkernel's element type (the sign flip only exists with
 * the VNNI kernel, which packs with AVX-512). */
static void pack_a(const pnn_qs8_gemm *g, const int8_t *x, size_t x_stride,
                   size_t mr, size_t t0, size_t kg, void *a) {
  const size_t kc = 4 * kg;
  const size_t valid = g->k - t0 < kc ? g->k - t0 : kc;
#if defined(__x86_64__)
  if (g->a_mode == PNN_QS8_A_U8FLIP) {
    pnn_qs8_pack_flip_avx512(x + t0, x_stride, mr, valid, kc, a);
    return;
  }
#endif
  for (size_t r = 0; r < mr; r++) {
    const int8_t *xr = x + r * x_stride + t0;
    if (g->a_mode == PNN_QS8_A_S16) {
      int16_t *d = (int16_t *)a + r * kc;
      for (size_t t = 0; t < valid; t++) d[t] = xr[t];
      for (size_t t = valid; t < kc; t++) d[t] = 0;
    } else {
      int8_t *d = (int8_t *)a + r * kc;
      memcpy(d, xr, valid);
      memset(d + valid, 0, kc - valid);
    }
  }
}

/* The dscale output stage of nc columns from j0 (see qs8_gemm.h). */
static void out_dscale(const pnn_qs8_gemm *g, const int32_t *c, size_t j0,
                       size_t nc, int8_t *out) {
#if defined(__x86_64__)
  if (g->requant == pnn_qs8_requant_avx512) {
    pnn_qs8_out_dscale_avx512(c, g->bias + j0, g->dscale + j0, g->out_zp,
                              g->lo, g->hi, nc, out);
    return;
  }
  if (g->requant == pnn_qs8_requant_avx2) {
    pnn_qs8_out_dscale_avx2(c, g->bias + j0, g->dscale + j0, g->out_zp,
                            g->lo, g->hi, nc, out);
    return;
  }
#endif
  for (size_t j = 0; j < nc; j++) {
    const int32_t acc = (int32_t)((uint32_t)c[j] + (uint32_t)g->bias[j0 + j]);
    int64_t v = (int64_t)pnn_qm_scale_round(acc, g->dscale[j0 + j]) +
                g->out_zp;
    out[j] = (int8_t)(v < g->lo ? g->lo : (v > g->hi ? g->hi : v));
  }
}

size_t pnn_qs8_gemm_panels(const pnn_qs8_gemm *g) { return panels_of(g->n); }

void pnn_qs8_gemm_run(const pnn_qs8_gemm *g, const int8_t *x, size_t x_stride,
                      size_t m, int8_t *out, size_t out_stride) {
  pnn_qs8_gemm_run_panels(g, x, x_stride, m, 0, panels_of(g->n), out,
                          out_stride);
}

void pnn_qs8_gemm_run_panels(const pnn_qs8_gemm *g, const int8_t *x,
                             size_t x_stride, size_t m, size_t p_begin,
                             size_t p_end, int8_t *out, size_t out_stride) {
  _Alignas(64) uint8_t abuf[A_BYTES];
  _Alignas(64) int32_t c[PNN_QS8_MR_MAX * 2 * PNN_QS8_NR];
  const size_t mr = (size_t)g->mr, esz = g->a_mode == PNN_QS8_A_S16 ? 2 : 1;
  const size_t kg_cap = A_BYTES / (mr * esz * 4);
  const size_t kg_blk = g->kg < kg_cap ? g->kg : kg_cap;
  const bool one_block = kg_blk == g->kg;
  const size_t panel = g->kg * PANEL_GROUP;
  const size_t step = (size_t)g->np;
  for (size_t i0 = 0; i0 < m; i0 += mr) {
    const size_t rows = m - i0 < mr ? m - i0 : mr;
    const int8_t *xb = x + i0 * x_stride;
    if (one_block) pack_a(g, xb, x_stride, rows, 0, kg_blk, abuf);
    for (size_t p0 = p_begin; p0 < p_end; p0 += step) {
      const size_t np = p_end - p0 < step ? p_end - p0 : step;
      const int8_t *wp = g->w + p0 * panel;
      if (one_block) {
        g->ukernel(rows, np, g->kg, abuf, 4 * kg_blk * esz, wp, panel, c,
                   false);
      } else {
        for (size_t k0 = 0; k0 < g->kg; k0 += kg_blk) {
          const size_t kg = g->kg - k0 < kg_blk ? g->kg - k0 : kg_blk;
          pack_a(g, xb, x_stride, rows, 4 * k0, kg, abuf);
          g->ukernel(rows, np, kg, abuf, 4 * kg * esz, wp + k0 * PANEL_GROUP,
                     panel, c, k0 > 0);
        }
      }
      /* output stage: + folded bias, requantize, clamp */
      const size_t j0 = p0 * PNN_QS8_NR;
      const size_t nc = g->n - j0 < np * PNN_QS8_NR ? g->n - j0
                                                     : np * PNN_QS8_NR;
      if (g->dscale) {
        for (size_t r = 0; r < rows; r++)
          out_dscale(g, c + r * 2 * PNN_QS8_NR, j0, nc,
                     out + (i0 + r) * out_stride + j0);
        continue;
      }
#if defined(__x86_64__)
      if (g->requant == pnn_qs8_requant_avx512) {
        pnn_qs8_out_tile_avx512(c, 2 * PNN_QS8_NR, rows, g->bias + j0,
                                g->mult + j0, g->shift + j0, g->out_zp, g->lo,
                                g->hi, nc, out + i0 * out_stride + j0,
                                out_stride);
        continue;
      }
#endif
      for (size_t r = 0; r < rows; r++)
        g->requant(c + r * 2 * PNN_QS8_NR, g->bias + j0, g->mult + j0,
                   g->shift + j0, g->out_zp, g->lo, g->hi, nc,
                   out + (i0 + r) * out_stride + j0);
    }
  }
}
