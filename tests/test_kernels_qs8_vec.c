/* The quantized 8-bit elementwise kernels (src/kernels/qs8_vec.h) of
 * every ISA level the host runs against the plain-C reference level, bit
 * for bit: table lookups, ADD / SUB / MUL (int8 and uint8, contiguous and
 * broadcast-scalar operands, multipliers from real scales and extreme
 * ones) and row sums, on random lengths (odd sizes, tails of every
 * length). Both the AVX-512 tables (with and without VBMI) run when the
 * host has VBMI. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "kernels/cpu.h"
#include "kernels/qs8_vec.h"
#include "ops/quant_math.h"
#include "test_rand.h"

static unsigned g_seed = 777;
static float rnd_scale(void) {
  return (float)rnd_int(1, 1000) / 1000.f * (float)(1 << rnd_int(0, 6)) / 64.f;
}

/* The kernel tables to check: every level the host supports, plus the
 * AVX-512 table without VBMI when the host has VBMI (so the pshufb
 * fallback runs too). */
static int tables(const pnn_qs8_vec_ops **out) {
  int n = 0;
  for (int isa = 1; isa <= (int)pnn_isa_supported(); isa++)
    out[n++] = pnn_qs8_vec_ops_for((pnn_isa)isa);
#if defined(__x86_64__)
  if (pnn_isa_supported() >= PNN_ISA_AVX512 &&
      pnn_cpu_features_get()->avx512vbmi)
    out[n++] = &pnn_qs8_vec_ops_avx512; /* the pshufb lookup as well */
#endif
  return n;
}

TEST(lut_every_level_matches_reference) {
  const pnn_qs8_vec_ops *t[8];
  const int nt = tables(t);
  uint8_t table[256], x[700], want[700], got[700];
  for (int c = 0; c < 200; c++) {
    for (int i = 0; i < 256; i++) table[i] = (uint8_t)rnd_int(0, 255);
    const size_t n = c < 130 ? (size_t)c : (size_t)rnd_int(0, 700);
    for (size_t i = 0; i < n; i++) x[i] = (uint8_t)rnd_int(0, 255);
    pnn_qs8_lut_ref(x, want, n, table);
    for (int k = 0; k < nt; k++) {
      memset(got, 0xA5, sizeof got);
      t[k]->lut(x, got, n, table);
      CHECK_MSG(memcmp(got, want, n) == 0, "%s lut n=%zu",
                pnn_isa_name(t[k]->isa), n);
      CHECK_MSG(got[n] == 0xA5, "%s lut wrote past n", pnn_isa_name(t[k]->isa));
    }
    /* in place */
    for (int k = 0; k < nt; k++) {
      memcpy(got, x, n);
      t[k]->lut(got, got, n, table);
      CHECK_MSG(memcmp(got, want, n) == 0, "%s lut in place",
                pnn_isa_name(t[k]->isa));
    }
  }
  /* every byte value, the identity and a reversal table */
  for (int i = 0; i < 256; i++) {
    x[i] = (uint8_t)i;
    table[i] = (uint8_t)(255 - i);
  }
  for (int k = 0; k < nt; k++) {
    t[k]->lut(x, got, 256, table);
    for (int i = 0; i < 256; i++) CHECK_EQ_INT(got[i], 255 - i);
  }
}

/* ADD/SUB/MUL parameters as binary.c derives them from random scales and
 * zero points, or (extreme) random multipliers and shifts. */
static void make_params(int op, bool u8, bool extreme, pnn_qs8_bin_params *p) {
  memset(p, 0, sizeof *p);
  p->u8 = u8;
  const int32_t tlo = u8 ? 0 : -128, thi = u8 ? 255 : 127;
  p->off1 = -rnd_int(tlo, thi);
  p->off2 = -rnd_int(tlo, thi);
  p->out_off = rnd_int(tlo, thi);
  p->lo = rnd_int(0, 2) ? tlo : rnd_int(tlo, thi);
  p->hi = rnd_int(0, 2) ? thi : rnd_int(p->lo, thi);
  const float s1 = rnd_scale(), s2 = rnd_scale(), so = rnd_scale();
  if (op == PNN_QS8_MUL) {
    if (extreme) {
      p->mo = rnd_int(0, 3) ? (int32_t)((1u << 30) + (uint32_t)rnd_int(0, (1 << 30) - 1) + (uint32_t)rnd_int(0, 1 << 20)) : 0;
      p->so = rnd_int(-33, 8);
    } else {
      pnn_qm_quantize_multiplier((double)(s1 * s2 / so), &p->mo, &p->so);
    }
    return;
  }
  p->left_shift = 20;
  const double twice_max = 2.0 * (double)(s1 > s2 ? s1 : s2);
  pnn_qm_quantize_multiplier_smaller_than_one((double)s1 / twice_max, &p->m1,
                                              &p->s1);
  pnn_qm_quantize_multiplier_smaller_than_one((double)s2 / twice_max, &p->m2,
                                              &p->s2);
  pnn_qm_quantize_multiplier_smaller_than_one(
      twice_max / ((double)(1 << 20) * (double)so), &p->mo, &p->so);
  if (extreme) {
    p->so = rnd_int(-33, 0);
    p->s1 = rnd_int(-33, 0);
    p->s2 = rnd_int(-33, 0);
  }
}

