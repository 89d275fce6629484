/* f32 elementwise kernels (src/kernels/f32_vec*) on every ISA level the
 * host supports, on sizes 0, 1, 7, 8, 9, 15, 16, 17, 31, 33, 1000, 1027:
 * - clamp, leaky, prelu, hard_swish, binary add/sub/mul/max/min (all
 *   three operand shapes, with and without a clamp), sum_rows: bit-exact
 *   against the formulas written here (and so against the scalar level),
 *   NaN and signed zeros included;
 * - exp, logistic, tanh, elu, gelu_tanh: against double-precision libm,
 *   within the bounds stated in f32_vec.h (exp 4 ulp relative; logistic
 *   2e-7 absolute; tanh 3e-7 absolute; elu 2e-7 absolute; gelu 3e-7
 *   max(1, |x|)), and the scalar level bit-exact with the libm formulas;
 * - through one-op models, every ISA level forced: PRELU / ADD / SUB / MUL
 *   / MAXIMUM / MINIMUM broadcasts (fast paths and the general walk),
 *   MEAN / SUM over NHWC axes, the activations, EXP, and 2-thread splits.
 * Every output buffer carries a guard past n that must stay untouched. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "kernels/cpu.h"
#include "kernels/f32_vec.h"
#include "optest.h"

static const size_t kSizes[] = {0, 1, 7, 8, 9, 15, 16, 17, 31, 33, 1000, 1027};
#define NSIZES (sizeof kSizes / sizeof kSizes[0])
#define GUARD 20
#define MAXN 1027

static unsigned g_seed = 4242;

/* TFLite's reference_ops::Logistic in float with libm: what the scalar
 * level computes (1 above 16.619047, exp(x) below -9). */
static float tfl_logistic(float x) {
  if (x > 16.619047164916992188f) return 1.f;
  if (x < -9.f) return expf(x);
  return 1.f / (1.f + expf(-x));
}
static float rnd_f(float range) {
  g_seed = g_seed * 1103515245u + 12345u;
  return ((float)((g_seed >> 8) & 0xffffff) / 16777215.f * 2.f - 1.f) * range;
}
/* Random values with a few specials (NaN, +-0, +-inf) sprinkled in. */
static void fill(float *x, size_t n, float range, bool specials) {
  for (size_t i = 0; i < n; i++) x[i] = rnd_f(range);
  if (specials && n > 5) {
    x[1] = NAN;
    x[2] = -0.f;
    x[3] = 0.f;
    x[4] = INFINITY;
    x[5] = -INFINITY;
  }
}
static bool same_bits(float a, float b) {
  if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
  return memcmp(&a, &b, sizeof a) == 0;
}
static const float kSentinel = 12345.5f;
static void guard_set(float *o, size_t n) {
  for (size_t i = 0; i < n + GUARD; i++) o[i] = kSentinel;
}
static bool guard_ok(const float *o, size_t n) {
  for (size_t i = n; i < n + GUARD; i++)
    if (o[i] != kSentinel) return false;
  return true;
}

static float ref_clamp(float x, float lo, float hi) {
  return x < lo ? lo : (x > hi ? hi : x);
}
static float ref_bin(int op, float x, float y) {
  switch (op) {
    case PNN_VEC_ADD: return x + y;
    case PNN_VEC_SUB: return x - y;
    case PNN_VEC_MUL: return x * y;
    case PNN_VEC_MAX: return x > y ? x : y;
    default: return x < y ? x : y;
  }
}

static float g_x[MAXN + GUARD], g_y[MAXN + GUARD], g_o[MAXN + GUARD];

TEST(vec_exact_kernels_every_isa) {
  const float bounds[][2] = {{-INFINITY, INFINITY}, {0.f, INFINITY},
                             {-1.f, 1.f}, {0.f, 6.f}, {0.f, 1.f}};
  for (int isa = 0; isa <= (int)pnn_isa_supported(); isa++) {
    const pnn_f32_vec_ops *v = pnn_f32_vec_ops_for((pnn_isa)isa);
    CHECK_EQ_INT((int)v->isa, isa);
    int fails = 0;
    for (size_t k = 0; k < NSIZES; k++) {
      const size_t n = kSizes[k];
      fill(g_x, n, 8.f, true);
      fill(g_y, n, 8.f, true);
      for (size_t b = 0; b < sizeof bounds / sizeof bounds[0]; b++) {
        guard_set(g_o, n);
        v->clamp(g_x, g_o, n, bounds[b][0], bounds[b][1]);
        for (size_t i = 0; i < n; i++)
          fails += !same_bits(g_o[i], ref_clamp(g_x[i], bounds[b][0], bounds[b][1]));
        fails += !guard_ok(g_o, n);
      }
      guard_set(g_o, n);
      v->leaky(g_x, g_o, n, 0.2f);
      for (size_t i = 0; i < n; i++)
        fails += !same_bits(g_o[i], g_x[i] > 0.f ? g_x[i] : g_x[i] * 0.2f);
      fails += !guard_ok(g_o, n);
      guard_set(g_o, n);
      v->prelu(g_x, g_y, g_o, n);
      for (size_t i = 0; i < n; i++)
        fails += !same_bits(g_o[i], g_x[i] >= 0.f ? g_x[i] : g_x[i] * g_y[i]);
      fails += !guard_ok(g_o, n);
      guard_set(g_o, n);
      v->hard_swish(g_x, g_o, n);
      for (size_t i = 0; i < n; i++) {
        const float r6 = ref_clamp(g_x[i] + 3.f, 0.f, 6.f);
        fails += !same_bits(g_o[i], g_x[i] * r6 / 6.f);
      }
      fails += !guard_ok(g_o, n);
      for (int op = 0; op < PNN_VEC_BIN_COUNT; op++)
        for (int sh = 0; sh < PNN_VEC_SHAPES; sh++)
          for (size_t b = 0; b < 4; b++) {
            const float lo = bounds[b][0], hi = bounds[b][1];
            guard_set(g_o, n);
            v->bin[op][sh](g_x, g_y, g_o, n, lo, hi);
            for (size_t i = 0; i < n; i++) {
              const float x = sh == PNN_VEC_SV ? g_x[0] : g_x[i];
              const float y = sh == PNN_VEC_VS ? g_y[0] : g_y[i];
              if (!same_bits(g_o[i], ref_clamp(ref_bin(op, x, y), lo, hi))) {
                if (fails < 3)
                  fprintf(stderr, "  %s op %d shape %d n %zu i %zu: %g vs %g\n",
                          pnn_isa_name((pnn_isa)isa), op, sh, n, i,
                          (double)g_o[i],
                          (double)ref_clamp(ref_bin(op, x, y), lo, hi));
                fails++;
              }
            }
            fails += !guard_ok(g_o, n);
          }
    }
    CHECK_MSG(fails == 0, "%s: %d mismatches", pnn_isa_name((pnn_isa)isa), fails);
  }
}

