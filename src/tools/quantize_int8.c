/* `pocketnn quantize --mode int8` (and 16x8: int16 activations, symmetric
 * with zero point 0, int64 bias, fixed outputs 1/32768, ADD/SUB with
 * pot_scale_int16 off, fewer ops): post-training full-integer quantization
 * following the TFLite quantization spec, from calibrated ranges
 * (src/tools/calibrate.h):
 *
 *   - weights of CONV_2D (axis 0), DEPTHWISE_CONV_2D (axis 3) and
 *     FULLY_CONNECTED (axis 0): int8 symmetric per channel (zero point 0,
 *     values in [-127, 127]);
 *   - their bias: int32, scale = input scale x weight scale, zero point 0;
 *   - activations: int8 asymmetric, range nudged to include 0;
 *   - other float constants read by int8 ops: int8 asymmetric per tensor;
 *   - fixed outputs: LOGISTIC and SOFTMAX 1/256 zp -128, TANH 1/128 zp 0;
 *   - MAX_POOL_2D, AVERAGE_POOL_2D, RESHAPE, SQUEEZE, PAD: output params =
 *     input params (TFLite requires them equal);
 *   - an op that cannot be quantized stays float, reading DEQUANTIZEd
 *     copies of int8 tensors; int8 ops read QUANTIZEd copies of its float
 *     outputs. The report says which ops and why.
 *
 * Only subgraph 0 is rewritten (the calibrated one). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/calibrate.h"
#include "tools/tools.h"
#include "tools/weight_round.h"
#include "util/error.h"

/* --weight-rounding gptq: dampening of H, times mean(diag H). */
#define WR_DAMP 0.01

enum op_kind {
  K_NONE = 0,
  K_WEIGHTED, /* conv/dw/fc: weights per channel, int32 bias */
  K_OWN,      /* own output params from calibration */
  K_SAME,     /* output params = input 0 params */
  K_FIXED,    /* fixed output params */
  K_CONCAT,   /* every input and the output share the output's params */
};

typedef struct op_info {
  int kind;
  int axis;        /* K_WEIGHTED: channel axis of the weights */
  int version;     /* opcode version needed for int8 */
  float fix_scale; /* K_FIXED */
  int fix_zp;
  int data_in;     /* the input whose params K_SAME outputs take */
} op_info;

/* 16x8 (wide): int16 activations where the runtime and LiteRT have int16
 * kernels; fixed outputs 1/32768 zero point 0. */
static op_info op_kind_wide(int32_t code) {
  op_info i = {K_NONE, 0, 1, 0, 0, 0};
  switch (code) {
    case PNN_OP_CONV_2D: i = (op_info){K_WEIGHTED, 0, 4, 0, 0, 0}; break;
    case PNN_OP_DEPTHWISE_CONV_2D: i = (op_info){K_WEIGHTED, 3, 5, 0, 0, 0}; break;
    case PNN_OP_FULLY_CONNECTED: i = (op_info){K_WEIGHTED, 0, 7, 0, 0, 0}; break;
    case PNN_OP_ADD:
    case PNN_OP_SUB:
    case PNN_OP_MUL: i = (op_info){K_OWN, 0, 3, 0, 0, 0}; break;
    case PNN_OP_MAX_POOL_2D:
    case PNN_OP_RESHAPE:
    case PNN_OP_SQUEEZE: i = (op_info){K_SAME, 0, 1, 0, 0, 0}; break;
    case PNN_OP_LOGISTIC:
    case PNN_OP_SOFTMAX:
    case PNN_OP_TANH: i = (op_info){K_FIXED, 0, 3, 1.0f / 32768.0f, 0, 0}; break;
    default: break;
  }
  return i;
}

static op_info op_kind(int32_t code, bool wide) {
  if (wide) return op_kind_wide(code);
  op_info i = {K_NONE, 0, 1, 0, 0, 0};
  switch (code) {
    case PNN_OP_CONV_2D: i = (op_info){K_WEIGHTED, 0, 3, 0, 0, 0}; break;
    case PNN_OP_DEPTHWISE_CONV_2D: i = (op_info){K_WEIGHTED, 3, 3, 0, 0, 0}; break;
    case PNN_OP_FULLY_CONNECTED: i = (op_info){K_WEIGHTED, 0, 4, 0, 0, 0}; break;
    case PNN_OP_ADD:
    case PNN_OP_MUL:
    case PNN_OP_SUB:
    case PNN_OP_MEAN:
    case PNN_OP_HARD_SWISH:
    case PNN_OP_RELU:
    case PNN_OP_RELU6: i = (op_info){K_OWN, 0, 2, 0, 0, 0}; break;
    case PNN_OP_MAX_POOL_2D:
    case PNN_OP_AVERAGE_POOL_2D:
    case PNN_OP_PAD: i = (op_info){K_SAME, 0, 2, 0, 0, 0}; break;
    case PNN_OP_RESHAPE:
    case PNN_OP_SQUEEZE:
    case PNN_OP_EXPAND_DIMS: i = (op_info){K_SAME, 0, 1, 0, 0, 0}; break;
    /* data movement: the int8 kernels move raw values, so the output
     * keeps the input's params (LiteRT requires them equal) */
    case PNN_OP_TRANSPOSE:
    case PNN_OP_STRIDED_SLICE:
    case PNN_OP_SLICE:
    case PNN_OP_GATHER:
    case PNN_OP_SPACE_TO_DEPTH:
    case PNN_OP_DEPTH_TO_SPACE:
    case PNN_OP_BATCH_TO_SPACE_ND:
    case PNN_OP_SPACE_TO_BATCH_ND:
    case PNN_OP_SPLIT_V:
    case PNN_OP_UNPACK:
    case PNN_OP_RESIZE_NEAREST_NEIGHBOR:
    case PNN_OP_RESIZE_BILINEAR: i = (op_info){K_SAME, 0, 2, 0, 0, 0}; break;
    case PNN_OP_SPLIT: i = (op_info){K_SAME, 0, 2, 0, 0, 1}; break;
    case PNN_OP_CONCATENATION:
    case PNN_OP_PACK:
    case PNN_OP_MAXIMUM:
    case PNN_OP_MINIMUM: i = (op_info){K_CONCAT, 0, 2, 0, 0, 0}; break;
    case PNN_OP_BATCH_MATMUL:
    case PNN_OP_LEAKY_RELU: i = (op_info){K_OWN, 0, 2, 0, 0, 0}; break;
    case PNN_OP_LOGISTIC:
    case PNN_OP_SOFTMAX:
      i = (op_info){K_FIXED, 0, 2, 1.0f / 256.0f, -128, 0};
      break;
    case PNN_OP_LOG_SOFTMAX:
      i = (op_info){K_FIXED, 0, 2, 16.0f / 256.0f, 127, 0};
      break;
    case PNN_OP_TANH: i = (op_info){K_FIXED, 0, 2, 1.0f / 128.0f, 0, 0}; break;
    default: break;
  }
  return i;
}

