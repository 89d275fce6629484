/* Calibration: see calibrate.h. */
#include "tools/calibrate.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/runtime.h"

typedef struct calib_state {
  const pnn_calib_options *o;
  pnn_calib_ranges *r;
  double *sum_lo, *sum_hi; /* percentile: sums of per-sample percentiles */
  int32_t *count;          /* percentile: samples seen per tensor */
  float *scratch;
  size_t scratch_n;
  bool failed; /* out of memory inside the hook */
} calib_state;

/* k-th smallest of v[0..n) (v is reordered): quickselect. */
static float select_kth(float *v, size_t n, size_t k) {
  size_t lo = 0, hi = n - 1;
  while (lo < hi) {
    float pivot = v[lo + (hi - lo) / 2];
    size_t i = lo, j = hi;
    while (i <= j) {
      while (v[i] < pivot) i++;
      while (v[j] > pivot) j--;
      if (i <= j) {
        float t = v[i];
        v[i] = v[j];
        v[j] = t;
        i++;
        if (j == 0) break;
        j--;
      }
    }
    if (k <= j)
      hi = j;
    else if (k >= i)
      lo = i;
    else
      return v[k];
  }
  return v[k];
}

static void observe(calib_state *s, int32_t t, const float *v, size_t n) {
  pnn_calib_ranges *r = s->r;
  if (t < 0 || t >= r->n_tensors || n == 0) return;
  float lo = INFINITY, hi = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    if (v[i] < lo) lo = v[i];
    if (v[i] > hi) hi = v[i];
  }
  if (!isfinite(lo) || !isfinite(hi)) return; /* NaN/inf: not a range */
  if (s->o->method == PNN_CALIB_PERCENTILE && n > 1) {
    if (s->scratch_n < n) {
      float *p = realloc(s->scratch, n * sizeof *p);
      if (!p) {
        s->failed = true;
        return;
      }
      s->scratch = p;
      s->scratch_n = n;
    }
    memcpy(s->scratch, v, n * sizeof *v);
    double q = s->o->percentile / 100.0;
    size_t khi = (size_t)llround(q * (double)(n - 1));
    size_t klo = n - 1 - khi;
    float phi = select_kth(s->scratch, n, khi);
    float plo = select_kth(s->scratch, n, klo);
    s->sum_lo[t] += plo;
    s->sum_hi[t] += phi;
    s->count[t]++;
    r->min[t] = (float)(s->sum_lo[t] / s->count[t]);
    r->max[t] = (float)(s->sum_hi[t] / s->count[t]);
    r->seen[t] = true;
    return;
  }
  if (!r->seen[t] || lo < r->min[t]) r->min[t] = lo;
  if (!r->seen[t] || hi > r->max[t]) r->max[t] = hi;
  r->seen[t] = true;
}

static void observe_tensor(calib_state *s, pnn_tensor *t) {
  if (!t || pnn_tensor_type(t) != PNN_TYPE_FLOAT32) return;
  const float *v = pnn_tensor_data(t);
  if (!v) return;
  const pnn_rt_tensor *rt = (const pnn_rt_tensor *)t;
  observe(s, rt->index, v, pnn_tensor_byte_size(t) / sizeof(float));
}

static void hook(void *user, const pnn_node *node) {
  calib_state *s = user;
  for (int i = 0; i < node->n_outputs; i++)
    observe_tensor(s, node->outputs[i]);
}

void pnn_calib_options_init(pnn_calib_options *o) {
  memset(o, 0, sizeof *o);
  o->method = PNN_CALIB_MINMAX;
  o->percentile = 99.99;
  o->num_threads = 1;
}

void pnn_calib_ranges_free(pnn_calib_ranges *r) {
  if (!r) return;
  free(r->min);
  free(r->max);
  free(r->seen);
  memset(r, 0, sizeof *r);
}

static void set_err(char *err, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t size, const char *fmt, ...) {
  if (!err || !size) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, size, fmt, ap);
  va_end(ap);
}

