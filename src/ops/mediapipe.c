/* The MediaPipe custom ops found in its published models, registered by
 * custom_code:
 *
 *   Convolution2DTransposeBias  transpose conv with bias (selfie_segmentation)
 *   MaxPoolingWithArgmax2D      max pool + window-relative argmax
 *   MaxUnpooling2D              scatter back through those indices
 *   TransformLandmarks (v2)     2-D affine transform of landmark x, y
 *   TransformTensorBilinear (v2) affine warp of an NHWC tensor
 *   Landmarks2TransformMatrix (v2) crop matrix from landmark positions
 *   (the last three are used by face_landmark_with_attention)
 *
 * Semantics follow the .cc files in mediapipe/util/tflite/operations/,
 * including where they compute in double or in a set order, so results
 * agree to float rounding. Options come in two encodings: the first three
 * ops store a raw C struct (TfLiteTransposeConvParams / TfLitePoolParams:
 * int32 fields, little-endian), the transform ops a FlexBuffers map, read
 * here by a small bounds-checked reader. Everything from the model is checked
 * at prepare; MediaPipe's reference kernels trust it instead. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "kernels/f32_deconv.h"
#include "ops/common.h"
#include "ops/tensor_util.h"

/* ======================================================== options bytes */

static const uint8_t *custom_options(const pnn_node *node, size_t *size) {
  *size = 0;
  if (!node->def || !node->def->custom_options) return NULL;
  *size = (size_t)node->def->custom_options_size;
  return node->def->custom_options;
}

static int32_t read_le_i32(const uint8_t *p) {
  uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
               (uint32_t)p[3] << 24;
  return (int32_t)v;
}

/* Reads the first n int32 fields of a raw C options struct. */
static pnn_status raw_options(pnn_node *node, const char *what, int n,
                              int32_t *out) {
  size_t size;
  const uint8_t *p = custom_options(node, &size);
  if (!p || size < (size_t)n * 4)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "custom options (%s): %zu bytes, need at least %d",
                          what, p ? size : 0, n * 4);
  for (int i = 0; i < n; i++) out[i] = read_le_i32(p + 4 * i);
  return PNN_OK;
}

/* TfLitePadding in raw custom options. */
enum { TFL_PADDING_SAME = 1, TFL_PADDING_VALID = 2 };

/* ======================================================== FlexBuffers */

/* FlexBuffers types used here (flexbuffers.h). */
enum {
  FB_NULL = 0,
  FB_INT = 1,
  FB_UINT = 2,
  FB_FLOAT = 3,
  FB_KEY = 4,
  FB_INDIRECT_INT = 6,
  FB_INDIRECT_UINT = 7,
  FB_INDIRECT_FLOAT = 8,
  FB_MAP = 9,
  FB_VECTOR = 10,
  FB_VECTOR_INT = 11,
  FB_VECTOR_UINT = 12,
  FB_VECTOR_FLOAT = 13,
  FB_VECTOR_KEY = 14,
  FB_VECTOR_INT2 = 16,
  FB_VECTOR_FLOAT4 = 24,
  FB_BOOL = 26,
  FB_VECTOR_BOOL = 36,
};

/* A value: `width` bytes at `off` (inline scalar, or an offset back to
 * the real data for vectors, maps and indirect scalars); `child_width` is
 * the element width of what an offset points to. */
typedef struct {
  const uint8_t *buf;
  size_t size;
  size_t off;
  uint8_t width, child_width, type;
} fb_ref;

/* A vector's elements: `count` of `width` bytes from `data`; typed
 * vectors have one element type, untyped ones a type byte per element. */
typedef struct {
  const uint8_t *buf;
  size_t size;
  size_t data;
  uint64_t count;
  uint8_t width, elem_type;
  bool typed;
} fb_vec;

static bool fb_width_ok(unsigned w) {
  return w == 1 || w == 2 || w == 4 || w == 8;
}

static bool fb_uint_at(const uint8_t *buf, size_t size, size_t off,
                       unsigned width, uint64_t *v) {
  if (!fb_width_ok(width) || off > size || size - off < width) return false;
  uint64_t r = 0;
  for (unsigned i = 0; i < width; i++) r |= (uint64_t)buf[off + i] << (8 * i);
  *v = r;
  return true;
}

static bool fb_int_at(const uint8_t *buf, size_t size, size_t off,
                      unsigned width, int64_t *v) {
  uint64_t u;
  if (!fb_uint_at(buf, size, off, width, &u)) return false;
  if (width < 8 && (u >> (8 * width - 1)) & 1) u |= ~UINT64_C(0) << (8 * width);
  *v = (int64_t)u;
  return true;
}

static bool fb_float_at(const uint8_t *buf, size_t size, size_t off,
                        unsigned width, double *v) {
  uint64_t u;
  if ((width != 4 && width != 8) || !fb_uint_at(buf, size, off, width, &u))
    return false;
  if (width == 4) {
    uint32_t b = (uint32_t)u;
    float f;
    memcpy(&f, &b, sizeof f);
    *v = f;
  } else {
    memcpy(v, &u, sizeof *v);
  }
  return true;
}

/* Follows the offset stored at r (offsets point backwards). */
static bool fb_deref(const fb_ref *r, size_t *target) {
  uint64_t delta;
  if (!fb_uint_at(r->buf, r->size, r->off, r->width, &delta)) return false;
  if (delta > r->off) return false;
  *target = r->off - (size_t)delta;
  return true;
}

static bool fb_root(const uint8_t *buf, size_t size, fb_ref *r) {
  if (!buf || size < 3) return false;
  unsigned width = buf[size - 1];
  uint8_t packed = buf[size - 2];
  if (!fb_width_ok(width) || size - 2 < width) return false;
  *r = (fb_ref){buf,
                size,
                size - 2 - width,
                (uint8_t)width,
                (uint8_t)(1u << (packed & 3)),
                (uint8_t)(packed >> 2)};
  return true;
}

