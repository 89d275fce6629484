/* Reads input normalization (mean/std) from TFLite model metadata: the
 * "TFLITE_METADATA" buffer holds a ModelMetadata FlatBuffer (schema in
 * tflite-support's metadata_schema.fbs) whose subgraph 0 input tensor
 * metadata may carry a NormalizationOptions process unit. Everything is
 * read through the bounds-checked FlatBuffer reader. */
#ifndef PNN_CLI_METADATA_H
#define PNN_CLI_METADATA_H

#include "pocketnn.h"

#define CLI_MAX_CHANNELS 4

typedef struct cli_normalization {
  int n_mean, n_std; /* 1 (all channels) or per channel */
  float mean[CLI_MAX_CHANNELS], std[CLI_MAX_CHANNELS];
} cli_normalization;

/* Normalization of input `input` of the main subgraph. Returns 1 when the
 * metadata has one (with 1..CLI_MAX_CHANNELS finite values and std != 0),
 * 0 when there is none or it cannot be read (metadata is optional, so a
 * damaged one is ignored rather than fatal). */
int cli_metadata_normalization(const pnn_model *model, int input,
                               cli_normalization *out);

#endif
