/* Public tensor accessors. Every pnn_tensor the API hands out is the first
 * member of a pnn_rt_tensor, which is how copy errors reach the
 * interpreter's last-error message. */
#include <string.h>

#include "runtime/runtime.h"

const char *pnn_tensor_name(const pnn_tensor *t) {
  return t ? t->name : "";
}

pnn_type pnn_tensor_type(const pnn_tensor *t) {
  return t ? t->type : PNN_TYPE_FLOAT32;
}

int pnn_tensor_rank(const pnn_tensor *t) {
  return t ? t->rank : 0;
}

int32_t pnn_tensor_dim(const pnn_tensor *t, int i) {
  if (!t || i < 0 || i >= t->rank || i >= PNN_MAX_RANK) return -1;
  return t->dims[i];
}

size_t pnn_tensor_byte_size(const pnn_tensor *t) {
  return t ? t->bytes : 0;
}

void *pnn_tensor_data(pnn_tensor *t) {
  return t ? t->data : NULL;
}

void pnn_tensor_quantization(const pnn_tensor *t, pnn_quant_info *q) {
  if (!q) return;
  memset(q, 0, sizeof(*q));
  if (!t || !t->quant) return;
  q->scale = t->scale;
  q->zero_point = t->zero_point;
  q->count = t->quant->n_scale;
  q->scales = t->quant->scale;
  q->zero_points = t->quant->n_zero_point ? t->quant->zero_point : NULL;
  q->quantized_dimension = t->quant->quantized_dimension;
}

static struct pnn_interpreter *owner(const pnn_tensor *t) {
  const pnn_rt_tensor *rt = (const pnn_rt_tensor *)t;
  return rt->ctx ? rt->ctx->interp : NULL;
}

/* Common checks of copy_from/copy_to; records a message on failure. */
static pnn_status check_copy(const pnn_tensor *t, const void *buf, size_t size,
                             const char *what) {
  if (!t) return PNN_ERROR_INVALID_ARGUMENT;
  struct pnn_interpreter *in = owner(t);
  if (!buf)
    return in ? pnn_rt_error(in, PNN_ERROR_INVALID_ARGUMENT,
                             "%s '%s': buffer is NULL", what, t->name)
              : PNN_ERROR_INVALID_ARGUMENT;
  if (size != t->bytes)
    return in ? pnn_rt_error(in, PNN_ERROR_INVALID_ARGUMENT,
                             "%s '%s': %zu bytes given, tensor has %zu", what,
                             t->name, size, t->bytes)
              : PNN_ERROR_INVALID_ARGUMENT;
  if (size && !t->data)
    return in ? pnn_rt_error(in, PNN_ERROR_INVALID_STATE,
                             "%s '%s': tensor has no memory yet (allocate "
                             "first)",
                             what, t->name)
              : PNN_ERROR_INVALID_STATE;
  return PNN_OK;
}

pnn_status pnn_tensor_copy_from(pnn_tensor *t, const void *src, size_t size) {
  pnn_status s = check_copy(t, src, size, "copy_from");
  if (s) return s;
  if (t->is_constant) {
    struct pnn_interpreter *in = owner(t);
    return in ? pnn_rt_error(in, PNN_ERROR_INVALID_ARGUMENT,
                             "copy_from '%s': tensor is constant", t->name)
              : PNN_ERROR_INVALID_ARGUMENT;
  }
  if (size) memcpy(t->data, src, size);
  return PNN_OK;
}

pnn_status pnn_tensor_copy_to(const pnn_tensor *t, void *dst, size_t size) {
  pnn_status s = check_copy(t, dst, size, "copy_to");
  if (s) return s;
  if (size) memcpy(dst, t->data, size);
  return PNN_OK;
}
