/* Unit tests of the recurrent ops (src/ops/recurrent.c) on models made
 * with the model builder: values worked out by hand on 1-cell LSTMs and
 * RNNs, state carried across invokes through the variable tensors, and
 * the failure paths of prepare (absent required inputs, wrong shapes,
 * non-variable state, inconsistent optional tensors). The comparison with
 * LiteRT over the converter's fused LSTMs and every optional-tensor variant
 * lives in tools/conformance/gen_sequence.py. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "optest.h"

static float sigm(float x) { return 1.f / (1.f + expf(-x)); }

/* A 1-input, 1-cell LSTM: every input weight w_x, every recurrent weight
 * w_h, biases b (forget bias bf). Sequence [1, T, 1] (batch-major).
 * Returns the output tensor index; *x_i the input's. */
typedef struct lstm1 {
  float w_x, w_h, b, bf;
  int32_t steps;
  bool cifg, time_major;
  int drop;          /* input index to leave absent (-1 none) */
  int32_t bad_rec;   /* != 0: recurrent_to_forget weights of [1, bad_rec] */
  bool state_const;  /* output state as a constant, not a variable */
  bool rank2_input;  /* the input as [T, 1] (rank 2) */
  int n_inputs;      /* inputs given to the op (0: all 20) */
} lstm1;

static int build_lstm1(optest *t, const lstm1 *p, const float *x,
                       int32_t *ins) {
  int32_t in_dims[3] = {1, p->steps, 1};
  if (p->time_major) {
    in_dims[0] = p->steps;
    in_dims[1] = 1;
  }
  ins[0] = p->rank2_input
               ? ot_input(t, PNN_TYPE_FLOAT32, 2, in_dims + 1, x)
               : ot_input(t, PNN_TYPE_FLOAT32, 3, in_dims, x);
  const int32_t m11[2] = {1, 1}, v1[1] = {1};
  for (int g = 0; g < 4; g++)
    ins[1 + g] = ot_const(t, PNN_TYPE_FLOAT32, 2, m11, &p->w_x);
  for (int g = 0; g < 4; g++)
    ins[5 + g] = ot_const(t, PNN_TYPE_FLOAT32, 2, m11, &p->w_h);
  if (p->bad_rec) {
    float w[4] = {p->w_h, p->w_h, p->w_h, p->w_h};
    ins[6] = ot_const(t, PNN_TYPE_FLOAT32, 2, (int32_t[]){1, p->bad_rec}, w);
  }
  ins[9] = ins[10] = ins[11] = -1;
  for (int g = 0; g < 4; g++)
    ins[12 + g] = ot_const(t, PNN_TYPE_FLOAT32, 1, v1, g == 1 ? &p->bf : &p->b);
  ins[16] = ins[17] = -1;
  const float zero = 0.f;
  for (int k = 0; k < 2; k++) {
    ins[18 + k] = pnn_mb_tensor(t->mb, k ? "cell_state" : "output_state",
                                PNN_TYPE_FLOAT32, 2, m11,
                                p->state_const && k == 0 ? &zero : NULL);
    if (!(p->state_const && k == 0)) pnn_mb_tensor_variable(t->mb, ins[18 + k]);
  }
  if (p->cifg) ins[1] = ins[5] = ins[12] = -1;
  if (p->drop >= 0) ins[p->drop] = -1;
  return ot_output(t, PNN_TYPE_FLOAT32);
}

static pnn_status run_lstm1(optest *t, const lstm1 *p, const float *x) {
  int32_t ins[20];
  int y = build_lstm1(t, p, x, ins);
  pnn_unidirectional_sequence_lstm_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(unidirectional_sequence_lstm), &o);
  o.fused_activation_function = PNN_ACT_TANH;
  o.time_major = p->time_major;
  return ot_run(t, PNN_OP_UNIDIRECTIONAL_SEQUENCE_LSTM,
                PNN_OPTIONS_OF(unidirectional_sequence_lstm), &o,
                p->n_inputs ? p->n_inputs : 20, ins, y);
}

