/* `pocketnn inspect MODEL [--json]`: the structure of a model, read from
 * the verified, decoded model (src/format/model.h). Text and JSON print
 * the same facts; builtin options are printed generically from the field
 * descriptors in src/format/options.h, with enum fields shown by name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "format/model.h"
#include "json.h"
#include "metadata.h"

static const char kUsage[] =
    "usage: pocketnn inspect MODEL [--json]\n"
    "  Prints file size, schema version, description, subgraphs with their\n"
    "  inputs/outputs, an op histogram, every op with its decoded options,\n"
    "  constant bytes by type, metadata, signatures, and the arena size of a\n"
    "  prepare (or why prepare failed).\n"
    "  --json   the same as one JSON document\n" CLI_LIMITS_HELP;

/* ------------------------------------------------------------ names */

static const char *kTensorTypeNames[] = {
    "FLOAT32", "FLOAT16",    "INT32",  "UINT8",     "INT64",
    "STRING",  "BOOL",       "INT16",  "COMPLEX64", "INT8",
    "FLOAT64", "COMPLEX128", "UINT64", "RESOURCE",  "VARIANT",
    "UINT32",  "UINT16",     "INT4",   "BFLOAT16"};

static const char *pick(const char *const *names, size_t n, int v) {
  return v >= 0 && (size_t)v < n ? names[v] : NULL;
}
#define PICK(arr, v) pick(arr, sizeof(arr) / sizeof(arr[0]), v)

/* Schema enum name of an int8 option field, or NULL if the field is a
 * plain number (or the value is outside the enum). */
static const char *enum_name(const char *table, const char *field, int v) {
  static const char *padding[] = {"SAME", "VALID"};
  static const char *act[] = {"NONE",  "RELU", "RELU_N1_TO_1",
                              "RELU6", "TANH", "SIGN_BIT"};
  static const char *mirror[] = {"REFLECT", "SYMMETRIC"};
  static const char *weights[] = {"DEFAULT", "SHUFFLED4x16INT8"};
  static const char *combiner[] = {"SUM", "MEAN", "SQRTN"};
  static const char *lsh[] = {"UNKNOWN", "SPARSE", "DENSE"};
  static const char *lstm_kernel[] = {"FULL", "BASIC"};
  static const char *rng[] = {"DEFAULT", "PHILOX", "THREEFRY"};
  static const char *custom_fmt[] = {"FLEXBUFFERS"};
  static const char *type_fields[] = {
      "in_data_type", "out_data_type", "out_type",    "output_type",
      "idx_out_type", "key_dtype",     "value_dtype", "quantized_bias_type"};
  if (strcmp(field, "padding") == 0) return PICK(padding, v);
  if (strcmp(field, "fused_activation_function") == 0) return PICK(act, v);
  for (size_t i = 0; i < sizeof type_fields / sizeof type_fields[0]; i++)
    if (strcmp(field, type_fields[i]) == 0) return PICK(kTensorTypeNames, v);
  if (strcmp(field, "mode") == 0 && strcmp(table, "MirrorPadOptions") == 0)
    return PICK(mirror, v);
  if (strcmp(field, "weights_format") == 0) return PICK(weights, v);
  if (strcmp(field, "combiner") == 0) return PICK(combiner, v);
  if (strcmp(field, "type") == 0 && strcmp(table, "LSHProjectionOptions") == 0)
    return PICK(lsh, v);
  if (strcmp(field, "kernel_type") == 0) return PICK(lstm_kernel, v);
  if (strcmp(field, "algorithm") == 0) return PICK(rng, v);
  if (strcmp(field, "composite_attributes_format") == 0)
    return PICK(custom_fmt, v);
  return NULL;
}

/* "CONV_2D", the custom code of a CUSTOM op, or "BUILTIN_<code>". */
static const char *op_name(const pnn_model_def *d, const pnn_op_def *op,
                           char *buf, size_t size) {
  const pnn_opcode_def *oc = &d->opcodes[op->opcode_index];
  if (oc->builtin == PNN_OP_CUSTOM && oc->custom_code) return oc->custom_code;
  const char *n = pnn_builtin_name(oc->builtin);
  if (n) return n;
  snprintf(buf, size, "BUILTIN_%d", (int)oc->builtin);
  return buf;
}

