/* Calibration: see calibrate.h.
 *
 * Pass 1 records every float32 tensor's min/max and per-channel sums.
 * Pass 2 (percentile, mse, analyze) runs the samples again and fills a
 * histogram of NBINS bins over each tensor's observed [min, max]; exact
 * zeros and values equal to the observed min/max are counted apart (ReLU
 * zeros and ReLU6 saturation are exactly representable, so they carry no
 * rounding error). The calibrators then pick each range from it:
 *
 *   percentile P: the (100-P)-th and P-th percentile of all values;
 *   mse: the [a, b] (a <= 0 <= b after the nudge, bin edges as candidates)
 *        that minimizes clipping error sum(cnt * (c - edge)^2) over the
 *        bins outside plus rounding error cnt * step^2 / 12 over the
 *        values inside (step = (b - a) / 255 for int8, b / 32767 with
 *        a = -b for int16), with prefix sums so each candidate is O(1),
 *        among the ranges that clip at most 1 % of the values. */
#include "tools/calibrate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/runtime.h"
#include "tools/weight_round.h"
#include "util/error.h"

#define NBINS 2048
#define MSE_MAX_CLIP 0.01

typedef struct hist {
  double lo, inv_w;
  uint64_t bins[NBINS];
  uint64_t zeros, at_min, at_max, total;
} hist;

typedef struct calib_state {
  const pnn_calib_options *o;
  pnn_calib_ranges *r;
  double **ch_sum;   /* pass 1: per-channel sums */
  int64_t *ch_count; /* pass 1: values per channel */
  hist **h;          /* pass 2 */
  int pass;
  bool failed; /* out of memory inside the hook */
} calib_state;

static void observe_minmax(calib_state *s, int32_t t, const float *v, size_t n,
                           int32_t nch) {
  pnn_calib_ranges *r = s->r;
  float lo = INFINITY, hi = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    if (v[i] < lo) lo = v[i];
    if (v[i] > hi) hi = v[i];
  }
  if (!isfinite(lo) || !isfinite(hi)) return; /* NaN/inf: not a range */
  if (!r->seen[t] || lo < r->obs_min[t]) r->obs_min[t] = lo;
  if (!r->seen[t] || hi > r->obs_max[t]) r->obs_max[t] = hi;
  r->seen[t] = true;
  if (nch < 1 || n % (size_t)nch) nch = 1;
  if (!s->ch_sum[t]) {
    s->ch_sum[t] = calloc((size_t)nch, sizeof(double));
    if (!s->ch_sum[t]) {
      s->failed = true;
      return;
    }
    r->n_ch[t] = nch;
  }
  if (r->n_ch[t] != nch) return; /* shape changed between samples */
  double *sum = s->ch_sum[t];
  for (size_t i = 0; i < n; i++) sum[i % (size_t)nch] += v[i];
  s->ch_count[t] += (int64_t)(n / (size_t)nch);
}

static void observe_hist(calib_state *s, int32_t t, const float *v, size_t n) {
  pnn_calib_ranges *r = s->r;
  if (!r->seen[t]) return;
  hist *h = s->h[t];
  if (!h) {
    h = s->h[t] = calloc(1, sizeof *h);
    if (!h) {
      s->failed = true;
      return;
    }
    double w = ((double)r->obs_max[t] - r->obs_min[t]) / NBINS;
    h->lo = r->obs_min[t];
    h->inv_w = w > 0 ? 1.0 / w : 0;
  }
  const float mn = r->obs_min[t], mx = r->obs_max[t];
  for (size_t i = 0; i < n; i++) {
    float x = v[i];
    if (!(x >= mn && x <= mx)) continue; /* NaN */
    if (x == 0.0f) h->zeros++;
    if (x == mn) h->at_min++;
    if (x == mx) h->at_max++;
    double b = ((double)x - h->lo) * h->inv_w;
    int k = b >= NBINS ? NBINS - 1 : (int)b;
    h->bins[k]++;
    h->total++;
  }
}

