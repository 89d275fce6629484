/* f32 transpose convolution on the packed GEMM (see f32_deconv.h). */
#include "kernels/f32_deconv.h"

#include <math.h>
#include <string.h>

/* GEMM tasks a band aims for; a band's contributions (scratch) are kept
 * near BAND_BYTES so they are still in L2 for the col2im pass. */
enum { DECONV_TASKS = 8, BAND_BYTES = 512 * 1024 };

static size_t deconv_n(const pnn_f32_deconv_shape *s) {
  const size_t taps = (size_t)s->f_h * (size_t)s->f_w;
  if (s->out_c && taps > SIZE_MAX / 8 / (size_t)s->out_c) return 0;
  return taps * (size_t)s->out_c;
}

size_t pnn_f32_deconv_weight_bytes(const pnn_f32_deconv_shape *s,
                                   pnn_isa isa) {
  const pnn_f32_gemm_config *cfg = pnn_f32_gemm_config_for(isa);
  const size_t n = deconv_n(s);
  if (!n) return 0;
  const size_t floats = pnn_f32_gemm_packed_floats(cfg, n, (size_t)s->in_c);
  if (!floats || floats > SIZE_MAX / 8 - (size_t)s->out_c) return 0;
  return (floats + (size_t)s->out_c) * sizeof(float) + PNN_F32_GEMM_ALIGN;
}

void pnn_f32_deconv_init(pnn_f32_deconv *dc, const pnn_f32_deconv_shape *s,
                         pnn_isa isa, const float *w, const float *bias,
                         void *mem) {
  const pnn_f32_gemm_config *cfg = pnn_f32_gemm_config_for(isa);
  memset(dc, 0, sizeof *dc);
  dc->s = *s;
  const size_t n = deconv_n(s), k = (size_t)s->in_c;
  float *packed = pnn_f32_gemm_align(mem);
  /* Column j = (fy, fx, oc) of B, row ic: w[oc, fy, fx, ic]. Columns are
   * tap-major so one tap's out_c values are contiguous in C. */
  const size_t taps = (size_t)s->f_h * (size_t)s->f_w;
  const size_t nr = (size_t)cfg->nr, panels = (n + nr - 1) / nr;
  float *p = packed;
  for (size_t pi = 0; pi < panels; pi++) {
    const size_t n0 = pi * nr, cols = n - n0 < nr ? n - n0 : nr;
    memset(p, 0, nr * sizeof(float)); /* no GEMM bias */
    p += nr;
    for (size_t kk = 0; kk < k; kk++, p += nr) {
      for (size_t j = 0; j < cols; j++) {
        const size_t col = n0 + j;
        const size_t tap = col / (size_t)s->out_c, oc = col % (size_t)s->out_c;
        p[j] = w[(oc * taps + tap) * k + kk];
      }
      for (size_t j = cols; j < nr; j++) p[j] = 0.f;
    }
  }
  float *b = packed + pnn_f32_gemm_packed_floats(cfg, n, k);
  for (int32_t oc = 0; oc < s->out_c; oc++) b[oc] = bias ? bias[oc] : 0.f;
  dc->bias = b;
  dc->gemm = (pnn_f32_gemm_plan){cfg, n, k, panels, packed, 0};
  const size_t row_bytes = (size_t)s->in_w * n * sizeof(float);
  size_t band = row_bytes ? BAND_BYTES / row_bytes : 1;
  if (band < 1) band = 1;
  if (band > (size_t)s->in_h) band = (size_t)s->in_h;
  dc->band = band ? band : 1;
}

size_t pnn_f32_deconv_scratch_bytes(const pnn_f32_deconv *dc) {
  const size_t n = dc->gemm.n, w = (size_t)dc->s.in_w;
  if (w && n > SIZE_MAX / 8 / w / dc->band) return SIZE_MAX;
  return dc->band * w * n * sizeof(float);
}

typedef struct {
  const pnn_f32_deconv *dc;
  const float *c; /* band contributions: [(iy - r0) * in_w + ix, n] */
  float *out;     /* this image's output */
  int32_t r0, r1; /* the band's input rows */
  int32_t oy0;    /* first output row of the parallel range */
} deconv_job;

static void apply_act(int act, float *v, size_t n) {
  switch (act) {
    case 1:
      for (size_t i = 0; i < n; i++) v[i] = v[i] < 0.f ? 0.f : v[i];
      break;
    case 2:
      for (size_t i = 0; i < n; i++)
        v[i] = v[i] < -1.f ? -1.f : (v[i] > 1.f ? 1.f : v[i]);
      break;
    case 3:
      for (size_t i = 0; i < n; i++)
        v[i] = v[i] < 0.f ? 0.f : (v[i] > 6.f ? 6.f : v[i]);
      break;
    case 4:
      for (size_t i = 0; i < n; i++) v[i] = tanhf(v[i]);
      break;
    default: break;
  }
}

/* Output rows oy0 + [begin, end) = bias. */
static void init_rows(void *arg, int64_t begin, int64_t end) {
  const deconv_job *j = arg;
  const pnn_f32_deconv_shape *s = &j->dc->s;
  const size_t oc = (size_t)s->out_c;
  const size_t row = (size_t)s->out_w * oc;
  if (begin >= end) return;
  /* One row by pixels, then copies of it. */
  float *first = j->out + (size_t)(j->oy0 + begin) * row;
  if (oc == 1) {
    for (size_t x = 0; x < row; x++) first[x] = j->dc->bias[0];
  } else {
    for (int32_t x = 0; x < s->out_w; x++)
      memcpy(first + (size_t)x * oc, j->dc->bias, oc * sizeof(float));
  }
  for (int64_t r = begin + 1; r < end; r++)
    memcpy(first + (size_t)(r - begin) * row, first, row * sizeof(float));
}

