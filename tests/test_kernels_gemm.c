/* f32 GEMM and CONV_2D-on-GEMM kernels against plain reference loops, on
 * every ISA level the host supports (forced in turn): random shapes with
 * k = 1, primes, partial row/column tiles, padded strides, every fused
 * activation, with and without bias, split into tasks as threads would. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "kernels/cpu.h"
#include "kernels/f32_conv.h"
#include "kernels/f32_gemm.h"
#include "test_rand.h"
#include "f32_kernel_ref.h"

static unsigned g_seed = 12345;

/* |got - want| within float rounding of a k-term dot product. */
static bool close_enough(float got, double want, double mag) {
  return fabs((double)got - want) <= 1e-5 * mag + 1e-6;
}

/* One GEMM case: C = act(A B + bias) with B given as [n][k] (weights). */
static int gemm_case(pnn_isa isa, size_t m, size_t n, size_t k, int act,
                     bool with_bias, int split) {
  const pnn_f32_gemm_config *cfg = pnn_f32_gemm_config_for(isa);
  const size_t lda = k + (size_t)rnd_int(0, 3), ldc = n + (size_t)rnd_int(0, 5);
  float *a = malloc(sizeof(float) * (m * lda + 1));
  float *b = malloc(sizeof(float) * (n * k + 1));
  float *bias = malloc(sizeof(float) * (n + 1));
  float *c = malloc(sizeof(float) * (m * ldc + 1));
  size_t pf = pnn_f32_gemm_packed_floats(cfg, n, k);
  void *raw = malloc(pf * sizeof(float) + PNN_F32_GEMM_ALIGN);
  int bad = 0;
  rnd_fill(a, m * lda);
  rnd_fill(b, n * k);
  rnd_fill(bias, n);
  for (size_t i = 0; i < m * ldc; i++) c[i] = 1234.f; /* guard values */
  float *packed = pnn_f32_gemm_align(raw);
  pnn_f32_gemm_pack(cfg, n, k, b, (ptrdiff_t)k, 1, with_bias ? bias : NULL,
                    packed);
  pnn_f32_gemm_plan plan = {cfg, n, k, (n + cfg->nr - 1) / cfg->nr, packed,
                            act};
  pnn_f32_gemm_job job;
  pnn_f32_gemm_job_init(&job, &plan, m, a, lda, c, ldc, (size_t)split);
  const int64_t tasks = pnn_f32_gemm_job_tasks(&job);
  /* Run the tasks in uneven ranges, as a thread pool would. */
  for (int64_t t = 0; t < tasks;) {
    int64_t e = t + rnd_int(1, 3);
    if (e > tasks) e = tasks;
    pnn_f32_gemm_job_run(&job, t, e);
    t = e;
  }
  for (size_t i = 0; i < m && !bad; i++) {
    for (size_t j = 0; j < ldc; j++) {
      float got = c[i * ldc + j];
      if (j >= n) {
        if (got != 1234.f) bad = 1; /* wrote past the row */
        continue;
      }
      double acc = with_bias ? bias[j] : 0, mag = with_bias ? fabs(bias[j]) : 0;
      for (size_t t = 0; t < k; t++) {
        acc += (double)a[i * lda + t] * b[j * k + t];
        mag += fabs((double)a[i * lda + t] * b[j * k + t]);
      }
      if (!close_enough(got, ref_act(act, acc), mag)) {
        printf("  %s m=%zu n=%zu k=%zu act=%d: c[%zu][%zu] = %g, want %g\n",
               cfg->name, m, n, k, act, i, j, got, ref_act(act, acc));
        bad = 1;
        break;
      }
    }
  }
  free(a), free(b), free(bias), free(c), free(raw);
  return bad;
}

TEST(isa_levels_and_force) {
  pnn_isa top = pnn_isa_supported();
  for (int i = 0; i <= (int)top; i++) {
    CHECK(pnn_isa_force((pnn_isa)i));
    CHECK_EQ_INT(pnn_isa_active(), i);
    CHECK_EQ_INT(pnn_f32_gemm_config_for((pnn_isa)i)->isa, i);
  }
  if (top + 1 < PNN_ISA_COUNT) CHECK(!pnn_isa_force((pnn_isa)(top + 1)));
  CHECK(pnn_isa_force(PNN_ISA_COUNT));
  printf("  host: %s\n", pnn_isa_name(top));
}

/* Without a forced level, PNN_ISA (if set to a level the host has) picks
 * the level, else the best supported one. `PNN_ISA=scalar
 * build/tests/test_kernels_gemm` checks the override. */