/* ------------------------------------------------------ option fields */

/* Vectors longer than this are cut in text output ("... (N total)"). */
#define TEXT_VEC_MAX 16

static void text_vector(FILE *f, const pnn_field_desc *fd, const void *p) {
  int32_t count = 0;
  switch (fd->kind) {
    case PNN_F_VEC_I32: count = ((const pnn_vec_i32 *)p)->count; break;
    case PNN_F_VEC_I64: count = ((const pnn_vec_i64 *)p)->count; break;
    case PNN_F_VEC_U32: count = ((const pnn_vec_u32 *)p)->count; break;
    case PNN_F_VEC_F32: count = ((const pnn_vec_f32 *)p)->count; break;
    case PNN_F_VEC_U8: count = ((const pnn_vec_u8 *)p)->count; break;
    case PNN_F_VEC_BOOL: count = ((const pnn_vec_bool *)p)->count; break;
  }
  fputc('[', f);
  for (int32_t i = 0; i < count && i < TEXT_VEC_MAX; i++) {
    if (i) fputs(",", f);
    switch (fd->kind) {
      case PNN_F_VEC_I32:
        fprintf(f, "%d", (int)((const pnn_vec_i32 *)p)->data[i]);
        break;
      case PNN_F_VEC_I64:
        fprintf(f, "%lld", (long long)((const pnn_vec_i64 *)p)->data[i]);
        break;
      case PNN_F_VEC_U32:
        fprintf(f, "%u", (unsigned)((const pnn_vec_u32 *)p)->data[i]);
        break;
      case PNN_F_VEC_F32:
        fprintf(f, "%g", (double)((const pnn_vec_f32 *)p)->data[i]);
        break;
      case PNN_F_VEC_U8:
        fprintf(f, "%u", (unsigned)((const pnn_vec_u8 *)p)->data[i]);
        break;
      case PNN_F_VEC_BOOL:
        fputs(((const pnn_vec_bool *)p)->data[i] ? "true" : "false", f);
        break;
    }
  }
  if (count > TEXT_VEC_MAX) fprintf(f, ",... (%d total)", (int)count);
  fputc(']', f);
}

static void json_vector(jw *w, const pnn_field_desc *fd, const void *p) {
  jw_array(w, true);
  switch (fd->kind) {
    case PNN_F_VEC_I32: {
      const pnn_vec_i32 *v = p;
      for (int32_t i = 0; i < v->count; i++) jw_int(w, v->data[i]);
      break;
    }
    case PNN_F_VEC_I64: {
      const pnn_vec_i64 *v = p;
      for (int32_t i = 0; i < v->count; i++) jw_int(w, v->data[i]);
      break;
    }
    case PNN_F_VEC_U32: {
      const pnn_vec_u32 *v = p;
      for (int32_t i = 0; i < v->count; i++) jw_uint(w, v->data[i]);
      break;
    }
    case PNN_F_VEC_F32: {
      const pnn_vec_f32 *v = p;
      for (int32_t i = 0; i < v->count; i++) jw_double(w, v->data[i]);
      break;
    }
    case PNN_F_VEC_U8: {
      const pnn_vec_u8 *v = p;
      for (int32_t i = 0; i < v->count; i++) jw_uint(w, v->data[i]);
      break;
    }
    case PNN_F_VEC_BOOL: {
      const pnn_vec_bool *v = p;
      for (int32_t i = 0; i < v->count; i++) jw_bool(w, v->data[i]);
      break;
    }
  }
  jw_array_end(w);
}

/* Prints one decoded options table: " name=value ..." in text, or an
 * object in JSON. `opts` is the union member chosen by the union type. */
