/* f32_gemm_4x8_scalar: the plain-C microkernel (any CPU). It sums k in
 * order and adds the bias last without contracting to FMA, exactly like
 * TFLite's reference conv / fully-connected loops. */
#include "kernels/f32_gemm.h"

enum { MR = 4, NR = 8 };

void pnn_f32_gemm_4x8_scalar(size_t mr, size_t nr, size_t kc, const float *a,
                             size_t lda, const float *w, float *c, size_t ldc,
                             int first, const float *bias, float lo,
                             float hi) {
  float acc[MR][NR];
  for (size_t i = 0; i < mr; i++)
    for (size_t j = 0; j < NR; j++)
      acc[i][j] = first || j >= nr ? 0.f : c[i * ldc + j];
  for (size_t k = 0; k < kc; k++, w += NR)
    for (size_t i = 0; i < mr; i++) {
      const float x = a[i * lda + k];
      for (size_t j = 0; j < NR; j++) {
        const float p = x * w[j];
        acc[i][j] += p;
      }
    }
  for (size_t i = 0; i < mr; i++)
    for (size_t j = 0; j < nr; j++) {
      float v = bias ? acc[i][j] + bias[j] : acc[i][j];
      v = v < lo ? lo : v;
      c[i * ldc + j] = v > hi ? hi : v;
    }
}
