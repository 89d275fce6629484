/* Unit tests of the binary, unary and activation op families through the
 * public API on one-op models made with the model builder. The LiteRT
 * comparison over many shapes lives in tools/conformance/ops/{binary,
 * unary,activation}.py; these tests cover what the converter or LiteRT's
 * Python API cannot: empty tensors, integer fused activations, fused TANH,
 * RELU_0_TO_1, SOFTMAX beta, rank-8 broadcasting, integer division by
 * zero, overflow corners, and the failure paths of prepare. Expected values
 * are worked out by hand in the comments. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "optest.h"

/* ------------------------------------------------------------ helpers */

/* Runs a two-input binary op a (dims_a) op b (dims_b). */
static pnn_status run_binary(optest *t, int32_t op, uint8_t opt_type,
                             const void *opts, pnn_type type, pnn_type out_type,
                             int ra, const int32_t *da, const void *a, int rb,
                             const int32_t *db, const void *b) {
  int x = ot_input(t, type, ra, da, a);
  int y = ot_input(t, type, rb, db, b);
  int o = ot_output(t, out_type);
  return ot_run(t, op, opt_type, opts, 2, (int32_t[]){x, y}, o);
}

static pnn_status run_unary(optest *t, int32_t op, uint8_t opt_type,
                            const void *opts, pnn_type type, int rank,
                            const int32_t *dims, const void *data) {
  int x = ot_input(t, type, rank, dims, data);
  int o = ot_output(t, type);
  return ot_run(t, op, opt_type, opts, 1, &x, o);
}

#define F32 PNN_TYPE_FLOAT32
#define I32 PNN_TYPE_INT32
#define I64 PNN_TYPE_INT64
#define BOOL PNN_TYPE_BOOL

/* ------------------------------------------------------------- binary */

TEST(add_broadcast_relu6) {
  /* [2,3] + [3] with RELU6: row 0: 1+1=2, -2+1=-1->0, 3+5=8->6. */
  optest t;
  ot_begin(&t);
  float a[] = {1, -2, 3, 4, 5, -6};
  float b[] = {1, 1, 5};
  pnn_add_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(add), &o);
  o.fused_activation_function = PNN_ACT_RELU6;
  CHECK_OK(&t, run_binary(&t, PNN_OP_ADD, PNN_OPTIONS_OF(add), &o, F32, F32, 2,
                          (int32_t[]){2, 3}, a, 1, (int32_t[]){3}, b));
  CHECK(ot_shape_is(&t, 2, (int32_t[]){2, 3}));
  float want[] = {2, 0, 6, 5, 6, 0};
  CHECK_FLOATS(&t, want, 6);
  ot_end(&t);
}

TEST(sub_fused_tanh) {
  /* The converter never fuses TANH; the kernels still honour it. */
  optest t;
  ot_begin(&t);
  float a[] = {0.5f, 2, -1};
  float b[] = {0.5f};
  pnn_sub_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(sub), &o);
  o.fused_activation_function = PNN_ACT_TANH;
  CHECK_OK(&t, run_binary(&t, PNN_OP_SUB, PNN_OPTIONS_OF(sub), &o, F32, F32, 1,
                          (int32_t[]){3}, a, 0, NULL, b));
  float want[] = {0, tanhf(1.5f), tanhf(-1.5f)};
  CHECK_FLOATS(&t, want, 3);
  ot_end(&t);
}

TEST(int32_add_relu_n1_to_1_and_tanh_rejected) {
  optest t;
  ot_begin(&t);
  int32_t a[] = {-5, 0, 1, 7};
  int32_t b[] = {1, 0, 0, -6};
  pnn_add_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(add), &o);
  o.fused_activation_function = PNN_ACT_RELU_N1_TO_1;
  CHECK_OK(&t, run_binary(&t, PNN_OP_ADD, PNN_OPTIONS_OF(add), &o, I32, I32, 1,
                          (int32_t[]){4}, a, 1, (int32_t[]){4}, b));
  int32_t want[] = {-1, 0, 1, 1};
  CHECK_OUT_INTS(&t, int32_t, want, 4);
  ot_end(&t);

  ot_begin(&t);
  o.fused_activation_function = PNN_ACT_TANH;
  CHECK_FAILS_AT(&t,
                 run_binary(&t, PNN_OP_ADD, PNN_OPTIONS_OF(add), &o, I32, I32,
                            1, (int32_t[]){4}, a, 1, (int32_t[]){4}, b),
                 PNN_ERROR_UNSUPPORTED, OT_ALLOCATE,
                 "fused_activation_function");
  ot_end(&t);
}

