/* Quantized AVERAGE_POOL_2D and MAX_POOL_2D over NHWC int8 / uint8 / int16,
 * bit-exact with TFLite's reference integer pooling: the window is clipped
 * to the input, the average is the int32 sum divided by the number of
 * valid cells rounding half away from zero, both are clamped to the fused
 * activation's quantized range. Input and output share scale and zero
 * point (TFLite requires it for int8/int16; uint8 ignores them). */
#include "ops/nn_quant.h"
#include "ops/quant_math.h"

typedef struct {
  bool is_max;
  pnn_type type;
  int32_t batch, in_h, in_w, ch, out_h, out_w;
  int32_t f_h, f_w, stride_h, stride_w, pad_h, pad_w;
  int32_t lo, hi;
} qpool;

static int32_t ld(pnn_type t, const void *p, int64_t i) {
  switch (t) {
    case PNN_TYPE_UINT8: return ((const uint8_t *)p)[i];
    case PNN_TYPE_INT16: return ((const int16_t *)p)[i];
    default: return ((const int8_t *)p)[i];
  }
}

static void st(pnn_type t, void *p, int64_t i, int32_t v) {
  switch (t) {
    case PNN_TYPE_UINT8: ((uint8_t *)p)[i] = (uint8_t)v; break;
    case PNN_TYPE_INT16: ((int16_t *)p)[i] = (int16_t)v; break;
    default: ((int8_t *)p)[i] = (int8_t)v; break;
  }
}

pnn_status pnn_q_pool_prepare(pnn_node *node, bool is_max) {
  const pnn_pool2d_options *opt = &node->options->pool2d;
  pnn_tensor *in, *out = node->outputs[0];
  pnn_status s = pnn_check_io(node, 1, 1, 1);
  if (!s) s = pnn_require_input(node, 0, &in);
  if (s) return s;
  if (in->type != PNN_TYPE_INT8 && in->type != PNN_TYPE_UINT8 &&
      in->type != PNN_TYPE_INT16)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "input 0 (%s): type %s not supported", in->name,
                          pnn_type_name(in->type));
  if (out->type != in->type)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "output (%s) type %s differs from input type %s",
                          out->name, pnn_type_name(out->type),
                          pnn_type_name(in->type));
  if (in->rank != 4)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 0 (%s): must be 4-D (NHWC), got rank %d",
                          in->name, (int)in->rank);
  if (opt->padding != PNN_PADDING_SAME && opt->padding != PNN_PADDING_VALID)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "padding: unknown value %d", (int)opt->padding);
  if (opt->stride_h <= 0 || opt->stride_w <= 0 || opt->filter_height <= 0 ||
      opt->filter_width <= 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "strides %dx%d and filter %dx%d must be > 0",
                          (int)opt->stride_h, (int)opt->stride_w,
                          (int)opt->filter_height, (int)opt->filter_width);
  if ((s = pnn_qm_require_scale(node, in, "input 0")) ||
      (s = pnn_qm_require_scale(node, out, "output")))
    return s;
  if (in->type != PNN_TYPE_UINT8 &&
      (pnn_qm_scale(in, 0) != pnn_qm_scale(out, 0) ||
       in->zero_point != out->zero_point))
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "input and output quantization differ (scale %g/%g, "
                          "zero point %d/%d)",
                          pnn_qm_scale(in, 0), pnn_qm_scale(out, 0),
                          (int)in->zero_point, (int)out->zero_point);
  qpool g = {
      .is_max = is_max,
      .type = in->type,
      .batch = in->dims[0],
      .in_h = in->dims[1],
      .in_w = in->dims[2],
      .ch = in->dims[3],
      .f_h = opt->filter_height,
      .f_w = opt->filter_width,
      .stride_h = opt->stride_h,
      .stride_w = opt->stride_w,
  };
  if ((int64_t)g.f_h + 2 * (int64_t)g.stride_h + 2 * (int64_t)g.in_h >=
          INT32_MAX ||
      (int64_t)g.f_w + 2 * (int64_t)g.stride_w + 2 * (int64_t)g.in_w >=
          INT32_MAX)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "input, filter or stride too large");
  /* An int32 sum of int16 values must not overflow. */
  if ((int64_t)g.f_h * g.f_w > 65536)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "filter %dx%d too large", (int)g.f_h, (int)g.f_w);
  g.out_h = pnn_conv_output_size(opt->padding, g.in_h, g.f_h, g.stride_h, 1);
  g.out_w = pnn_conv_output_size(opt->padding, g.in_w, g.f_w, g.stride_w, 1);
  if (g.out_h < 0 || g.out_w < 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "filter %dx%d does not fit input %dx%d",
                          (int)g.f_h, (int)g.f_w, (int)g.in_h, (int)g.in_w);
  g.pad_h = pnn_conv_padding_before(opt->padding, g.in_h, g.f_h, g.stride_h, 1,
                                    g.out_h);
  g.pad_w = pnn_conv_padding_before(opt->padding, g.in_w, g.f_w, g.stride_w, 1,
                                    g.out_w);
  s = pnn_qm_activation_range(node, opt->fused_activation_function, out, &g.lo,
                              &g.hi);
  if (s) return s;
  qpool *p = pnn_node_alloc_persistent(node, sizeof(*p));
  if (!p)
    return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY,
                          "out of memory for op state");
  *p = g;
  node->state = p;
  int32_t dims[4] = {g.batch, g.out_h, g.out_w, g.ch};
  return pnn_node_resize_output(node, 0, in->type, dims, 4);
}

pnn_status pnn_q_pool_eval(pnn_node *node) {
  const qpool *g = node->state;
  const void *in = node->inputs[0]->data;
  void *out = node->outputs[0]->data;
  for (int32_t b = 0; b < g->batch; b++)
    for (int32_t oy = 0; oy < g->out_h; oy++) {
      int32_t iy = oy * g->stride_h - g->pad_h;
      int32_t y0 = iy < 0 ? 0 : iy;
      int32_t y1 = iy + g->f_h < g->in_h ? iy + g->f_h : g->in_h;
      for (int32_t ox = 0; ox < g->out_w; ox++) {
        int32_t ix = ox * g->stride_w - g->pad_w;
        int32_t x0 = ix < 0 ? 0 : ix;
        int32_t x1 = ix + g->f_w < g->in_w ? ix + g->f_w : g->in_w;
        int32_t count = (y1 - y0) * (x1 - x0);
        int64_t o = (((int64_t)b * g->out_h + oy) * g->out_w + ox) * g->ch;
        for (int32_t c = 0; c < g->ch; c++) {
          int32_t acc = g->is_max ? INT32_MIN : 0;
          for (int32_t y = y0; y < y1; y++)
            for (int32_t x = x0; x < x1; x++) {
              int32_t v = ld(g->type, in,
                             (((int64_t)b * g->in_h + y) * g->in_w + x) *
                                     g->ch + c);
              if (g->is_max)
                acc = v > acc ? v : acc;
              else
                acc += v;
            }
          if (!g->is_max) {
            if (count <= 0)
              acc = 0; /* cannot happen: windows always hold a cell */
            else
              acc = acc > 0 ? (acc + count / 2) / count
                            : (acc - count / 2) / count;
          } else if (count <= 0) {
            acc = g->lo;
          }
          st(g->type, out, o + c, pnn_qm_clamp(acc, g->lo, g->hi));
        }
      }
    }
  return PNN_OK;
}
