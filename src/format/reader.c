/* The verifying .tflite reader: FlatBuffer bytes -> pnn_model_def.
 *
 * One pass decodes every table the runtime needs and checks it, so after
 * pnn_model_decode succeeds nothing reads the file's structure again.
 * Structural checks live in flatbuf_read.c; this file adds the schema (slot
 * numbers, defaults, union members) and the semantic checks (indices in
 * range, buffer sizes, quantization, sparsity).
 *
 * Linear time: every table opened and every element copied is charged to a
 * work budget proportional to the file size. An honest file never shares
 * tables, so it spends at most about one unit per 4 bytes; a hostile file
 * that points many offsets at one big table runs out of budget instead of
 * making decoding quadratic.
 *
 * Slot numbers below are field positions in schema.fbs (a union takes two
 * slots: type, then value). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "flatbuf_read.h"
#include "op_options.h"
#include "model.h"
#include "util/pool.h"

typedef struct rd {
  pnn_fb fb;
  const uint8_t *bytes; /* whole file, for the offset/size forms */
  size_t file_size;
  pnn_pool *pool;
  char *err;
  size_t err_size;
  char where[192]; /* e.g. "subgraph 0 tensor 12 (conv/weights)" */
  uint64_t work, budget;
  pnn_model_def *m;
} rd;

#define TRY(x)                             \
  do {                                     \
    pnn_status try_st_ = (x);              \
    if (try_st_ != PNN_OK) return try_st_; \
  } while (0)

/* A FlatBuffer-level failure while reading field `name`. */
#define FB(r, call, name)                          \
  do {                                             \
    if ((call) != PNN_OK) return fb_fail(r, name); \
  } while (0)

#if defined(__GNUC__)
#define PNN_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define PNN_PRINTF(a, b)
#endif

static void set_where(rd *r, const char *fmt, ...) PNN_PRINTF(2, 3);
static pnn_status bad(rd *r, const char *fmt, ...) PNN_PRINTF(2, 3);

static void set_where(rd *r, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->where, sizeof(r->where), fmt, ap);
  va_end(ap);
}

/* Semantic failure: "<where>: <message>". */
static pnn_status bad(rd *r, const char *fmt, ...) {
  if (r->err && r->err_size) {
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (r->where[0])
      snprintf(r->err, r->err_size, "%s: %s", r->where, msg);
    else
      snprintf(r->err, r->err_size, "%s", msg);
  }
  return PNN_ERROR_INVALID_MODEL;
}

static pnn_status fb_fail(rd *r, const char *field) {
  return bad(r, "field %s: %s", field, r->fb.reason);
}

static pnn_status oom(rd *r) {
  if (r->err && r->err_size)
    snprintf(r->err, r->err_size, "out of memory while decoding the model (%s)",
             r->where);
  return PNN_ERROR_OUT_OF_MEMORY;
}

static pnn_status spend(rd *r, uint64_t units) {
  r->work += units;
  if (r->work > r->budget)
    return bad(r,
               "decoding needs more than %llu steps for a %zu-byte file; "
               "the file reuses the same tables too often",
               (unsigned long long)r->budget, r->file_size);
  return PNN_OK;
}

static void *alloc(rd *r, size_t n, size_t size) {
  return pnn_pool_calloc(r->pool, n ? n : 1, size);
}

/* ------------------------------------------------------------ vectors */

/* Scalar vectors are copied into the pool: the file may be unaligned in
 * memory (a borrowed buffer) and a hostile bool byte must be normalized. */
static pnn_status vec_i32(rd *r, const pnn_fb_table *t, int slot,
                          const char *name, pnn_vec_i32 *out) {
  pnn_fb_vec v;
  FB(r, pnn_fb_vector(&r->fb, t, slot, 4, &v), name);
  out->data = NULL;
  out->count = (int32_t)v.count;
  if (!v.count) return PNN_OK;
  TRY(spend(r, v.count));
  int32_t *d = alloc(r, v.count, 4);
  if (!d) return oom(r);
  memcpy(d, r->fb.buf + v.pos, (size_t)v.count * 4);
  out->data = d;
  return PNN_OK;
}

static pnn_status vec_u32(rd *r, const pnn_fb_table *t, int slot,
                          const char *name, pnn_vec_u32 *out) {
  pnn_vec_i32 v;
  TRY(vec_i32(r, t, slot, name, &v));
  out->data = (const uint32_t *)(const void *)v.data;
  out->count = v.count;
  return PNN_OK;
}

static pnn_status vec_f32(rd *r, const pnn_fb_table *t, int slot,
                          const char *name, pnn_vec_f32 *out) {
  pnn_vec_i32 v;
  TRY(vec_i32(r, t, slot, name, &v));
  out->data = (const float *)(const void *)v.data;
  out->count = v.count;
  return PNN_OK;
}

static pnn_status vec_i64(rd *r, const pnn_fb_table *t, int slot,
                          const char *name, pnn_vec_i64 *out) {
  pnn_fb_vec v;
  FB(r, pnn_fb_vector(&r->fb, t, slot, 8, &v), name);
  out->data = NULL;
  out->count = (int32_t)v.count;
  if (!v.count) return PNN_OK;
  TRY(spend(r, v.count));
  int64_t *d = alloc(r, v.count, 8);
  if (!d) return oom(r);
  memcpy(d, r->fb.buf + v.pos, (size_t)v.count * 8);
  out->data = d;
  return PNN_OK;
}

