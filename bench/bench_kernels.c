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
#include "bench_qs8.h"
#include "kernels/cpu.h"
#include "kernels/f32_dwconv.h"
#include "kernels/f32_gemm.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static float g_sink;

static double peak_gflops(pnn_isa isa) {
  double best = 0;
  for (int rep = 0; rep < 3; rep++) {
    const long iters = 20000000;
    double t = now_s(), flops = 0;
    float s = 0;
#if defined(__x86_64__)
    if (isa == PNN_ISA_AVX512) flops = pnn_bench_fma_avx512(iters, &s);
    else if (isa == PNN_ISA_AVX2) flops = pnn_bench_fma_avx2(iters, &s);
#endif
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

/* Depthwise 3x3 (MobileNet-like layers), GFLOP/s counting 2 per tap. */
static void bench_dwconv(pnn_isa top) {
  static const struct { int hw, c, stride; } layers[] = {
      {112, 96, 1}, {112, 96, 2}, {28, 192, 1}, {14, 576, 2}};
  printf("\nf32 depthwise 3x3 SAME, 1 thread (best of repeats)\n");
  printf("%-28s", "layer");
  for (int i = 0; i <= (int)top; i++) printf(" %10s", pnn_isa_name((pnn_isa)i));
  printf("   GFLOP/s\n");
  for (size_t l = 0; l < sizeof layers / sizeof layers[0]; l++) {
    const int hw = layers[l].hw, c = layers[l].c, st = layers[l].stride;
    const int out = (hw + st - 1) / st, pad = ((out - 1) * st + 3 - hw) / 2;
    pnn_f32_dwconv s = {.batch = 1, .in_h = hw, .in_w = hw, .c = c,
                        .out_h = out, .out_w = out, .f_h = 3, .f_w = 3,
                        .stride_h = st, .stride_w = st, .dil_h = 1,
                        .dil_w = 1, .pad_h = pad, .pad_w = pad, .act = 3};
    float *in = malloc(sizeof(float) * hw * hw * c);
    float *o = malloc(sizeof(float) * out * out * c);
    float *w = malloc(sizeof(float) * 9 * c), *b = malloc(sizeof(float) * c);
    void *mem = malloc(pnn_f32_dwconv_bytes(&s));
    fill(in, (size_t)hw * hw * c, 3);
    fill(w, (size_t)9 * c, 4);
    fill(b, (size_t)c, 5);
    char name[64];
    snprintf(name, sizeof name, "%dx%dx%d s%d", hw, hw, c, st);
    printf("%-28s", name);
    for (int i = 0; i <= (int)top; i++) {
      pnn_f32_dwconv d = s;
      pnn_f32_dwconv_init(&d, (pnn_isa)i, w, b, mem);
      double best = 1e30;
      for (int rep = 0; rep < 20; rep++) {
        double t = now_s();
        pnn_f32_dwconv_run(&d, in, o, 0, out);
        t = now_s() - t;
        if (t < best) best = t;
      }
      g_sink += o[0];
      printf(" %10.1f", 2.0 * 9 * out * out * c / best * 1e-9);
    }
    printf("\n");
    free(in), free(o), free(w), free(b), free(mem);
  }
}

int main(int argc, char **argv) {
  size_t n = argc > 1 ? (size_t)atol(argv[1]) : 1024;
  if (n < 16 || n > 8192) n = 1024;
  pnn_isa top = pnn_isa_supported();
  printf("host ISA: %s (PNN_ISA levels up to it are measured)\n",
         pnn_isa_name(top));
  printf("\n%-8s %14s\n", "ISA", "peak GFLOP/s");
  /* Peak and GEMM are measured in turn, three times, keeping the best of
   * each: on a shared machine this pairs figures taken under similar load
   * and turbo state. */
  double peak[PNN_ISA_COUNT] = {0}, gemm[PNN_ISA_COUNT] = {0};
  for (int rep = 0; rep < 3; rep++)
    for (int i = 0; i <= (int)top; i++) {
      const pnn_f32_gemm_config *cfg = pnn_f32_gemm_config_for((pnn_isa)i);
      if (i > 0) {
        double p = peak_gflops((pnn_isa)i);
        if (p > peak[i]) peak[i] = p;
      }
      if ((int)cfg->isa != i || (i == 0 && rep > 0)) continue;
      double g = gemm_gflops(cfg, i == 0 && n > 512 ? 512 : n);
      if (g > gemm[i]) gemm[i] = g;
    }
  for (int i = 1; i <= (int)top; i++)
    printf("%-8s %14.1f   (measured FMA peak, 1 core)\n",
           pnn_isa_name((pnn_isa)i), peak[i]);
  printf("%-8s %14s   (plain C; the compiler may use SSE2)\n", "scalar", "-");
  printf("\nf32 GEMM %zux%zux%zu (scalar: 512^3), 1 thread (best of repeats)\n",
         n, n, n);
  printf("%-24s %10s %10s\n", "kernel", "GFLOP/s", "of peak");
  for (int i = 0; i <= (int)top; i++) {
    const pnn_f32_gemm_config *cfg = pnn_f32_gemm_config_for((pnn_isa)i);
    if ((int)cfg->isa != i) continue;
    if (peak[i] > 0)
      printf("%-24s %10.1f %9.1f%%\n", cfg->name, gemm[i],
             100.0 * gemm[i] / peak[i]);
    else
      printf("%-24s %10.1f %10s\n", cfg->name, gemm[i], "-");
  }
  bench_dwconv(top);
  pnn_bench_qs8(n);
  pnn_bench_qs8_dw();
  pnn_bench_qs8_ops();
  pnn_bench_qs8_vec();
  return g_sink == 12345.f;
}
