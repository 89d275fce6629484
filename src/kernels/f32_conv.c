/* f32 CONV_2D on the packed GEMM (see f32_conv.h). */
#include "kernels/f32_conv.h"

#include <math.h>
#include <string.h>

#include "kernels/f32_vec.h"

/* Tasks a parallel loop aims for: a few per thread on small machines.
 * The fused path keeps CONV_SLOTS im2col tiles of about TILE_BYTES each
 * (instead of the whole im2col matrix): slot s of the parallel loop owns
 * buffer s and does tiles s, s + CONV_SLOTS, ... */
enum { CONV_TASKS = 8, CONV_SLOTS = 8, TILE_BYTES = 128 * 1024 };

size_t pnn_f32_conv_weight_bytes(const pnn_f32_conv_shape *s, pnn_isa isa) {
  const pnn_f32_gemm_config *cfg = pnn_f32_gemm_config_for(isa);
  const size_t k = (size_t)s->f_h * (size_t)s->f_w * (size_t)s->in_c;
  const size_t floats = pnn_f32_gemm_packed_floats(cfg, (size_t)s->out_c, k);
  if (!floats) return 0;
  return floats * sizeof(float) + PNN_F32_GEMM_ALIGN;
}

void pnn_f32_conv_init(pnn_f32_conv *cv, const pnn_f32_conv_shape *s,
                       pnn_isa isa, const float *w, const float *bias,
                       void *mem) {
  const pnn_f32_gemm_config *cfg = pnn_f32_gemm_config_for(isa);
  memset(cv, 0, sizeof *cv);
  cv->s = *s;
  cv->k = (size_t)s->f_h * (size_t)s->f_w * (size_t)s->in_c;
  cv->m = (size_t)s->batch * (size_t)s->out_h * (size_t)s->out_w;
  cv->direct = s->f_h == 1 && s->f_w == 1 && s->stride_h == 1 &&
               s->stride_w == 1 && s->pad_h == 0 && s->pad_w == 0 &&
               s->out_h == s->in_h && s->out_w == s->in_w;
  float *packed = pnn_f32_gemm_align(mem);
  /* OHWI: column n (output channel) is contiguous over k = (ky, kx, c). */
  pnn_f32_gemm_pack(cfg, (size_t)s->out_c, cv->k, w, (ptrdiff_t)cv->k, 1,
                    bias, packed);
  cv->gemm = (pnn_f32_gemm_plan){cfg, (size_t)s->out_c, cv->k,
                                 ((size_t)s->out_c + cfg->nr - 1) / cfg->nr,
                                 packed, s->act};
  cv->tile_m = pnn_f32_gemm_tile_rows(cfg, cv->m, CONV_TASKS);
  /* Deep k: fewer rows per tile so a tile of im2col rows stays in L2. */
  const size_t mr = (size_t)cfg->mr;
  size_t fit = cv->k ? TILE_BYTES / (cv->k * sizeof(float)) / mr * mr : 0;
  if (fit < mr) fit = mr;
  if (cv->tile_m > fit) cv->tile_m = fit;
  cv->tiles = (cv->m + cv->tile_m - 1) / cv->tile_m;
  cv->fused = cv->tiles >= CONV_TASKS || cv->gemm.panels == 1;
  cv->rowwise = !cv->direct && s->dil_w == 1 && s->out_w >= 4 &&
                (size_t)s->f_w * (size_t)s->in_c <= PNN_F32_CONV_ROWWISE_SPAN;
}

size_t pnn_f32_conv_scratch_bytes(const pnn_f32_conv *cv) {
  if (cv->direct) return 0;
  size_t rows = cv->m;
  if (cv->rowwise) { /* one output row of border im2col rows per slot */
    const size_t out_rows = (size_t)cv->s.batch * (size_t)cv->s.out_h;
    const size_t slots = out_rows < CONV_SLOTS ? out_rows : CONV_SLOTS;
    if ((size_t)cv->s.out_w > SIZE_MAX / CONV_SLOTS) return SIZE_MAX;
    rows = slots * (size_t)cv->s.out_w;
    if (cv->k && rows > SIZE_MAX / sizeof(float) / 4 / cv->k) return SIZE_MAX;
    return rows * cv->k * sizeof(float);
  }
  /* Fused: one tile buffer per slot (never more than the whole). */
  if (cv->fused && (size_t)CONV_SLOTS * cv->tile_m < rows)
    rows = (size_t)CONV_SLOTS * cv->tile_m;
  if (cv->k && rows > SIZE_MAX / sizeof(float) / 4 / cv->k) return SIZE_MAX;
  return rows * cv->k * sizeof(float);
}

