/* Packed int8 GEMM (src/kernels/qs8_gemm*) against a plain loop with
 * TFLite's arithmetic (int64 sums, pnn_qm_mul_by_qm per element), on every
 * ISA level the host supports (forced through pnn_isa_force): random
 * shapes with k = 1, primes, partial row and column tiles, k past the
 * driver's stack block, zero points at the int8 extremes, per-channel
 * multipliers from tiny to >= 1, with and without bias. Bit-exact. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "kernels/cpu.h"
#include "kernels/qs8_gemm.h"
#include "ops/quant_math.h"
#include "test_rand.h"

static unsigned g_seed = 4242;

typedef struct {
  int m, n, k, in_zp, out_zp, lo, hi;
  bool bias, wide_w; /* wide_w: weights from the whole int8 range */
  int mult_kind;     /* 0 mixed, 1 tiny, 2 >= 1 */
} qcase;

/* Returns the number of mismatches (prints the first). */
static int run_case(pnn_isa isa, const qcase *t) {
  const int m = t->m, n = t->n, k = t->k, ws = k + rnd_int(0, 3), xs = k + rnd_int(0, 5);
  const int os = n + rnd_int(0, 4);
  int8_t *x = malloc((size_t)m * xs), *w = malloc((size_t)n * ws);
  int8_t *out = malloc((size_t)m * os + 1), *want = malloc((size_t)m * os + 1);
  int32_t *bias = malloc(sizeof(int32_t) * n), *mult = malloc(sizeof(int32_t) * n);
  int *shift = malloc(sizeof(int) * n);
  for (int i = 0; i < m * xs; i++) x[i] = (int8_t)rnd_int(-128, 127);
  for (int i = 0; i < n * ws; i++)
    w[i] = (int8_t)(t->wide_w ? rnd_int(-128, 127) : rnd_int(-127, 127));
  for (int j = 0; j < n; j++) {
    bias[j] = rnd_int(-200000, 200000);
    int kind = t->mult_kind ? t->mult_kind : rnd_int(0, 2);
    double real = kind == 1   ? rnd_int(1, 1000) * 1e-9
                  : kind == 2 ? 1.0 + rnd_int(0, 3000) / 1000.0
                              : rnd_int(1, 100000) * 1e-7;
    pnn_qm_quantize_multiplier(real, &mult[j], &shift[j]);
  }
  memset(out, 0x5a, (size_t)m * os + 1);
  memcpy(want, out, (size_t)m * os + 1);
  for (int i = 0; i < m; i++)
    for (int j = 0; j < n; j++) {
      int64_t s = t->bias ? bias[j] : 0;
      for (int q = 0; q < k; q++)
        s += (int64_t)w[(size_t)j * ws + q] * (x[(size_t)i * xs + q] - t->in_zp);
      int32_t v = pnn_qm_mul_by_qm((int32_t)s, mult[j], shift[j]) + t->out_zp;
      want[(size_t)i * os + j] = (int8_t)pnn_qm_clamp(v, t->lo, t->hi);
    }
  void *mem = malloc(pnn_qs8_gemm_bytes((size_t)n, (size_t)k));
  pnn_qs8_gemm g;
  pnn_qs8_gemm_init(&g, isa, w, (size_t)ws, (size_t)n, (size_t)k,
                    t->bias ? bias : NULL, t->in_zp, mult, shift, t->out_zp,
                    t->lo, t->hi, mem);
  for (int i = 0; i < m;) { /* uneven row ranges, as threads take them */
    int e = i + rnd_int(1, 13);
    if (e > m) e = m;
    pnn_qs8_gemm_run(&g, x + (size_t)i * xs, (size_t)xs, (size_t)(e - i),
                     out + (size_t)i * os, (size_t)os);
    i = e;
  }
  int bad = 0;
  for (size_t i = 0; i < (size_t)m * os + 1; i++)
    if (out[i] != want[i] && bad++ == 0)
      fprintf(stderr, "  %s m=%d n=%d k=%d zp=%d/%d: [%zu] got %d want %d\n",
              g.name, m, n, k, t->in_zp, t->out_zp, i, out[i], want[i]);
  free(x), free(w), free(out), free(want), free(bias), free(mult), free(shift);
  free(mem);
  return bad;
}

