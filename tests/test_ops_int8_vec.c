/* The int8 / uint8 elementwise ops through the public API at every ISA
 * level the host runs (forced in turn), 1 and 2 threads, against the
 * scalar level, which runs the ops' plain-C reference paths (TFLite's
 * integer arithmetic element by element). Above the scalar level:
 *   - every 8-bit activation is a 256-entry table (for RELU, RELU6,
 *     RELU_N1_TO_1, LEAKY_RELU and HARD_SWISH the table holds the
 *     reference fixed-point result of each input byte) applied by the
 *     vector lookup: checked on all 256 inputs under random scales and
 *     zero points, bit for bit;
 *   - ADD / SUB / MUL run the qs8 vector kernels: random shapes with
 *     same-shape, scalar, channel and inner-dim broadcasting, fused
 *     activations, bit for bit;
 *   - MEAN / SUM over the middle dims (the squeeze-excite pattern) sum
 *     rows with the vector kernels: bit for bit;
 *   - MAX_POOL_2D / AVERAGE_POOL_2D run the vector pooling kernels per
 *     output pixel (and split rows over threads): bit for bit. */
#include <stdlib.h>
#include <string.h>

#include "kernels/cpu.h"
#include "optest.h"
#include "test_rand.h"

static unsigned g_seed = 9001;
static float rnd_scale(void) {
  return (float)rnd_int(1, 1000) / 1000.f * (float)(1 << rnd_int(0, 7)) / 64.f;
}

typedef struct {
  pnn_type type;
  int rank;
  int32_t dims[4];
  float scale;
  int32_t zp;
  const void *data;
  bool constant;
} qin;

static size_t count(const qin *t) {
  size_t n = 1;
  for (int i = 0; i < t->rank; i++) n *= (size_t)t->dims[i];
  return n;
}

/* Runs t's op (all but the last already in t->mb), copies output 0 into
 * result, ends t and lifts the forced ISA level. */
static pnn_status run_and_copy(optest *t, int32_t builtin, uint8_t opt_type,
                               const void *opts, int n_in, const int32_t *ins,
                               int32_t out, void *result) {
  pnn_status s = ot_run(t, builtin, opt_type, opts, n_in, ins, out);
  if (!s)
    s = pnn_tensor_copy_to(ot_out(t), result, pnn_tensor_byte_size(ot_out(t)));
  if (s) printf("  error: %s\n", ot_error(t));
  ot_end(t);
  pnn_isa_force(PNN_ISA_COUNT);
  return s;
}

/* Builds a one-op model, runs it at `isa` with `threads`, copies output 0
 * (of out->type and shape) into result. */
static pnn_status run_q(pnn_isa isa, int threads, int32_t builtin,
                        uint8_t opt_type, const void *opts, int n_in,
                        const qin *ins, const qin *out, void *result) {
  if (!pnn_isa_force(isa)) return PNN_ERROR_UNSUPPORTED;
  optest t;
  ot_begin(&t);
  t.threads = threads;
  int32_t idx[4];
  for (int i = 0; i < n_in; i++) {
    const qin *q = &ins[i];
    idx[i] = q->constant ? ot_qtensor(&t, "c", q->type, q->rank, q->dims,
                                      q->data, q->scale, q->zp)
                         : ot_qinput(&t, q->type, q->rank, q->dims, q->data,
                                     q->scale, q->zp);
  }
  int32_t y = ot_qtensor(&t, "y", out->type, out->rank, out->dims, NULL,
                         out->scale, out->zp);
  return run_and_copy(&t, builtin, opt_type, opts, n_in, idx, y, result);
}

/* Runs the op at the scalar level (the reference) and at every other
 * level with 1 and 2 threads; returns the number of mismatching runs. */
