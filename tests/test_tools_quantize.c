/* `pocketnn quantize` float modes on builder models: what is converted,
 * the stored values, the error, and bad arguments. Also the atomic file
 * writer the tools use. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "ops/tensor_util.h"
#include "tools_test_util.h"

static int count_type(const pnn_model *m, pnn_type type) {
  const pnn_subgraph_def *sg = &m->def.subgraphs[0];
  int n = 0;
  for (int32_t t = 0; t < sg->n_tensors; t++) n += sg->tensors[t].type == type;
  return n;
}

TEST(fp16_stores_half_weights_behind_dequantize) {
  pnn_model *m = tt_load(tm_bn_conv());
  CHECK(m);
  pnn_quantize_options q;
  pnn_quantize_options_init(&q);
  q.mode = PNN_QUANT_FP16;
  pnn_model *o = tt_quantize(m, &q, NULL);
  CHECK(o);
  /* conv/w (1152), conv/b, bn/scale, bn/shift (16 each) become float16. */
  CHECK_EQ_INT(count_type(o, PNN_TYPE_FLOAT16), 4);
  CHECK_EQ_INT(tt_count_ops(o, PNN_OP_DEQUANTIZE), 4);
  const pnn_tensor_def *h = tt_tensor_named(o, "conv/w_fp16");
  const pnn_tensor_def *w = tt_tensor_named(m, "conv/w");
  CHECK(h && w && h->type == PNN_TYPE_FLOAT16);
  const uint16_t *hv =
      (const uint16_t *)pnn_model_tensor_buffer(&o->def, h)->data;
  const float *wv = (const float *)pnn_model_tensor_buffer(&m->def, w)->data;
  for (int i = 0; i < 1152; i++)
    CHECK_EQ_INT(hv[i], pnn_tu_float_to_half(wv[i]));
  static tt_outputs a, b;
  CHECK(tt_run(m, &a) && tt_run(o, &b));
  double err = tt_rel_err(&a, &b);
  CHECK_MSG(err > 0 && err < 5e-3, "fp16 error %g", err);
  /* Half the weight bytes. */
  CHECK(o->size < m->size * 3 / 4);
  pnn_model_free(o);
  pnn_model_free(m);
}

TEST(dynamic_int8_per_channel_weights) {
  pnn_model *m = tt_load(tm_bn_dw_fc());
  CHECK(m);
  pnn_quantize_options q;
  pnn_quantize_options_init(&q);
  q.mode = PNN_QUANT_DYNAMIC;
  pnn_tool_report rep = {0};
  pnn_model *o = tt_quantize(m, &q, &rep);
  CHECK(o);
  /* fc/w [32, 64] is int8 with 32 scales; the 36-element depthwise
   * filter is below the size threshold and says so. */
  const pnn_tensor_def *w = tt_tensor_named(o, "fc/w");
  const pnn_tensor_def *w0 = tt_tensor_named(m, "fc/w");
  CHECK(w && w0 && w->type == PNN_TYPE_INT8);
  CHECK_EQ_INT(w->quant.n_scale, 32);
  CHECK_EQ_INT(w->quant.quantized_dimension, 0);
  const int8_t *qv = (const int8_t *)pnn_model_tensor_buffer(&o->def, w)->data;
  const float *fv = (const float *)pnn_model_tensor_buffer(&m->def, w0)->data;
  for (int c = 0; c < 32; c++) {
    float mx = 0;
    for (int k = 0; k < 64; k++) mx = fmaxf(mx, fabsf(fv[c * 64 + k]));
    CHECK_NEAR(w->quant.scale[c], mx / 127.0f, 1e-9);
    CHECK_EQ_INT(w->quant.zero_point[c], 0);
    for (int k = 0; k < 64; k++)
      CHECK(fabsf(qv[c * 64 + k] * w->quant.scale[c] - fv[c * 64 + k]) <=
            w->quant.scale[c] * 0.5f + 1e-7f);
  }
  CHECK_EQ_INT(tt_tensor_named(o, "dw/w")->type, PNN_TYPE_FLOAT32);
  CHECK(rep.text && strstr(rep.text, "DEPTHWISE_CONV_2D (op 0"));
  CHECK(strstr(rep.text, "small"));
  pnn_report_free(&rep);
  pnn_model_free(o);
  pnn_model_free(m);
}

TEST(dynamic_converts_float16_weights_and_drops_dequantize) {
  pnn_model *m = tt_load(tm_fold_prune());
  CHECK(m);
  pnn_quantize_options q;
  pnn_quantize_options_init(&q);
  q.mode = PNN_QUANT_DYNAMIC;
  q.min_elements = 64; /* fc/w is 8x8 */
  pnn_tool_report rep = {0};
  pnn_model *o = tt_quantize(m, &q, &rep);
  CHECK(o);
  CHECK_EQ_INT(tt_count_ops(o, PNN_OP_DEQUANTIZE), 0);
  CHECK_EQ_INT(tt_count_ops(o, -1), tt_count_ops(m, -1) - 1);
  const pnn_tensor_def *w = tt_tensor_named(o, "fc/w");
  CHECK(w && w->type == PNN_TYPE_INT8 && w->quant.n_scale == 8);
  CHECK(pnn_model_tensor_buffer(&o->def, w) != NULL);
  CHECK(tt_tensor_named(o, "fc/w_fp16") == NULL); /* pruned */
  CHECK(rep.text && strstr(rep.text, "(from float16)"));
  pnn_report_free(&rep);
  pnn_model_free(o);
  pnn_model_free(m);
}