typedef struct qparam {
  float scale;
  int32_t zp;
} qparam;

/* int8 asymmetric params for [lo, hi], nudged to include 0 (TFLite's
 * ChooseQuantizationParams). */
static qparam range_params(float lo, float hi, bool wide) {
  if (wide) { /* int16: symmetric, zero point 0 */
    double a = fabs((double)lo) > fabs((double)hi) ? fabs((double)lo)
                                                   : fabs((double)hi);
    qparam p = {a > 1e-30 ? (float)(a / 32767.0) : 1.0f / 32768.0f, 0};
    return p;
  }
  double mn = lo < 0 ? lo : 0, mx = hi > 0 ? hi : 0;
  qparam p;
  if (mx - mn < 1e-30) {
    p.scale = 1.0f / 255.0f; /* all zeros: any scale represents them */
    p.zp = -128;
    return p;
  }
  double scale = (mx - mn) / 255.0;
  double zp = -128.0 - mn / scale;
  if (zp < -128) zp = -128;
  if (zp > 127) zp = 127;
  p.scale = (float)scale;
  p.zp = (int32_t)lround(zp);
  return p;
}

/* An activation: float32, no constant data. */
static bool is_act(const pnn_ge_graph *g, const pnn_tensor_def *t) {
  return t->type == PNN_TYPE_FLOAT32 && !pnn_ge_const(g, t) && !t->is_variable;
}

static bool set_quant(pnn_ge_graph *g, pnn_tensor_def *t, int n,
                      const float *scale, const int32_t *zp, int axis) {
  float *s = pnn_pool_calloc(&g->pool, (size_t)n, sizeof *s);
  int64_t *z = pnn_pool_calloc(&g->pool, (size_t)n, sizeof *z);
  if (!s || !z) return false;
  for (int i = 0; i < n; i++) {
    s[i] = scale[i];
    z[i] = zp ? zp[i] : 0;
  }
  t->has_quant = true;
  memset(&t->quant, 0, sizeof t->quant);
  t->quant.n_scale = t->quant.n_zero_point = n;
  t->quant.scale = s;
  t->quant.zero_point = z;
  t->quant.quantized_dimension = axis;
  return true;
}

/* Adds a copy of tensor t of subgraph 0 with type `type`, params p (NULL:
 * none), buffer `buf`, name t.name + suffix. Returns its index or -1. */
static int32_t add_twin(pnn_ge_graph *g, int32_t t, pnn_type type,
                        const qparam *p, uint32_t buf, const char *suffix) {
  pnn_tensor_def d = g->subgraphs[0].tensors[t];
  char name[600];
  snprintf(name, sizeof name, "%s%s", d.name, suffix);
  d.name = name;
  d.type = type;
  d.buffer = buf;
  d.has_quant = false;
  d.is_variable = false;
  memset(&d.quant, 0, sizeof d.quant);
  if (p && !set_quant(g, &d, 1, &p->scale, &p->zp, 0)) return -1;
  return pnn_ge_add_tensor(g, 0, &d);
}

/* For a CONV_2D / DEPTHWISE_CONV_2D: the fraction of output positions at
 * which each filter tap (kh, kw) reads inside the input rather than the
 * zero padding (SAME padding at small spatial sizes leaves many taps on
 * padding). NULL (all taps inside) for other ops or unknown shapes. */
typedef struct tap_geom {
  int32_t kh, kw;
  double *frac; /* [kh * kw] */
} tap_geom;

static double axis_frac(int32_t in, int32_t out, int32_t k, int32_t stride,
                        int32_t dil, bool same, int32_t tap) {
  int64_t total = (int64_t)(out - 1) * stride + (int64_t)(k - 1) * dil + 1 - in;
  int64_t pad = same && total > 0 ? total / 2 : 0;
  int64_t inside = 0;
  for (int32_t o = 0; o < out; o++) {
    int64_t i = (int64_t)o * stride - pad + (int64_t)tap * dil;
    inside += i >= 0 && i < in;
  }
  return out > 0 ? (double)inside / out : 1.0;
}