TEST(binary_every_level_matches_reference) {
  const pnn_qs8_vec_ops *t[8];
  const int nt = tables(t);
  static const pnn_qs8_bin_fn refs[] = {pnn_qs8_add_ref, pnn_qs8_sub_ref,
                                        pnn_qs8_mul_ref};
  static const char *names[] = {"add", "sub", "mul"};
  uint8_t a[300], b[300], want[301], got[301];
  for (int c = 0; c < 1500; c++) {
    const int op = c % 3;
    const bool u8 = rnd_int(0, 3) == 0;
    pnn_qs8_bin_params p;
    make_params(op, u8, rnd_int(0, 4) == 0, &p);
    const size_t n = c < 300 ? (size_t)(c / 3) : (size_t)rnd_int(1, 300);
    const int sa = rnd_int(0, 4) ? 1 : 0;
    const int sb = sa == 0 ? 1 : (rnd_int(0, 3) ? 1 : 0);
    for (size_t i = 0; i < 300; i++) {
      a[i] = (uint8_t)rnd_int(0, 255);
      b[i] = (uint8_t)rnd_int(0, 255);
    }
    if (rnd_int(0, 5) == 0) { /* the extremes of the type */
      for (size_t i = 0; i < n; i++) {
        a[i] = (uint8_t)(rnd_int(0, 1) ? 0x80 : 0x7F) ^ (u8 ? 0x80 : 0);
        b[i] = (uint8_t)(rnd_int(0, 1) ? 0x80 : 0x7F) ^ (u8 ? 0x80 : 0);
      }
    }
    refs[op](a, sa, b, sb, want, n, &p);
    for (int k = 0; k < nt; k++) {
      memset(got, 0x5A, sizeof got);
      t[k]->bin[op](a, sa, b, sb, got, n, &p);
      size_t bad = n;
      for (size_t i = 0; i < n && bad == n; i++)
        if (got[i] != want[i]) bad = i;
      CHECK_MSG(bad == n,
                "%s %s %s n=%zu sa=%d sb=%d: element %zu is %d, want %d "
                "(m %d/%d/%d s %d/%d/%d)",
                pnn_isa_name(t[k]->isa), names[op], u8 ? "u8" : "i8", n, sa,
                sb, bad, got[bad], want[bad], (int)p.m1, (int)p.m2,
                (int)p.mo, p.s1, p.s2, p.so);
      CHECK_MSG(got[n] == 0x5A, "%s %s wrote past n", pnn_isa_name(t[k]->isa),
                names[op]);
    }
  }
}

TEST(sum_rows_every_level_matches_reference) {
  const pnn_qs8_vec_ops *t[8];
  const int nt = tables(t);
  static uint8_t x[40000];
  int32_t want[200], got[200];
  for (int c = 0; c < 200; c++) {
    const size_t cols = (size_t)(c < 100 ? c + 1 : rnd_int(1, 200));
    const size_t rows = (size_t)rnd_int(0, 40000 / (int)cols > 150 ? 150 : 40000 / (int)cols);
    const bool u8 = rnd_int(0, 1);
    for (size_t i = 0; i < rows * cols; i++) x[i] = (uint8_t)rnd_int(0, 255);
    for (size_t j = 0; j < cols; j++) want[j] = rnd_int(-100000, 100000);
    int32_t init[200];
    memcpy(init, want, sizeof init);
    pnn_qs8_sum_rows_ref(x, u8, want, rows, cols);
    for (int k = 0; k < nt; k++) {
      memcpy(got, init, sizeof got);
      t[k]->sum_rows(x, u8, got, rows, cols);
      CHECK_MSG(memcmp(got, want, cols * sizeof(int32_t)) == 0,
                "%s sum_rows rows=%zu c=%zu", pnn_isa_name(t[k]->isa), rows,
                cols);
      CHECK_MSG(cols == 200 || got[cols] == init[cols], "%s wrote past c",
                pnn_isa_name(t[k]->isa));
    }
  }
}

/* The ops pick the table of the active level. */
TEST(ops_for_follows_level) {
  CHECK(pnn_qs8_vec_ops_for(PNN_ISA_SCALAR) == &pnn_qs8_vec_ops_scalar);
  for (int isa = 1; isa <= (int)pnn_isa_supported(); isa++)
    CHECK(pnn_qs8_vec_ops_for((pnn_isa)isa)->isa == (pnn_isa)isa);
}

/* One pooled pixel: windows of 1..5 x 1..5 cells (and a 256 x 256 one,
 * the largest count, with extreme values), channels 1..150, int8 and
 * uint8, clamps narrower than the type. */
