/* Reference-order f32 kernels (src/kernels/f32_refacc*) and their choice
 * at prepare (pnn_interpreter_options.float_accumulation).
 *
 * The kernels must be bit-identical to plain loops in TFLite's reference
 * order (acc = 0; acc += x * w over (ky, kx, c), skipping taps outside the
 * input; acc + bias; clamp with NaN passing through) on every ISA level the
 * host runs: GEMM (FULLY_CONNECTED, k across the KC blocks), CONV_2D (1x1
 * direct and im2col, strides, dilation, padding on every side, odd
 * channel counts), DEPTHWISE_CONV_2D; inputs with NaN and inf. Then
 * through the interpreter: AUTO picks reference order in a subgraph with a
 * hybrid op and the fast kernels in a plain float one (on an FMA level the
 * fast kernels are shown to differ, so the choice is observable);
 * REFERENCE_ORDER / FAST force it; a bad value is refused; FULLY_CONNECTED
 * and BATCH_MATMUL likewise, and LOGISTIC then follows TFLite's reference
 * (libm, with its cut-offs at -9 and 16.619). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "format/model_builder.h"
#include "harness.h"
#include "kernels/cpu.h"
#include "kernels/f32_conv.h"
#include "kernels/f32_dwconv.h"
#include "kernels/f32_refacc.h"
#include "pocketnn.h"
#include "test_rand.h"
#include "f32_kernel_ref.h"

static unsigned g_seed = 60606;

/* ------------------------------------------------------------ helpers */

/* TFLite's ActivationFunctionWithMinMax (min(max(v, lo), hi), NaN kept)
 * for the clamp activations. */
static float clamp_act(int act, float v) {
  float lo = -INFINITY, hi = INFINITY;
  if (act == 1) lo = 0.f;
  if (act == 2) lo = -1.f, hi = 1.f;
  if (act == 3) lo = 0.f, hi = 6.f;
  v = v < lo ? lo : v;
  return hi < v ? hi : v;
}

static bool same_float(float a, float b) {
  if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
  uint32_t x, y;
  memcpy(&x, &a, 4);
  memcpy(&y, &b, 4);
  return x == y;
}

/* Number of elements of got that differ from want (bitwise; NaN = NaN). */
static size_t count_diff(const float *got, const float *want, size_t n) {
  size_t d = 0;
  for (size_t i = 0; i < n; i++) d += !same_float(got[i], want[i]);
  return d;
}

/* Random values in [-scale, scale]; with `specials`, a few NaN and inf. */
static void fill(float *p, size_t n, float scale, bool specials) {
  for (size_t i = 0; i < n; i++) p[i] = rnd_unit() * scale;
  if (specials && n > 4) {
    p[rnd_int(0, (int)n - 1)] = NAN;
    p[rnd_int(0, (int)n - 1)] = INFINITY;
    p[rnd_int(0, (int)n - 1)] = -INFINITY;
  }
}

static bool fma_level(pnn_isa isa) { return isa != PNN_ISA_SCALAR; }

/* --------------------------------------------------------------- GEMM */

/* C[m, n] = act(A[m, k] B[k, n] + bias) through the packed GEMM with cfg;
 * returns the number of elements differing from the reference loop. */
static size_t gemm_case(const pnn_f32_gemm_config *cfg, size_t m, size_t n,
                        size_t k, int act, bool with_bias, bool specials) {
  float *a = malloc(sizeof(float) * (m * k + 1));
  float *b = malloc(sizeof(float) * (k * n + 1));
  float *bias = malloc(sizeof(float) * n);
  float *c = malloc(sizeof(float) * m * n), *want = malloc(sizeof(float) * m * n);
  fill(a, m * k, 3.f, specials);
  fill(b, k * n, 1.f, false);
  fill(bias, n, 2.f, false);
  const size_t floats = pnn_f32_gemm_packed_floats(cfg, n, k);
  void *mem = malloc(floats * sizeof(float) + PNN_F32_GEMM_ALIGN);
  float *packed = pnn_f32_gemm_align(mem);
  /* B given as [n][k] (FULLY_CONNECTED weights). */
  pnn_f32_gemm_pack(cfg, n, k, b, (ptrdiff_t)k, 1, with_bias ? bias : NULL,
                    packed);
  const pnn_f32_gemm_plan plan = {cfg, n, k, (n + cfg->nr - 1) / cfg->nr,
                                  packed, act};
  /* Split the panels in two calls, as threads do. */
  const size_t half = plan.panels / 2;
  pnn_f32_gemm_compute(&plan, m, a, k, c, n, 0, half);
  pnn_f32_gemm_compute(&plan, m, a, k, c, n, half, plan.panels);
  for (size_t i = 0; i < m; i++)
    for (size_t j = 0; j < n; j++) {
      float acc = 0.f;
      for (size_t t = 0; t < k; t++) {
        const float p = a[i * k + t] * b[j * k + t];
        acc += p;
      }
      if (with_bias) acc += bias[j];
      want[i * n + j] = clamp_act(act, acc);
    }
  const size_t d = count_diff(c, want, m * n);
  free(a), free(b), free(bias), free(c), free(want), free(mem);
  return d;
}

