/* Unit tests of the MediaPipe custom ops (src/ops/mediapipe.c) through the
 * public API on one-op models made with the model builder: small cases
 * worked out by hand, and the failure paths of prepare (bad raw options,
 * malformed or truncated FlexBuffers, out-of-range indices, unsupported
 * versions). The NumPy comparison over many shapes is
 * tools/conformance/ops/mediapipe.py; whole models are checked by
 * tools/conformance/mediapipe_check.py. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "optest.h"

/* ------------------------------------------------------------ helpers */

/* MediaPipe's ops are float32 and fail, when they do, at prepare. */
#define F32 PNN_TYPE_FLOAT32
#define CHECK_PREPARE_FAILS(t, expr, want_status, needle) \
  CHECK_FAILS_AT(t, expr, want_status, OT_ALLOCATE, needle)

/* FlexBuffers maps as flexbuffers.Dumps writes them:
 * {"output_height": 2, "output_width": 3} */
static const uint8_t kTtbOptions[] = {
    0x6f, 0x75, 0x74, 0x70, 0x75, 0x74, 0x5f, 0x68, 0x65, 0x69,
    0x67, 0x68, 0x74, 0x00, 0x6f, 0x75, 0x74, 0x70, 0x75, 0x74,
    0x5f, 0x77, 0x69, 0x64, 0x74, 0x68, 0x00, 0x02, 0x1c, 0x0f,
    0x02, 0x01, 0x02, 0x02, 0x03, 0x04, 0x04, 0x04, 0x24, 0x01,
};
/* {"subset_idxs": [0, 2, 3], "left_rotation_idx": 0,
 *  "right_rotation_idx": 1, "target_rotation_radians": 0.0,
 *  "output_height": 4, "output_width": 4, "scale_x": 1.0, "scale_y": 1.0} */
static const uint8_t kL2tmOptions[] = {
    0x73, 0x75, 0x62, 0x73, 0x65, 0x74, 0x5f, 0x69, 0x64, 0x78, 0x73, 0x00,
    0x03, 0x00, 0x02, 0x03, 0x04, 0x04, 0x04, 0x6c, 0x65, 0x66, 0x74, 0x5f,
    0x72, 0x6f, 0x74, 0x61, 0x74, 0x69, 0x6f, 0x6e, 0x5f, 0x69, 0x64, 0x78,
    0x00, 0x72, 0x69, 0x67, 0x68, 0x74, 0x5f, 0x72, 0x6f, 0x74, 0x61, 0x74,
    0x69, 0x6f, 0x6e, 0x5f, 0x69, 0x64, 0x78, 0x00, 0x74, 0x61, 0x72, 0x67,
    0x65, 0x74, 0x5f, 0x72, 0x6f, 0x74, 0x61, 0x74, 0x69, 0x6f, 0x6e, 0x5f,
    0x72, 0x61, 0x64, 0x69, 0x61, 0x6e, 0x73, 0x00, 0x6f, 0x75, 0x74, 0x70,
    0x75, 0x74, 0x5f, 0x68, 0x65, 0x69, 0x67, 0x68, 0x74, 0x00, 0x6f, 0x75,
    0x74, 0x70, 0x75, 0x74, 0x5f, 0x77, 0x69, 0x64, 0x74, 0x68, 0x00, 0x73,
    0x63, 0x61, 0x6c, 0x65, 0x5f, 0x78, 0x00, 0x73, 0x63, 0x61, 0x6c, 0x65,
    0x5f, 0x79, 0x00, 0x08, 0x69, 0x2d, 0x20, 0x5a, 0x15, 0x0e, 0x82, 0x4b,
    0x08, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x80, 0x3f,
    0x9b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 0x06, 0x06, 0x06,
    0x0e, 0x0e, 0x28, 0x0e, 0x28, 0x26, 0x01,
};

/* Landmarks (x, y, z): L0 (0,0), L1 (2,0), L2 (1,1), L3 (3,-1). */
static const float kLandmarks[12] = {0, 0, 0, 2, 0, 0, 1, 1, 0, 3, -1, 0};

static pnn_status run_l2tm(optest *t, const void *opts, size_t size) {
  int x = ot_input(t, F32, 3, (int32_t[]){1, 4, 3}, kLandmarks);
  int y = ot_output(t, F32);
  return ot_run_custom(t, "Landmarks2TransformMatrix", 2, opts, size, 1, &x, 1,
                       &y);
}

/* --------------------------------------------- Convolution2DTransposeBias */

