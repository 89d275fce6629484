/* Reference-order f32 kernels for AVX-512 (see f32_refacc.h): the 12x32
 * GEMM tile of f32_gemm_tile.h and the depthwise rows of
 * f32_dwconv_simd.h, with a separate multiply and add (no vfmadd in this
 * file) and a clamp that lets NaN through, as in f32_refacc_avx2.c. */
#include <stdbool.h>

#include "kernels/f32_refacc.h"
#include "kernels/unroll.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define TILE_AVX512
#define REFERENCE_ORDER 1
#define TILE_FN pnn_f32_gemm_12x32_refacc_avx512
#include "kernels/f32_gemm_tile.h"

/* The depthwise rows over the same 16-float vectors, VFMA spelled as a
 * multiply then an add, v the second operand of the clamp. */
#define VMASK(n) ((__mmask16)((1u << (n)) - 1u))
#define VLOADN(p, n) _mm512_maskz_loadu_ps(VMASK(n), (p))
#define VSTOREN(p, v, n) _mm512_mask_storeu_ps((p), VMASK(n), (v))
#undef VFMA
#undef VMAX
#undef VMIN
#define VFMA(a, b, c) VADD((c), VMUL((a), (b)))
#define VMAX(a, b) _mm512_max_ps((b), (a))
#define VMIN(a, b) _mm512_min_ps((b), (a))
#define FN pnn_f32_dwconv_rows_refacc_avx512

#include "kernels/f32_dwconv_simd.h"

#endif