TEST(vec_sum_rows_every_isa) {
  static const size_t cs[] = {1, 3, 8, 16, 17, 64, 65, 200};
  static float x[50 * 200], acc[200 + GUARD], want[200];
  for (int isa = 0; isa <= (int)pnn_isa_supported(); isa++) {
    const pnn_f32_vec_ops *v = pnn_f32_vec_ops_for((pnn_isa)isa);
    int fails = 0;
    for (size_t k = 0; k < sizeof cs / sizeof cs[0]; k++)
      for (size_t rows = 0; rows <= 49; rows += 7) {
        const size_t c = cs[k];
        fill(x, rows * c, 3.f, false);
        guard_set(acc, c);
        for (size_t j = 0; j < c; j++) acc[j] = want[j] = rnd_f(1.f);
        for (size_t r = 0; r < rows; r++)
          for (size_t j = 0; j < c; j++) want[j] += x[r * c + j];
        v->sum_rows(x, acc, rows, c);
        for (size_t j = 0; j < c; j++) fails += !same_bits(acc[j], want[j]);
        fails += !guard_ok(acc, c);
      }
    CHECK_MSG(fails == 0, "%s: %d mismatches", pnn_isa_name((pnn_isa)isa), fails);
  }
}

/* Error of got against the double-precision truth, in units of the
 * float spacing at the truth. */
static double ulps(float got, double truth) {
  if (got == truth) return 0.0;
  const double a = fabs(truth);
  const double spacing = a < 1.17549435e-38 ? 1.4e-45 : ldexp(1.0, ilogb(a) - 23);
  return fabs((double)got - truth) / spacing;
}

