/* Convolutions: CONV_2D (incl. grouped), DEPTHWISE_CONV_2D, TRANSPOSE_CONV.
 * Float32 reference paths, NHWC activations, TFLite weight layouts:
 * CONV_2D / TRANSPOSE_CONV weights OHWI, DEPTHWISE_CONV_2D weights 1HWO.
 *
 * prepare computes the whole geometry (output size, padding, groups, depth
 * multiplier; conv_geom.c, shared with the quantized prepares in
 * conv_q.c) into a conv_geom kept as node state, and picks a `run`
 * function over output rows. Only the reference loop exists today; a packed
 * GEMM / SIMD path is slotted in by choosing another `run` at prepare. */
#include <math.h>
#include <string.h>

#include "kernels/f32_conv.h"
#include "kernels/f32_deconv.h"
#include "kernels/f32_dwconv.h"
#include "kernels/f32_vec.h"
#include "kernels/f32_refacc.h"
#include "ops/common.h"
#include "ops/conv_geom.h"
#include "ops/fuse.h"
#include "ops/nn_quant.h"

typedef struct conv_geom conv_geom;
/* Computes output rows [begin, end) of batch*out_h rows. */
typedef void (*conv_run_fn)(const conv_geom *g, const float *in, const float *w,
                            const float *bias, float *out, int64_t begin,
                            int64_t end);

struct conv_geom {
  PNN_CONV_GEOM_MEMBERS; /* batch, in_h, ..., groups, dm (conv_geom.h) */
  int act;
  conv_run_fn run;
  const pnn_f32_conv *gemm; /* CONV_2D on the packed GEMM, or NULL */
  const pnn_f32_dwconv *dw; /* SIMD depthwise (multiplier 1), or NULL */
  const pnn_f32_deconv *deconv; /* TRANSPOSE_CONV on the GEMM, or NULL */
};

/* Tensors of one eval, handed to the row-parallel worker. */
typedef struct {
  const conv_geom *g;
  const float *in, *w, *bias;
  float *out;
} conv_job;

/* ------------------------------------------------------------ checks */

/* Input and filter float32 (the geometry is checked in conv_geom.c). */
static pnn_status check_float(pnn_node *node, const pnn_tensor *in, int in_i,
                              const pnn_tensor *w, int w_i) {
  pnn_status s = pnn_check_type(node, in, in_i, PNN_TYPE_FLOAT32);
  if (!s) s = pnn_check_type(node, w, w_i, PNN_TYPE_FLOAT32);
  return s;
}

/* The optional bias (input i): absent, or float32 with out_c elements. */
static pnn_status get_bias(pnn_node *node, int i, const conv_geom *g,
                           const pnn_tensor **out) {
  pnn_status s = pnn_conv_bias(node, i, &g->geom, out);
  if (!s && *out) s = pnn_check_type(node, *out, i, PNN_TYPE_FLOAT32);
  return s;
}

/* A fused TANH is applied as the schema says. Note: LiteRT's float
 * conv/pool kernels only clamp, so they silently skip TANH (the TFLite
 * converter never fuses it). */
static pnn_status check_act(pnn_node *node, int act) {
  if (!pnn_activation_supported(act))
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "fused_activation_function %d not supported", act);
  return PNN_OK;
}

static conv_geom *new_geom(pnn_node *node) {
  conv_geom *g = pnn_node_alloc_persistent(node, sizeof(*g));
  node->state = g;
  return g;
}

static pnn_status out_of_memory(pnn_node *node) {
  return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY,
                        "out of memory for op state");
}

static pnn_status resize_nhwc(pnn_node *node, const conv_geom *g) {
  return pnn_conv_resize_output(node, &g->geom, PNN_TYPE_FLOAT32);
}

/* Picks a faster kernel for the prepared g (weights w, bias or NULL). */
typedef pnn_status (*pack_fn)(pnn_node *node, conv_geom *g, const pnn_tensor *w,
                              const pnn_tensor *bias);

/* What the float prepares share: the geometry (conv_geom.c), float32
 * input (in_i), filter and bias (bias_i), the fused activation and the
 * node state; then `pack` (if any) and the output shape. */
