/* Convolution geometry shared by the float and quantized prepares (see
 * conv_geom.h). */
#include "ops/conv_geom.h"

static pnn_status check4d(pnn_node *node, const pnn_tensor *t, int i,
                          const char *what) {
  if (t->rank != 4)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input %d (%s): %s must be 4-D, got rank %d", i,
                          t->name, what, (int)t->rank);
  return PNN_OK;
}

/* Inputs in_i and w_i of an op taking min_in..max_in inputs, both 4-D. */
static pnn_status get_inputs(pnn_node *node, int min_in, int max_in, int in_i,
                             int w_i, const char *w_what, pnn_tensor **in,
                             pnn_tensor **w) {
  pnn_status s = pnn_check_io(node, min_in, max_in, 1);
  if (!s) s = pnn_require_input(node, in_i, in);
  if (!s) s = pnn_require_input(node, w_i, w);
  if (!s) s = check4d(node, *in, in_i, "input");
  if (!s) s = check4d(node, *w, w_i, w_what);
  return s;
}

/* Checks the options' padding, strides and dilations, then starts *g
 * afresh from the input dims, strides and dilations (one group). */
static pnn_status window(pnn_node *node, const pnn_tensor *in, int padding,
                         int32_t stride_h, int32_t stride_w, int32_t dil_h,
                         int32_t dil_w, pnn_conv_geom *g) {
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
  *g = (pnn_conv_geom){.batch = in->dims[0],
                       .in_h = in->dims[1],
                       .in_w = in->dims[2],
                       .in_c = in->dims[3],
                       .stride_h = stride_h,
                       .stride_w = stride_w,
                       .dil_h = dil_h,
                       .dil_w = dil_w,
                       .groups = 1};
  return PNN_OK;
}

/* Keeps every int32 index (ox * stride - pad + kx * dilation) in range. */
static bool extent_ok(int32_t in, int32_t filter, int32_t stride,
                      int32_t dilation) {
  return (int64_t)(filter - 1) * dilation + 1 + 2 * (int64_t)stride +
             2 * (int64_t)in <
         INT32_MAX;
}

/* The work bound (max_op_work): the conv loops visit every filter tap of
 * every output element (out-of-image taps are skipped inside the loop),
 * the pools only the taps of the window clipped to the image. */
static pnn_status check_work(pnn_node *node, const pnn_conv_geom *g,
                             int64_t taps, const char *what) {
  return pnn_node_check_work(node, what, pnn_work_mul(g->batch, g->out_h),
                             pnn_work_mul(g->out_w, g->out_c), taps);
}

static pnn_status check_conv_work(pnn_node *node, const pnn_conv_geom *g) {
  return check_work(node, g,
                    pnn_work_mul(pnn_work_mul(g->f_h, g->f_w), g->f_c),
                    "output elements x filter taps x filter channels");
}

/* Output size and leading padding of both spatial axes, as TFLite does. */
static pnn_status spatial(pnn_node *node, pnn_conv_geom *g, int padding) {
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

pnn_status pnn_conv2d_geom(pnn_node *node, pnn_tensor **in, pnn_tensor **w,
                           pnn_conv_geom *g) {
  const pnn_conv2d_options *opt = &node->options->conv2d;
  pnn_status s = get_inputs(node, 2, 3, 0, 1, "filter (OHWI)", in, w);
  if (!s)
    s = window(node, *in, opt->padding, opt->stride_h, opt->stride_w,
               opt->dilation_h_factor, opt->dilation_w_factor, g);
  if (s) return s;
  g->out_c = (*w)->dims[0];
  g->f_h = (*w)->dims[1];
  g->f_w = (*w)->dims[2];
  g->f_c = (*w)->dims[3];
  if (g->f_h <= 0 || g->f_w <= 0 || g->f_c <= 0 || g->out_c <= 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 1 (%s): filter [%d,%d,%d,%d] has an empty "
                          "dimension",
                          (*w)->name, (int)g->out_c, (int)g->f_h, (int)g->f_w,
                          (int)g->f_c);
  /* Grouped convolution: the filter sees in_c / groups channels. */
  if (g->in_c % g->f_c != 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input channels %d are not a multiple of filter "
                          "channels %d",
                          (int)g->in_c, (int)g->f_c);
  g->groups = g->in_c / g->f_c;
  if (g->groups <= 0 || g->out_c % g->groups != 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "output channels %d are not a multiple of the %d "
                          "groups (input channels %d / filter channels %d)",
                          (int)g->out_c, (int)g->groups, (int)g->in_c,
                          (int)g->f_c);
  s = spatial(node, g, opt->padding);
  return s ? s : check_conv_work(node, g);
}

pnn_status pnn_depthwise_geom(pnn_node *node, pnn_tensor **in, pnn_tensor **w,
                              pnn_conv_geom *g) {
  const pnn_depthwise_conv2d_options *opt = &node->options->depthwise_conv2d;
  pnn_status s = get_inputs(node, 2, 3, 0, 1, "filter (1HWO)", in, w);
  if (!s)
    s = window(node, *in, opt->padding, opt->stride_h, opt->stride_w,
               opt->dilation_h_factor, opt->dilation_w_factor, g);
  if (s) return s;
  g->f_c = 1;
  g->out_c = (*w)->dims[3];
  g->f_h = (*w)->dims[1];
  g->f_w = (*w)->dims[2];
  if ((*w)->dims[0] != 1)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 1 (%s): filter dim 0 must be 1, got %d",
                          (*w)->name, (int)(*w)->dims[0]);
  if (g->f_h <= 0 || g->f_w <= 0 || g->out_c <= 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 1 (%s): filter [1,%d,%d,%d] has an empty "
                          "dimension",
                          (*w)->name, (int)g->f_h, (int)g->f_w, (int)g->out_c);
  /* Like current TFLite, the multiplier comes from the weight shape; the
   * depth_multiplier option is not trusted (old converters wrote 0 or a
   * stale value). */
  if (g->in_c <= 0 || g->out_c % g->in_c != 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "filter channels %d are not a multiple of input "
                          "channels %d",
                          (int)g->out_c, (int)g->in_c);
  g->dm = g->out_c / g->in_c;
  s = spatial(node, g, opt->padding);
  return s ? s : check_conv_work(node, g);
}

