/* f32 depthwise rows for aarch64 NEON (3x3, 5x5, generic): the shared body
 * in f32_dwconv_simd.h over 4-float q registers (fused multiply-add,
 * vfmaq_f32). A partial vector (the last C % 4 channels) goes through a
 * small zeroed stack buffer, as NEON has no masked loads. Compiled only
 * for aarch64. */
#include <stdbool.h>

#include "kernels/f32_dwconv.h"
#include "kernels/unroll.h"

#if defined(__aarch64__)
#include <arm_neon.h>

typedef float32x4_t V;
#define VL 4
#define VZERO() vdupq_n_f32(0.f)
#define VLOAD(p) vld1q_f32(p)
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
#define VSTORE(p, v) vst1q_f32((p), (v))
#define VSTOREN(p, v, n) vstoren((p), (v), (n))
#define VFMA(a, b, c) vfmaq_f32((c), (a), (b))
#define VADD(a, b) vaddq_f32((a), (b))
#define VMAX(a, b) vmaxq_f32((a), (b))
#define VMIN(a, b) vminq_f32((a), (b))
#define VSET1(x) vdupq_n_f32(x)
#define FN pnn_f32_dwconv_rows_neon

#include "kernels/f32_dwconv_simd.h"

#endif