/* The same cell in plain scalar arithmetic. */
static void lstm1_expect(const lstm1 *p, const float *x, float *h_out) {
  float h = 0.f, c = 0.f;
  for (int32_t s = 0; s < p->steps; s++) {
    float a = p->w_x * x[s] + p->w_h * h;
    float f = sigm(a + p->bf);
    float i = p->cifg ? 1.f - f : sigm(a + p->b);
    float g = tanhf(a + p->b), o = sigm(a + p->b);
    c = f * c + i * g;
    h = o * tanhf(c);
    h_out[s] = h;
  }
}

TEST(lstm_one_cell_by_hand) {
  static const struct {
    lstm1 p;
    float x[4];
    int32_t out_dims[3];
  } cases[] = {
      {{.w_x = 0.8f,
        .w_h = -0.6f,
        .b = 0.1f,
        .bf = 1.f,
        .steps = 4,
        .drop = -1},
       {1.f, -2.f, 0.5f, 3.f},
       {1, 4, 1}},
      /* CIFG, time major */
      {{.w_x = -0.5f,
        .w_h = 0.9f,
        .b = 0.2f,
        .bf = 0.5f,
        .steps = 3,
        .cifg = true,
        .time_major = true,
        .drop = -1},
       {2.f, -1.f, 0.25f},
       {3, 1, 1}},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    float want[4];
    lstm1_expect(&cases[k].p, cases[k].x, want);
    optest t;
    ot_begin(&t);
    CHECK_OK(&t, run_lstm1(&t, &cases[k].p, cases[k].x));
    CHECK(ot_shape_is(&t, 3, cases[k].out_dims));
    CHECK_FLOATS(&t, want, cases[k].p.steps);
    ot_end(&t);
  }
}

/* The state tensors are variables: a second invoke continues from the
 * state the first left, as LiteRT does. One-step sequences fed 1, then
 * -2, give the outputs of the two-step sequence (1, -2). */
TEST(lstm_state_carries_across_invokes) {
  const lstm1 p = {.w_x = 0.8f, .w_h = -0.6f, .b = 0.1f, .bf = 1.f,
                   .steps = 1, .drop = -1};
  const lstm1 p2 = {.w_x = 0.8f, .w_h = -0.6f, .b = 0.1f, .bf = 1.f,
                    .steps = 2, .drop = -1};
  const float seq[2] = {1.f, -2.f};
  float want[2];
  lstm1_expect(&p2, seq, want);
  optest t;
  ot_begin(&t);
  float x = 1.f;
  CHECK_OK(&t, run_lstm1(&t, &p, &x));
  CHECK_FLOATS(&t, want, 1);
  float *in = pnn_tensor_data(pnn_interpreter_input(t.it, 0));
  in[0] = -2.f;
  CHECK_OK(&t, pnn_interpreter_invoke(t.it));
  CHECK_FLOATS(&t, want + 1, 1);
  ot_end(&t);
}

/* Refused at prepare: a required input absent (input_to_forget weights
 * 2, forget gate bias 13, cell state 19), a wrong weight shape, half a
 * CIFG ("no input_to_input and no recurrent_to_input": one without the
 * other), a state that is not a variable. */
TEST(lstm_refusals) {
  static const struct {
    lstm1 p;
    const char *needle;
  } cases[] = {
      {{.w_x = 1.f, .steps = 2, .drop = 2}, "input 2"},
      {{.w_x = 1.f, .steps = 2, .drop = 13}, "input 13"},
      {{.w_x = 1.f, .steps = 2, .drop = 19}, "input 19"},
      {{.w_x = 1.f, .steps = 2, .drop = -1, .bad_rec = 3},
       "recurrent_to_forget weights"},
      {{.w_x = 1.f, .steps = 2, .drop = 5}, "both or neither"},
      {{.w_x = 1.f, .steps = 2, .drop = -1, .state_const = true}, "variable"},
  };
  const float x[2] = {1.f, 2.f};
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    optest t;
    ot_begin(&t);
    CHECK_FAILS_AT(&t, run_lstm1(&t, &cases[k].p, x), PNN_ERROR_INVALID_MODEL,
                   OT_ALLOCATE, cases[k].needle);
    ot_end(&t);
  }
}

TEST(lstm_wrong_input_rank) {
  optest t;
  ot_begin(&t);
  const float x[2] = {1.f, 2.f};
  const lstm1 p = {.w_x = 1.f, .steps = 2, .drop = -1, .rank2_input = true};
  CHECK_FAILS_AT(&t, run_lstm1(&t, &p, x), PNN_ERROR_INVALID_MODEL,
                 OT_ALLOCATE, "expected rank 3");
  ot_end(&t);
}