static pnn_status prepare_float(pnn_node *node, pnn_conv_geom_fn geom, int in_i,
                                int bias_i, int act, conv_run_fn run,
                                pack_fn pack) {
  pnn_tensor *in, *w;
  const pnn_tensor *bias;
  conv_geom g = {.act = act, .run = run};
  pnn_status s = geom(node, &in, &w, &g.geom);
  if (!s) s = check_float(node, in, in_i, w, 1);
  if (!s) s = check_act(node, act);
  if (!s) s = get_bias(node, bias_i, &g, &bias);
  if (s) return s;
  conv_geom *st = new_geom(node);
  if (!st) return out_of_memory(node);
  *st = g;
  if (pack && (s = pack(node, st, w, bias))) return s;
  return resize_nhwc(node, st);
}

static void conv_worker(void *arg, int64_t begin, int64_t end) {
  const conv_job *j = arg;
  j->g->run(j->g, j->in, j->w, j->bias, j->out, begin, end);
}

typedef struct {
  const pnn_f32_dwconv *d;
  const float *in;
  float *out;
} dw_job;

static void dw_worker(void *arg, int64_t begin, int64_t end) {
  const dw_job *j = arg;
  pnn_f32_dwconv_run(j->d, j->in, j->out, begin, end);
}

static void conv_parallel(void *ctx, int64_t n, pnn_f32_range_fn fn,
                          void *arg) {
  pnn_node_parallel_for(ctx, n, fn, arg);
}

static pnn_status conv_eval_common(pnn_node *node, int in_i, int w_i,
                                   int bias_i) {
  const conv_geom *g = node->state;
  if (g->gemm) {
    pnn_f32_conv_run(g->gemm, node->inputs[in_i]->data, node->outputs[0]->data,
                     node->scratch, conv_parallel, node);
    return PNN_OK;
  }
  if (g->deconv) {
    pnn_f32_deconv_run(g->deconv, node->inputs[in_i]->data,
                       node->outputs[0]->data, node->scratch, conv_parallel,
                       node);
    return PNN_OK;
  }
  if (g->dw) {
    dw_job dj = {g->dw, node->inputs[in_i]->data, node->outputs[0]->data};
    int64_t rows = (int64_t)g->batch * g->out_h;
    if (rows > 0 && g->out_w > 0) pnn_node_parallel_for(node, rows, dw_worker, &dj);
    return PNN_OK;
  }
  conv_job job = {
      .g = g,
      .in = node->inputs[in_i]->data,
      .w = node->inputs[w_i]->data,
      .bias = bias_i < node->n_inputs && node->inputs[bias_i]
                  ? node->inputs[bias_i]->data
                  : NULL,
      .out = node->outputs[0]->data,
  };
  int64_t rows = (int64_t)g->batch * g->out_h;
  if (rows > 0 && g->out_w > 0 && g->out_c > 0)
    pnn_node_parallel_for(node, rows, conv_worker, &job);
  return PNN_OK;
}

/* ------------------------------------------------------------ CONV_2D */

static bool all_finite(const float *v, int64_t n) {
  for (int64_t i = 0; i < n; i++)
    if (!isfinite(v[i])) return false;
  return true;
}

/* Ungrouped CONV_2D with constant weights (and bias) runs on the packed
 * GEMM of the active ISA (src/kernels); weights are packed here, once. */