static bool tap_geom_make(const pnn_ge_graph *g, const pnn_op_def *op,
                          int32_t code, tap_geom *tg) {
  tg->frac = NULL;
  const pnn_tensor_def *T = g->subgraphs[0].tensors;
  if (code != PNN_OP_CONV_2D && code != PNN_OP_DEPTHWISE_CONV_2D) return false;
  if (op->inputs.count < 2 || op->outputs.count < 1 || op->inputs.data[0] < 0 ||
      op->inputs.data[1] < 0 || op->outputs.data[0] < 0)
    return false;
  const pnn_tensor_def *x = &T[op->inputs.data[0]], *w = &T[op->inputs.data[1]],
                       *y = &T[op->outputs.data[0]];
  if (x->rank != 4 || w->rank != 4 || y->rank != 4) return false;
  int32_t sh, sw, dh, dw, pad;
  if (code == PNN_OP_CONV_2D) {
    const pnn_conv2d_options *o = &op->options.conv2d;
    sh = o->stride_h, sw = o->stride_w, dh = o->dilation_h_factor,
    dw = o->dilation_w_factor, pad = o->padding;
  } else {
    const pnn_depthwise_conv2d_options *o = &op->options.depthwise_conv2d;
    sh = o->stride_h, sw = o->stride_w, dh = o->dilation_h_factor,
    dw = o->dilation_w_factor, pad = o->padding;
  }
  if (sh < 1 || sw < 1 || dh < 1 || dw < 1) return false;
  tg->kh = w->shape[1];
  tg->kw = w->shape[2];
  if (tg->kh < 1 || tg->kw < 1 || (int64_t)tg->kh * tg->kw > 1 << 20)
    return false;
  tg->frac = malloc((size_t)tg->kh * (size_t)tg->kw * sizeof *tg->frac);
  if (!tg->frac) return false;
  bool same = pad == PNN_PADDING_SAME;
  for (int32_t a = 0; a < tg->kh; a++)
    for (int32_t b = 0; b < tg->kw; b++)
      tg->frac[a * tg->kw + b] =
          axis_frac(x->shape[1], y->shape[1], tg->kh, sh, dh, same, a) *
          axis_frac(x->shape[2], y->shape[2], tg->kw, sw, dw, same, b);
  return true;
}

/* Mean error per output channel that rounding the weights causes on an
 * input whose channels (last axis) have the calibrated means in_mean:
 * corr[c] = sum over the weights of channel c of (w_q - w) * mean(input
 * channel the weight reads). CONV_2D [O, KH, KW, I] (grouped: input
 * channel g * I + i), DEPTHWISE_CONV_2D [1, KH, KW, C * M] (input channel
 * c / M), FULLY_CONNECTED [O, I]. Returns NULL when the input's channels
 * do not match the weights. */
static double *weight_error_mean(const pnn_tensor_def *wt, const float *v,
                                 const int8_t *q, const float *scale, int axis,
                                 const double *in_mean, int32_t in_nch,
                                 const tap_geom *tg) {
  if (!in_mean || in_nch < 1 || wt->rank < 2) return NULL;
  int64_t n = pnn_ge_elems(wt);
  int32_t nch = wt->shape[axis], last = wt->shape[wt->rank - 1];
  if (nch < 1 || last < 1) return NULL;
  double *corr = calloc((size_t)nch, sizeof *corr);
  if (!corr) return NULL;
  bool ok = true;
  if (axis == 0) { /* CONV_2D / FULLY_CONNECTED: [O, ..., I] */
    int32_t groups = in_nch % last == 0 ? in_nch / last : 0;
    if (groups < 1 || nch % groups) ok = false;
    int64_t per = n / nch;
    for (int64_t e = 0; ok && e < n; e++) {
      int32_t o = (int32_t)(e / per), i = (int32_t)(e % last);
      int32_t ch = (o / (nch / groups)) * last + i;
      double f = 1.0;
      if (tg && tg->frac && wt->rank == 4) /* [O, KH, KW, I] */
        f = tg->frac[((e / last) / wt->shape[2] % wt->shape[1]) * tg->kw +
                     (e / last) % wt->shape[2]];
      corr[o] += ((double)q[e] * scale[o] - v[e]) * in_mean[ch] * f;
    }
  } else { /* DEPTHWISE_CONV_2D: [1, KH, KW, C * M], axis 3 */
    if (axis != wt->rank - 1 || nch % in_nch) ok = false;
    int32_t mult = ok ? nch / in_nch : 1;
    for (int64_t e = 0; ok && e < n; e++) {
      int32_t c = (int32_t)(e % nch);
      double f = 1.0;
      if (tg && tg->frac && wt->rank == 4) /* [1, KH, KW, C] */
        f = tg->frac[((e / nch) / wt->shape[2] % wt->shape[1]) * tg->kw +
                     (e / nch) % wt->shape[2]];
      corr[c] += ((double)q[e] * scale[c] - v[e]) * in_mean[c / mult] * f;
    }
  }
  if (!ok) {
    free(corr);
    return NULL;
  }
  return corr;
}

