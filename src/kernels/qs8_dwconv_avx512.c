/* qs8_dw_64x4_avx512vnni (see qs8_dwconv.h): per block of 64 channels and
 * group of 4 taps, the taps' bytes (x ^ 0x80) are interleaved by
 *   ab = unpack{lo,hi}_epi8(t0, t1), cd = unpack{lo,hi}_epi8(t2, t3),
 *   v0..v3 = unpack{lo,hi}_epi16(ab, cd)
 * so that v_i's dword e holds channel 16 * (e / 4) + 4 * i + e % 4's four
 * tap bytes; one vpdpbusd per v_i with the weights packed in that order.
 * The requantized v_i are packed back (packssdw(v0, v1), packssdw(v2, v3),
 * packsswb) into channel order. A block of at most 32 channels takes two
 * output pixels per vector (block32x2). */
#include "kernels/qs8_dwconv.h"

#if defined(__x86_64__)
#include <immintrin.h>

#include "kernels/qs8_requant_avx512.h"

static inline __mmask64 bytes_mask(size_t n) {
  return n >= 64 ? ~(__mmask64)0 : ((__mmask64)1 << n) - 1;
}

/* Four taps of 64 channels (x0..x3, unsigned after the sign flip) into
 * four int32 accumulators: interleaves the taps so that each 32-bit lane
 * holds one channel's four taps, matching the packed weight groups wg
 * (4 x 64 bytes), then one vpdpbusd per 16 channels. */
static inline void dot4_taps(__m512i *a0, __m512i *a1, __m512i *a2,
                             __m512i *a3, __m512i x0, __m512i x1, __m512i x2,
                             __m512i x3, const int8_t *wg) {
  const __m512i l01 = _mm512_unpacklo_epi8(x0, x1);
  const __m512i h01 = _mm512_unpackhi_epi8(x0, x1);
  const __m512i l23 = _mm512_unpacklo_epi8(x2, x3);
  const __m512i h23 = _mm512_unpackhi_epi8(x2, x3);
  *a0 = _mm512_dpbusd_epi32(*a0, _mm512_unpacklo_epi16(l01, l23),
                            _mm512_load_si512(wg));
  *a1 = _mm512_dpbusd_epi32(*a1, _mm512_unpackhi_epi16(l01, l23),
                            _mm512_load_si512(wg + 64));
  *a2 = _mm512_dpbusd_epi32(*a2, _mm512_unpacklo_epi16(h01, h23),
                            _mm512_load_si512(wg + 128));
  *a3 = _mm512_dpbusd_epi32(*a3, _mm512_unpackhi_epi16(h01, h23),
                            _mm512_load_si512(wg + 192));
}

static void block64(const pnn_qs8_dw *d, size_t c0, size_t rem,
                    const int8_t *const *ind, size_t ind_stride, size_t xstep,
                    size_t npix, int8_t *out) {
  const size_t tp = d->tp, c = d->c, blk = c0 / 64;
  const int8_t *wb = d->w + blk * tp * 64;
  const int32_t *pb = d->bias + c0, *pm = d->mult + c0, *ps = d->shift + c0;
  const __mmask64 km = bytes_mask(rem);
  const __m512i flip = _mm512_set1_epi8((char)0x80);
  const __m512i vzp = _mm512_set1_epi16((int16_t)d->out_zp);
  const __m512i vlo = _mm512_set1_epi8((char)d->lo);
  const __m512i vhi = _mm512_set1_epi8((char)d->hi);
  pnn_rq16 r[4];
  __m512i bias[4];
  for (int i = 0; i < 4; i++) {
    r[i] = pnn_rq16_setup(_mm512_loadu_si512(pm + 16 * i),
                          _mm512_loadu_si512(ps + 16 * i));
    bias[i] = _mm512_loadu_si512(pb + 16 * i);
  }
  for (size_t p = 0; p < npix; p++) {
    const int8_t *const *ip = ind + p * ind_stride;
    const size_t off = p * xstep + c0;
    __m512i a0 = bias[0], a1 = bias[1], a2 = bias[2], a3 = bias[3];
    for (size_t t = 0; t < tp; t += 4) {
      const __m512i x0 =
          _mm512_xor_si512(_mm512_maskz_loadu_epi8(km, ip[t] + off), flip);
      const __m512i x1 =
          _mm512_xor_si512(_mm512_maskz_loadu_epi8(km, ip[t + 1] + off), flip);
      const __m512i x2 =
          _mm512_xor_si512(_mm512_maskz_loadu_epi8(km, ip[t + 2] + off), flip);
      const __m512i x3 =
          _mm512_xor_si512(_mm512_maskz_loadu_epi8(km, ip[t + 3] + off), flip);
      dot4_taps(&a0, &a1, &a2, &a3, x0, x1, x2, x3, wb + t * 64);
    }
    a0 = pnn_rq16_apply(&r[0], a0);
    a1 = pnn_rq16_apply(&r[1], a1);
    a2 = pnn_rq16_apply(&r[2], a2);
    a3 = pnn_rq16_apply(&r[3], a3);
    /* |zp| <= 128: the saturating int16 add and packs give the same int8
     * as clamping v + zp in int32 */
    const __m512i p01 = _mm512_adds_epi16(_mm512_packs_epi32(a0, a1), vzp);
    const __m512i p23 = _mm512_adds_epi16(_mm512_packs_epi32(a2, a3), vzp);
    __m512i v = _mm512_packs_epi16(p01, p23);
    v = _mm512_min_epi8(_mm512_max_epi8(v, vlo), vhi);
    _mm512_mask_storeu_epi8(out + p * c + c0, km, v);
  }
}

