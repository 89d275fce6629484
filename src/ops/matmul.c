/* Matrix products: FULLY_CONNECTED and BATCH_MATMUL, float32 reference.
 *
 * FULLY_CONNECTED: weights [units, depth] (row-major, the DEFAULT
 * weights_format), input flattened to [count / depth, depth] as TFLite does,
 * optional bias [units], fused activation. Output is [batch, units], or the
 * input shape with the last dim replaced by units when keep_num_dims.
 *
 * BATCH_MATMUL: lhs [..., M, K] (or [..., K, M] with adj_x), rhs [..., K, N]
 * (or [..., N, K] with adj_y); leading dims broadcast NumPy-style.
 *
 * prepare stores the sizes in node state with a `run` function over output
 * rows, so a packed GEMM path can replace the reference loop at prepare. */
#include "kernels/f32_gemm.h"
#include "kernels/f32_refacc.h"
#include "ops/bmm_geom.h"
#include "ops/common.h"
#include "ops/nn_quant.h"

/* ------------------------------------------------------ FULLY_CONNECTED */

typedef struct fc_state fc_state;
typedef void (*fc_run_fn)(const fc_state *st, const float *in, const float *w,
                          const float *bias, float *out, int64_t begin,
                          int64_t end);

struct fc_state {
  int64_t batch; /* rows of the flattened input */
  int32_t depth; /* input features = weights dim 1 */
  int32_t units; /* output features = weights dim 0 */
  int act;
  fc_run_fn run;
  const pnn_f32_gemm_plan *gemm; /* packed weights, or NULL: reference */
};

typedef struct {
  const fc_state *st;
  const float *in, *w, *bias;
  float *out;
} fc_job;

static void fc_ref(const fc_state *st, const float *in, const float *w,
                   const float *bias, float *out, int64_t begin, int64_t end) {
  for (int64_t b = begin; b < end; b++) {
    const float *x = in + b * st->depth;
    float *o = out + b * st->units;
    for (int32_t u = 0; u < st->units; u++) {
      const float *k = w + (int64_t)u * st->depth;
      float acc = 0.f;
      for (int32_t d = 0; d < st->depth; d++) acc += x[d] * k[d];
      if (bias) acc += bias[u];
      o[u] = pnn_apply_activation(st->act, acc);
    }
  }
}

static void fc_worker(void *arg, int64_t begin, int64_t end) {
  const fc_job *j = arg;
  j->st->run(j->st, j->in, j->w, j->bias, j->out, begin, end);
}

static pnn_status fc_check_bias(pnn_node *node, int32_t units) {
  if (node->n_inputs < 3 || !node->inputs[2]) return PNN_OK;
  const pnn_tensor *b = node->inputs[2];
  pnn_status s = pnn_check_type(node, b, 2, PNN_TYPE_FLOAT32);
  if (s) return s;
  if (pnn_tensor_count(b) != units)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 2 (%s): bias has %lld elements, expected %d "
                          "(units)",
                          b->name, (long long)pnn_tensor_count(b), (int)units);
  return PNN_OK;
}

/* Constant weights (and bias): packed once for the GEMM of the active ISA
 * (src/kernels/f32_gemm*); [units, depth] is B transposed. */
static pnn_status fc_gemm_prepare(pnn_node *node, fc_state *st,
                                  const pnn_tensor *w) {
  const pnn_tensor *bias = node->n_inputs > 2 ? node->inputs[2] : NULL;
  if (!w->is_constant || (bias && !bias->is_constant) || st->units <= 0)
    return PNN_OK;
  const pnn_f32_gemm_config *cfg =
      pnn_node_float_reference_order(node)
          ? pnn_f32_gemm_refacc_config_for(pnn_isa_active())
          : pnn_f32_gemm_config_for(pnn_isa_active());
  const size_t n = (size_t)st->units, k = (size_t)st->depth;
  const size_t floats = pnn_f32_gemm_packed_floats(cfg, n, k);
  if (!floats) return PNN_OK;
  st->gemm = pnn_f32_gemm_plan_on_node(node, cfg, n, k, floats, w->data,
                                       bias ? bias->data : NULL, st->act);
  if (!st->gemm)
    return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY,
                          "out of memory for packed weights");
  pnn_node_input_packed(node, 1); /* eval reads the packed copies only */
  pnn_node_input_packed(node, 2);
  return PNN_OK;
}

