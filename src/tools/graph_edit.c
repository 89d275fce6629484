/* Mutable graph view for the model tools (see graph_edit.h). */
#include "tools/graph_edit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Makes room for n + 1 elements of `elem` bytes. */
static bool grow(void **arr, int32_t *cap, int32_t n, size_t elem) {
  if (n < *cap) return true;
  int32_t nc = *cap ? *cap * 2 : 16;
  if (nc <= n) nc = n + 1;
  void *p = realloc(*arr, (size_t)nc * elem);
  if (!p) return false;
  *arr = p;
  *cap = nc;
  return true;
}

static int32_t *dup_i32(pnn_pool *pool, const int32_t *src, int32_t n) {
  int32_t *d = pnn_pool_calloc(pool, n ? (size_t)n : 1, sizeof *d);
  if (d && n) memcpy(d, src, (size_t)n * sizeof *d);
  return d;
}

char *pnn_ge_strdup(pnn_ge_graph *g, const char *s) {
  if (!s) s = "";
  return pnn_pool_strndup(&g->pool, s, strlen(s));
}

static bool copy_op_vectors(pnn_ge_graph *g, pnn_op_def *op) {
  int32_t *in = dup_i32(&g->pool, op->inputs.data, op->inputs.count);
  int32_t *out = dup_i32(&g->pool, op->outputs.data, op->outputs.count);
  if (!in || !out) return false;
  op->inputs.data = in;
  op->outputs.data = out;
  return true;
}

static bool init_subgraph(pnn_ge_graph *g, pnn_ge_subgraph *d,
                          const pnn_subgraph_def *s) {
  d->name = s->name;
  d->n_tensors = d->cap_tensors = s->n_tensors;
  d->tensors =
      malloc((size_t)(s->n_tensors ? s->n_tensors : 1) * sizeof *d->tensors);
  d->n_ops = d->cap_ops = s->n_ops;
  d->ops = malloc((size_t)(s->n_ops ? s->n_ops : 1) * sizeof *d->ops);
  if (!d->tensors || !d->ops) return false;
  if (s->n_tensors)
    memcpy(d->tensors, s->tensors, (size_t)s->n_tensors * sizeof *d->tensors);
  if (s->n_ops) memcpy(d->ops, s->ops, (size_t)s->n_ops * sizeof *d->ops);
  for (int32_t i = 0; i < d->n_ops; i++)
    if (!copy_op_vectors(g, &d->ops[i])) return false;
  d->n_inputs = s->inputs.count;
  d->n_outputs = s->outputs.count;
  d->inputs = dup_i32(&g->pool, s->inputs.data, s->inputs.count);
  d->outputs = dup_i32(&g->pool, s->outputs.data, s->outputs.count);
  return d->inputs && d->outputs;
}

