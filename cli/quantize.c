/* `pocketnn quantize IN OUT --mode MODE`: float16 weights, int8 hybrid
 * weights or clustered float weights; see src/tools/quantize.c and
 * docs/tools.md. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "format/model.h"
#include "image.h"
#include "npy.h"
#include "tool_out.h"
#include "tools/calibrate.h"

static const char kUsage[] =
    "usage: pocketnn quantize IN.tflite OUT.tflite --mode MODE\n"
    "           [--clusters N] [--min-elements N] [--report]\n"
    "  --mode fp16           float32 constants stored as float16, read\n"
    "                        through DEQUANTIZE (half the weight bytes)\n"
    "  --mode dynamic        int8 symmetric weights (per output channel) for\n"
    "                        CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED,\n"
    "                        per tensor for BATCH_MATMUL; float activations\n"
    "  --mode round-weights  every float32 constant clustered to at most\n"
    "                        --clusters values (default 256); stays float32\n"
    "                        but compresses well\n"
    "  --mode int8           full integer (TFLite quantization spec): int8\n"
    "                        per-channel weights, int32 bias, int8\n"
    "                        activations calibrated on --calib DIR\n"
    "  --mode 16x8           as int8 with int16 activations (symmetric),\n"
    "                        int64 bias (conv, depthwise, fc, add, sub, mul,\n"
    "                        softmax, logistic, tanh, reshape, max pool)\n"
    "  --calib DIR           representative inputs for input 0: .npy files\n"
    "                        (float32, the input's shape) or images (PNG,\n"
    "                        JPEG, BMP; resized, then (pixel - mean) / std)\n"
    "  --calib-count N       use at most N files of DIR (sorted by name)\n"
    "  --mean M --std S      image normalization (default 0 and 255)\n"
    "  --calibrator minmax|percentile[:P]|mse  range per tensor (default\n"
    "                        mse: the clipping range with the smallest\n"
    "                        quantization error over the histogram of all\n"
    "                        samples; percentile: the P-th percentile of it,\n"
    "                        P default 99.99; minmax: observed min/max)\n"
    "  --no-bias-correction  keep the quantized bias as is (default: each\n"
    "                        conv/fc bias absorbs the mean error its rounded\n"
    "                        weights cause on the calibration inputs)\n"
    "  --weight-rounding nearest|gptq  int8 weights of conv/fc rounded to\n"
    "                        nearest (default), or GPTQ: column by column,\n"
    "                        each rounding error compensated by the other\n"
    "                        weights through the layer's input Hessian on\n"
    "                        the calibration inputs (least output error)\n"
    "  --analyze             per calibrated tensor: range, clipped fraction,\n"
    "                        estimated SNR of its own quantization and SNR\n"
    "                        measured against the float model (implies\n"
    "                        --report)\n"
    "  --io float|int8|uint8 interface type of an int8 model (default float:\n"
    "                        QUANTIZE/DEQUANTIZE at the edges)\n"
    "  --min-elements N      smallest tensor converted (defaults: fp16 16,\n"
    "                        dynamic 1024, round-weights 1)\n"
    "  --report              sizes, op counts, every tensor converted or\n"
    "                        kept and why\n"
    "OUT is written through a temporary file: nothing is left on failure.\n";

/* ------------------------------------------------ calibration inputs */

typedef struct calib_source {
  char **files; /* sorted paths */
  int n_files, max_files;
  double mean, std;
  time_t t0;
} calib_source;