static pnn_status conv2d_gemm_prepare(pnn_node *node, conv_geom *g,
                                      const pnn_tensor *w,
                                      const pnn_tensor *bias) {
  if (g->groups != 1 || !w->is_constant || (bias && !bias->is_constant))
    return PNN_OK;
  const pnn_f32_conv_shape sh = {
      g->batch,    g->in_h,     g->in_w,  g->in_c,  g->out_h,
      g->out_w,    g->out_c,    g->f_h,   g->f_w,   g->stride_h,
      g->stride_w, g->dil_h,    g->dil_w, g->pad_h, g->pad_w,
      g->act};
  const pnn_isa isa = pnn_isa_active();
  const size_t bytes = pnn_f32_conv_weight_bytes(&sh, isa);
  if (!bytes) return PNN_OK;
  /* Reference order (f32_refacc.h): im2col zero-fills padded taps, which
   * the reference skips; 0 * w differs from skipping only for an inf /
   * NaN weight, so such filters keep the reference loop. */
  const bool refacc = pnn_node_float_reference_order(node);
  if (refacc && !all_finite(w->data, pnn_tensor_count(w)))
    return PNN_OK;
  pnn_f32_conv *cv = pnn_node_alloc_persistent(node, sizeof(*cv));
  void *mem = pnn_node_alloc_persistent(node, bytes);
  if (!cv || !mem) return out_of_memory(node);
  pnn_f32_conv_init(cv, &sh, isa, w->data, bias ? bias->data : NULL, mem);
  if (refacc) pnn_f32_gemm_plan_use_refacc(&cv->gemm);
  const size_t scratch = pnn_f32_conv_scratch_bytes(cv);
  if (scratch == SIZE_MAX) return PNN_OK; /* im2col too large: reference */
  if (scratch) {
    pnn_status s = pnn_node_request_scratch(node, scratch);
    if (s) return s;
  }
  g->gemm = cv;
  pnn_node_input_packed(node, 1); /* eval reads the packed copies only */
  pnn_node_input_packed(node, 2);
  return PNN_OK;
}

/* One output row: out[b, oy, :, :]. Output channel oc belongs to group
 * oc / (out_c / groups), which reads input channels [group * f_c, +f_c). */
static void conv2d_ref(const conv_geom *g, const float *in, const float *w,
                       const float *bias, float *out, int64_t begin,
                       int64_t end) {
  const int32_t oc_per_group = g->out_c / g->groups;
  for (int64_t row = begin; row < end; row++) {
    const int32_t b = (int32_t)(row / g->out_h), oy = (int32_t)(row % g->out_h);
    const int32_t iy0 = oy * g->stride_h - g->pad_h;
    for (int32_t ox = 0; ox < g->out_w; ox++) {
      const int32_t ix0 = ox * g->stride_w - g->pad_w;
      float *o = out + ((row * g->out_w) + ox) * (int64_t)g->out_c;
      for (int32_t oc = 0; oc < g->out_c; oc++) {
        const int32_t c0 = (oc / oc_per_group) * g->f_c;
        float acc = 0.f;
        for (int32_t ky = 0; ky < g->f_h; ky++) {
          const int32_t iy = iy0 + ky * g->dil_h;
          if (iy < 0 || iy >= g->in_h) continue;
          for (int32_t kx = 0; kx < g->f_w; kx++) {
            const int32_t ix = ix0 + kx * g->dil_w;
            if (ix < 0 || ix >= g->in_w) continue;
            const float *x =
                in + (((int64_t)b * g->in_h + iy) * g->in_w + ix) * g->in_c +
                c0;
            const float *k =
                w + (((int64_t)oc * g->f_h + ky) * g->f_w + kx) * g->f_c;
            for (int32_t c = 0; c < g->f_c; c++) acc += x[c] * k[c];
          }
        }
        if (bias) acc += bias[oc];
        o[oc] = pnn_apply_activation(g->act, acc);
      }
    }
  }
}

static pnn_status conv2d_prepare(pnn_node *node) {
  if (pnn_q_conv_wanted(node)) return pnn_q_conv2d_prepare(node);
  return prepare_float(node, pnn_conv2d_geom, 0, 2,
                       node->options->conv2d.fused_activation_function,
                       conv2d_ref, conv2d_gemm_prepare);
}

static pnn_status conv2d_eval(pnn_node *node) {
  if (pnn_q_conv_wanted(node)) return pnn_q_conv_eval(node);
  return conv_eval_common(node, 0, 1, 2);
}

/* -------------------------------------------------- DEPTHWISE_CONV_2D */

/* Output channel oc = ic * depth_multiplier + m reads input channel ic.
 * The output pixel itself is the accumulator, so every tap walks input
 * and weights contiguously; each channel still sums its taps in (ky, kx)
 * order and adds the bias last, as TFLite's reference does. */
