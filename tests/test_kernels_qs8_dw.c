/* Packed int8 depthwise convolution (src/kernels/qs8_dwconv*) against a
 * plain loop with TFLite's reference arithmetic (padding taps skipped,
 * int64 sums, pnn_qm_mul_by_qm per element), on every ISA level the host
 * has a kernel for (forced through pnn_isa_force): random shapes with odd
 * channel counts (1..200, partial blocks of both kernels), 1x1 to 7x7
 * filters incl. 3x3 and 5x5, strides 1-3, dilation, SAME-like and VALID
 * padding, zero points at the int8 extremes, tiny to >= 1 multipliers and
 * fused-activation ranges, rows split unevenly as threads take them.
 * Bit-exact. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "kernels/cpu.h"
#include "kernels/qs8_dwconv.h"
#include "ops/quant_math.h"
#include "test_rand.h"

static unsigned g_seed = 777;

typedef struct {
  int batch, in_h, in_w, c, f_h, f_w, sh, sw, dh, dw, pad_h, pad_w;
  int in_zp, out_zp, lo, hi;
  bool bias;
  int mult_kind; /* 0 mixed, 1 tiny, 2 >= 1 */
} dcase;

static int out_size(int in, int f, int s, int d, int pad) {
  const int eff = (f - 1) * d + 1;
  return in + 2 * pad < eff ? 0 : (in + 2 * pad - eff) / s + 1;
}

/* Returns the number of mismatching bytes (prints the first). */
static int run_case(pnn_isa isa, const dcase *t) {
  pnn_qs8_dw d;
  memset(&d, 0, sizeof(d));
  d.in_h = t->in_h;
  d.in_w = t->in_w;
  d.f_h = t->f_h;
  d.f_w = t->f_w;
  d.stride_h = t->sh;
  d.stride_w = t->sw;
  d.dil_h = t->dh;
  d.dil_w = t->dw;
  d.pad_h = t->pad_h;
  d.pad_w = t->pad_w;
  d.out_h = out_size(t->in_h, t->f_h, t->sh, t->dh, t->pad_h);
  d.out_w = out_size(t->in_w, t->f_w, t->sw, t->dw, t->pad_w);
  const int c = t->c, taps = t->f_h * t->f_w;
  const size_t in_n = (size_t)t->batch * t->in_h * t->in_w * c;
  const size_t out_n = (size_t)t->batch * d.out_h * d.out_w * c;
  int8_t *x = malloc(in_n + 1), *w = malloc((size_t)taps * c);
  int8_t *out = malloc(out_n + 1), *want = malloc(out_n + 1);
  int32_t *bias = malloc(sizeof(int32_t) * c),
          *mult = malloc(sizeof(int32_t) * c);
  int *shift = malloc(sizeof(int) * c);
  for (size_t i = 0; i < in_n; i++) x[i] = (int8_t)rnd_int(-128, 127);
  for (int i = 0; i < taps * c; i++) w[i] = (int8_t)rnd_int(-128, 127);
  for (int j = 0; j < c; j++) {
    bias[j] = rnd_int(-300000, 300000);
    int kind = t->mult_kind ? t->mult_kind : rnd_int(0, 2);
    double real = kind == 1   ? rnd_int(1, 1000) * 1e-9
                  : kind == 2 ? 1.0 + rnd_int(0, 3000) / 1000.0
                              : rnd_int(1, 100000) * 1e-7;
    pnn_qm_quantize_multiplier(real, &mult[j], &shift[j]);
  }
  memset(out, 0x5a, out_n + 1);
  memcpy(want, out, out_n + 1);
  for (int b = 0; b < t->batch; b++)
    for (int oy = 0; oy < d.out_h; oy++)
      for (int ox = 0; ox < d.out_w; ox++)
        for (int ch = 0; ch < c; ch++) {
          int64_t s = t->bias ? bias[ch] : 0;
          for (int ky = 0; ky < t->f_h; ky++)
            for (int kx = 0; kx < t->f_w; kx++) {
              const int iy = oy * t->sh - t->pad_h + ky * t->dh;
              const int ix = ox * t->sw - t->pad_w + kx * t->dw;
              if (iy < 0 || iy >= t->in_h || ix < 0 || ix >= t->in_w) continue;
              s += (int64_t)w[(ky * t->f_w + kx) * c + ch] *
                   (x[(((size_t)b * t->in_h + iy) * t->in_w + ix) * c + ch] -
                    t->in_zp);
            }
          const int32_t v =
              pnn_qm_mul_by_qm((int32_t)s, mult[ch], shift[ch]) + t->out_zp;
          want[(((size_t)b * d.out_h + oy) * d.out_w + ox) * c + ch] =
              (int8_t)pnn_qm_clamp(v, t->lo, t->hi);
        }
  const size_t bytes = pnn_qs8_dw_bytes(isa, (size_t)c, (size_t)taps);
  void *mem = malloc(bytes);
  int bad = 0;
  if (!pnn_qs8_dw_init(&d, isa, w, (size_t)c, t->bias ? bias : NULL, t->in_zp,
                       mult, shift, t->out_zp, t->lo, t->hi, mem)) {
    fprintf(stderr, "  init refused c=%d taps=%d\n", c, taps);
    bad = 1;
  } else {
    const int rows = t->batch * d.out_h;
    for (int r = 0; r < rows;) { /* uneven row ranges, as threads take them */
      int e = r + rnd_int(1, 5);
      if (e > rows) e = rows;
      pnn_qs8_dw_run_rows(&d, x, out, r, e);
      r = e;
    }
    for (size_t i = 0; i < out_n + 1; i++)
      if (out[i] != want[i] && bad++ == 0)
        fprintf(stderr,
                "  %s c=%d in=%dx%d f=%dx%d s=%d,%d d=%d,%d pad=%d,%d "
                "zp=%d/%d: [%zu] got %d want %d\n",
                d.name, c, t->in_h, t->in_w, t->f_h, t->f_w, t->sh, t->sw,
                t->dh, t->dw, t->pad_h, t->pad_w, t->in_zp, t->out_zp, i,
                out[i], want[i]);
  }
  free(x), free(w), free(out), free(want), free(bias), free(mult), free(shift);
  free(mem);
  return bad;
}

