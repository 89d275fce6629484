/* Reference-order f32 kernels: the SIMD GEMM microkernels and depthwise
 * rows again, with every product and every sum rounded separately (a
 * multiply, then an add; no FMA), so that they are bit-identical to the
 * plain-C reference loops and to TFLite's reference kernels
 * (reference_ops::Conv / DepthwiseConv / FullyConnected: total = 0;
 * total += in * w over (filter_y, filter_x, in_channel) in order; then
 * total + bias; then the activation clamp, NaN passing through).
 *
 * Why: in dynamic-range (hybrid) models the float output of a float conv
 * is quantized again, on the fly, by the next hybrid op; the one-ulp
 * difference of an FMA can move a value across a rounding boundary of
 * that quantization and change whole quantization steps downstream. The
 * ops choose these kernels at prepare (pnn_node_float_reference_order);
 * plain float models keep the FMA kernels.
 *
 * The GEMM configs have the same mr / nr as pnn_f32_gemm_config_for() of
 * the same ISA, so weights packed (pnn_f32_gemm_pack, pnn_f32_conv_init)
 * for one run unchanged with the other: swap plan.cfg. The depthwise rows
 * read the same packed pnn_f32_dwconv: swap d->rows.
 *
 * The files f32_refacc_<isa>.c are compiled with -ffp-contract=off (see
 * the Makefile) and contain no vfmadd / fmla instructions. */
#ifndef PNN_KERNELS_F32_REFACC_H
#define PNN_KERNELS_F32_REFACC_H

#include "kernels/cpu.h"
#include "kernels/f32_dwconv.h"
#include "kernels/f32_gemm.h"

/* The reference-order GEMM config for isa (never NULL; the scalar config
 * itself for PNN_ISA_SCALAR, whose kernel already sums this way). Same
 * mr, nr and fallback rule as pnn_f32_gemm_config_for(isa). */
const pnn_f32_gemm_config *pnn_f32_gemm_refacc_config_for(pnn_isa isa);

/* The reference-order depthwise rows for d->isa (the scalar rows for
 * PNN_ISA_SCALAR). */
pnn_f32_dwconv_rows_fn pnn_f32_dwconv_refacc_rows_for(pnn_isa isa);

/* Switches a prepared depthwise kernel / GEMM plan to reference order. */
void pnn_f32_dwconv_use_refacc(pnn_f32_dwconv *d);
void pnn_f32_gemm_plan_use_refacc(pnn_f32_gemm_plan *plan);

#if defined(__x86_64__)
void pnn_f32_gemm_6x16_refacc_avx2(size_t mr, size_t nr, size_t kc,
                                   const float *a, size_t lda, const float *w,
                                   float *c, size_t ldc, int first,
                                   const float *bias, float lo, float hi);
void pnn_f32_gemm_12x32_refacc_avx512(size_t mr, size_t nr, size_t kc,
                                      const float *a, size_t lda,
                                      const float *w, float *c, size_t ldc,
                                      int first, const float *bias, float lo,
                                      float hi);
void pnn_f32_dwconv_rows_refacc_avx2(const pnn_f32_dwconv *d, const float *in,
                                     float *out, int64_t begin, int64_t end);
void pnn_f32_dwconv_rows_refacc_avx512(const pnn_f32_dwconv *d,
                                       const float *in, float *out,
                                       int64_t begin, int64_t end);
#elif defined(__aarch64__)
void pnn_f32_gemm_8x8_refacc_neon(size_t mr, size_t nr, size_t kc,
                                  const float *a, size_t lda, const float *w,
                                  float *c, size_t ldc, int first,
                                  const float *bias, float lo, float hi);
void pnn_f32_dwconv_rows_refacc_neon(const pnn_f32_dwconv *d, const float *in,
                                     float *out, int64_t begin, int64_t end);
#endif

#endif
