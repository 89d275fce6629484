/* Quantized 8-bit elementwise kernels: a 256-entry table applied to a
 * byte run (every 8-bit unary activation), TFLite's quantized ADD / SUB /
 * MUL on int8 and uint8 runs, int8/uint8 row sums (MEAN / SUM over the
 * middle of [outer, rows, c]) and MAX / AVERAGE pooling of one pixel.
 *
 * One table of function pointers per instruction-set level
 * (pnn_qs8_vec_ops_for). The scalar level is plain C with the reference
 * arithmetic (quant_math.h, element by element); every other level is
 * bit-exact with it, which the tests check on random runs:
 *   - lut: AVX-512 VBMI vpermi2b over the four 64-byte quarters of the
 *     table (AVX-512 without VBMI and AVX2: 16 pshufb sub-tables,
 *     telescoped with xor); NEON tbl/tbx over four 64-byte quarters.
 *   - add/sub/mul: TFLite's MultiplyByQuantizedMultiplier on 32-bit lanes
 *     (SaturatingRoundingDoublingHighMul as (x * m + 2^30) >> 31 with
 *     m >= 0, which equals gemmlowp's nudge-and-truncate form; then
 *     RoundingDivideByPOT's round-half-away-from-zero as (s + 2^(e-1) -
 *     (s < 0)) >> e, equal for every operand range below).
 *   - sum_rows: integer sums (wrapping int32), order-independent.
 *   - pool_max: byte maxima, exact. pool_avg: int32 window sums, then the
 *     rounded quotient (sum +- count / 2) / count truncated, computed as a
 *     float division: exact because |sum +- count / 2| < 2^24 for 8-bit
 *     values and count <= 65536 (the correctly rounded quotient of two
 *     such integers never reaches the next integer). */
#ifndef PNN_KERNELS_QS8_VEC_H
#define PNN_KERNELS_QS8_VEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernels/cpu.h"

/* TFLite ArithmeticParams for 8-bit ADD / SUB / MUL. off1/off2 are the
 * negated input zero points, out_off the output zero point; (m, s) pairs
 * are quantized multipliers with TFLite's exponent convention (s > 0: left
 * shift). ADD/SUB: x = mul_by_qm((a + off1) << left_shift, m1, s1), y
 * likewise, r = mul_by_qm(x +- y, mo, so). MUL: r = mul_by_qm((a + off1) *
 * (b + off2), mo, so). out = clamp(r + out_off, lo, hi). m1, m2, mo >= 0;
 * [lo, hi] within the type's range; left_shift <= 20 (TFLite's 8-bit ADD
 * uses 20), so every intermediate stays below 2^30 in magnitude, which the
 * SIMD rounding relies on. */
typedef struct pnn_qs8_bin_params {
  int32_t off1, off2, out_off;
  int32_t m1, m2, mo;
  int s1, s2, so;
  int left_shift;
  int32_t lo, hi;
  bool u8; /* uint8 operands and output (else int8) */
} pnn_qs8_bin_params;

enum { PNN_QS8_ADD, PNN_QS8_SUB, PNN_QS8_MUL, PNN_QS8_BIN_COUNT };

/* out[i] = op(a[i * sa], b[i * sb]) for i < n, sa and sb each 0 (a
 * broadcast scalar) or 1 (contiguous). */
typedef void (*pnn_qs8_bin_fn)(const void *a, int sa, const void *b, int sb,
                               void *out, size_t n,
                               const pnn_qs8_bin_params *p);

/* ADD / SUB with one operand already on the common scale (a constant
 * rescaled at prepare): x = mul_by_qm((a + off1) << left_shift, m1, s1)
 * for the other, then r = mul_by_qm(v, mo, so) with v = x + y (mode
 * PNN_QS8_X_PLUS_Y), x - y or y - x; out as for ADD. sa, sy each 0 or 1;
 * |y| < 2^28 (a rescaled 8-bit value). */
enum { PNN_QS8_X_PLUS_Y, PNN_QS8_X_MINUS_Y, PNN_QS8_Y_MINUS_X };
typedef void (*pnn_qs8_addc_fn)(const void *a, int sa, const int32_t *y,
                                int sy, void *out, size_t n,
                                const pnn_qs8_bin_params *p, int mode);

