/* pnn_s8_dots_avx2: four weight rows at a time share each 16-byte load of
 * x; int8 values widen to int16 and _mm256_madd_epi16 sums pairs into
 * int32 lanes (exact: |x * w| <= 2^14). A scalar loop finishes k % 16 and
 * the last n % 4 rows use the same vector loop one row at a time. */
#include "kernels/s8_dot.h"

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
#endif
