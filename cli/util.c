/* Shared CLI helpers; see cli.h. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

int cli_error(const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  /* One line, whatever the library's message holds. */
  for (char *p = msg; *p; p++)
    if (*p == '\n' || *p == '\r') *p = ' ';
  fflush(stdout);
  fprintf(stderr, "error: %s\n", msg);
  return CLI_EXIT_ERROR;
}

int cli_usage_error(const char *usage, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("pocketnn: ", stderr);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\n%s", usage);
  return CLI_EXIT_USAGE;
}

int cli_opt_value(int argc, char **argv, int *i, const char *name,
                  const char **value) {
  const char *arg = argv[*i];
  size_t n = strlen(name);
  if (strncmp(arg, name, n) != 0) return 0;
  if (arg[n] == '=') {
    *value = arg + n + 1;
    return 1;
  }
  if (arg[n] != 0) return 0;
  if (*i + 1 >= argc) return -1;
  *value = argv[++*i];
  return 1;
}

uint64_t cli_max_file_bytes;
size_t cli_max_arena_bytes;
uint64_t cli_max_loop_iterations;
uint64_t cli_max_op_work;

int cli_limit_option(int argc, char **argv, int *i, const char *usage) {
  static const char *const names[] = {"--max-file", "--max-arena",
                                      "--max-loop", "--max-work"};
  for (int k = 0; k < 4; k++) {
    const char *v;
    long n;
    int m = cli_opt_value(argc, argv, i, names[k], &v);
    if (m == 0) continue;
    if (m < 0 || !cli_parse_long(v, 0, LONG_MAX, &n))
      return cli_usage_error(usage, "%s takes a number >= 0", names[k]);
    if (k == 0)
      cli_max_file_bytes = (uint64_t)n;
    else if (k == 1)
      cli_max_arena_bytes = (size_t)n;
    else if (k == 2)
      cli_max_loop_iterations = (uint64_t)n;
    else
      cli_max_op_work = (uint64_t)n;
    return 1;
  }
  return 0;
}

int cli_float_accumulation = PNN_FLOAT_ACC_AUTO;

int cli_float_acc_option(int argc, char **argv, int *i, const char *usage) {
  static const char *const modes[] = {"auto", "fast", "reference"};
  const char *v;
  int m = cli_opt_value(argc, argv, i, "--float-acc", &v);
  if (m == 0) return 0;
  for (int k = 0; m > 0 && k < 3; k++)
    if (strcmp(v, modes[k]) == 0) {
      cli_float_accumulation = k; /* PNN_FLOAT_ACC_AUTO, _FAST, _REFERENCE_ORDER */
      return 1;
    }
  return cli_usage_error(usage, "--float-acc takes auto, fast or reference");
}

int cli_threads_option(int argc, char **argv, int *i, const char *usage,
                       long *threads) {
  const char *v;
  int m = cli_opt_value(argc, argv, i, "--threads", &v);
  if (m == 0) return 0;
  if (m < 0 || !cli_parse_long(v, 1, 1024, threads))
    return cli_usage_error(usage, "--threads takes a number in 1..1024");
  return 1;
}

int cli_model_arg(const char *arg, const char *usage, const char **model) {
  if (arg[0] == '-' && arg[1])
    return cli_usage_error(usage, "unknown option '%s'", arg);
  if (*model) return cli_usage_error(usage, "more than one MODEL");
  *model = arg;
  return CLI_EXIT_OK;
}

int cli_in_out_arg(const char *arg, const char *usage, const char *paths[2]) {
  if (arg[0] == '-' && arg[1])
    return cli_usage_error(usage, "unknown option '%s'", arg);
  if (paths[1]) return cli_usage_error(usage, "unexpected argument '%s'", arg);
  paths[paths[0] ? 1 : 0] = arg;
  return CLI_EXIT_OK;
}

bool cli_parse_long(const char *s, long lo, long hi, long *out) {
  if (!s || !*s) return false;
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || *end || v < lo || v > hi) return false;
  *out = v;
  return true;
}

bool cli_parse_double(const char *s, double *out) {
  if (!s || !*s) return false;
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno || *end || !isfinite(v)) return false;
  *out = v;
  return true;
}

double cli_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int cli_load_model(const char *path, pnn_model **out) {
  char err[512] = "";
  pnn_load_options lo = {0, cli_max_file_bytes};
  pnn_status st = pnn_model_load_file(path, &lo, out, err, sizeof err);
  if (st != PNN_OK) {
    if (!err[0]) snprintf(err, sizeof err, "%s", pnn_status_string(st));
    /* The loader's message may already name the file. */
    return strstr(err, path) ? cli_error("%s", err)
                             : cli_error("%s: %s", path, err);
  }
  return CLI_EXIT_OK;
}

int cli_create_interpreter(const pnn_model *model, int threads,
                           pnn_interpreter **out) {
  pnn_interpreter_options opts;
  pnn_interpreter_options_init(&opts);
  opts.num_threads = threads;
  opts.max_arena_bytes = cli_max_arena_bytes;
  opts.max_loop_iterations = cli_max_loop_iterations;
  opts.max_op_work = cli_max_op_work;
  opts.float_accumulation = cli_float_accumulation;
  pnn_status st = pnn_interpreter_create(model, &opts, out);
  if (st != PNN_OK)
    return cli_error("cannot create interpreter: %s", pnn_status_string(st));
  return CLI_EXIT_OK;
}

