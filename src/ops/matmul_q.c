/* Quantized FULLY_CONNECTED and BATCH_MATMUL (see nn_quant.h for the
 * kinds), bit-exact with TFLite's reference integer kernels:
 *   acc = sum (w - w_zp) * (x - x_zp) + bias
 *   out = clamp(out_zp + acc * M_c, act_lo, act_hi)
 * FULLY_CONNECTED weights may be per-tensor or per-channel (axis 0); its
 * acc * M_c is LiteRT's reference FC one: round((double)acc * S_c) with
 * S_c = s_in * s_w[c] / s_out in double (pnn_qm_scale_round), for every
 * integer kind and in the packed GEMM's output stage (dscale). BATCH_MATMUL
 * uses TFLite's fixed-point MultiplyByQuantizedMultiplier.
 *
 * Hybrid (float input, int8 weights): every input row (depth values) is
 * quantized on the fly, symmetric, or asymmetric when the op's
 * asymmetric_quantize_inputs is set, as TFLite does; then
 *   out = act(bias + acc * (s_x[row] * s_w[c])). */
#include <string.h>

#include "kernels/qs8_gemm.h"
#include "kernels/s8_dot.h"
#include "ops/bmm_geom.h"
#include "ops/nn_quant.h"
#include "ops/quant_math.h"

static pnn_status oom(pnn_node *node) {
  return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY,
                        "out of memory for op state");
}

static int32_t ld_in(int kind, const void *p, int64_t i) {
  switch (kind) {
    case QK_UINT8: return ((const uint8_t *)p)[i];
    case QK_INT16: return ((const int16_t *)p)[i];
    default: return ((const int8_t *)p)[i];
  }
}

static void st_out(int kind, void *p, int64_t i, int32_t v) {
  switch (kind) {
    case QK_UINT8: ((uint8_t *)p)[i] = (uint8_t)v; break;
    case QK_INT16: ((int16_t *)p)[i] = (int16_t)v; break;
    default: ((int8_t *)p)[i] = (int8_t)v; break;
  }
}

/* ------------------------------------------------------ FULLY_CONNECTED */

typedef struct {
  int kind;
  int64_t batch;
  int32_t depth, units;
  int32_t in_zp, w_zp, out_zp, lo, hi;
  int32_t *mult;
  int *shift;
  /* Integer kinds: LiteRT's reference FULLY_CONNECTED scales each
   * accumulator once in double, round(acc * scale[u]) (pnn_qm_scale_round),
   * not with the fixed-point multiplier of its convolutions: the doubly
   * rounded multiply misses one of EfficientNetB0's and NASNetMobile's
   * 1000 int8 logits against BUILTIN_REF. mult/shift stay for the range
   * check of pnn_qm_conv_multipliers. */
  double *scale;
  float *w_scale; /* hybrid */
  int act;        /* hybrid */
  bool asym;      /* hybrid */
  /* int8 input and symmetric constant int8 weights (int8, hybrid): row
   * sums of the weights, so acc = dot(x, w) - zp * rowsum (exact) runs on
   * the vectorized dots kernel. */
  int32_t *rowsum;
  pnn_s8_dots_fn dots;
  /* int8 kind with those weights and a constant bias: the packed GEMM. */
  pnn_qs8_gemm *qg;
} qfc;

typedef struct {
  const qfc *q;
  const void *in, *w, *bias;
  bool bias64;
  void *out;
  const int8_t *qin;
  const float *sf;
  const int32_t *zp;
} qfc_job;

#define FC_BLOCK 256

