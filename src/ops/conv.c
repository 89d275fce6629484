/* Convolutions: CONV_2D (incl. grouped), DEPTHWISE_CONV_2D, TRANSPOSE_CONV.
 * Float32 reference paths, NHWC activations, TFLite weight layouts:
 * CONV_2D / TRANSPOSE_CONV weights OHWI, DEPTHWISE_CONV_2D weights 1HWO.
 *
 * prepare computes the whole geometry (output size, padding, groups, depth
 * multiplier) into a conv_geom kept as node state, and picks a `run`
 * function over output rows. Only the reference loop exists today; a packed
 * GEMM / SIMD path is slotted in by choosing another `run` at prepare. */
#include <string.h>

#include "kernels/f32_conv.h"
#include "kernels/f32_dwconv.h"
#include "ops/common.h"
#include "ops/nn_quant.h"

typedef struct conv_geom conv_geom;
/* Computes output rows [begin, end) of batch*out_h rows. */
typedef void (*conv_run_fn)(const conv_geom *g, const float *in, const float *w,
                            const float *bias, float *out, int64_t begin,
                            int64_t end);

struct conv_geom {
  int32_t batch, in_h, in_w, in_c;
  int32_t out_h, out_w, out_c;
  int32_t f_h, f_w, f_c; /* filter spatial size and channels per tap */
  int32_t stride_h, stride_w, dil_h, dil_w;
  int32_t pad_h, pad_w;     /* leading (top/left) padding */
  int32_t groups;           /* CONV_2D: in_c / f_c */
  int32_t depth_multiplier; /* DEPTHWISE_CONV_2D: out_c / in_c */
  int act;
  conv_run_fn run;
  const pnn_f32_conv *gemm; /* CONV_2D on the packed GEMM, or NULL */
  const pnn_f32_dwconv *dw; /* SIMD depthwise (multiplier 1), or NULL */
};

/* Tensors of one eval, handed to the row-parallel worker. */
typedef struct {
  const conv_geom *g;
  const float *in, *w, *bias;
  float *out;
} conv_job;

/* ------------------------------------------------------------ checks */

static pnn_status check_float4d(pnn_node *node, const pnn_tensor *t, int i,
                                const char *what) {
  pnn_status s = pnn_check_type(node, t, i, PNN_TYPE_FLOAT32);
  if (s) return s;
  if (t->rank != 4)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input %d (%s): %s must be 4-D, got rank %d", i,
                          t->name, what, (int)t->rank);
  return PNN_OK;
}

/* The optional bias (input i): absent, or float32 with `n` elements. */
static pnn_status get_bias(pnn_node *node, int i, int32_t n,
                           const pnn_tensor **out) {
  *out = NULL;
  if (i >= node->n_inputs || !node->inputs[i]) return PNN_OK;
  const pnn_tensor *b = node->inputs[i];
  pnn_status s = pnn_check_type(node, b, i, PNN_TYPE_FLOAT32);
  if (s) return s;
  if (pnn_tensor_count(b) != n)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input %d (%s): bias has %lld elements, expected "
                          "%d (output channels)",
                          i, b->name, (long long)pnn_tensor_count(b), (int)n);
  *out = b;
  return PNN_OK;
}

static pnn_status check_window(pnn_node *node, int padding, int32_t stride_h,
                               int32_t stride_w, int32_t dil_h, int32_t dil_w,
                               int act) {
  if (padding != PNN_PADDING_SAME && padding != PNN_PADDING_VALID)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "padding: unknown value %d", padding);
  if (stride_h <= 0 || stride_w <= 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "stride_h/stride_w must be > 0, got %d/%d",
                          (int)stride_h, (int)stride_w);
  if (dil_h <= 0 || dil_w <= 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "dilation_h_factor/dilation_w_factor must be > 0, "
                          "got %d/%d",
                          (int)dil_h, (int)dil_w);
  /* A fused TANH is applied as the schema says. Note: LiteRT's float
   * conv/pool kernels only clamp, so they silently skip TANH (the TFLite
   * converter never fuses it). */
  if (!pnn_activation_supported(act))
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "fused_activation_function %d not supported", act);
  return PNN_OK;
}

