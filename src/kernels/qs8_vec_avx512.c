/* Quantized 8-bit elementwise kernels, AVX-512 level (see qs8_vec.h). The
 * table lookup uses VBMI's vpermi2b where the host has it (a separate
 * function compiled for that extension, picked at run time). */
#if defined(__x86_64__)
#include <immintrin.h>

#include "kernels/qs8_vec.h"
#include "kernels/qs8_vec_x86.h"

/* ------------------------------------------------------------- table */

/* Two vpermi2b look up the lower and upper 128 entries (index bit 6
 * picks the register of each pair), index bit 7 picks the half. */
__attribute__((target("avx512vbmi"))) static void lut_vbmi(
    const uint8_t *x, uint8_t *o, size_t n, const uint8_t *table) {
  const __m512i t0 = _mm512_loadu_si512(table), t1 = _mm512_loadu_si512(table + 64),
                t2 = _mm512_loadu_si512(table + 128),
                t3 = _mm512_loadu_si512(table + 192);
  size_t i = 0;
  for (; i + 128 <= n; i += 128) {
    const __m512i v0 = _mm512_loadu_si512(x + i);
    const __m512i v1 = _mm512_loadu_si512(x + i + 64);
    const __m512i l0 = _mm512_permutex2var_epi8(t0, v0, t1);
    const __m512i h0 = _mm512_permutex2var_epi8(t2, v0, t3);
    const __m512i l1 = _mm512_permutex2var_epi8(t0, v1, t1);
    const __m512i h1 = _mm512_permutex2var_epi8(t2, v1, t3);
    _mm512_storeu_si512(o + i, _mm512_mask_blend_epi8(_mm512_movepi8_mask(v0), l0, h0));
    _mm512_storeu_si512(o + i + 64,
                        _mm512_mask_blend_epi8(_mm512_movepi8_mask(v1), l1, h1));
  }
  for (; i < n; i += 64) {
    const size_t left = n - i;
    const __mmask64 k = left >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << left) - 1);
    const __m512i v = _mm512_maskz_loadu_epi8(k, x + i);
    const __m512i l = _mm512_permutex2var_epi8(t0, v, t1);
    const __m512i h = _mm512_permutex2var_epi8(t2, v, t3);
    _mm512_mask_storeu_epi8(o + i, k,
                            _mm512_mask_blend_epi8(_mm512_movepi8_mask(v), l, h));
  }
}

/* ------------------------------------------- MultiplyByQuantizedMultiplier */

typedef struct {
  __m512i m, rnd;
  __m128i left, right;
  bool round; /* right > 0 */
} qm16;

static inline qm16 qm16_make(int32_t m, int shift) {
  int left, right;
  pnn_qs8x_split_shift(shift, &left, &right);
  qm16 q = {_mm512_set1_epi32(m),
            _mm512_set1_epi32(right > 0 ? (int32_t)1 << (right - 1) : 0),
            _mm_cvtsi32_si128(left), _mm_cvtsi32_si128(right), right > 0};
  return q;
}

/* pnn_qm_mul_by_qm on sixteen lanes (as qs8_vec_avx2.c's qm8_apply,
 * which states the operand range the rounding step relies on). */
static inline __m512i qm16_apply(__m512i x, const qm16 *q) {
  const __m512i half = _mm512_set1_epi64((int64_t)1 << 30);
  x = _mm512_sll_epi32(x, q->left);
  __m512i even = _mm512_add_epi64(_mm512_mul_epi32(x, q->m), half);
  even = _mm512_srli_epi64(even, 31);
  __m512i odd = _mm512_add_epi64(
      _mm512_mul_epi32(_mm512_srli_epi64(x, 32), q->m), half);
  odd = _mm512_slli_epi64(odd, 1);
  const __m512i s = _mm512_mask_blend_epi32(0xAAAA, even, odd);
  if (!q->round) return s;
  const __m512i t = _mm512_add_epi32(_mm512_add_epi32(s, q->rnd),
                                     _mm512_srai_epi32(s, 31));
  return _mm512_sra_epi32(t, q->right);
}

/* ------------------------------------------------------------ binary */

typedef struct {
  qm16 q1, q2, qo;
  __m512i off1, off2, out_off, lo, hi;
  __m128i ls;
} bin16;

