/* The parallel split of the GEMM-based ops gives the same bytes for any
 * thread count. Shapes are picked to reach each way of splitting (see
 * pnn_f32_gemm_job_init and qs8_gemm_split in src/ops/conv_q.c): row
 * tiles (m >= n), column panels with one or several row tiles (n > m,
 * few or many panels), products too small to split, and the fused
 * im2col conv path (contiguous tile runs per slot); float32 and int8
 * CONV_2D, float32 FULLY_CONNECTED. Each runs with 1, 2, 3 and 4 threads;
 * outputs must equal the 1-thread output bit for bit, and the 1-thread
 * output must be right: int8 equal to the plain-C rows of the scalar
 * level (no packed GEMM), float32 close to a double-precision conv. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "kernels/cpu.h"
#include "optest.h"
#include "test_rand.h"

static unsigned g_seed = 7717;

/* A float in [lo, hi]. */
static float rnd_float(float lo, float hi) {
  return lo + (hi - lo) * (rnd_unit() + 1.f) * 0.5f;
}

typedef struct {
  int h, w, in_c, out_c, f, stride;
} cshape;

static const cshape SHAPES[] = {
    {13, 11, 24, 40, 1, 1},  /* rows: m = 143 > n */
    {3, 3, 200, 96, 1, 1},   /* panels, few: m = 9, n = 96 */
    {2, 2, 64, 600, 1, 1},   /* panels, many: m = 4 */
    {4, 4, 32, 128, 3, 1},   /* im2col, n > m */
    {29, 31, 3, 32, 3, 2},   /* stem: fused im2col tiles */
    {40, 40, 8, 24, 3, 1},   /* fused, many tiles */
    {2, 2, 4, 8, 1, 1},      /* too small to split */
    {7, 7, 96, 576, 1, 1},   /* m = 49, n = 576 */
};
enum { N_SHAPES = sizeof SHAPES / sizeof *SHAPES };

static void out_hw(const cshape *s, int *oh, int *ow) {
  *oh = (s->h + s->stride - 1) / s->stride; /* SAME */
  *ow = (s->w + s->stride - 1) / s->stride;
}

/* Element counts of the input, the weights and the output of shape s. */
static void shape_counts(const cshape *s, size_t *xn, size_t *wn,
                         size_t *yn) {
  int oh, ow;
  out_hw(s, &oh, &ow);
  *xn = (size_t)s->h * s->w * s->in_c;
  *wn = (size_t)s->out_c * s->f * s->f * s->in_c;
  *yn = (size_t)oh * ow * s->out_c;
}

/* Runs `op` on the three inputs `ins` into y, copies its output, which
 * must be `bytes` long, to out (prints the error on failure) and ends o. */
static pnn_status run_copy_out(optest *o, int32_t op, uint8_t opt_type,
                               const void *opts, const int32_t *ins, int y,
                               void *out, size_t bytes) {
  pnn_status st = ot_run(o, op, opt_type, opts, 3, ins, y);
  if (!st)
    st = pnn_tensor_byte_size(ot_out(o)) != bytes
             ? PNN_ERROR_INVALID_MODEL
             : pnn_tensor_copy_to(ot_out(o), out, bytes);
  if (st) printf("  error: %s\n", ot_error(o));
  ot_end(o);
  return st;
}

/* The inputs of an int8 conv with per-channel weights: x (dims xd, scale
 * xs, zero point x_zp), weights wt (dims wd, nc scales ws along dimension
 * w_axis, zero points 0), int32 bias b of nc values (scales xs * ws[c]). */
static void s8_conv_inputs(optest *o, const int32_t *xd, const int8_t *x,
                           float xs, int32_t x_zp, const int32_t *wd,
                           const int8_t *wt, const float *ws, int w_axis,
                           const int32_t *b, int nc, int32_t ins[3]) {
  int32_t bd[1] = {nc};
  float *bs = malloc(sizeof(float) * nc);
  int64_t *zeros = calloc((size_t)nc, sizeof(int64_t));
  for (int c = 0; c < nc; c++) bs[c] = xs * ws[c];
  ins[0] = ot_qinput(o, PNN_TYPE_INT8, 4, xd, x, xs, x_zp);
  ins[1] = ot_qtensor_n(o, "w", PNN_TYPE_INT8, 4, wd, wt, nc, ws, zeros,
                        w_axis);
  ins[2] = ot_qtensor_n(o, "b", PNN_TYPE_INT32, 1, bd, b, nc, bs, zeros, 0);
  free(bs);
  free(zeros);
}

/* Random data of an int8 conv test: input x[xn], weights wt[wn] (-127 to
 * 127), per channel (nc) a bias in [-b_max, b_max] and a weight scale of
 * 1 to 400 ws_units; want and got of n bytes. */
