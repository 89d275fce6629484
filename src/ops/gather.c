/* Indexing ops: GATHER, GATHER_ND, SELECT, SELECT_V2, plus TOPK_V2,
 * ONE_HOT and SCATTER_ND. Gathered elements are moved as bytes, so every
 * fixed-size type works. Index values are data: they
 * are checked at eval and a bad one fails with PNN_ERROR_RUNTIME before
 * anything is read from outside the params tensor. */
#include <string.h>

#include "ops/common.h"
#include "ops/tensor_util.h"

#define INDEX_TYPES (PNN_T(INT32) | PNN_T(INT64) | PNN_T(INT16))

static int64_t prod(const int32_t *dims, int from, int to) {
  int64_t p = 1;
  for (int i = from; i < to; i++) p *= dims[i];
  return p;
}

static int64_t read_idx(const pnn_tensor *t, int64_t i) {
  if (t->type == PNN_TYPE_INT16) return ((const int16_t *)t->data)[i];
  return pnn_read_index(t, i);
}

/* -------------------------------------------------------------- GATHER */

typedef struct {
  int axis, batch_dims;
} gather_state;

static pnn_status gather_prepare(pnn_node *node) {
  pnn_tensor *params, *indices;
  pnn_status s = pnn_check_io(node, 2, 2, 1);
  if (s || (s = pnn_require_input(node, 0, &params)) ||
      (s = pnn_require_input(node, 1, &indices)) ||
      (s = pnn_tu_check_types(node, params, 0, PNN_TYPES_FIXED)) ||
      (s = pnn_tu_check_types(node, indices, 1, INDEX_TYPES)))
    return s;
  const pnn_gather_options *o = PNN_OPTS(node, gather);
  int axis, batch_dims = o->batch_dims;
  if ((s = pnn_tu_axis(node, o->axis, params->rank, "axis", &axis))) return s;
  if (batch_dims < 0) batch_dims += indices->rank;
  if (batch_dims < 0 || batch_dims > indices->rank || batch_dims > axis)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "batch_dims %d invalid for axis %d and indices "
                          "rank %d",
                          o->batch_dims, axis, indices->rank);
  for (int i = 0; i < batch_dims; i++)
    if (params->dims[i] != indices->dims[i])
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "batch dim %d: params has %d, indices %d", i,
                            params->dims[i], indices->dims[i]);
  int rank = params->rank - 1 + indices->rank - batch_dims;
  if (rank > PNN_MAX_RANK)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "output rank %d exceeds %d", rank, PNN_MAX_RANK);
  int32_t dims[PNN_MAX_RANK];
  int n = 0;
  for (int i = 0; i < axis; i++) dims[n++] = params->dims[i];
  for (int i = batch_dims; i < indices->rank; i++) dims[n++] = indices->dims[i];
  for (int i = axis + 1; i < params->rank; i++) dims[n++] = params->dims[i];
  if (pnn_dims_count(dims, n) < 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "output element count overflows");
  gather_state *st = pnn_node_alloc_persistent(node, sizeof *st);
  if (!st)
    return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY, "out of memory");
  st->axis = axis;
  st->batch_dims = batch_dims;
  node->state = st;
  return pnn_node_resize_output(node, 0, params->type, dims, n);
}

static pnn_status gather_eval(pnn_node *node) {
  const gather_state *st = node->state;
  const pnn_tensor *params = node->inputs[0], *indices = node->inputs[1];
  size_t elem = pnn_type_size(params->type);
  int64_t batch = prod(params->dims, 0, st->batch_dims);
  int64_t outer = prod(params->dims, st->batch_dims, st->axis);
  int64_t coords = prod(indices->dims, st->batch_dims, indices->rank);
  int64_t axis_size = params->dims[st->axis];
  int64_t inner = prod(params->dims, st->axis + 1, params->rank);
  size_t chunk = (size_t)inner * elem;
  const uint8_t *src = params->data;
  uint8_t *dst = node->outputs[0]->data;
  for (int64_t b = 0; b < batch; b++)
    for (int64_t o = 0; o < outer; o++)
      for (int64_t c = 0; c < coords; c++) {
        int64_t idx = read_idx(indices, b * coords + c);
        if (idx < 0 || idx >= axis_size)
          return pnn_node_error(node, PNN_ERROR_RUNTIME,
                                "index %lld out of range [0, %lld) in input 1 "
                                "(%s)",
                                (long long)idx, (long long)axis_size,
                                indices->name);
        if (chunk)
          memcpy(dst,
                 src + ((b * outer + o) * axis_size + idx) * (int64_t)chunk,
                 chunk);
        dst += chunk;
      }
  return PNN_OK;
}

