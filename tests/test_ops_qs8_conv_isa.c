/* int8 CONV_2D and DEPTHWISE_CONV_2D end to end (one-op models from the
 * model builder, per-channel weights) on every ISA level the host has and
 * 1 and 2 threads, against the scalar level, whose plain-C rows are
 * TFLite's reference arithmetic: the packed SIMD paths (qs8 GEMM with
 * im2col or direct pointwise, packed depthwise) must agree byte for byte.
 * Random shapes: 1x1 to 7x7 filters (3x3 and 5x5 most often), strides 1-2,
 * dilation, SAME and VALID, odd channel counts, zero points at the
 * extremes, fused RELU/RELU6/none, depth multiplier 1 and 2. */
#include <stdlib.h>
#include <string.h>

#include "kernels/cpu.h"
#include "optest.h"
#include "test_rand.h"

static unsigned g_seed = 31337;

typedef struct {
  bool dw;
  int batch, h, w, in_c, out_c, f_h, f_w, stride, dil, padding, act;
  int in_zp, out_zp;
} ccase;

/* Output height and width of case t. */
static void out_hw(const ccase *t, int *oh, int *ow) {
  const int eff_h = (t->f_h - 1) * t->dil + 1,
            eff_w = (t->f_w - 1) * t->dil + 1;
  const bool same = t->padding == PNN_PADDING_SAME;
  *oh = same ? (t->h + t->stride - 1) / t->stride
             : (t->h - eff_h) / t->stride + 1;
  *ow = same ? (t->w + t->stride - 1) / t->stride
             : (t->w - eff_w) / t->stride + 1;
}

/* Builds and runs the model at the active ISA with `threads`; out gets
 * the output bytes (n_out). Returns the status. */
static pnn_status run(const ccase *t, const int8_t *x, const int8_t *wt,
                      const int32_t *bias, const float *wscale, int threads,
                      int8_t *out, size_t n_out) {
  const int oc = t->out_c;
  int32_t xd[4] = {t->batch, t->h, t->w, t->in_c};
  int32_t wd[4] = {oc, t->f_h, t->f_w, t->in_c};
  if (t->dw) wd[0] = 1, wd[3] = oc;
  int32_t bd[1] = {oc};
  int oh, ow;
  out_hw(t, &oh, &ow);
  int32_t yd[4] = {t->batch, oh, ow, oc};
  const float xs = 0.05f, ys = 0.7f;
  float *bs = malloc(sizeof(float) * oc);
  int64_t *zeros = calloc((size_t)oc, sizeof(int64_t));
  for (int c = 0; c < oc; c++) bs[c] = xs * wscale[c];
  optest o;
  ot_begin(&o);
  o.threads = threads;
  int32_t ins[3];
  ins[0] = ot_qinput(&o, PNN_TYPE_INT8, 4, xd, x, xs, t->in_zp);
  ins[1] = ot_qtensor_n(&o, "w", PNN_TYPE_INT8, 4, wd, wt, oc, wscale, zeros,
                        t->dw ? 3 : 0);
  ins[2] = ot_qtensor_n(&o, "b", PNN_TYPE_INT32, 1, bd, bias, oc, bs, zeros, 0);
  int yi = ot_qtensor(&o, "y", PNN_TYPE_INT8, 4, yd, NULL, ys, t->out_zp);
  free(bs);
  free(zeros);
  pnn_status s;
  if (t->dw) {
    pnn_depthwise_conv2d_options d;
    pnn_mb_options_defaults(1, PNN_OPTIONS_OF(depthwise_conv2d), &d);
    d.padding = (int8_t)t->padding;
    d.stride_w = d.stride_h = t->stride;
    d.dilation_w_factor = d.dilation_h_factor = t->dil;
    d.depth_multiplier = oc / t->in_c;
    d.fused_activation_function = (int8_t)t->act;
    s = ot_run(&o, PNN_OP_DEPTHWISE_CONV_2D, PNN_OPTIONS_OF(depthwise_conv2d),
               &d, 3, ins, yi);
  } else {
    pnn_conv2d_options c = ot_conv_opts(t->padding, t->stride, t->act);
    c.dilation_w_factor = c.dilation_h_factor = t->dil;
    s = ot_run(&o, PNN_OP_CONV_2D, PNN_OPTIONS_OF(conv2d), &c, 3, ins, yi);
  }
  if (!s)
    s = pnn_tensor_byte_size(ot_out(&o)) != n_out
            ? PNN_ERROR_INVALID_MODEL
            : pnn_tensor_copy_to(ot_out(&o), out, n_out);
  if (s) printf("  error: %s\n", ot_error(&o));
  ot_end(&o);
  return s;
}

static int zp_pick(void) {
  switch (rnd_int(0, 3)) {
    case 0: return -128;
    case 1: return 127;
    default: return rnd_int(-20, 20);
  }
}

