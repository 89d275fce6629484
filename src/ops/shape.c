/* Shape ops: RESHAPE, SQUEEZE, EXPAND_DIMS, SHAPE, RANK, FILL, ZEROS_LIKE,
 * RANGE, CAST, BROADCAST_TO, BROADCAST_ARGS. Most only change the shape and
 * copy bytes, so they work for every fixed-size element type. */
#include <math.h>
#include <string.h>

#include "ops/common.h"
#include "ops/tensor_util.h"

const pnn_builtin_options *pnn_tu_zero_options(void) {
  static const pnn_builtin_options zero;
  return &zero;
}

/* Input 0 must be a fixed-size type; outputs copy it byte for byte. */
static pnn_status fixed_input(pnn_node *node, pnn_tensor **in) {
  pnn_status s = pnn_require_input(node, 0, in);
  if (s) return s;
  if (pnn_type_size((*in)->type) == 0)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "input 0 (%s): type %s not supported", (*in)->name,
                          pnn_type_name((*in)->type));
  return PNN_OK;
}

/* Eval shared by every op whose output is its input's bytes reshaped. */
static pnn_status copy_eval(pnn_node *node) {
  pnn_tu_move(node->outputs[0]->data, node->inputs[0]->data,
              node->outputs[0]->bytes);
  return PNN_OK;
}

/* ------------------------------------------------------------- RESHAPE */

/* The requested shape: from a constant 1-D int tensor (input 1) when there
 * is one, else from options.new_shape, where a legacy [0] means scalar. */
static pnn_status reshape_request(pnn_node *node, int64_t *req, int *n) {
  pnn_tensor *shape = node->n_inputs > 1 ? node->inputs[1] : NULL;
  const pnn_reshape_options *o = PNN_OPTS(node, reshape);
  /* A computed shape tensor the runtime could not fold: the converter
   * also records the shape in the options, so use those. */
  if (shape && shape->rank == 1 && (shape->is_constant || !o->new_shape.count))
    return pnn_tu_const_ints(node, shape, 1, "shape", req, PNN_MAX_RANK, n);
  if (o->new_shape.count > PNN_MAX_RANK)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "new_shape has %d dims, at most %d supported",
                          o->new_shape.count, PNN_MAX_RANK);
  if (!o->new_shape.data && !shape && o->new_shape.count == 0 && node->def &&
      node->def->options_type != PNN_OPTIONS_OF(reshape))
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "no shape input and no new_shape option");
  *n = o->new_shape.count;
  for (int i = 0; i < *n; i++) req[i] = o->new_shape.data[i];
  if (*n == 1 && req[0] == 0) *n = 0;
  return PNN_OK;
}

static pnn_status reshape_prepare(pnn_node *node) {
  pnn_tensor *in;
  pnn_status s = pnn_check_io(node, 1, 2, 1);
  if (s || (s = fixed_input(node, &in))) return s;
  int64_t req[PNN_MAX_RANK];
  int n = 0;
  if ((s = reshape_request(node, req, &n))) return s;
  int64_t in_count = pnn_tensor_count(in), known = 1;
  int stretch = -1;
  int32_t dims[PNN_MAX_RANK];
  for (int i = 0; i < n; i++) {
    if (req[i] == -1) {
      if (stretch >= 0)
        return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                              "shape has more than one -1 (dims %d and %d)",
                              stretch, i);
      stretch = i;
      dims[i] = 1;
      continue;
    }
    if (req[i] < 0 || req[i] > INT32_MAX)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "shape dim %d is %lld", i, (long long)req[i]);
    dims[i] = (int32_t)req[i];
    known = pnn_dims_count(dims, i + 1);
    if (known < 0)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "shape element count overflows");
  }
  known = pnn_dims_count(dims, n);
  if (stretch >= 0) {
    if (known == 0) {
      if (in_count != 0)
        return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                              "cannot infer the -1 dim of a shape with a 0 "
                              "dim from %lld elements",
                              (long long)in_count);
      dims[stretch] = 0; /* empty in, empty out */
    } else {
      if (in_count % known != 0 || in_count / known > INT32_MAX)
        return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                              "cannot reshape %lld elements: not a multiple "
                              "of %lld",
                              (long long)in_count, (long long)known);
      dims[stretch] = (int32_t)(in_count / known);
    }
    known = pnn_dims_count(dims, n);
  }
  if (known != in_count)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "cannot reshape %lld elements into a shape of %lld",
                          (long long)in_count, (long long)known);
  return pnn_node_resize_output(node, 0, in->type, dims, n);
}