static const pnn_op_kernel gather_kernel = {gather_prepare, gather_eval};

/* ----------------------------------------------------------- GATHER_ND */

static pnn_status gather_nd_prepare(pnn_node *node) {
  pnn_tensor *params, *indices;
  pnn_status s = pnn_check_io(node, 2, 2, 1);
  if (s || (s = pnn_require_input(node, 0, &params)) ||
      (s = pnn_require_input(node, 1, &indices)) ||
      (s = pnn_tu_check_types(node, params, 0, PNN_TYPES_FIXED)) ||
      (s = pnn_tu_check_types(node, indices, 1, INDEX_TYPES)))
    return s;
  if (indices->rank < 1)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 1 (%s, indices) must have rank >= 1",
                          indices->name);
  int nd = indices->dims[indices->rank - 1];
  if (nd > params->rank)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "index depth %d exceeds params rank %d", nd,
                          params->rank);
  int rank = indices->rank - 1 + params->rank - nd;
  if (rank > PNN_MAX_RANK)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "output rank %d exceeds %d", rank, PNN_MAX_RANK);
  int32_t dims[PNN_MAX_RANK];
  int n = 0;
  for (int i = 0; i < indices->rank - 1; i++) dims[n++] = indices->dims[i];
  for (int i = nd; i < params->rank; i++) dims[n++] = params->dims[i];
  if (pnn_dims_count(dims, n) < 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "output element count overflows");
  return pnn_node_resize_output(node, 0, params->type, dims, n);
}

static pnn_status gather_nd_eval(pnn_node *node) {
  const pnn_tensor *params = node->inputs[0], *indices = node->inputs[1];
  size_t elem = pnn_type_size(params->type);
  int nd = indices->dims[indices->rank - 1];
  int64_t slices = prod(indices->dims, 0, indices->rank - 1);
  int64_t inner = prod(params->dims, nd, params->rank);
  size_t chunk = (size_t)inner * elem;
  int64_t strides[PNN_MAX_RANK];
  pnn_tu_strides(params->dims, params->rank, strides);
  const uint8_t *src = params->data;
  uint8_t *dst = node->outputs[0]->data;
  for (int64_t k = 0; k < slices; k++) {
    int64_t off = 0;
    for (int d = 0; d < nd; d++) {
      int64_t idx = read_idx(indices, k * nd + d);
      if (idx < 0 || idx >= params->dims[d])
        return pnn_node_error(node, PNN_ERROR_RUNTIME,
                              "index %lld out of range [0, %d) for dim %d in "
                              "input 1 (%s)",
                              (long long)idx, params->dims[d], d,
                              indices->name);
      off += idx * strides[d];
    }
    if (chunk) memcpy(dst, src + off * (int64_t)elem, chunk);
    dst += chunk;
  }
  return PNN_OK;
}

static const pnn_op_kernel gather_nd_kernel = {gather_nd_prepare,
                                               gather_nd_eval};

/* ------------------------------------------------- SELECT, SELECT_V2 */

typedef struct {
  int rank;
  int32_t dims[PNN_MAX_RANK];
  int64_t steps[3][PNN_MAX_RANK]; /* condition, x, y */
} select_state;

