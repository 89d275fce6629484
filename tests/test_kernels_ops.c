/* CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and BATCH_MATMUL through the
 * public API with the optimized kernels of every ISA level the host
 * supports (forced in turn) and 1 or 2 threads, against plain loops in
 * TFLite's summation order: the scalar level must match them exactly, the
 * SIMD levels within FMA rounding. Shapes are random (odd sizes, strides,
 * padding, batch > 1); models come from the model builder. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/cpu.h"
#include "optest.h"
#include "test_rand.h"

static unsigned g_seed = 4242;
static void fill(float *p, size_t n) {
  for (size_t i = 0; i < n; i++) p[i] = (float)rnd_int(-1000, 1000) / 500.f;
}
static size_t count(const int32_t *d, int r) {
  size_t n = 1;
  for (int i = 0; i < r; i++) n *= (size_t)d[i];
  return n;
}
static float act_f(int act, float v) {
  switch (act) {
    case 1: return v < 0 ? 0 : v;
    case 3: return v < 0 ? 0 : (v > 6 ? 6 : v);
    default: return v;
  }
}

typedef struct {
  int rank;
  int32_t dims[4];
  const float *data;
  bool constant;
} tin;

/* Builds a one-op model, runs it, copies output 0 into out. */
static pnn_status run_op(int32_t builtin, uint8_t opt_type, const void *opts,
                         int n_in, const tin *ins, int out_rank,
                         const int32_t *out_dims, int threads, float *out) {
  optest t;
  ot_begin(&t);
  t.threads = threads;
  int32_t idx[4];
  for (int i = 0; i < n_in; i++)
    idx[i] = ins[i].constant ? ot_const(&t, PNN_TYPE_FLOAT32, ins[i].rank,
                                        ins[i].dims, ins[i].data)
                             : ot_input(&t, PNN_TYPE_FLOAT32, ins[i].rank,
                                        ins[i].dims, ins[i].data);
  int32_t y =
      ot_qtensor(&t, "y", PNN_TYPE_FLOAT32, out_rank, out_dims, NULL, 0.f, 0);
  pnn_status s = ot_run(&t, builtin, opt_type, opts, n_in, idx, y);
  if (!s)
    s = pnn_tensor_copy_to(ot_out(&t), out, pnn_tensor_byte_size(ot_out(&t)));
  if (s) printf("  error: %s\n", ot_error(&t));
  ot_end(&t);
  return s;
}

/* Mismatches of got vs want (exact on scalar, else relative 1e-5 * k). */
static int compare(const float *got, const float *want, size_t n, pnn_isa isa,
                   int threads, int k, const char *what) {
  int bad = 0;
  for (size_t i = 0; i < n; i++) {
    double tol = isa == PNN_ISA_SCALAR ? 0 : 2e-6 * k * (1 + fabs(want[i]));
    if (!(fabs((double)got[i] - want[i]) <= tol)) {
      if (!bad)
        printf("  %s %s threads %d: [%zu] = %.9g, want %.9g\n", what,
               pnn_isa_name(isa), threads, i, got[i], want[i]);
      bad++;
    }
  }
  return bad;
}

/* Grouped NHWC conv with OHWI weights, TFLite order (taps, then bias). */
static void ref_conv(const float *in, const int32_t *id, const float *w,
                     const int32_t *wd, const float *bias, int stride,
                     int pad_h, int pad_w, int act, float *out,
                     const int32_t *od) {
  const int fc = wd[3], groups = id[3] / fc, opg = od[3] / groups;
  for (int b = 0; b < od[0]; b++)
    for (int oy = 0; oy < od[1]; oy++)
      for (int ox = 0; ox < od[2]; ox++)
        for (int oc = 0; oc < od[3]; oc++) {
          float acc = 0.f;
          for (int ky = 0; ky < wd[1]; ky++)
            for (int kx = 0; kx < wd[2]; kx++) {
              int iy = oy * stride - pad_h + ky, ix = ox * stride - pad_w + kx;
              if (iy < 0 || iy >= id[1] || ix < 0 || ix >= id[2]) continue;
              for (int c = 0; c < fc; c++) {
                const float p =
                    in[((b * id[1] + iy) * id[2] + ix) * id[3] + (oc / opg) * fc + c] *
                    w[((oc * wd[1] + ky) * wd[2] + kx) * fc + c];
                acc += p;
              }
            }
          if (bias) acc += bias[oc];
          out[((b * od[1] + oy) * od[2] + ox) * od[3] + oc] = act_f(act, acc);
        }
}