static const pnn_op_kernel reshape_kernel = {reshape_prepare, copy_eval};

/* ------------------------------------------------------------- SQUEEZE */

static pnn_status squeeze_prepare(pnn_node *node) {
  pnn_tensor *in;
  pnn_status s = pnn_check_io(node, 1, 1, 1);
  if (s || (s = fixed_input(node, &in))) return s;
  const pnn_squeeze_options *o = PNN_OPTS(node, squeeze);
  bool drop[PNN_MAX_RANK] = {false};
  if (o->squeeze_dims.count == 0) {
    for (int i = 0; i < in->rank; i++) drop[i] = in->dims[i] == 1;
  } else {
    for (int k = 0; k < o->squeeze_dims.count; k++) {
      int axis;
      if ((s = pnn_tu_axis(node, o->squeeze_dims.data[k], in->rank,
                           "squeeze_dims entry", &axis)))
        return s;
      if (in->dims[axis] != 1)
        return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                              "squeeze_dims: dim %d of input 0 (%s) is %d, "
                              "not 1",
                              axis, in->name, in->dims[axis]);
      drop[axis] = true;
    }
  }
  int32_t dims[PNN_MAX_RANK];
  int n = 0;
  for (int i = 0; i < in->rank; i++)
    if (!drop[i]) dims[n++] = in->dims[i];
  return pnn_node_resize_output(node, 0, in->type, dims, n);
}

static const pnn_op_kernel squeeze_kernel = {squeeze_prepare, copy_eval};

/* --------------------------------------------------------- EXPAND_DIMS */

static pnn_status expand_dims_prepare(pnn_node *node) {
  pnn_tensor *in, *axis_t;
  pnn_status s = pnn_check_io(node, 2, 2, 1);
  if (s || (s = fixed_input(node, &in)) ||
      (s = pnn_require_input(node, 1, &axis_t)))
    return s;
  int64_t v[1];
  int n;
  if ((s = pnn_tu_const_ints(node, axis_t, 1, "axis", v, 1, &n))) return s;
  if (n != 1)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 1 (%s, axis) must hold one value",
                          axis_t->name);
  if (in->rank + 1 > PNN_MAX_RANK)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "output rank %d exceeds %d", in->rank + 1,
                          PNN_MAX_RANK);
  int axis;
  if ((s = pnn_tu_axis(node, v[0], in->rank + 1, "axis", &axis))) return s;
  int32_t dims[PNN_MAX_RANK];
  for (int i = 0, j = 0; i <= in->rank; i++)
    dims[i] = i == axis ? 1 : in->dims[j++];
  return pnn_node_resize_output(node, 0, in->type, dims, in->rank + 1);
}

static const pnn_op_kernel expand_dims_kernel = {expand_dims_prepare,
                                                 copy_eval};

/* --------------------------------------------------------- SHAPE, RANK */

static pnn_status shape_prepare(pnn_node *node) {
  pnn_tensor *in;
  pnn_status s = pnn_check_io(node, 1, 1, 1);
  if (s || (s = pnn_require_input(node, 0, &in))) return s;
  pnn_type out = (pnn_type)PNN_OPTS(node, shape)->out_type;
  /* Old converters leave out_type unset (0 = float32): trust the output
   * tensor's declared type then. */
  if (out != PNN_TYPE_INT32 && out != PNN_TYPE_INT64)
    out = node->outputs[0]->type;
  if (out != PNN_TYPE_INT32 && out != PNN_TYPE_INT64)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "out_type %s not supported (int32 or int64)",
                          pnn_type_name(out));
  int32_t dims[1] = {in->rank};
  return pnn_node_resize_output(node, 0, out, dims, 1);
}

