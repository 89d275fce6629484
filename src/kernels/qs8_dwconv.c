/* Packed int8 depthwise convolution: kernel choice, weight / output-stage
 * packing in each kernel's lane order, and the row driver that builds the
 * indirection rows. */
#include "kernels/qs8_dwconv.h"

#include <string.h>

#define IND_MAX 1024 /* indirection pointers per call (stack) */

enum { DW_NONE, DW_AVX2, DW_VNNI, DW_NEON };

static int kernel_for(pnn_isa isa) {
#if defined(__x86_64__)
  const pnn_cpu_features *f = pnn_cpu_features_get();
  if (isa >= PNN_ISA_AVX512 && f->avx512vnni) return DW_VNNI;
  if (isa >= PNN_ISA_AVX2 && f->avx2) return DW_AVX2;
#elif defined(__aarch64__)
  if (isa >= PNN_ISA_NEON && pnn_cpu_features_get()->neon) return DW_NEON;
#else
  (void)isa;
#endif
  return DW_NONE;
}

bool pnn_qs8_dw_available(pnn_isa isa) {
  return kernel_for(isa) != DW_NONE;
}

/* At most 16 channels fill the AVX2 kernel's block but only half of the
 * VNNI one's two-pixel vectors: measured faster on AVX2 (bench_qs8_dw). */
static int kernel_for_channels(pnn_isa isa, size_t c) {
  const int k = kernel_for(isa);
  return k == DW_VNNI && c <= 16 ? DW_AVX2 : k;
}

/* Channels per block, taps per group, bytes per packed weight. */
static void layout(int k, size_t *cb, size_t *group, size_t *wsz) {
  *cb = k == DW_VNNI ? 64 : 16;
  *group = k == DW_VNNI ? 4 : k == DW_AVX2 ? 2 : 1;
  *wsz = k == DW_VNNI ? 1 : 2;
}

size_t pnn_qs8_dw_bytes(pnn_isa isa, size_t c, size_t taps) {
  const int k = kernel_for_channels(isa, c);
  if (k == DW_NONE) return 0;
  size_t cb, group, wsz;
  layout(k, &cb, &group, &wsz);
  const size_t blocks = (c + cb - 1) / cb,
               tp = (taps + group - 1) / group * group;
  const size_t lanes = blocks * cb;
  if (tp > IND_MAX || c == 0) return 0; /* init refuses these */
  return 64 + lanes * tp * wsz + 3 * lanes * sizeof(int32_t) + lanes + 64;
}

/* Lane l (0 <= l < cb) of a packed block holds this channel of the block.
 * VNNI: accumulator i = l / 16, element e = l % 16 -> 16 * (e / 4) + 4 * i
 * + e % 4 (vpunpck* work within 128-bit lanes). AVX2: i = l / 8, e = l % 8
 * -> 8 * (e / 4) + 4 * i + e % 4. NEON: natural order. */
static size_t lane_channel(int k, size_t l) {
  if (k == DW_NEON) return l;
  if (k == DW_VNNI) {
    const size_t i = l / 16, e = l % 16;
    return 16 * (e / 4) + 4 * i + e % 4;
  }
  const size_t i = l / 8, e = l % 8;
  return 8 * (e / 4) + 4 * i + e % 4;
}

bool pnn_qs8_dw_init(pnn_qs8_dw *d, pnn_isa isa, const int8_t *w, size_t c,
                     const int32_t *bias, int32_t in_zp, const int32_t *mult,
                     const int *shift, int32_t out_zp, int32_t lo, int32_t hi,
                     void *mem) {
  const int k = kernel_for_channels(isa, c);
  if (k == DW_NONE) return false;
  size_t cb, group, wsz;
  layout(k, &cb, &group, &wsz);
  const size_t taps = (size_t)d->f_h * (size_t)d->f_w;
  const size_t tp = (taps + group - 1) / group * group;
  const size_t blocks = (c + cb - 1) / cb, lanes = blocks * cb;
  if (tp > IND_MAX || c == 0) return false;
  d->c = c;
  d->taps = taps;
  d->tp = tp;
  d->cb = cb;
  d->out_zp = out_zp;
  d->lo = lo;
  d->hi = hi;
#if defined(__x86_64__)
  d->name = k == DW_VNNI ? "qs8_dw_64x4_avx512vnni" : "qs8_dw_16x2_avx2";
  d->run = k == DW_VNNI ? pnn_qs8_dw_avx512vnni : pnn_qs8_dw_avx2;
#elif defined(__aarch64__)
  d->name = "qs8_dw_16x1_neon";
  d->run = pnn_qs8_dw_neon;
#endif
  uintptr_t a = ((uintptr_t)mem + 63) & ~(uintptr_t)63;
  d->w = (int8_t *)a;
  d->bias = (int32_t *)(a + lanes * tp * wsz);
  d->mult = d->bias + lanes;
  d->shift = d->mult + lanes;
  d->zbuf = (int8_t *)(d->shift + lanes);
  memset(d->w, 0, lanes * tp * wsz);
  memset(d->zbuf, (int8_t)in_zp, lanes);
  /* u8 operands (VNNI) see x + 128 */
  const uint32_t fold = (uint32_t)in_zp + (k == DW_VNNI ? 128u : 0u);
  for (size_t b = 0; b < blocks; b++)
    for (size_t l = 0; l < cb; l++) {
      /* VNNI: a last block of at most 32 channels repeats lanes 0..31
       * (128-bit lanes 0, 1) in 32..63 for its two-pixel loop */
      const size_t lc =
          k == DW_VNNI && c - b * cb <= 32 && l % 16 >= 8 ? l - 8 : l;
      const size_t ch = b * cb + lane_channel(k, lc), li = b * cb + l;
      if (ch >= c) {
        d->bias[li] = 0;
        d->mult[li] = 0;
        d->shift[li] = 0;
        continue;
      }
      uint32_t sum = 0;
      for (size_t t = 0; t < taps; t++) {
        const int8_t v = w[t * c + ch];
        sum += (uint32_t)(int32_t)v;
        const size_t g = t / group, j = t % group;
        if (k == DW_VNNI) {
          /* block, tap group, accumulator i (64 bytes), lane e, tap j */
          d->w[(b * tp / group + g) * 256 + (l / 16) * 64 + (l % 16) * 4 + j] =
              v;
        } else if (k == DW_NEON) {
          /* block, tap, channel */
          int16_t *p = (int16_t *)d->w;
          p[(b * tp + t) * 16 + l] = v;
        } else {
          /* block, tap pair, accumulator i (32 bytes), lane e, tap j */
          int16_t *p = (int16_t *)d->w;
          p[(b * tp / group + g) * 32 + (l / 8) * 16 + (l % 8) * 2 + j] = v;
        }
      }
      d->bias[li] = (int32_t)((bias ? (uint32_t)bias[ch] : 0u) - fold * sum);
      d->mult[li] = mult[ch];
      d->shift[li] = shift[ch];
    }
  return true;
}