/* Weights: int8 symmetric per channel along axis. With in_mean, *corr_out
 * gets the weight rounding's mean output error per channel (or NULL). */
static int32_t quant_weights(pnn_ge_graph *g, int32_t w, int axis,
                             float **scales_out, int *nch_out,
                             const double *in_mean, int32_t in_nch,
                             const tap_geom *tg, const pnn_wr_hessian *hs,
                             int *n_gptq, double **corr_out) {
  *corr_out = NULL;
  const pnn_tensor_def *wt = &g->subgraphs[0].tensors[w];
  const float *v = pnn_ge_const_f32(g, wt);
  if (!v || axis >= wt->rank) return -1;
  int64_t n = pnn_ge_elems(wt);
  int32_t nch = wt->shape[axis];
  int64_t inner = 1;
  for (int32_t d = axis + 1; d < wt->rank; d++) inner *= wt->shape[d];
  float *scale = calloc((size_t)nch + 1, sizeof *scale);
  int8_t *q = malloc((size_t)n + 1);
  if (!scale || !q) {
    free(scale), free(q);
    return -1;
  }
  for (int64_t e = 0; e < n; e++) {
    int32_t c = (int32_t)((e / inner) % nch);
    float a = fabsf(v[e]);
    if (a > scale[c]) scale[c] = a;
  }
  for (int32_t c = 0; c < nch; c++)
    scale[c] = scale[c] > 0 ? scale[c] / 127.0f : 1.0f;
  for (int64_t e = 0; e < n; e++) {
    float x = roundf(v[e] / scale[(e / inner) % nch]);
    q[e] = (int8_t)(x > 127 ? 127 : x < -127 ? -127 : x);
  }
  /* data-aware rounding (GPTQ) where the calibration collected the input
   * Hessian; nearest otherwise */
  if (hs && pnn_wr_round(hs, wt, v, scale, q, WR_DAMP)) (*n_gptq)++;
  *corr_out = weight_error_mean(wt, v, q, scale, axis, in_mean, in_nch, tg);
  int32_t b = pnn_ge_add_buffer(g, q, (size_t)n);
  free(q);
  int32_t nt = -1;
  if (b >= 0) {
    pnn_tensor_def d = g->subgraphs[0].tensors[w];
    char name[600];
    snprintf(name, sizeof name, "%s/int8", d.name);
    d.name = name;
    d.type = PNN_TYPE_INT8;
    d.buffer = (uint32_t)b;
    int32_t *zp = calloc((size_t)nch + 1, sizeof *zp);
    if (zp && set_quant(g, &d, nch, scale, zp, axis))
      nt = pnn_ge_add_tensor(g, 0, &d);
    free(zp);
  }
  if (nt < 0) {
    free(scale);
    free(*corr_out);
    *corr_out = NULL;
    return -1;
  }
  *scales_out = scale;
  *nch_out = nch;
  return nt;
}

/* Bias: int32, scale in_scale * w_scale[c]; minus corr[c] (the weight
 * rounding's mean error, bias correction) when corr is not NULL. */
static int32_t quant_bias(pnn_ge_graph *g, int32_t bt, float in_scale,
                          const float *wscale, int nch, bool wide,
                          const double *corr) {
  const pnn_tensor_def *t = &g->subgraphs[0].tensors[bt];
  const float *v = pnn_ge_const_f32(g, t);
  int64_t n = pnn_ge_elems(t);
  if (!v || (n != nch && nch != 1)) return -1;
  int64_t *q = malloc((size_t)n * sizeof *q + 1);
  float *s = malloc((size_t)n * sizeof *s + 1);
  int32_t *z = calloc((size_t)n + 1, sizeof *z);
  int32_t r = -1;
  if (q && s && z) {
    for (int64_t i = 0; i < n; i++) {
      s[i] = in_scale * wscale[nch == 1 ? 0 : i];
      double bv = (double)v[i] - (corr ? corr[nch == 1 ? 0 : i] : 0.0);
      double x = s[i] > 0 ? nearbyint(bv / s[i]) : 0;
      double lim = wide ? 9.0e15 : 2147483647.0;
      if (x > lim) x = lim;
      if (x < -lim) x = -lim;
      q[i] = (int64_t)x;
    }
    int32_t b;
    if (wide) {
      b = pnn_ge_add_buffer(g, q, (size_t)n * sizeof *q);
    } else { /* int32: narrow in place (values fit) */
      int32_t *q32 = (int32_t *)q;
      for (int64_t i = 0; i < n; i++) q32[i] = (int32_t)q[i];
      b = pnn_ge_add_buffer(g, q32, (size_t)n * sizeof *q32);
    }
    if (b >= 0) {
      pnn_tensor_def d = g->subgraphs[0].tensors[bt];
      char name[600];
      snprintf(name, sizeof name, "%s/%s", d.name, wide ? "int64" : "int32");
      d.name = name;
      d.type = wide ? PNN_TYPE_INT64 : PNN_TYPE_INT32;
      d.buffer = (uint32_t)b;
      if (set_quant(g, &d, (int)n, s, z, 0)) r = pnn_ge_add_tensor(g, 0, &d);
    }
  }
  free(q), free(s), free(z);
  return r;
}

static int32_t quant_const_p(pnn_ge_graph *g, int32_t ct, const qparam *pp,
                             bool wide);

