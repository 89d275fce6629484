/* The .tflite writer: pnn_model_def -> TFLite FlatBuffer (see writer.h).
 *
 * Vtable slot numbers below are the fields' positions in schema.fbs; a
 * union field takes two slots (its type, then its value). */
#include "writer.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flatbuf_build.h"

/* Slots of the tables written here (schema.fbs declaration order). */
enum {
  MODEL_VERSION,
  MODEL_OPCODES,
  MODEL_SUBGRAPHS,
  MODEL_DESCRIPTION,
  MODEL_BUFFERS,
  MODEL_METADATA_BUFFER,
  MODEL_METADATA,
  MODEL_SIGNATURES
};
enum { OPC_DEPRECATED, OPC_CUSTOM, OPC_VERSION, OPC_BUILTIN };
enum { SG_TENSORS, SG_INPUTS, SG_OUTPUTS, SG_OPERATORS, SG_NAME };
enum {
  T_SHAPE,
  T_TYPE,
  T_BUFFER,
  T_NAME,
  T_QUANT,
  T_IS_VARIABLE,
  T_SPARSITY,
  T_SHAPE_SIGNATURE,
  T_HAS_RANK
};
enum { Q_MIN, Q_MAX, Q_SCALE, Q_ZERO_POINT, Q_DETAILS_TYPE, Q_DETAILS, Q_QDIM };
enum { SP_TRAVERSAL, SP_BLOCK_MAP, SP_DIM_METADATA };
enum { DM_FORMAT, DM_DENSE_SIZE, DM_SEG_TYPE, DM_SEG, DM_IDX_TYPE, DM_IDX };
enum {
  OP_OPCODE,
  OP_INPUTS,
  OP_OUTPUTS,
  OP_OPT_TYPE,
  OP_OPT,
  OP_CUSTOM,
  OP_CUSTOM_FORMAT,
  OP_MUTATING,
  OP_INTERMEDIATES,
  OP_LARGE_OFFSET,
  OP_LARGE_SIZE,
  OP_OPT2_TYPE,
  OP_OPT2
};
enum { BUF_DATA, BUF_OFFSET, BUF_SIZE };
enum { MD_NAME, MD_BUFFER };
enum { TM_NAME, TM_TENSOR };
enum { SIG_INPUTS, SIG_OUTPUTS, SIG_KEY, SIG_DEPRECATED_TAG, SIG_SUBGRAPH };

/* Blob stored after the FlatBuffer in the offset/size form. */
typedef struct ext_blob {
  const uint8_t *data;
  uint64_t size, offset;
} ext_blob;

typedef struct writer {
  pnn_fbb b;
  size_t limit; /* FlatBuffer size limit */
  const pnn_model_def *m;
  pnn_status status;
  char err[256];
  bool external;     /* offset/size form */
  uint64_t ext_base; /* file offset of the first blob */
  uint64_t ext_end;  /* end of the last blob, relative to ext_base */
  ext_blob *blobs;
  size_t n_blobs, cap_blobs;
} writer;

