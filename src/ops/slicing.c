/* Data-movement ops: CONCATENATION, SPLIT, SPLIT_V, PACK, UNPACK, SLICE,
 * STRIDED_SLICE, TRANSPOSE, TILE, PAD, PADV2, MIRROR_PAD, REVERSE_V2,
 * DYNAMIC_UPDATE_SLICE. They move
 * elements without looking at them (except CONCATENATION's fused
 * activation and requantization), so most work on any fixed-size type.
 * Index arithmetic is settled at prepare into a strided box copy. */
#include <math.h>
#include <string.h>

#include "ops/common.h"
#include "ops/quant_math.h"
#include "ops/tensor_util.h"

static int64_t prod(const int32_t *dims, int from, int to) {
  int64_t p = 1;
  for (int i = from; i < to; i++) p *= dims[i];
  return p;
}

static pnn_status need_fixed(pnn_node *node, const pnn_tensor *t, int i) {
  return pnn_tu_check_types(node, t, i, PNN_TYPES_FIXED);
}

static pnn_status oom(pnn_node *node) {
  return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY, "out of memory");
}

/* Of an op taking data (input 0, fixed-size type) and a constant int
 * vector `what` (input 1): *in and the vector's *n values (at most
 * PNN_MAX_RANK; exactly one per input dim when per_dim). */
static pnn_status data_and_ints(pnn_node *node, const char *what, bool per_dim,
                                pnn_tensor **in, int64_t *v, int *n) {
  pnn_tensor *t;
  pnn_status s = pnn_check_io(node, 2, 2, 1);
  if (s || (s = pnn_require_input(node, 0, in)) ||
      (s = need_fixed(node, *in, 0)) || (s = pnn_require_input(node, 1, &t)) ||
      (s = pnn_tu_const_ints(node, t, 1, what, v, PNN_MAX_RANK, n)))
    return s;
  if (per_dim && *n != (*in)->rank)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "%s has %d values for input rank %d", what, *n,
                          (*in)->rank);
  return PNN_OK;
}

/* A box copy settled at prepare: input -> output (both element steps). */
typedef struct {
  int rank;
  int64_t base; /* source offset of the first element */
  int64_t counts[PNN_TU_MAX_COPY_RANK];
  int64_t src_steps[PNN_TU_MAX_COPY_RANK], dst_steps[PNN_TU_MAX_COPY_RANK];
} box_state;

static box_state *box_new(pnn_node *node) {
  box_state *st = pnn_node_alloc_persistent(node, sizeof *st);
  node->state = st;
  return st;
}

static pnn_status box_eval(pnn_node *node) {
  const box_state *st = node->state;
  const pnn_tensor *in = node->inputs[0];
  size_t elem = pnn_type_size(in->type);
  pnn_tu_copy_nd(node->outputs[0]->data, st->dst_steps,
                 (const uint8_t *)in->data + st->base * (int64_t)elem,
                 st->src_steps, st->counts, st->rank, elem);
  return PNN_OK;
}

/* -------------------------------------------------------- CONCATENATION */

static bool same_quant(const pnn_tensor *a, const pnn_tensor *b) {
  return a->scale == b->scale && a->zero_point == b->zero_point;
}

/* An int8/uint8 input rescaled into the output's params (concat_requant)
 * needs a finite scale ratio and offset: two valid but extreme scales
 * (1e30 over 1e-30) would make them inf/NaN, and the float-to-int cast of
 * that is undefined. */
static pnn_status concat_check_rescale(pnn_node *node, int i,
                                       const pnn_tensor *t) {
  const pnn_tensor *out = node->outputs[0];
  if ((t->type != PNN_TYPE_INT8 && t->type != PNN_TYPE_UINT8) || !out ||
      same_quant(t, out))
    return PNN_OK;
  float scale = t->scale / out->scale;
  float bias = -(float)t->zero_point * scale;
  if (!isfinite(scale) || !isfinite(bias) || !(scale > 0.0f) ||
      scale * 512.0f > 1e9f)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input %d (%s): scale %g over output scale %g is "
                          "not a usable rescale factor",
                          i, t->name, (double)t->scale, (double)out->scale);
  return PNN_OK;
}

static pnn_status concat_prepare(pnn_node *node) {
  pnn_status s = pnn_check_io(node, 1, 1 << 20, 1);
  if (s) return s;
  const pnn_concatenation_options *o = PNN_OPTS(node, concatenation);
  pnn_tensor *t0;
  if ((s = pnn_require_input(node, 0, &t0)) || (s = need_fixed(node, t0, 0)))
    return s;
  int axis;
  if ((s = pnn_tu_axis(node, o->axis, t0->rank, "axis", &axis))) return s;
  int act = o->fused_activation_function;
  if (!pnn_activation_supported(act) ||
      (t0->type != PNN_TYPE_FLOAT32 && act != PNN_ACT_NONE))
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "fused activation %d not supported for %s", act,
                          pnn_type_name(t0->type));
  int32_t dims[PNN_MAX_RANK];
  memcpy(dims, t0->dims, sizeof(int32_t) * (size_t)t0->rank);
  int64_t total = 0;
  for (int i = 0; i < node->n_inputs; i++) {
    pnn_tensor *t;
    if ((s = pnn_require_input(node, i, &t))) return s;
    if (t->type != t0->type || t->rank != t0->rank)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "input %d (%s): %s rank %d differs from input 0's "
                            "%s rank %d",
                            i, t->name, pnn_type_name(t->type), t->rank,
                            pnn_type_name(t0->type), t0->rank);
    for (int d = 0; d < t->rank; d++)
      if (d != axis && t->dims[d] != t0->dims[d])
        return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                              "input %d (%s): dim %d is %d, input 0 has %d", i,
                              t->name, d, t->dims[d], t0->dims[d]);
    total += t->dims[axis];
    if ((s = concat_check_rescale(node, i, t))) return s;
  }
  if (total > INT32_MAX)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "concatenated dim overflows");
  dims[axis] = (int32_t)total;
  return pnn_node_resize_output(node, 0, t0->type, dims, t0->rank);
}

/* Quantized inputs whose scale differs from the output's are rescaled the
 * way TFLite does it: round(q * s_in/s_out - zp_in * s_in/s_out) + zp_out,
 * computed in float, then clamped. */