pnn_status pnn_ge_init(pnn_ge_graph *g, const pnn_model_def *m) {
  memset(g, 0, sizeof *g);
  pnn_pool_init(&g->pool);
  g->version = m->version;
  g->description = m->description;
  g->n_opcodes = g->cap_opcodes = m->n_opcodes;
  g->opcodes =
      malloc((size_t)(m->n_opcodes ? m->n_opcodes : 1) * sizeof *g->opcodes);
  g->n_buffers = g->cap_buffers = m->n_buffers;
  g->buffers =
      malloc((size_t)(m->n_buffers ? m->n_buffers : 1) * sizeof *g->buffers);
  g->n_subgraphs = m->n_subgraphs;
  g->subgraphs = calloc((size_t)(m->n_subgraphs ? m->n_subgraphs : 1),
                        sizeof *g->subgraphs);
  if (!g->opcodes || !g->buffers || !g->subgraphs) goto oom;
  if (m->n_opcodes)
    memcpy(g->opcodes, m->opcodes, (size_t)m->n_opcodes * sizeof *g->opcodes);
  if (m->n_buffers)
    memcpy(g->buffers, m->buffers, (size_t)m->n_buffers * sizeof *g->buffers);
  for (int32_t i = 0; i < m->n_subgraphs; i++)
    if (!init_subgraph(g, &g->subgraphs[i], &m->subgraphs[i])) goto oom;
  g->n_metadata_buffer = m->metadata_buffer.count;
  g->metadata_buffer =
      dup_i32(&g->pool, m->metadata_buffer.data, m->metadata_buffer.count);
  g->n_metadata = m->n_metadata;
  g->metadata =
      pnn_pool_calloc(&g->pool, (size_t)m->n_metadata + 1, sizeof *g->metadata);
  g->n_sigs = m->n_signatures;
  g->sigs =
      pnn_pool_calloc(&g->pool, (size_t)m->n_signatures + 1, sizeof *g->sigs);
  if (!g->metadata_buffer || !g->metadata || !g->sigs) goto oom;
  if (m->n_metadata)
    memcpy(g->metadata, m->metadata,
           (size_t)m->n_metadata * sizeof *g->metadata);
  for (int32_t i = 0; i < m->n_signatures; i++) {
    pnn_signature_def *s = &g->sigs[i];
    *s = m->signatures[i];
    pnn_tensor_map_def *in =
        pnn_pool_calloc(&g->pool, (size_t)s->n_inputs + 1, sizeof *in);
    pnn_tensor_map_def *out =
        pnn_pool_calloc(&g->pool, (size_t)s->n_outputs + 1, sizeof *out);
    if (!in || !out) goto oom;
    if (s->n_inputs) memcpy(in, s->inputs, (size_t)s->n_inputs * sizeof *in);
    if (s->n_outputs)
      memcpy(out, s->outputs, (size_t)s->n_outputs * sizeof *out);
    s->inputs = in;
    s->outputs = out;
  }
  return PNN_OK;
oom:
  pnn_ge_free(g);
  return PNN_ERROR_OUT_OF_MEMORY;
}

void pnn_ge_free(pnn_ge_graph *g) {
  for (int32_t i = 0; g->subgraphs && i < g->n_subgraphs; i++) {
    free(g->subgraphs[i].tensors);
    free(g->subgraphs[i].ops);
  }
  free(g->subgraphs);
  free(g->opcodes);
  free(g->buffers);
  free(g->sg_view);
  pnn_pool_free(&g->pool);
  memset(g, 0, sizeof *g);
}

const pnn_model_def *pnn_ge_def(pnn_ge_graph *g) {
  free(g->sg_view);
  g->sg_view = calloc((size_t)g->n_subgraphs + 1, sizeof *g->sg_view);
  if (!g->sg_view) return NULL;
  for (int32_t i = 0; i < g->n_subgraphs; i++) {
    const pnn_ge_subgraph *s = &g->subgraphs[i];
    pnn_subgraph_def *d = &g->sg_view[i];
    d->name = s->name;
    d->n_tensors = s->n_tensors;
    d->tensors = s->tensors;
    d->n_ops = s->n_ops;
    d->ops = s->ops;
    d->inputs = (pnn_vec_i32){s->inputs, s->n_inputs};
    d->outputs = (pnn_vec_i32){s->outputs, s->n_outputs};
  }
  pnn_model_def *v = &g->view;
  memset(v, 0, sizeof *v);
  v->version = g->version;
  v->description = g->description;
  v->n_opcodes = g->n_opcodes;
  v->opcodes = g->opcodes;
  v->n_subgraphs = g->n_subgraphs;
  v->subgraphs = g->sg_view;
  v->n_buffers = g->n_buffers;
  v->buffers = g->buffers;
  v->metadata_buffer = (pnn_vec_i32){g->metadata_buffer, g->n_metadata_buffer};
  v->n_metadata = g->n_metadata;
  v->metadata = g->metadata;
  v->n_signatures = g->n_sigs;
  v->signatures = g->sigs;
  return v;
}

