/* 2-D pooling over NHWC float32: AVERAGE_POOL_2D, MAX_POOL_2D, L2_POOL_2D.
 *
 * As in TFLite, a window is clipped to the input: padding cells are never
 * counted (average and L2 divide by the number of valid cells), and the
 * fused activation is applied to the pooled value. */
#include <float.h>

#include "kernels/f32_vec.h"
#include "ops/common.h"
#include "ops/nn_quant.h"

enum pool_kind { POOL_AVG, POOL_MAX, POOL_L2 };

typedef struct {
  int32_t batch, in_h, in_w, ch, out_h, out_w;
  int32_t f_h, f_w, stride_h, stride_w, pad_h, pad_w;
  int act;
  const pnn_f32_vec_ops *vec; /* max / add over a pixel's channels */
} pool_geom;

static pnn_status pool_prepare(pnn_node *node) {
  const pnn_pool2d_options *opt = &node->options->pool2d;
  pnn_tensor *in;
  pnn_status s = pnn_check_io(node, 1, 1, 1);
  if (!s) s = pnn_require_input(node, 0, &in);
  if (!s) s = pnn_check_type(node, in, 0, PNN_TYPE_FLOAT32);
  if (s) return s;
  if (in->rank != 4)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 0 (%s): must be 4-D (NHWC), got rank %d",
                          in->name, (int)in->rank);
  if (opt->padding != PNN_PADDING_SAME && opt->padding != PNN_PADDING_VALID)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "padding: unknown value %d", (int)opt->padding);
  if (opt->stride_h <= 0 || opt->stride_w <= 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "stride_h/stride_w must be > 0, got %d/%d",
                          (int)opt->stride_h, (int)opt->stride_w);
  if (opt->filter_height <= 0 || opt->filter_width <= 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "filter_height/filter_width must be > 0, got %d/%d",
                          (int)opt->filter_height, (int)opt->filter_width);
  if (!pnn_activation_supported(opt->fused_activation_function))
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "fused_activation_function %d not supported",
                          (int)opt->fused_activation_function);
  pool_geom g = {
      .batch = in->dims[0],
      .in_h = in->dims[1],
      .in_w = in->dims[2],
      .ch = in->dims[3],
      .f_h = opt->filter_height,
      .f_w = opt->filter_width,
      .stride_h = opt->stride_h,
      .stride_w = opt->stride_w,
      .act = opt->fused_activation_function,
      .vec = pnn_f32_vec_ops_for(pnn_isa_active()),
  };
  /* Keeps every int32 window index (oy * stride - pad + filter) in range. */
  if ((int64_t)g.f_h + 2 * (int64_t)g.stride_h + 2 * (int64_t)g.in_h >=
          INT32_MAX ||
      (int64_t)g.f_w + 2 * (int64_t)g.stride_w + 2 * (int64_t)g.in_w >=
          INT32_MAX)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "input, filter or stride too large");
  g.out_h = pnn_conv_output_size(opt->padding, g.in_h, g.f_h, g.stride_h, 1);
  g.out_w = pnn_conv_output_size(opt->padding, g.in_w, g.f_w, g.stride_w, 1);
  if (g.out_h < 0 || g.out_w < 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "filter %dx%d does not fit input %dx%d with VALID "
                          "padding",
                          (int)g.f_h, (int)g.f_w, (int)g.in_h, (int)g.in_w);
  g.pad_h = pnn_conv_padding_before(opt->padding, g.in_h, g.f_h, g.stride_h, 1,
                                    g.out_h);
  g.pad_w = pnn_conv_padding_before(opt->padding, g.in_w, g.f_w, g.stride_w, 1,
                                    g.out_w);
  /* The window is clipped to the input: at most min(f, in) taps a side. */
  pnn_status ws = pnn_node_check_work(
      node, "output elements x filter_height x filter_width (clipped)",
      pnn_work_mul(g.batch, g.out_h), pnn_work_mul(g.out_w, g.ch),
      pnn_work_mul(g.f_h < g.in_h ? g.f_h : g.in_h,
                   g.f_w < g.in_w ? g.f_w : g.in_w));
  if (ws) return ws;
  pool_geom *st = pnn_node_alloc_persistent(node, sizeof(*st));
  if (!st)
    return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY,
                          "out of memory for op state");
  *st = g;
  node->state = st;
  int32_t dims[4] = {g.batch, g.out_h, g.out_w, g.ch};
  return pnn_node_resize_output(node, 0, PNN_TYPE_FLOAT32, dims, 4);
}

/* Pools the window [y0,y1) x [x0,x1) of image `img` into o[0..ch), using
 * o as the accumulator so the window is read pixel by pixel. */
