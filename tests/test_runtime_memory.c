/* Persistent memory of constant data: a constant is used in place when its
 * address suits its element type, and copied only when it does not. The
 * model bytes are placed at base + 0, + 2 and + 4 of a 16-byte aligned
 * block and loaded without PNN_LOAD_COPY, so every buffer (16-byte aligned
 * inside the file) lands at 16k, 16k + 2 or 16k + 4. */
#include <stdint.h>

#include "harness.h"
#include "test_runtime_common.h"

#define N 256

static uint16_t f16(float f) { /* exact for the small values used here */
  uint32_t b;
  memcpy(&b, &f, 4);
  uint32_t sign = (b >> 16) & 0x8000u;
  if ((b & 0x7fffffffu) == 0) return (uint16_t)sign;
  int32_t e = (int32_t)((b >> 23) & 0xff) - 127 + 15;
  return (uint16_t)(sign | ((uint32_t)e << 10) | ((b >> 13) & 0x3ffu));
}

static float wval(int i) { return (float)((i % 9) - 4) / 8.0f; }
static float cval(int i) { return (float)((i % 5) - 2) / 4.0f; }

/* y = x + dequantize(w16) (+ c when with_c): w16 float16 [N], folded into
 * float32 at prepare and never read again; c float32 [N]. */
static uint8_t *model_bytes(bool with_c, size_t *size) {
  pnn_mb *mb = pnn_mb_new();
  int32_t s[] = {1, N};
  uint16_t w16[N];
  float c[N];
  for (int i = 0; i < N; i++) w16[i] = f16(wval(i)), c[i] = cval(i);
  int x = rt_f32(mb, "x", 2, s, NULL);
  int wh = pnn_mb_tensor(mb, "w_f16", PNN_TYPE_FLOAT16, 2, s, w16);
  int w = rt_f32(mb, "w", 2, s, NULL);
  int t = rt_f32(mb, "t", 2, s, NULL);
  pnn_mb_op(mb, PNN_OP_DEQUANTIZE, 0, NULL, 1, &wh, 1, &w);
  rt_binary(mb, PNN_OP_ADD, x, w, t);
  int y = t;
  if (with_c) {
    int ct = rt_f32(mb, "c", 2, s, c);
    y = rt_f32(mb, "y", 2, s, NULL);
    rt_binary(mb, PNN_OP_ADD, t, ct, y);
  }
  pnn_mb_inputs(mb, 1, &x);
  pnn_mb_outputs(mb, 1, &y);
  uint8_t *bytes = NULL;
  if (pnn_mb_finish(mb, &bytes, size) != PNN_OK) {
    fprintf(stderr, "  builder: %s\n", pnn_mb_error(mb));
    bytes = NULL;
  }
  pnn_mb_free(mb);
  return bytes;
}

/* Loads the model from base + shift, runs it once, checks the output and
 * returns the interpreter's persistent bytes (0 on any failure). */
static size_t run_at(const uint8_t *bytes, size_t size, size_t shift,
                     bool with_c, int *bad) {
  size_t persistent = 0;
  *bad = 1;
  uint8_t *block = aligned_alloc(16, (size + shift + 15) / 16 * 16);
  if (!block) return 0;
  memcpy(block + shift, bytes, size);
  pnn_model *m = NULL;
  char err[256];
  if (pnn_model_load_buffer(block + shift, size, NULL, &m, err, sizeof(err))) {
    fprintf(stderr, "  load at +%zu: %s\n", shift, err);
    free(block);
    return 0;
  }
  pnn_interpreter *in = rt_interp(m, 1);
  if (in && pnn_interpreter_allocate(in) == PNN_OK) {
    float *x = pnn_tensor_data(pnn_interpreter_input(in, 0));
    for (int i = 0; i < N; i++) x[i] = (float)i;
    if (pnn_interpreter_invoke(in) == PNN_OK) {
      const float *y = pnn_tensor_data(pnn_interpreter_output(in, 0));
      *bad = 0;
      for (int i = 0; i < N; i++) {
        float want = (float)i + wval(i) + (with_c ? cval(i) : 0.0f);
        if (y[i] != want) *bad = 1;
      }
      persistent = pnn_interpreter_persistent_bytes(in);
    }
  }
  pnn_interpreter_free(in);
  pnn_model_free(m);
  free(block);
  return persistent;
}

