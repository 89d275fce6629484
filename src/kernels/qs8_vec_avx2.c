/* Quantized 8-bit elementwise kernels, AVX2 level (see qs8_vec.h). */
#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>

#include "kernels/qs8_vec.h"
#include "kernels/qs8_vec_x86.h"

/* ------------------------------------------------------------- table */

/* 256-entry lookup with pshufb (16-entry sub-tables): for the lower half
 * the index is lowered by 16 per sub-table, so the bytes whose index went
 * negative (bit 7 set) read 0 and the xor of consecutive sub-table
 * differences telescopes to sub-table idx >> 4; the upper half does the
 * same on idx ^ 0x80, and bit 7 of idx picks the half. */
static void lut_avx2(const uint8_t *x, uint8_t *o, size_t n,
                     const uint8_t *table) {
  __m256i d[16];
  for (int k = 0; k < 16; k++) {
    __m128i t = _mm_loadu_si128((const __m128i *)(table + 16 * k));
    if (k % 8)
      t = _mm_xor_si128(t, _mm_loadu_si128((const __m128i *)(table + 16 * (k - 1))));
    d[k] = _mm256_broadcastsi128_si256(t);
  }
  const __m256i sixteen = _mm256_set1_epi8(16), top = _mm256_set1_epi8(-128);
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m256i v = _mm256_loadu_si256((const __m256i *)(x + i));
    __m256i il = v, ih = _mm256_xor_si256(v, top);
    __m256i rl = _mm256_shuffle_epi8(d[0], il);
    __m256i rh = _mm256_shuffle_epi8(d[8], ih);
    for (int k = 1; k < 8; k++) {
      il = _mm256_sub_epi8(il, sixteen);
      ih = _mm256_sub_epi8(ih, sixteen);
      rl = _mm256_xor_si256(rl, _mm256_shuffle_epi8(d[k], il));
      rh = _mm256_xor_si256(rh, _mm256_shuffle_epi8(d[k + 8], ih));
    }
    _mm256_storeu_si256((__m256i *)(o + i), _mm256_blendv_epi8(rl, rh, v));
  }
  pnn_qs8_lut_ref(x + i, o + i, n - i, table);
}

/* ------------------------------------------- MultiplyByQuantizedMultiplier */

typedef struct {
  __m256i m, rnd;
  __m128i left, right;
  bool round; /* right > 0 */
} qm8;

static inline qm8 qm8_make(int32_t m, int shift) {
  int left, right;
  pnn_qs8x_split_shift(shift, &left, &right);
  qm8 q = {_mm256_set1_epi32(m),
           _mm256_set1_epi32(right > 0 ? (int32_t)1 << (right - 1) : 0),
           _mm_cvtsi32_si128(left), _mm_cvtsi32_si128(right), right > 0};
  return q;
}

/* pnn_qm_mul_by_qm on eight lanes: the left shift (wrapping), the high
 * half of the doubled product rounded (even lanes from _mm256_mul_epi32
 * shifted right 31, odd lanes shifted left 1 so their high halves hold
 * the result), then the rounding right shift by e >= 1, ties away from
 * zero, as (s + 2^(e-1) - (s < 0)) >> e: equal to RoundingDivideByPOT's
 * remainder/threshold form whenever s + 2^(e-1) does not overflow, which
 * holds for every operand these kernels see (|s| <= |x| < 2^30: rescaled
 * 8-bit values with a left shift of at most 20 and their sums, and 8-bit
 * products, which take no left shift when e >= 1). */
static inline __m256i qm8_apply(__m256i x, const qm8 *q) {
  const __m256i half = _mm256_set1_epi64x((int64_t)1 << 30);
  x = _mm256_sll_epi32(x, q->left);
  __m256i even = _mm256_add_epi64(_mm256_mul_epi32(x, q->m), half);
  even = _mm256_srli_epi64(even, 31);
  __m256i odd = _mm256_add_epi64(
      _mm256_mul_epi32(_mm256_srli_epi64(x, 32), q->m), half);
  odd = _mm256_slli_epi64(odd, 1);
  const __m256i s = _mm256_blend_epi32(even, odd, 0xAA);
  if (!q->round) return s;
  const __m256i t = _mm256_add_epi32(_mm256_add_epi32(s, q->rnd),
                                     _mm256_srai_epi32(s, 31));
  return _mm256_sra_epi32(t, q->right);
}

/* ------------------------------------------------------------ binary */

typedef struct {
  qm8 q1, q2, qo;
  __m256i off1, off2, out_off, lo, hi;
  __m128i ls;
} bin8;