static bool fb_as_int(const fb_ref *r, int64_t *v) {
  size_t t;
  double d;
  uint64_t u;
  switch (r->type) {
    case FB_NULL: *v = 0; return true;
    case FB_INT: return fb_int_at(r->buf, r->size, r->off, r->width, v);
    case FB_UINT:
    case FB_BOOL:
      if (!fb_uint_at(r->buf, r->size, r->off, r->width, &u) || u > INT64_MAX)
        return false;
      *v = (int64_t)u;
      return true;
    case FB_INDIRECT_INT:
      return fb_deref(r, &t) &&
             fb_int_at(r->buf, r->size, t, r->child_width, v);
    case FB_INDIRECT_UINT:
      if (!fb_deref(r, &t) ||
          !fb_uint_at(r->buf, r->size, t, r->child_width, &u) || u > INT64_MAX)
        return false;
      *v = (int64_t)u;
      return true;
    case FB_FLOAT:
    case FB_INDIRECT_FLOAT:
      if (r->type == FB_FLOAT
              ? !fb_float_at(r->buf, r->size, r->off, r->width, &d)
              : (!fb_deref(r, &t) ||
                 !fb_float_at(r->buf, r->size, t, r->child_width, &d)))
        return false;
      if (!(d > -9.2e18 && d < 9.2e18)) return false; /* NaN, huge */
      *v = (int64_t)d; /* truncates, as flexbuffers' AsInt */
      return true;
    default: return false;
  }
}

static bool fb_as_double(const fb_ref *r, double *v) {
  size_t t;
  int64_t i;
  if (r->type == FB_FLOAT)
    return fb_float_at(r->buf, r->size, r->off, r->width, v);
  if (r->type == FB_INDIRECT_FLOAT)
    return fb_deref(r, &t) &&
           fb_float_at(r->buf, r->size, t, r->child_width, v);
  if (!fb_as_int(r, &i)) return false;
  *v = (double)i;
  return true;
}

static bool fb_as_vector(const fb_ref *r, fb_vec *v) {
  size_t data;
  if (!fb_deref(r, &data)) return false;
  *v = (fb_vec){r->buf, r->size, data, 0, r->child_width, 0, true};
  uint64_t count;
  if (r->type >= FB_VECTOR_INT2 && r->type <= FB_VECTOR_FLOAT4) {
    /* Fixed-length typed vectors: 2, 3 or 4 of INT, UINT or FLOAT. */
    int k = r->type - FB_VECTOR_INT2;
    count = (uint64_t)(k / 3 + 2);
    v->elem_type = (uint8_t)(FB_INT + k % 3);
  } else {
    if (data < v->width ||
        !fb_uint_at(r->buf, r->size, data - v->width, v->width, &count))
      return false;
    if (r->type == FB_VECTOR || r->type == FB_MAP)
      v->typed = false;
    else if (r->type >= FB_VECTOR_INT && r->type <= FB_VECTOR_KEY)
      v->elem_type = (uint8_t)(FB_INT + (r->type - FB_VECTOR_INT));
    else if (r->type == FB_VECTOR_BOOL)
      v->elem_type = FB_BOOL;
    else
      return false;
  }
  /* Elements (and an untyped vector's type bytes) lie inside the buffer. */
  uint64_t per = (uint64_t)v->width + (v->typed ? 0 : 1);
  if (count > (r->size - data) / per) return false;
  v->count = count;
  return true;
}

static bool fb_vec_at(const fb_vec *v, uint64_t i, fb_ref *r) {
  if (i >= v->count) return false;
  size_t off = v->data + (size_t)i * v->width;
  uint8_t type = v->elem_type, child = 1;
  if (!v->typed) {
    uint8_t packed = v->buf[v->data + (size_t)v->count * v->width + i];
    type = (uint8_t)(packed >> 2);
    child = (uint8_t)(1u << (packed & 3));
  }
  *r = (fb_ref){v->buf, v->size, off, v->width, child, type};
  return true;
}

/* The NUL-terminated key string a KEY element points to. */
static const char *fb_key_string(const fb_ref *r) {
  size_t t;
  if (!fb_deref(r, &t) || !memchr(r->buf + t, 0, r->size - t)) return NULL;
  return (const char *)r->buf + t;
}

/* Looks `key` up in map m: *found false (and *out NULL type) if absent.
 * Returns false when the map is malformed. */
static bool fb_map_get(const fb_ref *m, const char *key, fb_ref *out,
                       bool *found) {
  *found = false;
  *out = (fb_ref){m->buf, m->size, 0, 1, 1, FB_NULL};
  fb_vec values;
  if (m->type != FB_MAP || !fb_as_vector(m, &values)) return false;
  /* Before the values: keys offset, keys byte width, count. */
  size_t w = values.width;
  if (values.data < 3 * w) return false;
  uint64_t keys_width;
  if (!fb_uint_at(m->buf, m->size, values.data - 2 * w, (unsigned)w,
                  &keys_width) ||
      !fb_width_ok((unsigned)keys_width))
    return false;
  fb_ref keys_ref = {m->buf,
                     m->size,
                     values.data - 3 * w,
                     (uint8_t)w,
                     (uint8_t)keys_width,
                     FB_VECTOR_KEY};
  fb_vec keys;
  if (!fb_as_vector(&keys_ref, &keys) || keys.count != values.count)
    return false;
  for (uint64_t i = 0; i < keys.count; i++) {
    fb_ref k;
    if (!fb_vec_at(&keys, i, &k)) return false;
    const char *s = fb_key_string(&k);
    if (!s) return false;
    if (strcmp(s, key) == 0) {
      *found = true;
      return fb_vec_at(&values, i, out);
    }
  }
  return true;
}

/* Options map of a FlexBuffers-encoded custom op. */
static pnn_status fb_options_map(pnn_node *node, fb_ref *map) {
  size_t size;
  const uint8_t *p = custom_options(node, &size);
  if (!fb_root(p, size, map) || map->type != FB_MAP)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "custom options: not a FlexBuffers map");
  return PNN_OK;
}

/* Reads map[key] as an integer into *i when i is given, else as a
 * double into *d; either is left as it is when the key is absent. */
