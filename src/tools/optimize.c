/* `pocketnn optimize`: graph passes over a mutable copy of the model
 * (graph_edit.h), written back with the format/ writer.
 *
 *   prune  ops no subgraph output depends on, then unreferenced tensors,
 *          buffers and opcodes; identical constant buffers are shared.
 *   fold   ops whose inputs are all constants, evaluated by pocketnn's own
 *          kernels through a one-op model (model builder + interpreter).
 *   fuse   batch-norm style MUL/ADD/SUB after CONV_2D, DEPTHWISE_CONV_2D
 *          and FULLY_CONNECTED into weights and bias; RELU/RELU6/
 *          RELU_N1_TO_1 into the producer's fused activation; PAD into a
 *          following VALID conv when it equals SAME; identity RESHAPE/
 *          SQUEEZE/CAST and RESHAPE chains.
 *
 * Every rewrite here is exact in float arithmetic except the batch-norm
 * fold, which reassociates (w * s) x instead of (w x) * s: within float
 * rounding. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/model_builder.h"
#include "tools/tools.h"
#include "util/error.h"

static const char *op_name(const pnn_ge_graph *g, const pnn_op_def *op) {
  int32_t code = pnn_ge_op_code(g, op);
  if (code < 0) {
    const char *c = g->opcodes[op->opcode_index].custom_code;
    return c ? c : "CUSTOM";
  }
  const char *n = pnn_builtin_name(code);
  return n ? n : "?";
}

void pnn_optimize_options_init(pnn_optimize_options *o) {
  memset(o, 0, sizeof *o);
  o->passes = PNN_PASS_ALL;
}

/* ---------------------------------------------------------------- prune */

static bool has_side_effects(const pnn_ge_graph *g, const pnn_ge_subgraph *sg,
                             const pnn_op_def *op) {
  int32_t code = pnn_ge_op_code(g, op);
  if (op->outputs.count == 0 || code == PNN_OP_ASSIGN_VARIABLE ||
      code == PNN_OP_CALL_ONCE || code == PNN_OP_VAR_HANDLE ||
      code == PNN_OP_READ_VARIABLE)
    return true;
  for (int32_t k = 0; k < op->inputs.count; k++) {
    int32_t t = op->inputs.data[k];
    if (t >= 0 && sg->tensors[t].is_variable) return true;
  }
  return false;
}

/* Removes ops of subgraph sgi that no output depends on. */
static int prune_ops(pnn_ge_graph *g, int32_t sgi, pnn_tool_report *r) {
  pnn_ge_subgraph *sg = &g->subgraphs[sgi];
  bool *live = calloc((size_t)sg->n_tensors + 1, 1);
  if (!live) return -1;
  for (int32_t i = 0; i < sg->n_outputs; i++)
    if (sg->outputs[i] >= 0) live[sg->outputs[i]] = true;
  for (int32_t i = 0; i < g->n_sigs; i++)
    if ((int32_t)g->sigs[i].subgraph_index == sgi)
      for (int32_t k = 0; k < g->sigs[i].n_outputs; k++)
        live[g->sigs[i].outputs[k].tensor_index] = true;
  int removed = 0;
  for (int32_t i = sg->n_ops - 1; i >= 0; i--) {
    const pnn_op_def *op = &sg->ops[i];
    bool keep = has_side_effects(g, sg, op);
    for (int32_t k = 0; k < op->outputs.count && !keep; k++)
      if (op->outputs.data[k] >= 0 && live[op->outputs.data[k]]) keep = true;
    if (!keep) {
      pnn_report_add(r,
                     "prune: removed %s (op %d of subgraph %d): no output "
                     "depends on it",
                     op_name(g, op), i, sgi);
      pnn_ge_remove_op(sg, i);
      removed++;
      continue;
    }
    for (int32_t k = 0; k < op->inputs.count; k++)
      if (op->inputs.data[k] >= 0) live[op->inputs.data[k]] = true;
  }
  free(live);
  return removed;
}