TEST(int_arith_wraps_without_ub) {
  /* INT32_MAX + 1 wraps, INT32_MIN * -1 wraps, INT32_MIN / -1 wraps. */
  optest t;
  ot_begin(&t);
  int32_t a[] = {INT32_MAX, INT32_MIN};
  int32_t b[] = {1, -1};
  CHECK_OK(&t, run_binary(&t, PNN_OP_ADD, 0, NULL, I32, I32, 1, (int32_t[]){2},
                          a, 1, (int32_t[]){2}, b));
  int32_t want_add[] = {INT32_MIN, INT32_MAX};
  CHECK_OUT_INTS(&t, int32_t, want_add, 2);
  ot_end(&t);

  ot_begin(&t);
  CHECK_OK(&t, run_binary(&t, PNN_OP_DIV, 0, NULL, I32, I32, 1, (int32_t[]){2},
                          a, 1, (int32_t[]){2}, b));
  int32_t want_div[] = {INT32_MAX, INT32_MIN};
  CHECK_OUT_INTS(&t, int32_t, want_div, 2);
  ot_end(&t);

  ot_begin(&t);
  CHECK_OK(&t, run_binary(&t, PNN_OP_FLOOR_MOD, 0, NULL, I32, I32, 1,
                          (int32_t[]){2}, a, 1, (int32_t[]){2}, b));
  int32_t want_mod[] = {0, 0};
  CHECK_OUT_INTS(&t, int32_t, want_mod, 2);
  ot_end(&t);
}

TEST(int_division_by_zero_is_runtime_error) {
  int32_t a[] = {4, 5, 6};
  int32_t b[] = {2, 0, 1};
  const int32_t ops[] = {PNN_OP_DIV, PNN_OP_FLOOR_DIV, PNN_OP_FLOOR_MOD};
  for (int k = 0; k < 3; k++) {
    optest t;
    ot_begin(&t);
    CHECK_FAILS_AT(&t,
                   run_binary(&t, ops[k], 0, NULL, I32, I32, 1, (int32_t[]){3},
                              a, 1, (int32_t[]){3}, b),
                   PNN_ERROR_RUNTIME, OT_INVOKE, "division by zero");
    ot_end(&t);
  }
  /* int64 FLOOR_MOD too. */
  optest t;
  ot_begin(&t);
  int64_t a64[] = {1, 2};
  int64_t b64[] = {0};
  CHECK_FAILS_AT(&t,
                 run_binary(&t, PNN_OP_FLOOR_MOD, 0, NULL, I64, I64, 1,
                            (int32_t[]){2}, a64, 0, NULL, b64),
                 PNN_ERROR_RUNTIME, OT_INVOKE, "division by zero");
  ot_end(&t);
}