float cli_half_to_float(uint16_t h) {
  int sign = h >> 15, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  float v;
  if (exp == 0)
    v = ldexpf((float)mant, -24); /* subnormal */
  else if (exp == 31)
    v = mant ? NAN : INFINITY;
  else
    v = ldexpf((float)(mant | 0x400), exp - 25);
  return sign ? -v : v;
}

uint16_t cli_float_to_half(float f) {
  /* Round to nearest via the float path: good enough for test inputs. */
  uint16_t sign = signbit(f) ? 0x8000 : 0;
  float a = fabsf(f);
  if (isnan(f)) return 0x7e00;
  if (a >= 65520.0f) return sign | 0x7c00;
  if (a < ldexpf(1.0f, -14)) /* subnormal range */
    return sign | (uint16_t)lrintf(a * ldexpf(1.0f, 24));
  int e;
  float m = frexpf(a, &e);           /* a = m * 2^e, m in [0.5, 1) */
  long mant = lrintf(ldexpf(m, 11)); /* 11 significant bits */
  if (mant == 2048) {
    mant = 1024;
    e++;
  }
  return sign | (uint16_t)((e + 14) << 10) | (uint16_t)(mant - 1024);
}

bool cli_element_as_double(pnn_type type, const void *data, size_t i,
                           double *out) {
  const uint8_t *p = data;
  switch (type) {
    case PNN_TYPE_FLOAT32: {
      float v;
      memcpy(&v, p + 4 * i, 4);
      *out = v;
      return true;
    }
    case PNN_TYPE_FLOAT64: {
      double v;
      memcpy(&v, p + 8 * i, 8);
      *out = v;
      return true;
    }
    case PNN_TYPE_FLOAT16: {
      uint16_t v;
      memcpy(&v, p + 2 * i, 2);
      *out = cli_half_to_float(v);
      return true;
    }
    case PNN_TYPE_INT8: *out = ((const int8_t *)data)[i]; return true;
    case PNN_TYPE_UINT8: *out = p[i]; return true;
    case PNN_TYPE_BOOL: *out = p[i] != 0; return true;
    case PNN_TYPE_INT16: {
      int16_t v;
      memcpy(&v, p + 2 * i, 2);
      *out = v;
      return true;
    }
    case PNN_TYPE_UINT16: {
      uint16_t v;
      memcpy(&v, p + 2 * i, 2);
      *out = v;
      return true;
    }
    case PNN_TYPE_INT32: {
      int32_t v;
      memcpy(&v, p + 4 * i, 4);
      *out = v;
      return true;
    }
    case PNN_TYPE_UINT32: {
      uint32_t v;
      memcpy(&v, p + 4 * i, 4);
      *out = v;
      return true;
    }
    case PNN_TYPE_INT64: {
      int64_t v;
      memcpy(&v, p + 8 * i, 8);
      *out = (double)v;
      return true;
    }
    case PNN_TYPE_UINT64: {
      uint64_t v;
      memcpy(&v, p + 8 * i, 8);
      *out = (double)v;
      return true;
    }
    default: return false;
  }
}

/* splitmix64: tiny, seedable, and the same on every platform. */
static uint64_t next_random(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

void cli_fill_tensor(pnn_type type, void *data, size_t bytes, bool random,
                     uint64_t seed) {
  if (!data || !bytes) return;
  if (!random) {
    memset(data, 0, bytes);
    return;
  }
  uint64_t s = seed;
  size_t elem = pnn_type_size(type);
  if (!elem) { /* opaque bytes: fill them anyway, deterministically */
    for (size_t i = 0; i < bytes; i++)
      ((uint8_t *)data)[i] = (uint8_t)next_random(&s);
    return;
  }
  uint8_t *p = data;
  for (size_t i = 0; i < bytes / elem; i++) {
    uint64_t r = next_random(&s);
    /* 24 random bits -> [0, 1): exact in float. */
    float u = (float)(r >> 40) * (1.0f / 16777216.0f);
    float f = 2.0f * u - 1.0f;
    int64_t k = (int64_t)(r >> 61); /* [0, 8) */
    switch (type) {
      case PNN_TYPE_FLOAT32: memcpy(p + 4 * i, &f, 4); break;
      case PNN_TYPE_FLOAT64: {
        double d = f;
        memcpy(p + 8 * i, &d, 8);
        break;
      }
      case PNN_TYPE_FLOAT16: {
        uint16_t h = cli_float_to_half(f);
        memcpy(p + 2 * i, &h, 2);
        break;
      }
      case PNN_TYPE_BOOL: p[i] = (uint8_t)(k & 1); break;
      default: {
        /* Little-endian integer of `elem` bytes holding k. */
        memset(p + elem * i, 0, elem);
        p[elem * i] = (uint8_t)k;
        break;
      }
    }
  }
}

void cli_format_shape(const pnn_tensor *t, char *buf, size_t size) {
  size_t n = 0;
  int rank = pnn_tensor_rank(t);
  n += (size_t)snprintf(buf, size, "[");
  for (int i = 0; i < rank && n < size; i++)
    n += (size_t)snprintf(buf + n, size - n, "%s%d", i ? ", " : "",
                          (int)pnn_tensor_dim(t, i));
  if (n < size) snprintf(buf + n, size - n, "]");
}
