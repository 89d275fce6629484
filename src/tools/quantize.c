/* `pocketnn quantize` float modes:
 *
 *   fp16           float32 constants become float16 constants read through
 *                  a DEQUANTIZE op (as the TF converter's float16 mode).
 *   dynamic        weights of CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED
 *                  (int8, symmetric, per output channel) and BATCH_MATMUL
 *                  (int8, symmetric, per tensor): "hybrid" ops with float
 *                  activations, as the TF converter's dynamic-range mode.
 *                  float16 weights behind a DEQUANTIZE are converted too
 *                  (the DEQUANTIZE goes).
 *   round-weights  each float32 constant clustered to at most N distinct
 *                  values (1-D k-means), still float32: the file is the
 *                  same size but compresses well.
 *
 *   int8           full integer from calibrated ranges: see
 *                  quantize_int8.c and calibrate.c.
 *
 * Tensors that are not converted are listed in the report with the
 * reason. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/tensor_util.h"
#include "tools/tools.h"
#include "util/error.h"

void pnn_quantize_options_init(pnn_quantize_options *o) {
  memset(o, 0, sizeof *o);
  o->mode = PNN_QUANT_FP16;
  o->clusters = 256;
  o->bias_correction = true;
}

/* ----------------------------------------------------------------- fp16 */

static int quantize_fp16(pnn_ge_graph *g, int64_t min_elems,
                         pnn_tool_report *r) {
  int converted = 0;
  int32_t deq = -1;
  for (int32_t s = 0; s < g->n_subgraphs; s++) {
    int32_t n_tensors = g->subgraphs[s].n_tensors;
    int32_t inserted = 0;
    for (int32_t t = 0; t < n_tensors; t++) {
      pnn_ge_subgraph *sg = &g->subgraphs[s];
      const pnn_tensor_def *td = &sg->tensors[t];
      const float *v = pnn_ge_const_f32(g, td);
      if (!v || pnn_ge_use_count(sg, t) == 0) continue;
      int64_t n = pnn_ge_elems(td);
      if (n < min_elems) {
        pnn_report_add(r, "kept float32: '%s' (%lld elements < %lld)", td->name,
                       (long long)n, (long long)min_elems);
        continue;
      }
      if (pnn_ge_is_interface(g, s, t)) {
        pnn_report_add(r, "kept float32: '%s' is a subgraph input/output",
                       td->name);
        continue;
      }
      bool fits = true;
      for (int64_t i = 0; i < n && fits; i++)
        if (!(fabsf(v[i]) <= 65504.0f)) fits = false;
      if (!fits) {
        pnn_report_add(r,
                       "kept float32: '%s' has values outside the "
                       "float16 range",
                       td->name);
        continue;
      }
      uint16_t *h = malloc((size_t)n * sizeof *h + 1);
      if (!h) return -1;
      for (int64_t i = 0; i < n; i++) h[i] = pnn_tu_float_to_half(v[i]);
      int32_t b = pnn_ge_add_buffer(g, h, (size_t)n * sizeof *h);
      free(h);
      if (b < 0) return -1;
      pnn_tensor_def ht = *td;
      char name[512];
      snprintf(name, sizeof name, "%s_fp16", td->name);
      ht.name = name;
      ht.type = PNN_TYPE_FLOAT16;
      ht.buffer = (uint32_t)b;
      int32_t hi = pnn_ge_add_tensor(g, s, &ht);
      if (hi < 0) return -1;
      sg = &g->subgraphs[s];
      sg->tensors[t].buffer = 0;
      if (deq < 0) deq = pnn_ge_opcode(g, PNN_OP_DEQUANTIZE, 3);
      if (deq < 0) return -1;
      /* Ops run in order: the DEQUANTIZEs go first. */
      if (pnn_ge_insert_op(g, s, inserted, (uint32_t)deq, 1, &hi, 1, &t, NULL) <
          0)
        return -1;
      inserted++;
      converted++;
    }
  }
  pnn_report_add(r,
                 "fp16: %d float32 constants stored as float16 with "
                 "DEQUANTIZE",
                 converted);
  return converted;
}