static int random_case(pnn_isa isa, int max_k) {
  static const int primes[] = {1, 2, 3, 5, 7, 13, 17, 31, 37, 61, 127};
  qcase t;
  t.m = rnd_int(0, 1) ? rnd_int(1, 40) : primes[rnd_int(0, 10)];
  t.n = rnd_int(0, 1) ? rnd_int(1, 100) : primes[rnd_int(0, 10)];
  t.k = rnd_int(0, 2) ? rnd_int(1, max_k) : primes[rnd_int(0, 10)];
  t.in_zp = rnd_zp8();
  t.out_zp = rnd_zp8();
  t.lo = rnd_int(0, 2) ? -128 : rnd_int(-128, 0);
  t.hi = rnd_int(0, 2) ? 127 : rnd_int(t.lo, 127);
  t.bias = rnd_int(0, 3) != 0;
  t.wide_w = rnd_int(0, 1);
  t.mult_kind = rnd_int(0, 2) ? 0 : rnd_int(1, 2);
  return run_case(isa, &t);
}

TEST(qs8_gemm_random_shapes_every_isa) {
  for (int isa = 0; isa <= (int)pnn_isa_supported(); isa++) {
    CHECK(pnn_isa_force((pnn_isa)isa));
    int fails = 0;
    for (int c = 0; c < 300; c++) fails += random_case(pnn_isa_active(), 300) != 0;
    CHECK_MSG(fails == 0, "%s: %d failing cases", pnn_isa_name((pnn_isa)isa), fails);
  }
  CHECK(pnn_isa_force(PNN_ISA_COUNT));
}

TEST(qs8_gemm_edges_every_isa) {
  /* k = 1, exact tiles, one column, k past the stack block (the driver's
   * k blocking), extreme zero points with the whole weight range */
  static const qcase cases[] = {
      {1, 1, 1, -128, -128, -128, 127, true, true, 0},
      {8, 32, 4, 127, 127, -128, 127, true, true, 0},
      {16, 64, 64, -128, 0, 0, 127, false, true, 2},
      {9, 33, 5, 127, -128, -128, 127, true, true, 1},
      {3, 1, 4099, -128, 5, -128, 127, true, true, 1},
      {11, 17, 9001, 127, -7, -100, 100, true, true, 0},
      {4, 48, 8192, -1, 3, -128, 127, false, true, 1},
      {33, 1, 1, 127, 127, -128, 127, false, true, 2},
  };
  for (int isa = 0; isa <= (int)pnn_isa_supported(); isa++) {
    CHECK(pnn_isa_force((pnn_isa)isa));
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++)
      CHECK_MSG(run_case(pnn_isa_active(), &cases[c]) == 0, "%s: case %zu",
                pnn_isa_name((pnn_isa)isa), c);
  }
  CHECK(pnn_isa_force(PNN_ISA_COUNT));
}

TEST(qs8_gemm_picks_kernel_per_isa) {
  int8_t w[4] = {1, 2, 3, 4};
  int32_t mult = 1 << 30;
  int shift = 0;
  void *mem = malloc(pnn_qs8_gemm_bytes(1, 4));
  pnn_qs8_gemm g;
  pnn_qs8_gemm_init(&g, PNN_ISA_SCALAR, w, 4, 1, 4, NULL, 0, &mult, &shift, 0,
                    -128, 127, mem);
  CHECK(strcmp(g.name, "qs8_gemm_4x16_ref") == 0);
#if defined(__x86_64__) /* the x86 kernels (level 1 is NEON on aarch64) */
  if (pnn_isa_supported() >= PNN_ISA_AVX2) {
    pnn_qs8_gemm_init(&g, PNN_ISA_AVX2, w, 4, 1, 4, NULL, 0, &mult, &shift, 0,
                      -128, 127, mem);
    CHECK(strcmp(g.name, "qs8_gemm_4x16_avx2") == 0);
  }
  if (pnn_isa_supported() >= PNN_ISA_AVX512 &&
      pnn_cpu_features_get()->avx512vnni) {
    pnn_qs8_gemm_init(&g, PNN_ISA_AVX512, w, 4, 1, 4, NULL, 0, &mult, &shift,
                      0, -128, 127, mem);
    CHECK(strcmp(g.name, "qs8_gemm_12x32_avx512vnni") == 0);
  }
#elif defined(__aarch64__) /* sdot when the CPU has it, else smull */
  if (pnn_isa_supported() >= PNN_ISA_NEON) {
    pnn_qs8_gemm_init(&g, PNN_ISA_NEON, w, 4, 1, 4, NULL, 0, &mult, &shift, 0,
                      -128, 127, mem);
    CHECK(strcmp(g.name, pnn_cpu_features_get()->asimddp
                             ? "qs8_gemm_4x16_neondot"
                             : "qs8_gemm_2x16_neon") == 0);
    printf("  neon int8 gemm: %s\n", g.name);
  }
#endif
  free(mem);
}
