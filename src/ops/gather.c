/* Indexing ops: GATHER, GATHER_ND, SELECT, SELECT_V2. Elements are moved
 * as bytes, so every fixed-size type works. Index values are data: they
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

const pnn_op_entry pnn_ops_gather[] = {
    {PNN_OP_GATHER, &gather_kernel},
    {PNN_OP_GATHER_ND, &gather_nd_kernel},
    {PNN_OP_SELECT, &select_kernel},
    {PNN_OP_SELECT_V2, &select_kernel},
    {-1, NULL},
};
