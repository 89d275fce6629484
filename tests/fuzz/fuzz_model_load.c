/* libFuzzer target for the verifying reader: any byte string must load or
 * fail cleanly, and a loaded model's decoded arrays must be readable.
 * Built and run by `make fuzz` (tests/fuzz/build.sh, tests/fuzz/run.sh). */
#include <stdint.h>
#include <string.h>

#include "format/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  pnn_model *m = NULL;
  char err[256];
  if (pnn_model_load_buffer(data, size, NULL, &m, err, sizeof err) != PNN_OK)
    return 0;
  /* Touch what the runtime would: shapes, buffers, op tensor indices. */
  volatile uint64_t h = 0;
  const pnn_model_def *d = &m->def;
  for (int s = 0; s < d->n_subgraphs; s++) {
    const pnn_subgraph_def *g = &d->subgraphs[s];
    for (int t = 0; t < g->n_tensors; t++) {
      for (int k = 0; k < g->tensors[t].rank; k++) h += g->tensors[t].shape[k];
      const pnn_buffer_def *b = pnn_model_tensor_buffer(d, &g->tensors[t]);
      if (b) h += b->data[0] + b->data[b->size - 1];
    }
    for (int o = 0; o < g->n_ops; o++) {
      const pnn_op_def *op = &g->ops[o];
      h += (uint64_t)d->opcodes[op->opcode_index].builtin;
      for (int k = 0; k < op->inputs.count; k++)
        if (op->inputs.data[k] >= 0) h += g->tensors[op->inputs.data[k]].rank;
      for (int k = 0; k < op->outputs.count; k++)
        h += g->tensors[op->outputs.data[k]].rank;
      if (op->custom_options_size)
        h += op->custom_options[op->custom_options_size - 1];
    }
  }
  (void)h;
  pnn_model_free(m);
  return 0;
}
