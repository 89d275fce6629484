/* f32 transpose convolution on the GEMM (src/kernels/f32_deconv.c) against
 * the scatter definition in double, on every ISA level the host supports
 * (forced in turn): random shapes with odd sizes, strides larger and
 * smaller than the filter, leading padding, outputs cut short or running
 * past the last input tap, every fused activation, several GEMM bands,
 * tasks run in uneven reverse chunks as threads would. Then the
 * MediaPipe op Convolution2DTransposeBias end to end: constant weights
 * (the GEMM path) against the same weights fed as an input (the reference
 * loops of src/ops/mediapipe.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "format/model_builder.h"
#include "harness.h"
#include "kernels/cpu.h"
#include "kernels/f32_deconv.h"
#include "pocketnn.h"

static unsigned g_seed = 4242;
static unsigned rnd(void) {
  g_seed = g_seed * 1103515245u + 12345u;
  return (g_seed >> 8) & 0xffffff;
}
static int rnd_int(int lo, int hi) {
  return lo + (int)(rnd() % (unsigned)(hi - lo + 1));
}
static float rnd_f(void) { return (float)rnd() / (float)0xffffff * 2.f - 1.f; }
static void fill(float *p, size_t n) {
  for (size_t i = 0; i < n; i++) p[i] = rnd_f();
}

static double ref_act(int act, double v) {
  switch (act) {
    case 1: return v < 0 ? 0 : v;
    case 2: return v < -1 ? -1 : (v > 1 ? 1 : v);
    case 3: return v < 0 ? 0 : (v > 6 ? 6 : v);
    case 4: return tanh(v);
    default: return v;
  }
}

static void serial(void *ctx, int64_t n, pnn_f32_range_fn fn, void *arg) {
  (void)ctx;
  int64_t end = n;
  while (end > 0) {
    int64_t begin = end - rnd_int(1, 3);
    if (begin < 0) begin = 0;
    fn(arg, begin, end);
    end = begin;
  }
}

/* Returns 1 (and prints the first bad element) on a mismatch. */
static int deconv_case(pnn_isa isa, const pnn_f32_deconv_shape *s) {
  const size_t in_n = (size_t)s->batch * s->in_h * s->in_w * s->in_c;
  const size_t w_n = (size_t)s->out_c * s->f_h * s->f_w * s->in_c;
  const size_t out_n = (size_t)s->batch * s->out_h * s->out_w * s->out_c;
  float *in = malloc(sizeof(float) * (in_n + 1));
  float *w = malloc(sizeof(float) * (w_n + 1));
  float *bias = malloc(sizeof(float) * (size_t)s->out_c);
  float *out = malloc(sizeof(float) * (out_n + 1));
  double *acc = calloc(out_n + 1, sizeof(double));
  double *mag = calloc(out_n + 1, sizeof(double));
  void *mem = malloc(pnn_f32_deconv_weight_bytes(s, isa));
  fill(in, in_n);
  fill(w, w_n);
  fill(bias, (size_t)s->out_c);
  pnn_f32_deconv dc;
  pnn_f32_deconv_init(&dc, s, isa, w, bias, mem);
  /* Nothing of w or bias may be read after init. */
  for (size_t i = 0; i < w_n; i++) w[i] = -w[i];
  const float b0 = bias[0];
  bias[0] = 1e6f;
  const size_t sb = pnn_f32_deconv_scratch_bytes(&dc);
  float *scratch = malloc(sb ? sb : 1);
  for (size_t i = 0; i < out_n; i++) out[i] = NAN;
  pnn_f32_deconv_run(&dc, in, out, scratch, serial, NULL);
  bias[0] = b0;
  for (size_t i = 0; i < w_n; i++) w[i] = -w[i];
  /* Scatter definition, in double. */
  for (int b = 0; b < s->batch; b++)
    for (int oy = 0; oy < s->out_h; oy++)
      for (int ox = 0; ox < s->out_w; ox++)
        for (int oc = 0; oc < s->out_c; oc++) {
          size_t o = (((size_t)b * s->out_h + oy) * s->out_w + ox) * s->out_c + oc;
          acc[o] = bias[oc];
          mag[o] = fabs(bias[oc]);
        }
  for (int b = 0; b < s->batch; b++)
    for (int iy = 0; iy < s->in_h; iy++)
      for (int ix = 0; ix < s->in_w; ix++)
        for (int fy = 0; fy < s->f_h; fy++)
          for (int fx = 0; fx < s->f_w; fx++) {
            int oy = iy * s->stride_h - s->pad_h + fy;
            int ox = ix * s->stride_w - s->pad_w + fx;
            if (oy < 0 || oy >= s->out_h || ox < 0 || ox >= s->out_w) continue;
            for (int oc = 0; oc < s->out_c; oc++) {
              size_t o = (((size_t)b * s->out_h + oy) * s->out_w + ox) * s->out_c + oc;
              for (int c = 0; c < s->in_c; c++) {
                double p =
                    (double)in[(((size_t)b * s->in_h + iy) * s->in_w + ix) * s->in_c + c] *
                    w[(((size_t)oc * s->f_h + fy) * s->f_w + fx) * s->in_c + c];
                acc[o] += p;
                mag[o] += fabs(p);
              }
            }
          }
  int bad = 0;
  for (size_t o = 0; o < out_n; o++) {
    double want = ref_act(s->act, acc[o]);
    if (!(fabs((double)out[o] - want) <= 1e-5 * mag[o] + 1e-6)) {
      printf("  %s deconv %dx%d s%dx%d pad %d,%d in %dx%dx%dx%d -> %dx%dx%d act %d: "
             "element %zu = %g, want %g\n",
             pnn_isa_name(isa), s->f_h, s->f_w, s->stride_h, s->stride_w, s->pad_h,
             s->pad_w, s->batch, s->in_h, s->in_w, s->in_c, s->out_h, s->out_w,
             s->out_c, s->act, o, (double)out[o], want);
      bad = 1;
      break;
    }
  }
  free(in), free(w), free(bias), free(out), free(acc), free(mag), free(mem),
      free(scratch);
  return bad;
}