static pnn_status fb_get_number(pnn_node *node, const fb_ref *map,
                                const char *key, int64_t *i, double *d) {
  fb_ref r;
  bool found;
  if (!fb_map_get(map, key, &r, &found) ||
      (found && !(i ? fb_as_int(&r, i) : fb_as_double(&r, d))))
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "custom options: %s is malformed", key);
  return PNN_OK;
}

/* Reads map[key] as an int32 (0 when absent, as flexbuffers does). */
static pnn_status fb_get_i32(pnn_node *node, const fb_ref *map, const char *key,
                             int32_t *v) {
  int64_t i = 0;
  pnn_status s = fb_get_number(node, map, key, &i, NULL);
  if (s) return s;
  if (i < INT32_MIN || i > INT32_MAX)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "custom options: %s = %lld out of int32 range", key,
                          (long long)i);
  *v = (int32_t)i;
  return PNN_OK;
}

static pnn_status fb_get_f32(pnn_node *node, const fb_ref *map, const char *key,
                             float *v) {
  double d = 0;
  pnn_status s = fb_get_number(node, map, key, NULL, &d);
  if (s) return s;
  *v = (float)d;
  return PNN_OK;
}

/* ================================================= shared op checks */

static pnn_status float_input(pnn_node *node, int i, int rank,
                              pnn_tensor **out) {
  pnn_status s = pnn_require_input(node, i, out);
  if (!s) s = pnn_check_type(node, *out, i, PNN_TYPE_FLOAT32);
  if (s) return s;
  if (rank >= 0 && (*out)->rank != rank)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input %d (%s): must be %d-D, got rank %d", i,
                          (*out)->name, rank, (int)(*out)->rank);
  if (pnn_tensor_count(*out) < 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input %d (%s): element count overflows", i,
                          (*out)->name);
  return PNN_OK;
}

static pnn_status require_version2(pnn_node *node) {
  if (node->version == 2) return PNN_OK;
  return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                        "version %d not supported (only version 2)",
                        (int)node->version);
}

static void *alloc_state(pnn_node *node, size_t bytes) {
  void *p = pnn_node_alloc_persistent(node, bytes);
  if (!p)
    pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY, "out of memory for op state");
  node->state = p;
  return p;
}

/* Output dims must fit int32 and their product must be countable. */
static pnn_status check_out_dims(pnn_node *node, const int64_t *d, int rank,
                                 int32_t *out) {
  for (int i = 0; i < rank; i++) {
    if (d[i] < 0 || d[i] > INT32_MAX)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "output dim %d = %lld out of range", i,
                            (long long)d[i]);
    out[i] = (int32_t)d[i];
  }
  if (pnn_dims_count(out, rank) < 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "output element count overflows");
  return PNN_OK;
}

/* ========================================= Convolution2DTransposeBias */

/* Inputs: data [N,H,W,Cin], weights [Cout,KH,KW,Cin] (OHWI), bias [Cout].
 * out = bias + sum of input * weight scattered through the stride. */
typedef struct {
  int32_t n, in_h, in_w, in_c, out_h, out_w, out_c, k_h, k_w;
  int32_t stride_h, stride_w, pad_h, pad_w;
  const pnn_f32_deconv *gemm; /* packed GEMM path, or NULL: the loops */
} tconv_state;

/* Constant weights and bias: the transpose conv runs on the packed GEMM
 * (src/kernels/f32_deconv.c), weights packed here once. Otherwise, or if
 * the band scratch would be too large, tconv_eval's reference loops. */
static pnn_status tconv_gemm_prepare(pnn_node *node, tconv_state *st) {
  const pnn_tensor *w = node->inputs[1], *bias = node->inputs[2];
  if (!w->is_constant || !bias->is_constant) return PNN_OK;
  const pnn_f32_deconv_shape sh = {
      st->n,        st->in_h,  st->in_w,  st->in_c, st->out_h,
      st->out_w,    st->out_c, st->k_h,   st->k_w,  st->stride_h,
      st->stride_w, st->pad_h, st->pad_w, 0};
  const pnn_isa isa = pnn_isa_active();
  const size_t bytes = pnn_f32_deconv_weight_bytes(&sh, isa);
  if (!bytes) return PNN_OK;
  pnn_f32_deconv *dc = pnn_node_alloc_persistent(node, sizeof *dc);
  void *mem = pnn_node_alloc_persistent(node, bytes);
  if (!dc || !mem)
    return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY,
                          "out of memory for packed weights (%zu bytes)",
                          bytes);
  pnn_f32_deconv_init(dc, &sh, isa, w->data, bias->data, mem);
  const size_t scratch = pnn_f32_deconv_scratch_bytes(dc);
  if (scratch == SIZE_MAX) return PNN_OK;
  pnn_status s = pnn_node_request_scratch(node, scratch);
  if (s) return s;
  st->gemm = dc;
  pnn_node_input_packed(node, 1); /* eval reads the packed copies only */
  pnn_node_input_packed(node, 2);
  return PNN_OK;
}

static void tconv_parallel(void *ctx, int64_t n, pnn_f32_range_fn fn,
                           void *arg) {
  pnn_node_parallel_for(ctx, n, fn, arg);
}

