/* Moving data between space, depth and batch (pure copies, any
 * fixed-size element type TFLite allows here):
 *   DEPTH_TO_SPACE / SPACE_TO_DEPTH (NHWC, block_size),
 *   BATCH_TO_SPACE_ND (block_shape + crops) and SPACE_TO_BATCH_ND
 *   (block_shape + paddings) over M spatial dims after the batch.
 *
 * The ND ops follow TensorFlow: the batch dim splits as
 * [block_shape..., batch], i.e. batch index = offset * B + b, with the
 * block offset row-major over the M block dims. */
#include <string.h>

#include "ops/common.h"
#include "ops/tensor_util.h"

#define MAX_BLOCK_DIMS (PNN_MAX_RANK - 1)

static pnn_status check_data_input(pnn_node *node, pnn_tensor **in) {
  pnn_status s = pnn_require_input(node, 0, in);
  if (s) return s;
  return pnn_tu_check_types(node, *in, 0, PNN_TYPES_NUMERIC);
}

/* -------------------------------------------- DEPTH_TO_SPACE and back */

typedef struct {
  int32_t batch, h, w, c; /* the side with spatial size h x w (larger) */
  int32_t bs;
  size_t elem;
} d2s_geom;

/* Shared loop: the space side has shape [batch, h, w, c], the depth side
 * [batch, h/bs, w/bs, c*bs*bs] with depth index (dy * bs + dx) * c + k. */
static void d2s_copy(const d2s_geom *g, uint8_t *depth, uint8_t *space,
                     bool to_space) {
  const size_t run = (size_t)g->c * g->elem;
  const int32_t dh = g->h / g->bs, dw = g->w / g->bs;
  for (int32_t b = 0; b < g->batch; b++)
    for (int32_t y = 0; y < dh; y++)
      for (int32_t x = 0; x < dw; x++)
        for (int32_t dy = 0; dy < g->bs; dy++)
          for (int32_t dx = 0; dx < g->bs; dx++) {
            size_t di =
                ((((size_t)b * dh + y) * dw + x) * g->bs + dy) * g->bs + dx;
            size_t si = (((size_t)b * g->h + (size_t)y * g->bs + dy) * g->w +
                         (size_t)x * g->bs + dx);
            if (to_space)
              memcpy(space + si * run, depth + di * run, run);
            else
              memcpy(depth + di * run, space + si * run, run);
          }
}

static pnn_status d2s_prepare_common(pnn_node *node, bool to_space,
                                     int32_t bs) {
  pnn_tensor *in;
  pnn_status s = pnn_check_io(node, 1, 1, 1);
  if (!s) s = check_data_input(node, &in);
  if (s) return s;
  if (in->rank != 4)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 0 (%s): must be 4-D (NHWC), got rank %d",
                          in->name, (int)in->rank);
  if (bs <= 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "block_size must be > 0, got %d", (int)bs);
  d2s_geom g = {
      .batch = in->dims[0], .bs = bs, .elem = pnn_type_size(in->type)};
  int32_t dims[4] = {in->dims[0], 0, 0, 0};
  if (to_space) {
    int64_t bb = (int64_t)bs * bs;
    if (in->dims[3] % bb != 0)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "input 0 (%s): depth %d is not a multiple of "
                            "block_size^2 = %lld",
                            in->name, (int)in->dims[3], (long long)bb);
    int64_t h = (int64_t)in->dims[1] * bs, w = (int64_t)in->dims[2] * bs;
    if (h > INT32_MAX || w > INT32_MAX)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "output shape overflows");
    g.h = dims[1] = (int32_t)h;
    g.w = dims[2] = (int32_t)w;
    g.c = dims[3] = (int32_t)(in->dims[3] / bb);
  } else {
    if (in->dims[1] % bs != 0 || in->dims[2] % bs != 0)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "input 0 (%s): height %d and width %d must be "
                            "multiples of block_size %d",
                            in->name, (int)in->dims[1], (int)in->dims[2],
                            (int)bs);
    int64_t c = (int64_t)in->dims[3] * bs * bs;
    if (c > INT32_MAX)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "output shape overflows");
    g.h = in->dims[1];
    g.w = in->dims[2];
    g.c = in->dims[3];
    dims[1] = in->dims[1] / bs;
    dims[2] = in->dims[2] / bs;
    dims[3] = (int32_t)c;
  }
  d2s_geom *st = pnn_node_alloc_persistent(node, sizeof(*st));
  if (!st)
    return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY,
                          "out of memory for op state");
  *st = g;
  node->state = st;
  return pnn_node_resize_output(node, 0, in->type, dims, 4);
}

