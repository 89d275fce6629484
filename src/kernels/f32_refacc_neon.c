/* Reference-order f32 kernels for aarch64 NEON (see f32_refacc.h): the
 * 8x8 GEMM tile of f32_gemm_tile.h and the depthwise rows of
 * f32_dwconv_simd.h, with a separate multiply (fmul) and add (fadd): no
 * fmla in this file. FMAX / FMIN propagate NaN, as the reference clamp
 * does. Compiled only for aarch64. */
#include <stdbool.h>

#include "kernels/f32_refacc.h"
#include "kernels/unroll.h"

#if defined(__aarch64__)
#include <arm_neon.h>

#define TILE_NEON
#define REFERENCE_ORDER 1
#define TILE_FN pnn_f32_gemm_8x8_refacc_neon
#include "kernels/f32_gemm_tile.h"

/* The depthwise rows over the same 4-float q registers, VFMA spelled
 * fmul + fadd. A partial vector goes through a zeroed stack buffer. */
static inline float32x4_t vloadn(const float *p, int n) {
  float t[4] = {0.f, 0.f, 0.f, 0.f};
  for (int i = 0; i < n; i++) t[i] = p[i];
  return vld1q_f32(t);
}
static inline void vstoren(float *p, float32x4_t v, int n) {
  float t[4];
  vst1q_f32(t, v);
  for (int i = 0; i < n; i++) p[i] = t[i];
}
#define VLOADN(p, n) vloadn((p), (n))
#define VSTOREN(p, v, n) vstoren((p), (v), (n))
#undef VFMA
#define VFMA(a, b, c) VADD((c), VMUL((a), (b)))
#define FN pnn_f32_dwconv_rows_refacc_neon

#include "kernels/f32_dwconv_simd.h"

#endif