/* fc_rows for the rowsum case: the same sums, blocks of units at a time. */
static void fc_rows_s8(void *arg, int64_t begin, int64_t end) {
  const qfc_job *j = arg;
  const qfc *q = j->q;
  const bool hybrid = q->kind == QK_HYBRID;
  const int8_t *in = hybrid ? j->qin : (const int8_t *)j->in;
  const int8_t *w = j->w;
  int32_t acc[FC_BLOCK];
  for (int64_t b = begin; b < end; b++) {
    const int8_t *x = in + b * q->depth;
    const int32_t zp = hybrid ? j->zp[b] : q->in_zp;
    for (int32_t u0 = 0; u0 < q->units; u0 += FC_BLOCK) {
      int32_t n = q->units - u0 < FC_BLOCK ? q->units - u0 : FC_BLOCK;
      memset(acc, 0, sizeof(int32_t) * (size_t)n);
      q->dots(x, w + (int64_t)u0 * q->depth, (size_t)q->depth, (size_t)n,
              (size_t)q->depth, acc);
      for (int32_t i = 0; i < n; i++) {
        const int32_t u = u0 + i;
        int32_t a = pnn_qm_wrap_add32(
            acc[i], (int32_t)(0u - (uint32_t)zp * (uint32_t)q->rowsum[u]));
        if (hybrid) {
          float v = (float)a * (j->sf[b] * q->w_scale[u]);
          if (j->bias) v = ((const float *)j->bias)[u] + v;
          ((float *)j->out)[b * q->units + u] = pnn_apply_activation(q->act, v);
        } else {
          if (j->bias) a = pnn_qm_wrap_add32(a, ((const int32_t *)j->bias)[u]);
          int32_t v = pnn_qm_scale_round(a, q->scale[u]);
          ((int8_t *)j->out)[b * q->units + u] =
              (int8_t)pnn_qm_clamp_add(v, q->out_zp, q->lo, q->hi);
        }
      }
    }
  }
}

/* q->qg over rows [begin, end) of the batch, every unit. */
static void fc_qs8_rows(void *arg, int64_t begin, int64_t end) {
  const qfc_job *j = arg;
  const size_t d = (size_t)j->q->depth, u = (size_t)j->q->units;
  pnn_qs8_gemm_run(j->q->qg, (const int8_t *)j->in + begin * (int64_t)d, d,
                   (size_t)(end - begin), (int8_t *)j->out + begin * (int64_t)u,
                   u);
}

/* q->qg over panel groups [begin, end) (4 panels = 64 units each), every
 * row: small batches split their units across threads instead. */
static void fc_qs8_units(void *arg, int64_t begin, int64_t end) {
  const qfc_job *j = arg;
  const size_t np = pnn_qs8_gemm_panels(j->q->qg);
  const size_t p1 = (size_t)end * 4 < np ? (size_t)end * 4 : np;
  pnn_qs8_gemm_run_panels(j->q->qg, j->in, (size_t)j->q->depth,
                          (size_t)j->q->batch, (size_t)begin * 4, p1, j->out,
                          (size_t)j->q->units);
}

static void fc_rows(void *arg, int64_t begin, int64_t end) {
  const qfc_job *j = arg;
  const qfc *q = j->q;
  const int8_t *w8 = j->w;
  const uint8_t *wu = j->w;
  for (int64_t b = begin; b < end; b++) {
    for (int32_t u = 0; u < q->units; u++) {
      const int64_t wi = (int64_t)u * q->depth, xi = b * q->depth;
      int64_t acc = 0;
      if (q->kind == QK_HYBRID) {
        const int32_t zp = j->zp[b];
        for (int32_t d = 0; d < q->depth; d++)
          acc += (int32_t)w8[wi + d] * (j->qin[xi + d] - zp);
        float v = (float)acc * (j->sf[b] * q->w_scale[u]);
        if (j->bias) v = ((const float *)j->bias)[u] + v;
        ((float *)j->out)[b * q->units + u] = pnn_apply_activation(q->act, v);
        continue;
      }
      if (q->kind == QK_UINT8) {
        for (int32_t d = 0; d < q->depth; d++)
          acc += (int64_t)(wu[wi + d] - q->w_zp) *
                 (ld_in(q->kind, j->in, xi + d) - q->in_zp);
      } else {
        for (int32_t d = 0; d < q->depth; d++)
          acc += (int64_t)(w8[wi + d] - q->w_zp) *
                 (ld_in(q->kind, j->in, xi + d) - q->in_zp);
      }
      if (j->bias)
        acc = pnn_qm_wrap_add64(acc, j->bias64 ? ((const int64_t *)j->bias)[u]
                                               : ((const int32_t *)j->bias)[u]);
      /* Every integer kind (uint8, int8, 16x8 with int32 or int64 bias):
       * LiteRT's reference rounds once, in double, on the accumulator of
       * its BiasType: int32 sums wrap; 16x8 without a bias sums in int64. */
      if (q->kind != QK_INT16 || (j->bias && !j->bias64))
        acc = (int32_t)(uint32_t)(uint64_t)acc;
      int32_t v = pnn_qm_scale_round(acc, q->scale[u]);
      st_out(q->kind, j->out, b * q->units + u,
             pnn_qm_clamp_add(v, q->out_zp, q->lo, q->hi));
    }
  }
}

