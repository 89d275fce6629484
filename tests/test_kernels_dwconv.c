/* f32 depthwise kernels (src/kernels/f32_dwconv*) against a plain loop in
 * TFLite's order, on every ISA level the host supports: 3x3 and 5x5 (the
 * unrolled instances) and other sizes, strides 1 and 2, dilation, SAME and
 * VALID padding, channel counts off the vector width, inputs smaller than
 * the filter (no interior), batch > 1, every fused activation. The scalar
 * level must match bit for bit; SIMD levels (FMA) within rounding. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "kernels/cpu.h"
#include "kernels/f32_dwconv.h"
#include "test_rand.h"

static unsigned g_seed = 777;
static float rnd_f(void) { return (float)rnd_int(0, 0xfffff) / 0xfffff * 2.f - 1.f; }

static float act_f(int act, float v) {
  switch (act) {
    case 1: return v < 0 ? 0 : v;
    case 2: return v < -1 ? -1 : (v > 1 ? 1 : v);
    case 3: return v < 0 ? 0 : (v > 6 ? 6 : v);
    case 4: return tanhf(v);
    default: return v;
  }
}

/* Returns the number of mismatching elements (prints the first). */
static int dw_case(pnn_isa isa, pnn_f32_dwconv s, bool with_bias) {
  const int C = s.c;
  const size_t in_n = (size_t)s.batch * s.in_h * s.in_w * C;
  const size_t out_n = (size_t)s.batch * s.out_h * s.out_w * C;
  float *in = malloc(sizeof(float) * in_n), *w = malloc(sizeof(float) * s.f_h * s.f_w * C);
  float *bias = malloc(sizeof(float) * C);
  float *out = malloc(sizeof(float) * (out_n + 1)), *want = malloc(sizeof(float) * out_n);
  for (size_t i = 0; i < in_n; i++) in[i] = rnd_f() * 4.f;
  for (int i = 0; i < s.f_h * s.f_w * C; i++) w[i] = rnd_f();
  for (int i = 0; i < C; i++) bias[i] = rnd_f();
  out[out_n] = 4321.f;
  void *mem = malloc(pnn_f32_dwconv_bytes(&s));
  pnn_f32_dwconv d = s;
  pnn_f32_dwconv_init(&d, isa, w, with_bias ? bias : NULL, mem);
  const int64_t rows = (int64_t)s.batch * s.out_h;
  for (int64_t r = 0; r < rows;) { /* uneven row ranges, as threads take */
    int64_t e = r + rnd_int(1, 3);
    if (e > rows) e = rows;
    pnn_f32_dwconv_run(&d, in, out, r, e);
    r = e;
  }
  /* Reference: taps in (ky, kx) order from 0, bias last (TFLite order). */
  for (int b = 0; b < s.batch; b++)
    for (int oy = 0; oy < s.out_h; oy++)
      for (int ox = 0; ox < s.out_w; ox++)
        for (int c = 0; c < C; c++) {
          float acc = 0.f;
          for (int ky = 0; ky < s.f_h; ky++)
            for (int kx = 0; kx < s.f_w; kx++) {
              int iy = oy * s.stride_h - s.pad_h + ky * s.dil_h;
              int ix = ox * s.stride_w - s.pad_w + kx * s.dil_w;
              if (iy < 0 || iy >= s.in_h || ix < 0 || ix >= s.in_w) continue;
              const float p = in[((b * s.in_h + iy) * s.in_w + ix) * C + c] *
                              w[(ky * s.f_w + kx) * C + c];
              acc += p;
            }
          if (with_bias) acc += bias[c];
          want[((b * s.out_h + oy) * s.out_w + ox) * C + c] = act_f(s.act, acc);
        }
  int bad = out[out_n] != 4321.f; /* wrote past the end */
  for (size_t i = 0; i < out_n; i++) {
    const double tol = isa == PNN_ISA_SCALAR ? 0.0 : 1e-5 * (1 + fabs(want[i])) * s.f_h * s.f_w;
    if (!(fabs((double)out[i] - want[i]) <= tol)) {
      if (!bad)
        printf("  %s dw %dx%d s%d,%d d%d,%d in %dx%dx%d act %d: [%zu] = %.9g, want %.9g\n",
               pnn_isa_name(isa), s.f_h, s.f_w, s.stride_h, s.stride_w, s.dil_h, s.dil_w,
               s.in_h, s.in_w, C, s.act, i, out[i], want[i]);
      bad++;
    }
  }
  free(in), free(w), free(bias), free(out), free(want), free(mem);
  return bad;
}

static pnn_f32_dwconv random_shape(int fh, int fw, int stride) {
  pnn_f32_dwconv s;
  memset(&s, 0, sizeof s);
  s.batch = rnd_int(1, 2);
  s.in_h = rnd_int(1, 17);
  s.in_w = rnd_int(1, 23);
  s.c = rnd_int(1, 70);
  s.f_h = fh;
  s.f_w = fw;
  s.stride_h = stride ? stride : rnd_int(1, 3);
  s.stride_w = stride ? stride : rnd_int(1, 3);
  s.dil_h = rnd_int(0, 3) == 0 ? 2 : 1;
  s.dil_w = rnd_int(0, 3) == 0 ? 2 : 1;
  s.act = rnd_int(0, 4);
  const int eh = (fh - 1) * s.dil_h + 1, ew = (fw - 1) * s.dil_w + 1;
  if (rnd_int(0, 1)) { /* SAME */
    s.out_h = (s.in_h + s.stride_h - 1) / s.stride_h;
    s.out_w = (s.in_w + s.stride_w - 1) / s.stride_w;
    int ph = (s.out_h - 1) * s.stride_h + eh - s.in_h;
    int pw = (s.out_w - 1) * s.stride_w + ew - s.in_w;
    s.pad_h = ph > 0 ? ph / 2 : 0;
    s.pad_w = pw > 0 ? pw / 2 : 0;
  } else {
    if (s.in_h < eh) s.in_h = eh;
    if (s.in_w < ew) s.in_w = ew;
    s.out_h = (s.in_h - eh) / s.stride_h + 1;
    s.out_w = (s.in_w - ew) / s.stride_w + 1;
  }
  return s;
}