static void print_options(FILE *f, jw *w, const pnn_options_desc *desc,
                          const pnn_builtin_options *opts) {
  if (w) jw_object(w, true);
  for (int i = 0; i < desc->n_fields; i++) {
    const pnn_field_desc *fd = &desc->fields[i];
    const void *p = (const char *)opts + fd->offset;
    if (w)
      jw_key(w, fd->name);
    else
      fprintf(f, " %s=", fd->name);
    switch (fd->kind) {
      case PNN_F_BOOL: {
        bool v = *(const bool *)p;
        if (w)
          jw_bool(w, v);
        else
          fputs(v ? "true" : "false", f);
        break;
      }
      case PNN_F_I8: {
        int v = *(const int8_t *)p;
        const char *e = enum_name(desc->name, fd->name, v);
        if (w) {
          if (e)
            jw_string(w, e);
          else
            jw_int(w, v);
        } else if (e) {
          fputs(e, f);
        } else {
          fprintf(f, "%d", v);
        }
        break;
      }
      case PNN_F_I32:
        if (w)
          jw_int(w, *(const int32_t *)p);
        else
          fprintf(f, "%d", (int)*(const int32_t *)p);
        break;
      case PNN_F_U32:
        if (w)
          jw_uint(w, *(const uint32_t *)p);
        else
          fprintf(f, "%u", (unsigned)*(const uint32_t *)p);
        break;
      case PNN_F_I64:
        if (w)
          jw_int(w, *(const int64_t *)p);
        else
          fprintf(f, "%lld", (long long)*(const int64_t *)p);
        break;
      case PNN_F_F32:
        if (w)
          jw_double(w, *(const float *)p);
        else
          fprintf(f, "%g", (double)*(const float *)p);
        break;
      case PNN_F_STRING: {
        const char *s = *(const char *const *)p;
        if (w)
          jw_string(w, s);
        else
          jw_write_escaped(f, s);
        break;
      }
      default:
        if (w)
          json_vector(w, fd, p);
        else
          text_vector(f, fd, p);
    }
  }
  if (w) jw_object_end(w);
}

/* ------------------------------------------------------------ tensors */

static void text_dims(FILE *f, const int32_t *dims, int32_t rank) {
  fputc('[', f);
  for (int32_t i = 0; i < rank; i++)
    fprintf(f, "%s%d", i ? ", " : "", (int)dims[i]);
  fputc(']', f);
}

static void json_dims(jw *w, const int32_t *dims, int32_t rank) {
  jw_array(w, true);
  for (int32_t i = 0; i < rank; i++) jw_int(w, dims[i]);
  jw_array_end(w);
}

static void text_quant(FILE *f, const pnn_tensor_def *t) {
  const pnn_quant_def *q = &t->quant;
  if (!t->has_quant || q->n_scale == 0) return;
  if (q->n_scale == 1) {
    fprintf(f, "  quant scale=%g zero_point=%lld", (double)q->scale[0],
            q->n_zero_point ? (long long)q->zero_point[0] : 0LL);
  } else {
    fprintf(f, "  quant per-channel dim=%d scales=%d first scale=%g",
            (int)q->quantized_dimension, (int)q->n_scale, (double)q->scale[0]);
  }
}

static void json_quant(jw *w, const pnn_tensor_def *t) {
  const pnn_quant_def *q = &t->quant;
  if (!t->has_quant || q->n_scale == 0) {
    jw_null(w);
    return;
  }
  jw_object(w, false);
  jw_key(w, "scale");
  jw_array(w, true);
  for (int32_t i = 0; i < q->n_scale; i++) jw_double(w, q->scale[i]);
  jw_array_end(w);
  jw_key(w, "zero_point");
  jw_array(w, true);
  for (int32_t i = 0; i < q->n_zero_point; i++) jw_int(w, q->zero_point[i]);
  jw_array_end(w);
  jw_key(w, "quantized_dimension");
  jw_int(w, q->quantized_dimension);
  jw_object_end(w);
}

static void text_tensor(FILE *f, const pnn_subgraph_def *sg, int32_t id) {
  const pnn_tensor_def *t = &sg->tensors[id];
  fprintf(f, "    %d ", (int)id);
  jw_write_escaped(f, t->name);
  fprintf(f, "  %s ", pnn_type_name(t->type));
  text_dims(f, t->shape, t->rank);
  if (t->signature_rank >= 0) {
    fputs("  signature ", f);
    text_dims(f, t->shape_signature, t->signature_rank);
  }
  text_quant(f, t);
  fputc('\n', f);
}

