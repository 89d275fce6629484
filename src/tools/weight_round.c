/* GPTQ weight rounding: see weight_round.h.
 *
 * For one matrix H (K x K) the columns are visited in order of decreasing
 * H_ii ("act order"); with A = H + damp I permuted that way and U the
 * upper Cholesky factor of A^-1 (computed as R^-1, A = R R^T, R upper),
 * the GPTQ step for column i of a weight row w is
 *   q_i = clamp(round(w_i / s)),  e = (w_i - q_i s) / U_ii,
 *   w_j -= e U_ij  for the later columns j,
 * which is the optimal (least output error on the calibration inputs)
 * compensation of the rounding error of column i by the columns not yet
 * rounded. */
#include "tools/weight_round.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "format/schema.h"
#include "ops/op.h"

#define WR_ROWS 64     /* sampled rows per sample: CONV_2D, FC, ... */
#define WR_ROWS_MIN 16 /* ... at least, and */
#define WR_BUDGET (1 << 23) /* about rows * K^2 multiply-adds at most */
#define WR_ROWS_DW 256 /* sampled rows per sample: DEPTHWISE_CONV_2D */

/* Rows per sample for a K-column Hessian: WR_ROWS, fewer for large K so
 * the collection costs about WR_BUDGET per op and sample. */
static int64_t rows_for(int64_t total, int32_t k) {
  int64_t r = WR_BUDGET / ((int64_t)k * k);
  if (r > WR_ROWS) r = WR_ROWS;
  if (r < WR_ROWS_MIN) r = WR_ROWS_MIN;
  return total < r ? total : r;
}

static uint64_t lcg(uint64_t *st) {
  *st = *st * 6364136223846793005ull + 1442695040888963407ull;
  return *st >> 33;
}

static pnn_wr_hessian *slot(pnn_wr_set *s, int32_t op, int32_t builtin,
                            int32_t weights, int32_t k, int32_t n_mat,
                            int32_t mult) {
  if (op < 0) return NULL;
  if (op >= s->n_ops) {
    int32_t n = op + 64;
    pnn_wr_hessian **b = realloc(s->by_op, (size_t)n * sizeof *b);
    if (!b) {
      s->failed = true;
      return NULL;
    }
    for (int32_t i = s->n_ops; i < n; i++) b[i] = NULL;
    s->by_op = b;
    s->n_ops = n;
  }
  pnn_wr_hessian *h = s->by_op[op];
  if (h) {
    if (h->k != k || h->n_mat != n_mat || h->weights != weights) return NULL;
    return h;
  }
  h = calloc(1, sizeof *h);
  if (h) h->h = calloc((size_t)n_mat * (size_t)k * (size_t)k, sizeof *h->h);
  if (!h || !h->h) {
    if (h) free(h);
    s->failed = true;
    return NULL;
  }
  h->builtin = builtin;
  h->weights = weights;
  h->k = k;
  h->n_mat = n_mat;
  h->mult = mult;
  s->by_op[op] = h;
  return h;
}

/* Upper triangle of H += x x^T, skipping zero entries of x (ReLU). */
static void rank1(double *H, const double *x, int32_t k) {
  for (int32_t i = 0; i < k; i++) {
    double xi = x[i];
    if (xi == 0.0) continue;
    double *row = H + (size_t)i * k;
    for (int32_t j = i; j < k; j++) row[j] += xi * x[j];
  }
}

static int64_t pick(int64_t total, int64_t n_rows, int64_t r, uint64_t *st) {
  return n_rows >= total ? r : (int64_t)(lcg(st) % (uint64_t)total);
}