static void depthwise_ref(const conv_geom *g, const float *in, const float *w,
                          const float *bias, float *out, int64_t begin,
                          int64_t end) {
  const int32_t dm = g->dm;
  for (int64_t row = begin; row < end; row++) {
    const int32_t b = (int32_t)(row / g->out_h), oy = (int32_t)(row % g->out_h);
    const int32_t iy0 = oy * g->stride_h - g->pad_h;
    for (int32_t ox = 0; ox < g->out_w; ox++) {
      const int32_t ix0 = ox * g->stride_w - g->pad_w;
      float *o = out + ((row * g->out_w) + ox) * (int64_t)g->out_c;
      memset(o, 0, sizeof(float) * (size_t)g->out_c);
      for (int32_t ky = 0; ky < g->f_h; ky++) {
        const int32_t iy = iy0 + ky * g->dil_h;
        if (iy < 0 || iy >= g->in_h) continue;
        for (int32_t kx = 0; kx < g->f_w; kx++) {
          const int32_t ix = ix0 + kx * g->dil_w;
          if (ix < 0 || ix >= g->in_w) continue;
          const float *x =
              in + (((int64_t)b * g->in_h + iy) * g->in_w + ix) * g->in_c;
          const float *k = w + ((int64_t)ky * g->f_w + kx) * g->out_c;
          for (int32_t ic = 0; ic < g->in_c; ic++)
            for (int32_t m = 0; m < dm; m++)
              o[ic * dm + m] += x[ic] * k[ic * dm + m];
        }
      }
      for (int32_t oc = 0; oc < g->out_c; oc++)
        o[oc] = pnn_apply_activation(g->act, bias ? o[oc] + bias[oc] : o[oc]);
    }
  }
}

/* Depth multiplier 1 with constant weights (and bias): the vectorized
 * kernels of the active ISA (src/kernels/f32_dwconv*), weights repacked
 * here. Other multipliers keep the reference loop. */
static pnn_status depthwise_simd_prepare(pnn_node *node, conv_geom *g,
                                         const pnn_tensor *w,
                                         const pnn_tensor *bias) {
  if (g->dm != 1 || !w->is_constant || (bias && !bias->is_constant))
    return PNN_OK;
  pnn_f32_dwconv shape = {
      .batch = g->batch, .in_h = g->in_h, .in_w = g->in_w, .c = g->in_c,
      .out_h = g->out_h, .out_w = g->out_w, .f_h = g->f_h, .f_w = g->f_w,
      .stride_h = g->stride_h, .stride_w = g->stride_w, .dil_h = g->dil_h,
      .dil_w = g->dil_w, .pad_h = g->pad_h, .pad_w = g->pad_w, .act = g->act};
  const size_t bytes = pnn_f32_dwconv_bytes(&shape);
  if (!bytes) return PNN_OK;
  pnn_f32_dwconv *d = pnn_node_alloc_persistent(node, sizeof(*d));
  void *mem = pnn_node_alloc_persistent(node, bytes);
  if (!d || !mem) return out_of_memory(node);
  *d = shape;
  pnn_f32_dwconv_init(d, pnn_isa_active(), w->data, bias ? bias->data : NULL,
                      mem);
  /* Reference order (f32_refacc.h); non-finite filters already take the
   * checked border loop, which skips the taps outside as the reference. */
  if (pnn_node_float_reference_order(node)) pnn_f32_dwconv_use_refacc(d);
  g->dw = d;
  pnn_node_input_packed(node, 1); /* eval reads the packed copies only */
  pnn_node_input_packed(node, 2);
  return PNN_OK;
}

static pnn_status depthwise_prepare(pnn_node *node) {
  if (pnn_q_conv_wanted(node)) return pnn_q_depthwise_prepare(node);
  return prepare_float(
      node, pnn_depthwise_geom, 0, 2,
      node->options->depthwise_conv2d.fused_activation_function, depthwise_ref,
      depthwise_simd_prepare);
}

/* ------------------------------------------------------ TRANSPOSE_CONV */

/* Inputs: 0 output_shape (int32 [4], constant), 1 weights OHWI, 2 input,
 * 3 optional bias. Each input pixel scatters its filter footprint into the
 * output at stride; the rows run over the *output* so threads never write
 * the same element: output row oy gathers from input rows iy with
 * iy * stride - pad + ky == oy. */