static void calib_free(calib_source *c) {
  for (int i = 0; i < c->n_files; i++) free(c->files[i]);
  free(c->files);
  c->files = NULL;
  c->n_files = 0;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Regular files of dir (hidden ones skipped), sorted, at most max_files. */
static int calib_list(calib_source *c, const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return cli_error("--calib %s: cannot open the directory", dir);
  struct dirent *e;
  int cap = 0;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    size_t len = strlen(dir) + strlen(e->d_name) + 2;
    char *p = malloc(len);
    if (!p) break;
    snprintf(p, len, "%s/%s", dir, e->d_name);
    struct stat sb;
    if (stat(p, &sb) != 0 || !S_ISREG(sb.st_mode)) {
      free(p);
      continue;
    }
    if (c->n_files == cap) {
      cap = cap ? 2 * cap : 64;
      char **nf = realloc(c->files, (size_t)cap * sizeof *nf);
      if (!nf) {
        free(p);
        break;
      }
      c->files = nf;
    }
    c->files[c->n_files++] = p;
  }
  closedir(d);
  if (c->n_files == 0)
    return cli_error("--calib %s: no calibration files in the directory", dir);
  qsort(c->files, (size_t)c->n_files, sizeof *c->files, cmp_str);
  if (c->max_files > 0 && c->n_files > c->max_files) {
    for (int i = c->max_files; i < c->n_files; i++) free(c->files[i]);
    c->n_files = c->max_files;
  }
  return 0;
}

static bool ends_with(const char *s, const char *suf) {
  size_t n = strlen(s), m = strlen(suf);
  return n >= m && !strcmp(s + n - m, suf);
}

/* Input 0 of sample i: a .npy file of its type and size, or an image
 * resized to [1, H, W, C] and normalized. */
static int calib_fill(void *user, int i, pnn_interpreter *it, char *err,
                      size_t err_size) {
  calib_source *c = user;
  const char *path = c->files[i];
  if (pnn_interpreter_input_count(it) != 1) {
    snprintf(err, err_size, "the model has %d inputs; calibration feeds one",
             pnn_interpreter_input_count(it));
    return -1;
  }
  pnn_tensor *t = pnn_interpreter_input(it, 0);
  if (pnn_tensor_type(t) != PNN_TYPE_FLOAT32) {
    snprintf(err, err_size, "input 0 is %s, not float32",
             pnn_type_name(pnn_tensor_type(t)));
    return -1;
  }
  size_t n = pnn_tensor_byte_size(t) / sizeof(float);
  float *dst = pnn_tensor_data(t);
  if (ends_with(path, ".npy")) {
    npy_array a;
    char e2[300];
    if (npy_read_file(path, &a, e2, sizeof e2) != 0) {
      snprintf(err, err_size, "%s", e2);
      return -1;
    }
    int rc = 0;
    if (a.type != PNN_TYPE_FLOAT32 || a.nbytes != n * sizeof(float)) {
      snprintf(err, err_size,
               "%s: needs float32 with %zu elements (input 0's shape), got "
               "%s with %zu bytes",
               path, n, pnn_type_name(a.type), a.nbytes);
      rc = -1;
    } else {
      memcpy(dst, a.data, n * sizeof(float));
    }
    npy_free(&a);
    return rc;
  }
  if (pnn_tensor_rank(t) != 4 || pnn_tensor_dim(t, 0) != 1 ||
      (pnn_tensor_dim(t, 3) != 1 && pnn_tensor_dim(t, 3) != 3)) {
    snprintf(err, err_size,
             "%s: images need an input of shape [1, H, W, 1 or 3]", path);
    return -1;
  }
  cli_image img;
  if (image_load(path, &img, err, err_size) != 0) return -1;
  image_resize_bilinear(&img, pnn_tensor_dim(t, 2), pnn_tensor_dim(t, 1),
                        pnn_tensor_dim(t, 3), dst);
  image_free(&img);
  for (size_t k = 0; k < n; k++)
    dst[k] = (float)(((double)dst[k] - c->mean) / c->std);
  return 0;
}

