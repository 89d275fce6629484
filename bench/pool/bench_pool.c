/* Thread pool micro-benchmark (`make bench-pool`).
 *
 * 1. Fork/join overhead: the time of one pnn_threadpool_run of a job whose
 *    function does nothing, back to back (as ops come in an invoke), for
 *    1 and 2 (.. N) threads.
 * 2. A chain of memory-bound "ops" over activations of a few sizes: op k
 *    reads buffer k % 2 and writes buffer (k + 1) % 2 row by row (y = x *
 *    a + b, split over rows like an elementwise or depthwise op), so an op
 *    reads what the previous op wrote. Shows what a thread count gains on
 *    memory-bound ops and whether rows stay on the core that wrote them.
 *
 * Figures: median over REPEATS repeats of the mean per job. Usage:
 *   bench_pool [max_threads]   (default 2) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/threadpool.h"

enum { REPEATS = 7 };

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return v[n / 2];
}

static volatile int64_t g_sink;

static void empty_fn(void *arg, int64_t begin, int64_t end) {
  (void)arg;
  g_sink = end - begin;
}

typedef struct {
  const float *x;
  float *y;
  int64_t row;
} chain_job;

static void chain_rows(void *arg, int64_t begin, int64_t end) {
  const chain_job *j = arg;
  for (int64_t r = begin; r < end; r++) {
    const float *x = j->x + r * j->row;
    float *y = j->y + r * j->row;
    for (int64_t i = 0; i < j->row; i++) y[i] = x[i] * 0.5f + 1.0f;
  }
}

int main(int argc, char **argv) {
  int max_threads = argc > 1 ? atoi(argv[1]) : 2;
  if (max_threads < 1) max_threads = 1;
  printf("fork/join of an empty job (n = 64 items), back to back\n");
  printf("threads   ns per job\n");
  for (int t = 1; t <= max_threads; t++) {
    pnn_threadpool *p = pnn_threadpool_create(t);
    if (!p) return 1;
    const int jobs = 20000;
    double per[REPEATS];
    for (int r = 0; r < REPEATS; r++) {
      const double t0 = now_s();
      for (int i = 0; i < jobs; i++) pnn_threadpool_run(p, 64, empty_fn, NULL);
      per[r] = (now_s() - t0) / jobs * 1e9;
    }
    printf("%7d %12.0f\n", t, median(per, REPEATS));
    pnn_threadpool_free(p);
  }

  /* rows of 112 pixels x C channels: one NHWC activation row */
  static const struct {
    int64_t rows, row;
  } sizes[] = {{28, 28 * 32}, {56, 56 * 24}, {56, 56 * 144}, {112, 112 * 96}};
  printf("\nchain of 64 memory-bound ops (y = 0.5 x + 1 over rows; op k "
         "reads op k-1's output)\n");
  printf("%-22s", "activation");
  for (int t = 1; t <= max_threads; t++) printf("  %d thr us/op", t);
  printf("  speed-up 1->%d\n", max_threads);
  for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
    const int64_t n = sizes[s].rows * sizes[s].row;
    float *buf[2] = {malloc((size_t)n * sizeof(float)),
                     malloc((size_t)n * sizeof(float))};
    if (!buf[0] || !buf[1]) return 1;
    for (int64_t i = 0; i < n; i++) buf[0][i] = (float)(i % 7), buf[1][i] = 0;
    char name[64];
    snprintf(name, sizeof name, "%lld x %lld (%lld KB)",
             (long long)sizes[s].rows, (long long)sizes[s].row,
             (long long)(n * 4 / 1024));
    printf("%-22s", name);
    double first = 0, last = 0;
    for (int t = 1; t <= max_threads; t++) {
      pnn_threadpool *p = pnn_threadpool_create(t);
      if (!p) return 1;
      const int ops = 64;
      double per[REPEATS];
      for (int r = 0; r < REPEATS; r++) {
        const double t0 = now_s();
        for (int k = 0; k < ops; k++) {
          chain_job j = {buf[k & 1], buf[(k + 1) & 1], sizes[s].row};
          pnn_threadpool_run(p, sizes[s].rows, chain_rows, &j);
        }
        per[r] = (now_s() - t0) / ops * 1e6;
      }
      const double m = median(per, REPEATS);
      if (t == 1) first = m;
      last = m;
      printf("  %11.2f", m);
      pnn_threadpool_free(p);
    }
    printf("  %9.2fx\n", first / last);
    free(buf[0]);
    free(buf[1]);
  }
  return 0;
}