TEST(refacc_gemm_bit_exact_every_isa) {
  for (int isa = 0; isa <= (int)pnn_isa_supported(); isa++) {
    const pnn_f32_gemm_config *cfg = pnn_f32_gemm_refacc_config_for((pnn_isa)isa);
    const pnn_f32_gemm_config *fast = pnn_f32_gemm_config_for((pnn_isa)isa);
    CHECK_EQ_INT(cfg->mr, fast->mr); /* packed weights are shared */
    CHECK_EQ_INT(cfg->nr, fast->nr);
    for (int r = 0; r < 40; r++) {
      const size_t m = (size_t)rnd_int(1, 30), n = (size_t)rnd_int(1, 70);
      const size_t k = r % 5 == 0 ? (size_t)rnd_int(257, 700)
                                  : (size_t)rnd_int(0, 90);
      const int act = rnd_int(0, 3);
      const size_t d = gemm_case(cfg, m, n, k, act, r % 3 != 0, r % 4 == 1);
      CHECK_MSG(d == 0, "%s: m %zu n %zu k %zu act %d: %zu elements differ",
                cfg->name, m, n, k, act, d);
    }
  }
}

/* The check above can fail: the FMA kernels differ from the reference
 * order on a deep product. */
TEST(fast_gemm_differs_from_reference_order_on_fma_levels) {
  for (int isa = 1; isa <= (int)pnn_isa_supported(); isa++) {
    const pnn_f32_gemm_config *fast = pnn_f32_gemm_config_for((pnn_isa)isa);
    CHECK_MSG(gemm_case(fast, 24, 64, 300, 0, true, false) > 0,
              "%s matched the reference order bit for bit", fast->name);
  }
}

/* ------------------------------------------------------------ CONV_2D */

static void ref_conv(const pnn_f32_conv_shape *s, const float *in,
                     const float *w, const float *bias, float *out) {
  for (int b = 0; b < s->batch; b++)
    for (int oy = 0; oy < s->out_h; oy++)
      for (int ox = 0; ox < s->out_w; ox++)
        for (int oc = 0; oc < s->out_c; oc++) {
          float acc = 0.f;
          for (int ky = 0; ky < s->f_h; ky++) {
            const int iy = oy * s->stride_h - s->pad_h + ky * s->dil_h;
            if (iy < 0 || iy >= s->in_h) continue;
            for (int kx = 0; kx < s->f_w; kx++) {
              const int ix = ox * s->stride_w - s->pad_w + kx * s->dil_w;
              if (ix < 0 || ix >= s->in_w) continue;
              for (int c = 0; c < s->in_c; c++) {
                const float p =
                    in[((b * s->in_h + iy) * s->in_w + ix) * s->in_c + c] *
                    w[((oc * s->f_h + ky) * s->f_w + kx) * s->in_c + c];
                acc += p;
              }
            }
          }
          if (bias) acc += bias[oc];
          out[((b * s->out_h + oy) * s->out_w + ox) * s->out_c + oc] =
              clamp_act(s->act, acc);
        }
}

/* Output size for a filter extent e, stride st, top pad p and `extra`
 * bottom overhang (SAME-style padding on the far side). */
static int out_size(int in, int e, int st, int p, int extra) {
  const int span = in + p + extra - e;
  return span < 0 ? 1 : span / st + 1;
}

static pnn_f32_conv_shape random_conv(bool one_by_one) {
  pnn_f32_conv_shape s;
  memset(&s, 0, sizeof s);
  s.batch = rnd_int(1, 2);
  s.in_h = rnd_int(1, 12);
  s.in_w = rnd_int(1, 12);
  s.in_c = rnd_int(1, 37);
  s.out_c = rnd_int(1, 45);
  s.act = rnd_int(0, 3);
  if (one_by_one) { /* the direct path: no im2col */
    s.f_h = s.f_w = s.stride_h = s.stride_w = s.dil_h = s.dil_w = 1;
    s.out_h = s.in_h;
    s.out_w = s.in_w;
    return s;
  }
  s.f_h = rnd_int(1, 5);
  s.f_w = rnd_int(1, 5);
  s.stride_h = rnd_int(1, 3);
  s.stride_w = rnd_int(1, 3);
  s.dil_h = rnd_int(0, 3) == 0 ? 2 : 1;
  s.dil_w = rnd_int(0, 3) == 0 ? 2 : 1;
  const int eh = (s.f_h - 1) * s.dil_h + 1, ew = (s.f_w - 1) * s.dil_w + 1;
  s.pad_h = rnd_int(0, eh - 1);
  s.pad_w = rnd_int(0, ew - 1);
  s.out_h = out_size(s.in_h, eh, s.stride_h, s.pad_h, rnd_int(0, eh - 1));
  s.out_w = out_size(s.in_w, ew, s.stride_w, s.pad_w, rnd_int(0, ew - 1));
  return s;
}

