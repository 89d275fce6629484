/* Recurrent ops: UNIDIRECTIONAL_SEQUENCE_LSTM, BIDIRECTIONAL_SEQUENCE_LSTM,
 * LSTM (the full kernel: one time step), UNIDIRECTIONAL_SEQUENCE_RNN,
 * BIDIRECTIONAL_SEQUENCE_RNN and RNN, in float32 and dynamic range
 * (hybrid: int8 weights, float activations), with TFLite's semantics
 * (lstm_eval.cc, kernel_utils.cc).
 *
 * LSTM inputs (TFLite's layout, -1 = absent), gates i, f, c (g), o:
 *    0 input            1-4 input_to_{i,f,c,o} weights [n_cell, n_input]
 *  5-8 recurrent_to_{i,f,c,o} weights [n_cell, n_output]
 * 9-11 cell_to_{i,f,o} peephole weights [n_cell]
 * 12-15 {i,f,c,o} gate bias [n_cell]
 *   16 projection weights [n_output, n_cell]   17 projection bias [n_output]
 *   18 output state (variable) [n_batch, n_output]
 *   19 cell state (variable) [n_batch, n_cell]
 * 20-23 {i,f,c,o} layer-norm coefficients [n_cell]
 * CIFG (no input gate): weights 1 and 5, peephole 9, bias 12 and layer
 * norm 20 absent; the input gate is 1 - f.
 *
 * One step, per batch row (rows are independent, so batch-major and
 * time-major sequences are the same loop with other strides):
 *   gate = act(LN(W_x x + W_aux aux + W_h h + p .* c) * ln + b)  (with LN)
 *   gate = act(b + W_x x + W_aux aux + W_h h + p .* c)           (without)
 *   c = clip(f .* c + i .* g);  o uses the new c for its peephole;
 *   h = proj_clip(W_p (o .* act(c)) + b_p)  or  o .* act(c)
 * sigmoid for i, f, o; the op's fused activation for g and act(c).
 *
 * Hybrid: each float vector (x, aux, h, the projection input) is quantized
 * per batch row on the fly (symmetric, or asymmetric when the op says so,
 * with pnn_qm_*_quantize as LiteRT's x86 build rounds), multiplied in int32
 * with the int8 weights and scaled back with (row scale * weight scale); an
 * all-zero vector is skipped as LiteRT skips it. Peephole weights are
 * dequantized once at prepare.
 *
 * Float cells with constant weights use the f32 GEMM (src/kernels/f32_gemm*):
 * the input products of every step at once (+ bias, or 0 with layer norm,
 * added after the sum, as TFLite's FullyConnected does), then per step the
 * recurrent products of all batch rows, added to those as TFLite adds its
 * accumulator. The plain loops stay as the reference (non-constant
 * weights take them; tests compare the two).
 *
 * The state tensors are variables: the op reads and overwrites them, so
 * state carries over from one invoke to the next, as in LiteRT; prepare
 * (allocation) zeroes them. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kernels/f32_gemm.h"
#include "kernels/s8_dot.h"
#include "ops/common.h"
#include "ops/quant_math.h"
#include "ops/tensor_util.h"

enum { G_I, G_F, G_C, G_O };

/* A weight matrix [rows, cols] (or vector) in float or int8. */
typedef struct rnn_mat {
  int in;             /* node input index; -1 when absent */
  const int8_t *q;    /* hybrid: int8 data (constant) */
  float scale;        /* hybrid: per-tensor scale */
  int32_t *row_sums;  /* hybrid asymmetric: sum of each row */
  pnn_s8_dots_fn dots; /* hybrid: int8 dot kernel of the active ISA */
} rnn_mat;

/* One LSTM direction. */
typedef struct lstm_cell {
  int32_t n_input, n_aux, n_cell, n_output;
  bool cifg, peephole, layer_norm, hybrid, asym;
  int act;
  float cell_clip, proj_clip;
  rnn_mat w_in[4], w_aux[4], w_rec[4], proj;
  int peep[4];            /* node input of the peephole weights or -1 */
  const float *peep_f[4]; /* hybrid: dequantized peephole weights */
  int bias[4], ln[4], proj_bias;
  int out_state, cell_state;
  /* Float, constant input weights: x W^T (+ bias) for all gates, packed
   * gate after gate (gate g at column xcol[g], -1 when absent). */
  const pnn_f32_gemm_plan *xgemm;
  int32_t xcol[4], xcols;
  /* With xgemm and constant recurrent weights: h W_h^T, same columns. */
  const pnn_f32_gemm_plan *rgemm;
} lstm_cell;

typedef struct rnn_seq {
  int32_t n_batch, n_time;
  bool time_major;
  int input, aux_input;  /* node inputs */
} rnn_seq;

/* ------------------------------------------------------------ helpers */

static inline float sigmoidf_(float x) { return 1.f / (1.f + expf(-x)); }

static const float *in_f32(const pnn_node *node, int i) {
  return i >= 0 && node->inputs[i] ? (const float *)node->inputs[i]->data
                                   : NULL;
}

static bool all_zero(const float *x, int32_t n) {
  for (int32_t k = 0; k < n; k++)
    if (x[k] != 0.f) return false;
  return true;
}

/* Quantized copy of a float row for the hybrid products. */
typedef struct qrow {
  const int8_t *q;
  float sf;
  int32_t zp;
  bool zero; /* all-zero row: LiteRT skips the product */
} qrow;

static qrow quantize_row(const float *x, int32_t n, bool asym, int8_t *buf) {
  qrow r = {buf, 1.f, 0, all_zero(x, n)};
  if (r.zero) return r;
  if (asym)
    pnn_qm_asymmetric_quantize(x, n, buf, &r.sf, &r.zp);
  else
    r.sf = pnn_qm_symmetric_quantize(x, n, buf);
  return r;
}

/* acc[r] += W[r, :] . x for a float matrix [rows, cols]. */
static void matvec_f32(const float *w, int32_t rows, int32_t cols,
                       const float *x, float *acc) {
  for (int32_t r = 0; r < rows; r++) {
    const float *wr = w + (int64_t)r * cols;
    float s = 0.f;
    for (int32_t k = 0; k < cols; k++) s += wr[k] * x[k];
    acc[r] = s + acc[r];
  }
}

/* Rows the int8 dot kernels may take: k * 128 * 128 must stay in int32. */
#define S8_DOTS_MAX_COLS 131071
#define S8_BLOCK 256

/* acc[r] += (W[r, :] . (xq - zp)) * (sf * scale) for an int8 matrix. The
 * int32 sums are exact (integer), by the ISA's dot kernel (src/kernels/
 * s8_dot*) or, past its row length, a plain loop that wraps as TFLite's
 * int32 sums do. */
