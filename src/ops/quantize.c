/* DEQUANTIZE (float16, int8, uint8, int16 -> float32; per-tensor and
 * per-channel), QUANTIZE (float32 -> int8/uint8/int16, and requantizing
 * between those) and DENSIFY (TFLite's sparse tensor format -> dense). */
#include <math.h>
#include <string.h>

#include "ops/common.h"
#include "ops/tensor_util.h"
#include "ops/quant_math.h"

static pnn_status oom(pnn_node *node) {
  return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY, "out of memory");
}

/* ---------------------------------------------------------- DEQUANTIZE */

typedef struct {
  int axis; /* -1: per-tensor */
  int32_t channels;
  const float *scales;        /* per channel */
  const int64_t *zero_points; /* per channel, NULL = all zero */
} dequant_state;

static pnn_status dequantize_prepare(pnn_node *node) {
  pnn_tensor *in;
  pnn_status s = pnn_check_io(node, 1, 1, 1);
  if (s || (s = pnn_require_input(node, 0, &in)) ||
      (s = pnn_tu_check_types(
           node, in, 0,
           PNN_T(FLOAT16) | PNN_T(INT8) | PNN_T(UINT8) | PNN_T(INT16))))
    return s;
  dequant_state *st = pnn_node_alloc_persistent(node, sizeof *st);
  if (!st) return oom(node);
  node->state = st;
  st->axis = -1;
  if (in->type != PNN_TYPE_FLOAT16) {
    const pnn_quant_def *q = in->quant;
    if (!(in->scale > 0) && !(q && q->n_scale > 0))
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "input 0 (%s): %s tensor without quantization "
                            "scale",
                            in->name, pnn_type_name(in->type));
    if (q && q->n_scale > 1) {
      int axis = q->quantized_dimension;
      if (axis < 0 || axis >= in->rank || in->dims[axis] != q->n_scale)
        return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                              "input 0 (%s): %d scales do not match "
                              "quantized_dimension %d",
                              in->name, q->n_scale, axis);
      if (q->n_zero_point != 0 && q->n_zero_point != q->n_scale)
        return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                              "input 0 (%s): %d zero points for %d scales",
                              in->name, q->n_zero_point, q->n_scale);
      st->axis = axis;
      st->channels = q->n_scale;
      st->scales = q->scale;
      st->zero_points = q->n_zero_point ? q->zero_point : NULL;
    }
  }
  return pnn_node_resize_output(node, 0, PNN_TYPE_FLOAT32, in->dims, in->rank);
}

static int32_t quant_at(const pnn_tensor *t, int64_t i) {
  switch (t->type) {
    case PNN_TYPE_INT8: return ((const int8_t *)t->data)[i];
    case PNN_TYPE_UINT8: return ((const uint8_t *)t->data)[i];
    default: return ((const int16_t *)t->data)[i];
  }
}

static pnn_status dequantize_eval(pnn_node *node) {
  const dequant_state *st = node->state;
  const pnn_tensor *in = node->inputs[0];
  float *out = node->outputs[0]->data;
  int64_t n = pnn_tensor_count(in);
  if (in->type == PNN_TYPE_FLOAT16) {
    const uint16_t *h = in->data;
    for (int64_t i = 0; i < n; i++) out[i] = pnn_tu_half_to_float(h[i]);
  } else if (st->axis < 0) {
    /* TFLite's per-tensor path multiplies in double. */
    double scale = in->scale > 0 ? in->scale : in->quant->scale[0];
    int32_t zp = in->zero_point;
    for (int64_t i = 0; i < n; i++)
      out[i] = (float)(scale * (quant_at(in, i) - zp));
  } else {
    int64_t inner = 1;
    for (int d = st->axis + 1; d < in->rank; d++) inner *= in->dims[d];
    for (int64_t i = 0; i < n; i++) {
      int64_t c = (i / inner) % st->channels;
      int32_t zp = st->zero_points ? (int32_t)st->zero_points[c] : 0;
      out[i] = st->scales[c] * (float)(quant_at(in, i) - zp);
    }
  }
  return PNN_OK;
}

static const pnn_op_kernel dequantize_kernel = {dequantize_prepare,
                                                dequantize_eval};

/* ------------------------------------------------------------ QUANTIZE */

#define QTYPES (PNN_T(INT8) | PNN_T(UINT8) | PNN_T(INT16))

typedef struct {
  int axis; /* -1: per-tensor */
  int32_t channels;
  const float *scales; /* float input: output scales */
  const int64_t *zero_points;
  int32_t multiplier; /* requantize: in_scale / out_scale */
  int shift;
} quant_state;