static size_t conv_case(pnn_isa isa, const pnn_f32_conv_shape *s,
                        bool refacc, bool with_bias, bool specials) {
  const size_t in_n = (size_t)s->batch * s->in_h * s->in_w * s->in_c;
  const size_t w_n = (size_t)s->out_c * s->f_h * s->f_w * s->in_c;
  const size_t out_n = (size_t)s->batch * s->out_h * s->out_w * s->out_c;
  float *in = malloc(sizeof(float) * in_n), *w = malloc(sizeof(float) * w_n);
  float *bias = malloc(sizeof(float) * s->out_c);
  float *out = malloc(sizeof(float) * out_n), *want = malloc(sizeof(float) * out_n);
  fill(in, in_n, 4.f, specials);
  fill(w, w_n, 1.f, false);
  fill(bias, (size_t)s->out_c, 1.f, false);
  pnn_f32_conv cv;
  void *mem = malloc(pnn_f32_conv_weight_bytes(s, isa));
  pnn_f32_conv_init(&cv, s, isa, w, with_bias ? bias : NULL, mem);
  if (refacc) pnn_f32_gemm_plan_use_refacc(&cv.gemm);
  const size_t sb = pnn_f32_conv_scratch_bytes(&cv);
  float *scratch = sb ? malloc(sb) : NULL;
  pnn_f32_conv_run(&cv, in, out, scratch, serial, NULL);
  ref_conv(s, in, w, with_bias ? bias : NULL, want);
  const size_t d = count_diff(out, want, out_n);
  free(in), free(w), free(bias), free(out), free(want), free(mem), free(scratch);
  return d;
}

TEST(refacc_conv_bit_exact_every_isa) {
  for (int isa = 0; isa <= (int)pnn_isa_supported(); isa++) {
    for (int r = 0; r < 60; r++) {
      const pnn_f32_conv_shape s = random_conv(r % 6 == 0);
      const size_t d = conv_case((pnn_isa)isa, &s, true, r % 4 != 0, r % 5 == 2);
      CHECK_MSG(d == 0,
                "%s: %dx%d s%d,%d d%d,%d p%d,%d in %dx%dx%d out %dx%dx%d act "
                "%d: %zu elements differ",
                pnn_isa_name((pnn_isa)isa), s.f_h, s.f_w, s.stride_h,
                s.stride_w, s.dil_h, s.dil_w, s.pad_h, s.pad_w, s.in_h, s.in_w,
                s.in_c, s.out_h, s.out_w, s.out_c, s.act, d);
    }
    /* A deep im2col (k = 3 * 3 * 40 = 360 > the GEMM's KC block). */
    const pnn_f32_conv_shape deep = {1, 9, 9, 40, 9, 9, 33, 3, 3, 1, 1,
                                     1, 1, 1, 1, 3};
    CHECK_EQ_INT(conv_case((pnn_isa)isa, &deep, true, true, false), 0);
  }
}

TEST(fast_conv_differs_from_reference_order_on_fma_levels) {
  const pnn_f32_conv_shape deep = {1, 9, 9, 40, 9, 9, 33, 3, 3, 1, 1,
                                   1, 1, 1, 1, 0};
  for (int isa = 1; isa <= (int)pnn_isa_supported(); isa++)
    CHECK_MSG(conv_case((pnn_isa)isa, &deep, false, true, false) > 0,
              "%s: fast conv matched the reference order",
              pnn_isa_name((pnn_isa)isa));
}

/* -------------------------------------------------- DEPTHWISE_CONV_2D */