static void matvec_s8(const rnn_mat *m, int32_t rows, int32_t cols,
                      const qrow *x, float *acc) {
  const float s = x->sf * m->scale;
  int32_t blk[S8_BLOCK];
  for (int32_t r0 = 0; r0 < rows; r0 += S8_BLOCK) {
    const int32_t nb = rows - r0 < S8_BLOCK ? rows - r0 : S8_BLOCK;
    if (cols <= S8_DOTS_MAX_COLS) {
      memset(blk, 0, sizeof(int32_t) * (size_t)nb);
      m->dots(x->q, m->q + (int64_t)r0 * cols, (size_t)cols, (size_t)nb,
              (size_t)cols, blk);
    } else {
      for (int32_t i = 0; i < nb; i++) {
        const int8_t *wr = m->q + (int64_t)(r0 + i) * cols;
        uint32_t d = 0;
        for (int32_t k = 0; k < cols; k++)
          d += (uint32_t)((int32_t)wr[k] * x->q[k]);
        blk[i] = (int32_t)d;
      }
    }
    for (int32_t i = 0; i < nb; i++) {
      uint32_t d = (uint32_t)blk[i];
      if (m->row_sums) d -= (uint32_t)x->zp * (uint32_t)m->row_sums[r0 + i];
      acc[r0 + i] += (float)(int32_t)d * s;
    }
  }
}

/* TFLite's MeanStddevNormalization over one row (epsilon 1e-8). */
static void mean_stddev_norm(float *v, int32_t n) {
  float sum = 0.f;
  for (int32_t k = 0; k < n; k++) sum += v[k];
  const float mean = sum / (float)n;
  float sq = 0.f;
  for (int32_t k = 0; k < n; k++) sq += (v[k] - mean) * (v[k] - mean);
  const float inv = 1.f / sqrtf(sq / (float)n + 1e-8f);
  for (int32_t k = 0; k < n; k++) v[k] = (v[k] - mean) * inv;
}

static void clip_vec(float *v, int32_t n, float clip) {
  if (!(clip > 0.f)) return;
  for (int32_t k = 0; k < n; k++)
    v[k] = v[k] > clip ? clip : (v[k] < -clip ? -clip : v[k]);
}

/* ------------------------------------------------------------ LSTM step */

/* Scratch of one direction's step: 5 float rows of n_cell, one int8 row of
 * the largest vector. */
static size_t lstm_scratch_bytes(const lstm_cell *c) {
  int32_t m = c->n_input;
  if (c->n_aux > m) m = c->n_aux;
  if (c->n_output > m) m = c->n_output;
  if (c->n_cell > m) m = c->n_cell;
  /* Rounded to 64 bytes: the GEMM's products follow. */
  return (sizeof(float) * 5 * (size_t)c->n_cell + (size_t)m + 127) & ~(size_t)63;
}

/* One float gate (see the top of the file). */
static void lstm_gate(const pnn_node *node, const lstm_cell *c, int g,
                      const float *x, const float *pre, const float *rec,
                      const float *aux, const float *h, const float *cs,
                      float *gate) {
  const int32_t n = c->n_cell;
  const float *bias = in_f32(node, c->bias[g]);
  if (pre) {
    memcpy(gate, pre + c->xcol[g], sizeof(float) * (size_t)n);
  } else {
    if (c->layer_norm)
      memset(gate, 0, sizeof(float) * (size_t)n);
    else
      memcpy(gate, bias, sizeof(float) * (size_t)n);
    matvec_f32(in_f32(node, c->w_in[g].in), n, c->n_input, x, gate);
  }
  if (aux) matvec_f32(in_f32(node, c->w_aux[g].in), n, c->n_aux, aux, gate);
  if (rec) {
    const float *r = rec + c->xcol[g];
    for (int32_t k = 0; k < n; k++) gate[k] = r[k] + gate[k];
  } else {
    matvec_f32(in_f32(node, c->w_rec[g].in), n, c->n_output, h, gate);
  }
  if (c->peephole && g != G_C) {
    const float *p = in_f32(node, c->peep[g]);
    for (int32_t k = 0; k < n; k++) gate[k] += p[k] * cs[k];
  }
  if (c->layer_norm) {
    const float *ln = in_f32(node, c->ln[g]);
    mean_stddev_norm(gate, n);
    for (int32_t k = 0; k < n; k++) gate[k] = gate[k] * ln[k] + bias[k];
  }
  if (g == G_C)
    for (int32_t k = 0; k < n; k++) gate[k] = pnn_apply_activation(c->act, gate[k]);
  else
    for (int32_t k = 0; k < n; k++) gate[k] = sigmoidf_(gate[k]);
}

/* One step of one batch row: reads x (or its precomputed input products
 * `pre`) and aux, updates h and cs, writes the output row. */
static void lstm_step(const pnn_node *node, const lstm_cell *c, const float *x,
                      const float *pre, const float *rec, const float *aux,
                      float *h, float *cs, float *out, void *scratch) {
  const int32_t n = c->n_cell;
  float *gi = scratch, *gf = gi + n, *gc = gf + n, *go = gc + n, *t = go + n;
  int8_t *qbuf = (int8_t *)(t + n);
  if (c->hybrid) {
    /* x, aux and h are quantized in turn into one buffer, each used by
     * all gates before the next: per gate the float sums keep LiteRT's
     * order (bias, x, aux, h). */
    qrow qx, qa, qh;
    const int ng = 4;
    float *gates[4] = {gi, gf, gc, go};
    for (int g = 0; g < ng; g++) {
      if (g == G_I && c->cifg) continue;
      if (c->layer_norm)
        memset(gates[g], 0, sizeof(float) * (size_t)n);
      else
        memcpy(gates[g], in_f32(node, c->bias[g]), sizeof(float) * (size_t)n);
    }
    qx = quantize_row(x, c->n_input, c->asym, qbuf);
    if (!qx.zero)
      for (int g = 0; g < ng; g++)
        if (!(g == G_I && c->cifg))
          matvec_s8(&c->w_in[g], n, c->n_input, &qx, gates[g]);
    if (aux) {
      qa = quantize_row(aux, c->n_aux, c->asym, qbuf);
      if (!qa.zero)
        for (int g = 0; g < ng; g++)
          if (!(g == G_I && c->cifg))
            matvec_s8(&c->w_aux[g], n, c->n_aux, &qa, gates[g]);
    }
    qh = quantize_row(h, c->n_output, c->asym, qbuf);
    if (!qh.zero)
      for (int g = 0; g < ng; g++)
        if (!(g == G_I && c->cifg))
          matvec_s8(&c->w_rec[g], n, c->n_output, &qh, gates[g]);
    /* The remaining per-gate work (peephole, layer norm, activation). */
    for (int g = 0; g < ng; g++) {
      if ((g == G_I && c->cifg) || g == G_O) continue;
      float *gate = gates[g];
      if (c->peephole && g != G_C)
        for (int32_t k = 0; k < n; k++) gate[k] += c->peep_f[g][k] * cs[k];
      if (c->layer_norm) {
        const float *ln = in_f32(node, c->ln[g]), *b = in_f32(node, c->bias[g]);
        mean_stddev_norm(gate, n);
        for (int32_t k = 0; k < n; k++) gate[k] = gate[k] * ln[k] + b[k];
      }
      for (int32_t k = 0; k < n; k++)
        gate[k] = g == G_C ? pnn_apply_activation(c->act, gate[k])
                           : sigmoidf_(gate[k]);
    }
  } else {
    if (!c->cifg) lstm_gate(node, c, G_I, x, pre, rec, aux, h, cs, gi);
    lstm_gate(node, c, G_F, x, pre, rec, aux, h, cs, gf);
    lstm_gate(node, c, G_C, x, pre, rec, aux, h, cs, gc);
  }
  /* c = f .* c + i .* g (CIFG: i = 1 - f). */
  for (int32_t k = 0; k < n; k++) {
    const float ig = c->cifg ? 1.f - gf[k] : gi[k];
    cs[k] = gf[k] * cs[k];
    cs[k] += gc[k] * ig;
  }
  clip_vec(cs, n, c->cell_clip);
  if (c->hybrid) {
    if (c->peephole)
      for (int32_t k = 0; k < n; k++) go[k] += c->peep_f[G_O][k] * cs[k];
    if (c->layer_norm) {
      const float *ln = in_f32(node, c->ln[G_O]), *b = in_f32(node, c->bias[G_O]);
      mean_stddev_norm(go, n);
      for (int32_t k = 0; k < n; k++) go[k] = go[k] * ln[k] + b[k];
    }
    for (int32_t k = 0; k < n; k++) go[k] = sigmoidf_(go[k]);
  } else {
    lstm_gate(node, c, G_O, x, pre, rec, aux, h, cs, go);
  }
  /* o .* act(c), then the projection. */
  for (int32_t k = 0; k < n; k++) t[k] = go[k] * pnn_apply_activation(c->act, cs[k]);
  if (c->proj.in >= 0) {
    const float *pb = in_f32(node, c->proj_bias);
    if (pb)
      memcpy(h, pb, sizeof(float) * (size_t)c->n_output);
    else
      memset(h, 0, sizeof(float) * (size_t)c->n_output);
    if (c->hybrid) {
      qrow q = quantize_row(t, n, c->asym, qbuf);
      if (!q.zero) matvec_s8(&c->proj, c->n_output, n, &q, h);
    } else {
      matvec_f32(in_f32(node, c->proj.in), c->n_output, n, t, h);
    }
    clip_vec(h, c->n_output, c->proj_clip);
  } else {
    memcpy(h, t, sizeof(float) * (size_t)n);
  }
  memcpy(out, h, sizeof(float) * (size_t)c->n_output);
}

