/* Op lookup: each family file exports a table; this file only lists them. */
#include <string.h>

#include "ops/op.h"

extern const pnn_op_entry pnn_ops_binary[], pnn_ops_unary[],
    pnn_ops_activation[], pnn_ops_conv[], pnn_ops_matmul[], pnn_ops_pool[],
    pnn_ops_norm[], pnn_ops_resize[], pnn_ops_space[], pnn_ops_shape[],
    pnn_ops_slicing[], pnn_ops_gather[], pnn_ops_reduce[], pnn_ops_quant[],
    pnn_ops_control[], pnn_ops_recurrent[];
extern const pnn_custom_entry pnn_custom_mediapipe[];

static const pnn_op_entry *const families[] = {
    pnn_ops_binary, pnn_ops_unary,   pnn_ops_activation, pnn_ops_conv,
    pnn_ops_matmul, pnn_ops_pool,    pnn_ops_norm,       pnn_ops_resize,
    pnn_ops_space,  pnn_ops_shape,   pnn_ops_slicing,    pnn_ops_gather,
    pnn_ops_reduce, pnn_ops_quant,   pnn_ops_control,
    pnn_ops_recurrent,
};

static const pnn_custom_entry *const custom_families[] = {
    pnn_custom_mediapipe,
};

const pnn_op_kernel *pnn_op_find_builtin(int32_t builtin) {
  for (size_t f = 0; f < sizeof(families) / sizeof(families[0]); f++)
    for (const pnn_op_entry *e = families[f]; e->kernel; e++)
      if (e->builtin == builtin) return e->kernel;
  return NULL;
}

const pnn_op_kernel *pnn_op_find_custom(const char *name) {
  if (!name) return NULL;
  for (size_t f = 0; f < sizeof(custom_families) / sizeof(custom_families[0]);
       f++)
    for (const pnn_custom_entry *e = custom_families[f]; e->name; e++)
      if (strcmp(e->name, name) == 0) return e->kernel;
  return NULL;
}
