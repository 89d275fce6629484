/* pnn_s8_dots_avx2: four weight rows at a time share each 16-byte load of
 * x; int8 values widen to int16 and _mm256_madd_epi16 sums pairs into
 * int32 lanes (exact: |x * w| <= 2^14). A scalar loop finishes k % 16 and
 * the last n % 4 rows use the same vector loop one row at a time. */
#include "kernels/s8_dot.h"

#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>

static inline int32_t hsum(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v),
                            _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
  return _mm_cvtsi128_si32(s);
}

static inline __m256i load16(const int8_t *p) {
  return _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)p));
}

void pnn_s8_dots_avx2(const int8_t *x, const int8_t *w, size_t k, size_t n,
                      size_t w_stride, int32_t *acc) {
  const size_t k16 = k & ~(size_t)15;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const int8_t *w0 = w + i * w_stride, *w1 = w0 + w_stride,
                 *w2 = w1 + w_stride, *w3 = w2 + w_stride;
    __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
    for (size_t j = 0; j < k16; j += 16) {
      __m256i vx = load16(x + j);
      a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(vx, load16(w0 + j)));
      a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(vx, load16(w1 + j)));
      a2 = _mm256_add_epi32(a2, _mm256_madd_epi16(vx, load16(w2 + j)));
      a3 = _mm256_add_epi32(a3, _mm256_madd_epi16(vx, load16(w3 + j)));
    }
    int32_t s0 = hsum(a0), s1 = hsum(a1), s2 = hsum(a2), s3 = hsum(a3);
    for (size_t j = k16; j < k; j++) {
      s0 += (int32_t)x[j] * w0[j];
      s1 += (int32_t)x[j] * w1[j];
      s2 += (int32_t)x[j] * w2[j];
      s3 += (int32_t)x[j] * w3[j];
    }
    acc[i] += s0;
    acc[i + 1] += s1;
    acc[i + 2] += s2;
    acc[i + 3] += s3;
  }
  for (; i < n; i++) {
    const int8_t *wr = w + i * w_stride;
    __m256i a = _mm256_setzero_si256();
    for (size_t j = 0; j < k16; j += 16)
      a = _mm256_add_epi32(a, _mm256_madd_epi16(load16(x + j), load16(wr + j)));
    int32_t s = hsum(a);
    for (size_t j = k16; j < k; j++) s += (int32_t)x[j] * wr[j];
    acc[i] += s;
  }
}

/* pnn_s8_gemm_avx2: tiles of 4 rows of x by 2 rows of w in 8 ymm
 * accumulators (+ 4 x and 2 w registers); each 16-wide k step widens the
 * loads to int16 and sums pairs with _mm256_madd_epi16. Leftover rows and
 * columns and k % 16 take the same arithmetic in smaller pieces. */
static inline int32_t dot1(const int8_t *a, const int8_t *b, size_t k) {
  const size_t k16 = k & ~(size_t)15;
  __m256i s = _mm256_setzero_si256();
  for (size_t t = 0; t < k16; t += 16)
    s = _mm256_add_epi32(s, _mm256_madd_epi16(load16(a + t), load16(b + t)));
  int32_t r = hsum(s);
  for (size_t t = k16; t < k; t++) r += (int32_t)a[t] * b[t];
  return r;
}

void pnn_s8_gemm_avx2(const int8_t *x, size_t x_stride, size_t m,
                      const int8_t *w, size_t w_stride, size_t n, size_t k,
                      int32_t *acc, size_t acc_stride) {
  const size_t k16 = k & ~(size_t)15;
  size_t i = 0;
  for (; i + 4 <= m; i += 4) {
    const int8_t *x0 = x + i * x_stride, *x1 = x0 + x_stride,
                 *x2 = x1 + x_stride, *x3 = x2 + x_stride;
    size_t j = 0;
    for (; j + 2 <= n; j += 2) {
      const int8_t *w0 = w + j * w_stride, *w1 = w0 + w_stride;
      __m256i a00 = _mm256_setzero_si256(), a01 = a00, a10 = a00, a11 = a00,
              a20 = a00, a21 = a00, a30 = a00, a31 = a00;
      for (size_t t = 0; t < k16; t += 16) {
        const __m256i v0 = load16(w0 + t), v1 = load16(w1 + t);
        __m256i u = load16(x0 + t);
        a00 = _mm256_add_epi32(a00, _mm256_madd_epi16(u, v0));
        a01 = _mm256_add_epi32(a01, _mm256_madd_epi16(u, v1));
        u = load16(x1 + t);
        a10 = _mm256_add_epi32(a10, _mm256_madd_epi16(u, v0));
        a11 = _mm256_add_epi32(a11, _mm256_madd_epi16(u, v1));
        u = load16(x2 + t);
        a20 = _mm256_add_epi32(a20, _mm256_madd_epi16(u, v0));
        a21 = _mm256_add_epi32(a21, _mm256_madd_epi16(u, v1));
        u = load16(x3 + t);
        a30 = _mm256_add_epi32(a30, _mm256_madd_epi16(u, v0));
        a31 = _mm256_add_epi32(a31, _mm256_madd_epi16(u, v1));
      }
      int32_t r[8] = {hsum(a00), hsum(a01), hsum(a10), hsum(a11),
                      hsum(a20), hsum(a21), hsum(a30), hsum(a31)};
      for (size_t t = k16; t < k; t++) {
        const int32_t b0 = w0[t], b1 = w1[t];
        r[0] += x0[t] * b0;
        r[1] += x0[t] * b1;
        r[2] += x1[t] * b0;
        r[3] += x1[t] * b1;
        r[4] += x2[t] * b0;
        r[5] += x2[t] * b1;
        r[6] += x3[t] * b0;
        r[7] += x3[t] * b1;
      }
      for (size_t p = 0; p < 4; p++) {
        acc[(i + p) * acc_stride + j] = r[2 * p];
        acc[(i + p) * acc_stride + j + 1] = r[2 * p + 1];
      }
    }
    for (; j < n; j++)
      for (size_t p = 0; p < 4; p++)
        acc[(i + p) * acc_stride + j] =
            dot1(x + (i + p) * x_stride, w + j * w_stride, k);
  }
  for (; i < m; i++)
    for (size_t j = 0; j < n; j++)
      acc[i * acc_stride + j] = dot1(x + i * x_stride, w + j * w_stride, k);
}