static pnn_status shape_eval(pnn_node *node) {
  const pnn_tensor *in = node->inputs[0];
  pnn_tensor *out = node->outputs[0];
  for (int i = 0; i < in->rank; i++) {
    if (out->type == PNN_TYPE_INT64)
      ((int64_t *)out->data)[i] = in->dims[i];
    else
      ((int32_t *)out->data)[i] = in->dims[i];
  }
  return PNN_OK;
}

static const pnn_op_kernel shape_kernel = {shape_prepare, shape_eval};

static pnn_status rank_prepare(pnn_node *node) {
  pnn_tensor *in;
  pnn_status s = pnn_check_io(node, 1, 1, 1);
  if (s || (s = pnn_require_input(node, 0, &in))) return s;
  return pnn_node_resize_output(node, 0, PNN_TYPE_INT32, NULL, 0);
}

static pnn_status rank_eval(pnn_node *node) {
  *(int32_t *)node->outputs[0]->data = node->inputs[0]->rank;
  return PNN_OK;
}

static const pnn_op_kernel rank_kernel = {rank_prepare, rank_eval};

/* -------------------------------------------------------- FILL, ZEROS */

static pnn_status fill_prepare(pnn_node *node) {
  pnn_tensor *dims_t, *value;
  pnn_status s = pnn_check_io(node, 2, 2, 1);
  if (s || (s = pnn_require_input(node, 0, &dims_t)) ||
      (s = pnn_require_input(node, 1, &value)))
    return s;
  if (dims_t->rank != 1)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 0 (%s, dims) must be 1-D, got rank %d",
                          dims_t->name, dims_t->rank);
  if (pnn_tensor_count(value) != 1)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 1 (%s, value) must be a scalar", value->name);
  if ((s = pnn_tu_check_types(node, value, 1, PNN_TYPES_FIXED))) return s;
  int64_t v[PNN_MAX_RANK];
  int n;
  if ((s = pnn_tu_const_ints(node, dims_t, 0, "dims", v, PNN_MAX_RANK, &n)))
    return s;
  int32_t dims[PNN_MAX_RANK];
  for (int i = 0; i < n; i++) {
    if (v[i] < 0 || v[i] > INT32_MAX)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL, "dims[%d] is %lld",
                            i, (long long)v[i]);
    dims[i] = (int32_t)v[i];
  }
  if (pnn_dims_count(dims, n) < 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "dims element count overflows");
  return pnn_node_resize_output(node, 0, value->type, dims, n);
}

static pnn_status fill_eval(pnn_node *node) {
  const pnn_tensor *value = node->inputs[1];
  pnn_tensor *out = node->outputs[0];
  size_t elem = pnn_type_size(out->type);
  uint8_t *dst = out->data;
  for (size_t off = 0; off < out->bytes; off += elem)
    memcpy(dst + off, value->data, elem);
  return PNN_OK;
}

static const pnn_op_kernel fill_kernel = {fill_prepare, fill_eval};

static pnn_status zeros_like_prepare(pnn_node *node) {
  pnn_tensor *in;
  pnn_status s = pnn_check_io(node, 1, 1, 1);
  if (s || (s = fixed_input(node, &in))) return s;
  return pnn_node_resize_output(node, 0, in->type, in->dims, in->rank);
}

static pnn_status zeros_like_eval(pnn_node *node) {
  if (node->outputs[0]->bytes)
    memset(node->outputs[0]->data, 0, node->outputs[0]->bytes);
  return PNN_OK;
}

static const pnn_op_kernel zeros_like_kernel = {zeros_like_prepare,
                                                zeros_like_eval};

/* --------------------------------------------------------------- RANGE */

static int64_t range_int(const pnn_tensor *t) {
  if (t->type == PNN_TYPE_INT64) return *(const int64_t *)t->data;
  return *(const int32_t *)t->data;
}

