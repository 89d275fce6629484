/* Prepare-time fusions (src/runtime/fuse.c): PAD -> CONV_2D /
 * DEPTHWISE_CONV_2D. A model whose PAD output is also a subgraph output
 * (so the PAD must run and nothing is fused) is the reference: the fused
 * model must give the same bits, on every ISA level and 1 or 2 threads,
 * and its PAD must be skipped (0 ns in the profile). PADs that cannot be
 * fused (non-zero PADV2 value, channel padding, two readers) must run. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/model_builder.h"
#include "harness.h"
#include "kernels/cpu.h"
#include "pocketnn.h"
#include "runtime/runtime.h"
#include "test_rand.h"

static unsigned g_seed = 9157;
static float rnd_f(void) {
  return (float)rnd_int(0, 0xfffff) / 0xfffff * 2.f - 1.f;
}

typedef struct {
  bool dw;              /* DEPTHWISE_CONV_2D (else CONV_2D) */
  int h, w, c, oc;      /* input; CONV_2D output channels */
  int pt, pb, pl, pr;   /* PAD on H and W */
  int pc;               /* PAD after on channels (not fusable) */
  int fh, fw, stride, dil, same, act;
  int v2;               /* 0: PAD; 1: PADV2 value 0; 2: PADV2 value 0.5 */
  int readers;          /* convs reading the PAD output (1 or 2) */
  bool inf_weight;      /* weight 0 is +inf */
} fcase;

static int out_size(int in, int f, int s, int d, int same) {
  int ef = (f - 1) * d + 1;
  return same ? (in + s - 1) / s : (in - ef + s) / s;
}

/* Builds the model; expose: the PAD output is a subgraph output too. */
static pnn_model *build(const fcase *k, bool expose, const float *wdata,
                        const float *bdata) {
  pnn_mb *mb = pnn_mb_new();
  const int ph = k->h + k->pt + k->pb, pw = k->w + k->pl + k->pr;
  const int pcn = k->c + k->pc;
  int x = pnn_mb_tensor(mb, "x", PNN_TYPE_FLOAT32, 4,
                        (int32_t[]){1, k->h, k->w, k->c}, NULL);
  int32_t pads[8] = {0, 0, k->pt, k->pb, k->pl, k->pr, 0, k->pc};
  int pt = pnn_mb_tensor(mb, "pads", PNN_TYPE_INT32, 2, (int32_t[]){4, 2}, pads);
  int p = pnn_mb_tensor(mb, "padded", PNN_TYPE_FLOAT32, 4,
                        (int32_t[]){1, ph, pw, pcn}, NULL);
  if (k->v2) {
    float v = k->v2 == 2 ? 0.5f : 0.f;
    int cv = pnn_mb_tensor(mb, "value", PNN_TYPE_FLOAT32, 0, NULL, &v);
    pnn_mb_op(mb, PNN_OP_PADV2, 0, NULL, 3, (int32_t[]){x, pt, cv}, 1, &p);
  } else {
    pnn_mb_op(mb, PNN_OP_PAD, 0, NULL, 2, (int32_t[]){x, pt}, 1, &p);
  }
  const int oh = out_size(ph, k->fh, k->stride, k->dil, k->same);
  const int ow = out_size(pw, k->fw, k->stride, k->dil, k->same);
  const int oc = k->dw ? pcn : k->oc;
  int outs[3], n_out = 0;
  for (int r = 0; r < k->readers; r++) {
    char name[16];
    int w, b;
    snprintf(name, sizeof name, "w%d", r);
    if (k->dw)
      w = pnn_mb_tensor(mb, name, PNN_TYPE_FLOAT32, 4,
                        (int32_t[]){1, k->fh, k->fw, pcn}, wdata);
    else
      w = pnn_mb_tensor(mb, name, PNN_TYPE_FLOAT32, 4,
                        (int32_t[]){oc, k->fh, k->fw, pcn}, wdata);
    snprintf(name, sizeof name, "b%d", r);
    b = pnn_mb_tensor(mb, name, PNN_TYPE_FLOAT32, 1, (int32_t[]){oc}, bdata);
    snprintf(name, sizeof name, "y%d", r);
    int y = pnn_mb_tensor(mb, name, PNN_TYPE_FLOAT32, 4,
                          (int32_t[]){1, oh, ow, oc}, NULL);
    if (k->dw) {
      pnn_depthwise_conv2d_options o;
      pnn_mb_options_defaults(1, PNN_OPTIONS_OF(depthwise_conv2d), &o);
      o.padding = k->same ? PNN_PADDING_SAME : PNN_PADDING_VALID;
      o.stride_w = o.stride_h = k->stride;
      o.dilation_w_factor = o.dilation_h_factor = k->dil;
      o.depth_multiplier = 1;
      o.fused_activation_function = (int8_t)k->act;
      pnn_mb_op(mb, PNN_OP_DEPTHWISE_CONV_2D, PNN_OPTIONS_OF(depthwise_conv2d),
                &o, 3, (int32_t[]){p, w, b}, 1, &y);
    } else {
      pnn_conv2d_options o;
      pnn_mb_options_defaults(1, PNN_OPTIONS_OF(conv2d), &o);
      o.padding = k->same ? PNN_PADDING_SAME : PNN_PADDING_VALID;
      o.stride_w = o.stride_h = k->stride;
      o.dilation_w_factor = o.dilation_h_factor = k->dil;
      o.fused_activation_function = (int8_t)k->act;
      pnn_mb_op(mb, PNN_OP_CONV_2D, PNN_OPTIONS_OF(conv2d), &o, 3,
                (int32_t[]){p, w, b}, 1, &y);
    }
    outs[n_out++] = y;
  }
  if (expose) outs[n_out++] = p;
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, n_out, outs);
  pnn_model *m = NULL;
  if (pnn_mb_load(mb, &m) != PNN_OK) printf("  build: %s\n", pnn_mb_error(mb));
  pnn_mb_free(mb);
  return m;
}

