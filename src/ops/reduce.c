/* Reductions: MEAN, SUM, REDUCE_PROD, REDUCE_MAX, REDUCE_MIN, REDUCE_ANY,
 * REDUCE_ALL over constant axes (MEAN/SUM also quantized int8/uint8/int16
 * with TFLite's fixed-point rescaling); ARG_MAX, ARG_MIN; CUMSUM;
 * UNSORTED_SEGMENT_SUM/PROD/MAX/MIN.
 *
 * Reductions walk the input once in order and fold each element into its
 * output slot, as TFLite's reference does, so float results accumulate in
 * the same order. Integer sums and products wrap (computed unsigned, so no
 * undefined behaviour). */
#include <float.h>
#include <math.h>
#include <string.h>

#include "ops/common.h"
#include "ops/tensor_util.h"
#include "ops/quant_math.h"
#include "kernels/qs8_vec.h"
#include "kernels/f32_vec.h"

static int64_t prod(const int32_t *dims, int from, int to) {
  int64_t p = 1;
  for (int i = from; i < to; i++) p *= dims[i];
  return p;
}

/* Reads a constant axis tensor with one value and normalizes it. */
static pnn_status one_axis(pnn_node *node, int i, int rank, int *axis) {
  pnn_tensor *t;
  int64_t v[1];
  int n;
  pnn_status s = pnn_require_input(node, i, &t);
  if (s || (s = pnn_tu_const_ints(node, t, i, "axis", v, 1, &n))) return s;
  if (n != 1)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input %d (%s, axis) must hold one value", i,
                          t->name);
  return pnn_tu_axis(node, v[0], rank, "axis", axis);
}

/* ----------------------------------------------------------- reducers */

typedef struct {
  int rank;
  int32_t dims[PNN_MAX_RANK];      /* input dims */
  int64_t out_steps[PNN_MAX_RANK]; /* 0 along reduced dims */
  int64_t per_output;              /* input elements per output */
  int quant;                       /* enum quant_mode (MEAN/SUM only) */
  int32_t multiplier;              /* QUANT_MEAN_HW */
  int shift;
  float sum_scale;                 /* QUANT_SUM_FLOAT: in/out scale */
  /* float SUM/MEAN fast path (vc > 0): the input is [vouter, vrows, vc]
   * with the middle reduced (e.g. NHWC over H, W): per output row, vrows
   * contiguous channel vectors are added in input order. */
  int64_t vouter, vrows, vc;
  const pnn_f32_vec_ops *vec;
  /* int8/uint8 MEAN/SUM above the scalar level: the same row plan (vc >
   * 0) summed by the qs8 vector kernels (NULL: the reference walk). */
  const pnn_qs8_vec_ops *qvec;
} reduce_state;

/* Finds the float SUM/MEAN fast path: from the innermost dim, kept dims
 * (the channel block), then reduced dims, then only kept dims; size-1
 * dims fit anywhere. Channel blocks narrower than 8 keep the walk. */
static void reduce_plan_rows(reduce_state *st, const bool *reduced) {
  st->vc = 0;
  int64_t c = 1, rows = 1, outer = 1;
  int k = st->rank - 1;
  for (; k >= 0 && (!reduced[k] || st->dims[k] == 1); k--) c *= st->dims[k];
  for (; k >= 0 && (reduced[k] || st->dims[k] == 1); k--)
    rows *= st->dims[k];
  for (; k >= 0; k--) {
    if (reduced[k] && st->dims[k] != 1) return;
    outer *= st->dims[k];
  }
  if (c < 8) return;
  st->vc = c;
  st->vrows = rows;
  st->vouter = outer;
  st->vec = pnn_f32_vec_ops_for(pnn_isa_active());
}

/* How a MEAN or SUM of int8/uint8/int16 is computed, as TFLite does:
 * both sum in int32; MEAN rescales with a fixed-point multiplier (integer
 * only), SUM as below. */
