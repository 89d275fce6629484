/* Packed int8 GEMM for quantized CONV_2D and FULLY_CONNECTED:
 *   out[i][j] = clamp(zp_out + MultiplyByQuantizedMultiplier(
 *                 sum_t w[j][t] * (x[i][t] - zp_in) + bias[j], mult[j],
 *                 shift[j]), lo, hi)
 * bit-exact with TFLite's reference (int32 sums, pnn_qm_mul_by_qm).
 *
 * The weights are packed once (prepare) into panels of 16 output columns;
 * inside a panel each group of 4 k values holds 16 columns x 4 bytes (the
 * vpdpbusd tile). The input zero point is folded into a packed int32 bias:
 *   sum w * (x - zp) = sum w * x - zp * sum w.
 * The AVX-512 VNNI kernel multiplies u8 by s8, so it feeds u = x ^ 0x80 =
 * x + 128 and its bias also takes off 128 * sum w. All int32 arithmetic
 * wraps (vpdpbusd does not saturate), so results are exact modulo 2^32:
 * exact whenever sum w * (x - zp) + bias fits int32, as TFLite's own int32
 * accumulators need (the ops keep k <= 65536).
 *
 * Kernels: qs8_gemm_ref (plain C, the reference of the tests),
 * qs8_gemm_4x16_avx2 (sign-extended int16 and vpmaddwd: pair sums of two
 * int8 products never saturate), qs8_gemm_12x32_avx512vnni. */
#ifndef PNN_KERNELS_QS8_GEMM_H
#define PNN_KERNELS_QS8_GEMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernels/cpu.h"
#include "kernels/s8_dot.h"

#define PNN_QS8_NR 16 /* columns per packed panel */
#define PNN_QS8_MR_MAX 12

/* How the driver packs a block of activation rows for the microkernel. */
enum { PNN_QS8_A_S8, PNN_QS8_A_U8FLIP, PNN_QS8_A_S16 };

/* c[r][0..16*np) (+)= sum over kg groups of 4 of xa[r] . panel columns;
 * xa rows are xa_stride bytes apart (packed by the driver), the second
 * panel (np == 2) starts panel_stride bytes after the first; c rows are
 * 32 int32 apart. accumulate: add to c instead of overwriting it. */
typedef void (*pnn_qs8_ukernel_fn)(size_t mr, size_t np, size_t kg,
                                   const void *xa, size_t xa_stride,
                                   const int8_t *w, size_t panel_stride,
                                   int32_t *c, bool accumulate);

void pnn_qs8_ukernel_4x16_ref(size_t mr, size_t np, size_t kg, const void *xa,
                              size_t xa_stride, const int8_t *w,
                              size_t panel_stride, int32_t *c, bool accumulate);
#if defined(__x86_64__)
void pnn_qs8_ukernel_4x16_avx2(size_t mr, size_t np, size_t kg, const void *xa,
                               size_t xa_stride, const int8_t *w,
                               size_t panel_stride, int32_t *c,
                               bool accumulate);
/* pnn_s8_requant_ref's contract, 8 lanes (AVX2; qs8_requant_avx2.h). */
void pnn_qs8_requant_avx2(const int32_t *acc, const int32_t *bias,
                          const int32_t *mult, const int *shift, int32_t zp,
                          int32_t lo, int32_t hi, size_t n, int8_t *out);
void pnn_qs8_ukernel_12x32_avx512vnni(size_t mr, size_t np, size_t kg,
                                     const void *xa, size_t xa_stride,
                                     const int8_t *w, size_t panel_stride,
                                     int32_t *c, bool accumulate);
/* The same for `rows` rows of c (c_stride apart) into out (out_stride
 * apart), the per-column terms loaded once per 16 columns. */
void pnn_qs8_out_tile_avx512(const int32_t *c, size_t c_stride, size_t rows,
                             const int32_t *bias, const int32_t *mult,
                             const int *shift, int32_t zp, int32_t lo,
                             int32_t hi, size_t n, int8_t *out,
                             size_t out_stride);
/* The dscale output stage (see pnn_qs8_gemm.dscale) of n columns, AVX2
 * doubles (also on AVX-512 hosts; qs8_dscale_avx2.c). */
void pnn_qs8_out_dscale_avx2(const int32_t *c, const int32_t *bias,
                             const double *ds, int32_t zp, int32_t lo,
                             int32_t hi, size_t n, int8_t *out);