TEST(lstm_too_few_inputs) {
  optest t;
  ot_begin(&t);
  const float x[2] = {1.f, 2.f};
  const lstm1 p = {.w_x = 1.f, .steps = 2, .drop = -1, .n_inputs = 19};
  CHECK_FAILS_AT(&t, run_lstm1(&t, &p, x), PNN_ERROR_INVALID_MODEL,
                 OT_ALLOCATE, "inputs");
  ot_end(&t);
}

/* Hybrid: int8 weights with scale 1/64 holding the float cell's weights
 * exactly (0.75 = 48/64, -0.5 = -32/64). Input 1 quantizes symmetrically
 * to 127 with scale 1/127, so the products are exact too: the hybrid cell
 * matches the float one up to float rounding. */
TEST(lstm_hybrid_int8_weights) {
  optest t;
  ot_begin(&t);
  const float x[2] = {1.f, -1.f};
  int32_t ins[20];
  ins[0] = ot_input(&t, PNN_TYPE_FLOAT32, 3, (int32_t[]){1, 2, 1}, x);
  const int8_t wx = 48, wh = -32;
  const int32_t m11[2] = {1, 1}, v1[1] = {1};
  for (int g = 0; g < 4; g++)
    ins[1 + g] = ot_qtensor(&t, "wx", PNN_TYPE_INT8, 2, m11, &wx, 1.f / 64, 0);
  for (int g = 0; g < 4; g++)
    ins[5 + g] = ot_qtensor(&t, "wh", PNN_TYPE_INT8, 2, m11, &wh, 1.f / 64, 0);
  ins[9] = ins[10] = ins[11] = ins[16] = ins[17] = -1;
  const float b = 0.f, bf = 1.f;
  for (int g = 0; g < 4; g++)
    ins[12 + g] = ot_const(&t, PNN_TYPE_FLOAT32, 1, v1, g == 1 ? &bf : &b);
  for (int k = 0; k < 2; k++) {
    ins[18 + k] = pnn_mb_tensor(t.mb, "state", PNN_TYPE_FLOAT32, 2, m11, NULL);
    pnn_mb_tensor_variable(t.mb, ins[18 + k]);
  }
  int y = ot_output(&t, PNN_TYPE_FLOAT32);
  pnn_unidirectional_sequence_lstm_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(unidirectional_sequence_lstm), &o);
  o.fused_activation_function = PNN_ACT_TANH;
  CHECK_OK(&t, ot_run(&t, PNN_OP_UNIDIRECTIONAL_SEQUENCE_LSTM,
                      PNN_OPTIONS_OF(unidirectional_sequence_lstm), &o, 20,
                      ins, y));
  /* Step 2 quantizes h1 to 127 steps of h1/127: exact again. */
  lstm1 p = {.w_x = 0.75f, .w_h = -0.5f, .b = 0.f, .bf = 1.f, .steps = 2};
  float want[2];
  lstm1_expect(&p, x, want);
  CHECK_OUT_FLOATS(&t, 0, want, 2, 1e-6f);
  ot_end(&t);
}

/* UNIDIRECTIONAL_SEQUENCE_RNN, 2 units, 1 input, x = [2, 1] (batch 1,
 * 2 steps), W = [1, -1], b = [0, 1], the recurrent weights r of shape
 * rd; runs it with fused activation act. */
static pnn_status run_rnn2(optest *t, const float *r, const int32_t rd[2],
                           int act) {
  const float x[2] = {2.f, 1.f}, w[2] = {1.f, -1.f}, b[2] = {0.f, 1.f};
  int32_t ins[5];
  ins[0] = ot_input(t, PNN_TYPE_FLOAT32, 3, (int32_t[]){1, 2, 1}, x);
  ins[1] = ot_const(t, PNN_TYPE_FLOAT32, 2, (int32_t[]){2, 1}, w);
  ins[2] = ot_const(t, PNN_TYPE_FLOAT32, 2, rd, r);
  ins[3] = ot_const(t, PNN_TYPE_FLOAT32, 1, (int32_t[]){2}, b);
  ins[4] =
      pnn_mb_tensor(t->mb, "h", PNN_TYPE_FLOAT32, 2, (int32_t[]){1, 2}, NULL);
  pnn_mb_tensor_variable(t->mb, ins[4]);
  int y = ot_output(t, PNN_TYPE_FLOAT32);
  pnn_sequence_rnn_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(sequence_rnn), &o);
  o.fused_activation_function = (int8_t)act;
  return ot_run(t, PNN_OP_UNIDIRECTIONAL_SEQUENCE_RNN,
                PNN_OPTIONS_OF(sequence_rnn), &o, 5, ins, y);
}

