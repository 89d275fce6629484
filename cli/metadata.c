/* Normalization options from TFLite metadata; see metadata.h. */
#include "metadata.h"

#include <math.h>
#include <string.h>

#include "format/flatbuf_read.h"
#include "format/model.h"

/* Field slots of the metadata schema tables we walk. */
enum {
  MODEL_META_SUBGRAPHS = 3,  /* ModelMetadata.subgraph_metadata */
  SUBGRAPH_META_INPUTS = 2,  /* SubGraphMetadata.input_tensor_metadata */
  TENSOR_META_PROCESS = 4,   /* TensorMetadata.process_units */
  PROCESS_UNIT_OPTIONS = 0,  /* ProcessUnit.options (type slot) */
  NORMALIZATION_OPTIONS = 1, /* ProcessUnitOptions union member */
  NORM_MEAN = 0,
  NORM_STD = 1,
};

/* Reads a [float] field into out (1..CLI_MAX_CHANNELS finite values). */
static int read_floats(pnn_fb *fb, const pnn_fb_table *t, int slot, float *out,
                       int *n) {
  pnn_fb_vec v;
  if (pnn_fb_vector(fb, t, slot, 4, &v) != PNN_OK) return 0;
  if (v.count < 1 || v.count > CLI_MAX_CHANNELS) return 0;
  for (uint32_t i = 0; i < v.count; i++) {
    uint32_t bits = pnn_fb_vec_u32(fb, &v, i);
    memcpy(&out[i], &bits, 4);
    if (!isfinite(out[i])) return 0;
  }
  *n = (int)v.count;
  return 1;
}

static const pnn_buffer_def *metadata_buffer(const pnn_model_def *d) {
  for (int32_t i = 0; i < d->n_metadata; i++) {
    const pnn_metadata_def *m = &d->metadata[i];
    if (strcmp(m->name, "TFLITE_METADATA") != 0) continue;
    if (m->buffer == 0 || (int64_t)m->buffer >= d->n_buffers) return NULL;
    const pnn_buffer_def *b = &d->buffers[m->buffer];
    return b->data && b->size ? b : NULL;
  }
  return NULL;
}

/* The process units of input tensor metadata `input`. */
static int input_process_units(pnn_fb *fb, int input, pnn_fb_vec *units,
                               int *depth) {
  pnn_fb_table root, sg, tm;
  pnn_fb_vec sgs, inputs;
  if (pnn_fb_root(fb, &root) != PNN_OK) return 0;
  if (pnn_fb_vector(fb, &root, MODEL_META_SUBGRAPHS, 4, &sgs) != PNN_OK ||
      sgs.count == 0)
    return 0;
  if (pnn_fb_vector_table(fb, &sgs, 0, root.depth + 1, &sg) != PNN_OK) return 0;
  if (pnn_fb_vector(fb, &sg, SUBGRAPH_META_INPUTS, 4, &inputs) != PNN_OK ||
      input < 0 || (uint32_t)input >= inputs.count)
    return 0;
  if (pnn_fb_vector_table(fb, &inputs, (uint32_t)input, sg.depth + 1, &tm) !=
      PNN_OK)
    return 0;
  if (pnn_fb_vector(fb, &tm, TENSOR_META_PROCESS, 4, units) != PNN_OK) return 0;
  *depth = tm.depth + 1;
  return 1;
}

int cli_metadata_normalization(const pnn_model *model, int input,
                               cli_normalization *out) {
  memset(out, 0, sizeof *out);
  const pnn_buffer_def *b = metadata_buffer(&model->def);
  if (!b || b->size > PNN_FB_MAX_SIZE) return 0;
  pnn_fb fb;
  pnn_fb_init(&fb, b->data, (size_t)b->size);
  pnn_fb_vec units;
  int depth;
  if (!input_process_units(&fb, input, &units, &depth)) return 0;
  for (uint32_t i = 0; i < units.count; i++) {
    pnn_fb_table unit, norm;
    uint8_t type = 0;
    if (pnn_fb_vector_table(&fb, &units, i, depth, &unit) != PNN_OK ||
        pnn_fb_union(&fb, &unit, PROCESS_UNIT_OPTIONS, &type, &norm) !=
            PNN_OK ||
        type != NORMALIZATION_OPTIONS)
      continue;
    if (!read_floats(&fb, &norm, NORM_MEAN, out->mean, &out->n_mean) ||
        !read_floats(&fb, &norm, NORM_STD, out->std, &out->n_std))
      return 0;
    for (int k = 0; k < out->n_std; k++)
      if (out->std[k] == 0) return 0;
    return 1;
  }
  return 0;
}
