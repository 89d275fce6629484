/* Version, status and element-type tables of the public API. */
#include <stddef.h>

#include "pocketnn.h"

#define PNN_STR2(x) #x
#define PNN_STR(x) PNN_STR2(x)

const char *pnn_version(void) {
  return PNN_STR(PNN_VERSION_MAJOR) "." PNN_STR(PNN_VERSION_MINOR) "." PNN_STR(
      PNN_VERSION_PATCH);
}

static const char *const status_names[] = {
    [PNN_OK] = "ok",
    [PNN_ERROR_INVALID_ARGUMENT] = "invalid argument",
    [PNN_ERROR_INVALID_MODEL] = "invalid model",
    [PNN_ERROR_UNSUPPORTED] = "unsupported",
    [PNN_ERROR_OUT_OF_MEMORY] = "out of memory",
    [PNN_ERROR_IO] = "i/o error",
    [PNN_ERROR_LIMIT] = "limit exceeded",
    [PNN_ERROR_INVALID_STATE] = "invalid state",
    [PNN_ERROR_RUNTIME] = "runtime error",
};

const char *pnn_status_string(pnn_status status) {
  size_t n = sizeof(status_names) / sizeof(status_names[0]);
  if ((size_t)status >= n || !status_names[status]) return "unknown status";
  return status_names[status];
}

/* One row per TensorType value: name and fixed element size (0 = none). */
static const struct {
  const char *name;
  size_t size;
} type_table[] = {
    [PNN_TYPE_FLOAT32] = {"float32", 4},
    [PNN_TYPE_FLOAT16] = {"float16", 2},
    [PNN_TYPE_INT32] = {"int32", 4},
    [PNN_TYPE_UINT8] = {"uint8", 1},
    [PNN_TYPE_INT64] = {"int64", 8},
    [PNN_TYPE_STRING] = {"string", 0},
    [PNN_TYPE_BOOL] = {"bool", 1},
    [PNN_TYPE_INT16] = {"int16", 2},
    [PNN_TYPE_COMPLEX64] = {"complex64", 8},
    [PNN_TYPE_INT8] = {"int8", 1},
    [PNN_TYPE_FLOAT64] = {"float64", 8},
    [PNN_TYPE_COMPLEX128] = {"complex128", 16},
    [PNN_TYPE_UINT64] = {"uint64", 8},
    [PNN_TYPE_RESOURCE] = {"resource", 0},
    [PNN_TYPE_VARIANT] = {"variant", 0},
    [PNN_TYPE_UINT32] = {"uint32", 4},
    [PNN_TYPE_UINT16] = {"uint16", 2},
    [PNN_TYPE_INT4] = {"int4", 0},
    [PNN_TYPE_BFLOAT16] = {"bfloat16", 2},
};

#define N_TYPES (sizeof(type_table) / sizeof(type_table[0]))

const char *pnn_type_name(pnn_type type) {
  if ((size_t)type >= N_TYPES || !type_table[type].name) return "unknown";
  return type_table[type].name;
}

size_t pnn_type_size(pnn_type type) {
  if ((size_t)type >= N_TYPES) return 0;
  return type_table[type].size;
}