static void observe_tensor(calib_state *s, pnn_tensor *t) {
  if (!t || pnn_tensor_type(t) != PNN_TYPE_FLOAT32) return;
  const float *v = pnn_tensor_data(t);
  if (!v) return;
  const pnn_rt_tensor *rt = (const pnn_rt_tensor *)t;
  int32_t ti = rt->index;
  size_t n = pnn_tensor_byte_size(t) / sizeof(float);
  if (ti < 0 || ti >= s->r->n_tensors || n == 0) return;
  int rank = pnn_tensor_rank(t);
  int32_t nch = rank > 0 ? pnn_tensor_dim(t, rank - 1) : 1;
  if (s->pass == 1)
    observe_minmax(s, ti, v, n, nch);
  else
    observe_hist(s, ti, v, n);
}

static void hook(void *user, const pnn_node *node) {
  calib_state *s = user;
  if (node->subgraph != 0) return; /* tensor indices are subgraph 0's */
  for (int i = 0; i < node->n_outputs; i++)
    observe_tensor(s, node->outputs[i]);
  if (s->pass == 1 && s->r->wr) {
    pnn_wr_observe(s->r->wr, node);
    if (s->r->wr->failed) s->failed = true;
  }
}

/* ------------------------------------------------ range from histogram */

typedef struct prefix {
  double *s0, *s1, *s2; /* NBINS + 1 each: sums of cnt, cnt*c, cnt*c^2 */
  double lo, w;
} prefix;

static void prefix_build(const hist *h, double lo, double hi, prefix *p) {
  p->lo = lo;
  p->w = (hi - lo) / NBINS;
  p->s0[0] = p->s1[0] = p->s2[0] = 0;
  for (int k = 0; k < NBINS; k++) {
    double c = lo + (k + 0.5) * p->w, n = (double)h->bins[k];
    p->s0[k + 1] = p->s0[k] + n;
    p->s1[k + 1] = p->s1[k] + n * c;
    p->s2[k + 1] = p->s2[k] + n * c * c;
  }
}

/* Squared error of the values in bins [k0, k1) clipped to `edge`. */
static double clip_err(const prefix *p, int k0, int k1, double edge) {
  if (k1 <= k0) return 0;
  double n = p->s0[k1] - p->s0[k0], s1 = p->s1[k1] - p->s1[k0],
         s2 = p->s2[k1] - p->s2[k0];
  double e = s2 - 2 * edge * s1 + edge * edge * n;
  return e > 0 ? e : 0;
}

/* Quantization error of range [edge ka, edge kb] (ka <= kb). */
static double range_err(const hist *h, const prefix *p, int ka, int kb,
                        int bits, double *clipped) {
  double a = p->lo + ka * p->w, b = p->lo + kb * p->w;
  if (ka == 0) a = p->lo;
  if (kb == NBINS) b = p->lo + NBINS * p->w;
  double mn = a < 0 ? a : 0, mx = b > 0 ? b : 0, step;
  if (bits == 16) {
    double m = fabs(mn) > fabs(mx) ? fabs(mn) : fabs(mx);
    step = m / 32767.0;
  } else {
    step = (mx - mn) / 255.0;
  }
  double inside = p->s0[kb] - p->s0[ka] - (double)h->zeros;
  /* values at an exactly representable end carry no rounding error */
  if (kb == NBINS && mn == 0 && bits == 8) inside -= (double)h->at_max;
  if (ka == 0 && mx == 0 && bits == 8) inside -= (double)h->at_min;
  if (inside < 0) inside = 0;
  if (clipped) *clipped = p->s0[ka] + (p->s0[NBINS] - p->s0[kb]);
  return clip_err(p, 0, ka, a) + clip_err(p, kb, NBINS, b) +
         inside * step * step / 12.0;
}

static int bin_of(const prefix *p, double x) {
  if (p->w <= 0) return 0;
  int k = (int)floor((x - p->lo) / p->w);
  return k < 0 ? 0 : k > NBINS ? NBINS : k;
}