static pnn_status range_prepare(pnn_node *node) {
  pnn_status s = pnn_check_io(node, 3, 3, 1);
  if (s) return s;
  static const char *const what[3] = {"start", "limit", "delta"};
  pnn_tensor *t[3];
  for (int i = 0; i < 3; i++) {
    if ((s = pnn_require_input(node, i, &t[i]))) return s;
    if ((s = pnn_tu_check_types(node, t[i], i,
                                PNN_T(FLOAT32) | PNN_T(INT32) | PNN_T(INT64))))
      return s;
    if (t[i]->type != t[0]->type)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "input %d (%s): type %s differs from start's %s", i,
                            t[i]->name, pnn_type_name(t[i]->type),
                            pnn_type_name(t[0]->type));
    if (pnn_tensor_count(t[i]) != 1 || !t[i]->data)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "input %d (%s, %s) must be a scalar", i, t[i]->name,
                            what[i]);
    if (!t[i]->is_constant)
      return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                            "input %d (%s, %s) must be constant at prepare", i,
                            t[i]->name, what[i]);
  }
  int64_t n;
  if (t[0]->type == PNN_TYPE_FLOAT32) {
    float start = *(float *)t[0]->data, limit = *(float *)t[1]->data,
          delta = *(float *)t[2]->data;
    if (delta == 0.f || !isfinite(start) || !isfinite(limit) ||
        !isfinite(delta))
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "range needs finite values and delta != 0");
    if ((start > limit && delta > 0) || (start < limit && delta < 0))
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "range: delta %g moves away from limit", delta);
    double c = ceil(fabs((double)((limit - start) / delta)));
    if (c > INT32_MAX)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "range has too many elements");
    n = (int64_t)c;
  } else {
    int64_t start = range_int(t[0]), limit = range_int(t[1]),
            delta = range_int(t[2]);
    if (delta == 0)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL, "range: delta is 0");
    if ((start > limit && delta > 0) || (start < limit && delta < 0))
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "range: delta %lld moves away from limit",
                            (long long)delta);
    /* |limit - start| may overflow int64 for extreme values: use double
     * for the bound check first. */
    double span = fabs((double)limit - (double)start);
    double ad = fabs((double)delta);
    if (span / ad > INT32_MAX)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "range has too many elements");
    uint64_t uspan = start < limit ? (uint64_t)limit - (uint64_t)start
                                   : (uint64_t)start - (uint64_t)limit;
    uint64_t udelta = delta < 0 ? 0 - (uint64_t)delta : (uint64_t)delta;
    n = (int64_t)((uspan + udelta - 1) / udelta);
  }
  int32_t dims[1] = {(int32_t)n};
  return pnn_node_resize_output(node, 0, t[0]->type, dims, 1);
}

static pnn_status range_eval(pnn_node *node) {
  pnn_tensor *out = node->outputs[0];
  int64_t n = out->dims[0];
  const void *st = node->inputs[0]->data, *dt = node->inputs[2]->data;
  /* Accumulate like TFLite (value += delta), which matters for floats. */
  switch (out->type) {
    case PNN_TYPE_FLOAT32: {
      float v = *(const float *)st, d = *(const float *)dt;
      for (int64_t i = 0; i < n; i++, v += d) ((float *)out->data)[i] = v;
      break;
    }
    case PNN_TYPE_INT32: {
      int32_t v = *(const int32_t *)st, d = *(const int32_t *)dt;
      for (int64_t i = 0; i < n; i++) {
        ((int32_t *)out->data)[i] = v;
        v = (int32_t)((uint32_t)v + (uint32_t)d);
      }
      break;
    }
    default: {
      int64_t v = *(const int64_t *)st, d = *(const int64_t *)dt;
      for (int64_t i = 0; i < n; i++) {
        ((int64_t *)out->data)[i] = v;
        v = (int64_t)((uint64_t)v + (uint64_t)d);
      }
      break;
    }
  }
  return PNN_OK;
}

static const pnn_op_kernel range_kernel = {range_prepare, range_eval};

/* ---------------------------------------------------------------- CAST */

/* A value read from any numeric type: float types go through double,
 * integer types through int64 (uint64 through its bits). */
typedef struct {
  bool is_float;
  double f;
  int64_t i;
} cast_value;