typedef struct {
  int8_t *x, *wt, *want, *got;
  int32_t *b;
  float *ws;
} s8_data;

static void s8_data_new(s8_data *d, size_t xn, size_t wn, int nc,
                        int32_t b_max, float ws_unit, size_t n) {
  d->x = malloc(xn), d->wt = malloc(wn);
  d->b = malloc(sizeof(int32_t) * nc);
  d->ws = malloc(sizeof(float) * nc);
  d->want = malloc(n), d->got = malloc(n);
  for (size_t k = 0; k < xn; k++) d->x[k] = (int8_t)rnd_int(-128, 127);
  for (size_t k = 0; k < wn; k++) d->wt[k] = (int8_t)rnd_int(-127, 127);
  for (int k = 0; k < nc; k++) {
    d->b[k] = rnd_int(-b_max, b_max);
    d->ws[k] = (float)rnd_int(1, 400) * ws_unit;
  }
}

static void s8_data_free(s8_data *d) {
  free(d->x), free(d->wt), free(d->b), free(d->ws), free(d->want),
      free(d->got);
}

/* float32 CONV_2D; out gets n floats. */
static pnn_status run_f32(const cshape *s, const float *x, const float *wt,
                          const float *b, int threads, float *out, size_t n) {
  int32_t xd[4] = {1, s->h, s->w, s->in_c};
  int32_t wd[4] = {s->out_c, s->f, s->f, s->in_c};
  int32_t bd[1] = {s->out_c};
  optest o;
  ot_begin(&o);
  o.threads = threads;
  int32_t ins[3] = {ot_input(&o, PNN_TYPE_FLOAT32, 4, xd, x),
                    ot_const(&o, PNN_TYPE_FLOAT32, 4, wd, wt),
                    ot_const(&o, PNN_TYPE_FLOAT32, 1, bd, b)};
  int y = ot_output(&o, PNN_TYPE_FLOAT32);
  pnn_conv2d_options c =
      ot_conv_opts(PNN_PADDING_SAME, s->stride, PNN_ACT_RELU6);
  return run_copy_out(&o, PNN_OP_CONV_2D, PNN_OPTIONS_OF(conv2d), &c, ins, y,
                      out, n * sizeof(float));
}

/* int8 CONV_2D, per-channel weights; out gets n bytes. */
static pnn_status run_s8(const cshape *s, const int8_t *x, const int8_t *wt,
                         const int32_t *b, const float *ws, int threads,
                         int8_t *out, size_t n) {
  const int oc = s->out_c;
  int32_t xd[4] = {1, s->h, s->w, s->in_c};
  int32_t wd[4] = {oc, s->f, s->f, s->in_c};
  int oh, ow;
  out_hw(s, &oh, &ow);
  int32_t yd[4] = {1, oh, ow, oc};
  optest o;
  ot_begin(&o);
  o.threads = threads;
  int32_t ins[3];
  s8_conv_inputs(&o, xd, x, 0.05f, -3, wd, wt, ws, 0, b, oc, ins);
  int y = ot_qtensor(&o, "y", PNN_TYPE_INT8, 4, yd, NULL, 0.7f, 5);
  pnn_conv2d_options c =
      ot_conv_opts(PNN_PADDING_SAME, s->stride, PNN_ACT_NONE);
  return run_copy_out(&o, PNN_OP_CONV_2D, PNN_OPTIONS_OF(conv2d), &c, ins, y,
                      out, n);
}