static size_t dw_case(pnn_isa isa, pnn_f32_dwconv s, bool with_bias,
                      bool specials) {
  const int C = s.c;
  const size_t in_n = (size_t)s.batch * s.in_h * s.in_w * C;
  const size_t w_n = (size_t)s.f_h * s.f_w * C;
  const size_t out_n = (size_t)s.batch * s.out_h * s.out_w * C;
  float *in = malloc(sizeof(float) * in_n), *w = malloc(sizeof(float) * w_n);
  float *bias = malloc(sizeof(float) * C);
  float *out = malloc(sizeof(float) * out_n), *want = malloc(sizeof(float) * out_n);
  fill(in, in_n, 4.f, specials);
  fill(w, w_n, 1.f, false);
  fill(bias, (size_t)C, 1.f, false);
  void *mem = malloc(pnn_f32_dwconv_bytes(&s));
  pnn_f32_dwconv d = s;
  pnn_f32_dwconv_init(&d, isa, w, with_bias ? bias : NULL, mem);
  pnn_f32_dwconv_use_refacc(&d);
  const int64_t rows = (int64_t)s.batch * s.out_h;
  for (int64_t r = 0; r < rows;) {
    int64_t e = r + rnd_int(1, 3);
    if (e > rows) e = rows;
    pnn_f32_dwconv_run(&d, in, out, r, e);
    r = e;
  }
  for (int b = 0; b < s.batch; b++)
    for (int oy = 0; oy < s.out_h; oy++)
      for (int ox = 0; ox < s.out_w; ox++)
        for (int c = 0; c < C; c++) {
          float acc = 0.f;
          for (int ky = 0; ky < s.f_h; ky++)
            for (int kx = 0; kx < s.f_w; kx++) {
              const int iy = oy * s.stride_h - s.pad_h + ky * s.dil_h;
              const int ix = ox * s.stride_w - s.pad_w + kx * s.dil_w;
              if (iy < 0 || iy >= s.in_h || ix < 0 || ix >= s.in_w) continue;
              const float p = in[((b * s.in_h + iy) * s.in_w + ix) * C + c] *
                              w[(ky * s.f_w + kx) * C + c];
              acc += p;
            }
          if (with_bias) acc += bias[c];
          want[((b * s.out_h + oy) * s.out_w + ox) * C + c] =
              clamp_act(s.act, acc);
        }
  const size_t diff = count_diff(out, want, out_n);
  free(in), free(w), free(bias), free(out), free(want), free(mem);
  return diff;
}

static pnn_f32_dwconv random_dw(int fh, int fw, int stride) {
  pnn_f32_dwconv s;
  memset(&s, 0, sizeof s);
  s.batch = rnd_int(1, 2);
  s.in_h = rnd_int(1, 15);
  s.in_w = rnd_int(1, 30);
  s.c = rnd_int(1, 70);
  s.f_h = fh;
  s.f_w = fw;
  s.stride_h = stride ? stride : rnd_int(1, 3);
  s.stride_w = stride ? stride : rnd_int(1, 3);
  s.dil_h = rnd_int(0, 3) == 0 ? 2 : 1;
  s.dil_w = rnd_int(0, 3) == 0 ? 2 : 1;
  s.act = rnd_int(0, 3);
  const int eh = (fh - 1) * s.dil_h + 1, ew = (fw - 1) * s.dil_w + 1;
  s.pad_h = rnd_int(0, eh - 1);
  s.pad_w = rnd_int(0, ew - 1);
  s.out_h = out_size(s.in_h, eh, s.stride_h, s.pad_h, rnd_int(0, eh - 1));
  s.out_w = out_size(s.in_w, ew, s.stride_w, s.pad_w, rnd_int(0, ew - 1));
  return s;
}

TEST(refacc_dwconv_bit_exact_every_isa) {
  for (int isa = 0; isa <= (int)pnn_isa_supported(); isa++) {
    for (int r = 0; r < 80; r++) {
      /* 3x3 / 5x5 (unrolled instances, the 3x3 stride-1 slide) and others */
      const int f = r % 4 == 0 ? 3 : (r % 4 == 1 ? 5 : rnd_int(1, 7));
      const int g = r % 4 < 2 ? f : rnd_int(1, 7);
      const pnn_f32_dwconv s = random_dw(f, g, r % 8 < 2 ? 1 : 0);
      const size_t d = dw_case((pnn_isa)isa, s, r % 3 != 0, r % 5 == 3);
      CHECK_MSG(d == 0,
                "%s: %dx%d s%d,%d d%d,%d p%d,%d in %dx%dx%d out %dx%d act %d: "
                "%zu elements differ",
                pnn_isa_name((pnn_isa)isa), s.f_h, s.f_w, s.stride_h,
                s.stride_w, s.dil_h, s.dil_w, s.pad_h, s.pad_w, s.in_h, s.in_w,
                s.c, s.out_h, s.out_w, s.act, d);
    }
    /* A wide 3x3 stride-1 SAME row: the sliding interior kernel. */
    pnn_f32_dwconv s = {.batch = 1, .in_h = 7, .in_w = 45, .c = 37,
                        .out_h = 7, .out_w = 45, .f_h = 3, .f_w = 3,
                        .stride_h = 1, .stride_w = 1, .dil_h = 1, .dil_w = 1,
                        .pad_h = 1, .pad_w = 1, .act = 3};
    CHECK_EQ_INT(dw_case((pnn_isa)isa, s, true, true), 0);
  }
}

