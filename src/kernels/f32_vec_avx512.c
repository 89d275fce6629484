/* f32 elementwise kernels for AVX-512: f32_vec_simd.h on 16 lanes. */
#include <math.h>

#include "kernels/f32_vec.h"

#if defined(__x86_64__)
#include <immintrin.h>

typedef __m512 V;
#define VL 16
#define VMASKN(n) ((__mmask16)((1u << (n)) - 1u))
#define VLOAD(p) _mm512_loadu_ps(p)
#define VSTORE(p, v) _mm512_storeu_ps((p), (v))
#define VLOADN(p, n) _mm512_maskz_loadu_ps(VMASKN(n), (p))
#define VSTOREN(p, v, n) _mm512_mask_storeu_ps((p), VMASKN(n), (v))
#define VSET1(x) _mm512_set1_ps(x)
#define VZERO() _mm512_setzero_ps()
#define VADD(a, b) _mm512_add_ps((a), (b))
#define VSUB(a, b) _mm512_sub_ps((a), (b))
#define VMUL(a, b) _mm512_mul_ps((a), (b))
#define VDIV(a, b) _mm512_div_ps((a), (b))
#define VFMA(a, b, c) _mm512_fmadd_ps((a), (b), (c))
#define VMAX(a, b) _mm512_max_ps((a), (b))
#define VMIN(a, b) _mm512_min_ps((a), (b))
#define VCMP(a, b, pred) _mm512_cmp_ps_mask((a), (b), (pred))
#define VSEL(m, t, f) _mm512_mask_blend_ps((m), (f), (t))
#define VAND(a, b) _mm512_and_ps((a), (b))
#define VANDN(a, b) _mm512_andnot_ps((a), (b))
#define VOR(a, b) _mm512_or_ps((a), (b))
#define VROUND(a) \
  _mm512_roundscale_ps((a), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
static inline V vscale2(V p, V n) {
  const __m512i ni = _mm512_cvtps_epi32(n);
  const __m512i h = _mm512_srai_epi32(ni, 1), l = _mm512_sub_epi32(ni, h);
  const __m512i bias = _mm512_set1_epi32(127);
  const V s1 = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(h, bias), 23));
  const V s2 = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(l, bias), 23));
  return _mm512_mul_ps(_mm512_mul_ps(p, s1), s2);
}
#define VSCALE2(p, n) vscale2((p), (n))
#define SUF avx512
#define ISA PNN_ISA_AVX512

#include "kernels/f32_vec_simd.h"

#endif
