/* Placeholder until control flow lands: registers no ops. */
#include "ops/op.h"

const pnn_op_entry pnn_ops_control[] = {{-1, NULL}};