static inline void bin16_make(bin16 *c, const pnn_qs8_bin_params *p) {
  c->q1 = qm16_make(p->m1, p->s1);
  c->q2 = qm16_make(p->m2, p->s2);
  c->qo = qm16_make(p->mo, p->so);
  c->off1 = _mm512_set1_epi32(p->off1);
  c->off2 = _mm512_set1_epi32(p->off2);
  c->out_off = _mm512_set1_epi32(p->out_off);
  c->lo = _mm512_set1_epi32(p->lo);
  c->hi = _mm512_set1_epi32(p->hi);
  c->ls = _mm_cvtsi32_si128(p->left_shift);
}

static inline __m512i load16(const uint8_t *p, __mmask16 k, bool u8) {
  const __m128i v = _mm_maskz_loadu_epi8(k, p);
  return u8 ? _mm512_cvtepu8_epi32(v) : _mm512_cvtepi8_epi32(v);
}

/* Sixteen whole bytes (a widening load, no mask). */
static inline __m512i load16u(const uint8_t *p, bool u8) {
  const __m128i v = _mm_loadu_si128((const __m128i *)p);
  return u8 ? _mm512_cvtepu8_epi32(v) : _mm512_cvtepi8_epi32(v);
}

static inline __m512i op16(int op, __m512i a, __m512i b, const bin16 *c) {
  __m512i r;
  if (op == PNN_QS8_MUL) {
    const __m512i prod = _mm512_mullo_epi32(_mm512_add_epi32(a, c->off1),
                                            _mm512_add_epi32(b, c->off2));
    r = qm16_apply(prod, &c->qo);
  } else {
    const __m512i x = qm16_apply(
        _mm512_sll_epi32(_mm512_add_epi32(a, c->off1), c->ls), &c->q1);
    const __m512i y = qm16_apply(
        _mm512_sll_epi32(_mm512_add_epi32(b, c->off2), c->ls), &c->q2);
    const __m512i s =
        op == PNN_QS8_SUB ? _mm512_sub_epi32(x, y) : _mm512_add_epi32(x, y);
    r = qm16_apply(s, &c->qo);
  }
  r = _mm512_add_epi32(r, c->out_off);
  return _mm512_min_epi32(_mm512_max_epi32(r, c->lo), c->hi);
}

static inline void bin_run(int op, bool u8, const void *va, int sa,
                           const void *vb, int sb, void *vo, size_t n,
                           const pnn_qs8_bin_params *p) {
  const uint8_t *a = va, *b = vb;
  uint8_t *o = vo;
  bin16 c;
  bin16_make(&c, p);
  const __m512i ba = _mm512_set1_epi32(u8 ? (int32_t)a[0] : (int32_t)(int8_t)a[0]);
  const __m512i bb = _mm512_set1_epi32(u8 ? (int32_t)b[0] : (int32_t)(int8_t)b[0]);
  const __mmask16 all = 0xFFFF;
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m512i a0 = sa ? load16u(a + i, u8) : ba;
    const __m512i a1 = sa ? load16u(a + i + 16, u8) : ba;
    const __m512i b0 = sb ? load16u(b + i, u8) : bb;
    const __m512i b1 = sb ? load16u(b + i + 16, u8) : bb;
    _mm_storeu_si128((__m128i *)(o + i), _mm512_cvtepi32_epi8(op16(op, a0, b0, &c)));
    _mm_storeu_si128((__m128i *)(o + i + 16),
                     _mm512_cvtepi32_epi8(op16(op, a1, b1, &c)));
  }
  for (; i < n; i += 16) {
    const size_t left = n - i;
    const __mmask16 k = left >= 16 ? all : (__mmask16)((1u << left) - 1);
    const __m512i a0 = sa ? load16(a + i, k, u8) : ba;
    const __m512i b0 = sb ? load16(b + i, k, u8) : bb;
    _mm512_mask_cvtepi32_storeu_epi8(o + i, k, op16(op, a0, b0, &c));
  }
}

/* ADD / SUB against a pre-rescaled operand (qs8_vec.h). */
static inline __m512i addc16(int mode, __m512i a, __m512i y, const bin16 *c) {
  const __m512i x = qm16_apply(
      _mm512_sll_epi32(_mm512_add_epi32(a, c->off1), c->ls), &c->q1);
  const __m512i v = mode == PNN_QS8_X_PLUS_Y    ? _mm512_add_epi32(x, y)
                    : mode == PNN_QS8_X_MINUS_Y ? _mm512_sub_epi32(x, y)
                                                : _mm512_sub_epi32(y, x);
  const __m512i r = _mm512_add_epi32(qm16_apply(v, &c->qo), c->out_off);
  return _mm512_min_epi32(_mm512_max_epi32(r, c->lo), c->hi);
}