static void qrange(pnn_type t, int32_t *lo, int32_t *hi) {
  *lo = t == PNN_TYPE_UINT8 ? 0 : t == PNN_TYPE_INT8 ? -128 : -32768;
  *hi = t == PNN_TYPE_UINT8 ? 255 : t == PNN_TYPE_INT8 ? 127 : 32767;
}

static void qstore(pnn_tensor *t, int64_t i, int32_t v) {
  switch (t->type) {
    case PNN_TYPE_INT8: ((int8_t *)t->data)[i] = (int8_t)v; break;
    case PNN_TYPE_UINT8: ((uint8_t *)t->data)[i] = (uint8_t)v; break;
    default: ((int16_t *)t->data)[i] = (int16_t)v; break;
  }
}

static pnn_status quantize_prepare(pnn_node *node) {
  pnn_tensor *in;
  pnn_status s = pnn_check_io(node, 1, 1, 1);
  if (s || (s = pnn_require_input(node, 0, &in)) ||
      (s = pnn_tu_check_types(node, in, 0, PNN_T(FLOAT32) | QTYPES)))
    return s;
  pnn_tensor *out = node->outputs[0];
  if ((unsigned)out->type >= 32 || !(QTYPES & (1u << out->type)))
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "output 0 (%s): type %s not supported", out->name,
                          pnn_type_name(out->type));
  const pnn_quant_def *q = out->quant;
  if (!(out->scale > 0) && !(q && q->n_scale > 0))
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "output 0 (%s) has no quantization scale", out->name);
  quant_state *st = pnn_node_alloc_persistent(node, sizeof *st);
  if (!st) return oom(node);
  node->state = st;
  st->axis = -1;
  if (in->type == PNN_TYPE_FLOAT32 && q && q->n_scale > 1) {
    int axis = q->quantized_dimension;
    if (axis < 0 || axis >= in->rank || in->dims[axis] != q->n_scale ||
        (q->n_zero_point && q->n_zero_point != q->n_scale))
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "output 0 (%s): %d scales do not match "
                            "quantized_dimension %d",
                            out->name, q->n_scale, axis);
    st->axis = axis;
    st->channels = q->n_scale;
    st->scales = q->scale;
    st->zero_points = q->n_zero_point ? q->zero_point : NULL;
  } else if (in->type != PNN_TYPE_FLOAT32) {
    if (!(in->scale > 0))
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "input 0 (%s) has no quantization scale", in->name);
    pnn_qm_quantize_multiplier((double)in->scale / (double)out->scale,
                               &st->multiplier, &st->shift);
  }
  return pnn_node_resize_output(node, 0, out->type, in->dims, in->rank);
}

static pnn_status quantize_eval(pnn_node *node) {
  const quant_state *st = node->state;
  const pnn_tensor *in = node->inputs[0];
  pnn_tensor *out = node->outputs[0];
  int64_t n = pnn_tensor_count(in);
  int32_t lo, hi;
  qrange(out->type, &lo, &hi);
  if (in->type == PNN_TYPE_FLOAT32) {
    /* q = round(x / scale) + zp, rounding half away from zero. */
    const float *x = in->data;
    int64_t inner = 1;
    if (st->axis >= 0)
      for (int d = st->axis + 1; d < in->rank; d++) inner *= in->dims[d];
    for (int64_t i = 0; i < n; i++) {
      float scale = out->scale;
      int32_t zp = out->zero_point;
      if (st->axis >= 0) {
        int64_t c = (i / inner) % st->channels;
        scale = st->scales[c];
        zp = st->zero_points ? (int32_t)st->zero_points[c] : 0;
      }
      /* round(x / scale) + zp, NaN -> zp, saturated to the type. */
      qstore(out, i, pnn_qm_quantize_f32(x[i], scale, zp, lo, hi));
    }
    return PNN_OK;
  }
  /* Requantize: fixed-point (q - zp_in) * s_in / s_out + zp_out. */
  for (int64_t i = 0; i < n; i++) {
    int32_t q = in->type == PNN_TYPE_INT8    ? ((const int8_t *)in->data)[i]
                : in->type == PNN_TYPE_UINT8 ? ((const uint8_t *)in->data)[i]
                                             : ((const int16_t *)in->data)[i];
    int32_t v =
        pnn_qm_mul_by_qm(q - in->zero_point, st->multiplier, st->shift) +
        out->zero_point;
    qstore(out, i, v < lo ? lo : (v > hi ? hi : v));
  }
  return PNN_OK;
}

static const pnn_op_kernel quantize_kernel = {quantize_prepare, quantize_eval};

/* ------------------------------------------------------------- DENSIFY */

/* The sparse format: the dense shape is split into blocks (block_map
 * names the blocked dims), giving rank + n_block "expanded" dims; these are
 * stored in traversal_order, one dim_metadata per level. A dense level
 * enumerates its extent; a CSR level lists, for each position of the
 * previous level, a segment of indices. Leaves take values in order. */
