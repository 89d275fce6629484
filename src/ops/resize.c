/* Image resizing over NHWC: RESIZE_BILINEAR (float32; int8 / int16 in
 * TFLite's 10-bit fixed point; uint8 as TFLite's float blend) and
 * RESIZE_NEAREST_NEIGHBOR (any fixed-size element type; it only copies).
 *
 * Input 1 is the new [height, width] (int32, constant). Source
 * coordinates follow TFLite exactly:
 *   scale = align_corners && out > 1 ? (in - 1) / (out - 1) : in / out
 *   bilinear: src = half_pixel ? (x + 0.5) * scale - 0.5 : x * scale,
 *             lower = max(floor(src), 0), upper = min(ceil(src), in - 1),
 *             weights from src - lower (so a clamped edge stays exact);
 *   nearest:  src = (x + (half_pixel ? 0.5 : 0)) * scale, rounded half away
 *             from zero with align_corners else floored, clamped to
 *             [0, in - 1]. */
#include <string.h>

#include "kernels/f32_vec.h"
#include "ops/common.h"
#include "ops/tensor_util.h"

/* Float bilinear: source rows / columns and weights of every output row
 * and column, computed once at prepare (bilinear_coord, so the same
 * values as the per-pixel reference). */
typedef struct {
  int32_t lo, hi; /* source index below / above */
  float d;        /* weight of hi: src - lo */
} bilinear_tap;

typedef struct {
  int32_t batch, in_h, in_w, ch, out_h, out_w;
  float scale_h, scale_w;
  bool align_corners, half_pixel;
  size_t elem; /* element size in bytes (nearest neighbor) */
  /* float32 bilinear: out_h row taps, out_w column taps, the blend kernel
   * of the active ISA; NULL taps: the reference loop. */
  const bilinear_tap *ty, *tx;
  void (*blend)(const float *, const float *, const float *, const float *,
                float *, size_t, float, float);
} resize_geom;

static float resize_scale(bool align_corners, int32_t in, int32_t out) {
  if (align_corners && out > 1) return (float)(in - 1) / (float)(out - 1);
  return out > 0 ? (float)in / (float)out : 0.f;
}

static pnn_status resize_prepare(pnn_node *node, bool bilinear,
                                 bool align_corners, bool half_pixel) {
  pnn_tensor *in, *size;
  pnn_status s = pnn_check_io(node, 2, 2, 1);
  if (!s) s = pnn_require_input(node, 0, &in);
  if (!s) s = pnn_require_input(node, 1, &size);
  if (s) return s;
  if (bilinear) {
    if (in->type != PNN_TYPE_INT8 && in->type != PNN_TYPE_UINT8 &&
        in->type != PNN_TYPE_INT16) {
      s = pnn_check_type(node, in, 0, PNN_TYPE_FLOAT32);
      if (s) return s;
    }
  } else if ((s = pnn_tu_check_types(node, in, 0, PNN_TYPES_NUMERIC))) {
    return s;
  }
  if (in->rank != 4)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 0 (%s): must be 4-D (NHWC), got rank %d",
                          in->name, (int)in->rank);
  s = pnn_check_type(node, size, 1, PNN_TYPE_INT32);
  if (s) return s;
  if (size->rank != 1 || size->dims[0] != 2)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 1 (%s): size must have shape [2]", size->name);
  if (!size->is_constant)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "input 1 (%s): size must be constant", size->name);
  /* TFLite refuses this combination for bilinear. */
  if (bilinear && align_corners && half_pixel)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "align_corners and half_pixel_centers are both "
                          "set");
  const int32_t *sz = size->data;
  if (sz[0] < 0 || sz[1] < 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 1 (%s): size [%d, %d] is negative", size->name,
                          (int)sz[0], (int)sz[1]);
  resize_geom g = {
      .batch = in->dims[0],
      .in_h = in->dims[1],
      .in_w = in->dims[2],
      .ch = in->dims[3],
      .out_h = sz[0],
      .out_w = sz[1],
      .align_corners = align_corners,
      .half_pixel = half_pixel,
      .elem = pnn_type_size(in->type),
  };
  int32_t dims[4] = {g.batch, g.out_h, g.out_w, g.ch};
  if (pnn_dims_count(dims, 4) < 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "output shape overflows");
  /* An empty input can only produce an empty output. */
  if ((g.in_h == 0 || g.in_w == 0) && pnn_dims_count(dims, 4) > 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 0 (%s): cannot resize an empty image to "
                          "%dx%d",
                          in->name, (int)g.out_h, (int)g.out_w);
  g.scale_h = resize_scale(align_corners, g.in_h, g.out_h);
  g.scale_w = resize_scale(align_corners, g.in_w, g.out_w);
  resize_geom *st = pnn_node_alloc_persistent(node, sizeof(*st));
  if (!st)
    return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY,
                          "out of memory for op state");
  *st = g;
  node->state = st;
  return pnn_node_resize_output(node, 0, in->type, dims, 4);
}