void pnn_wr_observe(pnn_wr_set *s, const pnn_node *node) {
  if (!s || s->failed || node->subgraph != 0 || !node->def) return;
  int32_t b = node->builtin;
  if (b != PNN_OP_CONV_2D && b != PNN_OP_DEPTHWISE_CONV_2D &&
      b != PNN_OP_FULLY_CONNECTED)
    return;
  if (node->n_inputs < 2 || node->n_outputs < 1 || !node->inputs[0] ||
      !node->inputs[1] || !node->outputs[0] || node->def->inputs.count < 2)
    return;
  const pnn_tensor *x = node->inputs[0], *w = node->inputs[1],
                   *y = node->outputs[0];
  if (x->type != PNN_TYPE_FLOAT32 || w->type != PNN_TYPE_FLOAT32 || !x->data)
    return;
  const float *xv = x->data;
  int32_t widx = node->def->inputs.data[1];
  uint64_t st = (uint64_t)s->sample * 0x9E3779B97F4A7C15ull +
                (uint64_t)node->index * 7919u + 1u;
  if (b == PNN_OP_FULLY_CONNECTED) {
    if (w->rank != 2) return;
    int32_t k = w->dims[1];
    size_t n = x->bytes / sizeof(float);
    if (k < 1 || k > PNN_WR_MAX_K || n % (size_t)k) return;
    pnn_wr_hessian *h = slot(s, node->index, b, widx, k, 1, 1);
    if (!h) return;
    int64_t total = (int64_t)(n / (size_t)k);
    int64_t rows = rows_for(total, k);
    double *row = malloc((size_t)k * sizeof *row);
    if (!row) {
      s->failed = true;
      return;
    }
    for (int64_t r = 0; r < rows; r++) {
      const float *src = xv + pick(total, rows, r, &st) * k;
      for (int32_t i = 0; i < k; i++) row[i] = src[i];
      rank1(h->h, row, k);
    }
    h->rows += rows;
    free(row);
    return;
  }
  if (x->rank != 4 || w->rank != 4 || y->rank != 4) return;
  int32_t N = x->dims[0], H = x->dims[1], W = x->dims[2], C = x->dims[3];
  int32_t OH = y->dims[1], OW = y->dims[2];
  int32_t KH = w->dims[1], KW = w->dims[2];
  int32_t sh, sw, dh, dw, pad;
  if (b == PNN_OP_CONV_2D) {
    const pnn_conv2d_options *o = &node->options->conv2d;
    sh = o->stride_h, sw = o->stride_w, dh = o->dilation_h_factor,
    dw = o->dilation_w_factor, pad = o->padding;
  } else {
    const pnn_depthwise_conv2d_options *o = &node->options->depthwise_conv2d;
    sh = o->stride_h, sw = o->stride_w, dh = o->dilation_h_factor,
    dw = o->dilation_w_factor, pad = o->padding;
  }
  if (sh < 1 || sw < 1 || dh < 1 || dw < 1 || N < 1 || OH < 1 || OW < 1 ||
      KH < 1 || KW < 1 || C < 1)
    return;
  int64_t th = (int64_t)(OH - 1) * sh + (int64_t)(KH - 1) * dh + 1 - H;
  int64_t tw = (int64_t)(OW - 1) * sw + (int64_t)(KW - 1) * dw + 1 - W;
  int64_t ph = pad == PNN_PADDING_SAME && th > 0 ? th / 2 : 0;
  int64_t pw = pad == PNN_PADDING_SAME && tw > 0 ? tw / 2 : 0;
  int64_t total = (int64_t)N * OH * OW;
  int32_t taps = KH * KW;
  if (b == PNN_OP_CONV_2D) {
    if (w->dims[3] != C || (int64_t)taps * C > PNN_WR_MAX_K) return;
    int32_t k = taps * C;
    pnn_wr_hessian *h = slot(s, node->index, b, widx, k, 1, 1);
    if (!h) return;
    int64_t rows = rows_for(total, k);
    double *row = malloc((size_t)k * sizeof *row);
    if (!row) {
      s->failed = true;
      return;
    }
    for (int64_t r = 0; r < rows; r++) {
      int64_t p = pick(total, rows, r, &st);
      int64_t n = p / ((int64_t)OH * OW), oy = p / OW % OH, ox = p % OW;
      for (int32_t a = 0; a < KH; a++)
        for (int32_t c2 = 0; c2 < KW; c2++) {
          int64_t iy = oy * sh - ph + (int64_t)a * dh;
          int64_t ix = ox * sw - pw + (int64_t)c2 * dw;
          double *dst = row + ((size_t)a * KW + c2) * C;
          if (iy < 0 || iy >= H || ix < 0 || ix >= W) {
            for (int32_t c = 0; c < C; c++) dst[c] = 0;
          } else {
            const float *src = xv + ((n * H + iy) * W + ix) * C;
            for (int32_t c = 0; c < C; c++) dst[c] = src[c];
          }
        }
      rank1(h->h, row, k);
    }
    h->rows += rows;
    free(row);
    return;
  }
  /* depthwise: one taps x taps matrix per input channel */
  int32_t oc = w->dims[3];
  if (w->dims[0] != 1 || oc % C || taps > 64) return;
  pnn_wr_hessian *h = slot(s, node->index, b, widx, taps, C, oc / C);
  if (!h) return;
  int64_t rows = total < WR_ROWS_DW ? total : WR_ROWS_DW;
  double *row = malloc((size_t)taps * sizeof *row);
  if (!row) {
    s->failed = true;
    return;
  }
  for (int64_t r = 0; r < rows; r++) {
    int64_t p = pick(total, rows, r, &st);
    int64_t n = p / ((int64_t)OH * OW), oy = p / OW % OH, ox = p % OW;
    for (int32_t c = 0; c < C; c++) {
      for (int32_t a = 0; a < KH; a++)
        for (int32_t c2 = 0; c2 < KW; c2++) {
          int64_t iy = oy * sh - ph + (int64_t)a * dh;
          int64_t ix = ox * sw - pw + (int64_t)c2 * dw;
          row[a * KW + c2] = iy < 0 || iy >= H || ix < 0 || ix >= W
                                 ? 0.0
                                 : xv[((n * H + iy) * W + ix) * C + c];
        }
      rank1(h->h + (size_t)c * taps * taps, row, taps);
    }
  }
  h->rows += rows;
  free(row);
}