/* ------------------------------------------ through the interpreter */

/* x [1, 8, 8, 24] -> CONV_2D 3x3 s1 SAME (float weights, 40 out, RELU6)
 * -> y -> DEPTHWISE 3x3 (float) -> dw -> FULLY_CONNECTED (weights of type
 * fc_type: INT8 = hybrid, FLOAT32 = plain float) -> z. Outputs y, dw, z. */
typedef struct {
  float in[8 * 8 * 24];
  float cw[40 * 3 * 3 * 24], cb[40];
  float dww[3 * 3 * 40], dwb[40];
} net_data;

static pnn_model *build_net(const net_data *nd, pnn_type fc_type) {
  pnn_mb *mb = pnn_mb_new();
  const int32_t xs[] = {1, 8, 8, 24}, cws[] = {40, 3, 3, 24}, cbs[] = {40};
  const int32_t ys[] = {1, 8, 8, 40}, dws[] = {1, 3, 3, 40};
  const int32_t fws[] = {10, 8 * 8 * 40}, zs[] = {1, 10};
  int x = pnn_mb_tensor(mb, "x", PNN_TYPE_FLOAT32, 4, xs, NULL);
  int cw = pnn_mb_tensor(mb, "cw", PNN_TYPE_FLOAT32, 4, cws, nd->cw);
  int cb = pnn_mb_tensor(mb, "cb", PNN_TYPE_FLOAT32, 1, cbs, nd->cb);
  int y = pnn_mb_tensor(mb, "y", PNN_TYPE_FLOAT32, 4, ys, NULL);
  int dww = pnn_mb_tensor(mb, "dww", PNN_TYPE_FLOAT32, 4, dws, nd->dww);
  int dwb = pnn_mb_tensor(mb, "dwb", PNN_TYPE_FLOAT32, 1, cbs, nd->dwb);
  int dw = pnn_mb_tensor(mb, "dw", PNN_TYPE_FLOAT32, 4, ys, NULL);
  const size_t fn = (size_t)10 * 8 * 8 * 40;
  void *fw_data = malloc(fn * sizeof(float));
  for (size_t i = 0; i < fn; i++) {
    if (fc_type == PNN_TYPE_INT8)
      ((int8_t *)fw_data)[i] = (int8_t)rnd_int(-127, 127);
    else
      ((float *)fw_data)[i] = rnd_unit() * 0.05f;
  }
  int fw = pnn_mb_tensor(mb, "fw", fc_type, 2, fws, fw_data);
  free(fw_data);
  if (fc_type == PNN_TYPE_INT8) pnn_mb_tensor_quant(mb, fw, 1, (float[]){0.01f}, NULL, 0);
  int z = pnn_mb_tensor(mb, "z", PNN_TYPE_FLOAT32, 2, zs, NULL);

  pnn_conv2d_options co;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(conv2d), &co);
  co.padding = PNN_PADDING_SAME;
  co.stride_w = co.stride_h = 1;
  co.fused_activation_function = PNN_ACT_RELU6;
  pnn_mb_op(mb, PNN_OP_CONV_2D, PNN_OPTIONS_OF(conv2d), &co, 3,
            (int32_t[]){x, cw, cb}, 1, &y);
  pnn_depthwise_conv2d_options dwo;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(depthwise_conv2d), &dwo);
  dwo.padding = PNN_PADDING_SAME;
  dwo.stride_w = dwo.stride_h = 1;
  dwo.depth_multiplier = 1;
  pnn_mb_op(mb, PNN_OP_DEPTHWISE_CONV_2D, PNN_OPTIONS_OF(depthwise_conv2d),
            &dwo, 3, (int32_t[]){y, dww, dwb}, 1, &dw);
  pnn_mb_op(mb, PNN_OP_FULLY_CONNECTED, 0, NULL, 2, (int32_t[]){dw, fw}, 1,
            &z);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 3, (int32_t[]){y, dw, z});
  pnn_model *model = NULL;
  if (pnn_mb_load(mb, &model) != PNN_OK) {
    printf("  builder: %s\n", pnn_mb_error(mb));
    model = NULL;
  }
  pnn_mb_free(mb);
  return model;
}

/* The reference conv and depthwise of the net (what y and dw must be in
 * reference order). */
static void net_reference(const net_data *nd, float *y, float *dw) {
  const pnn_f32_conv_shape cs = {1, 8, 8, 24, 8, 8, 40, 3, 3, 1, 1,
                                 1, 1, 1, 1, 3};
  ref_conv(&cs, nd->in, nd->cw, nd->cb, y);
  for (int oy = 0; oy < 8; oy++)
    for (int ox = 0; ox < 8; ox++)
      for (int c = 0; c < 40; c++) {
        float acc = 0.f;
        for (int ky = 0; ky < 3; ky++)
          for (int kx = 0; kx < 3; kx++) {
            const int iy = oy - 1 + ky, ix = ox - 1 + kx;
            if (iy < 0 || iy >= 8 || ix < 0 || ix >= 8) continue;
            const float p = y[(iy * 8 + ix) * 40 + c] * nd->dww[(ky * 3 + kx) * 40 + c];
            acc += p;
          }
        dw[(oy * 8 + ox) * 40 + c] = acc + nd->dwb[c];
      }
}