/* ------------------------------------------------------------ bilinear */

static void bilinear_coord(float x, float scale, bool half_pixel, int32_t in,
                           float *src, int32_t *lo, int32_t *hi) {
  *src = half_pixel ? ((float)x + 0.5f) * scale - 0.5f : (float)x * scale;
  int32_t f = (int32_t)floorf(*src), c = (int32_t)ceilf(*src);
  *lo = f < 0 ? 0 : (f < in - 1 ? f : in - 1);
  *hi = c < in - 1 ? c : in - 1;
}

static void bilinear_taps(float scale, bool half_pixel, int32_t in,
                          int32_t out, bilinear_tap *t) {
  for (int32_t x = 0; x < out; x++) {
    float src;
    bilinear_coord((float)x, scale, half_pixel, in, &src, &t[x].lo, &t[x].hi);
    t[x].d = src - (float)t[x].lo;
  }
}

static pnn_status bilinear_prepare(pnn_node *node) {
  const pnn_resize_bilinear_options *o = &node->options->resize_bilinear;
  pnn_status s =
      resize_prepare(node, true, o->align_corners, o->half_pixel_centers);
  if (s || node->inputs[0]->type != PNN_TYPE_FLOAT32) return s;
  resize_geom *g = node->state;
  if (g->in_h == 0 || g->in_w == 0 || g->out_h == 0 || g->out_w == 0)
    return PNN_OK;
  bilinear_tap *ty = pnn_node_alloc_persistent(
      node, sizeof(bilinear_tap) * ((size_t)g->out_h + (size_t)g->out_w));
  if (!ty)
    return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY,
                          "out of memory for %d + %d resize taps",
                          (int)g->out_h, (int)g->out_w);
  bilinear_taps(g->scale_h, g->half_pixel, g->in_h, g->out_h, ty);
  bilinear_taps(g->scale_w, g->half_pixel, g->in_w, g->out_w, ty + g->out_h);
  g->ty = ty;
  g->tx = ty + g->out_h;
  g->blend = pnn_f32_vec_ops_for(pnn_isa_active())->bilinear;
  return PNN_OK;
}

typedef struct {
  const resize_geom *g;
  const float *in;
  float *out;
} bilinear_job;

/* Output rows [begin, end) of batch * out_h, a pixel's channels at once. */
static void bilinear_rows(void *arg, int64_t begin, int64_t end) {
  const bilinear_job *j = arg;
  const resize_geom *g = j->g;
  const size_t ch = (size_t)g->ch, in_row = (size_t)g->in_w * ch;
  for (int64_t r = begin; r < end; r++) {
    const int32_t b = (int32_t)(r / g->out_h), y = (int32_t)(r % g->out_h);
    const bilinear_tap ty = g->ty[y];
    const float *img = j->in + (size_t)b * (size_t)g->in_h * in_row;
    const float *row0 = img + (size_t)ty.lo * in_row;
    const float *row1 = img + (size_t)ty.hi * in_row;
    float *o = j->out + (size_t)r * (size_t)g->out_w * ch;
    for (int32_t x = 0; x < g->out_w; x++, o += ch) {
      const bilinear_tap tx = g->tx[x];
      const size_t c0 = (size_t)tx.lo * ch, c1 = (size_t)tx.hi * ch;
      g->blend(row0 + c0, row0 + c1, row1 + c0, row1 + c1, o, ch, ty.d, tx.d);
    }
  }
}

/* int8 / int16: TFLite's ResizeBilinearInteger, coordinates in 1/1024
 * steps and a 20-bit fixed-point blend rounded half away from zero. */