/* run_rnn2 with RELU: h_t = relu(b + W x_t + R h_{t-1}),
 * R = [[0.5, 0], [1, 0]]. x = 2, 1: h1 = relu([2, -1]) = [2, 0];
 * h2 = relu([1 + 1, 1 - 1 + 2]) = [2, 2]. */
TEST(rnn_relu_by_hand) {
  optest t;
  ot_begin(&t);
  const float r[4] = {0.5f, 0.f, 1.f, 0.f};
  CHECK_OK(&t, run_rnn2(&t, r, (int32_t[]){2, 2}, PNN_ACT_RELU));
  CHECK(ot_shape_is(&t, 3, (int32_t[]){1, 2, 2}));
  CHECK_FLOATS(&t, ((float[]){2, 0, 2, 2}), 4);
  ot_end(&t);
}

TEST(rnn_bad_recurrent_shape) {
  optest t;
  ot_begin(&t);
  const float r[2] = {1, 1};
  CHECK_FAILS_AT(&t, run_rnn2(&t, r, (int32_t[]){1, 2}, PNN_ACT_NONE),
                 PNN_ERROR_INVALID_MODEL, OT_ALLOCATE,
                 "input 2 (c, recurrent weights): expected shape [2, 2]");
  ot_end(&t);
}

/* BIDIRECTIONAL_SEQUENCE_LSTM with merged outputs: the forward half is the
 * one-cell LSTM over x, the backward half the same cell over x reversed
 * (and read back in input order). */
TEST(bilstm_merged_by_hand) {
  optest t;
  ot_begin(&t);
  const lstm1 p = {.w_x = 0.8f, .w_h = -0.6f, .b = 0.1f, .bf = 1.f, .steps = 3};
  const float x[3] = {1.f, -2.f, 0.5f}, xr[3] = {0.5f, -2.f, 1.f};
  float fw[3], bw_rev[3];
  lstm1_expect(&p, x, fw);
  lstm1_expect(&p, xr, bw_rev);
  int32_t ins[48];
  for (int k = 0; k < 48; k++) ins[k] = -1;
  ins[0] = ot_input(&t, PNN_TYPE_FLOAT32, 3, (int32_t[]){3, 1, 1}, x);
  const int32_t m11[2] = {1, 1}, v1[1] = {1};
  for (int d = 0; d < 2; d++) {
    const int base = d ? 18 : 1;
    for (int g = 0; g < 4; g++) {
      ins[base + g] = ot_const(&t, PNN_TYPE_FLOAT32, 2, m11, &p.w_x);
      ins[base + 4 + g] = ot_const(&t, PNN_TYPE_FLOAT32, 2, m11, &p.w_h);
      ins[base + 11 + g] =
          ot_const(&t, PNN_TYPE_FLOAT32, 1, v1, g == 1 ? &p.bf : &p.b);
    }
  }
  for (int k = 35; k < 39; k++) {
    ins[k] = pnn_mb_tensor(t.mb, "state", PNN_TYPE_FLOAT32, 2, m11, NULL);
    pnn_mb_tensor_variable(t.mb, ins[k]);
  }
  int y = ot_output(&t, PNN_TYPE_FLOAT32);
  pnn_bidirectional_sequence_lstm_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(bidirectional_sequence_lstm), &o);
  o.fused_activation_function = PNN_ACT_TANH;
  o.merge_outputs = true;
  CHECK_OK(&t, ot_run(&t, PNN_OP_BIDIRECTIONAL_SEQUENCE_LSTM,
                      PNN_OPTIONS_OF(bidirectional_sequence_lstm), &o, 48, ins,
                      y));
  CHECK(ot_shape_is(&t, 3, (int32_t[]){3, 1, 2}));
  float want[6] = {fw[0], bw_rev[2], fw[1], bw_rev[1], fw[2], bw_rev[0]};
  CHECK_FLOATS(&t, want, 6);
  ot_end(&t);
}

