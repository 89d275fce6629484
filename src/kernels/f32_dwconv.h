/* f32 DEPTHWISE_CONV_2D with depth multiplier 1 (NHWC, 1HWC weights),
 * vectorized over channels.
 *
 * Weights and bias are repacked at prepare into tap-major rows of cpad
 * channels (zero-padded to the widest vector), so every tap is one aligned
 * vector load per channel block. Interior pixels (all taps inside the
 * input) run without bounds checks: 3x3 stride 1 slides a 3x3 window of
 * input vectors along the row (3 new loads per pixel, weights held in
 * registers); other cases go four pixels at a time sharing each weight
 * vector, with unrolled 3x3 and 5x5 instances (f32_dwconv_3x3_<isa>,
 * f32_dwconv_5x5_<isa>) and a generic one; border pixels a checked loop. Taps are summed in (ky, kx) order and the
 * bias added last, as in TFLite's reference kernel (the scalar level is
 * bit-identical to it). */
#ifndef PNN_KERNELS_F32_DWCONV_H
#define PNN_KERNELS_F32_DWCONV_H

#include <stddef.h>
#include <stdint.h>

#include "kernels/cpu.h"

typedef struct pnn_f32_dwconv pnn_f32_dwconv;

/* Computes output rows [begin, end) of batch * out_h rows. */
typedef void (*pnn_f32_dwconv_rows_fn)(const pnn_f32_dwconv *d,
                                       const float *in, float *out,
                                       int64_t begin, int64_t end);

struct pnn_f32_dwconv {
  int32_t batch, in_h, in_w, c;
  int32_t out_h, out_w;
  int32_t f_h, f_w;
  int32_t stride_h, stride_w, dil_h, dil_w, pad_h, pad_w;
  int act;        /* fused activation, or a PNN_F32_POST_* code (f32_vec.h)
                     set after init, applied to each row by _run */
  float lo, hi;   /* its clamp (+-inf for NONE / TANH) */
  int32_t cpad;   /* channels rounded up to 16 */
  const float *w; /* [f_h * f_w][cpad] */
  const float *bias; /* [cpad] (zeros if none) */
  /* [cpad] zeros, read by border pixels in place of the taps outside the
   * input (0 * w adds nothing to the sum); NULL when some weight is not
   * finite (inf * 0 would be NaN): borders then skip those taps. */
  const float *zeros;
  pnn_isa isa;
  pnn_f32_dwconv_rows_fn rows;
};

/* Shape in: every field up to act filled by the caller. */
/* Bytes of persistent memory pnn_f32_dwconv_init needs (with alignment
 * slack); 0 on overflow. */
size_t pnn_f32_dwconv_bytes(const pnn_f32_dwconv *shape);
/* Packs w (1HWC: [f_h][f_w][c]) and bias (c or NULL) into mem and picks
 * the row function for isa. */
void pnn_f32_dwconv_init(pnn_f32_dwconv *d, pnn_isa isa, const float *w,
                         const float *bias, void *mem);
/* Runs rows [begin, end), applying TANH when that is the activation. */
void pnn_f32_dwconv_run(const pnn_f32_dwconv *d, const float *in, float *out,
                        int64_t begin, int64_t end);

void pnn_f32_dwconv_rows_scalar(const pnn_f32_dwconv *d, const float *in,
                                float *out, int64_t begin, int64_t end);
#if defined(__x86_64__)
void pnn_f32_dwconv_rows_avx2(const pnn_f32_dwconv *d, const float *in,
                              float *out, int64_t begin, int64_t end);
void pnn_f32_dwconv_rows_avx512(const pnn_f32_dwconv *d, const float *in,
                                float *out, int64_t begin, int64_t end);
#elif defined(__aarch64__)
void pnn_f32_dwconv_rows_neon(const pnn_f32_dwconv *d, const float *in,
                              float *out, int64_t begin, int64_t end);
#endif

#endif