/* float16 weights at 16k + 2 are 2-byte aligned: read in place for the
 * folding, not copied (a copy would add N * 2 bytes for good). */
TEST(unaligned_fp16_weights_not_copied) {
  size_t size = 0;
  uint8_t *bytes = model_bytes(false, &size);
  CHECK(bytes);
  int bad0 = 1, bad2 = 1;
  size_t p0 = run_at(bytes, size, 0, false, &bad0);
  size_t p2 = run_at(bytes, size, 2, false, &bad2);
  free(bytes);
  CHECK_EQ_INT(bad0, 0);
  CHECK_EQ_INT(bad2, 0);
  /* The folded float32 weights are persistent in both. */
  CHECK(p0 >= N * sizeof(float));
  CHECK_MSG(p2 == p0, "persistent %zu bytes at +2 vs %zu at +0", p2, p0);
}

/* float32 data at 16k + 4 is used in place; at 16k + 2 it is misaligned
 * for float and copied (and still computes the same). */
TEST(float32_copied_only_when_misaligned) {
  size_t size = 0;
  uint8_t *bytes = model_bytes(true, &size);
  CHECK(bytes);
  int bad0 = 1, bad2 = 1, bad4 = 1;
  size_t p0 = run_at(bytes, size, 0, true, &bad0);
  size_t p2 = run_at(bytes, size, 2, true, &bad2);
  size_t p4 = run_at(bytes, size, 4, true, &bad4);
  free(bytes);
  CHECK_EQ_INT(bad0, 0);
  CHECK_EQ_INT(bad2, 0);
  CHECK_EQ_INT(bad4, 0);
  CHECK(p0 > 0);
  CHECK_MSG(p4 == p0, "persistent %zu bytes at +4 vs %zu at +0", p4, p0);
  CHECK_MSG(p2 >= p0 + N * sizeof(float),
            "persistent %zu bytes at +2 vs %zu at +0", p2, p0);
}

/* ---- Constants only packed ops read are freed after prepare.
 * x [1,6,6,CI] -> CONV_2D 3x3 SAME with weights dequantize(w16) [CO,3,3,CI]
 * (float16 in the file, float32 folded at prepare: > 64 KB, so in a pool
 * chunk of its own) -> y. The conv packs the weights for the GEMM, so the
 * folded float32 copy is freed. When the folded tensor is also a model
 * output (the API hands it out), or an op reads it at eval, it stays. */
enum { CI = 32, CO = 64, WN = CO * 3 * 3 * CI };

static uint8_t *conv_f16_model(int variant, size_t *size) {
  /* variant 0: y only; 1: y and the folded weights as outputs; 2: also
   * z = w + w_in read at eval by an ADD. */
  pnn_mb *mb = pnn_mb_new();
  static uint16_t w16[WN];
  static float bias[CO];
  for (int i = 0; i < WN; i++) w16[i] = f16(wval(i) / 4);
  for (int i = 0; i < CO; i++) bias[i] = cval(i);
  int x = rt_f32(mb, "x", 4, (int32_t[]){1, 6, 6, CI}, NULL);
  int wh = pnn_mb_tensor(mb, "w_f16", PNN_TYPE_FLOAT16, 4,
                         (int32_t[]){CO, 3, 3, CI}, w16);
  int w = rt_f32(mb, "w", 4, (int32_t[]){CO, 3, 3, CI}, NULL);
  int b = rt_f32(mb, "b", 1, (int32_t[]){CO}, bias);
  int y = rt_f32(mb, "y", 4, (int32_t[]){1, 6, 6, CO}, NULL);
  pnn_mb_op(mb, PNN_OP_DEQUANTIZE, 0, NULL, 1, &wh, 1, &w);
  pnn_conv2d_options co;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(conv2d), &co);
  co.padding = PNN_PADDING_SAME;
  co.stride_w = co.stride_h = 1;
  pnn_mb_op(mb, PNN_OP_CONV_2D, PNN_OPTIONS_OF(conv2d), &co, 3,
            (int32_t[]){x, w, b}, 1, &y);
  int ins[2] = {x, 0}, outs[2] = {y, w};
  int n_in = 1, n_out = variant == 1 ? 2 : 1;
  if (variant == 2) {
    ins[1] = rt_f32(mb, "w_in", 4, (int32_t[]){CO, 3, 3, CI}, NULL);
    outs[1] = rt_f32(mb, "z", 4, (int32_t[]){CO, 3, 3, CI}, NULL);
    rt_binary(mb, PNN_OP_ADD, w, ins[1], outs[1]);
    n_in = n_out = 2;
  }
  pnn_mb_inputs(mb, n_in, ins);
  pnn_mb_outputs(mb, n_out, outs);
  uint8_t *bytes = NULL;
  if (pnn_mb_finish(mb, &bytes, size) != PNN_OK) {
    fprintf(stderr, "  builder: %s\n", pnn_mb_error(mb));
    bytes = NULL;
  }
  pnn_mb_free(mb);
  return bytes;
}