static void concat_requant(const pnn_tensor *in, const pnn_tensor *out,
                           const uint8_t *src, uint8_t *dst, int64_t n) {
  float scale = in->scale / out->scale;
  float bias = -(float)in->zero_point * scale;
  bool is_u8 = out->type == PNN_TYPE_UINT8;
  int lo = is_u8 ? 0 : -128, hi = is_u8 ? 255 : 127;
  for (int64_t k = 0; k < n; k++) {
    int q = is_u8 ? src[k] : (int8_t)src[k];
    int64_t v =
        (int64_t)pnn_qm_sat_i32(roundf((float)q * scale + bias)) + out->zero_point;
    v = v < lo ? lo : (v > hi ? hi : v);
    dst[k] = (uint8_t)v;
  }
}

static pnn_status concat_eval(pnn_node *node) {
  pnn_tensor *out = node->outputs[0];
  const pnn_concatenation_options *o = PNN_OPTS(node, concatenation);
  int axis = o->axis < 0 ? o->axis + out->rank : o->axis;
  size_t elem = pnn_type_size(out->type);
  int64_t outer = prod(out->dims, 0, axis);
  int64_t inner = prod(out->dims, axis + 1, out->rank);
  bool quant = (out->type == PNN_TYPE_INT8 || out->type == PNN_TYPE_UINT8) &&
               out->scale > 0;
  uint8_t *dst = out->data;
  for (int64_t b = 0; b < outer; b++) {
    for (int i = 0; i < node->n_inputs; i++) {
      const pnn_tensor *in = node->inputs[i];
      int64_t n = in->dims[axis] * inner;
      if (!n) continue; /* an empty input may have no data pointer at all */
      const uint8_t *src = (const uint8_t *)in->data + b * n * (int64_t)elem;
      if (quant && in->scale > 0 && !same_quant(in, out))
        concat_requant(in, out, src, dst, n);
      else
        memcpy(dst, src, (size_t)n * elem);
      dst += n * (int64_t)elem;
    }
  }
  int act = o->fused_activation_function;
  if (out->type == PNN_TYPE_FLOAT32 && act != PNN_ACT_NONE) {
    float *f = out->data;
    int64_t n = pnn_tensor_count(out);
    for (int64_t k = 0; k < n; k++) f[k] = pnn_apply_activation(act, f[k]);
  }
  return PNN_OK;
}

static const pnn_op_kernel concat_kernel = {concat_prepare, concat_eval};

/* ------------------------------------------------ SPLIT, SPLIT_V, UNPACK */

typedef struct {
  int axis;    /* axis of the input that is cut */
  int data_in; /* index of the data input */
} split_state;

/* Sizes along `axis` for each output are the outputs' own dims (or 1 for
 * UNPACK, whose outputs drop the axis). */
static pnn_status split_eval(pnn_node *node) {
  const split_state *st = node->state;
  const pnn_tensor *in = node->inputs[st->data_in];
  size_t elem = pnn_type_size(in->type);
  int64_t outer = prod(in->dims, 0, st->axis);
  int64_t inner = prod(in->dims, st->axis + 1, in->rank);
  const uint8_t *src = in->data;
  bool unpack = node->builtin == PNN_OP_UNPACK;
  for (int64_t b = 0; b < outer; b++) {
    for (int i = 0; i < node->n_outputs; i++) {
      pnn_tensor *out = node->outputs[i];
      int64_t size = unpack ? 1 : out->dims[st->axis];
      int64_t n = size * inner;
      if (n)
        memcpy((uint8_t *)out->data + b * n * (int64_t)elem, src,
               (size_t)n * elem);
      src += n * (int64_t)elem;
    }
  }
  return PNN_OK;
}

static pnn_status split_finish(pnn_node *node, const pnn_tensor *in, int axis,
                               int data_in, const int64_t *sizes) {
  split_state *st = pnn_node_alloc_persistent(node, sizeof *st);
  if (!st) return oom(node);
  st->axis = axis;
  st->data_in = data_in;
  node->state = st;
  int32_t dims[PNN_MAX_RANK];
  for (int i = 0; i < node->n_outputs; i++) {
    memcpy(dims, in->dims, sizeof(int32_t) * (size_t)in->rank);
    dims[axis] = (int32_t)sizes[i];
    pnn_status s = pnn_node_resize_output(node, i, in->type, dims, in->rank);
    if (s) return s;
  }
  return PNN_OK;
}

static pnn_status split_axis(pnn_node *node, int idx, const pnn_tensor *in,
                             int *axis) {
  pnn_tensor *axis_t;
  int64_t v[1];
  int n;
  pnn_status s = pnn_require_input(node, idx, &axis_t);
  if (s || (s = pnn_tu_const_ints(node, axis_t, idx, "axis", v, 1, &n)))
    return s;
  if (n != 1)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input %d (%s, axis) must hold one value", idx,
                          axis_t->name);
  return pnn_tu_axis(node, v[0], in->rank, "axis", axis);
}

static pnn_status split_prepare(pnn_node *node) {
  pnn_tensor *in;
  int axis;
  pnn_status s = pnn_check_io(node, 2, 2, node->n_outputs);
  if (s || (s = pnn_require_input(node, 1, &in)) ||
      (s = need_fixed(node, in, 1)) || (s = split_axis(node, 0, in, &axis)))
    return s;
  int n = node->n_outputs;
  int32_t num = PNN_OPTS(node, split)->num_splits;
  if (n < 1 || (num != 0 && num != n))
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "num_splits %d but %d outputs", num, n);
  if (in->dims[axis] % n != 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "dim %d of input 1 (%s) is %d, not divisible by %d",
                          axis, in->name, in->dims[axis], n);
  int64_t *sizes = pnn_node_alloc_persistent(node, sizeof(int64_t) * (size_t)n);
  if (!sizes) return oom(node);
  for (int i = 0; i < n; i++) sizes[i] = in->dims[axis] / n;
  return split_finish(node, in, axis, 1, sizes);
}