static void transpose_conv_ref(const conv_geom *g, const float *in,
                               const float *w, const float *bias, float *out,
                               int64_t begin, int64_t end) {
  for (int64_t row = begin; row < end; row++) {
    const int32_t b = (int32_t)(row / g->out_h), oy = (int32_t)(row % g->out_h);
    float *o_row = out + row * g->out_w * (int64_t)g->out_c;
    memset(o_row, 0, sizeof(float) * (size_t)g->out_w * (size_t)g->out_c);
    for (int32_t ky = 0; ky < g->f_h; ky++) {
      const int32_t t = oy + g->pad_h - ky; /* = iy * stride_h */
      if (t < 0 || t % g->stride_h) continue;
      const int32_t iy = t / g->stride_h;
      if (iy >= g->in_h) continue;
      for (int32_t ix = 0; ix < g->in_w; ix++) {
        const float *x =
            in + (((int64_t)b * g->in_h + iy) * g->in_w + ix) * g->in_c;
        for (int32_t kx = 0; kx < g->f_w; kx++) {
          const int32_t ox = ix * g->stride_w - g->pad_w + kx;
          if (ox < 0 || ox >= g->out_w) continue;
          float *o = o_row + (int64_t)ox * g->out_c;
          for (int32_t oc = 0; oc < g->out_c; oc++) {
            const float *k =
                w + (((int64_t)oc * g->f_h + ky) * g->f_w + kx) * g->in_c;
            float acc = 0.f;
            for (int32_t c = 0; c < g->in_c; c++) acc += x[c] * k[c];
            o[oc] += acc;
          }
        }
      }
    }
    for (int64_t i = 0; i < (int64_t)g->out_w * g->out_c; i++) {
      float v = o_row[i];
      if (bias) v += bias[i % g->out_c];
      o_row[i] = pnn_apply_activation(g->act, v);
    }
  }
}

/* Constant weights (and bias): the packed GEMM + col2im of
 * src/kernels/f32_deconv.c, weights packed here once. */
static pnn_status transpose_conv_gemm_prepare(pnn_node *node, conv_geom *g,
                                              const pnn_tensor *w,
                                              const pnn_tensor *bias) {
  if (!w->is_constant || (bias && !bias->is_constant) || g->act < 0 ||
      g->act > 4 || g->pad_h < 0 || g->pad_w < 0)
    return PNN_OK;
  const pnn_f32_deconv_shape sh = {
      g->batch,    g->in_h,     g->in_w,  g->in_c,  g->out_h,
      g->out_w,    g->out_c,    g->f_h,   g->f_w,   g->stride_h,
      g->stride_w, g->pad_h,    g->pad_w, g->act};
  const pnn_isa isa = pnn_isa_active();
  const size_t bytes = pnn_f32_deconv_weight_bytes(&sh, isa);
  if (!bytes) return PNN_OK;
  pnn_f32_deconv *dc = pnn_node_alloc_persistent(node, sizeof(*dc));
  void *mem = pnn_node_alloc_persistent(node, bytes);
  if (!dc || !mem) return out_of_memory(node);
  pnn_f32_deconv_init(dc, &sh, isa, w->data, bias ? bias->data : NULL, mem);
  const size_t scratch = pnn_f32_deconv_scratch_bytes(dc);
  if (scratch == SIZE_MAX) return PNN_OK; /* reference loops */
  pnn_status s = pnn_node_request_scratch(node, scratch);
  if (s) return s;
  g->deconv = dc;
  pnn_node_input_packed(node, 1); /* eval reads the packed copies only */
  pnn_node_input_packed(node, 3);
  return PNN_OK;
}

static pnn_status transpose_conv_prepare(pnn_node *node) {
  if (pnn_q_conv_wanted(node)) return pnn_q_transpose_conv_prepare(node);
  return prepare_float(node, pnn_transpose_conv_geom, 2, 3,
                       node->options->transpose_conv.fused_activation_function,
                       transpose_conv_ref, transpose_conv_gemm_prepare);
}

static pnn_status transpose_conv_eval(pnn_node *node) {
  if (pnn_q_conv_wanted(node)) return pnn_q_conv_eval(node);
  return conv_eval_common(node, 2, 1, 3);
}

/* ------------------------------------------- PAD fusion (ops/fuse.h) */