/* -------------------------------------------------------------- dynamic */

/* Weight slot and channel axis of an op that LiteRT runs hybrid. */
static bool hybrid_op(int32_t code, int *axis) {
  switch (code) {
    case PNN_OP_CONV_2D: *axis = 0; return true;
    case PNN_OP_DEPTHWISE_CONV_2D: *axis = 3; return true;
    case PNN_OP_FULLY_CONNECTED: *axis = 0; return true;
    case PNN_OP_BATCH_MATMUL: *axis = -1; return true; /* per tensor */
    default: return false;
  }
}

/* The DEQUANTIZE op making tensor w from a float16 constant (the float16
 * weights of converted models), or -1. */
static int32_t fp16_source(const pnn_ge_graph *g, int32_t sgi, int32_t w) {
  const pnn_ge_subgraph *sg = &g->subgraphs[sgi];
  int32_t p = pnn_ge_producer(sg, w);
  if (p < 0 || pnn_ge_op_code(g, &sg->ops[p]) != PNN_OP_DEQUANTIZE ||
      sg->ops[p].inputs.count != 1 || sg->ops[p].inputs.data[0] < 0)
    return -1;
  const pnn_tensor_def *h = &sg->tensors[sg->ops[p].inputs.data[0]];
  const pnn_buffer_def *b = pnn_ge_const(g, h);
  const pnn_tensor_def *wt = &sg->tensors[w];
  if (!b || h->type != PNN_TYPE_FLOAT16 || h->sparsity ||
      wt->type != PNN_TYPE_FLOAT32 || (wt->has_quant && wt->quant.n_scale) ||
      pnn_ge_elems(h) != pnn_ge_elems(wt) ||
      b->size != (uint64_t)pnn_ge_elems(h) * 2)
    return -1;
  return p;
}

/* Float values of weights w: its float32 data, or its float16 source
 * widened into *tmp (free it). NULL if neither. */
static const float *weight_values(const pnn_ge_graph *g, int32_t sgi, int32_t w,
                                  float **tmp) {
  const pnn_ge_subgraph *sg = &g->subgraphs[sgi];
  *tmp = NULL;
  const float *v = pnn_ge_const_f32(g, &sg->tensors[w]);
  if (v) return v;
  int32_t p = fp16_source(g, sgi, w);
  if (p < 0) return NULL;
  const pnn_tensor_def *h = &sg->tensors[sg->ops[p].inputs.data[0]];
  const uint8_t *hb = pnn_ge_const(g, h)->data;
  int64_t n = pnn_ge_elems(h);
  *tmp = malloc((size_t)n * sizeof **tmp + 1);
  if (!*tmp) return NULL;
  for (int64_t i = 0; i < n; i++) {
    uint16_t x;
    memcpy(&x, hb + 2 * i, 2);
    (*tmp)[i] = pnn_tu_half_to_float(x);
  }
  return *tmp;
}

/* Why the weights of op cannot be made int8, or NULL. */
static const char *dynamic_blocker(const pnn_ge_graph *g, int32_t sgi,
                                   const pnn_op_def *op, int64_t min_elems) {
  const pnn_ge_subgraph *sg = &g->subgraphs[sgi];
  if (op->inputs.count < 2 || op->inputs.data[0] < 0 || op->inputs.data[1] < 0)
    return "missing inputs";
  if (sg->tensors[op->inputs.data[0]].type != PNN_TYPE_FLOAT32)
    return "its input is not float32";
  int32_t w = op->inputs.data[1];
  const pnn_tensor_def *wt = &sg->tensors[w];
  if (wt->type == PNN_TYPE_INT8) return "weights are already int8";
  if (!pnn_ge_const_f32(g, wt) && fp16_source(g, sgi, w) < 0)
    return "weights are not a float32 (or float16) constant";
  if (pnn_ge_elems(wt) < min_elems)
    return "weights are small (fewer elements than --min-elements)";
  if (pnn_ge_is_interface(g, sgi, w)) return "weights are a graph input/output";
  /* Every reader must be a hybrid op reading it as weights. */
  for (int32_t i = 0; i < sg->n_ops; i++) {
    const pnn_op_def *o = &sg->ops[i];
    int axis;
    for (int32_t k = 0; k < o->inputs.count; k++)
      if (o->inputs.data[k] == w &&
          (k != 1 || !hybrid_op(pnn_ge_op_code(g, o), &axis)))
        return "weights are shared with a float op";
  }
  return NULL;
}

