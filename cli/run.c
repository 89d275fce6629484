/* `pocketnn run`: runs a model once on inputs from .npy files or filled
 * with zeros / seeded random values; prints each output's shape, dtype and
 * min/max/mean and the run time; optionally saves outputs as .npy. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "npy.h"

static const char kUsage[] =
    "usage: pocketnn run MODEL [--input I=FILE.npy ...]\n"
    "           [--fill zeros|random[:SEED]] [--save-outputs DIR]\n"
    "           [--threads N] [--raw]\n"
    "  --input I=FILE.npy  input I (an index or a tensor name) from a .npy\n"
    "                      file; the dtype must match the model's, except\n"
    "                      that float32 data for a quantized (int8, uint8,\n"
    "                      int16) input is quantized with its scale and\n"
    "                      zero point. A different shape resizes the input.\n"
    "  --fill MODE         inputs without --input: zeros (default), or\n"
    "                      random[:SEED] (seed 1 by default): floats\n"
    "                      uniform in [-1, 1), integers uniform in [0, 8),\n"
    "                      bools 0/1; input K uses SEED + K (splitmix64),\n"
    "                      so a run is reproducible.\n"
    "  --save-outputs DIR  writes DIR/output_K.npy for each output K\n"
    "  --threads N         worker threads (default 1)\n"
    "  --raw               integer I/O for quantized models: no float\n"
    "                      input quantization, and quantized outputs are\n"
    "                      printed and saved as stored. Without it they\n"
    "                      are dequantized to float32.\n" CLI_LIMITS_HELP
    CLI_FLOAT_ACC_HELP;

typedef struct {
  const char *spec; /* "I=FILE" as given */
  const char *file;
  int index;
  npy_array array;
} input_spec;

typedef struct {
  const char *model_path;
  input_spec *inputs;
  int n_inputs;
  bool random;
  uint64_t seed;
  const char *save_dir;
  long threads;
  bool raw;
} run_args;

static int parse_fill(const char *v, run_args *a) {
  if (strcmp(v, "zeros") == 0) {
    a->random = false;
    return 0;
  }
  if (strncmp(v, "random", 6) == 0 && (v[6] == 0 || v[6] == ':')) {
    a->random = true;
    a->seed = 1;
    if (v[6] == ':') {
      long s;
      if (!cli_parse_long(v + 7, 0, LONG_MAX, &s)) return -1;
      a->seed = (uint64_t)s;
    }
    return 0;
  }
  return -1;
}

static int parse_args(int argc, char **argv, run_args *a) {
  memset(a, 0, sizeof *a);
  a->threads = 1;
  a->inputs = calloc((size_t)argc, sizeof *a->inputs);
  if (!a->inputs) return cli_error("out of memory");
  for (int i = 1; i < argc; i++) {
    const char *v;
    int m;
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      fputs(kUsage, stdout);
      return -1;
    } else if ((m = cli_opt_value(argc, argv, &i, "--input", &v)) != 0) {
      if (m < 0) return cli_usage_error(kUsage, "--input needs I=FILE.npy");
      const char *eq = strchr(v, '=');
      if (!eq || eq == v || !eq[1])
        return cli_usage_error(kUsage, "--input '%s': expected I=FILE.npy", v);
      a->inputs[a->n_inputs].spec = v;
      a->inputs[a->n_inputs].file = eq + 1;
      a->n_inputs++;
    } else if (strcmp(argv[i], "--raw") == 0) {
      a->raw = true;
    } else if ((m = cli_opt_value(argc, argv, &i, "--fill", &v)) != 0) {
      if (m < 0 || parse_fill(v, a) != 0)
        return cli_usage_error(kUsage,
                               "--fill takes zeros or random[:SEED], got '%s'",
                               m < 0 ? "" : v);
    } else if ((m = cli_opt_value(argc, argv, &i, "--save-outputs", &v)) != 0) {
      if (m < 0 || !*v)
        return cli_usage_error(kUsage, "--save-outputs needs a directory");
      a->save_dir = v;
    } else if ((m = cli_threads_option(argc, argv, &i, kUsage, &a->threads))) {
      if (m != 1) return m;
    } else if ((m = cli_limit_option(argc, argv, &i, kUsage)) != 0) {
      if (m != 1) return m;
    } else if ((m = cli_float_acc_option(argc, argv, &i, kUsage)) != 0) {
      if (m != 1) return m;
    } else if ((m = cli_model_arg(argv[i], kUsage, &a->model_path))) {
      return m;
    }
  }
  if (!a->model_path) return cli_usage_error(kUsage, "missing MODEL");
  return 0;
}