typedef void (*pnn_qs8_pool_fn)(const uint8_t *x, size_t row_stride, int nh,
                                int nw, size_t c, bool u8, int32_t lo,
                                int32_t hi, uint8_t *out);

typedef struct pnn_qs8_vec_ops {
  pnn_isa isa;
  /* o[i] = table[x[i]] (x read as bytes; int8 values index by their
   * two's-complement byte). o may equal x. */
  void (*lut)(const uint8_t *x, uint8_t *o, size_t n, const uint8_t *table);
  pnn_qs8_bin_fn bin[PNN_QS8_BIN_COUNT];
  /* acc[j] += sum over r < rows of x[r * c + j], j < c (wrapping int32);
   * u8: bytes are uint8, else int8. */
  void (*sum_rows)(const void *x, bool u8, int32_t *acc, size_t rows,
                   size_t c);
  /* One output pixel of MAX_POOL_2D / AVERAGE_POOL_2D over c channels:
   * the window is nh x nw cells (nh, nw >= 1), cell (y, x) at x + y *
   * row_stride + x * c bytes. max: out = clamp(max, lo, hi); avg: with
   * the int32 sum s and n = nh * nw cells, out = clamp((s > 0 ? s + n / 2
   * : s - n / 2) / n, lo, hi) (C division, truncating), n <= 65536. */
  pnn_qs8_pool_fn pool_max, pool_avg;
  pnn_qs8_addc_fn addsub_const;
} pnn_qs8_vec_ops;

/* The table for `isa` (a level the host supports; lower levels where this
 * build or host lacks kernels). */
const pnn_qs8_vec_ops *pnn_qs8_vec_ops_for(pnn_isa isa);

extern const pnn_qs8_vec_ops pnn_qs8_vec_ops_scalar;
#if defined(__x86_64__)
extern const pnn_qs8_vec_ops pnn_qs8_vec_ops_avx2;
extern const pnn_qs8_vec_ops pnn_qs8_vec_ops_avx512;
/* The VBMI variant of the AVX-512 table (vpermi2b table lookups). */
extern const pnn_qs8_vec_ops pnn_qs8_vec_ops_avx512vbmi;
#elif defined(__aarch64__)
extern const pnn_qs8_vec_ops pnn_qs8_vec_ops_neon;
#endif

/* Reference kernels (the scalar table's), for the SIMD files' tails. */
void pnn_qs8_lut_ref(const uint8_t *x, uint8_t *o, size_t n,
                     const uint8_t *table);
void pnn_qs8_add_ref(const void *a, int sa, const void *b, int sb, void *out,
                     size_t n, const pnn_qs8_bin_params *p);
void pnn_qs8_sub_ref(const void *a, int sa, const void *b, int sb, void *out,
                     size_t n, const pnn_qs8_bin_params *p);
void pnn_qs8_mul_ref(const void *a, int sa, const void *b, int sb, void *out,
                     size_t n, const pnn_qs8_bin_params *p);
void pnn_qs8_sum_rows_ref(const void *x, bool u8, int32_t *acc, size_t rows,
                          size_t c);
void pnn_qs8_addsub_const_ref(const void *a, int sa, const int32_t *y, int sy,
                              void *out, size_t n, const pnn_qs8_bin_params *p,
                              int mode);
/* Channels [j0, c) of one pooled pixel (the SIMD kernels' tails). */
void pnn_qs8_pool_range_ref(bool is_max, const uint8_t *x, size_t row_stride,
                            int nh, int nw, size_t c, size_t j0, bool u8,
                            int32_t lo, int32_t hi, uint8_t *out);
void pnn_qs8_pool_max_ref(const uint8_t *x, size_t row_stride, int nh, int nw,
                          size_t c, bool u8, int32_t lo, int32_t hi,
                          uint8_t *out);
void pnn_qs8_pool_avg_ref(const uint8_t *x, size_t row_stride, int nh, int nw,
                          size_t c, bool u8, int32_t lo, int32_t hi,
                          uint8_t *out);

#endif