/* Runs the net with `mode` (float_accumulation) on ISA level isa and
 * 2 threads; returns how many elements of y and dw differ from the
 * reference order, or -1 on failure (message printed). */
static long run_net(const net_data *nd, pnn_model *model, pnn_isa isa,
                    int mode) {
  if (!pnn_isa_force(isa)) return -1;
  pnn_interpreter_options o;
  pnn_interpreter_options_init(&o);
  o.num_threads = 2;
  o.float_accumulation = mode;
  pnn_interpreter *it = NULL;
  long diff = -1;
  if (pnn_interpreter_create(model, &o, &it) != PNN_OK) goto done;
  if (pnn_interpreter_allocate(it) != PNN_OK) {
    printf("  %s\n", pnn_interpreter_last_error(it));
    goto done;
  }
  memcpy(pnn_tensor_data(pnn_interpreter_input(it, 0)), nd->in, sizeof nd->in);
  if (pnn_interpreter_invoke(it) != PNN_OK) {
    printf("  %s\n", pnn_interpreter_last_error(it));
    goto done;
  }
  static float y[8 * 8 * 40], dw[8 * 8 * 40], wy[8 * 8 * 40], wdw[8 * 8 * 40];
  memcpy(y, pnn_tensor_data(pnn_interpreter_output(it, 0)), sizeof y);
  memcpy(dw, pnn_tensor_data(pnn_interpreter_output(it, 1)), sizeof dw);
  net_reference(nd, wy, wdw);
  diff = (long)(count_diff(y, wy, 8 * 8 * 40) + count_diff(dw, wdw, 8 * 8 * 40));
done:
  pnn_interpreter_free(it);
  pnn_isa_force(PNN_ISA_COUNT);
  return diff;
}

static net_data g_net;

static void make_net_data(void) {
  fill(g_net.in, sizeof g_net.in / 4, 3.f, false);
  fill(g_net.cw, sizeof g_net.cw / 4, 0.5f, false);
  fill(g_net.cb, 40, 0.5f, false);
  fill(g_net.dww, sizeof g_net.dww / 4, 1.f, false);
  fill(g_net.dwb, 40, 1.f, false);
}

TEST(auto_uses_reference_order_in_hybrid_subgraph) {
  make_net_data();
  pnn_model *hybrid = build_net(&g_net, PNN_TYPE_INT8);
  pnn_model *plain = build_net(&g_net, PNN_TYPE_FLOAT32);
  CHECK(hybrid && plain);
  for (int isa = 0; isa <= (int)pnn_isa_supported(); isa++) {
    const char *name = pnn_isa_name((pnn_isa)isa);
    CHECK_MSG(run_net(&g_net, hybrid, (pnn_isa)isa, PNN_FLOAT_ACC_AUTO) == 0,
              "%s: hybrid model, AUTO: float convs not in reference order", name);
    CHECK_MSG(run_net(&g_net, plain, (pnn_isa)isa,
                      PNN_FLOAT_ACC_REFERENCE_ORDER) == 0,
              "%s: plain model, REFERENCE_ORDER not honoured", name);
    if (fma_level((pnn_isa)isa)) {
      /* The fast kernels are observable: they differ somewhere. */
      CHECK_MSG(run_net(&g_net, plain, (pnn_isa)isa, PNN_FLOAT_ACC_AUTO) > 0,
                "%s: plain model, AUTO should keep the fast kernels", name);
      CHECK_MSG(run_net(&g_net, hybrid, (pnn_isa)isa, PNN_FLOAT_ACC_FAST) > 0,
                "%s: hybrid model, FAST should keep the fast kernels", name);
    }
  }
  pnn_model_free(hybrid);
  pnn_model_free(plain);
}

TEST(bad_float_accumulation_is_refused) {
  make_net_data();
  pnn_model *plain = build_net(&g_net, PNN_TYPE_FLOAT32);
  CHECK(plain);
  pnn_interpreter_options o;
  pnn_interpreter_options_init(&o);
  CHECK_EQ_INT(o.float_accumulation, PNN_FLOAT_ACC_AUTO);
  pnn_interpreter *it = NULL;
  o.float_accumulation = 3;
  CHECK_EQ_INT(pnn_interpreter_create(plain, &o, &it), PNN_ERROR_INVALID_ARGUMENT);
  CHECK(it == NULL);
  o.float_accumulation = -1;
  CHECK_EQ_INT(pnn_interpreter_create(plain, &o, &it), PNN_ERROR_INVALID_ARGUMENT);
  pnn_model_free(plain);
}