/* Runs m on x; copies output `r` (conv reader r) into y (cap floats);
 * *pad_ns: the PAD's time in the profile. Returns the element count. */
static size_t run_op(pnn_model *m, int threads, const float *x, size_t xn,
                     int r, float *y, size_t cap, int op, uint64_t *op_ns) {
  pnn_interpreter_options o;
  pnn_interpreter_options_init(&o);
  o.num_threads = threads;
  pnn_interpreter *it = NULL;
  size_t n = 0;
  if (pnn_interpreter_create(m, &o, &it) != PNN_OK ||
      pnn_interpreter_allocate(it) != PNN_OK) {
    printf("  prepare: %s\n", it ? pnn_interpreter_last_error(it) : "create");
    pnn_interpreter_free(it);
    return 0;
  }
  pnn_tensor *in = pnn_interpreter_input(it, 0);
  pnn_tensor_copy_from(in, x, xn * sizeof(float));
  pnn_interpreter_set_profiling(it, 1);
  if (pnn_interpreter_invoke(it) != PNN_OK) {
    printf("  invoke: %s\n", pnn_interpreter_last_error(it));
  } else {
    const pnn_tensor *out = pnn_interpreter_output(it, r);
    n = pnn_tensor_byte_size(out) / sizeof(float);
    if (n > cap || pnn_tensor_copy_to(out, y, n * sizeof(float)) != PNN_OK)
      n = 0;
    pnn_interpreter_op_profile(it, op, op_ns);
  }
  pnn_interpreter_free(it);
  return n;
}

static size_t run(pnn_model *m, int threads, const float *x, size_t xn,
                  int r, float *y, size_t cap, uint64_t *pad_ns) {
  return run_op(m, threads, x, xn, r, y, cap, 0, pad_ns);
}

