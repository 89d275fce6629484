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
  PNN_CALIB_PERCENTILE = 1, /* the (100-p)-th and p-th percentile of the
                               histogram of all values of all samples */
  PNN_CALIB_MSE = 2,        /* the clipping range whose quantization error
                               (clipping + rounding to the int8/int16 grid)
                               over the histogram is smallest, clipping at
                               most 1 % of the values */
} pnn_calib_method;

/* Ranges per tensor of subgraph 0 (index = tensor index). seen[t] is false
 * for tensors that never held float32 values (constants, int tensors). */
typedef struct pnn_calib_ranges {
  int32_t n_tensors;
  float *min, *max;         /* the chosen range (the calibrator's result) */
  float *obs_min, *obs_max; /* smallest/largest value observed */
  /* Estimated quantization SNR (dB) of each tensor on the chosen range,
   * from the histogram (NAN without one: minmax without `analyze`), and
   * the fraction of values outside the range. */
  float *snr_db, *clipped;
  /* Mean over all samples and positions of each channel (last axis) of
   * each observed tensor: ch_mean[t] has n_ch[t] values (NULL if not
   * observed). Used for bias correction. */
  int32_t *n_ch;
  double **ch_mean;
  bool *seen;
  int n_samples;
  /* With pnn_calib_options.hessians: X^T X of the inputs of each
   * CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED (tools/weight_round.h),
   * for `quantize --weight-rounding gptq`; NULL otherwise. */
  struct pnn_wr_set *wr;
} pnn_calib_ranges;

/* Fills the model's inputs for sample `i` (already allocated; shapes as
 * the model's). Returns 0, or -1 with a message in err. */
typedef int (*pnn_calib_fill_fn)(void *user, int i, pnn_interpreter *interp,
                                 char *err, size_t err_size);
typedef void (*pnn_calib_progress_fn)(void *user, int done, int total);

typedef struct pnn_calib_options {
  pnn_calib_method method;
  double percentile; /* PERCENTILE: in (50, 100]; default 99.99 */
  /* Grid the MSE calibrator optimizes for: 8 (int8 asymmetric, 255
   * steps, range nudged to include 0) or 16 (int16 symmetric). */
  int bits;
  bool analyze; /* histogram pass for minmax too (fills snr_db) */
  bool hessians; /* pass 1 also collects the weighted ops' input Hessians */
  int num_threads;
  pnn_calib_progress_fn progress; /* may be NULL */
  void *progress_user;
} pnn_calib_options;

/* Defaults: MINMAX (the CLI's default is MSE), percentile 99.99, bits 8,
 * one thread. */
void pnn_calib_options_init(pnn_calib_options *o);

/* Runs n_samples (>= 1) samples through model m: once for the min/max and
 * channel means, and (percentile, mse or analyze) a second time to fill a
 * 2048-bin histogram per tensor over its observed range. On failure out is
 * empty and err names the problem (sample index, tensor). */
pnn_status pnn_calibrate(const pnn_model *m, int n_samples,
                         pnn_calib_fill_fn fill, void *fill_user,
                         const pnn_calib_options *o, pnn_calib_ranges *out,
                         char *err, size_t err_size);
void pnn_calib_ranges_free(pnn_calib_ranges *r);

/* Measured error of a quantized model q against the float model it came
 * from (`quantize --analyze`): both run on n_samples samples; every tensor
 * of q's subgraph 0 with the name and element count of a float32 tensor of
 * the float model is dequantized (int8/int16/uint8 with a scale, or float
 * as is) and compared. snr_db[t] (t: float model tensor index; NAN when
 * not compared) = 10 log10(sum f^2 / sum (f - q)^2) over all samples. */
typedef struct pnn_calib_compare {
  int32_t n_tensors;
  float *snr_db;
} pnn_calib_compare;

pnn_status pnn_calib_compare_models(const pnn_model *flt, const pnn_model *q,
                                    int n_samples, pnn_calib_fill_fn fill,
                                    void *fill_user, pnn_calib_compare *out,
                                    char *err, size_t err_size);
void pnn_calib_compare_free(pnn_calib_compare *c);

#endif
