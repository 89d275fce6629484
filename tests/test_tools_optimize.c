/* `pocketnn optimize` passes on models built with the model builder: what
 * each pass removes, that it leaves alone what it must not touch, and
 * that outputs stay within float rounding of the original. */
#include <string.h>

#include "harness.h"
#include "tools_test_util.h"

#define TOL 1e-5

/* Optimizes m (all passes unless o says otherwise), checks the output
 * runs and matches m; returns the new model (NULL on any failure). */
static pnn_model *optimized_matching(const pnn_model *m,
                                     const pnn_optimize_options *o,
                                     double *err) {
  pnn_optimize_options d;
  pnn_optimize_options_init(&d);
  pnn_model *out = tt_optimize(m, o ? o : &d, NULL);
  static tt_outputs a, b;
  *err = INFINITY;
  if (!out || !tt_run(m, &a) || !tt_run(out, &b)) return out;
  *err = tt_rel_err(&a, &b);
  return out;
}

TEST(fuse_batch_norm_into_conv) {
  pnn_model *m = tt_load(tm_bn_conv());
  CHECK(m);
  double err;
  pnn_model *o = optimized_matching(m, NULL, &err);
  CHECK(o);
  CHECK_MSG(err <= TOL, "error %g", err);
  CHECK_EQ_INT(tt_count_ops(o, -1), 1);
  CHECK_EQ_INT(tt_count_ops(o, PNN_OP_CONV_2D), 1);
  const pnn_op_def *c = tt_op(o, 0);
  CHECK_EQ_INT(c->options.conv2d.fused_activation_function, PNN_ACT_RELU);
  /* The interface keeps its names; the conv now writes "output". */
  const pnn_subgraph_def *sg = &o->def.subgraphs[0];
  CHECK(!strcmp(sg->tensors[sg->outputs.data[0]].name, "output"));
  CHECK_EQ_INT(c->outputs.data[0], sg->outputs.data[0]);
  pnn_model_free(o);
  pnn_model_free(m);
}

TEST(fuse_batch_norm_into_depthwise_and_fc) {
  pnn_model *m = tt_load(tm_bn_dw_fc());
  CHECK(m);
  double err;
  pnn_model *o = optimized_matching(m, NULL, &err);
  CHECK(o);
  CHECK_MSG(err <= TOL, "error %g", err);
  CHECK_EQ_INT(tt_count_ops(o, -1), 3);
  CHECK_EQ_INT(tt_count_ops(o, PNN_OP_MUL) + tt_count_ops(o, PNN_OP_ADD) +
                   tt_count_ops(o, PNN_OP_SUB),
               0);
  CHECK_EQ_INT(tt_op(o, 0)->options.depthwise_conv2d.fused_activation_function,
               PNN_ACT_RELU6);
  /* FC had no bias: the fold gave it one. */
  const pnn_op_def *fc = tt_op(o, 2);
  CHECK_EQ_INT(fc->inputs.count, 3);
  CHECK(fc->inputs.data[2] >= 0);
  pnn_model_free(o);
  pnn_model_free(m);
}

TEST(fuse_pad_only_when_it_equals_same) {
  pnn_model *m = tt_load(tm_pad_conv());
  CHECK(m);
  double err;
  pnn_model *o = optimized_matching(m, NULL, &err);
  CHECK(o);
  CHECK_MSG(err <= TOL, "error %g", err);
  CHECK_EQ_INT(tt_count_ops(o, PNN_OP_PAD), 1);
  CHECK_EQ_INT(tt_count_ops(o, PNN_OP_CONV_2D), 2);
  int same = 0, valid = 0;
  for (int i = 0; i < tt_count_ops(o, -1); i++) {
    const pnn_op_def *op = tt_op(o, i);
    if (o->def.opcodes[op->opcode_index].builtin != PNN_OP_CONV_2D) continue;
    if (op->options.conv2d.padding == PNN_PADDING_SAME)
      same++;
    else
      valid++;
  }
  CHECK_EQ_INT(same, 1);
  CHECK_EQ_INT(valid, 1);
  pnn_model_free(o);
  pnn_model_free(m);
}