TEST(isa_env_override) {
  CHECK(pnn_isa_force(PNN_ISA_COUNT));
  const char *env = getenv("PNN_ISA");
  pnn_isa want = pnn_isa_supported();
  for (int i = 0; env && i < (int)want; i++)
    if (strcmp(env, pnn_isa_name((pnn_isa)i)) == 0) want = (pnn_isa)i;
  CHECK_EQ_INT(pnn_isa_active(), want);
  printf("  PNN_ISA=%s -> %s\n", env ? env : "(unset)", pnn_isa_name(want));
}

TEST(gemm_edge_shapes_every_isa) {
  static const size_t sizes[] = {1, 2, 3, 5, 7, 8, 11, 12, 13, 16, 17, 31, 32, 33, 47};
  const size_t ns = sizeof sizes / sizeof sizes[0];
  for (int isa = 0; isa <= (int)pnn_isa_supported(); isa++) {
    int fails = 0;
    for (size_t mi = 0; mi < ns; mi++)
      for (size_t ni = 0; ni < ns; ni += 2) {
        size_t k = sizes[(mi + ni) % ns];
        fails += gemm_case((pnn_isa)isa, sizes[mi], sizes[ni], k,
                           (int)((mi + ni) % 5), (mi & 1) != 0, 1 + (int)(ni % 4));
      }
    CHECK_MSG(fails == 0, "%s: %d failing edge cases", pnn_isa_name((pnn_isa)isa), fails);
  }
}

TEST(gemm_random_and_deep_k_every_isa) {
  for (int isa = 0; isa <= (int)pnn_isa_supported(); isa++) {
    int fails = 0;
    for (int r = 0; r < 40; r++) {
      size_t m = (size_t)rnd_int(1, 150), n = (size_t)rnd_int(1, 100);
      size_t k = (size_t)rnd_int(1, r < 5 ? 700 : 64); /* > KC: k blocking */
      fails += gemm_case((pnn_isa)isa, m, n, k, rnd_int(0, 4), rnd_bits() & 1,
                         rnd_int(1, 9));
    }
    fails += gemm_case((pnn_isa)isa, 257, 65, 513, 3, true, 8);
    fails += gemm_case((pnn_isa)isa, 1, 1001, 257, 1, true, 8); /* FC row */
    fails += gemm_case((pnn_isa)isa, 13, 9, 600, 2, true, 3);  /* narrow, deep */
    fails += gemm_case((pnn_isa)isa, 25, 16, 300, 0, false, 2); /* half panel */
    CHECK_MSG(fails == 0, "%s: %d failing random cases", pnn_isa_name((pnn_isa)isa), fails);
  }
}

/* ---- CONV_2D on the GEMM against a direct NHWC/OHWI loop. */

static int conv_case(pnn_isa isa, const pnn_f32_conv_shape *s) {
  const size_t in_n = (size_t)s->batch * s->in_h * s->in_w * s->in_c;
  const size_t k = (size_t)s->f_h * s->f_w * s->in_c;
  const size_t out_n = (size_t)s->batch * s->out_h * s->out_w * s->out_c;
  float *in = malloc(sizeof(float) * in_n), *w = malloc(sizeof(float) * k * s->out_c);
  float *bias = malloc(sizeof(float) * s->out_c), *out = malloc(sizeof(float) * out_n);
  void *mem = malloc(pnn_f32_conv_weight_bytes(s, isa));
  rnd_fill(in, in_n);
  rnd_fill(w, k * s->out_c);
  rnd_fill(bias, (size_t)s->out_c);
  pnn_f32_conv cv;
  pnn_f32_conv_init(&cv, s, isa, w, bias, mem);
  size_t sb = pnn_f32_conv_scratch_bytes(&cv);
  float *scratch = sb ? malloc(sb) : NULL;
  pnn_f32_conv_run(&cv, in, out, scratch, serial, NULL);
  int bad = 0;
  for (int b = 0; b < s->batch && !bad; b++)
    for (int oy = 0; oy < s->out_h && !bad; oy++)
      for (int ox = 0; ox < s->out_w && !bad; ox++)
        for (int oc = 0; oc < s->out_c; oc++) {
          double acc = bias[oc], mag = fabs(bias[oc]);
          for (int ky = 0; ky < s->f_h; ky++)
            for (int kx = 0; kx < s->f_w; kx++) {
              int iy = oy * s->stride_h - s->pad_h + ky * s->dil_h;
              int ix = ox * s->stride_w - s->pad_w + kx * s->dil_w;
              if (iy < 0 || iy >= s->in_h || ix < 0 || ix >= s->in_w) continue;
              for (int c = 0; c < s->in_c; c++) {
                double p = (double)in[((b * s->in_h + iy) * s->in_w + ix) * s->in_c + c] *
                           w[((oc * s->f_h + ky) * s->f_w + kx) * s->in_c + c];
                acc += p;
                mag += fabs(p);
              }
            }
          float got = out[((b * s->out_h + oy) * s->out_w + ox) * s->out_c + oc];
          if (!close_enough(got, ref_act(s->act, acc), mag)) {
            printf("  %s conv %dx%d s%d d%d in %dx%dx%d -> %d: (%d,%d,%d,%d) = %g, want %g\n",
                   pnn_isa_name(isa), s->f_h, s->f_w, s->stride_h, s->dil_h, s->in_h,
                   s->in_w, s->in_c, s->out_c, b, oy, ox, oc, got, ref_act(s->act, acc));
            bad = 1;
            break;
          }
        }
  free(in), free(w), free(bias), free(out), free(mem), free(scratch);
  return bad;
}