enum quant_mode {
  QUANT_NONE = 0, /* not quantized (float32, int32, int64) */
  QUANT_RESCALE,  /* int32 sum, then fixed-point rescale */
  /* Quantized SUM as LiteRT's builtin kernel computes it, whatever the
   * scales: int32 sum, then round(sum * s + bias) + zp in float with
   * s = in_scale / out_scale, bias = -in_zp * s * n, saturated. (LiteRT's
   * reference resolver returns unrelated values for quantized SUM, and
   * its builtin kernel saturates even with equal scales.) */
  QUANT_SUM_FLOAT,
};

static uint32_t reduce_types(int32_t op) {
  switch (op) {
    case PNN_OP_REDUCE_ANY:
    case PNN_OP_REDUCE_ALL: return PNN_T(BOOL);
    case PNN_OP_REDUCE_MAX:
    case PNN_OP_REDUCE_MIN: return PNN_TYPES_NUMERIC;
    case PNN_OP_REDUCE_PROD:
      return PNN_T(FLOAT32) | PNN_T(INT32) | PNN_T(INT64);
    default: /* MEAN, SUM */
      return PNN_T(FLOAT32) | PNN_T(INT32) | PNN_T(INT64) | PNN_T(INT8) |
             PNN_T(UINT8) | PNN_T(INT16);
  }
}

/* Picks the quantized MEAN/SUM path (see enum quant_mode) and, for
 * rescaling, the multiplier in_scale/out_scale, folded with 1/n for MEAN
 * the way TFLite folds it (a shift of floor(log2 n), clamped). */
static pnn_status reduce_quant_setup(pnn_node *node, const pnn_tensor *in,
                                     const pnn_tensor *out, reduce_state *st) {
  if (in->type == PNN_TYPE_INT16 && (in->zero_point || out->zero_point))
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "int16 MEAN/SUM needs zero points of 0");
  st->quant = node->builtin == PNN_OP_SUM ? QUANT_SUM_FLOAT : QUANT_RESCALE;
  if (!(in->scale > 0 && out->scale > 0))
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "quantized %s needs input and output scales",
                          pnn_type_name(in->type));
  st->sum_scale = in->scale / out->scale;
  pnn_qm_quantize_multiplier((double)in->scale / (double)out->scale,
                             &st->multiplier, &st->shift);
  int64_t n = st->per_output;
  if (node->builtin == PNN_OP_MEAN && n > 0) {
    int shift = 0;
    while (shift < 62 && ((int64_t)1 << (shift + 1)) <= n) shift++;
    if (shift > 32) shift = 32;
    if (shift > 31 + st->shift) shift = 31 + st->shift;
    if (shift < 0) shift = 0;
    st->multiplier =
        (int32_t)(((int64_t)st->multiplier * ((int64_t)1 << shift)) / n);
    st->shift -= shift;
  }
  return PNN_OK;
}