static int check_levels(const char *what, int32_t builtin, uint8_t opt_type,
                        const void *opts, int n_in, const qin *ins,
                        const qin *out) {
  const size_t n = count(out);
  uint8_t *want = malloc(n + 1), *got = malloc(n + 1);
  int bad = 0;
  if (run_q(PNN_ISA_SCALAR, 1, builtin, opt_type, opts, n_in, ins, out, want) !=
      PNN_OK) {
    printf("  %s: reference run failed\n", what);
    bad++;
  }
  for (int isa = 1; !bad && isa <= (int)pnn_isa_supported(); isa++)
    for (int threads = 1; threads <= 2; threads++) {
      memset(got, 0x5A, n);
      if (run_q((pnn_isa)isa, threads, builtin, opt_type, opts, n_in, ins,
                out, got) != PNN_OK) {
        printf("  %s %s: run failed\n", what, pnn_isa_name((pnn_isa)isa));
        bad++;
        continue;
      }
      for (size_t i = 0; i < n; i++)
        if (got[i] != want[i]) {
          printf("  %s %s threads %d: element %zu is %d, reference %d\n",
                 what, pnn_isa_name((pnn_isa)isa), threads, i, got[i],
                 want[i]);
          bad++;
          break;
        }
    }
  free(want);
  free(got);
  return bad;
}

static void fill(uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++) p[i] = (uint8_t)rnd_int(0, 255);
}

/* Every 8-bit activation over all 256 inputs (repeated so the vector
 * loops and their tails both run), random scales and zero points. */
TEST(activations_every_level_match_reference) {
  static const int32_t ops[] = {PNN_OP_RELU,       PNN_OP_RELU6,
                                PNN_OP_RELU_N1_TO_1, PNN_OP_LEAKY_RELU,
                                PNN_OP_HARD_SWISH, PNN_OP_LOGISTIC,
                                PNN_OP_TANH,       PNN_OP_ELU,
                                PNN_OP_GELU,       PNN_OP_RELU_0_TO_1};
  uint8_t x[256 * 3 + 37];
  int fails = 0;
  for (int c = 0; c < 60; c++) {
    const int32_t op = ops[c % 10];
    const bool u8 = rnd_int(0, 3) == 0 && op != PNN_OP_ELU;
    const pnn_type type = u8 ? PNN_TYPE_UINT8 : PNN_TYPE_INT8;
    const int32_t tlo = u8 ? 0 : -128, thi = u8 ? 255 : 127;
    const int n = (c / 10) % 2 ? 256 * 3 + 37 : 256;
    for (int i = 0; i < n; i++) x[i] = (uint8_t)(i * 7 + c);
    qin in = {type, 1, {n}, rnd_scale(), rnd_int(tlo, thi), x, false};
    qin out = {type, 1, {n}, rnd_scale(), rnd_int(tlo, thi), NULL, false};
    if (op == PNN_OP_LOGISTIC) {
      out.scale = 1.f / 256;
      out.zp = u8 ? 0 : -128;
    }
    if (op == PNN_OP_TANH) {
      out.scale = 1.f / 128;
      out.zp = u8 ? 128 : 0;
    }
    pnn_leaky_relu_options lr;
    pnn_gelu_options ge;
    const void *opts = NULL;
    uint8_t ot = 0;
    if (op == PNN_OP_LEAKY_RELU) {
      pnn_mb_options_defaults(1, PNN_OPTIONS_OF(leaky_relu), &lr);
      lr.alpha = (float)rnd_int(-300, 300) / 100.f;
      opts = &lr;
      ot = PNN_OPTIONS_OF(leaky_relu);
    } else if (op == PNN_OP_GELU) {
      pnn_mb_options_defaults(1, PNN_OPTIONS_OF(gelu), &ge);
      ge.approximate = rnd_int(0, 1);
      opts = &ge;
      ot = PNN_OPTIONS_OF(gelu);
    }
    char what[64];
    snprintf(what, sizeof what, "op %d %s case %d", (int)op,
             u8 ? "u8" : "i8", c);
    fails += check_levels(what, op, ot, opts, 1, &in, &out);
  }
  CHECK_MSG(fails == 0, "%d failing activation runs", fails);
}

/* ADD / SUB / MUL with broadcasting: b is the same shape, a scalar, a
 * channel vector [1,1,1,C], an inner-dim column [N,H,W,1], or a constant
 * (same shape, scalar or channel vector: ADD / SUB rescale it at prepare);
 * either operand may come first. */