/* n floats from s to d: short runs (a few channels, e.g. an RGB input's
 * window row) without a library call, longer ones by memcpy. */
static inline void copy_floats(float *d, const float *s, size_t n) {
  if (n >= 32) {
    memcpy(d, s, n * sizeof(float));
    return;
  }
  size_t i = 0;
  for (; i + 4 <= n; i += 4) memcpy(d + i, s + i, 4 * sizeof(float));
  for (; i < n; i++) d[i] = s[i];
}

/* im2col rows [r0, r1) of the output pixels into cols (row r0 first).
 * With dilation_w 1 a filter row is contiguous in the input, so an inside
 * window row is one copy of f_w * in_c floats. */
static void im2col(const pnn_f32_conv *cv, const float *in, float *cols,
                   size_t r0, size_t r1) {
  const pnn_f32_conv_shape *s = &cv->s;
  const size_t hw = (size_t)s->out_h * (size_t)s->out_w;
  const size_t tap = (size_t)s->in_c, k = cv->k;
  const size_t span = (size_t)s->f_w * tap;
  /* A run of pixels of one output row at a time (one division per run):
   * for each filter row, the same input row for every pixel of the run. */
  for (size_t r = r0; r < r1;) {
    const int32_t b = (int32_t)(r / hw);
    const int32_t oy = (int32_t)(r % hw / (size_t)s->out_w);
    const int32_t ox0 = (int32_t)(r % (size_t)s->out_w);
    size_t n = (size_t)(s->out_w - ox0);
    if (n > r1 - r) n = r1 - r;
    float *row_dst = cols + (r - r0) * k;
    for (int32_t ky = 0; ky < s->f_h; ky++) {
      float *dst = row_dst + (size_t)ky * span;
      const int32_t iy = oy * s->stride_h - s->pad_h + ky * s->dil_h;
      if (iy < 0 || iy >= s->in_h) {
        for (size_t p = 0; p < n; p++, dst += k)
          memset(dst, 0, span * sizeof(float));
        continue;
      }
      const float *src = in + ((size_t)b * s->in_h + iy) * s->in_w * tap;
      for (size_t p = 0; p < n; p++, dst += k) {
        const int32_t ix0 = (ox0 + (int32_t)p) * s->stride_w - s->pad_w;
        if (s->dil_w == 1 && ix0 >= 0 && ix0 + s->f_w <= s->in_w) {
          copy_floats(dst, src + (size_t)ix0 * tap, span);
          continue;
        }
        for (int32_t kx = 0; kx < s->f_w; kx++) {
          const int32_t ix = ix0 + kx * s->dil_w;
          float *d = dst + (size_t)kx * tap;
          if (ix < 0 || ix >= s->in_w) memset(d, 0, tap * sizeof(float));
          else copy_floats(d, src + (size_t)ix * tap, tap);
        }
      }
    }
    r += n;
  }
}

typedef struct {
  const pnn_f32_conv *cv;
  const float *in;
  float *out, *cols;
  int64_t slots;
} conv_job;

/* Slots [begin, end): slot s im2cols its contiguous run of tiles (tiles
 * * s / slots up to tiles * (s + 1) / slots) into its own buffer, each
 * right before that tile's GEMM over every column. Contiguous, so the
 * thread that runs a slot writes a contiguous band of output rows, as the
 * other ops split theirs (the thread pool keeps bands on one core). */