/* Returns the number of failures of case k on every ISA, 1 and 2 threads. */
static int check_case(const fcase *k, bool want_fused) {
  const int pcn = k->c + k->pc;
  const size_t xn = (size_t)k->h * k->w * k->c;
  const size_t wn = (size_t)(k->dw ? 1 : k->oc) * k->fh * k->fw * pcn;
  const size_t bn = (size_t)(k->dw ? pcn : k->oc);
  float *x = malloc(xn * sizeof(float)), *w = malloc(wn * sizeof(float));
  float *b = malloc(bn * sizeof(float));
  for (size_t i = 0; i < xn; i++) x[i] = rnd_f() * 3.f;
  for (size_t i = 0; i < wn; i++) w[i] = rnd_f();
  for (size_t i = 0; i < bn; i++) b[i] = rnd_f();
  if (k->inf_weight) w[0] = INFINITY;
  pnn_model *fused = build(k, false, w, b), *ref = build(k, true, w, b);
  int bad = 0;
  const size_t cap = 1 << 20;
  float *y1 = malloc(cap * sizeof(float)), *y2 = malloc(cap * sizeof(float));
  if (!fused || !ref) bad++;
  for (int isa = 0; !bad && isa < PNN_ISA_COUNT; isa++) {
    if (!pnn_isa_force((pnn_isa)isa)) continue;
    for (int threads = 1; threads <= 2; threads++)
      for (int r = 0; r < k->readers; r++) {
        uint64_t ns_f = 1, ns_r = 0;
        size_t n1 = run(fused, threads, x, xn, r, y1, cap, &ns_f);
        size_t n2 = run(ref, threads, x, xn, r, y2, cap, &ns_r);
        bool pad_skipped = ns_f == 0;
        if (!n1 || n1 != n2 || memcmp(y1, y2, n1 * sizeof(float)) ||
            pad_skipped != want_fused || ns_r == 0) {
          size_t i = 0;
          while (i < n1 && i < n2 && y1[i] == y2[i]) i++;
          printf("  %s %s %dx%dx%d pad t%d b%d l%d r%d c%d f%dx%d s%d d%d %s "
                 "v2=%d readers=%d threads %d: n %zu/%zu, first diff [%zu] "
                 "%.9g vs %.9g; PAD skipped %d (want %d), ref PAD ns %llu\n",
                 pnn_isa_name((pnn_isa)isa), k->dw ? "dw" : "conv", k->h, k->w,
                 k->c, k->pt, k->pb, k->pl, k->pr, k->pc, k->fh, k->fw,
                 k->stride, k->dil, k->same ? "SAME" : "VALID", k->v2,
                 k->readers, threads, n1, n2, i, i < n1 ? y1[i] : 0.f,
                 i < n2 ? y2[i] : 0.f, pad_skipped, want_fused,
                 (unsigned long long)ns_r);
          bad++;
        }
      }
  }
  pnn_isa_force(PNN_ISA_COUNT);
  pnn_model_free(fused);
  pnn_model_free(ref);
  free(x), free(w), free(b), free(y1), free(y2);
  return bad;
}

static fcase random_case(bool dw) {
  fcase k = {0};
  k.dw = dw;
  k.h = rnd_int(1, 13);
  k.w = rnd_int(1, 13);
  k.c = dw ? rnd_int(1, 37) : rnd_int(1, 9);
  k.oc = rnd_int(1, 40);
  k.pt = rnd_int(0, 3);
  k.pb = rnd_int(0, 3);
  k.pl = rnd_int(0, 3);
  k.pr = rnd_int(0, 3);
  static const int sizes[] = {1, 2, 3, 5, 3, 5};
  k.fh = sizes[rnd_int(0, 5)];
  k.fw = rnd_int(0, 3) ? k.fh : sizes[rnd_int(0, 5)];
  k.stride = rnd_int(1, 2);
  k.dil = rnd_int(0, 4) ? 1 : 2;
  k.same = rnd_int(0, 1);
  k.act = rnd_int(0, 3);
  k.readers = 1;
  /* The padded input must hold the (dilated) filter under VALID. */
  const int eh = (k.fh - 1) * k.dil + 1, ew = (k.fw - 1) * k.dil + 1;
  if (k.h + k.pt + k.pb < eh) k.pb += eh - (k.h + k.pt + k.pb);
  if (k.w + k.pl + k.pr < ew) k.pr += ew - (k.w + k.pl + k.pr);
  return k;
}

/* A 1x1 stride-1 CONV_2D on the padded tensor reads it as the GEMM's A
 * directly: not fused (its pad pixels need the bias), still correct. */
static bool fusable(const fcase *k) {
  if (k->v2 == 2 || k->pc || k->readers != 1) return false;
  if (!k->dw && k->fh == 1 && k->fw == 1 && k->stride == 1 && k->dil == 1)
    return false;
  return true;
}