/* Resolves "I" of "I=FILE" to an input index: a number, or a name. */
static int resolve_input(pnn_interpreter *it, input_spec *s) {
  size_t len = (size_t)(strchr(s->spec, '=') - s->spec);
  char name[256];
  if (len >= sizeof name) return cli_error("--input name too long");
  memcpy(name, s->spec, len);
  name[len] = 0;
  int n = pnn_interpreter_input_count(it);
  long idx;
  if (cli_parse_long(name, 0, INT_MAX, &idx)) {
    if (idx >= n)
      return cli_error("--input %s: the model has %d input(s)", name, n);
    s->index = (int)idx;
    return 0;
  }
  int found = -1;
  if (pnn_interpreter_input_index(it, name, &found) != PNN_OK || found < 0)
    return cli_error("--input %s: no model input has that name", name);
  s->index = found;
  return 0;
}

/* Scale and zero point of a per-tensor quantized int8/uint8/int16 tensor;
 * false for anything else (float, unquantized, per-channel). */
static bool edge_quant(const pnn_tensor *t, float *scale, int32_t *zp) {
  pnn_type ty = pnn_tensor_type(t);
  if (ty != PNN_TYPE_INT8 && ty != PNN_TYPE_UINT8 && ty != PNN_TYPE_INT16)
    return false;
  pnn_quant_info q;
  pnn_tensor_quantization(t, &q);
  if (!(q.scale > 0) || !isfinite(q.scale) || q.count > 1) return false;
  *scale = q.scale;
  *zp = q.zero_point;
  return true;
}

/* Replaces float32 data by its quantization to `type` as TFLite's
 * QUANTIZE does: zp + round(x / scale) (half away from zero), clamped. */
static int quantize_array(npy_array *a, pnn_type type, float scale,
                          int32_t zp) {
  size_t esz = pnn_type_size(type);
  void *q = malloc(a->count * esz + 1);
  if (!q) return cli_error("out of memory");
  const double lo = type == PNN_TYPE_INT8    ? -128.0
                    : type == PNN_TYPE_UINT8 ? 0.0
                                             : -32768.0;
  const double hi = type == PNN_TYPE_INT8    ? 127.0
                    : type == PNN_TYPE_UINT8 ? 255.0
                                             : 32767.0;
  const float *x = a->data;
  for (size_t i = 0; i < a->count; i++) {
    float r = roundf(x[i] / scale);
    double v = r != r ? (double)zp : (double)r + zp;
    v = v < lo ? lo : (v > hi ? hi : v);
    if (type == PNN_TYPE_INT8) ((int8_t *)q)[i] = (int8_t)v;
    else if (type == PNN_TYPE_UINT8) ((uint8_t *)q)[i] = (uint8_t)v;
    else ((int16_t *)q)[i] = (int16_t)v;
  }
  free(a->data);
  a->data = q;
  a->type = type;
  a->nbytes = a->count * esz;
  return 0;
}

/* Loads each --input file, checks its dtype and resizes the model input
 * when the file's shape differs. */