static bool quantize_weights_int8(pnn_ge_graph *g, int32_t sgi, int32_t w,
                                  int axis, float *max_err) {
  pnn_tensor_def *wt = &g->subgraphs[sgi].tensors[w];
  float *tmp;
  const float *v = weight_values(g, sgi, w, &tmp);
  if (!v) return false;
  int64_t n = pnn_ge_elems(wt);
  int32_t nch = axis < 0 ? 1 : wt->shape[axis];
  int64_t inner = 1;
  for (int32_t d = axis + 1; axis >= 0 && d < wt->rank; d++)
    inner *= wt->shape[d];
  float *scale = pnn_pool_calloc(&g->pool, (size_t)nch, sizeof *scale);
  int64_t *zp = pnn_pool_calloc(&g->pool, (size_t)nch, sizeof *zp);
  int8_t *q = malloc((size_t)n + 1);
  if (!scale || !zp || !q) {
    free(q);
    free(tmp);
    return false;
  }
  /* Channel of flat index e along `axis`. */
#define CH(e) (axis < 0 ? 0 : (int32_t)(((e) / inner) % nch))
  for (int64_t e = 0; e < n; e++) {
    float a = fabsf(v[e]);
    if (a > scale[CH(e)]) scale[CH(e)] = a;
  }
  for (int32_t c = 0; c < nch; c++)
    scale[c] = scale[c] > 0 ? scale[c] / 127.0f : 1.0f;
  for (int64_t e = 0; e < n; e++) {
    float x = roundf(v[e] / scale[CH(e)]);
    if (x > 127) x = 127;
    if (x < -127) x = -127;
    q[e] = (int8_t)x;
    float d = fabsf(x * scale[CH(e)] - v[e]);
    if (d > *max_err) *max_err = d;
  }
#undef CH
  free(tmp);
  int32_t b = pnn_ge_add_buffer(g, q, (size_t)n);
  free(q);
  if (b < 0) return false;
  wt = &g->subgraphs[sgi].tensors[w];
  wt->type = PNN_TYPE_INT8;
  wt->buffer = (uint32_t)b;
  wt->has_quant = true;
  memset(&wt->quant, 0, sizeof wt->quant);
  wt->quant.n_scale = wt->quant.n_zero_point = nch;
  wt->quant.scale = scale;
  wt->quant.zero_point = zp;
  wt->quant.quantized_dimension = axis < 0 ? 0 : axis;
  return true;
}

static const char *op_label(const pnn_ge_graph *g, const pnn_op_def *op) {
  int32_t code = pnn_ge_op_code(g, op);
  const char *n = code >= 0 ? pnn_builtin_name(code) : NULL;
  return n ? n : "custom op";
}

static int quantize_dynamic(pnn_ge_graph *g, int64_t min_elems,
                            pnn_tool_report *r) {
  int converted = 0;
  for (int32_t s = 0; s < g->n_subgraphs; s++) {
    pnn_ge_subgraph *sg = &g->subgraphs[s];
    for (int32_t i = 0; i < sg->n_ops; i++) {
      const pnn_op_def *op = &sg->ops[i];
      int axis;
      if (!hybrid_op(pnn_ge_op_code(g, op), &axis)) continue;
      const char *why = dynamic_blocker(g, s, op, min_elems);
      if (why) {
        if (strcmp(why, "weights are already int8"))
          pnn_report_add(r, "kept float: %s (op %d of subgraph %d): %s",
                         op_label(g, op), i, s, why);
        continue;
      }
      int32_t w = op->inputs.data[1];
      int32_t deq =
          pnn_ge_const_f32(g, &sg->tensors[w]) ? -1 : fp16_source(g, s, w);
      float max_err = 0;
      if (!quantize_weights_int8(g, s, w, axis, &max_err)) return -1;
      pnn_report_add(r, "int8: %s (op %d) weights '%s'%s %s, max |error| %.3g",
                     op_label(g, op), i, sg->tensors[w].name,
                     deq >= 0 ? " (from float16)" : "",
                     axis < 0 ? "per tensor" : "per channel", (double)max_err);
      if (deq >= 0) {
        /* The weights are a constant now: their DEQUANTIZE goes. */
        pnn_ge_remove_op(sg, deq);
        if (deq < i) i--;
      }
      converted++;
    }
  }
  pnn_report_add(r,
                 "dynamic: %d weight tensors stored as int8 (hybrid ops, "
                 "float activations)",
                 converted);
  return converted;
}