/* Runs one direction over the whole sequence. The output row of (t, b) is
 * out + row(t, b) * out_ld + out_off. */
static void lstm_run(pnn_node *node, const lstm_cell *c, const rnn_seq *s,
                     bool backward, float *out, int32_t out_ld,
                     int32_t out_off, void *scratch) {
  const float *x = in_f32(node, s->input);
  const float *aux = s->aux_input >= 0 ? in_f32(node, s->aux_input) : NULL;
  float *h = node->inputs[c->out_state]->data;
  float *cs = node->inputs[c->cell_state]->data;
  float *pre = NULL;
  const size_t rows = (size_t)s->n_time * (size_t)s->n_batch;
  if (c->xgemm) {
    /* Rows of x in memory order (time- or batch-major alike). */
    pre = (float *)((char *)scratch + lstm_scratch_bytes(c));
    pnn_f32_gemm_job gj;
    pnn_f32_gemm_job_init(&gj, c->xgemm, rows, x, (size_t)c->n_input, pre,
                          (size_t)c->xcols, 8);
    pnn_node_parallel_for(node, pnn_f32_gemm_job_tasks(&gj),
                          pnn_f32_gemm_job_run, &gj);
  }
  if (c->rgemm) {
    /* Step after step, all batch rows: h W_h^T by the GEMM first. */
    float *rec = pre + rows * (size_t)c->xcols;
    for (int32_t i = 0; i < s->n_time; i++) {
      const int32_t t = backward ? s->n_time - 1 - i : i;
      pnn_f32_gemm_job gj;
      pnn_f32_gemm_job_init(&gj, c->rgemm, (size_t)s->n_batch, h,
                            (size_t)c->n_output, rec, (size_t)c->xcols, 2);
      pnn_node_parallel_for(node, pnn_f32_gemm_job_tasks(&gj),
                            pnn_f32_gemm_job_run, &gj);
      for (int32_t b = 0; b < s->n_batch; b++) {
        const int64_t row = s->time_major ? (int64_t)t * s->n_batch + b
                                          : (int64_t)b * s->n_time + t;
        lstm_step(node, c, x + row * c->n_input, pre + row * c->xcols,
                  rec + (int64_t)b * c->xcols,
                  aux ? aux + row * c->n_aux : NULL,
                  h + (int64_t)b * c->n_output, cs + (int64_t)b * c->n_cell,
                  out + row * out_ld + out_off, scratch);
      }
    }
    return;
  }
  for (int32_t b = 0; b < s->n_batch; b++) {
    for (int32_t i = 0; i < s->n_time; i++) {
      const int32_t t = backward ? s->n_time - 1 - i : i;
      const int64_t row = s->time_major ? (int64_t)t * s->n_batch + b
                                        : (int64_t)b * s->n_time + t;
      lstm_step(node, c, x + row * c->n_input,
                pre ? pre + row * c->xcols : NULL, NULL,
                aux ? aux + row * c->n_aux : NULL,
                h + (int64_t)b * c->n_output, cs + (int64_t)b * c->n_cell,
                out + row * out_ld + out_off, scratch);
    }
  }
}

/* ------------------------------------------------------------ prepare */

/* Checks tensor i (if present, or required) is a float32 vector [n] or a
 * matrix [rows, cols]; for hybrid weight matrices int8 is accepted. */
static pnn_status check_tensor(pnn_node *node, int i, bool required,
                               int rank, int32_t d0, int32_t d1,
                               bool allow_int8, const char *what) {
  const pnn_tensor *t = i < node->n_inputs ? node->inputs[i] : NULL;
  if (!t) {
    if (!required) return PNN_OK;
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input %d (%s) is required but absent", i, what);
  }
  if (t->type != PNN_TYPE_FLOAT32 && !(allow_int8 && t->type == PNN_TYPE_INT8))
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "input %d (%s, %s): type %s not supported%s", i,
                          t->name, what, pnn_type_name(t->type),
                          allow_int8 ? " (float32 or int8)" : " (float32)");
  bool ok = t->rank == rank && t->dims[0] == d0 && (rank < 2 || t->dims[1] == d1);
  if (!ok) {
    if (rank == 1)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "input %d (%s, %s): expected shape [%d], got rank "
                            "%d [%d...]",
                            i, t->name, what, (int)d0, (int)t->rank,
                            t->rank > 0 ? (int)t->dims[0] : 0);
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input %d (%s, %s): expected shape [%d, %d], got "
                          "rank %d [%d, %d...]",
                          i, t->name, what, (int)d0, (int)d1, (int)t->rank,
                          t->rank > 0 ? (int)t->dims[0] : 0,
                          t->rank > 1 ? (int)t->dims[1] : 0);
  }
  return PNN_OK;
}

static bool present(const pnn_node *node, int i) {
  return i >= 0 && i < node->n_inputs && node->inputs[i] != NULL;
}

/* Hybrid weight matrix i: constant int8, symmetric per-tensor; row sums
 * for asymmetric inputs. */
