/* Geometry of CONV_2D, DEPTHWISE_CONV_2D and TRANSPOSE_CONV, shared by the
 * float (conv.c) and quantized (conv_q.c) prepares: the input checks, the
 * option checks (padding, strides, dilations), the channel arithmetic
 * (groups, depth multiplier), the output size and the leading padding, as
 * TFLite computes them; also the window of the 2-D pools (pool.c,
 * pool_q.c). The fused activation and the bias are type dependent and
 * stay with each prepare. */
#ifndef PNN_OPS_CONV_GEOM_H
#define PNN_OPS_CONV_GEOM_H

#include "ops/common.h"

/* NHWC activations; filter OHWI (CONV_2D, TRANSPOSE_CONV) or 1HWO
 * (DEPTHWISE_CONV_2D). */
#define PNN_CONV_GEOM_FIELDS                                            \
  int32_t batch, in_h, in_w, in_c;                                      \
  int32_t out_h, out_w, out_c;                                          \
  int32_t f_h, f_w, f_c; /* filter spatial size and channels per tap */ \
  int32_t stride_h, stride_w, dil_h, dil_w;                             \
  int32_t pad_h, pad_w; /* leading (top/left) padding */                \
  int32_t groups;       /* CONV_2D: in_c / f_c; others 1 */             \
  int32_t dm;           /* DEPTHWISE_CONV_2D: out_c / in_c; others 0 */

typedef struct {
  PNN_CONV_GEOM_FIELDS
} pnn_conv_geom;

/* Puts the geometry into an op's state struct: its fields read as members
 * of that struct (g->in_h), and `geom` names them as one pnn_conv_geom to
 * hand to the functions below (the struct_group idiom). */
#define PNN_CONV_GEOM_MEMBERS \
  union {                     \
    pnn_conv_geom geom;       \
    struct {                  \
      PNN_CONV_GEOM_FIELDS    \
    };                        \
  }

/* Each checks the op's inputs (count, presence, 4-D input and filter),
 * its options and the shapes, and fills *g (output size and padding
 * included). *in and *w receive the input and filter tensors. On failure
 * returns the status and reports the problem on the node. */
pnn_status pnn_conv2d_geom(pnn_node *node, pnn_tensor **in, pnn_tensor **w,
                           pnn_conv_geom *g);
pnn_status pnn_depthwise_geom(pnn_node *node, pnn_tensor **in, pnn_tensor **w,
                              pnn_conv_geom *g);
/* TRANSPOSE_CONV: input 0 output_shape (constant int32 [4]), 1 weights,
 * 2 input. */
pnn_status pnn_transpose_conv_geom(pnn_node *node, pnn_tensor **in,
                                   pnn_tensor **w, pnn_conv_geom *g);
/* AVERAGE/MAX/L2_POOL_2D: the window over the 4-D NHWC input `in` from
 * the Pool2DOptions (padding, strides, filter size > 0); f_h/f_w = the
 * filter, in_c = out_c = channels, no dilation. */
pnn_status pnn_pool_geom(pnn_node *node, const pnn_tensor *in,
                         pnn_conv_geom *g);
/* Any of the three conv geometries, for prepares shared between ops. */
typedef pnn_status (*pnn_conv_geom_fn)(pnn_node *node, pnn_tensor **in,
                                       pnn_tensor **w, pnn_conv_geom *g);

/* The optional bias (input i): *out = NULL when absent, otherwise the
 * tensor, after checking it holds g->out_c elements. Its type is the
 * caller's to check. */
pnn_status pnn_conv_bias(pnn_node *node, int i, const pnn_conv_geom *g,
                         const pnn_tensor **out);

/* Resizes output 0 to [batch, out_h, out_w, out_c] of `type`. */
pnn_status pnn_conv_resize_output(pnn_node *node, const pnn_conv_geom *g,
                                  pnn_type type);

#endif