int32_t pnn_ge_op_code(const pnn_ge_graph *g, const pnn_op_def *op) {
  if ((int64_t)op->opcode_index >= g->n_opcodes) return -1;
  const pnn_opcode_def *c = &g->opcodes[op->opcode_index];
  if (c->builtin == PNN_OP_CUSTOM) return -1;
  return c->builtin;
}

const pnn_buffer_def *pnn_ge_const(const pnn_ge_graph *g,
                                   const pnn_tensor_def *t) {
  if (t->buffer == 0 || (int64_t)t->buffer >= g->n_buffers) return NULL;
  const pnn_buffer_def *b = &g->buffers[t->buffer];
  return b->size ? b : NULL;
}

int64_t pnn_ge_elems(const pnn_tensor_def *t) {
  int64_t n = 1;
  for (int32_t i = 0; i < t->rank; i++) n *= t->shape[i];
  return n;
}

const float *pnn_ge_const_f32(const pnn_ge_graph *g, const pnn_tensor_def *t) {
  const pnn_buffer_def *b = pnn_ge_const(g, t);
  if (!b || t->type != PNN_TYPE_FLOAT32 || t->sparsity || t->is_variable ||
      (t->has_quant && t->quant.n_scale) ||
      b->size != (uint64_t)pnn_ge_elems(t) * 4)
    return NULL;
  return (const float *)b->data;
}

int32_t pnn_ge_producer(const pnn_ge_subgraph *sg, int32_t t) {
  for (int32_t i = 0; i < sg->n_ops; i++)
    for (int32_t k = 0; k < sg->ops[i].outputs.count; k++)
      if (sg->ops[i].outputs.data[k] == t) return i;
  return -1;
}

int32_t pnn_ge_use_count(const pnn_ge_subgraph *sg, int32_t t) {
  int32_t n = 0;
  for (int32_t i = 0; i < sg->n_ops; i++)
    for (int32_t k = 0; k < sg->ops[i].inputs.count; k++)
      if (sg->ops[i].inputs.data[k] == t) n++;
  return n;
}

int32_t pnn_ge_single_consumer(const pnn_ge_subgraph *sg, int32_t t) {
  int32_t found = -1, n = 0;
  for (int32_t i = 0; i < sg->n_ops; i++)
    for (int32_t k = 0; k < sg->ops[i].inputs.count; k++)
      if (sg->ops[i].inputs.data[k] == t) {
        found = i;
        n++;
      }
  return n == 1 ? found : -1;
}

static bool in_list(const int32_t *v, int32_t n, int32_t t) {
  for (int32_t i = 0; i < n; i++)
    if (v[i] == t) return true;
  return false;
}

bool pnn_ge_is_sg_output(const pnn_ge_subgraph *sg, int32_t t) {
  return in_list(sg->outputs, sg->n_outputs, t);
}

bool pnn_ge_is_sg_input(const pnn_ge_subgraph *sg, int32_t t) {
  return in_list(sg->inputs, sg->n_inputs, t);
}

bool pnn_ge_is_interface(const pnn_ge_graph *g, int32_t sgi, int32_t t) {
  const pnn_ge_subgraph *sg = &g->subgraphs[sgi];
  if (pnn_ge_is_sg_input(sg, t) || pnn_ge_is_sg_output(sg, t)) return true;
  for (int32_t i = 0; i < g->n_sigs; i++) {
    const pnn_signature_def *s = &g->sigs[i];
    if ((int32_t)s->subgraph_index != sgi) continue;
    for (int32_t k = 0; k < s->n_inputs; k++)
      if ((int32_t)s->inputs[k].tensor_index == t) return true;
    for (int32_t k = 0; k < s->n_outputs; k++)
      if ((int32_t)s->outputs[k].tensor_index == t) return true;
  }
  return false;
}