static inline void bin8_make(bin8 *c, const pnn_qs8_bin_params *p) {
  c->q1 = qm8_make(p->m1, p->s1);
  c->q2 = qm8_make(p->m2, p->s2);
  c->qo = qm8_make(p->mo, p->so);
  c->off1 = _mm256_set1_epi32(p->off1);
  c->off2 = _mm256_set1_epi32(p->off2);
  c->out_off = _mm256_set1_epi32(p->out_off);
  c->lo = _mm256_set1_epi32(p->lo);
  c->hi = _mm256_set1_epi32(p->hi);
  c->ls = _mm_cvtsi32_si128(p->left_shift);
}

static inline __m256i load8(const uint8_t *p, bool u8) {
  const __m128i v = _mm_loadl_epi64((const __m128i *)p);
  return u8 ? _mm256_cvtepu8_epi32(v) : _mm256_cvtepi8_epi32(v);
}

/* Sixteen clamped int32 lanes (within the type's range) to bytes. */
static inline void store16(uint8_t *p, __m256i lo, __m256i hi, bool u8) {
  __m256i w = _mm256_packs_epi32(lo, hi);
  w = _mm256_permute4x64_epi64(w, 0xD8);
  const __m128i a = _mm256_castsi256_si128(w), b = _mm256_extracti128_si256(w, 1);
  _mm_storeu_si128((__m128i *)p, u8 ? _mm_packus_epi16(a, b) : _mm_packs_epi16(a, b));
}

static inline __m256i finish8(__m256i r, const bin8 *c) {
  r = _mm256_add_epi32(r, c->out_off);
  return _mm256_min_epi32(_mm256_max_epi32(r, c->lo), c->hi);
}

static inline __m256i op8(int op, __m256i a, __m256i b, const bin8 *c) {
  if (op == PNN_QS8_MUL) {
    const __m256i prod = _mm256_mullo_epi32(_mm256_add_epi32(a, c->off1),
                                            _mm256_add_epi32(b, c->off2));
    return finish8(qm8_apply(prod, &c->qo), c);
  }
  const __m256i x =
      qm8_apply(_mm256_sll_epi32(_mm256_add_epi32(a, c->off1), c->ls), &c->q1);
  const __m256i y =
      qm8_apply(_mm256_sll_epi32(_mm256_add_epi32(b, c->off2), c->ls), &c->q2);
  const __m256i s =
      op == PNN_QS8_SUB ? _mm256_sub_epi32(x, y) : _mm256_add_epi32(x, y);
  return finish8(qm8_apply(s, &c->qo), c);
}

static inline void bin_run(int op, bool u8, const void *va, int sa,
                           const void *vb, int sb, void *vo, size_t n,
                           const pnn_qs8_bin_params *p) {
  const uint8_t *a = va, *b = vb;
  uint8_t *o = vo;
  bin8 c;
  bin8_make(&c, p);
  const __m256i ba = _mm256_set1_epi32(u8 ? (int32_t)a[0] : (int32_t)(int8_t)a[0]);
  const __m256i bb = _mm256_set1_epi32(u8 ? (int32_t)b[0] : (int32_t)(int8_t)b[0]);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256i a0 = sa ? load8(a + i, u8) : ba;
    const __m256i a1 = sa ? load8(a + i + 8, u8) : ba;
    const __m256i b0 = sb ? load8(b + i, u8) : bb;
    const __m256i b1 = sb ? load8(b + i + 8, u8) : bb;
    store16(o + i, op8(op, a0, b0, &c), op8(op, a1, b1, &c), u8);
  }
  if (i < n) {
    const pnn_qs8_bin_fn ref = op == PNN_QS8_MUL   ? pnn_qs8_mul_ref
                               : op == PNN_QS8_SUB ? pnn_qs8_sub_ref
                                                   : pnn_qs8_add_ref;
    ref(a + i * (size_t)sa, sa, b + i * (size_t)sb, sb, o + i, n - i, p);
  }
}

/* ADD / SUB against a pre-rescaled operand (qs8_vec.h). */
static inline __m256i addc8(int mode, __m256i a, __m256i y, const bin8 *c) {
  const __m256i x =
      qm8_apply(_mm256_sll_epi32(_mm256_add_epi32(a, c->off1), c->ls), &c->q1);
  const __m256i v = mode == PNN_QS8_X_PLUS_Y    ? _mm256_add_epi32(x, y)
                    : mode == PNN_QS8_X_MINUS_Y ? _mm256_sub_epi32(x, y)
                                                : _mm256_sub_epi32(y, x);
  return finish8(qm8_apply(v, &c->qo), c);
}