static pnn_f32_deconv_shape random_deconv(void) {
  pnn_f32_deconv_shape s = {0};
  s.batch = rnd_int(1, 2);
  s.in_h = rnd_int(1, 11);
  s.in_w = rnd_int(1, 11);
  s.in_c = rnd_int(1, 19);
  s.out_c = rnd_int(1, 21);
  s.f_h = rnd_int(1, 5);
  s.f_w = rnd_int(1, 5);
  s.stride_h = rnd_int(1, 3);
  s.stride_w = rnd_int(1, 3);
  s.pad_h = rnd_int(0, s.f_h - 1);
  s.pad_w = rnd_int(0, s.f_w - 1);
  s.act = rnd_int(0, 4);
  /* The full output, sometimes cut short or grown by a row/column. */
  s.out_h = (s.in_h - 1) * s.stride_h + s.f_h - 2 * s.pad_h + rnd_int(-1, 1);
  s.out_w = (s.in_w - 1) * s.stride_w + s.f_w - 2 * s.pad_w + rnd_int(-1, 1);
  if (s.out_h < 1) s.out_h = 1;
  if (s.out_w < 1) s.out_w = 1;
  return s;
}

TEST(deconv_random_shapes_every_isa) {
  for (int isa = 0; isa <= (int)pnn_isa_supported(); isa++) {
    int fails = 0;
    for (int r = 0; r < 80; r++) {
      pnn_f32_deconv_shape s = random_deconv();
      fails += deconv_case((pnn_isa)isa, &s);
    }
    CHECK_MSG(fails == 0, "%s: %d failing deconv cases",
              pnn_isa_name((pnn_isa)isa), fails);
  }
}

