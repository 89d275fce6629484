/* Calibration for post-training full-integer quantization: runs the float
 * model on representative samples and records the range of every float32
 * tensor of subgraph 0 (intermediates included: an internal interpreter
 * hook observes each op's outputs right after it ran, before the arena
 * reuses their memory). Library code: nothing is printed; progress goes
 * to an optional callback. */
#ifndef PNN_TOOLS_CALIBRATE_H
#define PNN_TOOLS_CALIBRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pocketnn.h"

typedef enum pnn_calib_method {
  PNN_CALIB_MINMAX = 0,     /* smallest and largest value over all samples */
  PNN_CALIB_PERCENTILE = 1, /* per sample the (100-p)th / p-th percentile,
                               averaged over samples */
} pnn_calib_method;

/* Ranges per tensor of subgraph 0 (index = tensor index). seen[t] is false
 * for tensors that never held float32 values (constants, int tensors). */
typedef struct pnn_calib_ranges {
  int32_t n_tensors;
  float *min, *max;
  bool *seen;
  int n_samples;
} pnn_calib_ranges;

/* Fills the model's inputs for sample `i` (already allocated; shapes as
 * the model's). Returns 0, or -1 with a message in err. */
typedef int (*pnn_calib_fill_fn)(void *user, int i, pnn_interpreter *interp,
                                 char *err, size_t err_size);
typedef void (*pnn_calib_progress_fn)(void *user, int done, int total);

typedef struct pnn_calib_options {
  pnn_calib_method method;
  double percentile; /* PERCENTILE: in (50, 100]; default 99.99 */
  int num_threads;
  pnn_calib_progress_fn progress; /* may be NULL */
  void *progress_user;
} pnn_calib_options;

void pnn_calib_options_init(pnn_calib_options *o);

/* Runs n_samples (>= 1) samples through model m. On failure out is empty
 * and err names the problem (sample index, tensor). */
pnn_status pnn_calibrate(const pnn_model *m, int n_samples,
                         pnn_calib_fill_fn fill, void *fill_user,
                         const pnn_calib_options *o, pnn_calib_ranges *out,
                         char *err, size_t err_size);
void pnn_calib_ranges_free(pnn_calib_ranges *r);

#endif