/* Returns the number of failures (prints the first mismatch). */
static int one_case(const ccase *t) {
  const int wn = t->out_c * t->f_h * t->f_w * (t->dw ? 1 : t->in_c);
  const size_t xn = (size_t)t->batch * t->h * t->w * t->in_c;
  int8_t *x = malloc(xn), *wt = malloc((size_t)wn);
  int32_t *bias = malloc(sizeof(int32_t) * t->out_c);
  float *ws = malloc(sizeof(float) * t->out_c);
  for (size_t i = 0; i < xn; i++) x[i] = (int8_t)rnd_int(-128, 127);
  for (int i = 0; i < wn; i++) wt[i] = (int8_t)rnd_int(-127, 127);
  for (int c = 0; c < t->out_c; c++) {
    bias[c] = rnd_int(-5000, 5000);
    ws[c] = (float)rnd_int(1, 400) * 1e-4f;
  }
  int oh, ow;
  out_hw(t, &oh, &ow);
  const size_t n = (size_t)t->batch * oh * ow * t->out_c;
  int8_t *want = malloc(n + 1), *got = malloc(n + 1);
  int fails = 0;
  pnn_isa_force(PNN_ISA_SCALAR);
  if (run(t, x, wt, bias, ws, 1, want, n)) fails++;
  for (int isa = 1; !fails && isa <= (int)pnn_isa_supported(); isa++)
    for (int threads = 1; threads <= 2 && !fails; threads++) {
      pnn_isa_force((pnn_isa)isa);
      memset(got, 0x55, n);
      if (run(t, x, wt, bias, ws, threads, got, n)) {
        fails++;
        break;
      }
      for (size_t i = 0; i < n; i++)
        if (got[i] != want[i]) {
          printf(
              "  %s %s threads %d: %dx%dx%dx%d -> %d f %dx%d s%d d%d "
              "pad %d zp %d/%d: [%zu] %d, reference %d\n",
              t->dw ? "DEPTHWISE" : "CONV_2D", pnn_isa_name((pnn_isa)isa),
              threads, t->batch, t->h, t->w, t->in_c, t->out_c, t->f_h, t->f_w,
              t->stride, t->dil, t->padding, t->in_zp, t->out_zp, i, got[i],
              want[i]);
          fails++;
          break;
        }
    }
  pnn_isa_force(PNN_ISA_COUNT);
  free(x), free(wt), free(bias), free(ws), free(want), free(got);
  return fails;
}

static void random_case(ccase *t, bool dw) {
  static const int chans[] = {1, 3, 8, 16, 17, 24, 32, 33, 64, 96, 100};
  memset(t, 0, sizeof(*t));
  t->dw = dw;
  t->batch = rnd_int(1, 2);
  t->h = rnd_int(1, 12);
  t->w = rnd_int(1, 12);
  t->in_c = chans[rnd_int(0, 10)];
  t->out_c = dw ? t->in_c * (rnd_int(0, 4) ? 1 : 2) : chans[rnd_int(0, 10)];
  const int f = rnd_int(0, 2) ? (rnd_int(0, 1) ? 3 : 5) : rnd_int(1, 7);
  t->f_h = f;
  t->f_w = rnd_int(0, 3) ? f : rnd_int(1, 7);
  t->stride = rnd_int(1, 2);
  t->dil = rnd_int(0, 5) ? 1 : 2;
  t->padding = rnd_int(0, 2) ? PNN_PADDING_SAME : PNN_PADDING_VALID;
  if (t->padding == PNN_PADDING_VALID) {
    if (t->h < (t->f_h - 1) * t->dil + 1) t->h = (t->f_h - 1) * t->dil + 1;
    if (t->w < (t->f_w - 1) * t->dil + 1) t->w = (t->f_w - 1) * t->dil + 1;
  }
  static const int acts[] = {PNN_ACT_NONE, PNN_ACT_RELU, PNN_ACT_RELU6};
  t->act = acts[rnd_int(0, 2)];
  t->in_zp = zp_pick();
  t->out_zp = zp_pick();
}

TEST(qs8_depthwise_every_isa_and_threads_match_reference) {
  int fails = 0;
  ccase t;
  for (int i = 0; i < 60; i++) {
    random_case(&t, true);
    fails += one_case(&t) != 0;
  }
  CHECK_MSG(fails == 0, "%d failing depthwise cases", fails);
}

TEST(qs8_conv2d_every_isa_and_threads_match_reference) {
  int fails = 0;
  ccase t;
  for (int i = 0; i < 60; i++) {
    random_case(&t, false);
    fails += one_case(&t) != 0;
  }
  /* the Keras stems: 3 input channels, 3x3 / 7x7 stride 2 */
  ccase stem = {false,         1,  17,  19, 3, 32, 3, 3, 2, 1, PNN_PADDING_SAME,
                PNN_ACT_RELU6, -1, -128};
  fails += one_case(&stem) != 0;
  ccase stem7 = {false,        1,   20, 21, 3, 64, 7, 7, 2, 1, PNN_PADDING_SAME,
                 PNN_ACT_NONE, 127, 3};
  fails += one_case(&stem7) != 0;
  CHECK_MSG(fails == 0, "%d failing conv cases", fails);
}