static pnn_status tconv_prepare(pnn_node *node) {
  pnn_tensor *in, *w, *bias;
  pnn_status s = pnn_check_io(node, 3, 3, 1);
  if (!s) s = float_input(node, 0, 4, &in);
  if (!s) s = float_input(node, 1, 4, &w);
  if (!s) s = float_input(node, 2, 1, &bias);
  if (s) return s;
  int32_t o[3]; /* padding, stride_width, stride_height */
  s = raw_options(node, "TfLiteTransposeConvParams", 3, o);
  if (s) return s;
  if (o[0] != TFL_PADDING_SAME && o[0] != TFL_PADDING_VALID)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "padding: unknown value %d", (int)o[0]);
  if (o[1] <= 0 || o[2] <= 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "stride_width/stride_height must be > 0, got %d/%d",
                          (int)o[1], (int)o[2]);
  if (w->dims[3] != in->dims[3])
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 1 (%s): %d input channels, input 0 has %d",
                          w->name, (int)w->dims[3], (int)in->dims[3]);
  if (bias->dims[0] != w->dims[0])
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 2 (%s): %d values, weights have %d outputs",
                          bias->name, (int)bias->dims[0], (int)w->dims[0]);
  if (in->dims[1] < 1 || in->dims[2] < 1 || w->dims[1] < 1 || w->dims[2] < 1)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input and filter height/width must be > 0");
  tconv_state *st = alloc_state(node, sizeof *st);
  if (!st) return PNN_ERROR_OUT_OF_MEMORY;
  *st = (tconv_state){.n = in->dims[0],
                      .in_h = in->dims[1],
                      .in_w = in->dims[2],
                      .in_c = in->dims[3],
                      .out_c = w->dims[0],
                      .k_h = w->dims[1],
                      .k_w = w->dims[2],
                      .stride_w = o[1],
                      .stride_h = o[2]};
  /* MediaPipe's output size: the full transpose conv minus SAME's total
   * padding, of which the leading half is cut from the top/left. */
  int64_t pad_h = 0, pad_w = 0;
  if (o[0] == TFL_PADDING_SAME) {
    pad_h = st->k_h - (st->in_h - 1) % st->stride_h - 1;
    pad_w = st->k_w - (st->in_w - 1) % st->stride_w - 1;
    pad_h = pad_h < 0 ? 0 : pad_h;
    pad_w = pad_w < 0 ? 0 : pad_w;
  }
  st->pad_h = (int32_t)(pad_h / 2);
  st->pad_w = (int32_t)(pad_w / 2);
  int64_t d[4] = {
      st->n, (int64_t)st->stride_h * (st->in_h - 1) + st->k_h - pad_h,
      (int64_t)st->stride_w * (st->in_w - 1) + st->k_w - pad_w, st->out_c};
  int32_t dims[4];
  s = check_out_dims(node, d, 4, dims);
  if (s) return s;
  st->out_h = dims[1];
  st->out_w = dims[2];
  /* max_op_work: every input element scattered over the whole filter. */
  s = pnn_node_check_work(
      node, "input elements x filter taps x output channels",
      pnn_work_mul(st->n, st->in_h), pnn_work_mul(st->in_w, st->in_c),
      pnn_work_mul(pnn_work_mul(st->k_h, st->k_w), st->out_c));
  if (!s) s = tconv_gemm_prepare(node, st);
  if (s) return s;
  return pnn_node_resize_output(node, 0, PNN_TYPE_FLOAT32, dims, 4);
}

static pnn_status tconv_eval(pnn_node *node) {
  const tconv_state *g = node->state;
  if (g->gemm) {
    pnn_f32_deconv_run(g->gemm, node->inputs[0]->data, node->outputs[0]->data,
                       node->scratch, tconv_parallel, node);
    return PNN_OK;
  }
  const float *in = node->inputs[0]->data, *w = node->inputs[1]->data;
  const float *bias = node->inputs[2]->data;
  float *out = node->outputs[0]->data;
  const int64_t out_img = (int64_t)g->out_h * g->out_w * g->out_c;
  const int64_t in_img = (int64_t)g->in_h * g->in_w * g->in_c;
  for (int32_t b = 0; b < g->n; b++) {
    float *o = out + b * out_img;
    for (int64_t i = 0; i < (int64_t)g->out_h * g->out_w; i++)
      memcpy(o + i * g->out_c, bias, sizeof(float) * (size_t)g->out_c);
    /* Scatter every input cell through the filter, in MediaPipe's loop
     * order so the sums round the same way. */
    for (int32_t iy = 0; iy < g->in_h; iy++)
      for (int32_t ix = 0; ix < g->in_w; ix++)
        for (int32_t ic = 0; ic < g->in_c; ic++) {
          const float v =
              in[b * in_img + ((int64_t)iy * g->in_w + ix) * g->in_c + ic];
          const int64_t oy0 = (int64_t)iy * g->stride_h - g->pad_h;
          const int64_t ox0 = (int64_t)ix * g->stride_w - g->pad_w;
          for (int32_t fy = 0; fy < g->k_h; fy++) {
            const int64_t oy = oy0 + fy;
            if (oy < 0 || oy >= g->out_h) continue;
            for (int32_t fx = 0; fx < g->k_w; fx++) {
              const int64_t ox = ox0 + fx;
              if (ox < 0 || ox >= g->out_w) continue;
              float *cell = o + (oy * g->out_w + ox) * g->out_c;
              for (int32_t oc = 0; oc < g->out_c; oc++)
                cell[oc] +=
                    v *
                    w[(((int64_t)oc * g->k_h + fy) * g->k_w + fx) * g->in_c +
                      ic];
            }
          }
        }
  }
  return PNN_OK;
}

/* ================================== MaxPoolingWithArgmax2D / Unpooling */

/* TfLitePoolParams: padding, stride_width, stride_height, filter_width,
 * filter_height, activation (int32 each). */
typedef struct {
  int32_t n, in_h, in_w, c, out_h, out_w;
  int32_t f_h, f_w, stride_h, stride_w, pad_h, pad_w;
  float act_min, act_max;
} mp_pool_state;

/* Reads TfLitePoolParams; *padding gets PNN_PADDING_SAME/VALID. */
static pnn_status pool_params(pnn_node *node, mp_pool_state *g, int *padding) {
  int32_t o[6];
  pnn_status s = raw_options(node, "TfLitePoolParams", 6, o);
  if (s) return s;
  if (o[0] != TFL_PADDING_SAME && o[0] != TFL_PADDING_VALID)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "padding: unknown value %d", (int)o[0]);
  *padding = o[0] == TFL_PADDING_SAME ? PNN_PADDING_SAME : PNN_PADDING_VALID;
  if (o[1] <= 0 || o[2] <= 0 || o[3] <= 0 || o[4] <= 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "stride (%d, %d) and filter (%d, %d) must be > 0",
                          (int)o[1], (int)o[2], (int)o[3], (int)o[4]);
  g->stride_w = o[1];
  g->stride_h = o[2];
  g->f_w = o[3];
  g->f_h = o[4];
  g->act_min = -FLT_MAX;
  g->act_max = FLT_MAX;
  if (o[5] != PNN_ACT_NONE &&
      !pnn_activation_range_f32(o[5], &g->act_min, &g->act_max))
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "activation %d not supported", (int)o[5]);
  return PNN_OK;
}