TEST(tconv_valid_and_same) {
  /* One input 2, weights [1,2,3,4] (2x2), bias 10, stride 2:
   * VALID -> 2x2 output 10 + 2*w; SAME cuts the total padding 1 -> 1x1. */
  const float x[] = {2}, w[] = {1, 2, 3, 4}, b[] = {10};
  const int32_t valid[3] = {2, 2, 2}, same[3] = {1, 2, 2};
  optest t;
  ot_begin(&t);
  int in = ot_input(&t, F32, 4, (int32_t[]){1, 1, 1, 1}, x);
  int wt = ot_const(&t, F32, 4, (int32_t[]){1, 2, 2, 1}, w);
  int bs = ot_const(&t, F32, 1, (int32_t[]){1}, b);
  int y = ot_output(&t, F32);
  CHECK_OK(&t, ot_run_custom(&t, "Convolution2DTransposeBias", 1, valid,
                             sizeof valid, 3, (int32_t[]){in, wt, bs}, 1, &y));
  CHECK(ot_out_shape_is(&t, 0, 4, (int32_t[]){1, 2, 2, 1}));
  const float want[] = {12, 14, 16, 18};
  CHECK_OUT_FLOATS(&t, 0, want, 4, 1e-6f);
  ot_end(&t);

  ot_begin(&t);
  in = ot_input(&t, F32, 4, (int32_t[]){1, 1, 1, 1}, x);
  wt = ot_const(&t, F32, 4, (int32_t[]){1, 2, 2, 1}, w);
  bs = ot_const(&t, F32, 1, (int32_t[]){1}, b);
  y = ot_output(&t, F32);
  CHECK_OK(&t, ot_run_custom(&t, "Convolution2DTransposeBias", 1, same,
                             sizeof same, 3, (int32_t[]){in, wt, bs}, 1, &y));
  CHECK(ot_out_shape_is(&t, 0, 4, (int32_t[]){1, 1, 1, 1}));
  const float want_same[] = {12};
  CHECK_OUT_FLOATS(&t, 0, want_same, 1, 1e-6f);
  ot_end(&t);
}

TEST(tconv_rejects_bad_options_and_shapes) {
  const float x[4] = {0}, w[8] = {0}, b[2] = {0};
  const int32_t good[3] = {1, 2, 2}, zero_stride[3] = {1, 0, 2},
                bad_pad[3] = {7, 1, 1};
  struct {
    const int32_t *opts;
    size_t size;
    int32_t bias_n;
    pnn_status status;
    const char *needle;
  } cases[] = {
      {good, 8, 2, PNN_ERROR_INVALID_MODEL, "need at least 12"},
      {zero_stride, 12, 2, PNN_ERROR_INVALID_MODEL, "stride"},
      {bad_pad, 12, 2, PNN_ERROR_INVALID_MODEL, "padding"},
      {good, 12, 1, PNN_ERROR_INVALID_MODEL, "input 2"},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    optest t;
    ot_begin(&t);
    int in = ot_input(&t, F32, 4, (int32_t[]){1, 2, 2, 1}, x);
    int wt = ot_const(&t, F32, 4, (int32_t[]){2, 2, 2, 1}, w);
    int bs = ot_const(&t, F32, 1, &cases[k].bias_n, b);
    int y = ot_output(&t, F32);
    CHECK_PREPARE_FAILS(
        &t,
        ot_run_custom(&t, "Convolution2DTransposeBias", 1, cases[k].opts,
                      cases[k].size, 3, (int32_t[]){in, wt, bs}, 1, &y),
        cases[k].status, cases[k].needle);
    ot_end(&t);
  }
}

/* --------------------------------------- MaxPoolingWithArgmax2D / Unpool */

