/* Packed int8 DEPTHWISE_CONV_2D (depth multiplier 1, int8 input, weights
 * and output), any filter size, stride, dilation and padding:
 *   out[c] = clamp(zp_out + MultiplyByQuantizedMultiplier(
 *              sum over in-bounds taps w[t][c] * (x_t[c] - zp_in) + bias[c],
 *              mult[c], shift[c]), lo, hi)
 * bit-exact with TFLite's reference (the plain-C rows in src/ops/conv_q.c).
 *
 * Each output pixel reads its taps through an indirection row of tp input
 * pointers (taps rounded up to the kernel's tap group): a tap outside the
 * input points at a row of zp_in bytes, so it adds w * (zp - zp) = 0 just
 * as TFLite skips it, and the input zero point folds into a packed bias:
 *   sum w * (x - zp) = sum w * x - zp * sum w  (over all taps).
 * Weights and the output-stage terms are packed once (prepare) per block of
 * channels in the lane order the kernel's unpacks produce, so the kernels
 * never shuffle weights or results back:
 *   - qs8_dw_avx512vnni: 64 channels x 4 taps per step; the four taps'
 *     bytes are interleaved by vpunpck{l,h}bw/wd into per-channel 4-byte
 *     groups and vpdpbusd adds them (u8 = x ^ 0x80, so the bias also takes
 *     off 128 * sum w); vpackssdw/vpacksswb restore channel order. A block
 *     of at most 32 channels takes two output pixels per vector; layers
 *     of at most 16 channels use the AVX2 kernel instead.
 *   - qs8_dw_avx2: 16 channels x 2 taps per step, int16 pairs and vpmaddwd.
 *   - qs8_dw_neon (aarch64): 16 channels x 1 tap, sxtl + smlal, channels
 *     in natural order.
 * All int32 arithmetic wraps, like TFLite's int32 accumulators (exact on
 * valid models). */
#ifndef PNN_KERNELS_QS8_DWCONV_H
#define PNN_KERNELS_QS8_DWCONV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernels/cpu.h"

struct pnn_qs8_dw;

/* npix output pixels: pixel p reads its taps t < tp at
 * ind[p * ind_stride + t] + p * xstep and writes c int8 values at
 * out + p * c. Border pixels come with their own indirection rows
 * (ind_stride = tp, xstep = 0); a run of interior pixels shares the first
 * one's row (ind_stride = 0, xstep = stride_w * c). */
typedef void (*pnn_qs8_dw_fn)(const struct pnn_qs8_dw *d,
                              const int8_t *const *ind, size_t ind_stride,
                              size_t xstep, size_t npix, int8_t *out);

typedef struct pnn_qs8_dw {
  /* geometry (NHWC input [*, in_h, in_w, c], output [*, out_h, out_w, c]) */
  int32_t in_h, in_w, out_h, out_w, f_h, f_w;
  int32_t stride_h, stride_w, dil_h, dil_w, pad_h, pad_w;
  size_t c, taps, tp; /* tp = taps rounded up to the tap group */
  size_t cb;          /* channels per packed block */
  const char *name;
  pnn_qs8_dw_fn run;
  int8_t *w;      /* packed weights, 64-byte aligned */
  int32_t *bias;  /* [blocks * cb] folded bias, kernel lane order */
  int32_t *mult;  /* [blocks * cb], same order */
  int32_t *shift; /* [blocks * cb], same order */
  int8_t *zbuf;   /* [blocks * cb] bytes of zp_in */
  int32_t out_zp, lo, hi;
} pnn_qs8_dw;

#if defined(__x86_64__)
void pnn_qs8_dw_avx512vnni(const pnn_qs8_dw *d, const int8_t *const *ind,
                           size_t ind_stride, size_t xstep, size_t npix,
                           int8_t *out);
void pnn_qs8_dw_avx2(const pnn_qs8_dw *d, const int8_t *const *ind,
                     size_t ind_stride, size_t xstep, size_t npix, int8_t *out);
#elif defined(__aarch64__)
void pnn_qs8_dw_neon(const pnn_qs8_dw *d, const int8_t *const *ind,
                     size_t ind_stride, size_t xstep, size_t npix, int8_t *out);
#endif

/* Whether `isa` (lowered to what the host and build have) has a packed
 * depthwise kernel; without one the caller keeps its plain-C path. */
bool pnn_qs8_dw_available(pnn_isa isa);

/* Bytes of memory pnn_qs8_dw_init needs (0: no kernel for isa, or more
 * than 1024 taps, or no channels: init would refuse). */
size_t pnn_qs8_dw_bytes(pnn_isa isa, size_t c, size_t taps);

/* Packs w[t * c + ch] (t < f_h * f_w, the [1, f_h, f_w, c] filter) into
 * mem (pnn_qs8_dw_bytes, any alignment), folds bias (may be NULL) and
 * in_zp, and copies mult/shift in lane order; the geometry fields of d
 * must be set before. False when isa has no kernel or the filter has more
 * than 1024 taps (the caller keeps its plain-C path then). */
bool pnn_qs8_dw_init(pnn_qs8_dw *d, pnn_isa isa, const int8_t *w, size_t c,
                     const int32_t *bias, int32_t in_zp, const int32_t *mult,
                     const int *shift, int32_t out_zp, int32_t lo, int32_t hi,
                     void *mem);

/* Output rows [row_begin, row_end) of batch * out_h (threads may split
 * rows) from in [batch, in_h, in_w, c] into out [batch, out_h, out_w, c].
 * Allocates nothing (the indirection rows live on the stack). */
void pnn_qs8_dw_run_rows(const pnn_qs8_dw *d, const int8_t *in, int8_t *out,
                         int64_t row_begin, int64_t row_end);

#endif