TEST(vec_exp_family_every_isa) {
  for (int isa = 0; isa <= (int)pnn_isa_supported(); isa++) {
    const pnn_f32_vec_ops *v = pnn_f32_vec_ops_for((pnn_isa)isa);
    double worst_exp = 0, worst_log = 0, worst_tanh = 0;
    int fails = 0;
    for (size_t k = 0; k < NSIZES; k++) {
      const size_t n = kSizes[k];
      for (int range = 0; range < 3; range++) {
        const float r = range == 0 ? 1.f : (range == 1 ? 20.f : 100.f);
        fill(g_x, n, r, false);
        guard_set(g_o, n);
        v->exp(g_x, g_o, n);
        fails += !guard_ok(g_o, n);
        for (size_t i = 0; i < n; i++) {
          const double t = exp((double)g_x[i]);
          if (isa == 0) {
            fails += !same_bits(g_o[i], expf(g_x[i]));
          } else if (g_x[i] > 88.7228394f) {
            fails += !(g_o[i] == INFINITY);
          } else if (g_x[i] < -87.3365402f) {
            fails += !(g_o[i] == 0.f);
          } else {
            const double u = ulps(g_o[i], t);
            worst_exp = u > worst_exp ? u : worst_exp;
            fails += u > 4.0;
          }
        }
        guard_set(g_o, n);
        v->logistic(g_x, g_o, n);
        fails += !guard_ok(g_o, n);
        for (size_t i = 0; i < n; i++) {
          const double t = 1.0 / (1.0 + exp(-(double)g_x[i]));
          if (isa == 0) {
            fails += !same_bits(g_o[i], tfl_logistic(g_x[i]));
            continue;
          }
          const double e = fabs((double)g_o[i] - t);
          worst_log = e > worst_log ? e : worst_log;
          fails += e > 2e-7;
          if (t >= 1e-30) fails += ulps(g_o[i], t) > 8.0;
        }
        guard_set(g_o, n);
        v->elu(g_x, g_o, n);
        fails += !guard_ok(g_o, n);
        for (size_t i = 0; i < n; i++) {
          const float x = g_x[i];
          if (isa == 0) {
            fails += !same_bits(g_o[i], x < 0.f ? expm1f(x) : x);
            continue;
          }
          const double t = x < 0.f ? expm1((double)x) : (double)x;
          fails += !(fabs((double)g_o[i] - t) <= 2e-7);
        }
        guard_set(g_o, n);
        v->gelu_tanh(g_x, g_o, n);
        fails += !guard_ok(g_o, n);
        for (size_t i = 0; i < n; i++) {
          const float x = g_x[i];
          const float k = 0.7978845608028654f;
          if (isa == 0) {
            fails += !same_bits(g_o[i], 0.5f * x * (1.f + tanhf(k * (x + 0.044715f * x * x * x))));
            continue;
          }
          const double xd = x;
          const double t = 0.5 * xd * (1.0 + tanh(0.7978845608028654 * (xd + 0.044715 * xd * xd * xd)));
          const double ax = fabs(xd) > 1.0 ? fabs(xd) : 1.0;
          fails += !(fabs((double)g_o[i] - t) <= 3e-7 * ax);
        }
        guard_set(g_o, n);
        v->tanh(g_x, g_o, n);
        fails += !guard_ok(g_o, n);
        for (size_t i = 0; i < n; i++) {
          if (isa == 0) {
            fails += !same_bits(g_o[i], tanhf(g_x[i]));
            continue;
          }
          const double e = fabs((double)g_o[i] - tanh((double)g_x[i]));
          worst_tanh = e > worst_tanh ? e : worst_tanh;
          fails += e > 3e-7;
        }
      }
    }
    /* Specials: NaN stays NaN, infinities, zeros, tiny values. */
    const float sp[] = {NAN, INFINITY, -INFINITY, 0.f, -0.f, 1e-10f, -1e-10f,
                        88.7f, -87.3f, 9.5f, -9.5f, 1e-3f};
    const size_t ns = sizeof sp / sizeof sp[0];
    float o[16];
    v->exp(sp, o, ns);
    fails += !isnan(o[0]) + (o[1] != INFINITY) + (o[2] != 0.f) + (o[3] != 1.f);
    v->logistic(sp, o, ns);
    fails += !isnan(o[0]) + (o[1] != 1.f) + (o[2] != 0.f) + (o[3] != 0.5f);
    v->tanh(sp, o, ns);
    fails += !isnan(o[0]) + (o[1] != 1.f) + (o[2] != -1.f) + (o[3] != 0.f);
    fails += !same_bits(o[4], -0.f) + (o[5] != 1e-10f) + (o[6] != -1e-10f);
    fails += (o[9] != tanhf(9.5f)) + (o[10] != tanhf(-9.5f));
    fprintf(stderr, "  %s: worst exp %.2f ulp, logistic %.2e abs, tanh %.2e abs\n",
            pnn_isa_name((pnn_isa)isa), worst_exp, worst_log, worst_tanh);
    CHECK_MSG(fails == 0, "%s: %d failures", pnn_isa_name((pnn_isa)isa), fails);
  }
}

/* ------------------------------------------------ through the ops */

/* Runs a one-op model (inputs 0..n_in-1 fed, `axes` as a constant second
 * input when non-NULL) with `isa` forced; copies the output (at most cap
 * floats) to out and returns its element count, or -1. */
typedef struct {
  int rank;
  int32_t dims[6];
  const float *data;
} vt_in;

static int g_threads = 1; /* interpreter threads for run_op */

static int64_t run_op(pnn_isa isa, int32_t builtin, uint8_t opt_type,
                      const void *opts, int n_in, const vt_in *ins,
                      const int32_t *axes, int n_axes, float *out,
                      int64_t cap) {
  pnn_isa_force(isa);
  optest t;
  ot_begin(&t);
  t.threads = g_threads;
  int32_t ts[3];
  for (int i = 0; i < n_in; i++)
    ts[i] =
        ot_input(&t, PNN_TYPE_FLOAT32, ins[i].rank, ins[i].dims, ins[i].data);
  int n_ops = n_in;
  if (axes)
    ts[n_ops++] = ot_qtensor(&t, "axes", PNN_TYPE_INT32, 1, (int32_t[]){n_axes},
                             axes, 0, 0);
  int32_t y = ot_output(&t, PNN_TYPE_FLOAT32);
  int64_t count = -1;
  if (ot_run(&t, builtin, opt_type, opts, n_ops, ts, y) == PNN_OK) {
    count = (int64_t)(pnn_tensor_byte_size(ot_out(&t)) / sizeof(float));
    if (count <= cap)
      memcpy(out, ot_data(&t), (size_t)count * sizeof(float));
    else
      count = -1;
  } else {
    fprintf(stderr, "  %s\n", ot_error(&t));
  }
  ot_end(&t);
  pnn_isa_force(PNN_ISA_COUNT);
  return count;
}

/* Reference broadcast binary op over rank-4 shapes (dims right-aligned
 * and padded with 1 by the caller). */