static pnn_status select_prepare(pnn_node *node) {
  pnn_tensor *t[3];
  pnn_status s = pnn_check_io(node, 3, 3, 1);
  if (s) return s;
  for (int i = 0; i < 3; i++)
    if ((s = pnn_require_input(node, i, &t[i]))) return s;
  if ((s = pnn_check_type(node, t[0], 0, PNN_TYPE_BOOL)) ||
      (s = pnn_tu_check_types(node, t[1], 1, PNN_TYPES_FIXED)))
    return s;
  if (t[2]->type != t[1]->type)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 2 (%s): type %s differs from input 1's %s",
                          t[2]->name, pnn_type_name(t[2]->type),
                          pnn_type_name(t[1]->type));
  select_state *st = pnn_node_alloc_persistent(node, sizeof *st);
  if (!st)
    return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY, "out of memory");
  node->state = st;
  if (node->builtin == PNN_OP_SELECT) {
    /* v1: x and y have one shape; the condition has it too, or is a
     * scalar, or is 1-D and picks whole rows of x/y. */
    if (!pnn_same_shape(t[1], t[2]))
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "inputs 1 (%s) and 2 (%s) differ in shape",
                            t[1]->name, t[2]->name);
    st->rank = t[1]->rank;
    memcpy(st->dims, t[1]->dims, sizeof(int32_t) * (size_t)st->rank);
    pnn_tu_strides(st->dims, st->rank, st->steps[1]);
    memcpy(st->steps[2], st->steps[1], sizeof st->steps[1]);
    if (pnn_same_shape(t[0], t[1])) {
      memcpy(st->steps[0], st->steps[1], sizeof st->steps[1]);
    } else if (t[0]->rank == 0) {
      memset(st->steps[0], 0, sizeof st->steps[0]);
    } else if (t[0]->rank == 1 && t[1]->rank >= 1 &&
               t[0]->dims[0] == t[1]->dims[0]) {
      memset(st->steps[0], 0, sizeof st->steps[0]);
      st->steps[0][0] = 1;
    } else {
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "input 0 (%s, condition) must match x's shape, "
                            "be a scalar, or be 1-D of size %d",
                            t[0]->name, t[1]->rank ? t[1]->dims[0] : 1);
    }
  } else {
    int32_t xy[PNN_MAX_RANK];
    int rxy;
    if (!pnn_broadcast_dims(t[1]->dims, t[1]->rank, t[2]->dims, t[2]->rank, xy,
                            &rxy) ||
        !pnn_broadcast_dims(t[0]->dims, t[0]->rank, xy, rxy, st->dims,
                            &st->rank))
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "shapes of condition (%s), x (%s) and y (%s) do "
                            "not broadcast",
                            t[0]->name, t[1]->name, t[2]->name);
    for (int i = 0; i < 3; i++)
      pnn_broadcast_strides(t[i], st->rank, st->steps[i]);
  }
  if (pnn_dims_count(st->dims, st->rank) < 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "output element count overflows");
  return pnn_node_resize_output(node, 0, t[1]->type, st->dims, st->rank);
}

static pnn_status select_eval(pnn_node *node) {
  const select_state *st = node->state;
  /* Bool tensors are read as bytes: any nonzero byte is true. */
  const uint8_t *cond = node->inputs[0]->data;
  const uint8_t *x = node->inputs[1]->data, *y = node->inputs[2]->data;
  uint8_t *dst = node->outputs[0]->data;
  size_t elem = pnn_type_size(node->outputs[0]->type);
  int64_t n = pnn_dims_count(st->dims, st->rank);
  int64_t idx[PNN_MAX_RANK] = {0}, off[3] = {0, 0, 0};
  for (int64_t k = 0; k < n; k++) {
    const uint8_t *src =
        cond[off[0]] ? x + off[1] * (int64_t)elem : y + off[2] * (int64_t)elem;
    memcpy(dst + k * (int64_t)elem, src, elem);
    for (int d = st->rank - 1; d >= 0; d--) {
      for (int i = 0; i < 3; i++) off[i] += st->steps[i][d];
      if (++idx[d] < st->dims[d]) break;
      for (int i = 0; i < 3; i++) off[i] -= st->steps[i][d] * st->dims[d];
      idx[d] = 0;
    }
  }
  return PNN_OK;
}

static const pnn_op_kernel select_kernel = {select_prepare, select_eval};

/* -------------------------------------------------------------- TOPK_V2 */

/* The k largest elements of each row (last dim), in descending order;
 * equal values keep the lower index first, as TFLite's TopK. */
static pnn_status topk_prepare(pnn_node *node) {
  pnn_tensor *in, *k_t;
  pnn_status s = pnn_check_io(node, 2, 2, 2);
  if (s || (s = pnn_require_input(node, 0, &in)) ||
      (s = pnn_tu_check_types(node, in, 0, PNN_TYPES_NUMERIC)) ||
      (s = pnn_require_input(node, 1, &k_t)))
    return s;
  int64_t k[1];
  int n;
  if ((s = pnn_tu_const_ints(node, k_t, 1, "k", k, 1, &n))) return s;
  if (in->rank < 1 || n != 1 || k[0] < 0 || k[0] > in->dims[in->rank - 1])
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "k must be one value in [0, last dim of input 0 "
                          "(%s)]",
                          in->name);
  pnn_type it = node->outputs[1]->type;
  if (it != PNN_TYPE_INT32 && it != PNN_TYPE_INT64) it = PNN_TYPE_INT32;
  int32_t dims[PNN_MAX_RANK];
  memcpy(dims, in->dims, sizeof(int32_t) * (size_t)in->rank);
  dims[in->rank - 1] = (int32_t)k[0];
  if ((s = pnn_node_resize_output(node, 0, in->type, dims, in->rank))) return s;
  return pnn_node_resize_output(node, 1, it, dims, in->rank);
}