/* An inf weight: im2col's zero padding (or the depthwise edge kernel's
 * zero taps) would make 0 * inf = NaN where the reference skips the tap,
 * so reference-order convolutions keep the plain loop for such filters. */
TEST(non_finite_weight_keeps_reference_semantics) {
  make_net_data();
  g_net.cw[5] = INFINITY; /* oc 0, ky 0, kx 0: padded on the top row */
  g_net.dww[3] = -INFINITY; /* channel 3, ky 0, kx 0 */
  pnn_model *hybrid = build_net(&g_net, PNN_TYPE_INT8);
  CHECK(hybrid);
  for (int isa = 0; isa <= (int)pnn_isa_supported(); isa++)
    CHECK_MSG(run_net(&g_net, hybrid, (pnn_isa)isa, PNN_FLOAT_ACC_AUTO) == 0,
              "%s: inf weight", pnn_isa_name((pnn_isa)isa));
  pnn_model_free(hybrid);
}

/* FULLY_CONNECTED and BATCH_MATMUL (float, k = 300 across the KC block)
 * beside a hybrid FULLY_CONNECTED: x [4, 300] -> FC (w [24, 300], bias,
 * RELU) -> f; x -> BATCH_MATMUL (rhs [300, 20] constant) -> bm; f ->
 * hybrid FC (int8 [3, 24]) -> z. Returns the elements of f and bm that
 * differ from the reference order, or -1 on failure. */
enum { MM_B = 4, MM_K = 300, MM_U = 24, MM_N = 20 };
static float g_mx[MM_B * MM_K], g_mw[MM_U * MM_K], g_mb[MM_U], g_mr[MM_K * MM_N];

static pnn_model *build_mm(pnn_type fc_type) {
  pnn_mb *mb = pnn_mb_new();
  const int32_t xs[] = {MM_B, MM_K}, ws[] = {MM_U, MM_K}, bs[] = {MM_U};
  const int32_t fs[] = {MM_B, MM_U}, rs[] = {MM_K, MM_N}, bms[] = {MM_B, MM_N};
  const int32_t hs[] = {3, MM_U}, zs[] = {MM_B, 3};
  int x = pnn_mb_tensor(mb, "x", PNN_TYPE_FLOAT32, 2, xs, NULL);
  int w = pnn_mb_tensor(mb, "w", PNN_TYPE_FLOAT32, 2, ws, g_mw);
  int b = pnn_mb_tensor(mb, "b", PNN_TYPE_FLOAT32, 1, bs, g_mb);
  int f = pnn_mb_tensor(mb, "f", PNN_TYPE_FLOAT32, 2, fs, NULL);
  int r = pnn_mb_tensor(mb, "r", PNN_TYPE_FLOAT32, 2, rs, g_mr);
  int bm = pnn_mb_tensor(mb, "bm", PNN_TYPE_FLOAT32, 2, bms, NULL);
  int8_t hq[3 * MM_U];
  float hf[3 * MM_U];
  for (int i = 0; i < 3 * MM_U; i++) {
    hq[i] = (int8_t)rnd_int(-127, 127);
    hf[i] = hq[i] * 0.02f;
  }
  int h = fc_type == PNN_TYPE_INT8
              ? pnn_mb_tensor(mb, "h", PNN_TYPE_INT8, 2, hs, hq)
              : pnn_mb_tensor(mb, "h", PNN_TYPE_FLOAT32, 2, hs, hf);
  if (fc_type == PNN_TYPE_INT8) pnn_mb_tensor_quant(mb, h, 1, (float[]){0.02f}, NULL, 0);
  int z = pnn_mb_tensor(mb, "z", PNN_TYPE_FLOAT32, 2, zs, NULL);
  int lg = pnn_mb_tensor(mb, "lg", PNN_TYPE_FLOAT32, 2, bms, NULL);
  pnn_fully_connected_options fo;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(fully_connected), &fo);
  fo.fused_activation_function = PNN_ACT_RELU;
  pnn_mb_op(mb, PNN_OP_FULLY_CONNECTED, PNN_OPTIONS_OF(fully_connected), &fo,
            3, (int32_t[]){x, w, b}, 1, &f);
  pnn_mb_op(mb, PNN_OP_BATCH_MATMUL, 0, NULL, 2, (int32_t[]){x, r}, 1, &bm);
  pnn_mb_op(mb, PNN_OP_FULLY_CONNECTED, 0, NULL, 2, (int32_t[]){f, h}, 1, &z);
  pnn_mb_op(mb, PNN_OP_LOGISTIC, 0, NULL, 1, &bm, 1, &lg);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 4, (int32_t[]){f, bm, z, lg});
  pnn_model *model = NULL;
  if (pnn_mb_load(mb, &model) != PNN_OK) {
    printf("  builder: %s\n", pnn_mb_error(mb));
    model = NULL;
  }
  pnn_mb_free(mb);
  return model;
}