/* The MSE-optimal bin-edge range [ka, kb]. */
static void mse_search(const hist *h, const prefix *p, int bits, int *ka_out,
                       int *kb_out) {
  int kz = bin_of(p, 0.0); /* the bin holding 0 */
  bool has_neg = p->lo < 0, has_pos = p->lo + NBINS * p->w > 0;
  int best_a = 0, best_b = NBINS;
  double best = INFINITY;
  /* At most MSE_MAX_CLIP of the values may be clipped: the error model
   * counts clipping errors as independent, but clipping many values by a
   * little (e.g. the bunched minimum of swish) shifts them all the same
   * way, a bias that sums coherently in the next conv or mean. */
  double max_clip = MSE_MAX_CLIP * (double)h->total;
  if (bits == 16) { /* symmetric: one parameter */
    double m = fmax(fabs(p->lo), fabs(p->lo + NBINS * p->w));
    for (int i = 1; i <= 512; i++) {
      double t = m * i / 512.0;
      int ka = has_neg ? bin_of(p, -t) : 0, kb = has_pos ? bin_of(p, t) : 0;
      if (!has_pos) kb = NBINS;
      if (i == 512) ka = 0, kb = NBINS;
      if (kb < ka) continue;
      double clipped;
      double e = range_err(h, p, ka, kb, bits, &clipped);
      if (e < best && (clipped <= max_clip || i == 512))
        best = e, best_a = ka, best_b = kb;
    }
  } else {
    /* candidates: edges below/at 0 for a, at/above 0 for b, at most 512
     * each (every step-th edge, always including the observed ends). */
    int a_hi = has_neg ? (kz < NBINS ? kz : NBINS) : 0;
    int b_lo = has_pos ? (kz + 1 <= NBINS ? kz + 1 : NBINS) : NBINS;
    if (!has_pos) b_lo = NBINS;
    int sa = a_hi / 512 + 1, sb = (NBINS - b_lo) / 512 + 1;
    for (int i = 0;; i++) {
      int ka = i * sa < a_hi ? i * sa : a_hi;
      for (int j = 0;; j++) {
        int kb = NBINS - j * sb > b_lo ? NBINS - j * sb : b_lo;
        double clipped;
        double e = range_err(h, p, ka, kb, bits, &clipped);
        if (e < best && clipped <= max_clip)
          best = e, best_a = ka, best_b = kb;
        if (kb == b_lo) break;
      }
      if (ka == a_hi) break;
    }
  }
  *ka_out = best_a;
  *kb_out = best_b;
}

/* Value below which a fraction q of the histogram lies (linear inside a
 * bin). */
static double hist_quantile(const hist *h, const prefix *p, double q) {
  double want = q * (double)h->total;
  for (int k = 0; k < NBINS; k++) {
    if (p->s0[k + 1] >= want) {
      double n = (double)h->bins[k];
      double f = n > 0 ? (want - p->s0[k]) / n : 0;
      return p->lo + (k + f) * p->w;
    }
  }
  return p->lo + NBINS * p->w;
}

static void choose_range(const pnn_calib_options *o, const hist *h,
                         pnn_calib_ranges *r, int32_t t, prefix *p) {
  double lo = r->obs_min[t], hi = r->obs_max[t];
  r->min[t] = (float)lo;
  r->max[t] = (float)hi;
  if (!h || h->total == 0 || !(hi > lo)) return;
  prefix_build(h, lo, hi, p);
  int bits = o->bits == 16 ? 16 : 8;
  int ka = 0, kb = NBINS;
  if (o->method == PNN_CALIB_PERCENTILE) {
    double q = o->percentile / 100.0;
    double a = hist_quantile(h, p, 1.0 - q), b = hist_quantile(h, p, q);
    if (a < lo) a = lo;
    if (b > hi) b = hi;
    r->min[t] = (float)a;
    r->max[t] = (float)b;
    ka = bin_of(p, a);
    kb = b >= hi ? NBINS : bin_of(p, b) + 1;
    if (kb > NBINS) kb = NBINS;
  } else if (o->method == PNN_CALIB_MSE) {
    mse_search(h, p, bits, &ka, &kb);
    r->min[t] = ka == 0 ? (float)lo : (float)(lo + ka * p->w);
    r->max[t] = kb == NBINS ? (float)hi : (float)(lo + kb * p->w);
  }
  if (kb < ka) kb = ka;
  double clipped;
  double e = range_err(h, p, ka, kb, bits, &clipped);
  double sig = p->s2[NBINS];
  r->snr_db[t] = e > 0 ? (float)(10.0 * log10(sig / e)) : INFINITY;
  r->clipped[t] = (float)(clipped / (double)h->total);
}

/* ------------------------------------------------------------- driver */

void pnn_calib_options_init(pnn_calib_options *o) {
  memset(o, 0, sizeof *o);
  o->method = PNN_CALIB_MINMAX;
  o->percentile = 99.99;
  o->num_threads = 1;
  o->bits = 8;
}