static int random_case(pnn_isa isa) {
  static const int chans[] = {1,  3,  7,  15, 16, 17, 31,  32,  33,
                              48, 63, 64, 65, 96, 97, 127, 144, 200};
  dcase t;
  t.batch = rnd_int(1, 2);
  t.c = rnd_int(0, 2) ? chans[rnd_int(0, 17)] : rnd_int(1, 150);
  t.f_h = rnd_int(0, 1) ? (rnd_int(0, 1) ? 3 : 5) : rnd_int(1, 7);
  t.f_w = rnd_int(0, 3) ? t.f_h : rnd_int(1, 7);
  t.sh = rnd_int(1, 3) == 3 ? 3 : rnd_int(1, 2);
  t.sw = rnd_int(0, 3) ? t.sh : rnd_int(1, 3);
  t.dh = rnd_int(0, 5) ? 1 : 2;
  t.dw = rnd_int(0, 5) ? 1 : rnd_int(1, 2);
  t.in_h = rnd_int(1, 13);
  t.in_w = rnd_int(1, 13);
  /* padding: none (VALID), SAME-like, or more than the filter needs */
  t.pad_h = rnd_int(0, 2) ? ((t.f_h - 1) * t.dh) / 2 : rnd_int(0, t.f_h);
  t.pad_w = rnd_int(0, 2) ? ((t.f_w - 1) * t.dw) / 2 : rnd_int(0, t.f_w);
  t.in_zp = rnd_zp8();
  t.out_zp = rnd_zp8();
  t.lo = rnd_int(0, 2) ? -128 : rnd_int(-128, 0);
  t.hi = rnd_int(0, 2) ? 127 : rnd_int(t.lo, 127);
  t.bias = rnd_int(0, 3) != 0;
  t.mult_kind = rnd_int(0, 2) ? 0 : rnd_int(1, 2);
  return run_case(isa, &t);
}

TEST(qs8_dw_random_shapes_every_isa) {
  int levels = 0;
  for (int isa = 0; isa <= (int)pnn_isa_supported(); isa++) {
    CHECK(pnn_isa_force((pnn_isa)isa));
    if (!pnn_qs8_dw_available(pnn_isa_active())) continue;
    levels++;
    int fails = 0;
    for (int c = 0; c < 400; c++) fails += random_case(pnn_isa_active()) != 0;
    CHECK_MSG(fails == 0, "%s: %d failing cases", pnn_isa_name((pnn_isa)isa),
              fails);
  }
  CHECK(pnn_isa_force(PNN_ISA_COUNT));
  printf("  %d ISA level(s) with a packed int8 depthwise kernel\n", levels);
}

