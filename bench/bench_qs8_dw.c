/* int8 depthwise benchmark: the packed kernels (pnn_qs8_dw_run_rows, one
 * thread, requantized int8 output) on the depthwise layers of the Keras
 * int8 models at 128x128 input, against the per-tap loop the op used
 * before them (pnn_s8_dw_tap + pnn_s8_requant per pixel, best ISA). GOPS
 * count 2 per tap and channel; best of repeats. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_qs8.h"
#include "kernels/cpu.h"
#include "kernels/qs8_dwconv.h"
#include "kernels/s8_dot.h"
#include "ops/quant_math.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int g_sink;

/* The per-tap loop: per output pixel, one pnn_s8_dw_tap call per valid tap
 * over all channels, then the output stage. */
static void tap_loop(const pnn_qs8_dw *g, pnn_s8_dw_tap_fn tap,
                     pnn_s8_requant_fn rq, const int8_t *in, const int8_t *w,
                     const int32_t *bias, const int32_t *mult, const int *shift,
                     int32_t zp, int32_t *acc, int8_t *out) {
  const int c = (int)g->c;
  for (int oy = 0; oy < g->out_h; oy++)
    for (int ox = 0; ox < g->out_w; ox++) {
      memset(acc, 0, sizeof(int32_t) * (size_t)c);
      for (int ky = 0; ky < g->f_h; ky++) {
        const int iy = oy * g->stride_h - g->pad_h + ky;
        if (iy < 0 || iy >= g->in_h) continue;
        for (int kx = 0; kx < g->f_w; kx++) {
          const int ix = ox * g->stride_w - g->pad_w + kx;
          if (ix < 0 || ix >= g->in_w) continue;
          tap(in + ((size_t)iy * g->in_w + ix) * c, w + (ky * g->f_w + kx) * c,
              zp, (size_t)c, acc);
        }
      }
      rq(acc, bias, mult, shift, -3, -128, 127, (size_t)c,
         out + ((size_t)oy * g->out_w + ox) * c);
    }
}

void pnn_bench_qs8_dw(void) {
  static const struct {
    int hw, c, f, stride;
  } layers[] = {{64, 32, 3, 1},  {64, 96, 3, 2}, {32, 144, 3, 1},
                {16, 192, 3, 1}, {8, 576, 3, 1}, {64, 16, 3, 2},
                {32, 240, 5, 1}, {8, 672, 5, 2}, {4, 960, 3, 1}};
  const pnn_isa top = pnn_isa_supported();
  printf("\nint8 depthwise SAME, 1 thread, GOPS (best of repeats)\n");
  printf("%-22s %10s", "layer", "tap loop");
  for (int i = 0; i <= (int)top; i++)
    if (pnn_qs8_dw_available((pnn_isa)i))
      printf(" %12s", pnn_isa_name((pnn_isa)i));
  printf("   us (best kernel)\n");
  for (size_t l = 0; l < sizeof layers / sizeof layers[0]; l++) {
    const int hw = layers[l].hw, c = layers[l].c, f = layers[l].f,
              st = layers[l].stride;
    const int out = (hw + st - 1) / st, pad = ((out - 1) * st + f - hw) / 2;
    int8_t *in = malloc((size_t)hw * hw * c),
           *o = malloc((size_t)out * out * c);
    int8_t *w = malloc((size_t)f * f * c);
    int32_t *bias = malloc(sizeof(int32_t) * c),
            *mult = malloc(sizeof(int32_t) * c);
    int32_t *acc = malloc(sizeof(int32_t) * c);
    int *shift = malloc(sizeof(int) * c);
    unsigned s = 11;
    for (int i = 0; i < hw * hw * c; i++)
      in[i] = (int8_t)((s = s * 1664525u + 1013904223u) >> 24);
    for (int i = 0; i < f * f * c; i++)
      w[i] = (int8_t)((s = s * 1664525u + 1013904223u) >> 24);
    for (int i = 0; i < c; i++) {
      bias[i] = (int32_t)(s = s * 1664525u + 1013904223u) >> 12;
      pnn_qm_quantize_multiplier(1e-3 * (i % 5 + 1), &mult[i], &shift[i]);
    }
    pnn_qs8_dw g = {.in_h = hw,
                    .in_w = hw,
                    .out_h = out,
                    .out_w = out,
                    .f_h = f,
                    .f_w = f,
                    .stride_h = st,
                    .stride_w = st,
                    .dil_h = 1,
                    .dil_w = 1,
                    .pad_h = pad,
                    .pad_w = pad};
    g.c = (size_t)c;
    const double ops = 2.0 * f * f * out * out * c;
    char name[64];
    snprintf(name, sizeof name, "%dx%dx%d %dx%d s%d", hw, hw, c, f, f, st);
    printf("%-22s", name);
    double best = 1e30;
    for (int rep = 0; rep < 10; rep++) {
      double t = now_s();
      tap_loop(&g, pnn_s8_dw_tap_pick(top), pnn_s8_requant_pick(top), in, w,
               bias, mult, shift, 5, acc, o);
      t = now_s() - t;
      if (t < best) best = t;
    }
    g_sink += o[0];
    printf(" %10.1f", ops / best * 1e-9);
    double kbest = 1e30;
    for (int i = 0; i <= (int)top; i++) {
      if (!pnn_qs8_dw_available((pnn_isa)i)) continue;
      pnn_qs8_dw d = g;
      void *mem =
          malloc(pnn_qs8_dw_bytes((pnn_isa)i, (size_t)c, (size_t)f * f));
      pnn_qs8_dw_init(&d, (pnn_isa)i, w, (size_t)c, bias, 5, mult, shift, -3,
                      -128, 127, mem);
      best = 1e30;
      for (int rep = 0; rep < 20; rep++) {
        double t = now_s();
        pnn_qs8_dw_run_rows(&d, in, o, 0, out);
        t = now_s() - t;
        if (t < best) best = t;
      }
      if (best < kbest) kbest = best;
      g_sink += o[0];
      printf(" %12.1f", ops / best * 1e-9);
      free(mem);
    }
    printf("   %8.1f\n", kbest * 1e6);
    free(in), free(o), free(w), free(bias), free(mult), free(acc), free(shift);
  }
  if (g_sink == 12345) printf(" \n");
}
