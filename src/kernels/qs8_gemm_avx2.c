/* qs8_gemm_4x16_avx2: up to 4 rows x one 16-column panel, in two passes of
 * 8 columns (8 ymm accumulators). The driver packs the activations as
 * int16; each group of 4 k broadcasts a row's four int16 values (one
 * 64-bit broadcast) and multiplies them with 4 columns x 4 k of weights
 * sign-extended to int16 by vpmaddwd: each int32 lane holds the sum of two
 * int8 products (|sum| <= 2 * 128 * 128, no saturation). A final hadd and
 * a 64-bit permute give the 8 column sums in order. */
#include "kernels/qs8_gemm.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>

/* Named accumulators so both compilers keep them in registers; MR is a
 * constant after inlining and the row tests fold away. */
#define STEP(r)                                                         \
  do {                                                                  \
    int64_t v;                                                          \
    memcpy(&v, x + (r) * xs + g * 4, 8);                                \
    const __m256i xb = _mm256_set1_epi64x(v);                           \
    a##r##0 = _mm256_add_epi32(a##r##0, _mm256_madd_epi16(xb, w0));     \
    a##r##1 = _mm256_add_epi32(a##r##1, _mm256_madd_epi16(xb, w1));     \
  } while (0)
#define FINISH(r)                                                       \
  do {                                                                  \
    __m256i s = _mm256_permute4x64_epi64(                               \
        _mm256_hadd_epi32(a##r##0, a##r##1), 0xD8);                     \
    if (accumulate)                                                     \
      s = _mm256_add_epi32(                                             \
          s, _mm256_loadu_si256((const __m256i *)(c + (r) * 32)));      \
    _mm256_storeu_si256((__m256i *)(c + (r) * 32), s);                  \
  } while (0)

static inline __attribute__((always_inline)) void half(
    const size_t MR, size_t kg, const int16_t *x, size_t xs,
    const int8_t *w, int32_t *c, bool accumulate) {
  const __m256i z = _mm256_setzero_si256();
  __m256i a00 = z, a01 = z;
  __m256i a10 = z, a11 = z;
  __m256i a20 = z, a21 = z;
  __m256i a30 = z, a31 = z;
  for (size_t g = 0; g < kg; g++) {
    const __m256i w0 =
        _mm256_cvtepi8_epi16(_mm_load_si128((const __m128i *)(w + g * 64)));
    const __m256i w1 = _mm256_cvtepi8_epi16(
        _mm_load_si128((const __m128i *)(w + g * 64 + 16)));
    if (MR > 0) STEP(0);
    if (MR > 1) STEP(1);
    if (MR > 2) STEP(2);
    if (MR > 3) STEP(3);
  }
  if (MR > 0) FINISH(0);
  if (MR > 1) FINISH(1);
  if (MR > 2) FINISH(2);
  if (MR > 3) FINISH(3);
}

static inline __attribute__((always_inline)) void panel(
    const size_t MR, size_t kg, const int16_t *x, size_t xs,
    const int8_t *w, int32_t *c, bool accumulate) {
  half(MR, kg, x, xs, w, c, accumulate);
  half(MR, kg, x, xs, w + 32, c + 8, accumulate);
}

void pnn_qs8_ukernel_4x16_avx2(size_t mr, size_t np, size_t kg, const void *xa,
                               size_t xa_stride, const int8_t *w,
                               size_t panel_stride, int32_t *c,
                               bool accumulate) {
  const int16_t *x = xa;
  const size_t xs = xa_stride / 2; /* bytes -> int16 elements */
  for (size_t p = 0; p < np; p++) {
    const int8_t *wp = w + p * panel_stride;
    int32_t *cp = c + p * 16;
    switch (mr) {
      case 1: panel(1, kg, x, xs, wp, cp, accumulate); break;
      case 2: panel(2, kg, x, xs, wp, cp, accumulate); break;
      case 3: panel(3, kg, x, xs, wp, cp, accumulate); break;
      default: panel(4, kg, x, xs, wp, cp, accumulate); break;
    }
  }
}
#endif

#if defined(__x86_64__)
#include "kernels/qs8_requant_avx2.h"

/* The AVX2 output stage (pnn_s8_requant_ref's contract): 8 columns per
 * step through the shared helper (qs8_requant_avx2.h); the tail goes
 * through 8-lane stack copies. */
static inline __m128i out8(const int32_t *acc, const int32_t *bias,
                           const int32_t *mult, const int *shift, __m256i vzp,
                           __m256i vlo, __m256i vhi) {
  const pnn_rq8 p =
      pnn_rq8_setup(_mm256_loadu_si256((const __m256i *)mult),
                    _mm256_loadu_si256((const __m256i *)shift));
  __m256i x = _mm256_loadu_si256((const __m256i *)acc);
  if (bias) x = _mm256_add_epi32(x, _mm256_loadu_si256((const __m256i *)bias));
  __m256i v = pnn_rq8_apply(&p, x);
  v = _mm256_min_epi32(_mm256_max_epi32(_mm256_add_epi32(v, vzp), vlo), vhi);
  v = _mm256_packs_epi32(v, v); /* int16: lane L = columns 4L..4L+3 twice */
  v = _mm256_packs_epi16(v, v);
  return _mm_unpacklo_epi32(_mm256_castsi256_si128(v),
                            _mm256_extracti128_si256(v, 1));
}

void pnn_qs8_requant_avx2(const int32_t *acc, const int32_t *bias,
                          const int32_t *mult, const int *shift, int32_t zp,
                          int32_t lo, int32_t hi, size_t n, int8_t *out) {
  const __m256i vzp = _mm256_set1_epi32(zp), vlo = _mm256_set1_epi32(lo),
                vhi = _mm256_set1_epi32(hi);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m128i v = out8(acc + i, bias ? bias + i : NULL, mult + i,
                           shift + i, vzp, vlo, vhi);
    _mm_storel_epi64((__m128i *)(out + i), v);
  }
  if (i < n) {
    const size_t m = n - i;
    int32_t a[8] = {0}, b[8] = {0}, q[8] = {0};
    int s[8] = {0};
    memcpy(a, acc + i, m * sizeof(int32_t));
    if (bias) memcpy(b, bias + i, m * sizeof(int32_t));
    memcpy(q, mult + i, m * sizeof(int32_t));
    memcpy(s, shift + i, m * sizeof(int));
    int8_t o[16];
    _mm_storeu_si128((__m128i *)o, out8(a, b, q, s, vzp, vlo, vhi));
    memcpy(out + i, o, m);
  }
}
#endif