/* pnn_s8_requant_avx2: eight outputs per step. With mult >= 0,
 * SaturatingRoundingDoublingHighMul(a, m) = (a * m + 2^30) >> 31 (the
 * saturating case needs m = INT32_MIN): even lanes from _mm256_mul_epi32
 * shifted right 31, odd lanes shifted left 1 so the high halves hold their
 * result. RoundingDivideByPOT and the left shift use per-lane shifts. */
static inline __m256i requant8(__m256i x, __m256i m, __m256i sh) {
  const __m256i zero = _mm256_setzero_si256();
  const __m256i left = _mm256_max_epi32(sh, zero);
  const __m256i right = _mm256_max_epi32(_mm256_sub_epi32(zero, sh), zero);
  x = _mm256_sllv_epi32(x, left);
  const __m256i half = _mm256_set1_epi64x((int64_t)1 << 30);
  __m256i even = _mm256_add_epi64(_mm256_mul_epi32(x, m), half);
  even = _mm256_srli_epi64(even, 31);
  __m256i odd = _mm256_add_epi64(
      _mm256_mul_epi32(_mm256_srli_epi64(x, 32), _mm256_srli_epi64(m, 32)),
      half);
  odd = _mm256_slli_epi64(odd, 1);
  const __m256i s = _mm256_blend_epi32(even, odd, 0xAA);
  const __m256i mask =
      _mm256_sub_epi32(_mm256_sllv_epi32(_mm256_set1_epi32(1), right),
                       _mm256_set1_epi32(1));
  const __m256i rem = _mm256_and_si256(s, mask);
  const __m256i thr = _mm256_sub_epi32(_mm256_srai_epi32(mask, 1),
                                       _mm256_cmpgt_epi32(zero, s));
  return _mm256_sub_epi32(_mm256_srav_epi32(s, right),
                          _mm256_cmpgt_epi32(rem, thr));
}

void pnn_s8_requant_avx2(const int32_t *acc, const int32_t *bias,
                         const int32_t *mult, const int *shift, int32_t zp,
                         int32_t lo, int32_t hi, size_t n, int8_t *out) {
  const __m256i vzp = _mm256_set1_epi32(zp), vlo = _mm256_set1_epi32(lo),
                vhi = _mm256_set1_epi32(hi);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256i x = _mm256_loadu_si256((const __m256i *)(acc + i));
    if (bias)
      x = _mm256_add_epi32(x, _mm256_loadu_si256((const __m256i *)(bias + i)));
    __m256i v = requant8(x, _mm256_loadu_si256((const __m256i *)(mult + i)),
                         _mm256_loadu_si256((const __m256i *)(shift + i)));
    v = _mm256_min_epi32(_mm256_max_epi32(_mm256_add_epi32(v, vzp), vlo), vhi);
    v = _mm256_packs_epi32(v, v);
    v = _mm256_packs_epi16(v, v);
    int32_t b0 = _mm_cvtsi128_si32(_mm256_castsi256_si128(v));
    int32_t b1 = _mm_cvtsi128_si32(_mm256_extracti128_si256(v, 1));
    memcpy(out + i, &b0, 4);
    memcpy(out + i + 4, &b1, 4);
  }
  if (i < n)
    pnn_s8_requant_ref(acc + i, bias ? bias + i : NULL, mult + i, shift + i, zp,
                       lo, hi, n - i, out + i);
}

/* pnn_s8_dw_tap_avx2: 16 channels per step; x - zp and w widen to int16,
 * the int16 product is exact (|w| <= 128, |x - zp| <= 255), then widens to
 * int32 and adds to the accumulators. */
void pnn_s8_dw_tap_avx2(const int8_t *x, const int8_t *w, int32_t zp,
                        size_t n, int32_t *acc) {
  const __m256i vzp = _mm256_set1_epi16((int16_t)zp);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256i d = _mm256_sub_epi16(load16(x + i), vzp);
    const __m256i p = _mm256_mullo_epi16(d, load16(w + i));
    __m256i a0 = _mm256_loadu_si256((const __m256i *)(acc + i));
    __m256i a1 = _mm256_loadu_si256((const __m256i *)(acc + i + 8));
    a0 = _mm256_add_epi32(a0, _mm256_cvtepi16_epi32(_mm256_castsi256_si128(p)));
    a1 = _mm256_add_epi32(a1,
                          _mm256_cvtepi16_epi32(_mm256_extracti128_si256(p, 1)));
    _mm256_storeu_si256((__m256i *)(acc + i), a0);
    _mm256_storeu_si256((__m256i *)(acc + i + 8), a1);
  }
  for (; i < n; i++) acc[i] += (int32_t)w[i] * ((int32_t)x[i] - zp);
}
#endif
