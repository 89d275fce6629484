/* f32_gemm_6x16_avx2: 6 rows x 16 columns of C in 12 ymm accumulators;
 * each k step loads two weight vectors and broadcasts one A value per row
 * into fused multiply-adds. The tile is f32_gemm_tile.h. */
#include "kernels/f32_gemm.h"
#include "kernels/unroll.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define TILE_AVX2
#define REFERENCE_ORDER 0
#define TILE_FN pnn_f32_gemm_6x16_avx2
#include "kernels/f32_gemm_tile.h"

#endif
