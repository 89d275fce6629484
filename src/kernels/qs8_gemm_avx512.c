/* qs8_gemm_8x32_avx512vnni: up to 8 rows x 2 panels (32 columns) in 16 zmm
 * accumulators. Per group of 4 k: two 64-byte panel loads, then for each
 * row one 4-byte broadcast of the (sign-flipped, u8) activations and two
 * vpdpbusd. The driver flips the sign (x ^ 0x80) while packing the rows
 * and the packed bias takes off 128 * sum w, so the u8 x s8 products give
 * the signed result exactly (vpdpbusd wraps, never saturates). */
#include "kernels/qs8_gemm.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>

static inline __attribute__((always_inline)) void tile(
    const size_t MR, const size_t NP, size_t kg, const uint8_t *x,
    size_t xs, const int8_t *w, size_t ps, int32_t *c, bool accumulate) {
  __m512i acc[8][2];
  for (size_t r = 0; r < MR; r++)
    for (size_t p = 0; p < NP; p++)
      acc[r][p] = accumulate ? _mm512_loadu_si512(c + r * 32 + p * 16)
                             : _mm512_setzero_si512();
  for (size_t g = 0; g < kg; g++) {
    const __m512i w0 = _mm512_load_si512(w + g * 64);
    const __m512i w1 = NP > 1 ? _mm512_load_si512(w + ps + g * 64) : w0;
    for (size_t r = 0; r < MR; r++) {
      int32_t v;
      memcpy(&v, x + r * xs + g * 4, 4);
      const __m512i xb = _mm512_set1_epi32(v);
      acc[r][0] = _mm512_dpbusd_epi32(acc[r][0], xb, w0);
      if (NP > 1) acc[r][1] = _mm512_dpbusd_epi32(acc[r][1], xb, w1);
    }
  }
  for (size_t r = 0; r < MR; r++)
    for (size_t p = 0; p < NP; p++)
      _mm512_storeu_si512(c + r * 32 + p * 16, acc[r][p]);
}

#define CASE(R)                                                    \
  case R:                                                          \
    if (np > 1)                                                    \
      tile(R, 2, kg, x, xa_stride, w, panel_stride, c, accumulate); \
    else                                                           \
      tile(R, 1, kg, x, xa_stride, w, panel_stride, c, accumulate); \
    break;

void pnn_qs8_ukernel_8x32_avx512vnni(size_t mr, size_t np, size_t kg,
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
    default:
      if (np > 1)
        tile(8, 2, kg, x, xa_stride, w, panel_stride, c, accumulate);
      else
        tile(8, 1, kg, x, xa_stride, w, panel_stride, c, accumulate);
      break;
  }
}
#endif