TEST(binary_every_level_match_reference) {
  static const int32_t ops[] = {PNN_OP_ADD, PNN_OP_SUB, PNN_OP_MUL};
  static uint8_t a[3 * 9 * 11 * 70], b[3 * 9 * 11 * 70];
  int fails = 0;
  for (int c = 0; c < 150; c++) {
    const int32_t op = ops[c % 3];
    const bool u8 = rnd_int(0, 3) == 0;
    const pnn_type type = u8 ? PNN_TYPE_UINT8 : PNN_TYPE_INT8;
    const int32_t tlo = u8 ? 0 : -128, thi = u8 ? 255 : 127;
    qin ia = {type, 4, {rnd_int(1, 3), rnd_int(1, 9), rnd_int(1, 11), rnd_int(1, 70)},
              rnd_scale(), rnd_int(tlo, thi), a, false};
    qin ib = ia;
    ib.data = b;
    ib.scale = rnd_scale();
    ib.zp = rnd_int(tlo, thi);
    const int kind = (c / 3) % 5;
    if (kind == 1) { /* scalar */
      ib.rank = 0;
    } else if (kind == 2) { /* channel vector */
      ib.dims[0] = ib.dims[1] = ib.dims[2] = 1;
    } else if (kind == 3) { /* [N,H,W,1] */
      ib.dims[3] = 1;
    } else if (kind == 4) { /* constant same shape */
      ib.constant = true;
    }
    if ((kind == 1 || kind == 2) && rnd_int(0, 1)) ib.constant = true;
    fill(a, count(&ia));
    fill(b, count(&ib));
    qin out = ia;
    out.data = NULL;
    out.scale = rnd_scale();
    out.zp = rnd_int(tlo, thi);
    pnn_add_options o; /* ADD, SUB and MUL options share the layout used */
    pnn_sub_options so;
    pnn_mul_options mo;
    const int act = rnd_int(0, 3) == 0 ? 1 + 2 * rnd_int(0, 1) : 0; /* RELU, RELU6 */
    const void *opts;
    uint8_t ot;
    if (op == PNN_OP_ADD) {
      pnn_mb_options_defaults(1, PNN_OPTIONS_OF(add), &o);
      o.fused_activation_function = (int8_t)act;
      opts = &o;
      ot = PNN_OPTIONS_OF(add);
    } else if (op == PNN_OP_SUB) {
      pnn_mb_options_defaults(1, PNN_OPTIONS_OF(sub), &so);
      so.fused_activation_function = (int8_t)act;
      opts = &so;
      ot = PNN_OPTIONS_OF(sub);
    } else {
      pnn_mb_options_defaults(1, PNN_OPTIONS_OF(mul), &mo);
      mo.fused_activation_function = (int8_t)act;
      opts = &mo;
      ot = PNN_OPTIONS_OF(mul);
    }
    const bool swap = rnd_int(0, 3) == 0;
    qin ins[2] = {swap ? ib : ia, swap ? ia : ib};
    char what[96];
    snprintf(what, sizeof what, "op %d %s case %d kind %d%s", (int)op,
             u8 ? "u8" : "i8", c, kind, swap ? " swapped" : "");
    fails += check_levels(what, op, ot, opts, 2, ins, &out);
  }
  CHECK_MSG(fails == 0, "%d failing binary runs", fails);
}

/* MEAN / SUM over H, W (keep_dims both ways) and over W only. */
TEST(mean_sum_every_level_match_reference) {
  static uint8_t x[2 * 17 * 19 * 80];
  int fails = 0;
  for (int c = 0; c < 24; c++) {
    const bool u8 = rnd_int(0, 3) == 0;
    const pnn_type type = u8 ? PNN_TYPE_UINT8 : PNN_TYPE_INT8;
    const int32_t tlo = u8 ? 0 : -128, thi = u8 ? 255 : 127;
    const int32_t op = c % 4 == 3 ? PNN_OP_SUM : PNN_OP_MEAN;
    qin in = {type, 4, {rnd_int(1, 2), rnd_int(1, 17), rnd_int(1, 19), rnd_int(1, 80)},
              rnd_scale(), rnd_int(tlo, thi), x, false};
    fill(x, count(&in));
    const bool keep = rnd_int(0, 1);
    const bool only_w = c % 5 == 4;
    int32_t axes[2] = {only_w ? 2 : 1, 2};
    const int n_axes = only_w ? 1 : 2;
    qin ax = {PNN_TYPE_INT32, 1, {n_axes}, 0, 0, axes, true};
    qin out = {type, 4, {in.dims[0], only_w ? in.dims[1] : 1, 1, in.dims[3]},
               in.scale * (float)rnd_int(50, 200) / 100.f, rnd_int(tlo, thi), NULL,
               false};
    if (!keep) {
      out.rank = only_w ? 3 : 2;
      if (!only_w) out.dims[1] = in.dims[3];
      else out.dims[2] = in.dims[3];
    }
    pnn_reducer_options ro;
    pnn_mb_options_defaults(1, PNN_OPTIONS_OF(reducer), &ro);
    ro.keep_dims = keep;
    qin ins[2] = {in, ax};
    char what[64];
    snprintf(what, sizeof what, "%s %s case %d", op == PNN_OP_SUM ? "SUM" : "MEAN",
             u8 ? "u8" : "i8", c);
    fails += check_levels(what, op, PNN_OPTIONS_OF(reducer), &ro, 2, ins, &out);
  }
  CHECK_MSG(fails == 0, "%d failing reduce runs", fails);
}