static void json_tensor(jw *w, const pnn_subgraph_def *sg, int32_t id) {
  const pnn_tensor_def *t = &sg->tensors[id];
  jw_object(w, false);
  jw_key(w, "tensor");
  jw_int(w, id);
  jw_key(w, "name");
  jw_string(w, t->name);
  jw_key(w, "type");
  jw_string(w, pnn_type_name(t->type));
  jw_key(w, "shape");
  json_dims(w, t->shape, t->rank);
  jw_key(w, "shape_signature");
  if (t->signature_rank >= 0)
    json_dims(w, t->shape_signature, t->signature_rank);
  else
    jw_null(w);
  jw_key(w, "quantization");
  json_quant(w, t);
  jw_object_end(w);
}

/* --------------------------------------------------------- histogram */

typedef struct {
  const char *name;
  int count;
} hist_entry;

static int hist_cmp(const void *a, const void *b) {
  const hist_entry *x = a, *y = b;
  if (x->count != y->count) return y->count - x->count;
  return strcmp(x->name, y->name);
}

/* Op-name histogram of a subgraph, sorted by count; caller frees. Names
 * are owned by the model (or are static), except BUILTIN_<n> fallbacks,
 * which are rare enough to share one static slot per distinct code. */
static hist_entry *histogram(const pnn_model_def *d, const pnn_subgraph_def *sg,
                             int *n_out) {
  hist_entry *h = calloc(sg->n_ops ? (size_t)sg->n_ops : 1, sizeof *h);
  int n = 0;
  if (!h) {
    *n_out = 0;
    return NULL;
  }
  for (int32_t i = 0; i < sg->n_ops; i++) {
    char buf[32];
    const char *name = op_name(d, &sg->ops[i], buf, sizeof buf);
    if (name == buf) name = "(unknown builtin)";
    int j = 0;
    while (j < n && strcmp(h[j].name, name) != 0) j++;
    if (j == n) h[n++] = (hist_entry){name, 0};
    h[j].count++;
  }
  qsort(h, (size_t)n, sizeof *h, hist_cmp);
  *n_out = n;
  return h;
}

/* ------------------------------------------------------------- ops */

static void text_op(FILE *f, const pnn_model_def *d, int32_t i,
                    const pnn_op_def *op) {
  char buf[32];
  const pnn_opcode_def *oc = &d->opcodes[op->opcode_index];
  char label[96];
  snprintf(label, sizeof label, "%s", op_name(d, op, buf, sizeof buf));
  if (oc->version > 1)
    snprintf(label + strlen(label), sizeof label - strlen(label), " v%d",
             (int)oc->version);
  fprintf(f, "    %4d %-26s ", (int)i, label);
  text_dims(f, op->inputs.data, op->inputs.count);
  fputs(" -> ", f);
  text_dims(f, op->outputs.data, op->outputs.count);
  const pnn_options_desc *desc = pnn_options_describe(1, op->options_type);
  if (desc && desc->n_fields) print_options(f, NULL, desc, &op->options);
  const pnn_options_desc *desc2 = pnn_options_describe(2, op->options2_type);
  if (desc2 && desc2->n_fields) print_options(f, NULL, desc2, &op->options2);
  if (op->custom_options_size)
    fprintf(f, " custom_options=%llu bytes",
            (unsigned long long)op->custom_options_size);
  fputc('\n', f);
}