static pnn_f32_conv_shape random_conv(void) {
  pnn_f32_conv_shape s = {0};
  s.batch = rnd_int(1, 3);
  s.in_h = rnd_int(1, 13);
  s.in_w = rnd_int(1, 13);
  s.in_c = rnd_int(1, 19);
  s.out_c = rnd_int(1, 40);
  s.f_h = rnd_int(1, 4);
  s.f_w = rnd_int(1, 4);
  s.stride_h = rnd_int(1, 3);
  s.stride_w = rnd_int(1, 3);
  s.dil_h = rnd_int(1, 2);
  s.dil_w = rnd_int(1, 2);
  s.act = rnd_int(0, 4);
  const int eff_h = (s.f_h - 1) * s.dil_h + 1, eff_w = (s.f_w - 1) * s.dil_w + 1;
  if (rnd_bits() & 1) { /* SAME */
    s.out_h = (s.in_h + s.stride_h - 1) / s.stride_h;
    s.out_w = (s.in_w + s.stride_w - 1) / s.stride_w;
    int ph = ((s.out_h - 1) * s.stride_h + eff_h - s.in_h), pw = ((s.out_w - 1) * s.stride_w + eff_w - s.in_w);
    s.pad_h = ph > 0 ? ph / 2 : 0;
    s.pad_w = pw > 0 ? pw / 2 : 0;
  } else { /* VALID, grown to fit */
    if (s.in_h < eff_h) s.in_h = eff_h;
    if (s.in_w < eff_w) s.in_w = eff_w;
    s.out_h = (s.in_h - eff_h) / s.stride_h + 1;
    s.out_w = (s.in_w - eff_w) / s.stride_w + 1;
  }
  return s;
}

/* Failing cases of n shapes from gen (those with an empty output skipped)
 * on every ISA level, printed per level. */
static int conv_cases_every_isa(pnn_f32_conv_shape (*gen)(void), int n) {
  int total = 0;
  for (int isa = 0; isa <= (int)pnn_isa_supported(); isa++) {
    int fails = 0;
    for (int r = 0; r < n; r++) {
      pnn_f32_conv_shape s = gen();
      if (s.out_h && s.out_w) fails += conv_case((pnn_isa)isa, &s);
    }
    if (fails)
      printf("  %s: %d failing conv cases\n", pnn_isa_name((pnn_isa)isa), fails);
    total += fails;
  }
  return total;
}

TEST(conv_random_shapes_every_isa) {
  CHECK_EQ_INT(conv_cases_every_isa(random_conv, 60), 0);
}

/* Any leading/trailing padding (what a fused PAD leaves: the conv's own
 * padding grown by the PAD's, on a smaller input), strides up to 5 (above
 * the filter size), H and W dilations, tiny and empty-ish inputs: the
 * output is whatever fits, and nothing may be read outside the input
 * (ASan in `make asan`). */
static pnn_f32_conv_shape random_padded_conv(void) {
  pnn_f32_conv_shape s = {0};
  s.batch = rnd_int(1, 2);
  s.in_h = rnd_int(1, 11);
  s.in_w = rnd_int(1, 11);
  s.in_c = rnd_int(1, 5);
  s.out_c = rnd_int(1, 40);
  s.f_h = rnd_int(1, 5);
  s.f_w = rnd_int(1, 5);
  s.stride_h = rnd_int(1, 5);
  s.stride_w = rnd_int(1, 5);
  s.dil_h = rnd_int(1, 3);
  s.dil_w = rnd_int(0, 2) ? 1 : rnd_int(2, 3);
  s.act = rnd_int(0, 4);
  s.pad_h = rnd_int(0, 6);
  s.pad_w = rnd_int(0, 6);
  const int eff_h = (s.f_h - 1) * s.dil_h + 1, eff_w = (s.f_w - 1) * s.dil_w + 1;
  const int span_h = s.in_h + s.pad_h + rnd_int(0, 4);
  const int span_w = s.in_w + s.pad_w + rnd_int(0, 4);
  s.out_h = span_h >= eff_h ? (span_h - eff_h) / s.stride_h + 1 : 0;
  s.out_w = span_w >= eff_w ? (span_w - eff_w) / s.stride_w + 1 : 0;
  return s;
}