TEST(pad_into_conv_random) {
  for (int i = 0; i < 40; i++) {
    fcase k = random_case(false);
    CHECK_EQ_INT(check_case(&k, fusable(&k)), 0);
  }
}

TEST(pad_into_depthwise_random) {
  for (int i = 0; i < 40; i++) {
    fcase k = random_case(true);
    CHECK_EQ_INT(check_case(&k, fusable(&k)), 0);
  }
}

/* The shapes of the MediaPipe detectors: PAD 1 each side (or 0,2 for the
 * stride-2 blocks) then a VALID 3x3 / 5x5 depthwise. */
TEST(pad_into_depthwise_mediapipe_shapes) {
  const fcase ks[] = {
      {.dw = true, .h = 24, .w = 24, .c = 32, .pt = 1, .pb = 1, .pl = 1,
       .pr = 1, .fh = 3, .fw = 3, .stride = 1, .dil = 1, .readers = 1},
      {.dw = true, .h = 24, .w = 24, .c = 24, .pt = 0, .pb = 2, .pl = 0,
       .pr = 2, .fh = 3, .fw = 3, .stride = 2, .dil = 1, .readers = 1},
      {.dw = true, .h = 16, .w = 16, .c = 48, .pt = 2, .pb = 2, .pl = 2,
       .pr = 2, .fh = 5, .fw = 5, .stride = 1, .dil = 1, .act = 1,
       .readers = 1},
      {.dw = false, .h = 32, .w = 32, .c = 3, .oc = 32, .pt = 0, .pb = 1,
       .pl = 0, .pr = 1, .fh = 3, .fw = 3, .stride = 2, .dil = 1,
       .readers = 1},
  };
  for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++)
    CHECK_EQ_INT(check_case(&ks[i], true), 0);
}

TEST(pad_not_fused_when_it_must_run) {
  fcase k = {.dw = true, .h = 9, .w = 7, .c = 20, .pt = 1, .pb = 1, .pl = 2,
             .pr = 1, .fh = 3, .fw = 3, .stride = 1, .dil = 1, .readers = 1};
  k.v2 = 1; /* PADV2 with a zero value: fused */
  CHECK_EQ_INT(check_case(&k, true), 0);
  k.v2 = 2; /* PADV2 with 0.5: the padding is not zero */
  CHECK_EQ_INT(check_case(&k, false), 0);
  k.v2 = 0;
  k.pc = 4; /* channel padding */
  CHECK_EQ_INT(check_case(&k, false), 0);
  k.pc = 0;
  k.readers = 2; /* two convolutions read the padded tensor */
  CHECK_EQ_INT(check_case(&k, false), 0);
  k.readers = 1;
  k.inf_weight = true; /* depthwise skips outside taps: 0 * inf differs */
  CHECK_EQ_INT(check_case(&k, false), 0);
  k.dw = false; /* im2col multiplies the zeros as the PAD's: fused */
  k.oc = 5;
  CHECK_EQ_INT(check_case(&k, true), 0);
  k.inf_weight = false;
  k.readers = 2;
  k.dw = false;
  k.oc = 5;
  CHECK_EQ_INT(check_case(&k, false), 0);
}

/* ---- LOGISTIC + MUL (swish) */

/* x -> LOGISTIC -> s; y = MUL(x, s) (or MUL(s, x)); expose: s is an
 * output too (the reference, nothing fused); act: the MUL's activation;
 * bcast: the MUL's x is a [c] constant instead (not the swish pattern). */