/* Output size and leading padding of both spatial axes, as TFLite does. */
static bool extent_ok(int32_t in, int32_t filter, int32_t stride,
                      int32_t dilation) {
  /* Keeps every int32 index (ox * stride - pad + kx * dilation) in range. */
  return (int64_t)(filter - 1) * dilation + 1 + 2 * (int64_t)stride +
             2 * (int64_t)in <
         INT32_MAX;
}

static pnn_status conv_spatial(pnn_node *node, conv_geom *g, int padding) {
  if (!extent_ok(g->in_h, g->f_h, g->stride_h, g->dil_h) ||
      !extent_ok(g->in_w, g->f_w, g->stride_w, g->dil_w))
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "input, filter, stride or dilation too large");
  g->out_h =
      pnn_conv_output_size(padding, g->in_h, g->f_h, g->stride_h, g->dil_h);
  g->out_w =
      pnn_conv_output_size(padding, g->in_w, g->f_w, g->stride_w, g->dil_w);
  if (g->out_h < 0 || g->out_w < 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "filter %dx%d (dilation %dx%d) does not fit input "
                          "%dx%d with VALID padding",
                          (int)g->f_h, (int)g->f_w, (int)g->dil_h,
                          (int)g->dil_w, (int)g->in_h, (int)g->in_w);
  g->pad_h = pnn_conv_padding_before(padding, g->in_h, g->f_h, g->stride_h,
                                     g->dil_h, g->out_h);
  g->pad_w = pnn_conv_padding_before(padding, g->in_w, g->f_w, g->stride_w,
                                     g->dil_w, g->out_w);
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
  int32_t dims[4] = {g->batch, g->out_h, g->out_w, g->out_c};
  if (pnn_dims_count(dims, 4) < 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "output shape overflows");
  return pnn_node_resize_output(node, 0, PNN_TYPE_FLOAT32, dims, 4);
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
  pnn_f32_conv *cv = pnn_node_alloc_persistent(node, sizeof(*cv));
  void *mem = pnn_node_alloc_persistent(node, bytes);
  if (!cv || !mem) return out_of_memory(node);
  pnn_f32_conv_init(cv, &sh, isa, w->data, bias ? bias->data : NULL, mem);
  const size_t scratch = pnn_f32_conv_scratch_bytes(cv);
  if (scratch == SIZE_MAX) return PNN_OK; /* im2col too large: reference */
  if (scratch) {
    pnn_status s = pnn_node_request_scratch(node, scratch);
    if (s) return s;
  }
  g->gemm = cv;
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
  const pnn_conv2d_options *opt = &node->options->conv2d;
  pnn_tensor *in, *w;
  pnn_status s = pnn_check_io(node, 2, 3, 1);
  if (!s) s = pnn_require_input(node, 0, &in);
  if (!s) s = pnn_require_input(node, 1, &w);
  if (!s) s = check_float4d(node, in, 0, "input");
  if (!s) s = check_float4d(node, w, 1, "filter (OHWI)");
  if (!s)
    s = check_window(node, opt->padding, opt->stride_h, opt->stride_w,
                     opt->dilation_h_factor, opt->dilation_w_factor,
                     opt->fused_activation_function);
  if (s) return s;
  conv_geom g = {
      .batch = in->dims[0],
      .in_h = in->dims[1],
      .in_w = in->dims[2],
      .in_c = in->dims[3],
      .out_c = w->dims[0],
      .f_h = w->dims[1],
      .f_w = w->dims[2],
      .f_c = w->dims[3],
      .stride_h = opt->stride_h,
      .stride_w = opt->stride_w,
      .dil_h = opt->dilation_h_factor,
      .dil_w = opt->dilation_w_factor,
      .act = opt->fused_activation_function,
      .run = conv2d_ref,
  };
  if (g.f_h <= 0 || g.f_w <= 0 || g.f_c <= 0 || g.out_c <= 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 1 (%s): filter [%d,%d,%d,%d] has an empty "
                          "dimension",
                          w->name, (int)g.out_c, (int)g.f_h, (int)g.f_w,
                          (int)g.f_c);
  /* Grouped convolution: the filter sees in_c / groups channels. */
  if (g.in_c % g.f_c != 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input channels %d are not a multiple of filter "
                          "channels %d",
                          (int)g.in_c, (int)g.f_c);
  g.groups = g.in_c / g.f_c;
  if (g.groups == 0 || g.out_c % g.groups != 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "output channels %d are not a multiple of the %d "
                          "groups (input channels %d / filter channels %d)",
                          (int)g.out_c, (int)g.groups, (int)g.in_c, (int)g.f_c);
  const pnn_tensor *bias;
  s = get_bias(node, 2, g.out_c, &bias);
  if (!s) s = conv_spatial(node, &g, opt->padding);
  if (s) return s;
  conv_geom *st = new_geom(node);
  if (!st) return out_of_memory(node);
  *st = g;
  s = conv2d_gemm_prepare(node, st, w, bias);
  if (s) return s;
  return resize_nhwc(node, st);
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
  const int32_t dm = g->depth_multiplier;
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
  if (g->depth_multiplier != 1 || !w->is_constant ||
      (bias && !bias->is_constant))
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
  g->dw = d;
  return PNN_OK;
}