/* MAX_POOL_2D / AVERAGE_POOL_2D: random NHWC shapes, filters 1..4, strides
 * 1..3, SAME (windows clipped at the border) and VALID, fused RELU/RELU6,
 * channels past and below the vector widths. */
TEST(pool_every_level_match_reference) {
  static uint8_t x[2 * 13 * 14 * 70];
  int fails = 0;
  for (int c = 0; c < 40; c++) {
    const bool u8 = rnd_int(0, 3) == 0;
    const pnn_type type = u8 ? PNN_TYPE_UINT8 : PNN_TYPE_INT8;
    const int32_t tlo = u8 ? 0 : -128, thi = u8 ? 255 : 127;
    const int32_t op = c % 2 ? PNN_OP_MAX_POOL_2D : PNN_OP_AVERAGE_POOL_2D;
    pnn_pool2d_options po;
    pnn_mb_options_defaults(1, PNN_OPTIONS_OF(pool2d), &po);
    po.padding = (int8_t)rnd_int(0, 1); /* SAME, VALID */
    po.stride_w = rnd_int(1, 3);
    po.stride_h = rnd_int(1, 3);
    po.filter_width = rnd_int(1, 4);
    po.filter_height = rnd_int(1, 4);
    po.fused_activation_function = (int8_t)(rnd_int(0, 3) == 0 ? 1 + 2 * rnd_int(0, 1) : 0);
    qin in = {type, 4,
              {rnd_int(1, 2), rnd_int(po.filter_height, 13), rnd_int(po.filter_width, 14),
               rnd_int(1, 70)},
              rnd_scale(), rnd_int(tlo, thi), x, false};
    fill(x, count(&in));
    qin out = in;
    out.data = NULL;
    for (int d = 1; d <= 2; d++) {
      const int32_t f = d == 1 ? po.filter_height : po.filter_width;
      const int32_t s = d == 1 ? po.stride_h : po.stride_w;
      out.dims[d] = po.padding == 0 ? (in.dims[d] + s - 1) / s
                                    : (in.dims[d] - f) / s + 1;
    }
    char what[64];
    snprintf(what, sizeof what, "%s %s case %d",
             op == PNN_OP_MAX_POOL_2D ? "MAX_POOL" : "AVG_POOL",
             u8 ? "u8" : "i8", c);
    fails += check_levels(what, op, PNN_OPTIONS_OF(pool2d), &po, 1, &in, &out);
  }
  CHECK_MSG(fails == 0, "%d failing pool runs", fails);
}

/* x -> ACT -> f, then BIN(x, f) or BIN(f, x): above the scalar level the
 * binary op becomes one table of x (swish = x * LOGISTIC(x), x +
 * HARD_SWISH(x), ...). Runs the two-op model at `isa` and copies y. */
static pnn_status run_fused(pnn_isa isa, int threads, int32_t act, int32_t bin,
                            bool f_first, pnn_type type, int n,
                            const uint8_t *x, float sx, int32_t zx, float sf,
                            int32_t zf, float sy, int32_t zy, uint8_t *y) {
  if (!pnn_isa_force(isa)) return PNN_ERROR_UNSUPPORTED;
  optest t;
  ot_begin(&t);
  t.threads = threads;
  const int32_t d[] = {1, n};
  int32_t tx = ot_qinput(&t, type, 2, d, x, sx, zx);
  int32_t tf = ot_qtensor(&t, "f", type, 2, d, NULL, sf, zf);
  int32_t ty = ot_qtensor(&t, "y", type, 2, d, NULL, sy, zy);
  pnn_mb_op(t.mb, act, 0, NULL, 1, &tx, 1, &tf);
  const int32_t ins[2] = {f_first ? tf : tx, f_first ? tx : tf};
  return run_and_copy(&t, bin, 0, NULL, 2, ins, ty, y);
}

