/* f32_gemm_8x8_neon: 8 rows x 8 columns of C in 16 q-register
 * accumulators (of 32). Each group of four k steps loads four A values per
 * row in one vector and multiplies the two weight vectors of each step by
 * one lane of it (vfmaq_laneq_f32); a k remainder below four broadcasts
 * single values. Partial column tiles compute all eight columns (the
 * packed panel is zero-padded) and store only the first nr. The tile is
 * f32_gemm_tile.h. Compiled only for aarch64. */
#include "kernels/f32_gemm.h"
#include "kernels/unroll.h"

#if defined(__aarch64__)
#include <arm_neon.h>

#define TILE_NEON
#define REFERENCE_ORDER 0
#define TILE_FN pnn_f32_gemm_8x8_neon
#include "kernels/f32_gemm_tile.h"

#endif
