/* Prepare-time graph fusions the runtime asks ops for (src/runtime/fuse.c).
 *
 * After every node of a subgraph is prepared and before the arena is
 * planned, the runtime looks for producer -> consumer pairs one op can do
 * alone, asks the consumer whether it can take over, and if so skips the
 * producer at invoke. Each function here changes only the consumer's own
 * state and returns false (changing nothing) when it cannot. */
#ifndef PNN_OPS_FUSE_H
#define PNN_OPS_FUSE_H

#include <stdbool.h>
#include <stdint.h>

#include "kernels/cpu.h"
#include "ops/op.h"

/* A float CONV_2D / DEPTHWISE_CONV_2D whose input 0 is a zero-padded copy
 * of x (a PAD adding `top` rows and `left` columns before, any number
 * after, on H and W only): makes the node read x directly with its own
 * padding grown by top/left (the rows and columns past x's end read as
 * zero, as the padded copy's do), and sets node->inputs[0] = x. Only for
 * the packed-GEMM and SIMD depthwise paths; false if the node is another
 * kind or path, or x's shape does not match. */
bool pnn_conv_absorb_pad(pnn_node *node, pnn_tensor *x, int32_t top,
                         int32_t left);

/* LOGISTIC node whose output s only feeds y = MUL(x, s) (or MUL(s, x)),
 * x its own input, no fused activation, y of x's shape: eval writes
 * x * logistic(x) into y (the f32 swish kernel, bit-exact with the
 * logistic kernel then the mul) and leaves s unwritten. False (nothing
 * changed) for other ops, types or shapes. */
bool pnn_act_absorb_mul(pnn_node *node, pnn_tensor *y);

/* A float HARD_SWISH or LOGISTIC node (LOGISTIC possibly with its MUL
 * absorbed): the PNN_F32_POST_* code of what it computes (f32_vec.h), the
 * tensor it writes (*y) and the ISA level of its vector kernels (*isa);
 * 0 for any other node. */
int pnn_act_post_kind(const pnn_node *node, pnn_tensor **y, pnn_isa *isa);

/* A float CONV_2D / DEPTHWISE_CONV_2D (packed-GEMM or SIMD depthwise
 * path, no fused activation, kernels of level `isa`) whose only reader is
 * the activation node of post code `post`, writing y: the convolution
 * applies that activation to each output block itself (the same vector
 * kernel, bit-exact) and writes y: node->outputs[0] = y. False (nothing
 * changed) otherwise. */
bool pnn_conv_absorb_act(pnn_node *node, int post, pnn_isa isa, pnn_tensor *y);

#endif
