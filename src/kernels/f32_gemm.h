/* f32 GEMM: C[m, n] = act(A[m, k] * B[k, n] + bias[n]).
 *
 * B (the weights) is packed once, at prepare, into panels of NR columns:
 * panel p holds NR bias values, then k rows of NR weights (zero-padded past
 * n), so a microkernel streams one panel linearly. A is read in place
 * (row stride lda), so a 1x1 convolution multiplies its NHWC input directly
 * and other convolutions their im2col rows.
 *
 * One microkernel per ISA: f32_gemm_4x8_scalar (plain C reference),
 * f32_gemm_6x16_avx2 (AVX2/FMA), f32_gemm_12x32_avx512, f32_gemm_8x8_neon
 * (aarch64). A config names
 * the one for an ISA level; pack with the same config you compute with. */
#ifndef PNN_KERNELS_F32_GEMM_H
#define PNN_KERNELS_F32_GEMM_H

#include <stddef.h>
#include <stdint.h>

#include "kernels/cpu.h"

/* Computes an mr x nr tile (mr <= MR, nr <= NR) of C over kc steps:
 *   acc[i][j] = (first ? 0 : c[i][j]) + sum_k a[i*lda + k] * w[k*NR + j]
 *   c[i][j]   = clamp(acc[i][j] + (bias ? bias[j] : 0), lo, hi)
 * k is summed in order and the bias added last, as TFLite's reference
 * kernels do, so the scalar kernel matches them bit for bit. */
typedef void (*pnn_f32_gemm_ukernel)(size_t mr, size_t nr, size_t kc,
                                     const float *a, size_t lda,
                                     const float *w, float *c, size_t ldc,
                                     int first, const float *bias, float lo,
                                     float hi);

typedef struct pnn_f32_gemm_config {
  pnn_isa isa;
  int mr, nr;
  pnn_f32_gemm_ukernel ukernel;
  const char *name; /* "f32_gemm_6x16_avx2" */
} pnn_f32_gemm_config;

/* The config for `isa` (never NULL: falls back to the best lower level
 * built in). */
const pnn_f32_gemm_config *pnn_f32_gemm_config_for(pnn_isa isa);

/* Floats needed for B of n columns by k rows packed for cfg; 0 if the
 * size overflows. Add PNN_F32_GEMM_ALIGN bytes when the memory is not
 * 64-byte aligned and align with pnn_f32_gemm_align(). */
#define PNN_F32_GEMM_ALIGN 64
size_t pnn_f32_gemm_packed_floats(const pnn_f32_gemm_config *cfg, size_t n,
                                  size_t k);
float *pnn_f32_gemm_align(void *p);
/* Packs B: element (k, n) is b[n * stride_n + k * stride_k]. bias: n
 * values or NULL (zeros). `packed` has pnn_f32_gemm_packed_floats floats. */
void pnn_f32_gemm_pack(const pnn_f32_gemm_config *cfg, size_t n, size_t k,
                       const float *b, ptrdiff_t stride_n, ptrdiff_t stride_k,
                       const float *bias, float *packed);

/* A packed GEMM ready to run: what prepare keeps. */
typedef struct pnn_f32_gemm_plan {
  const pnn_f32_gemm_config *cfg;
  size_t n, k, panels;
  const float *packed;
  int act; /* fused activation code (NONE, RELU, RELU_N1_TO_1, RELU6, TANH)
             or a PNN_F32_POST_* code (f32_vec.h), applied per block */
} pnn_f32_gemm_plan;

/* Rows [0, m) of C = act(A B + bias), for the column panels
 * [panel_begin, panel_end) (panel p = columns [p*NR, p*NR + NR) ∩ [0, n)).
 * Callers split rows and panels across threads. Allocates nothing. */
void pnn_f32_gemm_compute(const pnn_f32_gemm_plan *plan, size_t m,
                          const float *a, size_t lda, float *c, size_t ldc,
                          size_t panel_begin, size_t panel_end);

/* Microkernels (defined in f32_gemm_<isa>.c). */
void pnn_f32_gemm_4x8_scalar(size_t mr, size_t nr, size_t kc, const float *a,
                             size_t lda, const float *w, float *c, size_t ldc,
                             int first, const float *bias, float lo,
                             float hi);
#if defined(__x86_64__)
void pnn_f32_gemm_6x16_avx2(size_t mr, size_t nr, size_t kc, const float *a,
                            size_t lda, const float *w, float *c, size_t ldc,
                            int first, const float *bias, float lo,
                             float hi);
void pnn_f32_gemm_12x32_avx512(size_t mr, size_t nr, size_t kc,
                               const float *a, size_t lda, const float *w,
                               float *c, size_t ldc, int first,
                               const float *bias, float lo, float hi);
#endif
#if defined(__aarch64__)
void pnn_f32_gemm_8x8_neon(size_t mr, size_t nr, size_t kc, const float *a,
                           size_t lda, const float *w, float *c, size_t ldc,
                           int first, const float *bias, float lo, float hi);
#endif


/* ---- Splitting one GEMM over threads: tasks are (row tile, panel group)
 * pairs, row tiles outermost so neighbouring tasks share A; when the
 * weights are larger than A (n > m), panel groups outermost, so the
 * contiguous slice of tasks a thread runs covers only its share of the
 * packed weights (cols_outer). */
typedef struct pnn_f32_gemm_job {
  const pnn_f32_gemm_plan *plan;
  size_t m, lda, ldc;
  const float *a;
  float *c;
  size_t tile_m, group_panels, n_tiles, n_groups;
  int cols_outer;
} pnn_f32_gemm_job;

/* Fills job for C[m, n] = A B; aims at >= min_tasks tasks. */
void pnn_f32_gemm_job_init(pnn_f32_gemm_job *job,
                           const pnn_f32_gemm_plan *plan, size_t m,
                           const float *a, size_t lda, float *c, size_t ldc,
                           size_t min_tasks);
static inline int64_t pnn_f32_gemm_job_tasks(const pnn_f32_gemm_job *job) {
  return (int64_t)(job->n_tiles * job->n_groups);
}
/* A pnn_range_fn: runs tasks [begin, end) of the job (arg). */
void pnn_f32_gemm_job_run(void *arg, int64_t begin, int64_t end);
/* Row tile size for m rows so that there are about `tasks` tiles (a
 * multiple of the microkernel's MR, at most the driver's row block). */
size_t pnn_f32_gemm_tile_rows(const pnn_f32_gemm_config *cfg, size_t m,
                              size_t tasks);

#endif
