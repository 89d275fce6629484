/* Small models with the patterns the model tools rewrite, built with the
 * model builder. Shared by tests/test_tools_*.c (in-process checks) and
 * tests/scripts/tools_gen.c (files for the LiteRT script). */
#ifndef PNN_TESTS_TOOLS_MODELS_H
#define PNN_TESTS_TOOLS_MODELS_H

#include "format/model_builder.h"

/* Conv(16x3x3x8, SAME) -> MUL per-channel -> ADD per-channel -> RELU:
 * an unfused batch norm; optimize leaves one CONV_2D with RELU. */
pnn_mb *tm_bn_conv(void);
/* DEPTHWISE -> MUL [1,1,1,C] -> ADD (RELU6) -> RESHAPE -> FC (no bias)
 * -> MUL by a scalar -> SUB: DEPTHWISE(RELU6), RESHAPE, FC remain. */
pnn_mb *tm_bn_dw_fc(void);
/* Two PADs before VALID convs: one equals SAME (stride 2, pads 0/1) and
 * is merged; the other (pads 2) is not and stays. Two outputs. */
pnn_mb *tm_pad_conv(void);
/* float16 weights behind DEQUANTIZE, an ADD of two constants, a dead
 * branch, two identical constant buffers, an identity RESHAPE and a
 * RESHAPE chain: fold + prune + identity removal. */
pnn_mb *tm_fold_prune(void);
/* BATCH_MATMUL by a constant [64, 32] (dynamic quantization, per tensor). */
pnn_mb *tm_matmul(void);
/* The list, for generators: name and builder. */
typedef struct tm_model {
  const char *name;
  pnn_mb *(*build)(void);
} tm_model;
extern const tm_model tm_models[5];

#endif