static pnn_status reduce_prepare(pnn_node *node) {
  pnn_tensor *in, *axes_t;
  pnn_status s = pnn_check_io(node, 2, 2, 1);
  if (s || (s = pnn_require_input(node, 0, &in)) ||
      (s = pnn_require_input(node, 1, &axes_t)) ||
      (s = pnn_tu_check_types(node, in, 0, reduce_types(node->builtin))))
    return s;
  int64_t axes[64];
  int n;
  if ((s = pnn_tu_const_ints(node, axes_t, 1, "axes", axes, 64, &n))) return s;
  bool reduced[PNN_MAX_RANK] = {false};
  for (int k = 0; k < n; k++) {
    int a;
    if ((s = pnn_tu_axis(node, axes[k], in->rank, "axes entry", &a))) return s;
    reduced[a] = true; /* duplicates are harmless */
  }
  bool keep = PNN_OPTS(node, reducer)->keep_dims;
  reduce_state *st = pnn_node_alloc_persistent(node, sizeof *st);
  if (!st)
    return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY, "out of memory");
  node->state = st;
  st->rank = in->rank;
  memcpy(st->dims, in->dims, sizeof(int32_t) * (size_t)in->rank);
  int32_t kept[PNN_MAX_RANK], dims[PNN_MAX_RANK];
  int64_t kept_steps[PNN_MAX_RANK];
  int nd = 0;
  st->per_output = 1;
  for (int i = 0; i < in->rank; i++) {
    kept[i] = reduced[i] ? 1 : in->dims[i];
    if (reduced[i]) st->per_output *= in->dims[i];
    if (!reduced[i] || keep) dims[nd++] = kept[i];
  }
  pnn_tu_strides(kept, in->rank, kept_steps);
  for (int i = 0; i < in->rank; i++)
    st->out_steps[i] = reduced[i] ? 0 : kept_steps[i];
  if (in->type == PNN_TYPE_FLOAT32 &&
      (node->builtin == PNN_OP_MEAN || node->builtin == PNN_OP_SUM))
    reduce_plan_rows(st, reduced);
  bool q8 = in->type == PNN_TYPE_INT8 || in->type == PNN_TYPE_UINT8 ||
            in->type == PNN_TYPE_INT16;
  if (q8 && (node->builtin == PNN_OP_MEAN || node->builtin == PNN_OP_SUM) &&
      (s = reduce_quant_setup(node, in, node->outputs[0], st)))
    return s;
  if (q8 && in->type != PNN_TYPE_INT16 && pnn_isa_active() != PNN_ISA_SCALAR) {
    reduce_plan_rows(st, reduced);
    if (st->vc > 0) st->qvec = pnn_qs8_vec_ops_for(pnn_isa_active());
  }
  if ((node->builtin == PNN_OP_MEAN && in->type != PNN_TYPE_FLOAT32) ||
      st->quant == QUANT_RESCALE || st->quant == QUANT_SUM_FLOAT) {
    /* Integer means and rescaled sums accumulate per output first. */
    int64_t outs = pnn_dims_count(dims, nd);
    if ((s = pnn_node_request_scratch(node, (size_t)outs * sizeof(int64_t))))
      return s;
  }
  return pnn_node_resize_output(node, 0, in->type, dims, nd);
}

/* Walks the input in order; OFF is the output slot of element K. */
#define REDUCE_WALK(st, n, BODY)                     \
  do {                                               \
    int64_t idx_[PNN_MAX_RANK] = {0}, off = 0;       \
    for (int64_t k = 0; k < (n); k++) {              \
      BODY;                                          \
      for (int d_ = (st)->rank - 1; d_ >= 0; d_--) { \
        off += (st)->out_steps[d_];                  \
        if (++idx_[d_] < (st)->dims[d_]) break;      \
        off -= (st)->out_steps[d_] * (st)->dims[d_]; \
        idx_[d_] = 0;                                \
      }                                              \
    }                                                \
  } while (0)

#define FILL(T, p, count, v)                                       \
  do {                                                             \
    for (int64_t i_ = 0; i_ < (count); i_++) ((T *)(p))[i_] = (v); \
  } while (0)

/* Max/min fold with TFLite's comparison: the new element wins only when
 * strictly better, so NaN inputs are skipped. */
#define MAXMIN(T, lowest, highest)                                  \
  do {                                                              \
    T *o = out->data;                                               \
    const T *x = in->data;                                          \
    if (is_max) {                                                   \
      FILL(T, o, nout, lowest);                                     \
      REDUCE_WALK(st, nin, o[off] = x[k] > o[off] ? x[k] : o[off]); \
    } else {                                                        \
      FILL(T, o, nout, highest);                                    \
      REDUCE_WALK(st, nin, o[off] = x[k] < o[off] ? x[k] : o[off]); \
    }                                                               \
  } while (0)

