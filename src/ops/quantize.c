/* Placeholder until this family lands: registers no ops. */
#include "ops/op.h"

const pnn_op_entry pnn_ops_quant[] = {{-1, NULL}};