TEST(fold_prune_dedupe_and_identities) {
  pnn_model *m = tt_load(tm_fold_prune());
  CHECK(m);
  double err;
  pnn_tool_report rep = {0};
  pnn_optimize_options opts;
  pnn_optimize_options_init(&opts);
  pnn_model *o = tt_optimize(m, &opts, &rep);
  CHECK(o);
  pnn_model_free(o);
  CHECK(rep.text && strstr(rep.text, "fold: evaluated DEQUANTIZE"));
  CHECK(strstr(rep.text, "prune: removed TANH"));
  CHECK(strstr(rep.text, "identical to buffer"));
  CHECK(strstr(rep.text, "identity RESHAPE"));
  pnn_report_free(&rep);
  o = optimized_matching(m, NULL, &err);
  CHECK(o);
  CHECK_MSG(err <= TOL, "error %g", err);
  /* FC (weights folded from fp16, constants fused) and one RESHAPE. */
  CHECK_EQ_INT(tt_count_ops(o, -1), 2);
  CHECK_EQ_INT(tt_count_ops(o, PNN_OP_FULLY_CONNECTED), 1);
  CHECK_EQ_INT(tt_count_ops(o, PNN_OP_RESHAPE), 1);
  const pnn_subgraph_def *sg = &o->def.subgraphs[0];
  for (int32_t t = 0; t < sg->n_tensors; t++)
    CHECK(sg->tensors[t].type != PNN_TYPE_FLOAT16);
  CHECK(o->def.n_opcodes == 2);
  pnn_model_free(o);
  pnn_model_free(m);
}

TEST(prune_alone_removes_dead_ops_and_shares_buffers) {
  pnn_model *m = tt_load(tm_fold_prune());
  CHECK(m);
  pnn_optimize_options opts;
  pnn_optimize_options_init(&opts);
  opts.passes = PNN_PASS_PRUNE;
  double err;
  pnn_model *o = optimized_matching(m, &opts, &err);
  CHECK(o);
  CHECK_MSG(err == 0, "prune changed outputs by %g", err);
  CHECK_EQ_INT(tt_count_ops(o, -1), tt_count_ops(m, -1) - 1);
  CHECK_EQ_INT(tt_count_ops(o, PNN_OP_TANH), 0);
  CHECK_EQ_INT(o->def.n_buffers, m->def.n_buffers - 1);
  const pnn_tensor_def *d1 = tt_tensor_named(o, "d1"),
                       *d2 = tt_tensor_named(o, "d2");
  CHECK(d1 && d2);
  CHECK_EQ_INT(d1->buffer, d2->buffer);
  pnn_model_free(o);
  pnn_model_free(m);
}

TEST(keep_fp16_keeps_dequantize) {
  pnn_model *m = tt_load(tm_fold_prune());
  CHECK(m);
  pnn_optimize_options opts;
  pnn_optimize_options_init(&opts);
  opts.keep_fp16 = true;
  double err;
  pnn_model *o = optimized_matching(m, &opts, &err);
  CHECK(o);
  CHECK_MSG(err <= TOL, "error %g", err);
  CHECK_EQ_INT(tt_count_ops(o, PNN_OP_DEQUANTIZE), 1);
  /* With non-constant weights the MULs cannot go into the FC. */
  CHECK_EQ_INT(tt_count_ops(o, PNN_OP_FULLY_CONNECTED), 1);
  CHECK(tt_count_ops(o, PNN_OP_ADD) + tt_count_ops(o, PNN_OP_MUL) >= 1);
  pnn_model_free(o);
  pnn_model_free(m);
}

TEST(no_passes_changes_nothing) {
  pnn_model *m = tt_load(tm_bn_dw_fc());
  CHECK(m);
  pnn_optimize_options opts;
  pnn_optimize_options_init(&opts);
  opts.passes = 0;
  double err;
  pnn_model *o = optimized_matching(m, &opts, &err);
  CHECK(o);
  CHECK(err == 0);
  CHECK_EQ_INT(tt_count_ops(o, -1), tt_count_ops(m, -1));
  CHECK_EQ_INT(o->def.subgraphs[0].n_tensors, m->def.subgraphs[0].n_tensors);
  pnn_model_free(o);
  pnn_model_free(m);
}