static void werr(writer *w, pnn_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void werr(writer *w, pnn_status st, const char *fmt, ...) {
  if (w->status != PNN_OK) return;
  w->status = st;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(w->err, sizeof w->err, fmt, ap);
  va_end(ap);
}

static bool ok(const writer *w) {
  return w->status == PNN_OK && pnn_fbb_ok(&w->b);
}

/* Refs for a vector of tables, freed by the caller. */
static pnn_fb_ref *ref_array(writer *w, int32_t n) {
  pnn_fb_ref *r = calloc(n > 0 ? (size_t)n : 1, sizeof *r);
  if (!r) werr(w, PNN_ERROR_OUT_OF_MEMORY, "writer: out of memory");
  return r;
}

/* Checks that an array given as (pointer, count) is usable. */
static bool check_array(writer *w, const void *p, int64_t n, const char *what) {
  if (n < 0 || (n > 0 && !p)) {
    werr(w, PNN_ERROR_INVALID_ARGUMENT, "%s: count %lld with %s array", what,
         (long long)n, p ? "an" : "a NULL");
    return false;
  }
  return true;
}

static pnn_fb_ref vec_i32(writer *w, const int32_t *p, int32_t n) {
  return pnn_fbb_vector(&w->b, p, 4, (size_t)n, 4);
}

/* Optional vector: written when it has elements. */
static pnn_fb_ref opt_vec_i32(writer *w, pnn_vec_i32 v, const char *what) {
  if (!check_array(w, v.data, v.count, what) || v.count == 0) return 0;
  return vec_i32(w, v.data, v.count);
}

static pnn_fb_ref opt_string(writer *w, const char *s) {
  return s ? pnn_fbb_cstring(&w->b, s) : 0;
}

/* Places a blob after the FlatBuffer (offset/size form); returns its file
 * offset. Offsets are 16-byte aligned, like buffer data inside. */
static uint64_t add_blob(writer *w, const uint8_t *data, uint64_t size) {
  if (w->n_blobs == w->cap_blobs) {
    size_t cap = w->cap_blobs ? w->cap_blobs * 2 : 64;
    ext_blob *nb = realloc(w->blobs, cap * sizeof *nb);
    if (!nb) {
      werr(w, PNN_ERROR_OUT_OF_MEMORY, "writer: out of memory");
      return 0;
    }
    w->blobs = nb;
    w->cap_blobs = cap;
  }
  uint64_t at = (w->ext_end + 15) & ~(uint64_t)15;
  w->blobs[w->n_blobs++] = (ext_blob){data, size, w->ext_base + at};
  w->ext_end = at + size;
  return w->ext_base + at;
}

/* ------------------------------------------------------------ options */

/* Creates the vectors/strings of an options table, then the table. */
static pnn_fb_ref write_options(writer *w, int set, uint8_t type,
                                const pnn_builtin_options *opts,
                                const char *where) {
  const pnn_options_desc *d = pnn_options_describe(set, type);
  if (!d) {
    werr(w, PNN_ERROR_INVALID_ARGUMENT, "%s: unknown builtin_options%s type %u",
         where, set == 2 ? "_2" : "", (unsigned)type);
    return 0;
  }
  const uint8_t *base = (const uint8_t *)opts;
  pnn_fb_ref refs[PNN_FBB_MAX_SLOTS] = {0};
  for (int i = 0; i < d->n_fields && ok(w); i++) {
    const pnn_field_desc *f = &d->fields[i];
    const void *p = base + f->offset;
    const void *data = NULL;
    int32_t count = 0;
    size_t esize = 0;
    switch (f->kind) {
#define VEC_CASE(KIND, T, SZ)                   \
  case KIND: {                                  \
    T v;                                        \
    memcpy(&v, p, sizeof v);                    \
    data = v.data, count = v.count, esize = SZ; \
    break;                                      \
  }
      VEC_CASE(PNN_F_VEC_I32, pnn_vec_i32, 4)
      VEC_CASE(PNN_F_VEC_I64, pnn_vec_i64, 8)
      VEC_CASE(PNN_F_VEC_U32, pnn_vec_u32, 4)
      VEC_CASE(PNN_F_VEC_F32, pnn_vec_f32, 4)
      VEC_CASE(PNN_F_VEC_U8, pnn_vec_u8, 1)
      VEC_CASE(PNN_F_VEC_BOOL, pnn_vec_bool, 1)
#undef VEC_CASE
      case PNN_F_STRING: {
        const char *s;
        memcpy(&s, p, sizeof s);
        if (s && *s) refs[i] = pnn_fbb_cstring(&w->b, s);
        continue;
      }
      default: continue;
    }
    if (count < 0 || (count > 0 && !data)) {
      werr(w, PNN_ERROR_INVALID_ARGUMENT, "%s: %s.%s: bad vector", where,
           d->name, f->name);
      return 0;
    }
    /* A present but empty vector is kept: it can differ from absent. */
    if (data || count)
      refs[i] = pnn_fbb_vector(&w->b, data, esize, (size_t)count, esize);
  }
  if (!ok(w)) return 0;
  pnn_fbb_start_table(&w->b);
  for (int i = 0; i < d->n_fields; i++) {
    const pnn_field_desc *f = &d->fields[i];
    const void *p = base + f->offset;
    switch (f->kind) {
      case PNN_F_BOOL: {
        bool v;
        memcpy(&v, p, 1);
        pnn_fbb_add_bool(&w->b, f->slot, v, f->dflt != 0);
        break;
      }
      case PNN_F_I8: {
        int8_t v;
        memcpy(&v, p, 1);
        pnn_fbb_add_i8(&w->b, f->slot, v, (int8_t)f->dflt);
        break;
      }
      case PNN_F_I32: {
        int32_t v;
        memcpy(&v, p, 4);
        pnn_fbb_add_i32(&w->b, f->slot, v, (int32_t)f->dflt);
        break;
      }
      case PNN_F_U32: {
        uint32_t v;
        memcpy(&v, p, 4);
        pnn_fbb_add_u32(&w->b, f->slot, v, (uint32_t)f->dflt);
        break;
      }
      case PNN_F_I64: {
        int64_t v;
        memcpy(&v, p, 8);
        pnn_fbb_add_i64(&w->b, f->slot, v, (int64_t)f->dflt);
        break;
      }
      case PNN_F_F32: {
        float v;
        memcpy(&v, p, 4);
        pnn_fbb_add_f32(&w->b, f->slot, v, (float)f->dflt);
        break;
      }
      default: pnn_fbb_add_ref(&w->b, f->slot, refs[i]); break;
    }
  }
  return pnn_fbb_end_table(&w->b);
}

/* ------------------------------------------------------------- tensors */

static pnn_fb_ref write_quant(writer *w, const pnn_quant_def *q,
                              const char *where) {
  pnn_fb_ref min = 0, max = 0, scale = 0, zp = 0, details = 0;
  if (!check_array(w, q->min, q->n_min, where) ||
      !check_array(w, q->max, q->n_max, where) ||
      !check_array(w, q->scale, q->n_scale, where) ||
      !check_array(w, q->zero_point, q->n_zero_point, where) ||
      !check_array(w, q->custom.data, q->custom.count, where))
    return 0;
  if (q->n_min) min = pnn_fbb_vector(&w->b, q->min, 4, (size_t)q->n_min, 4);
  if (q->n_max) max = pnn_fbb_vector(&w->b, q->max, 4, (size_t)q->n_max, 4);
  if (q->n_scale)
    scale = pnn_fbb_vector(&w->b, q->scale, 4, (size_t)q->n_scale, 4);
  if (q->n_zero_point)
    zp = pnn_fbb_vector(&w->b, q->zero_point, 8, (size_t)q->n_zero_point, 8);
  if (q->details_type == 1) {
    /* CustomQuantization { custom: [ubyte] (force_align: 16) } */
    pnn_fb_ref custom = 0;
    if (q->custom.data || q->custom.count)
      custom =
          pnn_fbb_vector(&w->b, q->custom.data, 1, (size_t)q->custom.count, 16);
    pnn_fbb_start_table(&w->b);
    pnn_fbb_add_ref(&w->b, 0, custom);
    details = pnn_fbb_end_table(&w->b);
  } else if (q->details_type != 0) {
    werr(w, PNN_ERROR_INVALID_ARGUMENT,
         "%s: unknown quantization details type %u", where,
         (unsigned)q->details_type);
    return 0;
  }
  pnn_fbb_start_table(&w->b);
  pnn_fbb_add_ref(&w->b, Q_MIN, min);
  pnn_fbb_add_ref(&w->b, Q_MAX, max);
  pnn_fbb_add_ref(&w->b, Q_SCALE, scale);
  pnn_fbb_add_ref(&w->b, Q_ZERO_POINT, zp);
  pnn_fbb_add_u8(&w->b, Q_DETAILS_TYPE, q->details_type, 0);
  pnn_fbb_add_ref(&w->b, Q_DETAILS, details);
  pnn_fbb_add_i32(&w->b, Q_QDIM, q->quantized_dimension, 0);
  return pnn_fbb_end_table(&w->b);
}

/* SparseIndexVector member: Int32Vector, Uint16Vector or Uint8Vector, each
 * a table { values: [...] }; the def holds the values widened to int32. */
static pnn_fb_ref write_index_vector(writer *w, uint8_t type, pnn_vec_i32 v,
                                     const char *where) {
  if (type == 0) return 0;
  if (type > 3) {
    werr(w, PNN_ERROR_INVALID_ARGUMENT,
         "%s: unknown sparse index vector type %u", where, (unsigned)type);
    return 0;
  }
  if (!check_array(w, v.data, v.count, where)) return 0;
  pnn_fb_ref values = 0;
  if (type == 1) {
    values = vec_i32(w, v.data, v.count);
  } else {
    size_t esize = type == 2 ? 2 : 1;
    int64_t hi = type == 2 ? 0xffff : 0xff;
    uint8_t *narrow = malloc(v.count ? (size_t)v.count * esize : 1);
    if (!narrow) {
      werr(w, PNN_ERROR_OUT_OF_MEMORY, "writer: out of memory");
      return 0;
    }
    for (int32_t i = 0; i < v.count; i++) {
      if (v.data[i] < 0 || v.data[i] > hi) {
        werr(w, PNN_ERROR_INVALID_ARGUMENT,
             "%s: sparse index %d = %d does not fit uint%d", where, (int)i,
             (int)v.data[i], (int)esize * 8);
        break;
      }
      uint16_t u = (uint16_t)v.data[i];
      memcpy(narrow + (size_t)i * esize, &u, esize); /* little-endian */
    }
    if (ok(w))
      values = pnn_fbb_vector(&w->b, narrow, esize, (size_t)v.count, 4);
    free(narrow);
  }
  pnn_fbb_start_table(&w->b);
  pnn_fbb_add_ref(&w->b, 0, values);
  return pnn_fbb_end_table(&w->b);
}

static pnn_fb_ref write_sparsity(writer *w, const pnn_sparsity_def *s,
                                 const char *where) {
  char at[200];
  pnn_fb_ref trav = 0, block = 0, dims = 0;
  if (!check_array(w, s->traversal_order.data, s->traversal_order.count,
                   where) ||
      !check_array(w, s->block_map.data, s->block_map.count, where) ||
      !check_array(w, s->dim_metadata, s->n_dim_metadata, where))
    return 0;
  if (s->traversal_order.count)
    trav = vec_i32(w, s->traversal_order.data, s->traversal_order.count);
  if (s->block_map.count)
    block = vec_i32(w, s->block_map.data, s->block_map.count);
  if (s->n_dim_metadata) {
    pnn_fb_ref *r = ref_array(w, s->n_dim_metadata);
    for (int32_t i = 0; r && i < s->n_dim_metadata && ok(w); i++) {
      const pnn_dim_metadata_def *dm = &s->dim_metadata[i];
      snprintf(at, sizeof at, "%s: dim_metadata %d", where, (int)i);
      pnn_fb_ref seg =
          write_index_vector(w, dm->segments_type, dm->segments, at);
      pnn_fb_ref idx = write_index_vector(w, dm->indices_type, dm->indices, at);
      if (!ok(w)) break;
      pnn_fbb_start_table(&w->b);
      pnn_fbb_add_i8(&w->b, DM_FORMAT, dm->format, 0);
      pnn_fbb_add_i32(&w->b, DM_DENSE_SIZE, dm->dense_size, 0);
      if (seg) pnn_fbb_add_u8(&w->b, DM_SEG_TYPE, dm->segments_type, 0);
      pnn_fbb_add_ref(&w->b, DM_SEG, seg);
      if (idx) pnn_fbb_add_u8(&w->b, DM_IDX_TYPE, dm->indices_type, 0);
      pnn_fbb_add_ref(&w->b, DM_IDX, idx);
      r[i] = pnn_fbb_end_table(&w->b);
    }
    if (ok(w)) dims = pnn_fbb_vector_refs(&w->b, r, (size_t)s->n_dim_metadata);
    free(r);
  }
  if (!ok(w)) return 0;
  pnn_fbb_start_table(&w->b);
  pnn_fbb_add_ref(&w->b, SP_TRAVERSAL, trav);
  pnn_fbb_add_ref(&w->b, SP_BLOCK_MAP, block);
  pnn_fbb_add_ref(&w->b, SP_DIM_METADATA, dims);
  return pnn_fbb_end_table(&w->b);
}

static pnn_fb_ref write_tensor(writer *w, const pnn_tensor_def *t, int sg,
                               int ti) {
  char where[96];
  snprintf(where, sizeof where, "subgraph %d tensor %d", sg, ti);
  if (t->rank < 0 || (t->rank > 0 && !t->shape) ||
      (t->signature_rank > 0 && !t->shape_signature)) {
    werr(w, PNN_ERROR_INVALID_ARGUMENT, "%s: bad shape (rank %d)", where,
         (int)t->rank);
    return 0;
  }
  if (t->buffer != 0 && (int64_t)t->buffer >= w->m->n_buffers) {
    werr(w, PNN_ERROR_INVALID_ARGUMENT, "%s: buffer %u out of range (%d)",
         where, (unsigned)t->buffer, (int)w->m->n_buffers);
    return 0;
  }
  /* The converter always writes shape, even [] for scalars. */
  pnn_fb_ref shape = vec_i32(w, t->shape, t->rank);
  pnn_fb_ref sig = 0, quant = 0, sparsity = 0;
  if (t->signature_rank >= 0)
    sig = vec_i32(w, t->shape_signature, t->signature_rank);
  pnn_fb_ref name = pnn_fbb_cstring(&w->b, t->name ? t->name : "");
  if (t->has_quant) quant = write_quant(w, &t->quant, where);
  if (t->sparsity) sparsity = write_sparsity(w, t->sparsity, where);
  if (!ok(w)) return 0;
  pnn_fbb_start_table(&w->b);
  pnn_fbb_add_ref(&w->b, T_SHAPE, shape);
  pnn_fbb_add_i8(&w->b, T_TYPE, (int8_t)t->type, 0);
  pnn_fbb_add_u32(&w->b, T_BUFFER, t->buffer, 0);
  pnn_fbb_add_ref(&w->b, T_NAME, name);
  pnn_fbb_add_ref(&w->b, T_QUANT, quant);
  pnn_fbb_add_bool(&w->b, T_IS_VARIABLE, t->is_variable, false);
  pnn_fbb_add_ref(&w->b, T_SPARSITY, sparsity);
  pnn_fbb_add_ref(&w->b, T_SHAPE_SIGNATURE, sig);
  pnn_fbb_add_bool(&w->b, T_HAS_RANK, t->has_rank, false);
  return pnn_fbb_end_table(&w->b);
}

/* ----------------------------------------------------------- operators */

/* Tensor index lists: -1 marks an absent optional input when allowed. */
static bool check_indices(writer *w, pnn_vec_i32 v, int32_t n_tensors,
                          bool allow_absent, const char *where,
                          const char *field) {
  if (!check_array(w, v.data, v.count, where)) return false;
  for (int32_t i = 0; i < v.count; i++) {
    int32_t x = v.data[i];
    if ((x == -1 && allow_absent) || (x >= 0 && x < n_tensors)) continue;
    werr(w, PNN_ERROR_INVALID_ARGUMENT,
         "%s: %s[%d] = %d out of range (%d tensors)", where, field, (int)i,
         (int)x, (int)n_tensors);
    return false;
  }
  return true;
}

static pnn_fb_ref write_op(writer *w, const pnn_subgraph_def *g,
                           const pnn_op_def *op, int sg, int oi) {
  char where[96];
  snprintf(where, sizeof where, "subgraph %d op %d", sg, oi);
  if ((int64_t)op->opcode_index >= w->m->n_opcodes) {
    werr(w, PNN_ERROR_INVALID_ARGUMENT,
         "%s: opcode_index %u out of range (%d opcodes)", where,
         (unsigned)op->opcode_index, (int)w->m->n_opcodes);
    return 0;
  }
  if (!check_indices(w, op->inputs, g->n_tensors, true, where, "inputs") ||
      !check_indices(w, op->outputs, g->n_tensors, false, where, "outputs") ||
      !check_indices(w, op->intermediates, g->n_tensors, false, where,
                     "intermediates") ||
      !check_array(w, op->mutating_variable_inputs.data,
                   op->mutating_variable_inputs.count, where) ||
      !check_array(w, op->custom_options, op->custom_options_size ? 1 : 0,
                   where))
    return 0;
  pnn_fb_ref in = vec_i32(w, op->inputs.data, op->inputs.count);
  pnn_fb_ref out = vec_i32(w, op->outputs.data, op->outputs.count);
  pnn_fb_ref inter = opt_vec_i32(w, op->intermediates, where);
  pnn_fb_ref mut = 0, custom = 0, opt = 0, opt2 = 0;
  uint64_t large_off = 0, large_size = 0;
  if (op->mutating_variable_inputs.count) {
    /* C bool is one byte holding 0 or 1, the schema's bool. */
    mut = pnn_fbb_vector(&w->b, op->mutating_variable_inputs.data, 1,
                         (size_t)op->mutating_variable_inputs.count, 1);
  }
  if (op->custom_options_size) {
    if (w->external) {
      large_off = add_blob(w, op->custom_options, op->custom_options_size);
      large_size = op->custom_options_size;
    } else if (op->custom_options_size > w->limit) {
      werr(w, PNN_ERROR_LIMIT, "%s: custom options do not fit a FlatBuffer",
           where);
    } else {
      custom = pnn_fbb_vector(&w->b, op->custom_options, 1,
                              (size_t)op->custom_options_size, 1);
    }
  }
  if (op->options_type)
    opt = write_options(w, 1, op->options_type, &op->options, where);
  if (op->options2_type)
    opt2 = write_options(w, 2, op->options2_type, &op->options2, where);
  if (!ok(w)) return 0;
  pnn_fbb_start_table(&w->b);
  pnn_fbb_add_u32(&w->b, OP_OPCODE, op->opcode_index, 0);
  pnn_fbb_add_ref(&w->b, OP_INPUTS, in);
  pnn_fbb_add_ref(&w->b, OP_OUTPUTS, out);
  pnn_fbb_add_u8(&w->b, OP_OPT_TYPE, op->options_type, 0);
  pnn_fbb_add_ref(&w->b, OP_OPT, opt);
  pnn_fbb_add_ref(&w->b, OP_CUSTOM, custom);
  pnn_fbb_add_i8(&w->b, OP_CUSTOM_FORMAT, op->custom_options_format, 0);
  pnn_fbb_add_ref(&w->b, OP_MUTATING, mut);
  pnn_fbb_add_ref(&w->b, OP_INTERMEDIATES, inter);
  pnn_fbb_add_u64(&w->b, OP_LARGE_OFFSET, large_off, 0);
  pnn_fbb_add_u64(&w->b, OP_LARGE_SIZE, large_size, 0);
  pnn_fbb_add_u8(&w->b, OP_OPT2_TYPE, op->options2_type, 0);
  pnn_fbb_add_ref(&w->b, OP_OPT2, opt2);
  return pnn_fbb_end_table(&w->b);
}

/* ---------------------------------------------------------- subgraphs */

static pnn_fb_ref write_subgraph(writer *w, const pnn_subgraph_def *g, int sg) {
  char where[64];
  snprintf(where, sizeof where, "subgraph %d", sg);
  if (!check_array(w, g->tensors, g->n_tensors, where) ||
      !check_array(w, g->ops, g->n_ops, where) ||
      !check_indices(w, g->inputs, g->n_tensors, false, where, "inputs") ||
      !check_indices(w, g->outputs, g->n_tensors, false, where, "outputs"))
    return 0;
  pnn_fb_ref tensors = 0, ops = 0;
  pnn_fb_ref *r = ref_array(w, g->n_tensors);
  for (int32_t i = 0; r && i < g->n_tensors && ok(w); i++)
    r[i] = write_tensor(w, &g->tensors[i], sg, i);
  if (ok(w)) tensors = pnn_fbb_vector_refs(&w->b, r, (size_t)g->n_tensors);
  free(r);
  r = ref_array(w, g->n_ops);
  for (int32_t i = 0; r && i < g->n_ops && ok(w); i++)
    r[i] = write_op(w, g, &g->ops[i], sg, i);
  if (ok(w)) ops = pnn_fbb_vector_refs(&w->b, r, (size_t)g->n_ops);
  free(r);
  if (!ok(w)) return 0;
  pnn_fb_ref in = vec_i32(w, g->inputs.data, g->inputs.count);
  pnn_fb_ref out = vec_i32(w, g->outputs.data, g->outputs.count);
  pnn_fb_ref name = opt_string(w, g->name);
  pnn_fbb_start_table(&w->b);
  pnn_fbb_add_ref(&w->b, SG_TENSORS, tensors);
  pnn_fbb_add_ref(&w->b, SG_INPUTS, in);
  pnn_fbb_add_ref(&w->b, SG_OUTPUTS, out);
  pnn_fbb_add_ref(&w->b, SG_OPERATORS, ops);
  pnn_fbb_add_ref(&w->b, SG_NAME, name);
  return pnn_fbb_end_table(&w->b);
}

/* ------------------------------------------------------ model-level */

static pnn_fb_ref write_buffer(writer *w, const pnn_buffer_def *bd, int i) {
  if (bd->size && !bd->data) {
    werr(w, PNN_ERROR_INVALID_ARGUMENT, "buffer %d: size %llu without data", i,
         (unsigned long long)bd->size);
    return 0;
  }
  if (i == 0 && bd->size) {
    werr(w, PNN_ERROR_INVALID_ARGUMENT,
         "buffer 0: must be the empty sentinel (has %llu bytes)",
         (unsigned long long)bd->size);
    return 0;
  }
  pnn_fb_ref data = 0;
  uint64_t off = 0, size = 0;
  if (bd->size && w->external) {
    off = add_blob(w, bd->data, bd->size);
    size = bd->size;
  } else if (bd->size > w->limit) {
    werr(w, PNN_ERROR_LIMIT, "buffer %d: %llu bytes do not fit a FlatBuffer", i,
         (unsigned long long)bd->size);
  } else if (bd->size) {
    data = pnn_fbb_vector(&w->b, bd->data, 1, (size_t)bd->size, 16);
  }
  if (!ok(w)) return 0;
  pnn_fbb_start_table(&w->b);
  pnn_fbb_add_ref(&w->b, BUF_DATA, data);
  pnn_fbb_add_u64(&w->b, BUF_OFFSET, off, 0);
  pnn_fbb_add_u64(&w->b, BUF_SIZE, size, 0);
  return pnn_fbb_end_table(&w->b);
}

static pnn_fb_ref write_opcode(writer *w, const pnn_opcode_def *c) {
  int8_t dep = c->deprecated_builtin_code;
  int32_t code = c->builtin_code;
  if (dep == 0 && code == 0 && c->builtin != 0) {
    dep = (int8_t)(c->builtin < 127 ? c->builtin : 127);
    code = c->builtin;
  }
  pnn_fb_ref custom = opt_string(w, c->custom_code);
  pnn_fbb_start_table(&w->b);
  pnn_fbb_add_i8(&w->b, OPC_DEPRECATED, dep, 0);
  pnn_fbb_add_ref(&w->b, OPC_CUSTOM, custom);
  pnn_fbb_add_i32(&w->b, OPC_VERSION, c->version, 1);
  pnn_fbb_add_i32(&w->b, OPC_BUILTIN, code, 0);
  return pnn_fbb_end_table(&w->b);
}

static pnn_fb_ref write_tensor_maps(writer *w, const pnn_tensor_map_def *tm,
                                    int32_t n, int32_t n_tensors,
                                    const char *where) {
  if (!check_array(w, tm, n, where)) return 0;
  pnn_fb_ref *r = ref_array(w, n);
  for (int32_t i = 0; r && i < n && ok(w); i++) {
    if ((int64_t)tm[i].tensor_index >= n_tensors) {
      werr(w, PNN_ERROR_INVALID_ARGUMENT,
           "%s %d: tensor_index %u out of range (%d tensors)", where, (int)i,
           (unsigned)tm[i].tensor_index, (int)n_tensors);
      break;
    }
    pnn_fb_ref name = opt_string(w, tm[i].name);
    pnn_fbb_start_table(&w->b);
    pnn_fbb_add_ref(&w->b, TM_NAME, name);
    pnn_fbb_add_u32(&w->b, TM_TENSOR, tm[i].tensor_index, 0);
    r[i] = pnn_fbb_end_table(&w->b);
  }
  pnn_fb_ref v = ok(w) ? pnn_fbb_vector_refs(&w->b, r, (size_t)n) : 0;
  free(r);
  return v;
}

static pnn_fb_ref write_signature(writer *w, const pnn_signature_def *s,
                                  int i) {
  char where[80];
  if ((int64_t)s->subgraph_index >= w->m->n_subgraphs) {
    werr(w, PNN_ERROR_INVALID_ARGUMENT,
         "signature %d: subgraph_index %u out of range (%d subgraphs)", i,
         (unsigned)s->subgraph_index, (int)w->m->n_subgraphs);
    return 0;
  }
  int32_t n_tensors = w->m->subgraphs[s->subgraph_index].n_tensors;
  snprintf(where, sizeof where, "signature %d input", i);
  pnn_fb_ref in =
      write_tensor_maps(w, s->inputs, s->n_inputs, n_tensors, where);
  snprintf(where, sizeof where, "signature %d output", i);
  pnn_fb_ref out =
      write_tensor_maps(w, s->outputs, s->n_outputs, n_tensors, where);
  pnn_fb_ref key = opt_string(w, s->key);
  if (!ok(w)) return 0;
  pnn_fbb_start_table(&w->b);
  pnn_fbb_add_ref(&w->b, SIG_INPUTS, in);
  pnn_fbb_add_ref(&w->b, SIG_OUTPUTS, out);
  pnn_fbb_add_ref(&w->b, SIG_KEY, key);
  pnn_fbb_add_u32(&w->b, SIG_SUBGRAPH, s->subgraph_index, 0);
  return pnn_fbb_end_table(&w->b);
}

static pnn_fb_ref write_metadata(writer *w, const pnn_metadata_def *md) {
  pnn_fb_ref name = opt_string(w, md->name);
  pnn_fbb_start_table(&w->b);
  pnn_fbb_add_ref(&w->b, MD_NAME, name);
  pnn_fbb_add_u32(&w->b, MD_BUFFER, md->buffer, 0);
  return pnn_fbb_end_table(&w->b);
}

/* A vector of tables made by `make(w, item i)`. */
#define WRITE_TABLES(w, n, make_expr, out)                                \
  do {                                                                    \
    pnn_fb_ref *r_ = ref_array(w, n);                                     \
    for (int32_t i = 0; r_ && i < (n) && ok(w); i++) r_[i] = (make_expr); \
    if (ok(w)) (out) = pnn_fbb_vector_refs(&(w)->b, r_, (size_t)(n));     \
    free(r_);                                                             \
  } while (0)

static pnn_fb_ref write_model(writer *w) {
  const pnn_model_def *m = w->m;
  if (!check_array(w, m->opcodes, m->n_opcodes, "model opcodes") ||
      !check_array(w, m->subgraphs, m->n_subgraphs, "model subgraphs") ||
      !check_array(w, m->buffers, m->n_buffers, "model buffers") ||
      !check_array(w, m->metadata, m->n_metadata, "model metadata") ||
      !check_array(w, m->signatures, m->n_signatures, "model signatures") ||
      !check_array(w, m->metadata_buffer.data, m->metadata_buffer.count,
                   "model metadata_buffer"))
    return 0;
  pnn_fb_ref buffers = 0, opcodes = 0, subgraphs = 0, metadata = 0, sigs = 0;
  if (m->n_buffers == 0) {
    pnn_buffer_def empty = {0};
    WRITE_TABLES(w, 1, write_buffer(w, &empty, 0), buffers);
  } else {
    WRITE_TABLES(w, m->n_buffers, write_buffer(w, &m->buffers[i], i), buffers);
  }
  WRITE_TABLES(w, m->n_opcodes, write_opcode(w, &m->opcodes[i]), opcodes);
  WRITE_TABLES(w, m->n_subgraphs, write_subgraph(w, &m->subgraphs[i], i),
               subgraphs);
  for (int32_t i = 0; i < m->n_metadata && ok(w); i++)
    if ((int64_t)m->metadata[i].buffer >= (m->n_buffers ? m->n_buffers : 1))
      werr(w, PNN_ERROR_INVALID_ARGUMENT,
           "metadata %d: buffer %u out of range (%d buffers)", (int)i,
           (unsigned)m->metadata[i].buffer, (int)m->n_buffers);
  if (m->n_metadata)
    WRITE_TABLES(w, m->n_metadata, write_metadata(w, &m->metadata[i]),
                 metadata);
  if (m->n_signatures)
    WRITE_TABLES(w, m->n_signatures, write_signature(w, &m->signatures[i], i),
                 sigs);
  pnn_fb_ref md_buf = opt_vec_i32(w, m->metadata_buffer, "metadata_buffer");
  pnn_fb_ref desc = opt_string(w, m->description);
  if (!ok(w)) return 0;
  pnn_fbb_start_table(&w->b);
  pnn_fbb_add_u32(&w->b, MODEL_VERSION, m->version, 0);
  pnn_fbb_add_ref(&w->b, MODEL_OPCODES, opcodes);
  pnn_fbb_add_ref(&w->b, MODEL_SUBGRAPHS, subgraphs);
  pnn_fbb_add_ref(&w->b, MODEL_DESCRIPTION, desc);
  pnn_fbb_add_ref(&w->b, MODEL_BUFFERS, buffers);
  pnn_fbb_add_ref(&w->b, MODEL_METADATA_BUFFER, md_buf);
  pnn_fbb_add_ref(&w->b, MODEL_METADATA, metadata);
  pnn_fbb_add_ref(&w->b, MODEL_SIGNATURES, sigs);
  return pnn_fbb_end_table(&w->b);
}

/* One full build; the FlatBuffer is left in w->b. */
static pnn_status build(writer *w, bool external, uint64_t ext_base) {
  pnn_fbb_free(&w->b);
  pnn_fbb_init(&w->b);
  pnn_fbb_set_limit(&w->b, w->limit);
  w->status = PNN_OK;
  w->err[0] = 0;
  w->external = external;
  w->ext_base = ext_base;
  w->ext_end = 0;
  w->n_blobs = 0;
  pnn_fb_ref root = write_model(w);
  if (w->status != PNN_OK) return w->status;
  pnn_status st = pnn_fbb_finish(&w->b, root, "TFL3");
  if (st != PNN_OK) {
    snprintf(w->err, sizeof w->err, "%s", pnn_fbb_error(&w->b));
    w->status = st;
  }
  return st;
}

/* Bytes of constant data the model carries (saturating). */
static uint64_t data_bytes(const pnn_model_def *m) {
  uint64_t total = 0;
  for (int32_t i = 0; m->buffers && i < m->n_buffers; i++)
    total += m->buffers[i].size + 16;
  for (int32_t s = 0; m->subgraphs && s < m->n_subgraphs; s++)
    for (int32_t o = 0; m->subgraphs[s].ops && o < m->subgraphs[s].n_ops; o++)
      total += m->subgraphs[s].ops[o].custom_options_size;
  return total;
}

/* Offset/size form: build twice; the first pass fixes the FlatBuffer size
 * (field sizes do not depend on the offsets' values), the second writes
 * the real offsets, then the blobs follow. */
static pnn_status write_external(writer *w, uint8_t **out, size_t *out_size) {
  if (build(w, true, 16) != PNN_OK) return w->status;
  size_t fb_size = pnn_fbb_size(&w->b);
  uint64_t base = ((uint64_t)fb_size + 15) & ~(uint64_t)15;
  if (build(w, true, base) != PNN_OK) return w->status;
  if (pnn_fbb_size(&w->b) != fb_size) {
    werr(w, PNN_ERROR_INVALID_STATE, "writer: layout changed between passes");
    return w->status;
  }
  uint64_t total = base + w->ext_end;
  if (total > SIZE_MAX) {
    werr(w, PNN_ERROR_LIMIT, "writer: model too large for memory");
    return w->status;
  }
  uint8_t *buf = calloc(1, (size_t)total ? (size_t)total : 1);
  if (!buf) {
    werr(w, PNN_ERROR_OUT_OF_MEMORY, "writer: out of memory (%llu bytes)",
         (unsigned long long)total);
    return w->status;
  }
  memcpy(buf, pnn_fbb_data(&w->b), fb_size);
  for (size_t i = 0; i < w->n_blobs; i++)
    memcpy(buf + w->blobs[i].offset, w->blobs[i].data,
           (size_t)w->blobs[i].size);
  *out = buf;
  *out_size = (size_t)total;
  return PNN_OK;
}

static pnn_status write_inline(writer *w, uint8_t **out, size_t *out_size) {
  if (build(w, false, 0) != PNN_OK) return w->status;
  *out = pnn_fbb_release(&w->b, out_size); /* no copy of a big model */
  if (!*out) {
    werr(w, PNN_ERROR_INVALID_STATE, "writer: empty output");
    return w->status;
  }
  return PNN_OK;
}

pnn_status pnn_model_write_ex(const pnn_model_def *m,
                              const pnn_write_options *opts, uint8_t **out,
                              size_t *out_size, char *err, size_t err_size) {
  if (out) *out = NULL;
  if (out_size) *out_size = 0;
  if (err && err_size) err[0] = 0;
  if (!m || !out || !out_size) {
    if (err && err_size) snprintf(err, err_size, "writer: NULL argument");
    return PNN_ERROR_INVALID_ARGUMENT;
  }
  writer w;
  memset(&w, 0, sizeof w);
  pnn_fbb_init(&w.b);
  w.m = m;
  w.limit = opts && opts->max_flatbuffer_size &&
                    opts->max_flatbuffer_size < PNN_FBB_MAX_SIZE
                ? opts->max_flatbuffer_size
                : PNN_FBB_MAX_SIZE;
  /* Leave 1/32 of the limit (64 MB of 2 GB) for the tables when deciding
   * up front; a build that still overflows is retried in the offset/size
   * form. */
  bool external = (opts && (opts->flags & PNN_WRITE_EXTERNAL_DATA)) ||
                  data_bytes(m) > w.limit - w.limit / 32;
  pnn_status st = external ? write_external(&w, out, out_size)
                           : write_inline(&w, out, out_size);
  if (st == PNN_ERROR_LIMIT && !external)
    st = write_external(&w, out, out_size);
  if (st != PNN_OK && err && err_size) snprintf(err, err_size, "%s", w.err);
  pnn_fbb_free(&w.b);
  free(w.blobs);
  return st;
}

pnn_status pnn_model_write(const pnn_model_def *m, uint8_t **out,
                           size_t *out_size, char *err, size_t err_size) {
  return pnn_model_write_ex(m, NULL, out, out_size, err, err_size);
}

pnn_status pnn_model_write_file(const pnn_model_def *m,
                                const pnn_write_options *opts, const char *path,
                                char *err, size_t err_size) {
  uint8_t *bytes;
  size_t size;
  pnn_status st = pnn_model_write_ex(m, opts, &bytes, &size, err, err_size);
  if (st != PNN_OK) return st;
  FILE *f = path ? fopen(path, "wb") : NULL;
  bool good = f && fwrite(bytes, 1, size, f) == size;
  if (f && fclose(f) != 0) good = false;
  free(bytes);
  if (!good) {
    if (err && err_size)
      snprintf(err, err_size, "cannot write %s: %s", path ? path : "(null)",
               strerror(errno));
    return PNN_ERROR_IO;
  }
  return PNN_OK;
}
