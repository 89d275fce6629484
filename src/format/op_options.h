#ifndef PNN_FORMAT_OP_OPTIONS_H
#define PNN_FORMAT_OP_OPTIONS_H

#include <stdint.h>

#include "format/options.h"
#include "format/schema.h"

/* The BuiltinOptions union type that builtin operator `builtin` uses, or 0
 * (PNN_OPTIONS_NONE) for operators without an options table. */
int pnn_builtin_options_type(int32_t builtin);

#endif
