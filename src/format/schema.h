/* Enums of the TFLite schema that the whole library shares. */
#ifndef PNN_FORMAT_SCHEMA_H
#define PNN_FORMAT_SCHEMA_H

#include <stdint.h>

#include "ops_list.inc"

/* PNN_OP_ADD = 0, ... with TFLite's BuiltinOperator values. */
#define PNN_X_ENUM(code, name) PNN_OP_##name = code,
enum pnn_builtin_op { PNN_BUILTIN_OPS(PNN_X_ENUM) };
#undef PNN_X_ENUM

/* "CONV_2D" for a builtin code, NULL if the code is not in the schema. */
const char *pnn_builtin_name(int32_t code);

enum pnn_padding { PNN_PADDING_SAME = 0, PNN_PADDING_VALID = 1 };

enum pnn_activation {
  PNN_ACT_NONE = 0,
  PNN_ACT_RELU = 1,
  PNN_ACT_RELU_N1_TO_1 = 2,
  PNN_ACT_RELU6 = 3,
  PNN_ACT_TANH = 4,
  PNN_ACT_SIGN_BIT = 5,
};

enum pnn_mirror_pad_mode { PNN_MIRROR_REFLECT = 0, PNN_MIRROR_SYMMETRIC = 1 };

enum pnn_dimension_type { PNN_DIM_DENSE = 0, PNN_DIM_SPARSE_CSR = 1 };

#endif
