/* f32 elementwise kernels for AVX2/FMA: f32_vec_simd.h on 8 lanes. */
#include <math.h>

#include "kernels/f32_vec.h"

#if defined(__x86_64__)
#include <immintrin.h>

typedef __m256 V;
#define VL 8
static inline __m256i vmask(int n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n),
                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
#define VLOAD(p) _mm256_loadu_ps(p)
#define VSTORE(p, v) _mm256_storeu_ps((p), (v))
#define VLOADN(p, n) _mm256_maskload_ps((p), vmask(n))
#define VSTOREN(p, v, n) _mm256_maskstore_ps((p), vmask(n), (v))
#define VSET1(x) _mm256_set1_ps(x)
#define VZERO() _mm256_setzero_ps()
#define VADD(a, b) _mm256_add_ps((a), (b))
#define VSUB(a, b) _mm256_sub_ps((a), (b))
#define VMUL(a, b) _mm256_mul_ps((a), (b))
#define VDIV(a, b) _mm256_div_ps((a), (b))
#define VFMA(a, b, c) _mm256_fmadd_ps((a), (b), (c))
#define VMAX(a, b) _mm256_max_ps((a), (b))
#define VMIN(a, b) _mm256_min_ps((a), (b))
#define VCMP(a, b, pred) _mm256_cmp_ps((a), (b), (pred))
#define VSEL(m, t, f) _mm256_blendv_ps((f), (t), (m))
typedef __m256 VM;
#define VMAND(a, b) _mm256_and_ps((a), (b))
#define VMOR(a, b) _mm256_or_ps((a), (b))
#define VALL(m) (_mm256_movemask_ps(m) == 0xff)
#define VAND(a, b) _mm256_and_ps((a), (b))
#define VANDN(a, b) _mm256_andnot_ps((a), (b))
#define VOR(a, b) _mm256_or_ps((a), (b))
#define VROUND(a) \
  _mm256_round_ps((a), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
static inline V vscale2(V p, V n) {
  const __m256i ni = _mm256_cvtps_epi32(n);
  const __m256i h = _mm256_srai_epi32(ni, 1), l = _mm256_sub_epi32(ni, h);
  const __m256i bias = _mm256_set1_epi32(127);
  const V s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(h, bias), 23));
  const V s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(l, bias), 23));
  return _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
}
#define VSCALE2(p, n) vscale2((p), (n))
/* 12-bit estimate and two Newton steps: rounding-level error on [1, 2]. */
static inline V vrcp(V d) {
  const V one = _mm256_set1_ps(1.f);
  V r = _mm256_rcp_ps(d);
  r = _mm256_fmadd_ps(r, _mm256_fnmadd_ps(d, r, one), r);
  return _mm256_fmadd_ps(r, _mm256_fnmadd_ps(d, r, one), r);
}
#define VRCP(d) vrcp(d)
#define SUF avx2
#define ISA PNN_ISA_AVX2

#include "kernels/f32_vec_simd.h"

#endif