static pnn_status d2s_prepare(pnn_node *node) {
  return d2s_prepare_common(node, true,
                            node->options->depth_to_space.block_size);
}
static pnn_status s2d_prepare(pnn_node *node) {
  return d2s_prepare_common(node, false,
                            node->options->space_to_depth.block_size);
}
static pnn_status d2s_eval(pnn_node *node) {
  d2s_copy(node->state, node->inputs[0]->data, node->outputs[0]->data, true);
  return PNN_OK;
}
static pnn_status s2d_eval(pnn_node *node) {
  d2s_copy(node->state, node->outputs[0]->data, node->inputs[0]->data, false);
  return PNN_OK;
}

/* ------------------------------------ BATCH_TO_SPACE_ND and back */

typedef struct {
  int m; /* number of block dims */
  int32_t block[MAX_BLOCK_DIMS];
  int32_t before[MAX_BLOCK_DIMS];  /* crop or pad at the start */
  int32_t after[MAX_BLOCK_DIMS];   /* crop or pad at the end */
  int32_t space[MAX_BLOCK_DIMS];   /* spatial dims of the space side */
  int32_t blocked[MAX_BLOCK_DIMS]; /* spatial dims of the batch side */
  int64_t space_batch;             /* batch of the space side */
  int64_t n_offsets;               /* product of block */
  size_t run;                      /* bytes of the trailing dims */
  uint8_t pad_byte;                /* SPACE_TO_BATCH fill */
  bool pad_is_zero_point;          /* int8/uint8 quantized fill */
} b2s_geom;

/* Reads the constant [M] block shape and [M, 2] crops/paddings. */
static pnn_status read_block_inputs(pnn_node *node, const pnn_tensor *in,
                                    b2s_geom *g, const char *pads_name) {
  pnn_tensor *block, *pads;
  pnn_status s = pnn_require_input(node, 1, &block);
  if (!s) s = pnn_require_input(node, 2, &pads);
  if (s) return s;
  const pnn_tensor *t[2] = {block, pads};
  for (int i = 0; i < 2; i++) {
    if (t[i]->type != PNN_TYPE_INT32 && t[i]->type != PNN_TYPE_INT64)
      return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                            "input %d (%s): must be int32 or int64, got %s",
                            i + 1, t[i]->name, pnn_type_name(t[i]->type));
    if (!t[i]->is_constant)
      return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                            "input %d (%s): must be constant", i + 1,
                            t[i]->name);
  }
  if (block->rank != 1 || block->dims[0] < 1 || block->dims[0] > in->rank - 1 ||
      block->dims[0] > MAX_BLOCK_DIMS)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 1 (%s): block_shape must be 1-D with 1 to "
                          "%d entries for input rank %d",
                          block->name, (int)in->rank - 1, (int)in->rank);
  g->m = block->dims[0];
  if (pads->rank != 2 || pads->dims[0] != g->m || pads->dims[1] != 2)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 2 (%s): %s must have shape [%d, 2]",
                          pads->name, pads_name, g->m);
  g->n_offsets = 1;
  for (int i = 0; i < g->m; i++) {
    int64_t b = pnn_read_index(block, i);
    int64_t lo = pnn_read_index(pads, 2 * i),
            hi = pnn_read_index(pads, 2 * i + 1);
    if (b < 1 || b > INT32_MAX)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "input 1 (%s): block_shape[%d] = %lld must be "
                            ">= 1",
                            block->name, i, (long long)b);
    if (lo < 0 || hi < 0 || lo > INT32_MAX || hi > INT32_MAX)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "input 2 (%s): %s[%d] = [%lld, %lld] must be "
                            ">= 0",
                            pads->name, pads_name, i, (long long)lo,
                            (long long)hi);
    g->block[i] = (int32_t)b;
    g->before[i] = (int32_t)lo;
    g->after[i] = (int32_t)hi;
    g->n_offsets *= b;
    if (g->n_offsets > INT32_MAX)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "input 1 (%s): block_shape product too large",
                            block->name);
  }
  int64_t rest = 1;
  for (int d = g->m + 1; d < in->rank; d++) rest *= in->dims[d];
  g->run = (size_t)rest * pnn_type_size(in->type);
  return PNN_OK;
}