pnn_status pnn_q_fc_prepare(pnn_node *node) {
  const pnn_fully_connected_options *opt = &node->options->fully_connected;
  pnn_tensor *in, *w, *out = node->outputs[0];
  pnn_status s = pnn_check_io(node, 2, 3, 1);
  if (!s) s = pnn_require_input(node, 0, &in);
  if (!s) s = pnn_require_input(node, 1, &w);
  qfc q = {0};
  if (!s) s = pnn_q_pick_kind(node, in, 0, w, &q.kind);
  if (s) return s;
  if (opt->weights_format != 0)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "weights_format %d not supported (only DEFAULT)",
                          (int)opt->weights_format);
  if (w->rank != 2 || in->rank < 1)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "weights must be 2-D (rank %d) and input rank >= 1 "
                          "(rank %d)",
                          (int)w->rank, (int)in->rank);
  q.units = w->dims[0];
  q.depth = w->dims[1];
  int64_t count = pnn_tensor_count(in);
  if (q.depth <= 0 || count < 0 || count % q.depth != 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 0 (%s): %lld elements do not split into rows "
                          "of the weights' %d input features",
                          in->name, (long long)count, (int)q.depth);
  q.batch = count / q.depth;
  s = pnn_node_check_work(node, "batch x units x input features", q.batch,
                          q.units, q.depth);
  if (s) return s;
  const pnn_tensor *bias =
      node->n_inputs > 2 && node->inputs[2] ? node->inputs[2] : NULL;
  if (bias) {
    bool ok = q.kind == QK_HYBRID  ? bias->type == PNN_TYPE_FLOAT32
              : q.kind == QK_INT16 ? (bias->type == PNN_TYPE_INT64 ||
                                      bias->type == PNN_TYPE_INT32)
                                   : bias->type == PNN_TYPE_INT32;
    if (!ok || pnn_tensor_count(bias) != q.units)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "input 2 (%s): bias must be %d values of the "
                            "type this quantized op needs, got %lld %s",
                            bias->name, (int)q.units,
                            (long long)pnn_tensor_count(bias),
                            pnn_type_name(bias->type));
  }
  s = pnn_qm_check_filter(node, w, 0, q.units, true);
  if (s) return s;
  bool per_channel = w->quant && w->quant->n_scale > 1;
  if (per_channel && q.kind == QK_UINT8)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "filter (%s): uint8 weights must be per-tensor",
                          w->name);
  q.w_zp = per_channel ? 0 : w->zero_point;
  if (q.kind == QK_HYBRID) {
    if (q.w_zp != 0)
      return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                            "filter (%s): hybrid weights must be symmetric",
                            w->name);
    if (!pnn_activation_supported(opt->fused_activation_function))
      return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                            "fused activation %d not supported",
                            (int)opt->fused_activation_function);
    q.act = opt->fused_activation_function;
    q.asym = opt->asymmetric_quantize_inputs;
    q.w_scale = pnn_node_alloc_persistent(node, sizeof(float) * q.units);
    if (!q.w_scale) return oom(node);
    for (int32_t u = 0; u < q.units; u++)
      q.w_scale[u] = pnn_qm_scale(w, per_channel ? u : 0);
    size_t bytes = (size_t)count + 16 +
                   (sizeof(float) + sizeof(int32_t)) * (size_t)q.batch;
    s = pnn_node_request_scratch(node, bytes);
  } else {
    if (q.kind == QK_INT16 && (in->zero_point != 0 || out->zero_point != 0))
      return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                            "16x8: input and output zero points must be 0");
    q.in_zp = in->zero_point;
    q.out_zp = q.kind == QK_INT16 ? 0 : out->zero_point;
    q.mult = pnn_node_alloc_persistent(node, sizeof(int32_t) * q.units);
    q.shift = pnn_node_alloc_persistent(node, sizeof(int) * q.units);
    if (!q.mult || !q.shift) return oom(node);
    s = pnn_qm_conv_multipliers(node, in, w, out, q.units, q.mult, q.shift);
    q.scale = pnn_node_alloc_persistent(node, sizeof(double) * q.units);
    if (!q.scale) return oom(node);
    if (!s) s = pnn_qm_fc_scales(node, in, w, out, q.units, q.scale);
    if (!s)
      s = pnn_qm_activation_range(node, opt->fused_activation_function, out,
                                  &q.lo, &q.hi);
  }
  if (s) return s;
  if ((q.kind == QK_INT8 || q.kind == QK_HYBRID) && q.w_zp == 0 &&
      w->is_constant && w->data && q.depth <= 65536) {
    /* int32 sums: 65536 * 128 * 128 = 2^30 */
    const int8_t *wd = w->data;
    if (q.kind == QK_INT8 && (!bias || (bias->is_constant && bias->data))) {
      q.qg = pnn_node_alloc_persistent(node, sizeof(*q.qg));
      void *mem = pnn_node_alloc_persistent(
          node, pnn_qs8_gemm_bytes((size_t)q.units, (size_t)q.depth));
      if (!q.qg || !mem) return oom(node);
      pnn_qs8_gemm_init(q.qg, pnn_isa_active(), wd, (size_t)q.depth,
                        (size_t)q.units, (size_t)q.depth,
                        bias ? bias->data : NULL, q.in_zp, q.mult, q.shift,
                        q.out_zp, q.lo, q.hi, mem);
      q.qg->dscale = q.scale; /* LiteRT's FC output stage, not mult/shift */
    } else {
      /* no packed GEMM (it folds its own sums): dots with row sums */
      q.rowsum = pnn_node_alloc_persistent(node, sizeof(int32_t) * q.units);
      if (!q.rowsum) return oom(node);
      for (int32_t u = 0; u < q.units; u++) {
        int32_t sum = 0;
        for (int32_t d = 0; d < q.depth; d++)
          sum += wd[(int64_t)u * q.depth + d];
        q.rowsum[u] = sum;
      }
      q.dots = pnn_s8_dots_pick(pnn_isa_active());
    }
  }
  int32_t dims[PNN_MAX_RANK];
  int rank;
  if (opt->keep_num_dims) {
    if (in->dims[in->rank - 1] != q.depth)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "keep_num_dims: input last dim %d differs from "
                            "weights input features %d",
                            (int)in->dims[in->rank - 1], (int)q.depth);
    rank = in->rank;
    memcpy(dims, in->dims, sizeof(int32_t) * (size_t)rank);
    dims[rank - 1] = q.units;
  } else {
    if (q.batch > INT32_MAX)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL, "batch too large");
    rank = 2;
    dims[0] = (int32_t)q.batch;
    dims[1] = q.units;
  }
  if (pnn_dims_count(dims, rank) < 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "output shape overflows");
  qfc *p = pnn_node_alloc_persistent(node, sizeof(*p));
  if (!p) return oom(node);
  *p = q;
  node->state = p;
  return pnn_node_resize_output(node, 0, out->type, dims, rank);
}

