/* Prepare-time fusions (see runtime.h, ops/fuse.h).
 *
 * PAD -> CONV_2D / DEPTHWISE_CONV_2D: a float PAD (or PADV2 with a zero
 * constant) that only pads H and W and whose output feeds exactly one op,
 * a float convolution on its packed/SIMD path, as that op's input 0. The
 * convolution then reads the PAD's input with its own leading padding
 * grown by the PAD's (its kernels read zeros outside the input, the values
 * the PAD would have written), and the PAD is skipped at invoke: one pass
 * over the activations less. The PAD's output stays planned (the API can
 * still look it up) but is no longer written; the PAD's input lives until
 * the convolution.
 *
 * None of this is done when a node hook (calibration) is set at prepare:
 * the hook must see every op write its own output.
 *
 * LOGISTIC + MUL (swish / SiLU, e.g. every EfficientNet activation):
 * s = LOGISTIC(x) read only by y = MUL(x, s) (either order, no fused
 * activation, no broadcast): the LOGISTIC writes x * logistic(x) into y
 * in one pass and the MUL is skipped; y is planned from the LOGISTIC on.
 * Bit-exact: the swish kernel is the same logistic times x.
 *
 * CONV_2D / DEPTHWISE_CONV_2D -> HARD_SWISH or LOGISTIC (or the swish
 * above): a float convolution without fused activation whose output only
 * that activation reads; the convolution runs the activation's vector
 * kernel over each output block while it is still in cache and writes the
 * activation's output; the activation is skipped. Bit-exact (the same
 * kernel on the same values). */
#include <string.h>

#include "ops/fuse.h"
#include "runtime/runtime.h"

/* Leading H/W padding of PAD node `p` into top/left; false if it pads
 * other dims, is negative, or is not a zero float pad of a 4-D input. */
static bool pad_hw(const pnn_node *p, int32_t *top, int32_t *left) {
  if ((p->builtin != PNN_OP_PAD && p->builtin != PNN_OP_PADV2) ||
      p->n_inputs < 2 || p->n_outputs != 1 || !p->inputs[0] ||
      !p->inputs[1] || !p->outputs[0])
    return false;
  const pnn_tensor *in = p->inputs[0], *pads = p->inputs[1];
  if (in->type != PNN_TYPE_FLOAT32 || in->rank != 4 ||
      p->outputs[0]->type != PNN_TYPE_FLOAT32 || !pads->is_constant ||
      !pads->data || pads->rank != 2 || pads->dims[0] != 4 ||
      pads->dims[1] != 2)
    return false;
  if (p->builtin == PNN_OP_PADV2 && p->n_inputs > 2 && p->inputs[2]) {
    const pnn_tensor *cv = p->inputs[2];
    float v;
    if (cv->type != PNN_TYPE_FLOAT32 || !cv->is_constant || !cv->data ||
        cv->bytes != sizeof v)
      return false;
    memcpy(&v, cv->data, sizeof v);
    if (v != 0.f) return false;
  }
  int64_t v[8];
  for (int k = 0; k < 8; k++) {
    if (pads->type == PNN_TYPE_INT32) {
      int32_t x;
      memcpy(&x, (const char *)pads->data + 4 * k, 4);
      v[k] = x;
    } else if (pads->type == PNN_TYPE_INT64) {
      int64_t x;
      memcpy(&x, (const char *)pads->data + 8 * k, 8);
      v[k] = x;
    } else {
      return false;
    }
    if (v[k] < 0 || v[k] > INT32_MAX / 4) return false;
  }
  if (v[0] || v[1] || v[6] || v[7]) return false; /* batch, channels */
  const pnn_tensor *out = p->outputs[0];
  for (int d = 0; d < 4; d++)
    if ((int64_t)in->dims[d] + v[2 * d] + v[2 * d + 1] != out->dims[d])
      return false;
  *top = (int32_t)v[2];
  *left = (int32_t)v[4];
  return true;
}

/* The only reader of tensor t: its node index, or -1 if none or several
 * (*slot: which input of it). */
static int32_t only_reader(const struct pnn_ctx *c, const pnn_tensor *t,
                           int *slot) {
  int32_t reader = -1;
  int reads = 0;
  for (int32_t j = 0; j < c->n_nodes && reads < 2; j++)
    for (int k = 0; k < c->nodes[j].n_inputs; k++)
      if (c->nodes[j].inputs[k] == t) {
        reads++;
        reader = j;
        *slot = k;
      }
  return reads == 1 ? reader : -1;
}

