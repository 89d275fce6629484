/* f32 GEMM driver: weight packing, cache blocking, the config table. */
#include "kernels/f32_gemm.h"
#include "kernels/f32_vec.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

/* K is cut into KC steps so a panel's slice (KC x NR floats, 32 KB for the
 * 32-wide AVX-512 panel) stays in L1 while a block of MC rows of A
 * (MC x KC, 128 KB) stays in L2 across all panels. */
enum { GEMM_KC = 256, GEMM_MC = 120 };
/* A GEMM job of fewer multiply-adds (m * n * k) runs as one task: a few
 * microseconds of work, about what handing half of it to another thread
 * costs (`make bench-pool`). */
#define GEMM_PARALLEL_MIN 65536.0

static const pnn_f32_gemm_config g_configs[PNN_ISA_COUNT] = {
    {PNN_ISA_SCALAR, 4, 8, pnn_f32_gemm_4x8_scalar, "f32_gemm_4x8_scalar"},
#if defined(__x86_64__)
    {PNN_ISA_AVX2, 6, 16, pnn_f32_gemm_6x16_avx2, "f32_gemm_6x16_avx2"},
    {PNN_ISA_AVX512, 12, 32, pnn_f32_gemm_12x32_avx512,
     "f32_gemm_12x32_avx512"},
#elif defined(__aarch64__)
    {PNN_ISA_NEON, 8, 8, pnn_f32_gemm_8x8_neon, "f32_gemm_8x8_neon"},
#endif
};

const pnn_f32_gemm_config *pnn_f32_gemm_config_for(pnn_isa isa) {
  int i = (int)isa;
  if (i < 0) i = 0;
  if (i >= PNN_ISA_COUNT) i = PNN_ISA_COUNT - 1;
  while (i > 0 && !g_configs[i].ukernel) i--;
  return &g_configs[i];
}

size_t pnn_f32_gemm_packed_floats(const pnn_f32_gemm_config *cfg, size_t n,
                                  size_t k) {
  const size_t nr = (size_t)cfg->nr;
  const size_t panels = (n + nr - 1) / nr;
  if (k > (SIZE_MAX / 8) / nr - 1) return 0;
  const size_t per_panel = (k + 1) * nr;
  if (panels && per_panel > (SIZE_MAX / 8) / panels) return 0;
  return panels * per_panel;
}

float *pnn_f32_gemm_align(void *p) {
  uintptr_t u = (uintptr_t)p;
  u = (u + PNN_F32_GEMM_ALIGN - 1) & ~(uintptr_t)(PNN_F32_GEMM_ALIGN - 1);
  return (float *)u;
}

void pnn_f32_gemm_pack(const pnn_f32_gemm_config *cfg, size_t n, size_t k,
                       const float *b, ptrdiff_t stride_n, ptrdiff_t stride_k,
                       const float *bias, float *packed) {
  const size_t nr = (size_t)cfg->nr;
  const size_t panels = (n + nr - 1) / nr;
  float *p = packed;
  for (size_t pi = 0; pi < panels; pi++) {
    const size_t n0 = pi * nr, cols = n - n0 < nr ? n - n0 : nr;
    for (size_t j = 0; j < nr; j++) p[j] = bias && j < cols ? bias[n0 + j] : 0.f;
    p += nr;
    for (size_t kk = 0; kk < k; kk++) {
      for (size_t j = 0; j < cols; j++)
        p[j] = b[(ptrdiff_t)(n0 + j) * stride_n + (ptrdiff_t)kk * stride_k];
      for (size_t j = cols; j < nr; j++) p[j] = 0.f;
      p += nr;
    }
  }
}

static void act_range(int act, float *lo, float *hi) {
  *lo = -INFINITY;
  *hi = INFINITY;
  switch (act) {
    case 1: *lo = 0.f; break;
    case 2: *lo = -1.f; *hi = 1.f; break;
    case 3: *lo = 0.f; *hi = 6.f; break;
    default: break;
  }
}