static void bilinear_coord_q10(int32_t x, int32_t scale_10, bool half_pixel,
                               int32_t in, int32_t *src, int32_t *lo,
                               int32_t *hi) {
  int64_t v = half_pixel ? (int64_t)x * scale_10 + scale_10 / 2 - (1 << 9)
                         : (int64_t)x * scale_10;
  /* The scale is rounded to 1/1024, so on large upscales the source
   * coordinate can run past the last row; both indices are clamped into the
   * image (TFLite's integer kernel leaves the low one unclamped). */
  const int64_t lim = (int64_t)in << 10;
  v = v > lim ? lim : v;
  *src = (int32_t)v;
  int32_t l = *src / (1 << 10), u = (*src + (1 << 10) - 1) / (1 << 10);
  *lo = l > 0 ? (l < in - 1 ? l : in - 1) : 0;
  *hi = u < in - 1 ? u : in - 1;
}

static int32_t scale_q10(bool align_corners, int32_t in, int32_t out) {
  if (align_corners && out > 1)
    return (int32_t)(((int64_t)(1 << 10) * (in - 1) + (out - 1) / 2) /
                     (out - 1));
  return (int32_t)(((int64_t)(1 << 10) * in + out / 2) / out);
}

#define BILINEAR_INT(NAME, T)                                                \
  static void NAME(const resize_geom *g, const T *in, T *out) {             \
    const int32_t sh = scale_q10(g->align_corners, g->in_h, g->out_h);      \
    const int32_t sw = scale_q10(g->align_corners, g->in_w, g->out_w);      \
    const int64_t one = 1 << 10;                                            \
    for (int32_t b = 0; b < g->batch; b++) {                                \
      const T *img = in + (int64_t)b * g->in_h * g->in_w * g->ch;           \
      for (int32_t y = 0; y < g->out_h; y++) {                              \
        int32_t sy, y0, y1;                                                 \
        bilinear_coord_q10(y, sh, g->half_pixel, g->in_h, &sy, &y0, &y1);   \
        const int64_t dy = sy - (int64_t)(1 << 10) * y0;                    \
        for (int32_t x = 0; x < g->out_w; x++) {                            \
          int32_t sx, x0, x1;                                               \
          bilinear_coord_q10(x, sw, g->half_pixel, g->in_w, &sx, &x0, &x1); \
          const int64_t dx = sx - (int64_t)(1 << 10) * x0;                  \
          const T *p00 = img + ((int64_t)y0 * g->in_w + x0) * g->ch;        \
          const T *p01 = img + ((int64_t)y0 * g->in_w + x1) * g->ch;        \
          const T *p10 = img + ((int64_t)y1 * g->in_w + x0) * g->ch;        \
          const T *p11 = img + ((int64_t)y1 * g->in_w + x1) * g->ch;        \
          T *o = out + (((int64_t)b * g->out_h + y) * g->out_w + x) * g->ch; \
          for (int32_t c = 0; c < g->ch; c++) {                             \
            const int64_t v = p00[c] * (one - dy) * (one - dx) +            \
                              p10[c] * dy * (one - dx) +                    \
                              p01[c] * (one - dy) * dx + p11[c] * dy * dx;  \
            const int64_t rnd = v > 0 ? (1 << 19) : -(1 << 19);             \
            o[c] = (T)((v + rnd) / (1 << 20));                              \
          }                                                                 \
        }                                                                   \
      }                                                                     \
    }                                                                       \
  }
BILINEAR_INT(bilinear_i8, int8_t)
BILINEAR_INT(bilinear_i16, int16_t)

/* The float blend of TFLite's reference ResizeBilinear, one output element
 * at a time, stored through STORE: the plain-C float path, and uint8's
 * (ResizeBilinear<uint8_t>: the float blend rounded half away from zero). */
#define BILINEAR_FLOAT(NAME, T, STORE)                                         \
  static void NAME(const resize_geom *g, const T *in, T *out) {                \
    for (int32_t b = 0; b < g->batch; b++) {                                   \
      const T *img = in + (int64_t)b * g->in_h * g->in_w * g->ch;              \
      for (int32_t y = 0; y < g->out_h; y++) {                                 \
        float sy;                                                              \
        int32_t y0, y1;                                                        \
        bilinear_coord((float)y, g->scale_h, g->half_pixel, g->in_h, &sy, &y0, \
                       &y1);                                                   \
        const float dy = sy - (float)y0;                                       \
        for (int32_t x = 0; x < g->out_w; x++) {                               \
          float sx;                                                            \
          int32_t x0, x1;                                                      \
          bilinear_coord((float)x, g->scale_w, g->half_pixel, g->in_w, &sx,    \
                         &x0, &x1);                                            \
          const float dx = sx - (float)x0;                                     \
          const T *p00 = img + ((int64_t)y0 * g->in_w + x0) * g->ch;           \
          const T *p01 = img + ((int64_t)y0 * g->in_w + x1) * g->ch;           \
          const T *p10 = img + ((int64_t)y1 * g->in_w + x0) * g->ch;           \
          const T *p11 = img + ((int64_t)y1 * g->in_w + x1) * g->ch;           \
          T *o = out + (((int64_t)b * g->out_h + y) * g->out_w + x) * g->ch;   \
          for (int32_t c = 0; c < g->ch; c++)                                  \
            o[c] = STORE(p00[c] * (1.f - dy) * (1.f - dx) +                    \
                         p10[c] * dy * (1.f - dx) + p01[c] * (1.f - dy) * dx + \
                         p11[c] * dy * dx);                                    \
        }                                                                      \
      }                                                                        \
    }                                                                          \
  }