static pnn_status vec_bool(rd *r, const pnn_fb_table *t, int slot,
                           const char *name, pnn_vec_bool *out) {
  pnn_fb_vec v;
  FB(r, pnn_fb_vector(&r->fb, t, slot, 1, &v), name);
  out->data = NULL;
  out->count = (int32_t)v.count;
  if (!v.count) return PNN_OK;
  TRY(spend(r, v.count));
  bool *d = alloc(r, v.count, sizeof(bool));
  if (!d) return oom(r);
  for (uint32_t i = 0; i < v.count; i++) d[i] = r->fb.buf[v.pos + i] != 0;
  out->data = d;
  return PNN_OK;
}

/* Byte vectors (buffer data, custom options) stay in the file: zero-copy. */
static pnn_status vec_u8(rd *r, const pnn_fb_table *t, int slot,
                         const char *name, pnn_vec_u8 *out) {
  pnn_fb_vec v;
  FB(r, pnn_fb_vector(&r->fb, t, slot, 1, &v), name);
  out->data = v.count ? r->fb.buf + v.pos : NULL;
  out->count = (int32_t)v.count;
  return PNN_OK;
}

/* Strings point into the file (verified NUL-terminated). */
static pnn_status str_field(rd *r, const pnn_fb_table *t, int slot,
                            const char *name, const char **out,
                            const char *absent) {
  uint32_t len;
  FB(r, pnn_fb_string(&r->fb, t, slot, out, &len), name);
  if (!*out) *out = absent;
  return PNN_OK;
}

/* Opens element i of a vector of tables, charging one unit. */
static pnn_status elem_table(rd *r, const pnn_fb_vec *v, uint32_t i, int depth,
                             const char *name, pnn_fb_table *out) {
  TRY(spend(r, 1));
  FB(r, pnn_fb_vector_table(&r->fb, v, i, depth, out), name);
  return PNN_OK;
}

/* ------------------------------------------------------------ options */

static const char *op_name(const rd *r, const pnn_op_def *op) {
  if (op->opcode_index >= (uint32_t)r->m->n_opcodes) return "?";
  const pnn_opcode_def *c = &r->m->opcodes[op->opcode_index];
  if (c->custom_code && c->builtin == PNN_OP_CUSTOM) return c->custom_code;
  const char *n = pnn_builtin_name(c->builtin);
  return n ? n : "unknown op";
}

/* Decodes one scalar field of an option table into dst. */
static pnn_status option_scalar(rd *r, const pnn_fb_table *t,
                                const pnn_field_desc *f, void *dst) {
  switch ((pnn_field_kind)f->kind) {
    case PNN_F_BOOL: {
      bool v;
      FB(r, pnn_fb_bool(&r->fb, t, f->slot, f->dflt != 0, &v), f->name);
      memcpy(dst, &v, sizeof(v));
      return PNN_OK;
    }
    case PNN_F_I8: {
      int8_t v;
      FB(r, pnn_fb_i8(&r->fb, t, f->slot, (int8_t)f->dflt, &v), f->name);
      memcpy(dst, &v, sizeof(v));
      return PNN_OK;
    }
    case PNN_F_I32: {
      int32_t v;
      FB(r, pnn_fb_i32(&r->fb, t, f->slot, (int32_t)f->dflt, &v), f->name);
      memcpy(dst, &v, sizeof(v));
      return PNN_OK;
    }
    case PNN_F_U32: {
      uint32_t v;
      FB(r, pnn_fb_u32(&r->fb, t, f->slot, (uint32_t)f->dflt, &v), f->name);
      memcpy(dst, &v, sizeof(v));
      return PNN_OK;
    }
    case PNN_F_I64: {
      int64_t v;
      FB(r, pnn_fb_i64(&r->fb, t, f->slot, (int64_t)f->dflt, &v), f->name);
      memcpy(dst, &v, sizeof(v));
      return PNN_OK;
    }
    case PNN_F_F32: {
      float v;
      FB(r, pnn_fb_f32(&r->fb, t, f->slot, (float)f->dflt, &v), f->name);
      memcpy(dst, &v, sizeof(v));
      return PNN_OK;
    }
    default:
      return bad(r, "option field %s has unknown kind %d", f->name, f->kind);
  }
}

/* Decodes one field of any kind into dst (the member inside the struct). */
static pnn_status option_field(rd *r, const pnn_fb_table *t,
                               const pnn_field_desc *f, void *dst) {
  switch ((pnn_field_kind)f->kind) {
    case PNN_F_VEC_I32: return vec_i32(r, t, f->slot, f->name, dst);
    case PNN_F_VEC_I64: return vec_i64(r, t, f->slot, f->name, dst);
    case PNN_F_VEC_U32: return vec_u32(r, t, f->slot, f->name, dst);
    case PNN_F_VEC_F32: return vec_f32(r, t, f->slot, f->name, dst);
    case PNN_F_VEC_U8: return vec_u8(r, t, f->slot, f->name, dst);
    case PNN_F_VEC_BOOL: return vec_bool(r, t, f->slot, f->name, dst);
    case PNN_F_STRING: {
      const char *s;
      TRY(str_field(r, t, f->slot, f->name, &s, ""));
      memcpy(dst, &s, sizeof(s));
      return PNN_OK;
    }
    default: return option_scalar(r, t, f, dst);
  }
}

