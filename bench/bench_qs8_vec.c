/* int8 elementwise benchmark: each qs8_vec kernel (kernels/qs8_vec.h) at
 * every ISA level on Keras-sized runs (a 32x32x256 activation, 262144
 * bytes), nanoseconds per element, best of repeats, one thread. The
 * scalar level is the plain-C reference arithmetic. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench_qs8.h"
#include "kernels/cpu.h"
#include "kernels/qs8_vec.h"
#include "ops/quant_math.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

enum { ROWS = 1024, C = 256, N = ROWS * C };

/* Best time of `reps` runs of kernel k (see run_kernel) in ns/element. */
static double best_ns(const pnn_qs8_vec_ops *v, int k, const uint8_t *a,
                      const uint8_t *b, const int32_t *y, uint8_t *o,
                      int32_t *acc, const uint8_t *table,
                      const pnn_qs8_bin_params *p, int reps) {
  double best = 1e30;
  for (int r = 0; r < reps; r++) {
    const double t0 = now_s();
    switch (k) {
      case 0: v->lut(a, o, N, table); break;
      case 1: v->bin[PNN_QS8_ADD](a, 1, b, 1, o, N, p); break;
      case 2: /* channel-broadcast constant, row by row (BN bias) */
        for (int i = 0; i < ROWS; i++)
          v->addsub_const(a + (size_t)i * C, 1, y, 1, o + (size_t)i * C, C, p,
                          PNN_QS8_X_PLUS_Y);
        break;
      case 3: v->bin[PNN_QS8_MUL](a, 1, b, 1, o, N, p); break;
      case 4: v->sum_rows(a, false, acc, ROWS, C); break;
      default: /* 3x3 stride 1 pools over a 32x32x256 map (interior) */
        for (int oy = 0; oy + 3 <= 32; oy++)
          for (int ox = 0; ox + 3 <= 32; ox++)
            (k == 5 ? v->pool_max : v->pool_avg)(
                a + ((size_t)oy * 32 + (size_t)ox) * C, 32 * C, 3, 3, C, false,
                -128, 127, o + ((size_t)oy * 30 + (size_t)ox) * C);
        break;
    }
    const double t = now_s() - t0;
    if (t < best) best = t;
  }
  const double elems = k >= 5 ? 30.0 * 30.0 * C : (double)N;
  return best * 1e9 / elems;
}

void pnn_bench_qs8_vec(void) {
  uint8_t *a = malloc(N), *b = malloc(N), *o = malloc(N), table[256];
  int32_t *y = malloc(sizeof(int32_t) * C), *acc = calloc(C, sizeof(int32_t));
  if (!a || !b || !o || !y || !acc) {
    printf("\nint8 elementwise: out of memory\n");
    free(a), free(b), free(o), free(y), free(acc);
    return;
  }
  unsigned s = 12345;
  for (size_t i = 0; i < N; i++) {
    s = s * 1103515245u + 12345u;
    a[i] = (uint8_t)(s >> 16);
    b[i] = (uint8_t)(s >> 8);
  }
  for (int i = 0; i < 256; i++) table[i] = (uint8_t)(255 - i);
  for (int i = 0; i < C; i++) y[i] = (i - 128) * 40000;
  /* ADD/MUL parameters as binary.c derives them from scales 0.05, 0.03 ->
   * 0.04 (ADD) and 0.05 * 0.0039 / 0.028 (MUL). */
  pnn_qs8_bin_params add = {0}, mul = {0};
  add.off1 = 4, add.off2 = 128, add.out_off = -118, add.lo = -128, add.hi = 127;
  add.left_shift = 20;
  pnn_qm_quantize_multiplier_smaller_than_one(0.05 / 0.1, &add.m1, &add.s1);
  pnn_qm_quantize_multiplier_smaller_than_one(0.03 / 0.1, &add.m2, &add.s2);
  pnn_qm_quantize_multiplier_smaller_than_one(0.1 / ((1 << 20) * 0.04),
                                              &add.mo, &add.so);
  mul = add;
  pnn_qm_quantize_multiplier(0.05 * 0.0039 / 0.028, &mul.mo, &mul.so);
  static const char *names[] = {"lut (256 table)", "add",
                                "add const (per channel)", "mul",
                                "sum_rows (MEAN)", "max_pool 3x3",
                                "avg_pool 3x3"};
  printf("\nint8 elementwise kernels, 32x32x256 (ns per element, best of 10)\n");
  printf("%-26s", "kernel");
  const pnn_isa top = pnn_isa_supported();
  for (int i = 0; i <= (int)top; i++) printf(" %9s", pnn_isa_name((pnn_isa)i));
  printf("\n");
  for (int k = 0; k < 7; k++) {
    printf("%-26s", names[k]);
    for (int i = 0; i <= (int)top; i++) {
      const pnn_qs8_vec_ops *v = pnn_qs8_vec_ops_for((pnn_isa)i);
      printf(" %9.3f", best_ns(v, k, a, b, y, o, acc, table,
                               k == 3 ? &mul : &add, i == 0 ? 3 : 10));
    }
    printf("\n");
  }
  free(a), free(b), free(o), free(y), free(acc);
}
