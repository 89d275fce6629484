/* int8 convolution layers end to end (one-op models from the model
 * builder, run through the interpreter, 1 thread): the Keras int8 models'
 * stems, 3x3 / 1x1 and depthwise layers at 128x128 input. Prints the best
 * time of repeats at each ISA level (scalar = the plain-C reference rows)
 * and GOPS at the best level. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_qs8.h"
#include "format/model_builder.h"
#include "kernels/cpu.h"
#include "pocketnn.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

typedef struct {
  const char *name;
  bool dw;
  int hw, in_c, out_c, f, stride;
} layer;

static pnn_interpreter *build(const layer *l, pnn_model **model,
                              uint8_t **bytes) {
  pnn_mb *mb = pnn_mb_new();
  const int oc = l->out_c, o = (l->hw + l->stride - 1) / l->stride;
  int32_t xd[4] = {1, l->hw, l->hw, l->in_c};
  int32_t wd[4] = {oc, l->f, l->f, l->in_c};
  if (l->dw) wd[0] = 1, wd[3] = oc;
  int32_t bd[1] = {oc}, yd[4] = {1, o, o, oc};
  const size_t wn = (size_t)wd[0] * l->f * l->f * wd[3];
  int8_t *w = malloc(wn);
  int32_t *b = malloc(sizeof(int32_t) * oc);
  float *ws = malloc(sizeof(float) * oc), *bs = malloc(sizeof(float) * oc);
  int64_t *zz = calloc((size_t)oc, sizeof(int64_t));
  unsigned s = 5;
  for (size_t i = 0; i < wn; i++)
    w[i] = (int8_t)((s = s * 1664525u + 1013904223u) >> 24);
  for (int c = 0; c < oc; c++) {
    b[c] = (int32_t)((s = s * 1664525u + 1013904223u) >> 20) - 2048;
    ws[c] = 0.002f * (float)(c % 7 + 1);
    bs[c] = 0.05f * ws[c];
  }
  const float xs = 0.05f, ys = 0.3f;
  const int64_t xz = -3, yz = 7;
  int xi = pnn_mb_tensor(mb, "x", PNN_TYPE_INT8, 4, xd, NULL);
  int wi = pnn_mb_tensor(mb, "w", PNN_TYPE_INT8, 4, wd, w);
  int bi = pnn_mb_tensor(mb, "b", PNN_TYPE_INT32, 1, bd, b);
  int yi = pnn_mb_tensor(mb, "y", PNN_TYPE_INT8, 4, yd, NULL);
  pnn_mb_tensor_quant(mb, xi, 1, &xs, &xz, 0);
  pnn_mb_tensor_quant(mb, wi, oc, ws, zz, l->dw ? 3 : 0);
  pnn_mb_tensor_quant(mb, bi, oc, bs, zz, 0);
  pnn_mb_tensor_quant(mb, yi, 1, &ys, &yz, 0);
  if (l->dw) {
    pnn_depthwise_conv2d_options op;
    pnn_mb_options_defaults(1, PNN_OPTIONS_OF(depthwise_conv2d), &op);
    op.padding = PNN_PADDING_SAME;
    op.stride_w = op.stride_h = l->stride;
    op.depth_multiplier = 1;
    op.fused_activation_function = PNN_ACT_RELU6;
    pnn_mb_op(mb, PNN_OP_DEPTHWISE_CONV_2D, PNN_OPTIONS_OF(depthwise_conv2d),
              &op, 3, (int32_t[]){xi, wi, bi}, 1, &yi);
  } else {
    pnn_conv2d_options op;
    pnn_mb_options_defaults(1, PNN_OPTIONS_OF(conv2d), &op);
    op.padding = PNN_PADDING_SAME;
    op.stride_w = op.stride_h = l->stride;
    op.fused_activation_function = PNN_ACT_RELU6;
    pnn_mb_op(mb, PNN_OP_CONV_2D, PNN_OPTIONS_OF(conv2d), &op, 3,
              (int32_t[]){xi, wi, bi}, 1, &yi);
  }
  pnn_mb_inputs(mb, 1, &xi);
  pnn_mb_outputs(mb, 1, &yi);
  size_t size = 0;
  pnn_interpreter *it = NULL;
  pnn_status st = pnn_mb_finish(mb, bytes, &size);
  if (!st) st = pnn_model_load_buffer(*bytes, size, NULL, model, NULL, 0);
  if (!st) st = pnn_interpreter_create(*model, NULL, &it);
  if (!st) st = pnn_interpreter_allocate(it);
  if (!st) {
    pnn_tensor *x = pnn_interpreter_input(it, 0);
    memset(pnn_tensor_data(x), 9, pnn_tensor_byte_size(x));
  }
  free(w), free(b), free(ws), free(bs), free(zz);
  pnn_mb_free(mb);
  if (st) {
    pnn_interpreter_free(it);
    return NULL;
  }
  return it;
}

void pnn_bench_qs8_ops(void) {
  static const layer layers[] = {
      {"MobileNetV2 stem 3x3/2", false, 128, 3, 32, 3, 2},
      {"ResNet50 stem 7x7/2", false, 128, 3, 64, 7, 2},
      {"ResNet50 3x3 64", false, 32, 64, 64, 3, 1},
      {"ResNet50 3x3 256", false, 8, 256, 256, 3, 1},
      {"1x1 32x32 144->24", false, 32, 144, 24, 1, 1},
      {"1x1 16x16 64->384", false, 16, 64, 384, 1, 1},
      {"dw 3x3 64x64x32", true, 64, 32, 32, 3, 1},
      {"dw 3x3/2 64x64x96", true, 64, 96, 96, 3, 2},
      {"dw 5x5 32x32x240", true, 32, 240, 240, 5, 1},
  };
  const pnn_isa top = pnn_isa_supported();
  printf(
      "\nint8 conv layers as one-op models, 1 thread, us (best of "
      "repeats; scalar = plain-C reference rows)\n");
  printf("%-26s", "layer");
  for (int i = 0; i <= (int)top; i++) printf(" %10s", pnn_isa_name((pnn_isa)i));
  printf(" %10s\n", "GOPS");
  for (size_t l = 0; l < sizeof layers / sizeof layers[0]; l++) {
    const layer *ly = &layers[l];
    const int o = (ly->hw + ly->stride - 1) / ly->stride;
    const double ops =
        2.0 * o * o * ly->out_c * ly->f * ly->f * (ly->dw ? 1 : ly->in_c);
    printf("%-26s", ly->name);
    double kbest = 1e30;
    for (int i = 0; i <= (int)top; i++) {
      pnn_isa_force((pnn_isa)i);
      pnn_model *model = NULL;
      uint8_t *bytes = NULL;
      pnn_interpreter *it = build(ly, &model, &bytes);
      double best = 1e30;
      for (int rep = 0; it && rep < (i == 0 ? 3 : 30); rep++) {
        double t = now_s();
        pnn_interpreter_invoke(it);
        t = now_s() - t;
        if (t < best) best = t;
      }
      if (best < kbest) kbest = best;
      printf(" %10.1f", it ? best * 1e6 : -1.0);
      pnn_interpreter_free(it);
      pnn_model_free(model);
      free(bytes);
    }
    pnn_isa_force(PNN_ISA_COUNT);
    printf(" %10.1f\n", ops / kbest * 1e-9);
  }
}