static inline float store_f32(float v) {
  return v;
}
static inline uint8_t store_u8(float v) {
  v = roundf(v);
  return (uint8_t)(v < 0.f ? 0.f : (v > 255.f ? 255.f : v));
}
BILINEAR_FLOAT(bilinear_f32_ref, float, store_f32)
BILINEAR_FLOAT(bilinear_u8, uint8_t, store_u8)

static pnn_status bilinear_eval(pnn_node *node) {
  const resize_geom *g = node->state;
  switch (node->inputs[0]->type) {
    case PNN_TYPE_INT8:
      bilinear_i8(g, node->inputs[0]->data, node->outputs[0]->data);
      return PNN_OK;
    case PNN_TYPE_INT16:
      bilinear_i16(g, node->inputs[0]->data, node->outputs[0]->data);
      return PNN_OK;
    case PNN_TYPE_UINT8:
      bilinear_u8(g, node->inputs[0]->data, node->outputs[0]->data);
      return PNN_OK;
    default: break;
  }
  const float *in = node->inputs[0]->data;
  float *out = node->outputs[0]->data;
  if (g->ty) {
    bilinear_job j = {g, in, out};
    if (g->ch > 0)
      pnn_node_parallel_for(node, (int64_t)g->batch * g->out_h, bilinear_rows,
                            &j);
    return PNN_OK;
  }
  /* Reference loop (empty images). */
  bilinear_f32_ref(g, in, out);
  return PNN_OK;
}

/* ----------------------------------------------------- nearest neighbor */

static int32_t nearest_coord(int32_t x, float scale, bool align_corners,
                             bool half_pixel, int32_t in) {
  const float src = ((float)x + (half_pixel ? 0.5f : 0.f)) * scale;
  int32_t v = align_corners ? (int32_t)roundf(src) : (int32_t)floorf(src);
  if (v > in - 1) v = in - 1;
  if (v < 0) v = 0;
  return v;
}

static pnn_status nearest_prepare(pnn_node *node) {
  const pnn_resize_nearest_neighbor_options *o =
      &node->options->resize_nearest_neighbor;
  return resize_prepare(node, false, o->align_corners, o->half_pixel_centers);
}

static pnn_status nearest_eval(pnn_node *node) {
  const resize_geom *g = node->state;
  const uint8_t *in = node->inputs[0]->data;
  uint8_t *out = node->outputs[0]->data;
  const size_t pixel = g->elem * (size_t)g->ch;
  if (pixel == 0) return PNN_OK;
  for (int32_t b = 0; b < g->batch; b++) {
    const uint8_t *img = in + (size_t)b * g->in_h * g->in_w * pixel;
    for (int32_t y = 0; y < g->out_h; y++) {
      int32_t sy = nearest_coord(y, g->scale_h, g->align_corners, g->half_pixel,
                                 g->in_h);
      for (int32_t x = 0; x < g->out_w; x++) {
        int32_t sx = nearest_coord(x, g->scale_w, g->align_corners,
                                   g->half_pixel, g->in_w);
        memcpy(out, img + ((size_t)sy * g->in_w + sx) * pixel, pixel);
        out += pixel;
      }
    }
  }
  return PNN_OK;
}

static const pnn_op_kernel bilinear_kernel = {bilinear_prepare, bilinear_eval};
static const pnn_op_kernel nearest_kernel = {nearest_prepare, nearest_eval};

const pnn_op_entry pnn_ops_resize[] = {
    {PNN_OP_RESIZE_BILINEAR, &bilinear_kernel},
    {PNN_OP_RESIZE_NEAREST_NEIGHBOR, &nearest_kernel},
    {-1, NULL},
};