/* A block of at most 32 channels: two output pixels per zmm (pixel p in
 * the low 256 bits, p + 1 in the high ones; an odd last pixel is computed
 * twice). The packing duplicates such a block's weights and output-stage
 * terms into both halves, so the loop is block64's. */
static void block32x2(const pnn_qs8_dw *d, size_t c0, size_t rem,
                      const int8_t *const *ind, size_t ind_stride, size_t xstep,
                      size_t npix, int8_t *out) {
  const size_t tp = d->tp, c = d->c, blk = c0 / 64;
  const int8_t *wb = d->w + blk * tp * 64;
  const int32_t *pb = d->bias + c0, *pm = d->mult + c0, *ps = d->shift + c0;
  const __mmask32 km = rem >= 32 ? ~(__mmask32)0 : ((__mmask32)1 << rem) - 1;
  const __m512i flip = _mm512_set1_epi8((char)0x80);
  const __m512i vzp = _mm512_set1_epi16((int16_t)d->out_zp);
  const __m512i vlo = _mm512_set1_epi8((char)d->lo);
  const __m512i vhi = _mm512_set1_epi8((char)d->hi);
  pnn_rq16 r[4];
  __m512i bias[4];
  for (int i = 0; i < 4; i++) {
    r[i] = pnn_rq16_setup(_mm512_loadu_si512(pm + 16 * i),
                          _mm512_loadu_si512(ps + 16 * i));
    bias[i] = _mm512_loadu_si512(pb + 16 * i);
  }
  for (size_t p = 0; p < npix; p += 2) {
    const size_t q = p + 1 < npix ? p + 1 : p;
    const int8_t *const *ip = ind + p * ind_stride;
    const int8_t *const *iq = ind + q * ind_stride;
    const size_t op = p * xstep + c0, oq = q * xstep + c0;
#define LOAD2(t)                                                           \
  _mm512_xor_si512(                                                        \
      _mm512_inserti64x4(                                                  \
          _mm512_castsi256_si512(_mm256_maskz_loadu_epi8(km, ip[t] + op)), \
          _mm256_maskz_loadu_epi8(km, iq[t] + oq), 1),                     \
      flip)
    __m512i a0 = bias[0], a1 = bias[1], a2 = bias[2], a3 = bias[3];
    for (size_t t = 0; t < tp; t += 4) {
      const __m512i x0 = LOAD2(t), x1 = LOAD2(t + 1);
      const __m512i x2 = LOAD2(t + 2), x3 = LOAD2(t + 3);
      dot4_taps(&a0, &a1, &a2, &a3, x0, x1, x2, x3, wb + t * 64);
    }
#undef LOAD2
    a0 = pnn_rq16_apply(&r[0], a0);
    a1 = pnn_rq16_apply(&r[1], a1);
    a2 = pnn_rq16_apply(&r[2], a2);
    a3 = pnn_rq16_apply(&r[3], a3);
    const __m512i p01 = _mm512_adds_epi16(_mm512_packs_epi32(a0, a1), vzp);
    const __m512i p23 = _mm512_adds_epi16(_mm512_packs_epi32(a2, a3), vzp);
    __m512i v = _mm512_packs_epi16(p01, p23);
    v = _mm512_min_epi8(_mm512_max_epi8(v, vlo), vhi);
    _mm256_mask_storeu_epi8(out + p * c + c0, km, _mm512_castsi512_si256(v));
    if (q != p)
      _mm256_mask_storeu_epi8(out + q * c + c0, km,
                              _mm512_extracti64x4_epi64(v, 1));
  }
}

void pnn_qs8_dw_avx512vnni(const pnn_qs8_dw *d, const int8_t *const *ind,
                           size_t ind_stride, size_t xstep, size_t npix,
                           int8_t *out) {
  for (size_t c0 = 0; c0 < d->c; c0 += 64) {
    const size_t rem = d->c - c0 < 64 ? d->c - c0 : 64;
    if (rem <= 32)
      block32x2(d, c0, rem, ind, ind_stride, xstep, npix, out);
    else
      block64(d, c0, rem, ind, ind_stride, xstep, npix, out);
  }
}
#endif