static pnn_status fc_prepare(pnn_node *node) {
  if (pnn_q_fc_wanted(node)) return pnn_q_fc_prepare(node);
  const pnn_fully_connected_options *opt = &node->options->fully_connected;
  pnn_tensor *in, *w;
  pnn_status s = pnn_check_io(node, 2, 3, 1);
  if (!s) s = pnn_require_input(node, 0, &in);
  if (!s) s = pnn_require_input(node, 1, &w);
  if (!s) s = pnn_check_type(node, in, 0, PNN_TYPE_FLOAT32);
  if (!s) s = pnn_check_type(node, w, 1, PNN_TYPE_FLOAT32);
  if (s) return s;
  if (opt->weights_format != 0)
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "weights_format %d not supported (only DEFAULT)",
                          (int)opt->weights_format);
  if (!pnn_activation_supported(opt->fused_activation_function))
    return pnn_node_error(node, PNN_ERROR_UNSUPPORTED,
                          "fused_activation_function %d not supported",
                          (int)opt->fused_activation_function);
  if (w->rank != 2)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 1 (%s): weights must be 2-D, got rank %d",
                          w->name, (int)w->rank);
  if (in->rank < 1)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 0 (%s): must have rank >= 1", in->name);
  fc_state st = {.units = w->dims[0],
                 .depth = w->dims[1],
                 .act = opt->fused_activation_function,
                 .run = fc_ref};
  int64_t count = pnn_tensor_count(in);
  if (count < 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 0 (%s): element count overflows", in->name);
  if (st.depth <= 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 1 (%s): weights have 0 input features",
                          w->name);
  if (count % st.depth != 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "input 0 (%s): %lld elements are not a multiple of "
                          "the weights' %d input features",
                          in->name, (long long)count, (int)st.depth);
  st.batch = count / st.depth;
  s = fc_check_bias(node, st.units);
  if (!s)
    s = pnn_node_check_work(node, "batch x units x input features", st.batch,
                            st.units, st.depth);
  if (s) return s;

  int32_t dims[PNN_MAX_RANK];
  int rank;
  if (opt->keep_num_dims) {
    if (in->dims[in->rank - 1] != st.depth)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "keep_num_dims: input last dim %d differs from "
                            "weights input features %d",
                            (int)in->dims[in->rank - 1], (int)st.depth);
    rank = in->rank;
    for (int i = 0; i < rank; i++) dims[i] = in->dims[i];
    dims[rank - 1] = st.units;
  } else {
    if (st.batch > INT32_MAX)
      return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                            "input 0 (%s): batch %lld too large", in->name,
                            (long long)st.batch);
    rank = 2;
    dims[0] = (int32_t)st.batch;
    dims[1] = st.units;
  }
  if (pnn_dims_count(dims, rank) < 0)
    return pnn_node_error(node, PNN_ERROR_INVALID_MODEL,
                          "output shape overflows");
  fc_state *p = pnn_node_alloc_persistent(node, sizeof(*p));
  if (!p)
    return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY,
                          "out of memory for op state");
  *p = st;
  node->state = p;
  s = fc_gemm_prepare(node, p, w);
  if (s) return s;
  return pnn_node_resize_output(node, 0, PNN_TYPE_FLOAT32, dims, rank);
}

static pnn_status fc_eval(pnn_node *node) {
  if (pnn_q_fc_wanted(node)) return pnn_q_fc_eval(node);
  const fc_state *st = node->state;
  if (st->gemm) {
    pnn_f32_gemm_job gj;
    pnn_f32_gemm_job_init(&gj, st->gemm, (size_t)st->batch,
                          node->inputs[0]->data, (size_t)st->depth,
                          node->outputs[0]->data, (size_t)st->units, 8);
    pnn_node_parallel_for(node, pnn_f32_gemm_job_tasks(&gj),
                          pnn_f32_gemm_job_run, &gj);
    return PNN_OK;
  }
  fc_job job = {
      .st = st,
      .in = node->inputs[0]->data,
      .w = node->inputs[1]->data,
      .bias =
          node->n_inputs > 2 && node->inputs[2] ? node->inputs[2]->data : NULL,
      .out = node->outputs[0]->data,
  };
  if (st->batch > 0 && st->units > 0)
    pnn_node_parallel_for(node, st->batch, fc_worker, &job);
  return PNN_OK;
}

/* --------------------------------------------------------- BATCH_MATMUL */

typedef struct {
  PNN_BMM_GEOM_MEMBERS; /* rank, out_dims, strides, m, k, n (bmm_geom.h) */
  /* GEMM path: rhs packed into scratch per batch at eval; NULL: reference */
  const pnn_f32_gemm_config *gemm;
} bmm_state;

typedef struct {
  const bmm_state *st;
  const float *lhs, *rhs;
  float *out;
} bmm_job;

/* Rows [begin, end) of n_batch * m output rows. */
static void bmm_worker(void *arg, int64_t begin, int64_t end) {
  const bmm_job *j = arg;
  const bmm_state *st = j->st;
  const int64_t mk = (int64_t)st->m * st->k, kn = (int64_t)st->k * st->n;
  for (int64_t row = begin; row < end; row++) {
    int64_t bi = row / st->m, r = row % st->m, lo, ro;
    pnn_bmm_offsets(&st->geom, bi, &lo, &ro);
    const float *a = j->lhs + lo * mk, *b = j->rhs + ro * kn;
    float *o = j->out + row * st->n;
    for (int32_t c = 0; c < st->n; c++) {
      float acc = 0.f;
      for (int32_t t = 0; t < st->k; t++) {
        float x = st->adj_x ? a[(int64_t)t * st->m + r] : a[r * st->k + t];
        float y =
            st->adj_y ? b[(int64_t)c * st->k + t] : b[(int64_t)t * st->n + c];
        acc += x * y;
      }
      o[c] = acc;
    }
  }
}