static void json_op(jw *w, const pnn_model_def *d, int32_t i,
                    const pnn_op_def *op) {
  char buf[32];
  const pnn_opcode_def *oc = &d->opcodes[op->opcode_index];
  jw_object(w, false);
  jw_key(w, "index");
  jw_int(w, i);
  jw_key(w, "op");
  jw_string(w, op_name(d, op, buf, sizeof buf));
  jw_key(w, "builtin_code");
  jw_int(w, oc->builtin);
  jw_key(w, "custom_code");
  if (oc->custom_code)
    jw_string(w, oc->custom_code);
  else
    jw_null(w);
  jw_key(w, "version");
  jw_int(w, oc->version);
  jw_key(w, "inputs");
  json_dims(w, op->inputs.data, op->inputs.count);
  jw_key(w, "outputs");
  json_dims(w, op->outputs.data, op->outputs.count);
  const pnn_options_desc *desc = pnn_options_describe(1, op->options_type);
  jw_key(w, "options_type");
  if (desc)
    jw_string(w, desc->name);
  else
    jw_null(w);
  jw_key(w, "options");
  if (desc)
    print_options(NULL, w, desc, &op->options);
  else
    jw_null(w);
  const pnn_options_desc *desc2 = pnn_options_describe(2, op->options2_type);
  if (desc2) {
    jw_key(w, "options2_type");
    jw_string(w, desc2->name);
    jw_key(w, "options2");
    print_options(NULL, w, desc2, &op->options2);
  }
  jw_key(w, "custom_options_bytes");
  jw_uint(w, op->custom_options_size);
  jw_object_end(w);
}

/* ------------------------------------------------------- model-wide */

typedef struct {
  uint64_t bytes[32]; /* by pnn_type (values < 32) */
  int tensors[32];
  uint64_t total;
} const_stats;

/* Constant bytes by type; a buffer shared by several tensors counts once
 * (under the type of the first tensor that uses it). */
static int constant_stats(const pnn_model_def *d, const_stats *s) {
  memset(s, 0, sizeof *s);
  uint8_t *seen = calloc(d->n_buffers ? (size_t)d->n_buffers : 1, 1);
  if (!seen) return -1;
  for (int32_t g = 0; g < d->n_subgraphs; g++) {
    const pnn_subgraph_def *sg = &d->subgraphs[g];
    for (int32_t t = 0; t < sg->n_tensors; t++) {
      const pnn_buffer_def *b = pnn_model_tensor_buffer(d, &sg->tensors[t]);
      if (!b || seen[sg->tensors[t].buffer]) continue;
      seen[sg->tensors[t].buffer] = 1;
      unsigned ty = (unsigned)sg->tensors[t].type;
      if (ty >= 32) ty = 31;
      s->bytes[ty] += b->size;
      s->tensors[ty]++;
      s->total += b->size;
    }
  }
  free(seen);
  return 0;
}

static uint64_t metadata_bytes(const pnn_model_def *d,
                               const pnn_metadata_def *m) {
  if (m->buffer == 0 || (int64_t)m->buffer >= d->n_buffers) return 0;
  return d->buffers[m->buffer].size;
}

/* Short printable metadata (e.g. min_runtime_version "1.14.0") as text in
 * buf; false for binary or long buffers (trailing NULs are allowed). */
static bool metadata_text(const pnn_model_def *d, const pnn_metadata_def *m,
                          char *buf, size_t size) {
  if (m->buffer == 0 || (int64_t)m->buffer >= d->n_buffers) return false;
  const pnn_buffer_def *b = &d->buffers[m->buffer];
  if (!b->data || b->size == 0 || b->size >= size) return false;
  size_t n = (size_t)b->size;
  while (n && b->data[n - 1] == 0) n--;
  if (n == 0) return false;
  for (size_t i = 0; i < n; i++)
    if (b->data[i] < 0x20 || b->data[i] > 0x7e) return false;
  memcpy(buf, b->data, n);
  buf[n] = 0;
  return true;
}

/* Result of trying to prepare the model with the runtime. */
typedef struct {
  bool ok;
  size_t arena, persistent;
  char error[512];
} prepare_result;

static void try_prepare(const pnn_model *model, prepare_result *r) {
  memset(r, 0, sizeof *r);
  pnn_interpreter *it = NULL;
  pnn_interpreter_options io;
  pnn_interpreter_options_init(&io);
  io.max_arena_bytes = cli_max_arena_bytes;
  io.max_op_work = cli_max_op_work;
  pnn_status st = pnn_interpreter_create(model, &io, &it);
  if (st != PNN_OK) {
    snprintf(r->error, sizeof r->error, "%s", pnn_status_string(st));
    return;
  }
  st = pnn_interpreter_allocate(it);
  if (st == PNN_OK) {
    r->ok = true;
    r->arena = pnn_interpreter_arena_bytes(it);
    r->persistent = pnn_interpreter_persistent_bytes(it);
  } else {
    const char *msg = pnn_interpreter_last_error(it);
    snprintf(r->error, sizeof r->error, "%s",
             msg && msg[0] ? msg : pnn_status_string(st));
    for (char *p = r->error; *p; p++)
      if (*p == '\n') *p = ' ';
  }
  pnn_interpreter_free(it);
}

