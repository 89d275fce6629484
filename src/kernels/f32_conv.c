/* f32 CONV_2D on the packed GEMM (see f32_conv.h). */
#include "kernels/f32_conv.h"

#include <string.h>

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
}

size_t pnn_f32_conv_scratch_bytes(const pnn_f32_conv *cv) {
  if (cv->direct) return 0;
  /* Fused: one tile buffer per slot (never more than the whole). */
  size_t rows = cv->m;
  if (cv->fused && (size_t)CONV_SLOTS * cv->tile_m < rows)
    rows = (size_t)CONV_SLOTS * cv->tile_m;
  if (cv->k && rows > SIZE_MAX / sizeof(float) / 4 / cv->k) return SIZE_MAX;
  return rows * cv->k * sizeof(float);
}

/* im2col rows [r0, r1) of the output pixels into cols (row r0 first).
 * With dilation_w 1 a filter row is contiguous in the input, so an inside
 * window row is one copy of f_w * in_c floats. */
static void im2col(const pnn_f32_conv *cv, const float *in, float *cols,
                   size_t r0, size_t r1) {
  const pnn_f32_conv_shape *s = &cv->s;
  const size_t hw = (size_t)s->out_h * (size_t)s->out_w;
  const size_t tap = (size_t)s->in_c;
  const size_t span = (size_t)s->f_w * tap;
  for (size_t r = r0; r < r1; r++) {
    const int32_t b = (int32_t)(r / hw);
    const int32_t oy = (int32_t)(r % hw / (size_t)s->out_w);
    const int32_t ox = (int32_t)(r % (size_t)s->out_w);
    const int32_t ix0 = ox * s->stride_w - s->pad_w;
    const bool x_inside = s->dil_w == 1 && ix0 >= 0 && ix0 + s->f_w <= s->in_w;
    float *dst = cols + (r - r0) * cv->k;
    for (int32_t ky = 0; ky < s->f_h; ky++, dst += span) {
      const int32_t iy = oy * s->stride_h - s->pad_h + ky * s->dil_h;
      if (iy < 0 || iy >= s->in_h) {
        memset(dst, 0, span * sizeof(float));
        continue;
      }
      const float *src = in + ((size_t)b * s->in_h + iy) * s->in_w * tap;
      if (x_inside) {
        memcpy(dst, src + (size_t)ix0 * tap, span * sizeof(float));
        continue;
      }
      for (int32_t kx = 0; kx < s->f_w; kx++) {
        const int32_t ix = ix0 + kx * s->dil_w;
        float *d = dst + (size_t)kx * tap;
        if (ix < 0 || ix >= s->in_w) memset(d, 0, tap * sizeof(float));
        else memcpy(d, src + (size_t)ix * tap, tap * sizeof(float));
      }
    }
  }
}

typedef struct {
  const pnn_f32_conv *cv;
  const float *in;
  float *out, *cols;
  int64_t slots;
} conv_job;

/* Slots [begin, end): slot s im2cols tiles s, s + slots, ... into its own
 * buffer, each right before that tile's GEMM over every column. */
static void fused_slots(void *arg, int64_t begin, int64_t end) {
  const conv_job *j = arg;
  const pnn_f32_conv *cv = j->cv;
  for (int64_t slot = begin; slot < end; slot++) {
    float *buf = j->cols + (size_t)slot * cv->tile_m * cv->k;
    for (size_t t = (size_t)slot; t < cv->tiles; t += (size_t)j->slots) {
      const size_t r0 = t * cv->tile_m;
      const size_t r1 = r0 + cv->tile_m < cv->m ? r0 + cv->tile_m : cv->m;
      im2col(cv, j->in, buf, r0, r1);
      pnn_f32_gemm_compute(&cv->gemm, r1 - r0, buf, cv->k,
                           j->out + r0 * (size_t)cv->s.out_c,
                           (size_t)cv->s.out_c, 0, cv->gemm.panels);
    }
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