static pnn_status finish_b2s(pnn_node *node, const b2s_geom *g,
                             const pnn_tensor *in, int32_t *dims) {
  /* TFLite moves quantized values unchanged, so it requires the output's
   * quantization to be the input's. */
  const pnn_tensor *out = node->outputs[0];
  if ((in->type == PNN_TYPE_INT8 || in->type == PNN_TYPE_UINT8 ||
       in->type == PNN_TYPE_INT16) &&
      (in->scale != out->scale || in->zero_point != out->zero_point))
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "output (%s): quantization (scale %g, zero point "
                          "%d) differs from input 0 (%s: %g, %d)",
                          out->name, (double)out->scale, (int)out->zero_point,
                          in->name, (double)in->scale, (int)in->zero_point);
  if (pnn_dims_count(dims, in->rank) < 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "output shape overflows");
  b2s_geom *st = pnn_node_alloc_persistent(node, sizeof(*st));
  if (!st)
    return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY,
                          "out of memory for op state");
  *st = *g;
  node->state = st;
  return pnn_node_resize_output(node, 0, in->type, dims, in->rank);
}

static pnn_status b2s_prepare(pnn_node *node) {
  pnn_tensor *in;
  b2s_geom g = {0};
  pnn_status s = pnn_check_io(node, 3, 3, 1);
  if (!s) s = check_data_input(node, &in);
  if (!s) s = read_block_inputs(node, in, &g, "crops");
  if (s) return s;
  int32_t dims[PNN_MAX_RANK];
  memcpy(dims, in->dims, sizeof(int32_t) * (size_t)in->rank);
  if (in->dims[0] % g.n_offsets != 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 0 (%s): batch %d is not a multiple of the "
                          "block size product %lld",
                          in->name, (int)in->dims[0], (long long)g.n_offsets);
  g.space_batch = in->dims[0] / g.n_offsets;
  dims[0] = (int32_t)g.space_batch;
  for (int i = 0; i < g.m; i++) {
    int64_t full = (int64_t)in->dims[i + 1] * g.block[i];
    int64_t out = full - g.before[i] - g.after[i];
    if (out < 0 || out > INT32_MAX)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "crops[%d] = [%d, %d] exceed the block-expanded "
                            "size %lld",
                            i, (int)g.before[i], (int)g.after[i],
                            (long long)full);
    g.blocked[i] = in->dims[i + 1];
    g.space[i] = dims[i + 1] = (int32_t)out;
  }
  return finish_b2s(node, &g, in, dims);
}