static inline void addc_run(int mode, bool u8, const void *va, int sa,
                            const int32_t *y, int sy, void *vo, size_t n,
                            const pnn_qs8_bin_params *p) {
  const uint8_t *a = va;
  uint8_t *o = vo;
  bin16 c;
  bin16_make(&c, p);
  const __m512i ba = _mm512_set1_epi32(u8 ? (int32_t)a[0] : (int32_t)(int8_t)a[0]);
  const __m512i by = _mm512_set1_epi32(y[0]);
  const __mmask16 all = 0xFFFF;
  for (size_t i = 0; i < n; i += 16) {
    const size_t left = n - i;
    const __mmask16 k = left >= 16 ? all : (__mmask16)((1u << left) - 1);
    const __m512i a0 = sa ? load16(a + i, k, u8) : ba;
    const __m512i y0 = sy ? _mm512_maskz_loadu_epi32(k, y + i) : by;
    _mm512_mask_cvtepi32_storeu_epi8(o + i, k, addc16(mode, a0, y0, &c));
  }
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

static void addc_avx512(const void *a, int sa, const int32_t *y, int sy,
                        void *o, size_t n, const pnn_qs8_bin_params *p,
                        int mode) {
  if (p->u8) ADDC_MODES(true);
  else ADDC_MODES(false);
}

#define BIN_ENTRY(NAME, OP)                                                  \
  static void NAME(const void *a, int sa, const void *b, int sb, void *o,    \
                   size_t n, const pnn_qs8_bin_params *p) {                  \
    if (p->u8) bin_run(OP, true, a, sa, b, sb, o, n, p);                     \
    else bin_run(OP, false, a, sa, b, sb, o, n, p);                          \
  }
BIN_ENTRY(add_avx512, PNN_QS8_ADD)
BIN_ENTRY(sub_avx512, PNN_QS8_SUB)
BIN_ENTRY(mul_avx512, PNN_QS8_MUL)

/* ---------------------------------------------------------- row sums */

static inline void sum_rows_run(const uint8_t *x, bool u8, int32_t *acc,
                                size_t rows, size_t c) {
  const __mmask16 all = 0xFFFF;
  size_t j = 0;
  for (; j + 64 <= c; j += 64) {
    __m512i s0 = _mm512_loadu_si512(acc + j);
    __m512i s1 = _mm512_loadu_si512(acc + j + 16);
    __m512i s2 = _mm512_loadu_si512(acc + j + 32);
    __m512i s3 = _mm512_loadu_si512(acc + j + 48);
    for (size_t r = 0; r < rows; r++) {
      const uint8_t *px = x + r * c + j;
      s0 = _mm512_add_epi32(s0, load16u(px, u8));
      s1 = _mm512_add_epi32(s1, load16u(px + 16, u8));
      s2 = _mm512_add_epi32(s2, load16u(px + 32, u8));
      s3 = _mm512_add_epi32(s3, load16u(px + 48, u8));
    }
    _mm512_storeu_si512(acc + j, s0);
    _mm512_storeu_si512(acc + j + 16, s1);
    _mm512_storeu_si512(acc + j + 32, s2);
    _mm512_storeu_si512(acc + j + 48, s3);
  }
  for (; j < c; j += 16) {
    const size_t left = c - j;
    const __mmask16 k = left >= 16 ? all : (__mmask16)((1u << left) - 1);
    __m512i s0 = _mm512_maskz_loadu_epi32(k, acc + j);
    for (size_t r = 0; r < rows; r++)
      s0 = _mm512_add_epi32(s0, load16(x + r * c + j, k, u8));
    _mm512_mask_storeu_epi32(acc + j, k, s0);
  }
}

static void sum_rows_avx512(const void *x, bool u8, int32_t *acc, size_t rows,
                            size_t c) {
  if (u8) sum_rows_run(x, true, acc, rows, c);
  else sum_rows_run(x, false, acc, rows, c);
}

/* ----------------------------------------------------------- pooling */

static void pool_max_avx512(const uint8_t *x, size_t row_stride, int nh,
                            int nw, size_t c, bool u8, int32_t lo, int32_t hi,
                            uint8_t *out) {
  const __m512i vlo = _mm512_set1_epi8((char)lo), vhi = _mm512_set1_epi8((char)hi);
  for (size_t j = 0; j < c; j += 64) {
    const size_t left = c - j;
    const __mmask64 k = left >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << left) - 1);
    __m512i m = _mm512_maskz_loadu_epi8(k, x + j);
    for (int y = 0; y < nh; y++) {
      const uint8_t *row = x + (size_t)y * row_stride + j;
      for (int q = 0; q < nw; q++) {
        const __m512i v = _mm512_maskz_loadu_epi8(k, row + (size_t)q * c);
        m = u8 ? _mm512_max_epu8(m, v) : _mm512_max_epi8(m, v);
      }
    }
    m = u8 ? _mm512_min_epu8(_mm512_max_epu8(m, vlo), vhi)
           : _mm512_min_epi8(_mm512_max_epi8(m, vlo), vhi);
    _mm512_mask_storeu_epi8(out + j, k, m);
  }
}