static void ref_broadcast(int kind, const int32_t *da, const float *a,
                          const int32_t *db, const float *b, float *o, float lo,
                          float hi) {
  int32_t d[4];
  for (int k = 0; k < 4; k++) d[k] = da[k] > db[k] ? da[k] : db[k];
  int64_t n = 0;
  for (int i0 = 0; i0 < d[0]; i0++)
    for (int i1 = 0; i1 < d[1]; i1++)
      for (int i2 = 0; i2 < d[2]; i2++)
        for (int i3 = 0; i3 < d[3]; i3++) {
          const int ia[4] = {da[0] > 1 ? i0 : 0, da[1] > 1 ? i1 : 0,
                             da[2] > 1 ? i2 : 0, da[3] > 1 ? i3 : 0};
          const int ib[4] = {db[0] > 1 ? i0 : 0, db[1] > 1 ? i1 : 0,
                             db[2] > 1 ? i2 : 0, db[3] > 1 ? i3 : 0};
          const float x = a[((ia[0] * da[1] + ia[1]) * da[2] + ia[2]) * da[3] + ia[3]];
          const float y = b[((ib[0] * db[1] + ib[1]) * db[2] + ib[2]) * db[3] + ib[3]];
          float r;
          if (kind == -1) /* PRELU */
            r = x >= 0.f ? x : x * y;
          else
            r = ref_bin(kind, x, y);
          o[n++] = ref_clamp(r, lo, hi);
        }
}

static float g_a[4096], g_b[4096], g_got[4096], g_want[4096];

TEST(vec_ops_prelu_and_binary_broadcasts_every_isa) {
  /* {a dims, b dims} on rank 4: per-channel, same shape, scalar, row
   * broadcast in the middle, scalar first, general. */
  static const int32_t shapes[][2][4] = {
      {{1, 5, 7, 19}, {1, 1, 1, 19}}, {{1, 5, 7, 19}, {1, 5, 7, 19}},
      {{1, 5, 7, 19}, {1, 1, 1, 1}},  {{1, 5, 7, 19}, {1, 5, 1, 1}},
      {{2, 3, 4, 33}, {1, 3, 1, 33}}, {{1, 1, 1, 1}, {2, 3, 4, 9}},
      {{1, 4, 1, 24}, {1, 1, 6, 24}}, {{1, 9, 9, 8}, {1, 9, 9, 8}},
  };
  static const int32_t ops[] = {PNN_OP_ADD, PNN_OP_SUB, PNN_OP_MUL,
                                PNN_OP_MAXIMUM, PNN_OP_MINIMUM, PNN_OP_PRELU};
  fill(g_a, 4096, 4.f, false);
  fill(g_b, 4096, 4.f, false);
  g_a[3] = -0.f;
  g_a[5] = NAN;
  for (int isa = 0; isa <= (int)pnn_isa_supported(); isa++) {
    int fails = 0;
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
      for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        const int32_t op = ops[k];
        if (op == PNN_OP_PRELU && s == 5) continue; /* x must not grow */
        const int kind = op == PNN_OP_PRELU ? -1 : (int)k;
        const bool act = op == PNN_OP_ADD || op == PNN_OP_SUB || op == PNN_OP_MUL;
        for (int a6 = 0; a6 < (act ? 2 : 1); a6++) {
          pnn_add_options o; /* Add/Sub/Mul options share the layout */
          memset(&o, 0, sizeof o);
          o.fused_activation_function = a6 ? PNN_ACT_RELU6 : 0;
          const uint8_t ot = op == PNN_OP_ADD ? PNN_OPTIONS_OF(add)
                             : op == PNN_OP_SUB ? PNN_OPTIONS_OF(sub)
                             : op == PNN_OP_MUL ? PNN_OPTIONS_OF(mul) : 0;
          const vt_in in[2] = {{4, {shapes[s][0][0], shapes[s][0][1], shapes[s][0][2], shapes[s][0][3]}, g_a},
                               {4, {shapes[s][1][0], shapes[s][1][1], shapes[s][1][2], shapes[s][1][3]}, g_b}};
          const int64_t n = run_op((pnn_isa)isa, op, ot, ot ? &o : NULL, 2, in,
                                   NULL, 0, g_got, 4096);
          ref_broadcast(kind, shapes[s][0], g_a, shapes[s][1], g_b, g_want,
                        a6 ? 0.f : -INFINITY, a6 ? 6.f : INFINITY);
          if (n <= 0) { fails++; continue; }
          for (int64_t i = 0; i < n; i++)
            if (!same_bits(g_got[i], g_want[i])) {
              if (fails < 3)
                fprintf(stderr, "  %s shape %zu op %d act %d i %lld: %g vs %g\n",
                        pnn_isa_name((pnn_isa)isa), s, op, a6, (long long)i,
                        (double)g_got[i], (double)g_want[i]);
              fails++;
            }
        }
      }
    CHECK_MSG(fails == 0, "%s: %d mismatches", pnn_isa_name((pnn_isa)isa), fails);
  }
}

