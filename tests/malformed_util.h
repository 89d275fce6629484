/* Helpers for the malformed-model suite (tests/test_malformed_ops.c): run a
 * model made with the model builder through load, prepare and invoke, and
 * report where it stopped and why. */
#ifndef PNN_TESTS_MALFORMED_UTIL_H
#define PNN_TESTS_MALFORMED_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "format/model_builder.h"
#include "pocketnn.h"

/* Where a model's run stopped. */
typedef enum mo_stage {
  MO_BUILD = 0,   /* the builder/writer refused it */
  MO_LOAD = 1,    /* pnn_model_load_buffer failed */
  MO_PREPARE = 2, /* pnn_interpreter_allocate failed */
  MO_INVOKE = 3,  /* pnn_interpreter_invoke failed */
  MO_OK = 4,      /* everything succeeded */
} mo_stage;

typedef struct mo_result {
  mo_stage stage;
  pnn_status status;  /* of the failing call, PNN_OK for MO_OK */
  char message[1024]; /* its message */
} mo_result;

/* Writes the model (pnn_mb_finish), frees the builder, then loads,
 * allocates, fills every input (a repeating small-integer pattern, also
 * for floats) and invokes. `patch`, when not NULL, may edit the file
 * bytes before loading. */
void mo_run(pnn_mb *mb, void (*patch)(uint8_t *bytes, size_t size),
            mo_result *r);
/* Same for a file already in memory. */
void mo_run_bytes(const uint8_t *bytes, size_t size, mo_result *r);

/* "load", "prepare", ... */
const char *mo_stage_name(mo_stage s);

#endif