/* ------------------------------------------------------------- text */

static void text_report(FILE *f, const char *path, const pnn_model *model,
                        const const_stats *cs, const prepare_result *pr) {
  const pnn_model_def *d = &model->def;
  fprintf(f, "file: %s (%zu bytes)\n", path, model->size);
  fprintf(f, "schema version: %u\n", (unsigned)d->version);
  fputs("description: ", f);
  jw_write_escaped(f, d->description ? d->description : "");
  fprintf(f, "\nsubgraphs: %d\n", (int)d->n_subgraphs);
  for (int32_t g = 0; g < d->n_subgraphs; g++) {
    const pnn_subgraph_def *sg = &d->subgraphs[g];
    fprintf(f, "\nsubgraph %d ", (int)g);
    jw_write_escaped(f, sg->name ? sg->name : "");
    fprintf(f, ": %d tensors, %d ops\n", (int)sg->n_tensors, (int)sg->n_ops);
    fprintf(f, "  inputs (%d):\n", (int)sg->inputs.count);
    for (int32_t i = 0; i < sg->inputs.count; i++)
      text_tensor(f, sg, sg->inputs.data[i]);
    fprintf(f, "  outputs (%d):\n", (int)sg->outputs.count);
    for (int32_t i = 0; i < sg->outputs.count; i++)
      text_tensor(f, sg, sg->outputs.data[i]);
    int nh = 0;
    hist_entry *h = histogram(d, sg, &nh);
    fputs("  op histogram:\n", f);
    for (int i = 0; i < nh; i++)
      fprintf(f, "    %-32s %d\n", h[i].name, h[i].count);
    free(h);
    fputs("  ops:\n", f);
    for (int32_t i = 0; i < sg->n_ops; i++) text_op(f, d, i, &sg->ops[i]);
  }
  fprintf(f, "\nconstant bytes: %llu\n", (unsigned long long)cs->total);
  for (int ty = 0; ty < 32; ty++)
    if (cs->tensors[ty])
      fprintf(f, "  %-10s %llu bytes in %d buffers\n",
              pnn_type_name((pnn_type)ty), (unsigned long long)cs->bytes[ty],
              cs->tensors[ty]);
  fprintf(f, "metadata (%d):\n", (int)d->n_metadata);
  for (int32_t i = 0; i < d->n_metadata; i++) {
    fputs("  ", f);
    jw_write_escaped(f, d->metadata[i].name);
    fprintf(f, " buffer %u, %llu bytes", (unsigned)d->metadata[i].buffer,
            (unsigned long long)metadata_bytes(d, &d->metadata[i]));
    char text[65];
    if (metadata_text(d, &d->metadata[i], text, sizeof text))
      fprintf(f, ": \"%s\"", text);
    fputc('\n', f);
  }
  cli_normalization norm;
  for (int i = 0; i < (d->n_subgraphs ? d->subgraphs[0].inputs.count : 0);
       i++) {
    if (cli_metadata_normalization(model, i, &norm) != 1) continue;
    fprintf(f, "  input %d normalization: mean", i);
    for (int k = 0; k < norm.n_mean; k++)
      fprintf(f, " %g", (double)norm.mean[k]);
    fputs(" std", f);
    for (int k = 0; k < norm.n_std; k++) fprintf(f, " %g", (double)norm.std[k]);
    fputc('\n', f);
  }
  fprintf(f, "signatures (%d):\n", (int)d->n_signatures);
  for (int32_t i = 0; i < d->n_signatures; i++) {
    const pnn_signature_def *s = &d->signatures[i];
    fputs("  ", f);
    jw_write_escaped(f, s->key);
    fprintf(f, " subgraph %u\n    inputs:", (unsigned)s->subgraph_index);
    for (int32_t k = 0; k < s->n_inputs; k++)
      fprintf(f, " %s=%u", s->inputs[k].name,
              (unsigned)s->inputs[k].tensor_index);
    fputs("\n    outputs:", f);
    for (int32_t k = 0; k < s->n_outputs; k++)
      fprintf(f, " %s=%u", s->outputs[k].name,
              (unsigned)s->outputs[k].tensor_index);
    fputc('\n', f);
  }
  if (pr->ok)
    fprintf(f, "prepare: ok, arena %zu bytes, persistent %zu bytes\n",
            pr->arena, pr->persistent);
  else
    fprintf(f, "prepare: failed: %s\n", pr->error);
}