TEST(dwconv_3x3_and_5x5_strides_every_isa) {
  for (int isa = 0; isa <= (int)pnn_isa_supported(); isa++) {
    int fails = 0;
    for (int r = 0; r < 30; r++) {
      const int f = r % 2 ? 5 : 3;
      fails += dw_case((pnn_isa)isa, random_shape(f, f, 1 + r % 4 / 2), r % 3 != 0) != 0;
    }
    CHECK_MSG(fails == 0, "%s: %d failing cases", pnn_isa_name((pnn_isa)isa), fails);
  }
}

TEST(dwconv_other_sizes_every_isa) {
  for (int isa = 0; isa <= (int)pnn_isa_supported(); isa++) {
    int fails = 0;
    for (int r = 0; r < 30; r++)
      fails += dw_case((pnn_isa)isa, random_shape(rnd_int(1, 7), rnd_int(1, 7), 0),
                       r % 2 == 0) != 0;
    CHECK_MSG(fails == 0, "%s: %d failing cases", pnn_isa_name((pnn_isa)isa), fails);
  }
}

TEST(dwconv_wide_rows_exercise_interior_groups) {
  for (int isa = 0; isa <= (int)pnn_isa_supported(); isa++) {
    /* 3x3 SAME stride 1 on a 40-wide row: borders, 4-pixel groups, tail. */
    pnn_f32_dwconv s = {.batch = 2, .in_h = 9, .in_w = 41, .c = 35, .out_h = 9,
                        .out_w = 41, .f_h = 3, .f_w = 3, .stride_h = 1,
                        .stride_w = 1, .dil_h = 1, .dil_w = 1, .pad_h = 1,
                        .pad_w = 1, .act = 3};
    CHECK_EQ_INT(dw_case((pnn_isa)isa, s, true), 0);
    /* 3x3 VALID stride 2, 64 channels (whole vectors). */
    pnn_f32_dwconv v = {.batch = 1, .in_h = 15, .in_w = 33, .c = 64, .out_h = 7,
                        .out_w = 16, .f_h = 3, .f_w = 3, .stride_h = 2,
                        .stride_w = 2, .dil_h = 1, .dil_w = 1, .act = 1};
    CHECK_EQ_INT(dw_case((pnn_isa)isa, v, true), 0);
  }
}

/* Border pixels read a zero vector for the taps outside the input, which
 * is only exact for finite weights (inf * 0 is NaN): with an infinite
 * weight they must skip those taps as the reference does, so pixels whose
 * infinite tap lies outside stay finite. Checked against the scalar level
 * on every ISA (values within rounding, inf/NaN in the same places). */
TEST(dwconv_infinite_weight_borders_skip_outside_taps) {
  for (int f = 3; f <= 5; f += 2) {
    pnn_f32_dwconv s = {.batch = 1, .in_h = 6, .in_w = 7, .c = 19, .out_h = 6,
                        .out_w = 7, .f_h = f, .f_w = f, .stride_h = 1,
                        .stride_w = 1, .dil_h = 1, .dil_w = 1, .pad_h = f / 2,
                        .pad_w = f / 2};
    const size_t in_n = 6 * 7 * 19, out_n = in_n, wn = (size_t)f * f * 19;
    float in[6 * 7 * 19], w[5 * 5 * 19], bias[19], want[6 * 7 * 19],
        out[6 * 7 * 19];
    for (size_t i = 0; i < in_n; i++) in[i] = 0.25f + rnd_f() * rnd_f();
    for (size_t i = 0; i < wn; i++) w[i] = rnd_f();
    for (int i = 0; i < 19; i++) bias[i] = rnd_f();
    w[3] = INFINITY;              /* tap (0, 0), channel 3 */
    w[(size_t)(f * f - 1) * 19 + 17] = -INFINITY; /* last tap, channel 17 */
    void *mem = malloc(pnn_f32_dwconv_bytes(&s));
    pnn_f32_dwconv d = s;
    pnn_f32_dwconv_init(&d, PNN_ISA_SCALAR, w, bias, mem);
    pnn_f32_dwconv_run(&d, in, want, 0, s.out_h);
    for (int isa = 1; isa <= (int)pnn_isa_supported(); isa++) {
      d = s;
      pnn_f32_dwconv_init(&d, (pnn_isa)isa, w, bias, mem);
      pnn_f32_dwconv_run(&d, in, out, 0, s.out_h);
      int bad = 0;
      for (size_t i = 0; i < out_n; i++) {
        if (isfinite(want[i]))
          bad += !(fabs((double)out[i] - want[i]) <= 1e-5 * (1 + fabs(want[i])) * f * f);
        else
          bad += !(isnan(want[i]) ? isnan(out[i]) : out[i] == want[i]);
      }
      CHECK_MSG(bad == 0, "%s %dx%d: %d mismatches", pnn_isa_name((pnn_isa)isa), f, f, bad);
    }
    int finite = 0;
    for (size_t i = 0; i < out_n; i++) finite += isfinite(want[i]) != 0;
    CHECK(finite > 0 && finite < (int)out_n); /* both kinds of pixels */
    free(mem);
  }
}