static void reduce_maxmin(const reduce_state *st, const pnn_tensor *in,
                          pnn_tensor *out, bool is_max) {
  int64_t nin = pnn_tensor_count(in), nout = pnn_tensor_count(out);
  switch (in->type) {
    case PNN_TYPE_FLOAT32: MAXMIN(float, -FLT_MAX, FLT_MAX); break;
    case PNN_TYPE_INT32: MAXMIN(int32_t, INT32_MIN, INT32_MAX); break;
    case PNN_TYPE_INT64: MAXMIN(int64_t, INT64_MIN, INT64_MAX); break;
    case PNN_TYPE_INT8: MAXMIN(int8_t, INT8_MIN, INT8_MAX); break;
    case PNN_TYPE_UINT8: MAXMIN(uint8_t, 0, UINT8_MAX); break;
    default: MAXMIN(int16_t, INT16_MIN, INT16_MAX); break;
  }
}

/* Sum (or product) of integers with wrap-around via unsigned U. */
#define INT_FOLD(T, U, init, OP)                              \
  do {                                                        \
    T *o = out->data;                                         \
    const T *x = in->data;                                    \
    FILL(T, o, nout, init);                                   \
    REDUCE_WALK(st, nin, o[off] = (T)((U)o[off] OP(U) x[k])); \
  } while (0)

static int32_t quant_at(const pnn_tensor *t, int64_t i) {
  switch (t->type) {
    case PNN_TYPE_INT8: return ((const int8_t *)t->data)[i];
    case PNN_TYPE_UINT8: return ((const uint8_t *)t->data)[i];
    default: return ((const int16_t *)t->data)[i];
  }
}

static void quant_store(pnn_tensor *t, int64_t i, int32_t v) {
  switch (t->type) {
    case PNN_TYPE_INT8: ((int8_t *)t->data)[i] = (int8_t)v; break;
    case PNN_TYPE_UINT8: ((uint8_t *)t->data)[i] = (uint8_t)v; break;
    default: ((int16_t *)t->data)[i] = (int16_t)v; break;
  }
}

static void quant_range(pnn_type type, int32_t *lo, int32_t *hi) {
  *lo = type == PNN_TYPE_UINT8 ? 0 : type == PNN_TYPE_INT8 ? -128 : -32768;
  *hi = type == PNN_TYPE_UINT8 ? 255 : type == PNN_TYPE_INT8 ? 127 : 32767;
}

/* Quantized MEAN/SUM. acc holds one int32 sum per output (scratch). */
static void reduce_quant(const reduce_state *st, const pnn_tensor *in,
                         pnn_tensor *out, int32_t *acc) {
  int64_t nin = pnn_tensor_count(in), nout = pnn_tensor_count(out);
  int32_t lo, hi;
  quant_range(out->type, &lo, &hi);
  FILL(int32_t, acc, nout, 0);
  if (st->qvec && nin > 0) { /* an empty input has no data (NULL) */
    /* Integer sums: the vector row sums give the walk's values. */
    const bool u8 = in->type == PNN_TYPE_UINT8;
    for (int64_t r = 0; r < st->vouter; r++)
      st->qvec->sum_rows((const uint8_t *)in->data + r * st->vrows * st->vc,
                         u8, acc + r * st->vc, (size_t)st->vrows,
                         (size_t)st->vc);
  } else {
    REDUCE_WALK(
        st, nin,
        acc[off] = (int32_t)((uint32_t)acc[off] + (uint32_t)quant_at(in, k)));
  }
  int64_t n = st->per_output;
  if (st->quant == QUANT_SUM_FLOAT) {
    const float scale = st->sum_scale;
    const float bias = (float)(-in->zero_point) * scale * (float)n;
    for (int64_t i = 0; i < nout; i++) {
      float r = roundf((float)acc[i] * scale + bias) + (float)out->zero_point;
      int32_t v = pnn_qm_clamp(pnn_qm_sat_i32(r), lo, hi);
      quant_store(out, i, v);
    }
    return;
  }
  for (int64_t i = 0; i < nout; i++) {
    if (n == 0) { /* empty reduction: TFLite leaves 0 */
      quant_store(out, i, 0);
      continue;
    }
    int32_t shifted =
        (int32_t)(int64_t)((uint64_t)(int64_t)acc[i] -
                           (uint64_t)((int64_t)in->zero_point * n));
    int32_t v = pnn_qm_clamp_add(
        pnn_qm_mul_by_qm(shifted, st->multiplier, st->shift), out->zero_point,
        lo, hi);
    quant_store(out, i, v);
  }
}