static int load_inputs(pnn_interpreter *it, run_args *a) {
  for (int k = 0; k < a->n_inputs; k++) {
    input_spec *s = &a->inputs[k];
    if (resolve_input(it, s)) return CLI_EXIT_ERROR;
    for (int j = 0; j < k; j++)
      if (a->inputs[j].index == s->index)
        return cli_error("input %d given twice (--input %s)", s->index,
                         s->spec);
    char err[512];
    if (npy_read_file(s->file, &s->array, err, sizeof err) != 0)
      return cli_error("%s", err);
    pnn_tensor *t = pnn_interpreter_input(it, s->index);
    if (!t) return cli_error("%s", pnn_interpreter_last_error(it));
    float qs;
    int32_t qz;
    if (!a->raw && s->array.type == PNN_TYPE_FLOAT32 &&
        edge_quant(t, &qs, &qz) &&
        quantize_array(&s->array, pnn_tensor_type(t), qs, qz) != 0)
      return CLI_EXIT_ERROR;
    if (s->array.type != pnn_tensor_type(t))
      return cli_error("input %d '%s': %s holds %s data, the model wants %s",
                       s->index, pnn_tensor_name(t), s->file,
                       pnn_type_name(s->array.type),
                       pnn_type_name(pnn_tensor_type(t)));
    bool same = s->array.rank == pnn_tensor_rank(t);
    for (int d = 0; same && d < s->array.rank; d++)
      same = s->array.dims[d] == pnn_tensor_dim(t, d);
    if (same) continue;
    int32_t dims[NPY_MAX_RANK];
    for (int d = 0; d < s->array.rank; d++) dims[d] = (int32_t)s->array.dims[d];
    if (pnn_interpreter_resize_input(it, s->index, dims, s->array.rank) !=
        PNN_OK)
      return cli_error("input %d '%s': cannot resize to the shape of %s: %s",
                       s->index, pnn_tensor_name(t), s->file,
                       pnn_interpreter_last_error(it));
  }
  return 0;
}

/* Copies the files into the (allocated) inputs and fills the others. */
static int set_inputs(pnn_interpreter *it, const run_args *a) {
  int n = pnn_interpreter_input_count(it);
  for (int i = 0; i < n; i++) {
    pnn_tensor *t = pnn_interpreter_input(it, i);
    char shape[128];
    if (!t) return cli_error("%s", pnn_interpreter_last_error(it));
    cli_format_shape(t, shape, sizeof shape);
    const input_spec *s = NULL;
    for (int k = 0; k < a->n_inputs; k++)
      if (a->inputs[k].index == i) s = &a->inputs[k];
    if (s) {
      if (pnn_tensor_copy_from(t, s->array.data, s->array.nbytes) != PNN_OK)
        return cli_error("input %d '%s': %s: %s", i, pnn_tensor_name(t),
                         s->file, pnn_interpreter_last_error(it));
      printf("input %d '%s': %s %s from %s\n", i, pnn_tensor_name(t),
             pnn_type_name(pnn_tensor_type(t)), shape, s->file);
      continue;
    }
    cli_fill_tensor(pnn_tensor_type(t), pnn_tensor_data(t),
                    pnn_tensor_byte_size(t), a->random, a->seed + (uint64_t)i);
    if (a->random)
      printf("input %d '%s': %s %s random (seed %llu)\n", i, pnn_tensor_name(t),
             pnn_type_name(pnn_tensor_type(t)), shape,
             (unsigned long long)(a->seed + (uint64_t)i));
    else
      printf("input %d '%s': %s %s zeros\n", i, pnn_tensor_name(t),
             pnn_type_name(pnn_tensor_type(t)), shape);
  }
  return 0;
}

/* Output k as printed and saved: the tensor's data, or (without --raw) a
 * malloc'ed float32 dequantization of a quantized output in *owned. */
static const void *output_view(pnn_interpreter *it, int k, bool raw,
                               pnn_type *type, float **owned) {
  pnn_tensor *t = pnn_interpreter_output(it, k);
  *type = pnn_tensor_type(t);
  *owned = NULL;
  float scale;
  int32_t zp;
  if (raw || !edge_quant(t, &scale, &zp)) return pnn_tensor_data(t);
  size_t n = pnn_tensor_byte_size(t) / pnn_type_size(*type);
  float *f = malloc(n * sizeof(float) + 1);
  if (!f) return pnn_tensor_data(t);
  const void *d = pnn_tensor_data(t);
  for (size_t i = 0; i < n; i++) {
    double v = 0;
    cli_element_as_double(*type, d, i, &v);
    f[i] = (float)((double)scale * (v - zp));
  }
  *type = PNN_TYPE_FLOAT32;
  *owned = f;
  return f;
}

