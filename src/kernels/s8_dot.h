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
#endif

/* The kernel for `isa` (lower levels when this build or host lacks it). */
pnn_s8_dots_fn pnn_s8_dots_pick(pnn_isa isa);

#endif