/* The node's pooling state over the NHWC input `in`: the options read
 * (pool_params), the input dims set. */
static pnn_status pool_state_new(pnn_node *node, const pnn_tensor *in,
                                 mp_pool_state **out, int *padding) {
  mp_pool_state *g = alloc_state(node, sizeof *g);
  if (!g) return PNN_ERROR_OUT_OF_MEMORY;
  pnn_status s = pool_params(node, g, padding);
  if (s) return s;
  g->n = in->dims[0];
  g->in_h = in->dims[1];
  g->in_w = in->dims[2];
  g->c = in->dims[3];
  *out = g;
  return PNN_OK;
}

static pnn_status argmax_prepare(pnn_node *node) {
  pnn_tensor *in;
  pnn_status s = pnn_check_io(node, 1, 1, 2);
  if (!s) s = float_input(node, 0, 4, &in);
  if (s) return s;
  mp_pool_state *g;
  int padding;
  if ((s = pool_state_new(node, in, &g, &padding))) return s;
  /* Keeps the int32 window arithmetic below in range. */
  if ((int64_t)g->f_h + 2 * (int64_t)g->stride_h + 2 * (int64_t)g->in_h >=
          INT32_MAX ||
      (int64_t)g->f_w + 2 * (int64_t)g->stride_w + 2 * (int64_t)g->in_w >=
          INT32_MAX ||
      (int64_t)g->f_h * g->f_w >= (1 << 24)) /* exact as a float index */
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "input, filter or stride too large");
  g->out_h = pnn_conv_output_size(padding, g->in_h, g->f_h, g->stride_h, 1);
  g->out_w = pnn_conv_output_size(padding, g->in_w, g->f_w, g->stride_w, 1);
  if (g->out_h < 0 || g->out_w < 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "filter %dx%d does not fit input %dx%d", (int)g->f_h,
                          (int)g->f_w, (int)g->in_h, (int)g->in_w);
  g->pad_h = pnn_conv_padding_before(padding, g->in_h, g->f_h, g->stride_h, 1,
                                     g->out_h);
  g->pad_w = pnn_conv_padding_before(padding, g->in_w, g->f_w, g->stride_w, 1,
                                     g->out_w);
  /* max_op_work: the window is clipped to the input. */
  s = pnn_node_check_work(
      node, "output elements x filter_height x filter_width (clipped)",
      pnn_work_mul(g->n, g->out_h), pnn_work_mul(g->out_w, g->c),
      pnn_work_mul(g->f_h < g->in_h ? g->f_h : g->in_h,
                   g->f_w < g->in_w ? g->f_w : g->in_w));
  if (s) return s;
  int32_t dims[4] = {g->n, g->out_h, g->out_w, g->c};
  s = pnn_node_resize_output(node, 0, PNN_TYPE_FLOAT32, dims, 4);
  if (!s) s = pnn_node_resize_output(node, 1, PNN_TYPE_FLOAT32, dims, 4);
  return s;
}

static pnn_status argmax_eval(pnn_node *node) {
  const mp_pool_state *g = node->state;
  const float *in = node->inputs[0]->data;
  float *out = node->outputs[0]->data, *idx = node->outputs[1]->data;
  int64_t o = 0;
  for (int32_t b = 0; b < g->n; b++)
    for (int32_t oy = 0; oy < g->out_h; oy++)
      for (int32_t ox = 0; ox < g->out_w; ox++)
        for (int32_t c = 0; c < g->c; c++, o++) {
          const int32_t y0 = oy * g->stride_h - g->pad_h;
          const int32_t x0 = ox * g->stride_w - g->pad_w;
          const int32_t fy0 = y0 < 0 ? -y0 : 0, fx0 = x0 < 0 ? -x0 : 0;
          const int32_t fy1 = g->f_h < g->in_h - y0 ? g->f_h : g->in_h - y0;
          const int32_t fx1 = g->f_w < g->in_w - x0 ? g->f_w : g->in_w - x0;
          float best = -FLT_MAX;
          int32_t by = 0, bx = 0;
          for (int32_t fy = fy0; fy < fy1; fy++)
            for (int32_t fx = fx0; fx < fx1; fx++) {
              float v =
                  in[(((int64_t)b * g->in_h + y0 + fy) * g->in_w + x0 + fx) *
                         g->c +
                     c];
              if (v > best) best = v, by = fy, bx = fx;
            }
          out[o] = best < g->act_min ? g->act_min
                                     : (best > g->act_max ? g->act_max : best);
          /* Window-relative index as a float; MediaPipe adds 0.1 so that
           * truncating it back to int is exact. */
          idx[o] = (float)(by * g->f_w + bx) + 0.1f;
        }
  return PNN_OK;
}

static pnn_status unpool_prepare(pnn_node *node) {
  pnn_tensor *in, *ind;
  pnn_status s = pnn_check_io(node, 2, 2, 1);
  if (!s) s = float_input(node, 0, 4, &in);
  if (!s) s = float_input(node, 1, 4, &ind);
  if (s) return s;
  if (!pnn_same_shape(in, ind))
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 1 (%s, indices): shape differs from input 0 "
                          "(%s)",
                          ind->name, in->name);
  mp_pool_state *g;
  int padding; /* not used by unpooling */
  if ((s = pool_state_new(node, in, &g, &padding))) return s;
  int64_t d[4] = {g->n, (int64_t)g->in_h * g->f_h, (int64_t)g->in_w * g->f_w,
                  g->c};
  int32_t dims[4];
  s = check_out_dims(node, d, 4, dims);
  if (s) return s;
  g->out_h = dims[1];
  g->out_w = dims[2];
  /* MediaPipe's padding: as if the output were pooled back to the input. */
  int64_t ph = ((int64_t)(g->in_h - 1) * g->stride_h + g->f_h - g->out_h) / 2;
  int64_t pw = ((int64_t)(g->in_w - 1) * g->stride_w + g->f_w - g->out_w) / 2;
  g->pad_h = ph > 0 && ph < INT32_MAX ? (int32_t)ph : 0;
  g->pad_w = pw > 0 && pw < INT32_MAX ? (int32_t)pw : 0;
  return pnn_node_resize_output(node, 0, PNN_TYPE_FLOAT32, dims, 4);
}