TEST(deconv_many_bands_and_mask_every_isa) {
  for (int isa = 0; isa <= (int)pnn_isa_supported(); isa++) {
    /* Wide rows and many taps: a band is a few input rows, so output rows
     * collect contributions from several bands. */
    pnn_f32_deconv_shape big = {2, 9, 61, 7, 0, 0, 37, 5, 3, 2, 1, 2, 1, 3};
    big.out_h = (big.in_h - 1) * big.stride_h + big.f_h - 2 * big.pad_h;
    big.out_w = (big.in_w - 1) * big.stride_w + big.f_w - 2 * big.pad_w;
    pnn_f32_deconv dc;
    void *mem = malloc(pnn_f32_deconv_weight_bytes(&big, (pnn_isa)isa));
    float *w = calloc((size_t)37 * 5 * 3 * 7, sizeof(float));
    pnn_f32_deconv_init(&dc, &big, (pnn_isa)isa, w, NULL, mem);
    CHECK_MSG(dc.band < (size_t)big.in_h, "band %zu rows, want < %d", dc.band,
              (int)big.in_h);
    free(mem), free(w);
    CHECK(deconv_case((pnn_isa)isa, &big) == 0);
    /* selfie_segmentation's last layer: one output channel, 2x2 stride 2. */
    pnn_f32_deconv_shape mask = {1, 33, 17, 16, 66, 34, 1, 2, 2, 2, 2, 0, 0, 0};
    CHECK(deconv_case((pnn_isa)isa, &mask) == 0);
    /* Stride larger than the filter: gaps get the bias only. */
    pnn_f32_deconv_shape gaps = {1, 4, 5, 3, 12, 15, 2, 2, 2, 3, 3, 0, 0, 1};
    CHECK(deconv_case((pnn_isa)isa, &gaps) == 0);
  }
  pnn_isa_force(PNN_ISA_COUNT);
}

/* ---- The op: constant weights (GEMM) vs weights as an input (loops). */

static pnn_status run_tconv(bool const_weights, const int32_t opts[3],
                            const int32_t in_dims[4], const int32_t w_dims[4],
                            const float *x, const float *w, const float *b,
                            float **out, size_t *out_n) {
  pnn_mb *mb = pnn_mb_new();
  int ti = pnn_mb_tensor(mb, "x", PNN_TYPE_FLOAT32, 4, in_dims, NULL);
  int tw = pnn_mb_tensor(mb, "w", PNN_TYPE_FLOAT32, 4, w_dims,
                         const_weights ? w : NULL);
  int tb = pnn_mb_tensor(mb, "b", PNN_TYPE_FLOAT32, 1, &w_dims[0], b);
  int32_t one = 1;
  int ty = pnn_mb_tensor(mb, "y", PNN_TYPE_FLOAT32, 1, &one, NULL);
  int32_t ins[3] = {ti, tw, tb}, model_in[2] = {ti, tw};
  pnn_mb_custom_op(mb, "Convolution2DTransposeBias", opts, 12, 3, ins, 1, &ty);
  pnn_mb_inputs(mb, const_weights ? 1 : 2, model_in);
  pnn_mb_outputs(mb, 1, &ty);
  uint8_t *bytes = NULL;
  size_t size = 0;
  pnn_model *model = NULL;
  pnn_interpreter *it = NULL;
  pnn_status s = pnn_mb_finish(mb, &bytes, &size);
  char err[256];
  if (!s) s = pnn_model_load_buffer(bytes, size, NULL, &model, err, sizeof err);
  pnn_interpreter_options io;
  pnn_interpreter_options_init(&io);
  io.num_threads = 2;
  if (!s) s = pnn_interpreter_create(model, &io, &it);
  if (!s) s = pnn_interpreter_allocate(it);
  if (!s) {
    pnn_tensor *t = pnn_interpreter_input(it, 0);
    s = pnn_tensor_copy_from(t, x, pnn_tensor_byte_size(t));
  }
  if (!s && !const_weights) {
    pnn_tensor *t = pnn_interpreter_input(it, 1);
    s = pnn_tensor_copy_from(t, w, pnn_tensor_byte_size(t));
  }
  if (!s) s = pnn_interpreter_invoke(it);
  if (!s) {
    pnn_tensor *o = pnn_interpreter_output(it, 0);
    *out_n = pnn_tensor_byte_size(o) / sizeof(float);
    *out = malloc(pnn_tensor_byte_size(o) + 1);
    memcpy(*out, pnn_tensor_data(o), pnn_tensor_byte_size(o));
  }
  pnn_interpreter_free(it);
  pnn_model_free(model);
  free(bytes);
  pnn_mb_free(mb);
  return s;
}