TEST(conv_any_padding_and_stride_every_isa) {
  CHECK_EQ_INT(conv_cases_every_isa(random_padded_conv, 150), 0);
}

TEST(conv_1x1_direct_and_large_every_isa) {
  for (int isa = 0; isa <= (int)pnn_isa_supported(); isa++) {
    /* 1x1 stride 1: the direct path (no im2col scratch). */
    pnn_f32_conv_shape s = {2, 9, 7, 37, 9, 7, 45, 1, 1, 1, 1, 1, 1, 0, 0, 3};
    pnn_f32_conv cv;
    void *mem = malloc(pnn_f32_conv_weight_bytes(&s, (pnn_isa)isa));
    float w[37 * 45] = {0};
    pnn_f32_conv_init(&cv, &s, (pnn_isa)isa, w, NULL, mem);
    CHECK(cv.direct);
    CHECK_EQ_INT(pnn_f32_conv_scratch_bytes(&cv), 0);
    free(mem);
    CHECK(conv_case((pnn_isa)isa, &s) == 0);
    /* Many row tiles (fused im2col + GEMM), deep k. */
    pnn_f32_conv_shape l = {1, 30, 30, 24, 15, 15, 70, 3, 3, 2, 2, 1, 1, 0, 0, 1};
    CHECK(conv_case((pnn_isa)isa, &l) == 0);
    /* Fused path with more tiles than slot buffers (slots loop), and a
     * deep k that shrinks the tile to fit L2; batch 2, SAME padding. */
    pnn_f32_conv_shape f = {2, 40, 40, 20, 40, 40, 37, 3, 3, 1, 1, 1, 1, 1, 1, 3};
    CHECK(conv_case((pnn_isa)isa, &f) == 0);
    pnn_f32_conv_shape d = {1, 20, 20, 64, 20, 20, 45, 3, 3, 1, 1, 1, 1, 1, 1, 0};
    void *dm = malloc(pnn_f32_conv_weight_bytes(&d, (pnn_isa)isa));
    float *dw = calloc(3 * 3 * 64 * 45, sizeof(float));
    pnn_f32_conv_init(&cv, &d, (pnn_isa)isa, dw, NULL, dm);
    CHECK(cv.fused && cv.tiles >= 8 && cv.tile_m * cv.k * sizeof(float) <= 128 * 1024);
    CHECK(pnn_f32_conv_scratch_bytes(&cv) <= cv.m * cv.k * sizeof(float));
    free(dm);
    free(dw);
    CHECK(conv_case((pnn_isa)isa, &d) == 0);
  }
}

/* Short window rows (RGB-style input layers): the rowwise path (interior
 * pixels read the input in place, borders through im2col), strides 1 and
 * 2, SAME and VALID, odd sizes, several panels and row groups. */
TEST(conv_rowwise_small_channels_every_isa) {
  const pnn_f32_conv_shape shapes[] = {
      /* batch, in h w c, out h w c, f h w, stride h w, dil h w, pad h w, act */
      {2, 33, 41, 3, 17, 21, 8, 3, 3, 2, 2, 1, 1, 1, 1, 0},
      {1, 33, 41, 3, 17, 21, 40, 3, 3, 2, 2, 1, 1, 1, 1, 3},
      {1, 30, 29, 6, 26, 25, 13, 5, 5, 1, 1, 1, 1, 0, 0, 1},
      {1, 19, 23, 4, 19, 23, 70, 3, 3, 1, 1, 2, 1, 2, 1, 4},
  };
  for (int isa = 0; isa <= (int)pnn_isa_supported(); isa++)
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
      pnn_f32_conv cv;
      void *mem = malloc(pnn_f32_conv_weight_bytes(&shapes[i], (pnn_isa)isa));
      float *w = calloc((size_t)shapes[i].out_c * shapes[i].f_h * shapes[i].f_w *
                            shapes[i].in_c, sizeof(float));
      pnn_f32_conv_init(&cv, &shapes[i], (pnn_isa)isa, w, NULL, mem);
      CHECK(cv.rowwise);
      free(w), free(mem);
      CHECK_MSG(conv_case((pnn_isa)isa, &shapes[i]) == 0, "%s shape %zu",
                pnn_isa_name((pnn_isa)isa), i);
    }
}