static pnn_status s2b_prepare(pnn_node *node) {
  pnn_tensor *in;
  b2s_geom g = {0};
  pnn_status s = pnn_check_io(node, 3, 3, 1);
  if (!s) s = check_data_input(node, &in);
  if (!s) s = read_block_inputs(node, in, &g, "paddings");
  if (s) return s;
  int32_t dims[PNN_MAX_RANK];
  memcpy(dims, in->dims, sizeof(int32_t) * (size_t)in->rank);
  int64_t batch = (int64_t)in->dims[0] * g.n_offsets;
  if (batch > INT32_MAX)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "output batch overflows");
  g.space_batch = in->dims[0];
  dims[0] = (int32_t)batch;
  for (int i = 0; i < g.m; i++) {
    int64_t padded = (int64_t)in->dims[i + 1] + g.before[i] + g.after[i];
    if (padded % g.block[i] != 0)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "padded size %lld of dim %d is not a multiple of "
                            "block_shape[%d] = %d",
                            (long long)padded, i + 1, i, (int)g.block[i]);
    g.space[i] = in->dims[i + 1];
    g.blocked[i] = dims[i + 1] = (int32_t)(padded / g.block[i]);
  }
  /* Quantized tensors pad with the zero point, as TFLite does. */
  if ((in->type == PNN_TYPE_INT8 || in->type == PNN_TYPE_UINT8) &&
      node->outputs[0]->scale != 0.f) {
    g.pad_is_zero_point = true;
    g.pad_byte = (uint8_t)node->outputs[0]->zero_point;
  }
  return finish_b2s(node, &g, in, dims);
}

/* Walks every (batch-side batch, blocked position) pair and copies one
 * run of trailing elements between it and its space-side position; a
 * position that falls in the crop/padding has no space-side partner. */
static void b2s_copy(const b2s_geom *g, uint8_t *batch_side,
                     uint8_t *space_side, bool to_space) {
  int64_t n_blocked = 1, space_img = 1;
  for (int i = 0; i < g->m; i++) {
    n_blocked *= g->blocked[i];
    space_img *= g->space[i];
  }
  for (int64_t ob = 0; ob < g->n_offsets * g->space_batch; ob++) {
    const int64_t b = ob % g->space_batch;
    int32_t offset[MAX_BLOCK_DIMS];
    int64_t off = ob / g->space_batch;
    for (int i = g->m - 1; i >= 0; i--) {
      offset[i] = (int32_t)(off % g->block[i]);
      off /= g->block[i];
    }
    for (int64_t p = 0; p < n_blocked; p++) {
      /* Decompose p over the blocked dims, map each to the space side. */
      int64_t rem = p, si = 0, mul = 1;
      bool inside = true;
      for (int i = g->m - 1; i >= 0; i--) {
        int64_t q = rem % g->blocked[i];
        rem /= g->blocked[i];
        int64_t s = q * g->block[i] + offset[i] - g->before[i];
        if (s < 0 || s >= g->space[i]) inside = false;
        si += s * mul;
        mul *= g->space[i];
      }
      uint8_t *bp = batch_side + (size_t)(ob * n_blocked + p) * g->run;
      if (!inside) {
        if (!to_space)
          memset(bp, g->pad_is_zero_point ? g->pad_byte : 0, g->run);
        continue;
      }
      uint8_t *sp = space_side + (size_t)(b * space_img + si) * g->run;
      if (to_space)
        memcpy(sp, bp, g->run);
      else
        memcpy(bp, sp, g->run);
    }
  }
}

static pnn_status b2s_eval(pnn_node *node) {
  const b2s_geom *g = node->state;
  if (g->run) b2s_copy(g, node->inputs[0]->data, node->outputs[0]->data, true);
  return PNN_OK;
}
static pnn_status s2b_eval(pnn_node *node) {
  const b2s_geom *g = node->state;
  if (g->run) b2s_copy(g, node->outputs[0]->data, node->inputs[0]->data, false);
  return PNN_OK;
}

static const pnn_op_kernel d2s_kernel = {d2s_prepare, d2s_eval};
static const pnn_op_kernel s2d_kernel = {s2d_prepare, s2d_eval};
static const pnn_op_kernel b2s_kernel = {b2s_prepare, b2s_eval};
static const pnn_op_kernel s2b_kernel = {s2b_prepare, s2b_eval};

const pnn_op_entry pnn_ops_space[] = {
    {PNN_OP_DEPTH_TO_SPACE, &d2s_kernel},
    {PNN_OP_SPACE_TO_DEPTH, &s2d_kernel},
    {PNN_OP_BATCH_TO_SPACE_ND, &b2s_kernel},
    {PNN_OP_SPACE_TO_BATCH_ND, &s2b_kernel},
    {-1, NULL},
};