/* Options that name a subgraph (IF, WHILE, CALL_ONCE, CALL, StableHLO
 * regions) are recognised by field name so that a new table in
 * options.def is covered without touching this file. */
static pnn_status check_subgraph_ref(rd *r, const pnn_field_desc *f,
                                     const void *dst) {
  if (!strstr(f->name, "subgraph")) return PNN_OK;
  int64_t v;
  if (f->kind == PNN_F_I32) {
    int32_t x;
    memcpy(&x, dst, 4);
    v = x;
  } else if (f->kind == PNN_F_U32) {
    uint32_t x;
    memcpy(&x, dst, 4);
    v = x;
  } else {
    return PNN_OK;
  }
  if (v < 0 || v >= r->m->n_subgraphs)
    return bad(r, "%s %lld out of range (model has %d subgraphs)", f->name,
               (long long)v, r->m->n_subgraphs);
  return PNN_OK;
}

static pnn_status decode_options(rd *r, const pnn_fb_table *op_t, int set,
                                 int type_slot, uint8_t *type,
                                 pnn_builtin_options *out) {
  pnn_fb_table t;
  const char *fname = set == 1 ? "builtin_options" : "builtin_options_2";
  FB(r, pnn_fb_union(&r->fb, op_t, type_slot, type, &t), fname);
  memset(out, 0, sizeof(*out));
  if (*type == 0) return PNN_OK;
  const pnn_options_desc *d = pnn_options_describe(set, *type);
  if (!d) return bad(r, "%s type %u is not in the schema", fname, *type);
  TRY(spend(r, 1 + (uint64_t)d->n_fields));
  for (int i = 0; i < d->n_fields; i++) {
    const pnn_field_desc *f = &d->fields[i];
    void *dst = (char *)out + f->offset;
    TRY(option_field(r, &t, f, dst));
    TRY(check_subgraph_ref(r, f, dst));
  }
  return PNN_OK;
}

/* ---------------------------------------------------- buffers, opcodes */

/* [offset, offset + size) must lie inside the file. */
static bool file_range_ok(const rd *r, uint64_t offset, uint64_t size) {
  return offset <= r->file_size && size <= r->file_size - offset;
}

static pnn_status decode_buffer(rd *r, const pnn_fb_table *t,
                                pnn_buffer_def *b) {
  pnn_vec_u8 data;
  TRY(vec_u8(r, t, 0, "data", &data));
  uint64_t offset, size;
  FB(r, pnn_fb_u64(&r->fb, t, 1, 0, &offset), "offset");
  FB(r, pnn_fb_u64(&r->fb, t, 2, 0, &size), "size");
  /* The schema says the offset form is "only valid if > 1". */
  if (offset > 1) {
    if (!file_range_ok(r, offset, size))
      return bad(r,
                 "data at offset %llu size %llu lies outside the file "
                 "(%zu bytes)",
                 (unsigned long long)offset, (unsigned long long)size,
                 r->file_size);
    b->offset = offset;
    b->size = size;
    b->data = size ? r->bytes + offset : NULL;
  } else {
    b->size = (uint64_t)data.count;
    b->data = data.count ? data.data : NULL;
  }
  return PNN_OK;
}

static pnn_status decode_buffers(rd *r, const pnn_fb_table *model) {
  pnn_fb_vec v;
  set_where(r, "model");
  FB(r, pnn_fb_vector(&r->fb, model, 4, 4, &v), "buffers");
  pnn_buffer_def *bufs = alloc(r, v.count, sizeof(*bufs));
  if (!bufs) return oom(r);
  for (uint32_t i = 0; i < v.count; i++) {
    pnn_fb_table t;
    set_where(r, "buffer %u", i);
    TRY(elem_table(r, &v, i, 1, "buffers", &t));
    TRY(decode_buffer(r, &t, &bufs[i]));
  }
  r->m->buffers = bufs;
  r->m->n_buffers = (int32_t)v.count;
  return PNN_OK;
}

static pnn_status decode_opcodes(rd *r, const pnn_fb_table *model) {
  pnn_fb_vec v;
  set_where(r, "model");
  FB(r, pnn_fb_vector(&r->fb, model, 1, 4, &v), "operator_codes");
  pnn_opcode_def *codes = alloc(r, v.count, sizeof(*codes));
  if (!codes) return oom(r);
  for (uint32_t i = 0; i < v.count; i++) {
    pnn_fb_table t;
    pnn_opcode_def *c = &codes[i];
    set_where(r, "operator_code %u", i);
    TRY(elem_table(r, &v, i, 1, "operator_codes", &t));
    FB(r, pnn_fb_i8(&r->fb, &t, 0, 0, &c->deprecated_builtin_code),
       "deprecated_builtin_code");
    TRY(str_field(r, &t, 1, "custom_code", &c->custom_code, NULL));
    FB(r, pnn_fb_i32(&r->fb, &t, 2, 1, &c->version), "version");
    FB(r, pnn_fb_i32(&r->fb, &t, 3, 0, &c->builtin_code), "builtin_code");
    /* Old files only set the byte code; new ones set both, with the byte
     * code saturated at PLACEHOLDER_FOR_GREATER_OP_CODES (127). */
    c->builtin = c->deprecated_builtin_code > c->builtin_code
                     ? c->deprecated_builtin_code
                     : c->builtin_code;
    if (c->builtin < 0)
      return bad(r, "builtin code %d is negative", c->builtin);
  }
  r->m->opcodes = codes;
  r->m->n_opcodes = (int32_t)v.count;
  return PNN_OK;
}

