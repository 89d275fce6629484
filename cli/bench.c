/* `pocketnn bench`: init time (load + allocate), first run, latency
 * statistics over timed runs, arena and persistent bytes, peak RSS, and an
 * optional per-op profile from the public profiling API. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli.h"
#include "json.h"

static const char kUsage[] =
    "usage: pocketnn bench MODEL [--threads N] [--warmup W] [--runs R]\n"
    "           [--json] [--profile]\n"
    "  Inputs are filled with seeded random values (as run --fill\n"
    "  random:1). After a first run, W warm-up runs (default 3) and R timed\n"
    "  runs (default 20) give median/mean/min/p90/max latency.\n"
    "  --profile  time per op and per op type (mean over the timed runs)\n"
    "  --json     one JSON document instead of text\n" CLI_LIMITS_HELP
    CLI_FLOAT_ACC_HELP;

typedef struct {
  const char *model;
  long threads, warmup, runs;
  bool json, profile;
} bench_args;

typedef struct {
  double init_ms, first_ms;
  double median, mean, min, p90, max;
  size_t arena, persistent;
  long peak_rss_kb;
  long base_rss_kb; /* max RSS before the model is loaded */
  int n_ops;
  uint64_t *op_ns; /* summed over the timed runs, per op */
} bench_result;

static int parse_args(int argc, char **argv, bench_args *a) {
  memset(a, 0, sizeof *a);
  a->threads = 1;
  a->warmup = 3;
  a->runs = 20;
  for (int i = 1; i < argc; i++) {
    const char *v;
    int m;
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      fputs(kUsage, stdout);
      return -1;
    } else if (strcmp(argv[i], "--json") == 0) {
      a->json = true;
    } else if (strcmp(argv[i], "--profile") == 0) {
      a->profile = true;
    } else if ((m = cli_threads_option(argc, argv, &i, kUsage, &a->threads))) {
      if (m != 1) return m;
    } else if ((m = cli_opt_value(argc, argv, &i, "--warmup", &v)) != 0) {
      if (m < 0 || !cli_parse_long(v, 0, 1000000, &a->warmup))
        return cli_usage_error(kUsage, "--warmup takes a number >= 0");
    } else if ((m = cli_opt_value(argc, argv, &i, "--runs", &v)) != 0) {
      if (m < 0 || !cli_parse_long(v, 1, 1000000, &a->runs))
        return cli_usage_error(kUsage, "--runs takes a number >= 1");
    } else if ((m = cli_limit_option(argc, argv, &i, kUsage)) != 0) {
      if (m != 1) return m;
    } else if ((m = cli_float_acc_option(argc, argv, &i, kUsage)) != 0) {
      if (m != 1) return m;
    } else if ((m = cli_model_arg(argv[i], kUsage, &a->model))) {
      return m;
    }
  }
  if (!a->model) return cli_usage_error(kUsage, "missing MODEL");
  return 0;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Latency statistics of the timed runs (sorted in place). */
static void latency_stats(double *ms, long n, bench_result *r) {
  qsort(ms, (size_t)n, sizeof *ms, cmp_double);
  double sum = 0;
  for (long i = 0; i < n; i++) sum += ms[i];
  r->min = ms[0];
  r->max = ms[n - 1];
  r->mean = sum / (double)n;
  r->median = n % 2 ? ms[n / 2] : 0.5 * (ms[n / 2 - 1] + ms[n / 2]);
  /* Nearest-rank p90. */
  long rank = (long)ceil(0.9 * (double)n);
  r->p90 = ms[rank > 0 ? rank - 1 : 0];
}

static int invoke(pnn_interpreter *it, const char *model, double *ms) {
  double t0 = cli_now();
  pnn_status st = pnn_interpreter_invoke(it);
  *ms = (cli_now() - t0) * 1e3;
  if (st != PNN_OK)
    return cli_error("%s: invoke failed: %s", model,
                     pnn_interpreter_last_error(it));
  return 0;
}

static void fill_inputs(pnn_interpreter *it) {
  for (int i = 0; i < pnn_interpreter_input_count(it); i++) {
    pnn_tensor *t = pnn_interpreter_input(it, i);
    cli_fill_tensor(pnn_tensor_type(t), pnn_tensor_data(t),
                    pnn_tensor_byte_size(t), true, 1 + (uint64_t)i);
  }
}

static int timed_runs(pnn_interpreter *it, const bench_args *a,
                      bench_result *r) {
  double *ms = malloc((size_t)a->runs * sizeof *ms);
  if (!ms) return cli_error("out of memory");
  int rc = 0;
  for (long i = 0; !rc && i < a->runs; i++) {
    rc = invoke(it, a->model, &ms[i]);
    for (int k = 0; !rc && r->op_ns && k < r->n_ops; k++) {
      uint64_t ns = 0;
      if (pnn_interpreter_op_profile(it, k, &ns)) r->op_ns[k] += ns;
    }
  }
  if (!rc) latency_stats(ms, a->runs, r);
  free(ms);
  return rc;
}

