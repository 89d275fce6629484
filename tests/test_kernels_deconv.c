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

#include "kernels/cpu.h"
#include "kernels/f32_deconv.h"
#include "optest.h"
#include "test_rand.h"
#include "f32_kernel_ref.h"

static unsigned g_seed = 4242;

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
  rnd_fill(in, in_n);
  rnd_fill(w, w_n);
  rnd_fill(bias, (size_t)s->out_c);
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

/* ---- The ops: constant weights take the GEMM path, weights fed as an
 * input the reference loops (of src/ops/mediapipe.c for the MediaPipe op
 * Convolution2DTransposeBias, of src/ops/conv.c for TRANSPOSE_CONV). */

typedef struct {
  int32_t opts[3]; /* padding (1 SAME, 2 VALID), stride_w, stride_h */
  int32_t in[4], w[4];
} tconv_case;

typedef struct {
  int padding, stride, act;
  int32_t in[4], w[4], out[4];
} builtin_case;

/* Builds and runs one op (case c) in t: input x, weights w (constant or
 * a second input), bias b. */
typedef pnn_status (*op_fn)(optest *t, bool const_weights, const void *c,
                            const float *x, const float *w, const float *b);

static int32_t weights(optest *t, bool const_weights, const int32_t dims[4],
                       const float *w) {
  return const_weights ? ot_qtensor(t, "w", PNN_TYPE_FLOAT32, 4, dims, w, 0, 0)
                       : ot_input(t, PNN_TYPE_FLOAT32, 4, dims, w);
}

static pnn_status tconv_op(optest *t, bool const_weights, const void *cp,
                           const float *x, const float *w, const float *b) {
  const tconv_case *c = cp;
  int32_t ins[3];
  ins[0] = ot_input(t, PNN_TYPE_FLOAT32, 4, c->in, x);
  ins[1] = weights(t, const_weights, c->w, w);
  ins[2] = ot_qtensor(t, "b", PNN_TYPE_FLOAT32, 1, &c->w[0], b, 0, 0);
  int32_t y = ot_output(t, PNN_TYPE_FLOAT32);
  return ot_run_custom(t, "Convolution2DTransposeBias", 1, c->opts, 12, 3, ins,
                       1, &y);
}

static pnn_status builtin_op(optest *t, bool const_weights, const void *cp,
                             const float *x, const float *w, const float *b) {
  const builtin_case *c = cp;
  int32_t ins[4];
  ins[2] = ot_input(t, PNN_TYPE_FLOAT32, 4, c->in, x);
  ins[0] =
      ot_qtensor(t, "shape", PNN_TYPE_INT32, 1, (int32_t[]){4}, c->out, 0, 0);
  ins[1] = weights(t, const_weights, c->w, w);
  ins[3] = ot_qtensor(t, "b", PNN_TYPE_FLOAT32, 1, &c->w[0], b, 0, 0);
  int32_t y = ot_qtensor(t, "y", PNN_TYPE_FLOAT32, 4, c->out, NULL, 0, 0);
  pnn_transpose_conv_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(transpose_conv), &o);
  o.padding = (int8_t)c->padding;
  o.stride_w = o.stride_h = c->stride;
  o.fused_activation_function = (int8_t)c->act;
  return ot_run(t, PNN_OP_TRANSPOSE_CONV, PNN_OPTIONS_OF(transpose_conv), &o, 4,
                ins, y);
}

/* Runs the op of case c with 2 threads; *y (malloc'ed) = output 0. */
static pnn_status run_op(op_fn op, bool const_weights, const void *c,
                         const float *x, const float *w, const float *b,
                         float **y, size_t *y_n) {
  optest t;
  ot_begin(&t);
  t.threads = 2;
  pnn_status s = op(&t, const_weights, c, x, w, b);
  if (!s) {
    const size_t bytes = pnn_tensor_byte_size(ot_out(&t));
    *y_n = bytes / sizeof(float);
    *y = malloc(bytes + 1);
    memcpy(*y, ot_data(&t), bytes);
  } else {
    fprintf(stderr, "  %s\n", ot_error(&t));
  }
  ot_end(&t);
  return s;
}

