/* BATCH_MATMUL geometry (see bmm_geom.h). */
#include "ops/bmm_geom.h"

/* Strides (in whole matrices) of tensor t's batch dims, aligned to the
 * output's `rank - 2` batch dims; 0 where t is broadcast. */
static void batch_strides(const pnn_tensor *t, int rank, int64_t *strides) {
  int out_batch = rank - 2, t_batch = t->rank - 2;
  int64_t s = 1;
  for (int d = out_batch - 1; d >= 0; d--) {
    int td = d - (out_batch - t_batch);
    int32_t dim = td >= 0 ? t->dims[td] : 1;
    strides[d] = dim == 1 ? 0 : s;
    s *= dim;
  }
}

pnn_status pnn_bmm_geom_init(pnn_node *node, const pnn_tensor *a,
                             const pnn_tensor *b, pnn_bmm_geom *g) {
  const pnn_batch_matmul_options *opt = &node->options->batch_matmul;
  if (a->rank < 2 || b->rank < 2)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "inputs must have rank >= 2, got %d and %d",
                          (int)a->rank, (int)b->rank);
  *g = (pnn_bmm_geom){.adj_x = opt->adj_x, .adj_y = opt->adj_y};
  int32_t a_rows = a->dims[a->rank - 2], a_cols = a->dims[a->rank - 1];
  int32_t b_rows = b->dims[b->rank - 2], b_cols = b->dims[b->rank - 1];
  g->m = g->adj_x ? a_cols : a_rows;
  g->k = g->adj_x ? a_rows : a_cols;
  int32_t kb = g->adj_y ? b_cols : b_rows;
  g->n = g->adj_y ? b_rows : b_cols;
  if (g->k != kb)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "contracted dims differ: lhs %d vs rhs %d "
                          "(adj_x=%d, adj_y=%d)",
                          (int)g->k, (int)kb, (int)g->adj_x, (int)g->adj_y);
  int batch_rank;
  if (!pnn_broadcast_dims(a->dims, a->rank - 2, b->dims, b->rank - 2,
                          g->out_dims, &batch_rank))
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "batch dims of %s and %s do not broadcast", a->name,
                          b->name);
  g->rank = batch_rank + 2;
  if (g->rank > PNN_MAX_RANK)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED, "rank %d too large",
                          g->rank);
  g->out_dims[batch_rank] = g->m;
  g->out_dims[batch_rank + 1] = g->n;
  if (pnn_dims_count(g->out_dims, g->rank) < 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "output shape overflows");
  g->n_batch = pnn_dims_count(g->out_dims, batch_rank);
  batch_strides(a, g->rank, g->lhs_stride);
  batch_strides(b, g->rank, g->rhs_stride);
  /* Each output element is a k-long dot product (max_op_work). */
  return pnn_node_check_work(node, "output elements x contracted dim k",
                             pnn_work_mul(g->n_batch, g->m),
                             pnn_work_mul(g->n, 1), g->k);
}