static void pool_window(enum pool_kind kind, const pool_geom *g,
                        const float *img, int32_t y0, int32_t y1, int32_t x0,
                        int32_t x1, float *o) {
  for (int32_t c = 0; c < g->ch; c++) o[c] = kind == POOL_MAX ? -FLT_MAX : 0.f;
  /* Max and average through the window kernels of the active ISA: the
   * same `v > o ? v : o` and `o + v` per element, taps in the same order
   * (bit-exact), the accumulator in registers across the window. */
  const float *win = img + ((int64_t)y0 * g->in_w + x0) * g->ch;
  const size_t row_stride = (size_t)g->in_w * (size_t)g->ch;
  const size_t rows = y1 > y0 ? (size_t)(y1 - y0) : 0;
  const size_t cols = x1 > x0 ? (size_t)(x1 - x0) : 0;
  if (kind == POOL_MAX) {
    g->vec->pool_max(win, row_stride, rows, cols, (size_t)g->ch, o);
  } else if (kind == POOL_AVG) {
    g->vec->pool_sum(win, row_stride, rows, cols, (size_t)g->ch, o);
  } else {
    for (int32_t y = y0; y < y1; y++)
      for (int32_t x = x0; x < x1; x++) {
        const float *v = img + ((int64_t)y * g->in_w + x) * g->ch;
        for (int32_t c = 0; c < g->ch; c++) o[c] += v[c] * v[c];
      }
  }
  if (kind == POOL_MAX && g->act == 0) return; /* nothing left to apply */
  /* The window always holds a valid cell: SAME pads less than a filter
   * and VALID windows lie inside. Guard anyway rather than divide by 0. */
  const float count = (float)((int64_t)(y1 - y0) * (x1 - x0));
  for (int32_t c = 0; c < g->ch; c++) {
    float r = o[c];
    if (kind == POOL_AVG)
      r = count > 0 ? r / count : 0.f;
    else if (kind == POOL_L2)
      r = count > 0 ? sqrtf(r / count) : 0.f;
    o[c] = pnn_apply_activation(g->act, r);
  }
}

typedef struct {
  enum pool_kind kind;
  const pool_geom *g;
  const float *in;
  float *out;
} pool_job;

/* Output rows [begin, end) of batch * out_h. */
static void pool_rows(void *arg, int64_t begin, int64_t end) {
  const pool_job *j = arg;
  const pool_geom *g = j->g;
  const int64_t img_size = (int64_t)g->in_h * g->in_w * g->ch;
  for (int64_t row = begin; row < end; row++) {
    const int32_t b = (int32_t)(row / g->out_h), oy = (int32_t)(row % g->out_h);
    const float *img = j->in + b * img_size;
    const int32_t iy = oy * g->stride_h - g->pad_h;
    const int32_t y0 = iy < 0 ? 0 : iy;
    const int32_t y1 = iy + g->f_h < g->in_h ? iy + g->f_h : g->in_h;
    for (int32_t ox = 0; ox < g->out_w; ox++) {
      const int32_t ix = ox * g->stride_w - g->pad_w;
      const int32_t x0 = ix < 0 ? 0 : ix;
      const int32_t x1 = ix + g->f_w < g->in_w ? ix + g->f_w : g->in_w;
      float *o = j->out + (row * g->out_w + ox) * g->ch;
      pool_window(j->kind, g, img, y0, y1, x0, x1, o);
    }
  }
}

static pnn_status pool_eval(pnn_node *node, enum pool_kind kind) {
  const pool_geom *g = node->state;
  const float *in = node->inputs[0]->data;
  float *out = node->outputs[0]->data;
  /* Zero-size tensors have no data (NULL): nothing to compute. */
  if (!in || !out) return PNN_OK;
  pool_job j = {kind, g, in, out};
  pnn_node_parallel_for(node, (int64_t)g->batch * g->out_h, pool_rows, &j);
  return PNN_OK;
}

static pnn_status avg_prepare(pnn_node *node) {
  if (pnn_q_pool_wanted(node)) return pnn_q_pool_prepare(node, false);
  return pool_prepare(node);
}
static pnn_status max_prepare(pnn_node *node) {
  if (pnn_q_pool_wanted(node)) return pnn_q_pool_prepare(node, true);
  return pool_prepare(node);
}
static pnn_status avg_eval(pnn_node *node) {
  if (pnn_q_pool_wanted(node)) return pnn_q_pool_eval(node);
  return pool_eval(node, POOL_AVG);
}
static pnn_status max_eval(pnn_node *node) {
  if (pnn_q_pool_wanted(node)) return pnn_q_pool_eval(node);
  return pool_eval(node, POOL_MAX);
}
static pnn_status l2_eval(pnn_node *node) {
  return pool_eval(node, POOL_L2);
}

static const pnn_op_kernel avg_kernel = {avg_prepare, avg_eval};
static const pnn_op_kernel max_kernel = {max_prepare, max_eval};
static const pnn_op_kernel l2_kernel = {pool_prepare, l2_eval};

const pnn_op_entry pnn_ops_pool[] = {
    {PNN_OP_AVERAGE_POOL_2D, &avg_kernel},
    {PNN_OP_MAX_POOL_2D, &max_kernel},
    {PNN_OP_L2_POOL_2D, &l2_kernel},
    {-1, NULL},
};