TEST(floor_div_mod_signs) {
  /* Python semantics: -7 // 2 = -4, 7 // -2 = -4, -7 % 2 = 1,
   * 7 % -2 = -1, -8 % 2 = 0, -7 % -2 = -1. */
  int32_t a[] = {-7, 7, -8, -7};
  int32_t b[] = {2, -2, 2, -2};
  optest t;
  ot_begin(&t);
  CHECK_OK(&t, run_binary(&t, PNN_OP_FLOOR_DIV, 0, NULL, I32, I32, 1,
                          (int32_t[]){4}, a, 1, (int32_t[]){4}, b));
  int32_t want_div[] = {-4, -4, -4, 3};
  CHECK_OUT_INTS(&t, int32_t, want_div, 4);
  ot_end(&t);
  ot_begin(&t);
  CHECK_OK(&t, run_binary(&t, PNN_OP_FLOOR_MOD, 0, NULL, I32, I32, 1,
                          (int32_t[]){4}, a, 1, (int32_t[]){4}, b));
  int32_t want_mod[] = {1, -1, 0, -1};
  CHECK_OUT_INTS(&t, int32_t, want_mod, 4);
  ot_end(&t);
  /* Float: -7.5 mod 2 = 0.5; 7.5 mod -2 = -0.5; float floor div. */
  float fa[] = {-7.5f, 7.5f};
  float fb[] = {2, -2};
  ot_begin(&t);
  CHECK_OK(&t, run_binary(&t, PNN_OP_FLOOR_MOD, 0, NULL, F32, F32, 1,
                          (int32_t[]){2}, fa, 1, (int32_t[]){2}, fb));
  float want_fmod[] = {0.5f, -0.5f};
  CHECK_FLOATS(&t, want_fmod, 2);
  ot_end(&t);
  ot_begin(&t);
  CHECK_OK(&t, run_binary(&t, PNN_OP_FLOOR_DIV, 0, NULL, F32, F32, 1,
                          (int32_t[]){2}, fa, 1, (int32_t[]){2}, fb));
  float want_fdiv[] = {-4, -4};
  CHECK_FLOATS(&t, want_fdiv, 2);
  ot_end(&t);
}

TEST(int_pow_negative_exponent_fails) {
  int32_t a[] = {3, -2, 5};
  int32_t b[] = {4, 3, 0};
  optest t;
  ot_begin(&t);
  CHECK_OK(&t, run_binary(&t, PNN_OP_POW, 0, NULL, I32, I32, 1, (int32_t[]){3},
                          a, 1, (int32_t[]){3}, b));
  int32_t want[] = {81, -8, 1};
  CHECK_OUT_INTS(&t, int32_t, want, 3);
  ot_end(&t);
  int32_t neg[] = {1, -1, 2};
  ot_begin(&t);
  CHECK_FAILS_AT(&t,
                 run_binary(&t, PNN_OP_POW, 0, NULL, I32, I32, 1,
                            (int32_t[]){3}, a, 1, (int32_t[]){3}, neg),
                 PNN_ERROR_RUNTIME, OT_INVOKE, "negative exponent");
  ot_end(&t);
}

TEST(broadcast_rank8) {
  /* a: [2,1,2,1,2,1,2,1], b: [1,2,1,2,1,2,1,2] -> out all 2s (256 elems);
   * out[i0..i7] = a[i0,i2,i4,i6] * 10 + b[i1,i3,i5,i7]. */
  int32_t da[8] = {2, 1, 2, 1, 2, 1, 2, 1}, db[8] = {1, 2, 1, 2, 1, 2, 1, 2};
  float a[16], b[16], want[256];
  for (int i = 0; i < 16; i++) a[i] = (float)i * 10, b[i] = (float)i;
  for (int i = 0; i < 256; i++) {
    int ia = 0, ib = 0;
    for (int k = 0; k < 8; k++) {
      int bit = (i >> (7 - k)) & 1;
      if (k % 2 == 0)
        ia = ia * 2 + bit;
      else
        ib = ib * 2 + bit;
    }
    want[i] = a[ia] + b[ib];
  }
  optest t;
  ot_begin(&t);
  CHECK_OK(&t,
           run_binary(&t, PNN_OP_ADD, 0, NULL, F32, F32, 8, da, a, 8, db, b));
  int32_t dout[8] = {2, 2, 2, 2, 2, 2, 2, 2};
  CHECK(ot_shape_is(&t, 8, dout));
  CHECK_FLOATS(&t, want, 256);
  ot_end(&t);
}