TEST(f32_conv_same_bytes_for_any_thread_count) {
  for (int i = 0; i < N_SHAPES; i++) {
    const cshape *s = &SHAPES[i];
    size_t xn, wn, n;
    shape_counts(s, &xn, &wn, &n);
    int oh, ow;
    out_hw(s, &oh, &ow);
    float *x = malloc(sizeof(float) * xn), *wt = malloc(sizeof(float) * wn);
    float *b = malloc(sizeof(float) * s->out_c);
    float *want = malloc(sizeof(float) * n), *got = malloc(sizeof(float) * n);
    for (size_t k = 0; k < xn; k++) x[k] = rnd_float(-1, 1);
    for (size_t k = 0; k < wn; k++) wt[k] = rnd_float(-0.5f, 0.5f);
    for (int k = 0; k < s->out_c; k++) b[k] = rnd_float(-0.2f, 0.2f);
    CHECK_EQ_INT(run_f32(s, x, wt, b, 1, want, n), PNN_OK);
    /* the 1-thread output against a double-precision conv (SAME) */
    const int pad_h = ((oh - 1) * s->stride + s->f - s->h) / 2;
    const int pad_w = ((ow - 1) * s->stride + s->f - s->w) / 2;
    int bad = -1;
    for (int oy = 0; oy < oh && bad < 0; oy++)
      for (int ox = 0; ox < ow; ox++)
        for (int oc = 0; oc < s->out_c; oc++) {
          double acc = b[oc];
          for (int ky = 0; ky < s->f; ky++)
            for (int kx = 0; kx < s->f; kx++) {
              const int iy = oy * s->stride - pad_h + ky;
              const int ix = ox * s->stride - pad_w + kx;
              if (iy < 0 || iy >= s->h || ix < 0 || ix >= s->w) continue;
              for (int c = 0; c < s->in_c; c++)
                acc += (double)x[((size_t)iy * s->w + ix) * s->in_c + c] *
                       wt[(((size_t)oc * s->f + ky) * s->f + kx) * s->in_c + c];
            }
          acc = acc < 0 ? 0 : acc > 6 ? 6 : acc;
          const size_t at = ((size_t)oy * ow + ox) * s->out_c + oc;
          if (!(fabs(want[at] - acc) <= 1e-4 * (1 + fabs(acc)))) bad = (int)at;
        }
    CHECK_MSG(bad < 0, "f32 conv shape %d: output %d wrong", i, bad);
    for (int threads = 2; threads <= 4; threads++) {
      memset(got, 0xff, sizeof(float) * n);
      CHECK_EQ_INT(run_f32(s, x, wt, b, threads, got, n), PNN_OK);
      CHECK_MSG(!memcmp(got, want, sizeof(float) * n),
                "f32 conv shape %d (%dx%dx%d -> %d, %dx%d s%d), %d threads",
                i, s->h, s->w, s->in_c, s->out_c, s->f, s->f, s->stride,
                threads);
    }
    free(x), free(wt), free(b), free(want), free(got);
  }
}

TEST(s8_conv_same_bytes_for_any_thread_count) {
  for (int i = 0; i < N_SHAPES; i++) {
    const cshape *s = &SHAPES[i];
    size_t xn, wn, n;
    shape_counts(s, &xn, &wn, &n);
    s8_data d;
    s8_data_new(&d, xn, wn, s->out_c, 5000, 1e-4f, n);
    /* the scalar level's plain-C rows are the reference */
    pnn_isa_force(PNN_ISA_SCALAR);
    CHECK_EQ_INT(run_s8(s, d.x, d.wt, d.b, d.ws, 1, d.want, n), PNN_OK);
    pnn_isa_force(PNN_ISA_COUNT);
    for (int threads = 1; threads <= 4; threads++) {
      memset(d.got, 0x55, n);
      CHECK_EQ_INT(run_s8(s, d.x, d.wt, d.b, d.ws, threads, d.got, n), PNN_OK);
      CHECK_MSG(!memcmp(d.got, d.want, n),
                "int8 conv shape %d (%dx%dx%d -> %d, %dx%d s%d), %d threads",
                i, s->h, s->w, s->in_c, s->out_c, s->f, s->f, s->stride,
                threads);
    }
    s8_data_free(&d);
  }
}

/* int8 DEPTHWISE_CONV_2D (multiplier 1, per-channel) split by output
 * rows: small maps with many channels, large maps, channel counts that
 * leave partial kernel blocks, on every ISA level. */
typedef struct {
  int h, w, c, f, stride;
} dshape;

static pnn_status run_s8_dw(const dshape *s, const int8_t *x,
                            const int8_t *wt, const int32_t *b,
                            const float *ws, int threads, int8_t *out,
                            size_t n) {
  const int c = s->c;
  int32_t xd[4] = {1, s->h, s->w, c}, wd[4] = {1, s->f, s->f, c};
  const int oh = (s->h + s->stride - 1) / s->stride;
  const int ow = (s->w + s->stride - 1) / s->stride;
  int32_t yd[4] = {1, oh, ow, c};
  optest o;
  ot_begin(&o);
  o.threads = threads;
  int32_t ins[3];
  s8_conv_inputs(&o, xd, x, 0.05f, 4, wd, wt, ws, 3, b, c, ins);
  int y = ot_qtensor(&o, "y", PNN_TYPE_INT8, 4, yd, NULL, 0.3f, -2);
  pnn_depthwise_conv2d_options d = {0};
  d.padding = PNN_PADDING_SAME;
  d.stride_w = d.stride_h = s->stride;
  d.dilation_w_factor = d.dilation_h_factor = 1;
  d.depth_multiplier = 1;
  d.fused_activation_function = PNN_ACT_RELU6;
  return run_copy_out(&o, PNN_OP_DEPTHWISE_CONV_2D,
                      PNN_OPTIONS_OF(depthwise_conv2d), &d, ins, y, out, n);
}