/* Per row, a heap of the k best positions seen so far with the worst at
 * the root, then a heap sort of those k: O(n log k) per row (an insertion
 * into a sorted list was O(n k), minutes for a legal [1, 200000] row).
 * The order is TFLite's TopContainer: a before b when b < a, or when
 * neither is larger (equal, or NaN) and a has the lower index. */
#define TOPK_BETTER(row, a, b) \
  ((row)[b] < (row)[a] || (!((row)[b] > (row)[a]) && (a) < (b)))

#define TOPK_DEFINE(T, NAME)                                        \
  /* Restores the heap below position i (heap of n positions). */   \
  static void topk_sift_##NAME(const T *row, int64_t *h, int64_t n, \
                               int64_t i) {                         \
    for (;;) {                                                      \
      int64_t w = i, l = 2 * i + 1, r = l + 1;                      \
      if (l < n && TOPK_BETTER(row, h[w], h[l])) w = l;             \
      if (r < n && TOPK_BETTER(row, h[w], h[r])) w = r;             \
      if (w == i) return;                                           \
      int64_t t = h[i];                                             \
      h[i] = h[w];                                                  \
      h[w] = t;                                                     \
      i = w;                                                        \
    }                                                               \
  }                                                                 \
  /* h[0..k): positions of the k best of row[0..n), best first. */  \
  static void topk_row_##NAME(const T *row, int64_t n, int64_t k,   \
                              int64_t *h) {                         \
    int64_t cnt = 0;                                                \
    for (int64_t i = 0; i < n; i++) {                               \
      if (cnt < k) {                                                \
        int64_t c = cnt++;                                          \
        h[c] = i;                                                   \
        while (c > 0 && TOPK_BETTER(row, h[(c - 1) / 2], h[c])) {   \
          int64_t p = (c - 1) / 2, t = h[p];                        \
          h[p] = h[c];                                              \
          h[c] = t;                                                 \
          c = p;                                                    \
        }                                                           \
      } else if (TOPK_BETTER(row, i, h[0])) {                       \
        h[0] = i;                                                   \
        topk_sift_##NAME(row, h, k, 0);                             \
      }                                                             \
    }                                                               \
    for (int64_t e = k - 1; e > 0; e--) { /* worst to the back */   \
      int64_t t = h[0];                                             \
      h[0] = h[e];                                                  \
      h[e] = t;                                                     \
      topk_sift_##NAME(row, h, e, 0);                               \
    }                                                               \
  }
TOPK_DEFINE(float, f32)
TOPK_DEFINE(int32_t, i32)
TOPK_DEFINE(int64_t, i64)
TOPK_DEFINE(int8_t, i8)
TOPK_DEFINE(int16_t, i16)
TOPK_DEFINE(uint8_t, u8)

#define TOPK_ROWS(T, NAME)                                     \
  do {                                                         \
    const T *x = in->data;                                     \
    T *vals = out->data;                                       \
    for (int64_t r = 0; r < rows; r++) {                       \
      const T *row = x + r * n;                                \
      topk_row_##NAME(row, n, k, pos);                         \
      for (int64_t j = 0; j < k; j++) {                        \
        vals[r * k + j] = row[pos[j]];                         \
        if (idx->type == PNN_TYPE_INT64)                       \
          ((int64_t *)idx->data)[r * k + j] = pos[j];          \
        else                                                   \
          ((int32_t *)idx->data)[r * k + j] = (int32_t)pos[j]; \
      }                                                        \
    }                                                          \
  } while (0)

static pnn_status topk_eval(pnn_node *node) {
  const pnn_tensor *in = node->inputs[0];
  pnn_tensor *out = node->outputs[0], *idx = node->outputs[1];
  int64_t n = in->dims[in->rank - 1];
  int64_t k = out->dims[out->rank - 1];
  if (k == 0 || n == 0) return PNN_OK;
  int64_t rows = pnn_tensor_count(in) / n;
  int64_t *pos = node->scratch;
  switch (in->type) {
    case PNN_TYPE_FLOAT32: TOPK_ROWS(float, f32); break;
    case PNN_TYPE_INT32: TOPK_ROWS(int32_t, i32); break;
    case PNN_TYPE_INT64: TOPK_ROWS(int64_t, i64); break;
    case PNN_TYPE_INT8: TOPK_ROWS(int8_t, i8); break;
    case PNN_TYPE_INT16: TOPK_ROWS(int16_t, i16); break;
    default: TOPK_ROWS(uint8_t, u8); break;
  }
  return PNN_OK;
}

