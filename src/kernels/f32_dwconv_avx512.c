/* f32 depthwise rows for AVX-512 (f32_dwconv_3x3_avx512, _5x5_, generic):
 * the shared body in f32_dwconv_simd.h over 16-float vectors. */
#include <stdbool.h>

#include "kernels/f32_dwconv.h"
#include "kernels/unroll.h"

#if defined(__x86_64__)
#include <immintrin.h>

typedef __m512 V;
#define VL 16
#define VZERO() _mm512_setzero_ps()
#define VLOAD(p) _mm512_loadu_ps(p)
#define VMASK(n) ((__mmask16)((1u << (n)) - 1u))
#define VLOADN(p, n) _mm512_maskz_loadu_ps(VMASK(n), (p))
#define VSTORE(p, v) _mm512_storeu_ps((p), (v))
#define VSTOREN(p, v, n) _mm512_mask_storeu_ps((p), VMASK(n), (v))
#define VFMA(a, b, c) _mm512_fmadd_ps((a), (b), (c))
#define VADD(a, b) _mm512_add_ps((a), (b))
#define VMAX(a, b) _mm512_max_ps((a), (b))
#define VMIN(a, b) _mm512_min_ps((a), (b))
#define VSET1(x) _mm512_set1_ps(x)
#define FN pnn_f32_dwconv_rows_avx512

#include "kernels/f32_dwconv_simd.h"

#endif