static pnn_status unpool_eval(pnn_node *node) {
  const mp_pool_state *g = node->state;
  const float *in = node->inputs[0]->data, *ind = node->inputs[1]->data;
  float *out = node->outputs[0]->data;
  memset(out, 0, node->outputs[0]->bytes);
  int64_t i = 0;
  for (int32_t b = 0; b < g->n; b++)
    for (int32_t iy = 0; iy < g->in_h; iy++)
      for (int32_t ix = 0; ix < g->in_w; ix++)
        for (int32_t c = 0; c < g->c; c++, i++) {
          const float f = ind[i];
          /* Indices are data: skip any that is not a representable int or
           * lands outside the output (MediaPipe skips the latter too). */
          if (!(f > -2147483648.f && f < 2147483648.f)) continue;
          const int32_t k = (int32_t)f;
          const int64_t oy = (int64_t)iy * g->stride_h - g->pad_h + k / g->f_w;
          const int64_t ox = (int64_t)ix * g->stride_w - g->pad_w + k % g->f_w;
          if (oy < 0 || oy >= g->out_h || ox < 0 || ox >= g->out_w) continue;
          out[(((int64_t)b * g->out_h + oy) * g->out_w + ox) * g->c + c] =
              in[i];
        }
  return PNN_OK;
}

/* ================================================= TransformLandmarks */

/* The inputs of a version 2 transform op: float data of rank `rank`
 * (input 0) and a float matrix (input 1), one output. */
static pnn_status transform_inputs(pnn_node *node, int rank,
                                   pnn_tensor **data, pnn_tensor **m) {
  pnn_status s = pnn_check_io(node, 2, 2, 1);
  if (!s) s = require_version2(node);
  if (!s) s = float_input(node, 0, rank, data);
  if (!s) s = float_input(node, 1, -1, m);
  return s;
}

/* The transform matrix needs its first two rows (8 values). */
static pnn_status transform_matrix_check(pnn_node *node,
                                         const pnn_tensor *m) {
  if (pnn_tensor_count(m) < 8)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 1 (%s, matrix): needs at least 8 values",
                          m->name);
  return PNN_OK;
}

/* v2: landmarks [B, N, D] (D = 2 or 3) and a 4x4 matrix (first two rows
 * used): x' = m0 x + m1 y + m3, y' = m4 x + m5 y + m7, z kept. MediaPipe
 * transforms the first row of landmarks only; every row is done here. */
static pnn_status tlm_prepare(pnn_node *node) {
  pnn_tensor *lm, *m;
  pnn_status s = transform_inputs(node, 3, &lm, &m);
  if (s) return s;
  if (lm->dims[2] != 2 && lm->dims[2] != 3)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 0 (%s): last dim must be 2 or 3, got %d",
                          lm->name, (int)lm->dims[2]);
  if ((s = transform_matrix_check(node, m))) return s;
  return pnn_node_resize_output(node, 0, PNN_TYPE_FLOAT32, lm->dims, 3);
}

/* MediaPipe's float4 dot product, in its order. */
static float dot4(const float *a, float x, float y, float z, float w) {
  return a[0] * x + a[1] * y + a[2] * z + a[3] * w;
}

static pnn_status tlm_eval(pnn_node *node) {
  const pnn_tensor *lm = node->inputs[0];
  const float *in = lm->data, *m = node->inputs[1]->data;
  float *out = node->outputs[0]->data;
  const int32_t d = lm->dims[2];
  const int64_t n = (int64_t)lm->dims[0] * lm->dims[1];
  for (int64_t i = 0; i < n; i++) {
    const float *p = in + i * d;
    float *q = out + i * d;
    const float x = p[0], y = p[1], z = d == 3 ? p[2] : 0.f;
    q[0] = dot4(m, x, y, 0.f, 1.f);
    q[1] = dot4(m + 4, x, y, 0.f, 1.f);
    if (d == 3) q[2] = z;
  }
  return PNN_OK;
}

/* ============================================ TransformTensorBilinear */

/* v2: data [1,H,W,C], matrix (>= 8 values) -> [1, output_height,
 * output_width, C]; each output pixel (x, y) samples the input bilinearly
 * at the matrix-mapped point (align-corners corrected), 0 outside. */
typedef struct {
  int32_t out_h, out_w;
} ttb_state;

static pnn_status ttb_prepare(pnn_node *node) {
  pnn_tensor *in, *m;
  pnn_status s = transform_inputs(node, 4, &in, &m);
  if (s) return s;
  if (in->dims[0] != 1)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "input 0 (%s): batch %d not supported (MediaPipe "
                          "transforms batch 1 only)",
                          in->name, (int)in->dims[0]);
  if ((s = transform_matrix_check(node, m))) return s;
  fb_ref map;
  ttb_state *st = alloc_state(node, sizeof *st);
  if (!st) return PNN_ERROR_OUT_OF_MEMORY;
  s = fb_options_map(node, &map);
  if (!s) s = fb_get_i32(node, &map, "output_height", &st->out_h);
  if (!s) s = fb_get_i32(node, &map, "output_width", &st->out_w);
  if (s) return s;
  if (st->out_h <= 0 || st->out_w <= 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "output_height/output_width must be > 0, got %d/%d",
                          (int)st->out_h, (int)st->out_w);
  int64_t d[4] = {1, st->out_h, st->out_w, in->dims[3]};
  int32_t dims[4];
  s = check_out_dims(node, d, 4, dims);
  if (s) return s;
  return pnn_node_resize_output(node, 0, PNN_TYPE_FLOAT32, dims, 4);
}