static inline void addc_run(int mode, bool u8, const void *va, int sa,
                            const int32_t *y, int sy, void *vo, size_t n,
                            const pnn_qs8_bin_params *p) {
  const uint8_t *a = va;
  uint8_t *o = vo;
  bin8 c;
  bin8_make(&c, p);
  const __m256i ba = _mm256_set1_epi32(u8 ? (int32_t)a[0] : (int32_t)(int8_t)a[0]);
  const __m256i by = _mm256_set1_epi32(y[0]);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256i a0 = sa ? load8(a + i, u8) : ba;
    const __m256i a1 = sa ? load8(a + i + 8, u8) : ba;
    const __m256i y0 = sy ? _mm256_loadu_si256((const __m256i *)(y + i)) : by;
    const __m256i y1 = sy ? _mm256_loadu_si256((const __m256i *)(y + i + 8)) : by;
    store16(o + i, addc8(mode, a0, y0, &c), addc8(mode, a1, y1, &c), u8);
  }
  if (i < n)
    pnn_qs8_addsub_const_ref(a + i * (size_t)sa, sa, y + i * (size_t)sy, sy,
                             o + i, n - i, p, mode);
}

#define ADDC_MODES(U8)                                                       \
  do {                                                                       \
    if (mode == PNN_QS8_X_PLUS_Y)                                            \
      addc_run(PNN_QS8_X_PLUS_Y, U8, a, sa, y, sy, o, n, p);                 \
    else if (mode == PNN_QS8_X_MINUS_Y)                                      \
      addc_run(PNN_QS8_X_MINUS_Y, U8, a, sa, y, sy, o, n, p);                \
    else                                                                     \
      addc_run(PNN_QS8_Y_MINUS_X, U8, a, sa, y, sy, o, n, p);                \
  } while (0)

static void addc_avx2(const void *a, int sa, const int32_t *y, int sy, void *o,
                      size_t n, const pnn_qs8_bin_params *p, int mode) {
  if (p->u8) ADDC_MODES(true);
  else ADDC_MODES(false);
}

#define BIN_ENTRY(NAME, OP)                                                  \
  static void NAME(const void *a, int sa, const void *b, int sb, void *o,    \
                   size_t n, const pnn_qs8_bin_params *p) {                  \
    if (p->u8) bin_run(OP, true, a, sa, b, sb, o, n, p);                     \
    else bin_run(OP, false, a, sa, b, sb, o, n, p);                          \
  }
BIN_ENTRY(add_avx2, PNN_QS8_ADD)
BIN_ENTRY(sub_avx2, PNN_QS8_SUB)
BIN_ENTRY(mul_avx2, PNN_QS8_MUL)

/* ---------------------------------------------------------- row sums */

static inline void sum_rows_run(const uint8_t *x, bool u8, int32_t *acc,
                                size_t rows, size_t c) {
  size_t j = 0;
  for (; j + 32 <= c; j += 32) {
    __m256i s0 = _mm256_loadu_si256((const __m256i *)(acc + j));
    __m256i s1 = _mm256_loadu_si256((const __m256i *)(acc + j + 8));
    __m256i s2 = _mm256_loadu_si256((const __m256i *)(acc + j + 16));
    __m256i s3 = _mm256_loadu_si256((const __m256i *)(acc + j + 24));
    for (size_t r = 0; r < rows; r++) {
      const uint8_t *px = x + r * c + j;
      s0 = _mm256_add_epi32(s0, load8(px, u8));
      s1 = _mm256_add_epi32(s1, load8(px + 8, u8));
      s2 = _mm256_add_epi32(s2, load8(px + 16, u8));
      s3 = _mm256_add_epi32(s3, load8(px + 24, u8));
    }
    _mm256_storeu_si256((__m256i *)(acc + j), s0);
    _mm256_storeu_si256((__m256i *)(acc + j + 8), s1);
    _mm256_storeu_si256((__m256i *)(acc + j + 16), s2);
    _mm256_storeu_si256((__m256i *)(acc + j + 24), s3);
  }
  for (; j + 8 <= c; j += 8) {
    __m256i s0 = _mm256_loadu_si256((const __m256i *)(acc + j));
    for (size_t r = 0; r < rows; r++)
      s0 = _mm256_add_epi32(s0, load8(x + r * c + j, u8));
    _mm256_storeu_si256((__m256i *)(acc + j), s0);
  }
  if (j < c)
    for (size_t r = 0; r < rows; r++)
      for (size_t k = j; k < c; k++) {
        const uint8_t v = x[r * c + k];
        acc[k] = (int32_t)((uint32_t)acc[k] +
                           (uint32_t)(u8 ? (int32_t)v : (int32_t)(int8_t)v));
      }
}