static cast_value cast_read(pnn_type t, const uint8_t *p) {
  cast_value v = {false, 0, 0};
  switch (t) {
    case PNN_TYPE_FLOAT32: {
      float x;
      memcpy(&x, p, 4);
      v.is_float = true;
      v.f = x;
      break;
    }
    case PNN_TYPE_FLOAT64: {
      double x;
      memcpy(&x, p, 8);
      v.is_float = true;
      v.f = x;
      break;
    }
    case PNN_TYPE_FLOAT16: {
      uint16_t x;
      memcpy(&x, p, 2);
      v.is_float = true;
      v.f = pnn_tu_half_to_float(x);
      break;
    }
    case PNN_TYPE_INT8: v.i = *(const int8_t *)p; break;
    case PNN_TYPE_UINT8: v.i = *p; break;
    case PNN_TYPE_BOOL: v.i = *p != 0; break;
    case PNN_TYPE_INT16: {
      int16_t x;
      memcpy(&x, p, 2);
      v.i = x;
      break;
    }
    case PNN_TYPE_UINT16: {
      uint16_t x;
      memcpy(&x, p, 2);
      v.i = x;
      break;
    }
    case PNN_TYPE_INT32: {
      int32_t x;
      memcpy(&x, p, 4);
      v.i = x;
      break;
    }
    case PNN_TYPE_UINT32: {
      uint32_t x;
      memcpy(&x, p, 4);
      v.i = x;
      break;
    }
    default: {
      int64_t x;
      memcpy(&x, p, 8);
      v.i = x;
      break;
    } /* int64, uint64 */
  }
  return v;
}

/* Float to integer saturates like TFLite's CAST: truncation toward zero,
 * values beyond the target range clamp to its ends, NaN gives the
 * maximum. The comparisons keep every int conversion in range. */
static int64_t cast_f2i(double f, double lo, double hi, int64_t ilo,
                        int64_t ihi) {
  if (!(f < hi)) return ihi; /* also NaN */
  if (f <= lo) return ilo;
  return (int64_t)f;
}

static int64_t cast_float_to(pnn_type t, double f) {
  switch (t) {
    case PNN_TYPE_INT8: return cast_f2i(f, -128.0, 127.0, -128, 127);
    case PNN_TYPE_UINT8: return cast_f2i(f, 0.0, 255.0, 0, 255);
    case PNN_TYPE_INT16: return cast_f2i(f, -32768.0, 32767.0, -32768, 32767);
    case PNN_TYPE_UINT16: return cast_f2i(f, 0.0, 65535.0, 0, 65535);
    case PNN_TYPE_INT32:
      return cast_f2i(f, -2147483648.0, 2147483647.0, INT32_MIN, INT32_MAX);
    case PNN_TYPE_UINT32: return cast_f2i(f, 0.0, 4294967295.0, 0, UINT32_MAX);
    case PNN_TYPE_UINT64: {
      /* Bits of the uint64 result. */
      if (!(f < 18446744073709551616.0)) return -1; /* UINT64_MAX */
      if (f <= 0.0) return 0;
      return (int64_t)(uint64_t)f;
    }
    default: /* int64; 2^63 is the first double past INT64_MAX */
      if (!(f < 9223372036854775808.0)) return INT64_MAX;
      if (f <= -9223372036854775808.0) return INT64_MIN;
      return (int64_t)f;
  }
}