static pnn_status ttb_eval(pnn_node *node) {
  const ttb_state *st = node->state;
  const pnn_tensor *t = node->inputs[0];
  const float *in = t->data, *m = node->inputs[1]->data;
  float *out = node->outputs[0]->data;
  const int32_t h = t->dims[1], w = t->dims[2], c = t->dims[3];
  float xt[4] = {m[0], m[1], m[2], m[3]}, yt[4] = {m[4], m[5], m[6], m[7]};
  /* Align-corners correction T -> S * T * A (shift by half a pixel), in
   * double as MediaPipe writes it. */
  xt[3] = (float)(xt[3] + (xt[0] * 0.5 + xt[1] * 0.5 - 0.5));
  yt[3] = (float)(yt[3] + (yt[0] * 0.5 + yt[1] * 0.5 - 0.5));
  for (int32_t oy = 0; oy < st->out_h; oy++)
    for (int32_t ox = 0; ox < st->out_w; ox++) {
      float *o = out + ((int64_t)oy * st->out_w + ox) * c;
      const float tx = dot4(xt, (float)ox, (float)oy, 0.f, 1.f);
      const float ty = dot4(yt, (float)ox, (float)oy, 0.f, 1.f);
      /* NaN coordinates count as outside. */
      if (!(tx >= 0.f && tx <= (float)(w - 1) && ty >= 0.f &&
            ty <= (float)(h - 1))) {
        memset(o, 0, sizeof(float) * (size_t)c);
        continue;
      }
      const int32_t x0 = (int32_t)floorf(tx), y0 = (int32_t)floorf(ty);
      const float rx = tx - floorf(tx), ry = ty - floorf(ty);
      /* The +1 neighbours may fall one past the edge: they read as 0. */
      const bool x1_in = x0 + 1 < w, y1_in = y0 + 1 < h;
      const float *r0 = in + ((int64_t)y0 * w + x0) * c;
      const float *r1 = r0 + (int64_t)w * c;
      for (int32_t z = 0; z < c; z++) {
        const float q11 = r0[z];
        const float q21 = x1_in ? r0[c + z] : 0.f;
        const float q12 = y1_in ? r1[z] : 0.f;
        const float q22 = x1_in && y1_in ? r1[c + z] : 0.f;
        const float upper = (float)((1.0 - rx) * q11 + rx * q21);
        const float lower = (float)((1.0 - rx) * q12 + rx * q22);
        o[z] = (float)(ry * lower + (1.0 - ry) * upper);
      }
    }
  return PNN_OK;
}

/* ========================================== Landmarks2TransformMatrix */

/* v2: landmarks [.., N, 3] -> [1,4,4]: rotate so the left->right landmark
 * line has angle target_rotation_radians, take the bounding box of the
 * subset landmarks in that frame, and build
 * shift(center) * rotate(-r) * scale(box * scale / output) *
 * shift(-output / 2). */
#define L2TM_MAX_SUBSET 4096

typedef struct {
  int32_t left, right, out_h, out_w;
  float target_rotation, scale_x, scale_y;
  int32_t n_subset; /* pairs */
  int32_t subset[]; /* 2 * n_subset landmark indices */
} l2tm_state;

static pnn_status l2tm_subset(pnn_node *node, const fb_ref *map, fb_vec *vec) {
  fb_ref r;
  bool found;
  if (!fb_map_get(map, "subset_idxs", &r, &found) ||
      (found && !fb_as_vector(&r, vec)))
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "custom options: subset_idxs is malformed");
  if (!found || vec->count == 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "custom options: subset_idxs is empty");
  if (vec->count > L2TM_MAX_SUBSET)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "custom options: subset_idxs has %llu values, at "
                          "most %d supported",
                          (unsigned long long)vec->count, L2TM_MAX_SUBSET);
  return PNN_OK;
}

/* Checks a landmark index against the landmark count. */
static pnn_status l2tm_index(pnn_node *node, const char *what, int64_t v,
                             int64_t n_landmarks, int32_t *out) {
  if (v < 0 || v >= n_landmarks)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "custom options: %s = %lld out of range for %lld "
                          "landmarks",
                          what, (long long)v, (long long)n_landmarks);
  *out = (int32_t)v;
  return PNN_OK;
}

static pnn_status l2tm_prepare(pnn_node *node) {
  pnn_tensor *lm;
  pnn_status s = pnn_check_io(node, 1, 1, 1);
  if (!s) s = require_version2(node);
  if (!s) s = float_input(node, 0, 3, &lm);
  if (s) return s;
  /* MediaPipe reads landmark i at values [3i, 3i + 3). */
  const int64_t n_landmarks = pnn_tensor_count(lm) / 3;
  fb_ref map;
  fb_vec vec;
  s = fb_options_map(node, &map);
  if (!s) s = l2tm_subset(node, &map, &vec);
  if (s) return s;
  /* An odd count pairs the last index with itself, as MediaPipe does. */
  const int32_t pairs = (int32_t)((vec.count + 1) / 2);
  l2tm_state *st =
      alloc_state(node, sizeof *st + sizeof(int32_t) * 2 * (size_t)pairs);
  if (!st) return PNN_ERROR_OUT_OF_MEMORY;
  st->n_subset = pairs;
  for (uint64_t i = 0; i < vec.count; i++) {
    fb_ref e;
    int64_t v;
    if (!fb_vec_at(&vec, i, &e) || !fb_as_int(&e, &v))
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "custom options: subset_idxs[%llu] is malformed",
                            (unsigned long long)i);
    s = l2tm_index(node, "subset_idxs value", v, n_landmarks, &st->subset[i]);
    if (s) return s;
  }
  if (vec.count % 2) st->subset[vec.count] = st->subset[vec.count - 1];
  int32_t left, right;
  s = fb_get_i32(node, &map, "left_rotation_idx", &left);
  if (!s) s = fb_get_i32(node, &map, "right_rotation_idx", &right);
  if (!s)
    s = l2tm_index(node, "left_rotation_idx", left, n_landmarks, &st->left);
  if (!s)
    s = l2tm_index(node, "right_rotation_idx", right, n_landmarks, &st->right);
  if (!s) s = fb_get_i32(node, &map, "output_height", &st->out_h);
  if (!s) s = fb_get_i32(node, &map, "output_width", &st->out_w);
  if (!s) s = fb_get_f32(node, &map, "scale_x", &st->scale_x);
  if (!s) s = fb_get_f32(node, &map, "scale_y", &st->scale_y);
  if (!s)
    s = fb_get_f32(node, &map, "target_rotation_radians", &st->target_rotation);
  if (s) return s;
  if (st->out_h <= 0 || st->out_w <= 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "output_height/output_width must be > 0, got %d/%d",
                          (int)st->out_h, (int)st->out_w);
  if (!(st->scale_x > 0.f) || !(st->scale_y > 0.f))
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "scale_x/scale_y must be > 0, got %g/%g",
                          (double)st->scale_x, (double)st->scale_y);
  const int32_t dims[3] = {1, 4, 4};
  return pnn_node_resize_output(node, 0, PNN_TYPE_FLOAT32, dims, 3);
}