static pnn_status prepare_qmat(pnn_node *node, rnn_mat *m, int32_t rows,
                               int32_t cols, bool asym, const char *what) {
  const pnn_tensor *t = node->inputs[m->in];
  if (t->type != PNN_TYPE_INT8)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "input %d (%s, %s): a hybrid op needs int8 weights, "
                          "got %s",
                          m->in, t->name, what, pnn_type_name(t->type));
  if (!t->is_constant)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "input %d (%s, %s): hybrid weights must be constant",
                          m->in, t->name, what);
  if (!(t->scale > 0.f) || !isfinite(t->scale) || t->zero_point != 0 ||
      (t->quant && t->quant->n_scale > 1))
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "input %d (%s, %s): hybrid weights need one positive "
                          "scale and zero point 0",
                          m->in, t->name, what);
  m->q = t->data;
  m->scale = t->scale;
  m->row_sums = NULL;
  m->dots = pnn_s8_dots_pick(pnn_isa_active());
  if (asym && rows > 0) {
    m->row_sums = pnn_node_alloc_persistent(node, sizeof(int32_t) * (size_t)rows);
    if (!m->row_sums)
      return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY,
                            "no memory for the row sums of input %d", m->in);
    for (int32_t r = 0; r < rows; r++) {
      uint32_t s = 0;
      for (int32_t k = 0; k < cols; k++)
        s += (uint32_t)(int32_t)m->q[(int64_t)r * cols + k];
      m->row_sums[r] = (int32_t)s;
    }
  }
  return PNN_OK;
}

/* Checks that input i is a float32 variable of `count` elements. */
static pnn_status check_state(pnn_node *node, int i, int64_t count,
                              const char *what) {
  pnn_tensor *t;
  pnn_status s = pnn_require_input(node, i, &t);
  if (s) return s;
  if (t->type != PNN_TYPE_FLOAT32)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "input %d (%s, %s): expected float32, got %s", i,
                          t->name, what, pnn_type_name(t->type));
  if (t->kind != PNN_TENSOR_PERSISTENT)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input %d (%s, %s): must be a variable tensor (the "
                          "op updates it in place)",
                          i, t->name, what);
  if (pnn_tensor_count(t) != count)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input %d (%s, %s): expected %lld elements, got %lld",
                          i, t->name, what, (long long)count,
                          (long long)pnn_tensor_count(t));
  return PNN_OK;
}

static const char *const gate_name[4] = {"input", "forget", "cell", "output"};

/* Fills and checks one LSTM direction whose 18 weight inputs start at
 * `base` in TFLite's order (see the top of the file; base 0 means input 1
 * is input_to_input). w: node input indices of the 18 tensors (input_to_*
 * at w[0..3], recurrent_to_* at w[4..7], cell_to_{i,f,o} at w[8..10], bias
 * at w[11..14], projection at w[15], w[16]); ln: layer-norm inputs or
 * NULL; states: output and cell state inputs. aux_w: the 4 aux weights or
 * NULL. */