TEST(vec_ops_mean_sum_every_isa) {
  /* NHWC mean over H, W (the fast path), keep_dims both ways; sums over
   * a middle axis; a narrow channel block and a last-axis reduction (the
   * walk). Summation order is the input order in every path: exact. */
  static const struct { int32_t op; int32_t dims[4]; int32_t axes[2]; int na; } cs[] = {
      {PNN_OP_MEAN, {2, 5, 6, 24}, {1, 2}, 2}, {PNN_OP_MEAN, {1, 7, 7, 37}, {2, 1}, 2},
      {PNN_OP_SUM, {3, 7, 9, 16}, {1, 0}, 1},  {PNN_OP_SUM, {1, 4, 6, 3}, {1, 2}, 2},
      {PNN_OP_MEAN, {2, 3, 4, 17}, {3, 0}, 1}, {PNN_OP_SUM, {2, 3, 1, 40}, {0, 2}, 2},
  };
  fill(g_a, 4096, 4.f, false);
  for (int isa = 0; isa <= (int)pnn_isa_supported(); isa++) {
    int fails = 0;
    for (size_t c = 0; c < sizeof cs / sizeof cs[0]; c++)
      for (int keep = 0; keep < 2; keep++) {
        pnn_reducer_options o;
        memset(&o, 0, sizeof o);
        o.keep_dims = keep;
        const int32_t *d = cs[c].dims;
        const vt_in in = {4, {d[0], d[1], d[2], d[3]}, g_a};
        const int64_t n = run_op((pnn_isa)isa, cs[c].op, PNN_OPTIONS_OF(reducer),
                                 &o, 1, &in, cs[c].axes, cs[c].na, g_got, 4096);
        bool red[4] = {false};
        for (int k = 0; k < cs[c].na; k++) red[cs[c].axes[k]] = true;
        const int32_t od[4] = {red[0] ? 1 : d[0], red[1] ? 1 : d[1],
                               red[2] ? 1 : d[2], red[3] ? 1 : d[3]};
        const int64_t nout = (int64_t)od[0] * od[1] * od[2] * od[3];
        int64_t per = 1;
        for (int k = 0; k < 4; k++) per *= red[k] ? d[k] : 1;
        for (int64_t i = 0; i < nout; i++) g_want[i] = 0.f;
        int64_t idx = 0;
        for (int i0 = 0; i0 < d[0]; i0++)
          for (int i1 = 0; i1 < d[1]; i1++)
            for (int i2 = 0; i2 < d[2]; i2++)
              for (int i3 = 0; i3 < d[3]; i3++) {
                const int64_t oo = (((int64_t)(red[0] ? 0 : i0) * od[1] +
                                     (red[1] ? 0 : i1)) * od[2] +
                                    (red[2] ? 0 : i2)) * od[3] + (red[3] ? 0 : i3);
                g_want[oo] += g_a[idx++];
              }
        if (cs[c].op == PNN_OP_MEAN)
          for (int64_t i = 0; i < nout; i++) g_want[i] /= (float)per;
        if (n != nout) { fails++; continue; }
        for (int64_t i = 0; i < n; i++) fails += !same_bits(g_got[i], g_want[i]);
      }
    CHECK_MSG(fails == 0, "%s: %d mismatches", pnn_isa_name((pnn_isa)isa), fails);
  }
}

TEST(vec_ops_activations_every_isa) {
  static const int32_t ops[] = {PNN_OP_RELU, PNN_OP_RELU6, PNN_OP_RELU_N1_TO_1,
                                PNN_OP_RELU_0_TO_1, PNN_OP_LEAKY_RELU,
                                PNN_OP_HARD_SWISH, PNN_OP_LOGISTIC, PNN_OP_TANH,
                                PNN_OP_EXP, PNN_OP_ELU, PNN_OP_GELU};
  fill(g_a, 4096, 10.f, true);
  const vt_in in = {4, {1, 13, 7, 43}, g_a}; /* 3913 elements */
  for (int isa = 0; isa <= (int)pnn_isa_supported(); isa++) {
    int fails = 0;
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
      pnn_leaky_relu_options lo;
      memset(&lo, 0, sizeof lo);
      lo.alpha = 0.3f;
      pnn_gelu_options go;
      memset(&go, 0, sizeof go);
      go.approximate = true;
      const bool leaky = ops[k] == PNN_OP_LEAKY_RELU;
      const bool gelu = ops[k] == PNN_OP_GELU;
      const int64_t n = run_op((pnn_isa)isa, ops[k],
                               leaky ? PNN_OPTIONS_OF(leaky_relu)
                               : gelu ? PNN_OPTIONS_OF(gelu) : 0,
                               leaky ? (const void *)&lo
                               : gelu ? (const void *)&go : NULL,
                               1, &in, NULL, 0, g_got, 4096);
      if (n != 13 * 7 * 43) { fails++; continue; }
      for (int64_t i = 0; i < n; i++) {
        const float x = g_a[i];
        float w;
        double tol = 0;
        switch (ops[k]) {
          case PNN_OP_RELU: w = ref_clamp(x, 0.f, INFINITY); break;
          case PNN_OP_RELU6: w = ref_clamp(x, 0.f, 6.f); break;
          case PNN_OP_RELU_N1_TO_1: w = ref_clamp(x, -1.f, 1.f); break;
          case PNN_OP_RELU_0_TO_1: w = ref_clamp(x, 0.f, 1.f); break;
          case PNN_OP_LEAKY_RELU: w = x > 0.f ? x : x * 0.3f; break;
          case PNN_OP_HARD_SWISH: w = x * ref_clamp(x + 3.f, 0.f, 6.f) / 6.f; break;
          case PNN_OP_LOGISTIC: w = tfl_logistic(x); tol = 2e-7; break;
          case PNN_OP_TANH: w = tanhf(x); tol = 3e-7; break;
          case PNN_OP_ELU: w = x < 0.f ? expm1f(x) : x; tol = 2e-7; break;
          case PNN_OP_GELU:
            w = 0.5f * x * (1.f + tanhf(0.7978845608028654f *
                                        (x + 0.044715f * x * x * x)));
            tol = 4e-7 * (fabsf(x) > 1.f ? fabsf(x) : 1.f);
            break;
          default: w = expf(x); tol = 5e-7 * fabs((double)w); break;
        }
        if (tol == 0 || isa == 0 || !isfinite(w))
          fails += !same_bits(g_got[i], w);
        else
          fails += !(fabs((double)g_got[i] - (double)w) <= tol);
      }
    }
    CHECK_MSG(fails == 0, "%s: %d mismatches", pnn_isa_name((pnn_isa)isa), fails);
  }
}