bool pnn_conv_absorb_pad(pnn_node *node, pnn_tensor *x, int32_t top,
                         int32_t left) {
  if (!node || !x || node->n_inputs < 1 || !node->inputs[0] ||
      (node->builtin != PNN_OP_CONV_2D &&
       node->builtin != PNN_OP_DEPTHWISE_CONV_2D) ||
      pnn_q_conv_wanted(node) || node->inputs[0]->type != PNN_TYPE_FLOAT32 ||
      !node->state || x->type != PNN_TYPE_FLOAT32 || x->rank != 4 ||
      top < 0 || left < 0)
    return false;
  conv_geom *g = node->state;
  if (!g->gemm && !g->dw) return false;
  if (x->dims[0] != g->batch || x->dims[3] != g->in_c ||
      (int64_t)x->dims[1] + top > g->in_h ||
      (int64_t)x->dims[2] + left > g->in_w ||
      (int64_t)g->pad_h + top > INT32_MAX / 2 ||
      (int64_t)g->pad_w + left > INT32_MAX / 2)
    return false;
  if (g->gemm) {
    pnn_f32_conv *cv = (pnn_f32_conv *)g->gemm; /* this node's own state */
    if (cv->direct) return false; /* reads the input as the GEMM's A */
    cv->s.in_h = x->dims[1];
    cv->s.in_w = x->dims[2];
    cv->s.pad_h += top;
    cv->s.pad_w += left;
  } else {
    pnn_f32_dwconv *d = (pnn_f32_dwconv *)g->dw;
    /* The depthwise kernels skip taps outside the input, where the PAD's
     * zeros would add 0 * w: the same sum only for finite weights (the
     * kernels' zero vector is set exactly then). */
    if (!d->zeros) return false;
    d->in_h = x->dims[1];
    d->in_w = x->dims[2];
    d->pad_h += top;
    d->pad_w += left;
  }
  g->in_h = x->dims[1];
  g->in_w = x->dims[2];
  g->pad_h += top;
  g->pad_w += left;
  node->inputs[0] = x;
  return true;
}

bool pnn_conv_absorb_act(pnn_node *node, int post, pnn_isa isa,
                         pnn_tensor *y) {
  if (!node || !y || node->n_outputs != 1 || !node->outputs[0] ||
      (node->builtin != PNN_OP_CONV_2D &&
       node->builtin != PNN_OP_DEPTHWISE_CONV_2D) ||
      pnn_q_conv_wanted(node) || !node->state || post < PNN_F32_POST_HARD_SWISH ||
      post > PNN_F32_POST_SWISH)
    return false;
  const pnn_tensor *t = node->outputs[0];
  if (t->type != PNN_TYPE_FLOAT32 || y->type != PNN_TYPE_FLOAT32 ||
      y->rank != t->rank ||
      memcmp(y->dims, t->dims, sizeof(int32_t) * (size_t)t->rank) != 0)
    return false;
  conv_geom *g = node->state;
  if (g->act != 0) return false;
  if (g->gemm) {
    pnn_f32_conv *cv = (pnn_f32_conv *)g->gemm; /* this node's own state */
    if (cv->gemm.act != 0 || cv->gemm.cfg->isa != isa) return false;
    cv->gemm.act = post;
  } else if (g->dw) {
    pnn_f32_dwconv *d = (pnn_f32_dwconv *)g->dw;
    if (d->act != 0 || d->isa != isa) return false;
    d->act = post;
  } else {
    return false;
  }
  node->outputs[0] = y;
  return true;
}

static const pnn_op_kernel conv2d_kernel = {conv2d_prepare, conv2d_eval};
static const pnn_op_kernel depthwise_kernel = {depthwise_prepare, conv2d_eval};
static const pnn_op_kernel transpose_conv_kernel = {transpose_conv_prepare,
                                                    transpose_conv_eval};

const pnn_op_entry pnn_ops_conv[] = {
    {PNN_OP_CONV_2D, &conv2d_kernel},
    {PNN_OP_DEPTHWISE_CONV_2D, &depthwise_kernel},
    {PNN_OP_TRANSPOSE_CONV, &transpose_conv_kernel},
    {-1, NULL},
};
