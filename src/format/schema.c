#include "schema.h"

#include <stddef.h>

#define PNN_X_NAME(code, name) [code] = #name,
static const char *const builtin_names[] = {PNN_BUILTIN_OPS(PNN_X_NAME)};
#undef PNN_X_NAME

const char *pnn_builtin_name(int32_t code) {
  if (code < 0 || code >= PNN_BUILTIN_OP_COUNT) return NULL;
  return builtin_names[code];
}
