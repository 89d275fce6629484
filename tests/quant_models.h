/* Models for the full-integer quantizer tests (tests/test_tools_quantize_
 * int8.c in process, tests/scripts/quant_ops_gen.c writes them for the
 * LiteRT check of tests/scripts/test_quantize_int8.sh). */
#ifndef PNN_TESTS_QUANT_MODELS_H
#define PNN_TESTS_QUANT_MODELS_H

#include "format/model_builder.h"

/* Input [1, 6, 6, 4]:
 *   a = CONV_2D(x, 8x3x3x4, SAME, RELU)        (read only by the concat)
 *   t = TRANSPOSE(x, [0, 2, 1, 3])              (input params: requantized)
 *   c = CONCATENATION(a, t, constant [1,6,6,2]; axis 3) -> [1, 6, 6, 14]
 *   l = LEAKY_RELU(c, 0.2); r = RESHAPE(l, [1, 36, 14])
 *   m = BATCH_MATMUL(r, constant [14, 10])
 *   s0, s1 = SPLIT(axis 2, m, 2)                -> [1, 36, 5] each
 *   p = PACK(s0, s1; axis 0)                    -> [2, 1, 36, 5]
 *   y = BATCH_MATMUL(s0, s1, adj_y)             -> [1, 36, 36] (output 0)
 *   z = STRIDED_SLICE(p, ...) -> [1, 1, 18, 5]  (output 1)
 *   n = MINIMUM(MAXIMUM(s0, s1), s1)            (output 2) */
pnn_mb *tq_ops(void);

typedef struct tq_model {
  const char *name;
  pnn_mb *(*build)(void);
} tq_model;
extern const tq_model tq_models[1];

#endif
