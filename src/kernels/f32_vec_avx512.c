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
typedef __mmask16 VM;
#define VMAND(a, b) ((__mmask16)((a) & (b)))
#define VMOR(a, b) ((__mmask16)((a) | (b)))
#define VALL(m) ((m) == (__mmask16)0xffff)
#define VAND(a, b) _mm512_and_ps((a), (b))
#define VANDN(a, b) _mm512_andnot_ps((a), (b))
#define VOR(a, b) _mm512_or_ps((a), (b))
#define VROUND(a) \
  _mm512_roundscale_ps((a), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
/* p * 2^n in one instruction (vscalefps), rounded once. */
#define VSCALE2(p, n) _mm512_scalef_ps((p), (n))
/* 14-bit estimate and one Newton step: ~2^-27 relative error on [1, 2]. */
static inline V vrcp(V d) {
  const V r = _mm512_rcp14_ps(d);
  return _mm512_fmadd_ps(r, _mm512_fnmadd_ps(d, r, _mm512_set1_ps(1.f)), r);
}
#define VRCP(d) vrcp(d)
#define SUF avx512
#define ISA PNN_ISA_AVX512

#include "kernels/f32_vec_simd.h"

#endif