/* Runs the variant (allocate, invoke, allocate again, invoke again) and
 * returns the persistent bytes; y goes to out (0 on failure). */
static size_t run_conv_variant(int variant, float *out) {
  size_t size = 0, persistent = 0;
  uint8_t *bytes = conv_f16_model(variant, &size);
  if (!bytes) return 0;
  pnn_model *m = NULL;
  pnn_interpreter *in = NULL;
  char err[256];
  pnn_load_options lo = {.flags = PNN_LOAD_COPY};
  static float x[6 * 6 * CI], w_in[WN];
  for (int i = 0; i < 6 * 6 * CI; i++) x[i] = cval(i * 7);
  for (int i = 0; i < WN; i++) w_in[i] = 1.f;
  bool ok = pnn_model_load_buffer(bytes, size, &lo, &m, err, sizeof err) ==
            PNN_OK;
  if (ok) ok = (in = rt_interp(m, 1)) != NULL;
  for (int round = 0; ok && round < 2; round++) {
    ok = pnn_interpreter_allocate(in) == PNN_OK &&
         pnn_tensor_copy_from(pnn_interpreter_input(in, 0), x, sizeof x) ==
             PNN_OK &&
         (variant != 2 || pnn_tensor_copy_from(pnn_interpreter_input(in, 1),
                                               w_in, sizeof w_in) == PNN_OK) &&
         pnn_interpreter_invoke(in) == PNN_OK;
    if (ok && variant == 1) { /* the handed-out weights are intact */
      const float *w = pnn_tensor_data(pnn_interpreter_output(in, 1));
      for (int i = 0; ok && i < WN; i++) ok = w && w[i] == wval(i) / 4;
    }
    if (ok && variant == 2) {
      const float *z = pnn_tensor_data(pnn_interpreter_output(in, 1));
      for (int i = 0; ok && i < WN; i++) ok = z && z[i] == wval(i) / 4 + 1.f;
    }
  }
  if (ok) {
    memcpy(out, pnn_tensor_data(pnn_interpreter_output(in, 0)),
           sizeof(float) * 6 * 6 * CO);
    persistent = pnn_interpreter_persistent_bytes(in);
  } else if (in) {
    fprintf(stderr, "  variant %d: %s\n", variant,
            pnn_interpreter_last_error(in));
  }
  pnn_interpreter_free(in);
  pnn_model_free(m);
  free(bytes);
  return persistent;
}

TEST(packed_folded_weights_are_freed) {
  static float y0[6 * 6 * CO], y1[6 * 6 * CO], y2[6 * 6 * CO];
  size_t p0 = run_conv_variant(0, y0);
  size_t p1 = run_conv_variant(1, y1);
  size_t p2 = run_conv_variant(2, y2);
  CHECK(p0 > 0 && p1 > 0 && p2 > 0);
  /* Same results whether the folded weights were kept or not. */
  CHECK(memcmp(y0, y1, sizeof y0) == 0 && memcmp(y0, y2, sizeof y0) == 0);
  /* Freed: at least the folded float32 weights fewer persistent bytes. */
  CHECK_MSG(p0 + WN * sizeof(float) <= p1,
            "persistent %zu bytes freed vs %zu kept (weights %zu bytes)", p0,
            p1, WN * sizeof(float));
  CHECK_MSG(p0 + WN * sizeof(float) <= p2,
            "persistent %zu bytes freed vs %zu read at eval", p0, p2);
}