static pnn_model *g_mm_hybrid;

static long run_mm(pnn_model *model, pnn_isa isa, int mode) {
  if (!pnn_isa_force(isa)) return -1;
  pnn_interpreter_options o;
  pnn_interpreter_options_init(&o);
  o.num_threads = 2;
  o.float_accumulation = mode;
  pnn_interpreter *it = NULL;
  long diff = -1;
  if (pnn_interpreter_create(model, &o, &it) != PNN_OK) goto done;
  if (pnn_interpreter_allocate(it) != PNN_OK) {
    printf("  %s\n", pnn_interpreter_last_error(it));
    goto done;
  }
  memcpy(pnn_tensor_data(pnn_interpreter_input(it, 0)), g_mx, sizeof g_mx);
  if (pnn_interpreter_invoke(it) != PNN_OK) {
    printf("  %s\n", pnn_interpreter_last_error(it));
    goto done;
  }
  static float wf[MM_B * MM_U], wbm[MM_B * MM_N], wlg[MM_B * MM_N];
  for (int i = 0; i < MM_B; i++) {
    for (int u = 0; u < MM_U; u++) {
      float acc = 0.f;
      for (int k = 0; k < MM_K; k++) {
        const float p = g_mx[i * MM_K + k] * g_mw[u * MM_K + k];
        acc += p;
      }
      wf[i * MM_U + u] = clamp_act(1, acc + g_mb[u]);
    }
    for (int n = 0; n < MM_N; n++) {
      float acc = 0.f;
      for (int k = 0; k < MM_K; k++) {
        const float p = g_mx[i * MM_K + k] * g_mr[k * MM_N + n];
        acc += p;
      }
      wbm[i * MM_N + n] = acc;
      /* LOGISTIC in reference order: TFLite's reference_ops::Logistic
       * with libm (1 above 16.619047, exp(x) below -9) */
      wlg[i * MM_N + n] = acc > 16.619047164916992188f ? 1.f
                          : acc < -9.f ? expf(acc)
                                       : 1.f / (1.f + expf(-acc));
    }
  }
  diff = (long)(count_diff(pnn_tensor_data(pnn_interpreter_output(it, 0)), wf,
                           MM_B * MM_U) +
                count_diff(pnn_tensor_data(pnn_interpreter_output(it, 1)), wbm,
                           MM_B * MM_N));
  /* The exp-based activation only in reference order (the fast one is an
   * approximation within a few ulp). */
  if (mode == PNN_FLOAT_ACC_REFERENCE_ORDER ||
      (mode == PNN_FLOAT_ACC_AUTO && model == g_mm_hybrid))
    diff += (long)count_diff(pnn_tensor_data(pnn_interpreter_output(it, 3)),
                             wlg, MM_B * MM_N);
done:
  pnn_interpreter_free(it);
  pnn_isa_force(PNN_ISA_COUNT);
  return diff;
}

TEST(fc_and_batch_matmul_follow_float_accumulation) {
  fill(g_mx, MM_B * MM_K, 2.f, false);
  fill(g_mw, MM_U * MM_K, 1.f, false);
  fill(g_mb, MM_U, 1.f, false);
  fill(g_mr, MM_K * MM_N, 1.f, false);
  pnn_model *hybrid = build_mm(PNN_TYPE_INT8), *plain = build_mm(PNN_TYPE_FLOAT32);
  CHECK(hybrid && plain);
  g_mm_hybrid = hybrid;
  for (int isa = 0; isa <= (int)pnn_isa_supported(); isa++) {
    const char *name = pnn_isa_name((pnn_isa)isa);
    CHECK_MSG(run_mm(hybrid, (pnn_isa)isa, PNN_FLOAT_ACC_AUTO) == 0,
              "%s: hybrid model, AUTO: FC / BATCH_MATMUL not in reference order", name);
    CHECK_MSG(run_mm(plain, (pnn_isa)isa, PNN_FLOAT_ACC_REFERENCE_ORDER) == 0,
              "%s: plain model, REFERENCE_ORDER not honoured", name);
    if (fma_level((pnn_isa)isa))
      CHECK_MSG(run_mm(plain, (pnn_isa)isa, PNN_FLOAT_ACC_AUTO) > 0,
                "%s: plain model, AUTO should keep the fast kernels", name);
  }
  pnn_model_free(hybrid);
  pnn_model_free(plain);
}