TEST(s8_depthwise_same_bytes_for_any_thread_count) {
  static const dshape shapes[] = {
      {4, 4, 576, 3, 1},   /* 16 pixels, 9 blocks of 64 */
      {8, 8, 192, 3, 2},   /* stride 2 */
      {6, 6, 200, 3, 1},   /* partial last block */
      {3, 3, 40, 5, 1},    /* one VNNI block of at most 32: two pixels */
      {16, 16, 96, 3, 1},  /* many rows */
      {2, 2, 24, 3, 1},    /* AVX2 16-channel blocks */
  };
  for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++) {
    const dshape *s = &shapes[i];
    const size_t xn = (size_t)s->h * s->w * s->c, wn = (size_t)s->f * s->f * s->c;
    const int oh = (s->h + s->stride - 1) / s->stride;
    const int ow = (s->w + s->stride - 1) / s->stride;
    const size_t n = (size_t)oh * ow * s->c;
    s8_data d;
    s8_data_new(&d, xn, wn, s->c, 2000, 1e-3f, n);
    pnn_isa_force(PNN_ISA_SCALAR); /* plain-C rows: the reference */
    CHECK_EQ_INT(run_s8_dw(s, d.x, d.wt, d.b, d.ws, 1, d.want, n), PNN_OK);
    for (int isa = PNN_ISA_SCALAR + 1; isa <= (int)pnn_isa_supported(); isa++) {
      pnn_isa_force((pnn_isa)isa);
      for (int threads = 1; threads <= 4; threads++) {
        memset(d.got, 0x55, n);
        CHECK_EQ_INT(run_s8_dw(s, d.x, d.wt, d.b, d.ws, threads, d.got, n),
                     PNN_OK);
        CHECK_MSG(!memcmp(d.got, d.want, n),
                  "int8 depthwise shape %zu (%dx%dx%d, %dx%d s%d), %s, %d "
                  "threads",
                  i, s->h, s->w, s->c, s->f, s->f, s->stride,
                  pnn_isa_name((pnn_isa)isa), threads);
      }
    }
    pnn_isa_force(PNN_ISA_COUNT);
    s8_data_free(&d);
  }
}

/* FULLY_CONNECTED: rows 1 (columns only) to 40, units 10 to 1000. */
TEST(f32_fc_same_bytes_for_any_thread_count) {
  static const int shapes[][3] = {
      {1, 1280, 1000}, {3, 256, 100}, {40, 64, 10}, {17, 128, 200}};
  for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++) {
    const int rows = shapes[i][0], depth = shapes[i][1], units = shapes[i][2];
    float *x = malloc(sizeof(float) * rows * depth);
    float *wt = malloc(sizeof(float) * units * depth);
    float *b = malloc(sizeof(float) * units);
    const size_t n = (size_t)rows * units;
    float *want = malloc(sizeof(float) * n), *got = malloc(sizeof(float) * n);
    for (int k = 0; k < rows * depth; k++) x[k] = rnd_float(-1, 1);
    for (int k = 0; k < units * depth; k++) wt[k] = rnd_float(-0.1f, 0.1f);
    for (int k = 0; k < units; k++) b[k] = rnd_float(-0.1f, 0.1f);
    for (int threads = 1; threads <= 4; threads++) {
      int32_t xd[2] = {rows, depth}, wd[2] = {units, depth}, bd[1] = {units};
      optest o;
      ot_begin(&o);
      o.threads = threads;
      int32_t ins[3] = {ot_input(&o, PNN_TYPE_FLOAT32, 2, xd, x),
                        ot_const(&o, PNN_TYPE_FLOAT32, 2, wd, wt),
                        ot_const(&o, PNN_TYPE_FLOAT32, 1, bd, b)};
      int y = ot_output(&o, PNN_TYPE_FLOAT32);
      pnn_fully_connected_options fc;
      pnn_mb_options_defaults(1, PNN_OPTIONS_OF(fully_connected), &fc);
      float *dst = threads == 1 ? want : got;
      CHECK_EQ_INT(run_copy_out(&o, PNN_OP_FULLY_CONNECTED,
                                PNN_OPTIONS_OF(fully_connected), &fc, ins, y,
                                dst, n * sizeof(float)),
                   PNN_OK);
      if (threads > 1)
        CHECK_MSG(!memcmp(got, want, sizeof(float) * n),
                  "fc %dx%d -> %d, %d threads", rows, depth, units, threads);
    }
    free(x), free(wt), free(b), free(want), free(got);
  }
}