TEST(tconv_op_gemm_matches_reference_loops) {
  const struct {
    int32_t opts[3]; /* padding (1 SAME, 2 VALID), stride_w, stride_h */
    int32_t in[4], w[4];
  } cases[] = {
      {{1, 2, 2}, {1, 16, 12, 16}, {1, 2, 2, 16}}, /* selfie's last layer */
      {{2, 2, 2}, {2, 7, 5, 3}, {5, 3, 3, 3}},
      {{1, 3, 2}, {1, 6, 9, 4}, {7, 4, 5, 4}},
      {{2, 1, 1}, {1, 5, 5, 8}, {3, 3, 3, 8}},
  };
  for (int isa = 0; isa <= (int)pnn_isa_supported(); isa++) {
    CHECK(pnn_isa_force((pnn_isa)isa));
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
      size_t xn = 1, wn = 1;
      for (int i = 0; i < 4; i++) xn *= (size_t)cases[k].in[i];
      for (int i = 0; i < 4; i++) wn *= (size_t)cases[k].w[i];
      float *x = malloc(xn * sizeof(float)), *w = malloc(wn * sizeof(float));
      float *b = malloc((size_t)cases[k].w[0] * sizeof(float));
      fill(x, xn), fill(w, wn), fill(b, (size_t)cases[k].w[0]);
      float *gemm = NULL, *ref = NULL;
      size_t gn = 0, rn = 0;
      pnn_status s1 = run_tconv(true, cases[k].opts, cases[k].in, cases[k].w,
                                x, w, b, &gemm, &gn);
      pnn_status s2 = run_tconv(false, cases[k].opts, cases[k].in, cases[k].w,
                                x, w, b, &ref, &rn);
      int bad = s1 != PNN_OK || s2 != PNN_OK || gn != rn || gn == 0;
      for (size_t i = 0; !bad && i < gn; i++)
        bad = !(fabsf(gemm[i] - ref[i]) <= 1e-5f * (1.f + fabsf(ref[i])));
      free(x), free(w), free(b), free(gemm), free(ref);
      CHECK_MSG(!bad, "%s case %zu: status %d/%d, %zu/%zu values differ",
                pnn_isa_name((pnn_isa)isa), k, (int)s1, (int)s2, gn, rn);
    }
  }
  pnn_isa_force(PNN_ISA_COUNT);
}

/* ---- TRANSPOSE_CONV (builtin): constant weights take the GEMM path,
 * weights fed as an input the reference loops of src/ops/conv.c. */

static pnn_status run_builtin(bool const_weights, int padding, int stride,
                              int act, const int32_t in_dims[4],
                              const int32_t w_dims[4], const int32_t out[4],
                              const float *x, const float *w, const float *b,
                              float **y, size_t *y_n) {
  pnn_mb *mb = pnn_mb_new();
  int ts = pnn_mb_tensor(mb, "shape", PNN_TYPE_INT32, 1, (int32_t[]){4}, out);
  int tw = pnn_mb_tensor(mb, "w", PNN_TYPE_FLOAT32, 4, w_dims,
                         const_weights ? w : NULL);
  int ti = pnn_mb_tensor(mb, "x", PNN_TYPE_FLOAT32, 4, in_dims, NULL);
  int tb = pnn_mb_tensor(mb, "b", PNN_TYPE_FLOAT32, 1, &w_dims[0], b);
  int ty = pnn_mb_tensor(mb, "y", PNN_TYPE_FLOAT32, 4, out, NULL);
  pnn_transpose_conv_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(transpose_conv), &o);
  o.padding = (int8_t)padding;
  o.stride_w = o.stride_h = stride;
  o.fused_activation_function = (int8_t)act;
  pnn_mb_op(mb, PNN_OP_TRANSPOSE_CONV, PNN_OPTIONS_OF(transpose_conv), &o, 4,
            (int32_t[]){ts, tw, ti, tb}, 1, &ty);
  int32_t ins[2] = {ti, tw};
  pnn_mb_inputs(mb, const_weights ? 1 : 2, ins);
  pnn_mb_outputs(mb, 1, &ty);
  uint8_t *bytes = NULL;
  size_t size = 0;
  pnn_model *model = NULL;
  pnn_interpreter *it = NULL;
  char err[256];
  pnn_status s = pnn_mb_finish(mb, &bytes, &size);
  if (!s) s = pnn_model_load_buffer(bytes, size, NULL, &model, err, sizeof err);
  pnn_interpreter_options io;
  pnn_interpreter_options_init(&io);
  io.num_threads = 2;
  if (!s) s = pnn_interpreter_create(model, &io, &it);
  if (!s) s = pnn_interpreter_allocate(it);
  if (!s) {
    pnn_tensor *t = pnn_interpreter_input(it, 0);
    s = pnn_tensor_copy_from(t, x, pnn_tensor_byte_size(t));
  }
  if (!s && !const_weights) {
    pnn_tensor *t = pnn_interpreter_input(it, 1);
    s = pnn_tensor_copy_from(t, w, pnn_tensor_byte_size(t));
  }
  if (!s) s = pnn_interpreter_invoke(it);
  if (!s) {
    pnn_tensor *t = pnn_interpreter_output(it, 0);
    *y_n = pnn_tensor_byte_size(t) / sizeof(float);
    *y = malloc(pnn_tensor_byte_size(t) + 1);
    memcpy(*y, pnn_tensor_data(t), pnn_tensor_byte_size(t));
  }
  if (s && it) fprintf(stderr, "  %s\n", pnn_interpreter_last_error(it));
  pnn_interpreter_free(it);
  pnn_model_free(model);
  free(bytes);
  pnn_mb_free(mb);
  return s;
}

