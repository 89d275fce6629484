/* Reference-order f32 kernels for AVX2 (see f32_refacc.h): the 6x16 GEMM
 * tile of f32_gemm_tile.h and the depthwise rows of f32_dwconv_simd.h, with
 * a separate multiply and add (no vfmadd in this file) and a clamp that
 * lets NaN through, as TFLite's ActivationFunctionWithMinMax does. */
#include <stdbool.h>

#include "kernels/f32_refacc.h"
#include "kernels/unroll.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define TILE_AVX2
#define REFERENCE_ORDER 1
#define TILE_FN pnn_f32_gemm_6x16_refacc_avx2
#include "kernels/f32_gemm_tile.h"

/* The depthwise rows over the same 8-float vectors: their VFMA spelled as
 * a multiply then an add, their clamp VMIN(VMAX(v, lo), hi) with v as the
 * second operand, so NaN passes through. */
static inline __m256i vmask(int n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n),
                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
#define VLOADN(p, n) _mm256_maskload_ps((p), vmask(n))
#define VSTOREN(p, v, n) _mm256_maskstore_ps((p), vmask(n), (v))
#undef VFMA
#undef VMAX
#undef VMIN
#define VFMA(a, b, c) VADD((c), VMUL((a), (b)))
#define VMAX(a, b) _mm256_max_ps((b), (a))
#define VMIN(a, b) _mm256_min_ps((b), (a))
#define FN pnn_f32_dwconv_rows_refacc_avx2

#include "kernels/f32_dwconv_simd.h"

#endif
