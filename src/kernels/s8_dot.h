/* int8 dot products for the quantized conv / fully-connected kernels:
 * acc[i] += sum_k x[k] * w[i * w_stride + k] for i < n, exact in int32
 * (callers keep k * 128 * 128 below 2^31).
 *
 * One function per ISA level, the plain-C reference first; ops pick one at
 * prepare with pnn_s8_dots_pick() and the tests check every level the host
 * runs against the reference (bit-exact: integer sums). */
#ifndef PNN_KERNELS_S8_DOT_H
#define PNN_KERNELS_S8_DOT_H

#include <stddef.h>
#include <stdint.h>

#include "kernels/cpu.h"

typedef void (*pnn_s8_dots_fn)(const int8_t *x, const int8_t *w, size_t k,
                               size_t n, size_t w_stride, int32_t *acc);

void pnn_s8_dots_ref(const int8_t *x, const int8_t *w, size_t k, size_t n,
                     size_t w_stride, int32_t *acc);
#if defined(__x86_64__)
void pnn_s8_dots_avx2(const int8_t *x, const int8_t *w, size_t k, size_t n,
                      size_t w_stride, int32_t *acc);
#elif defined(__aarch64__) /* s8_dot_neon.c */
void pnn_s8_dots_neon(const int8_t *x, const int8_t *w, size_t k, size_t n,
                      size_t w_stride, int32_t *acc);
#endif

/* The kernel for `isa` (lower levels when this build or host lacks it). */
pnn_s8_dots_fn pnn_s8_dots_pick(pnn_isa isa);

/* A small int8 GEMM: acc[i * acc_stride + j] = sum_k x[i * x_stride + k] *
 * w[j * w_stride + k] for i < m, j < n (overwrites acc). Reuses each
 * weight load across up to four rows of x, so pointwise convolutions and
 * fully-connected batches stream their weights once per four pixels. */
typedef void (*pnn_s8_gemm_fn)(const int8_t *x, size_t x_stride, size_t m,
                               const int8_t *w, size_t w_stride, size_t n,
                               size_t k, int32_t *acc, size_t acc_stride);
void pnn_s8_gemm_ref(const int8_t *x, size_t x_stride, size_t m,
                     const int8_t *w, size_t w_stride, size_t n, size_t k,
                     int32_t *acc, size_t acc_stride);
#if defined(__x86_64__)
void pnn_s8_gemm_avx2(const int8_t *x, size_t x_stride, size_t m,
                      const int8_t *w, size_t w_stride, size_t n, size_t k,
                      int32_t *acc, size_t acc_stride);
#elif defined(__aarch64__)
void pnn_s8_gemm_neon(const int8_t *x, size_t x_stride, size_t m,
                      const int8_t *w, size_t w_stride, size_t n, size_t k,
                      int32_t *acc, size_t acc_stride);
#endif
pnn_s8_gemm_fn pnn_s8_gemm_pick(pnn_isa isa);

/* The int8 output stage: out[i] = clamp(zp + MultiplyByQuantizedMultiplier(
 * acc[i] + bias[i], mult[i], shift[i]), lo, hi) for i < n, TFLite's
 * double rounding (pnn_qm_mul_by_qm) bit for bit. bias may be NULL;
 * mult[i] >= 0 (as pnn_qm_quantize_multiplier makes them); [lo, hi] lies
 * within int8. */
typedef void (*pnn_s8_requant_fn)(const int32_t *acc, const int32_t *bias,
                                  const int32_t *mult, const int *shift,
                                  int32_t zp, int32_t lo, int32_t hi, size_t n,
                                  int8_t *out);
void pnn_s8_requant_ref(const int32_t *acc, const int32_t *bias,
                        const int32_t *mult, const int *shift, int32_t zp,
                        int32_t lo, int32_t hi, size_t n, int8_t *out);
#if defined(__x86_64__)
void pnn_s8_requant_avx2(const int32_t *acc, const int32_t *bias,
                         const int32_t *mult, const int *shift, int32_t zp,
                         int32_t lo, int32_t hi, size_t n, int8_t *out);
#elif defined(__aarch64__)
void pnn_s8_requant_neon(const int32_t *acc, const int32_t *bias,
                         const int32_t *mult, const int *shift, int32_t zp,
                         int32_t lo, int32_t hi, size_t n, int8_t *out);
#endif
pnn_s8_requant_fn pnn_s8_requant_pick(pnn_isa isa);

/* One depthwise tap over n channels: acc[i] += w[i] * (x[i] - zp), zp in
 * [-128, 127] (so every product fits int16). */
typedef void (*pnn_s8_dw_tap_fn)(const int8_t *x, const int8_t *w, int32_t zp,
                                 size_t n, int32_t *acc);
void pnn_s8_dw_tap_ref(const int8_t *x, const int8_t *w, int32_t zp, size_t n,
                       int32_t *acc);
#if defined(__x86_64__)
void pnn_s8_dw_tap_avx2(const int8_t *x, const int8_t *w, int32_t zp,
                        size_t n, int32_t *acc);
#elif defined(__aarch64__)
void pnn_s8_dw_tap_neon(const int8_t *x, const int8_t *w, int32_t zp,
                        size_t n, int32_t *acc);
#endif
pnn_s8_dw_tap_fn pnn_s8_dw_tap_pick(pnn_isa isa);

#endif
