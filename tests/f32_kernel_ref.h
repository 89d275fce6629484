/* Shared by the float kernel tests (test_kernels_gemm.c,
 * test_kernels_deconv.c): the fused activation in double precision, and a
 * pnn_f32_parallel_fn that runs a kernel's ranges serially in uneven chunks
 * in reverse order (so tasks must be independent). Include after
 * test_rand.h. */
#ifndef PNN_TESTS_F32_KERNEL_REF_H
#define PNN_TESTS_F32_KERNEL_REF_H

#include <math.h>
#include <stdint.h>

#include "kernels/f32_conv.h"
#include "test_rand.h"

/* act: 0 none, 1 RELU, 2 RELU_N1_TO_1, 3 RELU6, 4 TANH. */
static inline double ref_act(int act, double v) {
  switch (act) {
    case 1: return v < 0 ? 0 : v;
    case 2: return v < -1 ? -1 : (v > 1 ? 1 : v);
    case 3: return v < 0 ? 0 : (v > 6 ? 6 : v);
    case 4: return tanh(v);
    default: return v;
  }
}

static inline void serial(void *ctx, int64_t n, pnn_f32_range_fn fn,
                          void *arg) {
  (void)ctx;
  int64_t end = n;
  while (end > 0) {
    int64_t begin = end - rnd_int(1, 3);
    if (begin < 0) begin = 0;
    fn(arg, begin, end);
    end = begin;
  }
}

#endif