/* ------------------------------------------------------------- tensors */

static pnn_status check_quant(rd *r, const pnn_tensor_def *t) {
  const pnn_quant_def *q = &t->quant;
  for (int32_t i = 0; i < q->n_scale; i++) {
    float s = q->scale[i];
    if (!isfinite(s) || !(s > 0))
      return bad(r, "quantization scale[%d] = %g is not finite and > 0", i,
                 (double)s);
  }
  if (q->n_zero_point && q->n_zero_point != q->n_scale)
    return bad(r, "quantization has %d zero points for %d scales",
               q->n_zero_point, q->n_scale);
  /* A zero point must be a value of the tensor's own type. */
  int64_t lo = 0, hi = -1;
  switch (t->type) {
    case PNN_TYPE_INT4: lo = -8; hi = 7; break;
    case PNN_TYPE_INT8: lo = -128; hi = 127; break;
    case PNN_TYPE_UINT8: lo = 0; hi = 255; break;
    case PNN_TYPE_INT16: lo = -32768; hi = 32767; break;
    case PNN_TYPE_UINT16: lo = 0; hi = 65535; break;
    default: break;
  }
  for (int32_t i = 0; q->n_scale && i < q->n_zero_point && lo <= hi; i++)
    if (q->zero_point[i] < lo || q->zero_point[i] > hi)
      return bad(r, "quantization zero_point[%d] = %lld is outside the %s "
                 "range [%lld, %lld]", i, (long long)q->zero_point[i],
                 pnn_type_name(t->type), (long long)lo, (long long)hi);
  if (q->n_scale > 1) {
    int32_t d = q->quantized_dimension;
    if (d < 0 || d >= t->rank)
      return bad(r, "quantized_dimension %d out of range for rank %d", d,
                 t->rank);
    if (t->shape[d] != q->n_scale)
      return bad(r, "%d per-channel scales but dimension %d has size %d",
                 q->n_scale, d, t->shape[d]);
  }
  return PNN_OK;
}

static pnn_status decode_quant(rd *r, const pnn_fb_table *t, pnn_quant_def *q) {
  pnn_vec_f32 mn, mx, sc;
  pnn_vec_i64 zp;
  TRY(vec_f32(r, t, 0, "quantization.min", &mn));
  TRY(vec_f32(r, t, 1, "quantization.max", &mx));
  TRY(vec_f32(r, t, 2, "quantization.scale", &sc));
  TRY(vec_i64(r, t, 3, "quantization.zero_point", &zp));
  q->n_min = mn.count;
  q->min = mn.data;
  q->n_max = mx.count;
  q->max = mx.data;
  q->n_scale = sc.count;
  q->scale = sc.data;
  q->n_zero_point = zp.count;
  q->zero_point = zp.data;
  pnn_fb_table d;
  FB(r, pnn_fb_union(&r->fb, t, 4, &q->details_type, &d),
     "quantization.details");
  if (q->details_type == 1) {
    TRY(vec_u8(r, &d, 0, "quantization.details.custom", &q->custom));
  } else if (q->details_type != 0) {
    return bad(r, "quantization details type %u is not in the schema",
               q->details_type);
  }
  FB(r, pnn_fb_i32(&r->fb, t, 6, 0, &q->quantized_dimension),
     "quantization.quantized_dimension");
  return PNN_OK;
}

/* A SparseIndexVector union, widened to int32. */
static pnn_status decode_index_vector(rd *r, const pnn_fb_table *t,
                                      int type_slot, const char *name,
                                      uint8_t *type, pnn_vec_i32 *out) {
  pnn_fb_table v;
  FB(r, pnn_fb_union(&r->fb, t, type_slot, type, &v), name);
  out->data = NULL;
  out->count = 0;
  if (*type == 0) return PNN_OK;
  if (*type == 1) return vec_i32(r, &v, 0, name, out);
  if (*type > 3) return bad(r, "%s type %u is not in the schema", name, *type);
  size_t width = *type == 2 ? 2 : 1;
  pnn_fb_vec fv;
  FB(r, pnn_fb_vector(&r->fb, &v, 0, width, &fv), name);
  TRY(spend(r, fv.count));
  int32_t *d = alloc(r, fv.count, 4);
  if (!d) return oom(r);
  for (uint32_t i = 0; i < fv.count; i++)
    d[i] = width == 2 ? pnn_fb_vec_u16(&r->fb, &fv, i)
                      : pnn_fb_vec_u8(&r->fb, &fv, i);
  out->data = d;
  out->count = (int32_t)fv.count;
  return PNN_OK;
}

