/* libFuzzer target: load + prepare + invoke. Any byte string must load or
 * fail cleanly; a model that loads must prepare or fail cleanly; a prepared
 * model is invoked once on filled inputs (a repeating byte pattern) and must
 * finish or fail cleanly. Sizes are capped so the fuzzer measures bugs, not
 * memory: files up to 1 MiB (load option max_file_bytes) and arenas up to
 * 4 MiB (interpreter option max_arena_bytes, which also caps folded
 * constants and variables), and WHILE loops to 256 iterations per invoke
 * (max_loop_iterations), so an endless loop is a clean LIMIT error and a
 * slow input is not mistaken for a hang; likewise each op's estimated work
 * to 2^26 inner-loop steps (max_op_work: multiply-accumulates, pool window
 * taps), a few seconds per op under ASan at -O1, so a crafted filter or
 * window over a big input is a LIMIT error, not a 60 s timeout.
 * Built and run by `make fuzz` (tests/fuzz/run.sh). */
#include <stdint.h>
#include <string.h>

#include "pocketnn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_FILE (1u << 20)
#define FUZZ_MAX_ARENA ((size_t)4 << 20)
#define FUZZ_MAX_LOOP 256u
#define FUZZ_MAX_WORK ((uint64_t)1 << 26)

static void fill(pnn_tensor *t, unsigned seed) {
  uint8_t *p = pnn_tensor_data(t);
  size_t n = pnn_tensor_byte_size(t);
  if (!p) return;
  pnn_type type = pnn_tensor_type(t);
  if (type == PNN_TYPE_FLOAT32) {
    /* Small finite floats, so that indices derived from them stay sane
     * and NaN/inf paths are still reached through the model's math. */
    float *f = (float *)(void *)p;
    for (size_t i = 0; i < n / sizeof(float); i++)
      f[i] = (float)((int)((i * 2654435761u + seed) % 17u) - 8) * 0.25f;
    return;
  }
  if (type == PNN_TYPE_BOOL) {
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)((i + seed) & 1u);
    return;
  }
  for (size_t i = 0; i < n; i++) p[i] = (uint8_t)((i * 7u + seed) % 5u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  pnn_load_options lo = {0, FUZZ_MAX_FILE};
  pnn_model *m = NULL;
  char err[256];
  if (pnn_model_load_buffer(data, size, &lo, &m, err, sizeof err) != PNN_OK)
    return 0;
  pnn_interpreter_options io;
  pnn_interpreter_options_init(&io);
  io.max_arena_bytes = FUZZ_MAX_ARENA;
  io.max_loop_iterations = FUZZ_MAX_LOOP;
  io.max_op_work = FUZZ_MAX_WORK;
  pnn_interpreter *it = NULL;
  if (pnn_interpreter_create(m, &io, &it) == PNN_OK) {
    if (pnn_interpreter_allocate(it) == PNN_OK) {
      for (int i = 0; i < pnn_interpreter_input_count(it); i++)
        fill(pnn_interpreter_input(it, i), (unsigned)i);
      volatile uint64_t h = 0;
      if (pnn_interpreter_invoke(it) == PNN_OK) {
        /* Read every output byte: uninitialised or out-of-bounds output
         * pointers show up here under ASan/MSan. */
        for (int i = 0; i < pnn_interpreter_output_count(it); i++) {
          pnn_tensor *t = pnn_interpreter_output(it, i);
          const uint8_t *p = pnn_tensor_data(t);
          size_t n = pnn_tensor_byte_size(t);
          for (size_t k = 0; p && k < n; k++) h += p[k];
        }
      } else {
        h += strlen(pnn_interpreter_last_error(it));
      }
      (void)h;
    } else {
      /* Prepare failed: the message must be a readable string. */
      volatile size_t n = strlen(pnn_interpreter_last_error(it));
      (void)n;
    }
  }
  pnn_interpreter_free(it);
  pnn_model_free(m);
  return 0;
}
