/* f32 CONV_2D on the packed GEMM (ungrouped, NHWC, OHWI weights).
 *
 * A 1x1 convolution with stride 1 and no padding multiplies the input
 * directly ([batch*h*w, in_c] x [in_c, out_c]). Every other shape builds
 * im2col rows ([out pixel, f_h*f_w*in_c], zeros for padding) in scratch,
 * one row tile (about 128 KB) at a time right before that tile's GEMM so
 * the rows are still in cache, in a few reused tile buffers rather than a
 * whole im2col matrix; when there are too few row tiles to keep threads
 * busy, the (then small) whole im2col is built first and the GEMM is split
 * by columns too.
 * (An indirection buffer would save the copy; im2col is what is measured
 * here, see docs/benchmarks.md.) */
#ifndef PNN_KERNELS_F32_CONV_H
#define PNN_KERNELS_F32_CONV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernels/f32_gemm.h"

typedef struct pnn_f32_conv_shape {
  int32_t batch, in_h, in_w, in_c;
  int32_t out_h, out_w, out_c;
  int32_t f_h, f_w;
  int32_t stride_h, stride_w, dil_h, dil_w, pad_h, pad_w;
  int act;
} pnn_f32_conv_shape;

typedef struct pnn_f32_conv {
  pnn_f32_conv_shape s;
  pnn_f32_gemm_plan gemm;
  bool direct;   /* 1x1, stride 1, no padding: no im2col */
  size_t m, k;   /* GEMM rows (output pixels) and depth */
  size_t tile_m; /* im2col row tile */
  size_t tiles;  /* ceil(m / tile_m) */
  bool fused;    /* im2col per tile into slot buffers (else whole, first) */
  /* Short window rows (f_w * in_c <= PNN_F32_CONV_ROWWISE_SPAN, e.g. an RGB
   * input layer; dilation_w 1): per output row, the pixels whose window is
   * inside the input multiply the input in place, one GEMM step per filter
   * row (A = that input row at stride stride_w * in_c, k = f_w * in_c, the
   * partial sums kept in the output); only border pixels go through
   * im2col. */
  bool rowwise;
} pnn_f32_conv;

enum { PNN_F32_CONV_ROWWISE_SPAN = 32 };

/* Bytes of persistent memory pnn_f32_conv_init needs (packed weights,
 * alignment slack included); 0 if the sizes overflow. */
size_t pnn_f32_conv_weight_bytes(const pnn_f32_conv_shape *s, pnn_isa isa);
/* Packs weights w (OHWI, out_c x f_h x f_w x in_c) and bias (out_c or
 * NULL) into mem and fills cv. */
void pnn_f32_conv_init(pnn_f32_conv *cv, const pnn_f32_conv_shape *s,
                       pnn_isa isa, const float *w, const float *bias,
                       void *mem);
/* Scratch bytes eval needs (0 for the direct path); SIZE_MAX if too big. */
size_t pnn_f32_conv_scratch_bytes(const pnn_f32_conv *cv);

/* How the caller runs a range function over [0, n) on its threads. */
typedef void (*pnn_f32_range_fn)(void *arg, int64_t begin, int64_t end);
typedef void (*pnn_f32_parallel_fn)(void *ctx, int64_t n, pnn_f32_range_fn fn,
                                    void *arg);
/* out = conv(in). scratch: pnn_f32_conv_scratch_bytes bytes. */
void pnn_f32_conv_run(const pnn_f32_conv *cv, const float *in, float *out,
                      float *scratch, pnn_f32_parallel_fn parallel, void *ctx);

#endif
