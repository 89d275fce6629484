/* f32 elementwise kernels for aarch64 NEON: f32_vec_simd.h on 4 lanes.
 * VMAX / VMIN are compare-and-select (a > b ? a : b), not fmax / fmin, so
 * NaN and signed zeros come out as in the x86 instructions and the scalar
 * reference; partial vectors go through a small stack buffer. Compiled
 * only for aarch64. */
#include <math.h>

#include "kernels/f32_vec.h"

#if defined(__aarch64__)
#include <arm_neon.h>

typedef float32x4_t V;
typedef uint32x4_t VM;
#define VL 4
static inline V vloadn(const float *p, int n) {
  float t[4] = {0.f, 0.f, 0.f, 0.f};
  for (int i = 0; i < n; i++) t[i] = p[i];
  return vld1q_f32(t);
}
static inline void vstoren(float *p, V v, int n) {
  float t[4];
  vst1q_f32(t, v);
  for (int i = 0; i < n; i++) p[i] = t[i];
}
#define VLOAD(p) vld1q_f32(p)
#define VSTORE(p, v) vst1q_f32((p), (v))
#define VLOADN(p, n) vloadn((p), (n))
#define VSTOREN(p, v, n) vstoren((p), (v), (n))
#define VSET1(x) vdupq_n_f32(x)
#define VZERO() vdupq_n_f32(0.f)
#define VADD(a, b) vaddq_f32((a), (b))
#define VSUB(a, b) vsubq_f32((a), (b))
#define VMUL(a, b) vmulq_f32((a), (b))
#define VDIV(a, b) vdivq_f32((a), (b))
#define VFMA(a, b, c) vfmaq_f32((c), (a), (b))
static inline V vmax_sel(V a, V b) { return vbslq_f32(vcgtq_f32(a, b), a, b); }
static inline V vmin_sel(V a, V b) { return vbslq_f32(vcltq_f32(a, b), a, b); }
#define VMAX(a, b) vmax_sel((a), (b))
#define VMIN(a, b) vmin_sel((a), (b))
/* The template names x86 predicates; each maps to a NEON compare. */
#define VCMP(a, b, pred) VCMP##pred((a), (b))
#define VCMP_CMP_GT_OQ(a, b) vcgtq_f32((a), (b))
#define VCMP_CMP_GE_OQ(a, b) vcgeq_f32((a), (b))
#define VCMP_CMP_LT_OQ(a, b) vcltq_f32((a), (b))
#define VCMP_CMP_LE_OQ(a, b) vcleq_f32((a), (b))
#define VCMP_CMP_EQ_OQ(a, b) vceqq_f32((a), (b))
#define VMAND(a, b) vandq_u32((a), (b))
#define VMOR(a, b) vorrq_u32((a), (b))
#define VALL(m) (vminvq_u32(m) == 0xffffffffu)
/* unordered: not (a == a and b == b) */
#define VCMP_CMP_UNORD_Q(a, b) \
  vmvnq_u32(vandq_u32(vceqq_f32((a), (a)), vceqq_f32((b), (b))))
#define VSEL(m, t, f) vbslq_f32((m), (t), (f))
#define U(a) vreinterpretq_u32_f32(a)
#define F(a) vreinterpretq_f32_u32(a)
#define VAND(a, b) F(vandq_u32(U(a), U(b)))
#define VANDN(a, b) F(vbicq_u32(U(b), U(a))) /* ~a & b */
#define VOR(a, b) F(vorrq_u32(U(a), U(b)))
#define VROUND(a) vrndnq_f32(a)
static inline V vscale2(V p, V n) {
  const int32x4_t ni = vcvtnq_s32_f32(n);
  const int32x4_t h = vshrq_n_s32(ni, 1), l = vsubq_s32(ni, h);
  const int32x4_t bias = vdupq_n_s32(127);
  const V s1 = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(h, bias), 23));
  const V s2 = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(l, bias), 23));
  return vmulq_f32(vmulq_f32(p, s1), s2);
}
#define VSCALE2(p, n) vscale2((p), (n))
#define VRCP(d) vdivq_f32(vdupq_n_f32(1.f), (d))
#define SUF neon
#define ISA PNN_ISA_NEON

#include "kernels/f32_vec_simd.h"

#endif
