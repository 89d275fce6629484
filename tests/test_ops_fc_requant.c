/* FULLY_CONNECTED output scaling as LiteRT's reference kernels do it
 * (reference_integer_ops/fully_connected.h, reference_ops FullyConnected
 * with scales): every integer kind scales its accumulator once in double,
 *   out = clamp(zp_out + (int32)round((double)acc * S), lo, hi),
 *   S = (double)s_in * (double)s_w[c] / (double)s_out,
 * not with the Q31 multiplier and double rounding (SaturatingRounding-
 * DoublingHighMul, then RoundingDivideByPOT) of its convolutions.
 *
 * The cases pick effective scales S in [0.25, 0.5) (a right shift of one
 * after the Q31 multiply), where the two formulas differ on about a
 * quarter of all accumulators: e.g. acc 1, S 0.3 gives round(0.3) = 0 but
 * the fixed-point path rounds 0.6 to 1, then 1/2 away from zero to 1. Each
 * test checks that its data really contains such elements, so it fails on
 * the doubly rounded requantization. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/cpu.h"
#include "ops/quant_math.h"
#include "optest.h"

enum { B = 5, D = 8, U = 21 }; /* 21 units: one full GEMM panel + a tail */

static uint32_t lcg(uint32_t *s) {
  *s = *s * 1664525u + 1013904223u;
  return *s >> 8;
}

/* The doubly rounded requantization pocketnn's FC used before (TFLite's
 * MultiplyByQuantizedMultiplier on the conv multiplier). */
static int32_t double_rounded(int64_t acc, double real) {
  int32_t m;
  int shift;
  pnn_qm_quantize_multiplier(real, &m, &shift);
  return pnn_qm_mul_by_qm((int32_t)acc, m, shift);
}

/* LiteRT's formula, written out independently of pnn_qm_scale_round. */
static int32_t litert_fc(int64_t acc, float s_in, float s_w, float s_out,
                         int32_t zp, int32_t lo, int32_t hi) {
  const double eff = (double)s_in * (double)s_w / (double)s_out;
  int32_t v = (int32_t)round((double)acc * eff) + zp;
  return v < lo ? lo : (v > hi ? hi : v);
}

typedef struct {
  pnn_type in_type, bias_type;
  float s_in, s_out;
  int32_t zp_in, zp_out, lo, hi;
  int x_lo, x_span; /* input values in [x_lo, x_lo + x_span) */
} fc_case;

/* Builds and runs FC on B x D inputs, U x D per-channel int8 weights
 * (constant, so int8 takes the packed GEMM) and a constant bias, then
 * compares every output with litert_fc. *n_diff counts elements where
 * the doubly rounded formula gives another value. */
static void run_case(const fc_case *c, int *n_diff, int *n_bad) {
  uint32_t seed = 12345;
  int16_t x16[B * D];
  int8_t x8[B * D], w[U * D];
  int32_t b32[U];
  int64_t b64[U], wzp[U];
  float ws[U];
  for (int i = 0; i < B * D; i++) {
    int v = c->x_lo + (int)(lcg(&seed) % (uint32_t)c->x_span);
    x8[i] = (int8_t)v;
    x16[i] = (int16_t)v;
  }
  for (int i = 0; i < U * D; i++) w[i] = (int8_t)((int)(lcg(&seed) % 11) - 5);
  for (int u = 0; u < U; u++) {
    /* S = s_in * s_w / s_out in [0.25, 0.5) for most units, smaller for
     * every fourth (a longer right shift). */
    float target = (u % 4 == 3 ? 0.02f : 0.25f) + 0.011f * (float)u;
    ws[u] = target * c->s_out / c->s_in;
    wzp[u] = 0;
    b32[u] = (int32_t)(lcg(&seed) % 41) - 20;
    b64[u] = b32[u];
  }
  optest t;
  ot_begin(&t);
  const bool i16 = c->in_type == PNN_TYPE_INT16;
  int xi = ot_qinput(&t, c->in_type, 2, (int32_t[]){B, D},
                     i16 ? (const void *)x16 : (const void *)x8, c->s_in,
                     c->zp_in);
  int wi = ot_qtensor_n(&t, "c", PNN_TYPE_INT8, 2, (int32_t[]){U, D}, w, U,
                        ws, wzp, 0);
  float bs[U];
  for (int u = 0; u < U; u++) bs[u] = c->s_in * ws[u];
  int bi = ot_qtensor_n(&t, "c", c->bias_type, 1, (int32_t[]){U},
                        c->bias_type == PNN_TYPE_INT64 ? (const void *)b64
                                                       : (const void *)b32,
                        U, bs, wzp, 0);
  float so = c->s_out;
  int64_t zo = c->zp_out;
  int y = ot_qtensor_n(&t, "y", c->in_type, 2, (int32_t[]){B, U}, NULL, 1,
                       &so, &zo, 0);
  pnn_fully_connected_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(fully_connected), &o);
  pnn_status s = ot_run(&t, PNN_OP_FULLY_CONNECTED,
                        PNN_OPTIONS_OF(fully_connected), &o, 3,
                        (int32_t[]){xi, wi, bi}, y);
  if (s) {
    *n_bad = -1;
    ot_end(&t);
    return;
  }
  const void *out = ot_data(&t);
  for (int r = 0; r < B; r++)
    for (int u = 0; u < U; u++) {
      int64_t acc = b32[u];
      for (int d = 0; d < D; d++)
        acc += (int64_t)w[u * D + d] *
               ((i16 ? x16[r * D + d] : x8[r * D + d]) - c->zp_in);
      int32_t want = litert_fc(acc, c->s_in, ws[u], c->s_out, c->zp_out,
                               c->lo, c->hi);
      int32_t old = double_rounded(
          acc, (double)c->s_in * (double)ws[u] / (double)c->s_out);
      old += c->zp_out;
      old = old < c->lo ? c->lo : (old > c->hi ? c->hi : old);
      if (old != want) (*n_diff)++;
      int32_t got = i16 ? ((const int16_t *)out)[r * U + u]
                        : ((const int8_t *)out)[r * U + u];
      if (got != want) {
        if (*n_bad == 0)
          fprintf(stderr, "  out[%d][%d] = %d, LiteRT %d (acc %lld)\n", r, u,
                  (int)got, (int)want, (long long)acc);
        (*n_bad)++;
      }
    }
  ot_end(&t);
}