static pnn_status split_v_prepare(pnn_node *node) {
  pnn_tensor *in, *sizes_t;
  int axis;
  pnn_status s = pnn_check_io(node, 3, 3, node->n_outputs);
  if (s || (s = pnn_require_input(node, 0, &in)) ||
      (s = need_fixed(node, in, 0)) ||
      (s = pnn_require_input(node, 1, &sizes_t)) ||
      (s = split_axis(node, 2, in, &axis)))
    return s;
  int n = node->n_outputs;
  if (n < 1) return pnn_node_error(node, PNN_ERROR_INVALID_MODEL, "no outputs");
  int64_t *sizes = pnn_node_alloc_persistent(node, sizeof(int64_t) * (size_t)n);
  if (!sizes) return oom(node);
  int got;
  if ((s = pnn_tu_const_ints(node, sizes_t, 1, "size_splits", sizes, n, &got)))
    return s;
  if (got != n)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "size_splits has %d values for %d outputs", got, n);
  int minus = -1;
  int64_t sum = 0;
  for (int i = 0; i < n; i++) {
    if (sizes[i] == -1 && minus < 0) {
      minus = i;
    } else if (sizes[i] < 0 || sizes[i] > in->dims[axis]) {
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "size_splits[%d] is %lld", i, (long long)sizes[i]);
    } else {
      sum += sizes[i];
    }
  }
  if (minus >= 0) {
    if (sum > in->dims[axis])
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "size_splits sum %lld exceeds dim %d (%d)",
                            (long long)sum, axis, in->dims[axis]);
    sizes[minus] = in->dims[axis] - sum;
  } else if (sum != in->dims[axis]) {
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "size_splits sum %lld differs from dim %d (%d)",
                          (long long)sum, axis, in->dims[axis]);
  }
  return split_finish(node, in, axis, 0, sizes);
}

static const pnn_op_kernel split_kernel = {split_prepare, split_eval};
static const pnn_op_kernel split_v_kernel = {split_v_prepare, split_eval};

static pnn_status unpack_prepare(pnn_node *node) {
  pnn_tensor *in;
  pnn_status s = pnn_check_io(node, 1, 1, node->n_outputs);
  if (s || (s = pnn_require_input(node, 0, &in)) ||
      (s = need_fixed(node, in, 0)))
    return s;
  const pnn_unpack_options *o = PNN_OPTS(node, unpack);
  int axis;
  if (in->rank < 1)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 0 (%s) is a scalar", in->name);
  if ((s = pnn_tu_axis(node, o->axis, in->rank, "axis", &axis))) return s;
  if (in->dims[axis] != node->n_outputs ||
      (o->num && o->num != node->n_outputs))
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "dim %d of input 0 (%s) is %d, num %d, outputs %d",
                          axis, in->name, in->dims[axis], o->num,
                          node->n_outputs);
  split_state *st = pnn_node_alloc_persistent(node, sizeof *st);
  if (!st) return oom(node);
  st->axis = axis;
  st->data_in = 0;
  node->state = st;
  int32_t dims[PNN_MAX_RANK];
  for (int i = 0, j = 0; i < in->rank; i++)
    if (i != axis) dims[j++] = in->dims[i];
  for (int i = 0; i < node->n_outputs; i++)
    if ((s = pnn_node_resize_output(node, i, in->type, dims, in->rank - 1)))
      return s;
  return PNN_OK;
}

static const pnn_op_kernel unpack_kernel = {unpack_prepare, split_eval};

/* ---------------------------------------------------------------- PACK */

static pnn_status pack_prepare(pnn_node *node) {
  pnn_status s = pnn_check_io(node, 1, 1 << 20, 1);
  if (s) return s;
  const pnn_pack_options *o = PNN_OPTS(node, pack);
  pnn_tensor *t0;
  if ((s = pnn_require_input(node, 0, &t0)) || (s = need_fixed(node, t0, 0)))
    return s;
  if (o->values_count && o->values_count != node->n_inputs)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "values_count %d but %d inputs", o->values_count,
                          node->n_inputs);
  if (t0->rank + 1 > PNN_MAX_RANK)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "output rank %d exceeds %d", t0->rank + 1,
                          PNN_MAX_RANK);
  int axis;
  if ((s = pnn_tu_axis(node, o->axis, t0->rank + 1, "axis", &axis))) return s;
  for (int i = 1; i < node->n_inputs; i++) {
    pnn_tensor *t;
    if ((s = pnn_require_input(node, i, &t))) return s;
    if (t->type != t0->type || !pnn_same_shape(t, t0))
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "input %d (%s): type or shape differs from input 0",
                            i, t->name);
  }
  int32_t dims[PNN_MAX_RANK];
  for (int i = 0, j = 0; i <= t0->rank; i++)
    dims[i] = i == axis ? node->n_inputs : t0->dims[j++];
  if (pnn_dims_count(dims, t0->rank + 1) < 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "output element count overflows");
  int *st = pnn_node_alloc_persistent(node, sizeof *st);
  if (!st) return oom(node);
  *st = axis;
  node->state = st;
  return pnn_node_resize_output(node, 0, t0->type, dims, t0->rank + 1);
}

static pnn_status pack_eval(pnn_node *node) {
  int axis = *(const int *)node->state;
  const pnn_tensor *t0 = node->inputs[0];
  size_t elem = pnn_type_size(t0->type);
  int64_t outer = prod(t0->dims, 0, axis);
  int64_t chunk = prod(t0->dims, axis, t0->rank) * (int64_t)elem;
  uint8_t *dst = node->outputs[0]->data;
  for (int64_t b = 0; b < outer; b++)
    for (int i = 0; i < node->n_inputs; i++, dst += chunk)
      if (chunk)
        memcpy(dst, (const uint8_t *)node->inputs[i]->data + b * chunk,
               (size_t)chunk);
  return PNN_OK;
}

static const pnn_op_kernel pack_kernel = {pack_prepare, pack_eval};

/* --------------------------------------------------------------- SLICE */

