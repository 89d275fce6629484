/* Deep comparison of decoded models (see compare.h). Each eq_* returns
 * true when equal, else writes "<where>: <field>: <a> vs <b>" once. */
#include "compare.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct cmp {
  char *why;
  size_t why_size;
  char where[160]; /* e.g. "subgraph 0 op 12 (opcode 3)" */
} cmp;

static bool differ(cmp *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static bool differ(cmp *c, const char *fmt, ...) {
  if (!c->why || !c->why_size) return false;
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (c->where[0])
    snprintf(c->why, c->why_size, "%s: %s", c->where, msg);
  else
    snprintf(c->why, c->why_size, "%s", msg);
  return false;
}

static void set_where(cmp *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_where(cmp *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->where, sizeof c->where, fmt, ap);
  va_end(ap);
}

static bool eq_int(cmp *c, const char *field, long long a, long long b) {
  return a == b || differ(c, "%s: %lld vs %lld", field, a, b);
}

/* NULL and "" are the same (an absent optional string). */
static bool eq_str(cmp *c, const char *field, const char *a, const char *b) {
  if (!a) a = "";
  if (!b) b = "";
  return strcmp(a, b) == 0 || differ(c, "%s: '%.60s' vs '%.60s'", field, a, b);
}

typedef enum { E_I8, E_I32, E_I64, E_U32, E_F32, E_U8, E_BOOL } elem_kind;

static size_t elem_size(elem_kind k) {
  return k == E_I64 ? 8 : (k == E_I8 || k == E_U8 || k == E_BOOL) ? 1 : 4;
}

/* One element of kind k (possibly unaligned), compared bitwise (floats
 * included); the message prints both values. */
static bool eq_elem(cmp *c, const char *field, elem_kind k, const void *a,
                    const void *b) {
  if (memcmp(a, b, elem_size(k)) == 0) return true;
  char s[2][40];
  const void *p[2] = {a, b};
  for (int i = 0; i < 2; i++) {
    union {
      int8_t i8;
      int32_t i32;
      int64_t i64;
      uint32_t u32;
      float f32;
      uint8_t u8;
    } v;
    memcpy(&v, p[i], elem_size(k));
    switch (k) {
      case E_I8: snprintf(s[i], sizeof s[i], "%d", (int)v.i8); break;
      case E_I32: snprintf(s[i], sizeof s[i], "%d", (int)v.i32); break;
      case E_I64: snprintf(s[i], sizeof s[i], "%lld", (long long)v.i64); break;
      case E_U32: snprintf(s[i], sizeof s[i], "%u", (unsigned)v.u32); break;
      case E_F32: snprintf(s[i], sizeof s[i], "%.9g", v.f32); break;
      case E_U8:
      case E_BOOL: snprintf(s[i], sizeof s[i], "%u", (unsigned)v.u8); break;
    }
  }
  return differ(c, "%s: %s vs %s", field, s[0], s[1]);
}

/* Arrays compare element by element, bitwise (floats included). */
static bool eq_array(cmp *c, const char *field, elem_kind k, const void *a,
                     uint64_t na, const void *b, uint64_t nb) {
  if (na != nb)
    return differ(c, "%s: %llu vs %llu elements", field, (unsigned long long)na,
                  (unsigned long long)nb);
  if (na == 0) return true;
  if (!a || !b) return differ(c, "%s: missing data", field);
  size_t es = elem_size(k);
  if (memcmp(a, b, (size_t)na * es) == 0) return true;
  const uint8_t *pa = a, *pb = b;
  uint64_t i = 0;
  while (memcmp(pa + i * es, pb + i * es, es) == 0) i++;
  char fi[128];
  snprintf(fi, sizeof fi, "%s[%llu]", field, (unsigned long long)i);
  return eq_elem(c, fi, k, pa + i * es, pb + i * es);
}

static bool eq_vi32(cmp *c, const char *field, pnn_vec_i32 a, pnn_vec_i32 b) {
  return eq_array(c, field, E_I32, a.data, (uint64_t)a.count, b.data,
                  (uint64_t)b.count);
}

/* ------------------------------------------------------------ options */

static bool options_eq(cmp *c, int set, uint8_t type,
                       const pnn_builtin_options *a,
                       const pnn_builtin_options *b) {
  const pnn_options_desc *d = pnn_options_describe(set, type);
  if (!d)
    return differ(c, "options%s type %u not in the schema", set == 2 ? "2" : "",
                  (unsigned)type);
  const uint8_t *ba = (const uint8_t *)a, *bb = (const uint8_t *)b;
  for (int i = 0; i < d->n_fields; i++) {
    const pnn_field_desc *f = &d->fields[i];
    const void *pa = ba + f->offset, *pb = bb + f->offset;
    char field[96];
    snprintf(field, sizeof field, "%s.%s", d->name, f->name);
    bool same = true;
    switch (f->kind) {
      case PNN_F_BOOL: same = eq_elem(c, field, E_BOOL, pa, pb); break;
      case PNN_F_I8: same = eq_elem(c, field, E_I8, pa, pb); break;
      case PNN_F_I32: same = eq_elem(c, field, E_I32, pa, pb); break;
      case PNN_F_U32: same = eq_elem(c, field, E_U32, pa, pb); break;
      case PNN_F_I64: same = eq_elem(c, field, E_I64, pa, pb); break;
      case PNN_F_F32: same = eq_elem(c, field, E_F32, pa, pb); break;
      case PNN_F_STRING: {
        const char *x, *y;
        memcpy(&x, pa, sizeof x), memcpy(&y, pb, sizeof y);
        same = eq_str(c, field, x, y);
        break;
      }
#define VEC_CASE(KIND, T, EK)                                                 \
  case KIND: {                                                                \
    T x, y;                                                                   \
    memcpy(&x, pa, sizeof x), memcpy(&y, pb, sizeof y);                       \
    same =                                                                    \
        eq_array(c, field, EK, x.data, (uint64_t)(x.count < 0 ? 0 : x.count), \
                 y.data, (uint64_t)(y.count < 0 ? 0 : y.count));              \
    break;                                                                    \
  }
        VEC_CASE(PNN_F_VEC_I32, pnn_vec_i32, E_I32)
        VEC_CASE(PNN_F_VEC_I64, pnn_vec_i64, E_I64)
        VEC_CASE(PNN_F_VEC_U32, pnn_vec_u32, E_U32)
        VEC_CASE(PNN_F_VEC_F32, pnn_vec_f32, E_F32)
        VEC_CASE(PNN_F_VEC_U8, pnn_vec_u8, E_U8)
        VEC_CASE(PNN_F_VEC_BOOL, pnn_vec_bool, E_BOOL)
#undef VEC_CASE
      default:
        same = differ(c, "%s: unknown field kind %d", field, (int)f->kind);
    }
    if (!same) return false;
  }
  return true;
}

bool pnn_options_equal(int set, uint8_t type, const pnn_builtin_options *a,
                       const pnn_builtin_options *b, char *why,
                       size_t why_size) {
  cmp c = {why, why_size, ""};
  if (why && why_size) why[0] = 0;
  return options_eq(&c, set, type, a, b);
}

/* ------------------------------------------------------------- tensors */

static bool quant_eq(cmp *c, const pnn_quant_def *a, const pnn_quant_def *b) {
  return eq_array(c, "quant.scale", E_F32, a->scale, (uint64_t)a->n_scale,
                  b->scale, (uint64_t)b->n_scale) &&
         eq_array(c, "quant.zero_point", E_I64, a->zero_point,
                  (uint64_t)a->n_zero_point, b->zero_point,
                  (uint64_t)b->n_zero_point) &&
         eq_array(c, "quant.min", E_F32, a->min, (uint64_t)a->n_min, b->min,
                  (uint64_t)b->n_min) &&
         eq_array(c, "quant.max", E_F32, a->max, (uint64_t)a->n_max, b->max,
                  (uint64_t)b->n_max) &&
         eq_int(c, "quant.quantized_dimension", a->quantized_dimension,
                b->quantized_dimension) &&
         eq_int(c, "quant.details_type", a->details_type, b->details_type) &&
         eq_array(c, "quant.custom", E_U8, a->custom.data,
                  (uint64_t)a->custom.count, b->custom.data,
                  (uint64_t)b->custom.count);
}

static bool sparsity_eq(cmp *c, const pnn_sparsity_def *a,
                        const pnn_sparsity_def *b) {
  if (!a || !b) {
    if (a == b) return true;
    return differ(c, "sparsity: %s vs %s", a ? "present" : "absent",
                  b ? "present" : "absent");
  }
  if (!eq_vi32(c, "sparsity.traversal_order", a->traversal_order,
               b->traversal_order) ||
      !eq_vi32(c, "sparsity.block_map", a->block_map, b->block_map) ||
      !eq_int(c, "sparsity.dim_metadata count", a->n_dim_metadata,
              b->n_dim_metadata))
    return false;
  for (int32_t i = 0; i < a->n_dim_metadata; i++) {
    const pnn_dim_metadata_def *x = &a->dim_metadata[i],
                               *y = &b->dim_metadata[i];
    char f[64];
    snprintf(f, sizeof f, "sparsity.dim_metadata[%d]", (int)i);
    char g[96];
#define FIELD(name) (snprintf(g, sizeof g, "%s.%s", f, name), g)
    if (!eq_int(c, FIELD("format"), x->format, y->format) ||
        !eq_int(c, FIELD("dense_size"), x->dense_size, y->dense_size) ||
        !eq_int(c, FIELD("segments_type"), x->segments_type,
                y->segments_type) ||
        !eq_vi32(c, FIELD("segments"), x->segments, y->segments) ||
        !eq_int(c, FIELD("indices_type"), x->indices_type, y->indices_type) ||
        !eq_vi32(c, FIELD("indices"), x->indices, y->indices))
      return false;
#undef FIELD
  }
  return true;
}

static bool tensor_eq(cmp *c, const pnn_tensor_def *a,
                      const pnn_tensor_def *b) {
  return eq_str(c, "name", a->name, b->name) &&
         eq_int(c, "type", a->type, b->type) &&
         eq_array(c, "shape", E_I32, a->shape, (uint64_t)a->rank, b->shape,
                  (uint64_t)b->rank) &&
         eq_int(c, "shape_signature rank", a->signature_rank,
                b->signature_rank) &&
         (a->signature_rank <= 0 ||
          eq_array(c, "shape_signature", E_I32, a->shape_signature,
                   (uint64_t)a->signature_rank, b->shape_signature,
                   (uint64_t)b->signature_rank)) &&
         eq_int(c, "buffer", a->buffer, b->buffer) &&
         eq_int(c, "has quantization", a->has_quant, b->has_quant) &&
         (!a->has_quant || quant_eq(c, &a->quant, &b->quant)) &&
         sparsity_eq(c, a->sparsity, b->sparsity) &&
         eq_int(c, "is_variable", a->is_variable, b->is_variable) &&
         eq_int(c, "has_rank", a->has_rank, b->has_rank);
}

/* ----------------------------------------------------------- operators */

static bool op_eq(cmp *c, const pnn_op_def *a, const pnn_op_def *b) {
  if (!eq_int(c, "opcode_index", a->opcode_index, b->opcode_index) ||
      !eq_vi32(c, "inputs", a->inputs, b->inputs) ||
      !eq_vi32(c, "outputs", a->outputs, b->outputs) ||
      !eq_vi32(c, "intermediates", a->intermediates, b->intermediates) ||
      !eq_array(c, "mutating_variable_inputs", E_BOOL,
                a->mutating_variable_inputs.data,
                (uint64_t)a->mutating_variable_inputs.count,
                b->mutating_variable_inputs.data,
                (uint64_t)b->mutating_variable_inputs.count) ||
      !eq_int(c, "builtin_options_type", a->options_type, b->options_type) ||
      !eq_int(c, "builtin_options_2_type", a->options2_type,
              b->options2_type) ||
      !eq_int(c, "custom_options_format", a->custom_options_format,
              b->custom_options_format) ||
      !eq_array(c, "custom_options", E_U8, a->custom_options,
                a->custom_options_size, b->custom_options,
                b->custom_options_size))
    return false;
  if (a->options_type &&
      !options_eq(c, 1, a->options_type, &a->options, &b->options))
    return false;
  if (a->options2_type &&
      !options_eq(c, 2, a->options2_type, &a->options2, &b->options2))
    return false;
  return true;
}

static bool subgraph_eq(cmp *c, const pnn_subgraph_def *a,
                        const pnn_subgraph_def *b, int si) {
  set_where(c, "subgraph %d", si);
  if (!eq_str(c, "name", a->name, b->name) ||
      !eq_int(c, "tensor count", a->n_tensors, b->n_tensors) ||
      !eq_int(c, "op count", a->n_ops, b->n_ops) ||
      !eq_vi32(c, "inputs", a->inputs, b->inputs) ||
      !eq_vi32(c, "outputs", a->outputs, b->outputs))
    return false;
  for (int32_t i = 0; i < a->n_tensors; i++) {
    const char *name = a->tensors[i].name ? a->tensors[i].name : "";
    set_where(c, "subgraph %d tensor %d '%.80s'", si, (int)i, name);
    if (!tensor_eq(c, &a->tensors[i], &b->tensors[i])) return false;
  }
  for (int32_t i = 0; i < a->n_ops; i++) {
    set_where(c, "subgraph %d op %d", si, (int)i);
    if (!op_eq(c, &a->ops[i], &b->ops[i])) return false;
  }
  return true;
}

/* ---------------------------------------------------------- model-level */

static bool opcode_eq(cmp *c, const pnn_opcode_def *a,
                      const pnn_opcode_def *b) {
  return eq_int(c, "builtin", a->builtin, b->builtin) &&
         eq_int(c, "deprecated_builtin_code", a->deprecated_builtin_code,
                b->deprecated_builtin_code) &&
         eq_int(c, "builtin_code", a->builtin_code, b->builtin_code) &&
         eq_str(c, "custom_code", a->custom_code, b->custom_code) &&
         eq_int(c, "version", a->version, b->version);
}

static bool tensor_maps_eq(cmp *c, const char *what,
                           const pnn_tensor_map_def *a, int32_t na,
                           const pnn_tensor_map_def *b, int32_t nb) {
  char f[64];
  snprintf(f, sizeof f, "%s count", what);
  if (!eq_int(c, f, na, nb)) return false;
  for (int32_t i = 0; i < na; i++) {
    snprintf(f, sizeof f, "%s[%d].name", what, (int)i);
    if (!eq_str(c, f, a[i].name, b[i].name)) return false;
    snprintf(f, sizeof f, "%s[%d].tensor_index", what, (int)i);
    if (!eq_int(c, f, a[i].tensor_index, b[i].tensor_index)) return false;
  }
  return true;
}

static bool model_eq(cmp *c, const pnn_model_def *a, const pnn_model_def *b) {
  set_where(c, "model");
  if (!eq_int(c, "version", a->version, b->version) ||
      !eq_str(c, "description", a->description, b->description) ||
      !eq_int(c, "opcode count", a->n_opcodes, b->n_opcodes) ||
      !eq_int(c, "subgraph count", a->n_subgraphs, b->n_subgraphs) ||
      !eq_int(c, "buffer count", a->n_buffers, b->n_buffers) ||
      !eq_int(c, "metadata count", a->n_metadata, b->n_metadata) ||
      !eq_int(c, "signature count", a->n_signatures, b->n_signatures) ||
      !eq_vi32(c, "metadata_buffer", a->metadata_buffer, b->metadata_buffer))
    return false;
  for (int32_t i = 0; i < a->n_opcodes; i++) {
    set_where(c, "opcode %d", (int)i);
    if (!opcode_eq(c, &a->opcodes[i], &b->opcodes[i])) return false;
  }
  for (int32_t i = 0; i < a->n_buffers; i++) {
    set_where(c, "buffer %d", (int)i);
    if (!eq_array(c, "data", E_U8, a->buffers[i].data, a->buffers[i].size,
                  b->buffers[i].data, b->buffers[i].size))
      return false;
  }
  for (int32_t i = 0; i < a->n_subgraphs; i++)
    if (!subgraph_eq(c, &a->subgraphs[i], &b->subgraphs[i], (int)i))
      return false;
  for (int32_t i = 0; i < a->n_metadata; i++) {
    set_where(c, "metadata %d", (int)i);
    if (!eq_str(c, "name", a->metadata[i].name, b->metadata[i].name) ||
        !eq_int(c, "buffer", a->metadata[i].buffer, b->metadata[i].buffer))
      return false;
  }
  for (int32_t i = 0; i < a->n_signatures; i++) {
    const pnn_signature_def *x = &a->signatures[i], *y = &b->signatures[i];
    set_where(c, "signature %d", (int)i);
    if (!eq_str(c, "key", x->key, y->key) ||
        !eq_int(c, "subgraph_index", x->subgraph_index, y->subgraph_index) ||
        !tensor_maps_eq(c, "inputs", x->inputs, x->n_inputs, y->inputs,
                        y->n_inputs) ||
        !tensor_maps_eq(c, "outputs", x->outputs, x->n_outputs, y->outputs,
                        y->n_outputs))
      return false;
  }
  return true;
}

bool pnn_model_def_equal(const pnn_model_def *a, const pnn_model_def *b,
                         char *why, size_t why_size) {
  cmp c = {why, why_size, ""};
  if (why && why_size) why[0] = 0;
  if (!a || !b) return a == b || differ(&c, "one model is NULL");
  return model_eq(&c, a, b);
}