TEST(vec_ops_large_prelu_and_mul_two_threads) {
  /* Large enough for the ops' parallel split: rows shared by 2 threads. */
  static float a[64 * 40 * 24], b[64 * 40 * 24], got[64 * 40 * 24];
  fill(a, 64 * 40 * 24, 3.f, false);
  fill(b, 24, 1.f, false);
  g_threads = 2;
  for (int isa = 0; isa <= (int)pnn_isa_supported(); isa++) {
    int fails = 0;
    for (int k = 0; k < 2; k++) {
      const int32_t op = k ? PNN_OP_MUL : PNN_OP_PRELU;
      const vt_in in[2] = {{4, {1, 64, 40, 24}, a}, {3, {1, 1, 24}, b}};
      const int64_t n = run_op((pnn_isa)isa, op, 0, NULL, 2, in, NULL, 0, got,
                               64 * 40 * 24);
      if (n != 64 * 40 * 24) { fails++; continue; }
      for (int64_t i = 0; i < n; i++) {
        const float x = a[i], y = b[i % 24];
        fails += !same_bits(got[i], k ? x * y : (x >= 0.f ? x : x * y));
      }
    }
    CHECK_MSG(fails == 0, "%s: %d mismatches", pnn_isa_name((pnn_isa)isa), fails);
  }
  g_threads = 1;
}

/* ------------------------------------------------ bilinear blend */

/* TFLite's float blend, written out in its order. */
static float ref_blend(float p00, float p01, float p10, float p11, float dy,
                       float dx) {
  return p00 * (1.f - dy) * (1.f - dx) + p10 * dy * (1.f - dx) +
         p01 * (1.f - dy) * dx + p11 * dy * dx;
}

TEST(vec_bilinear_blend_every_isa) {
  static float p[4][MAXN + GUARD];
  const float w[][2] = {{0.f, 0.f}, {0.25f, 0.75f}, {1.f, 0.5f}, {0.3f, 0.9f}};
  for (int isa = 0; isa <= (int)pnn_isa_supported(); isa++) {
    const pnn_f32_vec_ops *v = pnn_f32_vec_ops_for((pnn_isa)isa);
    int fails = 0;
    for (size_t k = 0; k < NSIZES; k++) {
      const size_t n = kSizes[k];
      for (int q = 0; q < 4; q++) fill(p[q], n, 8.f, q == 1);
      for (size_t c = 0; c < sizeof w / sizeof w[0]; c++) {
        guard_set(g_o, n);
        v->bilinear(p[0], p[1], p[2], p[3], g_o, n, w[c][0], w[c][1]);
        for (size_t i = 0; i < n; i++)
          fails += !same_bits(g_o[i], ref_blend(p[0][i], p[1][i], p[2][i],
                                                p[3][i], w[c][0], w[c][1]));
        fails += !guard_ok(g_o, n);
      }
    }
    CHECK_MSG(fails == 0, "%s: %d failures", pnn_isa_name((pnn_isa)isa), fails);
  }
}

/* RESIZE_BILINEAR through the op (taps precomputed at prepare, rows split
 * over threads) against the per-pixel reference, bit for bit. */
static float ref_coord(int32_t x, float scale, bool half, int32_t in,
                       int32_t *lo, int32_t *hi) {
  const float src = half ? ((float)x + 0.5f) * scale - 0.5f : (float)x * scale;
  int32_t f = (int32_t)floorf(src), c = (int32_t)ceilf(src);
  *lo = f < 0 ? 0 : (f < in - 1 ? f : in - 1);
  *hi = c < in - 1 ? c : in - 1;
  return src - (float)*lo;
}