static pnn_status decode_dim_metadata(rd *r, const pnn_fb_table *t, int32_t k,
                                      pnn_dim_metadata_def *dm) {
  char name[64];
  FB(r, pnn_fb_i8(&r->fb, t, 0, 0, &dm->format), "dim_metadata.format");
  FB(r, pnn_fb_i32(&r->fb, t, 1, 0, &dm->dense_size),
     "dim_metadata.dense_size");
  snprintf(name, sizeof(name), "sparsity.dim_metadata[%d].array_segments", k);
  TRY(decode_index_vector(r, t, 2, name, &dm->segments_type, &dm->segments));
  snprintf(name, sizeof(name), "sparsity.dim_metadata[%d].array_indices", k);
  TRY(decode_index_vector(r, t, 4, name, &dm->indices_type, &dm->indices));
  if (dm->format != PNN_DIM_DENSE && dm->format != PNN_DIM_SPARSE_CSR)
    return bad(r, "sparsity.dim_metadata[%d].format %d is not in the schema", k,
               dm->format);
  if (dm->dense_size < 0)
    return bad(r, "sparsity.dim_metadata[%d].dense_size %d is negative", k,
               dm->dense_size);
  if (dm->format == PNN_DIM_SPARSE_CSR &&
      (dm->segments_type == 0 || dm->indices_type == 0))
    return bad(r,
               "sparsity.dim_metadata[%d] is SPARSE_CSR without "
               "array_segments and array_indices",
               k);
  return PNN_OK;
}

static pnn_status decode_sparsity(rd *r, const pnn_fb_table *t, int32_t rank,
                                  pnn_sparsity_def *sp) {
  TRY(vec_i32(r, t, 0, "sparsity.traversal_order", &sp->traversal_order));
  TRY(vec_i32(r, t, 1, "sparsity.block_map", &sp->block_map));
  pnn_fb_vec v;
  FB(r, pnn_fb_vector(&r->fb, t, 2, 4, &v), "sparsity.dim_metadata");
  pnn_dim_metadata_def *dms = alloc(r, v.count, sizeof(*dms));
  if (!dms) return oom(r);
  for (uint32_t i = 0; i < v.count; i++) {
    pnn_fb_table dt;
    TRY(elem_table(r, &v, i, t->depth + 1, "sparsity.dim_metadata", &dt));
    TRY(decode_dim_metadata(r, &dt, (int32_t)i, &dms[i]));
  }
  sp->dim_metadata = dms;
  sp->n_dim_metadata = (int32_t)v.count;
  /* traversal_order lists the rank dense dims then the block dims. */
  int32_t n_order = sp->traversal_order.count, n_block = sp->block_map.count;
  if (n_block > rank || n_order != rank + n_block)
    return bad(r,
               "sparsity.traversal_order has %d entries, expected rank %d "
               "+ %d block dims",
               n_order, rank, n_block);
  if (sp->n_dim_metadata != n_order)
    return bad(r,
               "sparsity has %d dim_metadata for %d traversal_order "
               "entries",
               sp->n_dim_metadata, n_order);
  for (int32_t i = 0; i < n_order; i++) {
    int32_t d = sp->traversal_order.data[i];
    if (d < 0 || d >= n_order)
      return bad(r, "sparsity.traversal_order[%d] = %d out of range [0, %d)", i,
                 d, n_order);
  }
  for (int32_t i = 0; i < n_block; i++) {
    int32_t d = sp->block_map.data[i];
    if (d < 0 || d >= rank)
      return bad(r, "sparsity.block_map[%d] = %d out of range [0, %d)", i, d,
                 rank);
  }
  return PNN_OK;
}

/* Bytes a dense tensor of this shape and type occupies; false if the type
 * has no fixed size or the product overflows. */
static bool dense_bytes(const pnn_tensor_def *t, uint64_t *bytes,
                        bool *overflow) {
  uint64_t n = 1;
  *overflow = false;
  for (int32_t i = 0; i < t->rank; i++) {
    uint64_t d = (uint64_t)t->shape[i];
    if (d && n > UINT64_MAX / d) {
      *overflow = true;
      return false;
    }
    n *= d;
  }
  if (t->type == PNN_TYPE_INT4) {
    *bytes = n / 2 + n % 2;
    return true;
  }
  uint64_t size = pnn_type_size(t->type);
  if (!size) return false;
  if (n > UINT64_MAX / size) {
    *overflow = true;
    return false;
  }
  *bytes = n * size;
  return true;
}

static pnn_status check_tensor(rd *r, const pnn_tensor_def *t) {
  for (int32_t i = 0; i < t->rank; i++)
    if (t->shape[i] < 0)
      return bad(r, "shape[%d] = %d is negative", i, t->shape[i]);
  if (t->signature_rank >= 0) {
    if (t->signature_rank != t->rank)
      return bad(r, "shape_signature has %d dims but shape has %d",
                 t->signature_rank, t->rank);
    for (int32_t i = 0; i < t->signature_rank; i++)
      if (t->shape_signature[i] < -1)
        return bad(r, "shape_signature[%d] = %d is below -1", i,
                   t->shape_signature[i]);
  }
  if (t->buffer && (int64_t)t->buffer >= r->m->n_buffers)
    return bad(r, "buffer %u out of range (model has %d buffers)", t->buffer,
               r->m->n_buffers);
  if (t->has_quant) TRY(check_quant(r, t));
  const pnn_buffer_def *b = pnn_model_tensor_buffer(r->m, t);
  /* Sparse constants hold only the non-zeros; DENSIFY checks them. */
  if (!b || t->sparsity) return PNN_OK;
  uint64_t want;
  bool overflow;
  if (!dense_bytes(t, &want, &overflow)) {
    if (overflow) return bad(r, "element count times type size overflows");
    return PNN_OK; /* string, resource, variant: no fixed size */
  }
  if (want != b->size)
    return bad(r, "buffer %u holds %llu bytes but shape and type %s need %llu",
               t->buffer, (unsigned long long)b->size, pnn_type_name(t->type),
               (unsigned long long)want);
  return PNN_OK;
}