void pnn_calib_ranges_free(pnn_calib_ranges *r) {
  if (!r) return;
  if (r->ch_mean)
    for (int32_t t = 0; t < r->n_tensors; t++) free(r->ch_mean[t]);
  free(r->ch_mean);
  free(r->n_ch);
  free(r->min);
  free(r->max);
  free(r->obs_min);
  free(r->obs_max);
  free(r->snr_db);
  free(r->clipped);
  free(r->seen);
  pnn_wr_free(r->wr);
  free(r->wr);
  memset(r, 0, sizeof *r);
}

/* One pass over the samples. */
static pnn_status run_pass(calib_state *s, pnn_interpreter *it, int n_samples,
                           pnn_calib_fill_fn fill, void *fill_user,
                           int progress_base, int progress_total, char *err,
                           size_t err_size) {
  const pnn_calib_options *o = s->o;
  for (int i = 0; i < n_samples; i++) {
    char ferr[400] = "";
    if (fill(fill_user, i, it, ferr, sizeof ferr) != 0) {
      pnn_set_err(err, err_size, "calibration sample %d: %s", i, ferr);
      return PNN_ERROR_INVALID_ARGUMENT;
    }
    for (int k = 0; k < pnn_interpreter_input_count(it); k++)
      observe_tensor(s, pnn_interpreter_input(it, k));
    if (s->r->wr) s->r->wr->sample = i;
    pnn_status st = pnn_interpreter_invoke(it);
    if (st != PNN_OK || s->failed) {
      pnn_set_err(err, err_size, "calibration sample %d: %s", i,
                  s->failed ? "out of memory" : pnn_interpreter_last_error(it));
      return s->failed ? PNN_ERROR_OUT_OF_MEMORY : st;
    }
    if (s->pass == 1) s->r->n_samples = i + 1;
    if (o->progress)
      o->progress(o->progress_user, progress_base + i + 1, progress_total);
  }
  return PNN_OK;
}