static pnn_status reduce_eval(pnn_node *node) {
  const reduce_state *st = node->state;
  const pnn_tensor *in = node->inputs[0];
  pnn_tensor *out = node->outputs[0];
  int64_t nin = pnn_tensor_count(in), nout = pnn_tensor_count(out);
  if (st->quant != QUANT_NONE &&
      (node->builtin == PNN_OP_MEAN || node->builtin == PNN_OP_SUM)) {
    reduce_quant(st, in, out, node->scratch);
    return PNN_OK;
  }
  switch (node->builtin) {
    case PNN_OP_REDUCE_MAX: reduce_maxmin(st, in, out, true); break;
    case PNN_OP_REDUCE_MIN: reduce_maxmin(st, in, out, false); break;
    case PNN_OP_REDUCE_ANY: {
      uint8_t *o = out->data; /* bools as bytes: any nonzero is true */
      const uint8_t *x = in->data;
      FILL(uint8_t, o, nout, 0);
      REDUCE_WALK(st, nin, o[off] = o[off] || x[k]);
      break;
    }
    case PNN_OP_REDUCE_ALL: {
      uint8_t *o = out->data;
      const uint8_t *x = in->data;
      FILL(uint8_t, o, nout, 1);
      REDUCE_WALK(st, nin, o[off] = o[off] && x[k]);
      break;
    }
    case PNN_OP_REDUCE_PROD:
      if (in->type == PNN_TYPE_FLOAT32) {
        float *o = out->data;
        const float *x = in->data;
        FILL(float, o, nout, 1.f);
        REDUCE_WALK(st, nin, o[off] *= x[k]);
      } else if (in->type == PNN_TYPE_INT32) {
        INT_FOLD(int32_t, uint32_t, 1, *);
      } else {
        INT_FOLD(int64_t, uint64_t, 1, *);
      }
      break;
    default: /* SUM, MEAN */
      if (in->type == PNN_TYPE_FLOAT32) {
        float *o = out->data;
        const float *x = in->data;
        FILL(float, o, nout, 0.f);
        if (st->vc > 0 && nin > 0) /* an empty input has no data (NULL) */
          for (int64_t r = 0; r < st->vouter; r++)
            st->vec->sum_rows(x + r * st->vrows * st->vc, o + r * st->vc,
                              (size_t)st->vrows, (size_t)st->vc);
        else
          REDUCE_WALK(st, nin, o[off] += x[k]);
        if (node->builtin == PNN_OP_MEAN)
          for (int64_t i = 0; i < nout; i++) o[i] /= (float)st->per_output;
      } else if (node->builtin == PNN_OP_SUM) {
        if (in->type == PNN_TYPE_INT32)
          INT_FOLD(int32_t, uint32_t, 0, +);
        else
          INT_FOLD(int64_t, uint64_t, 0, +);
      } else {
        /* Integer mean: int64 sums, then truncating division. */
        int64_t *acc = node->scratch;
        FILL(int64_t, acc, nout, 0);
        if (in->type == PNN_TYPE_INT32) {
          const int32_t *x = in->data;
          REDUCE_WALK(st, nin,
                      acc[off] = (int64_t)((uint64_t)acc[off] +
                                           (uint64_t)(int64_t)x[k]));
        } else {
          const int64_t *x = in->data;
          REDUCE_WALK(
              st, nin,
              acc[off] = (int64_t)((uint64_t)acc[off] + (uint64_t)x[k]));
        }
        int64_t div = st->per_output ? st->per_output : 1;
        for (int64_t i = 0; i < nout; i++) {
          if (in->type == PNN_TYPE_INT32)
            ((int32_t *)out->data)[i] = (int32_t)(acc[i] / div);
          else
            ((int64_t *)out->data)[i] = acc[i] / div;
        }
      }
      break;
  }
  return PNN_OK;
}