static pnn_status topk_prepare_all(pnn_node *node) {
  pnn_status s = topk_prepare(node);
  if (s) return s;
  /* Row positions of the k best, one row at a time. */
  int64_t k = node->outputs[0]->dims[node->outputs[0]->rank - 1];
  return pnn_node_request_scratch(node, (size_t)(k ? k : 1) * 8);
}

static const pnn_op_kernel topk_kernel = {topk_prepare_all, topk_eval};

/* -------------------------------------------------------------- ONE_HOT */

static pnn_status one_hot_prepare(pnn_node *node) {
  pnn_tensor *ind, *depth_t, *on, *off;
  pnn_status s = pnn_check_io(node, 4, 4, 1);
  if (s || (s = pnn_require_input(node, 0, &ind)) ||
      (s = pnn_require_input(node, 1, &depth_t)) ||
      (s = pnn_require_input(node, 2, &on)) ||
      (s = pnn_require_input(node, 3, &off)))
    return s;
  if (ind->type != PNN_TYPE_INT32 && ind->type != PNN_TYPE_INT64)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "input 0 (%s): type %s not supported", ind->name,
                          pnn_type_name(ind->type));
  if ((s = pnn_tu_check_types(node, on, 2, PNN_TYPES_NUMERIC | PNN_T(BOOL))))
    return s;
  if (off->type != on->type || pnn_tensor_count(on) != 1 ||
      pnn_tensor_count(off) != 1)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "on_value and off_value must be scalars of one type");
  int64_t d[1];
  int n;
  if ((s = pnn_tu_const_ints(node, depth_t, 1, "depth", d, 1, &n))) return s;
  if (n != 1 || d[0] < 0 || d[0] > INT32_MAX)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "depth must be one value >= 0");
  int axis = PNN_OPTS(node, one_hot)->axis;
  if (axis == -1) axis = ind->rank;
  if (axis < 0 || axis > ind->rank || ind->rank + 1 > PNN_MAX_RANK)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "axis %d invalid for indices rank %d",
                          PNN_OPTS(node, one_hot)->axis, ind->rank);
  int *st = pnn_node_alloc_persistent(node, sizeof *st);
  if (!st)
    return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY, "out of memory");
  *st = axis;
  node->state = st;
  int32_t dims[PNN_MAX_RANK];
  for (int i = 0, j = 0; i <= ind->rank; i++)
    dims[i] = i == axis ? (int32_t)d[0] : ind->dims[j++];
  if (pnn_dims_count(dims, ind->rank + 1) < 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "output element count overflows");
  return pnn_node_resize_output(node, 0, on->type, dims, ind->rank + 1);
}

static pnn_status one_hot_eval(pnn_node *node) {
  int axis = *(const int *)node->state;
  const pnn_tensor *ind = node->inputs[0];
  pnn_tensor *out = node->outputs[0];
  size_t elem = pnn_type_size(out->type);
  int64_t depth = out->dims[axis];
  int64_t prefix = prod(ind->dims, 0, axis);
  int64_t suffix = prod(ind->dims, axis, ind->rank);
  const uint8_t *on = node->inputs[2]->data, *off = node->inputs[3]->data;
  uint8_t *dst = out->data;
  for (int64_t p = 0; p < prefix; p++)
    for (int64_t d = 0; d < depth; d++)
      for (int64_t q = 0; q < suffix; q++, dst += elem)
        memcpy(dst, pnn_read_index(ind, p * suffix + q) == d ? on : off, elem);
  return PNN_OK;
}

static const pnn_op_kernel one_hot_kernel = {one_hot_prepare, one_hot_eval};

/* ----------------------------------------------------------- SCATTER_ND */

/* A zero tensor of `shape` with the update slices added at the indexed
 * positions (duplicates add up). A bad index is a runtime error. */