static void print_output(pnn_interpreter *it, int k, bool raw) {
  pnn_tensor *t = pnn_interpreter_output(it, k);
  char shape[128];
  cli_format_shape(t, shape, sizeof shape);
  pnn_type type;
  float *owned;
  const void *data = output_view(it, k, raw, &type, &owned);
  printf("output %d '%s': %s %s", k, pnn_tensor_name(t), pnn_type_name(type),
         shape);
  if (owned) printf(" (dequantized %s)", pnn_type_name(pnn_tensor_type(t)));
  size_t elem = pnn_type_size(type);
  size_t n = elem ? pnn_tensor_byte_size(t) / pnn_type_size(pnn_tensor_type(t))
                  : 0;
  double v;
  if (!data || n == 0 || !cli_element_as_double(type, data, 0, &v)) {
    printf("  (%s)\n", n == 0 && elem ? "empty" : "no numeric summary");
    free(owned);
    return;
  }
  double lo = v, hi = v, sum = 0;
  size_t nonfinite = 0;
  for (size_t i = 0; i < n; i++) {
    cli_element_as_double(type, data, i, &v);
    if (!isfinite(v)) {
      nonfinite++;
      continue;
    }
    if (v < lo || !isfinite(lo)) lo = v;
    if (v > hi || !isfinite(hi)) hi = v;
    sum += v;
  }
  printf("  min=%.6g max=%.6g mean=%.6g", lo, hi,
         n > nonfinite ? sum / (double)(n - nonfinite) : NAN);
  if (nonfinite) printf("  non-finite=%zu", nonfinite);
  putchar('\n');
  free(owned);
}

static int save_output(pnn_interpreter *it, int k, const char *dir,
                       bool raw) {
  pnn_tensor *t = pnn_interpreter_output(it, k);
  int64_t dims[PNN_MAX_RANK];
  int rank = pnn_tensor_rank(t);
  if (rank < 0 || rank > PNN_MAX_RANK)
    return cli_error("output %d: rank %d", k, rank);
  for (int d = 0; d < rank; d++) dims[d] = pnn_tensor_dim(t, d);
  char path[4096], err[512];
  if (snprintf(path, sizeof path, "%s/output_%d.npy", dir, k) >=
      (int)sizeof path)
    return cli_error("--save-outputs: path too long");
  pnn_type type;
  float *owned;
  const void *data = output_view(it, k, raw, &type, &owned);
  int rc = npy_write_file(path, type, dims, rank, data, err, sizeof err);
  free(owned);
  if (rc != 0)
    return cli_error("output %d '%s': %s", k, pnn_tensor_name(t), err);
  return 0;
}

static int run_model(run_args *a) {
  pnn_model *model = NULL;
  pnn_interpreter *it = NULL;
  int rc = cli_load_model(a->model_path, &model);
  if (!rc) rc = cli_create_interpreter(model, (int)a->threads, &it);
  if (!rc) rc = load_inputs(it, a);
  if (!rc && pnn_interpreter_allocate(it) != PNN_OK)
    rc = cli_error("%s: prepare failed: %s", a->model_path,
                   pnn_interpreter_last_error(it));
  if (!rc) rc = set_inputs(it, a);
  double ms = 0;
  if (!rc) {
    double t0 = cli_now();
    pnn_status st = pnn_interpreter_invoke(it);
    ms = (cli_now() - t0) * 1e3;
    if (st != PNN_OK)
      rc = cli_error("%s: invoke failed: %s", a->model_path,
                     pnn_interpreter_last_error(it));
  }
  if (!rc && a->save_dir && mkdir(a->save_dir, 0777) != 0 && errno != EEXIST)
    rc = cli_error("--save-outputs %s: %s", a->save_dir, strerror(errno));
  for (int k = 0; !rc && k < pnn_interpreter_output_count(it); k++) {
    print_output(it, k, a->raw);
    if (a->save_dir) rc = save_output(it, k, a->save_dir, a->raw);
  }
  if (!rc) printf("time: %.3f ms\n", ms);
  pnn_interpreter_free(it);
  pnn_model_free(model);
  return rc;
}

int cli_run(int argc, char **argv) {
  run_args a;
  int rc = parse_args(argc, argv, &a);
  if (rc == 0)
    rc = run_model(&a);
  else if (rc < 0)
    rc = CLI_EXIT_OK; /* --help */
  for (int k = 0; k < a.n_inputs; k++) npy_free(&a.inputs[k].array);
  free(a.inputs);
  return rc;
}