static pnn_status depthwise_prepare(pnn_node *node) {
  if (pnn_q_conv_wanted(node)) return pnn_q_depthwise_prepare(node);
  const pnn_depthwise_conv2d_options *opt = &node->options->depthwise_conv2d;
  pnn_tensor *in, *w;
  pnn_status s = pnn_check_io(node, 2, 3, 1);
  if (!s) s = pnn_require_input(node, 0, &in);
  if (!s) s = pnn_require_input(node, 1, &w);
  if (!s) s = check_float4d(node, in, 0, "input");
  if (!s) s = check_float4d(node, w, 1, "filter (1HWO)");
  if (!s)
    s = check_window(node, opt->padding, opt->stride_h, opt->stride_w,
                     opt->dilation_h_factor, opt->dilation_w_factor,
                     opt->fused_activation_function);
  if (s) return s;
  conv_geom g = {
      .batch = in->dims[0],
      .in_h = in->dims[1],
      .in_w = in->dims[2],
      .in_c = in->dims[3],
      .out_c = w->dims[3],
      .f_h = w->dims[1],
      .f_w = w->dims[2],
      .f_c = 1,
      .groups = 1,
      .stride_h = opt->stride_h,
      .stride_w = opt->stride_w,
      .dil_h = opt->dilation_h_factor,
      .dil_w = opt->dilation_w_factor,
      .act = opt->fused_activation_function,
      .run = depthwise_ref,
  };
  if (w->dims[0] != 1)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 1 (%s): filter dim 0 must be 1, got %d",
                          w->name, (int)w->dims[0]);
  if (g.f_h <= 0 || g.f_w <= 0 || g.out_c <= 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 1 (%s): filter [1,%d,%d,%d] has an empty "
                          "dimension",
                          w->name, (int)g.f_h, (int)g.f_w, (int)g.out_c);
  /* Like current TFLite, the multiplier comes from the weight shape; the
   * depth_multiplier option is not trusted (old converters wrote 0 or a
   * stale value). */
  if (g.in_c <= 0 || g.out_c % g.in_c != 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "filter channels %d are not a multiple of input "
                          "channels %d",
                          (int)g.out_c, (int)g.in_c);
  g.depth_multiplier = g.out_c / g.in_c;
  const pnn_tensor *bias;
  s = get_bias(node, 2, g.out_c, &bias);
  if (!s) s = conv_spatial(node, &g, opt->padding);
  if (s) return s;
  conv_geom *st = new_geom(node);
  if (!st) return out_of_memory(node);
  *st = g;
  s = depthwise_simd_prepare(node, st, w, bias);
  if (s) return s;
  return resize_nhwc(node, st);
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