TEST(binary_empty_operands) {
  /* [0,3] + [3] -> [0,3]; [2,0] < [1] -> [2,0] bool. */
  float b[] = {1, 2, 3};
  optest t;
  ot_begin(&t);
  CHECK_OK(&t, run_binary(&t, PNN_OP_MUL, 0, NULL, F32, F32, 2,
                          (int32_t[]){0, 3}, NULL, 1, (int32_t[]){3}, b));
  CHECK(ot_shape_is(&t, 2, (int32_t[]){0, 3}));
  ot_end(&t);
  int32_t ib[] = {1};
  ot_begin(&t);
  CHECK_OK(&t, run_binary(&t, PNN_OP_LESS, 0, NULL, I32, BOOL, 2,
                          (int32_t[]){2, 0}, NULL, 1, (int32_t[]){1}, ib));
  CHECK(ot_shape_is(&t, 2, (int32_t[]){2, 0}));
  CHECK_EQ_INT(pnn_tensor_type(ot_out(&t)), PNN_TYPE_BOOL);
  ot_end(&t);
  /* FLOOR_DIV of an empty numerator by a zero divisor: nothing divides. */
  int32_t zero[] = {0};
  ot_begin(&t);
  CHECK_OK(&t, run_binary(&t, PNN_OP_FLOOR_DIV, 0, NULL, I32, I32, 1,
                          (int32_t[]){0}, NULL, 1, (int32_t[]){1}, zero));
  ot_end(&t);
}

TEST(compare_and_logic) {
  int64_t a[] = {1, 2, 3};
  int64_t b[] = {2};
  optest t;
  ot_begin(&t);
  CHECK_OK(&t, run_binary(&t, PNN_OP_GREATER_EQUAL, 0, NULL, I64, BOOL, 1,
                          (int32_t[]){3}, a, 0, NULL, b));
  bool want[] = {false, true, true};
  CHECK_OUT_INTS(&t, bool, want, 3);
  ot_end(&t);
  bool x[] = {true, true, false, false}, y[] = {true, false, true, false};
  ot_begin(&t);
  CHECK_OK(&t, run_binary(&t, PNN_OP_LOGICAL_AND, 0, NULL, BOOL, BOOL, 1,
                          (int32_t[]){4}, x, 1, (int32_t[]){4}, y));
  bool want_and[] = {true, false, false, false};
  CHECK_OUT_INTS(&t, bool, want_and, 4);
  ot_end(&t);
  ot_begin(&t);
  CHECK_OK(&t, run_binary(&t, PNN_OP_NOT_EQUAL, 0, NULL, BOOL, BOOL, 1,
                          (int32_t[]){4}, x, 1, (int32_t[]){4}, y));
  bool want_ne[] = {false, true, true, false};
  CHECK_OUT_INTS(&t, bool, want_ne, 4);
  ot_end(&t);
  /* LESS on bool is not a TFLite op. */
  ot_begin(&t);
  CHECK_FAILS_AT(&t,
                 run_binary(&t, PNN_OP_LESS, 0, NULL, BOOL, BOOL, 1,
                            (int32_t[]){4}, x, 1, (int32_t[]){4}, y),
                 PNN_ERROR_UNSUPPORTED, OT_ALLOCATE, "type bool not supported");
  ot_end(&t);
}

TEST(binary_prepare_failures) {
  float a[6] = {0}, b[4] = {0};
  int32_t ib[4] = {0};
  optest t;
  ot_begin(&t);
  CHECK_FAILS_AT(&t,
                 run_binary(&t, PNN_OP_ADD, 0, NULL, F32, F32, 2,
                            (int32_t[]){2, 3}, a, 1, (int32_t[]){4}, b),
                 PNN_ERROR_INVALID_MODEL, OT_ALLOCATE, "do not broadcast");
  ot_end(&t);
  /* Mixed input types. */
  ot_begin(&t);
  int x = ot_input(&t, F32, 1, (int32_t[]){4}, b);
  int y = ot_input(&t, I32, 1, (int32_t[]){4}, ib);
  int o = ot_output(&t, F32);
  CHECK_FAILS_AT(&t,
                 ot_run(&t, PNN_OP_MAXIMUM, 0, NULL, 2, (int32_t[]){x, y}, o),
                 PNN_ERROR_INVALID_MODEL, OT_ALLOCATE, "is int32");
  ot_end(&t);
  /* One input only. */
  ot_begin(&t);
  x = ot_input(&t, F32, 1, (int32_t[]){4}, b);
  o = ot_output(&t, F32);
  CHECK_FAILS_AT(&t, ot_run(&t, PNN_OP_SUB, 0, NULL, 1, &x, o),
                 PNN_ERROR_INVALID_MODEL, OT_ALLOCATE, "inputs");
  ot_end(&t);
}

