/* See malformed_util.h. */
#include "malformed_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *mo_stage_name(mo_stage s) {
  static const char *names[] = {"build", "load", "prepare", "invoke", "ok"};
  return (unsigned)s < 5 ? names[s] : "?";
}

static void fill(pnn_tensor *t) {
  uint8_t *p = pnn_tensor_data(t);
  size_t n = pnn_tensor_byte_size(t);
  if (!p) return;
  switch (pnn_tensor_type(t)) {
    case PNN_TYPE_FLOAT32:
      for (size_t i = 0; i < n / 4; i++) ((float *)(void *)p)[i] = (float)(i % 3);
      break;
    case PNN_TYPE_INT32:
      for (size_t i = 0; i < n / 4; i++) ((int32_t *)(void *)p)[i] = (int32_t)(i % 3);
      break;
    case PNN_TYPE_INT64:
      for (size_t i = 0; i < n / 8; i++) ((int64_t *)(void *)p)[i] = (int64_t)(i % 3);
      break;
    case PNN_TYPE_BOOL:
      for (size_t i = 0; i < n; i++) p[i] = (uint8_t)(i & 1);
      break;
    default:
      for (size_t i = 0; i < n; i++) p[i] = (uint8_t)(i % 3);
  }
}

void mo_run_bytes(const uint8_t *bytes, size_t size, mo_result *r) {
  memset(r, 0, sizeof *r);
  pnn_model *m = NULL;
  pnn_status s = pnn_model_load_buffer(bytes, size, NULL, &m, r->message,
                                       sizeof r->message);
  if (s != PNN_OK) {
    r->stage = MO_LOAD;
    r->status = s;
    return;
  }
  pnn_interpreter *it = NULL;
  s = pnn_interpreter_create(m, NULL, &it);
  if (s != PNN_OK) {
    r->stage = MO_PREPARE;
    r->status = s;
    snprintf(r->message, sizeof r->message, "create: %s",
             pnn_status_string(s));
    pnn_model_free(m);
    return;
  }
  s = pnn_interpreter_allocate(it);
  if (s != PNN_OK) {
    r->stage = MO_PREPARE;
  } else {
    for (int i = 0; i < pnn_interpreter_input_count(it); i++)
      fill(pnn_interpreter_input(it, i));
    s = pnn_interpreter_invoke(it);
    r->stage = s == PNN_OK ? MO_OK : MO_INVOKE;
  }
  r->status = s;
  if (s != PNN_OK)
    snprintf(r->message, sizeof r->message, "%s",
             pnn_interpreter_last_error(it));
  pnn_interpreter_free(it);
  pnn_model_free(m);
}

void mo_run(pnn_mb *mb, void (*patch)(uint8_t *bytes, size_t size),
            mo_result *r) {
  uint8_t *bytes = NULL;
  size_t size = 0;
  pnn_status s = pnn_mb_finish(mb, &bytes, &size);
  if (s != PNN_OK) {
    memset(r, 0, sizeof *r);
    r->stage = MO_BUILD;
    r->status = s;
    snprintf(r->message, sizeof r->message, "%s", pnn_mb_error(mb));
    pnn_mb_free(mb);
    return;
  }
  pnn_mb_free(mb);
  if (patch) patch(bytes, size);
  mo_run_bytes(bytes, size, r);
  free(bytes);
}