void pnn_ge_replace_uses(pnn_ge_subgraph *sg, int32_t from, int32_t to) {
  for (int32_t i = 0; i < sg->n_ops; i++) {
    int32_t *in = pnn_ge_ins(&sg->ops[i]);
    for (int32_t k = 0; k < sg->ops[i].inputs.count; k++)
      if (in[k] == from) in[k] = to;
  }
}

int32_t pnn_ge_add_buffer(pnn_ge_graph *g, const void *data, size_t size) {
  if (!grow((void **)&g->buffers, &g->cap_buffers, g->n_buffers,
            sizeof *g->buffers))
    return -1;
  uint8_t *copy = NULL;
  if (size) {
    copy = pnn_pool_alloc(&g->pool, size);
    if (!copy) return -1;
    memcpy(copy, data, size);
  }
  g->buffers[g->n_buffers] = (pnn_buffer_def){copy, size, 0};
  return g->n_buffers++;
}

int32_t pnn_ge_add_tensor(pnn_ge_graph *g, int32_t sgi,
                          const pnn_tensor_def *t) {
  pnn_ge_subgraph *sg = &g->subgraphs[sgi];
  if (!grow((void **)&sg->tensors, &sg->cap_tensors, sg->n_tensors,
            sizeof *sg->tensors))
    return -1;
  pnn_tensor_def d = *t;
  d.name = pnn_ge_strdup(g, t->name);
  int32_t *shape = dup_i32(&g->pool, t->shape, t->rank);
  if (!d.name || !shape) return -1;
  d.shape = shape;
  sg->tensors[sg->n_tensors] = d;
  return sg->n_tensors++;
}

int32_t pnn_ge_opcode(pnn_ge_graph *g, int32_t code, int32_t version) {
  for (int32_t i = 0; i < g->n_opcodes; i++)
    if (g->opcodes[i].builtin == code && code != PNN_OP_CUSTOM) {
      if (g->opcodes[i].version < version) g->opcodes[i].version = version;
      return i;
    }
  if (!grow((void **)&g->opcodes, &g->cap_opcodes, g->n_opcodes,
            sizeof *g->opcodes))
    return -1;
  pnn_opcode_def c = {0};
  c.builtin = code;
  c.version = version;
  g->opcodes[g->n_opcodes] = c;
  return g->n_opcodes++;
}

int32_t pnn_ge_insert_op(pnn_ge_graph *g, int32_t sgi, int32_t pos,
                         uint32_t opcode_index, int n_in, const int32_t *in,
                         int n_out, const int32_t *out,
                         const pnn_op_def *tmpl) {
  pnn_ge_subgraph *sg = &g->subgraphs[sgi];
  if (pos < 0 || pos > sg->n_ops) return -1;
  if (!grow((void **)&sg->ops, &sg->cap_ops, sg->n_ops, sizeof *sg->ops))
    return -1;
  pnn_op_def op;
  if (tmpl)
    op = *tmpl;
  else
    memset(&op, 0, sizeof op);
  op.opcode_index = opcode_index;
  int32_t *vi = dup_i32(&g->pool, in, n_in);
  int32_t *vo = dup_i32(&g->pool, out, n_out);
  if (!vi || !vo) return -1;
  op.inputs = (pnn_vec_i32){vi, n_in};
  op.outputs = (pnn_vec_i32){vo, n_out};
  memmove(&sg->ops[pos + 1], &sg->ops[pos],
          (size_t)(sg->n_ops - pos) * sizeof *sg->ops);
  sg->ops[pos] = op;
  sg->n_ops++;
  return pos;
}

bool pnn_ge_set_input_count(pnn_ge_graph *g, pnn_op_def *op, int n) {
  if (n <= op->inputs.count) {
    op->inputs.count = n;
    return true;
  }
  int32_t *v = pnn_pool_calloc(&g->pool, (size_t)n, sizeof *v);
  if (!v) return false;
  for (int i = 0; i < n; i++)
    v[i] = i < op->inputs.count ? op->inputs.data[i] : -1;
  op->inputs = (pnn_vec_i32){v, n};
  return true;
}