static pnn_status slice_prepare(pnn_node *node) {
  pnn_tensor *in, *begin_t, *size_t_;
  pnn_status s = pnn_check_io(node, 3, 3, 1);
  if (s || (s = pnn_require_input(node, 0, &in)) ||
      (s = need_fixed(node, in, 0)) ||
      (s = pnn_require_input(node, 1, &begin_t)) ||
      (s = pnn_require_input(node, 2, &size_t_)))
    return s;
  int64_t begin[PNN_MAX_RANK], size[PNN_MAX_RANK];
  int nb, ns;
  if ((s = pnn_tu_const_ints(node, begin_t, 1, "begin", begin, PNN_MAX_RANK,
                             &nb)) ||
      (s = pnn_tu_const_ints(node, size_t_, 2, "size", size, PNN_MAX_RANK,
                             &ns)))
    return s;
  if (nb != in->rank || ns != in->rank)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "begin has %d and size %d values for rank %d", nb, ns,
                          in->rank);
  box_state *st = box_new(node);
  if (!st) return oom(node);
  int32_t dims[PNN_MAX_RANK];
  int64_t strides[PNN_MAX_RANK];
  pnn_tu_strides(in->dims, in->rank, strides);
  for (int i = 0; i < in->rank; i++) {
    if (begin[i] < 0 || begin[i] > in->dims[i])
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "begin[%d] = %lld outside [0, %d]", i,
                            (long long)begin[i], in->dims[i]);
    int64_t sz = size[i] == -1 ? in->dims[i] - begin[i] : size[i];
    if (sz < 0 || begin[i] + sz > in->dims[i])
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "size[%d] = %lld with begin %lld exceeds dim %d", i,
                            (long long)size[i], (long long)begin[i],
                            in->dims[i]);
    dims[i] = (int32_t)sz;
    st->counts[i] = sz;
    st->src_steps[i] = strides[i];
    st->base += begin[i] * strides[i];
  }
  st->rank = in->rank;
  pnn_tu_strides(dims, in->rank, st->dst_steps);
  return pnn_node_resize_output(node, 0, in->type, dims, in->rank);
}

static const pnn_op_kernel slice_kernel = {slice_prepare, box_eval};

/* ------------------------------------------------------- STRIDED_SLICE */

/* TFLite's semantics: the ellipsis expands to the input dims that begin
 * does not cover, new_axis inserts a size-1 dim (ignored where ellipsis is
 * also set), then each effective dim gets a start and end: negative values
 * count from the end, values are clamped ([0, n] going forward, [-1, n-1]
 * going backward), begin/end masks take the full range, `offset` makes end
 * relative to begin, and shrink_axis takes one element and drops the dim. */
typedef struct {
  int rank;                   /* effective dims */
  int32_t dims[PNN_MAX_RANK]; /* effective input shape */
  int32_t begin[PNN_MAX_RANK], end[PNN_MAX_RANK], stride[PNN_MAX_RANK];
  uint32_t begin_mask, end_mask, shrink_mask, new_axis_mask;
  int input_dim[PNN_MAX_RANK]; /* input dim of each effective dim, -1 */
} ss_spec;

static int32_t clamp32(int64_t v, int64_t lo, int64_t hi) {
  return (int32_t)(v < lo ? lo : (v > hi ? hi : v));
}

static pnn_status ss_build(pnn_node *node, const pnn_tensor *in,
                           const int64_t *b, const int64_t *e,
                           const int64_t *st, int n, ss_spec *sp) {
  const pnn_strided_slice_options *o = PNN_OPTS(node, strided_slice);
  uint32_t ell = (uint32_t)o->ellipsis_mask, nam = (uint32_t)o->new_axis_mask;
  int add = 0, n_ell = 0;
  for (int i = 0; i < n; i++) {
    if (ell >> i & 1)
      n_ell++;
    else if (nam >> i & 1)
      add++;
  }
  if (n_ell > 1 || n - add - n_ell > in->rank)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "strided slice spec of %d entries (%d ellipses, %d "
                          "new axes) does not fit input rank %d",
                          n, n_ell, add, in->rank);
  int eff = in->rank + add;
  if (eff > PNN_MAX_RANK)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "effective rank %d exceeds %d", eff, PNN_MAX_RANK);
  /* Where the ellipsis sits in effective dims and how many it covers. */
  uint32_t eff_ell = 0, eff_new = 0;
  int ell_start = eff, expanded = 0;
  for (int i = 0; i < eff;) {
    if (i < 32 && (ell >> i & 1)) {
      ell_start = i;
      int stop = i + 1 + add + in->rank - n;
      if (stop > eff) stop = eff;
      if (stop < i + 1) stop = i + 1;
      expanded = stop - i - 1;
      for (; i < stop; i++) eff_ell |= 1u << i;
      continue;
    }
    int j = i - expanded;
    if (j >= 0 && j < 32 && (nam >> j & 1)) eff_new |= 1u << i;
    i++;
  }
  memset(sp, 0, sizeof *sp);
  sp->rank = eff;
  int added_axes = 0, added_ell = 0;
  for (int i = 0; i < eff; i++) {
    int in_dim = i - added_axes;
    if (eff_ell >> i & 1) {
      added_ell = i - ell_start > 0 ? i - ell_start : 0;
      sp->begin_mask |= 1u << i;
      sp->end_mask |= 1u << i;
      sp->stride[i] = 1;
    } else if (eff_new >> i & 1) {
      sp->begin[i] = 0;
      sp->end[i] = 1;
      sp->stride[i] = 1;
      sp->new_axis_mask |= 1u << i;
      sp->dims[i] = 1;
      sp->input_dim[i] = -1;
      added_axes++;
      continue;
    } else if (i >= n + expanded) {
      sp->begin_mask |= 1u << i;
      sp->end_mask |= 1u << i;
      sp->stride[i] = 1;
    } else {
      int k = i - added_ell;
      if (k < 0 || k >= n)
        return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                              "strided slice spec does not fit input rank %d",
                              in->rank);
      if (b[k] < INT32_MIN || b[k] > INT32_MAX || e[k] < INT32_MIN ||
          e[k] > INT32_MAX || st[k] < INT32_MIN || st[k] > INT32_MAX)
        return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                              "begin/end/strides[%d] out of int32 range", k);
      sp->begin[i] = (int32_t)b[k];
      sp->end[i] = (int32_t)e[k];
      sp->stride[i] = (int32_t)st[k];
      if (k < 32) {
        if ((uint32_t)o->begin_mask >> k & 1) sp->begin_mask |= 1u << i;
        if ((uint32_t)o->end_mask >> k & 1) sp->end_mask |= 1u << i;
        if ((uint32_t)o->shrink_axis_mask >> k & 1) sp->shrink_mask |= 1u << i;
      }
    }
    if (in_dim < 0 || in_dim >= in->rank)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "strided slice spec does not fit input rank %d",
                            in->rank);
    sp->dims[i] = in->dims[in_dim];
    sp->input_dim[i] = in_dim;
  }
  return PNN_OK;
}

