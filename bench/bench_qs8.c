/* int8 GEMM benchmark: the measured int8 peak of each level and the packed
 * qs8 GEMM (pnn_qs8_gemm_run, one thread, output stage included) on a
 * large square problem, GOPS = 2 * n^3 / time and its fraction of the
 * peak of the instruction the kernel is built on. Best of repeats. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench_qs8.h"
#include "kernels/cpu.h"
#include "kernels/qs8_gemm.h"
#include "ops/quant_math.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int g_sink;

static double peak(pnn_isa isa) {
  double best = 0;
  /* short repeats (a few ms each) so that one of them runs unpreempted
   * on a shared machine */
  for (int rep = 0; rep < 15; rep++) {
    const long iters = 500000;
    int s = 0;
    double t = now_s(), ops = 0;
#if defined(__x86_64__)
    if (isa == PNN_ISA_AVX512) ops = pnn_bench_qs8_peak_vnni(iters, &s);
    else if (isa == PNN_ISA_AVX2) ops = pnn_bench_qs8_peak_avx2(iters, &s);
#endif
    t = now_s() - t;
    g_sink += s;
    if (ops / t * 1e-9 > best) best = ops / t * 1e-9;
  }
  return best;
}

static double gemm_gops(pnn_isa isa, size_t n, const char **name) {
  int8_t *x = malloc(n * n), *w = malloc(n * n), *out = malloc(n * n);
  int32_t *mult = malloc(sizeof(int32_t) * n);
  int *shift = malloc(sizeof(int) * n);
  void *mem = malloc(pnn_qs8_gemm_bytes(n, n));
  double best = 1e30;
  if (x && w && out && mult && shift && mem) {
    unsigned s = 7;
    for (size_t i = 0; i < n * n; i++) {
      s = s * 1664525u + 1013904223u;
      x[i] = (int8_t)(s >> 24);
      w[i] = (int8_t)(s >> 16);
    }
    for (size_t j = 0; j < n; j++)
      pnn_qm_quantize_multiplier(1e-4 * (double)(j % 7 + 1), &mult[j],
                                 &shift[j]);
    pnn_qs8_gemm g;
    pnn_qs8_gemm_init(&g, isa, w, n, n, n, NULL, 3, mult, shift, -5, -128,
                      127, mem);
    *name = g.name;
    for (int rep = 0; rep < (isa == PNN_ISA_SCALAR ? 1 : 5); rep++) {
      double t = now_s();
      pnn_qs8_gemm_run(&g, x, n, n, out, n);
      t = now_s() - t;
      if (t < best) best = t;
    }
    g_sink += out[n * n / 2];
  }
  free(x), free(w), free(out), free(mult), free(shift), free(mem);
  return 2.0 * n * n * n / best * 1e-9;
}

void pnn_bench_qs8(size_t n) {
  const pnn_isa top = pnn_isa_supported();
  const bool vnni = pnn_cpu_features_get()->avx512vnni;
  printf("\nint8 GEMM %zux%zux%zu (scalar: 256^3), 1 thread, requantized "
         "int8 output (best of repeats)\n", n, n, n);
  printf("%-26s %10s %12s %10s\n", "kernel", "GOPS", "peak GOPS", "of peak");
  for (int i = 0; i <= (int)top; i++) {
    if (i == PNN_ISA_AVX512 && !vnni) continue;
    const char *name = "?";
    double p = 0, gops = 0;
    for (int rep = 0; rep < 2; rep++) { /* pair figures under similar load */
      double pk = i > 0 ? peak((pnn_isa)i) : 0;
      double gg = gemm_gops((pnn_isa)i, i == 0 ? 256 : n, &name);
      if (pk > p) p = pk;
      if (gg > gops) gops = gg;
      if (i == 0) break;
    }
    if (p > 0)
      printf("%-26s %10.1f %12.1f %9.1f%%\n", name, gops, p, 100 * gops / p);
    else
      printf("%-26s %10.1f %12s %10s\n", name, gops, "-", "-");
  }
  if (g_sink == 12345) printf(" \n");
}