static uint64_t hash_bytes(const uint8_t *p, uint64_t n) {
  uint64_t h = 1469598103934665603ull;
  for (uint64_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ull;
  return h ^ n;
}

/* Points tensors at one copy of identical constant buffers. Buffers of
 * variable tensors (initial values, written at run time) are not shared. */
static int dedupe_buffers(pnn_ge_graph *g, pnn_tool_report *r) {
  int32_t n = g->n_buffers;
  uint64_t *h = calloc((size_t)n + 1, sizeof *h);
  int32_t *canon = calloc((size_t)n + 1, sizeof *canon);
  bool *shareable = calloc((size_t)n + 1, 1);
  if (!h || !canon || !shareable) {
    free(h);
    free(canon);
    free(shareable);
    return -1;
  }
  for (int32_t s = 0; s < g->n_subgraphs; s++)
    for (int32_t t = 0; t < g->subgraphs[s].n_tensors; t++) {
      const pnn_tensor_def *td = &g->subgraphs[s].tensors[t];
      if (td->buffer > 0 && (int64_t)td->buffer < n)
        shareable[td->buffer] = true;
    }
  for (int32_t s = 0; s < g->n_subgraphs; s++)
    for (int32_t t = 0; t < g->subgraphs[s].n_tensors; t++) {
      const pnn_tensor_def *td = &g->subgraphs[s].tensors[t];
      if (td->is_variable && (int64_t)td->buffer < n)
        shareable[td->buffer] = false;
    }
  for (int32_t i = 0; i < g->n_metadata; i++)
    if ((int64_t)g->metadata[i].buffer < n)
      shareable[g->metadata[i].buffer] = false;
  int merged = 0;
  for (int32_t b = 0; b < n; b++) {
    canon[b] = b;
    const pnn_buffer_def *bd = &g->buffers[b];
    if (!shareable[b] || !bd->size || !bd->data) continue;
    h[b] = hash_bytes(bd->data, bd->size);
    for (int32_t c = 1; c < b; c++) {
      const pnn_buffer_def *cd = &g->buffers[c];
      if (canon[c] != c || !shareable[c] || h[c] != h[b] ||
          cd->size != bd->size || memcmp(cd->data, bd->data, bd->size))
        continue;
      canon[b] = c;
      merged++;
      pnn_report_add(r,
                     "prune: buffer %d (%llu bytes) is identical to buffer "
                     "%d; shared",
                     b, (unsigned long long)bd->size, c);
      break;
    }
  }
  for (int32_t s = 0; s < g->n_subgraphs; s++)
    for (int32_t t = 0; t < g->subgraphs[s].n_tensors; t++) {
      pnn_tensor_def *td = &g->subgraphs[s].tensors[t];
      if ((int64_t)td->buffer < n && !td->is_variable)
        td->buffer = (uint32_t)canon[td->buffer];
    }
  free(h);
  free(canon);
  free(shareable);
  return merged;
}

int pnn_pass_prune(pnn_ge_graph *g, pnn_tool_report *r, char *err,
                   size_t err_size) {
  int total = 0;
  for (int32_t s = 0; s < g->n_subgraphs; s++) {
    int n = prune_ops(g, s, r);
    if (n < 0) goto oom;
    total += n;
  }
  int d = dedupe_buffers(g, r);
  if (d < 0) goto oom;
  total += d;
  pnn_ge_compact_stats st;
  if (!pnn_ge_compact(g, &st)) goto oom;
  if (st.tensors || st.buffers || st.opcodes)
    pnn_report_add(r, "prune: removed %d tensors, %d buffers, %d opcodes",
                   st.tensors, st.buffers, st.opcodes);
  return total + st.tensors + st.buffers + st.opcodes;
oom:
  pnn_set_err(err, err_size, "prune: out of memory");
  return -1;
}

/* ----------------------------------------------------------------- fold */

/* Ops never folded: random, stateful, control flow, resources. */
static bool foldable_code(int32_t code) {
  switch (code) {
    case PNN_OP_RANDOM_STANDARD_NORMAL:
    case PNN_OP_RANDOM_UNIFORM:
    case PNN_OP_MULTINOMIAL:
    case PNN_OP_CALL_ONCE:
    case PNN_OP_IF:
    case PNN_OP_WHILE:
    case PNN_OP_CALL:
    case PNN_OP_VAR_HANDLE:
    case PNN_OP_READ_VARIABLE:
    case PNN_OP_ASSIGN_VARIABLE:
    case PNN_OP_HASHTABLE:
    case PNN_OP_HASHTABLE_FIND:
    case PNN_OP_HASHTABLE_IMPORT:
    case PNN_OP_HASHTABLE_SIZE:
    case PNN_OP_CUSTOM: return false;
    default: return code >= 0;
  }
}

/* Why op i cannot be folded, or NULL if it can. */
static const char *fold_blocker(const pnn_ge_graph *g, int32_t sgi,
                                const pnn_op_def *op,
                                const pnn_optimize_options *o,
                                uint64_t *in_bytes) {
  const pnn_ge_subgraph *sg = &g->subgraphs[sgi];
  int32_t code = pnn_ge_op_code(g, op);
  if (!foldable_code(code)) return "op kind";
  if (op->intermediates.count || op->options2_type) return "op kind";
  int n_const = 0;
  *in_bytes = 0;
  for (int32_t k = 0; k < op->inputs.count; k++) {
    int32_t t = op->inputs.data[k];
    if (t < 0) continue;
    const pnn_tensor_def *td = &sg->tensors[t];
    const pnn_buffer_def *b = pnn_ge_const(g, td);
    if (!b || td->is_variable || td->sparsity) return "input";
    if (pnn_type_size(td->type) == 0) return "input";
    if (code == PNN_OP_DEQUANTIZE &&
        (td->type != PNN_TYPE_FLOAT16 || o->keep_fp16))
      return "dequantize";
    *in_bytes += b->size;
    n_const++;
  }
  if (!n_const || !op->outputs.count) return "input";
  for (int32_t k = 0; k < op->outputs.count; k++) {
    int32_t t = op->outputs.data[k];
    if (t < 0 || pnn_ge_is_interface(g, sgi, t)) return "output";
    if (pnn_type_size(sg->tensors[t].type) == 0) return "output";
  }
  return NULL;
}

typedef struct fold_result {
  pnn_type type;
  int rank;
  int32_t dims[PNN_MAX_RANK];
  void *data;
  size_t size;
} fold_result;

static int mb_const(pnn_mb *mb, const pnn_ge_graph *g, const pnn_tensor_def *td,
                    bool with_data) {
  const pnn_buffer_def *b = with_data ? pnn_ge_const(g, td) : NULL;
  int t = pnn_mb_tensor(mb, td->name, td->type, td->rank, td->shape,
                        b ? b->data : NULL);
  if (t >= 0 && td->has_quant && td->quant.n_scale > 0)
    pnn_mb_tensor_quant(mb, t, td->quant.n_scale, td->quant.scale,
                        td->quant.n_zero_point == td->quant.n_scale
                            ? td->quant.zero_point
                            : NULL,
                        td->quant.quantized_dimension);
  return t;
}

/* Runs op alone on its constant inputs with pocketnn's kernels. */
static pnn_status fold_eval(const pnn_ge_graph *g, int32_t sgi,
                            const pnn_op_def *op, fold_result *res,
                            size_t max_bytes, char *why, size_t why_size) {
  const pnn_ge_subgraph *sg = &g->subgraphs[sgi];
  pnn_mb *mb = pnn_mb_new();
  if (!mb) return PNN_ERROR_OUT_OF_MEMORY;
  int32_t in[64], out[16];
  if (op->inputs.count > 64 || op->outputs.count > 16) {
    pnn_mb_free(mb);
    snprintf(why, why_size, "too many inputs or outputs");
    return PNN_ERROR_UNSUPPORTED;
  }
  for (int32_t k = 0; k < op->inputs.count; k++) {
    int32_t t = op->inputs.data[k];
    in[k] = t < 0 ? -1 : mb_const(mb, g, &sg->tensors[t], true);
  }
  for (int32_t k = 0; k < op->outputs.count; k++)
    out[k] = mb_const(mb, g, &sg->tensors[op->outputs.data[k]], false);
  const pnn_opcode_def *oc = &g->opcodes[op->opcode_index];
  int o = pnn_mb_op(mb, oc->builtin, op->options_type,
                    op->options_type ? (const void *)&op->options : NULL,
                    op->inputs.count, in, op->outputs.count, out);
  if (oc->version > 1) pnn_mb_op_version(mb, o, oc->version);
  pnn_mb_inputs(mb, 0, NULL);
  pnn_mb_outputs(mb, op->outputs.count, out);
  pnn_model *model = NULL;
  pnn_status st = pnn_mb_load(mb, &model);
  if (st != PNN_OK) {
    snprintf(why, why_size, "%s", pnn_mb_error(mb));
    pnn_mb_free(mb);
    return st;
  }
  pnn_mb_free(mb);
  pnn_interpreter *ip = NULL;
  st = pnn_interpreter_create(model, NULL, &ip);
  if (st == PNN_OK) st = pnn_interpreter_allocate(ip);
  if (st == PNN_OK) st = pnn_interpreter_invoke(ip);
  if (st != PNN_OK) {
    snprintf(why, why_size, "%s",
             ip ? pnn_interpreter_last_error(ip) : "out of memory");
  }
  for (int32_t k = 0; st == PNN_OK && k < op->outputs.count; k++) {
    pnn_tensor *t = pnn_interpreter_output(ip, k);
    fold_result *r = &res[k];
    r->type = pnn_tensor_type(t);
    r->rank = pnn_tensor_rank(t);
    for (int d = 0; d < r->rank; d++) r->dims[d] = pnn_tensor_dim(t, d);
    r->size = pnn_tensor_byte_size(t);
    if (r->size > max_bytes) {
      snprintf(why, why_size, "result of %zu bytes is over the limit", r->size);
      st = PNN_ERROR_LIMIT;
      break;
    }
    r->data = malloc(r->size ? r->size : 1);
    if (!r->data) {
      st = PNN_ERROR_OUT_OF_MEMORY;
      break;
    }
    if (r->size) memcpy(r->data, pnn_tensor_data(t), r->size);
  }
  pnn_interpreter_free(ip);
  pnn_model_free(model);
  return st;
}

int pnn_pass_fold(pnn_ge_graph *g, const pnn_optimize_options *o,
                  pnn_tool_report *r, char *err, size_t err_size) {
  size_t max_bytes = o->max_fold_bytes ? o->max_fold_bytes : (64u << 20);
  int folded = 0;
  for (int32_t s = 0; s < g->n_subgraphs; s++) {
    pnn_ge_subgraph *sg = &g->subgraphs[s];
    for (int32_t i = 0; i < sg->n_ops; i++) {
      const pnn_op_def *op = &sg->ops[i];
      uint64_t in_bytes;
      if (fold_blocker(g, s, op, o, &in_bytes)) continue;
      fold_result res[16];
      memset(res, 0, sizeof res);
      char why[256] = "";
      int32_t n_out = op->outputs.count;
      pnn_status st = fold_eval(g, s, op, res, max_bytes, why, sizeof why);
      bool grows = false;
      if (st == PNN_OK && pnn_ge_op_code(g, op) != PNN_OP_DEQUANTIZE) {
        uint64_t out_bytes = 0;
        for (int32_t k = 0; k < n_out; k++) out_bytes += res[k].size;
        grows = out_bytes > 2 * in_bytes + 4096;
      }
      if (st == PNN_ERROR_OUT_OF_MEMORY) {
        pnn_set_err(err, err_size, "fold: out of memory");
        for (int32_t k = 0; k < n_out; k++) free(res[k].data);
        return -1;
      }
      if (st != PNN_OK || grows) {
        if (grows)
          pnn_report_add(r,
                         "fold: kept %s (op %d of subgraph %d): its result "
                         "is larger than its inputs",
                         op_name(g, op), i, s);
        else
          pnn_report_add(r, "fold: kept %s (op %d of subgraph %d): %s",
                         op_name(g, op), i, s, why);
        for (int32_t k = 0; k < n_out; k++) free(res[k].data);
        continue;
      }
      bool ok = true;
      for (int32_t k = 0; k < n_out && ok; k++) {
        int32_t b = pnn_ge_add_buffer(g, res[k].data, res[k].size);
        int32_t *shape =
            pnn_pool_calloc(&g->pool, (size_t)res[k].rank + 1, sizeof *shape);
        if (b < 0 || !shape) {
          ok = false;
          break;
        }
        memcpy(shape, res[k].dims, (size_t)res[k].rank * sizeof *shape);
        pnn_tensor_def *td = &sg->tensors[op->outputs.data[k]];
        td->buffer = (uint32_t)b;
        td->type = res[k].type;
        td->rank = res[k].rank;
        td->shape = shape;
        td->signature_rank = -1;
        td->shape_signature = NULL;
      }
      for (int32_t k = 0; k < n_out; k++) free(res[k].data);
      if (!ok) {
        pnn_set_err(err, err_size, "fold: out of memory");
        return -1;
      }
      pnn_report_add(r,
                     "fold: evaluated %s (op %d of subgraph %d) into a "
                     "constant",
                     op_name(g, op), i, s);
      pnn_ge_remove_op(sg, i);
      i--;
      folded++;
    }
  }
  return folded;
}

/* ----------------------------------------------------------------- fuse */

/* The fused-activation field of op, or NULL if it has none we may set. */
static int8_t *act_field(pnn_op_def *op, int32_t code) {
  uint8_t ty = op->options_type;
  switch (code) {
    case PNN_OP_CONV_2D:
      return ty == PNN_OPTIONS_OF(conv2d)
                 ? &op->options.conv2d.fused_activation_function
                 : NULL;
    case PNN_OP_DEPTHWISE_CONV_2D:
      return ty == PNN_OPTIONS_OF(depthwise_conv2d)
                 ? &op->options.depthwise_conv2d.fused_activation_function
                 : NULL;
    case PNN_OP_FULLY_CONNECTED:
      return ty == PNN_OPTIONS_OF(fully_connected)
                 ? &op->options.fully_connected.fused_activation_function
                 : NULL;
    case PNN_OP_ADD:
      return ty == PNN_OPTIONS_OF(add)
                 ? &op->options.add.fused_activation_function
                 : NULL;
    case PNN_OP_SUB:
      return ty == PNN_OPTIONS_OF(sub)
                 ? &op->options.sub.fused_activation_function
                 : NULL;
    case PNN_OP_MUL:
      return ty == PNN_OPTIONS_OF(mul)
                 ? &op->options.mul.fused_activation_function
                 : NULL;
    case PNN_OP_DIV:
      return ty == PNN_OPTIONS_OF(div)
                 ? &op->options.div.fused_activation_function
                 : NULL;
    case PNN_OP_AVERAGE_POOL_2D:
    case PNN_OP_MAX_POOL_2D:
      return ty == PNN_OPTIONS_OF(pool2d)
                 ? &op->options.pool2d.fused_activation_function
                 : NULL;
    default: return NULL;
  }
}

static int8_t activation_of(int32_t code) {
  switch (code) {
    case PNN_OP_RELU: return PNN_ACT_RELU;
    case PNN_OP_RELU6: return PNN_ACT_RELU6;
    case PNN_OP_RELU_N1_TO_1: return PNN_ACT_RELU_N1_TO_1;
    /* TANH is not fused: LiteRT's float kernels compute the activation
     * range only for the RELU family and would silently drop it. */
    default: return -1;
  }
}

/* An intermediate that only `consumer` reads, that nothing else names. */
static bool private_edge(const pnn_ge_graph *g, int32_t sgi, int32_t t) {
  const pnn_ge_subgraph *sg = &g->subgraphs[sgi];
  return t >= 0 && !pnn_ge_is_interface(g, sgi, t) &&
         pnn_ge_single_consumer(sg, t) >= 0;
}

static bool is_f32_act(const pnn_tensor_def *t) {
  return t->type == PNN_TYPE_FLOAT32 && !(t->has_quant && t->quant.n_scale);
}

/* RELU-family op after a producer with no activation. */
static int fuse_activation(pnn_ge_graph *g, int32_t sgi, int32_t i,
                           pnn_tool_report *r) {
  pnn_ge_subgraph *sg = &g->subgraphs[sgi];
  pnn_op_def *act = &sg->ops[i];
  int8_t a = activation_of(pnn_ge_op_code(g, act));
  if (a < 0 || act->inputs.count != 1 || act->outputs.count != 1) return 0;
  int32_t x = act->inputs.data[0];
  if (!private_edge(g, sgi, x)) return 0;
  int32_t p = pnn_ge_producer(sg, x);
  if (p < 0 || sg->ops[p].outputs.count != 1) return 0;
  pnn_op_def *prod = &sg->ops[p];
  int8_t *f = act_field(prod, pnn_ge_op_code(g, prod));
  if (!f || *f != PNN_ACT_NONE) return 0;
  if (!is_f32_act(&sg->tensors[x]) ||
      !is_f32_act(&sg->tensors[act->outputs.data[0]]))
    return 0;
  *f = a;
  pnn_ge_outs(prod)[0] = act->outputs.data[0];
  pnn_report_add(r,
                 "fuse: %s (op %d) became the fused activation of %s "
                 "(op %d)",
                 op_name(g, act), i, op_name(g, prod), p);
  pnn_ge_remove_op(sg, i);
  return 1;
}

/* Output-channel axis of the weights of a conv-like op, or -1. */
static int weight_channel_axis(int32_t code) {
  switch (code) {
    case PNN_OP_CONV_2D: return 0;           /* OHWI */
    case PNN_OP_DEPTHWISE_CONV_2D: return 3; /* 1HWO */
    case PNN_OP_FULLY_CONNECTED: return 0;   /* [O, I] */
    default: return -1;
  }
}

/* Per-channel operand: every dim 1 except the last, which is 1 or oc, and
 * no more dims than the activation (so broadcasting keeps its shape). */
static bool per_channel_shape(const pnn_tensor_def *k, int32_t oc,
                              int32_t out_rank) {
  if (k->rank > out_rank) return false;
  for (int32_t d = 0; d + 1 < k->rank; d++)
    if (k->shape[d] != 1) return false;
  int64_t n = pnn_ge_elems(k);
  return n == 1 || (n == oc && k->shape[k->rank - 1] == oc);
}

/* MUL / ADD / SUB by a per-channel constant after a conv-like op. */
static int fuse_affine(pnn_ge_graph *g, int32_t sgi, int32_t i,
                       pnn_tool_report *r) {
  pnn_ge_subgraph *sg = &g->subgraphs[sgi];
  pnn_op_def *m = &sg->ops[i];
  int32_t mcode = pnn_ge_op_code(g, m);
  if ((mcode != PNN_OP_MUL && mcode != PNN_OP_ADD && mcode != PNN_OP_SUB) ||
      m->inputs.count != 2 || m->outputs.count != 1 || !act_field(m, mcode))
    return 0;
  int side;
  const float *kv = NULL;
  for (side = 0; side < 2; side++) {
    int32_t kt = m->inputs.data[1 - side];
    if (kt >= 0 && (kv = pnn_ge_const_f32(g, &sg->tensors[kt]))) break;
  }
  if (!kv || (mcode == PNN_OP_SUB && side != 0)) return 0;
  int32_t y = m->inputs.data[side];
  const pnn_tensor_def *kt = &sg->tensors[m->inputs.data[1 - side]];
  if (!private_edge(g, sgi, y) || !is_f32_act(&sg->tensors[y])) return 0;
  int32_t p = pnn_ge_producer(sg, y);
  if (p < 0) return 0;
  pnn_op_def *c = &sg->ops[p];
  int32_t ccode = pnn_ge_op_code(g, c);
  int axis = weight_channel_axis(ccode);
  int8_t *cact = act_field(c, ccode);
  if (axis < 0 || !cact || *cact != PNN_ACT_NONE || c->inputs.count < 2 ||
      c->outputs.count != 1)
    return 0;
  int32_t wt = c->inputs.data[1];
  if (wt < 0 || pnn_ge_use_count(sg, wt) != 1) return 0;
  const pnn_tensor_def *w = &sg->tensors[wt];
  const float *wv = pnn_ge_const_f32(g, w);
  if (!wv || w->rank <= axis) return 0;
  int32_t oc = w->shape[axis];
  if (oc <= 0) return 0;
  const pnn_tensor_def *yt = &sg->tensors[y];
  if (yt->rank < 1 || yt->shape[yt->rank - 1] != oc ||
      !per_channel_shape(kt, oc, yt->rank))
    return 0;
  int32_t bt = c->inputs.count > 2 ? c->inputs.data[2] : -1;
  const float *bv = NULL;
  if (bt >= 0) {
    if (pnn_ge_use_count(sg, bt) != 1) return 0;
    bv = pnn_ge_const_f32(g, &sg->tensors[bt]);
    if (!bv || pnn_ge_elems(&sg->tensors[bt]) != oc) return 0;
  }
  int64_t nw = pnn_ge_elems(w);
  float *nwv = malloc((size_t)nw * sizeof *nwv);
  float *nbv = malloc((size_t)oc * sizeof *nbv);
  if (!nwv || !nbv) {
    free(nwv);
    free(nbv);
    return -1;
  }
  memcpy(nwv, wv, (size_t)nw * sizeof *nwv);
  for (int32_t o = 0; o < oc; o++) nbv[o] = bv ? bv[o] : 0.0f;
  bool single = pnn_ge_elems(kt) == 1;
  if (mcode == PNN_OP_MUL) {
    /* Channel of flat index e: axis 0 -> e / inner, last axis -> e % oc. */
    int64_t inner = nw / oc;
    for (int64_t e = 0; e < nw; e++) {
      int64_t ch = axis == 0 ? e / inner : e % oc;
      nwv[e] *= kv[single ? 0 : ch];
    }
    for (int32_t o = 0; o < oc; o++) nbv[o] *= kv[single ? 0 : o];
  } else {
    float sign = mcode == PNN_OP_SUB ? -1.0f : 1.0f;
    for (int32_t o = 0; o < oc; o++) nbv[o] += sign * kv[single ? 0 : o];
  }
  int32_t wb = pnn_ge_add_buffer(g, nwv, (size_t)nw * sizeof *nwv);
  int32_t bb = pnn_ge_add_buffer(g, nbv, (size_t)oc * sizeof *nbv);
  free(nwv);
  free(nbv);
  if (wb < 0 || bb < 0) return -1;
  sg->tensors[wt].buffer = (uint32_t)wb;
  if (bt >= 0) {
    sg->tensors[bt].buffer = (uint32_t)bb;
  } else {
    pnn_tensor_def nb = {0};
    char name[300];
    snprintf(name, sizeof name, "%s/bias", sg->tensors[wt].name);
    nb.name = name;
    nb.rank = 1;
    nb.shape = &oc;
    nb.signature_rank = -1;
    nb.type = PNN_TYPE_FLOAT32;
    nb.buffer = (uint32_t)bb;
    int32_t nbt = pnn_ge_add_tensor(g, sgi, &nb);
    /* add_tensor may move sg->tensors; c and m are in sg->ops (stable). */
    if (nbt < 0 || !pnn_ge_set_input_count(g, c, 3)) return -1;
    pnn_ge_ins(c)[2] = nbt;
  }
  *cact = *act_field(m, mcode);
  pnn_ge_outs(c)[0] = m->outputs.data[0];
  pnn_report_add(r,
                 "fuse: %s (op %d) by a constant folded into the weights "
                 "and bias of %s (op %d)",
                 op_name(g, m), i, op_name(g, c), p);
  pnn_ge_remove_op(sg, i);
  return 1;
}

/* SAME padding (before, after) of one spatial dim, TFLite's rule. */
static void same_pad(int32_t in, int32_t stride, int32_t filter,
                     int32_t dilation, int32_t *before, int32_t *after,
                     int32_t *out) {
  int32_t eff = (filter - 1) * dilation + 1;
  *out = (in + stride - 1) / stride;
  int32_t total = (*out - 1) * stride + eff - in;
  if (total < 0) total = 0;
  *before = total / 2;
  *after = total - total / 2;
}

/* PAD of the spatial dims followed by a VALID conv equal to SAME. */
static int fuse_pad(pnn_ge_graph *g, int32_t sgi, int32_t i,
                    pnn_tool_report *r) {
  pnn_ge_subgraph *sg = &g->subgraphs[sgi];
  pnn_op_def *pad = &sg->ops[i];
  if (pnn_ge_op_code(g, pad) != PNN_OP_PAD || pad->inputs.count != 2 ||
      pad->outputs.count != 1)
    return 0;
  int32_t x = pad->inputs.data[0], pt = pad->inputs.data[1];
  int32_t y = pad->outputs.data[0];
  if (x < 0 || pt < 0 || !private_edge(g, sgi, y)) return 0;
  const pnn_tensor_def *xt = &sg->tensors[x];
  if (!is_f32_act(xt) || xt->rank != 4) return 0;
  for (int32_t d = 0; xt->signature_rank > 0 && d < xt->signature_rank; d++)
    if (xt->shape_signature[d] < 0 && (d == 1 || d == 2)) return 0;
  const pnn_tensor_def *ptd = &sg->tensors[pt];
  const pnn_buffer_def *pb = pnn_ge_const(g, ptd);
  if (!pb || pnn_ge_elems(ptd) != 8) return 0;
  int64_t pv[8];
  for (int k = 0; k < 8; k++) {
    if (ptd->type == PNN_TYPE_INT32 && pb->size == 32) {
      int32_t v;
      memcpy(&v, pb->data + 4 * k, 4);
      pv[k] = v;
    } else if (ptd->type == PNN_TYPE_INT64 && pb->size == 64) {
      memcpy(&pv[k], pb->data + 8 * k, 8);
    } else {
      return 0;
    }
  }
  if (pv[0] || pv[1] || pv[6] || pv[7]) return 0;
  int32_t ci = pnn_ge_single_consumer(sg, y);
  pnn_op_def *c = &sg->ops[ci];
  int32_t code = pnn_ge_op_code(g, c);
  int8_t *padding;
  int32_t sw, sh, dw, dh;
  if (code == PNN_OP_CONV_2D && c->options_type == PNN_OPTIONS_OF(conv2d)) {
    const pnn_conv2d_options *co = &c->options.conv2d;
    padding = &c->options.conv2d.padding;
    sw = co->stride_w, sh = co->stride_h;
    dw = co->dilation_w_factor, dh = co->dilation_h_factor;
  } else if (code == PNN_OP_DEPTHWISE_CONV_2D &&
             c->options_type == PNN_OPTIONS_OF(depthwise_conv2d)) {
    const pnn_depthwise_conv2d_options *co = &c->options.depthwise_conv2d;
    padding = &c->options.depthwise_conv2d.padding;
    sw = co->stride_w, sh = co->stride_h;
    dw = co->dilation_w_factor, dh = co->dilation_h_factor;
  } else {
    return 0; /* pools count padding differently: never exact */
  }
  if (*padding != PNN_PADDING_VALID || c->inputs.data[0] != y ||
      c->inputs.count < 2 || c->inputs.data[1] < 0 || sw < 1 || sh < 1 ||
      dw < 1 || dh < 1)
    return 0;
  const pnn_tensor_def *w = &sg->tensors[c->inputs.data[1]];
  if (w->rank != 4) return 0;
  int32_t bh, ah, oh, bw, aw, ow;
  same_pad(xt->shape[1], sh, w->shape[1], dh, &bh, &ah, &oh);
  same_pad(xt->shape[2], sw, w->shape[2], dw, &bw, &aw, &ow);
  if (pv[2] != bh || pv[3] != ah || pv[4] != bw || pv[5] != aw) return 0;
  *padding = PNN_PADDING_SAME;
  pnn_ge_ins(c)[0] = x;
  pnn_report_add(r,
                 "fuse: PAD (op %d) merged into %s (op %d) as SAME "
                 "padding",
                 i, op_name(g, c), ci);
  pnn_ge_remove_op(sg, i);
  return 1;
}

static bool same_shape(const pnn_tensor_def *a, const pnn_tensor_def *b) {
  if (a->rank != b->rank) return false;
  for (int32_t d = 0; d < a->rank; d++)
    if (a->shape[d] != b->shape[d]) return false;
  for (int32_t d = 0; d < a->signature_rank; d++)
    if (a->shape_signature[d] < 0) return false;
  for (int32_t d = 0; d < b->signature_rank; d++)
    if (b->shape_signature[d] < 0) return false;
  return true;
}

static bool plain(const pnn_tensor_def *t) {
  return !(t->has_quant && t->quant.n_scale) && !t->sparsity && !t->is_variable;
}

/* RESHAPE/SQUEEZE/CAST that changes nothing, or a RESHAPE of a reshape. */
static int fuse_identity(pnn_ge_graph *g, int32_t sgi, int32_t i,
                         pnn_tool_report *r) {
  pnn_ge_subgraph *sg = &g->subgraphs[sgi];
  pnn_op_def *op = &sg->ops[i];
  int32_t code = pnn_ge_op_code(g, op);
  if ((code != PNN_OP_RESHAPE && code != PNN_OP_SQUEEZE &&
       code != PNN_OP_CAST) ||
      op->inputs.count < 1 || op->outputs.count != 1)
    return 0;
  int32_t x = op->inputs.data[0], y = op->outputs.data[0];
  if (x < 0 || y < 0) return 0;
  const pnn_tensor_def *xt = &sg->tensors[x], *yt = &sg->tensors[y];
  if (xt->type != yt->type || !plain(xt) || !plain(yt)) return 0;
  if (same_shape(xt, yt)) {
    if (!pnn_ge_is_interface(g, sgi, y)) {
      pnn_ge_replace_uses(sg, y, x);
    } else {
      int32_t p = pnn_ge_producer(sg, x);
      if (p < 0 || pnn_ge_is_interface(g, sgi, x) || pnn_ge_const(g, xt))
        return 0;
      pnn_ge_replace_uses(sg, x, y);
      int32_t *po = pnn_ge_outs(&sg->ops[p]);
      for (int32_t k = 0; k < sg->ops[p].outputs.count; k++)
        if (po[k] == x) po[k] = y;
    }
    pnn_report_add(r, "fuse: removed identity %s (op %d)", op_name(g, op), i);
    pnn_ge_remove_op(sg, i);
    return 1;
  }
  /* RESHAPE(RESHAPE/SQUEEZE(x)): the outer reshape only needs x. */
  if (code != PNN_OP_RESHAPE || !private_edge(g, sgi, x)) return 0;
  int32_t p = pnn_ge_producer(sg, x);
  if (p < 0) return 0;
  int32_t pcode = pnn_ge_op_code(g, &sg->ops[p]);
  if (pcode != PNN_OP_RESHAPE && pcode != PNN_OP_SQUEEZE) return 0;
  int32_t src = sg->ops[p].inputs.data[0];
  if (src < 0 || sg->tensors[src].type != xt->type || !plain(&sg->tensors[src]))
    return 0;
  pnn_ge_ins(op)[0] = src;
  pnn_report_add(r,
                 "fuse: RESHAPE (op %d) reads the input of %s (op %d) "
                 "directly; the latter is removed",
                 i, op_name(g, &sg->ops[p]), p);
  pnn_ge_remove_op(sg, p);
  return 1;
}

int pnn_pass_fuse(pnn_ge_graph *g, pnn_tool_report *r, char *err,
                  size_t err_size) {
  int total = 0;
  for (int round = 0; round < 16; round++) {
    int changed = 0;
    for (int32_t s = 0; s < g->n_subgraphs; s++) {
      for (int32_t i = 0; i < g->subgraphs[s].n_ops; i++) {
        int n = fuse_affine(g, s, i, r);
        if (!n) n = fuse_activation(g, s, i, r);
        if (!n) n = fuse_pad(g, s, i, r);
        if (!n) n = fuse_identity(g, s, i, r);
        if (n < 0) {
          pnn_set_err(err, err_size, "fuse: out of memory");
          return -1;
        }
        if (n) {
          /* An op at or before i went: look again from the op before i
           * (later rounds pick up anything earlier). */
          changed += n;
          i = i > 1 ? i - 2 : -1;
        }
      }
    }
    total += changed;
    if (!changed) break;
  }
  return total;
}

/* ---------------------------------------------------------- strip names */

int pnn_pass_strip_names(pnn_ge_graph *g, bool strip_io, pnn_tool_report *r,
                         char *err, size_t err_size) {
  int renamed = 0;
  for (int32_t s = 0; s < g->n_subgraphs; s++) {
    pnn_ge_subgraph *sg = &g->subgraphs[s];
    for (int32_t t = 0; t < sg->n_tensors; t++) {
      if (!strip_io && pnn_ge_is_interface(g, s, t)) continue;
      char name[24];
      snprintf(name, sizeof name, "t%d", t);
      if (!strcmp(name, sg->tensors[t].name)) continue;
      const char *n = pnn_ge_strdup(g, name);
      if (!n) {
        pnn_set_err(err, err_size, "strip-names: out of memory");
        return -1;
      }
      sg->tensors[t].name = n;
      renamed++;
    }
  }
  /* Keep only metadata the runtime reads. */
  int32_t m = 0, dropped = 0;
  for (int32_t i = 0; i < g->n_metadata; i++) {
    if (g->metadata[i].name &&
        !strcmp(g->metadata[i].name, "min_runtime_version"))
      g->metadata[m++] = g->metadata[i];
    else
      dropped++;
  }
  g->n_metadata = m;
  dropped += g->n_metadata_buffer;
  g->n_metadata_buffer = 0;
  if (g->description && g->description[0]) dropped++;
  g->description = NULL;
  pnn_report_add(r,
                 "strip-names: renamed %d tensors, dropped %d metadata "
                 "entries and the description",
                 renamed, (int)dropped);
  return renamed + dropped;
}

/* -------------------------------------------------------------- driver */

pnn_status pnn_optimize(const pnn_model *in, const pnn_optimize_options *o,
                        uint8_t **out, size_t *out_size,
                        pnn_tool_report *report, char *err, size_t err_size) {
  if (out) *out = NULL;
  if (!in || !o || !out || !out_size) {
    pnn_set_err(err, err_size, "optimize: NULL argument");
    return PNN_ERROR_INVALID_ARGUMENT;
  }
  pnn_ge_graph g;
  if (pnn_ge_init(&g, &in->def) != PNN_OK) {
    pnn_set_err(err, err_size, "optimize: out of memory");
    return PNN_ERROR_OUT_OF_MEMORY;
  }
  int n = 0;
  if (o->passes & PNN_PASS_PRUNE) n = pnn_pass_prune(&g, report, err, err_size);
  if (n >= 0 && (o->passes & PNN_PASS_FOLD))
    n = pnn_pass_fold(&g, o, report, err, err_size);
  if (n >= 0 && (o->passes & PNN_PASS_FUSE))
    n = pnn_pass_fuse(&g, report, err, err_size);
  if (n >= 0 && o->strip_names)
    n = pnn_pass_strip_names(&g, o->strip_io_names, report, err, err_size);
  if (n >= 0 && (o->passes & PNN_PASS_PRUNE))
    n = pnn_pass_prune(&g, report, err, err_size);
  else if (n >= 0 && !pnn_ge_compact(&g, NULL))
    n = -1, pnn_set_err(err, err_size, "optimize: out of memory");
  pnn_status st = PNN_ERROR_OUT_OF_MEMORY;
  if (n >= 0) st = pnn_tool_finish(&g, out, out_size, err, err_size);
  pnn_ge_free(&g);
  return st;
}
