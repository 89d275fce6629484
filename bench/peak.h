/* Peak FMA loops of the kernel benchmark (one file per ISA). */
#ifndef PNN_BENCH_PEAK_H
#define PNN_BENCH_PEAK_H

double pnn_bench_fma_avx2(long iters, float *sink);
double pnn_bench_fma_avx512(long iters, float *sink);

#endif