static pnn_status strided_slice_prepare(pnn_node *node) {
  pnn_tensor *in, *t[3];
  pnn_status s = pnn_check_io(node, 4, 4, 1);
  if (s || (s = pnn_require_input(node, 0, &in)) ||
      (s = need_fixed(node, in, 0)))
    return s;
  static const char *const what[3] = {"begin", "end", "strides"};
  int64_t v[3][PNN_MAX_RANK];
  int n[3];
  for (int k = 0; k < 3; k++) {
    if ((s = pnn_require_input(node, k + 1, &t[k]))) return s;
    if (t[k]->rank != 1)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "input %d (%s, %s) must be 1-D", k + 1, t[k]->name,
                            what[k]);
    if ((s = pnn_tu_const_ints(node, t[k], k + 1, what[k], v[k], PNN_MAX_RANK,
                               &n[k])))
      return s;
  }
  if (n[1] != n[0] || n[2] != n[0])
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "begin, end and strides have %d, %d and %d values",
                          n[0], n[1], n[2]);
  ss_spec sp;
  if ((s = ss_build(node, in, v[0], v[1], v[2], n[0], &sp))) return s;
  bool offset = PNN_OPTS(node, strided_slice)->offset;
  box_state *st = box_new(node);
  if (!st) return oom(node);
  int64_t in_strides[PNN_MAX_RANK];
  pnn_tu_strides(in->dims, in->rank, in_strides);
  int32_t dims[PNN_MAX_RANK];
  int out_rank = 0;
  for (int i = 0; i < sp.rank; i++) {
    int32_t stride = sp.stride[i], size = sp.dims[i];
    if (stride == 0)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL, "strides[%d] is 0",
                            i);
    bool shrink = sp.shrink_mask >> i & 1;
    /* Start. */
    int64_t start = sp.begin[i];
    if (start < 0) start += size;
    start = stride > 0 ? clamp32(start, 0, size) : clamp32(start, -1, size - 1);
    if (sp.begin_mask >> i & 1) start = stride > 0 ? 0 : size - 1;
    /* End. */
    int64_t end;
    if (shrink) {
      if (start < 0 || start >= size)
        return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                              "shrink_axis index %d out of range for dim of "
                              "size %d",
                              sp.begin[i], size);
      end = start + 1;
    } else {
      end = sp.end[i];
      if (offset) end += start;
      if (end < 0) end += size;
      end = stride > 0 ? clamp32(end, 0, size) : clamp32(end, -1, size - 1);
      if (sp.end_mask >> i & 1) end = stride > 0 ? size : -1;
    }
    int64_t count = shrink ? 1 : (int64_t)ceil((double)(end - start) / stride);
    if (count < 0) count = 0;
    st->counts[i] = count;
    /* Wrapping product: the step is only followed when the output is not
     * empty, and then |stride| * (count - 1) < size keeps it in range; an
     * empty tensor's large strides times a crafted stride must not be UB. */
    st->src_steps[i] =
        sp.input_dim[i] < 0
            ? 0
            : (int64_t)((uint64_t)in_strides[sp.input_dim[i]] *
                        (uint64_t)(int64_t)stride);
    if (sp.input_dim[i] >= 0 && count > 0)
      st->base += start * in_strides[sp.input_dim[i]];
    if (!shrink) dims[out_rank++] = (int32_t)count;
  }
  st->rank = sp.rank;
  /* Destination steps follow the effective dims (shrunk dims count 1). */
  int32_t eff_dims[PNN_MAX_RANK];
  for (int i = 0; i < sp.rank; i++) eff_dims[i] = (int32_t)st->counts[i];
  pnn_tu_strides(eff_dims, sp.rank, st->dst_steps);
  return pnn_node_resize_output(node, 0, in->type, dims, out_rank);
}

static const pnn_op_kernel strided_slice_kernel = {strided_slice_prepare,
                                                   box_eval};

/* ----------------------------------------------------------- TRANSPOSE */

static pnn_status transpose_prepare(pnn_node *node) {
  pnn_tensor *in;
  int64_t perm[PNN_MAX_RANK];
  int n;
  pnn_status s = data_and_ints(node, "perm", true, &in, perm, &n);
  if (s) return s;
  bool seen[PNN_MAX_RANK] = {false};
  for (int i = 0; i < n; i++) {
    if (perm[i] < 0 || perm[i] >= n || seen[perm[i]])
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "perm[%d] = %lld is not a permutation entry", i,
                            (long long)perm[i]);
    seen[perm[i]] = true;
  }
  box_state *st = box_new(node);
  if (!st) return oom(node);
  int64_t strides[PNN_MAX_RANK];
  pnn_tu_strides(in->dims, in->rank, strides);
  int32_t dims[PNN_MAX_RANK];
  for (int i = 0; i < n; i++) {
    dims[i] = in->dims[perm[i]];
    st->counts[i] = dims[i];
    st->src_steps[i] = strides[perm[i]];
  }
  st->rank = n;
  pnn_tu_strides(dims, n, st->dst_steps);
  return pnn_node_resize_output(node, 0, in->type, dims, n);
}

static const pnn_op_kernel transpose_kernel = {transpose_prepare, box_eval};

/* ---------------------------------------------------------------- TILE */