/* ------------------------------------------------------------- JSON */

/* "input_normalization": one entry per main-subgraph input, the mean/std
 * of its TFLite metadata NormalizationOptions, or null. */
static void json_normalization(jw *w, const pnn_model *model) {
  const pnn_model_def *d = &model->def;
  jw_key(w, "input_normalization");
  jw_array(w, false);
  for (int i = 0; i < (d->n_subgraphs ? d->subgraphs[0].inputs.count : 0);
       i++) {
    cli_normalization norm;
    if (cli_metadata_normalization(model, i, &norm) != 1) {
      jw_null(w);
      continue;
    }
    jw_object(w, true);
    jw_key(w, "mean");
    jw_array(w, true);
    for (int k = 0; k < norm.n_mean; k++) jw_double(w, norm.mean[k]);
    jw_array_end(w);
    jw_key(w, "std");
    jw_array(w, true);
    for (int k = 0; k < norm.n_std; k++) jw_double(w, norm.std[k]);
    jw_array_end(w);
    jw_object_end(w);
  }
  jw_array_end(w);
}

static void json_report(FILE *f, const char *path, const pnn_model *model,
                        const const_stats *cs, const prepare_result *pr) {
  const pnn_model_def *d = &model->def;
  jw w;
  jw_init(&w, f);
  jw_object(&w, false);
  jw_key(&w, "file");
  jw_string(&w, path);
  jw_key(&w, "file_bytes");
  jw_uint(&w, model->size);
  jw_key(&w, "schema_version");
  jw_uint(&w, d->version);
  jw_key(&w, "description");
  jw_string(&w, d->description ? d->description : "");
  jw_key(&w, "subgraph_count");
  jw_int(&w, d->n_subgraphs);
  jw_key(&w, "subgraphs");
  jw_array(&w, false);
  for (int32_t g = 0; g < d->n_subgraphs; g++) {
    const pnn_subgraph_def *sg = &d->subgraphs[g];
    jw_object(&w, false);
    jw_key(&w, "index");
    jw_int(&w, g);
    jw_key(&w, "name");
    jw_string(&w, sg->name ? sg->name : "");
    jw_key(&w, "tensor_count");
    jw_int(&w, sg->n_tensors);
    jw_key(&w, "op_count");
    jw_int(&w, sg->n_ops);
    jw_key(&w, "inputs");
    jw_array(&w, false);
    for (int32_t i = 0; i < sg->inputs.count; i++)
      json_tensor(&w, sg, sg->inputs.data[i]);
    jw_array_end(&w);
    jw_key(&w, "outputs");
    jw_array(&w, false);
    for (int32_t i = 0; i < sg->outputs.count; i++)
      json_tensor(&w, sg, sg->outputs.data[i]);
    jw_array_end(&w);
    int nh = 0;
    hist_entry *h = histogram(d, sg, &nh);
    jw_key(&w, "op_histogram");
    jw_object(&w, false);
    for (int i = 0; i < nh; i++) {
      jw_key(&w, h[i].name);
      jw_int(&w, h[i].count);
    }
    jw_object_end(&w);
    free(h);
    jw_key(&w, "ops");
    jw_array(&w, false);
    for (int32_t i = 0; i < sg->n_ops; i++) json_op(&w, d, i, &sg->ops[i]);
    jw_array_end(&w);
    jw_object_end(&w);
  }
  jw_array_end(&w);
  jw_key(&w, "constant_bytes");
  jw_uint(&w, cs->total);
  jw_key(&w, "constant_bytes_by_type");
  jw_object(&w, false);
  for (int ty = 0; ty < 32; ty++) {
    if (!cs->tensors[ty]) continue;
    jw_key(&w, pnn_type_name((pnn_type)ty));
    jw_object(&w, true);
    jw_key(&w, "bytes");
    jw_uint(&w, cs->bytes[ty]);
    jw_key(&w, "buffers");
    jw_int(&w, cs->tensors[ty]);
    jw_object_end(&w);
  }
  jw_object_end(&w);
  jw_key(&w, "metadata");
  jw_array(&w, false);
  for (int32_t i = 0; i < d->n_metadata; i++) {
    jw_object(&w, true);
    jw_key(&w, "name");
    jw_string(&w, d->metadata[i].name);
    jw_key(&w, "buffer");
    jw_uint(&w, d->metadata[i].buffer);
    jw_key(&w, "bytes");
    jw_uint(&w, metadata_bytes(d, &d->metadata[i]));
    char text[65];
    jw_key(&w, "text");
    if (metadata_text(d, &d->metadata[i], text, sizeof text))
      jw_string(&w, text);
    else
      jw_null(&w);
    jw_object_end(&w);
  }
  jw_array_end(&w);
  json_normalization(&w, model);
  jw_key(&w, "signatures");
  jw_array(&w, false);
  for (int32_t i = 0; i < d->n_signatures; i++) {
    const pnn_signature_def *s = &d->signatures[i];
    jw_object(&w, false);
    jw_key(&w, "key");
    jw_string(&w, s->key);
    jw_key(&w, "subgraph");
    jw_uint(&w, s->subgraph_index);
    for (int io = 0; io < 2; io++) {
      const pnn_tensor_map_def *m = io ? s->outputs : s->inputs;
      int32_t n = io ? s->n_outputs : s->n_inputs;
      jw_key(&w, io ? "outputs" : "inputs");
      jw_object(&w, true);
      for (int32_t k = 0; k < n; k++) {
        jw_key(&w, m[k].name);
        jw_uint(&w, m[k].tensor_index);
      }
      jw_object_end(&w);
    }
    jw_object_end(&w);
  }
  jw_array_end(&w);
  jw_key(&w, "prepare");
  jw_object(&w, false);
  jw_key(&w, "ok");
  jw_bool(&w, pr->ok);
  if (pr->ok) {
    jw_key(&w, "arena_bytes");
    jw_uint(&w, pr->arena);
    jw_key(&w, "persistent_bytes");
    jw_uint(&w, pr->persistent);
  } else {
    jw_key(&w, "error");
    jw_string(&w, pr->error);
  }
  jw_object_end(&w);
  jw_object_end(&w);
  jw_finish(&w);
}

int cli_inspect(int argc, char **argv) {
  const char *path = NULL;
  bool json = false;
  for (int i = 1; i < argc; i++) {
    int m;
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      fputs(kUsage, stdout);
      return CLI_EXIT_OK;
    } else if (strcmp(argv[i], "--json") == 0) {
      json = true;
    } else if ((m = cli_limit_option(argc, argv, &i, kUsage)) != 0) {
      if (m != 1) return m;
    } else if ((m = cli_model_arg(argv[i], kUsage, &path))) {
      return m;
    }
  }
  if (!path) return cli_usage_error(kUsage, "missing MODEL");
  pnn_model *model = NULL;
  int rc = cli_load_model(path, &model);
  if (rc) return rc;
  const_stats cs;
  if (constant_stats(&model->def, &cs) != 0) {
    pnn_model_free(model);
    return cli_error("out of memory");
  }
  prepare_result pr;
  try_prepare(model, &pr);
  if (json)
    json_report(stdout, path, model, &cs, &pr);
  else
    text_report(stdout, path, model, &cs, &pr);
  pnn_model_free(model);
  if (fflush(stdout) != 0) return cli_error("cannot write output");
  return CLI_EXIT_OK;
}