#define MAX_LEVELS (2 * PNN_MAX_RANK)

typedef struct {
  int rank, levels, n_block;
  int32_t dense[PNN_MAX_RANK];     /* dense shape */
  int32_t order[MAX_LEVELS];       /* expanded dim of each level */
  int32_t extent[MAX_LEVELS];      /* size of each level's dim */
  int32_t block_dim[PNN_MAX_RANK]; /* original dim of block b */
  int32_t block_size[PNN_MAX_RANK];
  const pnn_dim_metadata_def *meta;
  int64_t n_values; /* leaves the walk visits */
} densify_state;

typedef struct {
  const densify_state *st;
  int32_t coord[MAX_LEVELS];
  const uint8_t *src;
  uint8_t *dst;
  size_t elem;
  int64_t next;   /* next value to take */
  int64_t limit;  /* values available */
  pnn_node *node; /* for errors (validation) */
} densify_walk;

static pnn_status walk_leaf(densify_walk *w) {
  const densify_state *st = w->st;
  if (w->next >= w->limit)
    return pnn_node_error(w->node, PNN_ERROR_INVALID_MODEL,
                          "sparse tensor needs more than its %lld values",
                          (long long)w->limit);
  if (w->dst) {
    int32_t idx[PNN_MAX_RANK];
    for (int l = 0; l < st->levels; l++)
      if (st->order[l] < st->rank) idx[st->order[l]] = w->coord[l];
    for (int l = 0; l < st->levels; l++) {
      int b = st->order[l] - st->rank;
      if (b >= 0)
        idx[st->block_dim[b]] =
            idx[st->block_dim[b]] * st->block_size[b] + w->coord[l];
    }
    int64_t flat = 0;
    for (int d = 0; d < st->rank; d++) flat = flat * st->dense[d] + idx[d];
    memcpy(w->dst + flat * (int64_t)w->elem,
           w->src + w->next * (int64_t)w->elem, w->elem);
  }
  w->next++;
  return PNN_OK;
}

static pnn_status walk_level(densify_walk *w, int level, int64_t prev) {
  const densify_state *st = w->st;
  if (level == st->levels) return walk_leaf(w);
  const pnn_dim_metadata_def *m = &st->meta[level];
  pnn_status s;
  if (m->format == PNN_DIM_DENSE) {
    for (int32_t i = 0; i < st->extent[level]; i++) {
      w->coord[level] = i;
      if ((s = walk_level(w, level + 1, prev * st->extent[level] + i)))
        return s;
    }
    return PNN_OK;
  }
  /* CSR: the segment of position `prev` of the previous level. */
  if (prev + 1 >= m->segments.count)
    return pnn_node_error(w->node, PNN_ERROR_INVALID_MODEL,
                          "dim_metadata[%d]: segment %lld missing (%d "
                          "entries)",
                          level, (long long)prev, m->segments.count);
  int32_t lo = m->segments.data[prev], hi = m->segments.data[prev + 1];
  if (lo < 0 || hi < lo || hi > m->indices.count)
    return pnn_node_error(w->node, PNN_ERROR_INVALID_MODEL,
                          "dim_metadata[%d]: segment [%d, %d) invalid for "
                          "%d indices",
                          level, lo, hi, m->indices.count);
  for (int32_t i = lo; i < hi; i++) {
    int32_t c = m->indices.data[i];
    if (c < 0 || c >= st->extent[level])
      return pnn_node_error(w->node, PNN_ERROR_INVALID_MODEL,
                            "dim_metadata[%d]: index %d out of range [0, %d)",
                            level, c, st->extent[level]);
    w->coord[level] = c;
    if ((s = walk_level(w, level + 1, i))) return s;
  }
  return PNN_OK;
}