/* This process's peak RSS in KB: Linux's VmHWM (per address space, so
 * it starts afresh at exec), else getrusage's ru_maxrss, which Linux
 * carries over from the parent across fork + exec (a child of a large
 * process would report the parent's size). */
static long peak_rss_kb(void) {
  FILE *f = fopen("/proc/self/status", "r");
  if (f) {
    char line[256];
    long kb = -1;
    while (fgets(line, sizeof line, f))
      if (sscanf(line, "VmHWM: %ld kB", &kb) == 1) break;
    fclose(f);
    if (kb >= 0) return kb;
  }
  struct rusage ru;
  return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : 0;
}

static int bench(const bench_args *a, pnn_interpreter **it_out,
                 pnn_model **model_out, bench_result *r) {
  r->base_rss_kb = peak_rss_kb();
  double t0 = cli_now();
  int rc = cli_load_model(a->model, model_out);
  if (!rc) rc = cli_create_interpreter(*model_out, (int)a->threads, it_out);
  if (rc) return rc;
  pnn_interpreter *it = *it_out;
  if (pnn_interpreter_allocate(it) != PNN_OK)
    return cli_error("%s: prepare failed: %s", a->model,
                     pnn_interpreter_last_error(it));
  r->init_ms = (cli_now() - t0) * 1e3;
  r->arena = pnn_interpreter_arena_bytes(it);
  r->persistent = pnn_interpreter_persistent_bytes(it);
  fill_inputs(it);
  if ((rc = invoke(it, a->model, &r->first_ms)) != 0) return rc;
  for (long i = 0; i < a->warmup; i++) {
    double ms;
    if ((rc = invoke(it, a->model, &ms)) != 0) return rc;
  }
  if (a->profile) {
    pnn_interpreter_set_profiling(it, 1);
    r->n_ops = pnn_interpreter_op_count(it);
    r->op_ns = calloc(r->n_ops > 0 ? (size_t)r->n_ops : 1, sizeof *r->op_ns);
    if (!r->op_ns) return cli_error("out of memory");
  }
  if ((rc = timed_runs(it, a, r)) != 0) return rc;
  r->peak_rss_kb = peak_rss_kb();
  return 0;
}

/* ----------------------------------------------------------- profile */

typedef struct {
  const char *name;
  int index; /* op index, or the number of ops of this type */
  uint64_t ns;
} prof_row;

static int by_ns(const void *a, const void *b) {
  const prof_row *x = a, *y = b;
  if (x->ns != y->ns) return x->ns > y->ns ? -1 : 1;
  return x->index - y->index;
}

/* Per-op rows and per-type rows, both sorted by time; caller frees. */
static int profile_rows(pnn_interpreter *it, const bench_result *r,
                        prof_row **ops, prof_row **types, int *n_types) {
  size_t n = r->n_ops > 0 ? (size_t)r->n_ops : 1;
  *ops = calloc(n, sizeof **ops);
  *types = calloc(n, sizeof **types);
  *n_types = 0;
  if (!*ops || !*types) return cli_error("out of memory");
  for (int k = 0; k < r->n_ops; k++) {
    uint64_t ns;
    const char *name = pnn_interpreter_op_profile(it, k, &ns);
    if (!name) name = "?";
    (*ops)[k] = (prof_row){name, k, r->op_ns[k]};
    int j = 0;
    while (j < *n_types && strcmp((*types)[j].name, name) != 0) j++;
    if (j == *n_types) (*types)[(*n_types)++] = (prof_row){name, 0, 0};
    (*types)[j].index++;
    (*types)[j].ns += r->op_ns[k];
  }
  qsort(*ops, (size_t)r->n_ops, sizeof **ops, by_ns);
  qsort(*types, (size_t)*n_types, sizeof **types, by_ns);
  return 0;
}

static double total_ns(const bench_result *r) {
  double t = 0;
  for (int k = 0; k < r->n_ops; k++) t += (double)r->op_ns[k];
  return t > 0 ? t : 1;
}

static void text_profile(const prof_row *ops, const prof_row *types,
                         int n_types, const bench_result *r, long runs) {
  double total = total_ns(r);
  printf("\nprofile by op type (mean per run):\n");
  printf("  %-32s %6s %12s %7s\n", "op", "count", "us", "%");
  for (int i = 0; i < n_types; i++)
    printf("  %-32s %6d %12.3f %6.2f%%\n", types[i].name, types[i].index,
           (double)types[i].ns / (double)runs * 1e-3,
           100.0 * (double)types[i].ns / total);
  printf("\nprofile by op (mean per run):\n");
  printf("  %6s %-32s %12s %7s\n", "index", "op", "us", "%");
  for (int i = 0; i < r->n_ops; i++)
    printf("  %6d %-32s %12.3f %6.2f%%\n", ops[i].index, ops[i].name,
           (double)ops[i].ns / (double)runs * 1e-3,
           100.0 * (double)ops[i].ns / total);
}