void pnn_ge_remove_op(pnn_ge_subgraph *sg, int32_t op) {
  memmove(&sg->ops[op], &sg->ops[op + 1],
          (size_t)(sg->n_ops - op - 1) * sizeof *sg->ops);
  sg->n_ops--;
}

/* ----------------------------------------------------------- compaction */

static void remap(int32_t *v, int32_t n, const int32_t *map) {
  for (int32_t i = 0; i < n; i++)
    if (v[i] >= 0) v[i] = map[v[i]];
}

static bool compact_tensors(pnn_ge_graph *g, int32_t sgi, int32_t *removed) {
  pnn_ge_subgraph *sg = &g->subgraphs[sgi];
  int32_t n = sg->n_tensors;
  int32_t *map = calloc((size_t)n + 1, sizeof *map);
  if (!map) return false;
  for (int32_t t = 0; t < n; t++)
    if (pnn_ge_is_interface(g, sgi, t)) map[t] = 1;
  for (int32_t i = 0; i < sg->n_ops; i++) {
    const pnn_op_def *op = &sg->ops[i];
    for (int32_t k = 0; k < op->inputs.count; k++)
      if (op->inputs.data[k] >= 0) map[op->inputs.data[k]] = 1;
    for (int32_t k = 0; k < op->outputs.count; k++)
      if (op->outputs.data[k] >= 0) map[op->outputs.data[k]] = 1;
    for (int32_t k = 0; k < op->intermediates.count; k++)
      if (op->intermediates.data[k] >= 0) map[op->intermediates.data[k]] = 1;
  }
  int32_t m = 0;
  for (int32_t t = 0; t < n; t++) {
    if (!map[t]) {
      map[t] = -1;
      continue;
    }
    sg->tensors[m] = sg->tensors[t];
    map[t] = m++;
  }
  *removed += n - m;
  sg->n_tensors = m;
  for (int32_t i = 0; i < sg->n_ops; i++) {
    pnn_op_def *op = &sg->ops[i];
    remap(pnn_ge_ins(op), op->inputs.count, map);
    remap(pnn_ge_outs(op), op->outputs.count, map);
    if (op->intermediates.count) {
      int32_t *v =
          dup_i32(&g->pool, op->intermediates.data, op->intermediates.count);
      if (!v) {
        free(map);
        return false;
      }
      remap(v, op->intermediates.count, map);
      op->intermediates.data = v;
    }
  }
  remap(sg->inputs, sg->n_inputs, map);
  remap(sg->outputs, sg->n_outputs, map);
  for (int32_t i = 0; i < g->n_sigs; i++) {
    pnn_signature_def *s = &g->sigs[i];
    if ((int32_t)s->subgraph_index != sgi) continue;
    pnn_tensor_map_def *in = (pnn_tensor_map_def *)s->inputs;
    pnn_tensor_map_def *out = (pnn_tensor_map_def *)s->outputs;
    for (int32_t k = 0; k < s->n_inputs; k++)
      in[k].tensor_index = (uint32_t)map[in[k].tensor_index];
    for (int32_t k = 0; k < s->n_outputs; k++)
      out[k].tensor_index = (uint32_t)map[out[k].tensor_index];
  }
  free(map);
  return true;
}

