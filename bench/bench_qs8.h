/* int8 GEMM part of the kernel benchmark (bench_qs8.c). */
#ifndef PNN_BENCH_QS8_H
#define PNN_BENCH_QS8_H

#include <stddef.h>

/* Measured int8 multiply-add peak per level (vpmaddwd + vpaddd on AVX2,
 * vpdpbusd on AVX-512 VNNI), in GOPS (2 ops per multiply-add). */
double pnn_bench_qs8_peak_avx2(long iters, int *sink);
double pnn_bench_qs8_peak_vnni(long iters, int *sink);

/* Prints the int8 peaks and each qs8 GEMM kernel's GOPS on n x n x n. */
void pnn_bench_qs8(size_t n);

/* Prints the int8 depthwise kernels' GOPS on Keras-like layers
 * (bench_qs8_dw.c). */
void pnn_bench_qs8_dw(void);

/* Prints int8 conv layers run as one-op models at every ISA level
 * (bench_qs8_ops.c). */
void pnn_bench_qs8_ops(void);

/* Prints the int8 elementwise kernels' ns per element at every level
 * (bench_qs8_vec.c). */
void pnn_bench_qs8_vec(void);

#endif