static void fused_slots(void *arg, int64_t begin, int64_t end) {
  const conv_job *j = arg;
  const pnn_f32_conv *cv = j->cv;
  const size_t slots = (size_t)j->slots;
  for (int64_t slot = begin; slot < end; slot++) {
    float *buf = j->cols + (size_t)slot * cv->tile_m * cv->k;
    const size_t t1 = cv->tiles * ((size_t)slot + 1) / slots;
    for (size_t t = cv->tiles * (size_t)slot / slots; t < t1; t++) {
      const size_t r0 = t * cv->tile_m;
      const size_t r1 = r0 + cv->tile_m < cv->m ? r0 + cv->tile_m : cv->m;
      im2col(cv, j->in, buf, r0, r1);
      pnn_f32_gemm_compute(&cv->gemm, r1 - r0, buf, cv->k,
                           j->out + r0 * (size_t)cv->s.out_c,
                           (size_t)cv->s.out_c, 0, cv->gemm.panels);
    }
  }
}

/* The clamp of a fused activation (post codes and TANH: none). */
static void clamp_range(int act, float *lo, float *hi) {
  *lo = -INFINITY;
  *hi = INFINITY;
  if (act == 1) *lo = 0.f;
  if (act == 2) *lo = -1.f, *hi = 1.f;
  if (act == 3) *lo = 0.f, *hi = 6.f;
}

/* Output row `row` (of batch * out_h) of a rowwise convolution; buf holds
 * out_w im2col rows for its border pixels. */
static void rowwise_row(const pnn_f32_conv *cv, const float *in, float *out,
                        float *buf, size_t row) {
  const pnn_f32_conv_shape *s = &cv->s;
  const pnn_f32_gemm_plan *plan = &cv->gemm;
  const pnn_f32_gemm_config *cfg = plan->cfg;
  const size_t mr = (size_t)cfg->mr, nr = (size_t)cfg->nr;
  const size_t out_w = (size_t)s->out_w, ldc = (size_t)s->out_c;
  const size_t r0 = row * out_w; /* its first pixel (GEMM row) */
  const int32_t b = (int32_t)(row / (size_t)s->out_h);
  const int32_t oy = (int32_t)(row % (size_t)s->out_h);
  const int32_t iy0 = oy * s->stride_h - s->pad_h;
  /* Interior: every filter row inside, and [x_lo, x_hi) every column. */
  size_t x_lo = out_w, x_hi = out_w;
  if (iy0 >= 0 && (int64_t)iy0 + (int64_t)(s->f_h - 1) * s->dil_h < s->in_h) {
    const int64_t last = (int64_t)s->in_w - s->f_w + s->pad_w; /* max ox*sw */
    if (last >= 0) {
      x_lo = (size_t)((s->pad_w + s->stride_w - 1) / s->stride_w);
      x_hi = (size_t)(last / s->stride_w + 1);
      if (x_hi > out_w) x_hi = out_w;
      if (x_lo >= x_hi) x_lo = x_hi = out_w;
    }
  }
  /* Border pixels [0, x_lo) and [x_hi, out_w): im2col + GEMM. */
  if (x_lo > 0) {
    im2col(cv, in, buf, r0, r0 + x_lo);
    pnn_f32_gemm_compute(plan, x_lo, buf, cv->k, out + r0 * ldc, ldc, 0,
                         plan->panels);
  }
  if (x_hi < out_w && x_hi > x_lo) {
    im2col(cv, in, buf, r0 + x_hi, r0 + out_w);
    pnn_f32_gemm_compute(plan, out_w - x_hi, buf, cv->k,
                         out + (r0 + x_hi) * ldc, ldc, 0, plan->panels);
  }
  if (x_hi <= x_lo) return;
  /* Interior: A rows are the input itself, one filter row at a time. */
  const size_t span = (size_t)s->f_w * (size_t)s->in_c;
  const size_t lda = (size_t)s->stride_w * (size_t)s->in_c;
  const size_t panel_floats = (cv->k + 1) * nr;
  float act_lo, act_hi;
  clamp_range(plan->act, &act_lo, &act_hi);
  float *o_row = out + (r0 + x_lo) * ldc;
  const size_t n_px = x_hi - x_lo;
  for (size_t p = 0; p < plan->panels; p++) {
    const float *panel = plan->packed + p * panel_floats;
    const size_t n0 = p * nr, cols = plan->n - n0 < nr ? plan->n - n0 : nr;
    for (size_t i = 0; i < n_px; i += mr) {
      const size_t rows = n_px - i < mr ? n_px - i : mr;
      const int64_t ix0 = (int64_t)(x_lo + i) * s->stride_w - s->pad_w;
      for (int32_t ky = 0; ky < s->f_h; ky++) {
        const bool last = ky == s->f_h - 1;
        const float *a =
            in + (((size_t)b * (size_t)s->in_h +
                   (size_t)(iy0 + ky * s->dil_h)) * (size_t)s->in_w +
                  (size_t)ix0) * (size_t)s->in_c;
        cfg->ukernel(rows, cols, span, a, lda,
                     panel + nr + (size_t)ky * span * nr,
                     o_row + i * ldc + n0, ldc, ky == 0, last ? panel : NULL,
                     last ? act_lo : -INFINITY, last ? act_hi : INFINITY);
      }
    }
  }
  const size_t n = n_px * ldc;
  if (plan->act == 4)
    for (size_t i = 0; i < n; i++) o_row[i] = tanhf(o_row[i]);
  const pnn_f32_vec_un_fn post =
      plan->act > 4 ? pnn_f32_vec_post(pnn_f32_vec_ops_for(cfg->isa), plan->act)
                    : NULL;
  if (post) post(o_row, o_row, n);
}

