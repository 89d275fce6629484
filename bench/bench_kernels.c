/* Kernel benchmark: the measured single-core FMA peak of each ISA level the
 * host supports, then every f32 GEMM microkernel (through the blocked
 * driver, one thread) on a large square problem, in GFLOP/s and as a
 * fraction of the measured peak of its ISA. Also the depthwise kernels.
 *
 *   make bench-kernels            (or build/bench/bench_kernels [N])
 *
 * Each figure is the best of several repeats (the machine may be shared). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "peak.h"
#include "kernels/cpu.h"
#include "kernels/f32_gemm.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static float g_sink;

static double peak_gflops(pnn_isa isa) {
  double best = 0;
  for (int rep = 0; rep < 5; rep++) {
    const long iters = 20000000;
    double t = now_s(), flops = 0;
    float s = 0;
#if defined(__x86_64__)
    if (isa == PNN_ISA_AVX512) flops = pnn_bench_fma_avx512(iters, &s);
    else if (isa == PNN_ISA_AVX2) flops = pnn_bench_fma_avx2(iters, &s);
#endif
    if (isa == PNN_ISA_SCALAR) {
      /* Scalar: 8 independent chains of fmaf-free multiply-adds. */
      volatile float xv = 0.999999f, yv = 1e-7f;
      float x = xv, y = yv, acc[8];
      for (int i = 0; i < 8; i++) acc[i] = (float)i;
      for (long it = 0; it < iters / 4; it++)
        for (int i = 0; i < 8; i++) acc[i] = acc[i] * x + y;
      for (int i = 0; i < 8; i++) s += acc[i];
      flops = (double)(iters / 4) * 8 * 2;
    }
    t = now_s() - t;
    g_sink += s;
    double g = flops / t * 1e-9;
    if (g > best) best = g;
  }
  return best;
}

static void fill(float *p, size_t n, unsigned seed) {
  for (size_t i = 0; i < n; i++) {
    seed = seed * 1664525u + 1013904223u;
    p[i] = (float)((seed >> 8) & 0xffff) / 65536.f - 0.5f;
  }
}

static double gemm_gflops(const pnn_f32_gemm_config *cfg, size_t n) {
  float *a = malloc(n * n * sizeof(float)), *b = malloc(n * n * sizeof(float));
  float *c = malloc(n * n * sizeof(float));
  size_t pf = pnn_f32_gemm_packed_floats(cfg, n, n);
  void *raw = malloc(pf * sizeof(float) + PNN_F32_GEMM_ALIGN);
  if (!a || !b || !c || !raw) {
    free(a), free(b), free(c), free(raw);
    return 0;
  }
  fill(a, n * n, 1);
  fill(b, n * n, 2);
  float *packed = pnn_f32_gemm_align(raw);
  pnn_f32_gemm_pack(cfg, n, n, b, (ptrdiff_t)n, 1, NULL, packed);
  pnn_f32_gemm_plan plan = {cfg, n, n, (n + cfg->nr - 1) / cfg->nr, packed, 0};
  double best = 1e30;
  int reps = cfg->isa == PNN_ISA_SCALAR ? 2 : 5;
  for (int rep = 0; rep < reps; rep++) {
    double t = now_s();
    pnn_f32_gemm_compute(&plan, n, a, n, c, n, 0, plan.panels);
    t = now_s() - t;
    if (t < best) best = t;
  }
  g_sink += c[n * n / 2];
  free(a), free(b), free(c), free(raw);
  return 2.0 * n * n * n / best * 1e-9;
}

int main(int argc, char **argv) {
  size_t n = argc > 1 ? (size_t)atol(argv[1]) : 1024;
  if (n < 16 || n > 8192) n = 1024;
  pnn_isa top = pnn_isa_supported();
  printf("host ISA: %s (PNN_ISA levels up to it are measured)\n",
         pnn_isa_name(top));
  printf("\n%-8s %14s\n", "ISA", "peak GFLOP/s");
  double peak[PNN_ISA_COUNT] = {0};
  for (int i = 0; i <= (int)top; i++) {
    peak[i] = peak_gflops((pnn_isa)i);
    printf("%-8s %14.1f   (measured FMA peak, 1 core)\n",
           pnn_isa_name((pnn_isa)i), peak[i]);
  }
  printf("\nf32 GEMM %zux%zux%zu, 1 thread (best of repeats)\n", n, n, n);
  printf("%-24s %10s %10s\n", "kernel", "GFLOP/s", "of peak");
  for (int i = 0; i <= (int)top; i++) {
    const pnn_f32_gemm_config *cfg = pnn_f32_gemm_config_for((pnn_isa)i);
    if ((int)cfg->isa != i) continue;
    double g = gemm_gflops(cfg, cfg->isa == PNN_ISA_SCALAR && n > 512 ? 512 : n);
    printf("%-24s %10.1f %9.1f%%\n", cfg->name, g, 100.0 * g / peak[i]);
  }
  return g_sink == 12345.f;
}