/* Indirection rows of output pixels [ox0, ox0 + n) of output row oy. */
static void build_ind(const pnn_qs8_dw *d, const int8_t *img, int32_t oy,
                      int32_t ox0, size_t n, const int8_t **ind) {
  const size_t tp = d->tp, c = d->c;
  for (size_t p = 0; p < n; p++) {
    const int32_t ox = ox0 + (int32_t)p;
    const int8_t **r = ind + p * tp;
    size_t t = 0;
    for (int32_t ky = 0; ky < d->f_h; ky++) {
      const int32_t iy = oy * d->stride_h - d->pad_h + ky * d->dil_h;
      const bool yin = iy >= 0 && iy < d->in_h;
      for (int32_t kx = 0; kx < d->f_w; kx++, t++) {
        const int32_t ix = ox * d->stride_w - d->pad_w + kx * d->dil_w;
        r[t] = yin && ix >= 0 && ix < d->in_w
                   ? img + ((size_t)iy * (size_t)d->in_w + (size_t)ix) * c
                   : d->zbuf;
      }
    }
    /* taps past the filter have zero weights; they repeat tap 0 so that
     * an interior run can advance them like the others */
    for (; t < tp; t++) r[t] = r[0];
  }
}

/* Output pixels [ox0, ox1) of row oy through per-pixel indirection rows,
 * IND_MAX pointers at a time. */
static void run_border(const pnn_qs8_dw *d, const int8_t *img, int32_t oy,
                       int32_t ox0, int32_t ox1, int8_t *orow,
                       const int8_t **ind) {
  const size_t chunk = IND_MAX / d->tp; /* >= 1: init refuses larger tp */
  for (int32_t ox = ox0; ox < ox1; ox += (int32_t)chunk) {
    const size_t n = (size_t)(ox1 - ox) < chunk ? (size_t)(ox1 - ox) : chunk;
    build_ind(d, img, oy, ox, n, ind);
    d->run(d, ind, d->tp, 0, n, orow + (size_t)ox * d->c);
  }
}

void pnn_qs8_dw_run_rows(const pnn_qs8_dw *d, const int8_t *in, int8_t *out,
                         int64_t row_begin, int64_t row_end) {
  const int8_t *ind[IND_MAX];
  const size_t c = d->c;
  const size_t in_pix = (size_t)d->in_h * (size_t)d->in_w;
  /* Interior columns [x_lo, x_hi): every tap's column inside the input. */
  int32_t x_lo = d->out_w, x_hi = 0;
  for (int32_t ox = 0; ox < d->out_w; ox++) {
    const int32_t ix0 = ox * d->stride_w - d->pad_w;
    if (ix0 >= 0 && ix0 + (d->f_w - 1) * d->dil_w < d->in_w) {
      if (ox < x_lo) x_lo = ox;
      x_hi = ox + 1;
    }
  }
  for (int64_t row = row_begin; row < row_end; row++) {
    const int64_t b = row / d->out_h;
    const int32_t oy = (int32_t)(row % d->out_h);
    const int8_t *img = in + (size_t)b * in_pix * c;
    int8_t *orow = out + (size_t)row * (size_t)d->out_w * c;
    const int32_t iy0 = oy * d->stride_h - d->pad_h;
    const bool rows_in = iy0 >= 0 && iy0 + (d->f_h - 1) * d->dil_h < d->in_h;
    if (!rows_in || x_lo >= x_hi) {
      run_border(d, img, oy, 0, d->out_w, orow, ind);
      continue;
    }
    /* left border, the interior run on one indirection row advanced by
     * stride_w pixels per output pixel, right border */
    run_border(d, img, oy, 0, x_lo, orow, ind);
    build_ind(d, img, oy, x_lo, 1, ind);
    d->run(d, ind, 0, (size_t)d->stride_w * c, (size_t)(x_hi - x_lo),
           orow + (size_t)x_lo * c);
    run_border(d, img, oy, x_hi, d->out_w, orow, ind);
  }
}