/* The GEMM path (constant input weights: all steps' input products at
 * once) against the reference path (the same weights fed as model inputs,
 * so not constant): a 13-input, 17-cell LSTM with peephole, projection to
 * 7 and layer norm, batch 3, 5 steps. Same sums in another order (and FMA
 * on SIMD ISAs): equal within float rounding. */
static float lcg(uint32_t *s) {
  *s = *s * 1664525u + 1013904223u;
  return (float)((*s >> 8) & 0xffff) / 65536.f - 0.5f;
}

static pnn_status run_big_lstm(optest *t, bool weights_as_inputs, float *out) {
  enum { NI = 13, NC = 17, NO = 7, B = 3, T = 5 };
  static float x[B * T * NI], wx[4][NC * NI], wh[4][NC * NO], peep[3][NC],
      bias[4][NC], proj[NO * NC], pbias[NO], ln[4][NC];
  uint32_t seed = 12345;
  for (int i = 0; i < B * T * NI; i++) x[i] = 4.f * lcg(&seed);
  for (int g = 0; g < 4; g++) {
    for (int i = 0; i < NC * NI; i++) wx[g][i] = lcg(&seed);
    for (int i = 0; i < NC * NO; i++) wh[g][i] = lcg(&seed);
    for (int i = 0; i < NC; i++) bias[g][i] = lcg(&seed);
    for (int i = 0; i < NC; i++) ln[g][i] = 1.f + lcg(&seed);
  }
  for (int g = 0; g < 3; g++)
    for (int i = 0; i < NC; i++) peep[g][i] = lcg(&seed);
  for (int i = 0; i < NO * NC; i++) proj[i] = lcg(&seed);
  for (int i = 0; i < NO; i++) pbias[i] = lcg(&seed);
  int32_t ins[24];
  ins[0] = ot_input(t, PNN_TYPE_FLOAT32, 3, (int32_t[]){B, T, NI}, x);
  for (int g = 0; g < 4; g++)
    ins[1 + g] = weights_as_inputs
                     ? ot_input(t, PNN_TYPE_FLOAT32, 2, (int32_t[]){NC, NI}, wx[g])
                     : ot_const(t, PNN_TYPE_FLOAT32, 2, (int32_t[]){NC, NI}, wx[g]);
  for (int g = 0; g < 4; g++) {
    ins[5 + g] = ot_const(t, PNN_TYPE_FLOAT32, 2, (int32_t[]){NC, NO}, wh[g]);
    ins[12 + g] = ot_const(t, PNN_TYPE_FLOAT32, 1, (int32_t[]){NC}, bias[g]);
    ins[20 + g] = ot_const(t, PNN_TYPE_FLOAT32, 1, (int32_t[]){NC}, ln[g]);
  }
  for (int g = 0; g < 3; g++)
    ins[9 + g] = ot_const(t, PNN_TYPE_FLOAT32, 1, (int32_t[]){NC}, peep[g]);
  ins[16] = ot_const(t, PNN_TYPE_FLOAT32, 2, (int32_t[]){NO, NC}, proj);
  ins[17] = ot_const(t, PNN_TYPE_FLOAT32, 1, (int32_t[]){NO}, pbias);
  ins[18] = pnn_mb_tensor(t->mb, "h", PNN_TYPE_FLOAT32, 2, (int32_t[]){B, NO}, NULL);
  ins[19] = pnn_mb_tensor(t->mb, "c", PNN_TYPE_FLOAT32, 2, (int32_t[]){B, NC}, NULL);
  pnn_mb_tensor_variable(t->mb, ins[18]);
  pnn_mb_tensor_variable(t->mb, ins[19]);
  int y = ot_output(t, PNN_TYPE_FLOAT32);
  pnn_unidirectional_sequence_lstm_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(unidirectional_sequence_lstm), &o);
  o.fused_activation_function = PNN_ACT_TANH;
  o.cell_clip = 3.f;
  o.proj_clip = 0.9f;
  pnn_status s = ot_run(t, PNN_OP_UNIDIRECTIONAL_SEQUENCE_LSTM,
                        PNN_OPTIONS_OF(unidirectional_sequence_lstm), &o, 24,
                        ins, y);
  if (!s) memcpy(out, ot_data(t), sizeof(float) * B * T * NO);
  return s;
}