TEST(argmax_then_unpool_round_trip) {
  /* 2x2 input [1, 5; 3, 2], 2x2 window stride 2 VALID: max 5 at window
   * index 1 -> 1.1; unpooling puts 5 back at (0, 1). */
  const float x[] = {1, 5, 3, 2};
  const int32_t opts[10] = {2, 2, 2, 2, 2, 0}; /* + computed padding */
  optest t;
  ot_begin(&t);
  int in = ot_input(&t, F32, 4, (int32_t[]){1, 2, 2, 1}, x);
  int y = ot_output(&t, F32);
  int i = ot_output(&t, F32);
  CHECK_OK(&t, ot_run_custom(&t, "MaxPoolingWithArgmax2D", 1, opts, sizeof opts,
                             1, &in, 2, (int32_t[]){y, i}));
  CHECK(ot_out_shape_is(&t, 1, 4, (int32_t[]){1, 1, 1, 1}));
  const float want_y[] = {5}, want_i[] = {1.1f};
  CHECK_OUT_FLOATS(&t, 0, want_y, 1, 1e-6f);
  CHECK_OUT_FLOATS(&t, 1, want_i, 1, 1e-6f);
  ot_end(&t);

  /* Unpooling: a valid index, then ones that must be skipped (NaN, huge,
   * negative past the edge). */
  const float v[] = {5, 6, 7, 8}, idx[] = {1.1f, NAN, 1e10f, -5.f};
  ot_begin(&t);
  int a = ot_input(&t, F32, 4, (int32_t[]){1, 1, 4, 1}, v);
  int b = ot_input(&t, F32, 4, (int32_t[]){1, 1, 4, 1}, idx);
  y = ot_output(&t, F32);
  CHECK_OK(&t, ot_run_custom(&t, "MaxUnpooling2D", 1, opts, sizeof opts, 2,
                             (int32_t[]){a, b}, 1, &y));
  CHECK(ot_out_shape_is(&t, 0, 4, (int32_t[]){1, 2, 8, 1}));
  float want[16] = {0};
  want[1] = 5; /* row 0, x = 0 * 2 + 1 */
  CHECK_OUT_FLOATS(&t, 0, want, 16, 1e-6f);
  ot_end(&t);
}

TEST(pool_options_checked) {
  const float x[4] = {0};
  const int32_t short_opts[3] = {1, 2, 2};
  const int32_t zero_filter[6] = {1, 2, 2, 0, 2, 0};
  const int32_t tanh_act[6] = {1, 2, 2, 2, 2, 4};
  const struct {
    const int32_t *opts;
    size_t size;
    pnn_status status;
    const char *needle;
  } cases[] = {
      {short_opts, sizeof short_opts, PNN_ERROR_INVALID_MODEL,
       "TfLitePoolParams"},
      {zero_filter, sizeof zero_filter, PNN_ERROR_INVALID_MODEL, "filter"},
      {tanh_act, sizeof tanh_act, PNN_ERROR_UNSUPPORTED, "activation 4"},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    optest t;
    ot_begin(&t);
    int in = ot_input(&t, F32, 4, (int32_t[]){1, 2, 2, 1}, x);
    int y = ot_output(&t, F32), i = ot_output(&t, F32);
    CHECK_PREPARE_FAILS(
        &t,
        ot_run_custom(&t, "MaxPoolingWithArgmax2D", 1, cases[k].opts,
                      cases[k].size, 1, &in, 2, (int32_t[]){y, i}),
        cases[k].status, cases[k].needle);
    ot_end(&t);
  }
  /* Unpooling indices must match the data's shape. */
  const int32_t opts[6] = {1, 2, 2, 2, 2, 0};
  optest t;
  ot_begin(&t);
  int a = ot_input(&t, F32, 4, (int32_t[]){1, 2, 2, 1}, x);
  int b = ot_input(&t, F32, 4, (int32_t[]){1, 2, 1, 1}, x);
  int y = ot_output(&t, F32);
  CHECK_PREPARE_FAILS(&t,
                      ot_run_custom(&t, "MaxUnpooling2D", 1, opts, sizeof opts,
                                    2, (int32_t[]){a, b}, 1, &y),
                      PNN_ERROR_INVALID_MODEL, "indices");
  ot_end(&t);
}

/* ------------------------------------------------- TransformLandmarks */