static pnn_status decode_tensor(rd *r, const pnn_fb_table *t, int32_t sg,
                                int32_t idx, pnn_tensor_def *td) {
  set_where(r, "subgraph %d tensor %d", sg, idx);
  TRY(str_field(r, t, 3, "name", &td->name, ""));
  set_where(r, "subgraph %d tensor %d (%.80s)", sg, idx, td->name);
  pnn_vec_i32 shape, sig;
  TRY(vec_i32(r, t, 0, "shape", &shape));
  td->rank = shape.count;
  td->shape = shape.data;
  int8_t type;
  FB(r, pnn_fb_i8(&r->fb, t, 1, 0, &type), "type");
  if (type < 0 || type > PNN_TYPE_BFLOAT16)
    return bad(r, "type %d is not a TensorType", type);
  td->type = (pnn_type)type;
  FB(r, pnn_fb_u32(&r->fb, t, 2, 0, &td->buffer), "buffer");
  pnn_fb_table sub;
  bool present;
  FB(r, pnn_fb_subtable(&r->fb, t, 4, &sub, &present), "quantization");
  td->has_quant = present;
  if (present) TRY(decode_quant(r, &sub, &td->quant));
  FB(r, pnn_fb_bool(&r->fb, t, 5, false, &td->is_variable), "is_variable");
  FB(r, pnn_fb_subtable(&r->fb, t, 6, &sub, &present), "sparsity");
  if (present) {
    pnn_sparsity_def *sp = alloc(r, 1, sizeof(*sp));
    if (!sp) return oom(r);
    TRY(decode_sparsity(r, &sub, td->rank, sp));
    td->sparsity = sp;
  }
  bool has_sig = pnn_fb_field_pos(&r->fb, t, 7) != 0;
  TRY(vec_i32(r, t, 7, "shape_signature", &sig));
  td->signature_rank = has_sig ? sig.count : -1;
  td->shape_signature = sig.data;
  FB(r, pnn_fb_bool(&r->fb, t, 8, false, &td->has_rank), "has_rank");
  return check_tensor(r, td);
}

/* ----------------------------------------------------------- operators */

/* Each entry of `v` must be a tensor index of the subgraph (or -1 when
 * allow_absent). */
static pnn_status check_indices(rd *r, const char *what, pnn_vec_i32 v,
                                int32_t n_tensors, bool allow_absent) {
  for (int32_t i = 0; i < v.count; i++) {
    int32_t x = v.data[i];
    if (x == -1 && allow_absent) continue;
    if (x < 0 || x >= n_tensors)
      return bad(r,
                 "%s %d is tensor %d, out of range (subgraph has %d "
                 "tensors)",
                 what, i, x, n_tensors);
  }
  return PNN_OK;
}

static pnn_status decode_custom_options(rd *r, const pnn_fb_table *t,
                                        pnn_op_def *op) {
  pnn_vec_u8 inl;
  TRY(vec_u8(r, t, 5, "custom_options", &inl));
  FB(r, pnn_fb_i8(&r->fb, t, 6, 0, &op->custom_options_format),
     "custom_options_format");
  FB(r, pnn_fb_u64(&r->fb, t, 9, 0, &op->large_custom_options_offset),
     "large_custom_options_offset");
  FB(r, pnn_fb_u64(&r->fb, t, 10, 0, &op->large_custom_options_size),
     "large_custom_options_size");
  uint64_t off = op->large_custom_options_offset;
  uint64_t size = op->large_custom_options_size;
  if (off > 1) { /* "only valid if > 1", relative to the file start */
    if (!file_range_ok(r, off, size))
      return bad(r,
                 "large custom options at offset %llu size %llu lie "
                 "outside the file (%zu bytes)",
                 (unsigned long long)off, (unsigned long long)size,
                 r->file_size);
    op->custom_options = size ? r->bytes + off : NULL;
    op->custom_options_size = size;
  } else {
    op->large_custom_options_offset = 0;
    op->custom_options = inl.data;
    op->custom_options_size = (uint64_t)inl.count;
  }
  return PNN_OK;
}

/* Kernels read op->options through the member their op expects, so a union
 * holding another table must not get through. */
static pnn_status check_options_type(rd *r, const pnn_op_def *op) {
  int32_t builtin = r->m->opcodes[op->opcode_index].builtin;
  int want = pnn_builtin_options_type(builtin);
  if (want == PNN_OPTIONS_NONE || op->options_type == PNN_OPTIONS_NONE ||
      op->options_type == want)
    return PNN_OK;
  const pnn_options_desc *got = pnn_options_describe(1, op->options_type);
  const pnn_options_desc *exp = pnn_options_describe(1, (uint8_t)want);
  return bad(r, "builtin_options holds %s, but this operator takes %s",
             got ? got->name : "an unknown table",
             exp ? exp->name : "no options");
}