TEST(vec_ops_resize_bilinear_every_isa) {
  unsigned seed = 99;
  for (int threads = 1; threads <= 2; threads++) {
    g_threads = threads;
    for (int isa = 0; isa <= (int)pnn_isa_supported(); isa++) {
      int fails = 0;
      for (int r = 0; r < 40; r++) {
        seed = seed * 1103515245u + 12345u;
        const int32_t n = 1 + (int32_t)(seed >> 9) % 2;
        const int32_t ih = 1 + (int32_t)(seed >> 11) % 7;
        const int32_t iw = 1 + (int32_t)(seed >> 14) % 7;
        const int32_t ch = 1 + (int32_t)(seed >> 17) % 19;
        const int32_t oh = 1 + (int32_t)(seed >> 20) % 9;
        const int32_t ow = 1 + (int32_t)(seed >> 23) % 9;
        const int mode = (int)(seed >> 26) % 3; /* plain, align, half */
        const bool align = mode == 1, half = mode == 2;
        fill(g_a, (size_t)(n * ih * iw * ch), 4.f, false);
        pnn_resize_bilinear_options o = {.align_corners = align,
                                         .half_pixel_centers = half};
        vt_in in = {4, {n, ih, iw, ch}, g_a};
        const int32_t size[2] = {oh, ow};
        int64_t got = run_op((pnn_isa)isa, PNN_OP_RESIZE_BILINEAR,
                             PNN_OPTIONS_OF(resize_bilinear), &o, 1, &in, size,
                             2, g_got, 4096);
        if (got != (int64_t)n * oh * ow * ch) {
          fails++;
          continue;
        }
        const float sh = align && oh > 1 ? (float)(ih - 1) / (float)(oh - 1)
                                         : (float)ih / (float)oh;
        const float sw = align && ow > 1 ? (float)(iw - 1) / (float)(ow - 1)
                                         : (float)iw / (float)ow;
        int64_t e = 0;
        for (int32_t b = 0; b < n; b++)
          for (int32_t y = 0; y < oh; y++) {
            int32_t y0, y1, x0, x1;
            const float dy = ref_coord(y, sh, half, ih, &y0, &y1);
            for (int32_t x = 0; x < ow; x++) {
              const float dx = ref_coord(x, sw, half, iw, &x0, &x1);
              const float *img = g_a + (size_t)b * ih * iw * ch;
              for (int32_t c = 0; c < ch; c++, e++) {
                const float want = ref_blend(
                    img[(y0 * iw + x0) * ch + c], img[(y0 * iw + x1) * ch + c],
                    img[(y1 * iw + x0) * ch + c], img[(y1 * iw + x1) * ch + c],
                    dy, dx);
                fails += !same_bits(g_got[e], want);
              }
            }
          }
      }
      CHECK_MSG(fails == 0, "%s, %d threads: %d failures",
                pnn_isa_name((pnn_isa)isa), threads, fails);
    }
  }
  g_threads = 1;
}

/* MAX_POOL_2D / AVERAGE_POOL_2D through the op (window accumulation on the
 * vector kernels, rows split over threads) against the reference window
 * loop written here, bit for bit: SAME and VALID, odd sizes, activations,
 * a NaN in the input. */
TEST(vec_ops_pool_max_avg_every_isa) {
  unsigned seed = 7;
  for (int threads = 1; threads <= 2; threads++) {
    g_threads = threads;
    for (int isa = 0; isa <= (int)pnn_isa_supported(); isa++) {
      int fails = 0;
      for (int r = 0; r < 40; r++) {
        seed = seed * 1103515245u + 12345u;
        const int32_t n = 1 + (int32_t)(seed >> 9) % 2;
        const int32_t ih = 1 + (int32_t)(seed >> 11) % 9;
        const int32_t iw = 1 + (int32_t)(seed >> 14) % 9;
        const int32_t ch = 1 + (int32_t)(seed >> 17) % 37;
        const int32_t fh = 1 + (int32_t)(seed >> 20) % 3;
        const int32_t fw = 1 + (int32_t)(seed >> 22) % 3;
        const int32_t st = 1 + (int32_t)(seed >> 24) % 2;
        const bool same = (seed >> 26) & 1, is_max = (seed >> 27) & 1;
        const int act = (int)(seed >> 28) % 4; /* NONE RELU N1_TO_1 RELU6 */
        if (!same && (fh > ih || fw > iw)) continue;
        const size_t in_n = (size_t)(n * ih * iw * ch);
        if (in_n > 4096) continue;
        fill(g_a, in_n, 8.f, false);
        if (r % 5 == 0) g_a[in_n / 2] = NAN;
        pnn_pool2d_options o = {.padding = same ? PNN_PADDING_SAME
                                                : PNN_PADDING_VALID,
                                .stride_w = st, .stride_h = st,
                                .filter_width = fw, .filter_height = fh,
                                .fused_activation_function = act};
        vt_in in = {4, {n, ih, iw, ch}, g_a};
        int64_t got = run_op((pnn_isa)isa,
                             is_max ? PNN_OP_MAX_POOL_2D : PNN_OP_AVERAGE_POOL_2D,
                             PNN_OPTIONS_OF(pool2d), &o, 1, &in, NULL, 0, g_got,
                             4096);
        const int32_t oh = same ? (ih + st - 1) / st : (ih - fh) / st + 1;
        const int32_t ow = same ? (iw + st - 1) / st : (iw - fw) / st + 1;
        if (got != (int64_t)n * oh * ow * ch) {
          fails++;
          continue;
        }
        const int32_t ph = same ? ((oh - 1) * st + fh - ih) / 2 : 0;
        const int32_t pw = same ? ((ow - 1) * st + fw - iw) / 2 : 0;
        int64_t e = 0;
        for (int32_t b = 0; b < n; b++)
          for (int32_t oy = 0; oy < oh; oy++)
            for (int32_t ox = 0; ox < ow; ox++)
              for (int32_t c = 0; c < ch; c++, e++) {
                float acc = is_max ? -FLT_MAX : 0.f;
                int cnt = 0;
                for (int32_t y = oy * st - (ph > 0 ? ph : 0);
                     y < oy * st - (ph > 0 ? ph : 0) + fh; y++)
                  for (int32_t x = ox * st - (pw > 0 ? pw : 0);
                       x < ox * st - (pw > 0 ? pw : 0) + fw; x++) {
                    if (y < 0 || y >= ih || x < 0 || x >= iw) continue;
                    const float v = g_a[((b * ih + y) * iw + x) * ch + c];
                    acc = is_max ? (v > acc ? v : acc) : acc + v;
                    cnt++;
                  }
                if (!is_max) acc = acc / (float)cnt;
                const float lo = act == 1 || act == 3 ? 0.f
                                 : act == 2           ? -1.f
                                                      : -INFINITY;
                const float hi = act == 3 ? 6.f : act == 2 ? 1.f : INFINITY;
                const float want = act ? ref_clamp(acc, lo, hi) : acc;
                fails += !same_bits(g_got[e], want);
              }
      }
      CHECK_MSG(fails == 0, "%s, %d threads: %d failures",
                pnn_isa_name((pnn_isa)isa), threads, fails);
    }
  }
  g_threads = 1;
}

