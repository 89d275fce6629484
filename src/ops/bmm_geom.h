/* Geometry of BATCH_MATMUL, shared by the float (matmul.c) and quantized
 * (matmul_q.c) prepares and evals: lhs [..., m, k] (or [..., k, m] with
 * adj_x) times rhs [..., k, n] (or [..., n, k] with adj_y), the batch dims
 * broadcast as NumPy does. */
#ifndef PNN_OPS_BMM_GEOM_H
#define PNN_OPS_BMM_GEOM_H

#include "ops/common.h"

#define PNN_BMM_GEOM_FIELDS                                               \
  int rank; /* output rank */                                             \
  int32_t out_dims[PNN_MAX_RANK];                                         \
  int64_t lhs_stride[PNN_MAX_RANK]; /* per output batch dim, in matrices; \
                                       0 where broadcast */               \
  int64_t rhs_stride[PNN_MAX_RANK];                                       \
  int64_t n_batch; /* product of output batch dims */                     \
  int32_t m, k, n;                                                        \
  bool adj_x, adj_y;

typedef struct {
  PNN_BMM_GEOM_FIELDS
} pnn_bmm_geom;

/* Puts the geometry into an op's state struct (see PNN_CONV_GEOM_MEMBERS
 * in conv_geom.h): fields read as members, `geom` names them together. */
#define PNN_BMM_GEOM_MEMBERS \
  union {                    \
    pnn_bmm_geom geom;       \
    struct {                 \
      PNN_BMM_GEOM_FIELDS    \
    };                       \
  }

/* Fills *g from lhs a, rhs b (both rank >= 2) and the node's
 * BatchMatMulOptions: m, k, n, the broadcast batch dims, the output shape
 * and the batch strides. On failure reports on the node. */
pnn_status pnn_bmm_geom_init(pnn_node *node, const pnn_tensor *a,
                             const pnn_tensor *b, pnn_bmm_geom *g);

/* Matrix offsets (in matrices) of the lhs and rhs for output batch i. */
static inline void pnn_bmm_offsets(const pnn_bmm_geom *g, int64_t i,
                                   int64_t *lo, int64_t *ro) {
  *lo = *ro = 0;
  for (int d = g->rank - 3; d >= 0; d--) {
    int64_t idx = i % g->out_dims[d];
    i /= g->out_dims[d];
    *lo += idx * g->lhs_stride[d];
    *ro += idx * g->rhs_stride[d];
  }
}

#endif