TEST(dynamic_batch_matmul_is_per_tensor) {
  pnn_model *m = tt_load(tm_matmul());
  CHECK(m);
  pnn_quantize_options q;
  pnn_quantize_options_init(&q);
  q.mode = PNN_QUANT_DYNAMIC;
  pnn_model *o = tt_quantize(m, &q, NULL);
  CHECK(o);
  const pnn_tensor_def *w = tt_tensor_named(o, "mm/w");
  CHECK(w && w->type == PNN_TYPE_INT8);
  CHECK_EQ_INT(w->quant.n_scale, 1);
  const float *fv = (const float *)pnn_model_tensor_buffer(
                        &m->def, tt_tensor_named(m, "mm/w"))
                        ->data;
  float mx = 0;
  for (int i = 0; i < 64 * 32; i++) mx = fmaxf(mx, fabsf(fv[i]));
  CHECK_NEAR(w->quant.scale[0], mx / 127.0f, 1e-9);
  pnn_model_free(o);
  pnn_model_free(m);
}

TEST(round_weights_clusters_values) {
  pnn_model *m = tt_load(tm_bn_conv());
  CHECK(m);
  pnn_quantize_options q;
  pnn_quantize_options_init(&q);
  q.mode = PNN_QUANT_ROUND_WEIGHTS;
  q.clusters = 16;
  pnn_model *o = tt_quantize(m, &q, NULL);
  CHECK(o);
  const pnn_tensor_def *w = tt_tensor_named(o, "conv/w");
  CHECK(w && w->type == PNN_TYPE_FLOAT32);
  const float *v = (const float *)pnn_model_tensor_buffer(&o->def, w)->data;
  float seen[64];
  int n_seen = 0;
  for (int i = 0; i < 1152; i++) {
    int k = 0;
    while (k < n_seen && seen[k] != v[i]) k++;
    if (k == n_seen) {
      CHECK_MSG(n_seen < 16, "more than 16 distinct values");
      seen[n_seen++] = v[i];
    }
  }
  CHECK(n_seen >= 8); /* uniform data uses most clusters */
  static tt_outputs a, b;
  CHECK(tt_run(m, &a) && tt_run(o, &b));
  double err = tt_rel_err(&a, &b);
  CHECK_MSG(err > 0 && err < 0.1, "round-weights error %g", err);
  pnn_model_free(o);
  pnn_model_free(m);
}

TEST(bad_arguments_are_refused) {
  pnn_model *m = tt_load(tm_bn_conv());
  CHECK(m);
  pnn_quantize_options q;
  pnn_quantize_options_init(&q);
  q.mode = PNN_QUANT_ROUND_WEIGHTS;
  q.clusters = 1;
  uint8_t *bytes = (uint8_t *)1;
  size_t size;
  char err[256] = "";
  CHECK_EQ_INT(pnn_quantize(m, &q, &bytes, &size, NULL, err, sizeof err),
               PNN_ERROR_INVALID_ARGUMENT);
  CHECK(bytes == NULL);
  CHECK(strstr(err, "clusters"));
  q.mode = (pnn_quant_mode)99;
  CHECK_EQ_INT(pnn_quantize(m, &q, &bytes, &size, NULL, err, sizeof err),
               PNN_ERROR_INVALID_ARGUMENT);
  CHECK_EQ_INT(pnn_optimize(NULL, NULL, &bytes, &size, NULL, err, sizeof err),
               PNN_ERROR_INVALID_ARGUMENT);
  pnn_model_free(m);
}

static int files_in(const char *dir) {
  DIR *d = opendir(dir);
  int n = 0;
  if (!d) return -1;
  for (struct dirent *e; (e = readdir(d));) n += e->d_name[0] != '.';
  closedir(d);
  return n;
}

TEST(tool_write_file_is_atomic) {
  char dir[] = "/tmp/pnn_tools_XXXXXX";
  CHECK(mkdtemp(dir));
  char path[256], bad[300];
  snprintf(path, sizeof path, "%s/out.tflite", dir);
  snprintf(bad, sizeof bad, "%s/missing/out.tflite", dir);
  const uint8_t data[] = {1, 2, 3};
  char err[256] = "";
  CHECK_EQ_INT(pnn_tool_write_file(bad, data, 3, err, sizeof err),
               PNN_ERROR_IO);
  CHECK(strstr(err, "missing"));
  CHECK_EQ_INT(files_in(dir), 0);
  CHECK_EQ_INT(pnn_tool_write_file(path, data, 3, err, sizeof err), PNN_OK);
  CHECK_EQ_INT(files_in(dir), 1); /* no temporary left behind */
  struct stat st;
  CHECK(stat(path, &st) == 0 && st.st_size == 3);
  unlink(path);
  rmdir(dir);
}