static void cast_write(pnn_type t, uint8_t *p, cast_value v) {
  if (t == PNN_TYPE_BOOL) {
    *p = v.is_float ? v.f != 0.0 : v.i != 0;
    return;
  }
  if (t == PNN_TYPE_FLOAT32 || t == PNN_TYPE_FLOAT64 || t == PNN_TYPE_FLOAT16) {
    double d = v.is_float ? v.f : (double)v.i;
    float f = v.is_float ? (float)v.f : (float)v.i; /* one rounding */
    if (t == PNN_TYPE_FLOAT64)
      memcpy(p, &d, 8);
    else if (t == PNN_TYPE_FLOAT32)
      memcpy(p, &f, 4);
    else {
      uint16_t h = pnn_tu_float_to_half(f);
      memcpy(p, &h, 2);
    }
    return;
  }
  /* Integer to narrower integer wraps (two's complement), as in C++. */
  int64_t i = v.is_float ? cast_float_to(t, v.f) : v.i;
  switch (t) {
    case PNN_TYPE_INT8:
    case PNN_TYPE_UINT8: *p = (uint8_t)i; break;
    case PNN_TYPE_INT16:
    case PNN_TYPE_UINT16: {
      uint16_t x = (uint16_t)i;
      memcpy(p, &x, 2);
      break;
    }
    case PNN_TYPE_INT32:
    case PNN_TYPE_UINT32: {
      uint32_t x = (uint32_t)i;
      memcpy(p, &x, 4);
      break;
    }
    default: memcpy(p, &i, 8); break;
  }
}

#define CAST_TYPES                                                     \
  (PNN_TYPES_NUMERIC | PNN_T(BOOL) | PNN_T(FLOAT16) | PNN_T(FLOAT64) | \
   PNN_T(UINT16) | PNN_T(UINT32) | PNN_T(UINT64))

static pnn_status cast_prepare(pnn_node *node) {
  pnn_tensor *in;
  pnn_status s = pnn_check_io(node, 1, 1, 1);
  if (s || (s = pnn_require_input(node, 0, &in)) ||
      (s = pnn_tu_check_types(node, in, 0, CAST_TYPES)))
    return s;
  /* The target type is the output tensor's type; options may be absent. */
  pnn_type out = node->outputs[0]->type;
  if ((unsigned)out >= 32 || !(CAST_TYPES & (1u << out)))
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "output 0 (%s): type %s not supported",
                          node->outputs[0]->name, pnn_type_name(out));
  return pnn_node_resize_output(node, 0, out, in->dims, in->rank);
}

static pnn_status cast_eval(pnn_node *node) {
  const pnn_tensor *in = node->inputs[0];
  pnn_tensor *out = node->outputs[0];
  size_t si = pnn_type_size(in->type), so = pnn_type_size(out->type);
  int64_t n = pnn_tensor_count(out);
  const uint8_t *src = in->data;
  uint8_t *dst = out->data;
  for (int64_t k = 0; k < n; k++)
    cast_write(out->type, dst + k * (int64_t)so,
               cast_read(in->type, src + k * (int64_t)si));
  return PNN_OK;
}

static const pnn_op_kernel cast_kernel = {cast_prepare, cast_eval};

/* -------------------------------------------------------- BROADCAST_TO */

typedef struct {
  int rank;
  int64_t counts[PNN_MAX_RANK], src_steps[PNN_MAX_RANK],
      dst_steps[PNN_MAX_RANK];
} broadcast_state;

static pnn_status broadcast_to_prepare(pnn_node *node) {
  pnn_tensor *in, *shape;
  pnn_status s = pnn_check_io(node, 2, 2, 1);
  if (s || (s = fixed_input(node, &in)) ||
      (s = pnn_require_input(node, 1, &shape)))
    return s;
  if (shape->rank != 1)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 1 (%s, shape) must be 1-D", shape->name);
  int64_t v[PNN_MAX_RANK];
  int n;
  if ((s = pnn_tu_const_ints(node, shape, 1, "shape", v, PNN_MAX_RANK, &n)))
    return s;
  if (n < in->rank)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "shape has rank %d, lower than input 0 (%s) rank %d",
                          n, in->name, in->rank);
  int32_t dims[PNN_MAX_RANK];
  for (int i = 0; i < n; i++) {
    if (v[i] < 0 || v[i] > INT32_MAX)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL, "shape[%d] is %lld",
                            i, (long long)v[i]);
    dims[i] = (int32_t)v[i];
    int j = i - (n - in->rank);
    if (j >= 0 && in->dims[j] != 1 && in->dims[j] != dims[i])
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "input 0 (%s) dim %d (%d) cannot broadcast to %d",
                            in->name, j, in->dims[j], dims[i]);
  }
  if (pnn_dims_count(dims, n) < 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "output element count overflows");
  broadcast_state *st = pnn_node_alloc_persistent(node, sizeof *st);
  if (!st)
    return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY, "out of memory");
  st->rank = n;
  pnn_broadcast_strides(in, n, st->src_steps);
  pnn_tu_strides(dims, n, st->dst_steps);
  for (int i = 0; i < n; i++) st->counts[i] = dims[i];
  node->state = st;
  return pnn_node_resize_output(node, 0, in->type, dims, n);
}