/* Other constants read by int8 ops: int8 asymmetric per tensor. */
static int32_t quant_const(pnn_ge_graph *g, int32_t ct, bool wide) {
  const pnn_tensor_def *t = &g->subgraphs[0].tensors[ct];
  const float *v = pnn_ge_const_f32(g, t);
  int64_t n = pnn_ge_elems(t);
  if (!v) return -1;
  float lo = 0, hi = 0;
  for (int64_t i = 0; i < n; i++) {
    if (!isfinite(v[i])) return -1;
    if (v[i] < lo) lo = v[i];
    if (v[i] > hi) hi = v[i];
  }
  qparam p = range_params(lo, hi, wide);
  return quant_const_p(g, ct, &p, wide);
}

/* Constant ct quantized with the given params (saturating). */
static int32_t quant_const_p(pnn_ge_graph *g, int32_t ct, const qparam *pp,
                             bool wide) {
  const pnn_tensor_def *t = &g->subgraphs[0].tensors[ct];
  const float *v = pnn_ge_const_f32(g, t);
  int64_t n = pnn_ge_elems(t);
  if (!v) return -1;
  for (int64_t i = 0; i < n; i++)
    if (!isfinite(v[i])) return -1;
  qparam p = *pp;
  size_t es = wide ? 2 : 1;
  uint8_t *q = malloc((size_t)n * es + 1);
  if (!q) return -1;
  for (int64_t i = 0; i < n; i++) {
    double x = nearbyint((double)v[i] / p.scale) + p.zp;
    if (wide) {
      int16_t h = (int16_t)(x > 32767 ? 32767 : x < -32767 ? -32767 : x);
      memcpy(q + 2 * i, &h, 2);
    } else {
      q[i] = (uint8_t)(int8_t)(x > 127 ? 127 : x < -128 ? -128 : x);
    }
  }
  int32_t b = pnn_ge_add_buffer(g, q, (size_t)n * es);
  free(q);
  if (b < 0) return -1;
  return add_twin(g, ct, wide ? PNN_TYPE_INT16 : PNN_TYPE_INT8, &p,
                  (uint32_t)b, wide ? "/int16" : "/int8");
}

static const char *op_label(const pnn_ge_graph *g, const pnn_op_def *op) {
  int32_t code = pnn_ge_op_code(g, op);
  const char *n = code >= 0 ? pnn_builtin_name(code) : NULL;
  return n ? n : "custom op";
}

enum { D_FLOAT = 0, D_INT8 = 1, D_UINT8 = 2 };

typedef struct qstate {
  pnn_ge_graph *g;
  int32_t n0;       /* tensors before the rewrite */
  qparam *p;        /* per original tensor */
  uint8_t *dom;     /* domain of each activation */
  bool *act;        /* an activation of the original graph */
  int32_t *twin_q;  /* int8 copy (QUANTIZE) of a non-int8 activation */
  int32_t *twin_f;  /* float copy (DEQUANTIZE) of a non-float activation */
  int32_t quant_op, deq_op;
  bool wide;       /* 16x8: int16 activations */
  pnn_type qtype;  /* PNN_TYPE_INT8 or PNN_TYPE_INT16 */
} qstate;

/* Twin of t in the wanted domain, inserting its converting op before op
 * position *pos (which then moves on by one). */
static int32_t twin(qstate *s, int32_t t, bool want_int8, int32_t *pos) {
  int32_t *slot = want_int8 ? &s->twin_q[t] : &s->twin_f[t];
  if (*slot >= 0) return *slot;
  int32_t nt = want_int8 ? add_twin(s->g, t, s->qtype, &s->p[t], 0,
                                    s->wide ? "/int16" : "/int8")
                         : add_twin(s->g, t, PNN_TYPE_FLOAT32, NULL, 0, "/float");
  if (nt < 0) return -1;
  int32_t code = want_int8 ? s->quant_op : s->deq_op;
  if (pnn_ge_insert_op(s->g, 0, *pos, (uint32_t)code, 1, &t, 1, &nt, NULL) < 0)
    return -1;
  (*pos)++;
  *slot = nt;
  return nt;
}

/* A new int8 copy of activation t with params p, made by a QUANTIZE
 * (float, int8 or uint8 -> int8: LiteRT requantizes) inserted before op
 * position *pos. */
static int32_t requant(qstate *s, int32_t t, const qparam *p, int32_t *pos) {
  int32_t nt = add_twin(s->g, t, s->qtype, p, 0, "/requant");
  if (nt < 0) return -1;
  if (pnn_ge_insert_op(s->g, 0, *pos, (uint32_t)s->quant_op, 1, &t, 1, &nt,
                       NULL) < 0)
    return -1;
  (*pos)++;
  return nt;
}

