/* int8 dot products: the plain-C reference and the per-ISA pick. */
#include "kernels/s8_dot.h"

void pnn_s8_dots_ref(const int8_t *x, const int8_t *w, size_t k, size_t n,
                     size_t w_stride, int32_t *acc) {
  for (size_t i = 0; i < n; i++) {
    const int8_t *wr = w + i * w_stride;
    int32_t s = 0;
    for (size_t j = 0; j < k; j++) s += (int32_t)x[j] * (int32_t)wr[j];
    acc[i] += s;
  }
}

pnn_s8_dots_fn pnn_s8_dots_pick(pnn_isa isa) {
#if defined(__x86_64__)
  if (isa >= PNN_ISA_AVX2) return pnn_s8_dots_avx2;
#else
  (void)isa;
#endif
  return pnn_s8_dots_ref;
}
