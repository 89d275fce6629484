/* Prints what pocketnn's reader decoded from a .tflite file, one line per
 * tensor and per op, in a form format_options_check.py compares with
 * TensorFlow's generated Python schema reader. */
#include <stdio.h>

#include "format/model.h"

static void vec_i32(const char *name, const int32_t *d, int n) {
  printf(" %s=[", name);
  for (int i = 0; i < n; i++) printf("%s%d", i ? "," : "", d[i]);
  printf("]");
}

static void field(const pnn_field_desc *f, const char *p) {
  switch (f->kind) {
    case PNN_F_BOOL: printf(" %s=%d", f->name, *(const bool *)p); break;
    case PNN_F_I8: printf(" %s=%d", f->name, *(const int8_t *)p); break;
    case PNN_F_I32: printf(" %s=%d", f->name, *(const int32_t *)p); break;
    case PNN_F_U32: printf(" %s=%u", f->name, *(const uint32_t *)p); break;
    case PNN_F_I64:
      printf(" %s=%lld", f->name, (long long)*(const int64_t *)p);
      break;
    case PNN_F_F32:
      printf(" %s=%.9g", f->name, (double)*(const float *)p);
      break;
    case PNN_F_VEC_I32: {
      const pnn_vec_i32 *v = (const void *)p;
      vec_i32(f->name, v->data, v->count);
      break;
    }
    case PNN_F_STRING:
      printf(" %s=%s", f->name, *(const char *const *)p);
      break;
    default: printf(" %s=?", f->name); /* kinds the mediapipe models lack */
  }
}

/* One "P subgraph op set Table field=value..." line per options union. */
static void options(int s, int i, int set, uint8_t type,
                    const pnn_builtin_options *o) {
  const pnn_options_desc *d = pnn_options_describe(set, type);
  if (!d) return;
  printf("P %d %d %d %s", s, i, set, d->name);
  for (int f = 0; f < d->n_fields; f++)
    field(&d->fields[f], (const char *)o + d->fields[f].offset);
  printf("\n");
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s MODEL\n", argv[0]);
    return 2;
  }
  pnn_model *m;
  char err[512];
  if (pnn_model_load_file(argv[1], NULL, &m, err, sizeof err)) {
    printf("error: %s\n", err);
    return 1;
  }
  const pnn_model_def *d = &m->def;
  printf(
      "M version=%u subgraphs=%d buffers=%d opcodes=%d metadata=%d "
      "signatures=%d\n",
      d->version, d->n_subgraphs, d->n_buffers, d->n_opcodes, d->n_metadata,
      d->n_signatures);
  for (int i = 0; i < d->n_buffers; i++)
    printf("B %d size=%llu\n", i, (unsigned long long)d->buffers[i].size);
  for (int i = 0; i < d->n_metadata; i++)
    printf("D %d name=%s buffer=%u\n", i, d->metadata[i].name,
           d->metadata[i].buffer);
  for (int i = 0; i < d->n_signatures; i++) {
    const pnn_signature_def *sg = &d->signatures[i];
    printf("S %d key=%s subgraph=%u", i, sg->key, sg->subgraph_index);
    for (int k = 0; k < sg->n_inputs; k++)
      printf(" in:%s=%u", sg->inputs[k].name, sg->inputs[k].tensor_index);
    for (int k = 0; k < sg->n_outputs; k++)
      printf(" out:%s=%u", sg->outputs[k].name, sg->outputs[k].tensor_index);
    printf("\n");
  }
  for (int s = 0; s < d->n_subgraphs; s++) {
    const pnn_subgraph_def *g = &d->subgraphs[s];
    printf("G %d name=%s", s, g->name);
    vec_i32("in", g->inputs.data, g->inputs.count);
    vec_i32("out", g->outputs.data, g->outputs.count);
    printf("\n");
    for (int i = 0; i < g->n_tensors; i++) {
      const pnn_tensor_def *t = &g->tensors[i];
      printf("T %d %d name=%s type=%d buffer=%u var=%d has_rank=%d", s, i,
             t->name, t->type, t->buffer, t->is_variable, t->has_rank);
      vec_i32("shape", t->shape, t->rank);
      if (t->signature_rank >= 0)
        vec_i32("sig", t->shape_signature, t->signature_rank);
      if (t->has_quant) {
        printf(" qdim=%d scale=[", t->quant.quantized_dimension);
        for (int k = 0; k < t->quant.n_scale; k++)
          printf("%s%.9g", k ? "," : "", (double)t->quant.scale[k]);
        printf("] zp=[");
        for (int k = 0; k < t->quant.n_zero_point; k++)
          printf("%s%lld", k ? "," : "", (long long)t->quant.zero_point[k]);
        printf("]");
      }
      if (t->sparsity) {
        vec_i32("order", t->sparsity->traversal_order.data,
                t->sparsity->traversal_order.count);
        vec_i32("block_map", t->sparsity->block_map.data,
                t->sparsity->block_map.count);
        for (int k = 0; k < t->sparsity->n_dim_metadata; k++) {
          const pnn_dim_metadata_def *dm = &t->sparsity->dim_metadata[k];
          printf(" dm%d=%d/%d", k, dm->format, dm->dense_size);
          vec_i32("seg", dm->segments.data, dm->segments.count);
          vec_i32("idx", dm->indices.data, dm->indices.count);
        }
      }
      printf("\n");
    }
    for (int i = 0; i < g->n_ops; i++) {
      const pnn_op_def *op = &g->ops[i];
      const pnn_opcode_def *c = &d->opcodes[op->opcode_index];
      printf("O %d %d code=%d version=%d custom=%s", s, i, c->builtin,
             c->version, c->custom_code ? c->custom_code : "-");
      vec_i32("in", op->inputs.data, op->inputs.count);
      vec_i32("out", op->outputs.data, op->outputs.count);
      printf(" custom_size=%llu", (unsigned long long)op->custom_options_size);
      printf("\n");
      options(s, i, 1, op->options_type, &op->options);
      options(s, i, 2, op->options2_type, &op->options2);
    }
  }
  pnn_model_free(m);
  return 0;
}
