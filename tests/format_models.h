/* The mediapipe models used by the format tests (fetched into .cache by
 * scripts/fetch_mediapipe.sh; never committed). */
#ifndef PNN_TESTS_FORMAT_MODELS_H
#define PNN_TESTS_FORMAT_MODELS_H

#include <stddef.h>
#include <stdint.h>

#define FM_DIR ".cache/mediapipe/mediapipe/modules/"
#define FM_FETCH_HINT \
  "run scripts/fetch_mediapipe.sh (downloads the pinned mediapipe wheel)"

extern const char *const fm_models[14];

/* Reads a whole file (malloc'ed, free()); NULL if it can't. Relative paths
 * are relative to the current directory: tests run from the repo root. */
uint8_t *fm_read_file(const char *path, size_t *size);

#endif