/* Quantizes `rows` rows of `depth` floats into scratch (scales, zero
 * points, values), symmetric or asymmetric. */
static void hybrid_quantize(void *scratch, const float *x, int64_t rows,
                            int32_t depth, bool asym, float **sf,
                            int32_t **zp, int8_t **q) {
  *sf = scratch;
  *zp = (int32_t *)(*sf + rows);
  *q = (int8_t *)(*zp + rows);
  for (int64_t r = 0; r < rows; r++) {
    const float *xr = x + r * depth;
    int8_t *qr = *q + r * depth;
    if (asym) {
      pnn_qm_asymmetric_quantize(xr, depth, qr, &(*sf)[r], &(*zp)[r]);
    } else {
      (*sf)[r] = pnn_qm_symmetric_quantize(xr, depth, qr);
      (*zp)[r] = 0;
    }
  }
}

pnn_status pnn_q_fc_eval(pnn_node *node) {
  const qfc *q = node->state;
  const pnn_tensor *bias =
      node->n_inputs > 2 && node->inputs[2] ? node->inputs[2] : NULL;
  qfc_job j = {.q = q,
               .in = node->inputs[0]->data,
               .w = node->inputs[1]->data,
               .bias = bias ? bias->data : NULL,
               .bias64 = bias && bias->type == PNN_TYPE_INT64,
               .out = node->outputs[0]->data};
  if (q->batch <= 0 || q->units <= 0) return PNN_OK;
  if (q->kind == QK_HYBRID) {
    float *sf;
    int32_t *zp;
    int8_t *qin;
    hybrid_quantize(node->scratch, j.in, q->batch, q->depth, q->asym, &sf, &zp,
                    &qin);
    j.sf = sf;
    j.zp = zp;
    j.qin = qin;
  }
  if (q->qg && q->batch < 32) {
    const int64_t groups = ((int64_t)pnn_qs8_gemm_panels(q->qg) + 3) / 4;
    pnn_node_parallel_for(node, groups, fc_qs8_units, &j);
    return PNN_OK;
  }
  pnn_node_parallel_for(node, q->batch,
                        q->qg       ? fc_qs8_rows
                        : q->rowsum ? fc_rows_s8
                                    : fc_rows,
                        &j);
  return PNN_OK;
}