void pnn_wr_free(pnn_wr_set *s) {
  if (!s) return;
  for (int32_t i = 0; i < s->n_ops; i++)
    if (s->by_op[i]) {
      free(s->by_op[i]->h);
      free(s->by_op[i]);
    }
  free(s->by_op);
  memset(s, 0, sizeof *s);
}

const pnn_wr_hessian *pnn_wr_get(const pnn_wr_set *s, int32_t op_index,
                                 int32_t weights) {
  if (!s || op_index < 0 || op_index >= s->n_ops) return NULL;
  const pnn_wr_hessian *h = s->by_op[op_index];
  return h && h->weights == weights && h->rows > 0 ? h : NULL;
}

/* ------------------------------------------------------------ GPTQ */

static int cmp_desc(const void *a, const void *b, const double *d) {
  double x = d[*(const int32_t *)a], y = d[*(const int32_t *)b];
  return x < y ? 1 : x > y ? -1 : 0;
}

/* Insertion-free sort of perm by decreasing d (k is small enough for a
 * simple merge sort on indices). */
static void sort_perm(int32_t *perm, int32_t *tmp, int32_t k, const double *d) {
  if (k < 2) return;
  int32_t m = k / 2;
  sort_perm(perm, tmp, m, d);
  sort_perm(perm + m, tmp, k - m, d);
  int32_t i = 0, j = m, o = 0;
  while (i < m && j < k)
    tmp[o++] = cmp_desc(&perm[j], &perm[i], d) < 0 ? perm[j++] : perm[i++];
  while (i < m) tmp[o++] = perm[i++];
  while (j < k) tmp[o++] = perm[j++];
  memcpy(perm, tmp, (size_t)k * sizeof *perm);
}

/* From the upper triangle of h (k x k): perm (act order) and U, the upper
 * Cholesky factor of the inverse of the damped, permuted matrix. */
static bool gptq_factor(const double *h, int32_t k, double lambda,
                        int32_t *perm, double *U, double *A) {
  double mean = 0;
  for (int32_t i = 0; i < k; i++) mean += h[(size_t)i * k + i];
  mean /= k;
  if (!(mean > 0) || !isfinite(mean)) return false;
  double *diag = malloc((size_t)k * sizeof *diag);
  int32_t *tmp = malloc((size_t)k * sizeof *tmp);
  if (!diag || !tmp) {
    free(diag), free(tmp);
    return false;
  }
  for (int32_t i = 0; i < k; i++) {
    diag[i] = h[(size_t)i * k + i];
    perm[i] = i;
  }
  sort_perm(perm, tmp, k, diag);
  free(tmp);
  double damp = lambda * mean;
  for (int32_t i = 0; i < k; i++)
    for (int32_t j = 0; j < k; j++) {
      int32_t a = perm[i], b = perm[j];
      double v = a <= b ? h[(size_t)a * k + b] : h[(size_t)b * k + a];
      if (i == j) v = diag[a] > 0 ? v + damp : mean; /* dead input */
      A[(size_t)i * k + j] = v;
    }
  free(diag);
  /* A = R R^T, R upper (Cholesky from the last row up); R overwrites the
   * upper triangle of A. */
  for (int32_t j = k - 1; j >= 0; j--) {
    double *rj = A + (size_t)j * k;
    double d = rj[j];
    for (int32_t t = j + 1; t < k; t++) d -= rj[t] * rj[t];
    if (!(d > 0)) return false;
    d = sqrt(d);
    rj[j] = d;
    for (int32_t i = 0; i < j; i++) {
      double *ri = A + (size_t)i * k;
      double v = ri[j];
      for (int32_t t = j + 1; t < k; t++) v -= ri[t] * rj[t];
      ri[j] = v / d;
    }
  }
  /* U = R^-1 (upper), row by row: U R = I. */
  double *acc = malloc((size_t)k * sizeof *acc);
  if (!acc) return false;
  for (int32_t i = 0; i < k; i++) {
    double *ui = U + (size_t)i * k;
    for (int32_t j = 0; j < k; j++) acc[j] = 0, ui[j] = 0;
    for (int32_t t = i; t < k; t++) {
      const double *rt = A + (size_t)t * k;
      double u = ((t == i ? 1.0 : 0.0) - acc[t]) / rt[t];
      ui[t] = u;
      if (u != 0.0)
        for (int32_t j = t + 1; j < k; j++) acc[j] += u * rt[j];
    }
  }
  free(acc);
  return true;
}

