/* Model builder (see model_builder.h). Growing arrays hold the tables
 * being built; everything copied from the caller lives in a pool so that
 * the pointers in the defs stay valid while the arrays grow. */
#include "model_builder.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/pool.h"

typedef struct mb_subgraph {
  const char *name;
  pnn_tensor_def *tensors;
  int32_t n_tensors, cap_tensors;
  pnn_op_def *ops;
  int32_t n_ops, cap_ops;
  pnn_vec_i32 inputs, outputs;
} mb_subgraph;

struct pnn_mb {
  pnn_pool pool;
  pnn_status status;
  char err[256];
  const char *description;
  pnn_opcode_def *opcodes;
  int32_t n_opcodes, cap_opcodes;
  pnn_buffer_def *buffers;
  int32_t n_buffers, cap_buffers;
  mb_subgraph *subgraphs;
  int32_t n_subgraphs, cap_subgraphs;
  int cur;
  pnn_metadata_def *metadata;
  int32_t n_metadata, cap_metadata;
  pnn_signature_def *sigs;
  int32_t n_sigs, cap_sigs;
  pnn_subgraph_def *sg_view; /* rebuilt by pnn_mb_def */
  pnn_model_def def;
};

static int fail(pnn_mb *mb, pnn_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(pnn_mb *mb, pnn_status st, const char *fmt, ...) {
  if (mb->status == PNN_OK) {
    mb->status = st;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(mb->err, sizeof mb->err, fmt, ap);
    va_end(ap);
  }
  return -1;
}

static int oom(pnn_mb *mb, const char *call) {
  return fail(mb, PNN_ERROR_OUT_OF_MEMORY, "%s: out of memory", call);
}

/* Makes room for one more element in a growing array. */
static bool grow(void **arr, int32_t *cap, int32_t n, size_t elem) {
  if (n < *cap) return true;
  if (*cap > INT32_MAX / 2) return false;
  int32_t ncap = *cap ? *cap * 2 : 8;
  void *p = realloc(*arr, (size_t)ncap * elem);
  if (!p) return false;
  memset((char *)p + (size_t)*cap * elem, 0, (size_t)(ncap - *cap) * elem);
  *arr = p;
  *cap = ncap;
  return true;
}
#define GROW(mb, arr, n, cap) \
  grow((void **)&(mb)->arr, &(mb)->cap, (mb)->n, sizeof *(mb)->arr)

static const void *pool_copy(pnn_mb *mb, const void *src, size_t n) {
  if (n == 0) return NULL;
  void *p = pnn_pool_alloc(&mb->pool, n);
  if (p) memcpy(p, src, n);
  return p;
}

static const char *pool_str(pnn_mb *mb, const char *s) {
  if (!s) s = "";
  return pnn_pool_strndup(&mb->pool, s, strlen(s));
}

/* Copies n int32 values; sets *ok to false on allocation failure. */
static pnn_vec_i32 copy_i32(pnn_mb *mb, const int32_t *v, int n, bool *ok) {
  pnn_vec_i32 out = {NULL, n};
  if (n > 0) {
    out.data = pool_copy(mb, v, (size_t)n * sizeof *v);
    if (!out.data) *ok = false;
  }
  return out;
}

pnn_mb *pnn_mb_new(void) {
  pnn_mb *mb = calloc(1, sizeof *mb);
  if (!mb) return NULL;
  pnn_pool_init(&mb->pool);
  mb->status = PNN_OK;
  if (!GROW(mb, buffers, n_buffers, cap_buffers) ||
      !GROW(mb, subgraphs, n_subgraphs, cap_subgraphs)) {
    pnn_mb_free(mb);
    return NULL;
  }
  mb->n_buffers = 1; /* the empty sentinel */
  mb->subgraphs[0].name = pool_str(mb, "main");
  mb->n_subgraphs = 1;
  if (!mb->subgraphs[0].name) {
    pnn_mb_free(mb);
    return NULL;
  }
  return mb;
}

void pnn_mb_free(pnn_mb *mb) {
  if (!mb) return;
  for (int32_t i = 0; i < mb->n_subgraphs; i++) {
    free(mb->subgraphs[i].tensors);
    free(mb->subgraphs[i].ops);
  }
  free(mb->subgraphs);
  free(mb->opcodes);
  free(mb->buffers);
  free(mb->metadata);
  free(mb->sigs);
  free(mb->sg_view);
  pnn_pool_free(&mb->pool);
  free(mb);
}

pnn_status pnn_mb_status(const pnn_mb *mb) {
  return mb ? mb->status : PNN_ERROR_INVALID_ARGUMENT;
}

const char *pnn_mb_error(const pnn_mb *mb) {
  return mb ? mb->err : "model builder: NULL builder";
}

void pnn_mb_options_defaults(int set, uint8_t type, void *options) {
  const pnn_options_desc *d = pnn_options_describe(set, type);
  if (!d || !options) return;
  uint8_t *base = options;
  memset(base, 0, d->size);
  for (int i = 0; i < d->n_fields; i++) {
    const pnn_field_desc *f = &d->fields[i];
    uint8_t *p = base + f->offset;
    switch (f->kind) {
      case PNN_F_BOOL: {
        bool v = f->dflt != 0;
        memcpy(p, &v, sizeof v);
        break;
      }
      case PNN_F_I8: {
        int8_t v = (int8_t)f->dflt;
        memcpy(p, &v, 1);
        break;
      }
      case PNN_F_I32: {
        int32_t v = (int32_t)f->dflt;
        memcpy(p, &v, 4);
        break;
      }
      case PNN_F_U32: {
        uint32_t v = (uint32_t)f->dflt;
        memcpy(p, &v, 4);
        break;
      }
      case PNN_F_I64: {
        int64_t v = (int64_t)f->dflt;
        memcpy(p, &v, 8);
        break;
      }
      case PNN_F_F32: {
        float v = (float)f->dflt;
        memcpy(p, &v, 4);
        break;
      }
      case PNN_F_STRING: {
        const char *v = "";
        memcpy(p, &v, sizeof v);
        break;
      }
      default: break; /* vectors: empty */
    }
  }
}

void pnn_mb_description(pnn_mb *mb, const char *text) {
  if (!mb || mb->status != PNN_OK) return;
  mb->description = text ? pool_str(mb, text) : NULL;
  if (text && !mb->description) oom(mb, "pnn_mb_description");
}

int pnn_mb_buffer(pnn_mb *mb, const void *data, size_t size) {
  if (!mb || mb->status != PNN_OK) return -1;
  if (size && !data)
    return fail(mb, PNN_ERROR_INVALID_ARGUMENT,
                "pnn_mb_buffer: NULL data with size %zu", size);
  if (!GROW(mb, buffers, n_buffers, cap_buffers))
    return oom(mb, "pnn_mb_buffer");
  pnn_buffer_def *b = &mb->buffers[mb->n_buffers];
  memset(b, 0, sizeof *b);
  if (size) {
    b->data = pool_copy(mb, data, size);
    if (!b->data) return oom(mb, "pnn_mb_buffer");
    b->size = size;
  }
  return mb->n_buffers++;
}

static mb_subgraph *cur(pnn_mb *mb) {
  return &mb->subgraphs[mb->cur];
}

/* Checks rank and dims; element count into *count (overflow-checked). */
static bool check_dims(pnn_mb *mb, const char *call, const char *name, int rank,
                       const int32_t *dims, bool allow_unknown,
                       uint64_t *count) {
  if (rank < 0 || rank > PNN_MAX_RANK || (rank > 0 && !dims)) {
    fail(mb, PNN_ERROR_INVALID_ARGUMENT, "%s '%s': bad rank %d", call,
         name ? name : "", rank);
    return false;
  }
  uint64_t n = 1;
  for (int i = 0; i < rank; i++) {
    if (dims[i] < (allow_unknown ? -1 : 0)) {
      fail(mb, PNN_ERROR_INVALID_ARGUMENT, "%s '%s': dim %d is %d", call,
           name ? name : "", i, (int)dims[i]);
      return false;
    }
    uint64_t d = dims[i] < 0 ? 1 : (uint64_t)dims[i];
    if (d && n > UINT64_MAX / 4 / d) {
      fail(mb, PNN_ERROR_INVALID_ARGUMENT, "%s '%s': shape overflows", call,
           name ? name : "");
      return false;
    }
    n *= d;
  }
  if (count) *count = n;
  return true;
}

static int add_tensor(pnn_mb *mb, const char *call, const char *name,
                      pnn_type type, int rank, const int32_t *dims,
                      uint32_t buffer) {
  mb_subgraph *g = cur(mb);
  if (!check_dims(mb, call, name, rank, dims, false, NULL)) return -1;
  if (!grow((void **)&g->tensors, &g->cap_tensors, g->n_tensors,
            sizeof *g->tensors))
    return oom(mb, call);
  pnn_tensor_def *t = &g->tensors[g->n_tensors];
  memset(t, 0, sizeof *t);
  bool ok = true;
  t->name = pool_str(mb, name);
  pnn_vec_i32 shape = copy_i32(mb, dims, rank, &ok);
  if (!t->name || !ok) return oom(mb, call);
  t->rank = rank;
  t->shape = shape.data;
  t->signature_rank = -1;
  t->type = type;
  t->buffer = buffer;
  return g->n_tensors++;
}

int pnn_mb_tensor(pnn_mb *mb, const char *name, pnn_type type, int rank,
                  const int32_t *dims, const void *const_data) {
  if (!mb || mb->status != PNN_OK) return -1;
  uint64_t count;
  if (!check_dims(mb, "pnn_mb_tensor", name, rank, dims, false, &count))
    return -1;
  int buffer = 0;
  if (const_data) {
    size_t es = pnn_type_size(type);
    if (es == 0)
      return fail(mb, PNN_ERROR_INVALID_ARGUMENT,
                  "pnn_mb_tensor '%s': type %s has no fixed element size; "
                  "use pnn_mb_tensor_in_buffer",
                  name ? name : "", pnn_type_name(type));
    if (count > SIZE_MAX / es)
      return fail(mb, PNN_ERROR_INVALID_ARGUMENT,
                  "pnn_mb_tensor '%s': data too large", name ? name : "");
    buffer = pnn_mb_buffer(mb, const_data, (size_t)count * es);
    if (buffer < 0) return -1;
  }
  return add_tensor(mb, "pnn_mb_tensor", name, type, rank, dims,
                    (uint32_t)buffer);
}

int pnn_mb_tensor_in_buffer(pnn_mb *mb, const char *name, pnn_type type,
                            int rank, const int32_t *dims, int buffer) {
  if (!mb || mb->status != PNN_OK) return -1;
  if (buffer < 0 || buffer >= mb->n_buffers)
    return fail(mb, PNN_ERROR_INVALID_ARGUMENT,
                "pnn_mb_tensor_in_buffer '%s': buffer %d out of range (%d)",
                name ? name : "", buffer, (int)mb->n_buffers);
  return add_tensor(mb, "pnn_mb_tensor_in_buffer", name, type, rank, dims,
                    (uint32_t)buffer);
}

static pnn_tensor_def *get_tensor(pnn_mb *mb, int t, const char *call) {
  if (!mb || mb->status != PNN_OK) return NULL;
  if (t < 0 || t >= cur(mb)->n_tensors) {
    fail(mb, PNN_ERROR_INVALID_ARGUMENT,
         "%s: tensor %d out of range (%d tensors in subgraph %d)", call, t,
         (int)cur(mb)->n_tensors, mb->cur);
    return NULL;
  }
  return &cur(mb)->tensors[t];
}

pnn_tensor_def *pnn_mb_tensor_def(pnn_mb *mb, int t) {
  return get_tensor(mb, t, "pnn_mb_tensor_def");
}

int pnn_mb_tensor_signature(pnn_mb *mb, int t, int rank, const int32_t *dims) {
  pnn_tensor_def *td = get_tensor(mb, t, "pnn_mb_tensor_signature");
  if (!td || !check_dims(mb, "pnn_mb_tensor_signature", td->name, rank, dims,
                         true, NULL))
    return -1;
  bool ok = true;
  pnn_vec_i32 sig = copy_i32(mb, dims, rank, &ok);
  if (!ok) return oom(mb, "pnn_mb_tensor_signature");
  td->signature_rank = rank;
  td->shape_signature = sig.data;
  return t;
}

int pnn_mb_tensor_quant(pnn_mb *mb, int t, int n, const float *scales,
                        const int64_t *zero_points, int quantized_dimension) {
  pnn_tensor_def *td = get_tensor(mb, t, "pnn_mb_tensor_quant");
  if (!td) return -1;
  if (n <= 0 || !scales || quantized_dimension < 0 ||
      (n > 1 && quantized_dimension >= td->rank))
    return fail(mb, PNN_ERROR_INVALID_ARGUMENT,
                "pnn_mb_tensor_quant '%s': bad arguments (n %d, "
                "quantized_dimension %d, rank %d)",
                td->name, n, quantized_dimension, (int)td->rank);
  float *s = pnn_pool_calloc(&mb->pool, (size_t)n, sizeof *s);
  int64_t *z = pnn_pool_calloc(&mb->pool, (size_t)n, sizeof *z);
  if (!s || !z) return oom(mb, "pnn_mb_tensor_quant");
  memcpy(s, scales, (size_t)n * sizeof *s);
  if (zero_points) memcpy(z, zero_points, (size_t)n * sizeof *z);
  td->has_quant = true;
  td->quant.n_scale = n;
  td->quant.scale = s;
  td->quant.n_zero_point = n;
  td->quant.zero_point = z;
  td->quant.quantized_dimension = quantized_dimension;
  return t;
}

int pnn_mb_tensor_variable(pnn_mb *mb, int t) {
  pnn_tensor_def *td = get_tensor(mb, t, "pnn_mb_tensor_variable");
  if (!td) return -1;
  td->is_variable = true;
  return t;
}

int pnn_mb_tensor_sparsity(pnn_mb *mb, int t, const pnn_sparsity_def *s) {
  pnn_tensor_def *td = get_tensor(mb, t, "pnn_mb_tensor_sparsity");
  if (!td) return -1;
  if (!s || s->n_dim_metadata < 0 || (s->n_dim_metadata && !s->dim_metadata))
    return fail(mb, PNN_ERROR_INVALID_ARGUMENT,
                "pnn_mb_tensor_sparsity '%s': bad sparsity", td->name);
  pnn_sparsity_def *c = pnn_pool_alloc(&mb->pool, sizeof *c);
  pnn_dim_metadata_def *dm =
      pnn_pool_calloc(&mb->pool, (size_t)s->n_dim_metadata + 1, sizeof *dm);
  if (!c || !dm) return oom(mb, "pnn_mb_tensor_sparsity");
  bool ok = true;
  c->traversal_order =
      copy_i32(mb, s->traversal_order.data, s->traversal_order.count, &ok);
  c->block_map = copy_i32(mb, s->block_map.data, s->block_map.count, &ok);
  for (int32_t i = 0; i < s->n_dim_metadata; i++) {
    dm[i] = s->dim_metadata[i];
    dm[i].segments = copy_i32(mb, s->dim_metadata[i].segments.data,
                              s->dim_metadata[i].segments.count, &ok);
    dm[i].indices = copy_i32(mb, s->dim_metadata[i].indices.data,
                             s->dim_metadata[i].indices.count, &ok);
  }
  if (!ok) return oom(mb, "pnn_mb_tensor_sparsity");
  c->n_dim_metadata = s->n_dim_metadata;
  c->dim_metadata = dm;
  td->sparsity = c;
  return t;
}

/* ------------------------------------------------------------------ ops */

/* Index of the opcode (builtin, custom_code, version), added if new. */
static int opcode_for(pnn_mb *mb, int32_t builtin, const char *custom,
                      int32_t version) {
  for (int32_t i = 0; i < mb->n_opcodes; i++) {
    const pnn_opcode_def *c = &mb->opcodes[i];
    if (c->builtin == builtin && c->version == version &&
        ((!c->custom_code && !custom) ||
         (c->custom_code && custom && strcmp(c->custom_code, custom) == 0)))
      return (int)i;
  }
  if (!GROW(mb, opcodes, n_opcodes, cap_opcodes)) return oom(mb, "opcode");
  pnn_opcode_def *c = &mb->opcodes[mb->n_opcodes];
  memset(c, 0, sizeof *c);
  c->builtin = builtin;
  /* As the converter writes it: the old byte field saturates at 127. */
  c->deprecated_builtin_code = (int8_t)(builtin < 127 ? builtin : 127);
  c->builtin_code = builtin;
  c->version = version;
  if (custom) {
    c->custom_code = pool_str(mb, custom);
    if (!c->custom_code) return oom(mb, "opcode");
  }
  return mb->n_opcodes++;
}

/* Deep copy of an options struct: vectors and strings into the pool. */
static bool copy_options(pnn_mb *mb, int set, uint8_t type, const void *src,
                         pnn_builtin_options *dst, const char *call) {
  const pnn_options_desc *d = pnn_options_describe(set, type);
  if (!d) {
    fail(mb, PNN_ERROR_INVALID_ARGUMENT, "%s: unknown options%s type %u", call,
         set == 2 ? "2" : "", (unsigned)type);
    return false;
  }
  memset(dst, 0, sizeof *dst);
  if (!src) {
    pnn_mb_options_defaults(set, type, dst);
    return true;
  }
  memcpy(dst, src, d->size);
  uint8_t *base = (uint8_t *)dst;
  for (int i = 0; i < d->n_fields; i++) {
    const pnn_field_desc *f = &d->fields[i];
    uint8_t *p = base + f->offset;
    size_t es;
    switch (f->kind) {
      case PNN_F_VEC_I32:
      case PNN_F_VEC_U32:
      case PNN_F_VEC_F32: es = 4; break;
      case PNN_F_VEC_I64: es = 8; break;
      case PNN_F_VEC_U8:
      case PNN_F_VEC_BOOL: es = 1; break;
      case PNN_F_STRING: {
        const char *s;
        memcpy(&s, p, sizeof s);
        s = pool_str(mb, s);
        if (!s) return oom(mb, call), false;
        memcpy(p, &s, sizeof s);
        continue;
      }
      default: continue;
    }
    /* All vector structs are {const T *data; int32_t count;}. */
    pnn_vec_u8 v;
    memcpy(&v, p, sizeof v);
    if (v.count < 0 || (v.count > 0 && !v.data)) {
      fail(mb, PNN_ERROR_INVALID_ARGUMENT, "%s: %s.%s: bad vector", call,
           d->name, f->name);
      return false;
    }
    if (v.count > 0) {
      v.data = pool_copy(mb, v.data, (size_t)v.count * es);
      if (!v.data) return oom(mb, call), false;
      memcpy(p, &v, sizeof v);
    }
  }
  return true;
}

static bool check_tensor_list(pnn_mb *mb, const char *call, const char *what,
                              int n, const int32_t *t, bool allow_absent) {
  if (n < 0 || (n > 0 && !t)) {
    fail(mb, PNN_ERROR_INVALID_ARGUMENT, "%s: bad %s list (n %d)", call, what,
         n);
    return false;
  }
  for (int i = 0; i < n; i++) {
    if ((t[i] == -1 && allow_absent) ||
        (t[i] >= 0 && t[i] < cur(mb)->n_tensors))
      continue;
    fail(mb, PNN_ERROR_INVALID_ARGUMENT,
         "%s: %s[%d] = %d out of range (%d tensors in subgraph %d)", call, what,
         i, (int)t[i], (int)cur(mb)->n_tensors, mb->cur);
    return false;
  }
  return true;
}

static int add_op(pnn_mb *mb, const char *call, int opcode, int n_in,
                  const int32_t *in, int n_out, const int32_t *out) {
  mb_subgraph *g = cur(mb);
  if (!check_tensor_list(mb, call, "inputs", n_in, in, true) ||
      !check_tensor_list(mb, call, "outputs", n_out, out, false))
    return -1;
  if (!grow((void **)&g->ops, &g->cap_ops, g->n_ops, sizeof *g->ops))
    return oom(mb, call);
  pnn_op_def *op = &g->ops[g->n_ops];
  memset(op, 0, sizeof *op);
  bool ok = true;
  op->opcode_index = (uint32_t)opcode;
  op->inputs = copy_i32(mb, in, n_in, &ok);
  op->outputs = copy_i32(mb, out, n_out, &ok);
  if (!ok) return oom(mb, call);
  return g->n_ops++;
}

int pnn_mb_op(pnn_mb *mb, int32_t builtin, uint8_t options_type,
              const void *options, int n_in, const int32_t *in, int n_out,
              const int32_t *out) {
  if (!mb || mb->status != PNN_OK) return -1;
  if (builtin < 0 || !pnn_builtin_name(builtin) || builtin == PNN_OP_CUSTOM)
    return fail(mb, PNN_ERROR_INVALID_ARGUMENT,
                "pnn_mb_op: builtin code %d is not a builtin op (use "
                "pnn_mb_custom_op for custom ops)",
                (int)builtin);
  pnn_builtin_options opts;
  memset(&opts, 0, sizeof opts);
  if (options_type &&
      !copy_options(mb, 1, options_type, options, &opts, "pnn_mb_op"))
    return -1;
  int opcode = opcode_for(mb, builtin, NULL, 1);
  if (opcode < 0) return -1;
  int op = add_op(mb, "pnn_mb_op", opcode, n_in, in, n_out, out);
  if (op < 0) return -1;
  cur(mb)->ops[op].options_type = options_type;
  cur(mb)->ops[op].options = opts;
  return op;
}

static pnn_op_def *get_op(pnn_mb *mb, int op, const char *call) {
  if (!mb || mb->status != PNN_OK) return NULL;
  if (op < 0 || op >= cur(mb)->n_ops) {
    fail(mb, PNN_ERROR_INVALID_ARGUMENT,
         "%s: op %d out of range (%d ops in subgraph %d)", call, op,
         (int)cur(mb)->n_ops, mb->cur);
    return NULL;
  }
  return &cur(mb)->ops[op];
}

int pnn_mb_op_options2(pnn_mb *mb, int op, uint8_t options2_type,
                       const void *options2) {
  pnn_op_def *o = get_op(mb, op, "pnn_mb_op_options2");
  if (!o) return -1;
  pnn_builtin_options opts;
  if (!copy_options(mb, 2, options2_type, options2, &opts,
                    "pnn_mb_op_options2"))
    return -1;
  o->options2_type = options2_type;
  o->options2 = opts;
  return op;
}

int pnn_mb_op_version(pnn_mb *mb, int op, int32_t version) {
  pnn_op_def *o = get_op(mb, op, "pnn_mb_op_version");
  if (!o) return -1;
  if (version < 1)
    return fail(mb, PNN_ERROR_INVALID_ARGUMENT,
                "pnn_mb_op_version: version %d < 1", (int)version);
  const pnn_opcode_def *c = &mb->opcodes[o->opcode_index];
  int opcode = opcode_for(mb, c->builtin, c->custom_code, version);
  if (opcode < 0) return -1;
  o->opcode_index = (uint32_t)opcode;
  return op;
}

int pnn_mb_op_intermediates(pnn_mb *mb, int op, int n, const int32_t *t) {
  pnn_op_def *o = get_op(mb, op, "pnn_mb_op_intermediates");
  if (!o ||
      !check_tensor_list(mb, "pnn_mb_op_intermediates", "tensors", n, t, false))
    return -1;
  bool ok = true;
  pnn_vec_i32 v = copy_i32(mb, t, n, &ok);
  if (!ok) return oom(mb, "pnn_mb_op_intermediates");
  o->intermediates = v;
  return op;
}

int pnn_mb_custom_op(pnn_mb *mb, const char *custom_code,
                     const void *custom_options, size_t custom_options_size,
                     int n_in, const int32_t *in, int n_out,
                     const int32_t *out) {
  if (!mb || mb->status != PNN_OK) return -1;
  if (!custom_code || !*custom_code || (custom_options_size && !custom_options))
    return fail(mb, PNN_ERROR_INVALID_ARGUMENT,
                "pnn_mb_custom_op: needs a name and options data");
  int opcode = opcode_for(mb, PNN_OP_CUSTOM, custom_code, 1);
  if (opcode < 0) return -1;
  int op = add_op(mb, "pnn_mb_custom_op", opcode, n_in, in, n_out, out);
  if (op < 0) return -1;
  if (custom_options_size) {
    const uint8_t *copy = pool_copy(mb, custom_options, custom_options_size);
    if (!copy) return oom(mb, "pnn_mb_custom_op");
    cur(mb)->ops[op].custom_options = copy;
    cur(mb)->ops[op].custom_options_size = custom_options_size;
  }
  return op;
}

static int set_io(pnn_mb *mb, const char *call, pnn_vec_i32 *dst, int n,
                  const int32_t *t) {
  if (!mb || mb->status != PNN_OK) return -1;
  if (!check_tensor_list(mb, call, "tensors", n, t, false)) return -1;
  bool ok = true;
  pnn_vec_i32 v = copy_i32(mb, t, n, &ok);
  if (!ok) return oom(mb, call);
  *dst = v;
  return n;
}

int pnn_mb_inputs(pnn_mb *mb, int n, const int32_t *tensors) {
  return set_io(mb, "pnn_mb_inputs", mb ? &cur(mb)->inputs : NULL, n, tensors);
}

int pnn_mb_outputs(pnn_mb *mb, int n, const int32_t *tensors) {
  return set_io(mb, "pnn_mb_outputs", mb ? &cur(mb)->outputs : NULL, n,
                tensors);
}

/* ------------------------------------------------------- model-level */

int pnn_mb_subgraph(pnn_mb *mb, const char *name) {
  if (!mb || mb->status != PNN_OK) return -1;
  if (!GROW(mb, subgraphs, n_subgraphs, cap_subgraphs))
    return oom(mb, "pnn_mb_subgraph");
  mb_subgraph *g = &mb->subgraphs[mb->n_subgraphs];
  memset(g, 0, sizeof *g);
  if (name && !(g->name = pool_str(mb, name)))
    return oom(mb, "pnn_mb_subgraph");
  mb->cur = mb->n_subgraphs;
  return mb->n_subgraphs++;
}

int pnn_mb_use_subgraph(pnn_mb *mb, int index) {
  if (!mb || mb->status != PNN_OK) return -1;
  if (index < 0 || index >= mb->n_subgraphs)
    return fail(mb, PNN_ERROR_INVALID_ARGUMENT,
                "pnn_mb_use_subgraph: subgraph %d out of range (%d)", index,
                (int)mb->n_subgraphs);
  mb->cur = index;
  return index;
}

static pnn_tensor_map_def *copy_maps(pnn_mb *mb, int n,
                                     const char *const *names,
                                     const int32_t *tensors, int32_t n_tensors,
                                     const char *what) {
  if (n < 0 || (n > 0 && (!names || !tensors))) {
    fail(mb, PNN_ERROR_INVALID_ARGUMENT, "pnn_mb_signature: bad %s list", what);
    return NULL;
  }
  pnn_tensor_map_def *m = pnn_pool_calloc(&mb->pool, (size_t)n + 1, sizeof *m);
  if (!m) return oom(mb, "pnn_mb_signature"), NULL;
  for (int i = 0; i < n; i++) {
    if (tensors[i] < 0 || tensors[i] >= n_tensors) {
      fail(mb, PNN_ERROR_INVALID_ARGUMENT,
           "pnn_mb_signature: %s %d: tensor %d out of range (%d)", what, i,
           (int)tensors[i], (int)n_tensors);
      return NULL;
    }
    m[i].name = pool_str(mb, names[i]);
    if (!m[i].name) return oom(mb, "pnn_mb_signature"), NULL;
    m[i].tensor_index = (uint32_t)tensors[i];
  }
  return m;
}

int pnn_mb_signature(pnn_mb *mb, const char *key, int subgraph, int n_in,
                     const char *const *in_names, const int32_t *in_tensors,
                     int n_out, const char *const *out_names,
                     const int32_t *out_tensors) {
  if (!mb || mb->status != PNN_OK) return -1;
  if (subgraph < 0 || subgraph >= mb->n_subgraphs)
    return fail(mb, PNN_ERROR_INVALID_ARGUMENT,
                "pnn_mb_signature: subgraph %d out of range (%d)", subgraph,
                (int)mb->n_subgraphs);
  int32_t nt = mb->subgraphs[subgraph].n_tensors;
  pnn_tensor_map_def *in =
      copy_maps(mb, n_in, in_names, in_tensors, nt, "input");
  pnn_tensor_map_def *out =
      in ? copy_maps(mb, n_out, out_names, out_tensors, nt, "output") : NULL;
  if (!in || !out) return -1;
  if (!GROW(mb, sigs, n_sigs, cap_sigs)) return oom(mb, "pnn_mb_signature");
  pnn_signature_def *s = &mb->sigs[mb->n_sigs];
  memset(s, 0, sizeof *s);
  s->key = pool_str(mb, key);
  if (!s->key) return oom(mb, "pnn_mb_signature");
  s->subgraph_index = (uint32_t)subgraph;
  s->n_inputs = n_in;
  s->inputs = in;
  s->n_outputs = n_out;
  s->outputs = out;
  return mb->n_sigs++;
}

int pnn_mb_metadata(pnn_mb *mb, const char *name, const void *data,
                    size_t size) {
  if (!mb || mb->status != PNN_OK) return -1;
  int buffer = pnn_mb_buffer(mb, data, size);
  if (buffer < 0) return -1;
  if (!GROW(mb, metadata, n_metadata, cap_metadata))
    return oom(mb, "pnn_mb_metadata");
  pnn_metadata_def *m = &mb->metadata[mb->n_metadata];
  m->name = pool_str(mb, name);
  if (!m->name) return oom(mb, "pnn_mb_metadata");
  m->buffer = (uint32_t)buffer;
  return mb->n_metadata++;
}

const pnn_model_def *pnn_mb_def(pnn_mb *mb) {
  if (!mb || mb->status != PNN_OK) return NULL;
  pnn_subgraph_def *v =
      realloc(mb->sg_view, (size_t)mb->n_subgraphs * sizeof *v);
  if (!v) return oom(mb, "pnn_mb_def"), NULL;
  mb->sg_view = v;
  for (int32_t i = 0; i < mb->n_subgraphs; i++) {
    const mb_subgraph *g = &mb->subgraphs[i];
    v[i] = (pnn_subgraph_def){.name = g->name,
                              .n_tensors = g->n_tensors,
                              .tensors = g->tensors,
                              .inputs = g->inputs,
                              .outputs = g->outputs,
                              .n_ops = g->n_ops,
                              .ops = g->ops};
  }
  mb->def = (pnn_model_def){.version = 3,
                            .description = mb->description,
                            .n_opcodes = mb->n_opcodes,
                            .opcodes = mb->opcodes,
                            .n_subgraphs = mb->n_subgraphs,
                            .subgraphs = v,
                            .n_buffers = mb->n_buffers,
                            .buffers = mb->buffers,
                            .n_metadata = mb->n_metadata,
                            .metadata = mb->metadata,
                            .n_signatures = mb->n_sigs,
                            .signatures = mb->sigs};
  return &mb->def;
}

pnn_status pnn_mb_finish_ex(pnn_mb *mb, const pnn_write_options *opts,
                            uint8_t **bytes, size_t *size) {
  if (bytes) *bytes = NULL;
  if (size) *size = 0;
  if (!mb) return PNN_ERROR_INVALID_ARGUMENT;
  if (!bytes || !size) {
    fail(mb, PNN_ERROR_INVALID_ARGUMENT, "pnn_mb_finish: NULL output");
    return mb->status;
  }
  const pnn_model_def *def = pnn_mb_def(mb);
  if (!def) return mb->status;
  char err[256];
  pnn_status st = pnn_model_write_ex(def, opts, bytes, size, err, sizeof err);
  if (st != PNN_OK) fail(mb, st, "pnn_mb_finish: %s", err);
  return st;
}

pnn_status pnn_mb_finish(pnn_mb *mb, uint8_t **bytes, size_t *size) {
  return pnn_mb_finish_ex(mb, NULL, bytes, size);
}

pnn_status pnn_mb_write_file(pnn_mb *mb, const char *path) {
  if (!mb) return PNN_ERROR_INVALID_ARGUMENT;
  const pnn_model_def *def = pnn_mb_def(mb);
  if (!def) return mb->status;
  char err[256];
  pnn_status st = pnn_model_write_file(def, NULL, path, err, sizeof err);
  if (st != PNN_OK) fail(mb, st, "pnn_mb_write_file: %s", err);
  return st;
}

pnn_status pnn_mb_load(pnn_mb *mb, pnn_model **out) {
  if (out) *out = NULL;
  if (!mb || !out) return PNN_ERROR_INVALID_ARGUMENT;
  uint8_t *bytes;
  size_t size;
  pnn_status st = pnn_mb_finish(mb, &bytes, &size);
  if (st != PNN_OK) return st;
  pnn_load_options lo = {.flags = PNN_LOAD_COPY};
  char err[256] = "";
  st = pnn_model_load_buffer(bytes, size, &lo, out, err, sizeof err);
  free(bytes);
  if (st != PNN_OK) fail(mb, st, "pnn_mb_load: %s", err);
  return st;
}