static pnn_status tile_prepare(pnn_node *node) {
  pnn_tensor *in;
  int64_t mult[PNN_MAX_RANK];
  int n;
  pnn_status s = data_and_ints(node, "multiples", true, &in, mult, &n);
  if (s) return s;
  box_state *st = box_new(node);
  if (!st) return oom(node);
  int64_t strides[PNN_MAX_RANK];
  pnn_tu_strides(in->dims, in->rank, strides);
  int32_t dims[PNN_MAX_RANK];
  /* Output dim i = (repeat m, element k): two copy dims per input dim. */
  for (int i = 0; i < n; i++) {
    if (mult[i] < 0 || mult[i] > INT32_MAX || mult[i] * in->dims[i] > INT32_MAX)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "multiples[%d] = %lld", i, (long long)mult[i]);
    dims[i] = (int32_t)(mult[i] * in->dims[i]);
    st->counts[2 * i] = mult[i];
    st->counts[2 * i + 1] = in->dims[i];
    st->src_steps[2 * i] = 0;
    st->src_steps[2 * i + 1] = strides[i];
  }
  if (pnn_dims_count(dims, n) < 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "output element count overflows");
  int32_t split[PNN_TU_MAX_COPY_RANK];
  for (int i = 0; i < 2 * n; i++) split[i] = (int32_t)st->counts[i];
  pnn_tu_strides(split, 2 * n, st->dst_steps);
  st->rank = 2 * n;
  return pnn_node_resize_output(node, 0, in->type, dims, n);
}

static const pnn_op_kernel tile_kernel = {tile_prepare, box_eval};

/* ------------------------------------------------------ PAD, PADV2, MIRROR */

/* Reads paddings [rank, 2] (constant, int32/int64) into before/after. */
static pnn_status read_paddings(pnn_node *node, const pnn_tensor *in,
                                int64_t *before, int64_t *after) {
  pnn_tensor *p;
  pnn_status s = pnn_require_input(node, 1, &p);
  if (s) return s;
  if (p->rank != 2 || p->dims[0] != in->rank || p->dims[1] != 2)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 1 (%s, paddings) must have shape [%d, 2]",
                          p->name, in->rank);
  int64_t v[2 * PNN_MAX_RANK];
  int n;
  if ((s = pnn_tu_const_ints(node, p, 1, "paddings", v, 2 * PNN_MAX_RANK, &n)))
    return s;
  for (int i = 0; i < in->rank; i++) {
    before[i] = v[2 * i];
    after[i] = v[2 * i + 1];
    if (before[i] < 0 || after[i] < 0 || before[i] > INT32_MAX ||
        after[i] > INT32_MAX || before[i] + after[i] + in->dims[i] > INT32_MAX)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "paddings[%d] = [%lld, %lld] invalid", i,
                            (long long)before[i], (long long)after[i]);
  }
  return PNN_OK;
}

/* PAD / PADV2 as rows: trailing dims without padding merge into the last
 * padded one (or into a single row), so an output row is [value x before |
 * input row | value x after] bytes, or all value when its prefix
 * coordinates fall in the padding. Every output byte is written once, and
 * rows split over threads in contiguous runs, as the ops around them split
 * theirs. */
typedef struct {
  uint8_t value[16];   /* padding element */
  size_t elem;
  bool zero_fill;      /* value is all zero bytes (memset) */
  int prank;           /* prefix dims (the row is the last merged dim) */
  int64_t out[PNN_MAX_RANK], before[PNN_MAX_RANK], in[PNN_MAX_RANK];
  int64_t in_step[PNN_MAX_RANK]; /* input rows per step of prefix dim i */
  int64_t rows;        /* output rows: product of out[] */
  size_t row_before, row_copy, row_after; /* bytes of an output row */
} pad_state;

/* Merges the dims into pad_state's prefix + row (see above). */
static void pad_rows_setup(pad_state *st, const pnn_tensor *in,
                           const int64_t *before, const int64_t *after) {
  int64_t b[PNN_MAX_RANK + 1] = {0}, n[PNN_MAX_RANK + 1] = {0},
          a[PNN_MAX_RANK + 1] = {0};
  int r = in->rank;
  for (int i = 0; i < r; i++) b[i] = before[i], n[i] = in->dims[i], a[i] = after[i];
  if (r == 0) b[0] = 0, n[0] = 1, a[0] = 0, r = 1; /* a scalar: one row */
  while (r > 1 && b[r - 1] == 0 && a[r - 1] == 0) {
    b[r - 2] *= n[r - 1];
    a[r - 2] *= n[r - 1];
    n[r - 2] *= n[r - 1];
    r--;
  }
  st->prank = r - 1;
  st->rows = 1;
  for (int i = 0; i < st->prank; i++) {
    st->before[i] = b[i];
    st->in[i] = n[i];
    st->out[i] = b[i] + n[i] + a[i];
    st->rows *= st->out[i];
  }
  int64_t step = 1;
  for (int i = st->prank - 1; i >= 0; i--) {
    st->in_step[i] = step;
    step *= st->in[i];
  }
  st->row_before = (size_t)b[r - 1] * st->elem;
  st->row_copy = (size_t)n[r - 1] * st->elem;
  st->row_after = (size_t)a[r - 1] * st->elem;
}

static pnn_status pad_prepare(pnn_node *node) {
  pnn_tensor *in;
  bool v2 = node->builtin == PNN_OP_PADV2;
  pnn_status s = pnn_check_io(node, 2, v2 ? 3 : 2, 1);
  if (s || (s = pnn_require_input(node, 0, &in)) ||
      (s = need_fixed(node, in, 0)))
    return s;
  int64_t before[PNN_MAX_RANK], after[PNN_MAX_RANK];
  if ((s = read_paddings(node, in, before, after))) return s;
  pad_state *st = pnn_node_alloc_persistent(node, sizeof *st);
  if (!st) return oom(node);
  node->state = st;
  size_t elem = pnn_type_size(in->type);
  pnn_tensor *cv = v2 && node->n_inputs > 2 ? node->inputs[2] : NULL;
  if (cv) {
    if (cv->type != in->type || pnn_tensor_count(cv) != 1)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "input 2 (%s, constant_values) must be one %s",
                            cv->name, pnn_type_name(in->type));
    if (!cv->is_constant)
      return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                            "input 2 (%s, constant_values) must be constant "
                            "at prepare",
                            cv->name);
    memcpy(st->value, cv->data, elem);
  } else if ((in->type == PNN_TYPE_INT8 || in->type == PNN_TYPE_UINT8 ||
              in->type == PNN_TYPE_INT16) &&
             node->outputs[0]->scale > 0) {
    /* Quantized zero is the output zero point. */
    int32_t zp = node->outputs[0]->zero_point;
    if (in->type == PNN_TYPE_INT16) {
      int16_t z = (int16_t)zp;
      memcpy(st->value, &z, 2);
    } else {
      st->value[0] = (uint8_t)zp;
    }
  }
  st->elem = elem;
  st->zero_fill = true;
  for (size_t k = 0; k < elem; k++) st->zero_fill = st->zero_fill && !st->value[k];
  int32_t dims[PNN_MAX_RANK];
  for (int i = 0; i < in->rank; i++)
    dims[i] = (int32_t)(before[i] + in->dims[i] + after[i]);
  if (pnn_dims_count(dims, in->rank) < 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "output element count overflows");
  pad_rows_setup(st, in, before, after);
  return pnn_node_resize_output(node, 0, in->type, dims, in->rank);
}