/* The rounded quotient of sixteen window sums (see qs8_vec.h), clamped. */
static inline __m512i avg16(__m512i s, __m512i half, __m512 nf, __m512i lo,
                            __m512i hi) {
  const __mmask16 pos = _mm512_cmpgt_epi32_mask(s, _mm512_setzero_si512());
  const __m512i t = _mm512_mask_add_epi32(_mm512_sub_epi32(s, half), pos, s, half);
  const __m512i q = _mm512_cvttps_epi32(_mm512_div_ps(_mm512_cvtepi32_ps(t), nf));
  return _mm512_min_epi32(_mm512_max_epi32(q, lo), hi);
}

static void pool_avg_avx512(const uint8_t *x, size_t row_stride, int nh,
                            int nw, size_t c, bool u8, int32_t lo, int32_t hi,
                            uint8_t *out) {
  const int32_t n = nh * nw;
  const __m512i half = _mm512_set1_epi32(n / 2), vlo = _mm512_set1_epi32(lo),
                vhi = _mm512_set1_epi32(hi);
  const __m512 nf = _mm512_set1_ps((float)n);
  const __mmask16 all = 0xFFFF;
  size_t j = 0;
  for (; j + 32 <= c; j += 32) {
    __m512i s0 = _mm512_setzero_si512(), s1 = _mm512_setzero_si512();
    for (int y = 0; y < nh; y++) {
      const uint8_t *row = x + (size_t)y * row_stride + j;
      for (int q = 0; q < nw; q++) {
        s0 = _mm512_add_epi32(s0, load16u(row + (size_t)q * c, u8));
        s1 = _mm512_add_epi32(s1, load16u(row + (size_t)q * c + 16, u8));
      }
    }
    _mm_storeu_si128((__m128i *)(out + j),
                     _mm512_cvtepi32_epi8(avg16(s0, half, nf, vlo, vhi)));
    _mm_storeu_si128((__m128i *)(out + j + 16),
                     _mm512_cvtepi32_epi8(avg16(s1, half, nf, vlo, vhi)));
  }
  for (; j < c; j += 16) {
    const size_t left = c - j;
    const __mmask16 k = left >= 16 ? all : (__mmask16)((1u << left) - 1);
    __m512i s0 = _mm512_setzero_si512();
    for (int y = 0; y < nh; y++) {
      const uint8_t *row = x + (size_t)y * row_stride + j;
      for (int q = 0; q < nw; q++)
        s0 = _mm512_add_epi32(s0, load16(row + (size_t)q * c, k, u8));
    }
    _mm512_mask_cvtepi32_storeu_epi8(out + j, k, avg16(s0, half, nf, vlo, vhi));
  }
}

const pnn_qs8_vec_ops pnn_qs8_vec_ops_avx512 = {
    PNN_ISA_AVX512,
    pnn_qs8_lut_avx2,
    {add_avx512, sub_avx512, mul_avx512},
    sum_rows_avx512,
    pool_max_avx512,
    pool_avg_avx512,
    addc_avx512,
};

const pnn_qs8_vec_ops pnn_qs8_vec_ops_avx512vbmi = {
    PNN_ISA_AVX512,
    lut_vbmi,
    {add_avx512, sub_avx512, mul_avx512},
    sum_rows_avx512,
    pool_max_avx512,
    pool_avg_avx512,
    addc_avx512,
};

#else
typedef int pnn_qs8_vec_avx512_unused; /* ISO C: no empty translation unit */
#endif