/* -------------------------------------------------------- round weights */

static int cmp_float(const void *a, const void *b) {
  float x = *(const float *)a, y = *(const float *)b;
  return (x > y) - (x < y);
}

/* First index in sorted v[0..n) with v[i] > x. */
static int64_t upper_bound(const float *v, int64_t n, double x) {
  int64_t lo = 0, hi = n;
  while (lo < hi) {
    int64_t mid = lo + (hi - lo) / 2;
    if ((double)v[mid] > x)
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo;
}

/* 1-D k-means (Lloyd) on sorted values with prefix sums: each iteration
 * is O(k log n). Centroids start at evenly spaced ranks. Returns the
 * number of centroids (<= k), sorted, in c. */
static int kmeans_1d(const float *sorted, int64_t n, int k, float *c,
                     double *prefix) {
  prefix[0] = 0;
  for (int64_t i = 0; i < n; i++) prefix[i + 1] = prefix[i] + sorted[i];
  int m = 0;
  for (int j = 0; j < k; j++) {
    float v = sorted[(int64_t)(((double)j + 0.5) * (double)n / k)];
    if (m == 0 || v != c[m - 1]) c[m++] = v;
  }
  for (int it = 0; it < 12; it++) {
    int64_t start = 0;
    int nm = 0;
    for (int j = 0; j < m; j++) {
      int64_t end =
          j + 1 < m
              ? upper_bound(sorted, n, 0.5 * ((double)c[j] + (double)c[j + 1]))
              : n;
      if (end > start) {
        float mean =
            (float)((prefix[end] - prefix[start]) / (double)(end - start));
        if (nm == 0 || mean != c[nm - 1]) c[nm++] = mean;
      }
      start = end > start ? end : start;
    }
    bool same = nm == m;
    m = nm;
    if (same && it > 3) break;
  }
  return m;
}

static int round_weights(pnn_ge_graph *g, int clusters, int64_t min_elems,
                         pnn_tool_report *r) {
  int converted = 0;
  for (int32_t s = 0; s < g->n_subgraphs; s++) {
    pnn_ge_subgraph *sg = &g->subgraphs[s];
    for (int32_t t = 0; t < sg->n_tensors; t++) {
      const pnn_tensor_def *td = &sg->tensors[t];
      const float *v = pnn_ge_const_f32(g, td);
      int64_t n = pnn_ge_elems(td);
      if (!v || n < min_elems || n <= clusters) continue;
      bool finite = true;
      for (int64_t i = 0; i < n && finite; i++) finite = isfinite(v[i]);
      if (!finite) {
        pnn_report_add(r, "kept: '%s' has non-finite values", td->name);
        continue;
      }
      float *sorted = malloc((size_t)n * sizeof *sorted);
      double *prefix = malloc(((size_t)n + 1) * sizeof *prefix);
      float *c = malloc((size_t)clusters * sizeof *c);
      float *out = malloc((size_t)n * sizeof *out);
      if (!sorted || !prefix || !c || !out) {
        free(sorted), free(prefix), free(c), free(out);
        return -1;
      }
      memcpy(sorted, v, (size_t)n * sizeof *sorted);
      qsort(sorted, (size_t)n, sizeof *sorted, cmp_float);
      int64_t distinct = 1;
      for (int64_t i = 1; i < n; i++) distinct += sorted[i] != sorted[i - 1];
      int m =
          distinct > clusters ? kmeans_1d(sorted, n, clusters, c, prefix) : 0;
      double max_err = 0;
      for (int64_t i = 0; m && i < n; i++) {
        /* Nearest centroid by binary search over the sorted centroids. */
        int lo = 0, hi = m - 1;
        while (lo < hi) {
          int mid = (lo + hi) / 2;
          if ((double)v[i] > 0.5 * ((double)c[mid] + (double)c[mid + 1]))
            lo = mid + 1;
          else
            hi = mid;
        }
        out[i] = c[lo];
        double d = fabs((double)out[i] - (double)v[i]);
        if (d > max_err) max_err = d;
      }
      int32_t b = m ? pnn_ge_add_buffer(g, out, (size_t)n * sizeof *out) : 0;
      free(sorted), free(prefix), free(c), free(out);
      if (!m) continue;
      if (b < 0) return -1;
      g->subgraphs[s].tensors[t].buffer = (uint32_t)b;
      pnn_report_add(r,
                     "round-weights: '%s' %lld distinct values -> %d, max "
                     "|change| %.3g",
                     g->subgraphs[s].tensors[t].name, (long long)distinct, m,
                     max_err);
      converted++;
    }
  }
  pnn_report_add(r,
                 "round-weights: %d float32 constants clustered to <= %d "
                 "values",
                 converted, clusters);
  return converted;
}

pnn_status pnn_quantize(const pnn_model *in, const pnn_quantize_options *o,
                        uint8_t **out, size_t *out_size,
                        pnn_tool_report *report, char *err, size_t err_size) {
  if (out) *out = NULL;
  if (!in || !o || !out || !out_size) {
    pnn_set_err(err, err_size, "quantize: NULL argument");
    return PNN_ERROR_INVALID_ARGUMENT;
  }
  if (o->mode == PNN_QUANT_ROUND_WEIGHTS &&
      (o->clusters < 2 || o->clusters > 65536)) {
    pnn_set_err(err, err_size,
                "quantize: --clusters must be in [2, 65536], got %d",
                o->clusters);
    return PNN_ERROR_INVALID_ARGUMENT;
  }
  pnn_ge_graph g;
  if (pnn_ge_init(&g, &in->def) != PNN_OK) {
    pnn_set_err(err, err_size, "quantize: out of memory");
    return PNN_ERROR_OUT_OF_MEMORY;
  }
  int n;
  switch (o->mode) {
    case PNN_QUANT_FP16:
      n = quantize_fp16(&g, o->min_elements ? o->min_elements : 16, report);
      break;
    case PNN_QUANT_DYNAMIC:
      n = quantize_dynamic(&g, o->min_elements ? o->min_elements : 1024,
                           report);
      break;
    case PNN_QUANT_ROUND_WEIGHTS:
      n = round_weights(&g, o->clusters, o->min_elements ? o->min_elements : 1,
                        report);
      break;
    case PNN_QUANT_INT8: /* src/tools/quantize_int8.c */
    case PNN_QUANT_16X8:
      n = pnn_quantize_int8(&g, o, report, err, err_size);
      if (n < 0) {
        pnn_ge_free(&g);
        return PNN_ERROR_INVALID_ARGUMENT;
      }
      break;
    default:
      pnn_ge_free(&g);
      pnn_set_err(err, err_size, "quantize: unknown mode %d", (int)o->mode);
      return PNN_ERROR_INVALID_ARGUMENT;
  }
  pnn_status st = PNN_ERROR_OUT_OF_MEMORY;
  if (n < 0) {
    pnn_set_err(err, err_size, "quantize: out of memory");
  } else if (!pnn_ge_compact(&g, NULL)) {
    pnn_set_err(err, err_size, "quantize: out of memory");
  } else {
    st = pnn_tool_finish(&g, out, out_size, err, err_size);
  }
  pnn_ge_free(&g);
  return st;
}