/* n bytes of the padding element at d (n a multiple of st->elem). */
static void pad_fill(const pad_state *st, uint8_t *d, size_t n) {
  if (!n) return;
  if (st->zero_fill || st->elem == 1) {
    memset(d, st->value[0], n);
    return;
  }
  memcpy(d, st->value, st->elem);
  for (size_t done = st->elem; done < n;) { /* doubling copies */
    const size_t c = done < n - done ? done : n - done;
    memcpy(d + done, d, c);
    done += c;
  }
}

typedef struct {
  const pad_state *st;
  const uint8_t *in;
  uint8_t *out;
} pad_job;

/* Output rows [begin, end). */
static void pad_rows(void *arg, int64_t begin, int64_t end) {
  const pad_job *j = arg;
  const pad_state *st = j->st;
  const size_t row = st->row_before + st->row_copy + st->row_after;
  int64_t c[PNN_MAX_RANK], rest = begin;
  for (int i = st->prank - 1; i >= 0; i--) { /* coordinates of row begin */
    c[i] = rest % st->out[i];
    rest /= st->out[i];
  }
  for (int64_t r = begin; r < end; r++) {
    uint8_t *d = j->out + (size_t)r * row;
    bool inside = st->row_copy > 0;
    int64_t src = 0;
    for (int i = 0; i < st->prank && inside; i++) {
      const int64_t k = c[i] - st->before[i];
      inside = k >= 0 && k < st->in[i];
      src += k * st->in_step[i];
    }
    if (inside) {
      pad_fill(st, d, st->row_before);
      memcpy(d + st->row_before, j->in + (size_t)src * st->row_copy,
             st->row_copy);
      pad_fill(st, d + st->row_before + st->row_copy, st->row_after);
    } else {
      pad_fill(st, d, row);
    }
    for (int i = st->prank - 1; i >= 0; i--) { /* next row */
      if (++c[i] < st->out[i]) break;
      c[i] = 0;
    }
  }
}

/* Outputs from this many bytes split over threads. */
#define PAD_PARALLEL_BYTES (1 << 15)

static pnn_status pad_eval(pnn_node *node) {
  const pad_state *st = node->state;
  pnn_tensor *out = node->outputs[0];
  if (!out->bytes || !st->rows) return PNN_OK;
  pad_job j = {st, node->inputs[0]->data, out->data};
  if (out->bytes < PAD_PARALLEL_BYTES || st->rows < 2)
    pad_rows(&j, 0, st->rows);
  else
    pnn_node_parallel_for(node, st->rows, pad_rows, &j);
  return PNN_OK;
}

static const pnn_op_kernel pad_kernel = {pad_prepare, pad_eval};

/* MIRROR_PAD: for every output dim a table maps output index -> input
 * index; eval walks the output in order. */
typedef struct {
  int rank;
  int32_t out_dims[PNN_MAX_RANK];
  int64_t in_strides[PNN_MAX_RANK];
  int32_t *map[PNN_MAX_RANK];
} mirror_state;

static pnn_status mirror_pad_prepare(pnn_node *node) {
  pnn_tensor *in;
  pnn_status s = pnn_check_io(node, 2, 2, 1);
  if (s || (s = pnn_require_input(node, 0, &in)) ||
      (s = need_fixed(node, in, 0)))
    return s;
  int mode = PNN_OPTS(node, mirror_pad)->mode;
  if (mode != PNN_MIRROR_REFLECT && mode != PNN_MIRROR_SYMMETRIC)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL, "mode %d unknown",
                          mode);
  int64_t before[PNN_MAX_RANK], after[PNN_MAX_RANK];
  if ((s = read_paddings(node, in, before, after))) return s;
  mirror_state *st = pnn_node_alloc_persistent(node, sizeof *st);
  if (!st) return oom(node);
  node->state = st;
  st->rank = in->rank;
  pnn_tu_strides(in->dims, in->rank, st->in_strides);
  int64_t limit_off = mode == PNN_MIRROR_REFLECT ? 1 : 0;
  for (int i = 0; i < in->rank; i++) {
    int64_t n = in->dims[i];
    if (before[i] > n - limit_off || after[i] > n - limit_off)
      return pnn_node_error(
          node, PNN_ERROR_INVALID_MODEL,
          "paddings[%d] = [%lld, %lld] too large for dim "
          "%lld in %s mode",
          i, (long long)before[i], (long long)after[i], (long long)n,
          mode == PNN_MIRROR_REFLECT ? "REFLECT" : "SYMMETRIC");
    int64_t od = before[i] + n + after[i];
    st->out_dims[i] = (int32_t)od;
    st->map[i] = pnn_node_alloc_persistent(
        node, sizeof(int32_t) * (size_t)(od ? od : 1));
    if (!st->map[i]) return oom(node);
    for (int64_t o = 0; o < od; o++) {
      int64_t k = o - before[i];
      if (k < 0)
        k = mode == PNN_MIRROR_REFLECT ? -k : -k - 1;
      else if (k >= n)
        k = mode == PNN_MIRROR_REFLECT ? 2 * n - 2 - k : 2 * n - 1 - k;
      st->map[i][o] = (int32_t)k;
    }
  }
  if (pnn_dims_count(st->out_dims, in->rank) < 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "output element count overflows");
  return pnn_node_resize_output(node, 0, in->type, st->out_dims, in->rank);
}