/* Why op (of the original graph) stays float, or NULL. */
static const char *blocker(const qstate *s, const pnn_op_def *op,
                           const op_info *k, const pnn_calib_ranges *r) {
  const pnn_ge_graph *g = s->g;
  const pnn_tensor_def *T = g->subgraphs[0].tensors;
  if (k->kind == K_NONE)
    return s->wide ? "no 16x8 rule for this op (no int16 kernel)"
                   : "no int8 rule for this op";
  if (op->inputs.count < 1 || op->inputs.data[0] < 0 || op->outputs.count < 1)
    return "missing inputs";
  bool any_act = false;
  for (int32_t i = 0; i < op->inputs.count; i++)
    any_act |= op->inputs.data[i] >= 0 && s->act[op->inputs.data[i]];
  int32_t din = k->kind == K_SAME ? k->data_in : 0;
  if (!any_act ||
      (k->kind != K_OWN && k->kind != K_CONCAT &&
       (din >= op->inputs.count || op->inputs.data[din] < 0 ||
        !s->act[op->inputs.data[din]])))
    return "its data input is not a float activation";
  for (int32_t i = 0; i < op->inputs.count; i++) {
    int32_t t = op->inputs.data[i];
    if (t < 0 || T[t].type != PNN_TYPE_FLOAT32) continue;
    if (s->act[t]) {
      if (t >= r->n_tensors || !r->seen[t])
        return "an input was never observed in calibration";
    } else if (!pnn_ge_const_f32(g, &T[t])) {
      return "a float input is neither an activation nor a constant";
    }
  }
  for (int32_t i = 0; i < op->outputs.count; i++) {
    int32_t t = op->outputs.data[i];
    if (t < 0 || !s->act[t]) return "an output is not a float activation";
    if (t >= r->n_tensors || !r->seen[t])
      return "an output was never observed in calibration";
  }
  if (k->kind == K_WEIGHTED) {
    if (op->inputs.count < 2 || op->inputs.data[1] < 0 ||
        !pnn_ge_const_f32(g, &T[op->inputs.data[1]]))
      return "weights are not a float32 constant";
    const pnn_tensor_def *w = &T[op->inputs.data[1]];
    if (k->axis >= w->rank) return "weights have an unexpected rank";
    if (op->inputs.count > 2 && op->inputs.data[2] >= 0) {
      const pnn_tensor_def *b = &T[op->inputs.data[2]];
      if (!pnn_ge_const_f32(g, b) || pnn_ge_elems(b) != w->shape[k->axis])
        return "bias is not a float32 constant with one value per channel";
    }
  }
  return NULL;
}

