/* qs8_gemm_12x32_avx512vnni: up to 12 rows x 2 panels (32 columns) in 24 zmm
 * accumulators. Per group of 4 k: two 64-byte panel loads, then for each
 * row one 4-byte broadcast of the (sign-flipped, u8) activations and two
 * vpdpbusd. The driver flips the sign (x ^ 0x80) while packing the rows
 * and the packed bias takes off 128 * sum w, so the u8 x s8 products give
 * the signed result exactly (vpdpbusd wraps, never saturates). */
#include "kernels/qs8_gemm.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>

#include "kernels/qs8_requant_avx512.h"

/* Named accumulators (not an array): both compilers keep them in
 * registers; MR and NP are constants after inlining, so the row tests
 * fold away. */
#define LOADC(r)                                              \
  do {                                                          \
    a##r##0 = _mm512_loadu_si512(c + (r) * 32);               \
    if (NP > 1) a##r##1 = _mm512_loadu_si512(c + (r) * 32 + 16); \
  } while (0)
#define STEP(r)                                                  \
  do {                                                          \
    int32_t v;                                                   \
    memcpy(&v, x + (r) * xs + g * 4, 4);                         \
    const __m512i xb = _mm512_set1_epi32(v);                     \
    a##r##0 = _mm512_dpbusd_epi32(a##r##0, xb, w0);              \
    if (NP > 1) a##r##1 = _mm512_dpbusd_epi32(a##r##1, xb, w1);  \
  } while (0)