static void same_geometry(int in, int f, int stride, int *out, int *pad) {
  *out = (in + stride - 1) / stride;
  int total = (*out - 1) * stride + f - in;
  *pad = total > 0 ? total / 2 : 0;
}

TEST(conv2d_and_depthwise_every_isa_and_threads) {
  for (int r = 0; r < 24; r++) {
    const bool dw = r % 2 == 1;
    const int stride = rnd_int(1, 2), f = dw ? (r % 4 == 1 ? 3 : 5) : rnd_int(1, 3);
    const int32_t id[4] = {rnd_int(1, 2), rnd_int(3, 12), rnd_int(3, 12), rnd_int(1, 21)};
    int oh, ow, ph, pw;
    same_geometry(id[1], f, stride, &oh, &ph);
    same_geometry(id[2], f, stride, &ow, &pw);
    const int oc = dw ? id[3] : rnd_int(1, 40);
    const int32_t od[4] = {id[0], oh, ow, oc};
    const int32_t wd_ohwi[4] = {oc, f, f, dw ? 1 : id[3]};
    const int32_t wd_model[4] = {dw ? 1 : oc, f, f, dw ? oc : id[3]};
    float *in = malloc(sizeof(float) * count(id, 4));
    float *w = malloc(sizeof(float) * count(wd_ohwi, 4));
    float *w_ohwi = malloc(sizeof(float) * count(wd_ohwi, 4));
    float *bias = malloc(sizeof(float) * (size_t)oc);
    float *want = malloc(sizeof(float) * count(od, 4));
    float *got = malloc(sizeof(float) * count(od, 4));
    fill(in, count(id, 4));
    fill(w, count(wd_ohwi, 4));
    fill(bias, (size_t)oc);
    /* 1HWO (depthwise) as OHWI with one channel per group. */
    for (int o = 0; o < oc; o++)
      for (int t = 0; t < f * f; t++)
        for (int c = 0; c < wd_ohwi[3]; c++)
          w_ohwi[(o * f * f + t) * wd_ohwi[3] + c] =
              dw ? w[t * oc + o] : w[(o * f * f + t) * id[3] + c];
    const int act = r % 3 == 0 ? 3 : (r % 3 == 1 ? 1 : 0);
    ref_conv(in, id, w_ohwi, wd_ohwi, bias, stride, ph, pw, act, want, od);
    tin ins[3] = {{4, {id[0], id[1], id[2], id[3]}, in, false},
                  {4, {wd_model[0], wd_model[1], wd_model[2], wd_model[3]}, w, true},
                  {1, {oc}, bias, true}};
    int fails = 0;
    for (int isa = 0; isa <= (int)pnn_isa_supported(); isa++)
      for (int threads = 1; threads <= 2; threads++) {
        pnn_isa_force((pnn_isa)isa);
        pnn_status s;
        if (dw) {
          pnn_depthwise_conv2d_options o;
          pnn_mb_options_defaults(1, PNN_OPTIONS_OF(depthwise_conv2d), &o);
          o.padding = PNN_PADDING_SAME;
          o.stride_w = o.stride_h = stride;
          o.depth_multiplier = 1;
          o.fused_activation_function = (int8_t)act;
          s = run_op(PNN_OP_DEPTHWISE_CONV_2D, PNN_OPTIONS_OF(depthwise_conv2d), &o,
                     3, ins, 4, od, threads, got);
        } else {
          pnn_conv2d_options o;
          pnn_mb_options_defaults(1, PNN_OPTIONS_OF(conv2d), &o);
          o.padding = PNN_PADDING_SAME;
          o.stride_w = o.stride_h = stride;
          o.fused_activation_function = (int8_t)act;
          s = run_op(PNN_OP_CONV_2D, PNN_OPTIONS_OF(conv2d), &o, 3, ins, 4, od,
                     threads, got);
        }
        fails += s != PNN_OK;
        if (!s)
          fails += compare(got, want, count(od, 4), (pnn_isa)isa, threads,
                           f * f * wd_ohwi[3], dw ? "depthwise" : "conv2d") != 0;
      }
    pnn_isa_force(PNN_ISA_COUNT);
    free(in), free(w), free(w_ohwi), free(bias), free(want), free(got);
    CHECK_MSG(fails == 0, "case %d (%s %dx%d s%d): %d failing runs", r,
              dw ? "depthwise" : "conv2d", f, f, stride, fails);
  }
}

