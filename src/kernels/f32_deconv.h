/* f32 transpose convolution (NHWC input, OHWI weights) on the packed GEMM.
 *
 * out[b, oy, ox, oc] = bias[oc] + sum over input pixels (iy, ix) and taps
 * (fy, fx) with oy = iy * stride_h - pad_h + fy, ox = ix * stride_w - pad_w
 * + fx of sum_ic in[b, iy, ix, ic] * w[oc, fy, fx, ic]; then the fused
 * activation. That is TFLite's TRANSPOSE_CONV and MediaPipe's
 * Convolution2DTransposeBias (which differ only in how the output size and
 * padding are derived).
 *
 * Instead of scattering every input value through the filter (the
 * reference loops), one GEMM per band of input rows computes every tap's
 * contribution at once, C[pixel, (fy, fx, oc)] = in[pixel, :] x W[:, (fy,
 * fx, oc)], and a col2im pass adds the contributions into the output rows
 * they land on (each output row owned by one task, so the pass is
 * parallel and its order of additions fixed: bias first, then input rows
 * in ascending order, as the reference). Sums are over in_c first, so the
 * result differs from the scatter loops by float rounding only. */
#ifndef PNN_KERNELS_F32_DECONV_H
#define PNN_KERNELS_F32_DECONV_H

#include <stddef.h>
#include <stdint.h>

#include "kernels/f32_conv.h"
#include "kernels/f32_gemm.h"

typedef struct pnn_f32_deconv_shape {
  int32_t batch, in_h, in_w, in_c;
  int32_t out_h, out_w, out_c;
  int32_t f_h, f_w;
  int32_t stride_h, stride_w, pad_h, pad_w; /* leading padding, >= 0 */
  int act; /* fused activation code (NONE, RELU, RELU_N1_TO_1, RELU6, TANH) */
} pnn_f32_deconv_shape;

typedef struct pnn_f32_deconv {
  pnn_f32_deconv_shape s;
  pnn_f32_gemm_plan gemm; /* k = in_c, n = f_h * f_w * out_c, no bias */
  const float *bias;      /* out_c values (a copy in the packed memory) */
  size_t band;            /* input rows per GEMM band */
} pnn_f32_deconv;

/* Bytes of persistent memory pnn_f32_deconv_init needs (packed weights, a
 * copy of the bias, alignment slack); 0 if the sizes overflow. */
size_t pnn_f32_deconv_weight_bytes(const pnn_f32_deconv_shape *s,
                                   pnn_isa isa);
/* Packs w (OHWI: out_c x f_h x f_w x in_c) and copies bias (out_c values,
 * or NULL for zeros) into mem; fills dc. Nothing of w or bias is read
 * later. */
void pnn_f32_deconv_init(pnn_f32_deconv *dc, const pnn_f32_deconv_shape *s,
                         pnn_isa isa, const float *w, const float *bias,
                         void *mem);
/* Scratch bytes pnn_f32_deconv_run needs; SIZE_MAX if too large. */
size_t pnn_f32_deconv_scratch_bytes(const pnn_f32_deconv *dc);
/* out = deconv(in). Allocates nothing. */
void pnn_f32_deconv_run(const pnn_f32_deconv *dc, const float *in, float *out,
                        float *scratch, pnn_f32_parallel_fn parallel,
                        void *ctx);

#endif