TEST(transform_landmarks_v2) {
  /* x' = 2x + 1, y' = -y + 3 (matrix rows [2 0 0 1], [0 -1 0 3]); z kept. */
  const float lm[] = {1, 2, 9, -1, 0, 7};
  const float m[16] = {2, 0, 0, 1, 0, -1, 0, 3, 0, 0, 1, 0, 0, 0, 0, 1};
  optest t;
  ot_begin(&t);
  int a = ot_input(&t, F32, 3, (int32_t[]){1, 2, 3}, lm);
  int b = ot_input(&t, F32, 3, (int32_t[]){1, 4, 4}, m);
  int y = ot_output(&t, F32);
  CHECK_OK(&t, ot_run_custom(&t, "TransformLandmarks", 2, NULL, 0, 2,
                             (int32_t[]){a, b}, 1, &y));
  const float want[] = {3, 1, 9, -1, 3, 7};
  CHECK_OUT_FLOATS(&t, 0, want, 6, 1e-6f);
  ot_end(&t);
  /* Version 1 (different options and layout) is not implemented. */
  ot_begin(&t);
  a = ot_input(&t, F32, 3, (int32_t[]){1, 2, 3}, lm);
  b = ot_input(&t, F32, 3, (int32_t[]){1, 4, 4}, m);
  y = ot_output(&t, F32);
  CHECK_PREPARE_FAILS(&t,
                      ot_run_custom(&t, "TransformLandmarks", 1, NULL, 0, 2,
                                    (int32_t[]){a, b}, 1, &y),
                      PNN_ERROR_UNSUPPORTED, "version 1");
  ot_end(&t);
  /* A too-small matrix is refused before eval reads past it. */
  ot_begin(&t);
  a = ot_input(&t, F32, 3, (int32_t[]){1, 2, 3}, lm);
  b = ot_input(&t, F32, 1, (int32_t[]){4}, m);
  y = ot_output(&t, F32);
  CHECK_PREPARE_FAILS(&t,
                      ot_run_custom(&t, "TransformLandmarks", 2, NULL, 0, 2,
                                    (int32_t[]){a, b}, 1, &y),
                      PNN_ERROR_INVALID_MODEL, "at least 8");
  ot_end(&t);
}

/* -------------------------------------------- TransformTensorBilinear */