/* "calibrating [=====     ] 40/100 ETA 3s" on stderr. */
static void calib_progress(void *user, int done, int total) {
  calib_source *c = user;
  /* Redraw only when the percentage moves. */
  if (done != total && (100 * done) / total == (100 * (done - 1)) / total)
    return;
  double el = difftime(time(NULL), c->t0);
  double eta = done > 0 ? el * (total - done) / done : 0;
  char bar[31];
  int fill = (int)(30.0 * done / total);
  for (int k = 0; k < 30; k++) bar[k] = k < fill ? '=' : ' ';
  bar[30] = 0;
  fprintf(stderr, "\rcalibrating [%s] %d/%d  ETA %.0fs ", bar, done, total,
          eta);
  if (done == total) fputc('\n', stderr);
  fflush(stderr);
}

/* --analyze: one line per calibrated tensor in op order: observed and
 * chosen range, clipped fraction, the histogram's estimate of this
 * tensor's own quantization SNR and (cmp) the SNR measured against the
 * float model, which includes every error accumulated before it. */
static void analyze_report(pnn_tool_report *rep, const pnn_model *m,
                           const pnn_calib_ranges *r,
                           const pnn_calib_compare *cmp, int n_cmp) {
  const pnn_subgraph_def *sg = &m->def.subgraphs[0];
  pnn_report_add(rep,
                 "analyze: per tensor in op order: observed range -> chosen "
                 "range, clipped %%, estimated SNR of its own quantization, "
                 "measured SNR of the quantized model vs float (%d samples)",
                 n_cmp);
  int32_t worst[5] = {-1, -1, -1, -1, -1};
  for (int32_t i = 0; i <= sg->n_ops; i++) {
    /* i == 0 also lists the inputs */
    const int32_t *outs = i == 0 ? sg->inputs.data : sg->ops[i - 1].outputs.data;
    int32_t n = i == 0 ? sg->inputs.count : sg->ops[i - 1].outputs.count;
    for (int32_t j = 0; j < n; j++) {
      int32_t t = outs[j];
      if (t < 0 || t >= r->n_tensors || !r->seen[t]) continue;
      char meas[32] = "";
      if (cmp && t < cmp->n_tensors && !isnan(cmp->snr_db[t]))
        snprintf(meas, sizeof meas, ", measured %.1f dB", cmp->snr_db[t]);
      const char *name = sg->tensors[t].name ? sg->tensors[t].name : "";
      pnn_report_add(rep,
                     "analyze: tensor %d [%.4g, %.4g] -> [%.4g, %.4g] "
                     "clipped %.4f%%, SNR %.1f dB%s  %.60s",
                     (int)t, r->obs_min[t], r->obs_max[t], r->min[t],
                     r->max[t], 100.0 * r->clipped[t], r->snr_db[t], meas,
                     name);
      /* keep the 5 lowest estimates */
      int32_t cur = t;
      for (int k = 0; k < 5 && cur >= 0; k++) {
        if (worst[k] < 0 || r->snr_db[cur] < r->snr_db[worst[k]]) {
          int32_t tmp = worst[k];
          worst[k] = cur;
          cur = tmp;
        }
      }
    }
  }
  for (int k = 0; k < 5 && worst[k] >= 0; k++)
    pnn_report_add(rep, "analyze: lowest estimated SNR #%d: tensor %d, %.1f dB",
                   k + 1, (int)worst[k], r->snr_db[worst[k]]);
}