static pnn_status lstm_cell_prepare(pnn_node *node, lstm_cell *c,
                                    const int *w, const int *ln,
                                    const int *aux_w, int out_state,
                                    int cell_state, int32_t n_input,
                                    int32_t n_aux, int32_t n_batch, int act,
                                    float cell_clip, float proj_clip,
                                    bool asym, bool input_float) {
  pnn_status s;
  memset(c, 0, sizeof(*c));
  /* Sizes from the output-gate weights, as TFLite takes them. */
  for (int k = 1; k < 4; k++)
    if (!present(node, w[k]))
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "input %d (input_to_%s weights) is required but "
                            "absent",
                            w[k], gate_name[k]);
  for (int k = 5; k < 8; k++)
    if (!present(node, w[k]))
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "input %d (recurrent_to_%s weights) is required "
                            "but absent",
                            w[k], gate_name[k - 4]);
  const pnn_tensor *iow = node->inputs[w[3]], *row = node->inputs[w[7]];
  if (iow->rank != 2 || row->rank != 2)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "inputs %d and %d (input_to_output, "
                          "recurrent_to_output weights) must be 2-D",
                          w[3], w[7]);
  c->n_cell = iow->dims[0];
  c->n_output = row->dims[1];
  c->n_input = n_input;
  c->n_aux = n_aux;
  if (c->n_cell <= 0 || c->n_output <= 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "n_cell %d and n_output %d must be positive",
                          (int)c->n_cell, (int)c->n_output);
  c->hybrid = iow->type == PNN_TYPE_INT8 && input_float;
  c->asym = c->hybrid && asym;
  c->act = act;
  c->cell_clip = cell_clip;
  c->proj_clip = proj_clip;
  c->cifg = !present(node, w[0]);
  if (c->cifg != !present(node, w[4]))
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "inputs %d and %d (input_to_input, "
                          "recurrent_to_input weights): both or neither",
                          w[0], w[4]);
  const bool wq = c->hybrid;
  for (int g = 0; g < 4; g++) {
    const bool req = !(g == G_I && c->cifg);
    char what[40];
    snprintf(what, sizeof(what), "input_to_%s weights", gate_name[g]);
    if ((s = check_tensor(node, w[g], req, 2, c->n_cell, n_input, wq, what)))
      return s;
    snprintf(what, sizeof(what), "recurrent_to_%s weights", gate_name[g]);
    if ((s = check_tensor(node, w[4 + g], req, 2, c->n_cell, c->n_output, wq,
                          what)))
      return s;
    c->w_in[g].in = req ? w[g] : -1;
    c->w_rec[g].in = req ? w[4 + g] : -1;
    c->w_aux[g].in = -1;
    if (aux_w) {
      snprintf(what, sizeof(what), "aux_input_to_%s weights", gate_name[g]);
      if ((s = check_tensor(node, aux_w[g], req, 2, c->n_cell, n_aux, wq,
                            what)))
        return s;
      c->w_aux[g].in = req ? aux_w[g] : -1;
    }
  }
  /* Peephole: cell_to_{i,f,o}, all or none (no cell_to_input with CIFG). */
  const int pin[4] = {w[8], w[9], -1, w[10]};
  const bool pf = present(node, w[9]), po = present(node, w[10]);
  const bool pi = present(node, w[8]);
  c->peephole = pf && po && (pi || c->cifg);
  if ((pf || po || pi) && !c->peephole)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "peephole weights (inputs %d, %d, %d): all of "
                          "cell_to_forget and cell_to_output (and "
                          "cell_to_input unless CIFG) or none",
                          w[8], w[9], w[10]);
  if (c->cifg && pi)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input %d (cell_to_input weights) must be absent "
                          "without an input gate (CIFG)",
                          w[8]);
  for (int g = 0; g < 4; g++) {
    c->peep[g] = -1;
    if (!c->peephole || pin[g] < 0 || (g == G_I && c->cifg)) continue;
    char what[40];
    snprintf(what, sizeof(what), "cell_to_%s weights", gate_name[g]);
    if ((s = check_tensor(node, pin[g], true, 1, c->n_cell, 0, wq, what)))
      return s;
    c->peep[g] = pin[g];
    const pnn_tensor *t = node->inputs[pin[g]];
    if (t->type == PNN_TYPE_INT8) {
      /* Hybrid peephole: LiteRT multiplies int8 by the scale in float. */
      if (!t->is_constant || !(t->scale > 0.f))
        return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                              "input %d (%s, %s): int8 peephole weights must "
                              "be constant with a positive scale",
                              pin[g], t->name, what);
      float *f = pnn_node_alloc_persistent(node, sizeof(float) * (size_t)c->n_cell);
      if (!f)
        return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY,
                              "no memory for peephole weights %d", pin[g]);
      for (int32_t k = 0; k < c->n_cell; k++)
        f[k] = (float)((const int8_t *)t->data)[k] * t->scale;
      c->peep_f[g] = f;
    } else {
      c->peep_f[g] = t->data;
    }
  }
  /* Biases (float32 [n_cell]); no input-gate bias with CIFG. */
  for (int g = 0; g < 4; g++) {
    char what[40];
    snprintf(what, sizeof(what), "%s gate bias", gate_name[g]);
    const bool req = !(g == G_I && c->cifg);
    if (g == G_I && c->cifg && present(node, w[11]))
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "input %d (input gate bias) must be absent "
                            "without an input gate (CIFG)",
                            w[11]);
    if ((s = check_tensor(node, w[11 + g], req, 1, c->n_cell, 0, false, what)))
      return s;
    c->bias[g] = req ? w[11 + g] : -1;
  }
  /* Projection. */
  c->proj.in = present(node, w[15]) ? w[15] : -1;
  c->proj_bias = present(node, w[16]) ? w[16] : -1;
  if (c->proj_bias >= 0 && c->proj.in < 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input %d (projection bias) without projection "
                          "weights (input %d)",
                          w[16], w[15]);
  if (c->proj.in >= 0) {
    if ((s = check_tensor(node, w[15], true, 2, c->n_output, c->n_cell, wq,
                          "projection weights")))
      return s;
    if ((s = check_tensor(node, w[16], false, 1, c->n_output, 0, false,
                          "projection bias")))
      return s;
  } else if (c->n_output != c->n_cell) {
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "without projection n_output (%d, from input %d) "
                          "must equal n_cell (%d)",
                          (int)c->n_output, w[7], (int)c->n_cell);
  }
  /* Layer norm: the forget coefficients decide; input's iff not CIFG. */
  c->layer_norm = ln && present(node, ln[G_F]);
  for (int g = 0; g < 4; g++) {
    c->ln[g] = -1;
    if (!ln) continue;
    char what[40];
    snprintf(what, sizeof(what), "%s layer-norm coefficients", gate_name[g]);
    const bool want = c->layer_norm && !(g == G_I && c->cifg);
    if (!want && present(node, ln[g]))
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "input %d (%s) must be absent %s", ln[g], what,
                            c->layer_norm ? "without an input gate (CIFG)"
                                          : "without forget layer-norm "
                                            "coefficients");
    if (!want) continue;
    if ((s = check_tensor(node, ln[g], true, 1, c->n_cell, 0, false, what)))
      return s;
    c->ln[g] = ln[g];
  }
  /* Weight types: all float32, or (hybrid) all int8. */
  for (int g = 0; g < 4; g++) {
    const int ids[3] = {c->w_in[g].in, c->w_rec[g].in, c->w_aux[g].in};
    for (int k = 0; k < 3; k++) {
      if (ids[k] < 0) continue;
      const pnn_tensor *t = node->inputs[ids[k]];
      if (!c->hybrid && t->type != PNN_TYPE_FLOAT32)
        return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                              "input %d (%s): %s weights with float32 "
                              "input_to_output weights",
                              ids[k], t->name, pnn_type_name(t->type));
    }
  }
  if (c->hybrid) {
    for (int g = 0; g < 4; g++) {
      if (g == G_I && c->cifg) continue;
      if ((s = prepare_qmat(node, &c->w_in[g], c->n_cell, n_input, c->asym,
                            "input weights")) ||
          (s = prepare_qmat(node, &c->w_rec[g], c->n_cell, c->n_output,
                            c->asym, "recurrent weights")))
        return s;
      if (c->w_aux[g].in >= 0 &&
          (s = prepare_qmat(node, &c->w_aux[g], c->n_cell, n_aux, c->asym,
                            "aux input weights")))
        return s;
    }
    if (c->proj.in >= 0 &&
        (s = prepare_qmat(node, &c->proj, c->n_output, c->n_cell, c->asym,
                          "projection weights")))
      return s;
  } else if (c->proj.in >= 0 &&
             node->inputs[c->proj.in]->type != PNN_TYPE_FLOAT32) {
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "input %d (projection weights): int8 with float32 "
                          "gate weights",
                          c->proj.in);
  }
  if (!pnn_activation_supported(act))
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "fused_activation_function %d not supported", act);
  if (!(cell_clip >= 0.f) || !(proj_clip >= 0.f))
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "cell_clip %g and proj_clip %g must be >= 0",
                          (double)cell_clip, (double)proj_clip);
  c->out_state = out_state;
  c->cell_state = cell_state;
  if ((s = check_state(node, out_state, (int64_t)n_batch * c->n_output,
                       "output state")) ||
      (s = check_state(node, cell_state, (int64_t)n_batch * c->n_cell,
                       "cell state")))
    return s;
  return PNN_OK;
}

static pnn_status lstm_pack_oom(pnn_node *node) {
  return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY,
                        "out of memory for packed LSTM weights");
}

/* The float weights mats[g] ([n_cell, k] each) of the active gates side
 * by side into w ([xcols, k], gate g from row xcol[g]). */
static void lstm_gather_gates(const pnn_node *node, const lstm_cell *c,
                              const rnn_mat *mats, size_t k, float *w) {
  for (int g = 0; g < 4; g++)
    if (c->xcol[g] >= 0)
      memcpy(w + (size_t)c->xcol[g] * k, node->inputs[mats[g].in]->data,
             sizeof(float) * (size_t)c->n_cell * k);
}

/* Float cell with constant input weights and biases: packs x W^T (+ bias,
 * none with layer norm) of every active gate for the GEMM. */
static pnn_status lstm_xgemm_prepare(pnn_node *node, lstm_cell *c) {
  c->xgemm = NULL;
  if (c->hybrid || c->n_input <= 0) return PNN_OK;
  int32_t cols = 0;
  for (int g = 0; g < 4; g++) {
    c->xcol[g] = -1;
    if (c->w_in[g].in < 0) continue;
    const pnn_tensor *w = node->inputs[c->w_in[g].in];
    if (!w->is_constant || (c->bias[g] >= 0 &&
                            !node->inputs[c->bias[g]]->is_constant))
      return PNN_OK;
    c->xcol[g] = cols;
    cols += c->n_cell;
  }
  const pnn_f32_gemm_config *cfg = pnn_f32_gemm_config_for(pnn_isa_active());
  const size_t n = (size_t)cols, k = (size_t)c->n_input;
  const size_t floats = pnn_f32_gemm_packed_floats(cfg, n, k);
  if (!floats) return PNN_OK;
  /* B = the gates' weights side by side ([cols, n_input], row = unit). */
  float *w = pnn_node_alloc_persistent(node, sizeof(float) * n * k);
  float *bias = pnn_node_alloc_persistent(node, sizeof(float) * n);
  if (!w || !bias) return lstm_pack_oom(node);
  lstm_gather_gates(node, c, c->w_in, k, w);
  for (int g = 0; g < 4; g++)
    if (c->xcol[g] >= 0 && !c->layer_norm)
      memcpy(bias + c->xcol[g], node->inputs[c->bias[g]]->data,
             sizeof(float) * (size_t)c->n_cell);
  c->xgemm = pnn_f32_gemm_plan_on_node(node, cfg, n, k, floats, w,
                                       c->layer_norm ? NULL : bias,
                                       PNN_ACT_NONE);
  if (!c->xgemm) return lstm_pack_oom(node);
  c->xcols = cols;
  /* The recurrent weights, when constant, the same way (no bias). */
  c->rgemm = NULL;
  for (int g = 0; g < 4; g++)
    if (c->w_rec[g].in >= 0 && !node->inputs[c->w_rec[g].in]->is_constant)
      return PNN_OK;
  const size_t kr = (size_t)c->n_output;
  const size_t rfloats = pnn_f32_gemm_packed_floats(cfg, n, kr);
  if (!rfloats) return PNN_OK;
  float *wr = pnn_node_alloc_persistent(node, sizeof(float) * n * kr);
  if (!wr) return lstm_pack_oom(node);
  lstm_gather_gates(node, c, c->w_rec, kr, wr);
  c->rgemm = pnn_f32_gemm_plan_on_node(node, cfg, n, kr, rfloats, wr, NULL,
                                       PNN_ACT_NONE);
  if (!c->rgemm) return lstm_pack_oom(node);
  return PNN_OK;
}

