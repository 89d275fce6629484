/* f32_gemm_12x32_avx512: 12 rows x 32 columns of C in 24 zmm accumulators
 * (of 32 registers); partial column tiles use AVX-512 masks. The tile is
 * f32_gemm_tile.h. */
#include "kernels/f32_gemm.h"
#include "kernels/unroll.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define TILE_AVX512
#define REFERENCE_ORDER 0
#define TILE_FN pnn_f32_gemm_12x32_avx512
#include "kernels/f32_gemm_tile.h"

#endif