/* One weight row w (k values, original column order; modified), scale s,
 * into q (original order). */
static void gptq_row(const double *U, const int32_t *perm, int32_t k,
                     double *w, double s, int8_t *q) {
  for (int32_t i = 0; i < k; i++) {
    int32_t c = perm[i];
    double x = nearbyint(w[c] / s);
    if (x > 127) x = 127;
    if (x < -127) x = -127;
    q[c] = (int8_t)x;
    const double *ui = U + (size_t)i * k;
    double e = (w[c] - x * s) / ui[i];
    if (e != 0.0)
      for (int32_t j = i + 1; j < k; j++) w[perm[j]] -= e * ui[j];
  }
}

bool pnn_wr_round(const pnn_wr_hessian *h, const pnn_tensor_def *wt,
                  const float *v, const float *scale, int8_t *q,
                  double lambda) {
  if (!h || !wt || !v || !scale || !q) return false;
  int32_t k = h->k;
  int32_t nout, stride_c, stride_k; /* element = c*stride_c + col*stride_k */
  if (h->builtin == PNN_OP_DEPTHWISE_CONV_2D) {
    if (wt->rank != 4 || wt->shape[0] != 1 ||
        wt->shape[1] * wt->shape[2] != k ||
        wt->shape[3] != h->n_mat * h->mult)
      return false;
    nout = wt->shape[3], stride_c = 1, stride_k = nout;
  } else {
    int64_t per = 1;
    for (int32_t d = 1; d < wt->rank; d++) per *= wt->shape[d];
    if (wt->rank < 2 || per != k || h->n_mat != 1) return false;
    nout = wt->shape[0], stride_c = k, stride_k = 1;
  }
  size_t kk = (size_t)k * k;
  int32_t *perm = malloc((size_t)k * sizeof *perm);
  double *U = malloc(kk * sizeof *U), *A = malloc(kk * sizeof *A);
  double *w = malloc((size_t)k * sizeof *w);
  int8_t *qr = malloc((size_t)k);
  int8_t *out = malloc((size_t)nout * k);
  bool ok = perm && U && A && w && qr && out;
  int32_t have = -1;   /* matrix currently factored */
  bool factored = false; /* ... successfully (else: nearest kept) */
  int32_t n_gptq = 0;
  for (int32_t c = 0; ok && c < nout; c++) {
    int32_t m = h->n_mat == 1 ? 0 : c / h->mult;
    if (m != have) {
      factored = gptq_factor(h->h + (size_t)m * kk, k, lambda, perm, U, A);
      have = m;
    }
    for (int32_t j = 0; j < k; j++) {
      int64_t e = (int64_t)c * stride_c + (int64_t)j * stride_k;
      w[j] = v[e];
      qr[j] = q[e];
    }
    if (factored && scale[c] > 0) {
      gptq_row(U, perm, k, w, scale[c], qr);
      n_gptq++;
    }
    for (int32_t j = 0; j < k; j++) out[(size_t)c * k + j] = qr[j];
  }
  ok = ok && n_gptq > 0;
  if (ok)
    for (int32_t c = 0; c < nout; c++)
      for (int32_t j = 0; j < k; j++)
        q[(int64_t)c * stride_c + (int64_t)j * stride_k] = out[(size_t)c * k + j];
  free(perm), free(U), free(A), free(w), free(qr), free(out);
  return ok;
}