static void sum_rows_avx2(const void *x, bool u8, int32_t *acc, size_t rows,
                          size_t c) {
  if (u8) sum_rows_run(x, true, acc, rows, c);
  else sum_rows_run(x, false, acc, rows, c);
}

/* ----------------------------------------------------------- pooling */

static void pool_max_avx2(const uint8_t *x, size_t row_stride, int nh, int nw,
                          size_t c, bool u8, int32_t lo, int32_t hi,
                          uint8_t *out) {
  const __m256i vlo = _mm256_set1_epi8((char)lo), vhi = _mm256_set1_epi8((char)hi);
  size_t j = 0;
  for (; j + 32 <= c; j += 32) {
    __m256i m = _mm256_loadu_si256((const __m256i *)(x + j));
    for (int y = 0; y < nh; y++) {
      const uint8_t *row = x + (size_t)y * row_stride + j;
      for (int k = 0; k < nw; k++) {
        const __m256i v = _mm256_loadu_si256((const __m256i *)(row + (size_t)k * c));
        m = u8 ? _mm256_max_epu8(m, v) : _mm256_max_epi8(m, v);
      }
    }
    m = u8 ? _mm256_min_epu8(_mm256_max_epu8(m, vlo), vhi)
           : _mm256_min_epi8(_mm256_max_epi8(m, vlo), vhi);
    _mm256_storeu_si256((__m256i *)(out + j), m);
  }
  if (j < c)
    pnn_qs8_pool_range_ref(true, x, row_stride, nh, nw, c, j, u8, lo, hi, out);
}

/* The rounded quotient of eight window sums (see qs8_vec.h), clamped. */
static inline __m256i avg8(__m256i s, __m256i half, __m256 nf, __m256i lo,
                           __m256i hi) {
  const __m256i pos = _mm256_cmpgt_epi32(s, _mm256_setzero_si256());
  const __m256i t = _mm256_blendv_epi8(_mm256_sub_epi32(s, half),
                                       _mm256_add_epi32(s, half), pos);
  const __m256i q = _mm256_cvttps_epi32(_mm256_div_ps(_mm256_cvtepi32_ps(t), nf));
  return _mm256_min_epi32(_mm256_max_epi32(q, lo), hi);
}

static void pool_avg_avx2(const uint8_t *x, size_t row_stride, int nh, int nw,
                          size_t c, bool u8, int32_t lo, int32_t hi,
                          uint8_t *out) {
  const int32_t n = nh * nw;
  const __m256i half = _mm256_set1_epi32(n / 2), vlo = _mm256_set1_epi32(lo),
                vhi = _mm256_set1_epi32(hi);
  const __m256 nf = _mm256_set1_ps((float)n);
  size_t j = 0;
  for (; j + 16 <= c; j += 16) {
    __m256i s0 = _mm256_setzero_si256(), s1 = _mm256_setzero_si256();
    for (int y = 0; y < nh; y++) {
      const uint8_t *row = x + (size_t)y * row_stride + j;
      for (int k = 0; k < nw; k++) {
        s0 = _mm256_add_epi32(s0, load8(row + (size_t)k * c, u8));
        s1 = _mm256_add_epi32(s1, load8(row + (size_t)k * c + 8, u8));
      }
    }
    store16(out + j, avg8(s0, half, nf, vlo, vhi), avg8(s1, half, nf, vlo, vhi),
            u8);
  }
  if (j < c)
    pnn_qs8_pool_range_ref(false, x, row_stride, nh, nw, c, j, u8, lo, hi, out);
}

const pnn_qs8_vec_ops pnn_qs8_vec_ops_avx2 = {
    PNN_ISA_AVX2,
    lut_avx2,
    {add_avx2, sub_avx2, mul_avx2},
    sum_rows_avx2,
    pool_max_avx2,
    pool_avg_avx2,
    addc_avx2,
};

/* The AVX-512 level without VBMI borrows this table lookup. */
void pnn_qs8_lut_avx2(const uint8_t *x, uint8_t *o, size_t n,
                      const uint8_t *table) {
  lut_avx2(x, o, n, table);
}

#else
typedef int pnn_qs8_vec_avx2_unused; /* ISO C: no empty translation unit */
#endif