static pnn_status densify_setup(pnn_node *node, const pnn_tensor *in,
                                densify_state *st) {
  const pnn_sparsity_def *sp = in->def ? in->def->sparsity : NULL;
  if (!sp)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 0 (%s) has no sparsity parameters", in->name);
  st->rank = in->rank;
  memcpy(st->dense, in->dims, sizeof(int32_t) * (size_t)in->rank);
  st->n_block = sp->block_map.count;
  st->levels = sp->traversal_order.count;
  st->meta = sp->dim_metadata;
  if (st->n_block > in->rank || st->levels != in->rank + st->n_block ||
      sp->n_dim_metadata != st->levels)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 0 (%s): sparsity has %d traversal dims, %d "
                          "block dims and %d dim_metadata for rank %d",
                          in->name, st->levels, st->n_block, sp->n_dim_metadata,
                          in->rank);
  /* traversal_order: original dims first (any order), then block dims. */
  bool seen[MAX_LEVELS] = {false};
  for (int l = 0; l < st->levels; l++) {
    int32_t e = sp->traversal_order.data[l];
    bool ok = l < in->rank ? (e >= 0 && e < in->rank)
                           : (e >= in->rank && e < st->levels);
    if (!ok || seen[e])
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "input 0 (%s): traversal_order[%d] = %d invalid",
                            in->name, l, e);
    seen[e] = true;
    st->order[l] = e;
  }
  for (int b = 0; b < st->n_block; b++) {
    int32_t d = sp->block_map.data[b];
    if (d < 0 || d >= in->rank || (b > 0 && d <= st->block_dim[b - 1]))
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "input 0 (%s): block_map[%d] = %d invalid",
                            in->name, b, d);
    st->block_dim[b] = d;
    /* The block size is the dense_size of the level holding block b. */
    int l = 0;
    while (st->order[l] != in->rank + b) l++;
    const pnn_dim_metadata_def *m = &sp->dim_metadata[l];
    if (m->format != PNN_DIM_DENSE || m->dense_size <= 0 ||
        in->dims[d] % m->dense_size != 0)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "input 0 (%s): block %d must be dense with a size "
                            "dividing dim %d (%d)",
                            in->name, b, d, in->dims[d]);
    st->block_size[b] = m->dense_size;
  }
  for (int l = 0; l < st->levels; l++) {
    int32_t e = st->order[l], extent;
    if (e >= in->rank) {
      extent = st->block_size[e - in->rank];
    } else {
      extent = in->dims[e];
      for (int b = 0; b < st->n_block; b++)
        if (st->block_dim[b] == e) extent /= st->block_size[b];
    }
    st->extent[l] = extent;
    const pnn_dim_metadata_def *m = &sp->dim_metadata[l];
    if (m->format == PNN_DIM_DENSE && m->dense_size != extent)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "input 0 (%s): dim_metadata[%d].dense_size %d, "
                            "expected %d",
                            in->name, l, m->dense_size, extent);
    if (m->format != PNN_DIM_DENSE && m->format != PNN_DIM_SPARSE_CSR)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "input 0 (%s): dim_metadata[%d].format %d unknown",
                            in->name, l, m->format);
    if (m->format == PNN_DIM_SPARSE_CSR &&
        (!m->segments.data || !m->indices.data))
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "input 0 (%s): dim_metadata[%d] is sparse "
                            "without segments and indices",
                            in->name, l);
  }
  return PNN_OK;
}

static pnn_status densify_prepare(pnn_node *node) {
  pnn_tensor *in;
  pnn_status s = pnn_check_io(node, 1, 1, 1);
  if (s || (s = pnn_require_input(node, 0, &in)) ||
      (s = pnn_tu_check_types(node, in, 0, PNN_TYPES_FIXED)))
    return s;
  if (!in->is_constant)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "input 0 (%s) must be constant", in->name);
  densify_state *st = pnn_node_alloc_persistent(node, sizeof *st);
  if (!st) return oom(node);
  node->state = st;
  if ((s = densify_setup(node, in, st))) return s;
  /* Validate the whole structure once by walking it without writing. */
  densify_walk w = {.st = st, .elem = pnn_type_size(in->type), .node = node};
  w.limit = (int64_t)(in->bytes / w.elem);
  if (!in->data) w.limit = 0;
  /* A tensor with a 0 dim has no values: the walk would still loop over
   * the other dims (up to 2^31 each, nested) without reaching a leaf. */
  if (pnn_tensor_count(in) > 0 && (s = walk_level(&w, 0, 0))) return s;
  st->n_values = w.next;
  return pnn_node_resize_output(node, 0, in->type, in->dims, in->rank);
}

static pnn_status densify_eval(pnn_node *node) {
  const densify_state *st = node->state;
  const pnn_tensor *in = node->inputs[0];
  pnn_tensor *out = node->outputs[0];
  if (pnn_tensor_count(out) == 0) return PNN_OK; /* see densify_prepare */
  if (out->bytes) memset(out->data, 0, out->bytes);
  densify_walk w = {.st = st,
                    .src = in->data,
                    .dst = out->data,
                    .elem = pnn_type_size(in->type),
                    .node = node,
                    .limit = st->n_values};
  return walk_level(&w, 0, 0);
}

static const pnn_op_kernel densify_kernel = {densify_prepare, densify_eval};

const pnn_op_entry pnn_ops_quant[] = {
    {PNN_OP_DEQUANTIZE, &dequantize_kernel},
    {PNN_OP_QUANTIZE, &quantize_kernel},
    {PNN_OP_DENSIFY, &densify_kernel},
    {-1, NULL},
};