TEST(fc_int8_per_channel_rounds_once_every_isa) {
  const fc_case c = {PNN_TYPE_INT8, PNN_TYPE_INT32, 0.5f, 0.37f, -3, 5,
                     -128, 127, -12, 24};
  int ran = 0;
  for (int isa = 0; isa < PNN_ISA_COUNT; isa++) {
    if (!pnn_isa_force((pnn_isa)isa)) continue;
    int n_diff = 0, n_bad = 0;
    run_case(&c, &n_diff, &n_bad);
    pnn_isa_force(PNN_ISA_COUNT);
    CHECK_MSG(n_bad == 0, "%s: %d outputs differ from LiteRT's formula%s",
              pnn_isa_name((pnn_isa)isa), n_bad,
              n_bad < 0 ? " (run failed)" : "");
    /* The data must separate the two formulas, or the test proves
     * nothing. */
    CHECK_MSG(n_diff > 0, "no element where double rounding differs");
    ran++;
  }
  CHECK(ran > 0);
}

TEST(fc_16x8_per_channel_rounds_once) {
  const fc_case c = {PNN_TYPE_INT16, PNN_TYPE_INT64, 0.25f, 0.2f, 0, 0,
                     -32768, 32767, -300, 600};
  int n_diff = 0, n_bad = 0;
  run_case(&c, &n_diff, &n_bad);
  CHECK_MSG(n_bad == 0, "%d outputs differ from LiteRT's formula", n_bad);
  CHECK_MSG(n_diff > 0, "no element where double rounding differs");
}

TEST(fc_16x8_int32_bias_rounds_once) {
  const fc_case c = {PNN_TYPE_INT16, PNN_TYPE_INT32, 0.125f, 0.3f, 0, 0,
                     -32768, 32767, -1000, 2000};
  int n_diff = 0, n_bad = 0;
  run_case(&c, &n_diff, &n_bad);
  CHECK_MSG(n_bad == 0, "%d outputs differ from LiteRT's formula", n_bad);
  CHECK_MSG(n_diff > 0, "no element where double rounding differs");
}

/* The helper itself: one rounding, half away from zero, saturating. */
TEST(qm_scale_round_single_rounding) {
  CHECK_EQ_INT(pnn_qm_scale_round(1, 0.3), 0);
  CHECK_EQ_INT(double_rounded(1, 0.3), 1); /* what it replaces */
  CHECK_EQ_INT(pnn_qm_scale_round(5, 0.3), 2);   /* 1.5 -> 2 */
  CHECK_EQ_INT(pnn_qm_scale_round(-5, 0.3), -2); /* -1.5 -> -2 */
  CHECK_EQ_INT(pnn_qm_scale_round(-3, 0.5), -2); /* -1.5 -> -2 */
  CHECK_EQ_INT(pnn_qm_scale_round(INT32_MAX, 4.0), INT32_MAX);
  CHECK_EQ_INT(pnn_qm_scale_round(INT32_MIN, 4.0), INT32_MIN);
  CHECK_EQ_INT(pnn_qm_scale_round((int64_t)1 << 40, 1.0 / 1024), 1 << 30);
  CHECK_EQ_INT(pnn_qm_scale_round(1, 0.49999999999999994), 0); /* not x+.5 */
  CHECK_EQ_INT(pnn_qm_scale_round(-1, 0.49999999999999994), 0);
  CHECK_EQ_INT(pnn_qm_scale_round(5, 0.5), 3);
  CHECK_EQ_INT(pnn_qm_scale_round(-5, 0.5), -3);
  CHECK_EQ_INT(pnn_qm_scale_round(INT32_MIN, 1.0), INT32_MIN);
  CHECK_EQ_INT(pnn_qm_scale_round(-2147483649ll, 1.0), INT32_MIN);
  CHECK_EQ_INT(pnn_qm_scale_round(INT32_MAX, 1.0), INT32_MAX);
  /* Against libm round() (half away from zero) on many products. */
  uint32_t seed = 7;
  for (int i = 0; i < 200000; i++) {
    int64_t acc = (int64_t)(int32_t)(lcg(&seed) << 8 ^ lcg(&seed)) >>
                  (lcg(&seed) % 31);
    double sc = ldexp(1.0 + (double)lcg(&seed) / 16777216.0,
                      -(int)(lcg(&seed) % 24));
    double r = round((double)acc * sc);
    int32_t want = r >= 2147483647.0    ? INT32_MAX
                   : r <= -2147483648.0 ? INT32_MIN
                                        : (int32_t)r;
    CHECK_MSG(pnn_qm_scale_round(acc, sc) == want, "acc %lld scale %.17g",
              (long long)acc, sc);
  }
}