static pnn_status decode_op(rd *r, const pnn_fb_table *t, int32_t sg,
                            int32_t idx, int32_t n_tensors, pnn_op_def *op) {
  set_where(r, "subgraph %d op %d", sg, idx);
  FB(r, pnn_fb_u32(&r->fb, t, 0, 0, &op->opcode_index), "opcode_index");
  if (op->opcode_index >= (uint32_t)r->m->n_opcodes)
    return bad(r, "opcode_index %u out of range (model has %d operator codes)",
               op->opcode_index, r->m->n_opcodes);
  set_where(r, "subgraph %d op %d (%.80s)", sg, idx, op_name(r, op));
  TRY(vec_i32(r, t, 1, "inputs", &op->inputs));
  TRY(vec_i32(r, t, 2, "outputs", &op->outputs));
  TRY(vec_bool(r, t, 7, "mutating_variable_inputs",
               &op->mutating_variable_inputs));
  TRY(vec_i32(r, t, 8, "intermediates", &op->intermediates));
  TRY(check_indices(r, "input", op->inputs, n_tensors, true));
  TRY(check_indices(r, "output", op->outputs, n_tensors, false));
  TRY(check_indices(r, "intermediate", op->intermediates, n_tensors, false));
  TRY(decode_options(r, t, 1, 3, &op->options_type, &op->options));
  TRY(decode_options(r, t, 2, 11, &op->options2_type, &op->options2));
  TRY(check_options_type(r, op));
  return decode_custom_options(r, t, op);
}

/* ----------------------------------------------------------- subgraphs */

static pnn_status decode_subgraph(rd *r, const pnn_fb_table *t, int32_t sg,
                                  pnn_subgraph_def *s) {
  set_where(r, "subgraph %d", sg);
  TRY(str_field(r, t, 4, "name", &s->name, ""));
  pnn_fb_vec tv, ov;
  FB(r, pnn_fb_vector(&r->fb, t, 0, 4, &tv), "tensors");
  FB(r, pnn_fb_vector(&r->fb, t, 3, 4, &ov), "operators");
  pnn_tensor_def *tensors = alloc(r, tv.count, sizeof(*tensors));
  pnn_op_def *ops = alloc(r, ov.count, sizeof(*ops));
  if (!tensors || !ops) return oom(r);
  for (uint32_t i = 0; i < tv.count; i++) {
    pnn_fb_table tt;
    set_where(r, "subgraph %d tensor %u", sg, i);
    TRY(elem_table(r, &tv, i, t->depth + 1, "tensors", &tt));
    TRY(decode_tensor(r, &tt, sg, (int32_t)i, &tensors[i]));
  }
  s->tensors = tensors;
  s->n_tensors = (int32_t)tv.count;
  set_where(r, "subgraph %d", sg);
  TRY(vec_i32(r, t, 1, "inputs", &s->inputs));
  TRY(vec_i32(r, t, 2, "outputs", &s->outputs));
  TRY(check_indices(r, "input", s->inputs, s->n_tensors, false));
  TRY(check_indices(r, "output", s->outputs, s->n_tensors, false));
  for (uint32_t i = 0; i < ov.count; i++) {
    pnn_fb_table ot;
    set_where(r, "subgraph %d op %u", sg, i);
    TRY(elem_table(r, &ov, i, t->depth + 1, "operators", &ot));
    TRY(decode_op(r, &ot, sg, (int32_t)i, s->n_tensors, &ops[i]));
  }
  s->ops = ops;
  s->n_ops = (int32_t)ov.count;
  return PNN_OK;
}

static pnn_status decode_subgraphs(rd *r, const pnn_fb_table *model) {
  pnn_fb_vec v;
  set_where(r, "model");
  FB(r, pnn_fb_vector(&r->fb, model, 2, 4, &v), "subgraphs");
  if (v.count == 0) return bad(r, "the model has no subgraphs");
  pnn_subgraph_def *sgs = alloc(r, v.count, sizeof(*sgs));
  if (!sgs) return oom(r);
  /* Known before decoding so ops can check subgraph references. */
  r->m->n_subgraphs = (int32_t)v.count;
  r->m->subgraphs = sgs;
  for (uint32_t i = 0; i < v.count; i++) {
    pnn_fb_table t;
    set_where(r, "subgraph %u", i);
    TRY(elem_table(r, &v, i, 1, "subgraphs", &t));
    TRY(decode_subgraph(r, &t, (int32_t)i, &sgs[i]));
  }
  return PNN_OK;
}

/* ------------------------------------------------ metadata, signatures */