/* Slots [begin, end): slot s does output rows s, s + slots, ... with its
 * own border buffer. */
static void rowwise_slots(void *arg, int64_t begin, int64_t end) {
  const conv_job *j = arg;
  const pnn_f32_conv *cv = j->cv;
  const size_t out_rows = (size_t)cv->s.batch * (size_t)cv->s.out_h;
  for (int64_t slot = begin; slot < end; slot++) {
    float *buf = j->cols + (size_t)slot * (size_t)cv->s.out_w * cv->k;
    for (size_t r = (size_t)slot; r < out_rows; r += (size_t)j->slots)
      rowwise_row(cv, j->in, j->out, buf, r);
  }
}

static void im2col_tiles(void *arg, int64_t begin, int64_t end) {
  const conv_job *j = arg;
  const size_t tm = j->cv->tile_m, m = j->cv->m;
  const size_t r0 = (size_t)begin * tm;
  const size_t r1 = (size_t)end * tm < m ? (size_t)end * tm : m;
  im2col(j->cv, j->in, j->cols + r0 * j->cv->k, r0, r1);
}

void pnn_f32_conv_run(const pnn_f32_conv *cv, const float *in, float *out,
                      float *scratch, pnn_f32_parallel_fn parallel,
                      void *ctx) {
  if (!cv->m || !cv->gemm.n) return;
  const size_t ldc = (size_t)cv->s.out_c;
  pnn_f32_gemm_job gj;
  if (cv->direct) {
    pnn_f32_gemm_job_init(&gj, &cv->gemm, cv->m, in, cv->k, out, ldc,
                          CONV_TASKS);
    parallel(ctx, pnn_f32_gemm_job_tasks(&gj), pnn_f32_gemm_job_run, &gj);
    return;
  }
  if (cv->rowwise) {
    const int64_t out_rows = (int64_t)cv->s.batch * cv->s.out_h;
    conv_job j = {cv, in, out, scratch,
                  out_rows < CONV_SLOTS ? out_rows : CONV_SLOTS};
    parallel(ctx, j.slots, rowwise_slots, &j);
    return;
  }
  const int64_t tiles = (int64_t)cv->tiles;
  conv_job j = {cv, in, out, scratch, tiles < CONV_SLOTS ? tiles : CONV_SLOTS};
  if (cv->fused) {
    parallel(ctx, j.slots, fused_slots, &j);
    return;
  }
  parallel(ctx, tiles, im2col_tiles, &j);
  pnn_f32_gemm_job_init(&gj, &cv->gemm, cv->m, scratch, cv->k, out, ldc,
                        CONV_TASKS);
  parallel(ctx, pnn_f32_gemm_job_tasks(&gj), pnn_f32_gemm_job_run, &gj);
}