pnn_status pnn_calibrate(const pnn_model *m, int n_samples,
                         pnn_calib_fill_fn fill, void *fill_user,
                         const pnn_calib_options *o, pnn_calib_ranges *out,
                         char *err, size_t err_size) {
  if (out) memset(out, 0, sizeof *out);
  if (!m || !fill || !o || !out) {
    pnn_set_err(err, err_size, "calibrate: NULL argument");
    return PNN_ERROR_INVALID_ARGUMENT;
  }
  if (n_samples < 1) {
    pnn_set_err(err, err_size, "calibrate: no calibration samples");
    return PNN_ERROR_INVALID_ARGUMENT;
  }
  if (o->method == PNN_CALIB_PERCENTILE &&
      !(o->percentile > 50.0 && o->percentile <= 100.0)) {
    pnn_set_err(err, err_size,
                "calibrate: percentile must be in (50, 100], got %g",
                o->percentile);
    return PNN_ERROR_INVALID_ARGUMENT;
  }
  if (o->method != PNN_CALIB_MINMAX && o->method != PNN_CALIB_PERCENTILE &&
      o->method != PNN_CALIB_MSE) {
    pnn_set_err(err, err_size, "calibrate: unknown calibrator %d",
                (int)o->method);
    return PNN_ERROR_INVALID_ARGUMENT;
  }
  if (m->def.n_subgraphs < 1) {
    pnn_set_err(err, err_size, "calibrate: model has no subgraph");
    return PNN_ERROR_INVALID_MODEL;
  }
  int32_t nt = m->def.subgraphs[0].n_tensors;
  size_t n1 = (size_t)nt + 1;
  calib_state s = {.o = o, .r = out, .pass = 1};
  out->n_tensors = nt;
  out->min = calloc(n1, sizeof *out->min);
  out->max = calloc(n1, sizeof *out->max);
  out->obs_min = calloc(n1, sizeof *out->obs_min);
  out->obs_max = calloc(n1, sizeof *out->obs_max);
  out->snr_db = calloc(n1, sizeof *out->snr_db);
  out->clipped = calloc(n1, sizeof *out->clipped);
  out->n_ch = calloc(n1, sizeof *out->n_ch);
  out->ch_mean = calloc(n1, sizeof *out->ch_mean);
  out->seen = calloc(n1, sizeof *out->seen);
  if (o->hessians) out->wr = calloc(1, sizeof *out->wr);
  s.ch_sum = calloc(n1, sizeof *s.ch_sum);
  s.ch_count = calloc(n1, sizeof *s.ch_count);
  bool hist_pass = o->method != PNN_CALIB_MINMAX || o->analyze;
  if (hist_pass) s.h = calloc(n1, sizeof *s.h);
  prefix p = {0};
  p.s0 = malloc((NBINS + 1) * sizeof(double));
  p.s1 = malloc((NBINS + 1) * sizeof(double));
  p.s2 = malloc((NBINS + 1) * sizeof(double));
  pnn_interpreter *it = NULL;
  pnn_status st = PNN_ERROR_OUT_OF_MEMORY;
  if (!out->min || !out->max || !out->obs_min || !out->obs_max ||
      !out->snr_db || !out->clipped || !out->n_ch || !out->ch_mean ||
      (o->hessians && !out->wr) ||
      !out->seen || !s.ch_sum || !s.ch_count || (hist_pass && !s.h) || !p.s0 ||
      !p.s1 || !p.s2) {
    pnn_set_err(err, err_size, "calibrate: out of memory");
    goto done;
  }
  pnn_interpreter_options io;
  pnn_interpreter_options_init(&io);
  io.num_threads = o->num_threads;
  st = pnn_interpreter_create(m, &io, &it);
  if (st == PNN_OK) {
    /* Before allocate: then no prepare-time fusion (runtime/fuse.c), and
     * the hook sees every op write its own output. */
    it->node_hook = hook;
    it->node_hook_user = &s;
    st = pnn_interpreter_allocate(it);
  }
  if (st != PNN_OK) {
    pnn_set_err(err, err_size, "calibrate: cannot prepare the float model: %s",
                it ? pnn_interpreter_last_error(it) : pnn_status_string(st));
    goto done;
  }
  int total = hist_pass ? 2 * n_samples : n_samples;
  st = run_pass(&s, it, n_samples, fill, fill_user, 0, total, err, err_size);
  if (st != PNN_OK) goto done;
  if (hist_pass) {
    s.pass = 2;
    st = run_pass(&s, it, n_samples, fill, fill_user, n_samples, total, err,
                  err_size);
    if (st != PNN_OK) goto done;
  }
  for (int32_t t = 0; t < nt; t++) {
    out->snr_db[t] = NAN;
    out->clipped[t] = 0;
    if (!out->seen[t]) continue;
    choose_range(o, hist_pass ? s.h[t] : NULL, out, t, &p);
    if (s.ch_sum[t] && s.ch_count[t] > 0) {
      int32_t c = out->n_ch[t];
      out->ch_mean[t] = malloc((size_t)c * sizeof(double));
      if (!out->ch_mean[t]) {
        st = PNN_ERROR_OUT_OF_MEMORY;
        pnn_set_err(err, err_size, "calibrate: out of memory");
        goto done;
      }
      for (int32_t k = 0; k < c; k++)
        out->ch_mean[t][k] = s.ch_sum[t][k] / (double)s.ch_count[t];
    }
  }
  st = PNN_OK;
done:
  pnn_interpreter_free(it);
  for (int32_t t = 0; t < nt; t++) {
    if (s.ch_sum) free(s.ch_sum[t]);
    if (s.h) free(s.h[t]);
  }
  free(s.ch_sum);
  free(s.ch_count);
  free(s.h);
  free(p.s0);
  free(p.s1);
  free(p.s2);
  if (st != PNN_OK) pnn_calib_ranges_free(out);
  return st;
}

/* ------------------------------------------------- quantized vs float */

typedef struct cmp_state {
  int32_t nf;  /* float model tensors */
  float **ref; /* per float tensor: its values in the current sample */
  size_t *ref_n;
  const int32_t *map; /* q tensor index -> float tensor index or -1 */
  int32_t nq;
  double *sig, *noise;
  int pass; /* 1: float run (copy), 2: quantized run (compare) */
  bool failed;
} cmp_state;