/* The same, 8 columns per step, masked tail (qs8_dscale_avx512.c). */
void pnn_qs8_out_dscale_avx512(const int32_t *c, const int32_t *bias,
                               const double *ds, int32_t zp, int32_t lo,
                               int32_t hi, size_t n, int8_t *out);
/* Rows of kc bytes at dst: x ^ 0x80 for t < valid, zeros up to kc. */
void pnn_qs8_pack_flip_avx512(const int8_t *x, size_t x_stride, size_t mr,
                              size_t valid, size_t kc, uint8_t *dst);
/* pnn_s8_requant_ref's contract, 16 lanes, acc + bias wrapping. */
void pnn_qs8_requant_avx512(const int32_t *acc, const int32_t *bias,
                            const int32_t *mult, const int *shift, int32_t zp,
                            int32_t lo, int32_t hi, size_t n, int8_t *out);
#elif defined(__aarch64__)
/* sdot (ARMv8.2 dot product; only when the CPU has it) and smull/sadalp
 * (any ARMv8 NEON) kernels, both on signed int8 rows (PNN_QS8_A_S8). */
void pnn_qs8_ukernel_4x16_neondot(size_t mr, size_t np, size_t kg,
                                  const void *xa, size_t xa_stride,
                                  const int8_t *w, size_t panel_stride,
                                  int32_t *c, bool accumulate);
void pnn_qs8_ukernel_2x16_neon(size_t mr, size_t np, size_t kg,
                               const void *xa, size_t xa_stride,
                               const int8_t *w, size_t panel_stride,
                               int32_t *c, bool accumulate);
#endif

typedef struct pnn_qs8_gemm {
  size_t n, k, kg; /* kg = groups of 4 along k (k rounded up) */
  int a_mode;      /* PNN_QS8_A_* */
  int mr, np;      /* rows and panels per microkernel call */
  const char *name;
  pnn_qs8_ukernel_fn ukernel;
  pnn_s8_requant_fn requant;
  int8_t *w;      /* packed panels, 64-byte aligned */
  int32_t *bias;  /* [panels * 16]: bias - zp * sum w (- 128 * sum w) */
  const int32_t *mult; /* [n] */
  const int *shift;    /* [n] */
  int32_t out_zp, lo, hi;
  /* [n] or NULL (init): set by the caller after init, the output stage is
   * instead clamp(zp_out + round((double)acc * dscale[j]), lo, hi), round
   * half away from zero, saturating to int32 (LiteRT's reference
   * FULLY_CONNECTED; mult/shift then unused). */
  const double *dscale;
} pnn_qs8_gemm;

/* Bytes of packed memory pnn_qs8_gemm_init needs for n x k weights. */
size_t pnn_qs8_gemm_bytes(size_t n, size_t k);

/* Picks the kernel for `isa` (lower when the host or build lacks it),
 * packs w[j * w_stride + t] (j < n, t < k) into mem (pnn_qs8_gemm_bytes,
 * any alignment) and folds bias (may be NULL) and in_zp. mult, shift
 * (kept, not copied), out_zp and [lo, hi] (within int8) are the output
 * stage. n, k >= 1. */
void pnn_qs8_gemm_init(pnn_qs8_gemm *g, pnn_isa isa, const int8_t *w,
                       size_t w_stride, size_t n, size_t k,
                       const int32_t *bias, int32_t in_zp,
                       const int32_t *mult, const int *shift, int32_t out_zp,
                       int32_t lo, int32_t hi, void *mem);

/* out[i * out_stride + j] for i < m, j < n from x[i * x_stride + t].
 * Allocates nothing (stack tiles only); rows can be split across threads. */
void pnn_qs8_gemm_run(const pnn_qs8_gemm *g, const int8_t *x, size_t x_stride,
                      size_t m, int8_t *out, size_t out_stride);

/* Panels of 16 columns (the last one partial). */
size_t pnn_qs8_gemm_panels(const pnn_qs8_gemm *g);
/* As pnn_qs8_gemm_run for the columns of panels [p_begin, p_end) only
 * (threads can split the columns of a few rows). */
void pnn_qs8_gemm_run_panels(const pnn_qs8_gemm *g, const int8_t *x,
                             size_t x_stride, size_t m, size_t p_begin,
                             size_t p_end, int8_t *out, size_t out_stride);

#endif