TEST(add_n_sums_and_checks) {
  float a[] = {1, 2}, b[] = {10, 20}, c[] = {100, 200};
  optest t;
  ot_begin(&t);
  int x = ot_input(&t, F32, 1, (int32_t[]){2}, a);
  int y = ot_input(&t, F32, 1, (int32_t[]){2}, b);
  int z = ot_const(&t, F32, 1, (int32_t[]){2}, c);
  int o = ot_output(&t, F32);
  CHECK_OK(&t, ot_run(&t, PNN_OP_ADD_N, 0, NULL, 3, (int32_t[]){x, y, z}, o));
  float want[] = {111, 222};
  CHECK_FLOATS(&t, want, 2);
  ot_end(&t);
  ot_begin(&t);
  x = ot_input(&t, F32, 1, (int32_t[]){2}, a);
  y = ot_input(&t, F32, 2, (int32_t[]){1, 2}, b);
  o = ot_output(&t, F32);
  CHECK_FAILS_AT(&t, ot_run(&t, PNN_OP_ADD_N, 0, NULL, 2, (int32_t[]){x, y}, o),
                 PNN_ERROR_INVALID_MODEL, OT_ALLOCATE, "shape differs");
  ot_end(&t);
}

/* -------------------------------------------------------------- unary */

TEST(round_half_to_even) {
  float x[] = {-2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f, 2.51f, -0.49f};
  optest t;
  ot_begin(&t);
  CHECK_OK(&t, run_unary(&t, PNN_OP_ROUND, 0, NULL, F32, 1, (int32_t[]){8}, x));
  float want[] = {-2, -2, -0.f, 0, 2, 2, 3, -0.f};
  CHECK_FLOATS(&t, want, 8);
  ot_end(&t);
}

TEST(unary_int_and_bool) {
  int32_t x[] = {INT32_MIN, -3, 0, 5};
  optest t;
  ot_begin(&t);
  CHECK_OK(&t, run_unary(&t, PNN_OP_NEG, 0, NULL, I32, 1, (int32_t[]){4}, x));
  int32_t want_neg[] = {INT32_MIN, 3, 0, -5}; /* INT32_MIN wraps */
  CHECK_OUT_INTS(&t, int32_t, want_neg, 4);
  ot_end(&t);
  ot_begin(&t);
  CHECK_OK(&t, run_unary(&t, PNN_OP_SIGN, 0, NULL, I32, 1, (int32_t[]){4}, x));
  int32_t want_sign[] = {-1, -1, 0, 1};
  CHECK_OUT_INTS(&t, int32_t, want_sign, 4);
  ot_end(&t);
  bool b[] = {true, false};
  ot_begin(&t);
  CHECK_OK(&t, run_unary(&t, PNN_OP_LOGICAL_NOT, 0, NULL, BOOL, 1,
                         (int32_t[]){2}, b));
  bool want_not[] = {false, true};
  CHECK_OUT_INTS(&t, bool, want_not, 2);
  ot_end(&t);
  /* EXP of int32 is not a TFLite op. */
  ot_begin(&t);
  CHECK_FAILS_AT(
      &t, run_unary(&t, PNN_OP_EXP, 0, NULL, I32, 1, (int32_t[]){4}, x),
      PNN_ERROR_UNSUPPORTED, OT_ALLOCATE, "type int32 not supported");
  ot_end(&t);
}

TEST(unary_empty_and_scalar) {
  optest t;
  ot_begin(&t);
  CHECK_OK(&t,
           run_unary(&t, PNN_OP_EXP, 0, NULL, F32, 2, (int32_t[]){2, 0}, NULL));
  CHECK(ot_shape_is(&t, 2, (int32_t[]){2, 0}));
  ot_end(&t);
  float s[] = {4};
  ot_begin(&t);
  CHECK_OK(&t, run_unary(&t, PNN_OP_RSQRT, 0, NULL, F32, 0, NULL, s));
  CHECK_EQ_INT(pnn_tensor_rank(ot_out(&t)), 0);
  float want[] = {0.5f};
  CHECK_FLOATS(&t, want, 1);
  ot_end(&t);
}

