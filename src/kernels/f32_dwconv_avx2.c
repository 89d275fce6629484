/* f32 depthwise rows for AVX2/FMA (f32_dwconv_3x3_avx2, _5x5_, generic):
 * the shared body in f32_dwconv_simd.h over 8-float vectors. */
#include <stdbool.h>

#include "kernels/f32_dwconv.h"
#include "kernels/unroll.h"

#if defined(__x86_64__)
#include <immintrin.h>

typedef __m256 V;
#define VL 8
#define VZERO() _mm256_setzero_ps()
#define VLOAD(p) _mm256_loadu_ps(p)
static inline __m256i vmask(int n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n),
                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
#define VLOADN(p, n) _mm256_maskload_ps((p), vmask(n))
#define VSTORE(p, v) _mm256_storeu_ps((p), (v))
#define VSTOREN(p, v, n) _mm256_maskstore_ps((p), vmask(n), (v))
#define VFMA(a, b, c) _mm256_fmadd_ps((a), (b), (c))
#define VADD(a, b) _mm256_add_ps((a), (b))
#define VMAX(a, b) _mm256_max_ps((a), (b))
#define VMIN(a, b) _mm256_min_ps((a), (b))
#define VSET1(x) _mm256_set1_ps(x)
#define FN pnn_f32_dwconv_rows_avx2

#include "kernels/f32_dwconv_simd.h"

#endif