static void cmp_tensor(cmp_state *c, const pnn_tensor *t) {
  if (!t || !t->data) return;
  int32_t ti = ((const pnn_rt_tensor *)t)->index;
  if (c->pass == 1) {
    if (t->type != PNN_TYPE_FLOAT32 || ti < 0 || ti >= c->nf) return;
    size_t n = t->bytes / sizeof(float);
    if (!c->ref[ti]) {
      c->ref[ti] = malloc(n * sizeof(float) + 1);
      if (!c->ref[ti]) {
        c->failed = true;
        return;
      }
      c->ref_n[ti] = n;
    }
    if (c->ref_n[ti] == n) memcpy(c->ref[ti], t->data, n * sizeof(float));
    return;
  }
  if (ti < 0 || ti >= c->nq || c->map[ti] < 0) return;
  int32_t f = c->map[ti];
  const float *r = c->ref[f];
  if (!r) return;
  size_t es = pnn_type_size(t->type), n = es ? t->bytes / es : 0;
  if (n != c->ref_n[f]) return;
  double sig = 0, noise = 0;
  for (size_t i = 0; i < n; i++) {
    double v;
    switch (t->type) {
      case PNN_TYPE_FLOAT32: v = ((const float *)t->data)[i]; break;
      case PNN_TYPE_INT8:
        v = ((double)((const int8_t *)t->data)[i] - t->zero_point) * t->scale;
        break;
      case PNN_TYPE_UINT8:
        v = ((double)((const uint8_t *)t->data)[i] - t->zero_point) * t->scale;
        break;
      case PNN_TYPE_INT16:
        v = ((double)((const int16_t *)t->data)[i] - t->zero_point) * t->scale;
        break;
      default: return;
    }
    if (t->type != PNN_TYPE_FLOAT32 && t->scale <= 0) return;
    double d = (double)r[i] - v;
    sig += (double)r[i] * r[i];
    noise += d * d;
  }
  c->sig[f] += sig;
  c->noise[f] += noise;
}

static void cmp_hook(void *user, const pnn_node *node) {
  cmp_state *c = user;
  if (node->subgraph != 0) return;
  for (int i = 0; i < node->n_outputs; i++) cmp_tensor(c, node->outputs[i]);
}

void pnn_calib_compare_free(pnn_calib_compare *c) {
  if (!c) return;
  free(c->snr_db);
  memset(c, 0, sizeof *c);
}