TEST(transform_tensor_bilinear_identity) {
  /* Identity matrix samples pixel centres exactly; x = 2 is past the
   * 2-wide input and reads as 0. */
  const float x[] = {1, 2, 3, 4};
  const float m[16] = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
  optest t;
  ot_begin(&t);
  int a = ot_input(&t, F32, 4, (int32_t[]){1, 2, 2, 1}, x);
  int b = ot_input(&t, F32, 3, (int32_t[]){1, 4, 4}, m);
  int y = ot_output(&t, F32);
  CHECK_OK(&t, ot_run_custom(&t, "TransformTensorBilinear", 2, kTtbOptions,
                             sizeof kTtbOptions, 2, (int32_t[]){a, b}, 1, &y));
  CHECK(ot_out_shape_is(&t, 0, 4, (int32_t[]){1, 2, 3, 1}));
  const float want[] = {1, 2, 0, 3, 4, 0};
  CHECK_OUT_FLOATS(&t, 0, want, 6, 1e-6f);
  ot_end(&t);
  /* Half-pixel shift: x = 0.5 mixes columns 0 and 1 equally; x = 1.5 is
   * past the last column (1) and the whole pixel is 0. */
  const float half[16] = {1, 0, 0, 0.5f, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
  ot_begin(&t);
  a = ot_input(&t, F32, 4, (int32_t[]){1, 2, 2, 1}, x);
  b = ot_input(&t, F32, 3, (int32_t[]){1, 4, 4}, half);
  y = ot_output(&t, F32);
  CHECK_OK(&t, ot_run_custom(&t, "TransformTensorBilinear", 2, kTtbOptions,
                             sizeof kTtbOptions, 2, (int32_t[]){a, b}, 1, &y));
  const float want_half[] = {1.5f, 0, 0, 3.5f, 0, 0};
  CHECK_OUT_FLOATS(&t, 0, want_half, 6, 1e-6f);
  ot_end(&t);
}

/* Every truncation and every single-byte corruption of a FlexBuffers map
 * either prepares or fails cleanly (run under ASan to catch overreads). */
static void fuzz_options(const char *op, const uint8_t *opts, size_t size,
                         int *n_ok, int *n_err) {
  uint8_t buf[256];
  for (size_t len = 0; len <= size; len++) {
    for (size_t flip = 0; flip <= len; flip++) {
      memcpy(buf, opts, len);
      if (flip < len) buf[flip] ^= 0x5a;
      /* Only the truncations of the intact buffer and the corruptions of
       * the full buffer: O(n) runs, not O(n^2). */
      if (len != size && flip != len) continue;
      optest t;
      ot_begin(&t);
      pnn_status s;
      if (strcmp(op, "TransformTensorBilinear") == 0) {
        static const float x[4], m[16];
        int a = ot_input(&t, F32, 4, (int32_t[]){1, 2, 2, 1}, x);
        int b = ot_input(&t, F32, 3, (int32_t[]){1, 4, 4}, m);
        int y = ot_output(&t, F32);
        s = ot_run_custom(&t, op, 2, buf, len, 2, (int32_t[]){a, b}, 1, &y);
      } else {
        s = run_l2tm(&t, buf, len);
      }
      if (s == PNN_OK)
        (*n_ok)++;
      else if (t.stage == 3 && ot_error(&t)[0])
        (*n_err)++;
      ot_end(&t);
    }
  }
}

TEST(flexbuffer_options_are_bounds_checked) {
  int ok = 0, err = 0;
  fuzz_options("TransformTensorBilinear", kTtbOptions, sizeof kTtbOptions, &ok,
               &err);
  int runs = (int)(2 * sizeof kTtbOptions + 1);
  CHECK_MSG(ok + err == runs, "%d ok + %d clean errors of %d runs", ok, err,
            runs);
  CHECK(ok >= 1 && err >= 1); /* the intact map works, most others fail */
  ok = err = 0;
  fuzz_options("Landmarks2TransformMatrix", kL2tmOptions, sizeof kL2tmOptions,
               &ok, &err);
  runs = (int)(2 * sizeof kL2tmOptions + 1);
  CHECK_MSG(ok + err == runs, "%d ok + %d clean errors of %d runs", ok, err,
            runs);
  CHECK(ok >= 1 && err >= 1);
}

TEST(transform_tensor_bilinear_rejects) {
  const float x[8] = {0}, m[16] = {0};
  /* Not a FlexBuffers map at all. */
  const uint8_t junk[] = {1, 2, 3};
  optest t;
  ot_begin(&t);
  int a = ot_input(&t, F32, 4, (int32_t[]){1, 2, 2, 1}, x);
  int b = ot_input(&t, F32, 3, (int32_t[]){1, 4, 4}, m);
  int y = ot_output(&t, F32);
  CHECK_PREPARE_FAILS(&t,
                      ot_run_custom(&t, "TransformTensorBilinear", 2, junk,
                                    sizeof junk, 2, (int32_t[]){a, b}, 1, &y),
                      PNN_ERROR_INVALID_MODEL, "FlexBuffers");
  ot_end(&t);
  /* Batch 2: MediaPipe only transforms batch 1. */
  ot_begin(&t);
  a = ot_input(&t, F32, 4, (int32_t[]){2, 2, 1, 1}, x);
  b = ot_input(&t, F32, 3, (int32_t[]){1, 4, 4}, m);
  y = ot_output(&t, F32);
  CHECK_PREPARE_FAILS(
      &t,
      ot_run_custom(&t, "TransformTensorBilinear", 2, kTtbOptions,
                    sizeof kTtbOptions, 2, (int32_t[]){a, b}, 1, &y),
      PNN_ERROR_UNSUPPORTED, "batch 2");
  ot_end(&t);
}

/* ------------------------------------------ Landmarks2TransformMatrix */

TEST(landmarks_to_matrix_hand_case) {
  /* Rotation 0 (L0 -> L1 is horizontal). Subset [0, 2, 3] pairs as
   * (0, 2), (3, 3): x in {0, 1, 3}, y in {0, 1, -1} -> box 3 x 2 centred
   * at (1.5, 0); scale 3/4, 2/4; shift -2, -2:
   * row 0 = [0.75, 0, 0, 1.5 - 1.5], row 1 = [0, 0.5, 0, 0 - 1]. */
  optest t;
  ot_begin(&t);
  CHECK_OK(&t, run_l2tm(&t, kL2tmOptions, sizeof kL2tmOptions));
  CHECK(ot_out_shape_is(&t, 0, 3, (int32_t[]){1, 4, 4}));
  const float want[16] = {0.75f, 0, 0, 0, 0, 0.5f, 0, -1,
                          0,     0, 1, 0, 0, 0,    0, 1};
  CHECK_OUT_FLOATS(&t, 0, want, 16, 1e-6f);
  ot_end(&t);
}

TEST(landmarks_to_matrix_index_out_of_range) {
  /* Same options with 2 landmarks only: subset index 2 is out of range. */
  static const float two[6] = {0, 0, 0, 2, 0, 0};
  optest t;
  ot_begin(&t);
  int x = ot_input(&t, F32, 3, (int32_t[]){1, 2, 3}, two);
  int y = ot_output(&t, F32);
  CHECK_PREPARE_FAILS(
      &t,
      ot_run_custom(&t, "Landmarks2TransformMatrix", 2, kL2tmOptions,
                    sizeof kL2tmOptions, 1, &x, 1, &y),
      PNN_ERROR_INVALID_MODEL, "subset_idxs");
  ot_end(&t);
}