/* Scratch for one direction: the step's, then the GEMM's input products
 * for the whole sequence. */
static pnn_status lstm_scratch_total(pnn_node *node, const lstm_cell *c,
                                     const rnn_seq *s, size_t *bytes) {
  size_t b = lstm_scratch_bytes(c);
  if (c->xgemm) {
    const double pre = ((double)s->n_time + (c->rgemm ? 1 : 0)) * s->n_batch *
                       c->xcols * sizeof(float);
    if (pre > (double)SIZE_MAX / 2)
      return pnn_node_error(node, PNN_ERROR_LIMIT,
                            "%g bytes of LSTM input products", pre);
    b += (size_t)pre;
  }
  *bytes = b;
  return PNN_OK;
}

/* Input sequence: rank 3 ([time, batch, n] or [batch, time, n]), or rank
 * 2 [batch, n] for the one-step LSTM / RNN ops. */
static pnn_status prepare_sequence(pnn_node *node, int input, bool one_step,
                                   bool time_major, rnn_seq *s) {
  pnn_tensor *in;
  pnn_status st = pnn_require_input(node, input, &in);
  if (!st) st = pnn_check_type(node, in, input, PNN_TYPE_FLOAT32);
  if (st) return st;
  const int want = one_step ? 2 : 3;
  if (in->rank != want)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input %d (%s): expected rank %d, got %d", input,
                          in->name, want, (int)in->rank);
  s->time_major = time_major;
  s->input = input;
  s->aux_input = -1;
  if (one_step) {
    s->n_time = 1;
    s->n_batch = in->dims[0];
    s->time_major = true;
  } else {
    s->n_time = time_major ? in->dims[0] : in->dims[1];
    s->n_batch = time_major ? in->dims[1] : in->dims[0];
  }
  return PNN_OK;
}

/* Output shape: the input's with the last dimension = n. */
static pnn_status resize_seq_output(pnn_node *node, int out, int input,
                                    int32_t n) {
  const pnn_tensor *in = node->inputs[input];
  int32_t dims[PNN_MAX_RANK];
  memcpy(dims, in->dims, sizeof(int32_t) * (size_t)in->rank);
  dims[in->rank - 1] = n;
  return pnn_node_resize_output(node, out, PNN_TYPE_FLOAT32, dims, in->rank);
}

/* The work bound (max_op_work) of one LSTM cell over the sequence: per
 * step and batch row, four gates of n_cell x (n_input + n_aux + n_output)
 * MACs and the projection's n_output x n_cell. */
static pnn_status lstm_check_work(pnn_node *node, const rnn_seq *seq,
                                  const lstm_cell *c) {
  const int64_t per_row =
      pnn_work_mul(4 * (int64_t)c->n_cell,
                   (int64_t)c->n_input + c->n_aux + c->n_output) +
      pnn_work_mul(c->n_cell, c->n_output);
  return pnn_node_check_work(node, "time steps x batch x gate weights",
                             seq->n_time, seq->n_batch, per_row);
}

/* ------------------------------------------------ UNIDIRECTIONAL / LSTM */

typedef struct lstm_state {
  lstm_cell cell;
  rnn_seq seq;
} lstm_state;

static pnn_status uni_lstm_prepare(pnn_node *node) {
  const bool one_step = node->builtin == PNN_OP_LSTM;
  pnn_status s = pnn_check_io(node, 20, 24, 1);
  if (s) return s;
  int act;
  float cell_clip, proj_clip;
  bool time_major = false, asym;
  if (one_step) {
    const pnn_lstm_options *o = PNN_OPTS(node, lstm);
    if (o->kernel_type != 0)
      return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                            "kernel_type %d (BASIC) not supported (only FULL)",
                            (int)o->kernel_type);
    act = o->fused_activation_function;
    cell_clip = o->cell_clip;
    proj_clip = o->proj_clip;
    asym = o->asymmetric_quantize_inputs;
  } else {
    const pnn_unidirectional_sequence_lstm_options *o =
        PNN_OPTS(node, unidirectional_sequence_lstm);
    act = o->fused_activation_function;
    cell_clip = o->cell_clip;
    proj_clip = o->proj_clip;
    time_major = o->time_major;
    asym = o->asymmetric_quantize_inputs;
    if (o->diagonal_recurrent_tensors)
      return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                            "diagonal_recurrent_tensors not supported");
  }
  lstm_state *st = pnn_node_alloc_persistent(node, sizeof(*st));
  if (!st)
    return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY, "no memory for state");
  if ((s = prepare_sequence(node, 0, one_step, time_major, &st->seq))) return s;
  const pnn_tensor *in = node->inputs[0];
  static const int w[17] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
                            12, 13, 14, 15, 16, 17};
  static const int ln[4] = {20, 21, 22, 23};
  if ((s = lstm_cell_prepare(node, &st->cell, w, node->n_inputs > 20 ? ln : NULL,
                             NULL, 18, 19, in->dims[in->rank - 1], 0,
                             st->seq.n_batch, act, cell_clip, proj_clip, asym,
                             true)) ||
      (s = lstm_check_work(node, &st->seq, &st->cell)))
    return s;
  node->state = st;
  size_t bytes = 0;
  if ((s = lstm_xgemm_prepare(node, &st->cell)) ||
      (s = lstm_scratch_total(node, &st->cell, &st->seq, &bytes)) ||
      (s = pnn_node_request_scratch(node, bytes)))
    return s;
  return resize_seq_output(node, 0, 0, st->cell.n_output);
}

static pnn_status uni_lstm_eval(pnn_node *node) {
  const lstm_state *st = node->state;
  if (st->seq.n_time <= 0 || st->seq.n_batch <= 0) return PNN_OK;
  lstm_run(node, &st->cell, &st->seq, false, node->outputs[0]->data,
           st->cell.n_output, 0, node->scratch);
  return PNN_OK;
}

/* ------------------------------------------------ BIDIRECTIONAL_SEQUENCE_LSTM
 * Inputs: 0 input; 1-17 forward weights (as 1-17 above); 18-34 backward
 * weights; 35, 36 forward output/cell state; 37, 38 backward states; 39 aux
 * input; 40-43 forward aux weights; 44-47 backward aux weights. Outputs:
 * forward [.., .., fw_out] and backward, or one merged [.., .., fw + bw]. */