static void fuse_swish(struct pnn_ctx *c, int32_t i) {
  pnn_node *l = &c->nodes[i];
  if (l->builtin != PNN_OP_LOGISTIC || l->n_inputs != 1 || l->n_outputs != 1 ||
      !l->inputs[0] || !l->outputs[0] ||
      l->inputs[0]->type != PNN_TYPE_FLOAT32)
    return;
  pnn_rt_tensor *s = (pnn_rt_tensor *)l->outputs[0];
  if (s->ctx != c || s->is_output || s->is_input || s->producer != i ||
      s->t.kind != PNN_TENSOR_ARENA || (s->t.def && s->t.def->is_variable))
    return;
  int slot = -1;
  const int32_t m = only_reader(c, &s->t, &slot);
  if (m <= i || (slot != 0 && slot != 1) || c->rt_nodes[m].folded || c->rt_nodes[m].elided ||
      c->rt_nodes[m].custom)
    return;
  pnn_node *mul = &c->nodes[m];
  if (mul->builtin != PNN_OP_MUL || mul->n_inputs != 2 || mul->n_outputs != 1 ||
      !mul->outputs[0] || mul->inputs[1 - slot] != l->inputs[0] ||
      !mul->options || mul->options->mul.fused_activation_function != 0)
    return;
  pnn_rt_tensor *y = (pnn_rt_tensor *)mul->outputs[0];
  if (y->ctx != c || y->is_input || y->producer != m ||
      y->t.kind != PNN_TENSOR_ARENA || (y->t.def && y->t.def->is_variable))
    return;
  if (!pnn_act_absorb_mul(l, &y->t)) return;
  c->rt_nodes[m].elided = true;
  y->producer = i; /* written by the LOGISTIC now: live from there */
}

/* Conv node i followed by an activation only it feeds. */
static void fuse_conv_act(struct pnn_ctx *c, int32_t i) {
  pnn_node *conv = &c->nodes[i];
  if ((conv->builtin != PNN_OP_CONV_2D &&
       conv->builtin != PNN_OP_DEPTHWISE_CONV_2D) ||
      conv->n_outputs != 1 || !conv->outputs[0])
    return;
  pnn_rt_tensor *t = (pnn_rt_tensor *)conv->outputs[0];
  if (t->ctx != c || t->is_output || t->is_input || t->producer != i ||
      t->t.kind != PNN_TENSOR_ARENA || (t->t.def && t->t.def->is_variable))
    return;
  /* Its one reader that still runs (an absorbed MUL also reads t). */
  int32_t a = -1;
  int reads = 0;
  for (int32_t j = 0; j < c->n_nodes && reads < 2; j++) {
    if (c->rt_nodes[j].elided) continue;
    for (int k = 0; k < c->nodes[j].n_inputs; k++)
      if (c->nodes[j].inputs[k] == &t->t) {
        reads++;
        a = j;
        if (k != 0) reads = 2;
      }
  }
  if (reads != 1 || a <= i || c->rt_nodes[a].folded || c->rt_nodes[a].custom)
    return;
  pnn_tensor *yt = NULL;
  pnn_isa isa = PNN_ISA_SCALAR;
  const int post = pnn_act_post_kind(&c->nodes[a], &yt, &isa);
  if (!post || !yt) return;
  pnn_rt_tensor *y = (pnn_rt_tensor *)yt;
  if (y->ctx != c || y->is_input || y->producer != a ||
      y->t.kind != PNN_TENSOR_ARENA || (y->t.def && y->t.def->is_variable))
    return;
  if (!pnn_conv_absorb_act(conv, post, isa, &y->t)) return;
  c->rt_nodes[a].elided = true;
  y->producer = i; /* written by the convolution now: live from there */
}

pnn_status pnn_rt_fuse(struct pnn_ctx *c) {
  if (c->interp->node_hook) return PNN_OK;
  for (int32_t i = 0; i < c->n_nodes; i++)
    if (!c->rt_nodes[i].folded && !c->rt_nodes[i].custom)
      fuse_swish(c, i);
  for (int32_t i = 0; i < c->n_nodes; i++)
    if (!c->rt_nodes[i].folded && !c->rt_nodes[i].custom &&
        !c->rt_nodes[i].elided)
      fuse_conv_act(c, i);
  for (int32_t i = 0; i < c->n_nodes; i++) {
    pnn_node *p = &c->nodes[i];
    pnn_rt_node *rp = &c->rt_nodes[i];
    int32_t top, left;
    if (rp->folded || rp->elided || rp->custom || !pad_hw(p, &top, &left))
      continue;
    pnn_rt_tensor *x = (pnn_rt_tensor *)p->inputs[0];
    pnn_rt_tensor *t = (pnn_rt_tensor *)p->outputs[0];
    if (x->ctx != c || t->ctx != c || t->is_output || t->is_input ||
        t->t.kind != PNN_TENSOR_ARENA || x->t.kind != PNN_TENSOR_ARENA ||
        x->t.is_constant || (x->t.def && x->t.def->is_variable) ||
        (t->t.def && t->t.def->is_variable) || t->producer != i)
      continue;
    /* Exactly one reader of t, after the PAD, reading it as input 0. */
    int32_t reader = -1;
    int reads = 0;
    for (int32_t j = 0; j < c->n_nodes && reads < 2; j++)
      for (int k = 0; k < c->nodes[j].n_inputs; k++)
        if (c->nodes[j].inputs[k] == &t->t) {
          reads++;
          reader = j;
          if (k != 0) reads = 2;
        }
    if (reads != 1 || reader <= i || c->rt_nodes[reader].folded ||
        c->rt_nodes[reader].custom)
      continue;
    pnn_node *conv = &c->nodes[reader];
    if (!pnn_conv_absorb_pad(conv, &x->t, top, left)) continue;
    rp->elided = true;
    if (x->last_use < reader) x->last_use = reader;
  }
  return PNN_OK;
}