static void act_rows(void *arg, int64_t begin, int64_t end) {
  const deconv_job *j = arg;
  const pnn_f32_deconv_shape *s = &j->dc->s;
  const size_t row = (size_t)s->out_w * (size_t)s->out_c;
  apply_act(s->act, j->out + (size_t)(j->oy0 + begin) * row,
            (size_t)(end - begin) * row);
}

/* col2im: adds the band's contributions to output rows oy0 + [begin,
 * end), input rows in ascending order. */
static void add_rows(void *arg, int64_t begin, int64_t end) {
  const deconv_job *j = arg;
  const pnn_f32_deconv_shape *s = &j->dc->s;
  const size_t oc = (size_t)s->out_c, n = j->dc->gemm.n;
  for (int64_t r = begin; r < end; r++) {
    const int32_t oy = j->oy0 + (int32_t)r;
    float *orow = j->out + (size_t)oy * (size_t)s->out_w * oc;
    /* fy descending = iy ascending. */
    for (int32_t fy = s->f_h - 1; fy >= 0; fy--) {
      const int32_t t = oy + s->pad_h - fy;
      if (t < 0 || t % s->stride_h) continue;
      const int32_t iy = t / s->stride_h;
      if (iy < j->r0 || iy >= j->r1) continue;
      const float *crow = j->c + (size_t)(iy - j->r0) * (size_t)s->in_w * n +
                          (size_t)fy * (size_t)s->f_w * oc;
      if (oc == 1) { /* e.g. a segmentation mask: no channel loop */
        for (int32_t ix = 0; ix < s->in_w; ix++) {
          const int32_t ox0 = ix * s->stride_w - s->pad_w;
          const float *cp = crow + (size_t)ix * n;
          const int32_t fx0 = ox0 < 0 ? -ox0 : 0;
          const int32_t fx1 =
              s->out_w - ox0 < s->f_w ? s->out_w - ox0 : s->f_w;
          for (int32_t fx = fx0; fx < fx1; fx++) orow[ox0 + fx] += cp[fx];
        }
        continue;
      }
      for (int32_t ix = 0; ix < s->in_w; ix++) {
        const int32_t ox0 = ix * s->stride_w - s->pad_w;
        const float *cp = crow + (size_t)ix * n;
        int32_t fx0 = ox0 < 0 ? -ox0 : 0;
        int32_t fx1 = s->out_w - ox0 < s->f_w ? s->out_w - ox0 : s->f_w;
        for (int32_t fx = fx0; fx < fx1; fx++) {
          float *o = orow + (size_t)(ox0 + fx) * oc;
          const float *src = cp + (size_t)fx * oc;
          for (size_t c = 0; c < oc; c++) o[c] += src[c];
        }
      }
    }
  }
}

void pnn_f32_deconv_run(const pnn_f32_deconv *dc, const float *in, float *out,
                        float *scratch, pnn_f32_parallel_fn parallel,
                        void *ctx) {
  const pnn_f32_deconv_shape *s = &dc->s;
  if (!s->out_h || !s->out_w || !s->out_c) return;
  const size_t in_img = (size_t)s->in_h * (size_t)s->in_w * (size_t)s->in_c;
  const size_t out_img =
      (size_t)s->out_h * (size_t)s->out_w * (size_t)s->out_c;
  for (int32_t b = 0; b < s->batch; b++) {
    deconv_job j = {dc, scratch, out + (size_t)b * out_img, 0, 0, 0};
    parallel(ctx, s->out_h, init_rows, &j);
    if (s->in_c > 0) {
      for (int32_t r0 = 0; r0 < s->in_h; r0 += (int32_t)dc->band) {
        const int32_t r1 = r0 + (int32_t)dc->band < s->in_h
                               ? r0 + (int32_t)dc->band
                               : s->in_h;
        const size_t m = (size_t)(r1 - r0) * (size_t)s->in_w;
        if (!m) continue;
        pnn_f32_gemm_job gj;
        pnn_f32_gemm_job_init(&gj, &dc->gemm, m,
                              in + (size_t)b * in_img +
                                  (size_t)r0 * (size_t)s->in_w * s->in_c,
                              (size_t)s->in_c, scratch, dc->gemm.n,
                              DECONV_TASKS);
        parallel(ctx, pnn_f32_gemm_job_tasks(&gj), pnn_f32_gemm_job_run, &gj);
        /* Output rows this band reaches. */
        int64_t lo = (int64_t)r0 * s->stride_h - s->pad_h;
        int64_t hi = (int64_t)(r1 - 1) * s->stride_h - s->pad_h + s->f_h;
        if (lo < 0) lo = 0;
        if (hi > s->out_h) hi = s->out_h;
        if (hi <= lo) continue;
        j.r0 = r0;
        j.r1 = r1;
        j.oy0 = (int32_t)lo;
        parallel(ctx, hi - lo, add_rows, &j);
      }
    }
    if (s->act) {
      j.oy0 = 0;
      parallel(ctx, s->out_h, act_rows, &j);
    }
  }
}