TEST(qs8_dw_edges_every_isa) {
  /* the Keras shapes (3x3 / 5x5, stride 1 / 2, SAME), one channel, one
   * pixel, a filter larger than the input, zero points and weights at the
   * int8 extremes, clamped ranges */
  static const dcase cases[] = {
      {1, 16, 16, 32, 3, 3, 1, 1, 1, 1, 1, 1, -128, -128, -128, 127, true, 0},
      {1, 16, 16, 96, 3, 3, 2, 2, 1, 1, 0, 0, 127, 127, 0, 127, true, 0},
      {1, 9, 9, 144, 5, 5, 1, 1, 1, 1, 2, 2, -1, 5, -128, 127, true, 1},
      {1, 11, 11, 240, 5, 5, 2, 2, 1, 1, 1, 1, 7, -7, -100, 100, false, 2},
      {2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, -128, 127, -128, 127, true, 0},
      {1, 2, 3, 65, 7, 7, 1, 1, 1, 1, 3, 3, 127, -128, -128, 127, true, 0},
      {1, 8, 8, 16, 3, 3, 1, 1, 2, 2, 2, 2, 0, 0, -128, 127, false, 0},
      {1, 5, 5, 1024, 3, 3, 1, 1, 1, 1, 1, 1, 3, 3, -128, 127, true, 0},
  };
  for (int isa = 0; isa <= (int)pnn_isa_supported(); isa++) {
    CHECK(pnn_isa_force((pnn_isa)isa));
    if (!pnn_qs8_dw_available(pnn_isa_active())) continue;
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++)
      CHECK_MSG(run_case(pnn_isa_active(), &cases[c]) == 0, "%s: case %zu",
                pnn_isa_name((pnn_isa)isa), c);
  }
  CHECK(pnn_isa_force(PNN_ISA_COUNT));
}

TEST(qs8_dw_picks_kernel_per_isa) {
  pnn_qs8_dw d;
  memset(&d, 0, sizeof(d));
  d.f_h = d.f_w = 3;
  int8_t w[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  int32_t mult = 1 << 30;
  int shift = 0;
  CHECK(!pnn_qs8_dw_available(PNN_ISA_SCALAR));
  CHECK(pnn_qs8_dw_bytes(PNN_ISA_SCALAR, 1, 9) == 0);
  CHECK(!pnn_qs8_dw_init(&d, PNN_ISA_SCALAR, w, 1, NULL, 0, &mult, &shift, 0,
                         -128, 127, NULL));
#if defined(__x86_64__)
  if (pnn_isa_supported() >= PNN_ISA_AVX2) {
    void *mem = malloc(pnn_qs8_dw_bytes(PNN_ISA_AVX2, 1, 9));
    CHECK(pnn_qs8_dw_init(&d, PNN_ISA_AVX2, w, 1, NULL, 0, &mult, &shift, 0,
                          -128, 127, mem));
    CHECK(strcmp(d.name, "qs8_dw_16x2_avx2") == 0 && d.tp == 10);
    free(mem);
  }
  if (pnn_isa_supported() >= PNN_ISA_AVX512 &&
      pnn_cpu_features_get()->avx512vnni) {
    /* 17+ channels: VNNI; at most 16: the AVX2 kernel fills its block */
    int8_t w17[9 * 17] = {0};
    int32_t m17[17];
    int s17[17];
    for (int i = 0; i < 17; i++) m17[i] = 1 << 30, s17[i] = 0;
    void *mem = malloc(pnn_qs8_dw_bytes(PNN_ISA_AVX512, 17, 9));
    CHECK(pnn_qs8_dw_init(&d, PNN_ISA_AVX512, w17, 17, NULL, 0, m17, s17, 0,
                          -128, 127, mem));
    CHECK(strcmp(d.name, "qs8_dw_64x4_avx512vnni") == 0 && d.tp == 12);
    free(mem);
    mem = malloc(pnn_qs8_dw_bytes(PNN_ISA_AVX512, 1, 9));
    CHECK(pnn_qs8_dw_init(&d, PNN_ISA_AVX512, w, 1, NULL, 0, &mult, &shift, 0,
                          -128, 127, mem));
    CHECK(strcmp(d.name, "qs8_dw_16x2_avx2") == 0);
    free(mem);
  }
  /* more taps than one indirection call holds: refused, the op keeps its
   * plain-C path */
  d.f_h = d.f_w = 40;
  if (pnn_isa_supported() >= PNN_ISA_AVX2)
    CHECK(pnn_qs8_dw_bytes(PNN_ISA_AVX2, 1, 1600) == 0);
  if (pnn_isa_supported() >= PNN_ISA_AVX2)
    CHECK(!pnn_qs8_dw_init(&d, PNN_ISA_AVX2, w, 1, NULL, 0, &mult, &shift, 0,
                           -128, 127, NULL));
#elif defined(__aarch64__)
  if (pnn_isa_supported() >= PNN_ISA_NEON) {
    void *mem = malloc(pnn_qs8_dw_bytes(PNN_ISA_NEON, 1, 9));
    CHECK(pnn_qs8_dw_init(&d, PNN_ISA_NEON, w, 1, NULL, 0, &mult, &shift, 0,
                          -128, 127, mem));
    CHECK(strcmp(d.name, "qs8_dw_16x1_neon") == 0 && d.tp == 9);
    free(mem);
  }
#endif
}
