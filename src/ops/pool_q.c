/* Quantized AVERAGE_POOL_2D and MAX_POOL_2D over NHWC int8 / uint8 / int16,
 * bit-exact with TFLite's reference integer pooling: the window is clipped
 * to the input, the average is the int32 sum divided by the number of
 * valid cells rounding half away from zero, both are clamped to the fused
 * activation's quantized range. Input and output share scale and zero
 * point (TFLite requires it for int8/int16; uint8 ignores them). */
#include "ops/conv_geom.h"
#include "ops/nn_quant.h"
#include "ops/quant_math.h"
#include "kernels/qs8_vec.h"

typedef struct {
  bool is_max;
  pnn_type type;
  PNN_CONV_GEOM_MEMBERS; /* the window (conv_geom.h); in_c = channels */
  int32_t lo, hi;
  /* int8/uint8 above the scalar level: the qs8 vector pooling kernels,
   * one output pixel per call (NULL: the reference loops). */
  const pnn_qs8_vec_ops *vec;
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
  qpool g = {.is_max = is_max, .type = in->type};
  if ((s = pnn_pool_geom(node, in, &g.geom))) return s;
  /* An int32 sum of int16 values must not overflow. */
  if ((int64_t)g.f_h * g.f_w > 65536)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED, "filter %dx%d too large",
                          (int)g.f_h, (int)g.f_w);
  s = pnn_qm_activation_range(node, opt->fused_activation_function, out, &g.lo,
                              &g.hi);
  if (s) return s;
  qpool *p = pnn_node_alloc_persistent(node, sizeof(*p));
  if (!p)
    return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY,
                          "out of memory for op state");
  *p = g;
  if (in->type != PNN_TYPE_INT16 && pnn_isa_active() != PNN_ISA_SCALAR)
    p->vec = pnn_qs8_vec_ops_for(pnn_isa_active());
  node->state = p;
  return pnn_conv_resize_output(node, &g.geom, in->type);
}

/* Output rows [begin, end) of batch * out_h. */
typedef struct {
  const qpool *g;
  const void *in;
  void *out;
} qpool_job;

/* One output pixel through the vector kernels. */
static void q_pool_pixel_vec(const qpool *g, const uint8_t *in, uint8_t *out,
                             int32_t b, int32_t y0, int32_t y1, int32_t x0,
                             int32_t x1) {
  const size_t c = (size_t)g->in_c;
  if (y1 <= y0 || x1 <= x0) { /* cannot happen: windows always hold a cell */
    for (size_t j = 0; j < c; j++)
      out[j] = (uint8_t)(g->is_max ? g->lo : pnn_qm_clamp(0, g->lo, g->hi));
    return;
  }
  const uint8_t *x = in + (((size_t)b * (size_t)g->in_h + (size_t)y0) *
                               (size_t)g->in_w + (size_t)x0) * c;
  (g->is_max ? g->vec->pool_max : g->vec->pool_avg)(
      x, (size_t)g->in_w * c, y1 - y0, x1 - x0, c, g->type == PNN_TYPE_UINT8,
      g->lo, g->hi, out);
}

static void q_pool_rows(void *arg, int64_t begin, int64_t end) {
  const qpool_job *j = arg;
  const qpool *g = j->g;
  const void *in = j->in;
  void *out = j->out;
  for (int64_t row = begin; row < end; row++) {
    const int32_t b = (int32_t)(row / g->out_h), oy = (int32_t)(row % g->out_h);
    int32_t iy = oy * g->stride_h - g->pad_h;
    int32_t y0 = iy < 0 ? 0 : iy;
    int32_t y1 = iy + g->f_h < g->in_h ? iy + g->f_h : g->in_h;
    for (int32_t ox = 0; ox < g->out_w; ox++) {
      int32_t ix = ox * g->stride_w - g->pad_w;
      int32_t x0 = ix < 0 ? 0 : ix;
      int32_t x1 = ix + g->f_w < g->in_w ? ix + g->f_w : g->in_w;
      int64_t count = (int64_t)(y1 - y0) * (x1 - x0);
      int64_t o = (((int64_t)b * g->out_h + oy) * g->out_w + ox) * g->in_c;
      if (g->vec) {
        q_pool_pixel_vec(g, in, (uint8_t *)out + o, b, y0, y1, x0, x1);
        continue;
      }
      for (int32_t c = 0; c < g->in_c; c++) {
        /* int64: an int16 window of more than 2^16 cells would overflow
         * int32 (the result is the same whenever int32 holds the sum). */
        int64_t acc = g->is_max ? INT32_MIN : 0;
        for (int32_t y = y0; y < y1; y++)
          for (int32_t x = x0; x < x1; x++) {
            int32_t v =
                ld(g->type, in,
                   (((int64_t)b * g->in_h + y) * g->in_w + x) * g->in_c + c);
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
        st(g->type, out, o + c,
           acc < g->lo ? g->lo : acc > g->hi ? g->hi : (int32_t)acc);
      }
    }
  }
}

/* Below this many window cells x channels a pool runs on the calling
 * thread. */
#define QPOOL_PARALLEL_MIN (1 << 16)

pnn_status pnn_q_pool_eval(pnn_node *node) {
  const qpool *g = node->state;
  qpool_job job = {g, node->inputs[0]->data, node->outputs[0]->data};
  const int64_t rows = (int64_t)g->batch * g->out_h;
  const int64_t work = rows * g->out_w * g->in_c * g->f_h * g->f_w;
  if (work < QPOOL_PARALLEL_MIN)
    q_pool_rows(&job, 0, rows);
  else
    pnn_node_parallel_for(node, rows, q_pool_rows, &job);
  return PNN_OK;
}