static void json_profile(jw *w, const prof_row *ops, const prof_row *types,
                         int n_types, const bench_result *r, long runs) {
  double total = total_ns(r);
  jw_key(w, "profile");
  jw_object(w, false);
  jw_key(w, "op_types");
  jw_array(w, false);
  for (int i = 0; i < n_types; i++) {
    jw_object(w, true);
    jw_key(w, "op");
    jw_string(w, types[i].name);
    jw_key(w, "count");
    jw_int(w, types[i].index);
    jw_key(w, "mean_us");
    jw_double(w, (double)types[i].ns / (double)runs * 1e-3);
    jw_key(w, "percent");
    jw_double(w, 100.0 * (double)types[i].ns / total);
    jw_object_end(w);
  }
  jw_array_end(w);
  jw_key(w, "ops");
  jw_array(w, false);
  for (int i = 0; i < r->n_ops; i++) {
    jw_object(w, true);
    jw_key(w, "index");
    jw_int(w, ops[i].index);
    jw_key(w, "op");
    jw_string(w, ops[i].name);
    jw_key(w, "mean_us");
    jw_double(w, (double)ops[i].ns / (double)runs * 1e-3);
    jw_object_end(w);
  }
  jw_array_end(w);
  jw_object_end(w);
}

/* ----------------------------------------------------------- report */

static void text_report(const bench_args *a, const bench_result *r) {
  printf("model: %s\n", a->model);
  printf("threads: %ld\n", a->threads);
  printf("init: %.3f ms (load + allocate)\n", r->init_ms);
  printf("first run: %.3f ms\n", r->first_ms);
  printf("runs: %ld timed after %ld warm-up\n", a->runs, a->warmup);
  printf("latency ms: median %.3f  mean %.3f  min %.3f  p90 %.3f  max %.3f\n",
         r->median, r->mean, r->min, r->p90, r->max);
  printf("arena: %zu bytes\n", r->arena);
  printf("persistent: %zu bytes\n", r->persistent);
  printf("peak RSS: %ld KB (%ld KB before loading the model)\n",
         r->peak_rss_kb, r->base_rss_kb);
}

static void json_report(jw *w, const bench_args *a, const bench_result *r) {
  jw_key(w, "model");
  jw_string(w, a->model);
  jw_key(w, "threads");
  jw_int(w, a->threads);
  jw_key(w, "warmup");
  jw_int(w, a->warmup);
  jw_key(w, "runs");
  jw_int(w, a->runs);
  jw_key(w, "init_ms");
  jw_double(w, r->init_ms);
  jw_key(w, "first_run_ms");
  jw_double(w, r->first_ms);
  jw_key(w, "latency_ms");
  jw_object(w, true);
  jw_key(w, "median");
  jw_double(w, r->median);
  jw_key(w, "mean");
  jw_double(w, r->mean);
  jw_key(w, "min");
  jw_double(w, r->min);
  jw_key(w, "p90");
  jw_double(w, r->p90);
  jw_key(w, "max");
  jw_double(w, r->max);
  jw_object_end(w);
  jw_key(w, "arena_bytes");
  jw_uint(w, r->arena);
  jw_key(w, "persistent_bytes");
  jw_uint(w, r->persistent);
  jw_key(w, "peak_rss_bytes");
  jw_int(w, (int64_t)r->peak_rss_kb * 1024);
  jw_key(w, "base_rss_bytes");
  jw_int(w, (int64_t)r->base_rss_kb * 1024);
}

static int report(pnn_interpreter *it, const bench_args *a,
                  const bench_result *r) {
  prof_row *ops = NULL, *types = NULL;
  int n_types = 0, rc = 0;
  if (a->profile) rc = profile_rows(it, r, &ops, &types, &n_types);
  if (!rc && a->json) {
    jw w;
    jw_init(&w, stdout);
    jw_object(&w, false);
    json_report(&w, a, r);
    if (a->profile) json_profile(&w, ops, types, n_types, r, a->runs);
    jw_object_end(&w);
    jw_finish(&w);
  } else if (!rc) {
    text_report(a, r);
    if (a->profile) text_profile(ops, types, n_types, r, a->runs);
  }
  free(ops);
  free(types);
  return rc;
}

int cli_bench(int argc, char **argv) {
  bench_args a;
  int rc = parse_args(argc, argv, &a);
  if (rc) return rc < 0 ? CLI_EXIT_OK : rc;
  bench_result r;
  memset(&r, 0, sizeof r);
  pnn_interpreter *it = NULL;
  pnn_model *model = NULL;
  rc = bench(&a, &it, &model, &r);
  if (!rc) rc = report(it, &a, &r);
  free(r.op_ns);
  pnn_interpreter_free(it);
  pnn_model_free(model);
  return rc;
}