static const pnn_op_kernel reduce_kernel = {reduce_prepare, reduce_eval};

/* ------------------------------------------------------ ARG_MAX, ARG_MIN */

typedef struct {
  int axis;
} arg_state;

static pnn_status arg_prepare(pnn_node *node) {
  pnn_tensor *in;
  pnn_status s = pnn_check_io(node, 2, 2, 1);
  if (s || (s = pnn_require_input(node, 0, &in)) ||
      (s = pnn_tu_check_types(node, in, 0, PNN_TYPES_NUMERIC | PNN_T(BOOL))))
    return s;
  int axis;
  if ((s = one_axis(node, 1, in->rank, &axis))) return s;
  if (in->dims[axis] == 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "dim %d of input 0 (%s) is empty", axis, in->name);
  pnn_type ot = node->builtin == PNN_OP_ARG_MAX
                    ? (pnn_type)PNN_OPTS(node, arg_max)->output_type
                    : (pnn_type)PNN_OPTS(node, arg_min)->output_type;
  if (ot != PNN_TYPE_INT32 && ot != PNN_TYPE_INT64)
    ot = node->outputs[0]->type; /* option absent: trust the tensor */
  if (ot != PNN_TYPE_INT32 && ot != PNN_TYPE_INT64)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "output_type %s not supported (int32 or int64)",
                          pnn_type_name(ot));
  arg_state *st = pnn_node_alloc_persistent(node, sizeof *st);
  if (!st)
    return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY, "out of memory");
  st->axis = axis;
  node->state = st;
  int32_t dims[PNN_MAX_RANK];
  int n = 0;
  for (int i = 0; i < in->rank; i++)
    if (i != axis) dims[n++] = in->dims[i];
  return pnn_node_resize_output(node, 0, ot, dims, n);
}

/* Index of the first extreme element along the axis: a later element wins
 * only if strictly better, so ties keep the first index. */
#define ARG_LOOP(T)                                            \
  do {                                                         \
    const T *x = in->data;                                     \
    for (int64_t b = 0; b < outer; b++)                        \
      for (int64_t j = 0; j < inner; j++) {                    \
        const T *p = x + b * n * inner + j;                    \
        T best = p[0];                                         \
        int64_t bi = 0;                                        \
        for (int64_t i = 1; i < n; i++) {                      \
          T v = p[i * inner];                                  \
          if (is_max ? v > best : v < best) {                  \
            best = v;                                          \
            bi = i;                                            \
          }                                                    \
        }                                                      \
        if (out->type == PNN_TYPE_INT64)                       \
          ((int64_t *)out->data)[b * inner + j] = bi;          \
        else                                                   \
          ((int32_t *)out->data)[b * inner + j] = (int32_t)bi; \
      }                                                        \
  } while (0)

static pnn_status arg_eval(pnn_node *node) {
  const arg_state *st = node->state;
  const pnn_tensor *in = node->inputs[0];
  pnn_tensor *out = node->outputs[0];
  bool is_max = node->builtin == PNN_OP_ARG_MAX;
  int64_t outer = prod(in->dims, 0, st->axis), n = in->dims[st->axis];
  int64_t inner = prod(in->dims, st->axis + 1, in->rank);
  switch (in->type) {
    case PNN_TYPE_FLOAT32: ARG_LOOP(float); break;
    case PNN_TYPE_INT32: ARG_LOOP(int32_t); break;
    case PNN_TYPE_INT64: ARG_LOOP(int64_t); break;
    case PNN_TYPE_INT8: ARG_LOOP(int8_t); break;
    case PNN_TYPE_INT16: ARG_LOOP(int16_t); break;
    default: ARG_LOOP(uint8_t); break; /* uint8, bool */
  }
  return PNN_OK;
}

static const pnn_op_kernel arg_kernel = {arg_prepare, arg_eval};

/* -------------------------------------------------------------- CUMSUM */