int cli_quantize(int argc, char **argv) {
  pnn_quantize_options o;
  pnn_quantize_options_init(&o);
  pnn_calib_options co;
  pnn_calib_options_init(&co);
  co.method = PNN_CALIB_MSE; /* the CLI's default (docs/tools.md) */
  calib_source cs = {.mean = 0, .std = 255};
  const char *calib_dir = NULL;
  const char *paths[2] = {NULL, NULL};
  bool report = false, have_mode = false;
  for (int i = 1; i < argc; i++) {
    const char *v;
    int m;
    long n;
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      fputs(kUsage, stdout);
      return CLI_EXIT_OK;
    } else if ((m = cli_opt_value(argc, argv, &i, "--mode", &v)) != 0) {
      if (m < 0) return cli_usage_error(kUsage, "--mode needs a value");
      have_mode = true;
      if (!strcmp(v, "fp16"))
        o.mode = PNN_QUANT_FP16;
      else if (!strcmp(v, "dynamic"))
        o.mode = PNN_QUANT_DYNAMIC;
      else if (!strcmp(v, "round-weights"))
        o.mode = PNN_QUANT_ROUND_WEIGHTS;
      else if (!strcmp(v, "int8"))
        o.mode = PNN_QUANT_INT8;
      else if (!strcmp(v, "16x8"))
        o.mode = PNN_QUANT_16X8;
      else
        return cli_usage_error(kUsage, "unknown --mode '%s'", v);
    } else if ((m = cli_opt_value(argc, argv, &i, "--clusters", &v)) != 0) {
      if (m < 0 || !cli_parse_long(v, 2, 65536, &n))
        return cli_usage_error(kUsage,
                               "--clusters needs an integer in "
                               "[2, 65536]");
      o.clusters = (int)n;
    } else if ((m = cli_opt_value(argc, argv, &i, "--min-elements", &v)) != 0) {
      if (m < 0 || !cli_parse_long(v, 1, 1L << 40, &n))
        return cli_usage_error(kUsage,
                               "--min-elements needs a positive "
                               "integer");
      o.min_elements = n;
    } else if ((m = cli_opt_value(argc, argv, &i, "--calib", &v)) != 0) {
      if (m < 0) return cli_usage_error(kUsage, "--calib needs a directory");
      calib_dir = v;
    } else if ((m = cli_opt_value(argc, argv, &i, "--calib-count", &v)) != 0) {
      if (m < 0 || !cli_parse_long(v, 1, 1L << 30, &n))
        return cli_usage_error(kUsage, "--calib-count needs a positive integer");
      cs.max_files = (int)n;
    } else if ((m = cli_opt_value(argc, argv, &i, "--mean", &v)) != 0) {
      if (m < 0 || !cli_parse_double(v, &cs.mean))
        return cli_usage_error(kUsage, "--mean takes a number");
    } else if ((m = cli_opt_value(argc, argv, &i, "--std", &v)) != 0) {
      if (m < 0 || !cli_parse_double(v, &cs.std) || cs.std == 0)
        return cli_usage_error(kUsage, "--std takes a non-zero number");
    } else if ((m = cli_opt_value(argc, argv, &i, "--calibrator", &v)) != 0) {
      if (m < 0) return cli_usage_error(kUsage, "--calibrator needs a value");
      if (!strcmp(v, "minmax")) {
        co.method = PNN_CALIB_MINMAX;
      } else if (!strcmp(v, "mse")) {
        co.method = PNN_CALIB_MSE;
      } else if (!strncmp(v, "percentile", 10) &&
                 (v[10] == 0 || v[10] == ':')) {
        co.method = PNN_CALIB_PERCENTILE;
        if (v[10] == ':' && (!cli_parse_double(v + 11, &co.percentile) ||
                             !(co.percentile > 50 && co.percentile <= 100)))
          return cli_usage_error(kUsage,
                                 "--calibrator percentile:P needs P in "
                                 "(50, 100]");
      } else {
        return cli_usage_error(kUsage, "unknown --calibrator '%s'", v);
      }
    } else if ((m = cli_opt_value(argc, argv, &i, "--io", &v)) != 0) {
      if (m < 0) return cli_usage_error(kUsage, "--io needs a value");
      if (!strcmp(v, "float"))
        o.io = PNN_QUANT_IO_FLOAT;
      else if (!strcmp(v, "int8"))
        o.io = PNN_QUANT_IO_INT8;
      else if (!strcmp(v, "uint8"))
        o.io = PNN_QUANT_IO_UINT8;
      else
        return cli_usage_error(kUsage, "unknown --io '%s'", v);
    } else if (!strcmp(argv[i], "--report")) {
      report = true;
    } else if (!strcmp(argv[i], "--analyze")) {
      co.analyze = true;
    } else if (!strcmp(argv[i], "--no-bias-correction")) {
      o.bias_correction = false;
    } else if ((m = cli_opt_value(argc, argv, &i, "--weight-rounding", &v)) !=
               0) {
      if (m < 0) return cli_usage_error(kUsage, "--weight-rounding needs a value");
      if (!strcmp(v, "gptq"))
        co.hessians = true;
      else if (!strcmp(v, "nearest"))
        co.hessians = false;
      else
        return cli_usage_error(kUsage, "unknown --weight-rounding '%s'", v);
    } else if ((m = cli_in_out_arg(argv[i], kUsage, paths)) != CLI_EXIT_OK) {
      return m;
    }
  }
  if (!paths[1]) return cli_usage_error(kUsage, "needs IN and OUT");
  if (!have_mode) return cli_usage_error(kUsage, "--mode is required");
  bool full_int = o.mode == PNN_QUANT_INT8 || o.mode == PNN_QUANT_16X8;
  if (full_int && !calib_dir)
    return cli_usage_error(kUsage, "--mode %s needs --calib DIR",
                           o.mode == PNN_QUANT_INT8 ? "int8" : "16x8");
  pnn_model *in = NULL;
  int rc = cli_load_model(paths[0], &in);
  if (rc != CLI_EXIT_OK) return rc;
  pnn_tool_report rep = {0};
  uint8_t *bytes = NULL;
  size_t size = 0;
  char err[512] = "";
  pnn_calib_ranges ranges = {0};
  pnn_status st = PNN_OK;
  if (full_int) {
    rc = calib_list(&cs, calib_dir);
    if (rc) {
      calib_free(&cs);
      pnn_model_free(in);
      return rc;
    }
    co.bits = o.mode == PNN_QUANT_16X8 ? 16 : 8;
    co.progress = calib_progress;
    co.progress_user = &cs;
    cs.t0 = time(NULL);
    st = pnn_calibrate(in, cs.n_files, calib_fill, &cs, &co, &ranges, err,
                       sizeof err);
    o.ranges = &ranges;
    if (st == PNN_OK)
      pnn_report_add(&rep, "calibration: %d samples from %s (%s)",
                     ranges.n_samples, calib_dir,
                     co.method == PNN_CALIB_MINMAX       ? "minmax"
                     : co.method == PNN_CALIB_PERCENTILE ? "percentile"
                                                         : "mse");
  }
  if (st == PNN_OK)
    st = pnn_quantize(in, &o, &bytes, &size, &rep, err, sizeof err);
  if (st == PNN_OK && full_int && co.analyze) {
    /* run the result against the float model on (up to 16) calibration
     * samples */
    pnn_model *qm = NULL;
    pnn_calib_compare cmp = {0};
    int n_cmp = cs.n_files < 16 ? cs.n_files : 16;
    char e2[400] = "";
    pnn_load_options lo = {PNN_LOAD_COPY, 0};
    bool have = pnn_model_load_buffer(bytes, size, &lo, &qm, e2, sizeof e2) ==
                    PNN_OK &&
                pnn_calib_compare_models(in, qm, n_cmp, calib_fill, &cs, &cmp,
                                         e2, sizeof e2) == PNN_OK;
    if (!have) pnn_report_add(&rep, "analyze: no measured SNR: %s", e2);
    analyze_report(&rep, in, &ranges, have ? &cmp : NULL, have ? n_cmp : 0);
    pnn_calib_compare_free(&cmp);
    pnn_model_free(qm);
    report = true;
  }
  calib_free(&cs);
  pnn_calib_ranges_free(&ranges);
  if (st != PNN_OK)
    rc = cli_error("%s: %s", paths[0], err);
  else
    rc = cli_tool_output("quantize", paths[0], in, paths[1], bytes, size, &rep,
                         report);
  free(bytes);
  pnn_report_free(&rep);
  pnn_model_free(in);
  return rc;
}