pnn_status pnn_pool_geom(pnn_node *node, const pnn_tensor *in,
                         pnn_conv_geom *g) {
  const pnn_pool2d_options *opt = &node->options->pool2d;
  pnn_status s = check4d(node, in, 0, "input (NHWC)");
  if (!s)
    s = window(node, in, opt->padding, opt->stride_h, opt->stride_w, 1, 1, g);
  if (s) return s;
  if (opt->filter_height <= 0 || opt->filter_width <= 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "filter_height/filter_width must be > 0, got %d/%d",
                          (int)opt->filter_height, (int)opt->filter_width);
  g->f_c = 1;
  g->out_c = g->in_c;
  g->f_h = opt->filter_height;
  g->f_w = opt->filter_width;
  s = spatial(node, g, opt->padding);
  if (s) return s;
  return check_work(node, g,
                    pnn_work_mul(g->f_h < g->in_h ? g->f_h : g->in_h,
                                 g->f_w < g->in_w ? g->f_w : g->in_w),
                    "output elements x filter_height x filter_width "
                    "(clipped to the input)");
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

pnn_status pnn_transpose_conv_geom(pnn_node *node, pnn_tensor **in,
                                   pnn_tensor **w, pnn_conv_geom *g) {
  const pnn_transpose_conv_options *opt = &node->options->transpose_conv;
  pnn_tensor *shape;
  int32_t od[4];
  pnn_status s = get_inputs(node, 3, 4, 2, 1, "weights (OHWI)", in, w);
  if (!s) s = pnn_require_input(node, 0, &shape);
  if (!s)
    s = window(node, *in, opt->padding, opt->stride_h, opt->stride_w, 1, 1, g);
  if (!s) s = read_output_shape(node, shape, od);
  if (s) return s;
  g->out_h = od[1];
  g->out_w = od[2];
  g->out_c = od[3];
  g->f_h = (*w)->dims[1];
  g->f_w = (*w)->dims[2];
  g->f_c = (*w)->dims[3];
  if (g->f_h <= 0 || g->f_w <= 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 1 (%s): weights have an empty spatial "
                          "dimension",
                          (*w)->name);
  if (od[0] != g->batch)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "output_shape batch %d differs from input batch %d",
                          (int)od[0], (int)g->batch);
  if ((*w)->dims[0] != g->out_c)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "output_shape channels %d differ from weights "
                          "output channels %d",
                          (int)g->out_c, (int)(*w)->dims[0]);
  if (g->f_c != g->in_c)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "weights input channels %d differ from input "
                          "channels %d",
                          (int)g->f_c, (int)g->in_c);
  if (!extent_ok(g->out_h, g->f_h, g->stride_h, 1) ||
      !extent_ok(g->out_w, g->f_w, g->stride_w, 1) ||
      (int64_t)g->in_h * g->stride_h > INT32_MAX / 2 ||
      (int64_t)g->in_w * g->stride_w > INT32_MAX / 2)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "input, output, filter or stride too large");
  /* TFLite pads as for a forward conv over the output, using the size that
   * conv would produce (not the actual input size, in case they differ). */
  int32_t fwd_h =
      pnn_conv_output_size(opt->padding, g->out_h, g->f_h, g->stride_h, 1);
  int32_t fwd_w =
      pnn_conv_output_size(opt->padding, g->out_w, g->f_w, g->stride_w, 1);
  g->pad_h = pnn_conv_padding_before(opt->padding, g->out_h, g->f_h,
                                     g->stride_h, 1, fwd_h);
  g->pad_w = pnn_conv_padding_before(opt->padding, g->out_w, g->f_w,
                                     g->stride_w, 1, fwd_w);
  /* Scatters every input element over the whole filter. */
  return pnn_node_check_work(
      node, "input elements x filter taps x output channels",
      pnn_work_mul(g->batch, g->in_h), pnn_work_mul(g->in_w, g->in_c),
      pnn_work_mul(pnn_work_mul(g->f_h, g->f_w), g->out_c));
}

pnn_status pnn_conv_bias(pnn_node *node, int i, const pnn_conv_geom *g,
                         const pnn_tensor **out) {
  *out = NULL;
  if (i >= node->n_inputs || !node->inputs[i]) return PNN_OK;
  const pnn_tensor *b = node->inputs[i];
  if (pnn_tensor_count(b) != g->out_c)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input %d (%s): bias has %lld elements, expected "
                          "%d (output channels)",
                          i, b->name, (long long)pnn_tensor_count(b),
                          (int)g->out_c);
  *out = b;
  return PNN_OK;
}

pnn_status pnn_conv_resize_output(pnn_node *node, const pnn_conv_geom *g,
                                  pnn_type type) {
  int32_t dims[4] = {g->batch, g->out_h, g->out_w, g->out_c};
  if (pnn_dims_count(dims, 4) < 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "output shape overflows");
  return pnn_node_resize_output(node, 0, type, dims, 4);
}