/* conv (fused RELU) -> MUL, conv -> TANH, conv read twice: none fuse. */
static pnn_mb *blocked_model(void) {
  pnn_mb *mb = pnn_mb_new();
  const int32_t xd[] = {1, 4, 4, 2}, wd[] = {3, 1, 1, 2}, bd[] = {3},
                yd[] = {1, 4, 4, 3};
  float w[6] = {0.5f, -1, 0.25f, 2, -0.75f, 1}, b[3] = {0.1f, -0.2f, 0.3f},
        s[3] = {2, -1, 0.5f};
  int x = pnn_mb_tensor(mb, "input", PNN_TYPE_FLOAT32, 4, xd, NULL);
  int wt = pnn_mb_tensor(mb, "w", PNN_TYPE_FLOAT32, 4, wd, w);
  int bt = pnn_mb_tensor(mb, "b", PNN_TYPE_FLOAT32, 1, bd, b);
  int st = pnn_mb_tensor(mb, "s", PNN_TYPE_FLOAT32, 1, bd, s);
  pnn_conv2d_options co;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(conv2d), &co);
  co.stride_w = co.stride_h = 1;
  co.fused_activation_function = PNN_ACT_RELU;
  int y1 = pnn_mb_tensor(mb, "y1", PNN_TYPE_FLOAT32, 4, yd, NULL);
  pnn_mb_op(mb, PNN_OP_CONV_2D, PNN_OPTIONS_OF(conv2d), &co, 3,
            (int32_t[]){x, wt, bt}, 1, &y1);
  pnn_mul_options mo;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(mul), &mo);
  int o1 = pnn_mb_tensor(mb, "o1", PNN_TYPE_FLOAT32, 4, yd, NULL);
  pnn_mb_op(mb, PNN_OP_MUL, PNN_OPTIONS_OF(mul), &mo, 2, (int32_t[]){y1, st}, 1,
            &o1);
  /* A second conv sharing w and b, read by TANH and by a MUL. */
  co.fused_activation_function = PNN_ACT_NONE;
  int y2 = pnn_mb_tensor(mb, "y2", PNN_TYPE_FLOAT32, 4, yd, NULL);
  pnn_mb_op(mb, PNN_OP_CONV_2D, PNN_OPTIONS_OF(conv2d), &co, 3,
            (int32_t[]){x, wt, bt}, 1, &y2);
  int o2 = pnn_mb_tensor(mb, "o2", PNN_TYPE_FLOAT32, 4, yd, NULL);
  pnn_mb_op(mb, PNN_OP_TANH, 0, NULL, 1, &y2, 1, &o2);
  int o3 = pnn_mb_tensor(mb, "o3", PNN_TYPE_FLOAT32, 4, yd, NULL);
  pnn_mb_op(mb, PNN_OP_MUL, PNN_OPTIONS_OF(mul), &mo, 2, (int32_t[]){y2, st}, 1,
            &o3);
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 3, (int32_t[]){o1, o2, o3});
  return mb;
}

TEST(fuse_respects_blockers) {
  pnn_model *m = tt_load(blocked_model());
  CHECK(m);
  double err;
  pnn_model *o = optimized_matching(m, NULL, &err);
  CHECK(o);
  CHECK_MSG(err <= TOL, "error %g", err);
  CHECK_EQ_INT(tt_count_ops(o, -1), 5);
  CHECK_EQ_INT(tt_count_ops(o, PNN_OP_MUL), 2);
  CHECK_EQ_INT(tt_count_ops(o, PNN_OP_TANH), 1);
  pnn_model_free(o);
  pnn_model_free(m);
}

TEST(strip_names_keeps_interface_unless_asked) {
  pnn_model *m = tt_load(tm_bn_dw_fc());
  CHECK(m);
  pnn_optimize_options opts;
  pnn_optimize_options_init(&opts);
  opts.strip_names = true;
  double err;
  pnn_model *o = optimized_matching(m, &opts, &err);
  CHECK(o);
  CHECK(err <= TOL);
  CHECK(tt_tensor_named(o, "input") && tt_tensor_named(o, "output"));
  CHECK(!tt_tensor_named(o, "fc/w"));
  CHECK(tt_tensor_named(o, "t1"));
  pnn_model_free(o);
  opts.strip_io_names = true;
  o = optimized_matching(m, &opts, &err);
  CHECK(o);
  CHECK(err <= TOL);
  CHECK(!tt_tensor_named(o, "input") && !tt_tensor_named(o, "output"));
  pnn_model_free(o);
  pnn_model_free(m);
}

TEST(mediapipe_model_optimizes_within_tolerance) {
  const char *path =
      ".cache/mediapipe/mediapipe/modules/face_detection/"
      "face_detection_short_range.tflite";
  pnn_model *m = NULL;
  if (pnn_model_load_file(path, NULL, &m, NULL, 0) != PNN_OK) {
    printf("note: %s missing (scripts/fetch_mediapipe.sh); skipped\n", path);
    return;
  }
  pnn_optimize_options opts;
  pnn_optimize_options_init(&opts);
  pnn_model *o = tt_optimize(m, &opts, NULL);
  CHECK(o);
  CHECK(tt_count_ops(o, -1) < tt_count_ops(m, -1));
  CHECK_EQ_INT(tt_count_ops(o, PNN_OP_DEQUANTIZE), 0);
  pnn_model_free(o);
  pnn_model_free(m);
}