/* Case c of `op` at the forced ISA level, random x, w, b: constant weights
 * (GEMM) against the same weights as an input (loops). True if they agree
 * (within 1e-5 relative); else prints what differs. */
static bool gemm_matches_loops(op_fn op, const void *c, const int32_t in[4],
                               const int32_t wd[4], const char *what) {
  size_t xn = 1, wn = 1;
  for (int i = 0; i < 4; i++) xn *= (size_t)in[i];
  for (int i = 0; i < 4; i++) wn *= (size_t)wd[i];
  float *x = malloc(xn * sizeof(float)), *w = malloc(wn * sizeof(float));
  float *b = malloc((size_t)wd[0] * sizeof(float));
  rnd_fill(x, xn), rnd_fill(w, wn), rnd_fill(b, (size_t)wd[0]);
  float *gemm = NULL, *ref = NULL;
  size_t gn = 0, rn = 0;
  pnn_status s1 = run_op(op, true, c, x, w, b, &gemm, &gn);
  pnn_status s2 = run_op(op, false, c, x, w, b, &ref, &rn);
  bool bad = s1 != PNN_OK || s2 != PNN_OK || gn != rn || gn == 0;
  for (size_t i = 0; !bad && i < gn; i++)
    bad = !(fabsf(gemm[i] - ref[i]) <= 1e-5f * (1.f + fabsf(ref[i])));
  if (bad)
    printf("  %s %s: status %d/%d, %zu/%zu values\n", what,
           pnn_isa_name(pnn_isa_active()), (int)s1, (int)s2, gn, rn);
  free(x), free(w), free(b), free(gemm), free(ref);
  return !bad;
}

TEST(tconv_op_gemm_matches_reference_loops) {
  static const tconv_case cases[] = {
      {{1, 2, 2}, {1, 16, 12, 16}, {1, 2, 2, 16}}, /* selfie's last layer */
      {{2, 2, 2}, {2, 7, 5, 3}, {5, 3, 3, 3}},
      {{1, 3, 2}, {1, 6, 9, 4}, {7, 4, 5, 4}},
      {{2, 1, 1}, {1, 5, 5, 8}, {3, 3, 3, 8}},
  };
  for (int isa = 0; isa <= (int)pnn_isa_supported(); isa++) {
    CHECK(pnn_isa_force((pnn_isa)isa));
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
      CHECK_MSG(gemm_matches_loops(tconv_op, &cases[k], cases[k].in, cases[k].w,
                                   "tconv"),
                "%s case %zu differs", pnn_isa_name((pnn_isa)isa), k);
  }
  pnn_isa_force(PNN_ISA_COUNT);
}

TEST(transpose_conv_builtin_gemm_matches_reference_loops) {
  static const builtin_case cases[] = {
      {PNN_PADDING_SAME, 2, 0, {1, 5, 7, 6}, {9, 3, 3, 6}, {1, 10, 14, 9}},
      {PNN_PADDING_VALID, 2, 1, {2, 4, 3, 5}, {4, 3, 3, 5}, {2, 9, 7, 4}},
      {PNN_PADDING_SAME, 1, 3, {1, 6, 6, 8}, {3, 3, 3, 8}, {1, 6, 6, 3}},
      {PNN_PADDING_VALID, 3, 4, {1, 3, 4, 2}, {5, 2, 2, 2}, {1, 8, 11, 5}},
  };
  for (int isa = 0; isa <= (int)pnn_isa_supported(); isa++) {
    CHECK(pnn_isa_force((pnn_isa)isa));
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
      CHECK_MSG(gemm_matches_loops(builtin_op, &cases[k], cases[k].in,
                                   cases[k].w, "transpose_conv"),
                "%s case %zu differs", pnn_isa_name((pnn_isa)isa), k);
  }
  pnn_isa_force(PNN_ISA_COUNT);
}