static pnn_model *build_swish(int h, int w, int c, bool swap, bool expose,
                              int act) {
  pnn_mb *mb = pnn_mb_new();
  const int32_t dims[4] = {1, h, w, c};
  int x = pnn_mb_tensor(mb, "x", PNN_TYPE_FLOAT32, 4, dims, NULL);
  int s = pnn_mb_tensor(mb, "s", PNN_TYPE_FLOAT32, 4, dims, NULL);
  int y = pnn_mb_tensor(mb, "y", PNN_TYPE_FLOAT32, 4, dims, NULL);
  pnn_mb_op(mb, PNN_OP_LOGISTIC, 0, NULL, 1, &x, 1, &s);
  pnn_mul_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(mul), &o);
  o.fused_activation_function = (int8_t)act;
  pnn_mb_op(mb, PNN_OP_MUL, PNN_OPTIONS_OF(mul), &o, 2,
            swap ? (int32_t[]){s, x} : (int32_t[]){x, s}, 1, &y);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, expose ? 2 : 1, (int32_t[]){y, s});
  pnn_model *m = NULL;
  if (pnn_mb_load(mb, &m) != PNN_OK) printf("  build: %s\n", pnn_mb_error(mb));
  pnn_mb_free(mb);
  return m;
}

/* Same bits, or both NaN (C leaves a NaN product's sign and payload to the
 * instruction's operand order). */
static bool same_values(const float *a, const float *b, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (memcmp(&a[i], &b[i], sizeof(float)) && !(isnan(a[i]) && isnan(b[i])))
      return false;
  return true;
}

static int check_swish(int h, int w, int c, bool swap, int act,
                       bool want_fused) {
  const size_t n = (size_t)h * w * c;
  float *x = malloc(n * sizeof(float)), *y1 = malloc(n * sizeof(float));
  float *y2 = malloc(n * sizeof(float));
  for (size_t i = 0; i < n; i++) x[i] = rnd_f() * 12.f;
  if (n > 3) {
    x[0] = NAN;
    x[1] = INFINITY;
    x[2] = -INFINITY;
    x[3] = -100.f;
  }
  pnn_model *fused = build_swish(h, w, c, swap, false, act);
  pnn_model *ref = build_swish(h, w, c, swap, true, act);
  int bad = !fused || !ref;
  for (int isa = 0; !bad && isa < PNN_ISA_COUNT; isa++) {
    if (!pnn_isa_force((pnn_isa)isa)) continue;
    for (int threads = 1; threads <= 2; threads++) {
      uint64_t ns_f = 1, ns_r = 0;
      size_t n1 = run_op(fused, threads, x, n, 0, y1, n, 1, &ns_f);
      size_t n2 = run_op(ref, threads, x, n, 0, y2, n, 1, &ns_r);
      if (n1 != n || n2 != n || !same_values(y1, y2, n) ||
          (ns_f == 0) != want_fused || ns_r == 0) {
        size_t i = 0;
        while (i < n && same_values(&y1[i], &y2[i], 1)) i++;
        printf("  %s swish %dx%dx%d swap %d act %d threads %d: first diff "
               "[%zu] %.9g vs %.9g; MUL skipped %d (want %d)\n",
               pnn_isa_name((pnn_isa)isa), h, w, c, swap, act, threads, i,
               i < n ? y1[i] : 0.f, i < n ? y2[i] : 0.f, ns_f == 0,
               want_fused);
        bad++;
      }
    }
  }
  pnn_isa_force(PNN_ISA_COUNT);
  pnn_model_free(fused);
  pnn_model_free(ref);
  free(x), free(y1), free(y2);
  return bad;
}

TEST(logistic_mul_swish_fused_bit_exact) {
  for (int i = 0; i < 12; i++) {
    const int h = rnd_int(1, 9), w = rnd_int(1, 9), c = rnd_int(1, 70);
    CHECK_EQ_INT(check_swish(h, w, c, i & 1, 0, true), 0);
  }
}

TEST(logistic_mul_with_activation_not_fused) {
  CHECK_EQ_INT(check_swish(3, 5, 17, false, 3 /* RELU6 */, false), 0);
}

/* ---- CONV_2D / DEPTHWISE_CONV_2D -> HARD_SWISH / LOGISTIC / swish */

enum { ACT_HSWISH, ACT_LOGISTIC, ACT_SWISH };

/* x -> conv (3x3 SAME, no activation) -> t -> activation -> y; expose: t
 * is an output too (the reference: the convolution keeps its output). */