static pnn_status read_output_shape(pnn_node *node, const pnn_tensor *t,
                                    int32_t dims[4]) {
  if (t->type != PNN_TYPE_INT32)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "input 0 (%s): output_shape must be int32, got %s",
                          t->name, pnn_type_name(t->type));
  if (!t->is_constant)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "input 0 (%s): output_shape must be constant",
                          t->name);
  if (t->rank != 1 || t->dims[0] != 4)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 0 (%s): output_shape must have shape [4]",
                          t->name);
  const int32_t *v = t->data;
  for (int i = 0; i < 4; i++) {
    if (v[i] < 0)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "input 0 (%s): output_shape[%d] = %d is negative",
                            t->name, i, (int)v[i]);
    dims[i] = v[i];
  }
  return PNN_OK;
}

static pnn_status transpose_conv_prepare(pnn_node *node) {
  if (pnn_q_conv_wanted(node)) return pnn_q_transpose_conv_prepare(node);
  const pnn_transpose_conv_options *opt = &node->options->transpose_conv;
  pnn_tensor *shape, *w, *in;
  pnn_status s = pnn_check_io(node, 3, 4, 1);
  if (!s) s = pnn_require_input(node, 0, &shape);
  if (!s) s = pnn_require_input(node, 1, &w);
  if (!s) s = pnn_require_input(node, 2, &in);
  if (!s) s = check_float4d(node, w, 1, "weights (OHWI)");
  if (!s) s = check_float4d(node, in, 2, "input");
  if (!s)
    s = check_window(node, opt->padding, opt->stride_h, opt->stride_w, 1, 1,
                     opt->fused_activation_function);
  int32_t od[4];
  if (!s) s = read_output_shape(node, shape, od);
  if (s) return s;
  conv_geom g = {
      .batch = in->dims[0],
      .in_h = in->dims[1],
      .in_w = in->dims[2],
      .in_c = in->dims[3],
      .out_h = od[1],
      .out_w = od[2],
      .out_c = od[3],
      .f_h = w->dims[1],
      .f_w = w->dims[2],
      .f_c = w->dims[3],
      .groups = 1,
      .stride_h = opt->stride_h,
      .stride_w = opt->stride_w,
      .dil_h = 1,
      .dil_w = 1,
      .act = opt->fused_activation_function,
      .run = transpose_conv_ref,
  };
  if (g.f_h <= 0 || g.f_w <= 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 1 (%s): weights have an empty spatial "
                          "dimension",
                          w->name);
  if (od[0] != g.batch)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "output_shape batch %d differs from input batch %d",
                          (int)od[0], (int)g.batch);
  if (w->dims[0] != g.out_c)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "output_shape channels %d differ from weights "
                          "output channels %d",
                          (int)g.out_c, (int)w->dims[0]);
  if (g.f_c != g.in_c)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "weights input channels %d differ from input "
                          "channels %d",
                          (int)g.f_c, (int)g.in_c);
  const pnn_tensor *bias;
  s = get_bias(node, 3, g.out_c, &bias);
  if (s) return s;
  if (!extent_ok(g.out_h, g.f_h, g.stride_h, 1) ||
      !extent_ok(g.out_w, g.f_w, g.stride_w, 1) ||
      (int64_t)g.in_h * g.stride_h > INT32_MAX / 2 ||
      (int64_t)g.in_w * g.stride_w > INT32_MAX / 2)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "input, output, filter or stride too large");
  /* TFLite pads as for a forward conv over the output, using the size that
   * conv would produce (not the actual input size, in case they differ). */
  int32_t fwd_h =
      pnn_conv_output_size(opt->padding, g.out_h, g.f_h, g.stride_h, 1);
  int32_t fwd_w =
      pnn_conv_output_size(opt->padding, g.out_w, g.f_w, g.stride_w, 1);
  g.pad_h = pnn_conv_padding_before(opt->padding, g.out_h, g.f_h, g.stride_h, 1,
                                    fwd_h);
  g.pad_w = pnn_conv_padding_before(opt->padding, g.out_w, g.f_w, g.stride_w, 1,
                                    fwd_w);
  conv_geom *st = new_geom(node);
  if (!st) return out_of_memory(node);
  *st = g;
  return resize_nhwc(node, st);
}

static pnn_status transpose_conv_eval(pnn_node *node) {
  if (pnn_q_conv_wanted(node)) return pnn_q_conv_eval(node);
  return conv_eval_common(node, 2, 1, 3);
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