TEST(lstm_gemm_path_matches_reference) {
  float ref[3 * 5 * 7], fast[3 * 5 * 7];
  optest t;
  ot_begin(&t);
  CHECK_OK(&t, run_big_lstm(&t, true, ref));
  ot_end(&t);
  ot_begin(&t);
  CHECK_OK(&t, run_big_lstm(&t, false, fast));
  CHECK(ot_shape_is(&t, 3, (int32_t[]){3, 5, 7}));
  ot_end(&t);
  float max_abs = 0.f;
  for (int i = 0; i < 3 * 5 * 7; i++)
    if (fabsf(ref[i]) > max_abs) max_abs = fabsf(ref[i]);
  CHECK(max_abs > 0.05f); /* not a degenerate all-zero run */
  int bad = ot_first_mismatch(fast, ref, 3 * 5 * 7, 2e-6f);
  CHECK_MSG(bad < 0, "element %d: gemm %.9g, reference %.9g", bad,
            bad < 0 ? 0.0 : (double)fast[bad], bad < 0 ? 0.0 : (double)ref[bad]);
}

/* BIDIRECTIONAL_SEQUENCE_RNN, one unit each way, W = 1, R = 0.5, b = 0, no
 * activation, x = 1, 2 (batch-major). Forward: 1, 2 + 0.5 = 2.5.
 * Backward runs t = 1 then 0: 2, then 1 + 0.5 * 2 = 2, stored at its own
 * time step. Merged rows: [1, 2], [2.5, 2]. An aux input is refused. */
static pnn_status run_birnn(optest *t, bool with_aux) {
  static const float x[2] = {1.f, 2.f}, w = 1.f, r = 0.5f, b = 0.f;
  int32_t ins[12];
  for (int k = 0; k < 12; k++) ins[k] = -1;
  ins[0] = ot_input(t, PNN_TYPE_FLOAT32, 3, (int32_t[]){1, 2, 1}, x);
  const int32_t m11[2] = {1, 1}, v1[1] = {1};
  for (int d = 0; d < 2; d++) {
    ins[1 + 4 * d] = ot_const(t, PNN_TYPE_FLOAT32, 2, m11, &w);
    ins[2 + 4 * d] = ot_const(t, PNN_TYPE_FLOAT32, 2, m11, &r);
    ins[3 + 4 * d] = ot_const(t, PNN_TYPE_FLOAT32, 1, v1, &b);
    ins[4 + 4 * d] = pnn_mb_tensor(t->mb, "h", PNN_TYPE_FLOAT32, 2, m11, NULL);
    pnn_mb_tensor_variable(t->mb, ins[4 + 4 * d]);
  }
  if (with_aux) ins[9] = ot_input(t, PNN_TYPE_FLOAT32, 3, (int32_t[]){1, 2, 1}, x);
  int y = ot_output(t, PNN_TYPE_FLOAT32);
  pnn_bidirectional_sequence_rnn_options o;
  pnn_mb_options_defaults(1, PNN_OPTIONS_OF(bidirectional_sequence_rnn), &o);
  o.merge_outputs = true;
  return ot_run(t, PNN_OP_BIDIRECTIONAL_SEQUENCE_RNN,
                PNN_OPTIONS_OF(bidirectional_sequence_rnn), &o, 12, ins, y);
}

TEST(birnn_merged_by_hand) {
  optest t;
  ot_begin(&t);
  CHECK_OK(&t, run_birnn(&t, false));
  CHECK(ot_shape_is(&t, 3, (int32_t[]){1, 2, 2}));
  CHECK_FLOATS(&t, ((float[]){1, 2, 2.5f, 2}), 4);
  ot_end(&t);
  ot_begin(&t);
  CHECK_FAILS_AT(&t, run_birnn(&t, true), PNN_ERROR_UNSUPPORTED, OT_ALLOCATE,
                 "input 9");
  ot_end(&t);
}