static pnn_model *build_conv_act(bool dw, int h, int w, int c, int oc,
                                 int stride, int kind, bool expose,
                                 const float *wd, const float *bd) {
  pnn_mb *mb = pnn_mb_new();
  const int oh = (h + stride - 1) / stride, ow = (w + stride - 1) / stride;
  const int n = dw ? c : oc;
  int x = pnn_mb_tensor(mb, "x", PNN_TYPE_FLOAT32, 4,
                        (int32_t[]){1, h, w, c}, NULL);
  int wt = dw ? pnn_mb_tensor(mb, "w", PNN_TYPE_FLOAT32, 4,
                              (int32_t[]){1, 3, 3, c}, wd)
              : pnn_mb_tensor(mb, "w", PNN_TYPE_FLOAT32, 4,
                              (int32_t[]){oc, 3, 3, c}, wd);
  int b = pnn_mb_tensor(mb, "b", PNN_TYPE_FLOAT32, 1, (int32_t[]){n}, bd);
  const int32_t od[4] = {1, oh, ow, n};
  int t = pnn_mb_tensor(mb, "t", PNN_TYPE_FLOAT32, 4, od, NULL);
  int y = pnn_mb_tensor(mb, "y", PNN_TYPE_FLOAT32, 4, od, NULL);
  if (dw) {
    pnn_depthwise_conv2d_options o;
    pnn_mb_options_defaults(1, PNN_OPTIONS_OF(depthwise_conv2d), &o);
    o.padding = PNN_PADDING_SAME;
    o.stride_w = o.stride_h = stride;
    o.depth_multiplier = 1;
    pnn_mb_op(mb, PNN_OP_DEPTHWISE_CONV_2D, PNN_OPTIONS_OF(depthwise_conv2d),
              &o, 3, (int32_t[]){x, wt, b}, 1, &t);
  } else {
    pnn_conv2d_options o;
    pnn_mb_options_defaults(1, PNN_OPTIONS_OF(conv2d), &o);
    o.padding = PNN_PADDING_SAME;
    o.stride_w = o.stride_h = stride;
    pnn_mb_op(mb, PNN_OP_CONV_2D, PNN_OPTIONS_OF(conv2d), &o, 3,
              (int32_t[]){x, wt, b}, 1, &t);
  }
  if (kind == ACT_HSWISH) {
    pnn_mb_op(mb, PNN_OP_HARD_SWISH, 0, NULL, 1, &t, 1, &y);
  } else if (kind == ACT_LOGISTIC) {
    pnn_mb_op(mb, PNN_OP_LOGISTIC, 0, NULL, 1, &t, 1, &y);
  } else {
    int s = pnn_mb_tensor(mb, "s", PNN_TYPE_FLOAT32, 4, od, NULL);
    pnn_mb_op(mb, PNN_OP_LOGISTIC, 0, NULL, 1, &t, 1, &s);
    pnn_mb_op(mb, PNN_OP_MUL, 0, NULL, 2, (int32_t[]){t, s}, 1, &y);
  }
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, expose ? 2 : 1, (int32_t[]){y, t});
  pnn_model *m = NULL;
  if (pnn_mb_load(mb, &m) != PNN_OK) printf("  build: %s\n", pnn_mb_error(mb));
  pnn_mb_free(mb);
  return m;
}