TEST(fully_connected_and_batch_matmul_every_isa_and_threads) {
  for (int r = 0; r < 16; r++) {
    const int batch = rnd_int(1, 9), depth = rnd_int(1, 300), units = rnd_int(1, 70);
    float *x = malloc(sizeof(float) * batch * depth), *w = malloc(sizeof(float) * units * depth);
    float *bias = malloc(sizeof(float) * units);
    float *want = malloc(sizeof(float) * batch * units), *got = malloc(sizeof(float) * batch * units);
    fill(x, (size_t)batch * depth);
    fill(w, (size_t)units * depth);
    fill(bias, (size_t)units);
    const int act = r % 2 ? 1 : 0;
    for (int b = 0; b < batch; b++)
      for (int u = 0; u < units; u++) {
        float acc = 0.f;
        for (int d = 0; d < depth; d++) {
          const float p = x[b * depth + d] * w[u * depth + d];
          acc += p;
        }
        want[b * units + u] = act_f(act, acc + bias[u]);
      }
    tin ins[3] = {{2, {batch, depth}, x, false}, {2, {units, depth}, w, true},
                  {1, {units}, bias, true}};
    /* BATCH_MATMUL: [2, batch, depth] x [depth, units] (rhs broadcast),
     * rhs given transposed with adj_y on odd cases. */
    float *a2 = malloc(sizeof(float) * 2 * batch * depth), *rhs = malloc(sizeof(float) * depth * units);
    float *want2 = malloc(sizeof(float) * 2 * batch * units), *got2 = malloc(sizeof(float) * 2 * batch * units);
    fill(a2, (size_t)2 * batch * depth);
    fill(rhs, (size_t)depth * units);
    const bool adj_y = r % 2 == 1;
    for (int i = 0; i < 2 * batch; i++)
      for (int u = 0; u < units; u++) {
        float acc = 0.f;
        for (int d = 0; d < depth; d++) {
          const float p = a2[i * depth + d] * (adj_y ? rhs[u * depth + d] : rhs[d * units + u]);
          acc += p;
        }
        want2[i * units + u] = acc;
      }
    tin bins[2] = {{3, {2, batch, depth}, a2, false},
                   {2, {adj_y ? units : depth, adj_y ? depth : units}, rhs, r % 4 < 2}};
    int fails = 0;
    for (int isa = 0; isa <= (int)pnn_isa_supported(); isa++)
      for (int threads = 1; threads <= 2; threads++) {
        pnn_isa_force((pnn_isa)isa);
        pnn_fully_connected_options o;
        pnn_mb_options_defaults(1, PNN_OPTIONS_OF(fully_connected), &o);
        o.fused_activation_function = (int8_t)act;
        int32_t od[2] = {batch, units};
        pnn_status s = run_op(PNN_OP_FULLY_CONNECTED, PNN_OPTIONS_OF(fully_connected),
                              &o, 3, ins, 2, od, threads, got);
        fails += s != PNN_OK;
        if (!s) fails += compare(got, want, (size_t)batch * units, (pnn_isa)isa, threads, depth, "fc") != 0;
        pnn_batch_matmul_options bo;
        pnn_mb_options_defaults(1, PNN_OPTIONS_OF(batch_matmul), &bo);
        bo.adj_y = adj_y;
        int32_t bd[3] = {2, batch, units};
        s = run_op(PNN_OP_BATCH_MATMUL, PNN_OPTIONS_OF(batch_matmul), &bo, 2, bins, 3, bd,
                   threads, got2);
        fails += s != PNN_OK;
        if (!s) fails += compare(got2, want2, (size_t)2 * batch * units, (pnn_isa)isa, threads, depth, "bmm") != 0;
      }
    pnn_isa_force(PNN_ISA_COUNT);
    free(x), free(w), free(bias), free(want), free(got);
    free(a2), free(rhs), free(want2), free(got2);
    CHECK_MSG(fails == 0, "case %d (batch %d depth %d units %d): %d failing runs", r,
              batch, depth, units, fails);
  }
}