TEST(fused_activation_operand_every_level_match_reference) {
  static const int32_t acts[] = {PNN_OP_LOGISTIC, PNN_OP_HARD_SWISH,
                                 PNN_OP_TANH, PNN_OP_RELU6};
  static const int32_t bins[] = {PNN_OP_MUL, PNN_OP_ADD, PNN_OP_SUB};
  static uint8_t x[40000], want[40000], got[40000];
  int fails = 0;
  for (int c = 0; c < 36; c++) {
    const int32_t act = acts[c % 4], bin = bins[(c / 4) % 3];
    const bool f_first = (c / 12) % 2, u8 = c % 5 == 4;
    const pnn_type type = u8 ? PNN_TYPE_UINT8 : PNN_TYPE_INT8;
    const int32_t tlo = u8 ? 0 : -128, thi = u8 ? 255 : 127;
    const int n = c % 3 == 0 ? 40000 : rnd_int(1, 3000); /* 40000: threads split */
    fill(x, (size_t)n);
    for (int i = 0; i < 256 && i < n; i++) x[i] = (uint8_t)i;
    const float sx = rnd_scale(), sy = rnd_scale();
    float sf = rnd_scale();
    int32_t zf = rnd_int(tlo, thi);
    if (act == PNN_OP_LOGISTIC) {
      sf = 1.f / 256;
      zf = u8 ? 0 : -128;
    } else if (act == PNN_OP_TANH) {
      sf = 1.f / 128;
      zf = u8 ? 128 : 0;
    }
    const int32_t zx = rnd_int(tlo, thi), zy = rnd_int(tlo, thi);
    if (run_fused(PNN_ISA_SCALAR, 1, act, bin, f_first, type, n, x, sx, zx, sf,
                  zf, sy, zy, want) != PNN_OK) {
      fails++;
      continue;
    }
    for (int isa = 1; isa <= (int)pnn_isa_supported(); isa++)
      for (int threads = 1; threads <= 2; threads++) {
        memset(got, 0x5A, (size_t)n);
        if (run_fused((pnn_isa)isa, threads, act, bin, f_first, type, n, x, sx,
                      zx, sf, zf, sy, zy, got) != PNN_OK ||
            memcmp(got, want, (size_t)n) != 0) {
          printf("  act %d bin %d %s%s %s threads %d: differs\n", (int)act,
                 (int)bin, u8 ? "u8" : "i8", f_first ? " f first" : "",
                 pnn_isa_name((pnn_isa)isa), threads);
          fails++;
        }
      }
  }
  CHECK_MSG(fails == 0, "%d failing fused runs", fails);
}

/* int8 PAD fills with the output zero point (one memset for 8-bit types):
 * [1,3,4,5] padded by 1/2 rows, 2/0 columns, channels untouched. */
TEST(pad_int8_fills_zero_point) {
  static uint8_t x[3 * 4 * 5], got[6 * 6 * 5];
  fill(x, sizeof x);
  const int32_t pads[8] = {0, 0, 1, 2, 2, 0, 0, 0};
  qin ins[2] = {{PNN_TYPE_INT8, 4, {1, 3, 4, 5}, 0.5f, -128, x, false},
                {PNN_TYPE_INT32, 2, {4, 2}, 0, 0, pads, true}};
  qin out = {PNN_TYPE_INT8, 4, {1, 6, 6, 5}, 0.5f, -128, NULL, false};
  CHECK(run_q(pnn_isa_supported(), 1, PNN_OP_PAD, 0, NULL, 2, ins, &out, got) ==
        PNN_OK);
  for (int y = 0; y < 6; y++)
    for (int xx = 0; xx < 6; xx++)
      for (int c = 0; c < 5; c++) {
        const bool inside = y >= 1 && y < 4 && xx >= 2;
        const uint8_t want =
            inside ? x[((y - 1) * 4 + (xx - 2)) * 5 + c] : (uint8_t)0x80;
        CHECK_EQ_INT(got[(y * 6 + xx) * 5 + c], want);
      }
}