static int check_conv_act(bool dw, int h, int w, int c, int oc, int stride,
                          int kind) {
  const size_t xn = (size_t)h * w * c, wn = (size_t)(dw ? 1 : oc) * 9 * c;
  const size_t on = (size_t)((h + stride - 1) / stride) *
                    ((w + stride - 1) / stride) * (dw ? c : oc);
  float *x = malloc(xn * sizeof(float)), *wd = malloc(wn * sizeof(float));
  float *bd = malloc((size_t)(dw ? c : oc) * sizeof(float));
  float *y1 = malloc(on * sizeof(float)), *y2 = malloc(on * sizeof(float));
  for (size_t i = 0; i < xn; i++) x[i] = rnd_f() * 4.f;
  for (size_t i = 0; i < wn; i++) wd[i] = rnd_f();
  for (int i = 0; i < (dw ? c : oc); i++) bd[i] = rnd_f();
  pnn_model *fused = build_conv_act(dw, h, w, c, oc, stride, kind, false, wd, bd);
  pnn_model *ref = build_conv_act(dw, h, w, c, oc, stride, kind, true, wd, bd);
  int bad = !fused || !ref;
  for (int isa = 0; !bad && isa < PNN_ISA_COUNT; isa++) {
    if (!pnn_isa_force((pnn_isa)isa)) continue;
    for (int threads = 1; threads <= 2; threads++) {
      uint64_t ns_f = 1, ns_r = 0; /* op 1: the activation */
      size_t n1 = run_op(fused, threads, x, xn, 0, y1, on, 1, &ns_f);
      size_t n2 = run_op(ref, threads, x, xn, 0, y2, on, 1, &ns_r);
      if (n1 != on || n2 != on || !same_values(y1, y2, on) || ns_f != 0 ||
          ns_r == 0) {
        size_t i = 0;
        while (i < on && same_values(&y1[i], &y2[i], 1)) i++;
        printf("  %s %s %dx%dx%d->%d s%d act %d threads %d: n %zu/%zu first "
               "diff [%zu] %.9g vs %.9g; activation ns %llu (ref %llu)\n",
               pnn_isa_name((pnn_isa)isa), dw ? "dw" : "conv", h, w, c, oc,
               stride, kind, threads, n1, n2, i, i < on ? y1[i] : 0.f,
               i < on ? y2[i] : 0.f, (unsigned long long)ns_f,
               (unsigned long long)ns_r);
        bad++;
      }
    }
  }
  pnn_isa_force(PNN_ISA_COUNT);
  pnn_model_free(fused);
  pnn_model_free(ref);
  free(x), free(wd), free(bd), free(y1), free(y2);
  return bad;
}

TEST(conv_then_activation_fused_bit_exact) {
  for (int i = 0; i < 24; i++) {
    const bool dw = i % 2;
    const int kind = i / 2 % 3;
    const int h = rnd_int(1, 20), w = rnd_int(1, 20);
    const int c = dw ? rnd_int(1, 50) : rnd_int(1, 12);
    CHECK_EQ_INT(check_conv_act(dw, h, w, c, rnd_int(1, 70), rnd_int(1, 2),
                                kind), 0);
  }
  /* Many rows: several GEMM row blocks and depthwise row ranges. */
  CHECK_EQ_INT(check_conv_act(false, 40, 37, 5, 40, 1, ACT_SWISH), 0);
  CHECK_EQ_INT(check_conv_act(true, 40, 37, 35, 0, 1, ACT_HSWISH), 0);
}

/* ---- A node hook (calibration) set before allocate: nothing is fused,
 * every op runs and the hook sees each one with its own output written. */

static int g_hook_calls;
static void count_hook(void *user, const pnn_node *node) {
  (void)user, (void)node;
  g_hook_calls++;
}

TEST(node_hook_disables_fusion) {
  fcase k = {.dw = true, .h = 9, .w = 7, .c = 20, .pt = 1, .pb = 1, .pl = 1,
             .pr = 1, .fh = 3, .fw = 3, .stride = 1, .dil = 1, .readers = 1};
  float w[3 * 3 * 20], b[20], x[9 * 7 * 20];
  for (int i = 0; i < 180; i++) w[i] = rnd_f();
  for (int i = 0; i < 20; i++) b[i] = rnd_f();
  for (int i = 0; i < 9 * 7 * 20; i++) x[i] = rnd_f();
  pnn_model *m = build(&k, false, w, b);
  CHECK(m != NULL);
  pnn_interpreter *it = NULL;
  CHECK_EQ_INT(pnn_interpreter_create(m, NULL, &it), PNN_OK);
  it->node_hook = count_hook;
  it->node_hook_user = NULL;
  CHECK_EQ_INT(pnn_interpreter_allocate(it), PNN_OK);
  pnn_tensor_copy_from(pnn_interpreter_input(it, 0), x, sizeof x);
  pnn_interpreter_set_profiling(it, 1);
  g_hook_calls = 0;
  CHECK_EQ_INT(pnn_interpreter_invoke(it), PNN_OK);
  uint64_t pad_ns = 0;
  pnn_interpreter_op_profile(it, 0, &pad_ns);
  CHECK(pad_ns > 0);           /* the PAD ran */
  CHECK_EQ_INT(g_hook_calls, 2); /* PAD and the convolution */
  pnn_interpreter_free(it);
  pnn_model_free(m);
}