TEST(transpose_conv_builtin_gemm_matches_reference_loops) {
  const struct {
    int padding, stride, act;
    int32_t in[4], w[4], out[4];
  } cases[] = {
      {PNN_PADDING_SAME, 2, 0, {1, 5, 7, 6}, {9, 3, 3, 6}, {1, 10, 14, 9}},
      {PNN_PADDING_VALID, 2, 1, {2, 4, 3, 5}, {4, 3, 3, 5}, {2, 9, 7, 4}},
      {PNN_PADDING_SAME, 1, 3, {1, 6, 6, 8}, {3, 3, 3, 8}, {1, 6, 6, 3}},
      {PNN_PADDING_VALID, 3, 4, {1, 3, 4, 2}, {5, 2, 2, 2}, {1, 8, 11, 5}},
  };
  for (int isa = 0; isa <= (int)pnn_isa_supported(); isa++) {
    CHECK(pnn_isa_force((pnn_isa)isa));
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
      size_t xn = 1, wn = 1;
      for (int i = 0; i < 4; i++) xn *= (size_t)cases[k].in[i];
      for (int i = 0; i < 4; i++) wn *= (size_t)cases[k].w[i];
      float *x = malloc(xn * sizeof(float)), *w = malloc(wn * sizeof(float));
      float *b = malloc((size_t)cases[k].w[0] * sizeof(float));
      fill(x, xn), fill(w, wn), fill(b, (size_t)cases[k].w[0]);
      float *gemm = NULL, *ref = NULL;
      size_t gn = 0, rn = 0;
      pnn_status s1 = run_builtin(true, cases[k].padding, cases[k].stride,
                                  cases[k].act, cases[k].in, cases[k].w,
                                  cases[k].out, x, w, b, &gemm, &gn);
      pnn_status s2 = run_builtin(false, cases[k].padding, cases[k].stride,
                                  cases[k].act, cases[k].in, cases[k].w,
                                  cases[k].out, x, w, b, &ref, &rn);
      int bad = s1 != PNN_OK || s2 != PNN_OK || gn != rn || gn == 0;
      for (size_t i = 0; !bad && i < gn; i++)
        bad = !(fabsf(gemm[i] - ref[i]) <= 1e-5f * (1.f + fabsf(ref[i])));
      free(x), free(w), free(b), free(gemm), free(ref);
      CHECK_MSG(!bad, "%s case %zu: status %d/%d, %zu/%zu values differ",
                pnn_isa_name((pnn_isa)isa), k, (int)s1, (int)s2, gn, rn);
    }
  }
  pnn_isa_force(PNN_ISA_COUNT);
}
