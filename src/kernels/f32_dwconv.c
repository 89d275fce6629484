/* f32 depthwise convolution: packing, dispatch, and the plain-C rows. */
#include "kernels/f32_dwconv.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "kernels/f32_gemm.h" /* pnn_f32_gemm_align */
#include "kernels/f32_vec.h"

enum { CPAD = 16 };

size_t pnn_f32_dwconv_bytes(const pnn_f32_dwconv *s) {
  if (s->c <= 0 || s->f_h <= 0 || s->f_w <= 0) return 0;
  const size_t cpad = ((size_t)s->c + CPAD - 1) / CPAD * CPAD;
  const size_t taps = (size_t)s->f_h * (size_t)s->f_w;
  if (taps > SIZE_MAX / 8 / cpad / sizeof(float)) return 0;
  return (taps + 2) * cpad * sizeof(float) + 64;
}

void pnn_f32_dwconv_init(pnn_f32_dwconv *d, pnn_isa isa, const float *w,
                         const float *bias, void *mem) {
  const size_t cpad = ((size_t)d->c + CPAD - 1) / CPAD * CPAD;
  const size_t taps = (size_t)d->f_h * (size_t)d->f_w;
  float *p = pnn_f32_gemm_align(mem);
  for (size_t t = 0; t < taps; t++)
    for (size_t c = 0; c < cpad; c++)
      p[t * cpad + c] = c < (size_t)d->c ? w[t * (size_t)d->c + c] : 0.f;
  float *b = p + taps * cpad;
  for (size_t c = 0; c < cpad; c++)
    b[c] = bias && c < (size_t)d->c ? bias[c] : 0.f;
  float *z = b + cpad;
  bool finite = true;
  for (size_t i = 0; i < taps * cpad; i++) {
    z[i % cpad] = 0.f;
    finite = finite && isfinite(p[i]);
  }
  d->cpad = (int32_t)cpad;
  d->w = p;
  d->bias = bias ? b : NULL;
  d->zeros = finite ? z : NULL;
  d->lo = -INFINITY;
  d->hi = INFINITY;
  switch (d->act) {
    case 1: d->lo = 0.f; break;
    case 2: d->lo = -1.f; d->hi = 1.f; break;
    case 3: d->lo = 0.f; d->hi = 6.f; break;
    default: break;
  }
  d->isa = isa;
  d->rows = pnn_f32_dwconv_rows_scalar;
#if defined(__x86_64__)
  if (isa == PNN_ISA_AVX2) d->rows = pnn_f32_dwconv_rows_avx2;
  if (isa == PNN_ISA_AVX512) d->rows = pnn_f32_dwconv_rows_avx512;
#elif defined(__aarch64__)
  if (isa == PNN_ISA_NEON) d->rows = pnn_f32_dwconv_rows_neon;
#endif
}

void pnn_f32_dwconv_run(const pnn_f32_dwconv *d, const float *in, float *out,
                        int64_t begin, int64_t end) {
  const pnn_f32_vec_un_fn post =
      d->act > 4 ? pnn_f32_vec_post(pnn_f32_vec_ops_for(d->isa), d->act) : NULL;
  if (post) { /* a fused activation op: each row while it is in cache */
    const size_t row = (size_t)d->out_w * (size_t)d->c;
    for (int64_t r = begin; r < end; r++) {
      d->rows(d, in, out, r, r + 1);
      post(out + (size_t)r * row, out + (size_t)r * row, row);
    }
    return;
  }
  d->rows(d, in, out, begin, end);
  if (d->act != 4) return;
  const size_t row = (size_t)d->out_w * (size_t)d->c;
  for (size_t i = (size_t)begin * row; i < (size_t)end * row; i++)
    out[i] = tanhf(out[i]);
}

/* Plain C: per pixel, taps in (ky, kx) order, bias last, no FMA. */
void pnn_f32_dwconv_rows_scalar(const pnn_f32_dwconv *d, const float *in,
                                float *out, int64_t begin, int64_t end) {
  const int32_t C = d->c;
  for (int64_t row = begin; row < end; row++) {
    const int32_t b = (int32_t)(row / d->out_h), oy = (int32_t)(row % d->out_h);
    const int32_t iy0 = oy * d->stride_h - d->pad_h;
    for (int32_t ox = 0; ox < d->out_w; ox++) {
      const int32_t ix0 = ox * d->stride_w - d->pad_w;
      float *o = out + (row * d->out_w + ox) * (int64_t)C;
      for (int32_t c = 0; c < C; c++) o[c] = 0.f;
      for (int32_t ky = 0; ky < d->f_h; ky++) {
        const int32_t iy = iy0 + ky * d->dil_h;
        if (iy < 0 || iy >= d->in_h) continue;
        for (int32_t kx = 0; kx < d->f_w; kx++) {
          const int32_t ix = ix0 + kx * d->dil_w;
          if (ix < 0 || ix >= d->in_w) continue;
          const float *x = in + (((int64_t)b * d->in_h + iy) * d->in_w + ix) * C;
          const float *k = d->w + ((int64_t)ky * d->f_w + kx) * d->cpad;
          for (int32_t c = 0; c < C; c++) {
            const float p = x[c] * k[c];
            o[c] += p;
          }
        }
      }
      for (int32_t c = 0; c < C; c++) {
        float v = d->bias ? o[c] + d->bias[c] : o[c];
        v = v < d->lo ? d->lo : v;
        o[c] = v > d->hi ? d->hi : v;
      }
    }
  }
}