static bool compact_buffers(pnn_ge_graph *g, int32_t *removed) {
  int32_t n = g->n_buffers;
  int32_t *map = calloc((size_t)n + 1, sizeof *map);
  if (!map) return false;
  if (n) map[0] = 1;
  for (int32_t s = 0; s < g->n_subgraphs; s++)
    for (int32_t t = 0; t < g->subgraphs[s].n_tensors; t++) {
      uint32_t b = g->subgraphs[s].tensors[t].buffer;
      if ((int64_t)b < n) map[b] = 1;
    }
  for (int32_t i = 0; i < g->n_metadata; i++)
    if ((int64_t)g->metadata[i].buffer < n) map[g->metadata[i].buffer] = 1;
  for (int32_t i = 0; i < g->n_metadata_buffer; i++)
    if (g->metadata_buffer[i] >= 0 && g->metadata_buffer[i] < n)
      map[g->metadata_buffer[i]] = 1;
  int32_t m = 0;
  for (int32_t b = 0; b < n; b++) {
    if (!map[b]) {
      map[b] = -1;
      continue;
    }
    g->buffers[m] = g->buffers[b];
    map[b] = m++;
  }
  *removed += n - m;
  g->n_buffers = m;
  for (int32_t s = 0; s < g->n_subgraphs; s++)
    for (int32_t t = 0; t < g->subgraphs[s].n_tensors; t++) {
      pnn_tensor_def *td = &g->subgraphs[s].tensors[t];
      if ((int64_t)td->buffer < n) td->buffer = (uint32_t)map[td->buffer];
    }
  for (int32_t i = 0; i < g->n_metadata; i++)
    if ((int64_t)g->metadata[i].buffer < n)
      g->metadata[i].buffer = (uint32_t)map[g->metadata[i].buffer];
  for (int32_t i = 0; i < g->n_metadata_buffer; i++)
    if (g->metadata_buffer[i] >= 0 && g->metadata_buffer[i] < n)
      g->metadata_buffer[i] = map[g->metadata_buffer[i]];
  free(map);
  return true;
}

static bool compact_opcodes(pnn_ge_graph *g, int32_t *removed) {
  int32_t n = g->n_opcodes;
  int32_t *map = calloc((size_t)n + 1, sizeof *map);
  if (!map) return false;
  for (int32_t s = 0; s < g->n_subgraphs; s++)
    for (int32_t i = 0; i < g->subgraphs[s].n_ops; i++)
      map[g->subgraphs[s].ops[i].opcode_index] = 1;
  int32_t m = 0;
  for (int32_t c = 0; c < n; c++) {
    if (!map[c]) {
      map[c] = -1;
      continue;
    }
    g->opcodes[m] = g->opcodes[c];
    map[c] = m++;
  }
  *removed += n - m;
  g->n_opcodes = m;
  for (int32_t s = 0; s < g->n_subgraphs; s++)
    for (int32_t i = 0; i < g->subgraphs[s].n_ops; i++) {
      pnn_op_def *op = &g->subgraphs[s].ops[i];
      op->opcode_index = (uint32_t)map[op->opcode_index];
    }
  free(map);
  return true;
}

bool pnn_ge_compact(pnn_ge_graph *g, pnn_ge_compact_stats *st) {
  pnn_ge_compact_stats z = {0};
  for (int32_t s = 0; s < g->n_subgraphs; s++)
    if (!compact_tensors(g, s, &z.tensors)) return false;
  if (!compact_buffers(g, &z.buffers)) return false;
  if (!compact_opcodes(g, &z.opcodes)) return false;
  if (st) *st = z;
  return true;
}

/* -------------------------------------------------------------- reports */

void pnn_report_add(pnn_tool_report *r, const char *fmt, ...) {
  if (!r) return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  size_t need = r->len + (size_t)n + 2;
  if (need > r->cap) {
    size_t nc = r->cap ? r->cap * 2 : 1024;
    while (nc < need) nc *= 2;
    char *p = realloc(r->text, nc);
    if (!p) return; /* the report is best effort */
    r->text = p;
    r->cap = nc;
  }
  va_start(ap, fmt);
  vsnprintf(r->text + r->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  r->len += (size_t)n;
  r->text[r->len++] = '\n';
  r->text[r->len] = '\0';
}

void pnn_report_free(pnn_tool_report *r) {
  if (!r) return;
  free(r->text);
  memset(r, 0, sizeof *r);
}