typedef struct bilstm_state {
  lstm_cell fw, bw;
  rnn_seq seq;
  bool merge;
  size_t bw_scratch_off;
} bilstm_state;

static pnn_status bi_lstm_prepare(pnn_node *node) {
  const pnn_bidirectional_sequence_lstm_options *o =
      PNN_OPTS(node, bidirectional_sequence_lstm);
  pnn_status s = pnn_check_io(node, 48, 48, o->merge_outputs ? 1 : 2);
  if (s) return s;
  bilstm_state *st = pnn_node_alloc_persistent(node, sizeof(*st));
  if (!st)
    return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY, "no memory for state");
  st->merge = o->merge_outputs;
  if ((s = prepare_sequence(node, 0, false, o->time_major, &st->seq))) return s;
  const pnn_tensor *in = node->inputs[0];
  const int32_t n_input = in->dims[2];
  /* Aux input: only as LiteRT's "cross-linking" with aux weights. */
  const bool aux = present(node, 39);
  int32_t n_aux = 0;
  if (aux) {
    const pnn_tensor *a = node->inputs[39];
    if ((s = pnn_check_type(node, a, 39, PNN_TYPE_FLOAT32))) return s;
    if (a->rank != 3 || a->dims[0] != in->dims[0] || a->dims[1] != in->dims[1])
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "input 39 (%s, aux input): must be 3-D with the "
                            "input's first two dimensions",
                            a->name);
    n_aux = a->dims[2];
    if (!present(node, 41))
      return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                            "an aux input without aux weights (input 41 "
                            "absent) is not supported");
    st->seq.aux_input = 39;
  } else {
    for (int i = 40; i < 48; i++)
      if (present(node, i))
        return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                              "input %d (aux weights) without an aux input "
                              "(input 39)",
                              i);
  }
  static const int fw[17] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
                             12, 13, 14, 15, 16, 17};
  static const int bw[17] = {18, 19, 20, 21, 22, 23, 24, 25, 26,
                             27, 28, 29, 30, 31, 32, 33, 34};
  static const int fw_aux[4] = {40, 41, 42, 43}, bw_aux[4] = {44, 45, 46, 47};
  const int act = o->fused_activation_function;
  if ((s = lstm_cell_prepare(node, &st->fw, fw, NULL, aux ? fw_aux : NULL, 35,
                             36, n_input, n_aux, st->seq.n_batch, act,
                             o->cell_clip, o->proj_clip,
                             o->asymmetric_quantize_inputs, true)) ||
      (s = lstm_cell_prepare(node, &st->bw, bw, NULL, aux ? bw_aux : NULL, 37,
                             38, n_input, n_aux, st->seq.n_batch, act,
                             o->cell_clip, o->proj_clip,
                             o->asymmetric_quantize_inputs, true)) ||
      (s = lstm_check_work(node, &st->seq, &st->fw)) ||
      (s = lstm_check_work(node, &st->seq, &st->bw)))
    return s;
  node->state = st;
  size_t a = 0, b = 0;
  if ((s = lstm_xgemm_prepare(node, &st->fw)) ||
      (s = lstm_xgemm_prepare(node, &st->bw)) ||
      (s = lstm_scratch_total(node, &st->fw, &st->seq, &a)) ||
      (s = lstm_scratch_total(node, &st->bw, &st->seq, &b)) ||
      (s = pnn_node_request_scratch(node, a > b ? a : b)))
    return s;
  if (st->merge)
    return resize_seq_output(node, 0, 0, st->fw.n_output + st->bw.n_output);
  if ((s = resize_seq_output(node, 0, 0, st->fw.n_output))) return s;
  return resize_seq_output(node, 1, 0, st->bw.n_output);
}

static pnn_status bi_lstm_eval(pnn_node *node) {
  const bilstm_state *st = node->state;
  if (st->seq.n_time <= 0 || st->seq.n_batch <= 0) return PNN_OK;
  if (st->merge) {
    const int32_t ld = st->fw.n_output + st->bw.n_output;
    float *out = node->outputs[0]->data;
    lstm_run(node, &st->fw, &st->seq, false, out, ld, 0, node->scratch);
    lstm_run(node, &st->bw, &st->seq, true, out, ld, st->fw.n_output,
             node->scratch);
  } else {
    lstm_run(node, &st->fw, &st->seq, false, node->outputs[0]->data,
             st->fw.n_output, 0, node->scratch);
    lstm_run(node, &st->bw, &st->seq, true, node->outputs[1]->data,
             st->bw.n_output, 0, node->scratch);
  }
  return PNN_OK;
}

/* ------------------------------------------------ UNIDIRECTIONAL_SEQUENCE_RNN
 * Inputs: 0 input, 1 input weights [units, n_input], 2 recurrent weights
 * [units, units], 3 bias [units], 4 hidden state (variable) [batch,
 * units]. h = act(b + W x + R h) (TFLite's RnnBatchStep order); hybrid as
 * the LSTM. RNN is the one-step form ([batch, n_input] input).
 * BIDIRECTIONAL_SEQUENCE_RNN: 1-4 forward, 5-8 backward (weights,
 * recurrent weights, bias, hidden state), 9-11 aux input and weights;
 * outputs forward and backward, or one merged [.., .., fw + bw]. */

typedef struct rnn_cell {
  int32_t units;
  rnn_mat w, r;
  int bias, state; /* node inputs */
} rnn_cell;

typedef struct rnn_state {
  rnn_seq seq;
  int32_t n_input;
  int act;
  bool hybrid, asym, merge;
  int n_cells; /* 1, or 2 for BIDIRECTIONAL_SEQUENCE_RNN */
  rnn_cell cell[2];
} rnn_state;

/* Checks one direction whose inputs are base .. base + 3. */
static pnn_status rnn_cell_prepare(pnn_node *node, rnn_state *st, int base,
                                   rnn_cell *c) {
  pnn_status s;
  pnn_tensor *w;
  if ((s = pnn_require_input(node, base, &w))) return s;
  if (w->rank != 2)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input %d (%s, input weights): must be 2-D", base,
                          w->name);
  c->units = w->dims[0];
  if (c->units <= 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input %d (%s, input weights): %d units", base,
                          w->name, (int)c->units);
  if (base == 1) st->hybrid = w->type == PNN_TYPE_INT8;
  if ((w->type == PNN_TYPE_INT8) != st->hybrid)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "input %d (%s): %s weights with %s forward weights",
                          base, w->name, pnn_type_name(w->type),
                          st->hybrid ? "int8" : "float32");
  if ((s = check_tensor(node, base, true, 2, c->units, st->n_input, true,
                        "input weights")) ||
      (s = check_tensor(node, base + 1, true, 2, c->units, c->units, true,
                        "recurrent weights")) ||
      (s = check_tensor(node, base + 2, true, 1, c->units, 0, false,
                        "bias")) ||
      (s = check_state(node, base + 3, (int64_t)st->seq.n_batch * c->units,
                       "hidden state")))
    return s;
  if (node->inputs[base + 1]->type != w->type)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "input %d (recurrent weights): %s with %s input "
                          "weights",
                          base + 1,
                          pnn_type_name(node->inputs[base + 1]->type),
                          pnn_type_name(w->type));
  c->w.in = base;
  c->r.in = base + 1;
  c->bias = base + 2;
  c->state = base + 3;
  if (st->hybrid &&
      ((s = prepare_qmat(node, &c->w, c->units, st->n_input, st->asym,
                         "input weights")) ||
       (s = prepare_qmat(node, &c->r, c->units, c->units, st->asym,
                         "recurrent weights"))))
    return s;
  return PNN_OK;
}