/* --------------------------------------------------------- activation */

TEST(relu_0_to_1_and_leaky) {
  float x[] = {-1, 0.25f, 3};
  optest t;
  ot_begin(&t);
  CHECK_OK(&t, run_unary(&t, PNN_OP_RELU_0_TO_1, 0, NULL, F32, 1,
                         (int32_t[]){3}, x));
  float want[] = {0, 0.25f, 1};
  CHECK_FLOATS(&t, want, 3);
  ot_end(&t);
  pnn_leaky_relu_options lo;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(leaky_relu), &lo);
  lo.alpha = 0.1f;
  ot_begin(&t);
  CHECK_OK(&t, run_unary(&t, PNN_OP_LEAKY_RELU, PNN_OPTIONS_OF(leaky_relu), &lo,
                         F32, 1, (int32_t[]){3}, x));
  float want_l[] = {-0.1f, 0.25f, 3};
  CHECK_FLOATS(&t, want_l, 3);
  ot_end(&t);
}

TEST(gelu_exact_and_approximate) {
  /* gelu(1) exact = 0.5 * (1 + erf(1/sqrt2)) = 0.8413447;
   * tanh form = 0.5 * (1 + tanh(0.7978846 * 1.044715)) = 0.8411920. */
  float x[] = {1, -1, 0};
  pnn_gelu_options g;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(gelu), &g);
  optest t;
  ot_begin(&t);
  CHECK_OK(&t, run_unary(&t, PNN_OP_GELU, PNN_OPTIONS_OF(gelu), &g, F32, 1,
                         (int32_t[]){3}, x));
  float want[] = {0.8413447f, -0.1586553f, 0};
  CHECK_FLOATS(&t, want, 3);
  ot_end(&t);
  g.approximate = true;
  ot_begin(&t);
  CHECK_OK(&t, run_unary(&t, PNN_OP_GELU, PNN_OPTIONS_OF(gelu), &g, F32, 1,
                         (int32_t[]){3}, x));
  float want_a[] = {0.8411920f, -0.1588080f, 0};
  CHECK_FLOATS(&t, want_a, 3);
  ot_end(&t);
}

TEST(softmax_beta_and_stability) {
  /* Row 0 with beta 2: exp(2*[0, ln 2]) = [1, 4] -> [0.2, 0.8].
   * Row 1: [1000, 1000] -> [0.5, 0.5] without overflow. */
  float x[] = {0, 0.6931472f, 1000, 1000};
  pnn_softmax_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(softmax), &o);
  o.beta = 2;
  optest t;
  ot_begin(&t);
  CHECK_OK(&t, run_unary(&t, PNN_OP_SOFTMAX, PNN_OPTIONS_OF(softmax), &o, F32,
                         2, (int32_t[]){2, 2}, x));
  float want[] = {0.2f, 0.8f, 0.5f, 0.5f};
  CHECK_FLOATS(&t, want, 4);
  ot_end(&t);
  /* log_softmax([0, ln 3]) = [ln 1/4, ln 3/4]. */
  float y[] = {0, 1.0986123f};
  ot_begin(&t);
  CHECK_OK(&t, run_unary(&t, PNN_OP_LOG_SOFTMAX, 0, NULL, F32, 1,
                         (int32_t[]){2}, y));
  float want_l[] = {-1.3862944f, -0.2876821f};
  CHECK_FLOATS(&t, want_l, 2);
  ot_end(&t);
}