pnn_status pnn_calibrate(const pnn_model *m, int n_samples,
                         pnn_calib_fill_fn fill, void *fill_user,
                         const pnn_calib_options *o, pnn_calib_ranges *out,
                         char *err, size_t err_size) {
  if (out) memset(out, 0, sizeof *out);
  if (!m || !fill || !o || !out) {
    set_err(err, err_size, "calibrate: NULL argument");
    return PNN_ERROR_INVALID_ARGUMENT;
  }
  if (n_samples < 1) {
    set_err(err, err_size, "calibrate: no calibration samples");
    return PNN_ERROR_INVALID_ARGUMENT;
  }
  if (o->method == PNN_CALIB_PERCENTILE &&
      !(o->percentile > 50.0 && o->percentile <= 100.0)) {
    set_err(err, err_size,
            "calibrate: percentile must be in (50, 100], got %g",
            o->percentile);
    return PNN_ERROR_INVALID_ARGUMENT;
  }
  if (m->def.n_subgraphs < 1) {
    set_err(err, err_size, "calibrate: model has no subgraph");
    return PNN_ERROR_INVALID_MODEL;
  }
  int32_t nt = m->def.subgraphs[0].n_tensors;
  calib_state s = {.o = o, .r = out};
  out->n_tensors = nt;
  out->min = calloc((size_t)nt + 1, sizeof *out->min);
  out->max = calloc((size_t)nt + 1, sizeof *out->max);
  out->seen = calloc((size_t)nt + 1, sizeof *out->seen);
  s.sum_lo = calloc((size_t)nt + 1, sizeof *s.sum_lo);
  s.sum_hi = calloc((size_t)nt + 1, sizeof *s.sum_hi);
  s.count = calloc((size_t)nt + 1, sizeof *s.count);
  pnn_interpreter *it = NULL;
  pnn_status st = PNN_ERROR_OUT_OF_MEMORY;
  if (!out->min || !out->max || !out->seen || !s.sum_lo || !s.sum_hi ||
      !s.count) {
    set_err(err, err_size, "calibrate: out of memory");
    goto done;
  }
  pnn_interpreter_options io;
  pnn_interpreter_options_init(&io);
  io.num_threads = o->num_threads;
  st = pnn_interpreter_create(m, &io, &it);
  if (st == PNN_OK) st = pnn_interpreter_allocate(it);
  if (st != PNN_OK) {
    set_err(err, err_size, "calibrate: cannot prepare the float model: %s",
            it ? pnn_interpreter_last_error(it) : pnn_status_string(st));
    goto done;
  }
  it->node_hook = hook;
  it->node_hook_user = &s;
  for (int i = 0; i < n_samples; i++) {
    char ferr[400] = "";
    if (fill(fill_user, i, it, ferr, sizeof ferr) != 0) {
      set_err(err, err_size, "calibration sample %d: %s", i, ferr);
      st = PNN_ERROR_INVALID_ARGUMENT;
      goto done;
    }
    for (int k = 0; k < pnn_interpreter_input_count(it); k++)
      observe_tensor(&s, pnn_interpreter_input(it, k));
    st = pnn_interpreter_invoke(it);
    if (st != PNN_OK || s.failed) {
      set_err(err, err_size, "calibration sample %d: %s", i,
              s.failed ? "out of memory" : pnn_interpreter_last_error(it));
      if (s.failed) st = PNN_ERROR_OUT_OF_MEMORY;
      goto done;
    }
    out->n_samples = i + 1;
    if (o->progress) o->progress(o->progress_user, i + 1, n_samples);
  }
  st = PNN_OK;
done:
  pnn_interpreter_free(it);
  free(s.sum_lo);
  free(s.sum_hi);
  free(s.count);
  free(s.scratch);
  if (st != PNN_OK) pnn_calib_ranges_free(out);
  return st;
}