void pnn_f32_gemm_compute(const pnn_f32_gemm_plan *plan, size_t m,
                          const float *a, size_t lda, float *c, size_t ldc,
                          size_t panel_begin, size_t panel_end) {
  const pnn_f32_gemm_config *cfg = plan->cfg;
  const size_t mr = (size_t)cfg->mr, nr = (size_t)cfg->nr, k = plan->k;
  const size_t panel_floats = (k + 1) * nr;
  if (panel_end > plan->panels) panel_end = plan->panels;
  float act_lo, act_hi;
  act_range(plan->act, &act_lo, &act_hi);
  /* One row tile (e.g. a fully connected layer or a 1x1 convolution on
   * one pixel): no panel slice is reused, so K is not cut and each panel
   * streams through once, contiguously (same sums: a cut only stores and
   * reloads the partial sums). */
  const size_t kc_max = m <= mr ? (k ? k : 1) : GEMM_KC;
  for (size_t m0 = 0; m0 < m; m0 += GEMM_MC) {
    const size_t mb = m - m0 < GEMM_MC ? m - m0 : GEMM_MC;
    /* k == 0 still needs one pass to write bias + activation. */
    size_t k0 = 0;
    do {
      const size_t kc = k - k0 < kc_max ? k - k0 : kc_max;
      const bool first = k0 == 0, last = k0 + kc >= k;
      const float lo = last ? act_lo : -INFINITY;
      const float hi = last ? act_hi : INFINITY;
      for (size_t p = panel_begin; p < panel_end; p++) {
        const float *panel = plan->packed + p * panel_floats;
        const size_t n0 = p * nr;
        const size_t cols = plan->n - n0 < nr ? plan->n - n0 : nr;
        for (size_t i = 0; i < mb; i += mr) {
          const size_t rows = mb - i < mr ? mb - i : mr;
          cfg->ukernel(rows, cols, kc, a + (m0 + i) * lda + k0, lda,
                       panel + nr + k0 * nr, c + (m0 + i) * ldc + n0, ldc,
                       first, last ? panel : NULL, lo, hi);
        }
      }
      k0 += kc;
    } while (k0 < k);
    if (plan->act == 4) { /* TANH is not a clamp: a pass over the block */
      const size_t c0 = panel_begin * nr;
      size_t c1 = panel_end * nr;
      if (c1 > plan->n) c1 = plan->n;
      for (size_t i = 0; i < mb; i++)
        for (size_t j = c0; j < c1; j++) {
          float *v = c + (m0 + i) * ldc + j;
          *v = tanhf(*v);
        }
    }
    const pnn_f32_vec_un_fn post =
        plan->act > 4 ? pnn_f32_vec_post(pnn_f32_vec_ops_for(cfg->isa), plan->act)
                      : NULL;
    if (post) { /* a fused activation op, while the block is in cache */
      const size_t c0 = panel_begin * nr;
      size_t c1 = panel_end * nr;
      if (c1 > plan->n) c1 = plan->n;
      for (size_t i = 0; c1 > c0 && i < mb; i++) {
        float *v = c + (m0 + i) * ldc + c0;
        post(v, v, c1 - c0);
      }
    }
  }
}

size_t pnn_f32_gemm_tile_rows(const pnn_f32_gemm_config *cfg, size_t m,
                              size_t tasks) {
  const size_t mr = (size_t)cfg->mr;
  if (tasks < 1) tasks = 1;
  size_t t = (m + tasks - 1) / tasks;
  t = (t + mr - 1) / mr * mr;
  if (t > GEMM_MC) t = GEMM_MC / mr * mr;
  return t ? t : mr;
}

void pnn_f32_gemm_job_init(pnn_f32_gemm_job *job,
                           const pnn_f32_gemm_plan *plan, size_t m,
                           const float *a, size_t lda, float *c, size_t ldc,
                           size_t min_tasks) {
  job->plan = plan;
  job->m = m;
  job->a = a;
  job->lda = lda;
  job->c = c;
  job->ldc = ldc;
  job->cols_outer = 0;
  if ((double)m * (double)plan->n * (double)plan->k < GEMM_PARALLEL_MIN) {
    /* too small to pay for handing tasks to other threads: one task */
    job->tile_m = m ? m : 1;
    job->n_tiles = m ? 1 : 0;
    job->group_panels = plan->panels ? plan->panels : 1;
    job->n_groups = 1;
    return;
  }
  if (plan->n > m && plan->panels >= 2) {
    /* Weights (k x n) larger than A (m x k): each thread reading a share
     * of the weights and all of A moves less than each reading a share of
     * A and all of the weights. One panel per task, panels outermost. */
    job->cols_outer = 1;
    /* few panels: row tiles too, for enough tasks to balance threads */
    const size_t tiles = plan->panels >= min_tasks
                             ? 1
                             : (min_tasks + plan->panels - 1) / plan->panels;
    job->tile_m = pnn_f32_gemm_tile_rows(plan->cfg, m, tiles);
    job->n_tiles = m ? (m + job->tile_m - 1) / job->tile_m : 0;
    job->group_panels = 1;
    job->n_groups = plan->panels;
    return;
  }
  job->tile_m = pnn_f32_gemm_tile_rows(plan->cfg, m, min_tasks);
  job->n_tiles = m ? (m + job->tile_m - 1) / job->tile_m : 0;
  /* Few row tiles (small m, e.g. a fully connected layer on one row):
   * split the columns too. */
  size_t groups = 1;
  if (job->n_tiles < min_tasks && plan->panels > 1) {
    groups = (min_tasks + job->n_tiles - 1) / (job->n_tiles ? job->n_tiles : 1);
    if (groups > plan->panels) groups = plan->panels;
  }
  job->group_panels = (plan->panels + groups - 1) / groups;
  if (!job->group_panels) job->group_panels = 1;
  job->n_groups = (plan->panels + job->group_panels - 1) / job->group_panels;
}

void pnn_f32_gemm_job_run(void *arg, int64_t begin, int64_t end) {
  const pnn_f32_gemm_job *j = arg;
  for (int64_t t = begin; t < end; t++) {
    const size_t tile = j->cols_outer ? (size_t)t % j->n_tiles
                                      : (size_t)t / j->n_groups;
    const size_t grp = j->cols_outer ? (size_t)t / j->n_tiles
                                     : (size_t)t % j->n_groups;
    const size_t r0 = tile * j->tile_m;
    const size_t rows = j->m - r0 < j->tile_m ? j->m - r0 : j->tile_m;
    pnn_f32_gemm_compute(j->plan, rows, j->a + r0 * j->lda, j->lda,
                         j->c + r0 * j->ldc, j->ldc, grp * j->group_panels,
                         (grp + 1) * j->group_panels);
  }
}