static pnn_status decode_metadata(rd *r, const pnn_fb_table *model) {
  set_where(r, "model");
  TRY(vec_i32(r, model, 5, "metadata_buffer", &r->m->metadata_buffer));
  for (int32_t i = 0; i < r->m->metadata_buffer.count; i++) {
    int32_t b = r->m->metadata_buffer.data[i];
    if (b < 0 || b >= r->m->n_buffers)
      return bad(r,
                 "metadata_buffer[%d] = %d out of range (model has %d "
                 "buffers)",
                 i, b, r->m->n_buffers);
  }
  pnn_fb_vec v;
  FB(r, pnn_fb_vector(&r->fb, model, 6, 4, &v), "metadata");
  pnn_metadata_def *md = alloc(r, v.count, sizeof(*md));
  if (!md) return oom(r);
  for (uint32_t i = 0; i < v.count; i++) {
    pnn_fb_table t;
    set_where(r, "metadata %u", i);
    TRY(elem_table(r, &v, i, 1, "metadata", &t));
    TRY(str_field(r, &t, 0, "name", &md[i].name, ""));
    set_where(r, "metadata %u (%.80s)", i, md[i].name);
    FB(r, pnn_fb_u32(&r->fb, &t, 1, 0, &md[i].buffer), "buffer");
    if ((int64_t)md[i].buffer >= r->m->n_buffers)
      return bad(r, "buffer %u out of range (model has %d buffers)",
                 md[i].buffer, r->m->n_buffers);
  }
  r->m->metadata = md;
  r->m->n_metadata = (int32_t)v.count;
  return PNN_OK;
}

static pnn_status decode_tensor_maps(rd *r, const pnn_fb_table *t, int slot,
                                     const char *what, int32_t n_tensors,
                                     int32_t *count,
                                     const pnn_tensor_map_def **out) {
  pnn_fb_vec v;
  FB(r, pnn_fb_vector(&r->fb, t, slot, 4, &v), what);
  pnn_tensor_map_def *maps = alloc(r, v.count, sizeof(*maps));
  if (!maps) return oom(r);
  for (uint32_t i = 0; i < v.count; i++) {
    pnn_fb_table mt;
    TRY(elem_table(r, &v, i, t->depth + 1, what, &mt));
    TRY(str_field(r, &mt, 0, "name", &maps[i].name, ""));
    FB(r, pnn_fb_u32(&r->fb, &mt, 1, 0, &maps[i].tensor_index), "tensor_index");
    if ((int64_t)maps[i].tensor_index >= n_tensors)
      return bad(r,
                 "%s %u (%.80s): tensor_index %u out of range (subgraph "
                 "has %d tensors)",
                 what, i, maps[i].name, maps[i].tensor_index, n_tensors);
  }
  *out = maps;
  *count = (int32_t)v.count;
  return PNN_OK;
}

static pnn_status decode_signatures(rd *r, const pnn_fb_table *model) {
  pnn_fb_vec v;
  set_where(r, "model");
  FB(r, pnn_fb_vector(&r->fb, model, 7, 4, &v), "signature_defs");
  pnn_signature_def *sigs = alloc(r, v.count, sizeof(*sigs));
  if (!sigs) return oom(r);
  for (uint32_t i = 0; i < v.count; i++) {
    pnn_fb_table t;
    pnn_signature_def *s = &sigs[i];
    set_where(r, "signature %u", i);
    TRY(elem_table(r, &v, i, 1, "signature_defs", &t));
    TRY(str_field(r, &t, 2, "signature_key", &s->key, ""));
    set_where(r, "signature %u (%.80s)", i, s->key);
    /* slot 3 is the deprecated tag */
    FB(r, pnn_fb_u32(&r->fb, &t, 4, 0, &s->subgraph_index), "subgraph_index");
    if ((int64_t)s->subgraph_index >= r->m->n_subgraphs)
      return bad(r, "subgraph_index %u out of range (model has %d subgraphs)",
                 s->subgraph_index, r->m->n_subgraphs);
    int32_t n_tensors = r->m->subgraphs[s->subgraph_index].n_tensors;
    TRY(decode_tensor_maps(r, &t, 0, "input", n_tensors, &s->n_inputs,
                           &s->inputs));
    TRY(decode_tensor_maps(r, &t, 1, "output", n_tensors, &s->n_outputs,
                           &s->outputs));
  }
  r->m->signatures = sigs;
  r->m->n_signatures = (int32_t)v.count;
  return PNN_OK;
}

/* --------------------------------------------------------------- model */

pnn_status pnn_model_decode(const uint8_t *bytes, size_t size,
                            struct pnn_pool *pool, pnn_model_def *out,
                            char *err, size_t err_size) {
  rd r;
  memset(&r, 0, sizeof(r));
  memset(out, 0, sizeof(*out));
  if (err && err_size) err[0] = '\0';
  r.bytes = bytes;
  r.file_size = size;
  r.pool = pool;
  r.err = err;
  r.err_size = err_size;
  r.m = out;
  pnn_fb_init(&r.fb, bytes, size);
  r.budget = 2 * (uint64_t)r.fb.size + 4096;
  if (!bytes || size < 8)
    return bad(&r, "file is %zu bytes, too small for a TFLite model", size);
  /* LiteRT's verifier also insists on the identifier. */
  if (!pnn_fb_has_identifier(&r.fb, "TFL3"))
    return bad(&r,
               "missing file identifier \"TFL3\" at bytes 4..7; not a "
               "TFLite model");
  pnn_fb_table model;
  set_where(&r, "model");
  FB(&r, pnn_fb_root(&r.fb, &model), "root");
  FB(&r, pnn_fb_u32(&r.fb, &model, 0, 0, &out->version), "version");
  TRY(str_field(&r, &model, 3, "description", &out->description, ""));
  TRY(decode_buffers(&r, &model));
  TRY(decode_opcodes(&r, &model));
  TRY(decode_subgraphs(&r, &model));
  TRY(decode_metadata(&r, &model));
  TRY(decode_signatures(&r, &model));
  return PNN_OK;
}