static pnn_status rnn_prepare(pnn_node *node) {
  const bool one_step = node->builtin == PNN_OP_RNN;
  const bool bidi = node->builtin == PNN_OP_BIDIRECTIONAL_SEQUENCE_RNN;
  pnn_status s;
  int act;
  bool time_major = false, asym, merge = false;
  if (one_step) {
    const pnn_rnn_options *o = PNN_OPTS(node, rnn);
    act = o->fused_activation_function;
    asym = o->asymmetric_quantize_inputs;
  } else if (bidi) {
    const pnn_bidirectional_sequence_rnn_options *o =
        PNN_OPTS(node, bidirectional_sequence_rnn);
    act = o->fused_activation_function;
    time_major = o->time_major;
    asym = o->asymmetric_quantize_inputs;
    merge = o->merge_outputs;
  } else {
    const pnn_sequence_rnn_options *o = PNN_OPTS(node, sequence_rnn);
    act = o->fused_activation_function;
    time_major = o->time_major;
    asym = o->asymmetric_quantize_inputs;
  }
  if ((s = bidi ? pnn_check_io(node, 9, 12, merge ? 1 : 2)
                : pnn_check_io(node, 5, 5, 1)))
    return s;
  if (!pnn_activation_supported(act))
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "fused_activation_function %d not supported", act);
  if (bidi)
    for (int i = 9; i < node->n_inputs; i++)
      if (present(node, i))
        return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                              "input %d (aux input or aux weights) not "
                              "supported",
                              i);
  rnn_state *st = pnn_node_alloc_persistent(node, sizeof(*st));
  if (!st)
    return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY, "no memory for state");
  if ((s = prepare_sequence(node, 0, one_step, time_major, &st->seq))) return s;
  const pnn_tensor *in = node->inputs[0];
  st->n_input = in->dims[in->rank - 1];
  st->act = act;
  st->merge = merge;
  st->n_cells = bidi ? 2 : 1;
  /* The forward weights decide hybrid; the backward ones must agree. */
  st->hybrid = false;
  st->asym = asym;
  for (int d = 0; d < st->n_cells; d++) {
    if ((s = rnn_cell_prepare(node, st, 1 + 4 * d, &st->cell[d]))) return s;
    /* max_op_work: units x (n_input + units) MACs per step and row. */
    const int64_t u = st->cell[d].units;
    if ((s = pnn_node_check_work(node, "time steps x batch x RNN weights",
                                 st->seq.n_time, st->seq.n_batch,
                                 pnn_work_mul(u, (int64_t)st->n_input + u))))
      return s;
  }
  st->asym = st->hybrid && asym;
  node->state = st;
  int32_t m = st->n_input;
  for (int d = 0; d < st->n_cells; d++)
    if (st->cell[d].units > m) m = st->cell[d].units;
  if ((s = pnn_node_request_scratch(node, (size_t)m + 64))) return s;
  if (!bidi) return resize_seq_output(node, 0, 0, st->cell[0].units);
  if (merge)
    return resize_seq_output(node, 0, 0,
                             st->cell[0].units + st->cell[1].units);
  if ((s = resize_seq_output(node, 0, 0, st->cell[0].units))) return s;
  return resize_seq_output(node, 1, 0, st->cell[1].units);
}

/* One direction over the sequence; output row (t, b) at out + row * ld +
 * off. */
static void rnn_run(pnn_node *node, const rnn_state *st, const rnn_cell *c,
                    bool backward, float *out, int32_t ld, int32_t off) {
  const rnn_seq *q = &st->seq;
  const float *x = node->inputs[0]->data, *bias = node->inputs[c->bias]->data;
  float *hs = node->inputs[c->state]->data;
  const int32_t u = c->units;
  int8_t *qbuf = node->scratch;
  for (int32_t b = 0; b < q->n_batch; b++) {
    float *h = hs + (int64_t)b * u;
    for (int32_t i = 0; i < q->n_time; i++) {
      const int32_t t = backward ? q->n_time - 1 - i : i;
      const int64_t row = q->time_major ? (int64_t)t * q->n_batch + b
                                        : (int64_t)b * q->n_time + t;
      const float *xr = x + row * st->n_input;
      float *o = out + row * ld + off;
      memcpy(o, bias, sizeof(float) * (size_t)u);
      if (st->hybrid) {
        qrow qx = quantize_row(xr, st->n_input, st->asym, qbuf);
        if (!qx.zero) matvec_s8(&c->w, u, st->n_input, &qx, o);
        qrow qh = quantize_row(h, u, st->asym, qbuf);
        if (!qh.zero) matvec_s8(&c->r, u, u, &qh, o);
      } else {
        matvec_f32(node->inputs[c->w.in]->data, u, st->n_input, xr, o);
        matvec_f32(node->inputs[c->r.in]->data, u, u, h, o);
      }
      for (int32_t k = 0; k < u; k++) o[k] = pnn_apply_activation(st->act, o[k]);
      memcpy(h, o, sizeof(float) * (size_t)u);
    }
  }
}

static pnn_status rnn_eval(pnn_node *node) {
  const rnn_state *st = node->state;
  if (st->n_cells == 1) {
    rnn_run(node, st, &st->cell[0], false, node->outputs[0]->data,
            st->cell[0].units, 0);
  } else if (st->merge) {
    const int32_t ld = st->cell[0].units + st->cell[1].units;
    rnn_run(node, st, &st->cell[0], false, node->outputs[0]->data, ld, 0);
    rnn_run(node, st, &st->cell[1], true, node->outputs[0]->data, ld,
            st->cell[0].units);
  } else {
    rnn_run(node, st, &st->cell[0], false, node->outputs[0]->data,
            st->cell[0].units, 0);
    rnn_run(node, st, &st->cell[1], true, node->outputs[1]->data,
            st->cell[1].units, 0);
  }
  return PNN_OK;
}

static const pnn_op_kernel uni_lstm_kernel = {uni_lstm_prepare, uni_lstm_eval};
static const pnn_op_kernel bi_lstm_kernel = {bi_lstm_prepare, bi_lstm_eval};
static const pnn_op_kernel rnn_kernel = {rnn_prepare, rnn_eval};

const pnn_op_entry pnn_ops_recurrent[] = {
    {PNN_OP_UNIDIRECTIONAL_SEQUENCE_LSTM, &uni_lstm_kernel},
    {PNN_OP_LSTM, &uni_lstm_kernel},
    {PNN_OP_BIDIRECTIONAL_SEQUENCE_LSTM, &bi_lstm_kernel},
    {PNN_OP_UNIDIRECTIONAL_SEQUENCE_RNN, &rnn_kernel},
    {PNN_OP_RNN, &rnn_kernel},
    {PNN_OP_BIDIRECTIONAL_SEQUENCE_RNN, &rnn_kernel},
    {-1, NULL},
};