/* --------------------------------------------------------- BATCH_MATMUL */

typedef struct {
  int kind;
  PNN_BMM_GEOM_MEMBERS; /* rank, out_dims, strides, m, k, n (bmm_geom.h) */
  int64_t lhs_mats;
  bool asym;
  int32_t a_zp, b_zp, out_zp, lo, hi, mult;
  int shift;
  float b_scale; /* hybrid */
} qbmm;

typedef struct {
  const qbmm *q;
  const void *a, *b;
  void *out;
  const int8_t *qa; /* hybrid: lhs rows quantized, [lhs_mats * m, k] */
  const float *sf;
  const int32_t *zp;
} qbmm_job;

static void bmm_rows(void *arg, int64_t begin, int64_t end) {
  const qbmm_job *j = arg;
  const qbmm *q = j->q;
  const int64_t mk = (int64_t)q->m * q->k, kn = (int64_t)q->k * q->n;
  for (int64_t row = begin; row < end; row++) {
    int64_t bi = row / q->m, r = row % q->m, lo, ro;
    pnn_bmm_offsets(&q->geom, bi, &lo, &ro);
    for (int32_t c = 0; c < q->n; c++) {
      int64_t acc = 0;
      for (int32_t t = 0; t < q->k; t++) {
        int64_t bidx = ro * kn + (q->adj_y ? (int64_t)c * q->k + t
                                           : (int64_t)t * q->n + c);
        int32_t y = ld_in(q->kind == QK_HYBRID ? QK_INT8 : q->kind, j->b, bidx);
        int32_t x;
        if (q->kind == QK_HYBRID) {
          /* rows of the (adj_x-transposed) lhs were quantized */
          x = j->qa[(lo * q->m + r) * q->k + t] - j->zp[lo * q->m + r];
        } else {
          int64_t aidx = lo * mk + (q->adj_x ? (int64_t)t * q->m + r
                                             : r * q->k + t);
          x = ld_in(q->kind, j->a, aidx) - q->a_zp;
        }
        acc += (int64_t)x * (y - q->b_zp);
      }
      int64_t o = row * q->n + c;
      if (q->kind == QK_HYBRID) {
        ((float *)j->out)[o] = (j->sf[lo * q->m + r] * q->b_scale) * (float)acc;
      } else {
        int32_t v = q->kind == QK_INT16
                        ? pnn_qm_mul_by_qm64(acc, q->mult, q->shift)
                        : pnn_qm_mul_by_qm((int32_t)acc, q->mult, q->shift);
        st_out(q->kind, j->out, o, pnn_qm_clamp_add(v, q->out_zp, q->lo, q->hi));
      }
    }
  }
}