TEST(pool_every_level_matches_reference) {
  const pnn_qs8_vec_ops *t[8];
  const int nt = tables(t);
  static uint8_t x[260 * 256 * 3];
  uint8_t want[151], got[151];
  for (int c = 0; c < 400; c++) {
    const bool big = c % 50 == 49;
    const int nh = big ? 256 : rnd_int(1, 5), nw = big ? 256 : rnd_int(1, 5);
    const size_t ch = big ? (size_t)rnd_int(1, 3) : (size_t)rnd_int(1, 150);
    const int extra = rnd_int(0, 3); /* row padding: pixels past the window */
    const size_t row_stride = ((size_t)nw + (size_t)extra) * ch;
    const bool u8 = rnd_int(0, 2) == 0;
    const int32_t tlo = u8 ? 0 : -128, thi = u8 ? 255 : 127;
    const int32_t lo = rnd_int(0, 2) ? tlo : rnd_int(tlo, thi);
    const int32_t hi = rnd_int(0, 2) ? thi : rnd_int(lo, thi);
    const size_t total = row_stride * (size_t)nh;
    const int mode = rnd_int(0, 3);
    for (size_t i = 0; i < total; i++)
      x[i] = mode == 0   ? (uint8_t)(u8 ? 255 : 127)
             : mode == 1 ? (uint8_t)(u8 ? 0 : 0x80)
                         : (uint8_t)rnd_int(0, 255);
    for (int is_max = 0; is_max < 2; is_max++) {
      (is_max ? pnn_qs8_pool_max_ref : pnn_qs8_pool_avg_ref)(
          x, row_stride, nh, nw, ch, u8, lo, hi, want);
      for (int k = 0; k < nt; k++) {
        memset(got, 0x5A, sizeof got);
        (is_max ? t[k]->pool_max : t[k]->pool_avg)(x, row_stride, nh, nw, ch,
                                                   u8, lo, hi, got);
        CHECK_MSG(memcmp(got, want, ch) == 0 && got[ch] == 0x5A,
                  "%s pool %s %dx%d c=%zu %s", pnn_isa_name(t[k]->isa),
                  is_max ? "max" : "avg", nh, nw, ch, u8 ? "u8" : "i8");
      }
    }
  }
  /* Rounding ties of the average, both signs: sums of n/2 past a multiple
   * of n over every count of a 1 x n window. */
  for (int n = 1; n <= 64; n++)
    for (int base = -3; base <= 3; base++) {
      for (int i = 0; i < n; i++) x[i] = (uint8_t)(int8_t)base;
      x[0] = (uint8_t)(int8_t)(base + n / 2 > 127 ? 127 : base + (n % 3));
      pnn_qs8_pool_avg_ref(x, (size_t)n, 1, n, 1, false, -128, 127, want);
      for (int k = 0; k < nt; k++) {
        t[k]->pool_avg(x, (size_t)n, 1, n, 1, false, -128, 127, got);
        CHECK_MSG(got[0] == want[0], "%s avg tie n=%d base=%d",
                  pnn_isa_name(t[k]->isa), n, base);
      }
    }
}

/* ADD / SUB against a pre-rescaled operand, every mode, contiguous and
 * broadcast runs; y spans the range a rescaled 8-bit operand reaches. */
TEST(addsub_const_every_level_matches_reference) {
  const pnn_qs8_vec_ops *t[8];
  const int nt = tables(t);
  uint8_t a[300], want[301], got[301];
  int32_t y[300];
  for (int c = 0; c < 900; c++) {
    const int mode = c % 3;
    const bool u8 = rnd_int(0, 3) == 0;
    pnn_qs8_bin_params p;
    make_params(PNN_QS8_ADD, u8, rnd_int(0, 4) == 0, &p);
    const size_t n = c < 300 ? (size_t)(c / 3) : (size_t)rnd_int(1, 300);
    const int sa = rnd_int(0, 5) ? 1 : 0;
    const int sy = sa == 0 ? 1 : (rnd_int(0, 3) ? 1 : 0);
    for (size_t i = 0; i < 300; i++) {
      a[i] = (uint8_t)rnd_int(0, 255);
      y[i] = (rnd_int(0, 1) ? 1 : -1) * rnd_int(0, 1 << 23) * (1 << rnd_int(0, 5));
    }
    pnn_qs8_addsub_const_ref(a, sa, y, sy, want, n, &p, mode);
    for (int k = 0; k < nt; k++) {
      memset(got, 0x5A, sizeof got);
      t[k]->addsub_const(a, sa, y, sy, got, n, &p, mode);
      CHECK_MSG(memcmp(got, want, n) == 0 && got[n] == 0x5A,
                "%s addsub_const mode %d n=%zu sa=%d sy=%d",
                pnn_isa_name(t[k]->isa), mode, n, sa, sy);
    }
  }
}