static pnn_status broadcast_to_eval(pnn_node *node) {
  const broadcast_state *st = node->state;
  pnn_tu_copy_nd(node->outputs[0]->data, st->dst_steps, node->inputs[0]->data,
                 st->src_steps, st->counts, st->rank,
                 pnn_type_size(node->inputs[0]->type));
  return PNN_OK;
}

static const pnn_op_kernel broadcast_to_kernel = {broadcast_to_prepare,
                                                  broadcast_to_eval};

/* ------------------------------------------------------ BROADCAST_ARGS */

/* The broadcast of two shapes given as 1-D int tensors. The values are
 * data (usually folded at prepare from SHAPE chains), so incompatible
 * shapes are an eval-time error. */
static pnn_status broadcast_args_prepare(pnn_node *node) {
  pnn_tensor *a, *b;
  pnn_status s = pnn_check_io(node, 2, 2, 1);
  if (s || (s = pnn_require_input(node, 0, &a)) ||
      (s = pnn_require_input(node, 1, &b)))
    return s;
  if ((a->type != PNN_TYPE_INT32 && a->type != PNN_TYPE_INT64) ||
      b->type != a->type || a->rank != 1 || b->rank != 1)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "inputs must be 1-D shapes of one type (int32 or "
                          "int64), got %s rank %d and %s rank %d",
                          pnn_type_name(a->type), a->rank,
                          pnn_type_name(b->type), b->rank);
  int32_t dims[1] = {a->dims[0] > b->dims[0] ? a->dims[0] : b->dims[0]};
  return pnn_node_resize_output(node, 0, a->type, dims, 1);
}

static pnn_status broadcast_args_eval(pnn_node *node) {
  const pnn_tensor *a = node->inputs[0], *b = node->inputs[1];
  pnn_tensor *out = node->outputs[0];
  int64_t n = out->dims[0], na = a->dims[0], nb = b->dims[0];
  for (int64_t i = 0; i < n; i++) {
    int64_t ia = i - (n - na), ib = i - (n - nb);
    int64_t da = ia >= 0 ? pnn_read_index(a, ia) : 1;
    int64_t db = ib >= 0 ? pnn_read_index(b, ib) : 1;
    int64_t d;
    if (da == db || db == 1)
      d = da;
    else if (da == 1)
      d = db;
    else
      return pnn_node_error(node, PNN_ERROR_RUNTIME,
                            "shapes do not broadcast at dim %lld (%lld vs "
                            "%lld)",
                            (long long)i, (long long)da, (long long)db);
    if (out->type == PNN_TYPE_INT64)
      ((int64_t *)out->data)[i] = d;
    else
      ((int32_t *)out->data)[i] = (int32_t)d;
  }
  return PNN_OK;
}

static const pnn_op_kernel broadcast_args_kernel = {broadcast_args_prepare,
                                                    broadcast_args_eval};

const pnn_op_entry pnn_ops_shape[] = {
    {PNN_OP_BROADCAST_ARGS, &broadcast_args_kernel},
    {PNN_OP_RESHAPE, &reshape_kernel},
    {PNN_OP_SQUEEZE, &squeeze_kernel},
    {PNN_OP_EXPAND_DIMS, &expand_dims_kernel},
    {PNN_OP_SHAPE, &shape_kernel},
    {PNN_OP_RANK, &rank_kernel},
    {PNN_OP_FILL, &fill_kernel},
    {PNN_OP_ZEROS_LIKE, &zeros_like_kernel},
    {PNN_OP_RANGE, &range_kernel},
    {PNN_OP_CAST, &cast_kernel},
    {PNN_OP_BROADCAST_TO, &broadcast_to_kernel},
    {-1, NULL},
};