/* hard_swish divides by 6 with a multiply and an FMA correction on the
 * SIMD levels (f32_vec_simd.h vdiv6): bit-exact with x * r6 / 6 over the
 * whole float range, random bit patterns (every exponent, subnormals,
 * NaN, inf) mixed with values near the clamp edges and near 0, in vectors
 * that take the fast path and vectors that fall back to the division. */
TEST(vec_hard_swish_division_exact_all_ranges) {
  enum { N = 4096 };
  static float x[N], o[N];
  for (int isa = 1; isa <= (int)pnn_isa_supported(); isa++) {
    const pnn_f32_vec_ops *v = pnn_f32_vec_ops_for((pnn_isa)isa);
    int bad = 0;
    for (int round = 0; round < 64; round++) {
      for (int i = 0; i < N; i++) {
        g_seed = g_seed * 1103515245u + 12345u;
        uint32_t bits = (g_seed >> 8) & 0xffff;
        g_seed = g_seed * 1103515245u + 12345u;
        bits |= ((g_seed >> 8) & 0xffff) << 16;
        float f;
        if (round % 2) { /* ordinary activations: [-8, 8] */
          f = rnd_f(8.f);
        } else {
          memcpy(&f, &bits, sizeof f);
        }
        x[i] = f;
      }
      v->hard_swish(x, o, N);
      for (int i = 0; i < N; i++) {
        float r6 = x[i] + 3.f;
        r6 = r6 < 0.f ? 0.f : (r6 > 6.f ? 6.f : r6);
        const float want = x[i] * r6 / 6.f;
        if (!same_bits(o[i], want)) {
          if (!bad)
            fprintf(stderr, "  %s: hard_swish(%a) = %a, want %a\n",
                    pnn_isa_name((pnn_isa)isa), x[i], o[i], want);
          bad++;
        }
      }
    }
    CHECK_MSG(bad == 0, "%s: %d mismatches", pnn_isa_name((pnn_isa)isa), bad);
  }
}

/* PRELU with a constant per-channel alpha and few channels: rows grouped
 * into whole-vector runs with a repeated alpha block (activation.c);
 * bit-exact with x >= 0 ? x : x * alpha, every ISA, 1 and 2 threads,
 * row counts that leave a short last group. */
TEST(vec_ops_prelu_constant_alpha_narrow_rows) {
  static const int32_t chans[] = {1, 3, 8, 19, 255, 300};
  static float x[37 * 23 * 300], al[300], got[37 * 23 * 300];
  fill(x, sizeof x / sizeof x[0], 4.f, true);
  fill(al, 300, 1.f, false);
  for (int isa = 0; isa <= (int)pnn_isa_supported(); isa++)
    for (int threads = 1; threads <= 2; threads++)
      for (size_t ci = 0; ci < sizeof chans / sizeof chans[0]; ci++) {
        const int32_t c = chans[ci], h = 37, w = ci % 2 ? 23 : 7;
        pnn_isa_force((pnn_isa)isa);
        optest t;
        ot_begin(&t);
        t.threads = threads;
        int32_t xi = ot_input(&t, PNN_TYPE_FLOAT32, 4, (int32_t[]){1, h, w, c}, x);
        int32_t ai = ot_const(&t, PNN_TYPE_FLOAT32, 3, (int32_t[]){1, 1, c}, al);
        int32_t y = ot_output(&t, PNN_TYPE_FLOAT32);
        int fails = 0;
        if (ot_run(&t, PNN_OP_PRELU, 0, NULL, 2, (int32_t[]){xi, ai}, y) != PNN_OK) {
          fprintf(stderr, "  %s\n", ot_error(&t));
          fails++;
        } else {
          const size_t n = (size_t)h * w * c;
          memcpy(got, ot_data(&t), n * sizeof(float));
          for (size_t i = 0; i < n; i++) {
            const float v = x[i], want = v >= 0.f ? v : v * al[i % (size_t)c];
            fails += !same_bits(got[i], want);
          }
        }
        ot_end(&t);
        pnn_isa_force(PNN_ISA_COUNT);
        CHECK_MSG(fails == 0, "%s threads %d c %d: %d mismatches",
                  pnn_isa_name((pnn_isa)isa), threads, (int)c, fails);
      }
}