#define STOREC(r)                                             \
  do {                                                          \
    _mm512_storeu_si512(c + (r) * 32, a##r##0);               \
    if (NP > 1) _mm512_storeu_si512(c + (r) * 32 + 16, a##r##1); \
  } while (0)

static inline __attribute__((always_inline)) void tile(
    const size_t MR, const size_t NP, size_t kg, const uint8_t *x,
    size_t xs, const int8_t *w, size_t ps, int32_t *c, bool accumulate) {
  const __m512i z = _mm512_setzero_si512();
  __m512i a00 = z, a01 = z;
  __m512i a10 = z, a11 = z;
  __m512i a20 = z, a21 = z;
  __m512i a30 = z, a31 = z;
  __m512i a40 = z, a41 = z;
  __m512i a50 = z, a51 = z;
  __m512i a60 = z, a61 = z;
  __m512i a70 = z, a71 = z;
  __m512i a80 = z, a81 = z;
  __m512i a90 = z, a91 = z;
  __m512i a100 = z, a101 = z;
  __m512i a110 = z, a111 = z;
  if (accumulate) {
  if (MR > 0) LOADC(0);
  if (MR > 1) LOADC(1);
  if (MR > 2) LOADC(2);
  if (MR > 3) LOADC(3);
  if (MR > 4) LOADC(4);
  if (MR > 5) LOADC(5);
  if (MR > 6) LOADC(6);
  if (MR > 7) LOADC(7);
  if (MR > 8) LOADC(8);
  if (MR > 9) LOADC(9);
  if (MR > 10) LOADC(10);
  if (MR > 11) LOADC(11);
  }
  for (size_t g = 0; g < kg; g++) {
    const __m512i w0 = _mm512_load_si512(w + g * 64);
    const __m512i w1 = NP > 1 ? _mm512_load_si512(w + ps + g * 64) : z;
      if (MR > 0) STEP(0);
      if (MR > 1) STEP(1);
      if (MR > 2) STEP(2);
      if (MR > 3) STEP(3);
      if (MR > 4) STEP(4);
      if (MR > 5) STEP(5);
      if (MR > 6) STEP(6);
      if (MR > 7) STEP(7);
      if (MR > 8) STEP(8);
      if (MR > 9) STEP(9);
      if (MR > 10) STEP(10);
      if (MR > 11) STEP(11);
  }
  if (MR > 0) STOREC(0);
  if (MR > 1) STOREC(1);
  if (MR > 2) STOREC(2);
  if (MR > 3) STOREC(3);
  if (MR > 4) STOREC(4);
  if (MR > 5) STOREC(5);
  if (MR > 6) STOREC(6);
  if (MR > 7) STOREC(7);
  if (MR > 8) STOREC(8);
  if (MR > 9) STOREC(9);
  if (MR > 10) STOREC(10);
  if (MR > 11) STOREC(11);
}

#define CASE(R)                                                    \
  case R:                                                          \
    if (np > 1)                                                    \
      tile(R, 2, kg, x, xa_stride, w, panel_stride, c, accumulate); \
    else                                                           \
      tile(R, 1, kg, x, xa_stride, w, panel_stride, c, accumulate); \
    break;

void pnn_qs8_ukernel_12x32_avx512vnni(size_t mr, size_t np, size_t kg,
                                     const void *xa, size_t xa_stride,
                                     const int8_t *w, size_t panel_stride,
                                     int32_t *c, bool accumulate) {
  const uint8_t *x = xa;
  switch (mr) {
    CASE(1)
    CASE(2)
    CASE(3)
    CASE(4)
    CASE(5)
    CASE(6)
    CASE(7)
    CASE(8)
    CASE(9)
    CASE(10)
    CASE(11)
    default:
      if (np > 1)
        tile(12, 2, kg, x, xa_stride, w, panel_stride, c, accumulate);
      else
        tile(12, 1, kg, x, xa_stride, w, panel_stride, c, accumulate);
      break;
  }
}
#endif

#if defined(__x86_64__)
/* The output stage, 16 columns per step (masked tail): c + bias (wrapping,
 * as the accumulators), then MultiplyByQuantizedMultiplier through the
 * shared helper (qs8_requant_avx512.h), its per-column terms set up once
 * per 16 columns and reused over the rows of a tile. */
static inline __mmask16 tail16(size_t left) {
  return left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
}

void pnn_qs8_requant_avx512(const int32_t *acc, const int32_t *bias,
                            const int32_t *mult, const int *shift, int32_t zp,
                            int32_t lo, int32_t hi, size_t n, int8_t *out) {
  pnn_qs8_out_tile_avx512(acc, 0, 1, bias, mult, shift, zp, lo, hi, n, out, 0);
}

void pnn_qs8_out_tile_avx512(const int32_t *c, size_t c_stride, size_t rows,
                             const int32_t *bias, const int32_t *mult,
                             const int *shift, int32_t zp, int32_t lo,
                             int32_t hi, size_t n, int8_t *out,
                             size_t out_stride) {
  const __m512i vzp = _mm512_set1_epi32(zp), vlo = _mm512_set1_epi32(lo),
                vhi = _mm512_set1_epi32(hi);
  for (size_t j = 0; j < n; j += 16) {
    const __mmask16 k = tail16(n - j);
    const pnn_rq16 p = pnn_rq16_setup(_mm512_maskz_loadu_epi32(k, mult + j),
                                      _mm512_maskz_loadu_epi32(k, shift + j));
    const __m512i vb = bias ? _mm512_maskz_loadu_epi32(k, bias + j)
                            : _mm512_setzero_si512();
    for (size_t r = 0; r < rows; r++) {
      __m512i v = pnn_rq16_apply(
          &p, _mm512_add_epi32(
                  _mm512_maskz_loadu_epi32(k, c + r * c_stride + j), vb));
      v = _mm512_min_epi32(_mm512_max_epi32(_mm512_add_epi32(v, vzp), vlo),
                           vhi);
      _mm_mask_storeu_epi8(out + r * out_stride + j, k,
                           _mm512_cvtepi32_epi8(v));
    }
  }
}
#endif

#if defined(__x86_64__)
/* Activation packing for the VNNI kernel: rows of kc bytes, x ^ 0x80 for
 * the first `valid`, zeros after; 64 bytes per step, masked at the end. */
void pnn_qs8_pack_flip_avx512(const int8_t *x, size_t x_stride, size_t mr,
                              size_t valid, size_t kc, uint8_t *dst) {
  const __m512i flip = _mm512_set1_epi8((char)0x80);
  for (size_t r = 0; r < mr; r++) {
    const int8_t *xr = x + r * x_stride;
    uint8_t *d = dst + r * kc;
    for (size_t t = 0; t < kc; t += 64) {
      const size_t nv = t < valid ? (valid - t < 64 ? valid - t : 64) : 0;
      const size_t ns = kc - t < 64 ? kc - t : 64;
      const __mmask64 kv = nv == 64 ? ~(__mmask64)0 : ((__mmask64)1 << nv) - 1;
      const __mmask64 ks = ns == 64 ? ~(__mmask64)0 : ((__mmask64)1 << ns) - 1;
      const __m512i v = _mm512_maskz_loadu_epi8(kv, xr + t);
      _mm512_mask_storeu_epi8(d + t, ks,
                              _mm512_xor_si512(v, _mm512_maskz_mov_epi8(kv, flip)));
    }
  }
}
#endif