/* r = a * b for row-major 4x4 float matrices, float sums as MediaPipe. */
static void mat4_mul(float *a, const float *b) {
  float r[16];
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 4; j++) {
      float sum = 0;
      for (int k = 0; k < 4; k++) sum += a[i * 4 + k] * b[k * 4 + j];
      r[i * 4 + j] = sum;
    }
  memcpy(a, r, sizeof r);
}

/* (x, y, 1) rotated by the 3x3 matrix [[c, -s, 0], [s, c, 0], [0, 0, 1]],
 * summed in MediaPipe's order. */
static void rotate3(float c, float s, float x, float y, float z, float *ox,
                    float *oy) {
  float sx = 0, sy = 0;
  sx += c * x;
  sx += -s * y;
  sx += 0.f * z;
  sy += s * x;
  sy += c * y;
  sy += 0.f * z;
  *ox = sx;
  *oy = sy;
}

static pnn_status l2tm_eval(pnn_node *node) {
  const l2tm_state *st = node->state;
  const float *lm = node->inputs[0]->data;
  float *out = node->outputs[0]->data;
  const float *l = lm + 3 * (int64_t)st->left, *r = lm + 3 * (int64_t)st->right;
  float rot = atan2f(r[1] - l[1], r[0] - l[0]);
  rot = st->target_rotation - rot;
  /* Bounding box of the subset in the rotated frame. */
  const float c = cosf(rot), s = sinf(rot);
  float max_x, max_y;
  rotate3(c, s, lm[3 * (int64_t)st->subset[0]],
          lm[3 * (int64_t)st->subset[0] + 1], 1.f, &max_x, &max_y);
  float min_x = max_x, min_y = max_y;
  for (int32_t i = 1; i < 2 * st->n_subset; i++) {
    const float *p = lm + 3 * (int64_t)st->subset[i];
    float x, y;
    rotate3(c, s, p[0], p[1], 1.f, &x, &y);
    if (max_x < x) max_x = x;
    if (max_y < y) max_y = y;
    if (min_x > x) min_x = x;
    if (min_y > y) min_y = y;
  }
  const float crop_w = max_x - min_x, crop_h = max_y - min_y;
  float cx = min_x, cy = min_y;
  cx += max_x;
  cy += max_y;
  cx /= 2;
  cy /= 2;
  float center_x, center_y;
  rotate3(cosf(-rot), sinf(-rot), cx, cy, 1.f, &center_x, &center_y);
  /* t = shift(center) * rotate(-rot) * scale * shift(-output/2). */
  float t[16] = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
  const float shift[16] = {1, 0, 0, center_x, 0, 1, 0, center_y,
                           0, 0, 1, 0,        0, 0, 0, 1};
  mat4_mul(t, shift);
  const float nr = -rot;
  const float rotation[16] = {cosf(nr), -sinf(nr), 0, 0, sinf(nr), cosf(nr),
                              0,        0,         0, 0, 1,        0,
                              0,        0,         0, 1};
  mat4_mul(t, rotation);
  const float sx = st->scale_x * crop_w / (float)st->out_w;
  const float sy = st->scale_y * crop_h / (float)st->out_h;
  const float scale[16] = {sx, 0, 0, 0, 0, sy, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
  mat4_mul(t, scale);
  const float shift2_x = (float)(-1.0 * (st->out_w / 2.0));
  const float shift2_y = (float)(-1.0 * (st->out_h / 2.0));
  const float shift2[16] = {1, 0, 0, shift2_x, 0, 1, 0, shift2_y,
                            0, 0, 1, 0,        0, 0, 0, 1};
  mat4_mul(t, shift2);
  memcpy(out, t, sizeof t);
  return PNN_OK;
}

/* ====================================================== registration */

static const pnn_op_kernel tconv_kernel = {tconv_prepare, tconv_eval};
static const pnn_op_kernel argmax_kernel = {argmax_prepare, argmax_eval};
static const pnn_op_kernel unpool_kernel = {unpool_prepare, unpool_eval};
static const pnn_op_kernel tlm_kernel = {tlm_prepare, tlm_eval};
static const pnn_op_kernel ttb_kernel = {ttb_prepare, ttb_eval};
static const pnn_op_kernel l2tm_kernel = {l2tm_prepare, l2tm_eval};

const pnn_custom_entry pnn_custom_mediapipe[] = {
    {"Convolution2DTransposeBias", &tconv_kernel},
    {"MaxPoolingWithArgmax2D", &argmax_kernel},
    {"MaxUnpooling2D", &unpool_kernel},
    {"TransformLandmarks", &tlm_kernel},
    {"TransformTensorBilinear", &ttb_kernel},
    {"Landmarks2TransformMatrix", &l2tm_kernel},
    {NULL, NULL},
};