int pnn_quantize_int8(pnn_ge_graph *g, const pnn_quantize_options *o,
                      pnn_tool_report *rep, char *err, size_t err_size) {
  const pnn_calib_ranges *r = o->ranges;
  if (!r || r->n_samples < 1) {
    pnn_set_err(err, err_size, "quantize int8: no calibration ranges");
    return -1;
  }
  if (g->n_subgraphs < 1 || r->n_tensors != g->subgraphs[0].n_tensors) {
    pnn_set_err(err, err_size,
                "quantize int8: the calibration ranges are for another model");
    return -1;
  }
  qstate s = {.g = g, .n0 = g->subgraphs[0].n_tensors};
  s.wide = o->mode == PNN_QUANT_16X8;
  s.qtype = s.wide ? PNN_TYPE_INT16 : PNN_TYPE_INT8;
  if (s.wide && o->io != PNN_QUANT_IO_FLOAT) {
    pnn_set_err(err, err_size, "quantize 16x8: only --io float is supported");
    return -1;
  }
  int32_t n0 = s.n0, nops0 = g->subgraphs[0].n_ops;
  s.p = calloc((size_t)n0 + 1, sizeof *s.p);
  s.dom = calloc((size_t)n0 + 1, sizeof *s.dom);
  s.act = calloc((size_t)n0 + 1, sizeof *s.act);
  s.twin_q = malloc(((size_t)n0 + 1) * sizeof *s.twin_q);
  s.twin_f = malloc(((size_t)n0 + 1) * sizeof *s.twin_f);
  bool *qop = calloc((size_t)nops0 + 1, sizeof *qop);
  /* readers of each tensor (graph outputs count), its producing op, and
   * whether that op chose its params freely */
  int32_t *n_readers = calloc((size_t)n0 + 1, sizeof *n_readers);
  int32_t *producer = malloc(((size_t)n0 + 1) * sizeof *producer);
  uint8_t *own_params = calloc((size_t)n0 + 1, sizeof *own_params);
  int result = -1, n_int8 = 0, n_float = 0, n_gptq = 0, n_weighted = 0;
  if (!s.p || !s.dom || !s.act || !s.twin_q || !s.twin_f || !qop ||
      !n_readers || !producer || !own_params)
    goto oom;
  for (int32_t t = 0; t < n0; t++) producer[t] = -1;
  for (int32_t i = 0; i < nops0; i++) {
    const pnn_op_def *op = &g->subgraphs[0].ops[i];
    for (int32_t j = 0; j < op->inputs.count; j++)
      if (op->inputs.data[j] >= 0 && op->inputs.data[j] < n0)
        n_readers[op->inputs.data[j]]++;
    for (int32_t j = 0; j < op->outputs.count; j++)
      if (op->outputs.data[j] >= 0 && op->outputs.data[j] < n0)
        producer[op->outputs.data[j]] = i;
  }
  for (int32_t k = 0; k < g->subgraphs[0].n_outputs; k++) {
    int32_t t = g->subgraphs[0].outputs[k];
    if (t >= 0 && t < n0) n_readers[t]++;
  }
  for (int32_t t = 0; t < n0; t++) {
    s.twin_q[t] = s.twin_f[t] = -1;
    s.act[t] = is_act(g, &g->subgraphs[0].tensors[t]);
    if (s.act[t] && r->seen[t])
      s.p[t] = range_params(r->min[t], r->max[t], s.wide);
  }
  s.quant_op = pnn_ge_opcode(g, PNN_OP_QUANTIZE, s.wide ? 4 : 2);
  s.deq_op = pnn_ge_opcode(g, PNN_OP_DEQUANTIZE, s.wide ? 4 : 2);
  if (s.quant_op < 0 || s.deq_op < 0) goto oom;

  /* 1. Which ops become int8; output params in op order. */
  for (int32_t i = 0; i < nops0; i++) {
    const pnn_op_def *op = &g->subgraphs[0].ops[i];
    op_info k = op_kind(pnn_ge_op_code(g, op), s.wide);
    const char *why = blocker(&s, op, &k, r);
    if (why) {
      bool has_float = false;
      for (int32_t j = 0; j < op->outputs.count; j++)
        if (op->outputs.data[j] >= 0 && s.act[op->outputs.data[j]])
          has_float = true;
      if (has_float) {
        pnn_report_add(rep, "kept float: %s (op %d): %s", op_label(g, op), i,
                       why);
        n_float++;
      }
      continue;
    }
    qop[i] = true;
    n_int8++;
    int32_t out = op->outputs.data[0];
    if (k.kind == K_FIXED) {
      s.p[out].scale = k.fix_scale;
      s.p[out].zp = k.fix_zp;
    } else if (k.kind == K_SAME) {
      for (int32_t j = 0; j < op->outputs.count; j++)
        s.p[op->outputs.data[j]] = s.p[op->inputs.data[k.data_in]];
    } else if (k.kind == K_CONCAT) {
      /* An input made only for this op by an int8 op with its own params
       * takes the output's params (no requantization); the others are
       * requantized by a QUANTIZE in step 2. */
      for (int32_t j = 0; j < op->inputs.count; j++) {
        int32_t t = op->inputs.data[j];
        if (t < 0 || t >= n0 || !s.act[t] || n_readers[t] != 1 ||
            producer[t] < 0 || !qop[producer[t]] || own_params[t] != 1)
          continue;
        s.p[t] = s.p[out];
      }
    }
    for (int32_t j = 0; j < op->outputs.count; j++) {
      s.dom[op->outputs.data[j]] = D_INT8;
      own_params[op->outputs.data[j]] =
          k.kind == K_OWN || k.kind == K_WEIGHTED || k.kind == K_CONCAT;
    }
  }
  pnn_ge_subgraph *sg = &g->subgraphs[0];
  for (int32_t k = 0; k < sg->n_inputs; k++) {
    int32_t t = sg->inputs[k];
    if (t < 0 || t >= n0 || !s.act[t] || !r->seen[t]) continue;
    s.dom[t] = o->io == PNN_QUANT_IO_INT8    ? D_INT8
               : o->io == PNN_QUANT_IO_UINT8 ? D_UINT8
                                             : D_FLOAT;
  }

  /* 2. Rewrite op inputs, inserting QUANTIZE/DEQUANTIZE copies. */
  int32_t pos = 0;
  for (int32_t i = 0; i < nops0; i++) {
    int32_t at = pos; /* current position of original op i */
    pnn_op_def *op = &g->subgraphs[0].ops[at];
    op_info k = op_kind(pnn_ge_op_code(g, op), s.wide);
    int32_t nin = op->inputs.count;
    int32_t *ins = malloc(((size_t)nin + 1) * sizeof *ins);
    if (!ins) goto oom;
    memcpy(ins, op->inputs.data, (size_t)nin * sizeof *ins);
    int32_t in0 = nin > 0 ? ins[0] : -1; /* op moves when twins go in */
    int32_t out0 = op->outputs.count > 0 ? op->outputs.data[0] : -1;
    float *wscale = NULL;
    double *corr = NULL;
    int nch = 0;
    const double *in_mean = NULL;
    int32_t in_nch = 0;
    tap_geom tg = {0, 0, NULL};
    n_weighted += qop[i] && k.kind == K_WEIGHTED;
    if (qop[i] && k.kind == K_WEIGHTED && o->bias_correction && in0 >= 0 &&
        in0 < r->n_tensors && r->ch_mean && r->ch_mean[in0]) {
      in_mean = r->ch_mean[in0];
      in_nch = r->n_ch[in0];
      tap_geom_make(g, op, pnn_ge_op_code(g, op), &tg);
    }
    bool ok = true;
    for (int32_t j = 0; j < nin && ok; j++) {
      int32_t t = ins[j];
      if (t < 0 || t >= n0) continue;
      if (qop[i]) {
        if (k.kind == K_CONCAT && out0 >= 0 && (s.act[t] || g->subgraphs[0].tensors[t].type ==
                                                   PNN_TYPE_FLOAT32)) {
          qparam po = s.p[out0];
          if (!s.act[t]) {
            ins[j] = quant_const_p(g, t, &po, s.wide);
          } else if (s.dom[t] != D_INT8 || s.p[t].scale != po.scale ||
                     s.p[t].zp != po.zp) {
            ins[j] = requant(&s, t, &po, &at);
          }
          ok = ins[j] >= 0;
        } else if (s.act[t]) {
          if (s.dom[t] != D_INT8) {
            ins[j] = twin(&s, t, true, &at);
            ok = ins[j] >= 0;
          }
        } else if (g->subgraphs[0].tensors[t].type == PNN_TYPE_FLOAT32) {
          if (k.kind == K_WEIGHTED && j == 1)
            ins[j] = quant_weights(g, t, k.axis, &wscale, &nch, in_mean,
                                   in_nch, &tg, pnn_wr_get(r->wr, i, t),
                                   &n_gptq, &corr);
          else if (k.kind == K_WEIGHTED && j == 2)
            ins[j] = wscale ? quant_bias(g, t, s.p[in0].scale, wscale, nch,
                                         s.wide, corr)
                            : -1;
          else
            ins[j] = quant_const(g, t, s.wide);
          ok = ins[j] >= 0;
        }
      } else if (s.act[t] && s.dom[t] != D_FLOAT &&
                 pnn_ge_op_code(g, &g->subgraphs[0].ops[at]) != PNN_OP_SHAPE) {
        /* (SHAPE reads only the shape: it takes the int8 tensor.) */
        ins[j] = twin(&s, t, false, &at);
        ok = ins[j] >= 0;
      }
    }
    free(wscale);
    free(corr);
    free(tg.frac);
    if (!ok) {
      free(ins);
      goto oom;
    }
    op = &g->subgraphs[0].ops[at];
    memcpy(pnn_ge_ins(op), ins, (size_t)nin * sizeof *ins);
    free(ins);
    if (qop[i]) {
      int32_t code = pnn_ge_op_code(g, op);
      /* int16 ADD/SUB: the general scaling path, not the power-of-two
       * (LSTM) one. */
      if (s.wide && code == PNN_OP_ADD) op->options.add.pot_scale_int16 = false;
      if (s.wide && code == PNN_OP_SUB) op->options.sub.pot_scale_int16 = false;
      int32_t ver = g->opcodes[op->opcode_index].version;
      if (ver < k.version) {
        int32_t oc = pnn_ge_opcode(g, code, k.version);
        if (oc < 0) goto oom;
        g->subgraphs[0].ops[at].opcode_index = (uint32_t)oc;
      }
    }
    pos = at + 1;
  }

  /* 3. Retype int8/uint8 activations. */
  sg = &g->subgraphs[0];
  for (int32_t t = 0; t < n0; t++) {
    if (!s.act[t] || s.dom[t] == D_FLOAT) continue;
    pnn_tensor_def *d = &g->subgraphs[0].tensors[t];
    qparam p = s.p[t];
    if (s.dom[t] == D_UINT8) p.zp += 128;
    d->type = s.dom[t] == D_UINT8 ? PNN_TYPE_UINT8 : s.qtype;
    if (!set_quant(g, d, 1, &p.scale, &p.zp, 0)) goto oom;
  }

  /* 4. Outputs in the interface type. */
  for (int32_t k = 0; k < g->subgraphs[0].n_outputs; k++) {
    int32_t t = g->subgraphs[0].outputs[k];
    if (t < 0 || t >= n0 || !s.act[t]) continue;
    int want = o->io == PNN_QUANT_IO_INT8    ? D_INT8
               : o->io == PNN_QUANT_IO_UINT8 ? D_UINT8
                                             : D_FLOAT;
    if (s.dom[t] == want) continue;
    qparam p = s.p[t];
    if (want == D_UINT8) p.zp += 128;
    pnn_type ty = want == D_FLOAT   ? PNN_TYPE_FLOAT32
                  : want == D_INT8 ? PNN_TYPE_INT8
                                   : PNN_TYPE_UINT8;
    int32_t nt = add_twin(g, t, ty, want == D_FLOAT ? NULL : &p, 0, "");
    if (nt < 0) goto oom;
    /* The interface keeps the original name; the inner tensor is renamed. */
    char name[600];
    const char *suf = s.dom[t] == D_FLOAT ? "/float"
                      : s.wide            ? "/int16"
                                          : "/int8";
    snprintf(name, sizeof name, "%s%s", g->subgraphs[0].tensors[t].name, suf);
    char *nm = pnn_ge_strdup(g, name);
    if (!nm) goto oom;
    g->subgraphs[0].tensors[t].name = nm;
    int32_t code = want == D_FLOAT ? s.deq_op : s.quant_op;
    int32_t end = g->subgraphs[0].n_ops;
    if (pnn_ge_insert_op(g, 0, end, (uint32_t)code, 1, &t, 1, &nt, NULL) < 0)
      goto oom;
    g->subgraphs[0].outputs[k] = nt;
    for (int32_t si = 0; si < g->n_sigs; si++) {
      if (g->sigs[si].subgraph_index != 0) continue;
      pnn_tensor_map_def *m = (pnn_tensor_map_def *)g->sigs[si].outputs;
      for (int32_t j = 0; j < g->sigs[si].n_outputs; j++)
        if (m[j].tensor_index == (uint32_t)t) m[j].tensor_index = (uint32_t)nt;
    }
  }
  pnn_report_add(rep, "%s: %d ops full integer, %d kept float; interface %s",
                 s.wide ? "16x8" : "int8", n_int8, n_float,
                 o->io == PNN_QUANT_IO_INT8    ? "int8"
                 : o->io == PNN_QUANT_IO_UINT8 ? "uint8"
                                               : "float");
  if (r->wr)
    pnn_report_add(rep, "weight rounding gptq: %d of %d weighted ops (the "
                   "others nearest)", n_gptq, n_weighted);
  result = n_int8;
  goto done;
oom:
  pnn_set_err(err, err_size, "quantize int8: out of memory");
done:
  free(s.p), free(s.dom), free(s.act), free(s.twin_q), free(s.twin_f);
  free(qop), free(n_readers), free(producer), free(own_params);
  return result;
}