static pnn_status cumsum_prepare(pnn_node *node) {
  pnn_tensor *in;
  pnn_status s = pnn_check_io(node, 2, 2, 1);
  if (s || (s = pnn_require_input(node, 0, &in)) ||
      (s = pnn_tu_check_types(node, in, 0,
                              PNN_T(FLOAT32) | PNN_T(INT32) | PNN_T(INT64))))
    return s;
  int axis;
  if ((s = one_axis(node, 1, in->rank, &axis))) return s;
  arg_state *st = pnn_node_alloc_persistent(node, sizeof *st);
  if (!st)
    return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY, "out of memory");
  st->axis = axis;
  node->state = st;
  return pnn_node_resize_output(node, 0, in->type, in->dims, in->rank);
}

#define CUMSUM_LOOP(T, U)                         \
  do {                                            \
    const T *x = in->data;                        \
    T *y = out->data;                             \
    for (int64_t b = 0; b < outer; b++)           \
      for (int64_t j = 0; j < inner; j++) {       \
        T acc = 0;                                \
        for (int64_t t = 0; t < n; t++) {         \
          int64_t i = o->reverse ? n - 1 - t : t; \
          int64_t at = (b * n + i) * inner + j;   \
          T v = x[at];                            \
          if (o->exclusive) y[at] = acc;          \
          acc = (T)((U)acc + (U)v);               \
          if (!o->exclusive) y[at] = acc;         \
        }                                         \
      }                                           \
  } while (0)

static pnn_status cumsum_eval(pnn_node *node) {
  const arg_state *st = node->state;
  const pnn_cumsum_options *o = PNN_OPTS(node, cumsum);
  const pnn_tensor *in = node->inputs[0];
  pnn_tensor *out = node->outputs[0];
  int64_t outer = prod(in->dims, 0, st->axis), n = in->dims[st->axis];
  int64_t inner = prod(in->dims, st->axis + 1, in->rank);
  switch (in->type) {
    case PNN_TYPE_FLOAT32: CUMSUM_LOOP(float, float); break;
    case PNN_TYPE_INT32: CUMSUM_LOOP(int32_t, uint32_t); break;
    default: CUMSUM_LOOP(int64_t, uint64_t); break;
  }
  return PNN_OK;
}

static const pnn_op_kernel cumsum_kernel = {cumsum_prepare, cumsum_eval};

/* ---------------------------------------------- UNSORTED_SEGMENT_* */

/* out[id, ...] = reduction of data[i, ...] over the i whose segment id is
 * `id`. Ids are data: negative ids are skipped, ids >= num_segments are an
 * eval-time error (as in TFLite). */
static pnn_status segment_prepare(pnn_node *node) {
  pnn_tensor *data, *ids, *num_t;
  pnn_status s = pnn_check_io(node, 3, 3, 1);
  if (s || (s = pnn_require_input(node, 0, &data)) ||
      (s = pnn_require_input(node, 1, &ids)) ||
      (s = pnn_require_input(node, 2, &num_t)) ||
      (s = pnn_tu_check_types(node, data, 0,
                              PNN_T(FLOAT32) | PNN_T(INT32) | PNN_T(INT64))) ||
      (s = pnn_check_type(node, ids, 1, PNN_TYPE_INT32)))
    return s;
  int64_t num[1];
  int n;
  if ((s = pnn_tu_const_ints(node, num_t, 2, "num_segments", num, 1, &n)))
    return s;
  if (n != 1 || num[0] < 0 || num[0] > INT32_MAX)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "num_segments must be one value >= 0");
  bool prefix = ids->rank <= data->rank;
  for (int i = 0; prefix && i < ids->rank; i++)
    prefix = ids->dims[i] == data->dims[i];
  if (!prefix)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 1 (%s, segment_ids) shape must be a prefix "
                          "of input 0's",
                          ids->name);
  int32_t dims[PNN_MAX_RANK];
  int nd = 0;
  dims[nd++] = (int32_t)num[0];
  for (int i = ids->rank; i < data->rank; i++) dims[nd++] = data->dims[i];
  if (nd > PNN_MAX_RANK || pnn_dims_count(dims, nd) < 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "output shape invalid");
  return pnn_node_resize_output(node, 0, data->type, dims, nd);
}