TEST(activation_empty_and_failures) {
  pnn_softmax_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(softmax), &o);
  o.beta = 1;
  optest t;
  ot_begin(&t);
  CHECK_OK(&t, run_unary(&t, PNN_OP_SOFTMAX, PNN_OPTIONS_OF(softmax), &o, F32,
                         2, (int32_t[]){0, 5}, NULL));
  CHECK(ot_shape_is(&t, 2, (int32_t[]){0, 5}));
  ot_end(&t);
  ot_begin(&t);
  CHECK_OK(&t, run_unary(&t, PNN_OP_LOGISTIC, 0, NULL, F32, 3,
                         (int32_t[]){2, 0, 3}, NULL));
  ot_end(&t);
  /* Softmax of a scalar: TFLite needs rank >= 1. */
  float s[] = {1};
  ot_begin(&t);
  CHECK_FAILS_AT(&t,
                 run_unary(&t, PNN_OP_SOFTMAX, PNN_OPTIONS_OF(softmax), &o, F32,
                           0, NULL, s),
                 PNN_ERROR_INVALID_MODEL, OT_ALLOCATE, "rank >= 1");
  ot_end(&t);
  int32_t i[] = {1};
  ot_begin(&t);
  CHECK_FAILS_AT(
      &t, run_unary(&t, PNN_OP_TANH, 0, NULL, I32, 1, (int32_t[]){1}, i),
      PNN_ERROR_UNSUPPORTED, OT_ALLOCATE, "type int32 not supported");
  ot_end(&t);
}

TEST(prelu_broadcast_and_mismatch) {
  /* x [2,2] with alpha [2]: column 0 alpha 0.5, column 1 alpha -1. */
  float x[] = {-2, -2, 3, 4};
  float al[] = {0.5f, -1};
  optest t;
  ot_begin(&t);
  int a = ot_input(&t, F32, 2, (int32_t[]){2, 2}, x);
  int c = ot_const(&t, F32, 1, (int32_t[]){2}, al);
  int o = ot_output(&t, F32);
  CHECK_OK(&t, ot_run(&t, PNN_OP_PRELU, 0, NULL, 2, (int32_t[]){a, c}, o));
  float want[] = {-1, 2, 3, 4};
  CHECK_FLOATS(&t, want, 4);
  ot_end(&t);
  float al3[] = {1, 2, 3};
  ot_begin(&t);
  a = ot_input(&t, F32, 2, (int32_t[]){2, 2}, x);
  c = ot_const(&t, F32, 1, (int32_t[]){3}, al3);
  o = ot_output(&t, F32);
  CHECK_FAILS_AT(&t, ot_run(&t, PNN_OP_PRELU, 0, NULL, 2, (int32_t[]){a, c}, o),
                 PNN_ERROR_INVALID_MODEL, OT_ALLOCATE, "alpha");
  ot_end(&t);
}

TEST(bool_bytes_other_than_one_are_true) {
  /* A bool byte of 2 (possible in a model's data) reads as true. */
  const uint8_t x[] = {2, 0, 7}, y[] = {1, 1, 0};
  optest t;
  ot_begin(&t);
  CHECK_OK(&t, run_binary(&t, PNN_OP_LOGICAL_AND, 0, NULL, BOOL, BOOL, 1,
                          (int32_t[]){3}, x, 1, (int32_t[]){3}, y));
  const uint8_t want_and[] = {1, 0, 0};
  CHECK_OUT_INTS(&t, uint8_t, want_and, 3);
  ot_end(&t);
  ot_begin(&t);
  CHECK_OK(&t, run_binary(&t, PNN_OP_EQUAL, 0, NULL, BOOL, BOOL, 1,
                          (int32_t[]){3}, x, 1, (int32_t[]){3}, y));
  const uint8_t want_eq[] = {1, 0, 0};
  CHECK_OUT_INTS(&t, uint8_t, want_eq, 3);
  ot_end(&t);
  ot_begin(&t);
  CHECK_OK(&t, run_unary(&t, PNN_OP_LOGICAL_NOT, 0, NULL, BOOL, 1,
                         (int32_t[]){3}, x));
  const uint8_t want_not[] = {0, 1, 0};
  CHECK_OUT_INTS(&t, uint8_t, want_not, 3);
  ot_end(&t);
}

/* ------------------------------------------------------- threaded runs */

enum { BIG = 40000 };

/* Runs a one-op model on big inputs with `threads` threads; copies output
 * 0 (n floats) to out. Unary when b is NULL. */