/* Without adj_x the lhs rows are GEMM rows; each rhs matrix is packed into
 * scratch at eval (it is usually an activation) and multiplied by the
 * GEMM of the active ISA. */
static pnn_status bmm_gemm_prepare(pnn_node *node, bmm_state *st) {
  if (st->adj_x || st->m <= 0 || st->n <= 0) return PNN_OK;
  const pnn_f32_gemm_config *cfg =
      pnn_node_float_reference_order(node)
          ? pnn_f32_gemm_refacc_config_for(pnn_isa_active())
          : pnn_f32_gemm_config_for(pnn_isa_active());
  const size_t floats =
      pnn_f32_gemm_packed_floats(cfg, (size_t)st->n, (size_t)st->k);
  if (!floats || floats > SIZE_MAX / 8 / sizeof(float)) return PNN_OK;
  pnn_status s = pnn_node_request_scratch(
      node, floats * sizeof(float) + PNN_F32_GEMM_ALIGN);
  if (s) return s;
  st->gemm = cfg;
  return PNN_OK;
}

static void bmm_gemm_eval(pnn_node *node, const bmm_state *st) {
  const size_t m = (size_t)st->m, k = (size_t)st->k, n = (size_t)st->n;
  const float *lhs = node->inputs[0]->data, *rhs = node->inputs[1]->data;
  float *out = node->outputs[0]->data;
  float *packed = pnn_f32_gemm_align(node->scratch);
  const pnn_f32_gemm_plan plan = {st->gemm, n, k,
                                  (n + st->gemm->nr - 1) / st->gemm->nr,
                                  packed, 0};
  int64_t packed_ro = -1;
  for (int64_t i = 0; i < st->n_batch; i++) {
    int64_t lo, ro;
    pnn_bmm_offsets(&st->geom, i, &lo, &ro);
    if (ro != packed_ro) { /* element (k, n): rhs[n*K + k] or rhs[k*N + n] */
      pnn_f32_gemm_pack(st->gemm, n, k, rhs + ro * (int64_t)(k * n),
                        st->adj_y ? (ptrdiff_t)k : 1,
                        st->adj_y ? 1 : (ptrdiff_t)n, NULL, packed);
      packed_ro = ro;
    }
    pnn_f32_gemm_job gj;
    pnn_f32_gemm_job_init(&gj, &plan, m, lhs + lo * (int64_t)(m * k), k,
                          out + i * (int64_t)(m * n), n, 8);
    pnn_node_parallel_for(node, pnn_f32_gemm_job_tasks(&gj),
                          pnn_f32_gemm_job_run, &gj);
  }
}

static pnn_status bmm_prepare(pnn_node *node) {
  if (pnn_q_bmm_wanted(node)) return pnn_q_bmm_prepare(node);
  pnn_tensor *a, *b;
  pnn_status s = pnn_check_io(node, 2, 2, 1);
  if (!s) s = pnn_require_input(node, 0, &a);
  if (!s) s = pnn_require_input(node, 1, &b);
  if (!s) s = pnn_check_type(node, a, 0, PNN_TYPE_FLOAT32);
  if (!s) s = pnn_check_type(node, b, 1, PNN_TYPE_FLOAT32);
  if (s) return s;
  bmm_state st = {0};
  if ((s = pnn_bmm_geom_init(node, a, b, &st.geom))) return s;
  s = bmm_gemm_prepare(node, &st);
  if (s) return s;
  bmm_state *p = pnn_node_alloc_persistent(node, sizeof(*p));
  if (!p)
    return pnn_node_error(node, PNN_ERROR_OUT_OF_MEMORY,
                          "out of memory for op state");
  *p = st;
  node->state = p;
  return pnn_node_resize_output(node, 0, PNN_TYPE_FLOAT32, st.out_dims,
                                st.rank);
}

static pnn_status bmm_eval(pnn_node *node) {
  if (pnn_q_bmm_wanted(node)) return pnn_q_bmm_eval(node);
  const bmm_state *st = node->state;
  if (st->gemm) {
    bmm_gemm_eval(node, st); /* k == 0 writes zeros */
    return PNN_OK;
  }
  bmm_job job = {.st = st,
                 .lhs = node->inputs[0]->data,
                 .rhs = node->inputs[1]->data,
                 .out = node->outputs[0]->data};
  int64_t rows = st->n_batch * st->m;
  if (rows > 0 && st->n > 0)
    pnn_node_parallel_for(node, rows, bmm_worker, &job);
  return PNN_OK;
}

static const pnn_op_kernel fc_kernel = {fc_prepare, fc_eval};
static const pnn_op_kernel bmm_kernel = {bmm_prepare, bmm_eval};

const pnn_op_entry pnn_ops_matmul[] = {
    {PNN_OP_FULLY_CONNECTED, &fc_kernel},
    {PNN_OP_BATCH_MATMUL, &bmm_kernel},
    {-1, NULL},
};