static pnn_status scatter_nd_prepare(pnn_node *node) {
  pnn_tensor *ind, *upd, *shape_t;
  pnn_status s = pnn_check_io(node, 3, 3, 1);
  if (s || (s = pnn_require_input(node, 0, &ind)) ||
      (s = pnn_require_input(node, 1, &upd)) ||
      (s = pnn_require_input(node, 2, &shape_t)) ||
      (s = pnn_tu_check_types(node, ind, 0, INDEX_TYPES)) ||
      (s = pnn_tu_check_types(node, upd, 1, PNN_TYPES_NUMERIC)))
    return s;
  int64_t v[PNN_MAX_RANK];
  int rank;
  if ((s = pnn_tu_const_ints(node, shape_t, 2, "shape", v, PNN_MAX_RANK,
                             &rank)))
    return s;
  int32_t dims[PNN_MAX_RANK];
  for (int i = 0; i < rank; i++) {
    if (v[i] < 0 || v[i] > INT32_MAX)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL, "shape[%d] is %lld",
                            i, (long long)v[i]);
    dims[i] = (int32_t)v[i];
  }
  if (ind->rank < 1 || ind->dims[ind->rank - 1] > rank)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "indices must have rank >= 1 and depth <= %d", rank);
  int nd = ind->dims[ind->rank - 1];
  /* updates = indices.shape[:-1] + shape[nd:] */
  bool ok = upd->rank == ind->rank - 1 + rank - nd;
  for (int i = 0; ok && i < ind->rank - 1; i++)
    ok = upd->dims[i] == ind->dims[i];
  for (int i = nd; ok && i < rank; i++)
    ok = upd->dims[ind->rank - 1 + i - nd] == dims[i];
  if (!ok)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 1 (%s, updates) does not match indices and "
                          "shape",
                          upd->name);
  if (pnn_dims_count(dims, rank) < 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "output element count overflows");
  return pnn_node_resize_output(node, 0, upd->type, dims, rank);
}

#define SCATTER_ADD(T, U)                                              \
  do {                                                                 \
    T *o = (T *)out->data + off;                                       \
    const T *u = (const T *)upd->data + k * inner;                     \
    for (int64_t j = 0; j < inner; j++) o[j] = (T)((U)o[j] + (U)u[j]); \
  } while (0)

static pnn_status scatter_nd_eval(pnn_node *node) {
  const pnn_tensor *ind = node->inputs[0], *upd = node->inputs[1];
  pnn_tensor *out = node->outputs[0];
  int nd = ind->dims[ind->rank - 1];
  int64_t slices = prod(ind->dims, 0, ind->rank - 1);
  int64_t inner = prod(out->dims, nd, out->rank);
  int64_t strides[PNN_MAX_RANK];
  pnn_tu_strides(out->dims, out->rank, strides);
  if (out->bytes) memset(out->data, 0, out->bytes);
  for (int64_t k = 0; k < slices; k++) {
    int64_t off = 0;
    for (int d = 0; d < nd; d++) {
      int64_t i = read_idx(ind, k * nd + d);
      if (i < 0 || i >= out->dims[d])
        return pnn_node_error(node, PNN_ERROR_RUNTIME,
                              "index %lld out of range [0, %d) for dim %d in "
                              "input 0 (%s)",
                              (long long)i, out->dims[d], d, ind->name);
      off += i * strides[d];
    }
    switch (out->type) {
      case PNN_TYPE_FLOAT32: SCATTER_ADD(float, float); break;
      case PNN_TYPE_INT32: SCATTER_ADD(int32_t, uint32_t); break;
      case PNN_TYPE_INT64: SCATTER_ADD(int64_t, uint64_t); break;
      case PNN_TYPE_INT16: SCATTER_ADD(int16_t, uint16_t); break;
      case PNN_TYPE_INT8: SCATTER_ADD(int8_t, uint8_t); break;
      default: SCATTER_ADD(uint8_t, uint8_t); break;
    }
  }
  return PNN_OK;
}

static const pnn_op_kernel scatter_nd_kernel = {scatter_nd_prepare,
                                                scatter_nd_eval};

const pnn_op_entry pnn_ops_gather[] = {
    {PNN_OP_TOPK_V2, &topk_kernel},          {PNN_OP_ONE_HOT, &one_hot_kernel},
    {PNN_OP_SCATTER_ND, &scatter_nd_kernel}, {PNN_OP_GATHER, &gather_kernel},
    {PNN_OP_GATHER_ND, &gather_nd_kernel},   {PNN_OP_SELECT, &select_kernel},
    {PNN_OP_SELECT_V2, &select_kernel},      {-1, NULL},
};