pnn_status pnn_q_bmm_prepare(pnn_node *node) {
  const pnn_batch_matmul_options *opt = &node->options->batch_matmul;
  pnn_tensor *a, *b, *out = node->outputs[0];
  pnn_status s = pnn_check_io(node, 2, 2, 1);
  if (!s) s = pnn_require_input(node, 0, &a);
  if (!s) s = pnn_require_input(node, 1, &b);
  qbmm q = {.asym = opt->asymmetric_quantize_inputs};
  if (s) return s;
  /* 16x8 BATCH_MATMUL multiplies two int16 activations. */
  if (a->type == PNN_TYPE_INT16 && b->type == PNN_TYPE_INT16 &&
      out->type == PNN_TYPE_INT16)
    q.kind = QK_INT16;
  else if ((s = pnn_q_pick_kind(node, a, 0, b, &q.kind)))
    return s;
  if (q.kind == QK_INT16 && b->type != PNN_TYPE_INT16)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "int16 BATCH_MATMUL needs int16 operands");
  if (q.kind == QK_UINT8)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "uint8 BATCH_MATMUL not supported");
  if ((s = pnn_bmm_geom_init(node, a, b, &q.geom))) return s;
  q.lhs_mats = pnn_dims_count(a->dims, a->rank - 2);
  if ((b->quant && b->quant->n_scale > 1) || (a->quant && a->quant->n_scale > 1))
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "per-channel quantized BATCH_MATMUL operands not "
                          "supported");
  if ((s = pnn_qm_require_scale(node, b, "input 1"))) return s;
  if (q.kind == QK_HYBRID) {
    if (b->zero_point != 0)
      return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                            "input 1 (%s): hybrid weights must be symmetric",
                            b->name);
    q.b_scale = pnn_qm_scale(b, 0);
    int64_t rows = q.lhs_mats * q.m;
    size_t bytes = (size_t)(rows * q.k) + 16 + sizeof(float) * (size_t)q.k +
                   (sizeof(float) + sizeof(int32_t)) * (size_t)rows;
    s = pnn_node_request_scratch(node, bytes);
  } else {
    if (q.kind == QK_INT16 &&
        (a->zero_point || b->zero_point || out->zero_point))
      return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                            "16x8: zero points must be 0");
    q.a_zp = a->zero_point;
    q.b_zp = b->zero_point;
    q.out_zp = out->zero_point;
    s = pnn_qm_conv_multipliers(node, a, b, out, 1, &q.mult, &q.shift);
    if (!s) s = pnn_qm_activation_range(node, 0, out, &q.lo, &q.hi);
  }
  if (s) return s;
  qbmm *p = pnn_node_alloc_persistent(node, sizeof(*p));
  if (!p) return oom(node);
  *p = q;
  node->state = p;
  return pnn_node_resize_output(node, 0, out->type, q.out_dims, q.rank);
}

pnn_status pnn_q_bmm_eval(pnn_node *node) {
  const qbmm *q = node->state;
  qbmm_job j = {.q = q,
                .a = node->inputs[0]->data,
                .b = node->inputs[1]->data,
                .out = node->outputs[0]->data};
  int64_t rows = q->n_batch * q->m;
  if (q->kind == QK_HYBRID) {
    /* Gather each lhs row (of the adj_x-transposed lhs) contiguously, then
     * quantize row by row in place. */
    int64_t lrows = q->lhs_mats * q->m;
    float *tmp = node->scratch; /* one transposed lhs row */
    float *sf = tmp + q->k;
    int32_t *zp = (int32_t *)(sf + lrows);
    int8_t *qa = (int8_t *)(zp + lrows);
    const float *a = j.a;
    for (int64_t r = 0; r < lrows; r++) {
      int64_t mat = r / q->m, i = r % q->m;
      const float *base = a + mat * q->m * q->k;
      const float *row = base + i * q->k;
      if (q->adj_x) {
        for (int32_t t = 0; t < q->k; t++) tmp[t] = base[(int64_t)t * q->m + i];
        row = tmp;
      }
      if (q->asym) {
        pnn_qm_asymmetric_quantize(row, q->k, qa + r * q->k, &sf[r], &zp[r]);
      } else {
        sf[r] = pnn_qm_symmetric_quantize(row, q->k, qa + r * q->k);
        zp[r] = 0;
      }
    }
    j.qa = qa;
    j.sf = sf;
    j.zp = zp;
  }
  if (rows > 0 && q->n > 0) pnn_node_parallel_for(node, rows, bmm_rows, &j);
  return PNN_OK;
}