static pnn_status run_big(int32_t op, uint8_t opt_type, const void *opts,
                          int threads, int ra, const int32_t *da,
                          const float *a, int rb, const int32_t *db,
                          const float *b, float *out, size_t n) {
  optest t;
  ot_begin(&t);
  t.threads = threads;
  pnn_status s =
      b ? run_binary(&t, op, opt_type, opts, F32, F32, ra, da, a, rb, db, b)
        : run_unary(&t, op, opt_type, opts, F32, ra, da, a);
  if (!s) {
    if (pnn_tensor_byte_size(ot_out(&t)) != n * sizeof(float))
      s = PNN_ERROR_INVALID_ARGUMENT;
    else
      memcpy(out, pnn_tensor_data(ot_out(&t)), n * sizeof(float));
  }
  ot_end(&t);
  return s;
}

TEST(threaded_runs_match_the_reference) {
  /* Large enough to be split across threads: broadcast runs (ADD
   * [200,200] + [200]), one flat run (MUL), pointwise, unary and softmax
   * rows. Two threads must give exactly the one-thread result, and the
   * exact integer-valued sums must be right. */
  static float a[BIG], b[BIG], one[BIG], two[BIG];
  for (int i = 0; i < BIG; i++) {
    a[i] = (float)(i % 97) - 48;
    b[i] = (float)(i % 13) * 0.25f;
  }
  CHECK_EQ_INT(run_big(PNN_OP_ADD, 0, NULL, 2, 2, (int32_t[]){200, 200}, a, 1,
                       (int32_t[]){200}, b, two, BIG),
               PNN_OK);
  for (int i = 0; i < BIG; i++)
    CHECK_MSG(two[i] == a[i] + b[i % 200], "ADD element %d: %g", i,
              (double)two[i]);
  CHECK_EQ_INT(run_big(PNN_OP_MUL, 0, NULL, 2, 1, (int32_t[]){BIG}, a, 1,
                       (int32_t[]){BIG}, b, two, BIG),
               PNN_OK);
  for (int i = 0; i < BIG; i++)
    CHECK_MSG(two[i] == a[i] * b[i], "MUL element %d: %g", i, (double)two[i]);
  pnn_softmax_options so;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(softmax), &so);
  so.beta = 0.5f;
  const struct {
    int32_t op;
    uint8_t opt_type;
    const void *opts;
    int32_t dims[2];
  } unary[] = {
      {PNN_OP_EXP, 0, NULL, {1, BIG}},
      {PNN_OP_TANH, 0, NULL, {1, BIG}},
      {PNN_OP_SOFTMAX, PNN_OPTIONS_OF(softmax), &so, {400, 100}},
      {PNN_OP_LOG_SOFTMAX, 0, NULL, {100, 400}},
  };
  for (size_t k = 0; k < sizeof unary / sizeof unary[0]; k++) {
    CHECK_EQ_INT(run_big(unary[k].op, unary[k].opt_type, unary[k].opts, 1, 2,
                         unary[k].dims, a, 0, NULL, NULL, one, BIG),
                 PNN_OK);
    CHECK_EQ_INT(run_big(unary[k].op, unary[k].opt_type, unary[k].opts, 2, 2,
                         unary[k].dims, a, 0, NULL, NULL, two, BIG),
                 PNN_OK);
    CHECK_MSG(memcmp(one, two, sizeof one) == 0,
              "op %d: two threads differ from one", (int)unary[k].op);
  }
}

TEST(threaded_division_by_zero_is_reported) {
  /* The zero divisor sits in the last chunk: a worker thread finds it. */
  static int32_t a[BIG], b[BIG];
  for (int i = 0; i < BIG; i++) a[i] = i, b[i] = 1 + i % 5;
  b[BIG - 1] = 0;
  optest t;
  ot_begin(&t);
  t.threads = 2;
  CHECK_FAILS_AT(&t,
                 run_binary(&t, PNN_OP_FLOOR_DIV, 0, NULL, I32, I32, 1,
                            (int32_t[]){BIG}, a, 1, (int32_t[]){BIG}, b),
                 PNN_ERROR_RUNTIME, OT_INVOKE, "division by zero");
  ot_end(&t);
}
