/* qs8_dw_16x2_avx2 (see qs8_dwconv.h): per block of 16 channels and pair
 * of taps, both taps widen to int16 (vpmovsxbw) and
 *   v0 = unpacklo_epi16(t0, t1), v1 = unpackhi_epi16(t0, t1)
 * put channel 8 * (e / 4) + 4 * i + e % 4's two taps in dword e of v_i;
 * vpmaddwd with the int16 weight pairs packed in that order adds both
 * products (|sum| <= 2 * 128 * 128: exact). packssdw(v0, v1) restores
 * channel order. A partial block goes through 16-byte stack copies. */
#include "kernels/qs8_dwconv.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>

#include "kernels/qs8_requant_avx2.h"

static inline __attribute__((always_inline)) __m256i load_taps(const int8_t *p,
                                                               size_t rem) {
  if (rem == 16)
    return _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)p));
  _Alignas(16) int8_t b[16] = {0};
  memcpy(b, p, rem);
  return _mm256_cvtepi8_epi16(_mm_load_si128((const __m128i *)b));
}

/* 16 channels (rem valid) of one pixel from its tp input pointers + off. */
static inline __attribute__((always_inline)) __m128i pixel16(
    const int8_t *const *ip, size_t off, size_t rem, size_t tp,
    const int16_t *wb, const __m256i bias[2], const pnn_rq8 r[2], __m256i vzp) {
  __m256i a0 = bias[0], a1 = bias[1];
  for (size_t t = 0; t < tp; t += 2) {
    const __m256i x0 = load_taps(ip[t] + off, rem);
    const __m256i x1 = load_taps(ip[t + 1] + off, rem);
    const int16_t *wg = wb + t * 16;
    a0 = _mm256_add_epi32(
        a0, _mm256_madd_epi16(_mm256_unpacklo_epi16(x0, x1),
                              _mm256_load_si256((const __m256i *)wg)));
    a1 = _mm256_add_epi32(
        a1, _mm256_madd_epi16(_mm256_unpackhi_epi16(x0, x1),
                              _mm256_load_si256((const __m256i *)(wg + 16))));
  }
  a0 = pnn_rq8_apply(&r[0], a0);
  a1 = pnn_rq8_apply(&r[1], a1);
  /* |zp| <= 128: saturating int16 add + packs = clamp of v + zp */
  const __m256i p = _mm256_adds_epi16(_mm256_packs_epi32(a0, a1), vzp);
  const __m256i v = _mm256_packs_epi16(p, p); /* lane L: ch 8L..8L+7, twice */
  return _mm_unpacklo_epi64(_mm256_castsi256_si128(v),
                            _mm256_extracti128_si256(v, 1));
}

void pnn_qs8_dw_avx2(const pnn_qs8_dw *d, const int8_t *const *ind,
                     size_t ind_stride, size_t xstep, size_t npix,
                     int8_t *out) {
  const size_t tp = d->tp, c = d->c;
  const __m256i vzp = _mm256_set1_epi16((int16_t)d->out_zp);
  const __m128i vlo = _mm_set1_epi8((char)d->lo),
                vhi = _mm_set1_epi8((char)d->hi);
  for (size_t c0 = 0; c0 < c; c0 += 16) {
    const size_t rem = c - c0 < 16 ? c - c0 : 16, blk = c0 / 16;
    const int16_t *wb = (const int16_t *)d->w + blk * tp * 16;
    pnn_rq8 r[2];
    __m256i bias[2];
    for (int i = 0; i < 2; i++) {
      r[i] = pnn_rq8_setup(
          _mm256_loadu_si256((const __m256i *)(d->mult + c0 + 8 * i)),
          _mm256_loadu_si256((const __m256i *)(d->shift + c0 + 8 * i)));
      bias[i] = _mm256_loadu_si256((const __m256i *)(d->bias + c0 + 8 * i));
    }
    for (size_t p = 0; p < npix; p++) {
      const int8_t *const *ip = ind + p * ind_stride;
      const size_t off = p * xstep + c0;
      if (rem == 16) {
        __m128i v = pixel16(ip, off, 16, tp, wb, bias, r, vzp);
        v = _mm_min_epi8(_mm_max_epi8(v, vlo), vhi);
        _mm_storeu_si128((__m128i *)(out + p * c + c0), v);
      } else {
        __m128i v = pixel16(ip, off, rem, tp, wb, bias, r, vzp);
        v = _mm_min_epi8(_mm_max_epi8(v, vlo), vhi);
        _Alignas(16) int8_t o[16];
        _mm_store_si128((__m128i *)o, v);
        memcpy(out + p * c + c0, o, rem);
      }
    }
  }
}
#endif