pnn_status pnn_calib_compare_models(const pnn_model *flt, const pnn_model *q,
                                    int n_samples, pnn_calib_fill_fn fill,
                                    void *fill_user, pnn_calib_compare *out,
                                    char *err, size_t err_size) {
  if (out) memset(out, 0, sizeof *out);
  if (!flt || !q || !fill || !out || n_samples < 1 ||
      flt->def.n_subgraphs < 1 || q->def.n_subgraphs < 1) {
    pnn_set_err(err, err_size, "compare: bad arguments");
    return PNN_ERROR_INVALID_ARGUMENT;
  }
  const pnn_subgraph_def *fs = &flt->def.subgraphs[0],
                         *qs = &q->def.subgraphs[0];
  cmp_state c = {.nf = fs->n_tensors, .nq = qs->n_tensors};
  size_t nf1 = (size_t)c.nf + 1;
  int32_t *map = malloc(((size_t)c.nq + 1) * sizeof *map);
  c.ref = calloc(nf1, sizeof *c.ref);
  c.ref_n = calloc(nf1, sizeof *c.ref_n);
  c.sig = calloc(nf1, sizeof *c.sig);
  c.noise = calloc(nf1, sizeof *c.noise);
  out->snr_db = calloc(nf1, sizeof *out->snr_db);
  out->n_tensors = c.nf;
  pnn_interpreter *fi = NULL, *qi = NULL;
  pnn_status st = PNN_ERROR_OUT_OF_MEMORY;
  if (!map || !c.ref || !c.ref_n || !c.sig || !c.noise || !out->snr_db) {
    pnn_set_err(err, err_size, "compare: out of memory");
    goto done;
  }
  c.map = map;
  for (int32_t t = 0; t < c.nq; t++) {
    map[t] = -1;
    const char *nm = qs->tensors[t].name;
    if (!nm) continue;
    for (int32_t f = 0; f < c.nf; f++)
      if (fs->tensors[f].name && fs->tensors[f].type == PNN_TYPE_FLOAT32 &&
          !strcmp(fs->tensors[f].name, nm)) {
        map[t] = f;
        break;
      }
  }
  pnn_interpreter_options io;
  pnn_interpreter_options_init(&io);
  st = pnn_interpreter_create(flt, &io, &fi);
  if (st == PNN_OK) st = pnn_interpreter_create(q, &io, &qi);
  if (st == PNN_OK) {
    /* Before allocate: no prepare-time fusion (runtime/fuse.c). */
    fi->node_hook = qi->node_hook = cmp_hook;
    fi->node_hook_user = qi->node_hook_user = &c;
    st = pnn_interpreter_allocate(fi);
  }
  if (st == PNN_OK) st = pnn_interpreter_allocate(qi);
  if (st != PNN_OK) {
    pnn_set_err(err, err_size, "compare: cannot prepare the models: %s",
                qi   ? pnn_interpreter_last_error(qi)
                : fi ? pnn_interpreter_last_error(fi)
                     : pnn_status_string(st));
    goto done;
  }
  for (int i = 0; i < n_samples; i++) {
    char ferr[400] = "";
    if (fill(fill_user, i, fi, ferr, sizeof ferr) != 0) {
      pnn_set_err(err, err_size, "sample %d: %s", i, ferr);
      st = PNN_ERROR_INVALID_ARGUMENT;
      goto done;
    }
    /* the quantized model's float input (or its int8/uint8 input from the
     * float values) */
    pnn_tensor *fin = pnn_interpreter_input(fi, 0);
    pnn_tensor *qin = pnn_interpreter_input(qi, 0);
    if (!fin || !qin ||
        pnn_tensor_byte_size(fin) / 4 !=
            pnn_tensor_byte_size(qin) / pnn_type_size(pnn_tensor_type(qin))) {
      pnn_set_err(err, err_size, "compare: input 0 sizes differ");
      st = PNN_ERROR_INVALID_ARGUMENT;
      goto done;
    }
    const float *src = pnn_tensor_data(fin);
    size_t n = pnn_tensor_byte_size(fin) / sizeof(float);
    if (pnn_tensor_type(qin) == PNN_TYPE_FLOAT32) {
      memcpy(pnn_tensor_data(qin), src, n * sizeof(float));
    } else {
      const pnn_tensor *qt = qin;
      int lo = qt->type == PNN_TYPE_UINT8 ? 0 : -128;
      int hi = qt->type == PNN_TYPE_UINT8 ? 255 : 127;
      if (qt->scale <= 0 ||
          (qt->type != PNN_TYPE_INT8 && qt->type != PNN_TYPE_UINT8)) {
        pnn_set_err(err, err_size, "compare: unsupported input type");
        st = PNN_ERROR_UNSUPPORTED;
        goto done;
      }
      uint8_t *dst = pnn_tensor_data(qin);
      for (size_t k = 0; k < n; k++) {
        double v = nearbyint(src[k] / qt->scale) + qt->zero_point;
        int x = v < lo ? lo : v > hi ? hi : (int)v;
        dst[k] = (uint8_t)x;
      }
    }
    c.pass = 1;
    cmp_tensor(&c, fin);
    st = pnn_interpreter_invoke(fi);
    c.pass = 2;
    cmp_tensor(&c, qin);
    if (st == PNN_OK) st = pnn_interpreter_invoke(qi);
    if (st != PNN_OK || c.failed) {
      pnn_set_err(err, err_size, "sample %d: %s", i,
                  c.failed ? "out of memory" : "a model failed to run");
      if (c.failed) st = PNN_ERROR_OUT_OF_MEMORY;
      goto done;
    }
  }
  for (int32_t f = 0; f < c.nf; f++)
    out->snr_db[f] = c.sig[f] > 0 && c.noise[f] > 0
                         ? (float)(10.0 * log10(c.sig[f] / c.noise[f]))
                     : c.sig[f] > 0 ? INFINITY
                                    : NAN;
  st = PNN_OK;
done:
  pnn_interpreter_free(fi);
  pnn_interpreter_free(qi);
  if (c.ref)
    for (int32_t f = 0; f < c.nf; f++) free(c.ref[f]);
  free(c.ref);
  free(c.ref_n);
  free(c.sig);
  free(c.noise);
  free(map);
  if (st != PNN_OK) pnn_calib_compare_free(out);
  return st;
}