static void mirror_rec(const mirror_state *st, int d, const uint8_t *src,
                       uint8_t **dst, size_t elem) {
  for (int32_t o = 0; o < st->out_dims[d]; o++) {
    const uint8_t *p = src + st->map[d][o] * st->in_strides[d] * (int64_t)elem;
    if (d == st->rank - 1) {
      memcpy(*dst, p, elem);
      *dst += elem;
    } else {
      mirror_rec(st, d + 1, p, dst, elem);
    }
  }
}

static pnn_status mirror_pad_eval(pnn_node *node) {
  const mirror_state *st = node->state;
  pnn_tensor *out = node->outputs[0];
  uint8_t *dst = out->data;
  size_t elem = pnn_type_size(out->type);
  if (st->rank == 0) {
    memcpy(dst, node->inputs[0]->data, elem);
    return PNN_OK;
  }
  if (pnn_tensor_count(out) == 0) return PNN_OK;
  mirror_rec(st, 0, node->inputs[0]->data, &dst, elem);
  return PNN_OK;
}

static const pnn_op_kernel mirror_pad_kernel = {mirror_pad_prepare,
                                                mirror_pad_eval};

/* ---------------------------------------------------------- REVERSE_V2 */

/* Reversed dims are read from their last element with a negative step. */
static pnn_status reverse_prepare(pnn_node *node) {
  pnn_tensor *in;
  int64_t axes[PNN_MAX_RANK];
  int n;
  pnn_status s = data_and_ints(node, "axis", false, &in, axes, &n);
  if (s) return s;
  bool rev[PNN_MAX_RANK] = {false};
  for (int k = 0; k < n; k++) {
    int a;
    if ((s = pnn_tu_axis(node, axes[k], in->rank, "axis", &a))) return s;
    rev[a] = true;
  }
  box_state *st = box_new(node);
  if (!st) return oom(node);
  int64_t strides[PNN_MAX_RANK];
  pnn_tu_strides(in->dims, in->rank, strides);
  st->rank = in->rank;
  for (int i = 0; i < in->rank; i++) {
    st->counts[i] = in->dims[i];
    st->src_steps[i] = rev[i] ? -strides[i] : strides[i];
    if (rev[i] && in->dims[i] > 0) st->base += (in->dims[i] - 1) * strides[i];
  }
  pnn_tu_strides(in->dims, in->rank, st->dst_steps);
  return pnn_node_resize_output(node, 0, in->type, in->dims, in->rank);
}

static const pnn_op_kernel reverse_kernel = {reverse_prepare, box_eval};

/* ------------------------------------------------- DYNAMIC_UPDATE_SLICE */

/* output = operand with `update` written at start_indices. The indices are
 * data: like XLA (and TFLite), each is clamped so the update fits. */
static pnn_status dus_prepare(pnn_node *node) {
  pnn_tensor *op, *upd, *idx;
  pnn_status s = pnn_check_io(node, 3, 3, 1);
  if (s || (s = pnn_require_input(node, 0, &op)) ||
      (s = need_fixed(node, op, 0)) || (s = pnn_require_input(node, 1, &upd)) ||
      (s = pnn_require_input(node, 2, &idx)))
    return s;
  if (upd->type != op->type || upd->rank != op->rank)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 1 (%s, update): %s rank %d, operand is %s "
                          "rank %d",
                          upd->name, pnn_type_name(upd->type), upd->rank,
                          pnn_type_name(op->type), op->rank);
  for (int i = 0; i < op->rank; i++)
    if (upd->dims[i] > op->dims[i])
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "update dim %d (%d) exceeds operand's (%d)", i,
                            upd->dims[i], op->dims[i]);
  if ((idx->type != PNN_TYPE_INT32 && idx->type != PNN_TYPE_INT64) ||
      pnn_tensor_count(idx) != op->rank)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 2 (%s, start_indices) must hold %d int32 or "
                          "int64 values",
                          idx->name, op->rank);
  return pnn_node_resize_output(node, 0, op->type, op->dims, op->rank);
}

static pnn_status dus_eval(pnn_node *node) {
  const pnn_tensor *op = node->inputs[0], *upd = node->inputs[1],
                   *idx = node->inputs[2];
  pnn_tensor *out = node->outputs[0];
  size_t elem = pnn_type_size(op->type);
  pnn_tu_move(out->data, op->data, out->bytes);
  int64_t strides[PNN_MAX_RANK], usteps[PNN_MAX_RANK], counts[PNN_MAX_RANK];
  pnn_tu_strides(op->dims, op->rank, strides);
  pnn_tu_strides(upd->dims, upd->rank, usteps);
  int64_t base = 0;
  for (int i = 0; i < op->rank; i++) {
    int64_t start = pnn_read_index(idx, i);
    int64_t hi = op->dims[i] - upd->dims[i];
    start = start < 0 ? 0 : (start > hi ? hi : start);
    base += start * strides[i];
    counts[i] = upd->dims[i];
  }
  pnn_tu_copy_nd((uint8_t *)out->data + base * (int64_t)elem, strides,
                 upd->data, usteps, counts, op->rank, elem);
  return PNN_OK;
}

static const pnn_op_kernel dus_kernel = {dus_prepare, dus_eval};

const pnn_op_entry pnn_ops_slicing[] = {
    {PNN_OP_REVERSE_V2, &reverse_kernel},
    {PNN_OP_DYNAMIC_UPDATE_SLICE, &dus_kernel},
    {PNN_OP_CONCATENATION, &concat_kernel},
    {PNN_OP_SPLIT, &split_kernel},
    {PNN_OP_SPLIT_V, &split_v_kernel},
    {PNN_OP_PACK, &pack_kernel},
    {PNN_OP_UNPACK, &unpack_kernel},
    {PNN_OP_SLICE, &slice_kernel},
    {PNN_OP_STRIDED_SLICE, &strided_slice_kernel},
    {PNN_OP_TRANSPOSE, &transpose_kernel},
    {PNN_OP_TILE, &tile_kernel},
    {PNN_OP_PAD, &pad_kernel},
    {PNN_OP_PADV2, &pad_kernel},
    {PNN_OP_MIRROR_PAD, &mirror_pad_kernel},
    {-1, NULL},
};