#define SEGMENT_LOOP(T, U, init, COMBINE)                               \
  do {                                                                  \
    T *o = out->data;                                                   \
    const T *x = data->data;                                            \
    FILL(T, o, pnn_tensor_count(out), init);                            \
    for (int64_t i = 0; i < n_ids; i++) {                               \
      int32_t id = ((const int32_t *)ids->data)[i];                     \
      if (id < 0) continue;                                             \
      if (id >= num)                                                    \
        return pnn_node_error(node, PNN_ERROR_RUNTIME,                  \
                              "segment id %d >= num_segments %lld", id, \
                              (long long)num);                          \
      T *dst = o + (int64_t)id * inner;                                 \
      const T *src = x + i * inner;                                     \
      for (int64_t j = 0; j < inner; j++) {                             \
        T a = dst[j], b = src[j];                                       \
        dst[j] = COMBINE;                                               \
      }                                                                 \
    }                                                                   \
  } while (0)

#define SEGMENT_OPS(T, U, lowest, highest)                        \
  do {                                                            \
    switch (node->builtin) {                                      \
      case PNN_OP_UNSORTED_SEGMENT_SUM:                           \
        SEGMENT_LOOP(T, U, 0, (T)((U)a + (U)b));                  \
        break;                                                    \
      case PNN_OP_UNSORTED_SEGMENT_PROD:                          \
        SEGMENT_LOOP(T, U, 1, (T)((U)a * (U)b));                  \
        break;                                                    \
      case PNN_OP_UNSORTED_SEGMENT_MAX:                           \
        SEGMENT_LOOP(T, U, lowest, b > a ? b : a);                \
        break;                                                    \
      default: SEGMENT_LOOP(T, U, highest, b < a ? b : a); break; \
    }                                                             \
  } while (0)

static pnn_status segment_eval(pnn_node *node) {
  const pnn_tensor *data = node->inputs[0], *ids = node->inputs[1];
  pnn_tensor *out = node->outputs[0];
  int64_t n_ids = pnn_tensor_count(ids), num = out->dims[0];
  int64_t inner = prod(data->dims, ids->rank, data->rank);
  switch (data->type) {
    case PNN_TYPE_FLOAT32: SEGMENT_OPS(float, float, -FLT_MAX, FLT_MAX); break;
    case PNN_TYPE_INT32:
      SEGMENT_OPS(int32_t, uint32_t, INT32_MIN, INT32_MAX);
      break;
    default: SEGMENT_OPS(int64_t, uint64_t, INT64_MIN, INT64_MAX); break;
  }
  return PNN_OK;
}

static const pnn_op_kernel segment_kernel = {segment_prepare, segment_eval};

const pnn_op_entry pnn_ops_reduce[] = {
    {PNN_OP_UNSORTED_SEGMENT_SUM, &segment_kernel},
    {PNN_OP_UNSORTED_SEGMENT_PROD, &segment_kernel},
    {PNN_OP_UNSORTED_SEGMENT_MAX, &segment_kernel},
    {PNN_OP_UNSORTED_SEGMENT_MIN, &segment_kernel},
    {PNN_OP_MEAN, &reduce_kernel},
    {PNN_OP_SUM, &reduce_kernel},
    {PNN_OP_REDUCE_PROD, &reduce_kernel},
    {PNN_OP_REDUCE_MAX, &reduce_kernel},
    {PNN_OP_REDUCE_MIN, &reduce_kernel},
    {PNN_OP_REDUCE_ANY, &reduce_kernel},
    {PNN_OP_REDUCE_ALL, &reduce_kernel},
    {PNN_OP_ARG_MAX, &arg_kernel},
    {PNN_OP_ARG_MIN, &arg_kernel},
    {PNN_OP_CUMSUM, &cumsum_kernel},
    {-1, NULL},
};
